"""`benchmarks.bounds`: a tiny end-to-end run, its records and table, bad command lines."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks import bounds


def test_quick_run_writes_consistent_records(tmp_path, capsys):
    out = tmp_path / "bounds.json"
    argv = ["--quick", "--orders", "1", "8", "--n-train", "32", "--n-test", "200"]
    bounds.main([*argv, "--steps", "100", "--no-plots", "--out", str(out)])
    records = json.loads(out.read_text())
    assert [(r["order"], r["seed"]) for r in records] == [(1, 0), (8, 0)]
    for r in records:
        assert r["benchmark"] == "bounds" and "machine" in r and r["n_train"] == 32
        assert r["gap"] == pytest.approx(r["train_accuracy"] - r["test_accuracy"])
        assert r["norm_disagreement"] < 1e-10
        for layer in r["layers"]:
            assert layer["spectral_irrep"] == pytest.approx(layer["spectral_dense"], rel=1e-10)
            assert layer["residual"] < 1e-10
            weighted = sum(b["weight"] * b["frobenius"] ** 2 for b in layer["irreps"])
            assert weighted == pytest.approx(layer["frobenius_dense"] ** 2, rel=1e-10)
        if r["nbs18"] is not None:
            assert r["gamma"] > 0 and r["nbs18"]["width"] == 64 and r["nbs18"]["depth"] == 2
            assert r["nbs18"]["bound"] >= r["nbs18"]["gap_term"] > 0
    trivial, cyclic = records
    assert (trivial["params"], cyclic["params"]) == (8 * 64 + 2 * 64, 8 * 8 + 2 * 8)
    kinds = {b["kind"] for b in cyclic["layers"][0]["irreps"]}
    assert kinds == {"real", "complex"}  # C_8's rotation irreps
    printed = capsys.readouterr().out
    assert "NBS18" in printed and "wrote" in printed


def test_task_is_invariant_and_balanced():
    x, y = bounds.invariant_task(2000, 5)
    shifted = np.roll(x, 3, axis=1)
    score = np.sum(shifted * np.roll(shifted, -1, axis=1), axis=1)
    assert np.array_equal((score > 0).astype(np.int32), y)
    assert abs(y.mean() - 0.5) < 0.05


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--orders", "3"], "invalid choice"),
        (["--width", "60"], "multiple of 8"),
        (["--delta", "1.5"], "--delta"),
        (["--margin-quantile", "0"], "--margin-quantile"),
        (["--seeds", "0", "0"], "--seeds"),
        (["--steps", "0"], "positive integer"),
    ],
)
def test_bad_command_lines_exit_with_status_2(argv, message, capsys):
    with pytest.raises(SystemExit) as error:
        bounds.parse_args(argv)
    assert error.value.code == 2 and message in capsys.readouterr().err


def test_cyclic_subgroup_refuses_non_divisors():
    with pytest.raises(ValueError, match="divisor of 8"):
        bounds.cyclic_subgroup(3)
