"""identify: dimension, rank, signature, centre, derived algebra, ideals and labels."""

import numpy as np
import pytest

from discovery import centralizer, discover_lie_algebra, identify
from groups import E6, F4, G2, GL, SL, SO, SU, Group, Opq, Scaling, Sp, U


def realify(matrix):
    """The real (2n, 2n) form of a complex n x n matrix (coordinates Re z, Im z)."""
    return np.block([[matrix.real, -matrix.imag], [matrix.imag, matrix.real]])


def assert_is_decomposition(report, basis):
    """The ideals are ideals, commute with each other, and together span the algebra."""
    ideals = report.ideals
    assert sum(len(i) for i in ideals) == len(basis)
    together = np.concatenate([i.reshape(len(i), -1) for i in ideals])
    assert np.linalg.matrix_rank(together) == len(basis)
    for ideal in ideals:
        flat = ideal.reshape(len(ideal), -1)
        np.testing.assert_allclose(flat @ flat.T, np.eye(len(ideal)), atol=1e-10)
        brackets = np.einsum("iab,jbc->ijac", basis, ideal) - np.einsum(
            "jab,ibc->ijac", ideal, basis
        )
        brackets = brackets.reshape(-1, flat.shape[1])
        outside = brackets - (brackets @ flat.T) @ flat
        assert np.abs(outside).max() < 1e-9  # [g, I] inside I
    for a in range(len(ideals)):
        for b in range(a + 1, len(ideals)):
            mixed = np.einsum("iab,jbc->ijac", ideals[a], ideals[b]) - np.einsum(
                "jab,ibc->ijac", ideals[b], ideals[a]
            )
            assert np.abs(mixed).max() < 1e-9  # [I_a, I_b] = 0


def test_so4_splits_into_two_ideals_of_dimension_three():
    report = identify(SO(4))
    assert report.ideal_dims == (3, 3)
    assert report.label == "so(4)" and report.ideal_labels == ("su(2)", "su(2)")
    assert (report.dim, report.rank, report.center_dim, report.derived_dim) == (6, 2, 0, 6)
    assert report.killing_signature == (0, 6, 0) and report.compact and report.reductive
    assert_is_decomposition(report, SO(4).lie_algebra)


def test_u3_is_su3_plus_a_centre():
    report = identify(U(3))
    assert report.ideal_dims == (1, 8)
    assert (report.center_dim, report.derived_dim, report.rank) == (1, 8, 3)
    assert report.label == "u(3)" and report.ideal_labels == ("su(3)", "u(1)")
    assert report.compact
    assert_is_decomposition(report, U(3).lie_algebra)


@pytest.mark.parametrize("hermitian", [True, False])
def test_su5_adjoint_vacuum_leaves_the_standard_model_algebra(hermitian):
    vacuum = np.diag([2.0, 2.0, 2.0, -3.0, -3.0]).astype(complex)
    if not hermitian:
        vacuum = 1j * vacuum  # the same vacuum as an element of su(5)
    residual = centralizer(SU(5), realify(vacuum))
    assert residual.shape == (12, 10, 10)
    report = identify(residual)
    assert report.ideal_dims == (1, 3, 8)
    assert report.label == "su(3)+su(2)+u(1)"
    assert report.compact and report.center_dim == 1 and report.rank == 4
    assert_is_decomposition(report, residual)


@pytest.mark.parametrize(
    "make, dim, rank, label, signature",
    [
        (G2, 14, 2, "G2", (0, 14, 0)),
        (F4, 52, 4, "F4", (0, 52, 0)),
        (E6, 78, 6, "E6(-26)", (26, 52, 0)),
    ],
)
def test_exceptional_groups_from_the_library(make, dim, rank, label, signature):
    report = identify(make())
    assert (report.dim, report.rank) == (dim, rank)
    assert report.label == label and report.killing_signature == signature
    assert report.ideal_dims == (dim,)
    assert report.compact == (signature[0] == 0)


@pytest.mark.parametrize(
    "group, label, compact",
    [
        (SO(3), "so(3)", True),
        (SU(2), "su(2)", True),
        (SO(5), "so(5)", True),
        (SO(7), "so(7)", True),  # B3: 6 short roots
        (Sp(3), "sp(6,R)", False),  # C3: same dimension and rank as B3, 6 long roots
        (SO(8), "so(8)", True),
        (SU(4), "su(4)", True),
        (SL(3), "sl(3,R)", False),
        (Opq(1, 3), "so(1,3)", False),  # a complex algebra seen as real: sl(2, C)
        (Opq(1, 2), "so(1,2)", False),
        (Opq(2, 2), "so(2,2)", False),
        (Opq(2, 3), "so(2,3)", False),
        (GL(3), "sl(3,R)+R", False),
        (Scaling(2), "R", False),
    ],
)
def test_labels(group, label, compact):
    report = identify(group)
    assert report.label == label
    assert report.compact == compact


def test_a_rotation_generator_alone_is_a_compact_u1():
    report = identify(SO(3).lie_algebra[:1])
    assert report.label == "u(1)" and report.compact and report.ideal_dims == (1,)


def test_a_discovered_abelian_algebra_is_two_compact_u1():
    # (x0^2 + x1^2) + (x2^2 + x3^2)^2: rotations in two planes, found in a rotated basis
    result = discover_lie_algebra(lambda x: x[0] ** 2 + x[1] ** 2 + (x[2] ** 2 + x[3] ** 2) ** 2, 4)
    assert result.dim == 2
    report = identify(result)
    assert report.label == "u(1)+u(1)" and report.ideal_dims == (1, 1)
    assert report.compact and report.rank == 2 and report.killing_signature == (0, 0, 2)


def test_non_reductive_algebras():
    unit = np.zeros((3, 3, 3))
    unit[0, 0, 1] = unit[1, 1, 2] = unit[2, 0, 2] = 1.0  # strictly upper triangular
    heisenberg = identify(unit)
    assert heisenberg.label == "nilpotent" and not heisenberg.reductive
    assert heisenberg.center_dim == 1 and heisenberg.derived_dim == 1
    assert heisenberg.ideal_dims == (3,) and not heisenberg.compact
    affine = identify(np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]]))
    assert affine.label == "solvable" and affine.killing_signature == (1, 0, 1)


def test_so3_plus_heisenberg_splits_off_the_simple_ideal():
    so3 = SO(3).lie_algebra
    heisenberg = np.zeros((3, 3, 3))
    heisenberg[0, 0, 1] = heisenberg[1, 1, 2] = heisenberg[2, 0, 2] = 1.0
    blocks = np.zeros((6, 6, 6))
    blocks[:3, :3, :3] = so3
    blocks[3:, 3:, 3:] = heisenberg
    report = identify(blocks)
    assert not report.reductive and report.ideal_dims == (3, 3)


def test_structure_constants_reproduce_the_commutators():
    basis = SO(4).lie_algebra
    report = identify(basis)
    for i, j in [(0, 1), (2, 5)]:
        np.testing.assert_allclose(
            np.tensordot(report.structure_constants[i, j], basis, axes=1),
            basis[i] @ basis[j] - basis[j] @ basis[i],
            atol=1e-12,
        )
    assert report.closure_residual < 1e-12


def test_learned_noisy_algebras_are_read_at_their_precision():
    rng = np.random.default_rng(0)
    noisy = SO(4).lie_algebra + 1e-7 * rng.standard_normal((6, 4, 4))
    report = identify(noisy)
    assert report.tol > 1e-8 and report.ideal_dims == (3, 3) and report.label == "so(4)"


def test_the_automatic_tol_is_bounded_and_an_algebra_that_does_not_close_is_refused():
    # two generators of so(3): [L_x, L_y] = L_z is outside their span (residual 1/sqrt 2);
    # the automatic tol (10 x residual = 7.07) once read them as a compact u(1)+u(1)
    with pytest.raises(ValueError, match=r"closure residual 7\.07e-01 .*would exceed"):
        identify(SO(3).lie_algebra[:2])
    with pytest.raises(ValueError, match=r"closure residual 7\.07e-01 \(> tol = 5\.00e-01\)"):
        identify(SO(3).lie_algebra[:2], tol=0.5)
    # noise of 1e-3 gives a closure residual near 4e-3: too coarse to pick a tol itself
    rng = np.random.default_rng(0)
    noisy = SO(4).lie_algebra + 1e-3 * rng.standard_normal((6, 4, 4))
    with pytest.raises(ValueError, match="pass a coarser tol="):
        identify(noisy)
    report = identify(noisy, tol=1e-2)  # read at the precision the caller chose
    assert report.label == "so(4)" and report.tol == 1e-2
    assert report.closure_residual <= report.tol


def test_identify_rejects_a_dependent_basis_and_bad_shapes():
    basis = SO(3).lie_algebra
    with pytest.raises(ValueError, match="linearly dependent"):
        identify(np.concatenate([basis, basis[:1]]))
    with pytest.raises(ValueError, match=r"\(k, d, d\)"):
        identify(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="tol"):
        identify(basis, tol=2.0)


def test_empty_algebra():
    report = identify(Group(lie_algebra=np.zeros((0, 3, 3))))
    assert report.dim == 0 and report.label == "0" and report.ideal_dims == ()


def test_summary_mentions_the_label():
    assert "so(4)" in identify(SO(4)).summary()
