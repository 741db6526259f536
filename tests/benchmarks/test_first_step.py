"""benchmarks.first_step: the child's measurement, the summary and the command line."""

import pytest

from benchmarks import first_step


def test_child_measures_each_part_of_the_first_step():
    record = first_step._child("o5", "EMLP", batch=8, ch=8)
    parts = record["init_seconds"] + record["compile_seconds"]
    assert record["first_step_seconds"] == pytest.approx(parts)
    assert all(record[k] > 0 for k in ("import_seconds", "init_seconds", "compile_seconds"))


def test_summary_pairs_models_per_cache_state_and_skips_failures():
    records = [
        {"task": "o5", "model": "EMLP", "cache": "cold", "first_step_seconds": 3.0},
        {"task": "o5", "model": "MLP", "cache": "cold", "first_step_seconds": 2.0},
        {"task": "o5", "model": "EMLP", "cache": "warm", "error": "MemoryError"},
        {"task": "o5", "model": "MLP", "cache": "warm", "first_step_seconds": 1.0},
    ]
    rows = first_step.summary(records)
    assert [(r["cache"], r["ratio"]) for r in rows] == [("cold", 1.5)]
    assert "cold" in first_step.format_table(rows)


def test_bad_command_lines_exit_with_status_2(capsys):
    for argv in (["--only", "nope"], ["--ch", "0"], ["--batch", "-1"]):
        with pytest.raises(SystemExit) as exit_info:
            first_step.parse_args(argv)
        assert exit_info.value.code == 2
