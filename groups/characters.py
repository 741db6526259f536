"""Character tables of enumerable finite groups (Burnside–Dixon; numpy only).

`character_table` finds the irreducible characters without building any irrep. For the
classes ``C_i`` (representatives ``z_i``, ``C_j*`` the class of inverses) the class
multiplication coefficients ``c_ijk = #{(x, y) in C_i x C_j : xy = z_k} = #{w in C_j* :
z_k w in C_i}`` are counted by index arithmetic: left multiplication by ``z_k`` permutes
the element indices, composed from `groups.enumeration.ElementTable.left` along a
breadth-first word. ``omega_chi(C_i) = |C_i| chi(z_i) / chi(1)`` are the common
eigenvectors of the matrices ``(M_i)_jk = c_ijk``, which are commuting normal matrices in
the basis scaled by ``sqrt(|C_i|)``: for a random complex combination ``N`` there,
``numpy.linalg.eigh(N + N^H)`` gives the unit vectors ``u_i = sqrt(|C_i| / |G|) chi(z_i)``
up to a phase (eigenvalues closer than ``1e-6``, relative, are split again by a fresh
combination on their eigenspace; seeds are fixed). So ``chi(1) = sqrt(|G|) |u_1|`` (an
integer: ``chi(1)^2 = |G| / sum_i |omega_i|^2 / |C_i|`` with ``omega_1 = 1``) and
``chi(z_i) = sqrt(|G| / |C_i|) u_i conj(u_1) / |u_1|``. Values within ``1e-9`` of a
half-integer are snapped, conjugate characters made exact conjugates (real ones exactly real),
and both orthogonality relations checked (RuntimeError beyond ``1e-8``: a bug).

Rows: the trivial character, then by degree, real-valued before complex-valued, then by
decreasing rounded values (real, imaginary part) class by class. Row labels: ``"1"`` is
the trivial character; of the others of degree ``d`` a lone one is ``"d"`` (``"1'"`` for
``d = 1``), several are ``"da", "db", ...`` (``"dz"`` then ``"daa"``). Columns: the order
of `groups.classes.conjugacy_classes` (size, then representative); ATLAS-style labels,
element order and a letter (``"1a", "2a", "2b", "3a"``), the letters in column order among
one element order (increasing size: decreasing centraliser order, as in the ATLAS).

Limits: at most `groups.enumeration.MAX_ENUMERATED_ORDER` elements (``limit``) and
``classes * elements <= MAX_CLASS_ENTRIES`` (timings: benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from groups.caching import cached
from groups.checks import check_int
from groups.classes import ConjugacyClasses, conjugacy_classes
from groups.enumeration import MAX_ENUMERATED_ORDER, element_table

__all__ = ["CharacterTable", "MAX_CLASS_ENTRIES", "character_table", "class_function"]

MAX_CLASS_ENTRIES = 2**26
"""Largest ``classes * elements``: the coefficients are counted from one int32 array of
that shape (256 MiB)."""
_GAP = 1e-6  # relative eigenvalue gap below which a cluster is split again
_SNAP = 1e-9  # distance to a half-integer under which a real or imaginary part is snapped
_CHECK = 1e-8  # tolerance of the internal orthogonality checks


def _check_values(values, k: int, argument: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.complex128)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{argument} must be numbers, one per class; {error}") from error
    if array.shape != (k,):
        raise ValueError(
            f"{argument} must have shape ({k},), one value per class; got {array.shape}."
        )
    return array


def _text(z: complex) -> str:
    parts = [round(float(z.real), 3) + 0.0, round(float(z.imag), 3) + 0.0]
    re, im = (f"{int(p)}" if p == int(p) else f"{p:g}" for p in parts)
    if parts[1] == 0:
        return re
    return (f"{re}{'+' if parts[1] > 0 else ''}" if parts[0] else "") + f"{im}i"


@dataclass(frozen=True, eq=False, repr=False)
class CharacterTable:
    """The irreducible complex characters of a finite group (build it with `character_table`).

    Attributes:
        group: the `groups.Group`.
        group_order: ``|G|``.
        classes: the `groups.classes.ConjugacyClasses`, in column order.
        values: complex128 ``(k, k)``, read-only: ``values[a, i] = chi_a(z_i)``.
        degrees: int64 ``(k,)``, ``chi_a(1)``.
        indicators: int64 ``(k,)``, Frobenius–Schur indicators ``(1/|G|) sum_g chi(g^2)``:
            1 real, 0 complex, -1 quaternionic type.
        labels: ``(k,)`` str, character labels (module docstring).
        class_labels: ``(k,)`` str, ATLAS-style class labels (module docstring).
        element_orders: int64 ``(k,)``, the order of the elements of each class.
    """

    group: object
    group_order: int
    classes: ConjugacyClasses
    values: np.ndarray
    degrees: np.ndarray
    indicators: np.ndarray
    labels: tuple[str, ...]
    class_labels: tuple[str, ...]
    element_orders: np.ndarray
    _powers: tuple[np.ndarray, ...]  # element indices of z_i^0, z_i^1, ... per class

    def power_map(self, p: int) -> np.ndarray:
        """int64 ``(k,)``: the class of ``z_i^p`` for each class ``i`` (``p`` may be negative).

        Example:
            >>> from groups import S
            >>> table = character_table(S(4))
            >>> [table.class_labels[i] for i in table.power_map(2)]
            ['1a', '1a', '1a', '2a', '3a']
        """
        p = check_int(p, "p", where="power_map")
        elements = [powers[p % powers.size] for powers in self._powers]
        return self.classes.labels[np.array(elements, dtype=np.int64)]

    def inner_product(self, chi, psi) -> complex:
        """``(1/|G|) sum_i |C_i| chi_i conj(psi_i)`` of two class functions of shape ``(k,)``.

        Example:
            >>> from groups import S
            >>> table = character_table(S(3))
            >>> table.inner_product(table.values[2], table.values[2])
            (1+0j)
        """
        k = self.degrees.size
        chi, psi = _check_values(chi, k, "chi"), _check_values(psi, k, "psi")
        return complex(np.sum(self.classes.sizes * chi * psi.conj()) / self.group_order)

    def decompose(self, values, atol: float = 1e-6) -> np.ndarray:
        """Multiplicities of the irreducible characters in a character ``values`` ``(k,)``.

        Args:
            values: a class function, one value per class (`class_function`).
            atol: largest distance of each ``<values, chi>`` from a non-negative integer.

        Returns:
            int64 ``(k,)``, in row order.

        Raises:
            ValueError: for a wrong shape, or a class function that is not a character.

        Example:
            >>> from groups import S
            >>> table = character_table(S(4))
            >>> table.decompose(class_function(S(4), lambda g: g)).tolist()  # 1 + 3
            [1, 0, 0, 1, 0]
        """
        values = _check_values(values, self.degrees.size, "values")
        found = self.values.conj() @ (self.classes.sizes * values) / self.group_order
        counts = np.round(found.real)
        if np.max(np.abs(found - counts), initial=0.0) > atol or np.any(counts < 0):
            raise ValueError(
                "values is not a character: its multiplicities "
                f"{np.round(found, 6).tolist()} are not all non-negative integers."
            )
        return counts.astype(np.int64)

    def __repr__(self) -> str:
        return (
            f"CharacterTable({self.group!r}: order {self.group_order}, {self.degrees.size} classes)"
        )

    def __str__(self) -> str:
        cells = [["", *self.class_labels]]
        cells += [
            [label, *map(_text, row)] for label, row in zip(self.labels, self.values, strict=True)
        ]
        width = max(len(cell) for row in cells for cell in row)
        return "\n".join(" ".join(c.rjust(width) for c in row).rstrip() for row in cells)


def class_function(group, rho: Callable, limit: int = MAX_ENUMERATED_ORDER) -> np.ndarray:
    """The traces of ``rho(z_i)`` at the class representatives (the character of ``rho``).

    Args:
        group: a finite `groups.Group`.
        rho: callable mapping a ``(d, d)`` element matrix to a square matrix, a
            representation such as ``lambda g: rep.rho(g)`` of an ``emlp_core`` Rep (it is
            not checked to be a homomorphism).
        limit: as `groups.enumeration.element_table`.

    Returns:
        ``(k,)`` in the column order of `character_table`: float64, or complex128 if a
        trace has a non-zero imaginary part.

    Raises:
        TypeError: for a non-Group or a non-callable ``rho``.
        ValueError: as `groups.enumeration.element_table`, or if ``rho`` returns a
            non-square matrix.

    Example:
        >>> from groups import S
        >>> class_function(S(3), lambda g: g).tolist()  # fixed points
        [3.0, 0.0, 1.0]
    """
    if not callable(rho):
        raise TypeError(f"rho must be callable; got {type(rho).__name__}.")
    table = element_table(group, limit)
    traces = []
    for rep in conjugacy_classes(group, limit).representatives:
        image = np.asarray(rho(table.matrices[rep]))
        if image.ndim != 2 or image.shape[0] != image.shape[1]:
            raise ValueError(f"rho must return a square matrix; got shape {image.shape}.")
        traces.append(np.trace(image))
    values = np.array(traces, dtype=np.complex128)
    return values if np.any(values.imag != 0) else values.real.copy()


def character_table(group, limit: int = MAX_ENUMERATED_ORDER) -> CharacterTable:
    """The character table of a finite group (Burnside–Dixon; module docstring); cached.

    Args:
        group: a `groups.Group` without a Lie algebra.
        limit: largest order enumerated (`groups.enumeration.element_table`).

    Returns:
        `CharacterTable`.

    Raises:
        TypeError: if ``group`` is not a `groups.Group`.
        ValueError: for a Lie group, more than ``limit`` elements, or more than
            `MAX_CLASS_ENTRIES` classes times elements.
        RuntimeError: if the numerics fail the orthogonality relations (a bug).

    Example:
        >>> from groups import S
        >>> print(character_table(S(3)))
           1a 3a 2a
         1  1  1  1
        1'  1  1 -1
         2  2 -1  0
    """
    from groups.group import Group

    if not isinstance(group, Group):
        raise TypeError(f"character_table needs a groups.Group; got {type(group).__name__}.")
    element_table(group, limit)  # the checks and errors of the enumeration
    return _character_table(group, limit)


def _spanning_tree(table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first tree ``g_j = g_parent[j] h_generator[j]``, and the depth of each element."""
    n = table.order
    parent, generator, depth = (np.full(n, -1, dtype=np.int64) for _ in range(3))
    depth[0], frontier, level = 0, np.zeros(1, dtype=np.int64), 0
    while frontier.size:
        level, found = level + 1, [np.zeros(0, dtype=np.int64)]
        for k, right in enumerate(table.right):
            targets = right[frontier]
            fresh = depth[targets] < 0
            new, first = np.unique(targets[fresh], return_index=True)
            parent[new], generator[new], depth[new] = frontier[fresh][first], k, level
            found.append(new)
        frontier = np.concatenate(found)
    return parent, generator, depth


def _class_products(table, classes: ConjugacyClasses):
    """``image[i, w]``: the class of ``z_i g_w``; ``powers[i]``: indices of ``z_i^0, z_i^1, ..``."""
    parent, generator, depth = _spanning_tree(table)
    needed = set()
    for v in classes.representatives.tolist():
        while v >= 0 and v not in needed:
            needed.add(v)
            v = int(parent[v])
    where = {int(r): i for i, r in enumerate(classes.representatives)}
    image = np.empty((len(where), table.order), dtype=np.int32)
    powers = [np.zeros(0, dtype=np.int64)] * len(where)
    live = {0: np.arange(table.order)}  # left multiplication by g_v, for v at two levels
    for v in sorted(needed, key=lambda v: (depth[v], v)):
        if v:
            live = {u: m for u, m in live.items() if depth[u] >= depth[v] - 1}
            live[v] = live[int(parent[v])][table.left[generator[v]]]
        if v in where:
            left, sequence, x = live[v], [0], v
            while x:
                sequence.append(x)
                x = int(left[x])
            image[where[v]] = classes.labels[left]
            powers[where[v]] = np.array(sequence, dtype=np.int64)
    return image, powers


def _eigenvectors(hermitian: Callable, k: int) -> np.ndarray:
    """Unit common eigenvectors (columns), splitting clusters with fresh combinations."""
    rng = np.random.default_rng(0)
    done, pending = [], [np.eye(k, dtype=np.complex128)]
    for _ in range(64):
        if not pending:
            return np.hstack(done)
        combination = hermitian(rng)
        scale = max(np.linalg.norm(combination) / np.sqrt(k), 1e-300)
        split = []
        for basis in pending:
            values, vectors = np.linalg.eigh(basis.conj().T @ combination @ basis)
            cuts = np.flatnonzero(np.diff(values) > _GAP * scale) + 1
            for block in np.split(np.arange(values.size), cuts):
                (done if block.size == 1 else split).append(basis @ vectors[:, block])
        pending = split
    raise RuntimeError("the class matrices did not separate the characters (a bug).")


def _snap(x: np.ndarray) -> np.ndarray:
    nearest = np.round(2 * x) / 2  # rational real and imaginary parts are half-integers
    return np.where(np.abs(x - nearest) < _SNAP, nearest, x) + 0.0


def _letters(t: int) -> str:
    out, t = "", t + 1
    while t:
        t, r = divmod(t - 1, 26)
        out = chr(97 + r) + out
    return out


def _row_labels(degrees: np.ndarray) -> tuple[str, ...]:
    labels = ["1"] + [""] * (degrees.size - 1)
    for d in sorted(set(degrees[1:].tolist())):
        rows = [a for a in range(1, degrees.size) if degrees[a] == d]
        for t, a in enumerate(rows):
            labels[a] = ("1'" if d == 1 else str(d)) if len(rows) == 1 else f"{d}{_letters(t)}"
    return tuple(labels)


@cached(maxsize=16)
def _character_table(group, limit: int) -> CharacterTable:
    table, classes = element_table(group, limit), conjugacy_classes(group, limit)
    n, sizes, k = table.order, classes.sizes, classes.sizes.size
    if n * k > MAX_CLASS_ENTRIES:
        raise ValueError(
            f"{group!r} has {k} classes and {n} elements; the character table is limited to "
            f"classes * elements <= {MAX_CLASS_ENTRIES}."
        )
    image, powers = _class_products(table, classes)
    inverse = classes.labels[np.array([p[-1] for p in powers])]  # class of z_i^-1
    rows_of = inverse[classes.labels]  # the row j with w in C_j*
    root = np.sqrt(sizes)

    def hermitian(rng) -> np.ndarray:
        weights = (rng.standard_normal(k) + 1j * rng.standard_normal(k)) / sizes
        combined = np.empty((k, k), dtype=np.complex128)  # sum_i weights_i M_i
        for column in range(k):
            re, im = (
                np.bincount(rows_of, part[image[column]], k)
                for part in (weights.real, weights.imag)
            )
            combined[:, column] = re + 1j * im
        scaled = combined * root / root[:, None]
        return scaled + scaled.conj().T

    unit = _eigenvectors(hermitian, k)  # columns sqrt(|C_i| / |G|) chi(z_i), up to a phase
    first = unit[0]
    degrees = np.sqrt(n) * np.abs(first)
    if np.max(np.abs(degrees - np.round(degrees))) > 1e-6:
        raise RuntimeError(f"degrees {degrees.tolist()} are not integers (a bug).")
    values = (unit * (first.conj() / np.abs(first))).T * np.sqrt(n / sizes)
    values[:, 0] = np.round(degrees)
    partner = np.argmax(np.abs(values * sizes @ values.T), axis=1)  # <chi_b, conj chi_a>
    if np.any(partner[partner] != np.arange(k)):
        raise RuntimeError("the characters are not closed under complex conjugation (a bug).")
    values = (values + values[partner].conj()) / 2  # conjugate pairs exact, real rows real
    values = _snap(values.real) + 1j * _snap(values.imag)
    complex_row = np.any(values.imag != 0, axis=1)

    def key(a: int):
        trivial = bool(np.all(values[a] == 1))
        flat = np.round(np.stack([values[a].real, values[a].imag], axis=1), 6) + 0.0
        return (not trivial, values[a, 0].real, bool(complex_row[a]), tuple((-flat).ravel()))

    values = values[sorted(range(k), key=key)]
    values.setflags(write=False)
    degrees = np.round(values[:, 0].real).astype(np.int64)
    squares = classes.labels[np.array([p[2 % p.size] for p in powers])]
    found = values[:, squares] @ sizes / n
    indicators = np.round(found.real).astype(np.int64)
    if np.max(np.abs(found - indicators)) > 1e-6 or not set(indicators.tolist()) <= {-1, 0, 1}:
        raise RuntimeError(f"Frobenius–Schur indicators {found.tolist()} (a bug).")
    rows = values * sizes @ values.conj().T / n
    columns = (values.conj().T @ values) * root[:, None] * root / n
    if max(np.abs(rows - np.eye(k)).max(), np.abs(columns - np.eye(k)).max()) > _CHECK:
        raise RuntimeError("the character table fails the orthogonality relations (a bug).")
    orders = np.array([p.size for p in powers], dtype=np.int64)
    seen: dict[int, int] = {}
    class_labels = []
    for order in orders.tolist():  # the letter counts the earlier classes of that order
        seen[order] = seen.get(order, -1) + 1
        class_labels.append(f"{order}{_letters(seen[order])}")
    for array in (degrees, indicators, orders, *classes, *powers):
        array.setflags(write=False)
    fields = (values, degrees, indicators, _row_labels(degrees), tuple(class_labels), orders)
    return CharacterTable(group, n, classes, *fields, tuple(powers))
