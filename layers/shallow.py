"""Framework-free G-invariant shallow ReLU networks: plans, initialisation, apply.

A `ShallowPlan` holds a sum of irreducible architectures of `emlp_core.shallow` (each
with ``channels`` independent copies) and their constant hidden-row tensors
``rows[t] = rho(t) @ basis``, ``(width, d, k)``. The network is

``f(x) = sum_arch sum_c a_c sum_t act(<rho(t) w_c, x> + b_c)``, ``w_c = basis @ coeff_c``,

with ``act(z) = ReLU(z)`` and a trainable bias ``b_c`` for type 1, and ``act(z) = ReLU(z)
+ ReLU(-z)`` with ``b_c = 0`` for type 2 (see `emlp_core.shallow`): invariant by
construction, for any parameters. Parameter trees are ``{architecture name: {
"weight_coefficients": (channels, k), "output_weight": (channels,), "bias": (channels,)}}``
(no ``"bias"`` for type 2); names as `emlp_core.shallow.ShallowArchitecture.name`
(``"type1_H0"``, ``"type2_H5_K0"``), so a saved tree keeps its meaning.

Initialisation: architecture ``j`` draws from ``fold_in(key, j)``: coefficients
``N(0, 1/k)`` (so ``|w| ~ 1``), output weights ``N(0, 1/(channels * width * n))`` for ``n``
architectures, zero biases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from emlp_core.shallow import ShallowArchitecture, enumerate_invariant_shallow
from groups import Group
from groups.checks import check_int

__all__ = ["ShallowPlan", "shallow_plan", "shallow_init", "shallow_apply"]

_LAYER = "InvariantShallow"


@dataclass(frozen=True, eq=False)
class ShallowPlan:
    """The architectures, their channel counts and constant row tensors.

    Attributes:
        architectures: tuple of accepted `ShallowArchitecture`, distinct names.
        channels: tuple of ints ``>= 1``, one per architecture.
        rows: tuple of float64 ``(width, d, k)`` arrays, ``rho(t) @ basis``.
        d: input size.
    """

    architectures: tuple
    channels: tuple
    rows: tuple
    d: int

    def param_specs(self) -> list[tuple[str, str, tuple]]:
        """``(scope, name, shape)`` of every parameter, in tree order."""
        specs = []
        for arch, c in zip(self.architectures, self.channels, strict=True):
            specs.append((arch.name, "weight_coefficients", (c, arch.basis.shape[1])))
            specs.append((arch.name, "output_weight", (c,)))
            if arch.type == 1:
                specs.append((arch.name, "bias", (c,)))
        return specs

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, _, shape in self.param_specs()))


def shallow_plan(architectures, channels=1) -> ShallowPlan:
    """The plan of a sum of irreducible G-invariant shallow networks.

    Args:
        architectures: a `ShallowArchitecture`, a sequence of them (accepted ones, of one
            group, distinct names), or a finite `groups.Group`: every accepted
            architecture of `emlp_core.shallow.enumerate_invariant_shallow`.
        channels: int ``>= 1`` copies of every architecture, or one int per architecture.

    Returns:
        `ShallowPlan`.

    Raises:
        TypeError: for an architecture that is not a `ShallowArchitecture`, or a
            non-integer channel count.
        ValueError: for no architectures, a rejected one, architectures of different
            groups or with repeated names, or channel counts of the wrong length or ``< 1``.

    Example:
        >>> from groups import Z
        >>> plan = shallow_plan(Z(4), channels=2)
        >>> [a.name for a in plan.architectures], plan.num_params()
        (['type1_H0', 'type1_H1', 'type2_H1_K0', 'type1_H2', 'type2_H2_K0'], 36)
        >>> params = shallow_init(plan, jax.random.PRNGKey(0))
        >>> shallow_apply(plan, params, jnp.ones((3, 4))).shape
        (3, 1)
    """
    if isinstance(architectures, Group):
        architectures = [a for a in enumerate_invariant_shallow(architectures) if a.accepted]
    elif isinstance(architectures, ShallowArchitecture):
        architectures = [architectures]
    if not isinstance(architectures, Sequence) or not architectures:
        raise ValueError(
            f"{_LAYER}: architectures must be a ShallowArchitecture, a non-empty sequence of "
            f"them, or a Group; got {architectures!r}."
        )
    for k, arch in enumerate(architectures):
        if not isinstance(arch, ShallowArchitecture):
            raise TypeError(
                f"{_LAYER}: architectures[{k}] must be a ShallowArchitecture; got "
                f"{type(arch).__name__}."
            )
        if not arch.accepted:
            raise ValueError(f"{_LAYER}: architectures[{k}] = {arch!r} was rejected.")
        if arch.group.key != architectures[0].group.key:
            raise ValueError(
                f"{_LAYER}: architectures[{k}] is of {arch.group!r}, architectures[0] of "
                f"{architectures[0].group!r}; one group per network."
            )
    names = [a.name for a in architectures]
    if len(set(names)) != len(names):
        raise ValueError(f"{_LAYER}: repeated architectures {names}; use channels instead.")
    if isinstance(channels, Sequence) and not isinstance(channels, str):
        if len(channels) != len(architectures):
            raise ValueError(
                f"{_LAYER}: channels has {len(channels)} entries for {len(architectures)} "
                "architectures."
            )
        counts = [
            check_int(c, f"channels[{k}]", minimum=1, where=_LAYER) for k, c in enumerate(channels)
        ]  # noqa: E501
    else:
        counts = [check_int(channels, "channels", minimum=1, where=_LAYER)] * len(architectures)
    rows = tuple(np.einsum("tij,jk->tik", a.transversal_matrices, a.basis) for a in architectures)
    return ShallowPlan(tuple(architectures), tuple(counts), rows, architectures[0].group.d)


def shallow_init(plan: ShallowPlan, key: jax.Array, dtype=jnp.float32) -> dict:
    """The parameter tree (see the module docstring for names, keys and scales)."""
    tree = {}
    n = len(plan.architectures)
    for j, (arch, c) in enumerate(zip(plan.architectures, plan.channels, strict=True)):
        k_w, k_a = jax.random.split(jax.random.fold_in(key, j))
        k = arch.basis.shape[1]
        scope = {
            "weight_coefficients": jax.random.normal(k_w, (c, k), dtype) / np.sqrt(k),
            "output_weight": jax.random.normal(k_a, (c,), dtype) / np.sqrt(c * arch.width * n),
        }
        if arch.type == 1:
            scope["bias"] = jnp.zeros((c,), dtype)
        tree[arch.name] = scope
    return tree


def shallow_apply(plan: ShallowPlan, params, x: jax.Array) -> jax.Array:
    """``(..., d) -> (..., 1)``, the sum of the architectures' outputs.

    ``params`` as `shallow_init` makes; constants are cast to ``x``'s dtype.
    """
    x = jnp.asarray(x)
    if x.ndim < 1 or x.shape[-1] != plan.d:
        raise ValueError(f"{_LAYER}: x must have shape (..., {plan.d}); got {x.shape}.")
    out = jnp.zeros(x.shape[:-1], x.dtype)
    for arch, rows in zip(plan.architectures, plan.rows, strict=True):
        p = params[arch.name]
        weights = jnp.einsum("tik,ck->cti", jnp.asarray(rows, x.dtype), p["weight_coefficients"])
        z = jnp.einsum("...i,cti->...ct", x, weights.astype(x.dtype))
        if arch.type == 1:
            hidden = jax.nn.relu(z + p["bias"].astype(x.dtype)[:, None])
        else:
            hidden = jax.nn.relu(z) + jax.nn.relu(-z)
        out = out + jnp.einsum("...ct,c->...", hidden, p["output_weight"].astype(x.dtype))
    return out[..., None]
