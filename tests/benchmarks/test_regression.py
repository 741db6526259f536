import json

import numpy as np
import pytest

from benchmarks import regression
from benchmarks.datasets import o5_synthetic
from benchmarks.training import Standardization, fit
from layers import EMLP, MLP


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
    with pytest.raises(ValueError, match="n >= 1"):
        o5_synthetic(0)


def test_standardization_uses_one_scale_per_copy_and_shifts_only_scalars():
    stats = Standardization.from_data(o5_synthetic(200, seed=0))
    assert np.all(stats.x_shift == 0)
    assert len(set(stats.x_scale[:5])) == 1 and len(set(stats.x_scale[5:])) == 1
    assert stats.y_shift[0] != 0


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


def test_cli_writes_json_and_plot(tmp_path, capsys):
    out = tmp_path / "o5.json"
    records = regression.main(
        [
            "--task",
            "o5",
            "--methods",
            "emlp",
            "mlp",
            "mlp_aug",
            "--sizes",
            "50",
            "--seeds",
            "0",
            "--epochs",
            "2",
            "--ch",
            "16",
            "--num-layers",
            "1",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    saved = json.loads(out.read_text())
    assert saved == records and len(saved) == 3
    keys = {
        "task",
        "method",
        "group",
        "n_train",
        "seed",
        "test_mse",
        "equivariance_error",
        "train_seconds",
    }
    assert all(keys <= set(r) for r in saved)
    assert out.with_suffix(".png").stat().st_size > 1000
    printed = capsys.readouterr().out
    assert "test MSE" in printed and "emlp" in printed


def test_cli_rejects_bad_sizes():
    with pytest.raises(SystemExit):
        regression.main(["--sizes", "0"])
