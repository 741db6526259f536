"""Bad input to `groups` and `discovery` fails early with a clear TypeError or ValueError.

One table of ``(id, call, expected exception, message fragment)``: each call must raise
that exception (not a subclass from deep inside numpy or jax) with a message that names
the argument, what was received, and what was expected. Every case fails before any
large allocation, so the whole table runs in a few seconds.
"""

import re

import jax.numpy as jnp
import numpy as np
import pytest

from discovery import (
    DiscoveryResult,
    annihilator,
    centralizer,
    discover_lie_algebra,
    identify,
    to_group,
)
from groups import (
    SO,
    SU,
    Embed,
    Group,
    O,
    Opq,
    S,
    Z,
    ZksZnxZn,
    algebra_rank,
    closure_residual,
    direct_product,
    killing_signature,
)

ROTATION = np.array([[[0.0, -1.0], [1.0, 0.0]]])
TWO_OF_SO3 = SO(3).lie_algebra[:2]  # [L_x, L_y] = L_z is missing: not a Lie algebra


def norm(x):
    return jnp.sum(x**2)


def _failed_result():
    """A failed sgd run that learned two generators of so(3) (closure error 0.71)."""
    algebra = TWO_OF_SO3 / np.sqrt(2.0)
    return DiscoveryResult(
        algebra=algebra,
        method="sgd",
        success=False,
        message="no 2-dimensional algebra",
        closure_error=closure_residual(algebra),
    )


CASES = [
    # ---------------------------------------------------------------- Group(...) itself
    (
        "group-numeric-string-array",
        lambda: Group(lie_algebra=np.array([[["0", "1"], ["-1", "0"]]])),
        TypeError,
        "lie_algebra must be an array of real matrices with shape (k, d, d); got strings",
    ),
    (
        "group-numeric-string-lists",
        lambda: Group(discrete_generators=[[["0", "1"], ["1", "0"]]]),
        TypeError,
        "discrete_generators must be an array of real matrices",
    ),
    (
        "group-complex-generator",
        lambda: Group(lie_algebra=1j * ROTATION),
        TypeError,
        "complex array of shape (1, 2, 2) with non-zero imaginary parts",
    ),
    (
        "group-single-matrix",
        lambda: Group(lie_algebra=ROTATION[0]),
        ValueError,
        "got shape (2, 2) (wrap a single matrix A as [A])",
    ),
    ("group-no-generators", lambda: Group(), ValueError, "Group needs lie_algebra (D, d, d)"),
    (
        "group-nan",
        lambda: Group(lie_algebra=np.full((1, 2, 2), np.nan)),
        ValueError,
        "lie_algebra contains non-finite values",
    ),
    (
        "group-singular-discrete-generator",
        lambda: Group(discrete_generators=[np.zeros((2, 2))]),
        ValueError,
        "discrete_generators[0] is singular (rank 0 < d = 2)",
    ),
    (
        "group-dimensions-disagree",
        lambda: Group(lie_algebra=ROTATION, discrete_generators=[np.eye(3)]),
        ValueError,
        "both must act on the same R^d",
    ),
    (
        "group-strict-not-closing",
        lambda: Group(lie_algebra=TWO_OF_SO3, strict=True),
        ValueError,
        "does not close under the commutator: relative residual 7.07e-01",
    ),
    (
        "group-closure-tol-string",
        lambda: Group(lie_algebra=ROTATION, closure_tol="1e-3"),
        TypeError,
        "closure_tol must be a finite real number > 0; got str '1e-3'",
    ),
    # -------------------------------------------------------- built-in constructor sizes
    ("SO(0)", lambda: SO(0), ValueError, "SO: n must be an integer >= 1; got 0"),
    ("S(-1)", lambda: S(-1), ValueError, "S: n must be an integer >= 1; got -1"),
    ("Z(1.5)", lambda: Z(1.5), TypeError, "Z: n must be an integer >= 1; got float 1.5"),
    ("O(True)", lambda: O(True), TypeError, "O: n must be an integer >= 1; got bool True"),
    ("SU('3')", lambda: SU("3"), TypeError, "SU: n must be an integer >= 1; got str '3'"),
    (
        "SO(10**6)-too-large",
        lambda: SO(10**6),
        ValueError,
        "SO(n) with n = 1000000 needs 499999500000 dense generators (1000000, 1000000)",
    ),
    (
        "Opq(-1,2)",
        lambda: Opq(-1, 2),
        ValueError,
        "the signature (p, q): p must be an integer >= 0; got -1",
    ),
    (
        "ZksZnxZn(3,4)",
        lambda: ZksZnxZn(3, 4),
        ValueError,
        "needs k in (1, 2, 4), the rotations of a square grid; got k = 3",
    ),
    # ------------------------------------------------------------------------- samples
    (
        "samples-negative-seed",
        lambda: SO(3).samples(2, seed=-1),
        ValueError,
        "samples: seed must be an integer >= 0; got -1",
    ),
    (
        "samples-float-seed",
        lambda: SO(3).samples(2, seed=1.5),
        TypeError,
        "samples: seed must be an integer >= 0; got float 1.5",
    ),
    ("samples-n-0", lambda: SO(3).samples(0), ValueError, "samples: n must be an integer >= 1"),
    (
        "samples-n-negative",
        lambda: SO(3).samples(-3),
        ValueError,
        "samples: n must be an integer >= 1; got -3",
    ),
    (
        "samples-n-float",
        lambda: SO(3).samples(2.0),
        TypeError,
        "samples: n must be an integer >= 1; got float 2.0",
    ),
    (
        "samples-negative-scale",
        lambda: SO(3).samples(2, scale=-1.0),
        ValueError,
        "samples: scale must be a finite real number >= 0; got -1.0",
    ),
    # ---------------------------------------------------------- products and embeddings
    (
        "direct-product-non-group",
        lambda: direct_product(SO(2), 2),
        TypeError,
        "direct_product takes Groups; argument 1 is a int",
    ),
    ("direct-product-empty", lambda: direct_product(), ValueError, "at least one Group; got none"),
    ("group-times-matrix", lambda: SO(2) * np.eye(2), TypeError, "unsupported operand"),
    (
        "direct-product-generators-too-large",
        lambda: direct_product(S(300), S(300)).discrete_generators,
        ValueError,
        "(d = 90000)",
    ),
    (
        "embed-too-small",
        lambda: Embed(SO(3), 2, slice(0, 3)),
        ValueError,
        "Embed needs d >= group.d = 3; got d = 2",
    ),
    # ---------------------------------------------------------------- Lie-algebra facts
    (
        "algebra-rank-negative-seed",
        lambda: algebra_rank(SO(3), seed=-1),
        ValueError,
        "seed must be an integer >= 0; got -1",
    ),
    (
        "killing-signature-rtol",
        lambda: killing_signature(SO(3), rtol=2.0),
        ValueError,
        "rtol must be a finite real number in (0, 1); got 2.0",
    ),
    (
        "closure-residual-strings",
        lambda: closure_residual([[["0", "1"], ["-1", "0"]]]),
        TypeError,
        "algebra must be a Group or an array (D, d, d) of real matrices; got strings",
    ),
    # ------------------------------------------------------------------------ identify
    (
        "identify-not-closing",
        lambda: identify(TWO_OF_SO3),
        ValueError,
        "does not close under the commutator: relative closure residual 7.07e-01",
    ),
    (
        "identify-not-closing-within-explicit-tol",
        lambda: identify(TWO_OF_SO3, tol=0.5),
        ValueError,
        "relative closure residual 7.07e-01 (> tol = 5.00e-01)",
    ),
    (
        "identify-complex",
        lambda: identify(1j * SO(3).lie_algebra),
        TypeError,
        "got a complex array of shape (3, 3, 3) with non-zero imaginary parts",
    ),
    (
        "identify-numeric-strings",
        lambda: identify([[["0", "1"], ["-1", "0"]]]),
        TypeError,
        "algebra must be an array (k, d, d) of real matrices, a Group or a DiscoveryResult; "
        "got strings",
    ),
    (
        "identify-tol",
        lambda: identify(SO(3), tol=2.0),
        ValueError,
        "tol must be a finite real number in (0, 1) or None; got 2.0",
    ),
    (
        "identify-negative-seed",
        lambda: identify(SO(3), seed=-1),
        ValueError,
        "seed must be an integer >= 0; got -1",
    ),
    (
        "identify-dependent-basis",
        lambda: identify(np.concatenate([SO(3).lie_algebra, SO(3).lie_algebra[:1]])),
        ValueError,
        "linearly dependent",
    ),
    (
        "identify-callable",
        lambda: identify(norm),
        TypeError,
        "algebra must be an array (k, d, d), a Group or a DiscoveryResult; got the callable",
    ),
    # ------------------------------------------------------------------------ to_group
    (
        "to-group-not-closing",
        lambda: to_group(TWO_OF_SO3),
        ValueError,
        "relative closure residual 7.07e-01 > closure_tol = 1.0e-06 (the Group default)",
    ),
    (
        "to-group-failed-result-bounded-tol",
        lambda: to_group(_failed_result(), allow_failed=True),
        ValueError,
        "closure_tol = 1.0e-01 (chosen as min(max(1e-6, 10 * closure_error), 0.1)",
    ),
    (
        "to-group-complex",
        lambda: to_group(1j * SO(3).lie_algebra),
        TypeError,
        "complex array of shape (3, 3, 3)",
    ),
    (
        "to-group-complex-discrete",
        lambda: to_group(SO(2), discrete_generators=[np.diag([1.0, 1j])]),
        TypeError,
        "discrete_generators must be an array of real matrices",
    ),
    (
        "to-group-allow-failed-string",
        lambda: to_group(SO(3), allow_failed="yes"),
        TypeError,
        "allow_failed must be True or False; got str 'yes'",
    ),
    (
        "to-group-closure-tol",
        lambda: to_group(SO(3), closure_tol=-1.0),
        ValueError,
        "closure_tol must be a finite real number > 0; got -1.0",
    ),
    # ------------------------------------------------------------ discover_lie_algebra
    (
        "discover-commutes-with-complex",
        lambda: discover_lie_algebra(norm, 2, commutes_with=np.array([[0.0, 1j], [1j, 0.0]])),
        TypeError,
        "commutes_with must be a real array; got a complex array of shape (2, 2)",
    ),
    (
        "discover-commutes-with-strings",
        lambda: discover_lie_algebra(norm, 2, commutes_with=[["0", "-1"], ["1", "0"]]),
        TypeError,
        "commutes_with must be a real array; got strings",
    ),
    (
        "discover-samples-complex",
        lambda: discover_lie_algebra(norm, 2, samples=1j * np.ones((8, 2))),
        TypeError,
        "samples must be a real array; got a complex array of shape (8, 2)",
    ),
    (
        "discover-dataset-string-labels",
        lambda: discover_lie_algebra((np.ones((5, 2)), np.array(["1"] * 5)), 2),
        TypeError,
        "the dataset labels y must be a real array; got strings",
    ),
    (
        "discover-negative-seed",
        lambda: discover_lie_algebra(norm, 2, seed=-1),
        ValueError,
        "seed must be an integer >= 0; got -1",
    ),
    (
        "discover-too-large",
        lambda: discover_lie_algebra(norm, 1000),
        ValueError,
        "discovery.inputs.MAX_PROBLEM_BYTES",
    ),
    # ------------------------------------------------------------------------- oracles
    (
        "oracle-returns-str",
        lambda: discover_lie_algebra(lambda x: "0.5", 2),
        TypeError,
        "the oracle must return a real scalar (a float, or a real array of size 1); it "
        "returned str '0.5' for arguments of shape (1, 2)",
    ),
    (
        "oracle-returns-none",
        lambda: discover_lie_algebra(lambda x: None, 2),
        TypeError,
        "it returned NoneType None for arguments of shape (1, 2)",
    ),
    (
        "oracle-returns-none-finite-difference",
        lambda: discover_lie_algebra(lambda x: None, 2, gradient="finite_difference"),
        TypeError,
        "it returned NoneType None",
    ),
    (
        "oracle-returns-str-finite-difference",
        lambda: discover_lie_algebra(lambda x, y: "x", 2, gradient="finite_difference"),
        TypeError,
        "it returned str 'x' for arguments of shape (2, 2)",
    ),
    (
        "oracle-returns-complex",
        lambda: discover_lie_algebra(lambda x: 1j * jnp.sum(x**2), 2),
        TypeError,
        "it returned a complex value",
    ),
    (
        "oracle-returns-bool",
        lambda: discover_lie_algebra(lambda x: x[0] > 0, 2),
        TypeError,
        "it returned a boolean",
    ),
    (
        "oracle-returns-vector",
        lambda: discover_lie_algebra(lambda x: x, 2),
        ValueError,
        "the oracle must return a scalar; it returned shape (2,)",
    ),
    # ------------------------------------------------------------------- subalgebras
    (
        "centralizer-complex-element",
        lambda: centralizer(SO(3), 1j * np.eye(3)),
        TypeError,
        "element must be a real matrix (3, 3); got a complex array",
    ),
    (
        "annihilator-string-vector",
        lambda: annihilator(SO(3), ["1", "0", "0"]),
        TypeError,
        "vector must be a real array (3,) or (m, 3); got strings",
    ),
]


@pytest.mark.parametrize(
    "call, error, fragment", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_input_is_refused_with_a_clear_message(call, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)) as raised:
        call()
    assert type(raised.value) is error  # not a subclass raised from deep inside


def test_the_table_is_large_and_its_ids_are_unique():
    ids = [case[0] for case in CASES]
    assert len(ids) >= 25 and len(set(ids)) == len(ids)
