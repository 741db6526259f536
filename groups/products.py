"""Group constructions: the direct product ``G * H`` and the embedding ``Embed(G, d, slice)``.

The direct product acts on the tensor product of the base spaces,
``R^(G.d * H.d) = R^G.d (x) R^H.d``, by ``kron(g, h)``. With the row-major layout of the
toolkit a vector of the product is an ``(G.d, H.d)`` array ``X`` flattened, and
``kron(g, h) vec(X) = vec(g X h^T)``. So a point cloud of ``n`` points in ``R^3``, an
``(n, 3)`` array, is the vector representation ``V`` of ``S(n) * SO(3)``: the permutation
acts on the rows (which point is which), the rotation on every point.
"""

from __future__ import annotations

import hashlib
import math
from functools import reduce

import numpy as np

from groups._arrays import check_generator_storage
from groups.checks import check_int
from groups.elements import GroupElement
from groups.group import Group

__all__ = ["ProductGroup", "direct_product", "Embed"]


class ProductGroup(Group):
    """The direct product ``G_1 x ... x G_k``, keeping its factors (build it with ``G * H``).

    Elements act on ``R^(d_1 ... d_k)`` by ``kron(g_1, ..., g_k)``; the Lie algebra is
    spanned by ``I (x) .. (x) A (x) .. (x) I`` for every generator ``A`` of every factor (in
    factor order), and the discrete generators likewise. These dense ``(d, d)`` generator
    stacks are built only when first read (``lie_algebra``, ``discrete_generators``,
    ``samples``): representations of a product act factor by factor through their atoms
    and never need them, so ``Z(97) * Z(97)`` (``d = 9409``) is cheap to use.

    Attributes:
        factors: the factor groups, none of them a `ProductGroup` (products flatten).

    Example:
        >>> from groups import S, SO
        >>> G = S(4) * SO(3)
        >>> G.factors, G.d, G.lie_dimension, G.num_discrete_generators
        ((S(4), SO(3)), 12, 3, 2)
    """

    def __init__(self, factors):
        flat: list[Group] = []
        for factor in factors:
            flat.extend(factor.factors if isinstance(factor, ProductGroup) else [factor])
        if len(flat) < 2:
            raise ValueError(f"ProductGroup needs at least two factors; got {len(flat)}.")
        self.factors = tuple(flat)
        self._name = "×".join(repr(group) for group in flat)
        self._key = None
        self._lie_algebra = None
        self._discrete_generators = None
        self._closure_residual = None
        self._is_orthogonal = None
        lie_counts = [group.lie_dimension for group in flat]
        discrete_counts = [group.num_discrete_generators for group in flat]
        self.lie_offsets = np.concatenate([[0], np.cumsum(lie_counts)]).astype(np.int64)
        self.discrete_offsets = np.concatenate([[0], np.cumsum(discrete_counts)]).astype(np.int64)

    # ------------------------------------------------------------------- cheap facts
    @property
    def d(self) -> int:
        return math.prod(group.d for group in self.factors)

    @property
    def lie_dimension(self) -> int:
        return int(self.lie_offsets[-1])

    @property
    def num_discrete_generators(self) -> int:
        return int(self.discrete_offsets[-1])

    @property
    def key(self) -> str:
        """Digest of the factors' keys in order (a product never equals a plain group)."""
        if self._key is None:
            digest = hashlib.sha256(b"product")
            for group in self.factors:
                digest.update(group.key.encode())
            self._key = digest.hexdigest()
        return self._key

    @property
    def is_orthogonal(self) -> bool:
        return all(group.is_orthogonal for group in self.factors)

    @property
    def is_permutation(self) -> bool:
        return all(group.is_permutation for group in self.factors)

    @property
    def closure_residual(self) -> float:
        return max(group.closure_residual for group in self.factors)

    # ------------------------------------------------------------------ dense generators
    def _kron_generators(self, kind: str) -> np.ndarray:
        total = self.d
        count = self.lie_dimension if kind == "lie" else self.num_discrete_generators
        check_generator_storage(f"the generators of {self!r} (d = {total})", count, total)
        dims = [group.d for group in self.factors]
        out = []
        for index, group in enumerate(self.factors):
            before = np.eye(int(np.prod(dims[:index])))
            after = np.eye(int(np.prod(dims[index + 1 :])))
            generators = group.lie_algebra if kind == "lie" else group.discrete_generators
            out.extend(np.kron(np.kron(before, g), after) for g in generators)
        array = np.array(out).reshape(-1, total, total) + 0.0
        array.setflags(write=False)
        return array

    @property
    def lie_algebra(self) -> np.ndarray:
        """Lie-algebra basis ``(D, d, d)``, built on first read (see the class docstring)."""
        if self._lie_algebra is None:
            self._lie_algebra = self._kron_generators("lie")
        return self._lie_algebra

    @property
    def discrete_generators(self) -> np.ndarray:
        """Discrete generators ``(M, d, d)``, built on first read."""
        if self._discrete_generators is None:
            self._discrete_generators = self._kron_generators("discrete")
        return self._discrete_generators

    # -------------------------------------------------------------------------- elements
    def restrict(self, element: GroupElement, factor: int) -> GroupElement:
        """The component of a product element in factor ``factor``: a `GroupElement` of it.

        The factors commute, so a word restricted to one factor's steps (its slice of each
        algebra coefficient vector and its own letters) is that component.

        Example:
            >>> from groups import SO, Z
            >>> G = Z(3) * SO(2)
            >>> g = G.random_elements(1, seed=0)[0]
            >>> parts = [G.restrict(g, j).matrix() for j in range(2)]
            >>> bool(np.allclose(np.kron(*parts), g.matrix()))
            True
        """
        if not isinstance(element, GroupElement) or element.group != self:
            raise TypeError(f"restrict needs a GroupElement of {self!r}; got {element!r}.")
        group = self.factors[factor]
        lie = slice(self.lie_offsets[factor], self.lie_offsets[factor + 1])
        first, last = self.discrete_offsets[factor], self.discrete_offsets[factor + 1]
        steps = []
        for step in element.steps:
            if step[0] == "exp":
                if group.lie_dimension:
                    z = np.ascontiguousarray(step[1][lie])
                    z.setflags(write=False)
                    steps.append(("exp", z))
            elif first <= step[1] < last:
                steps.append(("gen", int(step[1] - first), step[2]))
        return GroupElement(group, tuple(steps))

    def element_matrix(self, element: GroupElement) -> np.ndarray:
        """``kron`` of the factor components' matrices: ``(d, d)``."""
        parts = [self.restrict(element, j).matrix() for j in range(len(self.factors))]
        return reduce(np.kron, parts)

    def generator_factor(self, kind: str, index: int) -> tuple[int, int]:
        """``(factor, local index)`` of Lie (``kind="lie"``) or discrete generator ``index``."""
        offsets = self.lie_offsets if kind == "lie" else self.discrete_offsets
        factor = int(np.searchsorted(offsets, index, side="right") - 1)
        return factor, int(index - offsets[factor])


def direct_product(*groups: Group) -> Group:
    """Direct product ``G_1 x ... x G_k`` acting on ``R^(d_1 ... d_k)`` by Kronecker products.

    The elements are ``kron(g_1, ..., g_k)``; see `ProductGroup`. Products flatten
    (``(G * H) * K == direct_product(G, H, K) == G * (H * K)``) and the product of one group
    is that group. ``G * H`` is ``direct_product(G, H)``.

    Args:
        *groups: at least one `Group`.

    Returns:
        A `ProductGroup` named ``"G_1×...×G_k"`` (or the one group given).

    Raises:
        TypeError: if an argument is not a `Group`.
        ValueError: if no group is given.

    Example:
        >>> from groups import S, SO
        >>> G = S(4) * SO(3)  # point clouds of 4 points in R^3
        >>> G, G.d, G.lie_algebra.shape, G.discrete_generators.shape
        (S(4)×SO(3), 12, (3, 12, 12), (2, 12, 12))
        >>> X = np.arange(12.0).reshape(4, 3)  # 4 points
        >>> g = G.discrete_generators[0]  # swaps the first two points
        >>> (g @ X.reshape(-1)).reshape(4, 3)[:2]
        array([[3., 4., 5.],
               [0., 1., 2.]])
    """
    if not groups:
        raise ValueError("direct_product needs at least one Group; got none.")
    for index, group in enumerate(groups):
        if not isinstance(group, Group):
            raise TypeError(
                f"direct_product takes Groups; argument {index} is a {type(group).__name__}."
            )
    if len(groups) == 1:
        return groups[0]
    return ProductGroup(groups)


Group._direct_product = staticmethod(direct_product)  # ``G * H`` (see `Group.__mul__`)


def _indices(index, d: int, size: int) -> np.ndarray:
    if isinstance(index, slice):
        chosen = np.arange(d)[index]
    else:
        try:
            chosen = np.asarray(index)
        except (TypeError, ValueError) as error:  # pragma: no cover - numpy accepts most input
            raise TypeError(
                f"slice must be a slice or a sequence of ints; got {index!r}."
            ) from error
        if chosen.ndim != 1 or (chosen.size and not np.issubdtype(chosen.dtype, np.integer)):
            raise TypeError(f"slice must be a slice or a 1-d sequence of ints; got {index!r}.")
        if chosen.size and (chosen.min() < -d or chosen.max() >= d):
            raise ValueError(f"slice {index!r} has indices outside range({d}).")
        chosen = np.arange(d)[chosen]
    if len(chosen) != size or len(set(chosen.tolist())) != size:
        raise ValueError(
            f"slice must pick {size} distinct coordinates of R^{d} (the group acts on "
            f"R^{size}); got {index!r}, which picks {chosen.tolist()}."
        )
    return chosen.astype(np.int64)


def Embed(group: Group, d: int, slice) -> Group:
    """The group acting on the coordinates ``slice`` of ``R^d`` and fixing the others.

    Every generator is placed in the ``slice x slice`` block of a ``d x d`` matrix; the
    rest is the identity (zero for Lie-algebra generators).

    Args:
        group: the `Group` to embed, acting on ``R^group.d``.
        d: dimension of the larger space, ``d >= group.d``.
        slice: a Python ``slice`` or a sequence of ``group.d`` distinct indices into
            ``range(d)``.

    Returns:
        A `Group` acting on ``R^d``.

    Raises:
        TypeError: if ``group`` is not a `Group`, ``d`` is not an integer, or ``slice`` is
            neither a slice nor a sequence of ints.
        ValueError: if ``d < group.d``, ``slice`` does not pick ``group.d`` distinct
            coordinates of ``R^d``, or the generators ``(d, d)`` would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> from groups import SO
        >>> G = Embed(SO(2), 4, slice(1, 3))  # rotations of the middle two coordinates
        >>> G.lie_algebra[0]
        array([[ 0.,  0.,  0.,  0.],
               [ 0.,  0., -1.,  0.],
               [ 0.,  1.,  0.,  0.],
               [ 0.,  0.,  0.,  0.]])
    """
    if not isinstance(group, Group):
        raise TypeError(f"Embed needs a Group; got {type(group).__name__}.")
    d = check_int(d, "d", minimum=1, where="Embed(group, d, slice)")
    if d < group.d:
        raise ValueError(f"Embed needs d >= group.d = {group.d}; got d = {d}.")
    check_generator_storage(
        f"Embed(group, d, slice) with d = {d}",
        len(group.lie_algebra) + len(group.discrete_generators),
        d,
    )
    chosen = _indices(slice, d, group.d)
    block = np.ix_(chosen, chosen)

    def place(generators: np.ndarray, fill: np.ndarray) -> np.ndarray:
        out = np.broadcast_to(fill, (len(generators), d, d)).copy()
        out[:, block[0], block[1]] = generators
        return out

    return Group(
        lie_algebra=place(group.lie_algebra, np.zeros((d, d))),
        discrete_generators=place(group.discrete_generators, np.eye(d)),
        name=f"Embed({group!r}, {d}, {slice!r})",
        check_closure=False,  # commutators embed like the generators
    )
