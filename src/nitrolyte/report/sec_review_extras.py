"""Report section: structures and compositions (Figs. 3D, 4E, 6A) and critical current densities (16C).

Data: LiPON and nitridophosphate rows of the materials database (Tables 1 and 3), the vacancy
compositions and cell demonstrations of ``records.yaml``, and :mod:`nitrolyte.structures`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nitrolyte import structures as st
from nitrolyte.errors import MissingDataError
from nitrolyte.names import name_key
from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput

if TYPE_CHECKING:
    import pandas as pd

KEY = "review_extras"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 1.1
LIPON_FAMILY = "LiPON and derivatives"
NITRIDOPHOSPHATE_FAMILY = "nitridophosphate"
#: Network formers in the Li-content denominator of Fig. 4E.
LIPON_FORMERS = ("P", "Si")
#: ``cell_demonstrations`` quantities shown in Fig. 16C.
CCD_QUANTITY = "critical current density"
CAPACITY_QUANTITY = "critical stripping/plating capacity"
#: column headers shown in the page (the CSV files keep the machine-readable names)
KAPPA_HEADERS = {"name": "Compound", "formula": "Formula", "space_group": "Space group",
                 "kappa": "κ", "sublattice": "PN4 sub-lattice",
                 "review_sublattice_for_kappa": "Review's sub-lattice for this κ",
                 "sigma_S_cm": "σ_RT (S/cm)", "Ea_eV": "Ea (eV)", "ref": "Ref.",
                 "structure_note": "Note"}
STRUCTURE_HEADERS = {"phase": "Phase", "space_group": "Space group", "a_A": "a (Å)", "c_A": "c (Å)",
                     "formula_per_fu": "Formula", "density_g_cm3": "ρ (g/cm³)",
                     "review_density_g_cm3": "Fig. 17 ρ (g/cm³)",
                     "difference_percent": "Difference (%)", "source": "Source"}


# ----------------------------------------------------------------------------- frames (pure)


def lipon_frame(materials: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Fig. 4E data: LiPON rows with a formula and σ_RT; returns (frame, names left out)."""
    import pandas as pd

    rows, left_out = [], []
    for row in materials[materials["family"] == LIPON_FAMILY].itertuples(index=False):
        formula = row.formula if isinstance(row.formula, str) else ""
        if not formula or math.isnan(float(row.sigma_S_cm)):
            left_out.append(row.name)
            continue
        rows.append({"name": row.name, "formula": formula,
                     "li_content": st.li_content(formula, LIPON_FORMERS),
                     "li_per_p": st.li_per_p(formula), "sigma_S_cm": float(row.sigma_S_cm),
                     "T_K": float(row.T_K), "ref": _ref(row.ref)})
    frame = pd.DataFrame(rows, columns=["name", "formula", "li_content", "li_per_p", "sigma_S_cm",
                                        "T_K", "ref"])
    return frame.sort_values("li_content", kind="stable").reset_index(drop=True), left_out


def condensation_frame(materials: pd.DataFrame) -> pd.DataFrame:
    """Fig. 6A data: the nitridophosphate table with σ_RT, T and Ea of Table 3 where measured."""
    table = st.nitridophosphate_table()
    family = materials[materials["family"] == NITRIDOPHOSPHATE_FAMILY]
    by_name = {_key(n): r for n, r in zip(family["name"], family.itertuples(index=False),
                                          strict=True)}
    sigma, temp, ea, refs = [], [], [], []
    for name in table["name"]:
        row = by_name.get(_key(name))
        sigma.append(float(row.sigma_S_cm) if row is not None else math.nan)
        temp.append(float(row.T_K) if row is not None else math.nan)
        ea.append(float(row.Ea_eV) if row is not None else math.nan)
        refs.append(_ref(row.ref) if row is not None else "")
    table = table.assign(sigma_S_cm=sigma, T_K=temp, Ea_eV=ea, conductivity_ref=refs)
    return table


def vacancy_frame(vacancy_records: Any) -> pd.DataFrame:
    """Fig. 3D data: computed vacancy % per composition and site, with the review's stated %.

    ``vacancy_records`` are the ``vacancy_compositions`` of ``records.yaml``: the AIMD compositions
    (Li2.92N0.97, Li2.83N0.94), the site vacancies of vacancy-rich β-Li3N (Li(4f), N(2c)), the
    anti-fluorite Li1.8N0.4Cl0.6 and the refined vacancy-rich Li9N2Cl3.
    """
    import pandas as pd

    li3n: list[dict[str, Any]] = []
    halide: list[dict[str, Any]] = []
    sites: dict[str, float] = {}
    for rec in vacancy_records:
        if rec.site in ("Li(4f)", "N(2c)") and rec.vacancy_percent is not None:
            sites[rec.site] = rec.vacancy_percent / 100
        elif not rec.formula:
            continue
        elif "Cl" in rec.formula and rec.vacancy_percent is not None:
            # the review's halide vacancy figures refer to the anti-fluorite Li sites
            halide.append(_row(rec.formula, "anti-fluorite", "Li",
                               st.antifluorite_li_vacancy(rec.formula), rec.vacancy_percent,
                               st.formal_charge(rec.formula), "anti-fluorite, sec. 2.3"))
        else:
            parent = "Li9N2Cl3" if "Cl" in rec.formula else "Li3N"
            result = st.vacancy_concentration(rec.formula, parent)
            origin = "AIMD, Fig. 3D" if parent == "Li3N" else "refined, sec. 2.3"
            target = li3n if parent == "Li3N" else halide
            for el, frac in result.vacancy_fractions.items():
                stated = rec.vacancy_percent if rec.site == el else None
                target.append(_row(rec.formula, parent, el, frac, stated, result.net_charge,
                                   origin))
    if sites:
        comp = st.composition_from_site_vacancies("β-Li3N", sites)
        label = f"Li{comp['Li']:.3f}N{comp['N']:.3f}"
        for el, frac in st.vacancy_concentration(comp).vacancy_fractions.items():
            li3n.append(_row(label, "Li3N", el, frac, None, st.formal_charge(comp),
                             "sites, sec. 2.1"))
    return pd.DataFrame(li3n + halide)


def _row(composition: str, reference: str, site: str, fraction: float, stated: float | None,
         charge: float, origin: str) -> dict[str, Any]:
    return {"composition": composition, "reference": reference, "site": site,
            "vacancy_percent": 100 * fraction,
            "review_percent": math.nan if stated is None else float(stated),
            "net_charge_e": charge, "origin": origin}


def ccd_frame(demonstrations: Any) -> pd.DataFrame:
    """Fig. 16C data from the ``cell_demonstrations`` records: one row per electrolyte.

    Columns ``system, ref, ccd_mA_cm2, capacity_mAh_cm2, location``; NaN where the review's text
    states no value (the record keeps ``printed: not stated in the text``).
    """
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {}
    for rec in demonstrations:
        quantity = rec.quantity.strip().lower()
        if quantity not in (CCD_QUANTITY, CAPACITY_QUANTITY):
            continue
        row = rows.setdefault(rec.electrolyte, {
            "system": rec.electrolyte, "ref": ";".join(str(r) for r in rec.refs),
            "ccd_mA_cm2": math.nan, "capacity_mAh_cm2": math.nan, "location": rec.location})
        column = "ccd_mA_cm2" if quantity == CCD_QUANTITY else "capacity_mAh_cm2"
        if rec.value is not None:
            row[column] = float(rec.value)
    return pd.DataFrame(list(rows.values()),
                        columns=["system", "ref", "ccd_mA_cm2", "capacity_mAh_cm2", "location"])


def structures_frame(review_density_g_cm3: float) -> pd.DataFrame:
    """Li3N phases: space group, lattice, crystallographic density vs the review's Fig. 17 value."""
    import pandas as pd

    rows = []
    for spec in st.STRUCTURES:
        rho = st.density_g_cm3(spec.name)
        comp = st.composition_from_site_vacancies(spec.name)
        rows.append({"phase": spec.name, "space_group": spec.space_group, "a_A": spec.a_A,
                     "c_A": spec.c_A, "formula_per_fu": _formula_text(comp),
                     "density_g_cm3": round(rho, 4),
                     "review_density_g_cm3": review_density_g_cm3,
                     "difference_percent": round(100 * (rho / review_density_g_cm3 - 1), 1),
                     "source": spec.source})
    return pd.DataFrame(rows)


def _formula_text(comp: Any) -> str:
    if all(float(amount).is_integer() for amount in comp.values()):
        return comp.reduced_formula
    return comp.formula.replace(" ", "")


_key = name_key  # the one name normalizer (nitrolyte.names)


def _ref(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value or "")


# ----------------------------------------------------------------------------- section


def _figure(ctx: ReportContext, key: str, mpl_fig: Any, plotly_fig: Any, data: pd.DataFrame,
            **fields: Any) -> FigureOutput:
    """``mpl_fig`` draws the static figure (called only when the figure cache misses)."""
    png, svg = ctx.save_matplotlib(mpl_fig, key, data=data.assign(_caption=fields["caption"]))
    csv = ctx.save_csv(data, key)
    return FigureOutput(key=key, png=png, svg=svg, csv=csv,
                        plotly_html=ctx.plotly_div(plotly_fig, f"{key}-plotly"), **fields)


def _fig4e(ctx: ReportContext, materials: pd.DataFrame) -> FigureOutput:
    from nitrolyte.plotting import review_extras as pl

    frame, left_out = lipon_frame(materials)
    deviations = [
        "The review's Fig. 4E plots literature data of refs. 31 and 46-52 (reproduced from ref. 44), "
        "which the review does not tabulate; this figure uses the LiPON entries of Table 1 instead.",
        "Li content is Li per (P + Si) network former; for the Si-free compositions this is the "
        "Li:P ratio of the text. Li per P alone is in the CSV (li_per_p).",
    ]
    if left_out:
        deviations.append("Left out (no composition printed in Table 1): " + ", ".join(left_out) + ".")
    return _figure(ctx, "fig4E", lambda: pl.plot_lipon_li_content(frame), pl.plotly_lipon_li_content(frame),
                   frame, title="LiPON: room-temperature conductivity vs Li content",
                   review_ref="Fig. 4E",
                   caption="Room-temperature (25 °C) ionic conductivity (S/cm) of the LiPON and "
                           "Si-doped LiPON compositions of Table 1 against their Li content "
                           "(Li per P + Si).", deviations=tuple(deviations))


def _fig6a(ctx: ReportContext, frame: pd.DataFrame) -> FigureOutput:
    from nitrolyte.plotting import review_extras as pl

    return _figure(
        ctx, "fig6A", lambda: pl.plot_condensation(frame), pl.plotly_condensation(frame), frame,
        title="Degree of condensation κ of the lithium nitridophosphates", review_ref="Fig. 6A",
        caption="κ = n(P)/n(N) from each formula, coloured by the PN4 sub-lattice the review names "
                "for that κ (section 2.4); right: σ_RT (S/cm, 25 °C) and Ea (eV) of Table 3 "
                "against κ for the four nitridophosphates with measured conductivity.",
        deviations=(
            "Fig. 6A shows crystal structures; this figure shows the κ values and sub-lattice "
            "types the review assigns to them, not the structures.",
            "The review names 'zig-zag chains and pyramid cages' for κ = 2/5 without saying which "
            "compound has which; here pyramid cages = the adamantane-like [P4N10]10- of α/β-Li10P4N10 "
            "and zig-zag chains = Li5P2N5, whose primary source describes corrugated "
            "[P2N5]5- layers.",
            "Li18P6N16: Table 3 prints space group P1, section 2.4 prints P-1; the table uses P-1.",
        ))


def _target(targets: Any, target_id: str) -> float:
    for target in targets:
        if target.id == target_id:
            return float(target.value)
    raise MissingDataError(f"records.yaml has no target {target_id!r}")


def _fig16c(ctx: ReportContext, demonstrations: Any, targets: Any) -> FigureOutput:
    from nitrolyte.plotting import review_extras as pl

    frame = ccd_frame(demonstrations)
    ccd_target = _target(targets, "critical_current_density")
    cap_target = _target(targets, "critical_capacity")
    missing = [n for n, v in zip(frame["system"], frame["ccd_mA_cm2"], strict=True) if v != v]
    added = [f"{n} ({loc})" for n, loc in zip(frame["system"], frame["location"], strict=True)
             if "Fig. 16" not in loc]
    deviations = []
    if missing:
        deviations.append("Values the review's text does not state (Fig. 16C shows them only as "
                          "bars) are left empty: " + ", ".join(missing) + ".")
    if added:
        deviations.append("Not in the Fig. 16C caption, added from the text: " + ", ".join(added)
                          + ".")
    deviations.append(f"The Perspectives print the CCD target as '> {ccd_target:g} mA h cm-2'; a "
                      "current density is in mA/cm², which is used here.")
    return _figure(
        ctx, "fig16C", lambda: pl.plot_critical_current_density(frame, ccd_target, cap_target),
        pl.plotly_critical_current_density(frame, ccd_target, cap_target), frame,
        title="Critical current density and capacity of Li symmetric cells", review_ref="Fig. 16C",
        caption="Critical current density (mA/cm²) and critical stripping/plating capacity "
                "(mAh/cm²) as the review's text states them; dashed: the Perspectives' targets "
                f"(> {ccd_target:g} mA/cm², > {cap_target:g} mAh/cm²).",
        deviations=tuple(deviations))


def _fig3d(ctx: ReportContext, vacancy_records: Any) -> FigureOutput:
    from nitrolyte.plotting import review_extras as pl

    frame = vacancy_frame(vacancy_records)
    return _figure(
        ctx, "fig3D", lambda: pl.plot_vacancies(frame), pl.plotly_vacancies(frame), frame,
        title="Vacancy concentrations of β-Li3N and the Li-N-Cl anti-fluorites", review_ref="Fig. 3D",
        caption="Vacancy % per element, v = 1 − n/n(parent), for the AIMD compositions of Fig. 3D, "
                "the composition implied by the section 2.1 site vacancies (Li(4f) 8.1 %, N(2c) "
                "5.4 %), the Li sites of the anti-fluorites Li1.8N0.4Cl0.6 and Li5NCl2 (2 per "
                "anion, section 2.3) and refined vacancy-rich Li9N2Cl3 against Li9N2Cl3; "
                "diamonds: the % the review states.",
        deviations=(
            "Fig. 3D shows AIMD Li probability densities, not data; only the vacancy "
            "concentrations are rebuilt.",
            "Li2.83N0.94 gives 1 − 2.83/3 = 5.67 %; the review prints 5.6 % (within the rounding "
            "of the printed composition, 5.50-5.83 %).",
        ))


def _tables(ctx: ReportContext, kappa: pd.DataFrame, review_density: float) -> tuple[TableOutput, ...]:
    cols = ["name", "formula", "space_group", "kappa", "sublattice", "review_sublattice_for_kappa",
            "sigma_S_cm", "Ea_eV", "ref", "structure_note"]
    kappa_view = kappa[cols].assign(
        sigma_S_cm=[f"{v:.3g}" if v == v else "" for v in kappa["sigma_S_cm"]])
    structures = structures_frame(review_density)
    return (
        TableOutput(key="table_kappa", title="Degree of condensation of the nitridophosphates",
                    review_ref="Fig. 6A / Table 3", html=ctx.frame_to_html(kappa_view.rename(columns=KAPPA_HEADERS),
                                           "tbl-table_kappa"),
                    csv=ctx.save_csv(kappa, "table_kappa"),
                    caption="κ = n(P)/n(N); σ_RT in S/cm at 25 °C, Ea in eV (Table 3)."),
        TableOutput(key="table_li3n_structures", title="Crystal structures and densities of Li3N",
                    review_ref="Fig. 3B / Fig. 17 caption",
                    html=ctx.frame_to_html(structures.rename(columns=STRUCTURE_HEADERS),
                                           "tbl-table_li3n_structures"),
                    csv=ctx.save_csv(structures, "table_li3n_structures"),
                    caption="Crystallographic density ρ = Z M / (N_A V) in g/cm³ from the lattice "
                            "parameters (Å) of each source, against the 1.27 g/cm³ Fig. 17 uses "
                            "for the β-Li3N layer.",
                    deviations=(f"β-Li3N's crystallographic density is "
                                f"{structures['density_g_cm3'].iloc[1]:.3f} g/cm³, "
                                f"{structures['difference_percent'].iloc[1]:+.0f} % above the "
                                f"{review_density:g} g/cm³ that Fig. 17 uses for the β-Li3N layer "
                                "(1.27 g/cm³ is close to α-Li3N's density).",)),
    )


def stated_frame(recs: Any) -> pd.DataFrame:
    """Values the review states outside its tables: melting points (``phase_transitions`` of kind
    melting, e.g. Li3N 814 °C, sections 3.1/3.2) and ranges (``stated_ranges``, e.g. LiPON's Li:P
    from 1:1 to 2.91:1, section 2.2), one row each with where it is printed."""
    import pandas as pd

    rows = [{"quantity": f"melting point of {t.material}", "subject": t.material,
             "value": f"{t.qualifier or ''}{t.value:g}", "unit": {"C": "°C"}.get(t.unit, t.unit),
             "location": t.location,
             "refs": ", ".join(str(r) for r in t.refs), "note": t.note}
            for t in recs.phase_transitions if t.kind == "melting"]
    rows += [{"quantity": r.quantity, "subject": r.subject, "value": f"{r.value:g} to {r.value_max:g}",
              "unit": r.unit, "location": r.location, "refs": ", ".join(str(x) for x in r.refs),
              "note": r.printed} for r in recs.stated_ranges]
    return pd.DataFrame(rows, columns=["quantity", "subject", "value", "unit", "location", "refs", "note"])


def _stated_table(ctx: ReportContext, recs: Any) -> TableOutput:
    frame = stated_frame(recs)
    return TableOutput(key="table_stated_values", title="Values the review states in its text",
                       review_ref="Sections 2.2, 3.1, 3.2, 4.3",
                       html=ctx.frame_to_html(frame, "tbl-table_stated_values"),
                       csv=ctx.save_csv(frame, "table_stated_values"),
                       caption="Melting points and stated ranges as printed (records.yaml), e.g. the "
                               "Li3N melting point (814 °C) and the Li:P range of LiPON (1:1 to 2.91:1).")


def build(ctx: ReportContext) -> Section:
    """Build the section (Figs. 3D, 4E, 6A, 16C and the κ and Li3N-structure tables)."""
    from nitrolyte import api, dataset
    from nitrolyte.cell.components import component_value

    materials = api.materials(db=ctx.db)
    recs = dataset.records()
    kappa = condensation_frame(materials)
    figures = (_fig3d(ctx, recs.vacancy_compositions), _fig4e(ctx, materials), _fig6a(ctx, kappa),
               _fig16c(ctx, recs.cell_demonstrations, recs.targets))
    return Section(key=KEY, title="Structures, compositions and critical current densities",
                   intro="Degree of condensation, vacancy concentrations and Li content computed "
                         "from the compositions (nitrolyte.structures), the Li3N crystal structures "
                         "built from their space groups and lattice parameters, and the critical "
                         "current densities the review states.",
                   tables=(*_tables(ctx, kappa, component_value("β-Li3N", "density")),
                           _stated_table(ctx, recs)),
                   figures=figures)
