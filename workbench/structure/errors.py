"""Errors for structures that cannot be used, warnings for ones that work but look wrong."""

from __future__ import annotations

__all__ = ["StructureError", "StructureWarning"]


class StructureError(Exception):
    """Unusable structure; carries the path and the reason so the message names both."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class StructureWarning(UserWarning):
    """Input that works but looks wrong; ``kind`` groups them (altloc, duplicate, ...)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"
