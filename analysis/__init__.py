"""Looking inside trained networks through the irreducible representations of a group.

An application package (like `benchmarks` and `discovery`): it may import `layers`,
`emlp_core` and `groups`, and nothing imports it except `benchmarks` and the tests.

- `analysis.spectra`: the fraction of an array's norm in each irrep (or frequency, for
  ``C_p``) of a finite group acting on one of its axes; neurons assigned to frequencies.
- `analysis.modular`: the Fourier analysis of addition mod ``p`` (Nanda et al., ICLR 2023):
  two-dimensional spectra over the pairs ``(a, b)``, restricted and excluded losses.
- `analysis.norms` and `analysis.bounds`: spectral and Frobenius norms of equivariant
  layers computed blockwise in the isotypic basis, and margin-bound terms (Neyshabur,
  Bhojanapalli & Srebro, ICLR 2018; Behboodi, Cesa & Cohen, NeurIPS 2022).
"""

from analysis.bounds import layer_norms, layer_profile, margin_loss, margins, nbs18_terms
from analysis.modular import (
    assign_neurons,
    excluded_loss,
    pair_frequency_fractions,
    restricted_loss,
)
from analysis.norms import frobenius_norm, irrep_blocks, spectral_norm
from analysis.spectra import (
    assign_frequencies,
    frequency_spectrum,
    gini,
    irrep_spectrum,
    key_frequencies,
)

__all__ = [
    "irrep_spectrum",
    "frequency_spectrum",
    "assign_frequencies",
    "gini",
    "key_frequencies",
    "pair_frequency_fractions",
    "assign_neurons",
    "restricted_loss",
    "excluded_loss",
    "irrep_blocks",
    "spectral_norm",
    "frobenius_norm",
    "layer_norms",
    "layer_profile",
    "margins",
    "margin_loss",
    "nbs18_terms",
]
