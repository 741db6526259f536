"""`analysis.bounds`: NBS18 Theorem 1 terms, dense and irrep forms, margins, bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.bounds import layer_norms, layer_profile, margin_loss, margins, nbs18_terms
from emlp_core import RegularRep, Scalar, V
from groups import Z


def _random_layer(rep_in, rep_out, rng):
    basis = (rep_in >> rep_out).equivariant_basis()
    basis = np.asarray(basis.toarray() if hasattr(basis, "toarray") else basis, dtype=np.float64)
    return (basis @ rng.standard_normal(basis.shape[1])).reshape(rep_out.size(), rep_in.size())


@pytest.fixture(scope="module")
def network():
    """``V -> 3 Reg -> 2 scalars`` of C_8 on 8 points: complex irreps in the hidden layer."""
    group = Z(8)
    reps = [V(group), (3 * RegularRep(group))(group), (2 * Scalar)(group)]
    rng = np.random.default_rng(0)
    weights = [_random_layer(a, b, rng) for a, b in zip(reps[:-1], reps[1:], strict=True)]
    return weights, reps


def test_terms_follow_theorem_1_by_hand(network):
    weights, reps = network
    s = [np.linalg.norm(W, 2) for W in weights]
    f = [np.linalg.norm(W) for W in weights]
    terms = nbs18_terms(weights, m=200, delta=0.05, B=3.0, gamma=0.5, empirical_margin_loss=0.1)
    d, h = 2, 24  # h: the widest layer's outputs
    phi = (s[0] * s[1]) ** 2 * (f[0] ** 2 / s[0] ** 2 + f[1] ** 2 / s[1] ** 2)
    complexity = 9.0 * d**2 * h * math.log(d * h) * phi
    gap = math.sqrt((complexity + math.log(d * 200 / 0.05)) / (0.25 * 200))
    assert (terms.depth, terms.width) == (d, h)
    assert terms.spectral_product == pytest.approx(s[0] * s[1], rel=1e-12)
    assert terms.phi == pytest.approx(phi, rel=1e-12)
    assert terms.margin_complexity == pytest.approx(9.0 * phi / 0.25, rel=1e-12)
    assert terms.complexity == pytest.approx(complexity, rel=1e-12)
    assert terms.gap_term == pytest.approx(gap, rel=1e-12)
    assert terms.bound == pytest.approx(0.1 + gap, rel=1e-12)
    assert set(terms.record()) >= {"phi", "gap_term", "bound", "spectral_product"}


def test_irrep_and_dense_forms_agree(network):
    weights, reps = network
    dense, irrep = layer_norms(weights, reps, "dense"), layer_norms(weights, reps, "irrep")
    for a, b in zip(dense, irrep, strict=True):
        assert b.spectral == pytest.approx(a.spectral, rel=1e-10)
        assert b.frobenius == pytest.approx(a.frobenius, rel=1e-10)
        assert b.residual < 1e-10 and a.residual is None
    common = {"m": 50, "delta": 0.1, "B": 1.0, "gamma": 1.0}
    t_dense = nbs18_terms(weights, reps, "dense", **common)
    t_irrep = nbs18_terms(weights, reps, "irrep", **common)
    assert t_irrep.bound == pytest.approx(t_dense.bound, rel=1e-10)
    t_norms = nbs18_terms(norms=irrep, width=24, **common)
    assert t_norms.bound == pytest.approx(t_dense.bound, rel=1e-10)
    profile = layer_profile(weights[0], reps[0], reps[1])
    assert [(r["irrep"], r["kind"], r["m_in"], r["m_out"]) for r in profile] == [
        ("k=0", "real", 1, 3), ("k=1", "complex", 1, 3), ("k=2", "complex", 1, 3),
        ("k=3", "complex", 1, 3), ("k=4", "real", 1, 3),
    ]  # fmt: skip
    assert max(r["spectral"] for r in profile) == pytest.approx(irrep[0].spectral)


def test_margins_and_margin_loss():
    logits = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 2.5], [1.0, 1.0, 0.0]])
    found = margins(logits, np.array([0, 1, 2]))
    assert found.tolist() == [2.0, -0.5, -1.0]
    assert margin_loss(found, 0.0) == pytest.approx(2 / 3)
    assert margin_loss(found, 2.0) == 1.0 and margin_loss(found[:1], 1.0) == 0.0


def test_bad_inputs(network):
    weights, reps = network
    with pytest.raises(ValueError, match="do not chain"):
        layer_norms([weights[0], weights[0]])
    with pytest.raises(ValueError, match="needs reps"):
        layer_norms(weights, None, "irrep")
    with pytest.raises(ValueError, match="3 representations"):
        layer_norms(weights, reps[:2], "irrep")
    with pytest.raises(ValueError, match="non-empty sequence"):
        layer_norms([])
    with pytest.raises(ValueError, match="method must be"):
        layer_norms(weights, reps, "fft")
    with pytest.raises(ValueError, match="shape"):
        layer_norms([weights[0][:, :4]], [reps[0], reps[1]], "dense")  # Z(8) acts on 8 coordinates
    bent = [weights[0] + 0.1 * np.random.default_rng(1).standard_normal(weights[0].shape)]
    with pytest.raises(ValueError, match="not equivariant .* residual"):
        layer_norms(bent, reps[:2], "irrep")
    with pytest.raises(TypeError, match=r"weights\[0\] must be a real matrix"):
        layer_norms([weights[0] * 1j])
    with pytest.raises(ValueError, match="gamma must be"):
        nbs18_terms(weights, m=10, delta=0.1, B=1.0, gamma=0.0)
    with pytest.raises(ValueError, match="delta must be"):
        nbs18_terms(weights, m=10, delta=1.0, B=1.0, gamma=1.0)
    with pytest.raises(TypeError, match="m must be an integer"):
        nbs18_terms(weights, m=10.0, delta=0.1, B=1.0, gamma=1.0)
    with pytest.raises(ValueError, match="nonzero spectral norm"):
        nbs18_terms([np.zeros((2, 2))], m=10, delta=0.1, B=1.0, gamma=1.0)
    with pytest.raises(ValueError, match="width"):
        nbs18_terms(norms=layer_norms(weights), m=10, delta=0.1, B=1.0, gamma=1.0)
    with pytest.raises(ValueError, match="labels must lie"):
        margins(np.zeros((2, 2)), np.array([0, 2]))
    with pytest.raises(ValueError, match="k >= 2"):
        margins(np.zeros((2, 1)), np.array([0, 0]))
