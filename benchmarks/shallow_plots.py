"""Plots of ``python -m benchmarks.shallow``: universality and baseline curves."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks.shallow_models import METHODS


def plot_universality(records: list[dict], path: Path) -> None:
    """Training MSE against ``m`` (log-log), one panel per group, one line per model."""
    from benchmarks.plots import _pyplot

    plt = _pyplot()
    names = list(dict.fromkeys(r["group"] for r in records))
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names, strict=False):
        for model, label in (
            ("regular", "m x regular (H = {e})"),
            ("invariant", "invariant only (H = G)"),
            ("defining", "m x (Scalar + V)"),
        ):
            rows = sorted((r["m"], r["train_mse"]) for r in records
                          if r["group"] == name and r["model"] == model)  # fmt: skip
            if rows:
                ax.plot([r[0] for r in rows], [r[1] for r in rows], "-o", label=label)
        ax.set(xscale="log", yscale="log", xlabel="m (copies)", ylabel="training MSE",
               title=f"{name}: invariant teacher")  # fmt: skip
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_baselines(records: list[dict], path: Path) -> None:
    """Test MSE against N (log-log), one panel per group, mean over seeds, min-max band."""
    from benchmarks.plots import _pyplot

    plt = _pyplot()
    names = list(dict.fromkeys(r["group"] for r in records))
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names, strict=False):
        for k, method in enumerate(METHODS):
            runs = defaultdict(list)
            for r in records:
                if r["group"] == name and r["method"] == method:
                    runs[r["n_train"]].append(r["test_mse"])
            if not runs:
                continue
            sizes = sorted(runs)
            params = next(
                r["params"] for r in records if r["group"] == name and r["method"] == method
            )
            ax.plot(sizes, [np.mean(runs[n]) for n in sizes], "-o", color=f"C{k}",
                    label=f"{method} ({params} params)")  # fmt: skip
            ax.fill_between(sizes, [min(runs[n]) for n in sizes], [max(runs[n]) for n in sizes],
                            color=f"C{k}", alpha=0.2)  # fmt: skip
        ax.set(xscale="log", yscale="log", xlabel="training set size N", ylabel="test MSE",
               title=f"{name}: invariant teacher")  # fmt: skip
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
