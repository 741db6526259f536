"""The weight-space strategy: invariants of a Lie algebra on a tensor type.

Diagonalise one generic element ``H`` of the algebra, ``H = P diag(lam) P^{-1}``. On
``V**p * V.T**q`` its action is a Kronecker sum, diagonal in the product eigenbasis with
eigenvalue ``sum_j s_j lam[t_j]`` on index tuple ``t`` (``s_j = -1`` on dual slots). Every
invariant is killed by ``drho(H)``, so it lies in the span of the *zero-weight* tuples,
usually a small fraction of ``N = d**k``. In eigen-coordinates each generator is a
Kronecker sum of ``P^{-1} A P``, so its columns on zero-weight tuples are sparse (at most
``k d`` entries); the remaining constraints are imposed there.

Eigenvectors are chosen conjugation-consistent (``conj(p_i) = p_{partner(i)}``), so the
zero-weight span has a real basis (pairs ``t, conj(t)`` combine into real and imaginary
parts) and the reduced problem is real symmetric. Correctness never depends on ``H`` being
generic: a non-generic ``H`` only keeps more candidates. A zero weight is detected
generously (``|w| <= 1e-6 * k * max|lam|``): keeping a small nonzero weight costs time,
never accuracy, because all constraints are imposed afterwards.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse

from emlp_core.nullspace import orthonormalize, restricted_nullspace
from emlp_core.operators import KroneckerProduct

__all__ = ["Eigenbasis", "generic_eigenbasis", "weight_space_basis", "zero_weight_count"]

_MAX_CONDITION = 1e8


class Eigenbasis:
    """Conjugation-consistent eigen-decomposition ``H = P diag(lam) P^{-1}`` of a real matrix."""

    def __init__(self, values: np.ndarray, vectors: np.ndarray, partner: np.ndarray):
        self.values, self.vectors, self.partner = values, vectors, partner
        self.inverse = np.linalg.inv(vectors)


def generic_eigenbasis(algebra: np.ndarray, seed: int = 0) -> Eigenbasis | None:
    """Eigenbasis of a random combination of the algebra, or None if it is not diagonalisable.

    Example:
        >>> from groups import SO
        >>> basis = generic_eigenbasis(SO(3).lie_algebra)  # eigenvalues 0, +ia, -ia
        >>> a = basis.values.imag.max()
        >>> bool(np.allclose(np.sort(basis.values.imag), [-a, 0.0, a]) and a > 0)
        True
    """
    rng = np.random.default_rng(seed)
    H = np.tensordot(rng.standard_normal(len(algebra)), algebra, axes=1)
    d = H.shape[0]
    values, vectors = scipy.linalg.eig(H)
    scale = max(np.abs(values).max(), 1e-300)
    real = np.abs(values.imag) <= 1e-9 * scale
    new_values, columns, partner = [], [], []
    # real eigenvalues: real eigenvectors, cluster by cluster
    remaining = list(np.flatnonzero(real))
    while remaining:
        cluster = [
            i for i in remaining if abs(values[i].real - values[remaining[0]].real) <= 1e-9 * scale
        ]
        remaining = [i for i in remaining if i not in cluster]
        shifted = H - values[cluster[0]].real * np.eye(d)
        _, singular, right = scipy.linalg.svd(shifted)
        block = right[d - len(cluster) :].T  # real basis of the eigenspace
        if singular[d - len(cluster)] > 1e-8 * scale:
            return None  # defective: the eigenspace is smaller than the multiplicity
        start = len(columns)
        for j in range(block.shape[1]):
            columns.append(block[:, j].astype(complex))
            new_values.append(complex(values[cluster[0]].real, 0.0))
            partner.append(start + j)
    # complex eigenvalues: keep those with positive imaginary part, add their conjugates
    upper = [i for i in np.flatnonzero(~real) if values[i].imag > 0]
    for i in upper:
        first = len(columns)
        columns += [vectors[:, i], vectors[:, i].conj()]
        new_values += [values[i], values[i].conj()]
        partner += [first + 1, first]
    if len(columns) != d:
        return None
    P = np.array(columns).T
    if np.linalg.cond(P) > _MAX_CONDITION:
        return None
    return Eigenbasis(np.array(new_values), P, np.array(partner))


def _slot_data(eigen: Eigenbasis, duals: list[bool]):
    """Per-slot eigenvalue signs, eigenvector matrices and generator transforms."""
    signs = np.array([-1.0 if dual else 1.0 for dual in duals])
    matrices = [eigen.inverse.T if dual else eigen.vectors for dual in duals]
    return signs, matrices


def _zero_weights(eigen: Eigenbasis, signs: np.ndarray) -> np.ndarray:
    weights = np.zeros(1, complex)
    for sign in signs:
        weights = (weights[:, None] + sign * eigen.values[None, :]).ravel()
    threshold = 1e-6 * max(len(signs), 1) * np.abs(eigen.values).max(initial=0.0)
    return np.flatnonzero(np.abs(weights) <= threshold)


def zero_weight_count(eigen: Eigenbasis, duals: list[bool]) -> int:
    """Size of the zero-weight space of ``drho(H)`` on the tensor type with these slots."""
    signs, _ = _slot_data(eigen, duals)
    return int(_zero_weights(eigen, signs).size)


def _generator_columns(
    transformed: np.ndarray, signs, zero: np.ndarray, digits: np.ndarray, d: int
):
    """Sparse ``(N, |Z|)`` columns of the Kronecker sum of ``transformed`` on zero-weight tuples."""
    degree = len(signs)
    size = d**degree
    rows, cols, vals = [], [], []
    column = np.arange(zero.size)
    dropped = 1e-15 * max(np.abs(transformed).max(), 1e-300)
    for slot, sign in enumerate(signs):
        factor = transformed if sign > 0 else -transformed.T
        stride = d ** (degree - 1 - slot)
        entries = factor[:, digits[:, slot]]  # (d, |Z|): new digit a for each column
        keep = np.abs(entries) > dropped
        a, c = np.nonzero(keep)
        rows.append(zero[c] + (a - digits[c, slot]) * stride)
        cols.append(column[c])
        vals.append(entries[a, c])
    return scipy.sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(size, zero.size),
    )


def _real_structure(zero: np.ndarray, digits: np.ndarray, partner: np.ndarray, d: int):
    """Sparse unitary ``U (|Z|, |Z|)`` whose columns give real vectors in the full space."""
    conjugate_flat = np.zeros(zero.size, np.int64)
    for slot in range(digits.shape[1]):
        conjugate_flat = conjugate_flat * d + partner[digits[:, slot]]
    conjugate = np.searchsorted(zero, conjugate_flat)
    index = np.arange(zero.size)
    selfs = index[conjugate == index]
    firsts = index[conjugate > index]
    seconds = conjugate[firsts]
    half = np.sqrt(0.5)
    rows = np.concatenate([selfs, firsts, seconds, firsts, seconds])
    n_self, n_pair = selfs.size, firsts.size
    cols = np.concatenate(
        [
            np.arange(n_self),
            n_self + 2 * np.arange(n_pair),
            n_self + 2 * np.arange(n_pair),
            n_self + 2 * np.arange(n_pair) + 1,
            n_self + 2 * np.arange(n_pair) + 1,
        ]
    )
    vals = np.concatenate(
        [
            np.ones(n_self, complex),
            np.full(n_pair, half, complex),
            np.full(n_pair, half, complex),
            np.full(n_pair, -1j * half),
            np.full(n_pair, 1j * half),
        ]
    )
    return scipy.sparse.csr_array((vals, (rows, cols)), shape=(zero.size, zero.size))


def weight_space_basis(
    algebra: np.ndarray, eigen: Eigenbasis, duals: list[bool], tol: float | None, label: str
) -> np.ndarray:
    """Real orthonormal basis ``(d**k, r)`` of the algebra's invariants on a tensor type.

    Args:
        algebra: Lie-algebra generators ``(D, d, d)``.
        eigen: conjugation-consistent eigenbasis of a generic algebra element.
        duals: one flag per tensor slot, True for ``V.T``.
        tol: relative singular-value cut-off (None: the default rule).
        label: names the problem in warnings.
    """
    d = len(eigen.values)
    degree = len(duals)
    size = d**degree
    signs, slot_vectors = _slot_data(eigen, duals)
    zero = _zero_weights(eigen, signs)
    if zero.size == 0:
        return np.zeros((size, 0))
    digits = np.stack([(zero // d ** (degree - 1 - j)) % d for j in range(degree)], axis=1)
    stacked = scipy.sparse.vstack(
        [
            _generator_columns(eigen.inverse @ A @ eigen.vectors, signs, zero, digits, d)
            for A in algebra
        ],
        format="csr",
    )
    stacked = stacked[np.flatnonzero(np.diff(stacked.indptr))]  # only rows that can be nonzero
    unitary = _real_structure(zero, digits, eigen.partner, d)
    constraint = stacked @ unitary
    gram = (constraint.conj().T @ constraint).toarray()
    gram = 0.5 * (gram + gram.conj().T).real
    # ||drho(A)||_2 <= k ||A||_2 in eigen-coordinates: the scale of the full constraint
    norms = [degree * np.linalg.norm(eigen.inverse @ A @ eigen.vectors, 2) for A in algebra]
    coefficients, _ = restricted_nullspace(
        gram,
        lambda X: [constraint @ X],
        (size * len(algebra), size),
        tol,
        label,
        scale=float(np.sqrt(np.sum(np.square(norms)))),
    )
    if coefficients.shape[1] == 0:
        return np.zeros((size, 0))
    eigen_coordinates = np.zeros((size, coefficients.shape[1]), complex)
    eigen_coordinates[zero] = unitary @ coefficients
    full = KroneckerProduct(slot_vectors) @ eigen_coordinates
    imaginary = np.abs(full.imag).max() / max(np.abs(full.real).max(), 1e-300)
    if imaginary > 1e-6:
        raise RuntimeError(
            f"weight-space basis of {label} is not real (relative imaginary part {imaginary:.1e})."
        )
    return orthonormalize(full.real, coefficients.shape[1])
