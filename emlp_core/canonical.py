"""Canonical form of a representation: distinct tensor types, their copies and positions.

Every bound representation built from ``V``, ``V.T`` and ``Scalar`` by ``+`` and ``*`` is,
up to a permutation of coordinates, a direct sum of copies of *monomials*: tensor
products of atoms in a canonical order (``V`` before ``V.T``), such as ``V**2*V.T``. The
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

__all__ = ["Monomial", "Summand", "product_form", "sum_form"]


_ATOM_NORMS: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _atom_norms(atom) -> tuple[np.ndarray, np.ndarray]:
    """Spectral norms of one tensor slot's action of every generator, computed once.

    ``(||atom_rho(h)||_2 for each discrete generator h, ||atom_drho(A)||_2 for each
    Lie-algebra generator A)``, keyed by the slot type and the group's key (a ``V**8``
    type reuses the norms of ``V``, and every type of a group shares them).
    """
    key = (atom.atom_sort_key, atom.group.key)
    if key not in _ATOM_NORMS:
        group = atom.group
        rho = np.array([np.linalg.norm(atom.atom_rho(h), 2) for h in group.discrete_generators])
        drho = np.array([np.linalg.norm(atom.atom_drho(A), 2) for A in group.lie_algebra])
        _ATOM_NORMS[key] = (rho, drho)
    return _ATOM_NORMS[key]


class Monomial:
    """A tensor product of atoms (bound ``V`` / ``V.T``) in canonical order.

    The empty product is the trivial representation (a scalar, size 1).

    Args:
        atoms: bound atom representations, already sorted by ``atom_sort_key``.
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
    def sort_key(self) -> tuple:
        return (self.degree, self.key)

    def rho(self, g: np.ndarray) -> np.ndarray:
        """Dense action of the group element ``g`` (d, d): ``(size, size)``, a Kronecker product."""
        return reduce(np.kron, [atom.atom_rho(g) for atom in self.atoms], np.ones((1, 1)))

    def drho(self, A: np.ndarray) -> np.ndarray:
        """Dense action of the Lie-algebra element ``A`` (d, d): a Kronecker sum."""
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
        """For each tensor slot, whether it is a dual (``V.T``) slot."""
        return [bool(getattr(atom, "dual", False)) for atom in self.atoms]

    def rho_operator(self, g: np.ndarray) -> LinearOperator:
        """Lazy action of ``g``: a Kronecker product, never materialised."""
        if not self.atoms:
            return Identity(1)
        return KroneckerProduct([atom.atom_rho(g) for atom in self.atoms])

    def drho_operator(self, A: np.ndarray) -> LinearOperator:
        """Lazy action of the Lie-algebra element ``A``: a Kronecker sum."""
        if not self.atoms:
            return KroneckerSum([np.zeros((1, 1))])
        return KroneckerSum([atom.atom_drho(A) for atom in self.atoms])

    def constraint_blocks(self) -> list[tuple[LinearOperator, float]]:
        """Lazy blocks ``rho(h) - I`` and ``drho(A)`` of the constraint, each with a norm bound.

        The bounds: ``||rho(h) - I|| <= prod_slots ||h_slot||_2 + 1`` and
        ``||drho(A)|| <= sum_slots ||A_slot||_2``.
        """
        blocks = []
        identity = Identity(self.size)
        norms = [_atom_norms(atom) for atom in self.atoms]  # (rho norms, drho norms) per slot
        for k, h in enumerate(self.group.discrete_generators):
            bound = float(np.prod([rho[k] for rho, _ in norms])) + 1.0
            blocks.append((self.rho_operator(h) - identity, bound))
        for k, A in enumerate(self.group.lie_algebra):
            bound = float(sum(drho[k] for _, drho in norms))
            blocks.append((self.drho_operator(A), bound))
        return blocks

    def rep(self):
        """The bound `Rep` of this monomial (``Scalar`` for the empty product)."""
        from emlp_core.reps import ProductRep

        return ProductRep(*self.atoms, group=self.group)

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
        return repr(self.rep())


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
