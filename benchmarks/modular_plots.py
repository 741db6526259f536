"""Figures of ``python -m benchmarks.modular``: losses, accuracy and the embedding spectrum.

`plot_transformer` writes three PNG files (Agg backend) from one ``transformer`` record:

* ``modular_loss.png``: train, test, restricted and excluded losses against the step, on
  a log scale, with the grokking step marked;
* ``modular_accuracy.png``: train and test accuracy against the step;
* ``modular_spectrum.png``: the share of the embedding's squared norm per frequency at
  the last logged step (key frequencies highlighted), and its Gini coefficient against
  the step.

`plot_route` writes ``modular_route.png`` from the record of
``python -m benchmarks.modular_equivariant``: test accuracy against the training fraction
per model (mean over seeds, the seeds' range as error bars), the transformer's point
where its record was found.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_transformer", "plot_route"]

LOSSES = (
    ("train_loss", "train"),
    ("test_loss", "test"),
    ("restricted_loss", "restricted (key frequencies only)"),
    ("excluded_loss", "excluded (key frequencies removed, train pairs)"),
)


def _column(history: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values of ``key``, leaving out rows where it is None."""
    rows = [(row["step"], row[key]) for row in history if row.get(key) is not None]
    steps = np.array([r[0] for r in rows], dtype=float)
    return steps, np.array([r[1] for r in rows], dtype=float)


def _mark_grokking(ax, record: dict) -> None:
    if record["grokking_step"] is not None:
        ax.axvline(record["grokking_step"], color="gray", ls=":", label="test acc > 99 %")


def plot_transformer(record: dict, directory: Path) -> list[Path]:
    """Writes the three figures of a ``transformer`` record into ``directory``.

    Args:
        record: a record of `benchmarks.modular.train_transformer`.
        directory: an existing directory.

    Returns:
        The paths written.

    Raises:
        ValueError: if the record has no history.
    """
    from benchmarks.plots import _pyplot

    history = record["history"]
    if not history:
        raise ValueError("plot_transformer needs a record with at least one logged step.")
    plt = _pyplot()
    p = record["config"]["p"]
    title = f"a + b mod {p}, {record['n_train']} training pairs, seed {record['seed']}"
    paths = [directory / f"modular_{name}.png" for name in ("loss", "accuracy", "spectrum")]

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label in LOSSES:
        steps, values = _column(history, key)
        if values.size:
            ax.plot(steps, np.maximum(values, 1e-12), label=label)
    _mark_grokking(ax, record)
    keys = record["progress_key_frequencies"]
    ax.set(yscale="log", xlabel="step", ylabel="cross-entropy",
           title=f"{title}\nkey frequencies {keys}")  # fmt: skip
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(paths[0], dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label in (("train_acc", "train"), ("test_acc", "test")):
        ax.plot(*_column(history, key), label=label)
    _mark_grokking(ax, record)
    ax.set(xlabel="step", ylabel="accuracy", ylim=(-0.02, 1.02), title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(paths[1], dpi=120)
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    fractions = np.array(history[-1]["embedding_fractions"])
    ks = np.arange(fractions.size)
    colors = ["C3" if k in record["embedding_key_frequencies"] else "C0" for k in ks]
    left.bar(ks, fractions, color=colors)
    left.set(xlabel="frequency k", ylabel="share of |W_E|^2 (number tokens)",
             title=f"embedding spectrum at step {history[-1]['step']} (key in red)")  # fmt: skip
    right.plot(*_column(history, "embedding_gini"))
    _mark_grokking(right, record)
    right.set(xlabel="step", ylabel="Gini coefficient (k >= 1)", title="Fourier sparsity of W_E")
    fig.tight_layout()
    fig.savefig(paths[2], dpi=120)
    plt.close(fig)
    return paths


ROUTE_MODELS = (("emlp", "EMLP (C_p × C_p)"), ("mlp", "MLP"), ("mlp_long", "MLP, long schedule"))


def plot_route(record: dict, directory: Path) -> Path:
    """``modular_route.png`` in ``directory`` from an ``equivariant`` record; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = record["table"]
    fractions = np.array([entry["frac"] for entry in table])
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, label in ROUTE_MODELS + (("transformer", "transformer (Nanda et al.)"),):
        points = [(f, e[key]) for f, e in zip(fractions, table, strict=True) if key in e]
        if not points:
            continue
        x = np.array([f for f, _ in points])
        mean = np.array([c["mean"] for _, c in points])
        low = mean - np.array([c.get("min", c["mean"]) for _, c in points])
        high = np.array([c.get("max", c["mean"]) for _, c in points]) - mean
        ax.errorbar(x, mean, yerr=[low, high], marker="o", capsize=3, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("fraction of the p² pairs used for training")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"a + b mod {record['config']['p']}: exact symmetry against data")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(directory) / "modular_route.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
