"""Haiku modules over the functional core: equivariant layers, EMLP and the MLP baseline.

Every module is used inside ``hk.transform``; inputs are ``(batch, rep_in.size())`` and
outputs ``(batch, rep_out.size())``. Bases are constants computed (and cached) when a
module is constructed; the trainable parameters are basis coefficients.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Sequence

import haiku as hk
import jax
import jax.numpy as jnp

from emlp_core import Rep
from groups import Group
from layers import functional
from layers.bases import (
    bilinear_basis,
    check_int,
    check_real,
    check_rep,
    check_reps,
    layout,
    linear_basis,
)
from layers.hidden import gated, uniform_rep

__all__ = [
    "Linear",
    "BiLinear",
    "GatedNonlinearity",
    "EMLPBlock",
    "EMLP",
    "MLP",
    "num_params",
    "GATED_GAIN",
    "UNIT_SCALE_GAIN",
]


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
    return int(hk.data_structures.tree_size(params))


def _check_input(x: jax.Array, rep: Rep, layer: str, name: str = "rep_in") -> None:
    """`layers.functional.check_input` against ``rep``: the input check of every module."""
    functional.check_input(x, rep.size(), layer, rep=f"{name} = {rep!r}")


def _check_gain(init_gain: float, layer: str) -> float:
    return check_real(init_gain, "init_gain", layer, hint=" (e.g. GATED_GAIN or UNIT_SCALE_GAIN)")


def _bound(rep: Rep, group: Group, name: str, layer: str) -> Rep:
    """``rep(group)``, checked by `layers.bases.check_rep`."""
    if not isinstance(rep, Rep):
        raise TypeError(f"{layer}: {name} must be a Rep; got {type(rep).__name__}.")
    rep = rep(group)
    check_rep(rep, name, layer)
    return rep


@functools.lru_cache(maxsize=1024)  # bounded like the basis caches, so it pins no more
def _compiled(fn, static):
    """``fn(static, ...)`` as one jitted function of the remaining arguments.

    Called eagerly (Haiku's ``init`` outside ``jit``), a layer then compiles one XLA
    program instead of one per operation; inside an outer ``jit`` it is inlined. With
    per-operation dispatch, ``init`` of the paper's O(5) EMLP took 6 s; ``static`` is a
    basis or layout, cached per pair of representations, so each compiles once. (Their
    index arrays are int32, so the same function serves with and without x64.)
    """
    return jax.jit(functools.partial(fn, static))


@functools.partial(jax.jit, static_argnums=(1, 2))
def _normal_draws(key: jax.Array, specs: tuple, dtype) -> dict:
    """``{name: N(0, std**2) array of shape}`` for ``specs = ((name, shape, std), ...)``.

    One draw for the whole layer, then sliced: XLA compiles every ``jax.random.normal``
    call separately (about 0.15 s each on CPU), which made ``init`` of the paper's EMLP
    take 4 s under jit with one draw per parameter array.
    """
    sizes = [math.prod(shape) for _, shape, _ in specs]
    flat = jax.random.normal(key, (sum(sizes),), dtype)
    offsets = itertools.accumulate(sizes, initial=0)
    return {
        name: std * flat[start : start + size].reshape(shape)
        for (name, shape, std), start, size in zip(specs, offsets, sizes, strict=False)
    }


def _parameters(basis, dtype, **spec_options) -> dict:
    """Creates (at init) or fetches the parameters that ``basis.parameter_specs`` lists."""
    specs = basis.parameter_specs(**spec_options)
    random = tuple((name, shape, std) for name, shape, std in specs if std)
    draws = {}
    if hk.running_init() and random:
        draws = _normal_draws(hk.next_rng_key(), random, jnp.dtype(dtype))
    params = {}
    for name, shape, _ in specs:
        init = (lambda *_, v=draws[name]: v) if name in draws else jnp.zeros
        params[name] = hk.get_parameter(name, shape, dtype, init=init)
    return params


class Linear(hk.Module):
    """Equivariant linear layer ``rep_in -> rep_out`` with an invariant bias.

    The parameters are the coefficients of the equivariant basis, one array
    ``(copies_out, copies_in, r)`` per pair of tensor types, initialised by the rule of
    `layers.bases.LinearBasis.parameter_specs` (``init_gain``: see there).

    Args:
        rep_in, rep_out: representations bound to one group, each of size ``>= 1``.
        init_gain: a positive finite real number.

    Calling it on ``x`` (a real floating ``jax.Array`` or ``np.ndarray``
    ``(..., rep_in.size())``) returns ``(..., rep_out.size())`` in the dtype of ``x``.

    Raises:
        TypeError: a rep is not a `Rep`; on call, ``x`` is not an array (a list is refused:
            convert it with ``jnp.asarray``) or not real floating (int, bool, complex).
        ValueError: a rep is unbound or of size 0, the groups differ, ``init_gain`` is not
            a positive finite real; on call, ``x.shape[-1] != rep_in.size()``.

    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import SO
        >>> from emlp_core import V, Scalar
        >>> G = SO(3)
        >>> f = hk.without_apply_rng(hk.transform(lambda x: Linear(V(G), (V + Scalar)(G))(x)))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((2, 3)))
        >>> f.apply(params, jnp.ones((2, 3))).shape
        (2, 4)
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, init_gain: float = 1.0, name: str | None = None):
        super().__init__(name=name)
        self.init_gain = _check_gain(init_gain, "Linear")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.basis = linear_basis(rep_in, rep_out)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, self.rep_in, "Linear")
        params = _parameters(self.basis, x.dtype, gain=self.init_gain)
        return _compiled(functional.linear, self.basis)(params, x)


class BiLinear(hk.Module):
    """Channel-paired equivariant bilinear layer ``rep_in x rep_in -> rep_out``.

    See `layers.bases.bilinear_basis` for which channels are multiplied.

    Raises:
        TypeError, ValueError: as `Linear` (bad reps; on call, bad ``x``).
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out = rep_in, rep_out
        self.basis = bilinear_basis(rep_in, rep_out)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, self.rep_in, "BiLinear")
        return _compiled(functional.bilinear, self.basis)(_parameters(self.basis, x.dtype), x)


class GatedNonlinearity(hk.Module):
    """Gated nonlinearity: input ``gated(rep)``, output ``rep``.

    Scalars get swish; every other copy is scaled by the sigmoid of its gate scalar.

    Raises:
        TypeError: ``rep`` is not a `Rep`; on call, ``values`` is not a real floating array.
        ValueError: ``rep`` is unbound or of size 0; on call,
            ``values.shape[-1] != gated(rep).size()``.
    """

    def __init__(self, rep: Rep, name: str | None = None):
        super().__init__(name=name)
        check_rep(rep, "rep", "GatedNonlinearity")
        self.rep = rep
        self.gated_rep = gated(rep)
        self.layout = layout(rep)

    def __call__(self, values: jax.Array) -> jax.Array:
        _check_input(values, self.gated_rep, "GatedNonlinearity", name="gated(rep)")
        return _compiled(functional.gated_nonlinearity, self.layout)(values)


GATED_GAIN = 1.0
"""Default init gain of a linear layer that follows a gated nonlinearity (see `Linear`).

A gated nonlinearity keeps about a third of the second moment of unit-normal
preactivations, so `UNIT_SCALE_GAIN` (3) keeps activations at one scale through depth.
EMLP's default is gain 1 instead: activations shrink by about 1/sqrt(3) per block at
initialisation (block outputs RMS 0.33, 0.17, 0.09 for the paper's O(5) model; 0.33, 0.31,
0.29 with gain 3), which Adam absorbs within a few steps. (The rule assumes zero-mean
inputs; where a basis averages coordinates, as for permutation groups, the positive mean
of swish outputs makes gain 3 grow instead: S(5), 0.60, 0.91, 1.68.) Neither gain is
better on every task. Paper protocol, test MSE, mean of seeds 0-2 (range), 2026-12-02:

========== ====== ============================ ============================
task       N      gain 1 (default)             gain 3 (`UNIT_SCALE_GAIN`)
========== ====== ============================ ============================
O(5)       1000   0.0228 (0.0028-0.0595)       0.0031 (0.0025-0.0037)
O(3) inert 1000   0.0158 (0.0132-0.0183)       0.0587 (0.0513-0.0704)
O(1,3)     1000   0.000206 (0.000119-0.000291) 0.000113 (0.000082-0.000158)
O(5)       100    0.0300 (0.0154-0.0426)       0.0192 (0.0123-0.0319)
O(3) inert 100    0.769 (0.493-0.979)          1.79 (1.69-1.98)
O(1,3)     100    0.0190 (0.0139-0.0242)       0.0235 (0.0180-0.0332)
========== ====== ============================ ============================

Gain 3 generalises better on O(5) and O(1,3) at N = 1000 but 3.7x worse on the inertia
task (and worse than the paper's EMLP there at N = 100). Why is not established: starting
only the gates small (gain 1 for the gate rows, 3 elsewhere, so the sigmoids start in
their linear range) or the output layer at gain 1 does not recover it (inertia, seed 0:
0.040 and 0.034 against 0.016). So gain 1 stays the default; pass
``EMLP(..., init_gain=UNIT_SCALE_GAIN)`` for the unit-scale rule.
"""

UNIT_SCALE_GAIN = 3.0
"""Init gain after a gated nonlinearity that keeps activations at one scale through depth."""


class EMLPBlock(hk.Module):
    """``Linear(rep_in, gated(rep_out))``, a residual `BiLinear`, then `GatedNonlinearity`.

    Args:
        rep_in, rep_out: bound representations (the block outputs ``rep_out``).
        init_gain: init gain of the linear layer: 1 for standardised inputs, `GATED_GAIN`
            when the input comes out of another block (a positive finite real).

    Raises:
        TypeError, ValueError: as `Linear` (bad reps or ``init_gain``; on call, bad ``x``).
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, init_gain: float = 1.0, name: str | None = None):
        super().__init__(name=name)
        check_reps(rep_in, rep_out, "EMLPBlock")
        self.init_gain = _check_gain(init_gain, "EMLPBlock")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.gated_rep = gated(rep_out)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, self.rep_in, "EMLPBlock")
        linear_out = Linear(self.rep_in, self.gated_rep, init_gain=self.init_gain)(x)
        preactivation = linear_out + BiLinear(self.gated_rep, self.gated_rep)(linear_out)
        return GatedNonlinearity(self.rep_out)(preactivation)


def _hidden_rep(ch, group: Group, name: str) -> Rep:
    if isinstance(ch, Rep):
        return _bound(ch, group, name, "EMLP")
    return uniform_rep(check_int(ch, name, "EMLP"), group)


def _hidden_reps(ch, group: Group, num_layers: int) -> list[Rep]:
    if isinstance(ch, (Rep, numbers.Integral)):  # one for all layers, checked even if none
        return [_hidden_rep(ch, group, "ch")] * num_layers
    if isinstance(ch, Sequence) and not isinstance(ch, str) and len(ch) == num_layers:
        return [_hidden_rep(c, group, f"ch[{k}]") for k, c in enumerate(ch)]
    raise ValueError(
        f"EMLP: ch must be an int, a Rep, or a sequence of num_layers = {num_layers} of them; "
        f"got {ch!r}."
    )


class EMLP(hk.Module):
    """Equivariant multilayer perceptron from ``rep_in`` to ``rep_out`` under ``group``.

    ``num_layers`` `EMLPBlock`s on hidden representations, then a final `Linear`.

    Args:
        rep_in, rep_out: representations (bound or unbound; they are bound to ``group``),
            each of size ``>= 1``.
        group: the symmetry group.
        ch: hidden size: a positive int (see `uniform_rep`), a Rep of size ``>= 1``, or a
            sequence of ``num_layers`` of them.
        num_layers: number of hidden blocks, ``>= 0``.
        init_gain: init gain of every linear layer fed by a gated nonlinearity (all but
            the first, which sees standardised inputs and uses gain 1): `GATED_GAIN` (1,
            the default; activations shrink about 1/sqrt(3) per block at init) or
            `UNIT_SCALE_GAIN` (3; activations keep one scale through depth). Measured
            trade-off: see `GATED_GAIN`. A positive finite real number.

    Raises:
        TypeError: ``group`` is not a `groups.Group` or a rep not a `Rep`; on call, ``x``
            is not a real floating array (see `Linear`).
        ValueError: a rep has size 0 or is bound to another group; ``ch``, ``num_layers``
            or ``init_gain`` is out of range or of the wrong type; on call,
            ``x.shape[-1] != rep_in.size()``.

    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import O
        >>> from emlp_core import V, Scalar
        >>> f = hk.without_apply_rng(hk.transform(lambda x: EMLP(2 * V, Scalar, O(5), ch=32)(x)))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((4, 10)))
        >>> f.apply(params, jnp.ones((4, 10))).shape
        (4, 1)
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch=384,
        num_layers: int = 3,
        init_gain: float = GATED_GAIN,
        name: str | None = None,
    ):
        super().__init__(name=name)
        if not isinstance(group, Group):
            raise TypeError(f"EMLP needs a groups.Group; got {type(group).__name__}.")
        num_layers = check_int(num_layers, "num_layers", "EMLP", minimum=0)
        self.init_gain = _check_gain(init_gain, "EMLP")
        self.rep_in = _bound(rep_in, group, "rep_in", "EMLP")
        self.rep_out = _bound(rep_out, group, "rep_out", "EMLP")
        self.hidden = _hidden_reps(ch, group, num_layers)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, self.rep_in, "EMLP")
        reps = [self.rep_in, *self.hidden]
        for k, (rep_in, rep_out) in enumerate(itertools.pairwise(reps)):
            x = EMLPBlock(rep_in, rep_out, init_gain=1.0 if k == 0 else self.init_gain)(x)
        gain = self.init_gain if len(reps) > 1 else 1.0
        return Linear(reps[-1], self.rep_out, init_gain=gain)(x)


class MLP(hk.Module):
    """Baseline multilayer perceptron with swish; the reps and group give only the shapes.

    ``num_layers`` hidden ``hk.Linear`` layers of width ``ch``, each followed by swish,
    then a linear output layer.

    Args:
        rep_in, rep_out: representations (bound to ``group`` here), each of size ``>= 1``.
        group: a `groups.Group`.
        ch: hidden width, a positive int.
        num_layers: number of hidden layers, ``>= 0`` (0: one linear map).

    Raises:
        TypeError: ``group`` is not a `groups.Group` or a rep not a `Rep`; on call, ``x``
            is not a real floating array (see `Linear`).
        ValueError: a rep has size 0 or is bound to another group; ``ch`` or
            ``num_layers`` is out of range or not an int; on call,
            ``x.shape[-1] != rep_in.size()``.
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
        if not isinstance(group, Group):
            raise TypeError(f"MLP needs a groups.Group; got {type(group).__name__}.")
        self.ch = check_int(ch, "ch", "MLP")
        self.num_layers = check_int(num_layers, "num_layers", "MLP", minimum=0)
        self.rep_in = _bound(rep_in, group, "rep_in", "MLP")
        self.rep_out = _bound(rep_out, group, "rep_out", "MLP")

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, self.rep_in, "MLP")
        for _ in range(self.num_layers):
            x = jax.nn.swish(hk.Linear(self.ch)(x))
        return hk.Linear(self.rep_out.size())(x)
