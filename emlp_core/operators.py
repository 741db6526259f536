"""Lazy linear operators for constraints on tensor representations.

Small composable objects built on `scipy.sparse.linalg.LinearOperator` (so they work with
scipy's iterative solvers, ``@``, ``.T`` and ``.H``), each with a `to_dense` for tests and
small problems. A Kronecker product or sum is applied factor by factor along the axes of
the reshaped input, so ``rho(h) - I`` and ``drho(A)`` on ``V**k`` cost ``O(k d N)`` per
column instead of ``O(N^2)`` for ``N = d**k``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse.linalg import LinearOperator

__all__ = [
    "KroneckerProduct",
    "KroneckerSum",
    "DirectSum",
    "Stacked",
    "Permutation",
    "Identity",
    "to_dense",
]


def to_dense(operator: LinearOperator) -> np.ndarray:
    """The dense matrix of any linear operator (``operator @ I``)."""
    if hasattr(operator, "to_dense"):
        return operator.to_dense()
    return operator.matmat(np.eye(operator.shape[1], dtype=operator.dtype))


def _result_dtype(*arrays) -> np.dtype:
    return np.result_type(*arrays, np.float64)


def _apply_along_axes(factors: Sequence[np.ndarray], X: np.ndarray, summed: bool) -> np.ndarray:
    """Applies ``factors[j]`` along axis ``j`` of ``X`` reshaped to (d_0, ..., d_{k-1}, r).

    ``summed=False`` composes them (Kronecker product); ``summed=True`` adds the single-axis
    applications (Kronecker sum).
    """
    sizes = [f.shape[1] for f in factors]
    columns = X.shape[1]
    tensor = X.reshape(*sizes, columns)
    dtype = _result_dtype(X, *factors)
    total = np.zeros(tensor.shape, dtype) if summed else tensor.astype(dtype, copy=False)
    for axis, factor in enumerate(factors):
        source = tensor if summed else total
        moved = np.moveaxis(np.tensordot(factor, source, axes=(1, axis)), 0, axis)
        total = total + moved if summed else moved
    return total.reshape(int(np.prod(sizes, dtype=np.int64)), columns)


class _Structured(LinearOperator):
    """Shared plumbing: matvec through matmat."""

    def _matvec(self, x):
        return self._matmat(np.asarray(x).reshape(-1, 1)).ravel()

    def _rmatvec(self, x):
        return self._adjoint()._matvec(x)

    def _rmatmat(self, X):
        return self._adjoint()._matmat(X)


class KroneckerProduct(_Structured):
    """``F_0 ⊗ F_1 ⊗ ... ⊗ F_{k-1}`` (row-major), square factors.

    Example:
        >>> a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
        >>> bool(np.allclose(KroneckerProduct([a, b]).to_dense(), np.kron(a, b)))
        True
    """

    def __init__(self, factors: Sequence[np.ndarray]):
        self.factors = [np.asarray(f) for f in factors]
        n = int(np.prod([f.shape[0] for f in self.factors], dtype=np.int64))
        super().__init__(_result_dtype(*self.factors), (n, n))

    def _matmat(self, X):
        return _apply_along_axes(self.factors, np.asarray(X), summed=False)

    def _adjoint(self):
        return KroneckerProduct([f.conj().T for f in self.factors])

    def to_dense(self) -> np.ndarray:
        out = np.ones((1, 1), self.dtype)
        for f in self.factors:
            out = np.kron(out, f)
        return out


class KroneckerSum(_Structured):
    """``sum_j I ⊗ ... ⊗ F_j ⊗ ... ⊗ I`` (row-major), square factors: the Lie-algebra action.

    Example:
        >>> a = np.array([[0.0, -1.0], [1.0, 0.0]])
        >>> dense = KroneckerSum([a, a]).to_dense()
        >>> bool(np.allclose(dense, np.kron(a, np.eye(2)) + np.kron(np.eye(2), a)))
        True
    """

    def __init__(self, factors: Sequence[np.ndarray]):
        self.factors = [np.asarray(f) for f in factors]
        n = int(np.prod([f.shape[0] for f in self.factors], dtype=np.int64))
        super().__init__(_result_dtype(*self.factors), (n, n))

    def _matmat(self, X):
        return _apply_along_axes(self.factors, np.asarray(X), summed=True)

    def _adjoint(self):
        return KroneckerSum([f.conj().T for f in self.factors])

    def to_dense(self) -> np.ndarray:
        n = self.shape[0]
        return self._matmat(np.eye(n, dtype=self.dtype))


class DirectSum(_Structured):
    """Block-diagonal operator ``diag(A_0, A_1, ...)``."""

    def __init__(self, blocks: Sequence[LinearOperator]):
        self.blocks = list(blocks)
        rows = sum(b.shape[0] for b in self.blocks)
        cols = sum(b.shape[1] for b in self.blocks)
        super().__init__(np.result_type(*[b.dtype for b in self.blocks]), (rows, cols))

    def _matmat(self, X):
        X = np.asarray(X)
        out, start = [], 0
        for block in self.blocks:
            out.append(block.matmat(X[start : start + block.shape[1]]))
            start += block.shape[1]
        return np.concatenate(out, axis=0)

    def _adjoint(self):
        return DirectSum([b.H for b in self.blocks])

    def to_dense(self) -> np.ndarray:
        import scipy.linalg

        return scipy.linalg.block_diag(*[to_dense(b) for b in self.blocks])


class Stacked(_Structured):
    """Vertical stack ``[A_0; A_1; ...]`` of operators with the same number of columns.

    This is the shape of a constraint operator: one block per generator.
    """

    def __init__(self, blocks: Sequence[LinearOperator]):
        self.blocks = list(blocks)
        cols = {b.shape[1] for b in self.blocks}
        if len(cols) != 1:
            raise ValueError(f"Stacked needs blocks with equal column counts; got {sorted(cols)}.")
        rows = sum(b.shape[0] for b in self.blocks)
        super().__init__(np.result_type(*[b.dtype for b in self.blocks]), (rows, cols.pop()))

    def _matmat(self, X):
        return np.concatenate([b.matmat(np.asarray(X)) for b in self.blocks], axis=0)

    def _rmatmat(self, Y):
        Y, out, start = np.asarray(Y), 0, 0
        for block in self.blocks:
            out = out + block.H.matmat(Y[start : start + block.shape[0]])
            start += block.shape[0]
        return out

    def _rmatvec(self, y):
        return self._rmatmat(np.asarray(y).reshape(-1, 1)).ravel()

    def _adjoint(self):
        return LinearOperator(
            (self.shape[1], self.shape[0]),
            matvec=self._rmatvec,
            matmat=self._rmatmat,
            dtype=self.dtype,
        )

    def to_dense(self) -> np.ndarray:
        return np.concatenate([to_dense(b) for b in self.blocks], axis=0)


class Permutation(_Structured):
    """``(P x)[i] = x[permutation[i]]``.

    Example:
        >>> Permutation([2, 0, 1]) @ np.array([10.0, 20.0, 30.0])
        array([30., 10., 20.])
    """

    def __init__(self, permutation):
        self.permutation = np.asarray(permutation, dtype=np.int64)
        n = len(self.permutation)
        if not np.array_equal(np.sort(self.permutation), np.arange(n)):
            raise ValueError(f"Permutation needs a permutation of range({n}).")
        super().__init__(np.dtype(np.float64), (n, n))

    def _matmat(self, X):
        return np.asarray(X)[self.permutation]

    def _adjoint(self):
        return Permutation(np.argsort(self.permutation))

    def to_dense(self) -> np.ndarray:
        return np.eye(self.shape[0])[self.permutation]


class Identity(_Structured):
    """The identity on R^n."""

    def __init__(self, n: int):
        super().__init__(np.dtype(np.float64), (n, n))

    def _matmat(self, X):
        return np.asarray(X)

    def _adjoint(self):
        return self

    def to_dense(self) -> np.ndarray:
        return np.eye(self.shape[0])
