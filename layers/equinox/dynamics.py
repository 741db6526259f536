"""Equinox front-end, the dynamics models: `EMLPH`, `MLPH`, `EMLPode` and `MLPode` (see
`layers.equinox` and `layers.dynamics`)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from emlp_core import Rep
from groups import Group
from layers.checks import check_dtype
from layers.dynamics import (
    DynamicsPlan,
    dynamics_apply,
    dynamics_init,
    dynamics_plan,
    hamiltonian,
)
from layers.equinox.base import _KEY_ARGS, ParamTree, _model_key, _Parametric
from layers.frontend import dynamics_doc

__all__ = ["EMLPH", "MLPH", "EMLPode", "MLPode"]


class _Dynamics(_Parametric):
    """A `layers.dynamics.DynamicsPlan` with its network's parameters."""

    plan: DynamicsPlan = eqx.field(static=True)
    params: ParamTree = eqx.field(converter=ParamTree)

    def __init__(
        self,
        rep_in: Rep,
        group: Group,
        ch=128,
        num_layers: int = 3,
        *,
        shift=None,
        scale=None,
        key: jax.Array,
        dtype=jnp.float32,
    ):
        layer = type(self).__name__
        self.plan = dynamics_plan(layer, rep_in, group, ch, num_layers, shift=shift, scale=scale)
        dtype = check_dtype(dtype, layer)
        self.params = dynamics_init(self.plan, _model_key(key, layer), dtype)

    @property
    def rep_in(self) -> Rep:
        return self.plan.rep_in

    @property
    def group(self) -> Group:
        return self.plan.rep_in.group

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "kind": self.plan.kind}

    def __call__(self, z: jax.Array) -> jax.Array:
        """The vector field at states ``z (batch, rep_in.size())``, same shape."""
        return dynamics_apply(self.plan, self.params.to_dict(), z)


class _Hamiltonian(_Dynamics):
    def __call__(self, z: jax.Array, *, energy: bool = False) -> jax.Array:
        """``J grad H(z)`` at states ``z (batch, n)``; ``H(z) (batch,)`` if ``energy``."""
        if energy:
            return hamiltonian(self.plan, self.params.to_dict(), z)
        return dynamics_apply(self.plan, self.params.to_dict(), z)

    def hamiltonian(self, z: jax.Array) -> jax.Array:
        """The learned Hamiltonian ``H(z)``: ``(batch,)`` for states ``(batch, rep_in.size())``."""
        return hamiltonian(self.plan, self.params.to_dict(), z)


_EXAMPLE = "        >>> {cls}({rep}, G, ch=16, key=jax.random.PRNGKey(0))(z).shape"


class EMLPH(_Hamiltonian):
    __doc__ = dynamics_doc("EMLPH", _KEY_ARGS, _EXAMPLE)


class MLPH(_Hamiltonian):
    __doc__ = dynamics_doc("MLPH", _KEY_ARGS, _EXAMPLE)


class EMLPode(_Dynamics):
    __doc__ = dynamics_doc("EMLPode", _KEY_ARGS, _EXAMPLE)


class MLPode(_Dynamics):
    __doc__ = dynamics_doc("MLPode", _KEY_ARGS, _EXAMPLE)
