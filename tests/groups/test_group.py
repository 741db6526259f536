import numpy as np
import pytest

from groups import SO, Group, O, S, Trivial, Z

BUILTINS = [SO(2), SO(3), SO(5), O(1), O(3), O(5), S(1), S(2), S(5), Z(1), Z(6), Trivial(3)]


@pytest.mark.parametrize("G", BUILTINS, ids=repr)
def test_generators_are_float64_and_read_only(G):
    assert G.lie_algebra.dtype == np.float64 and G.discrete_generators.dtype == np.float64
    assert G.lie_algebra.shape[1:] == (G.d, G.d) and G.discrete_generators.shape[1:] == (G.d, G.d)
    with pytest.raises(ValueError):
        G.lie_algebra[...] = 0.0


@pytest.mark.parametrize("G", [SO(2), SO(3), SO(5), O(3), O(5)], ids=repr)
def test_orthogonal_groups_preserve_the_metric(G):
    for A in G.lie_algebra:
        np.testing.assert_allclose(A + A.T, 0)
    for g in G.samples(10, seed=3):
        np.testing.assert_allclose(g.T @ g, np.eye(G.d), atol=1e-12)
    if repr(G).startswith("SO"):
        np.testing.assert_allclose(np.linalg.det(G.samples(10)), 1.0, atol=1e-12)


def test_o_contains_reflections():
    dets = np.linalg.det(O(4).samples(40, seed=1))
    np.testing.assert_allclose(np.abs(dets), 1.0, atol=1e-12)
    assert (dets < 0).any() and (dets > 0).any()


def test_so_n_has_the_right_algebra_dimension():
    for n in range(1, 7):
        assert SO(n).lie_algebra.shape[0] == n * (n - 1) // 2


@pytest.mark.parametrize("G", [S(2), S(5), Z(6)], ids=repr)
def test_permutation_groups_sample_permutations(G):
    assert G.is_permutation
    for g in G.samples(20, seed=2):
        assert set(np.unique(g)) <= {0.0, 1.0}
        np.testing.assert_array_equal(g.sum(0), 1)
        np.testing.assert_array_equal(g.sum(1), 1)


def test_s_n_samples_reach_many_permutations():
    perms = {tuple(np.argmax(g, axis=0)) for g in S(4).samples(400, seed=0)}
    assert len(perms) == 24  # S(4) is generated: all 24 elements appear


def test_z_n_samples_are_cyclic_shifts():
    shifts = {tuple(np.argmax(g, axis=0)) for g in Z(5).samples(100, seed=0)}
    assert shifts == {tuple(np.roll(np.arange(5), k)) for k in range(5)}


def test_trivial_group_has_only_the_identity():
    np.testing.assert_array_equal(Trivial(3).samples(4), np.broadcast_to(np.eye(3), (4, 3, 3)))


def test_samples_are_deterministic_per_seed():
    G = O(3)
    np.testing.assert_array_equal(G.samples(5, seed=7), G.samples(5, seed=7))
    assert not np.allclose(G.samples(5, seed=7), G.samples(5, seed=8))


def test_key_depends_on_values_not_name():
    A = SO(3).lie_algebra
    assert Group(lie_algebra=A, name="a").key == Group(lie_algebra=A.copy(), name="b").key
    assert Group(lie_algebra=A).key != Group(lie_algebra=2 * A).key
    assert Group(lie_algebra=A) == SO(3) and hash(Group(lie_algebra=A)) == hash(SO(3))
    assert SO(3) != O(3) and SO(3).key != SO(4).key


def test_key_is_stable_across_processes():
    # sha256 of the float64 bytes: a fixed value, not Python's randomised hash
    assert Trivial(1).key == Group(lie_algebra=np.zeros((0, 1, 1))).key
    assert len(SO(3).key) == 64


def test_repr_is_readable():
    assert repr(SO(3)) == "SO(3)" and repr(S(5)) == "S(5)"
    assert repr(Group(lie_algebra=SO(3).lie_algebra)) == (
        "Group(d=3, lie_algebra_dim=3, num_discrete_generators=0)"
    )


def test_flags():
    assert SO(3).is_orthogonal and not SO(3).is_permutation
    shear = Group(lie_algebra=[[[0.0, 1.0], [0.0, 0.0]]])
    assert not shear.is_orthogonal


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "needs lie_algebra"),
        (
            {"lie_algebra": np.zeros((3, 3))},
            r"lie_algebra must have shape \(k, d, d\).*got shape \(3, 3\).*\[A\]",
        ),
        ({"lie_algebra": np.zeros((1, 2, 3))}, r"got shape \(1, 2, 3\)"),
        ({"discrete_generators": np.zeros((2,))}, r"discrete_generators must have shape"),
        ({"lie_algebra": np.full((1, 2, 2), np.nan)}, "non-finite"),
        ({"discrete_generators": [[[np.inf, 0], [0, 1]]]}, "non-finite"),
        ({"lie_algebra": np.zeros((1, 2, 2)), "discrete_generators": np.eye(3)[None]}, "same R"),
        ({"discrete_generators": [[[1.0, 0.0], [1.0, 0.0]]]}, "singular"),
        ({"lie_algebra": np.zeros((0, 0, 0))}, "d >= 1"),
    ],
)
def test_validation_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Group(**kwargs)


def test_non_numeric_generators_are_a_type_error():
    with pytest.raises(TypeError, match="lie_algebra"):
        Group(lie_algebra=[["a"]])


def test_ragged_generators_are_a_type_error_naming_the_expected_shape():
    with pytest.raises(TypeError, match=r"lie_algebra must be .*shape \(k, d, d\).*list"):
        Group(lie_algebra=[np.eye(2), np.eye(3)])


def test_complex_generators_are_refused_not_truncated():
    """numpy would cast i*sigma_x to the zero matrix; the group must refuse it instead."""
    i_sigma_x = np.array([[[0.0, 1j], [1j, 0.0]]])
    with pytest.raises(TypeError, match=r"lie_algebra .*complex array of shape \(1, 2, 2\)"):
        Group(lie_algebra=i_sigma_x)
    with pytest.raises(TypeError, match="discrete_generators .*Realify"):
        Group(discrete_generators=[np.diag([1.0, 1j])])
    real_valued = SO(2).lie_algebra.astype(np.complex128)  # zero imaginary parts: accepted
    assert Group(lie_algebra=real_valued) == SO(2)


@pytest.mark.parametrize(
    "value",
    [
        np.array([[["0", "-1"], ["1", "0"]]]),  # numpy would parse these as numbers
        [[["0", "-1"], ["1", "0"]]],
        np.array([[[0.0, "-1"], [1.0, 0.0]]], dtype=object),
        [[[b"0", b"-1"], [b"1", b"0"]]],
    ],
)
def test_string_generators_are_refused_not_parsed(value):
    with pytest.raises(TypeError, match="lie_algebra must be .*got strings"):
        Group(lie_algebra=value)
    with pytest.raises(TypeError, match="discrete_generators must be .*got strings"):
        Group(discrete_generators=value)


@pytest.mark.parametrize("ctor", [SO, O, S, Z, Trivial])
def test_builtin_argument_errors(ctor):
    with pytest.raises(ValueError, match=">= 1"):
        ctor(0)
    with pytest.raises(TypeError, match="integer"):
        ctor(2.5)


@pytest.mark.parametrize("ctor", [SO, O, S, Z])
def test_builtin_sizes_too_large_to_allocate_are_refused_at_once(ctor):
    """SO(10**6) would need 4e18 bytes: refused before anything is allocated."""
    with pytest.raises(ValueError, match=r"with n = 1000000 needs .* bytes, more than the limit"):
        ctor(10**6)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n": -1}, ValueError, "samples: n must be an integer >= 1; got -1"),
        ({"n": 0}, ValueError, "n must be an integer >= 1; got 0"),
        ({"n": 1.5}, TypeError, "n must be an integer >= 1; got float 1.5"),
        ({"n": True}, TypeError, "n must be an integer >= 1; got bool"),
        ({"n": np.True_}, TypeError, "n must be an integer >= 1; got bool"),
        ({"n": 2, "seed": -1}, ValueError, "seed must be an integer >= 0; got -1"),
        ({"n": 2, "seed": 0.5}, TypeError, "seed must be an integer >= 0; got float"),
        ({"n": 2, "seed": None}, TypeError, "seed must be an integer >= 0; got None"),
        ({"n": 2, "word_length": -1}, ValueError, "word_length must be an integer >= 0; got -1"),
        ({"n": 2, "scale": "1"}, TypeError, "scale must be a finite real number >= 0; got str"),
        ({"n": 2, "scale": -1}, ValueError, "scale must be a finite real number >= 0; got -1.0"),
        ({"n": 2, "scale": np.inf}, ValueError, "scale must be a finite real number >= 0; got inf"),
    ],
)
def test_samples_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        O(3).samples(**kwargs)


# ------------------------------------------------------------------ closure and options
def _not_closing():
    """E12 and E21 close only together with E11 - E22, which is missing."""
    return np.array([[[0.0, 1.0], [0.0, 0.0]], [[0.0, 0.0], [1.0, 0.0]]])


def test_an_algebra_that_does_not_close_warns_with_its_residual():
    with pytest.warns(RuntimeWarning, match=r"does not close.*residual 1\.41e\+00"):
        G = Group(lie_algebra=_not_closing())
    assert G.closure_residual == pytest.approx(np.sqrt(2.0))  # |E11 - E22| / (|E12| |E21|)


def test_strict_mode_refuses_an_algebra_that_does_not_close():
    with pytest.raises(ValueError, match=r"2 generators of shape \(2, 2\).*does not close"):
        Group(lie_algebra=_not_closing(), strict=True)
    closed = np.concatenate([_not_closing(), [[[1.0, 0.0], [0.0, -1.0]]]])
    assert Group(lie_algebra=closed, strict=True).closure_residual < 1e-15


def test_closure_check_can_be_skipped_and_is_then_computed_when_read():
    G = Group(lie_algebra=_not_closing(), check_closure=False)  # no warning
    assert G.closure_residual == pytest.approx(np.sqrt(2.0))


def test_closure_tolerance_admits_approximate_generators():
    rng = np.random.default_rng(0)
    noisy = SO(3).lie_algebra + 1e-4 * rng.standard_normal((3, 3, 3))
    with pytest.warns(RuntimeWarning, match="does not close"):
        Group(lie_algebra=noisy)
    assert Group(lie_algebra=noisy, closure_tol=1e-2).closure_residual > 1e-6


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"strict": "yes"}, TypeError, "strict must be True or False"),
        ({"check_closure": 1}, TypeError, "check_closure must be True or False; got int 1"),
        ({"closure_tol": 0.0}, ValueError, "closure_tol must be a finite real number > 0"),
        ({"closure_tol": float("nan")}, ValueError, "closure_tol must be a finite real number"),
        ({"closure_tol": True}, TypeError, "closure_tol must be a finite real number > 0; got bo"),
        ({"name": 3}, TypeError, "name must be a string"),
    ],
)
def test_option_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        Group(lie_algebra=SO(2).lie_algebra, **kwargs)


def test_sample_scale_controls_the_size_of_elements():
    from groups import SO13p

    G = SO13p()
    small = np.linalg.norm(G.samples(20, seed=0, scale=0.1), axis=(1, 2)).max()
    large = np.linalg.norm(G.samples(20, seed=0, scale=2.0), axis=(1, 2)).max()
    assert small < 3.0 < large
    np.testing.assert_array_equal(G.samples(2, scale=0.0), np.broadcast_to(np.eye(4), (2, 4, 4)))
    with pytest.raises(ValueError, match="scale"):
        G.samples(1, scale=-1.0)
    with pytest.raises(ValueError, match="scale"):
        G.samples(1, scale=np.inf)


def test_group_times_non_group_is_a_type_error():
    with pytest.raises(TypeError):
        SO(3) * 2
    with pytest.raises(TypeError):
        SO(3) * np.eye(3)
