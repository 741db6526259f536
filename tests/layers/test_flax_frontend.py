"""The Flax NNX front-end (`layers.flax`) against Haiku's, over the shared registry.

Every registry entry is built twice from one key, as a Haiku transform (the builders of
`test_layers`) and as a `layers.flax` module (`FLAX_BUILDERS`): the parameter trees must be
identical bit for bit (Haiku's without its leading module name) and the outputs equal,
also after loading a second Haiku tree into the Flax module. A representative subset is
then checked for equivariance, jit, gradients, shapes and recompilation.
"""

import inspect
import pathlib
import subprocess
import sys

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax.test_util import check_grads
from test_layers import (
    BASELINES,
    GATED,
    REGISTRY,
    SAMPLE_SCALE,
    _bilinear,
    _block,
    _build,
    _deep_emlp,
    _emlp,
    _gate,
    _inputs,
    _linear,
    _mlp,
    _standardized,
)

import layers.flax as lf
from emlp_core import Scalar, V
from groups import SO, O, S, Z
from layers import Standardization, assert_equivariant, core, standardization
from layers import haiku as lh

EVERY_LAYER = REGISTRY + GATED + BASELINES
EQUIVARIANT = {name for name, *_ in REGISTRY + GATED}


def _flax_standardized(rep_in, rep_out, G, **keys):
    """`lf.Standardize` around an `lf.EMLP`, with the statistics of the Haiku builder."""
    stats = inspect.getclosurevars(_standardized(rep_in, rep_out, G)).nonlocals["stats"]
    return lf.Standardize(lf.EMLP(rep_in(G), rep_out(G), G, ch=24, num_layers=1, **keys), stats)


FLAX_BUILDERS = {
    _linear: lambda a, b, G, **keys: lf.Linear(a(G), b(G), **keys),
    _bilinear: lambda a, b, G, **keys: lf.BiLinear(a(G), b(G), **keys),
    _block: lambda a, b, G, **keys: lf.EMLPBlock(a(G), b(G), **keys),
    _gate: lambda rep, _, G, **keys: lf.GatedNonlinearity(rep(G)),  # no parameters, no keys
    _emlp: lambda a, b, G, **keys: lf.EMLP(a, b, G, ch=48, num_layers=1, **keys),
    _deep_emlp: lambda a, b, G, **keys: lf.EMLP(a, b, G, ch=48, num_layers=2, **keys),
    _mlp: lambda a, b, G, **keys: lf.MLP(a, b, G, ch=32, num_layers=2, **keys),
    _standardized: _flax_standardized,
}


def _flax_builder(builder):
    """The Flax twin of a Haiku builder of `test_layers` (``_dynamics(cls)`` by its class)."""
    if builder in FLAX_BUILDERS:
        return FLAX_BUILDERS[builder]
    cls = inspect.getclosurevars(builder).nonlocals["cls"]  # a `_dynamics(cls)` builder
    flax_cls = getattr(lf, cls.__name__)
    return lambda a, _, G, **keys: flax_cls(a, G, ch=24, num_layers=1, **keys)


def _suite(examples):
    return pytest.mark.parametrize(
        "name, builder, rep_in, rep_out, G",
        examples,
        ids=lambda v: v if isinstance(v, str) else "",
    )


def _pick(*names):
    picked = [example for example in EVERY_LAYER if example[0] in names]
    assert len(picked) == len(names)
    return picked


# A Linear, a BiLinear, a gate, EMLPs on O(5) and S(5), a standardised EMLP, EMLPH.
SUBSET = _pick(
    "linear-so3", "bilinear-so3", "gate-so3", "emlp-o5", "emlp-s5", "standardize-o5", "emlph-so3"
)


def _strip(tree: dict) -> dict:
    """Haiku's tree without its leading module name: the tree of `layers.core`."""
    stripped = {}
    for scope, leaves in tree.items():
        _, _, below = scope.partition("/")
        if below:
            stripped[below] = dict(leaves)
        else:  # a single layer: its own scope holds its names
            stripped.update(leaves)
    return stripped


def _flatten(tree: dict, prefix=()) -> dict:
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, (*prefix, key)))
        else:
            flat[(*prefix, key)] = value
    return flat


def _assert_same_tree(got: dict, expected: dict) -> None:
    got, expected = _flatten(got), _flatten(expected)
    assert {k: (v.shape, v.dtype) for k, v in got.items()} == {
        k: (v.shape, v.dtype) for k, v in expected.items()
    }
    for path, value in expected.items():
        np.testing.assert_array_equal(got[path], value, err_msg=str(path))


def _assert_close_trees(got: dict, expected: dict, rtol: float = 1e-6) -> None:
    got, expected = _flatten(got), _flatten(expected)
    assert got.keys() == expected.keys()
    for path, value in expected.items():
        np.testing.assert_allclose(got[path], value, rtol=rtol, atol=rtol, err_msg=str(path))


def _make(builder, rep_in, rep_out, G, **keys):
    return _flax_builder(builder)(rep_in, rep_out, G, **keys)


# --------------------------------------------------------------------------- parity
# every kind of module and of group (the full registry runs on the shared core in test_layers)
@_suite(
    _pick(
        "linear-so3",
        "linear-custom",
        "linear-permuted-layout",
        "bilinear-s5",
        "block-points",
        "emlp-so3",
        "emlp-s5",
        "emlp-lorentz",
        "gate-so3",
        "standardize-o5",
        "emlph-so3",
        "emlpode-z6",
        "mlp-so3",
        "mlph-o5",
    )
)
def test_same_key_same_parameters_and_outputs_as_haiku(name, builder, rep_in, rep_out, G):
    fn, in_rep, _ = _build(builder, rep_in, rep_out, G)
    x = jnp.asarray(_inputs(in_rep, np.float32))
    key = jax.random.key(7)  # typed, as nnx.Rngs holds it (PRNGKey: the key test)
    reference = fn.init(key, x)
    model = _make(builder, rep_in, rep_out, G, rngs=nnx.Rngs(key))
    _assert_same_tree(lf.params(model), _strip(reference))
    np.testing.assert_allclose(model(x), fn.apply(reference, x), rtol=1e-6, atol=1e-6)
    # another Haiku tree, loaded: the module then computes what Haiku computes with it
    other = fn.init(jax.random.key(8), x)
    lf.load(model, _strip(other))
    _assert_same_tree(lf.params(model), _strip(other))
    np.testing.assert_allclose(model(x), fn.apply(other, x), rtol=1e-6, atol=1e-6)


def test_the_registry_builds_every_public_module():
    built = set()
    for _, builder, rep_in, rep_out, G in EVERY_LAYER:
        module = nnx.eval_shape(
            lambda b=builder, a=rep_in, o=rep_out, g=G: _make(b, a, o, g, rngs=nnx.Rngs(0))
        )
        built |= {type(m) for _, m in nnx.iter_modules(module)}
    public = {getattr(lf, name) for name in lf.__all__}
    assert {c for c in public if isinstance(c, type)} - built == set()


# --------------------------------------------------------------------------- keys
def test_the_flax_idioms_for_a_key_give_haikus_parameters():
    G = O(5)
    build = lambda **keys: lf.EMLP(2 * V, Scalar, G, ch=48, num_layers=1, **keys)  # noqa: E731
    f = hk.transform(lambda z: lh.EMLP(2 * V, Scalar, G, ch=48, num_layers=1)(z))
    reference = _strip(f.init(jax.random.PRNGKey(3), jnp.ones((8, 10))))  # a raw key
    for keys in (
        {"rngs": nnx.Rngs(3)},
        {"rngs": nnx.Rngs(jax.random.PRNGKey(3))},
        {"rngs": nnx.Rngs(params=3, dropout=0)},
        {"rngs": nnx.Rngs(0, params=3)},  # the params stream before the default one
        {"key": jax.random.PRNGKey(3)},
        {"key": jax.random.key(3)},
    ):
        _assert_same_tree(lf.params(build(**keys)), reference)
    # one Rngs, two modules: the second draws the stream's next key, fold_in(key, 1)
    rngs = nnx.Rngs(3)
    first, second = build(rngs=rngs), build(rngs=rngs)
    _assert_same_tree(lf.params(first), reference)
    next_key = jax.random.fold_in(jax.random.key(3), 1)
    _assert_same_tree(lf.params(second), lf.params(build(key=next_key)))
    assert not np.allclose(
        first.params["linear"]["Scalar->Scalar"], second.params["linear"]["Scalar->Scalar"]
    )
    # built under a trace: abstract init has the shapes and dtypes; a traced stream that
    # was drawn from gives the next key too
    abstract = nnx.eval_shape(lambda: build(rngs=nnx.Rngs(3)))
    shapes = lambda tree: {k: (v.shape, v.dtype) for k, v in _flatten(tree).items()}  # noqa: E731
    assert shapes(lf.params(abstract)) == shapes(reference)
    rngs = nnx.Rngs(3)
    rngs.params()
    # (to rounding: inside a jit, XLA may fuse the scaling of the draws differently)
    _assert_close_trees(nnx.jit(lambda r: lf.params(build(rngs=r)))(rngs), lf.params(second))


# --------------------------------------------------------------------------- the subset
@_suite(SUBSET + BASELINES)
def test_float32_equivariant_jit_equals_eager_and_training_compiles_once(
    name, builder, rep_in, rep_out, G
):
    """float32: ``nnx.jit`` against eager, equivariance (rel. 1e-5; the baselines must fail
    it), then a split/merge + ``jax.jit`` SGD step compiled once for three batches."""
    _, in_rep, out_rep = _build(builder, rep_in, rep_out, G)
    model = _make(builder, rep_in, rep_out, G, rngs=nnx.Rngs(1))
    x = jnp.asarray(_inputs(in_rep, np.float32))
    jitted = nnx.jit(lambda m, z: m(z))
    forward = lambda z: jitted(model, jnp.asarray(z))  # noqa: E731
    y = forward(x)
    assert y.shape == (8, out_rep.size()) and y.dtype == jnp.float32
    assert float(jnp.std(y)) > 1e-3  # not trivially zero
    np.testing.assert_allclose(y, model(x), rtol=1e-5, atol=1e-6)
    scale = SAMPLE_SCALE.get(repr(G), 1.0)

    def check():
        assert_equivariant(forward, in_rep, out_rep, x=x, rtol=1e-5, sample_scale=scale)

    if name in EQUIVARIANT:
        check()
    else:  # the check can fail: the baselines fail it
        with pytest.raises(AssertionError, match="not equivariant"):
            check()

    graphdef, state = nnx.split(model)

    @jax.jit
    def step(state, z):
        loss = lambda s: jnp.mean(nnx.merge(graphdef, s)(z) ** 2)  # noqa: E731
        return jax.tree_util.tree_map(lambda a, g: a - 0.01 * g, state, jax.grad(loss)(state))

    for seed in range(3):
        state = step(state, _inputs(in_rep, np.float32, seed=seed))
    assert step._cache_size() == 1
    trained = lf.params(nnx.merge(graphdef, state))
    assert all(a.dtype == jnp.float32 for a in jax.tree_util.tree_leaves(trained))
    moved = [
        not np.array_equal(a, b)
        for a, b in zip(
            jax.tree_util.tree_leaves(trained),
            jax.tree_util.tree_leaves(lf.params(model)),
            strict=True,
        )
    ]
    assert any(moved) or builder is _gate


@_suite(SUBSET)
def test_float64_equivariant_and_gradients_match_finite_differences(
    name, builder, rep_in, rep_out, G, float64
):
    """float64 parameters: equivariance to 1e-10; on a few entries, reverse-mode gradients
    in the parameters (the split state) and inputs against `jax.test_util.check_grads`."""
    _, in_rep, out_rep = _build(builder, rep_in, rep_out, G)
    model = _make(builder, rep_in, rep_out, G, rngs=nnx.Rngs(2), dtype=jnp.float64)
    assert all(a.dtype == jnp.float64 for a in jax.tree_util.tree_leaves(lf.params(model)))
    graphdef, state = nnx.split(model)
    apply = jax.jit(lambda s, z: nnx.merge(graphdef, s)(z))
    x = jnp.asarray(_inputs(in_rep, np.float64))
    assert apply(state, x).dtype == jnp.float64
    assert_equivariant(lambda z: apply(state, jnp.asarray(z)), in_rep, out_rep, x=x, rtol=1e-10)
    if name in ("bilinear-so3", "emlp-o5", "emlph-so3"):
        check_grads(apply, (state, x), order=1, modes=["rev"], eps=1e-6, atol=1e-6, rtol=1e-6)


def _expected_shapes(model) -> dict:
    """The tree of shapes that the specs of a module's plan (or basis) give."""
    if isinstance(model, lf.Standardize):
        return _expected_shapes(model.network)
    if isinstance(model, lf.GatedNonlinearity):
        return {}
    if isinstance(model, (lf.Linear, lf.BiLinear)):
        return {n: s for n, s, _ in model.basis.parameter_specs()}
    plan = getattr(model.plan, "network", model.plan)
    if isinstance(plan, core.BlockPlan):
        specs = [("linear", n, s) for n, s, _ in plan.linear.parameter_specs()]
        specs += [("bilinear", n, s) for n, s, _ in plan.bilinear.parameter_specs()]
    else:
        specs = plan.param_specs()
    tree: dict = {}
    for scope, n, shape in specs:
        tree.setdefault(scope, {})[n] = tuple(shape)
    return tree


@_suite(SUBSET + BASELINES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameter_shapes_dtypes_and_count(name, builder, rep_in, rep_out, G, dtype):
    """Shapes from the plan's specs, the requested dtype, and `num_params` (as Haiku's)."""
    fn, in_rep, _ = _build(builder, rep_in, rep_out, G)
    with jax.enable_x64(dtype == np.float64):
        build = lambda: _make(builder, rep_in, rep_out, G, rngs=nnx.Rngs(0), dtype=dtype)  # noqa: E731
        model = nnx.eval_shape(build)  # abstract: shapes and dtypes only
        reference = jax.eval_shape(fn.init, jax.random.key(0), _inputs(in_rep, dtype, batch=2))
    tree = lf.params(model)
    assert jax.tree_util.tree_map(lambda a: tuple(a.shape), tree) == _expected_shapes(model)
    assert all(a.dtype == dtype for a in jax.tree_util.tree_leaves(tree))
    count = lf.num_params(model)
    assert count == lh.num_params(reference) == core.tree_size(tree) == lf.num_params(tree)
    assert count > 0 or builder is _gate  # only the gated nonlinearity has no parameters


# --------------------------------------------------------------------------- NNX plumbing
def test_nnx_state_split_merge_grad_and_jit_see_the_core_tree():
    """Names with "->", "*", "[", "(" and "/" are ``nnx.Dict`` keys: every NNX tool works."""
    G = S(3) * SO(3)  # point clouds: parameter names like "V[SO(3)]->V[S(3)]*V[SO(3)]"
    rep_in, rep_out = V(G), (V + Scalar)(G)
    rng = np.random.default_rng(0)
    data = rng.normal(size=(32, 9)), rng.normal(size=(32, 10))
    stats = standardization(*data, rep_in, rep_out)
    network = lf.EMLP(rep_in, rep_out, G, ch=48, num_layers=1, rngs=nnx.Rngs(0))
    model = lf.Standardize(network, stats)
    tree = lf.params(model)
    assert "V[SO(3)]->V[S(3)]*V[SO(3)]" in tree["linear"] and "block_0/linear" in tree
    state = nnx.state(model, nnx.Param)
    assert set(state["network"]["params"]) == set(tree)
    for scope, leaves in tree.items():
        for n, value in leaves.items():
            assert state["network"]["params"][scope][n][...] is value
    x = jnp.asarray(_inputs(rep_in, np.float32))
    graphdef, state = nnx.split(model)
    np.testing.assert_array_equal(nnx.merge(graphdef, state)(x), model(x))
    traces = []

    @nnx.jit
    def step(model, z):
        grads = nnx.grad(lambda m: jnp.mean(m(z) ** 2))(model)
        traces.append(jax.tree_util.tree_map(np.shape, nnx.to_pure_dict(grads)))
        params = nnx.state(model, nnx.Param)
        nnx.update(model, jax.tree_util.tree_map(lambda a, g: a - 0.1 * g, params, grads))

    for seed in range(3):
        step(model, jnp.asarray(_inputs(rep_in, np.float32, seed=seed)))
    # traced once (the statistics, numpy arrays, are no obstacle to the cache), with the
    # gradients named as the core tree
    assert traces == [{"network": {"params": jax.tree_util.tree_map(np.shape, tree)}}]
    assert not np.allclose(
        lf.params(model)["linear"]["Scalar->Scalar"], tree["linear"]["Scalar->Scalar"]
    )


def test_standardize_wraps_any_callable():
    stats = Standardization(np.zeros(3), np.full(3, 2.0), np.ones(3), np.full(3, 3.0))
    x = jnp.ones((2, 3))
    plain = lf.Standardize(lambda u: 2.0 * u, stats)  # a function: no parameters
    np.testing.assert_allclose(nnx.jit(lambda m, z: m(z))(plain, x), np.full((2, 3), 4.0))
    assert lf.params(plain) == {} and lf.num_params(plain) == 0
    lf.load(plain, {})
    dense = lf.Standardize(nnx.Linear(3, 3, rngs=nnx.Rngs(0)), stats)  # any NNX module
    assert dense(x).shape == (2, 3) and lf.num_params(dense) == 12
    with pytest.raises(TypeError, match="a module of layers.flax"):
        lf.params(dense)


# --------------------------------------------------------------------------- bad inputs
def _emlp_o5():  # as the registry's emlp-o5: compiled already
    return lf.EMLP(2 * V, Scalar, O(5), ch=48, num_layers=1, rngs=nnx.Rngs(0))


def _linear_so3(**keys):
    return lf.Linear(V(SO(3)), V(SO(3)), **({"rngs": nnx.Rngs(0)} | keys))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: _linear_so3()(jnp.ones((2, 4))), ValueError, r"inputs \(\.\.\., 3\).*\(2, 4\)"),
        (
            lambda: _emlp_o5()(jnp.ones((2, 5))),
            ValueError,
            r"EMLP expects inputs \(\.\.\., 10\).*got shape \(2, 5\)",
        ),
        (lambda: _linear_so3()(jnp.ones((2, 3), jnp.int32)), TypeError, "real floating dtype"),
        (
            lambda: lf.MLP(V + Scalar, V, SO(3), ch=32, num_layers=2, rngs=nnx.Rngs(0))(
                np.ones((2, 4), int)
            ),
            TypeError,
            "MLP: x must have a real floating dtype",
        ),
        (lambda: _linear_so3()([[1.0, 2.0, 3.0]]), TypeError, "jax.Array or np.ndarray"),
        (
            lambda: lf.GatedNonlinearity((V + Scalar)(SO(3)))(jnp.ones((2, 4))),
            ValueError,
            r"\(2, 4\)",
        ),
        (
            lambda: lf.EMLPode(2 * V, Z(6), ch=24, num_layers=1, rngs=nnx.Rngs(0))(
                jnp.ones((2, 5))
            ),
            ValueError,
            r"EMLPode expects states \(batch, 12\)",
        ),
        # the constructors' errors are Haiku's (the core's checks) ...
        (lambda: lf.Linear(V(SO(3)), V(O(3)), rngs=nnx.Rngs(0)), ValueError, "same group"),
        (lambda: lf.EMLP(V, V, "SO(3)", rngs=nnx.Rngs(0)), TypeError, "groups.Group"),
        (lambda: lf.EMLP(V, V, SO(3), ch=[8], rngs=nnx.Rngs(0)), ValueError, "ch must be"),
        (lambda: lf.EMLPH((2 * V)(O(3)), SO(3), rngs=nnx.Rngs(0)), ValueError, "already bound"),
        # ... and the keys and dtypes
        (lambda: lf.Linear(V(SO(3)), V(SO(3))), TypeError, r"pass rngs=nnx.Rngs\(seed\)"),
        (lambda: _linear_so3(key=jax.random.key(0)), TypeError, "rngs or key, not both"),
        (lambda: _linear_so3(rngs=None, key=0), TypeError, "key must be a jax.random.key"),
        (lambda: _linear_so3(rngs=0), TypeError, "rngs must be an nnx.Rngs"),
        (lambda: _linear_so3(rngs=nnx.Rngs(dropout=0)), ValueError, "neither a 'params'"),
        (lambda: _linear_so3(dtype=jnp.int32), TypeError, "real floating dtype"),
        (lambda: _linear_so3(dtype=jnp.float64), ValueError, "jax_enable_x64"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bad_trees_are_refused_before_anything_is_loaded():
    G = O(5)
    f = hk.transform(lambda z: lh.EMLP(2 * V, Scalar, G, ch=48, num_layers=1)(z))
    haiku_tree = f.init(jax.random.key(0), jnp.ones((8, 10)))
    model = lf.EMLP(2 * V, Scalar, G, ch=48, num_layers=1, rngs=nnx.Rngs(1))
    before = lf.params(model)
    good = _strip(haiku_tree)
    without = {**good, "linear": {"Scalar->Scalar": good["linear"]["Scalar->Scalar"]}}
    extra = {**good, "linear": {**good["linear"], "V->Scalar": jnp.ones((1, 1, 1))}}
    reshaped = {**good, "linear": {**good["linear"], "bias->Scalar": jnp.ones((1, 2))}}
    complex_ = {**good, "linear": {**good["linear"], "bias->Scalar": jnp.ones((1, 1), complex)}}
    for tree, error, match in [
        (haiku_tree, ValueError, "drop its leading module name"),  # Haiku's, not stripped
        (without, ValueError, r"missing \['bias->Scalar'\]"),
        (extra, ValueError, r"unexpected \['V->Scalar'\]"),
        (
            reshaped,
            ValueError,
            r"'bias->Scalar'\] has shape \(1, 2\); the module's parameter has shape \(1, 1\)",
        ),
        (complex_, TypeError, "must be a real floating array"),
        ({**good, "linear": 1.0}, ValueError, "must be a mapping"),
        ([], ValueError, "must be a mapping"),
    ]:
        with pytest.raises(error, match=match):
            lf.load(model, tree)
        _assert_same_tree(lf.params(model), before)  # nothing was written
    layer = lf.Linear(V(G), V(G), rngs=nnx.Rngs(0))
    haiku_layer = hk.transform(lambda z: lh.Linear(V(G), V(G))(z)).init(
        jax.random.key(0), jnp.ones((1, 5))
    )
    with pytest.raises(ValueError, match="params\\['linear'\\] for a single layer"):
        lf.load(layer, haiku_layer)
    lf.load(layer, haiku_layer["linear"])  # what the message says
    with pytest.raises(TypeError, match="a module of layers.flax"):
        lf.load(nnx.Linear(2, 2, rngs=nnx.Rngs(0)), {})


def test_importing_without_flax_says_how_to_install_it():
    script = """
import sys
sys.modules["flax"] = None
try:
    import layers.flax
except ImportError as error:
    print(error)
"""
    root = pathlib.Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "layers.flax needs flax: pip install '.[flax]'"
