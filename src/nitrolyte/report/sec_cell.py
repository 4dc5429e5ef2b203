"""Report section: pouch-cell energy density (Fig. 17C-H), critical values (section 5).

Data: :mod:`nitrolyte.cell` with the components table (Fig. 17 caption values) and this
package's reading of the assumptions section 5 leaves unstated (``docs/cell.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput
from nitrolyte.report.page import pretty_text, pretty_unit

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store.database import DatabaseLike

KEY = "cell"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 0.9
READING = ("Reading of the unstated assumptions (chosen because it reproduces section 5 best, not "
           "fitted): single-sided 10 µm Al and 10 µm Cu 'standard' foils; 'SSE thickness' is the "
           "thickness of each of the two SSE layers (catholyte and β-Li3N); N/P 1 in the "
           "thickness and areal-capacity plots; 20 µm SSE layers in the N/P plots; the Li3InCl6 "
           "stack for the critical values. No packaging mass (the review counts only the "
           "current collectors as inactive mass).")
#: designs shown in the mass-breakdown bar chart: label -> PouchCell parameters
BREAKDOWN_DESIGNS: dict[str, dict[str, Any]] = {
    "4 mAh/cm², 2×20 µm, Li3InCl6": {},
    "4 mAh/cm², 2×20 µm, LGPS": {"catholyte": "LGPS"},
    "4 mAh/cm², 2×20 µm, light foils": {"al_um": 8.0, "cu_um": 4.0},
    "10 mAh/cm², 2×100 µm, Li3InCl6": {"areal_capacity_mAh_cm2": 10.0, "catholyte_um": 100.0,
                                        "nitride_um": 100.0},
    "2 mAh/cm², 2×500 µm, N/P 20 (lab cell)": {"areal_capacity_mAh_cm2": 2.0,
                                               "catholyte_um": 500.0, "nitride_um": 500.0,
                                               "n_p": 20.0},
}
#: nitride whose sigma(T) the fast-charge table uses (the review's pouch cells, ref. 15)
FAST_CHARGE_NITRIDE = "vacancy-rich β-Li3N"
#: column headers shown in the page (the CSV files keep the machine-readable names)
CRITICAL_HEADERS = {"quantity": "Quantity", "review_value": "Review", "model_value":
                    "Model, Li3InCl6 stack", "unit": "Unit", "deviation_pct": "Deviation (%)",
                    "model_value_lgps": "Model, LGPS stack",
                    "deviation_lgps_pct": "Deviation, LGPS (%)", "tolerance_pct": "Tolerance (%)",
                    "note": "Note"}
FAST_CHARGE_HEADERS = {"design": "Design", "gravimetric_Wh_kg": "Wh/kg",
                       "current_density_mA_cm2": "4C current (mA/cm²)",
                       "catholyte_sigma_S_cm": "Catholyte σ (S/cm)",
                       "nitride_sigma_S_cm": "Nitride σ (S/cm)",
                       "catholyte_drop_mV": "Catholyte drop (mV)",
                       "nitride_drop_mV": "Nitride drop (mV)", "total_drop_mV": "Total drop (mV)",
                       "passes_100_mV": "Within 100 mV"}
COMPONENT_HEADERS = {"component": "Component", "kind": "Kind", "property": "Property",
                     "value": "Value", "unit": "Unit", "temperature_K": "T (K)",
                     "source": "Source", "ref": "Ref.", "location": "Where", "note": "Note"}


def critical_frame() -> pd.DataFrame:
    """The section 5 table, rounded for display."""
    from nitrolyte.cell import review_section5_table

    table = review_section5_table()
    cols = ["quantity", "review_value", "model_value", "unit", "deviation_pct",
            "model_value_lgps", "deviation_lgps_pct", "tolerance_pct", "note"]
    out = table[cols].copy()
    for col in ("model_value", "model_value_lgps"):
        out[col] = out[col].map(lambda v: float(f"{v:.3g}"))
    for col in ("deviation_pct", "deviation_lgps_pct"):
        out[col] = out[col].round(1)
    return out


def breakdown_frame() -> pd.DataFrame:
    """Layer masses and thicknesses of :data:`BREAKDOWN_DESIGNS` (long frame)."""
    import pandas as pd

    from nitrolyte.cell import pouch_cell

    parts = []
    for label, design in BREAKDOWN_DESIGNS.items():
        result = pouch_cell(**design)
        parts.append(result.to_frame().assign(
            design=label, gravimetric_Wh_kg=result.gravimetric_Wh_kg,
            volumetric_Wh_L=result.volumetric_Wh_L))
    return pd.concat(parts, ignore_index=True)


def fast_charge_frame(db: DatabaseLike | None = None) -> pd.DataFrame:
    """4C ohmic drop across the SSE layers of :data:`BREAKDOWN_DESIGNS` at 25 °C."""
    import pandas as pd

    from nitrolyte.cell import component_value
    from nitrolyte.cell.fastcharge import fast_charge_check

    rows = []
    for label, design in BREAKDOWN_DESIGNS.items():
        # LGPS is tabulated at 27 C only; its 12 mS/cm is used at 25 C (stated in the caption)
        sigma = (component_value("LGPS", "ionic_conductivity")
                 if design.get("catholyte") == "LGPS" else None)
        check = fast_charge_check(c_rate=4.0, T_K=298.15, nitride_material=FAST_CHARGE_NITRIDE,
                                  catholyte_sigma_S_cm=sigma, db=db, **design)
        rows.append({"design": label, "gravimetric_Wh_kg": round(check.gravimetric_Wh_kg, 1),
                     "current_density_mA_cm2": check.current_density_mA_cm2,
                     "catholyte_sigma_S_cm": check.catholyte_sigma_S_cm,
                     "nitride_sigma_S_cm": round(check.nitride_sigma_S_cm, 6),
                     "catholyte_drop_mV": round(1000 * check.catholyte_drop_V, 1),
                     "nitride_drop_mV": round(1000 * check.nitride_drop_V, 1),
                     "total_drop_mV": round(1000 * check.total_drop_V, 1),
                     "passes_100_mV": check.passes})
    return pd.DataFrame(rows)


def _fig17(ctx: ReportContext) -> FigureOutput:
    import pandas as pd

    from nitrolyte.cell.sweep import review_figure17_data
    from nitrolyte.plotting import cell as pl

    data = pd.concat([review_figure17_data("Li3InCl6"), review_figure17_data("LGPS")],
                     ignore_index=True)
    png, svg = ctx.save_matplotlib(lambda: pl.plot_fig17(data), "fig17CH", data=data)
    return FigureOutput(
        key="fig17CH", title="Energy density of all-solid-state Li-metal pouch cells",
        review_ref="Fig. 17C-H", png=png, svg=svg, csv=ctx.save_csv(data, "fig17CH"),
        plotly_html=ctx.plotly_div(pl.plotly_fig17(data), "fig17CH-plotly"),
        caption="Gravimetric energy density (Wh/kg) of Al–NMC811–Li3InCl6 (C-E) or LGPS (F-H)–"
                "β-Li3N–Li–Cu cells vs SSE thickness (C, F), N/P ratio (D, G) and SSE thickness "
                "with 8 µm Al / 4 µm Cu foils (E, H), for cathode areal capacities 1-10 mAh/cm²; "
                "dashed: 350 and 500 Wh/kg. NMC811 200 mAh/g, 3.75 V, 90 wt%; Li 3500 mAh/g; "
                "densities Li3InCl6 2.59, LGPS 2.04, Li3N 1.27, Al 2.7, Cu 8.9 g/cm³ (caption).",
        deviations=(READING, "The review's axis ranges and the areal capacities of its curves "
                             "are not given in the text; this figure uses 0-200 µm, N/P 0-20 "
                             "and 1-10 mAh/cm²."))


def _breakdown(ctx: ReportContext) -> FigureOutput:
    from nitrolyte.plotting import cell as pl

    frame = breakdown_frame()
    parts = {f"{label}\n{part['gravimetric_Wh_kg'].iloc[0]:.0f} Wh/kg": part
             for label, part in frame.groupby("design", sort=False)}
    png, svg = ctx.save_matplotlib(lambda: pl.plot_mass_breakdown(parts), "cell_mass_breakdown",
                                   data=frame)
    return FigureOutput(
        key="cell_mass_breakdown", title="Mass breakdown of a repeating unit, layer by layer",
        review_ref="Fig. 17B", png=png, svg=svg, csv=ctx.save_csv(frame, "cell_mass_breakdown"),
        caption="Areal mass (mg/cm²) of each layer of one repeating unit (Al | cathode composite "
                "| catholyte | β-Li3N | Li | Cu) for designs at and around the section 5 critical "
                "values and for a thick-SSE laboratory cell; the CSV also gives thicknesses. "
                "Source: nitrolyte's pouch-cell model with the Fig. 17 caption values (table "
                "'Cell components and their sources').",
        deviations=("The review shows only the schematic (Fig. 17B); the breakdown is this "
                    "package's model with the caption values.",))


def display_frame(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The page's view of a table: the ``headers`` columns renamed, units and text as printed
    (``um`` -> ``µm``, ``mAh/cm2`` -> ``mAh/cm²``), property names with spaces, booleans yes/no."""
    out = frame[[c for c in headers if c in frame.columns]].copy()
    for col in out.columns:
        if col == "unit":
            out[col] = out[col].map(lambda u: pretty_unit(str(u)))
        elif out[col].dtype == bool:
            out[col] = out[col].map({True: "yes", False: "no"})
        elif out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(lambda v: pretty_text(v) if isinstance(v, str) else v)
    if "property" in out.columns:
        out["property"] = out["property"].str.replace("_", " ")
    return out.rename(columns=headers)


def _table(ctx: ReportContext, key: str, title: str, ref: str, frame: pd.DataFrame,
           headers: dict[str, str], caption: str, deviations: tuple[str, ...] = ()) -> TableOutput:
    shown = display_frame(frame, headers)
    return TableOutput(key=key, title=title, review_ref=ref,
                       html=ctx.frame_to_html(shown, f"tbl-{key}"), csv=ctx.save_csv(frame, key),
                       caption=caption, deviations=deviations)


def build(ctx: ReportContext) -> Section:
    """The pouch-cell section: Fig. 17C-H, mass breakdown, critical values, 4C check."""
    from nitrolyte.cell import components_frame

    tables = (
        _table(ctx, "cell_critical_values", "Critical values for 350 Wh/kg: review vs model",
               "Section 5", critical_frame(), CRITICAL_HEADERS,
               "Deviation = 100 (model - review) / review, %, for the Li3InCl6 and the LGPS "
               "stack. 7 of the 9 values are within 10 %; no single "
               "reading puts all nine within 10 %.",
               (READING, "The review prints 'the critical value is 10 for an areal capacity "
                         "of 4 mA h cm-2 and 1.2 for an areal capacity of 4 mA h cm-2'; the "
                         "first is read as 10 mAh/cm² (as printed, N/P 10 at 4 mAh/cm² stays "
                         "below 350 Wh/kg even with no SSE). With the stated constants, N/P 1.2 "
                         "at 4 mAh/cm² and N/P 10 at 10 mAh/cm² cannot both hold at one SSE "
                         "thickness (they need 19.9 and 29.6 µm).")),
        _table(ctx, "cell_fast_charge", "Can the SSE stack carry a 4C charge?", "Section 5",
               fast_charge_frame(ctx.db), FAST_CHARGE_HEADERS,
               f"Ohmic drop across the catholyte and {FAST_CHARGE_NITRIDE} layers at 4C and "
               "25 °C (bulk only; interfaces excluded), against an allowed 100 mV (a design "
               "choice). Li3InCl6: 1.49 mS/cm (Li et al., EES 2019); LGPS: 12 mS/cm at 27 °C "
               "(Kamaya et al., 2011), used at 25 °C.",
               ("Not in the review: combines Fig. 17 designs with the Table 1 conductivity.",)),
        _table(ctx, "cell_components", "Cell components and their sources", "Fig. 17 caption",
               components_frame(), COMPONENT_HEADERS,
               "Every default of the pouch-cell model, with its source (the CSV also lists "
               "the aliases each component is known by)."),
    )
    intro = ("Energy density of all-solid-state Li-metal pouch cells computed layer by layer per "
             "unit area of a repeating unit, with the Fig. 17 caption values as defaults; "
             "critical values are solved in closed form. " + READING)
    return Section(key=KEY, title="Pouch-cell energy density and critical values",
                   intro=intro, tables=tables, figures=(_fig17(ctx), _breakdown(ctx)))
