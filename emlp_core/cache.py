"""Basis cache: in memory per process, and on disk under the user's cache directory.

Only solves that took at least `STORE_MIN_SECONDS` are written: a read entry is verified
(sound, orthonormal and complete, `emlp_core.verify`), which costs about as much as a
quick solve, so reading pays only for slow ones.

Disk location: ``$EMLP_CACHE_DIR`` if set (``off``, ``0``, ``none`` or an empty value
disable the disk cache), else ``$XDG_CACHE_HOME/emlp-toolkit``, else
``~/.cache/emlp-toolkit``; never inside the installed package. Entries are keyed by a hash
of the canonical tensor type, the group key, the tolerance and the strategy, written
atomically (a hidden temporary file renamed into place), and read with
``allow_pickle=False``. An unreadable or corrupt entry is ignored (and rebuilt by the
caller, who also rejects a readable entry that fails verification: see
`emlp_core.verify`); a directory that cannot be written only means nothing is stored. A
temporary file left by a writer that was killed is removed by the next `store` once it is
older than `STALE_TEMPORARY_S`. ``FORMAT_VERSION`` is part of every key: it changes when
the solver's results change, so an entry written under other rules is never served.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from emlp_core.basis import Basis

__all__ = [
    "cache_dir",
    "cache_key",
    "load",
    "store",
    "memory",
    "clear_memory",
    "remove_stale_temporaries",
]

FORMAT_VERSION = 3
STORE_MIN_SECONDS = 0.1  # quicker solves are not stored: solving beats reading and verifying
STALE_TEMPORARY_S = 600.0  # a temporary file this old belongs to a writer that died
_TEMPORARY_PATTERN = ".*-tmp.npz"
memory: dict[str, Basis] = {}


def clear_memory() -> None:
    """Forgets every basis held in memory (the disk cache is left alone)."""
    memory.clear()


def cache_dir() -> Path | None:
    """The disk-cache directory, or None when the disk cache is disabled."""
    value = os.environ.get("EMLP_CACHE_DIR")
    if value is not None:
        if value.strip().lower() in {"", "0", "off", "none", "false"}:
            return None
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "emlp-toolkit"


def cache_key(group_key: str, type_key: tuple, tol: float | None, strategy: str) -> str:
    """A stable hex key for one solved tensor type."""
    text = f"v{FORMAT_VERSION}|{group_key}|{type_key!r}|{tol!r}|{strategy}"
    return hashlib.sha256(text.encode()).hexdigest()


def _path(key: str) -> Path | None:
    directory = cache_dir()
    return None if directory is None else directory / f"{key}.npz"


def load(key: str) -> tuple[Basis, str] | None:
    """``(basis, strategy)`` cached for ``key``, or None if absent or unreadable."""
    path = _path(key)
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as data:
            if "dense" in data:
                dense = np.array(data["dense"], dtype=np.float64)
                if dense.ndim != 2 or not np.all(np.isfinite(dense)):
                    return None
                basis = Basis.from_dense(dense)
            else:
                value = np.array(data["value"], dtype=np.float64)
                if not np.all(np.isfinite(value)):
                    return None
                basis = Basis.from_orbits(data["column"], value, int(data["rank"]))
            strategy = str(data["strategy"]) if "strategy" in data else "unknown"
        return basis, strategy
    except Exception:  # noqa: BLE001 - any unreadable entry is simply rebuilt
        return None


def remove_stale_temporaries(directory: Path, max_age_s: float = STALE_TEMPORARY_S) -> int:
    """Deletes temporary files older than ``max_age_s`` seconds; returns how many."""
    removed, now = 0, time.time()
    for temporary in directory.glob(_TEMPORARY_PATTERN):
        try:
            if now - temporary.stat().st_mtime > max_age_s:
                temporary.unlink()
                removed += 1
        except OSError:  # another process removed or renamed it first
            continue
    return removed


def store(key: str, basis: Basis, strategy: str = "unknown") -> None:
    """Writes ``basis`` atomically; failures (read-only directory, full disk) are ignored."""
    path = _path(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{key[:16]}-", suffix="-tmp.npz"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                if basis.kind == "orbit":
                    np.savez(
                        file,
                        column=basis.column,
                        value=basis.value,
                        rank=np.array(basis.rank),
                        strategy=np.array(strategy),
                    )
                else:
                    np.savez(file, dense=basis.dense, strategy=np.array(strategy))
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        return
