"""The `Group` data model: a matrix group given by Lie-algebra and discrete generators.

A group acting on R^d is described by two arrays of float64 matrices:

* ``lie_algebra``: shape ``(D, d, d)``, a basis of the Lie algebra of the identity
  component (``D == 0`` for a finite group);
* ``discrete_generators``: shape ``(M, d, d)``, invertible matrices that, together with
  the identity component, generate the whole group (``M == 0`` for a connected group).

Everything downstream (representations, the constraint solver, layers) needs only these
two arrays, so a user-defined group is as good as a built-in one.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np

from groups._arrays import real_float64
from groups.checks import check_bool, check_int, check_real, check_seed
from groups.elements import GroupElement, evaluate_word
from groups.lie_algebra import closure_residual

__all__ = ["Group"]

_FLAG_RTOL = 1e-10
DEFAULT_CLOSURE_TOL = 1e-6
"""Largest relative closure residual (see `groups.lie_algebra.closure_residual`) accepted
silently; approximate (learned) generators within it pass without a warning."""


def _as_generators(value, argument: str) -> np.ndarray | None:
    """Converts generators to a float64 array of shape (k, d, d), or None when absent."""
    if value is None:
        return None
    array = real_float64(value, argument, "an array of real matrices with shape (k, d, d)")
    if array.ndim != 3 or array.shape[1] != array.shape[2]:
        hint = " (wrap a single matrix A as [A])" if array.ndim == 2 else ""
        raise ValueError(
            f"{argument} must have shape (k, d, d), a stack of square matrices; "
            f"got shape {array.shape}{hint}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} contains non-finite values (nan or inf).")
    array = array + 0.0  # turns -0.0 into 0.0 so that equal groups hash equally
    array.setflags(write=False)
    return array


class Group:
    """A matrix group given by generators of its Lie algebra and discrete generators.

    Direct products are written ``G * H`` (see `groups.products.direct_product`).

    Args:
        lie_algebra: array-like ``(D, d, d)``, a basis of the Lie algebra (may be empty,
            ``D == 0``).
        discrete_generators: array-like ``(M, d, d)`` of invertible matrices (may be
            empty).
        name: a readable name used in ``repr``; it does not affect ``key``.
        strict: if True, a Lie algebra that does not close is an error instead of a
            warning.
        closure_tol: largest accepted relative closure residual ``max_ij
            |[A_i, A_j] - P[A_i, A_j]|_F / (|A_i|_F |A_j|_F)``, where ``P`` projects onto
            the span of the generators (default 1e-6, loose enough for learned generators).
        check_closure: if False, skip the closure check at construction (it costs about
            ``D^3 d^2`` flops: seconds for SO(30)). The built-in constructors and the direct
            product skip it because their algebras close by construction (the test suite
            checks every one); ``closure_residual`` is then computed when first read.

    Raises:
        ValueError: if a generator array is not a stack of square matrices, holds
            non-finite values, the two arrays disagree on ``d``, a discrete generator is
            singular, neither array is given (the dimension ``d`` is then unknown), or
            ``strict`` is set and the Lie algebra does not close; if ``closure_tol`` is
            not positive and finite.
        TypeError: if a generator array cannot be converted to float64, or is complex
            (realify complex matrices first, as `groups.U` does); if ``strict`` or
            ``check_closure`` is not a bool, or ``closure_tol`` not a real number.

    Warns:
        RuntimeWarning: if the Lie algebra does not close (``strict=False``), with the
            residual.

    Example:
        >>> import numpy as np
        >>> rotation = np.array([[[0.0, -1.0], [1.0, 0.0]]])
        >>> G = Group(lie_algebra=rotation, name="SO(2)")
        >>> G.d, G.lie_algebra.shape, G.discrete_generators.shape
        (2, (1, 2, 2), (0, 2, 2))
        >>> G.samples(3, seed=0).shape
        (3, 2, 2)
    """

    def __init__(
        self,
        lie_algebra=None,
        discrete_generators=None,
        name: str | None = None,
        *,
        strict: bool = False,
        closure_tol: float = DEFAULT_CLOSURE_TOL,
        check_closure: bool = True,
    ):
        strict = check_bool(strict, "strict")
        check_closure = check_bool(check_closure, "check_closure")
        closure_tol = check_real(closure_tol, "closure_tol", above=0)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None; got {type(name).__name__}.")
        algebra = _as_generators(lie_algebra, "lie_algebra")
        discrete = _as_generators(discrete_generators, "discrete_generators")
        dims = {
            arg: a.shape[1]
            for arg, a in (("lie_algebra", algebra), ("discrete_generators", discrete))
            if a is not None
        }
        if not dims:
            raise ValueError(
                "Group needs lie_algebra (D, d, d) or discrete_generators (M, d, d) to know "
                "the dimension d it acts on; for the trivial group pass an empty array "
                "such as np.zeros((0, d, d)) (or use Trivial(d))."
            )
        if len(set(dims.values())) > 1:
            raise ValueError(
                f"lie_algebra has shape {algebra.shape} but discrete_generators has shape "
                f"{discrete.shape}: both must act on the same R^d."
            )
        d = next(iter(dims.values()))
        if d == 0:
            raise ValueError("Group must act on R^d with d >= 1; got d = 0.")
        empty = np.zeros((0, d, d))
        empty.setflags(write=False)
        self._lie_algebra = algebra if algebra is not None else empty
        self._discrete_generators = discrete if discrete is not None else empty
        for index, h in enumerate(self._discrete_generators):
            rank = np.linalg.matrix_rank(h)
            if rank < d:
                raise ValueError(
                    f"discrete_generators[{index}] is singular (rank {rank} < d = {d}); "
                    "group elements must be invertible."
                )
        self._closure_residual: float | None = None
        if check_closure and self.closure_residual > closure_tol:
            message = (
                f"lie_algebra ({len(self._lie_algebra)} generators of shape ({d}, {d})) does "
                f"not close under the commutator: relative residual "
                f"{self._closure_residual:.2e} > closure_tol = {closure_tol:.1e} (expected "
                "every [A_i, A_j] to lie in the span of the generators)."
            )
            if strict:
                raise ValueError(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        self._name = name
        self._key: str | None = None
        self._is_orthogonal: bool | None = None

    # ----------------------------------------------------------------------------- data
    @property
    def d(self) -> int:
        """Dimension of the space R^d the group acts on."""
        return self._lie_algebra.shape[1]

    @property
    def lie_algebra(self) -> np.ndarray:
        """Lie-algebra basis, float64 ``(D, d, d)`` (read-only)."""
        return self._lie_algebra

    @property
    def discrete_generators(self) -> np.ndarray:
        """Discrete generators, float64 ``(M, d, d)`` (read-only)."""
        return self._discrete_generators

    @property
    def name(self) -> str | None:
        """The readable name given at construction (``None`` if none)."""
        return self._name

    @property
    def closure_residual(self) -> float:
        """Relative closure residual of the Lie algebra (computed once, then kept).

        See `groups.lie_algebra.closure_residual`; about 1e-15 for an exact algebra.
        """
        if self._closure_residual is None:
            self._closure_residual = closure_residual(self._lie_algebra)
        return self._closure_residual

    @property
    def key(self) -> str:
        """A stable hex digest of the generator values (not the name), used for caching."""
        if self._key is None:
            digest = hashlib.sha256()
            for label, array in (
                ("lie", self._lie_algebra),
                ("discrete", self._discrete_generators),
            ):
                digest.update(f"{label}{array.shape}".encode())
                digest.update(np.ascontiguousarray(array, dtype="<f8").tobytes())
            self._key = digest.hexdigest()
        return self._key

    @property
    def is_orthogonal(self) -> bool:
        """True when every generator preserves the Euclidean inner product.

        Then ``g^{-T} == g`` for every element, so the dual of a representation acts with
        the same matrices as the representation itself.
        """
        if self._is_orthogonal is None:
            identity = np.eye(self.d)
            antisymmetric = all(
                np.allclose(A, -A.T, atol=_FLAG_RTOL * max(1.0, np.abs(A).max()))
                for A in self._lie_algebra
            )
            orthogonal = all(
                np.allclose(h.T @ h, identity, atol=_FLAG_RTOL) for h in self._discrete_generators
            )
            self._is_orthogonal = antisymmetric and orthogonal
        return self._is_orthogonal

    @property
    def is_permutation(self) -> bool:
        """True when there is no Lie algebra and every discrete generator is a permutation."""
        if len(self._lie_algebra):
            return False
        for h in self._discrete_generators:
            if not (
                np.all((h == 0) | (h == 1)) and np.all(h.sum(0) == 1) and np.all(h.sum(1) == 1)
            ):
                return False
        return True

    # -------------------------------------------------------------------------- elements
    @property
    def lie_dimension(self) -> int:
        """Number ``D`` of Lie-algebra generators (0 for a finite group)."""
        return self._lie_algebra.shape[0]

    @property
    def num_discrete_generators(self) -> int:
        """Number ``M`` of discrete generators."""
        return self._discrete_generators.shape[0]

    def element_matrix(self, element) -> np.ndarray:
        """The ``(d, d)`` matrix of a `groups.GroupElement` of this group (a new array)."""
        return evaluate_word(element.steps, self._lie_algebra, self._discrete_generators, self.d)

    def lie_coefficients(self, A) -> np.ndarray:
        """Coefficients ``z`` ``(D,)`` of an algebra element ``A = sum_i z_i A_i`` ``(d, d)``.

        Raises:
            TypeError: for complex or string input.
            ValueError: for a wrong shape, non-finite entries, or a matrix outside the
                algebra (relative residual above ``1e-8``).

        Example:
            >>> from groups import SO
            >>> SO(3).lie_coefficients(2.0 * SO(3).lie_algebra[1])
            array([0., 2., 0.])
        """
        d = self.d
        A = real_float64(A, "A", f"a real ({d}, {d}) Lie-algebra element")
        if A.shape != (d, d) or not np.all(np.isfinite(A)):
            raise ValueError(
                f"A must be a finite ({d}, {d}) matrix of the Lie algebra of {self!r}; "
                f"got shape {A.shape}."
            )
        basis = self.lie_algebra.reshape(self.lie_dimension, -1).T
        if basis.shape[1] == 0:
            z = np.zeros(0)
        else:
            z = np.linalg.lstsq(basis, A.reshape(-1), rcond=None)[0]
        residual = np.linalg.norm(A.reshape(-1) - basis @ z) / max(np.linalg.norm(A), 1e-300)
        if residual > 1e-8:
            raise ValueError(
                f"A is not in the Lie algebra of {self!r} (relative distance {residual:.1e} "
                "from the span of group.lie_algebra)."
            )
        return z + 0.0

    # -------------------------------------------------------------------- finite groups
    def elements(self) -> np.ndarray:
        """Every element of a finite group: float64 ``(order, d, d)``, the identity first.

        See `groups.enumeration.element_table` (exact keys, order limit, errors).

        Example:
            >>> from groups import D
            >>> D(3).elements().shape
            (6, 2, 2)
        """
        from groups.enumeration import element_table

        return element_table(self).matrices

    def order(self) -> int:
        """The number of elements of a finite group (an exact Python int).

        Permutation groups use Schreier–Sims (`groups.schreier_sims`), without listing
        the elements; other finite groups are enumerated.

        Raises:
            ValueError: for a group with a Lie algebra, or a non-permutation group with
                more elements than `groups.enumeration.MAX_ENUMERATED_ORDER`.

        Example:
            >>> from groups import RubiksCube
            >>> RubiksCube().order()
            43252003274489856000
        """
        from groups.enumeration import _check_finite, element_table

        _check_finite(self)
        if self.is_permutation:
            from groups.schreier_sims import order

            return order(self)
        return element_table(self).order

    def conjugacy_classes(self):
        """Conjugacy classes of a finite group; see `groups.classes.conjugacy_classes`."""
        from groups.classes import conjugacy_classes

        return conjugacy_classes(self)

    def random_elements(
        self, n: int, seed: int = 0, word_length: int = 24, *, scale: float = 1.0
    ) -> list:
        """Draws ``n`` group elements as words (`groups.GroupElement`), like `samples`.

        Each element is ``exp(sum_i z_i A_i) h_1 ... h_L`` with ``z ~ N(0, scale**2 I)``
        and a random word of length ``L`` (uniform in ``0..word_length``) in the discrete
        generators and their inverses; ``samples`` returns the matrices of the same draws.
        Every representation acts on these words, including those known only by their
        generator images.

        Args:
            n: number of elements, an integer ``n >= 1``.
            seed: seed of the numpy ``Generator`` used, an integer ``>= 0``.
            word_length: largest word length in the discrete generators, ``>= 0``.
            scale: standard deviation of the Lie-algebra coefficients, ``>= 0``.

        Returns:
            list of ``n`` `groups.GroupElement`.

        Raises:
            TypeError: if ``n``, ``seed`` or ``word_length`` is not an integer (bools
                included), or ``scale`` is not a real number.
            ValueError: if ``n < 1``, ``seed < 0``, ``word_length < 0``, or ``scale`` is
                negative or not finite.

        Example:
            >>> from groups import O
            >>> g = O(3).random_elements(2, seed=1)
            >>> bool(np.allclose(np.stack([e.matrix() for e in g]), O(3).samples(2, seed=1)))
            True
        """
        n = check_int(n, "n", minimum=1, where="samples")
        word_length = check_int(word_length, "word_length", minimum=0, where="samples")
        seed = check_seed(seed, where="samples")
        scale = check_real(scale, "scale", minimum=0, where="samples")
        rng = np.random.default_rng(seed)
        lie, discrete = self.lie_dimension, self.num_discrete_generators
        out = []
        for _ in range(n):
            steps: list[tuple] = []
            if lie:
                z = scale * rng.standard_normal(lie)
                z.setflags(write=False)
                steps.append(("exp", z))
            if discrete:
                for _ in range(rng.integers(0, word_length + 1)):
                    letter = int(rng.integers(2 * discrete))
                    steps.append(("gen", letter % discrete, 1 if letter < discrete else -1))
            out.append(GroupElement(self, tuple(steps)))
        return out

    def samples(
        self, n: int, seed: int = 0, word_length: int = 24, *, scale: float = 1.0
    ) -> np.ndarray:
        """Draws ``n`` group elements as float64 matrices ``(n, d, d)``.

        Each element is ``expm(sum_i z_i A_i) @ h_1 @ ... @ h_L`` with
        ``z ~ N(0, scale**2 I)`` over the Lie-algebra basis and a random word of length
        ``L`` (uniform in ``0..word_length``) in the discrete generators and their
        inverses. Deterministic given ``seed``; global numpy randomness is never touched.
        These are the matrices of `random_elements` (same arguments, same draws).

        For a non-compact group (Lorentz, ``SL``, ``GL``, ``E6``) the size of an element
        grows like ``exp(scale * ...)``; lower ``scale`` to draw better-conditioned
        elements (e.g. for float32 equivariance checks).

        Args:
            n: number of samples, an integer ``n >= 1``.
            seed: seed of the numpy ``Generator`` used, an integer ``>= 0``.
            word_length: largest word length in the discrete generators, an integer
                ``>= 0``.
            scale: standard deviation of the Lie-algebra coefficients, ``>= 0``.

        Returns:
            float64 ``(n, d, d)``.

        Raises:
            TypeError: if ``n``, ``seed`` or ``word_length`` is not an integer (bools
                included), or ``scale`` is not a real number.
            ValueError: if ``n < 1``, ``seed < 0``, ``word_length < 0``, or ``scale`` is
                negative or not finite.

        Example:
            >>> from groups import O
            >>> g = O(3).samples(4, seed=1)
            >>> bool(np.allclose(g @ g.transpose(0, 2, 1), np.eye(3)))
            True
        """
        words = self.random_elements(n, seed, word_length, scale=scale)
        return np.stack([word.matrix() for word in words])

    # ---------------------------------------------------------------------------- dunder
    # The direct product is a subclass built in `groups.products`, which installs its
    # constructor here on import (the `groups` package always imports it), so this module
    # never imports the module that builds on it.
    _direct_product = None

    def __mul__(self, other):
        """``G * H``: the direct product acting on ``R^(G.d * H.d)`` by ``kron(g, h)``."""
        if not isinstance(other, Group):
            return NotImplemented
        return Group._direct_product(self, other)

    def __repr__(self) -> str:
        if self._name is not None:
            return self._name
        return (
            f"Group(d={self.d}, lie_algebra_dim={len(self._lie_algebra)}, "
            f"num_discrete_generators={len(self._discrete_generators)})"
        )

    def __eq__(self, other) -> bool:
        return isinstance(other, Group) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)
