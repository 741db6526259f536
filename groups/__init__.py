"""Matrix groups given by Lie-algebra and discrete generators (numpy only)."""

from groups.bases import left_cosets as left_cosets
from groups.bases import left_transversal as left_transversal
from groups.bases import min_regular_order as min_regular_order
from groups.bases import right_cosets as right_cosets
from groups.builtin import SO as SO
from groups.builtin import O as O
from groups.builtin import S as S
from groups.builtin import Trivial as Trivial
from groups.builtin import Z as Z
from groups.characters import CharacterTable as CharacterTable
from groups.characters import character_table as character_table
from groups.characters import class_function as class_function
from groups.classes import center as center
from groups.classes import conjugacy_classes as conjugacy_classes
from groups.classical import GL as GL
from groups.classical import SL as SL
from groups.classical import SU as SU
from groups.classical import Scaling as Scaling
from groups.classical import Sp as Sp
from groups.classical import U as U
from groups.classical import complex_structure as complex_structure
from groups.classical import symplectic_form as symplectic_form
from groups.elements import GroupElement as GroupElement
from groups.enumeration import element_table as element_table
from groups.exceptional import E6 as E6
from groups.exceptional import F4 as F4
from groups.exceptional import G2 as G2
from groups.finite import Q8 as Q8
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
from groups.real_characters import real_irreducible_characters as real_irreducible_characters
from groups.stabilizer import stabilizer as stabilizer
from groups.stabilizer import stabilizer_algebra as stabilizer_algebra
from groups.subgroups import Subgroup as Subgroup
from groups.subgroups import index_two_subgroups as index_two_subgroups
from groups.subgroups import multiplication_table as multiplication_table
from groups.subgroups import normal_subgroups as normal_subgroups
from groups.subgroups import sign_characters as sign_characters
from groups.subgroups import subgroup_classes as subgroup_classes

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
    "Q8",
    "RubiksCube",
    "ZksZnxZn",
    # constructions
    "direct_product",
    "ProductGroup",
    "Embed",
    "stabilizer",
    "stabilizer_algebra",
    # finite-group theory
    "element_table",
    "multiplication_table",
    "conjugacy_classes",
    "center",
    "CharacterTable",
    "character_table",
    "class_function",
    "real_irreducible_characters",
    "Subgroup",
    "subgroup_classes",
    "normal_subgroups",
    "sign_characters",
    "index_two_subgroups",
    "left_cosets",
    "right_cosets",
    "left_transversal",
    "min_regular_order",
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
