"""Run by `test_training_parallel` in a fresh process with four simulated CPU devices.

Usage: ``XLA_FLAGS=--xla_force_host_platform_device_count=4 JAX_PLATFORMS=cpu python
tests/layers/parallel_child.py``. Trains a small O(5) EMLP (`layers.core`, float32) with
`layers.training.train` on one device and data-parallel over four, and prints one JSON
line (the last line of stdout) with the loss trajectories, the final parameters' largest
relative difference, the batch sharding seen inside the compiled step and by
`layers.parallel.DataParallel.put_batch`, and the messages of the expected errors.

Everything runs under ``main()``: importing this file (pytest's ``--doctest-modules``
does) starts nothing, and its name does not match ``test_*.py``.
"""

import json
import sys

ROWS, DEVICES, STEPS = 64, 4, 20


def _sharding_facts(sharding, shape) -> dict:
    """What a sharding does to an array of ``shape``: JSON-able."""
    spec = getattr(sharding, "spec", None)
    return {
        "type": type(sharding).__name__,
        "spec": None if spec is None else [None if s is None else str(s) for s in spec],
        "devices": len(sharding.device_set),
        "shard_shape": list(sharding.shard_shape(tuple(shape))),
        "fully_replicated": bool(sharding.is_fully_replicated),
    }


def _error(fn) -> str | None:
    """The message of the ValueError ``fn()`` raises, or None if it raises none."""
    try:
        fn()
    except ValueError as error:
        return str(error)
    return None


def main() -> dict:
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    from emlp_core import Scalar, V
    from groups import O
    from layers import core
    from layers.parallel import DataParallel
    from layers.training import train

    plan = core.emlp_plan(2 * V, Scalar, O(5), ch=16, num_layers=1)
    params = core.emlp_init(plan, jax.random.PRNGKey(0), jnp.float32)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, 10)).astype(np.float32)
    y = (np.linalg.norm(x[:, :5], axis=1) - np.linalg.norm(x[:, 5:], axis=1))[:, None]
    y = y.astype(np.float32)

    seen = []  # the sharding of the x batch inside each compiled step, at trace time

    def loss_fn(p, xb, yb):
        jax.debug.inspect_array_sharding(xb, callback=lambda s: seen.append(s))
        return jnp.mean((core.emlp_apply(plan, p, xb) - yb) ** 2)

    def fit(devices, rows=ROWS, epochs=STEPS):
        return train(loss_fn, params, (x[:rows], y[:rows]), optimizer=optax.adam(3e-3),
                     epochs=epochs, batch_size=rows, evaluations=epochs, progress=False,
                     devices=devices)  # fmt: skip

    single = fit(None)
    single_seen = [_sharding_facts(s, (ROWS, 10)) for s in seen]
    seen.clear()
    parallel = fit(DEVICES)
    parallel_seen = [_sharding_facts(s, (ROWS, 10)) for s in seen]

    def relative(a, b):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-30))

    leaves = zip(jax.tree_util.tree_leaves(single.last_params),
                 jax.tree_util.tree_leaves(parallel.last_params), strict=True)  # fmt: skip
    first_leaf = jax.tree_util.tree_leaves(parallel.last_params)[0]

    placed = DataParallel(DEVICES).put_batch((x, y))
    shards = sorted(placed[0].addressable_shards, key=lambda s: s.index[0].start or 0)
    put = {
        "sharding": _sharding_facts(placed[0].sharding, x.shape),
        "shards": [
            {
                "device": shard.device.id,
                "rows": [shard.index[0].start or 0, shard.index[0].stop or ROWS],
                "shape": list(shard.data.shape),
                "matches": bool(np.array_equal(np.asarray(shard.data), x[shard.index])),
            }
            for shard in shards
        ],
    }
    return {
        "device_count": jax.device_count(),
        "backend": jax.default_backend(),
        "single_losses": [h["train_loss"] for h in single.history],
        "parallel_losses": [h["train_loss"] for h in parallel.history],
        "single_steps": single.steps,
        "parallel_steps": parallel.steps,
        "max_param_relative_difference": max(relative(a, b) for a, b in leaves),
        "param_sharding": _sharding_facts(first_leaf.sharding, first_leaf.shape),
        "step_sharding_single": single_seen,
        "step_sharding_parallel": parallel_seen,
        "put_batch": put,
        "uneven_batch_error": _error(lambda: fit(DEVICES, rows=ROWS - 2, epochs=1)),
        "too_many_devices_error": _error(lambda: fit(2 * DEVICES, epochs=1)),
    }


if __name__ == "__main__":
    facts = main()
    sys.stdout.flush()
    print(json.dumps(facts))
