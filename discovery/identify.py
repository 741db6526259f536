"""`identify`: what Lie algebra a (discovered) basis spans, as a report.

The report collects the closure residual and structure constants, the Killing signature
and rank (all from `groups.lie_algebra`), the centre and derived algebra, the
decomposition into ideals (`discovery.structure`) and a best-effort name for each ideal
and for the whole (`discovery.labels`).

Compactness is a property of the concrete matrices: ``compact`` is True when the
connected group they generate has compact closure, i.e. when ``g`` is reductive, its
Killing form is negative definite on ``[g, g]``, and every central element is elliptic
(diagonalisable with imaginary eigenvalues: the scalings ``x -> e^t x`` span an abelian
algebra that is *not* compact). Equivalently, some inner product on ``R^d`` is invariant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from discovery.algebra import as_algebra, frobenius_orthonormal
from discovery.labels import cartan_type, combined_label, root_length_ratios, simple_label
from discovery.structure import (
    adjoint_matrices,
    center_basis,
    commutant,
    derived_basis,
    ideal_bases,
    range_basis,
    restrict,
)
from groups.checks import check_real, check_seed
from groups.lie_algebra import algebra_rank, killing_signature, structure_constants

__all__ = ["AlgebraReport", "identify", "MAX_AUTOMATIC_TOL"]

MAX_AUTOMATIC_TOL = 1e-2
"""Largest cut-off `identify` picks by itself (``10 * closure_residual``, at least 1e-8).
Coarser cut-offs blur the rank decisions (the eigenvalue gaps of `_is_elliptic` are
``10 * tol`` relative), so an algebra that would need one must pass ``tol`` explicitly."""


@dataclass(frozen=True, repr=False, eq=False)
class AlgebraReport:
    """Facts about a Lie algebra given by a basis ``(k, d, d)``.

    Attributes:
        dim: ``k``.
        closure_residual: relative residual of the structure constants
            (`groups.closure_residual`).
        structure_constants: ``C (k, k, k)`` in the given basis,
            ``[A_i, A_j] = sum_l C[i, j, l] A_l``.
        killing_signature: ``(n_positive, n_negative, n_zero)`` of the Killing form.
        compact: the generated group has compact closure (module docstring).
        rank: dimension of the centraliser of a generic element (`groups.algebra_rank`).
        center_dim: dimension of the centre.
        derived_dim: dimension of ``[g, g]``.
        ideal_dims: sorted dimensions of the decomposition into indecomposable ideals
            (abelian factors as 1-dimensional pieces); None if it could not be computed.
        label: best-effort name, e.g. ``"so(10)"``, ``"u(6)"``, ``"su(3)+su(2)+u(1)"``,
            ``"G2"``, ``"E6(-26)"``, ``"so(1,3)"``; ``"solvable"``, ``"nilpotent"`` or
            ``"non-reductive"`` when the algebra is not reductive.
        reductive: ``g`` is its centre plus a semisimple derived algebra.
        ideals: a Frobenius-orthonormal basis ``(n_c, d, d)`` of each ideal, in the order
            of ``ideal_labels`` (largest first).
        ideal_labels: the name of each ideal (``"u(1)"`` or ``"R"`` for abelian pieces).
        tol: the relative cut-off used for every rank decision.
    """

    dim: int
    closure_residual: float
    structure_constants: np.ndarray
    killing_signature: tuple[int, int, int]
    compact: bool
    rank: int
    center_dim: int
    derived_dim: int
    ideal_dims: tuple[int, ...] | None
    label: str
    reductive: bool
    ideals: tuple[np.ndarray, ...]
    ideal_labels: tuple[str, ...]
    tol: float

    def summary(self) -> str:
        """A few lines for printing."""
        positive, negative, zero = self.killing_signature
        kind = "compact" if self.compact else "not compact"
        ideals = "?" if self.ideal_dims is None else list(self.ideal_dims)
        return (
            f"label {self.label}: dim {self.dim}, rank {self.rank}, {kind}\n"
            f"Killing signature (+{positive}, -{negative}, 0x{zero}); closure residual "
            f"{self.closure_residual:.1e}\n"
            f"centre {self.center_dim}, derived {self.derived_dim}, ideals {ideals} "
            f"({', '.join(self.ideal_labels)})"
        )

    def __repr__(self) -> str:
        return (
            f"AlgebraReport(label={self.label!r}, dim={self.dim}, rank={self.rank}, "
            f"compact={self.compact}, ideal_dims={self.ideal_dims})"
        )


def _is_elliptic(matrix: np.ndarray, tol: float) -> bool:
    """Diagonalisable with purely imaginary eigenvalues (up to ``tol``, relative)."""
    values = np.linalg.eigvals(matrix)
    scale = np.abs(values).max()
    if scale == 0:
        return False  # a non-zero nilpotent matrix
    gap = max(1e-6, 10 * tol) * scale
    if np.abs(values.real).max() > gap:
        return False
    frequencies = np.sort(np.abs(values.imag))
    distinct = [frequencies[0]]
    for value in frequencies[1:]:
        if value - distinct[-1] > gap:
            distinct.append(value)
    product, bound = np.eye(len(matrix)), 1.0
    norm = np.linalg.norm(matrix, 2)
    for value in distinct:  # the minimal polynomial of a semisimple matrix: distinct roots
        factor = matrix if value <= gap else matrix @ matrix + value**2 * np.eye(len(matrix))
        product = product @ factor
        bound *= norm if value <= gap else norm**2 + value**2
    return bool(np.linalg.norm(product, 2) <= max(1e-6, 10 * tol) * bound)


def _piece_label(basis, ads, piece, tol, seed) -> tuple[str, bool]:
    """Label of one ideal (coefficients ``(k, n_c)``) and whether it is compact."""
    size = piece.shape[1]
    restricted = restrict(ads, piece)
    if np.abs(restricted).max() <= tol:  # abelian (the basis is orthonormal: scale 1)
        matrix = np.tensordot(piece[:, 0], basis, axes=1) if size == 1 else None
        elliptic = matrix is not None and _is_elliptic(matrix, tol)
        return ("u(1)" if elliptic else "R") if size == 1 else f"abelian({size})", elliptic
    killing = np.einsum("pab,qba->pq", restricted, restricted)
    eigenvalues = np.linalg.eigvalsh(0.5 * (killing + killing.T))
    if np.abs(eigenvalues).min() <= tol * max(np.abs(eigenvalues).max(), 1.0):
        return _solvable_label(restricted, tol), False
    negative = int(np.sum(eigenvalues < 0))
    centroid = commutant(restricted, tol, seed)
    copies = 2 if centroid is not None and centroid.shape[0] == 2 else 1
    roots = root_length_ratios(restricted, tol, seed)
    if roots is None:
        rank, ratios = algebra_rank(np.einsum("ip,iab->pab", piece, basis), seed, rtol=tol), None
    else:
        rank, ratios = roots
    kind = cartan_type(size // copies, rank // copies, ratios, copies)
    label = simple_label(kind, negative, size, copies == 2)
    if kind == ("A", 1) and copies == 1 and _integer_spins(basis, restricted, piece, seed):
        label = "so(3)" if negative == size else "so(1,2)"
    return label, negative == size and copies == 1


def _integer_spins(basis, restricted, piece, seed) -> bool:
    """For an ``A1`` ideal: are all weights on ``R^d`` even (an SO(3) or SO(1,2) action)?

    With ``H`` generic in the ideal and ``+-lam`` its non-zero adjoint eigenvalues
    (``[H, E] = lam E``), the eigenvalues ``mu`` of ``H`` acting on ``R^d`` give integer
    weights ``2 mu / lam``; only even weights (integer spins) means the ideal acts
    through ``so(3)`` (compact) or ``so(1,2)`` rather than ``su(2)`` or ``sl(2, R)``.
    """
    z = np.random.default_rng(seed + 2).standard_normal(3)
    adjoint = np.linalg.eigvals(np.tensordot(z, restricted, axes=1))
    lam = adjoint[np.argmax(np.abs(adjoint))]
    matrix = np.tensordot(piece @ z, basis, axes=1)
    weights = 2 * np.linalg.eigvals(matrix) / lam
    rounded = np.round(weights.real)
    if np.abs(weights - rounded).max() > 1e-4:
        return False
    return bool(np.all(rounded % 2 == 0))


def _series_end(constants: np.ndarray, tol: float, lower: bool) -> int:
    """Dimension where the lower central (or derived) series of ``constants`` stabilises."""
    span = np.eye(constants.shape[0])
    while span.shape[1]:
        left = np.eye(constants.shape[0]) if lower else span
        brackets = np.einsum("ip,jq,ijl->pql", left, span, constants).reshape(-1, len(span))
        following = range_basis(brackets, tol) if np.any(brackets) else span[:, :0]
        if following.shape[1] == span.shape[1]:
            break
        span = following
    return span.shape[1]


def _solvable_label(restricted: np.ndarray, tol: float) -> str:
    """``"nilpotent"``, ``"solvable"`` or ``"non-reductive"`` for an ad-module ``(n, n, n)``."""
    constants = restricted.transpose(0, 2, 1)
    if _series_end(constants, tol, lower=True) == 0:
        return "nilpotent"
    return "solvable" if _series_end(constants, tol, lower=False) == 0 else "non-reductive"


def _check_closes(shape: tuple, residual: float, tol: float | None) -> None:
    """Refuses a basis whose span is not closed under the commutator within ``tol``."""
    automatic = max(1e-8, 10 * residual)
    if tol is None and automatic <= MAX_AUTOMATIC_TOL:
        return
    if tol is not None and residual <= tol:
        return
    limit = (
        f"the automatic tol = max(1e-8, 10 * residual) = {automatic:.2e} would exceed "
        f"MAX_AUTOMATIC_TOL = {MAX_AUTOMATIC_TOL:.0e}"
        if tol is None
        else f"> tol = {tol:.2e}"
    )
    raise ValueError(
        f"identify: algebra ({shape[0]} matrices of shape {shape[1:]}) does not close under "
        f"the commutator: relative closure residual {residual:.2e} ({limit}); expected every "
        "[A_i, A_j] to lie in the span of the A_i. Close the algebra first (add the missing "
        "commutators to the basis), or, for a learned, approximately closed algebra, pass "
        "a coarser tol= (a relative cut-off in (0, 1), at least the closure residual)."
    )


def identify(algebra, *, tol: float | None = None, seed: int = 0) -> AlgebraReport:
    """Identifies the Lie algebra spanned by a basis: dimension, rank, ideals, a name.

    The basis must span a Lie algebra: its relative closure residual
    (`groups.closure_residual`, the part of the commutators outside the span) must be at
    most ``tol``. Two generators of ``so(3)``, whose commutator is the third, are refused
    rather than read as ``u(1)+u(1)``.

    Args:
        algebra: array-like ``(k, d, d)`` of linearly independent matrices, a
            `groups.Group` or a `discovery.DiscoveryResult`.
        tol: relative cut-off in ``(0, 1)`` for every rank decision (centre, derived
            algebra, ideals, signature) and the largest accepted closure residual. None
            uses ``max(1e-8, 10 * closure_residual)``, so that learned, approximately
            closed algebras are read at the precision they have, and refuses an algebra
            for which that exceeds `MAX_AUTOMATIC_TOL` ``= 1e-2`` (closure residual above
            ``1e-3``).
        seed: seed of the generic elements, an integer ``>= 0`` (the result does not
            depend on it for generic choices).

    Returns:
        An `AlgebraReport`.

    Raises:
        ValueError: if the basis is linearly dependent, not a stack of square matrices,
            holds non-finite values, or does not close within ``tol`` (the message gives
            the closure residual); if ``tol`` is not in ``(0, 1)`` or ``seed`` is
            negative.
        TypeError: if the basis cannot be converted to float64, holds strings or complex
            values (realify complex matrices first), ``seed`` is not an integer, or
            ``tol`` not a real number or None.

    Example:
        >>> from groups import SO, U
        >>> identify(SO(4)).ideal_dims, identify(SO(4)).label
        ((3, 3), 'so(4)')
        >>> report = identify(U(3))
        >>> report.label, report.ideal_dims, report.center_dim, report.compact
        ('u(3)', (1, 8), 1, True)
    """
    given = as_algebra(algebra)
    tol = check_real(tol, "tol", above=0, below=1, optional=True)
    seed = check_seed(seed)
    k = given.shape[0]
    constants, residual = structure_constants(given)
    _check_closes(given.shape, residual, tol)
    if tol is None:
        tol = max(1e-8, 10 * residual)
    if k == 0:
        return AlgebraReport(
            0, 0.0, constants, (0, 0, 0), True, 0, 0, 0, (), "0", True, (), (), tol
        )
    # every structural question is answered in an orthonormal basis of the same span
    basis = frobenius_orthonormal(given)
    if len(basis) != k:
        raise ValueError(
            f"algebra basis of {k} matrices is numerically linearly dependent (rank "
            f"{len(basis)}); identify needs a basis."
        )
    inner, _ = structure_constants(basis)
    center = center_basis(inner, tol)
    derived = derived_basis(inner, tol)
    abelian = center.shape[1] == k or derived.shape[1] == 0
    # (the Killing form and rank of an abelian algebra are known; rounding-level brackets
    # of a learned abelian basis would otherwise be read at their own scale)
    signature = (0, 0, k) if abelian else killing_signature(basis, rtol=tol)
    rank = k if abelian else algebra_rank(basis, seed=seed, rtol=tol)
    pieces, reductive = ideal_bases(inner, tol, seed, center=center, derived=derived)
    ads = adjoint_matrices(inner)
    if pieces is None:
        labels, compact_parts, ideals = [], [], []
        label = "reductive (ideals not computed)" if reductive else "non-reductive"
    else:
        pieces = sorted(pieces, key=lambda p: -p.shape[1])
        named = [_piece_label(basis, ads, p, tol, seed) for p in pieces]
        labels = [name for name, _ in named]
        compact_parts = [compact for _, compact in named]
        ideals = [frobenius_orthonormal(np.einsum("ip,iab->pab", p, basis)) for p in pieces]
        if reductive:
            label = combined_label([(p.shape[1], n) for p, n in zip(pieces, labels, strict=True)])
        else:
            label = _solvable_label(ads, tol)
    compact = bool(reductive and pieces is not None and all(compact_parts))
    return AlgebraReport(
        dim=k,
        closure_residual=float(residual),
        structure_constants=constants,
        killing_signature=signature,
        compact=compact,
        rank=rank,
        center_dim=int(center.shape[1]),
        derived_dim=int(derived.shape[1]),
        ideal_dims=None if pieces is None else tuple(sorted(p.shape[1] for p in pieces)),
        label=label,
        reductive=bool(reductive),
        ideals=tuple(ideals),
        ideal_labels=tuple(labels),
        tol=float(tol),
    )
