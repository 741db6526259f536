"""Checkpoints of the dynamics, regular-MLP and shallow plans (`layers.checkpoint_kinds`).

Each kind must come back from save -> load with the same parameters, the same basis
hashes and bit-identical outputs; a changed group, an unknown kind and malformed options
are refused with a clear error.
"""

import json
import shutil

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from emlp_core import Scalar, V
from groups import SO, D, Embed, O, S, Z
from layers.checkpoint import load, save
from layers.checkpoint_spec import GroupSpec, ModelSpec, basis_hashes
from layers.dynamics import DynamicsPlan, dynamics_apply, dynamics_init, dynamics_plan
from layers.haiku import EMLPH
from layers.regular import regular_mlp_apply, regular_mlp_init, regular_mlp_plan
from layers.shallow import shallow_apply, shallow_init, shallow_plan
from layers.training import Checkpointing, train

PLANE = Embed(SO(2), 3, [0, 1])  # rotations about z of R^3, as in benchmarks/pendulum.py
SHIFT, SCALE = np.r_[0, 0, -1.5, 0, 0, 0], np.r_[[2.0] * 6]  # z shifted: still invariant


def _dynamics(layer):
    def make():
        plan = dynamics_plan(layer, 2 * V, PLANE, ch=8, num_layers=1, shift=SHIFT, scale=SCALE)
        return plan, dynamics_init(plan, jax.random.PRNGKey(1)), dynamics_apply

    return make


def _regular(rep_in, rep_out, group, **kwargs):
    def make():
        plan = regular_mlp_plan(rep_in, rep_out, group, **kwargs)
        return plan, regular_mlp_init(plan, jax.random.PRNGKey(2)), regular_mlp_apply

    return make


def _shallow():
    plan = shallow_plan(Z(4), channels=[1, 2, 1, 3, 2])
    return plan, shallow_init(plan, jax.random.PRNGKey(3)), shallow_apply


CASES = {
    "EMLPH": ("dynamics", _dynamics("EMLPH")),
    "MLPH": ("dynamics", _dynamics("MLPH")),
    "EMLPode": ("dynamics", _dynamics("EMLPode")),
    "MLPode": ("dynamics", _dynamics("MLPode")),
    "regular-D4-relu": ("regular_mlp", _regular(V, Scalar, D(4), ch=2)),
    "regular-S3-swish-2": (
        "regular_mlp",
        _regular(V, V, S(3), ch=1, num_layers=2, activation="swish"),
    ),
    "shallow-Z4": ("shallow", _shallow),
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Every case built and saved once: ``{name: (path, plan, params, apply)}``."""
    root, out = tmp_path_factory.mktemp("kinds"), {}
    for name, (_, make) in CASES.items():
        plan, params, apply = make()
        out[name] = (save(root / name, params, plan, step=5), plan, params, apply)
    return out


def _inputs(plan):
    size = plan.d if hasattr(plan, "d") else plan.rep_in.size()
    return jnp.asarray(np.random.default_rng(0).normal(size=(6, size)).astype(np.float32))


def _edit_spec(path, edit):
    meta = json.loads((path / "spec.json").read_text())
    edit(meta)
    (path / "spec.json").write_text(json.dumps(meta))


def _copy(saved, name, tmp_path):
    target = tmp_path / name
    shutil.copytree(saved[name][0], target)
    return target


@pytest.mark.parametrize("name", CASES)
def test_round_trip_is_bit_identical(saved, name):
    path, plan, params, apply = saved[name]
    checkpoint = load(path)
    assert checkpoint.spec.kind == CASES[name][0] and checkpoint.step == 5
    assert ModelSpec.from_json(checkpoint.spec.to_json()).options == checkpoint.spec.options
    assert checkpoint.plan.param_specs() == getattr(plan, "network", plan).param_specs()
    hashes = basis_hashes(plan)
    assert basis_hashes(checkpoint.plan) == hashes and all(len(h) == 64 for h in hashes.values())
    for scope in params:
        for key in params[scope]:
            saved_array, loaded = np.asarray(params[scope][key]), checkpoint.params[scope][key]
            assert saved_array.dtype == loaded.dtype
            np.testing.assert_array_equal(loaded, saved_array)
    x = _inputs(plan)
    expected = np.asarray(apply(plan, params, x))
    loaded_params = jax.tree_util.tree_map(jnp.asarray, checkpoint.params)
    np.testing.assert_array_equal(np.asarray(apply(checkpoint.plan, loaded_params, x)), expected)


def test_hashes_cover_every_basis(saved):
    assert sorted(basis_hashes(saved["EMLPH"][1])) == [
        "block_0/bilinear", "block_0/linear", "linear"]  # fmt: skip
    assert basis_hashes(saved["MLPode"][1]) == {}  # an MLP has no basis
    assert sorted(basis_hashes(saved["regular-S3-swish-2"][1])) == [
        "linear_0", "linear_1", "linear_2"]  # fmt: skip
    shallow = saved["shallow-Z4"][1]
    assert sorted(basis_hashes(shallow)) == sorted(a.name for a in shallow.architectures)


def test_dynamics_spec_records_layer_and_standardization(saved):
    spec = load(saved["EMLPH"][0]).spec
    assert spec.options["layer"] == "EMLPH" and spec.rep_out == "Scalar(Embed(SO(2), 3, [0, 1]))"
    assert spec.options["shift"] == [0, 0, -1.5, 0, 0, 0] and spec.options["scale"] == [2.0] * 6
    plan = load(saved["EMLPode"][0]).plan
    assert isinstance(plan, DynamicsPlan) and plan.kind == "ode"


def test_haiku_dynamics_tree_keeps_its_prefix(tmp_path):
    model = hk.without_apply_rng(hk.transform(lambda z: EMLPH(2 * V, PLANE, ch=8, num_layers=1)(z)))
    z = _inputs(dynamics_plan("EMLPH", 2 * V, PLANE, ch=8, num_layers=1))
    params = model.init(jax.random.PRNGKey(0), z)
    plan = dynamics_plan("EMLPH", 2 * V, PLANE, ch=8, num_layers=1)
    checkpoint = load(save(tmp_path / "hk", params, plan))
    assert checkpoint.prefix == "emlph/" and sorted(checkpoint.params) == sorted(params)
    np.testing.assert_array_equal(model.apply(checkpoint.params, z), model.apply(params, z))


def test_training_loop_checkpoints_a_dynamics_model(tmp_path):
    plan = dynamics_plan("MLPode", 2 * V, PLANE, ch=8, num_layers=1)
    z = np.random.default_rng(1).normal(size=(32, 6)).astype(np.float32)

    def loss(params, zb, db):
        return jnp.mean((dynamics_apply(plan, params, zb) - db) ** 2)

    result = train(loss, dynamics_init(plan, jax.random.PRNGKey(0)), (z, -z),
                   optimizer=optax.adam(1e-2), epochs=2, batch_size=16, progress=False,
                   checkpoint=Checkpointing(tmp_path / "run", plan))  # fmt: skip
    checkpoint = load(tmp_path / "run")
    assert checkpoint.spec.kind == "dynamics" and checkpoint.step == result.steps
    for scope, names in result.last_params.items():
        for key, array in names.items():
            np.testing.assert_array_equal(checkpoint.params[scope][key], np.asarray(array))


def _scale_generators(meta):
    group = meta["model"]["group"]
    field = "lie_algebra" if group["lie_algebra"]["values"] else "discrete_generators"
    group[field]["values"] = [2 * v for v in group[field]["values"]]


@pytest.mark.parametrize("name", ["EMLPH", "regular-D4-relu", "shallow-Z4"])
def test_changed_group_is_refused(saved, name, tmp_path):
    path = _copy(saved, name, tmp_path)
    _edit_spec(path, _scale_generators)
    with pytest.raises(ValueError, match="cannot be rebuilt.*different group"):
        load(path)


def test_another_group_under_the_same_name_is_refused_by_its_bases(saved, tmp_path):
    """O(2)'s generators (and key) under SO(2)'s name: the reps parse, the bases differ."""
    path = _copy(saved, "EMLPH", tmp_path)
    other = GroupSpec.from_group(Embed(O(2), 3, [0, 1])).to_json()
    _edit_spec(path, lambda meta: meta["model"]["group"].update({**other, "name": repr(PLANE)}))
    with pytest.raises(ValueError, match="basis of block .* differs"):
        load(path)


def test_tampered_hash_of_a_regular_layer_is_refused(saved, tmp_path):
    path = _copy(saved, "regular-D4-relu", tmp_path)
    _edit_spec(path, lambda meta: meta["basis_hashes"].update({"linear_1": "0" * 64}))
    with pytest.raises(ValueError, match="'linear_1'.*Refusing to load"):
        load(path)


def test_unknown_kind_is_refused(saved, tmp_path):
    spec = ModelSpec.from_plan(saved["regular-D4-relu"][1])
    unknown = ModelSpec.from_json({**spec.to_json(), "kind": "transformer"})
    with pytest.raises(ValueError, match=r"kind must be one of \[.*'shallow'\]; got 'transformer'"):
        unknown.build()
    path = _copy(saved, "regular-D4-relu", tmp_path)
    _edit_spec(path, lambda meta: meta["model"].update({"kind": "transformer"}))
    with pytest.raises(ValueError, match="cannot be rebuilt.*'transformer'"):
        load(path)
    with pytest.raises(TypeError, match="from_plan needs an EMLPPlan, .*got dict"):
        ModelSpec.from_plan({"linear_0": {}})


@pytest.mark.parametrize(
    "name, edit, message",
    [
        ("regular-D4-relu", lambda o: o.pop("activation"), r"options\['activation'\]"),
        ("EMLPH", lambda o: o.update(layer="EMLPX"), "layer must be one of"),
        ("shallow-Z4", lambda o: o["channels"].pop(), "as many names, kernels and channels"),
        ("shallow-Z4", lambda o: o["names"].__setitem__(0, "type1_H9"), r"\['type1_H9'\]"),
    ],
    ids=["no-activation", "bad-layer", "short-channels", "unknown-architecture"],
)
def test_malformed_options_are_refused(saved, tmp_path, name, edit, message):
    path = _copy(saved, name, tmp_path)
    _edit_spec(path, lambda meta: edit(meta["model"]["options"]))
    with pytest.raises(ValueError, match=message):
        load(path)
