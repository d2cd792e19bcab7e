"""Chain roles from numbering: which protein chains of a structure are heavy, light, scFv, antigen.

Rules (``detect_roles``): a chain with two or more variable domains is an scFv; a chain with
one H domain is a heavy chain, one K or L domain a light chain; a chain that numbers as nothing
is antigen. The first heavy and the first light chain in file order form the antibody. Further
heavy or light chains (a second Fab in the file) are neither antibody nor antigen: they are
left out of the spec with a warning, never called antigen.

Classifications are cached per process by sequence (decoys share sequences), so the prep
workers number each distinct chain once.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from workbench.annotate.numbering import number_sequences
from workbench.annotate.options import AnnotateOptions
from workbench.structure.records import ChainSpec

__all__ = ["chain_kinds", "check_declared_roles", "detect_roles"]

_OPTIONS = AnnotateOptions()
_KINDS: dict[str, str] = {}
_LOCK = threading.Lock()
_CACHE_LIMIT = 100_000


def _kind(chain_types: tuple[str, ...]) -> str:
    """'scfv', 'heavy', 'light' or 'none' from the chain types of a chain's domains."""
    if len(chain_types) >= 2:
        return "scfv"
    if chain_types == ("H",):
        return "heavy"
    if chain_types in (("K",), ("L",)):
        return "light"
    return "none"


def chain_kinds(sequences: Mapping[str, str]) -> dict[str, str]:
    """Chain id -> 'heavy', 'light', 'scfv' or 'none', numbering only unseen sequences."""
    distinct = set(sequences.values())
    with _LOCK:
        known = {seq: _KINDS[seq] for seq in distinct if seq in _KINDS}
    missing = sorted(distinct - known.keys())
    if missing:
        found = {n.sequence: _kind(n.chain_types) for n in number_sequences(missing, _OPTIONS)}
        known.update(found)
        with _LOCK:
            if len(_KINDS) + len(found) > _CACHE_LIMIT:
                _KINDS.clear()
            _KINDS.update(found)
    return {chain: known[seq] for chain, seq in sequences.items()}


def detect_roles(chains: Mapping[str, str], source: str = "") -> tuple[ChainSpec, list[str]]:
    """Roles of the protein chains (chain id -> sequence, file order) of one structure."""
    kinds = chain_kinds(chains)
    where = f"{source}: " if source else ""
    warnings = []
    heavy = next((c for c, kind in kinds.items() if kind == "heavy"), None)
    light = next((c for c, kind in kinds.items() if kind == "light"), None)
    scfv = tuple(c for c, kind in kinds.items() if kind == "scfv")
    for chain, kind in kinds.items():
        if kind in ("heavy", "light") and chain not in (heavy, light):
            warnings.append(
                f"{where}chain {chain} also numbers as {kind} chain; only {heavy or light} is "
                f"used as the {kind} chain and {chain} is left out (neither antibody nor antigen)"
            )
    if heavy is None and light is None and not scfv:
        warnings.append(f"{where}no chain numbers as an antibody variable domain")
    elif heavy is None and light is not None and not scfv:
        warnings.append(f"{where}light chain {light} found without a heavy chain")
    antigen = tuple(c for c, kind in kinds.items() if kind == "none")
    return ChainSpec(heavy, light, antigen, detected=True, scfv=scfv), warnings


def check_declared_roles(spec: ChainSpec, chains: Mapping[str, str]) -> list[str]:
    """Warnings where declared roles disagree with what the chains number as."""
    declared = {c: "scfv" for c in spec.scfv}
    if spec.heavy:
        declared[spec.heavy] = "heavy"
    if spec.light:
        declared[spec.light] = "light"
    declared.update({c: "antigen" for c in spec.antigen})
    absent = [c for c in declared if c not in chains]
    warnings = [f"declared chain {c} has no protein residues" for c in absent]
    kinds = chain_kinds({c: chains[c] for c in declared if c in chains})
    for chain, role in declared.items():
        kind = kinds.get(chain)
        if kind is None or kind == role or (role == "antigen" and kind == "none"):
            continue
        if kind == "none":
            warnings.append(f"declared {role} chain {chain} does not number as an antibody")
        elif role == "antigen":
            warnings.append(f"declared antigen chain {chain} numbers as an antibody {kind} chain")
        else:
            warnings.append(f"declared {role} chain {chain} numbers as a {kind} chain")
    return warnings
