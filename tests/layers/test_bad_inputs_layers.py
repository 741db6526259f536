"""Bad inputs to the layers fail early with a clear error; non-finite outputs fail checks.

`BAD_INPUTS` is a table of ``(id, call, error type, message fragment)``: every call must
raise that type with a message naming the argument, what it got and what was expected.
"""

import math

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import Scalar, V
from groups import SO, O, S
from layers import (
    EMLP,
    MLP,
    BiLinear,
    EMLPBlock,
    GatedNonlinearity,
    Linear,
    assert_equivariant,
    equivariance_error,
    uniform_rep,
)
from layers import functional as F
from layers.bases import layout, linear_basis

SO2, O3, S3 = SO(2), O(3), S(3)
ZERO = 0 * V  # a zero-size representation
X2 = np.ones((2, 2), np.float32)  # a valid input for V(SO(2))
X3 = np.ones((2, 3), np.float32)  # a valid input for V(O(3)) and V(S(3))


def _norm(x):
    """An O(3)-invariant function ``V -> Scalar``: equivariant, finite."""
    return np.sqrt((np.asarray(x, np.float64) ** 2).sum(-1, keepdims=True)).astype(x.dtype)


def _error(**kwargs):
    return lambda: equivariance_error(_norm, V(O3), Scalar(O3), **kwargs)


def _linear(x, rep_in=V, rep_out=V, G=SO2, **kwargs):
    return lambda: Linear(rep_in(G), rep_out(G), **kwargs)(x)


def _module(cls, x, *args, **kwargs):
    return lambda: cls(*args, **kwargs)(x)


BAD_INPUTS = [
    # equivariance_error / assert_equivariant: vacuous or malformed settings
    ("error-n-samples-0", _error(n_samples=0), ValueError, "n_samples must be an integer >= 1"),
    ("error-n-samples-negative", _error(n_samples=-2), ValueError, "n_samples must be"),
    ("error-n-samples-float", _error(n_samples=2.0), TypeError, "n_samples must be"),
    ("error-batch-0", _error(batch=0), ValueError, "batch must be an integer >= 1; got 0"),
    ("error-batch-bool", _error(batch=True), TypeError, "batch must be an integer >= 1; got bool"),
    ("error-scale-0", _error(sample_scale=0), ValueError, "sample_scale must be a finite real"),
    ("error-scale-negative", _error(sample_scale=-1.0), ValueError, "sample_scale must be"),
    ("error-scale-nan", _error(sample_scale=math.nan), ValueError, "got nan"),
    ("error-scale-inf", _error(sample_scale=math.inf), ValueError, "got inf"),
    (
        "error-output-width",
        lambda: equivariance_error(lambda x: x, V(O3), Scalar(O3)),
        ValueError,
        r"\(batch, rep_out.size\(\)\) = \(16, 1\).*returned shape \(16, 3\)",
    ),
    (
        "error-output-1d",
        lambda: equivariance_error(lambda x: x.sum(-1), V(O3), Scalar(O3)),
        ValueError,
        r"returned shape \(16,\)",
    ),
    (
        "error-x-width",
        _error(x=np.ones((4, 2), np.float32)),
        ValueError,
        r"x must be \(batch >= 1, rep_in.size\(\) = 3\).*got shape \(4, 2\)",
    ),
    ("error-x-empty", _error(x=np.ones((0, 3), np.float32)), ValueError, r"got shape \(0, 3\)"),
    ("error-x-int", _error(x=np.ones((4, 3), int)), TypeError, "x must be real floating"),
    ("error-x-nan", _error(x=np.full((4, 3), np.nan)), ValueError, "x must be finite"),
    (
        "error-rep-out-zero",
        lambda: equivariance_error(lambda x: x[:, :0], V(O3), ZERO(O3)),
        ValueError,
        "has size 0",
    ),
    (
        "error-fn-not-callable",
        lambda: equivariance_error(np.ones(3), V(O3), V(O3)),
        TypeError,
        "fn must be callable; got ndarray",
    ),
    (
        "error-rep-not-a-rep",
        lambda: equivariance_error(_norm, np.eye(3), Scalar(O3)),
        TypeError,
        "rep_in must be a Rep; got ndarray",
    ),
    (
        "assert-rtol-negative",
        lambda: assert_equivariant(_norm, V(O3), Scalar(O3), rtol=-1e-5),
        ValueError,
        "rtol must be a finite real number >= 0 or None",
    ),
    (
        "assert-rtol-nan",
        lambda: assert_equivariant(_norm, V(O3), Scalar(O3), rtol=math.nan),
        ValueError,
        "rtol must be",
    ),
    # init_gain: a positive finite real number everywhere
    ("linear-gain-inf", _linear(X2, init_gain=math.inf), ValueError, "init_gain must be a fini"),
    ("linear-gain-nan", _linear(X2, init_gain=math.nan), ValueError, "Linear: init_gain must be"),
    ("linear-gain-negative", _linear(X2, init_gain=-1.0), ValueError, "got -1.0"),
    ("linear-gain-string", _linear(X2, init_gain="3"), TypeError, "got str '3'"),
    (
        "block-gain-inf",
        _module(EMLPBlock, X2, V(SO2), V(SO2), init_gain=math.inf),
        ValueError,
        "EMLPBlock: init_gain must be a finite real number > 0",
    ),
    ("block-gain-bool", _module(EMLPBlock, X2, V(SO2), V(SO2), init_gain=True), TypeError, "True"),
    ("emlp-gain-nan", lambda: EMLP(V, V, SO2, init_gain=math.nan), ValueError, "EMLP: init_gain"),
    ("emlp-gain-inf", lambda: EMLP(V, V, SO2, init_gain=np.float32(np.inf)), ValueError, "inf"),
    # input arrays: real floating jax/numpy arrays only, of the right width
    (
        "linear-complex",
        _linear(jnp.ones((2, 2), jnp.complex64)),
        TypeError,
        "x must have a real floating dtype.*got complex64.*real maps",
    ),
    ("linear-int", _linear(jnp.ones((2, 2), jnp.int32)), TypeError, r"got int32\. Cast it first"),
    ("linear-bool", _linear(np.ones((2, 2), bool)), TypeError, r"got bool\. Cast it"),
    ("linear-list", _linear([[1.0, 2.0]]), TypeError, r"Linear: x must be a jax.Array.*got list"),
    ("linear-float", _linear(1.0), TypeError, r"must be a jax.Array or np.ndarray.*got float"),
    ("linear-0d", _linear(jnp.float32(1.0)), ValueError, r"inputs \(\.\.\., 2\).*shape \(\)"),
    (
        "bilinear-int",
        _module(BiLinear, np.ones((2, 6), np.int64), (2 * V)(O3), V(O3)),
        TypeError,
        "BiLinear: x must have a real floating dtype",
    ),
    (
        "gate-complex",
        _module(GatedNonlinearity, jnp.ones((2, 4), jnp.complex64), (Scalar + V)(O3)),
        TypeError,
        "GatedNonlinearity: x must have a real floating dtype",
    ),
    (
        "gate-width",
        _module(GatedNonlinearity, jnp.ones((2, 4)), (Scalar + V)(O3)),
        ValueError,
        r"inputs \(\.\.\., 5\) for gated\(rep\) = .*got shape \(2, 4\)",
    ),
    ("block-list", _module(EMLPBlock, [[1.0, 2.0]], V(SO2), V(SO2)), TypeError, "got list"),
    (
        "block-width",
        _module(EMLPBlock, X3, V(SO2), V(SO2)),
        ValueError,
        r"EMLPBlock expects inputs \(\.\.\., 2\) for rep_in = V\(SO\(2\)\)",
    ),
    ("emlp-int", _module(EMLP, np.ones((2, 3), int), V, V, S3, ch=8), TypeError, "EMLP: x must"),
    ("mlp-bool", _module(MLP, np.ones((2, 3), bool), V, V, O3, ch=8), TypeError, "MLP: x must"),
    ("mlp-list", _module(MLP, [[1.0, 2.0, 3.0]], V, V, O3, ch=8), TypeError, "got list"),
    ("mlp-width", _module(MLP, X2, V, V, O3, ch=8), ValueError, r"\(\.\.\., 3\) for rep_in"),
    # zero-size representations
    ("linear-rep-in-zero", _linear(X2[:, :0], rep_in=ZERO), ValueError, "rep_in = .* has size 0"),
    ("linear-rep-out-zero", _linear(X2, rep_out=ZERO), ValueError, "rep_out = .* has size 0"),
    ("bilinear-rep-zero", lambda: BiLinear(V(O3), ZERO(O3)), ValueError, "BiLinear: rep_out"),
    ("gate-rep-zero", lambda: GatedNonlinearity(ZERO(O3)), ValueError, "rep = .* has size 0"),
    ("block-rep-zero", lambda: EMLPBlock(ZERO(O3), V(O3)), ValueError, "EMLPBlock: rep_in"),
    ("emlp-rep-out-zero", lambda: EMLP(V, ZERO, O3, ch=8), ValueError, "EMLP: rep_out = .* size 0"),
    ("emlp-ch-rep-zero", lambda: EMLP(V, V, O3, ch=ZERO), ValueError, "EMLP: ch = .* size 0"),
    ("mlp-rep-in-zero", lambda: MLP(ZERO, V, O3, ch=8), ValueError, "MLP: rep_in = .* size 0"),
    # widths and depths
    ("mlp-ch-0", lambda: MLP(V, V, O3, ch=0), ValueError, "MLP: ch must be an integer >= 1"),
    ("mlp-ch-negative", lambda: MLP(V, V, O3, ch=-3), ValueError, "got -3"),
    ("mlp-ch-float", lambda: MLP(V, V, O3, ch=8.0), TypeError, "got float 8.0"),
    ("mlp-depth-negative", lambda: MLP(V, V, O3, num_layers=-1), ValueError, "integer >= 0"),
    ("mlp-depth-float", lambda: MLP(V, V, O3, num_layers=1.5), TypeError, "num_layers"),
    ("emlp-ch-0", lambda: EMLP(V, V, O3, ch=0), ValueError, "EMLP: ch must be an integer >= 1"),
    ("emlp-ch-negative", lambda: EMLP(V, V, O3, ch=-3), ValueError, "got -3"),
    ("emlp-ch-unused", lambda: EMLP(V, V, O3, ch=0, num_layers=0), ValueError, "ch must be"),
    ("emlp-ch-entry", lambda: EMLP(V, V, O3, ch=[8, 0], num_layers=2), ValueError, r"ch\[1\]"),
    ("emlp-ch-string", lambda: EMLP(V, V, O3, ch="abc"), TypeError, "ch must be an int, a Rep"),
    ("emlp-ch-length", lambda: EMLP(V, V, O3, ch=[8]), ValueError, "got a sequence of 1"),
    ("emlp-depth-float", lambda: EMLP(V, V, O3, num_layers=2.0), TypeError, "num_layers"),
    ("uniform-max-rank-negative", lambda: uniform_rep(8, O3, max_rank=-1), ValueError, "max_rank"),
    ("uniform-max-rank-float", lambda: uniform_rep(8, O3, max_rank=1.5), TypeError, "got float"),
    ("uniform-ch-negative", lambda: uniform_rep(-4, O3), ValueError, "ch must be an integer >= 1"),
    ("uniform-ch-float", lambda: uniform_rep(8.5, O3), TypeError, "got float 8.5"),
    ("uniform-ch-bool", lambda: uniform_rep(True, O3), TypeError, "got bool True"),
    # the functional core shares the input check
    (
        "functional-linear-int",
        lambda: F.linear(linear_basis(V(O3), V(O3)), {}, np.ones((2, 3), int)),
        TypeError,
        "linear: x must have a real floating dtype",
    ),
    (
        "functional-gate-width",
        lambda: F.gated_nonlinearity(layout((Scalar + V)(O3)), jnp.ones((2, 4))),
        ValueError,
        r"gated_nonlinearity expects inputs \(\.\.\., 5\).*for values",
    ),
    (
        "functional-init-int",
        lambda: F.init_params(linear_basis(V(O3), V(O3)), jax.random.PRNGKey(0), jnp.int32),
        TypeError,
        "dtype must be a real floating dtype",
    ),
]


def test_the_table_is_large_and_its_ids_unique():
    ids = [case[0] for case in BAD_INPUTS]
    assert len(ids) >= 25 and len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    "call, error, fragment", [case[1:] for case in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_raises_a_clear_error(call, error, fragment):
    """Modules are built (and called) inside ``hk.transform``, as users do."""
    with pytest.raises(error, match=fragment):
        hk.transform(call).init(jax.random.PRNGKey(0))


def test_limit_values_are_accepted():
    """The checks refuse only what is wrong: edge values that make sense still work."""
    assert uniform_rep(5, O3, max_rank=0) == (5 * Scalar)(O3)
    assert uniform_rep(np.int64(8), O3) == uniform_rep(8, O3)
    fn = hk.without_apply_rng(
        hk.transform(lambda x: EMLP(V, V, O3, ch=np.int64(8), num_layers=0)(x))
    )
    params = fn.init(jax.random.PRNGKey(0), X3)
    assert fn.apply(params, X3).shape == (2, 3)
    mlp = hk.without_apply_rng(hk.transform(lambda x: MLP(V, Scalar, O3, ch=4, num_layers=0)(x)))
    assert mlp.apply(mlp.init(jax.random.PRNGKey(0), X3), X3).shape == (2, 1)
    linear = hk.transform(lambda x: Linear(V(SO2), V(SO2), init_gain=np.float32(3))(x))
    linear.init(jax.random.PRNGKey(0), X2)  # numpy scalars and numpy inputs are fine
    # rtol=0 is strict but allowed: a permutation of coordinates is exact in float32
    assert assert_equivariant(lambda x: x, V(S3), V(S3), rtol=0.0, n_samples=1, batch=1) == 0.0


def _equivariant_and_broken(kind):
    if kind == "nan":
        return lambda x: _norm(x) * np.nan
    if kind == "inf":
        return lambda x: _norm(x) + np.inf
    if kind == "log":  # jnp.log: NaN for negative inputs (no numpy warning)
        return lambda x: np.asarray(jnp.log(x[:, :1]))
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["nan", "inf", "log"])
def test_non_finite_output_fails_assert_equivariant(kind):
    assert assert_equivariant(_norm, V(O3), Scalar(O3)) < 1e-5  # the same check passes
    broken = _equivariant_and_broken(kind)
    assert math.isnan(equivariance_error(broken, V(O3), Scalar(O3)))
    with pytest.raises(AssertionError, match="non-finite"):
        assert_equivariant(broken, V(O3), Scalar(O3))
    with pytest.raises(AssertionError, match="non-finite"):  # no rtol lets it pass
        assert_equivariant(broken, V(O3), Scalar(O3), rtol=1e30)


def test_non_finite_output_only_at_transformed_inputs_fails():
    """Finite at ``x`` but NaN at ``rho_in(g) x``: must not pass (``max`` drops NaN)."""
    calls = []

    def finite_once(x):
        calls.append(1)
        return _norm(x) if len(calls) == 1 else _norm(x) * np.nan

    assert math.isnan(equivariance_error(finite_once, V(O3), Scalar(O3)))
    calls.clear()
    with pytest.raises(AssertionError, match="non-finite"):
        assert_equivariant(finite_once, V(O3), Scalar(O3))


def test_non_finite_output_of_a_layer_fails():
    """A model whose output overflows is not reported as equivariant."""
    fn = hk.without_apply_rng(hk.transform(lambda x: Linear(V(SO2), V(SO2))(x)))
    params = fn.init(jax.random.PRNGKey(0), X2)
    huge = jax.tree_util.tree_map(lambda p: p * 1e30, params)
    x = np.full((4, 2), 1e30, np.float32)
    with pytest.raises(AssertionError, match="non-finite"):
        assert_equivariant(lambda z: fn.apply(huge, z), V(SO2), V(SO2), x=x)
    assert_equivariant(lambda z: fn.apply(params, z), V(SO2), V(SO2), x=X2 + 1)
