"""`sparsify`: a basis of the same span with as few non-zero entries as possible.

A discovered basis is an arbitrary rotation of the algebra (every entry non-zero); a
sparse basis is readable (``so(n)`` becomes the ``E_ij - E_ji``). Two steps:

1. reduced row echelon form of the flattened basis ``(k, d*d)``: pivots chosen column by
   column in row-major order of the entries, skipping columns whose remaining part is
   below ``1e-6`` of the largest entry; each element then has a 1 at its pivot and 0 at
   every other pivot, which depends only on the span;
2. greedy elimination: while some ``B_i - t B_j`` (``t`` chosen to cancel one entry of
   ``B_i``) has fewer non-zero entries than ``B_i``, replace ``B_i`` by it.

Entries below ``zero_tol`` times the largest magnitude are set to zero, and each element
is scaled to largest magnitude 1 with a positive first non-zero entry. The result spans
the same space (checked) but is not orthonormal.
"""

from __future__ import annotations

import numpy as np

from discovery.algebra import as_algebra, frobenius_orthonormal
from groups.checks import check_real

__all__ = ["sparsify"]

_PIVOT_THRESHOLD = 1e-6
_MAX_PASSES = 10


def _echelon(flat: np.ndarray) -> np.ndarray:
    """Reduced row echelon rows of the row space of ``flat (k, n)`` (full row rank)."""
    k = flat.shape[0]
    chosen: list[int] = []
    frame = np.zeros((k, 0))
    threshold = _PIVOT_THRESHOLD * np.abs(flat).max()
    for column in range(flat.shape[1]):
        v = flat[:, column]
        rest = v - frame @ (frame.T @ v)
        norm = np.linalg.norm(rest)
        if norm > threshold:
            chosen.append(column)
            frame = np.column_stack([frame, rest / norm])
            if len(chosen) == k:
                break
    return np.linalg.solve(flat[:, chosen], flat)


def _clean(rows: np.ndarray, zero_tol: float) -> np.ndarray:
    rows = rows.copy()
    rows[np.abs(rows) <= zero_tol * np.abs(rows).max(initial=0.0)] = 0.0
    return rows


def _greedy(rows: np.ndarray, zero_tol: float) -> np.ndarray:
    """Pairwise eliminations that strictly lower the number of non-zero entries."""
    scale = np.abs(rows).max()
    for _ in range(_MAX_PASSES):
        improved = False
        for i in range(len(rows)):
            for j in range(len(rows)):
                if i == j:
                    continue
                support = np.flatnonzero(rows[j])
                shared = support[rows[i, support] != 0]
                if shared.size == 0:
                    continue
                factors = rows[i, shared] / rows[j, shared]  # candidate t for each entry
                trials = rows[i][None, :] - factors[:, None] * rows[j][None, :]
                trials[np.abs(trials) <= zero_tol * scale] = 0.0
                counts = np.count_nonzero(trials, axis=1)
                best = int(np.argmin(counts))
                if counts[best] < np.count_nonzero(rows[i]):
                    rows[i] = trials[best]
                    improved = True
        if not improved:
            break
    return rows


def sparsify(algebra, *, zero_tol: float = 1e-9) -> np.ndarray:
    """A sparse basis of the span of ``algebra``.

    Args:
        algebra: array-like ``(k, d, d)``, a Group or a DiscoveryResult (linearly
            dependent elements are dropped).
        zero_tol: entries at most this times the largest magnitude become exact zeros.

    Returns:
        float64 ``(r, d, d)`` spanning the same space, each element with largest
        magnitude 1 and a positive first non-zero entry (row-major order).

    Raises:
        ValueError: if ``zero_tol`` is not in ``[0, 1)``, the basis is not a stack of
            square matrices or not finite, or the sparse basis fails the span check (then
            raise ``zero_tol``'s precision: the input is too noisy).
        TypeError: if the basis is not a real array (complex values and strings are
            refused), or ``zero_tol`` is not a real number.

    Example:
        >>> import numpy as np
        >>> from groups import SO
        >>> rotated = np.einsum("ij,jab->iab", np.linalg.qr(np.ones((3, 3)) + np.eye(3))[0],
        ...                     SO(3).lie_algebra)
        >>> [int(np.count_nonzero(A)) for A in sparsify(rotated)]
        [2, 2, 2]
    """
    zero_tol = check_real(zero_tol, "zero_tol", minimum=0, below=1)
    basis = frobenius_orthonormal(algebra)
    k, d = basis.shape[0], as_algebra(algebra).shape[1]
    if k == 0:
        return np.zeros((0, d, d))
    flat = basis.reshape(k, d * d)
    rows = _greedy(_clean(_echelon(flat), zero_tol), zero_tol)
    for i, row in enumerate(rows):
        first = row[np.flatnonzero(row)[0]]
        rows[i] = row / (np.abs(row).max() * np.sign(first))
    # the same span: every sparse element lies in the original span, and the rank is kept
    outside = rows - (rows @ flat.T) @ flat
    if np.linalg.matrix_rank(rows) != k or np.abs(outside).max() > max(1e-6, 1e3 * zero_tol):
        raise ValueError(
            "sparsify could not keep the span (the basis is too noisy for zero_tol = "
            f"{zero_tol:.1e}); pass a larger zero_tol."
        )
    return rows.reshape(k, d, d) + 0.0
