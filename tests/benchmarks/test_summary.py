"""`python -m benchmarks.summary`: tables of means over seeds beside the paper's figures."""

import json
from pathlib import Path

import pytest

from benchmarks import speed_tables, summary


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


# --------------------------------------------------------------------------- layers
def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _row(text, *needles):
    return _cells(next(line for line in text.splitlines() if all(n in line for n in needles)))


def _layer(task, frontend, emlp_ms, mlp_ms, **extra):
    return {
        "task": task, "frontend": frontend, "group": "O(5)", "batch": 500, "ch": 384,
        "repeats": 60, "emlp_construction_seconds": 0.4, "emlp_init_seconds": 0.4,
        "mlp_init_seconds": 0.2, "emlp_compile_seconds": 2.5, "mlp_compile_seconds": 1.0,
        "emlp_step_seconds": emlp_ms / 1e3, "mlp_step_seconds": mlp_ms / 1e3,
        "emlp_params": 63255, "mlp_params": 300289, **extra,
    }  # fmt: skip


def _all_run(task, steps):
    """Records of one ``--frontend all`` process: ``steps`` maps front-end -> (EMLP, MLP) ms."""
    haiku = steps["haiku"]
    return [
        _layer(
            task, front, emlp, mlp, interleaved_with=list(steps), built_first=i == 0,
            emlp_step_vs_haiku=emlp / haiku[0], mlp_step_vs_haiku=mlp / haiku[1],
        )
        for i, (front, (emlp, mlp)) in enumerate(steps.items())
    ]  # fmt: skip


def test_layer_tables_are_grouped_by_front_end_with_ratios_to_haiku():
    records = _all_run("o5", {"haiku": (16.0, 8.0), "flax": (17.6, 8.0), "equinox": (20.0, 6.0)})
    records.append(_layer("inertia", "flax", 30.0, 10.0))  # a single-front-end run
    text = speed_tables.layers_tables(records)
    sections = [line for line in text.splitlines() if line.startswith("Front-end")]
    assert sections == ["Front-end **haiku**:", "Front-end **flax**:", "Front-end **equinox**:"]
    flax_o5 = _row(text.split("**flax**")[1], "| o5 |")
    # EMLP ms, MLP ms, EMLP / MLP, EMLP / Haiku EMLP, MLP / Haiku MLP
    assert flax_o5[6:11] == ["17.6", "8", "2.20", "1.10", "1.00"]
    assert flax_o5[3] == "0.4†" and flax_o5[4:6] == ["0.4 / 0.2", "2.5 / 1"]
    assert _row(text.split("**haiku**")[1], "| o5 |")[3] == "0.4"  # built first: no mark
    equinox = _row(text.split("**equinox**")[1], "| o5 |")
    assert equinox[8:11] == ["3.33", "1.25", "0.75"]
    alone = _row(text.split("**flax**")[1], "| inertia |")
    assert alone[8:11] == ["3.00", "–", "–"]  # no same-process Haiku step, no ratio
    assert alone[11] == "63,255 / 300,289"


def test_front_end_comparison_pairs_the_records_of_each_process():
    records = (
        _all_run("o5", {"haiku": (16.0, 8.0), "flax": (17.6, 8.8), "equinox": (15.2, 8.0)})
        + _all_run("o5", {"haiku": (20.0, 8.0), "flax": (21.0, 8.0), "equinox": (20.0, 8.0)})
        + _all_run("inertia", {"haiku": (10.0, 5.0), "flax": (13.0, 5.0), "equinox": (9.0, 4.0)})
        + [_layer("lorentz", "flax", 30.0, 10.0)]  # one front-end alone: not compared
    )
    text = speed_tables.frontend_comparison_table(records)
    lines = text.splitlines()
    assert _cells(lines[0])[3:] == [
        "Haiku EMLP step (ms)", "Haiku MLP step (ms)", "flax EMLP / Haiku EMLP",
        "equinox EMLP / Haiku EMLP", "flax MLP / Haiku MLP", "equinox MLP / Haiku MLP",
    ]  # fmt: skip
    rows = [_cells(line) for line in lines[2:5]]
    assert [row[0] for row in rows] == ["o5", "o5", "inertia"]
    assert rows[0][3:] == ["16", "8", "1.10", "0.95", "1.10", "1.00"]
    assert rows[1][3:] == ["20", "8", "1.05", "1.00", "1.00", "1.00"]
    assert rows[2][3:] == ["10", "5", "1.30", "0.90", "1.00", "0.80"]
    assert "lorentz" not in text
    assert lines[-1] == (
        "Largest EMLP step / Haiku EMLP step: 1.30 (flax, inertia); the target is ≤ 1.10."
    )


# --------------------------------------------------------------------------- solver
def _case(case, seconds, **extra):
    return {
        "case": case, "size": 1000, "basis_dim": 5, "seconds": seconds, "strategy": "orbits",
        "residual": 0.0, "peak_rss_mb": 200.0, "seconds_all": [seconds] * 3, **extra,
    }  # fmt: skip


def test_solver_table_divides_the_emlp_figure_by_our_time():
    records = [
        _case("s10-V**3", 0.005, emlp_seconds=6.1),
        _case("so3-V**8", 0.5, emlp_seconds=None),  # figure from paper_reference: 97 s
        _case("emlp-construction-o5-warm", 0.2, emlp_seconds=None),  # 7.1 s
        _case("so3-V**9", 6.9, emlp_seconds=None),  # no emlp figure
        {"case": "s20-V**4", "emlp_seconds": None, "error": "MemoryError"},
    ]
    text = speed_tables.solver_table(records)
    assert _row(text, "`s10-V**3`")[5:7] == ["6.1", "1,220×"]
    assert _row(text, "`so3-V**8`")[5:7] == ["97", "194×"]
    assert _row(text, "`emlp-construction-o5-warm`")[5:7] == ["7.1", "35.5×"]
    assert _row(text, "`so3-V**9`")[5:7] == ["–", "–"]
    assert "Median emlp / ours over 3 cases with an emlp figure: 194×." in text
    assert "- `s20-V**4` failed: MemoryError" in text


def test_factorwise_table_divides_the_joint_time_by_the_factor_wise_time():
    records = [
        _case("factor-a", 0.004, joint_seconds=5.6, joint_bytes_estimate=2**30, largest_angle=0),
        _case("factor-b", 0.16, joint_seconds=None, joint_bytes_estimate=3 * 2**31),
    ]
    text = speed_tables.factorwise_table(records)
    assert _row(text, "`factor-a`")[3:8] == ["0.004", "5.6", "1,400×", "1", "0.0e+00"]
    assert _row(text, "`factor-b`")[3:8] == ["0.16", "–", "–", "6", "–"]


# --------------------------------------------------------------------------- groups
def test_groups_file_gives_both_group_tables_and_its_machine(tmp_path):
    path = tmp_path / "groups.json"
    payload = {
        "machine": "Linux-test",
        "python": "3.11.7",
        "records": [
            {"group": "E6", "d": 27, "lie_algebra_dim": 78, "rank": 6,
             "killing_signature": [26, 52, 0], "closure_residual": 5.4e-16,
             "cold_seconds": 0.27, "rebuild_best_seconds": None,
             "rebuild_median_seconds": None, "repeats": 0},
        ],
        "finite": [
            {"case": "order of S(12)", "result": "479001600", "seconds": 3.0,
             "target_seconds": 2.0},
        ],
    }  # fmt: skip
    path.write_text(json.dumps(payload))
    source = summary.load_source(path)
    assert source.machine == ["Linux-test, Python 3.11.7"] and len(source.records) == 2
    text = summary.summarize([source])
    assert _row(text, "| E6 |")[4:9] == ["(26, 52, 0)", "0.27", "–", "–", "0"]
    assert _row(text, "order of S(12)")[1:] == ["479001600", "3", "2", "1.50"]  # over target
    assert f"- Machine of `{path.as_posix()}`: Linux-test, Python 3.11.7." in text


# --------------------------------------------------------------------------- the document
def test_every_benchmark_without_records_gets_a_not_run_line_with_its_command():
    records = [_case("s10-V**3", 0.005, emlp_seconds=6.1), _layer("o5", "haiku", 16.0, 8.0)]
    text = summary.summarize([summary.Source(Path("r.json"), records, ["Linux"])])
    not_run = [line for line in text.splitlines() if ": not run;" in line]
    commands = [line.split("`")[1] for line in not_run]
    assert commands == [
        "python -m benchmarks.suite --only o5 inertia lorentz",
        "python -m benchmarks.suite --only pendulum",
        "python -m benchmarks.layers --frontend all",  # the front-end comparison
        "python -m benchmarks.solver --only factor",
        "python -m benchmarks.groups",
        "python -m benchmarks.groups",
        "python -m benchmarks.shallow",
        "python -m benchmarks.modular --log-every 200",
        "python -m benchmarks.modular_equivariant",
        "python -m benchmarks.bounds",
        "python -m benchmarks.digits",
        "python -m benchmarks.hardness",
    ]
    assert not_run[2] == (
        "- Front-end comparison: not run; `python -m benchmarks.layers --frontend all` produces it."
    )
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Layers: train step of EMLP and MLP, per front-end",
        "## Solver: bases and model construction beside the emlp library",
    ]
    assert "Machine of this summary" not in text  # every file names its machine


def test_records_of_no_known_benchmark_are_counted():
    records = [{"task": "qm9", "score": 1.0}, {"task": "qm9", "score": 2.0}]
    text = summary.summarize([summary.Source(Path("x.json"), records)])
    assert "- 2 records match no table (keys of the first: score, task)." in text
    assert "## " not in text and "Machine of this summary, for files that name none:" in text


def test_analysis_benchmarks_get_their_own_tables_and_stay_out_of_regression(tmp_path):
    """A hardness record has a test MSE but is no regression record; an object file with a
    machine (as hardness writes) names that machine."""
    hardness = {"benchmark": "hardness", "target": "easy", "n": 8, "model": "mlp",
                "n_train": 64, "seed": 0, "test_mse": 0.5, "test_acc": None}  # fmt: skip
    gap = {"target": "easy", "n": 8, "metric": "test_mse", "gap": 16.0}
    path = tmp_path / "hardness.json"
    machine = {"platform": "Linux-test", "cpu_count": 2, "python": "3.11", "jax": "0.10"}
    path.write_text(json.dumps({"benchmark": "hardness", "records": [hardness],
                                "sample_complexity": [gap], "machine": machine}))  # fmt: skip
    bounds = {"benchmark": "bounds", "order": 2, "seed": 0, "params": 320, "gap": 0.07,
              "train_accuracy": 1.0, "test_accuracy": 0.93, "norm_disagreement": 5e-16,
              "nbs18": {"spectral_product": 94.8, "bound": 376.0}}  # fmt: skip
    other = tmp_path / "bounds.json"
    other.write_text(json.dumps([bounds]))
    text = summary.summarize(summary.load_sources([path, other]))
    assert "- Regression: not run" in text and "match no table" not in text
    assert "| easy | test_mse | mlp | 8 | 0.5 |" in text
    assert "| 2 | 320 | 1 | 1.000 | 0.930 | 0.070 | 95 | 376 | 5e-16 |" in text
    assert "Machine of" in text and "Linux-test" in text and "thresholds" not in text
