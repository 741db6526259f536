"""Representations: ``V``, ``Scalar``, ``T(p, q)`` and their sums, products and duals.

A representation may be written without a group (``V**2 >> V``) and bound later by calling
it on one (``(V**2 >> V)(SO(3))``); size, matrices and bases need a bound one. Duals are
pushed down to the atoms when a rep is built, and for an orthogonal group ``V.T`` *is*
``V`` (``g^{-T} = g``), so ``V >> V`` and ``V**2`` are the same rep there.

Representations of different groups combine into one of their direct product:
``V(S(4)) * V(SO(3)) + V(SO(3))`` is a representation of ``S(4)×SO(3)`` in which ``S(4)``
acts on the first summand only (see `emlp_core.rep_base.common_group`). Atoms other than
``V`` (custom representations from generator images, pullbacks) are in `emlp_core.custom`.

Layouts are row-major: a vector of ``A * B`` is an ``(A.size(), B.size())`` array
flattened, and ``A >> B`` (maps from ``A`` to ``B``) is ``B * A.T``, a weight matrix of
shape ``(B.size(), A.size())`` flattened.
"""

from __future__ import annotations

import math
from functools import reduce

from emlp_core.atoms import VectorRep
from emlp_core.canonical import Summand, product_form, sum_form
from emlp_core.rep_base import Rep, ScalarRep, common_group
from groups import Group
from groups.checks import check_int

__all__ = ["Rep", "ScalarRep", "VectorRep", "SumRep", "ProductRep", "V", "Scalar", "T"]


class _CompositeRep(Rep):
    """Shared plumbing of sums and products: a tuple of parts combined by ``_SYMBOL``."""

    _SYMBOL = "?"
    reps: tuple

    def _key(self):
        return (self._SYMBOL,) + tuple(rep._key() for rep in self.reps)

    def _bind(self, group):
        return type(self)(*[rep(group) for rep in self.reps], group=group)

    def _lift(self, product, place):
        return type(self)(*[rep._lift(product, place) for rep in self.reps], group=product)

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
        return parts[0] if group is None else parts[0](group)

    def __init__(self, *reps: Rep, group: Group | None = None):
        parts: list[Rep] = []
        for rep in reps:
            if not isinstance(rep, Rep):
                raise TypeError(f"SumRep takes representations; got {type(rep).__name__}.")
            parts.extend(rep.reps if isinstance(rep, SumRep) else [rep])
        group = group if group is not None else common_group(parts)
        self.group = group
        self.reps = tuple(rep if group is None else rep(group) for rep in parts)

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
            group = group if group is not None else common_group(factors)
        if not kept:  # an empty product is the trivial representation
            return ScalarRep(group)
        single = kept[0]  # a product of one factor is that factor
        return single if group is None else single(group)

    def __init__(self, *reps: Rep, group: Group | None = None):
        factors: list[Rep] = []
        for rep in reps:
            if not isinstance(rep, Rep):
                raise TypeError(f"ProductRep takes representations; got {type(rep).__name__}.")
            factors.extend(rep.reps if isinstance(rep, ProductRep) else [rep])
        group = group if group is not None else common_group(factors)  # scalars' groups count
        factors = [f for f in factors if not isinstance(f, ScalarRep)]
        self.group = group
        self.reps = tuple(f if group is None else f(group) for f in factors)

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
    p = check_int(p, "p", minimum=0, where="T")
    q = check_int(q, "q", minimum=0, where="T")
    rep = V**p * V.T**q
    return rep if group is None else rep(group)
