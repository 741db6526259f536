import numpy as np
import pytest

from emlp_core import V, equivariant_basis
from groups import SO, Embed, Group, O, S, SO13p, Z, direct_product, minkowski_metric


def kron_factors(g: np.ndarray, m: int, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Best ``a (m, m)``, ``b (n, n)`` with ``g ~ kron(a, b)`` and the relative misfit."""
    shuffled = g.reshape(m, n, m, n).transpose(0, 2, 1, 3).reshape(m * m, n * n)
    left, singular, right = np.linalg.svd(shuffled)
    a = left[:, 0].reshape(m, m) * np.sqrt(singular[0])
    b = right[0].reshape(n, n) * np.sqrt(singular[0])
    misfit = np.linalg.norm(singular[1:]) / singular[0]
    return a, b, misfit


def test_point_cloud_group_structure():
    G = S(4) * SO(3)
    assert repr(G) == "S(4)×SO(3)" and G.d == 12
    assert G.lie_algebra.shape == (3, 12, 12) and G.discrete_generators.shape == (2, 12, 12)
    assert G.is_orthogonal and not G.is_permutation
    assert G.closure_residual < 1e-15


def test_product_generators_are_kronecker_products():
    G, H = S(3), SO(2)
    product = G * H
    np.testing.assert_array_equal(product.lie_algebra[0], np.kron(np.eye(3), H.lie_algebra[0]))
    for h, expected in zip(product.discrete_generators, G.discrete_generators, strict=True):
        np.testing.assert_array_equal(h, np.kron(expected, np.eye(2)))


def test_product_samples_are_kron_of_factor_elements():
    for G, H in [(S(4), SO(3)), (O(2), SO13p())]:
        eta = minkowski_metric(1, 3) if H.d == 4 else np.eye(H.d)
        for g in (G * H).samples(10, seed=3):
            a, b, misfit = kron_factors(g, G.d, H.d)
            assert misfit < 1e-12
            # fix the scalar ambiguity kron(a, b) = kron(ta, b / t) with b's metric
            scale = np.sqrt(abs((b.T @ eta @ b)[0, 0] / eta[0, 0]))
            a, b = a * scale, b / scale
            if G == S(4):
                a, b = (a, b) if a.sum() > 0 else (-a, -b)
                assert set(np.round(a, 10).ravel().tolist()) <= {0.0, 1.0}
                np.testing.assert_allclose(a.sum(0), 1.0, atol=1e-10)
                np.testing.assert_allclose(np.linalg.det(b), 1.0, atol=1e-10)
            else:
                np.testing.assert_allclose(a.T @ a, np.eye(2), atol=1e-10)
            np.testing.assert_allclose(b.T @ eta @ b, eta, atol=1e-9 * np.linalg.norm(b) ** 2)


def test_point_cloud_action_permutes_points_and_rotates_each():
    G = S(5) * SO(3)
    X = np.random.default_rng(0).standard_normal((5, 3))
    dist = np.linalg.norm(X[:, None] - X[None], axis=-1)
    for g in G.samples(5, seed=1):
        P, R, _ = kron_factors(g, 5, 3)
        scale = P.ravel()[np.argmax(np.abs(P))]  # P is a permutation up to this factor
        P, R = np.round(P / scale, 12), R * scale
        moved = (g @ X.reshape(-1)).reshape(5, 3)
        np.testing.assert_allclose(moved, P @ X @ R.T, atol=1e-12)
        np.testing.assert_allclose(R.T @ R, np.eye(3), atol=1e-12)
        # the pairwise distances of the moved cloud are the permuted original ones
        moved_dist = np.linalg.norm(moved[:, None] - moved[None], axis=-1)
        np.testing.assert_allclose(moved_dist, P @ dist @ P.T, atol=1e-12)


def test_direct_product_is_associative_and_matches_the_operator():
    G, H, K = Z(2), SO(2), S(3)
    assert (G * H) * K == direct_product(G, H, K) == G * (H * K)
    assert repr(direct_product(G, H, K)) == "Z(2)×SO(2)×S(3)"
    assert direct_product(SO(3)) == SO(3)


def test_product_errors():
    with pytest.raises(ValueError, match="at least one Group"):
        direct_product()
    with pytest.raises(TypeError, match="argument 1 is a str"):
        direct_product(SO(2), "SO(3)")


def test_embed_acts_on_the_slice_and_fixes_the_rest():
    G = Embed(SO(3), 5, [0, 2, 4])
    assert G.d == 5 and G.lie_algebra.shape == (3, 5, 5)
    for g in G.samples(5, seed=0):
        np.testing.assert_allclose(g[np.ix_([1, 3], [1, 3])], np.eye(2), atol=1e-14)
        np.testing.assert_allclose(g[np.ix_([0, 2, 4], [1, 3])], 0, atol=1e-14)
        block = g[np.ix_([0, 2, 4], [0, 2, 4])]
        np.testing.assert_allclose(block.T @ block, np.eye(3), atol=1e-12)
    H = Embed(S(3), 4, slice(1, 4))
    assert H.is_permutation and H.discrete_generators.shape == (2, 4, 4)
    np.testing.assert_array_equal(H.discrete_generators[:, 0, 0], 1.0)


def test_embed_full_slice_is_the_group_itself():
    assert Embed(O(3), 3, slice(None)) == O(3)
    assert Embed(O(3), 3, [2, 1, 0]) != O(3)  # the same group, with relabelled coordinates


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((SO(3), 5, [0, 1]), ValueError, r"pick 3 distinct coordinates of R\^5.*\[0, 1\]"),
        ((SO(3), 5, [0, 1, 1]), ValueError, "distinct"),
        ((SO(3), 5, [0, 1, 7]), ValueError, r"outside range\(5\)"),
        ((SO(3), 2, slice(0, 2)), ValueError, "d >= group.d = 3"),
        ((SO(3), 5.0, slice(0, 3)), TypeError, "d must be an integer >= 1; got float 5.0"),
        ((SO(3), 5, [0.0, 1.0, 2.0]), TypeError, "sequence of ints"),
        ((np.eye(3), 5, slice(0, 3)), TypeError, "needs a Group"),
    ],
)
def test_embed_errors(args, error, match):
    with pytest.raises(error, match=match):
        Embed(*args)


def test_custom_group_products_keep_validation():
    shear = Group(lie_algebra=[[[0.0, 1.0], [0.0, 0.0]]])
    product = shear * Z(3)
    assert product.d == 6 and not product.is_orthogonal


def test_product_with_a_sign_is_the_orthogonal_group():
    """O(1) x SO(3) = {+-R} = O(3): same algebra, same invariants (not those of SO(3))."""
    G = O(1) * SO(3)
    np.testing.assert_array_equal(G.lie_algebra, SO(3).lie_algebra)
    np.testing.assert_array_equal(G.discrete_generators[0], -np.eye(3))
    for k in (2, 3, 4):
        expected = equivariant_basis((V**k)(O(3))).shape[1]
        assert equivariant_basis((V**k)(G)).shape[1] == expected
    assert equivariant_basis((V**3)(SO(3))).shape[1] == 1 != equivariant_basis((V**3)(G)).shape[1]
