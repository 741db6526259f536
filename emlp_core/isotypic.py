"""Isotypic decompositions: an orthogonal change of basis into copies of real irreps.

``isotypic_decomposition(rep)`` returns an orthogonal ``Q`` (``(n, n)``) and components
``(irrep, multiplicity)`` such that for every group element ``g``

    Q^T rho(g) Q = blockdiag over components of  I_m ⊗ D_irrep(g),

i.e. each component is ``m`` consecutive copies of one real irrep, every copy acted on by
the *same* matrices. Every equivariant map between two representations is then
block-diagonal in their decompositions (Schur): zero between different irreps, an element
of ``End_G`` (``R``, ``C`` or ``H``) per pair of copies.

How it is computed (numpy float64; the representation must be orthogonal, i.e. of a
compact group acting by orthogonal matrices):

* sums are decomposed summand by summand; tensor products factor by factor, then each
  pair of irreps ``D_i ⊗ D_j`` (small) is decomposed once and reused for every pair of
  copies, so ``SO(3)`` on ``V**6`` (729 coordinates) only ever splits spaces of size 39;
* anything else (an atom, a small product) is split by a random symmetric element of its
  commutant ``Hom_G(rep, rep)`` (`emlp_core.irreps.irreducible_subspaces`). For a finite
  group that element is a group average ``mean_g rho(g) R rho(g)^T``; with a Lie algebra
  it is found as a nullspace restricted to the eigenspaces of ``drho(H)^2`` for a random
  algebra element ``H`` (the commutant preserves them: the weight-space structure), with
  the discrete generators as further constraints.

Example:
    >>> from groups import SO
    >>> from emlp_core import V
    >>> dec = isotypic_decomposition(V(SO(3)) ** 2)
    >>> dec.summary()
    '1 + 3 + 5'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from emlp_core.irreps import IrrepRegistry, RealIrrep, irreducible_subspaces
from emlp_core.memory import check_memory
from emlp_core.reps import ProductRep, ScalarRep, SumRep
from groups.elements import GroupElement

__all__ = ["IsotypicComponent", "IsotypicDecomposition", "isotypic_decomposition"]

LEAF_SIZE = 48
"""Products larger than this are decomposed factor by factor."""
_ORTHOGONALITY_TOL = 1e-8
_FINITE_AVERAGE_FLOATS = 5e7  # element images of a finite group kept for averaging


@dataclass(frozen=True)
class IsotypicComponent:
    """``multiplicity`` copies of ``irrep`` in columns ``start : start + multiplicity * dim``."""

    irrep: RealIrrep
    multiplicity: int
    start: int

    @property
    def size(self) -> int:
        return self.multiplicity * self.irrep.dim

    @property
    def columns(self) -> slice:
        return slice(self.start, self.start + self.size)


@dataclass(frozen=True)
class IsotypicDecomposition:
    """The result of `isotypic_decomposition`.

    Attributes:
        rep: the decomposed representation.
        basis: float64 ``(n, n)`` orthogonal; ``basis.T @ x`` are a vector's coordinates
            in the decomposition.
        components: the `IsotypicComponent`s, the trivial irrep first, then by dimension.
    """

    rep: object
    basis: np.ndarray
    components: tuple

    @property
    def irreps(self) -> list[RealIrrep]:
        return [c.irrep for c in self.components]

    @property
    def multiplicities(self) -> list[int]:
        return [c.multiplicity for c in self.components]

    def block_diagonal(self, matrix) -> np.ndarray:
        """``basis.T @ matrix @ basis`` for an ``(n, n)`` matrix (e.g. ``rep.rho(g)``)."""
        return self.basis.T @ np.asarray(matrix, dtype=np.float64) @ self.basis

    def projector(self, component: int) -> np.ndarray:
        """The orthogonal projector ``(n, n)`` onto one isotypic component."""
        B = self.basis[:, self.components[component].columns]
        return B @ B.T

    def summary(self) -> str:
        """E.g. ``'1 + 3 + 5'`` or ``'2×1 + 3×3'`` (irrep labels with multiplicities)."""
        return " + ".join(
            c.irrep.label if c.multiplicity == 1 else f"{c.multiplicity}×{c.irrep.label}"
            for c in self.components
        )

    def __repr__(self) -> str:
        return f"IsotypicDecomposition({self.rep!r}: {self.summary()})"


# ------------------------------------------------------------------ generator images
def _images(rep) -> tuple[np.ndarray, np.ndarray]:
    group = rep.group
    eye = np.eye(group.lie_dimension)
    lie = np.array([rep.drho(eye[a]) for a in range(group.lie_dimension)])
    disc = np.array(
        [rep.rho(GroupElement.generator(group, k)) for k in range(group.num_discrete_generators)]
    )
    n = rep.size()
    return lie.reshape(-1, n, n), disc.reshape(-1, n, n)


def _check_orthogonal(rep, lie: np.ndarray, disc: np.ndarray) -> None:
    n = lie.shape[-1]
    scale = max(1.0, float(np.max(np.abs(lie), initial=0.0)))
    bad_lie = np.max(np.abs(lie + lie.transpose(0, 2, 1)), initial=0.0) > _ORTHOGONALITY_TOL * scale
    gram = np.einsum("kji,kjl->kil", disc, disc) - np.eye(n)
    if bad_lie or np.max(np.abs(gram), initial=0.0) > _ORTHOGONALITY_TOL:
        raise ValueError(
            f"isotypic_decomposition needs an orthogonal representation (antisymmetric Lie "
            f"images, orthogonal discrete images); {rep!r} is not. A compact group's "
            "representation can be made orthogonal by a change of basis first."
        )


# ------------------------------------------------------------------ leaves
def _element_images(disc: np.ndarray, group) -> np.ndarray:
    """``(|G|, n, n)``: the image of every element, in `element_table` order."""
    from groups.enumeration import element_table

    table = element_table(group)
    n = disc.shape[-1]
    check_memory(8.0 * table.order * n * n, f"the images of all {table.order} elements")
    images = np.empty((table.order, n, n))
    images[0] = np.eye(n)
    done = np.zeros(table.order, dtype=bool)
    done[0] = True
    for i in range(table.order):  # breadth-first: every element is reached from an earlier one
        for k in range(len(disc)):
            j = table.right[k, i]
            if not done[j]:
                images[j] = images[i] @ disc[k]
                done[j] = True
    return images


def _finite_sampler(disc: np.ndarray, group):
    elements = _element_images(disc, group)

    def draw(rng) -> np.ndarray:
        n = disc.shape[-1]
        R = rng.standard_normal((n, n))
        S = np.einsum("gij,jk,glk->il", elements, R + R.T, elements, optimize=True)
        return S / len(elements)

    return draw


def _lie_sampler(lie: np.ndarray, disc: np.ndarray):
    n = lie.shape[-1]
    H = np.einsum("a,aij->ij", np.random.default_rng(12345).standard_normal(len(lie)), lie)
    values, B = np.linalg.eigh(H @ H)
    scale = max(float(np.max(np.abs(values))), 1e-300)
    cuts = np.flatnonzero(np.diff(values) > 1e-7 * scale) + 1
    rows, cols = [], []
    for block in np.split(np.arange(n), cuts):
        i, j = np.meshgrid(block, block, indexing="ij")
        rows.append(i.ravel())
        cols.append(j.ravel())
    row, col = np.concatenate(rows), np.concatenate(cols)
    u = row.size
    check_memory(8.0 * n * n * u * 2, f"a commutant solve with {u} unknowns")
    gram = np.zeros((u, u))
    for G in np.concatenate([lie, disc]):
        Gt = B.T @ G @ B
        columns = np.zeros((n, n, u))
        columns[:, col, np.arange(u)] += Gt[:, row]  # (G~ E_ij)[:, j] = G~[:, i]
        columns[row, :, np.arange(u)] -= Gt[col, :]  # (E_ij G~)[i, :] = G~[j, :]
        flat = columns.reshape(n * n, u)
        gram += flat.T @ flat
    values, vectors = scipy.linalg.eigh(gram)
    null = vectors[:, values <= 1e-12 * max(float(values[-1]), 1.0)]

    def draw(rng) -> np.ndarray:
        Y = np.zeros((n, n))
        Y[row, col] = null @ rng.standard_normal(null.shape[1])
        X = B @ Y @ B.T
        return X + X.T

    return draw


def _leaf(lie, disc, group, registry) -> list[tuple[RealIrrep, np.ndarray]]:
    n = disc.shape[-1] if disc.size else lie.shape[-1]
    if not len(lie) and len(disc):
        from groups.enumeration import element_table

        order = element_table(group).order
        if order * n * n <= _FINITE_AVERAGE_FLOATS:
            return irreducible_subspaces(_finite_sampler(disc, group), lie, disc, registry)
    if not len(lie) and not len(disc):  # the trivial group: every vector is invariant
        trivial = registry.trivial()
        return [(trivial, np.eye(n)[:, [k]]) for k in range(n)]
    return irreducible_subspaces(_lie_sampler(lie, disc), lie, disc, registry)


# ------------------------------------------------------------------ assembly
def _assemble(pieces: list, n: int, key=None) -> tuple[np.ndarray, list]:
    """Orders copies by irrep (trivial first, then dimension, then first met)."""
    order = sorted({id(p[0]): p[0] for p in pieces}.values(), key=key or _irrep_key)
    columns, components, start = [], [], 0
    for irrep in order:
        copies = [U for r, U in pieces if r is irrep]
        columns.extend(copies)
        components.append((irrep, len(copies), start))
        start += len(copies) * irrep.dim
    basis = np.concatenate(columns, axis=1) if columns else np.zeros((n, 0))
    return basis, components


def _irrep_key(irrep: RealIrrep) -> tuple:
    return (not irrep.is_trivial, irrep.dim, irrep.index)


def _pieces(basis: np.ndarray, components: list) -> list[tuple[RealIrrep, np.ndarray]]:
    return [
        (irrep, basis[:, start + c * irrep.dim : start + (c + 1) * irrep.dim])
        for irrep, count, start in components
        for c in range(count)
    ]


def _decompose(rep, registry, pair_cache) -> list[tuple[RealIrrep, np.ndarray]]:
    n = rep.size()
    if isinstance(rep, ScalarRep):
        return [(registry.trivial(), np.ones((1, 1)))]
    if isinstance(rep, SumRep):
        pieces, offset = [], 0
        for part in rep.reps:
            size = part.size()
            for irrep, U in _decompose(part, registry, pair_cache):
                padded = np.zeros((n, U.shape[1]))
                padded[offset : offset + size] = U
                pieces.append((irrep, padded))
            offset += size
        return pieces
    if isinstance(rep, ProductRep) and n > LEAF_SIZE:
        left, right = rep.reps[0], ProductRep(*rep.reps[1:], group=rep.group)
        return _tensor(
            _decompose(left, registry, pair_cache),
            _decompose(right, registry, pair_cache),
            rep.group,
            registry,
            pair_cache,
        )
    lie, disc = _images(rep)
    _check_orthogonal(rep, lie, disc)
    return _leaf(lie, disc, rep.group, registry)


def _tensor(left, right, group, registry, pair_cache):
    pieces = []
    for irrep_a, A in left:
        for irrep_b, B in right:
            key = (id(irrep_a), id(irrep_b))
            if key not in pair_cache:
                da, db = irrep_a.dim, irrep_b.dim
                lie = np.einsum("kij,lm->kiljm", irrep_a.lie_images, np.eye(db)) + np.einsum(
                    "ij,klm->kiljm", np.eye(da), irrep_b.lie_images
                )
                disc = np.einsum("kij,klm->kiljm", irrep_a.discrete_images, irrep_b.discrete_images)
                size = da * db
                pair_cache[key] = _leaf(
                    lie.reshape(-1, size, size), disc.reshape(-1, size, size), group, registry
                )
            AB = np.kron(A, B)
            pieces.extend((irrep, AB @ W) for irrep, W in pair_cache[key])
    return pieces


def _label(registry: IrrepRegistry) -> None:
    by_dim: dict[int, list[RealIrrep]] = {}
    for irrep in sorted(registry.irreps, key=_irrep_key):
        by_dim.setdefault(irrep.dim, []).append(irrep)
    for dim, irreps in by_dim.items():
        for k, irrep in enumerate(irreps):
            suffix = "" if len(irreps) == 1 else (chr(ord("a") + k) if k < 26 else f"_{k}")
            irrep.label = f"{dim}{suffix}"


def _cyclic_angle(irrep: RealIrrep) -> float:
    """Rotation angle of the generator in ``[0, pi]`` (1-dim: 0 or pi): the frequency."""
    D = irrep.discrete_images[0]
    return (
        float(np.arctan2(abs(D[1, 0]), D[0, 0])) if irrep.dim == 2 else float(D[0, 0] < 0) * np.pi
    )


def _fourier_gauge(pieces: list, registry: IrrepRegistry) -> list:
    """For a cyclic group: rotations by ``+2 pi k / p``, each copy's first nonzero row ``(r, 0)``.

    Only the copies of a 2-dim irrep change (by a reflection that makes the canonical
    image a positive rotation, then by a rotation, which commutes with the irrep); the
    regular representation of ``C_p`` then decomposes into exactly the real Fourier basis.
    """
    flip = np.diag([1.0, -1.0])
    for irrep in registry.irreps:
        if irrep.dim == 2 and irrep.discrete_images[0][1, 0] < 0:
            irrep.discrete_images = flip @ irrep.discrete_images @ flip
            pieces = [(r, U @ flip if r is irrep else U) for r, U in pieces]
    gauged = []
    for irrep, U in pieces:
        row = U[np.flatnonzero(np.linalg.norm(U, axis=1) > 1e-8)[0]]
        if irrep.dim == 2:
            c, s = row / np.linalg.norm(row)
            U = U @ np.array([[c, -s], [s, c]])  # rotates that row onto (r, 0)
        elif row[0] < 0:
            U = -U
        gauged.append((irrep, U))
    return gauged


def _label_by_characters(registry: IrrepRegistry, group) -> bool:
    """Labels and orders a finite group's irreps by its character table (False if too big)."""
    from groups.characters import character_table
    from groups.real_characters import real_irreducible_characters

    try:
        table = character_table(group)
    except ValueError:
        return False
    real = real_irreducible_characters(table)
    representatives = table.classes.representatives
    for irrep in registry.irreps:
        images = _element_images(irrep.discrete_images, group)[representatives]
        chi = np.trace(images, axis1=1, axis2=2)
        row = int(np.argmin(np.linalg.norm(real.values - chi, axis=1)))
        irrep.label, irrep.index = real.labels[row], row
    return True


def isotypic_decomposition(rep) -> IsotypicDecomposition:
    """Decomposes an orthogonal representation into isotypic components of real irreps.

    Args:
        rep: a bound `emlp_core.Rep` of a compact group acting orthogonally (every
            built-in compact and finite group on ``V``, permutation atoms, their sums and
            products).

    Returns:
        `IsotypicDecomposition` with ``basis.T @ rep.rho(g) @ basis`` block-diagonal, the
        copies of each irrep acted on by identical blocks.

    Raises:
        TypeError: if ``rep`` is not a representation.
        ValueError: for an unbound or non-orthogonal representation.

    Example:
        >>> from groups import S
        >>> from emlp_core import V
        >>> dec = isotypic_decomposition(V(S(4)))
        >>> dec.summary(), [irrep.kind for irrep in dec.irreps]
        ('1 + 3a', ['real', 'real'])
    """
    from emlp_core.rep_base import Rep

    if not isinstance(rep, Rep):
        raise TypeError(f"isotypic_decomposition needs a Rep; got {type(rep).__name__}.")
    group = rep._require_group()
    n = rep.size()
    check_memory(8.0 * 4 * n * n, f"the isotypic decomposition of {rep!r} (size {n})")
    registry = IrrepRegistry(group.lie_dimension, group.num_discrete_generators)
    pieces = _decompose(rep, registry, {})
    if group.lie_dimension == 0 and group.num_discrete_generators == 1:
        pieces = _fourier_gauge(pieces, registry)
        basis, components = _assemble(pieces, n, key=_cyclic_angle)  # by frequency
        order = group.order()
        for irrep in registry.irreps:
            irrep.label = f"k={round(_cyclic_angle(irrep) * order / (2 * np.pi))}"
    elif group.lie_dimension == 0 and _label_by_characters(registry, group):
        basis, components = _assemble(pieces, n, key=lambda irrep: irrep.index)
    else:
        basis, components = _assemble(pieces, n)
        _label(registry)
    return IsotypicDecomposition(
        rep, basis, tuple(IsotypicComponent(irrep, m, start) for irrep, m, start in components)
    )
