"""Invariant counts of the built-in groups through the solver (types of size <= ~800).

Known values from `benchmarks.paper_reference` (each with its source); the larger cases
are in test_large_invariant_counts.py.
"""

import pytest

from benchmarks.paper_reference import (
    G2_TENSOR_POWERS,
    LORENTZ_T2_TO_T2,
    RUBIKS_CUBE_COUNTS,
    SO7_TENSOR_POWERS,
    SYMPLECTIC_V2,
)
from emlp_core import V, equivariant_basis
from groups import (
    E6,
    G2,
    O13,
    SO,
    SO13,
    SU,
    Alt,
    Cube,
    RubiksCube,
    S,
    SO13p,
    Sp,
    U,
)


def count(rep) -> int:
    return equivariant_basis(rep).shape[1]


@pytest.mark.parametrize("k", [2, 3])
def test_g2_invariants_of_tensor_powers(k):
    assert count((V**k)(G2())) == G2_TENSOR_POWERS[k]


@pytest.mark.parametrize("k", [2, 3])
def test_so7_has_no_cubic_invariant(k):
    assert count((V**k)(SO(7))) == SO7_TENSOR_POWERS[k]  # the G2 3-form tells them apart


@pytest.mark.parametrize(
    "G, expected",
    [
        (SO13p(), LORENTZ_T2_TO_T2["SO(1,3)"]),
        (SO13(), LORENTZ_T2_TO_T2["SO(1,3)"]),  # -I changes no count on T(2) -> T(2)
        (O13(), LORENTZ_T2_TO_T2["O(1,3)"]),
    ],
    ids=repr,
)
def test_lorentz_maps_between_rank_two_tensors(G, expected):
    # T(2) -> T(2): three pairings with the metric, plus Levi-Civita without parity
    assert count((V**2 >> V**2)(G)) == expected


@pytest.mark.parametrize("m", [1, 2, 3])
def test_symplectic_form_is_the_only_bilinear_invariant(m):
    assert count((V**2)(Sp(m))) == SYMPLECTIC_V2


def test_unitary_groups_keep_the_metric_and_the_complex_structure():
    assert count((V**2)(U(2))) == 2
    assert count((V**2)(SU(3))) == 2


@pytest.mark.parametrize(
    "G, k, expected", [(Alt(5), 3, 5), (S(5), 3, 5), (Alt(5), 4, 16), (S(5), 4, 15)], ids=str
)
def test_alternating_group_has_more_invariants_than_symmetric(G, k, expected):
    assert count((V**k)(G)) == expected


def test_rubiks_cube_vector_invariants():
    assert count(V(RubiksCube())) == RUBIKS_CUBE_COUNTS["V"]  # corner and edge facelets


def test_cube_face_pairs():
    assert count((V >> V)(Cube())) == 3  # same, adjacent, opposite faces


@pytest.mark.parametrize(
    "G, rep, expected",
    [
        (S(4) * SO(3), V >> V, 2),  # (identity, all-ones) (x) identity
        (S(3) * SO(3), V**2, 2),
        (S(4) * SO(3), V, 0),
        (SO(3) * SO(3), V**2, 1),
    ],
    ids=str,
)
def test_point_cloud_products(G, rep, expected):
    assert count(rep(G)) == expected


def test_e6_fixes_no_vector():
    assert count(V(E6())) == 0
