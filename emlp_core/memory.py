"""The memory limit checked before any large allocation (``EMLP_SOLVER_MEMORY_GB``)."""

from __future__ import annotations

import math
import os

__all__ = ["memory_limit_bytes", "check_memory", "format_bytes"]

DEFAULT_LIMIT_GB = 4.0


def memory_limit_bytes() -> float:
    """The limit in bytes: ``$EMLP_SOLVER_MEMORY_GB`` GiB, default 4 GiB.

    Raises:
        ValueError: unless the variable is a finite positive number (``nan``, ``inf``, ``0``
            or a negative value would disable or break the guard).

    Example:
        >>> memory_limit_bytes() > 0
        True
    """
    value = os.environ.get("EMLP_SOLVER_MEMORY_GB", str(DEFAULT_LIMIT_GB))
    try:
        gib = float(value)
    except ValueError:
        gib = math.nan
    if not (math.isfinite(gib) and gib > 0):
        raise ValueError(
            f"EMLP_SOLVER_MEMORY_GB must be a finite positive number of GiB (e.g. 4 or 0.5); "
            f"got {value!r}. Unset it for the default of {DEFAULT_LIMIT_GB:g} GiB."
        )
    return gib * 2**30


def format_bytes(value: float) -> str:
    """``1536 -> '1.5 KiB'``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def check_memory(estimate: float, what: str) -> None:
    """Raises a ValueError naming ``what``, the estimate and the limit if over the limit."""
    limit = memory_limit_bytes()
    if estimate > limit:
        raise ValueError(
            f"{what} needs about {format_bytes(estimate)}, above the limit of "
            f"{format_bytes(limit)} (EMLP_SOLVER_MEMORY_GB); use a lower tensor rank, another "
            "strategy, or raise the limit."
        )
