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

from benchmarks import pendulum, regression, summary

__all__ = ["main"]


def main(argv=None) -> dict[str, float]:
    """Runs every benchmark; returns the wall seconds of each part (and ``"total"``)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--only", nargs="+", choices=["o5", "inertia", "lorentz", "pendulum"])
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    common = (["--quick"] if args.quick else []) + (["--no-progress"] if args.no_progress else [])
    parts = args.only or ["o5", "inertia", "lorentz", "pendulum"]
    seconds: dict[str, float] = {}
    outputs = []
    start = time.perf_counter()
    for part in parts:
        began = time.perf_counter()
        if part == "pendulum":
            hnn = ["--methods", "emlp-hnn", "mlp-hnn", "--groups", "O2", "SO2", "D6", "D2"]
            ode = ["--methods", "emlp-ode", "mlp-ode", "--groups", "O2"]
            outputs += [args.out / "pendulum_hnn.json", args.out / "pendulum_ode.json"]
            pendulum.main([*hnn, *common, "--out", str(outputs[-2])])
            pendulum.main([*ode, *common, "--out", str(outputs[-1])])
        else:
            outputs.append(args.out / f"{part}.json")
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
