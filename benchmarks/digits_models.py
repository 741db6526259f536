"""Data, models and training of ``python -m benchmarks.digits``.

* Data: scikit-learn's bundled part of the UCI "Optical Recognition of Handwritten Digits"
  set (`sklearn.datasets.load_digits`: 1,797 images of 8x8 pixels, counts 0..16), scaled
  to ``[0, 1]``. `digits_split` holds out a fixed, class-balanced test set of `N_TEST`
  images; the other `N_POOL` form the pool that `training_subset` draws from, per seed in
  a class-balanced order, so a smaller training set is a subset of a larger one.
* Symmetries: `translations` is ``ZksZnxZn(1, 8)``, the 64 cyclic translations of the
  8x8 torus, acting on the 64 pixels by permutations; intensity scaling ``x -> c x``
  (``c > 0``) is a symmetry of the predicted class of every ReLU model without biases
  (its logits are positively homogeneous of degree 1).
* Models (`build_model`): ``mlp`` and ``mlp_aug`` (one hidden ReLU layer; ``mlp_aug``
  sees every training image under a random translation at every step), ``regular``
  (`layers.regular`: ``ch`` copies of ``V``, pointwise ReLU, then 10 invariant logits),
  ``emlp`` (`layers.core.emlp_plan` with ``ch`` copies of ``V``: gated nonlinearity and
  bilinear layer) and ``gsnn`` (every accepted invariant shallow architecture of
  `emlp_core.shallow.enumerate_invariant_shallow`, one channel each, 10 output weights
  per channel). Each exists with and without biases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "N_TEST",
    "N_POOL",
    "MODELS",
    "DigitsSplit",
    "load_digits_arrays",
    "digits_split",
    "training_indices",
    "training_subset",
    "translations",
    "translation_indices",
    "DigitsModel",
    "build_model",
]

N_IMAGES = 1797
N_TEST = 497
N_POOL = N_IMAGES - N_TEST
"""Images training sets are drawn from: 1,300."""
MODELS = ("mlp", "mlp_aug", "regular", "emlp", "gsnn")
CLASSES = 10


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits: images ``(1797, 64)`` float32 in ``[0, 1]``, labels ``(1797,)`` int32.

    Raises:
        ImportError: scikit-learn is missing (install the ``benchmarks`` extra).

    Example:
        >>> x, y = load_digits_arrays()
        >>> x.shape, y.shape, float(x.max()), sorted(set(y.tolist())) == list(range(10))
        ((1797, 64), (1797,), 1.0, True)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            "benchmarks.digits needs scikit-learn for its data (sklearn.datasets.load_digits); "
            "install it with: pip install -e '.[benchmarks]'"
        ) from error
    data = load_digits()
    return (data.data / 16.0).astype(np.float32), data.target.astype(np.int32)


def _balanced_order(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``labels`` taking the classes in turn, each class in a random order."""
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    rank = np.empty(len(labels))
    for members in per_class:
        rank[members] = np.arange(len(members)) + rng.random(len(members)) * 0.5
    return np.argsort(rank, kind="stable")


@dataclass(frozen=True)
class DigitsSplit:
    """The fixed test set and the pool training sets are drawn from.

    Attributes:
        pool_x: ``(N_POOL, 64)`` float32; pool_y: ``(N_POOL,)`` int32.
        test_x: ``(N_TEST, 64)`` float32; test_y: ``(N_TEST,)`` int32.
    """

    pool_x: np.ndarray
    pool_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def digits_split() -> DigitsSplit:
    """The split every run uses: a class-balanced test set fixed by seed 0.

    Example:
        >>> split = digits_split()
        >>> split.pool_x.shape, split.test_x.shape, int(np.bincount(split.test_y).min())
        ((1300, 64), (497, 64), 49)
    """
    x, y = load_digits_arrays()
    order = _balanced_order(y, np.random.default_rng([2019, 0]))
    test, pool = order[:N_TEST], np.sort(order[N_TEST:])
    return DigitsSplit(x[pool], y[pool], x[test], y[test])


def training_indices(split: DigitsSplit, size: int, seed: int) -> np.ndarray:
    """Pool indices ``(size,)`` int64 of the first ``size`` images in seed ``seed``'s
    class-balanced order (so smaller training sets are subsets of larger ones).

    Raises:
        TypeError: ``size`` or ``seed`` is not an integer.
        ValueError: ``size < 1``, ``size`` larger than the pool, or ``seed < 0``.
    """
    from groups.checks import check_int, check_seed

    size = check_int(size, "size", minimum=1, where="training_subset")
    seed = check_seed(seed, "seed", where="training_subset")
    available = len(split.pool_y)
    if size > available:
        raise ValueError(
            f"training_subset: size = {size} is larger than the {available} images left for "
            f"training ({N_IMAGES} digits minus a test set of {len(split.test_y)}); expected "
            f"a size in [1, {available}]."
        )
    return _balanced_order(split.pool_y, np.random.default_rng([seed, 1]))[:size]


def training_subset(split: DigitsSplit, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training set of `training_indices`: ``(x (size, 64) float32, y (size,) int32)``.

    Example:
        >>> x, y = training_subset(digits_split(), 50, seed=0)
        >>> x.shape, np.bincount(y).tolist()
        ((50, 64), [5, 5, 5, 5, 5, 5, 5, 5, 5, 5])
    """
    order = training_indices(split, size, seed)
    return split.pool_x[order], split.pool_y[order]


def translations():
    """``ZksZnxZn(1, 8)``: the 64 cyclic translations of the 8x8 torus, on the 64 pixels."""
    from groups import ZksZnxZn

    return ZksZnxZn(1, 8)


def translation_indices(group) -> np.ndarray:
    """``(|G|, 64)`` int32 gathers: ``x[:, idx[g]] == x @ rho(g).T`` for each element ``g``.

    Example:
        >>> idx = translation_indices(translations())
        >>> idx.shape, sorted(idx[5].tolist()) == list(range(64))
        ((64, 64), True)
    """
    return np.argmax(group.elements(), axis=2).astype(np.int32)


@dataclass(frozen=True, eq=False)
class DigitsModel:
    """A classifier ``(n, 64) -> (n, 10)`` logits with its initialisation.

    Attributes:
        name: one of `MODELS`; biases: whether it has bias terms.
        init: ``key -> params``, jitted (one compilation, not one per random draw).
        apply: ``(params, x) -> logits``.
        augment: train on randomly translated images (``mlp_aug``).
        symmetries: the exact symmetries of its predicted class, by construction.
        width: hidden units (``mlp``) or copies of ``V`` (``regular``, ``emlp``) or
            hidden neurons (``gsnn``).
    """

    name: str
    biases: bool
    init: Callable
    apply: Callable
    augment: bool = False
    symmetries: tuple = field(default=())
    width: int = 0

    def num_params(self) -> int:
        """Trainable scalars, from the shapes of ``init`` (nothing is drawn)."""
        shapes = jax.eval_shape(self.init, jax.random.PRNGKey(0))
        return int(sum(np.prod(s.shape) for s in jax.tree_util.tree_leaves(shapes)))


def _mlp(width: int, biases: bool):
    def init(key):
        k0, k1 = jax.random.split(key)
        tree = {
            "hidden": {"w": jax.random.normal(k0, (64, width)) / 8.0},
            "out": {"w": jax.random.normal(k1, (width, CLASSES)) * np.sqrt(2.0 / width)},
        }
        if biases:
            tree["hidden"]["b"] = jnp.zeros(width)
            tree["out"]["b"] = jnp.zeros(CLASSES)
        return tree

    def apply(p, x):
        h = x @ p["hidden"]["w"] + p["hidden"].get("b", 0.0)
        return jax.nn.relu(h) @ p["out"]["w"] + p["out"].get("b", 0.0)

    return init, apply


def _without_biases(init_fn, apply_fn):
    """Drops the ``bias->...`` parameters of a toolkit model; they stay zero constants."""

    def split(tree):
        kept = {
            s: {n: a for n, a in v.items() if not n.startswith("bias->")} for s, v in tree.items()
        }
        zeros = {s: {n: jnp.zeros_like(a) for n, a in v.items() if n.startswith("bias->")}
                 for s, v in tree.items()}  # fmt: skip
        return kept, zeros

    _, zeros = split(jax.eval_shape(init_fn, jax.random.PRNGKey(0)))
    zeros = jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), zeros)

    def apply(p, x):
        return apply_fn({s: {**p.get(s, {}), **zeros[s]} for s in zeros}, x)

    return (lambda key: split(init_fn(key))[0]), apply


def _toolkit(name: str, group, copies: int, biases: bool):
    from emlp_core import Scalar, V

    if name == "regular":
        from layers.regular import regular_mlp_apply, regular_mlp_init, regular_mlp_plan

        plan = regular_mlp_plan(V, CLASSES * Scalar, group, ch=copies * V, activation="relu")
        init, apply = regular_mlp_init, regular_mlp_apply
    else:
        from layers.core import emlp_apply, emlp_init, emlp_plan

        plan = emlp_plan(V, CLASSES * Scalar, group, ch=[copies * V], num_layers=1)
        init, apply = emlp_init, emlp_apply
    init_fn, apply_fn = (lambda key: init(plan, key)), (lambda p, x: apply(plan, p, x))
    return (init_fn, apply_fn) if biases else _without_biases(init_fn, apply_fn)


def _gsnn(group, biases: bool):
    """Every accepted architecture, one channel, 10 output weights; grouped by shape."""
    from emlp_core.shallow import enumerate_invariant_shallow
    from layers.shallow import shallow_plan

    plan = shallow_plan([a for a in enumerate_invariant_shallow(group) if a.accepted])
    members = defaultdict(list)
    for arch, rows in zip(plan.architectures, plan.rows, strict=True):
        members[(arch.type, rows.shape[0], rows.shape[2])].append(rows)
    stacks = {f"type{t}_width{w}_dim{k}": (t, jnp.asarray(np.stack(r), jnp.float32))
              for (t, w, k), r in members.items()}  # fmt: skip
    units = sum(r.shape[0] * r.shape[1] for _, r in stacks.values())

    shapes = [(a, k) for _, (_, r) in stacks.items() for a, k in [(r.shape[0], r.shape[3])]]

    def init(key):  # one normal draw, cut into pieces: one random op to compile
        sizes = [n for a, k in shapes for n in (a * k, a * CLASSES)]
        draw = jnp.split(jax.random.normal(key, (sum(sizes),)), np.cumsum(sizes)[:-1])
        tree = {}
        for j, (scope, (kind, _)) in enumerate(stacks.items()):
            a, k = shapes[j]
            tree[scope] = {
                "weight_coefficients": draw[2 * j].reshape(a, k) / np.sqrt(k),
                "output_weight": draw[2 * j + 1].reshape(a, CLASSES) / np.sqrt(units),
            }
            if biases and kind == 1:
                tree[scope]["bias"] = jnp.zeros(a)
        if biases:
            tree["out"] = {"bias": jnp.zeros(CLASSES)}
        return tree

    def apply(p, x):
        logits = p["out"]["bias"] if biases else 0.0
        for scope, (kind, rows) in stacks.items():
            q = p[scope]
            weights = jnp.einsum("atik,ak->ati", rows, q["weight_coefficients"])
            z = jnp.einsum("ni,ati->nat", x, weights)
            if kind == 1:
                h = jax.nn.relu(z + q["bias"][:, None]) if biases else jax.nn.relu(z)
            else:
                h = jnp.abs(z)  # ReLU(z) + ReLU(-z), no bias (type 2)
            logits = logits + jnp.einsum("na,ac->nc", h.sum(-1), q["output_weight"])
        return logits

    return init, apply, units


def build_model(name: str, biases: bool = True, *, width: int = 64, copies: int = 16,
                group=None) -> DigitsModel:  # fmt: skip
    """One of `MODELS`, with or without biases.

    Args:
        name: ``"mlp"``, ``"mlp_aug"``, ``"regular"``, ``"emlp"`` or ``"gsnn"``.
        biases: keep the bias terms (without them, ReLU models are scale-equivariant).
        width: hidden units of the MLPs; copies: copies of ``V`` in the hidden layer of
            ``regular`` and ``emlp``.
        group: the translation group (`translations` when None).

    Raises:
        ValueError: an unknown ``name``. TypeError/ValueError: a bad ``width``/``copies``.

    Example:
        >>> build_model("regular", copies=2).num_params()  # 2*64 + 2 + 10*2 + 10
        160
        >>> build_model("mlp", biases=False, width=8).num_params()  # 64*8 + 8*10
        592
    """
    from groups.checks import check_int

    if name not in MODELS:
        raise ValueError(f"build_model: name must be one of {MODELS}; got {name!r}.")
    biases = bool(biases)
    width = check_int(width, "width", minimum=1, where="build_model")
    copies = check_int(copies, "copies", minimum=1, where="build_model")
    scaling = () if biases else ("scaling",)
    if name in ("mlp", "mlp_aug"):
        init, apply = _mlp(width, biases)
        return DigitsModel(name, biases, jax.jit(init), apply, name == "mlp_aug", scaling, width)
    group = translations() if group is None else group
    if name == "gsnn":
        init, apply, units = _gsnn(group, biases)
        exact = ("translations", *scaling)
        return DigitsModel(name, biases, jax.jit(init), apply, False, exact, units)
    init, apply = _toolkit(name, group, copies, biases)
    exact = ("translations", *scaling) if name == "regular" else ("translations",)
    return DigitsModel(name, biases, jax.jit(init), apply, False, exact, copies)
