"""Every built-in group: defining relation, closure, dimension, rank, Killing signature.

Each case lists the forms (covariant tensors) the group must preserve, checked on the
Lie algebra (sum over slots of A^T acting on the form is zero) and on sampled elements
(``form(g x, .., g z) == form(x, .., z)`` relative to the size of ``g``), plus extra
element checks (determinants, permutations, time orientation).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pytest

from groups import (
    E6,
    F4,
    G2,
    GL,
    O11,
    O13,
    SL,
    SO,
    SO13,
    SU,
    Alt,
    C,
    Cube,
    D,
    Lorentz,
    O,
    Opq,
    RubiksCube,
    S,
    Scaling,
    SO11p,
    SO13p,
    Sp,
    Trivial,
    U,
    Z,
    ZksZnxZn,
    algebra_rank,
    complex_structure,
    killing_signature,
    minkowski_metric,
    structure_constants,
    symplectic_form,
)
from groups.albert import cubic_norm_tensor
from groups.exceptional import f4_cubic_form
from groups.finite import rubiks_facelets
from groups.octonions import g2_three_form


def levi_civita(n: int) -> np.ndarray:
    tensor = np.zeros((n,) * n)
    for perm in itertools.permutations(range(n)):
        inversions = sum(perm[i] > perm[j] for i in range(n) for j in range(i + 1, n))
        tensor[perm] = (-1) ** inversions
    return tensor


def transform(form: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``form(g x, .., g z)`` as a tensor: ``g^T`` applied in every slot."""
    for axis in range(form.ndim):
        form = np.moveaxis(np.tensordot(g.T, form, axes=(1, axis)), 0, axis)
    return form


def infinitesimal(form: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Derivative of ``transform(form, expm(tA))`` at ``t = 0``."""
    total = np.zeros_like(form)
    for axis in range(form.ndim):
        total += np.moveaxis(np.tensordot(A.T, form, axes=(1, axis)), 0, axis)
    return total


def is_permutation(g: np.ndarray) -> bool:
    return (
        bool(np.all((g == 0) | (g == 1)))
        and bool(np.all(g.sum(0) == 1))
        and bool(np.all(g.sum(1) == 1))
    )


def complex_determinant(g: np.ndarray) -> complex:
    n = g.shape[0] // 2
    return np.linalg.det(g[:n, :n] + 1j * g[n:, :n])


def same_cubie_form() -> np.ndarray:
    positions = [tuple(f[0]) for f in rubiks_facelets()]
    return np.array([[float(a == b) for b in positions] for a in positions])


def corner_chirality_form() -> np.ndarray:
    """``det(n_a, n_b, position)`` for two facelets of one corner cubie: kept by rotations."""
    facelets = rubiks_facelets()
    form = np.zeros((48, 48))
    for a, (position, normal_a) in enumerate(facelets):
        for b, (other, normal_b) in enumerate(facelets):
            if np.abs(position).sum() == 3 and np.array_equal(position, other):
                form[a, b] = np.linalg.det(np.array([normal_a, normal_b, position]))
    return form


def torus_distance_form(n: int) -> np.ndarray:
    i, j = np.divmod(np.arange(n * n), n)
    di = np.minimum((i[:, None] - i[None]) % n, (i[None] - i[:, None]) % n)
    dj = np.minimum((j[:, None] - j[None]) % n, (j[None] - j[:, None]) % n)
    return (di**2 + dj**2).astype(float)


OPPOSITE_FACES = np.kron(np.eye(3), [[0.0, 1.0], [1.0, 0.0]])
FACE_NORMALS = np.kron(np.eye(3), [[1.0], [-1.0]])  # +x, -x, +y, -y, +z, -z


def proper_rotation_of_faces(g):
    rotation = FACE_NORMALS.T @ g @ FACE_NORMALS / 2  # R n_i = n_sigma(i)
    return np.allclose(rotation.T @ rotation, np.eye(3)) and np.isclose(np.linalg.det(rotation), 1)


@dataclass
class Case:
    make: object
    dimension: int
    rank: int
    signature: tuple | None  # Killing signature (positive, negative, zero)
    forms: list = field(default_factory=list)
    element_checks: list = field(default_factory=list)  # functions g -> bool
    permutation: bool = False


def det_one(g):
    return np.isclose(np.linalg.det(g), 1.0, rtol=1e-9)


def orthochronous(g):
    return g[0, 0] >= 1.0 - 1e-9


CASES = {
    "SO(2)": Case(lambda: SO(2), 1, 1, (0, 0, 1), [np.eye(2)], [det_one]),
    "SO(3)": Case(lambda: SO(3), 3, 1, (0, 3, 0), [np.eye(3), levi_civita(3)], [det_one]),
    "SO(5)": Case(lambda: SO(5), 10, 2, (0, 10, 0), [np.eye(5)], [det_one]),
    "SO(6)": Case(lambda: SO(6), 15, 3, (0, 15, 0), [np.eye(6)], [det_one]),
    "O(4)": Case(lambda: O(4), 6, 2, (0, 6, 0), [np.eye(4)]),
    "Sp(1)": Case(lambda: Sp(1), 3, 1, (2, 1, 0), [symplectic_form(1)]),
    "Sp(2)": Case(lambda: Sp(2), 10, 2, (6, 4, 0), [symplectic_form(2)]),
    "Sp(3)": Case(lambda: Sp(3), 21, 3, (12, 9, 0), [symplectic_form(3)]),
    "SL(2)": Case(lambda: SL(2), 3, 1, (2, 1, 0), [levi_civita(2)], [det_one]),
    "SL(3)": Case(lambda: SL(3), 8, 2, (5, 3, 0), [levi_civita(3)], [det_one]),
    "GL(3)": Case(lambda: GL(3), 9, 3, (5, 3, 1), [], [lambda g: abs(np.linalg.det(g)) > 0]),
    "U(2)": Case(lambda: U(2), 4, 2, (0, 3, 1), [np.eye(4), complex_structure(2)]),
    "U(3)": Case(lambda: U(3), 9, 3, (0, 8, 1), [np.eye(6), complex_structure(3)]),
    "SU(2)": Case(
        lambda: SU(2),
        3,
        1,
        (0, 3, 0),
        [np.eye(4), complex_structure(2)],
        [lambda g: np.isclose(complex_determinant(g), 1.0)],
    ),
    "SU(3)": Case(
        lambda: SU(3),
        8,
        2,
        (0, 8, 0),
        [np.eye(6), complex_structure(3)],
        [lambda g: np.isclose(complex_determinant(g), 1.0)],
    ),
    "Scaling(3)": Case(
        lambda: Scaling(3),
        1,
        1,
        (0, 0, 1),
        [],
        [lambda g: np.allclose(g, g[0, 0] * np.eye(3)) and g[0, 0] > 0],
    ),
    "SO13p": Case(SO13p, 6, 2, (3, 3, 0), [minkowski_metric(1, 3)], [det_one, orthochronous]),
    "SO13": Case(SO13, 6, 2, (3, 3, 0), [minkowski_metric(1, 3)], [det_one]),
    "O13": Case(O13, 6, 2, (3, 3, 0), [minkowski_metric(1, 3)]),
    "Lorentz": Case(Lorentz, 6, 2, (3, 3, 0), [minkowski_metric(1, 3)]),
    "SO11p": Case(SO11p, 1, 1, (0, 0, 1), [minkowski_metric(1, 1)], [det_one, orthochronous]),
    "O11": Case(O11, 1, 1, (0, 0, 1), [minkowski_metric(1, 1)]),
    "O(2,1)": Case(lambda: Opq(2, 1), 3, 1, (2, 1, 0), [minkowski_metric(2, 1)]),
    "SO(2,2)": Case(
        lambda: Opq(2, 2, "special"), 6, 2, (4, 2, 0), [minkowski_metric(2, 2)], [det_one]
    ),
    "O(3,0)": Case(lambda: Opq(3, 0), 3, 1, (0, 3, 0), [np.eye(3)]),
    "G2": Case(G2, 14, 2, (0, 14, 0), [np.eye(7), g2_three_form()], [det_one]),
    "F4": Case(F4, 52, 4, (0, 52, 0), [np.eye(26), f4_cubic_form()], [det_one]),
    "E6": Case(E6, 78, 6, (26, 52, 0), [cubic_norm_tensor()], [det_one]),
    "S(5)": Case(lambda: S(5), 0, 0, None, permutation=True),
    "Z(6)": Case(lambda: Z(6), 0, 0, None, permutation=True),
    "Alt(5)": Case(lambda: Alt(5), 0, 0, None, [levi_civita(5)], [det_one], permutation=True),
    "C(5)": Case(lambda: C(5), 0, 0, None, [np.eye(2)], [det_one]),
    "D(6)": Case(lambda: D(6), 0, 0, None, [np.eye(2)]),
    "Cube": Case(Cube, 0, 0, None, [OPPOSITE_FACES], [proper_rotation_of_faces], permutation=True),
    "RubiksCube": Case(
        RubiksCube, 0, 0, None, [same_cubie_form(), corner_chirality_form()], permutation=True
    ),
    "ZksZnxZn(4,5)": Case(
        lambda: ZksZnxZn(4, 5), 0, 0, None, [torus_distance_form(5)], permutation=True
    ),
    "ZksZnxZn(2,4)": Case(
        lambda: ZksZnxZn(2, 4), 0, 0, None, [torus_distance_form(4)], permutation=True
    ),
    "Trivial(3)": Case(
        lambda: Trivial(3), 0, 0, None, [], [lambda g: np.allclose(g, np.eye(3))], permutation=True
    ),
}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    spec = CASES[request.param]
    return spec, spec.make()


def test_dimension_closure_and_rank(case):
    spec, G = case
    assert G.lie_algebra.shape[0] == spec.dimension
    assert G.lie_algebra.dtype == np.float64 and G.discrete_generators.dtype == np.float64
    if spec.dimension:
        constants, residual = structure_constants(G)
        assert residual < 1e-12 and G.closure_residual < 1e-12
        assert algebra_rank(G) == spec.rank

        # Jacobi identity of the computed structure constants on random elements
        def bracket(x, y):
            return np.einsum("i,j,ijk->k", x, y, constants)

        x, y, z = np.random.default_rng(0).standard_normal((3, spec.dimension))
        jacobi = bracket(bracket(x, y), z) + bracket(bracket(y, z), x) + bracket(bracket(z, x), y)
        assert np.abs(jacobi).max() < 1e-9 * max(1.0, np.abs(constants).max() ** 2)
    if spec.signature is not None:
        assert killing_signature(G) == spec.signature


def test_algebra_preserves_the_defining_forms(case):
    spec, G = case
    for form in spec.forms:
        for A in G.lie_algebra:
            residual = np.linalg.norm(infinitesimal(form, A))
            assert residual <= 1e-10 * np.linalg.norm(form) * max(1.0, np.linalg.norm(A))


def test_samples_preserve_the_defining_forms(case):
    spec, G = case
    for g in G.samples(6, seed=4):
        size = max(1.0, np.linalg.norm(g, 2))
        for form in spec.forms:
            residual = np.linalg.norm(transform(form, g) - form)
            assert residual <= 1e-10 * np.linalg.norm(form) * size**form.ndim
        for check in spec.element_checks:
            assert check(g)
        if spec.permutation:
            assert is_permutation(g)
    assert G.is_permutation == spec.permutation


def test_discrete_generators_preserve_the_defining_forms(case):
    spec, G = case
    for h in G.discrete_generators:
        for form in spec.forms:
            np.testing.assert_allclose(transform(form, h), form, atol=1e-12)


def test_compact_groups_are_orthogonal_and_negative_definite(case):
    spec, G = case
    if spec.signature is not None and spec.signature[0] == 0 and spec.signature[2] == 0:
        assert G.is_orthogonal
        for A in G.lie_algebra:
            np.testing.assert_allclose(A, -A.T, atol=1e-12)


def test_non_compact_groups_are_not_flagged_orthogonal():
    for G in (Sp(2), SL(3), GL(2), SO13p(), O11(), E6(), Scaling(2)):
        assert not G.is_orthogonal


def test_orthochronous_and_determinant_components_are_reached():
    """O(1,3) samples reach all four components; SO(1,3) two; SO+(1,3) one."""

    def components(G):
        return {(bool(np.linalg.det(g) > 0), bool(g[0, 0] > 0)) for g in G.samples(60, seed=2)}

    assert len(components(O13())) == 4
    assert components(SO13()) == {(True, True), (True, False)}
    assert components(SO13p()) == {(True, True)}


def test_disconnected_groups_reach_every_component():
    """The discrete generators are what reach det < 0 (GL, D) and the components of O(1,1)."""
    assert {bool(np.linalg.det(g) > 0) for g in GL(3).samples(30, seed=1)} == {True, False}
    assert {bool(np.linalg.det(g) > 0) for g in GL(3).discrete_generators} == {False}
    assert {bool(np.linalg.det(g) > 0) for g in D(6).samples(30, seed=1)} == {True, False}
    components = {(bool(np.linalg.det(g) > 0), bool(g[0, 0] > 0)) for g in O11().samples(60)}
    assert len(components) == 4
    assert {bool(g[0, 0] > 0) for g in SO11p().samples(20, scale=2.0)} == {True}


def test_dimension_formulas():
    for n in range(2, 6):
        assert SL(n).lie_algebra.shape[0] == n * n - 1
        assert GL(n).lie_algebra.shape[0] == n * n
        assert U(n).lie_algebra.shape[0] == n * n
        assert SU(n).lie_algebra.shape[0] == n * n - 1
        assert Sp(n).lie_algebra.shape[0] == n * (2 * n + 1)
        assert Opq(n, 2).lie_algebra.shape[0] == (n + 2) * (n + 1) // 2
    for m in (1, 2, 4):
        assert algebra_rank(Sp(m)) == m
        assert algebra_rank(SU(m + 1)) == m


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: Sp(0), ValueError, ">= 1"),
        (lambda: SU(1.5), TypeError, "integer"),
        (lambda: Opq(-1, 3), ValueError, "p must be an integer >= 0; got -1"),
        (lambda: Opq(0, 0), ValueError, "p \\+ q >= 1"),
        (lambda: Opq(1, "3"), TypeError, "q must be an integer >= 0; got str '3'"),
        (lambda: Opq(1, 3, "proper"), ValueError, "component must be one of"),
        (lambda: ZksZnxZn(3, 4), ValueError, "k in \\(1, 2, 4\\)"),
        (lambda: Alt(0), ValueError, ">= 1"),
        (lambda: C(2.0), TypeError, "integer"),
    ],
)
def test_constructor_argument_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()
