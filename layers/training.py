"""One training loop for every model and front-end: optax, seeded batches, best-validation params.

`train` takes a loss ``loss_fn(params, *batch) -> scalar`` (regression, classification,
ODE rollouts: the caller's), a parameter pytree (Haiku's, a `layers.core` tree, an
Equinox or Flax NNX state) and training arrays that share their first axis. Each epoch
draws a permutation from ``numpy.random.default_rng(seed)`` and cuts it into
``len(data) // batch_size`` batches of one fixed size (the remainder of the permutation is
left for that epoch, so nothing recompiles). The validation function is called on an even
schedule; the parameters with the lowest finite validation value are kept, with optional
early stopping after ``patience`` evaluations without improvement.

``devices=n`` trains data-parallel over ``n`` devices (`layers.parallel.DataParallel`):
batches sharded over the mesh, parameters and optimiser state replicated.
``checkpoint=Checkpointing(path, spec, every)`` saves the whole loop state (parameters,
optimiser state, best parameters, both random generators, history) through
`layers.checkpoint.save`; ``resume=True`` continues from it, and the resumed run ends with
the same parameters as an uninterrupted one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm.auto import tqdm

from groups.checks import check_int
from layers import training_state as loop_state
from layers.parallel import DataParallel
from layers.training_state import Checkpointing, LoopState
from layers.training_steps import scan_function, step_function

__all__ = ["Checkpointing", "TrainResult", "train"]


@dataclass
class TrainResult:
    """What `train` produced.

    Attributes:
        params: the best-validation parameters (the last ones when no ``validate``).
        last_params: the parameters after the last step.
        opt_state: the optimiser state after the last step.
        history: one JSON-able dict per evaluation: ``epoch``, ``step``, ``train_loss``
            (of the epoch's last batch) and ``val`` (None without ``validate``).
        best_val: the lowest finite validation value (None if none was finite).
        best_epoch: the epoch it was measured after.
        epochs_run: epochs completed (fewer than asked after early stopping).
        steps: optimiser steps taken.
        seconds: wall time of the loop (summed over resumed runs).
        resumed_from: the epoch the run resumed at, or None.
        first_call_seconds: wall time of this call's first compiled call (its compilation
            plus one step, or plus the first scan's steps when ``compiled``), or None.
    """

    params: Any
    last_params: Any
    opt_state: Any
    history: list = field(default_factory=list)
    best_val: float | None = None
    best_epoch: int | None = None
    epochs_run: int = 0
    steps: int = 0
    seconds: float = 0.0
    resumed_from: int | None = None
    first_call_seconds: float | None = None


def _as_tuple(data) -> tuple:
    arrays = tuple(data) if isinstance(data, (tuple, list)) else (data,)
    if not arrays or any(not hasattr(a, "shape") or not np.ndim(a) for a in arrays):
        raise TypeError("data must be an array or a tuple of arrays with a first (row) axis.")
    rows = {len(a) for a in arrays}
    if len(rows) != 1:
        raise ValueError(f"the arrays of data differ in their number of rows: {sorted(rows)}.")
    return arrays


def train(
    loss_fn: Callable[..., jax.Array],
    params,
    data,
    *,
    optimizer: optax.GradientTransformation,
    epochs: int,
    batch_size: int,
    max_steps: int | None = None,
    seed: int | tuple = 0,
    validate: Callable[[Any], float] | None = None,
    evaluations: int = 40,
    eval_every: int | None = None,
    patience: int | None = None,
    callback: Callable[[Any, dict], bool | None] | None = None,
    shuffle: bool = True,
    transform_batch: Callable[[tuple, np.random.Generator], tuple] | None = None,
    devices: int | None = None,
    checkpoint: Checkpointing | None = None,
    resume: bool = False,
    key: jax.Array | None = None,
    compiled: bool = False,
    progress: bool = True,
    description: str = "",
) -> TrainResult:
    """Trains ``params`` to lower ``loss_fn`` on mini-batches of ``data``.

    Args:
        loss_fn: ``loss_fn(params, *batch) -> scalar``, the mean loss of one batch (a
            batch holds the same rows of every array of ``data``).
        params: the initial parameter pytree.
        data: an array or a tuple of arrays ``(n, ...)`` sharing their first axis.
        optimizer: an optax transformation (e.g. ``optax.adam(3e-3)``).
        epochs: passes over the data.
        batch_size: rows per step (per process when several run); ``min(batch_size, n)``
            is used so a small set is one batch.
        max_steps: stop after this many optimiser steps, within an epoch if need be (that
            epoch then counts as the last: it is evaluated and checkpointed).
        seed: seeds the permutations (``default_rng(seed)``) and the generator handed to
            ``transform_batch`` (``default_rng(seed + 1)``); a tuple of ints (e.g.
            ``(seed, 2)``, a stream of its own) seeds them with ``default_rng(seed)`` and
            ``default_rng((*seed, 1))``.
        validate: ``validate(params) -> float`` (lower is better), measured after every
            ``max(1, epochs // evaluations)``-th epoch and after the last.
        evaluations: how many validations over the run.
        eval_every: evaluate after every ``eval_every``-th epoch instead (and after the
            last); overrides ``evaluations``.
        patience: stop after this many validations without a better value (None: never).
        callback: ``callback(params, record)`` after each evaluation, ``record`` being the
            history entry just added (e.g. to log progress measures); a true return value
            stops training there.
        shuffle: draw a permutation per epoch (False: the rows in order every epoch, e.g.
            full-batch training, where the order only changes how sums are rounded).
        transform_batch: ``transform_batch(batch, rng) -> batch`` on the host before each
            step (e.g. data augmentation by random group elements).
        devices: train data-parallel over this many devices (None: one device, no mesh).
        checkpoint: save the loop state periodically (see `Checkpointing`).
        resume: continue from ``checkpoint.path`` when it exists (same settings required).
        key: a JAX key; then ``loss_fn(params, *batch, key=fold_in(key, step))`` is called,
            ``step`` counting every step of the run (e.g. random augmentation on device).
        compiled: run the steps between two evaluations (or checkpoints) in one compiled
            ``lax.scan``, the data on the device and each batch gathered there: the same
            batches and updates, without a Python call per step (for small models whose
            steps take about as long as their dispatch). Not with ``transform_batch`` or
            ``devices``.
        progress: show a tqdm bar over epochs.
        description: the bar's label.

    Returns:
        A `TrainResult`.

    Raises:
        TypeError: for non-integer ``epochs``/``batch_size``/``evaluations``/``patience``,
            or data that is not arrays.
        ValueError: for non-positive counts, arrays with different row counts, a batch
            that does not split over ``devices``, ``resume`` without ``checkpoint``, or a
            checkpoint written with other settings.

    Example:
        >>> import numpy as np, jax.numpy as jnp, optax
        >>> x = np.linspace(-1, 1, 64, dtype=np.float32)[:, None]
        >>> loss = lambda w, x, y: jnp.mean((x * w - y) ** 2)
        >>> result = train(loss, jnp.zeros(()), (x, 3 * x), optimizer=optax.adam(0.1),
        ...                epochs=60, batch_size=16, progress=False)
        >>> round(float(result.params), 2), result.steps
        (3.0, 240)
    """
    epochs = check_int(epochs, "epochs", minimum=1, where="train")
    batch_size = check_int(batch_size, "batch_size", minimum=1, where="train")
    evaluations = check_int(evaluations, "evaluations", minimum=1, where="train")
    if patience is not None:
        patience = check_int(patience, "patience", minimum=1, where="train")
    if max_steps is not None:
        max_steps = check_int(max_steps, "max_steps", minimum=1, where="train")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=Checkpointing(path, spec).")
    if compiled and (transform_batch is not None or devices is not None):
        raise ValueError(
            "compiled=True gathers batches on the device: it takes no transform_batch (move "
            "the transform into loss_fn, with key= for randomness) and no devices."
        )
    arrays = _as_tuple(data)
    n = len(arrays[0])
    batch = min(batch_size, n)
    parallel = None if devices is None else DataParallel(devices)
    if parallel is not None:
        parallel.check_batch(batch)
        params = parallel.replicate(params)
    steps_per_epoch = n // batch
    if eval_every is None:
        eval_every = max(1, epochs // evaluations)
    eval_every = check_int(eval_every, "eval_every", minimum=1, where="train")
    seeds = _seeds(seed)
    settings = {
        "seed": list(seeds[0]) if isinstance(seed, tuple) else seeds[0],
        "rows": n,
        "batch": batch,
        "epochs": epochs,
        "eval_every": eval_every,
        "max_steps": max_steps,
        "shuffle": bool(shuffle),
    }
    opt_state = optimizer.init(params)
    loop = LoopState(params, opt_state, params, *map(np.random.default_rng, seeds))
    resumed_from = None
    if resume and Path(checkpoint.path).exists():
        loop_state.resume(checkpoint, loop, settings)
        resumed_from = loop.epoch
        if parallel is not None:
            loop.params, loop.opt_state, loop.best_params = parallel.replicate(
                (loop.params, loop.opt_state, loop.best_params)
            )
    step = step_function(loss_fn, optimizer, key is not None, parallel)
    run_scan = scan_function(loss_fn, optimizer, key is not None) if compiled else None
    device_data = tuple(jax.device_put(a) for a in arrays) if compiled else None
    put = (lambda b: b) if parallel is None else parallel.put_batch
    start = time.perf_counter() - loop.seconds
    if max_steps is not None and loop.steps >= max_steps:
        epochs = loop.epoch  # a resumed run that had already taken its steps
    bar = tqdm(range(loop.epoch, epochs), desc=description, disable=not progress,
               leave=False, mininterval=1.0, initial=loop.epoch, total=epochs)  # fmt: skip
    loss = jnp.nan
    stopped = False
    pending: list[np.ndarray] = []  # compiled: index batches not yet run
    first_call = None
    for epoch in bar:
        order = loop.shuffle.permutation(n) if shuffle else np.arange(n)
        todo = (
            steps_per_epoch if max_steps is None else min(steps_per_epoch, max_steps - loop.steps)
        )
        for k in range(todo):
            idx = order[k * batch : (k + 1) * batch]
            if compiled:
                pending.append(idx)
                continue
            rows = tuple(a[idx] for a in arrays)
            if transform_batch is not None:
                rows = transform_batch(rows, loop.batch_rng)
            tick = time.perf_counter()
            loop.params, loop.opt_state, loss = step(
                loop.params, loop.opt_state, put(rows), np.int32(loop.steps + k), key
            )
            if first_call is None:  # compilation and one step
                jax.block_until_ready(loss)
                first_call = time.perf_counter() - tick
        loop.epoch, loop.steps = epoch + 1, loop.steps + todo
        last = loop.epoch == epochs or loop.steps == max_steps
        evaluate = loop.epoch % eval_every == 0 or last
        save = checkpoint is not None and (loop.epoch % checkpoint.every == 0 or last)
        if pending and (evaluate or save):
            indices = np.stack(pending).astype(np.int32)
            first = np.int32(loop.steps - len(pending))
            tick = time.perf_counter()
            loop.params, loop.opt_state, loss = run_scan(
                loop.params, loop.opt_state, device_data, indices, first, key
            )
            if first_call is None:  # compilation and the first scan's steps
                jax.block_until_ready(loss)
                first_call = time.perf_counter() - tick
            pending = []
        if evaluate:
            stopped = loop_state.evaluate(loop, validate, float(loss), patience)
            if callback is not None and callback(loop.params, loop.history[-1]):
                stopped = True
            val = loop.history[-1]["val"]
            bar.set_postfix(train=f"{float(loss):.3g}", val="-" if val is None else f"{val:.3g}")
        loop.seconds = time.perf_counter() - start
        if checkpoint is not None and (save or stopped):
            loop_state.save(checkpoint, loop, settings)
        if stopped or last:
            break
    bar.close()
    best = loop.best_params if validate is not None else loop.params
    return TrainResult(
        params=best,
        last_params=loop.params,
        opt_state=loop.opt_state,
        history=loop.history,
        best_val=None if not np.isfinite(loop.best_val) else loop.best_val,
        best_epoch=loop.best_epoch,
        epochs_run=loop.epoch,
        steps=loop.steps,
        seconds=loop.seconds,
        resumed_from=resumed_from,
        first_call_seconds=first_call,
    )


def _seeds(seed) -> tuple:
    """The seeds of the permutations and of the transform's generator (see `train`)."""
    if isinstance(seed, tuple):
        parts = tuple(check_int(s, "seed", minimum=0, where="train") for s in seed)
        if not parts:
            raise ValueError("train: a seed tuple needs at least one int.")
        return parts, (*parts, 1)
    seed = check_int(seed, "seed", minimum=0, where="train")
    return seed, seed + 1
