"""The exceptional groups G2, F4 and E6, built as stabilizers of octonionic forms.

* ``G2()``: compact, on ``R^7`` (imaginary octonions), the stabilizer of the 3-form
  ``phi(x, y, z) = <x, y z>``; dimension 14, rank 2.
* ``F4()``: compact, on ``R^26``, the traceless part of the Albert algebra, preserving
  the trace form and the determinant; dimension 52, rank 4.
* ``E6()``: the non-compact real form E6(-26) on ``R^27``, the whole Albert algebra,
  preserving the cubic determinant; dimension 78, rank 6, Killing signature (26, 52).

Each algebra is the nullspace of a sparse linear constraint, solved through its small
Gram matrix (`groups.stabilizer`); construction takes well under a second and is cached
per process. Coordinates of the Albert algebra are those of `groups.albert` (orthonormal
for the trace form).
"""

from __future__ import annotations

import numpy as np

from groups.albert import cubic_norm_tensor, traceless_basis
from groups.caching import cached
from groups.group import Group
from groups.octonions import g2_three_form
from groups.stabilizer import stabilizer_algebra

__all__ = ["G2", "F4", "E6", "f4_cubic_form"]


@cached(maxsize=None)
def G2() -> Group:
    """Compact exceptional group G2 acting on ``R^7``, the imaginary octonions.

    The elements preserve the 3-form ``phi = g2_three_form()``
    (``phi(gx, gy, gz) = phi(x, y, z)``), hence the octonion product
    (``g(xy) = g(x) g(y)`` on imaginary parts) and the Euclidean metric. Lie algebra of
    dimension 14 (rank 2), Frobenius-orthonormal, antisymmetric matrices. Cached.

    Example:
        >>> from groups.octonions import g2_three_form
        >>> G = G2()
        >>> G.lie_algebra.shape
        (14, 7, 7)
        >>> g = G.samples(1)[0]
        >>> phi = g2_three_form()
        >>> bool(np.allclose(np.einsum("abc,ai,bj,ck->ijk", phi, g, g, g), phi))
        True
    """
    algebra = stabilizer_algebra(g2_three_form(), covariant=True)
    return Group(lie_algebra=algebra, name="G2", strict=True)


def f4_cubic_form() -> np.ndarray:
    """The determinant restricted to the traceless Albert algebra, ``(26, 26, 26)``.

    In the coordinates ``w`` of `groups.albert.traceless_basis` (``X = Q w``).

    Example:
        >>> f4_cubic_form().shape
        (26, 26, 26)
    """
    basis = traceless_basis()
    form = np.einsum("abc,ai,bj,ck->ijk", cubic_norm_tensor(), basis, basis, basis, optimize=True)
    form[np.abs(form) < 1e-15] = 0.0
    return form


@cached(maxsize=None)
def F4() -> Group:
    """Compact exceptional group F4 acting on ``R^26``, the traceless Albert algebra.

    The automorphism group of the Albert algebra fixes the identity, so it acts on the
    26-dimensional traceless part (its smallest faithful representation) in the
    coordinates of `groups.albert.traceless_basis`. Its elements preserve the trace form
    (they are orthogonal) and the determinant `f4_cubic_form`. Lie algebra of dimension
    52 (rank 4), Frobenius-orthonormal, antisymmetric. On the whole 27-dimensional
    algebra it acts as ``Q g Q^T + e e^T / 3`` (``e`` the identity). Cached.

    Example:
        >>> G = F4()
        >>> G.d, G.lie_algebra.shape[0], G.is_orthogonal
        (26, 52, True)
    """
    algebra = stabilizer_algebra(np.eye(26), f4_cubic_form(), covariant=True)
    return Group(lie_algebra=algebra, name="F4", strict=True)


@cached(maxsize=None)
def E6() -> Group:
    """Exceptional group E6(-26) acting on ``R^27``, the Albert algebra.

    The elements preserve the cubic determinant ``det(gX) = det(X)``
    (`groups.albert.albert_determinant`). This is the non-compact real form E6(-26): its
    maximal compact subgroup is F4, so the Killing form has signature (26, 52) (26
    non-compact, symmetric directions; 52 compact, antisymmetric ones). Lie algebra of
    dimension 78 (rank 6), Frobenius-orthonormal. Cached.

    Example:
        >>> from groups.albert import albert_determinant
        >>> G = E6()
        >>> G.d, G.lie_algebra.shape[0]
        (27, 78)
        >>> g = G.samples(1, scale=0.3)[0]
        >>> u = np.random.default_rng(0).normal(size=27)
        >>> bool(np.isclose(albert_determinant(g @ u), albert_determinant(u)))
        True
    """
    algebra = stabilizer_algebra(cubic_norm_tensor(), covariant=True)
    return Group(lie_algebra=algebra, name="E6", strict=True)
