"""Training an equivariant model or a baseline on a regression dataset with optax Adam."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm.auto import tqdm

from benchmarks.datasets import RegressionData
from layers import equivariance_error

__all__ = ["Standardization", "FitResult", "fit"]


@dataclass(frozen=True)
class Standardization:
    """Affine maps ``x -> (x - x_shift) / x_scale`` and ``y -> y * y_scale + y_shift``.

    Computed per canonical copy of the reps: a scale is one number per copy (a scalar
    multiple commutes with every group action) and a shift is nonzero only on invariant
    scalar copies, so standardising never breaks equivariance.
    """

    x_shift: np.ndarray
    x_scale: np.ndarray
    y_shift: np.ndarray
    y_scale: np.ndarray

    @classmethod
    def from_data(cls, data: RegressionData) -> Standardization:
        x_shift, x_scale = _per_copy_stats(data.x, data.rep_in)
        y_shift, y_scale = _per_copy_stats(data.y, data.rep_out)
        return cls(x_shift, x_scale, y_shift, y_scale)


def _per_copy_stats(values: np.ndarray, rep) -> tuple[np.ndarray, np.ndarray]:
    shift = np.zeros(values.shape[1], np.float32)
    scale = np.ones(values.shape[1], np.float32)
    for summand in rep.canonical_form():
        for positions in summand.positions:
            block = values[:, positions]
            if summand.monomial.degree == 0:
                shift[positions] = block.mean()
                block = block - block.mean()
            scale[positions] = max(float(np.sqrt(np.mean(block**2))), 1e-8)
    return shift, scale


@dataclass
class FitResult:
    """What one training run produced."""

    params: hk.Params
    predict: Callable[[jax.Array], jax.Array]
    test_mse: float
    best_val_mse: float
    train_seconds: float
    equivariance_error: float
    num_params: int
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
    augment: bool = False,
    progress: bool = True,
    description: str = "",
) -> FitResult:
    """Trains ``network()`` on standardised data with Adam, keeping the best validation params.

    Args:
        network: builds the Haiku module to call on standardised inputs (inside transform).
        train, val, test: data splits (same reps and group).
        epochs: passes over the training set; each uses ``len(train) // batch`` steps of a
            fixed batch size ``batch = min(batch_size, len(train))``, so nothing recompiles.
        batch_size, lr, seed: Adam hyper-parameters and the seed of init and shuffling.
        evaluations: how many times the validation MSE is measured (early-stopping choice).
        augment: apply a random group element to each training pair (MLP+augmentation).
        progress: show a tqdm bar.

    Returns:
        `FitResult` with the test MSE (in the original units of y) of the best-validation
        parameters.
    """
    stats = Standardization.from_data(train)

    def forward(x):
        z = (x - stats.x_shift) / stats.x_scale
        return network()(z) * stats.y_scale + stats.y_shift

    model = hk.without_apply_rng(hk.transform(forward))
    key = jax.random.PRNGKey(seed)
    params = jax.jit(model.init)(key, jnp.asarray(train.x[:1]))
    optimizer = optax.adam(lr)
    opt_state = optimizer.init(params)
    predict = jax.jit(model.apply)

    def loss_fn(p, x, y):
        return jnp.mean((model.apply(p, x) - y) ** 2)

    @jax.jit
    def step(p, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
        updates, state = optimizer.update(grads, state, p)
        return optax.apply_updates(p, updates), state, loss

    def mse(p, data: RegressionData) -> float:
        chunks = [np.asarray(predict(p, data.x[i : i + 1000])) for i in range(0, len(data), 1000)]
        return float(np.mean((np.concatenate(chunks) - data.y) ** 2))

    rng = np.random.default_rng(seed)
    batch = min(batch_size, len(train))
    steps = len(train) // batch
    group_elements = _augmentation_sampler(train, seed) if augment else None
    eval_every = max(1, epochs // max(evaluations, 1))
    best = (np.inf, params)
    history = []
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=description, disable=not progress, leave=False, mininterval=1.0)
    for epoch in bar:
        order = rng.permutation(len(train))
        for k in range(steps):
            idx = order[k * batch : (k + 1) * batch]
            x, y = train.x[idx], train.y[idx]
            if group_elements is not None:
                x, y = group_elements(x, y)
            params, opt_state, loss = step(params, opt_state, x, y)
        if (epoch + 1) % eval_every == 0 or epoch + 1 == epochs:
            val_mse = mse(params, val)
            history.append((epoch + 1, float(loss), val_mse))
            bar.set_postfix(train=f"{float(loss):.3g}", val=f"{val_mse:.3g}")
            if val_mse < best[0]:
                best = (val_mse, params)
    seconds = time.perf_counter() - start
    best_val, params = best
    error = equivariance_error(
        lambda x: predict(params, x), train.rep_in, train.rep_out, x=test.x[:64]
    )
    return FitResult(
        params=params,
        predict=lambda x: predict(params, x),
        test_mse=mse(params, test),
        best_val_mse=float(best_val),
        train_seconds=seconds,
        equivariance_error=error,
        num_params=int(hk.data_structures.tree_size(params)),
        history=history,
    )


def _augmentation_sampler(data: RegressionData, seed: int):
    """Applies an independent random group element to each (x, y) pair of a batch."""
    rng = np.random.default_rng(seed + 1)
    pool = data.group.samples(512, seed=seed + 1)
    rho_in = np.stack([data.rep_in.rho(g) for g in pool]).astype(np.float32)
    rho_out = np.stack([data.rep_out.rho(g) for g in pool]).astype(np.float32)

    def apply(x, y):
        k = rng.integers(len(pool), size=len(x))
        return np.einsum("bij,bj->bi", rho_in[k], x), np.einsum("bij,bj->bi", rho_out[k], y)

    return apply
