"""Representations of different groups combined into one of their direct product.

Binding and lifting semantics, ``rho`` on sampled words, and the factor-wise solver
against the joint dense solve; invariance is always checked with sampled elements.
"""

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse

from benchmarks.paper_reference import BELL_NUMBERS, RIORDAN_NUMBERS
from emlp_core import Scalar, V, equivariant_basis
from emlp_core.solver import SolveReport, solve_reports
from groups import O13, SO, O, S, Z

BELL = BELL_NUMBERS[:6]  # S(n) invariants of V**k, n >= k
RIORDAN = RIORDAN_NUMBERS[:7]  # SO(3) invariants of V**m


def dense(basis) -> np.ndarray:
    return basis.toarray() if hasattr(basis, "toarray") else np.asarray(basis)


def assert_invariant(rep, basis, n: int = 3, scale: float = 1.0) -> None:
    """Orthonormal columns fixed by ``rho(g)`` for sampled words ``g`` of ``rep.group``."""
    Q = dense(basis)
    np.testing.assert_allclose(Q.T @ Q, np.eye(Q.shape[1]), atol=1e-12)
    for g in rep.group.random_elements(n, seed=7, scale=scale):
        R = rep.rho(g)
        bound = np.abs(R).sum(axis=0).max()  # ||R||_1: a cheap bound on ||R||_2 here
        assert np.linalg.norm(R @ Q - Q) <= 1e-9 * bound * max(1, Q.shape[1])


def mixed():
    return 2 * V(Z(3)) * V(S(4)) + V(O(3)) ** 2


# ------------------------------------------------------------------------ 1. binding
def test_binding_is_order_independent_and_associative():
    a, b = V(S(4)) * V(SO(3)), V(SO(3)) * V(S(4))
    assert a.group == b.group == S(4) * SO(3)
    assert a.size() == b.size() == 12
    left = (V(S(4)) * V(SO(3))) * V(Z(3))
    right = V(S(4)) * (V(SO(3)) * V(Z(3)))
    shuffled = V(Z(3)) * (V(SO(3)) * V(S(4)))
    assert left.group == right.group == shuffled.group
    assert set(left.group.factors) == {S(4), SO(3), Z(3)}
    assert left.size() == right.size() == 36


def test_swapped_factors_give_the_transposed_layout():
    a, b = V(S(4)) * V(SO(3)), V(SO(3)) * V(S(4))
    swap = np.arange(12).reshape(4, 3).T.reshape(-1)  # b's coordinate (i, p) is a's (p, i)
    for g in a.group.random_elements(3, seed=2):
        np.testing.assert_allclose(b.rho(g), a.rho(g)[np.ix_(swap, swap)], atol=1e-12)
        np.testing.assert_allclose(a.rho(g), g.matrix(), atol=1e-12)  # kron(g_S, g_SO)


def test_sums_lift_their_parts():
    rep = V(S(4)) * V(SO(3)) + V(SO(3))
    assert rep.size() == 15 and rep.group == S(4) * SO(3)
    lifted = V(SO(3))(S(4) * SO(3))
    assert lifted.group == S(4) * SO(3) and lifted.size() == 3
    bigger = (V(S(4)) * V(SO(3)))(S(4) * SO(3) * Z(2))
    assert bigger.group.factors == (S(4), SO(3), Z(2)) and bigger.size() == 12
    g = bigger.group.random_elements(1, seed=0)[0]
    parts = [bigger.group.restrict(g, j).matrix() for j in range(2)]
    np.testing.assert_allclose(bigger.rho(g), np.kron(*parts), atol=1e-12)


def test_binding_to_another_group_is_refused():
    rep = V(S(4)) * V(SO(3))
    with pytest.raises(ValueError, match="already bound"):
        rep(SO(3))
    with pytest.raises(ValueError, match=r"having S\(4\) and SO\(3\) among its factors"):
        rep(S(4) * O(3))


def test_already_bound_message_names_the_bound_group():
    with pytest.raises(ValueError, match=r"already bound to S\(4\)×SO\(3\)"):
        (V(S(4)) * V(SO(3)))(SO(3))


def test_a_repeated_factor_needs_lift():
    P = Z(5) * Z(5)
    with pytest.raises(ValueError, match="lift"):
        V(Z(5))(P)
    with pytest.raises(ValueError, match="lift"):
        V.lift(P, 0) * V(Z(5))
    rep = V.lift(P, 0) * V.lift(P, 1)
    assert rep.group == P and rep.size() == 25
    Q = equivariant_basis(rep)
    assert Q.shape == (25, 1)
    assert_invariant(rep, Q)


def test_lift_refuses_bad_inputs():
    P = Z(5) * SO(3)
    with pytest.raises(TypeError, match="ProductGroup"):
        V.lift(SO(3), 0)
    with pytest.raises(ValueError, match="out of range"):
        V.lift(P, 2)
    with pytest.raises(ValueError, match="not to factor 0"):
        V(SO(3)).lift(P, 0)
    assert V(SO(3)).lift(P, 1) == V(SO(3))(P)


def test_a_bound_scalar_lifts_a_product_like_a_single_factor():
    assert (Scalar(S(4)) * V(SO(3))).group == S(4) * SO(3)
    assert (Scalar(S(4)) * V(SO(3)) ** 2).group == S(4) * SO(3)


# --------------------------------------------------------------------------- 2. rho
def test_rho_is_a_homomorphism_on_sampled_words():
    rep = mixed()
    assert rep.size() == 33
    elements = rep.group.random_elements(4, seed=3)
    for g, h in zip(elements, elements[1:], strict=False):
        np.testing.assert_allclose(rep.rho(g @ h), rep.rho(g) @ rep.rho(h), atol=1e-10)
        np.testing.assert_allclose(rep.rho(g.inverse()), np.linalg.inv(rep.rho(g)), atol=1e-10)


def test_rho_of_per_factor_tuples_equals_rho_of_the_word():
    rep = mixed()
    P = rep.group
    for g in P.random_elements(3, seed=4):
        words = tuple(P.restrict(g, j) for j in range(len(P.factors)))
        matrices = tuple(word.matrix() for word in words)
        np.testing.assert_allclose(rep.rho(words), rep.rho(g), atol=1e-12)
        np.testing.assert_allclose(rep.rho(matrices), rep.rho(g), atol=1e-12)
    with pytest.raises(TypeError, match="GroupElement"):
        rep.rho(np.eye(P.d))
    with pytest.raises(ValueError, match="one element per factor"):
        rep.rho(matrices[:2])


# -------------------------------------------------------------- 3. factors vs dense
def _joint_cases():
    lorentz = V(S(4)) * V(O13())
    return {
        "(VS4*VSO3)**2": (V(S(4)) * V(SO(3))) ** 2,
        "VS3**2*VSO3**2": V(S(3)) ** 2 * V(SO(3)) ** 2,
        "mixed>>mixed": mixed() >> mixed(),
        "VS4*VO13": lorentz,
        "VS4*VO13>>VO13": lorentz >> V(O13()),
        "(VS4*VO13)**2": lorentz**2,
    }


@pytest.mark.parametrize("name", list(_joint_cases()))
def test_factorwise_basis_equals_the_joint_dense_solve(name):
    rep = _joint_cases()[name]
    fast, joint = dense(equivariant_basis(rep)), dense(equivariant_basis(rep, strategy="dense"))
    assert fast.shape == joint.shape
    if fast.shape[1]:
        assert scipy.linalg.subspace_angles(fast, joint).max() < 1e-8
    scale = 0.3 if "O13" in name else 1.0
    assert_invariant(rep, fast, scale=scale)
    assert_invariant(rep, joint, scale=scale)


def test_the_joint_cases_are_not_all_trivial():
    dims = {name: equivariant_basis(rep).shape[1] for name, rep in _joint_cases().items()}
    assert dims["(VS4*VSO3)**2"] == BELL[2] * RIORDAN[2]
    assert dims["VS3**2*VSO3**2"] == BELL[2] * RIORDAN[2]
    assert dims["VS4*VO13"] == 0 and dims["VS4*VO13>>VO13"] == 1 and dims["(VS4*VO13)**2"] == 2
    assert dims["mixed>>mixed"] > 0


# ------------------------------------------------------------------ 4. dimensions
def test_single_group_references_match_the_known_counts():
    for m, count in enumerate(RIORDAN):
        assert equivariant_basis((V**m)(SO(3))).shape[1] == count
    for k, count in enumerate(BELL):
        assert equivariant_basis((V**k)(S(max(k, 1)))).shape[1] == count


@pytest.mark.parametrize(
    "k, m, n",
    [(0, 4, 4), (1, 2, 4), (2, 3, 3), (3, 4, 4), (2, 6, 2), (4, 2, 4), (5, 2, 5), (3, 0, 3)],
)
def test_dimension_is_the_product_of_the_factors_counts(k, m, n):
    rep = V(S(n)) ** k * V(SO(3)) ** m
    assert rep.size() == n**k * 3**m
    basis = equivariant_basis(rep)
    assert basis.shape[1] == BELL[k] * RIORDAN[m]
    if rep.size() <= 3000:
        assert_invariant(rep, basis, n=2)


# ---------------------------------------------------------------------- 5. reports
@pytest.mark.parametrize(
    "rep, strategies",
    [
        (V(S(4)) * V(SO(3)), ("orbits", "dense")),
        (V(S(4)) ** 2 * V(SO(3)) ** 6, ("orbits", "weights")),
        (V(SO(3)) * V(Z(3)) * V(S(5)), ("orbits", "dense", "orbits")),  # S(5)×SO(3)×Z(3)
    ],
)
def test_reports_name_the_factorisation(rep, strategies):
    (report,) = solve_reports(rep)
    assert report.strategy == "factors" and report.size == rep.size()
    assert tuple(part.strategy for part in report.parts) == strategies
    assert all(isinstance(part, SolveReport) for part in report.parts)
    assert tuple(part.monomial.group for part in report.parts) == rep.group.factors
    assert report.dim == np.prod([part.dim for part in report.parts])
    assert report.size == np.prod([part.size for part in report.parts])
    line = report.describe()
    assert "factors: " in line and " ⊗ " in line
    assert all(f"[{s}, dim" in line for s in strategies)


def test_forced_strategies_on_mixed_and_plain_reps():
    (report,) = solve_reports(V(S(4)) * V(SO(3)) ** 2, strategy="dense")
    assert report.strategy == "dense" and report.parts == ()
    with pytest.raises(ValueError, match="strategy 'factors'"):
        equivariant_basis((V**2)(SO(3)), strategy="factors")
    with pytest.raises(ValueError, match="strategy 'factors'"):
        solve_reports(V(S(4)) ** 2, strategy="factors")
    forced = equivariant_basis(V(S(4)) ** 2 * V(SO(3)) ** 2, strategy="factors")
    assert dense(forced).shape == (144, 2)


# -------------------------------------------------------------------------- 6. scale
def test_a_large_point_cloud_type_solves_factorwise():
    rep = (V(S(20)) * V(SO(3))) ** 2
    assert rep.size() == 3600
    basis = equivariant_basis(rep)
    assert basis.shape == (3600, BELL[2] * RIORDAN[2])
    (report,) = solve_reports(rep)
    assert report.strategy == "factors"
    assert [part.size for part in report.parts] == [400, 9]
    assert_invariant(rep, basis, n=1)
