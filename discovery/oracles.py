"""From an oracle to linear invariance constraints on a generator ``A (d, d)``.

An *oracle* is a function ``f(x_1, .., x_m) -> scalar`` of ``m >= 1`` vectors
``x_i (d,)`` (``m`` is its *arity*: 1 for ``f(x) = |x|^2``, 3 for the octonion 3-form
``phi(x, y, z)``). A generator ``A`` acts on every argument at once,
``x_i -> x_i + eps A x_i``, and ``f`` is invariant to first order when

    sum_i grad_{x_i} f(x) . A x_i = <R(x), A>_F = 0,   R(x) = sum_i grad_{x_i} f(x) x_i^T,

one equation per sample point ``x``, linear in the ``d**2`` entries of ``A``. The row
``vec(R(x))`` (row-major, like ``A.reshape(-1)``) is what this module computes.

Gradients come from ``jax.grad`` in float64 (the oracle must then be written with
``jax.numpy``), or, for a black-box numpy oracle, from central finite differences with
steps ``h = eps**(1/3) * max(1, |x_j|)`` (relative accuracy about 1e-10).

Scaling: the oracle rows are divided by their median norm (this leaves the nullspace
unchanged and makes the invariance loss of the "sgd" method of order one); the extra
commutation rows of ``commutes_with`` use each matrix divided by its spectral norm.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "infer_arity",
    "sample_points",
    "oracle_gradients",
    "invariance_rows",
    "commutation_rows",
]

_FD_STEP = float(np.finfo(np.float64).eps) ** (1.0 / 3.0)
_GRADIENT_MODES = ("auto", "jax", "finite_difference")
_TRACE_ERRORS = (
    jax.errors.TracerArrayConversionError,
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerIntegerConversionError,
)


def infer_arity(oracle: Callable) -> int:
    """The number of vector arguments of ``oracle`` (required positional parameters).

    Args:
        oracle: a callable ``f(x_1, .., x_m)``.

    Returns:
        ``m >= 1``; 1 when the signature cannot be inspected.

    Raises:
        ValueError: if the signature has ``*args`` or no required positional parameter
            (pass ``arity=`` explicitly then).

    Example:
        >>> infer_arity(lambda x, y, z: 0.0)
        3
    """
    try:
        signature = inspect.signature(oracle)
    except (TypeError, ValueError):
        return 1
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ValueError(
                "the oracle takes *args, so the number of vector arguments is unknown; pass "
                "arity= (e.g. arity=3 for phi(x, y, z))."
            )
        positional = parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )
        if positional and parameter.default is inspect.Parameter.empty:
            count += 1
    if count == 0:
        raise ValueError(
            "the oracle has no required positional parameter; it must take the vectors "
            "x_1 .. x_m (d,) as positional arguments (or pass arity=)."
        )
    return count


def sample_points(n: int, arity: int, d: int, seed: int, scale: float = 1.0) -> np.ndarray:
    """Standard normal sample points ``(n, arity, d)`` (times ``scale``), float64, seeded.

    Example:
        >>> sample_points(4, 2, 3, seed=0).shape
        (4, 2, 3)
    """
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((n, arity, d))


def _check_output(value, shape: tuple) -> None:
    """Refuses an oracle value that is not one real number, naming what it was.

    Args:
        value: what the oracle returned.
        shape: shape ``(m, d)`` of its arguments, for the message.

    Raises:
        TypeError: if ``value`` is None, a string, complex, boolean or otherwise not a
            real number (a value numpy or jax would misread or reject deep inside).
        ValueError: if it is an array of more than one number.
    """
    expected = "a real scalar (a float, or a real array of size 1)"
    described = f"{type(value).__name__} {value!r}"[:80]
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(
            f"the oracle must return {expected}; it returned {described} for arguments of "
            f"shape {shape}."
        )
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(value).dtype
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"the oracle must return {expected}; it returned {described}, which is not "
                f"a number ({error})."
            ) from error
    kind = np.dtype(dtype).kind
    if kind == "c":
        raise TypeError(
            f"the oracle must return {expected}; it returned a complex value ({described}, "
            f"dtype {dtype}) for arguments of shape {shape}. An invariant is real: pass its "
            "real and imaginary parts as two oracles, or |f|^2."
        )
    if kind == "b":
        raise TypeError(
            f"the oracle must return {expected}; it returned a boolean ({described}). "
            "Discovery differentiates the oracle: return a smooth real-valued function."
        )
    if kind not in "iuf":
        raise TypeError(
            f"the oracle must return {expected}; it returned {described} of dtype {dtype} "
            f"for arguments of shape {shape}."
        )
    if np.size(value) != 1:
        raise ValueError(
            f"the oracle must return a scalar; it returned shape {np.shape(value)} for "
            f"arguments of shape {shape}."
        )


def _jax_gradients(oracle: Callable, points: np.ndarray) -> np.ndarray:
    with jax.enable_x64(True):
        first = oracle(*jnp.asarray(points[0]))
        _check_output(first, points.shape[1:])

        def scalar(arguments):
            return jnp.reshape(oracle(*arguments), ()).astype(jnp.float64)

        grads = jax.jit(jax.vmap(jax.grad(scalar)))(jnp.asarray(points))
        return np.asarray(grads, dtype=np.float64)


def _evaluate(oracle: Callable, arguments: np.ndarray) -> float:
    value = oracle(*arguments)
    _check_output(value, arguments.shape)
    return float(np.asarray(value, dtype=np.float64).reshape(()))


def _finite_difference_gradients(oracle: Callable, points: np.ndarray) -> np.ndarray:
    grads = np.empty_like(points)
    for n, arguments in enumerate(points):
        for i in range(arguments.shape[0]):
            for j in range(arguments.shape[1]):
                step = _FD_STEP * max(1.0, abs(arguments[i, j]))
                plus, minus = arguments.copy(), arguments.copy()
                plus[i, j] += step
                minus[i, j] -= step
                grads[n, i, j] = (_evaluate(oracle, plus) - _evaluate(oracle, minus)) / (2 * step)
    return grads


def oracle_gradients(
    oracle: Callable, points: np.ndarray, gradient: str = "auto"
) -> tuple[np.ndarray, str]:
    """Gradients of the oracle with respect to each argument at each sample point.

    Args:
        oracle: ``f(x_1, .., x_m) -> scalar``.
        points: float64 ``(n, m, d)``.
        gradient: ``"jax"`` (``jax.grad`` in float64), ``"finite_difference"`` (central
            differences of a numpy oracle), or ``"auto"``: jax, falling back to finite
            differences when the oracle cannot be traced by jax.

    Returns:
        ``(grads (n, m, d) float64, mode used)``.

    Raises:
        TypeError: if the oracle returns something other than a real number (None, a
            string, a complex or boolean value), naming what it returned.
        ValueError: if ``gradient`` is unknown, the oracle returns an array of more than
            one number, or a gradient is not finite.

    Example:
        >>> import numpy as np
        >>> points = np.ones((1, 1, 2))
        >>> oracle_gradients(lambda x: (x**2).sum(), points)[0]
        array([[[2., 2.]]])
    """
    if gradient not in _GRADIENT_MODES:
        raise ValueError(f"gradient must be one of {_GRADIENT_MODES}; got {gradient!r}.")
    mode = gradient
    if gradient in ("auto", "jax"):
        try:
            grads, mode = _jax_gradients(oracle, points), "jax"
        except _TRACE_ERRORS:
            if gradient == "jax":
                raise
            mode = "finite_difference"
    if mode == "finite_difference":
        grads = _finite_difference_gradients(oracle, points)
    if not np.all(np.isfinite(grads)):
        raise ValueError(
            "the oracle's gradient is not finite at some sample points; restrict the samples "
            "to its domain with samples=."
        )
    return grads, mode


def invariance_rows(grads: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Rows ``vec(sum_i grad_i x_i^T)`` ``(n, d*d)``, scaled by their median norm.

    Zero rows (points where the gradient vanishes) are dropped.

    Example:
        >>> import numpy as np
        >>> x = np.array([[[1.0, 0.0]]])
        >>> invariance_rows(2 * x, x)  # f = |x|^2 at e_1: only A[0, 0] is constrained
        array([[1., 0., 0., 0.]])
    """
    n, d = points.shape[0], points.shape[2]
    rows = np.einsum("nai,naj->nij", grads, points).reshape(n, d * d)
    norms = np.linalg.norm(rows, axis=1)
    keep = norms > 0
    if not keep.any():
        return np.zeros((0, d * d))
    return rows[keep] / np.median(norms[keep])


def commutation_rows(matrices: Sequence[np.ndarray], d: int) -> np.ndarray:
    """Rows of ``vec(A) -> vec(A J - J A)`` for each ``J``, ``(len * d*d, d*d)``.

    Each ``J`` is divided by its spectral norm first (a zero ``J`` adds no rows).

    Example:
        >>> import numpy as np
        >>> commutation_rows([np.diag([1.0, 2.0])], 2).shape
        (4, 4)
    """
    identity = np.eye(d)
    blocks = []
    for matrix in matrices:
        norm = np.linalg.norm(matrix, 2)
        if norm == 0:
            continue
        J = matrix / norm
        # row-major vec: vec(A J) = (I kron J^T) vec(A), vec(J A) = (J kron I) vec(A)
        blocks.append(np.kron(identity, J.T) - np.kron(J, identity))
    if not blocks:
        return np.zeros((0, d * d))
    return np.concatenate(blocks, axis=0)
