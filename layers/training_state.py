"""The state of `layers.training.train` between epochs, and how it is checkpointed.

`Checkpointing` says where and how often; `save` writes the loop state (parameters,
optimiser state, best parameters, both random generators, history) through
`layers.checkpoint.save` with the loop's settings in its ``extra`` JSON; `resume` reads it
back and refuses a checkpoint written with other settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from groups.checks import check_int

__all__ = ["Checkpointing", "LoopState", "save", "resume", "evaluate"]


@dataclass(frozen=True)
class Checkpointing:
    """Where and how often `train` saves its state.

    Attributes:
        path: the checkpoint directory (replaced at each save, atomically).
        spec: the model's `layers.checkpoint_spec.ModelSpec` or plan (the checkpoint's
            meaning; the parameters must be its tree, optionally under a Haiku prefix).
        every: save after every ``every`` epochs, and when training stops.
    """

    path: str | os.PathLike
    spec: Any
    every: int = 1

    def __post_init__(self):
        check_int(self.every, "every", minimum=1, where="Checkpointing")


@dataclass
class LoopState:
    """Everything `layers.training.train` carries from epoch to epoch (and checkpoints)."""

    params: Any
    opt_state: Any
    best_params: Any
    shuffle: np.random.Generator
    batch_rng: np.random.Generator
    epoch: int = 0
    steps: int = 0
    best_val: float = float("inf")
    best_epoch: int | None = None
    since_best: int = 0
    seconds: float = 0.0
    history: list = field(default_factory=list)

    def to_json(self, settings: dict) -> dict:
        return {
            "settings": settings,
            "epoch": self.epoch,
            "steps": self.steps,
            "best_val": None if not np.isfinite(self.best_val) else self.best_val,
            "best_epoch": self.best_epoch,
            "since_best": self.since_best,
            "seconds": self.seconds,
            "history": self.history,
            "shuffle": self.shuffle.bit_generator.state,
            "batch_rng": self.batch_rng.bit_generator.state,
        }


def save(checkpoint: Checkpointing, loop: LoopState, settings: dict) -> None:
    from layers.checkpoint import save

    state = {"optimizer": loop.opt_state, "best_params": loop.best_params}
    save(checkpoint.path, loop.params, checkpoint.spec, state, loop.steps, overwrite=True,
         extra={"training": loop.to_json(settings)})  # fmt: skip


def resume(checkpoint: Checkpointing, loop: LoopState, settings: dict) -> None:
    from layers.checkpoint import load

    like = {"optimizer": loop.opt_state, "best_params": loop.best_params}
    saved = load(checkpoint.path, opt_state_like=like)
    training = (saved.extra or {}).get("training")
    if not isinstance(training, dict):
        raise ValueError(f"{checkpoint.path} holds no training state to resume from.")
    if training.get("settings") != settings:
        raise ValueError(
            f"{checkpoint.path} was written by a run with settings {training.get('settings')}; "
            f"this run has {settings}. Resume with the same settings, or start afresh."
        )
    to_device = lambda tree: jax.tree_util.tree_map(jnp.asarray, tree)  # noqa: E731
    loop.params = to_device(saved.params)
    loop.opt_state = to_device(saved.opt_state["optimizer"])
    loop.best_params = to_device(saved.opt_state["best_params"])
    loop.shuffle.bit_generator.state = training["shuffle"]
    loop.batch_rng.bit_generator.state = training["batch_rng"]
    loop.epoch, loop.steps = training["epoch"], training["steps"]
    best = training["best_val"]
    loop.best_val = float("inf") if best is None else float(best)
    loop.best_epoch, loop.since_best = training["best_epoch"], training["since_best"]
    loop.seconds, loop.history = training["seconds"], list(training["history"])


def evaluate(loop: LoopState, validate, train_loss: float, patience) -> bool:
    """Records one evaluation; returns whether patience ran out."""
    val = None if validate is None else float(validate(loop.params))
    loop.history.append(
        {"epoch": loop.epoch, "step": loop.steps, "train_loss": train_loss, "val": val}
    )
    if val is None:
        return False
    loop.since_best += 1
    if np.isfinite(val) and val < loop.best_val:
        loop.best_val, loop.best_epoch, loop.best_params, loop.since_best = (
            val, loop.epoch, loop.params, 0)  # fmt: skip
    return patience is not None and loop.since_best >= patience
