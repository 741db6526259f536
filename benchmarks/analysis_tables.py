"""Tables of the analysis benchmarks for ``benchmarks/RESULTS.md``.

One function per benchmark, each taking that benchmark's records (`benchmarks.summary`
selects them by their ``benchmark`` key): grokking (``modular``, part ``transformer``),
the equivariant route (``modular``, part ``equivariant``), margin-bound terms
(``bounds``), digits (``digits``) and hard invariant targets (``hardness``). Means are
over the seeds present.

Example:
    >>> r = {"benchmark": "bounds", "order": 8, "seed": 0, "params": 80,
    ...      "train_accuracy": 1.0, "test_accuracy": 0.97, "gap": 0.03,
    ...      "norm_disagreement": 1e-15, "nbs18": {"spectral_product": 128.0, "bound": 625.0}}
    >>> print(bounds_table([r]).splitlines()[-1])
    | 8 | 80 | 1 | 1.000 | 0.970 | 0.030 | 128 | 625 | 1e-15 |
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from benchmarks.markdown import DASH, number, table

__all__ = ["grokking_table", "route_table", "bounds_table", "digits_table", "hardness_table"]


def _fixed(value: float | None) -> str:
    return DASH if value is None else f"{value:.3f}"


def _mean(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return float(np.mean(values)) if values else None


def grokking_table(records: list[dict]) -> str:
    """One row per transformer run: steps, grokking step, key frequencies, final accuracy."""
    rows = []
    for r in records:
        final = r["final"]
        rows.append([
            r["config"]["p"], r["config"]["frac"], r["seed"], r["steps_run"],
            r["memorization_step"], r["grokking_step"] if r["grokking_step"] is not None else DASH,
            ", ".join(map(str, r["key_frequencies"])) or DASH,
            _fixed(final["test_acc"]), number(final["test_loss"]),
            number(r["step_seconds"], 4),
        ])  # fmt: skip
    header = ["p", "fraction", "seed", "steps", "memorised at", "grokked at (test acc > 99 %)",
              "key frequencies", "test acc", "test loss", "s/step"]  # fmt: skip
    return table(header, "::::::-:::", rows)


def route_table(records: list[dict]) -> str:
    """Test accuracy against the training fraction: EMLP, MLP, long MLP, transformer."""
    rows = []
    for record in records:
        for entry in record["table"]:
            cells = [record["config"]["p"], entry["frac"], entry["n_train"]]
            for model in ("emlp", "mlp", "mlp_long", "transformer"):
                cell = entry.get(model)
                cells.append(DASH if cell is None else f"{cell['mean']:.3f} ({cell['seeds']})")
            rows.append(cells)
    header = ["p", "fraction", "pairs", "EMLP (seeds)", "MLP", "MLP, long", "transformer"]
    return table(header, ":::::::", rows)


def bounds_table(records: list[dict]) -> str:
    """Per group order N: accuracy, gap and the NBS18 terms, means over seeds."""
    by_order = defaultdict(list)
    for r in records:
        by_order[r["order"]].append(r)
    rows = []
    for order, group in sorted(by_order.items()):
        nbs18 = [r["nbs18"] for r in group if r.get("nbs18")]
        rows.append([
            order, group[0]["params"], len(group), _fixed(_mean(group, "train_accuracy")),
            _fixed(_mean(group, "test_accuracy")), _fixed(_mean(group, "gap")),
            f"{np.mean([t['spectral_product'] for t in nbs18]):.0f}" if nbs18 else DASH,
            f"{np.mean([t['bound'] for t in nbs18]):.0f}" if nbs18 else DASH,
            f"{max(r['norm_disagreement'] for r in group):.0e}",
        ])  # fmt: skip
    header = ["N", "params", "seeds", "train acc", "test acc", "gap", "Π‖W‖₂", "NBS18",
              "dense vs irrep"]  # fmt: skip
    return table(header, ":::::::::", rows)


def digits_table(records: list[dict]) -> str:
    """Mean test accuracy (train - test gap) per model, biases and training size."""
    sizes = sorted({r["n_train"] for r in records})
    by_model = defaultdict(lambda: defaultdict(list))
    for r in records:
        by_model[(r["model"], r["biases"])][r["n_train"]].append(r)
    rows = []
    for (model, biases), by_size in sorted(by_model.items()):
        params = next(iter(by_size.values()))[0]["num_params"]
        cells = [model, "yes" if biases else "no", params]
        for n in sizes:
            group = by_size.get(n, [])
            test, gap = _mean(group, "test_acc"), _mean(group, "gap")
            cells.append(DASH if test is None else f"{test:.3f} ({gap:.2f})")
        rows.append(cells)
    header = ["model", "biases", "params", *[f"n = {n}" for n in sizes]]
    return table(header, "--:" + ":" * len(sizes), rows)


def hardness_table(records: list[dict]) -> str:
    """Mean test MSE (easy) or accuracy (hard) per target, model and n, against N."""
    runs = [r for r in records if "n_train" in r]
    sizes = sorted({r["n_train"] for r in runs})
    groups = defaultdict(list)
    for r in runs:
        groups[(r["target"], r["model"], r["n"], r["n_train"])].append(r)
    rows = []
    for target, model, n in sorted({key[:3] for key in groups}):
        metric = "test_mse" if target == "easy" else "test_acc"
        cells = [target, metric, model, n]
        cells += [number(_mean(groups.get((target, model, n, s), []), metric)) for s in sizes]
        rows.append(cells)
    header = ["target", "metric", "model", "n", *[f"N = {s}" for s in sizes]]
    return table(header, "---:" + ":" * len(sizes), rows)
