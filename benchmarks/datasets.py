"""Synthetic regression datasets of the EMLP paper (arXiv 2104.09459, Section 7), seeded.

Every dataset is generated (nothing is downloaded) and carries its symmetry group,
``rep_in`` and ``rep_out``; `RegressionData.act` applies a group element to inputs and
outputs, ``y(rho_in(g) x) = rho_out(g) y(x)``. Inputs and targets are float32, targets in
their original units.

=========== ======================== ============== ================================
task        inputs                   rep_in -> out  group (EMLP variants)
=========== ======================== ============== ================================
``o5``      x1, x2 ~ N(0, I5)        2V -> Scalar   O(5) (O5, SO5)
``inertia`` 5 masses, 5 positions    5 + 5V -> V^2  O(3) (O3, SO3)
``lorentz`` 4 four-momenta           4V -> Scalar   O(1,3) (O13, SO13, SO13p)
=========== ======================== ============== ================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from emlp_core import Rep, Scalar, V
from groups import O13, SO, SO13, Group, O, SO13p, minkowski_metric
from groups.checks import check_int

__all__ = [
    "RegressionData",
    "o5_synthetic",
    "inertia",
    "particle_interaction",
    "scattering_amplitude",
    "TASKS",
    "TASK_GROUPS",
]


@dataclass(frozen=True)
class RegressionData:
    """Inputs ``x (n, rep_in.size())`` and targets ``y (n, rep_out.size())``, float32.

    ``rep_in`` and ``rep_out`` are bound to ``group``; ``unbound_reps`` holds the same two
    reps unbound, so that a model can be built for a subgroup (`reps_for`).
    """

    x: np.ndarray
    y: np.ndarray
    group: Group
    rep_in: Rep
    rep_out: Rep
    unbound_reps: tuple[Rep, Rep]

    def __len__(self) -> int:
        return len(self.x)

    def reps_for(self, group: Group) -> tuple[Rep, Rep]:
        """``(rep_in, rep_out)`` bound to ``group`` (e.g. SO(3) for an O(3) task).

        Example:
            >>> from groups import SO
            >>> inertia(1).reps_for(SO(3))
            ((5*Scalar + 5*V)(SO(3)), (V**2)(SO(3)))
        """
        rep_in, rep_out = self.unbound_reps
        return rep_in(group), rep_out(group)

    def act(self, g: np.ndarray) -> RegressionData:
        """The dataset moved by the group element ``g (d, d)``: ``x rho_in(g)^T, y rho_out(g)^T``.

        For the exact targets of these tasks, the result is again a valid dataset (the
        targets of the moved inputs), which is what the tests check.

        Example:
            >>> data = o5_synthetic(3, seed=0)
            >>> moved = data.act(data.group.samples(1, seed=1)[0])
            >>> bool(np.allclose(moved.y, data.y, atol=1e-5))  # invariant target
            True
        """
        rho_in = self.rep_in.rho(g).astype(np.float32)
        rho_out = self.rep_out.rho(g).astype(np.float32)
        return RegressionData(
            self.x @ rho_in.T,
            self.y @ rho_out.T,
            self.group,
            self.rep_in,
            self.rep_out,
            self.unbound_reps,
        )


def o5_synthetic(n: int, seed: int = 0) -> RegressionData:
    """The O(5) synthetic task: ``y = sin|x1| - |x2|^3 / 2 + x1.x2 / (|x1| |x2|)``.

    ``x1, x2 ~ N(0, I_5)``; ``rep_in = 2V``, ``rep_out = Scalar`` under O(5).

    Example:
        >>> data = o5_synthetic(4, seed=0)
        >>> data.x.shape, data.y.shape
        ((4, 10), (4, 1))
    """
    n = check_int(n, "n", minimum=1, where="o5_synthetic")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2, 5))
    r1, r2 = np.linalg.norm(x[:, 0], axis=-1), np.linalg.norm(x[:, 1], axis=-1)
    y = np.sin(r1) - 0.5 * r2**3 + np.sum(x[:, 0] * x[:, 1], axis=-1) / (r1 * r2)
    group = O(5)
    return RegressionData(
        x.reshape(n, 10).astype(np.float32),
        y[:, None].astype(np.float32),
        group,
        (2 * V)(group),
        Scalar(group),
        (2 * V, Scalar),
    )


def inertia(n: int, seed: int = 0, bodies: int = 5) -> RegressionData:
    """The O(3) inertia task: the inertia matrix ``sum_i m_i (|r_i|^2 I - r_i r_i^T)``.

    Masses ``m_i = softplus(N(0, 1))`` and positions ``r_i ~ N(0, I_3)``; the input is
    ``(m_1 .. m_k, r_1 .. r_k)`` (``rep_in = k Scalar + k V``) and the target the 3x3
    matrix flattened row-major (``rep_out = V**2``), under O(3).

    Example:
        >>> data = inertia(2, seed=0)
        >>> data.x.shape, data.y.shape, data.rep_out
        ((2, 20), (2, 9), (V**2)(O(3)))
    """
    n = check_int(n, "n", minimum=1, where="inertia")
    rng = np.random.default_rng(seed)
    masses = np.logaddexp(0.0, rng.standard_normal((n, bodies)))  # softplus
    positions = rng.standard_normal((n, bodies, 3))
    squared = np.sum(positions**2, axis=-1)
    y = np.einsum("nk,nk,ij->nij", masses, squared, np.eye(3)) - np.einsum(
        "nk,nki,nkj->nij", masses, positions, positions
    )
    x = np.concatenate([masses, positions.reshape(n, 3 * bodies)], axis=1)
    group = O(3)
    return RegressionData(
        x.astype(np.float32),
        y.reshape(n, 9).astype(np.float32),
        group,
        (bodies * Scalar + bodies * V)(group),
        (V**2)(group),
        (bodies * Scalar + bodies * V, V**2),
    )


def scattering_amplitude(momenta: np.ndarray) -> np.ndarray:
    """The paper's electron-muon scattering matrix element from four-momenta ``(n, 4, 4)``.

    With the Minkowski product ``a.b = a^T eta b``, ``eta = minkowski_metric(1, 3)``
    (``diag(1, -1, -1, -1)``, the toolkit's convention), and incoming/outgoing electron
    ``p1, p3`` and muon ``p2, p4``, the lepton tensors ``L_e = p1 p3^T - A eta`` and
    ``L_mu = p2 p4^T - B eta`` (``A = p1.p3 - p1.p1``, ``B = p2.p4 - p2.p2``: the mass
    terms of the tree-level amplitude with ``m^2 = p.p`` for off-shell momenta) contract to

        y = 4 L_e^{mu nu} L_mu,{mu nu}
          = 4 [(p1.p2)(p3.p4) - B (p1.p3) - A (p2.p4) + 4 A B].

    This is the target of the EMLP paper's ``ParticleInteraction`` dataset. Every term is
    a product of Minkowski products, so ``y`` is invariant under all of O(1,3).

    Returns:
        float64 ``(n,)``.

    Example:
        >>> p = np.zeros((1, 4, 4)); p[0, :, 0] = 1.0  # four particles at rest, unit mass
        >>> scattering_amplitude(p)  # A = B = 0: y = 4 (p1.p2)(p3.p4)
        array([4.])
    """
    eta = minkowski_metric(1, 3)
    p1, p2, p3, p4 = (np.asarray(momenta, dtype=np.float64)[:, i] for i in range(4))

    def dot(a, b):
        return np.einsum("ni,ij,nj->n", a, eta, b)

    A = dot(p1, p3) - dot(p1, p1)
    B = dot(p2, p4) - dot(p2, p2)
    return 4.0 * (dot(p1, p2) * dot(p3, p4) - B * dot(p1, p3) - A * dot(p2, p4) + 4.0 * A * B)


def particle_interaction(n: int, seed: int = 0) -> RegressionData:
    """The O(1,3) particle-scattering task: `scattering_amplitude` of momenta ``N(0, I4) / 4``.

    ``rep_in = 4V`` (four four-momenta ``(t, x, y, z)``), ``rep_out = Scalar``, group
    ``O13()`` (= ``Lorentz()``).

    Example:
        >>> data = particle_interaction(3, seed=0)
        >>> data.x.shape, data.y.shape, data.group
        ((3, 16), (3, 1), O(1,3))
    """
    n = check_int(n, "n", minimum=1, where="particle_interaction")
    rng = np.random.default_rng(seed)
    momenta = rng.standard_normal((n, 4, 4)) / 4.0
    group = O13()
    return RegressionData(
        momenta.reshape(n, 16).astype(np.float32),
        scattering_amplitude(momenta)[:, None].astype(np.float32),
        group,
        (4 * V)(group),
        Scalar(group),
        (4 * V, Scalar),
    )


TASKS: dict[str, Callable[..., RegressionData]] = {
    "o5": o5_synthetic,
    "inertia": inertia,
    "lorentz": particle_interaction,
}
"""Dataset constructor of each task, ``make(n, seed=...)``."""

TASK_GROUPS: dict[str, dict[str, Callable[[], Group]]] = {
    "o5": {"O5": lambda: O(5), "SO5": lambda: SO(5)},
    "inertia": {"O3": lambda: O(3), "SO3": lambda: SO(3)},
    "lorentz": {"O13": O13, "SO13": SO13, "SO13p": SO13p},
}
"""The paper's EMLP group variants of each task; the first is the task's full symmetry."""
