"""Flax NNX front-end, the dynamics models: `EMLPH`, `MLPH`, `EMLPode` and `MLPode` (see
`layers.flax` and `layers.dynamics`)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from emlp_core import Rep
from groups import Group
from layers.dynamics import dynamics_apply, dynamics_init, dynamics_plan, hamiltonian
from layers.flax.base import _KEY_ARGS, _PLAN, _Parametric
from layers.frontend import dynamics_doc

__all__ = ["EMLPH", "MLPH", "EMLPode", "MLPode"]


class _Dynamics(_Parametric):
    """A `layers.dynamics.DynamicsPlan` with its network's parameters (the network's tree)."""

    plan = _PLAN

    def __init__(
        self,
        rep_in: Rep,
        group: Group,
        ch=128,
        num_layers: int = 3,
        *,
        shift=None,
        scale=None,
        rngs: nnx.Rngs | None = None,
        key: jax.Array | None = None,
        dtype=jnp.float32,
    ):
        layer = type(self).__name__
        self._plan = dynamics_plan(layer, rep_in, group, ch, num_layers, shift=shift, scale=scale)
        self.rep_in, self.group = self.plan.rep_in, group
        plan = self.plan
        self._draw(lambda k, d: dynamics_init(plan, k, d), rngs, key, dtype, layer)

    def __call__(self, z: jax.Array) -> jax.Array:
        """The vector field at states ``z (batch, rep_in.size())``, same shape."""
        return dynamics_apply(self.plan, self._tree(), z)


class _Hamiltonian(_Dynamics):
    def __call__(self, z: jax.Array, *, energy: bool = False) -> jax.Array:
        """``J grad H(z)`` at states ``z (batch, n)``; ``H(z) (batch,)`` if ``energy``."""
        if energy:
            return hamiltonian(self.plan, self._tree(), z)
        return dynamics_apply(self.plan, self._tree(), z)

    def hamiltonian(self, z: jax.Array) -> jax.Array:
        """The learned Hamiltonian ``H(z)``: ``(batch,)`` for states ``(batch, rep_in.size())``."""
        return self(z, energy=True)


_EXAMPLE = """        >>> from flax import nnx
        >>> {cls}({rep}, G, ch=16, rngs=nnx.Rngs(0))(z).shape"""


class EMLPH(_Hamiltonian):
    __doc__ = dynamics_doc("EMLPH", _KEY_ARGS, _EXAMPLE)


class MLPH(_Hamiltonian):
    __doc__ = dynamics_doc("MLPH", _KEY_ARGS, _EXAMPLE)


class EMLPode(_Dynamics):
    __doc__ = dynamics_doc("EMLPode", _KEY_ARGS, _EXAMPLE)


class MLPode(_Dynamics):
    __doc__ = dynamics_doc("MLPode", _KEY_ARGS, _EXAMPLE)
