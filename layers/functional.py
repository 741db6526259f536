"""Framework-free functional core: pure functions of (basis data, parameters, inputs).

Any JAX framework can call these; the Haiku modules in `layers.haiku_modules` only create
the parameters. ``params`` is a mapping from the names in ``basis.parameter_specs()`` to
arrays of those shapes. Inputs are ``(..., rep_in.size())`` in the user's layout.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from layers.bases import BilinearBasis, Layout, LinearBasis

__all__ = [
    "init_params",
    "to_canonical",
    "from_canonical",
    "type_blocks",
    "linear_weight",
    "linear_bias",
    "linear",
    "bilinear",
    "gated_nonlinearity",
]


def init_params(basis: LinearBasis | BilinearBasis, key: jax.Array, dtype=jnp.float32) -> dict:
    """Draws parameters for ``basis`` with the documented initialisation rule.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.bases import linear_basis
        >>> basis = linear_basis((2 * V)(SO(3)), V(SO(3)))
        >>> {k: v.shape for k, v in init_params(basis, jax.random.PRNGKey(0)).items()}
        {'w_0_0': (1, 2, 1)}
    """
    specs = basis.parameter_specs()
    keys = jax.random.split(key, max(len(specs), 1))
    return {
        name: (std * jax.random.normal(k, shape, dtype) if std else jnp.zeros(shape, dtype))
        for (name, shape, std), k in zip(specs, keys[: len(specs)], strict=True)
    }


def to_canonical(x: jax.Array, layout: Layout) -> jax.Array:
    """``(..., n)`` user layout to canonical layout (free when they coincide)."""
    return x if layout.order is None else jnp.take(x, layout.order, axis=-1)


def from_canonical(x: jax.Array, layout: Layout) -> jax.Array:
    """``(..., n)`` canonical layout back to the user layout."""
    return x if layout.inverse is None else jnp.take(x, layout.inverse, axis=-1)


def type_blocks(x: jax.Array, layout: Layout) -> list[jax.Array]:
    """Canonical ``x (..., n)`` split into ``(..., copies, size)`` per type: slices, no gathers."""
    return [
        x[..., offset : offset + s.multiplicity * s.monomial.size].reshape(
            *x.shape[:-1], s.multiplicity, s.monomial.size
        )
        for s, offset in zip(layout.types, layout.offsets, strict=True)
    ]


def linear_weight(basis: LinearBasis, params: Mapping[str, jax.Array]) -> jax.Array:
    """The equivariant weight matrix ``(rep_out.size(), rep_in.size())`` in the user layout.

    One einsum per nonzero block type over all its channel copies, then (only if a layout
    is not canonical) a gather of rows and columns.
    """
    dtype = next(iter(params.values())).dtype if params else jnp.float32
    rows = []
    for b, target in enumerate(basis.outputs.types):
        height = target.multiplicity * target.monomial.size
        row = []
        for a, source in enumerate(basis.inputs.types):
            width = source.multiplicity * source.monomial.size
            Q = basis.blocks.get((b, a))
            if Q is None:
                row.append(jnp.zeros((height, width), dtype))
            else:
                block = jnp.einsum("nmr,ijr->nimj", params[f"w_{b}_{a}"], jnp.asarray(Q, dtype))
                row.append(block.reshape(height, width))
        rows.append(jnp.concatenate(row, axis=1) if row else jnp.zeros((height, 0), dtype))
    weight = jnp.concatenate(rows, axis=0)
    if basis.outputs.inverse is not None:
        weight = jnp.take(weight, basis.outputs.inverse, axis=0)
    if basis.inputs.inverse is not None:
        weight = jnp.take(weight, basis.inputs.inverse, axis=1)
    return weight


def linear_bias(
    basis: LinearBasis, params: Mapping[str, jax.Array], dtype=jnp.float32
) -> jax.Array:
    """The invariant bias ``(rep_out.size(),)`` in the user layout."""
    parts = []
    for b, target in enumerate(basis.outputs.types):
        U = basis.biases.get(b)
        if U is None:
            parts.append(jnp.zeros(target.multiplicity * target.monomial.size, dtype))
        else:
            bias = jnp.einsum("nr,ir->ni", params[f"b_{b}"].astype(dtype), jnp.asarray(U, dtype))
            parts.append(bias.reshape(-1))
    return from_canonical(jnp.concatenate(parts), basis.outputs)


def linear(basis: LinearBasis, params: Mapping[str, jax.Array], x: jax.Array) -> jax.Array:
    """Equivariant linear map: ``x @ W.T + bias``, ``(..., n_in) -> (..., n_out)``."""
    weight = linear_weight(basis, params).astype(x.dtype)
    return x @ weight.T + linear_bias(basis, params, x.dtype)


def bilinear(basis: BilinearBasis, params: Mapping[str, jax.Array], x: jax.Array) -> jax.Array:
    """Channel-paired equivariant bilinear map ``(..., n_in) -> (..., n_out)``.

    For each path, copy ``p`` of the matrix type is read as a ``(s_b, s_a)`` matrix and
    applied to its partner copy of type ``a``; the products into each output type are then
    mixed across copies by ``params['w_b']``. Each product is divided by ``sqrt(s_a)``, the
    length of its contraction, so that unit-scale inputs give unit-scale products.
    Cost: ``O(batch * pairs * s_b * s_a)`` for the products plus
    ``O(batch * copies_b * pairs * s_b)`` for the mixing; no gathers when the layouts are
    canonical.
    """
    blocks = type_blocks(to_canonical(x, basis.inputs), basis.inputs)
    batch = x.shape[:-1]
    parts = []
    for b, target in enumerate(basis.outputs.types):
        size_b = target.monomial.size
        paths = basis.paths.get(b)
        if not paths:
            parts.append(jnp.zeros((*batch, target.multiplicity * size_b), x.dtype))
            continue
        products = []
        for path in paths:
            matrices = blocks[path.matrix_type][..., : path.pairs, :]
            if path.matrix_layout is not None:
                matrices = jnp.take(matrices, path.matrix_layout, axis=-1)
            vectors = blocks[path.vector_type]
            if path.shift:
                vectors = jnp.roll(vectors, -path.shift, axis=-2)
            vectors = vectors[..., : path.pairs, :]
            size_a = vectors.shape[-1]
            matrices = matrices.reshape(*batch, path.pairs, size_b, size_a)
            product = jnp.einsum("...pij,...pj->...pi", matrices, vectors)
            products.append(product / np.sqrt(size_a).astype(x.dtype))
        weights = params[f"w_{b}"].astype(x.dtype)
        mixed = jnp.einsum("np,...pi->...ni", weights, jnp.concatenate(products, axis=-2))
        parts.append(mixed.reshape(*batch, -1))
    return from_canonical(jnp.concatenate(parts, axis=-1), basis.outputs)


def gated_nonlinearity(rep_layout: Layout, values: jax.Array) -> jax.Array:
    """Gated nonlinearity: ``(..., gated(rep).size()) -> (..., rep.size())``.

    Scalars get swish (``x * sigmoid(x)``); the ``j``-th non-scalar copy (canonical order)
    is multiplied by ``sigmoid`` of gate ``rep.size() + j``, an invariant scalar, which
    keeps the map equivariant. Slices and broadcasting only, in canonical layout.
    """
    n = rep_layout.size
    gates = jax.nn.sigmoid(values[..., n:])
    blocks = type_blocks(to_canonical(values[..., :n], rep_layout), rep_layout)
    parts, used = [], 0
    for summand, block in zip(rep_layout.types, blocks, strict=True):
        if summand.monomial.degree == 0:
            parts.append(jax.nn.swish(block).reshape(*values.shape[:-1], -1))
        else:
            gate = gates[..., used : used + summand.multiplicity, None]
            parts.append((block * gate).reshape(*values.shape[:-1], -1))
            used += summand.multiplicity
    return from_canonical(jnp.concatenate(parts, axis=-1), rep_layout)
