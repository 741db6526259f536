"""Basis-solver timings against the emlp library's published figures.

Usage::

    python -m benchmarks.solver            # every case, each in a fresh process
    python -m benchmarks.solver --only so3 # cases whose name contains "so3"
    python -m benchmarks.solver --only factor  # direct products: factor-wise vs joint

Each case runs ``--repeats`` times (default 3), each time in a fresh Python process with
the disk cache disabled, and the median run is reported (``seconds_all`` keeps every
time: this machine's timings vary by tens of percent between runs); the model cases
run twice, "cold" (empty private cache directory) and "warm" (a second fresh process
reading what the first wrote). The table gives our time, the emlp figure of the same case
(`benchmarks.paper_reference.EMLP_SOLVER_SECONDS` and ``EMLP_CONSTRUCTION_SECONDS``: emlp
1.0.3, jax 0.4.23, same kind of 2-core CPU, first call in a fresh process), the speed-up
and the child's peak resident memory; JSON records
(``case, size, basis_dim, seconds, strategy, residual, emlp_seconds, speedup,
peak_rss_mb``) go to ``--out`` (default ``benchmarks/results/solver.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import tempfile
import time

from benchmarks import cli
from benchmarks.factorwise import FACTOR_CASES, FACTOR_HEADER, factor_child, run_factor_cases
from benchmarks.fresh_process import run_child
from benchmarks.paper_reference import EMLP_CONSTRUCTION_SECONDS, EMLP_SOLVER_SECONDS

# name -> (python expression of the rep, note)
_BASIS_EXPRESSIONS = {
    **{f"so3-V**{k}": (f"(V**{k})(SO(3))", "") for k in range(2, 10)},
    "o5-(V0+V+V2)>>(V0+V+V2)": ("((V**0 + V + V**2) >> (V**0 + V + V**2))(O(5))", ""),
    "o13-V**2>>V**2": ("(V**2 >> V**2)(Lorentz())", ""),
    "o13-scattering-first-layer": (
        "(4 * V >> gated(uniform_rep(384, Lorentz())))(Lorentz())",
        "emlp's first layer has size 6,704 (its own hidden rep); ours is the analogous layer",
    ),
    "o13-scattering-hidden-layer": (
        "(gated(uniform_rep(384, Lorentz())) >> gated(uniform_rep(384, Lorentz())))",
        "every distinct type solved; the 179,776 x 32,128 dense basis is not assembled",
    ),
    "s10-V**3": ("(V**3)(S(10))", ""),
    "s20-V**3": ("(V**3)(S(20))", ""),
    "s10-V**4": ("(V**4)(S(10))", ""),
    "s20-V**4": ("(V**4)(S(20))", ""),
    "s5-T3>>T3": ("(T(3) >> T(3))(S(5))", "emlp crashes on this case"),
    "s10-T3>>T3": ("(T(3) >> T(3))(S(10))", ""),
    "rubiks-V>>V": ("(V >> V)(RubiksCube())", ""),
}
# name -> (python expression of the rep, emlp seconds or None, note)
BASIS_CASES = {
    name: (expression, EMLP_SOLVER_SECONDS.get(name), note)
    for name, (expression, note) in _BASIS_EXPRESSIONS.items()
}
# name -> (rep_in, rep_out, group, emlp seconds)
MODEL_CASES = {
    name: (*spec, EMLP_CONSTRUCTION_SECONDS[name])
    for name, spec in {
        "emlp-construction-inertia-so3": ("5 * Scalar + 5 * V", "V**2", "SO(3)"),
        "emlp-construction-o5": ("2 * V", "Scalar", "O(5)"),
        "emlp-construction-scattering-o13": ("4 * V", "Scalar", "Lorentz()"),
    }.items()
}
PRELUDE = (
    "from emlp_core import V, Scalar, T\nfrom groups import SO, O, S, Lorentz, RubiksCube\n"
    "from layers import gated, uniform_rep\n"
)


def _basis_child(expression: str) -> dict:
    """Runs inside the fresh process: solve and report."""
    namespace: dict = {}
    exec(PRELUDE, namespace)  # noqa: S102 - fixed, trusted case table
    rep = eval(expression, namespace)  # noqa: S307
    if rep.group is None:
        rep = rep(namespace["Lorentz"]())
    from emlp_core import equivariant_basis
    from emlp_core.solver import solve_reports

    start = time.perf_counter()
    reports = solve_reports(rep)  # solves every distinct tensor type once
    form = rep.canonical_form()
    dim = sum(s.multiplicity * r.dim for s, r in zip(form, reports, strict=True))
    assembled = rep.size() * dim <= 2**27
    if assembled:  # assemble the full basis too when it fits in 1 GiB
        dim = int(equivariant_basis(rep).shape[1])
    seconds = time.perf_counter() - start
    return {
        "size": rep.size(),
        "basis_dim": dim,
        "seconds": seconds,
        "strategy": "+".join(sorted({r.strategy for r in reports})),
        "residual": max((float(r.residual) for r in reports), default=0.0),
        "types": len(reports),
        "assembled": assembled,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _model_child(rep_in: str, rep_out: str, group: str) -> dict:
    """Construction of the 3-layer, 384-channel EMLP inside a fresh process.

    ``seconds`` is the framework-free construction: `layers.core.emlp_plan` (every basis
    of every layer) and its ``param_specs()`` (every parameter shape, read off the bases;
    nothing traced, nothing compiled). Reported beside it: ``haiku_shapes_seconds``, the
    Haiku module's ``init`` traced under `jax.eval_shape` afterwards (bases now in memory:
    JAX's tracing), and ``init_compile_seconds``, compiling and running the jitted
    ``init`` (the first parameter draw).
    """
    namespace: dict = {}
    exec(PRELUDE, namespace)  # noqa: S102
    import haiku as hk
    import jax
    import jax.numpy as jnp

    from layers import EMLP
    from layers.core import emlp_plan

    G = eval(group, namespace)  # noqa: S307
    rep_in_, rep_out_ = eval(rep_in, namespace)(G), eval(rep_out, namespace)(G)
    x = jnp.zeros((1, rep_in_.size()))
    start = time.perf_counter()
    specs = emlp_plan(rep_in_, rep_out_, G, ch=384, num_layers=3).param_specs()
    construction = time.perf_counter() - start
    model = hk.without_apply_rng(
        hk.transform(lambda x: EMLP(rep_in_, rep_out_, G, ch=384, num_layers=3)(x))
    )
    shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), x)
    traced = time.perf_counter()
    params = jax.jit(model.init)(jax.random.PRNGKey(0), x)
    jax.block_until_ready(params)
    count = int(sum(math.prod(shape) for _, _, shape in specs))
    if count != hk.data_structures.tree_size(shapes):
        raise AssertionError("the plan's parameter shapes differ from the Haiku module's")
    return {
        "size": rep_in_.size(),
        "basis_dim": count,
        "seconds": construction,
        "haiku_shapes_seconds": traced - start - construction,
        "init_compile_seconds": time.perf_counter() - traced,
        "strategy": "model",
        "residual": 0.0,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _median_of(runs: list[dict]) -> dict:
    """The run with the median time, plus every time (``seconds_all``); errors pass through."""
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda r: r["seconds"])
    return {**ordered[(len(ordered) - 1) // 2], "seconds_all": [r["seconds"] for r in runs]}


def run(only: str | None = None, repeats: int = 3) -> list[dict]:
    """Runs every case ``repeats`` times, each in a fresh process; records the median run."""
    records = []
    for name, (expression, emlp, note) in BASIS_CASES.items():
        if only and only not in name:
            continue
        runs = [run_child("benchmarks.solver", ["basis", expression]) for _ in range(repeats)]
        records.append(_record(name, emlp, note, _median_of(runs)))
        _print_row(records[-1])
    for name, (rep_in, rep_out, group, emlp) in MODEL_CASES.items():
        if only and only not in name:
            continue
        colds, warms = [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as cache_dir:
                args = ["model", rep_in, rep_out, group]
                colds.append(run_child("benchmarks.solver", args, cache_dir))
                warms.append(run_child("benchmarks.solver", args, cache_dir))
        cold, warm = _median_of(colds), _median_of(warms)
        note = "construction = every basis + parameter shapes (emlp_plan); tracing, init apart"
        records.append(_record(f"{name}-cold", emlp, f"cache empty; {note}", cold))
        _print_row(records[-1])
        records.append(_record(f"{name}-warm", emlp, f"disk cache filled; {note}", warm))
        _print_row(records[-1])
    return records


def _record(case: str, emlp: float | None, note: str, result: dict) -> dict:
    record = {"case": case, "emlp_seconds": emlp, "note": note, **result}
    record["speedup"] = _speedup(record)
    return record


def _speedup(record: dict) -> float | None:
    if record.get("emlp_seconds") and record.get("seconds"):
        return record["emlp_seconds"] / record["seconds"]
    return None


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


_HEADER = (
    f"{'case':<38} {'size':>9} {'dim':>7} {'seconds':>9} {'emlp s':>7} {'speed-up':>9} "
    f"{'strategy':<16} {'residual':>9} {'peak MB':>8}"
)


def _print_row(r: dict) -> None:
    if "error" in r:
        print(f"{r['case']:<38} ERROR: {r['error']}", flush=True)
        return
    speedup = _speedup(r)
    emlp = f"{r['emlp_seconds']:.2f}" if r.get("emlp_seconds") else "-"
    ratio = f"{speedup:.0f}x" if speedup else "-"
    print(
        f"{r['case']:<38} {r['size']:>9} {r['basis_dim']:>7} {r['seconds']:>9.3f} {emlp:>7} "
        f"{ratio:>9} {r['strategy']:<16} {r['residual']:>9.1e} {r['peak_rss_mb']:>8.0f}",
        flush=True,
    )


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    ``--only`` must match at least one case name, ``--repeats`` must be positive and
    ``--out`` (default ``benchmarks/results/solver.json``) a file that can be written;
    all checked before any case runs.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.solver",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", default=None, help="run the cases whose name contains this text")
    parser.add_argument(
        "--out",
        type=cli.output_file,
        default=None,
        help="JSON output file, its parent writable (default benchmarks/results/solver.json)",
    )
    parser.add_argument(
        "--repeats",
        type=cli.positive_int,
        default=3,
        help="fresh processes per case; the median is kept",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # a case inside a fresh process: --only and --out are the parent's
        return args
    names = [*BASIS_CASES, *MODEL_CASES, *FACTOR_CASES]
    if args.only is not None and not any(args.only in name for name in names):
        parser.error(
            f"argument --only: no case name contains {args.only!r}; cases: {', '.join(names)}"
        )
    if args.out is None:
        args.out = cli.default_output_file(parser, "benchmarks/results/solver.json")
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    if args.child:
        kind, *rest = args.child
        children = {"basis": _basis_child, "model": _model_child, "factors": factor_child}
        result = children[kind](*rest)
        print(json.dumps(result))
        return [result]
    print(_HEADER)
    print("-" * len(_HEADER))
    start = time.perf_counter()
    records = run(args.only, args.repeats)
    if not args.only or any(args.only in name for name in FACTOR_CASES):
        print(f"\nfactor-wise against the joint dense solve\n{FACTOR_HEADER}")
        records += run_factor_cases(args.only, args.repeats, _median_of)
    speedups = [s for s in map(_speedup, records) if s]
    if speedups:
        median = statistics.median(speedups)
        print(f"\nmedian speed-up over the emlp figures: {median:.0f}x over {len(speedups)} cases")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2))
    print(f"{len(records)} cases in {time.perf_counter() - start:.0f} s; wrote {args.out}")
    return records


if __name__ == "__main__":
    main()
