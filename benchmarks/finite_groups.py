"""Finite-group facts and their times: orders, classes, regular reps, isotypic decompositions.

Rows of ``python -m benchmarks.groups``. Each case runs from cold caches in this process
(the element table's cache and the basis cache are cleared first) and reports its result
with the time; the target is under 2 s each on the 2-core reference machine.
"""

from __future__ import annotations

import time

from emlp_core import RegularRep, V, equivariant_basis, isotypic_decomposition
from emlp_core.solver import clear_cache
from groups import SO, RubiksCube, S
from groups.characters import character_table
from groups.classes import conjugacy_classes
from groups.subgroups import subgroup_classes

TARGET_SECONDS = 2.0


def _rubiks_order():
    return RubiksCube().order()


def _s12_order():
    return S(12).order()


def _s7_classes():
    classes = conjugacy_classes(S(7))
    return f"{len(classes.sizes)} classes of {int(classes.sizes.sum())} elements"


def _s7_character_table():
    table = character_table(S(7))
    degrees = ", ".join(str(d) for d in table.degrees)
    return f"{len(table.degrees)} irreducible characters, degrees {degrees}"


def _s5_subgroups():
    classes = subgroup_classes(S(5))
    total = sum(h.conjugates for h in classes)
    return f"{len(classes)} classes ({total} subgroups)"


def _regular_commutant():
    reg = RegularRep(S(5))
    basis = equivariant_basis(reg >> reg)
    return f"Hom(Reg, Reg) of S(5): size {basis.shape[0]}, dim {basis.shape[1]}"


def _regular_isotypic():
    dec = isotypic_decomposition(RegularRep(S(5)))
    return f"{dec.summary()} (dims x multiplicities = 120)"


def _so3_isotypic():
    dec = isotypic_decomposition(V(SO(3)) ** 6)
    return dec.summary()


FINITE_CASES = {
    "order of the Rubik's cube group (Schreier-Sims)": _rubiks_order,
    "order of S(12) (Schreier-Sims)": _s12_order,
    "conjugacy classes of S(7) (enumeration)": _s7_classes,
    "character table of S(7) (Burnside-Dixon)": _s7_character_table,
    "subgroups of S(5) up to conjugacy": _s5_subgroups,
    "regular representation of S(5), commutant": _regular_commutant,
    "isotypic decomposition of Reg(S(5))": _regular_isotypic,
    "isotypic decomposition of SO(3) on V**6 (729)": _so3_isotypic,
}


def measure_finite(name: str) -> dict:
    """Runs one case from cold caches; returns ``{case, result, seconds, target_seconds}``."""
    clear_cache()  # every in-process cache (groups.caching)
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
