"""Every element of a finite group, indexed, with its multiplication by the generators.

`element_table(group)` closes the identity under right multiplication by the discrete
generators (breadth first; a finite group's inverses are positive words) and records

* ``matrices``: float64 ``(n, d, d)``, element ``0`` the identity, in breadth-first order;
* ``left[k]``, ``right[k]``: int64 ``(n,)``, the index of ``h_k g_i`` and of ``g_i h_k``;

so the regular representation, conjugacy classes and cosets are index arithmetic.

Elements are told apart by exact keys: signed-permutation and integer matrices are
exact; any other real matrix is rounded to a grid of `KEY_DECIMALS` decimals first (two
elements closer than ``1e-9`` in every entry would be merged, which never happens for the
built-in groups; a group whose products drift off the grid by rounding raises instead of
growing past `MAX_ENUMERATED_ORDER`).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from groups.caching import cached
from groups.checks import check_int

__all__ = ["ElementTable", "element_table", "MAX_ENUMERATED_ORDER", "KEY_DECIMALS"]

MAX_ENUMERATED_ORDER = 100_000
"""Default largest order enumerated; larger groups raise (permutation groups still have
`groups.Group.order` through Schreier–Sims)."""
KEY_DECIMALS = 9
_MAX_TABLE_BYTES = 2**30


def _key(matrix: np.ndarray) -> bytes:
    return (np.round(matrix, KEY_DECIMALS) + 0.0).tobytes()


class ElementTable:
    """The enumerated elements of a finite group (build it with `element_table`).

    Attributes:
        group: the `groups.Group`.
        matrices: float64 ``(n, d, d)``, read-only; ``matrices[0]`` is the identity.
        left: int64 ``(M, n)``; ``left[k, i]`` is the index of ``h_k @ g_i``.
        right: int64 ``(M, n)``; ``right[k, i]`` is the index of ``g_i @ h_k``.

    Example:
        >>> from groups import D
        >>> table = element_table(D(4))
        >>> table.order, table.index(D(4).discrete_generators[1])
        (8, 2)
    """

    def __init__(self, group, matrices: np.ndarray, keys: dict, left, right):
        self.group, self.matrices, self._keys = group, matrices, keys
        self.left, self.right = left, right
        for array in (matrices, left, right):
            array.setflags(write=False)

    @property
    def order(self) -> int:
        return int(self.matrices.shape[0])

    def index(self, matrix) -> int:
        """The index of a ``(d, d)`` element; ValueError if it is not one."""
        matrix = np.asarray(matrix, dtype=np.float64)
        found = self._keys.get(_key(matrix)) if matrix.shape == self.matrices.shape[1:] else None
        if found is None:
            raise ValueError(f"the matrix is not an element of {self.group!r}.")
        return found

    def multiply(self, i: int, j: int) -> int:
        """The index of ``g_i @ g_j``."""
        return self.index(self.matrices[i] @ self.matrices[j])

    def inverses(self) -> np.ndarray:
        """int64 ``(n,)``: the index of each element's inverse."""
        return np.array([self.index(np.linalg.inv(g)) for g in self.matrices], dtype=np.int64)

    def conjugation(self) -> np.ndarray:
        """int64 ``(M, n)``: the index of ``h_k g_i h_k^{-1}`` (index arithmetic only)."""
        out = np.empty_like(self.left)
        for k in range(self.left.shape[0]):
            times_inverse = np.empty_like(self.right[k])  # index of g_i h_k^{-1}
            times_inverse[self.right[k]] = np.arange(self.order)
            out[k] = self.left[k][times_inverse]
        return out


def _check_finite(group) -> None:
    if group.lie_dimension:
        raise ValueError(
            f"{group!r} has a Lie algebra ({group.lie_dimension} generators): it is infinite, "
            "so its elements cannot be listed."
        )


def element_table(group, limit: int = MAX_ENUMERATED_ORDER) -> ElementTable:
    """All elements of the finite ``group``, by closure; cached per group key and limit.

    Args:
        group: a `groups.Group` without a Lie algebra.
        limit: largest order accepted, an integer ``>= 1``.

    Returns:
        `ElementTable`.

    Raises:
        TypeError: if ``limit`` is not an integer.
        ValueError: for a group with a Lie algebra, one with more than ``limit`` elements
            (or whose table would exceed 1 GiB), or a product of generators that drifts
            off the key grid (found as an ever-growing closure).

    Example:
        >>> from groups import S
        >>> element_table(S(4)).order
        24
    """
    from groups.group import Group

    if not isinstance(group, Group):
        raise TypeError(f"element_table needs a groups.Group; got {type(group).__name__}.")
    _check_finite(group)
    limit = check_int(limit, "limit", minimum=1)
    return _table(group, limit)


@cached(maxsize=16)
def _table(group, limit: int) -> ElementTable:
    d = group.d
    most = max(1, min(limit, _MAX_TABLE_BYTES // (8 * d * d)))
    generators = np.asarray(group.discrete_generators)
    identity = np.eye(d)
    matrices = [identity]
    keys = {_key(identity): 0}
    right: list[list[int]] = [[] for _ in generators]
    queue = deque([0])
    while queue:
        i = queue.popleft()
        for k, h in enumerate(generators):
            product = matrices[i] @ h
            key = _key(product)
            j = keys.get(key)
            if j is None:
                if len(matrices) >= most:
                    raise ValueError(
                        f"{group!r} has more than {most} elements (limit {limit}; dense "
                        f"({d}, {d}) matrices); use group.order() for permutation groups, or "
                        "raise limit."
                    )
                j = keys[key] = len(matrices)
                matrices.append(product)
                queue.append(j)
            right[k].append(j)
    stacked = np.array(matrices)
    left = np.array(
        [[keys[_key(h @ g)] for g in stacked] for h in generators], dtype=np.int64
    ).reshape(len(generators), len(stacked))
    return ElementTable(
        group, stacked, keys, left, np.array(right, dtype=np.int64).reshape(left.shape)
    )
