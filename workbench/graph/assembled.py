"""Which node features of a stored graph a stage after prep filled in (group attribute
``assembled``): a rerun reuses a stored graph only where it fills the same ones again."""

from __future__ import annotations

import h5py
import numpy as np

__all__ = ["assembled_features", "mark_assembled"]

_ATTR = "assembled"


def assembled_features(group: h5py.Group) -> list[str]:
    """Node features a stage after prep filled in, in the order they were first filled."""
    return [str(name) for name in group.attrs.get(_ATTR, ())]


def mark_assembled(group: h5py.Group, name: str) -> None:
    """Record that a stage after prep filled node feature ``name`` of the group."""
    names = assembled_features(group)
    if name not in names:
        group.attrs[_ATTR] = np.array([*names, name], dtype=object).astype(h5py.string_dtype())
