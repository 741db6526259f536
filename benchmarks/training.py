"""Training an equivariant model or a baseline on a regression dataset with optax Adam.

`fit` standardises inputs and targets without breaking equivariance, trains with Adam on
fixed-size batches (nothing recompiles), keeps the parameters of the best validation MSE
(early stopping, with optional patience), and reports the test MSE in the original units
of ``y`` and the equivariance error under sampled group elements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax

from benchmarks.datasets import RegressionData
from groups import Group
from groups.checks import check_int
from layers import Standardization, Standardize, equivariance_error, standardization
from layers.training import Checkpointing
from layers.training import train as train_loop

__all__ = ["FitResult", "fit", "data_standardization"]


def data_standardization(data: RegressionData) -> Standardization:
    """`layers.standardization` of a dataset: norm-scaled inputs, coordinate-scaled targets.

    Example:
        >>> from benchmarks.datasets import o5_synthetic
        >>> stats = data_standardization(o5_synthetic(200, seed=0))
        >>> stats.x_scale.shape, bool(np.all(stats.x_shift == 0))
        ((10,), True)
    """
    return standardization(data.x, data.y, data.rep_in, data.rep_out)


@dataclass
class FitResult:
    """What one training run produced.

    ``equivariance_error`` is measured under the data's group (the task's symmetry) and
    ``model_group_equivariance_error`` under ``model_group`` when one was given (an EMLP
    built for a subgroup is exact only there).
    """

    params: hk.Params
    predict: Callable[[jax.Array], jax.Array]
    test_mse: float
    best_val_mse: float
    train_seconds: float
    equivariance_error: float
    num_params: int
    epochs_run: int = 0
    model_group_equivariance_error: float | None = None
    history: list = field(default_factory=list)


def fit(
    network: Callable[[], Callable[[jax.Array], jax.Array]],
    train: RegressionData,
    val: RegressionData,
    test: RegressionData,
    *,
    epochs: int,
    batch_size: int = 500,
    lr: float = 3e-3,
    seed: int = 0,
    evaluations: int = 40,
    patience: int | None = None,
    augment: bool = False,
    sample_scale: float = 1.0,
    model_group: Group | None = None,
    progress: bool = True,
    description: str = "",
    devices: int | None = None,
    checkpoint: Checkpointing | None = None,
) -> FitResult:
    """Trains ``network()`` on standardised data with Adam, keeping the best validation params.

    Args:
        network: builds the Haiku module to call on standardised inputs (inside transform).
        train, val, test: data splits (same reps and group).
        epochs: passes over the training set; each uses ``len(train) // batch`` steps of a
            fixed batch size ``batch = min(batch_size, len(train))``, so nothing recompiles.
        batch_size, lr, seed: Adam hyper-parameters and the seed of init and shuffling.
        evaluations: how many times the validation MSE is measured (early-stopping choice).
        patience: stop after this many evaluations without a better validation MSE (None:
            run every epoch; the best-validation parameters are kept either way).
        augment: apply a random group element to each training pair (MLP+augmentation).
        sample_scale: standard deviation of the Lie-algebra coefficients of the group
            elements used for augmentation and for the equivariance error (``scale`` of
            `groups.Group.samples`); lower it for non-compact groups (Lorentz boosts).
        model_group: the group the network is built for, to measure its own equivariance.
        progress: show a tqdm bar.
        description: the bar's label.
        devices: train data-parallel over this many devices (`layers.training.train`).
        checkpoint: save the loop state there periodically, and resume from it when it
            exists (`layers.training.Checkpointing`; its spec is the network's plan).

    Training runs in `layers.training.train`; ``history`` holds its evaluation records.

    Returns:
        `FitResult` with the test MSE (in the original units of y) of the best-validation
        parameters.

    Raises:
        TypeError: if ``epochs`` or ``batch_size`` is not an integer.
        ValueError: if ``epochs`` or ``batch_size`` is not positive or the splits differ in
            their reps.
    """
    epochs = check_int(epochs, "epochs", minimum=1, where="fit")
    batch_size = check_int(batch_size, "batch_size", minimum=1, where="fit")
    for split in (val, test):
        if split.x.shape[1:] != train.x.shape[1:] or split.y.shape[1:] != train.y.shape[1:]:
            raise ValueError("fit needs train, val and test splits of the same task.")
    stats = data_standardization(train)

    def forward(x):
        return Standardize(network(), stats)(x)

    model = hk.without_apply_rng(hk.transform(forward))
    params = jax.jit(model.init)(jax.random.PRNGKey(seed), jnp.asarray(train.x[:1]))
    predict = jax.jit(model.apply)

    def loss_fn(p, x, y):
        return jnp.mean((model.apply(p, x) - y) ** 2)

    def mse(p, data: RegressionData) -> float:
        chunks = [np.asarray(predict(p, data.x[i : i + 1000])) for i in range(0, len(data), 1000)]
        return float(np.mean((np.concatenate(chunks) - data.y) ** 2))

    result = train_loop(
        loss_fn,
        params,
        (train.x, train.y),
        optimizer=optax.adam(lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        validate=lambda p: mse(p, val),
        evaluations=evaluations,
        patience=patience,
        transform_batch=_augmentation_sampler(train, seed, sample_scale) if augment else None,
        devices=devices,
        checkpoint=checkpoint,
        resume=checkpoint is not None,
        progress=progress,
        description=description,
    )
    params = result.params

    def check(group: Group) -> float:
        rep_in, rep_out = train.reps_for(group)
        fn = lambda x: predict(params, x)  # noqa: E731
        return equivariance_error(fn, rep_in, rep_out, x=test.x[:64], sample_scale=sample_scale)

    return FitResult(
        params=params,
        predict=lambda x: predict(params, x),
        test_mse=mse(params, test),
        best_val_mse=np.inf if result.best_val is None else result.best_val,
        train_seconds=result.seconds,
        equivariance_error=check(train.group),
        num_params=int(hk.data_structures.tree_size(params)),
        epochs_run=result.epochs_run,
        model_group_equivariance_error=None if model_group is None else check(model_group),
        history=result.history,
    )


def _augmentation_sampler(data: RegressionData, seed: int, scale: float):
    """Applies an independent random group element to each (x, y) pair of a batch."""
    pool = data.group.samples(512, seed=seed + 1, scale=scale)
    rho_in = np.stack([data.rep_in.rho(g) for g in pool]).astype(np.float32)
    rho_out = np.stack([data.rep_out.rho(g) for g in pool]).astype(np.float32)

    def apply(batch, rng):
        x, y = batch
        k = rng.integers(len(pool), size=len(x))
        return np.einsum("bij,bj->bi", rho_in[k], x), np.einsum("bij,bj->bi", rho_out[k], y)

    return apply
