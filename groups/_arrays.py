"""Conversion of user input to real float64 arrays, shared by the validating entry points."""

from __future__ import annotations

import numpy as np

__all__ = ["real_float64"]


def real_float64(value, argument: str, expected: str) -> np.ndarray:
    """Converts ``value`` to a float64 array, refusing complex values instead of dropping them.

    numpy casts a complex array to float64 by discarding the imaginary part (with only a
    ``ComplexWarning``), which would turn, say, the complex generator ``i sigma_x`` into the
    zero matrix. A complex array whose imaginary parts are all zero is accepted as real.

    Args:
        value: array-like input.
        argument: name of the argument, for the error message (``"lie_algebra"``).
        expected: what the argument must be, for the error message (``"an array of real
            matrices with shape (k, d, d)"``).

    Returns:
        float64 array (not copied when ``value`` already is one).

    Raises:
        TypeError: if ``value`` cannot be converted to float64, or is complex with a
            non-zero imaginary part.

    Example:
        >>> real_float64([1.0, 2.0 + 0j], "x", "a real array")
        array([1., 2.])
        >>> real_float64([1j], "x", "a real array")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: x must be a real array; got a complex array of shape (1,) with non-zero ...
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise _conversion_error(value, argument, expected, error) from error
    if np.iscomplexobj(raw):
        if np.any(raw.imag != 0):
            raise TypeError(
                f"{argument} must be {expected}; got a complex array of shape {raw.shape} "
                "with non-zero imaginary parts. Realify complex matrices first: X + iY "
                "acts on R^(2n) as [[X, -Y], [Y, X]] (the convention of groups.U and "
                "groups.SU)."
            )
        raw = raw.real
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise _conversion_error(value, argument, expected, error) from error


def _conversion_error(value, argument: str, expected: str, error: Exception) -> TypeError:
    return TypeError(
        f"{argument} must be {expected}; could not convert a {type(value).__name__} to "
        f"float64 ({error})."
    )
