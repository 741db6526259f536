"""Custom representations from generator images, pullbacks and restrictions."""

import numpy as np
import pytest

from emlp_core import Rep, Scalar, V, equivariant_basis, from_generators, pullback, restrict
from groups import SO, D, Embed, GroupElement, O, S, Z


def rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


REFLECTION = np.diag([1.0, -1.0])


def dihedral_irrep(k: int, n: int = 6):
    """The 2-dim irrep of D(n) where the generating rotation turns by 2 pi k / n."""
    return from_generators(D(n), discrete=[rotation(2 * np.pi * k / n), REFLECTION], name=f"E{k}")


def sign_rep(n: int):
    signs = np.linalg.det(S(n).discrete_generators).round()
    return Rep.from_generators(S(n), discrete=signs.reshape(-1, 1, 1), name="sgn")


def test_a_custom_irrep_of_d6_has_one_dimensional_commutant():
    E2 = dihedral_irrep(2)
    assert (E2 >> E2).equivariant_basis(sparse=False).shape == (4, 1)
    # V of D(6) is E1; E2 and E1 are inequivalent, E1 given by hand equals V
    assert (E2 >> V(D(6))).equivariant_basis(sparse=False).shape == (4, 0)
    assert (dihedral_irrep(1) >> V(D(6))).equivariant_basis(sparse=False).shape == (4, 1)
    # E2 ⊗ E2 = A1 + A2 + E4 (= E2 again, as 4 = -2 mod 6): one invariant
    assert (E2 * E2).equivariant_basis(sparse=False).shape == (4, 1)


def test_custom_bases_are_invariant_under_sampled_elements():
    E2 = dihedral_irrep(2)
    for rep in [E2 >> (E2 + V(D(6))), E2 * E2 * E2, sign_rep(4) * V(S(4)) ** 3]:
        basis = rep.equivariant_basis(sparse=False)
        assert basis.shape[1] > 0
        for g in rep.group.random_elements(5, seed=3):
            np.testing.assert_allclose(rep.rho(g) @ basis, basis, atol=1e-12)


def test_sign_representation_counts():
    sgn = sign_rep(3)
    assert (sgn >> V(S(3))).equivariant_basis(sparse=False).shape[1] == 0
    assert (sgn * sgn).equivariant_basis(sparse=False).shape[1] == 1
    assert (sgn * V(S(3)) ** 2).equivariant_basis(sparse=False).shape[1] == 1  # antisymmetric pairs
    # characters of V**3 on (e, transpositions, 3-cycles): 27, 1, 0; (27 - 3) / 6 = 4
    assert (sgn * V(S(3)) ** 3).equivariant_basis(sparse=False).shape[1] == 4


def test_custom_atoms_matrices_come_from_words():
    E2 = dihedral_irrep(2)
    g = GroupElement.generator(D(6), 0)
    np.testing.assert_allclose(E2.rho(g), rotation(2 * np.pi / 3), atol=1e-14)
    with pytest.raises(TypeError, match="GroupElement"):
        E2.rho(np.eye(2))


def test_lie_images_are_checked_against_structure_constants():
    algebra = SO(3).lie_algebra
    spin1 = from_generators(SO(3), lie=algebra, name="L1")  # the vector rep, given by hand
    assert (spin1 >> V(SO(3))).equivariant_basis(sparse=False).shape == (9, 1)
    assert (spin1 * spin1 * spin1).equivariant_basis(sparse=False).shape == (27, 1)
    with pytest.raises(ValueError, match="structure constants"):
        from_generators(SO(3), lie=algebra * np.array([1.0, 1.0, 2.0])[:, None, None])


@pytest.mark.parametrize("p", [5, 7])
def test_modular_addition_is_in_the_pulled_back_hom_space(p):
    P = Z(p) * Z(p)
    shift = GroupElement.generator(Z(p), 0)
    a, b = V.lift(P, 0), V.lift(P, 1)
    c = pullback(V(Z(p)), P, discrete=[shift, shift])
    basis = equivariant_basis((a * b) >> c, sparse=False)
    assert basis.shape == (p**3, p)
    addition = np.zeros((p, p, p))  # W[c, a, b] = [c == a + b mod p]
    for x in range(p):
        for y in range(p):
            addition[(x + y) % p, x, y] = 1.0
    w = addition.reshape(-1)
    np.testing.assert_allclose(basis @ (basis.T @ w), w, atol=1e-12)
    for g in P.random_elements(4, seed=1):
        np.testing.assert_allclose(((a * b) >> c).rho(g) @ basis, basis, atol=1e-12)


def test_restriction_to_a_subgroup():
    rotations_about_z = Embed(SO(2), 3, [0, 1])
    assert restrict(V(O(3)), rotations_about_z).equivariant_basis(sparse=False).shape == (3, 1)
    assert restrict(V(O(3)) ** 2, rotations_about_z).equivariant_basis(sparse=False).shape == (9, 3)


def test_a_custom_rep_combines_with_other_groups():
    rep = dihedral_irrep(2) * V(SO(3))
    assert rep.group.factors == (D(6), SO(3))
    assert (rep >> rep).equivariant_basis(sparse=False).shape == (36, 1)
    assert ((rep >> rep) + Scalar).size() == 37


@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda: from_generators("D(6)", discrete=[np.eye(2)] * 2), TypeError, "groups.Group"),
        (lambda: from_generators(D(6)), ValueError, "give discrete="),
        (lambda: from_generators(D(6), discrete=[np.eye(2)]), ValueError, r"shape \(2, s, s\)"),
        (lambda: from_generators(D(6), discrete=np.ones((2, 2, 3))), ValueError, "square"),
        (
            lambda: from_generators(D(6), discrete=[np.eye(2), np.zeros((2, 2))]),
            ValueError,
            "singular",
        ),
        (
            lambda: from_generators(D(6), discrete=[rotation(np.pi / 4), REFLECTION]),
            ValueError,
            "relation",
        ),
        (
            lambda: from_generators(D(6), discrete=[np.eye(2) * np.nan, REFLECTION]),
            ValueError,
            "non-finite",
        ),
        (lambda: from_generators(D(6), discrete=[1j * np.eye(2)] * 2), TypeError, "complex"),
        (
            lambda: from_generators(O(3), lie=SO(3).lie_algebra, discrete=[np.eye(2)]),
            ValueError,
            "same size",
        ),
        (
            lambda: pullback(V(Z(5)), Z(5) * Z(5), discrete=[np.eye(5)[[1, 0, 2, 3, 4]]] * 2),
            ValueError,
            "not an element",
        ),
        (
            lambda: pullback(V(Z(5)), Z(5), discrete=[GroupElement.generator(Z(3), 0)]),
            ValueError,
            "not of the target",
        ),
        (lambda: pullback(V(Z(5)), Z(5) * Z(5), discrete=[np.eye(5)]), ValueError, "2 discrete"),
        (
            lambda: pullback(V(Z(3)), Z(4), discrete=[GroupElement.generator(Z(3), 0)]),
            ValueError,
            "relation",
        ),
        (lambda: pullback(V, Z(4), discrete=[np.eye(4)]), TypeError, "bound Rep"),
    ],
)
def test_bad_custom_input_is_refused(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
