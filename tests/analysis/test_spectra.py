"""Irrep and frequency spectra (`analysis.spectra`) against slow, obvious computations."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.spectra import (
    assign_frequencies,
    frequency_spectrum,
    gini,
    irrep_spectrum,
    key_frequencies,
)
from emlp_core import RegularRep, V
from groups import SO, S, Z
from groups.enumeration import element_table


def slow_frequency_energies(x: np.ndarray) -> np.ndarray:
    """``(p//2 + 1, n)``: energy per frequency from the complex DFT of each column."""
    p = x.shape[0]
    X = np.fft.rfft(x, axis=0)
    weight = np.where((np.arange(X.shape[0]) == 0) | (2 * np.arange(X.shape[0]) == p), 1, 2)
    return weight[:, None] * np.abs(X) ** 2 / p


# ------------------------------------------------------------------ irrep_spectrum
def test_regular_s3_spectrum_matches_character_projectors():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6, 3))  # S(3) acts on axis 1
    spectrum = irrep_spectrum(x, RegularRep(S(3)), axis=1)
    assert spectrum.labels == ("1", "1'", "2")
    assert spectrum.dims == (1, 1, 2) and spectrum.multiplicities == (1, 1, 2)
    assert spectrum.kinds == ("real", "real", "real")

    signs = np.linalg.det(element_table(S(3)).matrices)  # sign(g), a copy of 1' in Reg
    columns = np.moveaxis(x, 1, 0).reshape(6, -1)
    trivial = columns.sum(axis=0) ** 2 / 6
    sign = (signs @ columns) ** 2 / 6
    rest = (columns**2).sum(axis=0) - trivial - sign
    np.testing.assert_allclose(spectrum.squared_norms, [trivial, sign, rest], atol=1e-12)
    total = (x**2).sum()
    np.testing.assert_allclose(
        spectrum.fractions, [trivial.sum() / total, sign.sum() / total, rest.sum() / total]
    )
    np.testing.assert_allclose(spectrum.slice_fractions.sum(axis=0), 1.0)


def test_slices_in_one_irrep_are_found():
    rng = np.random.default_rng(1)
    rep = V(S(4))  # 1 + 3
    x = rng.normal(size=(4, 3))
    x[:, 0] = 2.0  # invariant
    x[:, 1] -= x[:, 1].mean()  # in the 3-dim irrep
    spectrum = irrep_spectrum(x, rep)
    np.testing.assert_allclose(spectrum.slice_fractions[:, :2], [[1, 0], [0, 1]], atol=1e-12)
    assert spectrum.dominant(0.99).tolist()[:2] == [0, 1]
    assert spectrum.dominant().tolist()[2] in (0, 1)


def test_zero_array_and_zero_slice_give_nan_without_warnings():
    spectrum = irrep_spectrum(np.zeros((3, 2)), V(S(3)))
    assert np.isnan(spectrum.fractions).all() and np.isnan(spectrum.slice_fractions).all()
    assert spectrum.dominant().tolist() == [-1, -1]
    x = np.zeros((3, 2))
    x[:, 1] = [1.0, 2.0, 3.0]
    fractions = irrep_spectrum(x, V(S(3))).slice_fractions
    assert np.isnan(fractions[:, 0]).all() and np.isfinite(fractions[:, 1]).all()


def test_irrep_spectrum_rejects_bad_input():
    with pytest.raises(ValueError, match="size 4 but .* size 3: the group does not act"):
        irrep_spectrum(np.ones((4, 2)), V(S(3)))
    with pytest.raises(ValueError, match="Lie algebra"):
        irrep_spectrum(np.ones(3), V(SO(3)))
    with pytest.raises(ValueError, match="no group"):
        irrep_spectrum(np.ones(3), V)
    with pytest.raises(TypeError, match="Rep"):
        irrep_spectrum(np.ones(3), S(3))
    with pytest.raises(ValueError, match="NaN or infinite"):
        irrep_spectrum(np.array([1.0, np.nan, 0.0]), V(S(3)))
    with pytest.raises(TypeError, match="real array"):
        irrep_spectrum(np.ones(3, dtype=complex), V(S(3)))
    with pytest.raises(ValueError, match="axis"):
        irrep_spectrum(np.ones((3, 2)), V(S(3)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        irrep_spectrum(np.ones((3, 2)), V(S(3)), axis=0.0)
    with pytest.raises(ValueError, match="threshold"):
        irrep_spectrum(np.ones(3), V(S(3))).dominant(1.5)


# ------------------------------------------------------------------ frequency_spectrum
@pytest.mark.parametrize("p", [7, 8])
def test_frequency_spectrum_matches_dft_and_regular_rep_of_cyclic_group(p):
    x = np.random.default_rng(p).normal(size=(3, p, 2))
    spectrum = frequency_spectrum(x, axis=1)
    columns = np.moveaxis(x, 1, 0).reshape(p, -1)
    np.testing.assert_allclose(spectrum.squared_norms, slow_frequency_energies(columns))
    assert spectrum.labels == tuple(f"k={k}" for k in range(p // 2 + 1))

    regular = irrep_spectrum(x, RegularRep(Z(p)), axis=1)
    by_label = dict(zip(regular.labels, regular.slice_fractions, strict=True))
    assert sorted(by_label) == sorted(spectrum.labels)
    for label, dim, kind, row in zip(
        spectrum.labels, spectrum.dims, spectrum.kinds, spectrum.slice_fractions, strict=True
    ):
        k = regular.labels.index(label)
        assert (regular.dims[k], regular.kinds[k]) == (dim, kind)
        np.testing.assert_allclose(by_label[label], row, atol=1e-12)


def test_frequency_spectrum_rejects_bad_input():
    with pytest.raises(ValueError, match="axis 0 has size 5 but p = 7"):
        frequency_spectrum(np.ones(5), p=7)
    with pytest.raises(TypeError, match="p must be an integer"):
        frequency_spectrum(np.ones(5), p=5.0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        frequency_spectrum(np.array([1.0, np.inf]))
    np.testing.assert_allclose(frequency_spectrum(np.ones(5), p=5).fractions, [1, 0, 0], atol=1e-15)


# ------------------------------------------------------------------ assign_frequencies
def test_cosine_of_frequency_14_mod_113_is_assigned_14():
    a = np.arange(113)
    signal = 3.0 + np.cos(2 * np.pi * 14 * a / 113)  # the constant does not count
    result = assign_frequencies(signal)
    assert result.assigned.tolist() == [14]
    assert result.frequencies[0] == 1 and result.frequencies[-1] == 56
    assert result.fractions[13, 0] > 0.999


def test_assign_frequencies_matches_dft_and_separates_planted_from_random():
    p, rng = 31, np.random.default_rng(2)
    a = np.arange(p)[:, None]
    random = rng.normal(size=(p, 200))
    planted = np.cos(2 * np.pi * 4 * a / p + rng.uniform(0, 6, 200)) + 0.05 * random
    for x in (random, planted):
        energies = slow_frequency_energies(x)[1:]
        np.testing.assert_allclose(
            assign_frequencies(x).fractions, energies / energies.sum(axis=0), atol=1e-12
        )
    assert frequency_spectrum(random).fractions[1:].max() < 0.15
    assert (assign_frequencies(random).assigned == -1).all()
    assert frequency_spectrum(planted).fractions[4] > 0.95
    assert (assign_frequencies(planted).assigned == 4).all()
    rows = assign_frequencies(planted.T, axis=1)  # the same along the other axis
    assert (rows.assigned == 4).all()


def test_constant_slices_and_threshold_rules():
    a = np.arange(9)
    x = np.stack([np.full(9, 2.5), np.cos(2 * np.pi * a / 9) + 0.5 * np.cos(4 * np.pi * a / 9)])
    result = assign_frequencies(x, axis=1)
    assert np.isnan(result.fractions[:, 0]).all() and result.assigned[0] == -1
    np.testing.assert_allclose(result.fractions[:2, 1], [0.8, 0.2])
    assert result.assigned[1] == -1
    assert assign_frequencies(x, threshold=0.79, axis=1).assigned[1] == 1
    assert assign_frequencies(x, threshold=1, axis=1).assigned[1] == -1
    for bad in (0, 0.0, 1.5, -0.2, float("nan")):
        with pytest.raises(ValueError, match=r"threshold must be a finite real number in \(0, 1\]"):
            assign_frequencies(x, threshold=bad, axis=1)
    for bad in ("0.5", True, None):
        with pytest.raises(TypeError, match="threshold"):
            assign_frequencies(x, threshold=bad, axis=1)
    with pytest.raises(ValueError, match="p >= 2"):
        assign_frequencies(np.ones(1))


# ------------------------------------------------------------------ gini, key_frequencies
def test_gini_matches_pairwise_formula():
    rng = np.random.default_rng(3)
    x = rng.exponential(size=(4, 11))
    slow = np.abs(x[:, :, None] - x[:, None, :]).sum(axis=(1, 2)) / (2 * 11 * x.sum(axis=1))
    np.testing.assert_allclose(gini(x), slow)
    assert gini(np.ones(7)) == 0.0
    assert gini(np.eye(50)[3]) == pytest.approx(49 / 50)
    assert np.isnan(gini(np.zeros(4)))
    with pytest.raises(ValueError, match="nonnegative"):
        gini([1.0, -0.5])
    with pytest.raises(ValueError, match="nonnegative"):
        gini(np.zeros(0))


def test_key_frequencies_recover_a_planted_spectrum():
    rng = np.random.default_rng(4)
    shares = rng.uniform(0, 0.01, 56)
    planted = {14: 0.3, 35: 0.2, 41: 0.25, 52: 0.15}
    frequencies = np.arange(1, 57)
    for k, share in planted.items():
        shares[k - 1] = share
    assert key_frequencies(shares, frequencies=frequencies).tolist() == [14, 41, 35, 52]
    assert key_frequencies(shares, factor=10.0, frequencies=frequencies).tolist() == [14, 41]
    covered = key_frequencies(shares, coverage=0.8, frequencies=frequencies).tolist()
    share = shares / shares.sum()
    assert covered[:4] == [14, 41, 35, 52]  # ... plus the fewest noise entries needed
    assert share[np.array(covered) - 1].sum() >= 0.8
    assert share[np.array(covered[:-1]) - 1].sum() < 0.8
    assert key_frequencies([1.0, 1.0, 1.0], coverage=1.0).tolist() == [0, 1, 2]
    assert key_frequencies([0.5, 0.5, 0.0], factor=1.0).tolist() == [0, 1]  # ties: index


def test_key_frequencies_rejects_bad_input():
    with pytest.raises(ValueError, match="not both"):
        key_frequencies([1.0, 2.0], factor=2.0, coverage=0.5)
    with pytest.raises(ValueError, match="not all zero"):
        key_frequencies([0.0, 0.0])
    with pytest.raises(ValueError, match="nonnegative"):
        key_frequencies([1.0, -1.0])
    with pytest.raises(ValueError, match="label the 2 entries"):
        key_frequencies([1.0, 2.0], frequencies=[1, 2, 3])
    with pytest.raises(ValueError, match="factor"):
        key_frequencies([1.0, 2.0], factor=0.0)
    with pytest.raises(ValueError, match="coverage"):
        key_frequencies([1.0, 2.0], coverage=1.5)
    with pytest.raises(TypeError, match="coverage"):
        key_frequencies([1.0, 2.0], coverage="all")


@pytest.mark.parametrize("p", [113, 8])
def test_cp_fourier_basis_is_orthonormal_constant_then_cos_sin_pairs(p):
    from emlp_core.fourier import real_fourier_basis

    B = real_fourier_basis(p)
    np.testing.assert_allclose(B.T @ B, np.eye(p), atol=1e-12)
    a = np.arange(p)
    np.testing.assert_allclose(B[:, 0], np.full(p, p**-0.5), atol=1e-15)
    for k in range(1, (p - 1) // 2 + 1):
        np.testing.assert_allclose(
            B[:, 2 * k - 1], np.sqrt(2 / p) * np.cos(2 * np.pi * k * a / p), atol=1e-12
        )
        np.testing.assert_allclose(
            B[:, 2 * k], np.sqrt(2 / p) * np.sin(2 * np.pi * k * a / p), atol=1e-12
        )
    if p % 2 == 0:
        np.testing.assert_allclose(B[:, -1], (-1.0) ** a / np.sqrt(p), atol=1e-15)
