"""Atoms: the base representations that canonical forms are monomials over.

An atom is a representation known by what it does to the generators of its group: one
image per Lie-algebra generator (``lie_images``, ``(D, s, s)``) and one per discrete
generator (``discrete_images``, ``(M, s, s)``). That is all the solver needs (the
constraint ``rho(h) - I``, ``drho(A)`` for each generator, slot by slot), and it lets any
atom act on a `groups.GroupElement` (a word in the generators). The atoms are

* `VectorRep`: ``V`` (``rho(g) = g``) and its dual ``V.T`` (``g^{-T}``) of a group. Bound
  to a `groups.ProductGroup` it is the tensor product of its factors' ``V`` (the
  Kronecker layout), and its canonical form says so;
* `FactorAtom`: an atom of one factor ``G_j`` of a direct product, on which the other
  factors act trivially;
* `emlp_core.custom.GeneratorRep`: a representation given by its generator images.

Every atom has an ``atom_sort_key``: canonical forms sort the atoms of a tensor product by
it, so that atoms of the same factor of a product are contiguous (factor-wise solving).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from emlp_core.canonical import Monomial, Summand
from emlp_core.orbits import signed_permutation
from emlp_core.rep_base import Rep
from groups import Group, GroupElement, ProductGroup
from groups.caching import register

__all__ = ["Atom", "VectorRep", "FactorAtom"]

_ATOM_CACHE: dict[tuple, object] = {}
register(_ATOM_CACHE.clear)
"""Images, their norms and permutations, per (atom key, group key): computed once a process
(an atom's images depend only on these keys; ``SO(100)``'s norms cost seconds)."""


class Atom(Rep):
    """A representation given by its generator images: a leaf of every canonical form.

    Subclasses define ``atom_sort_key``, ``size``, ``T``, ``_images`` (the bound images)
    and may act on raw matrices (``accepts_matrices``).
    """

    _ATOMIC_REPR = True
    accepts_matrices = False  # True when rho accepts a (d, d) matrix of the group
    dual = False

    @property
    @abstractmethod
    def atom_sort_key(self) -> tuple:
        """A sortable key naming the atom's kind and data (without the group)."""

    def _key(self) -> tuple:
        return self.atom_sort_key

    @abstractmethod
    def _images(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lie_images (D, s, s), discrete_images (M, s, s))`` for the bound group."""

    def _cache_key(self) -> tuple:
        return (self.atom_sort_key, self._require_group().key)

    def _cached_images(self) -> tuple[np.ndarray, np.ndarray]:
        key = ("images", *self._cache_key())
        cached = _ATOM_CACHE.get(key)
        if cached is None:
            lie, discrete = self._images()
            for array in (lie, discrete):
                array.setflags(write=False)
            cached = _ATOM_CACHE[key] = (lie, discrete)
        return cached

    def lie_images(self) -> np.ndarray:
        """Images of the group's Lie-algebra generators: float64 ``(D, s, s)``, read-only."""
        return self._cached_images()[0]

    def discrete_images(self) -> np.ndarray:
        """Images of the group's discrete generators: float64 ``(M, s, s)``, read-only."""
        return self._cached_images()[1]

    def image_norms(self) -> tuple[np.ndarray, np.ndarray]:
        """Spectral norms of the images ``(D,)`` and ``(M,)``: bounds for the constraint scale."""
        key = ("norms", *self._cache_key())
        cached = _ATOM_CACHE.get(key)
        if cached is None:
            lie = np.array([np.linalg.norm(L, 2) for L in self.lie_images()])
            discrete = np.array([np.linalg.norm(h, 2) for h in self.discrete_images()])
            cached = _ATOM_CACHE[key] = (lie, discrete)
        return cached

    def signed_permutations(self) -> list | None:
        """``(perm, signs)`` of each discrete image, or None unless all are signed permutations."""
        key = ("permutations", *self._cache_key())
        if key not in _ATOM_CACHE:
            found = [signed_permutation(h) for h in self.discrete_images()]
            _ATOM_CACHE[key] = None if any(p is None for p in found) else found
        return _ATOM_CACHE[key]

    # -------------------------------------------------------------------- actions
    def atom_rho(self, g) -> np.ndarray:
        """The ``(s, s)`` action of a `groups.GroupElement` (or a matrix, if accepted)."""
        if isinstance(g, GroupElement):
            return g.act(self.lie_images(), self.discrete_images())
        return self._rho_matrix(g)

    def _rho_matrix(self, g) -> np.ndarray:
        raise TypeError(
            f"{self!r} acts on group elements given as words: pass a groups.GroupElement "
            "(e.g. from group.random_elements(n, seed)) instead of a matrix."
        )

    def atom_drho(self, A: np.ndarray) -> np.ndarray:
        """The ``(s, s)`` action of algebra coefficients ``(D,)`` (or a matrix, if accepted)."""
        if A.ndim == 1:
            return np.tensordot(A, self.lie_images(), axes=1).reshape(self.size(), self.size())
        return self._drho_matrix(A)

    def _drho_matrix(self, A) -> np.ndarray:
        return self.atom_drho(self.group.lie_coefficients(A))

    def _canonical_form(self):
        return (Summand(Monomial((self,), self.group), np.arange(self.size())[None, :]),)


class VectorRep(Atom):
    """The defining representation ``V`` (``rho(g) = g``) or its dual ``V.T`` (``g^{-T}``)."""

    def __init__(self, group: Group | None = None, dual: bool = False):
        self.group = group
        # For an orthogonal group g^{-T} = g, so the dual is the same representation.
        self.dual = bool(dual) and not (group is not None and group.is_orthogonal)
        self.accepts_matrices = not isinstance(group, ProductGroup)
        self.is_plain_vector = self.accepts_matrices  # V or V.T of a group that is not a product

    @property
    def atom_sort_key(self) -> tuple:
        return ("V", self.dual)

    def _bind(self, group):
        return VectorRep(group, self.dual)

    def _lift(self, product, place):
        if not isinstance(self.group, ProductGroup):
            return FactorAtom(product, place(self.group), self)
        from emlp_core.reps import ProductRep

        return ProductRep(*[atom._lift(product, place) for atom in self._factor_atoms()])

    def _factor_atoms(self) -> list[Rep]:
        """For a product group, ``V`` of each factor (Kronecker layout); else ``[self]``."""
        group = self.group
        if not isinstance(group, ProductGroup):
            return [self]
        return [
            FactorAtom(group, j, VectorRep(factor, self.dual))
            for j, factor in enumerate(group.factors)
        ]

    @property
    def T(self):  # noqa: N802
        return VectorRep(self.group, not self.dual)

    def size(self) -> int:
        return self._require_group().d

    def _images(self):
        group = self.group
        lie, discrete = group.lie_algebra, group.discrete_generators
        if self.dual:
            return -lie.transpose(0, 2, 1), np.linalg.inv(discrete).transpose(0, 2, 1)
        return lie, discrete  # the group's own read-only arrays, not copied

    def atom_rho(self, g) -> np.ndarray:
        if isinstance(g, GroupElement):
            g = g.matrix()
        return np.linalg.inv(g).T if self.dual else g

    def _drho_matrix(self, A) -> np.ndarray:
        return -A.T if self.dual else A

    def _canonical_form(self):
        if isinstance(self.group, ProductGroup):
            from emlp_core.reps import ProductRep

            return ProductRep(*self._factor_atoms(), group=self.group).canonical_form()
        return super()._canonical_form()

    def _expression(self):
        return "V.T" if self.dual else "V"


class FactorAtom(Atom):
    """An atom ``base`` of factor ``factor`` of a direct product; other factors act trivially.

    Args:
        product: the `groups.ProductGroup`.
        factor: index of the factor ``base`` is bound to.
        base: an atom bound to ``product.factors[factor]``.

    Example:
        >>> from groups import S, SO
        >>> from emlp_core import V
        >>> rep = V(S(4)) * V(SO(3))  # a point cloud: a representation of S(4)×SO(3)
        >>> rep, rep.size()
        ((V[S(4)]*V[SO(3)])(S(4)×SO(3)), 12)
    """

    def __init__(self, product: ProductGroup, factor: int, base: Atom):
        if isinstance(base, FactorAtom) or base.group != product.factors[factor]:
            raise ValueError(  # pragma: no cover - built internally
                f"FactorAtom needs an atom of {product.factors[factor]!r}; got {base!r}."
            )
        self.group = product
        self.factor = factor
        self.base = base
        self.dual = base.dual

    @property
    def atom_sort_key(self) -> tuple:
        return ("factor", self.factor, self.base.atom_sort_key)

    def _bind(self, group):  # pragma: no cover - always bound
        return self

    def _lift(self, product, place):
        return FactorAtom(product, place(self.base.group), self.base)

    @property
    def T(self):  # noqa: N802
        return FactorAtom(self.group, self.factor, self.base.T)

    def size(self) -> int:
        return self.base.size()

    def _images(self):
        product, s = self.group, self.size()
        lie = np.zeros((product.lie_dimension, s, s))
        discrete = np.broadcast_to(np.eye(s), (product.num_discrete_generators, s, s)).copy()
        lie_start, discrete_start = (
            product.lie_offsets[self.factor],
            product.discrete_offsets[self.factor],
        )
        base_lie, base_discrete = self.base.lie_images(), self.base.discrete_images()
        lie[lie_start : lie_start + len(base_lie)] = base_lie
        discrete[discrete_start : discrete_start + len(base_discrete)] = base_discrete
        return lie, discrete

    def atom_rho(self, g) -> np.ndarray:
        if isinstance(g, GroupElement):
            return self.base.atom_rho(self.group.restrict(g, self.factor))
        if isinstance(g, tuple):
            part = g[self.factor]
            if not isinstance(part, GroupElement):
                part = self.base._check_element(part)
            return self.base.atom_rho(part)
        return self._rho_matrix(g)

    def atom_drho(self, A: np.ndarray) -> np.ndarray:
        if A.ndim == 1:
            lie = slice(
                self.group.lie_offsets[self.factor], self.group.lie_offsets[self.factor + 1]
            )
            return self.base.atom_drho(np.ascontiguousarray(A[lie]))
        return self._drho_matrix(A)

    def _expression(self):
        label = repr(self.base.group)
        if sum(factor == self.base.group for factor in self.group.factors) > 1:
            label += f"#{self.factor}"  # e.g. V[Z(5)#0] and V[Z(5)#1] of Z(5)×Z(5)
        return f"{self.base._expression()}[{label}]"

    def __repr__(self) -> str:
        return f"{self.base!r}⊂{self.group!r}"
