"""Basis data for layers: everything numpy precomputes once, before any JAX tracing.

Layers work in a rep's *canonical layout*: coordinates grouped by tensor type, each type's
copies contiguous (`Layout`). Inputs are permuted into it once (free when the user's layout
already is canonical, as for `uniform_rep`), so every per-type operation is a slice and a
reshape, never a gather.

`LinearBasis` holds, for each pair of tensor types (output type ``b``, input type ``a``),
the equivariant basis of ``Hom(A_a, B_b)`` reshaped to ``(s_b, s_a, r)``; the weight matrix
is one einsum per block type over all channel copies.

`BilinearBasis` pairs channel copies of types ``c`` and ``a`` where ``c`` is the type of
``B_b ⊗ A_a^*``: a copy of ``c``, read as a matrix ``(s_b, s_a)``, maps a copy of ``a`` to
``b`` equivariantly. Channels are paired, not all-to-all, so its cost stays linear in the
number of copies.

Both are cached per (rep_in, rep_out), so rebuilding a Haiku module in every trace is cheap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from emlp_core import Rep, Summand
from emlp_core.solver import equivariant_basis, monomial_basis

__all__ = [
    "Layout",
    "LinearBasis",
    "BilinearPath",
    "BilinearBasis",
    "layout",
    "linear_basis",
    "bilinear_basis",
    "check_reps",
]


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


@dataclass(frozen=True, eq=False)
class Layout:
    """A rep's canonical layout: types in canonical order, each type's copies contiguous.

    Attributes:
        types: the canonical form (`Summand` per distinct tensor type).
        offsets: start of each type in the canonical layout.
        order: canonical position ``k`` holds user coordinate ``order[k]`` (None: identity).
        inverse: user coordinate ``i`` is canonical position ``inverse[i]`` (None: identity).
    """

    types: tuple
    offsets: tuple
    order: np.ndarray | None
    inverse: np.ndarray | None

    @property
    def size(self) -> int:
        return sum(s.multiplicity * s.monomial.size for s in self.types)


@functools.lru_cache(maxsize=512)
def layout(rep: Rep) -> Layout:
    """The canonical `Layout` of a bound rep (cached)."""
    types = rep.canonical_form()
    order = np.concatenate([s.positions.ravel() for s in types]) if types else np.zeros(0, int)
    sizes = [s.multiplicity * s.monomial.size for s in types]
    offsets = tuple(int(v) for v in np.concatenate([[0], np.cumsum(sizes)[:-1]])) if types else ()
    if np.array_equal(order, np.arange(order.size)):
        return Layout(types, offsets, None, None)
    return Layout(types, offsets, order, np.argsort(order))


def _hom_basis(source: Summand, target: Summand) -> np.ndarray:
    """Basis of Hom(source type, target type) as ``(s_target, s_source, r)``."""
    basis = equivariant_basis(source.monomial.rep() >> target.monomial.rep(), sparse=False)
    return basis.reshape(target.monomial.size, source.monomial.size, -1)


@dataclass(frozen=True, eq=False)
class LinearBasis:
    """Precomputed data of an equivariant linear map ``rep_in -> rep_out``.

    Attributes:
        inputs, outputs: canonical layouts of the two reps.
        blocks: ``{(b, a): Q}`` with ``Q`` float64 ``(s_b, s_a, r)``, only nonzero blocks.
        biases: ``{b: U}`` with ``U`` float64 ``(s_b, r_b)``: invariant vectors of type b.
    """

    rep_in: Rep
    rep_out: Rep
    inputs: Layout
    outputs: Layout
    blocks: dict
    biases: dict

    def parameter_specs(self) -> list[tuple[str, tuple[int, ...], float]]:
        """``(name, shape, init stddev)`` of every parameter; stddev 0 means zeros.

        Coefficients of block (b, a) have shape ``(copies_b, copies_a, r)`` and are drawn
        from ``N(0, 1 / fan_b)`` with ``fan_b = sum_a copies_a * r_ba / s_b``: for inputs
        with unit second moment each output coordinate then has unit second moment in
        expectation (the basis matrices have unit Frobenius norm). Biases start at zero.
        """
        ins, outs = self.inputs.types, self.outputs.types
        fans: dict[int, float] = {}
        for (b, a), Q in self.blocks.items():
            fans[b] = fans.get(b, 0.0) + ins[a].multiplicity * Q.shape[2] / Q.shape[0]
        specs = []
        for (b, a), Q in self.blocks.items():
            shape = (outs[b].multiplicity, ins[a].multiplicity, Q.shape[2])
            specs.append((f"w_{b}_{a}", shape, float(1.0 / np.sqrt(fans[b]))))
        for b, U in self.biases.items():
            specs.append((f"b_{b}", (outs[b].multiplicity, U.shape[1]), 0.0))
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
    inputs, outputs = layout(rep_in), layout(rep_out)
    blocks = {}
    for b, target in enumerate(outputs.types):
        for a, source in enumerate(inputs.types):
            Q = _hom_basis(source, target)
            if Q.shape[2]:
                blocks[(b, a)] = Q
    biases = {}
    for b, target in enumerate(outputs.types):
        U = monomial_basis(target.monomial)
        U = U.toarray() if scipy.sparse.issparse(U) else np.asarray(U)
        if U.shape[1]:
            biases[b] = U
    return LinearBasis(rep_in, rep_out, inputs, outputs, blocks, biases)


@dataclass(frozen=True, eq=False)
class BilinearPath:
    """Copies of type ``c`` (read as matrices) times copies of type ``a``, into type ``b``.

    Matrix copy ``matrix_start + p`` meets vector copy ``vector_start + p`` for
    ``p < pairs``. When ``c`` and ``a`` are the same type, copy ``p`` meets copy ``p + 1``,
    so products of two different channels (not only squares) are formed.

    Attributes:
        matrix_type, vector_type: indices ``c`` and ``a`` of input types.
        pairs: number of products ``P``.
        matrix_start, vector_start: first copies used.
        matrix_layout: int ``(s_b * s_a,)``, the coordinate of type ``c`` holding matrix
            entry ``(i, j)``; None when it is the identity.
    """

    matrix_type: int
    vector_type: int
    pairs: int
    matrix_start: int
    vector_start: int
    matrix_layout: np.ndarray | None


@dataclass(frozen=True, eq=False)
class BilinearBasis:
    """Precomputed data of the channel-paired bilinear layer ``rep_in x rep_in -> rep_out``.

    Attributes:
        inputs, outputs: canonical layouts.
        paths: ``{b: [BilinearPath, ...]}`` for each output type reached.
        column_scales: ``{b: (total pairs into b,)}``, ``1 / sqrt(s_a)`` per product.
    """

    rep_in: Rep
    rep_out: Rep
    inputs: Layout
    outputs: Layout
    paths: dict
    column_scales: dict

    def parameter_specs(self) -> list[tuple[str, tuple[int, ...], float]]:
        """Mixing weights ``(copies_b, total pairs into b)``, drawn ``N(0, 0.01 / pairs)``.

        The small scale keeps a block close to its linear part at initialisation, so depth
        does not compound the quadratic term; training grows it as needed.
        """
        specs = []
        for b, scales in self.column_scales.items():
            shape = (self.outputs.types[b].multiplicity, scales.size)
            specs.append((f"w_{b}", shape, float(0.1 / np.sqrt(scales.size))))
        return specs

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, shape, _ in self.parameter_specs()))


def bilinear_basis(rep_in: Rep, rep_out: Rep) -> BilinearBasis:
    """Builds (once per pair of reps) the `BilinearBasis` of ``rep_in x rep_in -> rep_out``.

    Products of two scalars are left out: the scalars already pass through swish, and
    with ``ch`` scalar copies their mixing would cost as much as a second linear layer.

    Raises:
        TypeError, ValueError: unless both reps are bound to the same group.
    """
    check_reps(rep_in, rep_out, "BiLinear")
    return _bilinear_basis(rep_in, rep_out)


@functools.lru_cache(maxsize=256)
def _bilinear_basis(rep_in: Rep, rep_out: Rep) -> BilinearBasis:
    inputs, outputs = layout(rep_in), layout(rep_out)
    index_of = {summand.monomial: k for k, summand in enumerate(inputs.types)}
    paths: dict[int, list[BilinearPath]] = {}
    for b, target in enumerate(outputs.types):
        for a, source in enumerate(inputs.types):
            (matrix_type,) = (target.monomial.rep() * source.monomial.rep().T).canonical_form()
            c = index_of.get(matrix_type.monomial)
            if c is None or (source.monomial.degree == 0 and target.monomial.degree == 0):
                continue  # scalar x scalar adds nothing the gated (swish) scalars lack
            copies_c, copies_a = inputs.types[c].multiplicity, source.multiplicity
            if c == a and copies_a > 1:  # copy p with copy p + 1
                pairs, vector_start = copies_a - 1, 1
            else:
                pairs, vector_start = min(copies_c, copies_a), 0
            entry = np.argsort(matrix_type.positions[0])
            identity = np.array_equal(entry, np.arange(entry.size))
            path = BilinearPath(c, a, pairs, 0, vector_start, None if identity else entry)
            paths.setdefault(b, []).append(path)
    scales = {
        b: np.concatenate(
            [np.full(p.pairs, 1.0 / np.sqrt(inputs.types[p.vector_type].monomial.size)) for p in ps]
        )
        for b, ps in paths.items()
    }
    return BilinearBasis(rep_in, rep_out, inputs, outputs, paths, scales)
