"""The invariant basis of one tensor type as a value: orthonormal columns, in one of three forms.

The solver (`emlp_core.solver.monomial_basis`) returns a `Basis`, and layers read it
directly. It holds its columns in the form its solve gave them:

* **orbit form** (``kind == "orbit"``): every coordinate lies in at most one column, as
  for the orbit indicators of a signed-permutation group. Coordinate ``i`` holds
  ``value[i]`` in column ``column[i]`` (``column[i] == rank`` means it is zero in every
  column). A layer turns this into a gather of coefficients instead of a matrix product,
  and a Kronecker product of two orbit forms stays an orbit form.
* **dense form** (``kind == "dense"``): a read-only float64 ``(size, rank)`` array.
* **Kronecker form** (``kind == "kron"``): ``kron(B_1, ..., B_k)`` of factor bases, kept
  lazy (a type of atoms of several factors of a direct product, solved factor by factor,
  when some factor is dense): products, projections and sparse entries come from the
  factors, and the ``(size, rank)`` array is built only when asked for.

Which form a basis has is decided by how it was solved, never guessed from its entries.

Example:
    >>> b = Basis.from_orbits(np.array([0, 1, 1, 0]), np.full(4, 2**-0.5), rank=2)
    >>> b.kind, b.shape
    ('orbit', (4, 2))
    >>> b.toarray().round(3)
    array([[0.707, 0.   ],
           [0.   , 0.707],
           [0.   , 0.707],
           [0.707, 0.   ]])
    >>> b.kron(b).kind, b.kron(Basis.from_dense(np.ones((1, 1)))).kind
    ('orbit', 'kron')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

__all__ = ["Basis"]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Basis:
    """Orthonormal columns ``(size, rank)`` spanning the invariants of one tensor type.

    Build one with `from_dense`, `from_orbits` or `kron`; the attributes of the other
    forms are None.

    Attributes:
        size: number of coordinates (rows).
        rank: number of columns.
        dense: float64 ``(size, rank)`` (dense form) or None.
        column: int64 ``(size,)``, each coordinate's column or ``rank`` (orbit form) or None.
        value: float64 ``(size,)``, each coordinate's entry in its column (orbit form) or None.
        factors: the factor bases (Kronecker form) or ``()``.
    """

    size: int
    rank: int
    dense: np.ndarray | None = None
    column: np.ndarray | None = None
    value: np.ndarray | None = None
    factors: tuple = ()

    # ---------------------------------------------------------------------------- builders
    @classmethod
    def from_dense(cls, array: np.ndarray) -> Basis:
        """A dense basis from a float64 ``(size, rank)`` array (kept read-only, not copied)."""
        array = np.asarray(array, dtype=np.float64)
        if array.ndim != 2:
            raise ValueError(f"a basis is a (size, rank) array; got shape {array.shape}.")
        return cls(array.shape[0], array.shape[1], dense=_read_only(array))

    @classmethod
    def from_orbits(cls, column: np.ndarray, value: np.ndarray, rank: int) -> Basis:
        """An orbit-form basis: coordinate ``i`` holds ``value[i]`` in column ``column[i]``.

        Coordinates with ``column[i] == rank`` (or ``value[i] == 0``) are zero in every column.
        """
        column = np.asarray(column, dtype=np.int64)
        value = np.asarray(value, dtype=np.float64)
        if column.ndim != 1 or column.shape != value.shape:
            raise ValueError(
                f"column and value are (size,) arrays of one length; got {column.shape} and "
                f"{value.shape}."
            )
        if column.size and (column.min() < 0 or column.max() > rank):
            raise ValueError(
                f"orbit columns must lie in [0, {rank}]; got {column.min()}..{column.max()}."
            )
        column = np.where(value == 0.0, rank, column)
        value = np.where(column == rank, 0.0, value)
        return cls(column.size, int(rank), column=_read_only(column), value=_read_only(value))

    # ---------------------------------------------------------------------------- views
    @property
    def kind(self) -> str:
        """``"orbit"``, ``"dense"`` or ``"kron"``."""
        if self.factors:
            return "kron"
        return "dense" if self.dense is not None else "orbit"

    @property
    def is_sparse(self) -> bool:
        """Whether a sparse matrix suits it: orbit form, or at most a quarter non-zero."""
        if self.kind == "kron":
            return self.nnz <= 0.25 * self.size * self.rank
        return self.kind == "orbit"

    @property
    def shape(self) -> tuple[int, int]:
        return (self.size, self.rank)

    @property
    def nnz(self) -> int:
        """Number of non-zero entries."""
        if self.factors:
            return int(np.prod([factor.nnz for factor in self.factors]))
        if self.dense is not None:
            return int(np.count_nonzero(self.dense))
        return int(np.count_nonzero(self.column < self.rank))

    def toarray(self) -> np.ndarray:
        """The columns as a read-only float64 ``(size, rank)`` array."""
        if self.factors:
            array = self.factors[0].toarray()
            for factor in self.factors[1:]:
                array = np.kron(array, factor.toarray())
            return _read_only(array)
        if self.dense is not None:
            return self.dense
        array = np.zeros((self.size, self.rank + 1))
        array[np.arange(self.size), self.column] = self.value
        return _read_only(np.ascontiguousarray(array[:, : self.rank]))

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, col, value)`` of the non-zero entries (coordinate order for orbit form)."""
        if self.factors:  # kron: entry (i, j) of A and (k, l) of B give (i s_B + k, j r_B + l)
            row, col, value = self.factors[0].entries()
            for factor in self.factors[1:]:
                row2, col2, value2 = factor.entries()
                row = (row[:, None] * factor.size + row2).ravel()
                col = (col[:, None] * factor.rank + col2).ravel()
                value = (value[:, None] * value2).ravel()
            return row, col, value
        if self.dense is not None:
            row, col = np.nonzero(self.dense)
            return row, col, self.dense[row, col]
        row = np.flatnonzero(self.column < self.rank)
        return row, self.column[row], self.value[row]

    def tosparse(self) -> scipy.sparse.csc_array:
        """The columns as a ``scipy.sparse.csc_array`` ``(size, rank)``."""
        row, col, value = self.entries()
        return scipy.sparse.csc_array((value, (row, col)), shape=self.shape)

    # ---------------------------------------------------------------------------- algebra
    def apply(self, coefficients: np.ndarray) -> np.ndarray:
        """``Q @ coefficients`` for ``(rank,)`` or ``(rank, k)`` coefficients."""
        coefficients = np.asarray(coefficients)
        if self.factors:
            return self._per_factor(coefficients, "apply")
        if self.dense is not None:
            return self.dense @ coefficients
        padded = np.concatenate([coefficients, np.zeros((1, *coefficients.shape[1:]))])
        scale = self.value.reshape(-1, *([1] * (coefficients.ndim - 1)))
        return padded[self.column] * scale

    def coefficients(self, x: np.ndarray) -> np.ndarray:
        """``Q^T @ x`` for ``(size,)`` or ``(size, k)`` vectors."""
        x = np.asarray(x)
        if self.factors:
            return self._per_factor(x, "coefficients")
        if self.dense is not None:
            return self.dense.T @ x
        scale = self.value.reshape(-1, *([1] * (x.ndim - 1)))
        out = np.zeros((self.rank + 1, *x.shape[1:]), dtype=np.result_type(x, np.float64))
        np.add.at(out, self.column, scale * x)
        return out[: self.rank]

    def project(self, x: np.ndarray) -> np.ndarray:
        """The orthogonal projection ``Q Q^T x`` onto the span."""
        return self.apply(self.coefficients(x))

    def gram_error(self) -> float:
        """Largest entry of ``|Q^T Q - I|`` (orthonormality error)."""
        if self.rank == 0:
            return 0.0
        if self.factors:  # Q^T Q = kron(Q_1^T Q_1, ...)
            gram = np.ones((1, 1))
            for factor in self.factors:
                eye = np.eye(factor.rank)
                gram = np.kron(gram, factor.coefficients(factor.apply(eye)))
            return float(np.abs(gram - np.eye(self.rank)).max())
        if self.dense is not None:
            return float(np.abs(self.dense.T @ self.dense - np.eye(self.rank)).max())
        # orbit columns have disjoint supports: Q^T Q is diagonal
        norms = np.bincount(self.column, self.value**2, minlength=self.rank + 1)[: self.rank]
        return float(np.abs(norms - 1.0).max())

    def _per_factor(self, array: np.ndarray, method: str) -> np.ndarray:
        """``apply`` or ``coefficients`` of the Kronecker product, one factor axis at a time."""
        tail = array.shape[1:]
        shape = [f.rank if method == "apply" else f.size for f in self.factors]
        work = array.reshape(*shape, -1)
        for axis, factor in enumerate(self.factors):
            moved = np.moveaxis(work, axis, 0)
            result = getattr(factor, method)(moved.reshape(moved.shape[0], -1))
            work = np.moveaxis(result.reshape(-1, *moved.shape[1:]), 0, axis)
        return work.reshape(-1, *tail)

    def kron(self, other: Basis) -> Basis:
        """``kron(self, other)``: orbit form when both are, else a lazy Kronecker form."""
        if self.kind == "orbit" and other.kind == "orbit":
            rank = self.rank * other.rank
            inside = (self.column[:, None] < self.rank) & (other.column[None, :] < other.rank)
            column = np.where(inside, self.column[:, None] * other.rank + other.column, rank)
            value = self.value[:, None] * other.value[None, :]
            return Basis.from_orbits(column.ravel(), value.ravel(), rank)
        factors = (self.factors or (self,)) + (other.factors or (other,))
        return Basis(self.size * other.size, self.rank * other.rank, factors=factors)

    def permute_rows(self, positions: np.ndarray) -> Basis:
        """The basis with row ``i`` moved to row ``positions[i]`` (a permutation of the rows)."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.kind != "orbit":
            dense = self.toarray()
            moved = np.empty_like(dense)
            moved[positions] = dense
            return Basis.from_dense(moved)
        column, value = np.empty_like(self.column), np.empty_like(self.value)
        column[positions], value[positions] = self.column, self.value
        return Basis.from_orbits(column, value, self.rank)

    def __repr__(self) -> str:
        return f"Basis({self.kind}, size={self.size}, rank={self.rank})"
