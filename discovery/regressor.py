"""A small MLP regressor that turns a labelled dataset into a differentiable oracle.

For a dataset ``(X, y)`` the invariance cannot be read off the labels directly (two
samples are never exactly related by a group element), so discovery first learns ``f``
with this regressor and then differentiates the regressor at the data points: the rows of
`discovery.oracles.invariance_rows` use ``grad f_learned(x)`` at the points ``x`` of
``X``. The regressor is trained in float64 with full-batch Adam on standardised inputs
and outputs (`layers.training.train`, all steps in one compiled scan); it is
deterministic under its seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from layers.training import train

__all__ = ["RegressorConfig", "fit_regressor"]


@dataclass(frozen=True)
class RegressorConfig:
    """Hyper-parameters of the regressor used for the dataset form.

    Attributes:
        hidden: widths of the hidden layers (swish activations).
        steps: full-batch Adam steps.
        learning_rate: initial Adam learning rate (cosine-decayed to 1% of it).
    """

    hidden: tuple[int, ...] = (64, 64)
    steps: int = 3000
    learning_rate: float = 3e-3


def _init(key, sizes: list[int]) -> list[tuple[jax.Array, jax.Array]]:
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        weight = jax.random.normal(sub, (fan_in, fan_out), jnp.float64) / np.sqrt(fan_in)
        params.append((weight, jnp.zeros(fan_out, jnp.float64)))
    return params


def _forward(params, x: jax.Array) -> jax.Array:
    for weight, bias in params[:-1]:
        x = jax.nn.swish(x @ weight + bias)
    weight, bias = params[-1]
    return (x @ weight + bias)[..., 0]


def fit_regressor(
    points: np.ndarray, labels: np.ndarray, config: RegressorConfig, seed: int
) -> tuple[Callable, float]:
    """Fits ``y ~ f(x_1, .., x_m)`` and returns ``f`` as a jax oracle.

    Args:
        points: float ``(n, m, d)``, the inputs (``m`` vectors of ``R^d`` per sample).
        labels: float ``(n,)``.
        config: hyper-parameters.
        seed: seed of the initialisation.

    Returns:
        ``(oracle, relative_mse)``: ``oracle(*x)`` maps ``m`` arrays ``(d,)`` to a scalar
        (jax-traceable, in the original units of ``y``); ``relative_mse`` is the training
        mean squared error divided by the variance of ``y``.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(64, 1, 2))
        >>> f, error = fit_regressor(x, (x**2).sum((1, 2)), RegressorConfig(steps=300), 0)
        >>> error < 0.1
        True
    """
    n, m, d = points.shape
    with jax.enable_x64(True):
        flat = jnp.asarray(points.reshape(n, m * d), jnp.float64)
        y = jnp.asarray(labels, jnp.float64)
        x_shift, x_scale = flat.mean(0), flat.std(0) + 1e-12
        y_shift, y_scale = y.mean(), y.std() + 1e-12
        inputs, targets = (flat - x_shift) / x_scale, (y - y_shift) / y_scale
        params = _init(jax.random.PRNGKey(seed), [m * d, *config.hidden, 1])
        schedule = optax.cosine_decay_schedule(config.learning_rate, config.steps, alpha=0.01)
        optimizer = optax.adam(schedule)

        def loss_fn(p, x, y):
            return jnp.mean((_forward(p, x) - y) ** 2)

        result = train(loss_fn, params, (inputs, targets), optimizer=optimizer,
                       epochs=config.steps, batch_size=n, shuffle=False, evaluations=1,
                       compiled=True, progress=False)  # fmt: skip
        params = result.params
        relative_mse = float(loss_fn(params, inputs, targets))
    trained = jax.tree_util.tree_map(np.asarray, params)
    shifts = (np.asarray(x_shift), np.asarray(x_scale), float(y_shift), float(y_scale))

    def oracle(*vectors):
        x = jnp.concatenate([jnp.reshape(v, (-1,)) for v in vectors])
        z = (x - shifts[0]) / shifts[1]
        return _forward(trained, z[None])[0] * shifts[3] + shifts[2]

    return oracle, relative_mse
