"""What a checkpoint says about its model: the `ModelSpec` and the hashes of its bases.

A parameter tree means nothing without the model it parametrises: the group, the input and
output representations, the hidden representations, and the equivariant bases the solver
found for them. A `ModelSpec` holds all of it as plain data (generators as float64
arrays, representations as expressions that `emlp_core.parse_rep` reads back), so
`ModelSpec.build` rebuilds the plan in a process that never saw the original objects.

The kinds ``"emlp"`` and ``"mlp"`` (`layers.core`) live here; ``"dynamics"``,
``"regular_mlp"`` and ``"shallow"`` in `layers.checkpoint_kinds`, which `ModelSpec`
delegates to (imported when needed, since it builds on this module).

`basis_hashes` digests every basis array of a plan, one sha256 per parameter scope
(``"block_0/linear"``, ..., ``"linear"``). Values are rounded to ``HASH_DECIMALS`` decimals
before hashing, so last-bit differences between linear-algebra builds do not matter while
any real change of a basis (a changed solver or group) does.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np

from emlp_core import parse_rep
from emlp_core.version import __version__
from groups import Group
from groups.checks import check_int, check_real
from groups.products import ProductGroup, direct_product
from layers.bases import BilinearBasis, LinearBasis
from layers.core import EMLPPlan, MLPPlan, emlp_plan, mlp_plan

__all__ = ["HASH_DECIMALS", "GroupSpec", "ModelSpec", "basis_hashes"]

HASH_DECIMALS = 10
"""Basis values are rounded to this many decimals before hashing (bases have unit scale)."""


def _array_json(array: np.ndarray) -> dict:
    return {"shape": list(array.shape), "values": [float(v) for v in array.ravel()]}


def _array_from_json(data, what: str) -> np.ndarray:
    try:
        shape = tuple(int(n) for n in data["shape"])
        values = np.asarray(data["values"], dtype=np.float64)
        return values.reshape(shape)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{what} must be {{'shape': [...], 'values': [...]}}: {error}") from None


@dataclass(frozen=True, eq=False)
class GroupSpec:
    """A group as data: its name and generators, or the specs of a direct product's factors.

    Attributes:
        name: ``repr(group)`` (e.g. ``"SO(3)"``); reps name their group by it.
        lie_algebra: float64 ``(D, d, d)`` (empty ``(0, 0, 0)`` for a product).
        discrete_generators: float64 ``(M, d, d)`` (empty ``(0, 0, 0)`` for a product).
        factors: the factors' specs for a `groups.products.ProductGroup`, else ``()``.
        key: ``group.key`` of the original group; `build` checks the rebuilt one against it.
    """

    name: str
    lie_algebra: np.ndarray
    discrete_generators: np.ndarray
    factors: tuple = ()
    key: str = ""

    @classmethod
    def from_group(cls, group: Group) -> GroupSpec:
        if isinstance(group, ProductGroup):
            empty = np.zeros((0, 0, 0))
            factors = tuple(cls.from_group(factor) for factor in group.factors)
            return cls(repr(group), empty, empty, factors, group.key)
        return cls(repr(group), group.lie_algebra, group.discrete_generators, (), group.key)

    def build(self) -> Group:
        """The group; raises ValueError if its ``key`` is not the one recorded."""
        if self.factors:
            group = direct_product(*(factor.build() for factor in self.factors))
        else:  # the generators came from a valid group: its closure was checked then
            group = Group(
                self.lie_algebra, self.discrete_generators, name=self.name, check_closure=False
            )
        if self.key and group.key != self.key:
            raise ValueError(
                f"the group {self.name!r} rebuilt from the stored generators has key "
                f"{group.key[:16]}..., not the recorded {self.key[:16]}...: the generators "
                "were changed, so this is a different group."
            )
        return group

    def to_json(self) -> dict:
        if self.factors:
            return {
                "name": self.name,
                "key": self.key,
                "factors": [f.to_json() for f in self.factors],
            }
        return {
            "name": self.name,
            "key": self.key,
            "lie_algebra": _array_json(self.lie_algebra),
            "discrete_generators": _array_json(self.discrete_generators),
        }

    @classmethod
    def from_json(cls, data) -> GroupSpec:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise ValueError(f"a group spec must be a mapping with a 'name'; got {data!r:.80}.")
        key = str(data.get("key", ""))
        if "factors" in data:
            factors = tuple(cls.from_json(f) for f in data["factors"])
            empty = np.zeros((0, 0, 0))
            return cls(data["name"], empty, empty, factors, key)
        return cls(
            data["name"],
            _array_from_json(data.get("lie_algebra"), "lie_algebra"),
            _array_from_json(data.get("discrete_generators"), "discrete_generators"),
            (),
            key,
        )


@dataclass(frozen=True, eq=False)
class ModelSpec:
    """Everything needed to rebuild a model's plan, as plain data.

    Attributes:
        kind: ``"emlp"``, ``"mlp"`` or one of `layers.checkpoint_kinds.KINDS`
            (``"dynamics"``, ``"regular_mlp"``, ``"shallow"``; see there for their fields).
        rep_in, rep_out: ``repr`` of the bound reps, e.g. ``"(5*Scalar + V)(SO(3))"``.
        group: the `GroupSpec`.
        ch: an int (``uniform_rep(ch, group)`` hidden layers; the MLP's width) or a tuple
            of ``num_layers`` hidden-rep expressions.
        num_layers: number of hidden layers.
        init_gain: the EMLP's init gain (1.0 for an MLP).
        version: the library version that wrote the spec.
        options: further JSON-able settings of a kind (``{}`` for ``"emlp"``/``"mlp"``),
            e.g. a regular MLP's ``{"activation": "relu"}``.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> plan = emlp_plan(V, V, SO(3), ch=8, num_layers=1)
        >>> spec = ModelSpec.from_plan(plan)
        >>> spec.kind, spec.rep_in, spec.ch
        ('emlp', 'V(SO(3))', ('(5*Scalar + V)(SO(3))',))
        >>> ModelSpec.from_json(spec.to_json()).build().rep_out == plan.rep_out
        True
    """

    kind: str
    rep_in: str
    rep_out: str
    group: GroupSpec
    ch: int | tuple = 384
    num_layers: int = 3
    init_gain: float = 1.0
    version: str = __version__
    options: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan, group: Group | None = None) -> ModelSpec:
        """The spec of a plan (``group`` defaults to the group the plan is bound to).

        Args:
            plan: a `layers.core.EMLPPlan` or `MLPPlan`, a `layers.dynamics.DynamicsPlan`,
                a `layers.regular.RegularMLPPlan` or a `layers.shallow.ShallowPlan`.
            group: the plan's group (checked), or None.

        Raises:
            TypeError: for another kind of plan or a group that is not a `groups.Group`.
            ValueError: if ``group`` is not the group the plan's reps are bound to.
        """
        kinds = None
        if not isinstance(plan, (EMLPPlan, MLPPlan)):
            from layers import checkpoint_kinds as kinds  # builds on this module
        bound = plan.rep_in.group if kinds is None else kinds.plan_group(plan)
        if group is None:
            group = bound
        if not isinstance(group, Group):
            raise TypeError(f"group must be a groups.Group; got {type(group).__name__}.")
        if bound != group:
            raise ValueError(f"the plan's reps are bound to {bound!r}, not {group!r}.")
        if kinds is not None:
            return kinds.spec_from_plan(plan, group)
        common = (repr(plan.rep_in), repr(plan.rep_out), GroupSpec.from_group(group))
        if isinstance(plan, MLPPlan):
            layers = len(plan.widths) - 2
            return cls("mlp", *common, plan.widths[1] if layers else 1, layers, 1.0)
        blocks = plan.blocks
        gain = blocks[1].gain if len(blocks) > 1 else plan.head_gain
        hidden = tuple(repr(block.rep_out) for block in blocks)
        return cls("emlp", *common, hidden, len(blocks), float(gain))

    def build(self):
        """The plan: the group rebuilt from its generators, the reps parsed, bases solved.

        Raises:
            ValueError: for an unknown ``kind`` (naming the known ones), if the group's key
                differs from the recorded one, an expression does not parse, or a
                hyper-parameter or option is invalid.
        """
        if self.kind not in ("emlp", "mlp"):  # the other kinds, or the error naming all
            from layers.checkpoint_kinds import build_plan

            return build_plan(self)
        group = self.group.build()
        rep_in, rep_out = (parse_rep(text, group) for text in (self.rep_in, self.rep_out))
        if self.kind == "mlp":
            return mlp_plan(rep_in, rep_out, group, ch=self.ch, num_layers=self.num_layers)
        ch = self.ch if isinstance(self.ch, int) else [parse_rep(t, group) for t in self.ch]
        return emlp_plan(rep_in, rep_out, group, ch, self.num_layers, self.init_gain)

    def to_json(self) -> dict:
        ch = self.ch if isinstance(self.ch, int) else list(self.ch)
        return {
            "kind": self.kind,
            "rep_in": self.rep_in,
            "rep_out": self.rep_out,
            "group": self.group.to_json(),
            "ch": ch,
            "num_layers": self.num_layers,
            "init_gain": self.init_gain,
            "version": self.version,
            **({"options": self.options} if self.options else {}),
        }

    @classmethod
    def from_json(cls, data) -> ModelSpec:
        """Reads `to_json`'s mapping; raises ValueError naming a missing or malformed field."""
        if not isinstance(data, dict):
            raise ValueError(f"a model spec must be a mapping; got {type(data).__name__}.")
        missing = [
            f for f in ("kind", "rep_in", "rep_out", "group", "ch", "num_layers") if f not in data
        ]
        if missing:
            raise ValueError(f"the model spec lacks the field(s) {missing}.")
        for field in ("kind", "rep_in", "rep_out"):
            if not isinstance(data[field], str):
                raise ValueError(
                    f"model spec field {field!r} must be a string; got {data[field]!r}."
                )
        options = data.get("options", {})
        if not isinstance(options, dict):
            raise ValueError(f"model spec field 'options' must be a mapping; got {options!r:.80}.")
        ch = data["ch"]
        if isinstance(ch, list) and all(isinstance(t, str) for t in ch):
            ch = tuple(ch)
        else:
            ch = check_int(ch, "ch", minimum=1, where="model spec")
        return cls(
            data["kind"],
            data["rep_in"],
            data["rep_out"],
            GroupSpec.from_json(data["group"]),
            ch,
            check_int(data["num_layers"], "num_layers", minimum=0, where="model spec"),
            check_real(data.get("init_gain", 1.0), "init_gain", above=0, where="model spec"),
            str(data.get("version", "unknown")),
            options,
        )


# --------------------------------------------------------------------------- hashes
def _update(digest, label: str, array: np.ndarray | None) -> None:
    """Feeds ``label``, the shape and the (rounded, for floats) values of ``array``."""
    if array is None:
        digest.update(f"{label}:identity;".encode())
        return
    array = np.asarray(array)
    digest.update(f"{label}:{array.dtype.kind}{array.shape};".encode())
    if array.dtype.kind == "f":
        values = np.round(array.astype(np.float64), HASH_DECIMALS) + 0.0  # -0.0 -> 0.0
        digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    else:
        digest.update(np.ascontiguousarray(array, dtype="<i8").tobytes())


def _layouts(digest, basis) -> None:
    for label, lay in (("in", basis.inputs), ("out", basis.outputs)):
        types = ",".join(f"{s.multiplicity}x{s.monomial.expression()}" for s in lay.types)
        digest.update(f"{label}[{types}]".encode())
        _update(digest, f"{label}.order", lay.order)


def _linear_hash(basis: LinearBasis) -> str:
    digest = hashlib.sha256(b"linear;")
    _layouts(digest, basis)
    for (b, a), block in sorted(basis.blocks.items()):
        name = basis.weight_name(b, a)
        digest.update(f"{name}:rank{block.rank};".encode())
        for part in ("matrices", "index", "value"):
            value = getattr(block, part)
            if value is not None:
                _update(digest, f"{name}.{part}", value)
    for b, U in sorted(basis.biases.items()):
        _update(digest, basis.bias_name(b), U)
    return digest.hexdigest()


def _bilinear_hash(basis: BilinearBasis) -> str:
    digest = hashlib.sha256(b"bilinear;")
    _layouts(digest, basis)
    for b, paths in sorted(basis.paths.items()):
        name = basis.mixing_name(b)
        for p in paths:
            fields = (p.kind, p.matrix_type, p.vector_type, p.pairs, p.matrix_start, p.vector_start)
            digest.update(f"{name}:{fields};".encode())
            _update(digest, f"{name}.layout", p.matrix_layout)
        _update(digest, f"{name}.scales", basis.column_scales[b])
    return digest.hexdigest()


def basis_hashes(plan) -> dict[str, str]:
    """``{scope: sha256 hex}`` of every basis a plan uses (``{}`` for an MLP: it has none).

    Scopes are those of the parameter tree: ``"block_k/linear"``, ``"block_k/bilinear"``
    and ``"linear"`` (the output layer) of an EMLP; for the other kinds see
    `layers.checkpoint_kinds.plan_hashes`.

    Example:
        >>> from groups import SO
        >>> from emlp_core import V
        >>> hashes = basis_hashes(emlp_plan(V, V, SO(3), ch=8, num_layers=1))
        >>> sorted(hashes), len(hashes["linear"])
        (['block_0/bilinear', 'block_0/linear', 'linear'], 64)
    """
    if isinstance(plan, MLPPlan):
        return {}
    if not isinstance(plan, EMLPPlan):
        from layers.checkpoint_kinds import plan_hashes  # builds on this module

        return plan_hashes(plan)
    hashes = {}
    for k, block in enumerate(plan.blocks):
        hashes[f"block_{k}/linear"] = _linear_hash(block.linear)
        hashes[f"block_{k}/bilinear"] = _bilinear_hash(block.bilinear)
    hashes["linear"] = _linear_hash(plan.head)
    return hashes
