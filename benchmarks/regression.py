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

Data-parallel training::

    python -m benchmarks.regression --task o5 --quick --devices 1 2 4

trains the EMLP of the task's full group (``--methods``/``--groups`` choose others) once
per device count, each in a fresh process with
``XLA_FLAGS=--xla_force_host_platform_device_count=N`` (`benchmarks.devices`), and prints
the steps per second of the data-parallel training step and the test MSE per count; the
records go to ``benchmarks/results/<task>_devices.json``. On a CPU backend the devices are
simulated on the same cores; elsewhere at most the real device count is accepted.
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
from benchmarks.devices import (
    DEVICES_HEADER,
    check_device_counts,
    devices_row,
    devices_table,
    probe_backend,
    run_with_devices,
    step_rate,
)
from benchmarks.machine import write_records
from benchmarks.paper_reference import REGRESSION_TEST_MSE
from benchmarks.plots import plot_data_efficiency
from benchmarks.training import fit
from groups.checks import check_int
from layers import EMLP, MLP

PAPER = REGRESSION_TEST_MSE
"""Published test MSE by task, variant and N (`benchmarks.paper_reference`, Figure 5)."""
METHODS = ("emlp", "mlp", "mlp_aug")
VAL_SIZE, TEST_SIZE = 1000, 5000
BATCH_SIZE = 500
"""Rows per training step, ``min(BATCH_SIZE, N)`` (per process: split over ``--devices``)."""
STEP_REPEATS = 20
"""Timed training steps per device count (after one compiling step)."""
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
    devices: int | None = None,
) -> list[dict]:
    """Trains every (size, seed, method variant) and returns one record per run.

    With ``devices``, training is data-parallel over that many devices and each record
    also holds ``devices``, ``batch``, ``per_device_batch`` and the rate of the training
    step timed on its own (``steps_per_second``, ``step_seconds``, ``compile_seconds``;
    see `benchmarks.devices.time_train_steps`).

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
            batch_size=BATCH_SIZE,
            devices=devices,
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
        if devices is not None:
            records[-1] |= step_rate(network, train, devices, seed, BATCH_SIZE, STEP_REPEATS)
            records[-1]["train_steps"] = result.history[-1]["step"] if result.history else 0
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
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS,
        default=None,
        help="default: all (with --devices: emlp)",
    )
    parser.add_argument(
        "--groups",
        nargs="+",
        default=None,
        help="EMLP group variants (default: all of the task's; with --devices: the first)",
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
    parser.add_argument(
        "--devices",
        nargs="+",
        type=cli.positive_int,
        default=None,
        help="train data-parallel once per device count, each in a fresh process "
        "(simulated devices on a CPU backend)",
    )
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--child", type=cli.positive_int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for flag in ("--methods", "--groups", "--sizes", "--seeds", "--devices"):
        cli.reject_duplicates(parser, flag, getattr(args, flag[2:]))
    if args.groups is not None:
        bad = [g for g in args.groups if g not in TASK_GROUPS[args.task]]
        if bad:
            parser.error(
                f"argument --groups: task {args.task!r} has no group variant "
                f"{', '.join(map(repr, bad))}; choose from {list(TASK_GROUPS[args.task])}"
            )
    data_parallel = args.devices is not None or args.child is not None
    if args.methods is None:
        args.methods = ["emlp"] if data_parallel else list(METHODS)
    if args.groups is None and data_parallel and "emlp" in args.methods:
        args.groups = [next(iter(TASK_GROUPS[args.task]))]
    if args.out is None and args.child is None:  # a child prints; only the parent writes
        name = f"{args.task}_devices" if args.devices else args.task
        args.out = cli.default_output_file(parser, f"benchmarks/results/{name}.json")
    if args.quick:
        args.sizes, args.seeds = [1000], [0]
        args.epochs = args.epochs or 300
    if args.devices:
        _check_devices(parser, args)
    return args


def _check_devices(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exits through ``parser.error`` unless every ``--devices`` count splits every batch
    and exists on the backend a fresh process gets (asked only after the other checks)."""
    for n_train in args.sizes:
        batch = min(BATCH_SIZE, n_train)
        bad = [d for d in args.devices if batch % d]
        if bad:
            parser.error(
                f"argument --devices: the batch of {batch} rows (N={n_train}) does not split "
                f"over {', '.join(map(str, bad))} devices; choose counts that divide it"
            )
    probe = probe_backend()
    if "error" in probe:
        parser.error(f"argument --devices: JAX failed to start: {probe['error']}")
    try:
        check_device_counts(args.devices, probe["backend"], probe["device_count"])
    except ValueError as error:
        parser.error(f"argument {error}")
    args.backend = probe


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    if args.child is not None:
        records = run(**_run_arguments(args), progress=False, devices=args.child)
        print(json.dumps({"records": records}))
        return records
    if args.devices:
        return _main_devices(args)
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


def _run_arguments(args: argparse.Namespace) -> dict:
    """The keyword arguments of `run` that the command line ``args`` chose."""
    return dict(task=args.task, methods=args.methods, sizes=args.sizes, seeds=args.seeds,
                groups=args.groups, epochs=args.epochs, ch=args.ch, num_layers=args.num_layers,
                patience=args.patience, sample_scale=args.sample_scale)  # fmt: skip


def _child_argv(args: argparse.Namespace) -> list[str]:
    """The command line of a ``--child`` that repeats this run's settings (after ``--quick``)."""
    argv = ["--task", args.task, "--methods", *args.methods, "--sizes", *map(str, args.sizes),
            "--seeds", *map(str, args.seeds), "--ch", str(args.ch),
            "--num-layers", str(args.num_layers)]  # fmt: skip
    if args.groups is not None:
        argv += ["--groups", *args.groups]
    for flag in ("epochs", "patience", "sample_scale"):
        if getattr(args, flag) is not None:
            argv += [f"--{flag.replace('_', '-')}", repr(getattr(args, flag))]
    return argv


def _main_devices(args: argparse.Namespace) -> list[dict]:
    """``--devices``: one fresh process per device count; a table and JSON records."""
    start = time.perf_counter()
    probe = args.backend
    print(f"backend {probe['backend']} ({probe['device_kind']}, {probe['device_count']} "
          f"device(s) without flags); devices per run: {args.devices}", flush=True)  # fmt: skip
    print(DEVICES_HEADER, flush=True)
    records = []
    for count in args.devices:
        result = run_with_devices("benchmarks.regression", count, _child_argv(args))
        found = [{"task": args.task, **r} for r in result.get("records", [{**result}])]
        for r in found:
            r.setdefault("devices", count)
            print(devices_row(r), flush=True)
        records.extend(found)
    one = {_run_key(r): r["steps_per_second"] for r in records
           if r.get("devices") == 1 and "error" not in r}  # fmt: skip
    for r in records:
        if "error" not in r:
            rate = one.get(_run_key(r))
            r["ratio_to_1_device"] = None if rate is None else r["steps_per_second"] / rate
    print()
    print(devices_table(records))
    records = write_records(args.out, records)
    print(f"{len(records)} runs in {time.perf_counter() - start:.0f} s")
    return records


def _run_key(record: dict) -> tuple:
    return record["variant"], record["n_train"], record["seed"]


if __name__ == "__main__":
    main()
