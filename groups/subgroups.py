"""Subgroups of an enumerable finite group, up to conjugacy, by index arithmetic.

Elements are the indices of `groups.enumeration.element_table` (``0`` the identity):

* `multiplication_table`: ``table[i, j]`` is the index of ``g_i g_j``, built column by
  column from the breadth-first words (``g_j = g_p h_k`` gives ``table[:, j] =
  right[k][table[:, p]]``), for orders up to `MAX_TABLE_ORDER`;
* `subgroup_classes`: every subgroup up to conjugacy, by cyclic extension: each class
  representative ``H`` is extended by one element ``g`` of prime-power order, ``<H, g>``.
  Every class is found: along a chain ``1 < H_1 < ... < K``, each maximal in the next,
  ``H_{i+1} = <H_i, g>`` for any ``g`` in ``H_{i+1} - H_i``, which holds one of prime-power
  order, and a conjugate of the chain stays in the search. Elements ``g`` giving conjugate
  extensions (``hg`` for ``h`` in ``H``, ``xgx^-1`` for ``x`` in ``N_G(H)``, other generators
  of ``<g>``) are tried once. The time grows with the number of subgroups, not only with
  the order (timings: benchmarks/README.md);
* `normal_subgroups`, `sign_characters` (the homomorphisms ``G -> {±1}``, solved over
  GF(2) on the words of the generators, independently of the search) and
  `index_two_subgroups` (their kernels).

Cosets, transversals and bases of permutation groups are in `groups.bases`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from groups.caching import cached
from groups.checks import check_int
from groups.enumeration import ElementTable, element_table
from groups.group import Group

__all__ = [
    "Subgroup",
    "multiplication_table",
    "subgroup_classes",
    "normal_subgroups",
    "sign_characters",
    "index_two_subgroups",
    "MAX_TABLE_ORDER",
    "MAX_SUBGROUP_SEARCH_ORDER",
]

MAX_TABLE_ORDER = 5000
"""Largest order whose full multiplication table is built (int64: 200 MB at 5000)."""
MAX_SUBGROUP_SEARCH_ORDER = 1000
"""Default largest order searched by `subgroup_classes` (a group with very many subgroups,
such as an elementary abelian 2-group, is slow well below it)."""
_MAX_SIGN_CHARACTERS = 2**10 - 1


class Subgroup(NamedTuple):
    """One subgroup ``H`` of a finite group ``G``.

    Attributes:
        elements: int64 ``(|H|,)``, sorted indices into `groups.enumeration.element_table`
            of ``G`` (read-only).
        order: ``|H|``.
        generators: int64 ``(m,)``, a few element indices that generate ``H`` (``m = 0``
            for the trivial subgroup).
        group: ``H`` as a `groups.Group` with those matrices as discrete generators.
        conjugates: the number of subgroups conjugate to ``H``, ``|G : N_G(H)|``.
        is_normal: ``conjugates == 1``.
    """

    elements: np.ndarray
    order: int
    generators: np.ndarray
    group: Group
    conjugates: int
    is_normal: bool


def _enumerated(group, limit: int, what: str) -> ElementTable:
    """The element table of ``group``, refusing one of more than ``limit`` elements."""
    if not isinstance(group, Group):
        raise TypeError(f"{what} needs a groups.Group; got {type(group).__name__}.")
    # a permutation group's order comes from Schreier–Sims, before listing a huge group
    permutation = not group.lie_dimension and group.is_permutation
    order = group.order() if permutation else element_table(group).order  # Lie: ValueError
    if order > limit:
        raise ValueError(
            f"{what} supports groups of order <= {limit}; {group!r} has order {order}."
        )
    return element_table(group)


@cached(maxsize=16)
def _words(table: ElementTable) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first tree: ``g_j = g_parent[j] h_letter[j]`` (``parent[0] = -1``)."""
    n, count = table.order, table.right.shape[0]
    parent, letter = np.full(n, -1, np.int64), np.zeros(n, np.int64)
    values, first = np.unique(table.right.T.reshape(-1), return_index=True)
    found = values != 0  # position i * count + k holds the index of g_i h_k
    parent[values[found]], letter[values[found]] = np.divmod(first[found], max(count, 1))
    return parent, letter


@cached(maxsize=4)
def _full_table(table: ElementTable) -> tuple[np.ndarray, np.ndarray]:
    parent, letter = _words(table)
    n = table.order
    columns = np.empty((n, n), np.int64)  # columns[j, i] = index of g_i g_j
    columns[0] = np.arange(n)
    for j in range(1, n):
        columns[j] = table.right[letter[j]][columns[parent[j]]]
    products = np.ascontiguousarray(columns.T)
    inverse = np.empty(n, np.int64)
    rows, cols = np.nonzero(products == 0)
    inverse[rows] = cols
    for array in (products, inverse):
        array.setflags(write=False)
    return products, inverse


def multiplication_table(group: Group, limit: int = MAX_TABLE_ORDER) -> np.ndarray:
    """The Cayley table of a finite group, by index arithmetic (no matrix products).

    Args:
        group: a finite `groups.Group`.
        limit: largest order accepted (default `MAX_TABLE_ORDER`).

    Returns:
        int64 ``(n, n)``, read-only: ``table[i, j]`` is the index of ``g_i @ g_j`` in
        `groups.enumeration.element_table`.

    Raises:
        TypeError: if ``group`` is not a Group or ``limit`` not an integer.
        ValueError: for a Lie group, or a group of order above ``limit``.

    Example:
        >>> from groups import S
        >>> table = multiplication_table(S(3))
        >>> table.shape, table[0].tolist() == list(range(6)), sorted(table[:, 4]) == list(range(6))
        ((6, 6), True, True)
    """
    limit = check_int(limit, "limit", minimum=1)
    return _full_table(_enumerated(group, limit, "multiplication_table"))[0]


def _closure(table: np.ndarray, start: np.ndarray, gens: list[int], new: int) -> np.ndarray:
    """Sorted elements of ``<start, new>``, ``start`` a subgroup generated by ``gens``."""
    mask = np.zeros(len(table), bool)
    mask[start] = True
    frontier, letters = table[start, new], np.array([*gens, new], np.int64)
    while frontier.size:
        frontier = np.unique(frontier[~mask[frontier]])
        mask[frontier] = True
        frontier = table[frontier[:, None], letters].reshape(-1)
    return np.flatnonzero(mask)


def _orders(table: np.ndarray) -> np.ndarray:
    """Element orders, int64 ``(n,)``."""
    n = len(table)
    orders, power, k = np.zeros(n, np.int64), np.arange(n), 1
    while not orders.all():
        orders[(power == 0) & (orders == 0)] = k
        power, k = table[power, np.arange(n)], k + 1
    return orders


def _is_prime_power(order: int) -> bool:
    """Whether ``order`` is ``p^e`` with ``p`` prime and ``e >= 1``."""
    prime = next((p for p in range(2, order + 1) if order % p == 0), 0)  # least factor
    while prime and order % prime == 0:
        order //= prime
    return prime > 0 and order == 1


def _generating_set(table: np.ndarray, elements: np.ndarray, orders: np.ndarray) -> list[int]:
    """A few generators of the subgroup ``elements``, largest element orders first."""
    gens, current = [], np.zeros(1, np.int64)
    inside = np.zeros(len(table), bool)
    inside[0] = True
    for g in elements[np.lexsort((elements, -orders[elements]))].tolist():
        if current.size == elements.size:
            break
        if not inside[g]:
            current = _closure(table, current, gens, g)
            inside[current] = True
            gens.append(g)
    return gens


def _conjugates(conjugation: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """The distinct conjugates ``x H x^-1``, int64 ``(c, |H|)`` sorted rows, lexicographic."""
    return np.unique(np.sort(conjugation[:, elements], axis=1), axis=0)


def _candidates(moves: list[np.ndarray], elements: np.ndarray, useful: np.ndarray) -> np.ndarray:
    """One useful ``g`` outside ``H`` per class of ``g ~ moves[m][g]`` (conjugate ``<H, g>``)."""
    n = len(useful)
    rows = np.tile(np.arange(n), len(moves))
    graph = scipy.sparse.coo_array(
        (np.ones(rows.size, np.int8), (rows, np.concatenate(moves))), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=True, connection="weak")
    pick = useful.copy()
    pick[elements] = False
    pool = np.flatnonzero(pick)
    return pool[np.unique(labels[pool], return_index=True)[1]]


@cached(maxsize=8)
def _search(group: Group, name: str, limit: int) -> tuple[Subgroup, ...]:
    """The classes, cached by generators and name (equal groups may be named apart)."""
    table, inverse = _full_table(_enumerated(group, limit, "subgroup_classes"))
    n = len(table)
    conjugation = table[table, inverse[:, None]]  # [x, i]: index of x g_i x^-1
    orders = _orders(table)
    useful = np.isin(orders, [o for o in np.unique(orders).tolist() if _is_prime_power(o)])
    cyclic, power = np.arange(n), np.arange(n)  # cyclic[i]: least generator of <g_i>
    for k in range(2, int(orders.max()) + 1):
        power = table[power, np.arange(n)]
        coprime = (np.gcd(k, orders) == 1) & (k < orders)
        cyclic[coprime] = np.minimum(cyclic[coprime], power[coprime])
    trivial = np.zeros(1, np.int64)
    found = {trivial.tobytes(): 0}  # every conjugate of every class found -> its class
    classes = [(trivial[None], trivial)]  # (its conjugates, the conjugate found)
    queue: list[tuple[np.ndarray, list[int]]] = [(trivial, [])]
    while queue:
        elements, gens = queue.pop()
        normaliser = np.flatnonzero(
            (np.sort(conjugation[:, elements], axis=1) == elements).all(axis=1)
        )
        moves = [table[h] for h in gens] + [cyclic]  # <H, g> is <H, hg> and <H, g^k>
        moves += [conjugation[x] for x in _generating_set(table, normaliser, orders)]
        for g in _candidates(moves, elements, useful).tolist():
            extension = _closure(table, elements, gens, g)
            if extension.tobytes() in found:
                continue
            rows = _conjugates(conjugation, extension)
            for row in rows:
                found[row.tobytes()] = len(classes)
            classes.append((rows, extension))
            queue.append((extension, [*gens, g]))
    classes.sort(key=lambda entry: (entry[0].shape[1], entry[0][0].tolist()))
    return tuple(
        _record(group, table, orders, rows[0], len(rows), f"order {rows.shape[1]} #{number}")
        for number, (rows, _) in enumerate(classes)
    )


def _record(group, table, orders, elements, conjugates: int, label: str) -> Subgroup:
    gens = np.array(_generating_set(table, elements, orders), np.int64)
    matrices = element_table(group).matrices[gens].reshape(-1, group.d, group.d)
    elements = np.array(elements, np.int64)
    for array in (elements, gens):
        array.setflags(write=False)
    generated = Group(discrete_generators=matrices, name=f"{group!r} > {label}")
    return Subgroup(elements, len(elements), gens, generated, conjugates, conjugates == 1)


def subgroup_classes(group: Group, limit: int = MAX_SUBGROUP_SEARCH_ORDER) -> list[Subgroup]:
    """Every subgroup of a finite group up to conjugacy, one `Subgroup` per class.

    Each class is represented by its conjugate with the lexicographically smallest sorted
    element indices; classes are sorted by order, then by that tuple, and named
    ``"G > order m #i"`` with ``i`` the position in the returned list. Cached per group.

    Args:
        group: a finite `groups.Group`.
        limit: largest order searched (default `MAX_SUBGROUP_SEARCH_ORDER`, at most
            `MAX_TABLE_ORDER`).

    Returns:
        list of `Subgroup`; the trivial subgroup first and ``G`` last.

    Raises:
        TypeError: if ``group`` is not a Group or ``limit`` not an integer.
        ValueError: for a Lie group, or a group of order above ``limit``.

    Example:
        >>> from groups import S
        >>> classes = subgroup_classes(S(4))
        >>> [h.order for h in classes], sum(h.conjugates for h in classes)
        ([1, 2, 2, 3, 4, 4, 4, 6, 8, 12, 24], 30)
        >>> classes[9].group, classes[9].is_normal  # A(4)
        (S(4) > order 12 #9, True)
    """
    limit = check_int(limit, "limit", minimum=1)
    _enumerated(group, min(limit, MAX_TABLE_ORDER), "subgroup_classes")
    return list(_search(group, repr(group), min(limit, MAX_TABLE_ORDER)))


def normal_subgroups(group: Group, limit: int = MAX_SUBGROUP_SEARCH_ORDER) -> list[Subgroup]:
    """The normal subgroups, as the classes of `subgroup_classes` with one member.

    Raises:
        As `subgroup_classes`.

    Example:
        >>> from groups import S
        >>> [h.order for h in normal_subgroups(S(4))]
        [1, 4, 12, 24]
    """
    return [h for h in subgroup_classes(group, limit) if h.is_normal]


def _parities(table: ElementTable) -> np.ndarray:
    """uint8 ``(n, M)``: how often (mod 2) generator ``k`` occurs in the word of ``g_j``."""
    parent, letter = _words(table)
    n, count = table.order, table.right.shape[0]
    depth = [0] * n
    for j, p in enumerate(parent.tolist()[1:], start=1):
        depth[j] = depth[p] + 1
    depth_array = np.array(depth)
    parity = np.zeros((n, count), np.uint8)
    for level in range(1, int(depth_array.max(initial=0)) + 1):
        at = np.flatnonzero(depth_array == level)
        parity[at] = parity[parent[at]]
        parity[at, letter[at]] ^= 1
    return parity


def _nullspace_mod2(rows: np.ndarray, width: int) -> np.ndarray:
    """uint8 ``(r, width)``: a basis of ``{a : rows @ a = 0 mod 2}``."""
    reduced, pivots = rows.copy(), []
    for column in range(width):
        r = len(pivots)
        below = np.flatnonzero(reduced[r:, column])
        if not below.size:
            continue
        reduced[[r, r + below[0]]] = reduced[[r + below[0], r]]
        others = np.flatnonzero(reduced[:, column])
        reduced[others[others != r]] ^= reduced[r]
        pivots.append(column)
    basis = []
    for free in sorted(set(range(width)) - set(pivots)):
        vector = np.zeros(width, np.uint8)
        vector[free] = 1
        vector[pivots] = reduced[: len(pivots), free]
        basis.append(vector)
    return np.array(basis, np.uint8).reshape(-1, width)


def sign_characters(group: Group) -> np.ndarray:
    """Every non-trivial homomorphism ``G -> {±1}``, as values over the elements.

    A homomorphism is fixed by its signs ``(-1)^{a_k}`` on the discrete generators; it is
    consistent iff ``chi(g_i h_k) = chi(g_i) chi(h_k)`` for every element and generator,
    linear equations over GF(2) in ``a`` (on the parities of the breadth-first words). No
    subgroup search is involved, and no multiplication table: every enumerable group works.

    Returns:
        int8 ``(c, n)`` of ``±1`` in `groups.enumeration.element_table` order, sorted
        lexicographically by ``(1 - chi) / 2``; ``c = 2^r - 1`` with ``2^r`` the order
        of the largest elementary abelian 2-quotient (``c = 0``: none).

    Raises:
        TypeError: if ``group`` is not a Group.
        ValueError: for a Lie group, a group too large to enumerate, or more than
            ``2^10 - 1`` characters (an elementary abelian 2-quotient of order above 1024).

    Example:
        >>> from groups import S, D
        >>> sign_characters(S(3)).tolist()  # the sign of a permutation
        [[1, -1, 1, -1, -1, 1]]
        >>> sign_characters(D(4)).shape
        (3, 8)
    """
    table = element_table(group)
    n, count = table.order, table.right.shape[0]
    if count == 0:
        return np.zeros((0, n), np.int8)
    parity = _parities(table)
    constraints = parity[table.right.T] ^ parity[:, None, :] ^ np.eye(count, dtype=np.uint8)
    basis = _nullspace_mod2(np.unique(constraints.reshape(-1, count), axis=0), count)
    if not len(basis):
        return np.zeros((0, n), np.int8)
    if 2 ** len(basis) - 1 > _MAX_SIGN_CHARACTERS:
        raise ValueError(
            f"{group!r} has 2^{len(basis)} - 1 sign characters; at most "
            f"{_MAX_SIGN_CHARACTERS} (2^10 - 1) are listed."
        )
    codes = (np.arange(1, 2 ** len(basis))[:, None] >> np.arange(len(basis))) & 1
    signs = (codes.astype(np.int64) @ basis) % 2  # (c, M) generator parities
    bits = np.unique(((parity.astype(np.int64) @ signs.T) % 2).T.reshape(-1, n), axis=0)
    return (1 - 2 * bits).astype(np.int8)


def index_two_subgroups(group: Group, limit: int = MAX_TABLE_ORDER) -> list[Subgroup]:
    """The subgroups of index 2: the kernels of `sign_characters`, in the same order.

    Named ``"G > index 2 #i"`` after the character ``i``; always normal.

    Raises:
        TypeError: if ``group`` is not a Group.
        ValueError: for a Lie group, or a group of order above ``limit`` (at most
            `MAX_TABLE_ORDER`: the generators are found with the multiplication table).

    Example:
        >>> from groups import D
        >>> [h.order for h in index_two_subgroups(D(4))]
        [4, 4, 4]
    """
    limit = check_int(limit, "limit", minimum=1)
    table = _full_table(_enumerated(group, min(limit, MAX_TABLE_ORDER), "index_two_subgroups"))[0]
    orders = _orders(table)
    return [
        _record(group, table, orders, np.flatnonzero(chi == 1), 1, f"index 2 #{i}")
        for i, chi in enumerate(sign_characters(group))
    ]
