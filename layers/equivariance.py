"""Checking equivariance by applying sampled group elements (never by trusting a construction)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from emlp_core import Rep
from groups import Group
from groups.checks import check_int, check_real

__all__ = ["equivariance_error", "assert_equivariant"]


def _outputs(fn: Callable, x: np.ndarray, rep_out: Rep, what: str) -> np.ndarray:
    """``np.asarray(fn(x))``, checked to be numeric ``(batch, rep_out.size())``."""
    y = np.asarray(fn(x))
    if not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"equivariance_error: fn({what}) must return numbers; got dtype {y.dtype}.")
    expected = (x.shape[0], rep_out.size())
    if y.shape != expected:
        raise ValueError(
            f"equivariance_error: fn must map x {tuple(x.shape)} to (batch, rep_out.size()) = "
            f"{expected} for rep_out = {rep_out!r}; fn({what}) returned shape {y.shape}."
        )
    return y


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

    Non-finite outputs are never read as "equivariant": if ``fn`` returns NaN or inf at
    ``x`` or at any transformed input ``rho_in(g) x``, the result is NaN (which fails every
    ``error <= rtol`` test, see `assert_equivariant`).

    Args:
        fn: maps ``(batch, rep_in.size())`` to ``(batch, rep_out.size())`` (numpy or JAX).
        rep_in, rep_out: representations, bound to ``group`` if it is given;
            ``rep_out.size() >= 1`` (a zero-size output would pass vacuously).
        group: the group to sample from; defaults to ``rep_in.group``.
        x: finite real floating inputs ``(batch, rep_in.size())``, ``batch >= 1`` (any
            array-like; converted with ``np.asarray``); standard normal float32 when None.
        n_samples: number of group elements (``group.samples(n_samples, seed)``), ``>= 1``.
        batch: number of random inputs when ``x`` is None, ``>= 1``.
        seed: seed for the inputs and the group elements.
        sample_scale: scale of the Lie-algebra coefficients of the sampled elements
            (`groups.Group.samples`), a positive finite real. For non-compact groups
            (Lorentz, SL) large boosts make ``rho(g)`` ill-conditioned, so float32 rounding
            alone grows with the scale.

    Returns:
        The largest relative error (Frobenius norm over the batch) over the sampled
        elements; NaN when an output of ``fn`` is not finite.

    Raises:
        TypeError: ``fn`` is not callable, a rep is not a `Rep`, ``x`` is not real
            floating, ``fn`` returns non-numbers, ``n_samples`` or ``batch`` is not an
            integer, or ``sample_scale`` not a real number (bools are neither).
        ValueError: no group; ``n_samples``, ``batch`` or ``sample_scale`` is not positive
            (or ``sample_scale`` not finite); ``rep_out`` has size 0; ``x`` is not
            ``(batch >= 1, rep_in.size())`` or not finite; ``fn`` returns a shape other
            than ``(batch, rep_out.size())``.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> equivariance_error(lambda x: x[:, :1] * np.nan, V(SO(3)), Scalar(SO(3)))
        nan
    """
    if not callable(fn):
        raise TypeError(f"equivariance_error: fn must be callable; got {type(fn).__name__}.")
    for name, rep in (("rep_in", rep_in), ("rep_out", rep_out)):
        if not isinstance(rep, Rep):
            raise TypeError(f"equivariance_error: {name} must be a Rep; got {type(rep).__name__}.")
    n_samples = check_int(n_samples, "n_samples", minimum=1, where="equivariance_error")
    batch = check_int(batch, "batch", minimum=1, where="equivariance_error")
    sample_scale = check_real(sample_scale, "sample_scale", above=0, where="equivariance_error")
    group = group if group is not None else rep_in.group
    if not isinstance(group, Group):
        raise ValueError("equivariance_error needs a group: pass group=, or bound reps.")
    rep_in, rep_out = rep_in(group), rep_out(group)
    if rep_out.size() < 1:
        raise ValueError(
            f"equivariance_error: rep_out = {rep_out!r} has size 0; expected size >= 1 "
            "(a zero-size output is equivariant vacuously)."
        )
    if x is None:
        x = np.random.default_rng(seed).standard_normal((batch, rep_in.size())).astype(np.float32)
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"equivariance_error: x must be real floating (float32 or float64); got {x.dtype}."
        )
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] != rep_in.size():
        raise ValueError(
            f"equivariance_error: x must be (batch >= 1, rep_in.size() = {rep_in.size()}) for "
            f"rep_in = {rep_in!r}; got shape {x.shape}."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("equivariance_error: x must be finite; it holds NaN or inf.")
    dtype = x.dtype
    y = _outputs(fn, x, rep_out, "x")
    if not np.all(np.isfinite(y)):
        return float("nan")
    worst = 0.0
    for g in group.random_elements(n_samples, seed=seed, scale=sample_scale):
        rho_in, rho_out = rep_in.rho(g).astype(dtype), rep_out.rho(g).astype(dtype)
        expected = y @ rho_out.T
        got = _outputs(fn, x @ rho_in.T, rep_out, "rho_in(g) x")
        if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
            return float("nan")
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
    arguments go to `equivariance_error`. Returns the measured error. A function whose
    output is NaN or inf (at ``x`` or at a transformed input) fails.

    Raises:
        AssertionError: the error exceeds ``rtol``, or an output of ``fn`` is not finite.
        ValueError: ``rtol`` is negative or not finite; bad arguments to
            `equivariance_error` (TypeError too, see there).
        TypeError: ``rtol`` is not a real number or None.

    Example:
        >>> import numpy as np
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> err = assert_equivariant(lambda x: (x**2).sum(-1, keepdims=True), V(G), Scalar(G))
        >>> err < 1e-5
        True
    """
    rtol = check_real(rtol, "rtol", minimum=0, optional=True, where="assert_equivariant")
    error = equivariance_error(fn, rep_in, rep_out, group, **kwargs)
    if math.isnan(error):
        raise AssertionError(
            f"not equivariant: fn returned non-finite values (NaN or inf) at x or at a "
            f"transformed input rho_in(g) x, so nothing was verified for {rep_in!r} -> {rep_out!r}."
        )
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
