"""Cosets and transversals of subgroups, and minimal bases of permutation groups.

Element indices are those of `groups.enumeration.element_table`. Multiplying every element
by one element ``s`` is index arithmetic along the breadth-first word ``s = h_k1 ... h_kL``
of ``s``: ``g s`` applies ``right[k1]``, ..., ``right[kL]``; ``s g`` applies ``left[kL]``,
..., ``left[k1]``. So the cosets need no multiplication table, only the enumeration.

`min_regular_order` is the minimal base size of a permutation group: the smallest ``k`` for
which some basis tuple ``(i_1, ..., i_k)`` of ``V^{⊗k}`` has a trivial stabiliser, that is,
an orbit of ``|G|`` tuples (a copy of the regular representation inside ``V^{⊗k}``).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from groups.enumeration import MAX_ENUMERATED_ORDER, ElementTable, element_table
from groups.group import Group
from groups.subgroups import Subgroup, _words

__all__ = ["left_cosets", "right_cosets", "left_transversal", "min_regular_order"]


def _word(table: ElementTable, index: int) -> list[int]:
    """The generator indices ``k1 .. kL`` with ``g_index = h_k1 ... h_kL``."""
    parent, letter = _words(table)
    letters = []
    while index > 0:
        letters.append(int(letter[index]))
        index = int(parent[index])
    return letters[::-1]


def _times(table: ElementTable, index: int, side: str) -> np.ndarray:
    """int64 ``(n,)``: the index of ``g_i g_index`` (``side="right"``) or ``g_index g_i``."""
    image = np.arange(table.order)
    letters = _word(table, index)
    for k in letters if side == "right" else letters[::-1]:
        image = (table.right if side == "right" else table.left)[k][image]
    return image


def _subgroup_generators(group: Group, subgroup, what: str) -> tuple[ElementTable, list[int]]:
    """The element table of ``group`` and the indices of the generators of ``subgroup``."""
    if isinstance(subgroup, Subgroup):
        subgroup = subgroup.group
    for value, argument in ((group, "group"), (subgroup, "subgroup")):
        if not isinstance(value, Group):
            raise TypeError(f"{what} needs a groups.Group {argument}; got {type(value).__name__}.")
    table = element_table(group)  # ValueError for a Lie group
    if subgroup.d != group.d:
        raise ValueError(
            f"the subgroup acts on R^{subgroup.d} but {group!r} on R^{group.d}; give its "
            "generators as matrices of the group."
        )
    if subgroup.lie_dimension:
        raise ValueError(f"{subgroup!r} has a Lie algebra; cosets need a finite subgroup.")
    indices = []
    for number, h in enumerate(subgroup.discrete_generators):
        try:
            indices.append(table.index(h))
        except ValueError as error:
            raise ValueError(
                f"generator {number} of {subgroup!r} is not an element of {group!r}: it is not "
                "a subgroup."
            ) from error
    return table, indices


def _coset_labels(group: Group, subgroup, side: str, what: str) -> np.ndarray:
    table, indices = _subgroup_generators(group, subgroup, what)
    n = table.order
    heads = [_times(table, h, side) for h in indices] or [np.arange(n)]
    rows = np.tile(np.arange(n), len(heads))
    graph = scipy.sparse.coo_array(
        (np.ones(rows.size, np.int8), (rows, np.concatenate(heads))), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=True, connection="weak")
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse].astype(np.int64)


def left_cosets(group: Group, subgroup) -> np.ndarray:
    """The left coset ``gH`` of each element, numbered in order of first appearance.

    The same labels as `emlp_core.finite_reps.coset_labels`, without a multiplication table.

    Args:
        group: a finite `groups.Group`.
        subgroup: a `groups.Group` whose discrete generators are elements of ``group``, or
            a `groups.subgroups.Subgroup` of it.

    Returns:
        int64 ``(|G|,)``; coset ``0`` is ``H`` itself.

    Raises:
        TypeError: if an argument is not a Group (or Subgroup).
        ValueError: for a Lie group or subgroup, a subgroup on another ``R^d``, or one
            with a generator that is not an element of ``group`` (named in the message).

    Example:
        >>> from groups import S, Group
        >>> swap = Group(discrete_generators=S(3).discrete_generators[:1])
        >>> left_cosets(S(3), swap).tolist()
        [0, 0, 1, 2, 1, 2]
    """
    return _coset_labels(group, subgroup, "right", "left_cosets")


def right_cosets(group: Group, subgroup) -> np.ndarray:
    """The right coset ``Hg`` of each element, numbered in order of first appearance.

    Arguments, return value and errors as `left_cosets`.

    Example:
        >>> from groups import S, Group
        >>> swap = Group(discrete_generators=S(3).discrete_generators[:1])
        >>> right_cosets(S(3), swap).tolist()
        [0, 0, 1, 1, 2, 2]
    """
    return _coset_labels(group, subgroup, "left", "right_cosets")


def left_transversal(group: Group, subgroup) -> np.ndarray:
    """One representative of each left coset ``gH``: the element of least index in it.

    Args:
        group: a finite `groups.Group`.
        subgroup: as in `left_cosets`.

    Returns:
        int64 ``(|G : H|,)``, increasing; entry ``c`` lies in coset ``c`` of `left_cosets`
        (so entry ``0`` is the identity, ``0``).

    Raises:
        As `left_cosets`.

    Example:
        >>> from groups import S, Group
        >>> swap = Group(discrete_generators=S(3).discrete_generators[:1])
        >>> left_transversal(S(3), swap).tolist()
        [0, 2, 3]
    """
    labels = _coset_labels(group, subgroup, "right", "left_transversal")
    _, first = np.unique(labels, return_index=True)
    return first.astype(np.int64)


def _has_base(moves: np.ndarray, budget: int) -> bool:
    """Whether ``budget`` more points make the pointwise stabiliser ``moves`` trivial.

    ``moves`` is int64 ``(m, d)``, the permutations of a group (identity included).
    """
    if len(moves) == 1:
        return True
    if budget == 0:
        return False
    orbits, seen = [], np.zeros(moves.shape[1], bool)
    for point in np.flatnonzero((moves != np.arange(moves.shape[1])).any(axis=0)).tolist():
        if not seen[point]:
            orbit = np.unique(moves[:, point])
            seen[orbit] = True
            orbits.append((-orbit.size, point))
    # each new point divides the order by its orbit length, at most the longest orbit now
    if len(moves) > (-min(orbits)[0]) ** budget:
        return False
    return any(
        _has_base(moves[moves[:, point] == point], budget - 1) for _, point in sorted(orbits)
    )


def min_regular_order(group: Group, limit: int = MAX_ENUMERATED_ORDER) -> int:
    """The least ``k`` such that ``V^{⊗k}`` has a regular orbit of basis tuples.

    For a permutation group on ``d`` points this is its minimal base size: the fewest
    points whose pointwise stabiliser is trivial. The trivial group gives ``0``
    (``V^{⊗0}``, the scalars, is one regular orbit). Exact: a depth-first search over
    points, one per orbit of the current stabiliser (a base moved by ``g`` is a base), for
    ``k = 0, 1, ...``, pruned when ``|G_B| > (longest orbit of G_B)^(points left)``. It
    lists the group's elements, so ``|G| <= limit``; the enumeration, not the search,
    dominates the time.

    Args:
        group: a permutation group (`groups.Group.is_permutation`).
        limit: largest order enumerated.

    Returns:
        int, ``0 <= k < d``.

    Raises:
        TypeError: if ``group`` is not a Group.
        ValueError: for a Lie group, a group that does not act by permutation matrices
            (the basis of ``V`` must be permuted), or one of more than ``limit`` elements.

    Example:
        >>> from groups import S, Alt, Z
        >>> min_regular_order(S(5)), min_regular_order(Alt(5)), min_regular_order(Z(6))
        (4, 3, 1)
    """
    if not isinstance(group, Group):
        raise TypeError(f"min_regular_order needs a groups.Group; got {type(group).__name__}.")
    if group.lie_dimension or not group.is_permutation:
        raise ValueError(
            f"min_regular_order needs a permutation group (every discrete generator a 0/1 "
            f"permutation matrix, no Lie algebra): regular orbits are counted on the permuted "
            f"basis of V; {group!r} does not act by permutations."
        )
    order = group.order()
    if order > limit:
        raise ValueError(
            f"min_regular_order lists the elements, so it needs order <= {limit}; "
            f"{group!r} has order {order}."
        )
    moves = np.argmax(element_table(group, limit).matrices, axis=1)  # [g, i]: image of point i
    largest = max(np.unique(moves[:, point]).size for point in range(group.d))
    k = 0 if order == 1 else math.ceil(math.log(order) / math.log(largest) - 1e-9)
    while not _has_base(moves, k):
        k += 1
    return k
