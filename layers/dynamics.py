"""Learned dynamics: Hamiltonian networks (`EMLPH`, `MLPH`) and neural ODEs (`EMLPode`, `MLPode`).

A state ``z = (q, p)`` of a Hamiltonian system is a vector of even size whose first half
holds the positions and second half the momenta. A *Hamiltonian* network learns a scalar
``H(z)`` and returns the vector field ``J grad H(z) = (dH/dp, -dH/dq)``, with the gradient
taken by ``hk.grad``; a *neural ODE* network returns the vector field directly
(``rep_in -> rep_in``).

Equivariance of ``J grad H``: if ``H(rho(g) z) = H(z)`` then
``grad H(rho(g) z) = rho(g)^{-T} grad H(z)``, so ``J grad H`` is equivariant exactly when
``J rho(g)^{-T} = rho(g) J`` for every ``g``, i.e. when ``rho(g)`` is *symplectic*
(``rho(g) J rho(g)^T = J``). That holds for any group acting by the same orthogonal matrix
on positions and momenta (rotations and reflections of both ``q`` and ``p``); `EMLPH`
checks it on the group's generators and refuses other actions.
"""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import Rep, Scalar
from groups import Group, GroupElement
from layers.haiku_modules import EMLP, MLP

__all__ = [
    "symplectic_gradient",
    "check_symplectic",
    "check_standardization",
    "EMLPH",
    "MLPH",
    "EMLPode",
    "MLPode",
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


class _Dynamics(hk.Module):
    """Shared construction, checks and input standardisation of the four dynamics modules.

    Subclasses set ``network_cls`` (`EMLP` or `MLP`); `_Hamiltonian` overrides
    `_network_output` (a scalar ``H`` instead of a vector field).
    """

    network_cls: type[hk.Module]
    requires_symplectic_action = False  # EMLPH: J grad H is equivariant only then

    def __init__(
        self,
        rep_in: Rep,
        group: Group,
        ch=128,
        num_layers: int = 3,
        *,
        shift=None,
        scale=None,
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.rep_in = _check_state_rep(rep_in, group, type(self).__name__)
        self.group = group
        self.shift, self.scale = check_standardization(self.rep_in, shift, scale)
        if self.requires_symplectic_action:
            check_symplectic(self.rep_in, group)
        self.network = self.network_cls(
            self.rep_in, self._network_output(), group, ch=ch, num_layers=num_layers
        )

    def _network_output(self) -> Rep:
        """What the inner network outputs: a vector field ``rep_in`` (`_Hamiltonian`: H)."""
        return self.rep_in

    def _check_states(self, z: jax.Array) -> None:
        if z.ndim != 2 or z.shape[-1] != self.rep_in.size():
            raise ValueError(
                f"{type(self).__name__} expects states (batch, {self.rep_in.size()}); "
                f"got shape {tuple(z.shape)}."
            )

    def _standardize(self, z: jax.Array) -> jax.Array:
        return (z - self.shift.astype(z.dtype)) / self.scale.astype(z.dtype)


class _Hamiltonian(_Dynamics):
    """``J grad H`` for ``H(z) = network((z - shift) / scale)``."""

    def _network_output(self) -> Rep:
        return Scalar

    def hamiltonian(self, z: jax.Array) -> jax.Array:
        """The learned Hamiltonian ``H(z)``: ``(batch,)`` for states ``(batch, rep_in.size())``."""
        self._check_states(z)
        return self.network(self._standardize(z))[..., 0]

    def __call__(self, z: jax.Array) -> jax.Array:
        """The vector field ``J grad H(z)``: ``(batch, rep_in.size())``."""
        self._check_states(z)
        energy = lambda states: jnp.sum(self.network(self._standardize(states)))  # noqa: E731
        return symplectic_gradient(hk.grad(energy)(z))


class _ODE(_Dynamics):
    """``f(z) = network((z - shift) / scale)``, a vector field ``rep_in -> rep_in``."""

    def __call__(self, z: jax.Array) -> jax.Array:
        """The vector field at states ``z (batch, rep_in.size())``, same shape."""
        self._check_states(z)
        return self.network(self._standardize(z))


_ARGS_DOC = """
    Args:
        rep_in: representation of the state ``(q, p)``, positions first (``4 * V`` for two
            bodies in 3-D).
        group: the symmetry group (for the MLP variants it only fixes the shapes).
        ch, num_layers: hidden size and depth of the network.
        shift, scale: optional input standardisation ``(z - shift) / scale``, each
            ``(rep_in.size(),)``; checked by `check_standardization` for every variant, so
            EMLP and MLP see the same inputs.
        name: Haiku module name.

    Raises:
        TypeError: if ``group`` is not a Group or ``rep_in`` not a Rep.
        ValueError: if ``rep_in`` has odd size, the standardisation would break
            equivariance, or (`EMLPH`) the action is not symplectic.
"""


def _example(cls: str, group: str, rep: str, size: int) -> str:
    return f"""
    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import O, SO, Embed, Trivial
        >>> from emlp_core import V
        >>> G = {group}
        >>> f = hk.without_apply_rng(hk.transform(lambda z: {cls}({rep}, G, ch=16)(z)))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((2, {size})))
        >>> f.apply(params, jnp.ones((2, {size}))).shape
        (2, {size})
"""


class EMLPH(_Hamiltonian):
    """Hamiltonian network: ``H`` is an invariant `EMLP`; returns ``J grad H(z)``.

    Exactly equivariant when the group acts symplectically (checked, see `check_symplectic`).
    """

    __doc__ = (__doc__ or "") + _ARGS_DOC + _example("EMLPH", "Embed(O(2), 3, [0, 1])", "4 * V", 12)
    network_cls = EMLP
    requires_symplectic_action = True


class MLPH(_Hamiltonian):
    """Hamiltonian network: ``H`` is a baseline `MLP` (no symmetry); returns ``J grad H(z)``."""

    __doc__ = (__doc__ or "") + _ARGS_DOC + _example("MLPH", "Trivial(4)", "V", 4)
    network_cls = MLP


class EMLPode(_ODE):
    """Neural ODE: the vector field ``rep_in -> rep_in`` is an equivariant `EMLP`."""

    __doc__ = (
        (__doc__ or "") + _ARGS_DOC + _example("EMLPode", "Embed(SO(2), 3, [0, 1])", "4 * V", 12)
    )
    network_cls = EMLP


class MLPode(_ODE):
    """Neural ODE: the vector field ``rep_in -> rep_in`` is a baseline `MLP` (no symmetry)."""

    __doc__ = (__doc__ or "") + _ARGS_DOC + _example("MLPode", "Trivial(4)", "V", 4)
    network_cls = MLP
