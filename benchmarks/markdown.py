"""Markdown building blocks of the benchmark summary: tables, numbers, cells.

Example:
    >>> print(table(["case", "seconds"], "-:", [["`V**2`", number(0.01234)], ["a|b", None]]))
    | case | seconds |
    |---|---:|
    | `V**2` | 0.0123 |
    | a\\|b | – |
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["table", "number", "ratio", "cell", "DASH"]

DASH = "–"
"""What a table shows for a value that is missing or cannot be computed."""


def cell(value: object) -> str:
    """``value`` as the text of one table cell: ``None`` is `DASH`, ``|`` is escaped.

    Example:
        >>> cell(None), cell("a|b"), cell(3)
        ('–', 'a\\\\|b', '3')
    """
    if value is None:
        return DASH
    return str(value).replace("|", "\\|").replace("\n", " ")


def number(value: float | None, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures (``.3g``), or `DASH` for ``None``.

    Example:
        >>> number(0.0001234), number(1234.5), number(None)
        ('0.000123', '1.23e+03', '–')
    """
    return DASH if value is None else f"{value:.{digits}g}"


def ratio(numerator: float | None, denominator: float | None, digits: int = 2) -> str:
    """``numerator / denominator`` with ``digits`` decimals; `DASH` if either is missing
    or the denominator is zero.

    Example:
        >>> ratio(3.0, 2.0), ratio(1.0, 0.0), ratio(None, 2.0)
        ('1.50', '–', '–')
    """
    if numerator is None or not denominator:
        return DASH
    return f"{numerator / denominator:.{digits}f}"


def table(header: Sequence[str], align: str, rows: Sequence[Sequence[object]]) -> str:
    """A markdown table; ``align`` has one character per column, ``-`` left, ``:`` right.

    Raises:
        ValueError: if ``align`` or a row does not have one entry per column.
    """
    if len(align) != len(header) or set(align) - {"-", ":"}:
        raise ValueError(f"align needs one '-' or ':' per column of {list(header)}; got {align!r}")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if a == "-" else "---:" for a in align) + "|",
    ]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row {list(row)} has {len(row)} cells; the table has {len(header)}")
        lines.append("| " + " | ".join(cell(value) for value in row) + " |")
    return "\n".join(lines)
