"""The environment of the processes a benchmark times: bytecode cached, as when installed."""

from __future__ import annotations

import os

__all__ = ["environment"]


def environment() -> dict[str, str]:
    """This process's environment without PYTHONDONTWRITEBYTECODE: this machine sets it, so every
    timed process (and each of its workers) would compile the workbench's sources anew, 0.1–0.3 s
    apiece, which no installed copy does. Run one untimed process first to write the caches."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
