"""JAX's persistent compilation cache, on by default next to the basis cache.

A second process that builds the same model compiles nothing it has compiled before: XLA
executables are stored in ``<basis cache>/xla`` (`emlp_core.cache.cache_dir`, e.g.
``~/.cache/emlp-toolkit/xla``) through JAX's own ``jax_compilation_cache_dir``. `enable`
runs when `layers` is imported and changes nothing when

* the user has chosen a JAX cache already (``jax_compilation_cache_dir`` or
  ``JAX_COMPILATION_CACHE_DIR`` set): theirs is kept;
* the disk cache is off (``EMLP_CACHE_DIR=off``, the basis cache's switch) or only this
  one is (``EMLP_COMPILATION_CACHE=off``);
* the directory cannot be created or written (a read-only home): compiling simply
  happens every time, without warnings.

JAX reads an unreadable or corrupt entry as a miss (with a warning) and compiles again, so
a damaged directory costs time, never results. Like any JAX setting it acts on
compilations after it is set: import `layers` before the first ``jax.jit`` call runs, or
call `enable` yourself.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jax

from emlp_core.cache import cache_dir

__all__ = ["compilation_cache_dir", "enable", "MIN_COMPILE_SECONDS"]

MIN_COMPILE_SECONDS = 0.2
"""Compilations quicker than this are not stored (reading an entry costs milliseconds)."""
_OFF = {"0", "off", "none", "false", "no"}


def compilation_cache_dir() -> Path | None:
    """Where executables are stored, or None when the compilation cache is switched off.

    Example:
        >>> directory = compilation_cache_dir()
        >>> directory is None or directory.name == "xla"
        True
    """
    if os.environ.get("EMLP_COMPILATION_CACHE", "").strip().lower() in _OFF:
        return None
    base = cache_dir()
    return None if base is None else base / "xla"


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
    except OSError:
        return False
    return True


def enable() -> Path | None:
    """Points JAX's persistent compilation cache at `compilation_cache_dir`.

    Returns:
        The directory now in use, or None when nothing was changed (a cache chosen by the
        user, the switch off, or a directory that cannot be written).
    """
    if jax.config.jax_compilation_cache_dir or os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return None
    directory = compilation_cache_dir()
    if directory is None or not _writable(directory):
        return None
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    return directory
