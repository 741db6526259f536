"""Basis data for layers: everything numpy precomputes once, before any JAX tracing.

Layers work in a rep's *canonical layout*: coordinates grouped by tensor type, each type's
copies contiguous (`Layout`). Inputs are permuted into it once (free when the user's layout
already is canonical, as for `uniform_rep`), so every per-type operation is a slice and a
reshape, never a gather.

`LinearBasis` holds, for each pair of tensor types (output type ``b``, input type ``a``),
the solver's `emlp_core.basis.Basis` of ``Hom(A_a, B_b)`` as a `WeightBlock`: matrices
``(s_b, s_a, r)`` for a dense basis (one einsum per block type over all channel copies), or
a coefficient index per matrix entry for an orbit-form basis (one gather).

`BilinearBasis` pairs channel copies of types ``c`` and ``a`` where ``c`` is the type of
``B_b ⊗ A_a^*``: a copy of ``c``, read as a matrix ``(s_b, s_a)``, maps a copy of ``a`` to
``b`` equivariantly. Channels are paired, not all-to-all, so its cost stays linear in the
number of copies.

Both are cached per (rep_in, rep_out), so rebuilding a Haiku module in every trace is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emlp_core import Rep, Summand
from emlp_core.basis import Basis
from emlp_core.canonical import atom_product, hom_type
from emlp_core.solver import monomial_basis
from groups.caching import cached
from layers.checks import check_reps

__all__ = [
    "Layout",
    "WeightBlock",
    "LinearBasis",
    "BilinearPath",
    "BilinearBasis",
    "layout",
    "linear_basis",
    "bilinear_basis",
    "type_name",
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
    return summand.monomial.expression()


@dataclass(frozen=True, eq=False)
class WeightBlock:
    """The equivariant maps from one tensor type to another, ready for a layer.

    A map is ``sum_k c[k] Q[:, :, k]`` for coefficients ``c (rank,)``. The basis is held
    in the form the solver gave it (`emlp_core.basis.Basis`):

    Attributes:
        rank: number of basis maps ``r``.
        matrices: float64 ``(s_out, s_in, r)`` for a dense basis, else None.
        index: int32 ``(s_out, s_in)`` for an orbit-form basis: entry ``(i, j)`` of the map
            is ``value[i, j] * c[index[i, j]]`` (``index == r``: always zero); else None.
        value: float64 ``(s_out, s_in)`` for an orbit-form basis, else None.
    """

    rank: int
    matrices: np.ndarray | None
    index: np.ndarray | None
    value: np.ndarray | None

    @classmethod
    def from_basis(cls, basis: Basis, s_out: int, s_in: int) -> WeightBlock:
        """Reads a `Basis` of ``Hom`` in its ``(s_out, s_in)`` row-major layout."""
        if basis.kind == "orbit":
            index = basis.column.reshape(s_out, s_in).astype(np.int32)
            return cls(basis.rank, None, index, basis.value.reshape(s_out, s_in))
        return cls(basis.rank, basis.toarray().reshape(s_out, s_in, basis.rank), None, None)


def hom_block(source: Summand, target: Summand) -> WeightBlock:
    """The `WeightBlock` of ``Hom(source type, target type)``.

    Example:
        >>> from groups import S
        >>> from emlp_core import V
        >>> (vector,) = V(S(4)).canonical_form()
        >>> block = hom_block(vector, vector)  # identity and all-ones: an orbit basis
        >>> block.rank, block.index.shape, block.matrices is None
        (2, (4, 4), True)
    """
    hom = hom_type(source.monomial, target.monomial)
    basis = monomial_basis(hom.monomial).permute_rows(hom.positions[0])
    return WeightBlock.from_basis(basis, target.monomial.size, source.monomial.size)


@dataclass(frozen=True, eq=False)
class LinearBasis:
    """Precomputed data of an equivariant linear map ``rep_in -> rep_out``.

    Attributes:
        inputs, outputs: canonical layouts of the two reps.
        blocks: ``{(b, a): WeightBlock}`` for the pairs of types with a nonzero rank.
        biases: ``{b: U}`` with ``U`` float64 ``(s_b, r_b)``: invariant vectors of type b.
    """

    rep_in: Rep
    rep_out: Rep
    inputs: Layout
    outputs: Layout
    blocks: dict
    biases: dict

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
        for (b, a), block in self.blocks.items():
            fans[b] = fans.get(b, 0.0) + ins[a].multiplicity * block.rank / outs[b].monomial.size
        specs = []
        for (b, a), block in self.blocks.items():
            shape = (outs[b].multiplicity, ins[a].multiplicity, block.rank)
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
            block = hom_block(source, target)
            if block.rank:
                blocks[(b, a)] = block
    biases = {}
    for b, target in enumerate(outputs.types):
        U = monomial_basis(target.monomial)
        if U.rank:
            biases[b] = U.toarray()
    return LinearBasis(rep_in, rep_out, inputs, outputs, blocks, biases)


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
            matrix_type = hom_type(source.monomial, target.monomial)
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
            product = atom_product(first.monomial.atoms + second.monomial.atoms, rep_in.group)
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
