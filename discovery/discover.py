"""`discover_lie_algebra`: the linear symmetries of an oracle or a labelled dataset.

A linear symmetry is a generator ``A (d, d)`` whose flow ``x -> x + eps A x`` (applied to
every vector argument) leaves the oracle unchanged to first order. The generators form
a Lie algebra; `discover_lie_algebra` returns an orthonormal basis of it (``"nullspace"``)
or of a learned ``k``-dimensional subalgebra (``"sgd"``), with diagnostics.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from discovery.algebra import as_algebra
from discovery.inputs import Problem, parse_problem
from discovery.nullspace_method import solve_nullspace
from discovery.oracles import commutation_rows, invariance_rows, oracle_gradients
from discovery.regressor import RegressorConfig, fit_regressor
from discovery.sgd_method import SGDConfig, train_generators
from groups.checks import check_bool, check_int, check_real
from groups.lie_algebra import closure_residual

__all__ = ["DiscoveryResult", "DiscoveryError", "discover_lie_algebra", "METHODS", "DEFAULTS"]

METHODS = ("nullspace", "sgd")
# Defaults by gradient source: the nullspace cut-off and the closure error accepted
# (nullspace), the final loss and the closure error accepted (sgd). A regressor learned
# from data is only approximately invariant, so its thresholds are loose.
DEFAULTS = {
    "jax": {"tol": None, "closure_tol": 1e-6, "loss_tol": 1e-8, "sgd_closure_tol": 1e-3},
    "finite_difference": {
        "tol": 1e-6,
        "closure_tol": 1e-4,
        "loss_tol": 1e-8,
        "sgd_closure_tol": 1e-3,
    },
    "regressor": {"tol": 5e-2, "closure_tol": 0.1, "loss_tol": 1e-2, "sgd_closure_tol": 0.1},
}


class DiscoveryError(RuntimeError):
    """Raised by ``discover_lie_algebra(..., strict=True)`` when a run does not succeed."""


@dataclass(frozen=True, repr=False, eq=False)
class DiscoveryResult:
    """What a discovery run found, with the numbers needed to judge it.

    Attributes:
        algebra: float64 ``(k, d, d)``, orthonormal in the Frobenius inner product.
        method: ``"nullspace"`` or ``"sgd"``.
        success: False when the run did not meet its criteria (see ``message``).
        message: a one-line verdict.
        closure_error: `groups.closure_residual` of ``algebra`` (relative residual of the
            structure constants; about 1e-15 for an exact algebra).
        losses: final losses by name. ``"sgd"``: invariance, normalization,
            orthogonality, closure. ``"nullspace"``: ``{"invariance": r}`` with ``r`` the
            largest singular value declared zero, relative to the largest.
        spectrum: ``"nullspace"`` only: relative singular values of the constraint,
            ascending ``(d*d,)`` (shows the gap at the cut-off); empty for ``"sgd"``.
        n_equations: rows of the linear system (samples plus extra constraints).
        gradient: ``"jax"``, ``"finite_difference"`` or ``"regressor"`` (dataset form).
        seconds: wall time of the whole run.
        history: ``"sgd"`` only: ``(step, total loss)`` pairs.
        regressor_error: dataset form only: the regressor's training MSE over ``var(y)``.
    """

    algebra: np.ndarray
    method: str
    success: bool
    message: str
    closure_error: float
    losses: dict = field(default_factory=dict)
    spectrum: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_equations: int = 0
    gradient: str = "jax"
    seconds: float = 0.0
    history: tuple = ()
    regressor_error: float | None = None

    @property
    def lie_algebra(self) -> np.ndarray:
        """The same as ``algebra``, so `groups.lie_algebra` functions accept a result."""
        return self.algebra

    @property
    def dim(self) -> int:
        """Number of generators ``k``."""
        return int(self.algebra.shape[0])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(result)`` is the basis ``(k, d, d)``."""
        return np.array(self.algebra, dtype=dtype, copy=True)

    def __repr__(self) -> str:
        return (
            f"DiscoveryResult(method={self.method!r}, dim={self.dim}, d={self.algebra.shape[1]}, "
            f"success={self.success}, closure_error={self.closure_error:.2e}, "
            f"seconds={self.seconds:.2f})"
        )


def _constraint(problem: Problem) -> tuple[np.ndarray, str, float | None]:
    """Invariance rows and extra rows stacked; the gradient mode; the regressor error."""
    regressor_error = None
    if problem.labels is not None:
        oracle, regressor_error = fit_regressor(
            problem.points, problem.labels, problem.regressor, problem.seed
        )
        grads, mode = oracle_gradients(oracle, problem.row_points, "jax")
        mode = "regressor"
    else:
        grads, mode = oracle_gradients(problem.oracle, problem.row_points, problem.gradient)
    rows = invariance_rows(grads, problem.row_points)
    extra = commutation_rows(problem.commutes_with, problem.d)
    return np.concatenate([rows, extra], axis=0), mode, regressor_error


def _run_nullspace(problem: Problem, constraint, mode: str, tol, closure_tol) -> dict:
    """Solves the linear system and judges the result."""
    d = problem.d
    cutoff = DEFAULTS[mode]["tol"] if tol is None else tol
    algebra, residual, spectrum = solve_nullspace(constraint, d, cutoff)
    closure = closure_residual(algebra)
    limit = DEFAULTS[mode]["closure_tol"] if closure_tol is None else closure_tol
    if constraint.shape[0] < d * d:
        success, message = (
            False,
            (
                f"underdetermined: {constraint.shape[0]} equations for d*d = {d * d} unknowns; "
                "increase n_samples (spurious generators are likely)"
            ),
        )
    elif closure > limit:
        success, message = (
            False,
            (
                f"the {len(algebra)} generators do not close (closure error {closure:.2e} > "
                f"{limit:.1e}): too few or too noisy samples, or tol too loose"
            ),
        )
    else:
        success, message = True, f"found {len(algebra)} generators (closure error {closure:.1e})"
    return {
        "algebra": algebra,
        "success": success,
        "message": message,
        "closure_error": closure,
        "losses": {"invariance": residual},
        "spectrum": spectrum,
    }


def _run_sgd(problem: Problem, constraint, mode: str, k: int, config, closure_tol) -> dict:
    """Trains ``k`` generators and judges every loss and the closure error."""
    raw, losses, history = train_generators(constraint, k, problem.d, config, problem.seed)
    algebra = _lowdin(raw)
    closure = closure_residual(algebra)
    limit = closure_tol if closure_tol is not None else config.closure_tol
    limit = DEFAULTS[mode]["sgd_closure_tol"] if limit is None else limit
    loss_tol = config.loss_tol if config.loss_tol is not None else DEFAULTS[mode]["loss_tol"]
    failed = [name for name, value in losses.items() if not value <= loss_tol]
    if not config.closure_loss:  # not trained: judged by the closure error alone
        failed = [name for name in failed if name != "closure"]
    if closure > limit:
        failed.append(f"closure error {closure:.2e} > {limit:.1e}")
    summary = ", ".join(f"{name} {value:.1e}" for name, value in losses.items())
    if failed:
        message = (
            f"{k} generators could not satisfy every loss ({'; '.join(failed)}; losses "
            f"{summary}): no {k}-dimensional algebra of symmetries was found"
        )
    else:
        message = f"{k} generators trained to losses {summary}"
    return {
        "algebra": algebra,
        "success": not failed,
        "message": message,
        "closure_error": closure,
        "losses": losses,
        "history": history,
    }


def discover_lie_algebra(
    oracle: Callable | tuple,
    d: int,
    *,
    method: str = "nullspace",
    n_samples: int | None = None,
    seed: int = 0,
    arity: int | None = None,
    samples=None,
    commutes_with=(),
    gradient: str = "auto",
    tol: float | None = None,
    n_generators: int | None = None,
    sgd: SGDConfig | None = None,
    regressor: RegressorConfig | None = None,
    closure_tol: float | None = None,
    strict: bool = False,
) -> DiscoveryResult:
    """Discovers the Lie algebra of linear symmetries ``x -> x + eps A x`` of an oracle.

    Oracle forms:

    * a callable ``f(x_1, .., x_m) -> scalar`` of ``m`` vectors ``(d,)`` (``m`` from its
      signature or ``arity``); the generator acts on every argument, so invariance is
      ``sum_i grad_{x_i} f . A x_i = 0``. Write it with ``jax.numpy`` for exact gradients
      (``jax.grad`` in float64); a numpy black box gets central finite differences.
    * a dataset ``(X, y)`` with ``X (n, d)`` or ``(n, m, d)`` and labels ``y (n,)``: the
      invariance is **not** read from the labels directly; ``f`` is first learned by a
      small MLP regressor (`discovery.regressor`), which is then differentiated at the
      data points. Noisy oracles are best sampled into such a dataset.

    Methods:

    * ``"nullspace"``: stacks one invariance equation per sample (``n_samples`` default
      ``2 d^2``, so the ``d^2`` unknowns are overdetermined twice) plus the extra
      constraints, and solves ``C vec(A) = 0`` with the toolkit's rule
      (`discovery.nullspace_method`). Deterministic; exact to rounding for jax oracles.
    * ``"sgd"``: trains ``n_generators`` generators with Adam on invariance,
      normalisation, orthogonality and closure losses (`discovery.sgd_method`).

    Extra linear constraints: ``commutes_with`` lists matrices ``J (d, d)`` that every
    generator must commute with (``AJ = JA``); e.g. the complex structure restricts the
    ``o(2n)`` symmetry of the realified norm on ``R^(2n)`` to ``u(n)``.

    Success: a result with ``success=False`` comes with a `RuntimeWarning` (or, with
    ``strict=True``, a `DiscoveryError`). ``"nullspace"`` fails when the system is
    underdetermined or the found generators do not close (closure error above
    ``closure_tol``); ``"sgd"`` fails when a final loss exceeds ``sgd.loss_tol`` or the
    closure error exceeds ``closure_tol`` (or ``sgd.closure_tol``). Defaults by gradient
    source (`DEFAULTS`):

    ==================  ===================  ===========  ========  ===============
    gradient            nullspace ``tol``    closure      sgd loss  sgd closure
    ==================  ===================  ===========  ========  ===============
    jax                 ``max(m, d^2) eps``  1e-6         1e-8      1e-3
    finite_difference   1e-6                 1e-4         1e-8      1e-3
    regressor (data)    5e-2                 0.1          1e-2      0.1
    ==================  ===================  ===========  ========  ===============

    Args:
        oracle: a callable or a tuple ``(X, y)``.
        d: dimension of each vector argument, ``d >= 1``.
        method: ``"nullspace"`` or ``"sgd"``.
        n_samples: number of sample points (default ``2 d^2``; for a dataset, a seeded
            subset of that many points, default all).
        seed: seed of the sample points, the regressor and the sgd initialisation, an
            integer ``>= 0``.
        arity: number of vector arguments of a callable oracle (default: its signature).
        samples: explicit points ``(n, d)`` or ``(n, m, d)`` instead of standard normal
            ones (e.g. to stay inside the oracle's domain); not with ``n_samples``.
        commutes_with: a matrix ``(d, d)`` or a sequence/stack of them.
        gradient: ``"auto"``, ``"jax"`` or ``"finite_difference"`` (callable oracles).
        tol: relative singular-value cut-off of ``"nullspace"``; None for the default
            of the gradient source (table above).
        n_generators: ``"sgd"`` only (required): the number ``k`` of generators.
        sgd: `SGDConfig` for ``"sgd"``.
        regressor: `RegressorConfig`, dataset form only.
        closure_tol: closure error accepted as success (None: table above).
        strict: raise `DiscoveryError` instead of warning when the run fails.

    Returns:
        A `DiscoveryResult`; ``result.algebra`` is ``(k, d, d)``, Frobenius orthonormal.

    Raises:
        TypeError: for a non-callable oracle that is not a dataset, arguments of the
            wrong type, arrays (``samples``, ``commutes_with``, the dataset) that are
            complex or hold strings, or an oracle that returns something other than a
            real number (None, a string, a complex or boolean value).
        ValueError: for ``d < 1``, a negative ``seed``, an unknown method,
            ``n_generators < 1``, ``tol`` or ``closure_tol`` outside ``(0, 1)``, shapes
            that do not match ``d``, options that do not apply to the method, an oracle
            that returns an array of several numbers, or a problem too large to allocate
            (`discovery.inputs.MAX_PROBLEM_BYTES`).
        DiscoveryError: with ``strict=True``, when the run fails.

    Example:
        >>> import jax.numpy as jnp
        >>> result = discover_lie_algebra(lambda x: jnp.sum(x**2), 3)
        >>> result.algebra.shape, result.success
        ((3, 3, 3), True)
        >>> bool(np.allclose(result.algebra, -result.algebra.transpose(0, 2, 1)))
        True
    """
    start = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    if method == "sgd":
        k = check_int(n_generators, "n_generators (required by method='sgd')", minimum=1)
        if tol is not None:
            raise ValueError("tol is the cut-off of method='nullspace'; sgd uses sgd.loss_tol.")
    elif n_generators is not None:
        raise ValueError(
            "n_generators applies to method='sgd' only; the nullspace method finds all."
        )
    if sgd is not None and not isinstance(sgd, SGDConfig):
        raise TypeError(f"sgd must be an SGDConfig; got {type(sgd).__name__}.")
    strict = check_bool(strict, "strict")
    tol = check_real(tol, "tol", above=0, below=1, optional=True)
    closure_tol = check_real(closure_tol, "closure_tol", above=0, below=1, optional=True)
    problem = parse_problem(
        oracle, d, n_samples, seed, arity, samples, commutes_with, gradient, regressor
    )
    constraint, mode, regressor_error = _constraint(problem)
    if method == "nullspace":
        run = _run_nullspace(problem, constraint, mode, tol, closure_tol)
    else:
        config = sgd if sgd is not None else SGDConfig()
        run = _run_sgd(problem, constraint, mode, k, config, closure_tol)
    result = DiscoveryResult(
        algebra=as_algebra(run["algebra"]),
        method=method,
        success=bool(run["success"]),
        message=run["message"],
        closure_error=float(run["closure_error"]),
        losses=run["losses"],
        spectrum=run.get("spectrum", np.zeros(0)),
        n_equations=int(constraint.shape[0]),
        gradient=mode,
        seconds=time.perf_counter() - start,
        history=run.get("history", ()),
        regressor_error=regressor_error,
    )
    if not result.success:
        if strict:
            raise DiscoveryError(f"discover_lie_algebra ({method}) failed: {result.message}.")
        warnings.warn(
            f"discover_lie_algebra ({method}) did not succeed: {result.message}.",
            RuntimeWarning,
            stacklevel=2,
        )
    return result


def _lowdin(raw: np.ndarray) -> np.ndarray:
    """The orthonormal basis closest to ``raw (k, d, d)``: ``(G^-1/2) raw``, G the Gram."""
    k, d = raw.shape[0], raw.shape[1]
    flat = raw.reshape(k, d * d)
    values, vectors = np.linalg.eigh(flat @ flat.T)
    if values[0] <= 1e-12 * max(values[-1], 1e-300):
        # degenerate generators: an orthonormal basis of what they span (fewer than k)
        _, singular, right = np.linalg.svd(flat, full_matrices=False)
        rank = int(np.sum(singular > 1e-6 * singular[0])) if singular[0] > 0 else 0
        return right[:rank].reshape(rank, d, d)
    inverse_root = (vectors / np.sqrt(values)) @ vectors.T
    return (inverse_root @ flat).reshape(k, d, d)
