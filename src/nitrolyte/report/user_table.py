"""The report's table of the database's user measurements (and unknown simulation answers),
apart from the review's Tables 1-6 (never renumbered into them)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nitrolyte.report.framework import ReportContext, TableOutput, escape
from nitrolyte.report.table_cells import (
    DIRECTION_ARROWS,
    Cell,
    conductivity_cell,
    conductivity_text,
    ea_cell,
    html_table,
    name_cell,
    number_or_none,
    text_cell,
)

if TYPE_CHECKING:
    import pandas as pd


def _plain(value: Any) -> str:
    """Text of a cell that may be missing (None, NaN, pd.NA) -> '' ; 28.0 -> '28'."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _user_notes(ctx: ReportContext, sims: dict[str, str]) -> dict[str, str]:
    """material_id -> the methods and notes of its user measurements, '; '-joined, in order
    (a simulation's method reads "MD (simulation, <model version>)", ``sims``)."""
    from nitrolyte.provenance import method_label

    frame = ctx.db.table("measurements", "user")
    out: dict[str, list[str]] = {}
    for r in frame.to_dict("records"):
        label = method_label(_plain(r["method"]), sims.get(r["material_id"]))
        for text in (label, _plain(r["note"])):
            if text and text not in out.setdefault(r["material_id"], []):
                out[r["material_id"]].append(text)
    return {k: "; ".join(v) for k, v in out.items()}


def with_unknown(ctx: ReportContext, user: pd.DataFrame) -> pd.DataFrame:
    """The user rows plus one per material whose only answer is a simulation with no σ (not
    diffusive; ``unknown`` True, its reasons in ``unknown_text``)."""
    import pandas as pd

    from nitrolyte.provenance import unknown_only_materials

    shown = set(user["material_id"]) if len(user) else set()
    extra = [{"material_id": m["material_id"], "name": m["name"], "formula": m["formula"],
              "family": m["family"], "sigma_S_cm": math.nan, "sigma_qualifier": "",
              "T_K": math.nan, "Ea_eV": math.nan, "Ea_HT_eV": math.nan, "direction": "",
              "ref": "", "doi": "", "note": "; ".join(f"set {i}: {text}" for i, text in m["sets"]),
              "from_arrhenius": False, "unknown": True}
             for m in unknown_only_materials(ctx.db, shown)]
    if not extra:
        return user
    return pd.concat([user, pd.DataFrame(extra)], ignore_index=True)


def _unknown_notes(ctx: ReportContext) -> dict[str, str]:
    """material_id -> the unknown temperatures of its simulation sets that have σ points too."""
    from nitrolyte.provenance import unknown_sets

    out: dict[str, list[str]] = {}
    for u in unknown_sets(ctx.db):
        if not u["only"]:
            out.setdefault(u["material_id"], []).append(f"set {u['set_id']}: {u['text']}")
    return {k: "; ".join(v) for k, v in out.items()}


def user_table(ctx: ReportContext, user: pd.DataFrame) -> TableOutput:
    """The database's user measurements, apart from the review's tables (never renumbered into them).

    One row per (material, direction) of :meth:`Database.materials_frame` with ``source="user"``:
    the room-temperature value closest to 25 °C and the activation energy the user stored; a
    material whose only answer is a simulation with no σ (:func:`with_unknown`) reads
    "unknown (not diffusive)" with the reasons in its note.
    """
    import pandas as pd

    rows: list[Sequence[Cell] | str] = []
    csv_rows = []
    from nitrolyte.provenance import simulation_labels

    sims = simulation_labels(ctx.db)
    notes = _user_notes(ctx, sims)
    unknown = _unknown_notes(ctx)
    for r in user.to_dict("records"):
        badge = escape(sims.get(r["material_id"], "user data"))
        r["note"] = "; ".join(filter(None, (_plain(r["note"]), notes.get(r["material_id"], ""),
                                            unknown.get(r["material_id"], ""))))
        is_unknown = r.get("unknown") is True
        if number_or_none(r["sigma_S_cm"]) is not None:  # unit conversions leave float noise (9.000000000000001e-4)
            r["sigma_S_cm"] = float(f"{r['sigma_S_cm']:.6g}")
        ref, doi = _plain(r["ref"]), _plain(r["doi"])
        ref_text = (f'<a href="https://doi.org/{escape(doi)}">{escape(doi)}</a>' if doi
                    else escape(ref))
        rows.append([(name_cell(r["name"])[0] + f' <span class="badge">{badge}</span>',
                      r["name"]),
                     text_cell(_plain(r["formula"])), text_cell(_plain(r["family"])),
                     ("unknown (not diffusive)", None) if is_unknown else conductivity_cell(r),
                     text_cell(DIRECTION_ARROWS.get(r["direction"], r["direction"])),
                     ea_cell(r), (ref_text, None), text_cell(_plain(r["note"]))])
        csv_rows.append({"source": "user", "method": sims.get(r["material_id"], ""),
                         "material_id": r["material_id"], "name": r["name"],
                         "formula": r["formula"], "family": r["family"],
                         "conductivity_printed": "unknown (not diffusive)" if is_unknown
                         else conductivity_text(r),
                         "sigma_S_cm": r["sigma_S_cm"], "T_K": r["T_K"],
                         "direction": r["direction"], "Ea_eV": r["Ea_eV"], "ref": ref,
                         "doi": doi, "note": r["note"]})
    html = html_table("tbl-user_data", ("Material", "Formula", "Family", "Ionic conductivity",
                                        "Direction", "Activation energy", "Ref. / DOI", "Note"),
                      rows)
    return TableOutput(key="user_data", title="User measurements in this database",
                       review_ref="user data", html=html,
                       csv=ctx.save_csv(pd.DataFrame(csv_rows), "user_data"),
                       caption=f"{len(csv_rows)} rows added by users of this database (marked "
                               "user data, or MD (simulation, model and version) for results of "
                               "ML-potential molecular dynamics); not part of the review's Tables 1-6, whose rows and "
                               "numbering above are the literature's only. Where a user "
                               "measured a material of the review, the row shows the user's "
                               "value. Notes: the material's and its measurements' method and "
                               "note.")
