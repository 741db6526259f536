"""Basis data for layers: everything numpy precomputes once, before any JAX tracing.

`LinearBasis` holds, for each pair of tensor types (output type ``b``, input type ``a``),
the equivariant basis of ``Hom(A_a, B_b)`` reshaped to ``(s_b, s_a, r)`` and the gather
indices of the channel copies of each type. The weight matrix of a layer is then one
einsum per distinct block type over all channel copies; nothing of size ``(out*in) x r``
is ever formed.

`BilinearBasis` pairs channel copies of types ``c`` and ``a`` where ``c`` is the type of
``B_b ⊗ A_a^*``: a copy of ``c``, read as a matrix ``(s_b, s_a)``, maps a copy of ``a`` to
``b`` equivariantly. Channels are paired, not all-to-all, so its cost stays linear in the
number of copies.

Both are cached per (rep_in, rep_out) so rebuilding a Haiku module in every trace is cheap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from emlp_core import Rep, Summand
from emlp_core.solver import equivariant_basis, monomial_basis

__all__ = ["LinearBasis", "BilinearBasis", "linear_basis", "bilinear_basis", "check_reps"]


def check_reps(rep_in: Rep, rep_out: Rep, layer: str) -> None:
    """Raises a clear error unless both reps are bound to the same group."""
    for name, rep in (("rep_in", rep_in), ("rep_out", rep_out)):
        if not isinstance(rep, Rep):
            raise TypeError(f"{layer}: {name} must be a Rep; got {type(rep).__name__}.")
        if rep.group is None:
            raise ValueError(f"{layer}: {name} = {rep!r} has no group; bind it, e.g. {name}(G).")
    if rep_in.group != rep_out.group:
        raise ValueError(
            f"{layer}: rep_in is bound to {rep_in.group!r} but rep_out to {rep_out.group!r}; "
            "both must use the same group."
        )


def _inverse_permutation(form: tuple[Summand, ...], size: int) -> np.ndarray | None:
    """Inverse of the canonical ordering (concatenated positions), or None if it is identity."""
    order = np.concatenate([s.positions.ravel() for s in form]) if form else np.zeros(0, np.int64)
    if np.array_equal(order, np.arange(size)):
        return None
    return np.argsort(order)


def _hom_basis(source: Summand, target: Summand) -> np.ndarray:
    """Basis of Hom(source type, target type) as ``(s_target, s_source, r)``."""
    basis = equivariant_basis(source.monomial.rep() >> target.monomial.rep())
    return basis.reshape(target.monomial.size, source.monomial.size, -1)


@dataclass(frozen=True, eq=False)
class LinearBasis:
    """Precomputed data of an equivariant linear map ``rep_in -> rep_out``.

    Attributes:
        in_types, out_types: canonical forms of the two reps.
        blocks: ``{(b, a): Q}`` with ``Q`` float64 ``(s_b, s_a, r)``, only nonzero blocks.
        biases: ``{b: U}`` with ``U`` float64 ``(s_b, r_b)``: invariant vectors of type b.
        in_inverse, out_inverse: permutations from canonical to user layout (None = identity).
    """

    rep_in: Rep
    rep_out: Rep
    in_types: tuple
    out_types: tuple
    blocks: dict
    biases: dict
    in_inverse: np.ndarray | None
    out_inverse: np.ndarray | None

    def parameter_specs(self) -> list[tuple[str, tuple[int, ...], float]]:
        """``(name, shape, init stddev)`` of every parameter; stddev 0 means zeros.

        Coefficients of block (b, a) have shape ``(copies_b, copies_a, r)`` and are drawn
        from ``N(0, 1 / fan_b)`` with ``fan_b = sum_a copies_a * r_ba / s_b``: for inputs
        with unit second moment each output coordinate then has unit second moment in
        expectation (the basis matrices have unit Frobenius norm). Biases start at zero.
        """
        fans: dict[int, float] = {}
        for (b, a), Q in self.blocks.items():
            fans[b] = fans.get(b, 0.0) + self.in_types[a].multiplicity * Q.shape[2] / Q.shape[0]
        specs = []
        for (b, a), Q in self.blocks.items():
            shape = (self.out_types[b].multiplicity, self.in_types[a].multiplicity, Q.shape[2])
            specs.append((f"w_{b}_{a}", shape, float(1.0 / np.sqrt(fans[b]))))
        for b, U in self.biases.items():
            specs.append((f"b_{b}", (self.out_types[b].multiplicity, U.shape[1]), 0.0))
        return specs

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, shape, _ in self.parameter_specs()))


def linear_basis(rep_in: Rep, rep_out: Rep) -> LinearBasis:
    """Builds (once per pair of reps) the `LinearBasis` of ``rep_in -> rep_out``.

    Raises:
        TypeError, ValueError: unless both reps are bound to the same group.
    """
    check_reps(rep_in, rep_out, "Linear")
    return _linear_basis(rep_in, rep_out)


@functools.lru_cache(maxsize=256)
def _linear_basis(rep_in: Rep, rep_out: Rep) -> LinearBasis:
    in_types, out_types = rep_in.canonical_form(), rep_out.canonical_form()
    blocks = {}
    for b, target in enumerate(out_types):
        for a, source in enumerate(in_types):
            Q = _hom_basis(source, target)
            if Q.shape[2]:
                blocks[(b, a)] = Q
    biases = {}
    for b, target in enumerate(out_types):
        U = monomial_basis(target.monomial)
        if U.shape[1]:
            biases[b] = U
    return LinearBasis(
        rep_in,
        rep_out,
        in_types,
        out_types,
        blocks,
        biases,
        _inverse_permutation(in_types, rep_in.size()),
        _inverse_permutation(out_types, rep_out.size()),
    )


@dataclass(frozen=True, eq=False)
class BilinearPath:
    """Copies ``p`` of type ``c`` (as matrices) times copies ``p'`` of type ``a``, into type ``b``.

    Attributes:
        matrix_index: int ``(P, s_b, s_a)``, input coordinates of each paired ``c`` copy.
        vector_index: int ``(P, s_a)``, input coordinates of each paired ``a`` copy.
    """

    matrix_index: np.ndarray
    vector_index: np.ndarray


@dataclass(frozen=True, eq=False)
class BilinearBasis:
    """Precomputed data of the channel-paired bilinear layer ``rep_in x rep_in -> rep_out``.

    Attributes:
        out_types: canonical form of ``rep_out``.
        paths: ``{b: [BilinearPath, ...]}`` for each output type reached.
        out_inverse: permutation from canonical to user layout (None = identity).
    """

    rep_in: Rep
    rep_out: Rep
    out_types: tuple
    paths: dict
    out_inverse: np.ndarray | None

    def parameter_specs(self) -> list[tuple[str, tuple[int, ...], float]]:
        """Mixing weights ``(copies_b, total pairs into b)``, drawn ``N(0, 1 / pairs)``."""
        specs = []
        for b, paths in self.paths.items():
            pairs = sum(path.vector_index.shape[0] for path in paths)
            specs.append(
                (f"w_{b}", (self.out_types[b].multiplicity, pairs), float(0.1 / np.sqrt(pairs)))
            )
        return specs

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, shape, _ in self.parameter_specs()))


def bilinear_basis(rep_in: Rep, rep_out: Rep) -> BilinearBasis:
    """Builds (once per pair of reps) the `BilinearBasis` of ``rep_in x rep_in -> rep_out``.

    Copy ``p`` of the matrix type ``c`` is paired with copy ``p`` of ``a``, or with copy
    ``p + 1`` (cyclically) when ``c`` and ``a`` are the same type, so that products of two
    different channels (not only squares) are formed.

    Raises:
        TypeError, ValueError: unless both reps are bound to the same group.
    """
    check_reps(rep_in, rep_out, "BiLinear")
    return _bilinear_basis(rep_in, rep_out)


@functools.lru_cache(maxsize=256)
def _bilinear_basis(rep_in: Rep, rep_out: Rep) -> BilinearBasis:
    in_types, out_types = rep_in.canonical_form(), rep_out.canonical_form()
    index_of = {summand.monomial: k for k, summand in enumerate(in_types)}
    paths: dict[int, list[BilinearPath]] = {}
    for b, target in enumerate(out_types):
        for source in in_types:
            (matrix_type,) = (target.monomial.rep() * source.monomial.rep().T).canonical_form()
            c = index_of.get(matrix_type.monomial)
            if c is None:
                continue
            matrices = in_types[c].positions
            pairs = min(matrices.shape[0], source.multiplicity)
            shift = 1 if in_types[c].monomial == source.monomial and pairs > 1 else 0
            layout = np.argsort(matrix_type.positions[0]).reshape(
                target.monomial.size, source.monomial.size
            )
            partner = (np.arange(pairs) + shift) % source.multiplicity
            paths.setdefault(b, []).append(
                BilinearPath(matrices[:pairs][:, layout], source.positions[partner])
            )
    return BilinearBasis(
        rep_in, rep_out, out_types, paths, _inverse_permutation(out_types, rep_out.size())
    )
