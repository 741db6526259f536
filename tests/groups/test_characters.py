"""Character tables (Burnside–Dixon) checked against theory and brute-force counting."""

import time

import numpy as np
import pytest

from groups import Q8, SO, Alt, C, D, Group, S, ZksZnxZn, characters
from groups.characters import CharacterTable, character_table, class_function
from groups.classes import conjugacy_classes
from groups.enumeration import _table, element_table
from groups.real_characters import real_irreducible_characters

GROUPS = {
    "S3": (S(3), 6),
    "S4": (S(4), 24),
    "D4": (D(4), 8),
    "Q8": (Q8(), 8),
    "A4": (Alt(4), 12),
    "A5": (Alt(5), 60),
    "S5": (S(5), 120),
    "C5": (C(5), 5),
    "Z4xZ3xZ3": (ZksZnxZn(4, 3), 36),
}
group_cases = pytest.mark.parametrize("group, order", GROUPS.values(), ids=GROUPS.keys())


def square_indices(group) -> np.ndarray:
    """Index of g @ g for every element, by matrix products (no index arithmetic)."""
    table = element_table(group)
    return np.array([table.index(g @ g) for g in table.matrices])


def orbits_on_pairs(permutations: np.ndarray) -> int:
    """Orbits of the group of all ``permutations`` (m, n) on ordered pairs of points."""
    n = permutations.shape[1]
    pairs = np.arange(n * n).reshape(n, n)
    seen, orbits = np.zeros(n * n, bool), 0
    for start in range(n * n):
        if not seen[start]:
            a, b = divmod(start, n)
            seen[pairs[permutations[:, a], permutations[:, b]]] = True
            orbits += 1
    return orbits


def permutations_of(matrices: np.ndarray) -> np.ndarray:
    """``P e_a = e_sigma(a)``: sigma as the row of the 1 in column a."""
    return np.argmax(matrices, axis=1)


def regular_permutations(group) -> np.ndarray:
    """``perm[j][w]`` = index of ``g_j g_w``, from the generators' ``left`` arrays only."""
    table = element_table(group)
    perms, frontier = {0: np.arange(table.order)}, [0]
    while frontier:
        grown = []
        for i in frontier:
            for k, right in enumerate(table.right):  # g_j = g_i h_k
                j = int(right[i])
                if j not in perms:
                    perms[j] = perms[i][table.left[k]]
                    grown.append(j)
        frontier = grown
    return np.array([perms[j] for j in range(table.order)])


@group_cases
def test_orthogonality_relations_and_degrees(group, order):
    table = character_table(group)
    X, sizes = table.values, table.classes.sizes
    k = len(conjugacy_classes(group).sizes)
    assert table.group_order == order == element_table(group).order
    assert X.shape == (k, k) and len(table.labels) == len(table.class_labels) == k
    np.testing.assert_allclose(X * sizes @ X.conj().T, order * np.eye(k), atol=1e-9)
    np.testing.assert_allclose(X.conj().T @ X, np.diag(order / sizes), atol=1e-9)
    assert int(np.sum(table.degrees**2)) == order
    np.testing.assert_array_equal(X[:, 0], table.degrees)
    np.testing.assert_array_equal(X[0], np.ones(k))  # trivial first
    keys = [(d, bool(np.any(row.imag != 0))) for d, row in zip(table.degrees, X, strict=True)]
    assert keys == sorted(keys)  # by degree, real-valued before complex-valued
    np.testing.assert_array_equal([table.decompose(chi) for chi in X], np.eye(k, dtype=int))


def test_inner_product_is_the_documented_formula():
    table = character_table(C(5))
    chi, psi = np.random.default_rng(0).normal(size=(2, 5, 2)) @ [1, 1j]
    expected = np.sum(table.classes.sizes * chi * psi.conj()) / 5
    assert table.inner_product(chi, psi) == pytest.approx(expected)
    assert table.inner_product(table.values[1], table.values[2]) == pytest.approx(0)


@group_cases
def test_indicators_against_squares_counted_by_matrix_products(group, order):
    table = character_table(group)
    squares = square_indices(group)
    slow = table.values[:, table.classes.labels[squares]].sum(axis=1) / order
    np.testing.assert_allclose(slow, table.indicators, atol=1e-9)
    involutions = int(np.sum(squares == 0))  # g^2 = e, the identity included
    assert int(table.indicators @ table.degrees) == involutions
    np.testing.assert_array_equal(
        table.power_map(2), table.classes.labels[squares[table.classes.representatives]]
    )


@pytest.mark.parametrize("group", [S(4), Alt(5), Q8(), C(5)], ids=["S4", "A5", "Q8", "C5"])
def test_power_maps_and_element_orders_by_matrix_powers(group):
    table, elements = character_table(group), element_table(group)
    for p in (-1, 0, 3, 5, 7):
        powered = [
            elements.index(np.linalg.matrix_power(elements.matrices[r], p))
            for r in table.classes.representatives
        ]
        np.testing.assert_array_equal(table.power_map(p), table.classes.labels[powered])
    for r, order in zip(table.classes.representatives, table.element_orders, strict=True):
        g = elements.matrices[r]
        powers = [np.linalg.matrix_power(g, m) for m in range(1, order + 1)]
        assert [np.allclose(q, np.eye(group.d)) for q in powers] == [False] * (order - 1) + [True]


def test_known_tables_and_labels():
    s3 = character_table(S(3))
    np.testing.assert_array_equal(s3.values, [[1, 1, 1], [1, 1, -1], [2, -1, 0]])
    assert s3.labels == ("1", "1'", "2") and s3.class_labels == ("1a", "3a", "2a")
    s4 = character_table(S(4))
    assert s4.degrees.tolist() == [1, 1, 2, 3, 3]
    assert s4.labels == ("1", "1'", "2", "3a", "3b")
    assert s4.class_labels == ("1a", "2a", "2b", "4a", "3a")
    a5 = character_table(Alt(5))
    assert a5.degrees.tolist() == [1, 3, 3, 4, 5]
    assert a5.class_labels == ("1a", "5a", "5b", "2a", "3a")
    for golden in ((1 + 5**0.5) / 2, (1 - 5**0.5) / 2):
        assert np.sum(np.isclose(a5.values, golden, atol=1e-12)) == 2
    assert "1.618" in str(a5) and repr(a5) == "CharacterTable(Alt(5): order 60, 5 classes)"
    assert character_table(Q8()).labels == ("1", "1a", "1b", "1c", "2")


def test_frobenius_schur_indicators():
    q8 = character_table(Q8())
    assert q8.indicators[q8.degrees == 2].tolist() == [-1]
    assert q8.indicators[q8.degrees == 1].tolist() == [1, 1, 1, 1]
    c3 = character_table(C(3))
    assert c3.indicators.tolist() == [1, 0, 0]
    np.testing.assert_allclose(c3.values[1], c3.values[2].conj(), atol=0)
    for n in range(2, 7):
        assert set(character_table(S(n)).indicators.tolist()) == {1}
    a4 = character_table(Alt(4))
    assert a4.indicators.tolist() == [1, 0, 0, 1]
    assert character_table(ZksZnxZn(4, 3)).indicators.tolist() == [1, 1, 0, 0, 1, 1]


def test_natural_permutation_representation_against_orbit_counts():
    group = S(4)
    table = character_table(group)
    chi = class_function(group, lambda g: g)
    assert chi.dtype == np.float64 and chi.tolist() == [4, 0, 2, 0, 1]
    counts = table.decompose(chi)
    assert counts.tolist() == [1, 0, 0, 1, 0]  # trivial + standard
    orbits = orbits_on_pairs(permutations_of(element_table(group).matrices))
    assert orbits == 2
    assert table.inner_product(chi, chi) == pytest.approx(orbits)
    assert int(np.sum(counts**2)) == orbits
    square = table.decompose(class_function(group, lambda g: np.kron(g, g)))
    assert square[0] == orbits  # invariants of V (x) V


@pytest.mark.parametrize("group", [S(4), Q8(), Alt(5), D(5)], ids=["S4", "Q8", "A5", "D5"])
def test_regular_representation_contains_each_irrep_by_its_degree(group):
    perms = regular_permutations(group)
    elements = element_table(group)
    n = elements.order
    for j in range(0, n, 7):  # the permutations are g_j acting on the left
        np.testing.assert_array_equal(perms[j], [elements.multiply(j, w) for w in range(n)])

    def rho(g):
        return np.eye(n)[:, perms[elements.index(g)]]  # P e_w = e_{g w}

    table = character_table(group)
    chi = class_function(group, rho)
    assert chi.tolist() == [n] + [0] * (len(chi) - 1)
    np.testing.assert_array_equal(table.decompose(chi), table.degrees)
    assert table.inner_product(chi, chi) == pytest.approx(orbits_on_pairs(perms)) == n


def test_matrix_representations_of_d4_and_q8():
    d4 = character_table(D(4))
    chi = class_function(D(4), lambda g: g)
    row = d4.decompose(chi)
    assert row.sum() == 1 and d4.indicators[row == 1].tolist() == [1]
    np.testing.assert_allclose(d4.values[row == 1][0], chi, atol=1e-12)
    q8 = character_table(Q8())
    counts = q8.decompose(class_function(Q8(), lambda g: g))
    assert counts.tolist() == [0, 0, 0, 0, 2] and q8.indicators[4] == -1
    real = real_irreducible_characters(q8)
    assert real.decompose(class_function(Q8(), lambda g: g)).tolist() == [0, 0, 0, 0, 1]
    assert real.types[-1] == "quaternionic" and real.dimensions[-1] == 4
    assert real.labels == ("1", "1a", "1b", "1c", "2*2")


@pytest.mark.parametrize(
    "group", [C(3), Alt(4), Q8(), ZksZnxZn(4, 3), C(5)], ids=["C3", "A4", "Q8", "Z4xZ3xZ3", "C5"]
)
def test_real_irreducible_characters(group):
    table = character_table(group)
    real = real_irreducible_characters(table)
    endomorphisms = {"real": 1, "complex": 2, "quaternionic": 4}
    for psi, kind, dim in zip(real.values, real.types, real.dimensions, strict=True):
        assert psi.dtype == np.float64 and psi[0] == dim
        assert table.inner_product(psi, psi) == pytest.approx(endomorphisms[kind])
    total = sum(d**2 / endomorphisms[t] for d, t in zip(real.dimensions, real.types, strict=True))
    assert total == table.group_order
    rows = sorted(a for pair in real.rows for a in pair)
    assert rows == list(range(len(table.degrees)))


def test_real_decomposition_of_the_plane_rotations_of_c3():
    real = real_irreducible_characters(character_table(C(3)))
    chi = class_function(C(3), lambda g: g)
    assert real.table.decompose(chi).tolist() == [0, 1, 1]
    assert real.decompose(chi).tolist() == [0, 1] and real.labels == ("1", "1a+1b")
    with pytest.raises(ValueError, match="real representation"):
        real.decompose(real.table.values[1])  # complex, not the character of a real rep


def test_s7_table_is_fast_and_correct():
    _table.cache_clear()
    characters._character_table.cache_clear()
    start = time.perf_counter()
    table = character_table(S(7))
    elapsed = time.perf_counter() - start
    print(f"S(7) character table from a cold cache: {elapsed:.3f} s")
    assert elapsed < 20
    assert len(table.degrees) == 15 and int(np.sum(table.degrees**2)) == 5040
    assert sorted(table.degrees.tolist()) == [
        1,
        1,
        6,
        6,
        14,
        14,
        14,
        14,
        15,
        15,
        20,
        21,
        21,
        35,
        35,
    ]
    X, sizes = table.values, table.classes.sizes
    np.testing.assert_allclose(X * sizes @ X.conj().T, 5040 * np.eye(15), atol=1e-8)
    assert np.all(X.imag == 0) and np.all(X.real == np.round(X.real))  # rational table


def test_deterministic_and_cluster_splitting(monkeypatch):
    table = character_table(S(5))
    again = characters._character_table.__wrapped__(S(5), 100_000)
    np.testing.assert_array_equal(again.values, table.values)
    monkeypatch.setattr(characters, "_GAP", 0.5)  # most eigenvalues clustered: split again
    split = characters._character_table.__wrapped__(S(5), 100_000)
    np.testing.assert_allclose(split.values, table.values, atol=1e-12)
    assert split.labels == table.labels


def test_group_given_by_generators():
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    table = character_table(Group(discrete_generators=[swap, -np.eye(2)]))  # Z2 x Z2
    assert table.degrees.tolist() == [1, 1, 1, 1] and table.labels == ("1", "1a", "1b", "1c")
    trivial = character_table(Group(discrete_generators=np.zeros((0, 3, 3))))
    assert trivial.values.tolist() == [[1]] and trivial.class_labels == ("1a",)


@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda: character_table(SO(3)), ValueError, "Lie algebra"),
        (lambda: character_table("S4"), TypeError, "groups.Group"),
        (lambda: character_table(np.eye(3)), TypeError, "groups.Group"),
        (lambda: character_table(S(5), limit=100), ValueError, "more than 100"),
        (lambda: character_table(S(3)).decompose([1, 0, 0]), ValueError, "not a character"),
        (lambda: character_table(S(3)).decompose([-1, -1, -1]), ValueError, "not a character"),
        (lambda: character_table(S(3)).decompose([1, 1]), ValueError, "shape"),
        (lambda: character_table(S(3)).decompose(["a", 1, 1]), TypeError, "numbers"),
        (lambda: character_table(S(3)).power_map(2.0), TypeError, "integer"),
        (lambda: class_function(S(3), "rho"), TypeError, "callable"),
        (lambda: class_function(S(3), lambda g: g[0]), ValueError, "square"),
        (lambda: class_function(SO(3), lambda g: g), ValueError, "Lie algebra"),
        (lambda: real_irreducible_characters(S(3)), TypeError, "CharacterTable"),
    ],
)
def test_bad_inputs(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()


def test_table_is_read_only_and_cached():
    table = character_table(S(4))
    assert isinstance(table, CharacterTable) and character_table(S(4)) is table
    for array in (table.values, table.degrees, table.classes.labels):
        with pytest.raises(ValueError):
            array[0] = 2
