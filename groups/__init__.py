"""Matrix groups given by Lie-algebra and discrete generators (numpy only)."""

from groups.builtin import SO as SO
from groups.builtin import O as O
from groups.builtin import S as S
from groups.builtin import Trivial as Trivial
from groups.builtin import Z as Z
from groups.classical import GL as GL
from groups.classical import SL as SL
from groups.classical import SU as SU
from groups.classical import Scaling as Scaling
from groups.classical import Sp as Sp
from groups.classical import U as U
from groups.classical import complex_structure as complex_structure
from groups.classical import symplectic_form as symplectic_form
from groups.elements import GroupElement as GroupElement
from groups.exceptional import E6 as E6
from groups.exceptional import F4 as F4
from groups.exceptional import G2 as G2
from groups.finite import Alt as Alt
from groups.finite import C as C
from groups.finite import Cube as Cube
from groups.finite import D as D
from groups.finite import RubiksCube as RubiksCube
from groups.finite import ZksZnxZn as ZksZnxZn
from groups.group import Group as Group
from groups.lie_algebra import algebra_rank as algebra_rank
from groups.lie_algebra import closure_residual as closure_residual
from groups.lie_algebra import killing_form as killing_form
from groups.lie_algebra import killing_signature as killing_signature
from groups.lie_algebra import structure_constants as structure_constants
from groups.lorentz import O11 as O11
from groups.lorentz import O13 as O13
from groups.lorentz import SO13 as SO13
from groups.lorentz import Lorentz as Lorentz
from groups.lorentz import Opq as Opq
from groups.lorentz import SO11p as SO11p
from groups.lorentz import SO13p as SO13p
from groups.lorentz import minkowski_metric as minkowski_metric
from groups.products import Embed as Embed
from groups.products import ProductGroup as ProductGroup
from groups.products import direct_product as direct_product
from groups.stabilizer import stabilizer as stabilizer
from groups.stabilizer import stabilizer_algebra as stabilizer_algebra

__all__ = [
    # the data model
    "Group",
    "GroupElement",
    # orthogonal, permutation, cyclic, trivial
    "SO",
    "O",
    "S",
    "Z",
    "Trivial",
    # classical
    "Sp",
    "SL",
    "GL",
    "U",
    "SU",
    "Scaling",
    "symplectic_form",
    "complex_structure",
    # indefinite orthogonal and Lorentz
    "Opq",
    "SO13p",
    "SO13",
    "O13",
    "Lorentz",
    "SO11p",
    "O11",
    "minkowski_metric",
    # finite
    "C",
    "D",
    "Alt",
    "Cube",
    "RubiksCube",
    "ZksZnxZn",
    # constructions
    "direct_product",
    "ProductGroup",
    "Embed",
    "stabilizer",
    "stabilizer_algebra",
    # exceptional
    "G2",
    "F4",
    "E6",
    # Lie-algebra facts
    "structure_constants",
    "closure_residual",
    "killing_form",
    "killing_signature",
    "algebra_rank",
]
