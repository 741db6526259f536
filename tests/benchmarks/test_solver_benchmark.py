import json

from benchmarks import solver


def test_solver_benchmark_runs_a_case_in_a_fresh_process(tmp_path, capsys):
    out = tmp_path / "solver.json"
    records = solver.main(["--only", "s10-V**3", "--repeats", "2", "--out", str(out)])
    (record,) = json.loads(out.read_text())
    assert record == records[0]
    assert record["basis_dim"] == 5 and record["size"] == 1000 and record["strategy"] == "orbits"
    assert {"case", "size", "basis_dim", "seconds", "strategy", "residual"} <= set(record)
    assert record["speedup"] == record["emlp_seconds"] / record["seconds"]
    assert len(record["seconds_all"]) == 2 and record["seconds"] == min(record["seconds_all"])
    assert 10 < record["peak_rss_mb"] < 4096  # a real measurement of the child process
    assert "speed-up" in capsys.readouterr().out


def test_every_case_expression_names_a_known_group_and_rep():
    namespace: dict = {}
    exec(solver.PRELUDE, namespace)
    for expression, _, _ in solver.BASIS_CASES.values():
        rep = eval(expression, namespace)
        assert rep.size() > 0 if rep.group is not None else True


def test_factor_rows_compare_the_factor_wise_and_the_joint_solve(tmp_path, capsys):
    out = tmp_path / "solver.json"
    (record,) = solver.main(["--only", "factor-s10xso3-V>", "--repeats", "1", "--out", str(out)])
    assert record["size"] == 900 and record["basis_dim"] == 2 and record["joint_dim"] == 2
    assert "factors: (V**2)(S(10)) [orbits, dim 2]" in record["strategy"]
    assert record["ratio"] == record["joint_seconds"] / record["seconds"]
    assert record["largest_angle"] < 1e-8  # the same subspace
    assert "factor-wise against the joint dense solve" in capsys.readouterr().out


def test_every_factor_case_is_a_product_representation():
    from benchmarks.factorwise import FACTOR_CASES, _rep

    for expression in FACTOR_CASES.values():
        rep = _rep(expression)
        assert len(rep.group.factors) == 2 and rep.size() >= 900


def test_model_construction_counts_the_plan_parameters_the_haiku_module_creates():
    """Construction is timed on the framework-free plan; its shapes must be the module's."""
    result = solver._model_child("2 * V", "Scalar", "O(5)")
    assert result["basis_dim"] == 63255  # the O(5) model's parameter count (benchmarks/README)
    assert 0 < result["seconds"] and 0 < result["haiku_shapes_seconds"]
    assert 0 < result["init_compile_seconds"]
