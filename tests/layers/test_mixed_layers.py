"""Layers on representations of direct products (mixed groups), checked with sampled elements."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import Scalar, ScalarRep, V
from groups import O13, SO, O, S, Z
from layers import EMLP, Linear, assert_equivariant, uniform_rep


def _cases():
    mixed = 2 * V(Z(3)) * V(S(4)) + V(O(3)) ** 2
    lorentz_in = V(S(5)) * V(O13())
    return {
        "points+vector->scalar": (V(S(4)) * V(SO(3)) + V(SO(3)), Scalar, S(4) * SO(3), 1.0),
        "Z3xS4xO3->same": (mixed, mixed, mixed.group, 1.0),
        "S5xO13->V(O13)": (lorentz_in, V(O13()), lorentz_in.group, 0.3),
    }


def _inputs(size, dtype, batch=4, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, size)).astype(dtype)


def _check_emlp(rep_in, rep_out, G, dtype, scale=1.0, ch=64):
    """Builds, initialises and applies an EMLP in ``dtype``; returns the measured error."""
    with jax.enable_x64(dtype == np.float64):
        model = hk.without_apply_rng(
            hk.transform(lambda x: EMLP(rep_in, rep_out, G, ch=ch, num_layers=2)(x))
        )
        x = _inputs(rep_in(G).size(), dtype)
        params = model.init(jax.random.PRNGKey(0), x)
        assert all(leaf.dtype == dtype for leaf in jax.tree_util.tree_leaves(params))
        apply = jax.jit(model.apply)
        y = apply(params, x)
        assert y.dtype == dtype and y.shape == (4, rep_out(G).size())
        assert float(jnp.std(y)) > 1e-3  # not trivially zero
        return assert_equivariant(
            lambda z: apply(params, z), rep_in(G), rep_out(G), G, x=x, sample_scale=scale
        )


@pytest.mark.parametrize("name", list(_cases()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_emlp_on_mixed_reps_is_equivariant(name, dtype):
    rep_in, rep_out, G, scale = _cases()[name]
    error = _check_emlp(rep_in, rep_out, G, dtype, scale)
    assert error < (1e-5 if dtype == np.float32 else 1e-10)


def test_emlp_bound_to_the_product_in_another_factor_order():
    rep_in = V(S(4)) * V(SO(3)) + V(SO(3))
    G = SO(3) * S(4)
    assert rep_in.group != G and rep_in(G).group == G
    assert _check_emlp(rep_in, Scalar, G, np.float64) < 1e-10


def test_the_equivariance_check_can_fail_on_mixed_reps():
    """A plain MLP is not equivariant for S(4)×SO(3): the check must say so."""
    rep_in, G = V(S(4)) * V(SO(3)) + V(SO(3)), S(4) * SO(3)
    model = hk.without_apply_rng(
        hk.transform(lambda x: hk.nets.MLP([32, rep_in.size()], activation=jnp.tanh)(x))
    )
    x = _inputs(rep_in.size(), np.float32)
    params = model.init(jax.random.PRNGKey(0), x)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(lambda z: model.apply(params, z), rep_in, rep_in, G, x=x)


@pytest.mark.parametrize("ch", [16, 64, 100, 128, 301])
def test_uniform_rep_of_a_product_has_mixed_types_and_size_ch(ch):
    G = S(4) * SO(3)
    rep = uniform_rep(ch, G)
    assert rep.size() == ch and rep.group == G
    scalar = [isinstance(part, ScalarRep) for part in rep.reps]
    assert scalar[0] and scalar == sorted(scalar, reverse=True)  # scalars, then the rest
    if ch >= 100:
        assert V(S(4)) * V(SO(3)) in rep.reps
        assert "V[S(4)]*V[SO(3)]" in repr(rep)
    assert {V(S(4))(G), V(SO(3))(G)} <= set(rep.reps)


def test_uniform_rep_is_a_representation_of_the_product():
    G = S(4) * SO(3)
    rep = uniform_rep(128, G)
    g, h = G.random_elements(2, seed=5)
    np.testing.assert_allclose(rep.rho(g @ h), rep.rho(g) @ rep.rho(h), atol=1e-10)
    R = rep.rho(g)
    np.testing.assert_allclose(R.T @ R, np.eye(128), atol=1e-10)  # both factors orthogonal


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_on_mixed_reps_is_equivariant(dtype):
    G = S(4) * SO(3)
    rep_in = (V(S(4)) * V(SO(3)) + V(SO(3)) + Scalar)(G)
    rep_out = (2 * Scalar + V(S(4)) + V(S(4)) * V(SO(3)) ** 2 + V(SO(3)))(G)
    with jax.enable_x64(dtype == np.float64):
        model = hk.without_apply_rng(hk.transform(lambda x: Linear(rep_in, rep_out)(x)))
        x = _inputs(rep_in.size(), dtype)
        params = model.init(jax.random.PRNGKey(1), x)
        apply = jax.jit(model.apply)
        y = np.asarray(apply(params, x))
        assert y.shape == (4, rep_out.size()) and np.std(y) > 1e-3
        error = assert_equivariant(lambda z: apply(params, z), rep_in, rep_out, G, x=x)
    assert error < (1e-5 if dtype == np.float32 else 1e-10)


def test_linear_between_different_factors_keeps_only_their_invariants():
    """V[S(4)] -> V[SO(3)] + Scalar: nothing reaches V[SO(3)]; the scalar sees sum(x) only."""
    G = S(4) * SO(3)
    rep_in, rep_out = V(S(4))(G), (V(SO(3)) + Scalar)(G)
    model = hk.without_apply_rng(hk.transform(lambda x: Linear(rep_in, rep_out)(x)))
    x = _inputs(4, np.float32)
    params = model.init(jax.random.PRNGKey(0), x)
    y = np.asarray(model.apply(params, x))
    assert np.all(y[:, :3] == 0.0)  # no map V[S(4)] -> V[SO(3)], no bias for V[SO(3)]
    shifted = np.asarray(model.apply(params, x + np.float32([1, -1, 2, -2])))  # same sums
    np.testing.assert_allclose(shifted, y, atol=1e-5)
    assert np.std(y[:, 3]) > 1e-3


def test_bilinear_mixes_large_types_without_the_kron_expansion(monkeypatch):
    """V_a ⊗ V_b of two regular reps (121 > _KRON_MIX_MAX coordinates) is mixed by a direct
    contraction; it equals the kron(weights.T, I_s) matmul used for small types."""
    from layers import functional as F
    from layers.bases import bilinear_basis

    p = 11
    P = Z(p) * Z(p)
    a, b = V.lift(P, 0), V.lift(P, 1)
    hidden = (2 * a + 2 * b + 2 * (a * b))(P)
    basis = bilinear_basis(hidden, hidden)
    params = F.init_params(basis, jax.random.PRNGKey(1), jnp.float32)
    x = jnp.asarray(_inputs(hidden.size(), np.float32, batch=3))
    assert hidden.size() > 2 * F._KRON_MIX_MAX
    direct = np.asarray(F.bilinear(basis, params, x))
    monkeypatch.setattr(F, "_KRON_MIX_MAX", 10**6)
    expanded = np.asarray(F.bilinear(basis, params, x))
    np.testing.assert_allclose(direct, expanded, rtol=1e-5, atol=1e-6)
    assert float(np.abs(direct[:, 4 * p :]).max()) > 1e-3  # the product type is populated
