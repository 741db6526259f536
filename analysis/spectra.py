"""How an array's norm splits over the irreps of a finite group acting on one of its axes.

A finite group acting on axis ``axis`` of an array by an orthogonal representation ``rho``
splits that axis into isotypic components (`emlp_core.isotypic.isotypic_decomposition`).
The *spectrum* is the fraction of the squared Frobenius norm in each component, for the
whole array and for every *slice* (every index of the other axes, flattened in C order
after moving ``axis`` to the front: a column of a weight matrix, a neuron). The energy of
a component is the squared norm of the array's orthogonal projection onto it, which does
not depend on the basis chosen inside the component.

For the cyclic group ``C_p`` shifting an axis of length ``p`` the components are the
frequencies ``k = 0 .. p//2`` of `emlp_core.fourier.real_fourier_basis` (`frequency_spectrum`),
the setting of the grokking analysis of Nanda et al. (ICLR 2023): a neuron is assigned
the frequency that explains at least ``threshold`` of its non-constant variance
(`assign_frequencies`), and the sparsity of a spectrum is measured by its Gini
coefficient (`gini`).

Zero slices: a fraction whose denominator is zero is NaN (never a warning), and such a
slice is assigned no irrep or frequency (``-1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from emlp_core.fourier import real_fourier_basis
from emlp_core.isotypic import isotypic_decomposition
from emlp_core.rep_base import Rep
from groups.checks import check_int, check_real

__all__ = [
    "IrrepSpectrum",
    "FrequencyAssignment",
    "irrep_spectrum",
    "frequency_spectrum",
    "assign_frequencies",
    "gini",
    "key_frequencies",
]

CONSTANT_RTOL = 1e-24
"""A slice counts as constant when its non-constant energy is at most this times its total
energy (``1e-12`` relative in norm: the rounding of a constant signal)."""


@dataclass(frozen=True)
class IrrepSpectrum:
    """Squared norms of an array per isotypic component and slice.

    Attributes:
        labels: the irrep labels (``"1"``, ``"2"``, ``"k=3"``), one per component.
        dims: the irreps' real dimensions.
        kinds: ``"real"``, ``"complex"`` or ``"quaternionic"``.
        multiplicities: copies of each irrep in the representation.
        squared_norms: float64 ``(n_irreps, n_slices)``, the energy of each slice in each
            component; a column sums to the slice's squared norm.
    """

    labels: tuple
    dims: tuple
    kinds: tuple
    multiplicities: tuple
    squared_norms: np.ndarray

    @property
    def fractions(self) -> np.ndarray:
        """``(n_irreps,)``: share of the whole array's squared norm (NaN for a zero array)."""
        return _shares(self.squared_norms.sum(axis=1, keepdims=True))[:, 0]

    @property
    def slice_fractions(self) -> np.ndarray:
        """``(n_irreps, n_slices)``: each slice's shares (a NaN column for a zero slice)."""
        return _shares(self.squared_norms)

    def dominant(self, threshold: float = 0.0) -> np.ndarray:
        """Each slice's component: int64 ``(n_slices,)``, indices into `labels`.

        A slice gets its largest component if that share is at least ``threshold`` (in
        ``[0, 1]``), else ``-1``; a zero slice gets ``-1``.
        """
        threshold = check_real(threshold, "threshold", minimum=0, maximum=1, where="dominant")
        return _assign(self.slice_fractions, np.arange(len(self.labels)), threshold)


class FrequencyAssignment(NamedTuple):
    """Frequencies assigned to slices (neurons), with the shares they were chosen from.

    Attributes:
        assigned: int64 ``(n_slices,)``: the assigned frequency ``k``, or ``-1``.
        fractions: float64 ``(n_frequencies, n_slices)``: share of each slice's
            non-constant variance per frequency (NaN columns for constant slices).
        frequencies: int64 ``(n_frequencies,)``: the ``k`` of each row of ``fractions``.
    """

    assigned: np.ndarray
    fractions: np.ndarray
    frequencies: np.ndarray


def _shares(energies: np.ndarray) -> np.ndarray:
    total = energies.sum(axis=0, keepdims=True)
    out = np.full(energies.shape, np.nan)
    np.divide(energies, total, out=out, where=np.broadcast_to(total > 0, energies.shape))
    return out


def _assign(fractions: np.ndarray, labels: np.ndarray, threshold: float) -> np.ndarray:
    """The label of each column's largest entry if it reaches ``threshold``, else ``-1``."""
    assigned = np.full(fractions.shape[1], -1, dtype=np.int64)
    valid = ~np.isnan(fractions).any(axis=0)
    if fractions.shape[0] and valid.any():
        best = np.argmax(fractions[:, valid], axis=0)
        share = fractions[best, np.flatnonzero(valid)]
        assigned[np.flatnonzero(valid)] = np.where(share >= threshold, labels[best], -1)
    return assigned


def _real_array(array, argument: str, where: str, min_ndim: int = 1) -> np.ndarray:
    """``array`` as float64, refusing non-numbers, too few axes and non-finite values."""
    values = np.asarray(array)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{where}: {argument} must be a real array; got dtype {values.dtype}.")
    if values.ndim < min_ndim:
        raise ValueError(
            f"{where}: {argument} needs at least {min_ndim} axes; got shape {values.shape}."
        )
    values = values.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{where}: {argument} has NaN or infinite values; clean them first.")
    return values


def _slices(values: np.ndarray, axis, where: str) -> np.ndarray:
    """``(n, n_slices)``: ``axis`` moved to the front, the other axes flattened (C order)."""
    axis = check_int(axis, "axis", minimum=-values.ndim, maximum=values.ndim - 1, where=where)
    moved = np.moveaxis(values, axis, 0)
    return moved.reshape(moved.shape[0], -1)


def irrep_spectrum(array: ArrayLike, rep: Rep, axis: int = 0) -> IrrepSpectrum:
    """The share of ``array``'s squared norm in each isotypic component of ``rep``.

    Args:
        array: real array; ``rep`` acts on axis ``axis``.
        rep: a bound `emlp_core.Rep` of a finite group (no Lie algebra), acting
            orthogonally, with ``rep.size() == array.shape[axis]``.
        axis: the axis the group acts on.

    Returns:
        `IrrepSpectrum` with one entry per distinct irrep, in the order and with the labels
        of ``isotypic_decomposition(rep)``; slices are the other axes, flattened.

    Raises:
        TypeError: if ``rep`` is not a Rep or ``array`` is not real.
        ValueError: for an unbound rep, a group with a Lie algebra, an axis whose size is
            not ``rep.size()``, or NaN/infinite values.

    Example:
        >>> from groups import S
        >>> from emlp_core import V
        >>> spectrum = irrep_spectrum(np.array([[1.0, 1.0], [1.0, -1.0], [1.0, 0.0]]), V(S(3)))
        >>> spectrum.labels, spectrum.slice_fractions.round(3).tolist()
        (('1', '2'), [[1.0, 0.0], [0.0, 1.0]])
    """
    where = "irrep_spectrum"
    if not isinstance(rep, Rep):
        raise TypeError(f"{where}: rep must be an emlp_core Rep; got {type(rep).__name__}.")
    group = rep._require_group()
    if group.lie_dimension:
        raise ValueError(
            f"{where}: {group!r} has a Lie algebra; irrep spectra here are for finite groups."
        )
    matrix = _slices(_real_array(array, "array", where), axis, where)
    if matrix.shape[0] != rep.size():
        raise ValueError(
            f"{where}: axis {axis} of the array has size {matrix.shape[0]} but {rep!r} has "
            f"size {rep.size()}: the group does not act on this axis. Pass the axis of size "
            f"{rep.size()}."
        )
    decomposition = isotypic_decomposition(rep)
    coordinates = decomposition.basis.T @ matrix
    components = decomposition.components
    squared = np.array([np.sum(coordinates[c.columns] ** 2, axis=0) for c in components])
    return IrrepSpectrum(
        labels=tuple(c.irrep.label for c in components),
        dims=tuple(c.irrep.dim for c in components),
        kinds=tuple(c.irrep.kind for c in components),
        multiplicities=tuple(c.multiplicity for c in components),
        squared_norms=squared.reshape(len(components), matrix.shape[1]),
    )


def frequency_spectrum(array: ArrayLike, p: int | None = None, axis: int = 0) -> IrrepSpectrum:
    """The share of ``array``'s squared norm per frequency of ``C_p`` shifting axis ``axis``.

    Row ``k`` (label ``"k={k}"``, as for ``isotypic_decomposition(RegularRep(Z(p)))``) is
    frequency ``k = 0 .. p//2``: the constant, the ``cos, sin`` pair of
    `emlp_core.fourier.real_fourier_basis` for ``0 < k < p/2``, the alternating sign for
    ``k = p/2``.

    Args:
        array: real array with ``array.shape[axis] == p``.
        p: the group order; None reads it from the axis.
        axis: the axis ``C_p`` shifts.

    Returns:
        `IrrepSpectrum`, ``p//2 + 1`` rows; slices are the other axes, flattened.

    Raises:
        TypeError: for a non-integer ``p`` or ``axis``, or a non-real array.
        ValueError: if ``p`` is not the axis size, or for NaN/infinite values.

    Example:
        >>> a = np.arange(8)
        >>> frequency_spectrum(np.cos(2 * np.pi * 3 * a / 8)).fractions.round(6).tolist()
        [0.0, 0.0, 0.0, 1.0, 0.0]
    """
    where = "frequency_spectrum"
    matrix = _slices(_real_array(array, "array", where), axis, where)
    n = matrix.shape[0]
    p = check_int(p, "p", minimum=1, optional=True, where=where)
    if n == 0 or (p is not None and p != n):
        raise ValueError(
            f"{where}: axis {axis} has size {n} but p = {p}: C_p acts on an axis of length p "
            "(give the axis of size p, or p=None to read it from the array)."
        )
    coordinates = real_fourier_basis(n).T @ matrix
    rows = [coordinates[:1] ** 2]
    rows += [coordinates[2 * k - 1 : 2 * k + 1] ** 2 for k in range(1, (n - 1) // 2 + 1)]
    if n % 2 == 0:
        rows.append(coordinates[n - 1 :] ** 2)
    ks = range(n // 2 + 1)
    dims = tuple(1 if k == 0 or 2 * k == n else 2 for k in ks)
    return IrrepSpectrum(
        labels=tuple(f"k={k}" for k in ks),
        dims=dims,
        kinds=tuple("real" if d == 1 else "complex" for d in dims),
        multiplicities=(1,) * len(dims),
        squared_norms=np.array([row.sum(axis=0) for row in rows]),
    )


def _nonconstant_assignment(
    energies: np.ndarray, nonconstant: np.ndarray, total: np.ndarray, labels, threshold: float
) -> FrequencyAssignment:
    """``energies / nonconstant`` per slice and the threshold assignment.

    ``energies``: ``(n_frequencies, n_slices)``; ``nonconstant`` and ``total``:
    ``(n_slices,)``, the energy outside the constant component and in all. A slice with
    ``nonconstant <= CONSTANT_RTOL * total`` is constant: NaN shares, assigned ``-1``.
    """
    fractions = np.full(energies.shape, np.nan)
    varying = nonconstant > CONSTANT_RTOL * total
    fractions[:, varying] = energies[:, varying] / nonconstant[varying]
    return FrequencyAssignment(_assign(fractions, labels, threshold), fractions, labels)


def assign_frequencies(
    values: ArrayLike, threshold: float = 0.85, axis: int = 0
) -> FrequencyAssignment:
    """Assigns each slice the frequency explaining ``threshold`` of its non-constant variance.

    For a signal ``x`` on ``C_p`` (axis ``axis``, length ``p``), the share of frequency
    ``k = 1 .. p//2`` is its energy over ``sum_a (x_a - mean x)^2``; the slice is assigned
    the ``k`` of its largest share if that share is ``>= threshold``, else ``-1`` (the
    criterion of Nanda et al., ICLR 2023). A constant slice (non-constant energy at most
    `CONSTANT_RTOL` times its energy) has NaN shares and is assigned ``-1``.

    Args:
        values: real array, axis ``axis`` of length ``p >= 2``.
        threshold: float in ``(0, 1]``.
        axis: the axis ``C_p`` shifts.

    Returns:
        `FrequencyAssignment` (``frequencies = 1 .. p//2``).

    Raises:
        TypeError: for a non-real ``threshold`` or array.
        ValueError: for ``threshold`` outside ``(0, 1]``, an axis shorter than 2, or
            NaN/infinite values.

    Example:
        >>> a = np.arange(13)
        >>> x = np.stack([np.cos(2 * np.pi * 5 * a / 13), np.random.default_rng(0).normal(size=13)])
        >>> assign_frequencies(x, axis=1).assigned.tolist()
        [5, -1]
    """
    threshold = check_real(threshold, "threshold", above=0, maximum=1, where="assign_frequencies")
    spectrum = frequency_spectrum(values, axis=axis)
    if len(spectrum.labels) < 2:
        raise ValueError("assign_frequencies: the axis needs length p >= 2; got length 1.")
    energies = spectrum.squared_norms
    frequencies = np.arange(1, energies.shape[0], dtype=np.int64)
    nonconstant, total = energies[1:].sum(axis=0), energies.sum(axis=0)
    return _nonconstant_assignment(energies[1:], nonconstant, total, frequencies, threshold)


def gini(values: ArrayLike) -> np.ndarray | float:
    """The Gini coefficient of nonnegative values (along the last axis): their sparsity.

    ``G = sum_ij |x_i - x_j| / (2 n sum_i x_i)``: 0 for equal values, ``(n - 1)/n`` for a
    single nonzero entry; NaN for an all-zero vector.

    Args:
        values: ``(..., n)`` nonnegative, ``n >= 1``.

    Returns:
        float for a vector, else float64 ``(...)``.

    Raises:
        ValueError: for negative or non-finite values, or ``n == 0``.

    Example:
        >>> gini([1.0, 1.0, 1.0, 1.0]), gini([0.0, 0.0, 0.0, 2.0])
        (0.0, 0.75)
    """
    x = _real_array(values, "values", "gini")
    if x.shape[-1] == 0 or np.any(x < 0):
        raise ValueError(f"gini: values must be nonnegative, n >= 1; got shape {x.shape}.")
    n = x.shape[-1]
    ranks = np.arange(1, n + 1)
    total = x.sum(axis=-1)
    weighted = (np.sort(x, axis=-1) * (2 * ranks - n - 1)).sum(axis=-1)  # = sum_ij |x_i-x_j|/2
    out = np.full(total.shape, np.nan)
    np.divide(weighted, n * total, out=out, where=total > 0)
    return float(out) if out.ndim == 0 else out


def key_frequencies(
    fractions: ArrayLike,
    factor: float | None = None,
    *,
    coverage: float | None = None,
    frequencies: ArrayLike | None = None,
) -> np.ndarray:
    """The dominant entries of a spectrum, largest share first.

    The spectrum is normalised to shares ``s_i = x_i / sum_j x_j`` of its ``n`` entries.
    Two rules, one at a time:

    * ``factor`` (the default, ``4.0``): every entry with ``s_i >= factor / n``, i.e. at
      least ``factor`` times the share of a flat spectrum;
    * ``coverage``: the fewest entries, taken largest first, whose shares sum to at least
      ``coverage``.

    Ties are broken by the lower index. Leave the constant (``k = 0``) out of the spectrum
    when it should not count, e.g. ``spectrum.fractions[1:]`` with
    ``frequencies=np.arange(1, n + 1)``.

    Args:
        fractions: ``(n,)`` nonnegative shares or energies, not all zero.
        factor: float ``> 0``; the threshold as a multiple of ``1/n``.
        coverage: float in ``(0, 1]``; give it instead of ``factor``.
        frequencies: ``(n,)`` labels of the entries; None: the indices ``0 .. n-1``.

    Returns:
        int64 (or the labels' dtype) ``(m,)``: the selected labels, by decreasing share.

    Raises:
        TypeError: for a non-real ``factor`` or ``coverage``.
        ValueError: for both rules at once, an all-zero, negative or non-finite spectrum,
            or ``frequencies`` of another length.

    Example:
        >>> shares = [0.02, 0.30, 0.02, 0.02, 0.50, 0.04, 0.10]
        >>> key_frequencies(shares, 2.0).tolist(), key_frequencies(shares, coverage=0.85).tolist()
        ([4, 1], [4, 1, 6])
    """
    where = "key_frequencies"
    if factor is not None and coverage is not None:
        raise ValueError(f"{where}: give factor or coverage, not both.")
    x = _real_array(fractions, "fractions", where)
    if x.ndim != 1 or np.any(x < 0) or not x.sum() > 0:
        raise ValueError(
            f"{where}: fractions must be a nonnegative (n,) vector, not all zero; got shape "
            f"{x.shape}, min {x.min(initial=0.0)}, sum {x.sum()}."
        )
    labels = np.arange(x.size) if frequencies is None else np.asarray(frequencies)
    if labels.shape != x.shape:
        raise ValueError(
            f"{where}: frequencies must label the {x.size} entries; got shape {labels.shape}."
        )
    shares = x / x.sum()
    order = np.argsort(-shares, kind="stable")
    if coverage is None:
        factor = check_real(4.0 if factor is None else factor, "factor", above=0, where=where)
        return labels[order[shares[order] >= factor / x.size]]
    coverage = check_real(coverage, "coverage", above=0, maximum=1, where=where)
    covered = np.cumsum(shares[order])
    count = int(np.searchsorted(covered, coverage * (1 - 1e-12))) + 1
    return labels[order[: min(count, x.size)]]
