"""Spectrally-normalised margin-bound terms of a network given by its layer matrices.

Source: Neyshabur, Bhojanapalli & Srebro, "A PAC-Bayesian Approach to Spectrally-Normalized
Margin Bounds for Neural Networks", ICLR 2018 (arXiv 1707.09564), Theorem 1 (NBS18):
for a ``d``-layer feedforward ReLU network ``f_w(x) = W_d relu(... relu(W_1 x))`` (no
biases) with outputs in ``R^k``, inputs in the ball ``‖x‖_2 <= B`` and at most ``h``
units per layer, for any ``δ, γ > 0``, with probability ``>= 1 - δ`` over ``m`` training
samples, for every ``w``::

    L_0(f_w) <= L̂_γ(f_w) + O( sqrt( (B^2 d^2 h ln(d h) Φ(w) + ln(d m / δ)) / (γ^2 m) ) ),
    Φ(w) = Π_i ‖W_i‖_2^2  Σ_i ‖W_i‖_F^2 / ‖W_i‖_2^2,

where ``L_0`` is the expected classification error and ``L̂_γ`` the fraction of training
points whose margin ``f_w(x)[y] - max_{j≠y} f_w(x)[j]`` is at most ``γ``. The ``O(·)``
hides an absolute constant that the theorem does not state; `nbs18_terms` reports the
expression inside it with the constant set to 1, so its ``bound`` is a *shape* to compare
between models, not a certified number.

For an equivariant layer the norms can be read blockwise in the irreps
(`analysis.norms`): ``‖W‖_2 = max_ψ ‖Ŵ_ψ‖_2`` and ``‖W‖_F^2 = Σ_ψ c_ψ ‖Ŵ_ψ‖_F^2``;
``method="irrep"`` computes every term that way, ``method="dense"`` from the dense
matrices, and the two must agree. The group-dependent refinement of Behboodi, Cesa &
Cohen (NeurIPS 2022, arXiv 2210.13150) is not implemented: its theorem statement was not
available to this implementation, so no formula of it is reproduced here; `layer_profile`
reports the irrep-domain quantities such a bound is built from (irrep dimensions and
kinds, multiplicities on both sides, per-irrep norms, ``dim Hom_G``) without combining
them.

Example:
    >>> W1, W2 = np.diag([3.0, 1.0]), np.array([[1.0, 1.0]])
    >>> terms = nbs18_terms([W1, W2], m=100, delta=0.1, B=1.0, gamma=1.0)
    >>> terms.spectral_product, round(terms.frobenius_ratio_sum, 6)  # 3 * sqrt(2); 10/9 + 1
    (4.242640687119286, 2.111111)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from analysis.norms import EQUIVARIANCE_TOL, IrrepDomain, frobenius_norm, spectral_norm
from groups.checks import check_int, check_real

__all__ = [
    "LayerNorms",
    "NBS18Terms",
    "layer_norms",
    "layer_profile",
    "margins",
    "margin_loss",
    "nbs18_terms",
]


@dataclass(frozen=True)
class LayerNorms:
    """``‖W‖_2``, ``‖W‖_F`` of one layer, how they were computed, and the residual."""

    spectral: float
    frobenius: float
    method: str
    residual: float | None = None


@dataclass(frozen=True)
class NBS18Terms:
    """The quantities of NBS18 Theorem 1 (constant of the ``O(·)`` set to 1).

    Attributes:
        depth: ``d``, the number of layer matrices.
        width: ``h``, the largest number of output units of a layer (or as given).
        m, delta, B, gamma, empirical_margin_loss: the theorem's ``m``, ``δ``, ``B``,
            ``γ`` and ``L̂_γ``.
        spectral_product: ``Π_i ‖W_i‖_2``.
        frobenius_ratio_sum: ``Σ_i ‖W_i‖_F^2 / ‖W_i‖_2^2``.
        phi: ``Φ = Π_i ‖W_i‖_2^2 Σ_i ‖W_i‖_F^2 / ‖W_i‖_2^2``.
        margin_complexity: ``B^2 Φ / γ^2``, the margin-normalised complexity.
        complexity: ``B^2 d^2 h ln(d h) Φ``.
        confidence: ``ln(d m / δ)``.
        gap_term: ``sqrt((complexity + confidence) / (γ^2 m))``.
        bound: ``L̂_γ + gap_term``.
    """

    depth: int
    width: int
    m: int
    delta: float
    B: float
    gamma: float
    empirical_margin_loss: float
    spectral_product: float
    frobenius_ratio_sum: float
    phi: float
    margin_complexity: float
    complexity: float
    confidence: float
    gap_term: float
    bound: float

    def record(self) -> dict:
        """The fields as a JSON-ready dict."""
        return asdict(self)


def _as_matrix(W, k: int) -> np.ndarray:
    array = np.asarray(W)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"weights[{k}] must be a real matrix; got dtype {array.dtype}.")
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"weights[{k}] must be a non-empty 2-D matrix; got shape {array.shape}.")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"weights[{k}] contains non-finite values (nan or inf).")
    return array


def layer_norms(
    weights: Sequence, reps: Sequence | None = None, method: str = "dense", *,
    tol: float = EQUIVARIANCE_TOL,
) -> list[LayerNorms]:  # fmt: skip
    """Spectral and Frobenius norms of every layer ``W_i: reps[i] -> reps[i + 1]``.

    Args:
        weights: ``d`` real matrices, ``W_i`` of shape ``(n_{i+1}, n_i)``.
        reps: ``d + 1`` bound representations of one group (needed for ``"irrep"``;
            with ``"dense"`` optional, and then only checked against the shapes). Each
            distinct rep is decomposed once.
        method: ``"dense"`` (numpy SVD) or ``"irrep"`` (`analysis.norms`, blockwise).
        tol: the equivariance tolerance of ``"irrep"`` (`analysis.norms.irrep_blocks`).

    Returns:
        One `LayerNorms` per layer.

    Raises:
        TypeError: a non-real matrix or a non-Rep.
        ValueError: no layers, consecutive shapes that do not chain, ``len(reps) !=
            d + 1``, an unknown method, ``"irrep"`` without reps, or a layer that is not
            equivariant (`analysis.norms.irrep_blocks`).

    Example:
        >>> from groups import Z
        >>> from emlp_core import V, Scalar
        >>> reps = [V(Z(3)), Scalar(Z(3))]
        >>> norms = layer_norms([np.ones((1, 3))], reps, "irrep")  # ‖(1, 1, 1)‖ = sqrt(3)
        >>> [(round(n.spectral**2, 12), n.method) for n in norms]
        [(3.0, 'irrep')]
    """
    if method not in ("dense", "irrep"):
        raise ValueError(f"method must be 'dense' or 'irrep'; got {method!r}.")
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence) or not weights:
        raise ValueError("weights must be a non-empty sequence of layer matrices.")
    matrices = [_as_matrix(W, k) for k, W in enumerate(weights)]
    for k in range(1, len(matrices)):
        if matrices[k].shape[1] != matrices[k - 1].shape[0]:
            raise ValueError(
                f"weights[{k}] has shape {matrices[k].shape} but weights[{k - 1}] outputs "
                f"{matrices[k - 1].shape[0]} units; the layers do not chain."
            )
    if reps is None:
        if method == "irrep":
            raise ValueError("method='irrep' needs reps: the d + 1 representations.")
        return [
            LayerNorms(float(np.linalg.norm(W, 2)), float(np.linalg.norm(W)), "dense")
            for W in matrices
        ]
    if len(reps) != len(matrices) + 1:
        raise ValueError(f"reps must hold {len(matrices) + 1} representations; got {len(reps)}.")
    cache: dict = {}  # rep -> isotypic decomposition, shared by the layers
    found = []
    for W, rep_in, rep_out in zip(matrices, reps[:-1], reps[1:], strict=True):
        if method == "dense":  # the reps and the shape are still checked
            spectral = spectral_norm(W, rep_in, rep_out, "dense")
            found.append(LayerNorms(spectral, frobenius_norm(W, rep_in, rep_out, "dense"), method))
            continue
        blocks = IrrepDomain(rep_in, rep_out, cache).blocks(W, tol)
        found.append(
            LayerNorms(blocks.spectral_norm, blocks.frobenius_norm, method, blocks.residual)
        )
    return found


def layer_profile(W, rep_in, rep_out, *, tol: float = EQUIVARIANCE_TOL) -> list[dict]:
    """Per-irrep records of one equivariant layer: the irrep-domain quantities.

    Each record holds ``irrep, kind, dim, m_in, m_out, weight`` (``c_ψ``), ``spectral``
    (``‖Ŵ_ψ‖_2``) and ``frobenius`` (``‖Ŵ_ψ‖_F``); see `analysis.norms.IrrepBlock`.

    Example:
        >>> from groups import Z
        >>> from emlp_core import V, Scalar
        >>> [r["irrep"] for r in layer_profile(np.ones((1, 4)), V(Z(4)), Scalar(Z(4)))]
        ['k=0']
    """
    return [b.record() for b in IrrepDomain(rep_in, rep_out).blocks(W, tol).blocks]


def margins(logits, labels) -> np.ndarray:
    """``f(x)[y] - max_{j≠y} f(x)[j]`` per sample: float64 ``(n,)``.

    Args:
        logits: real ``(n, k)`` with ``k >= 2``.
        labels: integers ``(n,)`` in ``[0, k)``.

    Example:
        >>> margins(np.array([[2.0, 0.5], [0.0, 1.0]]), np.array([0, 0]))
        array([ 1.5, -1. ])
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise ValueError(f"logits must have shape (n, k) with k >= 2; got {logits.shape}.")
    if labels.shape != logits.shape[:1] or labels.dtype.kind not in "iu":
        raise ValueError(
            f"labels must be {logits.shape[0]} integers; got {labels.dtype} {labels.shape}."
        )
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ValueError(f"labels must lie in [0, {logits.shape[1]}).")
    rows = np.arange(labels.size)
    correct = logits[rows, labels]
    others = logits.copy()
    others[rows, labels] = -np.inf
    return correct - others.max(axis=1)


def margin_loss(margin_values, gamma: float) -> float:
    """``L̂_γ``: the fraction of margins ``<= γ`` (``γ = 0``: the training error).

    Example:
        >>> margin_loss(np.array([1.5, -1.0, 0.2, 3.0]), 0.5)
        0.5
    """
    gamma = check_real(gamma, "gamma", minimum=0)
    values = np.asarray(margin_values, dtype=np.float64)
    return float(np.mean(values <= gamma)) if values.size else 0.0


def nbs18_terms(
    weights: Sequence | None = None, reps: Sequence | None = None, method: str = "dense", *,
    m: int, delta: float, B: float, gamma: float, width: int | None = None,
    empirical_margin_loss: float = 0.0, norms: Sequence | None = None,
) -> NBS18Terms:  # fmt: skip
    """The terms of NBS18 Theorem 1 for a network (constant of its ``O(·)`` set to 1).

    Args:
        weights: the ``d`` layer matrices (as `layer_norms`), or None with ``norms``.
        reps, method: as `layer_norms`; ``"irrep"`` reads each norm in the irreps.
        m: training-set size, ``>= 1``.
        delta: confidence parameter in ``(0, 1)``.
        B: input-norm bound, ``> 0``.
        gamma: margin, ``> 0``.
        width: ``h``; default the largest output dimension of a layer.
        empirical_margin_loss: ``L̂_γ`` in ``[0, 1]`` (`margin_loss`).
        norms: precomputed `LayerNorms` (then ``width`` is required).

    Returns:
        `NBS18Terms`.

    Raises:
        TypeError, ValueError: bad scalars (`groups.checks`), a layer with zero spectral
            norm, and as `layer_norms`.

    Example:
        >>> t = nbs18_terms([np.eye(2)], m=10, delta=0.5, B=2.0, gamma=1.0)
        >>> [round(v, 6) for v in (t.phi, t.margin_complexity, t.complexity)]  # 4 * 2 ln 2 * 2
        [2.0, 8.0, 11.090355]
    """
    m = check_int(m, "m", minimum=1, where="nbs18_terms")
    delta = check_real(delta, "delta", above=0, below=1, where="nbs18_terms")
    B = check_real(B, "B", above=0, where="nbs18_terms")
    gamma = check_real(gamma, "gamma", above=0, where="nbs18_terms")
    loss = check_real(empirical_margin_loss, "empirical_margin_loss", minimum=0, maximum=1)
    if norms is None:
        if weights is None:
            raise ValueError("nbs18_terms needs weights or norms.")
        norms = layer_norms(weights, reps, method)
        shapes = [np.shape(W) for W in weights]
        width = max(s[0] for s in shapes) if width is None else width
    elif width is None:
        raise ValueError("nbs18_terms: width (h) is required with precomputed norms.")
    width = check_int(width, "width", minimum=1, where="nbs18_terms")
    spectral = np.array([n.spectral for n in norms])
    frobenius = np.array([n.frobenius for n in norms])
    if np.any(spectral <= 0):
        raise ValueError("every layer needs a nonzero spectral norm (a zero layer has f_w = 0).")
    depth = len(norms)
    ratio_sum = float(np.sum(frobenius**2 / spectral**2))
    product = float(np.prod(spectral))
    phi = product**2 * ratio_sum
    complexity = B**2 * depth**2 * width * math.log(depth * width) * phi
    confidence = math.log(depth * m / delta)
    gap = math.sqrt((complexity + confidence) / (gamma**2 * m))
    return NBS18Terms(
        depth, width, m, delta, B, gamma, loss, product, ratio_sum, phi,
        B**2 * phi / gamma**2, complexity, confidence, gap, loss + gap,
    )  # fmt: skip
