"""Haiku front-end: modules over the framework-free core (`layers.core`).

Every module is used inside ``hk.transform``; inputs are ``(batch, rep_in.size())`` and
outputs ``(batch, rep_out.size())``. A module holds its plan (bases computed and cached when
it is constructed); its parameters are created with ``hk.get_parameter`` under the scopes
and names of `layers.core`, with the values of the core's initialisation rule drawn from
``hk.next_rng_key()``, so ``EMLP(...)`` under ``hk.transform(f).init(key, x)`` has the same
parameter tree (``{"emlp/block_0/linear": {"V->V": ...}, ...}``) and values as the Flax
and Equinox front-ends given the same key.
"""

from __future__ import annotations

from collections.abc import Callable

import haiku as hk
import jax
import jax.numpy as jnp

from emlp_core import Rep
from groups import Group
from layers import core
from layers import functional as F
from layers.bases import bilinear_basis, layout, linear_basis
from layers.checks import check_rep
from layers.dynamics import dynamics_apply, dynamics_init, dynamics_plan, hamiltonian
from layers.frontend import MODULE_NAMES, dynamics_doc, module_doc
from layers.hidden import gated
from layers.standardize import Standardization, standardized

__all__ = list(MODULE_NAMES)


def num_params(params: hk.Params) -> int:
    """Number of trainable scalars in a Haiku parameter tree.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
        >>> f = hk.transform(lambda x: Linear(V(SO(3)), (2 * V)(SO(3)))(x))
        >>> num_params(f.init(jax.random.PRNGKey(0), jnp.ones((1, 3))))  # 2 x 1 coefficients
        2
    """
    return core.tree_size(params)


def _tree(specs, draw: Callable[[jax.Array], dict], dtype) -> dict:
    """``hk.get_parameter`` for every ``(scope, name, shape)``; ``draw(key)`` gives init values.

    A scope ``"block_0/linear"`` is the Haiku name scope ``linear`` inside ``block_0``
    (entered once per distinct prefix, as Haiku requires unique scope names).
    """
    values = draw(hk.next_rng_key()) if hk.running_init() and specs else None
    tree: dict = {}

    def create(entries) -> None:
        children: dict = {}
        for parts, scope, name, shape in entries:
            if parts:
                children.setdefault(parts[0], []).append((parts[1:], scope, name, shape))
                continue
            init = (lambda *_, v=values[scope][name]: v) if values is not None else None
            tree.setdefault(scope, {})[name] = hk.get_parameter(name, shape, dtype, init=init)
        for child, entries_below in children.items():
            with hk.name_scope(child):
                create(entries_below)

    create([(tuple(filter(None, scope.split("/"))), scope, n, s) for scope, n, s in specs])
    return tree


def _layer_params(basis, dtype, gain=None) -> dict:
    """One layer's parameters, in the module's own scope."""
    extra = () if gain is None else (gain,)
    specs = [("", name, shape) for name, shape, _ in basis.parameter_specs(*extra)]
    draw = lambda key: {"": F.init_params(basis, key, dtype, *extra)}  # noqa: E731
    return _tree(specs, draw, dtype).get("", {})


class Linear(hk.Module):
    """Equivariant linear layer ``rep_in -> rep_out`` with an invariant bias.

    The parameters are the coefficients of the equivariant basis, one array
    ``(copies_out, copies_in, r)`` per pair of tensor types, named ``"<in type>-><out
    type>"``, initialised by `layers.functional.init_params` (``init_gain``: see
    `layers.bases.LinearBasis.parameter_specs`).

    {args}

    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> f = hk.without_apply_rng(hk.transform(lambda x: Linear(V(G), (V + Scalar)(G))(x)))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((2, 3)))
        >>> params["linear"].keys()
        dict_keys(['V->V', 'bias->Scalar'])
        >>> f.apply(params, jnp.ones((2, 3))).shape
        (2, 4)
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, init_gain: float = 1.0, name: str | None = None):
        super().__init__(name=name)
        self.basis = linear_basis(rep_in, rep_out)
        self.init_gain = core.check_gain(init_gain, "Linear")
        self.rep_in, self.rep_out = rep_in, rep_out

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "Linear", rep=f"rep_in = {self.rep_in!r}")
        params = _layer_params(self.basis, x.dtype, self.init_gain)
        return F.compiled(F.linear, self.basis)(params, x)


class BiLinear(hk.Module):
    """Channel-paired equivariant bilinear layer ``rep_in x rep_in -> rep_out``.

    See `layers.bases.bilinear_basis` for which channels are multiplied.

    {args}
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, name: str | None = None):
        super().__init__(name=name)
        self.basis = bilinear_basis(rep_in, rep_out)
        self.rep_in, self.rep_out = rep_in, rep_out

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "BiLinear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.bilinear, self.basis)(_layer_params(self.basis, x.dtype), x)


class GatedNonlinearity(hk.Module):
    """Gated nonlinearity: input ``gated(rep)``, output ``rep``.

    Scalars get swish; every other copy is scaled by the sigmoid of its gate scalar.

    {args}
    """

    def __init__(self, rep: Rep, name: str | None = None):
        super().__init__(name=name)
        check_rep(rep, "rep", "GatedNonlinearity")
        self.rep, self.gated_rep, self.layout = rep, gated(rep), layout(rep)

    def __call__(self, values: jax.Array) -> jax.Array:
        rep = f"gated(rep) = {self.gated_rep!r}"
        F.check_input(values, self.gated_rep.size(), "GatedNonlinearity", rep=rep)
        return F.compiled(F.gated_nonlinearity, self.layout)(values)


class EMLPBlock(hk.Module):
    """``Linear(rep_in, gated(rep_out))``, a residual `BiLinear`, then `GatedNonlinearity`.

    {args}
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, init_gain: float = 1.0, name: str | None = None):
        super().__init__(name=name)
        self.plan = core.block_plan(rep_in, rep_out, init_gain)
        self.rep_in, self.rep_out = rep_in, rep_out

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLPBlock", rep=f"rep_in = {self.rep_in!r}")
        plan = self.plan
        specs = [("linear", n, s) for n, s, _ in plan.linear.parameter_specs(plan.gain)]
        specs += [("bilinear", n, s) for n, s, _ in plan.bilinear.parameter_specs()]
        params = _tree(specs, lambda key: core.block_init(plan, key, x.dtype), x.dtype)
        return core.block_apply(plan, params, x)


class EMLP(hk.Module):
    """Equivariant multilayer perceptron from ``rep_in`` to ``rep_out`` under ``group``.

    ``num_layers`` `EMLPBlock`s on hidden representations, then a final `Linear`.

    Under ``init`` the parameters are drawn from the bases' shapes (`layers.core.emlp_init`)
    and the call returns zeros of the output shape without running the network, so
    initialising compiles nothing of the model. A module after it that computes initial
    *state* from its values (``hk.transform_with_state``) sees those zeros.

    {args}

    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> f = hk.without_apply_rng(hk.transform(lambda x: EMLP(2 * V, Scalar, O(5), ch=32)(x)))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((4, 10)))
        >>> sorted(params)[:2], f.apply(params, jnp.ones((4, 10))).shape
        (['emlp/block_0/bilinear', 'emlp/block_0/linear'], (4, 1))
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch=384,
        num_layers: int = 3,
        init_gain: float = core.DEFAULT_HIDDEN_GAIN,
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.plan = core.emlp_plan(rep_in, rep_out, group, ch, num_layers, init_gain)
        self.rep_in, self.rep_out = self.plan.rep_in, self.plan.rep_out
        self.hidden = [block.rep_out for block in self.plan.blocks]

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLP", rep=f"rep_in = {self.rep_in!r}")
        plan = self.plan
        params = _tree(plan.param_specs(), lambda key: core.emlp_init(plan, key, x.dtype), x.dtype)
        if hk.running_init():
            return jnp.zeros((*x.shape[:-1], self.rep_out.size()), x.dtype)
        return core.emlp_apply(plan, params, x)


class MLP(hk.Module):
    """Baseline multilayer perceptron with swish; the reps and group give only the shapes.

    ``num_layers`` hidden layers of width ``ch``, each followed by swish, then a linear
    output layer (initialisation: `layers.core.mlp_init`).

    {args}
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch: int = 384,
        num_layers: int = 3,
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.plan = core.mlp_plan(rep_in, rep_out, group, ch, num_layers)
        self.rep_in, self.rep_out = self.plan.rep_in, self.plan.rep_out

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "MLP", rep=f"rep_in = {self.rep_in!r}")
        plan = self.plan
        params = _tree(plan.param_specs(), lambda key: core.mlp_init(plan, key, x.dtype), x.dtype)
        return core.mlp_apply(plan, params, x)


class Standardize(hk.Module):
    """Wraps a network: ``network((x - x_shift) / x_scale) * y_scale + y_shift``.

    {args}
    """

    def __init__(self, network: Callable, stats: Standardization, name: str | None = None):
        super().__init__(name=name)
        self.network, self.stats = network, stats

    def __call__(self, x: jax.Array) -> jax.Array:
        return standardized(self.stats, self.network, x)


class _Dynamics(hk.Module):
    """A `layers.dynamics.DynamicsPlan` with its network's parameters."""

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
        self.plan = dynamics_plan(
            type(self).__name__, rep_in, group, ch, num_layers, shift=shift, scale=scale
        )
        self.rep_in, self.group = self.plan.rep_in, group

    def __call__(self, z: jax.Array) -> jax.Array:
        """The vector field at states ``z (batch, rep_in.size())``, same shape."""
        return dynamics_apply(self.plan, _dynamics_params(self.plan, z.dtype), z)


def _dynamics_params(plan, dtype) -> dict:
    """The network's parameters (a function, not a method: Haiku scopes methods)."""
    draw = lambda key: dynamics_init(plan, key, dtype)  # noqa: E731
    return _tree(plan.network.param_specs(), draw, dtype)


class _Hamiltonian(_Dynamics):
    def __call__(self, z: jax.Array, *, energy: bool = False) -> jax.Array:
        """``J grad H(z)`` at states ``z (batch, n)``; ``H(z) (batch,)`` if ``energy``."""
        params = _dynamics_params(self.plan, z.dtype)
        if energy:
            return hamiltonian(self.plan, params, z)
        return dynamics_apply(self.plan, params, z)

    def hamiltonian(self, z: jax.Array) -> jax.Array:
        """The learned Hamiltonian ``H(z)``: ``(batch,)`` for states ``(batch, rep_in.size())``."""
        return self(z, energy=True)  # __call__'s scope, so the same parameters


_NAME = [("name", "the Haiku module's name (default: the class name in snake case).")]
_EXAMPLE = """        >>> import haiku as hk
        >>> f = hk.without_apply_rng(hk.transform(lambda z: {cls}({rep}, G, ch=16)(z)))
        >>> f.apply(f.init(jax.random.PRNGKey(0), z), z).shape"""


class EMLPH(_Hamiltonian):
    __doc__ = dynamics_doc("EMLPH", _NAME, _EXAMPLE)


class MLPH(_Hamiltonian):
    __doc__ = dynamics_doc("MLPH", _NAME, _EXAMPLE)


class EMLPode(_Dynamics):
    __doc__ = dynamics_doc("EMLPode", _NAME, _EXAMPLE)


class MLPode(_Dynamics):
    __doc__ = dynamics_doc("MLPode", _NAME, _EXAMPLE)


for _cls in (Linear, BiLinear, GatedNonlinearity, EMLPBlock, EMLP, MLP, Standardize):
    _cls.__doc__ = module_doc(_cls.__doc__ or "", _cls.__name__, _NAME)
del _cls
