"""`benchmarks.shallow`: the counts table, tiny training runs, bad command lines."""

from __future__ import annotations

import json

import pytest

from benchmarks import shallow, shallow_models, summary
from benchmarks.paper_reference import GSNN_COUNTS

COMMON = {"benchmark", "part", "group", "machine"}


def _load(path):
    records = json.loads(path.read_text())
    assert all(r["benchmark"] == "shallow" and COMMON <= set(r) for r in records)
    return records


def test_table_part_reproduces_the_authors_counts_through_the_cli(tmp_path, capsys):
    out = tmp_path / "shallow.json"
    shallow.main(["--part", "table", "--out", str(out)])
    records = _load(out)
    assert {r["part"] for r in records} == {"table"}
    authors = {r["group"]: r for r in records if r["convention"] == "authors"}
    assert set(authors) == set(GSNN_COUNTS)
    for name, counts in GSNN_COUNTS.items():
        r = authors[name]
        assert [r[k] for k in shallow.COUNT_KEYS] == list(counts)
        assert r["matches_reference"] and r["merge_conjugate_kernels"] is False
    merged = {r["group"]: r for r in records if r["convention"] == "merged"}
    assert merged["D4"]["irreducible"] == 10  # two pairs of conjugate kernels merged
    assert all(merged[g]["irreducible"] == GSNN_COUNTS[g][4] for g in ("C4", "C6", "Q8"))
    printed = capsys.readouterr().out
    assert "D4" in printed and "5/8 7/13 12" in printed
    text = summary.summarize([summary.Source(out, records, ["Linux"])])
    assert "| D4 | 8 | 5/8 / 5/11 / 10 | 5/8 | 7/13 | 12 | 5/8, 7/13, 12 | yes |" in text
    assert "G-invariant shallow networks: not run" not in text
    assert "Regression: test MSE" not in text


def test_tiny_universality_and_baseline_runs_write_well_formed_records(tmp_path):
    out = tmp_path / "tiny.json"
    argv = ["--groups", "D4", "--ms", "1", "4", "--n-train", "16", "--steps", "3"]
    argv += ["--sizes", "12", "--seeds", "0", "--channels", "1", "--out", str(out), "--no-plots"]
    shallow.main(["--part", "universality", *argv])
    universality = _load(out)
    assert [(r["model"], r["m"]) for r in universality] == [
        ("regular", 1), ("regular", 4), ("invariant", 1), ("invariant", 4),
        ("defining", 1), ("defining", 4),
    ]  # fmt: skip
    regular = universality[1]
    assert regular["hidden_units"] == 4 * 8 and regular["params"] == 4 * (4 + 2)
    assert regular["architecture"] == "type1_H0"  # H = {e}: one regular orbit per copy
    assert universality[3]["hidden_units"] == 4  # H = G: one neuron per copy
    assert all(r["train_mse"] >= 0 and r["steps"] == 3 for r in universality)
    assert not (tmp_path / "shallow_universality.png").exists()  # matplotlib costs 1-2 s

    argv[1] = "C8"  # six architectures: fewer compilations than D4's ten
    # the EMLP's compilation would double this test's time; its width is matched below
    shallow.main(["--part", "baselines", "--methods", "gsnn", "mlp", *argv])
    baselines = _load(out)
    assert [r["method"] for r in baselines] == ["gsnn", "mlp"]
    for r in baselines:
        assert r["part"] == "baselines" and r["n_train"] == 12 and r["seed"] == 0
        assert r["test_mse"] >= 0 and r["params"] > 0
    gsnn, mlp = baselines
    assert gsnn["equivariance_error"] < 1e-4 and mlp["num_layers"] == 1
    assert gsnn["params"] == 33 and mlp["params"] == 31  # MLP widths step by d + 2 = 10
    c8 = shallow.demo_group("C8")
    emlp_width = shallow.matched_width("emlp", c8, gsnn["params"], num_layers=1)
    assert abs(shallow_models._num_params("emlp", c8, emlp_width, 1) - gsnn["params"]) <= 2
    text = summary.summarize([summary.Source(out, universality + baselines, ["Linux"])])
    assert "| D4 | m × regular (H = {e}) |" in text and "| C8 | gsnn | 1 | 33 |" in text


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--part", "everything"], "argument --part: invalid choice: 'everything'"),
        (["--ms", "0"], "argument --ms: expected a positive integer; got '0'"),
        (["--ms", "2", "2"], "argument --ms: repeated values [2]"),
        (["--groups", "S5"], "argument --groups: invalid choice: 'S5'"),
        (["--sizes", "-1"], "argument --sizes: expected a positive integer; got '-1'"),
        (["--seeds", "-1"], "argument --seeds: expected an integer in [0, 4294967295]"),
        (["--lr", "nan"], "argument --lr: expected a finite number > 0; got 'nan'"),
        (["--methods", "cnn"], "argument --methods: invalid choice: 'cnn'"),
        (["--out", "{tmp}"], "argument --out: expected a file path"),
    ],
)
def test_bad_command_line_exits_2_before_any_work(argv, fragment, tmp_path, monkeypatch, capsys):
    def forbidden(*args, **kwargs):
        raise AssertionError("work started on a bad command line")

    for name in ("table_records", "universality_records", "baseline_records"):
        monkeypatch.setattr(shallow, name, forbidden)
    argv = [a.format(tmp=tmp_path) for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        shallow.main(argv)
    assert exit_info.value.code == 2
    assert fragment.format(tmp=tmp_path) in capsys.readouterr().err
