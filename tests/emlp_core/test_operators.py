from functools import reduce

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse.linalg

from emlp_core.operators import (
    DirectSum,
    Identity,
    KroneckerProduct,
    KroneckerSum,
    Permutation,
    Stacked,
    to_dense,
)

rng = np.random.default_rng(0)
FACTORS = [rng.standard_normal((d, d)) for d in (2, 3, 2)]


def dense_kron_sum(factors):
    sizes = [f.shape[0] for f in factors]
    return sum(
        reduce(np.kron, [f if j == i else np.eye(sizes[j]) for j in range(len(factors))])
        for i, f in enumerate(factors)
    )


OPERATORS = [
    (KroneckerProduct(FACTORS), reduce(np.kron, FACTORS)),
    (KroneckerSum(FACTORS), dense_kron_sum(FACTORS)),
    (KroneckerProduct([1j * FACTORS[0], FACTORS[1]]), np.kron(1j * FACTORS[0], FACTORS[1])),
    (Permutation([2, 0, 3, 1]), np.eye(4)[[2, 0, 3, 1]]),
    (Identity(3), np.eye(3)),
    (
        DirectSum([KroneckerSum(FACTORS[:2]), Identity(2)]),
        scipy.linalg.block_diag(dense_kron_sum(FACTORS[:2]), np.eye(2)),
    ),
    (
        Stacked([KroneckerSum(FACTORS), KroneckerProduct(FACTORS) - Identity(12)]),
        np.vstack([dense_kron_sum(FACTORS), reduce(np.kron, FACTORS) - np.eye(12)]),
    ),
]


@pytest.mark.parametrize("op, dense", OPERATORS)
def test_lazy_operator_matches_its_dense_matrix(op, dense):
    n, m = dense.shape
    X = rng.standard_normal((m, 3))
    Y = rng.standard_normal((n, 3))
    np.testing.assert_allclose(to_dense(op), dense, atol=1e-12)
    np.testing.assert_allclose(op @ X, dense @ X, atol=1e-12)
    np.testing.assert_allclose(op @ X[:, 0], dense @ X[:, 0], atol=1e-12)
    np.testing.assert_allclose(op.H @ Y, dense.conj().T @ Y, atol=1e-12)
    np.testing.assert_allclose(op.T @ Y, dense.T @ Y, atol=1e-12)


def test_operators_work_with_scipy_solvers():
    op = KroneckerSum(FACTORS) + 20 * Identity(12)
    b = rng.standard_normal(12)
    x, info = scipy.sparse.linalg.gmres(op, b, rtol=1e-12, atol=0)
    assert info == 0
    np.testing.assert_allclose(op @ x, b, atol=1e-9)


def test_shape_errors():
    with pytest.raises(ValueError, match="permutation of range"):
        Permutation([0, 0, 1])
    with pytest.raises(ValueError, match="equal column counts"):
        Stacked([Identity(2), Identity(3)])
