"""What the front-ends share, framework-free: their public names, the check of a parameter
tree before it is loaded, and the documentation of their modules.

`layers.haiku`, `layers.flax` and `layers.equinox` wrap the same core (`layers.core`,
`layers.dynamics`); this module holds the rest of what they would otherwise each write:
`check_tree`, the one check behind ``layers.flax.load`` and ``layers.equinox.load`` (so a
bad tree is refused with the same error by both), and `module_doc` and `dynamics_doc`, the
arguments and errors of every module, written once. It imports no framework."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

import jax
import jax.numpy as jnp

from layers.dynamics import DYNAMICS_ARGS_DOC

__all__ = ["MODULE_NAMES", "check_tree", "module_doc", "dynamics_doc"]

MODULE_NAMES = (
    "Linear",
    "BiLinear",
    "GatedNonlinearity",
    "EMLPBlock",
    "EMLP",
    "MLP",
    "Standardize",
    "EMLPH",
    "MLPH",
    "EMLPode",
    "MLPode",
    "num_params",
)
"""The public names of every front-end: its modules and ``num_params``."""

_HAIKU_HINT = (
    " (a Haiku tree: drop its leading module name, e.g. 'emlp/block_0/linear' -> "
    "'block_0/linear', and pass params['linear'] for a single layer)"
)
"""Appended to a name error when the tree looks like a Haiku tree."""


# --------------------------------------------------------------------------- trees
def check_tree(tree: object, expected: Mapping, layer: str) -> dict:
    """``tree`` checked against a module's tree ``expected``: the tree `load` may write.

    ``tree`` must have exactly the names and nesting of ``expected`` (a tree of
    `layers.core`, ``{scope: {name: array}}`` or ``{name: array}``), and at every leaf a
    real floating array of the shape of ``expected``'s. Everything is checked before
    anything is returned, so a front-end writes nothing from a bad tree.

    Args:
        tree: the tree to load: nested mappings of arrays (or of what ``jnp.asarray``
            takes, such as numpy arrays, tracers or nested lists).
        expected: the module's tree; only its names, nesting and shapes are read.
        layer: the module's name, for the messages (``"EMLP"``).

    Returns:
        ``tree`` as nested dicts in the order of ``expected``, its leaves ``jnp.asarray``
        of the given ones (of their own dtype; an array or a tracer as it is).

    Raises:
        ValueError: a mapping is not one; a name is missing or unexpected (with a hint
            when the tree looks like Haiku's); a leaf is not an array or has another shape.
        TypeError: a leaf is not real floating (integer, bool or complex).

    Example:
        >>> expected = {"linear": {"V->V": jnp.zeros((1, 1, 1))}}
        >>> check_tree({"linear": {"V->V": [[[2.0]]]}}, expected, "EMLP")["linear"]["V->V"]
        Array([[[2.]]], dtype=float32)
        >>> check_tree({"linear": {"V->V": jnp.ones(3)}}, expected, "EMLP")
        Traceback (most recent call last):
        ...
        ValueError: load: EMLP['linear']['V->V'] has shape (3,); the module's parameter has shape (1, 1, 1).
        >>> check_tree({"emlp/linear": {}}, expected, "EMLP")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: load: EMLP has the wrong names: missing ['linear'], unexpected ['emlp/linear']; expected ['linear'] (a Haiku tree: drop its leading module name, ...).
    """  # noqa: E501
    return _checked(tree, expected, layer)


def _checked(tree: object, expected: Mapping, where: str) -> dict:
    if not isinstance(tree, Mapping):
        raise ValueError(f"load: {where} must be a mapping; got {type(tree).__name__}.")
    missing = sorted(set(expected) - set(tree))
    unexpected = sorted(set(tree) - set(expected), key=str)
    if missing or unexpected:
        # nothing matches, and the keys are scoped (a model's) or hold scopes (a layer's)
        haiku_like = len(missing) == len(expected) > 0 and (
            any(isinstance(k, str) and "/" in k for k in unexpected)
            or (
                any(isinstance(v, Mapping) for v in tree.values())
                and not any(isinstance(v, Mapping) for v in expected.values())
            )
        )
        raise ValueError(
            f"load: {where} has the wrong names: missing {missing}, unexpected {unexpected}; "
            f"expected {sorted(expected)}{_HAIKU_HINT if haiku_like else ''}."
        )
    checked = {}
    for name, target in expected.items():
        here = f"{where}[{name!r}]"
        if isinstance(target, Mapping):
            checked[name] = _checked(tree[name], target, here)
        else:
            checked[name] = _leaf(tree[name], tuple(target.shape), here)
    return checked


def _leaf(value: object, shape: tuple, where: str) -> jax.Array:
    if isinstance(value, Mapping):
        raise ValueError(f"load: {where} must be an array; got a mapping.")
    try:
        array = jnp.asarray(value)  # an array or a tracer as it is
    except (TypeError, ValueError) as error:  # e.g. a string or a ragged list
        raise ValueError(f"load: {where} must be an array; got {type(value).__name__}.") from error
    if tuple(array.shape) != shape:
        raise ValueError(
            f"load: {where} has shape {tuple(array.shape)}; the module's parameter has "
            f"shape {shape}."
        )
    if not jnp.issubdtype(array.dtype, jnp.floating):
        raise TypeError(f"load: {where} must be a real floating array; got dtype {array.dtype}.")
    return array


# --------------------------------------------------------------------------- docs
_ARGS = {  # the arguments of every front-end's module, before the front-end's own
    "Linear": [
        ("rep_in, rep_out", "representations bound to one group, each of size ``>= 1``."),
        ("init_gain", "a positive finite real number."),
    ],
    "BiLinear": [
        ("rep_in, rep_out", "representations bound to one group, each of size ``>= 1``."),
    ],
    "GatedNonlinearity": [("rep", "a representation bound to a group, of size ``>= 1``.")],
    "EMLPBlock": [
        ("rep_in, rep_out", "bound representations (the block outputs ``rep_out``)."),
        (
            "init_gain",
            "init gain of the linear layer: 1 for standardised inputs, "
            "`layers.core.DEFAULT_HIDDEN_GAIN` when the input comes out of another block.",
        ),
    ],
    "EMLP": [
        (
            "rep_in, rep_out",
            "representations (bound or unbound; they are bound to ``group``), each of size "
            "``>= 1``.",
        ),
        ("group", "the symmetry group."),
        (
            "ch",
            "hidden size: a positive int (see `layers.uniform_rep`), a Rep of size ``>= 1``, "
            "or a sequence of ``num_layers`` of them.",
        ),
        ("num_layers", "number of hidden blocks, ``>= 0``."),
        (
            "init_gain",
            "init gain of every linear layer fed by a gated nonlinearity: "
            "`layers.core.DEFAULT_HIDDEN_GAIN` (1) or `layers.core.VARIANCE_PRESERVING_GAIN` "
            "(3), a positive finite real.",
        ),
    ],
    "MLP": [
        ("rep_in, rep_out", "representations (bound to ``group``), each of size ``>= 1``."),
        ("group", "fixes the sizes of the reps."),
        ("ch", "hidden width, a positive int."),
        ("num_layers", "number of hidden layers, ``>= 0``."),
    ],
    "Standardize": [
        ("network", "a callable (e.g. an `EMLP` module instance) on standardised inputs."),
        ("stats", "a `layers.Standardization` (see `layers.standardization`)."),
    ],
}

_ON_CALL = "on call, ``x`` is not a real floating array."
_RAISES = {  # {keys}: where the front-end's errors of keys and dtypes go
    "Linear": [
        ("TypeError", "a rep is not a `Rep`, ``init_gain`` not a real{keys}; " + _ON_CALL),
        (
            "ValueError",
            "a rep is unbound or of size 0, the groups differ, ``init_gain`` is not positive "
            "and finite; on call, ``x.shape[-1] != rep_in.size()``.",
        ),
    ],
    "BiLinear": [("TypeError, ValueError", "as `Linear` (bad reps{keys}; on call, bad ``x``).")],
    "GatedNonlinearity": [
        ("TypeError", "``rep`` is not a `Rep`; on call, ``values`` is not a real floating array."),
        (
            "ValueError",
            "``rep`` is unbound or of size 0; on call, ``values.shape[-1] != gated(rep).size()``.",
        ),
    ],
    "EMLPBlock": [
        (
            "TypeError, ValueError",
            "as `Linear` (bad reps, ``init_gain``{keys}; on call, bad ``x``).",
        )
    ],
    "EMLP": [
        (
            "TypeError",
            "``group`` is not a `groups.Group`, a rep not a `Rep`, or ``ch``, ``num_layers`` "
            "or ``init_gain`` of the wrong type{keys}; " + _ON_CALL,
        ),
        (
            "ValueError",
            "a rep has size 0 or is bound to another group; ``ch``, ``num_layers`` or "
            "``init_gain`` is out of range; on call, ``x.shape[-1] != rep_in.size()``.",
        ),
    ],
    "MLP": [
        (
            "TypeError",
            "``group`` is not a `groups.Group`, a rep not a `Rep`, or ``ch`` or ``num_layers`` "
            "not an integer{keys}; " + _ON_CALL,
        ),
        (
            "ValueError",
            "a rep has size 0 or is bound to another group; ``ch`` or ``num_layers`` is out of "
            "range; on call, ``x.shape[-1] != rep_in.size()``.",
        ),
    ],
    "Standardize": [],
}


def _entries(entries: list[tuple[str, str]]) -> str:
    """Google-style entries ``name: text``, indented 8 spaces and wrapped at 92 columns
    (never inside a double-backquoted literal)."""
    lines = []
    for name, text in entries:
        glued = re.sub(r"``.*?``", lambda m: m[0].replace(" ", "\0"), f"{name}: {text}")
        wrapped = textwrap.fill(
            glued,
            92,
            initial_indent=" " * 8,
            subsequent_indent=" " * 12,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.append(wrapped.replace("\0", " "))
    return "\n".join(lines)


def module_doc(doc: str, layer: str, keys: list[tuple[str, str]], key_errors: str = "") -> str:
    r"""``doc`` with its line ``{args}`` replaced by the Args and Raises of ``layer``.

    Every front-end's module ``layer`` (``"Linear"``, ..., ``"Standardize"``) has the same
    arguments and errors; only the front-end's own are added here.

    Args:
        doc: a docstring with a line ``    {args}`` (indented 4 spaces).
        layer: the module.
        keys: the front-end's own arguments (``("dtype", "...")``), after the shared ones.
        key_errors: the TypeErrors of those arguments, a phrase such as ``"; dtype is not
            real floating"``.

    Example:
        >>> print(module_doc("Summary.\n\n    {args}\n", "BiLinear", [("key", "a key.")]))
        Summary.
        <BLANKLINE>
            Args:
                rep_in, rep_out: representations bound to one group, each of size ``>= 1``.
                key: a key.
        <BLANKLINE>
            Raises:
                TypeError, ValueError: as `Linear` (bad reps; on call, bad ``x``).
        <BLANKLINE>
    """
    if doc and "{args}" not in doc:  # (no docstrings at all under python -OO)
        raise ValueError(f"the docstring of {layer} has no line {{args}}.")
    args = _entries(_ARGS[layer] + keys)
    raises = _entries([(e, t.format(keys=key_errors)) for e, t in _RAISES[layer]])
    sections = f"Args:\n{args}" + (f"\n\n    Raises:\n{raises}" if raises else "")
    return doc.replace("{args}", sections)


_DYNAMICS = {  # summary; the group, state rep and state size of the example
    "EMLPH": (
        """Hamiltonian network: ``H`` is an invariant EMLP; returns ``J grad H(z)``.

    Exactly equivariant when the group acts symplectically (checked, see
    `layers.dynamics.check_symplectic`). ``model.hamiltonian(z)`` (or ``model(z,
    energy=True)``) gives ``H(z)``.""",
        "Embed(O(2), 3, [0, 1])",
        "4 * V",
        12,
    ),
    "MLPH": (
        """Hamiltonian network: ``H`` is a baseline MLP (no symmetry); returns ``J grad H(z)``.

    ``model.hamiltonian(z)`` (or ``model(z, energy=True)``) gives ``H(z)``.""",
        "Trivial(4)",
        "V",
        4,
    ),
    "EMLPode": (
        "Neural ODE: the vector field ``rep_in -> rep_in`` is an equivariant EMLP.",
        "Embed(SO(2), 3, [0, 1])",
        "4 * V",
        12,
    ),
    "MLPode": (
        "Neural ODE: the vector field ``rep_in -> rep_in`` is a baseline MLP (no symmetry).",
        "Trivial(4)",
        "V",
        4,
    ),
}


def dynamics_doc(layer: str, keys: list[tuple[str, str]], example: str) -> str:
    """The docstring of a front-end's dynamics model ``layer`` (``"EMLPH"``, ``"MLPH"``,
    ``"EMLPode"`` or ``"MLPode"``).

    Args:
        layer: the model.
        keys: the front-end's own arguments (as for `module_doc`), after the shared ones.
        example: the lines of the example that build the model and print the shape of its
            output on the states ``z``, indented 8 spaces, with the fields ``{cls}``,
            ``{rep}`` and ``{size}``; ``G`` (the group) and ``z`` are defined before them,
            and ``jax``, ``jax.numpy as jnp`` and ``V`` imported.

    Example:
        >>> doc = dynamics_doc("MLPode", [], "        >>> {cls}({rep}, G, ch=16)(z).shape")
        >>> doc.splitlines()[0]
        'Neural ODE: the vector field ``rep_in -> rep_in`` is a baseline MLP (no symmetry).'
        >>> doc.splitlines()[-2:]
        ['        >>> MLPode(V, G, ch=16)(z).shape', '        (2, 4)']
    """
    summary, group, rep, size = _DYNAMICS[layer]
    args, raises, rest = DYNAMICS_ARGS_DOC.partition("\n    Raises:")
    if keys:
        args = args.rstrip("\n") + "\n" + _entries(keys) + "\n"
    built = example.format(cls=layer, rep=rep, size=size)
    return f"""{summary}
{args}{raises}{rest}
    Example:
        >>> import jax, jax.numpy as jnp
        >>> from groups import O, SO, Embed, Trivial
        >>> from emlp_core import V
        >>> G, z = {group}, jnp.ones((2, {size}))
{built}
        (2, {size})
"""
