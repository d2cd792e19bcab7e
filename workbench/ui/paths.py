"""Confines paths typed into the app to allowed roots, so a served app cannot read the disk.

Allowed roots default to the bundled examples, the server's working directory and the
``os.pathsep``-separated list in ``WORKBENCH_ALLOWED_ROOTS``. A path is refused when it
contains a ``..`` part or when it resolves (symlinks followed) outside every root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["ENV_ROOTS", "PathRefused", "confine", "default_roots"]

ENV_ROOTS = "WORKBENCH_ALLOWED_ROOTS"


class PathRefused(ValueError):
    """A path outside the allowed roots; the message says which path and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"refused {self.path!r}: {self.reason}"


def _examples_dir() -> Path | None:
    """The bundled examples folder, when the engine ships one."""
    try:
        from workbench import examples
    except ImportError:
        return None
    return Path(examples.__file__).resolve().parent


def default_roots(env: dict[str, str] | None = None) -> tuple[Path, ...]:
    """Bundled examples, the working directory and the roots named in WORKBENCH_ALLOWED_ROOTS."""
    env = os.environ if env is None else env
    roots = [Path.cwd()]
    examples = _examples_dir()
    if examples is not None:
        roots.insert(0, examples)
    roots += [Path(p) for p in env.get(ENV_ROOTS, "").split(os.pathsep) if p.strip()]
    return tuple(dict.fromkeys(r.expanduser().resolve() for r in roots))


def confine(path: str | os.PathLike[str], roots: Iterable[Path]) -> Path:
    """The resolved path if it lies under one of ``roots``; raises PathRefused otherwise."""
    text = os.fspath(path).strip()
    if not text:
        raise PathRefused(text, "empty path")
    if ".." in Path(text).parts:
        raise PathRefused(text, "'..' is not allowed in paths")
    roots = [Path(r).resolve() for r in roots]
    candidate = Path(text).expanduser().absolute()
    resolved = candidate.resolve()
    for root in roots:
        if resolved == root or resolved.is_relative_to(root):
            return resolved
    shown = ", ".join(str(r) for r in roots) or "none configured"
    if candidate.is_symlink() or resolved != candidate:
        raise PathRefused(text, f"it resolves to {resolved}, outside the allowed roots ({shown})")
    raise PathRefused(text, f"outside the allowed roots ({shown})")
