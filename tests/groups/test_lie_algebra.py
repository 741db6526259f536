import numpy as np
import pytest

from groups import (
    GL,
    SL,
    SO,
    SU,
    Group,
    Sp,
    algebra_rank,
    closure_residual,
    killing_form,
    killing_signature,
    structure_constants,
)


def levi_civita_3():
    epsilon = np.zeros((3, 3, 3))
    for i, j, k in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        epsilon[i, j, k], epsilon[j, i, k] = 1.0, -1.0
    return epsilon


def test_structure_constants_reproduce_the_commutators():
    for G in (SO(4), SL(3), Sp(2), SU(3)):
        constants, residual = structure_constants(G)
        A = G.lie_algebra
        for i, j in [(0, 1), (1, 3), (2, 2)]:
            expected = A[i] @ A[j] - A[j] @ A[i]
            np.testing.assert_allclose(
                np.tensordot(constants[i, j], A, axes=1), expected, atol=1e-12
            )
        assert residual < 1e-13
        np.testing.assert_allclose(constants, -constants.transpose(1, 0, 2), atol=1e-14)


def test_so3_structure_constants_are_the_levi_civita_symbol():
    # basis L_0 = E_10 - E_01, L_1 = E_20 - E_02, L_2 = E_21 - E_12: [L_i, L_j] = eps_ijk L_k
    constants, _ = structure_constants(SO(3))
    np.testing.assert_allclose(constants, levi_civita_3(), atol=1e-15)


def test_killing_form_matches_the_trace_formulas():
    """so(n): (n - 2) tr(XY); sl(n): 2n tr(XY); sp(2m): (2m + 2) tr(XY)."""
    for G, factor in [(SO(5), 3), (SL(3), 6), (Sp(2), 6)]:
        A = G.lie_algebra
        trace = np.einsum("iab,jba->ij", A, A)
        np.testing.assert_allclose(killing_form(G), factor * trace, atol=1e-10)


def test_killing_form_is_invariant():
    """K([X, Y], Z) = -K(Y, [X, Z]) for the adjoint action."""
    constants, _ = structure_constants(SU(3))
    form = killing_form(SU(3))
    rng = np.random.default_rng(1)
    x, y, z = rng.standard_normal((3, 8))
    xy = np.einsum("i,j,ijk->k", x, y, constants)
    xz = np.einsum("i,j,ijk->k", x, z, constants)
    assert np.isclose(xy @ form @ z, -(y @ form @ xz))


def test_signature_and_rank_of_small_algebras():
    assert killing_signature(SO(3)) == (0, 3, 0)
    assert killing_signature(SL(2)) == (2, 1, 0)
    assert killing_signature(GL(2)) == (2, 1, 1)  # the centre is in the kernel
    assert algebra_rank(GL(4)) == 4 and algebra_rank(SL(4)) == 3
    assert algebra_rank(SO(7)) == 3 and algebra_rank(SO(8)) == 4
    abelian = np.array([np.diag([1.0, 0.0, 0.0]), np.diag([0.0, 1.0, 0.0])])
    assert algebra_rank(abelian) == 2 and killing_signature(abelian) == (0, 0, 2)


def test_arrays_and_groups_are_both_accepted():
    A = SO(3).lie_algebra
    np.testing.assert_array_equal(killing_form(A), killing_form(SO(3)))
    assert algebra_rank(np.zeros((0, 3, 3))) == 0 and killing_signature(np.zeros((0, 2, 2))) == (
        0,
        0,
        0,
    )


def test_closure_residual_detects_a_missing_generator():
    sl2 = SL(2).lie_algebra
    assert closure_residual(sl2) < 1e-15
    assert closure_residual(sl2[:2]) > 0.1  # E_01 and E_10 without their commutator


def test_closure_residual_is_relative_to_the_generator_sizes():
    sl2 = SL(2).lie_algebra
    assert closure_residual(1e6 * sl2[:2]) == pytest.approx(closure_residual(sl2[:2]))


def test_errors_name_what_was_received():
    with pytest.raises(ValueError, match=r"linearly dependent.*dimension 2"):
        structure_constants(np.concatenate([SL(2).lie_algebra[:2], SL(2).lie_algebra[:1]]))
    with pytest.raises(ValueError, match=r"shape \(D, d, d\).*\(3, 3\)"):
        killing_form(np.eye(3))
    with pytest.raises(ValueError, match="non-finite"):
        algebra_rank(np.full((1, 2, 2), np.inf))
    with pytest.raises(TypeError, match="Group or an array"):
        closure_residual([["a"]])
    with pytest.raises(TypeError, match=r"algebra must be .*complex array of shape \(1, 2, 2\)"):
        killing_form(1j * SO(2).lie_algebra)


def test_group_caches_its_closure_residual():
    G = Group(lie_algebra=SO(4).lie_algebra)
    assert G.closure_residual == closure_residual(G) < 1e-15


def test_nilpotent_algebra_has_a_zero_killing_form():
    heisenberg = np.zeros((3, 3, 3))
    heisenberg[0, 0, 1] = heisenberg[1, 1, 2] = heisenberg[2, 0, 2] = 1.0  # [X, Y] = Z
    rotated = np.einsum(
        "ab,bij->aij", np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0], heisenberg
    )
    assert killing_signature(rotated) == (0, 0, 3)
    assert algebra_rank(rotated) == 2  # the centraliser of a generic element: itself and Z
