"""Data parallelism on JAX's own sharding: the batch split over a mesh, the rest replicated.

`DataParallel` builds a one-axis `jax.sharding.Mesh` (axis ``"data"``) over the chosen
devices. Batches are placed with ``NamedSharding(mesh, P("data"))``, so each device holds
``batch / devices`` rows; parameters and optimiser state are replicated
(``NamedSharding(mesh, P())``). A step jitted with these shardings is partitioned by XLA:
each device computes its rows' gradients and the mean over the batch becomes an all-reduce,
so the update equals the single-device one up to the order of floating-point sums.

Several processes (``jax.distributed.initialize`` first): each process passes its own rows,
and `DataParallel.put_batch` assembles the global batch with
``jax.make_array_from_process_local_data``; the mesh then spans every device of every
process and the global batch is ``process_count`` times the per-process one.

On a CPU machine several devices are simulated by setting, before JAX starts,
``XLA_FLAGS=--xla_force_host_platform_device_count=4``.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from groups.checks import check_int

__all__ = ["DataParallel", "DATA_AXIS"]

DATA_AXIS = "data"


def _chosen_devices(devices) -> list:
    every = jax.devices()
    if isinstance(devices, Sequence) and not isinstance(devices, str):
        chosen = list(devices)
        if not chosen or not all(isinstance(d, jax.Device) for d in chosen):
            raise TypeError("devices must be an int count or a non-empty list of jax.Device.")
        return chosen
    count = check_int(devices, "devices", minimum=1, where="DataParallel")
    if jax.process_count() > 1 and count != len(every):
        raise ValueError(
            f"with {jax.process_count()} processes the mesh must span all {len(every)} devices "
            f"(every process takes part in each step); got devices={count}."
        )
    if count > len(every):
        raise ValueError(
            f"devices={count} but JAX sees {len(every)} ({jax.default_backend()}). On a CPU "
            f"machine set XLA_FLAGS=--xla_force_host_platform_device_count={count} before JAX "
            "starts (e.g. in the shell that runs Python)."
        )
    return every[:count]


class DataParallel:
    """The mesh and shardings of data-parallel training.

    Args:
        devices: how many devices (the first ``devices`` of ``jax.devices()``) or the
            devices themselves.

    Attributes:
        mesh: the one-axis mesh (axis ``"data"``).
        batch_sharding: rows split over the mesh, ``NamedSharding(mesh, P("data"))``.
        replicated: a full copy on every device, ``NamedSharding(mesh, P())``.

    Example:
        >>> import numpy as np
        >>> parallel = DataParallel(1)
        >>> batch = parallel.put_batch((np.ones((4, 3), np.float32),))
        >>> batch[0].shape, tuple(batch[0].sharding.spec)
        ((4, 3), ('data',))
    """

    def __init__(self, devices: int | Sequence = 1):
        self.devices = _chosen_devices(devices)
        self.mesh = Mesh(np.array(self.devices), (DATA_AXIS,))
        self.batch_sharding = NamedSharding(self.mesh, P(DATA_AXIS))
        self.replicated = NamedSharding(self.mesh, P())

    @property
    def local_count(self) -> int:
        """Devices of this process in the mesh."""
        return sum(d.process_index == jax.process_index() for d in self.devices)

    def check_batch(self, batch_size: int) -> int:
        """Returns the rows per device of a per-process batch, or says why it cannot split.

        Raises:
            ValueError: if ``batch_size`` is not a multiple of this process's devices
                (no rows are dropped or padded: choose a multiple).
        """
        if batch_size % self.local_count:
            raise ValueError(
                f"the batch of {batch_size} rows does not split over {self.local_count} "
                f"devices; choose a batch size that is a multiple of {self.local_count} "
                "(nothing is padded or dropped silently)."
            )
        return batch_size // self.local_count

    def put_batch(self, arrays: tuple) -> tuple:
        """Places this process's rows of each array, split along axis 0 over the mesh."""
        self.check_batch(len(arrays[0]))
        if jax.process_count() > 1:
            return tuple(
                jax.make_array_from_process_local_data(self.batch_sharding, np.asarray(a))
                for a in arrays
            )
        return tuple(jax.device_put(np.asarray(a), self.batch_sharding) for a in arrays)

    def replicate(self, tree):
        """A copy of every leaf of ``tree`` on every device of the mesh."""
        return jax.device_put(tree, self.replicated)
