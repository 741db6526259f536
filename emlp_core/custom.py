"""Custom representations from generator images, pullbacks along homomorphisms, restrictions.

* `from_generators(group, discrete=..., lie=...)`: a representation given by the image of
  each discrete generator (an invertible ``(s, s)`` matrix) and of each Lie-algebra
  generator. Validated before use: shapes, finite real values, invertibility; the Lie
  images must satisfy the group's structure constants and transform under the discrete
  images as the algebra does under the discrete generators (relative residual at most
  ``tol``, default `HOMOMORPHISM_RTOL`); for a finite group of order at most
  `groups.relations.RELATION_CHECK_MAX_ORDER` every relation among the generators is
  checked by enumeration (`groups.relations.homomorphism_defect`). Relations among the
  discrete generators of a group that also has a Lie algebra are not checked.
* `pullback(rep, source, discrete=..., lie=...)`: a representation of a group ``H`` seen
  as one of ``source`` through a homomorphism ``source -> H`` given on the generators of
  ``source`` (group elements of ``H`` for the discrete ones, algebra elements of ``H`` for
  the Lie ones). Built atom by atom, so the layout of ``rep`` is kept.
* `restrict(rep, subgroup)`: a representation of ``G`` restricted to a subgroup given by
  generators on the same space (the pullback along the inclusion).

The results are atoms (`GeneratorRep`), usable everywhere ``V`` is: sums, products, duals,
``>>``, direct products with other groups, every layer.
"""

from __future__ import annotations

import hashlib

import numpy as np

from emlp_core.atoms import Atom, FactorAtom, VectorRep
from emlp_core.rep_base import Rep, ScalarRep
from groups import Group, GroupElement, ProductGroup
from groups._arrays import real_float64
from groups.checks import check_real
from groups.lie_algebra import structure_constants
from groups.relations import homomorphism_defect, is_element

__all__ = ["GeneratorRep", "from_generators", "pullback", "restrict", "HOMOMORPHISM_RTOL"]

HOMOMORPHISM_RTOL = 1e-8
"""Largest accepted relative residual of the homomorphism checks of `from_generators`."""


class GeneratorRep(Atom):
    """A representation given by generator images (build it with `from_generators`)."""

    def __init__(self, group: Group, lie: np.ndarray, discrete: np.ndarray, name: str):
        self.group = group
        self._lie, self._discrete, self.name = lie, discrete, name
        digest = hashlib.sha256()
        for array in (lie, discrete):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array, dtype="<f8").tobytes())
        self.digest = digest.hexdigest()
        orthogonal = all(np.allclose(L, -L.T, atol=1e-12) for L in lie) and all(
            np.allclose(h @ h.T, np.eye(h.shape[0]), atol=1e-12) for h in discrete
        )
        self._self_dual = orthogonal

    @property
    def atom_sort_key(self) -> tuple:
        return ("custom", self.digest)

    def _bind(self, group):  # pragma: no cover - always bound
        return self

    def _lift(self, product, place):
        if isinstance(self.group, ProductGroup):
            raise ValueError(
                f"{self!r} is a custom representation of the product {self.group!r}; it cannot "
                f"be lifted to the larger product {product!r}."
            )
        return FactorAtom(product, place(self.group), self)

    @property
    def T(self):  # noqa: N802
        if self._self_dual:
            return self
        return GeneratorRep(
            self.group,
            -self._lie.transpose(0, 2, 1),
            np.linalg.inv(self._discrete).transpose(0, 2, 1),
            f"{self.name}.T",
        )

    def size(self) -> int:
        return self._lie.shape[-1]

    def _images(self):
        return self._lie.copy(), self._discrete.copy()

    def _expression(self):
        return self.name


def _structure_constants(group: Group) -> np.ndarray:
    """``C (D, D, D)`` of the group's algebra; block diagonal over the factors of a product."""
    if not isinstance(group, ProductGroup):
        return structure_constants(group.lie_algebra)[0]
    total = group.lie_dimension
    out = np.zeros((total, total, total))
    for j, factor in enumerate(group.factors):
        s = slice(group.lie_offsets[j], group.lie_offsets[j + 1])
        out[s, s, s] = structure_constants(factor.lie_algebra)[0]
    return out


def _adjoint(group: Group, k: int) -> np.ndarray:
    """``Ad (D, D)`` of discrete generator ``k``: ``h A_a h^{-1} = sum_b Ad[a, b] A_b``."""
    total = group.lie_dimension
    out = np.eye(total)
    if isinstance(group, ProductGroup):
        factor, local = group.generator_factor("discrete", k)
        inner, offset = group.factors[factor], group.lie_offsets[factor]
    else:
        inner, local, offset = group, k, 0
    h = inner.discrete_generators[local]
    h_inverse = np.linalg.inv(h)
    for a, A in enumerate(inner.lie_algebra):
        row = inner.lie_coefficients(h @ A @ h_inverse)
        out[offset + a, offset : offset + len(row)] = row
    return out


def _factor_generators(group: Group):
    if isinstance(group, ProductGroup):
        pairs = [
            (j, factor.discrete_generators[local])
            for k in range(group.num_discrete_generators)
            for j, local in [group.generator_factor("discrete", k)]
            for factor in [group.factors[j]]
        ]
        return pairs, [np.eye(factor.d) for factor in group.factors]
    return [(0, h) for h in group.discrete_generators], [np.eye(group.d)]


def _images_argument(value, count: int, argument: str, group: Group) -> np.ndarray | None:
    kind = "Lie-algebra" if argument == "lie" else "discrete"
    if value is None:
        if count:
            raise ValueError(
                f"{group!r} has {count} {kind} generators; give {argument}= with one image each."
            )
        return None
    images = real_float64(value, argument, "an array of real matrices (k, s, s)")
    if images.ndim != 3 or images.shape[1] != images.shape[2] or images.shape[0] != count:
        raise ValueError(
            f"{argument} must have shape ({count}, s, s), one square image per {kind} "
            f"generator of {group!r}; got shape {images.shape}."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{argument} holds non-finite values (nan or inf).")
    return images + 0.0


def _check_homomorphism(group: Group, lie: np.ndarray, discrete: np.ndarray, tol: float):
    s = lie.shape[-1]
    if len(lie) > 1:
        C = _structure_constants(group)
        scale = max(float(np.max(np.linalg.norm(lie, axis=(1, 2)))), 1e-300) ** 2
        for a in range(len(lie)):
            for b in range(a + 1, len(lie)):
                bracket = lie[a] @ lie[b] - lie[b] @ lie[a]
                residual = np.linalg.norm(bracket - np.tensordot(C[a, b], lie, axes=1)) / scale
                if residual > tol:
                    raise ValueError(
                        f"lie images do not satisfy the structure constants of {group!r}: "
                        f"[L_{a}, L_{b}] differs from sum_k C[{a}, {b}, k] L_k by {residual:.1e} "
                        f"(relative; tolerance {tol:.0e})."
                    )
    for k, h in enumerate(discrete):
        if np.linalg.matrix_rank(h) < s:
            raise ValueError(
                f"discrete[{k}] is singular; the image of a group element must be invertible."
            )
        if len(lie):
            moved = np.einsum("ij,ajk,kl->ail", h, lie, np.linalg.inv(h))
            expected = np.tensordot(_adjoint(group, k), lie, axes=1)
            scale = max(float(np.max(np.linalg.norm(lie, axis=(1, 2)))), 1e-300)
            residual = float(np.max(np.linalg.norm(moved - expected, axis=(1, 2)))) / scale
            if residual > tol:
                raise ValueError(
                    f"discrete[{k}] does not conjugate the lie images as the generator conjugates "
                    f"the algebra of {group!r} (relative residual {residual:.1e} > {tol:.0e})."
                )
    if not len(lie) and len(discrete):
        pairs, identities = _factor_generators(group)
        defect = homomorphism_defect(pairs, discrete, identities)
        scale = max(1.0, float(np.max(np.abs(discrete))))
        if defect is not None and defect > tol * scale * 1e3:
            raise ValueError(
                f"the discrete images do not define a representation of {group!r}: two words "
                f"for the same group element get images differing by {defect:.2g} (a relation "
                "among the generators is not respected)."
            )


def from_generators(
    group: Group,
    *,
    discrete=None,
    lie=None,
    name: str | None = None,
    tol: float = HOMOMORPHISM_RTOL,
) -> GeneratorRep:
    """A representation of ``group`` given by the images of its generators.

    Args:
        group: the `groups.Group` (a `groups.ProductGroup` too: images follow its
            generators, factor by factor).
        discrete: ``(M, s, s)``, the image of each discrete generator (invertible).
        lie: ``(D, s, s)``, the image of each Lie-algebra generator.
        name: how the representation prints (default ``"R<s>"``).
        tol: largest relative residual of the homomorphism checks (module docstring).

    Returns:
        A bound `GeneratorRep` of size ``s``.

    Raises:
        TypeError: if ``group`` is not a Group, images are complex or strings, or ``tol``
            is not a real number.
        ValueError: for missing images, wrong shapes, non-finite or singular images,
            images that do not define a representation (the residual is in the message),
            or ``tol`` outside ``(0, 1)``.

    Example:
        >>> from groups import D
        >>> G = D(6)  # generators: the rotation by 60 degrees and a reflection
        >>> c, s = np.cos(2 * np.pi / 3), np.sin(2 * np.pi / 3)
        >>> rho = from_generators(G, discrete=[[[c, -s], [s, c]], [[1, 0], [0, -1]]], name="E2")
        >>> (rho >> rho).equivariant_basis().shape  # irreducible: only multiples of I
        (4, 1)
    """
    if not isinstance(group, Group):
        raise TypeError(f"from_generators needs a groups.Group; got {type(group).__name__}.")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string or None; got {type(name).__name__}.")
    tol = check_real(tol, "tol", above=0, below=1, where="from_generators")
    lie_images = _images_argument(lie, group.lie_dimension, "lie", group)
    discrete_images = _images_argument(discrete, group.num_discrete_generators, "discrete", group)
    sizes = {a.shape[-1] for a in (lie_images, discrete_images) if a is not None}
    if not sizes:
        raise ValueError(
            f"{group!r} has no generators, so every representation is trivial; use n * Scalar."
        )
    if len(sizes) > 1:
        raise ValueError(f"lie and discrete images must have the same size s; got {sorted(sizes)}.")
    s = sizes.pop()
    if s < 1:
        raise ValueError("the images must be at least 1 x 1.")
    lie_images = lie_images if lie_images is not None else np.zeros((0, s, s))
    discrete_images = discrete_images if discrete_images is not None else np.zeros((0, s, s))
    _check_homomorphism(group, lie_images, discrete_images, float(tol))
    return GeneratorRep(group, lie_images, discrete_images, name or f"R{s}")


def _atom_images(atom: Atom, source: Group, discrete: list, lie: np.ndarray):
    """The images of ``source``'s generators in ``atom`` through the homomorphism."""
    s = atom.size()
    discrete_images = np.array([atom.atom_rho(image) for image in discrete]).reshape(-1, s, s)
    lie_images = np.array([atom.atom_drho(z) for z in lie]).reshape(-1, s, s)
    return lie_images, discrete_images


def _map_atoms(rep: Rep, source: Group, fn) -> Rep:
    from emlp_core.reps import ProductRep, SumRep

    if isinstance(rep, ScalarRep):
        return ScalarRep(source)
    if isinstance(rep, SumRep):
        return SumRep(*[_map_atoms(part, source, fn) for part in rep.reps], group=source)
    if isinstance(rep, ProductRep):
        return ProductRep(*[_map_atoms(part, source, fn) for part in rep.reps], group=source)
    if isinstance(rep, VectorRep) and isinstance(rep.group, ProductGroup):
        return ProductRep(*[fn(atom) for atom in rep._factor_atoms()], group=source)
    return fn(rep)


def _target_element(image, target: Group, index: int):
    if isinstance(image, GroupElement):
        if image.group != target:
            raise ValueError(
                f"discrete[{index}] is an element of {image.group!r}, not of the target {target!r}."
            )
        return image
    matrix = real_float64(image, f"discrete[{index}]", f"a ({target.d}, {target.d}) matrix")
    if matrix.shape != (target.d, target.d) or not np.all(np.isfinite(matrix)):
        raise ValueError(
            f"discrete[{index}] must be a GroupElement or a finite ({target.d}, {target.d}) matrix "
            f"of {target!r}; got shape {matrix.shape}."
        )
    if not target.lie_dimension and not isinstance(target, ProductGroup):
        if is_element(matrix, target.discrete_generators) is False:
            raise ValueError(
                f"discrete[{index}] is not an element of {target!r} (not generated by its "
                "discrete generators)."
            )
    return matrix


def pullback(
    rep: Rep,
    source: Group,
    *,
    discrete=(),
    lie=None,
    name: str = "φ",
    tol: float = HOMOMORPHISM_RTOL,
) -> Rep:
    """``rep`` (of a group ``H``) as a representation of ``source`` through ``source -> H``.

    Args:
        rep: a representation bound to the target group ``H``.
        source: the group ``G`` the result is a representation of.
        discrete: for each discrete generator of ``G``, its image in ``H``: a
            `groups.GroupElement` of ``H`` (always accepted) or a ``(d_H, d_H)`` matrix (for
            representations built from ``V`` of ``H``).
        lie: ``(D_G, d_H, d_H)`` images of ``G``'s algebra generators in ``H``'s algebra, or
            their coefficients ``(D_G, D_H)`` in ``H.lie_algebra``.
        name: names the homomorphism in the printed atoms.
        tol: passed to `from_generators`, which checks each pulled-back atom (so a map
            that is not a homomorphism is refused wherever that check applies).

    Returns:
        A representation of ``source`` with the same size and layout as ``rep``.

    Example:
        >>> from groups import Z
        >>> from emlp_core import V
        >>> p = 5
        >>> P = Z(p) * Z(p)  # (s, t) acts on the digits a and b
        >>> shift = GroupElement.generator(Z(p), 0)
        >>> c = pullback(V(Z(p)), P, discrete=[shift, shift])  # (s, t) -> s + t acts on c
        >>> a, b = V.lift(P, 0), V.lift(P, 1)
        >>> ((a * b) >> c).equivariant_basis().shape  # Hom(V_a ⊗ V_b, V_c)
        (125, 5)
    """
    if not isinstance(rep, Rep) or rep.group is None:
        raise TypeError(f"pullback needs a bound Rep; got {rep!r}.")
    if not isinstance(source, Group):
        raise TypeError(f"pullback needs a groups.Group source; got {type(source).__name__}.")
    target = rep.group
    discrete = list(discrete)
    if len(discrete) != source.num_discrete_generators:
        raise ValueError(
            f"{source!r} has {source.num_discrete_generators} discrete generators; got "
            f"{len(discrete)} images."
        )
    elements = [_target_element(image, target, k) for k, image in enumerate(discrete)]
    coefficients = np.zeros((source.lie_dimension, target.lie_dimension))
    if source.lie_dimension:
        if lie is None:
            raise ValueError(f"{source!r} has a Lie algebra; give lie= images in {target!r}'s.")
        images = real_float64(lie, "lie", "Lie-algebra images (D, d, d) or coefficients (D, D_H)")
        if images.shape == (source.lie_dimension, target.lie_dimension):
            coefficients = images
        elif images.shape == (source.lie_dimension, target.d, target.d):
            coefficients = np.array([target.lie_coefficients(A) for A in images])
        else:
            raise ValueError(
                f"lie must have shape ({source.lie_dimension}, {target.d}, {target.d}) or "
                f"({source.lie_dimension}, {target.lie_dimension}); got {images.shape}."
            )

    def pull(atom: Atom) -> Rep:
        lie_images, discrete_images = _atom_images(atom, source, elements, coefficients)
        return from_generators(
            source,
            discrete=discrete_images if len(discrete_images) else None,
            lie=lie_images if len(lie_images) else None,
            name=f"{name}*{atom._expression()}",
            tol=tol,
        )

    return _map_atoms(rep, source, pull)


def restrict(rep: Rep, subgroup: Group, *, tol: float = HOMOMORPHISM_RTOL) -> Rep:
    """``rep`` (of ``G``) restricted to a subgroup given by generators on the same space.

    The subgroup's discrete generators must be elements of ``G`` and its algebra inside
    ``G``'s; ``rep`` must act on matrices (built from ``V`` of ``G``).

    Example:
        >>> from groups import O, SO, Group
        >>> from emlp_core import V
        >>> flip = Group(discrete_generators=[np.diag([1.0, 1.0, -1.0])], name="Z2")
        >>> restrict(V(O(3)), flip).equivariant_basis().shape  # the fixed plane
        (3, 2)
    """
    if not isinstance(subgroup, Group):
        raise TypeError(f"restrict needs a groups.Group subgroup; got {type(subgroup).__name__}.")
    return pullback(
        rep,
        subgroup,
        discrete=list(subgroup.discrete_generators),
        lie=subgroup.lie_algebra if subgroup.lie_dimension else None,
        name="ι",
        tol=tol,
    )
