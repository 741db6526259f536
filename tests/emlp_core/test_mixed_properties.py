"""Property-based: random sums, products and duals of atoms of several groups (and custom atoms)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from emlp_core import Rep, Scalar, SumRep, V, from_generators
from groups import GL, SO, S

SIGN = from_generators(
    S(3), discrete=np.linalg.det(S(3).discrete_generators).round().reshape(-1, 1, 1), name="sgn"
)
ATOMS = [V(SO(2)), V(S(3)), V(GL(2)), V(GL(2)).T, SIGN, Scalar]


def reps():
    return st.recursive(
        st.sampled_from(ATOMS),
        lambda children: st.one_of(
            st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
            children.map(lambda a: a.T),
        ),
        max_leaves=4,
    )


@settings(max_examples=60, deadline=None)
@given(rep=reps(), seed=st.integers(0, 100))
def test_mixed_reps_are_homomorphisms_with_consistent_duals(rep: Rep, seed: int):
    if rep.group is None or rep.size() > 200:
        return
    G = rep.group
    g, h = G.random_elements(2, seed=seed, scale=0.5)
    n = rep.size()
    np.testing.assert_allclose(rep.rho(g @ h), rep.rho(g) @ rep.rho(h), atol=1e-9)
    np.testing.assert_allclose(rep.T.rho(g), np.linalg.inv(rep.rho(g)).T, atol=1e-9)
    assert rep.T.size() == n and rep.T.T == rep
    for z in np.eye(G.lie_dimension):
        np.testing.assert_allclose(rep.T.drho(z), -rep.drho(z).T, atol=1e-12)
    assert SumRep(rep, rep).size() == 2 * n
    if n <= 64:
        basis = rep.equivariant_basis(sparse=False)
        np.testing.assert_allclose(basis.T @ basis, np.eye(basis.shape[1]), atol=1e-10)
        np.testing.assert_allclose(rep.rho(g) @ basis, basis, atol=1e-8)
