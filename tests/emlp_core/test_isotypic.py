"""Isotypic decompositions, real irreps, Fourier transforms and signed coset representations."""

import numpy as np
import pytest

from emlp_core import CosetRep, RegularRep, V, equivariant_basis
from emlp_core.fourier import (
    fourier_transform,
    inverse_fourier_transform,
    irrep_matrices,
    real_fourier_basis,
    real_irreps,
)
from emlp_core.isotypic import LEAF_SIZE, isotypic_decomposition
from groups import Q8, SO, Alt, C, D, Group, GroupElement, O, S, SO13p, Z
from groups.enumeration import element_table


def expected_blocks(dec, B):
    """The block-diagonal matrix ``⊕ I_m ⊗ D`` read off the first copy of each component."""
    out = np.zeros_like(B)
    for c in dec.components:
        d = c.irrep.dim
        first = B[c.columns, c.columns][:d, :d]
        out[c.columns, c.columns] = np.kron(np.eye(c.multiplicity), first)
    return out


REPS = {
    "SO3 V2": lambda: V(SO(3)) ** 2,
    "SO3 V4 (tensor path)": lambda: V(SO(3)) ** 4,
    "O3 V3": lambda: V(O(3)) ** 3,
    "S4 T2 + V": lambda: V(S(4)) ** 2 + V(S(4)),
    "Reg S4": lambda: RegularRep(S(4)),
    "Reg Q8": lambda: RegularRep(Q8()),
    "Reg A4 (complex pair)": lambda: RegularRep(Alt(4)),
    "mixed S4xSO3": lambda: V(S(4)) * V(SO(3)) + V(SO(3)),
    "C5 on R2 squared": lambda: V(C(5)) ** 2,
    "signed coset S4/S3": lambda: CosetRep(
        S(4), Group(discrete_generators=_s3_in_s4()), kernel=_a3_in_s4()
    ),
}


def _s3_in_s4():
    """Generators of the stabiliser of point 3 in S(4) (an S3)."""
    swap, cycle = np.eye(4)[[1, 0, 2, 3]], np.eye(4)[[1, 2, 0, 3]]
    return [swap, cycle]


def _a3_in_s4():
    return Group(discrete_generators=[np.eye(4)[[1, 2, 0, 3]]], name="A3")


@pytest.mark.parametrize("name", list(REPS))
def test_block_diagonalises_sampled_elements(name):
    rep = REPS[name]()
    dec = isotypic_decomposition(rep)
    n = rep.size()
    np.testing.assert_allclose(dec.basis.T @ dec.basis, np.eye(n), atol=1e-12)
    assert sum(c.size for c in dec.components) == n
    for g in rep.group.random_elements(4, seed=3):
        B = dec.block_diagonal(rep.rho(g))
        assert np.linalg.norm(B - expected_blocks(dec, B)) <= 1e-10
    for A in np.random.default_rng(0).standard_normal((2, rep.group.lie_dimension)):
        B = dec.block_diagonal(rep.drho(A))
        assert np.linalg.norm(B - expected_blocks(dec, B)) <= 1e-10


def test_so3_tensor_square_is_1_3_5_and_sn_vector_is_trivial_plus_standard():
    dec = isotypic_decomposition(V(SO(3)) ** 2)
    assert [(i.dim, m) for i, m in zip(dec.irreps, dec.multiplicities, strict=True)] == [
        (1, 1),
        (3, 1),
        (5, 1),
    ]
    assert dec.summary() == "1 + 3 + 5"
    # the trivial component of V⊗V is the identity matrix (the invariant inner product)
    np.testing.assert_allclose(dec.projector(0), np.outer(np.eye(3), np.eye(3)) / 3, atol=1e-12)
    for n in range(3, 7):
        dec = isotypic_decomposition(V(S(n)))
        assert [
            (i.dim, i.kind, m) for i, m in zip(dec.irreps, dec.multiplicities, strict=True)
        ] == [
            (1, "real", 1),
            (n - 1, "real", 1),
        ]
        assert dec.irreps[0].is_trivial
        np.testing.assert_allclose(dec.projector(0), np.full((n, n), 1 / n), atol=1e-12)


def test_kinds_real_complex_quaternionic():
    assert [i.kind for i in isotypic_decomposition(V(Q8())).irreps] == ["quaternionic"]
    assert [i.kind for i in isotypic_decomposition(V(C(3))).irreps] == ["complex"]
    assert [i.kind for i in isotypic_decomposition(V(D(4))).irreps] == ["real"]


@pytest.mark.parametrize("group", [S(4), D(4), Q8(), Alt(4), Z(6), Alt(5)], ids=repr)
def test_regular_rep_multiplicity_is_complex_dimension(group):
    dec = isotypic_decomposition(RegularRep(group))
    complex_dims_squared = 0
    for irrep, m in zip(dec.irreps, dec.multiplicities, strict=True):
        # over C a real irrep is: itself (real), a conjugate pair of dim d/2 (complex), or
        # twice one irrep of dim d/2 (quaternionic); each complex irrep of dim c appears c
        # times in the regular representation, so the real multiplicity is d / dim End
        assert m == irrep.dim // irrep.commutant_dim
        c = irrep.dim if irrep.kind == "real" else irrep.dim // 2
        complex_dims_squared += c * c * (2 if irrep.kind == "complex" else 1)
    assert complex_dims_squared == group.order()


@pytest.mark.parametrize(
    "rep",
    [V(SO(3)) ** 3, RegularRep(D(4)), V(S(4)) ** 2, V(O(3)) ** 2 + V(O(3)), RegularRep(Q8())],
    ids=repr,
)
def test_commutant_dimension_matches_the_solver(rep):
    """Fast (decomposition) against slow (the solver's basis of Hom_G(rep, rep))."""
    dec = isotypic_decomposition(rep)
    from_decomposition = sum(
        m * m * i.commutant_dim for i, m in zip(dec.irreps, dec.multiplicities, strict=True)
    )
    assert from_decomposition == equivariant_basis(rep >> rep).shape[1]


def test_schur_equivariant_maps_are_block_diagonal():
    G = SO(3)
    rep_in, rep_out = V(G) ** 2, V(G) ** 2 + V(G)
    dec_in, dec_out = isotypic_decomposition(rep_in), isotypic_decomposition(rep_out)
    basis = equivariant_basis(rep_in >> rep_out)
    for W in basis.T.reshape(-1, rep_out.size(), rep_in.size()):
        M = dec_out.basis.T @ W @ dec_in.basis
        for a in dec_out.components:
            for b in dec_in.components:
                block = M[a.columns, b.columns]
                if a.irrep.dim != b.irrep.dim:
                    assert np.linalg.norm(block) <= 1e-10
    # the irreps of rep_out that rep_in lacks receive nothing, and each copy pair is scalar
    # (real irreps): M restricted to the 3-component is kron(c, I_3)
    M = dec_out.basis.T @ basis[:, 0].reshape(rep_out.size(), rep_in.size()) @ dec_in.basis
    a = next(c for c in dec_out.components if c.irrep.dim == 3)
    b = next(c for c in dec_in.components if c.irrep.dim == 3)
    block = M[a.columns, b.columns]
    coefficients = block[::3, ::3]
    np.testing.assert_allclose(block, np.kron(coefficients, np.eye(3)), atol=1e-10)


def test_large_product_goes_through_the_tensor_path():
    rep = V(SO(3)) ** 5
    assert rep.size() > LEAF_SIZE
    dec = isotypic_decomposition(rep)
    # multiplicities of SO(3) on V^5 (Clebsch-Gordan): l = 0..5 -> 6, 15, 15, 10, 4, 1
    assert [(i.dim, m) for i, m in zip(dec.irreps, dec.multiplicities, strict=True)] == [
        (1, 6),
        (3, 15),
        (5, 15),
        (7, 10),
        (9, 4),
        (11, 1),
    ]


def test_cyclic_regular_rep_is_the_real_fourier_basis():
    for p in [5, 6, 7, 12]:
        for rep in (V(Z(p)), RegularRep(C(p))):
            dec = isotypic_decomposition(rep)
            np.testing.assert_allclose(dec.basis, real_fourier_basis(p), atol=1e-12)
            assert dec.summary() == " + ".join(f"k={k}" for k in range(p // 2 + 1))


# ---------------------------------------------------------------------------- Fourier
@pytest.mark.parametrize("group", [S(4), Q8(), Z(6), D(4), Alt(4)], ids=repr)
def test_fourier_plancherel_inverse_and_translation(group):
    order = element_table(group).order
    f = np.random.default_rng(1).standard_normal(order)
    hat = fourier_transform(group, f)
    irreps = real_irreps(group)
    weights = [i.dim / i.commutant_dim for i in irreps]
    plancherel = sum(w * np.sum(h**2) for w, h in zip(weights, hat, strict=True)) / order
    np.testing.assert_allclose(plancherel, np.sum(f**2), rtol=1e-12)
    np.testing.assert_allclose(inverse_fourier_transform(group, hat), f, atol=1e-12)
    # translation by h: (h.f)(g) = f(h^-1 g) is the regular representation; hat -> D(h) hat
    generator = element_table(group).left[0][0]  # the index of h_0 = h_0 @ e
    translated = RegularRep(group).rho(GroupElement.generator(group, 0)) @ f
    for D_all, before, after in zip(
        irrep_matrices(group), hat, fourier_transform(group, translated), strict=True
    ):
        np.testing.assert_allclose(after, D_all[generator] @ before, atol=1e-10)


def test_irrep_matrices_are_homomorphisms():
    group = Alt(5)
    table = element_table(group)
    rng = np.random.default_rng(0)
    for D_all in irrep_matrices(group):
        for i, j in rng.integers(0, table.order, (10, 2)):
            np.testing.assert_allclose(D_all[i] @ D_all[j], D_all[table.multiply(i, j)], atol=1e-10)
    assert sorted(i.dim for i in real_irreps(group)) == [1, 3, 3, 4, 5]


# ---------------------------------------------------------------------- signed cosets
def test_signed_coset_rep_of_the_whole_group_is_the_sign():
    for n in (3, 4, 5):
        sign = CosetRep(S(n), S(n), kernel=Alt(n))
        for g in S(n).random_elements(5, seed=n):
            assert sign.rho(g)[0, 0] == pytest.approx(np.linalg.det(g.matrix()))


def test_signed_coset_character_is_the_induced_sign_character():
    """Slow path: trace rho(g) = sum over cosets tH fixed by g of sign(t^-1 g t)."""
    group, H, K = S(4), Group(discrete_generators=_s3_in_s4()), _a3_in_s4()
    rep = CosetRep(group, H, kernel=K)
    table = element_table(group)
    in_H = {table.index(m) for m in element_table(H).matrices}
    in_K = {table.index(m) for m in element_table(K).matrices}
    transversal = []
    for g in table.matrices:  # one representative per left coset gH
        if not any(table.index(np.linalg.inv(t) @ g) in in_H for t in transversal):
            transversal.append(g)
    for element in group.random_elements(6, seed=2):
        g = element.matrix()
        expected = 0.0
        for t in transversal:
            h = table.index(np.linalg.inv(t) @ g @ t)
            if h in in_H:
                expected += 1.0 if h in in_K else -1.0
        assert np.trace(rep.rho(element)) == pytest.approx(expected)
    assert rep.size() == 4
    # signed permutation images: the solver's orbit path and the decomposition handle it
    assert equivariant_basis(rep >> V(group)).shape[1] >= 0


def test_bad_inputs():
    with pytest.raises(TypeError, match="needs a Rep"):
        isotypic_decomposition(np.eye(3))
    with pytest.raises(ValueError, match="no group"):
        isotypic_decomposition(V)
    with pytest.raises(ValueError, match="orthogonal"):
        isotypic_decomposition(V(SO13p()))
    with pytest.raises(ValueError, match="Lie algebra"):
        real_irreps(SO(3))
    with pytest.raises(ValueError, match="6 values"):
        fourier_transform(S(3), np.zeros(5))
    with pytest.raises(ValueError, match="one \\(d, d\\) matrix per real irrep"):
        inverse_fourier_transform(S(3), [np.eye(1)])
    with pytest.raises(ValueError, match="index 2"):
        CosetRep(S(4), Group(discrete_generators=_s3_in_s4()), kernel=Alt(4))
    with pytest.raises(TypeError):
        CosetRep(S(3), S(3), kernel="A3")


@pytest.mark.parametrize(
    "rep",
    [V(S(4)) ** 2 + V(S(4)), V(D(4)) ** 3, V(Alt(4)) ** 2, V(Q8()) ** 2, V(Alt(5)) ** 2],
    ids=repr,
)
def test_components_match_the_character_projectors(rep):
    """Slow path: P = (d / dim End) / |G| * sum_g chi(g) rho(g), from the character table."""
    from groups.characters import character_table
    from groups.real_characters import real_irreducible_characters

    group = rep.group
    table = character_table(group)
    real = real_irreducible_characters(table)
    elements = element_table(group).matrices
    rhos = np.array([rep.rho(g) for g in elements])
    dec = isotypic_decomposition(rep)
    assert len(dec.components) == len(set(c.irrep.label for c in dec.components))
    found = 0
    for row, (dim, kind) in enumerate(zip(real.dimensions, real.types, strict=True)):
        chi = real.values[row][table.classes.labels]
        weight = dim / {"real": 1, "complex": 2, "quaternionic": 4}[kind]
        P = weight / len(elements) * np.einsum("g,gij->ij", chi, rhos)
        match = [k for k, c in enumerate(dec.components) if c.irrep.label == real.labels[row]]
        if not match:
            assert np.linalg.norm(P) <= 1e-10  # the irrep does not occur
            continue
        found += 1
        (k,) = match
        np.testing.assert_allclose(dec.projector(k), P, atol=1e-10)
        assert dec.components[k].irrep.kind == kind and dec.components[k].irrep.dim == dim
    assert found == len(dec.components)


def test_signed_coset_rep_is_solved_by_orbits_and_works_in_a_layer():
    import haiku as hk
    import jax

    from emlp_core.solver import solve_reports
    from layers import EMLP, assert_equivariant

    G = S(4)
    signed = CosetRep(G, Group(discrete_generators=_s3_in_s4()), kernel=_a3_in_s4())
    reports = solve_reports(signed >> signed)
    assert [r.strategy for r in reports] == ["orbits"]
    rep_in, rep_out = signed + V(G), signed
    model = hk.without_apply_rng(hk.transform(lambda x: EMLP(rep_in, rep_out, G, ch=16)(x)))
    x = np.random.default_rng(0).standard_normal((3, rep_in.size())).astype(np.float32)
    params = model.init(jax.random.PRNGKey(0), x)
    assert_equivariant(lambda z: model.apply(params, z), rep_in, rep_out, G, x=x)


@pytest.mark.parametrize(
    "rep",
    [
        V(S(4)) ** 2,
        V(Q8()) ** 2,
        RegularRep(Alt(4)),
        CosetRep(S(4), Group(discrete_generators=_s3_in_s4()), kernel=_a3_in_s4()),
    ],
    ids=repr,
)
def test_character_norm_is_the_commutant_dimension(rep):
    """<chi, chi> (character table, no solve) = dim_R Hom_G(rep, rep) (the solver)."""
    from groups.characters import character_table, class_function

    group = rep.group
    table = character_table(group)
    elements = element_table(group)
    generators = [rep.rho(GroupElement.generator(group, k)) for k in range(len(elements.right))]
    images = {0: np.eye(rep.size())}  # rho of every element, breadth first along the table
    for i in range(elements.order):
        for k, h in enumerate(generators):
            images.setdefault(int(elements.right[k, i]), images[i] @ h)
    chi = class_function(group, lambda g: images[elements.index(g)])
    norm = table.inner_product(chi, chi)
    assert norm.real == pytest.approx(equivariant_basis(rep >> rep).shape[1])
