"""Numerical nullspaces with one documented tolerance rule, shared by every strategy.

Rule: a singular value ``s`` of a constraint operator ``C`` (shape ``(m, n)``, restricted to
the subspace a strategy has already reduced to) counts as zero when ``s <= rtol * s_max``,
where ``s_max = ||C||_2`` on that subspace and ``rtol = max(m, n) * eps64`` unless the caller
passes ``tol`` (useful for learned, approximately closed generators).

The rank decision is always made by a *thin SVD of the constraint applied to a small
candidate basis*, which has the accuracy of a full SVD. Candidates come from the Gram
matrix ``C^T C`` (cheap: one symmetric eigendecomposition of the reduced size); every
eigenvector with ``lambda <= 1e-6 * lambda_max`` (``s <= 1e-3 * s_max``) is a candidate,
so no true null vector is lost to the squared conditioning of the Gram matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

__all__ = ["EPS", "default_rtol", "restricted_nullspace", "orthonormalize", "warn_if_ambiguous"]

EPS = float(np.finfo(np.float64).eps)
_CANDIDATE_RATIO = 1e-6  # eigenvalues of C^T C below this fraction of the largest are candidates


def default_rtol(rows: int, cols: int) -> float:
    """``max(rows, cols) * eps``: the relative cut-off of a backward-stable SVD."""
    return max(rows, cols) * EPS


def warn_if_ambiguous(smallest_kept: float, cutoff: float, scale: float, label: str) -> None:
    """Warns when the smallest singular value kept as nonzero is close to the cut-off."""
    if smallest_kept < max(1e4 * cutoff, np.sqrt(EPS) * scale):
        warnings.warn(
            f"ambiguous rank for {label}: the smallest kept singular value "
            f"{smallest_kept / scale:.2e} (relative) is close to the cut-off "
            f"{cutoff / scale:.2e}; if the generators are approximate, pass tol.",
            RuntimeWarning,
            stacklevel=5,
        )


def orthonormalize(vectors: np.ndarray, rank: int | None = None) -> np.ndarray:
    """An orthonormal basis ``(n, rank)`` of the span of the columns (by SVD)."""
    if vectors.shape[1] == 0:
        return vectors
    left, singular, _ = scipy.linalg.svd(vectors, full_matrices=False, check_finite=False)
    if rank is None:
        rank = int(np.sum(singular > default_rtol(*vectors.shape) * singular[0]))
    return np.ascontiguousarray(left[:, :rank])


def _largest_eigenvalue(gram: np.ndarray) -> float:
    """The largest eigenvalue of a symmetric positive semi-definite matrix (to ~1e-3)."""
    if gram.shape[0] <= 64:
        return float(scipy.linalg.eigvalsh(gram, check_finite=False)[-1])
    value = scipy.sparse.linalg.eigsh(gram, k=1, which="LA", tol=1e-4, return_eigenvectors=False)
    return float(value[0])


def restricted_nullspace(
    gram: np.ndarray,
    apply: Callable[[np.ndarray], list[np.ndarray]],
    shape: tuple[int, int],
    tol: float | None,
    label: str,
    scale: float | None = None,
) -> tuple[np.ndarray, float]:
    """Real coefficients of the nullspace of a constraint given in reduced coordinates.

    Args:
        gram: real symmetric ``(c, c)``, the Gram matrix ``C^T C`` in reduced coordinates
            (orthonormal coordinates, so its eigenvectors are orthonormal coefficients).
        apply: maps coefficients ``X (c, j)`` to the list of constraint blocks ``C_i X``
            (real or complex; a complex block imposes its real and imaginary parts).
        shape: ``(m, n)`` of the full constraint, for the default tolerance.
        tol: relative cut-off, or None for ``default_rtol(*shape)``.
        label: names the problem in warnings.
        scale: ``s_max``, the norm of the *full* constraint (or an upper bound). When the
            reduced coordinates come from another strategy the restricted operator may be
            (nearly) zero, so its own norm is no scale; None uses the largest eigenvalue of
            ``gram``, right when the coordinates span the whole space.

    Returns:
        ``(coefficients (c, r) with orthonormal columns, relative residual)``, the residual
        being the largest singular value declared zero divided by ``scale``.
    """
    size = gram.shape[0]
    if size == 0:
        return np.zeros((0, 0)), 0.0
    if scale is None:
        scale = np.sqrt(max(_largest_eigenvalue(gram), 0.0))
    if scale <= 0.0:
        return np.eye(size), 0.0
    rtol = default_rtol(*shape) if tol is None else tol
    cutoff = rtol * scale
    threshold = _CANDIDATE_RATIO * scale**2 + cutoff**2
    values, vectors = scipy.linalg.eigh(
        gram, subset_by_value=(-np.inf, threshold), driver="evr", check_finite=False
    )
    if vectors.shape[1] == 0:
        return np.zeros((size, 0)), 0.0
    blocks = []
    for block in apply(vectors):
        blocks.extend([block.real, block.imag] if np.iscomplexobj(block) else [block])
    stacked = np.concatenate(blocks, axis=0)
    count = vectors.shape[1]
    if stacked.shape[0] < count:  # pad so that all `count` right singular vectors come out
        stacked = np.concatenate([stacked, np.zeros((count - stacked.shape[0], count))], axis=0)
    elif stacked.shape[0] > 2 * count:  # tall: reduce to the triangular factor first
        stacked = scipy.linalg.qr(stacked, mode="r", check_finite=False)[0][:count]
    _, singular, right = scipy.linalg.svd(stacked, full_matrices=False, check_finite=False)
    rank = int(np.sum(singular > cutoff))
    if rank:
        warn_if_ambiguous(singular[rank - 1], cutoff, scale, label)
    coefficients = vectors @ right[rank:].T
    residual = float(singular[rank:].max(initial=0.0) / scale)
    return coefficients, residual
