"""Framework-free models: plans, one initialisation rule, and pure apply functions.

Every front-end (`layers.haiku`, `layers.flax`, `layers.equinox`) is a thin wrapper over
this module, which needs only jax and numpy:

* a *plan* is what numpy precomputes for a model (bases, layouts, gains), a value the
  front-end holds (`emlp_plan`, `block_plan`, `mlp_plan`, `dynamics_plan`);
* ``*_init(plan, key, dtype)`` draws its parameter tree; ``*_apply(plan, params, x)`` runs it.

Parameter trees are ``{scope: {name: array}}``. Scopes name the layers (``"block_0/linear"``,
``"block_0/bilinear"``, ..., ``"linear"`` for the output layer of an EMLP; ``"linear_0"``,
... for an MLP); names name what a parameter connects, by tensor type (``"V**2->V"``,
``"bias->V"``, ``"products->V**2"``; see `layers.bases`), so a saved tree keeps its meaning
if the canonical order of the types changes, and one tree loads in every front-end.

Keys: block ``k`` draws from ``fold_in(key, k)`` (split into its linear and bilinear
layers), the output layer from ``fold_in(key, num_layers)``; a front-end hands its model
the first key it would use itself (Haiku: ``hk.next_rng_key()``; the others:
`model_key`), so the same user key gives the same parameters everywhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import Rep
from groups import Group
from groups.checks import check_int, check_real
from layers import functional as F
from layers.bases import BilinearBasis, Layout, LinearBasis, bilinear_basis, layout, linear_basis
from layers.checks import check_rep, check_reps
from layers.hidden import gated, uniform_rep

__all__ = [
    "DEFAULT_HIDDEN_GAIN",
    "VARIANCE_PRESERVING_GAIN",
    "model_key",
    "bind",
    "BlockPlan",
    "block_plan",
    "block_init",
    "block_apply",
    "EMLPPlan",
    "emlp_plan",
    "emlp_init",
    "emlp_apply",
    "MLPPlan",
    "mlp_plan",
    "mlp_init",
    "mlp_apply",
    "tree_size",
]

DEFAULT_HIDDEN_GAIN = 1.0
"""Default init gain of a linear layer fed by a gated nonlinearity.

A gated nonlinearity keeps about a third of the second moment of unit-normal
preactivations, so with gain 1 activations shrink by about ``1/sqrt(3)`` per block at
initialisation, which Adam absorbs within a few steps; neither this nor
`VARIANCE_PRESERVING_GAIN` is better on every task (see ``benchmarks/README.md``).
"""

VARIANCE_PRESERVING_GAIN = 3.0
"""Init gain after a gated nonlinearity that keeps activations at one scale through depth."""


def model_key(key: jax.Array) -> jax.Array:
    """The key a model draws from, given the user's key: ``jax.random.split(key)[1]``.

    It is the first key ``hk.next_rng_key()`` returns under ``hk.transform(f).init(key)``,
    so the Flax and Equinox front-ends, which take the user's key directly, draw the same
    parameters as Haiku.

    Example:
        >>> model_key(jax.random.PRNGKey(0)).shape
        (2,)
    """
    return jax.random.split(key)[1]


def bind(rep: Rep, group: Group, name: str, layer: str) -> Rep:
    """``rep(group)``, checked (a `Rep` of size ``>= 1``), for a model's constructor."""
    if not isinstance(rep, Rep):
        raise TypeError(f"{layer}: {name} must be a Rep; got {type(rep).__name__}.")
    rep = rep(group)
    check_rep(rep, name, layer)
    return rep


def check_gain(init_gain: float, layer: str) -> float:
    """``init_gain`` as a float ``> 0`` (`groups.checks.check_real`), for ``layer``."""
    hint = " (e.g. DEFAULT_HIDDEN_GAIN or VARIANCE_PRESERVING_GAIN)"
    return check_real(init_gain, "init_gain", above=0, where=layer, hint=hint)


def _check_group(group, layer: str) -> None:
    if not isinstance(group, Group):
        raise TypeError(f"{layer} needs a groups.Group; got {type(group).__name__}.")


def tree_size(params) -> int:
    """Number of scalars in a parameter tree (nested mappings of arrays).

    Example:
        >>> tree_size({"linear": {"V->V": np.zeros((2, 3, 1))}})
        6
    """
    return int(sum(np.size(leaf) for leaf in jax.tree_util.tree_leaves(params)))


# --------------------------------------------------------------------------- blocks
@dataclass(frozen=True, eq=False)
class BlockPlan:
    """An EMLP block: ``Linear(rep_in, gated(rep_out))``, residual bilinear, gate."""

    rep_in: Rep
    rep_out: Rep
    linear: LinearBasis
    bilinear: BilinearBasis
    layout: Layout
    gain: float


def block_plan(rep_in: Rep, rep_out: Rep, init_gain: float = 1.0) -> BlockPlan:
    """The plan of one block (bound reps of one group, each of size ``>= 1``)."""
    check_reps(rep_in, rep_out, "EMLPBlock")
    gain = check_gain(init_gain, "EMLPBlock")
    hidden = gated(rep_out)
    return BlockPlan(
        rep_in,
        rep_out,
        linear_basis(rep_in, hidden),
        bilinear_basis(hidden, hidden),
        layout(rep_out),
        gain,
    )


def _block_layers(plan: BlockPlan, key: jax.Array) -> list[tuple]:
    linear_key, bilinear_key = jax.random.split(key)
    return [(plan.linear, linear_key, plan.gain), (plan.bilinear, bilinear_key, None)]


def block_init(plan: BlockPlan, key: jax.Array, dtype=jnp.float32) -> dict:
    """``{"linear": {...}, "bilinear": {...}}`` for one block."""
    linear, bilinear = F.init_params_many(_block_layers(plan, key), dtype)
    return {"linear": linear, "bilinear": bilinear}


def block_apply(plan: BlockPlan, params, x: jax.Array) -> jax.Array:
    """``gate(h + bilinear(h))`` with ``h = linear(x)``: ``(..., n_in) -> (..., n_out)``."""
    h = F.compiled(F.linear, plan.linear)(params.get("linear", {}), x)
    h = h + F.compiled(F.bilinear, plan.bilinear)(params.get("bilinear", {}), h)
    return F.compiled(F.gated_nonlinearity, plan.layout)(h)


# --------------------------------------------------------------------------- EMLP
@dataclass(frozen=True, eq=False)
class EMLPPlan:
    """``num_layers`` blocks on hidden representations, then an output linear layer."""

    rep_in: Rep
    rep_out: Rep
    blocks: tuple
    head: LinearBasis
    head_gain: float

    def param_specs(self) -> list[tuple[str, str, tuple]]:
        """``(scope, name, shape)`` of every parameter, in tree order."""
        specs = []
        for k, block in enumerate(self.blocks):
            for scope, basis, extra in (
                ("linear", block.linear, (block.gain,)),
                ("bilinear", block.bilinear, ()),
            ):
                specs += [(f"block_{k}/{scope}", n, s) for n, s, _ in basis.parameter_specs(*extra)]
        specs += [("linear", n, s) for n, s, _ in self.head.parameter_specs(self.head_gain)]
        return specs

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, _, shape in self.param_specs()))


def _hidden_rep(ch, group: Group, name: str) -> Rep:
    if isinstance(ch, Rep):
        return bind(ch, group, name, "EMLP")
    return uniform_rep(check_int(ch, name, minimum=1, where="EMLP"), group)


def _hidden_reps(ch, group: Group, num_layers: int) -> list[Rep]:
    expected = f"EMLP: ch must be an int, a Rep, or a sequence of num_layers = {num_layers} of them"
    if isinstance(ch, Sequence) and not isinstance(ch, (str, Rep)):
        if len(ch) != num_layers:
            raise ValueError(f"{expected}; got a sequence of {len(ch)}: {ch!r}.")
        return [_hidden_rep(c, group, f"ch[{k}]") for k, c in enumerate(ch)]
    if not isinstance(ch, Rep):
        try:
            check_int(ch, "ch")
        except TypeError:
            raise TypeError(f"{expected}; got {type(ch).__name__} {ch!r}.") from None
    return [_hidden_rep(ch, group, "ch")] * num_layers  # one for all layers, checked even if none


def emlp_plan(
    rep_in: Rep,
    rep_out: Rep,
    group: Group,
    ch=384,
    num_layers: int = 3,
    init_gain: float = DEFAULT_HIDDEN_GAIN,
) -> EMLPPlan:
    """The plan of an EMLP (arguments and errors as the front-ends' ``EMLP``).

    Example:
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> plan = emlp_plan(2 * V, Scalar, O(5), ch=32, num_layers=2)
        >>> params = emlp_init(plan, jax.random.PRNGKey(0))
        >>> sorted(params)
        ['block_0/bilinear', 'block_0/linear', 'block_1/bilinear', 'block_1/linear', 'linear']
        >>> emlp_apply(plan, params, jnp.ones((4, 10))).shape
        (4, 1)
    """
    _check_group(group, "EMLP")
    num_layers = check_int(num_layers, "num_layers", minimum=0, where="EMLP")
    gain = check_gain(init_gain, "EMLP")
    rep_in = bind(rep_in, group, "rep_in", "EMLP")
    rep_out = bind(rep_out, group, "rep_out", "EMLP")
    reps = [rep_in, *_hidden_reps(ch, group, num_layers)]
    blocks = tuple(
        block_plan(a, b, init_gain=1.0 if k == 0 else gain)
        for k, (a, b) in enumerate(itertools.pairwise(reps))
    )
    head_gain = gain if blocks else 1.0
    return EMLPPlan(rep_in, rep_out, blocks, linear_basis(reps[-1], rep_out), head_gain)


def emlp_init(plan: EMLPPlan, key: jax.Array, dtype=jnp.float32) -> dict:
    """The parameter tree of an EMLP (see the module docstring for scopes and keys).

    Block ``k`` draws as `block_init` from ``fold_in(key, k)``, the head as
    `layers.functional.init_params` from ``fold_in(key, len(blocks))``, all normals in
    one random program (`layers.functional.init_params_many`).
    """
    layers, scopes = [], []
    for k, block in enumerate(plan.blocks):
        layers += _block_layers(block, jax.random.fold_in(key, k))
        scopes += [f"block_{k}/linear", f"block_{k}/bilinear"]
    layers.append((plan.head, jax.random.fold_in(key, len(plan.blocks)), plan.head_gain))
    scopes.append("linear")
    return dict(zip(scopes, F.init_params_many(layers, dtype), strict=True))


def emlp_apply(plan: EMLPPlan, params, x: jax.Array) -> jax.Array:
    """``(..., rep_in.size()) -> (..., rep_out.size())``; ``params`` as `emlp_init` makes."""
    F.check_input(x, plan.rep_in.size(), "EMLP", rep=f"rep_in = {plan.rep_in!r}")
    for k, block in enumerate(plan.blocks):
        scopes = {part: params.get(f"block_{k}/{part}", {}) for part in ("linear", "bilinear")}
        x = block_apply(block, scopes, x)
    return F.compiled(F.linear, plan.head)(params.get("linear", {}), x)


# --------------------------------------------------------------------------- MLP
@dataclass(frozen=True)
class MLPPlan:
    """Widths ``(n_in, ch, ..., ch, n_out)`` of a swish MLP."""

    rep_in: Rep
    rep_out: Rep
    widths: tuple

    def param_specs(self) -> list[tuple[str, str, tuple]]:
        specs = []
        for k, (a, b) in enumerate(itertools.pairwise(self.widths)):
            specs += [(f"linear_{k}", "w", (a, b)), (f"linear_{k}", "b", (b,))]
        return specs

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, _, shape in self.param_specs()))


def mlp_plan(
    rep_in: Rep, rep_out: Rep, group: Group, ch: int = 384, num_layers: int = 3
) -> MLPPlan:
    """The plan of the baseline MLP (the reps and group give only the widths)."""
    _check_group(group, "MLP")
    ch = check_int(ch, "ch", minimum=1, where="MLP")
    num_layers = check_int(num_layers, "num_layers", minimum=0, where="MLP")
    rep_in = bind(rep_in, group, "rep_in", "MLP")
    rep_out = bind(rep_out, group, "rep_out", "MLP")
    return MLPPlan(rep_in, rep_out, (rep_in.size(), *[ch] * num_layers, rep_out.size()))


_TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


def mlp_init(plan: MLPPlan, key: jax.Array, dtype=jnp.float32) -> dict:
    """Weights ``N(0, 1/fan_in)`` truncated at two standard deviations, zero biases.

    Layer ``k`` draws from ``fold_in(key, k)``.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> params = mlp_init(mlp_plan(V, V, SO(3), ch=8, num_layers=1), jax.random.PRNGKey(0))
        >>> {scope: {n: a.shape for n, a in p.items()} for scope, p in params.items()}
        {'linear_0': {'w': (3, 8), 'b': (8,)}, 'linear_1': {'w': (8, 3), 'b': (3,)}}
    """
    tree = {}
    for k, (a, b) in enumerate(itertools.pairwise(plan.widths)):
        normal = jax.random.truncated_normal(jax.random.fold_in(key, k), -2.0, 2.0, (a, b), dtype)
        tree[f"linear_{k}"] = {
            "w": normal * (1.0 / (np.sqrt(a) * _TRUNCATED_STD)),
            "b": jnp.zeros((b,), dtype),
        }
    return tree


def mlp_apply(plan: MLPPlan, params, x: jax.Array) -> jax.Array:
    """Swish after every layer but the last."""
    F.check_input(x, plan.rep_in.size(), "MLP", rep=f"rep_in = {plan.rep_in!r}")
    layers = len(plan.widths) - 1
    for k in range(layers):
        layer = params[f"linear_{k}"]
        x = x @ layer["w"].astype(x.dtype) + layer["b"].astype(x.dtype)
        if k < layers - 1:
            x = jax.nn.swish(x)
    return x
