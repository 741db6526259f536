"""The equivariant basis of a representation, as the nullspace of its constraint operator.

A vector ``v`` is invariant exactly when ``(rho(h) - I) v = 0`` for every discrete generator
``h`` and ``drho(A) v = 0`` for every Lie-algebra generator ``A``. `equivariant_basis` splits
a representation into its canonical form (distinct tensor types and their copies), solves
each distinct type once and places it at every copy. Per type, ``strategy="auto"`` picks:

* ``"orbits"`` when every discrete generator is a signed permutation: invariants of the
  discrete part are orbit indicators (exact, sparse, linear time); a Lie algebra, if any, is
  then imposed on that (smaller) span. Chosen alone when there is no Lie algebra, and
  before the algebra when there are fewer orbits than zero weights.
* ``"weights"`` for a Lie algebra whose generic element is diagonalisable: only
  zero-weight index tuples can be invariant; the algebra is imposed on their span and the
  discrete generators on the result (see `emlp_core.weights`).
* ``"dense"`` for small types (``size <= 512``): Gram eigendecomposition plus a thin SVD.
* ``"iterative"`` otherwise: matrix-free least-squares projection (`emlp_core.iterative`).

Every result is verified against the lazy constraint (relative residual and orthonormality,
`emlp_core.verify`) before it is returned or cached, and a basis read from disk must also
be complete. Dense results are returned in a canonical form that depends only on their span
(`emlp_core.nullspace.canonical_basis`), so the same request gives the same columns in every
process. The rank rule (a cut-off with a margin on both sides) is in `emlp_core.nullspace`;
``tol`` overrides it. Memory is estimated before any large allocation (limit
``EMLP_SOLVER_MEMORY_GB``, default 4 GiB). The cache is described in `emlp_core.cache`.
A tensor type of atoms of different factors of a direct product (``V(S(4)) * V(SO(3))``)
is solved factor by factor (``"factors"``): each factor's tensor type with its own best
strategy, combined by a Kronecker product (see `_factor_basis`); a forced strategy other
than ``"factors"`` solves the joint constraint instead, which is how the tests compare
the two. A solve of a type with at least `PROGRESS_MIN_SIZE` coordinates that runs longer than
`PROGRESS_DELAY_S` shows a tqdm bar (type, size, elapsed time) on stderr until it ends;
smaller types solve in well under a second and skip the bar's thread altogether.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from tqdm.auto import tqdm

from emlp_core import cache
from emlp_core.canonical import Monomial
from emlp_core.iterative import iterative_nullspace
from emlp_core.memory import check_memory, memory_limit_bytes
from emlp_core.nullspace import canonical_basis, restricted_nullspace
from emlp_core.operators import Stacked
from emlp_core.orbits import orbit_basis, orbit_count
from emlp_core.reps import Rep
from emlp_core.verify import COMPLETENESS_RTOL, missing_invariant, verify_basis
from emlp_core.weights import generic_eigenbasis, weight_space_basis, zero_weight_count
from groups.caching import clear_all

__all__ = [
    "STRATEGIES",
    "SolveReport",
    "solve_reports",
    "equivariant_basis",
    "equivariant_projector",
    "monomial_basis",
    "clear_cache",
]

STRATEGIES = ("auto", "factors", "dense", "orbits", "weights", "iterative")
DENSE_MAX_SIZE = 512
PROGRESS_DELAY_S = 1.0  # a solve running longer than this shows a progress bar
PROGRESS_MIN_SIZE = 4096  # smaller types never take that long (benchmarks/README.md)
_PROGRESS_INTERVAL_S = 0.5


@dataclass(frozen=True)
class SolveReport:
    """How one tensor type's basis was obtained (see `solve_reports`)."""

    monomial: Monomial
    size: int
    dim: int
    strategy: str
    seconds: float
    residual: float
    source: str  # "solved", "disk" or "memory"
    parts: tuple = ()  # for strategy "factors": the report of each factor's tensor type

    def describe(self) -> str:
        """One line: size, dimension, strategy (with the factorisation) and time."""
        how = self.strategy
        if self.parts:
            how = "factors: " + " ⊗ ".join(
                f"{report.monomial!r} [{report.strategy}, dim {report.dim}]"
                for report in self.parts
            )
        return (
            f"{self.monomial!r}: size {self.size}, dim {self.dim}, {how}, "
            f"{self.seconds:.3g} s ({self.source})"
        )


_REPORTS: dict[str, SolveReport] = {}


def solve_reports(
    rep: Rep, *, strategy: str = "auto", tol: float | None = None
) -> list[SolveReport]:
    """One `SolveReport` per distinct tensor type of ``rep`` (solving what is not cached).

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> [(r.size, r.dim, r.strategy) for r in solve_reports((V**8)(SO(3)))]
        [(6561, 91, 'weights')]
    """
    reports = []
    for summand in rep.canonical_form():
        monomial_basis(summand.monomial, tol, strategy)
        reports.append(_REPORTS[_key(summand.monomial, _check_tol(tol), strategy)])
    return reports


def clear_cache() -> None:
    """Forgets everything memoised in this process; the disk cache is left alone.

    The bases, and every cache registered in `groups.caching` (element and character
    tables, subgroup searches, atom images, layer layouts and compiled layer programs).
    """
    cache.clear_memory()
    clear_all()


def _check_tol(tol) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not (0 < tol < 1):
        raise ValueError(f"tol is a relative singular-value cut-off in (0, 1); got {tol!r}.")
    return float(tol)


# ---------------------------------------------------------------------------- strategies
def _impose(basis: np.ndarray, blocks, tol, label: str) -> np.ndarray:
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


def _split_blocks(monomial: Monomial):
    blocks = monomial.constraint_blocks()
    discrete = monomial.group.num_discrete_generators
    return blocks[:discrete], blocks[discrete:]


def _dense_bytes(n: int, blocks: int) -> float:
    """Peak memory of `_dense`: the stacked constraint ``(blocks n, n)`` and ``n x n`` work.

    Measured (tracemalloc) at about ``8 n^2 (blocks + 5)`` bytes (stacked blocks, the
    identity, one block's product, the Gram matrix and the eigensolver's work arrays);
    the estimate keeps a margin of three more ``n x n`` arrays.
    """
    return 8.0 * n * n * (blocks + 8)


def _dense(monomial: Monomial, tol, label):
    n = monomial.size
    blocks = monomial.constraint_blocks()
    check_memory(_dense_bytes(n, len(blocks)), f"the dense solve of {label} (size {n})")
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


def _orbit_bytes(monomial: Monomial, permutations) -> float:
    """Peak memory of the orbit graph (`orbit_basis`, `orbit_count`) on this tensor type.

    Measured (tracemalloc): about ``s * (30 + 64 M)`` bytes per coordinate for ``M``
    generators, with ``s = 2`` when a sign occurs (every tuple is tracked twice) and 1
    otherwise; the estimate ``s * (40 + 64 M)`` keeps a small margin above that.
    """
    signed = 2 if any(np.any(signs < 0) for slots in permutations for _, signs in slots) else 1
    return 8.0 * monomial.size * signed * (5 + 8 * len(permutations))


def _orbits(monomial: Monomial, permutations, tol, label):
    n = monomial.size
    check_memory(_orbit_bytes(monomial, permutations), f"the orbit solve of {label} (size {n})")
    basis = orbit_basis(permutations, monomial.slot_sizes)
    if not monomial.group.lie_dimension:
        return basis
    _, lie_blocks = _split_blocks(monomial)
    check_memory(
        8.0 * n * basis.shape[1] * (len(lie_blocks) + 2), f"imposing the algebra on {label}"
    )
    return _impose(basis.toarray(), lie_blocks, tol, label)


def _weights(monomial: Monomial, eigen, tol, label):
    n = monomial.size
    check_memory(16.0 * n * 3, f"the weight-space solve of {label} (size {n})")
    zero = zero_weight_count(eigen, monomial.duals)
    check_memory(
        16.0 * (3 * zero * zero + 4 * n * min(zero, 64)),
        f"the weight-space solve of {label} (size {n}, {zero} zero weights)",
    )
    basis = weight_space_basis(monomial.group.lie_algebra, eigen, monomial.duals, tol, label)
    discrete_blocks, _ = _split_blocks(monomial)
    return _impose(basis, discrete_blocks, tol, label)


def _iterative(monomial: Monomial, tol, label):
    n = monomial.size
    check_memory(8.0 * n * 256, f"the iterative solve of {label} (size {n})")
    constraint = Stacked([op for op, _ in monomial.constraint_blocks()])
    return iterative_nullspace(constraint, tol, label)


def _choose(monomial: Monomial, permutations, eigen) -> str:
    group = monomial.group
    has_lie = group.lie_dimension > 0
    if permutations is not None and not has_lie:
        return "orbits"
    if monomial.size <= DENSE_MAX_SIZE:
        return "dense"
    if has_lie and eigen is not None:
        if permutations:
            check_memory(
                _orbit_bytes(monomial, permutations),
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
    if _dense_bytes(monomial.size, blocks) <= min(memory_limit_bytes(), 2**30):
        return "dense"
    return "iterative"


def _solve(monomial: Monomial, tol, strategy: str):
    group, n = monomial.group, monomial.size
    label = repr(monomial)
    check_memory(16.0 * n, f"any solve of {label} (size {n})")  # before any O(n) array
    if not group.lie_dimension and not group.num_discrete_generators:
        return scipy.sparse.csc_array(scipy.sparse.eye(n, format="csc")), "orbits"
    permutations = monomial.slot_permutations()
    has_lie = group.lie_dimension > 0
    small = monomial.size <= DENSE_MAX_SIZE and not (permutations is not None and not has_lie)
    eigen = None  # a generic eigenbasis is needed only to weigh or run the weight strategy
    if (
        has_lie
        and monomial.is_vector_power
        and (strategy == "weights" or (strategy == "auto" and not small))
    ):
        eigen = generic_eigenbasis(group.lie_algebra)
    chosen = _choose(monomial, permutations, eigen) if strategy == "auto" else strategy
    if chosen == "orbits":
        if permutations is None:
            raise ValueError(
                "strategy 'orbits' needs signed-permutation discrete generators; "
                f"{label} has others."
            )
        return _orbits(monomial, permutations, tol, label), chosen
    if chosen == "weights":
        if eigen is None:
            raise ValueError(
                "strategy 'weights' needs a tensor type of V and V.T of a group whose Lie "
                f"algebra has a diagonalisable generic element; {label} is not one."
            )
        return _weights(monomial, eigen, tol, label), chosen
    if chosen == "dense":
        return _dense(monomial, tol, label), chosen
    return _iterative(monomial, tol, label), chosen


@contextlib.contextmanager
def _progress(description: str, size: int) -> Iterator[None]:
    """A tqdm bar with the elapsed time, on stderr only once the block has run for a while.

    A background thread refreshes the bar every `_PROGRESS_INTERVAL_S` seconds after
    `PROGRESS_DELAY_S`, so a single long solve (one tensor type, no intermediate steps) is
    visible while it runs; quick solves print nothing. The bar is removed when it ends.
    """
    if size < PROGRESS_MIN_SIZE:  # no thread: a small solve ends before the bar could show
        yield
        return
    bar = tqdm(
        total=1,
        desc=description,
        delay=PROGRESS_DELAY_S,
        leave=False,
        bar_format="{desc}: {elapsed}",
        mininterval=0.0,
    )
    finished = threading.Event()

    def tick() -> None:
        if finished.wait(PROGRESS_DELAY_S):
            return
        while not finished.is_set():
            bar.update(0)  # displays (the delay has passed) and records the print time
            finished.wait(_PROGRESS_INTERVAL_S)

    ticker = threading.Thread(target=tick, name="emlp-solve-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        finished.set()
        ticker.join()
        bar.close()


def _load_verified(monomial: Monomial, key: str, tol, label: str):
    """``(basis, strategy, residual)`` from the disk cache, or Nones unless it passes every check.

    A cached basis is used only when it is sound, orthonormal and complete (`emlp_core.verify`):
    a file holding a subset of the columns, or none, is rebuilt, whatever wrote it.
    """
    loaded = cache.load(key)
    if loaded is None or loaded[0].shape[0] != monomial.size:
        return None, None, None
    basis, used = loaded
    try:
        residual = verify_basis(monomial, basis, tol, label)
    except RuntimeError:
        return None, None, None
    if scipy.sparse.issparse(basis) and not monomial.group.lie_dimension:
        # orbit indicators: exact, so the count of consistent orbits is the dimension
        permutations = monomial.slot_permutations()
        if permutations is None:
            return None, None, None
        complete = basis.shape[1] == orbit_count(permutations, monomial.slot_sizes)
    else:
        complete = missing_invariant(monomial, basis) <= COMPLETENESS_RTOL
    return (basis, used, residual) if complete else (None, None, None)


def _factor_basis(monomial: Monomial, parts, tol, key: str):
    """Kronecker product of the factors' bases (each solved once, with its own strategy).

    For atoms of different factors of a direct product the invariants of the tensor
    product are the tensor product of each factor's invariants; the atoms are sorted by
    factor, so in the row-major layout the basis is ``kron(B_1, ..., B_k)``: orthonormal,
    canonical when the factors' bases are, and sparse when some factor is (orbit
    indicators) and the product has at most a quarter of its entries non-zero. The joint
    constraint is never built.
    """
    start = time.perf_counter()
    bases = [monomial_basis(part, tol, "auto") for _, part in parts]
    reports = tuple(_REPORTS[_key(part, tol, "auto")] for _, part in parts)
    total = int(np.prod([b.shape[1] for b in bases]))
    nnz = int(np.prod([b.nnz if scipy.sparse.issparse(b) else b.size for b in bases]))
    sparse = any(scipy.sparse.issparse(b) for b in bases) and nnz <= 0.25 * monomial.size * total
    if sparse:  # orbit factors keep the product sparse (a dense factor is stored densely)
        check_memory(20.0 * nnz, f"the factor-wise basis of {monomial!r}")
        basis = scipy.sparse.csc_array(bases[0])
        for factor in bases[1:]:
            basis = scipy.sparse.kron(basis, scipy.sparse.csc_array(factor), format="csc")
        basis = scipy.sparse.csc_array(basis)
    else:
        check_memory(8.0 * monomial.size * total, f"the factor-wise basis of {monomial!r}")
        basis = bases[0].toarray() if scipy.sparse.issparse(bases[0]) else bases[0]
        for factor in bases[1:]:
            factor = factor.toarray() if scipy.sparse.issparse(factor) else factor
            basis = np.kron(basis, factor)
        basis.setflags(write=False)
    cache.memory[key] = basis
    residual = max((report.residual for report in reports), default=0.0)
    _REPORTS[key] = SolveReport(
        monomial,
        monomial.size,
        basis.shape[1],
        "factors",
        time.perf_counter() - start,
        residual,
        "solved",
        tuple(reports),
    )
    return basis


def _key(monomial: Monomial, tol, strategy: str) -> str:
    return cache.cache_key(monomial.group.key, monomial.key, tol, strategy)


# ---------------------------------------------------------------------------- public API
def monomial_basis(monomial: Monomial, tol: float | None = None, strategy: str = "auto"):
    """Orthonormal invariant basis ``(monomial.size, r)`` of one tensor type, cached.

    Args:
        monomial: a tensor type from a canonical form (bound to its group).
        tol: relative singular-value cut-off; ``None`` for the default rule.
        strategy: one of `STRATEGIES`.

    Returns:
        float64 ``(monomial.size, r)`` with orthonormal columns: a read-only numpy array in
        the canonical form of `emlp_core.nullspace.canonical_basis` (the same columns
        whatever the strategy, machine or thread count), or a ``scipy.sparse.csc_array`` of
        normalised orbit indicators for the pure orbit strategy.

    Raises:
        ValueError: for a bad ``tol`` or ``strategy``, a strategy that does not apply, or a
            solve whose memory estimate exceeds ``EMLP_SOLVER_MEMORY_GB`` (default 4).
    """
    tol = _check_tol(tol)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}; got {strategy!r}.")
    key = _key(monomial, tol, strategy)
    basis = cache.memory.get(key)
    if basis is not None:
        return basis
    parts = monomial.factor_parts()
    if strategy == "factors" and parts is None and monomial.degree == 0:
        basis = monomial_basis(monomial, tol, "auto")  # a scalar type: nothing to factor
        cache.memory[key] = basis
        _REPORTS[key] = _REPORTS[_key(monomial, tol, "auto")]
        return basis
    if strategy == "factors" and parts is None:
        raise ValueError(
            "strategy 'factors' needs a tensor type of factor atoms of a direct product "
            f"(such as V(S(4)) * V(SO(3))); {monomial!r} is not one."
        )
    if strategy in ("auto", "factors") and parts is not None:
        return _factor_basis(monomial, parts, tol, key)
    label = repr(monomial)
    start = time.perf_counter()
    basis, used, residual = _load_verified(monomial, key, tol, label)
    source = "disk"
    if basis is None:
        with _progress(f"solving {label} (size {monomial.size})", monomial.size):
            basis, used = _solve(monomial, tol, strategy)
        source = "solved"
        if not scipy.sparse.issparse(basis):
            basis = canonical_basis(np.ascontiguousarray(basis, dtype=np.float64))
        residual = verify_basis(monomial, basis, tol, label)
        if time.perf_counter() - start >= cache.STORE_MIN_SECONDS:
            cache.store(key, basis, used)
    if not scipy.sparse.issparse(basis):
        basis.setflags(write=False)
    cache.memory[key] = basis
    seconds = time.perf_counter() - start
    _REPORTS[key] = SolveReport(
        monomial, monomial.size, basis.shape[1], used, seconds, residual, source
    )
    return basis


def equivariant_basis(
    rep: Rep, *, strategy: str = "auto", tol: float | None = None, sparse: bool | None = None
):
    """Orthonormal basis of the invariant vectors of a bound representation.

    For ``rep = A >> B`` the columns are the flattened equivariant weight matrices
    ``(B.size(), A.size())``. Each distinct tensor type of the canonical form is solved once
    (strategies in the module docstring) and placed at every copy.

    Args:
        rep: a representation bound to a group.
        strategy: ``"auto"`` or a strategy to force for every type (see `STRATEGIES`).
        tol: relative singular-value cut-off in (0, 1); ``None`` for the default rule.
        sparse: return a ``scipy.sparse.csc_array`` (True), a numpy array (False), or
            sparse exactly when every type was solved by orbits (None).

    Returns:
        float64 ``(rep.size(), r)`` with orthonormal columns spanning exactly the invariants,
        each type's block canonical (see `monomial_basis`).

    Raises:
        TypeError: if ``rep`` is not a `Rep` or ``sparse`` is not a bool or None.
        ValueError: if ``rep`` has no group, ``tol`` or ``strategy`` is invalid, or a solve or
            the result would exceed the memory limit.

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
    if sparse is not None and not isinstance(sparse, (bool, np.bool_)):
        raise TypeError(f"sparse must be True, False or None; got {sparse!r}.")
    form = rep.canonical_form()
    types = form
    if len(form) > 1 and rep.size() >= PROGRESS_MIN_SIZE:  # small requests: a bar costs ms
        types = tqdm(form, desc="solving bases", delay=PROGRESS_DELAY_S, leave=False)
    bases = [monomial_basis(summand.monomial, tol, strategy) for summand in types]
    all_sparse = all(scipy.sparse.issparse(b) for b in bases)
    as_sparse = all_sparse if sparse is None else bool(sparse)
    n = rep.size()
    total = sum(s.multiplicity * b.shape[1] for s, b in zip(form, bases, strict=True))
    rows, cols, vals = [], [], []
    column = 0
    for (_, positions), basis in zip(form, bases, strict=True):
        local = scipy.sparse.coo_array(basis)
        copies, r = positions.shape[0], basis.shape[1]
        offsets = column + r * np.arange(copies)
        rows.append(positions[:, local.row].ravel())
        cols.append((offsets[:, None] + local.col[None, :]).ravel())
        vals.append(np.tile(local.data, copies))
        column += copies * r
    nnz = sum(v.size for v in vals)
    if as_sparse:
        check_memory(20.0 * nnz, f"the sparse basis of {rep!r}")
    else:
        check_memory(8.0 * n * total, f"the dense basis of {rep!r} ({n} x {total})")
    empty = np.zeros(0, np.int64)
    result = scipy.sparse.csc_array(
        (
            np.concatenate(vals) if vals else np.zeros(0),
            (np.concatenate(rows) if rows else empty, np.concatenate(cols) if cols else empty),
        ),
        shape=(n, total),
    )
    return result if as_sparse else result.toarray()


def equivariant_projector(rep: Rep, **kwargs) -> scipy.sparse.linalg.LinearOperator:
    """Orthogonal projector ``Q Q^T`` onto the invariants, as a lazy operator ``(n, n)``.

    Keyword arguments go to `equivariant_basis`.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> P = equivariant_projector((V**2)(SO(3)))
        >>> x = np.random.default_rng(0).normal(size=9)
        >>> bool(np.allclose(P @ (P @ x), P @ x))
        True
    """
    basis = equivariant_basis(rep, **kwargs)
    n = basis.shape[0]
    return scipy.sparse.linalg.LinearOperator(
        (n, n),
        matvec=lambda v: basis @ (basis.T @ v),
        rmatvec=lambda v: basis @ (basis.T @ v),
        matmat=lambda M: basis @ (basis.T @ M),
        dtype=np.float64,
    )
