"""Report section: the review's Tables 1-6, the errata and the design targets, from the database.

Tables 1-4 are rebuilt from the literature rows of the database (one row per material and
direction, grouped by the review's sub-headings), Table 5 from each material's synthesis method,
Table 6 from ``records.yaml``. Values are shown as the review prints them
("2.14e-3 S/cm (25 °C)", footnote *a* for values back-calculated from Arrhenius plots); the CSV
beside each table holds the machine-readable columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nitrolyte.report.framework import ReportContext, Section, TableOutput, escape
from nitrolyte.report.page import pretty_unit

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
FOOTNOTE_A = "a: the room-temperature ionic conductivity is calculated from Arrhenius plots."
_ARROWS = {"perp_c": "⊥c", "par_c": "∥c", "": ""}
Cell = tuple[str, Any]  # (inner HTML, sort key or None)


# ------------------------------------------------------------------ formatting
def sci(value: float) -> str:
    """Shortest scientific notation that round-trips: 0.00214 -> '2.14e-3', 1e-05 -> '1e-5'."""
    for digits in range(0, 16):
        text = f"{value:.{digits}e}"
        if float(text) == value:
            break
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def temperature_text(T_K: float) -> str:
    """As printed: 298.15 K -> '25 °C', 300.15 K -> '27 °C', 300 K -> '300 K'."""
    celsius = T_K - 273.15
    if abs(celsius - round(celsius)) < 1e-6:
        return f"{round(celsius)} °C"
    return f"{T_K:g} K"


def conductivity_cell(row: dict[str, Any]) -> Cell:
    """Printed-style conductivity with qualifier, footnote a, and temperature."""
    sigma = row["sigma_S_cm"]
    if sigma is None or (isinstance(sigma, float) and math.isnan(sigma)):
        return "", None
    fn = ('<sup class="fn" title="calculated from Arrhenius plots">a</sup>'
          if row["from_arrhenius"] else "")
    qualifier = escape(row["sigma_qualifier"] or "")
    return (f'<span class="nowrap">{qualifier}{sci(sigma)}{fn} S/cm '
            f"({escape(temperature_text(row['T_K']))})</span>{electronic_html(row)}", sigma)


def electronic_html(row: dict[str, Any]) -> str:
    """The electronic conductivity (property registry) under the ionic one, where stored."""
    sigma_e = _num(row.get("sigma_e_S_cm"))
    if sigma_e is None:
        return ""
    qualifier = escape(row.get("sigma_e_qualifier") or "")
    return (f'<br><span class="nowrap sigma-e" title="electronic conductivity">electronic: '
            f"{qualifier}{sci(sigma_e)} S/cm</span>")


def conductivity_text(row: dict[str, Any]) -> str:
    """Plain-text version of :func:`conductivity_cell` (for CSV)."""
    sigma = row["sigma_S_cm"]
    if sigma is None or (isinstance(sigma, float) and math.isnan(sigma)):
        return ""
    fn = "^a" if row["from_arrhenius"] else ""
    return f"{row['sigma_qualifier'] or ''}{sci(sigma)}{fn} S/cm ({temperature_text(row['T_K'])})"


_SUB = re.compile(r"(?<=[A-Za-z)])(\d+(?:\.\d+)?)")
_COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "~": "~"}


def name_cell(name: str) -> Cell:
    """A material name with formula subscripts (Li3N -> Li<sub>3</sub>N), sorted by its text."""
    return _SUB.sub(r"<sub>\1</sub>", escape(name)), name


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def ea_cell(row: dict[str, Any]) -> Cell:
    """'0.73 eV (LT), 0.47 eV (HT)' or '0.29 eV'."""
    low, high = _num(row["Ea_eV"]), _num(row["Ea_HT_eV"])
    if low is None:
        return "", None
    if high is None:
        return f"{low:g} eV", low
    return f"{low:g} eV (LT), {high:g} eV (HT)", low


def structure_text(row: dict[str, Any]) -> str:
    """'Hexagonal (P6/mmm)', 'Amorphous' or 'N/A'."""
    system = (row["crystal_system"] or "").capitalize()
    group = row["space_group"] or ""
    if system and group:
        return f"{system} ({group})"
    return system or group or "N/A"


def ref_cell(ref: Any, doi: str, citation: str) -> Cell:
    """Reference number with the citation as tooltip, linked to its DOI where known."""
    if _num(ref) is None:
        return "", None
    title = escape(citation or f"reference {ref} of the review")
    label = f"[{int(ref)}]"
    if doi:
        return f'<a href="https://doi.org/{escape(doi)}" title="{title}">{label}</a>', int(ref)
    return f'<span title="{title}">{label}</span>', int(ref)


def html_table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[Cell] | str]) -> str:
    """A sortable table; a plain string in ``rows`` becomes a group (sub-heading) row."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = []
    for row in rows:
        if isinstance(row, str):
            body.append(f'<tr class="group"><td colspan="{len(header)}">{escape(row)}</td></tr>')
            continue
        cells = "".join(f"<td{'' if key is None else f' data-sort={_attr(key)}'}>{html}</td>"
                        for html, key in row)
        body.append(f"<tr>{cells}</tr>")
    return (f'<table id="{escape(table_id)}" class="sortable"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _attr(value: Any) -> str:
    return f'"{escape(repr(value) if isinstance(value, float) else str(value))}"'


def _text(html: str) -> Cell:
    return escape(html), None


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
            ref = _num(r["ref"])
            rows.append([name_cell(r["name"]), _text(structure_text(r)), conductivity_cell(r),
                         _text(_ARROWS.get(r["direction"], r["direction"])), ea_cell(r),
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
            rows.append([_text(method.capitalize()), _text(route), (name, r["name"]),
                         conductivity_cell(r), _text(_ARROWS.get(r["direction"], ""))])
            csv_rows.append({"synthesis_method": method, "route": route, "name": r["name"],
                             "conductivity_printed": conductivity_text(r),
                             "sigma_S_cm": r["sigma_S_cm"], "T_K": r["T_K"],
                             "direction": r["direction"], "listed_in_review_table5": not mark,
                             "ref": _num(r["ref"])})
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
        [_text(e.method), (_bullets(e.advantages), None), (_bullets(e.disadvantages), None),
         _text(e.suitable_forms)] for e in entries]
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
    rows = [[_text(r["id"]), _text(_material_names(r["material_ids"], names)),
             _text(r["printed"]), _text(r["correct"]), _text(r["explanation"]),
             _text(r["location"]), _refs_cell(r["refs"], literature)]
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
        stretch = _num(r.get("stretch_value"))
        rows.append([_text(r["quantity"]),
                     (f'<span class="nowrap">{_COMPARATORS.get(r["comparator"], r["comparator"])} '
                      f"{_number(r['value'])}{escape(unit)}</span>", r["value"]),
                     _text("" if stretch is None else f"{_number(stretch)}{unit}"),
                     _text(r.get("purpose", "")), _text(r["location"]), _refs_cell(r["refs"], literature),
                     _text(r.get("note", ""))])
    html = html_table("tbl-targets", ("Quantity", "Target", "Stretch", "Purpose", "Where", "Refs",
                                      "Note"), rows)
    return TableOutput(key="targets", title="Design targets (Perspectives)",
                       review_ref="Perspectives", html=html, csv=ctx.save_csv(frame, "targets"),
                       caption="The targets nitride SSEs and their cells must reach, as the review "
                               "states them; the screening module scores materials against them.")


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
    from nitrolyte.simulate.labels import method_label

    frame = ctx.db.table("measurements", "user")
    out: dict[str, list[str]] = {}
    for r in frame.to_dict("records"):
        label = method_label(_plain(r["method"]), sims.get(r["material_id"]))
        for text in (label, _plain(r["note"])):
            if text and text not in out.setdefault(r["material_id"], []):
                out[r["material_id"]].append(text)
    return {k: "; ".join(v) for k, v in out.items()}


def _with_unknown(ctx: ReportContext, user: pd.DataFrame) -> pd.DataFrame:
    """The user rows plus one per material whose only answer is a simulation with no σ (not
    diffusive; ``unknown`` True, its reasons in ``unknown_text``)."""
    import pandas as pd

    from nitrolyte.api import get
    from nitrolyte.simulate.labels import unknown_sets

    shown = set(user["material_id"]) if len(user) else set()
    extra: dict[str, dict[str, Any]] = {}
    for u in unknown_sets(ctx.db):
        if not u["only"] or u["material_id"] in shown:
            continue
        rec = get(u["material_id"], db=ctx.db)
        row = extra.setdefault(rec.material_id, {
            "material_id": rec.material_id, "name": rec.name, "formula": rec.formula,
            "family": rec.family, "sigma_S_cm": math.nan, "sigma_qualifier": "", "T_K": math.nan,
            "Ea_eV": math.nan, "Ea_HT_eV": math.nan, "direction": "", "ref": "", "doi": "",
            "note": "", "from_arrhenius": False, "unknown": True})
        row["note"] = "; ".join(filter(None, (row["note"], f"set {u['set_id']}: {u['text']}")))
    if not extra:
        return user
    return pd.concat([user, pd.DataFrame(list(extra.values()))], ignore_index=True)


def _unknown_notes(ctx: ReportContext) -> dict[str, str]:
    """material_id -> the unknown temperatures of its simulation sets that have σ points too."""
    from nitrolyte.simulate.labels import unknown_sets

    out: dict[str, list[str]] = {}
    for u in unknown_sets(ctx.db):
        if not u["only"]:
            out.setdefault(u["material_id"], []).append(f"set {u['set_id']}: {u['text']}")
    return {k: "; ".join(v) for k, v in out.items()}


def user_table(ctx: ReportContext, user: pd.DataFrame) -> TableOutput:
    """The database's user measurements, apart from the review's tables (never renumbered into them).

    One row per (material, direction) of :meth:`Database.materials_frame` with ``source="user"``:
    the room-temperature value closest to 25 °C and the activation energy the user stored; a
    material whose only answer is a simulation with no σ (:func:`_with_unknown`) reads
    "unknown (not diffusive)" with the reasons in its note.
    """
    import pandas as pd

    rows: list[Sequence[Cell] | str] = []
    csv_rows = []
    from nitrolyte.simulate.labels import simulation_labels

    sims = simulation_labels(ctx.db)
    notes = _user_notes(ctx, sims)
    unknown = _unknown_notes(ctx)
    for r in user.to_dict("records"):
        badge = escape(sims.get(r["material_id"], "user data"))
        r["note"] = "; ".join(filter(None, (_plain(r["note"]), notes.get(r["material_id"], ""),
                                            unknown.get(r["material_id"], ""))))
        is_unknown = r.get("unknown") is True
        if _num(r["sigma_S_cm"]) is not None:  # unit conversions leave float noise (9.000000000000001e-4)
            r["sigma_S_cm"] = float(f"{r['sigma_S_cm']:.6g}")
        ref, doi = _plain(r["ref"]), _plain(r["doi"])
        ref_text = (f'<a href="https://doi.org/{escape(doi)}">{escape(doi)}</a>' if doi
                    else escape(ref))
        rows.append([(name_cell(r["name"])[0] + f' <span class="badge">{badge}</span>',
                      r["name"]),
                     _text(_plain(r["formula"])), _text(_plain(r["family"])),
                     ("unknown (not diffusive)", None) if is_unknown else conductivity_cell(r),
                     _text(_ARROWS.get(r["direction"], r["direction"])),
                     ea_cell(r), (ref_text, None), _text(_plain(r["note"]))])
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


def build(ctx: ReportContext) -> Section:
    """The tables section of the report (plus the user measurements, when there are any)."""
    wide = ctx.db.materials_frame(source="literature")
    tables = [review_table(ctx, wide, loc) for loc in REVIEW_TABLES]
    tables += [table5(ctx, wide), table6(ctx), errata_table(ctx, wide), targets_table(ctx)]
    user = _with_unknown(ctx, ctx.db.materials_frame(source="user"))
    if len(user):
        tables.append(user_table(ctx, user))
    return Section(key="tables", title="Tables 1-6: the nitride SSE database",
                   intro="The review's tables rebuilt from the nitrolyte database (literature "
                         "rows). Every value carries its reference; values the review "
                         "back-calculated from Arrhenius plots carry footnote a.",
                   tables=tuple(tables))
