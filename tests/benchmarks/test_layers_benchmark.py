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
    assert record["machine"]["cpu_count"] >= 1 and "emlp_step_vs_haiku" not in record


@pytest.mark.parametrize("frontend", ["flax", "equinox"])
def test_layer_benchmark_measures_every_front_end(frontend):
    """The child's measurement in this process (the fresh-process plumbing is tested above)."""
    record = layer_benchmark._child("o5", 16, 32, 2, frontend)
    assert record["frontend"] == frontend
    assert record["emlp_step_seconds"] > 0 and record["mlp_step_seconds"] > 0
    assert 0 < record["emlp_params"] < record["mlp_params"]


def test_all_front_ends_are_built_and_timed_in_one_process():
    """``--frontend all``'s child, in this process: one record per front-end, Haiku's steps
    as the denominators of every ratio."""
    result = layer_benchmark._child("o5", 16, 32, 3, "all")
    records = result["records"]
    assert [r["frontend"] for r in records] == list(layer_benchmark.FRONTENDS)
    haiku = records[0]
    for r in records:
        assert r["interleaved_with"] == list(layer_benchmark.FRONTENDS)
        assert (r["task"], r["batch"], r["ch"], r["repeats"]) == ("o5", 16, 32, 3)
        assert r["emlp_step_seconds"] > 0 and r["mlp_step_seconds"] > 0
        assert r["emlp_step_vs_haiku"] == r["emlp_step_seconds"] / haiku["emlp_step_seconds"]
        assert r["mlp_step_vs_haiku"] == r["mlp_step_seconds"] / haiku["mlp_step_seconds"]
        assert r["step_ratio"] == r["emlp_step_seconds"] / r["mlp_step_seconds"]
        assert r["emlp_compile_seconds"] > 0 and r["mlp_compile_seconds"] > 0
        # the same core: the same parameters in every framework
        assert (r["emlp_params"], r["mlp_params"]) == (haiku["emlp_params"], haiku["mlp_params"])
    assert haiku["emlp_step_vs_haiku"] == haiku["mlp_step_vs_haiku"] == 1.0
    assert [r["built_first"] for r in records] == [True, False, False]


def test_interleaved_timing_rotates_the_order_of_the_models():
    calls = []

    def fake_step(name):
        def step(params, state):
            calls.append(name)
            return params + 1, state, 0.0

        return step

    models = {name: [fake_step(name), 0, None] for name in "abc"}
    medians = layer_benchmark._interleaved_medians(models, 4)
    assert calls == list("abcbcacababc")
    assert set(medians) == set("abc") and all(m >= 0 for m in medians.values())
    assert [models[name][1] for name in "abc"] == [4, 4, 4]  # each step fed the last params


def test_all_writes_one_record_per_task_and_front_end(tmp_path, monkeypatch):
    """The parent's side of ``--frontend all``, children replaced: records are expanded and
    a failed child keeps its task and ``frontend="all"``."""

    def fake_child(module, args):
        task, frontend = args[0], args[4]
        assert (module, frontend) == ("benchmarks.layers", "all")
        if task == "lorentz":
            return {"error": "RuntimeError: no memory"}
        rows = [{"frontend": f, "emlp_step_seconds": 1.0} for f in layer_benchmark.FRONTENDS]
        return {"records": [{"task": task, "group": "G", **r} for r in rows]}

    monkeypatch.setattr(layer_benchmark, "run_child", fake_child)
    monkeypatch.setattr(layer_benchmark, "format_row", lambda r: str(r))
    out = tmp_path / "layers.json"
    records = layer_benchmark.main(["--frontend", "all", "--out", str(out)])
    assert json.loads(out.read_text()) == records
    pairs = [(r["task"], r["frontend"]) for r in records]
    fronts = layer_benchmark.FRONTENDS
    assert pairs == [(t, f) for t in ("o5", "inertia") for f in fronts] + [("lorentz", "all")]
    assert records[-1]["error"] == "RuntimeError: no memory"


def test_a_printed_row_shows_the_ratio_to_haiku_or_a_dash():
    record = {
        "task": "o5", "frontend": "flax", "group": "O(5)", "emlp_init_seconds": 1.0,
        "emlp_compile_seconds": 2.0, "emlp_step_seconds": 0.0123, "mlp_step_seconds": 0.006,
        "step_ratio": 2.05, "emlp_params": 10, "mlp_params": 20, "emlp_step_vs_haiku": 1.04321,
    }  # fmt: skip
    assert layer_benchmark.format_row(record).split()[-3:] == ["1.043", "10", "20"]
    del record["emlp_step_vs_haiku"]
    assert layer_benchmark.format_row(record).split()[-3:] == ["-", "10", "20"]
    error = layer_benchmark.format_row({"task": "o5", "frontend": "all", "error": "boom"})
    assert error.split() == ["o5", "all", "ERROR:", "boom"]
