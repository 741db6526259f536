"""Factor-wise solving of direct-product representations against the joint dense solve.

Rows of ``python -m benchmarks.solver`` (``--only factor`` runs just these). Each case is a
tensor type of point clouds, a representation of ``S(n)×SO(3)`` built from the 3n-dim
point-cloud atom ``V(S(n)) * V(SO(3))`` (``VV>>VV`` is the layer from pairs to pairs);
the factor-wise solve (each factor's tensor type with its own strategy, combined by a
Kronecker product) and, where its dense constraint fits in ``JOINT_MAX_BYTES``, the joint
dense solve of the whole constraint (``strategy="dense"``) each run in a fresh process
with the disk cache off. The record gives both times, their ratio, the joint solve's
memory estimate, and the largest principal angle between the two bases.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.fresh_process import run_child

JOINT_MAX_BYTES = 2.5 * 2**30  # joint dense solves above this estimate are not attempted

# name -> python expression of the representation
FACTOR_CASES = {
    "factor-s10xso3-V>>V": "(V(S(10)) * V(SO(3))) >> (V(S(10)) * V(SO(3)))",
    "factor-s10xso3-VV>>VV": "(V(S(10)) * V(SO(3))) ** 2 >> (V(S(10)) * V(SO(3))) ** 2",
    "factor-s20xso3-(VV)**2": "(V(S(20)) * V(SO(3))) ** 2",
    "factor-s40xso3-(VV)**3": "(V(S(40)) * V(SO(3))) ** 3",
    "factor-s20xso3-(VV)**4": "(V(S(20)) * V(SO(3))) ** 4",
}
PRELUDE = "from emlp_core import V, Scalar\nfrom groups import SO, O, S, Z\n"


def _rep(expression: str):
    namespace: dict = {}
    exec(PRELUDE, namespace)  # noqa: S102 - fixed, trusted case table
    return eval(expression, namespace)  # noqa: S307


def joint_bytes(rep) -> float:
    """Memory estimate of the joint dense solve of every tensor type of ``rep``."""
    from emlp_core.strategies import dense_bytes

    group = rep.group
    blocks = group.lie_dimension + group.num_discrete_generators
    return max(dense_bytes(s.monomial.size, blocks) for s in rep.canonical_form())


def factor_child(expression: str, mode: str) -> dict:
    """Inside a fresh process: the factor-wise (or the joint dense) basis and its time."""
    from benchmarks.solver import _peak_rss_mb
    from emlp_core import equivariant_basis
    from emlp_core.solver import solve_reports

    rep = _rep(expression)
    start = time.perf_counter()
    if mode == "joint":
        basis = equivariant_basis(rep, strategy="dense", sparse=False)
        how = "joint dense"
    else:
        reports = solve_reports(rep)
        basis = equivariant_basis(rep)
        how = "; ".join(r.describe().split(": ", 1)[1].rsplit(",", 1)[0] for r in reports)
    seconds = time.perf_counter() - start
    result = {
        "size": rep.size(),
        "basis_dim": int(basis.shape[1]),
        "seconds": seconds,
        "strategy": how,
        "peak_rss_mb": _peak_rss_mb(),
    }
    if mode == "joint":  # the factor-wise basis of the same process, for the angle
        import scipy.linalg

        factors = equivariant_basis(rep, sparse=False)
        joint = np.asarray(basis)
        result["largest_angle"] = (
            float(np.max(scipy.linalg.subspace_angles(factors, joint)))
            if factors.shape == joint.shape and joint.shape[1]
            else (0.0 if factors.shape == joint.shape else float("inf"))
        )
    return result


def run_factor_cases(only: str | None, repeats: int, median_of) -> list[dict]:
    """Runs each case (``repeats`` fresh processes each side); returns the records."""
    records = []
    for name, expression in FACTOR_CASES.items():
        if only and only not in name:
            continue
        factor = median_of(
            [
                run_child("benchmarks.solver", ["factors", expression, "factors"])
                for _ in range(repeats)
            ]
        )
        record = {"case": name, "expression": expression, **factor}
        estimate = joint_bytes(_rep(expression))
        record["joint_bytes_estimate"] = estimate
        if "error" not in factor and estimate <= JOINT_MAX_BYTES:
            joint = median_of(
                [
                    run_child("benchmarks.solver", ["factors", expression, "joint"])
                    for _ in range(repeats)
                ]
            )
            record["joint_seconds"] = joint.get("seconds")
            record["joint_dim"] = joint.get("basis_dim")
            record["ratio"] = joint["seconds"] / factor["seconds"] if "seconds" in joint else None
            record["largest_angle"] = joint.get("largest_angle")
        else:
            record["joint_seconds"] = None
            record["ratio"] = None
        records.append(record)
        print_factor_row(record)
    return records


FACTOR_HEADER = (
    f"{'case':<26} {'size':>9} {'dim':>4} {'factor s':>9} {'joint s':>8} {'ratio':>7} "
    f"{'joint est.':>10} {'angle':>8} {'peak MB':>8}"
)


def print_factor_row(r: dict) -> None:
    if "error" in r:
        print(f"{r['case']:<26} ERROR: {r['error']}", flush=True)
        return
    joint = f"{r['joint_seconds']:.3f}" if r.get("joint_seconds") else "-"
    ratio = f"{r['ratio']:.0f}x" if r.get("ratio") else "-"
    angle = f"{r['largest_angle']:.1e}" if "largest_angle" in r else "-"
    estimate = r["joint_bytes_estimate"]
    print(
        f"{r['case']:<26} {r['size']:>9} {r['basis_dim']:>4} {r['seconds']:>9.3f} {joint:>8} "
        f"{ratio:>7} {estimate / 2**30:>8.3g}Gi {angle:>8} {r['peak_rss_mb']:>8.0f}",
        flush=True,
    )
    print(f"    {r['strategy']}", flush=True)
