"""One core, three front-ends: framework-free imports, stable names, one parameter tree."""

import pathlib
import subprocess
import sys

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import Scalar, V
from groups import O

TREE = pathlib.Path(__file__).parent / "data" / "emlp_o3_tree.npz"


def _saved_tree():
    """The checked-in Haiku tree of ``EMLP(2V + Scalar, V + Scalar, O(3), ch=16, 2 layers)``."""
    data = np.load(TREE)
    tree: dict = {}
    for key in data.files:
        if key.startswith("__"):
            continue
        scope, name = key.split("|")
        tree.setdefault(scope, {})[name] = jnp.asarray(data[key])
    return tree, jnp.asarray(data["__x__"]), np.asarray(data["__y__"])


def _haiku_model():
    from layers.haiku import EMLP

    return hk.without_apply_rng(
        hk.transform(lambda x: EMLP(2 * V + Scalar, V + Scalar, O(3), ch=16, num_layers=2)(x))
    )


def test_core_imports_and_runs_without_any_framework():
    """``layers.functional`` and ``layers.core`` with haiku, flax and equinox blocked."""
    script = """
import sys
for name in ("haiku", "flax", "equinox"):
    sys.modules[name] = None
import jax, jax.numpy as jnp
import layers.core as core, layers.functional as F
from emlp_core import V, Scalar
from groups import O
plan = core.emlp_plan(2 * V, Scalar, O(5), ch=16, num_layers=1)
params = core.emlp_init(plan, core.model_key(jax.random.PRNGKey(0)))
print(core.emlp_apply(plan, params, jnp.ones((3, 10))).shape)
try:
    import layers.haiku
except ImportError:
    print("haiku blocked")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(3,", "1)", "haiku", "blocked"]


def test_checked_in_tree_still_loads_with_the_same_names_and_output():
    tree, x, y = _saved_tree()
    model = _haiku_model()
    fresh = model.init(jax.random.PRNGKey(0), x)
    # names and shapes are stable ...
    assert {s: {n: a.shape for n, a in p.items()} for s, p in fresh.items()} == {
        s: {n: a.shape for n, a in p.items()} for s, p in tree.items()
    }
    assert "V->V" in tree["emlp/block_0/linear"] and "bias->Scalar" in tree["emlp/linear"]
    # ... the same key still draws the same values (the initialisation rule is stable) ...
    for scope, leaves in tree.items():
        for name, value in leaves.items():
            np.testing.assert_array_equal(fresh[scope][name], value)
    # ... and the saved tree gives the saved output
    np.testing.assert_allclose(model.apply(tree, x), y, rtol=1e-6, atol=1e-6)


def test_core_tree_is_the_haiku_tree_without_the_module_name():
    from layers import core

    tree, x, y = _saved_tree()
    plan = core.emlp_plan(2 * V + Scalar, V + Scalar, O(3), ch=16, num_layers=2)
    drawn = core.emlp_init(plan, core.model_key(jax.random.PRNGKey(0)))
    assert sorted(drawn) == sorted(scope.removeprefix("emlp/") for scope in tree)
    for scope, leaves in tree.items():
        for name, value in leaves.items():
            np.testing.assert_array_equal(drawn[scope.removeprefix("emlp/")][name], value)
    core_tree = {scope.removeprefix("emlp/"): leaves for scope, leaves in tree.items()}
    np.testing.assert_allclose(core.emlp_apply(plan, core_tree, x), y, rtol=1e-6, atol=1e-6)


def test_parameter_names_do_not_depend_on_the_order_of_types():
    """The same map written with its summands in another order has the same named blocks."""
    from layers.bases import linear_basis

    G = O(3)
    a = linear_basis((V + Scalar + V**2)(G), (Scalar + V)(G))
    b = linear_basis((V**2 + V + Scalar)(G), (V + Scalar)(G))
    specs_a = {name: shape for name, shape, _ in a.parameter_specs()}
    specs_b = {name: shape for name, shape, _ in b.parameter_specs()}
    assert specs_a == specs_b
    assert {"V->V", "Scalar->Scalar", "V**2->Scalar", "bias->Scalar"} <= set(specs_a)


@pytest.mark.parametrize("missing", ["flax", "equinox"])
def test_front_end_without_its_framework_says_how_to_install_it(missing):
    script = f"""
import sys
sys.modules[{missing!r}] = None
try:
    import layers.{missing}
except ImportError as error:
    print(error)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"pip install '.[{missing}]'" in done.stdout


def test_clear_cache_empties_every_registered_cache():
    from emlp_core import RegularRep
    from emlp_core.fourier import _irreps, real_irreps
    from emlp_core.solver import clear_cache
    from groups import S, character_table, element_table
    from groups.characters import _character_table
    from groups.enumeration import _table
    from layers.bases import _linear_basis, layout, linear_basis

    G = S(4)
    element_table(G), character_table(G), real_irreps(G)
    linear_basis(RegularRep(G), V(G))
    caches = (_table, _character_table, _irreps, _linear_basis, layout)
    assert all(c.cache_info().currsize > 0 for c in caches)
    clear_cache()
    assert [c.cache_info().currsize for c in caches] == [0] * len(caches)


def test_checked_in_tree_loads_in_flax_with_the_same_parameters_and_output():
    from flax import nnx

    from layers import flax as lf

    tree, x, y = _saved_tree()
    core_tree = {scope.removeprefix("emlp/"): leaves for scope, leaves in tree.items()}
    model = lf.EMLP(2 * V + Scalar, V + Scalar, O(3), ch=16, num_layers=2, rngs=nnx.Rngs(0))
    drawn = lf.params(model)  # nnx.Rngs(0): the key PRNGKey(0) the tree was drawn from
    for scope, leaves in core_tree.items():
        for name, value in leaves.items():
            np.testing.assert_array_equal(drawn[scope][name], value)
    lf.load(model, core_tree)
    np.testing.assert_allclose(model(x), y, rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------- load
def _set(scope: str, name: str, value):
    """A change to a tree: ``tree[scope][name] = value``."""
    return lambda tree: {**tree, scope: {**tree[scope], name: value}}


def _renamed(tree):  # the output layer's "V->V" under the name of another map
    out = {k: v for k, v in tree["linear"].items() if k != "V->V"}
    return {**tree, "linear": {**out, "V**2->V": tree["linear"]["V->V"]}}


BAD_TREES = {  # a change to a good tree; the error; the message, as in both front-ends
    "wrong name": (
        _renamed,
        ValueError,
        r"^load: EMLP\['linear'\] has the wrong names: missing \['V->V'\], unexpected "
        r"\['V\*\*2->V'\]; expected \['Scalar->Scalar', 'V->V', 'bias->Scalar'\]\.$",
    ),
    "missing scope": (
        lambda tree: {k: v for k, v in tree.items() if k != "linear"},
        ValueError,
        r"^load: EMLP has the wrong names: missing \['linear'\], unexpected \[\]; expected ",
    ),
    "missing name": (
        lambda tree: {**tree, "linear": {"V->V": tree["linear"]["V->V"]}},
        ValueError,
        r"missing \['Scalar->Scalar', 'bias->Scalar'\], unexpected \[\]",
    ),
    "extra name": (
        _set("block_0/linear", "V**2->V", jnp.ones((2, 1, 1))),
        ValueError,
        r"^load: EMLP\['block_0/linear'\] has the wrong names: missing \[\], unexpected "
        r"\['V\*\*2->V'\]",
    ),
    "extra scope": (
        lambda tree: {**tree, "block_1/linear": tree["block_0/linear"]},
        ValueError,
        r"unexpected \['block_1/linear'\]; expected \[[^(]*\]\.$",  # not taken for Haiku's
    ),
    "haiku tree": (
        lambda tree: {f"emlp/{scope}": leaves for scope, leaves in tree.items()},
        ValueError,
        r"a Haiku tree: drop its leading module name, e\.g\. 'emlp/block_0/linear' -> "
        r"'block_0/linear', and pass params\['linear'\] for a single layer\)\.$",
    ),
    "wrong shape": (
        _set("linear", "V->V", jnp.ones((1, 1, 2))),
        ValueError,
        r"^load: EMLP\['linear'\]\['V->V'\] has shape \(1, 1, 2\); the module's parameter "
        r"has shape \(1, 2, 1\)\.$",
    ),
    "wrong dtype": (
        _set("linear", "bias->Scalar", jnp.ones((1, 1), jnp.int32)),
        TypeError,
        r"^load: EMLP\['linear'\]\['bias->Scalar'\] must be a real floating array; got "
        r"dtype int32\.$",
    ),
    "complex": (
        _set("linear", "bias->Scalar", jnp.ones((1, 1), jnp.complex64)),
        TypeError,
        r"must be a real floating array; got dtype complex64\.$",
    ),
    "not an array": (
        _set("linear", "bias->Scalar", "0.5"),
        ValueError,
        r"^load: EMLP\['linear'\]\['bias->Scalar'\] must be an array; got str\.$",
    ),
    "mapping for an array": (
        _set("linear", "bias->Scalar", {"b": jnp.ones((1, 1))}),
        ValueError,
        r"\['bias->Scalar'\] must be an array; got a mapping\.$",
    ),
    "array for a mapping": (
        lambda tree: {**tree, "linear": jnp.ones(3)},
        ValueError,
        r"^load: EMLP\['linear'\] must be a mapping; got ArrayImpl\.$",
    ),
    "not a mapping": (lambda tree: [tree], ValueError, r"^load: EMLP must be a mapping; got list"),
}


@pytest.fixture(scope="module")
def two_emlps():
    """The same EMLP, drawn from one key, in Flax NNX and in Equinox."""
    from flax import nnx

    from layers import equinox as le
    from layers import flax as lf

    key = jax.random.PRNGKey(0)
    build = dict(rep_in=V, rep_out=V + Scalar, group=O(3), ch=16, num_layers=1)
    return lf.EMLP(**build, rngs=nnx.Rngs(key)), le.EMLP(**build, key=key)


@pytest.mark.parametrize("change, error, match", BAD_TREES.values(), ids=BAD_TREES.keys())
def test_flax_and_equinox_refuse_a_bad_tree_with_the_same_error(two_emlps, change, error, match):
    """One check (`layers.frontend.check_tree`) for both: the same error, nothing written."""
    from layers import equinox as le
    from layers import flax as lf

    flax_model, equinox_model = two_emlps
    good = le.params(equinox_model)
    assert jax.tree_util.tree_map(np.shape, lf.params(flax_model)) == jax.tree_util.tree_map(
        np.shape, good
    )
    messages = []
    for load, model in ((lf.load, flax_model), (le.load, equinox_model)):
        with pytest.raises(error, match=match) as caught:
            load(model, change(good))
        assert type(caught.value) is error
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    # nothing was written: the Flax module (changed in place) still has the Equinox tree
    jax.tree_util.tree_map(np.testing.assert_array_equal, lf.params(flax_model), good)


def test_front_end_helpers_import_without_any_framework():
    """`layers.frontend`, shared by the front-ends, imports with every framework blocked."""
    script = """
import sys
for name in ("haiku", "flax", "equinox"):
    sys.modules[name] = None
import jax.numpy as jnp
from layers.frontend import check_tree
print(check_tree({"w": [1.0, 2.0]}, {"w": jnp.zeros(2)}, "Linear")["w"].dtype)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["float32"]
