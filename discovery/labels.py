"""Best-effort names of simple Lie algebras from dimension, rank, roots and signature.

A simple ideal is first given its Cartan type from ``(dim, rank)`` and the lengths of its
roots: the roots are the eigenvalues of ``ad_H`` on a Cartan subalgebra (the centraliser
of a generic element), and their squared lengths, in the inverse Killing form, come in
the ratios 1 (types A, D, E), 1 : 2 (B, C, F4) or 1 : 3 (G2). Types B_n and C_n share
dimension and rank; B_n has ``2n`` short roots, C_n has ``2n`` long ones.

The real form then follows from the dimension of a maximal compact subalgebra, which is
the number of negative eigenvalues of the Killing form (e.g. ``sl(n, R)``: ``n(n-1)/2``).
A simple ideal whose adjoint commutant is 2-dimensional is a complex algebra seen as a
real one (``so(1, 3) = sl(2, C)``); its type is read from half its dimension and rank.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cartan_type", "root_length_ratios", "simple_label", "combined_label"]

_EXCEPTIONAL = {
    ("G", 2): 14,
    ("F", 4): 52,
    ("E", 6): 78,
    ("E", 7): 133,
    ("E", 8): 248,
}
_EXCEPTIONAL_FORMS = {
    ("G", 2): {6: "G2(2)"},
    ("F", 4): {24: "F4(4)", 36: "F4(-20)"},
    ("E", 6): {36: "E6(6)", 38: "E6(2)", 46: "E6(-14)", 52: "E6(-26)"},
    ("E", 7): {63: "E7(7)", 69: "E7(-5)", 79: "E7(-25)"},
    ("E", 8): {120: "E8(8)", 136: "E8(-24)"},
}


def root_length_ratios(
    matrices: np.ndarray, tol: float, seed: int = 0
) -> tuple[int, np.ndarray] | None:
    """Rank and squared root lengths relative to the longest, for a semisimple ad-module.

    Args:
        matrices: ``(n, n, n)``, ``ad`` of each basis element of a semisimple algebra in
            that basis.
        tol: relative cut-off for zero eigenvalues.
        seed: seed of the generic element.

    Returns:
        ``(rank, ratios)`` with ``ratios (n - rank,)`` in ``(0, 1]``, or None when the
        computation is not reliable (a defective generic element, or non-real ratios).

    Example:
        >>> from groups import SO, structure_constants
        >>> from discovery.structure import adjoint_matrices
        >>> rank, ratios = root_length_ratios(adjoint_matrices(structure_constants(SO(5))[0]), 1e-8)
        >>> rank, sorted(np.round(ratios, 6).tolist())  # B2: 4 short, 4 long roots
        (2, [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0])
    """
    n = matrices.shape[0]
    rng = np.random.default_rng(seed)
    generic = np.tensordot(rng.standard_normal(n), matrices, axes=1)
    values, vectors = np.linalg.eig(generic)
    if np.linalg.cond(vectors) > 1e8:
        return None
    scale = np.abs(values).max()
    zero = np.abs(values) <= max(1e-6, 10 * tol) * scale
    rank = int(zero.sum())
    if rank == 0 or rank == n:
        return None
    # a real basis of the Cartan subalgebra: the null space of the generic ad
    _, singular, right = np.linalg.svd(generic)
    cartan = right[n - rank :].T  # (n, rank)
    inverse = np.linalg.inv(vectors)
    roots = np.empty((n - rank, rank), dtype=complex)
    for j in range(rank):
        ad_h = np.tensordot(cartan[:, j], matrices, axes=1)
        roots[:, j] = np.einsum("ai,ij,ja->a", inverse[~zero], ad_h, vectors[:, ~zero])
    killing = np.einsum("pab,qba->pq", matrices, matrices)
    restricted = cartan.T @ killing @ cartan
    lengths = np.einsum("ai,ij,aj->a", roots, np.linalg.inv(restricted), roots)
    if np.abs(lengths.imag).max() > 1e-3 * np.abs(lengths).max():
        return None
    lengths = lengths.real
    if lengths.min() <= 0:
        return None
    return rank, lengths / lengths.max()


def cartan_type(
    dim: int, rank: int, ratios: np.ndarray | None, copies: int = 1
) -> tuple[str, int] | None:
    """The Cartan type ``(letter, n)`` of a complex simple algebra, or None if unknown.

    Args:
        dim: complex dimension (half the real one for a complex algebra seen as real).
        rank: complex rank.
        ratios: squared root lengths relative to the longest (`root_length_ratios`), each
            root listed ``copies`` times, or None when the roots are unknown.
        copies: 2 for a complex algebra seen as real (its complexification has two copies).

    Example:
        >>> cartan_type(14, 2, np.array([1.0] * 6 + [1 / 3] * 6))
        ('G', 2)
    """
    if ratios is not None:
        shortest = ratios.min()
        if abs(shortest - 1.0) < 0.05:
            laced = [("A", rank, rank * (rank + 2))]
            if rank >= 4:
                laced.append(("D", rank, rank * (2 * rank - 1)))
            laced += [(letter, r, size) for (letter, r), size in _EXCEPTIONAL.items()]
            for letter, r, size in laced:
                if r == rank and size == dim and letter != "G" and letter != "F":
                    return letter, r
            return None
        if abs(shortest - 0.5) < 0.05:
            if (dim, rank) == (52, 4):
                return "F", 4
            if dim == rank * (2 * rank + 1) and rank >= 2:
                short = int(np.sum(ratios < 0.75)) // copies
                if rank == 2 or short == 2 * rank:
                    return "B", rank
                return "C", rank
            return None
        if abs(shortest - 1 / 3) < 0.05 and (dim, rank) == (14, 2):
            return "G", 2
        return None
    # without roots: dimension and rank alone (B_n and C_n stay ambiguous: B is returned)
    candidates = [("A", rank, rank * (rank + 2)), ("B", rank, rank * (2 * rank + 1))]
    candidates.append(("D", rank, rank * (2 * rank - 1)) if rank >= 4 else ("-", 0, -1))
    candidates += [(letter, r, size) for (letter, r), size in _EXCEPTIONAL.items()]
    for letter, r, size in candidates:
        if r == rank and size == dim:
            return letter, r
    return None


def _compact_name(letter: str, n: int) -> str:
    if letter == "A":
        return f"su({n + 1})"
    if letter == "B":
        return f"so({2 * n + 1})"
    if letter == "C":
        return f"sp({n})"
    if letter == "D":
        return f"so({2 * n})"
    return f"{letter}{n}"


def _real_forms(letter: str, n: int) -> list[tuple[str, int]]:
    """Non-compact real forms as ``(name, dimension of the maximal compact subalgebra)``."""
    if letter in ("G", "F", "E"):
        return [(name, size) for size, name in _EXCEPTIONAL_FORMS[(letter, n)].items()]
    forms = []
    if letter == "A":
        N = n + 1
        forms.append((f"sl({N},R)", N * (N - 1) // 2))
        if N > 2:
            forms += [(f"su({p},{N - p})", p * p + (N - p) ** 2 - 1) for p in range(1, N // 2 + 1)]
        if N % 2 == 0 and N > 2:
            forms.append((f"sl({N // 2},H)", (N // 2) * (N + 1)))
    elif letter in ("B", "D"):
        N = 2 * n + 1 if letter == "B" else 2 * n
        forms += [
            (f"so({p},{N - p})", p * (p - 1) // 2 + (N - p) * (N - p - 1) // 2)
            for p in range(1, N // 2 + 1)
        ]
        if letter == "D":
            forms.append((f"so*({N})", n * n))
    elif letter == "C":
        forms.append((f"sp({2 * n},R)", n * n))
        forms += [
            (f"sp({p},{n - p})", p * (2 * p + 1) + (n - p) * (2 * (n - p) + 1))
            for p in range(1, n // 2 + 1)
        ]
    return forms


def simple_label(
    kind: tuple[str, int] | None, compact_dims: int, dim: int, complex_type: bool
) -> str:
    """Name of a simple real algebra from its type and Killing signature.

    Args:
        kind: the Cartan type (of the complexification's simple factor), or None.
        compact_dims: number of negative eigenvalues of the Killing form.
        dim: real dimension.
        complex_type: True for a complex simple algebra seen as real.

    Example:
        >>> simple_label(("A", 2), 3, 8, False), simple_label(("A", 1), 3, 6, True)
        ('sl(3,R)', 'so(1,3)')
    """
    if kind is None:
        return f"simple(dim={dim})"
    letter, n = kind
    if complex_type:
        names = {"A": f"sl({n + 1},C)", "B": f"so({2 * n + 1},C)", "C": f"sp({2 * n},C)"}
        names["D"] = f"so({2 * n},C)"
        return "so(1,3)" if kind == ("A", 1) else names.get(letter, f"{letter}{n}(C)")
    if compact_dims == dim:
        return _compact_name(letter, n)
    matches = [name for name, size in _real_forms(letter, n) if size == compact_dims]
    if not matches:
        return f"{_compact_name(letter, n)} (non-compact, {compact_dims} compact dims)"
    return " or ".join(matches)


def combined_label(parts: list[tuple[int, str]]) -> str:
    """The label of a direct sum from its ``(dim, label)`` parts, with common aliases.

    ``su(n)+u(1)`` is written ``u(n)``, ``su(2)+su(2)`` is ``so(4)`` and
    ``sl(2,R)+sl(2,R)`` is ``so(2,2)``; otherwise the parts are joined by ``+`` from the
    largest down.

    Example:
        >>> combined_label([(1, "u(1)"), (3, "su(2)"), (8, "su(3)")])
        'su(3)+su(2)+u(1)'
        >>> combined_label([(8, "su(3)"), (1, "u(1)")])
        'u(3)'
    """
    if not parts:
        return "0"
    names = sorted(name for _, name in parts)
    if len(parts) == 2 and names[1] == "u(1)" and names[0].startswith("su("):
        return "u(" + names[0][3:]
    if names == ["su(2)", "su(2)"]:
        return "so(4)"
    if names == ["sl(2,R)", "sl(2,R)"]:
        return "so(2,2)"
    ordered = sorted(parts, key=lambda part: (-part[0], part[1]))
    return "+".join(name for _, name in ordered)
