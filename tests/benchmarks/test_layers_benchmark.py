import json

import pytest

from benchmarks import layers as layer_benchmark


def test_layer_benchmark_times_emlp_and_mlp_in_a_fresh_process(tmp_path):
    out = tmp_path / "layers.json"
    args = ["--only", "o5", "--batch", "16", "--ch", "32", "--repeats", "2", "--out", str(out)]
    (record,) = layer_benchmark.main(args)
    assert record["frontend"] == "haiku"
    assert json.loads(out.read_text()) == [record]
    assert record["emlp_step_seconds"] > 0 and record["mlp_step_seconds"] > 0
    assert record["step_ratio"] == record["emlp_step_seconds"] / record["mlp_step_seconds"]
    assert 0 < record["emlp_params"] < record["mlp_params"]


@pytest.mark.parametrize("frontend", ["flax", "equinox"])
def test_layer_benchmark_measures_every_front_end(frontend):
    """The child's measurement in this process (the fresh-process plumbing is tested above)."""
    record = layer_benchmark._child("o5", 16, 32, 2, frontend)
    assert record["frontend"] == frontend
    assert record["emlp_step_seconds"] > 0 and record["mlp_step_seconds"] > 0
    assert 0 < record["emlp_params"] < record["mlp_params"]
