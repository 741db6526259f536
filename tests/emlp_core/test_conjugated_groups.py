"""Exact dimensions for finite groups whose generators are no signed permutations.

Conjugating ``Z(n)``, ``D(n)`` and ``S(n)`` by a random orthogonal matrix keeps every
invariant count but hides the permutation structure, so the solver must decide the rank
numerically (dense, or iterative above the dense size). The expected count comes from
Burnside's lemma on an enumeration of the group, independent of the solver:
``dim (V^k)^G = (1/|G|) sum_g trace(g)^k``.
"""

import numpy as np
import pytest

from emlp_core import V, equivariant_basis
from emlp_core.basis import Basis
from emlp_core.nullspace import canonical_basis
from emlp_core.solver import clear_cache, monomial_basis
from emlp_core.verify import constraint_residual
from groups import D, Group, S, Z


def conjugated(group: Group, seed: int = 1) -> Group:
    """``Q G Q^T`` for a seeded random orthogonal ``Q``."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((group.d, group.d)))
    generators = np.einsum("ij,gjk,lk->gil", Q, group.discrete_generators, Q)
    return Group(discrete_generators=generators, name=f"conj-{group.name}")


def elements(group: Group) -> list[np.ndarray]:
    """Every element, by closure under the generators (rounded keys; small groups only)."""
    identity = np.eye(group.d)
    found = {(identity.round(8) + 0.0).tobytes(): identity}
    frontier = [identity]
    while frontier:
        fresh = []
        for g in frontier:
            for h in group.discrete_generators:
                product = h @ g
                key = (product.round(8) + 0.0).tobytes()  # + 0.0: no -0.0 keys
                if key not in found:
                    found[key] = product
                    fresh.append(product)
        frontier = fresh
        assert len(found) <= 1000
    return list(found.values())


def burnside(group: Group, degree: int) -> int:
    total = sum(np.trace(g) ** degree for g in elements(group)) / len(elements(group))
    assert abs(total - round(total)) < 1e-6
    return int(round(total))


CASES = [
    (Z(4), 3),
    (Z(4), 4),
    (Z(4), 5),  # 1024 coordinates: above the dense size, solved numerically all the same
    (Z(5), 3),
    (Z(5), 4),
    (Z(6), 3),
    (Z(6), 4),
    (D(5), 4),
    (D(6), 6),
    (D(7), 7),
    (S(3), 4),
    (S(3), 5),
    (S(4), 3),
    (S(4), 4),
]


@pytest.mark.parametrize("group, degree", CASES, ids=[f"{g.name}-V**{k}" for g, k in CASES])
def test_conjugated_finite_groups_give_exact_dimensions(group, degree):
    hidden = conjugated(group)
    expected = burnside(group, degree)
    assert burnside(hidden, degree) == expected
    rep = (V**degree)(hidden)
    clear_cache()
    basis = equivariant_basis(rep)
    assert basis.shape == (hidden.d**degree, expected)
    monomial = rep.canonical_form()[0].monomial
    assert constraint_residual(monomial, Basis.from_dense(basis)) < 1e-10
    for g in hidden.samples(2, seed=3):
        np.testing.assert_allclose(rep.rho(g) @ basis, basis, atol=1e-9)


@pytest.mark.parametrize("group, degree", [(Z(4), 4), (Z(5), 4), (S(4), 4), (D(6), 6)])
def test_dense_and_automatic_solves_agree_column_for_column(group, degree):
    """Canonical bases: the same span gives the same columns, whatever the strategy."""
    monomial = (V**degree)(conjugated(group)).canonical_form()[0].monomial
    clear_cache()
    dense = monomial_basis(monomial, strategy="dense").toarray()
    clear_cache()
    iterative = monomial_basis(monomial, strategy="iterative").toarray()
    assert dense.shape == iterative.shape == (monomial.size, burnside(group, degree))
    np.testing.assert_allclose(dense, iterative, atol=1e-8)


@pytest.mark.parametrize("group, degree", [(Z(5), 4), (Z(4), 5), (Z(6), 4)])
def test_permutation_groups_solved_densely_give_exact_dimensions(group, degree):
    """The cases whose dense rank decision sat at the edge of the old cut-off."""
    monomial = (V**degree)(group).canonical_form()[0].monomial
    clear_cache()
    dense = monomial_basis(monomial, strategy="dense").toarray()
    assert dense.shape[1] == burnside(group, degree) == group.d ** (degree - 1)
    orbits = monomial_basis(monomial, strategy="orbits").toarray()
    np.testing.assert_allclose(dense, canonical_basis(orbits), atol=1e-9)
