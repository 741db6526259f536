"""Running one benchmark case in a fresh Python process (cold imports, cold caches)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

__all__ = ["run_child", "child_result"]


def child_result(out: subprocess.CompletedProcess) -> dict:
    """The JSON object a child printed on its last line, or ``{"error": <its last line of
    stderr>}`` when it failed, so one broken case does not stop a benchmark table."""
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit status {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(
    module: str,
    args: list,
    cache_dir: str | None = "off",
    timeout: int = 900,
    env: dict | None = None,
) -> dict:
    """Runs ``python -m module --child *args`` and returns `child_result`.

    The child sees this process's environment with ``EMLP_CACHE_DIR=cache_dir`` (``"off"``:
    no disk cache; None: left as it is) and the variables of ``env`` (a None value removes
    the variable).
    """
    environment = dict(os.environ)
    if cache_dir is not None:
        environment["EMLP_CACHE_DIR"] = cache_dir
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    command = [sys.executable, "-m", module, "--child", *map(str, args)]
    out = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False, timeout=timeout
    )
    return child_result(out)
