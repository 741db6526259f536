"""Symmetry-constrained classifiers of handwritten digits against the MLP, with augmentation.

Bergman ("Symmetry constrained machine learning", IntelliSys 2019, arXiv 1811.07051)
reports that building a symmetry into a bias-free network for the UCI 8x8 digits avoids
over-fitting and needs less data. This benchmark asks the same question of this toolkit's
models on scikit-learn's 1,797-image part of that set (`benchmarks.digits_models`).

Symmetries (``--symmetry``, default all three):

* ``none``: the plain ReLU MLP (``mlp``), no constraint.
* ``translations``: the 64 cyclic translations of the 8x8 torus (``ZksZnxZn(1, 8)``),
  exactly built into ``regular`` (`layers.regular`), ``emlp`` (`layers.core`) and ``gsnn``
  (every invariant shallow architecture), and taught to ``mlp_aug`` by augmentation.
  This is an assumption about the data, not a fact: the digits are centred in their
  frame, and a cyclic shift wraps strokes from one edge to the other, so a translated
  image is often not a plausible digit. ``translated_test_acc`` measures how much the
  unconstrained models rely on position.
* ``scaling``: intensity scaling ``x -> c x``, ``c > 0``: a darker or lighter digit is
  the same digit. A ReLU network without biases is positively homogeneous, so its
  predicted class is invariant; ``scaling`` adds the bias-free variant of every model
  (``emlp``'s gates and bilinear layer are not homogeneous: its bias-free variant is
  reported but has no scaling symmetry).

Protocol: a fixed class-balanced test set of 497 images; training sets of ``--sizes``
images drawn per seed, class-balanced, from the other 1,300. Adam (``--lr``),
``--steps`` steps on mini-batches of ``min(--batch, n)`` images (epochs of a seeded
permutation), softmax cross-entropy, no early stopping and no weight decay: the last
parameters are evaluated, so over-fitting shows as a train-test gap. Training runs in
`layers.training.train` (``compiled=True``: the steps in one ``lax.scan``, batches
gathered on the device), the loop every benchmark uses; ``mlp_aug`` translates each image
of a batch inside the loss, with the loop's per-step key. With fewer images than
``--batch`` each batch is the whole training set, permuted (before the shared loop, it
was padded to ``--batch`` rows of weight 0, and ``mlp_aug`` drew ``--batch``
translations per step rather than ``n``: its results at those sizes differ from then).

Usage::

    python -m benchmarks.digits                  # sizes 50..1000, 5 seeds, all models
    python -m benchmarks.digits --quick          # two tiny sizes, one seed: seconds
    python -m benchmarks.digits --symmetry none translations --sizes 50 200 --seeds 0 1

JSON (``--out``, default ``benchmarks/results/digits.json``; with ``--quick``
``digits_quick.json``) is a list of records with ``benchmark: "digits"``, ``model``,
``biases``, ``symmetries`` (exact by construction), ``n_train``, ``seed``, ``steps``,
``batch``, ``lr``, ``width``, ``num_params``, ``train_acc``, ``test_acc``, ``gap``
(train minus test accuracy), ``train_loss``, ``test_loss``, ``translated_test_acc`` (test
images under one random cyclic translation each), ``translation_error`` (relative error of
the logits under 5 sampled translations, `layers.equivariance.equivariance_error`),
``scaling_error`` (``|f(2.5 x) - 2.5 f(x)| / |2.5 f(x)|``), ``train_seconds`` (the
training loop's wall time, its compilation included), ``compile_seconds`` (null: the
loop compiles inside and is not timed apart) and ``machine``. The figure ``digits.png``
(test accuracy and gap against training size) goes to ``--figures`` (default
``benchmarks/figures``; with ``--quick`` beside ``--out``).
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks import cli
from benchmarks.digits_models import MODELS, N_POOL, N_TEST, build_model, translation_indices

__all__ = ["SYMMETRIES", "plan_runs", "train_model", "run", "format_table", "main"]

SYMMETRIES = ("none", "translations", "scaling")
SIZES = (50, 100, 200, 500, 1000)
QUICK = {"sizes": [20, 40], "seeds": [0], "steps": 60}
FAMILIES = {"none": ("mlp",), "translations": ("regular", "emlp", "gsnn", "mlp_aug")}


def plan_runs(symmetries, models=MODELS) -> list[tuple[str, bool]]:
    """``(model, biases)`` pairs the symmetry names ask for, restricted to ``models``.

    Example:
        >>> plan_runs(["none", "scaling"])
        [('mlp', True), ('mlp', False)]
        >>> plan_runs(["rotations"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        ValueError: unknown symmetry 'rotations'; expected names from ('none', ...
    """
    for name in symmetries:
        if name not in SYMMETRIES:
            raise ValueError(f"unknown symmetry {name!r}; expected names from {SYMMETRIES}")
    chosen = [m for s in symmetries for m in FAMILIES.get(s, ())] or ["mlp"]
    biases = [True] if set(symmetries) - {"scaling"} else []
    biases += [False] if "scaling" in symmetries else []
    names = [m for m in MODELS if m in chosen and m in models]
    return [(m, b) for m in names for b in biases]


def _loss(model, gathers: np.ndarray):
    """``loss(params, x, y, *, key)``: mean softmax cross-entropy of one batch.

    For ``model.augment`` every image of the batch is first moved by its own random cyclic
    translation, ``randint(key, (len(x),), 0, 64)`` rows of ``gathers``; the key is
    `layers.training.train`'s ``fold_in(key, step)``, so each step draws new translations.
    """
    import optax

    gathers = jnp.asarray(gathers)

    def loss(params, x, y, *, key):
        if model.augment:
            g = jax.random.randint(key, (len(x),), 0, len(gathers))
            x = jnp.take_along_axis(x, gathers[g], axis=1)
        logits = model.apply(params, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    return loss


def train_model(model, split, train, group, *, steps: int, lr: float = 3e-3, batch: int = 128,
                seed: int = 0, cache: dict | None = None) -> dict:  # fmt: skip
    """Trains ``model`` on the pool images ``train`` (indices, `training_indices`).

    Training is `layers.training.train` with ``compiled=True`` (all ``steps`` Adam steps in
    one ``lax.scan``, batches gathered on the device): epochs of
    ``default_rng((seed, 2)).permutation(len(train))`` cut into ``len(train) // b`` batches
    of ``b = min(batch, len(train))`` images, stopped after ``steps`` steps; the random
    translations of ``mlp_aug`` come from ``fold_in(PRNGKey(seed + 1), step)``. With
    fewer images than ``batch`` every batch is the whole (permuted) set.

    Returns accuracies, losses, symmetry errors and times (module docstring).
    ``train_seconds`` is the loop's wall time, compilation included (the loop compiles
    its program inside; ``compile_seconds`` is None: not measured separately). ``cache``
    (a dict kept across calls for one model) holds the loss, optimizer, prediction program
    and reps; the same loss and optimizer objects let the loop reuse its compiled training
    program for every seed of a size.
    """
    import optax

    from emlp_core import Scalar, V
    from layers.equivariance import equivariance_error
    from layers.training import train as train_loop

    cache = {} if cache is None else cache
    indices = translation_indices(group)
    if "predict" not in cache:
        cache["predict"] = jax.jit(model.apply)
        cache["reps"] = (V(group), (10 * Scalar)(group))
        cache["loss"] = _loss(model, indices)
    train = np.asarray(train)
    per_epoch = len(train) // min(batch, len(train))
    result = train_loop(
        cache["loss"],
        model.init(jax.random.PRNGKey(seed)),
        (split.pool_x[train], split.pool_y[train]),
        optimizer=cache.setdefault(("adam", lr), optax.adam(lr)),
        epochs=-(-steps // per_epoch),
        batch_size=batch,
        max_steps=steps,
        seed=(seed, 2),
        evaluations=1,
        key=jax.random.PRNGKey(seed + 1),
        compiled=True,
        progress=False,
    )
    params = jax.block_until_ready(result.params)

    def logits(images):
        return np.asarray(cache["predict"](params, jnp.asarray(images)))

    test_x, test_y = split.test_x, split.test_y
    moves = np.random.default_rng([seed, 3]).integers(0, len(indices), len(test_y))
    moved = np.take_along_axis(test_x, indices[moves], axis=1)
    probe = test_x[:32]
    every = logits(np.concatenate([split.pool_x, test_x, moved, 2.5 * probe]))  # one shape
    pool, test, moved_out, scaled_out = np.split(every, np.cumsum([N_POOL, N_TEST, N_TEST]))
    record = {}
    for part, out, labels in (("train", pool[train], split.pool_y[train]),
                              ("test", test, test_y)):  # fmt: skip
        record[f"{part}_acc"] = float(np.mean(out.argmax(1) == labels))
        record[f"{part}_loss"] = float(
            optax.softmax_cross_entropy_with_integer_labels(out, labels).mean()
        )
    record["gap"] = record["train_acc"] - record["test_acc"]
    record["translated_test_acc"] = float(np.mean(moved_out.argmax(1) == test_y))
    record["translation_error"] = float(
        equivariance_error(logits, *cache["reps"], group, x=probe, n_samples=5)
    )
    scaled = 2.5 * test[:32]
    record["scaling_error"] = float(np.linalg.norm(scaled_out - scaled) / np.linalg.norm(scaled))
    return record | {"compile_seconds": None, "train_seconds": result.seconds}


def run(args, progress: bool = True) -> list[dict]:
    """Every planned model, bias setting, size and seed of ``args`` (`parse_args`)."""
    from benchmarks.digits_models import digits_split, training_indices, translations

    split, group = digits_split(), translations()
    records = []
    for name, biases in plan_runs(args.symmetry, args.models):
        model = build_model(name, biases, width=args.width, copies=args.copies, group=group)
        cache: dict = {}
        for size in args.sizes:
            for seed in args.seeds:
                train = training_indices(split, size, seed)
                record = {"benchmark": "digits", "model": name, "biases": biases,
                          "symmetries": list(model.symmetries), "n_train": size, "seed": seed,
                          "steps": args.steps, "batch": args.batch, "lr": args.lr,
                          "width": model.width, "num_params": model.num_params()}  # fmt: skip
                record |= train_model(model, split, train, group, steps=args.steps, lr=args.lr,
                                      batch=args.batch, seed=seed, cache=cache)  # fmt: skip
                records.append(record)
                if progress:
                    print(_format_row(record), flush=True)
    return records


def _label(r: dict) -> str:
    return f"{r['model']}{'' if r['biases'] else ' (no bias)'}"


def _format_row(r: dict) -> str:
    return (
        f"{_label(r):<20} n={r['n_train']:<5} seed {r['seed']}: train {r['train_acc']:.3f} "
        f"test {r['test_acc']:.3f} shifted {r['translated_test_acc']:.3f}, "
        f"{r['num_params']} params, {r['train_seconds']:.2f} s (compilation included)"
    )


def format_table(records: list[dict]) -> str:
    """Mean test accuracy and train-test gap over seeds, one line per model and size."""
    header = (
        f"{'model':<20}{'params':>7}{'N':>6}{'seeds':>6}{'test acc':>10}{'gap':>8}"
        f"{'shifted':>9}{'seconds':>9}"
    )
    lines = [header, "-" * len(header)]
    groups: dict = {}
    for r in records:
        groups.setdefault((_label(r), r["n_train"]), []).append(r)
    for (label, n), rows in groups.items():
        mean = {k: np.mean([r[k] for r in rows]) for k in
                ("test_acc", "gap", "translated_test_acc", "train_seconds")}  # fmt: skip
        lines.append(
            f"{label:<20}{rows[0]['num_params']:>7}{n:>6}{len(rows):>6}{mean['test_acc']:>10.3f}"
            f"{mean['gap']:>8.3f}{mean['translated_test_acc']:>9.3f}{mean['train_seconds']:>9.2f}"
        )
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.digits",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--symmetry", nargs="+", choices=SYMMETRIES, default=list(SYMMETRIES))
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS),
                        help="only these models (default: all)")  # fmt: skip
    parser.add_argument("--sizes", nargs="+", type=cli.positive_int, default=None,
                        help=f"training sizes <= {N_POOL} (50 100 200 500 1000)")  # fmt: skip
    parser.add_argument("--seeds", nargs="+", type=cli.seed, default=None,
                        help="training sets and initialisations (0 1 2 3 4)")  # fmt: skip
    parser.add_argument("--steps", type=cli.positive_int, default=None,
                        help="Adam steps (default 600; --quick 60)")  # fmt: skip
    parser.add_argument("--batch", type=cli.positive_int, default=128, help="mini-batch size")
    parser.add_argument("--lr", type=cli.positive_real, default=3e-3, help="Adam step size")
    parser.add_argument("--width", type=cli.positive_int, default=64, help="MLP hidden units")
    parser.add_argument("--copies", type=cli.positive_int, default=16,
                        help="copies of V in the hidden layer of regular and emlp")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="sizes 20 40, seed 0, 60 steps")
    parser.add_argument("--no-progress", action="store_true", help="print no rows")
    parser.add_argument("--no-plots", action="store_true", help="write no figure")
    parser.add_argument("--out", type=cli.output_file, default=None,
                        help="JSON file (default benchmarks/results/digits.json)")  # fmt: skip
    parser.add_argument("--figures", type=cli.output_directory, default=None,
                        help="figure directory (default benchmarks/figures)")  # fmt: skip
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"sizes": list(SIZES), "seeds": [0, 1, 2, 3, 4],
                                         "steps": 600}  # fmt: skip
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for flag in ("--symmetry", "--models", "--sizes", "--seeds"):
        cli.reject_duplicates(parser, flag, getattr(args, flag[2:]))
    too_large = [n for n in args.sizes if n > N_POOL]
    if too_large:
        parser.error(
            f"argument --sizes: {too_large} larger than the {N_POOL} digits left for training "
            f"(1797 minus a fixed test set of 497)"
        )
    if not plan_runs(args.symmetry, args.models):
        parser.error(
            f"argument --models: none of {args.models} belongs to --symmetry {args.symmetry}"
        )
    return cli.fill_default_outputs(parser, args, "digits")


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see the module docstring); returns the records."""
    from benchmarks.machine import write_records

    args = parse_args(argv)
    records = run(args, progress=not args.no_progress)
    print(format_table(records))
    records = write_records(args.out, records)
    if not args.no_plots:
        from benchmarks.digits_plots import plot_digits

        args.figures.mkdir(parents=True, exist_ok=True)
        plot_digits(records, args.figures / "digits.png")
        print(f"wrote {args.figures / 'digits.png'}")
    return records


if __name__ == "__main__":
    main()
