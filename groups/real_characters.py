"""The characters of a finite group's real irreducible representations.

A real irrep is one of three kinds, read off the Frobenius–Schur indicator of a complex
irreducible character ``chi`` (`groups.characters.CharacterTable.indicators`): real type
(``chi`` is the character of a real irrep), complex type (``chi != conj(chi)``: the pair
gives one real irrep of twice the dimension, character ``chi + conj(chi)``) and
quaternionic type (real ``chi`` of a representation that is not real: one real irrep with
character ``2 chi``). A decomposition of a real representation into real irreps
(`emlp_core.isotypic`) is labelled and checked with these characters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from groups.characters import CharacterTable

__all__ = ["RealIrreducibleCharacters", "real_irreducible_characters"]

_TYPES = {1: "real", 0: "complex", -1: "quaternionic"}


@dataclass(frozen=True, eq=False)
class RealIrreducibleCharacters:
    """The characters of the real irreducible representations (`real_irreducible_characters`).

    Attributes:
        table: the `CharacterTable`.
        values: float64 ``(r, k)``: ``chi`` (real type), ``chi + conj(chi)`` (a complex
            pair, once) or ``2 chi`` (quaternionic type).
        dimensions: int64 ``(r,)``, real dimensions.
        types: ``(r,)`` str, ``"real"``, ``"complex"`` or ``"quaternionic"``.
        rows: ``(r,)`` tuples of the table rows each is made of.
        labels: ``(r,)`` str: the table label, ``"a+b"`` for a pair, ``"2*a"`` quaternionic.
    """

    table: CharacterTable
    values: np.ndarray
    dimensions: np.ndarray
    types: tuple[str, ...]
    rows: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]

    def decompose(self, values, atol: float = 1e-6) -> np.ndarray:
        """Multiplicities (int64 ``(r,)``) of the real irreps in a real representation.

        Raises:
            ValueError: if ``values`` is not the character of a real representation.

        Example:
            >>> from groups import Q8
            >>> from groups.characters import character_table, class_function
            >>> real = real_irreducible_characters(character_table(Q8()))
            >>> real.decompose(class_function(Q8(), lambda g: g)).tolist()
            [0, 0, 0, 0, 1]
        """
        counts = self.table.decompose(values, atol)
        out = []
        for rows, kind in zip(self.rows, self.types, strict=True):
            if len(set(counts[list(rows)].tolist())) > 1 or (
                kind == "quaternionic" and counts[rows[0]] % 2
            ):
                raise ValueError(
                    f"values is not the character of a real representation: multiplicities "
                    f"{counts.tolist()} of the complex irreps."
                )
            out.append(counts[rows[0]] // (2 if kind == "quaternionic" else 1))
        return np.array(out, dtype=np.int64)


def real_irreducible_characters(table: CharacterTable) -> RealIrreducibleCharacters:
    """The characters of the real irreps, from the complex ones and their indicators.

    A real-type ``chi`` is the character of a real irrep; a pair ``chi != conj(chi)`` gives
    one real irrep with character ``chi + conj(chi)`` (counted at the first of the pair);
    a quaternionic ``chi`` gives one with character ``2 chi``.

    Example:
        >>> from groups import C
        >>> from groups.characters import character_table
        >>> real = real_irreducible_characters(character_table(C(3)))
        >>> real.types, real.dimensions.tolist(), real.values[1].tolist()
        (('real', 'complex'), [1, 2], [2.0, -1.0, -1.0])
    """
    if not isinstance(table, CharacterTable):
        raise TypeError(f"table must be a CharacterTable; got {type(table).__name__}.")
    values, dims, types, rows, labels = [], [], [], [], []
    for a, kind in enumerate(table.indicators):
        kind = _TYPES[int(kind)]
        if kind == "complex":
            b = int(np.argmin(np.abs(table.values - table.values[a].conj()).max(axis=1)))
            if b < a:
                continue
            rows.append((a, b))
            labels.append(f"{table.labels[a]}+{table.labels[b]}")
        else:
            rows.append((a,))
            labels.append(table.labels[a] if kind == "real" else f"2*{table.labels[a]}")
        factor = 1 if kind == "real" else 2
        values.append(factor * table.values[a].real)
        dims.append(factor * int(table.degrees[a]))
        types.append(kind)
    array = np.array(values)
    array.setflags(write=False)
    return RealIrreducibleCharacters(
        table, array, np.array(dims, dtype=np.int64), tuple(types), tuple(rows), tuple(labels)
    )
