"""Bad input to representations, the solver and its environment variables: one table.

Each row is ``(id, call, error type, message fragment)``: the call must raise that error,
naming what was wrong, before any large allocation. The other packages keep tables of
their own (``tests/layers``, ``tests/discovery``, ``tests/benchmarks``).
"""

import os

import numpy as np
import pytest

from emlp_core import Scalar, T, V, equivariant_basis, equivariant_projector
from emlp_core.solver import clear_cache, monomial_basis
from groups import SO, C, O, S

SO3 = SO(3)


def with_env(name: str, value: str, call):
    """Runs ``call`` with one environment variable set (restored afterwards)."""

    def run():
        previous = os.environ.get(name)
        os.environ[name] = value
        clear_cache()
        try:
            return call()
        finally:
            if previous is None:
                os.environ.pop(name)
            else:
                os.environ[name] = previous
            clear_cache()

    return run


def solve_v3():
    return equivariant_basis((V**3)(SO3))


BAD_INPUTS = [
    # representation algebra
    ("power-negative", lambda: V**-1, ValueError, "must be an integer >= 0; got -1"),
    ("power-float", lambda: V**1.5, TypeError, "must be an integer"),
    ("power-bool", lambda: V**True, TypeError, "got bool"),
    ("power-string", lambda: V ** "2", TypeError, "got str"),
    ("T-negative", lambda: T(-1, 0), ValueError, "T: p must be an integer >= 0; got -1"),
    ("T-float", lambda: T(1.5, 0), TypeError, "p must be an integer"),
    ("T-group-string", lambda: T(1, 1, "SO3"), TypeError, "bound to a groups.Group"),
    ("multiplicity-negative", lambda: -1 * V, ValueError, "multiplicity"),
    ("multiplicity-float", lambda: 1.5 * V, TypeError, "multiplicity"),
    ("multiplicity-string", lambda: V * "a", TypeError, "multiplicity"),
    ("bind-string", lambda: V("SO3"), TypeError, "bound to a groups.Group"),
    ("bind-none", lambda: V(None), TypeError, "got NoneType"),
    ("rebind", lambda: V(SO3)(O(3)), ValueError, "already bound"),
    ("size-unbound", lambda: (V**2).size(), ValueError, "has no group"),
    # matrices of a representation
    ("rho-shape", lambda: (V**2)(SO3).rho(np.eye(2)), ValueError, r"needs a \(3, 3\) matrix"),
    ("rho-nan", lambda: (V**2)(SO3).rho(np.full((3, 3), np.nan)), ValueError, "finite"),
    ("rho-complex", lambda: (V**2)(SO3).rho(1j * np.eye(3)), TypeError, "complex"),
    ("rho-strings", lambda: (V**2)(SO3).rho([["1"] * 3] * 3), TypeError, "strings"),
    ("drho-shape", lambda: (V**2)(SO3).drho(np.eye(4)), ValueError, r"needs a \(3, 3\) matrix"),
    ("drho-inf", lambda: (V**2)(SO3).drho(np.full((3, 3), np.inf)), ValueError, "finite"),
    # the solver
    ("basis-not-a-rep", lambda: equivariant_basis(np.eye(3)), TypeError, "takes a Rep"),
    ("basis-unbound", lambda: equivariant_basis(V**2), ValueError, "has no group"),
    ("basis-strategy", lambda: equivariant_basis(V(SO3), strategy="x"), ValueError, "one of"),
    ("basis-tol-nan", lambda: equivariant_basis(V(SO3), tol=float("nan")), ValueError, "tol"),
    ("basis-tol-zero", lambda: equivariant_basis(V(SO3), tol=0.0), ValueError, r"in \(0, 1\)"),
    ("basis-tol-one", lambda: equivariant_basis(V(SO3), tol=1.0), ValueError, r"in \(0, 1\)"),
    ("basis-tol-string", lambda: equivariant_basis(V(SO3), tol="1e-6"), TypeError, "tol"),
    ("basis-sparse-string", lambda: equivariant_basis(V(SO3), sparse="yes"), TypeError, "sparse"),
    ("projector-not-a-rep", lambda: equivariant_projector(3), TypeError, "takes a Rep"),
    ("too-large", lambda: equivariant_basis((V**40)(SO3)), ValueError, "EMLP_SOLVER_MEMORY_GB"),
    (
        "orbits-not-permutation",
        lambda: monomial_basis((V**2)(C(6)).canonical_form()[0].monomial, strategy="orbits"),
        ValueError,
        "signed-permutation",
    ),
    # environment variables
    ("memory-nan", with_env("EMLP_SOLVER_MEMORY_GB", "nan", solve_v3), ValueError, "'nan'"),
    ("memory-inf", with_env("EMLP_SOLVER_MEMORY_GB", "inf", solve_v3), ValueError, "'inf'"),
    ("memory-negative", with_env("EMLP_SOLVER_MEMORY_GB", "-1", solve_v3), ValueError, "'-1'"),
    ("memory-zero", with_env("EMLP_SOLVER_MEMORY_GB", "0", solve_v3), ValueError, "'0'"),
    ("memory-text", with_env("EMLP_SOLVER_MEMORY_GB", "4GB", solve_v3), ValueError, "'4GB'"),
    (
        "memory-too-small",
        with_env("EMLP_SOLVER_MEMORY_GB", "1e-6", lambda: equivariant_basis((V**6)(S(6)))),
        ValueError,
        "above the limit",
    ),
]


@pytest.mark.parametrize(
    "call, error, fragment", [row[1:] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_input_is_refused_with_a_clear_message(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()


def test_the_table_covers_enough_cases():
    assert len(BAD_INPUTS) >= 35


def test_good_neighbours_of_the_bad_inputs_work():
    """The checks refuse only what is wrong: nearby valid input still works."""
    assert (V**2)(SO3).rho(np.eye(3) + 0j).shape == (9, 9)  # zero imaginary part is real
    assert equivariant_basis(V(SO3) + Scalar(SO3), sparse=np.bool_(False)).shape == (4, 1)
    assert with_env("EMLP_SOLVER_MEMORY_GB", "0.5", solve_v3)().shape == (27, 1)
    assert with_env("EMLP_CACHE_DIR", "   ", solve_v3)().shape == (27, 1)  # blank: cache off
