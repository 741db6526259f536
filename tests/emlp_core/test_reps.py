import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from emlp_core import Rep, Scalar, SumRep, T, V
from groups import SO, Group, O, S, Z

GL2 = Group(lie_algebra=np.eye(4).reshape(4, 2, 2), name="GL(2)")  # not orthogonal: V.T != V


def test_sizes():
    G = SO(3)
    assert (V**3)(G).size() == 27
    assert (3 * V + V**2)(G).size() == 18
    assert (2 + V)(G).size() == 5 and (V + 2)(G).size() == 5
    assert (V**2 >> V)(G).size() == 27
    assert T(2, 1, G).size() == 27 and T(0, 0, G).size() == 1
    assert Scalar.size() == 1 and (V**0) == Scalar


def test_zero_copies_and_sum_of_a_list():
    G = SO(2)
    assert (0 + V)(G) == V(G)
    assert sum([V, V, Scalar])(G).size() == 5
    assert (0 * V)(G).size() == 0


def test_deferred_binding_equals_direct_binding():
    G = O(3)
    assert (V**2 >> V)(G) == V(G) ** 2 >> V(G)
    assert (V(G) + V) == (V + V)(G)  # an unbound part takes the bound part's group
    assert hash((V**2)(G)) == hash((V * V)(G))


def test_equality_and_hash_are_structural():
    assert V**2 == V * V and 3 * V == V + V + V
    assert V**2 != V**3 and V + V**2 != V**2 + V  # different layouts
    assert V(SO(3)) != V(O(3))
    assert len({V**2, V * V, V + V}) == 2


def test_dual_collapses_for_orthogonal_groups_only():
    assert V.T(SO(3)) == V(SO(3))
    assert V.T(GL2) != V(GL2)
    assert V.T.T == V and (V**2 >> V).T == (V.T**2 >> V.T)
    g = GL2.samples(1, seed=0)[0]
    np.testing.assert_allclose(V.T(GL2).rho(g), np.linalg.inv(g).T)


def test_repr():
    assert repr(V**2 >> V) == "V*V.T**2"
    assert repr(3 * V + V**2) == "3*V + V**2"
    assert repr(V(SO(3))) == "V(SO(3))"
    assert repr((V + Scalar) * V) == "(V + Scalar)*V"


def test_rho_of_a_product_is_a_kronecker_product():
    G = O(3)
    g = G.samples(1, seed=1)[0]
    np.testing.assert_allclose((V * V)(G).rho(g), np.kron(g, g), atol=1e-14)
    np.testing.assert_allclose(
        (V >> V)(GL2).rho(GL2.samples(1)[0]),
        np.kron(GL2.samples(1)[0], np.linalg.inv(GL2.samples(1)[0]).T),
        atol=1e-12,
    )


def test_rho_of_a_sum_is_block_diagonal_in_user_order():
    G = SO(3)
    g = G.samples(1, seed=2)[0]
    expected = scipy.linalg.block_diag(np.kron(g, g), [[1.0]], g)
    np.testing.assert_allclose((V**2 + Scalar + V)(G).rho(g), expected, atol=1e-14)


def test_product_of_sums_keeps_the_row_major_layout():
    G = SO(2)
    g = G.samples(1, seed=3)[0]
    rep = (V + Scalar) * (Scalar + V)
    expected = np.kron(scipy.linalg.block_diag(g, 1.0), scipy.linalg.block_diag(1.0, g))
    np.testing.assert_allclose(rep(G).rho(g), expected, atol=1e-14)


def test_drho_is_the_derivative_of_rho():
    G = SO(3)
    rep = (V**2 + V >> V)(G)
    A = G.lie_algebra[1]
    t = 1e-6
    numeric = (rep.rho(scipy.linalg.expm(t * A)) - rep.rho(scipy.linalg.expm(-t * A))) / (2 * t)
    np.testing.assert_allclose(rep.drho(A), numeric, atol=1e-8)


def test_canonical_form_groups_copies_of_each_type():
    G = O(5)
    rep = (V**0 + V + V**2)(G)
    form = (rep >> rep).canonical_form()
    assert [s.monomial.degree for s in form] == [0, 1, 2, 3, 4]
    assert [s.multiplicity for s in form] == [1, 2, 3, 2, 1]
    positions = np.concatenate([s.positions.ravel() for s in form])
    np.testing.assert_array_equal(np.sort(positions), np.arange(rep.size() ** 2))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: V.size(), ValueError, "has no group"),
        (lambda: (V + V).rho(np.eye(3)), ValueError, "has no group"),
        (lambda: (V(SO(3)) + V(SO(2)))(SO(3)), ValueError, "already bound"),
        (lambda: V(SO(3))(SO(2)), ValueError, "already bound"),
        (lambda: V("SO(3)"), TypeError, "groups.Group"),
        (lambda: V(SO(3)).rho(np.eye(2)), ValueError, r"\(3, 3\) matrix"),
        (lambda: V**-1, ValueError, ">= 0"),
        (lambda: V**1.5, TypeError, "integer"),
        (lambda: 2.5 * V, TypeError, "integer"),
        (lambda: V + "a", TypeError, "integer"),
        (lambda: T(-1), ValueError, ">= 0"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------- property-based
GROUPS = [SO(2), O(3), S(3), Z(4), GL2]
ATOMS = [V, V.T, Scalar]


def reps(depth: int = 2):
    leaves = st.sampled_from(ATOMS)
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
            children.map(lambda a: a.T),
            st.tuples(children, st.integers(1, 2)).map(lambda ak: ak[1] * ak[0]),
        ),
        max_leaves=4,
    )


def _rep_size_ok(rep: Rep) -> bool:
    return rep.size() <= 300


@settings(max_examples=60, deadline=None)
@given(rep=reps(), group_index=st.integers(0, len(GROUPS) - 1), seed=st.integers(0, 100))
def test_random_reps_are_homomorphisms_with_consistent_duals(rep, group_index, seed):
    G = GROUPS[group_index]
    bound = rep(G)
    if not _rep_size_ok(bound):
        return
    g, h = G.samples(2, seed=seed)
    n = bound.size()
    assert bound.rho(np.eye(G.d)).shape == (n, n)
    np.testing.assert_allclose(bound.rho(np.eye(G.d)), np.eye(n), atol=1e-12)
    np.testing.assert_allclose(bound.rho(g @ h), bound.rho(g) @ bound.rho(h), atol=1e-9)
    np.testing.assert_allclose(bound.T.rho(g), np.linalg.inv(bound.rho(g)).T, atol=1e-9)
    assert bound.T.size() == n and bound.T.T == bound
    for A in G.lie_algebra:
        np.testing.assert_allclose(bound.T.drho(A), -bound.drho(A).T, atol=1e-12)
    assert isinstance(SumRep(bound, bound).size(), int) and SumRep(bound, bound).size() == 2 * n
