"""Training learned dynamics on trajectory chunks and scoring their long rollouts.

As the EMLP paper (and the HNN / neural-ODE baselines it follows): the model's vector
field is integrated from the first state of each training chunk over the chunk's time
points, and the loss is the mean squared error against the true states. Evaluation rolls
the model out for 30 s from held-out initial states and compares with the ground truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax

from benchmarks.spring_pendulum import PendulumData, angular_momentum_z, hamiltonian, rk4_rollout
from groups import Group
from layers import copy_statistics, equivariance_error
from layers.training import train

__all__ = [
    "relative_error",
    "rollout_metrics",
    "DynamicsFit",
    "fit_dynamics",
]


def relative_error(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    """The paper's per-time relative error ``rms(a - b) / (rms(a) + rms(b))``: ``(...)``.

    ``pred`` and ``true`` are ``(..., state_dim)``; the RMS is over the last axis.

    Example:
        >>> float(relative_error(np.ones(4), np.ones(4) * 3))
        0.5
    """
    rms = lambda a: np.sqrt(np.mean(np.square(a), axis=-1))  # noqa: E731
    return rms(pred - true) / (rms(pred) + rms(true))


def rollout_metrics(pred: np.ndarray, true: np.ndarray, times: np.ndarray) -> dict:
    """Scores of predicted rollouts ``pred (n, T, 12)`` against ``true (n, T, 12)``.

    Returns a dict with

    * ``rollout_error``: the paper's figure: the geometric mean of the per-time relative
      error over all trajectories and time points (``t = 0`` included, errors clamped at
      1e-7, as the paper's released evaluation);
    * ``rollout_error_time_avg``: relative error averaged over time, then the geometric
      mean over trajectories;
    * ``diverged_rollouts``: how many predicted trajectories overflowed (non-finite
      states); from then on their relative error counts as 1, its upper bound;
    * ``angular_momentum_error``: ``|L_z(t) - L_z(0)|`` of the prediction averaged over
      time, geometric mean over the trajectories that did not diverge
      (``true_angular_momentum_error``: the same for the ground truth);
    * ``energy_error``: ``|H(t) - H(0)|`` of the prediction under the true Hamiltonian,
      likewise;
    * ``times``, ``rollout_error_curve``, ``angular_momentum_curve``: per-time geometric
      means over trajectories, for plots.
    """
    pred, true = np.asarray(pred, np.float64), np.asarray(true, np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        errors = relative_error(pred, true)  # (n, T), in [0, 1] where finite
    errors = np.clip(np.where(np.isfinite(errors), errors, 1.0), 1e-7, 1.0)
    finite = np.all(np.isfinite(pred), axis=(1, 2))

    def log_mean(values, axis=None):
        return np.exp(np.mean(np.log(np.maximum(values, 1e-12)), axis=axis))

    def drift(values):  # |v(t) - v(0)| over the finite trajectories, (n_finite, T)
        return np.abs(values - values[:, :1])[finite]

    lz_drift = drift(angular_momentum_z(pred))
    energy_drift = drift(np.asarray(hamiltonian(pred), dtype=np.float64))
    lz_true = angular_momentum_z(true)
    return {
        "rollout_error": float(log_mean(errors)),
        "rollout_error_time_avg": float(log_mean(errors.mean(axis=1))),
        "diverged_rollouts": int(np.sum(~finite)),
        "angular_momentum_error": float(log_mean(lz_drift[:, 1:].mean(axis=1))),
        "true_angular_momentum_error": float(
            log_mean(np.abs(lz_true - lz_true[:, :1])[:, 1:].mean(axis=1))
        ),
        "energy_error": float(log_mean(energy_drift[:, 1:].mean(axis=1))),
        "times": np.asarray(times).tolist(),
        "rollout_error_curve": log_mean(errors, axis=0).tolist(),
        "angular_momentum_curve": log_mean(lz_drift, axis=0).tolist(),
    }


@dataclass
class DynamicsFit:
    """What one dynamics training run produced (``metrics``: see `rollout_metrics`)."""

    params: hk.Params
    field: Callable[[jax.Array], jax.Array]
    best_val_mse: float
    train_seconds: float
    equivariance_error: float
    model_group_equivariance_error: float | None
    num_params: int
    metrics: dict
    history: list = field(default_factory=list)


def fit_dynamics(
    network: Callable[..., Callable[[jax.Array], jax.Array]],
    data: PendulumData,
    *,
    epochs: int,
    batch_size: int = 500,
    lr: float = 3e-3,
    seed: int = 0,
    substeps: int = 1,
    evaluations: int = 40,
    model_group: Group | None = None,
    progress: bool = True,
    description: str = "",
) -> DynamicsFit:
    """Trains ``network(shift=..., scale=...)`` on the chunks of ``data``; scores its rollouts.

    Args:
        network: builds the Haiku dynamics module (`layers.dynamics`) given the input
            standardisation (`layers.copy_statistics` of the training states: invariant
            shift, per-coordinate RMS scale); called inside ``hk.transform``.
        data: chunks and test rollouts (`benchmarks.spring_pendulum.pendulum_data`).
        epochs: passes over the training chunks (``len(train) // batch`` steps each).
        batch_size, lr, seed: Adam hyper-parameters and the seed of init and shuffling.
        substeps: RK4 steps per saved interval ``data.dt`` (training and rollouts).
        evaluations: how often the validation chunk MSE is measured; the best parameters
            are kept (early stopping).
        model_group: the group the model is built for, to measure its own equivariance.
        progress: show a tqdm bar.

    The output layer (the last module created) starts at zero, so every model starts from
    the zero vector field: an EMLP's initial field is large and stiff enough that RK4 steps
    of 0.2 s diverge within the first chunk. Updates with a non-finite loss are skipped.
    Training runs in `layers.training.train`; ``history`` holds its evaluation records.

    Raises:
        ValueError: if ``epochs``, ``batch_size`` or ``substeps`` is not positive.
    """
    if min(epochs, batch_size, substeps) < 1:
        raise ValueError(
            f"fit_dynamics needs positive epochs, batch_size, substeps; got "
            f"{epochs}, {batch_size}, {substeps}."
        )
    states = data.train.reshape(-1, data.train.shape[-1])
    shift, scale = copy_statistics(states, data.rep_in, scale_by="coordinate")
    model = hk.without_apply_rng(hk.transform(lambda z: network(shift=shift, scale=scale)(z)))
    params = jax.jit(model.init)(jax.random.PRNGKey(seed), jnp.asarray(data.train[:2, 0]))
    output_layer = list(params)[-1]
    params = {**params, output_layer: jax.tree_util.tree_map(jnp.zeros_like, params[output_layer])}
    optimizer = optax.apply_if_finite(optax.adam(lr), max_consecutive_errors=1_000_000)
    chunk_len = data.train.shape[1]

    def rollout(p, z0, points):
        return rk4_rollout(lambda z: model.apply(p, z), z0, data.dt, points, substeps)

    def loss_fn(p, chunks):
        return jnp.mean((rollout(p, chunks[:, 0], chunk_len) - chunks) ** 2)

    val_loss = jax.jit(loss_fn)
    result = train(
        loss_fn,
        params,
        data.train,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        validate=lambda p: float(val_loss(p, data.val)),
        evaluations=evaluations,
        progress=progress,
        description=description,
    )
    params = result.params
    points = data.test_true.shape[1]
    pred = jax.jit(rollout, static_argnums=2)(params, jnp.asarray(data.test_z0), points)
    vector_field = jax.jit(lambda z: model.apply(params, z))

    def check(group: Group) -> float:
        rep = data.rep_for(group)
        return equivariance_error(vector_field, rep, rep, x=data.test_z0[:64])

    return DynamicsFit(
        params=params,
        field=vector_field,
        best_val_mse=np.inf if result.best_val is None else result.best_val,
        train_seconds=result.seconds,
        equivariance_error=check(data.group),
        model_group_equivariance_error=None if model_group is None else check(model_group),
        num_params=int(hk.data_structures.tree_size(params)),
        metrics=rollout_metrics(np.asarray(pred), data.test_true, np.arange(points) * data.dt),
        history=result.history,
    )
