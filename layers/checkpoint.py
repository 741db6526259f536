"""Checkpoints that carry their meaning: arrays in orbax, the model as a `ModelSpec`.

On disk a checkpoint is one directory::

    path/
        spec.json   the ModelSpec, a sha256 per basis, the parameter names, dtypes and
                    shapes, the optimizer-state leaves, the step
        state/      an orbax-checkpoint PyTree item {"params": {...}, "opt_state": {...}}

Both are written into a temporary directory next to ``path`` which is then renamed, so a
checkpoint is either complete or absent. Array leaves are stored under plain keys
(``"p00000"``) with their scopes and names in ``spec.json``, since parameter names such as
``"V**2->V"`` are not safe path components.

`load` rebuilds the plan from the spec (the group from its generators, the reps from their
expressions, the bases re-solved or read from the basis cache), recomputes the basis
hashes and refuses a checkpoint whose bases differ, so a changed solver or group never
runs silently as a different model. Needs ``pip install -e '.[checkpoint]'``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import numpy as np

from layers.checkpoint_spec import ModelSpec, basis_hashes
from layers.core import EMLPPlan, MLPPlan

__all__ = ["Checkpoint", "save", "load"]

FORMAT = "emlp-checkpoint"
FORMAT_VERSION = 1
SPEC_FILE = "spec.json"
STATE_DIR = "state"


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """What `load` returns.

    Attributes:
        plan: the rebuilt `layers.core.EMLPPlan` or `layers.core.MLPPlan`.
        params: ``{scope: {name: np.ndarray}}`` with the saved dtypes and shapes.
        spec: the `ModelSpec`.
        opt_state: the optimizer state (the template's structure, else a list of leaves),
            or None if none was saved.
        step: the saved step, or None.
        extra: the JSON metadata saved with it (``extra=`` of `save`), or None.
        prefix: the Haiku module prefix of the parameter scopes (``""`` for a
            `layers.core` tree); ``params`` carry it, so they fit the module they came from.
    """

    plan: EMLPPlan | MLPPlan
    params: dict
    spec: ModelSpec
    opt_state: Any
    step: int | None
    extra: dict | None = None
    prefix: str = ""


def _orbax():
    try:
        import orbax.checkpoint as ocp
    except ImportError as error:
        raise ImportError(
            "checkpoints need orbax-checkpoint: pip install -e '.[checkpoint]'"
        ) from error
    return ocp


def _param_entries(params) -> list[tuple[str, str, np.ndarray]]:
    if not hasattr(params, "items") or not all(hasattr(v, "items") for v in params.values()):
        raise TypeError("params must be a tree {scope: {name: array}} as layers.core makes.")
    return [(s, n, np.asarray(a)) for s, names in params.items() for n, a in names.items()]


def _module_prefix(entries, plan) -> str:
    """The common scope prefix of a Haiku tree (``"emlp/"``, ``"standardize/~/mlp/"``).

    Haiku names a module's parameters ``<module path>/<plan scope>``; the prefix is found
    as the one string that maps every plan scope onto the tree's scopes ("" if they match).
    """
    plan_scopes = {scope for scope, _, _ in plan.param_specs()}
    scopes = {scope for scope, _, _ in entries}
    if scopes == plan_scopes:
        return ""
    for scope in sorted(scopes):
        for own in plan_scopes:
            if scope.endswith("/" + own):
                prefix = scope[: len(scope) - len(own)]
                if {prefix + s for s in plan_scopes} == scopes:
                    return prefix
    return ""


def _check_params(entries, plan, where: str) -> None:
    expected = {(scope, name): tuple(shape) for scope, name, shape in plan.param_specs()}
    got = {(scope, name): array.shape for scope, name, array in entries}
    if got != expected:
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        shapes = sorted(k for k in set(got) & set(expected) if got[k] != expected[k])
        raise ValueError(
            f"{where}: params do not fit the model: missing {missing}, unexpected {extra}, "
            f"wrong shapes {[(k, got[k], expected[k]) for k in shapes]}."
        )


def save(
    path: str | os.PathLike,
    params,
    spec: ModelSpec | EMLPPlan | MLPPlan,
    opt_state=None,
    step: int | None = None,
    *,
    overwrite: bool = False,
    extra: dict | None = None,
) -> Path:
    """Writes a checkpoint directory (see the module docstring for the layout).

    Args:
        path: the directory to create.
        params: ``{scope: {name: array}}`` as `layers.core` makes (e.g. `emlp_init`), or
            a Haiku tree of the same module (scopes under one prefix such as ``"emlp/"``).
        spec: the model's `ModelSpec`, or its plan (`ModelSpec.from_plan` is applied).
        opt_state: an optional optimizer state (any pytree of arrays, e.g. optax's).
        step: an optional training step (int ``>= 0``).
        overwrite: replace an existing checkpoint at ``path`` (else it is an error).
        extra: JSON-serialisable metadata stored alongside (e.g. a training loop's state).

    Returns:
        ``path`` as an absolute `pathlib.Path`.

    Raises:
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
        TypeError, ValueError: for a malformed tree, or params that do not fit the model.

    Example:
        >>> import tempfile, jax
        >>> from groups import SO
        >>> from emlp_core import V
        >>> from layers.core import emlp_plan, emlp_init
        >>> plan = emlp_plan(V, V, SO(3), ch=8, num_layers=1)
        >>> params = emlp_init(plan, jax.random.PRNGKey(0))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = save(f"{tmp}/ckpt", params, plan, step=7)
        ...     restored = load(f"{tmp}/ckpt")
        >>> restored.step, restored.spec.rep_out
        (7, 'V(SO(3))')
    """
    ocp = _orbax()
    path = Path(path).absolute()
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    if not isinstance(spec, ModelSpec):
        spec = ModelSpec.from_plan(spec)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise ValueError(f"step must be an int >= 0 or None; got {step!r}.")
    plan = spec.build()
    entries = _param_entries(params)
    prefix = _module_prefix(entries, plan)
    entries = [(s[len(prefix) :], n, a) for s, n, a in entries]
    _check_params(entries, plan, f"save({path})")
    if extra is not None and not isinstance(extra, dict):
        raise TypeError(f"extra must be a dict or None; got {type(extra).__name__}.")
    try:
        json.dumps(extra, allow_nan=True)
    except (TypeError, ValueError) as error:
        raise TypeError(f"extra must be JSON-serialisable: {error}") from None
    tree = {"params": {f"p{k:05d}": array for k, (_, _, array) in enumerate(entries)}}
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": spec.to_json(),
        "basis_hashes": basis_hashes(plan),
        "params": [[s, n, a.dtype.name, list(a.shape)] for s, n, a in entries],
        "opt_state": None,
        "step": step,
        "prefix": prefix,
        "extra": extra,
    }
    if opt_state is not None:
        leaves, treedef = jax.tree_util.tree_flatten(opt_state)
        leaves = [np.asarray(leaf) for leaf in leaves]
        tree["opt_state"] = {f"o{k:05d}": leaf for k, leaf in enumerate(leaves)}
        meta["opt_state"] = {
            "treedef": str(treedef),
            "leaves": [[leaf.dtype.name, list(leaf.shape)] for leaf in leaves],
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex}"
    try:
        staging.mkdir()
        ocp.PyTreeCheckpointer().save(staging / STATE_DIR, tree)
        meta["state_files"] = _state_files(staging / STATE_DIR)
        (staging / SPEC_FILE).write_text(json.dumps(meta))
        if path.exists():  # overwrite: move the old one aside, then drop it
            trash = path.parent / f".{path.name}.old-{uuid.uuid4().hex}"
            path.rename(trash)
            staging.rename(path)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            staging.rename(path)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return path


def _state_files(state: Path) -> dict[str, str]:
    """``{relative path: "size:sha256"}`` of every file of the orbax item."""
    files = {}
    for p in sorted(p for p in state.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with p.open("rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
        files[p.relative_to(state).as_posix()] = f"{p.stat().st_size}:{digest.hexdigest()}"
    return files


def _check_state_files(path: Path, recorded) -> None:
    """A missing, truncated or altered file of ``state/`` is reported before orbax reads it.

    (orbax reading damaged data fails deep inside tensorstore and leaves callbacks
    behind on a closed event loop, so damage is caught here, by size and sha256.)
    """
    state = path / STATE_DIR
    if not state.is_dir():
        raise ValueError(f"{path} is not a complete checkpoint: {STATE_DIR}/ is missing.")
    if not isinstance(recorded, dict):
        raise ValueError(f"{path / SPEC_FILE}: field 'state_files' must be a mapping.")
    found = _state_files(state)
    missing = sorted(name for name in recorded if name not in found)
    changed = sorted(n for n in recorded if n in found and found[n] != recorded[n])
    if missing or changed:
        raise ValueError(
            f"{path} is not a complete checkpoint: {STATE_DIR}/ lacks {missing[:5]} and has "
            f"files whose size or sha256 differ from those written: {changed[:5]}."
        )


def _read_meta(path: Path) -> dict:
    spec_file = path / SPEC_FILE
    if not path.is_dir():
        raise FileNotFoundError(f"no checkpoint directory at {path}.")
    if not spec_file.is_file():
        raise ValueError(f"{path} is not a complete checkpoint: {SPEC_FILE} is missing.")
    try:
        meta = json.loads(spec_file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{spec_file} is not readable JSON: {error}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{spec_file} is not an {FORMAT} spec (no 'format': {FORMAT!r}).")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{spec_file} has format_version {meta.get('format_version')!r}; this library "
            f"reads version {FORMAT_VERSION}."
        )
    for field, kind in (("params", list), ("basis_hashes", dict)):
        if not isinstance(meta.get(field), kind):
            raise ValueError(f"{spec_file}: field {field!r} must be a {kind.__name__}.")
    return meta


def _check_hashes(stored: dict, plan, path: Path) -> None:
    actual = basis_hashes(plan)
    for scope in sorted(set(stored) | set(actual)):
        if stored.get(scope) != actual.get(scope):
            raise ValueError(
                f"{path}: the basis of block {scope!r} differs from the one the checkpoint "
                f"was saved with (hash {str(stored.get(scope))[:12]}... recorded, "
                f"{str(actual.get(scope))[:12]}... now): the solver or the group changed, "
                "so these parameters would run a different model. Refusing to load."
            )


def _restore(path: Path, meta: dict):
    ocp = _orbax()
    target: dict = {"params": {f"p{k:05d}": 0 for k in range(len(meta["params"]))}}
    if meta.get("opt_state") is not None:
        target["opt_state"] = {f"o{k:05d}": 0 for k in range(len(meta["opt_state"]["leaves"]))}
    args = jax.tree_util.tree_map(lambda _: ocp.RestoreArgs(restore_type=np.ndarray), target)
    state = path / STATE_DIR
    _check_state_files(path, meta.get("state_files"))
    try:
        tree = ocp.PyTreeCheckpointer().restore(
            state, args=ocp.args.PyTreeRestore(item=target, restore_args=args)
        )
    except Exception as error:  # orbax raises many kinds; none should escape unexplained
        raise ValueError(
            f"{state}: the orbax array data is corrupt or incomplete "
            f"({type(error).__name__}: {str(error)[:300]})"
        ) from error
    if not isinstance(tree, dict) or set(tree) != set(target):
        raise ValueError(f"{state}: restored items {sorted(tree)} instead of {sorted(target)}.")
    return tree


def _checked_leaf(array, dtype: str, shape, where: str) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.name != dtype or list(array.shape) != list(shape):
        raise ValueError(
            f"{where}: stored array has dtype {array.dtype.name} and shape {array.shape}; "
            f"{SPEC_FILE} records {dtype} {tuple(shape)}."
        )
    return array


def load(path: str | os.PathLike, opt_state_like=None) -> Checkpoint:
    """Reads a checkpoint written by `save`, rebuilding and checking its model.

    Args:
        path: the checkpoint directory.
        opt_state_like: an optimizer state of the same structure (e.g. ``optimizer.init``
            of the params), whose tree structure the saved state is given; without it a
            saved optimizer state comes back as its list of leaves.

    Returns:
        A `Checkpoint`; ``params`` keep their saved dtypes and shapes.

    Raises:
        FileNotFoundError: if ``path`` is not a directory.
        ValueError: if the directory is incomplete or corrupt, the spec malformed, the
            rebuilt group differs from the recorded one, a basis hash differs (naming the
            block), or the optimizer state does not fit ``opt_state_like``.
    """
    path = Path(path).absolute()
    meta = _read_meta(path)
    try:
        spec = ModelSpec.from_json(meta.get("model"))
        plan = spec.build()
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: the model spec cannot be rebuilt: {error}") from error
    _check_hashes(meta["basis_hashes"], plan, path)
    tree = _restore(path, meta)
    params: dict = {}
    for k, row in enumerate(meta["params"]):
        scope, name, dtype, shape = row
        where = f"{path}: params[{scope!r}][{name!r}]"
        params.setdefault(scope, {})[name] = _checked_leaf(
            tree["params"][f"p{k:05d}"], dtype, shape, where
        )
    _check_params([(s, n, a) for s, v in params.items() for n, a in v.items()], plan, str(path))
    opt_state = None
    if meta.get("opt_state") is not None:
        rows = meta["opt_state"]["leaves"]
        leaves = [
            _checked_leaf(tree["opt_state"][f"o{k:05d}"], dtype, shape, f"{path}: opt_state[{k}]")
            for k, (dtype, shape) in enumerate(rows)
        ]
        opt_state = leaves if opt_state_like is None else _unflatten(leaves, opt_state_like, path)
    step = meta.get("step")
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        raise ValueError(f"{path}: {SPEC_FILE} has a step that is not an int: {step!r}.")
    prefix, extra = meta.get("prefix", ""), meta.get("extra")
    if not isinstance(prefix, str) or not (extra is None or isinstance(extra, dict)):
        raise ValueError(f"{path}: {SPEC_FILE} has a malformed 'prefix' or 'extra' field.")
    params = {prefix + scope: names for scope, names in params.items()}
    return Checkpoint(plan, params, spec, opt_state, step, extra, prefix)


def _unflatten(leaves: list, like, path: Path):
    like_leaves, treedef = jax.tree_util.tree_flatten(like)
    shapes = [np.shape(leaf) for leaf in like_leaves]
    if shapes != [leaf.shape for leaf in leaves]:
        raise ValueError(
            f"{path}: the saved optimizer state ({len(leaves)} leaves) does not fit "
            f"opt_state_like ({len(like_leaves)} leaves, structure {treedef})."
        )
    return jax.tree_util.tree_unflatten(treedef, leaves)
