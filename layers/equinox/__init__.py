"""Equinox front-end: modules over the framework-free core (`layers.core`).

Every module is an ``eqx.Module`` that holds its plan (or basis and layout) as a static
field and its parameters in the pytree field ``params``, a `ParamTree` (a read-only,
hashable mapping) shaped like the core's tree (``{"block_0/linear": {"V->V": ...}, ...}``;
``{"V->V": ...}`` for a single layer). Calling a module runs the core's apply function on
inputs ``(..., rep_in.size())``; the dynamics models take ``(batch, rep_in.size())``.
Parameters are cast to the input's dtype in the call, as in Haiku.

Keys: a module is built with ``key=`` (the Equinox idiom) and draws its parameters from
`layers.core.model_key` of it, the first key ``hk.next_rng_key()`` gives under
``hk.transform(f).init(key, x)``, so the same key gives bit-identical parameters in the
Haiku and Equinox front-ends. ``dtype`` (default float32) sets the parameters' dtype.

Parameters: `params` returns a module's tree, which is the Haiku tree without its leading
module name (Haiku ``{"emlp/block_0/linear": ...}`` is ``{"block_0/linear": ...}``; a
single layer's tree is Haiku's ``params["linear"]``), and `load` returns a module with a
given tree, checked against the module's names and shapes. Plans are static fields (an
EMLP plan compares by identity), so a jitted training step (``eqx.filter_jit``, or
``jax.jit`` over ``eqx.partition``) compiles once per module.

The package: `layers.equinox.base` (`ParamTree`, `params`, `load`, `num_params`),
`layers.equinox.modules` (the layers and models) and `layers.equinox.dynamics` (the
dynamics models); every public name is re-exported here.
"""

try:
    import equinox  # noqa: F401
except ImportError as error:  # the optional extra is not installed
    raise ImportError("layers.equinox needs equinox: pip install '.[equinox]'") from error

from layers.equinox.base import ParamTree as ParamTree
from layers.equinox.base import load as load
from layers.equinox.base import num_params as num_params
from layers.equinox.base import params as params
from layers.equinox.dynamics import EMLPH as EMLPH
from layers.equinox.dynamics import MLPH as MLPH
from layers.equinox.dynamics import EMLPode as EMLPode
from layers.equinox.dynamics import MLPode as MLPode
from layers.equinox.modules import EMLP as EMLP
from layers.equinox.modules import MLP as MLP
from layers.equinox.modules import BiLinear as BiLinear
from layers.equinox.modules import EMLPBlock as EMLPBlock
from layers.equinox.modules import GatedNonlinearity as GatedNonlinearity
from layers.equinox.modules import Linear as Linear
from layers.equinox.modules import Standardize as Standardize
from layers.frontend import MODULE_NAMES

__all__ = [*MODULE_NAMES, "params", "load", "ParamTree"]
