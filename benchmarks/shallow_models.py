"""Targets, models and training of ``python -m benchmarks.shallow`` (parts 2 and 3).

A random G-invariant teacher and its data, the Haiku models compared (`InvariantShallow`,
`layers.EMLP`, `layers.MLP`), a full-batch Adam loop compiled once per model, and the
EMLP/MLP width whose parameter count matches a G-SNN's.
"""

from __future__ import annotations

import numpy as np

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


def train_full_batch(model, train, *, steps: int, lr: float, seed: int, val=None, test=None,
                     elements=None) -> dict:  # fmt: skip
    """Full-batch Adam on ``train = (x, y)``, every step in one compiled `jax.lax.scan`.

    With ``val``, the parameters of the best validation MSE (measured before every step
    and after the last) are kept, else the last ones. Returns ``{"initial_mse",
    "train_mse", "params"}`` and with ``val`` ``"best_val_mse"``, with ``test``
    ``"test_mse"``, with ``elements`` (``(|G|, d, d)`` matrices) ``"equivariance_error"``:
    ``max_g |f(rho(g) x) - f(x)|`` over the test (else training) inputs.
    """
    import jax
    import jax.numpy as jnp
    import optax

    def arrays(split):
        return None if split is None else tuple(jnp.asarray(a, jnp.float32) for a in split)

    train, val, test = arrays(train), arrays(val), arrays(test)
    optimizer = optax.adam(lr)

    def mse(p, split):
        return jnp.mean((model.apply(p, split[0]) - split[1]) ** 2)

    # eager: its many small random draws compile once per shape, not once per training set
    params = model.init(jax.random.PRNGKey(seed), train[0][:1])

    @jax.jit
    def run(p0):  # training and evaluation: one compilation
        def body(carry, _):
            p, state, best, best_val = carry
            if val is not None:
                value = mse(p, val)
                better = value < best_val
                best = jax.tree.map(lambda a, b: jnp.where(better, a, b), p, best)
                best_val = jnp.minimum(value, best_val)
            loss, grads = jax.value_and_grad(mse)(p, train)
            updates, state = optimizer.update(grads, state, p)
            return (optax.apply_updates(p, updates), state, best, best_val), loss

        init = (p0, optimizer.init(p0), p0, jnp.inf)
        (p, _, best, best_val), losses = jax.lax.scan(body, init, None, length=steps)
        out = {"initial_mse": mse(p0, train), "min_loss": jnp.min(losses)}
        if val is not None:
            last = mse(p, val)
            p = jax.tree.map(lambda a, b: jnp.where(last < best_val, a, b), p, best)
            out["best_val_mse"] = jnp.minimum(last, best_val)
        out["train_mse"] = mse(p, train)
        if test is not None:
            out["test_mse"] = mse(p, test)
        if elements is not None:
            x = (test or train)[0]
            moved = jnp.einsum("gij,nj->gni", jnp.asarray(elements, jnp.float32), x)
            outputs = jax.vmap(lambda z: model.apply(p, z))(moved)
            out["equivariance_error"] = jnp.max(jnp.abs(outputs - model.apply(p, x)))
        return p, out

    params, out = run(params)
    result = {k: float(v) for k, v in out.items()}
    if val is None:  # the last parameters, or the smallest loss seen during training
        result["train_mse"] = min(result["train_mse"], result.pop("min_loss"))
    else:
        result.pop("min_loss")
    return result | {"params": params}


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
