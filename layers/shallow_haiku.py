"""Haiku front-end of the G-invariant shallow networks of `layers.shallow`."""

from __future__ import annotations

import haiku as hk
import jax

from layers.haiku import _tree
from layers.shallow import shallow_apply, shallow_init, shallow_plan

__all__ = ["InvariantShallow"]


class InvariantShallow(hk.Module):
    """A sum of irreducible G-invariant shallow ReLU networks (Agrawal & Ostrowski 2022).

    Parameters are created under ``"<module name>/<architecture name>"`` with the names
    and initial values of `layers.shallow.shallow_init` (drawn from ``hk.next_rng_key()``).

    Args:
        architectures: a `emlp_core.shallow.ShallowArchitecture`, a sequence of accepted
            ones, or a finite `groups.Group` (every accepted architecture).
        channels: int copies of every architecture, or one int per architecture.
        name: the Haiku module's name (default ``"invariant_shallow"``).

    Raises:
        As `layers.shallow.shallow_plan`; ValueError for an input of the wrong size.

    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import Z
        >>> from layers.haiku import num_params
        >>> f = hk.without_apply_rng(hk.transform(lambda x: InvariantShallow(Z(4))(x)))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((2, 4)))
        >>> sorted(params)[:2], num_params(params), f.apply(params, jnp.ones((2, 4))).shape
        (['invariant_shallow/type1_H0', 'invariant_shallow/type1_H1'], 18, (2, 1))
    """

    def __init__(self, architectures, channels=1, name: str | None = None):
        super().__init__(name=name)
        self.plan = shallow_plan(architectures, channels)

    def num_params(self) -> int:
        """The number of trainable scalars."""
        return self.plan.num_params()

    def __call__(self, x: jax.Array) -> jax.Array:
        plan = self.plan
        if x.ndim < 1 or x.shape[-1] != plan.d:
            raise ValueError(f"InvariantShallow: x must have shape (..., {plan.d}); got {x.shape}.")
        params = _tree(plan.param_specs(), lambda key: shallow_init(plan, key, x.dtype), x.dtype)
        return shallow_apply(plan, params, x)
