"""Equivariant layers: a functional core and Haiku modules over it."""

from layers.dynamics import EMLPH as EMLPH
from layers.dynamics import MLPH as MLPH
from layers.dynamics import EMLPode as EMLPode
from layers.dynamics import MLPode as MLPode
from layers.equivariance import assert_equivariant as assert_equivariant
from layers.equivariance import equivariance_error as equivariance_error
from layers.haiku_modules import EMLP as EMLP
from layers.haiku_modules import GATED_GAIN as GATED_GAIN
from layers.haiku_modules import MLP as MLP
from layers.haiku_modules import UNIT_SCALE_GAIN as UNIT_SCALE_GAIN
from layers.haiku_modules import BiLinear as BiLinear
from layers.haiku_modules import EMLPBlock as EMLPBlock
from layers.haiku_modules import GatedNonlinearity as GatedNonlinearity
from layers.haiku_modules import Linear as Linear
from layers.haiku_modules import num_params as num_params
from layers.hidden import gate_indices as gate_indices
from layers.hidden import gated as gated
from layers.hidden import uniform_rep as uniform_rep
from layers.standardize import Standardization as Standardization
from layers.standardize import Standardize as Standardize
from layers.standardize import copy_statistics as copy_statistics
from layers.standardize import invariant_shift as invariant_shift
from layers.standardize import standardization as standardization

__all__ = [
    "BiLinear",
    "EMLP",
    "EMLPBlock",
    "EMLPH",
    "EMLPode",
    "GATED_GAIN",
    "GatedNonlinearity",
    "Linear",
    "MLP",
    "MLPH",
    "MLPode",
    "Standardization",
    "Standardize",
    "UNIT_SCALE_GAIN",
    "assert_equivariant",
    "copy_statistics",
    "equivariance_error",
    "gate_indices",
    "gated",
    "invariant_shift",
    "num_params",
    "standardization",
    "uniform_rep",
]
