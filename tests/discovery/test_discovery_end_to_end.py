"""From an oracle to an exactly equivariant model, and the demo script."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from discovery import demo, discover_lie_algebra, to_group
from emlp_core import V
from groups import SO
from layers import EMLP, assert_equivariant, equivariance_error


def emlp_on(group, seed=0, ch=32):
    model = hk.without_apply_rng(hk.transform(lambda x: EMLP(2 * V, V, group, ch=ch)(x)))
    params = model.init(jax.random.PRNGKey(seed), jnp.ones((1, 2 * group.d), jnp.float32))
    return lambda x: model.apply(params, x)


def test_emlp_on_the_discovered_so3_is_equivariant_under_the_exact_so3():
    result = discover_lie_algebra(lambda x: jnp.sum(x**2), 3)
    model = emlp_on(to_group(result, name="discovered so(3)"))
    x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    assert np.asarray(model(x)).dtype == np.float32  # the 1e-5 is float32's tolerance
    exact = SO(3)
    error = assert_equivariant(model, (2 * V)(exact), V(exact), exact, rtol=1e-5)
    assert error < 1e-5


def test_emlp_on_a_smaller_discovered_algebra_is_not_so3_equivariant():
    # x0^2 + x1^2 + x2 has only the rotations about the third axis: the check must see it
    result = discover_lie_algebra(lambda x: x[0] ** 2 + x[1] ** 2 + x[2], 3)
    assert result.dim == 1
    model = emlp_on(to_group(result), ch=16)
    exact = SO(3)
    assert equivariance_error(model, (2 * V)(exact), V(exact), exact) > 1e-3


def test_demo_runs_quickly(capsys):
    records = demo.main(["--quick"])
    printed = capsys.readouterr().out
    assert "label so(4)" in printed and "ideals [3, 3]" in printed
    assert "sgd, k=7  : success=False" in printed
    emlp = next(r for r in records if r["method"] == "emlp")
    mlp = next(r for r in records if r["method"] == "mlp")
    assert emlp["equivariance_error"] < 1e-4 < mlp["equivariance_error"]
    assert np.isfinite(emlp["test_mse"]) and np.isfinite(mlp["test_mse"])


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_demo_metric_is_positive_definite(bad):
    metric = demo.hidden_metric()
    assert np.linalg.eigvalsh(metric).min() > bad
