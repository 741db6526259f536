"""`parse_rep`: the printed form of every registry rep parses back to an equal rep."""

import numpy as np
import pytest

from emlp_core import (
    CosetRep,
    RegularRep,
    Scalar,
    T,
    V,
    from_generators,
    parse_rep,
    pullback,
)
from emlp_core.expressions import MAX_INTEGER
from groups import SO, D, Group, GroupElement, Lorentz, O, S, Z
from layers import gated, uniform_rep
from tests.layers.test_layers import BASELINES, GATED, REGISTRY, REGULAR, SHALLOW
from tests.layers.test_mixed_layers import _cases

LAYER_EXAMPLES = REGISTRY + GATED + BASELINES + SHALLOW + REGULAR


def _assert_round_trip(rep, group):
    text = repr(rep)
    assert str(rep) == text
    parsed = parse_rep(text, group)
    assert parsed == rep, f"{text} parsed as {parsed!r}"
    assert repr(parsed) == text and parsed.group == rep.group
    if rep.group is not None:
        assert parsed.size() == rep.size()


@pytest.mark.parametrize("name, _, rep_in, rep_out, G", LAYER_EXAMPLES, ids=lambda v: v)
def test_every_layer_registry_rep_round_trips_unbound_and_bound(name, _, rep_in, rep_out, G):
    reps = [rep for rep in (rep_in, rep_out) if rep is not None]
    if rep_out is None:  # a gate's input: the rep with its gate scalars
        reps.append(gated(rep_in(G)))
    for rep in reps:
        _assert_round_trip(rep, G)
        _assert_round_trip(rep(G), G)  # and unbound text stays unbound though G is given


def _mixed_examples():
    G = S(4) * SO(3)
    examples = [(rep, group) for rep_in, rep_out, group, _ in _cases().values()
                for rep in (rep_in, rep_out)]  # fmt: skip
    points = V(S(4)) * V(SO(3)) + V(SO(3))
    examples += [
        (points, SO(3) * S(4)),  # bound to the product in the other factor order
        ((V(S(4)) * V(SO(3)) + V(SO(3)) + Scalar)(G), G),
        ((2 * Scalar + V(S(4)) + V(S(4)) * V(SO(3)) ** 2 + V(SO(3)))(G), G),
        (V(S(4))(G), G),  # a lone factor atom prints V(S(4))⊂S(4)×SO(3)
        (uniform_rep(128, G), G),
        (V.lift(Z(5) * Z(5), 0) * V.lift(Z(5) * Z(5), 1).T, Z(5) * Z(5)),
        ((V(Lorentz()).T * V(S(3)))(Lorentz() * S(3)), Lorentz() * S(3)),
    ]
    return examples


@pytest.mark.parametrize("rep, G", _mixed_examples(), ids=lambda v: repr(v))
def test_mixed_group_reps_round_trip(rep, G):
    _assert_round_trip(rep, rep.group if rep.group is not None else G)
    _assert_round_trip(rep(G), G)


def test_the_documented_form_and_python_semantics():
    assert parse_rep("5*V**0+5*V") == 5 * V**0 + 5 * V
    assert parse_rep("V**2 >> V") == V**2 >> V
    assert parse_rep("V + V >> V") == (V + V) >> V  # Python's precedence: + before >>
    assert parse_rep("T(2, 1)") == T(2, 1) and parse_rep("T(3)") == T(3)
    assert parse_rep(" 2 + V*2 ") == 2 + V * 2 and parse_rep("3") == 3 * Scalar
    assert parse_rep("(V + V.T).T") == V.T + V and parse_rep("0") == 0 * V
    assert parse_rep("(0)(SO(3))", SO(3)) == (0 * V)(SO(3))
    assert parse_rep("V", SO(3)).group is None  # the text is unbound, so is the rep
    assert parse_rep("V(O(1,3))", Lorentz() * S(5)) == V(Lorentz())  # a factor of group=
    assert parse_rep("Scalar(SO(3)) * V", SO(3)) == V(SO(3))


def test_regular_reps_rebuild_and_named_atoms_resolve():
    G = D(4) * SO(3)
    _assert_round_trip(2 * RegularRep(D(4)) + V(D(4)), D(4))
    _assert_round_trip(RegularRep(D(4)) * V(SO(3)), G)
    _assert_round_trip(RegularRep(D(4))(G), G)
    c, s = np.cos(2 * np.pi / 3), np.sin(2 * np.pi / 3)
    rho = from_generators(D(6), discrete=[[[c, -s], [s, c]], [[1, 0], [0, -1]]], name="E2")
    rep = (rho >> rho) + 2 * V(D(6))
    assert parse_rep(repr(rep), D(6), atoms={"E2": rho}) == rep
    P = Z(5) * Z(5)
    shift = GroupElement.generator(Z(5), 0)
    total = pullback(V(Z(5)), P, discrete=[shift, shift])  # prints as φ*V
    rep = (V.lift(P, 0) * V.lift(P, 1)) >> total
    assert parse_rep(repr(rep), P, atoms={"φ*V": total}) == rep
    coset = CosetRep(S(4), Group(discrete_generators=S(4).discrete_generators[:1]))
    name = repr(coset).removesuffix("(S(4))")
    assert parse_rep(repr(coset**2), S(4), atoms={name: coset}) == coset**2


BAD_TEXT = [
    ("", "empty"),
    ("V + ", "ends where a representation was expected"),
    ("V @ V", "unexpected '@ V'"),
    ("(V + V", "unbalanced parentheses"),
    ("V + V)", "unbalanced parentheses"),
    ("V(SO(3)", "unbalanced brackets"),
    ("V[S(4)) * V", "'\\)' closes the '\\['"),
    ("W + V", "unknown name 'W'"),
    ("V.Tx", "expected '.T'"),
    ("V**-1", "negative"),
    ("V**1.5", "must be an integer; got '1.5'"),
    ("V**", "expected a power"),
    ("2.5*V", "multiplicity must be an integer"),
    ("2**3", "applies to representations"),
    ("V**2**2", "chained powers"),
    ("V >> 2", "'>>' needs representations"),
    ("(2).T", "'.T' .* applies to a representation"),
    ("T(1,)", "q of T"),
    (f"{MAX_INTEGER + 1}*V", "exceeds MAX_INTEGER"),
    (f"1000*V*{MAX_INTEGER // 999}", "exceeds MAX_INTEGER"),
    ("9" * 5000 + "*V", "of 5000 digits exceeds MAX_INTEGER"),
]


@pytest.mark.parametrize("text, message", BAD_TEXT)
def test_text_outside_the_grammar_is_refused_with_its_position(text, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_rep(text, SO(3))
    assert "at position" in str(info.value)


def test_group_names_must_match_the_group_argument():
    with pytest.raises(ValueError, match="'O\\(3\\)', which does not match group=SO\\(3\\)"):
        parse_rep("V(O(3))", SO(3))
    with pytest.raises(ValueError, match="pass it as group="):
        parse_rep(repr(V(SO(3))))
    with pytest.raises(ValueError, match="does not match group=S\\(4\\)×SO\\(3\\)"):
        parse_rep(repr((V(S(4)) * V(SO(3)))(SO(3) * S(4))), S(4) * SO(3))
    with pytest.raises(ValueError, match="group= must be that product"):
        parse_rep("(V[S(4)])(S(4))", S(4))
    with pytest.raises(ValueError, match="factor 'Z\\(5\\)#2' is not one of"):
        parse_rep("V[Z(5)#2]", Z(5) * Z(5))


def test_atoms_that_cannot_be_rebuilt_from_text_are_refused():
    P = Z(5) * Z(5)
    with pytest.raises(ValueError, match="does not say which of the equal factors"):
        parse_rep(repr(V.lift(P, 1)), P)  # prints V(Z(5))⊂Z(5)×Z(5)
    A = Group(discrete_generators=[-np.eye(2)], name="G")
    B = Group(discrete_generators=[np.diag([1.0, -1.0])], name="G")
    with pytest.raises(ValueError, match="not exactly one factor"):
        parse_rep(repr(V(A) * V(B)), A * B)  # (V[G]*V[G])(G×G)
    with pytest.raises(ValueError, match="several different factors"):
        parse_rep("Reg[G]", A * B)
    rho = from_generators(Z(3), discrete=[[[0, 0, 1], [1, 0, 0], [0, 1, 0]]], name="R3")
    with pytest.raises(ValueError, match="unknown name 'R3'.*cannot be parsed back.*atoms="):
        parse_rep(repr(rho + V(Z(3))), Z(3))
    coset = CosetRep(S(3), Group(discrete_generators=S(3).discrete_generators[:1]))
    with pytest.raises(ValueError, match="unknown name 'Coset'.*CosetRep"):
        parse_rep(repr(coset), S(3))


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((V,), {}, "needs the expression as a str; got VectorRep"),
        ((b"V",), {}, "got bytes"),
        (("V", "SO(3)"), {}, "group must be a groups.Group or None; got str"),
        (("V",), {"atoms": ["R3"]}, "atoms must be a mapping"),
        (("V",), {"atoms": {"R3": np.eye(3)}}, "atoms must map names"),
    ],
)
def test_wrong_argument_types_raise_type_errors(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        parse_rep(*args, **kwargs)


def test_atoms_cannot_shadow_built_in_names():
    with pytest.raises(ValueError, match="built-in name"):
        parse_rep("V", atoms={"V": V(O(2))})
