"""Grokking on addition mod p, with the progress measures of Nanda et al. (ICLR 2023).

Usage::

    python -m benchmarks.modular                     # p = 113, up to 25000 steps
    python -m benchmarks.modular --quick             # p = 23, 300 steps: seconds, no grokking
    python -m benchmarks.modular --p 59 --frac 0.5 --steps 6000 --log-every 200 --patience 1000

Nanda, Chan, Lieberum, Smith & Steinhardt, "Progress measures for grokking via mechanistic
interpretability", ICLR 2023 (arXiv 2301.05217). The one-layer transformer of
`benchmarks.modular_model` (the authors' configuration) is trained by full-batch AdamW on
``frac`` of the ``p**2`` pairs ``(a, b) -> (a + b) mod p``. Every ``--log-every`` steps
(and at step 0 and the last step) the model is run on all ``p**2`` pairs and the row of
``history`` records:

* ``train_loss, test_loss, train_acc, test_acc`` (`analysis.modular.modular_loss`,
  ``modular_accuracy``, on the training and the held-out pairs);
* ``embedding_fractions``: the share of the squared norm of the embedding of the ``p``
  number tokens, ``W_E[:p] (p, d_model)``, per frequency ``k = 0 .. (p-1)/2``
  (`analysis.spectra.frequency_spectrum` over the token axis); ``embedding_gini``: the Gini
  coefficient (`analysis.spectra.gini`) of the shares of ``k >= 1``, the paper's Fourier
  sparsity; ``embedding_key_frequencies``: `analysis.spectra.key_frequencies` of those
  shares (at least 4 times a flat spectrum's share);
* ``neuron_counts``: MLP neurons (at the ``=`` position) per frequency ``k = 1 ..
  (p-1)/2``, by `analysis.modular.assign_neurons` (85 % of a neuron's non-constant variance
  over the pairs in the terms of one frequency); ``key_frequencies``: the frequencies of at
  least `NEURON_CLUSTER` of the neurons, most neurons first, as the paper's clusters;
* ``restricted_loss`` (on all pairs) and ``excluded_loss`` (on the training pairs) with
  the *final* key frequencies, as in the paper (recomputed after training from the
  parameters saved at every logged step; the neuron clusters of the last step, else the
  embedding's key frequencies; None when both are empty), and ``restricted_loss_now``,
  ``excluded_loss_now`` with the key frequencies of that step.

Early stop: training ends once the test accuracy has been above 99 % at every logged
step of the last ``--patience`` steps (default 3000; the paper's clean-up phase follows
grokking), unless ``--no-early-stop``. The record also gives ``grokking_step`` (the first
logged step with test accuracy > 99 %), ``memorization_step`` (train accuracy > 99 %),
the final key frequencies, and ``step_seconds`` (training time per step, without the
compilation and the analysis).

Cost on 2 CPU cores: a training step takes about 0.13 s at ``p = 113`` (3830 pairs), 0.02
s at ``p = 59``, and the analysis about 1.5 s per logged step at ``p = 113``, so the
default run is about 25-35 minutes if it grokks near step 10000 and stops 3000 steps
later, and about an hour for all 25000 steps.

JSON goes to ``--out`` (default ``benchmarks/results/modular.json``; with ``--quick``
``modular_quick.json``): a list of records with ``benchmark: "modular"``, ``part`` and
``machine``. Figures ``modular_loss.png`` (losses, log scale), ``modular_accuracy.png``
and ``modular_spectrum.png`` (the final embedding spectrum, the Gini coefficient over
training) go to ``--figures`` (default ``benchmarks/figures``; with ``--quick`` beside
``--out``). ``--part`` chooses what runs; ``transformer`` is the only part today.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time

import jax
import numpy as np
from tqdm.auto import tqdm

from analysis.modular import (
    assign_neurons,
    check_prime,
    excluded_loss,
    modular_accuracy,
    modular_loss,
    restricted_loss,
)
from analysis.spectra import frequency_spectrum, gini, key_frequencies
from benchmarks import cli
from benchmarks.machine import write_records
from benchmarks.modular_model import (
    ModularConfig,
    count_params,
    cross_entropy,
    init_params,
    make_optimizer,
    modular_data,
    modular_model,
    training_size,
)
from layers.training import train

__all__ = [
    "PARTS",
    "NEURON_CLUSTER",
    "GROKKED",
    "analyse",
    "train_transformer",
    "format_row",
    "summary_line",
    "parse_args",
    "main",
]

PARTS = ("transformer",)
"""What ``--part`` can run."""
NEURON_CLUSTER = 0.01
"""A key frequency holds at least this share of the MLP neurons (and at least 2)."""
GROKKED = 0.99
"""Test accuracy above which the model counts as having generalised."""
QUICK = {"p": 23, "steps": 300, "log_every": 50, "patience": 100}


def analyse(logits, neurons, embedding, data, key_freqs=None) -> dict:
    """One row of ``history`` from the model's outputs on all pairs.

    Args:
        logits: ``(p**2, p + 1)`` at the ``=`` position, pairs in `modular_data` order.
        neurons: ``(p**2, d_mlp)`` MLP activations at the ``=`` position.
        embedding: ``(p + 1, d_model)`` the token embedding ``W_E``.
        data: the `benchmarks.modular_model.ModularData` of the run.
        key_freqs: frequencies for ``restricted_loss``/``excluded_loss``; None: only the
            ``*_now`` losses, with this step's key frequencies.

    Returns:
        The row's fields (see the module docstring), without ``step``.

    Example:
        >>> data = modular_data(5)
        >>> rng = np.random.default_rng(0)
        >>> row = analyse(rng.normal(size=(25, 6)), rng.normal(size=(25, 8)),
        ...               rng.normal(size=(6, 4)), data)
        >>> len(row["embedding_fractions"]), len(row["neuron_counts"])
        (3, 2)
    """
    p = data.train_mask.shape[0]
    grid = np.asarray(logits, np.float64).reshape(p, p, -1)
    train, test = data.train_mask, ~data.train_mask
    fractions = frequency_spectrum(np.asarray(embedding)[:p], p, axis=0).fractions
    half = np.arange(1, (p - 1) // 2 + 1)
    assigned = assign_neurons(np.asarray(neurons).reshape(p, p, -1)).assigned
    counts = np.array([(assigned == k).sum() for k in half])
    minimum = max(2, math.ceil(NEURON_CLUSTER * assigned.size))
    now = [int(k) for k in half[np.argsort(-counts, kind="stable")] if counts[k - 1] >= minimum]
    row = {
        "train_loss": modular_loss(grid, train),
        "test_loss": modular_loss(grid, test),
        "train_acc": modular_accuracy(grid, train),
        "test_acc": modular_accuracy(grid, test),
        "embedding_fractions": fractions.tolist(),
        "embedding_gini": gini(fractions[1:]),
        "embedding_key_frequencies": key_frequencies(fractions[1:], frequencies=half).tolist(),
        "neuron_counts": counts.tolist(),
        "key_frequencies": now,
    }
    row |= _progress_losses(grid, now, train, "_now")
    if key_freqs is not None:
        row |= _progress_losses(grid, key_freqs, train)
    return row


def _progress_losses(grid, key_freqs, train, suffix: str = "") -> dict:
    """Restricted (all pairs) and excluded (training pairs) losses; None without keys."""
    if not key_freqs:
        return {f"restricted_loss{suffix}": None, f"excluded_loss{suffix}": None}
    return {
        f"restricted_loss{suffix}": restricted_loss(grid, key_freqs),
        f"excluded_loss{suffix}": excluded_loss(grid, key_freqs, train),
    }


def train_transformer(
    config: ModularConfig,
    *,
    steps: int = 25000,
    seed: int = 0,
    log_every: int = 100,
    patience: int | None = 3000,
    progress: bool = True,
) -> dict:
    """Trains the transformer; returns the record (see the module docstring).

    Args:
        config: the task, model and optimiser.
        steps: the most AdamW steps.
        seed: seeds the train/test split and the initial parameters.
        log_every: steps between two analysed (logged) steps.
        patience: stop once test accuracy > `GROKKED` held at every logged step of the
            last ``patience`` steps; None: never stop early.
        progress: show a tqdm bar and print a line per logged step.

    Returns:
        The ``transformer`` record; `main` adds ``machine`` and writes it.
    """
    data = modular_data(config.p, config.frac, seed)
    model = modular_model(config)
    params = jax.device_put(init_params(config, seed))
    forward = jax.jit(model.apply)
    all_tokens = jax.numpy.asarray(data.tokens)
    history, snapshots, analysis_seconds = [], [], [0.0]

    def log(params, step: int) -> bool:
        """Analyses ``params`` at ``step``; whether test accuracy has held long enough."""
        tick = time.perf_counter()
        logits, neurons = forward(params, all_tokens)
        snapshots.append(jax.device_get(params))
        history.append(
            {"step": step} | analyse(logits, neurons, params["transformer"]["W_E"], data)
        )
        if progress:
            tqdm.write(format_row(history[-1]))
        analysis_seconds[0] += time.perf_counter() - tick
        return patience is not None and _held(history, patience)

    start = time.perf_counter()
    stopped = log(params, 0)
    before_training = analysis_seconds[0]
    result = None
    if not stopped and steps:
        result = train(
            lambda p, tokens, labels: cross_entropy(model.apply(p, tokens)[0], labels),
            params,
            (data.tokens[data.train], data.labels[data.train]),
            optimizer=make_optimizer(config),
            epochs=steps,
            batch_size=int(data.train.size),
            shuffle=False,
            eval_every=log_every,
            callback=lambda p, record: log(p, record["step"]),
            progress=progress,
            description=f"modular p={config.p}",
        )
        stopped = result.epochs_run < steps
    step = 0 if result is None else result.steps
    compile_seconds, train_seconds = 0.0, 0.0
    if result is not None:  # the loop's time without the analyses and the first call
        compile_seconds = result.first_call_seconds
        analysed = analysis_seconds[0] - before_training
        train_seconds = result.seconds - analysed - compile_seconds

    final = history[-1]
    keys = final["key_frequencies"] or final["embedding_key_frequencies"]
    for row, snapshot in zip(history, snapshots, strict=True):
        logits = np.asarray(forward(snapshot, all_tokens)[0], np.float64)
        grid = logits.reshape(config.p, config.p, -1)
        row |= _progress_losses(grid, keys, data.train_mask)
    return {
        "benchmark": "modular", "part": "transformer", "config": dataclasses.asdict(config),
        "seed": seed, "steps": steps, "steps_run": step, "log_every": log_every,
        "patience": patience, "early_stopped": stopped and step < steps,
        "n_train": int(data.train.size), "n_test": int(data.test.size),
        "params": count_params(config),
        "grokking_step": _first(history, "test_acc"),
        "memorization_step": _first(history, "train_acc"),
        "key_frequencies": final["key_frequencies"],
        "embedding_key_frequencies": final["embedding_key_frequencies"],
        "progress_key_frequencies": keys,
        "final": {k: final[k] for k in ("train_loss", "test_loss", "train_acc", "test_acc")},
        "step_seconds": train_seconds / (step - 1) if step > 1 else None,
        "compile_seconds": compile_seconds, "seconds": time.perf_counter() - start,
        "history": history,
    }  # fmt: skip


def _first(history: list[dict], key: str) -> int | None:
    """The first logged step with ``key`` above `GROKKED`, or None."""
    return next((row["step"] for row in history if row[key] > GROKKED), None)


def _held(history: list[dict], patience: int) -> bool:
    """Whether test accuracy > `GROKKED` at every logged step of the last ``patience``."""
    last = history[-1]["step"]
    window = [row for row in history if row["step"] >= last - patience]
    return history[0]["step"] <= last - patience and all(
        row["test_acc"] > GROKKED for row in window
    )


HEADER = f"{'step':>7}{'train loss':>12}{'test loss':>11}{'test acc':>10}{'gini':>7}  key freqs"


def format_row(row: dict) -> str:
    """One printed line of a logged step.

    Example:
        >>> format_row({"step": 5, "train_loss": 1.0, "test_loss": 2.0, "test_acc": 0.5,
        ...             "embedding_gini": 0.25, "key_frequencies": [3, 1]})
        '      5           1          2     0.500  0.25  [3, 1]'
    """
    return (
        f"{row['step']:>7}{row['train_loss']:>12.3g}{row['test_loss']:>11.3g}"
        f"{row['test_acc']:>10.3f}{row['embedding_gini']:>6.2f}  {row['key_frequencies']}"
    )


# ----------------------------------------------------------------------- command line
def _fraction(text: str) -> float:
    value = cli.positive_real(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1); got {text!r}")
    return value


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.modular",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--part", choices=PARTS, default="transformer")
    parser.add_argument("--p", type=cli.integer_in_range(3), default=None,
                        help="the modulus, an odd prime (default 113; --quick 23)")  # fmt: skip
    parser.add_argument("--frac", type=_fraction, default=0.3,
                        help="fraction of the p^2 pairs used for training")  # fmt: skip
    parser.add_argument("--steps", type=cli.positive_int, default=None,
                        help="most AdamW steps (default 25000; --quick 300)")  # fmt: skip
    parser.add_argument("--seed", type=cli.seed, default=0)
    parser.add_argument("--log-every", type=cli.positive_int, default=None,
                        help="steps between analysed steps (default 100; --quick 50)")  # fmt: skip
    parser.add_argument("--patience", type=cli.positive_int, default=None,
                        help="steps of test acc > 99%% to stop (3000; quick 100)")  # fmt: skip
    parser.add_argument("--no-early-stop", action="store_true", help="run all --steps")
    parser.add_argument("--quick", action="store_true", help="p = 23, 300 steps: seconds")
    parser.add_argument("--no-plots", action="store_true", help="write no figures")
    parser.add_argument("--no-progress", action="store_true", help="no bar, no printed rows")
    parser.add_argument("--out", type=cli.output_file, default=None,
                        help="JSON file (default benchmarks/results/modular.json)")  # fmt: skip
    parser.add_argument("--figures", type=cli.output_directory, default=None,
                        help="figure directory (default benchmarks/figures)")  # fmt: skip
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"p": 113, "steps": 25000, "log_every": 100}
    defaults = {"patience": 3000} | defaults
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    try:
        check_prime(args.p)
    except ValueError as error:
        parser.error(f"argument --p: {error}")
    try:
        training_size(args.p, args.frac)
    except ValueError as error:
        parser.error(f"argument --frac: {error}")
    return cli.fill_default_outputs(parser, args, "modular")


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see the module docstring); returns the records."""
    args = parse_args(argv)
    records: list[dict] = []
    if args.part == "transformer":
        config = ModularConfig(p=args.p, frac=args.frac)
        progress = not args.no_progress
        if progress:
            print(HEADER, flush=True)
        record = train_transformer(
            config, steps=args.steps, seed=args.seed, log_every=args.log_every,
            patience=None if args.no_early_stop else args.patience, progress=progress,
        )  # fmt: skip
        print(summary_line(record), flush=True)
        if not args.no_plots:
            from benchmarks.modular_plots import plot_transformer

            args.figures.mkdir(parents=True, exist_ok=True)
            for path in plot_transformer(record, args.figures):
                print(f"wrote {path}")
        records.append(record)
    records = write_records(args.out, records)
    return records


def summary_line(record: dict) -> str:
    """What a run found, in one line."""
    final = record["final"]
    return (
        f"p={record['config']['p']}: {record['steps_run']} steps, test acc "
        f"{final['test_acc']:.3f}, memorised at {record['memorization_step']}, grokked at "
        f"{record['grokking_step']}, key frequencies {record['key_frequencies']} (embedding "
        f"{record['embedding_key_frequencies']}), {record['step_seconds'] or 0:.4f} s/step"
    )


if __name__ == "__main__":
    main()
