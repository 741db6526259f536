"""The octonions and the Albert algebra: the identities that the exceptional groups rely on."""

import itertools

import numpy as np
import pytest

from groups.albert import (
    albert_determinant,
    albert_from_matrix,
    albert_identity,
    albert_to_matrix,
    albert_trace,
    cubic_norm_tensor,
    jordan_product,
    jordan_structure,
    traceless_basis,
)
from groups.octonions import (
    cayley_dickson_product,
    g2_three_form,
    octonion_conjugate,
    octonion_product,
    octonion_structure,
)

RNG = np.random.default_rng(0)


def random_octonions(count):
    return RNG.standard_normal((count, 8))


# ------------------------------------------------------------------------- octonions
def test_lower_cayley_dickson_algebras_are_reals_complex_and_quaternions():
    z, w = 1.5 - 2.0j, -0.5 + 3.0j
    product = cayley_dickson_product([z.real, z.imag], [w.real, w.imag])
    np.testing.assert_allclose(product, [(z * w).real, (z * w).imag])
    x, y, u = RNG.standard_normal((3, 4))
    left = cayley_dickson_product(cayley_dickson_product(x, y), u)
    right = cayley_dickson_product(x, cayley_dickson_product(y, u))
    np.testing.assert_allclose(left, right, atol=1e-12)  # quaternions are associative


def test_unit_and_imaginary_units():
    M = octonion_structure()
    e = np.eye(8)
    for i in range(8):
        np.testing.assert_array_equal(M[0, i], e[i])
        np.testing.assert_array_equal(M[i, 0], e[i])
    for i in range(1, 8):
        np.testing.assert_array_equal(M[i, i], -e[0])
        for j in range(1, 8):
            if i != j:  # distinct imaginary units anticommute into a third one
                np.testing.assert_array_equal(M[i, j], -M[j, i])
                assert np.abs(M[i, j]).sum() == 1 and M[i, j, 0] == 0


def test_norm_is_multiplicative():
    x, y = random_octonions(2)
    assert np.isclose(np.linalg.norm(octonion_product(x, y)), np.linalg.norm(x) * np.linalg.norm(y))
    batch_x, batch_y = random_octonions(50), random_octonions(50)
    np.testing.assert_allclose(
        np.linalg.norm(octonion_product(batch_x, batch_y), axis=1),
        np.linalg.norm(batch_x, axis=1) * np.linalg.norm(batch_y, axis=1),
    )


def test_octonions_are_alternative_but_not_associative():
    x, y, z = random_octonions(3)
    xx = octonion_product(x, x)
    np.testing.assert_allclose(octonion_product(x, octonion_product(x, y)), octonion_product(xx, y))
    np.testing.assert_allclose(octonion_product(octonion_product(y, x), x), octonion_product(y, xx))
    associator = octonion_product(octonion_product(x, y), z) - octonion_product(
        x, octonion_product(y, z)
    )
    assert np.linalg.norm(associator) > 0.1


def test_conjugation_reverses_products():
    x, y = random_octonions(2)
    np.testing.assert_allclose(
        octonion_conjugate(octonion_product(x, y)),
        octonion_product(octonion_conjugate(y), octonion_conjugate(x)),
    )
    np.testing.assert_allclose(
        octonion_product(x, octonion_conjugate(x)), [x @ x, 0, 0, 0, 0, 0, 0, 0], atol=1e-12
    )


def test_three_form_is_antisymmetric_with_seven_fano_lines():
    phi = g2_three_form()
    for permutation in itertools.permutations(range(3)):
        sign = np.linalg.det(np.eye(3)[list(permutation)])
        np.testing.assert_array_equal(phi.transpose(permutation), sign * phi)
    lines = {tuple(sorted(index)) for index in zip(*np.nonzero(phi), strict=True)}
    assert len(lines) == 7
    for i, j in itertools.combinations(range(7), 2):  # each pair of points on one line
        assert sum(i in line and j in line for line in lines) == 1


def test_cayley_dickson_errors():
    with pytest.raises(ValueError, match=r"power of two.*\(3,\) and \(3,\)"):
        cayley_dickson_product(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"\(4,\) and \(8,\)"):
        cayley_dickson_product(np.ones(4), np.ones(8))


# ------------------------------------------------------------------------ Albert algebra
def random_albert(count):
    return RNG.standard_normal((count, 27))


def test_coordinates_round_trip_and_matrices_are_hermitian():
    u = random_albert(3)
    X = albert_to_matrix(u)
    np.testing.assert_allclose(albert_from_matrix(X), u)
    np.testing.assert_allclose(X, octonion_conjugate(X.transpose(0, 2, 1, 3)))


def test_jordan_product_is_commutative_with_unit():
    u, v = random_albert(2)
    np.testing.assert_allclose(jordan_product(u, v), jordan_product(v, u))
    np.testing.assert_allclose(jordan_product(albert_identity(), u), u, atol=1e-14)
    J = jordan_structure()
    np.testing.assert_allclose(np.einsum("abc,a,b->c", J, u, v), jordan_product(u, v), atol=1e-12)


def test_jordan_identity_holds_and_the_product_is_not_associative():
    for u, v in random_albert(4).reshape(2, 2, 27):
        uu = jordan_product(u, u)
        left = jordan_product(jordan_product(u, v), uu)
        right = jordan_product(u, jordan_product(v, uu))
        np.testing.assert_allclose(left, right, atol=1e-11)
    u, v, w = random_albert(3)
    associator = jordan_product(jordan_product(u, v), w) - jordan_product(u, jordan_product(v, w))
    assert np.linalg.norm(associator) > 0.1


def test_trace_form_is_the_euclidean_inner_product():
    u, v = random_albert(2)
    assert np.isclose(albert_trace(jordan_product(u, v)), u @ v)


def test_cayley_hamilton_links_the_determinant_to_the_jordan_product():
    """X^3 - tr(X) X^2 + S(X) X - det(X) I = 0 for every element (a cubic Jordan algebra)."""
    for u in random_albert(3):
        u2 = jordan_product(u, u)
        u3 = jordan_product(u, u2)
        t = albert_trace(u)
        s = (t**2 - albert_trace(u2)) / 2
        residual = u3 - t * u2 + s * u - albert_determinant(u) * albert_identity()
        assert np.abs(residual).max() < 1e-10 * max(1.0, np.abs(u3).max())


def test_cubic_norm_tensor_is_symmetric_and_matches_the_explicit_formula():
    N = cubic_norm_tensor()
    for permutation in itertools.permutations(range(3)):
        np.testing.assert_allclose(N.transpose(permutation), N, atol=1e-15)
    u = random_albert(5)
    np.testing.assert_allclose(np.einsum("abc,na,nb,nc->n", N, u, u, u), albert_determinant(u))


def test_determinant_of_diagonal_and_rank_one_elements():
    diagonal = np.zeros(27)
    diagonal[:3] = [2.0, 3.0, -5.0]
    assert np.isclose(albert_determinant(diagonal), -30.0)
    assert np.isclose(albert_determinant(albert_identity()), 1.0)
    # a projector-like rank-one element a a^dagger with a = (1, x, 0) has determinant 0
    x = RNG.standard_normal(8)
    rank_one = np.zeros(27)
    rank_one[0], rank_one[1] = 1.0, x @ x
    rank_one[19:27] = np.sqrt(2) * octonion_conjugate(x)  # z = X[0, 1] = conj(x)
    assert abs(albert_determinant(rank_one)) < 1e-12


def test_traceless_basis_is_orthonormal_and_traceless():
    Q = traceless_basis()
    np.testing.assert_allclose(Q.T @ Q, np.eye(26), atol=1e-15)
    np.testing.assert_allclose(albert_trace(Q.T), 0.0, atol=1e-15)


def test_albert_errors():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 27\).*\(26,\)"):
        albert_determinant(np.zeros(26))
    with pytest.raises(ValueError, match=r"\(\.\.\., 3, 3, 8\).*\(3, 3\)"):
        albert_from_matrix(np.zeros((3, 3)))
