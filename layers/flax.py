"""Flax NNX front-end: modules over the framework-free core (`layers.core`).

Every module is an ``nnx.Module`` with the arguments of its `layers.haiku` twin (less
Haiku's ``name``: NNX modules have none) plus the keyword-only ``rngs``, ``key`` and
``dtype``; inputs are ``(batch, rep_in.size())`` and outputs ``(batch, rep_out.size())``.
A module holds its plan (``plan``, or ``basis``/``layout`` for a single layer: bases
computed and cached at construction, read-only and left out of the module's repr) and its
parameters, drawn at construction, in the attribute ``params``: an ``nnx.Dict`` shaped like
the core's tree, ``{scope: {name: nnx.Param}}`` for a model
(``model.params["block_0/linear"]["V->V**2"]``) and ``{name: nnx.Param}`` for a single
layer. Parameter names such as ``"V->V**2"`` or ``"V[SO(3)]->V[S(3)]*V[SO(3)]"`` are keys
of an ``nnx.Dict``, never Python identifiers, so ``nnx.state``, ``nnx.split``/``nnx.merge``,
``nnx.jit`` and ``nnx.grad`` see ordinary ``nnx.Param`` variables. `params` reads a
module's tree as plain arrays and `load` writes one: the tree of `layers.core`, which is
Haiku's without its leading module name (Haiku ``{"emlp/block_0/linear": ...}`` is
``{"block_0/linear": ...}`` here; a single layer's tree is Haiku's ``params["linear"]``).

Keys: a module with parameters takes ``rngs=nnx.Rngs(...)`` (the Flax idiom) or, instead,
an explicit ``key=``. Its *user key* is ``key``, or the key of the ``params`` stream of
``rngs`` (its ``default`` stream if it has no ``params`` stream) while that stream has not
been drawn from, and the stream's next key ``fold_in(stream_key, count)`` once it has. The
module always draws one key from the stream, so modules built one after another from one
``Rngs`` get different parameters. A module draws its parameters from
``core.model_key(user_key)``, the key Haiku's modules draw from under
``hk.transform(f).init(user_key, x)``: ``EMLP(..., rngs=nnx.Rngs(key))`` has bit for bit
the parameters of Haiku's ``EMLP`` initialised with ``key`` (a ``jax.random.PRNGKey`` or
``jax.random.key``; an int seed ``n`` stands for ``jax.random.key(n)``, the same bits as
``jax.random.PRNGKey(n)``).

``dtype`` (default float32) is the parameters' dtype; float64 needs ``jax_enable_x64``.
Inputs of another floating dtype are accepted: the parameters are cast to it in the call,
as in Haiku.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

try:
    from flax import nnx
except ImportError as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("layers.flax needs flax: pip install '.[flax]'") from error

from emlp_core import Rep
from groups import Group
from layers import core
from layers import functional as F
from layers.bases import bilinear_basis, layout, linear_basis
from layers.checks import check_dtype, check_rep
from layers.dynamics import (
    DYNAMICS_ARGS_DOC,
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
]


# --------------------------------------------------------------------------- keys, dtypes
def _user_key(rngs: nnx.Rngs | None, key: jax.Array | None, layer: str) -> jax.Array:
    """The user key of a module (see the module docstring); draws one key from ``rngs``."""
    if rngs is not None and key is not None:
        raise TypeError(f"{layer}: pass rngs or key, not both.")
    if key is not None:
        if not isinstance(key, jax.Array):
            raise TypeError(
                f"{layer}: key must be a jax.random.key or jax.random.PRNGKey; "
                f"got {type(key).__name__}."
            )
        return key
    if rngs is None:
        raise TypeError(
            f"{layer} draws its parameters at construction: pass rngs=nnx.Rngs(seed) "
            "(or key=jax.random.key(seed))."
        )
    if not isinstance(rngs, nnx.Rngs):
        raise TypeError(f"{layer}: rngs must be an nnx.Rngs; got {type(rngs).__name__}.")
    try:
        stream = rngs.params  # the "params" stream, else "default"
    except AttributeError as error:
        raise ValueError(
            f"{layer}: rngs has neither a 'params' nor a 'default' stream; "
            "pass nnx.Rngs(seed) or nnx.Rngs(params=seed)."
        ) from error
    fresh, stream_key = stream.count[...] == 0, stream.key[...]
    drawn = stream()  # advances the stream: the next module gets another key
    try:
        return stream_key if bool(fresh) else drawn
    except jax.errors.ConcretizationTypeError:  # built under a trace (e.g. nnx.eval_shape)
        return jax.lax.cond(fresh, lambda a, b: a, lambda a, b: b, stream_key, drawn)


# --------------------------------------------------------------------------- parameters
def _held(name: str, doc: str) -> property:
    """A read-only attribute kept as ``_name``: NNX's repr leaves out private static data,
    so printing a module does not dump its bases."""
    return property(lambda self: getattr(self, f"_{name}"), doc=doc)


_BASIS = _held("basis", "The layer's basis (`layers.bases`), computed at construction.")
_PLAN = _held("plan", "The model's plan (`layers.core`): bases, layouts and gains.")
_LAYOUT = _held("layout", "The canonical `layers.bases.Layout` of ``rep``.")


def _variables(tree: Mapping) -> nnx.Dict:
    """A core tree of arrays as an ``nnx.Dict`` of the same shape with ``nnx.Param`` leaves."""
    return nnx.Dict(
        {k: _variables(v) if isinstance(v, Mapping) else nnx.Param(v) for k, v in tree.items()}
    )


def _values(node: nnx.Dict) -> dict:
    """The plain tree of arrays held by ``node`` (the inverse of `_variables`)."""
    return {k: _values(v) if isinstance(v, nnx.Dict) else v.get_value() for k, v in node.items()}


class _Parametric(nnx.Module):
    """A module that draws a core tree at construction and holds it in ``self.params``."""

    def _draw(self, init: Callable, rngs, key, dtype, layer: str) -> None:
        """``self.params`` from ``init(core.model_key(user_key), dtype)``."""
        dtype = check_dtype(dtype, layer)
        self.params = _variables(init(core.model_key(_user_key(rngs, key, layer)), dtype))

    def _tree(self) -> dict:
        return _values(self.params)


def _param_dict(module: object) -> nnx.Dict | None:
    """The ``nnx.Dict`` of a module of this front-end, None if it has no parameters."""
    if isinstance(module, Standardize):
        network = module.network
        return _param_dict(network) if isinstance(network, nnx.Module) else None
    if isinstance(module, GatedNonlinearity):
        return None
    if isinstance(module, _Parametric):
        return module.params
    raise TypeError(
        f"params and load take a module of layers.flax (e.g. layers.flax.EMLP); "
        f"got {type(module).__name__}."
    )


def params(module: nnx.Module) -> dict:
    """The parameter tree of a module as plain arrays: the tree of `layers.core`.

    ``{scope: {name: array}}`` for a model (Haiku's tree without its leading module name,
    ``"emlp/block_0/linear"`` -> ``"block_0/linear"``), ``{name: array}`` for a `Linear` or
    a `BiLinear` (Haiku's ``params["linear"]``), the network's tree for a `Standardize`
    (``{}`` when the network is a plain function), ``{}`` for a `GatedNonlinearity`.

    Raises:
        TypeError: ``module`` is not a module of `layers.flax`.

    Example:
        >>> from flax import nnx
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> model = EMLP(2 * V, Scalar, O(5), ch=16, num_layers=1, rngs=nnx.Rngs(0))
        >>> tree = params(model)
        >>> sorted(tree), sorted(tree["linear"])
        (['block_0/bilinear', 'block_0/linear', 'linear'], ['Scalar->Scalar', 'bias->Scalar'])
    """
    node = _param_dict(module)
    return {} if node is None else _values(node)


def _check_tree(tree: object, expected: Mapping, where: str) -> None:
    """Raises unless ``tree`` has exactly the names of ``expected``, with its shapes."""
    if not isinstance(tree, Mapping):
        raise ValueError(f"load: {where} must be a mapping; got {type(tree).__name__}.")
    missing = sorted(set(expected) - set(tree))
    unexpected = sorted(set(tree) - set(expected), key=str)
    if missing or unexpected:
        hint = (
            " (a Haiku tree: drop its leading module name, e.g. 'emlp/block_0/linear' -> "
            "'block_0/linear', and pass params['linear'] for a single layer)"
            if any(isinstance(k, str) and "/" in k for k in unexpected)
            or (
                any(isinstance(v, Mapping) for v in tree.values())
                and not any(isinstance(v, Mapping) for v in expected.values())
            )
            else ""
        )
        raise ValueError(
            f"load: {where} has the wrong names: missing {missing}, unexpected {unexpected}; "
            f"expected {sorted(expected)}{hint}."
        )
    for name, target in expected.items():
        value = tree[name]
        if isinstance(target, Mapping):
            _check_tree(value, target, f"{where}[{name!r}]")
            continue
        if isinstance(value, Mapping):
            raise ValueError(f"load: {where}[{name!r}] must be an array; got a mapping.")
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:  # e.g. a tracer or a ragged list
            array = value if hasattr(value, "shape") and hasattr(value, "dtype") else None
            if array is None:
                raise ValueError(f"load: {where}[{name!r}] is not an array.") from error
        if tuple(array.shape) != tuple(target.shape):
            raise ValueError(
                f"load: {where}[{name!r}] has shape {tuple(array.shape)}; "
                f"the module's parameter has shape {tuple(target.shape)}."
            )
        if not (
            jnp.issubdtype(array.dtype, jnp.floating) or jnp.issubdtype(array.dtype, jnp.integer)
        ):
            raise ValueError(
                f"load: {where}[{name!r}] must be a real array; got dtype {array.dtype}."
            )


def _write(node: nnx.Dict, tree: Mapping) -> None:
    for name, variable in node.items():
        if isinstance(variable, nnx.Dict):
            _write(variable, tree[name])
        else:
            variable.set_value(jnp.asarray(tree[name], variable.get_value().dtype))


def load(module: nnx.Module, tree: Mapping) -> None:
    """Sets a module's parameters, in place, from a tree of `layers.core` (see `params`).

    Names and shapes must match the module's exactly (checked for the whole tree before
    anything is written); values are cast to the module's parameter dtype. A tree saved by
    any front-end loads: Haiku's without its leading module name.

    Raises:
        TypeError: ``module`` is not a module of `layers.flax`.
        ValueError: a scope or name is missing or unexpected, a shape differs, or a value
            is not a real array.

    Example:
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
        >>> a = Linear(V(SO(3)), V(SO(3)), rngs=nnx.Rngs(0))
        >>> b = Linear(V(SO(3)), V(SO(3)), rngs=nnx.Rngs(1))
        >>> load(b, params(a))
        >>> bool((b(jnp.ones((1, 3))) == a(jnp.ones((1, 3)))).all())
        True
        >>> load(b, {"V->V": jnp.ones((2, 1, 1))})
        Traceback (most recent call last):
        ...
        ValueError: load: Linear['V->V'] has shape (2, 1, 1); the module's parameter has shape (1, 1, 1).
    """  # noqa: E501
    node = _param_dict(module)
    expected = {} if node is None else _values(node)
    _check_tree(tree, expected, type(module).__name__)
    if node is not None:
        _write(node, tree)


def num_params(module: nnx.Module | Mapping) -> int:
    """Number of trainable scalars (``nnx.Param``) of a module, or of a parameter tree.

    Example:
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
        >>> num_params(Linear(V(SO(3)), (2 * V)(SO(3)), rngs=nnx.Rngs(0)))  # 2 x 1 coefficients
        2
    """
    if isinstance(module, nnx.Module):
        return core.tree_size(nnx.state(module, nnx.Param))
    return core.tree_size(module)


# --------------------------------------------------------------------------- layers
_KEY_ARGS_DOC = """
        rngs: an ``nnx.Rngs``; the parameters are drawn from its ``params`` stream (else
            ``default``), as the module docstring of `layers.flax` says.
        key: instead of ``rngs``, the user key itself (Haiku's ``init`` key).
        dtype: the parameters' real floating dtype (float64 needs ``jax_enable_x64``)."""


class Linear(_Parametric):
    """Equivariant linear layer ``rep_in -> rep_out`` with an invariant bias.

    The parameters are the coefficients of the equivariant basis, one array
    ``(copies_out, copies_in, r)`` per pair of tensor types, named ``"<in type>-><out
    type>"``, initialised by `layers.functional.init_params` (``init_gain``: see
    `layers.bases.LinearBasis.parameter_specs`).

    Args:
        rep_in, rep_out: representations bound to one group, each of size ``>= 1``.
        init_gain: a positive finite real number.{keys}

    Raises:
        TypeError: a rep is not a `Rep`; neither or both of ``rngs`` and ``key``; ``dtype``
            is not real floating; on call, ``x`` is not a real floating array.
        ValueError: a rep is unbound or of size 0, the groups differ, ``init_gain`` is not
            a positive finite real; on call, ``x.shape[-1] != rep_in.size()``.

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

    Args:
        rep_in, rep_out: representations bound to one group, each of size ``>= 1``.{keys}

    Raises:
        TypeError, ValueError: as `Linear` (bad reps, keys or dtype; on call, bad ``x``).

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


class GatedNonlinearity(nnx.Module):
    """Gated nonlinearity: input ``gated(rep)``, output ``rep``; no parameters.

    Scalars get swish; every other copy is scaled by the sigmoid of its gate scalar.

    Args:
        rep: a representation bound to a group, of size ``>= 1``.

    Raises:
        TypeError: ``rep`` is not a `Rep`; on call, ``values`` is not a real floating array.
        ValueError: ``rep`` is unbound or of size 0; on call,
            ``values.shape[-1] != gated(rep).size()``.

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

    Args:
        rep_in, rep_out: bound representations (the block outputs ``rep_out``).
        init_gain: init gain of the linear layer: 1 for standardised inputs,
            `layers.core.DEFAULT_HIDDEN_GAIN` when the input comes out of another block.{keys}

    Raises:
        TypeError, ValueError: as `Linear` (bad reps, ``init_gain``, keys or dtype; on
            call, bad ``x``).

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

    Args:
        rep_in, rep_out: representations (bound or unbound; they are bound to ``group``),
            each of size ``>= 1``.
        group: the symmetry group.
        ch: hidden size: a positive int (see `layers.uniform_rep`), a Rep of size ``>= 1``,
            or a sequence of ``num_layers`` of them.
        num_layers: number of hidden blocks, ``>= 0``.
        init_gain: init gain of every linear layer fed by a gated nonlinearity:
            `layers.core.DEFAULT_HIDDEN_GAIN` (1) or `layers.core.VARIANCE_PRESERVING_GAIN`
            (3), a positive finite real.{keys}

    Raises:
        TypeError: ``group`` is not a `groups.Group` or a rep not a `Rep`; neither or both
            of ``rngs`` and ``key``; ``dtype`` is not real floating; on call, ``x`` is not
            a real floating array.
        ValueError: a rep has size 0 or is bound to another group; ``ch``, ``num_layers``
            or ``init_gain`` is out of range or of the wrong type; on call,
            ``x.shape[-1] != rep_in.size()``.

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

    Args:
        rep_in, rep_out: representations (bound to ``group``), each of size ``>= 1``.
        group: fixes the sizes of the reps.
        ch: hidden width, a positive int.
        num_layers: number of hidden layers, ``>= 0``.{keys}

    Raises:
        TypeError: ``group`` is not a `groups.Group` or a rep not a `Rep`; neither or both
            of ``rngs`` and ``key``; ``dtype`` is not real floating; on call, ``x`` is not
            a real floating array.
        ValueError: a rep has size 0 or is bound to another group; ``ch`` or
            ``num_layers`` is out of range or not an int; on call,
            ``x.shape[-1] != rep_in.size()``.

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
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


class Standardize(nnx.Module):
    """Wraps a network: ``network((x - x_shift) / x_scale) * y_scale + y_shift``.

    A network that is an ``nnx.Module`` (e.g. an `EMLP`) is a submodule: its parameters
    are in ``nnx.state(standardize)``, and `params`/`load` read and write its tree.

    Args:
        network: a callable (e.g. an `EMLP` module instance) on standardised inputs.
        stats: a `layers.Standardization` (see `layers.standardization`).

    Example:
        >>> import numpy as np, jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> from layers import standardization
        >>> G, rng = O(3), np.random.default_rng(0)
        >>> stats = standardization(rng.normal(size=(50, 3)), rng.normal(size=(50, 1)),
        ...                         V(G), Scalar(G))
        >>> model = Standardize(EMLP(V, Scalar, G, ch=16, num_layers=1, rngs=nnx.Rngs(0)), stats)
        >>> model(jnp.ones((2, 3))).shape, sorted(params(model)) == sorted(params(model.network))
        ((2, 1), True)
    """

    def __init__(self, network: Callable, stats: Standardization):
        self.network, self.stats = network, stats

    def __call__(self, x: jax.Array) -> jax.Array:
        return standardized(self.stats, self.network, x)


# --------------------------------------------------------------------------- dynamics
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


_DYNAMICS_KEYS_DOC = "\n    Keyword Args:" + _KEY_ARGS_DOC + "\n"


def _example(cls: str, group: str, rep: str, size: int) -> str:
    return f"""
    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from groups import O, SO, Embed, Trivial
        >>> from emlp_core import V
        >>> G = {group}
        >>> model = {cls}({rep}, G, ch=16, rngs=nnx.Rngs(0))
        >>> model(jnp.ones((2, {size}))).shape
        (2, {size})
"""


class EMLPH(_Hamiltonian):
    """Hamiltonian network: ``H`` is an invariant EMLP; returns ``J grad H(z)``.

    Exactly equivariant when the group acts symplectically (checked, see
    `layers.dynamics.check_symplectic`). ``model.hamiltonian(z)`` is ``H(z)``.
    """

    __doc__ = (
        (__doc__ or "")
        + DYNAMICS_ARGS_DOC
        + _DYNAMICS_KEYS_DOC
        + _example("EMLPH", "Embed(O(2), 3, [0, 1])", "4 * V", 12)
    )


class MLPH(_Hamiltonian):
    """Hamiltonian network: ``H`` is a baseline MLP (no symmetry); returns ``J grad H(z)``.

    ``model.hamiltonian(z)`` is ``H(z)``.
    """

    __doc__ = (
        (__doc__ or "")
        + DYNAMICS_ARGS_DOC
        + _DYNAMICS_KEYS_DOC
        + _example("MLPH", "Trivial(4)", "V", 4)
    )


class EMLPode(_Dynamics):
    """Neural ODE: the vector field ``rep_in -> rep_in`` is an equivariant EMLP."""

    __doc__ = (
        (__doc__ or "")
        + DYNAMICS_ARGS_DOC
        + _DYNAMICS_KEYS_DOC
        + _example("EMLPode", "Embed(SO(2), 3, [0, 1])", "4 * V", 12)
    )


class MLPode(_Dynamics):
    """Neural ODE: the vector field ``rep_in -> rep_in`` is a baseline MLP (no symmetry)."""

    __doc__ = (
        (__doc__ or "")
        + DYNAMICS_ARGS_DOC
        + _DYNAMICS_KEYS_DOC
        + _example("MLPode", "Trivial(4)", "V", 4)
    )


for _cls in (Linear, BiLinear, EMLPBlock, EMLP, MLP):
    _cls.__doc__ = (_cls.__doc__ or "").replace("{keys}", _KEY_ARGS_DOC)
del _cls
