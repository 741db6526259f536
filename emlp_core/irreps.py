"""Real irreducible representations, found numerically and told apart by intertwiners.

A `RealIrrep` is given, like any atom, by the images of the group's generators: ``(D, d,
d)`` antisymmetric Lie images and ``(M, d, d)`` orthogonal discrete images. Its *kind* is
the dimension of its commutant ``End_G``, a real division algebra: ``"real"`` (``R``, as
for every irrep of ``S(n)`` or ``SO(3)``), ``"complex"`` (``C``: the 2-dim rotation irreps
of a cyclic group) or ``"quaternionic"`` (``H``: ``Q8`` on ``R^4``).

An `IrrepRegistry` holds one canonical copy of each irrep met during a decomposition:
a new irreducible subspace with basis ``U`` is compared with the registered irreps of its
dimension through the intertwiner equation ``D'(g) O = O D(g)`` on the generators (a
``d^2``-unknown nullspace); a match gives the orthogonal ``O`` that rewrites ``U`` so the
group acts on it by exactly the registered matrices, which is what makes the copies of
one irrep line up in an isotypic decomposition.

`irreducible_subspaces` splits a representation into irreducible invariant subspaces as
the eigenspaces of a random symmetric element of its commutant (generic, so each
eigenspace is one irreducible copy; a merged pair is detected, because an irreducible
subspace's symmetric commutant is the scalars, and the draw repeated).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from emlp_core.memory import check_memory

__all__ = ["RealIrrep", "IrrepRegistry", "intertwiners", "irreducible_subspaces"]

KINDS = {1: "real", 2: "complex", 4: "quaternionic"}
_NULL_RTOL = 1e-8  # singular values below this fraction of the largest count as zero
_CLUSTER_RTOL = 1e-7  # eigenvalues closer than this (relative) belong to one eigenspace
_MAX_DRAWS = 6


def _stack(images, d: int) -> np.ndarray:
    return np.asarray(images, dtype=np.float64).reshape(-1, d, d)


def intertwiners(target: tuple, source: tuple) -> np.ndarray:
    """An orthonormal basis of ``{O : T(g) O = O S(g)}`` for the generators ``g``.

    Args:
        target: ``(lie, discrete)`` images ``(D, a, a)``, ``(M, a, a)``.
        source: ``(lie, discrete)`` images ``(D, b, b)``, ``(M, b, b)``.

    Returns:
        float64 ``(k, a, b)``: the intertwiners, orthonormal in the Frobenius inner product.

    Example:
        >>> rot = np.array([[0.0, -1.0], [1.0, 0.0]])  # C(4) on R^2: a complex-type irrep
        >>> intertwiners((np.zeros((0, 2, 2)), rot[None]), (np.zeros((0, 2, 2)), rot[None])).shape
        (2, 2, 2)
    """
    t_lie, t_disc = target
    s_lie, s_disc = source
    a, b = (
        t_disc.shape[-1] if t_disc.size else t_lie.shape[-1],
        (s_disc.shape[-1] if s_disc.size else s_lie.shape[-1]),
    )
    check_memory(8.0 * (a * b) ** 2 * (len(t_lie) + len(t_disc) + 1), "an intertwiner solve")
    blocks = [
        np.kron(T, np.eye(b)) - np.kron(np.eye(a), S.T)
        for T, S in list(zip(t_lie, s_lie, strict=True)) + list(zip(t_disc, s_disc, strict=True))
    ]
    if not blocks:
        return np.eye(a * b).reshape(a * b, a, b)
    _, sigma, vt = scipy.linalg.svd(np.vstack(blocks), full_matrices=True)
    scale = max(float(sigma[0]) if sigma.size else 0.0, 1.0)
    rank = int(np.sum(sigma > _NULL_RTOL * scale))
    return vt[rank:].reshape(-1, a, b)


@dataclass(eq=False)
class RealIrrep:
    """A real irreducible representation by its generator images (orthogonal).

    Attributes:
        lie_images: float64 ``(D, d, d)``, antisymmetric.
        discrete_images: float64 ``(M, d, d)``, orthogonal.
        kind: ``"real"``, ``"complex"`` or ``"quaternionic"`` (``dim End_G`` 1, 2, 4).
        label: a readable name, unique within one decomposition (``"1"``, ``"3"``, ``"2a"``).
        index: the order in which the registry met it.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from emlp_core.isotypic import isotypic_decomposition
        >>> [(irrep.dim, irrep.kind) for irrep in isotypic_decomposition(V(SO(3))).irreps]
        [(3, 'real')]
    """

    lie_images: np.ndarray
    discrete_images: np.ndarray
    kind: str
    label: str = ""
    index: int = 0
    _element_cache: dict = field(default_factory=dict, repr=False)

    @property
    def dim(self) -> int:
        return int(self.discrete_images.shape[-1])

    @property
    def images(self) -> tuple[np.ndarray, np.ndarray]:
        return self.lie_images, self.discrete_images

    @property
    def commutant_dim(self) -> int:
        """1, 2 or 4: the real dimension of ``End_G`` (``R``, ``C`` or ``H``)."""
        return {"real": 1, "complex": 2, "quaternionic": 4}[self.kind]

    @property
    def is_trivial(self) -> bool:
        return (
            self.dim == 1
            and not np.any(self.lie_images)
            and bool(np.all(self.discrete_images == 1.0))
        )

    def __repr__(self) -> str:
        return f"RealIrrep({self.label!r}, dim={self.dim}, kind={self.kind!r})"


class IrrepRegistry:
    """The canonical irreps met so far, and the alignment of new subspaces to them."""

    def __init__(self, lie_dimension: int, num_discrete: int):
        self.irreps: list[RealIrrep] = []
        self._shape = (lie_dimension, num_discrete)

    def trivial(self) -> RealIrrep:
        """The trivial irrep (registered on first use)."""
        lie, disc = np.zeros((self._shape[0], 1, 1)), np.ones((self._shape[1], 1, 1))
        return self.match(lie, disc)[0]

    def match(self, lie: np.ndarray, disc: np.ndarray) -> tuple[RealIrrep, np.ndarray]:
        """The registered irrep isomorphic to the images, and ``O`` with ``O^T D' O = D``.

        The images ``(lie, disc)`` must be irreducible; a new irrep is registered (its kind
        from its own commutant) and matched by ``O = I``.

        Raises:
            RuntimeError: if the images are reducible (a merged eigenspace).
        """
        d = disc.shape[-1] if disc.size else lie.shape[-1]
        for irrep in self.irreps:
            if irrep.dim != d:
                continue
            found = intertwiners((lie, disc), irrep.images)
            if len(found):
                first = found[0]
                return irrep, first / np.sqrt(np.trace(first.T @ first) / d)
        commutant = intertwiners((lie, disc), (lie, disc))
        if len(commutant) not in KINDS or not _only_scalar_symmetric(commutant):
            raise RuntimeError("reducible")
        lie, disc = lie.copy(), disc.copy()
        if d == 1:  # orthogonal 1x1: exactly +-1 and 0
            disc, lie = np.sign(disc), np.zeros_like(lie)
        irrep = RealIrrep(lie, disc, KINDS[len(commutant)], index=len(self.irreps))
        self.irreps.append(irrep)
        return irrep, np.eye(d)


def _only_scalar_symmetric(commutant: np.ndarray) -> bool:
    d = commutant.shape[-1]
    for C in commutant:
        S = (C + C.T) / 2
        if np.linalg.norm(S - np.trace(S) / d * np.eye(d)) > 1e-6 * max(np.linalg.norm(C), 1e-300):
            return False
    return True


def _clusters(values: np.ndarray) -> list[np.ndarray]:
    """Index groups of (sorted) eigenvalues that agree to ``_CLUSTER_RTOL``."""
    scale = max(float(np.max(np.abs(values))), 1e-300)
    cuts = np.flatnonzero(np.diff(values) > _CLUSTER_RTOL * scale) + 1
    return np.split(np.arange(values.size), cuts)


def irreducible_subspaces(
    draw_symmetric_commutant, lie: np.ndarray, disc: np.ndarray, registry: IrrepRegistry
) -> list[tuple[RealIrrep, np.ndarray]]:
    """Splits a representation into irreducible subspaces aligned to the registry.

    Args:
        draw_symmetric_commutant: ``rng -> (n, n)`` symmetric element of the commutant,
            random (generic).
        lie: ``(D, n, n)`` antisymmetric images; disc: ``(M, n, n)`` orthogonal images.
        registry: the `IrrepRegistry` the subspaces are matched against.

    Returns:
        ``(irrep, U)`` for each irreducible subspace: ``U`` ``(n, d)`` orthonormal columns
        with ``U^T rho(g) U = irrep``'s image of ``g`` for every generator.
    """
    for attempt in range(_MAX_DRAWS):
        rng = np.random.default_rng(attempt)
        S = draw_symmetric_commutant(rng)
        values, vectors = np.linalg.eigh(S)
        found = []
        try:
            for cluster in _clusters(values):
                U = vectors[:, cluster]
                sub_lie = np.einsum("ia,kij,jb->kab", U, lie, U)
                sub_disc = np.einsum("ia,kij,jb->kab", U, disc, U)
                irrep, alignment = registry.match(sub_lie, sub_disc)
                found.append((irrep, U @ alignment))
        except RuntimeError:
            continue
        return found
    raise RuntimeError(
        "could not split the representation into irreducible subspaces (eigenvalues of "
        f"{_MAX_DRAWS} random commutant elements kept coinciding); is it orthogonal?"
    )
