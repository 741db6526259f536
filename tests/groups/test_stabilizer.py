import itertools

import numpy as np
import pytest

from groups import (
    SL,
    SO,
    Opq,
    Sp,
    U,
    complex_structure,
    minkowski_metric,
    stabilizer,
    stabilizer_algebra,
    symplectic_form,
)


def span_projector(algebra: np.ndarray) -> np.ndarray:
    """Orthogonal projector onto the span of the matrices, in the Frobenius inner product."""
    flat = algebra.reshape(len(algebra), -1)
    _, singular, right = np.linalg.svd(flat, full_matrices=False)
    basis = right[singular > 1e-10 * singular[0]]
    return basis.T @ basis


def assert_same_algebra(first: np.ndarray, second: np.ndarray):
    assert first.shape == second.shape
    np.testing.assert_allclose(span_projector(first), span_projector(second), atol=1e-10)


def act(A: np.ndarray, tensor: np.ndarray) -> np.ndarray:
    """sum over slots of A applied to the tensor (the obvious dense formula)."""
    total = np.zeros_like(tensor)
    for axis in range(tensor.ndim):
        total += np.moveaxis(np.tensordot(A, tensor, axes=(1, axis)), 0, axis)
    return total


@pytest.mark.parametrize("n", [2, 3, 5])
def test_stabilizer_of_the_euclidean_metric_is_so_n(n):
    G = stabilizer(np.eye(n))
    assert_same_algebra(G.lie_algebra, SO(n).lie_algebra)
    assert G.is_orthogonal and G.discrete_generators.shape == (0, n, n)


@pytest.mark.parametrize("p, q", [(1, 3), (1, 1), (2, 2), (3, 1), (2, 3)])
def test_stabilizer_of_a_minkowski_metric_is_the_indefinite_orthogonal_algebra(p, q):
    eta = minkowski_metric(p, q)
    as_form = stabilizer(eta, covariant=True).lie_algebra
    assert_same_algebra(as_form, Opq(p, q).lie_algebra)
    # eta^-1 = eta, so the contravariant stabilizer is the same algebra
    assert_same_algebra(stabilizer(eta).lie_algebra, Opq(p, q).lie_algebra)


@pytest.mark.parametrize("m", [1, 2, 3])
def test_stabilizer_of_the_symplectic_form_is_sp(m):
    as_form = stabilizer(symplectic_form(m), covariant=True).lie_algebra
    assert_same_algebra(as_form, Sp(m).lie_algebra)
    for A in as_form:  # the defining relation, checked directly
        J = symplectic_form(m)
        np.testing.assert_allclose(A.T @ J + J @ A, 0, atol=1e-13)


def test_metric_and_complex_structure_give_the_unitary_algebra():
    G = stabilizer(np.eye(6), complex_structure(3), covariant=True)
    assert_same_algebra(G.lie_algebra, U(3).lie_algebra)


def test_levi_civita_symbol_gives_sl_3():
    epsilon = np.zeros((3, 3, 3))
    for perm in itertools.permutations(range(3)):
        epsilon[perm] = np.linalg.det(np.eye(3)[list(perm)])
    assert_same_algebra(stabilizer(epsilon).lie_algebra, SL(3).lie_algebra)


def test_stabilizer_of_a_vector_fixes_it():
    v = np.array([1.0, 2.0, 0.0, -1.0])
    algebra = stabilizer_algebra(v)
    assert algebra.shape == (12, 4, 4)  # d (d - 1) matrices with A v = 0
    np.testing.assert_allclose(algebra @ v, 0, atol=1e-13)


def test_every_element_satisfies_the_constraint_and_the_basis_is_orthonormal():
    rng = np.random.default_rng(0)
    root = rng.standard_normal((4, 4))
    metric = root @ root.T  # a generic positive definite form
    cubic = np.zeros((4, 4, 4))
    cubic[0, 0, 0] = 1.0
    for tensors, dimension in [((metric,), 6), ((metric, cubic), 3)]:
        algebra = stabilizer_algebra(*tensors)
        assert algebra.shape[0] == dimension
        for A in algebra:
            for tensor in tensors:
                assert np.abs(act(A, tensor)).max() < 1e-12
        flat = algebra.reshape(len(algebra), -1)
        np.testing.assert_allclose(flat @ flat.T, np.eye(len(algebra)), atol=1e-12)


def test_covariant_stabilizer_is_the_transpose():
    rng = np.random.default_rng(1)
    root = rng.standard_normal((3, 3))
    metric = root @ root.T
    contravariant = stabilizer_algebra(metric)
    covariant = stabilizer_algebra(metric, covariant=True)
    assert_same_algebra(covariant, contravariant.transpose(0, 2, 1))
    for A in covariant:
        np.testing.assert_allclose(A.T @ metric + metric @ A, 0, atol=1e-12)


def test_generic_tensor_has_a_trivial_stabilizer_and_zero_tensors_everything():
    rng = np.random.default_rng(2)
    G = stabilizer(rng.standard_normal((3, 3, 3)))
    assert G.lie_algebra.shape == (0, 3, 3)
    assert stabilizer_algebra(np.zeros((2, 2))).shape == (4, 2, 2)


def test_basis_is_canonical():
    """Only the subspace matters: scaling, order and repetition of tensors change nothing."""
    eta = minkowski_metric(1, 3)
    reference = stabilizer_algebra(eta)
    np.testing.assert_allclose(stabilizer_algebra(3.0 * eta), reference, atol=1e-14)
    pair = stabilizer_algebra(np.eye(3), eta[1:, 1:])
    np.testing.assert_allclose(stabilizer_algebra(eta[1:, 1:], np.eye(3)), pair, atol=1e-14)


def test_default_name_and_custom_name():
    assert repr(stabilizer(np.eye(2))) == "Stabilizer((2, 2))"
    assert repr(stabilizer(np.eye(2), name="SO(2)'")) == "SO(2)'"


@pytest.mark.parametrize(
    "tensors, error, match",
    [
        ((), ValueError, "at least one tensor"),
        ((np.zeros((3, 4)),), ValueError, r"tensors\[0\] must have shape \(d,\) \* k.*\(3, 4\)"),
        ((np.float64(1.0),), ValueError, r"got shape \(\)"),
        (
            (np.eye(3), np.zeros((4, 4, 4))),
            ValueError,
            r"tensors\[1\] has shape \(4, 4, 4\).*d = 3",
        ),
        ((np.full((2, 2), np.nan),), ValueError, "non-finite"),
        (([["a", "b"], ["c", "d"]],), TypeError, r"tensors\[0\] must be a real array"),
        ((np.eye(2), np.diag([1.0, 1j])), TypeError, r"tensors\[1\] .*complex array"),
        ((np.zeros((101, 101)),), ValueError, "d = 101"),
    ],
)
def test_tensor_errors(tensors, error, match):
    with pytest.raises(error, match=match):
        stabilizer(*tensors)


def test_tol_errors():
    with pytest.raises(ValueError, match=r"tol must be a finite real number in \(0, 1\) or None"):
        stabilizer_algebra(np.eye(2), tol=2)
    with pytest.raises(TypeError, match=r"tol must be .* or None; got bool True"):
        stabilizer_algebra(np.eye(2), tol=True)
