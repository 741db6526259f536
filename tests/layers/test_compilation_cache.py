"""The persistent compilation cache: on by default, switched off, and harmless when damaged."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from layers import compilation_cache

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parents[1]


def _child(cache: str, **env) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EMLP_")}
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)
    environment.update(EMLP_CACHE_DIR=cache, PYTHONPATH=str(ROOT), **env)
    out = subprocess.run([sys.executable, str(HERE / "compilation_child.py")], env=environment,
                         capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"stderr": out.stderr}


def test_a_second_process_reads_what_the_first_compiled_and_damage_only_costs_time(tmp_path):
    cold = _child(str(tmp_path))
    assert cold["cache_dir"] == str(tmp_path / "xla") and cold["misses"] > 1
    entries = sorted(e for e in (tmp_path / "xla").iterdir() if e.name.endswith("-cache"))
    assert cold["hits"] == 0 and len(entries) >= cold["misses"]
    damaged = entries[::2]  # every other executable: the rest must still be read
    for entry in damaged:
        entry.write_bytes(b"not an executable")
    warm = _child(str(tmp_path))
    assert 0 < warm["hits"] <= len(entries) - len(damaged)
    assert warm["output"] == cold["output"]  # damaged entries were compiled again


def test_switches_and_unwritable_directories_leave_jax_alone(tmp_path, monkeypatch):
    import jax

    before = jax.config.jax_compilation_cache_dir
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    assert compilation_cache.compilation_cache_dir() is None and compilation_cache.enable() is None
    monkeypatch.setenv("EMLP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("EMLP_COMPILATION_CACHE", "off")
    assert compilation_cache.enable() is None
    monkeypatch.delenv("EMLP_COMPILATION_CACHE")
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the directory should be")
    monkeypatch.setenv("EMLP_CACHE_DIR", str(blocker))
    assert compilation_cache.compilation_cache_dir() == blocker / "xla"
    assert compilation_cache.enable() is None  # cannot be created: no cache, no warning
    monkeypatch.setenv("EMLP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", str(tmp_path / "users-own"))
    assert compilation_cache.enable() is None  # the user's choice is kept
    assert jax.config.jax_compilation_cache_dir == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_is_not_used(tmp_path, monkeypatch):
    (tmp_path / "xla").mkdir()
    (tmp_path / "xla").chmod(0o555)
    monkeypatch.setenv("EMLP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EMLP_COMPILATION_CACHE", raising=False)
    assert compilation_cache.enable() is None
