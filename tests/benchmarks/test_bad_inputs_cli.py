"""Bad command lines of every benchmark program fail at parse time, before any work.

Each row of `BAD_COMMAND_LINES` runs ``<program>.main(argv)`` in this process with the
program's heavy functions (training, data, child processes, plots) replaced by ones that
fail the test if called; the row passes when the program exits with status 2 and stderr
holds the expected fragment (which names the flag and quotes the bad value).

Placeholders in argv and fragments: ``{tmp}`` an existing directory, ``{file}`` an
existing regular file, ``{taken}`` a directory holding a *directory* named ``o5.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest

from benchmarks import cli, pendulum, regression, solver, suite, summary
from benchmarks import groups as group_benchmark
from benchmarks import layers as layer_benchmark

PROGRAMS = {
    "regression": regression,
    "pendulum": pendulum,
    "solver": solver,
    "layers": layer_benchmark,
    "suite": suite,
    "groups": group_benchmark,
    "summary": summary,
}
HEAVY = {
    "regression": [(regression, "run"), (regression, "fit"), (regression, "plot_data_efficiency")],
    "pendulum": [
        (pendulum, "run"),
        (pendulum, "fit_dynamics"),
        (pendulum, "pendulum_data"),
        (pendulum, "plot_rollouts"),
    ],
    "solver": [
        (solver, "run"),
        (solver, "run_child"),
        (solver, "_basis_child"),
        (solver, "_model_child"),
        (solver, "run_factor_cases"),
    ],
    "layers": [(layer_benchmark, "run_child"), (layer_benchmark, "_child")],
    "suite": [(regression, "main"), (pendulum, "main"), (summary, "main")],
    "groups": [(group_benchmark, "measure")],
    "summary": [(summary, "load_sources")],
}
"""What each program must not reach on a bad command line."""

TOO_BIG_SEED = str(cli.MAX_SEED + 1)

# (id, program, argv, fragment of the expected stderr)
BAD_COMMAND_LINES = [
    # regression
    ("regression-ch-negative", "regression", ["--ch", "-3"],
     "argument --ch: expected a positive integer; got '-3'"),
    ("regression-ch-zero", "regression", ["--ch", "0"],
     "argument --ch: expected a positive integer; got '0'"),
    ("regression-ch-not-an-integer", "regression", ["--ch", "3.5"],
     "argument --ch: expected a positive integer; got '3.5'"),
    ("regression-seed-negative", "regression", ["--seeds", "0", "-1"],
     "argument --seeds: expected an integer in [0, 4294967295]; got '-1'"),
    ("regression-seed-too-big", "regression", ["--seeds", TOO_BIG_SEED],
     f"argument --seeds: expected an integer in [0, 4294967295]; got '{TOO_BIG_SEED}'"),
    ("regression-seeds-empty", "regression", ["--seeds"],
     "argument --seeds: expected at least one argument"),
    ("regression-seeds-repeated", "regression", ["--seeds", "1", "2", "1"],
     "argument --seeds: repeated values [1]"),
    ("regression-size-zero", "regression", ["--sizes", "100", "0"],
     "argument --sizes: expected a positive integer; got '0'"),
    ("regression-epochs-negative", "regression", ["--epochs", "-5"],
     "argument --epochs: expected a positive integer; got '-5'"),
    ("regression-num-layers-negative", "regression", ["--num-layers", "-1"],
     "argument --num-layers: expected a non-negative integer; got '-1'"),
    ("regression-patience-zero", "regression", ["--patience", "0"],
     "argument --patience: expected a positive integer; got '0'"),
    ("regression-sample-scale-nan", "regression", ["--sample-scale", "nan"],
     "argument --sample-scale: expected a finite number > 0; got 'nan'"),
    ("regression-sample-scale-overflow", "regression", ["--sample-scale", "1e400"],
     "argument --sample-scale: expected a finite number > 0; got '1e400'"),
    ("regression-sample-scale-zero", "regression", ["--sample-scale", "0"],
     "argument --sample-scale: expected a finite number > 0; got '0'"),
    ("regression-unknown-task", "regression", ["--task", "qm9"],
     "argument --task: invalid choice: 'qm9'"),
    ("regression-unknown-method", "regression", ["--methods", "emlp", "cnn"],
     "argument --methods: invalid choice: 'cnn'"),
    ("regression-methods-repeated", "regression", ["--methods", "mlp", "mlp"],
     "argument --methods: repeated values ['mlp']"),
    ("regression-group-of-another-task", "regression", ["--task", "o5", "--groups", "SO3"],
     "argument --groups: task 'o5' has no group variant 'SO3'"),
    ("regression-out-is-a-directory", "regression", ["--out", "{tmp}"],
     "argument --out: expected a file path; got '{tmp}', an existing directory"),
    ("regression-out-under-a-file", "regression", ["--out", "{file}/o5.json"],
     "argument --out: the parent directory of '{file}/o5.json' cannot be created: "
     "'{file}' is not a directory"),
    ("regression-out-trailing-separator", "regression", ["--out", "{tmp}/new/"],
     "argument --out: expected a file path; got '{tmp}/new/'"),
    # pendulum
    ("pendulum-n-train-zero", "pendulum", ["--n-train", "0"],
     "argument --n-train: expected a positive integer; got '0'"),
    ("pendulum-n-val-negative", "pendulum", ["--n-val", "-1"],
     "argument --n-val: expected a positive integer; got '-1'"),
    ("pendulum-n-test-text", "pendulum", ["--n-test", "many"],
     "argument --n-test: expected a positive integer; got 'many'"),
    ("pendulum-epochs-zero", "pendulum", ["--epochs", "0"],
     "argument --epochs: expected a positive integer; got '0'"),
    ("pendulum-ch-negative", "pendulum", ["--ch", "-3"],
     "argument --ch: expected a positive integer; got '-3'"),
    ("pendulum-substeps-zero", "pendulum", ["--substeps", "0"],
     "argument --substeps: expected a positive integer; got '0'"),
    ("pendulum-duration-short", "pendulum", ["--duration", "0.5"],
     "argument --duration: expected a finite number >= 1; got '0.5'"),
    ("pendulum-duration-infinite", "pendulum", ["--duration", "inf"],
     "argument --duration: expected a finite number >= 1; got 'inf'"),
    ("pendulum-seed-negative", "pendulum", ["--seeds", "-1"],
     "argument --seeds: expected an integer in [0, 4294967295]; got '-1'"),
    ("pendulum-unknown-group", "pendulum", ["--groups", "C4"],
     "argument --groups: invalid choice: 'C4'"),
    ("pendulum-groups-repeated", "pendulum", ["--groups", "O2", "D6", "O2"],
     "argument --groups: repeated values ['O2']"),
    ("pendulum-out-is-a-directory", "pendulum", ["--out", "{tmp}"],
     "argument --out: expected a file path; got '{tmp}', an existing directory"),
    # solver
    ("solver-repeats-zero", "solver", ["--repeats", "0"],
     "argument --repeats: expected a positive integer; got '0'"),
    ("solver-only-matches-nothing", "solver", ["--only", "so4"],
     "argument --only: no case name contains 'so4'"),
    ("solver-out-is-a-directory", "solver", ["--out", "{tmp}"],
     "argument --out: expected a file path; got '{tmp}', an existing directory"),
    # layers
    ("layers-batch-zero", "layers", ["--batch", "0"],
     "argument --batch: expected a positive integer; got '0'"),
    ("layers-ch-negative", "layers", ["--ch", "-3"],
     "argument --ch: expected a positive integer; got '-3'"),
    ("layers-repeats-negative", "layers", ["--repeats", "-2"],
     "argument --repeats: expected a positive integer; got '-2'"),
    ("layers-unknown-task", "layers", ["--only", "so3"],
     "argument --only: invalid choice: 'so3'"),
    ("layers-unknown-frontend", "layers", ["--frontend", "jittor"],
     "argument --frontend: invalid choice: 'jittor'"),
    ("layers-out-under-a-file", "layers", ["--out", "{file}/layers.json"],
     "argument --out: the parent directory of '{file}/layers.json' cannot be created: "
     "'{file}' is not a directory"),
    # suite
    ("suite-out-is-a-file", "suite", ["--out", "{file}"],
     "argument --out: expected a directory path; got '{file}', an existing file"),
    ("suite-out-under-a-file", "suite", ["--out", "{file}/results"],
     "argument --out: the directory of '{file}/results' cannot be created"),
    ("suite-part-output-is-a-directory", "suite", ["--out", "{taken}", "--only", "o5"],
     "argument --out: output of part 'o5': expected a file path; got '{taken}/o5.json'"),
    ("suite-unknown-part", "suite", ["--only", "qm9"],
     "argument --only: invalid choice: 'qm9'"),
    ("suite-parts-repeated", "suite", ["--only", "o5", "pendulum", "o5"],
     "argument --only: repeated values ['o5']"),
    # groups
    ("groups-repeats-negative", "groups", ["--repeats", "-1"],
     "argument --repeats: expected a non-negative integer; got '-1'"),
    ("groups-out-is-a-directory", "groups", ["--out", "{tmp}"],
     "argument --out: expected a file path; got '{tmp}', an existing directory"),
    # summary
    ("summary-missing-file", "summary", ["{tmp}/missing.json"],
     "argument paths: no such file: '{tmp}/missing.json'"),
    ("summary-directory", "summary", ["{tmp}"],
     "argument paths: expected a file; got '{tmp}', not a regular file"),
    ("summary-write-not-markdown", "summary", ["--write", "{tmp}/results.json"],
     "argument --write: expected a Markdown file ending in .md; got '{tmp}/results.json'"),
    ("summary-write-under-a-file", "summary", ["--write", "{file}/RESULTS.md"],
     "argument --write: the parent directory of '{file}/RESULTS.md' cannot be created"),
]  # fmt: skip


@pytest.fixture
def places(tmp_path):
    """Values of the placeholders: an existing directory, file, and taken output name."""
    file = tmp_path / "a-file.txt"
    file.write_text("not a directory\n")
    taken = tmp_path / "taken"
    (taken / "o5.json").mkdir(parents=True)
    return {"tmp": str(tmp_path), "file": str(file), "taken": str(taken)}


def _forbid_heavy_work(monkeypatch, program: str) -> None:
    for module, name in HEAVY[program]:

        def called(*args, _name=f"{module.__name__}.{name}", **kwargs):
            raise AssertionError(f"heavy work reached: {_name} was called")

        monkeypatch.setattr(module, name, called)


def test_the_table_covers_every_program_and_enough_cases():
    assert len(BAD_COMMAND_LINES) >= 20
    assert len({case[0] for case in BAD_COMMAND_LINES}) == len(BAD_COMMAND_LINES)
    assert {case[1] for case in BAD_COMMAND_LINES} == set(PROGRAMS)


@pytest.mark.parametrize(
    ("program", "argv", "fragment"),
    [case[1:] for case in BAD_COMMAND_LINES],
    ids=[case[0] for case in BAD_COMMAND_LINES],
)
def test_bad_command_line_exits_2_at_parse_time(
    program, argv, fragment, places, monkeypatch, capsys
):
    _forbid_heavy_work(monkeypatch, program)
    argv = [arg.format(**places) for arg in argv]
    start = time.perf_counter()
    with pytest.raises(SystemExit) as exit_info:
        PROGRAMS[program].main(argv)
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "error: " + fragment.format(**places) in err
    assert seconds < 1.0  # parse-time checks only: nothing was built, trained or spawned


@pytest.mark.parametrize("program", ["regression", "pendulum", "solver", "layers", "groups"])
def test_output_file_in_a_read_only_directory_is_refused(program, places, monkeypatch, capsys):
    # Tests may run as root, for whom chmod does not stop writes: fake the permission check.
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    _forbid_heavy_work(monkeypatch, program)
    out = f"{places['tmp']}/new/out.json"
    with pytest.raises(SystemExit) as exit_info:
        PROGRAMS[program].main(["--out", out])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --out: the parent directory of '{out}' cannot be written" in err
    assert f"'{places['tmp']}' is not writable" in err


def test_existing_read_only_output_file_and_directory_are_refused(places, monkeypatch):
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    with pytest.raises(argparse.ArgumentTypeError, match="exists and is not writable"):
        cli.output_file(places["file"])
    with pytest.raises(argparse.ArgumentTypeError, match="is not writable"):
        cli.output_directory(places["tmp"])


def test_good_command_lines_parse_without_creating_anything(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "new" / "deeper" / "o5.json"
    args = regression.parse_args(
        ["--task", "inertia", "--groups", "SO3", "--sizes", "100", "--seeds", "0"]
        + [str(cli.MAX_SEED), "--num-layers", "0", "--sample-scale", "0.5", "--out", str(out)]
    )
    assert args.out == out and args.sizes == [100] and args.seeds == [0, cli.MAX_SEED]
    assert args.num_layers == 0 and args.sample_scale == 0.5 and args.groups == ["SO3"]
    assert not (tmp_path / "new").exists()  # checked, not created: main makes the directory
    assert regression.parse_args(["--task", "lorentz"]).out == Path(
        "benchmarks/results/lorentz.json"
    )
    quick = regression.parse_args(["--quick", "--epochs", "7"])
    assert (quick.sizes, quick.seeds, quick.epochs) == ([1000], [0], 7)
    args = pendulum.parse_args(["--duration", "1", "--substeps", "2"])
    assert args.duration == 1.0 and args.out == Path("benchmarks/results/pendulum.json")
    assert solver.parse_args(["--only", "s10"]).out == Path("benchmarks/results/solver.json")
    assert layer_benchmark.parse_args(["--batch", "1"]).batch == 1
    assert group_benchmark.parse_args(["--repeats", "0"]).repeats == 0
    assert suite.parse_args(["--only", "pendulum"]).out == Path("benchmarks/results")
    assert not list(tmp_path.iterdir())


def test_children_of_fresh_processes_do_not_check_the_parents_outputs(tmp_path, monkeypatch):
    # A child runs in the parent's directory and never writes --out: it parses without it.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "benchmarks").write_text("a file where the default output directory goes\n")
    assert solver.parse_args(["--only", "zzz", "--child", "basis", "(V**3)(S(10))"]).out is None
    assert layer_benchmark.parse_args(["--child", "o5", "16", "32", "2", "haiku"]).out is None
    with pytest.raises(SystemExit):
        solver.parse_args([])  # the parent does check its default


GOOD_COMMAND_LINES = {
    "regression": ["--task", "lorentz", "--sizes", "10", "--out", "{tmp}/new/lorentz.json"],
    "pendulum": ["--quick", "--out", "{tmp}/new/pendulum.json"],
    "solver": ["--only", "s10-V**3", "--repeats", "1", "--out", "{tmp}/new/solver.json"],
    "layers": ["--only", "o5", "--out", "{tmp}/new/layers.json"],
    "suite": ["--quick", "--only", "o5", "--out", "{tmp}/new"],
    "groups": ["--repeats", "0", "--out", "{tmp}/new/groups.json"],
    "summary": ["{file}"],
}


@pytest.mark.parametrize("program", sorted(GOOD_COMMAND_LINES))
def test_a_good_command_line_reaches_the_guarded_work(program, places, monkeypatch):
    # The control for the table: the same guard does stop a program that gets past parsing.
    _forbid_heavy_work(monkeypatch, program)
    argv = [arg.format(**places) for arg in GOOD_COMMAND_LINES[program]]
    with pytest.raises(AssertionError, match="heavy work reached"):
        PROGRAMS[program].main(argv)
