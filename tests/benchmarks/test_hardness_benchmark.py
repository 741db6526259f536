"""The hardness negative control (benchmarks.hardness, benchmarks.hardness_models)."""

import json

import numpy as np
import pytest

from benchmarks import hardness
from benchmarks import hardness_models as hm
from emlp_core import Scalar, V
from groups import S
from layers.equivariance import equivariance_error


def _permute(x, n, perm):
    return x.reshape(-1, n, n)[:, perm][:, :, perm].reshape(len(x), n * n)


@pytest.mark.parametrize("n", [6, 9])
def test_hard_target_is_invariant_and_a_perturbation_is_caught(n):
    data = hm.make_data("hard", n, pool=256, n_test=8, seed=1)
    degrees = hm.degree_set(n, 1)
    x = data.x_pool
    rng = np.random.default_rng(0)
    for _ in range(10):  # sampled permutations, applied as P A P^T
        moved = _permute(x, n, rng.permutation(n))
        assert np.array_equal(hm.hard_labels(moved, n, degrees), data.y_pool)
    group = S(n)
    rep = V(group) ** 2  # the library's action on the flattened matrix agrees

    def target(v):
        return hm.hard_labels(np.asarray(v), n, degrees)[:, None]

    def perturbed(v):  # flips the label when the edge {0, 1} is present: not invariant
        v = np.asarray(v)
        return target(v) * np.where(v[:, 1:2] > 0, -1.0, 1.0)

    probe = x[:32]
    assert equivariance_error(target, rep, Scalar(group), group, x=probe) == 0.0
    assert equivariance_error(perturbed, rep, Scalar(group), group, x=probe) > 0.5


def test_hard_labels_are_balanced_and_not_a_parity_class():
    for n in (4, 8, 13):
        degrees = hm.degree_set(n, 0)
        assert degrees not in {tuple(range(0, n, 2)), tuple(range(1, n, 2))}
        y = hm.make_data("hard", n, pool=2048, n_test=1, seed=0).y_pool
        assert set(np.unique(y)) == {-1.0, 1.0} and abs(y.mean()) < 0.1
    # the odd-degree count is always even: the trivial target degree_set refuses
    graphs = hm.make_data("hard", 7, pool=64, n_test=1, seed=0).x_pool
    assert np.all(hm.hard_labels(graphs, 7, (1, 3, 5)) == 1.0)


def test_easy_teacher_is_invariant_and_standardised():
    n = 7
    teacher = hm.easy_teacher(n, seed=2)
    x = np.random.default_rng(3).standard_normal((4096, n * n))
    y = teacher(x)
    assert abs(y.mean()) < 0.1 and 0.9 < y.std() < 1.1
    moved = _permute(x, n, np.random.default_rng(4).permutation(n))
    np.testing.assert_allclose(teacher(moved), y, atol=1e-10)
    swapped = x.reshape(-1, n, n).copy()
    swapped[:, 0, 1] += 3.0  # a move that is not a permutation changes the target
    assert np.max(np.abs(teacher(swapped.reshape(-1, n * n)) - y)) > 1e-3


def test_quick_run_end_to_end_learns_the_planted_teacher(tmp_path):
    out = tmp_path / "hardness.json"
    result = hardness.main(["--quick", "--no-progress", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert saved["sample_complexity"] == result["sample_complexity"]
    assert (tmp_path / "hardness.png").stat().st_size > 0
    rows = {(r["target"], r["model"], r["n_train"]): r for r in saved["records"]}
    assert len(rows) == 2 * 2 * 2
    easy = rows[("easy", "invariant", 512)]
    assert easy["test_mse"] < 0.2 and easy["equivariance_error"] < 1e-4
    assert rows[("easy", "mlp", 64)]["test_mse"] > 2 * rows[("easy", "invariant", 64)]["test_mse"]
    assert rows[("hard", "mlp", 512)]["equivariance_error"] > 1e-2
    easy_entry = next(e for e in saved["sample_complexity"] if e["target"] == "easy")
    assert easy_entry["invariant"]["n_star"] == 64
    assert "log10 n!" in hardness.format_table(saved["sample_complexity"])


def test_training_runs_in_the_shared_loop(monkeypatch):
    import layers.training

    calls = []
    real = layers.training.train

    def spy(loss_fn, params, data, **kwargs):
        calls.append((len(data[0]), kwargs))
        return real(loss_fn, params, data, **kwargs)

    monkeypatch.setattr(layers.training, "train", spy)
    data = hm.make_data("easy", 5, pool=40, n_test=8, seed=0)
    out = hm.train_model("invariant", data, 40, steps=7, batch=16, seed=3)
    rows, kwargs = calls[0]
    assert rows == 40 and kwargs["compiled"] and kwargs["max_steps"] == 7
    assert kwargs["epochs"] == 4 and kwargs["batch_size"] == 16  # ceil(7 / (40 // 16))
    assert out["final_loss"] == out["train_mse"]
    again = hm.train_model("invariant", data, 40, steps=7, batch=16, seed=3)
    assert again["test_mse"] == out["test_mse"]  # seeded permutations: reproducible


def test_training_size_must_fit_the_pool():
    data = hm.make_data("easy", 5, pool=16, n_test=4, seed=0)
    with pytest.raises(ValueError, match="larger than the 16 training points"):
        hm.train_model("invariant", data, 17, steps=1)
    with pytest.raises(ValueError, match="model must be one of"):
        hm.train_model("cnn", data, 4, steps=1)
    with pytest.raises(TypeError, match="steps"):
        hm.train_model("mlp", data, 4, steps=1.5)


def test_bad_data_arguments():
    with pytest.raises(ValueError, match="target must be one of"):
        hm.make_data("xor", 6, pool=4, n_test=4, seed=0)
    with pytest.raises(ValueError, match="n must be an integer >= 4"):
        hm.make_data("hard", 3, pool=4, n_test=4, seed=0)
    with pytest.raises(TypeError, match="pool"):
        hm.make_data("hard", 6, pool=4.0, n_test=4, seed=0)


def test_memory_guard_refuses_a_huge_n_before_allocating(monkeypatch):
    with pytest.raises(ValueError, match="above the limit"):  # ~1.5 TiB: fails at once
        hm.make_data("easy", 10_000, pool=4096, n_test=1024, seed=0)
    monkeypatch.setenv("EMLP_SOLVER_MEMORY_GB", "0.001")
    with pytest.raises(ValueError, match="n = 40"):
        hm.make_data("hard", 40, pool=4096, n_test=1024, seed=0)


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--targets", "xor"], "--targets"),
        (["--sizes", "64", "5000", "--pool", "4096"], "larger than the 4096"),
        (["--n", "5000"], "above the limit"),
        (["--n", "3"], "--n"),
        (["--seeds", "0"], "--seeds"),
        (["--sizes", "64", "64"], "repeated"),
    ],
)
def test_bad_command_lines_exit_with_status_2(argv, match, capsys):
    with pytest.raises(SystemExit) as exit_info:
        hardness.parse_args(argv)
    assert exit_info.value.code == 2
    assert match in capsys.readouterr().err
