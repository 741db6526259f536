"""The classification of irreducible G-invariant shallow networks (`emlp_core.shallow`)."""

from __future__ import annotations

import numpy as np
import pytest

from emlp_core.shallow import (
    ACCEPTED,
    FIXED,
    NEGATED,
    ZERO_SUBSPACE,
    enumerate_invariant_shallow,
    paper_groups,
    summarize_shallow,
)
from emlp_core.shallow import _permutations as permutation_group
from groups import SO, Group, S, element_table, multiplication_table

# (type-1 accepted, proposed, type-2 accepted, proposed, irreducible), from the authors' code
REFERENCE = {
    "C4": (3, 3, 2, 2, 5),
    "C6": (4, 4, 2, 2, 6),
    "D4": (5, 8, 7, 13, 12),
    "C2xC2": (4, 5, 3, 6, 7),
    "Q8": (6, 6, 7, 7, 13),
}
GROUPS = paper_groups()


def counts(group, **kwargs):
    s = summarize_shallow(enumerate_invariant_shallow(group, **kwargs))
    return (s.type1_accepted, s.type1_proposed, s.type2_accepted, s.type2_proposed, s.irreducible)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_counts_match_the_authors_code(name):
    # the authors list every index-2 subgroup K of each class representative H
    assert counts(GROUPS[name], merge_conjugate_kernels=False) == REFERENCE[name]


def test_conjugate_kernels_are_merged_by_default():
    # D4: the two Klein four-groups each hold two reflections conjugate under N_G(H) = G
    assert counts(GROUPS["D4"]) == (5, 8, 5, 11, 10)
    for name in ("C4", "C6", "C2xC2", "Q8"):  # abelian or all K normal in G: nothing merged
        assert counts(GROUPS[name]) == REFERENCE[name]


def test_merged_kernels_give_the_same_functions():
    """(H, K) and (H, xKx^-1), x in N_G(H): the same rows up to order and sign."""
    G = GROUPS["D4"]
    every = enumerate_invariant_shallow(G, merge_conjugate_kernels=False)
    kept = {a.name for a in enumerate_invariant_shallow(G) if a.accepted}
    table = element_table(G)
    mult = multiplication_table(G)
    inverse = np.argmin(mult, axis=1)
    dropped = [a for a in every if a.accepted and a.name not in kept]
    assert len(dropped) == 2
    rng = np.random.default_rng(0)
    for a in dropped:
        twin = next(b for b in every if b.name in kept and b.subgroup_index == a.subgroup_index
                    and b.type == 2 and b.accepted)  # fmt: skip
        x = next(
            x
            for x in range(table.order)
            if np.array_equal(np.sort(mult[mult[x, twin.kernel], inverse[x]]), a.kernel)
        )
        c = rng.normal(size=twin.basis.shape[1])
        w = table.matrices[x] @ twin.basis @ c  # in a's subspace
        assert np.allclose(a.basis @ (a.basis.T @ w), w)
        rows_a = np.abs(a.rows(a.basis.T @ w))
        rows_twin = np.abs(twin.rows(c))
        assert np.allclose(np.sort(rows_a, axis=0), np.sort(rows_twin, axis=0))


def divisors(n):
    return [k for k in range(1, n + 1) if n % k == 0]


@pytest.mark.parametrize("n", range(1, 31))
def test_cyclic_groups(n):
    G = permutation_group([[(i + 1) % n for i in range(n)]], f"C{n}")
    s = summarize_shallow(enumerate_invariant_shallow(G))
    even = sum(k % 2 == 0 for k in divisors(n))
    assert s.irreducible == len(divisors(n)) + even
    assert (s.type1_accepted, s.type1_proposed) == (len(divisors(n)),) * 2  # one H per divisor
    assert (s.type2_accepted, s.type2_proposed) == (even, even)  # K of index 2 in H = C_m, m even


def elements(group):
    return element_table(group).matrices


def network(arch, coefficients, a, b):
    rows = arch.rows(coefficients)

    def f(x):
        z = x @ rows.T
        if arch.type == 1:
            return a * np.maximum(z + b, 0).sum(-1)
        return a * np.abs(z).sum(-1)

    return f


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_accepted_architectures_are_invariant(name):
    G = GROUPS[name]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, G.d))
    for arch in enumerate_invariant_shallow(G, merge_conjugate_kernels=False):
        if not arch.accepted:
            continue
        b = 0.1 + abs(rng.normal())  # a positive bias: not identically zero
        f = network(arch, rng.normal(size=arch.basis.shape[1]), rng.normal(), b)
        for g in elements(G):
            assert np.abs(f(x @ g.T) - f(x)).max() <= 1e-10, (arch, g)
        assert np.abs(f(x)).max() > 1e-3  # not identically zero


def check_subspace(arch):
    """The basis is orthonormal and spans {w : rho(h) w = chi(h) w}, independently computed."""
    mats = elements(arch.group)[arch.subgroup.elements]
    chi = (
        np.ones(len(mats))
        if arch.kernel is None
        else np.where(np.isin(arch.subgroup.elements, arch.kernel), 1.0, -1.0)
    )
    constraint = np.concatenate(
        [m - c * np.eye(arch.group.d) for m, c in zip(mats, chi, strict=True)]
    )
    dim = arch.group.d - np.linalg.matrix_rank(constraint, tol=1e-9)
    assert arch.basis.shape == (arch.group.d, dim)
    assert np.allclose(arch.basis.T @ arch.basis, np.eye(dim))
    assert np.abs(constraint @ arch.basis).max(initial=0) < 1e-10


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_verdicts_are_justified(name):
    G = GROUPS[name]
    mats = elements(G)
    for arch in enumerate_invariant_shallow(G, merge_conjugate_kernels=False):
        check_subspace(arch)
        basis = arch.basis
        outside = np.setdiff1d(np.arange(len(mats)), arch.subgroup.elements)
        sign = 1.0 if arch.type == 1 else -1.0
        degenerate = [g for g in outside if np.allclose(mats[g] @ basis, sign * basis)]
        assert arch.width * arch.subgroup.order == len(mats)
        assert arch.accepted == (arch.reason == ACCEPTED)
        if arch.reason == ZERO_SUBSPACE:
            assert basis.shape[1] == 0
        elif arch.reason == FIXED:
            assert arch.type == 1 and arch.witness in outside
            assert np.allclose(mats[arch.witness] @ basis, basis)
        elif arch.reason == NEGATED:
            assert arch.type == 2 and arch.witness in outside
            assert np.allclose(mats[arch.witness] @ basis, -basis)
        else:
            assert basis.shape[1] > 0 and not degenerate
            assert arch.transversal[0] == 0 and len(set(arch.transversal)) == arch.width
        if arch.reason in (FIXED, NEGATED):
            assert degenerate


def hidden_features(arch, x, draws, rng):
    """Hidden activations of ``draws`` random networks of ``arch``: ``(n, draws * width)``."""
    columns = []
    for _ in range(draws):
        rows = arch.rows(rng.normal(size=arch.basis.shape[1]))
        z = x @ rows.T
        columns.append(np.maximum(z + rng.normal(), 0) if arch.type == 1 else np.abs(z))
    return np.concatenate(columns, axis=1)


@pytest.mark.parametrize("name", ["C4", "D4", "Q8"])
def test_distinct_classes_are_distinct_functions(name):
    """A generic network of one class is not fit by another's features (plus a constant).

    Both weights are random: one class's network may come close to another's at special
    weights (a type-2 subspace holding a smaller class's line, or the inclusions between
    architectures of the paper's second theorem), so each pair is drawn three times; the
    median relative residual must exceed 1e-2 and none may vanish.
    """
    G = GROUPS[name]
    accepted = [a for a in enumerate_invariant_shallow(G) if a.accepted]
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, G.d))
    for target in accepted:
        for other in accepted:
            if other is target:
                continue
            residuals = []
            for _ in range(3):
                y = network(target, rng.normal(size=target.basis.shape[1]), 1.0, 0.5)(x)
                features = np.concatenate([hidden_features(other, x, 1, rng), np.ones((400, 1))], 1)
                fit, *_ = np.linalg.lstsq(features, y, rcond=None)
                residual = np.linalg.norm(features @ fit - y) / np.linalg.norm(y - y.mean())
                residuals.append(residual)
            assert np.median(residuals) > 1e-2 and min(residuals) > 1e-6, (target, other, residuals)


def test_a_network_is_fit_by_its_own_features():
    """The residual test can succeed: the same draw reproduces the target exactly."""
    arch = next(a for a in enumerate_invariant_shallow(GROUPS["D4"]) if a.type == 2 and a.accepted)
    x = np.random.default_rng(3).normal(size=(200, 4))
    y = network(arch, np.ones(arch.basis.shape[1]), 1.0, 0.0)(x)
    features = np.abs(x @ arch.rows(np.ones(arch.basis.shape[1])).T)
    fit, *_ = np.linalg.lstsq(features, y, rcond=None)
    assert np.linalg.norm(features @ fit - y) < 1e-10


def test_bad_inputs():
    with pytest.raises(ValueError, match="Lie algebra"):
        enumerate_invariant_shallow(SO(3))
    with pytest.raises(ValueError, match=r"max_order = 1000 \(keyword max_order"):
        enumerate_invariant_shallow(S(7))  # order 5040
    with pytest.raises(ValueError, match=r"max_order = 5 .* has order 6"):
        enumerate_invariant_shallow(S(3), max_order=5)
    with pytest.raises(ValueError, match=r"orthogonal action.*g g\^T - I"):
        enumerate_invariant_shallow(Group(discrete_generators=[[[0.0, 2.0], [0.5, 0.0]]]))
    with pytest.raises(TypeError, match="groups.Group"):
        enumerate_invariant_shallow(np.eye(2))
    with pytest.raises(TypeError, match="max_order must be an int"):
        enumerate_invariant_shallow(S(3), max_order=2.5)
