"""Fixtures shared by the discovery tests."""

import numpy as np
import pytest
import scipy.linalg


def _largest_angle(a, b) -> float:
    """Largest principal angle (radians) between the spans of two stacks (k, d, d)."""
    a, b = np.asarray(a), np.asarray(b)
    return float(
        scipy.linalg.subspace_angles(a.reshape(len(a), -1).T, b.reshape(len(b), -1).T).max()
    )


@pytest.fixture
def largest_angle():
    return _largest_angle
