"""Group constructions: the direct product ``G * H`` and the embedding ``Embed(G, d, slice)``.

The direct product acts on the tensor product of the base spaces,
``R^(G.d * H.d) = R^G.d (x) R^H.d``, by ``kron(g, h)``. With the row-major layout of the
toolkit a vector of the product is an ``(G.d, H.d)`` array ``X`` flattened, and
``kron(g, h) vec(X) = vec(g X h^T)``. So a point cloud of ``n`` points in ``R^3``, an
``(n, 3)`` array, is the vector representation ``V`` of ``S(n) * SO(3)``: the permutation
acts on the rows (which point is which), the rotation on every point.
"""

from __future__ import annotations

import math

import numpy as np

from groups._arrays import check_generator_storage
from groups.group import Group

__all__ = ["direct_product", "Embed"]


def direct_product(*groups: Group) -> Group:
    """Direct product ``G_1 x ... x G_k`` acting on ``R^(d_1 ... d_k)`` by Kronecker products.

    The Lie algebra is spanned by ``I (x) .. (x) A (x) .. (x) I`` for every generator ``A``
    of every factor, and the discrete generators are ``I (x) .. (x) h (x) .. (x) I``; the
    elements are ``kron(g_1, ..., g_k)``. ``G * H`` is ``direct_product(G, H)``.

    Args:
        *groups: at least one `Group`.

    Returns:
        A `Group` named ``"G_1×...×G_k"`` acting on ``R^(d_1 d_2 ... d_k)``.

    Raises:
        TypeError: if an argument is not a `Group`.
        ValueError: if no group is given, or the product's dense generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

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
    dims = [group.d for group in groups]
    total = math.prod(dims)  # a Python int: no overflow
    check_generator_storage(
        f"direct_product of {'×'.join(repr(group) for group in groups)} (d = {total})",
        sum(len(group.lie_algebra) + len(group.discrete_generators) for group in groups),
        total,
    )
    algebra, discrete = [], []
    for index, group in enumerate(groups):
        before = np.eye(int(np.prod(dims[:index])))
        after = np.eye(int(np.prod(dims[index + 1 :])))
        for generators, out in (
            (group.lie_algebra, algebra),
            (group.discrete_generators, discrete),
        ):
            out.extend(np.kron(np.kron(before, g), after) for g in generators)
    return Group(
        lie_algebra=np.array(algebra).reshape(-1, total, total),
        discrete_generators=np.array(discrete).reshape(-1, total, total),
        name="×".join(repr(group) for group in groups),
        check_closure=False,  # [A (x) I, I (x) B] = 0: closed when the factors are
    )


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
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"Embed(group, d, slice) needs an integer d; got {type(d).__name__} {d!r}.")
    if d < group.d:
        raise ValueError(f"Embed needs d >= group.d = {group.d}; got d = {d}.")
    check_generator_storage(
        f"Embed(group, d, slice) with d = {d}",
        len(group.lie_algebra) + len(group.discrete_generators),
        int(d),
    )
    chosen = _indices(slice, int(d), group.d)
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
