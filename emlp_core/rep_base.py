"""The `Rep` base class: binding to a group, matrices of elements, algebra and solving.

Concrete representations are atoms (`emlp_core.atoms`: ``V`` of a group or of one factor
of a direct product, custom representations given by generator images), the trivial
`ScalarRep`, and sums and products of these (`emlp_core.reps`).

Binding: an unbound representation is bound by calling it on a group, ``rep(G)``. A
representation bound to ``G`` may be called again on a direct product having ``G`` among
its factors (``rep(G * H)``): it is *lifted*, acting through ``G`` while ``H`` acts
trivially on it. Combining representations of different groups (``V(S(4)) * V(SO(3))``)
lifts every part to the direct product of all their factors, ordered by name
(`common_group`), so the result does not depend on the order the parts were written in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from emlp_core import solver
from emlp_core.canonical import Monomial, Summand
from emlp_core.memory import check_memory
from groups import Group, GroupElement, ProductGroup, direct_product
from groups._arrays import real_float64
from groups.checks import check_int

__all__ = ["Rep", "ScalarRep", "common_group", "factor_index"]


def _factors(group: Group) -> tuple[Group, ...]:
    return group.factors if isinstance(group, ProductGroup) else (group,)


def common_group(reps) -> Group | None:
    """The group a combination of ``reps`` is bound to (None if none is bound).

    One group when all bound parts share it; else a bound group whose factors include all
    the others' (``S(4) * SO(3)`` for parts bound to it and to ``SO(3)``); else the direct
    product of every distinct factor, sorted by name and key (order-independent).
    """
    groups: list[Group] = []
    for rep in reps:
        if rep.group is not None and rep.group not in groups:
            groups.append(rep.group)
    if len(groups) <= 1:
        return groups[0] if groups else None
    for group in groups:
        if all(set(_factors(other)) <= set(_factors(group)) for other in groups):
            return group
    distinct = {factor for group in groups for factor in _factors(group)}
    return direct_product(*sorted(distinct, key=lambda g: (repr(g), g.key)))


def factor_index(group: Group, product: Group, rep) -> int:
    """The position of ``group`` among the factors of ``product`` (it must occur once)."""
    places = [j for j, factor in enumerate(product.factors) if factor == group]
    if not places:
        raise ValueError(
            f"cannot bind {rep!r} to {product!r}: {group!r} is not one of its factors "
            f"{product.factors}."
        )
    if len(places) > 1:
        raise ValueError(
            f"cannot bind {rep!r} to {product!r}: {group!r} is factor {places}; say which "
            "with rep.lift(product, factor=j)."
        )
    return places[0]


class Rep(ABC):
    """Base class of representations. Build them from `V`, `Scalar` and `T`.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
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
        """This unbound representation with every part bound to ``group``."""

    @abstractmethod
    def _lift(self, product: ProductGroup, place: Callable) -> Rep:
        """This bound representation lifted to ``product``; ``place(G)`` is G's factor index."""

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
        """Binds this representation to ``group``, or lifts it to a direct product.

        Raises:
            TypeError: if ``group`` is not a `groups.Group`.
            ValueError: if the representation is bound to another group that is not a
                factor (once) of ``group``.
        """
        if not isinstance(group, Group):
            raise TypeError(
                f"a representation is bound to a groups.Group; got {type(group).__name__}."
            )
        if self.group is None:
            return self._bind(group)
        if self.group == group:
            return self
        needed = _factors(self.group)
        if not isinstance(group, ProductGroup) or not set(needed) <= set(group.factors):
            among = " and ".join(repr(g) for g in needed)
            raise ValueError(
                f"{self!r} is already bound to {self.group!r}; it can be bound again only to a "
                f"direct product having {among} among its factors, not to {group!r}."
            )
        return self._lift(group, lambda g: factor_index(g, group, self))

    def lift(self, product: ProductGroup, factor: int) -> Rep:
        """This representation of ``product.factors[factor]``, as one of ``product``.

        Needed when a group occurs more than once in a product (``Z(5) * Z(5)``), where
        ``rep(product)`` cannot tell which factor is meant. An unbound representation is
        bound to the factor first.

        Raises:
            TypeError: if ``product`` is not a `groups.ProductGroup` or ``factor`` not an int.
            ValueError: if ``factor`` is out of range or the representation is bound to
                another group.

        Example:
            >>> from groups import Z
            >>> from emlp_core import V
            >>> P = Z(5) * Z(5)
            >>> a, b = V.lift(P, 0), V.lift(P, 1)
            >>> (a * b).size(), (a * b).equivariant_basis().shape
            (25, (25, 1))
        """
        if not isinstance(product, ProductGroup):
            raise TypeError(f"lift needs a groups.ProductGroup; got {type(product).__name__}.")
        count = len(product.factors)
        factor = check_int(factor, "factor", minimum=0, where="lift")
        if factor >= count:
            raise ValueError(f"{product!r} has {count} factors; factor {factor} is out of range.")
        target = product.factors[factor]
        rep = self if self.group is not None else self(target)
        if rep.group != target:
            raise ValueError(
                f"{rep!r} is bound to {rep.group!r}, not to factor {factor} ({target!r}) of "
                f"{product!r}."
            )

        def place(group: Group) -> int:
            if group != target:  # pragma: no cover - rep is bound to target
                raise ValueError(f"{group!r} is not factor {factor} of {product!r}.")
            return factor

        return rep._lift(product, place)

    @staticmethod
    def from_generators(group: Group, **kwargs) -> Rep:
        """A representation given by generator images; see `emlp_core.custom.from_generators`."""
        from emlp_core.custom import from_generators

        return from_generators(group, **kwargs)

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
        """Dense matrix ``(size, size)`` of the group element ``g``.

        Args:
            g: a `groups.GroupElement` of the group (every representation acts on these),
                or a ``(d, d)`` matrix of the group (for representations built from ``V``
                of a group that is not a product), or, for a `groups.ProductGroup`, a
                tuple with one element (matrix or `GroupElement`) per factor.

        Raises:
            TypeError: for complex or string input, or a matrix given to a representation
                that acts only on `GroupElement`s (custom, factor and pulled-back atoms).
            ValueError: for a wrong shape, non-finite entries or an element of another group.
        """
        return self._assemble(self._check_element(g), "rho")

    def drho(self, A) -> np.ndarray:
        """Dense matrix ``(size, size)`` of a Lie-algebra element.

        Args:
            A: a ``(d, d)`` matrix in the group's Lie algebra, or its coefficients ``(D,)``
                in the basis ``group.lie_algebra``.

        Raises:
            TypeError: for complex or string input.
            ValueError: for a wrong shape, non-finite entries or a matrix outside the algebra.
        """
        group = self._require_group()
        A = real_float64(A, "drho", "a real Lie-algebra element")
        if not np.all(np.isfinite(A)):
            raise ValueError("drho needs a finite matrix; got one with nan or inf entries.")
        if A.ndim == 1:
            if A.shape != (group.lie_dimension,):
                raise ValueError(
                    f"drho needs {group.lie_dimension} coefficients for {group!r}; got shape "
                    f"{A.shape}."
                )
        elif A.shape != (group.d, group.d):
            raise ValueError(
                f"drho needs a ({group.d}, {group.d}) matrix for {group!r}; got shape {A.shape}."
            )
        elif not all(s.monomial.accepts_matrices for s in self.canonical_form()):
            A = group.lie_coefficients(A)
        return self._assemble(A, "drho")

    def _check_element(self, g):
        group = self._require_group()
        if isinstance(g, GroupElement):
            if g.group != group:
                raise ValueError(f"rho needs an element of {group!r}; got one of {g.group!r}.")
            return g
        if isinstance(g, tuple) and isinstance(group, ProductGroup):
            if len(g) != len(group.factors):
                raise ValueError(
                    f"rho needs one element per factor of {group!r} ({len(group.factors)}); "
                    f"got {len(g)}."
                )
            return g
        d = group.d
        matrix = real_float64(g, "rho", f"a real ({d}, {d}) matrix")
        if matrix.shape != (d, d):
            raise ValueError(
                f"rho needs a ({d}, {d}) matrix for {group!r}; got shape {matrix.shape}."
            )
        if not np.all(np.isfinite(matrix)):
            raise ValueError("rho needs a finite matrix; got one with nan or inf entries.")
        return matrix

    def _assemble(self, element, method: str) -> np.ndarray:
        n = self.size()
        out = np.zeros((n, n))
        for monomial, positions in self.canonical_form():
            out[positions[:, :, None], positions[:, None, :]] = getattr(monomial, method)(element)
        return out

    # ------------------------------------------------------------------------- algebra
    def __add__(self, other) -> Rep:
        from emlp_core.reps import SumRep

        if isinstance(other, Rep):
            return SumRep(self, other)
        count = check_int(other, "the integer added to a representation", minimum=0)
        return SumRep(self, *[ScalarRep()] * count)

    def __radd__(self, other) -> Rep:
        from emlp_core.reps import SumRep

        count = check_int(other, "the integer added to a representation", minimum=0)
        return SumRep(*[ScalarRep()] * count, self)

    def __mul__(self, other) -> Rep:
        from emlp_core.reps import ProductRep, SumRep

        if isinstance(other, Rep):
            return ProductRep(self, other)
        count = check_int(other, "the multiplicity of a representation", minimum=0)
        return SumRep(*[self] * count)

    def __rmul__(self, other) -> Rep:
        return self.__mul__(other)

    def __pow__(self, power) -> Rep:
        from emlp_core.reps import ProductRep

        power = check_int(power, "the tensor power of a representation", minimum=0)
        if power == 0:
            return ScalarRep(self.group)
        return ProductRep(*[self] * power)

    def __rshift__(self, other: Rep) -> Rep:
        """``self >> other``: linear maps from ``self`` to ``other``, i.e. ``other * self.T``."""
        from emlp_core.reps import ProductRep

        if not isinstance(other, Rep):
            return NotImplemented
        return ProductRep(other, self.T)

    # ------------------------------------------------------------------------- solving
    def equivariant_basis(self, **kwargs) -> np.ndarray:
        """Orthonormal basis of the invariant vectors; see `emlp_core.solver.equivariant_basis`."""
        return solver.equivariant_basis(self, **kwargs)

    def equivariant_projector(self, **kwargs):
        """Projector onto the invariants; see `emlp_core.solver.equivariant_projector`."""
        return solver.equivariant_projector(self, **kwargs)

    # -------------------------------------------------------------------------- dunder
    def __eq__(self, other) -> bool:
        return isinstance(other, Rep) and self._key() == other._key() and self.group == other.group

    def __hash__(self) -> int:
        return hash((self._key(), None if self.group is None else self.group.key))

    @abstractmethod
    def _expression(self) -> str:
        """A Python-like expression of the representation, for ``repr``."""

    _ATOMIC_REPR = False  # atoms and Scalar print as ``V(G)``, composites as ``(...)(G)``

    def __repr__(self) -> str:
        if self.group is None:
            return self._expression()
        expression = self._expression()
        if self._ATOMIC_REPR:
            return f"{expression}({self.group!r})"
        return f"({expression})({self.group!r})"


class ScalarRep(Rep):
    """The trivial representation on R^1 (size 1 with or without a group)."""

    _ATOMIC_REPR = True

    def __init__(self, group: Group | None = None):
        self.group = group

    def _key(self):
        return ("Scalar",)

    def _bind(self, group):
        return ScalarRep(group)

    def _lift(self, product, place):
        return ScalarRep(product)

    @property
    def T(self):  # noqa: N802
        return self

    def size(self) -> int:
        return 1

    def _canonical_form(self):
        return (Summand(Monomial((), self.group), np.zeros((1, 1), dtype=np.int64)),)

    def _expression(self):
        return "Scalar"
