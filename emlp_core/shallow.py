"""The irreducible G-invariant shallow ReLU networks of a finite orthogonal group.

Agrawal & Ostrowski, "A Classification of G-invariant Shallow Neural Networks" (NeurIPS
2022, arXiv 2205.09219): every G-invariant one-hidden-layer ReLU network on ``R^d``, for a
finite group ``G`` acting by orthogonal matrices ``rho``, is a sum of irreducible ones, and
the irreducible ones correspond to the transitive signed permutation representations of
``G`` on the hidden neurons: pairs ``(H, K)``, ``H <= G`` up to conjugacy and ``K <= H``
of index 1 (type 1, ``K = H``) or 2 (type 2, the sign character ``chi: H -> H/K = {±1}``),
``(H, K)`` up to simultaneous conjugacy.

* Hidden neurons: the left cosets ``G/H``, one row ``rho(t) w`` per representative ``t`` of
  `groups.bases.left_transversal` (``t_0 = e``).
* Weight subspace: ``w`` in the image of ``P_H = mean_{h in H} rho(h)`` (type 1) or of
  ``P_K - P_H = mean_{h in H} chi(h) rho(h)`` (type 2), i.e. ``rho(h) w = chi(h) w``.
* Degenerate (rejected) candidates: a zero subspace; type 1: an element ``g`` outside
  ``H`` fixing every vector of the subspace (equivalently a representative ``t != e``;
  the neurons' stabiliser is then larger than ``H``); type 2: an element ``g`` outside
  ``H`` negating every vector of the subspace (equivalently a representative ``t != e``
  with ``rho(t) = ±1`` on it, since ``rho(t h) = chi(h) rho(t)`` there: the hidden
  neurons repeat up to sign, so the signed stabiliser of a row is larger than ``H``).
* The network (``layers.shallow`` evaluates it): type 1, ``f(x) = a sum_t ReLU(<rho(t) w,
  x> + b)``, one output weight ``a`` and one bias ``b`` shared by all neurons; type 2,
  ``f(x) = a sum_t (ReLU(z_t) + ReLU(-z_t)) = a sum_t |z_t|``, ``z_t = <rho(t) w, x>``,
  no bias. A signed permutation sends ``z_t`` to ``±z_t'``; the sum of ReLUs alone
  would change by a linear term (``ReLU(-z) = ReLU(z) - z``), so a type-2 neuron is the
  pair ``ReLU(z) + ReLU(-z)`` (the neurons ``t K`` and ``t h K``, ``h in H - K``, of the
  unsigned orbit ``G/K``), all with the same output weight, and the bias must vanish
  (a shared bias would give the type-1 network of ``K``).

Counts (`summarize_shallow`) reproduce those of the authors' code for the groups of
`paper_groups` (tests/emlp_core/test_shallow.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from groups.bases import left_transversal
from groups.enumeration import element_table
from groups.group import Group
from groups.subgroups import (
    MAX_SUBGROUP_SEARCH_ORDER,
    Subgroup,
    index_two_subgroups,
    multiplication_table,
    subgroup_classes,
)

__all__ = [
    "ShallowArchitecture",
    "ShallowSummary",
    "enumerate_invariant_shallow",
    "summarize_shallow",
    "paper_groups",
    "ACCEPTED",
    "ZERO_SUBSPACE",
    "FIXED",
    "NEGATED",
]

ACCEPTED = "accepted"
ZERO_SUBSPACE = "zero subspace"
FIXED = "fixed by a coset representative t ∉ H"
NEGATED = "negated by an element g ∉ H"
_TOL = 1e-8
"""Absolute tolerance on entries of orthonormal bases (rank and degeneracy tests)."""


@dataclass(frozen=True, eq=False)
class ShallowArchitecture:
    """One candidate irreducible G-SNN: a pair ``(H, K)`` with its weight subspace.

    Attributes:
        group: ``G``.
        subgroup: ``H``, a `groups.subgroups.Subgroup` of ``G`` (its ``generators``,
            ``order``, ``elements``): class number ``subgroup_index`` of
            `groups.subgroups.subgroup_classes`.
        subgroup_index: ``i`` in ``subgroup_classes(G)``.
        kernel: int64 ``(|H|/2,)`` sorted element indices of ``K`` (type 2), or None.
        type: 1 (``K = H``) or 2 (``|H : K| = 2``).
        width: the number of hidden neurons ``|G : H|``.
        basis: float64 ``(d, k)`` orthonormal columns spanning the weight subspace.
        transversal: int64 ``(width,)`` element indices of the representatives ``t``.
        transversal_matrices: float64 ``(width, d, d)``, ``rho(t)``.
        accepted: whether the candidate is an irreducible architecture.
        reason: `ACCEPTED`, `ZERO_SUBSPACE`, `FIXED` or `NEGATED`.
        witness: the element index ``t`` (`FIXED`) or ``g`` (`NEGATED`), else None.
        name: ``"type1_H{i}"`` or ``"type2_H{i}_K{j}"`` (``j``: the pair class of ``K``
            among ``H``'s index-2 subgroups); stable, usable as a parameter scope.
    """

    group: Group
    subgroup: Subgroup
    subgroup_index: int
    kernel: np.ndarray | None
    type: int
    width: int
    basis: np.ndarray
    transversal: np.ndarray
    transversal_matrices: np.ndarray
    accepted: bool
    reason: str
    witness: int | None
    name: str

    def rows(self, coefficients: np.ndarray) -> np.ndarray:
        """The hidden weight matrix ``(width, d)``: row ``i`` is ``rho(t_i) basis @ c``."""
        return np.einsum("tij,jk,k->ti", self.transversal_matrices, self.basis, coefficients)

    def __repr__(self) -> str:
        return (
            f"ShallowArchitecture({self.name}: |H|={self.subgroup.order}, width={self.width}, "
            f"dim={self.basis.shape[1]}, {self.reason})"
        )


class ShallowSummary(NamedTuple):
    """Counts of an enumeration: accepted and proposed candidates per type."""

    type1_accepted: int
    type1_proposed: int
    type2_accepted: int
    type2_proposed: int

    @property
    def irreducible(self) -> int:
        """The number of irreducible architectures (accepted of both types)."""
        return self.type1_accepted + self.type2_accepted


def _check(group, max_order: int) -> None:
    """Refuses bad input before any subgroup search."""
    if not isinstance(group, Group):
        raise TypeError(
            f"enumerate_invariant_shallow needs a groups.Group; got {type(group).__name__}."
        )
    if isinstance(max_order, bool) or not isinstance(max_order, int | np.integer):
        raise TypeError(f"max_order must be an int; got {type(max_order).__name__}.")
    if max_order < 1:
        raise ValueError(f"max_order must be >= 1; got {max_order}.")
    if group.lie_dimension:
        raise ValueError(
            f"enumerate_invariant_shallow needs a finite group; {group!r} has a Lie algebra "
            f"({group.lie_dimension} generators)."
        )
    gens = np.asarray(group.discrete_generators, dtype=np.float64)
    residual = max((float(np.abs(g @ g.T - np.eye(group.d)).max()) for g in gens), default=0.0)
    if residual > _TOL:
        raise ValueError(
            f"enumerate_invariant_shallow needs an orthogonal action; a generator of {group!r} "
            f"has max |g g^T - I| = {residual:.3g} (expected <= {_TOL:g})."
        )
    too_large = (
        f"enumerate_invariant_shallow supports groups of order <= max_order = {max_order} "
        f"(keyword max_order, default MAX_SUBGROUP_SEARCH_ORDER = {MAX_SUBGROUP_SEARCH_ORDER})"
    )
    if group.is_permutation:
        if group.order() > max_order:
            raise ValueError(f"{too_large}; {group!r} has order {group.order()}.")
        return
    try:
        element_table(group, limit=max_order)
    except ValueError as error:
        raise ValueError(f"{too_large}; {group!r} has more elements.") from error


def _subspace(projector: np.ndarray) -> np.ndarray:
    """Orthonormal basis ``(d, k)`` of the image of a symmetric projector."""
    values, vectors = np.linalg.eigh((projector + projector.T) / 2)
    return np.ascontiguousarray(vectors[:, values > 0.5][:, ::-1])


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.abs(a - b).max(initial=0.0) <= _TOL)


def _kernel_classes(group: Group, h: Subgroup, conjugation, merge: bool) -> list[np.ndarray]:
    """Index-2 subgroups of ``h`` (G's element indices), one per class under ``N_G(h)``.

    With ``merge=False`` every index-2 subgroup is listed, conjugate or not.
    """
    if h.order % 2:
        return []
    local = element_table(h.group)
    to_g = np.array([element_table(group).index(m) for m in local.matrices], np.int64)
    normaliser = np.flatnonzero(
        (np.sort(conjugation[:, h.elements], axis=1) == h.elements).all(axis=1)
    )
    kernels, seen = [], set()
    for k in index_two_subgroups(h.group):
        elements = np.sort(to_g[k.elements])
        images = np.sort(conjugation[normaliser][:, elements], axis=1)
        key = min(row.tobytes() for row in images)
        if key not in seen or not merge:
            seen.add(key)
            kernels.append(elements)
    return kernels


def enumerate_invariant_shallow(
    group: Group,
    *,
    max_order: int = MAX_SUBGROUP_SEARCH_ORDER,
    merge_conjugate_kernels: bool = True,
) -> list[ShallowArchitecture]:
    """Every candidate irreducible G-invariant shallow ReLU network, with its verdict.

    Candidates are listed by subgroup class (`groups.subgroups.subgroup_classes` order):
    type 1 of ``H``, then type 2 of each class of ``(H, K)``. See the module docstring
    for the weight subspaces, the degeneracy rules and the networks.

    Args:
        group: a finite `groups.Group` acting orthogonally (``g g^T = I`` for every
            generator, to ``1e-8``).
        max_order: largest group order searched (default `MAX_SUBGROUP_SEARCH_ORDER`).

    Returns:
        list of `ShallowArchitecture`, accepted and rejected (``accepted``, ``reason``).

    Raises:
        TypeError: if ``group`` is not a Group or ``max_order`` not an int.
        ValueError: for a group with a Lie algebra, a non-orthogonal generator, or a group
            of order above ``max_order`` (the limit and the keyword are named).

    Example:
        >>> from groups import Z
        >>> found = enumerate_invariant_shallow(Z(4))  # C_4 on 4 points
        >>> [(a.name, a.width, a.basis.shape[1], a.accepted) for a in found]
        ... # doctest: +NORMALIZE_WHITESPACE
        [('type1_H0', 4, 4, True), ('type1_H1', 2, 2, True), ('type2_H1_K0', 2, 2, True),
         ('type1_H2', 1, 1, True), ('type2_H2_K0', 1, 1, True)]
        >>> summarize_shallow(found).irreducible
        5
    """
    _check(group, max_order)
    table = element_table(group, limit=max(max_order, 1))
    mult = multiplication_table(group)
    inverse = np.argmin(mult, axis=1)  # mult[i, inverse[i]] == 0 (the identity)
    conjugation = mult[mult, inverse[:, None]]  # [x, i]: x g_i x^-1
    matrices = table.matrices
    found = []
    for i, h in enumerate(subgroup_classes(group, limit=max_order)):
        transversal = left_transversal(group, h.group)
        reps = matrices[transversal]
        inside = np.zeros(table.order, bool)
        inside[h.elements] = True
        basis = _subspace(matrices[h.elements].mean(axis=0))
        witness = next(
            (
                int(t)
                for t, m in zip(transversal[1:], reps[1:], strict=True)
                if _same(m @ basis, basis)
            ),
            None,
        )
        reason = ZERO_SUBSPACE if not basis.shape[1] else FIXED if witness is not None else ""
        found.append(
            ShallowArchitecture(
                group, h, i, None, 1, len(transversal), basis, transversal, reps,
                not reason, reason or ACCEPTED, None if reason != FIXED else witness,
                f"type1_H{i}",
            )
        )  # fmt: skip
        for j, kernel in enumerate(_kernel_classes(group, h, conjugation, merge_conjugate_kernels)):
            chi = np.where(np.isin(h.elements, kernel), 1.0, -1.0)
            basis = _subspace(np.einsum("h,hij->ij", chi, matrices[h.elements]) / h.order)
            outside = int(h.elements[chi < 0][0])  # some h in H - K
            witness = None
            for t, m in zip(transversal[1:].tolist(), reps[1:], strict=True):
                if _same(m @ basis, -basis):
                    witness = t
                elif _same(m @ basis, basis):
                    witness = int(mult[t, outside])
                if witness is not None:
                    break
            reason = ZERO_SUBSPACE if not basis.shape[1] else NEGATED if witness is not None else ""
            found.append(
                ShallowArchitecture(
                    group, h, i, kernel, 2, len(transversal), basis, transversal, reps,
                    not reason, reason or ACCEPTED, None if reason != NEGATED else witness,
                    f"type2_H{i}_K{j}",
                )
            )  # fmt: skip
    return found


def summarize_shallow(architectures) -> ShallowSummary:
    """Accepted and proposed counts per type of an `enumerate_invariant_shallow` list.

    Example:
        >>> from groups import Z
        >>> summarize_shallow(enumerate_invariant_shallow(Z(6)))
        ShallowSummary(type1_accepted=4, type1_proposed=4, type2_accepted=2, type2_proposed=2)
    """
    counts = [0, 0, 0, 0]
    for a in architectures:
        counts[2 * (a.type - 1) + 1] += 1
        counts[2 * (a.type - 1)] += bool(a.accepted)
    return ShallowSummary(*counts)


def _permutations(images, name: str) -> Group:
    """The group generated by permutations ``i -> image[i]`` (matrices ``P e_i = e_image[i]``)."""
    gens = []
    for image in images:
        matrix = np.zeros((len(image), len(image)))
        matrix[image, np.arange(len(image))] = 1.0
        gens.append(matrix)
    return Group(discrete_generators=np.array(gens), name=name)


def paper_groups() -> dict[str, Group]:
    """The example groups of the paper, acting as the authors' code does.

    ``C_4`` and ``C_6`` cyclically and ``D_4`` as the symmetries of a square on their
    ``n`` points, ``C_2 x C_2`` on the disjoint union of the points of its factors (two
    transpositions of ``R^4``), ``Q_8`` by its left-regular permutation action on ``R^8``.

    Returns:
        ``{"C4": ..., "C6": ..., "D4": ..., "C2xC2": ..., "Q8": ...}``.

    Example:
        >>> {name: (G.d, G.order()) for name, G in paper_groups().items()}
        {'C4': (4, 4), 'C6': (6, 6), 'D4': (4, 8), 'C2xC2': (4, 4), 'Q8': (8, 8)}
    """
    from groups.finite import Q8

    def cycle(n):
        return [(i + 1) % n for i in range(n)]

    quaternions = element_table(Q8())
    regular = [
        [quaternions.index(h @ g) for g in quaternions.matrices] for h in Q8().discrete_generators
    ]
    return {
        "C4": _permutations([cycle(4)], "C4 on 4 points"),
        "C6": _permutations([cycle(6)], "C6 on 6 points"),
        "D4": _permutations([cycle(4), [(-i) % 4 for i in range(4)]], "D4 on 4 points"),
        "C2xC2": _permutations([[1, 0, 2, 3], [0, 1, 3, 2]], "C2xC2 on 2+2 points"),
        "Q8": _permutations(regular, "Q8 on 8 points"),
    }
