"""Enumerated finite groups: elements, conjugacy classes, centre, regular and coset reps."""

import numpy as np
import pytest

from emlp_core import CosetRep, RegularRep, V
from groups import Q8, SO, Alt, Cube, D, Group, O, S, Z, ZksZnxZn
from groups.classes import center, conjugacy_classes
from groups.enumeration import element_table
from layers import assert_equivariant


def quaternion_group() -> Group:
    return Q8()


def dihedral_on_points(n: int) -> Group:
    """D(n) acting on the n vertices of the n-gon by permutation matrices."""
    shift = np.roll(np.eye(n), 1, axis=0)
    flip = np.eye(n)[[(-k) % n for k in range(n)]]
    return Group(discrete_generators=[shift, flip], name=f"D{n} on {n} points")


@pytest.mark.parametrize(
    "group, order",
    [(S(5), 120), (Alt(5), 60), (D(6), 12), (Cube(), 24), (ZksZnxZn(4, 3), 36)],
    ids=["S5", "A5", "D6", "Cube", "Z4xZ3xZ3"],
)
def test_orders_by_enumeration(group, order):
    table = element_table(group)
    assert table.order == order == len(group.elements())
    np.testing.assert_array_equal(table.matrices[0], np.eye(group.d))
    # left and right multiplication by a generator permute the elements
    for k, h in enumerate(group.discrete_generators):
        assert sorted(table.left[k]) == list(range(order)) == sorted(table.right[k])
        i = order // 2
        np.testing.assert_allclose(
            table.matrices[table.left[k, i]], h @ table.matrices[i], atol=1e-12
        )


def _brute_force_classes(group) -> list[frozenset]:
    table = element_table(group)
    inverse = [np.linalg.inv(x) for x in table.matrices]
    return sorted(
        {
            frozenset(table.index(x @ g @ y) for x, y in zip(table.matrices, inverse, strict=True))
            for g in table.matrices
        },
        key=min,
    )


@pytest.mark.parametrize(
    "group, count",
    [(S(4), 5), (dihedral_on_points(4), 5), (quaternion_group(), 5), (Alt(5), 5), (S(5), 7)],
    ids=["S4", "D4", "Q8", "A5", "S5"],
)
def test_conjugacy_classes_against_brute_force(group, count):
    classes = conjugacy_classes(group)
    assert len(classes.sizes) == count
    assert classes.sizes.sum() == element_table(group).order
    assert classes.labels[0] == 0 and classes.sizes[0] == 1  # the identity's class first
    fast = sorted(
        (frozenset(np.flatnonzero(classes.labels == c).tolist()) for c in range(count)), key=min
    )
    assert fast == _brute_force_classes(group)


def test_centres():
    assert center(D(4)).size == 2 and center(D(5)).size == 1
    assert center(quaternion_group()).size == 2 and center(S(4)).size == 1
    assert center(Z(6)).size == 6


def test_regular_representation_commutant_has_the_group_order():
    for group, order in [(dihedral_on_points(4), 8), (S(4), 24)]:
        reg = RegularRep(group)
        assert reg.size() == order
        basis = (reg >> reg).equivariant_basis(sparse=False)
        assert basis.shape == (order * order, order)
        for g in group.random_elements(3, seed=2):
            rho = (reg >> reg).rho(g)
            np.testing.assert_allclose(rho @ basis, basis, atol=1e-12)


def test_coset_representations():
    transposition = Group(discrete_generators=S(4).discrete_generators[:1], name="<(0 1)>")
    cosets = CosetRep(S(4), transposition)
    assert cosets.size() == 12
    # Frobenius reciprocity: Hom(Ind 1, V) = the <(0 1)>-invariants of V = its 3 orbits
    assert (cosets >> V(S(4))).equivariant_basis().shape[1] == 3
    assert CosetRep(S(4), S(4)).size() == 1
    trivial = Group(discrete_generators=np.eye(4)[None], name="1")
    assert CosetRep(S(4), trivial).size() == 24


def test_layers_on_regular_and_coset_reps_are_equivariant():
    import haiku as hk
    import jax

    G = dihedral_on_points(4)
    rep_in, rep_out = RegularRep(G) + V(G), RegularRep(G)
    model = hk.without_apply_rng(
        hk.transform(lambda x: __import__("layers").EMLP(rep_in, rep_out, G, ch=32)(x))
    )
    x = np.random.default_rng(0).standard_normal((3, rep_in.size())).astype(np.float32)
    params = model.init(jax.random.PRNGKey(0), x)
    assert_equivariant(lambda z: model.apply(params, z), rep_in, rep_out, G, x=x)


@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda: O(3).elements(), ValueError, "Lie algebra"),
        (lambda: element_table(S(9), limit=1000), ValueError, "more than 1000 elements"),
        (lambda: element_table(S(3), limit=0), ValueError, "limit"),
        (lambda: element_table("S(3)"), TypeError, "groups.Group"),
        (lambda: conjugacy_classes(SO(3)), ValueError, "Lie algebra"),
        (lambda: RegularRep(S(8)), ValueError, "MAX_PERMUTATION_REP_SIZE"),
        (
            lambda: CosetRep(S(4), Group(discrete_generators=[np.eye(4)[[1, 2, 3, 0]] * -1])),
            ValueError,
            "not a subgroup",
        ),
        (lambda: CosetRep(S(4), S(3)), ValueError, r"acts on R\^3"),
        (lambda: element_table(S(3)).index(np.ones((3, 3))), ValueError, "not an element"),
    ],
)
def test_bad_finite_group_input(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()


def test_group_order_uses_schreier_sims_or_enumeration_and_they_agree():
    from groups import RubiksCube

    assert RubiksCube().order() == 43252003274489856000  # Schreier–Sims, nothing listed
    for group in [S(5), Alt(5), Cube(), ZksZnxZn(4, 3), dihedral_on_points(6)]:
        assert group.order() == element_table(group).order  # fast path against enumeration
    assert D(6).order() == 12 and quaternion_group().order() == 8  # not permutation groups
    with pytest.raises(ValueError, match="Lie algebra"):
        SO(3).order()
