"""Report section: your stored measurement sets (EIS series, fits, imports).

For each stored set: the Nyquist plots of its spectra with the fitted circuit and the bulk /
grain-boundary / electrode parts marked (EIS sets that kept their data), and its points over the
literature Arrhenius lines of its family (:func:`nitrolyte.transport.measured.compare_set`).
Without stored sets the section says so and draws nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nitrolyte.errors import NitrolyteError
from nitrolyte.report.framework import FigureOutput, ReportContext, Section

if TYPE_CHECKING:
    from nitrolyte.store.models import StoredSet

KEY = "measurements"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 0.05


def _stem(set_id: int, kind: str) -> str:
    return f"set{set_id}_{kind}"


def _nyquist(ctx: ReportContext, row: StoredSet) -> FigureOutput | None:
    import pandas as pd

    from nitrolyte.plotting.nyquist import plot_nyquist
    from nitrolyte.transport.eis_series import stored_spectra

    pairs = stored_spectra(row.method_details)
    if not pairs:
        return None
    fits, spectra = [p[0] for p in pairs], [p[1] for p in pairs]
    key = _stem(row.set_id, "nyquist")
    png, svg = ctx.save_matplotlib(plot_nyquist(fits, spectra, title=row.name), key)
    data = pd.concat([pd.DataFrame({"file": s.source, "T_K": s.T_K, "freq_Hz": s.freq_Hz,
                                    "Z_real_ohm": s.Z_ohm.real, "Z_imag_ohm": s.Z_ohm.imag})
                      for s in spectra], ignore_index=True)
    return FigureOutput(
        key=key, title=f"{row.name}: impedance spectra (set {row.set_id})",
        review_ref="user data", png=png, svg=svg, csv=ctx.save_csv(data, key),
        caption="Nyquist plots (Z' against -Z'', ohm) of the stored spectra with the fitted "
                "circuit (chosen by BIC unless forced); shaded: the bulk and grain-boundary "
                "resistances along Z'; dotted: where the blocking-electrode tail starts. A panel "
                "titled UNRELIABLE FIT (red) is a fit stored with --force that breaks a rule of "
                "docs/transport.md (unphysical capacitance, a parameter at its bound, σ error "
                "> 30 %); its points carry that note in the tables.",
        deviations=("User measurement, not a figure of the review.",))


def _comparison(ctx: ReportContext, row: StoredSet) -> FigureOutput | None:
    from nitrolyte.api import database
    from nitrolyte.plotting.measured import plot_set_vs_literature
    from nitrolyte.transport.measured import compare_set, family_lines

    db = database(ctx.db)
    try:
        cmp = compare_set(db, row.name, set_id=row.set_id)
    except NitrolyteError:  # no family or formula to compare with
        return None
    key = _stem(row.set_id, "vs_literature")
    png, svg = ctx.save_matplotlib(plot_set_vs_literature(cmp, family_lines(db, cmp)), key)
    return FigureOutput(
        key=key, title=f"{cmp.name} vs the literature (set {cmp.set_id})",
        review_ref="user data", png=png, svg=svg, csv=ctx.save_csv(cmp.to_frame(), key),
        caption="Measured σ (open circles, S/cm) against 1000/T over the measured range, over "
                "the Arrhenius lines (σT convention) of the review's records of the same formula "
                f"or family ({cmp.family or 'none'}); the table gives log10 ratios and ΔEa.",
        deviations=("User measurement, not a figure of the review.",))


def build(ctx: ReportContext) -> Section:
    """Build the section: two figures per stored measurement set (none for a set without σ
    point; a simulation whose answer is unknown is named with its reasons in the intro)."""
    from nitrolyte.api import database
    from nitrolyte.provenance import unknown_sets

    sets = database(ctx.db).stored_sets()
    figures = []
    for row in sets:
        figures += [f for f in (_nyquist(ctx, row), _comparison(ctx, row)) if f is not None]
    intro = (f"{len(sets)} stored measurement set(s) (nitrolyte eis / fit --store, import)."
             if len(sets) else "No stored measurement sets: store one with `nitrolyte eis FILES "
                               "--store NAME` or `nitrolyte fit FILE --store NAME`.")
    intro += "".join(f" Set {u['set_id']} ({u['name']}, {u['label']}): {u['text']}."
                     for u in unknown_sets(ctx.db))  # said, never drawn as a number
    return Section(key=KEY, title="Your measurements", intro=intro, figures=tuple(figures))
