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
import scipy.sparse

__all__ = [
    "cache_dir",
    "cache_key",
    "load",
    "store",
    "memory",
    "clear_memory",
    "remove_stale_temporaries",
]

FORMAT_VERSION = 2
STORE_MIN_SECONDS = 0.1  # quicker solves are not stored: solving beats reading and verifying
STALE_TEMPORARY_S = 600.0  # a temporary file this old belongs to a writer that died
_TEMPORARY_PATTERN = ".*-tmp.npz"
memory: dict[str, np.ndarray | scipy.sparse.csc_array] = {}


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


def load(key: str):
    """``(basis, strategy)`` cached for ``key``, or None if absent or unreadable."""
    path = _path(key)
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as data:
            if "dense" in data:
                basis = np.array(data["dense"], dtype=np.float64)
            else:
                shape = tuple(int(v) for v in data["shape"])
                parts = (data["data"], data["indices"], data["indptr"])
                basis = scipy.sparse.csc_array(parts, shape=shape)
                basis.check_format(full_check=True)
            strategy = str(data["strategy"]) if "strategy" in data else "unknown"
        if basis.ndim != 2 or not np.all(
            np.isfinite(basis.data if scipy.sparse.issparse(basis) else basis)
        ):
            return None
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


def store(key: str, basis, strategy: str = "unknown") -> None:
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
                if scipy.sparse.issparse(basis):
                    csc = scipy.sparse.csc_array(basis)
                    np.savez(
                        file,
                        data=csc.data,
                        indices=csc.indices,
                        indptr=csc.indptr,
                        shape=np.array(csc.shape),
                        strategy=np.array(strategy),
                    )
                else:
                    np.savez(file, dense=np.asarray(basis), strategy=np.array(strategy))
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        return
