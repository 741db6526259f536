"""Running one benchmark case in a fresh Python process (cold imports, cold caches)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

__all__ = ["run_child"]


def run_child(module: str, args: list[str], cache_dir: str = "off", timeout: int = 900) -> dict:
    """Runs ``python -m module --child *args`` and returns the JSON its last line prints.

    The child sees ``EMLP_CACHE_DIR=cache_dir`` (``"off"``: no disk cache). A failing child
    gives ``{"error": <its last line of stderr>}`` instead of raising, so one broken case
    does not stop a benchmark table.
    """
    env = {**os.environ, "EMLP_CACHE_DIR": cache_dir}
    command = [sys.executable, "-m", module, "--child", *map(str, args)]
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit status {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])
