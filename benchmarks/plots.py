"""Matplotlib figures of the benchmark records (Agg backend, written to PNG files).

* `plot_data_efficiency`: test MSE against training-set size, log-log, one line per
  method variant (mean over seeds, min-max band), the paper's points as crosses (as the
  EMLP paper's Figure 5).
* `plot_rollouts`: the pendulum's rollout error and angular-momentum drift against time,
  one line per model (geometric mean over test trajectories, min-max band over seeds).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

__all__ = ["plot_data_efficiency", "plot_rollouts"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(record: dict) -> str:
    return record.get("variant", record["method"])


def plot_data_efficiency(records: list[dict], paper: dict, path: Path) -> None:
    """Test MSE against N per variant, with the paper's ``{label: {N: mse}}`` as markers.

    Raises:
        ValueError: if ``records`` is empty.
    """
    if not records:
        raise ValueError("plot_data_efficiency needs at least one record.")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    labels = sorted({_label(r) for r in records} | set(paper))
    for k, label in enumerate(labels):
        color = f"C{k % 10}"
        runs = defaultdict(list)
        for r in records:
            if _label(r) == label:
                runs[r["n_train"]].append(r["test_mse"])
        if runs:
            sizes = sorted(runs)
            ax.plot(sizes, [np.mean(runs[n]) for n in sizes], "-o", color=color, label=label)
            lows, highs = [min(runs[n]) for n in sizes], [max(runs[n]) for n in sizes]
            ax.fill_between(sizes, lows, highs, color=color, alpha=0.2)
        published = paper.get(label, {})
        if published:
            ax.plot(
                list(published),
                list(published.values()),
                "x",
                color=color,
                markersize=9,
                label=f"{label} (paper)",
            )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="training set size N",
        ylabel="test MSE",
        title=records[0]["task"],
    )
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_rollouts(records: list[dict], path: Path, paper: dict | None = None) -> None:
    """Two panels against time: rollout relative error and ``|L_z(t) - L_z(0)|``.

    Each record needs ``times``, ``rollout_error_curve`` and ``angular_momentum_curve``
    (lists over time). ``paper`` maps a label to its published rollout error, drawn as a
    dashed horizontal line.

    Raises:
        ValueError: if ``records`` is empty.
    """
    if not records:
        raise ValueError("plot_rollouts needs at least one record.")
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    by_label = defaultdict(list)
    for r in records:
        by_label[_label(r)].append(r)
    for k, (label, runs) in enumerate(sorted(by_label.items())):
        color = f"C{k % 10}"
        times = np.asarray(runs[0]["times"])[1:]
        for ax, key in ((left, "rollout_error_curve"), (right, "angular_momentum_curve")):
            curves = np.array([r[key] for r in runs])[:, 1:]
            ax.plot(
                times, np.exp(np.log(np.maximum(curves, 1e-12)).mean(0)), color=color, label=label
            )
            ax.fill_between(times, curves.min(0), curves.max(0), color=color, alpha=0.15)
        if paper and label in paper:
            left.axhline(paper[label], color=color, ls="--", lw=1, label=f"{label} (paper, 30 s)")
    left.set(yscale="log", xlabel="time (s)", ylabel="relative state error", title="rollout error")
    right.set(
        yscale="log",
        xlabel="time (s)",
        ylabel="|L_z(t) - L_z(0)| (geometric mean)",
        title="angular momentum about z",
    )
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
