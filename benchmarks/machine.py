"""The machine a benchmark ran on: platform, CPU count and library versions.

`benchmarks.layers` stores `machine_info` in every record, and `benchmarks.summary`
writes it (or the machine it runs on, for records that carry none) at the top of
``benchmarks/RESULTS.md``, so a table of timings always says where it was measured.

Example:
    >>> info = machine_info()
    >>> sorted(info)
    ['cpu_count', 'jax', 'numpy', 'platform', 'python']
    >>> describe_machine({"platform": "Linux-x86_64", "cpu_count": 2, "python": "3.11.7"})
    'Linux-x86_64, 2 CPUs, Python 3.11.7'
"""

from __future__ import annotations

import json
import os
import platform
from importlib import metadata
from pathlib import Path

__all__ = ["machine_info", "describe_machine", "write_records"]

_LIBRARIES = ("jax", "numpy")


def machine_info() -> dict:
    """``{platform, cpu_count, python, jax, numpy}`` of this process (a version is None if
    the library is not installed)."""
    info: dict = {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    for name in _LIBRARIES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = None
    return info


def describe_machine(info: dict | str) -> str:
    """One line for a machine record: `machine_info`'s dict, or the text a benchmark stored.

    Other keys of a dict (such as the ``machine`` and ``python`` of the groups benchmark's
    file) are written as ``key value``.

    Args:
        info: a dict of machine facts, or a plain description.

    Returns:
        The facts joined by commas, in a fixed order.

    Raises:
        TypeError: if ``info`` is neither a dict nor a string.

    Example:
        >>> describe_machine({"machine": "Linux-x86_64", "python": "3.11.7"})
        'Linux-x86_64, Python 3.11.7'
        >>> describe_machine({"platform": "Linux", "jax": "0.4.30", "numpy": None})
        'Linux, jax 0.4.30'
    """
    if isinstance(info, str):
        return info
    if not isinstance(info, dict):
        raise TypeError(f"a machine record is a dict or a string; got {type(info).__name__}")
    parts = []
    for key, value in info.items():
        if value is None:
            continue
        if key in ("platform", "machine"):
            parts.insert(0, str(value))
        elif key == "cpu_count":
            parts.append(f"{value} CPUs")
        elif key == "python":
            parts.append(f"Python {value}")
        else:
            parts.append(f"{key} {value}")
    return ", ".join(parts)


def write_records(path: Path, records: list[dict], indent: int = 1) -> list[dict]:
    """Stamps each record with `machine_info`, writes them as a JSON list to ``path``
    (creating its folder) and says so; returns the stamped records.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "out" / "records.json"
        >>> [sorted(r) for r in write_records(path, [{"case": "a"}])]  # doctest: +ELLIPSIS
        wrote .../out/records.json
        [['case', 'machine']]
    """
    machine = machine_info()
    records = [r | {"machine": machine} for r in records]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=indent))
    print(f"wrote {path}")
    return records
