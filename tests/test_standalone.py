"""The repository stands alone: nothing its tests, benchmarks, apps or notebooks read is outside.

A static scan of their sources (and the package's) for paths that climb out of the repository:
strings that go up into the team's folder beside the checkout, that folder's name as a path
component, absolute ``/work/`` paths, and ``Path(__file__)`` ascents (or ``REPO.parent``) that go
above the repository root. A failure lists every ``file:line``. This file is left out of the
scan: its patterns and examples are exactly what the scan looks for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCANNED = {
    "tests": "*.py",
    "benchmarks": "*.py",
    "apps": "*.py",
    "notebooks": "*.ipynb",
    "workbench": "*.py",
}
EXTRA = ["Makefile", ".ci/run"]
# The team's folder beside the checkout, and the way up to it, spelled from parts: the patterns
# and examples below are what the scan looks for, and a text search of tests/ finds no reader.
TEAM = "sha" + "red"
UP = ".." + "/"
OUTSIDE = [
    re.compile(r"\.\./+" + TEAM + r"\b"),  # up a folder (or two) into the team's folder
    re.compile(f"""["']{TEAM}["']\\s*/|/\\s*["']{TEAM}["']"""),  # ... / TEAM / ...
    re.compile(f"""["'][^"'\\n]*\\b{TEAM}/data\\b"""),  # TEAM/data/... literals
    re.compile(r"\b(?:REPO|ROOT|REPO_ROOT|PROJECT)\.parent\b"),  # one above the root
    re.compile(r"""["']/work/"""),  # this machine's layout, absent from a clone
]
ASCENT = re.compile(
    r"Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parents\[\d+\]|\.parent\b)+)"
)
STEP = re.compile(r"\.parents\[(\d+)\]|\.parent\b")


def _sources() -> list[Path]:
    files = [p for folder, pattern in SCANNED.items() for p in (REPO / folder).rglob(pattern)]
    files += [REPO / name for name in EXTRA if (REPO / name).is_file()]
    here = Path(__file__).resolve()
    return sorted(p for p in files if p.resolve() != here and ".ipynb_checkpoints" not in p.parts)


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    """(where, line) of a source file; a notebook's are its cells' source lines."""
    if path.suffix == ".ipynb":
        for cell_number, cell in enumerate(json.loads(path.read_text())["cells"], 1):
            source = "".join(cell.get("source", []))
            for number, line in enumerate(source.splitlines(), 1):
                yield f"cell {cell_number}:{number}", line
    else:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            yield str(number), line


def _ascent(chain: str) -> int:
    """How many directories ``Path(__file__)<chain>`` climbs from the file: .parent is 1."""
    return sum(int(m.group(1)) + 1 if m.group(1) else 1 for m in STEP.finditer(chain))


def leaves_repo(line: str, depth: int) -> bool:
    """Whether a source line, in a file ``depth`` folders below the root, names a path outside."""
    if any(p.search(line) for p in OUTSIDE):
        return True
    return any(_ascent(m.group(1)) > depth + 1 for m in ASCENT.finditer(line))


def test_no_path_leaves_the_repository():
    sources = _sources()
    assert REPO / "tests" / "conftest.py" in sources and REPO / "Makefile" in sources
    found = [
        f"{path.relative_to(REPO)}:{where}: {line.strip()}"
        for path in sources
        for where, line in _lines(path)
        if leaves_repo(line, len(path.relative_to(REPO).parts) - 1)
    ]
    assert not found, "paths outside the repository:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        f'DATA = Path(__file__).resolve().parents[1].parent / "{TEAM}" / "data"',
        'DATA = Path(__file__).parents[2] / "data"',
        'DATA = Path(__file__).parent.parent.parent / "data"',
        "DATA = (REPO.parent / 'other').resolve()",
        f'text = open("{UP}{TEAM}/data/1AHW.pdb").read()',
        f'    "path": "{TEAM}/data/complexes",',
        'ROOT = "/work/elsewhere"',
    ],
)
def test_the_scan_catches_a_way_out(line):
    assert leaves_repo(line, depth=1)  # as if in tests/conftest.py


@pytest.mark.parametrize(
    "line",
    [
        "REPO = Path(__file__).resolve().parents[1]",
        'DATA = Path(__file__).parent.parent / "tests" / "data"',
        'sneaky = f"{complexes_dir}/../complexes/1AHW.pdb"',
        f'targets = [("{TEAM}", i) for i in range(4)]  # a cache stage of that name',
    ],
)
def test_the_scan_lets_paths_inside_pass(line):
    assert not leaves_repo(line, depth=1)


def test_data_dir_is_inside_the_repository(data_dir: Path, complexes_dir: Path):
    for folder in (data_dir, complexes_dir):
        assert folder.resolve().is_relative_to(REPO) and folder.is_dir()
