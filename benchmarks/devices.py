"""Data-parallel benchmark runs: one fresh process per device count, and the step timing.

JAX fixes its devices when it starts, so each device count runs in its own process
(`run_with_devices`) whose environment sets
``XLA_FLAGS=--xla_force_host_platform_device_count=N`` before Python starts: on a CPU
backend that gives ``N`` simulated devices (sharing the machine's cores, so the rates
measure the overhead of the partitioned step rather than a speed-up); on a GPU or TPU
backend the flag is inert and the first ``N`` real devices are used. `probe_backend` asks
a fresh process (the parent never starts a backend, which on a GPU would reserve its
memory) which backend JAX picks and how many devices it has, and `check_device_counts`
refuses counts that cannot run there.

``python -m benchmarks.devices`` prints the probe's JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from benchmarks.fresh_process import child_result, run_child

__all__ = [
    "DEVICES_HEADER",
    "FORCE_FLAG",
    "devices_row",
    "devices_table",
    "step_rate",
    "device_environment",
    "probe_backend",
    "check_device_counts",
    "run_with_devices",
    "time_train_steps",
]

FORCE_FLAG = "--xla_force_host_platform_device_count"


def device_environment(devices: int, environ: dict | None = None) -> dict:
    """``environ`` (default: this process's) with ``XLA_FLAGS`` asking for ``devices`` host devices.

    Other XLA flags are kept; an earlier device-count flag is replaced.

    Example:
        >>> device_environment(4, {"XLA_FLAGS": "--xla_dump_to=/tmp/x"})["XLA_FLAGS"]
        '--xla_dump_to=/tmp/x --xla_force_host_platform_device_count=4'
        >>> device_environment(2, {"XLA_FLAGS": f"{FORCE_FLAG}=8"})["XLA_FLAGS"]
        '--xla_force_host_platform_device_count=2'
    """
    environ = dict(os.environ if environ is None else environ)
    kept = [f for f in environ.get("XLA_FLAGS", "").split() if not f.startswith(FORCE_FLAG)]
    environ["XLA_FLAGS"] = " ".join([*kept, f"{FORCE_FLAG}={devices}"])
    return environ


def probe_backend(timeout: int = 300) -> dict:
    """``{"backend", "device_count", "device_kind"}`` that JAX reports in a fresh process
    (with this process's environment), or ``{"error": ...}``."""
    command = [sys.executable, "-m", "benchmarks.devices"]
    out = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    return child_result(out)


def check_device_counts(counts: Sequence[int], backend: str, available: int) -> None:
    """Raises unless every count can run on ``backend`` with ``available`` devices.

    A CPU backend simulates any positive number of devices (one process per count, each
    with its own ``XLA_FLAGS``); other backends have only their real devices.

    Raises:
        ValueError: naming the count and what was expected.

    Example:
        >>> check_device_counts([1, 2, 8], "cpu", 1)
        >>> check_device_counts([1, 4], "gpu", 2)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        ValueError: --devices 4: the gpu backend has only 2 devices (more can be simulated ...
    """
    for count in counts:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"--devices expects positive integers; got {count!r}.")
        if backend != "cpu" and count > available:
            raise ValueError(
                f"--devices {count}: the {backend} backend has only {available} device"
                f"{'' if available == 1 else 's'} (more can be simulated only on a CPU "
                "backend, e.g. with JAX_PLATFORMS=cpu)."
            )


def run_with_devices(module: str, devices: int, args: Sequence, timeout: int = 3600) -> dict:
    """Runs ``python -m module --child devices *args`` with ``devices`` host devices.

    Returns `benchmarks.fresh_process.run_child`'s result; the child keeps this process's
    environment (its basis cache included), with ``XLA_FLAGS`` of `device_environment`.
    """
    flags = device_environment(devices)["XLA_FLAGS"]
    return run_child(module, [devices, *args], None, timeout, {"XLA_FLAGS": flags})


def time_train_steps(
    loss_fn: Callable,
    params,
    batch: tuple,
    *,
    optimizer,
    devices: int,
    repeats: int = 20,
) -> dict:
    """Seconds per data-parallel Adam step on one fixed batch, after a compiling step.

    The step is the one `layers.training.train` runs with ``devices``
    (`layers.training_steps.step_function`): parameters and optimiser state replicated,
    the batch split along its rows over the mesh.

    Returns:
        ``{"step_seconds", "steps_per_second", "per_device_batch", "compile_seconds"}``.
    """
    import jax
    import numpy as np

    from layers.parallel import DataParallel
    from layers.training_steps import step_function

    parallel = DataParallel(devices)
    per_device = parallel.check_batch(len(batch[0]))
    step = step_function(loss_fn, optimizer, False, parallel)  # the loop's own step
    params = parallel.replicate(params)
    state = parallel.replicate(optimizer.init(params))
    placed, index = parallel.put_batch(batch), np.int32(0)
    start = time.perf_counter()
    jax.block_until_ready(step(params, state, placed, index, None))
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(repeats):
        params, state, loss = step(params, state, placed, index, None)
    jax.block_until_ready((params, state, loss))
    seconds = (time.perf_counter() - start) / repeats
    return {
        "step_seconds": seconds,
        "steps_per_second": 1.0 / seconds,
        "per_device_batch": per_device,
        "compile_seconds": compile_seconds,
    }


def step_rate(network, train, devices: int, seed: int, batch_size: int, repeats: int) -> dict:
    """Rate of `benchmarks.training.fit`'s step (same model, loss and Adam) on ``devices``.

    Times ``repeats`` steps on the first ``min(batch_size, len(train))`` rows
    (`time_train_steps`) and names the backend and device kind.
    """
    import haiku as hk
    import jax
    import jax.numpy as jnp
    import optax

    from benchmarks.training import data_standardization
    from layers import Standardize

    stats = data_standardization(train)
    model = hk.without_apply_rng(hk.transform(lambda x: Standardize(network(), stats)(x)))
    params = jax.jit(model.init)(jax.random.PRNGKey(seed), jnp.asarray(train.x[:1]))
    batch = min(batch_size, len(train))

    def loss_fn(p, x, y):
        return jnp.mean((model.apply(p, x) - y) ** 2)

    rate = time_train_steps(loss_fn, params, (train.x[:batch], train.y[:batch]),
                            optimizer=optax.adam(3e-3), devices=devices,
                            repeats=repeats)  # fmt: skip
    device = jax.devices()[0]
    return {"devices": devices, "batch": batch, **rate, "backend": jax.default_backend(),
            "device_kind": device.device_kind}  # fmt: skip


DEVICES_HEADER = (
    f"{'variant':<11} {'n_train':>7} {'seed':>4} {'devices':>7} {'per-dev batch':>13} "
    f"{'steps/s':>8} {'ratio':>6} {'test MSE':>10} {'train s':>8}"
)


def devices_row(r: dict) -> str:
    """One line of `devices_table` (``ratio`` is ``-`` until the 1-device rate is known)."""
    if "error" in r:
        return f"devices {r['devices']}: ERROR: {r['error']}"
    ratio = r.get("ratio_to_1_device")
    return (
        f"{r['variant']:<11} {r['n_train']:>7} {r['seed']:>4} {r['devices']:>7} "
        f"{r['per_device_batch']:>13} {r['steps_per_second']:>8.1f} "
        f"{'-' if ratio is None else f'{ratio:.2f}':>6} {r['test_mse']:>10.4g} "
        f"{r['train_seconds']:>8.1f}"
    )


def devices_table(records: list[dict]) -> str:
    """A plain-text table of ``--devices`` records: rates, their ratio to one device, MSE.

    Example:
        >>> rows = [{"variant": "emlp-O5", "n_train": 8, "seed": 0, "devices": d,
        ...          "per_device_batch": 8 // d, "steps_per_second": r, "test_mse": 0.5,
        ...          "ratio_to_1_device": r / 10, "train_seconds": 1.0}
        ...         for d, r in [(1, 10.0), (2, 15.0)]]
        >>> print(devices_table(rows + [{"devices": 4, "error": "MemoryError"}]))
        variant     n_train seed devices per-dev batch  steps/s  ratio   test MSE  train s
        ----------------------------------------------------------------------------------
        emlp-O5           8    0       1             8     10.0   1.00        0.5      1.0
        emlp-O5           8    0       2             4     15.0   1.50        0.5      1.0
        devices 4: ERROR: MemoryError
    """
    return "\n".join([DEVICES_HEADER, "-" * len(DEVICES_HEADER), *map(devices_row, records)])


def _probe() -> dict:
    import jax

    devices = jax.devices()
    return {
        "backend": jax.default_backend(),
        "device_count": len(devices),
        "device_kind": devices[0].device_kind,
    }


if __name__ == "__main__":
    print(json.dumps(_probe()))
