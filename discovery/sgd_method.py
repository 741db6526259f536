"""The "sgd" method: a fixed number of generators learned by gradient descent.

The generators ``A (k, d, d)`` are trainable and minimise (optax Adam, float64)

* invariance: ``(1/k) sum_i vec(A_i)^T M vec(A_i)`` with ``M = C^T C`` normalised to mean
  eigenvalue 1, ``C`` the invariance rows (`discovery.oracles`): the first-order form of
  ``(f(x + eps A x) - f(x))^2 / eps^2`` averaged over the samples;
* normalisation: ``mean_i (|A_i|_F^2 - 1)^2``;
* orthogonality: the mean squared off-diagonal entry of the Gram matrix ``<A_i, A_j>_F``;
* closure (optional): the mean over pairs ``i < j`` of
  ``|[A_i, A_j] - sum_l <A_l, [A_i, A_j]> A_l|_F^2``, the part of each commutator outside
  ``span(A)`` (exactly so once the generators are orthonormal).

Every loss is zero exactly when the generators are an orthonormal basis of a
``k``-dimensional subalgebra of symmetries; a run succeeds when every final loss is below
``loss_tol`` and the closure error (`groups.closure_residual`) below ``closure_tol``.
Otherwise, e.g. asking for 2 generators of the norm in R^3 (so(3) has no 2-dimensional
subalgebra), the run is reported as failed.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from groups.checks import check_int, check_real

__all__ = ["SGDConfig", "train_generators", "LOSS_NAMES"]

LOSS_NAMES = ("invariance", "normalization", "orthogonality", "closure")


@dataclass(frozen=True)
class SGDConfig:
    """Hyper-parameters and success thresholds of the "sgd" method.

    Attributes:
        steps: Adam steps (full batch over the precomputed invariance rows).
        learning_rate: initial learning rate, decayed exponentially to
            ``final_learning_rate`` at the last step.
        final_learning_rate: learning rate at the last step.
        closure_loss: train with the closure loss (it is always measured and reported).
        weights: weights of (invariance, normalization, orthogonality, closure).
        loss_tol: largest final value of each loss accepted as success; None for the
            default of the gradient source (1e-8 for an oracle, 1e-2 for a dataset, whose
            learned regressor is only approximately invariant).
        closure_tol: largest closure error (relative residual) accepted as success; None
            for 1e-3 (oracle) or 0.1 (dataset).
        history_points: how many times the total loss is recorded (and early stopping
            checked) during training.
        stop_below: training stops early, at a recording point, once the total loss is
            below this value (well under ``loss_tol``: nothing is left to gain).

    Raises:
        TypeError: if ``steps`` or ``history_points`` is not an integer, or a rate or
            threshold is not a real number (bools are neither; ``loss_tol`` and
            ``closure_tol`` may be None).
        ValueError: if one of them is not positive, or a rate or threshold not finite.
    """

    steps: int = 3000
    learning_rate: float = 2e-2
    final_learning_rate: float = 1e-5
    closure_loss: bool = True
    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    loss_tol: float | None = None
    closure_tol: float | None = None
    history_points: int = 20
    stop_below: float = 1e-14

    def __post_init__(self):
        checked = {
            name: check_int(getattr(self, name), f"SGDConfig.{name}", minimum=1)
            for name in ("steps", "history_points")
        }
        for name in (
            "learning_rate",
            "final_learning_rate",
            "loss_tol",
            "closure_tol",
            "stop_below",
        ):
            optional = name in ("loss_tol", "closure_tol")
            value = getattr(self, name)
            checked[name] = check_real(value, f"SGDConfig.{name}", above=0, optional=optional)
        for name, value in checked.items():  # plain ints and floats (frozen: no setattr)
            object.__setattr__(self, name, value)
        if len(self.weights) != 4 or any(not w >= 0 for w in self.weights):
            raise ValueError(
                f"SGDConfig.weights needs 4 non-negative numbers {LOSS_NAMES}; got "
                f"{self.weights!r}."
            )


def _losses(flat: jax.Array, metric: jax.Array, d: int) -> jax.Array:
    """The four losses for generators ``flat (k, d*d)``, as an array ``(4,)``."""
    k = flat.shape[0]
    invariance = jnp.einsum("ia,ab,ib->", flat, metric, flat) / k
    gram = flat @ flat.T
    normalization = jnp.mean((jnp.diag(gram) - 1.0) ** 2)
    off_diagonal = gram - jnp.diag(jnp.diag(gram))
    orthogonality = jnp.sum(off_diagonal**2) / max(k * (k - 1), 1)
    if k < 2:
        return jnp.stack([invariance, normalization, orthogonality, 0.0 * invariance])
    matrices = flat.reshape(k, d, d)
    products = jnp.einsum("iab,jbc->ijac", matrices, matrices)
    commutators = (products - products.transpose(1, 0, 2, 3)).reshape(k, k, d * d)
    # the generators are driven to orthonormality, so sum_l <A_l, C> A_l projects C onto
    # span(A) wherever the other losses vanish (cheaper and smoother than a Gram solve)
    coefficients = jnp.einsum("la,ija->lij", flat, commutators)
    outside = commutators - jnp.einsum("lij,la->ija", coefficients, flat)
    closure = jnp.sum(outside**2) / (k * (k - 1))  # each unordered pair counted twice
    return jnp.stack([invariance, normalization, orthogonality, closure])


def train_generators(
    constraint: np.ndarray, k: int, d: int, config: SGDConfig, seed: int
) -> tuple[np.ndarray, dict[str, float], tuple[tuple[int, float], ...]]:
    """Trains ``k`` generators on the invariance rows ``constraint (m, d*d)``.

    Args:
        constraint: float64 ``(m, d*d)`` invariance (and extra linear) rows.
        k: number of generators, ``k >= 1``.
        d: matrix size.
        config: hyper-parameters.
        seed: seed of the initialisation (standard normal entries times ``1/d``).

    Returns:
        ``(generators (k, d, d) float64 as trained, final losses by name, history)`` with
        ``history`` a tuple of ``(step, total loss)``.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(18, 3))
        >>> rows = np.einsum("ni,nj->nij", x, x).reshape(18, 9)  # the norm in R^3
        >>> A, losses, _ = train_generators(rows, 3, 3, SGDConfig(), seed=0)
        >>> A.shape, losses["invariance"] < 1e-8
        ((3, 3, 3), True)
    """
    gram = constraint.T @ constraint
    trace = float(np.trace(gram))
    metric_np = gram * (d * d / trace) if trace > 0 else gram
    weights_np = np.array(config.weights, dtype=np.float64)
    if not config.closure_loss:
        weights_np[3] = 0.0
    chunks = max(1, min(config.history_points, config.steps))
    per_chunk = -(-config.steps // chunks)
    with jax.enable_x64(True):
        metric = jnp.asarray(metric_np)
        weights = jnp.asarray(weights_np)
        key = jax.random.PRNGKey(seed)
        params = jax.random.normal(key, (k, d * d), jnp.float64) / d
        decay = (config.final_learning_rate / config.learning_rate) ** (1.0 / config.steps)
        schedule = optax.exponential_decay(config.learning_rate, 1, decay)
        optimizer = optax.adam(schedule)

        def total(flat):
            return jnp.dot(weights, _losses(flat, metric, d))

        def body(_, carry):
            flat, state = carry
            grads = jax.grad(total)(flat)
            updates, state = optimizer.update(grads, state, flat)
            return optax.apply_updates(flat, updates), state

        @jax.jit
        def run(flat, state, count):
            return jax.lax.fori_loop(0, count, body, (flat, state))

        state = optimizer.init(params)
        history, done = [], 0
        while done < config.steps:
            count = min(per_chunk, config.steps - done)
            params, state = run(params, state, count)
            done += count
            history.append((done, float(total(params))))
            if history[-1][1] < config.stop_below:
                break
        final = np.asarray(_losses(params, metric, d))
        generators = np.asarray(params).reshape(k, d, d)
    losses = {name: float(value) for name, value in zip(LOSS_NAMES, final, strict=True)}
    return generators, losses, tuple(history)
