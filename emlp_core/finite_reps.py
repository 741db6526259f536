"""Permutation representations of finite groups: the regular representation and cosets.

* `RegularRep(G)`: ``R^|G|`` with basis ``e_g``, ``rho(h) e_g = e_{hg}`` (the left regular
  representation; coordinates in the order of `groups.enumeration.element_table`).
* `CosetRep(G, H)`: ``R^[G:H]`` with basis ``e_{gH}``, ``rho(h) e_{gH} = e_{hgH}``, for a
  subgroup ``H`` given by generators acting on the same space as ``G``.

Both are atoms (`emlp_core.custom.GeneratorRep`) whose generator images are permutation
matrices, so every basis involving them is solved by orbits; they combine with ``V``,
with other groups and with each other like any representation. Their dense images cost
``M n^2`` floats, so ``n`` is limited to `MAX_PERMUTATION_REP_SIZE`.
"""

from __future__ import annotations

import numpy as np

from emlp_core.custom import GeneratorRep, from_generators
from groups import Group
from groups.bases import left_cosets
from groups.enumeration import element_table

__all__ = ["RegularRep", "CosetRep", "coset_labels", "MAX_PERMUTATION_REP_SIZE"]

MAX_PERMUTATION_REP_SIZE = 4096
"""Largest regular or coset representation built (its dense generator images)."""


def _check_group(group, what: str) -> None:
    if not isinstance(group, Group):
        raise TypeError(f"{what} needs a groups.Group; got {type(group).__name__}.")


def _permutation_images(permutations: np.ndarray) -> np.ndarray:
    """``(M, n, n)`` matrices with ``P[perm[i], i] = 1`` (``P e_i = e_perm[i]``)."""
    count, n = permutations.shape
    if n > MAX_PERMUTATION_REP_SIZE:
        raise ValueError(
            f"a permutation representation of size {n} exceeds MAX_PERMUTATION_REP_SIZE = "
            f"{MAX_PERMUTATION_REP_SIZE} (its dense generator images would take "
            f"{8 * count * n * n / 2**20:.0f} MiB)."
        )
    images = np.zeros((count, n, n))
    for k, perm in enumerate(permutations):
        images[k, perm, np.arange(n)] = 1.0
    return images


def RegularRep(group: Group) -> GeneratorRep:
    """The left regular representation of a finite group, an atom of size ``|G|``.

    Raises:
        TypeError: if ``group`` is not a Group.
        ValueError: for a group with a Lie algebra, or of order above
            `MAX_PERMUTATION_REP_SIZE`.

    Example:
        >>> from groups import D
        >>> reg = RegularRep(D(4))
        >>> reg.size(), (reg >> reg).equivariant_basis().shape[1]  # Hom(Reg, Reg) has dim |G|
        (8, 8)
    """
    _check_group(group, "RegularRep")
    table = element_table(group)
    return from_generators(group, discrete=_permutation_images(table.left), name=f"Reg[{group!r}]")


def coset_labels(group: Group, subgroup: Group) -> np.ndarray:
    """The left coset ``gH`` of each element: int64 ``(|G|,)``, numbered in order of appearance.

    Raises:
        ValueError: if a generator of ``subgroup`` is not an element of ``group`` (so it is
            not a subgroup), or either group is not finite.

    Example:
        >>> from groups import S, Group
        >>> swap = S(3).discrete_generators[0]
        >>> coset_labels(S(3), Group(discrete_generators=[swap])).tolist()  # e and the swap first
        [0, 0, 1, 2, 1, 2]
    """
    _check_group(group, "coset_labels")
    _check_group(subgroup, "coset_labels")
    return left_cosets(group, subgroup)


def _sign_permutations(group, subgroup, kernel, labels, first, table) -> np.ndarray:
    """Signs ``(M, count)``: ``h_k t_i = t_j h`` with ``h`` in H; -1 iff ``h`` is not in K."""
    kernel_labels = coset_labels(group, kernel)
    if int(kernel_labels.max()) + 1 != 2 * (int(labels.max()) + 1) or np.any(
        labels[kernel_labels == 0] != 0
    ):
        raise ValueError(
            f"kernel {kernel!r} must be a subgroup of index 2 in {subgroup!r} (the kernel of a "
            "homomorphism onto {+1, -1}); it is not."
        )
    inverses = np.linalg.inv(table.matrices[first])
    signs = np.empty((len(table.left), first.size))
    for k in range(len(table.left)):
        images = table.left[k][first]  # index of h_k t_i
        targets = first[labels[images]]  # t_j
        for i, (x, t) in enumerate(zip(images, targets, strict=True)):
            h = table.index(inverses[np.searchsorted(first, t)] @ table.matrices[x])
            signs[k, i] = 1.0 if kernel_labels[h] == 0 else -1.0
    return signs


def CosetRep(group: Group, subgroup: Group, kernel: Group | None = None) -> GeneratorRep:
    """The (signed) permutation representation of ``group`` on the left cosets ``G/H``.

    With ``kernel = K``, an index-2 subgroup of ``H``, it is the representation induced
    from the sign character ``H -> H/K = {+1, -1}``: ``rho(g) e_{t_i H} = ± e_{t_j H}``
    where ``g t_i = t_j h`` for the transversal ``t`` (first element of each coset) and the
    sign is that of ``h`` (``+1`` on ``K``). These are the type-2 hidden layers of
    Agrawal & Ostrowski (NeurIPS 2022); type 1 is ``kernel=None``.

    Args:
        group: a finite `groups.Group`.
        subgroup: a `groups.Group` whose discrete generators are elements of ``group``.
        kernel: optional index-2 subgroup of ``subgroup`` (generators in ``group``).

    Raises:
        TypeError: if any argument is not a Group.
        ValueError: if ``subgroup`` is not a subgroup of ``group``, ``kernel`` not one of
            index 2 in ``subgroup``, a group is not finite, or the index exceeds
            `MAX_PERMUTATION_REP_SIZE`.

    Example:
        >>> from groups import S, Group
        >>> point_stabilizer = Group(discrete_generators=S(4).discrete_generators[:1])
        >>> rep = CosetRep(S(4), point_stabilizer)  # S(4) on the 12 cosets of <(0 1)>
        >>> rep.size()
        12
        >>> from groups import Alt, GroupElement
        >>> sign = CosetRep(S(3), S(3), kernel=Alt(3))  # H = G: the sign representation
        >>> [float(sign.rho(GroupElement.generator(S(3), k))[0, 0]) for k in (0, 1)]
        [-1.0, 1.0]
    """
    labels = coset_labels(group, subgroup)
    table = element_table(group)
    count = int(labels.max()) + 1
    first = np.zeros(count, dtype=np.int64)
    first[labels[::-1]] = np.arange(labels.size)[::-1]  # a representative of each coset
    permutations = np.array([labels[table.left[k][first]] for k in range(len(table.left))])
    permutations = permutations.reshape(len(table.left), count)
    images = _permutation_images(permutations)
    name = f"Coset[{group!r}/{subgroup!r}]"
    if kernel is not None:
        _check_group(kernel, "CosetRep")
        signs = _sign_permutations(group, subgroup, kernel, labels, first, table)
        images = images * signs[:, None, :]
        name = f"Coset[{group!r}/{subgroup!r}, sign {kernel!r}]"
    return from_generators(group, discrete=images, name=name)
