"""Targets, data, models and training of ``python -m benchmarks.hardness``.

Inputs are ``n x n`` matrices flattened row-major, the representation ``V(S(n))**2`` on
which a permutation ``P`` acts by ``A -> P A P^T``. Two targets (module docstring of
`benchmarks.hardness` for why):

* ``easy``: i.i.d. standard normal ``X``; a random invariant two-layer ReLU teacher
  ``f(X) = sum_c a_c mean_i ReLU(<u_c, phi_i(X)> + b_c)`` on the five equivariant vertex
  features ``phi_i`` (`vertex_features`), standardised to mean 0 and variance 1.
* ``hard``: an Erdős–Rényi graph ``G(n, 1/2)`` (``+1`` edge, ``-1`` no edge, ``0`` on the
  diagonal) labelled ``(-1)^{#{v : deg(v) in D}}`` for a hidden set ``D`` of degree values
  drawn per seed (`degree_set`).

Models: ``invariant`` (`layers.regular` with hidden layers ``c1 V`` and ``c2 Scalar`` and
pointwise ReLU) and ``mlp`` (`layers.core.mlp_plan` on the ``n^2`` coordinates).

Training (`train_model`) runs in the shared loop `layers.training.train` with
``compiled=True`` (all steps in one `jax.lax.scan`, the training set on the device and
each batch gathered there): Adam on MSE over the first ``n_train`` pool points, epochs of
seeded permutations (``numpy.random.default_rng(seed)``) cut into
``n_train // min(batch, n_train)`` batches **without replacement** (the remainder of each
permutation is dropped), ``ceil(steps / batches_per_epoch)`` epochs and exactly ``steps``
optimiser steps (``max_steps``; the last epoch may stop part-way). One evaluation at the
end, so the steps run in a single scan. ``final_loss`` is the training MSE of the final
parameters on all ``n_train`` points (the same number as ``train_mse``; the field is kept
so that records keep their keys).

Protocol change (from the run of 2026-12-03 on): before, the benchmark had a program of
its own that drew every batch *with replacement* from the pool prefix, with ``n_train`` a
traced argument so that one compilation served every size and seed, and ``final_loss``
was the mean batch loss over the last tenth of the steps. Now batches are drawn without
replacement and the scan is compiled once per model and training size (the loop reuses
its program across seeds: the loss and the optimizer are the same objects, `_loss` and
`_adam`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from emlp_core import Scalar, V
from emlp_core.memory import check_memory
from groups import S
from groups.checks import check_int, check_real, check_seed

__all__ = [
    "TARGETS",
    "MODELS",
    "HardnessData",
    "vertex_features",
    "easy_teacher",
    "degree_set",
    "hard_labels",
    "memory_estimate",
    "make_data",
    "model_plan",
    "train_model",
]

TARGETS = ("easy", "hard")
MODELS = ("invariant", "mlp")
MIN_N = 4
TEACHER_CHANNELS = 8
INVARIANT_CHANNELS = (16, 32)
"""``(c1, c2)``: hidden ``c1`` copies of ``V`` (per-vertex units), then ``c2`` scalars."""
MLP_WIDTH, MLP_LAYERS = 256, 2
REFERENCE_POINTS = 4096


@dataclass(frozen=True)
class HardnessData:
    """A training pool (nested prefixes are the training sets) and a test set.

    ``x_*``: ``(count, n * n)`` float32; ``y_*``: ``(count,)`` float32 (unit variance for
    ``easy``, ``+-1`` for ``hard``); ``available`` = ``len(x_pool)``.
    """

    target: str
    n: int
    seed: int
    x_pool: np.ndarray
    y_pool: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def available(self) -> int:
        return len(self.x_pool)


def vertex_features(x: np.ndarray, n: int) -> np.ndarray:
    """The five linear ``S(n)``-equivariant maps ``V**2 -> V``, each of unit scale.

    Args:
        x: ``(count, n * n)`` flattened matrices.
        n: the number of vertices.

    Returns:
        ``(count, n, 5)``: row sums and column sums over ``sqrt(n)``, the diagonal, the
        trace over ``sqrt(n)`` and the total over ``n`` (the last two the same at every
        vertex). Permuting ``A -> P A P^T`` permutes the vertex axis.

    Example:
        >>> vertex_features(np.eye(3).reshape(1, 9), 3)[0, 0].round(3).tolist()
        [0.577, 0.577, 1.0, 1.732, 1.0]
    """
    a = np.asarray(x, np.float64).reshape(-1, n, n)
    diag = np.diagonal(a, axis1=1, axis2=2)
    scale = np.sqrt(n)
    invariant = np.stack([diag.sum(1) / scale, a.sum((1, 2)) / n], -1)[:, None, :]
    per_vertex = np.stack([a.sum(2) / scale, a.sum(1) / scale, diag], -1)
    return np.concatenate([per_vertex, np.broadcast_to(invariant, (len(a), n, 2))], -1)


def easy_teacher(n: int, seed: int, channels: int = TEACHER_CHANNELS):
    """A random invariant two-layer teacher ``x (count, n * n) -> y (count,)`` float64.

    ``f = sum_c a_c mean_i ReLU(<u_c, phi_i(x)> + b_c)`` (``phi``: `vertex_features`),
    shifted and scaled to mean 0 and variance 1 on `REFERENCE_POINTS` normal inputs.

    Example:
        >>> f = easy_teacher(5, seed=0)
        >>> x = np.random.default_rng(0).standard_normal((2, 25))
        >>> p = np.random.default_rng(1).permutation(5)
        >>> moved = x.reshape(2, 5, 5)[:, p][:, :, p].reshape(2, 25)
        >>> bool(np.allclose(f(x), f(moved)))
        True
    """
    rng = np.random.default_rng([seed, 11, n])
    u = rng.standard_normal((channels, 5)) / np.sqrt(5)
    b = 0.5 * rng.standard_normal(channels)
    a = rng.standard_normal(channels) / np.sqrt(channels)

    def raw(x):
        return (np.maximum(vertex_features(x, n) @ u.T + b, 0.0).mean(1)) @ a

    ref = raw(np.random.default_rng([seed, 12, n]).standard_normal((REFERENCE_POINTS, n * n)))
    mean, std = ref.mean(), ref.std()
    return lambda x: (raw(x) - mean) / std


def degree_set(n: int, seed: int, tolerance: float = 0.05) -> tuple[int, ...]:
    """A hidden set ``D`` of degree values whose labels are balanced: ``|E y| <= tolerance``.

    Each value ``0 .. n - 1`` joins ``D`` with probability 1/2 (seeded) until the mean of
    `hard_labels` on `REFERENCE_POINTS` seeded ``G(n, 1/2)`` graphs is within
    ``tolerance`` of 0. The even and the odd degrees are refused outright: the number of
    odd-degree vertices is always even (handshake lemma), so either makes the parity
    constant; a set that agrees with one of them on the likely degrees gives a nearly
    constant label and fails the balance test.

    Example:
        >>> d = degree_set(8, seed=0)
        >>> d != tuple(range(0, 8, 2)) and d != tuple(range(1, 8, 2))
        True
    """
    n = check_int(n, "n", minimum=MIN_N, where="degree_set")
    reference = _sample("hard", n, REFERENCE_POINTS, np.random.default_rng([seed, 15, n]))
    parity_classes = {tuple(range(0, n, 2)), tuple(range(1, n, 2))}
    rng = np.random.default_rng([seed, 13, n])
    while True:
        chosen = tuple(int(d) for d in np.flatnonzero(rng.random(n) < 0.5))
        if chosen in parity_classes:
            continue
        if abs(hard_labels(reference, n, chosen).mean()) <= tolerance:
            return chosen


def hard_labels(x: np.ndarray, n: int, degrees: tuple[int, ...]) -> np.ndarray:
    """``(-1)^{#{v : deg(v) in degrees}}`` of ``(count, n * n)`` graphs: ``(count,)`` +-1.

    An edge is a positive entry; ``deg(v)`` counts the positive entries of row ``v``.

    Example:
        >>> path = -np.ones((3, 3)); path[0, 1] = path[1, 0] = path[1, 2] = path[2, 1] = 1
        >>> hard_labels(path.reshape(1, 9), 3, (1,)).tolist()  # two vertices of degree 1
        [1.0]
    """
    deg = (np.asarray(x).reshape(-1, n, n) > 0).sum(2)
    return 1.0 - 2.0 * (np.isin(deg, degrees).sum(1) % 2)


def memory_estimate(n: int, pool: int, n_test: int) -> float:
    """Bytes for the data (float64 while drawn, float32 kept) and the larger model."""
    data = 12.0 * n * n * (pool + n_test)
    weights = 4.0 * 4 * n * n * max(INVARIANT_CHANNELS[0] * n, MLP_WIDTH)  # with Adam's
    return data + weights


def _sample(target: str, n: int, count: int, rng: np.random.Generator) -> np.ndarray:
    if target == "easy":
        return rng.standard_normal((count, n * n))
    upper = np.triu(rng.random((count, n, n)) < 0.5, 1)
    signs = np.where(upper | upper.transpose(0, 2, 1), 1.0, -1.0)
    signs[:, np.arange(n), np.arange(n)] = 0.0
    return signs.reshape(count, n * n)


def make_data(target: str, n: int, pool: int, n_test: int, seed: int) -> HardnessData:
    """The pool and test set of ``target`` on ``n`` vertices (memory checked first).

    Raises:
        ValueError: an unknown ``target``; ``n < 4``, ``pool`` or ``n_test < 1``; data
            and models above the memory limit (`emlp_core.memory.check_memory`).
        TypeError: non-integer ``n``, ``pool``, ``n_test`` or ``seed``.

    Example:
        >>> data = make_data("hard", 6, pool=8, n_test=4, seed=0)
        >>> data.x_pool.shape, data.y_test.shape, data.available
        ((8, 36), (4,), 8)
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}; got {target!r}.")
    n = check_int(n, "n", minimum=MIN_N, where="make_data")
    pool = check_int(pool, "pool", minimum=1, where="make_data")
    n_test = check_int(n_test, "n_test", minimum=1, where="make_data")
    seed = check_seed(seed, where="make_data")
    check_memory(memory_estimate(n, pool, n_test), f"hardness data and models at n = {n}")
    if target == "easy":
        label = easy_teacher(n, seed)
    else:
        degrees = degree_set(n, seed)

        def label(x):
            return hard_labels(x, n, degrees)

    rng = np.random.default_rng([seed, 14, n, TARGETS.index(target)])
    parts = []
    for count in (pool, n_test):
        x = _sample(target, n, count, rng)
        parts += [x.astype(np.float32), label(x).astype(np.float32)]
    return HardnessData(target, n, seed, *parts)


@functools.lru_cache(maxsize=32)
def model_plan(kind: str, n: int):
    """``(plan, init, apply)`` of the ``invariant`` or ``mlp`` model on ``V(S(n))**2``.

    Example:
        >>> plan, init, apply = model_plan("invariant", 6)
        >>> plan.num_params()
        673
    """
    from layers.core import mlp_apply, mlp_init, mlp_plan
    from layers.regular import regular_mlp_apply, regular_mlp_init, regular_mlp_plan

    group = S(n)
    if kind == "invariant":
        c1, c2 = INVARIANT_CHANNELS
        hidden = [c1 * V(group), c2 * Scalar(group)]
        plan = regular_mlp_plan(V(group) ** 2, Scalar(group), group, ch=hidden, num_layers=2)
        return plan, regular_mlp_init, regular_mlp_apply
    if kind == "mlp":
        plan = mlp_plan(V(group) ** 2, Scalar(group), group, ch=MLP_WIDTH, num_layers=MLP_LAYERS)
        return plan, mlp_init, mlp_apply
    raise ValueError(f"model must be one of {MODELS}; got {kind!r}.")


@functools.lru_cache(maxsize=32)
def _compiled(kind: str, n: int):
    """Jitted ``init(key)`` and ``apply(params, x)``: one compilation each, not one per op."""
    plan, init, apply = model_plan(kind, n)
    return jax.jit(lambda key: init(plan, key)), jax.jit(lambda p, x: apply(plan, p, x))


@functools.lru_cache(maxsize=32)
def _loss(kind: str, n: int):
    """``loss(params, x (b, n * n), y (b,)) -> scalar``: the batch MSE of the model."""
    plan, _, apply = model_plan(kind, n)

    def loss(params, x, y):
        return jnp.mean((apply(plan, params, x)[:, 0] - y) ** 2)

    return loss


@functools.lru_cache(maxsize=8)
def _adam(lr: float):
    """One optax Adam per learning rate: with the cached loss, the training loop reuses its
    compiled program for every seed of a size."""
    return optax.adam(lr)


def train_model(kind: str, data: HardnessData, n_train: int, *, steps: int, lr: float = 3e-3,
                batch: int = 128, seed: int = 0) -> dict:  # fmt: skip
    """Adam on the first ``n_train`` pool points through `layers.training.train`.

    Mini-batches of ``min(batch, n_train)`` rows come from seeded permutations (without
    replacement); ``steps`` optimiser steps in all, in one compiled scan (module docstring).

    Returns:
        ``{"params", "num_params", "test_mse", "test_acc" (sign agreement), "train_mse",
        "final_loss" (= ``train_mse``: MSE of the final parameters on all ``n_train``
        points), "equivariance_error"}``: ``max`` relative ``|f(rho(g) x) - f(x)|`` over
        5 sampled permutations and 16 test inputs (`layers.equivariance`).

    Raises:
        ValueError: ``n_train`` above ``data.available`` or below 1, unknown ``kind``.

    Example:
        >>> data = make_data("easy", 5, pool=32, n_test=1024, seed=0)
        >>> out = train_model("invariant", data, 32, steps=5)
        >>> out["equivariance_error"] < 1e-4
        True
    """
    from layers.core import tree_size
    from layers.equivariance import equivariance_error
    from layers.training import train

    n_train = check_int(n_train, "n_train", minimum=1, where="train_model")
    if n_train > data.available:
        raise ValueError(
            f"train_model: n_train = {n_train} is larger than the {data.available} training "
            "points available in the pool; draw a larger pool (make_data(pool=...), --pool)."
        )
    steps = check_int(steps, "steps", minimum=1, where="train_model")
    batch = check_int(batch, "batch", minimum=1, where="train_model")
    lr = check_real(lr, "lr", above=0, where="train_model")
    seed = check_seed(seed, where="train_model")
    init, apply = _compiled(kind, data.n)
    per_epoch = n_train // min(batch, n_train)
    result = train(_loss(kind, data.n), init(jax.random.PRNGKey(seed)),
                   (data.x_pool[:n_train], data.y_pool[:n_train]), optimizer=_adam(lr),
                   epochs=math.ceil(steps / per_epoch), batch_size=batch, max_steps=steps,
                   seed=seed, evaluations=1, compiled=True, progress=False)  # fmt: skip
    params = result.params

    def predict(x):
        return np.asarray(apply(params, jnp.asarray(x, jnp.float32)))[:, 0]

    test, train_pred = predict(data.x_test), predict(data.x_pool[:n_train])
    train_mse = float(np.mean((train_pred - data.y_pool[:n_train]) ** 2))
    group = S(data.n)
    error = equivariance_error(lambda v: apply(params, jnp.asarray(v, jnp.float32)),
                               V(group) ** 2, Scalar(group), group, x=data.x_test[:16])  # fmt: skip
    return {
        "params": params,
        "num_params": tree_size(params),
        "test_mse": float(np.mean((test - data.y_test) ** 2)),
        "test_acc": float(np.mean(np.sign(test) == data.y_test)),
        "train_mse": train_mse,
        "final_loss": train_mse,
        "equivariance_error": float(error),
    }
