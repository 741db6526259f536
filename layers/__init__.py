"""Equivariant layers: a framework-free core and front-ends for Haiku, Flax NNX and Equinox.

``layers.functional`` (layer functions, the initialisation rule) and ``layers.core``
(plans, parameter trees, apply functions) need only jax and numpy. The Haiku modules
(`layers.haiku`) are re-exported here and imported on first use, so ``import
layers.functional`` does not import Haiku; ``layers.flax`` and ``layers.equinox`` hold the
same modules for Flax NNX and Equinox (extras ``[flax]`` and ``[equinox]``).

Importing `layers` turns on JAX's persistent compilation cache in the user cache directory
(`layers.compilation_cache`; ``EMLP_COMPILATION_CACHE=off`` or ``EMLP_CACHE_DIR=off``
switch it off, a cache the user set for JAX is kept).
"""

from layers import compilation_cache as _compilation_cache
from layers.core import DEFAULT_HIDDEN_GAIN as DEFAULT_HIDDEN_GAIN
from layers.core import VARIANCE_PRESERVING_GAIN as VARIANCE_PRESERVING_GAIN
from layers.equivariance import assert_equivariant as assert_equivariant
from layers.equivariance import equivariance_error as equivariance_error
from layers.hidden import gate_indices as gate_indices
from layers.hidden import gated as gated
from layers.hidden import uniform_rep as uniform_rep
from layers.standardize import Standardization as Standardization
from layers.standardize import copy_statistics as copy_statistics
from layers.standardize import invariant_shift as invariant_shift
from layers.standardize import standardization as standardization

_compilation_cache.enable()  # JAX's persistent cache next to the basis cache; see there

_HAIKU_NAMES = (
    "BiLinear",
    "EMLP",
    "EMLPBlock",
    "EMLPH",
    "EMLPode",
    "GatedNonlinearity",
    "Linear",
    "MLP",
    "MLPH",
    "MLPode",
    "Standardize",
    "num_params",
)


def __getattr__(name: str):
    """The Haiku modules, imported when first asked for."""
    if name in _HAIKU_NAMES:
        from layers import haiku

        return getattr(haiku, name)
    if name == "InvariantShallow":
        from layers.shallow_haiku import InvariantShallow

        return InvariantShallow
    if name == "RegularMLP":
        from layers.regular_haiku import RegularMLP

        return RegularMLP
    raise AttributeError(f"module 'layers' has no attribute {name!r}")


__all__ = [
    *_HAIKU_NAMES,
    "InvariantShallow",
    "RegularMLP",
    "DEFAULT_HIDDEN_GAIN",
    "VARIANCE_PRESERVING_GAIN",
    "Standardization",
    "assert_equivariant",
    "copy_statistics",
    "equivariance_error",
    "gate_indices",
    "gated",
    "invariant_shift",
    "standardization",
    "uniform_rep",
]
