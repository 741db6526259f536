"""Equivariant MLPs with permutation (regular / V**k) hidden layers and pointwise activations."""

from __future__ import annotations

import itertools
import math

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import CosetRep, RegularRep, Scalar, V
from groups import SO, Alt, D, Group, S, Trivial, Z, element_table
from layers import assert_equivariant
from layers.bases import linear_basis
from layers.regular import (
    RegularMLPPlan,
    check_permutation_rep,
    regular_hidden_order,
    regular_mlp_apply,
    regular_mlp_init,
    regular_mlp_plan,
    universal_hidden_rep,
)
from layers.regular_haiku import RegularMLP


def permutation_group(d: int, *cycles_per_generator) -> Group:
    """A permutation group on ``d`` points from generators given as image lists."""
    mats = []
    for images in cycles_per_generator:
        m = np.zeros((d, d))
        m[images, np.arange(d)] = 1.0
        mats.append(m)
    return Group(discrete_generators=np.stack(mats))


D4_POINTS = permutation_group(4, [1, 2, 3, 0], [0, 3, 2, 1])  # square's symmetries on corners


def _random_params(plan, dtype="float32", seed=0):
    """Every parameter N(0, 1), biases included (numpy: no compilation per shape)."""
    rng = np.random.default_rng(seed)
    tree: dict = {}
    for scope, name, shape in plan.param_specs():
        tree.setdefault(scope, {})[name] = rng.normal(size=shape).astype(dtype)
    return tree


def _check(f, rep_in, rep_out, group, dtype):
    x = np.random.default_rng(1).normal(size=(6, rep_in(group).size())).astype(dtype)
    rtol = 1e-10 if dtype == "float64" else 1e-5
    return assert_equivariant(f, rep_in, rep_out, group, x=x, rtol=rtol)


CASES = {
    # (group, rep_in, rep_out, ch): hidden V**k (auto), the regular rep, a non-permutation input
    "D4_points_tensor": (D4_POINTS, V, V, 2),
    "D4_points_regular": (D4_POINTS, V + Scalar, Scalar, RegularRep(D4_POINTS)),
    "Z8": (Z(8), V, V**2, 2),
    "C8_regular": (Z(8), V, V, 2 * RegularRep(Z(8))),
    "D4_on_R2": (D(4), V, V, 2),  # D(4) rotates R^2; the hidden layer is Reg[D(4)]
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_relu_model_is_equivariant(case, dtype):
    G, rep_in, rep_out, ch = CASES[case]
    with jax.enable_x64(dtype == "float64"):
        plan = regular_mlp_plan(rep_in, rep_out, G, ch=ch)
        params = _random_params(plan, dtype)
        apply = jax.jit(lambda x: regular_mlp_apply(plan, params, x))  # one program
        assert apply(jnp.ones((6, rep_in(G).size()), dtype)).dtype == jnp.dtype(dtype)
        _check(apply, rep_in, rep_out, G, dtype)


def test_core_swish_two_layers_and_haiku_agree():
    G = D4_POINTS
    plan = regular_mlp_plan(V, Scalar, G, ch=[1, RegularRep(G)], num_layers=2, activation="swish")
    assert [h.size() for h in plan.hidden] == [16, 8]  # V**2 (k = 2), then Reg
    params = _random_params(plan, seed=3)
    _check(lambda x: regular_mlp_apply(plan, params, x), V, Scalar, G, "float32")
    f = hk.without_apply_rng(
        hk.transform(
            lambda x: RegularMLP(
                V, Scalar, G, ch=[1, RegularRep(G)], num_layers=2, activation="swish"
            )(x)
        )
    )
    x = jnp.asarray(np.random.default_rng(0).normal(size=(3, 4)), jnp.float32)
    hk_params = f.init(jax.random.PRNGKey(3), x)
    # same key, same values: Haiku hands the model split(key)[1]
    core_params = regular_mlp_init(plan, jax.random.split(jax.random.PRNGKey(3))[1])
    for k in range(3):
        for name, value in core_params[f"linear_{k}"].items():
            np.testing.assert_array_equal(hk_params[f"regular_mlp/linear_{k}"][name], value)


def _unchecked_plan(group, hidden, activation="relu"):
    """A plan built without `regular_mlp_plan`'s permutation check."""
    reps = [V(group), hidden, V(group)]
    linears = tuple(linear_basis(a, b) for a, b in itertools.pairwise(reps))
    return RegularMLPPlan(reps[0], reps[-1], (hidden,), linears, (1.0, 2.0), activation)


@pytest.mark.parametrize("group", [D(4), SO(2)], ids=["D4_on_R2", "SO2"])
def test_pointwise_relu_on_a_rotated_hidden_layer_is_caught(group):
    hidden = (3 * V)(group)
    with pytest.raises(ValueError, match="not acted on by permutations"):
        regular_mlp_plan(V, V, group, ch=hidden)
    plan = _unchecked_plan(group, hidden)
    params = _random_params(plan)
    with pytest.raises(AssertionError, match="not equivariant"):
        _check(lambda x: regular_mlp_apply(plan, params, x), V, V, group, "float32")


def test_the_same_unchecked_path_passes_with_a_permutation_hidden_layer():
    # control for the test above: the unchecked plan itself is not what breaks equivariance
    group = D4_POINTS
    plan = _unchecked_plan(group, (3 * V)(group))
    params = _random_params(plan)
    _check(lambda x: regular_mlp_apply(plan, params, x), V, V, group, "float32")


def test_bad_inputs_are_refused():
    signed = CosetRep(S(3), S(3), kernel=Alt(3))  # the sign representation: -1 entries
    with pytest.raises(ValueError, match="not acted on by permutations"):
        check_permutation_rep(signed)
    with pytest.raises(ValueError, match=r"ch\[1\].*not acted on by permutations"):
        regular_mlp_plan(V, V, S(3), ch=[2, signed], num_layers=2)
    with pytest.raises(ValueError, match="not acted on by permutations"):
        regular_mlp_plan(V, V, D(4), ch=V)  # built-in D(4) acts on R^2 by rotations
    with pytest.raises(ValueError, match="activation"):
        regular_mlp_plan(V, V, Z(4), activation="tanh")
    with pytest.raises(ValueError, match="sequence of num_layers = 2"):
        regular_mlp_plan(V, V, Z(4), ch=[1], num_layers=2)
    with pytest.raises(ValueError, match="permutation"):
        universal_hidden_rep(D(4), kind="tensor")
    with pytest.raises(ValueError, match="kind"):
        universal_hidden_rep(Z(4), kind="orbits")
    with pytest.raises(ValueError, match="permutation"):
        regular_hidden_order(SO(3))
    with pytest.raises(TypeError, match="Group"):
        regular_mlp_plan(V, V, "Z(4)")
    with pytest.raises(ValueError, match=r"inputs \(\.\.\., 4\)"):
        plan = regular_mlp_plan(V, V, Z(4), ch=1)
        regular_mlp_apply(plan, regular_mlp_init(plan, jax.random.PRNGKey(0)), jnp.ones((2, 3)))
    check_permutation_rep((V**2 + Scalar)(S(3)))  # a permutation rep passes
    check_permutation_rep(Scalar(SO(3)))  # a Lie group acting trivially: permutes nothing


def _brute_force_order(group) -> int:
    """Least k with a k-tuple of points whose pointwise stabiliser is trivial."""
    moves = np.argmax(element_table(group).matrices, axis=1)  # [g, i]: image of point i
    for k in range(group.d + 1):
        for points in itertools.product(range(group.d), repeat=k):
            if int(np.all(moves[:, list(points)] == list(points), axis=1).sum()) == 1:
                return k
    raise AssertionError("no base")


@pytest.mark.parametrize(
    "group, expected",
    [(Z(8), 1), (D4_POINTS, 2), (S(3), 2), (S(4), 3), (Alt(4), 2), (Trivial(3), 0)],
)
def test_regular_hidden_order_against_brute_force(group, expected):
    k = regular_hidden_order(group)
    assert k == expected == _brute_force_order(group)
    hidden = universal_hidden_rep(group)
    assert hidden.size() == group.d**k
    # V**k holds a regular orbit: a basis tuple moved by every non-identity element
    moves = np.argmax(element_table(group).matrices, axis=1)
    assert group.order() in _orbit_sizes(moves, k)
    if k:
        assert all(s < group.order() for s in _orbit_sizes(moves, k - 1))


def _orbit_sizes(moves, k):
    return {
        len({tuple(moves[g, list(t)]) for g in range(len(moves))})
        for t in itertools.product(range(moves.shape[1]), repeat=k)
    }


def test_parameter_count_matches_the_tree():
    G, rep_in, rep_out, ch = CASES["D4_points_tensor"]
    plan = regular_mlp_plan(rep_in, rep_out, G, ch=ch, num_layers=2)
    key, x = jax.random.PRNGKey(0), jnp.ones((1, rep_in(G).size()))

    def size(tree):  # shapes only: traced by eval_shape, nothing compiled
        return sum(math.prod(leaf.shape) for leaf in jax.tree_util.tree_leaves(tree))

    params = jax.eval_shape(lambda k: regular_mlp_init(plan, k), key)
    assert size(params) == plan.num_params() > 0
    assert sorted(params) == ["linear_0", "linear_1", "linear_2"]
    f = hk.transform(lambda x: RegularMLP(rep_in, rep_out, G, ch=ch, num_layers=2)(x))
    assert size(jax.eval_shape(f.init, key, x)) == plan.num_params()
    # by hand: sum over layers of sum_blocks copies_out * copies_in * rank + bias ranks
    by_hand = sum(
        basis.outputs.types[b].multiplicity * basis.inputs.types[a].multiplicity * block.rank
        for basis in plan.linears
        for (b, a), block in basis.blocks.items()
    ) + sum(
        basis.outputs.types[b].multiplicity * U.shape[1]
        for basis in plan.linears
        for b, U in basis.biases.items()
    )
    assert by_hand == plan.num_params()
