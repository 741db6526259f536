"""Negative control: an invariant target that symmetry does not make easy to learn.

Kiani, Le, Lawrence, Jegelka & Weber, "On the hardness of learning under symmetries" (ICLR
2024, arXiv 2401.01869) prove correlational-statistical-query lower bounds (a model of
gradient descent) for learning invariant function classes (shallow GNNs, CNNs, invariant
polynomials, frame-averaged networks) that stay superpolynomial or exponential in the input
dimension; knowing the group gains at most about a ``|G|`` factor. This benchmark puts an
easy invariant target beside a hard one, each learnt by an invariant model and by an MLP,
on ``n x n`` matrices under ``S(n)`` acting by ``A -> P A P^T`` (``V(S(n))**2``):

* ``easy``: Gaussian inputs; a random invariant two-layer ReLU teacher on the five
  equivariant vertex features (row and column sums, diagonal, trace, total). It is in
  the invariant model's class up to a pass-through ReLU: a planted teacher.
* ``hard``: ``G(n, 1/2)`` graphs labelled ``(-1)^{#{v : deg(v) in D}}``, ``D`` a hidden
  seeded set of degree values with balanced labels (`hardness_models.degree_set`). It is
  invariant (permuting vertices permutes the degree sequence, and the count does not see
  the order) and the invariant model can represent it (per-vertex ReLUs of the degree
  make ``1[deg in D]``, sum pooling the count, a scalar ReLU layer its parity), but the
  label is a product of ``n`` nearly independent, nearly unbiased signs ``s(deg v)``; its
  correlation with any function of fewer vertices, or with a sum over vertices, is close
  to zero, so gradients at a random start carry almost no signal, as for a parity of
  ``n`` bits; and the ``2^n`` sets ``D`` give a large family of nearly orthogonal
  invariant labels, the kind of family behind CSQ lower bounds. This construction is
  ours, in the spirit of the paper, not one of its theorems' constructions; the argument
  is heuristic.

Models (`hardness_models.model_plan`): ``invariant`` = `layers.regular` with hidden
``16 V`` then ``32 Scalar``, pointwise ReLU (673 parameters at every ``n``); ``mlp`` =
`layers.core.mlp_plan`, 2 swish layers of 256 on the ``n^2`` coordinates. Mini-batch Adam
(batch 128, lr 3e-3, ``--steps``) with MSE on the (unit-variance or ``+-1``) labels, in the
shared loop `layers.training.train` (compiled; batches without replacement from seeded
permutations: `hardness_models.train_model`); training sets are nested prefixes of one
pool per target, ``n`` and seed.

Reports: test MSE (``easy``) and test sign accuracy (``hard``; chance 0.5) against ``n``
and training size; the sample complexity ``N*`` = the smallest size whose mean over seeds
reaches `THRESHOLDS`, and the gap ``N*_mlp / N*_invariant`` beside ``log10 |G| = log10
n!``. JSON to ``--out`` (``{"records": [...], "sample_complexity": [...], "machine"}``),
a figure ``hardness.png`` to ``--figures``.

Usage::

    python -m benchmarks.hardness                  # n = 8..24, sizes 64..4096, 3 seeds
    python -m benchmarks.hardness --quick          # n = 6, two sizes, one seed: seconds
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from benchmarks import cli
from benchmarks.hardness_models import (
    MIN_N,
    MODELS,
    TARGETS,
    make_data,
    memory_estimate,
    train_model,
)

__all__ = ["THRESHOLDS", "run", "sample_complexity", "format_table", "parse_args", "main"]

THRESHOLDS = {"easy": ("test_mse", 0.1), "hard": ("test_acc", 0.75)}
"""Target -> (metric, level): ``test_mse <= 0.1`` or ``test_acc >= 0.75`` counts as learnt."""
DEFAULTS = {"n": (8, 12, 16, 20, 24), "sizes": (64, 256, 1024, 4096), "seeds": 3, "steps": 800}
QUICK = {"n": (6,), "sizes": (64, 512), "seeds": 1, "steps": 300}
N_TEST = 1024


def _reached(target: str, value: float) -> bool:
    metric, level = THRESHOLDS[target]
    return value <= level if metric == "test_mse" else value >= level


def run(targets=TARGETS, ns=DEFAULTS["n"], sizes=DEFAULTS["sizes"], seeds: int = 3, *,
        steps: int = 800, pool: int | None = None, models=MODELS,
        progress: bool = True) -> list[dict]:  # fmt: skip
    """One record per target, ``n``, seed, training size and model (`train_model`).

    Example:
        >>> rows = run(["easy"], [5], [8, 32], 1, steps=5, models=["invariant"], progress=False)
        >>> [(r["model"], r["n_train"]) for r in rows]
        [('invariant', 8), ('invariant', 32)]
    """
    pool = max(sizes) if pool is None else pool
    records = []
    for target in targets:
        for n in ns:
            for seed in range(seeds):
                data = make_data(target, n, pool, N_TEST, seed)
                for size in sizes:
                    for model in models:
                        start = time.perf_counter()
                        out = train_model(model, data, size, steps=steps, seed=seed)
                        out.pop("params")
                        record = {"benchmark": "hardness", "target": target, "n": n,
                                  "log10_order": math.lgamma(n + 1) / math.log(10),
                                  "model": model, "n_train": size, "seed": seed,
                                  "steps": steps, "label_mean": float(data.y_test.mean()),
                                  **out, "seconds": time.perf_counter() - start}  # fmt: skip
                        records.append(record)
                        if progress:
                            print(format_row(record), flush=True)
    return records


HEADER = (
    f"{'target':<7}{'n':>4}{'model':>10}{'params':>8}{'N':>6}{'seed':>5}{'test MSE':>10}"
    f"{'test acc':>10}{'train MSE':>11}{'equiv err':>11}{'seconds':>9}"
)


def format_row(r: dict) -> str:
    return (
        f"{r['target']:<7}{r['n']:>4}{r['model']:>10}{r['num_params']:>8}{r['n_train']:>6}"
        f"{r['seed']:>5}{r['test_mse']:>10.3g}{r['test_acc']:>10.3f}{r['train_mse']:>11.3g}"
        f"{r['equivariance_error']:>11.2g}{r['seconds']:>9.2f}"
    )


def sample_complexity(records: list[dict]) -> list[dict]:
    """Per target and ``n``: each model's ``N*`` (None: not reached) and the gap.

    ``gap`` is ``N*_mlp / N*_invariant`` when both are reached; ``gap_at_least`` is
    ``max(size) / N*_invariant`` when only the invariant model reaches the threshold (the
    gap is larger than that); the best mean metric of each model is kept beside.

    Example:
        >>> rows = [{"target": "easy", "n": 5, "log10_order": 2.08, "model": m, "n_train": s,
        ...          "test_mse": v} for m, s, v in [("invariant", 8, 0.05),
        ...          ("mlp", 8, 0.9), ("invariant", 64, 0.01), ("mlp", 64, 0.08)]]
        >>> sample_complexity(rows)[0]["gap"]
        8.0
    """
    table = []
    keys = dict.fromkeys((r["target"], r["n"]) for r in records)
    for target, n in keys:
        metric, level = THRESHOLDS[target]
        rows = [r for r in records if r["target"] == target and r["n"] == n]
        entry = {"target": target, "n": n, "log10_order": rows[0]["log10_order"],
                 "metric": metric, "threshold": level}  # fmt: skip
        for model in MODELS:
            means = {}
            for size in sorted({r["n_train"] for r in rows}):
                values = [r[metric] for r in rows if r["model"] == model and r["n_train"] == size]
                if values:
                    means[size] = float(np.mean(values))
            reached = [size for size, value in means.items() if _reached(target, value)]
            best = (min if metric == "test_mse" else max)(means.values()) if means else None
            entry[model] = {"n_star": min(reached) if reached else None, "best": best,
                            "sizes": len(means)}  # fmt: skip
        inv, mlp = entry["invariant"]["n_star"], entry["mlp"]["n_star"]
        largest = max(r["n_train"] for r in rows)
        entry["gap"] = mlp / inv if inv and mlp else None
        entry["gap_at_least"] = largest / inv if inv and not mlp else None
        table.append(entry)
    return table


def format_table(table: list[dict]) -> str:
    """The sample-complexity table as text (``-``: threshold not reached)."""
    lines = [f"{'target':<7}{'n':>4}{'log10 n!':>10}{'N* inv':>8}{'N* mlp':>8}{'gap':>10}"
             f"{'best inv':>10}{'best mlp':>10}"]  # fmt: skip
    for e in table:
        gap = (f"{e['gap']:.3g}" if e["gap"] else
               f">{e['gap_at_least']:.3g}" if e["gap_at_least"] else "-")  # fmt: skip
        cells = [e[m]["n_star"] or "-" for m in MODELS]
        best = [f"{e[m]['best']:.3g}" for m in MODELS]
        lines.append(f"{e['target']:<7}{e['n']:>4}{e['log10_order']:>10.1f}{cells[0]:>8}"
                     f"{cells[1]:>8}{gap:>10}{best[0]:>10}{best[1]:>10}")  # fmt: skip
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value, before
    any data are drawn (sizes above the pool, ``n`` above the memory limit included)."""
    from emlp_core.memory import check_memory

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.hardness",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS))
    parser.add_argument("--n", nargs="+", type=cli.integer_in_range(MIN_N), default=None,
                        help="numbers of vertices (default 8 12 16 20 24)")  # fmt: skip
    parser.add_argument("--sizes", nargs="+", type=cli.positive_int, default=None,
                        help="training-set sizes (default 64 256 1024 4096)")  # fmt: skip
    parser.add_argument("--seeds", type=cli.positive_int, default=None, help="seeds 0..k-1 (3)")
    parser.add_argument("--steps", type=cli.positive_int, default=None, help="Adam steps (800)")
    parser.add_argument("--pool", type=cli.positive_int, default=None,
                        help="pool per target, n and seed (default: max size)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="n = 6, two sizes, one seed")
    parser.add_argument("--no-progress", action="store_true", help="print no rows")
    parser.add_argument("--no-plots", action="store_true", help="write no figure")
    parser.add_argument("--out", type=cli.output_file, default=None,
                        help="JSON file (default benchmarks/results/hardness.json)")  # fmt: skip
    parser.add_argument("--figures", type=cli.output_directory, default=None,
                        help="figure directory (default benchmarks/figures)")  # fmt: skip
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, list(value) if isinstance(value, tuple) else value)
    for flag in ("--targets", "--n", "--sizes"):
        cli.reject_duplicates(parser, flag, getattr(args, flag[2:]))
    if args.pool is None:
        args.pool = max(args.sizes)
    if max(args.sizes) > args.pool:
        parser.error(f"argument --sizes: {max(args.sizes)} is larger than the {args.pool} "
                     "training points available (--pool)")  # fmt: skip
    for n in args.n:
        try:
            check_memory(memory_estimate(n, args.pool, N_TEST), f"hardness data at n = {n}")
        except ValueError as error:
            parser.error(f"argument --n: {error}")
    return cli.fill_default_outputs(parser, args, "hardness")


def main(argv=None) -> dict:
    """Runs the command line ``argv`` (see the module docstring); returns the record."""
    from benchmarks.machine import machine_info

    args = parse_args(argv)
    if not args.no_progress:
        print(f"{HEADER}\n{'-' * len(HEADER)}", flush=True)
    records = run(args.targets, args.n, args.sizes, args.seeds, steps=args.steps,
                  pool=args.pool, progress=not args.no_progress)  # fmt: skip
    table = sample_complexity(records)
    print(format_table(table))
    result = {"benchmark": "hardness", "records": records, "sample_complexity": table,
              "thresholds": THRESHOLDS, "machine": machine_info()}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")
    if not args.no_plots:
        from benchmarks.hardness_plots import plot_hardness

        args.figures.mkdir(parents=True, exist_ok=True)
        plot_hardness(records, table, args.figures / "hardness.png")
    return result


if __name__ == "__main__":
    main()
