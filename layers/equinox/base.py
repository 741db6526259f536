"""Equinox front-end, its parameters: `ParamTree` (how a module holds its tree), the base
classes of the modules, and `params`, `load` and `num_params` (see `layers.equinox`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import equinox as eqx
import jax

from emlp_core import Rep
from layers import core
from layers.frontend import check_tree

__all__ = ["ParamTree", "params", "load", "num_params"]


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
        >>> import jax.numpy as jnp
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
    """A module of this front-end: a short ``repr`` (the constructor's reps and options,
    and the parameter shapes), and the tree that `params` reads and `load` writes."""

    def _summary(self) -> dict:
        return {}

    def _tree(self) -> dict:
        """The module's parameter tree (copies of the mappings); ``{}`` for none."""
        return {}

    def _load(self, tree: Mapping) -> _Module:
        """The module with the parameters ``tree``, once checked (`load`)."""
        check_tree(tree, self._tree(), type(self).__name__)
        return self  # nothing to replace

    def __repr__(self) -> str:
        parts = [f"{name}={value!r}" for name, value in self._summary().items()]
        if isinstance(getattr(self, "params", None), ParamTree):
            parts.append(f"params={eqx.tree_pformat(self.params.to_dict())}")
        return f"{type(self).__name__}({', '.join(parts)})"


class _Parametric(_Module):
    """A module that holds its tree in the pytree field ``params``, a `ParamTree` (declared
    by each subclass, after its static fields)."""

    def _tree(self) -> dict:
        return {k: dict(v) if isinstance(v, Mapping) else v for k, v in self.params.items()}

    def _load(self, tree: Mapping) -> _Module:
        current = self._tree()
        new = check_tree(tree, current, type(self).__name__)
        if not jax.tree_util.tree_leaves(current):  # nothing to replace
            return self
        return eqx.tree_at(lambda m: m.params, self, ParamTree(new))


class _Layer(_Parametric):
    """A layer or model ``rep_in -> rep_out``, whose reps are those of `_plan`."""

    def _plan(self):
        """What holds the reps: the ``plan`` field (a layer: its ``basis``)."""
        return self.plan

    @property
    def rep_in(self) -> Rep:
        return self._plan().rep_in

    @property
    def rep_out(self) -> Rep:
        return self._plan().rep_out


_KEY_ARGS = [
    (
        "key",
        "a JAX PRNG key (keyword only); the parameters are drawn from `layers.core.model_key` "
        "of it, so they equal the Haiku module's under ``hk.transform(f).init(key, x)``.",
    ),
    ("dtype", "real floating dtype of the parameters (float64 needs x64)."),
]
_KEY_ERRORS = "; no ``key``; ``dtype`` is not real floating"
"""The docs of ``key`` and ``dtype`` (`layers.frontend.module_doc`)."""


# --------------------------------------------------------------------------- parameters
def _module(module: object) -> _Module:
    if not isinstance(module, _Module):
        raise TypeError(f"expected a module of layers.equinox; got {type(module).__name__}.")
    return module


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
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> from layers.equinox import EMLP
        >>> model = EMLP(V, Scalar, O(3), ch=16, num_layers=1, key=jax.random.PRNGKey(0))
        >>> sorted(params(model)), sorted(params(model)["linear"])
        (['block_0/bilinear', 'block_0/linear', 'linear'], ['Scalar->Scalar', 'bias->Scalar'])
    """
    return _module(module)._tree()


def load(module: eqx.Module, tree: Mapping) -> eqx.Module:
    """A copy of ``module`` with the parameters ``tree`` (the format of `params`).

    The names, nesting and shapes of ``tree`` must be those of ``params(module)``
    (`layers.frontend.check_tree`: `layers.flax.load` refuses the same trees with the same
    errors); its arrays keep their dtype. Built with ``eqx.tree_at``, so it also works on
    traced arrays (inside ``jax.jit`` or ``jax.grad``).

    Raises:
        ValueError: a name is missing or unexpected, a shape differs, or a value is not an
            array.
        TypeError: an array is not real floating; ``module`` is not a module of this
            front-end.

    Example:
        >>> import jax.numpy as jnp
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.equinox import Linear
        >>> layer = Linear(V(SO(3)), V(SO(3)), key=jax.random.PRNGKey(0))
        >>> doubled = load(layer, {"V->V": 2 * params(layer)["V->V"]})
        >>> bool(jnp.allclose(doubled(jnp.ones((1, 3))), 2 * layer(jnp.ones((1, 3)))))
        True
        >>> load(layer, {"V->V": jnp.ones((2, 1, 1))})
        Traceback (most recent call last):
        ...
        ValueError: load: Linear['V->V'] has shape (2, 1, 1); the module's parameter has shape (1, 1, 1).
    """  # noqa: E501
    return _module(module)._load(tree)


def num_params(params) -> int:
    """Number of trainable scalars of a module of this front-end, or of a parameter tree.

    For other Equinox modules, the number of scalars in their floating-point arrays.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.equinox import Linear
        >>> layer = Linear(V(SO(3)), (2 * V)(SO(3)), key=jax.random.PRNGKey(0))
        >>> num_params(layer)  # 2 x 1 coefficients
        2
    """
    if isinstance(params, _Module):
        return core.tree_size(params._tree())
    if isinstance(params, eqx.Module):
        return core.tree_size(eqx.filter(params, eqx.is_inexact_array))
    return core.tree_size(params)
