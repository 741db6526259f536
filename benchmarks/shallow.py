"""G-invariant shallow ReLU networks (Agrawal & Ostrowski 2022): counts, universality, baselines.

Usage::

    python -m benchmarks.shallow                        # all three parts
    python -m benchmarks.shallow --part table           # enumeration counts only (seconds)
    python -m benchmarks.shallow --part universality --ms 1 2 4 8 16 32 64 --steps 3000
    python -m benchmarks.shallow --part baselines --sizes 50 100 200 500 --seeds 0 1 2

Three parts (``--part table|universality|baselines``, default all):

1. ``table``: `emlp_core.shallow.enumerate_invariant_shallow` on the paper's groups
   (`emlp_core.shallow.paper_groups`: C4, C6, D4, C2xC2, Q8), with conjugate index-2
   kernels merged (the default) and listed one by one (``merge_conjugate_kernels=False``,
   the authors' convention), beside the authors' counts
   (`benchmarks.paper_reference.GSNN_COUNTS`).
2. ``universality``: on D4 acting on 4 points and C8 acting on 8 points, a G-invariant
   target (a random 2-layer ReLU teacher averaged over the group's elements, standardised
   to unit variance) is fitted by full-batch Adam with a one-hidden-layer model of ``m``
   copies of the regular representation: `layers.shallow_haiku.InvariantShallow` of the
   type-1 architecture with ``H = {e}`` and ``channels=m`` (hidden rows ``rho(g) w_c``
   over all ``g``, the orbit of ``m`` free vectors; one output weight and bias per
   orbit). Beside it the same with the type-1 architecture with ``H = G`` (weights in
   the invariant subspace of ``V`` only: every hidden unit is a trivial rep), which sees
   only the invariant projection of ``x`` and stalls. Training MSE against ``m``: that of
   the lowest-MSE parameters among those at initialisation, after every tenth step and
   after the last (previously the smallest full-batch loss seen before any step, or the
   final parameters' MSE, whichever was lower).
3. ``baselines``: the sum of every accepted architecture (``InvariantShallow(G,
   channels)``) against `layers.EMLP` (``V -> Scalar``) and `layers.MLP` (``--num-layers``
   hidden layers), their widths chosen so that their parameter counts are closest to the
   G-SNN's, trained on the same kind of invariant targets by full-batch Adam
   (`train_full_batch`: `layers.training.train` with ``compiled=True``, ten steps per
   compiled scan; the parameters of the best validation MSE, measured at initialisation,
   after every tenth step and after the last; previously it was measured before every
   step, which changes test MSEs by about 1% where the best epoch falls mid-run; input
   standardisation is not needed for standard normal inputs): test MSE against
   training-set size.

JSON goes to ``--out`` (default ``benchmarks/results/shallow.json``), a list of records,
each with ``benchmark: "shallow"``, ``part`` and ``machine``:

* table: ``group, d, order, convention ("merged"|"authors"), merge_conjugate_kernels,
  type1_accepted, type1_proposed, type2_accepted, type2_proposed, irreducible,
  architectures (accepted names), seconds, reference ([t1 acc, t1 prop, t2 acc, t2 prop,
  irreducible]), reference_source, matches_reference``;
* universality: ``group, d, order, model ("regular"|"invariant"), architecture, m,
  hidden_units, params, n_train, steps, lr, seed, train_mse, initial_mse, seconds``;
* baselines: ``group, d, order, method ("gsnn"|"emlp"|"mlp"), width (G-SNN channels or
  EMLP/MLP ch), num_layers (None for the G-SNN), params, n_train, seed, steps, lr,
  test_mse, train_mse, best_val_mse, equivariance_error (``max_g |f(rho(g) x) - f(x)|``
  over every element and the test inputs), seconds`` (initialisation, compilation and
  training).

Targets have unit variance, so an MSE of 1 is no better than predicting the mean. Plots
(``shallow_universality.png``, ``shallow_baselines.png``) go beside ``--out``.
`benchmarks.summary` makes the tables of ``benchmarks/RESULTS.md``
(`benchmarks.shallow_tables`).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from benchmarks import cli
from benchmarks.machine import write_records
from benchmarks.paper_reference import GSNN_COUNTS, GSNN_PAPER
from benchmarks.shallow_models import (
    METHODS,
    haiku_model,
    invariant_data,
    invariant_teacher,
    matched_width,
    train_full_batch,
    type1_architecture,
)
from benchmarks.shallow_plots import plot_baselines, plot_universality

PARTS = ("table", "universality", "baselines")
DEMO_GROUPS = ("D4", "C8")
"""D4 on the 4 corners of a square (`emlp_core.shallow.paper_groups`), C8 on 8 points."""
CONVENTIONS = {"merged": True, "authors": False}
"""Convention name -> ``merge_conjugate_kernels``."""
"""Points on which a teacher's mean and standard deviation are measured."""


def demo_group(name: str):
    """D4 acting on 4 points or C8 acting on 8 points, as permutation groups."""
    from emlp_core.shallow import paper_groups
    from groups import Z

    return paper_groups()["D4"] if name == "D4" else Z(8)


# ----------------------------------------------------------------------- part 1: table
def table_records() -> list[dict]:
    """One record per paper group and convention, with the authors' counts beside."""
    from emlp_core.shallow import enumerate_invariant_shallow, paper_groups, summarize_shallow

    records = []
    for name, group in paper_groups().items():
        for convention, merge in CONVENTIONS.items():
            start = time.perf_counter()
            found = enumerate_invariant_shallow(group, merge_conjugate_kernels=merge)
            seconds = time.perf_counter() - start
            s = summarize_shallow(found)
            counts = [s.type1_accepted, s.type1_proposed, s.type2_accepted, s.type2_proposed]
            counts.append(s.irreducible)
            reference = list(GSNN_COUNTS[name])
            records.append({
                "benchmark": "shallow", "part": "table", "group": name, "d": group.d,
                "order": int(group.order()), "convention": convention,
                "merge_conjugate_kernels": merge,
                **dict(zip(COUNT_KEYS, counts, strict=True)),
                "architectures": [a.name for a in found if a.accepted],
                "seconds": seconds, "reference": reference, "reference_source": GSNN_PAPER,
                "matches_reference": counts == reference,
            })  # fmt: skip
    return records


COUNT_KEYS = ("type1_accepted", "type1_proposed", "type2_accepted", "type2_proposed", "irreducible")


def format_table(records: list[dict]) -> str:
    """The counts, both conventions and the reference side by side, one line per group."""
    header = (
        f"{'group':<7}{'order':>6}  {'merged t1 t2 irr':<18}{'authors t1 t2 irr':<20}"
        f"{'paper t1 t2 irr':<20}{'match':<7}{'seconds':>8}"
    )
    by_group: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in records:
        by_group[r["group"]][r["convention"]] = r

    def counts(c):
        return f"{c[0]}/{c[1]} {c[2]}/{c[3]} {c[4]}"

    lines = [header, "-" * len(header)]
    for name, rows in by_group.items():
        merged, authors = rows.get("merged"), rows.get("authors")
        pick = [(r and counts([r[k] for k in COUNT_KEYS])) or "-" for r in (merged, authors)]
        ref = (authors or merged)["reference"]
        seconds = sum(r["seconds"] for r in rows.values())
        match = "yes" if authors and authors["matches_reference"] else "NO"
        order = (authors or merged)["order"]
        lines.append(
            f"{name:<7}{order:>6}  {pick[0]:<18}{pick[1]:<20}{counts(ref):<20}{match:<7}"
            f"{seconds:>8.3f}"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------- part 2: universality
def universality_records(
    groups=DEMO_GROUPS, ms=(1, 2, 4, 8, 16, 32, 64), *, n_train=256, steps=3000, lr=0.01, seed=0
) -> list[dict]:
    """Training MSE of the regular (``H = {e}``), invariant-only (``H = G``) and
    trivial-plus-defining (``m * (Scalar + V)``, pointwise ReLU) one-hidden-layer models."""
    from emlp_core import Scalar, V
    from layers.regular import regular_mlp_plan
    from layers.shallow import shallow_plan

    records = []
    for name in groups:
        group = demo_group(name)
        data = invariant_data(group, invariant_teacher(group, seed), n_train, seed, 0)
        models = {
            "regular": type1_architecture(group, 1),
            "invariant": type1_architecture(group, int(group.order())),
        }
        models["defining"] = None  # m * (Scalar + V) with pointwise ReLU
        for model, arch in models.items():
            for m in ms:
                start = time.perf_counter()
                if arch is None:
                    net = haiku_model("defining", group, m)
                    hidden = [m * (Scalar + V)]
                    plan = regular_mlp_plan(V(group), Scalar(group), group, ch=hidden)
                    arch_name, units, params = "Scalar+V", m * (1 + group.d), plan.num_params()
                else:
                    net = haiku_model("gsnn", arch, m)
                    arch_name, units = arch.name, m * arch.width
                    params = shallow_plan(arch, m).num_params()
                fitted = train_full_batch(net, (data.x, data.y), steps=steps, lr=lr, seed=seed)
                record = {
                    "benchmark": "shallow", "part": "universality", "group": name,
                    "d": group.d, "order": int(group.order()), "model": model,
                    "architecture": arch_name, "m": m, "hidden_units": units,
                    "params": params, "n_train": n_train,
                    "steps": steps, "lr": lr, "seed": seed, "train_mse": fitted["train_mse"],
                    "initial_mse": fitted["initial_mse"], "seconds": time.perf_counter() - start,
                }  # fmt: skip
                records.append(record)
                print(format_universality_row(record), flush=True)
    return records


UNIVERSALITY_HEADER = (
    f"{'group':<6}{'model':<10}{'m':>4}{'hidden':>8}{'params':>8}{'train MSE':>11}{'seconds':>9}"
)


def format_universality_row(r: dict) -> str:
    return (
        f"{r['group']:<6}{r['model']:<10}{r['m']:>4}{r['hidden_units']:>8}{r['params']:>8}"
        f"{r['train_mse']:>11.3g}{r['seconds']:>9.2f}"
    )


# ----------------------------------------------------------------- part 3: baselines
def baseline_records(
    groups=DEMO_GROUPS,
    sizes=(50, 100, 200, 500),
    seeds=(0, 1, 2),
    methods=METHODS,
    *,
    channels=4,
    num_layers=1,
    steps=2000,
    lr=0.003,
    n_val=250,
    n_test=1000,
) -> list[dict]:
    """Test MSE of the G-SNN, EMLP and MLP on invariant targets, per size and seed.

    Full-batch Adam (`train_full_batch`), keeping the parameters of the best validation
    MSE (``n_val`` points); test MSE on ``n_test`` points. The teacher and the validation
    and test sets of seed ``s`` are the same for every size and method.
    """
    from layers.core import tree_size
    from layers.shallow import shallow_plan

    records = []
    for name in groups:
        group = demo_group(name)
        elements = group.elements()
        target = shallow_plan(group, channels).num_params()
        widths = {"gsnn": channels}
        for kind in ("emlp", "mlp"):
            if kind in methods:
                widths[kind] = matched_width(kind, group, target, num_layers)
        # one model object per method: its compiled programs serve every seed
        models = {kind: haiku_model(kind, group, widths[kind], num_layers) for kind in methods}
        for seed in seeds:
            teacher = invariant_teacher(group, seed)
            val = invariant_data(group, teacher, n_val, seed, 1)
            test = invariant_data(group, teacher, n_test, seed, 2)
            for n in sizes:
                train = invariant_data(group, teacher, n, seed, 0)
                for kind in methods:
                    start = time.perf_counter()
                    fitted = train_full_batch(
                        models[kind], (train.x, train.y), steps=steps, lr=lr, seed=seed,
                        val=(val.x, val.y), test=(test.x, test.y), elements=elements,
                    )  # fmt: skip
                    record = {
                        "benchmark": "shallow", "part": "baselines", "group": name,
                        "d": group.d, "order": int(group.order()), "method": kind,
                        "width": widths[kind],
                        "num_layers": None if kind == "gsnn" else num_layers,
                        "params": int(tree_size(fitted["params"])), "n_train": n,
                        "seed": seed, "steps": steps, "lr": lr,
                        "test_mse": fitted["test_mse"], "train_mse": fitted["train_mse"],
                        "best_val_mse": fitted["best_val_mse"],
                        "equivariance_error": fitted["equivariance_error"],
                        "seconds": time.perf_counter() - start,
                    }  # fmt: skip
                    records.append(record)
                    print(format_baseline_row(record), flush=True)
    return records


BASELINE_HEADER = (
    f"{'group':<6}{'method':<7}{'width':>6}{'params':>8}{'N':>6}{'seed':>5}{'test MSE':>10}"
    f"{'equiv err':>11}{'seconds':>9}"
)


def format_baseline_row(r: dict) -> str:
    return (
        f"{r['group']:<6}{r['method']:<7}{r['width']:>6}{r['params']:>8}{r['n_train']:>6}"
        f"{r['seed']:>5}{r['test_mse']:>10.3g}{r['equivariance_error']:>11.2g}{r['seconds']:>9.2f}"
    )


# ----------------------------------------------------------------------- command line
def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.shallow",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--groups", nargs="+", choices=DEMO_GROUPS, default=list(DEMO_GROUPS),
                        help="groups of the universality and baseline parts")  # fmt: skip
    parser.add_argument("--ms", nargs="+", type=cli.positive_int, default=[1, 2, 4, 8, 16, 32, 64],
                        help="copies of the regular representation (universality)")  # fmt: skip
    parser.add_argument("--n-train", type=cli.positive_int, default=256,
                        help="training points of the universality part")  # fmt: skip
    parser.add_argument("--sizes", nargs="+", type=cli.positive_int, default=[50, 100, 200, 500],
                        help="training-set sizes of the baseline part")  # fmt: skip
    parser.add_argument("--seeds", nargs="+", type=cli.seed, default=[0, 1, 2],
                        help="baseline seeds (universality uses the first)")  # fmt: skip
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--channels", type=cli.positive_int, default=4,
                        help="G-SNN copies of every architecture (baselines)")  # fmt: skip
    parser.add_argument("--num-layers", type=cli.positive_int, default=1,
                        help="hidden layers of the EMLP and MLP baselines")  # fmt: skip
    parser.add_argument("--steps", type=cli.positive_int, default=None,
                        help="Adam steps (default 3000 universality, 2000 baselines)")  # fmt: skip
    parser.add_argument("--lr", type=cli.positive_real, default=None,
                        help="Adam step size (0.01 universality, 0.003 baselines)")  # fmt: skip
    parser.add_argument("--no-plots", action="store_true", help="write no figures")
    parser.add_argument("--out", type=cli.output_file, default=None,
                        help="JSON file (default benchmarks/results/shallow.json)")  # fmt: skip
    args = parser.parse_args(argv)
    for flag in ("--groups", "--ms", "--sizes", "--seeds", "--methods"):
        cli.reject_duplicates(parser, flag, getattr(args, flag[2:].replace("-", "_")))
    if args.out is None:
        args.out = cli.default_output_file(parser, "benchmarks/results/shallow.json")
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see the module docstring); returns the records."""
    args = parse_args(argv)
    parts = PARTS if args.part == "all" else (args.part,)
    records: list[dict] = []
    if "table" in parts:
        found = table_records()
        print(format_table(found), flush=True)
        records += found
    if "universality" in parts:
        print(f"\n{UNIVERSALITY_HEADER}\n{'-' * len(UNIVERSALITY_HEADER)}", flush=True)
        found = universality_records(
            args.groups, args.ms, n_train=args.n_train, steps=args.steps or 3000,
            lr=args.lr or 0.01, seed=args.seeds[0],
        )  # fmt: skip
        records += found
        if not args.no_plots:
            plot_universality(found, args.out.parent / "shallow_universality.png")
    if "baselines" in parts:
        print(f"\n{BASELINE_HEADER}\n{'-' * len(BASELINE_HEADER)}", flush=True)
        found = baseline_records(
            args.groups, args.sizes, args.seeds, args.methods, channels=args.channels,
            num_layers=args.num_layers, steps=args.steps or 2000, lr=args.lr or 0.003,
        )  # fmt: skip
        records += found
        if not args.no_plots:
            plot_baselines(found, args.out.parent / "shallow_baselines.png")
    records = write_records(args.out, records, indent=2)
    return records


if __name__ == "__main__":
    main()
