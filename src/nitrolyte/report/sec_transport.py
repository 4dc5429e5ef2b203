"""Report section: the Arrhenius plots of each family (Figs. 3E, 4F, 5E, 6B, 7B, 8D).

Data: the materials database (Tables 1-4) through :mod:`nitrolyte.transport`; each curve is drawn
from the record's room-temperature conductivity and activation energy (sigma T convention of
Fig. 10B), switching Ea at the phase transitions the database knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput

if TYPE_CHECKING:
    import pandas as pd

KEY = "transport"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 2.3  # 1.6 + the validation table (0.7 s warm)
_ARROWS = {"perp_c": "⊥c", "par_c": "∥c"}
#: temperatures of the operating-temperature table, degC
TABLE_T_C = (-20.0, 0.0, 25.0, 60.0, 100.0)
COMMON_DEVIATIONS = (
    "Curves are drawn from each record's room-temperature value and Ea (σT = A·exp(−Ea/kBT), "
    "Fig. 10B), not digitised data points; the original papers' measured temperature ranges are "
    "not in the database, so every line spans the whole plotted range.",
)


@dataclass(frozen=True)
class ArrheniusFigure:
    """One of the review's per-family Arrhenius plots: which families and temperatures."""

    key: str
    review_ref: str
    title: str
    families: tuple[str, ...]
    T_min_K: float
    T_max_K: float
    deviations: tuple[str, ...] = ()


FIGURES: tuple[ArrheniusFigure, ...] = (
    ArrheniusFigure("fig3E", "Fig. 3E", "Li3N solid-state electrolytes", ("Li3N",), 250, 500,
                    ("The α-Li3N single crystal is drawn perpendicular and parallel to c as two "
                     "curves.",)),
    ArrheniusFigure("fig4F", "Fig. 4F", "LiPON and derivatives", ("LiPON and derivatives",),
                    250, 450),
    ArrheniusFigure("fig5E", "Fig. 5E", "Lithium nitride halides", ("nitride halide",), 250, 700,
                    ("Li13N4Br and Li5NI2 are one curve each that switches from the LT to the HT "
                     "activation energy at ~230 °C and ~170 °C with σ continuous; the review "
                     "draws LT and HT as separate lines.",
                     "Li9N2Cl3 uses Table 2's 2.3e-6 S/cm; section 2.3's text says ~1e-6 S/cm.",
                     "Li6NBr3 (Table 2) is drawn: section 2.3 cites Fig. 5E for it, although the "
                     "Fig. 5E caption does not list it (errata fig5e_caption_li6nbr3).")),
    ArrheniusFigure("fig6B", "Fig. 6B", "Lithium nitride chalcogenides and nitridophosphates",
                    ("nitride chalcogenide", "nitridophosphate"), 250, 600,
                    ("Li2.5N0.5S0.5 (Table 3, ref. 72) is drawn although the Fig. 6B caption does "
                     "not list it.",)),
    ArrheniusFigure("fig7B", "Fig. 7B", "Lithium nitrides with group 14 elements (C, Si)",
                    ("group 14",), 250, 600,
                    ("Table 4 prints 'Li2NC2'; the compound is lithium cyanamide Li2CN2.",)),
    ArrheniusFigure("fig8D", "Fig. 8D", "Lithium nitrides with group 13 elements (B, Al)",
                    ("group 13",), 250, 600),
)


def curves_frame(spec: ArrheniusFigure, db: object = None, n_points: int = 121) -> pd.DataFrame:
    """The plotted curves of one figure (long frame, see ``arrhenius_curves``).

    Adds ``source`` (``literature`` or ``user``): a user measurement is drawn as its own,
    dashed curve and named as user data in the legend.
    """
    from nitrolyte.transport.conductivity import arrhenius_curves

    T = np.linspace(spec.T_min_K, spec.T_max_K, n_points)
    return arrhenius_curves(spec.families, T, db=db)


def operating_table(db: object = None) -> pd.DataFrame:
    """Conductivity (S/cm, 3 significant figures) of every record at :data:`TABLE_T_C`.

    A ``source`` column (``literature`` / ``user``) is added when the database holds user rows.
    """
    from nitrolyte.transport.conductivity import conductivity_table

    T_K = np.array(TABLE_T_C) + 273.15
    table = conductivity_table(None, T_K, db=db)
    table.columns = [f"σ at {t:g} °C (S/cm)" for t in TABLE_T_C]
    out = table.map(lambda v: float(f"{v:.3g}")).reset_index()
    return out if (out["source"] == "user").any() else out.drop(columns="source")


def _table_locations(db: object, frame: pd.DataFrame) -> list[str]:
    """The review tables ('Table 1' ...) the plotted literature records come from."""
    from nitrolyte import api

    rows = api.materials(source="literature", db=db)
    names = set(frame.loc[frame["source"] == "literature", "name"])
    return sorted({str(loc) for name, loc in zip(rows["name"], rows["location"], strict=True)
                   if name in names and str(loc).startswith("Table")})


_SIM_NOTE = ", simulated points (ML-potential MD) as red stars marked MD (simulation)"


def _has_simulation(points: pd.DataFrame) -> bool:
    from nitrolyte.plotting.arrhenius import point_groups

    return any(sim for _, _, sim in point_groups(points))


def _figure(ctx: ReportContext, spec: ArrheniusFigure) -> FigureOutput:
    import pandas as pd

    from nitrolyte.plotting.arrhenius import plot_arrhenius_family, plotly_arrhenius_family
    from nitrolyte.transport.measured import user_points

    frame = curves_frame(spec, ctx.db)
    title = f"{spec.review_ref}: {spec.title}"
    points = user_points(spec.families, ctx.db, spec.T_min_K, spec.T_max_K)
    shown = frame.assign(_title=title) if points.empty else pd.concat(
        [frame.assign(_title=title), points.assign(_user_points=True)], ignore_index=True)
    png, svg = ctx.save_matplotlib(lambda: plot_arrhenius_family(frame, title, points=points),
                                   spec.key, data=shown)
    csv = ctx.save_csv(frame, spec.key)
    names = ", ".join(dict.fromkeys(frame["name"]))
    tables = ", ".join(_table_locations(ctx.db, frame)) or "Tables 1-4"
    caption = (f"log10(σ / S cm⁻¹) against 1000/T (K⁻¹), {spec.T_min_K:g}-{spec.T_max_K:g} K, "
               f"for {names}. Source: the room-temperature σ and Ea of the review's {tables} "
               "(user measurements dashed, marked user data; stored user points as black markers"
               f"{_SIM_NOTE if _has_simulation(points) else ''}); "
               "legend: [reference number in the review]; filled markers: room-temperature "
               "values as reported, open markers: calculated from Arrhenius plots (footnote a); "
               "dashed line: the 1e-3 S/cm target of Perspective (a).")
    return FigureOutput(
        key=spec.key, title=title, review_ref=spec.review_ref, caption=caption, png=png, svg=svg,
        csv=csv, plotly_html=ctx.plotly_div(plotly_arrhenius_family(frame, title, points=points),
                                            f"{spec.key}-plotly"),
        deviations=(*COMMON_DEVIATIONS,
                    f"Temperature range {spec.T_min_K:g}-{spec.T_max_K:g} K chosen by nitrolyte "
                    "(the review's axis limits were not digitised).", *spec.deviations))


def _display(table: pd.DataFrame) -> pd.DataFrame:
    """The operating-temperature table as shown: ⊥c/∥c, conductivities as 1.78e-4."""
    from nitrolyte.report.table_cells import sci

    sigma = [c for c in table.columns if c.startswith("σ at")]
    out = table.assign(direction=table["direction"].map(lambda d: _ARROWS.get(d, d)))
    out[sigma] = out[sigma].map(lambda v: sci(float(f"{v:.3g}")) if v > 0 else
                                "" if v != v else f"{v:g}")
    return out.rename(columns={"name": "Material", "direction": "Direction", "source": "Source"})


def _structure_tables(ctx: ReportContext) -> tuple[TableOutput, ...]:
    """Transport from structure: the stored simulation sets and the validation table."""
    from nitrolyte.report.structure_tables import estimates_table, validation_table

    found = estimates_table(ctx)
    return (*([found] if found else []), validation_table(ctx))


def build(ctx: ReportContext) -> Section:
    """Build the section: six Arrhenius figures and the operating-temperature table."""
    figures = tuple(_figure(ctx, spec) for spec in FIGURES)
    table = operating_table(ctx.db)
    csv = ctx.save_csv(table, "transport_operating_T")
    shown = _display(table)
    tables = (TableOutput(
        key="transport_operating_T", title="Conductivity at operating temperatures",
        review_ref="Tables 1-4 (extrapolated)", html=ctx.frame_to_html(shown, "transport-operating-T"),
        csv=csv, caption="Each record's Arrhenius line (σT convention, phase transitions "
                         "respected) evaluated from -20 °C to 100 °C; the 25 °C column equals the "
                         "tables where they print 25 °C (27 °C / 300 K rows differ slightly).",
        deviations=("Values away from the record's temperature are extrapolations with a single "
                    "activation energy, not measurements.",)), *_structure_tables(ctx))
    return Section(
        key=KEY, title="Ion transport: Arrhenius plots",
        intro="Conductivity against temperature for every material of Tables 1-4, drawn from the "
              "database with nitrolyte.transport (σT = A·exp(−Ea/kBT), Fig. 10B), next to the "
              "1e-3 S/cm target the review sets for a 15-min charge.",
        tables=tables, figures=figures)
