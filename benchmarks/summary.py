"""The measured tables of every benchmark, from its JSON records: ``benchmarks/RESULTS.md``.

Usage::

    python -m benchmarks.summary --write          # every benchmarks/results/*.json
    python -m benchmarks.summary benchmarks/results/o5.json benchmarks/results/layers.json
    python -m benchmarks.summary benchmarks/results/solver.json --write benchmarks/RESULTS.md

Without paths every ``benchmarks/results/*.json`` (relative to the current directory:
run from the repository root) is read. Prints, and with ``--write [PATH]`` writes
(default ``benchmarks/RESULTS.md``; the path must end in ``.md``), a markdown document: a
header (the command, the date of the newest record file, the machine the records name or,
for records that name none, the machine of this run, the source files, and one line per
benchmark without records saying how to produce them), then a table per benchmark found:
regression test MSE and pendulum rollout error beside the EMLP paper
(`benchmarks.accuracy_tables`), layer train steps per front-end and the front-ends against
Haiku, basis solves against the emlp library, factor-wise solves, group constructions and
finite-group cases (`benchmarks.speed_tables`), and the G-invariant shallow networks'
counts, universality demo and baselines (`benchmarks.shallow_tables`). Every ratio is
between two numbers of the records or between a record and a figure of `benchmarks.paper_reference`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import analysis_tables, cli, speed_tables
from benchmarks.accuracy_tables import pendulum_table, regression_table
from benchmarks.layers import TASKS as LAYER_TASKS
from benchmarks.machine import describe_machine, machine_info
from benchmarks.paper_reference import PENDULUM_ROLLOUT_ERROR, REGRESSION_TEST_MSE
from benchmarks.shallow_tables import shallow_tables

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "Source",
    "regression_table",
    "pendulum_table",
    "load_source",
    "load_sources",
    "load_records",
    "summarize",
    "main",
]

RESULTS = Path("benchmarks/results")
"""Where the benchmarks write their JSON (git-ignored), relative to the repository root."""
DEFAULT_WRITE = "benchmarks/RESULTS.md"
"""Where ``--write`` without a path puts the document."""


@dataclass(frozen=True)
class Benchmark:
    """One table of the summary: which records it takes and the command that makes them.

    Attributes:
        name: a short name, for the line of a benchmark that was not run.
        title: the heading of its section.
        command: the command line that writes its records to ``benchmarks/results``.
        matches: whether one record belongs to this table.
        table: the markdown of its records.
    """

    name: str
    title: str
    command: str
    matches: Callable[[dict], bool]
    table: Callable[[list[dict]], str]


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "Regression",
        "Regression: test MSE beside the EMLP paper",
        "python -m benchmarks.suite --only o5 inertia lorentz",
        lambda r: "test_mse" in r and "benchmark" not in r and "devices" not in r,
        lambda records: regression_table(records, REGRESSION_TEST_MSE),
    ),
    Benchmark(
        "Pendulum",
        "Double spring pendulum: rollout error beside the EMLP paper",
        "python -m benchmarks.suite --only pendulum",
        lambda r: r.get("task") == "pendulum" and "rollout_error" in r,
        lambda records: pendulum_table(records, PENDULUM_ROLLOUT_ERROR),
    ),
    Benchmark(
        "Layers",
        "Layers: train step of EMLP and MLP, per front-end",
        "python -m benchmarks.layers --frontend all",
        lambda r: (
            "sweep" not in r
            and ("emlp_step_seconds" in r or ("frontend" in r and r.get("task") in LAYER_TASKS))
        ),
        speed_tables.layers_tables,
    ),
    Benchmark(
        "Front-end comparison",
        "Front-ends against Haiku, timed interleaved in one process",
        "python -m benchmarks.layers --frontend all",
        lambda r: "emlp_step_vs_haiku" in r,
        speed_tables.frontend_comparison_table,
    ),
    Benchmark(
        "Solver",
        "Solver: bases and model construction beside the emlp library",
        "python -m benchmarks.solver",
        lambda r: "case" in r and "emlp_seconds" in r,
        speed_tables.solver_table,
    ),
    Benchmark(
        "Factor-wise solves",
        "Direct products: factor-wise against the joint dense solve",
        "python -m benchmarks.solver --only factor",
        lambda r: "case" in r and "joint_bytes_estimate" in r,
        speed_tables.factorwise_table,
    ),
    Benchmark(
        "Exceptional groups",
        "Exceptional groups: construction",
        "python -m benchmarks.groups",
        lambda r: "killing_signature" in r,
        speed_tables.groups_table,
    ),
    Benchmark(
        "Finite groups",
        "Finite groups: facts and times",
        "python -m benchmarks.groups",
        lambda r: "target_seconds" in r,
        speed_tables.finite_table,
    ),
    Benchmark(
        "G-invariant shallow networks",
        "G-invariant shallow networks: enumeration, universality, baselines",
        "python -m benchmarks.shallow",
        lambda r: r.get("benchmark") == "shallow",
        shallow_tables,
    ),
    Benchmark(
        "Grokking",
        "Grokking on addition mod p (Nanda et al.)",
        "python -m benchmarks.modular --log-every 200",
        lambda r: r.get("benchmark") == "modular" and r.get("part") == "transformer",
        analysis_tables.grokking_table,
    ),
    Benchmark(
        "Equivariant route",
        "Addition mod p: exact symmetry against training data",
        "python -m benchmarks.modular_equivariant",
        lambda r: r.get("benchmark") == "modular" and r.get("part") == "equivariant",
        analysis_tables.route_table,
    ),
    Benchmark(
        "Bounds",
        "Margin-bound terms against measured gaps under C_N",
        "python -m benchmarks.bounds",
        lambda r: r.get("benchmark") == "bounds",
        analysis_tables.bounds_table,
    ),
    Benchmark(
        "Digits",
        "Digits: translation-invariant models against the MLP (test accuracy, gap)",
        "python -m benchmarks.digits",
        lambda r: r.get("benchmark") == "digits",
        analysis_tables.digits_table,
    ),
    Benchmark(
        "Hardness",
        "Hard and easy invariant targets: invariant model against MLP",
        "python -m benchmarks.hardness",
        lambda r: r.get("benchmark") == "hardness" or {"target", "metric", "gap"} <= set(r),
        analysis_tables.hardness_table,
    ),
)
"""Every table, in the order of the document."""


@dataclass
class Source:
    """One JSON file: its records, the machine it names (if any) and its time of change."""

    path: Path
    records: list[dict]
    machine: list[str] = field(default_factory=list)
    modified: float = 0.0


def _record_lists(path: Path, loaded: object) -> tuple[list[dict], dict]:
    """``(records, metadata)`` of one file's JSON: a list of records, or an object with a
    ``records`` list (further lists of records, such as ``finite``, join them; its other
    values are metadata)."""
    if isinstance(loaded, dict) and isinstance(loaded.get("records"), list):
        lists = {k: v for k, v in loaded.items() if isinstance(v, list)}
        metadata = {k: v for k, v in loaded.items() if k not in lists}
    else:
        lists, metadata = {"records": loaded}, {}
    records = []
    for value in lists.values():
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise ValueError(f"{path} does not hold a list of benchmark records.")
        records.extend(value)
    return records, metadata


def load_source(path: str | Path) -> Source:
    """Reads one record file (`Source`); the machine comes from the file or its records.

    Raises:
        ValueError: if the file is not JSON, or does not hold a list of records (or an
            object with a ``records`` list, as `benchmarks.groups` writes).
    """
    path = Path(path)
    try:
        loaded = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    records, metadata = _record_lists(path, loaded)
    # an object's machine (a dict, as hardness writes), or the metadata itself (groups)
    machine = metadata["machine"] if isinstance(metadata.get("machine"), dict) else metadata
    machines = [describe_machine(machine)] if machine else []
    for r in records:
        if isinstance(r.get("machine"), (dict, str)):
            text = describe_machine(r["machine"])
            machines += [text] if text not in machines else []
    return Source(path, records, machines, path.stat().st_mtime)


def load_sources(paths: Sequence[str | Path]) -> list[Source]:
    """`load_source` of each path, in order."""
    return [load_source(path) for path in paths]


def load_records(paths: Sequence[str | Path]) -> list[dict]:
    """The records of every file of ``paths``, concatenated (see `load_source`).

    Raises:
        ValueError: if a file does not hold a list of records.
    """
    return [r for source in load_sources(paths) for r in source.records]


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it lies inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _header(sources: list[Source], command: str, missing: list[Benchmark]) -> list[str]:
    lines = ["# Benchmark results", "", f"Generated by `{command}`; do not edit by hand.", ""]
    if sources:
        newest = max(sources, key=lambda s: s.modified)
        date = datetime.fromtimestamp(newest.modified, tz=timezone.utc)
        lines.append(f"- Newest record file: {date:%Y-%m-%d %H:%M} UTC (`{_shown(newest.path)}`).")
    else:
        lines.append("- No record files.")
    for source in (s for s in sources if s.machine):
        lines.append(f"- Machine of `{_shown(source.path)}`: {'; '.join(source.machine)}.")
    if not sources or any(not s.machine for s in sources):
        which = ", for files that name none" if sources else ""
        lines.append(f"- Machine of this summary{which}: {describe_machine(machine_info())}.")
    files = ", ".join(f"`{_shown(s.path)}` ({len(s.records)})" for s in sources)
    lines.append(f"- Sources (records): {files or 'none'}.")
    lines += [f"- {b.name}: not run; `{b.command}` produces it." for b in missing]
    return lines


def summarize(sources: list[Source], command: str = "python -m benchmarks.summary") -> str:
    """The markdown document of ``sources``: header, then a section per table with records.

    Example:
        >>> rows = [{"case": "order of S(12)", "result": "479001600", "seconds": 0.02,
        ...          "target_seconds": 2.0}]
        >>> text = summarize([Source(Path("groups.json"), rows, ["Linux"])])
        >>> "## Finite groups: facts and times" in text
        True
        >>> print(next(line for line in text.splitlines() if "Solver" in line))
        - Solver: not run; `python -m benchmarks.solver` produces it.
    """
    records = [r for source in sources for r in source.records]
    found = {b: [r for r in records if b.matches(r)] for b in BENCHMARKS}
    missing = [b for b in BENCHMARKS if not found[b]]
    lines = _header(sources, command, missing)
    unmatched = [r for r in records if not any(b.matches(r) for b in BENCHMARKS)]
    if unmatched:
        keys = ", ".join(sorted(unmatched[0]))
        lines.append(f"- {len(unmatched)} records match no table (keys of the first: {keys}).")
    for benchmark in (b for b in BENCHMARKS if found[b]):
        title = f"## {benchmark.title}"
        lines += ["", title, "", f"`{benchmark.command}`", "", benchmark.table(found[benchmark])]
    return "\n".join(lines) + "\n"


def _markdown_file(text: str) -> Path:
    """`cli.output_file` that must end in ``.md``, so ``--write`` never overwrites records."""
    if not text.endswith(".md"):
        raise argparse.ArgumentTypeError(f"expected a Markdown file ending in .md; got {text!r}")
    return cli.output_file(text)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    Each path must be an existing file and ``--write``'s path a writable ``.md`` file
    (default `DEFAULT_WRITE`); without paths, every ``benchmarks/results/*.json``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.summary",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=cli.input_file,
        help="JSON record files (each must exist); default every benchmarks/results/*.json",
    )
    parser.add_argument(
        "--write",
        nargs="?",
        const=DEFAULT_WRITE,
        default=None,
        metavar="PATH",
        help=f"also write the markdown to PATH, a .md file (default {DEFAULT_WRITE})",
    )
    args = parser.parse_args(argv)
    if args.write is not None:
        try:
            args.write = _markdown_file(args.write)
        except argparse.ArgumentTypeError as error:
            parser.error(f"argument --write: {error}")
    if not args.paths:
        args.paths = sorted(RESULTS.glob("*.json"))
    return args


def main(argv: Sequence[str] | None = None) -> str:
    """Prints (and returns) the document of the given record files; ``--write`` saves it.

    A path that does not exist, or a ``--write`` path that is not a writable ``.md`` file,
    is refused at parse time (exit status 2); a file that is not JSON or does not hold
    records raises `ValueError` from `load_source`.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    command = shlex.join(["python", "-m", "benchmarks.summary", *argv])
    text = summarize(load_sources(args.paths), command)
    print(text, end="")
    if args.write is not None:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text)
        print(f"wrote {args.write}")
    return text


if __name__ == "__main__":
    main()
