"""The figure of ``python -m benchmarks.hardness``: learning curves and the gap against n!."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks.hardness_models import MODELS

__all__ = ["plot_hardness"]

_METRICS = {"easy": ("test_mse", "test MSE (1 = predicting the mean)"),
            "hard": ("test_acc", "test accuracy (0.5 = chance)")}  # fmt: skip


def plot_hardness(records: list[dict], table: list[dict], path: Path) -> None:
    """One panel per target (metric against N, one colour per n, solid invariant, dashed
    MLP, mean over seeds), and one of ``log10 N*_mlp / N*_invariant`` against ``log10 n!``.

    Raises:
        ValueError: if ``records`` is empty.
    """
    from benchmarks.plots import _pyplot

    if not records:
        raise ValueError("plot_hardness needs at least one record.")
    plt = _pyplot()
    targets = list(dict.fromkeys(r["target"] for r in records))
    ns = sorted({r["n"] for r in records})
    fig, axes = plt.subplots(1, len(targets) + 1, figsize=(5 * (len(targets) + 1), 4))
    for ax, target in zip(axes, targets, strict=False):
        metric, label = _METRICS[target]
        for k, n in enumerate(ns):
            for model, style in zip(MODELS, ("-o", "--s"), strict=True):
                runs = defaultdict(list)
                for r in records:
                    if r["target"] == target and r["n"] == n and r["model"] == model:
                        runs[r["n_train"]].append(r[metric])
                if runs:
                    sizes = sorted(runs)
                    ax.plot(sizes, [np.mean(runs[s]) for s in sizes], style, color=f"C{k}",
                            label=f"{model}, n = {n}")  # fmt: skip
        ax.set(xscale="log", xlabel="training set size N", ylabel=label, title=target)
        if metric == "test_mse":
            ax.set_yscale("log")
        else:
            ax.set_ylim(0.4, 1.02)
        ax.legend(fontsize=7)
    ax = axes[-1]
    for e in table:
        gap = e["gap"] or e["gap_at_least"]
        if gap:
            ax.plot(e["log10_order"], np.log10(gap), "o" if e["gap"] else "^", color="C0")
    orders = [e["log10_order"] for e in table]
    ax.plot([0, max(orders)], [0, max(orders)], ":", color="gray", label="gap = |G| = n!")
    ax.set(xlabel="log10 |G| = log10 n!", ylabel="log10 N*_mlp / N*_invariant",
           title="sample-complexity gap (triangle: lower bound)")  # fmt: skip
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
