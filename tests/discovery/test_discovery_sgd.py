"""The "sgd" method: learned generators, their losses, and honest failure reports."""

import jax.numpy as jnp
import numpy as np
import pytest

from discovery import DiscoveryError, SGDConfig, discover_lie_algebra, identify, to_group
from groups import SO


def norm(x):
    return jnp.sum(x**2)


def test_three_generators_in_three_dimensions_learn_so3(largest_angle):
    result = discover_lie_algebra(norm, 3, method="sgd", n_generators=3, seed=0)
    assert result.success and result.method == "sgd"
    assert result.closure_error < 1e-3
    assert set(result.losses) == {"invariance", "normalization", "orthogonality", "closure"}
    assert all(value < 1e-8 for value in result.losses.values())
    assert largest_angle(result.algebra, SO(3).lie_algebra) < 1e-4
    report = identify(result)
    assert report.label == "so(3)" and report.compact and report.ideal_dims == (3,)
    # the history decreases to (nearly) zero
    assert result.history[-1][1] < 1e-12 < result.history[0][1]


def test_two_generators_for_the_norm_in_three_dimensions_are_reported_as_failing():
    # so(3) has no 2-dimensional subalgebra: the losses cannot all vanish
    with pytest.warns(RuntimeWarning, match="did not succeed"):
        result = discover_lie_algebra(norm, 3, method="sgd", n_generators=2, seed=0)
    assert not result.success
    assert result.closure_error > 1e-2
    assert max(result.losses.values()) > 1e-4
    with pytest.raises(ValueError, match="success=False"):
        to_group(result)


def test_without_the_closure_loss_the_closure_error_still_fails_the_run():
    config = SGDConfig(closure_loss=False)
    with pytest.warns(RuntimeWarning, match="closure error"):
        result = discover_lie_algebra(norm, 3, method="sgd", n_generators=2, sgd=config)
    assert not result.success
    # the trained losses do vanish: only the closure error tells the truth
    assert result.losses["invariance"] < 1e-8 and result.losses["orthogonality"] < 1e-8
    assert result.closure_error > 1e-2


def test_strict_mode_raises_on_failure():
    with pytest.raises(DiscoveryError, match="no 2-dimensional algebra"):
        discover_lie_algebra(
            norm, 3, method="sgd", n_generators=2, sgd=SGDConfig(steps=300), strict=True
        )


def test_sgd_is_deterministic_under_a_seed():
    a = discover_lie_algebra(norm, 3, method="sgd", n_generators=3, seed=4)
    b = discover_lie_algebra(norm, 3, method="sgd", n_generators=3, seed=4)
    assert a.success
    np.testing.assert_array_equal(a.algebra, b.algebra)
    assert a.losses == b.losses


def test_a_subalgebra_can_be_learned():
    # one generator of so(3): every single rotation generator is a 1-dim subalgebra
    result = discover_lie_algebra(norm, 3, method="sgd", n_generators=1)
    assert result.success and result.dim == 1
    np.testing.assert_allclose(result.algebra[0], -result.algebra[0].T, atol=1e-6)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"steps": 0}, "steps"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"loss_tol": 0.0}, "loss_tol"),
        ({"weights": (1.0, 1.0)}, "weights"),
        ({"history_points": 0}, "history_points"),
    ],
)
def test_sgd_config_validation(options, match):
    with pytest.raises(ValueError, match=match):
        SGDConfig(**options)
