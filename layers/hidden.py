"""Hidden representations for equivariant networks: `uniform_rep` and `gated`."""

from __future__ import annotations

import itertools
import math

import numpy as np

from emlp_core import ProductRep, Rep, Scalar, SumRep, T, V
from groups import Group, ProductGroup
from groups.checks import check_int

__all__ = ["uniform_rep", "gated", "gate_indices"]


def uniform_rep(ch: int, group: Group, max_rank: int = 2) -> Rep:
    """A hidden representation of about ``ch`` dimensions spread evenly over tensor ranks.

    Rank ``R`` is the largest ``r <= max_rank`` with ``(r + 1) * d**r <= ch``; each rank
    ``0..R`` gets ``ch // (R + 1)`` dimensions, filled with as many rank-``r`` tensors as
    fit (at least one); what is left over becomes scalars. A direct product
    (`groups.ProductGroup`) gets mixed tensor types such as ``V[S(4)] * V[SO(3)]`` (see
    `_uniform_product_rep`). For a group whose dual differs
    from ``V`` (not orthogonal), rank-``r`` copies cycle through ``T(p, r - p)``,
    ``p = r, r-1, ..., 0``, so mixed tensors are present. Deterministic: no randomness.

    Args:
        ch: target number of dimensions, an integer ``>= 1``.
        group: the group the representation is bound to.
        max_rank: highest tensor rank used, an integer ``>= 0`` (higher ranks cost larger
            bases; 0 gives ``ch`` scalars).

    Returns:
        A bound `SumRep` of size at most ``ch``, ordered by rank.

    Raises:
        ValueError: ``ch < 1`` or ``max_rank < 0``.
        TypeError: ``ch`` or ``max_rank`` is not an integer (bools and floats are
            refused), or ``group`` is not a `groups.Group`.

    Example:
        >>> from groups import O
        >>> rep = uniform_rep(384, O(5))
        >>> rep, rep.size()
        ((134*Scalar + 25*V + 5*V**2)(O(5)), 384)
    """
    ch = check_int(ch, "ch", minimum=1, where="uniform_rep")
    max_rank = check_int(max_rank, "max_rank", minimum=0, where="uniform_rep")
    if not isinstance(group, Group):
        raise TypeError(f"uniform_rep needs a groups.Group; got {type(group).__name__}.")
    if isinstance(group, ProductGroup):
        return _uniform_product_rep(ch, group, max_rank)
    d = group.d
    rank = 0
    while rank < max_rank and (rank + 2) * d ** (rank + 1) <= ch:
        rank += 1
    per_rank = ch // (rank + 1)
    counts = [max(1, per_rank // d**r) for r in range(rank + 1)]
    counts[0] += ch - sum(c * d**r for r, c in enumerate(counts))
    parts: list[Rep] = []
    for r, count in enumerate(counts):
        if group.is_orthogonal or r == 0:
            parts.extend([T(r)] * count)
        else:
            parts.extend(T(r - k % (r + 1), k % (r + 1)) for k in range(count))
    return SumRep(*sorted(parts, key=_rank_then_key), group=group)


def _product_types(group: ProductGroup, rank: int) -> list[tuple[Rep, int]]:
    """Rank-``rank`` tensor types of a product: products of factors' ``V``, with sizes."""
    types = []
    for combination in itertools.combinations_with_replacement(range(len(group.factors)), rank):
        atoms = [V.lift(group, j) for j in combination]
        size = math.prod(group.factors[j].d for j in combination)
        types.append((ProductRep(*atoms, group=group), size))
    return types


def _uniform_product_rep(ch: int, group: ProductGroup, max_rank: int) -> Rep:
    """`uniform_rep` for a direct product: ranks as for one group, with mixed tensor types.

    Rank ``r`` holds the products of ``r`` factor vectors (``V[S(4)] * V[SO(3)]``, ...).
    Rank ``R`` is the largest ``r <= max_rank`` with ``(r + 1) * s_r <= ch``, where ``s_r``
    is the largest rank-``r`` type; each rank gets ``ch // (R + 1)`` dimensions, filled
    with copies of its types in turn (at least one of the first); the rest are scalars.
    Duals are used as ``V`` (exactly right for orthogonal factors, which is the usual
    case; a non-orthogonal factor still gets an equivariant, if less varied, model).
    """
    rank = 0
    while rank < max_rank and (rank + 2) * max(s for _, s in _product_types(group, rank + 1)) <= ch:
        rank += 1
    per_rank = ch // (rank + 1)
    parts: list[tuple[int, int, Rep]] = []  # (rank, type, rep), sorted below
    used = 0
    for r in range(1, rank + 1):
        types = _product_types(group, r)
        budget, k = per_rank, 0
        while True:
            rep, size = types[k % len(types)]
            if size > budget and k > 0:
                break
            parts.append((r, k % len(types), rep))
            budget -= size
            used += size
            k += 1
    scalars = max(ch - used, 0)
    ordered = [rep for _, _, rep in sorted(parts, key=lambda part: part[:2])]
    return SumRep(*[Scalar] * scalars, *ordered, group=group)


def _rank_then_key(rep: Rep):
    key = rep._key()
    return (0 if key == ("Scalar",) else len(key), key)


def _non_scalar_copies(rep: Rep) -> list[np.ndarray]:
    return [
        positions
        for summand in rep.canonical_form()
        if summand.monomial.degree
        for positions in summand.positions
    ]


def gated(rep: Rep) -> Rep:
    """One gate scalar for every non-scalar copy of ``rep``, followed by ``rep`` itself.

    The gates come first, in the canonical order of the copies they gate, so that when
    ``rep`` is in canonical layout (scalars first, as `uniform_rep` builds it) so is
    ``gated(rep)``, and layers need no permutation at all.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> gated((3 + 2 * V)(SO(3)))
        (5*Scalar + 2*V)(SO(3))
    """
    count = len(_non_scalar_copies(rep))
    return count * Scalar + rep if count else rep


def gate_indices(rep: Rep) -> np.ndarray:
    """Which entry of ``gated(rep)`` gates each coordinate of ``rep``: int ``(rep.size(),)``.

    With ``k`` gates, coordinate ``i`` of ``rep`` is entry ``k + i`` of ``gated(rep)``.
    Scalars gate themselves (``x * sigmoid(x)`` is swish); the coordinates of the ``j``-th
    non-scalar copy point at gate ``j``. (`layers.functional.gated_nonlinearity` computes
    the same map with slices; this index form is its slow, obvious reference.)
    """
    copies = _non_scalar_copies(rep)
    indices = np.arange(rep.size()) + len(copies)
    for j, positions in enumerate(copies):
        indices[positions] = j
    return indices
