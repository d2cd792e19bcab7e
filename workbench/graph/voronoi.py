"""Voronoi contact areas (Å²) between atoms, from the ``voronota`` program.

Voronota (Olechnovič & Venclovas 2014, J. Comput. Chem. 35:672) tessellates balls of van der
Waals radius (its default radii) constrained by a 1.4 Å solvent probe. A face between atoms i and
j depends only on atoms k with d(i, k) < r_i + r_k + 2·probe, so the areas of interface pairs
come out the same when voronota sees just the atoms within ``REACH`` of the interface atoms.
Only inter-atom faces are used, so voronota subdivides its spheres for solvent-accessible
areas as coarsely as it allows (``--sih-depth 1``; that depth enters only those a == b rows):
every inter-atom area is the one its defaults give, a third sooner.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "CONTACTS_COMMAND",
    "REACH",
    "ContactAreas",
    "SharedContacts",
    "VoronotaError",
    "contact_areas",
    "voronota_available",
]

REACH = 2.0 * (2.0 + 1.4)  # Å: 2·(largest voronota radius, bounded by 2 Å, + probe)
CONTACTS_COMMAND = ("calculate-contacts", "--sih-depth", "1")


class VoronotaError(RuntimeError):
    """voronota failed or is missing; carries the command's reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def voronota_available() -> bool:
    """True when the voronota program is on PATH."""
    return shutil.which("voronota") is not None


def _pdb_lines(
    coord: np.ndarray, name: np.ndarray, res_name: np.ndarray, element: np.ndarray
) -> str:
    """Minimal PDB ATOM records; the serial is the atom's position in the input arrays."""
    lines = [
        f"ATOM  {i:5d} {(n if len(n) == 4 else ' ' + n):<4} {r:>3.3} A{i % 10000:4d}    "
        f"{x:8.3f}{y:8.3f}{z:8.3f}  1.00  0.00          {e:>2.2}\n"
        for i, (n, r, e, (x, y, z)) in enumerate(zip(name, res_name, element, coord, strict=True))
    ]
    return "".join(lines) + "END\n"


def _run(args: Sequence[str], text: str) -> str:
    """Run one voronota command on stdin text; VoronotaError with its stderr on failure."""
    exe = shutil.which("voronota")
    if exe is None:
        raise VoronotaError("voronota is not on PATH")
    done = subprocess.run([exe, *args], input=text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise VoronotaError(f"voronota {args[0]} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def contact_areas(
    coord: np.ndarray,
    name: np.ndarray,
    res_name: np.ndarray,
    element: np.ndarray,
    focus: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Voronoi contact areas between atom pairs that involve a ``focus`` atom.

    Parameters
    ----------
    coord : ndarray, dtype=float, shape (n, 3)
        Heavy atoms, Å.
    name, res_name, element : ndarray, dtype=str, shape (n,)
        Atom name, residue name and element, for voronota's radii.
    focus : ndarray, dtype=int, shape (q,)
        Indices of the atoms whose contacts are wanted (the interface atoms).

    Returns
    -------
    i, j : ndarray, dtype=int64, shape (p,)
        Indices into ``coord``, ``i < j``, at least one of them in ``focus``.
    area : ndarray, dtype=float64, shape (p,)
        Å².
    """
    near = cKDTree(coord[focus]).query_ball_point(coord, REACH, return_length=True) > 0
    hood = np.flatnonzero(near)
    text = _pdb_lines(coord[hood], name[hood], res_name[hood], element[hood])
    balls = _run(["get-balls-from-atoms-file"], text)
    rows = [line.split() for line in balls.splitlines() if line.strip()]
    serial = np.array([int(row[5]) for row in rows], dtype=np.int64)
    plain = "".join(f"{row[0]} {row[1]} {row[2]} {row[3]}\n" for row in rows)
    contacts = np.loadtxt(
        _run(CONTACTS_COMMAND, plain).splitlines(), dtype=np.float64, ndmin=2
    ).reshape(-1, 3)
    a, b = contacts[:, 0].astype(np.int64), contacts[:, 1].astype(np.int64)
    keep = a != b  # a == b rows are solvent-accessible areas, not contacts
    return _touching(hood[serial[a[keep]]], hood[serial[b[keep]]], contacts[keep, 2], focus)


def _touching(
    i: np.ndarray, j: np.ndarray, area: np.ndarray, focus: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (lower index first) with at least one atom in ``focus``, and their areas."""
    i, j = np.minimum(i, j), np.maximum(i, j)
    wanted = np.isin(i, focus) | np.isin(j, focus)
    return i[wanted], j[wanted], area[wanted]


ContactAreas = Callable[
    [np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    tuple[np.ndarray, np.ndarray, np.ndarray],
]
"""The signature of :func:`contact_areas`, which graph builders take to share a run."""


def _atom_keys(
    coord: np.ndarray, name: np.ndarray, res_name: np.ndarray, element: np.ndarray
) -> np.ndarray:
    """Each atom as voronota reads it (radius inputs and coordinates to 0.001 Å)."""
    return np.array(
        [
            f"{n}|{r:.3}|{e:.2}|{x:.3f}|{y:.3f}|{z:.3f}"
            for n, r, e, (x, y, z) in zip(name, res_name, element, coord, strict=True)
        ]
    )


@dataclass(frozen=True, slots=True)
class _Run:
    order: np.ndarray  # atom indices sorted by key
    keys: np.ndarray  # the sorted keys
    focus: np.ndarray  # bool per sorted atom
    i: np.ndarray  # sorted positions, i < j in the caller's indices
    j: np.ndarray
    area: np.ndarray


class SharedContacts:
    """:func:`contact_areas` that runs voronota once for an item's two graphs (native and
    deeprank-ab) when both hand it the same atoms, as voronota reads them, and the second
    asks about atoms within the first's focus: those faces are all in the first run's answer.
    Otherwise it runs voronota again; either way the answer is what ``contact_areas`` gives.
    """

    def __init__(self) -> None:
        self._last: _Run | None = None
        self.runs = 0  # voronota runs made

    def __call__(
        self,
        coord: np.ndarray,
        name: np.ndarray,
        res_name: np.ndarray,
        element: np.ndarray,
        focus: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keys = _atom_keys(coord, name, res_name, element)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        last = self._last
        if (
            last is not None
            and np.array_equal(last.keys, sorted_keys)
            and len(np.unique(sorted_keys)) == len(sorted_keys)
            and last.focus[rank[focus]].all()
        ):
            return _touching(order[last.i], order[last.j], last.area, focus)
        i, j, area = contact_areas(coord, name, res_name, element, focus)
        self.runs += 1
        in_focus = np.zeros(len(order), dtype=bool)
        in_focus[rank[focus]] = True
        self._last = _Run(order, sorted_keys, in_focus, rank[i], rank[j], area)
        return i, j, area
