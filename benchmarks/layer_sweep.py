"""How the EMLP/MLP train-step ratio grows with the work: a sweep over channels and batch.

Usage::

    python -m benchmarks.layer_sweep                      # the three tasks of benchmarks.layers
    python -m benchmarks.layer_sweep --only o5 --repeats 30

Two one-dimensional sweeps through the default point (384 channels, batch 500): channels
128, 384, 1024 at batch 500, and batch 50, 500, 5000 at 384 channels. Every point is a
fresh process of `benchmarks.layers` (Haiku, EMLP and MLP of the same width, their train
steps timed interleaved), so both models of a point see the same machine load. Prints one
table per task (EMLP and MLP step in ms, their ratio, EMLP parameters) and writes the
records to ``--out`` (default ``benchmarks/results/layer_sweep.json``).
"""

from __future__ import annotations

import argparse

from benchmarks import cli
from benchmarks.fresh_process import run_child
from benchmarks.layers import TASKS
from benchmarks.machine import write_records

CHANNELS = (128, 384, 1024)
BATCHES = (50, 500, 5000)
DEFAULT_CH, DEFAULT_BATCH = 384, 500


def sweep_points() -> list[tuple[int, int]]:
    """``(ch, batch)`` of both sweeps, the default point once.

    Example:
        >>> sweep_points()
        [(128, 500), (384, 500), (1024, 500), (384, 50), (384, 5000)]
    """
    points = [(ch, DEFAULT_BATCH) for ch in CHANNELS]
    return points + [(DEFAULT_CH, b) for b in BATCHES if b != DEFAULT_BATCH]


def format_table(records: list[dict]) -> str:
    """One line per point: channels, batch, the two steps (ms), their ratio, EMLP params.

    Example:
        >>> print(format_table([{"task": "o5", "ch": 384, "batch": 500, "step_ratio": 2.0,
        ...                      "emlp_step_seconds": 0.01, "mlp_step_seconds": 0.005,
        ...                      "emlp_params": 63255}]))
        task      ch  batch  EMLP ms  MLP ms  ratio  EMLP params
        o5       384    500    10.00    5.00   2.00        63255
    """
    lines = [f"{'task':<6} {'ch':>5} {'batch':>6} {'EMLP ms':>8} {'MLP ms':>7} {'ratio':>6} "
             f"{'EMLP params':>12}"]  # fmt: skip
    for r in records:
        if "error" in r:
            lines.append(f"{r['task']:<6} {r['ch']:>5} {r['batch']:>6} ERROR: {r['error']}")
            continue
        lines.append(
            f"{r['task']:<6} {r['ch']:>5} {r['batch']:>6} {1e3 * r['emlp_step_seconds']:>8.2f} "
            f"{1e3 * r['mlp_step_seconds']:>7.2f} {r['step_ratio']:>6.2f} {r['emlp_params']:>12}"
        )
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.layer_sweep",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", choices=sorted(TASKS), default=None)
    parser.add_argument("--repeats", type=cli.positive_int, default=30, help="timed steps")
    parser.add_argument(
        "--out", type=cli.output_file, default=None, help="JSON output file (see above)"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = cli.default_output_file(parser, "benchmarks/results/layer_sweep.json")
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    records = []
    for task in [args.only] if args.only else list(TASKS):
        for ch, batch in sweep_points():
            result = run_child("benchmarks.layers", [task, batch, ch, args.repeats, "haiku"])
            records.append({"task": task, "ch": ch, "batch": batch, **result})
            print(format_table(records[-1:]).splitlines()[-1], flush=True)
    print()
    print(format_table(records))
    return write_records(args.out, [{"sweep": True, **r} for r in records])


if __name__ == "__main__":
    main()
