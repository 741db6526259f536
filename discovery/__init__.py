"""Symmetry discovery: from an oracle or a dataset to an identified Lie algebra and a Group.

`discover_lie_algebra` finds the generators that leave an oracle (or a learned regressor
of a dataset) invariant, exactly by a nullspace or by gradient descent; `identify` names
the algebra; `centralizer` and `annihilator` give the residual symmetry of a vacuum;
`sparsify` makes a basis readable; `to_group` hands the algebra to the rest of the
toolkit. Nothing in the toolkit imports this package.
"""

from discovery.algebra import to_group as to_group
from discovery.discover import DiscoveryError as DiscoveryError
from discovery.discover import DiscoveryResult as DiscoveryResult
from discovery.discover import discover_lie_algebra as discover_lie_algebra
from discovery.identify import AlgebraReport as AlgebraReport
from discovery.identify import identify as identify
from discovery.regressor import RegressorConfig as RegressorConfig
from discovery.sgd_method import SGDConfig as SGDConfig
from discovery.sparsify import sparsify as sparsify
from discovery.subalgebras import annihilator as annihilator
from discovery.subalgebras import centralizer as centralizer

__all__ = [
    "AlgebraReport",
    "DiscoveryError",
    "DiscoveryResult",
    "RegressorConfig",
    "SGDConfig",
    "annihilator",
    "centralizer",
    "discover_lie_algebra",
    "identify",
    "sparsify",
    "to_group",
]
