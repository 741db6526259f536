"""Conjugacy classes and the centre of an enumerable finite group (index arithmetic).

The class of ``g`` is its orbit under conjugation by the generators (they generate the
group, so the orbit is the whole class): the connected components of the graph with an
edge ``i -> index(h_k g_i h_k^{-1})`` for every element and generator
(`groups.enumeration.ElementTable.conjugation`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from groups.enumeration import MAX_ENUMERATED_ORDER, element_table

__all__ = ["ConjugacyClasses", "conjugacy_classes", "center"]


class ConjugacyClasses(NamedTuple):
    """The conjugacy classes of a finite group, the identity's first.

    Attributes:
        representatives: int64 ``(c,)``, the first element (breadth-first index) of each class.
        sizes: int64 ``(c,)``, the number of elements of each class.
        labels: int64 ``(n,)``, the class of each element of `groups.enumeration.element_table`.
    """

    representatives: np.ndarray
    sizes: np.ndarray
    labels: np.ndarray


def conjugacy_classes(group, limit: int = MAX_ENUMERATED_ORDER) -> ConjugacyClasses:
    """Conjugacy classes, ordered by size, then by representative.

    Raises:
        ValueError: as `groups.enumeration.element_table` (a Lie group, or too many elements).

    Example:
        >>> from groups import S
        >>> classes = conjugacy_classes(S(4))
        >>> classes.sizes.tolist()  # e, double transpositions, transpositions, 3- and 4-cycles
        [1, 3, 6, 6, 8]
    """
    table = element_table(group, limit)
    n = table.order
    conjugation = table.conjugation()
    rows = np.tile(np.arange(n), len(conjugation))
    graph = scipy.sparse.coo_array(
        (np.ones(rows.size, np.int8), (rows, conjugation.reshape(-1))), shape=(n, n)
    )
    _, components = connected_components(graph, directed=True, connection="weak")
    _, first, sizes = np.unique(components, return_index=True, return_counts=True)
    order = np.lexsort((first, sizes))  # by size, then by representative
    relabel = np.empty_like(order)
    relabel[order] = np.arange(order.size)
    return ConjugacyClasses(
        first[order].astype(np.int64), sizes[order].astype(np.int64), relabel[components]
    )


def center(group, limit: int = MAX_ENUMERATED_ORDER) -> np.ndarray:
    """Indices (into `groups.enumeration.element_table`) of the central elements.

    Example:
        >>> from groups import D
        >>> center(D(4)).size, center(D(5)).size
        (2, 1)
    """
    classes = conjugacy_classes(group, limit)
    central = classes.representatives[classes.sizes == 1]
    return np.sort(central)
