"""Fourier analysis of addition mod p (`analysis.modular`) against explicit cos/sin sums."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.modular import (
    assign_neurons,
    check_prime,
    excluded_logits,
    excluded_loss,
    modular_accuracy,
    modular_loss,
    pair_fourier,
    pair_frequency_fractions,
    restricted_logits,
    restricted_loss,
)


def grid(p: int) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.arange(p), np.arange(p), indexing="ij")


def basis_function(p: int, index: int, x: np.ndarray) -> np.ndarray:
    """Column ``index`` of the real Fourier basis at ``x``, written out."""
    if index == 0:
        return np.full(x.shape, 1 / math.sqrt(p))
    k, trig = (index + 1) // 2, (np.cos if index % 2 else np.sin)
    return math.sqrt(2 / p) * trig(2 * math.pi * k * x / p)


def fourier_circuit(p: int, keys, alpha: float, extra: int = 0) -> np.ndarray:
    """``alpha sum_k cos(w_k (a + b - c))`` for ``c < p``, then ``extra`` columns of -3."""
    a, b = grid(p)
    d = np.arange(p)  # the logit depends on d = (a + b - c) mod p only
    table = alpha * np.cos(2 * np.pi * np.outer(d, keys) / p).sum(axis=1)
    logits = table[((a + b)[:, :, None] - d) % p]
    return np.concatenate([logits, np.full((p, p, extra), -3.0)], axis=-1)


def circuit_alpha(p: int, keys) -> float:
    """A scale making the circuit's loss below ``exp(-10)``: margin over every wrong answer."""
    d = np.arange(1, p)[:, None]
    gap = len(keys) - np.cos(2 * np.pi * d * np.array(keys) / p).sum(axis=1).max()
    return (math.log(p) + 10) / gap


# ------------------------------------------------------------------ primes and spectra
def test_check_prime():
    slow = [n for n in range(2, 200) if all(n % d for d in range(2, n))]
    assert [n for n in range(200) if _is_accepted(n)] == slow
    for bad in (0, 1, -7, 91, 4, 113 * 127):
        with pytest.raises(ValueError, match="p must be prime"):
            check_prime(bad)
    for bad in (7.0, True, "7", None):
        with pytest.raises(TypeError, match="p must be an integer"):
            check_prime(bad)
    assert check_prime(np.int64(113)) == 113


def _is_accepted(n: int) -> bool:
    try:
        check_prime(n)
    except ValueError:
        return False
    return True


def test_pair_fourier_matches_explicit_double_sum():
    p = 5
    values = np.random.default_rng(0).normal(size=(p, p, 3))
    a, b = grid(p)
    slow = np.zeros((p, p, 3))
    for i in range(p):
        for j in range(p):
            weight = basis_function(p, i, a) * basis_function(p, j, b)
            slow[i, j] = np.einsum("ab,abn->n", weight, values)
    np.testing.assert_allclose(pair_fourier(values), slow, atol=1e-12)


def test_pair_frequency_fractions_match_least_squares():
    p = 7
    values = np.random.default_rng(1).normal(size=(p, p, 4))
    a, b = grid(p)
    centred = (values - values.mean(axis=(0, 1))).reshape(p * p, -1)
    fractions = pair_frequency_fractions(values)
    assert fractions.shape == (3, 4)
    for k in range(1, 4):
        w = 2 * np.pi * k / p
        ones = np.ones((p, p))
        terms = [ones, np.cos(w * a), np.sin(w * a)], [ones, np.cos(w * b), np.sin(w * b)]
        design = np.stack([f * g for f in terms[0] for g in terms[1]][1:], -1).reshape(p * p, 8)
        fitted = design @ np.linalg.lstsq(design, centred, rcond=None)[0]
        expected = (fitted**2).sum(axis=0) / (centred**2).sum(axis=0)
        np.testing.assert_allclose(fractions[k - 1], expected, atol=1e-12)
    assert (fractions.sum(axis=0) <= 1 + 1e-12).all()


def test_assign_neurons_on_planted_neurons():
    p, rng = 23, np.random.default_rng(2)
    a, b = grid(p)
    w = 2 * np.pi * np.arange(12) / p
    neurons = [
        np.cos(w[5] * a) * np.cos(w[5] * b),  # 5
        np.sin(w[9] * (a + b)) + 0.3 * np.cos(w[9] * a),  # 9
        np.cos(w[2] * a) + np.sin(w[2] * b),  # 2
        np.cos(w[3] * a) * np.cos(w[7] * b),  # two frequencies: none
        rng.normal(size=(p, p)),  # none
        np.full((p, p), 4.0),  # constant (a dead neuron): none, NaN fractions
    ]
    activations = np.stack(neurons, axis=-1) + 0.01 * rng.normal(size=(p, p, len(neurons)))
    activations[:, :, -1] = 4.0
    result = assign_neurons(activations)
    assert result.assigned.tolist() == [5, 9, 2, -1, -1, -1]
    assert result.frequencies.tolist() == list(range(1, 12))
    assert result.fractions[4, 0] > 0.99 and np.isnan(result.fractions[:, -1]).all()
    np.testing.assert_allclose(
        result.fractions[:, :-1], pair_frequency_fractions(activations)[:, :-1]
    )
    assert assign_neurons(activations, threshold=0.2).assigned[4] == -1


def test_spectra_reject_bad_input():
    with pytest.raises(ValueError, match="p must be prime; got 9"):
        pair_fourier(np.ones((9, 9)))
    with pytest.raises(ValueError, match="odd prime"):
        pair_frequency_fractions(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"shape \(p, p, \.\.\.\)"):
        pair_fourier(np.ones((5, 7, 2)))
    with pytest.raises(ValueError, match=r"\(p, p, n_neurons\)"):
        assign_neurons(np.ones((5, 5)))
    with pytest.raises(ValueError, match="threshold"):
        assign_neurons(np.ones((5, 5, 2)), threshold=0)
    with pytest.raises(TypeError, match="threshold"):
        assign_neurons(np.ones((5, 5, 2)), threshold="high")
    with pytest.raises(ValueError, match="NaN or infinite"):
        assign_neurons(np.full((5, 5, 2), np.nan))


# ------------------------------------------------------------------ losses
def test_modular_loss_and_accuracy_match_explicit_loops():
    p, rng = 5, np.random.default_rng(3)
    logits = rng.normal(size=(p, p, p + 1))
    losses, hits = np.zeros((p, p)), np.zeros((p, p))
    for a in range(p):
        for b in range(p):
            row = logits[a, b]
            losses[a, b] = math.log(sum(math.exp(v) for v in row)) - row[(a + b) % p]
            hits[a, b] = int(np.argmax(row)) == (a + b) % p
    assert modular_loss(logits) == pytest.approx(losses.mean(), rel=1e-12)
    assert modular_accuracy(logits) == pytest.approx(hits.mean())
    mask = rng.uniform(size=(p, p)) < 0.5
    pairs = np.argwhere(mask)
    expected = losses[mask].mean()
    assert modular_loss(logits, mask) == pytest.approx(expected, rel=1e-12)
    assert modular_loss(logits, pairs) == pytest.approx(expected, rel=1e-12)
    assert modular_loss(logits, pairs[:, 0] * p + pairs[:, 1]) == pytest.approx(expected)
    assert modular_loss(logits, np.concatenate([pairs, pairs])) == pytest.approx(expected)
    assert modular_accuracy(logits, mask) == pytest.approx(hits[mask].mean())
    assert modular_loss(1e4 * logits) < np.inf  # stable for large logits


def test_restricted_and_excluded_logits_match_least_squares():
    p, keys = 11, [2, 5]
    logits = np.random.default_rng(4).normal(size=(p, p, p + 2))
    a, b = grid(p)
    regressors = [np.ones((p, p))]
    for k in keys:
        regressors += [np.cos(2 * np.pi * k * (a + b) / p), np.sin(2 * np.pi * k * (a + b) / p)]
    design = np.stack(regressors, -1).reshape(p * p, -1)
    flat = logits.reshape(p * p, -1)[:, :p]
    fit = design @ np.linalg.lstsq(design, flat, rcond=None)[0]
    restricted = restricted_logits(logits, keys)
    excluded = excluded_logits(logits, np.array(keys))
    np.testing.assert_allclose(restricted[:, :, :p].reshape(p * p, p), fit, atol=1e-12)
    np.testing.assert_allclose(
        excluded[:, :, :p].reshape(p * p, p), flat - fit + flat.mean(axis=0), atol=1e-12
    )
    np.testing.assert_array_equal(restricted[:, :, p:], logits[:, :, p:])
    np.testing.assert_array_equal(excluded[:, :, p:], logits[:, :, p:])
    mean_only = restricted_logits(logits, [])[:, :, :p].reshape(p * p, p)
    np.testing.assert_allclose(mean_only, np.broadcast_to(flat.mean(axis=0), (p * p, p)))
    np.testing.assert_array_equal(excluded_logits(logits, []), logits)


@pytest.mark.parametrize(("p", "keys"), [(23, [3, 8]), (31, [4, 11, 14]), (113, [14, 35, 41, 52])])
def test_perfect_fourier_circuit(p, keys):
    logits = fourier_circuit(p, keys, circuit_alpha(p, keys))
    train = np.random.default_rng(p).uniform(size=(p, p)) < 0.3
    full = modular_loss(logits)
    assert full < 1e-3 and modular_accuracy(logits) == 1.0
    assert restricted_loss(logits, keys) == pytest.approx(full, abs=1e-9)
    assert excluded_loss(logits, keys, train) == pytest.approx(math.log(p), abs=1e-9)
    assert restricted_loss(logits, keys[:1]) > 0.1  # one key frequency is not enough


def test_circuit_with_extra_column_and_a_non_key_component():
    p, keys = 23, [3, 8]
    logits = fourier_circuit(p, keys, circuit_alpha(p, keys), extra=1)
    a, b = grid(p)
    noise = 2.0 * np.cos(2 * np.pi * 6 * (a + b))[:, :, None] * np.ones(p + 1)
    noise[:, :, p] = 0.0
    train = np.argwhere(np.random.default_rng(5).uniform(size=(p, p)) < 0.3)
    restricted = restricted_loss(logits + noise, keys)
    assert restricted == pytest.approx(modular_loss(logits), abs=1e-9)
    expected_excluded = modular_loss(excluded_logits(logits + noise, keys), train)
    assert excluded_loss(logits + noise, keys, train) == pytest.approx(expected_excluded)
    assert expected_excluded > math.log(p)  # the '=' column (-3) and the noise only add


def test_losses_reject_bad_input():
    logits = np.zeros((7, 7, 7))
    with pytest.raises(ValueError, match="p must be prime; got 9"):
        modular_loss(np.zeros((9, 9, 9)))
    with pytest.raises(ValueError, match="n_out >= p = 7"):
        modular_loss(np.zeros((7, 7, 6)))
    with pytest.raises(ValueError, match=r"\(p, p, n_out\)"):
        modular_accuracy(np.zeros((7, 7)))
    with pytest.raises(ValueError, match=r"1 \.\. \(p-1\)/2 = 3"):
        restricted_logits(logits, [0, 1])
    with pytest.raises(ValueError, match=r"1 \.\. \(p-1\)/2 = 3"):
        excluded_logits(logits, [4])
    with pytest.raises(ValueError, match="distinct"):
        restricted_loss(logits, [2, 2])
    with pytest.raises(TypeError, match="integers"):
        restricted_loss(logits, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"boolean \(7, 7\) mask"):
        excluded_loss(logits, [1], np.ones((8, 8), dtype=bool))
    with pytest.raises(ValueError, match="outside the 7 x 7 grid"):
        excluded_loss(logits, [1], np.array([[0, 7]]))
    with pytest.raises(ValueError, match="outside the 7 x 7 grid"):
        modular_loss(logits, np.array([49]))
    with pytest.raises(ValueError, match="selects no pair"):
        excluded_loss(logits, [1], np.zeros((7, 7), dtype=bool))
    with pytest.raises(ValueError, match="train .* is required"):
        excluded_loss(logits, [1], None)
