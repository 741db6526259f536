"""`analysis.norms`: irrep-domain norms against dense numpy ones, all three irrep kinds."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.norms import (
    IrrepDomain,
    equivariance_residual,
    frobenius_norm,
    irrep_blocks,
    spectral_norm,
)
from emlp_core import RegularRep, V
from groups import Q8, D, S, Z


def _random_layer(rep_in, rep_out, seed=0):
    basis = (rep_in >> rep_out).equivariant_basis()
    basis = np.asarray(basis.toarray() if hasattr(basis, "toarray") else basis, dtype=np.float64)
    coefficients = np.random.default_rng(seed).standard_normal(basis.shape[1])
    return (basis @ coefficients).reshape(rep_out.size(), rep_in.size())


def _copies(count, atom, group):
    return (count * atom)(group) if count > 1 else atom(group)


CASES = {
    "D4 regular": lambda: (_copies(2, RegularRep(D(4)), D(4)), _copies(3, RegularRep(D(4)), D(4))),
    "S4 regular": lambda: (RegularRep(S(4)), _copies(2, RegularRep(S(4)), S(4))),
    "S4 V to regular": lambda: (V(S(4)), RegularRep(S(4))),
    "C8 complex": lambda: (_copies(2, V, Z(8)), _copies(3, V, Z(8))),
    "Q8 quaternionic": lambda: (
        _copies(2, RegularRep(Q8()), Q8()),
        _copies(3, RegularRep(Q8()), Q8()),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_irrep_norms_match_dense_norms(name):
    rep_in, rep_out = CASES[name]()
    for seed in (0, 1):
        W = _random_layer(rep_in, rep_out, seed)
        blocks = irrep_blocks(W, rep_in, rep_out)
        assert blocks.residual < 1e-10
        dense_2, dense_f = np.linalg.norm(W, 2), np.linalg.norm(W)
        assert abs(blocks.spectral_norm - dense_2) <= 1e-10 * dense_2
        assert abs(max(b.spectral_norm for b in blocks.blocks) - dense_2) <= 1e-10 * dense_2
        weighted = sum(b.weight * b.frobenius_norm**2 for b in blocks.blocks)
        assert abs(weighted - dense_f**2) <= 1e-10 * dense_f**2
        for method in ("irrep", "dense"):
            assert spectral_norm(W, rep_in, rep_out, method) == pytest.approx(dense_2, rel=1e-10)
            assert frobenius_norm(W, rep_in, rep_out, method) == pytest.approx(dense_f, rel=1e-10)


@pytest.mark.parametrize("name", list(CASES))
def test_singular_values_are_the_blocks_repeated(name):
    """Every block's singular values appear d (real, complex) or d/2 (quaternionic) times."""
    rep_in, rep_out = CASES[name]()
    W = _random_layer(rep_in, rep_out, seed=2)
    blocks = irrep_blocks(W, rep_in, rep_out)
    found = []
    for b in blocks.blocks:
        sigma = np.linalg.svd(b.matrix, compute_uv=False)
        found.extend(np.repeat(sigma, int(b.weight)))
    dense = np.linalg.svd(W, compute_uv=False)
    found = np.sort(np.concatenate([found, np.zeros(max(dense.size - len(found), 0))]))[::-1]
    assert found[: dense.size] == pytest.approx(dense, abs=1e-10 * dense[0])
    assert np.all(found[dense.size :] < 1e-10 * dense[0])


def test_block_shapes_kinds_and_weights():
    rep_in, rep_out = CASES["C8 complex"]()
    blocks = irrep_blocks(_random_layer(rep_in, rep_out), rep_in, rep_out).blocks
    assert [(b.label, b.kind, b.matrix.shape, b.weight) for b in blocks] == [
        ("k=0", "real", (3, 2), 1.0), ("k=1", "complex", (3, 2), 2.0),
        ("k=2", "complex", (3, 2), 2.0), ("k=3", "complex", (3, 2), 2.0),
        ("k=4", "real", (3, 2), 1.0),
    ]  # fmt: skip
    assert np.iscomplexobj(blocks[1].matrix) and np.abs(blocks[1].matrix.imag).max() > 0.1
    rep_in, rep_out = CASES["Q8 quaternionic"]()
    blocks = irrep_blocks(_random_layer(rep_in, rep_out), rep_in, rep_out)
    quaternionic = [b for b in blocks.blocks if b.kind == "quaternionic"]
    assert len(quaternionic) == 1
    q = quaternionic[0]
    assert (q.dim, q.multiplicity_in, q.multiplicity_out, q.matrix.shape, q.weight) == (
        4,
        2,
        3,
        (6, 4),
        2.0,
    )
    Z, W = q.matrix[:3, :2], q.matrix[:3, 2:]  # the complex form of a quaternion matrix
    assert q.matrix[3:, 2:] == pytest.approx(Z.conj()) and q.matrix[3:, :2] == pytest.approx(
        -W.conj()
    )
    assert blocks.free_parameters == (rep_in >> rep_out).equivariant_basis().shape[1]


def test_irreps_on_one_side_only_contribute_nothing():
    rep_in, rep_out = CASES["S4 V to regular"]()
    blocks = irrep_blocks(_random_layer(rep_in, rep_out), rep_in, rep_out).blocks
    assert [(b.dim, b.multiplicity_in, b.multiplicity_out) for b in blocks] == [
        (1, 1, 1),
        (3, 1, 3),
    ]
    back = irrep_blocks(_random_layer(rep_out, rep_in), rep_out, rep_in).blocks
    assert [(b.dim, b.multiplicity_in, b.multiplicity_out) for b in back] == [(1, 1, 1), (3, 3, 1)]


def test_shared_cache_decomposes_each_rep_once():
    rep = RegularRep(D(4))
    cache = {}
    first, second = IrrepDomain(rep, rep, cache), IrrepDomain(rep, rep, cache)
    assert len(cache) == 1 and first.dec_in is second.dec_out


def test_equivariance_residual_is_reported_and_large_ones_refused():
    rep = RegularRep(D(4))
    W = _random_layer(rep, rep)
    assert equivariance_residual(W, rep, rep) < 1e-12
    noise = np.random.default_rng(3).standard_normal(W.shape)
    noise *= 1e-3 * np.linalg.norm(W) / np.linalg.norm(noise)
    residual = equivariance_residual(W + noise, rep, rep)
    assert 2e-4 < residual < 1.1e-3  # most of a random perturbation lies outside Hom_G
    with pytest.raises(ValueError, match=r"not equivariant .* residual 0\.9"):
        irrep_blocks(noise, rep, rep)
    assert irrep_blocks(W + noise, rep, rep, tol=2e-3).residual == pytest.approx(residual)
    assert irrep_blocks(np.zeros_like(W), rep, rep).residual == 0.0
    assert spectral_norm(np.zeros_like(W), rep, rep) == 0.0


def test_bad_inputs_get_clear_errors():
    rep4, rep8 = V(Z(4)), V(Z(8))
    W = np.eye(4)
    with pytest.raises(ValueError, match=r"shape \(rep_out.size\(\), rep_in.size\(\)\) = \(8, 8\)"):
        spectral_norm(W, rep8, rep8)  # Z(8) does not act on an axis of size 4
    with pytest.raises(ValueError, match=r"= \(4, 4\) .* got shape \(4,\)"):
        frobenius_norm(np.ones(4), rep4, rep4, "dense")
    with pytest.raises(ValueError, match="one group"):
        irrep_blocks(np.zeros((8, 4)), rep4, rep8)
    with pytest.raises(ValueError, match="not bound"):
        irrep_blocks(W, V, rep4)
    with pytest.raises(TypeError, match="rep_out must be a bound emlp_core Rep"):
        irrep_blocks(W, rep4, "V")
    with pytest.raises(TypeError, match="real array"):
        irrep_blocks(W + 0j, rep4, rep4)
    with pytest.raises(ValueError, match="non-finite"):
        irrep_blocks(np.full((4, 4), np.nan), rep4, rep4)
    with pytest.raises(ValueError, match="method must be"):
        spectral_norm(W, rep4, rep4, method="svd")
    with pytest.raises(ValueError, match="tol must be"):
        irrep_blocks(W, rep4, rep4, tol=-1.0)
