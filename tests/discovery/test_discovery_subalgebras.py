"""centralizer, annihilator, sparsify and to_group."""

import jax.numpy as jnp
import numpy as np
import pytest

from discovery import (
    annihilator,
    centralizer,
    discover_lie_algebra,
    identify,
    sparsify,
    to_group,
)
from groups import G2, SO, SU, Group, U


def rotated(algebra, seed=0):
    """The same span in a random orthonormal basis (every entry non-zero)."""
    k = len(algebra)
    q = np.linalg.qr(np.random.default_rng(seed).standard_normal((k, k)))[0]
    return np.einsum("ij,jab->iab", q, algebra)


def test_centralizer_of_a_rotation_is_its_axis(largest_angle):
    L_z = SO(3).lie_algebra[0]  # rotations in the (0, 1) plane
    residual = centralizer(SO(3), L_z)
    assert residual.shape == (1, 3, 3)
    assert largest_angle(residual, L_z[None]) < 1e-12


def test_centralizer_of_a_generic_element_is_a_cartan_subalgebra():
    element = np.tensordot(np.random.default_rng(0).standard_normal(8), SU(3).lie_algebra, 1)
    assert centralizer(SU(3), element).shape[0] == 2  # rank of su(3)


def test_centralizer_of_an_element_outside_the_algebra():
    # the complex structure commutes with all of u(3): nothing is broken
    J = np.block([[np.zeros((3, 3)), -np.eye(3)], [np.eye(3), np.zeros((3, 3))]])
    assert centralizer(U(3), J).shape[0] == 9


def test_annihilator_breaks_so4_to_so3():
    residual = annihilator(SO(4), [0.0, 0.0, 0.0, 2.0])
    assert residual.shape == (3, 4, 4)
    np.testing.assert_allclose(residual @ np.array([0.0, 0.0, 0.0, 1.0]), 0.0, atol=1e-12)
    assert identify(residual).label == "so(3)"


def test_common_annihilator_of_two_vectors():
    residual = annihilator(SO(5), np.eye(5)[3:])
    assert residual.shape == (3, 5, 5)  # so(3) on the first three coordinates


def test_annihilator_of_a_g2_vector_is_su3():
    residual = annihilator(G2(), np.eye(7)[0])
    report = identify(residual)
    assert report.dim == 8 and report.label == "su(3)"


def test_results_are_orthonormal():
    residual = centralizer(SU(5), np.diag(np.r_[np.arange(5.0), np.arange(5.0)]))
    flat = residual.reshape(len(residual), -1)
    np.testing.assert_allclose(flat @ flat.T, np.eye(len(residual)), atol=1e-12)


@pytest.mark.parametrize(
    "make, nonzeros",
    [
        (lambda: SO(10).lie_algebra, [2] * 45),  # E_ij - E_ji
        (lambda: U(3).lie_algebra, [4] * 6 + [2] * 3),  # realified u(3)
        (lambda: G2().lie_algebra, [4] * 14),
    ],
)
def test_sparsify_recovers_a_sparse_basis_of_the_same_span(make, nonzeros, largest_angle):
    algebra = make()
    dense = rotated(algebra)
    # really dense: each element has as many non-zero entries as the whole span allows
    support = np.count_nonzero(np.abs(algebra).sum(0))
    assert all(np.count_nonzero(A) == support for A in dense)
    sparse = sparsify(dense)
    assert sorted(int(np.count_nonzero(A)) for A in sparse) == sorted(nonzeros)
    assert largest_angle(sparse, algebra) < 1e-10
    assert np.all(np.abs(sparse).max(axis=(1, 2)) == 1.0)


def test_sparsify_a_discovered_algebra():
    result = discover_lie_algebra(lambda x: jnp.sum(x**2), 4)
    sparse = sparsify(result)
    assert [int(np.count_nonzero(A)) for A in sparse] == [2] * 6
    np.testing.assert_allclose(sparse, -sparse.transpose(0, 2, 1), atol=1e-12)


def test_to_group_from_a_discovery_result():
    result = discover_lie_algebra(lambda x: jnp.sum(x**2), 3)
    G = to_group(result, discrete_generators=[-np.eye(3)], name="O(3) found")
    assert isinstance(G, Group) and repr(G) == "O(3) found"
    np.testing.assert_allclose(G.lie_algebra, result.algebra, atol=1e-14)
    assert np.all(np.diagonal(G.lie_algebra, axis1=1, axis2=2) == 0.0)  # residue removed
    assert G.discrete_generators.shape == (1, 3, 3)
    g = G.samples(2, seed=1)
    np.testing.assert_allclose(
        g @ g.transpose(0, 2, 1), np.broadcast_to(np.eye(3), g.shape), atol=1e-10
    )
    assert repr(to_group(result.algebra)) == "Discovered(3, 3)"


def test_argument_errors():
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        centralizer(SO(3), np.eye(4))
    with pytest.raises(ValueError, match=r"\(4,\) or \(m, 4\)"):
        annihilator(SO(4), np.ones(3))
    with pytest.raises(ValueError, match="tol"):
        centralizer(SO(3), np.eye(3), tol=5.0)
    with pytest.raises(ValueError, match="zero_tol"):
        sparsify(SO(3), zero_tol=-1.0)
    with pytest.raises(TypeError, match="element"):
        centralizer(SO(3), "not a matrix")
    with pytest.raises(ValueError, match="non-finite"):
        annihilator(SO(3), [np.nan, 0.0, 0.0])
