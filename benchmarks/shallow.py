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
   only the invariant projection of ``x`` and stalls. Training MSE against ``m``.
3. ``baselines``: the sum of every accepted architecture (``InvariantShallow(G,
   channels)``) against `layers.EMLP` (``V -> Scalar``) and `layers.MLP` (``--num-layers``
   hidden layers), their widths chosen so that their parameter counts are closest to the
   G-SNN's, trained on the same kind of invariant targets by full-batch Adam
   (`train_full_batch`: ``--steps`` steps in one compiled scan, the parameters of the best
   validation MSE; `benchmarks.training.fit` compiles five programs per run, and its input
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
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks import cli
from benchmarks.machine import machine_info
from benchmarks.paper_reference import GSNN_COUNTS, GSNN_PAPER

PARTS = ("table", "universality", "baselines")
METHODS = ("gsnn", "emlp", "mlp")
DEMO_GROUPS = ("D4", "C8")
"""D4 on the 4 corners of a square (`emlp_core.shallow.paper_groups`), C8 on 8 points."""
CONVENTIONS = {"merged": True, "authors": False}
"""Convention name -> ``merge_conjugate_kernels``."""
TEACHER_WIDTH = 16
REFERENCE_POINTS = 4096
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


# ----------------------------------------------------------------------- targets
def invariant_teacher(group, seed: int, width: int = TEACHER_WIDTH):
    """A random G-invariant target ``x (n, d) -> y (n, 1)``, float64, unit variance.

    ``f(x) = mean_g t(rho(g) x)`` for a random ReLU network ``t(x) = sum_j a_j ReLU(<u_j,
    x> + c_j)`` of ``width`` units; shifted and scaled to mean 0 and variance 1 on
    `REFERENCE_POINTS` standard normal inputs.
    """
    rng = np.random.default_rng([seed, 1])
    d = group.d
    u = rng.standard_normal((width, d)) / np.sqrt(d)
    c = 0.5 * rng.standard_normal(width)
    a = rng.standard_normal(width) / np.sqrt(width)
    mats = group.elements()

    def raw(x):
        moved = np.einsum("gij,nj->gni", mats, x)
        return (np.maximum(moved @ u.T + c, 0.0) @ a).mean(0)

    ref = raw(np.random.default_rng([seed, 2]).standard_normal((REFERENCE_POINTS, d)))
    mean, std = ref.mean(), ref.std()
    return lambda x: ((raw(x) - mean) / std)[:, None]


def invariant_data(group, teacher, n: int, seed: int, split: int):
    """``n`` standard normal inputs (float32) and the teacher's targets, as `RegressionData`."""
    from benchmarks.datasets import RegressionData
    from emlp_core import Scalar, V

    x = np.random.default_rng([seed, 3, split]).standard_normal((n, group.d))
    return RegressionData(
        x.astype(np.float32),
        teacher(x).astype(np.float32),
        group,
        V(group),
        Scalar(group),
        (V, Scalar),
    )


# ----------------------------------------------------------------- part 2: universality
def _type1(group, order: int):
    """The accepted type-1 architecture whose subgroup has ``order`` elements (1 or |G|)."""
    from emlp_core.shallow import enumerate_invariant_shallow

    for a in enumerate_invariant_shallow(group):
        if a.type == 1 and a.accepted and a.subgroup.order == order:
            return a
    raise ValueError(f"{group!r} has no accepted type-1 architecture with |H| = {order}.")


def haiku_model(kind: str, group_or_architecture, width: int, num_layers: int = 1):
    """The Haiku ``(init, apply)`` of a G-SNN (``gsnn``: `InvariantShallow` of a group or an
    architecture, ``width`` channels), `layers.EMLP` or `layers.MLP` (``V -> Scalar``, ``ch =
    width``)."""
    import haiku as hk

    from emlp_core import Scalar, V
    from layers import EMLP, MLP
    from layers.shallow_haiku import InvariantShallow

    def forward(z):
        if kind == "gsnn":
            return InvariantShallow(group_or_architecture, channels=width)(z)
        group = group_or_architecture
        cls = EMLP if kind == "emlp" else MLP
        return cls(V(group), Scalar(group), group, ch=width, num_layers=num_layers)(z)

    return hk.without_apply_rng(hk.transform(forward))


def train_full_batch(model, train, *, steps: int, lr: float, seed: int, val=None, test=None,
                     elements=None) -> dict:  # fmt: skip
    """Full-batch Adam on ``train = (x, y)``, every step in one compiled `jax.lax.scan`.

    With ``val``, the parameters of the best validation MSE (measured before every step
    and after the last) are kept, else the last ones. Returns ``{"initial_mse",
    "train_mse", "params"}`` and with ``val`` ``"best_val_mse"``, with ``test``
    ``"test_mse"``, with ``elements`` (``(|G|, d, d)`` matrices) ``"equivariance_error"``:
    ``max_g |f(rho(g) x) - f(x)|`` over the test (else training) inputs.
    """
    import jax
    import jax.numpy as jnp
    import optax

    def arrays(split):
        return None if split is None else tuple(jnp.asarray(a, jnp.float32) for a in split)

    train, val, test = arrays(train), arrays(val), arrays(test)
    optimizer = optax.adam(lr)

    def mse(p, split):
        return jnp.mean((model.apply(p, split[0]) - split[1]) ** 2)

    # eager: its many small random draws compile once per shape, not once per training set
    params = model.init(jax.random.PRNGKey(seed), train[0][:1])

    @jax.jit
    def run(p0):  # training and evaluation: one compilation
        def body(carry, _):
            p, state, best, best_val = carry
            if val is not None:
                value = mse(p, val)
                better = value < best_val
                best = jax.tree.map(lambda a, b: jnp.where(better, a, b), p, best)
                best_val = jnp.minimum(value, best_val)
            loss, grads = jax.value_and_grad(mse)(p, train)
            updates, state = optimizer.update(grads, state, p)
            return (optax.apply_updates(p, updates), state, best, best_val), loss

        init = (p0, optimizer.init(p0), p0, jnp.inf)
        (p, _, best, best_val), losses = jax.lax.scan(body, init, None, length=steps)
        out = {"initial_mse": mse(p0, train), "min_loss": jnp.min(losses)}
        if val is not None:
            last = mse(p, val)
            p = jax.tree.map(lambda a, b: jnp.where(last < best_val, a, b), p, best)
            out["best_val_mse"] = jnp.minimum(last, best_val)
        out["train_mse"] = mse(p, train)
        if test is not None:
            out["test_mse"] = mse(p, test)
        if elements is not None:
            x = (test or train)[0]
            moved = jnp.einsum("gij,nj->gni", jnp.asarray(elements, jnp.float32), x)
            outputs = jax.vmap(lambda z: model.apply(p, z))(moved)
            out["equivariance_error"] = jnp.max(jnp.abs(outputs - model.apply(p, x)))
        return p, out

    params, out = run(params)
    result = {k: float(v) for k, v in out.items()}
    if val is None:  # the last parameters, or the smallest loss seen during training
        result["train_mse"] = min(result["train_mse"], result.pop("min_loss"))
    else:
        result.pop("min_loss")
    return result | {"params": params}


def universality_records(
    groups=DEMO_GROUPS, ms=(1, 2, 4, 8, 16, 32, 64), *, n_train=256, steps=3000, lr=0.01, seed=0
) -> list[dict]:
    """Training MSE of the regular (``H = {e}``) and invariant-only (``H = G``) models."""
    from layers.shallow import shallow_plan

    records = []
    for name in groups:
        group = demo_group(name)
        data = invariant_data(group, invariant_teacher(group, seed), n_train, seed, 0)
        models = {"regular": _type1(group, 1), "invariant": _type1(group, int(group.order()))}
        for model, arch in models.items():
            for m in ms:
                start = time.perf_counter()
                fitted = train_full_batch(
                    haiku_model("gsnn", arch, m), (data.x, data.y), steps=steps, lr=lr, seed=seed
                )
                record = {
                    "benchmark": "shallow", "part": "universality", "group": name,
                    "d": group.d, "order": int(group.order()), "model": model,
                    "architecture": arch.name, "m": m, "hidden_units": m * arch.width,
                    "params": shallow_plan(arch, m).num_params(), "n_train": n_train,
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
def _num_params(kind: str, group, width: int, num_layers: int) -> int:
    import haiku as hk
    import jax
    import jax.numpy as jnp

    from emlp_core import Scalar, V
    from layers import EMLP, MLP
    from layers.core import tree_size

    cls = EMLP if kind == "emlp" else MLP
    model = hk.transform(
        lambda z: cls(V(group), Scalar(group), group, ch=width, num_layers=num_layers)(z)
    )
    shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.ones((1, group.d)))
    return int(tree_size(shapes))


def matched_width(kind: str, group, target: int, num_layers: int, largest: int = 1024) -> int:
    """The ``ch`` of an EMLP or MLP whose parameter count is closest to ``target``.

    Doubles ``ch`` from 1 until the count reaches ``target`` (at most ``largest``), then
    bisects: few models are built, and only small ones for a small target.
    """
    count = {}

    def params(ch):
        if ch not in count:
            count[ch] = _num_params(kind, group, ch, num_layers)
        return count[ch]

    hi = 1
    while hi < largest and params(hi) < target:
        hi = min(2 * hi, largest)
    lo = max(1, hi // 2)
    while lo < hi:  # the smallest ch in [lo, hi] with params(ch) >= target (or hi)
        mid = (lo + hi) // 2
        if params(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    if lo == 1:
        return 1
    return lo if abs(params(lo) - target) <= abs(target - params(lo - 1)) else lo - 1


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
        for seed in seeds:
            teacher = invariant_teacher(group, seed)
            val = invariant_data(group, teacher, n_val, seed, 1)
            test = invariant_data(group, teacher, n_test, seed, 2)
            for n in sizes:
                train = invariant_data(group, teacher, n, seed, 0)
                for kind in methods:
                    start = time.perf_counter()
                    model = haiku_model(kind, group, widths[kind], num_layers)
                    fitted = train_full_batch(
                        model, (train.x, train.y), steps=steps, lr=lr, seed=seed,
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


# ----------------------------------------------------------------------- plots
def plot_universality(records: list[dict], path: Path) -> None:
    """Training MSE against ``m`` (log-log), one panel per group, one line per model."""
    from benchmarks.plots import _pyplot

    plt = _pyplot()
    names = list(dict.fromkeys(r["group"] for r in records))
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names, strict=False):
        for model, label in (
            ("regular", "m x regular (H = {e})"),
            ("invariant", "invariant only (H = G)"),
        ):
            rows = sorted((r["m"], r["train_mse"]) for r in records
                          if r["group"] == name and r["model"] == model)  # fmt: skip
            if rows:
                ax.plot([r[0] for r in rows], [r[1] for r in rows], "-o", label=label)
        ax.set(xscale="log", yscale="log", xlabel="m (copies)", ylabel="training MSE",
               title=f"{name}: invariant teacher")  # fmt: skip
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_baselines(records: list[dict], path: Path) -> None:
    """Test MSE against N (log-log), one panel per group, mean over seeds, min-max band."""
    from benchmarks.plots import _pyplot

    plt = _pyplot()
    names = list(dict.fromkeys(r["group"] for r in records))
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names, strict=False):
        for k, method in enumerate(METHODS):
            runs = defaultdict(list)
            for r in records:
                if r["group"] == name and r["method"] == method:
                    runs[r["n_train"]].append(r["test_mse"])
            if not runs:
                continue
            sizes = sorted(runs)
            params = next(
                r["params"] for r in records if r["group"] == name and r["method"] == method
            )
            ax.plot(sizes, [np.mean(runs[n]) for n in sizes], "-o", color=f"C{k}",
                    label=f"{method} ({params} params)")  # fmt: skip
            ax.fill_between(sizes, [min(runs[n]) for n in sizes], [max(runs[n]) for n in sizes],
                            color=f"C{k}", alpha=0.2)  # fmt: skip
        ax.set(xscale="log", yscale="log", xlabel="training set size N", ylabel="test MSE",
               title=f"{name}: invariant teacher")  # fmt: skip
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


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
    machine = machine_info()
    records = [r | {"machine": machine} for r in records]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2))
    print(f"wrote {args.out}")
    return records


if __name__ == "__main__":
    main()
