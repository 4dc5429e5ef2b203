"""Provenance of stored results: how simulated results are marked beside experiments (tables,
figures, screening, ``show``).

It sits below transport, simulate, screening and the interfaces, which all label rows with it.

A stored row or point whose ``method`` is in :data:`SIMULATION_METHODS` is a simulation; it is
labelled ``"MD (simulation)"`` wherever experiments and simulations appear together, and with the
model and its version where the measurement set is at hand, e.g.
``"MD (simulation, chgnet-0.4.2/model-0.3.0)"`` (:func:`simulation_label`,
:func:`simulation_labels`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: stored ``method`` values that are simulations, not experiments
SIMULATION_METHODS: tuple[str, ...] = ("MD", "BVSE", "NEB")
#: how an MD result is named in legends and tables when its model is not at hand
SIMULATION_LABEL = "MD (simulation)"


def is_simulation(method: object) -> bool:
    """Whether a stored ``method`` is a simulation (``"MD"``, ``"BVSE"``, ``"NEB"``)."""
    return isinstance(method, str) and method.strip() in SIMULATION_METHODS


def method_label(method: object, label: str | None = None) -> str:
    """The method as shown to a reader: ``label`` (or ``"MD (simulation)"``) for MD, else the
    text (or "")."""
    if is_simulation(method):
        return label or (SIMULATION_LABEL if method.strip() == "MD" else f"{method.strip()} (simulation)")
    return method if isinstance(method, str) else ""


def simulation_label(details: Mapping[str, Any] | None = None, method: str = "MD") -> str:
    """``"MD (simulation, <model version>)"`` from a set's ``method_details`` (``model``,
    ``version``); ``"MD (simulation)"`` when neither is given (``method`` replaces "MD", e.g. BVSE)."""
    plain = f"{method} (simulation)"
    if not isinstance(details, Mapping):
        return plain
    model, version = (str(details.get(k) or "") for k in ("model", "version"))
    what = version if model and version.startswith(model) else " ".join(filter(None, (model,
                                                                                      version)))
    return f"{method} (simulation, {what})" if what else plain


def _details(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def simulation_labels(db: DatabaseLike | None = None) -> dict[str, str]:
    """material_id -> label of every material with a stored simulation set (one query).

    A material simulated with several models gets their labels joined by ``"; "``; a set
    without a model (an old one) only counts when the material has no other.
    """
    from nitrolyte.api import database

    frame = database(db).measurement_sets()
    found: dict[str, list[str]] = {}
    for mid, method, details in zip(frame["material_id"], frame["method"],
                                    frame["method_details"], strict=True):
        if is_simulation(method):
            labels = found.setdefault(str(mid), [])
            text = simulation_label(_details(details), str(method).strip())
            if text not in labels:
                labels.append(text)
    return {mid: "; ".join([x for x in v if not x.endswith(" (simulation)")] or v)
            for mid, v in found.items()}


#: how a simulated σ that was never answered reads wherever sets are shown (no number)
UNKNOWN_ANSWER = "σ unknown: not diffusive"
#: the note of a run stored without any σ (``nitrolyte md``)
STORED_UNKNOWN = "stored as unknown"


def unknown_reasons(details: Any) -> list[str]:
    """``"600 K: <reason>"`` per temperature a set's ``method_details["not_diffusive"]`` lists."""
    out = []
    for entry in _details(details).get("not_diffusive") or ():
        if isinstance(entry, Mapping):
            T = entry.get("T_K")
            where = f"{T:g} K: " if isinstance(T, int | float) else ""
            out.append(f"{where}{entry.get('reason') or 'no σ'}")
    return out


def unknown_text(details: Any) -> str:
    """``"σ unknown: not diffusive (600 K: 0 Li hops ...)"`` for a set's unknown temperatures
    ("" when it lists none)."""
    reasons = unknown_reasons(details)
    return f"{UNKNOWN_ANSWER} ({'; '.join(reasons)})" if reasons else ""


def _set_rows(db: DatabaseLike | None) -> list[dict[str, Any]]:
    """Every measurement set (quick read-only SQLite path where it can, else the full one)."""
    from nitrolyte.store import quick

    rows = quick.measurement_sets(db)
    if rows is None:
        from nitrolyte.api import database

        rows = database(db).measurement_sets().to_dict("records")
    return rows


def unknown_sets(db: DatabaseLike | None = None, material_id: str | None = None) -> list[dict[str, Any]]:
    """Simulation sets that list temperatures with no σ (not diffusive), oldest first.

    Each: ``set_id``, ``material_id``, ``name``, ``label`` (model and version), ``n_points``,
    ``only`` (True when the set has neither point nor fit: its whole answer is unknown) and
    ``text`` (:func:`unknown_text`).
    """
    out = []
    for row in _set_rows(db):
        if not is_simulation(row["method"]) or (material_id and row["material_id"] != material_id):
            continue
        text = unknown_text(row["method_details"])
        if text:
            has_fit = isinstance(row["fit"], str) and row["fit"] not in ("", "null")
            out.append({"set_id": int(row["set_id"]), "material_id": str(row["material_id"]),
                        "name": row["name"],
                        "label": simulation_label(_details(row["method_details"])),
                        "n_points": int(row["n_points"]),
                        "only": int(row["n_points"]) == 0 and not has_fit, "text": text})
    return out


def unknown_only_materials(db: DatabaseLike | None = None, exclude: Collection[str] = ()) -> list[dict[str, Any]]:
    """Materials whose only stored answer is a simulation with no σ (sets with neither point nor
    fit, :func:`unknown_sets`), those in ``exclude`` left out, in set order.

    Each: ``material_id``, ``name``, ``family``, ``formula``, ``label`` (of its first such set)
    and ``sets``, a list of ``(set_id, text)``.
    """
    from nitrolyte.api import get

    found: dict[str, dict[str, Any]] = {}
    for u in unknown_sets(db):
        if not u["only"] or u["material_id"] in exclude:
            continue
        row = found.get(u["material_id"])
        if row is None:
            rec = get(u["material_id"], db=db)
            row = found[u["material_id"]] = {
                "material_id": rec.material_id, "name": rec.name, "family": rec.family,
                "formula": rec.formula, "label": u["label"], "sets": []}
        row["sets"].append((u["set_id"], u["text"]))
    return list(found.values())


def simulation_only_materials(db: DatabaseLike | None = None) -> set[str]:
    """material_ids whose user measurements all come from simulations (``MD``, ``BVSE``, ...):
    such rows are predictions of a material, never a second measured row of it
    (:func:`nitrolyte.screening.core` folds them into the material's literature row)."""
    from nitrolyte.api import database

    user = database(db).table("measurements", source="user")
    if user.empty:
        return set()
    sim = user["method"].map(is_simulation)
    return set(user.loc[sim, "material_id"].astype(str)) - set(
        user.loc[~sim, "material_id"].astype(str))


#: what an Ea of a simulation set is when the set does not say (``nitrolyte md`` sets)
_QUANTITY = {"MD": "MD Arrhenius Ea (simulated σ(T))", "BVSE": "BVSE percolation barrier",
             "NEB": "NEB migration barrier"}


def structure_estimates(db: DatabaseLike | None = None, material_id: str | None = None) -> list[dict[str, Any]]:
    """Transport from a structure: every stored simulation set with an Ea (of ``material_id``,
    or all), oldest first: ``set_id``, ``material_id``, ``name``, ``method``, ``label``,
    ``quantity`` (what the Ea is), ``Ea_eV``, ``Ea_spread_eV``, ``dimensionality`` and
    ``sigma_300K_S_cm`` (None where the set has none)."""
    out = []
    for row in _set_rows(db):
        if not is_simulation(row["method"]) or (material_id and row["material_id"] != material_id):
            continue
        fit, details = _details(row["fit"]), _details(row["method_details"])
        if fit.get("Ea_eV") is None:
            continue
        method = str(row["method"]).strip()
        out.append({"set_id": int(row["set_id"]), "material_id": str(row["material_id"]),
                    "name": row["name"], "method": method,
                    "label": simulation_label(details, method),
                    "quantity": str(details.get("quantity") or _QUANTITY.get(method, method)),
                    "Ea_eV": float(fit["Ea_eV"]), "Ea_spread_eV": fit.get("Ea_stderr_eV"),
                    "dimensionality": details.get("dimensionality"),
                    "sigma_300K_S_cm": fit.get("sigma_300K_S_cm")})
    return out
