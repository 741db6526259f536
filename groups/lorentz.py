"""Indefinite orthogonal groups ``O(p, q)`` and the Lorentz family.

``O(p, q)`` acts on ``R^(p+q)`` preserving the metric
``eta = minkowski_metric(p, q) = diag(+1 (p times), -1 (q times))``: ``g^T eta g = eta``.
For the Lorentz group ``O(1, 3)`` the coordinates are ``(t, x, y, z)`` with
``eta = diag(1, -1, -1, -1)`` (the particle-physics sign; the opposite sign gives the same
group).

When ``p, q >= 1`` the group has four connected components, told apart by ``det g`` and
by whether ``g`` keeps the direction of "time" (the first ``p`` coordinates). The
discrete generators used here are

* time reversal ``T``: negates all ``p`` positive coordinates when ``p`` is odd, else only
  the first one (so ``det T = -1``);
* parity ``P``: negates all ``q`` negative coordinates when ``q`` is odd, else only the
  last one (so ``det P = -1``).

For ``O(1, 3)`` these are ``T = diag(-1, 1, 1, 1)`` and ``P = diag(1, -1, -1, -1)``.
"""

from __future__ import annotations

import numpy as np

from groups._arrays import check_generator_storage
from groups.checks import check_int
from groups.group import Group

__all__ = [
    "minkowski_metric",
    "Opq",
    "SO13p",
    "SO13",
    "O13",
    "Lorentz",
    "SO11p",
    "O11",
]

_COMPONENTS = ("full", "special", "identity")


def _check_signature(p, q) -> tuple[int, int]:
    p = check_int(p, "p", minimum=0, where="the signature (p, q)")
    q = check_int(q, "q", minimum=0, where="the signature (p, q)")
    if p + q < 1:
        raise ValueError(f"the signature (p, q) needs p + q >= 1; got p = {p}, q = {q}.")
    return p, q


def minkowski_metric(p: int, q: int) -> np.ndarray:
    """The metric ``diag(+1 (p times), -1 (q times))``, float64 ``(p+q, p+q)``.

    Example:
        >>> minkowski_metric(1, 3)
        array([[ 1.,  0.,  0.,  0.],
               [ 0., -1.,  0.,  0.],
               [ 0.,  0., -1.,  0.],
               [ 0.,  0.,  0., -1.]])
    """
    p, q = _check_signature(p, q)
    check_generator_storage(f"minkowski_metric(p, q) with p + q = {p + q}", 1, p + q)
    return np.diag(np.concatenate([np.ones(p), -np.ones(q)]))


def _opq_algebra(p: int, q: int) -> np.ndarray:
    """Rotations ``E_ij - E_ji`` within each block, boosts ``E_ij + E_ji`` across them."""
    n = p + q
    algebra = []
    for i in range(n):
        for j in range(i + 1, n):
            generator = np.zeros((n, n))
            boost = (i < p) != (j < p)
            generator[i, j] = 1.0 if boost else -1.0
            generator[j, i] = 1.0
            algebra.append(generator)
    return np.array(algebra).reshape(-1, n, n)


def _reflection(n: int, coordinates) -> np.ndarray:
    matrix = np.eye(n)
    matrix[coordinates, coordinates] = -1.0
    return matrix


def Opq(p: int, q: int, component: str = "full") -> Group:
    """Indefinite orthogonal group of the metric ``diag(+1 (p times), -1 (q times))``.

    Acts on ``R^(p+q)`` preserving ``eta = minkowski_metric(p, q)``: ``g^T eta g = eta``.
    Lie algebra (dimension ``n(n-1)/2``, ``n = p + q``): rotations ``E_ij - E_ji`` inside
    each block of equal sign and boosts ``E_ij + E_ji`` between the blocks.

    Args:
        p: number of ``+1`` entries (time-like directions for the Lorentz group).
        q: number of ``-1`` entries.
        component: ``"full"`` for ``O(p, q)`` (time reversal and parity as discrete
            generators, see the module docstring); ``"special"`` for ``SO(p, q)``
            (``det g = 1``; the product ``P T`` as discrete generator); ``"identity"`` for
            the identity component ``SO+(p, q)`` (Lie algebra only).

    Returns:
        A `Group` named ``O(p,q)``, ``SO(p,q)`` or ``SO+(p,q)``.

    Raises:
        TypeError: if ``p`` or ``q`` is not an integer.
        ValueError: if ``p`` or ``q`` is negative, ``p + q < 1``, ``component`` is not
            one of ``"full"``, ``"special"``, ``"identity"``, or the generators would
            exceed ``groups._arrays.MAX_GENERATOR_BYTES``.

    Example:
        >>> G = Opq(2, 1)
        >>> eta = minkowski_metric(2, 1)
        >>> g = G.samples(1, seed=0)[0]
        >>> bool(np.allclose(g.T @ eta @ g, eta))
        True
    """
    p, q = _check_signature(p, q)
    if component not in _COMPONENTS:
        raise ValueError(f"component must be one of {_COMPONENTS}; got {component!r}.")
    n = p + q
    check_generator_storage(f"Opq(p, q) with p + q = {n}", n * (n - 1) // 2 + 2, n)
    reflections = []
    if p:  # time reversal
        reflections.append(_reflection(n, list(range(p)) if p % 2 else [0]))
    if q:  # parity
        reflections.append(_reflection(n, list(range(p, n)) if q % 2 else [n - 1]))
    if component == "full":
        discrete, prefix = reflections, "O"
    elif component == "special":
        discrete = [reflections[0] @ reflections[1]] if len(reflections) == 2 else []
        prefix = "SO"
    else:
        discrete, prefix = [], "SO+"
    return Group(
        lie_algebra=_opq_algebra(p, q),
        discrete_generators=np.array(discrete).reshape(-1, n, n),
        name=f"{prefix}({p},{q})",
        check_closure=False,
    )


def SO13p() -> Group:
    """Proper orthochronous Lorentz group ``SO+(1, 3)`` on ``R^4 = (t, x, y, z)``.

    The identity component of ``O(1, 3)`` (Lie algebra only: 3 rotations, 3 boosts);
    preserves ``diag(1, -1, -1, -1)``, ``det g = 1`` and the direction of time.

    Example:
        >>> SO13p().lie_algebra.shape, SO13p().discrete_generators.shape
        ((6, 4, 4), (0, 4, 4))
    """
    return Opq(1, 3, "identity")


def SO13() -> Group:
    """Special Lorentz group ``SO(1, 3)`` on ``R^4``: ``det g = 1``, time may be reversed.

    ``SO13p()`` plus the discrete generator ``P T = -I``.

    Example:
        >>> SO13().discrete_generators[0]
        array([[-1.,  0.,  0.,  0.],
               [ 0., -1.,  0.,  0.],
               [ 0.,  0., -1.,  0.],
               [ 0.,  0.,  0., -1.]])
    """
    return Opq(1, 3, "special")


def O13() -> Group:
    """Full Lorentz group ``O(1, 3)`` on ``R^4 = (t, x, y, z)``, with parity and time reversal.

    Preserves ``diag(1, -1, -1, -1)``; discrete generators ``T = diag(-1, 1, 1, 1)`` and
    ``P = diag(1, -1, -1, -1)``.

    Example:
        >>> O13().discrete_generators.shape
        (2, 4, 4)
    """
    return Opq(1, 3, "full")


def Lorentz() -> Group:
    """The Lorentz group ``O(1, 3)`` with parity and time reversal; the same as `O13`.

    Example:
        >>> Lorentz() == O13()
        True
    """
    return O13()


def SO11p() -> Group:
    """Identity component ``SO+(1, 1)`` on ``R^2 = (t, x)``: the boosts of 1+1 dimensions.

    Example:
        >>> SO11p().lie_algebra
        array([[[0., 1.],
                [1., 0.]]])
    """
    return Opq(1, 1, "identity")


def O11() -> Group:
    """``O(1, 1)`` on ``R^2 = (t, x)``: boosts, time reversal and parity.

    Preserves ``diag(1, -1)``; discrete generators ``T = diag(-1, 1)``, ``P = diag(1, -1)``.

    Example:
        >>> O11().discrete_generators.shape
        (2, 2, 2)
    """
    return Opq(1, 1, "full")
