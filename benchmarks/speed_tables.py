"""The timing tables of the benchmark summary: layers, solver, factor-wise solves, groups.

Each function takes the records of one benchmark (as its JSON holds them) and returns
markdown; every ratio is computed here from two times of the records, except the
front-end ratios ``emlp_step_vs_haiku`` and ``mlp_step_vs_haiku``, which
`benchmarks.layers` computes from steps timed in the same process. Records with an
``error`` are listed under their table. `benchmarks.summary` puts the tables in
``benchmarks/RESULTS.md``.

Example:
    >>> rows = [{"group": "G2", "d": 7, "lie_algebra_dim": 14, "rank": 2,
    ...          "killing_signature": [0, 14, 0], "closure_residual": 1e-15,
    ...          "cold_seconds": 0.29, "rebuild_best_seconds": 0.005,
    ...          "rebuild_median_seconds": 0.006, "repeats": 5}]
    >>> print(groups_table(rows).splitlines()[2])
    | G2 | 7 | 14 | 2 | (0, 14, 0) | 0.29 | 0.005 | 0.006 | 5 | 1e-15 |
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from benchmarks.layers import BASELINE, FRONTENDS, TASKS
from benchmarks.markdown import DASH, number, ratio, table
from benchmarks.paper_reference import EMLP_CONSTRUCTION_SECONDS, EMLP_SOLVER_SECONDS

__all__ = [
    "FRONTEND_STEP_TARGET",
    "layers_tables",
    "frontend_comparison_table",
    "solver_table",
    "factorwise_table",
    "groups_table",
    "finite_table",
]

FRONTEND_STEP_TARGET = 1.10
"""The aim for every front-end: its EMLP step at most 10 % over Haiku's, same process."""


def _failures(records: list[dict], key: str) -> list[str]:
    return [f"- `{r.get(key)}` failed: {r['error']}" for r in records if "error" in r]


def _with_failures(text: str, records: list[dict], key: str) -> str:
    return "\n".join([text, *(["", *_failures(records, key)] if _failures(records, key) else [])])


def _speedup(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:,.0f}×" if value >= 100 else f"{value:.3g}×"


def _frontend_order(records: list[dict]) -> list[str]:
    present = {r.get("frontend", BASELINE) for r in records}
    return [f for f in FRONTENDS if f in present] + sorted(present - set(FRONTENDS))


def _task_order(task: str) -> int:
    return list(TASKS).index(task) if task in TASKS else len(TASKS)


def layers_tables(records: list[dict]) -> str:
    """One table per front-end (`benchmarks.layers` records), rows in task order.

    Each row: construction, first ``init`` and step-compile seconds, median EMLP and MLP
    step, EMLP / MLP (computed from the two steps), and, for records of ``--frontend all``,
    the steps divided by Haiku's of the same process. A construction time marked † was
    measured after another front-end had solved the same bases in that process.

    Example:
        >>> r = {"task": "o5", "frontend": "flax", "group": "O(5)", "batch": 500, "ch": 384,
        ...      "emlp_construction_seconds": 0.4, "emlp_init_seconds": 0.4,
        ...      "mlp_init_seconds": 0.2, "emlp_compile_seconds": 2.6,
        ...      "emlp_step_seconds": 0.018, "mlp_step_seconds": 0.008,
        ...      "emlp_params": 63255, "mlp_params": 300289, "built_first": False,
        ...      "emlp_step_vs_haiku": 1.0512, "mlp_step_vs_haiku": 0.98}
        >>> lines = layers_tables([r]).splitlines()
        >>> lines[0], lines[3].count("|") - 1
        ('Front-end **flax**:', 12)
        >>> lines[4].split(" | ")[3:]
        ['0.4†', '0.4 / 0.2', '2.6 / –', '18', '8', '2.25', '1.05', '0.98', '63,255 / 300,289 |']
    """
    header = [
        "task", "group", "batch × ch", "construction (s)", "init (s), EMLP / MLP",
        "compile (s), EMLP / MLP", "EMLP step (ms)", "MLP step (ms)", "EMLP / MLP",
        "EMLP / Haiku EMLP", "MLP / Haiku MLP", "params, EMLP / MLP",
    ]  # fmt: skip
    parts = []
    for front in _frontend_order(records):
        mine = [r for r in records if r.get("frontend", BASELINE) == front]
        rows = []
        for r in sorted(
            (r for r in mine if "error" not in r), key=lambda r: _task_order(r["task"])
        ):
            warm = "†" if r.get("built_first") is False else ""
            versus = [r.get("emlp_step_vs_haiku"), r.get("mlp_step_vs_haiku")]
            rows.append([
                r["task"], r.get("group"), f"{r.get('batch')} × {r.get('ch')}",
                number(r.get("emlp_construction_seconds", r.get("emlp_init_seconds"))) + warm,
                f"{number(r.get('emlp_init_seconds'))} / {number(r.get('mlp_init_seconds'))}",
                f"{number(r.get('emlp_compile_seconds'))} / "
                f"{number(r.get('mlp_compile_seconds'))}",
                number(1e3 * r["emlp_step_seconds"]), number(1e3 * r["mlp_step_seconds"]),
                ratio(r["emlp_step_seconds"], r["mlp_step_seconds"]),
                *(DASH if v is None else f"{v:.2f}" for v in versus),
                f"{r['emlp_params']:,} / {r['mlp_params']:,}",
            ])  # fmt: skip
        text = f"Front-end **{front}**:\n\n" + table(header, "---:::::::::", rows)
        parts.append(_with_failures(text, mine, "task"))
    if any(r.get("built_first") is False for r in records):
        parts.append("† built after another front-end in the same process (bases already solved).")
    return "\n\n".join(parts)


def frontend_comparison_table(records: list[dict]) -> str:
    """Per task and process of ``--frontend all``: each front-end's steps over Haiku's.

    Records of one process share task, batch, channels, rounds and front-end list, and come
    in `FRONTENDS` order, so the ``k``-th Haiku record of a task pairs with the ``k``-th of
    every other front-end. The line below the table names the largest EMLP ratio against
    `FRONTEND_STEP_TARGET`.

    Example:
        >>> base = {"task": "o5", "batch": 8, "ch": 16, "repeats": 2,
        ...         "interleaved_with": ["haiku", "flax"], "mlp_step_seconds": 0.001}
        >>> rows = [base | {"frontend": "haiku", "emlp_step_seconds": 0.002,
        ...                 "emlp_step_vs_haiku": 1.0, "mlp_step_vs_haiku": 1.0},
        ...         base | {"frontend": "flax", "emlp_step_seconds": 0.0023,
        ...                 "emlp_step_vs_haiku": 1.15, "mlp_step_vs_haiku": 0.95}]
        >>> text = frontend_comparison_table(rows)
        >>> text.splitlines()[0].split(" | ")[-2:]
        ['flax EMLP / Haiku EMLP', 'flax MLP / Haiku MLP |']
        >>> for line in text.splitlines()[2:]:
        ...     print(line)
        | o5 | 8 × 16 | 2 | 2 | 1 | 1.15 | 0.95 |
        <BLANKLINE>
        Largest EMLP step / Haiku EMLP step: 1.15 (flax, o5); the target is ≤ 1.10.
    """
    measured = [r for r in records if "emlp_step_vs_haiku" in r and "error" not in r]
    others = [f for f in _frontend_order(measured) if f != BASELINE]
    runs: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in measured:
        key = (r["task"], r.get("batch"), r.get("ch"), r.get("repeats"))
        runs[key + (tuple(r.get("interleaved_with", ())),)][r["frontend"]].append(r)
    header = ["task", "batch × ch", "rounds", "Haiku EMLP step (ms)", "Haiku MLP step (ms)"]
    header += [f"{f} EMLP / Haiku EMLP" for f in others] + [f"{f} MLP / Haiku MLP" for f in others]
    rows, worst = [], None
    for key in sorted(runs, key=lambda k: (_task_order(k[0]), str(k[1:]))):
        task, batch, ch, repeats, _ = key
        for k, haiku in enumerate(runs[key].get(BASELINE, [])):
            row = [task, f"{batch} × {ch}", repeats, number(1e3 * haiku["emlp_step_seconds"])]
            row.append(number(1e3 * haiku["mlp_step_seconds"]))
            for name in ("emlp_step_vs_haiku", "mlp_step_vs_haiku"):
                for front in others:
                    mates = runs[key].get(front, [])
                    value = mates[k][name] if k < len(mates) else None
                    row.append(DASH if value is None else f"{value:.2f}")
                    if name == "emlp_step_vs_haiku" and value is not None:
                        worst = max(worst or (value, front, task), (value, front, task))
            rows.append(row)
    text = table(header, "--" + ":" * (len(header) - 2), rows)
    if worst:
        text += (
            f"\n\nLargest EMLP step / Haiku EMLP step: {worst[0]:.2f} ({worst[1]}, {worst[2]}); "
            f"the target is ≤ {FRONTEND_STEP_TARGET:.2f}."
        )
    return text


def _emlp_seconds(r: dict) -> float | None:
    """The emlp library's figure for a solver case: the record's, else the reference's."""
    if r.get("emlp_seconds"):
        return r["emlp_seconds"]
    case = str(r.get("case", ""))
    model_case = case.removesuffix("-cold").removesuffix("-warm")
    return EMLP_SOLVER_SECONDS.get(case) or EMLP_CONSTRUCTION_SECONDS.get(model_case)


def solver_table(records: list[dict]) -> str:
    """Basis solves and model constructions (`benchmarks.solver`) beside the emlp library.

    "emlp / ours" is the emlp figure (the record's ``emlp_seconds``, or
    `benchmarks.paper_reference` for the case name) over our median time; the line below
    gives the median of that ratio over the cases that have a figure.

    Example:
        >>> r = {"case": "s10-V**3", "size": 1000, "basis_dim": 5, "seconds": 0.005,
        ...      "seconds_all": [0.004, 0.005, 0.007], "strategy": "orbits",
        ...      "residual": 0.0, "peak_rss_mb": 210.3, "emlp_seconds": 6.1}
        >>> for line in solver_table([r]).splitlines()[2:]:
        ...     print(line)
        | `s10-V**3` | 1,000 | 5 | 0.005 | 3 | 6.1 | 1,220× | orbits | 0.0e+00 | 210 |
        <BLANKLINE>
        Median emlp / ours over 1 case with an emlp figure: 1,220×.
    """
    header = ["case", "size", "basis dim", "ours (s)", "runs", "emlp (s)", "emlp / ours"]
    header += ["strategy", "residual", "peak MB"]
    rows, speedups = [], []
    for r in (r for r in records if "error" not in r):
        emlp = _emlp_seconds(r)
        speedup = emlp / r["seconds"] if emlp and r.get("seconds") else None
        speedups += [speedup] if speedup else []
        residual = r.get("residual")
        rows.append([
            f"`{r['case']}`", f"{r['size']:,}", f"{r['basis_dim']:,}", number(r["seconds"]),
            len(r.get("seconds_all", [r["seconds"]])), number(emlp), _speedup(speedup),
            r.get("strategy"), DASH if residual is None else f"{residual:.1e}",
            number(r.get("peak_rss_mb")),
        ])  # fmt: skip
    text = table(header, "-::::::-::", rows)
    if speedups:
        cases = f"{len(speedups)} case{'s' if len(speedups) > 1 else ''}"
        median = _speedup(statistics.median(speedups))
        text += f"\n\nMedian emlp / ours over {cases} with an emlp figure: {median}."
    return _with_failures(text, records, "case")


def factorwise_table(records: list[dict]) -> str:
    """Factor-wise solves against the joint dense solve (`benchmarks.factorwise` rows).

    "joint / factor-wise" is the joint solve's median time over the factor-wise one; the
    joint solve is skipped (–) above its memory limit.

    Example:
        >>> r = {"case": "factor-s10xso3-V>>V", "size": 900, "basis_dim": 2,
        ...      "seconds": 0.004, "joint_seconds": 5.6, "joint_bytes_estimate": 84240000.0,
        ...      "largest_angle": 1.2e-14, "peak_rss_mb": 77.5}
        >>> print(factorwise_table([r]).splitlines()[2])
        | `factor-s10xso3-V>>V` | 900 | 2 | 0.004 | 5.6 | 1,400× | 0.0785 | 1.2e-14 | 77.5 |
    """
    header = ["case", "size", "basis dim", "factor-wise (s)", "joint dense (s)"]
    header += ["joint / factor-wise", "joint estimate (GiB)", "largest angle", "peak MB"]
    rows = []
    for r in (r for r in records if "error" not in r):
        joint = r.get("joint_seconds")
        angle = r.get("largest_angle")
        rows.append([
            f"`{r['case']}`", f"{r['size']:,}", f"{r['basis_dim']:,}", number(r["seconds"]),
            number(joint), _speedup(joint / r["seconds"] if joint and r["seconds"] else None),
            number(r.get("joint_bytes_estimate", 0) / 2**30),
            DASH if angle is None else f"{angle:.1e}",
            number(r.get("peak_rss_mb")),
        ])  # fmt: skip
    return _with_failures(table(header, "-::::::::", rows), records, "case")


def groups_table(records: list[dict]) -> str:
    """Exceptional-group constructions (`benchmarks.groups`): facts and times.

    "cold" is the first build in the process; "rebuild" the best and median of the
    uncached rebuilds (– with ``--repeats 0``).
    """
    header = ["group", "d", "algebra dim", "rank", "Killing signature", "cold (s)"]
    header += ["rebuild best (s)", "rebuild median (s)", "rebuilds", "closure residual"]
    rows = [
        [
            r["group"], r["d"], r["lie_algebra_dim"], r["rank"],
            "({}, {}, {})".format(*r["killing_signature"]), number(r["cold_seconds"]),
            number(r.get("rebuild_best_seconds")), number(r.get("rebuild_median_seconds")),
            r.get("repeats"), number(r.get("closure_residual"), 2),
        ]
        for r in records
    ]  # fmt: skip
    return table(header, "-:::-:::::", rows)


def finite_table(records: list[dict]) -> str:
    """Finite-group cases (`benchmarks.finite_groups`): result, seconds, seconds / target.

    Example:
        >>> r = {"case": "order of S(12)", "result": "479001600", "seconds": 0.018,
        ...      "target_seconds": 2.0}
        >>> print(finite_table([r]).splitlines()[2])
        | order of S(12) | 479001600 | 0.018 | 2 | 0.01 |
    """
    header = ["case", "result", "seconds", "target (s)", "seconds / target"]
    rows = [
        [r["case"], r["result"], number(r["seconds"]), number(r.get("target_seconds"))]
        + [ratio(r["seconds"], r.get("target_seconds"))]
        for r in records
    ]
    return table(header, "--:::", rows)
