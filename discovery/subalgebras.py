"""Residual symmetry after symmetry breaking: centralisers and annihilators.

When a field takes a vacuum value, only the generators that leave it unchanged survive:

* a vacuum ``Phi`` in the adjoint representation (a matrix ``(d, d)``, e.g.
  ``i diag(2, 2, 2, -3, -3)`` in ``su(5)``) keeps its *centraliser*
  ``{X in g : [X, Phi] = 0}``;
* a vacuum vector ``v (d,)`` in the defining representation keeps its *annihilator*
  ``{X in g : X v = 0}`` (several vectors: the common annihilator).

Both are linear conditions on the coefficients of ``X`` in an orthonormal basis of ``g``,
solved with the toolkit's rule (`emlp_core.nullspace.restricted_nullspace`): a singular
value ``s`` counts as zero when ``s <= rtol * s_max``, ``rtol = sqrt(max(m, n) * eps)``
(`emlp_core.nullspace.default_cutoff`) unless ``tol`` is given (use ``tol`` for learned,
approximate algebras).
"""

from __future__ import annotations

import numpy as np

from discovery.algebra import as_algebra, frobenius_orthonormal
from emlp_core.nullspace import restricted_nullspace
from groups._arrays import real_float64
from groups.checks import check_real

__all__ = ["centralizer", "annihilator"]


def _subalgebra(basis: np.ndarray, images: np.ndarray, tol: float | None, label: str):
    """Combinations of the orthonormal ``basis (k, d, d)`` whose ``images (k, m)`` vanish."""
    k, d = basis.shape[0], basis.shape[1]
    if k == 0:
        return basis
    constraint = images.T  # (m, k): column i is the image of basis element i
    if not np.any(constraint):
        return basis.copy()
    gram = constraint.T @ constraint
    coefficients, _ = restricted_nullspace(
        gram, lambda x: [constraint @ x], constraint.shape, tol, label
    )
    return np.ascontiguousarray(np.tensordot(coefficients.T, basis, axes=1).reshape(-1, d, d))


def centralizer(algebra, element, *, tol: float | None = None) -> np.ndarray:
    """The subalgebra of elements commuting with ``element``: ``{X : [X, element] = 0}``.

    Args:
        algebra: array-like ``(k, d, d)``, a Group or a DiscoveryResult.
        element: array-like ``(d, d)``, e.g. a vacuum value in the adjoint representation
            (it need not lie in the algebra).
        tol: relative singular-value cut-off; None for ``sqrt(max(m, k) * eps)``.

    Returns:
        float64 ``(k', d, d)``, orthonormal in the Frobenius inner product.

    Raises:
        ValueError: if ``element`` is not ``(d, d)`` or not finite, or ``tol`` is invalid.
        TypeError: if an argument is not a real array (complex values and strings are
            refused, not truncated or parsed).

    Example:
        >>> import numpy as np
        >>> from groups import SO
        >>> rotation_z = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        >>> centralizer(SO(3), rotation_z).shape  # only rotations about z survive
        (1, 3, 3)
    """
    tol = check_real(tol, "tol", above=0, below=1, optional=True)
    basis = frobenius_orthonormal(algebra)
    d = as_algebra(algebra).shape[1]
    phi = real_float64(element, "element", f"a real matrix ({d}, {d})")
    if phi.shape != (d, d):
        raise ValueError(f"element must have shape ({d}, {d}) like the algebra; got {phi.shape}.")
    if not np.all(np.isfinite(phi)):
        raise ValueError("element contains non-finite values (nan or inf).")
    commutators = basis @ phi - phi @ basis
    return _subalgebra(basis, commutators.reshape(len(basis), d * d), tol, "centralizer")


def annihilator(algebra, vector, *, tol: float | None = None) -> np.ndarray:
    """The subalgebra of elements that annihilate ``vector``: ``{X : X v = 0}``.

    Args:
        algebra: array-like ``(k, d, d)``, a Group or a DiscoveryResult.
        vector: array-like ``(d,)``, or ``(m, d)`` for the common annihilator of ``m``
            vectors (the stabiliser algebra of a vacuum in the defining representation).
        tol: relative singular-value cut-off; None for ``sqrt(max(m, k) * eps)``.

    Returns:
        float64 ``(k', d, d)``, orthonormal in the Frobenius inner product.

    Raises:
        ValueError: if ``vector`` does not have shape ``(d,)`` or ``(m, d)`` or is not
            finite, or ``tol`` is invalid.
        TypeError: if an argument is not a real array (complex values and strings are
            refused, not truncated or parsed).

    Example:
        >>> from groups import SO
        >>> annihilator(SO(4), [0.0, 0.0, 0.0, 1.0]).shape  # SO(4) -> SO(3)
        (3, 4, 4)
    """
    tol = check_real(tol, "tol", above=0, below=1, optional=True)
    basis = frobenius_orthonormal(algebra)
    d = as_algebra(algebra).shape[1]
    vectors = real_float64(vector, "vector", f"a real array ({d},) or (m, {d})")
    if vectors.ndim == 1:
        vectors = vectors[None]
    if vectors.ndim != 2 or vectors.shape[1] != d:
        raise ValueError(
            f"vector must have shape ({d},) or (m, {d}) like the algebra; got {np.shape(vector)}."
        )
    if not np.all(np.isfinite(vectors)):
        raise ValueError("vector contains non-finite values (nan or inf).")
    images = np.einsum("kab,mb->kma", basis, vectors).reshape(len(basis), -1)
    return _subalgebra(basis, images, tol, "annihilator")
