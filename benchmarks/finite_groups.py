"""Finite-group facts and their times: orders, conjugacy classes, regular representations.

Rows of ``python -m benchmarks.groups``. Each case runs from cold caches in this process
(the element table's cache and the basis cache are cleared first) and reports its result
with the time; the target is under 2 s each on the 2-core reference machine.
"""

from __future__ import annotations

import time

from emlp_core import RegularRep, equivariant_basis
from emlp_core.solver import clear_cache
from groups import RubiksCube, S
from groups.classes import conjugacy_classes
from groups.enumeration import _table

TARGET_SECONDS = 2.0


def _rubiks_order():
    return RubiksCube().order()


def _s12_order():
    return S(12).order()


def _s7_classes():
    classes = conjugacy_classes(S(7))
    return f"{len(classes.sizes)} classes of {int(classes.sizes.sum())} elements"


def _regular_commutant():
    reg = RegularRep(S(5))
    basis = equivariant_basis(reg >> reg)
    return f"Hom(Reg, Reg) of S(5): size {basis.shape[0]}, dim {basis.shape[1]}"


FINITE_CASES = {
    "order of the Rubik's cube group (Schreier-Sims)": _rubiks_order,
    "order of S(12) (Schreier-Sims)": _s12_order,
    "conjugacy classes of S(7) (enumeration)": _s7_classes,
    "regular representation of S(5), commutant": _regular_commutant,
}


def measure_finite(name: str) -> dict:
    """Runs one case from cold caches; returns ``{case, result, seconds, target_seconds}``."""
    _table.cache_clear()
    clear_cache()
    start = time.perf_counter()
    result = FINITE_CASES[name]()
    seconds = time.perf_counter() - start
    return {"case": name, "result": str(result), "seconds": seconds, "target_seconds": 2.0}


def format_finite_table(records: list[dict]) -> str:
    """A fixed-width table of the finite-group records."""
    header = f"{'case':<50}{'seconds':>9}  result"
    lines = [header, "-" * (len(header) + 30)]
    for r in records:
        lines.append(f"{r['case']:<50}{r['seconds']:>9.3f}  {r['result']}")
    return "\n".join(lines)
