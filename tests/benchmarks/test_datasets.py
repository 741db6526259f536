"""The regression datasets: targets transform correctly, seeding, validation, reps."""

import numpy as np
import pytest

from benchmarks.datasets import (
    TASK_GROUPS,
    TASKS,
    inertia,
    particle_interaction,
    scattering_amplitude,
)
from groups import Lorentz, SO13p, minkowski_metric


def inertia_targets(x: np.ndarray) -> np.ndarray:
    """The obvious loop: sum_i m_i (|r_i|^2 I - r_i r_i^T), flattened row-major."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros((len(x), 3, 3))
    for n, row in enumerate(x):
        masses, positions = row[:5], row[5:].reshape(5, 3)
        for m, r in zip(masses, positions, strict=True):
            out[n] += m * (r @ r * np.eye(3) - np.outer(r, r))
    return out.reshape(len(x), 9)


def lepton_tensor_contraction(momenta: np.ndarray) -> np.ndarray:
    """4 L_e^{mu nu} L_mu,{mu nu} with explicit index placement (independent of the module)."""
    eta = minkowski_metric(1, 3)
    p1, p2, p3, p4 = (momenta[:, i] for i in range(4))
    dot = lambda a, b: np.einsum("ni,ij,nj->n", a, eta, b)  # noqa: E731
    upper = np.einsum("ni,nj->nij", p1, p3) - (dot(p1, p3) - dot(p1, p1))[:, None, None] * eta
    low2, low4 = p2 @ eta, p4 @ eta
    lower = np.einsum("ni,nj->nij", low2, low4) - (dot(p2, p4) - dot(p2, p2))[:, None, None] * eta
    return 4 * np.einsum("nij,nij->n", upper, lower)


def test_inertia_targets_match_the_definition_and_are_equivariant():
    data = inertia(32, seed=0)
    np.testing.assert_allclose(inertia_targets(data.x), data.y, rtol=1e-5, atol=1e-5)
    matrices = data.y.reshape(-1, 3, 3)
    np.testing.assert_allclose(matrices, matrices.transpose(0, 2, 1), atol=1e-5)
    assert np.all(np.linalg.eigvalsh(matrices.astype(np.float64)) > -1e-4)  # PSD
    assert np.all(data.x[:, :5] > 0)  # softplus masses
    for g in data.group.samples(3, seed=1):  # includes reflections
        moved = data.act(g)
        np.testing.assert_allclose(inertia_targets(moved.x), moved.y, rtol=1e-4, atol=1e-4)
    assert not np.allclose(data.act(data.group.samples(1, seed=2)[0]).y, data.y, atol=1e-2)


def test_particle_scattering_target_is_the_lepton_tensor_contraction():
    momenta = np.random.default_rng(0).standard_normal((64, 4, 4)) / 4
    np.testing.assert_allclose(
        scattering_amplitude(momenta), lepton_tensor_contraction(momenta), rtol=1e-12
    )
    data = particle_interaction(16, seed=3)
    np.testing.assert_allclose(
        data.y[:, 0], lepton_tensor_contraction(data.x.reshape(-1, 4, 4).astype(float)), rtol=1e-5
    )


@pytest.mark.parametrize("group", [Lorentz(), SO13p()])
def test_particle_scattering_target_is_lorentz_invariant(group):
    momenta = np.random.default_rng(1).standard_normal((32, 4, 4)) / 4
    y = scattering_amplitude(momenta)
    for g in group.samples(5, seed=2, scale=1.0):
        moved = np.einsum("ij,npj->npi", g, momenta)
        np.testing.assert_allclose(scattering_amplitude(moved), y, rtol=1e-8, atol=1e-10)
    # a Euclidean rotation mixing t and x is not a Lorentz transformation: y changes
    c, s = np.cos(0.7), np.sin(0.7)
    rotation = np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    moved = np.einsum("ij,npj->npi", rotation, momenta)
    assert not np.allclose(scattering_amplitude(moved), y, rtol=1e-3)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_datasets_are_seeded_and_validated(task):
    make = TASKS[task]
    np.testing.assert_array_equal(make(5, seed=3).x, make(5, seed=3).x)
    np.testing.assert_array_equal(make(5, seed=3).y, make(5, seed=3).y)
    assert not np.allclose(make(5, seed=3).x, make(5, seed=4).x)
    data = make(7, seed=0)
    assert data.x.dtype == np.float32 and data.y.dtype == np.float32
    assert data.x.shape == (7, data.rep_in.size()) and data.y.shape == (7, data.rep_out.size())
    assert len(data) == 7
    for bad in (0, -1):
        with pytest.raises(ValueError, match="n must be an integer >= 1"):
            make(bad)
    for bad in (2.5, True):
        with pytest.raises(TypeError, match="n must be an integer >= 1"):
            make(bad)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_act_applies_the_bound_reps_and_variants_rebind(task):
    data = TASKS[task](4, seed=0)
    g = data.group.samples(1, seed=5, scale=0.3)[0]
    moved = data.act(g)
    np.testing.assert_allclose(moved.x, data.x @ data.rep_in.rho(g).T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(moved.y, data.y @ data.rep_out.rho(g).T, rtol=1e-5, atol=1e-5)
    first, *rest = TASK_GROUPS[task].values()
    assert first() == data.group  # the first variant is the task's symmetry
    for make_group in rest:
        rep_in, rep_out = data.reps_for(make_group())
        assert rep_in.size() == data.rep_in.size() and rep_out.group == make_group()
