"""EMLP against MLP baselines on the EMLP paper's regression tasks.

Usage::

    python -m benchmarks.regression --task o5 --quick
    python -m benchmarks.regression --task o5 --methods emlp mlp mlp_aug \\
        --sizes 100 1000 10000 --seeds 0 1 2 --out benchmarks/results/o5.json

Prints a table (method, n_train, test MSE, equivariance error, seconds), writes the records
as JSON to ``--out`` and a log-log plot of test MSE against training-set size, with the
paper's published points (arXiv 2104.09459, Figure 5) as markers, beside it.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path

from tqdm.auto import tqdm

from benchmarks.datasets import TASKS
from benchmarks.training import fit
from layers import EMLP, MLP

# Published test MSE (mean of 3 seeds), EMLP paper Figure 5, from ../shared/REFERENCE.md.
PAPER = {
    "o5": {
        "mlp": {100: 2.83, 1000: 0.0892, 10000: 0.0616},
        "mlp_aug": {100: 0.397, 1000: 0.0633, 10000: 0.0702},
        "emlp": {100: 0.0408, 1000: 0.017, 10000: 0.013},
    }
}
METHODS = ("emlp", "mlp", "mlp_aug")
VAL_SIZE, TEST_SIZE = 1000, 5000


def paper_epochs(n_train: int) -> int:
    """The paper's schedule: ``min(900000 / N, 1000)`` epochs."""
    return int(min(900_000 // n_train, 1000))


def run(
    task: str, methods, sizes, seeds, *, epochs=None, ch=384, num_layers=3, progress=True
) -> list[dict]:
    """Trains every (method, size, seed) and returns one record per run."""
    make = TASKS[task]
    records = []
    runs = [(n, s, m) for n in sizes for s in seeds for m in methods]
    for n_train, seed, method in tqdm(runs, desc=f"{task} runs", disable=not progress):
        train = make(n_train, seed=3 * seed)
        val = make(VAL_SIZE, seed=3 * seed + 1)
        test = make(TEST_SIZE, seed=3 * seed + 2)
        module = EMLP if method == "emlp" else MLP
        network = functools.partial(
            module, train.rep_in, train.rep_out, train.group, ch=ch, num_layers=num_layers
        )
        n_epochs = epochs if epochs is not None else paper_epochs(n_train)
        result = fit(
            network,
            train,
            val,
            test,
            epochs=n_epochs,
            seed=seed,
            augment=method == "mlp_aug",
            progress=progress,
            description=f"{method} N={n_train} seed={seed}",
        )
        records.append(
            {
                "task": task,
                "method": method,
                "group": repr(train.group),
                "n_train": n_train,
                "seed": seed,
                "test_mse": result.test_mse,
                "equivariance_error": result.equivariance_error,
                "train_seconds": result.train_seconds,
                "epochs": n_epochs,
                "num_params": result.num_params,
            }
        )
    return records


def table(records: list[dict]) -> str:
    """A plain-text table of the records, with the paper's figure where there is one."""
    header = (
        f"{'method':<8} {'n_train':>7} {'seed':>4} {'test MSE':>10} {'paper':>8} "
        f"{'equiv. err':>10} {'seconds':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in records:
        paper = PAPER.get(r["task"], {}).get(r["method"], {}).get(r["n_train"])
        lines.append(
            f"{r['method']:<8} {r['n_train']:>7} {r['seed']:>4} {r['test_mse']:>10.4g} "
            f"{(f'{paper:.3g}' if paper else '-'):>8} {r['equivariance_error']:>10.2e} "
            f"{r['train_seconds']:>8.1f}"
        )
    return "\n".join(lines)


def plot(records: list[dict], path: Path) -> None:
    """Test MSE against N (log-log), mean over seeds with min-max bands, paper points as markers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    task = records[0]["task"]
    for k, method in enumerate(sorted({r["method"] for r in records})):
        color = f"C{k}"
        sizes = sorted({r["n_train"] for r in records if r["method"] == method})
        values = [
            [r["test_mse"] for r in records if r["method"] == method and r["n_train"] == n]
            for n in sizes
        ]
        ax.plot(
            sizes, [sum(v) / len(v) for v in values], "-o", color=color, label=f"{method} (ours)"
        )
        ax.fill_between(
            sizes, [min(v) for v in values], [max(v) for v in values], color=color, alpha=0.2
        )
        published = PAPER.get(task, {}).get(method, {})
        if published:
            ax.plot(
                list(published),
                list(published.values()),
                "x",
                color=color,
                markersize=9,
                label=f"{method} (paper)",
            )
    ax.set(
        xscale="log", yscale="log", xlabel="training set size N", ylabel="test MSE", title=f"{task}"
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--task", choices=sorted(TASKS), default="o5")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 1000, 10000])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="default: min(900000/N, 1000)")
    parser.add_argument("--ch", type=int, default=384)
    parser.add_argument("--num-layers", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="N=1000, seed 0, 300 epochs: a few minutes"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON output (default benchmarks/results/<task>.json)",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.sizes):
        parser.error("--sizes must be positive")
    if args.quick:
        args.sizes, args.seeds = [1000], [0]
        args.epochs = args.epochs or 300
    out = args.out or Path("benchmarks/results") / f"{args.task}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = run(
        args.task,
        args.methods,
        args.sizes,
        args.seeds,
        epochs=args.epochs,
        ch=args.ch,
        num_layers=args.num_layers,
        progress=not args.no_progress,
    )
    out.write_text(json.dumps(records, indent=2))
    plot(records, out.with_suffix(".png"))
    print(table(records))
    seconds = time.perf_counter() - start
    print(f"\n{len(records)} runs in {seconds:.0f} s; wrote {out} and {out.with_suffix('.png')}")
    return records


if __name__ == "__main__":
    main()
