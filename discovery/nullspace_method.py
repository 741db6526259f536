"""The "nullspace" method: the symmetry algebra as the nullspace of stacked invariance rows.

Invariance ``<R(x), A>_F = 0`` (see `discovery.oracles`) at ``n`` sample points, plus any
extra linear constraints, is a linear system ``C vec(A) = 0`` with ``C (m, d*d)``. Its
nullspace is solved by the toolkit's rule (`emlp_core.nullspace.restricted_nullspace`):
candidates from the Gram matrix ``C^T C``, then the rank decided by a thin SVD of ``C``
applied to them; a singular value ``s`` counts as zero when ``s <= rtol * s_max`` with
``rtol = max(m, d*d) * eps`` by default (``tol`` overrides it; the dataset form and
finite-difference gradients need a looser cut-off, see `discovery.discover_lie_algebra`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from emlp_core.nullspace import default_rtol, restricted_nullspace

__all__ = ["solve_nullspace"]


def solve_nullspace(
    constraint: np.ndarray, d: int, tol: float | None
) -> tuple[np.ndarray, float, np.ndarray]:
    """Orthonormal basis of ``{A : C vec(A) = 0}``.

    Args:
        constraint: float64 ``(m, d*d)``, rows acting on the row-major ``vec(A)``.
        d: the matrix size.
        tol: relative singular-value cut-off, or None for ``max(m, d*d) * eps``.

    Returns:
        ``(algebra (k, d, d), residual, spectrum)``: the algebra is orthonormal in the
        Frobenius inner product; ``residual`` is the largest singular value declared zero
        divided by ``s_max``; ``spectrum`` holds the singular values of ``C`` divided by
        ``s_max``, ascending ``(d*d,)`` (from the Gram matrix: accurate to about
        ``1e-8``, a diagnostic of the gap at the cut-off).

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(8, 2))
        >>> rows = np.einsum("ni,nj->nij", 2 * x, x).reshape(8, 4)  # f = |x|^2 in R^2
        >>> algebra, residual, _ = solve_nullspace(rows, 2, None)
        >>> algebra.shape, bool(np.allclose(algebra[0], -algebra[0].T))
        ((1, 2, 2), True)
    """
    size = d * d
    if constraint.shape[0] == 0:
        return np.eye(size).reshape(size, d, d), 0.0, np.zeros(size)
    gram = constraint.T @ constraint
    eigenvalues = scipy.linalg.eigvalsh(gram)
    scale = np.sqrt(max(float(eigenvalues[-1]), 0.0))
    spectrum = np.sqrt(np.clip(eigenvalues, 0.0, None)) / scale if scale > 0 else eigenvalues
    if tol is None:
        tol = default_rtol(*constraint.shape)
    coefficients, residual = restricted_nullspace(
        gram,
        lambda vectors: [constraint @ vectors],
        constraint.shape,
        tol,
        "discover_lie_algebra (nullspace)",
        scale=scale,
    )
    algebra = np.ascontiguousarray(coefficients.T.reshape(-1, d, d))
    return algebra, residual, spectrum
