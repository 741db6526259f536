"""Checks every basis must pass before it is used or cached: sound, orthonormal, complete.

* **Sound**: each constraint block maps the basis to (nearly) zero, relative to the
  block's norm bound (`constraint_residual`); an orbit-form basis is checked exactly
  against each signed permutation.
* **Orthonormal**: ``Q^T Q = I`` to ``1e-9``.
* **Complete** (`missing_invariant`): no invariant is left out. The invariant part of a
  seeded random vector ``x`` is computed independently of any strategy, as
  ``x - C^+ C x`` with LSMR on the lazy constraint ``C`` (each block scaled by its bound);
  a basis missing an invariant direction ``u`` leaves ``|u^T x|`` of it outside its span,
  which for a Gaussian ``x`` is below `COMPLETENESS_RTOL` (``1e-6``) with probability
  under ``1e-6``. This catches a cached file that holds a subset of the columns or none,
  whatever wrote it. Its cost is a few hundred products with the lazy constraint, which
  is why the cache stores only solves that took longer (`emlp_core.cache`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg

from emlp_core.basis import Basis
from emlp_core.canonical import Monomial
from emlp_core.operators import Stacked
from emlp_core.orbits import tuple_images

__all__ = ["VERIFY_RTOL", "constraint_residual", "missing_invariant", "verify_basis"]

VERIFY_RTOL = 1e-8  # largest relative constraint residual of an accepted basis (default rule)
COMPLETENESS_RTOL = 1e-6  # largest relative invariant part left outside an accepted basis
_LSMR_TOL = 1e-12  # the invariant part is then accurate far below COMPLETENESS_RTOL


def _orbit_residual(monomial: Monomial, basis: Basis) -> float:
    """Exact check of an orbit-form basis: each signed permutation must map it to itself.

    ``rho(g) e_i = s_i e_{p(i)}`` maps coordinate ``i``'s entry ``v_i`` of column ``c_i`` to
    coordinate ``p(i)``, where the basis must hold ``s_i v_i`` in the same column.
    """
    residual = 0.0
    column, value = basis.column, basis.value
    for slots in monomial.slot_permutations():
        image, sign = tuple_images(slots, monomial.slot_sizes)
        moved = sign * value
        same = column[image] == column
        difference = np.where(
            same, np.abs(value[image] - moved), np.maximum(np.abs(value[image]), np.abs(moved))
        )
        residual = max(residual, float(difference.max(initial=0.0)))
    return residual


def constraint_residual(monomial: Monomial, basis: Basis) -> float:
    """Largest relative residual ``||C_i Q||_F / (bound_i sqrt(r))`` over the blocks."""
    if basis.rank == 0:
        return 0.0
    if basis.kind == "orbit" and monomial.slot_permutations() is not None:
        # exact check of the discrete part; a Lie algebra is checked on the dense form
        residual = _orbit_residual(monomial, basis)
        discrete = monomial.group.num_discrete_generators
        blocks = monomial.constraint_blocks()[discrete:]
    else:
        residual, blocks = 0.0, monomial.constraint_blocks()
    dense = basis.toarray() if blocks else None
    for op, bound in blocks:
        if bound > 0:
            norm = float(np.linalg.norm(op @ dense))
            residual = max(residual, norm / (bound * np.sqrt(basis.rank)))
    return residual


def missing_invariant(monomial: Monomial, basis: Basis, seed: int = 0) -> float:
    """Relative size of the invariant part of a seeded random vector outside ``span(basis)``.

    Near zero (LSMR accuracy) for a complete basis; of order one when an invariant is
    missing. Independent of the strategy that produced ``basis``.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> monomial = (V**2)(SO(3)).canonical_form()[0].monomial
        >>> identity = Basis.from_dense(np.eye(3).reshape(9, 1) / np.sqrt(3))
        >>> bool(missing_invariant(monomial, identity) < 1e-8)
        True
        >>> bool(missing_invariant(monomial, Basis.from_dense(np.zeros((9, 0)))) > 0.1)
        True
    """
    n = monomial.size
    blocks = [op * (1.0 / bound) for op, bound in monomial.constraint_blocks() if bound > 0]
    trial = np.random.default_rng(seed).standard_normal(n)
    invariant = trial
    if blocks:
        constraint = Stacked(blocks)
        row_part = scipy.sparse.linalg.lsmr(
            constraint, constraint @ trial, atol=_LSMR_TOL, btol=_LSMR_TOL, maxiter=20 * n + 100
        )[0]
        invariant = trial - row_part
    outside = invariant - basis.project(invariant)
    return float(np.linalg.norm(outside) / np.linalg.norm(trial) * np.sqrt(n))


def verify_basis(monomial: Monomial, basis: Basis, tol: float | None, label: str) -> float:
    """Checks soundness and orthonormality; returns the relative residual.

    Raises:
        RuntimeError: when the residual exceeds ``max(VERIFY_RTOL, 10 tol)`` or the columns
            are not orthonormal.
    """
    orthonormality = basis.gram_error()
    residual = constraint_residual(monomial, basis)
    limit = max(VERIFY_RTOL, 10.0 * (tol or 0.0))
    if not residual <= limit or not orthonormality <= 1e-9:
        raise RuntimeError(
            f"the basis of {label} failed verification: relative residual {residual:.2e}, "
            f"orthonormality error {orthonormality:.2e}."
        )
    return residual
