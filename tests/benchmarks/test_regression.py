import json

import numpy as np
import pytest

from benchmarks import regression
from benchmarks.datasets import inertia, o5_synthetic, particle_interaction
from benchmarks.training import data_standardization, fit
from layers import EMLP, MLP, standardization


def test_o5_targets_are_invariant():
    data = o5_synthetic(64, seed=0)
    target = lambda x: o5_synthetic_targets(x)  # noqa: E731
    np.testing.assert_allclose(target(data.x), data.y[:, 0], rtol=1e-5)
    for g in data.group.samples(3, seed=1):
        moved = data.x @ data.rep_in.rho(g).T.astype(np.float32)
        np.testing.assert_allclose(target(moved), data.y[:, 0], rtol=1e-4, atol=1e-4)


def o5_synthetic_targets(x):
    x1, x2 = x[:, :5].astype(np.float64), x[:, 5:].astype(np.float64)
    r1, r2 = np.linalg.norm(x1, axis=1), np.linalg.norm(x2, axis=1)
    return np.sin(r1) - 0.5 * r2**3 + (x1 * x2).sum(1) / (r1 * r2)


def test_datasets_are_seeded():
    np.testing.assert_array_equal(o5_synthetic(5, seed=3).x, o5_synthetic(5, seed=3).x)
    assert not np.allclose(o5_synthetic(5, seed=3).x, o5_synthetic(5, seed=4).x)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        o5_synthetic(0)


def test_fit_scales_inputs_by_norm_without_shifting_and_shifts_targets_by_invariants():
    data = inertia(300, seed=0)
    stats = data_standardization(data)
    expected = standardization(data.x, data.y, data.rep_in, data.rep_out)
    for got, want in zip(vars(stats).values(), vars(expected).values(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert np.all(stats.x_shift == 0)  # inputs are never shifted, not even positive masses
    np.testing.assert_allclose(stats.x_scale[:5], np.sqrt((data.x[:, :5] ** 2).mean(0)), rtol=1e-5)
    vectors = data.x[:, 5:].reshape(-1, 5, 3)
    np.testing.assert_allclose(  # each position vector: unit mean squared norm
        stats.x_scale[5::3], np.sqrt((vectors**2).sum(-1).mean(0)), rtol=1e-5
    )
    shift = stats.y_shift.reshape(3, 3)  # the invariant part of the inertia tensor
    np.testing.assert_allclose(shift, shift[0, 0] * np.eye(3), atol=1e-5)
    lorentz = data_standardization(particle_interaction(100, seed=0))
    assert np.all(lorentz.x_shift == 0) and lorentz.y_shift[0] != 0


def test_fit_stops_after_patience_and_checks_arguments():
    train, val, test = o5_synthetic(40, 0), o5_synthetic(20, 1), o5_synthetic(20, 2)
    network = lambda: MLP(train.rep_in, train.rep_out, train.group, ch=8, num_layers=1)  # noqa: E731
    frozen = fit(network, train, val, test, epochs=100, lr=0.0, patience=2, progress=False)
    assert frozen.epochs_run == 6  # evaluations every 2 epochs; never better after the first
    assert len(frozen.history) == 3
    with pytest.raises(ValueError, match="epochs"):
        fit(network, train, val, test, epochs=0, progress=False)
    with pytest.raises(ValueError, match="same task"):
        fit(network, train, val, inertia(20, 2), epochs=1, progress=False)


def test_emlp_learns_and_stays_equivariant_while_mlp_is_not():
    train, val, test = o5_synthetic(200, 0), o5_synthetic(100, 1), o5_synthetic(200, 2)
    common = dict(epochs=40, batch_size=100, progress=False)
    emlp = fit(
        lambda: EMLP(train.rep_in, train.rep_out, train.group, ch=32, num_layers=2),
        train,
        val,
        test,
        **common,
    )
    mlp = fit(
        lambda: MLP(train.rep_in, train.rep_out, train.group, ch=32, num_layers=2),
        train,
        val,
        test,
        **common,
    )
    variance = float(np.var(test.y))
    assert emlp.test_mse < 0.5 * variance  # it learned something
    assert emlp.equivariance_error < 1e-5 and mlp.equivariance_error > 1e-3
    assert emlp.num_params > 0 and len(emlp.history) > 0


TINY = ["--sizes", "50", "--seeds", "0", "--epochs", "2", "--ch", "16", "--num-layers", "1"]
KEYS = {
    "task",
    "method",
    "variant",
    "group",
    "n_train",
    "seed",
    "test_mse",
    "equivariance_error",
    "train_seconds",
}


@pytest.mark.parametrize(
    ("task", "variants"),
    [
        ("o5", ["emlp-O5", "emlp-SO5", "mlp", "mlp_aug"]),
        ("inertia", ["emlp-SO3", "mlp_aug"]),
        ("lorentz", ["emlp-SO13p", "mlp"]),
    ],
)
def test_cli_writes_json_and_plot(tmp_path, capsys, task, variants):
    out = tmp_path / f"{task}.json"
    methods = sorted({v.split("-")[0] for v in variants})
    groups = [v.split("-")[1] for v in variants if v.startswith("emlp-")]
    argv = ["--task", task, "--methods", *methods, "--groups", *groups, *TINY]
    records = regression.main([*argv, "--out", str(out), "--no-progress"])
    saved = json.loads(out.read_text())
    assert saved == records and sorted(r["variant"] for r in saved) == sorted(variants)
    assert all(KEYS <= set(r) for r in saved)
    assert all(r["task"] == task and r["n_train"] == 50 and r["epochs"] == 2 for r in saved)
    emlp = [r for r in saved if r["method"] == "emlp"]
    assert all(r["model_group_equivariance_error"] < 1e-4 for r in emlp)
    assert out.with_suffix(".png").stat().st_size > 1000
    printed = capsys.readouterr().out
    assert "test MSE" in printed and variants[0] in printed


def test_cli_rejects_bad_arguments():
    with pytest.raises(SystemExit):
        regression.main(["--sizes", "0"])
    with pytest.raises(SystemExit):
        regression.main(["--task", "o5", "--groups", "SO3"])
    with pytest.raises(SystemExit):
        regression.main(["--task", "qm9"])
    with pytest.raises(ValueError, match="unknown task"):
        regression.run("qm9")
    with pytest.raises(ValueError, match="group variants"):
        regression.run("inertia", ["emlp"], groups=["O5"])
    with pytest.raises(ValueError, match="sizes"):
        regression.run("o5", ["mlp"], sizes=[0])


def test_paper_schedule():
    assert [regression.paper_epochs(n) for n in (100, 1000, 10000, 900_001)] == [1000, 900, 90, 1]
