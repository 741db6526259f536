"""Learned dynamics of the double spring pendulum (EMLP paper, arXiv 2104.09459, Table 1).

Usage::

    python -m benchmarks.pendulum --quick
    python -m benchmarks.pendulum --methods emlp-hnn mlp-hnn emlp-ode mlp-ode \\
        --groups O2 SO2 D6 D2 --seeds 0 1 2 --out benchmarks/results/pendulum.json

Methods: ``emlp-hnn`` and ``emlp-ode`` (one run per group variant in ``--groups``; all
act about the z axis, see `benchmarks.spring_pendulum.PENDULUM_GROUPS`), ``mlp-hnn`` and
``mlp-ode``. Hamiltonian models learn ``H`` and follow ``J grad H`` (`layers.dynamics`);
ODE models learn the vector field. Defaults are the paper's: 500 training chunks of 5
states 0.2 s apart (one chunk from each 30 s trajectory), 500 validation chunks, 500 test
rollouts of 30 s, Adam 3e-3, batch 500, 2000 epochs, 3 layers of 128 channels, seeds 0-2;
RK4 with one step per 0.2 s for models (``--substeps``), float64 RK4 at 0.01 s for the
ground truth.

Writes one JSON record per run (rollout error as the paper, angular-momentum and energy
drift, equivariance error, seconds) and ``<out>.png``: error and ``|L_z(t) - L_z(0)|``
against time.
"""

from __future__ import annotations

import argparse
import functools
import json
import time

from tqdm.auto import tqdm

from benchmarks import cli
from benchmarks.dynamics_training import fit_dynamics
from benchmarks.paper_reference import PENDULUM_ROLLOUT_ERROR
from benchmarks.plots import plot_rollouts
from benchmarks.spring_pendulum import PENDULUM_GROUPS, pendulum_data
from layers.haiku import EMLPH, MLPH, EMLPode, MLPode

MODELS = {"emlp-hnn": EMLPH, "mlp-hnn": MLPH, "emlp-ode": EMLPode, "mlp-ode": MLPode}
PAPER = PENDULUM_ROLLOUT_ERROR
"""Published 30 s rollout errors (`benchmarks.paper_reference`, EMLP paper Table 1)."""


def _variants(methods, groups) -> list[tuple[str, str, str | None]]:
    unknown = [m for m in methods if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; expected some of {list(MODELS)}.")
    bad = [g for g in groups if g not in PENDULUM_GROUPS]
    if bad:
        raise ValueError(f"unknown groups {bad}; expected some of {list(PENDULUM_GROUPS)}.")
    out = []
    for method in methods:
        if method.startswith("emlp"):
            out.extend((method, f"{method}-{g}", g) for g in groups)
        else:
            out.append((method, method, None))
    return out


def run(
    methods=tuple(MODELS),
    groups=("O2",),
    seeds=(0,),
    *,
    n_train: int = 500,
    n_val: int = 500,
    n_test: int = 500,
    epochs: int = 2000,
    ch: int = 128,
    num_layers: int = 3,
    substeps: int = 1,
    duration: float = 30.0,
    progress: bool = True,
) -> list[dict]:
    """Trains every (seed, method variant) and returns one record per run.

    Raises:
        ValueError: on an unknown method or group, or a non-positive size.
    """
    variants = _variants(methods, groups)
    records = []
    runs = [(s, v) for s in seeds for v in variants]
    datasets = {}
    for seed, (method, label, group_key) in tqdm(runs, desc="pendulum runs", disable=not progress):
        if seed not in datasets:
            datasets[seed] = pendulum_data(n_train, n_val, n_test, seed=seed, duration=duration)
        data = datasets[seed]
        group = PENDULUM_GROUPS[group_key]() if group_key else data.group
        network = functools.partial(
            MODELS[method], data.rep_for(group), group, ch=ch, num_layers=num_layers
        )
        result = fit_dynamics(
            network,
            data,
            epochs=epochs,
            seed=seed,
            substeps=substeps,
            model_group=group if group_key else None,
            progress=progress,
            description=f"{label} seed={seed}",
        )
        records.append(
            {
                "task": "pendulum",
                "method": method,
                "variant": label,
                "group": repr(group) if group_key else "-",
                "n_train": n_train,
                "seed": seed,
                **result.metrics,
                "paper_rollout_error": PAPER.get(label),
                "best_val_mse": result.best_val_mse,
                "equivariance_error": result.equivariance_error,
                "model_group_equivariance_error": result.model_group_equivariance_error,
                "train_seconds": result.train_seconds,
                "epochs": epochs,
                "num_params": result.num_params,
            }
        )
    return records


def table(records: list[dict]) -> str:
    """A plain-text table: rollout error (and the paper's), drift of L_z, equivariance."""
    header = (
        f"{'variant':<13} {'seed':>4} {'rollout err':>11} {'paper':>7} {'time-avg':>9} "
        f"{'diverged':>8} {'L_z drift':>9} {'energy':>9} {'equiv. err':>10} {'seconds':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in records:
        paper = r.get("paper_rollout_error")
        lines.append(
            f"{r['variant']:<13} {r['seed']:>4} {r['rollout_error']:>11.4g} "
            f"{(f'{paper:.3g}' if paper else '-'):>7} {r['rollout_error_time_avg']:>9.3g} "
            f"{r['diverged_rollouts']:>8} {r['angular_momentum_error']:>9.2e} "
            f"{r['energy_error']:>9.2e} {r['equivariance_error']:>10.2e} {r['train_seconds']:>8.1f}"
        )
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    Every check happens here, before any trajectory is integrated: positive sizes,
    epochs, channels and substeps, seeds in ``[0, 2**32 - 1]``, a finite duration of at
    least 1 s (one training chunk), no repeated list entries, and an ``--out`` file that
    can be written. ``--quick`` then sets seed 0, 300 epochs and 100 test rollouts.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pendulum",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--methods", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--groups", nargs="+", choices=list(PENDULUM_GROUPS), default=["O2"])
    parser.add_argument(
        "--seeds", nargs="+", type=cli.seed, default=[0, 1, 2], help="each in [0, 2**32 - 1]"
    )
    parser.add_argument("--n-train", type=cli.positive_int, default=500, help="training chunks")
    parser.add_argument("--n-val", type=cli.positive_int, default=500, help="validation chunks")
    parser.add_argument("--n-test", type=cli.positive_int, default=500, help="test rollouts")
    parser.add_argument("--epochs", type=cli.positive_int, default=2000)
    parser.add_argument("--ch", type=cli.positive_int, default=128, help="hidden channels")
    parser.add_argument(
        "--num-layers", type=cli.non_negative_int, default=3, help="hidden layers (0: linear)"
    )
    parser.add_argument(
        "--substeps", type=cli.positive_int, default=1, help="model RK4 steps per 0.2 s"
    )
    parser.add_argument(
        "--duration", type=cli.real_at_least(1.0), default=30.0, help="rollout seconds (>= 1)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="seed 0, 300 epochs, 100 test rollouts: minutes"
    )
    parser.add_argument(
        "--out",
        type=cli.output_file,
        default="benchmarks/results/pendulum.json",
        help="JSON output file, its parent writable; the plot goes beside it as .png",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    for flag in ("--methods", "--groups", "--seeds"):
        cli.reject_duplicates(parser, flag, getattr(args, flag[2:]))
    if args.quick:
        args.seeds, args.epochs, args.n_test = [0], 300, 100
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = run(
        args.methods,
        args.groups,
        args.seeds,
        n_train=args.n_train,
        n_val=args.n_val,
        n_test=args.n_test,
        epochs=args.epochs,
        ch=args.ch,
        num_layers=args.num_layers,
        substeps=args.substeps,
        duration=args.duration,
        progress=not args.no_progress,
    )
    args.out.write_text(json.dumps(records, indent=2))
    plot_rollouts(records, args.out.with_suffix(".png"), PAPER)
    print(table(records))
    seconds = time.perf_counter() - start
    print(f"\n{len(records)} runs in {seconds:.0f} s; wrote {args.out} and .png")
    return records


if __name__ == "__main__":
    main()
