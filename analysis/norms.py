"""Spectral and Frobenius norms of equivariant linear maps, blockwise over the irreps.

Let ``W: rep_in -> rep_out`` be equivariant, ``W rho_in(g) = rho_out(g) W``. In the
isotypic bases (`emlp_core.isotypic.isotypic_decomposition`, ``Q^T rho(g) Q = ⊕ I_m ⊗
D_ψ(g)``) Schur's lemma makes ``Q_out^T W Q_in`` block diagonal over the irreps ``ψ``
common to both sides (zero between different irreps, so an irrep present on one side only
contributes nothing), and within irrep ``ψ`` (real dimension ``d``, ``m_in`` and
``m_out`` copies) every ``d × d`` block between two copies lies in the commutant
``End_G(D_ψ)``, a real division algebra spanned by orthogonal ``d × d`` units:

* real type, ``{I}``: the block of ``ψ`` is ``C ⊗ I_d``, ``Ŵ_ψ = C`` (``m_out × m_in``
  real). Its singular values are those of ``C``, each ``d`` times, so ``c_ψ = d``.
* complex type, ``{I, J}`` with ``J² = -I``: block ``(i, j)`` is ``A_ij I + B_ij J``, i.e.
  multiplication by ``A_ij + i B_ij`` on ``R^d = C^{d/2}``. ``Ŵ_ψ = A + iB``
  (``m_out × m_in`` complex); the real block is its realification, whose singular values
  are those of ``Ŵ_ψ``, each ``d`` times, so ``c_ψ = d``: twice the complex dimension of
  the constituent complex irrep, i.e. that irrep counted with its conjugate.
* quaternionic type, ``{I, J1, J2, J3 = J1 J2}``: block ``(i, j)`` is the quaternion
  ``q = a + b i + c j + e k``; ``Ŵ_ψ`` is the faithful complex form ``[[Z, W], [-W̄, Z̄]]``
  (``2 m_out × 2 m_in``) with ``Z = a + i b``, ``W = c + i e``. Each quaternionic
  singular value appears ``d`` times in the real block and twice in ``Ŵ_ψ``, so
  ``c_ψ = d / 2``, the complex dimension of the (self-conjugate) constituent.

Hence ``‖W‖_2 = max_ψ ‖Ŵ_ψ‖_2`` and ``‖W‖_F^2 = Σ_ψ c_ψ ‖Ŵ_ψ‖_F^2`` (both bases are
orthogonal). The *equivariance residual* is ``‖W - P(W)‖_F / ‖W‖_F`` with ``P`` the
orthogonal projection onto ``Hom_G(rep_in, rep_out)`` (blockwise onto the commutants);
`irrep_blocks` refuses a ``W`` whose residual exceeds ``tol`` (default
`EQUIVARIANCE_TOL`). The irreps of the two decompositions are matched by an orthogonal
intertwiner (`emlp_core.irreps.intertwiners`), which realigns the output copies.

Example:
    >>> from groups import Z
    >>> from emlp_core import V
    >>> rep = V(Z(4))
    >>> W = (rep >> rep).equivariant_basis() @ np.array([1.0, 2.0, 0.5, -1.0])
    >>> W = W.reshape(4, 4)
    >>> bool(np.isclose(spectral_norm(W, rep, rep), spectral_norm(W, rep, rep, method="dense")))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emlp_core.irreps import RealIrrep, intertwiners
from emlp_core.isotypic import IsotypicDecomposition, isotypic_decomposition
from emlp_core.rep_base import Rep
from groups.checks import check_real

__all__ = [
    "EQUIVARIANCE_TOL",
    "IrrepBlock",
    "IrrepBlocks",
    "IrrepDomain",
    "irrep_blocks",
    "equivariance_residual",
    "spectral_norm",
    "frobenius_norm",
]

EQUIVARIANCE_TOL = 1e-6
"""Largest relative equivariance residual accepted. Float64 weights built from a solver's
basis have residuals near 1e-14 and float32 ones near 1e-7; a map that is not equivariant
has a residual of order one."""

METHODS = ("irrep", "dense")


@dataclass(frozen=True)
class IrrepBlock:
    """The irrep-domain block ``Ŵ_ψ`` of one irrep common to both sides.

    Attributes:
        label: the irrep's label in ``rep_in``'s decomposition (e.g. ``"k=1"``, ``"3a"``).
        kind: ``"real"``, ``"complex"`` or ``"quaternionic"``.
        dim: the irrep's real dimension ``d``.
        multiplicity_in, multiplicity_out: copies in ``rep_in`` and ``rep_out``.
        matrix: ``Ŵ_ψ``: float64 ``(m_out, m_in)`` (real), complex128 ``(m_out, m_in)``
            (complex) or complex128 ``(2 m_out, 2 m_in)`` (quaternionic).
        weight: ``c_ψ`` (``d``, ``d`` or ``d / 2``) with ``‖W‖_F^2 = Σ c_ψ ‖Ŵ_ψ‖_F^2``.
    """

    label: str
    kind: str
    dim: int
    multiplicity_in: int
    multiplicity_out: int
    matrix: np.ndarray
    weight: float

    @property
    def spectral_norm(self) -> float:
        return float(np.linalg.norm(self.matrix, 2)) if self.matrix.size else 0.0

    @property
    def frobenius_norm(self) -> float:
        return float(np.linalg.norm(self.matrix))

    def record(self) -> dict:
        """A JSON-ready summary (no matrix)."""
        return {
            "irrep": self.label, "kind": self.kind, "dim": self.dim,
            "m_in": self.multiplicity_in, "m_out": self.multiplicity_out,
            "weight": self.weight, "spectral": self.spectral_norm,
            "frobenius": self.frobenius_norm,
        }  # fmt: skip


@dataclass(frozen=True)
class IrrepBlocks:
    """All blocks of one map and its relative equivariance residual."""

    blocks: tuple
    residual: float

    @property
    def spectral_norm(self) -> float:
        """``max_ψ ‖Ŵ_ψ‖_2`` (0 for no blocks)."""
        return max((b.spectral_norm for b in self.blocks), default=0.0)

    @property
    def frobenius_norm(self) -> float:
        """``sqrt(Σ_ψ c_ψ ‖Ŵ_ψ‖_F^2)``."""
        return float(np.sqrt(sum(b.weight * b.frobenius_norm**2 for b in self.blocks)))

    @property
    def free_parameters(self) -> int:
        """``dim Hom_G = Σ_ψ m_in m_out dim End_G(ψ)``."""
        units = {"real": 1, "complex": 2, "quaternionic": 4}
        return sum(b.multiplicity_in * b.multiplicity_out * units[b.kind] for b in self.blocks)


def _commutant_units(irrep: RealIrrep) -> np.ndarray:
    """``(k, d, d)``: ``I`` then ``J`` (complex) or ``J1, J2, J1 J2`` (quaternionic)."""
    d, k = irrep.dim, irrep.commutant_dim
    units = [np.eye(d)]
    if k > 1:
        basis = intertwiners(irrep.images, irrep.images)
        anti = (basis - basis.transpose(0, 2, 1)).reshape(len(basis), -1) / 2
        vt = np.linalg.svd(anti, full_matrices=False)[2]
        pure = vt[: k - 1].reshape(k - 1, d, d) * np.sqrt(d)  # J^T J = I
        units.append(pure[0])
        if k == 4:
            units += [pure[1], pure[0] @ pure[1]]
    return np.array(units)


def _check_rep(rep, name: str) -> Rep:
    if not isinstance(rep, Rep):
        raise TypeError(f"{name} must be a bound emlp_core Rep; got {type(rep).__name__}.")
    if rep.group is None:
        raise ValueError(f"{name} = {rep!r} is not bound to a group; call it on one: rep(G).")
    return rep


def _check_weight(W, rep_in: Rep, rep_out: Rep) -> np.ndarray:
    array = np.asarray(W)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"W must be a real array; got dtype {array.dtype}.")
    expected = (rep_out.size(), rep_in.size())
    if array.shape != expected:
        raise ValueError(
            f"W must have shape (rep_out.size(), rep_in.size()) = {expected} for "
            f"{rep_in!r} -> {rep_out!r}; got shape {array.shape}."
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError("W contains non-finite values (nan or inf).")
    return array


class IrrepDomain:
    """The matched isotypic decompositions of ``rep_in`` and ``rep_out`` (computed once).

    Args:
        rep_in, rep_out: bound representations of the same group, acting orthogonally.
        cache: optional dict ``rep -> IsotypicDecomposition`` shared between domains, so
            a network's hidden representation is decomposed once.

    Raises:
        TypeError: a non-Rep argument.
        ValueError: an unbound rep, or reps of different groups.

    Example:
        >>> from groups import D
        >>> from emlp_core import RegularRep, V
        >>> domain = IrrepDomain(V(D(4)), RegularRep(D(4)))
        >>> [(p[0].label, p[0].kind) for p in domain.pairs]  # V is the 2-dim irrep
        [('2', 'real')]
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, cache: dict | None = None):
        self.rep_in = _check_rep(rep_in, "rep_in")
        self.rep_out = _check_rep(rep_out, "rep_out")
        if rep_in.group != rep_out.group:
            raise ValueError(
                f"rep_in and rep_out must be representations of one group; got "
                f"{rep_in.group!r} and {rep_out.group!r}."
            )
        cache = {} if cache is None else cache
        for rep in (rep_in, rep_out):
            if rep not in cache:
                cache[rep] = isotypic_decomposition(rep)
        self.dec_in: IsotypicDecomposition = cache[rep_in]
        self.dec_out: IsotypicDecomposition = cache[rep_out]
        self.pairs = []  # (irrep, component in, component out, units)
        self.basis_out = self.dec_out.basis.copy()  # output copies realigned to rep_in's
        for c_in in self.dec_in.components:
            for c_out in self.dec_out.components:
                if c_out.irrep.dim != c_in.irrep.dim:
                    continue
                found = intertwiners(c_out.irrep.images, c_in.irrep.images)
                if len(found):
                    scale = np.sqrt(np.trace(found[0].T @ found[0]) / c_in.irrep.dim)
                    align = found[0] / scale  # orthogonal: D_out(g) align = align D_in(g)
                    columns = self.basis_out[:, c_out.columns]
                    aligned = columns @ np.kron(np.eye(c_out.multiplicity), align)
                    self.basis_out[:, c_out.columns] = aligned
                    self.pairs.append((c_in.irrep, c_in, c_out, _commutant_units(c_in.irrep)))
                    break

    def blocks(self, W, tol: float = EQUIVARIANCE_TOL) -> IrrepBlocks:
        """`IrrepBlocks` of ``W`` ``(rep_out.size(), rep_in.size())``; see `irrep_blocks`."""
        tol = check_real(tol, "tol", minimum=0)
        W = _check_weight(W, self.rep_in, self.rep_out)
        outside = self.basis_out.T @ W @ self.dec_in.basis  # becomes W - P(W) in coordinates
        blocks = []
        for irrep, c_in, c_out, units in self.pairs:
            d, m_in, m_out = irrep.dim, c_in.multiplicity, c_out.multiplicity
            X = outside[c_out.columns, c_in.columns].reshape(m_out, d, m_in, d)
            coef = np.einsum("iajb,uab->uij", X, units) / d  # units have ‖U‖_F^2 = d
            projected = np.einsum("uij,uab->iajb", coef, units)
            outside[c_out.columns, c_in.columns] = (X - projected).reshape(m_out * d, m_in * d)
            if irrep.kind == "real":
                matrix, weight = coef[0], float(d)
            elif irrep.kind == "complex":
                matrix, weight = coef[0] + 1j * coef[1], float(d)
            else:
                Z, V = coef[0] + 1j * coef[1], coef[2] + 1j * coef[3]
                matrix, weight = np.block([[Z, V], [-V.conj(), Z.conj()]]), d / 2
            blocks.append(IrrepBlock(irrep.label, irrep.kind, d, m_in, m_out, matrix, weight))
        total = float(np.linalg.norm(W))
        residual = float(np.linalg.norm(outside)) / total if total > 0 else 0.0
        if residual > tol:
            raise ValueError(
                f"W is not equivariant from {self.rep_in!r} to {self.rep_out!r}: relative "
                f"residual {residual:.3g} outside Hom_G exceeds tol = {tol:g}."
            )
        return IrrepBlocks(tuple(blocks), residual)


def irrep_blocks(W, rep_in: Rep, rep_out: Rep, *, tol: float = EQUIVARIANCE_TOL) -> IrrepBlocks:
    """The irrep-domain blocks ``Ŵ_ψ`` of an equivariant map and its residual.

    Args:
        W: real ``(rep_out.size(), rep_in.size())`` array, equivariant.
        rep_in, rep_out: bound representations of one group acting orthogonally.
        tol: largest accepted relative residual ``‖W - P(W)‖_F / ‖W‖_F``.

    Returns:
        `IrrepBlocks`: one `IrrepBlock` per irrep common to both reps, and the residual.

    Raises:
        TypeError: a non-Rep or non-real argument.
        ValueError: reps of different groups, a ``W`` of the wrong shape or not finite, or
            a residual above ``tol`` (the message reports it).

    Example:
        >>> from groups import Z
        >>> from emlp_core import RegularRep
        >>> reg = RegularRep(Z(4))
        >>> W = np.array([[1.0, 2, 0, 0], [0, 1, 2, 0], [0, 0, 1, 2], [2, 0, 0, 1]])
        >>> out = irrep_blocks(W, reg, reg)  # a circulant: one Fourier coefficient per irrep
        >>> [(b.label, b.kind, b.matrix.shape) for b in out.blocks]
        [('k=0', 'real', (1, 1)), ('k=1', 'complex', (1, 1)), ('k=2', 'real', (1, 1))]
        >>> [round(b.spectral_norm, 6) for b in out.blocks]  # |1 + 2 w| over w = 1, ±i, -1
        [3.0, 2.236068, 1.0]
    """
    return IrrepDomain(rep_in, rep_out).blocks(W, tol)


def equivariance_residual(W, rep_in: Rep, rep_out: Rep) -> float:
    """``‖W - P(W)‖_F / ‖W‖_F`` with ``P`` the projection onto ``Hom_G`` (never raises on it).

    Example:
        >>> from groups import S
        >>> from emlp_core import V
        >>> rep = V(S(3))
        >>> equivariance_residual(np.eye(3), rep, rep) < 1e-12
        True
        >>> round(equivariance_residual(np.diag([1.0, 0.0, 0.0]), rep, rep), 3)
        0.816
    """
    return IrrepDomain(rep_in, rep_out).blocks(W, tol=1.0).residual  # residual <= 1


def _norm(W, rep_in, rep_out, method: str, tol: float, which: str) -> float:
    if method not in METHODS:
        raise ValueError(f"method must be 'irrep' or 'dense'; got {method!r}.")
    if method == "dense":
        array = _check_weight(W, _check_rep(rep_in, "rep_in"), _check_rep(rep_out, "rep_out"))
        return float(np.linalg.norm(array, 2 if which == "spectral" else "fro"))
    blocks = irrep_blocks(W, rep_in, rep_out, tol=tol)
    return blocks.spectral_norm if which == "spectral" else blocks.frobenius_norm


def spectral_norm(
    W, rep_in: Rep, rep_out: Rep, method: str = "irrep", *, tol: float = EQUIVARIANCE_TOL
) -> float:
    """``‖W‖_2``: ``max_ψ ‖Ŵ_ψ‖_2`` (``"irrep"``) or the dense largest singular value.

    Raises:
        As `irrep_blocks`; ValueError for an unknown ``method``.

    Example:
        >>> from groups import S
        >>> from emlp_core import V
        >>> rep = V(S(3))
        >>> W = 2.0 * np.eye(3) + np.ones((3, 3))  # 5 on the invariant line, 2 elsewhere
        >>> round(spectral_norm(W, rep, rep), 12), round(spectral_norm(W, rep, rep, "dense"), 12)
        (5.0, 5.0)
    """
    return _norm(W, rep_in, rep_out, method, tol, "spectral")


def frobenius_norm(
    W, rep_in: Rep, rep_out: Rep, method: str = "irrep", *, tol: float = EQUIVARIANCE_TOL
) -> float:
    """``‖W‖_F``: ``sqrt(Σ_ψ c_ψ ‖Ŵ_ψ‖_F^2)`` (``"irrep"``) or the dense Frobenius norm.

    Raises:
        As `irrep_blocks`; ValueError for an unknown ``method``.

    Example:
        >>> from groups import S
        >>> from emlp_core import V
        >>> rep = V(S(3))
        >>> W = 2.0 * np.eye(3) + np.ones((3, 3))  # sqrt(5^2 + 2 * 2^2)
        >>> [round(frobenius_norm(W, rep, rep, method) ** 2, 10) for method in ("irrep", "dense")]
        [33.0, 33.0]
    """
    return _norm(W, rep_in, rep_out, method, tol, "frobenius")
