"""Input and output normalisation that never breaks equivariance.

A scale is one positive number per canonical copy (a scalar multiple commutes with every
group action) and a shift is nonzero only on invariant scalar copies, so
``x -> (x - shift) / scale`` is equivariant for every group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import Rep

__all__ = ["Standardization", "standardization", "Standardize"]


@dataclass(frozen=True)
class Standardization:
    """Affine maps ``x -> (x - x_shift) / x_scale`` and ``y -> y * y_scale + y_shift``.

    All four arrays are float32 of the width of the corresponding rep.
    """

    x_shift: np.ndarray
    x_scale: np.ndarray
    y_shift: np.ndarray
    y_scale: np.ndarray


def _per_copy(values: np.ndarray, rep: Rep, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != rep.size():
        raise ValueError(f"{name} must be (n, {rep.size()}) for {rep!r}; got shape {values.shape}.")
    shift = np.zeros(values.shape[1], np.float32)
    scale = np.ones(values.shape[1], np.float32)
    for summand in rep.canonical_form():
        for positions in summand.positions:
            block = values[:, positions]
            if summand.monomial.degree == 0:
                shift[positions] = block.mean()
                block = block - block.mean()
            scale[positions] = max(float(np.sqrt(np.mean(block**2))), 1e-8)
    return shift, scale


def standardization(x, y, rep_in: Rep, rep_out: Rep) -> Standardization:
    """Equivariance-safe statistics of a dataset: per-copy RMS scales, means on scalars only.

    Args:
        x: inputs ``(n, rep_in.size())``.
        y: targets ``(n, rep_out.size())``.
        rep_in, rep_out: bound representations.

    Example:
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> rng = np.random.default_rng(0)
        >>> stats = standardization(3 * rng.normal(size=(100, 3)), rng.normal(size=(100, 1)) + 5,
        ...                         V(O(3)), Scalar(O(3)))
        >>> stats.x_shift.tolist(), round(float(stats.y_shift[0]))
        ([0.0, 0.0, 0.0], 5)
        >>> bool(abs(stats.x_scale[0] - 3) < 0.5)  # one RMS for the whole vector
        True
    """
    x_shift, x_scale = _per_copy(x, rep_in, "x")
    y_shift, y_scale = _per_copy(y, rep_out, "y")
    return Standardization(x_shift, x_scale, y_shift, y_scale)


class Standardize(hk.Module):
    """Wraps a network: ``network((x - x_shift) / x_scale) * y_scale + y_shift``.

    Args:
        network: a callable (e.g. an `EMLP` module instance) on standardised inputs.
        stats: a `Standardization` (see `standardization`).
    """

    def __init__(
        self,
        network: Callable[[jax.Array], jax.Array],
        stats: Standardization,
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.network, self.stats = network, stats

    def __call__(self, x: jax.Array) -> jax.Array:
        s = self.stats
        z = (x - jnp.asarray(s.x_shift, x.dtype)) / jnp.asarray(s.x_scale, x.dtype)
        return self.network(z) * jnp.asarray(s.y_scale, x.dtype) + jnp.asarray(s.y_shift, x.dtype)
