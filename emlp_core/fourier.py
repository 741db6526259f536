"""Fourier analysis on a finite group with its real irreducible representations.

A function ``f`` on a finite group ``G`` is a vector of the regular representation
(coordinates in `groups.enumeration.element_table` order). Its Fourier transform is one
matrix per real irrep ``λ``:

    f^(λ) = sum_g f(g) D_λ(g)                       (d_λ, d_λ)
    f(g)  = (1/|G|) sum_λ c_λ tr(D_λ(g)^T f^(λ)),   c_λ = d_λ / dim End(λ)

with ``dim End(λ)`` 1, 2, 4 for real, complex and quaternionic irreps (a complex pair or a
quaternionic irrep is one real irrep of twice the complex dimension, hence the weight).
Plancherel: ``sum_g f(g)^2 = (1/|G|) sum_λ c_λ |f^(λ)|_F^2``. The transform is
equivariant: translating ``f`` by ``h`` (``f(h^-1 g)``) multiplies ``f^(λ)`` by
``D_λ(h)`` on the left.

For the cyclic group ``C_p`` the real irreps are the rotations by ``2 pi k / p`` and the
isotypic basis of its regular representation is `real_fourier_basis` (constant, then
``cos, sin`` pairs of frequency ``k = 1 .. (p-1)/2``, then the alternating sign for even
``p``), which is the basis of the grokking analysis of Nanda et al. (ICLR 2023).
"""

from __future__ import annotations

import numpy as np

from emlp_core.irreps import RealIrrep
from groups import Group
from groups.caching import cached
from groups.checks import check_int

__all__ = [
    "real_irreps",
    "irrep_matrices",
    "fourier_transform",
    "inverse_fourier_transform",
    "real_fourier_basis",
]


def _check_finite(group) -> None:
    if not isinstance(group, Group):
        raise TypeError(f"needs a groups.Group; got {type(group).__name__}.")
    if group.lie_dimension:
        raise ValueError(
            f"{group!r} has a Lie algebra: Fourier transforms here are for finite groups."
        )


@cached(maxsize=16)
def _irreps(group: Group) -> tuple:
    from emlp_core.finite_reps import RegularRep
    from emlp_core.isotypic import _element_images, isotypic_decomposition

    irreps = isotypic_decomposition(RegularRep(group)).irreps
    matrices = tuple(_element_images(irrep.discrete_images, group) for irrep in irreps)
    for array in matrices:
        array.setflags(write=False)
    return tuple(irreps), matrices


def real_irreps(group: Group) -> list[RealIrrep]:
    """Every real irrep of a finite group, once (from its regular representation).

    Raises:
        TypeError: if ``group`` is not a Group.
        ValueError: for a group with a Lie algebra or one too large to enumerate.

    Example:
        >>> from groups import S
        >>> [irrep.dim for irrep in real_irreps(S(4))]
        [1, 1, 2, 3, 3]
    """
    _check_finite(group)
    return list(_irreps(group)[0])


def irrep_matrices(group: Group) -> list[np.ndarray]:
    """``D_λ(g)`` for every real irrep and element: ``(|G|, d_λ, d_λ)`` each, read-only.

    Example:
        >>> from groups import S
        >>> [m.shape for m in irrep_matrices(S(3))]
        [(6, 1, 1), (6, 1, 1), (6, 2, 2)]
    """
    _check_finite(group)
    return list(_irreps(group)[1])


def _weights(group: Group) -> list[float]:
    return [irrep.dim / irrep.commutant_dim for irrep in _irreps(group)[0]]


def _function(group: Group, f) -> np.ndarray:
    from groups.enumeration import element_table

    order = element_table(group).order
    f = np.asarray(f, dtype=np.float64)
    if f.shape != (order,):
        raise ValueError(
            f"a function on {group!r} is a vector of its {order} values (element_table "
            f"order); got shape {f.shape}."
        )
    return f


def fourier_transform(group: Group, f) -> list[np.ndarray]:
    """The matrices ``f^(λ) = sum_g f(g) D_λ(g)``, one per `real_irreps` entry.

    Args:
        group: a finite `groups.Group`.
        f: ``(|G|,)`` values in `groups.enumeration.element_table` order.

    Example:
        >>> from groups import S
        >>> f = np.zeros(6); f[0] = 1.0  # the delta at the identity
        >>> [m.round(6).tolist() for m in fourier_transform(S(3), f)]
        [[[1.0]], [[1.0]], [[1.0, 0.0], [0.0, 1.0]]]
    """
    _check_finite(group)
    f = _function(group, f)
    return [np.einsum("g,gij->ij", f, D) for D in _irreps(group)[1]]


def inverse_fourier_transform(group: Group, coefficients) -> np.ndarray:
    """The function ``(|G|,)`` with the given Fourier matrices (inverse of `fourier_transform`).

    Example:
        >>> from groups import D
        >>> f = np.arange(8.0)
        >>> bool(np.allclose(inverse_fourier_transform(D(4), fourier_transform(D(4), f)), f))
        True
    """
    _check_finite(group)
    irreps, matrices = _irreps(group)
    coefficients = list(coefficients)
    if len(coefficients) != len(irreps) or any(
        np.shape(c) != (irrep.dim, irrep.dim) for c, irrep in zip(coefficients, irreps, strict=True)
    ):
        raise ValueError(
            f"needs one (d, d) matrix per real irrep of {group!r}: dims "
            f"{[irrep.dim for irrep in irreps]}."
        )
    order = matrices[0].shape[0]
    total = np.zeros(order)
    for weight, D, c in zip(_weights(group), matrices, coefficients, strict=True):
        total += weight * np.einsum("gij,ij->g", D, np.asarray(c, dtype=np.float64))
    return total / order


def real_fourier_basis(p: int) -> np.ndarray:
    """The orthonormal real Fourier basis of ``R^p``: ``(p, p)``, one basis vector per column.

    Columns: the constant ``1/sqrt(p)``; for ``k = 1 .. (p-1)//2`` the pair
    ``sqrt(2/p) cos(2 pi k j / p)``, ``sqrt(2/p) sin(2 pi k j / p)``; for even ``p`` the
    alternating ``(-1)^j / sqrt(p)``.

    Example:
        >>> B = real_fourier_basis(5)
        >>> bool(np.allclose(B.T @ B, np.eye(5)))
        True
    """
    p = check_int(p, "p", minimum=1, where="real_fourier_basis")
    j = np.arange(p)
    columns = [np.full(p, 1 / np.sqrt(p))]
    for k in range(1, (p - 1) // 2 + 1):
        angle = 2 * np.pi * k * j / p
        columns += [np.sqrt(2 / p) * np.cos(angle), np.sqrt(2 / p) * np.sin(angle)]
    if p % 2 == 0:
        columns.append((-1.0) ** j / np.sqrt(p))
    return np.array(columns).T
