"""Fourier analysis of a network computing ``(a + b) mod p`` (Nanda et al., ICLR 2023).

Every array is a function on the grid of all ``p^2`` pairs: shape ``(p, p, ...)``,
``a`` along axis 0 and ``b`` along axis 1 (a batch flattened a-major, index ``a * p + b``,
is ``values.reshape(p, p, ...)``). ``p`` is an odd prime, ``w_k = 2 pi k / p`` and the
frequencies are ``k = 1 .. (p-1)/2``.

* `pair_fourier`: coefficients in the product basis ``F ⊗ F``, ``F`` =
  `emlp_core.fourier.real_fourier_basis` (columns: constant, then ``cos, sin`` of ``w_k``).
* `pair_frequency_fractions`, `assign_neurons`: the share of a neuron's non-constant
  variance in the eight product-basis terms of one frequency ``k``, those whose
  ``a``-frequency and ``b``-frequency are each ``0`` or ``k``, not both ``0``:
  ``cos/sin(w_k a)``, ``cos/sin(w_k b)`` and their four products.
* Logits have shape ``(p, p, n_out)``, ``n_out >= p``; column ``c < p`` is the answer
  ``c`` and the label of ``(a, b)`` is ``(a + b) mod p``. Losses are the mean
  cross-entropy (softmax over all ``n_out`` columns) over the chosen pairs. For key
  frequencies ``K`` let ``P_K`` be the orthogonal projection of a function on the grid
  onto ``span{cos(w_k (a + b)), sin(w_k (a + b)) : k in K}``. For each answer column
  ``c < p`` (other columns, e.g. an ``=`` token, are kept unchanged):

  - restricted logits ``mean_{a,b} L_c + P_K L_c``: everything else ablated;
    `restricted_loss` is their loss on all ``p^2`` pairs;
  - excluded logits ``L_c - P_K L_c``; `excluded_loss` is their loss on the training pairs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from analysis.spectra import FrequencyAssignment, _nonconstant_assignment, _real_array
from emlp_core.fourier import real_fourier_basis
from groups.checks import check_int, check_real

__all__ = [
    "check_prime",
    "pair_fourier",
    "pair_frequency_fractions",
    "assign_neurons",
    "modular_loss",
    "modular_accuracy",
    "restricted_logits",
    "excluded_logits",
    "restricted_loss",
    "excluded_loss",
]


def check_prime(p: int, argument: str = "p") -> int:
    """``p`` as an int after checking that it is a prime.

    Raises:
        TypeError: if ``p`` is not an integer.
        ValueError: if ``p`` is not prime.

    Example:
        >>> check_prime(113)
        113
        >>> check_prime(91)
        Traceback (most recent call last):
        ...
        ValueError: p must be prime; got 91 = 7 * 13.
    """
    p = check_int(p, argument)
    if p < 2:
        raise ValueError(f"{argument} must be prime (an integer >= 2); got {p}.")
    for d in range(2, int(p**0.5) + 1):
        if p % d == 0:
            raise ValueError(f"{argument} must be prime; got {p} = {d} * {p // d}.")
    return p


def _grid(values, where: str, argument: str = "values") -> tuple[np.ndarray, int]:
    """``values`` as float64 ``(p, p, ...)`` with ``p`` an odd prime, and ``p``."""
    x = _real_array(values, argument, where, min_ndim=2)
    p = x.shape[0]
    if x.shape[1] != p:
        raise ValueError(
            f"{where}: {argument} must have shape (p, p, ...) over the pairs (a, b); got "
            f"shape {x.shape}."
        )
    try:
        check_prime(p)
    except ValueError as error:
        raise ValueError(f"{where}: {argument} has shape {x.shape}: {error}") from None
    if p == 2:
        raise ValueError(f"{where}: p must be an odd prime (mod 2 has no frequency); got 2.")
    return x, p


def pair_fourier(values: ArrayLike) -> np.ndarray:
    """Coefficients ``C[i, j, ...] = sum_{a,b} F[a, i] F[b, j] values[a, b, ...]``.

    Args:
        values: ``(p, p, ...)`` over the pairs ``(a, b)``, ``p`` an odd prime.

    Returns:
        float64 ``(p, p, ...)``; index ``0`` is the constant, ``2k-1`` and ``2k`` are
        ``cos`` and ``sin`` of frequency ``k`` (in ``a`` for ``i``, in ``b`` for ``j``).

    Raises:
        ValueError: for a shape other than ``(p, p, ...)`` or a ``p`` that is not an odd
            prime.

    Example:
        >>> a = np.arange(5)[:, None]
        >>> C = pair_fourier(np.cos(2 * np.pi * 2 * a / 5) + 0 * a.T)
        >>> np.argwhere(np.abs(C) > 1e-9).tolist()  # cos(w_2 a), constant in b
        [[3, 0]]
    """
    x, p = _grid(values, "pair_fourier")
    F = real_fourier_basis(p)
    return np.einsum("ai,bj,ab...->ij...", F, F, x, optimize=True)


def _pair_energies(values, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frequency ``((p-1)/2, n)``, non-constant ``(n,)`` and total ``(n,)`` energies."""
    x, p = _grid(values, where)
    F = real_fourier_basis(p)
    C = np.einsum("ai,bj,abn->ijn", F, F, x.reshape(p, p, -1), optimize=True)
    E = C**2
    per_k = []
    for k in range(1, (p - 1) // 2 + 1):
        block = E[np.ix_([0, 2 * k - 1, 2 * k], [0, 2 * k - 1, 2 * k])]
        per_k.append(block.sum(axis=(0, 1)) - block[0, 0])
    total = E.sum(axis=(0, 1))
    return np.array(per_k), total - E[0, 0], total


def pair_frequency_fractions(values: ArrayLike) -> np.ndarray:
    """Share of each slice's non-constant variance in the eight terms of each frequency.

    Args:
        values: ``(p, p, ...)`` over the pairs ``(a, b)``; the trailing axes, flattened,
            are the slices (e.g. neurons).

    Returns:
        float64 ``((p-1)/2, n_slices)``: row ``k - 1`` is frequency ``k``; NaN columns for
        slices constant over the grid. Rows sum to at most 1 (the rest is in products of
        two different nonzero frequencies).

    Example:
        >>> a, b = np.meshgrid(np.arange(7), np.arange(7), indexing="ij")
        >>> w = 2 * np.pi * 3 / 7
        >>> pair_frequency_fractions(np.cos(w * a) * np.sin(w * b))[:, 0].round(6).tolist()
        [0.0, 0.0, 1.0]
    """
    per_k, nonconstant, total = _pair_energies(values, "pair_frequency_fractions")
    frequencies = np.arange(1, per_k.shape[0] + 1)
    return _nonconstant_assignment(per_k, nonconstant, total, frequencies, 1.0).fractions


def assign_neurons(activations: ArrayLike, threshold: float = 0.85) -> FrequencyAssignment:
    """Assigns each neuron the frequency holding ``threshold`` of its non-constant variance.

    Args:
        activations: ``(p, p, n_neurons)`` over the pairs ``(a, b)``.
        threshold: float in ``(0, 1]``.

    Returns:
        `FrequencyAssignment`: ``assigned`` ``(n_neurons,)`` (``-1``: no frequency reaches
        the threshold, or a constant neuron), `pair_frequency_fractions` and
        ``frequencies = 1 .. (p-1)/2``.

    Raises:
        TypeError: for a non-real ``threshold``.
        ValueError: for ``threshold`` outside ``(0, 1]`` or a shape other than
            ``(p, p, n_neurons)`` with ``p`` an odd prime.

    Example:
        >>> a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
        >>> w = 2 * np.pi * 2 / 5
        >>> assign_neurons(np.stack([np.cos(w * a) * np.cos(w * b), 0 * a], -1)).assigned
        array([ 2, -1])
    """
    where = "assign_neurons"
    threshold = check_real(threshold, "threshold", above=0, maximum=1, where=where)
    if np.ndim(activations) != 3:
        raise ValueError(
            f"{where}: activations must have shape (p, p, n_neurons); got {np.shape(activations)}."
        )
    per_k, nonconstant, total = _pair_energies(activations, where)
    frequencies = np.arange(1, per_k.shape[0] + 1)
    return _nonconstant_assignment(per_k, nonconstant, total, frequencies, threshold)


# ------------------------------------------------------------------ logits and losses
def _logits(logits, where: str) -> tuple[np.ndarray, int]:
    x, p = _grid(logits, where, "logits")
    if x.ndim != 3 or x.shape[2] < p:
        raise ValueError(
            f"{where}: logits must have shape (p, p, n_out) with n_out >= p = {p} (columns "
            f"0 .. p-1 are the answers); got shape {x.shape}."
        )
    return x, p


def _pairs(mask, p: int, where: str, argument: str) -> np.ndarray:
    """A boolean ``(p, p)`` selection from a mask, ``(n, 2)`` pairs or ``(n,)`` flat indices."""
    if mask is None:
        return np.ones((p, p), dtype=bool)
    m = np.asarray(mask)
    if m.dtype == bool and m.shape == (p, p):
        selected = m
    elif m.dtype.kind in "iu" and m.ndim in (1, 2) and (m.ndim == 1 or m.shape[1] == 2):
        flat = m if m.ndim == 1 else m[:, 0] * p + m[:, 1]
        if np.any(m < 0) or np.any(m >= (p * p if m.ndim == 1 else p)):
            raise ValueError(f"{where}: {argument} has indices outside the {p} x {p} grid.")
        selected = np.zeros(p * p, dtype=bool)
        selected[flat] = True
        selected = selected.reshape(p, p)
    else:
        raise ValueError(
            f"{where}: {argument} must be a boolean ({p}, {p}) mask, (n, 2) integer pairs "
            f"(a, b) or (n,) flat indices a * p + b; got dtype {m.dtype}, shape {m.shape}."
        )
    if not selected.any():
        raise ValueError(f"{where}: {argument} selects no pair.")
    return selected


def _cross_entropy(x: np.ndarray, p: int, selected: np.ndarray) -> float:
    shifted = x - x.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    a, b = np.nonzero(selected)
    return float(np.mean(log_norm[a, b] - shifted[a, b, (a + b) % p]))


def modular_loss(logits: ArrayLike, mask: ArrayLike | None = None) -> float:
    """Mean cross-entropy of the labels ``(a + b) mod p`` over the selected pairs.

    Args:
        logits: ``(p, p, n_out)``, ``n_out >= p``.
        mask: None (all pairs), a boolean ``(p, p)`` mask, ``(n, 2)`` integer pairs
            ``(a, b)`` or ``(n,)`` flat indices ``a * p + b`` (repeats count once).

    Raises:
        ValueError: for a bad shape, a ``p`` that is not an odd prime, or a mask of the
            wrong shape or out of range, or one that selects nothing.

    Example:
        >>> round(modular_loss(np.zeros((5, 5, 6))), 6) == round(float(np.log(6)), 6)
        True
    """
    x, p = _logits(logits, "modular_loss")
    return _cross_entropy(x, p, _pairs(mask, p, "modular_loss", "mask"))


def modular_accuracy(logits: ArrayLike, mask: ArrayLike | None = None) -> float:
    """Fraction of the selected pairs whose largest logit is ``(a + b) mod p``.

    Example:
        >>> a = np.arange(5)
        >>> right = np.eye(5)[(a[:, None] + a[None, :]) % 5]  # one-hot of the answers
        >>> modular_accuracy(right), modular_accuracy(right, mask=[[0, 1], [2, 2]])
        (1.0, 1.0)
    """
    x, p = _logits(logits, "modular_accuracy")
    a, b = np.nonzero(_pairs(mask, p, "modular_accuracy", "mask"))
    return float(np.mean(np.argmax(x[a, b], axis=-1) == (a + b) % p))


def _directions(p: int, key_frequencies, where: str) -> np.ndarray:
    """Orthonormal ``(p, p, 2|K|)``: ``sqrt(2)/p cos, sin(w_k (a + b))`` for ``k`` in K."""
    ks = np.atleast_1d(np.asarray(key_frequencies))
    if ks.size and ks.dtype.kind not in "iu":
        raise TypeError(f"{where}: key_frequencies must be integers; got dtype {ks.dtype}.")
    half = (p - 1) // 2
    if ks.ndim != 1 or np.any(ks < 1) or np.any(ks > half) or len(set(ks.tolist())) != ks.size:
        raise ValueError(
            f"{where}: key_frequencies must be distinct integers in 1 .. (p-1)/2 = {half}; "
            f"got {ks.tolist()}."
        )
    s = np.add.outer(np.arange(p), np.arange(p))
    angles = 2 * np.pi * np.multiply.outer(s, ks) / p
    return np.sqrt(2) / p * np.concatenate([np.cos(angles), np.sin(angles)], axis=-1)


def _projection(logits, key_frequencies, where: str) -> tuple[np.ndarray, int, np.ndarray]:
    x, p = _logits(logits, where)
    D = _directions(p, key_frequencies, where)
    coefficients = np.tensordot(D, x[:, :, :p], axes=([0, 1], [0, 1]))  # (2|K|, p)
    return x, p, np.tensordot(D, coefficients, axes=([2], [0]))


def restricted_logits(logits: ArrayLike, key_frequencies: ArrayLike) -> np.ndarray:
    """Each answer column's grid mean plus its projection on the key directions.

    Args:
        logits: ``(p, p, n_out)``, ``n_out >= p``.
        key_frequencies: distinct ints in ``1 .. (p-1)/2``.

    Returns:
        float64 ``(p, p, n_out)``; columns ``>= p`` unchanged.

    Raises:
        TypeError: for non-integer key frequencies.
        ValueError: for bad shapes, ``p`` not an odd prime, or key frequencies outside
            ``1 .. (p-1)/2`` or repeated.

    Example:
        >>> a = np.arange(5)
        >>> circuit = np.cos(2 * np.pi * (a[:, None, None] + a[None, :, None] - a) / 5)
        >>> bool(np.allclose(restricted_logits(circuit, [1]), circuit))
        True
    """
    x, p, projected = _projection(logits, key_frequencies, "restricted_logits")
    out = x.copy()
    out[:, :, :p] = x[:, :, :p].mean(axis=(0, 1)) + projected
    return out


def excluded_logits(logits: ArrayLike, key_frequencies: ArrayLike) -> np.ndarray:
    """Each answer column minus its projection on the key directions (see the module).

    Example:
        >>> a = np.arange(5)
        >>> circuit = np.cos(2 * np.pi * (a[:, None, None] + a[None, :, None] - a) / 5)
        >>> float(np.abs(excluded_logits(circuit, [1])).max()) < 1e-12
        True
    """
    x, p, projected = _projection(logits, key_frequencies, "excluded_logits")
    out = x.copy()
    out[:, :, :p] -= projected
    return out


def restricted_loss(
    logits: ArrayLike, key_frequencies: ArrayLike, mask: ArrayLike | None = None
) -> float:
    """`modular_loss` of `restricted_logits`, on all pairs by default (``mask`` as there).

    Example:
        >>> a = np.arange(7)
        >>> circuit = 60 * np.cos(2 * np.pi * 2 * (a[:, None, None] + a[None, :, None] - a) / 7)
        >>> restricted_loss(circuit, [2]) < 1e-6
        True
    """
    x = restricted_logits(logits, key_frequencies)
    return _cross_entropy(x, x.shape[0], _pairs(mask, x.shape[0], "restricted_loss", "mask"))


def excluded_loss(logits: ArrayLike, key_frequencies: ArrayLike, train: ArrayLike) -> float:
    """`modular_loss` of `excluded_logits` on the training pairs ``train`` (a mask as there).

    Example:
        >>> a = np.arange(7)
        >>> circuit = 60 * np.cos(2 * np.pi * 2 * (a[:, None, None] + a[None, :, None] - a) / 7)
        >>> bool(np.isclose(excluded_loss(circuit, [2], train=[[0, 1], [3, 5]]), np.log(7)))
        True
    """
    if train is None:
        raise ValueError("excluded_loss: train (the training pairs) is required; got None.")
    x = excluded_logits(logits, key_frequencies)
    return _cross_entropy(x, x.shape[0], _pairs(train, x.shape[0], "excluded_loss", "train"))
