"""Invariant counts through the solver on large tensor types.

Minutes (or a refused memory estimate) with a dense solver; about two seconds in all with
the structured strategies of `emlp_core.solver`, so they run by default.
"""

import numpy as np
import pytest

from benchmarks.paper_reference import (
    G2_TENSOR_POWERS,
    RUBIKS_CUBE_COUNTS,
    SO7_TENSOR_POWERS,
    T5_COUNTS,
)
from emlp_core import T, V, equivariant_basis
from groups import E6, F4, G2, SO, Alt, RubiksCube, S
from groups.albert import cubic_norm_tensor
from groups.exceptional import f4_cubic_form


def count(rep) -> int:
    return equivariant_basis(rep).shape[1]


def test_g2_quartic_invariants():
    assert count((V**4)(G2())) == G2_TENSOR_POWERS[4]  # 2401 dims; SO(7) has one fewer


def test_rubiks_cube_maps_between_facelets():
    # 9, not emlp's 6: see test_finite.test_orbit_counts_match_the_reference
    assert count((V >> V)(RubiksCube())) == RUBIKS_CUBE_COUNTS["V>>V"]  # 2304 dims


def test_alternating_group_rank_five_tensors():
    assert count(T(5)(Alt(5))) == T5_COUNTS["Alt(5)"]  # 3125 dims


def test_symmetric_group_rank_five_tensors():
    assert count(T(5)(S(5))) == T5_COUNTS["S(5)"]  # Bell number B(5)


def test_f4_bilinear_invariant():
    assert count((V**2)(F4())) == 1  # the trace form; 676 dims, 52 generators


def test_e6_maps_from_the_albert_algebra_to_itself():
    assert count((V >> V)(E6())) == 1  # only multiples of the identity; 729 dims, 78 generators


def test_so7_quartic_invariants():
    assert count((V**4)(SO(7))) == SO7_TENSOR_POWERS[4]  # the three pairings; G2 adds one


def dense_column(basis):
    basis = basis.toarray() if hasattr(basis, "toarray") else np.asarray(basis)
    assert basis.shape[1] == 1
    return basis[:, 0]


def test_e6_cubic_invariant_is_the_determinant():
    invariant = dense_column(equivariant_basis((V**3)(E6())))  # 19683 dims
    determinant = cubic_norm_tensor().ravel()
    assert abs(invariant @ determinant) == pytest.approx(np.linalg.norm(determinant), rel=1e-8)


def test_f4_cubic_invariant_is_the_restricted_determinant():
    invariant = dense_column(equivariant_basis((V**3)(F4())))  # 17576 dims
    form = f4_cubic_form().ravel()
    assert abs(invariant @ form) == pytest.approx(np.linalg.norm(form), rel=1e-8)
