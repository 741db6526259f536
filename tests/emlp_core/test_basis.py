"""`Basis`: each operation of the orbit and Kronecker forms against its dense array."""

from __future__ import annotations

import numpy as np
import pytest

from emlp_core import V
from emlp_core.basis import Basis
from emlp_core.canonical import hom_type
from emlp_core.solver import monomial_basis
from groups import SO, O, S, Z
from layers.bases import hom_block


def orbit_example() -> Basis:
    """Columns {0, 4} and {1, 2} (norm 1), coordinate 3 alone, coordinate 5 zero."""
    half = 0.5**0.5
    return Basis.from_orbits(
        np.array([0, 1, 1, 2, 0, 3]), np.array([half, half, -half, 1.0, half, 0.0]), 3
    )


def examples() -> dict[str, Basis]:
    rng = np.random.default_rng(0)
    q1 = np.linalg.qr(rng.normal(size=(5, 2)))[0]
    q2 = np.linalg.qr(rng.normal(size=(4, 3)))[0]
    orbit = orbit_example()
    return {
        "orbit": orbit,
        "dense": Basis.from_dense(q1),
        "kron": Basis.from_dense(q1).kron(orbit).kron(Basis.from_dense(q2)),
        "orbit-orbit": orbit.kron(orbit),
        "empty": Basis.from_dense(np.zeros((4, 0))),
    }


@pytest.mark.parametrize("name", list(examples()))
def test_every_operation_matches_the_dense_array(name):
    basis = examples()[name]
    dense = basis.toarray()
    rng = np.random.default_rng(1)
    assert dense.shape == basis.shape and dense.dtype == np.float64
    coefficients = rng.normal(size=(basis.rank, 3))
    x = rng.normal(size=(basis.size, 2))
    np.testing.assert_allclose(basis.apply(coefficients), dense @ coefficients, atol=1e-14)
    np.testing.assert_allclose(
        basis.apply(coefficients[:, 0]), dense @ coefficients[:, 0], atol=1e-14
    )
    np.testing.assert_allclose(basis.coefficients(x), dense.T @ x, atol=1e-14)
    np.testing.assert_allclose(basis.project(x[:, 1]), dense @ (dense.T @ x[:, 1]), atol=1e-14)
    assert basis.gram_error() == pytest.approx(
        np.abs(dense.T @ dense - np.eye(basis.rank)).max(initial=0.0), abs=1e-14
    )
    assert basis.nnz == np.count_nonzero(dense)
    np.testing.assert_array_equal(basis.tosparse().toarray(), dense)
    row, col, value = basis.entries()
    np.testing.assert_array_equal(dense[row, col], value)
    assert row.size == basis.nnz
    order = rng.permutation(basis.size)
    moved = basis.permute_rows(order)
    assert moved.kind == ("orbit" if basis.kind == "orbit" else "dense")
    np.testing.assert_array_equal(moved.toarray()[order], dense)


def test_orbit_form_normalises_zero_entries_and_keeps_arrays_read_only():
    basis = orbit_example()
    assert basis.column[5] == basis.rank and basis.value[5] == 0.0
    assert basis.gram_error() == pytest.approx(0.0, abs=1e-15)
    assert basis.kind == "orbit" and basis.is_sparse
    with pytest.raises(ValueError):
        basis.column[0] = 1
    with pytest.raises(ValueError):
        basis.toarray()[0, 0] = 1.0


def test_a_kronecker_form_stays_lazy_and_says_when_it_is_sparse():
    orbit = Basis.from_orbits(np.arange(100) % 10, np.full(100, 0.1**0.5), 10)
    dense = Basis.from_dense(np.linalg.qr(np.random.default_rng(2).normal(size=(9, 3)))[0])
    product = orbit.kron(dense)
    assert product.kind == "kron" and product.shape == (900, 30)
    assert product.dense is None and product.column is None  # nothing materialised
    assert product.is_sparse  # 100 * 27 of 900 * 30 entries are non-zero
    assert not dense.kron(dense).is_sparse


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: Basis.from_dense(np.ones(3)), "a basis is a \\(size, rank\\) array"),
        (lambda: Basis.from_orbits(np.zeros(3), np.ones(2), 1), "one length"),
        (lambda: Basis.from_orbits(np.array([0, 2]), np.ones(2), 1), "must lie in \\[0, 1\\]"),
        (lambda: Basis.from_orbits(np.array([-1, 0]), np.ones(2), 1), "must lie in"),
    ],
)
def test_malformed_bases_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "rep, kind",
    [
        ((V**3)(S(4)), "orbit"),
        ((V**2)(Z(5)), "orbit"),
        ((V**2)(SO(3)), "dense"),
        ((V**2)(O(3)), "dense"),  # orbits first, then the algebra: dense
        (V(S(4)) * V(S(3)), "orbit"),  # factor-wise, both factors orbits
        (V(S(4)) ** 2 * V(SO(3)) ** 2, "kron"),  # factor-wise with a dense factor
    ],
    ids=repr,
)
def test_the_solver_returns_the_form_its_strategy_gives(rep, kind):
    (summand,) = rep.canonical_form()
    basis = monomial_basis(summand.monomial)
    assert basis.kind == kind
    dense = basis.toarray()
    for g in rep.group.random_elements(3, seed=5):  # words: factor atoms act on them
        np.testing.assert_allclose(rep.rho(g) @ dense, dense, atol=1e-10)


@pytest.mark.parametrize("group", [S(4), SO(3), S(3) * SO(2)], ids=repr)
def test_a_layer_block_reads_the_hom_basis_in_matrix_layout(group):
    """The weight block of Hom(V, V**2) equals the solver's basis of (V >> V**2)."""
    (source,) = V(group).canonical_form()
    (target,) = (V**2)(group).canonical_form()
    block = hom_block(source, target)
    reference = (V(group) >> (V**2)(group)).equivariant_basis(sparse=False)
    s_out, s_in = target.monomial.size, source.monomial.size
    if block.index is None:
        matrices = block.matrices
    else:  # orbit form: the same matrices from the gather
        padded = np.concatenate([np.eye(block.rank), np.zeros((1, block.rank))])
        matrices = padded[block.index] * block.value[..., None]
    assert matrices.shape == (s_out, s_in, block.rank) == (s_out, s_in, reference.shape[1])
    np.testing.assert_allclose(matrices.reshape(s_out * s_in, -1), reference, atol=1e-12)
    assert hom_type(source.monomial, target.monomial).monomial.size == s_out * s_in
