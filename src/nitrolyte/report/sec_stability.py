"""Report section: electrochemical stability (Figs. 2A/12B/17A, 12C/D; Section 4.3; Section 5 pairing).

Data: :mod:`nitrolyte.stability` with the embedded thermochemical table (experimental standard
Gibbs energies of formation) and the published windows of ``data/reported_windows.csv``.
"""

from __future__ import annotations

from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput, escape

KEY = "stability"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 0.5
#: shared state the section loads (report/runner.py ``SHARED_STATE``)
SHARES = ("phase_diagrams",)
#: stacks of the review's pouch-cell evaluation (Fig. 17B) checked interface by interface
STACKS = ("Li | beta-Li3N | Li3InCl6 | NMC811", "Li | beta-Li3N | LGPS | NMC811")
#: panel title -> formula of the voltage profiles (stoichiometric; the review's are vacancy-rich)
PROFILES = {"Li3N (cf. Fig. 12C, vacancy-rich β-Li3N)": "Li3N",
            "Li9N2Cl3 (cf. Fig. 12D, vacancy-rich Li9N2Cl3)": "Li9N2Cl3"}
THERMO_HEADERS = {"formula": "Formula", "name": "Name", "dGf_kJ_mol": "ΔGf° (kJ/mol)",
                  "dHf_kJ_mol": "ΔHf° (kJ/mol)", "kind": "Kind", "source": "Source", "note": "Note"}
STACK_HEADERS = {"stack": "Stack", "left": "Left", "right": "Right", "status": "Status",
                 "verdict": "Verdict"}


def _windows_figure(ctx: ReportContext) -> FigureOutput:
    from nitrolyte.plotting.stability import window_chart, window_chart_plotly
    from nitrolyte.stability.compare import window_comparison, window_deviations

    frame = ctx.remember("fig17A_windows", lambda: window_comparison(db=ctx.db))
    csv = ctx.save_csv(frame, "fig17A_windows")
    png, svg = ctx.save_matplotlib(lambda: window_chart(frame), "fig17A_windows", data=frame)
    deviations = [*window_deviations(frame),
                  "Fig. 17A caption prints Li12GeP2S12 for LGPS; Section 5 prints Li10GeP2S12 (used here)",
                  "Sulfide and Li3YCl6/Li3YBr6 bars carry the numbers of the cited source papers "
                  "(refs 155, 189); the review draws them without numbers"]
    return FigureOutput(
        key="fig17A_windows", title="Electrochemical windows: reported and computed",
        review_ref="Fig. 2A, 12B, 17A; Section 4.3",
        caption=("Intrinsic (DFT) windows as stated in the review or its source papers, extended and "
                 "measured windows, and windows computed by nitrolyte (Li grand-potential phase diagram, "
                 "pymatgen) with the default energy source: experimental standard Gibbs energies of "
                 "formation at 298.15 K where the embedded table has the phase, CHGNet energies of the "
                 "validated structure library anchored to the experimental lithium binaries elsewhere "
                 "(the CSV's source column names the basis of each phase). "
                 "'not computable': the source lacks phases the composition decomposes into; "
                 "'not stated': the review draws the bar without a number."),
        png=png, svg=svg, csv=csv, plotly_html=ctx.plotly_div(window_chart_plotly(frame), "fig17A-windows"),
        deviations=tuple(deviations))


def _profiles_figure(ctx: ReportContext) -> FigureOutput:
    import pandas as pd

    from nitrolyte.plotting.stability import voltage_profiles
    from nitrolyte.stability import voltage_profile

    profiles = ctx.remember("fig12CD_profiles", lambda: {title: voltage_profile(formula, db=ctx.db)
                                                         for title, formula in PROFILES.items()})
    data = pd.concat(profiles.values(), ignore_index=True)
    csv = ctx.save_csv(data, "fig12CD_profiles")
    png, svg = ctx.save_matplotlib(lambda: voltage_profiles(profiles), "fig12CD_profiles",
                                   data=data.assign(_titles="|".join(profiles)))
    return FigureOutput(
        key="fig12CD_profiles", title="Equilibrium voltage profiles and phase equilibria",
        review_ref="Fig. 12C, 12D", caption=(
            "Li uptake per formula unit against potential with the equilibrium phases, from the "
            "embedded experimental energies (Li3N: -128.64 kJ/mol; LiCl: -384.37 kJ/mol)."),
        png=png, svg=svg, csv=csv,
        deviations=("Li9N2Cl3 has no measured Gibbs energy: its profile is that of the 2 Li3N + 3 LiCl "
                    "tie line, so it oxidises with Li3N at 0.444 V instead of the review's 0.50 V",
                    "The review's profiles are DFT (refs 15, 16) for vacancy-rich compositions; these "
                    "are for the stoichiometric formulas"))


def _thermo_table(ctx: ReportContext) -> TableOutput:
    from nitrolyte.stability import thermochemistry

    table = thermochemistry()[["formula", "name", "dGf_kJ_mol", "dHf_kJ_mol", "kind", "source", "note"]]
    csv = ctx.save_csv(table, "thermochemistry")
    return TableOutput(key="thermochemistry", title="Embedded thermochemical table",
                       review_ref="nitrolyte data",
                       html=ctx.frame_to_html(table.rename(columns=THERMO_HEADERS),
                                              "tbl-thermochemistry"),
                       csv=csv, caption="Standard Gibbs energies of formation at 298.15 K (kJ/mol) with "
                       "their sources; 'missing' rows name phases without a reliable value.")


def _stack_table(ctx: ReportContext) -> TableOutput:
    import pandas as pd

    from nitrolyte.stability import check_stack

    def compute() -> pd.DataFrame:
        frames = [check_stack(s, db=ctx.db).to_frame().assign(stack=s) for s in STACKS]
        return pd.concat(frames, ignore_index=True)[["stack", "left", "right", "status",
                                                     "verdict"]]

    table = ctx.remember("stack_pairing", compute)
    csv = ctx.save_csv(table, "stack_pairing")
    return TableOutput(key="stack_pairing", title="Pairing check of the Fig. 17B stacks",
                       review_ref="Section 5; Fig. 17B", html=ctx.frame_to_html(table.rename(columns=STACK_HEADERS), "tbl-stack_pairing"),
                       csv=csv, caption="Each interface at the potential it sees (Li: 0 V; NMC811: 3.75 V "
                       "nominal, Fig. 17 caption), with the basis of every window.",
                       deviations=tuple(
                           f"{r.left} | {r.right} ({r.stack}): unknown, {r.verdict}; supply the "
                           "missing structures ('nitrolyte structure NAME --cif FILE') or use --source mp"
                           for r in table.itertuples() if r.status == "unknown"))


def build(ctx: ReportContext) -> Section:
    """The stability section: window chart, voltage profiles, thermochemical and pairing tables."""
    intro = escape(
        "Thermodynamic electrochemical windows from the Li grand-potential phase diagram "
        "(pymatgen), computed from experimental Gibbs energies of formation and compared with the "
        "DFT windows the review states. Nitrides are stable against Li metal but oxidise near "
        "0.44-0.5 V, which is why the review pairs beta-Li3N with a halide or sulfide SSE on the "
        "cathode side.")
    return Section(key=KEY, title="Electrochemical stability", intro=intro,
                   tables=(_thermo_table(ctx), _stack_table(ctx)),
                   figures=(_windows_figure(ctx), _profiles_figure(ctx)))
