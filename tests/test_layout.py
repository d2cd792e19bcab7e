"""Repo-wide rules: rooms import downwards only, and every room declares its public names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
UI_LIBRARIES = {"panel", "bokeh", "holoviews", "param"}
# room -> rooms of workbench it must never import (directly or through a submodule); ui and
# report are the top: both only read runs, and the report draws the ui's charts; fs is the
# bottom, which every room may use
FORBIDDEN = {
    "fs": {
        "sources",
        "structure",
        "graph",
        "annotate",
        "embed",
        "cache",
        "engine",
        "output",
        "report",
        "ui",
    },
    "cache": {
        "sources",
        "structure",
        "graph",
        "annotate",
        "embed",
        "engine",
        "output",
        "report",
        "ui",
    },
    "sources": {"structure", "graph", "annotate", "embed", "engine", "output", "report", "ui"},
    "structure": {"graph", "annotate", "embed", "engine", "output", "report", "ui"},
    "graph": {"annotate", "embed", "engine", "output", "report", "ui"},
    "annotate": {"embed", "engine", "output", "report", "ui"},
    "embed": {"annotate", "graph", "engine", "output", "report", "ui"},
    "output": {"engine", "report", "ui"},
    "engine": {"report", "ui"},
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rooms_import_downwards(path):
    room = _room(path)
    imported = _imports(path)
    rooms = {name.split(".")[1] for name in imported if name.startswith("workbench.")}
    assert not rooms & FORBIDDEN.get(room, set()), f"{path}: imports {rooms & FORBIDDEN[room]}"
    if room not in ("ui", "report", ""):
        top = {name.split(".")[0] for name in imported}
        assert not top & UI_LIBRARIES, f"{path}: a stage imports {top & UI_LIBRARIES}"


@pytest.mark.parametrize("room", [*sorted(FORBIDDEN), "report", "ui"], ids=str)
def test_every_room_declares_its_public_names(room):
    init = PACKAGE / room / "__init__.py"
    tree = ast.parse(init.read_text())
    assert ast.get_docstring(tree), f"{init} needs a docstring describing the room's data model"
    names = [
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    ]
    assert "__all__" in names, f"{init} must declare __all__"
