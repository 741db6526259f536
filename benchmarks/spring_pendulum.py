"""The double spring pendulum of the EMLP paper (arXiv 2104.09459, Section 7 and Table 1).

Two unit point masses in 3-D: mass 1 hangs from the origin by a spring, mass 2 from mass 1
by a second spring; gravity points along ``-z``. The state is
``z = (q1, q2, p1, p2) in R^12`` (positions, then momenta) and

    H(z) = |p1|^2 / 2 + |p2|^2 / 2 + k1 (|q1| - 1)^2 / 2 + k2 (|q1 - q2| - 1)^2 / 2
           + g (q1_z + q2_z)

with ``k1 = 1``, ``k2 = 2``, ``g = 1``: the potential of the paper's released code, which
writes the second spring's energy as ``(|q1 - q2| - 1)^2`` without the ``1/2``.
Initial conditions (as the paper): ``q1 = (0, 0, -1.5) + 0.2 N(0, I)``,
``q2 = (0, 0, -3) + 0.2 N(0, I)``, ``p = 0.4 N(0, I_6)``.

Symmetry: rotations about the z axis (and reflections through vertical planes) act on every
3-vector of the state, ``rep = 4 V`` of ``Embed(O(2), 3, [0, 1])``; `PENDULUM_GROUPS` also
holds the paper's subgroups SO(2), D6 and D2. The z component of the total angular momentum
``L_z = sum_i (q_i x p_i)_z`` is conserved.

Ground truth is integrated in float64 numpy with the classical Runge-Kutta method (RK4)
and a step of 0.01 s; models are integrated by `rk4_rollout` in JAX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from emlp_core import Rep, V
from groups import SO, D, Embed, Group, O
from groups.checks import check_int

__all__ = [
    "SPRINGS",
    "PENDULUM_GROUPS",
    "hamiltonian",
    "true_vector_field",
    "angular_momentum_z",
    "sample_initial_conditions",
    "integrate_true",
    "rk4_rollout",
    "PendulumData",
    "pendulum_data",
]

SPRINGS = {"k1": 1.0, "k2": 2.0, "g": 1.0}
"""Spring constants and gravity (unit masses and rest lengths); see the module docstring."""


def _about_z(group: Group) -> Group:
    return Embed(group, 3, [0, 1])


PENDULUM_GROUPS: dict[str, Callable[[], Group]] = {
    "O2": lambda: _about_z(O(2)),
    "SO2": lambda: _about_z(SO(2)),
    "D6": lambda: _about_z(D(6)),
    "D2": lambda: _about_z(D(2)),
}
"""The paper's symmetry groups of the pendulum, each acting on R^3 about the z axis."""


def _split(z):
    return z[..., 0:3], z[..., 3:6], z[..., 6:9], z[..., 9:12]


def hamiltonian(z: jax.typing.ArrayLike) -> jax.Array:
    """The energy ``H(z)`` of states ``z (..., 12)``; returns ``(...)``.

    Example:
        >>> z = np.r_[0, 0, -1, 0, 0, -2, np.zeros(6)]  # at rest, springs at rest length
        >>> float(hamiltonian(z))
        -3.0
    """
    q1, q2, p1, p2 = _split(jnp.asarray(z))
    k1, k2, g = SPRINGS["k1"], SPRINGS["k2"], SPRINGS["g"]
    kinetic = 0.5 * jnp.sum(p1**2, -1) + 0.5 * jnp.sum(p2**2, -1)
    stretch1 = jnp.linalg.norm(q1, axis=-1) - 1.0
    stretch2 = jnp.linalg.norm(q1 - q2, axis=-1) - 1.0
    potential = 0.5 * k1 * stretch1**2 + 0.5 * k2 * stretch2**2 + g * (q1[..., 2] + q2[..., 2])
    return kinetic + potential


def true_vector_field(z: np.ndarray) -> np.ndarray:
    """``J grad H(z)`` in closed form, float64 numpy, for states ``z (n, 12)``.

    Example:
        >>> z = np.r_[0, 0, -1, 0, 0, -2, np.zeros(6)][None]
        >>> true_vector_field(z)[0, 6:] + 0.0  # only gravity pulls (springs at rest length)
        array([ 0.,  0., -1.,  0.,  0., -1.])
    """
    q1, q2, p1, p2 = _split(np.asarray(z, dtype=np.float64))
    k1, k2, g = SPRINGS["k1"], SPRINGS["k2"], SPRINGS["g"]
    r1 = np.linalg.norm(q1, axis=-1, keepdims=True)
    d = q1 - q2
    r12 = np.linalg.norm(d, axis=-1, keepdims=True)
    spring2 = k2 * (r12 - 1.0) * d / r12
    f1 = -k1 * (r1 - 1.0) * q1 / r1 - spring2
    f2 = spring2.copy()
    f1[..., 2] -= g
    f2[..., 2] -= g
    return np.concatenate([p1, p2, f1, f2], axis=-1)


def angular_momentum_z(z: jax.typing.ArrayLike) -> np.ndarray:
    """The z component of the total angular momentum, ``sum_i (q_i x p_i)_z``: ``(...)``.

    Example:
        >>> float(angular_momentum_z(np.r_[1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]))
        2.0
    """
    q1, q2, p1, p2 = _split(np.asarray(z))
    return (
        q1[..., 0] * p1[..., 1]
        - q1[..., 1] * p1[..., 0]
        + (q2[..., 0] * p2[..., 1] - q2[..., 1] * p2[..., 0])
    )


def sample_initial_conditions(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` initial states ``(n, 12)`` float64 from the paper's distribution."""
    q1 = np.array([0.0, 0.0, -1.5]) + 0.2 * rng.standard_normal((n, 3))
    q2 = np.array([0.0, 0.0, -3.0]) + 0.2 * rng.standard_normal((n, 3))
    p = 0.4 * rng.standard_normal((n, 6))
    return np.concatenate([q1, q2, p], axis=-1)


def integrate_true(z0: np.ndarray, dt: float, num_points: int, step: float = 0.01) -> np.ndarray:
    """The true trajectories from ``z0 (n, 12)`` at times ``0, dt, ..., (num_points - 1) dt``.

    RK4 in float64 with substeps of about ``step``; returns ``(n, num_points, 12)``.
    """
    substeps = max(1, round(dt / step))
    h = dt / substeps
    z = np.asarray(z0, dtype=np.float64)
    out = [z]
    for _ in range(num_points - 1):
        for _ in range(substeps):
            k1 = true_vector_field(z)
            k2 = true_vector_field(z + 0.5 * h * k1)
            k3 = true_vector_field(z + 0.5 * h * k2)
            k4 = true_vector_field(z + h * k3)
            z = z + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(z)
    return np.stack(out, axis=1)


def rk4_rollout(
    field: Callable[[jax.Array], jax.Array], z0: jax.Array, dt: float, num_points: int, substeps=2
) -> jax.Array:
    """Integrates ``dz/dt = field(z)`` with RK4 (``substeps`` steps per ``dt``), in JAX.

    Args:
        field: maps states ``(batch, 12)`` to their time derivatives, same shape.
        z0: initial states ``(batch, 12)``.
        dt: spacing of the returned time points.
        num_points: number of time points returned, including ``t = 0``.
        substeps: RK4 steps per ``dt`` (step ``dt / substeps``).

    Returns:
        ``(batch, num_points, 12)``: the states at ``0, dt, ..., (num_points - 1) dt``.

    Example:
        >>> decay = lambda z: -z
        >>> zs = rk4_rollout(decay, jnp.ones((1, 12)), 0.5, 3)
        >>> bool(jnp.allclose(zs[0, :, 0], jnp.exp(-jnp.arange(3) * 0.5), atol=1e-4))
        True
    """
    h = dt / substeps

    def rk4_step(z, _):
        a = field(z)
        b = field(z + 0.5 * h * a)
        c = field(z + 0.5 * h * b)
        d = field(z + h * c)
        return z + (h / 6.0) * (a + 2 * b + 2 * c + d), None

    def interval(z, _):
        z, _ = jax.lax.scan(rk4_step, z, None, length=substeps)
        return z, z

    _, zs = jax.lax.scan(interval, z0, None, length=num_points - 1)
    return jnp.concatenate([z0[:, None], jnp.swapaxes(zs, 0, 1)], axis=1)


@dataclass(frozen=True)
class PendulumData:
    """Training chunks and evaluation initial states of the double spring pendulum.

    Attributes:
        train, val: trajectory chunks ``(n, chunk_len, 12)`` float32, spaced by ``dt``.
        test_z0: initial states of the test rollouts ``(n_test, 12)`` float32 (the first
            state of held-out chunks, as the paper).
        test_true: ground-truth test rollouts ``(n_test, rollout_points, 12)`` float32.
        dt: time between saved states (0.2 s).
        group: the system's symmetry, O(2) about the z axis; ``rep_in = 4 V`` of it.
    """

    train: np.ndarray
    val: np.ndarray
    test_z0: np.ndarray
    test_true: np.ndarray
    dt: float
    group: Group
    rep_in: Rep

    def rep_for(self, group: Group) -> Rep:
        """The state representation ``4 V`` bound to ``group`` (e.g. a subgroup variant).

        Example:
            >>> pendulum_data(1, 1, 1, duration=1.0).rep_for(PENDULUM_GROUPS["D6"]())
            (4*V)(Embed(D(6), 3, [0, 1]))
        """
        return (4 * V)(group)

    def act(self, g: np.ndarray) -> PendulumData:
        """Every state moved by ``g (3, 3)`` of the group: ``z rho(g)^T`` on each 3-vector.

        Because the dynamics are equivariant, the moved chunks and rollouts are again true
        trajectories (of the moved initial states), which the tests check.

        Example:
            >>> data = pendulum_data(2, 1, 1, duration=1.0)
            >>> moved = data.act(data.group.samples(1, seed=0)[0])
            >>> bool(np.allclose(moved.train[..., 2], data.train[..., 2]))  # heights stay
            True
        """
        rho = self.rep_in.rho(g).astype(np.float32)
        return PendulumData(
            self.train @ rho.T,
            self.val @ rho.T,
            self.test_z0 @ rho.T,
            self.test_true @ rho.T,
            self.dt,
            self.group,
            self.rep_in,
        )


def pendulum_data(
    n_train: int = 500,
    n_val: int = 500,
    n_test: int = 500,
    *,
    seed: int = 0,
    chunk_len: int = 5,
    dt: float = 0.2,
    duration: float = 30.0,
) -> PendulumData:
    """Generates the dataset as the paper: one random chunk from each 30 s trajectory.

    Each of ``n_train + n_val + n_test`` trajectories starts from
    `sample_initial_conditions`, is integrated for ``duration`` seconds (saved every
    ``dt``), and contributes one chunk of ``chunk_len`` consecutive states, chosen at
    random among its non-overlapping chunks. Test rollouts start from the first state of
    each test chunk and run for ``duration`` seconds (``duration / dt`` points, as the
    paper's ``arange(0, 30, 0.2)``).

    Raises:
        TypeError: if a size or ``chunk_len`` is not an integer (bools and floats
            included).
        ValueError: on a non-positive size, ``chunk_len < 2`` or a duration shorter than
            one chunk.

    Example:
        >>> data = pendulum_data(4, 2, 2, seed=0, duration=2.0)
        >>> data.train.shape, data.test_true.shape
        ((4, 5, 12), (2, 10, 12))
    """
    n_train = check_int(n_train, "n_train", minimum=1, where="pendulum_data")
    n_val = check_int(n_val, "n_val", minimum=1, where="pendulum_data")
    n_test = check_int(n_test, "n_test", minimum=1, where="pendulum_data")
    chunk_len = check_int(chunk_len, "chunk_len", minimum=2, where="pendulum_data")
    points = int(round(duration / dt))
    if points < chunk_len:
        raise ValueError(f"duration {duration} is shorter than one chunk of {chunk_len} x {dt}.")
    rng = np.random.default_rng(seed)
    total = n_train + n_val + n_test
    trajectories = integrate_true(sample_initial_conditions(total, rng), dt, points)
    starts = chunk_len * rng.integers(0, points // chunk_len, size=total)  # as the paper
    chunks = np.stack([trajectories[i, s : s + chunk_len] for i, s in enumerate(starts)])
    test_z0 = chunks[n_train + n_val :, 0]
    G = PENDULUM_GROUPS["O2"]()
    return PendulumData(
        train=chunks[:n_train].astype(np.float32),
        val=chunks[n_train : n_train + n_val].astype(np.float32),
        test_z0=test_z0.astype(np.float32),
        test_true=integrate_true(test_z0, dt, points).astype(np.float32),
        dt=dt,
        group=G,
        rep_in=(4 * V)(G),
    )
