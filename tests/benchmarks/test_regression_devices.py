"""``python -m benchmarks.regression --devices``: one fresh process per device count."""

import json
import math
from pathlib import Path

import pytest

from benchmarks import devices, regression

TINY = ["--task", "o5", "--sizes", "64", "--seeds", "0", "--epochs", "4", "--ch", "8"]
TINY += ["--num-layers", "1", "--no-progress"]


def test_devices_1_2_train_the_same_model_end_to_end(tmp_path, capsys):
    out = tmp_path / "o5_devices.json"
    records = regression.main([*TINY, "--devices", "1", "2", "--out", str(out)])
    printed = capsys.readouterr().out
    assert json.loads(out.read_text()) == records
    assert not any("error" in r for r in records), records
    assert [(r["devices"], r["per_device_batch"], r["batch"]) for r in records] == [
        (1, 64, 64),
        (2, 32, 64),
    ]
    assert all(r["variant"] == "emlp-O5" and r["backend"] == "cpu" for r in records)
    assert all(r["n_train"] == 64 and r["epochs_run"] == 4 and "machine" in r for r in records)
    one, two = records
    assert math.isclose(two["test_mse"], one["test_mse"], rel_tol=1e-3)
    assert math.isclose(two["best_val_mse"], one["best_val_mse"], rel_tol=1e-3)
    for r in records:
        assert math.isfinite(r["steps_per_second"]) and r["steps_per_second"] > 0
        assert r["model_group_equivariance_error"] < 1e-4
    assert one["ratio_to_1_device"] == 1.0
    assert math.isclose(two["ratio_to_1_device"], two["steps_per_second"] / one["steps_per_second"])
    assert "per-dev batch" in printed and f"wrote {out}" in printed


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--devices", "0"], "argument --devices: expected a positive integer; got '0'"),
        (["--devices", "-2"], "argument --devices: expected a positive integer; got '-2'"),
        (["--devices", "1", "1"], "argument --devices: repeated values [1]"),
        (["--devices", "3"], "the batch of 64 rows (N=64) does not split over 3 devices"),
    ],
)
def test_bad_device_counts_exit_2_before_any_work(argv, fragment, monkeypatch, capsys):
    monkeypatch.setattr(regression, "probe_backend", _forbidden)
    monkeypatch.setattr(regression, "run", _forbidden)
    with pytest.raises(SystemExit) as exit_info:
        regression.main([*TINY, *argv])
    assert exit_info.value.code == 2
    assert fragment in capsys.readouterr().err


def test_more_devices_than_a_gpu_backend_has_is_refused(monkeypatch, capsys):
    gpu = {"backend": "gpu", "device_count": 2, "device_kind": "H100"}
    monkeypatch.setattr(regression, "probe_backend", lambda: gpu)
    monkeypatch.setattr(regression, "run", _forbidden)
    with pytest.raises(SystemExit) as exit_info:
        regression.main([*TINY, "--devices", "1", "4"])
    assert exit_info.value.code == 2
    assert "--devices 4: the gpu backend has only 2 devices" in capsys.readouterr().err
    devices.check_device_counts([1, 2, 16], "cpu", 1)  # a CPU backend simulates any count


def test_without_devices_the_command_line_is_unchanged(monkeypatch):
    cpu = {"backend": "cpu", "device_count": 1, "device_kind": "cpu"}
    monkeypatch.setattr(regression, "probe_backend", lambda: cpu)
    args = regression.parse_args(["--task", "o5"])
    assert args.methods == list(regression.METHODS) and args.groups is None
    assert args.devices is None and args.out == Path("benchmarks/results/o5.json")
    data_parallel = regression.parse_args(["--task", "o5", "--devices", "1"])
    assert data_parallel.methods == ["emlp"] and data_parallel.groups == ["O5"]
    assert data_parallel.out == Path("benchmarks/results/o5_devices.json")


def test_child_environment_asks_for_the_device_count():
    env = devices.device_environment(3, {"XLA_FLAGS": "--xla_cpu_foo=1", "HOME": "/h"})
    assert env == {
        "XLA_FLAGS": "--xla_cpu_foo=1 --xla_force_host_platform_device_count=3",
        "HOME": "/h",
    }


def _forbidden(*args, **kwargs):
    raise AssertionError("a bad command line must fail before probing or training")
