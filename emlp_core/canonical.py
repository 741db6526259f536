"""Canonical form of a representation: distinct tensor types, their copies and positions.

Every bound representation built from atoms (``V``, ``V.T``, factor atoms of a direct
product, custom representations; see `emlp_core.atoms`) and ``Scalar`` by ``+`` and ``*``
is, up to a permutation of coordinates, a direct sum of copies of *monomials*: tensor
products of atoms in a canonical order (``V`` before ``V.T``; atoms of a product group
sorted by factor), such as ``V**2*V.T``. The
canonical form records, for each distinct monomial, an integer array ``positions`` of
shape ``(multiplicity, monomial.size)``: row ``c`` lists where the coordinates of copy
``c`` (in the monomial's own row-major layout) sit in the user's layout.

This is what lets the solver split ``Hom(sum, sum)`` into blocks and solve each distinct
block type once, and what lets layers gather the channel copies of each type.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import NamedTuple

import numpy as np
from scipy.sparse.linalg import LinearOperator

from emlp_core.operators import Identity, KroneckerProduct, KroneckerSum

__all__ = ["Monomial", "Summand", "product_form", "sum_form", "atom_product", "hom_type"]


class Monomial:
    """A tensor product of atoms (see `emlp_core.atoms`) in canonical order.

    The empty product is the trivial representation (a scalar, size 1).

    Args:
        atoms: bound atoms, already sorted by ``atom_sort_key``.
        group: the group they are bound to.
    """

    __slots__ = ("atoms", "group", "key", "_hash")

    def __init__(self, atoms: tuple, group):
        self.atoms = tuple(atoms)
        self.group = group
        self.key = tuple(atom.atom_sort_key for atom in self.atoms)
        self._hash = hash((self.key, group.key))

    @property
    def degree(self) -> int:
        return len(self.atoms)

    @property
    def size(self) -> int:
        return math.prod(atom.size() for atom in self.atoms)

    @property
    def slot_sizes(self) -> list[int]:
        """The size of each tensor slot (atom)."""
        return [atom.size() for atom in self.atoms]

    @property
    def sort_key(self) -> tuple:
        return (self.degree, self.key)

    @property
    def accepts_matrices(self) -> bool:
        """Whether every atom acts on raw ``(d, d)`` matrices of the group (not only on words)."""
        return all(atom.accepts_matrices for atom in self.atoms)

    @property
    def is_vector_power(self) -> bool:
        """True when every slot is ``V`` or ``V.T`` of the (non-product) group itself."""
        return all(getattr(atom, "is_plain_vector", False) for atom in self.atoms)

    def rho(self, g) -> np.ndarray:
        """Dense action of a group element (see ``Rep.rho``): a Kronecker product."""
        return reduce(np.kron, [atom.atom_rho(g) for atom in self.atoms], np.ones((1, 1)))

    def drho(self, A: np.ndarray) -> np.ndarray:
        """Dense action of a Lie-algebra element (matrix or coefficients): a Kronecker sum."""
        mats = [atom.atom_drho(A) for atom in self.atoms]
        sizes = [m.shape[0] for m in mats]
        total = np.zeros((self.size, self.size))
        for k, mat in enumerate(mats):
            left = np.eye(int(np.prod(sizes[:k], dtype=np.int64)))
            right = np.eye(int(np.prod(sizes[k + 1 :], dtype=np.int64)))
            total += np.kron(np.kron(left, mat), right)
        return total

    @property
    def duals(self) -> list[bool]:
        """For each tensor slot, whether it is a dual slot (``V.T``)."""
        return [bool(atom.dual) for atom in self.atoms]

    def slot_permutations(self) -> list | None:
        """Per discrete generator, the ``(perm, signs)`` of every slot; None unless all are."""
        per_slot = [atom.signed_permutations() for atom in self.atoms]
        if any(p is None for p in per_slot):
            return None
        return [[slot[k] for slot in per_slot] for k in range(self.group.num_discrete_generators)]

    def factor_parts(self) -> list[tuple[int, Monomial]] | None:
        """For a monomial of factor atoms of a direct product, ``(factor, monomial)`` per factor.

        Atoms are sorted by factor, so the monomial is the Kronecker product of these
        factor monomials in this order, and so is its invariant space. None when some
        atom is not a factor atom (or the group is not a product).
        """
        if not self.atoms or not all(hasattr(atom, "factor") for atom in self.atoms):
            return None
        parts: dict[int, list] = {}
        for atom in self.atoms:
            parts.setdefault(atom.factor, []).append(atom.base)
        return [
            (factor, Monomial(tuple(bases), self.group.factors[factor]))
            for factor, bases in parts.items()
        ]

    def constraint_blocks(self) -> list[tuple[LinearOperator, float]]:
        """Lazy blocks ``rho(h) - I`` and ``drho(A)`` of the constraint, each with a norm bound.

        Built from each slot's generator images. The bounds:
        ``||rho(h) - I|| <= prod_slots ||h_slot||_2 + 1`` and
        ``||drho(A)|| <= sum_slots ||A_slot||_2``.
        """
        blocks = []
        identity = Identity(self.size)
        norms = [atom.image_norms() for atom in self.atoms]  # (lie, discrete) per slot
        for k in range(self.group.num_discrete_generators):
            bound = float(np.prod([discrete[k] for _, discrete in norms])) + 1.0
            if not self.atoms:
                blocks.append((identity - identity, bound))
                continue
            images = [atom.discrete_images()[k] for atom in self.atoms]
            blocks.append((KroneckerProduct(images) - identity, bound))
        for k in range(self.group.lie_dimension):
            bound = float(sum(lie[k] for lie, _ in norms))
            if not self.atoms:
                blocks.append((KroneckerSum([np.zeros((1, 1))]), bound))
                continue
            blocks.append((KroneckerSum([atom.lie_images()[k] for atom in self.atoms]), bound))
        return blocks

    def expression(self) -> str:
        """The tensor type without its group, as a rep prints it: ``"V**2*V.T"``, ``"Scalar"``.

        Runs of equal atoms are written as powers. Layers name parameters by these.
        """
        if not self.atoms:
            return "Scalar"
        terms, k = [], 0
        while k < len(self.atoms):
            j = k
            while j + 1 < len(self.atoms) and self.key[j + 1] == self.key[k]:
                j += 1
            expression, count = self.atoms[k]._expression(), j - k + 1
            if count > 1 and "*" in expression:
                expression = f"({expression})"
            terms.append(expression if count == 1 else f"{expression}**{count}")
            k = j + 1
        return "*".join(terms)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Monomial)
            and other._hash == self._hash
            and other.key == self.key
            and other.group == self.group
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        if not self.atoms:
            return "Scalar"
        if self.degree == 1:
            return repr(self.atoms[0])
        return f"({self.expression()})({self.group!r})"


class Summand(NamedTuple):
    """One distinct tensor type of a canonical form and where its copies live.

    Attributes:
        monomial: the tensor type.
        positions: int64 ``(multiplicity, monomial.size)``; row ``c`` holds the user-layout
            indices of copy ``c``'s coordinates, in the monomial's row-major layout.
    """

    monomial: Monomial
    positions: np.ndarray

    @property
    def multiplicity(self) -> int:
        return self.positions.shape[0]


def _sorted(types: dict) -> tuple[Summand, ...]:
    ordered = sorted(types.items(), key=lambda item: item[0].sort_key)
    return tuple(Summand(mono, np.ascontiguousarray(pos)) for mono, pos in ordered)


def sum_form(forms: list[tuple[Summand, ...]], sizes: list[int]) -> tuple[Summand, ...]:
    """Canonical form of a direct sum, from the forms and sizes of its summands."""
    collected: dict[Monomial, list[np.ndarray]] = {}
    offset = 0
    for form, size in zip(forms, sizes, strict=True):
        for summand in form:
            collected.setdefault(summand.monomial, []).append(summand.positions + offset)
        offset += size
    return _sorted({mono: np.concatenate(parts, axis=0) for mono, parts in collected.items()})


def _merge(first: Summand, second: Summand, second_size: int, group) -> tuple[Monomial, np.ndarray]:
    """The product of one type of the left factor with one type of the right factor."""
    p1, p2 = first.positions, second.positions
    (c1, s1), (c2, s2) = p1.shape, p2.shape
    combined = p1[:, None, :, None] * second_size + p2[None, :, None, :]  # (c1, c2, s1, s2)
    atoms = first.monomial.atoms + second.monomial.atoms
    atom_sizes = [atom.size() for atom in atoms]
    order = sorted(range(len(atoms)), key=lambda k: atoms[k].atom_sort_key)
    if order != list(range(len(atoms))):
        combined = combined.reshape(c1 * c2, *atom_sizes)
        combined = combined.transpose(0, *[1 + k for k in order])
    monomial = Monomial(tuple(atoms[k] for k in order), group)
    return monomial, combined.reshape(c1 * c2, s1 * s2)


def product_form(
    first: tuple[Summand, ...], second: tuple[Summand, ...], second_size: int, group
) -> tuple[Summand, ...]:
    """Canonical form of the tensor product ``first ⊗ second`` (row-major layout)."""
    collected: dict[Monomial, list[np.ndarray]] = {}
    for left in first:
        for right in second:
            mono, positions = _merge(left, right, second_size, group)
            collected.setdefault(mono, []).append(positions)
    return _sorted({mono: np.concatenate(parts, axis=0) for mono, parts in collected.items()})


def atom_product(atoms, group) -> Summand:
    """The tensor product of ``atoms`` (row-major, in the given order) as one canonical type.

    Returns:
        `Summand` with one copy: ``positions[0, k]`` is where coordinate ``k`` of the
        canonical monomial sits in the row-major layout of the product.
    """
    form = (Summand(Monomial((), group), np.zeros((1, 1), dtype=np.int64)),)
    for atom in atoms:
        form = product_form(form, atom.canonical_form(), atom.size(), group)
    (summand,) = form
    return summand


def hom_type(source: Monomial, target: Monomial) -> Summand:
    """``Hom(source, target) = target ⊗ source*`` as one canonical type.

    Its row-major layout is that of a ``(target.size, source.size)`` matrix.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> (vector,) = V(SO(3)).canonical_form()
        >>> hom = hom_type(vector.monomial, vector.monomial)
        >>> hom.monomial, hom.positions.shape
        ((V**2)(SO(3)), (1, 9))
    """
    return atom_product(target.atoms + tuple(atom.T for atom in source.atoms), target.group)
