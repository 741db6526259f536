"""The training tables of the benchmark summary: test MSE and rollout error beside the paper.

Regression records (``test_mse``, `benchmarks.regression`) are grouped by task, variant and
training-set size; pendulum records (``rollout_error``, `benchmarks.pendulum`) by variant.
Each row gives the mean over seeds, the range, the paper's published mean
(`benchmarks.paper_reference`, arXiv 2104.09459) and our mean divided by it, and for
regression tasks how many times lower the EMLP's test MSE is than the MLP's, ours against
the paper's. `benchmarks.summary` puts them in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

__all__ = ["regression_table", "pendulum_table"]


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def regression_table(records: list[dict], paper: dict) -> str:
    """One markdown table per call: rows ``(task, N, variant)``, test MSE over seeds.

    ``paper`` maps task -> variant -> N -> published test MSE
    (`benchmarks.paper_reference.REGRESSION_TEST_MSE`).

    Example:
        >>> rows = [{"task": "o5", "variant": v, "n_train": 1000, "seed": 0, "test_mse": m}
        ...         for v, m in (("emlp-O5", 0.005), ("mlp", 0.2))]
        >>> paper = {"o5": {"emlp-O5": {1000: 0.017}, "mlp": {1000: 0.0892}}}
        >>> print(regression_table(rows, paper))
        | task | N | variant | seeds | test MSE | range | paper | ours/paper | MLP/EMLP (paper) |
        |---|---:|---|---:|---:|---|---:|---:|---:|
        | o5 | 1000 | emlp-O5 | 1 | 0.005 | 0.005–0.005 | 0.017 | 0.294 | 40 (5.25) |
        | o5 | 1000 | mlp | 1 | 0.2 | 0.2–0.2 | 0.0892 | 2.24 |  |
    """
    runs = defaultdict(list)
    for r in records:
        if "test_mse" in r:
            runs[(r["task"], r["n_train"], r.get("variant") or r["method"])].append(r["test_mse"])
    lines = [
        "| task | N | variant | seeds | test MSE | range | paper | ours/paper | MLP/EMLP (paper) |",
        "|---|---:|---|---:|---:|---|---:|---:|---:|",
    ]
    for task, n, variant in sorted(runs, key=lambda k: (k[0], k[1], not k[2].startswith("emlp"))):
        values = runs[(task, n, variant)]
        mean = float(np.mean(values))
        published = paper.get(task, {}).get(variant, {}).get(n)
        factor = ""
        mlp = runs.get((task, n, "mlp"))
        if variant.startswith("emlp") and mlp:
            paper_mlp = paper.get(task, {}).get("mlp", {}).get(n)
            ratio = f"{np.mean(mlp) / mean:.3g}"
            factor = ratio + (f" ({paper_mlp / published:.3g})" if published and paper_mlp else "")
        lines.append(
            f"| {task} | {n} | {variant} | {len(values)} | {mean:.3g} | "
            f"{min(values):.3g}–{max(values):.3g} | {_fmt(published)} | "
            f"{_fmt(mean / published if published else None)} | {factor} |"
        )
    return "\n".join(lines)


def pendulum_table(records: list[dict], paper: dict) -> str:
    """Rows per pendulum variant: rollout error (the paper's metric), L_z drift, seconds.

    ``paper`` maps a variant to its published rollout error
    (`benchmarks.paper_reference.PENDULUM_ROLLOUT_ERROR`).

    Example:
        >>> rows = [{"task": "pendulum", "variant": "mlp-hnn", "seed": s, "rollout_error": e,
        ...          "angular_momentum_error": 0.01, "train_seconds": 300.0}
        ...         for s, e in ((0, 0.02), (1, 0.03))]
        >>> print(pendulum_table(rows, {"mlp-hnn": 0.0281}))
        | variant | seeds | rollout error | range | paper | ours/paper | L_z drift | train s |
        |---|---:|---:|---|---:|---:|---:|---:|
        | mlp-hnn | 2 | 0.025 | 0.02–0.03 | 0.0281 | 0.89 | 0.01 | 300 |
    """
    runs = defaultdict(list)
    for r in records:
        if r.get("task") == "pendulum":
            runs[r["variant"]].append(r)
    lines = [
        "| variant | seeds | rollout error | range | paper | ours/paper | L_z drift | train s |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for variant in sorted(runs, key=lambda v: (not v.startswith("emlp"), v)):
        errors = [r["rollout_error"] for r in runs[variant]]
        mean = float(np.mean(errors))
        published = paper.get(variant)
        drift = float(np.mean([r["angular_momentum_error"] for r in runs[variant]]))
        seconds = float(np.mean([r["train_seconds"] for r in runs[variant]]))
        lines.append(
            f"| {variant} | {len(errors)} | {mean:.3g} | {min(errors):.3g}–{max(errors):.3g} | "
            f"{_fmt(published)} | {_fmt(mean / published if published else None)} | "
            f"{drift:.2g} | {seconds:.0f} |"
        )
    return "\n".join(lines)
