"""Learned dynamics, framework-free: Hamiltonian networks and neural ODEs.

A state ``z = (q, p)`` of a Hamiltonian system is a vector of even size whose first half
holds the positions and second half the momenta. A *Hamiltonian* network learns a scalar
``H(z)`` and returns the vector field ``J grad H(z) = (dH/dp, -dH/dq)``, with the gradient
taken by ``jax.grad`` of the pure network; a *neural ODE* network returns the vector field
directly (``rep_in -> rep_in``). The front-ends' ``EMLPH``, ``MLPH``, ``EMLPode`` and
``MLPode`` hold a `DynamicsPlan` and call `dynamics_apply`.

Equivariance of ``J grad H``: if ``H(rho(g) z) = H(z)`` then
``grad H(rho(g) z) = rho(g)^{-T} grad H(z)``, so ``J grad H`` is equivariant exactly when
``J rho(g)^{-T} = rho(g) J`` for every ``g``, i.e. when ``rho(g)`` is *symplectic*
(``rho(g) J rho(g)^T = J``). That holds for any group acting by the same orthogonal matrix
on positions and momenta (rotations and reflections of both ``q`` and ``p``); `EMLPH`
checks it on the group's generators and refuses other actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import Rep, Scalar
from groups import Group, GroupElement
from layers import core
from layers import functional as F

__all__ = [
    "symplectic_gradient",
    "check_symplectic",
    "check_standardization",
    "DynamicsPlan",
    "dynamics_plan",
    "dynamics_init",
    "hamiltonian",
    "dynamics_apply",
    "DYNAMICS_ARGS_DOC",
]


def symplectic_gradient(gradient: jax.Array) -> jax.Array:
    """``J @ gradient`` for ``J = [[0, I], [-I, 0]]``: ``(g_q, g_p) -> (g_p, -g_q)``.

    Args:
        gradient: ``(..., 2n)`` array, the gradient of a Hamiltonian at states ``(q, p)``.

    Returns:
        ``(..., 2n)``, the Hamiltonian vector field ``(dq/dt, dp/dt)``.

    Example:
        >>> symplectic_gradient(jnp.array([1.0, 2.0, 3.0, 4.0]))
        Array([ 3.,  4., -1., -2.], dtype=float32)
    """
    half = gradient.shape[-1] // 2
    return jnp.concatenate([gradient[..., half:], -gradient[..., :half]], axis=-1)


def _check_state_rep(rep_in: Rep, group: Group, layer: str) -> Rep:
    if not isinstance(group, Group):
        raise TypeError(f"{layer} needs a groups.Group; got {type(group).__name__}.")
    if not isinstance(rep_in, Rep):
        raise TypeError(f"{layer}: rep_in must be a Rep; got {type(rep_in).__name__}.")
    rep_in = rep_in(group)
    if rep_in.size() % 2:
        raise ValueError(
            f"{layer}: a state (q, p) has even size; rep_in = {rep_in!r} has size {rep_in.size()}."
        )
    return rep_in


def check_symplectic(rep_in: Rep, group: Group, atol: float = 1e-8) -> None:
    """Raises ValueError unless ``group`` acts on ``rep_in`` by symplectic matrices.

    Checks ``rho(h) J rho(h)^T = J`` for every discrete generator ``h`` and
    ``drho(A) J + J drho(A)^T = 0`` for every Lie-algebra generator ``A`` (float64).

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> check_symplectic(2 * V, SO(3))  # the same rotation of q and p: symplectic
    """
    rep_in = _check_state_rep(rep_in, group, "check_symplectic")
    n = rep_in.size() // 2
    J = np.block([[np.zeros((n, n)), np.eye(n)], [-np.eye(n), np.zeros((n, n))]])
    worst = 0.0
    for k in range(group.num_discrete_generators):
        rho = rep_in.rho(GroupElement.generator(group, k))
        worst = max(worst, float(np.abs(rho @ J @ rho.T - J).max()))
    for A in np.eye(group.lie_dimension):  # the coefficients of each algebra generator
        drho = rep_in.drho(A)
        worst = max(worst, float(np.abs(drho @ J + J @ drho.T).max()))
    if worst > atol:
        raise ValueError(
            f"{group!r} does not act symplectically on {rep_in!r} (residual {worst:.2e}), so "
            "J grad H would not be equivariant; act by the same orthogonal matrix on q and p."
        )


def check_standardization(rep_in: Rep, shift=None, scale=None, atol: float = 1e-6) -> tuple:
    """Validates an input standardisation ``z -> (z - shift) / scale`` that keeps equivariance.

    ``shift`` must be invariant (``rho(h) shift = shift``, ``drho(A) shift = 0`` for the
    generators of ``rep_in.group``) and ``scale`` positive and constant on every copy of
    the canonical form, so that standardising commutes with the group action.

    Args:
        rep_in: bound representation of the inputs.
        shift: ``(rep_in.size(),)`` or None (zero).
        scale: ``(rep_in.size(),)`` or None (one).

    Returns:
        ``(shift, scale)`` as float32 numpy arrays.

    Raises:
        ValueError: on a wrong shape, a non-invariant shift, or a scale that is not
            positive and constant per copy.

    Example:
        >>> from groups import SO, Embed
        >>> from emlp_core import V
        >>> rep = (2 * V)(Embed(SO(2), 3, [0, 1]))
        >>> shift, scale = check_standardization(rep, np.r_[0, 0, -1.5, 0, 0, 0], np.r_[[2] * 6])
        >>> scale.tolist()
        [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    """
    n = rep_in.size()
    shift = np.zeros(n) if shift is None else np.asarray(shift, dtype=np.float64)
    scale = np.ones(n) if scale is None else np.asarray(scale, dtype=np.float64)
    for label, value in (("shift", shift), ("scale", scale)):
        if value.shape != (n,) or not np.all(np.isfinite(value)):
            raise ValueError(f"{label} must be finite with shape ({n},); got {value.shape}.")
    group = rep_in.group
    residual = max(
        [
            float(np.abs(rep_in.rho(GroupElement.generator(group, k)) @ shift - shift).max())
            for k in range(group.num_discrete_generators)
        ]
        + [float(np.abs(rep_in.drho(A) @ shift).max()) for A in np.eye(group.lie_dimension)]
        + [0.0]
    )
    if residual > atol * max(1.0, float(np.abs(shift).max())):
        raise ValueError(
            f"shift must be invariant under {group!r} (residual {residual:.2e}); project it "
            "onto the invariant subspace of rep_in first."
        )
    for summand in rep_in.canonical_form():
        for positions in summand.positions:
            block = scale[positions]
            if np.any(block <= 0) or np.ptp(block) > atol * block.max():
                raise ValueError(
                    f"scale must be positive and constant on each copy; got {block.tolist()} "
                    f"on coordinates {positions.tolist()}."
                )
    return shift.astype(np.float32), scale.astype(np.float32)


@dataclass(frozen=True, eq=False)
class DynamicsPlan:
    """A dynamics model: its network plan, input standardisation and kind.

    Attributes:
        kind: ``"hamiltonian"`` (the network is ``H``; the model returns ``J grad H``) or
            ``"ode"`` (the network is the vector field).
        network: a `layers.core.EMLPPlan` or `layers.core.MLPPlan`.
        shift, scale: float32 ``(rep_in.size(),)``, ``z -> (z - shift) / scale``.
    """

    kind: str
    rep_in: Rep
    network: object
    shift: np.ndarray
    scale: np.ndarray

    def param_specs(self) -> list[tuple[str, str, tuple]]:
        """``(scope, name, shape)`` of every parameter: the network's."""
        return self.network.param_specs()

    def num_params(self) -> int:
        """The number of trainable scalars (the network's)."""
        return self.network.num_params()


def dynamics_plan(
    layer: str,
    rep_in: Rep,
    group: Group,
    ch=128,
    num_layers: int = 3,
    *,
    shift=None,
    scale=None,
) -> DynamicsPlan:
    """The plan of ``layer``, one of ``"EMLPH"``, ``"MLPH"``, ``"EMLPode"``, ``"MLPode"``.

    Raises:
        TypeError, ValueError: as described in `DYNAMICS_ARGS_DOC`.

    Example:
        >>> from groups import SO, Embed
        >>> from emlp_core import V
        >>> plan = dynamics_plan("EMLPH", 4 * V, Embed(SO(2), 3, [0, 1]), ch=16)
        >>> params = dynamics_init(plan, jax.random.PRNGKey(0))
        >>> dynamics_apply(plan, params, jnp.ones((2, 12))).shape
        (2, 12)
    """
    kinds = {"EMLPH": "hamiltonian", "MLPH": "hamiltonian", "EMLPode": "ode", "MLPode": "ode"}
    if layer not in kinds:
        raise ValueError(f"layer must be one of {sorted(kinds)}; got {layer!r}.")
    rep_in = _check_state_rep(rep_in, group, layer)
    shift, scale = check_standardization(rep_in, shift, scale)
    kind = kinds[layer]
    if layer == "EMLPH":  # J grad H is equivariant only for a symplectic action
        check_symplectic(rep_in, group)
    rep_out = Scalar if kind == "hamiltonian" else rep_in
    if layer.startswith("EMLP"):
        network = core.emlp_plan(rep_in, rep_out, group, ch=ch, num_layers=num_layers)
    else:
        network = core.mlp_plan(rep_in, rep_out, group, ch=ch, num_layers=num_layers)
    return DynamicsPlan(kind, rep_in, network, shift, scale)


def dynamics_init(plan: DynamicsPlan, key: jax.Array, dtype=jnp.float32) -> dict:
    """The network's parameter tree (`layers.core.emlp_init` or `layers.core.mlp_init`)."""
    if isinstance(plan.network, core.EMLPPlan):
        return core.emlp_init(plan.network, key, dtype)
    return core.mlp_init(plan.network, key, dtype)


def _network(plan: DynamicsPlan, params, z: jax.Array) -> jax.Array:
    standardized = (z - plan.shift.astype(z.dtype)) / plan.scale.astype(z.dtype)
    if isinstance(plan.network, core.EMLPPlan):
        return core.emlp_apply(plan.network, params, standardized)
    return core.mlp_apply(plan.network, params, standardized)


def _check_states(plan: DynamicsPlan, z: jax.Array) -> None:
    layer = "EMLP" if isinstance(plan.network, core.EMLPPlan) else "MLP"
    layer += "H" if plan.kind == "hamiltonian" else "ode"
    if getattr(z, "ndim", None) != 2 or z.shape[-1] != plan.rep_in.size():
        raise ValueError(
            f"{layer} expects states (batch, {plan.rep_in.size()}); got shape "
            f"{tuple(getattr(z, 'shape', ()))}."
        )
    F.check_input(z, plan.rep_in.size(), layer, rep=f"rep_in = {plan.rep_in!r}", argument="z")


def hamiltonian(plan: DynamicsPlan, params, z: jax.Array) -> jax.Array:
    """The learned Hamiltonian ``H(z)``: ``(batch,)`` for states ``(batch, rep_in.size())``."""
    _check_states(plan, z)
    return _network(plan, params, z)[..., 0]


def dynamics_apply(plan: DynamicsPlan, params, z: jax.Array) -> jax.Array:
    """The vector field at states ``z (batch, rep_in.size())``, same shape."""
    _check_states(plan, z)
    if plan.kind == "ode":
        return _network(plan, params, z)
    energy = lambda states: jnp.sum(_network(plan, params, states))  # noqa: E731
    return symplectic_gradient(jax.grad(energy)(z))


DYNAMICS_ARGS_DOC = """
    Args:
        rep_in: representation of the state ``(q, p)``, positions first (``4 * V`` for two
            bodies in 3-D).
        group: the symmetry group (for the MLP variants it only fixes the shapes).
        ch, num_layers: hidden size and depth of the network.
        shift, scale: optional input standardisation ``(z - shift) / scale``, each
            ``(rep_in.size(),)``; checked by `layers.dynamics.check_standardization` for
            every variant, so EMLP and MLP see the same inputs.

    Raises:
        TypeError: if ``group`` is not a Group or ``rep_in`` not a Rep.
        ValueError: if ``rep_in`` has odd size, the standardisation would break
            equivariance, or (``EMLPH``) the action is not symplectic.
"""
