"""Layers on custom and pulled-back representations, checked with sampled group elements."""

import haiku as hk
import jax
import numpy as np
import pytest

from emlp_core import Scalar, V, from_generators, pullback
from groups import D, GroupElement, Z
from layers import EMLP, Linear, assert_equivariant


def _irrep(k: int, n: int = 6):
    c, s = np.cos(2 * np.pi * k / n), np.sin(2 * np.pi * k / n)
    return from_generators(D(n), discrete=[[[c, -s], [s, c]], [[1, 0], [0, -1]]], name=f"E{k}")


def _modular_reps(p: int):
    P = Z(p) * Z(p)
    shift = GroupElement.generator(Z(p), 0)
    a, b = V.lift(P, 0), V.lift(P, 1)
    return a + b, pullback(V(Z(p)), P, discrete=[shift, shift]), P


def _cases():
    E2 = _irrep(2)
    digits, answer, P = _modular_reps(5)
    return {
        "D(6) E2+V -> E2": (E2 + V(D(6)), E2, D(6)),
        "D(6) E2*E2 -> Scalar+E2": (E2 * E2, Scalar + E2, D(6)),
        "Z5xZ5 a+b -> a+b mod 5": (digits, answer, P),
    }


@pytest.mark.parametrize("name", list(_cases()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_emlp_on_custom_reps_is_equivariant(name, dtype):
    rep_in, rep_out, G = _cases()[name]
    with jax.enable_x64(dtype == np.float64):
        model = hk.without_apply_rng(
            hk.transform(lambda x: EMLP(rep_in, rep_out, G, ch=32, num_layers=2)(x))
        )
        x = np.random.default_rng(0).standard_normal((4, rep_in.size())).astype(dtype)
        params = model.init(jax.random.PRNGKey(0), x)
        error = assert_equivariant(lambda z: model.apply(params, z), rep_in(G), rep_out(G), G, x=x)
    assert error < (1e-5 if dtype == np.float32 else 1e-10)


def test_linear_from_a_custom_irrep_to_an_inequivalent_one_is_zero():
    E1, E2 = _irrep(1), _irrep(2)
    model = hk.without_apply_rng(hk.transform(lambda x: Linear(E2, E1)(x)))
    x = np.ones((2, 2), np.float32)
    params = model.init(jax.random.PRNGKey(0), x)
    assert np.all(np.asarray(model.apply(params, x)) == 0.0)  # only the bias, zero for E1
