"""Shared fixtures. Warnings are errors (pyproject's filterwarnings)."""

import jax
import pytest


@pytest.fixture
def key():
    return jax.random.PRNGKey(0)


@pytest.fixture
def float64():
    """Runs a test with JAX float64 enabled (restored afterwards)."""
    with jax.enable_x64(True):
        yield
