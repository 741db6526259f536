"""Time to first step: how long a user waits before an EMLP (or the MLP) takes its first step.

Usage::

    python -m benchmarks.first_step                 # the three tasks of benchmarks.layers
    python -m benchmarks.first_step --only o5 --ch 384 --batch 500

For each task and model (Haiku EMLP, Haiku MLP of the same width) two fresh processes run
one after the other with the same, initially empty, cache directory (``EMLP_CACHE_DIR``:
the basis cache and the XLA compilation cache of `layers.compilation_cache`): **cold**
(nothing cached) and **warm** (what the cold run stored). Each measures, after its
imports, construction and initialisation (every basis, parameter shapes, the first draw)
and the compilation plus run of one jitted Adam step (`benchmarks.layers._prepare`); their
sum is the time to first step. Also measured: the import time of ``layers`` and the same
with the compilation cache switched off (``EMLP_COMPILATION_CACHE=off``, basis cache warm),
which isolates what the XLA cache saves.

Prints a table with the EMLP/MLP ratio cold and warm (targets of issue 20: at most 3 cold,
2 warm) and writes JSON records to ``--out`` (default
``benchmarks/results/first_step.json``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time

from benchmarks import cli
from benchmarks.fresh_process import run_child
from benchmarks.layers import TASKS
from benchmarks.machine import write_records

KINDS = ("EMLP", "MLP")
STATES = ("cold", "warm", "warm_no_xla_cache")


def _child(task: str, kind: str, batch: int, ch: int) -> dict:
    """Inside the fresh process: imports, then construct + init + compile + one step."""
    start = time.perf_counter()
    import layers  # noqa: F401 - enables the compilation cache
    from benchmarks.layers import _prepare, _problem

    imports = time.perf_counter() - start
    info, _ = _prepare("haiku", kind, _problem(task, batch), ch)
    return {
        "import_seconds": imports,
        "init_seconds": info["init"],
        "compile_seconds": info["compile"],
        "first_step_seconds": info["init"] + info["compile"],
    }


def _run(task: str, kind: str, batch: int, ch: int, cache: str, xla_cache: bool) -> dict:
    switch = {
        "JAX_COMPILATION_CACHE_DIR": None,
        "EMLP_COMPILATION_CACHE": "on" if xla_cache else "off",
    }
    return run_child("benchmarks.first_step", [task, kind, batch, ch], cache, 900, switch)


def measure(task: str, batch: int, ch: int) -> list[dict]:
    """Records of one task: per model, the cold, warm and warm-without-XLA-cache runs."""
    records = []
    for kind in KINDS:
        cache = tempfile.mkdtemp(prefix="emlp-first-step-")
        try:
            for state in STATES:
                result = _run(task, kind, batch, ch, cache, state != "warm_no_xla_cache")
                records.append(
                    {
                        "task": task,
                        "model": kind,
                        "cache": state,
                        "batch": batch,
                        "ch": ch,
                        **result,
                    }
                )
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return records


def summary(records: list[dict]) -> list[dict]:
    """Per task and cache state: EMLP and MLP seconds to the first step and their ratio.

    Example:
        >>> rows = summary([
        ...     {"task": "o5", "model": "EMLP", "cache": "cold", "first_step_seconds": 3.0},
        ...     {"task": "o5", "model": "MLP", "cache": "cold", "first_step_seconds": 1.5}])
        >>> rows[0]["ratio"]
        2.0
    """
    rows = []
    for task in dict.fromkeys(r["task"] for r in records):
        for state in STATES:
            found = {r["model"]: r for r in records if r["task"] == task and r["cache"] == state}
            if set(found) != set(KINDS) or any("error" in r for r in found.values()):
                continue
            emlp, mlp = (found[k]["first_step_seconds"] for k in KINDS)
            rows.append(
                {
                    "task": task,
                    "cache": state,
                    "emlp_seconds": emlp,
                    "mlp_seconds": mlp,
                    "ratio": emlp / mlp,
                }
            )
    return rows


def format_table(rows: list[dict]) -> str:
    """The printed table of `summary` rows."""
    lines = [f"{'task':<8} {'cache':<18} {'EMLP s':>7} {'MLP s':>7} {'ratio':>6}"]
    for r in rows:
        lines.append(
            f"{r['task']:<8} {r['cache']:<18} {r['emlp_seconds']:>7.2f} "
            f"{r['mlp_seconds']:>7.2f} {r['ratio']:>6.2f}"
        )
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.first_step",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", choices=sorted(TASKS), default=None)
    parser.add_argument("--batch", type=cli.positive_int, default=500, help="batch size")
    parser.add_argument("--ch", type=cli.positive_int, default=384, help="hidden channels")
    parser.add_argument(
        "--out",
        type=cli.output_file,
        default=None,
        help="JSON output (default benchmarks/results/first_step.json)",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and args.out is None:
        args.out = cli.default_output_file(parser, "benchmarks/results/first_step.json")
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    if args.child:
        task, kind, batch, ch = args.child
        print(json.dumps(_child(task, kind, int(batch), int(ch))))
        return []
    records = []
    for task in [args.only] if args.only else list(TASKS):
        records += measure(task, args.batch, args.ch)
        for r in records[-2 * len(STATES) :]:
            if "error" in r:
                print(f"{task} {r['model']} {r['cache']}: ERROR {r['error']}")
    print(format_table(summary(records)))
    return write_records(args.out, records)


if __name__ == "__main__":
    main()
