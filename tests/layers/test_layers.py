"""One suite over a registry of (layer, rep_in, rep_out, group) examples."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from emlp_core import ProductRep, Scalar, T, V, equivariant_basis
from groups import SO, D, Group, Lorentz, O, S, Sp, Z
from layers import (
    DEFAULT_HIDDEN_GAIN,
    EMLP,
    EMLPH,
    MLP,
    MLPH,
    VARIANCE_PRESERVING_GAIN,
    BiLinear,
    EMLPBlock,
    EMLPode,
    GatedNonlinearity,
    InvariantShallow,
    Linear,
    MLPode,
    RegularMLP,
    Standardize,
    assert_equivariant,
    core,
    equivariance_error,
    gate_indices,
    gated,
    num_params,
    standardization,
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
    """One block and the output layer (block entries test blocks on other reps)."""
    return lambda x: EMLP(rep_in, rep_out, G, ch=48, num_layers=1)(x)


def _deep_emlp(rep_in, rep_out, G):
    """Two blocks: a hidden-to-hidden block, whose input comes out of a gate."""
    return lambda x: EMLP(rep_in, rep_out, G, ch=48, num_layers=2)(x)


def _mlp(rep_in, rep_out, G):
    return lambda x: MLP(rep_in, rep_out, G, ch=32, num_layers=2)(x)


def _standardized(rep_in, rep_out, G):
    """`Standardize` around an EMLP, with statistics of shifted, scaled random data."""
    rng = np.random.default_rng(5)
    rep_in, rep_out = rep_in(G), rep_out(G)
    x = 0.5 + rng.standard_normal((64, rep_in.size()))
    y = -1.0 + 2.0 * rng.standard_normal((64, rep_out.size()))
    stats = standardization(x, y, rep_in, rep_out)
    return lambda z: Standardize(EMLP(rep_in, rep_out, G, ch=24, num_layers=1), stats)(z)


def _shallow(rep_in, rep_out, G):
    """Every accepted irreducible G-invariant shallow network of ``G``, two channels each."""
    return lambda x: InvariantShallow(G, channels=2)(x)


def _regular(rep_in, rep_out, G):
    """Hidden layer: two copies of the regular representation, pointwise ReLU."""
    return lambda x: RegularMLP(rep_in, rep_out, G, ch=2, num_layers=1)(x)


def _dynamics(cls):
    """Builder of a dynamics module ``rep_in -> rep_in`` (the registry's rep_out repeats it)."""

    def build(rep_in, _, G):
        return lambda z: cls(rep_in, G, ch=24, num_layers=1)(z)

    return build


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
    ("emlp-so3", _deep_emlp, 5 * Scalar + 5 * V, V**2, SO(3)),
    ("emlp-o5", _emlp, 2 * V, Scalar, O(5)),
    ("emlp-s5", _emlp, V, V + Scalar, S(5)),
    ("emlp-z6", _emlp, V + Scalar, V, Z(6)),
    ("linear-lorentz", _linear, V + V.T, V.T + Scalar + V, Lorentz()),
    ("bilinear-lorentz", _bilinear, 2 * Scalar + V + V.T + V * V.T, Scalar + V + V**2, Lorentz()),
    ("emlp-lorentz", _deep_emlp, 2 * V, Scalar, Lorentz()),
    ("emlp-d4", _emlp, 2 * V, V + Scalar, D(4)),
    ("emlp-sp2", _emlp, 2 * V, Scalar + V, Sp(2)),
    ("emlp-points", _emlp, V, V + Scalar, POINTS),
    ("block-points", _block, V + Scalar, 2 * Scalar + V, POINTS),
    ("standardize-o5", _standardized, 2 * V + Scalar, Scalar + V, O(5)),
    ("standardize-lorentz", _standardized, 2 * V, Scalar, Lorentz()),
    ("emlph-so3", _dynamics(EMLPH), 2 * V, 2 * V, SO(3)),
    ("emlph-s5", _dynamics(EMLPH), 2 * V, 2 * V, S(5)),
    ("emlph-lorentz", _dynamics(EMLPH), V + V.T, V + V.T, Lorentz()),  # q ~ V, p ~ V*: symplectic
    ("emlpode-sp2", _dynamics(EMLPode), 2 * V, 2 * V, Sp(2)),
    ("emlpode-z6", _dynamics(EMLPode), 2 * V, 2 * V, Z(6)),
]
GATED = [
    ("gate-so3", _gate, 2 * Scalar + V + V**2, None, SO(3)),
    ("gate-lorentz", _gate, Scalar + V + V.T + V**2, None, Lorentz()),
]
# Baselines: no symmetry, so the suite checks that they are *not* equivariant, and the rest.
BASELINES = [
    ("mlp-so3", _mlp, V + Scalar, V, SO(3)),
    ("mlph-o5", _dynamics(MLPH), 2 * V, 2 * V, O(5)),
    ("mlpode-d4", _dynamics(MLPode), 2 * V, 2 * V, D(4)),
]
# Invariant shallow networks: V(G) -> Scalar for a finite orthogonal group (Haiku only).
SHALLOW = [("shallow-d4", _shallow, V, Scalar, D(4))]
# Regular-representation hidden layers with pointwise ReLU (Haiku only).
REGULAR = [("regular-d4", _regular, 2 * V, V + Scalar, D(4))]
EVERY_LAYER = REGISTRY + GATED + BASELINES + SHALLOW + REGULAR


def _build(builder, rep_in, rep_out, G):
    fn = hk.without_apply_rng(hk.transform(builder(rep_in, rep_out, G)))
    in_rep = gated(rep_in(G)) if builder is _gate else rep_in(G)
    out_rep = rep_in(G) if builder is _gate else rep_out(G)
    return fn, in_rep, out_rep


def _inputs(rep, dtype, batch=8, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, rep.size())).astype(dtype)


def _suite(examples):
    return pytest.mark.parametrize(
        "name, builder, rep_in, rep_out, G",
        examples,
        ids=lambda v: v if isinstance(v, str) else "",
    )


def test_registry_covers_every_layer_and_the_required_groups():
    import layers

    used = set()

    def record(method, args, kwargs, context):
        used.add(type(context.module))
        return method(*args, **kwargs)

    for _, builder, rep_in, rep_out, G in EVERY_LAYER:
        _, in_rep, _ = _build(builder, rep_in, rep_out, G)
        module = builder(rep_in, rep_out, G)

        def forward(z, module=module):
            with hk.intercept_methods(record):
                return module(z)

        jax.eval_shape(hk.transform(forward).init, jax.random.PRNGKey(0), _inputs(in_rep, "f4"))
    public = {getattr(layers, name) for name in layers.__all__}
    modules = {cls for cls in public if isinstance(cls, type) and issubclass(cls, hk.Module)}
    assert modules - used == set()
    groups = {repr(G) for *_, G in EVERY_LAYER}
    assert {"SO(3)", "O(5)", "O(1,3)", "S(5)", "Z(6)", "D(4)", "Sp(2)"} <= groups
    assert {repr(POINTS), repr(CUSTOM)} <= groups  # a direct product and a custom group


EQUIVARIANT = {name for name, *_ in REGISTRY + GATED + SHALLOW + REGULAR}


@_suite(EVERY_LAYER)
def test_float32_equivariant_and_training_does_not_recompile(name, builder, rep_in, rep_out, G):
    """float32: equivariance (rel. 1e-5; baselines must fail it), then a jitted SGD step
    compiled once for several batches of the same shape, keeping float32 parameters."""
    fn, in_rep, out_rep = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float32)
    params = jax.jit(fn.init)(jax.random.PRNGKey(1), x)  # eager init: test_vmap_matches_batch
    apply = jax.jit(fn.apply)
    y = apply(params, x)
    assert y.shape == (8, out_rep.size()) and y.dtype == jnp.float32
    assert float(jnp.std(y)) > 1e-3  # not trivially zero
    scale = SAMPLE_SCALE.get(repr(G), 1.0)

    def check():
        fn_ = lambda z: apply(params, z)  # noqa: E731
        assert_equivariant(fn_, in_rep, out_rep, x=x, rtol=1e-5, sample_scale=scale)

    if name in EQUIVARIANT:
        check()
    else:  # the suite's equivariance check can fail: the registered baselines fail it
        with pytest.raises(AssertionError, match="not equivariant"):
            check()

    @jax.jit
    def step(p, z):
        grads = jax.grad(lambda q: jnp.mean(fn.apply(q, z) ** 2))(p)
        return jax.tree_util.tree_map(lambda a, b: a - 0.01 * b, p, grads)

    for seed in range(3):
        params = step(params, _inputs(in_rep, np.float32, seed=seed))
    assert step._cache_size() == 1
    assert all(leaf.dtype == jnp.float32 for leaf in jax.tree_util.tree_leaves(params))


@_suite(EVERY_LAYER)
def test_float64_equivariance_jit_and_gradients(name, builder, rep_in, rep_out, G, float64):
    """float64: equivariance to 1e-10 (scale-1 samples), jit equal to eager, and
    reverse-mode gradients in params and inputs against `jax.test_util.check_grads`
    (one compiled apply serves all three)."""
    fn, in_rep, out_rep = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float64)
    params = jax.jit(fn.init)(jax.random.PRNGKey(2), x)
    assert all(p.dtype == jnp.float64 for p in jax.tree_util.tree_leaves(params))
    apply = jax.jit(fn.apply)
    if name in EQUIVARIANT:
        assert_equivariant(lambda z: apply(params, z), in_rep, out_rep, x=x, rtol=1e-10)
    np.testing.assert_allclose(apply(params, x), fn.apply(params, x), rtol=1e-12, atol=1e-12)
    check_grads(apply, (params, x), order=1, modes=["rev"], eps=1e-6, atol=1e-6, rtol=1e-6)


def _pick(*names):
    return [example for example in EVERY_LAYER if example[0] in names]


def _parameter_owners(builder, rep_in, rep_out, G, x) -> dict:
    """``{module name: expected {parameter: shape}}`` of every parameter-creating module.

    Recorded by intercepting module calls while ``init`` is traced: an equivariant layer
    must hold exactly its basis's ``parameter_specs``, an ``hk.Linear`` its dense shapes.
    """
    owners = {}

    def record(method, args, kwargs, context):
        out = method(*args, **kwargs)
        module, specs = context.module, None
        if isinstance(module, (Linear, BiLinear)):
            specs = [("", n, s) for n, s, _ in module.basis.parameter_specs()]
        elif isinstance(getattr(module, "plan", None), core.BlockPlan):
            plan = module.plan
            specs = [("linear", n, s) for n, s, _ in plan.linear.parameter_specs(plan.gain)]
            specs += [("bilinear", n, s) for n, s, _ in plan.bilinear.parameter_specs()]
        elif hasattr(module, "plan"):  # EMLP, MLP and the dynamics models (their network)
            specs = getattr(module.plan, "network", module.plan).param_specs()
        for scope, name, shape in specs or ():
            owners.setdefault("/".join(filter(None, [module.module_name, scope])), {})[name] = shape
        return out

    def forward(z):
        with hk.intercept_methods(record):
            return builder(rep_in, rep_out, G)(z)

    jax.eval_shape(hk.transform(forward).init, jax.random.PRNGKey(0), x)
    return owners


@_suite(EVERY_LAYER)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameter_shapes_follow_the_basis_specs(name, builder, rep_in, rep_out, G, dtype):
    fn, in_rep, _ = _build(builder, rep_in, rep_out, G)
    with jax.enable_x64(dtype == np.float64):
        x = _inputs(in_rep, dtype, batch=2)
        params = jax.eval_shape(fn.init, jax.random.PRNGKey(0), x)
        expected = _parameter_owners(builder, rep_in, rep_out, G, x)
    got = {module: {k: v.shape for k, v in leaves.items()} for module, leaves in params.items()}
    assert got == expected
    assert all(leaf.dtype == dtype for leaf in jax.tree_util.tree_leaves(params))
    count = sum(int(np.prod(shape)) for shapes in expected.values() for shape in shapes.values())
    assert num_params(params) == count
    assert count > 0 or builder is _gate  # only the gated nonlinearity has no parameters


@_suite(_pick("emlp-z6", "emlph-so3", "standardize-o5", "mlpode-d4"))
def test_vmap_matches_batch(name, builder, rep_in, rep_out, G):
    fn, in_rep, _ = _build(builder, rep_in, rep_out, G)
    x = _inputs(in_rep, np.float32)
    params = fn.init(jax.random.PRNGKey(0), x)
    apply = jax.jit(fn.apply)
    single = jax.jit(jax.vmap(lambda z: fn.apply(params, z[None])[0]))(x)
    np.testing.assert_allclose(single, apply(params, x), rtol=1e-5, atol=1e-6)


def test_linear_parameter_shapes_by_hand():
    G = O(3)
    rep_in, rep_out = (2 * V + Scalar)(G), (V + 3 * Scalar)(G)
    fn = hk.without_apply_rng(hk.transform(lambda x: Linear(rep_in, rep_out)(x)))
    params = fn.init(jax.random.PRNGKey(0), _inputs(rep_in, np.float32))
    # V->V: 2 copies in, 1 out, r=1; Scalar->Scalar: 1 in, 3 out; biases only on scalars
    assert {k: v.shape for k, v in params["linear"].items()} == {
        "Scalar->Scalar": (3, 1, 1),
        "V->V": (1, 2, 1),
        "bias->Scalar": (3, 1),
    }


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
        sum(np.prod(shape) for name, shape, _ in basis.parameter_specs() if "bias" not in name)
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


def _rep(summand):
    """A tensor type rebuilt as a rep by the rep algebra (independent of the layer's path)."""
    return ProductRep(*summand.monomial.atoms, group=summand.monomial.group)


def _slow_linear(basis, params, x):
    """Obvious reference: a dense ``(n_out, n_in)`` weight assembled copy by copy.

    For every pair of tensor types and every pair of their copies, the block
    ``sum_r c[n, m, r] Q[:, :, r]`` is written at the copies' user-layout coordinates (no
    canonical layout, no einsum over copies, no orbit gathers); the bias likewise.
    """
    rep_in, rep_out = basis.rep_in, basis.rep_out
    weight = np.zeros((rep_out.size(), rep_in.size()))
    bias = np.zeros(rep_out.size())
    sources, targets = rep_in.canonical_form(), rep_out.canonical_form()
    for b, target in enumerate(targets):
        for a, source in enumerate(sources):
            Q = equivariant_basis(_rep(source) >> _rep(target), sparse=False)
            if not Q.shape[1]:
                assert basis.weight_name(b, a) not in params
                continue
            Q = Q.reshape(target.monomial.size, source.monomial.size, -1)
            coefficients = np.asarray(params[basis.weight_name(b, a)], np.float64)
            for n, rows in enumerate(target.positions):
                for m, columns in enumerate(source.positions):
                    weight[np.ix_(rows, columns)] += Q @ coefficients[n, m]
        U = equivariant_basis(_rep(target), sparse=False)
        if U.shape[1]:
            for n, rows in enumerate(target.positions):
                bias[rows] += U @ np.asarray(params[basis.bias_name(b)], np.float64)[n]
    return np.asarray(x, np.float64) @ weight.T + bias


@pytest.mark.parametrize(
    "rep_in, rep_out, G",
    [
        (V + V**2 + 2 * Scalar, V**2 + 2 * Scalar + V, O(3)),
        (V * (V + Scalar), (Scalar + V) * V, SO(3)),  # layouts that are not canonical
        (2 * V + Scalar + V**2, V + V**2 + Scalar, S(4)),  # orbit bases: gathers
        (V + V.T + Scalar, V.T + Scalar + V * V.T, Lorentz()),
        (T(1, 1) + V, V.T + Scalar, Group(lie_algebra=np.eye(4).reshape(4, 2, 2))),
    ],
)
def test_fast_linear_equals_the_slow_dense_reference(rep_in, rep_out, G, key, float64):
    rep_in, rep_out = rep_in(G), rep_out(G)
    basis = linear_basis(rep_in, rep_out)
    params = F.init_params(basis, key, jnp.float64)
    params = {k: v + (0.5 if k.startswith("bias") else 0.0) for k, v in params.items()}
    x = _inputs(rep_in, np.float64, batch=5)
    fast = jax.jit(F.linear, static_argnums=0)(basis, params, x)
    np.testing.assert_allclose(fast, _slow_linear(basis, params, x), rtol=1e-12, atol=1e-12)


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
    """Fast path (splits, per-type broadcasts) against the obvious gather of `gate_indices`."""
    rep = rep(G)
    values = np.random.default_rng(0).standard_normal((4, gated(rep).size())).astype(np.float32)
    slow = values[:, values.shape[1] - rep.size() :] * (
        1 / (1 + np.exp(-values[:, gate_indices(rep)]))
    )
    fast = F.gated_nonlinearity(layout(rep), jnp.asarray(values))
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "rep, G",
    [
        (V**2 + Scalar + V, O(3)),  # non-canonical layout: gathers
        (2 * Scalar + V + V.T + V * V.T, Lorentz()),
        (3 * Scalar, S(3)),
    ],
)
def test_gated_nonlinearity_gradient_matches_the_index_reference(rep, G, float64):
    """Values and vector-Jacobian products in float64 against the gather of `gate_indices`."""
    rep = rep(G)
    rng = np.random.default_rng(1)
    values = jnp.asarray(rng.standard_normal((5, gated(rep).size())))
    cotangent = jnp.asarray(rng.standard_normal((5, rep.size())))
    indices = jnp.asarray(gate_indices(rep))

    def slow(v):
        return v[:, v.shape[1] - rep.size() :] * jax.nn.sigmoid(jnp.take(v, indices, axis=1))

    fast_out, fast_vjp = jax.vjp(lambda v: F.gated_nonlinearity(layout(rep), v), values)
    slow_out, slow_vjp = jax.vjp(slow, values)
    np.testing.assert_allclose(fast_out, slow_out, rtol=1e-12, atol=1e-12)
    (fast_grad,), (slow_grad,) = fast_vjp(cotangent), slow_vjp(cotangent)
    np.testing.assert_allclose(fast_grad, slow_grad, rtol=1e-12, atol=1e-12)


def test_bias_is_invariant():
    G = S(4)
    basis = linear_basis((V + Scalar)(G), (V**2 + V)(G))
    params = F.init_params(basis, jax.random.PRNGKey(0))
    params = {k: (v + 1.0 if k.startswith("bias") else v) for k, v in params.items()}
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
        (lambda: EMLP(V, V, SO(3), init_gain=0.0), ValueError, "init_gain must be a finite real"),
        (lambda: EMLP(V, V, SO(3), init_gain="3"), TypeError, "init_gain must be a finite real"),
        (lambda: EMLP(V, V, SO(3), ch=16)(jnp.ones((2, 5))), ValueError, r"got shape \(2, 5\)"),
        (lambda: MLP(V, V, SO(3))(jnp.ones((2, 5))), ValueError, r"got shape \(2, 5\)"),
        (lambda: uniform_rep(0, SO(3)), ValueError, "ch must be an integer >= 1; got 0"),
        (lambda: uniform_rep(8, "SO(3)"), TypeError, "groups.Group"),
        (lambda: BiLinear((2 * V)(SO(3)), V(SO(3)))(jnp.ones((2, 5))), ValueError, r"\(2, 5\)"),
        (lambda: BiLinear(V(SO(3)), V(O(3))), ValueError, "same group"),
        (lambda: BiLinear(V(SO(3)), V), ValueError, "rep_out = V has no group"),
        (lambda: GatedNonlinearity((V + Scalar)(SO(3)))(jnp.ones((2, 4))), ValueError, r"\(2, 4\)"),
        (lambda: GatedNonlinearity(V + Scalar), ValueError, "has no group"),
        (lambda: EMLPBlock(V(O(3)), V(SO(3)))(jnp.ones((2, 3))), ValueError, "same group"),
        (lambda: EMLPBlock(V(SO(3)), V(SO(3)))(jnp.ones((2, 4))), ValueError, r"\(2, 4\)"),
        (lambda: EMLP(V(O(3)), V, SO(3)), ValueError, "already bound to O\\(3\\)"),
        (lambda: EMLPH((2 * V)(O(3)), SO(3)), ValueError, "already bound to O\\(3\\)"),
        (lambda: EMLPode(2 * V, SO(3), ch=8)(jnp.ones((2, 5))), ValueError, r"\(batch, 6\)"),
        (lambda: EMLP(V(O(3)) + V(SO(3)), V, SO(3)), ValueError, "already bound"),
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


def _block_output_scales(G, rep_in, rep_out, init_gain: float, seed: int) -> np.ndarray:
    """RMS of each block's output inside an EMLP at initialisation, in order."""
    plan = core.emlp_plan(rep_in, rep_out, G, ch=96, init_gain=init_gain)
    params = core.emlp_init(plan, core.model_key(jax.random.PRNGKey(seed)))
    x = jnp.asarray(_inputs(rep_in(G), np.float32, batch=256))
    scales = []
    for k, block in enumerate(plan.blocks):
        scopes = {part: params[f"block_{k}/{part}"] for part in ("linear", "bilinear")}
        x = core.block_apply(block, scopes, x)
        scales.append(float(jnp.sqrt(jnp.mean(x**2))))
    return np.array(scales)


@pytest.mark.parametrize("G, rep_in, rep_out", [(O(5), 2 * V, Scalar), (SO(3), 5 * V, V**2)])
def test_init_gain_sets_how_activations_scale_through_depth(G, rep_in, rep_out):
    """VARIANCE_PRESERVING_GAIN keeps one scale over three blocks; the default shrinks each."""
    for seed in range(2):
        unit = _block_output_scales(G, rep_in, rep_out, VARIANCE_PRESERVING_GAIN, seed)
        default = _block_output_scales(G, rep_in, rep_out, DEFAULT_HIDDEN_GAIN, seed)
        np.testing.assert_allclose(unit[0], default[0], rtol=1e-6)  # the first block: gain 1
        assert 0.4 < unit[-1] / unit[0] < 2.5, unit
        assert default[-1] / default[0] < 0.45 and np.all(np.diff(default) < 0), default


def test_unit_scale_gain_stays_bounded_for_a_permutation_group():
    """S(5)'s averaging bases grow under gain 3, but boundedly."""
    scales = _block_output_scales(S(5), V + Scalar, V, VARIANCE_PRESERVING_GAIN, seed=0)
    assert np.all((scales > 0.1) & (scales < 5.0)), scales
    numpy_gain = hk.transform(lambda x: EMLP(V, V, S(5), ch=8, init_gain=np.float32(3))(x))
    numpy_gain.init(jax.random.PRNGKey(0), jnp.ones((2, 5)))  # numpy scalars are accepted


def test_standardize_applies_the_statistics_and_is_equivariant():
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
    expected = (x - stats.x_shift) / stats.x_scale * stats.y_scale + stats.y_shift
    np.testing.assert_allclose(fn.apply(params, x.astype(np.float32)), expected, rtol=1e-5)
    model = hk.without_apply_rng(
        hk.transform(lambda z: Standardize(EMLP(rep_in, rep_out, G, ch=24, num_layers=1), stats)(z))
    )
    params = model.init(jax.random.PRNGKey(0), x[:2].astype(np.float32))
    apply = jax.jit(model.apply)
    assert_equivariant(lambda z: apply(params, z), rep_in, rep_out, x=x[:16].astype(np.float32))
    with pytest.raises(ValueError, match=r"x must be \(n >= 1, 4\)"):
        standardization(x[:, :3], x, rep_in, rep_out)


def test_num_params_counts_basis_coefficients():
    from layers import num_params

    G = O(3)
    fn = hk.transform(lambda x: Linear((2 * V + Scalar)(G), (V + 3 * Scalar)(G))(x))
    params = fn.init(jax.random.PRNGKey(0), jnp.ones((1, 7)))
    assert num_params(params) == 3 + 2 + 3  # scalar map, vector map, scalar biases


def test_init_draws_each_parameter_independently_at_its_documented_scale():
    G = SO(3)
    rep_in, rep_out = (40 * Scalar + 30 * V)(G), (50 * Scalar + 40 * V)(G)
    layer = hk.without_apply_rng(hk.transform(lambda x: Linear(rep_in, rep_out)(x)))
    params = layer.init(jax.random.PRNGKey(0), _inputs(rep_in, np.float32))["linear"]
    specs = linear_basis(rep_in, rep_out).parameter_specs()
    draws = [np.asarray(params[name]).ravel() for name, _, std in specs if std]
    for (name, _, std), values in zip([s for s in specs if s[2]], draws, strict=True):
        assert abs(values.std() / std - 1) < 0.1, name
    assert abs(np.corrcoef(draws[0][:1000], draws[1][:1000])[0, 1]) < 0.15  # not one slice twice
    again = layer.init(jax.random.PRNGKey(0), _inputs(rep_in, np.float32))["linear"]
    other = layer.init(jax.random.PRNGKey(1), _inputs(rep_in, np.float32))["linear"]
    name = specs[0][0]
    np.testing.assert_array_equal(again[name], params[name])  # deterministic under a key
    assert not np.allclose(other[name], params[name])


def test_a_layer_used_in_float32_also_runs_under_x64():
    """Layers compile once per basis; the cached function must serve both precisions."""
    G = SO(3)
    fn, in_rep, _ = _build(_emlp, 2 * V, V + Scalar, G)
    params = fn.init(jax.random.PRNGKey(0), _inputs(in_rep, np.float32))
    assert fn.apply(params, _inputs(in_rep, np.float32)).dtype == jnp.float32
    with jax.enable_x64(True):
        x = _inputs(in_rep, np.float64)
        params = jax.jit(fn.init)(jax.random.PRNGKey(0), x)
        assert jax.jit(fn.apply)(params, x).dtype == jnp.float64
