"""Numerical nullspaces with one documented rank rule, shared by every strategy.

Rule: let ``s_1 >= s_2 >= ...`` be the singular values of a constraint operator ``C``
(shape ``(m, n)``, restricted to the subspace a strategy has already reduced to), relative
to ``s_max = ||C||_2``. Rounding leaves a true null direction at about
``rounding = max(m, n) * eps64`` (the backward error of a stable SVD, and the size of the
eigenvector errors of the Gram matrix used for candidates); a nonzero singular value of
exact generators is a fixed fraction of ``s_max``. The default cut-off therefore sits at
the geometric middle of that gap, ``cutoff = sqrt(rounding)`` (about ``1e-7`` for every
size this solver reaches), so the decision has a margin of ``1 / sqrt(rounding)`` (more
than ``1e5``) on both sides. A singular value within a factor `AMBIGUITY_MARGIN` of the
cut-off, on either side, is an ambiguous rank: a ``RuntimeWarning`` names it (exact
generators never produce one; approximate generators should pass ``tol``).

``tol`` overrides the cut-off (useful for learned, approximately closed generators); the
warning then fires only when a kept singular value is within ``1e4`` of that cut-off.

The rank decision is always made by a *thin SVD of the constraint applied to a small
candidate basis*, which has the accuracy of a full SVD on that span. Candidates come from
the Gram matrix ``C^T C`` (one symmetric eigendecomposition of the reduced size): every
eigenvector with ``lambda <= 1e-6 * lambda_max`` (``s <= 1e-3 * s_max``) is a candidate, so
no true null vector is lost to the squared conditioning of the Gram matrix. Every random
start (the power iteration for ``s_max``) is seeded, so a solve is deterministic.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

__all__ = [
    "AMBIGUITY_MARGIN",
    "CANONICAL_SEED",
    "EPS",
    "canonical_basis",
    "default_cutoff",
    "default_rtol",
    "decide_rank",
    "largest_eigenvalue",
    "restricted_nullspace",
    "orthonormalize",
    "warn_if_ambiguous",
]

EPS = float(np.finfo(np.float64).eps)
AMBIGUITY_MARGIN = 1e3  # default rule: a singular value this close to the cut-off is ambiguous
_CANDIDATE_RATIO = 1e-6  # eigenvalues of C^T C below this fraction of the largest are candidates


def default_rtol(rows: int, cols: int) -> float:
    """``max(rows, cols) * eps``: the rounding level of a backward-stable SVD (relative)."""
    return max(rows, cols) * EPS


def default_cutoff(rows: int, cols: int) -> float:
    """``sqrt(max(rows, cols) * eps)``: the default relative cut-off (module docstring).

    Example:
        >>> 1e-8 < default_cutoff(625, 625) < 1e-6
        True
    """
    return float(np.sqrt(default_rtol(rows, cols)))


def warn_if_ambiguous(smallest_kept: float, cutoff: float, scale: float, label: str) -> None:
    """Warns when the smallest singular value kept as nonzero is close to a caller's cut-off."""
    if smallest_kept < max(1e4 * cutoff, np.sqrt(EPS) * scale):
        warnings.warn(
            f"ambiguous rank for {label}: the smallest kept singular value "
            f"{smallest_kept / scale:.2e} (relative) is close to the cut-off "
            f"{cutoff / scale:.2e}; if the generators are approximate, pass tol.",
            RuntimeWarning,
            stacklevel=5,
        )


def decide_rank(
    singular: np.ndarray, scale: float, shape: tuple[int, int], tol: float | None, label: str
) -> int:
    """The number of singular values that count as nonzero under the rule of this module.

    Args:
        singular: singular values in decreasing order (absolute).
        scale: ``s_max`` of the full constraint.
        shape: ``(m, n)`` of the full constraint, for the default cut-off.
        tol: a caller's relative cut-off, or None for `default_cutoff`.
        label: names the problem in the warning.

    Returns:
        The rank; warns (``RuntimeWarning``, "ambiguous rank") when the decision is close.

    Example:
        >>> decide_rank(np.array([1.0, 0.5, 3e-15]), 1.0, (3, 3), None, "example")
        2
    """
    relative = np.asarray(singular, dtype=np.float64) / scale
    if tol is not None:
        rank = int(np.sum(relative > tol))
        if rank:
            warn_if_ambiguous(singular[rank - 1], tol * scale, scale, label)
        return rank
    cutoff = default_cutoff(*shape)
    rank = int(np.sum(relative > cutoff))
    near = (relative > cutoff / AMBIGUITY_MARGIN) & (relative < cutoff * AMBIGUITY_MARGIN)
    close = relative[near]
    if close.size:
        warnings.warn(
            f"ambiguous rank for {label}: relative singular values {np.sort(close)[::-1]} lie "
            f"within a factor {AMBIGUITY_MARGIN:.0e} of the cut-off {cutoff:.2e} (rank {rank} "
            "taken); exact generators leave a wide gap there. If the generators are "
            "approximate, pass tol.",
            RuntimeWarning,
            stacklevel=5,
        )
    return rank


def orthonormalize(vectors: np.ndarray, rank: int | None = None) -> np.ndarray:
    """An orthonormal basis ``(n, rank)`` of the span of the columns (by SVD)."""
    if vectors.shape[1] == 0:
        return vectors
    left, singular, _ = scipy.linalg.svd(vectors, full_matrices=False, check_finite=False)
    if rank is None:
        rank = int(np.sum(singular > default_rtol(*vectors.shape) * singular[0]))
    return np.ascontiguousarray(left[:, :rank])


def largest_eigenvalue(gram) -> float:
    """The largest eigenvalue of a symmetric positive semi-definite ``(c, c)`` (to ~1e-4).

    ``gram`` is an array or a ``scipy.sparse.linalg.LinearOperator``; the power iteration
    starts from a seeded vector, so the value is the same in every process.
    """
    if gram.shape[0] <= 64:
        dense = gram if isinstance(gram, np.ndarray) else gram @ np.eye(gram.shape[0])
        return float(scipy.linalg.eigvalsh(dense, check_finite=False)[-1])
    start = np.random.default_rng(0).standard_normal(gram.shape[0])  # seeded: deterministic
    value = scipy.sparse.linalg.eigsh(
        gram, k=1, which="LA", tol=1e-4, v0=start, return_eigenvectors=False
    )
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
        tol: relative cut-off, or None for the default rule (`default_cutoff` of ``shape``).
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
        scale = np.sqrt(max(largest_eigenvalue(gram), 0.0))
    if scale <= 0.0:
        return np.eye(size), 0.0
    cutoff = (default_cutoff(*shape) if tol is None else tol) * scale
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
    rank = decide_rank(singular, scale, shape, tol, label)
    coefficients = vectors @ right[rank:].T
    residual = float(singular[rank:].max(initial=0.0) / scale)
    return coefficients, residual


CANONICAL_SEED = 20240601  # the fixed seed of the canonical basis (never change: bases move)
_CANONICAL_CHUNK = 1 << 15  # rows of the fixed random matrix drawn at a time


def canonical_basis(basis: np.ndarray) -> np.ndarray:
    """The canonical orthonormal basis of the span of ``basis`` (same on every machine).

    A nullspace of dimension ``r > 1`` has many orthonormal bases, and which one an
    eigensolver returns depends on rounding (thread count, BLAS, start vectors). The
    canonical one depends only on the span: the projector ``P = Q Q^T`` (unique) is applied
    to a fixed seeded Gaussian matrix ``X (n, r)``, and ``P X`` is orthonormalised by QR
    with a positive diagonal, also unique. So equal spans give equal columns up to
    rounding, and a seed or a checkpoint means the same model everywhere.

    Args:
        basis: ``(n, r)`` float64 with orthonormal columns.

    Returns:
        ``(n, r)`` float64 with orthonormal columns and the same span.

    Example:
        >>> rng = np.random.default_rng(1)
        >>> Q = orthonormalize(rng.standard_normal((6, 2)))
        >>> R = orthonormalize(Q @ np.array([[0.6, -0.8], [0.8, 0.6]]))  # same span
        >>> bool(np.allclose(canonical_basis(Q), canonical_basis(R)))
        True
    """
    n, r = basis.shape
    if r == 0:
        return basis
    rng = np.random.default_rng(CANONICAL_SEED)
    projected = np.zeros((r, r))  # Q^T X, accumulated over row chunks of X
    for start in range(0, n, _CANONICAL_CHUNK):
        rows = basis[start : start + _CANONICAL_CHUNK]
        projected += rows.T @ rng.standard_normal((rows.shape[0], r))
    rotation, triangle = scipy.linalg.qr(projected, check_finite=False)
    rotation *= np.where(np.diag(triangle) < 0, -1.0, 1.0)  # positive diagonal: unique
    return np.ascontiguousarray(basis @ rotation)
