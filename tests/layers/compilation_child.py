"""Child process of test_compilation_cache: builds and trains a small EMLP, prints JSON.

Run as ``python tests/layers/compilation_child.py``; importing it does nothing (pytest
imports every module for doctests).
"""

import json


def main() -> None:
    import jax
    import jax.monitoring
    import numpy as np

    events: list[str] = []
    jax.monitoring.register_event_listener(lambda name, **_: events.append(name))

    import optax

    import layers  # noqa: F401 - enables the compilation cache on import
    from emlp_core import V
    from groups import SO
    from layers.core import emlp_apply, emlp_init, emlp_plan
    from layers.training import train

    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)  # store all
    plan = emlp_plan(V**2, V, SO(3), ch=8, num_layers=1)
    x = np.random.default_rng(0).normal(size=(16, 9)).astype(np.float32)

    def loss(p, xb):
        return jax.numpy.mean((emlp_apply(plan, p, xb) - xb[:, :3]) ** 2)

    params = emlp_init(plan, jax.random.PRNGKey(0))
    result = train(loss, params, x, optimizer=optax.adam(1e-2), epochs=2, batch_size=8,
                   progress=False)  # fmt: skip
    record = {
        "cache_dir": jax.config.jax_compilation_cache_dir,
        "hits": events.count("/jax/compilation_cache/cache_hits"),
        "misses": events.count("/jax/compilation_cache/cache_misses"),
        "output": np.asarray(emlp_apply(plan, result.params, x)).tolist(),
    }
    print(json.dumps(record))


if __name__ == "__main__":
    main()
