"""Demo: discover a hidden symmetry, identify it, and train an EMLP on it against an MLP.

Usage::

    python -m discovery.demo            # under a minute on 2 CPU cores
    python -m discovery.demo --quick    # a few seconds of training, for a smoke test

The oracle is the EMLP paper's O(5) regression target moved to a hidden metric ``Q`` on
``R^4``: ``f(x, y) = sin|x|_Q - |y|_Q^3 / 2 + <x, y>_Q / (|x|_Q |y|_Q)`` with
``<x, y>_Q = x^T Q y``. Its symmetry group is the ``SO(4)`` of ``Q``, whose generators
``A`` satisfy ``A^T Q + Q A = 0`` and are *not* antisymmetric, so nothing in the
standard basis gives it away. The demo discovers the algebra (nullspace, sgd, and from a
noisy dataset), identifies it, breaks it with a vacuum vector, and trains an EMLP built
on the discovered group against an MLP (a small Adam loop; the equivariance error is
measured under the exact symmetry group of ``Q``, not the discovered one).
"""

from __future__ import annotations

import argparse
import functools
import time
import warnings

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.linalg

from discovery.algebra import to_group
from discovery.discover import discover_lie_algebra
from discovery.identify import identify
from discovery.regressor import RegressorConfig
from discovery.sparsify import sparsify
from discovery.subalgebras import annihilator
from emlp_core import Scalar, V
from groups import SO, Group
from layers import EMLP, MLP, Standardize, equivariance_error, standardization
from layers.training import train

__all__ = ["hidden_metric", "oracle", "largest_angle", "main"]

D = 4


def hidden_metric(seed: int = 1) -> np.ndarray:
    """The positive definite metric ``Q = L^T L`` hidden in the oracle, ``(4, 4)``.

    Example:
        >>> bool(np.all(np.linalg.eigvalsh(hidden_metric()) > 0))
        True
    """
    factor = np.eye(D) + 0.3 * np.random.default_rng(seed).standard_normal((D, D))
    return factor.T @ factor


def oracle(metric: np.ndarray):
    """The target ``f(x, y)`` for two vectors of ``R^4`` (jax-traceable; numpy works too).

    Example:
        >>> f = oracle(np.eye(4))
        >>> round(float(f(np.eye(4)[0], np.eye(4)[1])), 4)  # sin 1 - 1/2 + 0
        0.3415
    """
    Q = np.asarray(metric, dtype=np.float64)  # a numpy constant: float64 under jax x64

    def f(x, y):
        nx, ny = jnp.sqrt(x @ Q @ x), jnp.sqrt(y @ Q @ y)
        return jnp.sin(nx) - ny**3 / 2 + (x @ Q @ y) / (nx * ny)

    return f


def largest_angle(a: np.ndarray, b: np.ndarray) -> float:
    """Largest principal angle between the spans of two bases ``(k, d, d)`` (radians).

    Example:
        >>> from groups import SO
        >>> largest_angle(SO(3).lie_algebra, 2 * SO(3).lie_algebra) < 1e-12
        True
    """
    flat_a, flat_b = a.reshape(len(a), -1).T, b.reshape(len(b), -1).T
    return float(scipy.linalg.subspace_angles(flat_a, flat_b).max())


def _exact_algebra(metric: np.ndarray) -> np.ndarray:
    """The exact algebra ``{Q^-1 S : S antisymmetric}`` of the hidden metric, ``(6, 4, 4)``."""
    return np.linalg.solve(metric, SO(D).lie_algebra)


def _dataset(metric, n: int, seed: int, noise: float = 0.0):
    """``n`` samples ``x (n, 2, 4)`` of standard normal vectors and ``f(x) + noise``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2, D))
    inner = np.einsum("nai,ij,nbj->nab", x, metric, x)
    nx, ny = np.sqrt(inner[:, 0, 0]), np.sqrt(inner[:, 1, 1])
    y = np.sin(nx) - ny**3 / 2 + inner[:, 0, 1] / (nx * ny)
    return x, y + noise * rng.standard_normal(n)


def _discover(metric, quick: bool, seed: int):
    f = oracle(metric)
    exact = discover_lie_algebra(f, D, seed=seed)
    print(
        f"  nullspace : {exact.dim} generators in {exact.seconds:.2f} s, closure error "
        f"{exact.closure_error:.1e}, largest zero singular value {exact.losses['invariance']:.1e}"
        f" (next {exact.spectrum[exact.dim]:.1e})"
    )
    deviation = max(np.abs(A.T @ metric + metric @ A).max() for A in exact.algebra)
    angle = largest_angle(exact.algebra, _exact_algebra(metric))
    print(
        f"              max |A^T Q + Q A| = {deviation:.1e}; angle to the exact so(4)_Q "
        f"{angle:.1e} rad"
    )
    learned = discover_lie_algebra(f, D, method="sgd", n_generators=6, seed=seed)
    print(
        f"  sgd, k=6  : success={learned.success} in {learned.seconds:.2f} s, closure error "
        f"{learned.closure_error:.1e}, angle to nullspace span "
        f"{largest_angle(learned.algebra, exact.algebra):.1e} rad"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        too_many = discover_lie_algebra(f, D, method="sgd", n_generators=7, seed=seed)
    print(
        f"  sgd, k=7  : success={too_many.success}: no 7-dimensional algebra of symmetries "
        f"(final invariance loss {too_many.losses['invariance']:.1e}, closure error "
        f"{too_many.closure_error:.1e})"
    )
    x, y = _dataset(metric, 500 if quick else 2000, seed + 7, noise=0.01)
    regressor = RegressorConfig(steps=1500 if quick else 3000)
    data = discover_lie_algebra((x, y), D, seed=seed, regressor=regressor)
    print(
        f"  dataset   : {len(y)} noisy samples -> regressor (rel. MSE "
        f"{data.regressor_error:.1e}) -> {data.dim} generators in {data.seconds:.2f} s, angle "
        f"{largest_angle(data.algebra, exact.algebra):.1e} rad"
    )
    return exact


def _fit(network, data, seed: int, epochs: int, group) -> dict:
    """Adam through `layers.training.train`; the best-validation parameters are kept.

    Inputs and target are standardised as every benchmark does (`layers.standardization`:
    one RMS-norm scale per input vector, a scalar multiple that commutes with any group
    action; the invariant target centred and scaled).
    """
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data
    rep_in, rep_out = (2 * V)(group), Scalar(group)
    stats = standardization(x_train, y_train, rep_in, rep_out)
    model = hk.without_apply_rng(hk.transform(lambda x: Standardize(network(), stats)(x)))
    params = model.init(jax.random.PRNGKey(seed), jnp.asarray(x_train[:1]))
    predict = jax.jit(model.apply)

    def loss_fn(p, x, y):
        return jnp.mean((model.apply(p, x) - y) ** 2)

    def mse(p, x, y) -> float:
        return float(np.mean((np.asarray(predict(p, x)) - y) ** 2))

    result = train(loss_fn, params, (x_train, y_train), optimizer=optax.adam(3e-3),
                   epochs=epochs, batch_size=250, seed=seed, evaluations=20, progress=False,
                   validate=lambda p: mse(p, x_val, y_val))  # fmt: skip
    params = result.params
    return {
        "test_mse": mse(params, x_test, y_test),
        "equivariance_error": equivariance_error(
            lambda x: predict(params, x), rep_in, rep_out, x=x_test[:64]
        ),
        "seconds": result.seconds,
    }


def _train(group, exact_group, metric, quick: bool, seed: int) -> list[dict]:
    n_train, epochs, ch = (300, 60, 32) if quick else (1000, 300, 128)

    def split(n, s):
        x, y = _dataset(metric, n, s)
        return x.reshape(n, 2 * D).astype(np.float32), y[:, None].astype(np.float32)

    data = (split(n_train, seed + 1), split(500, seed + 2), split(2000, seed + 3))
    rep_in, rep_out = 2 * V, Scalar
    records = []
    for name, module in (("emlp", EMLP), ("mlp", MLP)):
        network = functools.partial(module, rep_in, rep_out, group, ch=ch)
        record = _fit(network, data, seed, epochs, exact_group)
        records.append({"method": name, "n_train": n_train, "epochs": epochs, **record})
    return records


def main(argv=None) -> list[dict]:
    """Runs the demo and prints its report; returns the training records."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small training run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    metric = hidden_metric()
    print("Oracle: f(x, y) = sin|x|_Q - |y|_Q^3/2 + <x,y>_Q/(|x|_Q |y|_Q), x, y in R^4,")
    print(f"        hidden metric Q with eigenvalues {np.round(np.linalg.eigvalsh(metric), 3)}")
    print("1. Discovery")
    exact = _discover(metric, args.quick, args.seed)
    print("2. Identification")
    report = identify(exact)
    print("  " + report.summary().replace("\n", "\n  "))
    vacuum = np.array([1.0, 0.0, 0.0, 0.0])
    broken = identify(annihilator(exact, vacuum))
    print(f"  vacuum v = e_1 leaves {broken.dim} generators: {broken.label} (SO(4) -> SO(3))")
    sparse = sparsify(exact)
    counts = [int(np.count_nonzero(A)) for A in sparse]
    print(f"  sparsified basis: non-zero entries per generator {counts} (dense: 16 each)")
    print("3. EMLP on the discovered group vs MLP (2 vectors -> scalar, test MSE)")
    group = to_group(exact, name="SO(4)_Q (discovered)")
    exact_group = Group(lie_algebra=_exact_algebra(metric), name="SO(4)_Q (exact)")
    records = _train(group, exact_group, metric, args.quick, args.seed)
    header = (
        f"  {'method':<6} {'n_train':>7} {'epochs':>6} {'test MSE':>10} {'equiv. err':>10} "
        f"{'seconds':>7}"
    )
    print(header)
    for r in records:
        print(
            f"  {r['method']:<6} {r['n_train']:>7} {r['epochs']:>6} {r['test_mse']:>10.4g} "
            f"{r['equivariance_error']:>10.2e} {r['seconds']:>7.1f}"
        )
    print(f"total {time.perf_counter() - start:.1f} s")
    return records


if __name__ == "__main__":
    main()
