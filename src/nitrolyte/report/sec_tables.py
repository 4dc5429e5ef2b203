"""Report section: the review's Tables 1-6, the errata and the design targets, from the database.

Tables 1-4 are rebuilt from the literature rows of the database (one row per material and
direction, grouped by the review's sub-headings), Table 5 from each material's synthesis method,
Table 6 from ``records.yaml``. Values are shown as the review prints them
("2.14e-3 S/cm (25 °C)", footnote *a* for values back-calculated from Arrhenius plots); the CSV
beside each table holds the machine-readable columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nitrolyte.report.framework import ReportContext, Section, TableOutput, escape
from nitrolyte.report.page import pretty_unit
from nitrolyte.report.table_cells import (
    DIRECTION_ARROWS,
    Cell,
    conductivity_cell,
    conductivity_text,
    ea_cell,
    html_table,
    name_cell,
    number_or_none,
    ref_cell,
    sci,
    structure_text,
    text_cell,
)
from nitrolyte.report.user_table import user_table, with_unknown

if TYPE_CHECKING:
    import pandas as pd

#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 0.1
#: review table -> title as printed
REVIEW_TABLES = {
    "Table 1": "Lithium nitride and LiPON (and derivative) solid-state electrolytes",
    "Table 2": "Lithium nitride halide solid-state electrolytes",
    "Table 3": "Lithium nitride chalcogenide and lithium phosphorus nitride solid-state electrolytes",
    "Table 4": "Lithium nitride solid-state electrolytes with group 14 and group 13 elements",
}
_COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "~": "~"}
FOOTNOTE_A = "a: the room-temperature ionic conductivity is calculated from Arrhenius plots."
# ------------------------------------------------------------------ data
def _literature_refs(ctx: ReportContext) -> dict[int, tuple[str, str]]:
    """Review reference number -> (doi, citation), read once per table."""
    refs = ctx.db.table("references", "literature")
    return {int(r): (str(d or ""), str(c or ""))
            for r, d, c in zip(refs["ref"], refs["doi"], refs["citation"], strict=True)}


def _errata_for(ids: set[str]) -> tuple[str, ...]:
    from nitrolyte.dataset import errata

    out = []
    for e in errata().to_dict("records"):
        if ids & set(filter(None, str(e["material_ids"]).split(";"))):
            out.append(f"The review prints {e['printed']}; the database keeps {e['correct']} "
                       f"({e['explanation']})")
    return tuple(out)


def review_table(ctx: ReportContext, wide: pd.DataFrame, location: str) -> TableOutput:
    """One of Tables 1-4, grouped by family, with its CSV."""
    import pandas as pd

    cites = {n: c for n, (_, c) in _literature_refs(ctx).items()}
    part = wide[wide["location"] == location]
    rows: list[Sequence[Cell] | str] = []
    csv_rows = []
    for family, group in part.groupby("family", sort=False):
        rows.append(str(family))
        for r in group.to_dict("records"):
            ref = number_or_none(r["ref"])
            rows.append([name_cell(r["name"]), text_cell(structure_text(r)), conductivity_cell(r),
                         text_cell(DIRECTION_ARROWS.get(r["direction"], r["direction"])), ea_cell(r),
                         ref_cell(ref, r["doi"], cites.get(int(ref), "") if ref else ""),
                         (f'<span class="erratum">{escape(r["note"])}</span>', None)])
            csv_rows.append({"review_table": location, "group": family, "name": r["name"],
                             "formula": r["formula"], "structure": structure_text(r),
                             "crystal_system": r["crystal_system"], "space_group": r["space_group"],
                             "conductivity_printed": conductivity_text(r),
                             "sigma_S_cm": r["sigma_S_cm"], "sigma_qualifier": r["sigma_qualifier"],
                             "T_K": r["T_K"], "from_arrhenius": r["from_arrhenius"],
                             "direction": r["direction"], "Ea_eV": r["Ea_eV"],
                             "Ea_HT_eV": r["Ea_HT_eV"], "T_transition_K": r["T_transition_K"],
                             "sigma_e_S_cm": r.get("sigma_e_S_cm"),
                             "sigma_e_qualifier": r.get("sigma_e_qualifier", ""),
                             "ref": ref, "doi": r["doi"], "note": r["note"]})
    key = location.lower().replace(" ", "")
    html = html_table(f"tbl-{key}", ("Material", "Structure", "Room-temperature ionic conductivity",
                                     "Direction", "Activation energy", "Ref.", "Notes / errata"),
                      rows)
    csv = ctx.save_csv(pd.DataFrame(csv_rows), key)
    return TableOutput(key=key, title=REVIEW_TABLES[location], review_ref=location, html=html,
                       csv=csv, caption=f"{len(csv_rows)} rows. {FOOTNOTE_A} Hover a reference "
                       "for its citation; click a column header to sort.",
                       deviations=_errata_for(set(part["material_id"])))


#: Table 5's order of methods and routes
_METHODS = ("czochralski", "solid-state reaction", "phase transformation", "physical")
_ROUTES = ("", "sintering", "mechanical milling", "mechanical milling and sintering")


def _method_rank(synthesis: str) -> tuple[int, int, str]:
    method, _, route = synthesis.lower().partition(": ")
    m = next((i for i, p in enumerate(_METHODS) if method.startswith(p)), len(_METHODS))
    r = _ROUTES.index(route) if route in _ROUTES else len(_ROUTES)
    return m, r, synthesis


def table5(ctx: ReportContext, wide: pd.DataFrame) -> TableOutput:
    """Table 5: synthesis method -> materials -> conductivity."""
    import pandas as pd

    part = wide[wide["location"].str.startswith("Table") & (wide["synthesis"] != "")]
    rows: list[Sequence[Cell] | str] = []
    csv_rows = []
    inferred = []
    order = sorted(dict.fromkeys(part["synthesis"]), key=_method_rank)
    for synthesis in order:
        group = part[part["synthesis"] == synthesis]
        method, _, route = str(synthesis).partition(": ")
        for r in group.to_dict("records"):
            mark = "not listed in table 5" in r["note"].lower()
            if mark:
                inferred.append(r["name"])
            name = name_cell(r["name"])[0] + (' <sup class="fn" title="not in the review\'s Table 5; '
                                        'method from section 3">†</sup>' if mark else "")
            rows.append([text_cell(method.capitalize()), text_cell(route), (name, r["name"]),
                         conductivity_cell(r), text_cell(DIRECTION_ARROWS.get(r["direction"], ""))])
            csv_rows.append({"synthesis_method": method, "route": route, "name": r["name"],
                             "conductivity_printed": conductivity_text(r),
                             "sigma_S_cm": r["sigma_S_cm"], "T_K": r["T_K"],
                             "direction": r["direction"], "listed_in_review_table5": not mark,
                             "ref": number_or_none(r["ref"])})
    html = html_table("tbl-table5", ("Synthesis method", "Route", "Nitride SSE",
                                     "Ionic conductivity", "Direction"), rows)
    devs = (f"Also lists {', '.join(inferred)} (marked †), which the review's Table 5 omits; "
            "their synthesis method comes from section 3.",) if inferred else ()
    return TableOutput(key="table5", title="Typical synthesis methods of nitride SSEs",
                       review_ref="Table 5", html=html, csv=ctx.save_csv(pd.DataFrame(csv_rows),
                                                                          "table5"),
                       caption=f"{len(csv_rows)} rows, grouped by method. {FOOTNOTE_A}",
                       deviations=devs)


def _bullets(items: Any) -> str:
    return "<ul>" + "".join(f"<li>{escape(str(i))}</li>" for i in items) + "</ul>"


def table6(ctx: ReportContext) -> TableOutput:
    """Table 6: advantages and disadvantages of the synthesis methods."""
    import pandas as pd

    from nitrolyte.dataset import records

    entries = records().table6
    rows: list[Sequence[Cell] | str] = [
        [text_cell(e.method), (_bullets(e.advantages), None), (_bullets(e.disadvantages), None),
         text_cell(e.suitable_forms)] for e in entries]
    frame = pd.DataFrame([{"method": e.method, "advantages": "; ".join(e.advantages),
                           "disadvantages": "; ".join(e.disadvantages),
                           "suitable_forms": e.suitable_forms} for e in entries])
    html = html_table("tbl-table6", ("Synthesis method", "Advantages", "Disadvantages",
                                     "Suitable forms"), rows)
    return TableOutput(key="table6", title="Comparison of synthesis methods for nitride SSEs",
                       review_ref="Table 6", html=html, csv=ctx.save_csv(frame, "table6"))


def _material_names(ids: Any, names: dict[str, str]) -> str:
    """``"li9n2cl3;li5ni2"`` -> ``"Li9N2Cl3, Li5NI2"`` (display names, ids where unknown)."""
    return ", ".join(names.get(i, i) for i in str(ids or "").split(";") if i)


def errata_table(ctx: ReportContext, wide: pd.DataFrame) -> TableOutput:
    """Every place where the review contradicts itself, and what the database keeps."""
    from nitrolyte.dataset import errata

    frame = errata()
    names = dict(zip(wide["material_id"], wide["name"], strict=True))
    literature = _literature_refs(ctx)
    rows = [[text_cell(r["id"]), text_cell(_material_names(r["material_ids"], names)),
             text_cell(r["printed"]), text_cell(r["correct"]), text_cell(r["explanation"]),
             text_cell(r["location"]), _refs_cell(r["refs"], literature)]
            for r in frame.to_dict("records")]
    html = html_table("tbl-errata", ("Id", "Materials", "Review prints", "Database keeps",
                                     "Why", "Where", "Refs"), rows)
    return TableOutput(key="errata", title="Errata: where the review contradicts itself",
                       review_ref="Tables 1-5, text", html=html,
                       csv=ctx.save_csv(frame, "errata"),
                       caption="Errata are data: shown, never silently fixed.")


def _refs_cell(refs: Any, literature: dict[int, tuple[str, str]]) -> Cell:
    """``"12;14"`` -> linked reference labels (``literature`` from :func:`_literature_refs`)."""
    numbers = [int(n) for n in str(refs or "").split(";") if n.strip()]
    return " ".join(ref_cell(n, *literature.get(n, ("", "")))[0] for n in numbers), None


def _number(value: float) -> str:
    """A target value as printed: 0.001 -> '1e-3', 0.01 -> '1e-2', 350 -> '350'."""
    return sci(value) if value != 0 and abs(value) < 0.1 else f"{value:g}"


def _target_unit(row: dict[str, Any]) -> str:
    """' µm', ' mAh/cm²', ' °C' (the data write degC; a bare 'C' is a C-rate)."""
    unit = pretty_unit(str(row["unit"]))
    return f" {unit}" if unit else ""


def targets_table(ctx: ReportContext) -> TableOutput:
    """The design targets of the review's Perspectives."""
    from nitrolyte.dataset import targets

    frame = targets()
    literature = _literature_refs(ctx)
    rows = []
    for r in frame.to_dict("records"):
        unit = _target_unit(r)
        stretch = number_or_none(r.get("stretch_value"))
        rows.append([text_cell(r["quantity"]),
                     (f'<span class="nowrap">{_COMPARATORS.get(r["comparator"], r["comparator"])} '
                      f"{_number(r['value'])}{escape(unit)}</span>", r["value"]),
                     text_cell("" if stretch is None else f"{_number(stretch)}{unit}"),
                     text_cell(r.get("purpose", "")), text_cell(r["location"]), _refs_cell(r["refs"], literature),
                     text_cell(r.get("note", ""))])
    html = html_table("tbl-targets", ("Quantity", "Target", "Stretch", "Purpose", "Where", "Refs",
                                      "Note"), rows)
    return TableOutput(key="targets", title="Design targets (Perspectives)",
                       review_ref="Perspectives", html=html, csv=ctx.save_csv(frame, "targets"),
                       caption="The targets nitride SSEs and their cells must reach, as the review "
                               "states them; the screening module scores materials against them.")


def build(ctx: ReportContext) -> Section:
    """The tables section of the report (plus the user measurements, when there are any)."""
    wide = ctx.db.materials_frame(source="literature")
    tables = [review_table(ctx, wide, loc) for loc in REVIEW_TABLES]
    tables += [table5(ctx, wide), table6(ctx), errata_table(ctx, wide), targets_table(ctx)]
    user = with_unknown(ctx, ctx.db.materials_frame(source="user"))
    if len(user):
        tables.append(user_table(ctx, user))
    return Section(key="tables", title="Tables 1-6: the nitride SSE database",
                   intro="The review's tables rebuilt from the nitrolyte database (literature "
                         "rows). Every value carries its reference; values the review "
                         "back-calculated from Arrhenius plots carry footnote a.",
                   tables=tuple(tables))
