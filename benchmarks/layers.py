"""Layer speed: a jitted Adam train step of EMLP against an MLP of the same width.

Usage::

    python -m benchmarks.layers --frontend all    # every front-end, timed side by side
    python -m benchmarks.layers                   # Haiku alone: the three regression tasks
    python -m benchmarks.layers --only o5 --batch 500 --ch 384
    python -m benchmarks.layers --frontend flax   # or equinox: one front-end alone

For each task (O(5) ``2V -> V0``, O(3) ``5V0 + 5V -> V2``, O(1,3) ``4V -> V0``), in a fresh
process with the disk cache off: the time to a model with parameters (every basis, shapes
and the first eager draw), XLA compile time of the train step, then the median time of a
jitted ``value_and_grad`` + Adam step for EMLP and for the MLP baseline, their ratio and
parameter counts. The emlp library's step for comparison:
`benchmarks.paper_reference.EMLP_TRAIN_STEP_SECONDS`.

``--frontend haiku|flax|equinox`` builds both models with that framework. ``--frontend
all`` builds the EMLP and MLP of every front-end in the same process, compiles all six
train steps, then times them round-robin (``--repeats`` rounds; round ``r`` starts at the
``r``-th model, so no model always runs first), so every front-end sees the same machine
load; each record then also holds its EMLP (MLP) step divided by Haiku's EMLP (MLP) step
of the same process (``emlp_step_vs_haiku``, ``mlp_step_vs_haiku``). Only the front-end
built first in a process (``built_first``) has cold construction times: the others find
the bases already solved. JSON goes to ``--out`` (default ``benchmarks/results/layers.json``),
one record per task and front-end: ``task, frontend, group, batch, ch, repeats, machine``
(`benchmarks.machine.machine_info`), ``emlp_construction_seconds, emlp_init_seconds,
mlp_init_seconds, emlp_compile_seconds, mlp_compile_seconds, emlp_step_seconds,
mlp_step_seconds, step_ratio`` (EMLP step / MLP step), ``emlp_params, mlp_params``, and
with ``all`` also ``interleaved_with, built_first, emlp_step_vs_haiku, mlp_step_vs_haiku``;
a failed child gives ``task, frontend, error``. `benchmarks.summary` makes the tables.
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks import cli
from benchmarks.fresh_process import run_child
from benchmarks.machine import machine_info

TASKS = {
    "o5": ("2 * V", "Scalar", "O(5)"),
    "inertia": ("5 * Scalar + 5 * V", "V**2", "O(3)"),
    "lorentz": ("4 * V", "Scalar", "Lorentz()"),
}
FRONTENDS = ("haiku", "flax", "equinox")
ALL = "all"
"""``--frontend all``: every front-end of `FRONTENDS` in one process per task."""
BASELINE = "haiku"
"""The front-end the others' step times are divided by under ``--frontend all``."""


def _functional_model(frontend: str, kind: str, rep_in, rep_out, group, ch: int, x):
    """``(params, apply(params, x))`` of an EMLP or MLP built with ``frontend``.

    The clock covers construction and the first parameter draw (eager), like Haiku's
    ``init``; the parameters are the array leaves the optimiser updates.
    """
    import jax

    if frontend == "haiku":
        import haiku as hk

        import layers.haiku as front

        cls = getattr(front, kind)
        model = hk.without_apply_rng(hk.transform(lambda z: cls(rep_in, rep_out, group, ch=ch)(z)))
        jax.eval_shape(model.init, jax.random.PRNGKey(0), x)  # bases and shapes
        return model.init(jax.random.PRNGKey(0), x), model.apply
    if frontend == "flax":
        from flax import nnx

        import layers.flax as front

        module = getattr(front, kind)(rep_in, rep_out, group, ch=ch, rngs=nnx.Rngs(0))
        graphdef, state = nnx.split(module)
        return state, lambda p, z: nnx.merge(graphdef, p)(z)
    import equinox as eqx

    import layers.equinox as front

    module = getattr(front, kind)(rep_in, rep_out, group, ch=ch, key=jax.random.PRNGKey(0))
    params, static = eqx.partition(module, eqx.is_array)
    return params, lambda p, z: eqx.combine(p, static)(z)


def _problem(task: str, batch: int):
    """``(rep_in, rep_out, group, x, y)`` of ``task``: fixed random data, float32."""
    import jax.numpy as jnp
    import numpy as np

    from emlp_core import Scalar, V  # noqa: F401 - used by eval below
    from groups import Lorentz, O  # noqa: F401

    rep_in_text, rep_out_text, group_text = TASKS[task]
    group = eval(group_text)  # noqa: S307 - fixed table above
    rep_in, rep_out = eval(rep_in_text)(group), eval(rep_out_text)(group)  # noqa: S307
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, rep_in.size())), jnp.float32)
    y = jnp.asarray(rng.standard_normal((batch, rep_out.size())), jnp.float32)
    return rep_in, rep_out, group, x, y


def _prepare(frontend: str, kind: str, problem, ch: int) -> tuple[dict, list]:
    """Builds one model and compiles its train step (one step run).

    Returns ``({"init", "compile", "num_params"}, [step, params, optimiser state])``.
    """
    import jax
    import jax.numpy as jnp
    import optax

    from layers.core import tree_size

    rep_in, rep_out, group, x, y = problem
    start = time.perf_counter()
    params, apply = _functional_model(frontend, kind, rep_in, rep_out, group, ch, x)
    params = jax.block_until_ready(params)
    init_seconds = time.perf_counter() - start
    optimizer = optax.adam(3e-3)

    @jax.jit
    def step(p, state):
        loss, grads = jax.value_and_grad(lambda q: jnp.mean((apply(q, x) - y) ** 2))(p)
        updates, state = optimizer.update(grads, state, p)
        return optax.apply_updates(p, updates), state, loss

    state = optimizer.init(params)
    start = time.perf_counter()
    params, state, loss = step(params, state)
    jax.block_until_ready(loss)
    info = {"init": init_seconds, "compile": time.perf_counter() - start}
    return info | {"num_params": tree_size(params)}, [step, params, state]


def _interleaved_medians(models: dict[str, list], repeats: int) -> dict[str, float]:
    """Median step seconds of each model, timed round-robin for ``repeats`` rounds.

    Round ``r`` runs every model once, starting at the ``r``-th (mod their number), so each
    model sees the same machine load and none is always first after another's step.
    """
    import jax
    import numpy as np

    names = list(models)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            step, params, opt_state = models[name]
            start = time.perf_counter()
            params, opt_state, loss = step(params, opt_state)
            jax.block_until_ready(loss)
            times[name].append(time.perf_counter() - start)
            models[name][1:] = [params, opt_state]
    return {name: float(np.median(values)) for name, values in times.items()}


def _record(base: dict, frontend: str, emlp: dict, mlp: dict, medians: dict) -> dict:
    """One front-end's record from its models' build ``info`` and median steps."""
    record = base | {
        "frontend": frontend,
        "emlp_construction_seconds": emlp["init"],
        "emlp_init_seconds": emlp["init"],
        "mlp_init_seconds": mlp["init"],
        "emlp_compile_seconds": emlp["compile"],
        "mlp_compile_seconds": mlp["compile"],
        "emlp_step_seconds": medians[(frontend, "EMLP")],
        "mlp_step_seconds": medians[(frontend, "MLP")],
        "emlp_params": emlp["num_params"],
        "mlp_params": mlp["num_params"],
    }
    record["step_ratio"] = record["emlp_step_seconds"] / record["mlp_step_seconds"]
    return record


def _child(task: str, batch: int, ch: int, repeats: int, frontend: str = "haiku") -> dict:
    """Inside the fresh process: one front-end's record, or ``{"records": [...]}`` for all.

    With ``frontend="all"`` every front-end is built (in `FRONTENDS` order) and compiled
    before any step is timed; each record gets ``emlp_step_vs_haiku`` and
    ``mlp_step_vs_haiku``, ratios to the Haiku steps timed in the same rounds.
    """
    problem = _problem(task, batch)
    base = {"task": task, "group": repr(problem[2]), "batch": batch, "ch": ch}
    base |= {"repeats": repeats, "machine": machine_info()}
    fronts = FRONTENDS if frontend == ALL else (frontend,)
    infos, models = {}, {}
    for front in fronts:
        for kind in ("EMLP", "MLP"):
            infos[(front, kind)], models[(front, kind)] = _prepare(front, kind, problem, ch)
    medians = _interleaved_medians(models, repeats)
    records = [
        _record(base, front, infos[(front, "EMLP")], infos[(front, "MLP")], medians)
        for front in fronts
    ]
    if frontend != ALL:
        return records[0]
    baseline = next(r for r in records if r["frontend"] == BASELINE)
    for i, r in enumerate(records):
        r["interleaved_with"] = list(fronts)
        r["built_first"] = i == 0
        r["emlp_step_vs_haiku"] = r["emlp_step_seconds"] / baseline["emlp_step_seconds"]
        r["mlp_step_vs_haiku"] = r["mlp_step_seconds"] / baseline["mlp_step_seconds"]
    return {"records": records}


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    ``--batch``, ``--ch`` and ``--repeats`` must be positive, ``--frontend`` one of
    `FRONTENDS` or ``all``, and ``--out`` (default ``benchmarks/results/layers.json``) a
    file that can be written; all checked before any child process starts.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.layers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", choices=sorted(TASKS), default=None)
    parser.add_argument("--batch", type=cli.positive_int, default=500, help="batch size")
    parser.add_argument("--ch", type=cli.positive_int, default=384, help="hidden channels")
    parser.add_argument(
        "--repeats", type=cli.positive_int, default=60, help="timed steps per model"
    )
    parser.add_argument(
        "--out",
        type=cli.output_file,
        default=None,
        help="JSON output file, its parent writable (default benchmarks/results/layers.json)",
    )
    parser.add_argument(
        "--frontend",
        choices=(*FRONTENDS, ALL),
        default="haiku",
        help="framework of both models (flax and equinox are extras); all: every one, "
        "timed interleaved in one process per task",
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and args.out is None:  # a child prints; only the parent writes
        args.out = cli.default_output_file(parser, "benchmarks/results/layers.json")
    return args


HEADER = (
    f"{'task':<8} {'frontend':<8} {'group':<7} {'init s':>7} {'compile s':>9} {'EMLP ms':>8} "
    f"{'MLP ms':>7} {'ratio':>6} {'vs haiku':>8} {'EMLP params':>11} {'MLP params':>10}"
)


def format_row(r: dict) -> str:
    """One printed line of a record (``ERROR: ...`` for a failed child).

    Example:
        >>> format_row({"task": "o5", "frontend": "all", "error": "MemoryError"})
        'o5       all      ERROR: MemoryError'
    """
    if "error" in r:
        return f"{r['task']:<8} {r.get('frontend', ''):<8} ERROR: {r['error']}"
    versus = r.get("emlp_step_vs_haiku")
    return (
        f"{r['task']:<8} {r['frontend']:<8} {r['group']:<7} {r['emlp_init_seconds']:>7.2f} "
        f"{r['emlp_compile_seconds']:>9.2f} {1e3 * r['emlp_step_seconds']:>8.2f} "
        f"{1e3 * r['mlp_step_seconds']:>7.2f} {r['step_ratio']:>6.2f} "
        f"{'-' if versus is None else f'{versus:.3f}':>8} {r['emlp_params']:>11} "
        f"{r['mlp_params']:>10}"
    )


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    if args.child:
        task, batch, ch, repeats, frontend = args.child
        print(json.dumps(_child(task, int(batch), int(ch), int(repeats), frontend)))
        return []
    print(HEADER)
    print("-" * len(HEADER))
    records = []
    for task in [args.only] if args.only else list(TASKS):
        result = run_child(
            "benchmarks.layers", [task, args.batch, args.ch, args.repeats, args.frontend]
        )
        found = result.get("records", [result])
        for r in found:
            records.append({"task": task, "frontend": args.frontend, **r})
            print(format_row(records[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2))
    print(f"wrote {args.out}")
    return records


if __name__ == "__main__":
    main()
