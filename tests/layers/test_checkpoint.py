"""Checkpoints: save -> load gives the same model, and a changed model is refused."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import jax
import numpy as np
import optax  # the test extra installs orbax-checkpoint, so these tests always run
import pytest

from emlp_core import V
from groups import SO, O, S
from layers.checkpoint import load, save
from layers.checkpoint_spec import GroupSpec, ModelSpec, basis_hashes
from layers.core import emlp_apply, emlp_init, emlp_plan, mlp_apply, mlp_init, mlp_plan

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _mixed_plan():
    return emlp_plan(V(S(4)) * V(SO(3)) + V(SO(3)), V(SO(3)), S(4) * SO(3), ch=16, num_layers=2)


def _inputs(plan, n=4):
    return np.random.default_rng(0).normal(size=(n, plan.rep_in.size())).astype(np.float32)


def _assert_same_tree(a, b):
    assert sorted(a) == sorted(b)
    for scope in a:
        assert sorted(a[scope]) == sorted(b[scope])
        for name in a[scope]:
            x, y = np.asarray(a[scope][name]), np.asarray(b[scope][name])
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """An SO(3) EMLP on V**2 -> V (its bases tell SO(3) from O(3)), saved once."""
    plan = emlp_plan(V**2, V, SO(3), ch=8, num_layers=1)
    params = emlp_init(plan, jax.random.PRNGKey(1))
    path = save(tmp_path_factory.mktemp("ckpt") / "so3", params, plan, step=3)
    return path, plan, params


@pytest.fixture
def copy(saved, tmp_path):
    """A fresh copy of the saved checkpoint, to tamper with."""
    target = tmp_path / "copy"
    shutil.copytree(saved[0], target)
    return target


def _edit_spec(path, edit):
    spec_file = path / "spec.json"
    meta = json.loads(spec_file.read_text())
    edit(meta)
    spec_file.write_text(json.dumps(meta))


@pytest.mark.parametrize("group", [SO(3), O(3), S(4) * SO(3)], ids=repr)
def test_group_rebuilt_from_its_generators_has_the_same_key(group):
    rebuilt = GroupSpec.from_json(json.loads(json.dumps(GroupSpec.from_group(group).to_json())))
    assert rebuilt.build().key == group.key and repr(rebuilt.build()) == repr(group)


def test_emlp_round_trip_is_bit_identical(saved):
    path, plan, params = saved
    checkpoint = load(path)
    _assert_same_tree(checkpoint.params, params)
    assert checkpoint.step == 3 and checkpoint.opt_state is None
    assert checkpoint.spec.kind == "emlp" and checkpoint.spec.rep_in == repr(plan.rep_in)
    assert basis_hashes(checkpoint.plan) == basis_hashes(plan)
    x = _inputs(plan)
    expected = np.asarray(emlp_apply(plan, params, x))
    np.testing.assert_array_equal(
        np.asarray(emlp_apply(checkpoint.plan, checkpoint.params, x)), expected
    )


def test_mlp_round_trip_with_adam_state(tmp_path):
    plan = mlp_plan(V, V, SO(3), ch=8, num_layers=2)
    params = mlp_init(plan, jax.random.PRNGKey(0))
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(params)
    grads = jax.tree_util.tree_map(np.ones_like, params)
    _, opt_state = optimizer.update(grads, opt_state, params)
    save(tmp_path / "mlp", params, ModelSpec.from_plan(plan), opt_state=opt_state, step=1)

    checkpoint = load(tmp_path / "mlp", opt_state_like=optimizer.init(params))
    assert checkpoint.spec.kind == "mlp" and checkpoint.plan.widths == plan.widths
    _assert_same_tree(checkpoint.params, params)
    assert jax.tree_util.tree_structure(checkpoint.opt_state) == jax.tree_util.tree_structure(
        opt_state
    )
    for a, b in zip(
        jax.tree_util.tree_leaves(checkpoint.opt_state),
        jax.tree_util.tree_leaves(opt_state),
        strict=True,
    ):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_array_equal(a, b)
    x = jax.numpy.asarray(_inputs(plan))  # loaded leaves are numpy: keep the matmul in jax
    np.testing.assert_array_equal(
        mlp_apply(checkpoint.plan, checkpoint.params, x), mlp_apply(plan, params, x)
    )
    leaves = load(tmp_path / "mlp").opt_state  # no template: the list of leaves
    assert len(leaves) == len(jax.tree_util.tree_leaves(opt_state))
    with pytest.raises(ValueError, match="does not fit opt_state_like"):
        load(tmp_path / "mlp", opt_state_like=(np.zeros(2),))


def test_mixed_group_loads_bit_identically_in_a_fresh_process(tmp_path):
    plan = _mixed_plan()
    params = emlp_init(plan, jax.random.PRNGKey(2))
    x = _inputs(plan)
    save(tmp_path / "mixed", params, plan)
    np.save(tmp_path / "x.npy", x)
    code = (
        "import sys, numpy as np; from layers.checkpoint import load; "
        "from layers.core import emlp_apply; c = load(sys.argv[1]); "
        "np.save(sys.argv[2], np.asarray(emlp_apply(c.plan, c.params, np.load(sys.argv[3]))))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(tmp_path / name) for name in ("mixed", "y.npy", "x.npy")]
    result = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    y = np.load(tmp_path / "y.npy")
    expected = np.asarray(emlp_apply(plan, params, x))
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y, expected)


def test_tampered_basis_hash_is_refused(copy):
    _edit_spec(copy, lambda meta: meta["basis_hashes"].update({"block_0/bilinear": "0" * 64}))
    with pytest.raises(ValueError, match=r"'block_0/bilinear'.*solver or the group changed"):
        load(copy)


def test_edited_generators_are_a_different_group(copy):
    def scale(meta):
        values = meta["model"]["group"]["lie_algebra"]["values"]
        meta["model"]["group"]["lie_algebra"]["values"] = [2 * v for v in values]

    _edit_spec(copy, scale)
    with pytest.raises(ValueError, match="different group"):
        load(copy)


def test_another_group_under_the_same_name_is_refused_by_its_bases(copy):
    """O(3)'s generators (and key) named "SO(3)": the reps parse, the bases differ."""
    other = GroupSpec.from_group(O(3)).to_json()
    _edit_spec(copy, lambda meta: meta["model"]["group"].update({**other, "name": "SO(3)"}))
    with pytest.raises(ValueError, match="basis of block .* differs"):
        load(copy)


def _data_files(path):
    return sorted(p for p in (path / "state" / "d").rglob("*") if p.is_file())


def _truncate_data(path):
    data = _data_files(path)[0]
    data.write_bytes(data.read_bytes()[:-8])


def _garble_data(path):
    for data in _data_files(path):
        data.write_bytes(bytes(len(data.read_bytes())))


@pytest.mark.parametrize(
    "damage, error, message",
    [
        (lambda p: (p / "spec.json").unlink(), ValueError, "spec.json is missing"),
        (
            lambda p: (p / "spec.json").write_text('{"format": "emlp-'),
            ValueError,
            "not readable JSON",
        ),
        (lambda p: shutil.rmtree(p / "state"), ValueError, "state/ is missing"),
        (lambda p: (p / "state" / "manifest.ocdbt").unlink(), ValueError, "lacks.*manifest"),
        (lambda p: shutil.rmtree(p / "state" / "d"), ValueError, "not a complete checkpoint"),
        (_truncate_data, ValueError, "size or sha256 differ"),
        (_garble_data, ValueError, "size or sha256 differ"),
        (lambda p: shutil.rmtree(p), FileNotFoundError, "no checkpoint directory"),
    ],
    ids=[
        "no-spec",
        "garbled-json",
        "no-state",
        "no-manifest",
        "no-data",
        "truncated",
        "garbled",
        "no-dir",
    ],
)
def test_corrupt_or_partial_directory_gives_a_clear_error(copy, damage, error, message):
    damage(copy)
    with pytest.raises(error, match=message) as info:
        load(copy)
    assert str(copy) in str(info.value)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("rep_in", "V**(", "cannot be rebuilt"),
        ("num_layers", -1, "num_layers"),
        ("kind", 3, "'kind'"),
    ],
)
def test_malformed_spec_gives_a_clear_error(copy, field, value, message):
    _edit_spec(copy, lambda meta: meta["model"].update({field: value}))
    with pytest.raises(ValueError, match=message):
        load(copy)


def test_overwrite_is_refused_unless_asked(saved, copy):
    _, plan, params = saved
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save(copy, params, plan)
    other = emlp_init(plan, jax.random.PRNGKey(5))
    save(copy, other, plan, step=9, overwrite=True)
    checkpoint = load(copy)
    assert checkpoint.step == 9
    _assert_same_tree(checkpoint.params, other)
    assert [p.name for p in copy.parent.iterdir()] == ["copy"]  # no staging left behind


def test_params_that_do_not_fit_the_model_are_refused(saved, tmp_path):
    _, plan, params = saved
    broken = {**params, "linear": {}}
    with pytest.raises(ValueError, match="missing"):
        save(tmp_path / "bad", broken, plan)
    assert not (tmp_path / "bad").exists()
