"""Rules for the library's own text: it points only inside the repository, and its prose
states rules rather than lab notes.

1. No ``.py`` or ``.md`` file of the packages below (nor the top-level README.md and
   CHANGELOG.md) refers to a path outside the repository: no relative path that climbs out
   of it or names a file that is not there, no absolute path into a home or work
   directory, and no ``*.md`` file that the repository does not hold. Figures from outside
   sources live in `benchmarks.paper_reference`, with their citations.
2. No docstring or comment of those packages (and no line of those Markdown files) speaks
   of closing notes, "the layer issue" or "this session": the text must make sense to a
   reader who has only the repository.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("benchmarks", "layers", "emlp_core", "groups", "discovery", "analysis")
TOP_LEVEL_FILES = ("README.md", "CHANGELOG.md")
SKIPPED_DIRECTORIES = {"__pycache__", "results"}  # caches and git-ignored benchmark output

# layers/ is being cleaned in the same change
# Files of layers/ allowed to break a rule for now, with the exact text of each allowed hit.
# Empty: no file of layers/ breaks either rule today. An entry whose text no longer occurs
# fails `test_allow_lists_name_only_current_layers_hits`, so the lists can only shrink.
LAYERS_ALLOWED_OUTSIDE_PATHS: dict[str, tuple[str, ...]] = {}
LAYERS_ALLOWED_LAB_NOTES: dict[str, tuple[str, ...]] = {}

LAB_NOTE_PHRASES = re.compile(r"closing notes?|the layer issue|this session", re.IGNORECASE)

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>)\]`'\"]+")
_PARENT_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w.\-/]*")
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~/-])(?:/(?:home|Users|root|work|mnt|scratch)/|[A-Za-z]:\\Users\\)[^\s'\"`)\]>,;]*"
)
_HOME_PATH = re.compile(r"(?<![\w/])~/[^\s'\"`)\]>,;]*")
# the documented default of the disk cache (`emlp_core.cache`): a user directory, not a file
# of this project
_HOME_PATHS_ALLOWED = ("~/.cache/",)
_MARKDOWN_NAME = re.compile(r"(?<![\w.\-/])(?:[\w.\-]+/)*[\w.\-]+\.md\b")


def scanned_files() -> list[Path]:
    """Every ``.py`` and ``.md`` file the rules apply to, sorted."""
    files = [ROOT / name for name in TOP_LEVEL_FILES if (ROOT / name).is_file()]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            relative = path.relative_to(ROOT)
            if SKIPPED_DIRECTORIES.intersection(relative.parts[:-1]):
                continue
            if path.suffix in {".py", ".md"} and path.is_file():
                files.append(path)
    return files


def _inside_repository(path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(ROOT) and path.exists()
    except OSError:
        return False


def outside_paths(text: str, directory: Path) -> list[str]:
    """The references in ``text`` (of a file in ``directory``) to paths outside the repository.

    A ``../`` path counts only if, taken from the file's directory, it leaves the
    repository or names nothing there; a ``*.md`` name counts only if no such file exists
    relative to the file's directory or to the repository root. URLs are ignored.

    Example:
        >>> outside_paths("see ../shared/REFERENCE.md and REFERENCE.md", ROOT / "benchmarks")
        ['../shared/REFERENCE.md', 'REFERENCE.md']
        >>> outside_paths("https://example.org/a/../b.md and benchmarks/README.md", ROOT)
        []
    """
    text = _URL.sub(" ", text)
    hits = []
    for match in _PARENT_PATH.finditer(text):
        path = match.group()
        if path.endswith(".") and not path.endswith(".."):  # a full stop ends the sentence
            path = path[:-1]
        if not _inside_repository(directory / path):
            hits.append(path)
    hits.extend(match.group() for match in _ABSOLUTE_PATH.finditer(text))
    hits.extend(
        match.group()
        for match in _HOME_PATH.finditer(text)
        if not match.group().startswith(_HOME_PATHS_ALLOWED)
    )
    for match in _MARKDOWN_NAME.finditer(text):
        name = match.group()
        if "../" in name:  # judged above, from the file's directory
            continue
        if not any(_inside_repository(base / name) for base in (directory, ROOT)):
            hits.append(name)
    return hits


def prose(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of the docstrings and comments of a Python file; every line of Markdown.

    Docstrings include attribute docstrings (a string statement after an assignment).
    """
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return list(enumerate(source.splitlines(), start=1))
    parts = [
        (node.lineno, node.value.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    parts.extend(
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    )
    return sorted(parts)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def outside_path_hits() -> dict[str, list[str]]:
    """``{file: ["line N: path", ...]}`` over every line of every scanned file."""
    found = {}
    for path in scanned_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        hits = [
            f"line {number}: {hit}"
            for number, line in enumerate(lines, start=1)
            for hit in outside_paths(line, path.parent)
        ]
        if hits:
            found[_relative(path)] = hits
    return found


def lab_note_hits() -> dict[str, list[str]]:
    """``{file: ["line N: phrase", ...]}`` of the lab-note phrases in docstrings and comments."""
    found = {}
    for path in scanned_files():
        hits = [
            f"line {line + text[: match.start()].count(chr(10))}: {match.group()}"
            for line, text in prose(path)
            for match in LAB_NOTE_PHRASES.finditer(text)
        ]
        if hits:
            found[_relative(path)] = hits
    return found


def _not_allowed(found: dict[str, list[str]], allowed: dict[str, tuple[str, ...]]) -> list[str]:
    return [
        f"{name}: {hit}"
        for name, hits in found.items()
        for hit in hits
        if not any(entry in hit for entry in allowed.get(name, ()))
    ]


def test_no_file_refers_to_a_path_outside_the_repository():
    offending = _not_allowed(outside_path_hits(), LAYERS_ALLOWED_OUTSIDE_PATHS)
    assert not offending, (
        "paths outside the repository (put outside figures in benchmarks/paper_reference.py "
        "with their source):\n" + "\n".join(offending)
    )


def test_no_docstring_or_comment_reads_as_lab_notes():
    offending = _not_allowed(lab_note_hits(), LAYERS_ALLOWED_LAB_NOTES)
    assert not offending, "lab notes in docstrings or comments:\n" + "\n".join(offending)


def test_allow_lists_name_only_current_layers_hits():
    for allowed, found in (
        (LAYERS_ALLOWED_OUTSIDE_PATHS, outside_path_hits()),
        (LAYERS_ALLOWED_LAB_NOTES, lab_note_hits()),
    ):
        for name, entries in allowed.items():
            assert name.startswith("layers/"), f"only layers/ files may be allowed: {name}"
            for entry in entries:
                assert any(entry in hit for hit in found.get(name, ())), (
                    f"{name} no longer contains {entry!r}: remove it from the allow-list"
                )


def test_the_scan_covers_every_package_and_the_readme():
    names = {_relative(path) for path in scanned_files()}
    assert "README.md" in names and "benchmarks/README.md" in names
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names


@pytest.mark.parametrize(
    "text, directory, expected",
    [
        ("from ../shared/REFERENCE.md.", "benchmarks", ["../shared/REFERENCE.md"]),
        ("``../shared/CONVENTIONS.md``", "", ["../shared/CONVENTIONS.md"]),
        ("``../shared/`` holds notes", "layers", ["../shared/"]),
        ("read /work/shared/notes.txt", "", ["/work/shared/notes.txt"]),
        ("saved in /home/alice/runs", "groups", ["/home/alice/runs"]),
        ("saved in /Users/bob/x.json", "groups", ["/Users/bob/x.json"]),
        ("C:\\Users\\carol\\emlp", "", ["C:\\Users\\carol\\emlp"]),
        ("see ~/notes/solver.txt", "", ["~/notes/solver.txt"]),
        ("the numbers in REFERENCE.md", "tests", ["REFERENCE.md"]),
        ("(../../README.md)", "benchmarks", ["../../README.md"]),
        # legitimate: URLs, links that resolve inside, the cache default, relative imports
        ("https://arxiv.org/abs/2104.09459 and http://a.org/x/../y.md", "", []),
        ("[results](benchmarks/README.md)", "", []),
        ("[top](../README.md) and [here](README.md)", "benchmarks", []),
        ("default ``~/.cache/emlp-toolkit``", "emlp_core", []),
        ("from ..module import name; x[..., 0]; a/b; 1/2", "groups", []),
        ("`benchmarks/paper_reference.py` and CHANGELOG.md", "", []),
    ],
)
def test_outside_paths_flags_exactly_the_references_that_leave(text, directory, expected):
    assert outside_paths(text, ROOT / directory) == expected


@pytest.mark.parametrize(
    "text, hit",
    [
        ("# see the closing notes of the run", True),
        ('"""As the Layer Issue asks."""', True),
        ("# measured in this session", True),
        ("# the session-scoped fixture; notes on closing files", False),
    ],
)
def test_lab_note_phrases(text, hit):
    assert bool(LAB_NOTE_PHRASES.search(text)) is hit
