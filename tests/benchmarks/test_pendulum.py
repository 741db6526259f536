"""The double spring pendulum: physics, integrators, data, metrics, training and CLI."""

import functools
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import pendulum
from benchmarks.dynamics_training import fit_dynamics, relative_error, rollout_metrics
from benchmarks.spring_pendulum import (
    PENDULUM_GROUPS,
    angular_momentum_z,
    hamiltonian,
    integrate_true,
    pendulum_data,
    rk4_rollout,
    sample_initial_conditions,
    true_vector_field,
)
from emlp_core import V
from groups import SO, Embed
from layers import assert_equivariant, equivariance_error
from layers.dynamics import symplectic_gradient
from layers.haiku import MLPH


def _initial(n=8, seed=0):
    return sample_initial_conditions(n, np.random.default_rng(seed))


def test_closed_form_field_is_j_grad_h(float64):
    z = _initial(16)
    by_autodiff = symplectic_gradient(jax.vmap(jax.grad(hamiltonian))(jnp.asarray(z)))
    np.testing.assert_allclose(true_vector_field(z), by_autodiff, rtol=1e-12, atol=1e-12)


def test_true_integrator_conserves_energy_and_angular_momentum(float64):
    z = integrate_true(_initial(6), 0.2, 151)  # 30 s
    energy = np.asarray(hamiltonian(z), dtype=np.float64)
    assert np.abs(energy - energy[:, :1]).max() < 1e-7 * np.abs(energy).max()
    lz = angular_momentum_z(z)
    assert np.abs(lz - lz[:, :1]).max() < 1e-8  # RK4 keeps quadratic invariants to O(h^4)
    assert np.abs(z[:, -1] - z[:, 0]).max() > 0.5  # it did move
    coarse = np.asarray(hamiltonian(integrate_true(_initial(6), 0.6, 51, step=0.6)))
    assert np.abs(coarse - coarse[:, :1]).max() > 100 * np.abs(energy - energy[:, :1]).max()


def test_dynamics_are_symmetric_about_z_only():
    G = PENDULUM_GROUPS["O2"]()
    rep = (4 * V)(G)
    x = _initial(8)
    assert_equivariant(true_vector_field, rep, rep, x=x, rtol=1e-10)
    for g in G.samples(3, seed=1):
        np.testing.assert_allclose(hamiltonian(x @ rep.rho(g).T), hamiltonian(x), rtol=1e-5)
    about_x = Embed(SO(2), 3, [1, 2])  # gravity breaks rotations about a horizontal axis
    rep_x = (4 * V)(about_x)
    assert equivariance_error(true_vector_field, rep_x, rep_x, x=x) > 1e-2
    for key in ("SO2", "D6", "D2"):  # the paper's variants are subgroups acting about z
        sub = PENDULUM_GROUPS[key]()
        assert_equivariant(true_vector_field, (4 * V)(sub), (4 * V)(sub), x=x, rtol=1e-10)


def test_jax_rk4_matches_the_reference_integrator():
    z0 = _initial(4)
    field = jax.vmap(lambda z: symplectic_gradient(jax.grad(hamiltonian)(z)))
    ours = rk4_rollout(field, jnp.asarray(z0, dtype=jnp.float32), 0.2, 11, substeps=2)
    reference = integrate_true(z0, 0.2, 11)
    assert ours.shape == (4, 11, 12)
    np.testing.assert_allclose(np.asarray(ours), reference, atol=2e-4)


def test_pendulum_data_is_seeded_and_made_of_true_chunks():
    data = pendulum_data(6, 3, 2, seed=1, duration=3.0)
    again = pendulum_data(6, 3, 2, seed=1, duration=3.0)
    np.testing.assert_array_equal(data.train, again.train)
    assert not np.allclose(data.train, pendulum_data(6, 3, 2, seed=2, duration=3.0).train)
    assert data.train.shape == (6, 5, 12) and data.val.shape == (3, 5, 12)
    assert data.test_true.shape == (2, 15, 12) and data.train.dtype == np.float32
    chunk = data.train.astype(np.float64)
    np.testing.assert_allclose(integrate_true(chunk[:, 0], 0.2, 5), chunk, atol=1e-5)
    np.testing.assert_array_equal(data.test_true[:, 0], data.test_z0)
    assert data.rep_for(PENDULUM_GROUPS["D2"]()).size() == 12
    with pytest.raises(ValueError, match="n_train"):
        pendulum_data(0)
    with pytest.raises(ValueError, match="chunk_len"):
        pendulum_data(2, 2, 2, chunk_len=1)


def test_moved_data_are_true_trajectories_of_the_moved_states():
    data = pendulum_data(3, 2, 2, seed=4, duration=2.0)
    g = data.group.samples(1, seed=2)[0]
    moved = data.act(g)
    rho = data.rep_in.rho(g)
    np.testing.assert_allclose(moved.train, data.train @ rho.T, rtol=1e-6, atol=1e-6)
    again = integrate_true(moved.test_z0.astype(np.float64), 0.2, moved.test_true.shape[1])
    np.testing.assert_allclose(moved.test_true, again, atol=1e-4)
    assert not np.allclose(moved.train, data.train)


def test_rollout_metrics_follow_the_paper_definition():
    true = integrate_true(_initial(3), 0.2, 10)
    perfect = rollout_metrics(true, true, np.arange(10) * 0.2)
    assert perfect["rollout_error"] == pytest.approx(1e-7)  # clamped, as the paper
    assert perfect["angular_momentum_error"] < 1e-10
    scaled = rollout_metrics(true * 1.1, true, np.arange(10) * 0.2)
    assert scaled["rollout_error"] == pytest.approx(0.1 / 2.1, rel=1e-9)
    assert scaled["rollout_error_time_avg"] == pytest.approx(0.1 / 2.1, rel=1e-9)
    assert len(scaled["rollout_error_curve"]) == 10
    np.testing.assert_allclose(relative_error(np.ones(3), np.zeros(3)), 1.0)


def test_fit_dynamics_learns_from_a_zero_field():
    data = pendulum_data(32, 16, 4, seed=0, duration=4.0)
    network = functools.partial(MLPH, data.rep_in, data.group, ch=32, num_layers=2)
    result = fit_dynamics(network, data, epochs=60, batch_size=32, evaluations=6, progress=False)
    first, last = result.history[0]["val"], min(h["val"] for h in result.history)
    assert last < 0.5 * first
    assert result.best_val_mse == pytest.approx(last)
    assert 0 < result.metrics["rollout_error"] < 1
    assert result.equivariance_error > 1e-4  # an MLP is not equivariant
    with pytest.raises(ValueError, match="positive"):
        fit_dynamics(network, data, epochs=0)


def test_cli_writes_json_and_plots(tmp_path, capsys):
    out = tmp_path / "pendulum.json"
    tiny = ["--seeds", "0", "--n-train", "8", "--n-val", "4", "--n-test", "3", "--epochs", "2"]
    model = ["--ch", "12", "--num-layers", "1", "--duration", "2", "--no-progress"]
    records = pendulum.main(
        ["--methods", "emlp-hnn", "mlp-ode", "--groups", "D6", *tiny, *model, "--out", str(out)]
    )
    saved = json.loads(out.read_text())
    assert saved == records and [r["variant"] for r in saved] == ["emlp-hnn-D6", "mlp-ode"]
    for key in ("rollout_error", "angular_momentum_error", "equivariance_error", "train_seconds"):
        assert all(np.isfinite(r[key]) for r in saved)
    assert saved[0]["model_group_equivariance_error"] < 1e-4
    assert len(saved[0]["rollout_error_curve"]) == 10
    assert out.with_suffix(".png").stat().st_size > 1000
    assert "rollout err" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        pendulum.main(["--groups", "C4"])
    with pytest.raises(SystemExit):
        pendulum.main(["--epochs", "0"])
    with pytest.raises(ValueError, match="unknown methods"):
        pendulum.run(["hnn"])


def test_diverged_rollouts_count_as_the_largest_relative_error():
    true = integrate_true(_initial(4), 0.2, 10)
    pred = true.copy()
    pred[0, 6:] = np.nan  # one trajectory overflows after 1.2 s
    scores = rollout_metrics(pred, true, np.arange(10) * 0.2)
    assert scores["diverged_rollouts"] == 1
    assert scores["rollout_error_curve"][-1] == pytest.approx(10 ** (-7 * 3 / 4))  # 1 and 3x 1e-7
    assert np.isfinite(scores["angular_momentum_error"]) and np.isfinite(scores["energy_error"])
