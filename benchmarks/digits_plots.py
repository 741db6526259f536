"""The figure of ``python -m benchmarks.digits``: test accuracy and gap against size."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

__all__ = ["plot_digits"]


def plot_digits(records: list[dict], path: Path) -> None:
    """Two panels against training size (log x): test accuracy and train-test gap.

    One line per model (mean over seeds, min-max band), solid with biases, dashed without.

    Raises:
        ValueError: if ``records`` is empty.
    """
    if not records:
        raise ValueError("plot_digits needs at least one record.")
    from benchmarks.plots import _pyplot

    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    models = list(dict.fromkeys(r["model"] for r in records))
    for k, model in enumerate(models):
        for biases in (True, False):
            runs = defaultdict(list)
            for r in records:
                if r["model"] == model and r["biases"] == biases:
                    runs[r["n_train"]].append(r)
            if not runs:
                continue
            sizes = sorted(runs)
            params = runs[sizes[0]][0]["num_params"]
            label = f"{model}{'' if biases else ' no bias'} ({params})"
            style = "-o" if biases else "--s"
            for ax, key in zip(axes, ("test_acc", "gap"), strict=True):
                values = [[r[key] for r in runs[n]] for n in sizes]
                ax.plot(sizes, [np.mean(v) for v in values], style, color=f"C{k}", label=label)
                ax.fill_between(sizes, [min(v) for v in values], [max(v) for v in values],
                                color=f"C{k}", alpha=0.12)  # fmt: skip
    axes[0].set(xscale="log", xlabel="training images", ylabel="test accuracy",
                title="UCI digits (8x8): test accuracy")  # fmt: skip
    axes[1].set(xscale="log", xlabel="training images", ylabel="train - test accuracy",
                title="over-fitting gap")  # fmt: skip
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
