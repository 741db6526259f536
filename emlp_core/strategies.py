"""The solve strategies of one tensor type: orbits, weights, dense and iterative.

`solve` runs the strategy asked for, or for ``"auto"`` the one `choose` picks (the rules
are in `emlp_core.solver`); each checks its memory estimate (`emlp_core.memory`) before
allocating. It returns an orbit-form `emlp_core.basis.Basis` (orbits of a group without
a Lie algebra, or the trivial group) or an orthonormal float64 array, which the solver
puts in canonical form and verifies.
"""

from __future__ import annotations

import numpy as np

from emlp_core.basis import Basis
from emlp_core.canonical import Monomial
from emlp_core.iterative import iterative_nullspace
from emlp_core.memory import check_memory, memory_limit_bytes
from emlp_core.nullspace import restricted_nullspace
from emlp_core.operators import Stacked
from emlp_core.orbits import orbit_basis, orbit_count
from emlp_core.weights import generic_eigenbasis, weight_space_basis, zero_weight_count

__all__ = [
    "DENSE_MAX_SIZE",
    "WEIGHTS_MIN_SIZE",
    "choose",
    "dense_bytes",
    "orbit_bytes",
    "solve",
]

DENSE_MAX_SIZE = 512
"""Largest tensor type solved densely when no structured strategy applies."""
WEIGHTS_MIN_SIZE = 100
"""Smallest tensor type that ``"auto"`` gives the weight strategy when it applies.

The weight strategy has a fixed cost (a generic element's eigenbasis; about 1-5 ms, more
on its first call in a process) and then grows with the zero-weight count; the dense
solve grows as ``n^3``. Medians in one process (ms, dense / weights, 2-core CPU): SO(5)
``V**2`` (n = 25) 1.5 / 3.6, SO(7) ``V**2`` (49) 3.4 / 5.9, Sp(4) ``V**2`` (64) 5.6 / 8.7,
SO(3) ``V**4`` (81) 5.4 / 2.6, SO(10) ``V**2`` (100) 24 / 12, O(5) ``V**3`` (125)
12 / 5.3, O(1,3) ``V**2 * V.T**2`` (256) 17 / 7.5, SO(16) ``V**2`` (256) 199 / 40, Sp(4)
``V**3`` (512) 694 / 1.4. In a fresh process SO(3) ``V**4`` is quicker dense (6.2 against
8.0 ms, first calls included), hence the bound of 100.
"""


def impose(basis: np.ndarray, blocks, tol, label: str) -> np.ndarray:
    """Restricts an orthonormal ``basis (n, r0)`` to the nullspace of further constraint blocks."""
    if basis.shape[1] == 0 or not blocks:
        return basis
    applied = [op @ basis for op, _ in blocks]
    gram = sum(np.real(M.conj().T @ M) for M in applied)
    scale = float(np.sqrt(sum(bound**2 for _, bound in blocks)))
    n = basis.shape[0]
    coefficients, _ = restricted_nullspace(
        0.5 * (gram + gram.T),
        lambda X: [M @ X for M in applied],
        (n * len(blocks), n),
        tol,
        label,
        scale,
    )
    return basis @ coefficients


def split_blocks(monomial: Monomial):
    blocks = monomial.constraint_blocks()
    discrete = monomial.group.num_discrete_generators
    return blocks[:discrete], blocks[discrete:]


def dense_bytes(n: int, blocks: int) -> float:
    """Peak memory of `_dense`: the stacked constraint ``(blocks n, n)`` and ``n x n`` work.

    Measured (tracemalloc) at about ``8 n^2 (blocks + 5)`` bytes (stacked blocks, the
    identity, one block's product, the Gram matrix and the eigensolver's work arrays);
    the estimate keeps a margin of three more ``n x n`` arrays.
    """
    return 8.0 * n * n * (blocks + 8)


def solve_dense(monomial: Monomial, tol, label):
    n = monomial.size
    blocks = monomial.constraint_blocks()
    check_memory(dense_bytes(n, len(blocks)), f"the dense solve of {label} (size {n})")
    stacked = np.empty((len(blocks) * n, n))
    identity = np.eye(n)
    for k, (op, _) in enumerate(blocks):
        stacked[k * n : (k + 1) * n] = op @ identity
    del identity
    gram = stacked.T @ stacked
    coefficients, _ = restricted_nullspace(
        0.5 * (gram + gram.T), lambda X: [stacked @ X], stacked.shape, tol, label
    )
    return coefficients


def orbit_bytes(monomial: Monomial, permutations) -> float:
    """Peak memory of the orbit graph (`orbit_basis`, `orbit_count`) on this tensor type.

    Measured (tracemalloc): about ``s * (30 + 64 M)`` bytes per coordinate for ``M``
    generators, with ``s = 2`` when a sign occurs (every tuple is tracked twice) and 1
    otherwise; the estimate ``s * (40 + 64 M)`` keeps a small margin above that.
    """
    signed = 2 if any(np.any(signs < 0) for slots in permutations for _, signs in slots) else 1
    return 8.0 * monomial.size * signed * (5 + 8 * len(permutations))


def solve_orbits(monomial: Monomial, permutations, tol, label):
    n = monomial.size
    check_memory(orbit_bytes(monomial, permutations), f"the orbit solve of {label} (size {n})")
    basis = orbit_basis(permutations, monomial.slot_sizes)
    if not monomial.group.lie_dimension:
        return basis
    _, lie_blocks = split_blocks(monomial)
    check_memory(8.0 * n * basis.rank * (len(lie_blocks) + 2), f"imposing the algebra on {label}")
    return impose(basis.toarray(), lie_blocks, tol, label)


def solve_weights(monomial: Monomial, eigen, tol, label):
    n = monomial.size
    check_memory(16.0 * n * 3, f"the weight-space solve of {label} (size {n})")
    zero = zero_weight_count(eigen, monomial.duals)
    check_memory(
        16.0 * (3 * zero * zero + 4 * n * min(zero, 64)),
        f"the weight-space solve of {label} (size {n}, {zero} zero weights)",
    )
    basis = weight_space_basis(monomial.group.lie_algebra, eigen, monomial.duals, tol, label)
    discrete_blocks, _ = split_blocks(monomial)
    return impose(basis, discrete_blocks, tol, label)


def solve_iterative(monomial: Monomial, tol, label):
    n = monomial.size
    check_memory(8.0 * n * 256, f"the iterative solve of {label} (size {n})")
    constraint = Stacked([op for op, _ in monomial.constraint_blocks()])
    return iterative_nullspace(constraint, tol, label)


def choose(monomial: Monomial, permutations, eigen) -> str:
    group = monomial.group
    has_lie = group.lie_dimension > 0
    if permutations is not None and not has_lie:
        return "orbits"
    if monomial.size < WEIGHTS_MIN_SIZE or (monomial.size <= DENSE_MAX_SIZE and eigen is None):
        return "dense"
    if has_lie and eigen is not None:
        if permutations:
            check_memory(
                orbit_bytes(monomial, permutations),
                f"counting the orbits of {monomial!r} (size {monomial.size})",
            )
        if permutations and orbit_count(permutations, monomial.slot_sizes) < zero_weight_count(
            eigen, monomial.duals
        ):
            return "orbits"
        return "weights"
    if permutations:  # non-empty: orbits first, then the algebra on their span
        return "orbits"
    blocks = group.lie_dimension + group.num_discrete_generators
    if dense_bytes(monomial.size, blocks) <= min(memory_limit_bytes(), 2**30):
        return "dense"
    return "iterative"


def solve(monomial: Monomial, tol, strategy: str):
    group, n = monomial.group, monomial.size
    label = repr(monomial)
    check_memory(16.0 * n, f"any solve of {label} (size {n})")  # before any O(n) array
    if not group.lie_dimension and not group.num_discrete_generators:
        return Basis.from_orbits(np.arange(n), np.ones(n), n), "orbits"
    permutations = monomial.slot_permutations()
    has_lie = group.lie_dimension > 0
    small = monomial.size < WEIGHTS_MIN_SIZE
    eigen = None  # a generic eigenbasis is needed only to weigh or run the weight strategy
    if (
        has_lie
        and monomial.is_vector_power
        and (strategy == "weights" or (strategy == "auto" and not small))
    ):
        eigen = generic_eigenbasis(group.lie_algebra)
    chosen = choose(monomial, permutations, eigen) if strategy == "auto" else strategy
    if chosen == "orbits":
        if permutations is None:
            raise ValueError(
                "strategy 'orbits' needs signed-permutation discrete generators; "
                f"{label} has others."
            )
        return solve_orbits(monomial, permutations, tol, label), chosen
    if chosen == "weights":
        if eigen is None:
            raise ValueError(
                "strategy 'weights' needs a tensor type of V and V.T of a group whose Lie "
                f"algebra has a diagonalisable generic element; {label} is not one."
            )
        return solve_weights(monomial, eigen, tol, label), chosen
    if chosen == "dense":
        return solve_dense(monomial, tol, label), chosen
    return solve_iterative(monomial, tol, label), chosen
