"""benchmarks.layer_sweep: every sweep point runs the layer benchmark's child once."""

import json

import pytest

from benchmarks import layer_sweep


def test_each_point_runs_one_child_and_the_records_are_written(monkeypatch, tmp_path, capsys):
    calls = []

    def fake_child(module, args):
        calls.append((module, args))
        task, batch, ch, repeats, frontend = args
        if ch == 1024:
            return {"error": "MemoryError"}
        return {"emlp_step_seconds": 0.002 * ch / 128, "mlp_step_seconds": 0.001,
                "step_ratio": 2.0 * ch / 128, "emlp_params": 10}  # fmt: skip

    monkeypatch.setattr(layer_sweep, "run_child", fake_child)
    out = tmp_path / "sweep.json"
    records = layer_sweep.main(["--only", "o5", "--repeats", "2", "--out", str(out)])
    assert [(a[2], a[1]) for _, a in calls] == layer_sweep.sweep_points()
    assert {m for m, _ in calls} == {"benchmarks.layers"} and all(a[3] == 2 for _, a in calls)
    assert json.loads(out.read_text()) == records and all(r["sweep"] for r in records)
    assert "ERROR: MemoryError" in capsys.readouterr().out


def test_bad_command_lines_exit_with_status_2():
    for argv in (["--only", "nope"], ["--repeats", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            layer_sweep.parse_args(argv)
        assert exit_info.value.code == 2
