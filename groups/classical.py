"""Classical groups beyond O(n): symplectic, special and general linear, unitary, scaling.

Each constructor returns a plain `Group` in the standard basis of ``R^d``.

Complex groups are realified: ``C^n`` is ``R^(2n)`` with coordinates
``(Re z_1, .., Re z_n, Im z_1, .., Im z_n)`` (real parts first), so the complex matrix
``X + iY`` acts as the real block matrix ``[[X, -Y], [Y, X]]`` and multiplication by ``i``
is ``J = [[0, -I], [I, 0]]``.
"""

from __future__ import annotations

import numpy as np

from groups.builtin import _check_dimension, _so_algebra
from groups.group import Group

__all__ = ["Sp", "SL", "GL", "U", "SU", "Scaling", "symplectic_form", "complex_structure"]


def _unit(n: int, i: int, j: int) -> np.ndarray:
    matrix = np.zeros((n, n))
    matrix[i, j] = 1.0
    return matrix


def _symmetric_basis(n: int) -> list[np.ndarray]:
    """``E_ii`` and ``E_ij + E_ji`` (i < j)."""
    basis = [_unit(n, i, i) for i in range(n)]
    basis += [_unit(n, i, j) + _unit(n, j, i) for i in range(n) for j in range(i + 1, n)]
    return basis


def _traceless_diagonal(n: int) -> list[np.ndarray]:
    """``E_ii - E_(i+1)(i+1)``."""
    return [_unit(n, i, i) - _unit(n, i + 1, i + 1) for i in range(n - 1)]


def _stack(matrices: list[np.ndarray], d: int) -> np.ndarray:
    return np.array(matrices).reshape(-1, d, d)


def symplectic_form(m: int) -> np.ndarray:
    """The symplectic form ``J = [[0, I_m], [-I_m, 0]]``, float64 ``(2m, 2m)``.

    Raises:
        TypeError: if ``m`` is not an integer (bools included).
        ValueError: if ``m < 1``, or the matrix would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> symplectic_form(1)
        array([[ 0.,  1.],
               [-1.,  0.]])
    """
    m = _check_dimension(m, "symplectic_form", count=lambda m: 1, d=lambda m: 2 * m, argument="m")
    eye, zero = np.eye(m), np.zeros((m, m))
    return np.block([[zero, eye], [-eye, zero]])


def complex_structure(n: int) -> np.ndarray:
    """Multiplication by ``i`` on realified ``C^n``: ``[[0, -I_n], [I_n, 0]]``, ``(2n, 2n)``.

    Raises:
        TypeError: if ``n`` is not an integer (bools included).
        ValueError: if ``n < 1``, or the matrix would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> complex_structure(1) @ np.array([1.0, 0.0])  # i * 1 = i
        array([0., 1.])
    """
    n = _check_dimension(n, "complex_structure", count=lambda n: 1, d=lambda n: 2 * n)
    return -symplectic_form(n)


def Sp(m: int) -> Group:
    """Real symplectic group acting on ``R^(2m)``: all ``g`` with ``g^T J g = J``.

    ``J = symplectic_form(m) = [[0, I], [-I, 0]]``. Often written ``Sp(2m, R)``; here the
    argument is ``m``, half the dimension. Connected and non-compact; the Lie algebra
    ``sp`` has dimension ``m (2m + 1)`` and basis ``J S`` for the symmetric unit matrices
    ``S``.

    Args:
        m: half the dimension, ``m >= 1``.

    Raises:
        TypeError: if ``m`` is not an integer (bools included).
        ValueError: if ``m < 1``, or the generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> G = Sp(2)
        >>> G.d, G.lie_algebra.shape[0]
        (4, 10)
        >>> g = G.samples(1)[0]
        >>> J = symplectic_form(2)
        >>> bool(np.allclose(g.T @ J @ g, J))
        True
    """
    m = _check_dimension(m, "Sp", count=lambda m: m * (2 * m + 1), d=lambda m: 2 * m, argument="m")
    form = symplectic_form(m)
    algebra = [form @ s for s in _symmetric_basis(2 * m)]
    return Group(lie_algebra=_stack(algebra, 2 * m), name=f"Sp({m})", check_closure=False)


def SL(n: int) -> Group:
    """Special linear group ``SL(n)`` acting on ``R^n``: all ``g`` with ``det g = 1``.

    Connected; Lie algebra of traceless matrices (``E_ij``, ``i != j``, and
    ``E_ii - E_(i+1)(i+1)``), dimension ``n^2 - 1``.

    Raises:
        TypeError: if ``n`` is not an integer (bools included).
        ValueError: if ``n < 1``, or the generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> bool(np.isclose(np.linalg.det(SL(3).samples(1)[0]), 1.0))
        True
    """
    n = _check_dimension(n, "SL", count=lambda n: n * n - 1, d=lambda n: n)
    off_diagonal = [_unit(n, i, j) for i in range(n) for j in range(n) if i != j]
    return Group(
        lie_algebra=_stack(off_diagonal + _traceless_diagonal(n), n),
        name=f"SL({n})",
        check_closure=False,
    )


def GL(n: int) -> Group:
    """General linear group ``GL(n)`` acting on ``R^n``: all invertible ``g``.

    Lie algebra: all ``E_ij`` (dimension ``n^2``); one discrete generator, the reflection
    ``diag(-1, 1, .., 1)``, reaches the component with ``det g < 0``.

    Raises:
        TypeError: if ``n`` is not an integer (bools included).
        ValueError: if ``n < 1``, or the generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> GL(2).lie_algebra.shape, GL(2).discrete_generators.shape
        ((4, 2, 2), (1, 2, 2))
    """
    n = _check_dimension(n, "GL", count=lambda n: n * n + 1, d=lambda n: n)
    algebra = [_unit(n, i, j) for i in range(n) for j in range(n)]
    reflection = np.eye(n)
    reflection[0, 0] = -1.0
    return Group(
        lie_algebra=_stack(algebra, n),
        discrete_generators=[reflection],
        name=f"GL({n})",
        check_closure=False,
    )


def _realify(real: np.ndarray, imaginary: np.ndarray) -> np.ndarray:
    """The real ``(2n, 2n)`` matrix of ``real + i imaginary``."""
    return np.block([[real, -imaginary], [imaginary, real]])


def _unitary_algebra(n: int, special: bool) -> np.ndarray:
    zero = np.zeros((n, n))
    antisymmetric = [_realify(a, zero) for a in _so_algebra(n)]
    imaginary = _symmetric_basis(n)[n:]  # i (E_ij + E_ji), i < j
    imaginary += _traceless_diagonal(n) if special else [_unit(n, i, i) for i in range(n)]
    return _stack(antisymmetric + [_realify(zero, s) for s in imaginary], 2 * n)


def U(n: int) -> Group:
    """Unitary group ``U(n)`` as a real group acting on ``R^(2n)`` (realified ``C^n``).

    Coordinates ``(Re z, Im z)``; ``X + iY`` acts as ``[[X, -Y], [Y, X]]`` (module
    docstring). Elements are orthogonal and commute with ``J = complex_structure(n)``.
    Compact and connected; Lie algebra of anti-Hermitian matrices, dimension ``n^2``.

    Raises:
        TypeError: if ``n`` is not an integer (bools included).
        ValueError: if ``n < 1``, or the generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> g = U(2).samples(1)[0]
        >>> J = complex_structure(2)
        >>> bool(np.allclose(g.T @ g, np.eye(4)) and np.allclose(g @ J, J @ g))
        True
    """
    n = _check_dimension(n, "U", count=lambda n: n * n, d=lambda n: 2 * n)
    return Group(
        lie_algebra=_unitary_algebra(n, special=False), name=f"U({n})", check_closure=False
    )


def SU(n: int) -> Group:
    """Special unitary group ``SU(n)`` as a real group acting on ``R^(2n)`` (realified).

    Same convention as `U`; the complex determinant ``det(X + iY)`` is 1. Lie algebra of
    traceless anti-Hermitian matrices, dimension ``n^2 - 1``.

    Raises:
        TypeError: if ``n`` is not an integer (bools included).
        ValueError: if ``n < 1``, or the generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> g = SU(2).samples(1)[0]
        >>> complex_g = g[:2, :2] + 1j * g[2:, :2]
        >>> bool(np.isclose(np.linalg.det(complex_g), 1.0))
        True
    """
    n = _check_dimension(n, "SU", count=lambda n: n * n - 1, d=lambda n: 2 * n)
    return Group(
        lie_algebra=_unitary_algebra(n, special=True), name=f"SU({n})", check_closure=False
    )


def Scaling(n: int) -> Group:
    """Positive scalings ``x -> e^t x`` of ``R^n``; Lie algebra spanned by the identity.

    Raises:
        TypeError: if ``n`` is not an integer (bools included).
        ValueError: if ``n < 1``, or the generators would exceed
            ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> Scaling(2).lie_algebra
        array([[[1., 0.],
                [0., 1.]]])
    """
    n = _check_dimension(n, "Scaling", count=lambda n: 1, d=lambda n: n)
    return Group(lie_algebra=np.eye(n)[None], name=f"Scaling({n})")
