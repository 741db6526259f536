import time

import numpy as np
import pytest

import emlp_core.solver as solver
import emlp_core.strategies as strategies
from benchmarks.paper_reference import BELL_NUMBERS, RIORDAN_NUMBERS
from emlp_core import Scalar, T, V, equivariant_basis, equivariant_projector
from emlp_core.basis import Basis
from groups import SO, Group, O, S, Trivial, Z

BELL = BELL_NUMBERS[:6]  # S(n) invariants of V**k, n >= k
RIORDAN = RIORDAN_NUMBERS[:7]  # SO(3) invariants of V**k


def double_factorial(n: int) -> int:
    return 1 if n <= 0 else n * double_factorial(n - 2)


def assert_exact_invariant_basis(rep, basis, n_samples=4):
    """Checks by applying sampled group elements and generators, independently of the solver."""
    basis = basis.toarray() if hasattr(basis, "toarray") else basis
    n = rep.size()
    assert basis.dtype == np.float64 and basis.shape[0] == n
    np.testing.assert_allclose(basis.T @ basis, np.eye(basis.shape[1]), atol=1e-12)
    G = rep.group
    for g in G.samples(n_samples, seed=11):
        residual = np.linalg.norm(rep.rho(g) @ basis - basis) / max(1.0, np.linalg.norm(basis))
        assert residual <= 1e-10
    for A in G.lie_algebra:
        drho = rep.drho(A)
        assert np.linalg.norm(drho @ basis) <= 1e-10 * max(1.0, np.linalg.norm(drho))


@pytest.mark.parametrize("k", range(6))
def test_symmetric_group_counts_are_bell_numbers(k):
    rep = (V**k)(S(5))
    basis = equivariant_basis(rep)
    assert basis.shape[1] == BELL[k]
    assert_exact_invariant_basis(rep, basis) if k <= 4 else None


@pytest.mark.parametrize("k", range(7))
def test_so3_counts_are_riordan_numbers(k):
    rep = (V**k)(SO(3))
    basis = equivariant_basis(rep)
    assert basis.shape[1] == RIORDAN[k]
    assert_exact_invariant_basis(rep, basis, n_samples=2)


@pytest.mark.parametrize("n, k", [(4, 2), (4, 3), (4, 4), (5, 4), (3, 2)])
def test_orthogonal_group_counts_are_brauer_pairings(n, k):
    rep = (V**k)(O(n))
    basis = equivariant_basis(rep)
    expected = 0 if k % 2 else double_factorial(k - 1)
    assert basis.shape[1] == expected
    assert_exact_invariant_basis(rep, basis)


def test_hom_counts_behave_as_tensor_powers():
    assert equivariant_basis((V**2 >> V)(S(4))).shape[1] == BELL[3]
    assert equivariant_basis((V**2 >> V**2)(S(4))).shape[1] == BELL[4]
    assert equivariant_basis((V >> V)(O(3))).shape[1] == 1


def test_levi_civita_is_found_for_so3_but_not_o3():
    basis = equivariant_basis((V**3)(SO(3)))[:, 0].reshape(3, 3, 3)
    epsilon = np.zeros((3, 3, 3))
    for (i, j, k), sign in {
        (0, 1, 2): 1,
        (1, 2, 0): 1,
        (2, 0, 1): 1,
        (0, 2, 1): -1,
        (2, 1, 0): -1,
        (1, 0, 2): -1,
    }.items():
        epsilon[i, j, k] = sign / np.sqrt(6)
    assert np.isclose(abs(np.sum(basis * epsilon)), 1.0)
    assert equivariant_basis((V**3)(O(3))).shape[1] == 0


def test_mixed_tensors_of_a_non_orthogonal_group():
    GL2 = Group(lie_algebra=np.eye(4).reshape(4, 2, 2), name="GL(2)")
    assert equivariant_basis((V >> V)(GL2)).shape[1] == 1  # the identity map
    assert equivariant_basis(T(2, 0, GL2)).shape[1] == 0  # no invariant bilinear form
    rep = T(2, 2, GL2)
    basis = equivariant_basis(rep)
    assert basis.shape[1] == 2  # the two pairings of upper with lower indices
    assert_exact_invariant_basis(rep, basis)


def test_trivial_and_cyclic_groups():
    np.testing.assert_allclose(equivariant_basis(V(Trivial(3)), sparse=False), np.eye(3))
    # Z(4) on V: only the all-ones vector is invariant
    basis = equivariant_basis(V(Z(4)), sparse=False)
    np.testing.assert_allclose(np.abs(basis[:, 0]), 0.5)


def full_dense_basis(rep):
    """The slow obvious solver: nullspace of the whole constraint, no blocks."""
    G, n = rep.group, rep.size()
    blocks = [rep.rho(h) - np.eye(n) for h in G.discrete_generators]
    blocks += [rep.drho(A) for A in G.lie_algebra]
    if not blocks:
        return np.eye(n)
    _, s, vt = np.linalg.svd(np.concatenate(blocks), full_matrices=True)
    rank = int(np.sum(s > 1e-9 * s[0]))
    return vt[rank:].T


@pytest.mark.parametrize(
    "rep, G",
    [
        ((V**0 + V + V**2) >> (V**0 + V + V**2), O(3)),
        ((2 * V + V**2) >> (V + Scalar), S(3)),
        ((V + V.T) * V, SO(2)),
        (V * (V + Scalar) >> V, O(2)),
    ],
)
def test_block_solver_matches_the_full_dense_solve(rep, G):
    bound = rep(G)
    fast = equivariant_basis(bound, sparse=False)
    slow = full_dense_basis(bound)
    assert fast.shape == slow.shape
    np.testing.assert_allclose(fast @ fast.T, slow @ slow.T, atol=1e-10)


def test_sum_is_split_into_blocks_each_solved_once(monkeypatch):
    solved = []
    original = solver._solve

    def recording(monomial, tol, strategy):
        solved.append(monomial.size)
        return original(monomial, tol, strategy)

    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    solver.clear_cache()
    monkeypatch.setattr(solver, "_solve", recording)
    rep = ((V**0 + V + V**2) >> (V**0 + V + V**2))(O(5))
    basis = equivariant_basis(rep)
    assert basis.shape == (961, 7)
    assert sorted(solved) == [1, 5, 25, 125, 625]  # one solve per distinct type, never 961
    solved.clear()
    equivariant_basis(rep)
    assert solved == []  # cached


def test_projector_is_symmetric_idempotent_and_equivariant():
    rep = (V**2 >> V)(SO(3))
    P = equivariant_projector(rep)
    dense = P @ np.eye(rep.size())
    np.testing.assert_allclose(dense, dense.T, atol=1e-14)
    np.testing.assert_allclose(dense @ dense, dense, atol=1e-12)
    g = SO(3).samples(1, seed=5)[0]
    np.testing.assert_allclose(rep.rho(g) @ dense, dense, atol=1e-12)
    assert np.isclose(np.trace(dense), 1.0)


def test_rep_methods_delegate_to_the_solver():
    rep = (V**2)(O(4))
    np.testing.assert_array_equal(rep.equivariant_basis(), equivariant_basis(rep))


def test_tol_is_used_for_approximate_generators():
    rng = np.random.default_rng(0)
    noisy = Group(lie_algebra=SO(3).lie_algebra + 1e-9 * rng.standard_normal((3, 3, 3)))
    assert equivariant_basis((V**2)(noisy), tol=1e-6).shape[1] == 1
    with pytest.warns(RuntimeWarning, match="ambiguous rank"):
        equivariant_basis((V**2)(noisy))


@pytest.mark.parametrize("rep", [(V**2)(SO(3)), (V**2)(S(3))], ids=repr)
def test_basis_is_read_only_in_the_cache(rep):
    basis = solver.monomial_basis(rep.canonical_form()[0].monomial)
    with pytest.raises(ValueError):
        basis.toarray()[0, 0] = 1.0
    for array in (basis.dense, basis.column, basis.value):
        if array is not None:
            with pytest.raises(ValueError):
                array[0] = 1
    with pytest.raises(AttributeError):
        basis.rank = 0


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: equivariant_basis(V**2), ValueError, "has no group"),
        (lambda: equivariant_basis(np.eye(3)), TypeError, "takes a Rep"),
        (lambda: equivariant_basis((V**2)(SO(3)), tol=2.0), ValueError, r"in \(0, 1\)"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_memory_limit_is_checked_before_allocating(monkeypatch):
    monkeypatch.setenv("EMLP_SOLVER_MEMORY_GB", "0.001")
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    solver.clear_cache()
    with pytest.raises(ValueError, match=r"size 729.*MiB.*EMLP_SOLVER_MEMORY_GB"):
        equivariant_basis((V**6)(SO(3)))


@pytest.mark.parametrize("rep", [(V**20)(SO(3)), (V**12)(S(10)), (V**30)(O(5))], ids=repr)
def test_impossible_requests_fail_fast_with_the_documented_error(rep):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"needs about .* above the limit .*EMLP_SOLVER_MEMORY_GB"):
        equivariant_basis(rep)
    assert time.perf_counter() - start < 1.0


SIGNED3 = Group(  # signed permutations without a Lie algebra: the pure orbit strategy
    discrete_generators=[np.diag([-1.0, 1.0, 1.0]), np.roll(np.eye(3), 1, axis=0)], name="signed"
)


@pytest.mark.parametrize(
    "rep",
    [(V**11)(O(3)), (V**10)(SIGNED3)],
    ids=["orbits-vs-weights-choice", "signed-orbit-graph"],
)
def test_memory_is_checked_before_the_allocation_it_guards(monkeypatch, rep):
    import tracemalloc

    limit_gb = 0.01
    monkeypatch.setenv("EMLP_SOLVER_MEMORY_GB", str(limit_gb))
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    solver.clear_cache()
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"needs about .* above the limit"):
            equivariant_basis(rep)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= limit_gb * 2**30  # refused before, not after, the large arrays


def _first_coordinate() -> Basis:
    """The orbit-form basis holding only e_0: not invariant under S(3) or SO(3)."""
    return Basis.from_orbits(np.zeros(9, int), np.eye(9)[0], 1)


@pytest.mark.parametrize(
    "rep, wrong",
    [
        ((V**2)(SO(3)), lambda good: np.eye(9)[:, :1]),  # not invariant
        ((V**2)(SO(3)), lambda good: 2.0 * good),  # not orthonormal
        ((V**2)(SO(3)), lambda good: _first_coordinate()),  # orbit form, algebra
        ((V**2)(S(3)), lambda good: _first_coordinate()),  # orbit form, discrete
        ((V**2)(O(3)), lambda good: _first_coordinate()),  # both
        ((V**2)(S(3)), lambda good: Basis.from_orbits(np.zeros(9), np.full(9, 0.5), 1)),  # norm 1.5
    ],
    ids=[
        "dense-residual",
        "orthonormality",
        "orbit-lie",
        "orbit-discrete",
        "orbit-both",
        "orbit-on",
    ],
)
def test_a_strategy_result_that_is_wrong_is_refused_and_not_cached(monkeypatch, rep, wrong):
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    solver.clear_cache()
    basis = wrong(equivariant_basis(rep, sparse=False))
    solver.clear_cache()
    monkeypatch.setattr(solver, "_solve", lambda *args: (basis, "dense"))
    with pytest.raises(RuntimeError, match="failed verification"):
        equivariant_basis(rep)
    assert not solver.cache.memory


def test_a_long_solve_shows_a_progress_bar_and_a_short_one_does_not(monkeypatch, capsys):
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    monkeypatch.setattr(solver, "PROGRESS_DELAY_S", 0.2)
    monkeypatch.setattr(solver, "_PROGRESS_INTERVAL_S", 0.05)
    monkeypatch.setattr(solver, "PROGRESS_MIN_SIZE", 16)
    solver.clear_cache()
    equivariant_basis((V**2)(SO(3)))
    assert "solving (V**2)" not in capsys.readouterr().err
    original = solver._solve

    def slow(*args):
        time.sleep(0.6)
        return original(*args)

    monkeypatch.setattr(solver, "_solve", slow)
    equivariant_basis((V**3)(SO(3)))  # one tensor type: the bar must show during its solve
    err = capsys.readouterr().err
    assert "solving (V**3)(SO(3)) (size 27): 00:00" in err
    assert err.count("solving (V**3)") >= 3  # refreshed while running, not only at the end
    monkeypatch.setattr(solver, "PROGRESS_MIN_SIZE", 28)  # below it: no bar (and no thread)
    equivariant_basis((V**3)(O(3)))
    assert "solving (V**3)" not in capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "four", ""])
def test_a_memory_limit_that_is_not_a_finite_positive_number_is_refused(monkeypatch, value):
    monkeypatch.setenv("EMLP_SOLVER_MEMORY_GB", value)
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    solver.clear_cache()
    with pytest.raises(ValueError, match="EMLP_SOLVER_MEMORY_GB must be a finite positive"):
        equivariant_basis((V**3)(SO(3)))


@pytest.mark.parametrize("rep", [(V**4)(O(5)), (V**3)(O(8)), (V**4)(S(5))], ids=repr)
def test_the_dense_memory_estimate_covers_the_measured_peak(monkeypatch, rep):
    import tracemalloc

    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    (summand,) = rep.canonical_form()
    monomial = summand.monomial
    solver.clear_cache()
    tracemalloc.start()
    try:
        solver.monomial_basis(monomial, strategy="dense")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = strategies.dense_bytes(monomial.size, len(monomial.constraint_blocks()))
    assert peak <= estimate <= 2.0 * peak


def test_the_rank_decision_has_a_margin_on_both_sides():
    """Exact generators leave null singular values near eps and nonzero ones O(1)."""
    from emlp_core.nullspace import AMBIGUITY_MARGIN, decide_rank, default_cutoff

    cutoff = default_cutoff(625, 625)
    assert 1e-8 < cutoff < 1e-6
    singular = np.array([2.0, 1.0, 0.3, 1e-13, 1e-15])
    assert decide_rank(singular, 2.0, (625, 625), None, "margin") == 3
    near = np.array([1.0, cutoff * AMBIGUITY_MARGIN / 2])
    with pytest.warns(RuntimeWarning, match="ambiguous rank"):
        assert decide_rank(near, 1.0, (625, 625), None, "near above") == 2
    with pytest.warns(RuntimeWarning, match="ambiguous rank"):
        decide_rank(np.array([1.0, cutoff / 10]), 1.0, (625, 625), None, "near below")
