"""Framework-free equivariant MLPs with hidden layers acted on by permutations.

Ravanbakhsh (ICML 2020, "Universal Equivariant Multilayer Perceptrons", arXiv 2002.02912):
a one-hidden-layer G-equivariant MLP is universal when G acts *regularly* on its hidden
layer, and a pointwise nonlinearity is equivariant on any hidden layer whose coordinates
G permutes. For a permutation group on ``d`` points, ``V^{⊗k}`` is such a layer, universal
once it contains a regular orbit of basis tuples (`regular_hidden_order`); any finite group
has its regular representation (`emlp_core.RegularRep`).

The network is ``linear_L(act(... act(linear_0(x))))``: equivariant linear maps
(`layers.bases.linear_basis`, `layers.functional.linear`) between ``rep_in``, the hidden
representations and ``rep_out``, and a pointwise ``act`` (``"relu"`` or ``"swish"``)
after every hidden layer. `regular_mlp_plan` refuses a hidden representation whose
generators are not (unsigned) permutation matrices, since ``act(P x) = P act(x)`` holds for
a permutation ``P`` only (a sign flip would need an odd ``act``; a rotation breaks it).
``rep_in`` and ``rep_out`` are arbitrary.

Parameter trees are ``{"linear_k": {name: array}}``, ``k = 0..num_layers`` (the last is
the output layer), names as `layers.bases.LinearBasis.parameter_specs`. Layer ``k`` draws
from ``fold_in(key, k)`` with `layers.functional.init_params`; layers fed by a ReLU get
gain 2 (He: ReLU keeps half the second moment of a symmetric preactivation), by swish
`SWISH_GAIN`, the first layer gain 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import RegularRep, Rep, V
from groups import Group, GroupElement, min_regular_order
from groups.checks import check_int
from layers import functional as F
from layers.bases import linear_basis

__all__ = [
    "ACTIVATIONS",
    "RegularMLPPlan",
    "check_permutation_rep",
    "regular_hidden_order",
    "universal_hidden_rep",
    "regular_mlp_plan",
    "regular_mlp_init",
    "regular_mlp_apply",
]

_LAYER = "RegularMLP"

ACTIVATIONS = {"relu": jax.nn.relu, "swish": jax.nn.swish}
"""Pointwise activations by name."""

SWISH_GAIN = 1.0 / 0.36
"""Init gain after swish, which keeps about 0.36 of a unit-normal's second moment."""

_GAINS = {"relu": 2.0, "swish": SWISH_GAIN}


def check_permutation_rep(rep: Rep, name: str = "hidden rep", where: str = _LAYER) -> None:
    """Raises ValueError unless the group acts on ``rep``'s coordinates by permutations.

    Checked on the generators (their images generate the image of the group, so every
    ``rho(g)`` is then a permutation matrix): every discrete generator's ``rho`` is a 0/1
    permutation matrix and every Lie-algebra generator's ``drho`` is zero.

    Raises:
        TypeError: ``rep`` is not a bound `Rep`.
        ValueError: some generator does not act by a permutation (e.g. ``V`` of ``SO(2)``
            or of the built-in ``D(4)`` on ``R^2``, or a signed permutation).

    Example:
        >>> from groups import D, S
        >>> check_permutation_rep(V(S(4)) ** 2)  # S(4) permutes pairs of points
        >>> check_permutation_rep(V(D(4)))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: RegularMLP: hidden rep V(D(4)) is not acted on by permutations ...
    """
    if not isinstance(rep, Rep) or not isinstance(rep.group, Group):
        raise TypeError(f"{where}: {name} must be a bound Rep; got {rep!r}.")
    group = rep.group
    bad = None
    for k in range(group.num_discrete_generators):
        m = rep.rho(GroupElement.generator(group, k))
        if not (np.all((m == 0) | (m == 1)) and np.all(m.sum(0) == 1) and np.all(m.sum(1) == 1)):
            bad = f"discrete generator {k} maps to a matrix that is not a 0/1 permutation"
            break
    if bad is None:
        for k in range(group.lie_dimension):
            if np.any(rep.drho(np.eye(group.lie_dimension)[k]) != 0):
                bad = f"Lie-algebra generator {k} acts by a nonzero matrix (a continuous action)"
                break
    if bad is not None:
        raise ValueError(
            f"{where}: {name} {rep!r} is not acted on by permutations of its coordinates "
            f"({bad}), so a pointwise nonlinearity would break equivariance; use a regular "
            f"representation (emlp_core.RegularRep) or V**k of a permutation group "
            f"(universal_hidden_rep)."
        )


def regular_hidden_order(group: Group) -> int:
    """The least ``k`` such that ``V^{⊗k}`` of a permutation group contains a regular orbit.

    Then a hidden layer ``V^{⊗k}`` with a pointwise nonlinearity gives a universal
    equivariant MLP (Ravanbakhsh 2020); this is `groups.bases.min_regular_order`, the
    minimal base size.

    Raises:
        TypeError: ``group`` is not a Group.
        ValueError: the group does not act on ``V`` by permutations (use
            `emlp_core.RegularRep` instead), or is too large to enumerate.

    Example:
        >>> from groups import S, Z
        >>> regular_hidden_order(S(4)), regular_hidden_order(Z(8))  # S(4): pairs are not enough
        (3, 1)
    """
    return min_regular_order(group)


def universal_hidden_rep(group: Group, copies: int = 1, kind: str = "auto") -> Rep:
    """``copies`` copies of a hidden representation on which ``group`` acts with a regular orbit.

    Args:
        group: a finite `groups.Group`.
        copies: integer ``>= 1``.
        kind: ``"tensor"``: ``V**k`` with ``k = regular_hidden_order(group)`` (a permutation
            group only); ``"regular"``: `emlp_core.RegularRep`; ``"auto"``: ``"tensor"``
            for a permutation group, else ``"regular"``.

    Returns:
        A bound representation whose coordinates the group permutes.

    Raises:
        TypeError: ``group`` is not a Group or ``copies`` not an integer.
        ValueError: ``copies < 1``, an unknown ``kind``, ``"tensor"`` for a group not
            acting by permutations, or a group that is not finite or too large.

    Example:
        >>> from groups import D, S
        >>> universal_hidden_rep(S(3), copies=2)  # S(3) on 3 points: k = 2
        (2*V**2)(S(3))
        >>> universal_hidden_rep(D(4)).size()  # D(4) on R^2: the regular representation
        8
    """
    if not isinstance(group, Group):
        raise TypeError(f"universal_hidden_rep needs a groups.Group; got {type(group).__name__}.")
    copies = check_int(copies, "copies", minimum=1, where="universal_hidden_rep")
    if kind not in ("auto", "tensor", "regular"):
        raise ValueError(
            f"universal_hidden_rep: kind must be 'auto', 'tensor' or 'regular'; got {kind!r}."
        )
    if kind == "tensor" or (kind == "auto" and group.is_permutation):
        atom = V ** regular_hidden_order(group)
    else:
        atom = RegularRep(group)
    return (copies * atom)(group) if copies > 1 else atom(group)


@dataclass(frozen=True, eq=False)
class RegularMLPPlan:
    """Linear layers between ``rep_in``, the hidden reps and ``rep_out``; an activation.

    Built by `regular_mlp_plan`, which checks that the hidden reps are permutation
    representations; constructing it directly skips that check.
    """

    rep_in: Rep
    rep_out: Rep
    hidden: tuple
    linears: tuple
    gains: tuple
    activation: str

    def param_specs(self) -> list[tuple[str, str, tuple]]:
        """``(scope, name, shape)`` of every parameter, in tree order."""
        return [
            (f"linear_{k}", n, s)
            for k, (basis, gain) in enumerate(zip(self.linears, self.gains, strict=True))
            for n, s, _ in basis.parameter_specs(gain)
        ]

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, _, shape in self.param_specs()))


def _bind(rep, group: Group, name: str) -> Rep:
    if not isinstance(rep, Rep):
        raise TypeError(f"{_LAYER}: {name} must be a Rep; got {type(rep).__name__}.")
    rep = rep(group)
    if rep.size() < 1:
        raise ValueError(f"{_LAYER}: {name} = {rep!r} has size 0.")
    return rep


def _hidden_reps(ch, group: Group, num_layers: int) -> list[Rep]:
    def one(c, name):
        if isinstance(c, Rep):
            rep = _bind(c, group, name)
            check_permutation_rep(rep, name)
            return rep
        return universal_hidden_rep(group, check_int(c, name, minimum=1, where=_LAYER))

    if isinstance(ch, Sequence) and not isinstance(ch, (str, Rep)):
        if len(ch) != num_layers:
            raise ValueError(
                f"{_LAYER}: ch must be an int, a Rep, or a sequence of num_layers = "
                f"{num_layers} of them; got a sequence of {len(ch)}."
            )
        return [one(c, f"ch[{k}]") for k, c in enumerate(ch)]
    return [one(ch, "ch")] * num_layers


def regular_mlp_plan(
    rep_in: Rep,
    rep_out: Rep,
    group: Group,
    ch=4,
    num_layers: int = 1,
    activation: str = "relu",
) -> RegularMLPPlan:
    """The plan of an equivariant MLP with permutation hidden layers and pointwise ``act``.

    Args:
        rep_in, rep_out: any representations of ``group`` (bound here).
        group: a `groups.Group`; finite unless every hidden rep is given and permutational.
        ch: hidden layers: an int ``m`` (``universal_hidden_rep(group, m)``: ``m`` copies of
            ``V**k`` for a permutation group, of ``RegularRep(group)`` otherwise), a `Rep`
            acted on by permutations, or a sequence of ``num_layers`` of them.
        num_layers: number of hidden layers, ``>= 0`` (0: one linear layer).
        activation: ``"relu"`` or ``"swish"``.

    Raises:
        TypeError: a non-Group ``group``, non-Rep reps, non-integer ``ch``/``num_layers``.
        ValueError: a hidden rep not acted on by permutations (`check_permutation_rep`),
            an unknown activation, a wrong number of hidden reps, ``ch < 1``.

    Example:
        >>> from groups import D
        >>> from emlp_core import V, Scalar
        >>> plan = regular_mlp_plan(V, Scalar, D(4), ch=3)  # hidden: 3 copies of Reg[D(4)]
        >>> [h.size() for h in plan.hidden], plan.num_params()
        ([24], 13)
        >>> params = regular_mlp_init(plan, jax.random.PRNGKey(0))
        >>> regular_mlp_apply(plan, params, jnp.ones((5, 2))).shape
        (5, 1)
    """
    if not isinstance(group, Group):
        raise TypeError(f"{_LAYER} needs a groups.Group; got {type(group).__name__}.")
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{_LAYER}: activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}."
        )
    num_layers = check_int(num_layers, "num_layers", minimum=0, where=_LAYER)
    rep_in = _bind(rep_in, group, "rep_in")
    rep_out = _bind(rep_out, group, "rep_out")
    hidden = _hidden_reps(ch, group, num_layers)
    reps = [rep_in, *hidden, rep_out]
    linears = tuple(linear_basis(a, b) for a, b in itertools.pairwise(reps))
    gains = (1.0,) + (_GAINS[activation],) * num_layers
    return RegularMLPPlan(rep_in, rep_out, tuple(hidden), linears, gains, activation)


def regular_mlp_init(plan: RegularMLPPlan, key: jax.Array, dtype=jnp.float32) -> dict:
    """``{"linear_k": {...}}``; layer ``k`` from ``fold_in(key, k)`` (`F.init_params`)."""
    return {
        f"linear_{k}": F.init_params(basis, jax.random.fold_in(key, k), dtype, gain)
        for k, (basis, gain) in enumerate(zip(plan.linears, plan.gains, strict=True))
    }


def regular_mlp_apply(plan: RegularMLPPlan, params, x: jax.Array) -> jax.Array:
    """``(..., rep_in.size()) -> (..., rep_out.size())``; ``act`` after every hidden layer."""
    F.check_input(x, plan.rep_in.size(), _LAYER, rep=f"rep_in = {plan.rep_in!r}")
    act = ACTIVATIONS[plan.activation]
    last = len(plan.linears) - 1
    for k, basis in enumerate(plan.linears):
        x = F.compiled(F.linear, basis)(params.get(f"linear_{k}", {}), x)
        if k < last:
            x = act(x)
    return x
