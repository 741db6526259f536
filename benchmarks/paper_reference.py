"""Figures from outside this repository that the benchmarks and tests compare against.

Rule: a number this project did not produce (a published result, the emlp library's
timings, a known invariant count) is written once, here, beside its source; benchmarks
and tests import it instead of copying it. Reason: each figure can be checked against
its citation in one place, and nothing needs a file outside the repository.

Sources:

* the EMLP paper: Finzi, Welling and Wilson, "A Practical Method for Constructing
  Equivariant Multilayer Perceptrons for Arbitrary Matrix Groups", ICML 2021,
  arXiv 2104.09459 (`EMLP_PAPER`);
* the emlp library, the paper's own implementation, timed on a 2-core CPU (emlp 1.0.3,
  jax 0.4.23, float32, first call in a fresh process);
* combinatorial counts of invariant tensors, each with the rule that gives it.

Example:
    >>> REGRESSION_TEST_MSE["o5"]["emlp-O5"][1000], PENDULUM_ROLLOUT_ERROR["mlp-hnn"]
    (0.017, 0.0281)
    >>> BELL_NUMBERS[5], RIORDAN_NUMBERS[8], EMLP_SOLVER_SECONDS["so3-V**8"]
    (52, 91, 97.0)
"""

from __future__ import annotations

__all__ = [
    "EMLP_PAPER",
    "REGRESSION_TEST_MSE",
    "PENDULUM_ROLLOUT_ERROR",
    "EMLP_SOLVER_SECONDS",
    "EMLP_CONSTRUCTION_SECONDS",
    "EMLP_TRAIN_STEP_SECONDS",
    "BELL_NUMBERS",
    "RIORDAN_NUMBERS",
    "LORENTZ_T2_TO_T2",
    "SYMPLECTIC_V2",
    "RUBIKS_CUBE_COUNTS",
    "EMLP_RUBIKS_CUBE_V_TO_V",
    "T5_COUNTS",
    "G2_TENSOR_POWERS",
    "SO7_TENSOR_POWERS",
    "EXCEPTIONAL_ALGEBRAS",
    "GSNN_PAPER",
    "GSNN_COUNTS",
]

EMLP_PAPER = (
    "Finzi, Welling, Wilson: A Practical Method for Constructing Equivariant Multilayer "
    "Perceptrons for Arbitrary Matrix Groups (ICML 2021), arXiv 2104.09459"
)

# ------------------------------------------------------------------- published results
REGRESSION_TEST_MSE: dict[str, dict[str, dict[int, float]]] = {
    "o5": {
        "mlp": {100: 2.83, 1000: 0.0892, 10000: 0.0616},
        "mlp_aug": {100: 0.397, 1000: 0.0633, 10000: 0.0702},
        "emlp-O5": {100: 0.0408, 1000: 0.017, 10000: 0.013},
    },
    "inertia": {
        "mlp": {100: 7.91, 1000: 3.24, 10000: 0.154},
        "mlp_aug": {100: 1.78, 1000: 0.13, 10000: 0.112},
        "emlp-O3": {100: 1.44, 1000: 0.136, 10000: 0.018},
        "emlp-SO3": {100: 1.16, 1000: 0.0604, 10000: 0.0185},
    },
    "lorentz": {
        "mlp": {100: 0.733, 1000: 0.364, 10000: 0.0166},
        "mlp_aug": {100: 0.19, 1000: 0.0125, 10000: 0.0134},
        "emlp-O13": {100: 0.00888, 1000: 0.00033, 10000: 0.000264},
    },
}
"""Test MSE by task, variant and training-set size N: EMLP paper (arXiv 2104.09459), Figure 5.

Raw numbers from the authors' published results file; mean over 3 seeds; 3 layers, 384
channels, Adam 3e-3, batch 500, test set 5000. Tasks: O(5) synthetic (``2V -> V0``),
O(3) inertia (``5V0 + 5V -> V2``), O(1,3) particle scattering (``4V -> V0``).
"""

PENDULUM_ROLLOUT_ERROR: dict[str, float] = {"emlp-hnn-O2": 0.0121, "mlp-hnn": 0.0281}
"""Double spring pendulum, 30 s rollouts: EMLP paper (arXiv 2104.09459), Table 1.

Geometric mean of the relative state error; EMLP-HNN with O(2) and MLP-HNN.
"""

# ------------------------------------------------------------- the emlp library, timed
EMLP_SOLVER_SECONDS: dict[str, float] = {
    "so3-V**4": 0.47,  # size 81, basis dim 3
    "so3-V**6": 0.96,  # 729, 15
    "so3-V**7": 6.5,  # 2,187, 36
    "so3-V**8": 97.0,  # 6,561, 91
    "o5-(V0+V+V2)>>(V0+V+V2)": 4.1,  # 961, 7
    "o13-scattering-first-layer": 1.7,  # emlp's own hidden rep: 6,704, 124
    "s10-V**3": 6.1,  # 1,000, 5
    "s20-V**3": 10.6,  # 8,000, 5
    "s10-V**4": 15.0,  # 10,000, 15
    "rubiks-V>>V": 1.8,  # 2,304; emlp reports dim 6 (see EMLP_RUBIKS_CUBE_V_TO_V)
}
"""Basis solve of the emlp library, seconds, by `benchmarks.solver` case name.

emlp 1.0.3 (the implementation of arXiv 2104.09459), jax 0.4.23, float32, on a 2-core
CPU; first call in a fresh process.
"""

EMLP_CONSTRUCTION_SECONDS: dict[str, float] = {
    "emlp-construction-inertia-so3": 5.6,
    "emlp-construction-o5": 7.1,
    "emlp-construction-scattering-o13": 32.5,
}
"""Construction of an emlp EMLP model (3 layers, 384 channels), seconds, by case name.

emlp 1.0.3, jax 0.4.23, float32, on a 2-core CPU, first call in a fresh process: SO(3)
inertia, O(5) synthetic and O(1,3) scattering models.
"""

EMLP_TRAIN_STEP_SECONDS: dict[str, tuple[float, float]] = {
    "emlp": (3.0, 3.9),
    "mlp": (0.007, 0.007),
}
"""One jitted forward+backward step at batch 500, seconds (lowest, highest over the tasks).

emlp 1.0.3, jax 0.4.23, float32, on a 2-core CPU: its EMLP (3 layers, 384 channels)
against an MLP of the same width. Over 99% of the EMLP step is its bilinear layer, which
builds a per-sample 414 x 414 weight matrix.
"""

# ------------------------------------------------------------- known invariant counts
BELL_NUMBERS: tuple[int, ...] = (1, 1, 2, 5, 15, 52, 203, 877)
"""Invariants of ``S(n)`` on ``V**k`` (permutation rep), ``n >= k``, for k = 0..7.

Rule: one invariant per set partition of ``k`` points into at most ``n`` blocks, so the
Bell number ``B(k)`` when ``n >= k``; ``Hom(T(a), T(b))`` counts as ``T(a + b)``.
"""

RIORDAN_NUMBERS: tuple[int, ...] = (1, 0, 1, 1, 3, 6, 15, 36, 91, 232, 603)
"""Invariants of ``SO(3)`` on ``V**k`` (``V = R^3``) for k = 0..10: the Riordan numbers.

(For ``O(n)`` on ``V**k``, ``n >= k``, the count is the number of Brauer pairings: 0 for
odd ``k``, ``(k - 1)!!`` for even ``k``.)
"""

LORENTZ_T2_TO_T2: dict[str, int] = {"SO(1,3)": 4, "O(1,3)": 3}
"""Dimension of ``Hom(T(2), T(2))``: three pairings with the metric, plus the
Levi-Civita tensor for the proper orthochronous group (algebra only), which parity and
time reversal remove."""

SYMPLECTIC_V2 = 1
"""Invariants of ``Sp(2m)`` on ``V**2``: the symplectic form alone."""

RUBIKS_CUBE_COUNTS: dict[str, int] = {"V": 2, "V>>V": 9}
"""The Rubik's cube group on its 48 facelets: ``V`` has 2 invariants (corner and edge
facelets); ``V >> V`` has 9, its orbitals on facelet pairs (4 corner-corner, 3 edge-edge,
2 mixed)."""

EMLP_RUBIKS_CUBE_V_TO_V = 6
"""The dimension of Rubik's cube ``V >> V`` in the emlp library's table: its iterative
solve misses 3 of the 9 (`RUBIKS_CUBE_COUNTS`)."""

T5_COUNTS: dict[str, int] = {"Alt(5)": 63, "S(5)": 52}
"""Invariants on ``T(5)`` (``V**5`` of ``R^5``): the alternating group has more than the
symmetric group's Bell number ``B(5) = 52``."""

G2_TENSOR_POWERS: dict[int, int] = {2: 1, 3: 1, 4: 4}
"""Invariants of ``G2`` on ``V**k`` (``V = R^7``), k = 2, 3, 4: the metric, the octonion
3-form, and four quartic ones."""

SO7_TENSOR_POWERS: dict[int, int] = {2: 1, 3: 0, 4: 3}
"""Invariants of ``SO(7)`` on ``V**k``, k = 2, 3, 4 (Brauer pairings; G2 adds the 3-form
and one quartic invariant)."""

EXCEPTIONAL_ALGEBRAS: dict[str, tuple[int, int]] = {"G2": (14, 2), "F4": (52, 4), "E6": (78, 6)}
"""``(dimension, rank)`` of the exceptional Lie algebras: G2 on ``R^7`` (the stabilizer of
the octonion 3-form), F4 on the 26- or 27-dimensional Albert algebra, E6 on the
27-dimensional Albert algebra (preserving its cubic determinant)."""

# ------------------------------------------------------- G-invariant shallow networks
GSNN_PAPER = (
    "Agrawal & Ostrowski, NeurIPS 2022, arXiv 2205.09219; counts from running the authors' "
    "published code"
)

GSNN_COUNTS: dict[str, tuple[int, int, int, int, int]] = {
    "C4": (3, 3, 2, 2, 5),
    "C6": (4, 4, 2, 2, 6),
    "D4": (5, 8, 7, 13, 12),
    "C2xC2": (4, 5, 3, 6, 7),
    "Q8": (6, 6, 7, 7, 13),
}
"""Irreducible G-invariant shallow ReLU architectures of the paper's groups (acting as
`emlp_core.shallow.paper_groups` builds them), from the authors' code (`GSNN_PAPER`):
``(type-1 accepted, type-1 proposed, type-2 accepted, type-2 proposed, irreducible)``.
The authors list every index-2 kernel ``K`` of ``H`` (``merge_conjugate_kernels=False``
of `emlp_core.shallow.enumerate_invariant_shallow`)."""
