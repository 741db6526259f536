"""Kernels of the bilinear layer (`layers.functional.bilinear`) that need only jax.

`window` cuts the copies a path uses out of a type block; `coordinate_major_outer_mix`
forms and mixes the outer products into one output type with the copies as the minor axis,
so the mixing is one matmul over copies instead of the ``kron(weights.T, I_s)`` matmul,
whose cost grows as ``s^2`` (see `uses_coordinate_major_mix`).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

from layers.bases import BilinearPath

__all__ = ["window", "uses_coordinate_major_mix", "coordinate_major_outer_mix"]

COORDINATE_MAJOR_MIN_ROWS = 65
"""Least ``pairs * s_b`` of an output type reached only by outer products that is mixed
coordinate-major: below it the ``kron(weights.T, I_s)`` matrix is small enough that one
matmul beats the two transposes (measured on the paper's hidden reps: O(5) and O(3)
``V**2`` outputs, 125 and 126 rows, gain; O(1,3)'s, 32-48 rows, lose)."""


def window(block: jax.Array, start: int, count: int) -> jax.Array:
    """Copies ``start .. start + count - 1`` of ``block (..., copies, size)``, by a split."""
    copies = block.shape[-2]
    sizes = [size for size in (start, count, copies - start - count) if size]
    if len(sizes) == 1:
        return block
    pieces = jax.lax.split(block, sizes, axis=block.ndim - 2)
    return pieces[1 if start else 0]


def uses_coordinate_major_mix(paths: Sequence[BilinearPath], size: int, max_size: int) -> bool:
    """Whether the products into an output type of ``size`` coordinates are mixed by
    `coordinate_major_outer_mix`: all its paths are outer products, ``size <= max_size``
    (larger types contract over copies directly), and ``pairs * size`` reaches
    `COORDINATE_MAJOR_MIN_ROWS`."""
    pairs = sum(path.pairs for path in paths)
    return (
        all(path.kind == "outer" for path in paths)
        and size <= max_size
        and pairs * size >= COORDINATE_MAJOR_MIN_ROWS
    )


def coordinate_major_outer_mix(
    blocks: Sequence[jax.Array], paths: Sequence[BilinearPath], weights: jax.Array
) -> jax.Array:
    """``out[..., n, i] = sum_p weights[n, p] (m_p ⊗ v_p)[i]`` flattened to ``(..., n * s)``.

    The outer products are formed as ``(..., s, pairs)`` (a transposed read of the factors,
    fused with the multiply), mixed by one matmul over ``pairs`` and transposed back:
    ``O(batch * s * pairs * copies)`` instead of ``O(batch * s^2 * pairs * copies)``.

    Args:
        blocks: the input's canonical type blocks ``(..., copies, size)``.
        paths: the ``"outer"`` paths into the output type, in mixing-column order.
        weights: ``(copies_b, total pairs)``, already scaled by the column scales.
    """
    products = []
    for path in paths:
        left = window(blocks[path.matrix_type], path.matrix_start, path.pairs)
        right = window(blocks[path.vector_type], path.vector_start, path.pairs)
        left, right = jnp.swapaxes(left, -1, -2), jnp.swapaxes(right, -1, -2)  # (..., s, P)
        product = left[..., :, None, :] * right[..., None, :, :]
        product = product.reshape(*product.shape[:-3], -1, path.pairs)
        if path.matrix_layout is not None:
            product = jnp.take(product, path.matrix_layout, axis=-2)
        products.append(product)
    stacked = products[0] if len(products) == 1 else jnp.concatenate(products, axis=-1)
    mixed = stacked @ weights.T  # (..., s, copies_b)
    return jnp.swapaxes(mixed, -1, -2).reshape(*mixed.shape[:-2], -1)
