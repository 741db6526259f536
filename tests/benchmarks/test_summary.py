"""`python -m benchmarks.summary`: tables of means over seeds beside the paper's figures."""

import json

import pytest

from benchmarks import summary


def _regression(variant, seed, mse, task="lorentz", n=1000):
    return {
        "task": task,
        "method": variant.split("-")[0],
        "variant": variant,
        "n_train": n,
        "seed": seed,
        "test_mse": mse,
    }


def test_means_ratios_and_factors_are_computed_from_the_records(tmp_path):
    records = [
        _regression("emlp-O13", 0, 0.0002),
        _regression("emlp-O13", 1, 0.0004),
        _regression("mlp", 0, 0.3),
        _regression("mlp", 1, 0.5),
        {
            "task": "pendulum",
            "method": "emlp-hnn",
            "variant": "emlp-hnn-O2",
            "seed": 0,
            "rollout_error": 0.006,
            "angular_momentum_error": 4e-5,
            "train_seconds": 700.0,
        },
    ]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(records[:3]))
    second.write_text(json.dumps(records[3:]))
    text = summary.main([str(first), str(second)])
    emlp_row = next(line for line in text.splitlines() if "emlp-O13" in line)
    cells = [c.strip() for c in emlp_row.strip("|").split("|")]
    assert cells[3:8] == ["2", "0.0003", "0.0002–0.0004", "0.00033", "0.909"]
    assert cells[8] == "1.33e+03 (1.1e+03)"  # mean MLP 0.4 / mean EMLP 0.0003; paper's factor
    pendulum_row = next(line for line in text.splitlines() if "emlp-hnn-O2" in line)
    assert "| 0.006 |" in pendulum_row and "| 0.0121 |" in pendulum_row


def test_files_that_are_not_record_lists_are_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"task": "o5"}))
    with pytest.raises(ValueError, match="list of benchmark records"):
        summary.main([str(bad)])
