"""Checks of scalar arguments (counts, sizes, seeds, tolerances, flags), one rule for all.

Every package checks its integer, real and boolean options with these helpers, so the
same value is accepted or refused alike everywhere:

* **integers** (`check_int`, `check_seed`): Python ints, numpy integer scalars
  (``np.int64(3)``) and 0-d integer arrays (``np.array(3)``, a JAX scalar). Floats are
  never truncated, not even ``2.0``; bools are never integers.
* **reals** (`check_real`): the integers above, Python floats, numpy real scalars and 0-d
  real arrays. Bools, complex numbers and strings are refused; so are NaN and infinities.
* **flags** (`check_bool`): ``True``/``False`` and ``np.True_``/``np.False_`` only.

A value of the wrong type raises `TypeError`; a value of the right type outside the
allowed range (NaN and infinities included) raises `ValueError`. Every message names the
argument, the value given and what is expected, e.g. ``n_samples must be an integer >= 1;
got 0.``. The checked value is returned as a plain Python ``int``, ``float`` or ``bool``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_int", "check_real", "check_seed", "check_bool"]


def check_int(
    value,
    argument: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    optional: bool = False,
    where: str = "",
) -> int | None:
    """``value`` as an int in ``[minimum, maximum]`` (both bounds inclusive, None: none).

    Args:
        value: the value to check.
        argument: its name, for the message (``"n_samples"``).
        minimum: smallest allowed value, or None.
        maximum: largest allowed value, or None.
        optional: accept None too (and return it).
        where: the function or class checking it, prefixed to the message (``"EMLP"``).

    Returns:
        ``int(value)``, or None for an optional None.

    Raises:
        TypeError: if ``value`` is not an integer (bools and floats such as ``2.0``
            included).
        ValueError: if ``value`` is outside ``[minimum, maximum]``.

    Example:
        >>> check_int(np.int64(3), "n_samples", minimum=1)
        3
        >>> check_int(0, "n_samples", minimum=1)
        Traceback (most recent call last):
        ...
        ValueError: n_samples must be an integer >= 1; got 0.
        >>> check_int(2.0, "ch", minimum=1, where="EMLP")
        Traceback (most recent call last):
        ...
        TypeError: EMLP: ch must be an integer >= 1; got float 2.0.
    """
    expected = "an integer" + _range_text(minimum, maximum, False, False)
    if optional and value is None:
        return None
    if not _is_number(value, numbers.Integral, "iu"):
        raise _type_error(value, argument, expected, optional, where)
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise _value_error(number, argument, expected, optional, where)
    return number


def check_real(
    value,
    argument: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
    optional: bool = False,
    where: str = "",
    hint: str = "",
) -> float | None:
    """``value`` as a finite float within the given bounds.

    ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` exclusive ones (give
    at most one of each pair): ``above=0`` for a positive tolerance, ``above=0, below=1``
    for a relative cut-off in ``(0, 1)``, ``minimum=0, below=1`` for ``[0, 1)``.

    Args:
        value: the value to check.
        argument: its name, for the message (``"tol"``).
        minimum: smallest allowed value, or None.
        maximum: largest allowed value, or None.
        above: the value must be greater than this, or None.
        below: the value must be less than this, or None.
        optional: accept None too (and return it).
        where: the function or class checking it, prefixed to the message.
        hint: text appended to what is expected (``" (e.g. 1.0)"``).

    Returns:
        ``float(value)``, or None for an optional None.

    Raises:
        TypeError: if ``value`` is not a real number (bools, complex numbers, strings and
            arrays of more than one number included).
        ValueError: if ``value`` is NaN, infinite or outside the bounds.

    Example:
        >>> check_real(np.float32(0.5), "tol", above=0, below=1)
        0.5
        >>> check_real(1, "tol", above=0, below=1)
        Traceback (most recent call last):
        ...
        ValueError: tol must be a finite real number in (0, 1); got 1.0.
        >>> check_real(float("nan"), "scale", minimum=0)
        Traceback (most recent call last):
        ...
        ValueError: scale must be a finite real number >= 0; got nan.
        >>> check_real(True, "init_gain", above=0, where="Linear")
        Traceback (most recent call last):
        ...
        TypeError: Linear: init_gain must be a finite real number > 0; got bool True.
    """
    if minimum is not None and above is not None or maximum is not None and below is not None:
        raise ValueError("check_real takes at most one lower bound and one upper bound.")
    lower = (minimum, False) if above is None else (above, True)
    upper = (maximum, False) if below is None else (below, True)
    expected = "a finite real number" + _range_text(lower[0], upper[0], lower[1], upper[1])
    expected += hint
    if optional and value is None:
        return None
    if not _is_number(value, numbers.Real, "iuf"):
        raise _type_error(value, argument, expected, optional, where)
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        number = math.inf if value > 0 else -math.inf
    if not (
        math.isfinite(number)
        and (lower[0] is None or number > lower[0] or (not lower[1] and number == lower[0]))
        and (upper[0] is None or number < upper[0] or (not upper[1] and number == upper[0]))
    ):
        raise _value_error(number, argument, expected, optional, where)
    return number


def check_seed(value, argument: str = "seed", *, where: str = "") -> int:
    """``value`` as a seed of ``numpy.random.default_rng``: an integer ``>= 0``.

    Example:
        >>> check_seed(np.uint8(7))
        7
        >>> check_seed(-1)
        Traceback (most recent call last):
        ...
        ValueError: seed must be an integer >= 0; got -1.
    """
    return check_int(value, argument, minimum=0, where=where)


def check_bool(value, argument: str, *, where: str = "") -> bool:
    """``value`` as a bool: only ``True``/``False`` (or numpy bools), never 0, 1 or None.

    Example:
        >>> check_bool(np.True_, "strict")
        True
        >>> check_bool(1, "strict")
        Traceback (most recent call last):
        ...
        TypeError: strict must be True or False; got int 1.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise _type_error(value, argument, "True or False", False, where)
    return bool(value)


def _is_number(value, kind: type, dtype_kinds: str) -> bool:
    """Whether ``value`` is a ``kind`` number (never a bool) or a 0-d array of one."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, kind):
        return True
    dtype, shape = getattr(value, "dtype", None), getattr(value, "shape", None)
    try:
        return shape == () and np.dtype(dtype).kind in dtype_kinds
    except TypeError:  # a dtype attribute that is not a dtype
        return False


def _range_text(low, high, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def _message(argument: str, expected: str, optional: bool, where: str, got: str) -> str:
    prefix = f"{where}: " if where else ""
    return f"{prefix}{argument} must be {expected}{' or None' if optional else ''}; got {got}."


def _type_error(value, argument: str, expected: str, optional: bool, where: str) -> TypeError:
    shown = repr(value) if not isinstance(value, np.generic) else str(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    got = "None" if value is None else f"{type(value).__name__} {shown}"
    return TypeError(_message(argument, expected, optional, where, got))


def _value_error(number, argument: str, expected: str, optional: bool, where: str) -> ValueError:
    return ValueError(_message(argument, expected, optional, where, repr(number)))
