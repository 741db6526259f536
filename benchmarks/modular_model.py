"""The one-layer transformer of the grokking study (Nanda et al. 2023) on addition mod p.

Nanda, Chan, Lieberum, Smith & Steinhardt, "Progress measures for grokking via
mechanistic interpretability", ICLR 2023 (arXiv 2301.05217). The configuration is the
authors' (`ModularConfig`): inputs ``a b =`` (vocabulary ``p + 1``, the ``=`` token is
``p``), one layer with ``d_model = 128``, 4 heads of ``d_head = 32``, a ReLU MLP of 512
neurons, no LayerNorm, learned positional embeddings, untied embedding and unembedding,
``x = x + attn(x); x = x + mlp(x)``, logits of ``p + 1`` entries read at the ``=``
position. Weights are ``normal(0, 1/sqrt(d_model))`` (the unembedding
``1/sqrt(p + 1)``), biases (MLP only) zero. Training (`benchmarks.modular`, through
`layers.training.train`) is full-batch AdamW (`make_optimizer`), ``lr = 1e-3``, weight
decay 1, ``betas = (0.9, 0.98)``, the step size ramped linearly as ``lr * min(step / 10,
1)`` (zero at the first step, as the authors' ``LambdaLR``), on a random ``frac = 0.3``
of the ``p**2`` pairs (`modular_data`).

Only the logits at the last position are ever used, so `ModularTransformer` computes the
query, the attention output, the MLP and the unembedding at the last position only, and
the keys, values and query as per-(position, token) tables gathered by the tokens (the
embedding is linear in the one-hot tokens): the same function as the causal
all-positions model (``all_positions=True``, kept as the reference). At ``p = 113`` on 2
CPU cores a training step drops from about 0.17 s (keys and values projected per pair)
to 0.11-0.13 s; the MLP on 3830 pairs is most of what remains.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax

from groups.checks import check_int, check_real, check_seed

__all__ = [
    "ModularConfig",
    "ModularData",
    "ModularTransformer",
    "modular_data",
    "training_size",
    "modular_model",
    "init_params",
    "count_params",
    "make_optimizer",
    "cross_entropy",
]


def _check_prime(p) -> int:
    from analysis.modular import check_prime

    return check_prime(p)


@dataclasses.dataclass(frozen=True)
class ModularConfig:
    """The task, the transformer and the optimiser; the defaults are the paper's.

    Attributes:
        p: the modulus, a prime; the vocabulary is ``p + 1`` tokens (``=`` is ``p``).
        frac: fraction of the ``p**2`` pairs used for training, in ``(0, 1)``.
        d_model: residual width.
        n_heads: attention heads.
        d_head: width of one head.
        d_mlp: MLP neurons.
        lr: peak AdamW step size.
        weight_decay: AdamW's decoupled weight decay.
        beta1: AdamW's first-moment decay.
        beta2: AdamW's second-moment decay.
        warmup_steps: steps of the linear warm-up.

    Raises:
        ValueError, TypeError: as `groups.checks` (``p`` not prime: ValueError).

    Example:
        >>> ModularConfig(p=7).d_vocab, ModularConfig().n_ctx
        (8, 3)
    """

    p: int = 113
    frac: float = 0.3
    d_model: int = 128
    n_heads: int = 4
    d_head: int = 32
    d_mlp: int = 512
    lr: float = 1e-3
    weight_decay: float = 1.0
    beta1: float = 0.9
    beta2: float = 0.98
    warmup_steps: int = 10

    def __post_init__(self):
        where = "ModularConfig"
        _check_prime(self.p)
        check_real(self.frac, "frac", above=0, below=1, where=where)
        for name in ("d_model", "n_heads", "d_head", "d_mlp"):
            check_int(getattr(self, name), name, minimum=1, where=where)
        check_real(self.lr, "lr", above=0, where=where)
        check_real(self.weight_decay, "weight_decay", minimum=0, where=where)
        check_real(self.beta1, "beta1", minimum=0, below=1, where=where)
        check_real(self.beta2, "beta2", minimum=0, below=1, where=where)
        check_int(self.warmup_steps, "warmup_steps", minimum=0, where=where)

    @property
    def d_vocab(self) -> int:
        """Tokens: the numbers ``0..p-1`` and ``=``; also the number of logits."""
        return self.p + 1

    @property
    def n_ctx(self) -> int:
        """Positions: ``a b =``."""
        return 3


class ModularData(NamedTuple):
    """Every pair ``(a, b)`` in row-major order and a random train/test split.

    Attributes:
        tokens: ``(p**2, 3)`` int32, rows ``(a, b, p)`` with ``a = i // p, b = i % p``.
        labels: ``(p**2,)`` int32, ``(a + b) mod p``.
        train: ``(n_train,)`` int indices into the pairs, ``n_train = int(frac * p**2)``.
        test: ``(p**2 - n_train,)`` the remaining indices.
        train_mask: ``(p, p)`` bool, True on the training pairs.
    """

    tokens: np.ndarray
    labels: np.ndarray
    train: np.ndarray
    test: np.ndarray
    train_mask: np.ndarray


def training_size(p: int, frac: float) -> int:
    """``int(frac * p**2)``, the training pairs of a split, after checking both parts are used.

    Raises:
        ValueError: if ``frac`` is not in ``(0, 1)`` or leaves no pair for one part.

    Example:
        >>> training_size(113, 0.3)
        3830
    """
    frac = check_real(frac, "frac", above=0, below=1, where="modular_data")
    n_train = int(frac * p * p)
    if not 0 < n_train < p * p:
        raise ValueError(
            f"modular_data: frac={frac} of the {p * p} pairs leaves {n_train} for training; "
            "expected at least one pair for training and one for testing."
        )
    return n_train


def modular_data(p: int, frac: float = 0.3, seed: int = 0) -> ModularData:
    """All ``p**2`` pairs and a random split of them, ``int(frac * p**2)`` for training.

    Raises:
        ValueError: if ``p`` is not prime, ``frac`` not in ``(0, 1)`` or either part
            would be empty; TypeError for arguments of the wrong type.

    Example:
        >>> data = modular_data(5, 0.4, seed=0)
        >>> data.tokens.shape, data.train.shape, data.test.shape
        ((25, 3), (10,), (15,))
        >>> bool((data.labels == (data.tokens[:, 0] + data.tokens[:, 1]) % 5).all())
        True
    """
    p = _check_prime(p)
    n_train = training_size(p, frac)
    seed = check_seed(seed, where="modular_data")
    n = p * p
    a, b = np.divmod(np.arange(n), p)
    tokens = np.stack([a, b, np.full(n, p)], axis=1).astype(np.int32)
    labels = ((a + b) % p).astype(np.int32)
    order = np.random.default_rng(seed).permutation(n)
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    train_mask = np.zeros(n, bool)
    train_mask[train] = True
    return ModularData(tokens, labels, train, test, train_mask.reshape(p, p))


class ModularTransformer(hk.Module):
    """One attention layer and one ReLU MLP, no LayerNorm; see the module docstring.

    Parameters (the authors' names, matrices acting on the right):
    ``W_E (d_vocab, d_model)``, ``W_pos (3, d_model)``,
    ``W_Q, W_K, W_V (n_heads, d_model, d_head)``, ``W_O (n_heads, d_head, d_model)``,
    ``W_in (d_model, d_mlp)``, ``b_in (d_mlp,)``, ``W_out (d_mlp, d_model)``,
    ``b_out (d_model,)``, ``W_U (d_model, d_vocab)``.
    """

    def __init__(self, config: ModularConfig, name: str | None = None):
        super().__init__(name=name)
        self.config = config

    def _param(self, name: str, shape: tuple[int, ...], std: float | None) -> jax.Array:
        init = jnp.zeros if std is None else hk.initializers.RandomNormal(std)
        return hk.get_parameter(name, shape, jnp.float32, init=init)

    def __call__(self, tokens: jax.Array, all_positions: bool = False):
        """Logits and MLP activations.

        Args:
            tokens: ``(batch, 3)`` int, rows ``(a, b, p)``.
            all_positions: compute every position with a causal mask (the reference
                implementation) instead of the last position only.

        Returns:
            ``(logits, neurons)``: ``(batch, d_vocab)`` and ``(batch, d_mlp)`` float32
            at the last position, or ``(batch, 3, d_vocab)`` and ``(batch, 3, d_mlp)``
            with ``all_positions``.
        """
        c = self.config
        std = 1 / math.sqrt(c.d_model)
        w_e = self._param("W_E", (c.d_vocab, c.d_model), std)
        w_pos = self._param("W_pos", (c.n_ctx, c.d_model), std)
        w_q, w_k, w_v = (
            self._param(name, (c.n_heads, c.d_model, c.d_head), std)
            for name in "W_Q W_K W_V".split()
        )
        w_o = self._param("W_O", (c.n_heads, c.d_head, c.d_model), std)
        w_in = self._param("W_in", (c.d_model, c.d_mlp), std)
        b_in = self._param("b_in", (c.d_mlp,), None)
        w_out = self._param("W_out", (c.d_mlp, c.d_model), std)
        b_out = self._param("b_out", (c.d_model,), None)
        w_u = self._param("W_U", (c.d_model, c.d_vocab), 1 / math.sqrt(c.d_vocab))

        if all_positions:
            x = w_e[tokens] + w_pos  # (batch, 3, d_model)
            queries, keys, values = (jnp.einsum("bsm,hmd->bhsd", x, w) for w in (w_q, w_k, w_v))
            scores = jnp.einsum("bhqd,bhkd->bhqk", queries, keys) / math.sqrt(c.d_head)
            causal = jnp.tril(jnp.ones((c.n_ctx, c.n_ctx), bool))
            scores = jnp.where(causal, scores, -jnp.inf)
            mixed = jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(scores, axis=-1), values)
            x = x + jnp.einsum("bhqd,hdm->bqm", mixed, w_o)
        else:
            # The embedding is linear in each position's one-hot token, so the keys, values
            # and query are projected once per (position, token) and gathered: d_vocab rows
            # instead of batch rows. The last position attends to all three: no mask.
            embed = w_e + w_pos[:, None]  # (3, d_vocab, d_model)
            position = jnp.arange(c.n_ctx)
            keys = jnp.einsum("svm,hmd->svhd", embed, w_k)[position, tokens]  # (b, 3, h, d)
            values = jnp.einsum("svm,hmd->svhd", embed, w_v)[position, tokens]
            last = tokens[:, -1]
            query = jnp.einsum("vm,hmd->vhd", embed[-1], w_q)[last]  # (b, h, d)
            scores = (query[:, None] * keys).sum(-1) / math.sqrt(c.d_head)  # (b, 3, h)
            mixed = (jax.nn.softmax(scores, axis=1)[..., None] * values).sum(1)  # (b, h, d)
            x = embed[-1][last] + jnp.einsum("bhd,hdm->bm", mixed, w_o)
        neurons = jax.nn.relu(x @ w_in + b_in)
        x = x + neurons @ w_out + b_out
        return x @ w_u, neurons


def modular_model(config: ModularConfig, all_positions: bool = False) -> hk.Transformed:
    """``init(key, tokens)`` and ``apply(params, tokens) -> (logits, neurons)``.

    Example:
        >>> config = ModularConfig(p=5, d_model=8, n_heads=2, d_head=4, d_mlp=16)
        >>> model = modular_model(config)
        >>> tokens = modular_data(5).tokens
        >>> params = init_params(config)  # or model.init(key, tokens), slower to compile
        >>> [a.shape for a in jax.jit(model.apply)(params, tokens)]
        [(25, 6), (25, 16)]
    """

    def forward(tokens):
        return ModularTransformer(config, name="transformer")(tokens, all_positions)

    return hk.without_apply_rng(hk.transform(forward))


def init_params(config: ModularConfig, seed: int = 0) -> dict:
    """The authors' initialisation, drawn with NumPy: the parameters of `modular_model`.

    ``normal(0, 1/sqrt(d_model))`` weights, ``normal(0, 1/sqrt(d_vocab))`` unembedding,
    zero biases, float32, in the structure of ``modular_model(config).init`` (the same
    distribution as that Haiku initialiser, whose `jax.random` draws take seconds to
    compile). Parameters are drawn in the order of their sorted names.

    Example:
        >>> params = init_params(ModularConfig(p=5, d_model=8, n_heads=2, d_head=4, d_mlp=16))
        >>> params["transformer"]["W_E"].shape, params["transformer"]["b_in"].shape
        ((6, 8), (16,))
    """
    seed = check_seed(seed, where="init_params")
    c, rng = config, np.random.default_rng(seed)
    shapes = jax.eval_shape(
        modular_model(c).init, jax.random.PRNGKey(0), jnp.zeros((1, 3), jnp.int32)
    )
    params = {}
    for name, shape in shapes["transformer"].items():
        if name.startswith("b_"):
            params[name] = np.zeros(shape.shape, np.float32)
            continue
        std = 1 / math.sqrt(c.d_vocab if name == "W_U" else c.d_model)
        params[name] = (std * rng.standard_normal(shape.shape)).astype(np.float32)
    return {"transformer": params}


def count_params(config: ModularConfig) -> int:
    """The parameter count by hand: embeddings, attention, MLP (with biases), unembedding.

    Example:
        >>> count_params(ModularConfig())  # p = 113
        226816
    """
    c = config
    embed = 2 * c.d_vocab * c.d_model + c.n_ctx * c.d_model
    attention = 4 * c.n_heads * c.d_head * c.d_model
    mlp = 2 * c.d_model * c.d_mlp + c.d_mlp + c.d_model
    return embed + attention + mlp


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Mean cross-entropy of ``logits (n, d_vocab)`` against int ``labels (n,)``.

    Computed as ``softplus(logsumexp_{j != c}(x_j - x_c))`` for the label ``c``: the same
    value as ``-log_softmax(x)[c]``, but accurate in float32 down to losses far below the
    float32 epsilon, where ``1 + sum_j exp(...)`` would round to 1 and the label's gradient
    to 0 while the others' stay nonzero. The authors compute the loss in float64 for the
    same reason: once the training loss reaches ~1e-7, float32 rounding otherwise gives
    spikes of the training loss (slingshots) that delay or prevent grokking.

    Example:
        >>> loss = jax.jit(cross_entropy)
        >>> round(float(loss(jnp.array([[0.0, 0.0], [30.0, 0.0]]), jnp.array([1, 1]))), 6)
        15.346574
        >>> float(loss(jnp.array([[30.0, 0.0]]), jnp.array([0])))  # exp(-30)
        9.357622912219837e-14
    """
    correct = jnp.take_along_axis(logits, labels[:, None], axis=-1)
    others = jnp.where(jax.nn.one_hot(labels, logits.shape[-1], dtype=bool), -jnp.inf, logits)
    return jax.nn.softplus(jax.nn.logsumexp(others - correct, axis=-1)).mean()


def make_optimizer(config: ModularConfig) -> optax.GradientTransformation:
    """AdamW with the step size ``lr * min(step / warmup_steps, 1)`` (``step`` from 0).

    Example:
        >>> optimizer = make_optimizer(ModularConfig(p=5))
        >>> state = optimizer.init({"w": jnp.ones(2)})
    """
    c = config

    def schedule(count):
        if c.warmup_steps == 0:
            return c.lr
        return c.lr * jnp.minimum(count / c.warmup_steps, 1.0)

    return optax.adamw(schedule, b1=c.beta1, b2=c.beta2, weight_decay=c.weight_decay)
