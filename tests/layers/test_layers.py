"""One suite over a registry of (layer, rep_in, rep_out, group) examples."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from emlp_core import Scalar, T, V, equivariant_basis
from groups import SO, D, Group, Lorentz, O, S, Sp, Z
from layers import (
    EMLP,
    MLP,
    BiLinear,
    EMLPBlock,
    GatedNonlinearity,
    Linear,
    assert_equivariant,
    equivariance_error,
    gate_indices,
    gated,
    uniform_rep,
)
from layers import functional as F
from layers.bases import layout, linear_basis

CUSTOM = Group(lie_algebra=SO(3).lie_algebra, discrete_generators=[-np.eye(3)], name="SO(3)xZ2")
POINTS = S(3) * SO(3)  # point clouds: 3 points in R^3, coordinates (3, 3) flattened
SAMPLE_SCALE = {"O(1,3)": 0.3}  # non-compact: keep float32 rounding of rho(g) x small


def _linear(rep_in, rep_out, G):
    return lambda x: Linear(rep_in(G), rep_out(G))(x)


def _bilinear(rep_in, rep_out, G):
    return lambda x: BiLinear(rep_in(G), rep_out(G))(x)


def _block(rep_in, rep_out, G):
    return lambda x: EMLPBlock(rep_in(G), rep_out(G))(x)


def _gate(rep, _, G):
    return lambda x: GatedNonlinearity(rep(G))(x)


def _emlp(rep_in, rep_out, G):
    return lambda x: EMLP(rep_in, rep_out, G, ch=48, num_layers=2)(x)


# (name, module builder, rep_in, rep_out, group): the module maps rep_in -> rep_out.
REGISTRY = [
    ("linear-so3", _linear, 2 * V + Scalar, V**2 + V, SO(3)),
    ("linear-o5", _linear, V + V**2, V**2 + 2 * Scalar, O(5)),
    ("linear-s5", _linear, V**2 + V, V + Scalar, S(5)),
    ("linear-z6", _linear, 2 * V, V + Scalar, Z(6)),
    ("linear-custom", _linear, V + V**2, V**3 + Scalar, CUSTOM),
    ("linear-permuted-layout", _linear, V * (V + Scalar), (Scalar + V) * V, SO(3)),
    ("bilinear-so3", _bilinear, 3 * Scalar + 2 * V + V**2, 2 * Scalar + V + V**2, SO(3)),
    ("bilinear-s5", _bilinear, 2 * Scalar + 2 * V + V**2, Scalar + V, S(5)),
    ("block-o5", _block, 2 * V, 4 * Scalar + 2 * V + V**2, O(5)),
    ("block-custom", _block, V + Scalar, 2 * Scalar + V, CUSTOM),
    ("emlp-so3", _emlp, 5 * Scalar + 5 * V, V**2, SO(3)),
    ("emlp-o5", _emlp, 2 * V, Scalar, O(5)),
    ("emlp-s5", _emlp, V, V + Scalar, S(5)),
    ("emlp-z6", _emlp, V + Scalar, V, Z(6)),
    ("linear-lorentz", _linear, V + V.T, V.T + Scalar + V, Lorentz()),
    ("bilinear-lorentz", _bilinear, 2 * Scalar + V + V.T + V * V.T, Scalar + V + V**2, Lorentz()),
    ("emlp-lorentz", _emlp, 2 * V, Scalar, Lorentz()),
    ("emlp-d4", _emlp, 2 * V, V + Scalar, D(4)),
    ("emlp-sp2", _emlp, 2 * V, Scalar + V, Sp(2)),
    ("emlp-points", _emlp, V, V + Scalar, POINTS),
    ("block-points", _block, V + Scalar, 2 * Scalar + V, POINTS),
]
GATED = [("gate-so3", _gate, 2 * Scalar + V + V**2, None, SO(3))]


def _build(builder, rep_in, rep_out, G):
    fn = hk.without_apply_rng(hk.transform(builder(rep_in, rep_out, G)))
    in_rep = gated(rep_in(G)) if builder is _gate else rep_in(G)
    out_rep = rep_in(G) if builder is _gate else rep_out(G)
    return fn, in_rep, out_rep


def _inputs(rep, dtype, batch=8, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, rep.size())).astype(dtype)


@pytest.mark.parametrize(
    "name, builder, rep_in, rep_out, G",
    REGISTRY + GATED,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_equivariant_in_float32(name, builder, rep_in, rep_out, G):
    fn, in_rep, out_rep = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float32)
    params = jax.jit(fn.init)(jax.random.PRNGKey(1), x)
    apply = jax.jit(fn.apply)
    y = apply(params, x)
    assert y.shape == (8, out_rep.size()) and y.dtype == jnp.float32
    assert float(jnp.std(y)) > 1e-3  # not trivially zero
    scale = SAMPLE_SCALE.get(repr(G), 1.0)
    assert_equivariant(
        lambda z: apply(params, z), in_rep, out_rep, x=x, rtol=1e-5, sample_scale=scale
    )


@pytest.mark.parametrize(
    "name, builder, rep_in, rep_out, G",
    REGISTRY + GATED,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_equivariant_in_float64(name, builder, rep_in, rep_out, G, float64):
    fn, in_rep, out_rep = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float64)
    params = jax.jit(fn.init)(jax.random.PRNGKey(2), x)
    assert all(p.dtype == jnp.float64 for p in jax.tree_util.tree_leaves(params))
    apply = jax.jit(fn.apply)
    assert_equivariant(lambda z: apply(params, z), in_rep, out_rep, x=x, rtol=1e-10)  # scale 1


@pytest.mark.parametrize(
    "name, builder, rep_in, rep_out, G",
    [REGISTRY[1], REGISTRY[5], REGISTRY[7], REGISTRY[9]] + GATED,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_jit_equals_eager(name, builder, rep_in, rep_out, G, float64):
    fn, in_rep, _ = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float64)
    params = fn.init(jax.random.PRNGKey(2), x)
    np.testing.assert_allclose(
        jax.jit(fn.apply)(params, x), fn.apply(params, x), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    "name, builder, rep_in, rep_out, G",
    [REGISTRY[0], REGISTRY[6], REGISTRY[9]],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_gradients_are_correct(name, builder, rep_in, rep_out, G, float64):
    fn, in_rep, _ = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float64, batch=3)
    params = jax.jit(fn.init)(jax.random.PRNGKey(3), x)
    check_grads(
        lambda p, z: fn.apply(p, z),
        (params, x),
        order=1,
        modes=["rev"],
        eps=1e-6,
        atol=1e-6,
        rtol=1e-6,
    )


def test_vmap_matches_batch():
    G = SO(3)
    fn = hk.without_apply_rng(hk.transform(_emlp(V + Scalar, V, G)))
    x = _inputs((V + Scalar)(G), np.float32)
    params = jax.jit(fn.init)(jax.random.PRNGKey(0), x)
    single = jax.jit(jax.vmap(lambda z: fn.apply(params, z[None])[0]))(x)
    np.testing.assert_allclose(single, fn.apply(params, x), rtol=1e-5, atol=1e-6)


def test_parameter_shapes_follow_the_basis_specs():
    G = O(3)
    rep_in, rep_out = (2 * V + Scalar)(G), (V + 3 * Scalar)(G)
    fn = hk.without_apply_rng(hk.transform(lambda x: Linear(rep_in, rep_out)(x)))
    params = fn.init(jax.random.PRNGKey(0), _inputs(rep_in, np.float32))
    specs = {name: shape for name, shape, _ in linear_basis(rep_in, rep_out).parameter_specs()}
    assert {k: v.shape for k, v in params["linear"].items()} == specs
    # V->V: 2 copies in, 1 out, r=1; Scalar->Scalar: 1 in, 3 out; biases only on scalars
    assert specs == {"w_0_0": (3, 1, 1), "w_1_1": (1, 2, 1), "b_0": (3, 1)}


@pytest.mark.parametrize(
    "rep_in, rep_out, G",
    [
        (V + V**2, V**2 + 2 * Scalar, O(3)),
        (V * (V + Scalar), (Scalar + V) * V, SO(3)),
        (2 * V + Scalar, V + V**2, S(3)),
        (T(1, 1) + V, V.T + Scalar, Group(lie_algebra=np.eye(4).reshape(4, 2, 2))),
    ],
)
def test_fast_weight_lies_in_the_dense_equivariant_basis_and_spans_it(rep_in, rep_out, G, key):
    """Slow obvious check: the block-structured weight against the dense basis of Hom."""
    rep_in, rep_out = rep_in(G), rep_out(G)
    basis = linear_basis(rep_in, rep_out)
    dense = equivariant_basis(rep_in >> rep_out)  # (out*in, r), flattened row-major W
    assert (
        sum(np.prod(shape) for name, shape, _ in basis.parameter_specs() if name.startswith("w"))
        == dense.shape[1]
    )
    weights = []
    for k in range(dense.shape[1] + 2):
        params = (
            F.init_params(basis, jax.random.fold_in(key, k), jnp.float64)
            if jax.config.jax_enable_x64
            else F.init_params(basis, jax.random.fold_in(key, k))
        )
        weights.append(np.asarray(F.linear_weight(basis, params), np.float64).T.reshape(-1))
    weights = np.array(weights).T
    residual = weights - dense @ (dense.T @ weights)
    assert np.abs(residual).max() <= 1e-6 * np.abs(weights).max()
    assert np.linalg.matrix_rank(weights, tol=1e-4 * np.abs(weights).max()) == dense.shape[1]


@pytest.mark.parametrize(
    "rep, G",
    [
        (2 * Scalar + V + V**2, SO(3)),
        (V**2 + Scalar + V, O(3)),
        (V + V.T, Group(lie_algebra=np.eye(4).reshape(4, 2, 2))),
        (3 * Scalar, S(3)),
    ],
)
def test_gated_nonlinearity_matches_the_index_reference(rep, G):
    """Fast path (splits, an expansion matmul) against the obvious gather of `gate_indices`."""
    rep = rep(G)
    values = np.random.default_rng(0).standard_normal((4, gated(rep).size())).astype(np.float32)
    slow = values[:, values.shape[1] - rep.size() :] * (
        1 / (1 + np.exp(-values[:, gate_indices(rep)]))
    )
    fast = F.gated_nonlinearity(layout(rep), jnp.asarray(values))
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6)


def test_bias_is_invariant():
    G = S(4)
    basis = linear_basis((V + Scalar)(G), (V**2 + V)(G))
    params = F.init_params(basis, jax.random.PRNGKey(0))
    params = {k: (v + 1.0 if k.startswith("b") else v) for k, v in params.items()}
    bias = np.asarray(F.linear_bias(basis, params), np.float64)
    for g in G.samples(3):
        np.testing.assert_allclose((V**2 + V)(G).rho(g) @ bias, bias, atol=1e-6)


def test_mlp_baseline_is_not_equivariant():
    G = SO(3)
    fn = hk.without_apply_rng(hk.transform(lambda x: MLP(V, V, G, ch=32)(x)))
    x = _inputs(V(G), np.float32)
    params = fn.init(jax.random.PRNGKey(0), x)
    assert equivariance_error(lambda z: fn.apply(params, z), V(G), V(G), x=x) > 1e-2
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(lambda z: fn.apply(params, z), V(G), V(G), x=x)


def test_emlp_inside_a_user_module_stays_equivariant():
    G = O(3)

    class Wrapper(hk.Module):
        def __call__(self, x):
            return 2.0 * EMLP(V, Scalar, G, ch=24, num_layers=1)(x) + 1.0

    fn = hk.without_apply_rng(hk.transform(lambda x: Wrapper()(x)))
    x = _inputs(V(G), np.float32)
    params = jax.jit(fn.init)(jax.random.PRNGKey(0), x)
    apply = jax.jit(fn.apply)
    assert_equivariant(lambda z: apply(params, z), V(G), Scalar(G), x=x)


def test_train_step_does_not_recompile():
    G = SO(3)
    fn = hk.without_apply_rng(hk.transform(_emlp(V, Scalar, G)))
    x = _inputs(V(G), np.float32, batch=16)
    params = jax.jit(fn.init)(jax.random.PRNGKey(0), x)

    @jax.jit
    def step(p, z):
        grads = jax.grad(lambda q: jnp.mean(fn.apply(q, z) ** 2))(p)
        return jax.tree_util.tree_map(lambda a, b: a - 0.01 * b, p, grads)

    for seed in range(4):
        params = step(params, _inputs(V(G), np.float32, batch=16, seed=seed))
    assert step._cache_size() == 1


def test_uniform_rep_is_deterministic_and_sized():
    for G in [O(5), SO(3), S(5), Group(lie_algebra=np.eye(4).reshape(4, 2, 2))]:
        rep = uniform_rep(100, G)
        assert rep == uniform_rep(100, G) and rep.size() <= 100 and rep.group == G
    assert uniform_rep(384, O(5)).size() == 384


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: Linear(V(SO(3)), V(SO(3)))(jnp.ones((2, 4))),
            ValueError,
            r"inputs \(\.\.\., 3\).*got shape \(2, 4\)",
        ),
        (lambda: Linear(V(SO(3)), V(O(3))), ValueError, "same group"),
        (lambda: Linear(V, V(SO(3))), ValueError, "has no group"),
        (lambda: Linear(np.eye(3), V(SO(3))), TypeError, "must be a Rep"),
        (lambda: EMLP(V, V, "SO(3)"), TypeError, "groups.Group"),
        (lambda: EMLP(V, V, SO(3), ch=[8]), ValueError, "ch must be"),
        (lambda: EMLP(V, V, SO(3), num_layers=-1), ValueError, "num_layers"),
        (lambda: EMLP(V, V, SO(3), ch=16)(jnp.ones((2, 5))), ValueError, r"got shape \(2, 5\)"),
        (lambda: MLP(V, V, SO(3))(jnp.ones((2, 5))), ValueError, r"got shape \(2, 5\)"),
        (lambda: uniform_rep(0, SO(3)), ValueError, "positive integer"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        hk.transform(call).init(jax.random.PRNGKey(0))


def test_bilinear_is_homogeneous_of_degree_two_and_forms_outer_products():
    G = SO(3)
    rep_in, rep_out = (2 * V)(G), (V**2)(G)
    fn = hk.without_apply_rng(hk.transform(lambda x: BiLinear(rep_in, rep_out)(x)))
    x = _inputs(rep_in, np.float32)
    params = fn.init(jax.random.PRNGKey(0), x)
    y = np.asarray(fn.apply(params, x))
    np.testing.assert_allclose(fn.apply(params, 3.0 * x), 9.0 * y, rtol=1e-5, atol=1e-6)
    v1, v2 = x[:, :3], x[:, 3:]
    outer = np.einsum("bi,bj->bij", v1, v2).reshape(-1, 9)  # the only path: v1 ⊗ v2
    ratio = y / outer
    np.testing.assert_allclose(ratio, ratio[:1, :1] * np.ones_like(ratio), rtol=1e-4)


def test_activations_keep_the_documented_scale_through_depth():
    """Gain 3 after a gate keeps unit scale; EMLP's gain 1 shrinks by about sqrt(3) a block."""
    for G, rep_in in [(O(5), 2 * V), (SO(3), 5 * Scalar + 5 * V), (S(5), V + Scalar)]:
        hidden = uniform_rep(96, G)

        def probe(x, G=G, rep_in=rep_in, hidden=hidden):
            scales = []
            reps = [rep_in(G), hidden, hidden, hidden]
            for k, (a, b) in enumerate(zip(reps, reps[1:], strict=False)):
                x = EMLPBlock(a, b, init_gain=1.0 if k == 0 else 3.0)(x)
                scales.append(jnp.sqrt(jnp.mean(x**2)))
            return jnp.stack(scales)

        fn = hk.without_apply_rng(hk.transform(probe))
        x = _inputs(rep_in(G), np.float32, batch=256)
        scales = np.asarray(fn.apply(jax.jit(fn.init)(jax.random.PRNGKey(0), x), x))
        assert np.all((scales > 0.1) & (scales < 5.0)), (G, scales)


def test_standardize_is_equivariant_and_inverts_the_statistics():
    from layers import Standardize, standardization

    G = O(3)
    rep_in, rep_out = (V + Scalar)(G), (V + Scalar)(G)
    rng = np.random.default_rng(0)
    x = np.concatenate([5 * rng.standard_normal((200, 3)), 2 + rng.standard_normal((200, 1))], 1)
    stats = standardization(x, x, rep_in, rep_out)
    np.testing.assert_allclose(stats.x_shift[:3], 0.0)  # never shift a vector
    assert len(set(stats.x_scale[:3])) == 1  # one scale per copy
    fn = hk.without_apply_rng(hk.transform(lambda z: Standardize(lambda u: u, stats)(z)))
    params = fn.init(jax.random.PRNGKey(0), x[:2].astype(np.float32))
    np.testing.assert_allclose(fn.apply(params, x.astype(np.float32)), x, rtol=1e-5, atol=1e-5)
    model = hk.without_apply_rng(
        hk.transform(lambda z: Standardize(EMLP(rep_in, rep_out, G, ch=24, num_layers=1), stats)(z))
    )
    params = model.init(jax.random.PRNGKey(0), x[:2].astype(np.float32))
    apply = jax.jit(model.apply)
    assert_equivariant(lambda z: apply(params, z), rep_in, rep_out, x=x[:16].astype(np.float32))
    with pytest.raises(ValueError, match=r"x must be \(n, 4\)"):
        standardization(x[:, :3], x, rep_in, rep_out)


def test_num_params_counts_basis_coefficients():
    from layers import num_params

    G = O(3)
    fn = hk.transform(lambda x: Linear((2 * V + Scalar)(G), (V + 3 * Scalar)(G))(x))
    params = fn.init(jax.random.PRNGKey(0), jnp.ones((1, 7)))
    assert num_params(params) == 3 + 2 + 3  # scalar map, vector map, scalar biases
