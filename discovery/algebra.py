"""Shared handling of algebra bases, and the hand-off to `groups.Group`.

Every public function of `discovery` that takes an algebra accepts

* an array-like ``(k, d, d)`` of real matrices (a basis of the algebra),
* a `groups.Group` (its ``lie_algebra`` is used), or
* a `discovery.DiscoveryResult` (its ``algebra`` is used),

and turns it into a float64 array with `as_algebra`. Bases are compared and
orthonormalised in the Frobenius inner product ``<A, B> = tr(A^T B)``.
"""

from __future__ import annotations

import numpy as np

from groups import Group, closure_residual
from groups._arrays import real_float64
from groups.checks import check_bool, check_real
from groups.group import DEFAULT_CLOSURE_TOL

__all__ = ["as_algebra", "frobenius_orthonormal", "to_group", "MAX_AUTOMATIC_CLOSURE_TOL"]

EPS = float(np.finfo(np.float64).eps)
MAX_AUTOMATIC_CLOSURE_TOL = 0.1
"""Largest closure tolerance `to_group` picks by itself (the loosest closure error that
`discovery.discover_lie_algebra` accepts by default, for a regressor learned from data)."""


def as_algebra(value, argument: str = "algebra") -> np.ndarray:
    """The basis as a float64 array ``(k, d, d)``, from an array, a Group or a result.

    Args:
        value: array-like ``(k, d, d)``, a `groups.Group`, or anything with an
            ``algebra`` attribute (a `discovery.DiscoveryResult`).
        argument: the argument name used in error messages.

    Returns:
        float64 ``(k, d, d)`` (a copy; ``k`` may be 0).

    Raises:
        TypeError: if the value is callable, cannot be converted to float64, holds
            strings, or is complex with a non-zero imaginary part (realify complex
            matrices first, as `groups.U` does).
        ValueError: if it is not a stack of square matrices, has ``d < 1``, or holds
            non-finite values.

    Example:
        >>> from groups import SO
        >>> as_algebra(SO(3)).shape
        (3, 3, 3)
    """
    if isinstance(value, Group):
        value = value.lie_algebra
    elif hasattr(value, "algebra") and not isinstance(value, np.ndarray):
        value = value.algebra
    if callable(value) and not isinstance(value, np.ndarray):
        raise TypeError(
            f"{argument} must be an array (k, d, d), a Group or a DiscoveryResult; got the "
            f"callable {value!r}."
        )
    expected = "an array (k, d, d) of real matrices, a Group or a DiscoveryResult"
    array = np.array(real_float64(value, argument, expected), copy=True)
    if array.ndim != 3 or array.shape[1] != array.shape[2]:
        hint = " (wrap a single matrix A as [A])" if array.ndim == 2 else ""
        raise ValueError(
            f"{argument} must have shape (k, d, d), a stack of square matrices; got shape "
            f"{array.shape}{hint}."
        )
    if array.shape[1] < 1:
        raise ValueError(f"{argument} must act on R^d with d >= 1; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} contains non-finite values (nan or inf).")
    return array


def frobenius_orthonormal(algebra, rtol: float | None = None) -> np.ndarray:
    """An orthonormal basis (Frobenius inner product) of the span of the matrices.

    Rank rule: a singular value ``s`` of the flattened stack ``(k, d*d)`` counts as zero
    when ``s <= rtol * s_max``, with ``rtol = max(k, d*d) * eps`` by default (the
    toolkit's rule, see `emlp_core.nullspace`).

    Args:
        algebra: array-like ``(k, d, d)``, a Group or a DiscoveryResult.
        rtol: relative singular-value cut-off; None for the default rule.

    Returns:
        float64 ``(r, d, d)`` with ``r`` the numerical rank; orthonormal.

    Example:
        >>> import numpy as np
        >>> twice = np.array([[[0.0, -2.0], [2.0, 0.0]], [[0.0, -1.0], [1.0, 0.0]]])
        >>> basis = frobenius_orthonormal(twice)
        >>> basis.shape, round(float(np.sum(basis[0] ** 2)), 12)
        ((1, 2, 2), 1.0)
    """
    array = as_algebra(algebra)
    count, d = array.shape[0], array.shape[1]
    if count == 0:
        return array
    flat = array.reshape(count, d * d)
    _, singular, right = np.linalg.svd(flat, full_matrices=False)
    if singular[0] == 0.0:
        return np.zeros((0, d, d))
    cutoff = (max(flat.shape) * EPS if rtol is None else rtol) * singular[0]
    rank = int(np.sum(singular > cutoff))
    return np.ascontiguousarray(right[:rank].reshape(rank, d, d))


def to_group(
    algebra,
    discrete_generators=None,
    name: str | None = None,
    *,
    closure_tol: float | None = None,
    allow_failed: bool = False,
    zero_tol: float = 1e-12,
) -> Group:
    """A `groups.Group` whose Lie algebra is the given (e.g. discovered) algebra.

    The basis is passed on as it is (a discovered basis is already orthonormal), so an
    `layers.EMLP` can be built on the result directly, except that entries at most
    ``zero_tol`` times the largest magnitude are set to exactly zero. A discovered basis is
    exact only to rounding (about ``1e-15``), and such residue where the true algebra has
    a zero (e.g. ``A[2, 2]`` of a rotation about the third axis) would otherwise break
    invariants that the equivariant-basis solver decides at ``max(m, n) * eps``.

    Args:
        algebra: array-like ``(k, d, d)``, a Group or a `discovery.DiscoveryResult`.
        discrete_generators: optional array-like ``(M, d, d)`` of invertible matrices
            (e.g. a reflection, to reach other components).
        name: readable name; default ``"Discovered(k, d)"``.
        closure_tol: largest accepted relative closure residual
            (`groups.closure_residual`), a positive number. None uses
            ``min(max(1e-6, 10 * closure_error), MAX_AUTOMATIC_CLOSURE_TOL = 0.1)`` for a
            DiscoveryResult (its measured closure error; learned algebras close only
            approximately) and the Group default 1e-6 otherwise.
        allow_failed: a DiscoveryResult whose ``success`` is False is refused unless this
            is True.
        zero_tol: relative size below which entries are set to zero (0 keeps them all).

    Returns:
        A `groups.Group` on ``R^d``.

    Raises:
        ValueError: for a failed DiscoveryResult (unless ``allow_failed``), an algebra
            that does not close within ``closure_tol`` (its span is not closed under the
            commutator: close it first, or pass a larger ``closure_tol``), a
            ``closure_tol`` or ``zero_tol`` out of range, mismatched shapes, or what
            `groups.Group` rejects.
        TypeError: if an argument cannot be converted to real arrays (complex values and
            strings included), ``allow_failed`` is not a bool, or ``closure_tol`` or
            ``zero_tol`` is not a real number.

    Example:
        >>> from groups import SO
        >>> G = to_group(SO(3).lie_algebra, name="rotations")
        >>> G, G.d, G.lie_algebra.shape
        (rotations, 3, (3, 3, 3))
    """
    allow_failed = check_bool(allow_failed, "allow_failed")
    success = getattr(algebra, "success", True)
    if not success and not allow_failed:
        raise ValueError(
            "to_group was given a DiscoveryResult with success=False "
            f"({getattr(algebra, 'message', '')}); pass allow_failed=True to use it anyway."
        )
    if closure_tol is None:
        measured = getattr(algebra, "closure_error", None)
        if measured is None:
            closure_tol, chosen = DEFAULT_CLOSURE_TOL, "the Group default"
        else:
            closure_tol = min(max(1e-6, 10.0 * float(measured)), MAX_AUTOMATIC_CLOSURE_TOL)
            chosen = (
                f"chosen as min(max(1e-6, 10 * closure_error), {MAX_AUTOMATIC_CLOSURE_TOL}) "
                "from the DiscoveryResult"
            )
    else:
        closure_tol, chosen = check_real(closure_tol, "closure_tol", above=0), "given"
    zero_tol = check_real(zero_tol, "zero_tol", minimum=0, below=1)
    basis = as_algebra(algebra)
    basis[np.abs(basis) <= zero_tol * np.abs(basis).max(initial=0.0)] = 0.0
    basis += 0.0  # no negative zeros: equal algebras give equal Group keys
    residual = closure_residual(basis)
    if residual > closure_tol:
        raise ValueError(
            f"to_group: algebra ({basis.shape[0]} matrices of shape {basis.shape[1:]}) does "
            f"not close under the commutator: relative closure residual {residual:.2e} > "
            f"closure_tol = {closure_tol:.1e} ({chosen}); expected every [A_i, A_j] to lie "
            "in the span of the A_i. Close the algebra first (add the missing commutators "
            "to the basis, or rerun the discovery with more samples), or pass a larger "
            "closure_tol= for a learned, approximately closed algebra."
        )
    if name is None:
        name = f"Discovered({basis.shape[0]}, {basis.shape[1]})"
    return Group(
        lie_algebra=basis,
        discrete_generators=discrete_generators,
        name=name,
        closure_tol=closure_tol,
        check_closure=False,  # checked above, with a message that says how to fix it
    )
