"""The one training loop: same steps as a plain loop, best parameters, resume, bad input."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from emlp_core import V
from groups import SO
from layers.checkpoint import load
from layers.core import emlp_apply, emlp_init, emlp_plan
from layers.training import Checkpointing, train


@pytest.fixture(scope="module")
def task():
    """An SO(3) EMLP learning y = |x| x on 40 rows (10 steps of 4 rows per epoch)."""
    plan = emlp_plan(V, V, SO(3), ch=8, num_layers=1)
    x = np.random.default_rng(0).normal(size=(42, 3)).astype(np.float32)
    y = x * np.linalg.norm(x, axis=1, keepdims=True)

    def loss(params, xb, yb):
        return jnp.mean((emlp_apply(plan, params, xb) - yb) ** 2)

    return plan, loss, emlp_init(plan, jax.random.PRNGKey(0)), (x, y)


def _plain_loop(loss, params, x, y, epochs, batch, seed, lr):
    """The obvious loop: a seeded permutation per epoch, one jitted Adam step per batch."""
    optimizer = optax.adam(lr)
    state = optimizer.init(params)
    rng = np.random.default_rng(seed)
    grad = jax.jit(jax.grad(loss))
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for k in range(len(x) // batch):
            idx = order[k * batch : (k + 1) * batch]
            updates, state = optimizer.update(grad(params, x[idx], y[idx]), state, params)
            params = optax.apply_updates(params, updates)
    return params


def _assert_trees_equal(a, b, rtol=0.0):
    for u, v in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b), strict=True):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=rtol, atol=0)


def test_train_takes_the_same_steps_as_a_plain_loop(task):
    plan, loss, params, (x, y) = task
    result = train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=3, batch_size=4,
                   seed=5, progress=False)  # fmt: skip
    expected = _plain_loop(loss, params, x, y, epochs=3, batch=4, seed=5, lr=1e-2)
    _assert_trees_equal(result.params, expected, rtol=1e-6)
    assert result.steps == 30 and result.epochs_run == 3 and result.best_val is None
    assert loss(result.params, x, y) < loss(params, x, y)
    json.dumps(result.history)  # JSON-able
    assert [h["epoch"] for h in result.history] == [1, 2, 3]


def test_best_validation_parameters_are_kept_and_patience_stops(task):
    plan, loss, params, (x, y) = task
    values = iter([3.0, 1.0, 2.0, float("nan"), 5.0, 0.5])
    seen = []

    def validate(p):
        seen.append(p)
        return next(values)

    result = train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=6, batch_size=8,
                   validate=validate, evaluations=6, patience=3, progress=False)  # fmt: skip
    assert result.epochs_run == 5  # 2.0, nan, 5.0: three evaluations without improvement
    assert result.best_val == 1.0 and result.best_epoch == 2
    _assert_trees_equal(result.params, seen[1])
    _assert_trees_equal(result.last_params, seen[-1])
    assert [h["val"] for h in result.history][:3] == [3.0, 1.0, 2.0]


def test_a_transform_sees_every_batch_with_its_own_generator(task):
    plan, loss, params, (x, y) = task
    sizes = []

    def flip(batch, rng):
        sizes.append(len(batch[0]))
        sign = rng.choice([-1.0, 1.0], size=(len(batch[0]), 1)).astype(np.float32)
        return batch[0] * sign, batch[1] * sign  # y(-x) = -y(x): an exact symmetry

    result = train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=2, batch_size=10,
                   transform_batch=flip, progress=False)  # fmt: skip
    assert sizes == [10] * 8 and result.steps == 8


def test_an_interrupted_and_resumed_run_ends_where_a_straight_run_does(task, tmp_path):
    plan, loss, params, (x, y) = task
    kwargs = dict(optimizer=optax.adam(1e-2), epochs=6, batch_size=8, seed=2, progress=False,
                  evaluations=3, validate=lambda p: float(loss(p, x[:8], y[:8])))  # fmt: skip
    straight = train(loss, params, (x, y), **kwargs)
    checkpoint = Checkpointing(tmp_path / "run", plan, every=2)
    calls = {"n": 0}

    def crash_in_epoch_4(batch, rng):
        calls["n"] += 1
        if calls["n"] > 3 * 5:  # 5 steps per epoch
            raise KeyboardInterrupt
        return batch

    with pytest.raises(KeyboardInterrupt):
        train(loss, params, (x, y), checkpoint=checkpoint, transform_batch=crash_in_epoch_4,
              **kwargs)  # fmt: skip
    saved = load(tmp_path / "run")
    assert saved.step == 10 and saved.extra["training"]["epoch"] == 2
    resumed = train(loss, params, (x, y), checkpoint=checkpoint, resume=True, **kwargs)
    assert resumed.resumed_from == 2 and resumed.steps == straight.steps == 30
    _assert_trees_equal(resumed.last_params, straight.last_params)
    _assert_trees_equal(resumed.params, straight.params)
    assert resumed.history == straight.history
    assert load(tmp_path / "run").extra["training"]["epoch"] == 6


def test_resuming_with_other_settings_is_refused(task, tmp_path):
    plan, loss, params, (x, y) = task
    checkpoint = Checkpointing(tmp_path / "run", plan)
    train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=1, batch_size=8,
          checkpoint=checkpoint, progress=False)  # fmt: skip
    with pytest.raises(ValueError, match="settings"):
        train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=1, batch_size=4,
              checkpoint=checkpoint, resume=True, progress=False)  # fmt: skip


def test_bad_input_is_refused_before_training(task):
    plan, loss, params, (x, y) = task

    def run(data=(x, y), **kw):
        settings = {"optimizer": optax.adam(1e-2), "epochs": 1, "batch_size": 4}
        return train(loss, params, data, progress=False, **(settings | kw))

    with pytest.raises(ValueError, match="epochs"):
        run(epochs=0)
    with pytest.raises(TypeError, match="batch_size"):
        run(batch_size=4.0)
    with pytest.raises(TypeError, match="batch_size"):
        run(batch_size=True)
    with pytest.raises(ValueError, match="rows"):
        run(data=(x, y[:-1]))
    with pytest.raises(TypeError, match="arrays"):
        run(data=())
    with pytest.raises(ValueError, match="resume"):
        run(resume=True)
    with pytest.raises(ValueError, match="XLA_FLAGS"):
        run(devices=len(jax.devices()) + 1)
    with pytest.raises(ValueError, match="every"):
        Checkpointing("somewhere", plan, every=0)


def test_max_steps_stops_within_an_epoch_and_matches_the_plain_loop(task):
    plan, loss, params, (x, y) = task
    result = train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=5, batch_size=8,
                   max_steps=12, seed=1, progress=False)  # fmt: skip
    assert result.steps == 12 and result.epochs_run == 3
    assert result.history[-1] == {**result.history[-1], "epoch": 3, "step": 12}
    two_epochs = _plain_loop(loss, params, x, y, epochs=2, batch=8, seed=1, lr=1e-2)
    longer = train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=2, batch_size=8,
                   seed=1, progress=False)  # fmt: skip
    _assert_trees_equal(longer.params, two_epochs, rtol=1e-6)
    assert not np.allclose(np.asarray(jax.tree_util.tree_leaves(result.params)[0]),
                           np.asarray(jax.tree_util.tree_leaves(longer.params)[0]))  # fmt: skip


def _flip_loss(plan):
    """A loss with on-device randomness: inputs jittered by noise drawn from the step key."""

    def loss(params, xb, yb, key):
        noise = 0.1 * jax.random.normal(key, xb.shape, xb.dtype)
        return jnp.mean((emlp_apply(plan, params, xb + noise) - yb) ** 2)

    return loss


def test_compiled_runs_the_same_steps_in_scans(task, tmp_path):
    plan, loss, params, (x, y) = task
    keyed = _flip_loss(plan)
    common = dict(optimizer=optax.adam(1e-2), epochs=7, batch_size=8, seed=4, progress=False,
                  evaluations=3, validate=lambda p: float(loss(p, x, y)), max_steps=33,
                  key=jax.random.PRNGKey(5))  # fmt: skip
    plain = train(keyed, params, (x, y), **common)
    scanned = train(keyed, params, (x, y), compiled=True, **common)
    assert scanned.steps == plain.steps == 33 and scanned.epochs_run == plain.epochs_run == 7
    _assert_trees_equal(scanned.last_params, plain.last_params, rtol=1e-5)
    np.testing.assert_allclose([h["val"] for h in scanned.history],
                               [h["val"] for h in plain.history], rtol=1e-5)  # fmt: skip
    other_key = train(
        keyed, params, (x, y), compiled=True, **{**common, "key": jax.random.PRNGKey(6)}
    )
    assert not np.allclose(other_key.history[-1]["val"], scanned.history[-1]["val"])
    # interrupted after the first scan (the validation raises), then resumed
    checkpoint = Checkpointing(tmp_path / "scan", plan, every=2)
    calls = {"n": 0}

    def fragile(p):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return float(loss(p, x, y))

    with pytest.raises(KeyboardInterrupt):
        train(keyed, params, (x, y), compiled=True, checkpoint=checkpoint,
              **{**common, "validate": fragile})  # fmt: skip
    resumed = train(keyed, params, (x, y), compiled=True, checkpoint=checkpoint, resume=True,
                    **common)  # fmt: skip
    assert resumed.resumed_from == 2
    _assert_trees_equal(resumed.last_params, scanned.last_params)
    with pytest.raises(ValueError, match="transform_batch"):
        train(loss, params, (x, y), compiled=True, transform_batch=lambda b, r: b,
              **{k: v for k, v in common.items() if k != "key"})  # fmt: skip


def test_a_seed_tuple_is_a_stream_of_its_own(task):
    plan, loss, params, (x, y) = task
    seen = []

    def record(batch, rng):
        seen.append(batch[0])
        return batch

    train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=1, batch_size=42,
          seed=(3, 2), transform_batch=record, progress=False)  # fmt: skip
    np.testing.assert_array_equal(seen[0], x[np.random.default_rng([3, 2]).permutation(42)])
    with pytest.raises(ValueError, match="seed"):
        train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=1, batch_size=8,
              seed=(), progress=False)  # fmt: skip


def test_runs_with_the_same_loss_and_optimizer_reuse_the_compiled_program(task):
    plan, loss, params, (x, y) = task
    traces = []

    def counted(p, xb, yb):
        traces.append(1)  # runs when traced, not when the compiled program runs
        return loss(p, xb, yb)

    optimizer = optax.adam(1e-2)
    for seed in (0, 1, 2):
        train(counted, params, (x, y), optimizer=optimizer, epochs=2, batch_size=8, seed=seed,
              compiled=True, evaluations=1, progress=False)  # fmt: skip
    assert len(traces) == 1
    train(counted, params, (x, y), optimizer=optax.adam(1e-2), epochs=2, batch_size=8,
          compiled=True, evaluations=1, progress=False)  # fmt: skip
    assert len(traces) == 2  # another optimizer object: another program


def test_callbacks_fixed_order_and_an_evaluation_period(task):
    plan, loss, params, (x, y) = task
    seen = []

    def stop_at_step_6(p, record):
        seen.append(record["step"])
        return record["step"] >= 6

    settings = dict(optimizer=optax.adam(1e-2), batch_size=42, shuffle=False, progress=False)
    result = train(loss, params, (x, y), epochs=10, eval_every=3, callback=stop_at_step_6,
                   **settings)  # fmt: skip
    assert seen == [3, 6] and result.epochs_run == 6 and result.first_call_seconds > 0
    in_order = _plain_loop(loss, params, x, y, epochs=1, batch=42, seed=0, lr=1e-2)
    once = train(loss, params, (x, y), epochs=1, **settings)
    # the plain loop permutes; with one full batch only the order of the sum differs
    _assert_trees_equal(once.params, in_order, rtol=1e-5)
    with pytest.raises(ValueError, match="eval_every"):
        train(loss, params, (x, y), optimizer=optax.adam(1e-2), epochs=1, batch_size=8,
              eval_every=0, progress=False)  # fmt: skip
