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

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from emlp_core import Rep, Summand
from emlp_core.solver import equivariant_basis, monomial_basis
from groups.caching import cached
from layers.checks import check_int, check_real, check_rep, check_reps

__all__ = [
    "Layout",
    "LinearBasis",
    "BilinearPath",
    "BilinearBasis",
    "layout",
    "linear_basis",
    "bilinear_basis",
    "type_name",
    "check_rep",
    "check_reps",
    "check_int",
    "check_real",
]


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


@cached(maxsize=512)
def layout(rep: Rep) -> Layout:
    """The canonical `Layout` of a bound rep (cached)."""
    types = rep.canonical_form()
    order = np.concatenate([s.positions.ravel() for s in types]) if types else np.zeros(0, int)
    sizes = [s.multiplicity * s.monomial.size for s in types]
    offsets = tuple(int(v) for v in np.concatenate([[0], np.cumsum(sizes)[:-1]])) if types else ()
    if np.array_equal(order, np.arange(order.size)):
        return Layout(types, offsets, None, None)
    # int32 indices: one index type whatever `jax_enable_x64` is (a layer jitted in one
    # mode and reused in the other must not mix index types) and half the memory.
    order = order.astype(np.int32)
    return Layout(types, offsets, order, np.argsort(order).astype(np.int32))


def type_name(summand: Summand) -> str:
    """A tensor type's expression without its group, e.g. ``"V**2"``, ``"V[S(4)]*V[SO(3)]"``.

    Parameter names are built from these (``"V->V**2"``), so a saved parameter tree keeps
    its meaning whatever the canonical order of the types.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> [type_name(s) for s in (V + V**2)(SO(3)).canonical_form()]
        ['V', 'V**2']
    """
    return summand.monomial.rep()._expression()


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
        gathers: ``{(b, a): (index, value)}`` for blocks whose basis has at most one
            nonzero per matrix entry (orbit bases of permutation groups): entry ``(i, j)``
            is ``value[i, j] * coefficient[index[i, j]]`` (``index == r`` means zero), so
            the block is a gather instead of a product with ``Q``.
    """

    rep_in: Rep
    rep_out: Rep
    inputs: Layout
    outputs: Layout
    blocks: dict
    biases: dict
    gathers: dict

    def parameter_specs(self, gain: float = 1.0) -> list[tuple[str, tuple[int, ...], float]]:
        """``(name, shape, init stddev)`` of every parameter; stddev 0 means zeros.

        Coefficients of block (b, a) have shape ``(copies_b, copies_a, r)`` and are drawn
        from ``N(0, gain / fan_b)`` with ``fan_b = sum_a copies_a * r_ba / s_b``: for inputs
        with second moment ``1 / gain`` each output coordinate then has unit second moment
        in expectation (the basis matrices have unit Frobenius norm). ``gain = 1`` suits
        standardised inputs. A gated nonlinearity keeps about a third of the second moment
        of unit-normal preactivations (0.36 for swish, 0.29 for a sigmoid gate), so
        ``gain = 3`` preserves unit scale through depth (``EMLP(..., init_gain=3)``); EMLP's
        default is gain 1 (`layers.core.DEFAULT_HIDDEN_GAIN`). Biases start at zero.
        """
        ins, outs = self.inputs.types, self.outputs.types
        fans: dict[int, float] = {}
        for (b, a), Q in self.blocks.items():
            fans[b] = fans.get(b, 0.0) + ins[a].multiplicity * Q.shape[2] / Q.shape[0]
        specs = []
        for (b, a), Q in self.blocks.items():
            shape = (outs[b].multiplicity, ins[a].multiplicity, Q.shape[2])
            specs.append((self.weight_name(b, a), shape, float(np.sqrt(gain / fans[b]))))
        for b, U in self.biases.items():
            specs.append((self.bias_name(b), (outs[b].multiplicity, U.shape[1]), 0.0))
        return specs

    def weight_name(self, b: int, a: int) -> str:
        """``"<input type>-><output type>"`` (e.g. ``"V**2->V"``): block (b, a)'s coefficients."""
        return f"{type_name(self.inputs.types[a])}->{type_name(self.outputs.types[b])}"

    def bias_name(self, b: int) -> str:
        """``"bias-><output type>"``: the invariant bias of output type ``b``."""
        return f"bias->{type_name(self.outputs.types[b])}"

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, shape, _ in self.parameter_specs()))


def linear_basis(rep_in: Rep, rep_out: Rep) -> LinearBasis:
    """Builds (once per pair of reps) the `LinearBasis` of ``rep_in -> rep_out``.

    Raises:
        TypeError, ValueError: unless both reps are bound to the same group and have
            size ``>= 1`` (see `check_reps`).
    """
    check_reps(rep_in, rep_out, "Linear")
    return _linear_basis(rep_in, rep_out)


@cached(maxsize=256)
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
    gathers = {key: g for key, Q in blocks.items() if (g := _as_gather(Q)) is not None}
    return LinearBasis(rep_in, rep_out, inputs, outputs, blocks, biases, gathers)


def _as_gather(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(index, value)`` when every entry of ``Q (s_b, s_a, r)`` lies in at most one column."""
    rank = Q.shape[2]
    nonzero = np.abs(Q) > 1e-12 * np.abs(Q).max(initial=1.0)
    if rank < 2 or np.any(nonzero.sum(axis=2) > 1):
        return None
    index = np.where(nonzero.any(axis=2), np.argmax(nonzero, axis=2), rank)
    value = np.take_along_axis(Q, np.minimum(index, rank - 1)[..., None], axis=2)[..., 0]
    return index.astype(np.int32), np.where(index < rank, value, 0.0)


@dataclass(frozen=True, eq=False)
class BilinearPath:
    """Products of copies of input types ``c`` and ``a`` landing in output type ``b``.

    Two equivariant products of a pair of copies exist whatever the group:

    * ``"contract"``: ``c`` is the type of ``B ⊗ A*``, so a copy of ``c`` read as a
      ``(s_b, s_a)`` matrix maps a copy of ``a`` into ``b`` (matrix-vector and inner
      products);
    * ``"outer"``: ``b`` is the type of ``C ⊗ A``, the tensor (outer) product of the two
      copies, e.g. ``V ⊗ V -> V**2``.

    Matrix copy ``matrix_start + p`` meets vector copy ``vector_start + p`` for
    ``p < pairs``. When ``c`` and ``a`` are the same type, copy ``p`` meets copy ``p + 1``,
    so products of two different channels (not only squares) are formed.

    Attributes:
        kind: ``"contract"`` or ``"outer"``.
        matrix_type, vector_type: indices ``c`` and ``a`` of input types.
        pairs: number of products ``P``.
        matrix_start, vector_start: first copies used.
        matrix_layout: for ``"contract"``, int ``(s_b * s_a,)``: the coordinate of type
            ``c`` holding matrix entry ``(i, j)``; for ``"outer"``, int ``(s_b,)``: the entry
            of the row-major outer product holding each coordinate of ``b``. None when it
            is the identity.
    """

    kind: str
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
            specs.append((self.mixing_name(b), shape, float(0.1 / np.sqrt(scales.size))))
        return specs

    def mixing_name(self, b: int) -> str:
        """``"products-><output type>"``: the weights mixing the products into type ``b``."""
        return f"products->{type_name(self.outputs.types[b])}"

    def num_params(self) -> int:
        return int(sum(np.prod(shape) for _, shape, _ in self.parameter_specs()))


def bilinear_basis(rep_in: Rep, rep_out: Rep) -> BilinearBasis:
    """Builds (once per pair of reps) the `BilinearBasis` of ``rep_in x rep_in -> rep_out``.

    Only products of two non-scalar copies are formed: a scalar times anything is what the
    gated nonlinearity already provides (swish on scalars, sigmoid gates on the rest), and
    with ``ch`` scalar copies such products would cost as much as a second linear layer.
    Each path forms at most ``copies_b`` products (the next linear layer mixes channels).

    Raises:
        TypeError, ValueError: unless both reps are bound to the same group and have
            size ``>= 1`` (see `check_reps`).
    """
    check_reps(rep_in, rep_out, "BiLinear")
    return _bilinear_basis(rep_in, rep_out)


def _pairing(copies_c: int, copies_a: int, same: bool) -> tuple[int, int]:
    """``(pairs, vector_start)``: copy p with p, or with p + 1 for two copies of one type."""
    if same and copies_a > 1:
        return copies_a - 1, 1
    return min(copies_c, copies_a), 0


def _identity_or(index: np.ndarray) -> np.ndarray | None:
    return None if np.array_equal(index, np.arange(index.size)) else index.astype(np.int32)


@cached(maxsize=256)
def _bilinear_basis(rep_in: Rep, rep_out: Rep) -> BilinearBasis:
    inputs, outputs = layout(rep_in), layout(rep_out)
    types = inputs.types
    index_of = {summand.monomial: k for k, summand in enumerate(types)}
    output_of = {summand.monomial: k for k, summand in enumerate(outputs.types)}
    paths: dict[int, list[BilinearPath]] = {}
    for b, target in enumerate(outputs.types):
        for a, source in enumerate(types):
            (matrix_type,) = (target.monomial.rep() * source.monomial.rep().T).canonical_form()
            c = index_of.get(matrix_type.monomial)
            if c is None or source.monomial.degree == 0:
                continue  # products with a scalar factor: the gated nonlinearity's job
            pairs, start = _pairing(types[c].multiplicity, source.multiplicity, c == a)
            pairs = min(pairs, target.multiplicity)
            entry = _identity_or(np.argsort(matrix_type.positions[0]))
            paths.setdefault(b, []).append(BilinearPath("contract", c, a, pairs, 0, start, entry))
    for c, first in enumerate(types):
        for a in range(c, len(types)):
            second = types[a]
            if first.monomial.degree == 0 or second.monomial.degree == 0:
                continue  # a scalar times a tensor is already a "contract" path
            (product,) = (first.monomial.rep() * second.monomial.rep()).canonical_form()
            b = output_of.get(product.monomial)
            if b is None:
                continue
            pairs, start = _pairing(first.multiplicity, second.multiplicity, c == a)
            pairs = min(pairs, outputs.types[b].multiplicity)
            entry = _identity_or(product.positions[0])
            paths.setdefault(b, []).append(BilinearPath("outer", c, a, pairs, 0, start, entry))
    scales = {
        b: np.concatenate([np.full(p.pairs, _product_scale(p, types)) for p in ps])
        for b, ps in paths.items()
    }
    return BilinearBasis(rep_in, rep_out, inputs, outputs, paths, scales)


def _product_scale(path: BilinearPath, types) -> float:
    """``1 / sqrt(contraction length)``: unit-scale inputs give unit-scale products."""
    if path.kind == "outer":
        return 1.0
    return 1.0 / np.sqrt(types[path.vector_type].monomial.size)
