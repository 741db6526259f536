"""Structure of a Lie algebra from its structure constants: centre, derived algebra, ideals.

All functions work in *coefficient space* ``R^k`` (a vector ``z`` stands for
``sum_i z_i A_i``) on structure constants ``C (k, k, k)`` with
``[A_i, A_j] = sum_l C[i, j, l] A_l`` (`groups.structure_constants`); the adjoint
matrices are ``ad_i = C[i].T``.

Rank rule: a singular value counts as zero when it is at most ``tol * max(s_max, 1)``,
``s_max`` the largest one of the same matrix (`identify` picks ``tol``). The floor 1 is
the natural scale of structure constants in a Frobenius-orthonormal basis (``|C| <= 2``),
which `identify` always works in: an abelian algebra's rounding-level brackets then read
as zero instead of being compared with themselves.

Ideals. The decomposition of ``g`` into indecomposable ideals is read off the commutant
of the adjoint representation, ``Gamma = {M : M ad_X = ad_X M for all X}``: its central
idempotents are the projections onto the ideals. A random element of the centre of
``Gamma`` acts as a different (real or complex) scalar on each ideal, so its real
invariant subspaces (real Schur form) are the ideals. ``Gamma`` is computed cheaply by
diagonalising one generic ``ad_X``: an ``M`` commuting with it preserves its eigenspaces,
which leaves ``sum_c n_c^2`` unknowns (``n_c`` the eigenvalue multiplicities; 108 instead
of 6084 for E6); every generator is then imposed through a Gram matrix assembled in closed
form, and the result is verified against every generator. Abelian ideals (inside the
centre) are split into 1-dimensional ``u(1)`` or ``R`` pieces.
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph

__all__ = [
    "adjoint_matrices",
    "null_basis",
    "range_basis",
    "center_basis",
    "derived_basis",
    "commutant",
    "ideal_bases",
]

_MAX_UNKNOWNS = 2048  # unknowns of the reduced commutant problem (its Gram matrix is u x u)
_CONDITION_LIMIT = 1e8  # eigenvector matrices worse than this are not used
_COMMUTANTS: dict[tuple, np.ndarray | None] = {}


def adjoint_matrices(constants: np.ndarray) -> np.ndarray:
    """``ad_i`` for each basis element, ``(k, k, k)`` with ``ad_i[l, j] = C[i, j, l]``.

    Example:
        >>> from groups import SO, structure_constants
        >>> adjoint_matrices(structure_constants(SO(3))[0]).shape
        (3, 3, 3)
    """
    return np.ascontiguousarray(constants.transpose(0, 2, 1))


def _svd(matrix: np.ndarray):
    """Singular values and all ``n`` right singular vectors of ``matrix (m, n)``."""
    rows, cols = matrix.shape
    if matrix.size == 0:
        return None, np.zeros(0), np.eye(cols)
    if rows < cols:  # zero rows change nothing but give every right singular vector
        matrix = np.concatenate([matrix, np.zeros((cols - rows, cols), matrix.dtype)])
    elif rows > 2 * cols:  # tall: the triangular factor has the same singular values
        matrix = scipy.linalg.qr(matrix, mode="r", check_finite=False)[0][:cols]
    _, singular, right = np.linalg.svd(matrix, full_matrices=False)
    return None, singular, right


def null_basis(matrix: np.ndarray, tol: float) -> np.ndarray:
    """Orthonormal columns ``(n, r)`` spanning ``{x : matrix @ x = 0}`` (rank rule above).

    Example:
        >>> null_basis(np.array([[1.0, 1.0]]), 1e-8).shape
        (2, 1)
    """
    _, singular, right = _svd(matrix)
    if singular.size == 0:
        return np.eye(matrix.shape[1], dtype=matrix.dtype)
    rank = int(np.sum(singular > tol * max(singular[0], 1.0)))
    return right[rank:].conj().T


def range_basis(matrix: np.ndarray, tol: float) -> np.ndarray:
    """Orthonormal columns spanning the row space of ``matrix`` (rank rule above).

    Example:
        >>> range_basis(np.array([[1.0, 1.0], [2.0, 2.0]]), 1e-8).shape
        (2, 1)
    """
    _, singular, right = _svd(matrix)
    if singular.size == 0:
        return np.zeros((matrix.shape[1], 0))
    rank = int(np.sum(singular > tol * max(singular[0], 1.0)))
    return right[:rank].conj().T


def center_basis(constants: np.ndarray, tol: float) -> np.ndarray:
    """Coefficients ``(k, c)`` of the centre ``{z : [z, A_j] = 0 for all j}``.

    Example:
        >>> from groups import U, structure_constants
        >>> center_basis(structure_constants(U(2))[0], 1e-8).shape
        (4, 1)
    """
    k = constants.shape[0]
    return null_basis(constants.reshape(k, k * k).T, tol)


def derived_basis(constants: np.ndarray, tol: float) -> np.ndarray:
    """Coefficients ``(k, m)`` of the derived algebra ``[g, g] = span [A_i, A_j]``.

    Example:
        >>> from groups import U, structure_constants
        >>> derived_basis(structure_constants(U(2))[0], 1e-8).shape  # su(2)
        (4, 3)
    """
    k = constants.shape[0]
    return range_basis(constants.reshape(k * k, k), tol)


def restrict(matrices: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Adjoint matrices restricted to an invariant subspace with orthonormal ``basis (n, m)``.

    Returns ``(m, m, m)``: entry ``p`` is ``ad`` of the ``p``-th basis vector, in that basis.
    """
    combined = np.tensordot(basis, matrices, axes=(0, 0))  # (m, n, n)
    right = np.tensordot(combined, basis, axes=(2, 0))  # (m, n, m)
    return np.tensordot(basis, right, axes=(0, 1)).transpose(1, 0, 2)


def _clusters(values: np.ndarray, gap: float, conjugate: bool = False) -> np.ndarray:
    """Labels grouping values closer than ``gap`` (and, if asked, their conjugates)."""
    distance = np.abs(values[:, None] - values[None, :])
    if conjugate:
        distance = np.minimum(distance, np.abs(values[:, None] - values[None, :].conj()))
    graph = scipy.sparse.csr_matrix(distance <= gap)
    return scipy.sparse.csgraph.connected_components(graph, directed=False)[1]


def _eigenbasis(matrix: np.ndarray, gap: float):
    """``(V, labels)`` from the eigenvectors of ``matrix`` or ``(I, one cluster)``."""
    n = matrix.shape[0]
    values, vectors = np.linalg.eig(matrix)
    scale = max(np.abs(values).max(), 1e-300)
    if np.linalg.cond(vectors) < _CONDITION_LIMIT:
        return vectors, _clusters(values, gap * scale)
    return np.eye(n, dtype=complex), np.zeros(n, dtype=int)


def _commutator_gram(elements: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Gram matrix ``sum_Y <[Y, E_p], [Y, E_q]>_F`` over unknowns ``p = (rows[p], cols[p])``.

    With ``[Y, E_ab] = y_a e_b^T - e_a r_b^T`` (``y_a`` column ``a``, ``r_b`` row ``b`` of
    ``Y``) every entry is a sum of four products of entries of ``sum_Y Y^H Y``,
    ``sum_Y conj(Y) Y^T`` and the ``Y``: two matrix products and ``O(q u^2)`` gathers for
    ``q`` elements, instead of the ``(q n^2, u)`` constraint matrix (the tests compare
    both).

    Args:
        elements: complex ``(q, n, n)``.
        rows, cols: int ``(u,)``, the positions of the unknowns.
    """
    q, n = elements.shape[0], elements.shape[1]
    tall = elements.reshape(q * n, n)  # the Y stacked vertically
    wide = elements.transpose(1, 0, 2).reshape(n, q * n)  # ... and side by side
    left, right = tall.conj().T @ tall, wide.conj() @ wide.T
    gram = np.where(cols[:, None] == cols[None, :], left[rows[:, None], rows[None, :]], 0.0)
    gram = gram + np.where(rows[:, None] == rows[None, :], right[cols[:, None], cols[None, :]], 0.0)
    gram -= np.einsum(
        "ypq,ypq->pq",
        elements[:, rows[None, :], rows[:, None]].conj(),
        elements[:, cols[None, :], cols[:, None]],
    )
    gram -= np.einsum(
        "ypq,ypq->pq",
        elements[:, cols[:, None], cols[None, :]].conj(),
        elements[:, rows[:, None], rows[None, :]],
    )
    return 0.5 * (gram + gram.conj().T)


def _commutators(elements: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``[Y, matrix]`` for every ``Y`` in ``elements (q, n, n)``, with two matrix products."""
    q, n = elements.shape[0], elements.shape[1]
    first = (elements.reshape(q * n, n) @ matrix).reshape(q, n, n)
    second = (matrix @ elements.transpose(1, 0, 2).reshape(n, q * n)).reshape(n, q, n)
    return first - second.transpose(1, 0, 2)


def _commutant_null(elements, rows, cols, n: int, tol: float) -> np.ndarray:
    """Coefficients ``(u, c)`` of the block-diagonal ``M`` commuting with every element.

    The toolkit's two-step rule (`emlp_core.nullspace`): candidates are the eigenvectors
    of the Gram matrix with eigenvalue below ``1e-6`` of the largest (``s <= 1e-3
    s_max``); the rank is decided by a thin SVD of the commutators of the candidates.
    """
    gram = _commutator_gram(elements, rows, cols)
    values, vectors = scipy.linalg.eigh(gram)
    top = max(values[-1], 1.0)
    candidates = vectors[:, values <= (1e-6 + tol**2) * top]
    if candidates.shape[1] == 0:
        return candidates
    applied = []
    for column in candidates.T:
        tilde = np.zeros((n, n), dtype=complex)
        tilde[rows, cols] = column
        applied.append(_commutators(elements, tilde).ravel())
    _, singular, right = _svd(np.array(applied).T)
    rank = int(np.sum(singular > tol * np.sqrt(top)))
    return candidates @ right[rank:].conj().T


def commutant(matrices: np.ndarray, tol: float, seed: int = 0) -> np.ndarray | None:
    """Real basis ``(c, n, n)`` of ``{M : [M_i, M] = 0 for all i}`` (orthonormal, Frobenius).

    Cached for the last few inputs (`identify` asks twice for a simple algebra).

    Args:
        matrices: float64 ``(q, n, n)``.
        tol: relative cut-off of the nullspace and of the verification.
        seed: seed of the generic element.

    Returns:
        The basis, or None when the reduced problem is too large to solve densely.

    Example:
        >>> from groups import SO, structure_constants
        >>> commutant(adjoint_matrices(structure_constants(SO(4))[0]), 1e-8).shape  # 2 ideals
        (2, 6, 6)
    """
    key = (matrices.shape, hashlib.sha256(matrices.tobytes()).hexdigest(), tol, seed)
    if key not in _COMMUTANTS:
        if len(_COMMUTANTS) >= 4:
            _COMMUTANTS.pop(next(iter(_COMMUTANTS)))
        _COMMUTANTS[key] = _commutant(np.ascontiguousarray(matrices), tol, seed)
    result = _COMMUTANTS[key]
    return None if result is None else result.copy()


def _commutant(matrices: np.ndarray, tol: float, seed: int) -> np.ndarray | None:
    """The uncached `commutant`."""
    q, n = matrices.shape[0], matrices.shape[1]
    if q == 0 or np.abs(matrices).max() <= tol:
        return np.eye(n * n).reshape(n * n, n, n)
    rng = np.random.default_rng(seed)
    generic = np.tensordot(rng.standard_normal(q), matrices, axes=1)
    vectors, labels = _eigenbasis(generic, max(1e-6, 10 * tol))
    rows, cols = np.nonzero(labels[:, None] == labels[None, :])
    if rows.size > _MAX_UNKNOWNS:
        return None
    inverse = np.linalg.inv(vectors)
    # V^-1 M_i V for every i, as two matrix products
    moved = (inverse @ matrices.transpose(1, 0, 2).reshape(n, q * n)).reshape(n, q, n)
    elements = (moved.transpose(1, 0, 2).reshape(q * n, n) @ vectors).reshape(q, n, n)
    null = _commutant_null(elements, rows, cols, n, tol)
    candidates = []
    for column in null.T:
        tilde = np.zeros((n, n), dtype=complex)
        tilde[rows, cols] = column
        full = vectors @ tilde @ inverse
        candidates.extend([full.real, full.imag])
    if not candidates:
        return np.zeros((0, n, n))
    flat = np.array(candidates).reshape(len(candidates), n * n)
    basis = np.linalg.svd(flat, full_matrices=False)[2][: null.shape[1]].reshape(-1, n, n)
    scale = max(np.linalg.norm(matrices, axis=(1, 2)).max(), 1.0)
    residual = max(np.linalg.norm(_commutators(matrices, b)) for b in basis) / scale
    return basis if residual <= max(1e3 * tol, 1e-9) else None


def _center_of(basis: np.ndarray, tol: float) -> np.ndarray:
    """Real basis of the centre of the matrix algebra spanned by ``basis (c, n, n)``."""
    c, n = basis.shape[0], basis.shape[1]
    if c <= 1:
        return basis
    products = np.einsum("pab,qbc->pqac", basis, basis)
    commutators = products - products.transpose(1, 0, 2, 3)  # [B_p, B_q]
    coefficients = null_basis(commutators.transpose(1, 2, 3, 0).reshape(c * n * n, c), tol)
    return np.einsum("pr,pab->rab", coefficients, basis)


def _invariant_subspaces(element: np.ndarray, gap: float) -> list[np.ndarray]:
    """Real invariant subspaces of ``element`` for its conjugation-closed eigenvalue clusters."""
    values = np.linalg.eigvals(element)
    scale = max(np.abs(values).max(), 1e-300)
    labels = _clusters(values, gap * scale, conjugate=True)
    spaces = []
    for label in np.unique(labels):
        chosen = values[labels == label]
        if len(chosen) == len(values):
            return [np.eye(len(values))]

        def select(re, im, chosen=chosen):
            point = complex(re, im)
            return bool(np.min(np.abs(chosen - point)) <= gap * scale * 10)

        try:
            _, vectors, size = scipy.linalg.schur(element, output="real", sort=select)
        except (np.linalg.LinAlgError, ValueError):  # reordering failed: no split
            return [np.eye(len(values))]
        spaces.append(vectors[:, :size])
    if sum(s.shape[1] for s in spaces) != len(values):
        return [np.eye(len(values))]
    return spaces


def _split(matrices: np.ndarray, tol: float, seed: int, central: bool) -> list[np.ndarray] | None:
    """Orthonormal bases ``(n, n_c)`` of the indecomposable pieces of an ad-module."""
    n = matrices.shape[1]
    basis = commutant(matrices, tol, seed)
    if basis is None:
        return None
    if central:
        basis = _center_of(basis, max(tol, 1e-10))
    if basis.shape[0] <= 1:
        return [np.eye(n)]
    rng = np.random.default_rng(seed + 1)
    element = np.tensordot(rng.standard_normal(basis.shape[0]), basis, axes=1)
    return _invariant_subspaces(element, max(1e-6, 10 * tol))


def ideal_bases(
    constants: np.ndarray,
    tol: float,
    seed: int = 0,
    center: np.ndarray | None = None,
    derived: np.ndarray | None = None,
) -> tuple[list[np.ndarray] | None, bool]:
    """The ideals of a decomposition into indecomposable ideals, and whether ``g`` is reductive.

    Args:
        constants: ``C (k, k, k)``.
        tol: relative cut-off (module docstring).
        seed: seed of the generic elements.
        center, derived: `center_basis` and `derived_basis` when already computed.

    Returns:
        ``(pieces, reductive)``: ``pieces`` is a list of coefficient bases ``(k, n_c)``
        (orthonormal columns), 1-dimensional for each direction of an abelian direct
        factor, or None when the commutant was too large to compute; ``reductive`` tells
        whether ``g`` is the direct sum of its centre and a semisimple derived algebra.

    Example:
        >>> from groups import SO, structure_constants
        >>> pieces, reductive = ideal_bases(structure_constants(SO(4))[0], 1e-8)
        >>> sorted(p.shape[1] for p in pieces), reductive
        ([3, 3], True)
    """
    k = constants.shape[0]
    if k == 0:
        return [], True
    center = center_basis(constants, tol) if center is None else center
    if center.shape[1] == k:
        return [center[:, [j]] for j in range(k)], True
    derived = derived_basis(constants, tol) if derived is None else derived
    if derived.shape[1] == 0:  # brackets at the cut-off: read as abelian
        return [np.eye(k)[:, [j]] for j in range(k)], True
    ads = adjoint_matrices(constants)
    together = np.linalg.matrix_rank(np.hstack([center, derived]), tol=1e-6)
    restricted = restrict(ads, derived)
    killing = np.einsum("pab,qba->pq", restricted, restricted)
    eigenvalues = np.abs(np.linalg.eigvalsh(0.5 * (killing + killing.T)))
    reductive = (
        together == k == center.shape[1] + derived.shape[1]
        and eigenvalues.min() > max(tol, 1e-8) * eigenvalues.max()
    )
    if reductive:
        pieces = _split(restricted, tol, seed, central=False)
        if pieces is None:
            return None, True
        return [center[:, [j]] for j in range(center.shape[1])] + [
            derived @ piece for piece in pieces
        ], True
    pieces = _split(ads, tol, seed, central=True)
    if pieces is None:
        return None, False
    out = []
    for piece in pieces:
        inner = np.einsum("ip,jq,ijl->pql", piece, piece, constants)
        if np.abs(inner).max(initial=0.0) <= tol:
            out.extend(piece[:, [j]] for j in range(piece.shape[1]))  # abelian factor
        else:
            out.append(piece)
    return out, False
