"""Construction times of the exceptional groups G2, F4 and E6, and finite-group facts.

Usage::

    python -m benchmarks.groups
    python -m benchmarks.groups --repeats 10 --out benchmarks/results/groups.json

For each group: the first build in this process (``cold``: also builds the octonion and
Albert-algebra tables it needs) and the best and median of ``--repeats`` rebuilds that
bypass the in-process cache (``rebuild``), plus the facts the build is checked against
(dimension of the space, of the Lie algebra, rank, Killing signature, closure residual).
Then the finite-group rows of `benchmarks.finite_groups` (orders, conjugacy classes, the
regular representation), each timed from cold caches. Prints the tables and writes the
records as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from benchmarks import cli
from benchmarks.finite_groups import FINITE_CASES, format_finite_table, measure_finite
from groups import E6, F4, G2, algebra_rank, killing_signature

BUILDERS = {"G2": G2, "F4": F4, "E6": E6}
DEFAULT_OUT = Path(__file__).parent / "results" / "groups.json"


def measure(name: str, repeats: int) -> dict:
    """Times one group's construction; returns a JSON-ready record."""
    build = BUILDERS[name]
    start = time.perf_counter()
    group = build()
    cold = time.perf_counter() - start
    rebuilds = []
    for _ in range(repeats):
        start = time.perf_counter()
        build.__wrapped__()  # skip the functools cache
        rebuilds.append(time.perf_counter() - start)
    positive, negative, zero = killing_signature(group)
    return {
        "group": name,
        "d": group.d,
        "lie_algebra_dim": int(group.lie_algebra.shape[0]),
        "rank": algebra_rank(group),
        "killing_signature": [positive, negative, zero],
        "closure_residual": group.closure_residual,
        "cold_seconds": cold,
        "rebuild_best_seconds": min(rebuilds) if rebuilds else None,
        "rebuild_median_seconds": statistics.median(rebuilds) if rebuilds else None,
        "repeats": repeats,
    }


def _seconds(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"


def format_table(records: list[dict]) -> str:
    """A fixed-width table of the records, one line per group."""
    header = (
        f"{'group':<6}{'d':>4}{'dim':>5}{'rank':>5}  {'Killing':<14}{'cold s':>9}"
        f"{'best s':>9}{'median s':>10}"
    )
    lines = [header, "-" * len(header)]
    for r in records:
        signature = "({}, {}, {})".format(*r["killing_signature"])
        lines.append(
            f"{r['group']:<6}{r['d']:>4}{r['lie_algebra_dim']:>5}{r['rank']:>5}  "
            f"{signature:<14}{_seconds(r['cold_seconds'], 9)}"
            f"{_seconds(r['rebuild_best_seconds'], 9)}{_seconds(r['rebuild_median_seconds'], 10)}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    ``--repeats`` must be a non-negative integer and ``--out`` a file that can be
    written, checked before any group is built.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.groups", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--repeats", type=cli.non_negative_int, default=5, help="uncached rebuilds per group"
    )
    parser.add_argument(
        "--out",
        type=cli.output_file,
        default=str(DEFAULT_OUT),
        help="JSON output file, its parent writable (default benchmarks/results/groups.json)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    records = [measure(name, args.repeats) for name in BUILDERS]
    print(format_table(records))
    finite = [measure_finite(name) for name in FINITE_CASES]
    print("\n" + format_finite_table(finite))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": platform.platform(), "python": platform.python_version()}
    args.out.write_text(
        json.dumps({**payload, "records": records, "finite": finite}, indent=2) + "\n"
    )
    print(f"wrote {args.out}")
    return records


if __name__ == "__main__":
    main()
