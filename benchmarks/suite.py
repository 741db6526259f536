"""The whole EMLP-paper comparison: three regression tasks and the pendulum (``make bench``).

Usage::

    python -m benchmarks.suite            # the paper's protocol (hours on a 2-core CPU)
    python -m benchmarks.suite --quick    # N = 1000, seed 0, short schedules (minutes)

Runs `benchmarks.regression` for ``o5``, ``inertia`` and ``lorentz`` (every method and
group variant; N = 100, 1000, 10000; seeds 0-2) and `benchmarks.pendulum` (EMLP-HNN with
O(2), SO(2), D6 and D2, MLP-HNN, EMLP-ODE with O(2) and MLP-ODE; seeds 0-2), writing
``<out>/<task>.json`` and ``.png`` for each, then printing the wall time of each part and
the `benchmarks.summary` tables (means over seeds beside the paper's figures).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks import cli, pendulum, regression, summary

__all__ = ["main", "parse_args", "PARTS"]

PARTS = ("o5", "inertia", "lorentz", "pendulum")


def _outputs(out: Path, part: str) -> list[Path]:
    """The JSON files one part writes under ``out``."""
    if part == "pendulum":
        return [out / "pendulum_hnn.json", out / "pendulum_ode.json"]
    return [out / f"{part}.json"]


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    ``--out`` must be a directory that exists or can be created and is writable, and none
    of the JSON files the parts write there may be an existing directory; ``--only``
    takes each part once. All checked before the first part starts training.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.suite",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="each part with --quick")
    parser.add_argument(
        "--out",
        type=cli.output_directory,
        default="benchmarks/results",
        help="output directory, writable or creatable (default benchmarks/results)",
    )
    parser.add_argument("--only", nargs="+", choices=list(PARTS), help="default: every part")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    cli.reject_duplicates(parser, "--only", args.only)
    for part in args.only or PARTS:
        for path in _outputs(args.out, part):
            try:
                cli.output_file(str(path))
            except argparse.ArgumentTypeError as error:
                parser.error(f"argument --out: output of part {part!r}: {error}")
    return args


def main(argv=None) -> dict[str, float]:
    """Runs every benchmark; returns the wall seconds of each part (and ``"total"``)."""
    args = parse_args(argv)
    common = (["--quick"] if args.quick else []) + (["--no-progress"] if args.no_progress else [])
    parts = args.only or list(PARTS)
    seconds: dict[str, float] = {}
    outputs = []
    start = time.perf_counter()
    for part in parts:
        began = time.perf_counter()
        outputs += _outputs(args.out, part)
        if part == "pendulum":
            hnn = ["--methods", "emlp-hnn", "mlp-hnn", "--groups", "O2", "SO2", "D6", "D2"]
            ode = ["--methods", "emlp-ode", "mlp-ode", "--groups", "O2"]
            pendulum.main([*hnn, *common, "--out", str(outputs[-2])])
            pendulum.main([*ode, *common, "--out", str(outputs[-1])])
        else:
            regression.main(["--task", part, *common, "--out", str(outputs[-1])])
        seconds[part] = time.perf_counter() - began
    seconds["total"] = time.perf_counter() - start
    written = [path for path in outputs if path.exists()]
    if written:
        print()
        summary.main([str(path) for path in written])
    print("\nwall time: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in seconds.items()))
    return seconds


if __name__ == "__main__":
    main()
