"""Repo-wide rules: rooms import downwards only, and every room declares its public names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
UI_LIBRARIES = {"panel", "bokeh", "holoviews", "param"}
# rooms from the bottom up: a room imports only rooms of lower layers, never a peer or above
LAYERS = (
    ("fs", "schema"),
    ("cache", "sources"),
    ("structure",),
    ("graph", "annotate", "embed"),
    ("output", "score"),
    ("record",),
    ("engine",),
    ("report",),
    ("ui",),
)
# the readers of runs (the report, the app) see a run only through the record room
READERS_SKIP = {"report": {"engine"}, "ui": {"engine"}}
FORBIDDEN = {
    room: {r for later in LAYERS[i:] for r in later} - {room} | READERS_SKIP.get(room, set())
    for i, layer in enumerate(LAYERS)
    for room in layer
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


def test_every_room_is_in_a_layer():
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert rooms - {"examples"} == set(FORBIDDEN)


@pytest.mark.parametrize("room", sorted(FORBIDDEN), ids=str)
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
