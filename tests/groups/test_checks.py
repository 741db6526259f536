"""`groups.checks`: one rule for integer, real, seed and flag arguments, in every package.

Tables of good and bad values for each helper (bools are never numbers, numpy scalars are
numbers, floats are never truncated to integers, NaN and infinities are not reals, bounds
are inclusive or exclusive as asked), then public entry points of each package refusing
and accepting the same values the same way.
"""

import math
import re
from fractions import Fraction

import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks.datasets import o5_synthetic
from discovery import SGDConfig, centralizer, discover_lie_algebra
from emlp_core import V
from emlp_core.fourier import real_fourier_basis
from groups import SO, Group, O
from groups.checks import check_bool, check_int, check_real, check_seed
from layers import core, equivariance_error, uniform_rep

# ----------------------------------------------------------------------------- integers
GOOD_INTEGERS = [
    (3, 3),
    (-2, -2),
    (0, 0),
    (10**30, 10**30),
    (np.int64(3), 3),
    (np.int8(-4), -4),
    (np.uint8(200), 200),
    (np.array(5), 5),  # a 0-d integer array, e.g. what np.sum of an int array is
]

NOT_INTEGERS = [
    True,
    False,
    np.True_,
    np.array(True),
    2.0,
    np.float64(2.0),
    np.array(2.0),
    2.5,
    3 + 0j,
    "3",
    b"3",
    None,
    [3],
    (3,),
    np.array([3]),
    Fraction(3, 1),
]


@pytest.mark.parametrize("value, expected", GOOD_INTEGERS)
def test_integers_are_accepted_and_returned_as_plain_ints(value, expected):
    result = check_int(value, "n")
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", NOT_INTEGERS, ids=repr)
def test_non_integers_are_a_type_error_naming_argument_value_and_expectation(value):
    with pytest.raises(TypeError) as raised:
        check_int(value, "n_samples", minimum=1)
    message = str(raised.value)
    assert message.startswith("n_samples must be an integer >= 1; got ")
    assert type(value).__name__ in message or value is None


@pytest.mark.parametrize(
    "value, bounds, expected",
    [
        (1, {"minimum": 1}, "an integer >= 1"),
        (5, {"maximum": 5}, "an integer <= 5"),
        (1, {"minimum": 1, "maximum": 5}, "an integer in [1, 5]"),
        (5, {"minimum": 1, "maximum": 5}, "an integer in [1, 5]"),
    ],
)
def test_integer_bounds_are_inclusive(value, bounds, expected):
    assert check_int(value, "n", **bounds) == value
    outside = value - 1 if "minimum" in bounds and value == bounds["minimum"] else value + 1
    with pytest.raises(ValueError, match=re.escape(f"n must be {expected}; got {outside}.")):
        check_int(outside, "n", **bounds)


def test_integer_messages_are_exact():
    with pytest.raises(ValueError) as raised:
        check_int(0, "n_samples", minimum=1)
    assert str(raised.value) == "n_samples must be an integer >= 1; got 0."
    with pytest.raises(TypeError) as raised:
        check_int(True, "ch", minimum=1, where="EMLP")
    assert str(raised.value) == "EMLP: ch must be an integer >= 1; got bool True."
    with pytest.raises(TypeError) as raised:
        check_int(np.float32(2.0), "limit")
    assert str(raised.value) == "limit must be an integer; got float32 2.0."


def test_optional_integers_accept_none_and_say_so():
    assert check_int(None, "arity", minimum=1, optional=True) is None
    with pytest.raises(ValueError, match=re.escape("arity must be an integer >= 1 or None")):
        check_int(0, "arity", minimum=1, optional=True)
    with pytest.raises(TypeError, match="got None"):
        check_int(None, "arity", minimum=1)


# -------------------------------------------------------------------------------- reals
GOOD_REALS = [
    (0.5, 0.5),
    (1, 1.0),
    (np.int64(2), 2.0),
    (np.float32(0.25), 0.25),
    (np.float16(0.5), 0.5),
    (np.array(0.75), 0.75),
    (Fraction(1, 4), 0.25),
    (-1e300, -1e300),
]

NOT_REALS = [
    True,
    False,
    np.True_,
    1j,
    np.complex128(1.0),
    np.array(1.0 + 0j),
    "0.5",
    None,
    [0.5],
    np.array([0.5]),
    np.array(True),
]

NOT_FINITE = [math.nan, math.inf, -math.inf, np.float32("nan"), np.float64("-inf"), 10**400]


@pytest.mark.parametrize("value, expected", GOOD_REALS)
def test_reals_are_accepted_and_returned_as_plain_floats(value, expected):
    result = check_real(value, "x")
    assert result == expected and type(result) is float


@pytest.mark.parametrize("value", NOT_REALS, ids=repr)
def test_non_reals_are_a_type_error(value):
    with pytest.raises(TypeError, match=r"^tol must be a finite real number in \(0, 1\); got "):
        check_real(value, "tol", above=0, below=1)


@pytest.mark.parametrize("value", NOT_FINITE, ids=repr)
def test_nan_and_infinities_are_a_value_error(value):
    with pytest.raises(
        ValueError, match=r"^scale must be a finite real number; got (nan|-?inf)\.$"
    ):
        check_real(value, "scale")


@pytest.mark.parametrize(
    "bounds, inside, outside, expected",
    [
        ({"above": 0}, [1e-300, 5.0], [0, -1.0], "> 0"),
        ({"minimum": 0}, [0, 0.0, 5.0], [-1e-300], ">= 0"),
        ({"below": 1}, [0.999, -5.0], [1, 1.5], "< 1"),
        ({"maximum": 1}, [1, -5.0], [1.000001], "<= 1"),
        ({"above": 0, "below": 1}, [0.5, 1e-12], [0, 1, 2.0], "in (0, 1)"),
        ({"minimum": 0, "below": 1}, [0, 0.999], [-0.1, 1], "in [0, 1)"),
        ({"minimum": 0, "maximum": 1}, [0, 1], [-0.1, 1.1], "in [0, 1]"),
    ],
)
def test_real_bounds_are_inclusive_or_exclusive_as_asked(bounds, inside, outside, expected):
    for value in inside:
        assert check_real(value, "x", **bounds) == value
    for value in outside:
        message = f"x must be a finite real number {expected}; got {float(value)!r}."
        with pytest.raises(ValueError, match=re.escape(message)):
            check_real(value, "x", **bounds)


def test_real_options():
    assert check_real(None, "tol", above=0, optional=True) is None
    with pytest.raises(
        TypeError, match=re.escape("tol must be a finite real number > 0; got None")
    ):
        check_real(None, "tol", above=0)
    with pytest.raises(ValueError) as raised:
        check_real(-1, "init_gain", above=0, where="Linear", hint=" (e.g. 1.0)")
    assert (
        str(raised.value)
        == "Linear: init_gain must be a finite real number > 0 (e.g. 1.0); got -1.0."
    )
    with pytest.raises(ValueError, match="at most one lower bound"):
        check_real(0.5, "x", minimum=0, above=0)
    with pytest.raises(ValueError, match="at most one lower bound and one upper bound"):
        check_real(0.5, "x", maximum=1, below=1)


# ---------------------------------------------------------------------- seeds and flags
def test_seeds_are_integers_from_zero():
    assert check_seed(0) == 0 and check_seed(np.uint64(2**63)) == 2**63
    for value in (True, 1.0, "1", None):
        with pytest.raises(TypeError, match=r"^seed must be an integer >= 0; got "):
            check_seed(value)
    with pytest.raises(ValueError) as raised:
        check_seed(-1, "key_seed", where="fit")
    assert str(raised.value) == "fit: key_seed must be an integer >= 0; got -1."


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (np.True_, True)])
def test_flags_accept_only_bools(value, expected):
    result = check_bool(value, "strict")
    assert result is expected


@pytest.mark.parametrize("value", [1, 0, None, "yes", np.array(True), np.int64(1), 1.0])
def test_flags_refuse_numbers_and_strings(value):
    with pytest.raises(TypeError, match=r"^strict must be True or False; got "):
        check_bool(value, "strict")


# ------------------------------------------------------------ the rule across packages
def _norm(x):
    return jnp.sum(x**2)


REFUSE_TRUE_AS_AN_INTEGER = {
    "groups.SO(n)": lambda value: SO(value),
    "Group.samples(n)": lambda value: O(2).samples(value),
    "emlp_core real_fourier_basis(p)": lambda value: real_fourier_basis(value),
    "layers.uniform_rep(ch)": lambda value: uniform_rep(value, O(3)),
    "layers MLP plan ch": lambda value: core.mlp_plan(V, V, SO(3), ch=value, num_layers=1),
    "layers equivariance_error(batch)": lambda value: equivariance_error(
        lambda x: x, V(SO(3)), V(SO(3)), n_samples=1, batch=value
    ),
    "discovery d": lambda value: discover_lie_algebra(_norm, value),
    "discovery SGDConfig(steps)": lambda value: SGDConfig(steps=value),
    "benchmarks dataset size": lambda value: o5_synthetic(value),
}


@pytest.mark.parametrize("call", REFUSE_TRUE_AS_AN_INTEGER.values(), ids=REFUSE_TRUE_AS_AN_INTEGER)
def test_every_package_refuses_bool_and_float_integers_with_a_type_error(call):
    for value in (True, 3.0):
        with pytest.raises(TypeError, match=r"must be an integer >= 1; got (bool True|float 3\.0)"):
            call(value)
    with pytest.raises(ValueError, match=r"must be an integer >= 1; got 0\."):
        call(0)


def test_every_package_accepts_numpy_integers_as_ints():
    assert SO(np.int64(3)) == SO(3)
    assert O(2).samples(np.int64(3), seed=np.int64(1)).shape == (3, 2, 2)
    assert V ** np.int64(2) == V**2
    assert uniform_rep(np.int64(8), O(3)) == uniform_rep(8, O(3))
    assert uniform_rep(jnp.array(8), O(3)) == uniform_rep(8, O(3))  # a JAX scalar
    assert core.mlp_plan(V, V, SO(3), ch=np.int64(4), num_layers=1).widths == (3, 4, 3)
    plan = core.emlp_plan(V, V, O(3), ch=jnp.array(8), num_layers=np.int64(1))
    assert len(plan.blocks) == 1 and plan.blocks[0].rep_out == uniform_rep(8, O(3))
    assert discover_lie_algebra(_norm, np.int64(3), n_samples=np.int32(18)).dim == 3
    config = SGDConfig(steps=np.int64(10), learning_rate=np.float32(0.5))
    assert type(config.steps) is int and config.steps == 10
    assert type(config.learning_rate) is float and config.learning_rate == 0.5
    assert o5_synthetic(np.int64(3)).x.shape == (3, 10)


REFUSE_TRUE_AS_A_REAL = {
    "Group(closure_tol)": lambda value: Group(SO(2).lie_algebra, closure_tol=value),
    "Group.samples(scale)": lambda value: O(2).samples(2, scale=value),
    "layers init_gain": lambda value: core.block_plan(V(SO(2)), V(SO(2)), init_gain=value),
    "discovery centralizer(tol)": lambda value: centralizer(SO(3), np.eye(3), tol=value),
    "discovery(tol)": lambda value: discover_lie_algebra(_norm, 3, tol=value),
}


@pytest.mark.parametrize("call", REFUSE_TRUE_AS_A_REAL.values(), ids=REFUSE_TRUE_AS_A_REAL)
def test_every_package_refuses_bools_strings_and_nan_as_reals(call):
    for value in (True, "0.5"):
        with pytest.raises(TypeError, match=r"must be a finite real number.*; got (bool|str)"):
            call(value)
    with pytest.raises(ValueError, match=r"must be a finite real number.*; got nan\."):
        call(math.nan)
    call(np.float32(1e-6))  # numpy reals are fine
