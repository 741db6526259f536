"""Checks and conversions of array input, shared by the validating entry points.

* ``real_float64``: array-like input to a real float64 array, refusing complex values
  (instead of dropping their imaginary parts) and strings (instead of parsing them);
* ``check_generator_storage``: refuses a constructor whose dense generators would not fit
  in ``MAX_GENERATOR_BYTES`` before they are allocated.

Scalar arguments (integers, reals, seeds, flags) are checked by `groups.checks`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "real_float64",
    "check_generator_storage",
    "MAX_GENERATOR_BYTES",
]

MAX_GENERATOR_BYTES = 2**30
"""Largest dense generator stack ``(count, d, d)`` float64 a constructor builds (1 GiB:
``SO(100)`` needs 0.4 GiB; ``SO(128)`` would need 1.1 GiB)."""


def real_float64(value, argument: str, expected: str) -> np.ndarray:
    """Converts ``value`` to a float64 array, refusing complex values and strings.

    numpy casts a complex array to float64 by discarding the imaginary part (with only a
    ``ComplexWarning``), which would turn, say, the complex generator ``i sigma_x`` into the
    zero matrix. A complex array whose imaginary parts are all zero is accepted as real.
    numpy also parses numeric strings (``"1"`` becomes ``1.0``); strings are refused, since
    they are almost always a reading mistake (a CSV file read as text, say).

    Args:
        value: array-like input.
        argument: name of the argument, for the error message (``"lie_algebra"``).
        expected: what the argument must be, for the error message (``"an array of real
            matrices with shape (k, d, d)"``).

    Returns:
        float64 array (not copied when ``value`` already is one).

    Raises:
        TypeError: if ``value`` cannot be converted to float64, holds strings, or is
            complex with a non-zero imaginary part.

    Example:
        >>> real_float64([1.0, 2.0 + 0j], "x", "a real array")
        array([1., 2.])
        >>> real_float64([1j], "x", "a real array")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: x must be a real array; got a complex array of shape (1,) with non-zero ...
        >>> real_float64(["1", "2"], "x", "a real array")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: x must be a real array; got strings (an array of dtype <U1, shape (2,))...
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"{argument} must be {expected}; got the {type(value).__name__} {value[:40]!r}."
        )
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise _conversion_error(value, argument, expected, error) from error
    if raw.dtype.kind in "US" or (
        raw.dtype == object and any(isinstance(item, (str, bytes)) for item in raw.flat)
    ):
        raise TypeError(
            f"{argument} must be {expected}; got strings (an array of dtype {raw.dtype}, "
            f"shape {raw.shape}). Numeric strings are not parsed: convert them to numbers "
            "first (e.g. np.asarray(value, dtype=float))."
        )
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


def check_generator_storage(constructor: str, count: int, d: int) -> None:
    """Refuses ``count`` dense generators ``(d, d)`` beyond `MAX_GENERATOR_BYTES`.

    Called by the constructors before they allocate, so that ``SO(10**6)`` is an error
    at once instead of exhausting memory.

    Args:
        constructor: the call, for the error message (``"SO(n) with n = 1000"``).
        count: number of generators (Lie-algebra and discrete together; at least 1 is
            counted, so that one matrix ``(d, d)`` is checked too).
        d: their size.

    Raises:
        ValueError: if ``max(count, 1) * d * d * 8`` bytes exceed `MAX_GENERATOR_BYTES`.

    Example:
        >>> check_generator_storage("SO(n) with n = 3", 3, 3)
        >>> check_generator_storage("SO(n) with n = 1000", 499500, 1000)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: SO(n) with n = 1000 needs 499500 dense generators (1000, 1000): 4.0e+12 ...
    """
    needed = max(int(count), 1) * int(d) * int(d) * 8  # Python ints: no overflow
    if needed > MAX_GENERATOR_BYTES:
        raise ValueError(
            f"{constructor} needs {count} dense generators ({d}, {d}): {needed:.1e} bytes, "
            f"more than the limit of {MAX_GENERATOR_BYTES:.1e} bytes "
            "(groups._arrays.MAX_GENERATOR_BYTES); expected a size whose generators fit."
        )
