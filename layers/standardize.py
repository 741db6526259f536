"""Input and output normalisation that never breaks equivariance.

A scale is one positive number per canonical copy (a scalar multiple commutes with every
group action) and a shift, where there is one, is an invariant vector (``rho(g) c = c``), so
``x -> (x - shift) / scale`` commutes with the group action, for the group the rep is bound
to and for every subgroup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import Rep

__all__ = [
    "Standardization",
    "copy_statistics",
    "invariant_shift",
    "standardization",
    "standardized",
]

SCALE_RULES = ("norm", "coordinate")


@dataclass(frozen=True)
class Standardization:
    """Affine maps ``x -> (x - x_shift) / x_scale`` and ``y -> y * y_scale + y_shift``.

    All four arrays are float32 of the width of the corresponding rep.
    """

    x_shift: np.ndarray
    x_scale: np.ndarray
    y_shift: np.ndarray
    y_scale: np.ndarray


def _as_values(values, rep: Rep, name: str) -> np.ndarray:
    if not isinstance(rep, Rep) or rep.group is None:
        raise ValueError(f"{name}: the rep must be a Rep bound to a group; got {rep!r}.")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != rep.size() or len(values) == 0:
        raise ValueError(
            f"{name} must be (n >= 1, {rep.size()}) for {rep!r}; got shape {values.shape}."
        )
    return values


def invariant_shift(values, rep: Rep) -> np.ndarray:
    """The mean of ``values (n, rep.size())`` projected onto the invariant vectors of ``rep``.

    Subtracting an invariant vector commutes with the group action, so this is the largest
    equivariance-preserving shift: the mean of a scalar copy, the multiple of the identity
    in an O(3) ``V**2`` copy, nothing for a vector of O(n). Returns float64 ``(rep.size(),)``.

    Example:
        >>> from groups import O
        >>> from emlp_core import V
        >>> y = np.stack([np.eye(3).ravel() * 2 + [1, 0, 0, 0, 0, 0, 0, 0, 0]] * 4)
        >>> invariant_shift(y, (V**2)(O(3))).reshape(3, 3).round(3)  # 2 I + trace part
        array([[2.333, 0.   , 0.   ],
               [0.   , 2.333, 0.   ],
               [0.   , 0.   , 2.333]])
    """
    values = _as_values(values, rep, "values")
    basis = np.asarray(rep.equivariant_basis(sparse=False))
    return basis @ (basis.T @ values.mean(axis=0))


def copy_statistics(
    values, rep: Rep, scale_by: str = "norm", center: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Equivariance-safe ``(shift, scale)`` of ``values (n, rep.size())``, float64.

    The shift is `invariant_shift` (zero when ``center`` is False). The scale is one number
    per canonical copy of ``rep``, computed on the shifted values: with ``scale_by="norm"``
    the root-mean-square *norm* of the copy (a copy then has unit mean squared norm,
    whatever its size), with ``"coordinate"`` the root-mean-square of its coordinates (unit
    second moment per coordinate).

    Raises:
        ValueError: on a rep without a group, a wrong shape, or an unknown ``scale_by``.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> x = np.array([[3.0, 0.0, 4.0, 1.0], [0.0, 0.0, 0.0, 3.0]])
        >>> shift, scale = copy_statistics(x, (V + Scalar)(SO(3)))
        >>> shift.tolist(), scale.round(4).tolist()  # vector: RMS norm 5/sqrt(2); scalar: std
        ([0.0, 0.0, 0.0, 2.0], [3.5355, 3.5355, 3.5355, 1.0])
        >>> copy_statistics(x, (V + Scalar)(SO(3)), center=False)[1].round(4).tolist()
        [3.5355, 3.5355, 3.5355, 2.2361]
    """
    if scale_by not in SCALE_RULES:
        raise ValueError(f"scale_by must be one of {SCALE_RULES}; got {scale_by!r}.")
    values = _as_values(values, rep, "values")
    shift = invariant_shift(values, rep) if center else np.zeros(rep.size())
    shifted = values - shift
    scale = np.ones(rep.size())
    for summand in rep.canonical_form():
        for positions in summand.positions:
            squares = np.mean(shifted[:, positions] ** 2)
            if scale_by == "norm":
                squares *= len(positions)
            scale[positions] = max(float(np.sqrt(squares)), 1e-8)
    return shift, scale


def standardization(x, y, rep_in: Rep, rep_out: Rep) -> Standardization:
    """Equivariance-safe statistics of a dataset (`copy_statistics` of inputs and targets).

    Inputs are scaled, never shifted: every input copy gets unit mean squared norm about
    the origin. Targets are shifted by their invariant mean and scaled per coordinate (unit
    variance, so the training loss is the mean over coordinates). Both choices were
    measured on the EMLP paper's tasks at N = 1000 (benchmarks/README.md, "Input
    scaling"): scaling by norm rather than by coordinate divides a 4-vector by twice its
    coordinate RMS and cuts the O(1,3) test MSE 3.6x; not centring the inputs keeps the
    origin where the data's invariants (norms, products with positive masses) are built,
    and cuts the O(3) inertia test MSE 3x.

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
        >>> bool(abs(stats.x_scale[0] - 3 * np.sqrt(3)) < 0.5)  # one RMS norm for the vector
        True
    """
    x_shift, x_scale = copy_statistics(_as_values(x, rep_in, "x"), rep_in, "norm", center=False)
    y_shift, y_scale = copy_statistics(_as_values(y, rep_out, "y"), rep_out, "coordinate")
    f32 = np.float32
    return Standardization(
        x_shift.astype(f32), x_scale.astype(f32), y_shift.astype(f32), y_scale.astype(f32)
    )


def standardized(stats: Standardization, network: Callable, x: jax.Array) -> jax.Array:
    """``network((x - x_shift) / x_scale) * y_scale + y_shift``: what every ``Standardize`` runs.

    Example:
        >>> stats = Standardization(np.zeros(2), np.full(2, 2.0), np.ones(1), np.full(1, 3.0))
        >>> standardized(stats, lambda z: z.sum(-1, keepdims=True), jnp.ones((1, 2)))
        Array([[4.]], dtype=float32)
    """
    s = stats
    z = (x - jnp.asarray(s.x_shift, x.dtype)) / jnp.asarray(s.x_scale, x.dtype)
    return network(z) * jnp.asarray(s.y_scale, x.dtype) + jnp.asarray(s.y_shift, x.dtype)
