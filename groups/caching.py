"""One registry of the in-process caches, so one call empties every one of them.

Every memoised function of the toolkit is declared with `cached` (an ``lru_cache`` that
registers itself), and every other in-process store registers its ``clear`` with
`register`; `clear_all` (called by `emlp_core.solver.clear_cache`) then forgets element
tables, character tables, subgroup searches, atom images, bases, layouts and compiled
layer programs alike. Reason: a benchmark timing a cold start, or a test isolating one
case, needs one switch, not a list that goes stale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

__all__ = ["cached", "register", "clear_all"]

_CLEARERS: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Adds a store's ``clear`` function to the registry; returns it.

    Example:
        >>> store = {"a": 1}
        >>> _ = register(store.clear)
        >>> clear_all(); store
        {}
    """
    _CLEARERS.append(clear)
    return clear


def cached(maxsize: int | None = 128):
    """``functools.lru_cache(maxsize)`` that `clear_all` empties.

    Example:
        >>> @cached(maxsize=4)
        ... def square(x):
        ...     return x * x
        >>> square(3), square.cache_info().currsize
        (9, 1)
        >>> clear_all(); square.cache_info().currsize
        0
    """

    def decorate(function):
        memoised = functools.lru_cache(maxsize=maxsize)(function)
        register(memoised.cache_clear)
        return memoised

    return decorate


def clear_all() -> None:
    """Empties every registered cache."""
    for clear in _CLEARERS:
        clear()
