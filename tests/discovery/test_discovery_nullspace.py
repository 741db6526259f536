"""The "nullspace" method against algebras known in closed form."""

import jax.numpy as jnp
import numpy as np
import pytest

from discovery import DiscoveryError, RegressorConfig, discover_lie_algebra
from groups import G2, SO, Opq, U, complex_structure, minkowski_metric
from groups.octonions import g2_three_form


def norm(x):
    return jnp.sum(x**2)


def assert_orthonormal(algebra):
    flat = algebra.reshape(len(algebra), -1)
    np.testing.assert_allclose(flat @ flat.T, np.eye(len(algebra)), atol=1e-12)


def test_norm_in_ten_dimensions_gives_so10(largest_angle):
    result = discover_lie_algebra(norm, 10)
    assert result.success and result.method == "nullspace" and result.gradient == "jax"
    assert result.algebra.shape == (45, 10, 10)
    assert result.n_equations >= 2 * 10**2
    assert_orthonormal(result.algebra)
    assert largest_angle(result.algebra, SO(10).lie_algebra) < 1e-8
    assert result.closure_error < 1e-12
    # the gap: 45 zero singular values, then a clear jump
    assert result.spectrum[44] < 1e-7 < 1e-2 < result.spectrum[45]


def test_minkowski_form_gives_six_generators_preserving_eta(largest_angle):
    eta = minkowski_metric(1, 3)
    result = discover_lie_algebra(lambda x: x @ jnp.asarray(eta) @ x, 4)
    assert result.algebra.shape == (6, 4, 4)
    for A in result.algebra:
        np.testing.assert_allclose(A.T @ eta + eta @ A, 0.0, atol=1e-12)
    assert largest_angle(result.algebra, Opq(1, 3).lie_algebra) < 1e-8


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_complex_norm_with_complex_linearity_gives_u_n(n, largest_angle):
    J = complex_structure(n)
    result = discover_lie_algebra(norm, 2 * n, commutes_with=J)
    assert result.success
    assert result.algebra.shape == (n * n, 2 * n, 2 * n)
    np.testing.assert_allclose(result.algebra @ J - J @ result.algebra, 0.0, atol=1e-12)
    assert largest_angle(result.algebra, U(n).lie_algebra) < 1e-8


def test_without_the_complex_structure_the_realified_norm_has_o_2n():
    assert discover_lie_algebra(norm, 6).dim == 15  # o(6), not u(3)


def test_octonion_three_form_on_three_vectors_gives_g2(largest_angle):
    phi = g2_three_form()

    def three_form(x, y, z):
        return jnp.einsum("ijk,i,j,k->", phi, x, y, z)

    result = discover_lie_algebra(three_form, 7)
    assert result.algebra.shape == (14, 7, 7)
    assert largest_angle(result.algebra, G2().lie_algebra) < 1e-8
    # every generator annihilates phi acting on all three slots
    for A in result.algebra:
        moved = (
            np.einsum("ajk,ai->ijk", phi, A)
            + np.einsum("iak,aj->ijk", phi, A)
            + np.einsum("ija,ak->ijk", phi, A)
        )
        np.testing.assert_allclose(moved, 0.0, atol=1e-12)


def test_a_generic_function_has_no_linear_symmetry():
    W = np.random.default_rng(3).standard_normal((6, 3))
    result = discover_lie_algebra(lambda x: jnp.sum(jnp.sin(W @ x)), 3)
    assert result.success and result.dim == 0


def test_a_partial_symmetry_is_found_exactly(largest_angle):
    # rotations about the z axis only: x^2 + y^2 + z
    result = discover_lie_algebra(lambda x: x[0] ** 2 + x[1] ** 2 + x[2], 3)
    assert result.dim == 1
    assert largest_angle(result.algebra, SO(3).lie_algebra[:1]) < 1e-8


def test_black_box_numpy_oracle_uses_finite_differences(largest_angle):
    def black_box(x):
        return float(np.sum(np.asarray(x) ** 2))  # not traceable by jax

    result = discover_lie_algebra(black_box, 4)
    assert result.gradient == "finite_difference" and result.success
    assert largest_angle(result.algebra, SO(4).lie_algebra) < 1e-6


def test_dataset_form_learns_a_regressor_first(largest_angle):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = np.sum(X**2, axis=1) + 0.01 * rng.standard_normal(400)
    result = discover_lie_algebra((X, y), 3, regressor=RegressorConfig(steps=1500))
    assert result.gradient == "regressor" and result.success
    assert result.regressor_error < 1e-2
    assert result.dim == 3
    assert largest_angle(result.algebra, SO(3).lie_algebra) < 0.1


def test_results_are_deterministic_under_a_seed():
    a = discover_lie_algebra(norm, 4, seed=5).algebra
    b = discover_lie_algebra(norm, 4, seed=5).algebra
    np.testing.assert_array_equal(a, b)


def test_explicit_samples_are_used():
    points = np.random.default_rng(1).standard_normal((40, 3)) + 5.0  # away from 0
    result = discover_lie_algebra(lambda x: jnp.log(jnp.sum(x**2)), 3, samples=points)
    assert result.dim == 3 and result.n_equations == 40


def test_too_few_samples_are_reported_as_failure():
    with pytest.warns(RuntimeWarning, match="underdetermined"):
        result = discover_lie_algebra(norm, 4, n_samples=5)
    assert not result.success
    with pytest.raises(DiscoveryError, match="underdetermined"):
        discover_lie_algebra(norm, 4, n_samples=5, strict=True)
