"""One entry of the structure library (the record both the library and its validation use)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["cif", "prototype", "molecule", "aflow", "user", "predicted"]


@dataclass(frozen=True)
class LibraryEntry:
    """One structure of the library.

    Attributes
    ----------
    name : str
        Display name (``"β-Li3N"``).
    formula : str
        Declared formula of one formula unit (``"Li3N"``).
    kind : {"cif", "prototype", "molecule", "aflow", "user", "predicted"}
        How the structure is built (``predicted``: by ``nitrolyte structure predict``, labelled).
    Z : int
        Formula units per cell as published (0 for molecules).
    density_g_cm3 : float
        Published density (g/cm3): handbook value, or from the published cell and Z; NaN for molecules.
    source, doi, role : str
        Where the structure comes from, its DOI, and why it is in the library.
    spec : dict
        What the builder needs (CIF file name, or space group, cell and sites, or atoms).
    """

    name: str
    formula: str
    kind: Kind
    Z: int
    density_g_cm3: float
    source: str
    doi: str = ""
    role: str = ""
    spec: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the builder spec)."""
        d = {k: getattr(self, k) for k in ("name", "formula", "kind", "Z", "source", "doi", "role")}
        d["density_g_cm3"] = None if math.isnan(self.density_g_cm3) else self.density_g_cm3
        return d
