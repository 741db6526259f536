"""`layers.functional.bilinear` against a slow per-path, per-pair reference loop.

Covers both mixing forms (``kron(weights.T, I_s)`` and the coordinate-major matmul of
`layers.bilinear_kernels`), values and gradients, float32 and float64, also with the
outer products' coordinates permuted (``matrix_layout``), as mixed-group types can have.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from emlp_core import Scalar, V
from groups import SO, Lorentz, O, S
from layers import functional as F
from layers import gated, uniform_rep
from layers.bases import bilinear_basis
from layers.bilinear_kernels import uses_coordinate_major_mix


def reference(basis, params, x):
    """The layer's definition: one product per pair of copies, mixed by an explicit sum."""
    blocks = F.type_blocks(F.to_canonical(x, basis.inputs), basis.inputs)
    parts = []
    for b, target in enumerate(basis.outputs.types):
        size_b = target.monomial.size
        if b not in basis.paths:
            parts.append(jnp.zeros((*x.shape[:-1], target.multiplicity * size_b), x.dtype))
            continue
        products = []
        for path in basis.paths[b]:
            for p in range(path.pairs):
                m = blocks[path.matrix_type][..., path.matrix_start + p, :]
                v = blocks[path.vector_type][..., path.vector_start + p, :]
                if path.kind == "outer":
                    product = (m[..., :, None] * v[..., None, :]).reshape(*m.shape[:-1], -1)
                    if path.matrix_layout is not None:
                        product = product[..., path.matrix_layout]
                else:
                    if path.matrix_layout is not None:
                        m = m[..., path.matrix_layout]
                    matrix = m.reshape(*m.shape[:-1], size_b, v.shape[-1])
                    product = jnp.sum(matrix * v[..., None, :], axis=-1)
                products.append(product)
        weights = params[basis.mixing_name(b)] * basis.column_scales[b]
        copies = [
            sum(weights[n, k] * product for k, product in enumerate(products))
            for n in range(target.multiplicity)
        ]
        parts.append(jnp.concatenate(copies, axis=-1))
    return F.from_canonical(jnp.concatenate(parts, axis=-1), basis.outputs)


def _permuted_outer_layouts(basis):
    """The same basis with every outer path's coordinates permuted (a pure routing check)."""
    rng = np.random.default_rng(3)
    paths = {}
    for b, ps in basis.paths.items():
        size = basis.outputs.types[b].monomial.size
        paths[b] = [
            dataclasses.replace(p, matrix_layout=rng.permutation(size).astype(np.int32))
            if p.kind == "outer"
            else p
            for p in ps
        ]
    return dataclasses.replace(basis, paths=paths)


CASES = {
    "so3": lambda: ((3 * Scalar + 2 * V + V**2)(SO(3)), (2 * Scalar + V + V**2)(SO(3))),
    "s5": lambda: ((2 * Scalar + 2 * V + V**2)(S(5)), (Scalar + V)(S(5))),
    "lorentz": lambda: (
        (2 * Scalar + V + V.T + V * V.T)(Lorentz()),
        (Scalar + V + V**2)(Lorentz()),
    ),
    "o3-coordinate-major": lambda: ((9 * V + 8 * V**2)(O(3)),) * 2,
    "s4xso3-coordinate-major": lambda: (
        ((7 * V(S(4)) + 7 * V(SO(3)) + 6 * (V(S(4)) * V(SO(3))))(S(4) * SO(3)),) * 2
    ),
}


def _basis(name, permuted=False):
    rep_in, rep_out = CASES[name]()
    basis = bilinear_basis(rep_in, rep_out)
    return _permuted_outer_layouts(basis) if permuted else basis


def _inputs(basis, dtype, seed=0):
    params = F.init_params(basis, jax.random.PRNGKey(seed), dtype)
    params = {k: v * 30 for k, v in params.items()}  # order-one mixing, not near zero
    x = np.random.default_rng(seed).standard_normal((7, basis.inputs.size)).astype(dtype)
    return params, jnp.asarray(x)


CASES_AND_DTYPES = [  # every case in f64; f32 for one case of each mixing form
    *[(name, False, np.float64) for name in ("so3", "s5", "lorentz", "o3-coordinate-major")],
    ("s4xso3-coordinate-major", True, np.float64),  # permuted outer layouts
    ("so3", False, np.float32),
    ("lorentz", False, np.float32),
    ("o3-coordinate-major", False, np.float32),
]


@pytest.mark.parametrize(("name", "permuted", "dtype"), CASES_AND_DTYPES)
def test_bilinear_equals_the_per_pair_reference(name, permuted, dtype):
    tol = 1e-6 if dtype == np.float32 else 1e-12
    with jax.enable_x64(dtype == np.float64):
        basis = _basis(name, permuted)
        params, x = _inputs(basis, dtype)
        got = jax.jit(lambda p, z: F.bilinear(basis, p, z))(params, x)
        want = jax.jit(lambda p, z: reference(basis, p, z))(params, x)
        assert got.dtype == dtype
        scale = float(jnp.max(jnp.abs(want)))
        assert scale > 1e-2
        np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)

        cotangent = jnp.asarray(np.random.default_rng(1).standard_normal(got.shape), dtype)

        def loss(fn):
            return jax.jit(jax.grad(lambda p, z: jnp.sum(fn(basis, p, z) * cotangent), (0, 1)))

        got_grads = loss(F.bilinear)(params, x)
        want_grads = loss(reference)(params, x)
        for g, w in zip(jax.tree.leaves(got_grads), jax.tree.leaves(want_grads), strict=True):
            np.testing.assert_allclose(g, w, rtol=0, atol=tol * float(jnp.max(jnp.abs(w))))


def test_both_mixing_forms_are_exercised():
    forms = set()
    for name in CASES:
        basis = _basis(name)
        for b, paths in basis.paths.items():
            size = basis.outputs.types[b].monomial.size
            forms.add(uses_coordinate_major_mix(paths, size, F._KRON_MIX_MAX))
    assert forms == {False, True}


@pytest.mark.parametrize("group", [SO(3), O(5), S(5), Lorentz()], ids=lambda g: g.name)
def test_the_hidden_bilinear_layer_of_each_registry_emlp_equals_the_reference(group):
    """The registry's EMLPs (tests/layers/test_layers.py) have 48-channel hidden layers.

    One group per kind of path: a Lie algebra (SO(3)), an algebra with a reflection (O(5)),
    permutations (S(5)) and dual types (O(1,3)).
    """
    basis = bilinear_basis(*(gated(uniform_rep(48, group)),) * 2)
    with jax.enable_x64(True):
        params, x = _inputs(basis, np.float64)
        cotangent = jnp.asarray(np.random.default_rng(2).standard_normal(x.shape))

        def value_and_grads(fn):
            return jax.jit(
                jax.value_and_grad(lambda p, z: jnp.sum(fn(basis, p, z) * cotangent), (0, 1))
            )(params, x)

        (got, got_grads), (want, want_grads) = (
            value_and_grads(F.bilinear),
            value_and_grads(reference),
        )
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
        for g, w in zip(jax.tree.leaves(got_grads), jax.tree.leaves(want_grads), strict=True):
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-12 * float(jnp.max(jnp.abs(w))))
