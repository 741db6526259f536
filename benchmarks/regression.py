"""EMLP against MLP baselines on the EMLP paper's regression tasks (arXiv 2104.09459, Fig. 5).

Usage::

    python -m benchmarks.regression --task o5 --quick
    python -m benchmarks.regression --task inertia --methods emlp mlp mlp_aug \\
        --groups O3 SO3 --sizes 100 1000 10000 --seeds 0 1 2 --out benchmarks/results/inertia.json

Methods: ``emlp`` (one run per group variant in ``--groups``, default: all of the task's
variants, see `benchmarks.datasets.TASK_GROUPS`), ``mlp`` and ``mlp_aug`` (the MLP trained
on inputs and targets moved by a random element of the task's group). Defaults are the
paper's protocol: Adam 3e-3, batch 500, 3 layers, 384 channels, ``min(900000 / N, 1000)``
epochs, the best-validation parameters (validation set 1000), test set 5000, seeds 0-2.

Prints a table, writes one JSON record per run to ``--out`` (task, method, variant,
group, n_train, seed, test_mse, equivariance_error, train_seconds, ...) and a log-log plot
of test MSE against N beside it, with the paper's published points as markers.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path

from tqdm.auto import tqdm

from benchmarks import cli
from benchmarks.datasets import TASK_GROUPS, TASKS
from benchmarks.paper_reference import REGRESSION_TEST_MSE
from benchmarks.plots import plot_data_efficiency
from benchmarks.training import fit
from groups.checks import check_int
from layers import EMLP, MLP

PAPER = REGRESSION_TEST_MSE
"""Published test MSE by task, variant and N (`benchmarks.paper_reference`, Figure 5)."""
METHODS = ("emlp", "mlp", "mlp_aug")
VAL_SIZE, TEST_SIZE = 1000, 5000
SAMPLE_SCALE = {"o5": 1.0, "inertia": 1.0, "lorentz": 0.5}
"""Lie-algebra scale of the group elements for augmentation and equivariance errors.

Compact groups do not care much. For O(1,3), 512 samples at scale 0.5 have a median
Lorentz factor of 1.3 and at most 3.2; at scale 1 the median is 2.3, one in eight exceeds
5 (up to 19), and since the target is quartic in the momenta, float32 rounding of boosted
inputs then degrades both the augmented targets and the equivariance check.
"""


def paper_epochs(n_train: int) -> int:
    """The paper's schedule: ``min(900000 / N, 1000)`` epochs (at least one).

    Example:
        >>> paper_epochs(100), paper_epochs(1000), paper_epochs(10000)
        (1000, 900, 90)
    """
    n_train = check_int(n_train, "n_train", minimum=1, where="paper_epochs")
    return int(max(1, min(900_000 // n_train, 1000)))


def _variants(task: str, methods, groups) -> list[tuple[str, str, str | None]]:
    """``(method, label, group key)`` of every model to train, in a stable order."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {sorted(TASKS)}.")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; expected some of {list(METHODS)}.")
    groups = list(TASK_GROUPS[task]) if groups is None else list(groups)
    bad = [g for g in groups if g not in TASK_GROUPS[task]]
    if bad:
        raise ValueError(f"task {task!r} has group variants {list(TASK_GROUPS[task])}; got {bad}.")
    out = []
    for method in methods:
        if method == "emlp":
            out.extend(("emlp", f"emlp-{g}", g) for g in groups)
        else:
            out.append((method, method, None))
    return out


def run(
    task: str,
    methods=METHODS,
    sizes=(1000,),
    seeds=(0,),
    *,
    groups=None,
    epochs: int | None = None,
    ch: int = 384,
    num_layers: int = 3,
    patience: int | None = None,
    sample_scale: float | None = None,
    progress: bool = True,
) -> list[dict]:
    """Trains every (size, seed, method variant) and returns one record per run.

    Raises:
        ValueError: on an unknown task, method or group, or a size below 1.
        TypeError: if a size is not an integer.
    """
    variants = _variants(task, methods, groups)
    sizes = [check_int(n, f"sizes[{k}]", minimum=1, where="run") for k, n in enumerate(sizes)]
    make = TASKS[task]
    scale = SAMPLE_SCALE[task] if sample_scale is None else sample_scale
    records = []
    runs = [(n, s, v) for n in sizes for s in seeds for v in variants]
    for n_train, seed, (method, label, group_key) in tqdm(
        runs, desc=f"{task} runs", disable=not progress
    ):
        train = make(n_train, seed=3 * seed)
        val = make(VAL_SIZE, seed=3 * seed + 1)
        test = make(TEST_SIZE, seed=3 * seed + 2)
        group = TASK_GROUPS[task][group_key]() if group_key else train.group
        module = EMLP if method == "emlp" else MLP
        network = functools.partial(
            module, *train.reps_for(group), group, ch=ch, num_layers=num_layers
        )
        n_epochs = epochs if epochs is not None else paper_epochs(n_train)
        result = fit(
            network,
            train,
            val,
            test,
            epochs=n_epochs,
            seed=seed,
            patience=patience,
            augment=method == "mlp_aug",
            sample_scale=scale,
            model_group=group if method == "emlp" else None,
            progress=progress,
            description=f"{label} N={n_train} seed={seed}",
        )
        records.append(
            {
                "task": task,
                "method": method,
                "variant": label,
                "group": repr(group),
                "n_train": n_train,
                "seed": seed,
                "test_mse": result.test_mse,
                "paper_test_mse": PAPER[task].get(label, {}).get(n_train),
                "equivariance_error": result.equivariance_error,
                "model_group_equivariance_error": result.model_group_equivariance_error,
                "train_seconds": result.train_seconds,
                "epochs": n_epochs,
                "epochs_run": result.epochs_run,
                "best_val_mse": result.best_val_mse,
                "num_params": result.num_params,
                "sample_scale": scale,
            }
        )
    return records


def table(records: list[dict]) -> str:
    """A plain-text table of the records, with the paper's figure where there is one."""
    header = (
        f"{'variant':<11} {'group':<8} {'n_train':>7} {'seed':>4} {'test MSE':>10} "
        f"{'paper':>8} {'equiv. err':>10} {'seconds':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in records:
        paper = r.get("paper_test_mse")
        lines.append(
            f"{r.get('variant', r['method']):<11} {r['group']:<8} {r['n_train']:>7} "
            f"{r['seed']:>4} {r['test_mse']:>10.4g} {(f'{paper:.3g}' if paper else '-'):>8} "
            f"{r['equivariance_error']:>10.2e} {r['train_seconds']:>8.1f}"
        )
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    Every check happens here, before any dataset is built: positive sizes, epochs,
    channels and patience, seeds in ``[0, 2**32 - 1]``, a finite positive sample scale,
    group variants of the chosen task, no repeated list entries, and an ``--out`` file
    that can be written (its default, ``benchmarks/results/<task>.json``, too).
    ``--quick`` then sets N = 1000, seed 0 and 300 epochs (unless ``--epochs`` is given).
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.regression",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task", choices=sorted(TASKS), default="o5")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument(
        "--groups", nargs="+", default=None, help="EMLP group variants (default: all of the task's)"
    )
    parser.add_argument(
        "--sizes", nargs="+", type=cli.positive_int, default=[100, 1000, 10000], help="N >= 1"
    )
    parser.add_argument(
        "--seeds", nargs="+", type=cli.seed, default=[0, 1, 2], help="each in [0, 2**32 - 1]"
    )
    parser.add_argument(
        "--epochs", type=cli.positive_int, default=None, help="default: min(900000/N, 1000)"
    )
    parser.add_argument("--ch", type=cli.positive_int, default=384, help="hidden channels")
    parser.add_argument(
        "--num-layers", type=cli.non_negative_int, default=3, help="hidden layers (0: linear)"
    )
    parser.add_argument(
        "--patience", type=cli.positive_int, default=None, help="evaluations (40 per run)"
    )
    parser.add_argument(
        "--sample-scale", type=cli.positive_real, default=None, help="> 0; see SAMPLE_SCALE"
    )
    parser.add_argument(
        "--quick", action="store_true", help="N=1000, seed 0, 300 epochs: a few minutes"
    )
    parser.add_argument(
        "--out",
        type=cli.output_file,
        default=None,
        help="JSON output file, its parent writable (default benchmarks/results/<task>.json)",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    for flag in ("--methods", "--groups", "--sizes", "--seeds"):
        cli.reject_duplicates(parser, flag, getattr(args, flag[2:]))
    if args.groups is not None:
        bad = [g for g in args.groups if g not in TASK_GROUPS[args.task]]
        if bad:
            parser.error(
                f"argument --groups: task {args.task!r} has no group variant "
                f"{', '.join(map(repr, bad))}; choose from {list(TASK_GROUPS[args.task])}"
            )
    if args.out is None:
        args.out = cli.default_output_file(parser, f"benchmarks/results/{args.task}.json")
    if args.quick:
        args.sizes, args.seeds = [1000], [0]
        args.epochs = args.epochs or 300
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = run(
        args.task,
        args.methods,
        args.sizes,
        args.seeds,
        groups=args.groups,
        epochs=args.epochs,
        ch=args.ch,
        num_layers=args.num_layers,
        patience=args.patience,
        sample_scale=args.sample_scale,
        progress=not args.no_progress,
    )
    out.write_text(json.dumps(records, indent=2))
    plot_data_efficiency(records, PAPER[args.task], out.with_suffix(".png"))
    print(table(records))
    seconds = time.perf_counter() - start
    print(f"\n{len(records)} runs in {seconds:.0f} s; wrote {out} and {out.with_suffix('.png')}")
    return records


if __name__ == "__main__":
    main()
