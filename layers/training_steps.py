"""The compiled steps of `layers.training.train`: one step per call, or many in a scan.

``loss_fn(params, *batch)`` is the caller's mean loss of a batch; with a key it is called
as ``loss_fn(params, *batch, key=fold_in(key, step))``, ``step`` counting every optimiser
step of the run (so a resumed or a scanned run draws the same keys). The key is an
argument of the compiled functions, and the functions are cached per ``(loss_fn,
optimizer, keyed)``: runs that pass the same loss and optimizer objects (seeds, sizes of
one benchmark) reuse the traced and compiled programs for equal shapes.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from groups.caching import cached
from layers.parallel import DataParallel

__all__ = ["step_function", "scan_function"]


def _update(loss_fn, optimizer, key, params, state, batch, step):
    def loss(p):
        if key is None:
            return loss_fn(p, *batch)
        return loss_fn(p, *batch, key=jax.random.fold_in(key, step))

    value, grads = jax.value_and_grad(loss)(params)
    updates, state = optimizer.update(grads, state, params)
    return optax.apply_updates(params, updates), state, value


@cached(maxsize=64)
def step_function(loss_fn, optimizer, keyed: bool, parallel: DataParallel | None):
    """``step(params, state, batch, step, key) -> (params, state, loss)``, jitted (sharded).

    ``key`` is a JAX key when ``keyed``, else None.
    """

    def step(params, state, batch, index, key):
        return _update(loss_fn, optimizer, key, params, state, batch, index)

    if parallel is None:
        return jax.jit(step)
    rep = parallel.replicated
    return jax.jit(
        step,
        in_shardings=(rep, rep, parallel.batch_sharding, rep, rep),
        out_shardings=(rep, rep, rep),
    )


@cached(maxsize=64)
def scan_function(loss_fn, optimizer, keyed: bool):
    """``run(params, state, data, indices (k, batch), first, key) -> (params, state, loss)``.

    The ``k`` steps run in one compiled ``lax.scan``; step ``i`` trains on the rows
    ``indices[i]`` of the device-resident ``data`` (gathered inside the program) and is the
    run's step ``first + i``; the loss is that of the last step. One compilation per
    distinct ``k`` and data shape.
    """

    @jax.jit
    def run(params, state, data, indices, first, key):
        def body(carry, inputs):
            index, step = inputs
            batch = tuple(a[index] for a in data)
            params, state, value = _update(loss_fn, optimizer, key, *carry, batch, step)
            return (params, state), value

        steps = first + jnp.arange(indices.shape[0], dtype=jnp.int32)
        (params, state), values = jax.lax.scan(body, (params, state), (indices, steps))
        return params, state, values[-1]

    return run
