import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from emlp_core import V, equivariant_basis
from emlp_core import cache as basis_cache
from emlp_core.basis import Basis
from emlp_core.solver import clear_cache, monomial_basis, solve_reports
from groups import SO, S

REP = (V**4)(SO(3))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "bases"
    monkeypatch.setenv("EMLP_CACHE_DIR", str(directory))
    monkeypatch.setattr(basis_cache, "STORE_MIN_SECONDS", 0.0)  # store every solve here
    clear_cache()
    yield directory
    clear_cache()


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.npz"))


def test_solved_bases_are_written_and_reused(cache_dir, monkeypatch):
    first = equivariant_basis(REP)
    (entry,) = _entries(cache_dir)
    clear_cache()
    import emlp_core.solver as solver

    monkeypatch.setattr(solver, "_solve", lambda *a: pytest.fail("should have been read from disk"))
    np.testing.assert_array_equal(equivariant_basis(REP), first)
    assert entry.stat().st_size > 0


@pytest.mark.parametrize("garbage", [b"", b"not an npz file at all", b"PK\x03\x04broken zip"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(cache_dir, garbage):
    expected = equivariant_basis(REP)
    (entry,) = _entries(cache_dir)
    entry.write_bytes(garbage)
    clear_cache()
    np.testing.assert_allclose(equivariant_basis(REP), expected)
    assert basis_cache.load(entry.stem) is not None  # rewritten, valid again


def test_a_readable_entry_with_wrong_content_is_rejected(cache_dir):
    expected = equivariant_basis(REP)
    (entry,) = _entries(cache_dir)
    np.savez(entry, dense=np.eye(81)[:, :3])  # well-formed but not invariant
    clear_cache()
    np.testing.assert_allclose(equivariant_basis(REP), expected)


def test_a_readable_sparse_entry_with_wrong_content_is_rejected(cache_dir):
    rep = (V**3)(S(4))
    expected = equivariant_basis(rep)
    (entry,) = _entries(cache_dir)
    wrong = Basis.from_orbits(np.arange(64) % 6, np.where(np.arange(64) < 5, 1.0, 0.0), 5)
    basis_cache.store(entry.stem, wrong, "orbits")  # e_0, ..., e_4: well formed, not invariant
    clear_cache()
    np.testing.assert_array_equal(equivariant_basis(rep).toarray(), expected.toarray())
    (report,) = solve_reports(rep)
    assert report.source == "solved"


def test_an_unwritable_cache_location_still_solves(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("this is a file, so nothing can be created below it")
    monkeypatch.setenv("EMLP_CACHE_DIR", str(blocker / "bases"))
    clear_cache()
    assert equivariant_basis(REP).shape == (81, 3)


def test_a_read_only_cache_directory_is_read_and_still_solves(cache_dir, monkeypatch):
    expected = equivariant_basis(REP)
    (entry,) = _entries(cache_dir)
    cache_dir.chmod(0o555)
    try:
        if os.access(cache_dir, os.W_OK):  # root ignores the mode bits: refuse writes anyway

            def read_only(*args, **kwargs):
                raise PermissionError(errno.EROFS, "Read-only file system", str(cache_dir))

            monkeypatch.setattr(basis_cache.tempfile, "mkstemp", read_only)
        clear_cache()
        (report,) = solve_reports(REP)
        assert report.source == "disk"  # existing entries are still used
        np.testing.assert_array_equal(equivariant_basis(REP), expected)
        assert equivariant_basis((V**3)(SO(3))).shape == (27, 1)  # a new type is solved
        assert _entries(cache_dir) == [entry]  # and nothing is written
        assert not list(cache_dir.glob(".*"))
    finally:
        cache_dir.chmod(0o755)


def test_the_disk_cache_can_be_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv("EMLP_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    clear_cache()
    equivariant_basis(REP)
    assert basis_cache.cache_dir() is None and not list(tmp_path.rglob("*.npz"))


def test_default_location_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("EMLP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert basis_cache.cache_dir() == tmp_path / "emlp-toolkit"


def test_two_processes_writing_the_same_key_leave_a_valid_file(cache_dir):
    script = (
        "from emlp_core import V, equivariant_basis; from groups import SO; "
        "equivariant_basis((V**8)(SO(3)))"  # slow enough (~0.5 s) to be stored
    )
    env = {**os.environ, "EMLP_CACHE_DIR": str(cache_dir)}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(2)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    (entry,) = _entries(cache_dir)
    stored, strategy = basis_cache.load(entry.stem)
    assert stored.shape == (6561, 91) and strategy == "weights"
    assert not list(cache_dir.glob(".*"))  # no temporary files left behind


@pytest.mark.parametrize("columns", [slice(0, 2), slice(0, 0), slice(1, 3)], ids=repr)
def test_an_entry_holding_a_subset_of_the_columns_is_rejected(cache_dir, columns):
    """Sound and orthonormal, but incomplete: the completeness check must refuse it."""
    expected = equivariant_basis(REP)
    (entry,) = _entries(cache_dir)
    subset = Basis.from_dense(np.ascontiguousarray(expected[:, columns]))
    basis_cache.store(entry.stem, subset, "weights")
    clear_cache()
    np.testing.assert_allclose(equivariant_basis(REP), expected, atol=1e-12)
    (report,) = solve_reports(REP)
    assert report.source == "solved" and report.dim == 3


def test_a_sparse_entry_missing_an_orbit_is_rejected(cache_dir):
    rep = (V**3)(S(4))
    expected = equivariant_basis(rep)
    (entry,) = _entries(cache_dir)
    (summand,) = rep.canonical_form()
    basis = monomial_basis(summand.monomial)
    column = np.where(basis.column < 4, basis.column, 4)  # 4 of the 5 orbit indicators
    basis_cache.store(entry.stem, Basis.from_orbits(column, basis.value, 4), "orbits")
    clear_cache()
    assert equivariant_basis(rep).shape == expected.shape
    (report,) = solve_reports(rep)
    assert report.source == "solved"


def test_keys_change_with_the_format_version(monkeypatch):
    """Entries written by an older solver (other bases, other rank rule) are never read."""
    current = basis_cache.cache_key("group", ("type",), None, "auto")
    monkeypatch.setattr(basis_cache, "FORMAT_VERSION", basis_cache.FORMAT_VERSION - 1)
    assert basis_cache.cache_key("group", ("type",), None, "auto") != current


def test_temporary_files_of_a_killed_writer_are_removed(cache_dir):
    equivariant_basis(REP)
    stale = cache_dir / ".0123456789abcdef-killed-tmp.npz"
    fresh = cache_dir / ".fedcba9876543210-writing-tmp.npz"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"another writer, still running")
    old = basis_cache.STALE_TEMPORARY_S + 60
    os.utime(stale, (stale.stat().st_atime - old, stale.stat().st_mtime - old))
    clear_cache()
    equivariant_basis((V**3)(SO(3)))  # the next store sweeps
    assert not stale.exists() and fresh.exists()


def test_only_slow_solves_are_stored(cache_dir, monkeypatch):
    """Reading and verifying an entry costs about a quick solve: those are not written."""
    monkeypatch.setattr(basis_cache, "STORE_MIN_SECONDS", 60.0)
    equivariant_basis(REP)
    assert _entries(cache_dir) == []
    monkeypatch.setattr(basis_cache, "STORE_MIN_SECONDS", 0.0)
    clear_cache()
    equivariant_basis(REP)
    assert len(_entries(cache_dir)) == 1
