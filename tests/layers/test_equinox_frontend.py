"""The Equinox front-end against the Haiku one over the shared registry, and Equinox idioms.

Every registry entry of ``test_layers`` is built in both front-ends: the same key must give
bit-identical parameter trees (Haiku's without its module name), and a Haiku tree loaded
with `layers.equinox.load` must give the same outputs. A representative subset is then
checked the way ``test_layers`` checks the Haiku modules.
"""

import functools
import inspect
import subprocess
import sys
from pathlib import Path

import equinox as eqx
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import test_layers as registry
from jax.test_util import check_grads
from test_layers import BASELINES, GATED, REGISTRY

import layers.equinox as E
from emlp_core import Scalar, V
from groups import SO, O
from layers import assert_equivariant
from layers import haiku as H

ROOT = Path(__file__).resolve().parents[2]
EVERY_LAYER = REGISTRY + GATED + BASELINES
KEY = jax.random.PRNGKey(7)


def _ours(builder, rep_in, rep_out, G, key, dtype=jnp.float32):
    """The Equinox module a Haiku builder of ``test_layers`` builds (same arguments)."""
    if builder is registry._linear:
        return E.Linear(rep_in(G), rep_out(G), key=key, dtype=dtype)
    if builder is registry._bilinear:
        return E.BiLinear(rep_in(G), rep_out(G), key=key, dtype=dtype)
    if builder is registry._block:
        return E.EMLPBlock(rep_in(G), rep_out(G), key=key, dtype=dtype)
    if builder is registry._gate:
        return E.GatedNonlinearity(rep_in(G))
    if builder is registry._emlp:
        return E.EMLP(rep_in, rep_out, G, ch=48, num_layers=1, key=key, dtype=dtype)
    if builder is registry._deep_emlp:
        return E.EMLP(rep_in, rep_out, G, ch=48, num_layers=2, key=key, dtype=dtype)
    if builder is registry._mlp:
        return E.MLP(rep_in, rep_out, G, ch=32, num_layers=2, key=key, dtype=dtype)
    if builder is registry._standardized:  # the statistics the Haiku builder computed
        stats = inspect.getclosurevars(builder(rep_in, rep_out, G)).nonlocals["stats"]
        network = E.EMLP(rep_in(G), rep_out(G), G, ch=24, num_layers=1, key=key, dtype=dtype)
        return E.Standardize(network, stats)
    if builder.__qualname__.startswith("_dynamics."):
        cls = getattr(E, inspect.getclosurevars(builder).nonlocals["cls"].__name__)
        return cls(rep_in, G, ch=24, num_layers=1, key=key, dtype=dtype)
    raise KeyError(f"no Equinox counterpart of the builder {builder.__qualname__}")


def _core_tree(haiku_params) -> dict:
    """Haiku's tree without its leading module name (``Standardize`` adds none: its
    network is built outside it)."""
    tree = {}
    for scope, values in haiku_params.items():
        rest = scope.partition("/")[2]
        if not rest:  # a single layer: its tree is {name: array}
            assert len(haiku_params) == 1, sorted(haiku_params)
            return dict(values)
        tree[rest] = dict(values)
    return tree


def _flat(tree) -> dict:
    """``{path: leaf}`` of a nested mapping."""
    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return {jax.tree_util.keystr(path): leaf for path, leaf in leaves}


def _suite(examples):
    return pytest.mark.parametrize(
        "name, builder, rep_in, rep_out, G",
        examples,
        ids=lambda v: v if isinstance(v, str) else "",
    )


def _pick(*names):
    picked = [example for example in EVERY_LAYER if example[0] in names]
    assert len(picked) == len(names), names
    return picked


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
    fn, in_rep, out_rep = registry._build(builder, rep_in, rep_out, G)
    x = registry._inputs(in_rep, np.float32)
    model = _ours(builder, rep_in, rep_out, G, KEY)
    haiku_params = fn.init(KEY, x)
    theirs, ours = _flat(_core_tree(haiku_params)), _flat(E.params(model))
    assert ours.keys() == theirs.keys()
    for path, leaf in ours.items():
        assert leaf.dtype == theirs[path].dtype == jnp.float32, path
        np.testing.assert_array_equal(leaf, theirs[path], err_msg=path)
    assert ours or builder is registry._gate

    # another Haiku tree (every parameter moved, biases too), loaded into the Equinox module
    noise = iter(np.random.default_rng(1).standard_normal(len(theirs)))
    other = jax.tree_util.tree_map(lambda a: a + 0.1 * next(noise), haiku_params)
    loaded = E.load(model, _core_tree(other))
    reloaded = _flat(E.params(loaded))
    assert reloaded.keys() == ours.keys()
    for path, leaf in _flat(_core_tree(other)).items():
        np.testing.assert_array_equal(reloaded[path], leaf, err_msg=path)
    y = loaded(x)
    assert y.shape == (8, out_rep.size()) and y.dtype == jnp.float32
    np.testing.assert_allclose(y, fn.apply(other, x), rtol=1e-6, atol=1e-6)


SUBSET = _pick(
    "linear-o5", "bilinear-so3", "gate-so3", "emlp-o5", "emlp-s5", "standardize-o5", "emlph-so3"
)


def _expected_shapes(fn, x) -> dict:
    """``{path: ShapeDtypeStruct}`` of the Haiku module's parameters (traced, not drawn)."""
    return _flat(_core_tree(jax.eval_shape(fn.init, KEY, x)))


@_suite(SUBSET)
def test_float32_equivariant_jit_equals_eager_shapes_and_count(name, builder, rep_in, rep_out, G):
    fn, in_rep, out_rep = registry._build(builder, rep_in, rep_out, G)
    x = registry._inputs(in_rep, np.float32)
    model = _ours(builder, rep_in, rep_out, G, KEY)
    jitted = eqx.filter_jit(lambda m, z: m(z))
    y = jitted(model, x)
    np.testing.assert_allclose(y, model(x), rtol=1e-5, atol=1e-6)
    assert float(jnp.std(y)) > 1e-3
    assert_equivariant(lambda z: jitted(model, z), in_rep, out_rep, x=x, rtol=1e-5)

    expected = _expected_shapes(fn, x)
    got = _flat(E.params(model))
    assert {p: (a.shape, a.dtype) for p, a in got.items()} == {
        p: (s.shape, s.dtype) for p, s in expected.items()
    }
    count = sum(int(np.prod(s.shape)) for s in expected.values())
    assert E.num_params(model) == count == E.num_params(E.params(model))
    assert count == H.num_params(jax.eval_shape(fn.init, KEY, x))


HAIKU_CHECKED = {"linear-o5", "emlp-o5", "emlph-so3"}  # float64 values and eager runs
GRADIENT_CHECKED = {"linear-o5", "bilinear-so3", "standardize-o5"}


@_suite(SUBSET)
def test_float64_parameters_equivariance_jit_and_gradients(
    name, builder, rep_in, rep_out, G, float64
):
    """float64 parameters of Haiku's shapes, equivariance to 1e-10; on a few entries
    Haiku's values and jit equal to eager, on others gradients in the parameter tree
    (through `load`) and in the inputs against finite differences."""
    fn, in_rep, out_rep = registry._build(builder, rep_in, rep_out, G)
    x = registry._inputs(in_rep, np.float64)
    model = _ours(builder, rep_in, rep_out, G, KEY, dtype=jnp.float64)
    got = _flat(E.params(model))
    expected = _expected_shapes(fn, x)  # Haiku: the input's dtype, float64
    assert {p: (a.shape, a.dtype) for p, a in got.items()} == {
        p: (s.shape, s.dtype) for p, s in expected.items()
    }
    assert all(a.dtype == jnp.float64 for a in got.values())
    jitted = eqx.filter_jit(lambda m, z: m(z))
    y = jitted(model, x)
    assert y.dtype == jnp.float64
    assert_equivariant(lambda z: jitted(model, z), in_rep, out_rep, x=x, rtol=1e-10)
    if name in HAIKU_CHECKED:
        theirs = _flat(_core_tree(fn.init(KEY, x)))
        assert all(np.array_equal(a, theirs[p]) for p, a in got.items())
        np.testing.assert_allclose(y, model(x), rtol=1e-12, atol=1e-12)
    if name in GRADIENT_CHECKED:
        apply = jax.jit(lambda tree, z: E.load(model, tree)(z))
        tree = E.params(model)
        check_grads(apply, (tree, x), order=1, modes=["rev"], eps=1e-6, atol=1e-6, rtol=1e-6)


@_suite(SUBSET)
def test_training_step_compiles_once_with_filter_jit_and_with_partition(
    name, builder, rep_in, rep_out, G
):
    """Three batches: one trace of an ``eqx.filter_jit`` step (``eqx.filter_grad``), one
    compilation of a ``jax.jit`` step over ``eqx.partition`` (static half a static
    argument), and both steps give the same parameters."""
    _, in_rep, _ = registry._build(builder, rep_in, rep_out, G)
    model = _ours(builder, rep_in, rep_out, G, KEY)
    loss = lambda m, z: jnp.mean(m(z) ** 2)  # noqa: E731
    traces = []

    @eqx.filter_jit
    def step(m, z):
        traces.append(None)
        grads = eqx.filter_grad(loss)(m, z)
        return eqx.apply_updates(m, jax.tree_util.tree_map(lambda g: -0.01 * g, grads))

    dynamic, static = eqx.partition(model, eqx.is_inexact_array)

    @functools.partial(jax.jit, static_argnums=1)
    def partitioned_step(d, s, z):
        grads = jax.grad(lambda q: loss(eqx.combine(q, s), z))(d)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, d, grads)

    trained = model
    for seed in range(3):
        z = registry._inputs(in_rep, np.float32, seed=seed)
        trained = step(trained, z)
        dynamic = partitioned_step(dynamic, static, z)
    assert len(traces) == 1
    assert partitioned_step._cache_size() == 1
    after, before = _flat(E.params(trained)), _flat(E.params(model))
    assert all(a.dtype == jnp.float32 for a in after.values())
    unchanged = {p for p in before if np.array_equal(after[p], before[p])}
    # every parameter trains, except an energy's constant (it does not move J grad H)
    assert unchanged == ({"['linear']['bias->Scalar']"} if name.startswith("emlph") else set())
    combined = _flat(E.params(eqx.combine(dynamic, static)))
    for path, value in after.items():
        np.testing.assert_allclose(value, combined[path], rtol=1e-5, atol=1e-7, err_msg=path)


@_suite(BASELINES)
def test_baselines_are_not_equivariant(name, builder, rep_in, rep_out, G):
    _, in_rep, out_rep = registry._build(builder, rep_in, rep_out, G)
    model = _ours(builder, rep_in, rep_out, G, KEY)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(model, in_rep, out_rep, x=registry._inputs(in_rep, np.float32))


def test_hamiltonian_is_the_energy_whose_symplectic_gradient_is_the_output():
    G = SO(3)
    x = registry._inputs((2 * V)(G), np.float32)
    model = E.EMLPH(2 * V, G, ch=24, num_layers=1, key=KEY)
    fn = hk.without_apply_rng(
        hk.transform(lambda z: H.EMLPH(2 * V, G, ch=24, num_layers=1).hamiltonian(z))
    )
    energy = model.hamiltonian(x)
    assert energy.shape == (8,)
    np.testing.assert_array_equal(energy, model(x, energy=True))
    np.testing.assert_allclose(energy, fn.apply(fn.init(KEY, x), x), rtol=1e-6, atol=1e-6)
    grad = jax.grad(lambda z: model.hamiltonian(z).sum())(jnp.asarray(x))
    half = grad.shape[1] // 2  # (q, p) -> (dH/dp, -dH/dq)
    np.testing.assert_allclose(
        model(x), jnp.concatenate([grad[:, half:], -grad[:, :half]], 1), rtol=1e-6, atol=1e-7
    )


def test_checked_in_haiku_tree_is_drawn_again_and_loads_with_the_saved_output():
    """``data/emlp_o3_tree.npz``: a Haiku ``EMLP(2V + Scalar, V + Scalar, O(3), ch=16, 2
    layers)`` initialised with ``PRNGKey(0)``, its input and output."""
    data = np.load(Path(__file__).parent / "data" / "emlp_o3_tree.npz")
    saved: dict = {}
    for entry in data.files:
        if not entry.startswith("__"):
            scope, name = entry.split("|")
            saved.setdefault(scope.removeprefix("emlp/"), {})[name] = data[entry]
    model = E.EMLP(2 * V + Scalar, V + Scalar, O(3), ch=16, num_layers=2, key=jax.random.PRNGKey(0))
    drawn = _flat(E.params(model))
    assert drawn.keys() == _flat(saved).keys()
    for path, value in _flat(saved).items():
        np.testing.assert_array_equal(drawn[path], value, err_msg=path)
    moved = jax.tree_util.tree_map(lambda a: a + 0.5, saved)
    assert not np.allclose(E.load(model, moved)(data["__x__"]), data["__y__"], atol=1e-3)
    loaded = E.load(E.EMLP(2 * V + Scalar, V + Scalar, O(3), ch=16, num_layers=2, key=KEY), saved)
    np.testing.assert_allclose(loaded(data["__x__"]), data["__y__"], rtol=1e-6, atol=1e-6)


def test_params_returns_copies_and_standardize_holds_its_network_tree():
    model = _ours(*_pick("standardize-o5")[0][1:], KEY)
    tree = E.params(model)
    tree.pop("linear")
    tree["block_0/linear"].clear()
    assert E.params(model) == E.params(model.network)
    assert set(E.params(model)) == {"block_0/linear", "block_0/bilinear", "linear"}
    assert E.params(model)["block_0/linear"]
    assert E.num_params(model) == E.num_params(model.network) > 0
    trained = jax.tree_util.tree_leaves(eqx.filter(model, eqx.is_inexact_array))
    assert sum(leaf.size for leaf in trained) == E.num_params(model)  # not the statistics


GROUP = O(3)


@functools.cache
def _small_emlp():
    return E.EMLP(V, V + Scalar, GROUP, ch=16, num_layers=1, key=KEY)


def _bad_tree(change):
    tree = E.params(_small_emlp())
    change(tree)
    return tree


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: E.Linear(V(SO(3)), V(SO(3)), key=KEY)(jnp.ones((2, 4))),
            ValueError,
            r"inputs \(\.\.\., 3\).*got shape \(2, 4\)",
        ),
        (lambda: _small_emlp()(jnp.ones((2, 5))), ValueError, r"got shape \(2, 5\)"),
        (lambda: _small_emlp()(jnp.ones((2, 3), jnp.int32)), TypeError, "real floating dtype"),
        (
            lambda: E.Linear(V(SO(3)), V(SO(3)), key=KEY)(jnp.ones((2, 3), jnp.int32)),
            TypeError,
            "real floating dtype",
        ),
        (
            lambda: E.GatedNonlinearity((V + Scalar)(SO(3)))(jnp.ones((2, 4))),
            ValueError,
            r"\(2, 4\)",
        ),
        (
            lambda: E.EMLPode(2 * V, SO(3), ch=8, key=KEY)(jnp.ones((2, 5))),
            ValueError,
            r"\(batch, 6\)",
        ),
        (lambda: E.Linear(V(SO(3)), V(O(3)), key=KEY), ValueError, "same group"),
        (lambda: E.Linear(V, V(SO(3)), key=KEY), ValueError, "has no group"),
        (lambda: E.EMLP(V, V, "SO(3)", key=KEY), TypeError, "groups.Group"),
        (lambda: E.EMLP(V, V, SO(3), ch=[8], key=KEY), ValueError, "ch must be"),
        (lambda: E.EMLP(V, V, SO(3), init_gain=0.0, key=KEY), ValueError, "init_gain"),
        (lambda: E.EMLPH((2 * V)(O(3)), SO(3), key=KEY), ValueError, "already bound"),
        (lambda: E.EMLP(V, V, SO(3), ch=8, key=None), TypeError, "needs a key"),
        (lambda: E.MLP(V, V, SO(3), ch=8, key=KEY, dtype=jnp.int32), TypeError, "dtype must"),
        (lambda: E.EMLP(V, V, SO(3), ch=8, key=KEY, dtype=jnp.float64), ValueError, "64-bit"),
        (
            lambda: E.load(_small_emlp(), _bad_tree(lambda t: t.pop("linear"))),
            ValueError,
            r"missing \['linear'\]",
        ),
        (
            lambda: E.load(_small_emlp(), _bad_tree(lambda t: t["linear"].update(w=jnp.ones(1)))),
            ValueError,
            r"EMLP\['linear'\] has the wrong names: missing \[\], unexpected \['w'\]",
        ),
        (
            lambda: E.load(
                _small_emlp(), _bad_tree(lambda t: t["linear"].update({"V->V": jnp.ones(3)}))
            ),
            ValueError,
            r"EMLP\['linear'\]\['V->V'\] has shape \(3,\); the module's parameter has shape "
            r"\(1, 2, 1\)",
        ),
        (
            lambda: E.load(_small_emlp(), {f"emlp/{k}": v for k, v in _bad_tree(id).items()}),
            ValueError,
            "a Haiku tree: drop its leading module name",
        ),
        (
            lambda: E.load(
                _small_emlp(),
                _bad_tree(lambda t: t["linear"].update({"V->V": jnp.ones((1, 2, 1), int)})),
            ),
            TypeError,
            "must be a real floating array",
        ),
        (lambda: E.load(_small_emlp(), [1.0]), ValueError, "EMLP must be a mapping"),
        (lambda: E.load(eqx.nn.Identity(), {}), TypeError, "a module of layers.equinox"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_importing_without_equinox_says_how_to_install_it():
    code = (
        "import sys\n"
        "sys.modules['equinox'] = None\n"
        "import layers.core, layers.functional\n"
        "try:\n"
        "    import layers.equinox\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "layers.equinox needs equinox: pip install '.[equinox]'"
