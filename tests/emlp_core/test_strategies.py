"""Every fast strategy against the dense SVD, and known counts at sizes only they reach."""

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse

import emlp_core.strategies as strategies
from benchmarks.paper_reference import BELL_NUMBERS, LORENTZ_T2_TO_T2, RIORDAN_NUMBERS
from emlp_core import T, V, equivariant_basis
from emlp_core.solver import clear_cache, monomial_basis, solve_reports
from groups import O13 as BUILTIN_O13
from groups import SO, Group, O, S, SO13p, Z

ETA = np.diag([1.0, -1.0, -1.0, -1.0])


def lorentz_algebra() -> np.ndarray:
    """so(1,3) for the metric diag(1,-1,-1,-1): three rotations and three boosts."""
    gens = []
    for i, j in [(1, 2), (1, 3), (2, 3)]:
        A = np.zeros((4, 4))
        A[i, j], A[j, i] = -1.0, 1.0
        gens.append(A)
    for i in (1, 2, 3):
        A = np.zeros((4, 4))
        A[0, i] = A[i, 0] = 1.0
        gens.append(A)
    return np.array(gens)


SO13P = Group(lie_algebra=lorentz_algebra(), name="SO+(1,3)")
O13 = Group(lie_algebra=lorentz_algebra(), discrete_generators=[ETA, -ETA], name="O(1,3)")
GL2 = Group(lie_algebra=np.eye(4).reshape(4, 2, 2), name="GL(2)")
HEISENBERG = Group(  # strictly upper triangular: no diagonalisable generic element
    lie_algebra=[
        [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
        [[0, 0, 1], [0, 0, 0], [0, 0, 0]],
    ],
    name="Heisenberg",
)
C6 = Group(  # rotation by 60 degrees: not a signed permutation
    discrete_generators=[[[0.5, -np.sqrt(0.75)], [np.sqrt(0.75), 0.5]]], name="C6"
)
SIGNED = Group(
    discrete_generators=[np.diag([-1.0, 1.0, 1.0]), np.roll(np.eye(3), 1, axis=0)], name="signed"
)


def principal_angle(first: np.ndarray, second: np.ndarray) -> float:
    """Largest principal angle between two column spans (radians)."""
    if first.shape[1] == 0 and second.shape[1] == 0:
        return 0.0
    outside = first - second @ (second.T @ first)  # the part of `first` not in span(second)
    return float(np.arcsin(min(1.0, scipy.linalg.svdvals(outside).max(initial=0.0))))


def dense_of(basis) -> np.ndarray:
    return basis.toarray() if hasattr(basis, "toarray") else np.asarray(basis)


def assert_verified(rep, basis, rtol: float = 1e-10) -> None:
    """Orthonormal float64 columns, each constraint block relatively below ``rtol``.

    Uses the lazy Kronecker blocks (never a dense ``(n, n)`` matrix), so it works at sizes
    where ``rep.rho(g)`` would not fit; the blocks themselves are checked against their
    dense matrices in ``test_operators``.
    """
    basis = dense_of(basis)
    assert basis.dtype == np.float64
    np.testing.assert_allclose(basis.T @ basis, np.eye(basis.shape[1]), atol=1e-12)
    for summand in rep.canonical_form():
        for positions in summand.positions:
            local = basis[positions]  # this copy's rows, in the type's own layout
            for op, bound in summand.monomial.constraint_blocks():
                assert np.linalg.norm(op @ local) <= rtol * bound * max(1.0, np.linalg.norm(local))


CASES = [
    ("weights", (V**4)(SO(3))),
    ("weights", (V**5)(SO(3))),
    ("weights", (V**4)(O(3))),
    ("weights", (V**2 >> V**2)(SO13P)),
    ("weights", (V**2 >> V**2)(O13)),
    ("weights", T(2, 2, GL2)),
    ("weights", T(3, 1, GL2)),
    ("orbits", (V**4)(S(4))),
    ("orbits", (V**3 >> V**2)(S(3))),
    ("orbits", (V**4)(Z(5))),
    ("orbits", (V**4)(SIGNED)),
    ("orbits", (V**4)(O(3))),  # the reflection is a signed permutation: orbits, then so(3)
    ("orbits", (V**2 >> V**2)(O13)),
    ("iterative", (V**4)(SO(3))),
    ("iterative", (V**3)(HEISENBERG)),
    ("iterative", (V**4)(C6)),
    ("iterative", (V**2 >> V**2)(O13)),
]


@pytest.mark.parametrize("strategy, rep", CASES, ids=[f"{s}-{r!r}" for s, r in CASES])
def test_fast_strategy_matches_dense(strategy, rep):
    (summand,) = rep.canonical_form()
    clear_cache()
    fast = dense_of(monomial_basis(summand.monomial, strategy=strategy))
    slow = dense_of(monomial_basis(summand.monomial, strategy="dense"))
    assert fast.shape == slow.shape
    np.testing.assert_allclose(fast.T @ fast, np.eye(fast.shape[1]), atol=1e-12)
    assert principal_angle(fast, slow) < 1e-8
    if monomial_basis(summand.monomial, strategy=strategy).kind == "dense":
        np.testing.assert_allclose(fast, slow, atol=1e-8)  # canonical: the same columns


def test_orbit_bases_are_sparse_and_exact():
    basis = equivariant_basis((V**5)(S(5)))
    assert scipy.sparse.issparse(basis) and basis.shape == (3125, 52)
    assert basis.nnz == 3125  # every tuple lies in exactly one orbit
    dense = basis.toarray()
    for g in S(5).samples(3, seed=4):
        moved = (V**5)(S(5)).rho(g) @ dense
        assert np.abs(moved - dense).max() == 0.0


def test_strategies_that_do_not_apply_are_refused():
    (summand,) = (V**2)(C6).canonical_form()
    with pytest.raises(ValueError, match="orbits"):
        monomial_basis(summand.monomial, strategy="orbits")
    (summand,) = (V**2)(HEISENBERG).canonical_form()
    with pytest.raises(ValueError, match="diagonalisable"):
        monomial_basis(summand.monomial, strategy="weights")
    with pytest.raises(ValueError, match="strategy must be one of"):
        monomial_basis(summand.monomial, strategy="fastest")


@pytest.mark.parametrize("k, count", [(k, RIORDAN_NUMBERS[k]) for k in (7, 8)])
def test_so3_riordan_counts_at_sizes_dense_cannot_reach(k, count):
    rep = (V**k)(SO(3))
    basis = equivariant_basis(rep)
    assert basis.shape == (3**k, count)
    np.testing.assert_allclose(basis.T @ basis, np.eye(count), atol=1e-12)
    residual = (
        max(np.linalg.norm(rep.drho(A) @ basis) for A in SO(3).lie_algebra) if k <= 7 else None
    )
    if residual is not None:
        assert residual <= 1e-10 * np.linalg.norm(basis)
    for op, bound in rep.canonical_form()[0].monomial.constraint_blocks():
        assert np.linalg.norm(op @ basis) <= 1e-10 * bound * np.sqrt(count)


@pytest.mark.parametrize(
    "n, k, count",
    [(6, 5, BELL_NUMBERS[5]), (10, 4, BELL_NUMBERS[4]), (4, 5, 51), (10, 5, BELL_NUMBERS[5])],
)
def test_symmetric_group_counts_are_bell_numbers_or_restricted(n, k, count):
    rep = (V**k)(S(n))  # S(4) on V^5: partitions in <= 4 blocks
    basis = equivariant_basis(rep)
    assert basis.shape == (n**k, count)
    assert_verified(rep, basis)


@pytest.mark.parametrize("n, k", [(6, 4), (6, 6), (7, 4)])
def test_orthogonal_pairings(n, k):
    def double_factorial(m):
        return 1 if m <= 0 else m * double_factorial(m - 2)

    rep = (V**k)(O(n))
    basis = equivariant_basis(rep)
    assert basis.shape == (n**k, double_factorial(k - 1))
    assert_verified(rep, basis)


@pytest.mark.parametrize(
    "group, count",
    [  # three pairings (+ Levi-Civita)
        (SO13P, LORENTZ_T2_TO_T2["SO(1,3)"]),
        (O13, LORENTZ_T2_TO_T2["O(1,3)"]),
        (SO13p(), LORENTZ_T2_TO_T2["SO(1,3)"]),
        (BUILTIN_O13(), LORENTZ_T2_TO_T2["O(1,3)"]),
    ],
    ids=["local-SO+(1,3)", "local-O(1,3)", "groups.SO13p", "groups.O13"],
)
def test_lorentz_counts_from_the_reference(group, count):
    rep = (V**2 >> V**2)(group)
    basis = equivariant_basis(rep)
    assert basis.shape == (256, count)
    assert_verified(rep, basis)
    metric = equivariant_basis((V.T**2)(group))[:, 0].reshape(4, 4)
    np.testing.assert_allclose(metric / metric[0, 0], ETA, atol=1e-12)


def test_auto_reaches_the_iterative_fallback_for_an_algebra_without_structure(monkeypatch):
    # no discrete generators and no diagonalisable generic element: neither orbits nor
    # weights apply; once a dense solve is over the limit, "auto" must pick "iterative"
    monkeypatch.setenv("EMLP_SOLVER_MEMORY_GB", "0.015")  # < 8 * 729**2 * (3 + 4) bytes
    (summand,) = (V**6)(HEISENBERG).canonical_form()
    assert strategies.choose(summand.monomial, [], None) == "iterative"
    monkeypatch.delenv("EMLP_SOLVER_MEMORY_GB")
    assert strategies.choose(summand.monomial, [], None) == "dense"


@pytest.mark.parametrize(
    ("rep", "expected"),
    [
        ((V**4)(SO(3)), "dense"),  # 81 coordinates: below WEIGHTS_MIN_SIZE
        ((V**2)(SO(10)), "weights"),  # 100
        ((V**2 * V.T**2)(SO13P), "weights"),  # 256, a mixed type
        ((V**3)(HEISENBERG), "dense"),  # 27: weights does not apply
        ((V**6)(HEISENBERG), "dense"),  # 729 > DENSE_MAX_SIZE, no structure: dense if it fits
    ],
    ids=repr,
)
def test_auto_picks_weights_from_the_size_where_it_is_quicker(rep, expected):
    (summand,) = rep.canonical_form()
    clear_cache()
    (report,) = solve_reports(rep)
    assert report.strategy == expected
    if expected == "weights":  # the same span as the dense solve of the same type
        dense = dense_of(monomial_basis(summand.monomial, strategy="dense"))
        assert principal_angle(dense_of(monomial_basis(summand.monomial)), dense) < 1e-9
