"""The iterative strategy: a matrix-free nullspace by least-squares projection, the fallback.

Used when no structure applies (a Lie algebra whose generic element is not diagonalisable,
or discrete generators that are not signed permutations) and a dense solve would be too
large. A random vector ``x`` is projected onto the nullspace by removing its row-space
part, ``x - C^+ C x``, with LSMR (a Krylov method on ``C`` itself, so its accuracy is not
limited by the squared conditioning of ``C^T C``). Projected random vectors span the
nullspace once there are more of them than its dimension, so blocks double until the
projected block is rank deficient. The span is then judged by a thin SVD of ``C`` on it
(the shared tolerance rule in `emlp_core.nullspace`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse.linalg
from scipy.sparse.linalg import LinearOperator

from emlp_core.memory import check_memory
from emlp_core.nullspace import largest_eigenvalue, orthonormalize, restricted_nullspace

__all__ = ["iterative_nullspace"]

_RANK_RTOL = 1e-8  # projected vectors below this relative size are dependent


def _project(constraint: LinearOperator, x: np.ndarray, scale: float) -> np.ndarray:
    n = constraint.shape[1]
    row_part = scipy.sparse.linalg.lsmr(
        constraint, constraint @ x, atol=1e-15, btol=1e-15, maxiter=20 * n
    )[0]
    return x - row_part


def iterative_nullspace(
    constraint: LinearOperator, tol: float | None, label: str, block: int = 8, seed: int = 0
) -> np.ndarray:
    """Orthonormal basis ``(n, r)`` of the nullspace of a lazy constraint ``(m, n)``.

    Args:
        constraint: the stacked constraint operator.
        tol: relative singular-value cut-off (None: the default rule).
        label: names the problem in warnings and errors.
        block: the number of random trial vectors projected first (doubled until enough).
        seed: seed of the trial vectors.

    Raises:
        ValueError: when the trial vectors (more than the nullspace dimension) would exceed
            the memory limit ``EMLP_SOLVER_MEMORY_GB``; checked before each new block.

    Example:
        >>> from emlp_core.operators import KroneckerSum
        >>> A = np.array([[0.0, -1.0], [1.0, 0.0]])
        >>> iterative_nullspace(KroneckerSum([A, A]), None, "so(2) on V**2").shape
        (4, 2)
    """
    m, n = constraint.shape
    gram = LinearOperator(
        (n, n),
        matvec=lambda x: constraint.H @ (constraint @ x),
        matmat=lambda X: constraint.H @ (constraint @ X),
        dtype=np.float64,
    )
    scale = np.sqrt(max(largest_eigenvalue(gram), 0.0))
    if scale == 0.0:
        return np.eye(n)
    rng = np.random.default_rng(seed)
    projected = np.zeros((n, 0))
    while True:
        size = min(block, n + 1 - projected.shape[1])
        columns = projected.shape[1] + size  # the block grows with the nullspace dimension
        check_memory(
            8.0 * n * (3 * columns + 16) + 8.0 * columns**2,
            f"the iterative solve of {label} (size {n}, {columns} trial vectors)",
        )
        fresh = np.stack(
            [_project(constraint, x, scale) for x in rng.standard_normal((size, n))], axis=1
        )
        projected = np.concatenate([projected, fresh], axis=1)
        singular = scipy.linalg.svdvals(projected)
        rank = int(np.sum(singular > _RANK_RTOL * max(singular[0], 1e-300)))
        if rank < projected.shape[1] or projected.shape[1] > n:
            break
        block *= 2
    found = orthonormalize(projected, rank)
    if found.shape[1] == 0:
        return found
    applied = constraint @ found
    coefficients, _ = restricted_nullspace(
        applied.T @ applied, lambda X: [applied @ X], (m, n), tol, label, scale=scale
    )
    return orthonormalize(found @ coefficients, coefficients.shape[1])
