"""Kernels of the gated nonlinearity (`layers.functional.gated_nonlinearity`); jax only.

The gates multiply whole copies, so the factor each coordinate is multiplied by is built
per tensor type by a broadcast of the type's gates over its ``size`` coordinates (the
coordinates themselves for scalar types, which get swish) and concatenated: the forward
pass fuses into one elementwise kernel, and the gradient of each type's gates is a sum over
its ``size`` coordinates. This is cheaper on CPU than expanding the gates to every
coordinate with a dense ``(gates, n)`` 0/1 matmul (forward) and its transpose (backward),
and than splitting the values into type blocks (one more kernel per type).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

__all__ = ["gate_sizes", "gate_factor"]


def gate_sizes(types: Sequence) -> list[int]:
    """Number of gates of each non-scalar type of ``types`` (its copies), in canonical order.

    Example:
        >>> from groups import SO
        >>> from emlp_core import Scalar, V
        >>> gate_sizes((3 * Scalar + 2 * V + V**2)(SO(3)).canonical_form())
        [2, 1]
    """
    return [s.multiplicity for s in types if s.monomial.degree != 0]


def gate_factor(x: jax.Array, gates: Sequence[jax.Array], types: Sequence) -> jax.Array:
    """What the gated nonlinearity multiplies ``x`` by: ``sigmoid`` of each coordinate's gate.

    Args:
        x: ``(..., n)`` values in canonical layout.
        gates: ``(..., copies)`` per non-scalar type, in the order of ``types``
            (`gate_sizes`).
        types: the canonical form of ``x``'s rep (`emlp_core.Summand` per type).

    Returns:
        ``(..., n)``: ``sigmoid(x)`` on scalar types (so that ``x * factor`` is swish), and
        ``sigmoid`` of its copy's gate on every coordinate of a non-scalar copy.
    """
    batch = x.shape[:-1]
    factors, k, start = [], 0, 0
    for summand in types:
        copies, size = summand.multiplicity, summand.monomial.size
        width = copies * size
        if summand.monomial.degree == 0:
            factors.append(jax.nn.sigmoid(x[..., start : start + width]))
        else:
            gate = jax.nn.sigmoid(gates[k])[..., None]
            factors.append(jnp.broadcast_to(gate, (*batch, copies, size)).reshape(*batch, width))
            k += 1
        start += width
    return factors[0] if len(factors) == 1 else jnp.concatenate(factors, axis=-1)
