"""`layers.training.train` trains every front-end's EMLP through a plain parameter pytree.

One loop serves all front-ends because each one can hand it a pytree of arrays and a loss
that rebuilds the model from it: Flax NNX splits a module into ``(graphdef, state)`` and
the loss merges them; Equinox partitions a module into its arrays and the static rest
(``eqx.partition``/``eqx.combine``); `layers.core` trees are pytrees already. On a tiny
O(3)-invariant regression (``y = <a, b>`` for two vectors) each must lower the loss, stay
equivariant after training, and give bit-identical results for the same seed and
initial parameters.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import layers.equinox as E
import layers.flax as lf
from emlp_core import Scalar, V
from groups import O
from layers import assert_equivariant, core
from layers.training import train

G = O(3)
REP_IN, REP_OUT = (2 * V)(G), Scalar(G)
CH, EPOCHS, BATCH = 12, 10, 16


@pytest.fixture(scope="module")
def data():
    """64 pairs of vectors in R^3 and their inner products, float32."""
    x = np.random.default_rng(0).normal(size=(64, REP_IN.size())).astype(np.float32)
    y = np.sum(x[:, :3] * x[:, 3:], axis=-1, keepdims=True).astype(np.float32)
    return x, y


def _mse(apply, x, y) -> float:
    return float(jnp.mean((apply(x) - y) ** 2))


def _fit(loss_fn, params, data, seed=0):
    return train(loss_fn, params, data, optimizer=optax.adam(3e-2), epochs=EPOCHS,
                 batch_size=BATCH, seed=seed, progress=False)  # fmt: skip


def _assert_trained(before, after, apply, result):
    assert result.steps == EPOCHS * (64 // BATCH) and result.epochs_run == EPOCHS
    assert after < 0.5 * before, f"loss went from {before:.3g} to only {after:.3g}"
    assert_equivariant(apply, REP_IN, REP_OUT, n_samples=3, batch=8, rtol=1e-5)


def _assert_same_leaves(a, b):
    leaves_a, leaves_b = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for u, v in zip(leaves_a, leaves_b, strict=True):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


def test_flax_nnx_emlp_trains_as_graphdef_and_state(data):
    x, y = data
    model = lf.EMLP(REP_IN, REP_OUT, G, ch=CH, num_layers=1, rngs=nnx.Rngs(0))
    graphdef, state = nnx.split(model)

    def loss_fn(state, xb, yb):
        return jnp.mean((nnx.merge(graphdef, state)(xb) - yb) ** 2)

    before = _mse(model, x, y)
    result = _fit(loss_fn, state, data)
    assert isinstance(result.params, nnx.State)
    trained = nnx.merge(graphdef, result.params)
    _assert_trained(before, _mse(trained, x, y), trained, result)
    # the initial module is untouched (train is functional); the same run again is identical
    assert _mse(model, x, y) == before
    _assert_same_leaves(_fit(loss_fn, nnx.split(model)[1], data).params, result.params)


def test_equinox_emlp_trains_as_partitioned_arrays(data):
    x, y = data
    model = E.EMLP(REP_IN, REP_OUT, G, ch=CH, num_layers=1, key=jax.random.PRNGKey(0))
    arrays, static = eqx.partition(model, eqx.is_array)

    def loss_fn(arrays, xb, yb):
        return jnp.mean((eqx.combine(arrays, static)(xb) - yb) ** 2)

    before = _mse(model, x, y)
    result = _fit(loss_fn, arrays, data)
    trained = eqx.combine(result.params, static)
    assert isinstance(trained, E.EMLP)
    _assert_trained(before, _mse(trained, x, y), trained, result)
    _assert_same_leaves(_fit(loss_fn, arrays, data).params, result.params)
    other_seed = _fit(loss_fn, arrays, data, seed=1).params
    assert _mse(eqx.combine(other_seed, static), x, y) != _mse(trained, x, y)


def test_core_functional_tree_trains_and_matches_the_front_ends(data):
    x, y = data
    plan = core.emlp_plan(REP_IN, REP_OUT, G, ch=CH, num_layers=1)
    params = core.emlp_init(plan, core.model_key(jax.random.PRNGKey(0)))

    def loss_fn(params, xb, yb):
        return jnp.mean((core.emlp_apply(plan, params, xb) - yb) ** 2)

    def apply(p):
        return lambda xb: core.emlp_apply(plan, p, xb)

    before = _mse(apply(params), x, y)
    result = _fit(loss_fn, params, data)
    _assert_trained(before, _mse(apply(result.params), x, y), apply(result.params), result)
    _assert_same_leaves(_fit(loss_fn, params, data).params, result.params)
    # one user key gives one initial tree in every front-end, so one trained model
    module = E.EMLP(REP_IN, REP_OUT, G, ch=CH, num_layers=1, key=jax.random.PRNGKey(0))
    arrays, static = eqx.partition(module, eqx.is_array)
    eqx_loss = lambda a, xb, yb: jnp.mean((eqx.combine(a, static)(xb) - yb) ** 2)  # noqa: E731
    eqx_result = _fit(eqx_loss, arrays, data)
    trained = eqx.combine(eqx_result.params, static)
    np.testing.assert_allclose(trained(x), apply(result.params)(x), rtol=1e-5, atol=1e-6)


def test_front_ends_checkpoint_through_their_core_tree(data, tmp_path):
    """Train on ``params(module)`` (the core tree), checkpoint with the module's plan, resume,
    and put the result back into a fresh module of each front-end with its ``load``."""
    from layers.checkpoint import load
    from layers.training import Checkpointing

    x, y = data
    module = E.EMLP(REP_IN, REP_OUT, G, ch=CH, num_layers=1, key=jax.random.PRNGKey(0))

    def loss_fn(tree, xb, yb):  # E.load works on traced arrays
        return jnp.mean((E.load(module, tree)(xb) - yb) ** 2)

    checkpoint = Checkpointing(tmp_path / "eqx", module.plan, every=5)
    result = train(loss_fn, E.params(module), data, optimizer=optax.adam(3e-2), epochs=EPOCHS,
                   batch_size=BATCH, checkpoint=checkpoint, progress=False)  # fmt: skip
    again = train(loss_fn, E.params(module), data, optimizer=optax.adam(3e-2), epochs=EPOCHS,
                  batch_size=BATCH, checkpoint=checkpoint, resume=True, progress=False)  # fmt: skip
    assert again.resumed_from == EPOCHS and again.steps == result.steps
    saved = load(tmp_path / "eqx")
    _assert_same_leaves(saved.params, result.last_params)
    restored = E.load(E.EMLP(REP_IN, REP_OUT, G, ch=CH, num_layers=1, key=jax.random.PRNGKey(9)),
                      saved.params)  # fmt: skip
    np.testing.assert_array_equal(restored(x), E.load(module, result.last_params)(x))
    flax_module = lf.EMLP(REP_IN, REP_OUT, G, ch=CH, num_layers=1, rngs=nnx.Rngs(9))
    lf.load(flax_module, saved.params)
    np.testing.assert_allclose(flax_module(x), restored(x), rtol=1e-6, atol=1e-6)
