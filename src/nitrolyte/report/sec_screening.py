"""Report section: screening of every material and the review's stacks against its targets.

Data: :func:`nitrolyte.screening.screen` with the default targets (Conclusions and perspectives
(a), kept as data in ``records.yaml``) and design (the Fig. 17C pouch cell: NMC811, 4 mAh/cm2,
20 um Li3InCl6 + 20 um nitride, N/P 1, 10 um foils).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nitrolyte.report.framework import FigureOutput, ReportContext, Section, TableOutput

if TYPE_CHECKING:
    import pandas as pd

KEY = "screening"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 1.2
#: shared state the section loads (report/runner.py ``SHARED_STATE``)
SHARES = ("phase_diagrams",)
#: stacks screened next to the materials: Fig. 17B (beta-Li3N with either catholyte) and the
#: vacancy-rich beta-Li3N / halide cells of Fig. 16D-G
STACKS = ("Li | β-Li3N | Li3InCl6 | NMC811", "Li | β-Li3N | LGPS | NMC811",
          "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811")
#: how to read the screening table (docs/screening.md and the README quote it)
HOW_TO_READ = (
    "Each row is a material of the database (one row per crystal direction) or an SSE stack, and "
    "each criterion column is a target of the review's Perspectives: ✓ pass, ✗ fail, ? unknown, "
    "followed by the value judged (a bound keeps its < or >). Unknown means the database lacks "
    "the data or the bound does not decide; it never counts as a pass. 'Proven' is the weighted "
    "share of all criteria known to pass (a lower bound), the score the weighted share of the "
    "known criteria that pass (optimistic: it ignores the unknowns), the confidence the weighted "
    "share that is known; rows below 0.3 confidence rank last. Read a score with its confidence: "
    "1.00 at 0.33 means three known criteria all pass, not that the material meets every target.")
#: the rank column's header: what rank means, in the table itself
RANK_HEADER = "rank (proven share, then confidence, then score)"
#: the section's introduction (the table caption carries HOW_TO_READ; not printed twice)
INTRO = ("Every material of the database and the review's SSE stacks judged against the targets "
         "of the review's Perspectives (a), in the Fig. 17C pouch-cell design.")


def _cell(status: str, value: str) -> str:
    """``"✓ 0.00214"`` with a no-break space, so that a narrow column never splits it."""
    symbol = {"pass": "✓", "fail": "✗", "unknown": "?"}[status]
    return f"{symbol}\u00a0{value}" if value else symbol


def table_frame(result: Any) -> pd.DataFrame:
    """The screening table as shown: rank, label, score, confidence and one column per criterion."""
    import pandas as pd

    rows = []
    for r in result.rows:
        rec = {RANK_HEADER: r.rank, "material / stack": r.label,
               "proven": round(r.score_min, 2),
               "score": round(r.score, 2) if r.score == r.score else None,
               "confidence": round(r.confidence, 2)}
        rec.update({_header(t): _cell(c.status, c.value_text())
                    for t, c in zip(result.targets, r.criteria, strict=True)})
        rows.append(rec)
    return pd.DataFrame(rows)


def _header(t: Any) -> str:
    from nitrolyte.screening.targets import SHORT_LABELS

    name = SHORT_LABELS.get(t.id, t.id)
    if t.id == "fast_charge":
        return f"{name} (σ for {t.value:g} min)"
    return f"{name} {t.comparator} {t.value:g} {t.unit}".strip()


def pareto_frame(result: Any) -> pd.DataFrame:
    """Materials with ``on_front`` (σ, Ea, oxidation limit) and ``front_2d`` (σ, Ea)."""
    from nitrolyte.screening import pareto_front

    frame = result.pareto()
    two = pareto_front(frame[["sigma_S_cm", "Ea_eV"]], {"sigma_S_cm": "max", "Ea_eV": "min"})
    return frame.assign(pareto_rank_2d=two["pareto_rank"].to_numpy(), front_2d=two["on_front"].to_numpy())


def _tables(ctx: ReportContext, result: Any) -> tuple[TableOutput, ...]:
    import pandas as pd

    from nitrolyte.screening.result import RANK_MEANING

    shown = table_frame(result)
    csv = ctx.save_csv(result.to_frame(), "screening")
    ctx.save_csv(result.to_long_frame(), "screening_criteria")
    main = TableOutput(
        key="screening_table", title="Screening against the review's targets",
        review_ref="Conclusions and perspectives (a); Section 5", html=ctx.frame_to_html(shown, "screening-table"),
        csv=csv, caption=RANK_MEANING + " " + HOW_TO_READ + " Every verdict's value, threshold, "
        "source and note: data/screening_criteria.csv.",
        deviations=("The review sets the targets but screens no materials; this table is nitrolyte's",
                    "Ea <= 0.3565 eV is derived (sigma(-20 C) >= sigma(25 C)/10), not a review target",
                    "With the embedded energies Li3InCl6 has no window, so pairings with it stay unknown"))
    targets = pd.DataFrame([{"criterion": t.id, "compares": t.column, "comparator": t.comparator,
                             "value": t.value, "unit": t.unit, "stretch": t.stretch_value,
                             "weight": t.weight, "source": t.source} for t in result.targets])
    tcsv = ctx.save_csv(targets, "screening_targets")
    return main, TableOutput(key="screening_targets", title="Targets used by the screening",
                             review_ref="Conclusions and perspectives (a)",
                             html=ctx.frame_to_html(targets, "screening-targets"), csv=tcsv,
                             caption="Thresholds read from records.yaml (dataset.targets()); "
                             "fast_charge compares the conductivity a charge of that many minutes needs.")


def _figure(ctx: ReportContext, result: Any) -> FigureOutput:
    from nitrolyte.plotting.screening import plot_screening_pareto, plotly_screening_pareto

    frame = pareto_frame(result)
    sigma_t = next(t for t in result.targets if t.id == "sigma")
    ea_t = next((t for t in result.targets if t.id == "Ea"), None)
    kw = {"sigma_target_S_cm": sigma_t.value, "sigma_stretch_S_cm": sigma_t.stretch_value,
          "ea_target_eV": ea_t.value if ea_t is not None else None}
    csv = ctx.save_csv(frame, "screening_pareto")
    png, svg = ctx.save_matplotlib(lambda: plot_screening_pareto(frame, **kw), "screening_pareto",
                                   data=frame.assign(_targets=repr(sorted(kw.items()))))
    front = ", ".join(frame.loc[frame["on_front"], "label"])
    return FigureOutput(
        key="screening_pareto", title="Conductivity vs activation energy, coloured by oxidation limit",
        review_ref="Conclusions and perspectives (a) (targets)",
        caption=("Room-temperature conductivity against activation energy of every material with both "
                 "(bounds left out); colour: oxidation limit of the electrochemical window (grey: not "
                 "computable with the default energy source and not reported). Circled: Pareto front of "
                 f"conductivity (max), Ea (min) and oxidation limit (max) - {front}; dashed: front of "
                 "conductivity and Ea alone. Lines: the 1e-3 S/cm target, the 1e-2 S/cm stretch and "
                 "the derived Ea threshold."),
        png=png, svg=svg, csv=csv, plotly_html=ctx.plotly_div(plotly_screening_pareto(frame, **kw),
                                                              "screening-pareto"),
        deviations=("No corresponding figure in the review: it states the targets only",
                    "The three-objective front includes only materials with a known window"))


def build(ctx: ReportContext) -> Section:
    """The screening section: the ranked table, the targets and the Pareto figure."""
    from nitrolyte.screening import screen

    result = ctx.remember("screening", lambda: screen(stack=list(STACKS), db=ctx.db))
    intro = INTRO if not result.warnings else (  # stored values it could not use, named
        f"{INTRO} Skipped stored values (outside what a laboratory measures): "
        + "; ".join(w.removeprefix("skipped ") for w in result.warnings) + ".")
    return Section(key=KEY, title="Screening against the review's targets", intro=intro,
                   tables=_tables(ctx, result), figures=(_figure(ctx, result),))
