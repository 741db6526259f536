"""The octonions, built by the Cayley-Dickson doubling, and the G2 three-form.

An octonion is a float64 array ``(..., 8)`` of coordinates in the basis ``e_0 = 1,
e_1 .. e_7``. Doubling starts from the reals: a pair ``(a, b)`` of elements of the
previous algebra multiplies as ``(a, b)(c, d) = (a c - d* b, d a + b c*)`` with ``*`` the
conjugation; reals -> complex -> quaternions -> octonions. The octonions are a normed
division algebra (``|xy| = |x||y|``), alternative but not associative.

``g2_three_form`` is ``phi(x, y, z) = <x, y z>`` on the imaginary octonions ``R^7``
(basis ``e_1 .. e_7``), totally antisymmetric; its stabilizer in ``GL(7)`` is the compact
exceptional group G2, the automorphism group of the octonions.
"""

from __future__ import annotations

import numpy as np

from groups.caching import cached

__all__ = [
    "cayley_dickson_product",
    "octonion_structure",
    "octonion_product",
    "octonion_conjugate",
    "g2_three_form",
]


def _conjugate(x: np.ndarray) -> np.ndarray:
    out = -x
    out[..., 0] = x[..., 0]
    return out


def cayley_dickson_product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Product in the Cayley-Dickson algebra of dimension ``2^m`` (1, 2, 4, 8, ...).

    Args:
        x: float ``(..., 2^m)``.
        y: float ``(..., 2^m)``, broadcastable against ``x``.

    Returns:
        float64 ``(..., 2^m)``.

    Raises:
        ValueError: if the last axes differ or are not a power of two.

    Example:
        >>> i, j = np.eye(4)[1], np.eye(4)[2]  # quaternions
        >>> cayley_dickson_product(i, j)  # i j = k
        array([0., 0., 0., 1.])
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.shape[-1]
    if y.shape[-1] != n or n < 1 or n & (n - 1):
        raise ValueError(
            "cayley_dickson_product needs two arrays whose last axis is the same power of "
            f"two; got shapes {x.shape} and {y.shape}."
        )
    if n == 1:
        return x * y
    half = n // 2
    a, b = x[..., :half], x[..., half:]
    c, d = y[..., :half], y[..., half:]
    first = cayley_dickson_product(a, c) - cayley_dickson_product(_conjugate(d), b)
    second = cayley_dickson_product(d, a) + cayley_dickson_product(b, _conjugate(c))
    return np.concatenate(np.broadcast_arrays(first, second), axis=-1)


@cached(maxsize=None)
def octonion_structure() -> np.ndarray:
    """Structure constants ``M (8, 8, 8)``: ``e_i e_j = sum_k M[i, j, k] e_k`` (read-only).

    Entries are 0 or +-1; ``e_0`` is the unit and ``e_i^2 = -1`` for ``i >= 1``.

    Example:
        >>> M = octonion_structure()
        >>> M[1, 2]  # e_1 e_2 = e_3
        array([0., 0., 0., 1., 0., 0., 0., 0.])
    """
    basis = np.eye(8)
    table = cayley_dickson_product(basis[:, None, :], basis[None, :, :])
    table.setflags(write=False)
    return table


def octonion_product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Octonion product of ``x`` and ``y`` (float ``(..., 8)``, broadcast), ``(..., 8)``.

    Example:
        >>> e = np.eye(8)
        >>> octonion_product(e[3], e[3])  # an imaginary unit squares to -1
        array([-1.,  0.,  0.,  0.,  0.,  0.,  0.,  0.])
    """
    return np.einsum("...i,...j,ijk->...k", x, y, octonion_structure())


def octonion_conjugate(x: np.ndarray) -> np.ndarray:
    """Conjugate ``x* = x_0 - (x_1 e_1 + .. + x_7 e_7)``, float64 ``(..., 8)``.

    Example:
        >>> octonion_conjugate(np.arange(8.0))
        array([ 0., -1., -2., -3., -4., -5., -6., -7.])
    """
    return _conjugate(np.asarray(x, dtype=np.float64))


@cached(maxsize=None)
def g2_three_form() -> np.ndarray:
    """The associative 3-form ``phi[i, j, k] = <e_i, e_j e_k>`` on ``R^7``, ``(7, 7, 7)``.

    Indices 0..6 stand for ``e_1 .. e_7``. Totally antisymmetric with entries 0, +-1 and
    seven independent non-zero components (read-only).

    Example:
        >>> phi = g2_three_form()
        >>> int(np.count_nonzero(phi)), float(phi[2, 0, 1])  # e_1 e_2 = e_3
        (42, 1.0)
    """
    form = octonion_structure()[1:, 1:, 1:].transpose(2, 0, 1).copy()
    form.setflags(write=False)
    return form
