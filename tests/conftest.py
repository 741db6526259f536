"""Shared fixtures. Warnings are errors (pyproject's filterwarnings)."""

import os

import jax
import pytest

# Set before any test module imports `layers` (which enables the XLA cache): tests
# compile with no persistent cache; test_compilation_cache runs it in child processes.
os.environ.setdefault("EMLP_COMPILATION_CACHE", "off")


@pytest.fixture
def key():
    return jax.random.PRNGKey(0)


@pytest.fixture
def float64():
    """Runs a test with JAX float64 enabled (restored afterwards)."""
    with jax.enable_x64(True):
        yield


@pytest.fixture(autouse=True, scope="session")
def isolated_basis_cache(tmp_path_factory):
    """Tests never read or write the user's basis cache: one fresh directory per session."""
    import os

    previous = os.environ.get("EMLP_CACHE_DIR")
    os.environ["EMLP_CACHE_DIR"] = str(tmp_path_factory.mktemp("basis-cache"))
    yield
    if previous is None:
        os.environ.pop("EMLP_CACHE_DIR", None)
    else:
        os.environ["EMLP_CACHE_DIR"] = previous
