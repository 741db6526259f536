"""`python -m benchmarks.suite` calls every benchmark with the right arguments."""

from benchmarks import pendulum, regression, suite


def test_suite_runs_each_part_with_quick_and_output_paths(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(regression, "main", lambda argv: calls.append(("regression", argv)))
    monkeypatch.setattr(pendulum, "main", lambda argv: calls.append(("pendulum", argv)))
    seconds = suite.main(["--quick", "--out", str(tmp_path), "--only", "o5", "pendulum"])
    assert set(seconds) == {"o5", "pendulum", "total"}
    assert [name for name, _ in calls] == ["regression", "pendulum", "pendulum"]
    assert all("--quick" in argv for _, argv in calls)
    assert calls[0][1][:2] == ["--task", "o5"] and str(tmp_path / "o5.json") in calls[0][1]
    hnn, ode = calls[1][1], calls[2][1]
    assert "emlp-hnn" in hnn and "D6" in hnn and "emlp-ode" in ode
