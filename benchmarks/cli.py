"""Argument types for the benchmark command lines: bad values fail at parse time.

Each function here is an argparse ``type=``: it turns the text of one command-line value
into the value the program uses, or raises `argparse.ArgumentTypeError`, which argparse
reports as ``error: argument --flag: <message>`` with exit status 2 before the program
builds a dataset or trains anything. Every message quotes the value received.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="bench")
    >>> _ = parser.add_argument("--ch", type=positive_int, default=384)
    >>> parser.parse_args(["--ch", "32"]).ch
    32
    >>> positive_int("-3")
    Traceback (most recent call last):
        ...
    argparse.ArgumentTypeError: expected a positive integer; got '-3'
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "integer_in_range",
    "positive_int",
    "non_negative_int",
    "seed",
    "positive_real",
    "real_at_least",
    "output_file",
    "default_output_file",
    "output_directory",
    "input_file",
    "reject_duplicates",
    "MAX_SEED",
]

MAX_SEED = 2**32 - 1
"""Largest accepted ``--seeds`` value: seeds are 32-bit (programs derive ``3 * seed + 2``)."""


def integer_in_range(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type for integers in ``[minimum, maximum]`` (``maximum=None``: no bound).

    Args:
        minimum: the smallest accepted value.
        maximum: the largest accepted value, or None.

    Returns:
        A function of one string returning the int, or raising `argparse.ArgumentTypeError`
        that names the range and quotes the text.

    Example:
        >>> integer_in_range(2, 5)("4")
        4
        >>> integer_in_range(2, 5)("9")
        Traceback (most recent call last):
            ...
        argparse.ArgumentTypeError: expected an integer in [2, 5]; got '9'
    """
    if maximum is None:
        expected = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}"
        )
    else:
        expected = f"an integer in [{minimum}, {maximum}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return value

    parse.__name__ = expected.replace(" ", "_")
    return parse


positive_int = integer_in_range(1)
"""Sizes, epochs, channels, batch sizes, repeats: an integer >= 1."""
non_negative_int = integer_in_range(0)
"""Counts where zero means "none" (layers, rebuilds): an integer >= 0."""
seed = integer_in_range(0, MAX_SEED)
"""A random seed: an integer in ``[0, MAX_SEED]``."""


def real_at_least(minimum: float, *, inclusive: bool = True) -> Callable[[str], float]:
    """An argparse type for finite reals ``>= minimum`` (``> minimum`` if not ``inclusive``).

    ``nan``, ``inf`` and values that overflow to infinity (``1e400``) are refused.

    Example:
        >>> real_at_least(1.0)("2.5")
        2.5
        >>> real_at_least(1.0)("nan")
        Traceback (most recent call last):
            ...
        argparse.ArgumentTypeError: expected a finite number >= 1; got 'nan'
    """
    expected = f"a finite number {'>=' if inclusive else '>'} {minimum:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}") from None
        too_small = value < minimum if inclusive else value <= minimum
        if not math.isfinite(value) or too_small:
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return value

    parse.__name__ = expected.replace(" ", "_")
    return parse


positive_real = real_at_least(0.0, inclusive=False)
"""Scales (``--sample-scale``): a finite real > 0."""


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (the current directory at worst)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _check_creatable_directory(directory: Path, text: str, role: str) -> None:
    """Raises unless ``directory`` is, or can be made as, a writable directory."""
    existing = _nearest_existing(directory.absolute())
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(
            f"{role} of {text!r} cannot be created: {str(existing)!r} is not a directory"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(
            f"{role} of {text!r} cannot be written: {str(existing)!r} is not writable"
        )


def output_file(text: str) -> Path:
    """An argparse type for a JSON output file, checked before any work is done.

    The path must name a file (not an existing directory, no trailing separator) whose
    parent directory exists or can be created (its nearest existing ancestor is a
    writable directory); an existing file must be writable. Nothing is created here.

    Raises:
        argparse.ArgumentTypeError: naming the path and what is wrong with it.

    Example:
        >>> output_file("benchmarks/results/o5.json")
        PosixPath('benchmarks/results/o5.json')
        >>> output_file(".")
        Traceback (most recent call last):
            ...
        argparse.ArgumentTypeError: expected a file path; got '.', an existing directory
    """
    if not text or text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"expected a file path; got {text!r}")
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"expected a file path; got {text!r}, an existing directory"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"output file {text!r} exists and is not writable")
    _check_creatable_directory(path.parent, text, "the parent directory")
    return path


def default_output_file(parser: argparse.ArgumentParser, text: str, flag: str = "--out") -> Path:
    """`output_file` for a default chosen after parsing; exits through ``parser.error``.

    argparse converts only string defaults, and only at parse time; a default that depends
    on other flags (``benchmarks/results/<task>.json``) or that only some modes use is
    checked with this instead.

    Example:
        >>> default_output_file(argparse.ArgumentParser(), "benchmarks/results/o5.json")
        PosixPath('benchmarks/results/o5.json')
    """
    try:
        return output_file(text)
    except argparse.ArgumentTypeError as error:
        parser.error(f"argument {flag} (default {text!r}): {error}")


def output_directory(text: str) -> Path:
    """An argparse type for an output directory: existing and writable, or creatable.

    Raises:
        argparse.ArgumentTypeError: if the path is an existing file, or no directory can
            be created or written there.

    Example:
        >>> output_directory("benchmarks/results")
        PosixPath('benchmarks/results')
    """
    if not text:
        raise argparse.ArgumentTypeError(f"expected a directory path; got {text!r}")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"expected a directory path; got {text!r}, an existing file"
        )
    _check_creatable_directory(path, text, "the directory")
    return path


def input_file(text: str) -> Path:
    """An argparse type for a file to read: it must exist and be a regular file.

    Raises:
        argparse.ArgumentTypeError: if the file does not exist or is not a regular file.
    """
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"expected a file; got {text!r}, not a regular file")
    return path


def reject_duplicates(parser: argparse.ArgumentParser, flag: str, values: Sequence | None):
    """Exits through ``parser.error`` if ``values`` (one list-valued flag) repeats an entry.

    A repeated seed, size or method would train the same run twice and count it twice in
    the summary tables. ``values=None`` (flag absent) passes.

    Example:
        >>> parser = argparse.ArgumentParser(prog="bench")
        >>> reject_duplicates(parser, "--seeds", [0, 1, 2])
    """
    if values is None:
        return
    repeated = sorted({v for v in values if list(values).count(v) > 1}, key=str)
    if repeated:
        parser.error(f"argument {flag}: repeated values {repeated} in {list(values)}")


def fill_default_outputs(
    parser: argparse.ArgumentParser, args: argparse.Namespace, name: str
) -> argparse.Namespace:
    """Fills ``args.out`` and (if the parser has ``--figures``) ``args.figures`` when not given.

    ``--out`` defaults to ``benchmarks/results/<name>.json`` (``<name>_quick.json`` under
    ``--quick``); figures go to ``benchmarks/figures``, or beside ``--out`` under ``--quick``
    so that a smoke run never overwrites the figures of a full one.
    """
    quick = getattr(args, "quick", False)
    if args.out is None:
        suffix = "_quick" if quick else ""
        args.out = default_output_file(parser, f"benchmarks/results/{name}{suffix}.json")
    if getattr(args, "figures", "absent") is None:
        args.figures = args.out.parent if quick else output_directory("benchmarks/figures")
    return args
