"""Representations: ``V``, ``Scalar``, ``T(p, q)`` and their sums, products and duals.

A representation may be written without a group (``V**2 >> V``) and bound later by calling
it on one (``(V**2 >> V)(SO(3))``); size, matrices and bases need a bound one. Duals are
pushed down to the atoms when a rep is built, and for an orthogonal group ``V.T`` *is*
``V`` (``g^{-T} = g``), so ``V >> V`` and ``V**2`` are the same rep there.

Layouts are row-major: a vector of ``A * B`` is an ``(A.size(), B.size())`` array
flattened, and ``A >> B`` (maps from ``A`` to ``B``) is ``B * A.T``, a weight matrix of
shape ``(B.size(), A.size())`` flattened.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from functools import reduce

import numpy as np

from emlp_core.canonical import Monomial, Summand, product_form, sum_form
from emlp_core.memory import check_memory
from groups import Group
from groups._arrays import real_float64

__all__ = ["Rep", "ScalarRep", "VectorRep", "SumRep", "ProductRep", "V", "Scalar", "T"]


def _check_count(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{what} must be an integer; got {type(n).__name__} {n!r}.")
    if n < 0:
        raise ValueError(f"{what} must be >= 0; got {n}.")
    return int(n)


def _common_group(reps) -> Group | None:
    groups = {rep.group for rep in reps if rep.group is not None}
    if len(groups) > 1:
        names = " and ".join(sorted(repr(g) for g in groups))
        raise ValueError(f"cannot combine representations of different groups ({names}).")
    return next(iter(groups), None)


class Rep(ABC):
    """Base class of representations. Build them from `V`, `Scalar` and `T`.

    Example:
        >>> from groups import SO
        >>> rep = (V**2 >> V)(SO(3))
        >>> rep.size()
        27
        >>> rep.equivariant_basis().shape  # the Levi-Civita symbol
        (27, 1)
    """

    group: Group | None = None

    # --------------------------------------------------------------- to define in leaves
    @abstractmethod
    def _key(self) -> tuple:
        """A hashable structural key (without the group)."""

    @abstractmethod
    def _bind(self, group: Group) -> Rep:
        """This representation with every part bound to ``group``."""

    @property
    @abstractmethod
    def T(self) -> Rep:  # noqa: N802 - matches numpy's transpose
        """The dual representation, ``rho(g)^{-T}``."""

    @abstractmethod
    def size(self) -> int:
        """Dimension of the representation space."""

    @abstractmethod
    def _canonical_form(self) -> tuple[Summand, ...]:
        """The canonical form, computed (`canonical_form` caches it)."""

    # ------------------------------------------------------------------------ binding
    def __call__(self, group: Group) -> Rep:
        """Binds this representation (and all its parts) to ``group``."""
        if not isinstance(group, Group):
            raise TypeError(
                f"a representation is bound to a groups.Group; got {type(group).__name__}."
            )
        if self.group is not None and self.group != group:
            raise ValueError(
                f"{self!r} is already bound to {self.group!r}; cannot bind it to {group!r}."
            )
        return self._bind(group)

    def _require_group(self) -> Group:
        if self.group is None:
            raise ValueError(f"{self!r} has no group; bind it first, e.g. rep(SO(3)).")
        return self.group

    def canonical_form(self) -> tuple[Summand, ...]:
        """Distinct tensor types with the positions of their copies (see `emlp_core.canonical`).

        Returns:
            tuple of `Summand(monomial, positions)`, positions int64 ``(copies, type size)``.
        """
        self._require_group()
        cached = self.__dict__.get("_form")
        if cached is None:
            size = self.size()
            check_memory(24.0 * size, f"the canonical form of {self!r} (size {size})")
            cached = self._canonical_form()
            self.__dict__["_form"] = cached
        return cached

    # ------------------------------------------------------------------------ matrices
    def rho(self, g) -> np.ndarray:
        """Dense matrix ``(size, size)`` of the group element ``g`` (d, d).

        Raises:
            TypeError: for complex or string input.
            ValueError: for a wrong shape or non-finite entries.
        """
        return self._assemble(g, "rho")

    def drho(self, A) -> np.ndarray:
        """Dense matrix ``(size, size)`` of the Lie-algebra element ``A`` (d, d).

        Raises:
            TypeError: for complex or string input.
            ValueError: for a wrong shape or non-finite entries.
        """
        return self._assemble(A, "drho")

    def _assemble(self, matrix, method: str) -> np.ndarray:
        d = self._require_group().d
        matrix = real_float64(matrix, method, f"a real ({d}, {d}) matrix")
        if matrix.shape != (d, d):
            raise ValueError(
                f"{method} needs a ({d}, {d}) matrix for {self.group!r}; got shape {matrix.shape}."
            )
        if not np.all(np.isfinite(matrix)):
            raise ValueError(f"{method} needs a finite matrix; got one with nan or inf entries.")
        n = self.size()
        out = np.zeros((n, n))
        for monomial, positions in self.canonical_form():
            out[positions[:, :, None], positions[:, None, :]] = getattr(monomial, method)(matrix)
        return out

    # ------------------------------------------------------------------------- algebra
    def __add__(self, other) -> Rep:
        if isinstance(other, Rep):
            return SumRep(self, other)
        count = _check_count(other, "the integer added to a representation")
        return SumRep(self, *[Scalar] * count)

    def __radd__(self, other) -> Rep:
        count = _check_count(other, "the integer added to a representation")
        return SumRep(*[Scalar] * count, self)

    def __mul__(self, other) -> Rep:
        if isinstance(other, Rep):
            return ProductRep(self, other)
        count = _check_count(other, "the multiplicity of a representation")
        return SumRep(*[self] * count)

    def __rmul__(self, other) -> Rep:
        return self.__mul__(other)

    def __pow__(self, power) -> Rep:
        power = _check_count(power, "the tensor power of a representation")
        if power == 0:
            return Scalar if self.group is None else Scalar(self.group)
        return ProductRep(*[self] * power)

    def __rshift__(self, other: Rep) -> Rep:
        """``self >> other``: linear maps from ``self`` to ``other``, i.e. ``other * self.T``."""
        if not isinstance(other, Rep):
            return NotImplemented
        return ProductRep(other, self.T)

    # ------------------------------------------------------------------------- solving
    def equivariant_basis(self, **kwargs) -> np.ndarray:
        """Orthonormal basis of the invariant vectors; see `emlp_core.solver.equivariant_basis`."""
        from emlp_core.solver import equivariant_basis

        return equivariant_basis(self, **kwargs)

    def equivariant_projector(self, **kwargs):
        """Projector onto the invariants; see `emlp_core.solver.equivariant_projector`."""
        from emlp_core.solver import equivariant_projector

        return equivariant_projector(self, **kwargs)

    # -------------------------------------------------------------------------- dunder
    def __eq__(self, other) -> bool:
        return isinstance(other, Rep) and self._key() == other._key() and self.group == other.group

    def __hash__(self) -> int:
        return hash((self._key(), None if self.group is None else self.group.key))

    @abstractmethod
    def _expression(self) -> str:
        """A Python-like expression of the representation, for ``repr``."""

    def __repr__(self) -> str:
        if self.group is None:
            return self._expression()
        expression = self._expression()
        if isinstance(self, (ScalarRep, VectorRep)):
            return f"{expression}({self.group!r})"
        return f"({expression})({self.group!r})"


class ScalarRep(Rep):
    """The trivial representation on R^1 (size 1 with or without a group)."""

    def __init__(self, group: Group | None = None):
        self.group = group

    def _key(self):
        return ("Scalar",)

    def _bind(self, group):
        return ScalarRep(group)

    @property
    def T(self):  # noqa: N802
        return self

    def size(self) -> int:
        return 1

    def _canonical_form(self):
        return (Summand(Monomial((), self.group), np.zeros((1, 1), dtype=np.int64)),)

    def _expression(self):
        return "Scalar"


class VectorRep(Rep):
    """The defining representation ``V`` (``rho(g) = g``) or its dual ``V.T`` (``g^{-T}``)."""

    def __init__(self, group: Group | None = None, dual: bool = False):
        self.group = group
        # For an orthogonal group g^{-T} = g, so the dual is the same representation.
        self.dual = bool(dual) and not (group is not None and group.is_orthogonal)

    @property
    def atom_sort_key(self) -> tuple:
        return ("V", self.dual)

    def _key(self):
        return self.atom_sort_key

    def _bind(self, group):
        return VectorRep(group, self.dual)

    @property
    def T(self):  # noqa: N802
        return VectorRep(self.group, not self.dual)

    def size(self) -> int:
        return self._require_group().d

    def atom_rho(self, g: np.ndarray) -> np.ndarray:
        """The (d, d) action of ``g`` on this atom (used by `Monomial`)."""
        return np.linalg.inv(g).T if self.dual else g

    def atom_drho(self, A: np.ndarray) -> np.ndarray:
        """The (d, d) action of the Lie-algebra element ``A`` on this atom."""
        return -A.T if self.dual else A

    def _canonical_form(self):
        return (Summand(Monomial((self,), self.group), np.arange(self.size())[None, :]),)

    def _expression(self):
        return "V.T" if self.dual else "V"


class _CompositeRep(Rep):
    """Shared plumbing of sums and products: a tuple of parts combined by ``_SYMBOL``."""

    _SYMBOL = "?"
    reps: tuple

    def _key(self):
        return (self._SYMBOL,) + tuple(rep._key() for rep in self.reps)

    def _bind(self, group):
        return type(self)(*[rep(group) for rep in self.reps], group=group)

    @property
    def T(self):  # noqa: N802
        return type(self)(*[rep.T for rep in self.reps], group=self.group)

    def _runs(self):
        """``(part, count)`` for each run of equal consecutive parts (for readable reprs)."""
        k = 0
        while k < len(self.reps):
            j = k
            while j + 1 < len(self.reps) and self.reps[j + 1] == self.reps[k]:
                j += 1
            yield self.reps[k], j - k + 1
            k = j + 1


class SumRep(_CompositeRep):
    """Direct sum of representations (nested sums are flattened; a sum of one is that rep)."""

    _SYMBOL = "+"

    def __new__(cls, *reps: Rep, group: Group | None = None):
        parts = [p for rep in reps for p in (rep.reps if isinstance(rep, SumRep) else [rep])]
        if len(parts) != 1 or not isinstance(parts[0], Rep):
            return super().__new__(cls)
        group = group if group is not None else parts[0].group
        return parts[0] if group is None or parts[0].group is not None else parts[0](group)

    def __init__(self, *reps: Rep, group: Group | None = None):
        parts: list[Rep] = []
        for rep in reps:
            if not isinstance(rep, Rep):
                raise TypeError(f"SumRep takes representations; got {type(rep).__name__}.")
            parts.extend(rep.reps if isinstance(rep, SumRep) else [rep])
        group = group if group is not None else _common_group(parts)
        self.group = group
        self.reps = tuple(
            rep if group is None or rep.group is not None else rep(group) for rep in parts
        )

    def size(self) -> int:
        return sum(rep.size() for rep in self.reps)

    def _canonical_form(self):
        return sum_form(
            [rep.canonical_form() for rep in self.reps], [rep.size() for rep in self.reps]
        )

    def _expression(self):
        if not self.reps:
            return "0"
        terms = []
        for rep, count in self._runs():
            expression = rep._expression()
            terms.append(expression if count == 1 else f"{count}*{expression}")
        return " + ".join(terms)


class ProductRep(_CompositeRep):
    """Tensor product of representations, row-major (nested products flattened, scalars dropped).

    With no factors left it is the trivial representation; use `Scalar` for that.
    """

    def __new__(cls, *reps: Rep, group: Group | None = None):
        factors = [f for rep in reps for f in (rep.reps if isinstance(rep, ProductRep) else [rep])]
        kept = [f for f in factors if not isinstance(f, ScalarRep)]
        if len(kept) > 1:
            return super().__new__(cls)
        if all(isinstance(f, Rep) for f in factors):
            group = group if group is not None else _common_group(factors)
        if not kept:  # an empty product is the trivial representation
            return ScalarRep(group)
        single = kept[0]  # a product of one factor is that factor
        return single if group is None or single.group is not None else single(group)

    def __init__(self, *reps: Rep, group: Group | None = None):
        factors: list[Rep] = []
        for rep in reps:
            if not isinstance(rep, Rep):
                raise TypeError(f"ProductRep takes representations; got {type(rep).__name__}.")
            factors.extend(rep.reps if isinstance(rep, ProductRep) else [rep])
        factors = [f for f in factors if not isinstance(f, ScalarRep)]
        group = group if group is not None else _common_group(factors)
        self.group = group
        self.reps = tuple(f if group is None or f.group is not None else f(group) for f in factors)

    def size(self) -> int:
        return math.prod(rep.size() for rep in self.reps)

    def _canonical_form(self):
        def multiply(left: tuple[tuple[Summand, ...], int], right: Rep):
            form, size = left
            right_size = right.size()
            return product_form(
                form, right.canonical_form(), right_size, self.group
            ), size * right_size

        start = (ScalarRep(self.group).canonical_form(), 1)
        return reduce(multiply, self.reps, start)[0]

    def _expression(self):
        terms = []
        for rep, count in self._runs():
            expression = rep._expression()
            if isinstance(rep, SumRep) or (count > 1 and "*" in expression):
                expression = f"({expression})"
            terms.append(expression if count == 1 else f"{expression}**{count}")
        return "*".join(terms)


V = VectorRep()
"""The defining representation, unbound: ``V(G)`` acts by the matrices of ``G``."""

Scalar = ScalarRep()
"""The trivial representation."""


def T(p: int, q: int = 0, group: Group | None = None) -> Rep:
    """Tensors with ``p`` contravariant and ``q`` covariant indices: ``V**p * V.T**q``.

    Example:
        >>> from groups import SO
        >>> T(1, 1, SO(3)).size()
        9
    """
    p = _check_count(p, "p")
    q = _check_count(q, "q")
    rep = V**p * V.T**q
    return rep if group is None else rep(group)
