"""Targets, models and training of ``python -m benchmarks.shallow`` (parts 2 and 3).

A random G-invariant teacher and its data, the Haiku models compared (`InvariantShallow`,
`layers.EMLP`, `layers.MLP`), full-batch Adam by `layers.training.train` (compiled once
per model and training-set size), and the EMLP/MLP width whose parameter count matches a
G-SNN's.
"""

from __future__ import annotations

import numpy as np

from groups.caching import cached

METHODS = ("gsnn", "emlp", "mlp")
TEACHER_WIDTH = 16
REFERENCE_POINTS = 4096


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


def type1_architecture(group, order: int):
    """The accepted type-1 architecture whose subgroup has ``order`` elements (1 or |G|)."""
    from emlp_core.shallow import enumerate_invariant_shallow

    for a in enumerate_invariant_shallow(group):
        if a.type == 1 and a.accepted and a.subgroup.order == order:
            return a
    raise ValueError(f"{group!r} has no accepted type-1 architecture with |H| = {order}.")


def haiku_model(kind: str, group_or_architecture, width: int, num_layers: int = 1):
    """The Haiku ``(init, apply)`` of a G-SNN (``gsnn``: `InvariantShallow` of a group or an
    architecture, ``width`` channels), `layers.EMLP` or `layers.MLP` (``V -> Scalar``, ``ch =
    width``), or ``defining``: `layers.RegularMLP` with one hidden layer of ``width`` copies
    of ``Scalar + V`` and pointwise ReLU (``V`` of a permutation group)."""
    import haiku as hk

    from emlp_core import Scalar, V
    from layers import EMLP, MLP, RegularMLP
    from layers.shallow_haiku import InvariantShallow

    def forward(z):
        if kind == "gsnn":
            return InvariantShallow(group_or_architecture, channels=width)(z)
        group = group_or_architecture
        if kind == "defining":
            hidden = width * (Scalar + V)
            return RegularMLP(V(group), Scalar(group), group, ch=[hidden], num_layers=1)(z)
        cls = EMLP if kind == "emlp" else MLP
        return cls(V(group), Scalar(group), group, ch=width, num_layers=num_layers)(z)

    return hk.without_apply_rng(hk.transform(forward))


EVAL_EVERY = 10
"""Steps between two measurements of the best-parameter criterion in `train_full_batch`."""


@cached(maxsize=64)
def training_functions(model, lr: float):
    """``(loss, optimizer, mse, invariance_error)`` of a Haiku ``model``, one set per
    ``(model, lr)``: `layers.training.train` caches its compiled scans per loss and
    optimizer object, so every run of one model (seeds, equal training-set sizes) reuses
    them. ``loss(params, x, y)`` and ``mse(params, x, y)`` are the mean squared error
    (``mse`` jitted), ``invariance_error(params, elements (|G|, d, d), x (n, d))`` is
    ``max_g |f(rho(g) x) - f(x)|`` (jitted)."""
    import jax
    import jax.numpy as jnp
    import optax

    def loss(params, x, y):
        return jnp.mean((model.apply(params, x) - y) ** 2)

    @jax.jit
    def invariance_error(params, elements, x):
        moved = jnp.einsum("gij,nj->gni", elements, x)
        outputs = jax.vmap(lambda z: model.apply(params, z))(moved)
        return jnp.max(jnp.abs(outputs - model.apply(params, x)))

    return loss, optax.adam(lr), jax.jit(loss), invariance_error


def train_full_batch(model, train, *, steps: int, lr: float, seed: int, val=None, test=None,
                     elements=None, eval_every: int = EVAL_EVERY) -> dict:  # fmt: skip
    """Full-batch Adam on ``train = (x, y)`` by `layers.training.train` (``compiled=True``:
    the ``eval_every`` steps between two evaluations run in one compiled scan).

    The MSE on ``val`` (default: on ``train``) is measured at initialisation, after every
    ``eval_every``-th step and after the last; the parameters with the lowest are kept
    (previously it was measured before every step, see `benchmarks.shallow`). Returns
    ``{"initial_mse", "train_mse", "params"}`` (``train_mse`` of the kept parameters) and
    with ``val`` ``"best_val_mse"``, with ``test`` ``"test_mse"``, with ``elements``
    (``(|G|, d, d)`` matrices) ``"equivariance_error"``: ``max_g |f(rho(g) x) - f(x)|``
    over the test (else training) inputs. Models and ``lr`` shared across runs reuse the
    compiled programs (`training_functions`).
    """
    import jax
    import jax.numpy as jnp

    from layers.training import train as train_loop

    def arrays(split):
        return None if split is None else tuple(jnp.asarray(a, jnp.float32) for a in split)

    train, val, test = arrays(train), arrays(val), arrays(test)
    loss, optimizer, mse, invariance_error = training_functions(model, lr)
    criterion = val or train

    # eager: its many small random draws compile once per shape, not once per training set
    params = model.init(jax.random.PRNGKey(seed), train[0][:1])
    result = train_loop(
        loss, params, train, optimizer=optimizer, epochs=steps, batch_size=len(train[0]),
        seed=seed, validate=lambda p: float(mse(p, *criterion)), eval_every=eval_every,
        shuffle=False, compiled=True, progress=False,
    )  # fmt: skip
    best, best_val = result.params, result.best_val
    initial = float(mse(params, *criterion))
    if best_val is None or initial < best_val:  # no finite value, or no step helped
        best, best_val = params, initial
    out = {"initial_mse": float(mse(params, *train))}
    if val is not None:
        out["best_val_mse"] = best_val
    out["train_mse"] = float(mse(best, *train))
    if test is not None:
        out["test_mse"] = float(mse(best, *test))
    if elements is not None:
        x = (test or train)[0]
        error = invariance_error(best, jnp.asarray(elements, jnp.float32), x)
        out["equivariance_error"] = float(error)
    return out | {"params": best}


def _num_params(kind: str, group, width: int, num_layers: int) -> int:
    """Parameters of the EMLP or MLP ``V -> Scalar`` of ``ch = width``, from its plan."""
    from emlp_core import Scalar, V
    from layers.core import emlp_plan, mlp_plan

    plan = emlp_plan if kind == "emlp" else mlp_plan
    return plan(V(group), Scalar(group), group, ch=width, num_layers=num_layers).num_params()


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
