"""The orbit strategy: invariants of (signed) permutation actions, exact and sparse.

When every discrete generator permutes the coordinates of R^d (possibly with signs), it
permutes the index tuples of ``V**k`` as well, and a vector is invariant exactly when it is
constant on each orbit of tuples. With signs, track each tuple twice (``+`` and ``-``
copies): an orbit that reaches both copies of a tuple forces it to zero; any other orbit
pair gives one invariant vector with entries ``±1``. Orbits are the connected components
of a graph with one edge per (tuple, generator), found in time linear in ``N = d**k``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from emlp_core.basis import Basis

__all__ = ["signed_permutation", "tuple_images", "orbit_basis", "orbit_count"]


def signed_permutation(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(perm, signs)`` with ``matrix @ e_i = signs[i] * e_{perm[i]}``, or None if it is not one.

    Example:
        >>> signed_permutation(np.array([[0.0, -1.0], [1.0, 0.0]]))
        (array([1, 0]), array([ 1., -1.]))
    """
    d = matrix.shape[0]
    nonzero = matrix != 0
    if not (np.all(nonzero.sum(axis=0) == 1) and np.all(nonzero.sum(axis=1) == 1)):
        return None
    perm = np.argmax(nonzero, axis=0)
    signs = matrix[perm, np.arange(d)]
    if not np.all(np.abs(signs) == 1.0):
        return None
    return perm, signs.astype(np.float64)


def tuple_images(slots: list[tuple[np.ndarray, np.ndarray]], dims: list[int]):
    """Image index and sign of every index tuple under one signed permutation per slot.

    Args:
        slots: ``(perm, signs)`` acting on each slot (slot ``j`` has ``dims[j]`` values).
        dims: the slot sizes; tuples are flattened row-major.
    """
    size = int(np.prod(dims, dtype=np.int64))
    flat = np.arange(size, dtype=np.int64)
    image = np.zeros(size, dtype=np.int64)
    sign = np.ones(size, dtype=np.float64)
    stride = size
    for (perm, signs), d in zip(slots, dims, strict=True):
        stride //= d
        digit = (flat // stride) % d
        image = image * d + perm[digit]
        sign *= signs[digit]
    return image, sign


def _components(generators: list[list], dims: list[int]):
    """Labels of the signed orbit graph on ``2N`` nodes (node ``f + N`` is tuple ``f`` negated)."""
    size = int(np.prod(dims, dtype=np.int64))
    signed = any(np.any(signs < 0) for slots in generators for _, signs in slots)
    nodes = 2 * size if signed else size
    sources, targets = [], []
    for slots in generators:
        image, sign = tuple_images(slots, dims)
        flat = np.arange(size, dtype=np.int64)
        if signed:
            flip = (sign < 0).astype(np.int64) * size
            sources += [flat, flat + size]
            targets += [image + flip, image + size - flip]
        else:
            sources.append(flat)
            targets.append(image)
    if sources:
        rows, cols = np.concatenate(sources), np.concatenate(targets)
    else:
        rows = cols = np.zeros(0, dtype=np.int64)
    graph = scipy.sparse.coo_array(
        (np.ones(rows.size, np.int8), (rows, cols)), shape=(nodes, nodes)
    )
    _, labels = connected_components(graph, directed=True, connection="weak")
    return labels, signed, size


def orbit_basis(generators: list[list], dims: list[int]) -> Basis:
    """Orthonormal orbit-form `Basis` ``(prod(dims), r)`` of the invariants of signed permutations.

    Args:
        generators: for each generator, the ``(perm, signs)`` acting on each tensor slot
            (``V`` and ``V.T`` of a group act alike: signed permutation matrices are
            orthogonal).
        dims: the slot sizes.

    Returns:
        one column per consistent orbit, entries ``±1/sqrt(orbit size)``; columns ordered
        by their smallest tuple; tuples in inconsistent orbits are zero.

    Example:
        >>> swap = (np.array([1, 0]), np.ones(2))
        >>> orbit_basis([[swap, swap]], [2, 2]).toarray().round(3)  # (0,0)+(1,1) and (0,1)+(1,0)
        array([[0.707, 0.   ],
               [0.   , 0.707],
               [0.   , 0.707],
               [0.707, 0.   ]])
    """
    labels, signed, size = _components(generators, dims)
    rows = np.arange(size, dtype=np.int64)  # the tuples in consistent orbits
    if signed:
        plus, minus = labels[:size], labels[size:]
        consistent = plus != minus
        rows = rows[consistent]
        plus, minus = plus[consistent], minus[consistent]
        canonical = np.minimum(plus, minus)
        values = np.where(plus == canonical, 1.0, -1.0)
    else:
        canonical, values = labels, np.ones(size)
    _, first, inverse, counts = np.unique(
        canonical, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.argsort(rows[first])  # columns ordered by the smallest tuple of their orbit
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    column = np.full(size, order.size, dtype=np.int64)
    value = np.zeros(size)
    column[rows] = rank[inverse]
    value[rows] = values / np.sqrt(counts[inverse])
    return Basis.from_orbits(column, value, order.size)


def orbit_count(generators: list[list], dims: list[int]) -> int:
    """Number of invariants (consistent orbits), without building the basis."""
    labels, signed, size = _components(generators, dims)
    if not signed:
        return int(np.unique(labels).size)
    plus, minus = labels[:size], labels[size:]
    return int(np.unique(np.minimum(plus, minus)[plus != minus]).size)
