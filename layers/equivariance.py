"""Checking equivariance by applying sampled group elements (never by trusting a construction)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from emlp_core import Rep
from groups import Group

__all__ = ["equivariance_error", "assert_equivariant"]


def equivariance_error(
    fn: Callable,
    rep_in: Rep,
    rep_out: Rep,
    group: Group | None = None,
    *,
    x=None,
    n_samples: int = 5,
    batch: int = 16,
    seed: int = 0,
    sample_scale: float = 1.0,
) -> float:
    """Largest relative error ``|f(rho_in(g) x) - rho_out(g) f(x)| / |rho_out(g) f(x)|``.

    Args:
        fn: maps ``(batch, rep_in.size())`` to ``(batch, rep_out.size())`` (numpy or JAX).
        rep_in, rep_out: representations, bound to ``group`` if it is given.
        group: the group to sample from; defaults to ``rep_in.group``.
        x: inputs ``(batch, rep_in.size())``; standard normal float32 when None.
        n_samples: number of group elements (``group.samples(n_samples, seed)``).
        batch: number of random inputs when ``x`` is None.
        seed: seed for the inputs and the group elements.
        sample_scale: scale of the Lie-algebra coefficients of the sampled elements
            (`groups.Group.samples`). For non-compact groups (Lorentz, SL) large boosts make
            ``rho(g)`` ill-conditioned, so float32 rounding alone grows with the scale.

    Returns:
        The largest relative error (Frobenius norm over the batch) over the sampled elements.
    """
    group = group if group is not None else rep_in.group
    if not isinstance(group, Group):
        raise ValueError("equivariance_error needs a group: pass group=, or bound reps.")
    rep_in, rep_out = rep_in(group), rep_out(group)
    if x is None:
        x = np.random.default_rng(seed).standard_normal((batch, rep_in.size())).astype(np.float32)
    dtype = np.asarray(x).dtype
    y = np.asarray(fn(x))
    worst = 0.0
    for g in group.samples(n_samples, seed=seed, scale=sample_scale):
        rho_in, rho_out = rep_in.rho(g).astype(dtype), rep_out.rho(g).astype(dtype)
        expected = y @ rho_out.T
        got = np.asarray(fn(np.asarray(x) @ rho_in.T))
        scale = max(np.linalg.norm(expected), np.finfo(dtype).tiny)
        worst = max(worst, float(np.linalg.norm(got - expected) / scale))
    return worst


def assert_equivariant(
    fn: Callable,
    rep_in: Rep,
    rep_out: Rep,
    group: Group | None = None,
    *,
    rtol: float | None = None,
    **kwargs,
) -> float:
    """Raises AssertionError unless ``fn`` is equivariant to relative error ``rtol``.

    ``rtol`` defaults to 1e-5 for float32 inputs and 1e-10 for float64. Other keyword
    arguments go to `equivariance_error`. Returns the measured error.

    Example:
        >>> import numpy as np
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> err = assert_equivariant(lambda x: (x**2).sum(-1, keepdims=True), V(G), Scalar(G))
        >>> err < 1e-5
        True
    """
    error = equivariance_error(fn, rep_in, rep_out, group, **kwargs)
    x = kwargs.get("x")
    dtype = np.float32 if x is None else np.asarray(x).dtype
    if rtol is None:
        rtol = 1e-10 if dtype == np.float64 else 1e-5
    if not error <= rtol:
        raise AssertionError(
            f"not equivariant: relative error {error:.3e} > rtol {rtol:.1e} "
            f"for {rep_in!r} -> {rep_out!r}."
        )
    return error
