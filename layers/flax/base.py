"""Flax NNX front-end, its parameters: user keys, parameter variables, `params`, `load`
and `num_params` (see `layers.flax`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
from flax import nnx

from layers import core
from layers.checks import check_dtype
from layers.frontend import check_tree

__all__ = ["params", "load", "num_params"]

_KEY_ARGS = [
    (
        "rngs",
        "an ``nnx.Rngs``; the parameters are drawn from its ``params`` stream (else "
        "``default``), as the module docstring of `layers.flax` says.",
    ),
    ("key", "instead of ``rngs``, the user key itself (Haiku's ``init`` key)."),
    ("dtype", "the parameters' real floating dtype (float64 needs ``jax_enable_x64``)."),
]
_KEY_ERRORS = "; neither or both of ``rngs`` and ``key``; ``dtype`` is not real floating"
"""The docs of ``rngs``, ``key`` and ``dtype`` (`layers.frontend.module_doc`)."""


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


class _Module(nnx.Module):
    """A module of this front-end: `params` and `load` read and write `_param_node`."""

    def _param_node(self) -> nnx.Dict | None:
        """The ``nnx.Dict`` of the module's parameters; None if it has none."""
        return None


class _Parametric(_Module):
    """A module that draws a core tree at construction and holds it in ``self.params``."""

    def _draw(self, init: Callable, rngs, key, dtype, layer: str) -> None:
        """``self.params`` from ``init(core.model_key(user_key), dtype)``."""
        dtype = check_dtype(dtype, layer)
        self.params = _variables(init(core.model_key(_user_key(rngs, key, layer)), dtype))

    def _tree(self) -> dict:
        return _values(self.params)

    def _param_node(self) -> nnx.Dict:
        return self.params


def _param_dict(module: object) -> nnx.Dict | None:
    """The ``nnx.Dict`` of a module of this front-end, None if it has no parameters."""
    if isinstance(module, _Module):
        return module._param_node()
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
        >>> from layers.flax import EMLP
        >>> model = EMLP(2 * V, Scalar, O(5), ch=16, num_layers=1, rngs=nnx.Rngs(0))
        >>> tree = params(model)
        >>> sorted(tree), sorted(tree["linear"])
        (['block_0/bilinear', 'block_0/linear', 'linear'], ['Scalar->Scalar', 'bias->Scalar'])
    """
    node = _param_dict(module)
    return {} if node is None else _values(node)


def _write(node: nnx.Dict, tree: Mapping) -> None:
    for name, variable in node.items():
        if isinstance(variable, nnx.Dict):
            _write(variable, tree[name])
        else:
            variable.set_value(jnp.asarray(tree[name], variable.get_value().dtype))


def load(module: nnx.Module, tree: Mapping) -> None:
    """Sets a module's parameters, in place, from a tree of `layers.core` (see `params`).

    Names, nesting and shapes must match the module's exactly (`layers.frontend.check_tree`,
    for the whole tree before anything is written: `layers.equinox.load` refuses the same
    trees with the same errors); values are cast to the module's parameter dtype. A tree
    saved by any front-end loads: Haiku's without its leading module name.

    Raises:
        TypeError: ``module`` is not a module of `layers.flax`; a value is not real
            floating.
        ValueError: a scope or name is missing or unexpected, a shape differs, or a value
            is not an array.

    Example:
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.flax import Linear
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
    checked = check_tree(tree, {} if node is None else _values(node), type(module).__name__)
    if node is not None:
        _write(node, checked)


def num_params(module: nnx.Module | Mapping) -> int:
    """Number of trainable scalars (``nnx.Param``) of a module, or of a parameter tree.

    Example:
        >>> from flax import nnx
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.flax import Linear
        >>> num_params(Linear(V(SO(3)), (2 * V)(SO(3)), rngs=nnx.Rngs(0)))  # 2 x 1 coefficients
        2
    """
    if isinstance(module, nnx.Module):
        return core.tree_size(nnx.state(module, nnx.Param))
    return core.tree_size(module)
