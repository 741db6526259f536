"""Benchmarks train through `layers.training.train`: same results as the loop they replaced."""

import functools

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax

from benchmarks.datasets import o5_synthetic
from benchmarks.training import _augmentation_sampler, data_standardization, fit
from layers import EMLP, MLP, Standardize
from layers.checkpoint import load
from layers.core import emlp_plan
from layers.training import Checkpointing


def _reference_fit(network, train, val, test, epochs, batch, seed, evaluations, augment):
    """The regression loop as written before `layers.training` existed, kept as a reference."""
    stats = data_standardization(train)
    model = hk.without_apply_rng(hk.transform(lambda x: Standardize(network(), stats)(x)))
    params = jax.jit(model.init)(jax.random.PRNGKey(seed), jnp.asarray(train.x[:1]))
    optimizer = optax.adam(3e-3)
    state = optimizer.init(params)
    grad = jax.jit(jax.grad(lambda p, x, y: jnp.mean((model.apply(p, x) - y) ** 2)))
    predict = jax.jit(model.apply)

    def mse(p, data):
        return float(np.mean((np.asarray(predict(p, data.x)) - data.y) ** 2))

    rng, augment_rng = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    sampler = _augmentation_sampler(train, seed, 1.0) if augment else None
    best = (np.inf, params)
    for epoch in range(epochs):
        order = rng.permutation(len(train))
        for k in range(len(train) // batch):
            idx = order[k * batch : (k + 1) * batch]
            x, y = train.x[idx], train.y[idx]
            if sampler is not None:
                x, y = sampler((x, y), augment_rng)
            updates, state = optimizer.update(grad(params, x, y), state, params)
            params = optax.apply_updates(params, updates)
        if (epoch + 1) % max(1, epochs // evaluations) == 0 or epoch + 1 == epochs:
            value = mse(params, val)
            best = (value, params) if value < best[0] else best
    return mse(best[1], test), best[0]


def test_fit_reproduces_the_loop_it_replaced():
    train, val, test = o5_synthetic(64, 0), o5_synthetic(64, 1), o5_synthetic(64, 2)
    network = functools.partial(MLP, train.rep_in, train.rep_out, train.group, ch=16,
                                num_layers=1)  # fmt: skip
    got = fit(network, train, val, test, epochs=6, batch_size=16, seed=3, evaluations=3,
              augment=True, progress=False)  # fmt: skip
    want = _reference_fit(network, train, val, test, 6, 16, 3, 3, augment=True)
    np.testing.assert_allclose([got.test_mse, got.best_val_mse], want, rtol=1e-6)


def test_fit_checkpoints_the_haiku_tree_with_its_model_and_resumes(tmp_path):
    train, val, test = o5_synthetic(40, 0), o5_synthetic(20, 1), o5_synthetic(20, 2)
    network = functools.partial(EMLP, train.rep_in, train.rep_out, train.group, ch=8,
                                num_layers=1)  # fmt: skip
    plan = emlp_plan(train.rep_in, train.rep_out, train.group, ch=8, num_layers=1)
    checkpoint = Checkpointing(tmp_path / "o5", plan, every=2)
    common = dict(epochs=4, batch_size=10, evaluations=4, progress=False)
    first = fit(network, train, val, test, checkpoint=checkpoint, **common)
    saved = load(tmp_path / "o5")
    assert saved.prefix.endswith("emlp/") and sorted(saved.params) == sorted(first.params)
    assert saved.extra["training"]["epoch"] == 4 and saved.step == 16
    best = jax.tree_util.tree_leaves(first.params)  # the loop's state: best params first
    for value, want in zip(saved.opt_state[: len(best)], best, strict=True):
        np.testing.assert_array_equal(value, np.asarray(want))
    again = fit(network, train, val, test, checkpoint=checkpoint, **common)  # nothing left
    assert again.test_mse == first.test_mse and again.history == first.history
