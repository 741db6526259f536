"""`benchmarks.digits`: the loader, exact invariance and size of the constrained models,
a tiny end-to-end run, and bad command lines."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

from benchmarks import digits
from benchmarks.digits_models import (
    N_POOL,
    N_TEST,
    build_model,
    digits_split,
    training_indices,
    training_subset,
    translation_indices,
    translations,
)
from emlp_core import Scalar, V
from layers.equivariance import assert_equivariant


@pytest.fixture(scope="module")
def split():
    return digits_split()


@pytest.fixture(scope="module")
def group():
    return translations()


def _perturbed(model, seed=0):
    """Parameters with every entry (biases included) random, so nothing is zero by luck."""
    params = model.init(jax.random.PRNGKey(seed))
    rng = np.random.default_rng(seed)  # numpy draws: no random program to compile per shape
    return jax.tree_util.tree_map(lambda a: a + 0.3 * rng.standard_normal(a.shape), params)


def test_loader_shapes_labels_and_nested_balanced_subsets(split):
    assert split.pool_x.shape == (N_POOL, 64) and split.test_x.shape == (N_TEST, 64)
    assert split.pool_x.dtype == np.float32 and split.pool_y.dtype == np.int32
    assert 0.0 <= split.pool_x.min() and split.test_x.max() <= 1.0
    labels = np.concatenate([split.pool_y, split.test_y])
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    x, y = training_subset(split, 100, seed=3)
    assert x.shape == (100, 64) and y.shape == (100,) and np.bincount(y).tolist() == [10] * 10
    small, large = training_indices(split, 50, 3), training_indices(split, 500, 3)
    assert np.array_equal(large[:50], small) and len(set(large.tolist())) == 500
    assert not np.array_equal(training_indices(split, 50, 4), small)
    np.testing.assert_array_equal(x, split.pool_x[training_indices(split, 100, 3)])
    # the test set is the same for every seed and shares no image with the pool
    assert np.array_equal(digits_split().test_y, split.test_y)
    pool_rows = {row.tobytes() for row in split.pool_x}
    assert sum(row.tobytes() in pool_rows for row in split.test_x) < 5  # duplicates in the data


def test_translation_gathers_are_the_group_action(split, group):
    gathers = translation_indices(group)
    x = split.test_x[:4]
    for g in (1, 9, 63):
        np.testing.assert_array_equal(x[:, gathers[g]], x @ group.elements()[g].T)


@pytest.mark.parametrize("name", ["regular", "gsnn"])
@pytest.mark.parametrize("biases", [True, False])
def test_constrained_models_are_exactly_invariant_and_smaller_than_the_mlp(name, biases, split,
                                                                           group):  # fmt: skip
    model = build_model(name, biases, group=group)
    params = _perturbed(model)
    fn = jax.jit(lambda x: model.apply(params, x))
    x = split.test_x[:16]
    assert fn(x).shape == (16, 10)
    assert_equivariant(fn, V(group), (10 * Scalar)(group), group, x=x, n_samples=6, rtol=1e-5)
    assert model.num_params() < build_model("mlp", biases).num_params()
    assert "translations" in model.symmetries
    scaled = np.asarray(fn(2.5 * x))
    homogeneous = np.allclose(scaled, 2.5 * np.asarray(fn(x)), rtol=1e-4, atol=1e-4)
    assert homogeneous is (not biases) and ("scaling" in model.symmetries) is (not biases)


def test_the_mlp_fails_the_same_invariance_check(split, group):
    model = build_model("mlp", False)
    params = _perturbed(model)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(lambda x: model.apply(params, x), V(group), (10 * Scalar)(group),
                           group, x=split.test_x[:16], n_samples=3)  # fmt: skip
    assert model.num_params() == 64 * 64 + 64 * 10 and model.symmetries == ("scaling",)


def test_quick_run_end_to_end(tmp_path, capsys):
    out = tmp_path / "digits.json"
    argv = ["--quick", "--symmetry", "translations", "scaling", "--models", "regular",
            "--sizes", "20", "--steps", "8", "--out", str(out)]  # fmt: skip
    records = digits.main(argv)
    saved = json.loads(out.read_text())
    assert len(saved) == len(records) == 2  # with and without biases
    assert {(r["model"], r["biases"]) for r in saved} == {("regular", True), ("regular", False)}
    for r in saved:
        assert r["benchmark"] == "digits" and r["n_train"] == 20 and r["steps"] == 8
        assert 0.0 <= r["test_acc"] <= 1.0 and r["gap"] == r["train_acc"] - r["test_acc"]
        assert r["train_seconds"] > 0 and r["num_params"] > 0 and "machine" in r
        assert r["compile_seconds"] is None  # layers.training.train compiles inside its loop
        if r["model"] == "regular":
            assert r["translation_error"] < 1e-5
            assert r["translated_test_acc"] == r["test_acc"]
        if not r["biases"]:
            assert r["scaling_error"] < 1e-5
    assert (tmp_path / "digits.png").stat().st_size > 0  # --quick: figure beside --out
    printed = capsys.readouterr().out
    assert "regular (no bias)" in printed and "test acc" in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--symmetry", "rotations"], "invalid choice: 'rotations'"),
        (["--sizes", "50", "1301"], "[1301] larger than the 1300 digits"),
        (["--sizes", "0"], "expected a positive integer; got '0'"),
        (["--seeds", "1", "1"], "repeated values [1]"),
        (["--symmetry", "none", "--models", "gsnn"], "none of ['gsnn'] belongs"),
    ],
)
def test_bad_command_lines_exit_with_status_2(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        digits.parse_args([*argv, "--out", str(tmp_path / "d.json")])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_values_of_the_library_functions(split):
    with pytest.raises(ValueError, match="unknown symmetry 'rotations'"):
        digits.plan_runs(["none", "rotations"])
    with pytest.raises(ValueError, match="size = 1301 is larger than the 1300 images"):
        training_subset(split, N_POOL + 1, seed=0)
    with pytest.raises(TypeError, match="size"):
        training_subset(split, 2.5, seed=0)
    with pytest.raises(ValueError, match="seed"):
        training_indices(split, 10, seed=-1)
    with pytest.raises(ValueError, match="name must be one of"):
        build_model("cnn")
    assert digits.plan_runs(["translations"], ["gsnn", "mlp"]) == [("gsnn", True)]
