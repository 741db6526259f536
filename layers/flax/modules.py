"""Flax NNX front-end, the layers and models: `Linear`, `BiLinear`, `GatedNonlinearity`,
`EMLPBlock`, `EMLP`, `MLP` and `Standardize` (see `layers.flax`)."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import nnx

from emlp_core import Rep
from groups import Group
from layers import core
from layers import functional as F
from layers.bases import bilinear_basis, layout, linear_basis
from layers.checks import check_rep
from layers.flax.base import (
    _BASIS,
    _KEY_ARGS,
    _KEY_ERRORS,
    _LAYOUT,
    _PLAN,
    _Module,
    _param_dict,
    _Parametric,
)
from layers.frontend import module_doc
from layers.hidden import gated
from layers.standardize import Standardization, standardized

__all__ = ["Linear", "BiLinear", "GatedNonlinearity", "EMLPBlock", "EMLP", "MLP", "Standardize"]


class Linear(_Parametric):
    """Equivariant linear layer ``rep_in -> rep_out`` with an invariant bias.

    The parameters are the coefficients of the equivariant basis, one array
    ``(copies_out, copies_in, r)`` per pair of tensor types, named ``"<in type>-><out
    type>"``, initialised by `layers.functional.init_params` (``init_gain``: see
    `layers.bases.LinearBasis.parameter_specs`).

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> layer = Linear(V(G), (V + Scalar)(G), rngs=nnx.Rngs(0))
        >>> list(layer.params)
        ['V->V', 'bias->Scalar']
        >>> layer(jnp.ones((2, 3))).shape
        (2, 4)
    """

    basis = _BASIS

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        init_gain: float = 1.0,
        *,
        rngs: nnx.Rngs | None = None,
        key: jax.Array | None = None,
        dtype=jnp.float32,
    ):
        self._basis = linear_basis(rep_in, rep_out)
        self.init_gain = core.check_gain(init_gain, "Linear")
        self.rep_in, self.rep_out = rep_in, rep_out
        basis, gain = self.basis, self.init_gain
        init = lambda k, d: F.init_params(basis, k, d, gain)  # noqa: E731
        self._draw(init, rngs, key, dtype, "Linear")

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "Linear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.linear, self.basis)(self._tree(), x)


class BiLinear(_Parametric):
    """Channel-paired equivariant bilinear layer ``rep_in x rep_in -> rep_out``.

    See `layers.bases.bilinear_basis` for which channels are multiplied.

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
        >>> G = SO(3)
        >>> layer = BiLinear((2 * V)(G), (V**2)(G), rngs=nnx.Rngs(0))
        >>> list(layer.params), layer(jnp.ones((2, 6))).shape
        (['products->V**2'], (2, 9))
    """

    basis = _BASIS

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        *,
        rngs: nnx.Rngs | None = None,
        key: jax.Array | None = None,
        dtype=jnp.float32,
    ):
        self._basis = bilinear_basis(rep_in, rep_out)
        self.rep_in, self.rep_out = rep_in, rep_out
        basis = self.basis
        self._draw(lambda k, d: F.init_params(basis, k, d), rngs, key, dtype, "BiLinear")

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "BiLinear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.bilinear, self.basis)(self._tree(), x)


class GatedNonlinearity(_Module):
    """Gated nonlinearity: input ``gated(rep)``, output ``rep``; no parameters.

    Scalars get swish; every other copy is scaled by the sigmoid of its gate scalar.

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> gate = GatedNonlinearity((V + Scalar)(SO(3)))  # one gate for the vector
        >>> gate(jnp.zeros((2, 5))).shape
        (2, 4)
    """

    layout = _LAYOUT

    def __init__(self, rep: Rep):
        check_rep(rep, "rep", "GatedNonlinearity")
        self.rep, self.gated_rep, self._layout = rep, gated(rep), layout(rep)

    def __call__(self, values: jax.Array) -> jax.Array:
        rep = f"gated(rep) = {self.gated_rep!r}"
        F.check_input(values, self.gated_rep.size(), "GatedNonlinearity", rep=rep)
        return F.compiled(F.gated_nonlinearity, self.layout)(values)


class EMLPBlock(_Parametric):
    """``Linear(rep_in, gated(rep_out))``, a residual `BiLinear`, then `GatedNonlinearity`.

    Its tree is ``{"linear": {...}, "bilinear": {...}}``.

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> block = EMLPBlock(V(G), (V + Scalar)(G), rngs=nnx.Rngs(0))
        >>> sorted(block.params), block(jnp.ones((2, 3))).shape
        (['bilinear', 'linear'], (2, 4))
    """

    plan = _PLAN

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        init_gain: float = 1.0,
        *,
        rngs: nnx.Rngs | None = None,
        key: jax.Array | None = None,
        dtype=jnp.float32,
    ):
        self._plan = core.block_plan(rep_in, rep_out, init_gain)
        self.rep_in, self.rep_out = rep_in, rep_out
        plan = self.plan
        self._draw(lambda k, d: core.block_init(plan, k, d), rngs, key, dtype, "EMLPBlock")

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLPBlock", rep=f"rep_in = {self.rep_in!r}")
        return core.block_apply(self.plan, self._tree(), x)


class EMLP(_Parametric):
    """Equivariant multilayer perceptron from ``rep_in`` to ``rep_out`` under ``group``.

    ``num_layers`` `EMLPBlock`s on hidden representations, then a final `Linear`; the tree
    has scopes ``"block_0/linear"``, ``"block_0/bilinear"``, ..., ``"linear"``.

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> model = EMLP(2 * V, Scalar, O(5), ch=32, rngs=nnx.Rngs(0))
        >>> sorted(model.params)[:2], model(jnp.ones((4, 10))).shape
        (['block_0/bilinear', 'block_0/linear'], (4, 1))
    """

    plan = _PLAN

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch=384,
        num_layers: int = 3,
        init_gain: float = core.DEFAULT_HIDDEN_GAIN,
        *,
        rngs: nnx.Rngs | None = None,
        key: jax.Array | None = None,
        dtype=jnp.float32,
    ):
        self._plan = core.emlp_plan(rep_in, rep_out, group, ch, num_layers, init_gain)
        self.rep_in, self.rep_out = self.plan.rep_in, self.plan.rep_out
        self.hidden = [block.rep_out for block in self.plan.blocks]
        plan = self.plan
        self._draw(lambda k, d: core.emlp_init(plan, k, d), rngs, key, dtype, "EMLP")

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLP", rep=f"rep_in = {self.rep_in!r}")
        return core.emlp_apply(self.plan, self._tree(), x)


class MLP(_Parametric):
    """Baseline multilayer perceptron with swish; the reps and group give only the shapes.

    ``num_layers`` hidden layers of width ``ch``, each followed by swish, then a linear
    output layer (initialisation: `layers.core.mlp_init`; scopes ``"linear_0"``, ...,
    names ``"w"`` and ``"b"``).

    {args}

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.flax import params
        >>> model = MLP(V, V, SO(3), ch=8, num_layers=1, rngs=nnx.Rngs(0))
        >>> {scope: sorted(p) for scope, p in params(model).items()}
        {'linear_0': ['b', 'w'], 'linear_1': ['b', 'w']}
        >>> model(jnp.ones((2, 3))).shape
        (2, 3)
    """

    plan = _PLAN

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch: int = 384,
        num_layers: int = 3,
        *,
        rngs: nnx.Rngs | None = None,
        key: jax.Array | None = None,
        dtype=jnp.float32,
    ):
        self._plan = core.mlp_plan(rep_in, rep_out, group, ch, num_layers)
        self.rep_in, self.rep_out = self.plan.rep_in, self.plan.rep_out
        plan = self.plan
        self._draw(lambda k, d: core.mlp_init(plan, k, d), rngs, key, dtype, "MLP")

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "MLP", rep=f"rep_in = {self.rep_in!r}")
        return core.mlp_apply(self.plan, self._tree(), x)


class Standardize(_Module):
    """Wraps a network: ``network((x - x_shift) / x_scale) * y_scale + y_shift``.

    A network that is an ``nnx.Module`` (e.g. an `EMLP`) is a submodule: its parameters
    are in ``nnx.state(standardize)``, and `params`/`load` read and write its tree.

    {args}

    Example:
        >>> import numpy as np, jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> from layers import standardization
        >>> from layers.flax import params
        >>> G, rng = O(3), np.random.default_rng(0)
        >>> stats = standardization(rng.normal(size=(50, 3)), rng.normal(size=(50, 1)),
        ...                         V(G), Scalar(G))
        >>> model = Standardize(EMLP(V, Scalar, G, ch=16, num_layers=1, rngs=nnx.Rngs(0)), stats)
        >>> model(jnp.ones((2, 3))).shape, sorted(params(model)) == sorted(params(model.network))
        ((2, 1), True)
    """

    def __init__(self, network: Callable, stats: Standardization):
        self.network, self.stats = network, stats

    def _param_node(self) -> nnx.Dict | None:
        network = self.network  # a plain function has none; another NNX module is refused
        return _param_dict(network) if isinstance(network, nnx.Module) else None

    def __call__(self, x: jax.Array) -> jax.Array:
        return standardized(self.stats, self.network, x)


for _cls in (Linear, BiLinear, EMLPBlock, EMLP, MLP):
    _cls.__doc__ = module_doc(_cls.__doc__ or "", _cls.__name__, _KEY_ARGS, _KEY_ERRORS)
for _cls in (GatedNonlinearity, Standardize):
    _cls.__doc__ = module_doc(_cls.__doc__ or "", _cls.__name__, [])
del _cls
