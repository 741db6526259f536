"""Flax NNX front-end: modules over the framework-free core (`layers.core`).

Every module is an ``nnx.Module`` with the arguments of its `layers.haiku` twin (less
Haiku's ``name``: NNX modules have none) plus the keyword-only ``rngs``, ``key`` and
``dtype``; inputs are ``(batch, rep_in.size())`` and outputs ``(batch, rep_out.size())``.
A module holds its plan (``plan``, or ``basis``/``layout`` for a single layer: bases
computed and cached at construction, read-only and left out of the module's repr) and its
parameters, drawn at construction, in the attribute ``params``: an ``nnx.Dict`` shaped like
the core's tree, ``{scope: {name: nnx.Param}}`` for a model
(``model.params["block_0/linear"]["V->V**2"]``) and ``{name: nnx.Param}`` for a single
layer. Parameter names such as ``"V->V**2"`` or ``"V[SO(3)]->V[S(3)]*V[SO(3)]"`` are keys
of an ``nnx.Dict``, never Python identifiers, so ``nnx.state``, ``nnx.split``/``nnx.merge``,
``nnx.jit`` and ``nnx.grad`` see ordinary ``nnx.Param`` variables. `params` reads a
module's tree as plain arrays and `load` writes one: the tree of `layers.core`, which is
Haiku's without its leading module name (Haiku ``{"emlp/block_0/linear": ...}`` is
``{"block_0/linear": ...}`` here; a single layer's tree is Haiku's ``params["linear"]``).

Keys: a module with parameters takes ``rngs=nnx.Rngs(...)`` (the Flax idiom) or, instead,
an explicit ``key=``. Its *user key* is ``key``, or the key of the ``params`` stream of
``rngs`` (its ``default`` stream if it has no ``params`` stream) while that stream has not
been drawn from, and the stream's next key ``fold_in(stream_key, count)`` once it has. The
module always draws one key from the stream, so modules built one after another from one
``Rngs`` get different parameters. A module draws its parameters from
``core.model_key(user_key)``, the key Haiku's modules draw from under
``hk.transform(f).init(user_key, x)``: ``EMLP(..., rngs=nnx.Rngs(key))`` has bit for bit
the parameters of Haiku's ``EMLP`` initialised with ``key`` (a ``jax.random.PRNGKey`` or
``jax.random.key``; an int seed ``n`` stands for ``jax.random.key(n)``, the same bits as
``jax.random.PRNGKey(n)``).

``dtype`` (default float32) is the parameters' dtype; float64 needs ``jax_enable_x64``.
Inputs of another floating dtype are accepted: the parameters are cast to it in the call,
as in Haiku.

The package: `layers.flax.base` (keys, parameter variables, `params`, `load`,
`num_params`), `layers.flax.modules` (the layers and models) and `layers.flax.dynamics`
(the dynamics models); every public name is re-exported here.
"""

try:
    from flax import nnx  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("layers.flax needs flax: pip install '.[flax]'") from error

from layers.flax.base import load as load
from layers.flax.base import num_params as num_params
from layers.flax.base import params as params
from layers.flax.dynamics import EMLPH as EMLPH
from layers.flax.dynamics import MLPH as MLPH
from layers.flax.dynamics import EMLPode as EMLPode
from layers.flax.dynamics import MLPode as MLPode
from layers.flax.modules import EMLP as EMLP
from layers.flax.modules import MLP as MLP
from layers.flax.modules import BiLinear as BiLinear
from layers.flax.modules import EMLPBlock as EMLPBlock
from layers.flax.modules import GatedNonlinearity as GatedNonlinearity
from layers.flax.modules import Linear as Linear
from layers.flax.modules import Standardize as Standardize
from layers.frontend import MODULE_NAMES

__all__ = [*MODULE_NAMES, "params", "load"]
