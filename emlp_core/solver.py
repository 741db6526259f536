"""The equivariant basis of a representation, as the nullspace of its constraint operator.

A vector ``v`` is invariant exactly when ``(rho(h) - I) v = 0`` for every discrete generator
``h`` and ``drho(A) v = 0`` for every Lie-algebra generator ``A``. `equivariant_basis` splits
a representation into its canonical form (distinct tensor types and their copies), solves
each distinct type once and places it at every copy. Per type, ``strategy="auto"`` picks:

* ``"orbits"`` when every discrete generator is a signed permutation: invariants of the
  discrete part are orbit indicators (exact, sparse, linear time); a Lie algebra, if any, is
  then imposed on that (smaller) span. Chosen alone when there is no Lie algebra, and
  before the algebra when there are fewer orbits than zero weights.
* ``"weights"`` for a Lie algebra whose generic element is diagonalisable, from
  ``size >= 100`` (`emlp_core.strategies.WEIGHTS_MIN_SIZE`, below which a dense solve is
  quicker): only zero-weight index tuples can be invariant; the algebra is imposed on
  their span and the discrete generators on the result (see `emlp_core.weights`).
* ``"dense"`` for small types (``size < 100``, or ``size <= 512`` when neither orbits nor
  weights apply): Gram eigendecomposition plus a thin SVD.
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
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from tqdm.auto import tqdm

from emlp_core import cache
from emlp_core.basis import Basis
from emlp_core.canonical import Monomial
from emlp_core.memory import check_memory
from emlp_core.nullspace import canonical_basis
from emlp_core.orbits import orbit_count
from emlp_core.strategies import solve as _solve
from emlp_core.verify import COMPLETENESS_RTOL, missing_invariant, verify_basis
from groups.caching import clear_all
from groups.checks import check_bool, check_real

if TYPE_CHECKING:  # the solver reads only a rep's canonical form; reps build on the solver
    from emlp_core.rep_base import Rep

__all__ = [
    "STRATEGIES",
    "SolveReport",
    "solve_reports",
    "equivariant_basis",
    "equivariant_projector",
    "monomial_basis",
    "clear_cache",
    "Basis",
]

STRATEGIES = ("auto", "factors", "dense", "orbits", "weights", "iterative")
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
    """A relative singular-value cut-off in (0, 1), or None for the default rule."""
    return check_real(tol, "tol", above=0, below=1, optional=True)


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
    if basis.kind == "orbit" and not monomial.group.lie_dimension:
        # orbit indicators: exact, so the count of consistent orbits is the dimension
        permutations = monomial.slot_permutations()
        if permutations is None:
            return None, None, None
        complete = basis.rank == orbit_count(permutations, monomial.slot_sizes)
    else:
        complete = missing_invariant(monomial, basis) <= COMPLETENESS_RTOL
    return (basis, used, residual) if complete else (None, None, None)


def _factor_basis(monomial: Monomial, parts, tol, key: str) -> Basis:
    """Kronecker product of the factors' bases (each solved once, with its own strategy).

    For atoms of different factors of a direct product the invariants of the tensor
    product are the tensor product of each factor's invariants; the atoms are sorted by
    factor, so in the row-major layout the basis is ``kron(B_1, ..., B_k)``: orthonormal,
    canonical when the factors' bases are, in orbit form when every factor is and a lazy
    Kronecker form otherwise. The joint constraint is never built.
    """
    start = time.perf_counter()
    bases = [monomial_basis(part, tol, "auto") for _, part in parts]
    reports = tuple(_REPORTS[_key(part, tol, "auto")] for _, part in parts)
    if all(b.kind == "orbit" for b in bases):  # orbit form: a column and a value per entry
        check_memory(16.0 * monomial.size, f"the factor-wise basis of {monomial!r}")
    basis = bases[0]
    for factor in bases[1:]:
        basis = basis.kron(factor)
    cache.memory[key] = basis
    residual = max((report.residual for report in reports), default=0.0)
    _REPORTS[key] = SolveReport(
        monomial,
        monomial.size,
        basis.rank,
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
def monomial_basis(monomial: Monomial, tol: float | None = None, strategy: str = "auto") -> Basis:
    """Orthonormal invariant `Basis` ``(monomial.size, r)`` of one tensor type, cached.

    Args:
        monomial: a tensor type from a canonical form (bound to its group).
        tol: relative singular-value cut-off; ``None`` for the default rule.
        strategy: one of `STRATEGIES`.

    Returns:
        a `Basis` with orthonormal float64 columns: in orbit form (normalised orbit
        indicators) for the pure orbit strategy and for factor-wise products of orbit
        bases, otherwise dense, in the canonical form of
        `emlp_core.nullspace.canonical_basis` (the same columns whatever the strategy,
        machine or thread count).

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
        if not isinstance(basis, Basis):
            basis = Basis.from_dense(canonical_basis(np.ascontiguousarray(basis, np.float64)))
        residual = verify_basis(monomial, basis, tol, label)
        if time.perf_counter() - start >= cache.STORE_MIN_SECONDS:
            cache.store(key, basis, used)
    cache.memory[key] = basis
    seconds = time.perf_counter() - start
    _REPORTS[key] = SolveReport(
        monomial, monomial.size, basis.rank, used, seconds, residual, source
    )
    return basis


def equivariant_basis(
    rep: Rep, *, strategy: str = "auto", tol: float | None = None, sparse: bool | None = None
):
    """Orthonormal basis of the invariant vectors of a bound representation, as an array.

    For ``rep = A >> B`` the columns are the flattened equivariant weight matrices
    ``(B.size(), A.size())``. Each distinct tensor type of the canonical form is solved once
    (`monomial_basis`, strategies in the module docstring) and its `Basis` placed at every
    copy.

    Args:
        rep: a representation bound to a group.
        strategy: ``"auto"`` or a strategy to force for every type (see `STRATEGIES`).
        tol: relative singular-value cut-off in (0, 1); ``None`` for the default rule.
        sparse: return a ``scipy.sparse.csc_array`` (True), a numpy array (False), or
            sparse exactly when every type's `Basis` suits it (`Basis.is_sparse`: orbit
            form, or a Kronecker form at most a quarter non-zero) (None).

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
    if not callable(getattr(rep, "canonical_form", None)):
        raise TypeError(f"equivariant_basis takes a Rep; got {type(rep).__name__}.")
    sparse = None if sparse is None else check_bool(sparse, "sparse")
    form = rep.canonical_form()
    types = form
    if len(form) > 1 and rep.size() >= PROGRESS_MIN_SIZE:  # small requests: a bar costs ms
        types = tqdm(form, desc="solving bases", delay=PROGRESS_DELAY_S, leave=False)
    bases = [monomial_basis(summand.monomial, tol, strategy) for summand in types]
    as_sparse = all(b.is_sparse for b in bases) if sparse is None else bool(sparse)
    n = rep.size()
    total = sum(s.multiplicity * b.rank for s, b in zip(form, bases, strict=True))
    if as_sparse:
        nnz = sum(s.multiplicity * b.nnz for s, b in zip(form, bases, strict=True))
        check_memory(20.0 * nnz, f"the sparse basis of {rep!r}")
    else:
        check_memory(8.0 * n * total, f"the dense basis of {rep!r} ({n} x {total})")
    rows, cols, vals = [], [], []
    column = 0
    for (_, positions), basis in zip(form, bases, strict=True):
        row, col, val = basis.entries()
        copies, r = positions.shape[0], basis.rank
        offsets = column + r * np.arange(copies)
        rows.append(positions[:, row].ravel())
        cols.append((offsets[:, None] + col[None, :]).ravel())
        vals.append(np.tile(val, copies))
        column += copies * r
    empty = np.zeros(0, np.int64)
    rows_all = np.concatenate(rows) if rows else empty
    cols_all = np.concatenate(cols) if cols else empty
    vals_all = np.concatenate(vals) if vals else np.zeros(0)
    if as_sparse:
        return scipy.sparse.csc_array((vals_all, (rows_all, cols_all)), shape=(n, total))
    dense = np.zeros((n, total))
    dense[rows_all, cols_all] = vals_all
    return dense


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
