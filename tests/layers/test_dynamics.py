"""Hamiltonian and neural-ODE wrappers: exact equivariance, energy conservation, errors."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import V
from groups import SO, Embed, O, Scaling, Trivial
from layers import assert_equivariant, equivariance_error
from layers.dynamics import check_standardization, check_symplectic, symplectic_gradient
from layers.haiku import EMLPH, MLPH, EMLPode, MLPode

ABOUT_Z = Embed(O(2), 3, [0, 1])  # the pendulum's symmetry
SHIFT = np.r_[0, 0, -3.0, 0, 0, -4.5, 0, 0, 0.1, 0, 0, 0.0]  # along z: invariant
SCALE = np.repeat([0.6, 0.8, 0.5, 0.5], 3)  # one number per 3-vector


def _transform(cls, group=ABOUT_Z, rep=4 * V, **kwargs):
    """A jitted vector field of a small model (eager Haiku calls are slow)."""
    f = hk.without_apply_rng(
        hk.transform(lambda z: cls(rep, group, ch=12, num_layers=1, **kwargs)(z))
    )
    size = rep(group).size()
    params = jax.jit(f.init)(jax.random.PRNGKey(1), jnp.ones((2, size)))
    return jax.jit(lambda z: f.apply(params, z))


def _states(n=16, size=12, seed=0):
    return np.random.default_rng(seed).standard_normal((n, size)).astype(np.float32)


@pytest.mark.parametrize("cls", [EMLPH, EMLPode])
def test_emlp_dynamics_are_equivariant_and_mlp_ones_are_not(cls):
    field = _transform(cls, shift=SHIFT, scale=SCALE)
    rep = (4 * V)(ABOUT_Z)
    assert_equivariant(field, rep, rep, x=_states())
    baseline = _transform({EMLPH: MLPH, EMLPode: MLPode}[cls], shift=SHIFT, scale=SCALE)
    assert equivariance_error(baseline, rep, rep, x=_states()) > 1e-3


def test_emlph_is_equivariant_for_a_rotation_group_of_phase_space(float64):
    field = _transform(EMLPH, group=SO(3), rep=2 * V)  # one body: (q, p) in R^3 x R^3
    x = np.random.default_rng(2).standard_normal((8, 6))
    rep = (2 * V)(SO(3))
    assert_equivariant(field, rep, rep, x=x, rtol=1e-9)


def test_hamiltonian_field_is_j_grad_h_and_conserves_h():
    def both(z):
        module = EMLPH(4 * V, ABOUT_Z, ch=12, num_layers=1, shift=SHIFT, scale=SCALE)
        return module(z), module.hamiltonian(z)

    f = hk.without_apply_rng(hk.transform(both))
    z = jnp.asarray(_states(4))
    params = jax.jit(f.init)(jax.random.PRNGKey(0), z)
    field, _ = jax.jit(f.apply)(params, z)
    grad_h = jax.jit(jax.grad(lambda s: jnp.sum(f.apply(params, s)[1])))(z)
    np.testing.assert_allclose(field, symplectic_gradient(grad_h), rtol=1e-5, atol=1e-6)
    assert float(jnp.max(jnp.abs(field))) > 1e-3  # not trivially zero
    # dH/dt = grad H . J grad H = 0 along the learned flow
    np.testing.assert_allclose(jnp.sum(grad_h * field, axis=-1), 0.0, atol=1e-5)


def test_symplectic_gradient_swaps_and_negates():
    np.testing.assert_array_equal(
        symplectic_gradient(jnp.arange(6.0)), jnp.array([3.0, 4.0, 5.0, -0.0, -1.0, -2.0])
    )


def test_non_symplectic_action_is_refused():
    with pytest.raises(ValueError, match="symplectic"):
        check_symplectic(2 * V, Scaling(3))  # q and p both scaled: rho J rho^T = e^2t J
    check_symplectic(4 * V, ABOUT_Z)
    f = hk.transform(lambda z: EMLPH(2 * V, Scaling(3), ch=8)(z))
    with pytest.raises(ValueError, match="symplectic"):
        f.init(jax.random.PRNGKey(0), jnp.ones((1, 6)))


def test_standardization_must_preserve_equivariance():
    rep = (4 * V)(ABOUT_Z)
    shift, scale = check_standardization(rep, SHIFT, SCALE)
    assert shift.dtype == np.float32 and scale.shape == (12,)
    with pytest.raises(ValueError, match="invariant"):
        check_standardization(rep, np.r_[1.0, np.zeros(11)])  # along x: not invariant
    with pytest.raises(ValueError, match="constant on each copy"):
        check_standardization(rep, None, np.r_[1.0, 2.0, 1.0, np.ones(9)])
    with pytest.raises(ValueError, match="constant on each copy"):
        check_standardization(rep, None, -np.ones(12))
    with pytest.raises(ValueError, match="shape"):
        check_standardization(rep, np.zeros(5))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="even size"):
        hk.transform(lambda z: MLPH(V, Trivial(3))(z)).init(None, jnp.ones((1, 3)))
    with pytest.raises(TypeError, match="Group"):
        hk.transform(lambda z: EMLPode(V, "SO3")(z)).init(None, jnp.ones((1, 3)))
    field = _transform(MLPode)
    with pytest.raises(ValueError, match=r"\(batch, 12\)"):
        field(jnp.ones((2, 11)))


def test_mlp_variants_ignore_the_group_beyond_shapes():
    assert _transform(MLPH, group=Trivial(12), rep=V)(jnp.ones((3, 12))).shape == (3, 12)
