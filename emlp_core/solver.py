"""The equivariant basis of a representation, as the nullspace of its constraint operator.

A vector ``v`` of a representation is invariant exactly when ``(rho(h) - I) v = 0`` for
every discrete generator ``h`` and ``drho(A) v = 0`` for every Lie-algebra generator ``A``.
The solver splits the representation into its canonical form (distinct tensor types and
their copies), solves each distinct type once, and places that basis at the positions of
every copy. The invariants of a direct sum are the direct sum of the invariants, so the
result is exact and its columns orthonormal.

Tolerance rule (as in lineax's SVD solver): a singular value ``s`` of the stacked
constraint ``C`` (shape ``(m, n)``) counts as zero when ``s <= rtol * s_max`` with
``rtol = max(m, n) * eps64`` by default; pass ``tol`` to override ``rtol`` (learned
generators are only approximately a Lie algebra). A `RuntimeWarning` is raised when the
rank is ambiguous: the smallest kept singular value lies within a factor 1e4 of the cut-off, or
below ``sqrt(eps) * s_max`` (a symptom of approximate generators).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from emlp_core.canonical import Monomial
from emlp_core.reps import Rep

__all__ = ["equivariant_basis", "equivariant_projector", "monomial_basis", "clear_cache"]

_EPS = np.finfo(np.float64).eps
_CACHE: dict[tuple, np.ndarray] = {}
_DEFAULT_MEMORY_LIMIT_GB = 4.0


def _memory_limit_bytes() -> float:
    value = os.environ.get("EMLP_SOLVER_MEMORY_GB", _DEFAULT_MEMORY_LIMIT_GB)
    try:
        return float(value) * 2**30
    except ValueError as error:
        raise ValueError(
            f"EMLP_SOLVER_MEMORY_GB must be a number of GiB; got {value!r}."
        ) from error


def clear_cache() -> None:
    """Forgets every basis solved in this process."""
    _CACHE.clear()


def _check_tol(tol) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not (0 < tol < 1):
        raise ValueError(f"tol is a relative singular-value cut-off in (0, 1); got {tol!r}.")
    return float(tol)


def _dense_nullspace(blocks: list[np.ndarray], n: int, tol: float | None, label: str) -> np.ndarray:
    """Orthonormal basis ``(n, r)`` of the common nullspace of the stacked ``blocks``."""
    if not blocks:
        return np.eye(n)
    constraint = np.concatenate(blocks, axis=0)
    m = constraint.shape[0]
    rtol = max(m, n) * _EPS if tol is None else tol
    triangular = np.linalg.qr(constraint, mode="r") if m > n else constraint
    _, singular, right = scipy.linalg.svd(triangular, full_matrices=True, check_finite=False)
    s_max = singular[0] if singular.size else 0.0
    if s_max == 0.0:
        return np.eye(n)
    cutoff = rtol * s_max
    rank = int(np.sum(singular > cutoff))
    if 0 < rank and singular[rank - 1] < max(1e4 * cutoff, np.sqrt(_EPS) * s_max):
        warnings.warn(
            f"ambiguous rank for {label}: the smallest kept singular value "
            f"{singular[rank - 1] / s_max:.2e} (relative) is close to the cut-off "
            f"{cutoff / s_max:.2e}; if the generators are approximate, pass tol.",
            RuntimeWarning,
            stacklevel=4,
        )
    basis = np.ascontiguousarray(right[rank:].T)
    residual = np.linalg.norm(constraint @ basis, 2) / s_max if basis.shape[1] else 0.0
    orthonormality = np.abs(basis.T @ basis - np.eye(basis.shape[1])).max(initial=0.0)
    if residual > 10 * rtol + 1e-13 or orthonormality > 1e-10:
        raise RuntimeError(
            f"dense nullspace of {label} failed verification: relative residual {residual:.2e}, "
            f"orthonormality error {orthonormality:.2e}."
        )
    return basis


def monomial_basis(monomial: Monomial, tol: float | None = None) -> np.ndarray:
    """Orthonormal invariant basis ``(monomial.size, r)`` of one tensor type, cached.

    Args:
        monomial: a tensor type from a canonical form (bound to its group).
        tol: relative singular-value cut-off; ``None`` for the default rule.

    Returns:
        float64 ``(monomial.size, r)``, read-only, orthonormal columns.

    Raises:
        ValueError: if the dense solve would exceed the memory limit
            (``EMLP_SOLVER_MEMORY_GB``, default 4).
    """
    tol = _check_tol(tol)
    key = (monomial, tol)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    group = monomial.group
    n = monomial.size
    count = len(group.lie_algebra) + len(group.discrete_generators)
    estimate = 8.0 * n * n * (count + 4)
    if estimate > _memory_limit_bytes():
        raise ValueError(
            f"the dense solve for tensor type {monomial!r} of {group!r} (size {n}, {count} "
            f"generators) needs about {estimate / 2**30:.1f} GiB, above the limit of "
            f"{_memory_limit_bytes() / 2**30:.1f} GiB; use a lower tensor rank or raise "
            "EMLP_SOLVER_MEMORY_GB."
        )
    identity = np.eye(n)
    blocks = [monomial.rho(h) - identity for h in group.discrete_generators]
    blocks += [monomial.drho(A) for A in group.lie_algebra]
    basis = _dense_nullspace(blocks, n, tol, f"{monomial!r} of {group!r}")
    basis.setflags(write=False)
    _CACHE[key] = basis
    return basis


def equivariant_basis(rep: Rep, *, tol: float | None = None) -> np.ndarray:
    """Orthonormal basis of the invariant vectors of a bound representation.

    For ``rep = A >> B`` the columns are the flattened equivariant weight matrices
    ``(B.size(), A.size())``. Each distinct tensor type of the canonical form is solved
    once (dense SVD, tolerance rule in the module docstring) and placed at every copy.

    Args:
        rep: a representation bound to a group.
        tol: relative singular-value cut-off, in (0, 1); ``None`` for the default rule.

    Returns:
        float64 ``(rep.size(), r)`` with orthonormal columns spanning exactly the invariants.

    Raises:
        TypeError: if ``rep`` is not a `Rep`.
        ValueError: if ``rep`` has no group, ``tol`` is out of range, or the result or a
            block solve would exceed the memory limit.

    Example:
        >>> from groups import O
        >>> from emlp_core import V
        >>> basis = equivariant_basis((V >> V)(O(3)))  # multiples of the identity
        >>> basis.shape
        (9, 1)
        >>> bool(np.allclose(basis[:, 0].reshape(3, 3), np.eye(3) / np.sqrt(3)))
        True
    """
    if not isinstance(rep, Rep):
        raise TypeError(f"equivariant_basis takes a Rep; got {type(rep).__name__}.")
    form = rep.canonical_form()
    bases = [monomial_basis(summand.monomial, tol) for summand in form]
    n = rep.size()
    total = sum(
        summand.multiplicity * basis.shape[1] for summand, basis in zip(form, bases, strict=True)
    )
    if 8.0 * n * total > _memory_limit_bytes():
        raise ValueError(
            f"the dense basis of {rep!r} would be ({n}, {total}), about "
            f"{8.0 * n * total / 2**30:.1f} GiB; work with canonical_form() and "
            "monomial_basis() per tensor type instead, or raise EMLP_SOLVER_MEMORY_GB."
        )
    out = np.zeros((n, total))
    column = 0
    for (_, positions), basis in zip(form, bases, strict=True):
        copies, r = positions.shape[0], basis.shape[1]
        columns = column + np.arange(copies * r).reshape(copies, r)
        out[positions[:, :, None], columns[:, None, :]] = basis[None]
        column += copies * r
    return out


def equivariant_projector(
    rep: Rep, *, tol: float | None = None
) -> scipy.sparse.linalg.LinearOperator:
    """Orthogonal projector ``Q Q^T`` onto the invariants, as a lazy operator ``(n, n)``.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> P = equivariant_projector((V**2)(SO(3)))
        >>> x = np.random.default_rng(0).normal(size=9)
        >>> bool(np.allclose(P @ (P @ x), P @ x))
        True
    """
    basis = equivariant_basis(rep, tol=tol)
    n = basis.shape[0]
    return scipy.sparse.linalg.LinearOperator(
        (n, n),
        matvec=lambda v: basis @ (basis.T @ v),
        rmatvec=lambda v: basis @ (basis.T @ v),
        matmat=lambda M: basis @ (basis.T @ M),
        dtype=np.float64,
    )
