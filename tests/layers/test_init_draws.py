"""One random program per model: the same parameters as drawing layer by layer."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import Scalar, V
from groups import Lorentz, O
from layers import functional as F
from layers.core import emlp_init, emlp_plan, model_key
from layers.haiku import EMLP


def _layer_by_layer(plan, key, dtype):
    """The rule written out: per block, split(fold_in(key, k)) feeds linear and bilinear."""
    tree = {}
    for k, block in enumerate(plan.blocks):
        linear_key, bilinear_key = jax.random.split(jax.random.fold_in(key, k))
        tree[f"block_{k}/linear"] = F.init_params(block.linear, linear_key, dtype, block.gain)
        tree[f"block_{k}/bilinear"] = F.init_params(block.bilinear, bilinear_key, dtype)
    head_key = jax.random.fold_in(key, len(plan.blocks))
    tree["linear"] = F.init_params(plan.head, head_key, dtype, plan.head_gain)
    return tree


def _assert_identical(a, b, ulps: int = 0):
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b), strict=True):
        assert x.dtype == y.dtype
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        np.testing.assert_allclose(x, y, rtol=ulps * float(jnp.finfo(_leaf_dtype(a)).eps), atol=0)


def _leaf_dtype(tree):
    return jax.tree_util.tree_leaves(tree)[0].dtype


@pytest.mark.parametrize("partitionable", [True, False])
def test_model_init_equals_layer_by_layer_draws_eager_and_traced(partitionable):
    plan = emlp_plan(4 * V, Scalar, Lorentz(), ch=16, num_layers=1)
    key = jax.random.PRNGKey(7)
    previous = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", partitionable)
    try:
        for dtype in (jnp.float32, jnp.float16):
            _assert_identical(emlp_init(plan, key, dtype), _layer_by_layer(plan, key, dtype))
            # Traced, XLA fuses each draw with its scaling as it sees fit, which may move
            # the last bit (jit against eager differed so before this change too).
            traced = jax.jit(lambda k, d=dtype: emlp_init(plan, k, d))(key)
            _assert_identical(traced, _layer_by_layer(plan, key, dtype), ulps=2)
    finally:
        jax.config.update("jax_threefry_partitionable", previous)


def test_float64_draws_match_and_other_dtypes_are_refused(float64):
    plan = emlp_plan(2 * V, V, O(3), ch=8, num_layers=1)
    key = jax.random.PRNGKey(1)
    _assert_identical(emlp_init(plan, key, jnp.float64), _layer_by_layer(plan, key, jnp.float64))
    with pytest.raises(TypeError, match="floating"):
        emlp_init(plan, key, jnp.int32)


def test_haiku_init_draws_the_core_tree_without_running_the_network():
    model = hk.without_apply_rng(hk.transform(lambda x: EMLP(2 * V, V, O(3), ch=8)(x)))
    plan = emlp_plan(2 * V, V, O(3), ch=8)
    x = jnp.ones((5, 6))
    params = model.init(jax.random.PRNGKey(3), x)
    core_tree = emlp_init(plan, model_key(jax.random.PRNGKey(3)))
    _assert_identical({k.removeprefix("emlp/"): v for k, v in params.items()}, core_tree)
    output = hk.transform(lambda x: EMLP(2 * V, V, O(3), ch=8)(x)).init  # init's output
    assert model.apply(params, x).shape == (5, 3) and output is not None
    with pytest.raises(ValueError):
        model.init(jax.random.PRNGKey(3), jnp.ones((5, 7)))  # wrong size: still checked
