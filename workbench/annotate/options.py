"""Annotation options and the CDR definition of every numbering scheme."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from workbench.schema import OptionError, check, option, record_from_dict

__all__ = [
    "CDR_DEFINITIONS",
    "CHAIN_TYPES",
    "SCHEMES",
    "SPECIES",
    "AnnotateOptions",
    "Scheme",
    "cdr_bounds",
]

Scheme = Literal["imgt", "kabat", "chothia", "martin", "aho"]
SCHEMES: tuple[str, ...] = get_args(Scheme)
CHAIN_TYPES = ("H", "K", "L", "A", "B", "G", "D")  # antibody H/K/L, TCR A/B/G/D
SPECIES = ("human", "mouse", "rat", "rabbit", "rhesus", "pig", "alpaca", "cow")

# CDR1, CDR2, CDR3 as inclusive ranges of scheme position numbers; an insertion (e.g. Kabat
# H35A, IMGT 111A) belongs to the range of its number. Keys: (scheme, chain class), where the
# class is "H" for heavy chains and "L" for kappa and lambda; "*" means any chain type.
# - IMGT (Lefranc et al. 2003): 27-38, 56-65, 105-117 for every chain.
# - Kabat (Kabat et al. 1991): H 31-35, 50-65, 95-102; L 24-34, 50-56, 89-97.
# - Chothia (Chothia & Lesk 1987, Al-Lazikani 1997) on Chothia numbering: H 26-32, 52-56,
#   95-102; L 24-34, 50-56, 89-97. Martin (enhanced Chothia) numbering uses the same loops.
# - AHo (Honegger & Plückthun 2001): 25-40, 58-77, 109-137 for every chain.
CDR_DEFINITIONS: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {
    ("imgt", "*"): ((27, 38), (56, 65), (105, 117)),
    ("kabat", "H"): ((31, 35), (50, 65), (95, 102)),
    ("kabat", "L"): ((24, 34), (50, 56), (89, 97)),
    ("chothia", "H"): ((26, 32), (52, 56), (95, 102)),
    ("chothia", "L"): ((24, 34), (50, 56), (89, 97)),
    ("martin", "H"): ((26, 32), (52, 56), (95, 102)),
    ("martin", "L"): ((24, 34), (50, 56), (89, 97)),
    ("aho", "*"): ((25, 40), (58, 77), (109, 137)),
}


def cdr_bounds(scheme: str, chain_type: str) -> tuple[tuple[int, int], ...]:
    """The three inclusive CDR ranges of a scheme for a chain type (H, K, L, ...)."""
    klass = {"H": "H", "K": "L", "L": "L"}.get(chain_type, chain_type)
    found = CDR_DEFINITIONS.get((scheme, "*")) or CDR_DEFINITIONS.get((scheme, klass))
    if found is None:
        raise ValueError(f"scheme {scheme!r} has no CDR definition for chain type {chain_type!r}")
    return found


@dataclass(frozen=True, slots=True)
class AnnotateOptions:
    """How chains are numbered; defaults follow ``anarci.anarci`` except TCR chains are off."""

    scheme: Scheme = option(
        "imgt", expert=True, help="numbering scheme of the CDR/framework regions"
    )
    germline: bool = option(
        False, expert=True, help="assign the closest V and J germline genes (ANARCI)"
    )
    allowed_species: tuple[str, ...] | None = option(
        ("human", "mouse"),
        choices=SPECIES,
        cli=False,
        form=False,
        help="species whose germlines are considered (ANARCI's default); None = all",
    )
    chain_types: tuple[str, ...] = option(
        ("H", "K", "L"),
        choices=CHAIN_TYPES,
        name="chain_types",
        expert=True,
        help="domain types that are numbered (antibody H, K, L; TCR A, B, G, D)",
    )

    def __post_init__(self) -> None:
        check(self)
        if not self.chain_types:
            raise OptionError("chain_types", self.chain_types, "at least one chain type")
        if self.allowed_species is not None and not self.allowed_species:
            raise OptionError("allowed_species", self.allowed_species, "None or some species")
        antibody_only = self.scheme in ("kabat", "chothia", "martin")
        if antibody_only and set(self.chain_types) - {"H", "K", "L"}:
            raise OptionError(
                "chain_types", self.chain_types, f"H, K, L only: {self.scheme} numbers antibodies"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able parameters, for cache keys and run manifests."""
        out = asdict(self)
        species = self.allowed_species
        out["allowed_species"] = None if species is None else list(species)
        out["chain_types"] = list(self.chain_types)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotateOptions:
        """Inverse of to_dict."""
        return record_from_dict(cls, data)
