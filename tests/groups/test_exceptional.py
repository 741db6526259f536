"""G2, F4, E6: what they preserve, how they sit in each other, how fast they are built."""

import time

import numpy as np

from groups import E6, F4, G2, SO, algebra_rank, killing_signature
from groups.albert import (
    albert_determinant,
    albert_identity,
    jordan_product,
    traceless_basis,
)
from groups.octonions import octonion_product


def span_basis(algebra):
    """Orthonormal rows spanning the matrices (Frobenius inner product)."""
    flat = algebra.reshape(len(algebra), -1)
    _, singular, right = np.linalg.svd(flat, full_matrices=False)
    return right[singular > 1e-10 * singular[0]]


def assert_inside(algebra, larger, atol):
    flat = algebra.reshape(len(algebra), -1)
    basis = span_basis(larger)
    np.testing.assert_allclose((flat @ basis.T) @ basis, flat, atol=atol)


def assert_same_span(first, second):
    """All principal angles between the spans are zero."""
    a, b = span_basis(first), span_basis(second)
    assert a.shape == b.shape
    np.testing.assert_allclose(np.linalg.svd(a @ b.T, compute_uv=False), 1.0, atol=1e-10)


def lift_f4(g):
    """An element of F4 on R^26 acting on the whole Albert algebra R^27."""
    Q = traceless_basis()
    e = albert_identity() / np.sqrt(3)
    return Q @ g @ Q.T + np.outer(e, e)


def test_g2_acts_by_octonion_automorphisms():
    rng = np.random.default_rng(0)
    for g in G2().samples(4, seed=1):
        full = np.eye(8)
        full[1:, 1:] = g  # fixes the unit, acts on the imaginary octonions
        x, y = rng.standard_normal((2, 8))
        np.testing.assert_allclose(
            full @ octonion_product(x, y), octonion_product(full @ x, full @ y), atol=1e-12
        )


def test_g2_is_a_proper_subgroup_of_so7():
    algebra = G2().lie_algebra
    assert_inside(algebra, SO(7).lie_algebra, atol=1e-13)
    assert algebra.shape[0] == 14 < SO(7).lie_algebra.shape[0]


def test_f4_acts_by_albert_algebra_automorphisms():
    rng = np.random.default_rng(2)
    for g in F4().samples(3, seed=0):
        lifted = lift_f4(g)
        u, v = rng.standard_normal((2, 27))
        np.testing.assert_allclose(
            lifted @ jordan_product(u, v), jordan_product(lifted @ u, lifted @ v), atol=1e-11
        )
        np.testing.assert_allclose(lifted @ albert_identity(), albert_identity(), atol=1e-13)


def test_f4_is_the_compact_part_of_e6():
    """The antisymmetric part of e6(-26) is f4 (52), the symmetric part has dimension 26."""
    Q = traceless_basis()
    lifted = Q @ F4().lie_algebra @ Q.T
    e6 = E6().lie_algebra
    assert_inside(lifted, e6, atol=1e-12)
    antisymmetric = (e6 - e6.transpose(0, 2, 1)) / 2
    symmetric = (e6 + e6.transpose(0, 2, 1)) / 2
    assert_same_span(antisymmetric, lifted)
    assert np.linalg.matrix_rank(symmetric.reshape(78, -1), tol=1e-10) == 26


def test_e6_preserves_the_determinant_but_not_the_trace_form():
    rng = np.random.default_rng(3)
    u = rng.standard_normal((5, 27))
    moved_norms = []
    for g in E6().samples(4, seed=2):
        size = np.linalg.norm(g, 2) ** 3 * np.linalg.norm(u, axis=1) ** 3
        residual = albert_determinant(u @ g.T) - albert_determinant(u)
        assert np.all(np.abs(residual) <= 1e-10 * size)
        moved_norms.append(np.linalg.norm(g.T @ g - np.eye(27)))
    assert max(moved_norms) > 0.1  # non-compact: not orthogonal


def test_exceptional_facts():
    assert (G2().d, F4().d, E6().d) == (7, 26, 27)
    assert algebra_rank(E6()) == 6
    assert killing_signature(E6()) == (26, 52, 0)


def test_construction_is_fast_deterministic_and_cached():
    for build in (G2, F4, E6):
        start = time.perf_counter()
        fresh = build.__wrapped__()
        assert time.perf_counter() - start < 20.0  # benchmarks.groups' limit; well under 1 s
        assert fresh == build() and build() is build()  # same generators, cached object
