"""The equivariant route to addition mod p: exact ``C_p × C_p`` symmetry against an MLP.

``G = C_p × C_p`` acts on a pair of digits by ``(s, t): (a, b) -> (a + s, b + t)`` and on
the answer ``c = a + b`` through the homomorphism ``(s, t) -> s + t``. Inputs are the two
one-hot digits, ``V_a + V_b`` (the regular representations of the two factors, lifted to
``G``); the ``p`` logits over ``c`` are the regular representation of ``C_p`` pulled back
along the sum (`emlp_core.custom.pullback`). The EMLP has one block with the hidden
representation ``V_a + V_b + V_a ⊗ V_b``: its bilinear layer forms the product of an
``a``-copy and a ``b``-copy, and ``Hom(V_a ⊗ V_b, V_c)`` (``p`` maps) holds the
convolution that reads ``c = a + b`` off it. The baseline is `layers.core.mlp_plan` (ReLU
hidden layers) on the same inputs.

What to expect, and why: ``G`` acts simply transitively on the ``p^2`` pairs, so an
equivariant model's logits at any pair are its logits at ``(0, 0)`` shifted by ``a + b``.
One training pair fixes the whole function; what an equivariant model must learn is to put
the largest logit in the right place once. The MLP has to learn every pair.

Protocol: AdamW with the transformer's betas ``(0.9, 0.98)``, weight decay 1.0 and a
10-step warm-up (`benchmarks.modular_model`), at ``lr = 3e-3`` (the paper's ``1e-3`` barely
moves the EMLP, whose logits are products of three small weights, in a few hundred steps);
mini-batches of ``batch`` pairs (the whole training set when smaller) drawn without
replacement per epoch from the seed; the same number of steps for both models, plus a
``long`` MLP run with 25 times the steps, so the MLP is not merely under-trained. Training
splits are `benchmarks.modular_model.modular_data` (the transformer's), ``int(frac * p^2)``
pairs; test accuracy is on all other pairs.

Usage::

    python -m benchmarks.modular_equivariant             # p = 113, fractions 1-30 %, 3 seeds
    python -m benchmarks.modular_equivariant --quick     # p = 13, one seed: seconds
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from benchmarks import cli
from benchmarks.machine import machine_info
from benchmarks.modular_model import ModularData, cross_entropy, modular_data, training_size
from emlp_core import V
from emlp_core.custom import pullback
from groups import GroupElement, Z
from groups.checks import check_int, check_real
from layers.core import emlp_apply, emlp_init, emlp_plan, mlp_apply, mlp_init, mlp_plan
from layers.equivariance import equivariance_error
from layers.training import train

__all__ = ["RouteConfig", "addition_reps", "one_hot_pairs", "train_route", "run_routes", "main"]

FRACTIONS = (0.01, 0.03, 0.1, 0.3)
MODELS = ("emlp", "mlp", "mlp_long")
_EVAL_CHUNK = 2048  # pairs per evaluation call
QUICK = {"p": 13, "fractions": (0.05, 0.3), "seeds": 1, "steps": 60}


@dataclass(frozen=True)
class RouteConfig:
    """Training settings shared by the EMLP and the MLP (see the module docstring)."""

    p: int = 113
    steps: int = 400
    batch: int = 128
    lr: float = 3e-3
    weight_decay: float = 1.0
    betas: tuple = (0.9, 0.98)
    warmup_steps: int = 10
    mlp_width: int = 512
    mlp_layers: int = 2
    long_factor: int = 25

    def __post_init__(self):
        check_int(self.steps, "steps", minimum=1, where="RouteConfig")
        check_int(self.batch, "batch", minimum=1, where="RouteConfig")
        check_int(self.long_factor, "long_factor", minimum=1, where="RouteConfig")
        check_real(self.lr, "lr", above=0, where="RouteConfig")
        check_real(self.weight_decay, "weight_decay", minimum=0, where="RouteConfig")


def addition_reps(p: int):
    """``(group, rep_in, rep_out, hidden)`` for addition mod ``p`` (module docstring).

    Example:
        >>> group, rep_in, rep_out, hidden = addition_reps(5)
        >>> rep_in.size(), rep_out.size(), hidden.size()
        (10, 5, 35)
    """
    factor = Z(p)
    group = factor * factor
    shift = GroupElement.generator(factor, 0)
    answer = pullback(V(factor), group, discrete=[shift, shift], name="sum")
    digit_a, digit_b = V.lift(group, 0), V.lift(group, 1)
    return group, (digit_a + digit_b)(group), answer, (digit_a + digit_b + digit_a * digit_b)(group)


def one_hot_pairs(tokens: np.ndarray, p: int) -> np.ndarray:
    """``(n, 2p)`` float32: the one-hot ``a`` then the one-hot ``b`` of ``tokens (n, >= 2)``.

    Example:
        >>> one_hot_pairs(np.array([[1, 2, 3]]), 3).tolist()
        [[0.0, 1.0, 0.0, 0.0, 0.0, 1.0]]
    """
    x = np.zeros((len(tokens), 2 * p), np.float32)
    rows = np.arange(len(tokens))
    x[rows, tokens[:, 0]] = 1.0
    x[rows, p + tokens[:, 1]] = 1.0
    return x


def _model(kind: str, config: RouteConfig):
    group, rep_in, rep_out, hidden = addition_reps(config.p)
    if kind == "emlp":
        plan = emlp_plan(rep_in, rep_out, group, ch=[hidden], num_layers=1)
        return plan, emlp_init, emlp_apply, (group, rep_in, rep_out)
    plan = mlp_plan(rep_in, rep_out, group, ch=config.mlp_width, num_layers=config.mlp_layers)
    return plan, mlp_init, mlp_apply, None


def train_route(kind: str, data: ModularData, config: RouteConfig, seed: int = 0) -> dict:
    """Trains one model on ``data.train``; returns accuracies, losses, size and time.

    Args:
        kind: ``"emlp"``, ``"mlp"`` or ``"mlp_long"`` (``config.long_factor`` times the
            steps).
        data: a split from `benchmarks.modular_model.modular_data` for ``config.p``.
        config: the training settings.
        seed: initialisation and batch order.
    """
    if kind not in MODELS:
        raise ValueError(f"kind must be one of {MODELS}; got {kind!r}.")
    if data.train_mask.shape != (config.p, config.p):
        raise ValueError(
            f"data is a split of the {data.train_mask.shape[0]}^2 pairs but config.p = "
            f"{config.p}; make both with the same p."
        )
    steps = config.steps * (config.long_factor if kind == "mlp_long" else 1)
    plan, init, apply, equivariance = _model("emlp" if kind == "emlp" else "mlp", config)
    x = jnp.asarray(one_hot_pairs(data.tokens, config.p))
    y = jnp.asarray(data.labels)
    params = init(plan, jax.random.PRNGKey(seed))

    def schedule(count):
        return config.lr * jnp.minimum((count + 1) / config.warmup_steps, 1.0)

    optimizer = optax.adamw(
        schedule, b1=config.betas[0], b2=config.betas[1], weight_decay=config.weight_decay
    )

    @jax.jit
    def evaluate(params, index, weight):
        """Weighted sums of the per-pair loss and of the correct answers."""
        logits = apply(plan, params, x[index])
        losses = jax.vmap(lambda row, label: cross_entropy(row[None], label[None]))(
            logits, y[index]
        )
        correct = jnp.argmax(logits, -1) == y[index]
        return jnp.sum(weight * losses), jnp.sum(weight * correct)

    size = min(config.batch, len(data.train))
    run = train(
        lambda q, xb, yb: cross_entropy(apply(plan, q, xb), yb),
        params,
        (np.asarray(x)[data.train], np.asarray(y)[data.train]),
        optimizer=optimizer,
        epochs=-(-steps // (len(data.train) // size)),
        batch_size=size,
        max_steps=steps,
        seed=seed,
        evaluations=1,
        progress=False,
    )
    params, seconds = run.params, run.seconds
    result = {"model": kind, "steps": steps, "seconds": seconds, "num_params": _count(params)}
    chunk = min(_EVAL_CHUNK, max(len(data.train), len(data.test)))  # one compiled shape
    for part, index in (("train", data.train), ("test", data.test)):
        padded = -(-len(index) // chunk) * chunk
        weight = np.zeros(padded, np.float32)
        weight[: len(index)] = 1.0
        index = np.concatenate([index, np.zeros(padded - len(index), index.dtype)])
        totals = np.zeros(2)
        for start in range(0, padded, chunk):
            part_index = jnp.asarray(index[start : start + chunk], jnp.int32)
            totals += [
                float(v) for v in evaluate(params, part_index, weight[start : start + chunk])
            ]
        loss, accuracy = totals / weight.sum()
        result[f"{part}_loss"], result[f"{part}_acc"] = float(loss), float(accuracy)
    if equivariance is not None:
        group, rep_in, rep_out = equivariance
        probe = np.asarray(x[: min(16, len(x))])
        compiled = jax.jit(lambda v: apply(plan, params, v))
        result["equivariance_error"] = float(
            equivariance_error(compiled, rep_in, rep_out, group, x=probe)
        )
    return result


def _count(params) -> int:
    return int(sum(np.size(leaf) for leaf in jax.tree_util.tree_leaves(params)))


def run_routes(
    config: RouteConfig, fractions=FRACTIONS, seeds: int = 3, progress: bool = True
) -> list[dict]:
    """Every model, fraction and seed ``0 .. seeds - 1``: one row each (`train_route`)."""
    rows = []
    for frac in fractions:
        for seed in range(seeds):
            data = modular_data(config.p, frac, seed)
            for kind in MODELS:
                row = {"frac": frac, "seed": seed, "n_train": len(data.train)}
                row |= train_route(kind, data, config, seed)
                rows.append(row)
                if progress:
                    print(_format_row(row), flush=True)
    return rows


def _format_row(row: dict) -> str:
    return (
        f"frac {row['frac']:.2f} seed {row['seed']} {row['model']:>8}: train acc "
        f"{row['train_acc']:.3f}, test acc {row['test_acc']:.3f}, test loss "
        f"{row['test_loss']:.3f}, {row['steps']} steps in {row['seconds']:.1f} s"
    )


def summary_table(rows: list[dict], transformer: dict | None = None) -> list[dict]:
    """Mean and spread of test accuracy per model and fraction (and the transformer's)."""
    table = []
    for frac in sorted({row["frac"] for row in rows}):
        entry = {"frac": frac, "n_train": rows[[r["frac"] for r in rows].index(frac)]["n_train"]}
        for kind in MODELS:
            accuracy = [r["test_acc"] for r in rows if r["frac"] == frac and r["model"] == kind]
            if accuracy:
                entry[kind] = {"mean": float(np.mean(accuracy)), "min": float(np.min(accuracy)),
                               "max": float(np.max(accuracy)), "seeds": len(accuracy)}  # fmt: skip
        if transformer is not None and abs(transformer["frac"] - frac) < 1e-12:
            entry["transformer"] = {"mean": transformer["test_acc"], "seeds": 1,
                                    "steps": transformer["steps"]}  # fmt: skip
        table.append(entry)
    return table


def format_table(table: list[dict]) -> str:
    """The sample-efficiency table as text (mean test accuracy, [min, max] over seeds)."""
    columns = ("emlp", "mlp", "mlp_long", "transformer")
    lines = [f"{'frac':>6}{'pairs':>7}" + "".join(f"{c:>22}" for c in columns)]
    for entry in table:
        cells = []
        for c in columns:
            cell = entry.get(c)
            if cell is None:
                cells.append(f"{'-':>22}")
            elif "min" in cell:
                cells.append(f"{cell['mean']:>8.3f} [{cell['min']:.3f},{cell['max']:.3f}]")
            else:
                cells.append(f"{cell['mean']:>22.3f}")
        lines.append(f"{entry['frac']:>6.2f}{entry['n_train']:>7}" + "".join(cells))
    return "\n".join(lines)


def _transformer_record(path) -> dict | None:
    """The grokking run's final test accuracy, if `benchmarks.modular` wrote one for p."""
    try:
        records = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    for record in records if isinstance(records, list) else []:
        if record.get("benchmark") == "modular" and record.get("part") == "transformer":
            config, final = record["config"], record["final"]
            return {"p": config["p"], "frac": config["frac"], "test_acc": final["test_acc"],
                    "steps": record["steps_run"]}  # fmt: skip
    return None


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.modular_equivariant",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--p", type=cli.integer_in_range(3), default=None,
                        help="the modulus, an odd prime (default 113; --quick 13)")  # fmt: skip
    parser.add_argument("--fractions", type=cli.positive_real, nargs="+", default=None,
                        help="training fractions (default 0.01 0.03 0.1 0.3)")  # fmt: skip
    parser.add_argument("--seeds", type=cli.positive_int, default=None, help="seeds 0..n-1 (3)")
    parser.add_argument("--steps", type=cli.positive_int, default=None,
                        help="steps of the EMLP and the MLP (400; the long MLP 25x)")  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="p = 13, one seed, 60 steps (long MLP 3x): seconds"
    )
    parser.add_argument("--no-progress", action="store_true", help="print no rows")
    parser.add_argument("--no-plots", action="store_true", help="write no figure")
    parser.add_argument("--figures", type=cli.output_directory, default=None,
                        help="figure directory (default benchmarks/figures)")  # fmt: skip
    parser.add_argument("--out", type=cli.output_file, default=None,
                        help="JSON file (default in benchmarks/results)")  # fmt: skip
    parser.add_argument("--transformer", type=cli.input_file, default=None,
                        help="the transformer's JSON (results/modular.json)")  # fmt: skip
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"p": 113, "fractions": FRACTIONS, "seeds": 3, "steps": 400}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    from analysis.modular import check_prime

    try:
        check_prime(args.p)
    except ValueError as error:
        parser.error(f"argument --p: {error}")
    cli.reject_duplicates(parser, "--fractions", args.fractions)
    for frac in args.fractions:
        try:
            training_size(args.p, frac)
        except ValueError as error:
            parser.error(f"argument --fractions: {error}")
    return cli.fill_default_outputs(parser, args, "modular_equivariant")


def main(argv=None) -> dict:
    """Runs the command line ``argv`` (see the module docstring); returns the record."""
    from pathlib import Path

    args = parse_args(argv)
    config = RouteConfig(p=args.p, steps=args.steps, long_factor=3 if args.quick else 25)
    rows = run_routes(config, tuple(args.fractions), args.seeds, progress=not args.no_progress)
    path = args.transformer or Path("benchmarks/results/modular.json")
    transformer = _transformer_record(Path(path))
    if transformer is not None and transformer["p"] != args.p:
        transformer = None
    table = summary_table(rows, transformer)
    print(format_table(table))
    record = {"benchmark": "modular", "part": "equivariant", "config": asdict(config),
              "rows": rows, "table": table, "machine": machine_info()}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([record], indent=1))  # a list of records, as modular.json
    print(f"wrote {args.out}")
    if not args.no_plots:
        from benchmarks.modular_plots import plot_route

        args.figures.mkdir(parents=True, exist_ok=True)
        print(f"wrote {plot_route(record, args.figures)}")
    return record


if __name__ == "__main__":
    main()
