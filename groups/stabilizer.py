"""Groups as stabilizers: the Lie algebra of all ``A`` that annihilate given tensors.

A matrix ``A (d, d)`` acts on a tensor ``T`` of shape ``(d,) * k`` in every slot:
``(A . T)[i_1 .. i_k] = sum_s sum_j A[i_s, j] T[i_1 .. j .. i_k]`` (the derivative of
``T -> (g (x) ... (x) g) T`` at ``g = I``). The stabilizer algebra of ``T_1 .. T_m`` is the
common nullspace of these linear maps of the ``d**2`` entries of ``A``: the Lie algebra of
the identity component of ``{g : (g (x) ... (x) g) T_i = T_i}``.

How it is solved. Each map is a sparse matrix ``M_T (d**k, d**2)`` with
``k * d * nnz(T)`` entries. The nullspace of the stack is the eigenspace of the small
sparse Gram matrix ``sum_T M_T^T M_T (d**2, d**2)`` for eigenvalue zero (for the E6 cubic
form: 729 x 729 instead of an SVD of 19,683 x 729). Entries of ``A`` that never meet in a
constraint decouple, so the Gram matrix is block diagonal after a permutation: its
connected components are diagonalised one by one (E6: 110 blocks of at most 27 unknowns;
G2: 8 blocks of at most 7). Each tensor is scaled to unit largest entry first, which does
not change the nullspace.

Tolerance rule. An eigenvalue ``lam`` of the Gram matrix counts as zero when
``lam <= tol**2 * lam_max``, i.e. a singular value ``s`` of the stacked constraint when
``s <= tol * s_max`` (default ``tol = 1e-6``; the Gram matrix resolves singular values
down to about ``1e-7 s_max``). A `RuntimeWarning` flags singular values within a factor
100 above the cut-off (an ambiguous dimension). The result is verified: every basis
element must satisfy ``|M vec(A)| <= 1e-9 s_max``, otherwise `RuntimeError`.

The basis returned is canonical (it depends only on the subspace, not on which
eigenvectors LAPACK happens to return): per block, the reduced row-echelon basis made
orthonormal in the Frobenius inner product by the symmetric (Löwdin) orthonormalisation,
with entries below 1e-14 set to zero; blocks ordered by their first non-zero entry. Every
basis element is supported on one block, so the basis is sparse.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph

from groups._arrays import real_float64
from groups.checks import check_real
from groups.group import Group

__all__ = ["stabilizer", "stabilizer_algebra"]

_DEFAULT_TOL = 1e-6
_MAX_DIMENSION = 100  # the basis alone may hold d**4 entries (800 MB at d = 100)
_MAX_BLOCK = 4096  # largest block of coupled unknowns diagonalised densely
_MAX_ENTRIES = 50_000_000  # entries of one sparse constraint matrix
_VERIFY_RTOL = 1e-9


def _check_tensors(tensors) -> list[np.ndarray]:
    if not tensors:
        raise ValueError("stabilizer needs at least one tensor of shape (d,) * k; got none.")
    arrays, d = [], None
    for index, tensor in enumerate(tensors):
        array = real_float64(tensor, f"tensors[{index}]", "a real array of shape (d,) * k")
        if array.ndim == 0 or len(set(array.shape)) != 1:
            raise ValueError(
                f"tensors[{index}] must have shape (d,) * k with k >= 1 equal axes; got shape "
                f"{array.shape}."
            )
        if d is None:
            d = array.shape[0]
        elif array.shape[0] != d:
            raise ValueError(
                f"tensors[{index}] has shape {array.shape} but tensors[0] has d = {d}: every "
                f"tensor must have shape ({d},) * k."
            )
        if not np.all(np.isfinite(array)):
            raise ValueError(f"tensors[{index}] contains non-finite values (nan or inf).")
        arrays.append(array)
    if d > _MAX_DIMENSION:
        raise ValueError(
            f"stabilizer solves for the d**2 entries of A; d = {d} is above the supported "
            f"{_MAX_DIMENSION}."
        )
    return arrays


def _action_matrix(tensor: np.ndarray) -> scipy.sparse.csr_matrix:
    """The sparse matrix ``(d**k, d**2)`` of ``vec(A) -> vec(A . tensor)`` (row-major)."""
    d, k = tensor.shape[0], tensor.ndim
    support = np.nonzero(tensor)
    values = tensor[support]
    if values.size * k * d > _MAX_ENTRIES:
        raise ValueError(
            f"the constraint of a tensor of shape {tensor.shape} with {values.size} non-zero "
            f"entries would hold {values.size * k * d} entries, above {_MAX_ENTRIES}."
        )
    strides = d ** np.arange(k - 1, -1, -1, dtype=np.int64)
    flat = np.zeros(values.size, dtype=np.int64)
    for index, stride in zip(support, strides, strict=True):
        flat += index.astype(np.int64) * stride
    a = np.arange(d, dtype=np.int64)
    rows, cols = [], []
    for slot in range(k):
        j = support[slot].astype(np.int64)
        # T[.. j ..] feeds (A . T)[.. a ..] through A[a, j], for every a
        rows.append((flat - j * strides[slot])[:, None] + a[None, :] * strides[slot])
        cols.append(a[None, :] * d + j[:, None])
    data = np.tile(np.repeat(values, d), k)
    matrix = scipy.sparse.coo_matrix(
        (data, (np.concatenate(rows).ravel(), np.concatenate(cols).ravel())),
        shape=(d**k, d * d),
    )
    return matrix.tocsr()


def _canonical_rows(basis: np.ndarray) -> np.ndarray:
    """A basis of the row space of ``basis (r, n)`` that depends only on that space."""
    r = basis.shape[0]
    if r == 0:
        return basis
    chosen: list[int] = []
    frame = np.zeros((r, 0))
    threshold = 1e-6 * np.linalg.norm(basis, axis=0).max()
    for column in range(basis.shape[1]):
        v = basis[:, column]
        rest = v - frame @ (frame.T @ v)
        norm = np.linalg.norm(rest)
        if norm > threshold:
            chosen.append(column)
            frame = np.column_stack([frame, rest / norm])
            if len(chosen) == r:
                break
    echelon = np.linalg.solve(basis[:, chosen], basis)  # reduced row-echelon rows
    gram = echelon @ echelon.T
    values, vectors = np.linalg.eigh(gram)
    orthonormal = (vectors / np.sqrt(values)) @ vectors.T @ echelon  # (E E^T)^(-1/2) E
    orthonormal[np.abs(orthonormal) < 1e-14] = 0.0
    return orthonormal + 0.0


def stabilizer_algebra(*tensors, covariant: bool = False, tol: float | None = None) -> np.ndarray:
    """Orthonormal basis of the Lie algebra annihilating every given tensor.

    Args:
        *tensors: arrays of shape ``(d,) * k`` (``k`` may differ between tensors).
        covariant: if False (default) the tensors transform as ``T -> (g (x) .. (x) g) T``
            and the algebra is ``{A : A . T = 0}``. If True they are forms
            (``T(g x, .., g z) = T(x, .., z)``, e.g. a metric ``g^T eta g = eta``) and the
            algebra is ``{A : A^T . T = 0}``.
        tol: relative singular-value cut-off (module docstring); ``None`` for 1e-6.

    Returns:
        float64 ``(r, d, d)``, orthonormal in the Frobenius inner product, canonical.

    Raises:
        TypeError: if a tensor is not a real array (complex tensors are refused).
        ValueError: if no tensor is given, a tensor is not of shape ``(d,) * k``, the
            tensors disagree on ``d``, or hold non-finite values.
        RuntimeError: if the computed basis fails verification.

    Example:
        >>> eta = np.diag([1.0, -1.0])  # the metric of R^(1,1)
        >>> stabilizer_algebra(eta, covariant=True) * np.sqrt(2)  # one boost
        array([[[0., 1.],
                [1., 0.]]])
    """
    arrays = _check_tensors(tensors)
    tol = check_real(tol, "tol", above=0, below=1, optional=True, where="stabilizer_algebra")
    rtol = _DEFAULT_TOL if tol is None else tol
    d = arrays[0].shape[0]
    blocks = []
    for array in arrays:
        largest = np.abs(array).max()
        if largest > 0:
            blocks.append(_action_matrix(array / largest))
    if not blocks:  # only zero tensors: everything stabilizes them
        return np.eye(d * d).reshape(d * d, d, d)
    constraint = scipy.sparse.vstack(blocks).tocsr()
    gram = (constraint.T @ constraint).tocsr()
    # unknowns that never meet in a constraint row decouple: one small eigh per component
    count, labels = scipy.sparse.csgraph.connected_components(gram, directed=False)
    order = np.argsort(labels, kind="stable")
    components = np.split(order, np.cumsum(np.bincount(labels, minlength=count))[:-1])
    largest = max(len(c) for c in components)
    if largest > _MAX_BLOCK:
        raise ValueError(
            f"the constraint couples {largest} of the {d * d} entries of A at once; a dense "
            f"eigendecomposition of that size (limit {_MAX_BLOCK}) is refused. Sparser or "
            "fewer tensors, or a smaller d, keep the blocks small."
        )
    spectra = [scipy.linalg.eigh(gram[c][:, c].toarray()) for c in components]
    top = max(values[-1] for values, _ in spectra)
    pieces = []  # (columns, orthonormal rows supported on them)
    for columns, (values, vectors) in zip(components, spectra, strict=True):
        ambiguous = (values > rtol**2 * top) & (values <= 1e4 * rtol**2 * top)
        if ambiguous.any():
            warnings.warn(
                "ambiguous stabilizer dimension: singular values "
                f"{np.sqrt(values[ambiguous] / top)} (relative) lie just above the cut-off "
                f"tol = {rtol:.1e}.",
                RuntimeWarning,
                stacklevel=2,
            )
        null = values <= rtol**2 * top
        if null.any():
            local = _canonical_rows(np.ascontiguousarray(vectors[:, null].T))
            error = np.abs(local @ local.T - np.eye(len(local))).max()
            if error > 1e-10:
                raise RuntimeError(f"stabilizer basis is not orthonormal (error {error:.2e}).")
            pieces.extend((columns, row) for row in local)
    # order by the first non-zero entry (the echelon pivot): a canonical order
    pieces.sort(key=lambda piece: int(piece[0][np.flatnonzero(piece[1])[0]]))
    basis = np.zeros((len(pieces), d * d))
    for index, (columns, row) in enumerate(pieces):
        basis[index, columns] = row
    residual = np.linalg.norm(constraint @ basis.T, axis=0).max(initial=0.0) / np.sqrt(top)
    if residual > _VERIFY_RTOL:
        raise RuntimeError(
            f"stabilizer basis failed verification: relative residual {residual:.2e} > "
            f"{_VERIFY_RTOL:.0e}."
        )
    algebra = basis.reshape(-1, d, d)
    return algebra.transpose(0, 2, 1).copy() if covariant else algebra


def stabilizer(
    *tensors, name: str | None = None, covariant: bool = False, tol: float | None = None
) -> Group:
    """The connected group whose Lie algebra annihilates every given tensor.

    The identity component of the group preserving the tensors (see
    `stabilizer_algebra`; no discrete generators). Built-in examples: ``G2`` (the octonion
    3-form), ``F4`` and ``E6`` (the Albert algebra's forms); ``O(p, q)`` and ``Sp`` come out
    of their metric and symplectic form.

    Args:
        *tensors: arrays of shape ``(d,) * k``.
        name: readable name of the group; default ``"Stabilizer(shapes)"``.
        covariant: treat the tensors as forms (``g^T``-action); see `stabilizer_algebra`.
        tol: relative singular-value cut-off; ``None`` for 1e-6.

    Returns:
        A connected `Group` on ``R^d`` whose ``lie_algebra (r, d, d)`` is Frobenius
        orthonormal.

    Raises:
        TypeError: if a tensor is not a real array (complex tensors are refused).
        ValueError: if no tensor is given or the shapes are not ``(d,) * k`` for one ``d``.

    Example:
        >>> G = stabilizer(np.eye(3))  # preserves the Euclidean metric: so(3)
        >>> G.lie_algebra.shape
        (3, 3, 3)
        >>> stabilizer(np.diag([1.0, -1.0, -1.0, -1.0]), covariant=True).lie_algebra.shape
        (6, 4, 4)
    """
    algebra = stabilizer_algebra(*tensors, covariant=covariant, tol=tol)
    if name is None:
        name = "Stabilizer(" + ", ".join(str(np.shape(t)) for t in tensors) + ")"
    return Group(lie_algebra=algebra, name=name, strict=True)
