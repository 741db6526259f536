"""Layer speed: a jitted Adam train step of EMLP against an MLP of the same width.

Usage::

    python -m benchmarks.layers               # the three regression tasks' reps
    python -m benchmarks.layers --only o5 --batch 500 --ch 384
    python -m benchmarks.layers --frontend flax   # or equinox: same table, that framework

For each task (O(5) ``2V -> V0``, O(3) ``5V0 + 5V -> V2``, O(1,3) ``4V -> V0``), in a fresh
process with the disk cache off and both models built with one front-end (``--frontend``):
the time to a model with parameters (every basis, shapes and the first eager draw), XLA
compile time of the train step, then the median time
of a jitted ``value_and_grad`` + Adam step for EMLP and for the MLP baseline (interleaved
repeats, so both see the same machine load), their ratio and parameter counts. The emlp
library's step for comparison: `benchmarks.paper_reference.EMLP_TRAIN_STEP_SECONDS`.
JSON goes to ``--out`` (default ``benchmarks/results/layers.json``).
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks import cli
from benchmarks.fresh_process import run_child

TASKS = {
    "o5": ("2 * V", "Scalar", "O(5)"),
    "inertia": ("5 * Scalar + 5 * V", "V**2", "O(3)"),
    "lorentz": ("4 * V", "Scalar", "Lorentz()"),
}


FRONTENDS = ("haiku", "flax", "equinox")


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
        import layers.flax as front
        from flax import nnx

        module = getattr(front, kind)(rep_in, rep_out, group, ch=ch, rngs=nnx.Rngs(0))
        graphdef, state = nnx.split(module)
        return state, lambda p, z: nnx.merge(graphdef, p)(z)
    import equinox as eqx
    import layers.equinox as front

    module = getattr(front, kind)(rep_in, rep_out, group, ch=ch, key=jax.random.PRNGKey(0))
    params, static = eqx.partition(module, eqx.is_array)
    return params, lambda p, z: eqx.combine(p, static)(z)


def _child(task: str, batch: int, ch: int, repeats: int, frontend: str = "haiku") -> dict:
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    from emlp_core import Scalar, V  # noqa: F401 - used by eval below
    from groups import Lorentz, O  # noqa: F401
    from layers.core import tree_size

    rep_in_text, rep_out_text, group_text = TASKS[task]
    group = eval(group_text)  # noqa: S307 - fixed table above
    rep_in, rep_out = eval(rep_in_text)(group), eval(rep_out_text)(group)  # noqa: S307
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, rep_in.size())), jnp.float32)
    y = jnp.asarray(rng.standard_normal((batch, rep_out.size())), jnp.float32)
    result = {"task": task, "group": repr(group), "batch": batch, "ch": ch, "frontend": frontend}

    def prepare(kind):
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
        compile_seconds = time.perf_counter() - start
        info = {"construction": init_seconds, "init": init_seconds, "compile": compile_seconds}
        return info | {"num_params": tree_size(params)}, [step, params, state]

    emlp_info, emlp = prepare("EMLP")
    mlp_info, mlp = prepare("MLP")
    times = {"emlp": [], "mlp": []}
    for _ in range(repeats):
        for name, state in (("emlp", emlp), ("mlp", mlp)):
            step, params, opt_state = state
            start = time.perf_counter()
            params, opt_state, loss = step(params, opt_state)
            jax.block_until_ready(loss)
            times[name].append(time.perf_counter() - start)
            state[1:] = [params, opt_state]
    result.update(
        {
            "emlp_construction_seconds": emlp_info["construction"],
            "emlp_init_seconds": emlp_info["init"],
            "mlp_init_seconds": mlp_info["init"],
            "emlp_compile_seconds": emlp_info["compile"],
            "emlp_step_seconds": float(np.median(times["emlp"])),
            "mlp_step_seconds": float(np.median(times["mlp"])),
            "emlp_params": emlp_info["num_params"],
            "mlp_params": mlp_info["num_params"],
        }
    )
    result["step_ratio"] = result["emlp_step_seconds"] / result["mlp_step_seconds"]
    return result


def parse_args(argv=None) -> argparse.Namespace:
    """Parses and checks the command line; exits with status 2 on a bad value.

    ``--batch``, ``--ch`` and ``--repeats`` must be positive and ``--out`` (default
    ``benchmarks/results/layers.json``) a file that can be written; all checked before
    any child process starts.
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
        choices=FRONTENDS,
        default="haiku",
        help="framework of both models (flax and equinox are extras)",
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and args.out is None:  # a child prints; only the parent writes
        args.out = cli.default_output_file(parser, "benchmarks/results/layers.json")
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    if args.child:
        task, batch, ch, repeats, frontend = args.child
        print(json.dumps(_child(task, int(batch), int(ch), int(repeats), frontend)))
        return []
    header = (
        f"{'task':<8} {'group':<7} {'build s':>8} {'init s':>7} {'compile s':>9} {'EMLP ms':>8} "
        f"{'MLP ms':>7} {'ratio':>6} {'EMLP params':>11} {'MLP params':>10}"
    )
    print(header)
    print("-" * len(header))
    records = []
    for task in [args.only] if args.only else list(TASKS):
        r = {
            "task": task,
            **run_child(
                "benchmarks.layers", [task, args.batch, args.ch, args.repeats, args.frontend]
            ),
        }
        records.append(r)
        if "error" in r:
            print(f"{task:<8} ERROR: {r['error']}", flush=True)
            continue
        print(
            f"{task:<8} {r['group']:<7} {r['emlp_construction_seconds']:>8.2f} "
            f"{r['emlp_init_seconds']:>7.2f} {r['emlp_compile_seconds']:>9.2f} "
            f"{1e3 * r['emlp_step_seconds']:>8.2f} "
            f"{1e3 * r['mlp_step_seconds']:>7.2f} {r['step_ratio']:>6.2f} {r['emlp_params']:>11} "
            f"{r['mlp_params']:>10}",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2))
    print(f"wrote {args.out}")
    return records


if __name__ == "__main__":
    main()
