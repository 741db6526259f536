"""Bad input raises a clear TypeError or ValueError; fast paths agree with slow ones."""

import jax.numpy as jnp
import numpy as np
import pytest

from discovery import RegressorConfig, discover_lie_algebra, identify, to_group
from discovery.structure import _commutator_gram, adjoint_matrices, commutant
from groups import SO, SU, structure_constants


def norm(x):
    return jnp.sum(x**2)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("not callable", 3), {}, TypeError, "callable"),
        ((norm, 0), {}, ValueError, "d must be an integer >= 1; got 0"),
        ((norm, 2.5), {}, TypeError, "d must be an integer"),
        ((norm, True), {}, TypeError, "d must be an integer"),
        ((norm, 3), {"method": "magic"}, ValueError, "method must be one of"),
        ((norm, 3), {"method": "sgd"}, TypeError, "n_generators"),
        ((norm, 3), {"method": "sgd", "n_generators": 0}, ValueError, "n_generators"),
        ((norm, 3), {"n_generators": 3}, ValueError, "method='sgd' only"),
        ((norm, 3), {"method": "sgd", "n_generators": 3, "tol": 1e-3}, ValueError, "tol"),
        ((norm, 3), {"n_samples": 0}, ValueError, "n_samples"),
        ((norm, 3), {"seed": 1.5}, TypeError, "seed"),
        ((norm, 3), {"samples": np.ones((5, 4))}, ValueError, "samples must have shape"),
        ((norm, 3), {"samples": np.ones((5, 2, 3))}, ValueError, "arity = 1"),
        ((norm, 3), {"commutes_with": np.eye(4)}, ValueError, "commutes_with"),
        ((norm, 3), {"gradient": "symbolic"}, ValueError, "gradient must be one of"),
        ((norm, 3), {"sgd": {"steps": 3}}, TypeError, "SGDConfig"),
        ((norm, 3), {"regressor": 3}, TypeError, "RegressorConfig"),
        ((norm, 3), {"strict": "yes"}, TypeError, "strict"),
        ((lambda x: x, 3), {}, ValueError, "must return a scalar"),
        ((lambda *xs: 0.0, 3), {}, ValueError, "arity"),
        (((np.ones((5, 3)),), 3), {}, TypeError, "pair"),
        (((np.ones((5, 3)), np.ones(4)), 3), {}, ValueError, "labels y"),
        (((np.ones((5, 2)), np.ones(5)), 3), {}, ValueError, "inputs X"),
        (((np.ones((5, 3)), np.ones(5)), 3), {"samples": np.ones((5, 3))}, ValueError, "samples"),
        (((np.ones((5, 3)), np.ones(5)), 3), {"gradient": "jax"}, ValueError, "gradient"),
        ((norm, 3), {"regressor": RegressorConfig()}, ValueError, "regressor= applies"),
        ((norm, 3), {"samples": np.ones((9, 3)), "n_samples": 9}, ValueError, "not both"),
        ((norm, 3), {"tol": 2.0}, ValueError, "tol must be"),
        ((norm, 3), {"closure_tol": 0.0}, ValueError, "closure_tol must be"),
    ],
)
def test_discover_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        discover_lie_algebra(*args, **kwargs)


def test_jax_gradient_mode_refuses_a_numpy_oracle():
    with pytest.raises(Exception, match="(?i)tracer|concret"):
        discover_lie_algebra(lambda x: float(np.sum(np.asarray(x) ** 2)), 3, gradient="jax")


def test_non_finite_gradients_are_reported():
    with pytest.raises(ValueError, match="not finite"):
        discover_lie_algebra(lambda x: jnp.sqrt(x[0]), 2)  # nan for x[0] < 0


def test_explicit_arity_overrides_the_signature():
    result = discover_lie_algebra(lambda *xs: sum(jnp.sum(x**2) for x in xs), 3, arity=2)
    assert result.dim == 3


@pytest.mark.parametrize(
    "value, error",
    [(np.zeros((3, 3)), ValueError), ("abc", TypeError), (np.full((1, 2, 2), np.inf), ValueError)],
)
def test_algebra_arguments_are_checked(value, error):
    with pytest.raises(error):
        identify(value)
    with pytest.raises(error):
        to_group(value)


def test_to_group_rejects_bad_zero_tol():
    with pytest.raises(ValueError, match="zero_tol"):
        to_group(SO(3), zero_tol=2.0)


def test_commutator_gram_matches_the_explicit_constraint():
    """The closed-form Gram matrix against the obvious (n^2, u) construction."""
    rng = np.random.default_rng(0)
    n, q = 5, 3
    elements = rng.standard_normal((q, n, n)) + 1j * rng.standard_normal((q, n, n))
    rows, cols = np.nonzero(rng.random((n, n)) < 0.6)
    columns = []
    for a, b in zip(rows, cols, strict=True):
        unit = np.zeros((n, n))
        unit[a, b] = 1.0
        columns.append(np.concatenate([(Y @ unit - unit @ Y).ravel() for Y in elements]))
    explicit = np.array(columns).T
    np.testing.assert_allclose(
        _commutator_gram(elements, rows, cols), explicit.conj().T @ explicit, atol=1e-12
    )


def test_fast_commutant_matches_the_dense_nullspace():
    """Reduced (eigenbasis) commutant against the dense SVD of all d^4 constraints."""
    for group in (SO(4), SU(3)):
        ads = adjoint_matrices(structure_constants(group)[0])
        k = ads.shape[1]
        eye = np.eye(k)
        dense = np.concatenate([np.kron(ad, eye) - np.kron(eye, ad.T) for ad in ads])
        _, singular, right = np.linalg.svd(dense)
        reference = right[np.sum(singular > 1e-10 * singular[0]) :]
        fast = commutant(ads, 1e-8).reshape(-1, k * k)
        assert fast.shape == reference.shape
        # the same subspace: projecting one onto the other loses nothing
        np.testing.assert_allclose(fast @ reference.T @ reference, fast, atol=1e-10)
