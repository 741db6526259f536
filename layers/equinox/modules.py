"""Equinox front-end, the layers and models: `Linear`, `BiLinear`, `GatedNonlinearity`,
`EMLPBlock`, `EMLP`, `MLP` and `Standardize` (see `layers.equinox`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import equinox as eqx
import jax
import jax.numpy as jnp

from emlp_core import Rep
from groups import Group
from layers import core
from layers import functional as F
from layers.bases import BilinearBasis, Layout, LinearBasis, bilinear_basis, layout, linear_basis
from layers.checks import check_dtype, check_rep
from layers.equinox.base import (
    _KEY_ARGS,
    _KEY_ERRORS,
    ParamTree,
    _Layer,
    _model_key,
    _Module,
    _Static,
)
from layers.frontend import module_doc
from layers.hidden import gated
from layers.standardize import Standardization, standardized

__all__ = ["Linear", "BiLinear", "GatedNonlinearity", "EMLPBlock", "EMLP", "MLP", "Standardize"]


class Linear(_Layer):
    """Equivariant linear layer ``rep_in -> rep_out`` with an invariant bias.

    The parameters are the coefficients of the equivariant basis, one array
    ``(copies_out, copies_in, r)`` per pair of tensor types, named ``"<in type>-><out
    type>"``, initialised by `layers.functional.init_params` (``init_gain``: see
    `layers.bases.LinearBasis.parameter_specs`), held in ``params`` as ``{name: array}``.

    {args}

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> layer = Linear(V(G), (V + Scalar)(G), key=jax.random.PRNGKey(0))
        >>> list(layer.params)
        ['V->V', 'bias->Scalar']
        >>> layer(jnp.ones((2, 3))).shape
        (2, 4)
    """

    basis: LinearBasis = eqx.field(static=True)
    init_gain: float = eqx.field(static=True)
    params: ParamTree = eqx.field(converter=ParamTree)

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        init_gain: float = 1.0,
        *,
        key: jax.Array,
        dtype=jnp.float32,
    ):
        self.basis = linear_basis(rep_in, rep_out)
        self.init_gain = core.check_gain(init_gain, "Linear")
        dtype = check_dtype(dtype, "Linear")
        self.params = F.init_params(self.basis, _model_key(key, "Linear"), dtype, self.init_gain)

    def _plan(self) -> LinearBasis | BilinearBasis:
        return self.basis

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out, "init_gain": self.init_gain}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "Linear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.linear, self.basis)(self.params.to_dict(), x)


class BiLinear(_Layer):
    """Channel-paired equivariant bilinear layer ``rep_in x rep_in -> rep_out``.

    See `layers.bases.bilinear_basis` for which channels are multiplied; ``params`` holds
    the mixing weights ``{"products-><out type>": array}``.

    {args}

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
        >>> G = SO(3)
        >>> layer = BiLinear((2 * V)(G), (V**2)(G), key=jax.random.PRNGKey(0))
        >>> {name: value.shape for name, value in layer.params.items()}
        {'products->V**2': (1, 1)}
        >>> layer(jnp.ones((2, 6))).shape
        (2, 9)
    """

    basis: BilinearBasis = eqx.field(static=True)
    params: ParamTree = eqx.field(converter=ParamTree)

    def __init__(self, rep_in: Rep, rep_out: Rep, *, key: jax.Array, dtype=jnp.float32):
        self.basis = bilinear_basis(rep_in, rep_out)
        dtype = check_dtype(dtype, "BiLinear")
        self.params = F.init_params(self.basis, _model_key(key, "BiLinear"), dtype)

    def _plan(self) -> LinearBasis | BilinearBasis:
        return self.basis

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "BiLinear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.bilinear, self.basis)(self.params.to_dict(), x)


class GatedNonlinearity(_Module):
    """Gated nonlinearity: input ``gated(rep)``, output ``rep`` (no parameters, no key).

    Scalars get swish; every other copy is scaled by the sigmoid of its gate scalar.

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> gate = GatedNonlinearity((V + Scalar)(SO(3)))
        >>> gate.gated_rep.size(), gate(jnp.ones((2, 5))).shape
        (5, (2, 4))
    """

    rep: Rep = eqx.field(static=True)
    gated_rep: Rep = eqx.field(static=True)
    layout: Layout = eqx.field(static=True)

    def __init__(self, rep: Rep):
        check_rep(rep, "rep", "GatedNonlinearity")
        self.rep, self.gated_rep, self.layout = rep, gated(rep), layout(rep)

    def _summary(self) -> dict:
        return {"rep": self.rep}

    def __call__(self, values: jax.Array) -> jax.Array:
        rep = f"gated(rep) = {self.gated_rep!r}"
        F.check_input(values, self.gated_rep.size(), "GatedNonlinearity", rep=rep)
        return F.compiled(F.gated_nonlinearity, self.layout)(values)


class EMLPBlock(_Layer):
    """``Linear(rep_in, gated(rep_out))``, a residual `BiLinear`, then `GatedNonlinearity`.

    ``params`` is ``{"linear": {...}, "bilinear": {...}}`` (`layers.core.block_init`).

    {args}

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> G = O(3)
        >>> block = EMLPBlock(V(G), (V + 2 * Scalar)(G), key=jax.random.PRNGKey(0))
        >>> sorted(block.params), block(jnp.ones((4, 3))).shape
        (['bilinear', 'linear'], (4, 5))
    """

    plan: core.BlockPlan = eqx.field(static=True)
    params: ParamTree = eqx.field(converter=ParamTree)

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        init_gain: float = 1.0,
        *,
        key: jax.Array,
        dtype=jnp.float32,
    ):
        self.plan = core.block_plan(rep_in, rep_out, init_gain)
        dtype = check_dtype(dtype, "EMLPBlock")
        self.params = core.block_init(self.plan, _model_key(key, "EMLPBlock"), dtype)

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLPBlock", rep=f"rep_in = {self.rep_in!r}")
        return core.block_apply(self.plan, self.params.to_dict(), x)


class EMLP(_Layer):
    """Equivariant multilayer perceptron from ``rep_in`` to ``rep_out`` under ``group``.

    ``num_layers`` `EMLPBlock`s on hidden representations, then a final `Linear`;
    ``params`` is the tree of `layers.core.emlp_init`.

    {args}

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> model = EMLP(2 * V, Scalar, O(5), ch=32, key=jax.random.PRNGKey(0))
        >>> sorted(model.params)[:2], model(jnp.ones((4, 10))).shape
        (['block_0/bilinear', 'block_0/linear'], (4, 1))
    """

    plan: core.EMLPPlan = eqx.field(static=True)
    params: ParamTree = eqx.field(converter=ParamTree)

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch=384,
        num_layers: int = 3,
        init_gain: float = core.DEFAULT_HIDDEN_GAIN,
        *,
        key: jax.Array,
        dtype=jnp.float32,
    ):
        self.plan = core.emlp_plan(rep_in, rep_out, group, ch, num_layers, init_gain)
        dtype = check_dtype(dtype, "EMLP")
        self.params = core.emlp_init(self.plan, _model_key(key, "EMLP"), dtype)

    @property
    def hidden(self) -> list[Rep]:
        """The output representation of every block."""
        return [block.rep_out for block in self.plan.blocks]

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out, "hidden": self.hidden}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLP", rep=f"rep_in = {self.rep_in!r}")
        return core.emlp_apply(self.plan, self.params.to_dict(), x)


class MLP(_Layer):
    """Baseline multilayer perceptron with swish; the reps and group give only the shapes.

    ``num_layers`` hidden layers of width ``ch``, each followed by swish, then a linear
    output layer (initialisation: `layers.core.mlp_init`).

    {args}

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.equinox import num_params
        >>> model = MLP(V, V, SO(3), ch=8, num_layers=1, key=jax.random.PRNGKey(0))
        >>> num_params(model), model(jnp.ones((2, 3))).shape
        (59, (2, 3))
    """

    plan: core.MLPPlan = eqx.field(static=True)
    params: ParamTree = eqx.field(converter=ParamTree)

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch: int = 384,
        num_layers: int = 3,
        *,
        key: jax.Array,
        dtype=jnp.float32,
    ):
        self.plan = core.mlp_plan(rep_in, rep_out, group, ch, num_layers)
        dtype = check_dtype(dtype, "MLP")
        self.params = core.mlp_init(self.plan, _model_key(key, "MLP"), dtype)

    def _summary(self) -> dict:
        return {"widths": self.plan.widths}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "MLP", rep=f"rep_in = {self.rep_in!r}")
        return core.mlp_apply(self.plan, self.params.to_dict(), x)


class Standardize(_Module):
    """Wraps a network: ``network((x - x_shift) / x_scale) * y_scale + y_shift``.

    The network is a field, so its parameters are part of this module's pytree (trained
    by ``eqx.filter_grad``); the statistics are static constants. `params` and `load` see
    the network's tree.

    {args}

    Example:
        >>> import jax, jax.numpy as jnp, numpy as np
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> from layers import Standardization
        >>> from layers.equinox import params
        >>> G = O(3)
        >>> stats = Standardization(np.zeros(3), np.full(3, 2.0), np.ones(1), np.full(1, 3.0))
        >>> model = Standardize(EMLP(V, Scalar, G, ch=16, key=jax.random.PRNGKey(0)), stats)
        >>> model(jnp.ones((2, 3))).shape, sorted(params(model)) == sorted(params(model.network))
        ((2, 1), True)
    """

    network: Callable
    _stats: _Static = eqx.field(static=True)

    def __init__(self, network: Callable, stats: Standardization):
        self.network, self._stats = network, _Static(stats)

    @property
    def stats(self) -> Standardization:
        return self._stats.value

    def _summary(self) -> dict:
        return {"network": self.network}

    def _tree(self) -> dict:
        network = self.network
        if isinstance(network, _Module):
            return network._tree()
        if not any(eqx.is_array(leaf) for leaf in jax.tree_util.tree_leaves(network)):
            return {}  # e.g. a plain function
        raise TypeError(
            f"Standardize wraps a {type(network).__name__}, not a module of layers.equinox, "
            "so its parameter tree is not known; use eqx.partition on it instead."
        )

    def _load(self, tree: Mapping) -> _Module:
        if isinstance(self.network, _Module):
            return eqx.tree_at(lambda m: m.network, self, self.network._load(tree))
        return super()._load(tree)

    def __call__(self, x: jax.Array) -> jax.Array:
        return standardized(self.stats, self.network, x)


for _cls in (Linear, BiLinear, EMLPBlock, EMLP, MLP):
    _cls.__doc__ = module_doc(_cls.__doc__ or "", _cls.__name__, _KEY_ARGS, _KEY_ERRORS)
for _cls in (GatedNonlinearity, Standardize):
    _cls.__doc__ = module_doc(_cls.__doc__ or "", _cls.__name__, [])
del _cls
