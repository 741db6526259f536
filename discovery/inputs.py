"""Checking and normalising the arguments of `discovery.discover_lie_algebra`.

Everything the methods need ends up in one `Problem`: the oracle or the dataset, the
sample points ``(n, m, d)`` at which invariance is imposed, and the extra commutation
constraints. Bad input raises a `TypeError` or `ValueError` naming the argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from discovery.oracles import infer_arity, sample_points
from discovery.regressor import RegressorConfig
from groups._arrays import real_float64
from groups.checks import check_int, check_seed

__all__ = ["Problem", "parse_problem", "MAX_PROBLEM_BYTES"]

MAX_PROBLEM_BYTES = 2**31
"""Largest float64 storage a discovery problem may need (2 GiB): the sample points, the
constraint ``(rows, d*d)`` and its Gram matrix ``(d*d, d*d)``. It grows like ``d^4`` (the
default ``2 d^2`` samples times ``d^2`` unknowns): ``d = 60`` needs 0.2 GiB."""


@dataclass(frozen=True)
class Problem:
    """A checked discovery problem.

    Attributes:
        d: dimension of each vector argument.
        oracle: the callable oracle (None for a dataset).
        points: dataset inputs ``(n, m, d)`` (None for a callable oracle).
        labels: dataset labels ``(n,)`` (None for a callable oracle).
        row_points: the points ``(n_rows, m, d)`` at which invariance is imposed.
        commutes_with: matrices ``(c, d, d)`` every generator must commute with.
        gradient: gradient mode for a callable oracle.
        regressor: regressor settings for a dataset.
        seed: the run's seed.
    """

    d: int
    oracle: Callable | None
    points: np.ndarray | None
    labels: np.ndarray | None
    row_points: np.ndarray
    commutes_with: np.ndarray
    gradient: str
    regressor: RegressorConfig
    seed: int


def _float_array(value, argument: str) -> np.ndarray:
    """A float64 copy of ``value``; complex values and strings are refused (TypeError)."""
    array = np.array(real_float64(value, argument, "a real array"), copy=True)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} contains non-finite values (nan or inf).")
    return array


def _as_points(value, d: int, arity: int | None, argument: str) -> np.ndarray:
    """Points ``(n, d)`` or ``(n, m, d)`` as ``(n, m, d)``."""
    array = _float_array(value, argument)
    if array.ndim == 2:
        array = array[:, None, :]
    if array.ndim != 3 or array.shape[-1] != d or array.shape[0] < 1:
        raise ValueError(
            f"{argument} must have shape (n, d) or (n, m, d) with d = {d} and n >= 1; got "
            f"shape {array.shape}."
        )
    if arity is not None and array.shape[1] != arity:
        raise ValueError(
            f"{argument} has {array.shape[1]} vectors per sample (shape {array.shape}) but the "
            f"oracle takes arity = {arity}."
        )
    return array


def _commuting_matrices(value, d: int) -> np.ndarray:
    if value is None:
        return np.zeros((0, d, d))
    if isinstance(value, (list, tuple)) and len(value) == 0:
        return np.zeros((0, d, d))
    array = _float_array(value, "commutes_with")
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (d, d):
        raise ValueError(
            f"commutes_with must be a matrix ({d}, {d}) or a stack (c, {d}, {d}); got shape "
            f"{array.shape}."
        )
    return array


def _dataset(oracle: tuple, d: int, arity: int | None) -> tuple[np.ndarray, np.ndarray]:
    if len(oracle) != 2:
        raise TypeError(
            f"a dataset oracle must be a pair (X, y); got a {type(oracle).__name__} of length "
            f"{len(oracle)}."
        )
    points = _as_points(oracle[0], d, arity, "the dataset inputs X")
    labels = _float_array(oracle[1], "the dataset labels y")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != (points.shape[0],):
        raise ValueError(
            f"the dataset labels y must have shape (n,) = ({points.shape[0]},) to match X; got "
            f"{labels.shape}."
        )
    return points, labels


def _check_problem_size(rows: int, arity: int, d: int, commuting: int) -> None:
    """Refuses a problem whose arrays would exceed `MAX_PROBLEM_BYTES`, before allocating."""
    unknowns = d * d
    needed = 8 * (rows * arity * d + (rows + commuting * unknowns + unknowns) * unknowns)
    if needed > MAX_PROBLEM_BYTES:
        raise ValueError(
            f"discover_lie_algebra with d = {d} and {rows} sample points (arity {arity}) "
            f"would need {needed:.1e} bytes for the points and the constraint ({rows} + "
            f"{commuting} * d^2 rows, d^2 = {unknowns} unknowns), more than the limit of "
            f"{MAX_PROBLEM_BYTES:.1e} (discovery.inputs.MAX_PROBLEM_BYTES); expected a "
            "smaller d or n_samples (the default n_samples = 2 d^2 makes it grow like d^4)."
        )


def parse_problem(
    oracle, d, n_samples, seed, arity, samples, commutes_with, gradient, regressor
) -> Problem:
    """Checks the arguments of `discover_lie_algebra` and builds the `Problem`.

    Raises:
        TypeError, ValueError: as listed by `discover_lie_algebra`.

    Example:
        >>> problem = parse_problem(lambda x, y: 0.0, 3, None, 0, None, None, (), "auto", None)
        >>> problem.row_points.shape  # 2 d^2 samples of 2 vectors
        (18, 2, 3)
    """
    d = check_int(d, "d", minimum=1)
    seed = check_seed(seed)
    n_samples = check_int(n_samples, "n_samples", minimum=1, optional=True)
    arity = check_int(arity, "arity", minimum=1, optional=True)
    if regressor is not None and not isinstance(regressor, RegressorConfig):
        raise TypeError(f"regressor must be a RegressorConfig; got {type(regressor).__name__}.")
    matrices = _commuting_matrices(commutes_with, d)
    if isinstance(oracle, tuple):
        if samples is not None:
            raise ValueError("samples= applies to a callable oracle; a dataset brings its own X.")
        if gradient != "auto":
            raise ValueError(
                "gradient= applies to a callable oracle; a dataset is differentiated through "
                "its learned regressor."
            )
        regressor = RegressorConfig() if regressor is None else regressor
        points, labels = _dataset(oracle, d, arity)
        rows = points
        if n_samples is not None and n_samples < len(points):
            chosen = np.random.default_rng(seed).choice(len(points), n_samples, replace=False)
            rows = points[np.sort(chosen)]
        _check_problem_size(len(rows), rows.shape[1], d, len(matrices))
        return Problem(d, None, points, labels, rows, matrices, "jax", regressor, int(seed))
    if not callable(oracle):
        raise TypeError(
            "oracle must be a callable f(x_1, .., x_m) -> scalar or a dataset tuple (X, y); "
            f"got a {type(oracle).__name__}."
        )
    if regressor is not None:
        raise ValueError("regressor= applies to a dataset (X, y), not to a callable oracle.")
    if arity is None:
        arity = infer_arity(oracle)
    if samples is not None:
        if n_samples is not None:
            raise ValueError("pass either samples= (explicit points) or n_samples=, not both.")
        rows = _as_points(samples, d, arity, "samples")
        _check_problem_size(len(rows), arity, d, len(matrices))
    else:
        count = 2 * d * d if n_samples is None else n_samples
        _check_problem_size(count, arity, d, len(matrices))
        rows = sample_points(count, arity, d, int(seed))
    return Problem(d, oracle, None, None, rows, matrices, gradient, RegressorConfig(), int(seed))
