"""Facts about a matrix Lie algebra: closure, structure constants, Killing form, rank.

Every function takes either a `groups.Group` (anything with a ``lie_algebra`` attribute)
or an array ``(D, d, d)`` holding a basis ``A_1 .. A_D`` of the algebra.

* ``closure_residual``: how far the span of the basis is from being closed under the
  commutator ``[A, B] = AB - BA``;
* ``structure_constants``: ``C (D, D, D)`` with ``[A_i, A_j] = sum_k C[i, j, k] A_k``;
* ``killing_form``: ``K_ij = tr(ad A_i ad A_j)`` and ``killing_signature`` (the numbers of
  positive, negative and zero eigenvalues); a compact semisimple algebra has a negative
  definite Killing form;
* ``algebra_rank``: the dimension of the centraliser of a generic element (the dimension
  of a Cartan subalgebra for a semisimple algebra).
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.linalg

from groups._arrays import real_float64
from groups.checks import check_real, check_seed

__all__ = [
    "closure_residual",
    "structure_constants",
    "killing_form",
    "killing_signature",
    "algebra_rank",
]

_EPS = np.finfo(np.float64).eps
_CHUNK_ENTRIES = 2_000_000  # commutator entries held at once by closure_residual
_CACHE_SIZE = 8  # structure constants of the last few algebras (they are reused a lot)
_CONSTANTS_CACHE: dict[tuple, tuple[np.ndarray, float]] = {}


def _as_algebra(algebra) -> np.ndarray:
    """The basis as a float64 array ``(D, d, d)``, from a Group or an array."""
    value = getattr(algebra, "lie_algebra", algebra)
    array = real_float64(value, "algebra", "a Group or an array (D, d, d) of real matrices")
    if array.ndim != 3 or array.shape[1] != array.shape[2]:
        raise ValueError(
            f"algebra must have shape (D, d, d), a stack of square matrices; got {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("algebra contains non-finite values (nan or inf).")
    return array


def _orthonormal_span(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """QR of ``flat.T`` with pivoting: ``(Q (n, r), R (r, D), pivots)`` for the rank ``r``."""
    q, r, pivots = scipy.linalg.qr(flat.T, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    rank = int(np.sum(diagonal > max(flat.shape) * _EPS * diagonal.max(initial=0.0)))
    return q[:, :rank], r[:rank], pivots


def _commutator_rows(basis: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``[A_i, A_j]`` for ``i`` in ``rows`` and every ``j``: ``(len(rows), D, d, d)``.

    Two matrix products (blocks ``A_i A_j`` and ``A_j A_i``) instead of many small ones.
    """
    count, d = basis.shape[0], basis.shape[1]
    chosen = basis[rows]
    columns = basis.transpose(1, 0, 2).reshape(d, count * d)  # [A_1 | A_2 | ...]
    left = chosen.reshape(len(rows) * d, d) @ columns  # block (i, j) = A_i A_j
    right = basis.reshape(count * d, d) @ chosen.transpose(1, 0, 2).reshape(d, len(rows) * d)
    left = left.reshape(len(rows), d, count, d).transpose(0, 2, 1, 3)
    return left - right.reshape(count, d, len(rows), d).transpose(2, 0, 1, 3)


def _chunks(count: int, d: int):
    step = max(1, _CHUNK_ENTRIES // max(1, count * d * d))
    for start in range(0, count, step):
        yield np.arange(start, min(count, start + step))


def closure_residual(algebra) -> float:
    """Relative distance of the commutators from the span of the basis.

    ``max_{i<j} |[A_i, A_j] - P [A_i, A_j]|_F / (|A_i|_F |A_j|_F)`` with ``P`` the
    orthogonal (Frobenius) projector onto ``span(A_1 .. A_D)``; zero pairs are skipped.
    About 1e-15 for an exact Lie algebra.

    Args:
        algebra: a Group or an array ``(D, d, d)``.

    Returns:
        The residual as a float (0.0 when ``D < 2``).

    Raises:
        ValueError: if the basis is not a stack ``(D, d, d)`` of square matrices or holds
            non-finite values.
        TypeError: if the basis cannot be converted to float64, holds strings, or is
            complex (realify complex matrices first, as `groups.U` does).

    Example:
        >>> import numpy as np
        >>> rotations = np.array([[[0.0, -1.0], [1.0, 0.0]]])
        >>> closure_residual(rotations)
        0.0
        >>> shear_and_diagonal = np.array([[[0.0, 1.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]])
        >>> closure_residual(shear_and_diagonal) < 1e-15  # [E11, E12] = E12 stays inside
        True
    """
    basis = _as_algebra(algebra)
    count, d = basis.shape[0], basis.shape[1]
    if count < 2:
        return 0.0
    flat = basis.reshape(count, d * d)
    span, _, _ = _orthonormal_span(flat)
    norms = np.linalg.norm(flat, axis=1)
    worst = 0.0
    for rows in _chunks(count, d):
        later = np.arange(count)[None, :] > rows[:, None]  # each pair once
        scale = norms[rows][:, None] * norms[None, :]
        keep = later & (scale > 0)
        commutators = _commutator_rows(basis, rows)[keep].reshape(-1, d * d)
        residual = commutators - (commutators @ span) @ span.T
        ratio = np.linalg.norm(residual, axis=1) / scale[keep]
        worst = max(worst, float(ratio.max(initial=0.0)))
    return worst


def structure_constants(algebra) -> tuple[np.ndarray, float]:
    """Structure constants of a Lie algebra in the given basis, with the closure residual.

    Args:
        algebra: a Group or an array ``(D, d, d)`` of linearly independent matrices.

    Returns:
        ``(C, residual)``: ``C`` float64 ``(D, D, D)`` with
        ``[A_i, A_j] ~ sum_k C[i, j, k] A_k`` (least squares in the Frobenius inner
        product), antisymmetric in ``i, j``; ``residual`` is `closure_residual`.

    Raises:
        ValueError: if the basis is linearly dependent, not a stack ``(D, d, d)`` of
            square matrices, or holds non-finite values.
        TypeError: if the basis cannot be converted to float64, holds strings, or is
            complex (realify complex matrices first, as `groups.U` does).

    Example:
        >>> from groups import SO
        >>> C, residual = structure_constants(SO(3))
        >>> C.shape, residual < 1e-14
        ((3, 3, 3), True)
    """
    basis = _as_algebra(algebra)
    count, d = basis.shape[0], basis.shape[1]
    if count == 0:
        return np.zeros((0, 0, 0)), 0.0
    digest = hashlib.sha256(np.ascontiguousarray(basis).tobytes()).hexdigest()
    key = (basis.shape, digest)
    if key in _CONSTANTS_CACHE:
        constants, residual = _CONSTANTS_CACHE[key]
        return constants.copy(), residual
    flat = basis.reshape(count, d * d)
    span, triangular, pivots = _orthonormal_span(flat)
    if span.shape[1] < count:
        raise ValueError(
            f"algebra basis of {count} matrices ({d}, {d}) is linearly dependent (its span has "
            f"dimension {span.shape[1]}); structure constants need a basis."
        )
    norms = np.linalg.norm(flat, axis=1)
    constants = np.empty((count, count, count))
    residual = 0.0
    for rows in _chunks(count, d):
        commutators = _commutator_rows(basis, rows).reshape(-1, d * d)
        projected = span.T @ commutators.T  # (rank, pairs)
        # flat.T[:, pivots] = span @ triangular, so coordinates = triangular^-1 span^T c
        solved = scipy.linalg.solve_triangular(triangular, projected)
        coordinates = np.empty_like(solved)
        coordinates[pivots] = solved
        constants[rows] = coordinates.T.reshape(len(rows), count, count)
        outside = np.linalg.norm(commutators - (span @ projected).T, axis=1)
        residual = max(residual, float((outside / np.outer(norms[rows], norms).ravel()).max()))
    constants = 0.5 * (constants - constants.transpose(1, 0, 2))
    if len(_CONSTANTS_CACHE) >= _CACHE_SIZE:
        _CONSTANTS_CACHE.pop(next(iter(_CONSTANTS_CACHE)))
    _CONSTANTS_CACHE[key] = (constants.copy(), residual)
    return constants, residual


def killing_form(algebra) -> np.ndarray:
    """Killing form ``K_ij = tr(ad A_i ad A_j)`` in the given basis.

    Args:
        algebra: a Group or an array ``(D, d, d)`` of linearly independent matrices.

    Returns:
        float64 ``(D, D)``, symmetric.

    Raises:
        ValueError, TypeError: as `structure_constants`.

    Example:
        >>> from groups import SO
        >>> import numpy as np
        >>> bool(np.allclose(killing_form(SO(3)), -2 * np.eye(3)))  # so(3) is compact
        True
    """
    constants, _ = structure_constants(algebra)
    # (ad A_i)[k, l] = C[i, l, k], so tr(ad A_i ad A_j) = sum_kl C[i, l, k] C[j, k, l]
    form = np.einsum("ilk,jkl->ij", constants, constants)
    return 0.5 * (form + form.T)


def killing_signature(algebra, rtol: float = 1e-8) -> tuple[int, int, int]:
    """Signature of the Killing form: numbers of positive, negative and zero eigenvalues.

    An eigenvalue counts as zero when its magnitude is at most ``rtol`` times the largest
    one (or times ``D max|C|^2`` when that is larger, so that the zero form of a nilpotent
    algebra is not read as rounding noise of either sign). Compact semisimple algebras
    give ``(0, D, 0)``; ``so(1, 3)`` gives ``(3, 3, 0)``; an abelian algebra ``(0, 0, D)``.

    Args:
        algebra: a Group or an array ``(D, d, d)`` of linearly independent matrices.
        rtol: relative cut-off for zero eigenvalues.

    Returns:
        ``(positive, negative, zero)``, summing to ``D``.

    Raises:
        ValueError: if ``rtol`` is not in ``(0, 1)``, or as `structure_constants`.
        TypeError: if ``rtol`` is not a real number, or as `structure_constants`.

    Example:
        >>> from groups import SO
        >>> killing_signature(SO(4))
        (0, 6, 0)
    """
    rtol = check_real(rtol, "rtol", above=0, below=1)
    constants, _ = structure_constants(algebra)
    if constants.size == 0:
        return (0, 0, 0)
    eigenvalues = np.linalg.eigvalsh(killing_form(algebra))
    # |K_ij| <= D max|C|^2: a scale that stays meaningful when K vanishes (nilpotent algebras)
    scale = max(np.abs(eigenvalues).max(), len(constants) * np.abs(constants).max() ** 2)
    cutoff = rtol * scale
    positive = int(np.sum(eigenvalues > cutoff))
    negative = int(np.sum(eigenvalues < -cutoff))
    return positive, negative, len(eigenvalues) - positive - negative


def algebra_rank(algebra, seed: int = 0, rtol: float = 1e-8) -> int:
    """Dimension of the centraliser of a generic element of the algebra.

    For a semisimple algebra this is its rank (the dimension of a Cartan subalgebra); for
    ``gl(n)`` or ``u(n)`` it is ``n``; for an abelian algebra its dimension. The smallest
    centraliser over three random elements is returned (a random element is generic with
    probability one).

    Args:
        algebra: a Group or an array ``(D, d, d)`` of linearly independent matrices.
        seed: seed of the random coefficients.
        rtol: singular values of ``ad X`` at most ``rtol`` times the largest count as zero.

    Returns:
        The rank as an int (0 for an empty algebra).

    Raises:
        ValueError: if ``seed`` is negative or ``rtol`` is not in ``(0, 1)``, or as
            `structure_constants`.
        TypeError: if ``seed`` is not an integer or ``rtol`` not a real number, or as
            `structure_constants`.

    Example:
        >>> from groups import SO
        >>> algebra_rank(SO(5)), algebra_rank(SO(6))
        (2, 3)
    """
    seed, rtol = check_seed(seed), check_real(rtol, "rtol", above=0, below=1)
    constants, _ = structure_constants(algebra)
    count = constants.shape[0]
    if count == 0:
        return 0
    rng = np.random.default_rng(seed)
    smallest = count
    for _ in range(3):
        z = rng.standard_normal(count)
        adjoint = np.einsum("a,ajk->kj", z, constants)  # ad X e_j = sum_k C[X, j, k] e_k
        singular = np.linalg.svd(adjoint, compute_uv=False)
        if singular[0] == 0.0:
            return count
        smallest = min(smallest, count - int(np.sum(singular > rtol * singular[0])))
    return smallest
