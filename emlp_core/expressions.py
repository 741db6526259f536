"""Parse the printed form of a representation back into a `Rep` (checkpoints store this text).

``repr(rep)`` and ``str(rep)`` are the same text (`Rep` defines only ``__repr__``), and that
text is the round-trip form: ``parse_rep(repr(rep), group) == rep``. An unbound rep prints
as ``2*V + Scalar`` and parses back unbound; a bound one prints as ``(...)(G)``, ``V(G)``,
or, for an atom of one factor of a direct product, ``V(SO(3))⊂S(4)×SO(3)``, and inside a
bound expression atoms of a factor print lifted, ``V[S(4)]`` or ``V[Z(5)#1]``. The text
only *names* groups: every name must be ``repr(group)`` or the repr of one of its factors,
and resolves to that object. The grammar (Python's precedence; no ``eval``)::

    shift   := sum (">>" sum)*
    sum     := product ("+" product)*
    product := power ("*" power)*               # int*int, int*rep (copies), rep*rep (tensor)
    power   := postfix ["**" INT]
    postfix := primary (".T" | "[" NAME ["#" INT] "]" | "(" NAME ")" | "⊂" NAME)*
    primary := INT | "V" | "Scalar" | "T(" INT ["," INT] ")" | "Reg[" NAME "]"
             | ATOM | "(" shift ")"

``[NAME]`` lifts to the factor of ``group`` named NAME, ``(NAME)`` binds (or lifts) to the
group named NAME, and ``⊂ NAME`` (rest of the text) lifts an atom to the product NAME.
``Reg[G]`` is `emlp_core.RegularRep` of the group named ``G`` (a function of the group
alone). Groups are matched by ``repr`` only, so two groups that print alike (say two
unnamed ``Group(d=4, ...)``) cannot be told apart: the text binds to ``group``, which the
caller stores alongside it.

Refused with a ValueError (the text does not hold what the rep needs): atoms printed only
by their name (`from_generators`, `pullback`, `restrict`, `CosetRep`), whose generator
images are not in the text, unless given as ``atoms={name: rep}`` (the key is how the atom
prints); ``V(Z(5))⊂Z(5)×Z(5)``, which does not say which of two equal factors it is on;
and lifts to factors that print alike (``V[G]`` of ``G×G`` for two different groups named
``G``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from groups import Group, ProductGroup

__all__ = ["parse_rep", "MAX_INTEGER"]

MAX_INTEGER = 10**6
"""Largest integer (multiplicity, power, or product of them) an expression may hold."""

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[^\W\d]\w*")
_RESERVED = ("V", "Scalar", "T", "Reg")
_REFUSED = (
    "the built-in names are V, Scalar, T(p, q) and Reg[G]; any other atom (a custom "
    "representation from from_generators, pullback, restrict or CosetRep) prints only its "
    "name, not its generator images, so it cannot be parsed back from text: pass "
    "atoms={name: rep} to resolve it"
)


def parse_rep(text: str, group: Group | None = None, *, atoms: Mapping | None = None):
    """The representation that ``text`` (the ``repr`` of one) describes.

    Args:
        text: an expression as `Rep` prints it, e.g. ``"(5*Scalar + 5*V)(SO(3))"``; also
            ``>>``, ``T(p, q)`` and ``V**0`` as in Python.
        group: the `groups.Group` that group names in ``text`` refer to (it or one of its
            factors); needed only when ``text`` names a group. The result is bound exactly
            when the text is: ``parse_rep("V", G)`` is the unbound ``V``.
        atoms: optional ``{name: Rep}`` for atoms that print by name only (custom reps).

    Returns:
        The `Rep`; ``parse_rep(repr(rep), rep.group) == rep`` for reps built from ``V``,
        ``Scalar``, ``RegularRep`` and the ``atoms`` given.

    Raises:
        TypeError: if ``text`` is not a string, ``group`` not a Group or None, or ``atoms``
            not a mapping from names to reps.
        ValueError: for text outside the grammar (the position and what was expected are
            in the message), a negative or non-integer power or multiplicity, a group name
            that is not ``repr(group)`` nor one of its factors, or an atom that cannot be
            rebuilt from text.

    Example:
        >>> from groups import S, SO
        >>> from emlp_core import Scalar, V
        >>> rep = (5 * Scalar + 5 * V)(SO(3))
        >>> repr(rep)
        '(5*Scalar + 5*V)(SO(3))'
        >>> parse_rep(repr(rep), SO(3)) == rep
        True
        >>> parse_rep("5*V**0+5*V"), parse_rep("V**2 >> V")
        (5*Scalar + 5*V, V*V.T**2)
        >>> cloud = V(S(4)) * V(SO(3))
        >>> parse_rep("(V[S(4)]*V[SO(3)])(S(4)×SO(3))", cloud.group) == cloud
        True
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_rep needs the expression as a str; got {type(text).__name__}.")
    if group is not None and not isinstance(group, Group):
        raise TypeError(f"group must be a groups.Group or None; got {type(group).__name__}.")
    return _Parser(text, group, _check_atoms(atoms)).parse()


def _check_atoms(atoms) -> dict:
    from emlp_core.rep_base import Rep

    if atoms is None:
        return {}
    if not isinstance(atoms, Mapping):
        raise TypeError(f"atoms must be a mapping {{name: Rep}}; got {type(atoms).__name__}.")
    for name, rep in atoms.items():
        if not isinstance(name, str) or not isinstance(rep, Rep):
            raise TypeError(
                f"atoms must map names (str) to reps; got {name!r}: {type(rep).__name__}."
            )
        if not name.strip() or name in _RESERVED:
            raise ValueError(f"atoms cannot name {name!r}: empty or a built-in name.")
    return dict(sorted(atoms.items(), key=lambda item: -len(item[0])))  # longest match first


def _parts(value) -> int:
    """An int itself; for a rep, the parts ``n * rep`` copies (the terms of a sum)."""
    from emlp_core.reps import SumRep

    if isinstance(value, int):
        return value
    return max(len(value.reps), 1) if isinstance(value, SumRep) else 1


class _Parser:
    """Recursive descent over ``text``; values are ints (multiplicities) or reps."""

    def __init__(self, text: str, group: Group | None, atoms: dict):
        self.text, self.pos, self.group, self.atoms = text, 0, group, atoms

    # ------------------------------------------------------------------ scanning
    def error(self, message: str, pos: int | None = None) -> ValueError:
        pos = self.pos if pos is None else pos
        shown = self.text if len(self.text) <= 120 else self.text[:100] + "..."
        return ValueError(f"cannot parse {shown!r} at position {pos}: {message}.")

    def peek(self, token: str) -> bool:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text.startswith(token, self.pos)

    def accept(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def enclosed(self, close: str) -> str:
        """The text between the bracket at ``pos`` and its match (nesting () and [])."""
        start, depth = self.pos, 0
        for k in range(start, len(self.text)):
            depth += (self.text[k] in "([") - (self.text[k] in ")]")
            if depth == 0:
                if self.text[k] != close:
                    raise self.error(f"'{self.text[k]}' closes the '{self.text[start]}'", k)
                self.pos = k + 1
                return self.text[start + 1 : k].strip()
        raise self.error(f"unbalanced brackets: nothing closes the '{self.text[start]}'", start)

    def integer(self, what: str) -> int:
        self.peek("")
        start = self.pos
        if self.peek("-"):
            raise self.error(f"{what} must be a non-negative integer; got a negative one")
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.error(f"expected {what} (a non-negative integer)")
        self.pos = match.end()
        digits = match.group()
        if not digits.isdigit():
            raise self.error(f"{what} must be an integer; got {digits!r}", start)
        if len(digits.lstrip("0")) > len(str(MAX_INTEGER)):
            raise self.error(f"an integer of {len(digits)} digits exceeds MAX_INTEGER", start)
        return self.bounded(int(digits), start)

    def bounded(self, value, pos: int):
        if isinstance(value, int) and value > MAX_INTEGER:
            raise self.error(f"the integer {value} exceeds MAX_INTEGER = {MAX_INTEGER}", pos)
        return value

    # ------------------------------------------------------------------ groups
    def group_named(self, name: str, pos: int) -> Group:
        if self.group is None:
            raise self.error(f"the text names the group {name!r}; pass it as group=", pos)
        candidates = [self.group, *getattr(self.group, "factors", ())]
        found: list[Group] = []
        for candidate in candidates:
            if repr(candidate) == name and candidate not in found:
                found.append(candidate)
        if len(found) != 1:
            problem = "neither it nor a factor" if not found else "several different factors"
            raise self.error(
                f"the text names the group {name!r}, which does not match group="
                f"{self.group!r}: {problem} of group= prints as {name!r}",
                pos,
            )
        return found[0]

    def lift(self, value, label: str, pos: int):
        group = self.group
        if not isinstance(group, ProductGroup):
            raise self.error(
                f"[{label}] lifts to a factor of a direct product; group= must be that "
                f"product, got {group!r}",
                pos,
            )
        name, _, index = label.partition("#")
        places = [j for j, factor in enumerate(group.factors) if repr(factor) == name.strip()]
        if index:
            if not index.isdigit() or int(index) not in places:
                raise self.error(f"factor {label!r} is not one of {group!r}", pos)
            places = [int(index)]
        if len(places) != 1:
            raise self.error(f"{name!r} is not exactly one factor of {group!r}", pos)
        if isinstance(value, int):
            raise self.error(f"a number cannot be lifted to {label!r}", pos)
        return value.lift(group, places[0])

    # ------------------------------------------------------------------ grammar
    def parse(self):
        if not self.text.strip():
            raise self.error("the expression is empty")
        value = self.shift()
        if self.pos < len(self.text):
            rest = self.text[self.pos :]
            if rest.startswith(")"):
                raise self.error("unbalanced parentheses: this ')' closes nothing")
            raise self.error(f"unexpected {rest!r}")
        return self.as_rep(value)

    @staticmethod
    def as_rep(value):
        from emlp_core.rep_base import ScalarRep

        return value * ScalarRep() if isinstance(value, int) else value

    def shift(self):
        value = self.sum()
        while self.accept(">>"):
            pos, other = self.pos, self.sum()
            if isinstance(value, int) or isinstance(other, int):
                raise self.error("'>>' needs representations on both sides, not numbers", pos)
            value = value >> other
        return value

    def sum(self):
        value = self.product()
        while self.accept("+"):
            pos = self.pos
            value = self.bounded(value + self.product(), pos)
        return value

    def product(self):
        value = self.power()
        while self.peek("*") and not self.peek("**"):
            self.pos += 1
            pos = self.pos
            other = self.power()
            if isinstance(value, int) or isinstance(other, int):  # n copies, or an int
                self.bounded(_parts(value) * _parts(other), pos)
            value = value * other
        return value

    def power(self):
        value = self.postfix()
        if self.accept("**"):
            pos = self.pos
            if isinstance(value, int):
                raise self.error("'**' applies to representations, not numbers", pos - 2)
            value = value ** self.integer("a power")
            if self.peek("**"):
                raise self.error("chained powers are ambiguous; use parentheses")
        return value

    def postfix(self):
        value = self.primary()
        while True:
            pos = self.pos
            if self.accept(".T"):
                if _NAME.match(self.text, self.pos - 1).end() > self.pos:
                    raise self.error("expected '.T' (the dual), not a longer name", pos)
                if isinstance(value, int):
                    raise self.error("'.T' (the dual) applies to a representation", pos)
                value = value.T
            elif self.peek("["):
                value = self.lift(value, self.enclosed("]"), pos)
            elif self.peek("("):
                named = self.group_named(self.enclosed(")"), pos)
                value = self.as_rep(value)(named)
            elif self.accept("⊂"):
                value = self.subset(value, self.text[self.pos :].strip(), pos)
            else:
                return value

    def subset(self, value, name: str, pos: int):
        self.pos = len(self.text)
        product = self.group_named(name, pos + 1)
        inner = getattr(value, "group", None)
        if isinstance(value, int) or inner is None:
            raise self.error("'⊂' follows a representation bound to a factor", pos)
        if sum(factor == inner for factor in getattr(product, "factors", ())) > 1:
            raise self.error(
                f"{repr(value)!r}⊂{name} does not say which of the equal factors {inner!r} "
                "it is bound to, so it cannot be parsed back (bound sums print V[G#j])",
                pos,
            )
        return value(product)

    def primary(self):
        from emlp_core import reps

        if self.accept("("):
            value = self.shift()
            if not self.accept(")"):
                raise self.error("unbalanced parentheses: expected ')'")
            return value
        start = self.pos
        if _NUMBER.match(self.text, self.pos):
            return self.integer("a multiplicity")
        for name, atom in self.atoms.items():
            end = self.pos + len(name)
            if self.text.startswith(name, self.pos) and not (
                name[-1].isalnum() and end < len(self.text) and self.text[end].isalnum()
            ):
                self.pos = end
                return atom
        match = _NAME.match(self.text, self.pos)
        if match is None:
            if self.pos >= len(self.text):
                raise self.error("the expression ends where a representation was expected")
            raise self.error(f"unexpected {self.text[self.pos]!r}; expected a representation")
        name, self.pos = match.group(), match.end()
        if name in ("V", "Scalar"):
            return reps.V if name == "V" else reps.Scalar
        if name == "T" and self.accept("("):
            p = self.integer("p of T(p, q)")
            q = self.integer("q of T(p, q)") if self.accept(",") else 0
            if not self.accept(")"):
                raise self.error("expected ')' closing T(p, q)")
            return reps.T(p, q)
        if name == "Reg" and self.peek("["):
            from emlp_core.finite_reps import RegularRep

            pos = self.pos
            return RegularRep(self.group_named(self.enclosed("]"), pos))
        self.pos = start
        raise self.error(f"unknown name {name!r}: {_REFUSED}")
