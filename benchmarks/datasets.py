"""Synthetic regression datasets from the EMLP paper (arXiv 2104.09459), generated and seeded.

Each dataset carries its group, ``rep_in``, ``rep_out`` and standardisation statistics
chosen so that standardising does not break equivariance (one scale per vector copy, a
mean only on invariant outputs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emlp_core import Rep, Scalar, V
from groups import Group, O

__all__ = ["RegressionData", "o5_synthetic", "TASKS"]


@dataclass(frozen=True)
class RegressionData:
    """Inputs ``x (n, rep_in.size())`` and targets ``y (n, rep_out.size())``, float32."""

    x: np.ndarray
    y: np.ndarray
    group: Group
    rep_in: Rep
    rep_out: Rep

    def __len__(self) -> int:
        return len(self.x)


def o5_synthetic(n: int, seed: int = 0) -> RegressionData:
    """The O(5) synthetic task: ``y = sin|x1| - |x2|^3 / 2 + x1.x2 / (|x1| |x2|)``.

    ``x1, x2 ~ N(0, I_5)``; ``rep_in = 2V``, ``rep_out = Scalar`` under O(5).

    Example:
        >>> data = o5_synthetic(4, seed=0)
        >>> data.x.shape, data.y.shape
        ((4, 10), (4, 1))
    """
    if n < 1:
        raise ValueError(f"o5_synthetic needs n >= 1 samples; got {n}.")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2, 5))
    r1, r2 = np.linalg.norm(x[:, 0], axis=-1), np.linalg.norm(x[:, 1], axis=-1)
    y = np.sin(r1) - 0.5 * r2**3 + np.sum(x[:, 0] * x[:, 1], axis=-1) / (r1 * r2)
    group = O(5)
    return RegressionData(
        x.reshape(n, 10).astype(np.float32),
        y[:, None].astype(np.float32),
        group,
        (2 * V)(group),
        Scalar(group),
    )


TASKS = {"o5": o5_synthetic}
