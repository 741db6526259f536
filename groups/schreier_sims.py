"""Exact order and membership for permutation groups: a deterministic Schreier-Sims.

A permutation ``p`` of ``n`` points is an int array with ``p[i]`` the image of point ``i``
(the matrix ``P`` with ``P e_i = e_{p[i]}``). Permutations compose as index arrays,
``(p o q)[i] = p[q[i]]`` (``q`` first), written ``p[q]`` in numpy.

A stabilizer chain for ``G`` is a base ``b_0, ..., b_{L-1}`` with the stabilizers
``G = G_0 >= G_1 >= ... >= G_L = 1`` (``G_l`` fixes ``b_0 .. b_{l-1}``); level ``l`` keeps
strong generators of ``G_l``, the orbit of ``b_l`` under them and a transversal (one
``u_beta`` in ``G_l`` with ``u_beta[b_l] = beta`` per orbit point). Then
``|G| = prod_l |orbit_l|``. The construction is the incremental Schreier-Sims (Holt,
*Handbook of Computational Group Theory*, 4.4.2): at level ``l``, every Schreier generator
``u_{x[beta]}^-1 o x o u_beta`` (``x`` a generator, ``beta`` an orbit point) is stripped
through the levels below; a nontrivial residue becomes a new strong generator. Pairs
``(beta, x)`` already seen to strip are never sifted again, and the pending ones of a level
are stripped together as one array, so no randomness is involved and the result is exact.
"""

from __future__ import annotations

import math

import numpy as np

from groups.group import Group

__all__ = ["StabilizerChain", "contains", "order", "permutations_of", "stabilizer_chain"]


def permutations_of(group: Group) -> np.ndarray | None:
    """The discrete generators of ``group`` as permutations, int64 ``(M, n)``.

    ``perm[k][i] = j`` when generator ``k`` maps ``e_i`` to ``e_j``. None when the group has
    a Lie algebra or some generator is not a 0/1 permutation matrix (signed ones included).

    Example:
        >>> from groups import S, C
        >>> permutations_of(S(3)).tolist()
        [[1, 0, 2], [2, 0, 1]]
        >>> permutations_of(C(4)) is None
        True
    """
    if group.lie_dimension > 0:
        return None
    gens = np.asarray(group.discrete_generators)
    if not np.all((gens == 0) | (gens == 1)):
        return None
    if not (np.all(gens.sum(axis=1) == 1) and np.all(gens.sum(axis=2) == 1)):
        return None
    return np.argmax(gens, axis=1).astype(np.int64)  # column i holds its 1 in row perm[i]


def _inverse(p: np.ndarray) -> np.ndarray:
    inverse = np.empty_like(p)
    inverse[p] = np.arange(len(p))
    return inverse


class _Level:
    """One mutable level of the chain while it is built: ``(n, n)`` tables indexed by point."""

    def __init__(self, base: int, n: int):
        self.base = base
        self.gens: list[np.ndarray] = []
        self.orbit = [base]  # in discovery order
        self.in_orbit = np.zeros(n, dtype=bool)
        self.in_orbit[base] = True
        self.reps = np.zeros((n, n), dtype=np.int64)  # row beta: u_beta, for beta in the orbit
        self.reps[base] = np.arange(n)
        self.inverses = self.reps.copy()  # row beta: u_beta^-1
        self.done = np.zeros((n, 0), dtype=bool)  # done[beta, k]: pair (beta, gens[k]) strips

    def add_generator(self, g: np.ndarray) -> None:
        """Adds ``g`` and extends the orbit; existing coset representatives never change."""
        self.gens.append(g)
        self.done = np.hstack([self.done, np.zeros((len(g), 1), dtype=bool)])
        fresh = len(self.orbit)
        self._extend([(beta, g) for beta in self.orbit])
        while fresh < len(self.orbit):  # new points meet every generator (breadth first)
            beta = self.orbit[fresh]
            self._extend([(beta, x) for x in self.gens])
            fresh += 1

    def _extend(self, moves: list[tuple[int, np.ndarray]]) -> None:
        for beta, x in moves:
            gamma = int(x[beta])
            if not self.in_orbit[gamma]:  # u_gamma = x o u_beta maps the base point to gamma
                self.in_orbit[gamma] = True
                self.orbit.append(gamma)
                self.reps[gamma] = x[self.reps[beta]]
                self.inverses[gamma] = _inverse(self.reps[gamma])

    def pending_schreier_generators(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points, generator indices and Schreier generators ``(K, n)`` not yet stripped."""
        points, which = np.nonzero(self.in_orbit[:, None] & ~self.done)
        x = np.asarray(self.gens)[which]  # a level always holds at least one generator
        moved = np.take_along_axis(x, self.reps[points], axis=1)  # x o u_beta
        schreier = np.take_along_axis(self.inverses[moved[:, self.base]], moved, axis=1)
        return points, which, schreier


def _strip(levels, start: int, perms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strips a batch ``(K, n)`` through ``levels[start:]``.

    Returns the residues and, for each, the level where it left the chain (its image of the
    base point outside the orbit) or ``len(levels)`` when it went through all of them.
    """
    residues = perms.copy()
    depth = np.full(len(perms), len(levels))
    active = np.arange(len(perms))
    for index in range(start, len(levels)):
        level = levels[index]
        images = residues[active, level.base]
        outside = ~level.in_orbit[images]
        depth[active[outside]] = index
        active, images = active[~outside], images[~outside]
        # u_beta^-1 o g fixes the base point; it goes on to the next level
        residues[active] = np.take_along_axis(level.inverses[images], residues[active], axis=1)
    return residues, depth


class StabilizerChain:
    """A base and strong generating set of a permutation group on ``n`` points.

    Attributes:
        n: number of points.
        base: the base points ``b_0, ..., b_{L-1}``.
        generators: per level, int64 ``(k_l, n)`` strong generators of ``G_l``.
        orbits: per level, int64 ``(|orbit_l|,)``, the orbit of ``b_l`` under ``G_l``.
        transversals: per level, int64 ``(|orbit_l|, n)``; row ``k`` maps ``b_l`` to
            ``orbits[l][k]``.

    Example:
        >>> chain = stabilizer_chain(np.array([[1, 2, 0, 3], [1, 0, 2, 3]]), 4)
        >>> chain.base, [len(orbit) for orbit in chain.orbits], chain.order
        ((0, 1), [3, 2], 6)
        >>> chain.contains([2, 1, 0, 3]), chain.contains([0, 1, 3, 2])
        (True, False)
    """

    def __init__(self, n: int, levels: list[_Level]):
        self.n = n
        self._levels = levels
        self.base = tuple(level.base for level in levels)
        self.generators = tuple(np.asarray(level.gens, dtype=np.int64) for level in levels)
        self.orbits = tuple(np.asarray(level.orbit, dtype=np.int64) for level in levels)
        self.transversals = tuple(level.reps[level.orbit] for level in levels)

    @property
    def order(self) -> int:
        """The group order, an exact Python int: the product of the orbit lengths."""
        return math.prod(len(orbit) for orbit in self.orbits)

    def contains(self, perm) -> bool:
        """Whether the permutation ``perm`` (length ``n``) lies in the group, by sifting."""
        p = np.asarray(perm)
        if p.shape != (self.n,) or not np.array_equal(np.sort(p), np.arange(self.n)):
            raise ValueError(f"expected a permutation of range({self.n}); got {perm!r}.")
        residues, depth = _strip(self._levels, 0, p.astype(np.int64)[None])
        return bool(depth[0] == len(self._levels) and np.all(residues[0] == np.arange(self.n)))


def stabilizer_chain(perms: np.ndarray, n: int) -> StabilizerChain:
    """Builds a stabilizer chain of the group generated by ``perms`` ``(M, n)``.

    Example:
        >>> stabilizer_chain(np.array([[1, 2, 3, 4, 0]]), 5).order  # a 5-cycle
        5
        >>> stabilizer_chain(np.zeros((0, 3), dtype=int), 3).order
        1
    """
    perms = np.asarray(perms, dtype=np.int64).reshape(-1, n)
    if not all(np.array_equal(np.sort(p), np.arange(n)) for p in perms):
        raise ValueError(f"every row of perms must be a permutation of range({n}).")
    identity = np.arange(n)
    gens = [p for p in perms if not np.array_equal(p, identity)]
    # an initial base such that no generator fixes every base point
    levels: list[_Level] = []
    for g in gens:
        if all(g[level.base] == level.base for level in levels):
            levels.append(_Level(int(np.flatnonzero(g != identity)[0]), n))
    for g in gens:  # generator g belongs to G_l for every l up to the first base point it moves
        for level in levels:
            level.add_generator(g)
            if g[level.base] != level.base:
                break
    index = len(levels) - 1
    while index >= 0:  # invariant: levels below index are complete stabilizer chains
        level = levels[index]
        points, which, schreier = level.pending_schreier_generators()
        residues, depth = _strip(levels, index + 1, schreier)
        nontrivial = (depth < len(levels)) | np.any(residues != identity, axis=1)
        # a pair that strips now strips forever: the levels below only grow
        level.done[points[~nontrivial], which[~nontrivial]] = True
        if not nontrivial.any():
            index -= 1
            continue
        first = int(np.flatnonzero(nontrivial)[0])
        residue, stop = residues[first], int(depth[first])
        if stop == len(levels):  # residue fixes every base point: the base grows
            levels.append(_Level(int(np.flatnonzero(residue != identity)[0]), n))
        for lower in levels[index + 1 : stop + 1]:  # residue fixes b_0 .. b_{stop-1}
            lower.add_generator(residue.copy())
        index = stop
    return StabilizerChain(n, levels)


def _chain(group_or_chain) -> StabilizerChain:
    if isinstance(group_or_chain, StabilizerChain):
        return group_or_chain
    if not isinstance(group_or_chain, Group):
        raise TypeError(
            f"expected a Group or a StabilizerChain; got {type(group_or_chain).__name__}."
        )
    perms = permutations_of(group_or_chain)
    if perms is None:
        reason = (
            f"it has a {group_or_chain.lie_dimension}-dimensional Lie algebra (infinite)"
            if group_or_chain.lie_dimension
            else "a discrete generator is not a 0/1 permutation matrix"
        )
        raise ValueError(
            f"Schreier-Sims needs a permutation group, but {group_or_chain!r} is not one: "
            f"{reason}. For other finite groups (signed permutations, rotation matrices), "
            "use enumeration (groups.enumeration.element_table) instead."
        )
    return stabilizer_chain(perms, group_or_chain.d)


def order(group: Group | StabilizerChain) -> int:
    """The exact order of a permutation group, as a Python int.

    Raises:
        TypeError: if ``group`` is neither a `groups.Group` nor a `StabilizerChain`.
        ValueError: if the group has a Lie algebra or a generator that is not a permutation
            matrix; use enumeration for other finite groups.

    Example:
        >>> from groups import RubiksCube, S
        >>> order(S(12))
        479001600
        >>> order(RubiksCube())
        43252003274489856000
    """
    return _chain(group).order


def contains(group_or_chain: Group | StabilizerChain, perm) -> bool:
    """Whether the permutation ``perm`` (``perm[i]`` the image of ``i``) is in the group.

    Pass a `StabilizerChain` to test many permutations without rebuilding it.

    Raises:
        TypeError, ValueError: as `order`; ValueError also if ``perm`` is not a
            permutation of ``range(n)``.

    Example:
        >>> from groups import Alt
        >>> contains(Alt(5), [1, 2, 0, 3, 4]), contains(Alt(5), [1, 0, 2, 3, 4])
        (True, False)
    """
    return _chain(group_or_chain).contains(perm)
