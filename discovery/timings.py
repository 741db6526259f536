"""Discovery times for so(10), u(6) and G2 by each method.

Usage::

    python -m discovery.timings

Each case is an oracle whose symmetry algebra is known: the norm on ``R^10`` (``so(10)``,
45 generators), the norm on ``R^12 = C^6`` with generators commuting with the complex
structure (``u(6)``, 36), and the octonion 3-form on three vectors of ``R^7`` (G2, 14).
Both methods are timed from the oracle to an orthonormal basis (first call, so jit
compilation is included), and the result is checked against the library's algebra by
the largest principal angle between the spans.
"""

from __future__ import annotations

import argparse

import jax.numpy as jnp
import numpy as np
import scipy.linalg

from discovery.discover import discover_lie_algebra
from groups import G2, SO, U, complex_structure
from groups.octonions import g2_three_form

__all__ = ["CASES", "time_case", "main"]


def _norm(x):
    return jnp.sum(x**2)


def _three_form():
    phi = np.asarray(g2_three_form())

    def f(x, y, z):
        return jnp.einsum("ijk,i,j,k->", phi, x, y, z)

    return f


CASES = {
    "so(10)": lambda: (_norm, 10, {}, SO(10).lie_algebra),
    "u(6)": lambda: (_norm, 12, {"commutes_with": complex_structure(6)}, U(6).lie_algebra),
    "G2": lambda: (_three_form(), 7, {}, G2().lie_algebra),
}


def time_case(name: str, method: str, seed: int = 0) -> dict:
    """Runs one case and returns ``{case, method, dim, seconds, angle, success}``.

    Example:
        >>> time_case("G2", "nullspace")["dim"]
        14
    """
    oracle, d, options, expected = CASES[name]()
    if method == "sgd":
        options = {**options, "n_generators": len(expected)}
    result = discover_lie_algebra(oracle, d, method=method, seed=seed, **options)
    flat, reference = (
        result.algebra.reshape(result.dim, -1).T,
        expected.reshape(len(expected), -1).T,
    )
    angle = float(scipy.linalg.subspace_angles(flat, reference).max()) if result.dim else np.pi / 2
    return {
        "case": name,
        "method": method,
        "dim": result.dim,
        "seconds": result.seconds,
        "angle": angle,
        "success": result.success,
        "closure_error": result.closure_error,
    }


def main(argv=None) -> list[dict]:
    """Prints the timing table and returns its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=["nullspace", "sgd"])
    args = parser.parse_args(argv)
    rows = [time_case(name, method) for name in CASES for method in args.methods]
    print(
        f"{'algebra':<8} {'method':<10} {'dim':>4} {'seconds':>8} {'max angle':>10} {'closure':>9}"
    )
    for r in rows:
        print(
            f"{r['case']:<8} {r['method']:<10} {r['dim']:>4} {r['seconds']:>8.2f} "
            f"{r['angle']:>10.1e} {r['closure_error']:>9.1e}"
            + ("" if r["success"] else "  (failed)")
        )
    return rows


if __name__ == "__main__":
    main()
