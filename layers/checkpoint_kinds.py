"""Checkpoint specs of the plans beyond EMLP and MLP: dynamics, regular MLPs, shallow nets.

`layers.checkpoint_spec.ModelSpec` delegates here for three more plan kinds; each is
rebuilt through its public plan function, from plain data only:

* ``"dynamics"``: a `layers.dynamics.DynamicsPlan` (``EMLPH``, ``MLPH``, ``EMLPode``,
  ``MLPode``). ``ch``, ``num_layers`` and ``init_gain`` are those of its network (as for
  ``"emlp"``/``"mlp"``); ``options`` holds ``layer`` (the front-end class name) and the
  float32 ``shift`` and ``scale`` as lists, which JSON keeps exactly. The rebuilt plan is
  a `layers.dynamics.DynamicsPlan`.
* ``"regular_mlp"``: a `layers.regular.RegularMLPPlan`; ``ch`` holds the hidden reps'
  expressions (``"(3*Reg[D(4)])(D(4))"``), ``options`` the ``activation``.
* ``"shallow"``: a `layers.shallow.ShallowPlan`; ``rep_in``/``rep_out`` are ``V`` and
  ``Scalar`` of its group, ``ch = num_layers = 1`` (unused), and ``options`` holds the
  architectures' ``names``, ``kernels`` (sorted element indices, None for type 1) and
  ``channels``. They are found again in `emlp_core.shallow.enumerate_invariant_shallow`
  of the rebuilt group by name and kernel.

`plan_hashes` digests every basis a plan holds, one sha256 per parameter scope:
``"block_k/linear"``, ... of a dynamics network, ``"linear_k"`` of a regular MLP, and
one per architecture of a shallow net (its basis, transversal, ``rho(t)`` and row tensor).
"""

from __future__ import annotations

import hashlib

import numpy as np

from emlp_core import Scalar, V, parse_rep
from emlp_core.shallow import MAX_SUBGROUP_SEARCH_ORDER, enumerate_invariant_shallow
from groups import Group
from layers import core
from layers.checkpoint_spec import GroupSpec, ModelSpec, _linear_hash, _update, basis_hashes
from layers.dynamics import DynamicsPlan, dynamics_plan
from layers.regular import RegularMLPPlan, regular_mlp_plan
from layers.shallow import ShallowPlan, shallow_plan

__all__ = ["KINDS", "spec_from_plan", "build_plan", "plan_hashes"]

KINDS = ("dynamics", "regular_mlp", "shallow")
"""The kinds this module adds to ``"emlp"`` and ``"mlp"``."""


def _unknown(plan, where: str) -> TypeError:
    return TypeError(
        f"{where} needs an EMLPPlan, MLPPlan, DynamicsPlan, RegularMLPPlan or ShallowPlan; "
        f"got {type(plan).__name__}."
    )


def plan_group(plan) -> Group:
    """The group a plan of one of `KINDS` is bound to; TypeError for another plan."""
    if isinstance(plan, ShallowPlan):
        return plan.architectures[0].group
    if isinstance(plan, (DynamicsPlan, RegularMLPPlan)):
        return plan.rep_in.group
    raise _unknown(plan, "ModelSpec.from_plan")


def _dynamics_layer(plan: DynamicsPlan) -> str:
    layer = "EMLP" if isinstance(plan.network, core.EMLPPlan) else "MLP"
    return layer + ("H" if plan.kind == "hamiltonian" else "ode")


def spec_from_plan(plan, group: Group) -> ModelSpec:
    """The `ModelSpec` of a `DynamicsPlan`, `RegularMLPPlan` or `ShallowPlan` of ``group``.

    Raises:
        TypeError: for another kind of plan.

    Example:
        >>> from groups import D
        >>> plan = regular_mlp_plan(V, Scalar, D(4), ch=2)
        >>> spec = spec_from_plan(plan, D(4))
        >>> spec.kind, spec.ch, spec.options
        ('regular_mlp', ('(2*Reg[D(4)])(D(4))',), {'activation': 'relu'})
        >>> sorted(plan_hashes(build_plan(spec))), plan_hashes(plan) == basis_hashes(plan)
        (['linear_0', 'linear_1'], True)
    """
    if isinstance(plan, DynamicsPlan):
        network = ModelSpec.from_plan(plan.network, group)
        options = {"layer": _dynamics_layer(plan), "shift": [float(v) for v in plan.shift],
                   "scale": [float(v) for v in plan.scale]}  # fmt: skip
        return ModelSpec("dynamics", network.rep_in, network.rep_out, network.group, network.ch,
                         network.num_layers, network.init_gain, options=options)  # fmt: skip
    common = GroupSpec.from_group(group)
    if isinstance(plan, RegularMLPPlan):
        hidden = tuple(repr(rep) for rep in plan.hidden)
        return ModelSpec("regular_mlp", repr(plan.rep_in), repr(plan.rep_out), common, hidden,
                         len(hidden), 1.0, options={"activation": plan.activation})  # fmt: skip
    if isinstance(plan, ShallowPlan):
        options = {
            "names": [a.name for a in plan.architectures],
            "kernels": [
                None if a.kernel is None else [int(k) for k in a.kernel] for a in plan.architectures
            ],  # fmt: skip
            "channels": [int(c) for c in plan.channels],
        }
        return ModelSpec("shallow", repr(V(group)), repr(Scalar(group)), common, 1, 1, 1.0,
                         options=options)  # fmt: skip
    raise _unknown(plan, "ModelSpec.from_plan")


def _option(spec: ModelSpec, name: str, kind: type):
    value = spec.options.get(name)
    if not isinstance(value, kind):
        raise ValueError(
            f"a {spec.kind!r} model spec needs options[{name!r}] as a {kind.__name__}; "
            f"got {value!r:.80}."
        )
    return value


def _hidden(spec: ModelSpec, group: Group):
    return spec.ch if isinstance(spec.ch, int) else [parse_rep(t, group) for t in spec.ch]


def build_plan(spec: ModelSpec):
    """The plan ``spec`` describes (``spec.kind`` one of `KINDS`).

    Raises:
        ValueError: for a missing or malformed option, a rebuilt model that differs from
            the recorded one, or as the plan functions raise.
    """
    if spec.kind not in KINDS:
        raise ValueError(
            f"ModelSpec.kind must be one of {['emlp', 'mlp', *KINDS]}; got {spec.kind!r}."
        )
    group = spec.group.build()
    if spec.kind == "dynamics":
        plan = dynamics_plan(
            _option(spec, "layer", str),
            parse_rep(spec.rep_in, group),
            group,
            _hidden(spec, group),
            spec.num_layers,
            shift=np.asarray(_option(spec, "shift", list), dtype=np.float64),
            scale=np.asarray(_option(spec, "scale", list), dtype=np.float64),
        )
        if repr(plan.network.rep_out) != spec.rep_out:
            raise ValueError(
                f"the rebuilt {spec.options['layer']} network outputs "
                f"{plan.network.rep_out!r}, not the recorded {spec.rep_out}."
            )
        return plan
    if spec.kind == "regular_mlp":
        rep_in, rep_out = (parse_rep(text, group) for text in (spec.rep_in, spec.rep_out))
        hidden, activation = _hidden(spec, group), _option(spec, "activation", str)
        return regular_mlp_plan(rep_in, rep_out, group, hidden, spec.num_layers, activation)
    return _shallow(spec, group)


def _shallow(spec: ModelSpec, group: Group) -> ShallowPlan:
    names, kernels = _option(spec, "names", list), _option(spec, "kernels", list)
    channels = _option(spec, "channels", list)
    if not len(names) == len(kernels) == len(channels):
        raise ValueError(
            f"a 'shallow' model spec needs as many names, kernels and channels; got "
            f"{len(names)}, {len(kernels)} and {len(channels)}."
        )
    wanted = list(zip(names, kernels, strict=True))
    max_order = max(MAX_SUBGROUP_SEARCH_ORDER, group.order())
    found = {}
    for merge in (True, False):  # names of type-2 kernels depend on the enumeration's merging
        for arch in enumerate_invariant_shallow(
            group, max_order=max_order, merge_conjugate_kernels=merge
        ):
            kernel = None if arch.kernel is None else [int(k) for k in arch.kernel]
            found.setdefault((arch.name, repr(kernel)), arch)
        if all((name, repr(kernel)) in found for name, kernel in wanted):
            break
    missing = [name for name, kernel in wanted if (name, repr(kernel)) not in found]
    if missing:
        raise ValueError(
            f"the architectures {missing} are not among the invariant shallow networks of "
            f"the rebuilt {group!r}."
        )
    return shallow_plan([found[(n, repr(k))] for n, k in wanted], channels)


def _shallow_hash(arch, rows: np.ndarray) -> str:
    digest = hashlib.sha256(f"shallow;type{arch.type};H{arch.subgroup_index};".encode())
    parts = {"kernel": arch.kernel, "basis": arch.basis, "transversal": arch.transversal,
             "transversal_matrices": arch.transversal_matrices, "rows": rows}  # fmt: skip
    for label, array in parts.items():
        _update(digest, label, array)
    return digest.hexdigest()


def plan_hashes(plan) -> dict[str, str]:
    """``{scope: sha256 hex}`` of every basis of a plan of one of `KINDS`.

    Raises:
        TypeError: for another kind of plan.
    """
    if isinstance(plan, DynamicsPlan):
        return basis_hashes(plan.network)
    if isinstance(plan, RegularMLPPlan):
        return {f"linear_{k}": _linear_hash(basis) for k, basis in enumerate(plan.linears)}
    if isinstance(plan, ShallowPlan):
        return {
            arch.name: _shallow_hash(arch, rows)
            for arch, rows in zip(plan.architectures, plan.rows, strict=True)
        }
    raise _unknown(plan, "basis_hashes")
