"""Run by `test_determinism` in a fresh process: solves fixed cases and saves the bases.

Usage: ``python tests/emlp_core/solver_child.py OUT.npz [--layer]``. With ``--layer`` it
also saves the output of a `layers.Linear` initialised from a fixed key.
"""

import sys

import numpy as np


def conjugated_z4():
    from groups import Group, Z

    Q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((4, 4)))
    generator = Q @ Z(4).discrete_generators[0] @ Q.T
    return Group(discrete_generators=[generator], name="conj-Z(4)")


def cases():
    from emlp_core import V
    from groups import SO, O, SO13p, Z

    return {
        "so3_v2_to_v3": (V**2 >> V**3)(SO(3)),
        "o3_v4": (V**4)(O(3)),
        "z5_v4_dense": (V**4)(Z(5)),
        "conj_z4_v4": (V**4)(conjugated_z4()),
        "lorentz_t22": (V**2 >> V**2)(SO13p()),
    }


def main(out: str, layer: bool) -> None:
    from emlp_core import equivariant_basis

    arrays = {}
    for name, rep in cases().items():
        strategy = "dense" if name.endswith("_dense") else "auto"
        arrays[name] = np.asarray(equivariant_basis(rep, strategy=strategy, sparse=False))
    if layer:
        import haiku as hk
        import jax

        from emlp_core import V
        from groups import SO
        from layers import Linear

        rep_in, rep_out = (V**2)(SO(3)), (V**3)(SO(3))
        model = hk.without_apply_rng(hk.transform(lambda x: Linear(rep_in, rep_out)(x)))
        x = np.linspace(-1.0, 1.0, 2 * rep_in.size(), dtype=np.float32).reshape(2, -1)
        params = model.init(jax.random.PRNGKey(0), x)
        arrays["linear_output"] = np.asarray(model.apply(params, x))
    np.savez(out, **arrays)


if __name__ == "__main__":
    main(sys.argv[1], "--layer" in sys.argv[2:])
