"""Framework-free functional core: pure functions of (basis data, parameters, inputs).

Any JAX framework can call these (they import only jax and numpy); the front-ends
(`layers.haiku`, `layers.flax`, `layers.equinox`) only hold the parameters. ``params`` maps
the names of ``basis.parameter_specs()`` to arrays of those shapes (or is a getter ``name ->
array``). Inputs are ``(..., rep_in.size())`` in the user's layout.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from groups.caching import cached
from layers.bases import BilinearBasis, Layout, LinearBasis
from layers.bilinear_kernels import coordinate_major_outer_mix, uses_coordinate_major_mix
from layers.bilinear_kernels import window as _window
from layers.gate_kernels import gate_factor, gate_sizes

__all__ = [
    "check_input",
    "init_params",
    "compiled",
    "to_canonical",
    "from_canonical",
    "type_blocks",
    "linear_weight",
    "linear_bias",
    "linear",
    "bilinear",
    "gated_nonlinearity",
]


def check_input(x: object, size: int, layer: str, *, rep: str = "", argument: str = "x") -> None:
    """Raises a clear error unless ``x`` is a real floating array ``(..., size)``.

    The one input check of every layer (functional and Haiku). Only ``jax.Array`` (tracers
    included) and ``np.ndarray`` are accepted: lists, tuples and scalars are refused, as
    ``jax.numpy`` refuses them, instead of being converted silently. Integer and bool
    arrays are refused (cast them to float32 or float64), and so are complex ones: the
    layers are real maps, with real parameters.

    Args:
        x: the input to check.
        size: the expected width of the last axis.
        layer: the layer's name, for the message.
        rep: what ``size`` is the size of (e.g. ``"rep_in = V(SO(3))"``), for the message.
        argument: the argument's name, for the message.

    Raises:
        TypeError: ``x`` is not an array, or its dtype is not real floating.
        ValueError: ``x.shape[-1] != size`` (or ``x`` is 0-d).

    Example:
        >>> check_input(jnp.ones((2, 3), jnp.int32), 3, "Linear")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: Linear: x must have a real floating dtype (float32 or float64); got int32...
    """
    if not isinstance(x, (jax.Array, np.ndarray)):
        raise TypeError(
            f"{layer}: {argument} must be a jax.Array or np.ndarray of shape (..., {size}); "
            f"got {type(x).__name__}. Convert it first, e.g. jnp.asarray({argument}, jnp.float32)."
        )
    if not jnp.issubdtype(x.dtype, jnp.floating):
        extra = (
            " The layers are real maps: pass real and imaginary parts as separate channels."
            if jnp.issubdtype(x.dtype, jnp.complexfloating)
            else f" Cast it first, e.g. {argument}.astype(jnp.float32)."
        )
        raise TypeError(
            f"{layer}: {argument} must have a real floating dtype (float32 or float64); "
            f"got {x.dtype}.{extra}"
        )
    if x.ndim < 1 or x.shape[-1] != size:
        described = f" for {rep}" if rep else ""
        raise ValueError(
            f"{layer} expects inputs (..., {size}){described}; got shape {tuple(x.shape)} "
            f"for {argument}."
        )


@functools.partial(jax.jit, static_argnums=(1, 2))
def _standard_normal(key: jax.Array, size: int, dtype) -> jax.Array:
    """``size`` draws of ``N(0, 1)``: one XLA program per total size, shared by all layers."""
    return jax.random.normal(key, (size,), dtype)


def _sliced(flat, specs: tuple, host: bool = False) -> dict:
    """``{name: std * slice of flat}`` for ``specs = ((name, shape, std), ...)``, in order.

    With ``host``, ``flat`` is a numpy array: the product is taken in its dtype (as jax
    takes it, the Python ``std`` rounded to that dtype), then moved to the device.
    """
    sizes = [math.prod(shape) for _, shape, _ in specs]
    offsets = itertools.accumulate(sizes, initial=0)
    pieces = {}
    for (name, shape, std), start, size in zip(specs, offsets, sizes, strict=False):
        piece = flat[start : start + size].reshape(shape)
        pieces[name] = jax.device_put(flat.dtype.type(std) * piece) if host else std * piece
    return pieces


def _layer_specs(basis: LinearBasis | BilinearBasis, gain: float | None) -> tuple:
    if isinstance(basis, LinearBasis):
        return tuple(basis.parameter_specs(1.0 if gain is None else gain))
    return tuple(basis.parameter_specs())


def init_params(
    basis: LinearBasis | BilinearBasis, key: jax.Array, dtype=jnp.float32, gain: float = 1.0
) -> dict:
    """The parameters of one layer: the initialisation rule of every front-end.

    Every array of ``basis.parameter_specs()`` with a nonzero stddev is a slice of one
    ``N(0, 1)`` draw of the layer's total size from ``key`` (in ``parameter_specs`` order),
    scaled by its stddev; the others (biases) are zeros. ``gain`` applies to linear layers
    (see `layers.bases.LinearBasis.parameter_specs`).

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.bases import linear_basis
        >>> basis = linear_basis((2 * V)(SO(3)), V(SO(3)))
        >>> {k: v.shape for k, v in init_params(basis, jax.random.PRNGKey(0)).items()}
        {'V->V': (1, 2, 1)}

    Raises:
        TypeError: ``dtype`` is not a real floating dtype.
    """
    return init_params_many([(basis, key, gain)], dtype)[0]


def init_params_many(layers: list[tuple], dtype=jnp.float32) -> list[dict]:
    """`init_params` of several layers ``[(basis, key, gain or None), ...]`` at once.

    The values are those of `init_params` layer by layer, but the normals of all layers
    come from one random program: each layer's key draws the longest layer's count
    (``vmap`` over the keys) and keeps its own prefix, which under JAX's default
    partitionable threefry (``jax_threefry_partitionable``) equals its own draw. Called
    eagerly (concrete keys, float32 or float64), the draw is cut into parameters on the
    host, so a model compiles one random-number generator, not one per layer (about
    0.25 s each on a CPU) plus one program per slice; traced, the same cuts are jax
    operations. With the non-partitionable generator each layer draws on its own.

    Raises:
        TypeError: ``dtype`` is not a real floating dtype.
    """
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"init_params: dtype must be a real floating dtype; got {dtype!r}.")
    dtype = jnp.dtype(dtype)
    specs = [_layer_specs(basis, gain) for basis, _, gain in layers]
    random = [tuple((n, shape, std) for n, shape, std in layer if std) for layer in specs]
    sizes = [sum(math.prod(shape) for _, shape, _ in layer) for layer in random]
    drawn = [k for k, size in enumerate(sizes) if size]
    flats: dict = {}
    host = dtype in (np.float32, np.float64)
    if drawn and not jax.config.jax_threefry_partitionable:
        flats = {k: _standard_normal(layers[k][1], sizes[k], dtype) for k in drawn}
    elif drawn:
        rows = _random_rows(tuple(layers[k][1] for k in drawn), max(sizes), dtype)
        host = host and not isinstance(rows, jax.core.Tracer)
        rows = np.asarray(rows) if host else rows
        flats = {k: rows[i, : sizes[k]] for i, k in enumerate(drawn)}
    host = host and not any(isinstance(f, jax.core.Tracer) for f in flats.values())
    flats = {k: np.asarray(f) for k, f in flats.items()} if host else flats
    out = []
    for k, layer in enumerate(specs):
        draws = _sliced(flats[k], random[k], host) if k in flats else {}
        zeros = (lambda shape: jax.device_put(np.zeros(shape, dtype))) if host else None
        out.append(
            {
                name: draws[name] if std else (zeros or _zeros(dtype))(shape)
                for name, shape, std in layer
            }
        )
    return out


def _zeros(dtype):
    return lambda shape: jnp.zeros(shape, dtype)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _random_rows(keys: tuple, count: int, dtype) -> jax.Array:
    """``(len(keys), count)`` normals, row ``i`` drawn from ``keys[i]``: one program."""
    return jax.vmap(lambda key: jax.random.normal(key, (count,), dtype))(jnp.stack(keys))


@cached(maxsize=1024)  # bounded like the basis caches
def compiled(fn, static):
    """``fn(static, ...)`` as one jitted function of the remaining arguments.

    Called eagerly, a layer then runs one XLA program instead of one per operation; inside
    an outer ``jit`` it is inlined. ``static`` is a basis or layout (cached per pair of
    representations), so each compiles once; their index arrays are int32, so the same
    program serves with and without x64.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.bases import linear_basis
        >>> basis = linear_basis(V(SO(3)), V(SO(3)))
        >>> compiled(linear, basis) is compiled(linear, basis)
        True
    """
    return jax.jit(functools.partial(fn, static))


def _param(params, name: str) -> jax.Array:
    """``params[name]``, or ``params(name)`` for a parameter getter."""
    return params(name) if callable(params) else params[name]


def to_canonical(x: jax.Array, layout: Layout) -> jax.Array:
    """``(..., n)`` user layout to canonical layout (free when they coincide)."""
    return x if layout.order is None else jnp.take(x, layout.order, axis=-1)


def from_canonical(x: jax.Array, layout: Layout) -> jax.Array:
    """``(..., n)`` canonical layout back to the user layout."""
    return x if layout.inverse is None else jnp.take(x, layout.inverse, axis=-1)


def _split(x: jax.Array, sizes: list[int], axis: int = -1) -> list[jax.Array]:
    """Splits ``x`` into consecutive pieces; its gradient is one concatenate (no pad + add)."""
    if len(sizes) == 1:
        return [x]
    return list(jax.lax.split(x, sizes, axis=axis % x.ndim))


def type_blocks(x: jax.Array, layout: Layout) -> list[jax.Array]:
    """Canonical ``x (..., n)`` split into ``(..., copies, size)`` per type: no gathers."""
    sizes = [s.multiplicity * s.monomial.size for s in layout.types]
    return [
        piece.reshape(*x.shape[:-1], s.multiplicity, s.monomial.size)
        for s, piece in zip(layout.types, _split(x, sizes), strict=True)
    ]


Params = Mapping[str, jax.Array] | Callable[[str], jax.Array]
"""A layer's parameters: a mapping from the names of ``parameter_specs`` to arrays, or a
getter ``name -> array`` (how a front-end hands over the parameters it holds)."""


def linear_weight(basis: LinearBasis, params: Params) -> jax.Array:
    """The transposed equivariant weight ``(rep_in.size(), rep_out.size())``, user layout.

    Stored input-major (like ``hk.Linear``) so that ``x @ weight`` needs no transpose. One
    einsum per nonzero block type over all its channel copies (a gather of coefficients
    for orbit bases), then (only if a layout is not canonical) a gather of rows and
    columns.
    """
    coefficients_of = {key: _param(params, basis.weight_name(*key)) for key in basis.blocks}
    dtype = next(iter(coefficients_of.values())).dtype if coefficients_of else jnp.float32
    rows = []
    for a, source in enumerate(basis.inputs.types):
        height = source.multiplicity * source.monomial.size
        row = []
        for b, target in enumerate(basis.outputs.types):
            width = target.multiplicity * target.monomial.size
            weights = basis.blocks.get((b, a))
            if weights is None:
                row.append(jnp.zeros((height, width), dtype))
                continue
            coefficients = coefficients_of[(b, a)]
            if weights.index is None:
                Q = jnp.asarray(weights.matrices, dtype)
                block = jnp.einsum("nmr,ijr->mjni", coefficients, Q)
            else:  # orbit basis: each entry is one coefficient times a constant
                index, value = weights.index, weights.value
                padded = jnp.concatenate(
                    [coefficients, jnp.zeros((*coefficients.shape[:2], 1), dtype)], 2
                )
                entries = jnp.take(padded, index.ravel(), axis=2).reshape(
                    *coefficients.shape[:2], *index.shape
                )
                block = (entries * jnp.asarray(value, dtype)).transpose(1, 3, 0, 2)
            row.append(block.reshape(height, width))
        rows.append(jnp.concatenate(row, axis=1) if row else jnp.zeros((height, 0), dtype))
    weight = jnp.concatenate(rows, axis=0)
    if basis.inputs.inverse is not None:
        weight = jnp.take(weight, basis.inputs.inverse, axis=0)
    if basis.outputs.inverse is not None:
        weight = jnp.take(weight, basis.outputs.inverse, axis=1)
    return weight


def linear_bias(basis: LinearBasis, params: Params, dtype=jnp.float32) -> jax.Array:
    """The invariant bias ``(rep_out.size(),)`` in the user layout."""
    parts = []
    for b, target in enumerate(basis.outputs.types):
        U = basis.biases.get(b)
        if U is None:
            parts.append(jnp.zeros(target.multiplicity * target.monomial.size, dtype))
        else:
            bias = jnp.einsum(
                "nr,ir->ni", _param(params, basis.bias_name(b)).astype(dtype), jnp.asarray(U, dtype)
            )
            parts.append(bias.reshape(-1))
    return from_canonical(jnp.concatenate(parts), basis.outputs)


def linear(basis: LinearBasis, params: Params, x: jax.Array) -> jax.Array:
    """Equivariant linear map: ``x @ W + bias``, ``(..., n_in) -> (..., n_out)``.

    Raises:
        TypeError, ValueError: unless ``x`` is a real floating ``(..., n_in)`` array
            (`check_input`).
    """
    check_input(x, basis.inputs.size, "linear", rep=f"rep_in = {basis.rep_in!r}")
    weight = linear_weight(basis, params).astype(x.dtype)
    return x @ weight + linear_bias(basis, params, x.dtype)


def _pair_products(matrices: jax.Array, vectors: jax.Array, size_b: int) -> jax.Array:
    """``sum_j M[..., p, i, j] v[..., p, j]`` for ``matrices (..., P, s_b * s_a)``."""
    size_a = vectors.shape[-1]
    if size_a == 1:  # a scalar times a tensor: a broadcast
        return matrices * vectors
    if size_b == 1:  # an inner product: multiply and reduce
        return jnp.sum(matrices * vectors, axis=-1, keepdims=True)
    matrices = matrices.reshape(*matrices.shape[:-1], size_b, size_a)
    return jnp.einsum("...pij,...pj->...pi", matrices, vectors)


_KRON_MIX_MAX = 64  # largest type size mixed through kron(weights.T, I_s)


def _mix(products: jax.Array, weights: jax.Array) -> jax.Array:
    """``out[..., n, i] = sum_p weights[n, p] products[..., p, i]``, flattened.

    For small tensor outputs (``i`` of size ``1 < s <= _KRON_MIX_MAX``) the weight is
    expanded to ``kron(weights.T, I_s)``, a small matrix, so one matmul needs no transposes
    of the batch; larger types (``V_a ⊗ V_b`` of two regular representations, ``s = p^2``)
    contract over ``p`` directly, since the expanded matrix grows as ``s^2``.
    """
    *batch, pairs, size = products.shape
    if size > _KRON_MIX_MAX:
        return jnp.einsum("...pi,np->...ni", products, weights).reshape(*batch, -1)
    flat = products.reshape(*batch, pairs * size)
    if size == 1:
        return flat @ weights.T
    expanded = jnp.kron(weights.T, jnp.eye(size, dtype=weights.dtype))
    return flat @ expanded


def bilinear(basis: BilinearBasis, params: Params, x: jax.Array) -> jax.Array:
    """Channel-paired equivariant bilinear map ``(..., n_in) -> (..., n_out)``.

    For each path (see `layers.bases.BilinearPath`), copy ``p`` of the matrix type is read
    as a ``(s_b, s_a)`` matrix and applied to its partner copy of type ``a``, or the two
    copies' outer product is formed; the products into each output type are then mixed
    across copies by the weights ``params[basis.mixing_name(b)]``,
    whose columns are scaled by ``1 / sqrt(s_a)`` (the contraction length) so that
    unit-scale inputs give unit-scale products. Cost: ``O(batch * pairs * s_b * s_a)`` for
    the products plus ``O(batch * copies_b * pairs * s_b)`` for the mixing; only splits,
    no gathers, when the layouts are canonical. An output type reached only by outer
    products of many pairs is mixed coordinate-major, by one matmul over the copies
    (`layers.bilinear_kernels.coordinate_major_outer_mix`).

    Raises:
        TypeError, ValueError: unless ``x`` is a real floating ``(..., n_in)`` array
            (`check_input`).
    """
    check_input(x, basis.inputs.size, "bilinear", rep=f"rep_in = {basis.rep_in!r}")
    blocks = type_blocks(to_canonical(x, basis.inputs), basis.inputs)
    batch = x.shape[:-1]
    parts = []
    for b, target in enumerate(basis.outputs.types):
        size_b = target.monomial.size
        paths = basis.paths.get(b)
        if not paths:
            parts.append(jnp.zeros((*batch, target.multiplicity * size_b), x.dtype))
            continue
        weights = _param(params, basis.mixing_name(b)).astype(x.dtype)
        weights = weights * jnp.asarray(basis.column_scales[b], x.dtype)
        if uses_coordinate_major_mix(paths, size_b, _KRON_MIX_MAX):
            parts.append(coordinate_major_outer_mix(blocks, paths, weights))
            continue
        products = []
        for path in paths:
            matrices = _window(blocks[path.matrix_type], path.matrix_start, path.pairs)
            vectors = _window(blocks[path.vector_type], path.vector_start, path.pairs)
            if path.kind == "outer":
                product = (matrices[..., :, None] * vectors[..., None, :]).reshape(
                    *batch, path.pairs, -1
                )
                if path.matrix_layout is not None:
                    product = jnp.take(product, path.matrix_layout, axis=-1)
                products.append(product)
                continue
            if path.matrix_layout is not None:
                matrices = jnp.take(matrices, path.matrix_layout, axis=-1)
            products.append(_pair_products(matrices, vectors, size_b))
        stacked = products[0] if len(products) == 1 else jnp.concatenate(products, axis=-2)
        parts.append(_mix(stacked, weights))
    out = parts[0] if len(parts) == 1 else jnp.concatenate(parts, axis=-1)
    return from_canonical(out, basis.outputs)


def gated_nonlinearity(rep_layout: Layout, values: jax.Array) -> jax.Array:
    """Gated nonlinearity: ``(..., gated(rep).size()) -> (..., rep.size())``.

    ``values`` holds ``k`` gates and then ``rep`` (see `layers.hidden.gated`). Scalars get
    swish (``x * sigmoid(x)``); the ``j``-th non-scalar copy (canonical order) is multiplied
    by ``sigmoid`` of gate ``j``, an invariant scalar, which keeps the map equivariant.
    Computed as ``x * factor``, the factor built per type by broadcasting each type's gates
    over its copies' coordinates (`layers.gate_kernels.gate_factor`): only slices, no
    gathers, when the layout is canonical.

    Raises:
        TypeError, ValueError: unless ``values`` is a real floating array
            ``(..., gated(rep).size())`` (`check_input`).
    """
    n = rep_layout.size
    sizes = gate_sizes(rep_layout.types)
    count = sum(sizes)
    check_input(
        values, count + n, "gated_nonlinearity", rep=f"{count} gates + {n}", argument="values"
    )
    gate_values, x = _split(values, [count, n]) if count else (values[..., :0], values)
    gates = _split(gate_values, sizes) if count else []
    x = to_canonical(x, rep_layout)
    return from_canonical(x * gate_factor(x, gates, rep_layout.types), rep_layout)
