"""Equinox front-end: modules over the framework-free core (`layers.core`).

Every module is an ``eqx.Module`` that holds its plan (or basis and layout) as a static
field and its parameters in the pytree field ``params``, a `ParamTree` (a read-only,
hashable mapping) shaped like the core's tree (``{"block_0/linear": {"V->V": ...}, ...}``;
``{"V->V": ...}`` for a single layer). Calling a module runs the core's apply function on
inputs ``(..., rep_in.size())``; the dynamics models take ``(batch, rep_in.size())``.
Parameters are cast to the input's dtype in the call, as in Haiku.

Keys: a module is built with ``key=`` (the Equinox idiom) and draws its parameters from
`layers.core.model_key` of it, the first key ``hk.next_rng_key()`` gives under
``hk.transform(f).init(key, x)``, so the same key gives bit-identical parameters in the
Haiku and Equinox front-ends. ``dtype`` (default float32) sets the parameters' dtype.

Parameters: `params` returns a module's tree, which is the Haiku tree without its leading
module name (Haiku ``{"emlp/block_0/linear": ...}`` is ``{"block_0/linear": ...}``; a
single layer's tree is Haiku's ``params["linear"]``), and `load` returns a module with a
given tree, checked against the module's names and shapes. Plans are static fields (an
EMLP plan compares by identity), so a jitted training step (``eqx.filter_jit``, or
``jax.jit`` over ``eqx.partition``) compiles once per module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

try:
    import equinox as eqx
except ImportError as error:  # the optional extra is not installed
    raise ImportError("layers.equinox needs equinox: pip install '.[equinox]'") from error

import jax
import jax.numpy as jnp

from emlp_core import Rep
from groups import Group
from layers import core
from layers import functional as F
from layers.bases import BilinearBasis, Layout, LinearBasis, bilinear_basis, layout, linear_basis
from layers.checks import check_dtype, check_rep
from layers.dynamics import (
    DYNAMICS_ARGS_DOC,
    DynamicsPlan,
    dynamics_apply,
    dynamics_init,
    dynamics_plan,
    hamiltonian,
)
from layers.hidden import gated
from layers.standardize import Standardization, standardized

__all__ = [
    "Linear",
    "BiLinear",
    "GatedNonlinearity",
    "EMLPBlock",
    "EMLP",
    "MLP",
    "Standardize",
    "EMLPH",
    "MLPH",
    "EMLPode",
    "MLPode",
    "num_params",
    "params",
    "load",
    "ParamTree",
]


# --------------------------------------------------------------------------- helpers
def _model_key(key, layer: str) -> jax.Array:
    """`layers.core.model_key` of the user's key, with a clear error when there is none."""
    if key is None:
        raise TypeError(f"{layer} needs a key to draw its parameters: key=jax.random.PRNGKey(0).")
    return core.model_key(key)


@jax.tree_util.register_pytree_with_keys_class
class ParamTree(Mapping):
    """A read-only mapping of parameters, a pytree node (how a module holds its tree).

    Unlike a dict it is hashable when its leaves are (``None`` in the static half of
    ``eqx.partition``), so that half can be a static argument of ``jax.jit``. Equal trees
    have the same keys in the same order and identical leaves. `params` returns plain
    dicts.

    Example:
        >>> tree = ParamTree({"linear": {"V->V": jnp.ones((1, 1, 1))}})
        >>> tree["linear"]["V->V"].shape
        (1, 1, 1)
        >>> skeleton = jax.tree_util.tree_map(lambda _: None, tree)
        >>> skeleton == jax.tree_util.tree_map(lambda _: None, tree), type(hash(skeleton))
        (True, <class 'int'>)
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping):
        self._items = {
            k: ParamTree(v) if isinstance(v, Mapping) and not isinstance(v, ParamTree) else v
            for k, v in items.items()
        }

    def __getitem__(self, name: str):
        return self._items[name]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other) -> bool:
        if not isinstance(other, ParamTree) or list(self._items) != list(other._items):
            return False
        pairs = zip(self._items.values(), other._items.values(), strict=True)
        return all(a is b or (isinstance(a, ParamTree) and a == b) for a, b in pairs)

    def __repr__(self) -> str:
        return f"ParamTree({eqx.tree_pformat(self.to_dict())})"

    def to_dict(self) -> dict:
        """Nested plain dicts (the arrays are shared).

        The modules hand the core dicts, so the layer functions compiled for one front-end
        (`layers.functional.compiled`, keyed by the argument's pytree type) serve all.
        """
        return {k: v.to_dict() if isinstance(v, ParamTree) else v for k, v in self._items.items()}

    def tree_flatten_with_keys(self):
        children = [(jax.tree_util.DictKey(k), v) for k, v in self._items.items()]
        return children, tuple(self._items)

    @classmethod
    def tree_unflatten(cls, names, children):
        tree = object.__new__(cls)
        tree._items = dict(zip(names, children, strict=True))
        return tree


@dataclass(frozen=True, eq=False)
class _Static:
    """A value held in a static field by identity (hashable even if the value is not)."""

    value: object


class _Module(eqx.Module):
    """A short ``repr``: the constructor's reps and options, and the parameter shapes."""

    def _summary(self) -> dict:
        return {}

    def __repr__(self) -> str:
        parts = [f"{name}={value!r}" for name, value in self._summary().items()]
        if isinstance(getattr(self, "params", None), ParamTree):
            parts.append(f"params={eqx.tree_pformat(self.params.to_dict())}")
        return f"{type(self).__name__}({', '.join(parts)})"


# --------------------------------------------------------------------------- layers
class Linear(_Module):
    """Equivariant linear layer ``rep_in -> rep_out`` with an invariant bias.

    The parameters are the coefficients of the equivariant basis, one array
    ``(copies_out, copies_in, r)`` per pair of tensor types, named ``"<in type>-><out
    type>"``, initialised by `layers.functional.init_params` (``init_gain``: see
    `layers.bases.LinearBasis.parameter_specs`), held in ``params`` as ``{name: array}``.

    Args:
        rep_in, rep_out: representations bound to one group, each of size ``>= 1``.
        init_gain: a positive finite real number.
        key: a JAX PRNG key (parameters are drawn from `layers.core.model_key` of it).
        dtype: real floating dtype of the parameters (float64 needs x64).

    Raises:
        TypeError: a rep is not a `Rep`, ``dtype`` is not real floating; on call, ``x`` is
            not a real floating array.
        ValueError: a rep is unbound or of size 0, the groups differ, ``init_gain`` is not
            a positive finite real; on call, ``x.shape[-1] != rep_in.size()``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> layer = Linear(V(G), (V + Scalar)(G), key=jax.random.PRNGKey(0))
        >>> params(layer).keys()
        dict_keys(['V->V', 'bias->Scalar'])
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

    @property
    def rep_in(self) -> Rep:
        return self.basis.rep_in

    @property
    def rep_out(self) -> Rep:
        return self.basis.rep_out

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out, "init_gain": self.init_gain}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "Linear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.linear, self.basis)(self.params.to_dict(), x)


class BiLinear(_Module):
    """Channel-paired equivariant bilinear layer ``rep_in x rep_in -> rep_out``.

    See `layers.bases.bilinear_basis` for which channels are multiplied; ``params`` holds
    the mixing weights ``{"products-><out type>": array}``.

    Args:
        rep_in, rep_out: representations bound to one group, each of size ``>= 1``.
        key: a JAX PRNG key.
        dtype: real floating dtype of the parameters.

    Raises:
        TypeError, ValueError: as `Linear` (bad reps or ``dtype``; on call, bad ``x``).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
        >>> G = SO(3)
        >>> layer = BiLinear((2 * V)(G), (V**2)(G), key=jax.random.PRNGKey(0))
        >>> {name: value.shape for name, value in params(layer).items()}
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

    @property
    def rep_in(self) -> Rep:
        return self.basis.rep_in

    @property
    def rep_out(self) -> Rep:
        return self.basis.rep_out

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "BiLinear", rep=f"rep_in = {self.rep_in!r}")
        return F.compiled(F.bilinear, self.basis)(self.params.to_dict(), x)


class GatedNonlinearity(_Module):
    """Gated nonlinearity: input ``gated(rep)``, output ``rep`` (no parameters, no key).

    Scalars get swish; every other copy is scaled by the sigmoid of its gate scalar.

    Raises:
        TypeError: ``rep`` is not a `Rep`; on call, ``values`` is not a real floating array.
        ValueError: ``rep`` is unbound or of size 0; on call,
            ``values.shape[-1] != gated(rep).size()``.

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


class EMLPBlock(_Module):
    """``Linear(rep_in, gated(rep_out))``, a residual `BiLinear`, then `GatedNonlinearity`.

    ``params`` is ``{"linear": {...}, "bilinear": {...}}`` (`layers.core.block_init`).

    Args:
        rep_in, rep_out: bound representations (the block outputs ``rep_out``).
        init_gain: init gain of the linear layer: 1 for standardised inputs,
            `layers.core.DEFAULT_HIDDEN_GAIN` when the input comes out of another block.
        key: a JAX PRNG key.
        dtype: real floating dtype of the parameters.

    Raises:
        TypeError, ValueError: as `Linear` (bad reps, ``init_gain`` or ``dtype``; on call,
            bad ``x``).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> G = O(3)
        >>> block = EMLPBlock(V(G), (V + 2 * Scalar)(G), key=jax.random.PRNGKey(0))
        >>> sorted(params(block)), block(jnp.ones((4, 3))).shape
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

    @property
    def rep_in(self) -> Rep:
        return self.plan.rep_in

    @property
    def rep_out(self) -> Rep:
        return self.plan.rep_out

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLPBlock", rep=f"rep_in = {self.rep_in!r}")
        return core.block_apply(self.plan, self.params.to_dict(), x)


class EMLP(_Module):
    """Equivariant multilayer perceptron from ``rep_in`` to ``rep_out`` under ``group``.

    ``num_layers`` `EMLPBlock`s on hidden representations, then a final `Linear`;
    ``params`` is the tree of `layers.core.emlp_init`.

    Args:
        rep_in, rep_out: representations (bound or unbound; they are bound to ``group``),
            each of size ``>= 1``.
        group: the symmetry group.
        ch: hidden size: a positive int (see `layers.uniform_rep`), a Rep of size ``>= 1``,
            or a sequence of ``num_layers`` of them.
        num_layers: number of hidden blocks, ``>= 0``.
        init_gain: init gain of every linear layer fed by a gated nonlinearity:
            `layers.core.DEFAULT_HIDDEN_GAIN` (1) or `layers.core.VARIANCE_PRESERVING_GAIN`
            (3), a positive finite real.
        key: a JAX PRNG key; the parameters equal those of the Haiku ``EMLP`` under
            ``hk.transform(f).init(key, x)``.
        dtype: real floating dtype of the parameters (float64 needs x64).

    Raises:
        TypeError: ``group`` is not a `groups.Group`, a rep not a `Rep`, or ``dtype`` not
            real floating; on call, ``x`` is not a real floating array.
        ValueError: a rep has size 0 or is bound to another group; ``ch``, ``num_layers``
            or ``init_gain`` is out of range or of the wrong type; on call,
            ``x.shape[-1] != rep_in.size()``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> model = EMLP(2 * V, Scalar, O(5), ch=32, key=jax.random.PRNGKey(0))
        >>> sorted(params(model))[:2], model(jnp.ones((4, 10))).shape
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
    def rep_in(self) -> Rep:
        return self.plan.rep_in

    @property
    def rep_out(self) -> Rep:
        return self.plan.rep_out

    @property
    def hidden(self) -> list[Rep]:
        """The output representation of every block."""
        return [block.rep_out for block in self.plan.blocks]

    def _summary(self) -> dict:
        return {"rep_in": self.rep_in, "rep_out": self.rep_out, "hidden": self.hidden}

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "EMLP", rep=f"rep_in = {self.rep_in!r}")
        return core.emlp_apply(self.plan, self.params.to_dict(), x)


class MLP(_Module):
    """Baseline multilayer perceptron with swish; the reps and group give only the shapes.

    ``num_layers`` hidden layers of width ``ch``, each followed by swish, then a linear
    output layer (initialisation: `layers.core.mlp_init`).

    Args:
        rep_in, rep_out, group: give the input and output widths.
        ch: hidden width, a positive int.
        num_layers: number of hidden layers, ``>= 0``.
        key: a JAX PRNG key.
        dtype: real floating dtype of the parameters.

    Raises:
        TypeError: ``group`` is not a `groups.Group`, a rep not a `Rep`, or ``dtype`` not
            real floating; on call, ``x`` is not a real floating array.
        ValueError: a rep has size 0 or is bound to another group; ``ch`` or
            ``num_layers`` is out of range or not an int; on call,
            ``x.shape[-1] != rep_in.size()``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
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

    @property
    def rep_in(self) -> Rep:
        return self.plan.rep_in

    @property
    def rep_out(self) -> Rep:
        return self.plan.rep_out

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

    Args:
        network: a callable (e.g. an `EMLP` instance) on standardised inputs.
        stats: a `layers.Standardization` (see `layers.standardization`).

    Example:
        >>> import jax, jax.numpy as jnp, numpy as np
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> from layers import Standardization
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

    def __call__(self, x: jax.Array) -> jax.Array:
        return standardized(self.stats, self.network, x)


# --------------------------------------------------------------------------- dynamics
class _Dynamics(_Module):
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


_KEY_ARGS = """        key: a JAX PRNG key (keyword only); the parameters equal the Haiku model's
            under ``hk.transform(f).init(key, z)``.
        dtype: real floating dtype of the parameters (float64 needs x64).
"""


def _dynamics_doc(summary: str, cls: str, group: str, rep: str, size: int) -> str:
    """``summary``, the shared arguments with ``key`` and ``dtype``, and an example."""
    arguments = DYNAMICS_ARGS_DOC
    marker = "\n    Raises:"
    if marker in arguments:
        arguments = arguments.replace(marker, _KEY_ARGS.rstrip("\n") + "\n" + marker, 1)
    else:
        arguments += "\n    Keyword arguments:\n" + _KEY_ARGS
    example = f"""
    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import O, SO, Embed, Trivial
        >>> from emlp_core import V
        >>> G = {group}
        >>> model = {cls}({rep}, G, ch=16, key=jax.random.PRNGKey(0))
        >>> model(jnp.ones((2, {size}))).shape
        (2, {size})
"""
    return summary.rstrip("\n") + "\n" + arguments + example


class EMLPH(_Hamiltonian):
    __doc__ = _dynamics_doc(
        """Hamiltonian network: ``H`` is an invariant EMLP; returns ``J grad H(z)``.

    Exactly equivariant when the group acts symplectically (checked, see
    `layers.dynamics.check_symplectic`). ``model.hamiltonian(z)`` (or ``model(z,
    energy=True)``) gives ``H(z)``.
""",
        "EMLPH",
        "Embed(O(2), 3, [0, 1])",
        "4 * V",
        12,
    )


class MLPH(_Hamiltonian):
    __doc__ = _dynamics_doc(
        """Hamiltonian network: ``H`` is a baseline MLP (no symmetry); returns ``J grad H(z)``.
""",
        "MLPH",
        "Trivial(4)",
        "V",
        4,
    )


class EMLPode(_Dynamics):
    __doc__ = _dynamics_doc(
        """Neural ODE: the vector field ``rep_in -> rep_in`` is an equivariant EMLP.
""",
        "EMLPode",
        "Embed(SO(2), 3, [0, 1])",
        "4 * V",
        12,
    )


class MLPode(_Dynamics):
    __doc__ = _dynamics_doc(
        """Neural ODE: the vector field ``rep_in -> rep_in`` is a baseline MLP (no symmetry).
""",
        "MLPode",
        "Trivial(4)",
        "V",
        4,
    )


# --------------------------------------------------------------------------- parameters
_WITH_PARAMS = (Linear, BiLinear, EMLPBlock, EMLP, MLP, _Dynamics)
_MODULES = (*_WITH_PARAMS, GatedNonlinearity, Standardize)


def _has_arrays(value) -> bool:
    return any(eqx.is_array(leaf) for leaf in jax.tree_util.tree_leaves(value))


def _tree_of(module) -> dict:
    """The core tree of one of this front-end's modules (a copy of the mappings)."""
    if isinstance(module, _WITH_PARAMS):
        return {k: dict(v) if isinstance(v, Mapping) else v for k, v in module.params.items()}
    if isinstance(module, GatedNonlinearity):
        return {}
    if isinstance(module, Standardize):
        network = module.network
        if isinstance(network, _MODULES):
            return _tree_of(network)
        if not _has_arrays(network):  # e.g. a plain function
            return {}
        raise TypeError(
            f"Standardize wraps a {type(network).__name__}, not a module of layers.equinox, "
            "so its parameter tree is not known; use eqx.partition on it instead."
        )
    raise TypeError(f"expected a module of layers.equinox; got {type(module).__name__}.")


def params(module: eqx.Module) -> dict:
    """The parameter tree of a module of this front-end, in the format of `layers.core`.

    ``{scope: {name: array}}`` for models (Haiku's tree without its leading module name:
    Haiku ``{"emlp/block_0/linear": ...}`` is ``{"block_0/linear": ...}``), ``{name:
    array}`` for a `Linear` or `BiLinear` (Haiku's ``params["linear"]``), ``{}`` for a
    `GatedNonlinearity`, the network's tree for a `Standardize`. The mappings are copies;
    the arrays are the module's.

    Raises:
        TypeError: ``module`` is not a module of this front-end (or a `Standardize` wraps
            a network with parameters that is not).

    Example:
        >>> import jax
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> model = EMLP(V, Scalar, O(3), ch=16, num_layers=1, key=jax.random.PRNGKey(0))
        >>> sorted(params(model)), sorted(params(model)["linear"])
        (['block_0/bilinear', 'block_0/linear', 'linear'], ['Scalar->Scalar', 'bias->Scalar'])
    """
    return _tree_of(module)


_HAIKU_HINT = (
    " (a Haiku tree carries the module name: Haiku {'emlp/block_0/linear': ...} is "
    "{'block_0/linear': ...}, and a single layer's tree is Haiku's params['linear'])"
)


def _checked(expected, given, path: str, layer: str):
    """``given`` with the names, nesting and shapes of ``expected`` (``path``: where, as
    ``['block_0/linear']['V->V']``); leaves as jax arrays."""
    where = path or "the top level"
    if isinstance(expected, Mapping):
        if not isinstance(given, Mapping):
            raise ValueError(
                f"load: {layer} expects a mapping at {where}; got {type(given).__name__}."
            )
        missing = [k for k in expected if k not in given]
        unexpected = [k for k in given if k not in expected]
        if missing or unexpected:
            hint = _HAIKU_HINT if unexpected and not path else ""
            raise ValueError(
                f"load: the tree does not match {layer}'s parameters at {where}: missing "
                f"{missing}, unexpected {unexpected}{hint}."
            )
        return {k: _checked(v, given[k], f"{path}[{k!r}]", layer) for k, v in expected.items()}
    try:
        value = jnp.asarray(given)  # an array or tracer as it is
    except TypeError as error:
        raise ValueError(
            f"load: {where} of {layer} must be an array; got {type(given).__name__}."
        ) from error
    if value.shape != expected.shape:
        raise ValueError(
            f"load: {where} of {layer} has shape {value.shape}; the model expects {expected.shape}."
        )
    if not jnp.issubdtype(value.dtype, jnp.floating):
        raise TypeError(f"load: {where} of {layer} must be real floating; got {value.dtype}.")
    return value


def load(module: eqx.Module, tree: Mapping) -> eqx.Module:
    """A copy of ``module`` with the parameters ``tree`` (the format of `params`).

    The names, nesting and shapes of ``tree`` must be those of ``params(module)``; its
    arrays keep their dtype. Built with ``eqx.tree_at``, so it also works on traced
    arrays (inside ``jax.jit`` or ``jax.grad``).

    Raises:
        ValueError: a name is missing or unexpected, or a shape differs.
        TypeError: an array is not real floating; ``module`` is not a module of this
            front-end.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
        >>> layer = Linear(V(SO(3)), V(SO(3)), key=jax.random.PRNGKey(0))
        >>> doubled = load(layer, {"V->V": 2 * params(layer)["V->V"]})
        >>> bool(jnp.allclose(doubled(jnp.ones((1, 3))), 2 * layer(jnp.ones((1, 3)))))
        True
        >>> load(layer, {"V->V": jnp.ones((2, 1, 1))})
        Traceback (most recent call last):
        ...
        ValueError: load: ['V->V'] of Linear has shape (2, 1, 1); the model expects (1, 1, 1).
    """
    if isinstance(module, Standardize) and isinstance(module.network, _MODULES):
        network = load(module.network, tree)
        return eqx.tree_at(lambda m: m.network, module, network)
    current = _tree_of(module)
    new = _checked(current, tree, "", type(module).__name__)
    if not jax.tree_util.tree_leaves(current):  # nothing to replace
        return module
    return eqx.tree_at(lambda m: m.params, module, ParamTree(new))


def num_params(params) -> int:
    """Number of trainable scalars of a module of this front-end, or of a parameter tree.

    For other Equinox modules, the number of scalars in their floating-point arrays.

    Example:
        >>> import jax
        >>> from groups import SO
        >>> from emlp_core import V
        >>> layer = Linear(V(SO(3)), (2 * V)(SO(3)), key=jax.random.PRNGKey(0))
        >>> num_params(layer)  # 2 x 1 coefficients
        2
    """
    if isinstance(params, _MODULES):
        return core.tree_size(_tree_of(params))
    if isinstance(params, eqx.Module):
        return core.tree_size(eqx.filter(params, eqx.is_inexact_array))
    return core.tree_size(params)
