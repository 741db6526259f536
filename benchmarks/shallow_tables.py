"""The tables of ``python -m benchmarks.shallow`` records for ``benchmarks/RESULTS.md``.

Three tables, one per part present: the enumeration counts of the paper's groups (both
conventions beside the authors' counts), training MSE of the universality demo against
``m``, and the mean test MSE over seeds of the G-SNN, EMLP and MLP against training-set
size.

Example:
    >>> r = {"benchmark": "shallow", "part": "table", "group": "C4", "order": 4,
    ...      "convention": "authors", "type1_accepted": 3, "type1_proposed": 3,
    ...      "type2_accepted": 2, "type2_proposed": 2, "irreducible": 5, "seconds": 0.01,
    ...      "reference": [3, 3, 2, 2, 5], "matches_reference": True}
    >>> print(shallow_tables([r]).splitlines()[-1])
    | C4 | 4 | – | 3/3 | 2/2 | 5 | 3/3, 2/2, 5 | yes | 0.01 |
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from benchmarks.markdown import DASH, number, table
from benchmarks.paper_reference import GSNN_PAPER

__all__ = ["shallow_tables"]


def _counts(r: dict | None) -> list[str]:
    if r is None:
        return [DASH] * 3
    return [
        f"{r['type1_accepted']}/{r['type1_proposed']}",
        f"{r['type2_accepted']}/{r['type2_proposed']}",
        str(r["irreducible"]),
    ]


def _count_table(records: list[dict]) -> str:
    by_group: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in records:
        by_group[r["group"]][r["convention"]] = r
    header = [
        "group", "order", "merged: type 1 / type 2 / irreducible", "authors' convention: "
        "type 1 acc./prop.", "type 2 acc./prop.", "irreducible", "authors' code",
        "matches", "seconds",
    ]  # fmt: skip
    rows = []
    for name, found in by_group.items():
        merged, authors = found.get("merged"), found.get("authors")
        any_record = authors or merged
        ref = any_record["reference"]
        match = DASH if authors is None else ("yes" if authors["matches_reference"] else "**no**")
        rows.append([
            name, any_record["order"],
            DASH if merged is None else " / ".join(_counts(merged)), *_counts(authors),
            f"{ref[0]}/{ref[1]}, {ref[2]}/{ref[3]}, {ref[4]}", match,
            number(sum(r["seconds"] for r in found.values()), 2),
        ])  # fmt: skip
    return table(header, "-::::::::", rows)


def _universality_table(records: list[dict]) -> str:
    ms = sorted({r["m"] for r in records})
    header = ["group", "hidden layer", *(f"m = {m}" for m in ms)]
    rows = []
    labels = {
        "regular": "m × regular (H = {e})",
        "invariant": "invariant only (H = G)",
        "defining": "m × (Scalar + V), pointwise ReLU",
    }
    keys = list(dict.fromkeys((r["group"], r["model"]) for r in records))
    for group, model in keys:
        mse = {
            r["m"]: r["train_mse"] for r in records if (r["group"], r["model"]) == (group, model)
        }
        rows.append([group, labels.get(model, model), *(number(mse.get(m)) for m in ms)])
    steps = ", ".join(str(v) for v in sorted({r["steps"] for r in records}))
    n = ", ".join(str(v) for v in sorted({r["n_train"] for r in records}))
    note = f"Training MSE (target variance 1) after {steps} full-batch Adam steps on {n} points."
    return note + "\n\n" + table(header, "--" + ":" * len(ms), rows)


def _baseline_table(records: list[dict]) -> str:
    sizes = sorted({r["n_train"] for r in records})
    header = ["group", "method", "width", "params", *(f"N = {n}" for n in sizes), "seeds"]
    rows = []
    for group, method in dict.fromkeys((r["group"], r["method"]) for r in records):
        mine = [r for r in records if (r["group"], r["method"]) == (group, method)]
        runs = defaultdict(list)
        for r in mine:
            runs[r["n_train"]].append(r["test_mse"])
        rows.append([
            group, method, mine[0]["width"], mine[0]["params"],
            *(number(float(np.mean(runs[n]))) if runs[n] else DASH for n in sizes),
            len({r["seed"] for r in mine}),
        ])  # fmt: skip
    note = "Mean test MSE over seeds (target variance 1), best-validation parameters."
    return note + "\n\n" + table(header, "--::" + ":" * len(sizes) + ":", rows)


def shallow_tables(records: list[dict]) -> str:
    """The markdown of every part present in ``records`` (`benchmarks.shallow`)."""
    parts = []
    table_rows = [r for r in records if r.get("part") == "table"]
    if table_rows:
        parts.append(
            "Enumeration (`emlp_core.shallow`); authors' counts: " + GSNN_PAPER + ".\n\n"
            + _count_table(table_rows)
        )  # fmt: skip
    universality = [r for r in records if r.get("part") == "universality"]
    if universality:
        parts.append(_universality_table(universality))
    baselines = [r for r in records if r.get("part") == "baselines"]
    if baselines:
        parts.append(_baseline_table(baselines))
    return "\n\n".join(parts)
