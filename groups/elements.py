"""Group elements as words in the generators, so that every representation can act on them.

A `GroupElement` is a product of *steps*: exponentials ``expm(sum_i z_i A_i)`` of
Lie-algebra elements and letters ``h_k`` or ``h_k^{-1}`` of discrete generators. Any
representation known only by what it does to the generators (a custom representation
given by generator images, a representation of one factor of a direct product, a pullback)
acts on such a word by the same product of its images: ``expm(sum_i z_i drho(A_i))`` and
``rho(h_k)^{±1}``. ``element.matrix()`` is the action on the group's own space ``R^d``.

`groups.Group.random_elements` draws words with the same random stream as
`groups.Group.samples`, so ``np.stack([e.matrix() for e in G.random_elements(n, seed)])`` equals
``G.samples(n, seed)`` exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg

from groups._arrays import real_float64
from groups.checks import check_int

if TYPE_CHECKING:  # pragma: no cover
    from groups.group import Group

__all__ = ["GroupElement", "evaluate_word"]


def evaluate_word(steps: tuple, lie_images: np.ndarray, discrete_images: np.ndarray, size: int):
    """The product of the images of ``steps``: float64 ``(size, size)``.

    Args:
        steps: ``("exp", z)`` with ``z`` of shape ``(D,)``, or ``("gen", k, power)`` with
            ``power`` in ``{1, -1}``.
        lie_images: ``(D, size, size)``, the images of the Lie-algebra generators.
        discrete_images: ``(M, size, size)``, the images of the discrete generators.
        size: the dimension of the representation.
    """
    result = None
    inverses: dict[int, np.ndarray] = {}
    for step in steps:
        if step[0] == "exp":
            factor = scipy.linalg.expm(np.tensordot(step[1], lie_images, axes=1))
        elif step[2] > 0:
            factor = discrete_images[step[1]]
        else:
            if step[1] not in inverses:
                inverses[step[1]] = np.linalg.inv(discrete_images[step[1]])
            factor = inverses[step[1]]
        result = factor if result is None else result @ factor
    return np.eye(size) if result is None else np.array(result, dtype=np.float64)


class GroupElement:
    """An element of ``group``: a word in exponentials of its algebra and its discrete generators.

    Build elements with `GroupElement.exp`, `GroupElement.generator`,
    `GroupElement.identity`, ``@`` (product) and `inverse`, or draw them with
    `groups.Group.random_elements`. Representations act on them with ``rep.rho(element)``.

    Attributes:
        group: the `groups.Group` the element belongs to.
        steps: tuple of ``("exp", z)`` (``z`` float64 ``(D,)``, read-only) and
            ``("gen", k, power)`` (``power`` is 1 or -1), multiplied left to right.

    Example:
        >>> from groups import O
        >>> G = O(2)
        >>> g = GroupElement.exp(G, [0.5]) @ GroupElement.generator(G, 0)
        >>> bool(np.allclose(g.matrix() @ g.inverse().matrix(), np.eye(2)))
        True
    """

    __slots__ = ("group", "steps", "_matrix")

    def __init__(self, group: Group, steps: tuple = ()):
        from groups.group import Group  # elements are defined before the data model

        if not isinstance(group, Group):
            raise TypeError(f"GroupElement needs a groups.Group; got {type(group).__name__}.")
        self.group = group
        self.steps = tuple(steps)
        self._matrix = None

    # ----------------------------------------------------------------------- builders
    @classmethod
    def identity(cls, group: Group) -> GroupElement:
        """The identity element of ``group`` (the empty word)."""
        return cls(group, ())

    @classmethod
    def exp(cls, group: Group, coefficients) -> GroupElement:
        """``expm(sum_i z_i A_i)`` for coefficients ``z`` ``(D,)`` in the group's algebra basis.

        Raises:
            TypeError: for complex or string coefficients.
            ValueError: if ``z`` does not have shape ``(D,)`` or is not finite.
        """
        dim = group.lie_dimension
        z = real_float64(coefficients, "coefficients", f"a real vector of length {dim}")
        if z.shape != (dim,):
            raise ValueError(
                f"GroupElement.exp needs {dim} coefficients for {group!r} (one per Lie-algebra "
                f"generator); got shape {z.shape}."
            )
        if not np.all(np.isfinite(z)):
            raise ValueError("GroupElement.exp needs finite coefficients; got nan or inf.")
        z = z.copy()
        z.setflags(write=False)
        return cls(group, (("exp", z),))

    @classmethod
    def generator(cls, group: Group, index: int, inverse: bool = False) -> GroupElement:
        """The discrete generator ``h_index`` of ``group`` (or its inverse).

        Raises:
            TypeError: if ``index`` is not an integer.
            ValueError: if ``index`` is outside ``range(M)``.
        """
        count = group.num_discrete_generators
        index = check_int(index, "index", where="GroupElement.generator")
        if not 0 <= index < count:
            raise ValueError(
                f"{group!r} has {count} discrete generators; index {index} is out of range."
            )
        return cls(group, (("gen", index, -1 if inverse else 1),))

    # ---------------------------------------------------------------------- algebra
    def __matmul__(self, other: GroupElement) -> GroupElement:
        if not isinstance(other, GroupElement):
            return NotImplemented
        if other.group != self.group:
            raise ValueError(
                f"cannot multiply an element of {self.group!r} by one of {other.group!r}."
            )
        return GroupElement(self.group, self.steps + other.steps)

    def inverse(self) -> GroupElement:
        """The inverse word (steps reversed, each inverted)."""
        inverted = []
        for step in reversed(self.steps):
            if step[0] == "exp":
                z = -step[1]
                z.setflags(write=False)
                inverted.append(("exp", z))
            else:
                inverted.append(("gen", step[1], -step[2]))
        return GroupElement(self.group, tuple(inverted))

    # ------------------------------------------------------------------------ actions
    def act(self, lie_images: np.ndarray, discrete_images: np.ndarray) -> np.ndarray:
        """The matrix of this element in a representation given by its generator images.

        Args:
            lie_images: ``(D, n, n)``, the images of the group's Lie-algebra generators.
            discrete_images: ``(M, n, n)``, the images of its discrete generators.

        Returns:
            float64 ``(n, n)``.
        """
        return evaluate_word(self.steps, lie_images, discrete_images, lie_images.shape[-1])

    def matrix(self) -> np.ndarray:
        """The action on ``R^d``: float64 ``(d, d)`` (computed once, read-only)."""
        if self._matrix is None:
            matrix = self.group.element_matrix(self)
            matrix.setflags(write=False)
            self._matrix = matrix
        return self._matrix

    def __repr__(self) -> str:
        return f"GroupElement({self.group!r}, {len(self.steps)} steps)"
