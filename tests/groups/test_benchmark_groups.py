import json

from benchmarks import groups as benchmark
from benchmarks.paper_reference import EXCEPTIONAL_ALGEBRAS


def test_benchmark_prints_times_and_writes_json(tmp_path, capsys):
    out = tmp_path / "groups.json"
    records = benchmark.main(["--repeats", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert [r["group"] for r in records] == ["G2", "F4", "E6"]
    for name in ("G2", "F4", "E6"):
        assert f"\n{name} " in printed
    saved = json.loads(out.read_text())["records"]
    expected = [EXCEPTIONAL_ALGEBRAS[name] for name in ("G2", "F4", "E6")]
    assert [(r["lie_algebra_dim"], r["rank"]) for r in saved] == expected
    assert saved[2]["killing_signature"] == [26, 52, 0]
    assert all(r["cold_seconds"] < 20 and r["rebuild_best_seconds"] < 20 for r in saved)
    finite = json.loads(out.read_text())["finite"]
    results = {r["case"]: r["result"] for r in finite}
    assert results["order of the Rubik's cube group (Schreier-Sims)"] == "43252003274489856000"
    assert results["conjugacy classes of S(7) (enumeration)"] == "15 classes of 5040 elements"
    assert all(r["seconds"] < 20 for r in finite)
    assert "Rubik" in printed
