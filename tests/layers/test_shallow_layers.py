"""G-invariant shallow networks: the framework-free core and the Haiku module."""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from emlp_core.shallow import enumerate_invariant_shallow, paper_groups
from groups import element_table
from layers.haiku import num_params
from layers.shallow import shallow_apply, shallow_init, shallow_plan
from layers.shallow_haiku import InvariantShallow

GROUPS = paper_groups()


def model(architectures, channels=2):
    return hk.without_apply_rng(
        hk.transform(lambda x: InvariantShallow(architectures, channels=channels)(x))
    )


@pytest.mark.parametrize(  # float32 of every layer kind: the registry of test_layers.py
    "name, dtype", [("D4", "float64"), ("Q8", "float64"), ("C2xC2", "float32")]
)
def test_haiku_module_is_invariant(name, dtype):
    G = GROUPS[name]
    with jax.enable_x64(dtype == "float64"):
        f = model(G)
        x = jnp.asarray(np.random.default_rng(0).normal(size=(8, G.d)), dtype)
        params = f.init(jax.random.PRNGKey(0), x)
        # non-zero biases, so every term matters
        params = jax.tree_util.tree_map(lambda p: p + 0.3, params)
        apply = jax.jit(f.apply)  # one compiled program for every element
        y = apply(params, x)
        assert y.shape == (8, 1) and y.dtype == jnp.dtype(dtype)
        tol = 1e-10 if dtype == "float64" else 1e-4
        for g in element_table(G).matrices[np.random.default_rng(1).permutation(G.order())[:5]]:
            gx = x @ jnp.asarray(g.T, dtype)
            assert float(jnp.abs(apply(params, gx) - y).max()) <= tol * max(
                1, float(jnp.abs(y).max())
            )
        # not invariant under a generic orthogonal matrix (the test can fail)
        q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(G.d, G.d)))
        assert float(jnp.abs(apply(params, x @ jnp.asarray(q.T, dtype)) - y).max()) > 1e-3


def test_num_params_matches_the_tree_and_names_are_stable():
    G = GROUPS["D4"]
    archs = [a for a in enumerate_invariant_shallow(G) if a.accepted]
    f = model(archs, channels=3)
    params = f.init(jax.random.PRNGKey(0), jnp.ones((1, G.d)))
    module = shallow_plan(archs, 3)
    assert num_params(params) == module.num_params()
    expected = sum(3 * (a.basis.shape[1] + 1 + (a.type == 1)) for a in archs)
    assert module.num_params() == expected
    assert sorted(params) == sorted(f"invariant_shallow/{a.name}" for a in archs)
    for a in archs:
        scope = params[f"invariant_shallow/{a.name}"]
        names = {"weight_coefficients", "output_weight"} | ({"bias"} if a.type == 1 else set())
        assert set(scope) == names
        assert scope["weight_coefficients"].shape == (3, a.basis.shape[1])


def test_haiku_matches_the_functional_core():
    G = GROUPS["C2xC2"]
    plan = shallow_plan(G, channels=[1, 2, 1, 2, 1, 2, 1])
    x = jnp.asarray(np.random.default_rng(4).normal(size=(5, G.d)), jnp.float32)
    core = shallow_init(plan, jax.random.split(jax.random.PRNGKey(0))[1])
    f = model(G, channels=[1, 2, 1, 2, 1, 2, 1])
    params = f.init(jax.random.PRNGKey(0), x)
    for name, scope in core.items():
        for key, value in scope.items():
            assert np.allclose(params[f"invariant_shallow/{name}"][key], value)
    assert np.allclose(f.apply(params, x), shallow_apply(plan, core, x), atol=1e-6)


def test_training_reduces_the_loss():
    G = GROUPS["D4"]
    rng = np.random.default_rng(5)
    x = jnp.asarray(rng.normal(size=(64, G.d)), jnp.float32)
    y = jnp.abs(x).max(axis=1, keepdims=True) - 0.5 * jnp.sum(x, axis=1, keepdims=True) ** 2 / 4
    f = model(G, channels=4)
    params = f.init(jax.random.PRNGKey(1), x)
    optimiser = optax.adam(3e-2)
    state = optimiser.init(params)

    @jax.jit
    def loss(p):
        return jnp.mean((f.apply(p, x) - y) ** 2)

    @jax.jit
    def step(p, s):
        value, grads = jax.value_and_grad(loss)(p)
        updates, s = optimiser.update(grads, s)
        return optax.apply_updates(p, updates), s, value

    first = float(loss(params))
    for _ in range(60):
        params, state, _ = step(params, state)
    assert float(loss(params)) < 0.5 * first


def test_bad_inputs():
    G = GROUPS["D4"]
    rejected = next(a for a in enumerate_invariant_shallow(G) if not a.accepted)
    with pytest.raises(ValueError, match="was rejected"):
        shallow_plan(rejected)
    with pytest.raises(TypeError, match=r"architectures\[0\] must be a ShallowArchitecture"):
        shallow_plan(["type1_H0"])
    with pytest.raises(ValueError, match="non-empty sequence"):
        shallow_plan([])
    accepted = [a for a in enumerate_invariant_shallow(G) if a.accepted]
    with pytest.raises(ValueError, match="repeated architectures"):
        shallow_plan([accepted[0], accepted[0]])
    with pytest.raises(ValueError, match="channels has 1 entries for 2"):
        shallow_plan(accepted[:2], channels=[1])
    with pytest.raises(ValueError, match="channels"):
        shallow_plan(accepted[:2], channels=0)
    other = next(a for a in enumerate_invariant_shallow(GROUPS["Q8"]) if a.accepted)
    with pytest.raises(ValueError, match="one group per network"):
        shallow_plan([accepted[0], other])
    f = model(G)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 4\)"):
        f.init(jax.random.PRNGKey(0), jnp.ones((2, 3)))
