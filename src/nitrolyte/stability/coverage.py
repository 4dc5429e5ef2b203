"""Which formulas of the database get a window, from what, and why the others do not (issue 22 item 5).

Every distinct formula of the curated literature records (``data/materials.csv``) is answered
with the default source: its own energy comes from the experimental table, a measured structure
(CIF, prototype, AFLOW record) or a predicted one (kind ``predicted``, labelled), or it is
explicitly missing, with the reason. A composition all of whose records are amorphous (the LiPON
family) says ``amorphous``; its window is that of the composition on the crystalline phases, and
the crystalline approximant the library holds for it (Li2PO2N for the Li-P-O-N glasses) is named
as an approximant only.

>>> from nitrolyte.stability.coverage import window_coverage, coverage_counts
>>> coverage_counts(window_coverage())["with_window"]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from nitrolyte.stability.sources import DEFAULT_SOURCE

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: crystalline approximants the library holds for amorphous compositions (element set -> entry)
AMORPHOUS_APPROXIMANTS: dict[frozenset[str], str] = {
    frozenset({"Li", "P", "O", "N"}): "Li2PO2N (crystalline LiPON, OBELiX cdk)",
}
#: why a formula has no structure beyond "none published offline" (what stands in the way of a prediction)
MISSING_REASONS: dict[str, str] = {
    "Li8GeN4": "9 cations per 4 N overfill the 8 tetrahedral sites of the antifluorite (--type antifluorite "
               "refuses it), and Ge3N4, its oxidation partner, has no structure either; Li8SiN4's li3n "
               "approximant shows the way ('structure predict Li8GeN4 --type li3n')",
}


@dataclass(frozen=True)
class CoverageRow:
    """How one formula of the database is answered.

    Attributes
    ----------
    formula : str
        The formula as the records print it.
    status : str
        ``experimental table``, ``measured structure``, ``predicted structure``, ``amorphous`` or
        ``missing structure``.
    reduction_V, oxidation_V : float
        The window (V vs. Li/Li+, default source); NaN when not computable.
    completeness : str
        ``complete``, ``bound`` or ``incomplete`` (:attr:`StabilityWindow.completeness`).
    basis : str
        Where the formula's own energy comes from (empty when it has none).
    reason : str
        For a missing structure, why; for an amorphous composition, the labelled approximant.
    """

    formula: str
    status: str
    reduction_V: float
    oxidation_V: float
    completeness: str
    basis: str
    reason: str

    @property
    def has_window(self) -> bool:
        """Whether both limits are numbers (a tie-line window counts; see :attr:`completeness`)."""
        return not (math.isnan(self.reduction_V) or math.isnan(self.oxidation_V))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN and inf as None)."""
        d = asdict(self)
        for k in ("reduction_V", "oxidation_V"):
            d[k] = d[k] if math.isfinite(d[k]) else None
        d["has_window"] = self.has_window
        return d


def database_formulas() -> dict[str, bool]:
    """Distinct formulas of the literature records -> whether every record of it is amorphous."""
    from nitrolyte.dataset import materials

    out: dict[str, bool] = {}
    for _, r in materials().iterrows():
        f = str(r["formula"] or "").strip()
        if f and f.lower() != "nan":
            amorphous = str(r.get("crystal_system", "")).strip().lower() == "amorphous"
            out[f] = out.get(f, True) and amorphous
    return dict(sorted(out.items()))


def window_coverage(source: Any = DEFAULT_SOURCE, db: DatabaseLike | None = None) -> list[CoverageRow]:
    """One :class:`CoverageRow` per formula of the database (see the module docstring)."""
    from nitrolyte.errors import NitrolyteError
    from nitrolyte.stability.window import electrochemical_window

    rows = []
    for formula, amorphous in database_formulas().items():
        try:
            w = electrochemical_window(formula, source, db=db)
        except NitrolyteError as exc:
            rows.append(CoverageRow(formula, "missing structure", math.nan, math.nan, "incomplete", "",
                                    str(exc)))
            continue
        basis = _own_basis(w) if w.own_energy else ""
        status, reason = _status(formula, amorphous, w.own_energy, basis)
        rows.append(CoverageRow(formula, status, w.reduction_V, w.oxidation_V, w.completeness, basis, reason))
    return rows


def _own_basis(w: Any) -> str:
    """Where the window's composition takes its energy from (keyed by formula or reduced formula)."""
    from pymatgen.core import Composition

    return str(w.energy_basis.get(w.formula) or w.energy_basis.get(Composition(w.formula).reduced_formula, ""))


def _status(formula: str, amorphous: bool, own: bool, basis: str) -> tuple[str, str]:
    from pymatgen.core import Composition

    if amorphous:
        if own:  # a crystalline phase of the same composition (Li3PO4): its window, named
            return "amorphous", (f"amorphous; window of crystalline {formula} ({basis}), an approximant "
                                 "of the glass")
        elements = frozenset(str(el) for el in Composition(formula).elements)
        approx = AMORPHOUS_APPROXIMANTS.get(elements)
        return "amorphous", (f"amorphous; nearest crystalline approximant {approx} (an approximant, "
                             "not this composition)" if approx else "amorphous; no crystalline approximant")
    if own:
        if not basis:  # above the hull: the window's basis names its decomposition only
            basis = _library_kind(formula)
        if "predicted" in basis:
            return "predicted structure", ""
        return ("experimental table" if basis.startswith("experimental") else "measured structure"), ""
    return "missing structure", MISSING_REASONS.get(formula, _no_structure(formula))


def _library_kind(formula: str) -> str:
    """``"predicted"`` when the library's structure of ``formula`` is a prediction, else ``""``."""
    from pymatgen.core import Composition

    from nitrolyte.structures.library import all_entries

    target = Composition(formula).fractional_composition
    same = [e for e in all_entries() if Composition(e.formula).fractional_composition.almost_equals(target)]
    return "predicted" if same and all(e.kind == "predicted" for e in same) else ""


def _no_structure(formula: str) -> str:
    """The ML source's one line on why it has no energy of ``formula`` (first: an element the
    library has no structure of, which a prediction alone would not fix)."""
    from pymatgen.core import Composition

    from nitrolyte.errors import NitrolyteError
    from nitrolyte.stability.sources import resolve_source
    from nitrolyte.structures.library import library_entries

    have = {str(Composition(e.formula).elements[0]) for e in library_entries() if Composition(e.formula).is_element}
    lacking = sorted(str(el) for el in Composition(formula).elements if str(el) not in have)
    if lacking:
        return (f"no structure for {formula}, and no structure of element {', '.join(lacking)} in the "
                "library: a predicted structure would have no energy reference; add the element first "
                "('nitrolyte structure NAME --cif FILE')")
    try:
        return str(resolve_source("ml").missing_structure_message(formula))  # type: ignore[attr-defined]
    except NitrolyteError as exc:
        return str(exc)


def coverage_counts(rows: list[CoverageRow]) -> dict[str, int]:
    """``formulas``, ``with_window``, ``own_energy`` and the count of each status."""
    counts = {"formulas": len(rows), "with_window": sum(r.has_window for r in rows),
              "own_energy": sum(r.status in ("experimental table", "measured structure", "predicted structure")
                                for r in rows)}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts
