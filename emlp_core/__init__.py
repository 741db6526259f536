"""Representations, their canonical forms, and the equivariant-basis solver."""

from emlp_core.canonical import Monomial as Monomial
from emlp_core.canonical import Summand as Summand
from emlp_core.custom import GeneratorRep as GeneratorRep
from emlp_core.custom import from_generators as from_generators
from emlp_core.custom import pullback as pullback
from emlp_core.custom import restrict as restrict
from emlp_core.expressions import parse_rep as parse_rep
from emlp_core.finite_reps import CosetRep as CosetRep
from emlp_core.finite_reps import RegularRep as RegularRep
from emlp_core.fourier import fourier_transform as fourier_transform
from emlp_core.fourier import inverse_fourier_transform as inverse_fourier_transform
from emlp_core.fourier import irrep_matrices as irrep_matrices
from emlp_core.fourier import real_fourier_basis as real_fourier_basis
from emlp_core.fourier import real_irreps as real_irreps
from emlp_core.irreps import RealIrrep as RealIrrep
from emlp_core.isotypic import IsotypicDecomposition as IsotypicDecomposition
from emlp_core.isotypic import isotypic_decomposition as isotypic_decomposition
from emlp_core.reps import ProductRep as ProductRep
from emlp_core.reps import Rep as Rep
from emlp_core.reps import Scalar as Scalar
from emlp_core.reps import ScalarRep as ScalarRep
from emlp_core.reps import SumRep as SumRep
from emlp_core.reps import T as T
from emlp_core.reps import V as V
from emlp_core.reps import VectorRep as VectorRep
from emlp_core.shallow import ShallowArchitecture as ShallowArchitecture
from emlp_core.shallow import enumerate_invariant_shallow as enumerate_invariant_shallow
from emlp_core.shallow import summarize_shallow as summarize_shallow
from emlp_core.solver import equivariant_basis as equivariant_basis
from emlp_core.solver import equivariant_projector as equivariant_projector
from emlp_core.version import __version__ as __version__

__all__ = [
    "CosetRep",
    "RegularRep",
    "RealIrrep",
    "IsotypicDecomposition",
    "isotypic_decomposition",
    "real_irreps",
    "irrep_matrices",
    "fourier_transform",
    "inverse_fourier_transform",
    "real_fourier_basis",
    "GeneratorRep",
    "from_generators",
    "pullback",
    "restrict",
    "Monomial",
    "ProductRep",
    "Rep",
    "Scalar",
    "ScalarRep",
    "Summand",
    "SumRep",
    "T",
    "V",
    "VectorRep",
    "equivariant_basis",
    "equivariant_projector",
    "parse_rep",
    "ShallowArchitecture",
    "enumerate_invariant_shallow",
    "summarize_shallow",
    "__version__",
]
