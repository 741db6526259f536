"""Layer speed: a jitted Adam train step of EMLP against an MLP of the same width.

Usage::

    python -m benchmarks.layers               # the three regression tasks' reps
    python -m benchmarks.layers --only o5 --batch 500 --ch 384

For each task (O(5) ``2V -> V0``, O(3) ``5V0 + 5V -> V2``, O(1,3) ``4V -> V0``), in a fresh
process with the disk cache off: construction time (every basis plus parameter shapes,
``jax.eval_shape`` of ``init``), the first eager ``init`` call (random draws and XLA
compilation included), XLA compile time of the train step, then the median time
of a jitted ``value_and_grad`` + Adam step for EMLP and for the MLP baseline (interleaved
repeats, so both see the same machine load), their ratio and parameter counts. The emlp
library measures 3.0-3.9 s per step against 0.007 s for its MLP (``../shared/REFERENCE.md``).
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


def _child(task: str, batch: int, ch: int, repeats: int) -> dict:
    import haiku as hk
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    from emlp_core import Scalar, V  # noqa: F401 - used by eval below
    from groups import Lorentz, O  # noqa: F401
    from layers import EMLP, MLP, num_params

    rep_in_text, rep_out_text, group_text = TASKS[task]
    group = eval(group_text)  # noqa: S307 - fixed table above
    rep_in, rep_out = eval(rep_in_text)(group), eval(rep_out_text)(group)  # noqa: S307
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, rep_in.size())), jnp.float32)
    y = jnp.asarray(rng.standard_normal((batch, rep_out.size())), jnp.float32)
    result = {"task": task, "group": repr(group), "batch": batch, "ch": ch}

    def prepare(module):
        model = hk.without_apply_rng(hk.transform(lambda z: module()(z)))
        start = time.perf_counter()
        jax.eval_shape(model.init, jax.random.PRNGKey(0), x)
        construction = time.perf_counter() - start
        start = time.perf_counter()
        params = jax.block_until_ready(model.init(jax.random.PRNGKey(0), x))
        init_seconds = time.perf_counter() - start
        optimizer = optax.adam(3e-3)

        @jax.jit
        def step(p, state):
            loss, grads = jax.value_and_grad(lambda q: jnp.mean((model.apply(q, x) - y) ** 2))(p)
            updates, state = optimizer.update(grads, state, p)
            return optax.apply_updates(p, updates), state, loss

        state = optimizer.init(params)
        start = time.perf_counter()
        params, state, loss = step(params, state)
        jax.block_until_ready(loss)
        compile_seconds = time.perf_counter() - start
        return {
            "construction": construction,
            "init": init_seconds,
            "compile": compile_seconds,
            "num_params": num_params(params),
        }, [
            step,
            params,
            state,
        ]

    emlp_info, emlp = prepare(lambda: EMLP(rep_in, rep_out, group, ch=ch, num_layers=3))
    mlp_info, mlp = prepare(lambda: MLP(rep_in, rep_out, group, ch=ch, num_layers=3))
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
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and args.out is None:  # a child prints; only the parent writes
        args.out = cli.default_output_file(parser, "benchmarks/results/layers.json")
    return args


def main(argv=None) -> list[dict]:
    """Runs the command line ``argv`` (see `parse_args`); returns the records written."""
    args = parse_args(argv)
    if args.child:
        task, batch, ch, repeats = args.child
        print(json.dumps(_child(task, int(batch), int(ch), int(repeats))))
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
            **run_child("benchmarks.layers", [task, args.batch, args.ch, args.repeats]),
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
