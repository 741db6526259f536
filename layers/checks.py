"""Argument checks shared by every layer and front-end (clear errors before any work).

Every numeric option of ``layers`` is checked by `groups.checks.check_int` or
`groups.checks.check_real`, under the rule of every package: Python and
numpy numbers are accepted alike, bools and strings never; a value of the wrong type is a
TypeError, a value out of range (NaN and infinities included) a ValueError.
"""

from __future__ import annotations

from emlp_core import Rep

__all__ = ["check_rep", "check_reps", "check_dtype"]


def check_rep(rep: Rep, name: str, layer: str) -> None:
    """Raises a clear error unless ``rep`` is a `Rep` bound to a group, of size ``>= 1``.

    A zero-size rep (``0 * V``) is refused: a layer on it has no coordinates to act on.

    Raises:
        TypeError: ``rep`` is not a `Rep`.
        ValueError: ``rep`` has no group, or has size 0.
    """
    if not isinstance(rep, Rep):
        raise TypeError(f"{layer}: {name} must be a Rep; got {type(rep).__name__}.")
    if rep.group is None:
        raise ValueError(f"{layer}: {name} = {rep!r} has no group; bind it, e.g. {name}(G).")
    if rep.size() < 1:
        raise ValueError(
            f"{layer}: {name} = {rep!r} has size 0; expected a representation of size >= 1 "
            "(e.g. Scalar or V, not 0 * V)."
        )


def check_reps(rep_in: Rep, rep_out: Rep, layer: str) -> None:
    """Raises a clear error unless both reps pass `check_rep` and share one group.

    Raises:
        TypeError: either is not a `Rep`.
        ValueError: either has no group or size 0, or their groups differ.
    """
    check_rep(rep_in, "rep_in", layer)
    check_rep(rep_out, "rep_out", layer)
    if rep_in.group != rep_out.group:
        raise ValueError(
            f"{layer}: rep_in is bound to {rep_in.group!r} but rep_out to {rep_out.group!r}; "
            "both must use the same group."
        )


def check_dtype(dtype, layer: str):
    """``dtype`` as a numpy dtype: real floating, and 64-bit only with JAX's x64 on.

    The parameter dtype of every front-end's constructor; a 64-bit request without x64
    would silently give float32, so it is refused.

    Example:
        >>> check_dtype("float32", "EMLP")
        dtype('float32')
    """
    import jax
    import jax.numpy as jnp

    try:
        checked = None if dtype is None else jnp.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or not jnp.issubdtype(checked, jnp.floating):
        raise TypeError(
            f"{layer}: dtype must be a real floating dtype (float32 or float64); got {dtype!r}."
        )
    if jax.dtypes.canonicalize_dtype(checked) != checked:
        raise ValueError(
            f"{layer}: dtype {checked} needs 64-bit JAX: jax.config.update('jax_enable_x64', "
            "True) or `with jax.enable_x64(True):`."
        )
    return checked
