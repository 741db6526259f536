"""Framework-free functional core: pure functions of (basis data, parameters, inputs).

Any JAX framework can call these; the Haiku modules in `layers.haiku_modules` only create
the parameters. ``params`` is a mapping from the names in ``basis.parameter_specs()`` to
arrays of those shapes. Inputs are ``(..., rep_in.size())``.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from layers.bases import BilinearBasis, LinearBasis

__all__ = [
    "init_params",
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


def _to_user_layout(matrix: jax.Array, inverse: np.ndarray | None, axis: int) -> jax.Array:
    return matrix if inverse is None else jnp.take(matrix, inverse, axis=axis)


def linear_weight(basis: LinearBasis, params: Mapping[str, jax.Array]) -> jax.Array:
    """The equivariant weight matrix ``(rep_out.size(), rep_in.size())`` in the user layout.

    One einsum per nonzero block type over all its channel copies, then a gather from the
    canonical to the user layout.
    """
    dtype = next(iter(params.values())).dtype if params else jnp.float32
    rows = []
    for b, target in enumerate(basis.out_types):
        row = []
        for a, source in enumerate(basis.in_types):
            Q = basis.blocks.get((b, a))
            height = target.multiplicity * target.monomial.size
            width = source.multiplicity * source.monomial.size
            if Q is None:
                row.append(jnp.zeros((height, width), dtype))
            else:
                block = jnp.einsum("nmr,ijr->nimj", params[f"w_{b}_{a}"], jnp.asarray(Q, dtype))
                row.append(block.reshape(height, width))
        rows.append(
            jnp.concatenate(row, axis=1)
            if row
            else jnp.zeros((target.multiplicity * target.monomial.size, 0), dtype)
        )
    weight = jnp.concatenate(rows, axis=0)
    weight = _to_user_layout(weight, basis.out_inverse, 0)
    return _to_user_layout(weight, basis.in_inverse, 1)


def linear_bias(
    basis: LinearBasis, params: Mapping[str, jax.Array], dtype=jnp.float32
) -> jax.Array:
    """The invariant bias ``(rep_out.size(),)`` in the user layout."""
    parts = []
    for b, target in enumerate(basis.out_types):
        U = basis.biases.get(b)
        if U is None:
            parts.append(jnp.zeros(target.multiplicity * target.monomial.size, dtype))
        else:
            parts.append(
                jnp.einsum("nr,ir->ni", params[f"b_{b}"], jnp.asarray(U, dtype)).reshape(-1)
            )
    return _to_user_layout(jnp.concatenate(parts), basis.out_inverse, 0)


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
    ``O(batch * copies_b * pairs * s_b)`` for the mixing.
    """
    parts = []
    for b, target in enumerate(basis.out_types):
        paths = basis.paths.get(b)
        if not paths:
            parts.append(
                jnp.zeros((*x.shape[:-1], target.multiplicity * target.monomial.size), x.dtype)
            )
            continue
        products = [
            jnp.einsum("...pij,...pj->...pi", x[..., path.matrix_index], x[..., path.vector_index])
            / np.sqrt(path.vector_index.shape[1])
            for path in paths
        ]
        mixed = jnp.einsum(
            "np,...pi->...ni", params[f"w_{b}"].astype(x.dtype), jnp.concatenate(products, axis=-2)
        )
        parts.append(mixed.reshape(*x.shape[:-1], -1))
    out = jnp.concatenate(parts, axis=-1)
    return _to_user_layout(out, basis.out_inverse, out.ndim - 1)


def gated_nonlinearity(gate_index: np.ndarray, values: jax.Array) -> jax.Array:
    """``values[..., :n] * sigmoid(values[..., gate_index])`` with ``n = len(gate_index)``.

    ``values`` is ``(..., gated(rep).size())``; scalars gate themselves (swish), the other
    copies are scaled by their invariant gate, which keeps the map equivariant.
    """
    n = len(gate_index)
    return values[..., :n] * jax.nn.sigmoid(values[..., gate_index])
