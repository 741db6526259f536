"""Haiku front-end of the permutation-hidden-layer MLPs of `layers.regular`."""

from __future__ import annotations

import haiku as hk
import jax

from emlp_core import Rep
from groups import Group
from layers import functional as F
from layers.haiku import _tree
from layers.regular import regular_mlp_apply, regular_mlp_init, regular_mlp_plan

__all__ = ["RegularMLP"]


class RegularMLP(hk.Module):
    """Equivariant MLP whose hidden layers G permutes, with a pointwise activation.

    ``linear_L(act(... act(linear_0(x))))`` with equivariant linear layers; with ``ch = m``
    every hidden layer is ``m`` copies of `layers.regular.universal_hidden_rep` (``V**k``
    with a regular orbit for a permutation group, the regular representation otherwise),
    universal for one hidden layer (Ravanbakhsh 2020). Parameters are created under
    ``"<module name>/linear_k"`` with the names and initial values of
    `layers.regular.regular_mlp_init` (drawn from ``hk.next_rng_key()``).

    Args:
        rep_in, rep_out: representations of ``group``.
        group: a `groups.Group`.
        ch: an int number of copies, a Rep acted on by permutations, or a sequence of
            ``num_layers`` of them.
        num_layers: number of hidden layers.
        activation: ``"relu"`` or ``"swish"``.
        name: the Haiku module's name (default ``"regular_mlp"``).

    Raises:
        As `layers.regular.regular_mlp_plan`; ValueError for an input of the wrong size.

    Example:
        >>> import jax, jax.numpy as jnp, haiku as hk
        >>> from groups import Z
        >>> from emlp_core import V
        >>> from layers.haiku import num_params
        >>> f = hk.without_apply_rng(hk.transform(lambda x: RegularMLP(V, V, Z(8), ch=2)(x)))
        >>> # Z(8) on 8 points is regular (k = 1): hidden 2*V; 2 x 8 + 2 + 2 x 8 + 1 parameters
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((3, 8)))
        >>> sorted(params), num_params(params), f.apply(params, jnp.ones((3, 8))).shape
        (['regular_mlp/linear_0', 'regular_mlp/linear_1'], 35, (3, 8))
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group: Group,
        ch=4,
        num_layers: int = 1,
        activation: str = "relu",
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.plan = regular_mlp_plan(rep_in, rep_out, group, ch, num_layers, activation)
        self.rep_in, self.rep_out = self.plan.rep_in, self.plan.rep_out
        self.hidden = list(self.plan.hidden)

    def num_params(self) -> int:
        """The number of trainable scalars."""
        return self.plan.num_params()

    def __call__(self, x: jax.Array) -> jax.Array:
        F.check_input(x, self.rep_in.size(), "RegularMLP", rep=f"rep_in = {self.rep_in!r}")
        plan = self.plan
        params = _tree(
            plan.param_specs(), lambda key: regular_mlp_init(plan, key, x.dtype), x.dtype
        )
        return regular_mlp_apply(plan, params, x)
