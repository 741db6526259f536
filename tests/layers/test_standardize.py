"""Standardisation statistics: invariant shifts, per-copy scales, and that they commute."""

import itertools

import numpy as np
import pytest

from emlp_core import Scalar, V
from groups import SO, Embed, O, S
from layers import copy_statistics, invariant_shift, standardization


@pytest.mark.parametrize(
    "rep, G",
    [
        (V + Scalar + V**2, O(3)),
        (2 * V + V**2, S(4)),
        (2 * V, Embed(SO(2), 3, [0, 1])),  # rotations about z: the z components are invariant
    ],
)
def test_invariant_shift_is_the_invariant_part_of_the_mean(rep, G, float64):
    rep = rep(G)
    rng = np.random.default_rng(0)
    values = 1.5 + rng.standard_normal((50, rep.size()))
    shift = invariant_shift(values, rep)
    for g in G.samples(4, seed=1):
        np.testing.assert_allclose(rep.rho(g) @ shift, shift, atol=1e-10)
    # the rest of the mean is orthogonal to every invariant vector
    basis = np.asarray(rep.equivariant_basis(sparse=False))
    np.testing.assert_allclose(basis.T @ (values.mean(0) - shift), 0.0, atol=1e-10)


def test_invariant_shift_about_the_z_axis_keeps_only_the_mean_heights(float64):
    rep = (2 * V)(Embed(SO(2), 3, [0, 1]))
    values = np.random.default_rng(4).standard_normal((30, 6)) + [1, 2, 3, 4, 5, 6]
    shift = invariant_shift(values, rep).reshape(2, 3)
    np.testing.assert_allclose(shift[:, :2], 0.0, atol=1e-12)
    np.testing.assert_allclose(shift[:, 2], values.mean(0).reshape(2, 3)[:, 2], atol=1e-12)


def test_invariant_shift_matches_group_averaging_for_a_finite_group(float64):
    rep = (V**2)(S(3))
    values = np.random.default_rng(1).standard_normal((20, 9)) + np.arange(9)
    elements = [np.eye(3)[list(p)] for p in itertools.permutations(range(3))]  # all of S(3)
    slow = np.mean([np.kron(P, P) @ values.mean(0) for P in elements], axis=0)  # group average
    np.testing.assert_allclose(invariant_shift(values, rep), slow, atol=1e-12)


def test_copy_statistics_scale_by_norm_or_by_coordinate():
    rep = (Scalar + 2 * V)(O(3))
    rng = np.random.default_rng(2)
    values = np.concatenate(
        [
            3 + 2 * rng.standard_normal((400, 1)),
            rng.standard_normal((400, 3)),
            5 * rng.standard_normal((400, 3)),
        ],
        axis=1,
    )
    shift, by_norm = copy_statistics(values, rep)  # "norm" is the default
    _, by_coordinate = copy_statistics(values, rep, scale_by="coordinate")
    np.testing.assert_allclose(shift[1:], 0.0)
    np.testing.assert_allclose(shift[0], values[:, 0].mean())
    for copy in (slice(1, 4), slice(4, 7)):
        assert len(set(by_norm[copy])) == 1 and len(set(by_coordinate[copy])) == 1
        norm = np.sqrt(np.mean(np.sum(values[:, copy] ** 2, axis=1)))
        np.testing.assert_allclose(by_norm[copy][0], norm)
        np.testing.assert_allclose(by_norm[copy][0], np.sqrt(3) * by_coordinate[copy][0])
    np.testing.assert_allclose(by_norm[0], values[:, 0].std())  # a scalar: same either way
    np.testing.assert_allclose(by_norm[0], by_coordinate[0])


def test_standardized_inputs_commute_with_the_group_action():
    G = O(3)
    rep = (2 * Scalar + 2 * V)(G)
    rng = np.random.default_rng(3)
    x = 1.0 + rng.standard_normal((100, rep.size()))
    stats = standardization(x, x[:, :1], rep, Scalar(G))
    standardize = lambda z: (z - stats.x_shift) / stats.x_scale  # noqa: E731
    for g in G.samples(3, seed=0):
        rho = rep.rho(g)
        np.testing.assert_allclose(
            standardize(x @ rho.T), standardize(x) @ rho.T, rtol=1e-5, atol=1e-5
        )
    assert stats.x_scale.dtype == np.float32 and stats.y_shift.dtype == np.float32
    np.testing.assert_array_equal(stats.x_shift, 0.0)  # inputs: scaled about the origin
    np.testing.assert_allclose(stats.y_shift, x[:, 0].mean(), rtol=1e-5)  # targets: centred


def test_bad_statistics_requests_raise():
    rep = V(SO(3))
    with pytest.raises(ValueError, match="scale_by"):
        copy_statistics(np.ones((4, 3)), rep, scale_by="max")
    with pytest.raises(ValueError, match=r"\(n >= 1, 3\)"):
        copy_statistics(np.ones((4, 2)), rep)
    with pytest.raises(ValueError, match=r"\(n >= 1, 3\)"):
        invariant_shift(np.ones((0, 3)), rep)
    with pytest.raises(ValueError, match="bound to a group"):
        copy_statistics(np.ones((4, 3)), V)
