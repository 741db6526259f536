"""The Albert algebra: 3 x 3 Hermitian octonionic matrices with the Jordan product.

Coordinates. An element is a float64 vector ``u (..., 27)`` standing for the matrix ::

    X = [[ alpha,   z,      y* ],
         [ z*,      beta,   x  ],
         [ y,       x*,     gamma]]

with ``u = (alpha, beta, gamma, sqrt2 x, sqrt2 y, sqrt2 z)`` (octonions ``x, y, z`` of 8
coordinates each, see `groups.octonions`). The factor ``sqrt2`` makes the trace form
``<X, Y> = tr(X o Y)`` the Euclidean inner product of the coordinates, so the compact
group F4 acts by orthogonal matrices.

* Jordan product ``X o Y = (XY + YX) / 2`` (commutative, not associative, satisfies the
  Jordan identity ``(X o Y) o (X o X) = X o (Y o (X o X))``);
* identity ``diag(1, 1, 1)``, trace ``alpha + beta + gamma``;
* cubic norm (determinant) ``det X = alpha beta gamma + 2 Re(z x y) - alpha |x|^2 -
  beta |y|^2 - gamma |z|^2``, a cubic form whose stabilizer is E6(-26); every ``X``
  satisfies ``X^3 - tr(X) X^2 + S(X) X - det(X) I = 0`` (Cayley-Hamilton).

Its symmetric tensor is built from the Jordan product alone (Newton's identity
``6 det = t^3 - 3 t tr(X^2) + 2 tr(X^3)``); the explicit formula above is kept to test it.
"""

from __future__ import annotations

import itertools

import numpy as np

from groups.caching import cached
from groups.octonions import octonion_conjugate, octonion_product, octonion_structure

__all__ = [
    "ALBERT_DIMENSION",
    "albert_to_matrix",
    "albert_from_matrix",
    "jordan_product",
    "jordan_structure",
    "albert_identity",
    "albert_trace",
    "albert_determinant",
    "cubic_norm_tensor",
    "traceless_basis",
]

ALBERT_DIMENSION = 27
_ROOT2 = np.sqrt(2.0)
# (row, column) of the octonions x, y, z and their coordinate ranges in u
_OFF_DIAGONAL = (((1, 2), slice(3, 11)), ((2, 0), slice(11, 19)), ((0, 1), slice(19, 27)))


def _check(u, argument: str) -> np.ndarray:
    array = np.asarray(u, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] != ALBERT_DIMENSION:
        raise ValueError(
            f"{argument} must have shape (..., 27), Albert algebra coordinates; got {array.shape}."
        )
    return array


def albert_to_matrix(u: np.ndarray) -> np.ndarray:
    """The Hermitian octonionic matrix ``(..., 3, 3, 8)`` of coordinates ``u (..., 27)``.

    Example:
        >>> X = albert_to_matrix(np.eye(27)[0])  # alpha = 1
        >>> X[..., 0]
        array([[1., 0., 0.],
               [0., 0., 0.],
               [0., 0., 0.]])
    """
    u = _check(u, "u")
    matrix = np.zeros(u.shape[:-1] + (3, 3, 8))
    for i in range(3):
        matrix[..., i, i, 0] = u[..., i]
    for (row, column), coordinates in _OFF_DIAGONAL:
        octonion = u[..., coordinates] / _ROOT2
        matrix[..., row, column, :] = octonion
        matrix[..., column, row, :] = octonion_conjugate(octonion)
    return matrix


def albert_from_matrix(matrix: np.ndarray) -> np.ndarray:
    """Coordinates ``(..., 27)`` of a Hermitian octonionic matrix ``(..., 3, 3, 8)``.

    Reads the real diagonal and the upper entries ``x = X[1, 2], y = X[2, 0], z = X[0, 1]``.

    Example:
        >>> u = np.arange(27.0)
        >>> bool(np.allclose(albert_from_matrix(albert_to_matrix(u)), u))
        True
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape[-3:] != (3, 3, 8):
        raise ValueError(f"matrix must have shape (..., 3, 3, 8); got {matrix.shape}.")
    u = np.zeros(matrix.shape[:-3] + (ALBERT_DIMENSION,))
    for i in range(3):
        u[..., i] = matrix[..., i, i, 0]
    for (row, column), coordinates in _OFF_DIAGONAL:
        u[..., coordinates] = _ROOT2 * matrix[..., row, column, :]
    return u


def jordan_product(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Jordan product ``(XY + YX) / 2`` of coordinates ``u, v (..., 27)``, ``(..., 27)``.

    Example:
        >>> I = albert_identity()
        >>> u = np.random.default_rng(0).normal(size=27)
        >>> bool(np.allclose(jordan_product(I, u), u))
        True
    """
    x = albert_to_matrix(_check(u, "u"))
    y = albert_to_matrix(_check(v, "v"))
    structure = octonion_structure()
    xy = np.einsum("...ijp,...jkq,pqr->...ikr", x, y, structure)
    yx = np.einsum("...ijp,...jkq,pqr->...ikr", y, x, structure)
    return albert_from_matrix(0.5 * (xy + yx))


@cached(maxsize=None)
def jordan_structure() -> np.ndarray:
    """Structure constants ``J (27, 27, 27)``: ``e_a o e_b = sum_c J[a, b, c] e_c``.

    Read-only; symmetric in ``a, b``.

    Example:
        >>> J = jordan_structure()
        >>> J.shape, bool(np.allclose(J, J.transpose(1, 0, 2)))
        ((27, 27, 27), True)
    """
    basis = np.eye(ALBERT_DIMENSION)
    table = jordan_product(basis[:, None, :], basis[None, :, :])
    table[np.abs(table) < 1e-15] = 0.0
    table.setflags(write=False)
    return table


def albert_identity() -> np.ndarray:
    """Coordinates of the identity matrix, ``(27,)``.

    Example:
        >>> albert_identity()[:4]
        array([1., 1., 1., 0.])
    """
    identity = np.zeros(ALBERT_DIMENSION)
    identity[:3] = 1.0
    return identity


def albert_trace(u: np.ndarray) -> np.ndarray:
    """Trace ``alpha + beta + gamma`` of coordinates ``u (..., 27)``, shape ``(...)``.

    Example:
        >>> float(albert_trace(albert_identity()))
        3.0
    """
    return _check(u, "u")[..., :3].sum(-1)


def albert_determinant(u: np.ndarray) -> np.ndarray:
    """Cubic norm by the explicit formula (module docstring), shape ``(...)``.

    Example:
        >>> float(albert_determinant(albert_identity()))
        1.0
    """
    matrix = albert_to_matrix(_check(u, "u"))
    alpha, beta, gamma = (matrix[..., i, i, 0] for i in range(3))
    x, y, z = matrix[..., 1, 2, :], matrix[..., 2, 0, :], matrix[..., 0, 1, :]
    zxy = octonion_product(octonion_product(z, x), y)[..., 0]
    squares = [np.sum(w * w, axis=-1) for w in (x, y, z)]
    return (
        alpha * beta * gamma + 2 * zxy - alpha * squares[0] - beta * squares[1] - gamma * squares[2]
    )


@cached(maxsize=None)
def cubic_norm_tensor() -> np.ndarray:
    """Symmetric tensor ``N (27, 27, 27)`` of the determinant: ``det u = N(u, u, u)``.

    From Newton's identity with the Jordan product: with ``t`` the trace vector,
    ``6 N = t (x) t (x) t - 3 sym(t (x) I) + 2 sym(J)``. Read-only.

    Example:
        >>> N = cubic_norm_tensor()
        >>> u = np.random.default_rng(1).normal(size=27)
        >>> bool(np.isclose(np.einsum("abc,a,b,c", N, u, u, u), albert_determinant(u)))
        True
    """
    trace = albert_identity()  # tr(u) = <identity, u> in these coordinates
    eye = np.eye(ALBERT_DIMENSION)
    cube = jordan_structure().transpose(2, 0, 1)  # tr(e_a o (e_b o e_c)) = J[b, c, a]
    cube = sum(cube.transpose(p) for p in itertools.permutations(range(3))) / 6
    mixed = (
        np.einsum("a,bc->abc", trace, eye)
        + np.einsum("b,ac->abc", trace, eye)
        + np.einsum("c,ab->abc", trace, eye)
    ) / 3
    tensor = (np.einsum("a,b,c->abc", trace, trace, trace) - 3 * mixed + 2 * cube) / 6
    tensor[np.abs(tensor) < 1e-15] = 0.0
    tensor.setflags(write=False)
    return tensor


def traceless_basis() -> np.ndarray:
    """Orthonormal basis ``Q (27, 26)`` of the traceless elements (the 26-dim F4 module).

    Columns: ``(e_alpha - e_beta)/sqrt2``, ``(e_alpha + e_beta - 2 e_gamma)/sqrt6``, then
    the 24 octonionic coordinates in order.

    Example:
        >>> Q = traceless_basis()
        >>> bool(np.allclose(Q.T @ Q, np.eye(26)) and np.allclose(albert_identity() @ Q, 0))
        True
    """
    basis = np.zeros((ALBERT_DIMENSION, 26))
    basis[:3, 0] = np.array([1.0, -1.0, 0.0]) / np.sqrt(2.0)
    basis[:3, 1] = np.array([1.0, 1.0, -2.0]) / np.sqrt(6.0)
    basis[3:, 2:] = np.eye(24)
    return basis
