"""`benchmarks.modular`: the grokking transformer, its data and optimiser, the command line."""

from __future__ import annotations

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import modular
from benchmarks.modular_model import (
    ModularConfig,
    count_params,
    init_params,
    make_optimizer,
    modular_data,
    modular_model,
)


def reference_logits(params: dict, tokens: np.ndarray, config: ModularConfig) -> np.ndarray:
    """The transformer at every position, causal mask, float64 NumPy, one head at a time."""
    w = {k: np.asarray(v, np.float64) for k, v in params["transformer"].items()}
    x = w["W_E"][tokens] + w["W_pos"]  # (batch, 3, d_model)
    attention = np.zeros_like(x)
    for h in range(config.n_heads):
        q, k, v = (x @ w[name][h] for name in ("W_Q", "W_K", "W_V"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(config.d_head)
        scores[:, np.triu_indices(3, 1)[0], np.triu_indices(3, 1)[1]] = -np.inf
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        attention += weights @ v @ w["W_O"][h]
    x = x + attention
    x = x + np.maximum(x @ w["W_in"] + w["b_in"], 0) @ w["W_out"] + w["b_out"]
    return x @ w["W_U"]


def test_last_position_model_equals_the_all_positions_causal_model():
    config = ModularConfig(p=23)
    params = init_params(config, seed=1)
    rng = np.random.default_rng(0)
    params["transformer"]["b_in"] += rng.normal(size=config.d_mlp).astype(np.float32)
    params["transformer"]["b_out"] += rng.normal(size=config.d_model).astype(np.float32)
    data = modular_data(23)
    # every token anywhere, not only ``a b =``: the gathered projections are general
    tokens = np.concatenate([data.tokens, rng.integers(0, config.d_vocab, (200, 3))])
    fast, neurons = jax.jit(modular_model(config).apply)(params, tokens)
    full, all_neurons = jax.jit(modular_model(config, all_positions=True).apply)(params, tokens)
    assert fast.shape == (tokens.shape[0], 24) and full.shape == (tokens.shape[0], 3, 24)
    assert np.abs(fast - full[:, -1]).max() <= 1e-5
    assert np.abs(neurons - all_neurons[:, -1]).max() <= 1e-5
    reference = reference_logits(params, tokens, config)
    assert np.abs(reference).max() > 1  # not a trivially small output
    assert np.abs(full - reference).max() <= 1e-4
    assert np.abs(fast - reference[:, -1]).max() <= 1e-4


def test_parameters_match_the_hand_count_and_the_authors_initialisation():
    config = ModularConfig()
    shapes = jax.eval_shape(
        modular_model(config).init, jax.random.PRNGKey(0), jnp.zeros((1, 3), jnp.int32)
    )
    sizes = {k: math.prod(v.shape) for k, v in shapes["transformer"].items()}
    embed = 2 * 114 * 128 + 3 * 128  # W_E, W_U, W_pos
    attention = 4 * 4 * 32 * 128  # W_Q, W_K, W_V, W_O
    mlp = 2 * 128 * 512 + 512 + 128
    assert sum(sizes.values()) == count_params(config) == embed + attention + mlp == 226816
    params = init_params(config, seed=0)["transformer"]
    assert {k: v.shape for k, v in params.items()} == {
        k: v.shape for k, v in shapes["transformer"].items()
    }
    assert all(v.dtype == np.float32 for v in params.values())
    assert not params["b_in"].any() and not params["b_out"].any()
    assert np.std(params["W_in"]) == pytest.approx(1 / math.sqrt(128), rel=0.02)
    assert np.std(params["W_U"]) == pytest.approx(1 / math.sqrt(114), rel=0.05)
    assert not np.array_equal(init_params(config, seed=1)["transformer"]["W_E"], params["W_E"])


def test_data_split_sizes_disjointness_and_labels():
    data = modular_data(23, 0.3, seed=4)
    assert data.tokens.shape == (529, 3) and (data.tokens[:, 2] == 23).all()
    assert data.train.size == int(0.3 * 529) == 158 and data.test.size == 529 - 158
    assert np.intersect1d(data.train, data.test).size == 0
    assert np.array_equal(np.union1d(data.train, data.test), np.arange(529))
    a, b = data.tokens[:, 0], data.tokens[:, 1]
    assert np.array_equal(data.labels, (a + b) % 23)
    assert np.array_equal(np.flatnonzero(data.train_mask), data.train)
    assert np.array_equal(modular_data(23, 0.3, seed=4).train, data.train)
    assert not np.array_equal(modular_data(23, 0.3, seed=5).train, data.train)
    assert modular_data(113).train.size == 3830


def test_adamw_warm_up_starts_from_a_zero_step():
    config = ModularConfig(p=5, lr=1e-3, weight_decay=1.0)
    optimizer = make_optimizer(config)
    update = jax.jit(optimizer.update)
    params, grads = {"w": jnp.ones(3)}, {"w": jnp.ones(3)}
    state = optimizer.init(params)
    first, state = update(grads, state, params)
    assert np.abs(first["w"]).max() == 0  # lr * min(0 / 10, 1) = 0
    second, _ = update(grads, state, params)
    # lr / 10 times (Adam's unit step + weight decay 1 * w)
    assert np.allclose(second["w"], -1e-4 * 2, rtol=1e-5)


def test_analysis_finds_planted_key_frequencies():
    p, d_mlp = 13, 20
    data = modular_data(p, 0.5)
    a, b = data.tokens[:, 0], data.tokens[:, 1]
    rng = np.random.default_rng(0)
    neurons = rng.normal(size=(p * p, d_mlp))
    neurons[:, :6] = np.cos(2 * np.pi * 3 * (a + b) / p)[:, None] + rng.normal(size=6)
    neurons[:, 6:9] = np.sin(2 * np.pi * 1 * a / p)[:, None] * np.arange(1, 4)
    embedding = np.zeros((p + 1, 4))
    embedding[:p, 0] = np.cos(2 * np.pi * 2 * np.arange(p) / p)
    logits = np.eye(p + 1)[data.labels] * 10
    row = modular.analyse(logits, neurons, embedding, data, key_freqs=[3])
    assert row["key_frequencies"] == [3, 1] and row["neuron_counts"][2] == 6
    assert row["embedding_key_frequencies"] == [2] and row["embedding_gini"] == pytest.approx(5 / 6)
    assert row["train_acc"] == row["test_acc"] == 1.0 and row["test_loss"] < 1e-3
    assert row["restricted_loss"] > row["test_loss"] and row["excluded_loss"] is not None


def test_early_stop_needs_test_accuracy_held_for_the_patience():
    rows = [{"step": s, "test_acc": acc} for s, acc in [(0, 0.1), (100, 0.995), (200, 0.999)]]
    assert not modular._held(rows, 200)  # 0.1 at step 0 is inside the window
    assert modular._held(rows, 100)
    assert not modular._held(rows[:2], 200)  # not run long enough
    assert modular._first(rows, "test_acc") == 100


def test_quick_run_writes_the_record_and_figures_without_recompiling(tmp_path, monkeypatch):
    traces = []  # the training loss is traced once: one compiled step for the whole run

    def counting(logits, labels):
        traces.append(1)
        return cross_entropy(logits, labels)

    cross_entropy = modular.cross_entropy
    monkeypatch.setattr(modular, "cross_entropy", counting)
    out = tmp_path / "modular.json"
    argv = ["--quick", "--steps", "30", "--log-every", "10", "--no-progress", "--out", str(out)]
    modular.main(argv)
    assert len(traces) == 1
    (record,) = json.loads(out.read_text())
    assert record["benchmark"] == "modular" and record["part"] == "transformer"
    assert record["config"]["p"] == 23 and record["n_train"] == 158 and record["params"] > 0
    assert [row["step"] for row in record["history"]] == [0, 10, 20, 30]
    assert record["steps_run"] == 30 and record["step_seconds"] > 0 and "machine" in record
    for key in ("grokking_step", "memorization_step", "key_frequencies", "final"):
        assert key in record
    row = record["history"][-1]
    assert len(row["embedding_fractions"]) == 12 and len(row["neuron_counts"]) == 11
    assert row["train_loss"] < record["history"][0]["train_loss"]
    assert {"restricted_loss", "excluded_loss", "embedding_gini", "test_acc"} <= set(row)
    for name in ("loss", "accuracy", "spectrum"):
        assert (tmp_path / f"modular_{name}.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--p", "91"], "argument --p: p must be prime; got 91 = 7 * 13"),
        (["--p", "2"], "argument --p: expected an integer >= 3; got '2'"),
        (["--p", "7.5"], "argument --p: expected an integer >= 3; got '7.5'"),
        (["--frac", "1"], "argument --frac: expected a fraction in (0, 1); got '1'"),
        (["--frac", "0"], "argument --frac: expected a finite number > 0; got '0'"),
        (["--frac", "nan"], "argument --frac: expected a finite number > 0; got 'nan'"),
        (
            ["--p", "3", "--frac", "0.05"],
            "argument --frac: modular_data: frac=0.05 of the 9 pairs leaves 0",
        ),
        (["--steps", "0"], "argument --steps: expected a positive integer; got '0'"),
        (["--log-every", "-5"], "argument --log-every: expected a positive integer"),
        (["--seed", "-1"], "argument --seed: expected an integer in [0, 4294967295]"),
        (["--part", "equivariant"], "argument --part: invalid choice: 'equivariant'"),
        (["--out", "{tmp}"], "argument --out: expected a file path"),
    ],
)
def test_bad_command_line_exits_2_before_any_work(argv, fragment, tmp_path, monkeypatch, capsys):
    def forbidden(*args, **kwargs):
        raise AssertionError("work started on a bad command line")

    monkeypatch.setattr(modular, "train_transformer", forbidden)
    with pytest.raises(SystemExit) as exit_info:
        modular.main([a.format(tmp=tmp_path) for a in argv])
    assert exit_info.value.code == 2
    assert fragment in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"p": 91}, ValueError), ({"p": 113.0}, TypeError), ({"frac": 1.0}, ValueError),
     ({"frac": "0.3"}, TypeError), ({"d_mlp": 0}, ValueError), ({"lr": -1e-3}, ValueError)],
)  # fmt: skip
def test_bad_config_raises(kwargs, error):
    with pytest.raises(error):
        ModularConfig(**kwargs)
    if set(kwargs) <= {"p", "frac"}:
        with pytest.raises(error):
            modular_data(**({"p": 23} | kwargs))
