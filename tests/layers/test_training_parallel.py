"""`layers.training.train` with ``devices=4`` on four simulated CPU devices.

JAX fixes its device count when it starts, so the training runs in a fresh process
(`parallel_child.py`) started with ``XLA_FLAGS=--xla_force_host_platform_device_count=4``
and ``JAX_PLATFORMS=cpu``; these tests check the JSON it prints.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
DEVICES, ROWS, STEPS = 4, 64, 20


@pytest.fixture(scope="module")
def facts() -> dict:
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if "device_count" not in f]
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {
        **os.environ,
        "XLA_FLAGS": " ".join([*flags, f"--xla_force_host_platform_device_count={DEVICES}"]),
        "JAX_PLATFORMS": "cpu",
        "PYTHONPATH": os.pathsep.join(path),
    }
    command = [sys.executable, str(HERE / "parallel_child.py")]
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_child_sees_four_cpu_devices(facts):
    assert facts["backend"] == "cpu" and facts["device_count"] == DEVICES


def test_four_devices_follow_the_single_device_trajectory(facts):
    single, parallel = np.array(facts["single_losses"]), np.array(facts["parallel_losses"])
    assert facts["single_steps"] == facts["parallel_steps"] == STEPS
    assert len(single) == len(parallel) == STEPS  # one train_loss per step
    assert np.all(np.isfinite(single)) and single[-1] < single[0]  # it trains
    np.testing.assert_allclose(parallel, single, rtol=1e-5)
    assert facts["max_param_relative_difference"] < 1e-5


def test_batch_is_sharded_inside_the_compiled_step(facts):
    (single,) = facts["step_sharding_single"]  # traced once: nothing recompiles
    assert single["devices"] == 1 and single["shard_shape"] == [ROWS, 10]
    parallel = facts["step_sharding_parallel"]
    assert parallel  # the callback ran
    for sharding in parallel:
        assert sharding["spec"] == ["data"] and sharding["devices"] == DEVICES
        assert sharding["shard_shape"] == [ROWS // DEVICES, 10]
        assert not sharding["fully_replicated"]
    params = facts["param_sharding"]  # parameters stay replicated
    assert params["fully_replicated"] and params["devices"] == DEVICES


def test_put_batch_gives_each_device_its_own_rows(facts):
    put = facts["put_batch"]
    assert put["sharding"]["spec"] == ["data"] and not put["sharding"]["fully_replicated"]
    shards = put["shards"]
    assert len(shards) == DEVICES and len({s["device"] for s in shards}) == DEVICES
    rows = ROWS // DEVICES
    assert [s["rows"] for s in shards] == [[k * rows, (k + 1) * rows] for k in range(DEVICES)]
    assert all(s["shape"] == [rows, 10] and s["matches"] for s in shards)


def test_batch_that_does_not_split_and_too_many_devices_are_refused(facts):
    uneven = facts["uneven_batch_error"]
    assert uneven is not None and f"batch of {ROWS - 2} rows" in uneven
    assert f"does not split over {DEVICES} devices" in uneven
    too_many = facts["too_many_devices_error"]
    assert too_many is not None and f"devices={2 * DEVICES}" in too_many
    assert f"JAX sees {DEVICES}" in too_many and "xla_force_host_platform_device_count" in too_many
