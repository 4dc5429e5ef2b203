"""Report section: the structure library and the offline ML energy source (CHGNet).

Data: :mod:`nitrolyte.structures.library` (validated structures with sources),
:mod:`nitrolyte.stability.ml` (``--source ml``) and :mod:`nitrolyte.stability.ml_validation`. ML
energies come from the packaged table precomputed with the real model (``scripts/compute_ml_energies.py``)
where structure and model version match, else they are computed (progress bar) and cached in the store.
"""

from __future__ import annotations

from nitrolyte.report.framework import ReportContext, Section, TableOutput, escape

KEY = "ml"
#: seconds of CPU this section takes once the state it shares (``SHARES``) is loaded; the
#: report splits the sections over its workers by it (report/runner.py ``plan``)
BUILD_COST = 0.5
#: shared state the section loads (report/runner.py ``SHARED_STATE``)
SHARES = ("phase_diagrams",)
STACK = "Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811"
#: the same pairing with the review's Li-stable nitride halide (its structure a predicted approximant)
STACK_LI9N2CL3 = "Li | Li9N2Cl3 | Li3InCl6 | NMC811"
LIBRARY_COLUMNS = {"name": "Entry", "formula": "Formula", "kind": "Kind", "ok": "Valid",
                   "failures": "Flags", "volume_ratio": "V_relaxed/V0", "e_above_hull_meV_atom":
                   "E above hull (meV/atom)", "e_above_hull_meV_atom_spread": "Spread over models (meV/atom)",
                   "source": "Source", "doi": "DOI"}
VALIDATION_COLUMNS = {"group": "Group", "material": "Material", "formula": "ML formula",
                      "reference": "Reference", "ref_reduction_V": "Ref. red. (V)",
                      "ref_oxidation_V": "Ref. ox. (V)", "source": "Source",
                      "ml_reduction_V": "ML red. (V)", "ml_oxidation_V": "ML ox. (V)",
                      "d_reduction_V": "Δ red. (V)", "d_oxidation_V": "Δ ox. (V)", "ml_note": "Note"}


def _library_table(ctx: ReportContext) -> TableOutput:
    from nitrolyte.stability.ml import energy_above_hull_table

    table = ctx.remember("ml_structure_library",
                         lambda: energy_above_hull_table(db=ctx.db))[list(LIBRARY_COLUMNS)]
    csv = ctx.save_csv(table, "ml_structure_library")
    return TableOutput(
        key="ml_structure_library", title="Structure library: validation and ML energy above the hull",
        review_ref="Tables 1-4; Fig. 17A partners", csv=csv,
        html=ctx.frame_to_html(table.rename(columns=LIBRARY_COLUMNS), "tbl-ml-library"),
        caption=("Every entry is checked (composition and Z, density within 2 % of the published value, "
                 "nearest-neighbour distances, CHGNet relaxation changing the volume by < 5 %); an entry "
                 "that fails is left out of every diagram. Energy above the hull under the anchored "
                 "scheme from CHGNet, the default model; its spread is max - min over CHGNet and "
                 "SevenNet (empty where SevenNet has no packaged energy); experimental CIFs from OBELiX "
                 "(CC BY 4.0)."))


PREDICTED_COLUMNS = {"name": "Entry", "formula": "Formula", "method": "Method", "model": "Model",
                     "trials": "Trials", "date": "Date", "stored": "Where", "source": "Label"}


def _predicted_table(ctx: ReportContext) -> TableOutput:
    """Predicted structures (shipped or in the user's store), each with method, model, trials, date."""
    import pandas as pd

    from nitrolyte.structures.library import library_entries, user_entries

    rows = []
    for entry, where in [*((e, "library") for e in library_entries()), *((e, "user store") for e in user_entries(ctx.db))]:
        if entry.kind != "predicted":
            continue
        label = entry.spec.get("predicted") or {}
        rows.append({"name": entry.name, "formula": entry.formula, "method": label.get("method", ""),
                     "model": label.get("model", ""), "trials": label.get("trials", ""),
                     "date": label.get("date", ""), "stored": where, "source": entry.source})
    table = pd.DataFrame(rows, columns=list(PREDICTED_COLUMNS))
    csv = ctx.save_csv(table, "ml_predicted_structures")
    return TableOutput(
        key="ml_predicted_structures", title="Predicted structures (not measured)",
        review_ref="Perspectives (high-throughput computation)", csv=csv,
        html=ctx.frame_to_html(table.rename(columns=PREDICTED_COLUMNS), "tbl-ml-predicted"),
        caption=("Structures predicted by 'nitrolyte structure predict' from the formula alone (ordered "
                 "approximants of a stated structure type, substitution into known structures, or "
                 "symmetric random search), relaxed with the named ML potential; every window, reaction "
                 "and energy above hull built on them is a prediction, never a measurement. "
                 + ("None stored." if table.empty else "")))


def _validation_table(ctx: ReportContext) -> TableOutput:
    from nitrolyte.stability.ml_validation import deviation_summary, ml_validation

    table = ctx.remember("ml_window_validation", lambda: ml_validation(db=ctx.db))
    csv = ctx.save_csv(table, "ml_window_validation")
    summary = deviation_summary(table)
    ctx.save_csv(summary, "ml_window_deviation_summary")
    lines = tuple(f"{r.source}, group {r.group}: mean |Δ| {r.mean_abs_dev_V:.2f} V, worst "
                  f"{r.worst_abs_dev_V:.2f} V ({r.worst_case}), n = {r.n}"
                  for r in summary.itertuples() if r.n)
    return TableOutput(
        key="ml_window_validation", title="ML windows against experiment, the review and published DFT",
        review_ref="Fig. 2A, 12B, 17A; Section 4.3", csv=csv,
        html=ctx.frame_to_html(table.rename(columns=VALIDATION_COLUMNS), "tbl-ml-validation"),
        caption=("(a) lithium binaries against the embedded experimental ΔGf (exact by construction for "
                 "the anchored scheme 'ml'); (b) windows stated in the review; (c) published DFT windows "
                 "of the partner electrolytes (refs 155, 189). Δ = ML minus reference."),
        deviations=lines)


def _stack_table(ctx: ReportContext) -> TableOutput:
    import pandas as pd

    from nitrolyte.stability import check_stack

    def stacks() -> pd.DataFrame:
        frames = [check_stack(stack, "ml", db=ctx.db).to_frame() for stack in (STACK, STACK_LI9N2CL3)]
        for frame, stack in zip(frames, (STACK, STACK_LI9N2CL3), strict=True):
            frame.insert(0, "stack", stack)
        return pd.concat(frames, ignore_index=True)

    table = ctx.remember("ml_review_stacks", stacks).copy()
    table["products"] = table["products"].map(" + ".join)
    table["reaction_energy_meV_atom"] = 1000 * table.pop("reaction_energy_eV_atom").astype(float)
    csv = ctx.save_csv(table, "ml_review_stack")
    return TableOutput(
        key="ml_review_stack", title=f"The review's stack decided with --source ml: {STACK}; {STACK_LI9N2CL3}",
        review_ref="Section 5; Fig. 17B", csv=csv,
        html=ctx.frame_to_html(table, "tbl-ml-stack"),
        caption=("Each interface at the potential it sees, with its reaction, energy and products. "
                 "Li9N2Cl3's energy is that of a predicted approximant (antifluorite ordering, "
                 "labelled in its window's basis), not of a measured structure."))


def _air_table(ctx: ReportContext) -> TableOutput:
    from nitrolyte.stability.air import air_table

    table = ctx.remember("ml_air_stability", lambda: air_table(db=ctx.db))
    csv = ctx.save_csv(table, "ml_air_stability")
    return TableOutput(
        key="ml_air_stability", title="Air and moisture: reaction energies with H2O, O2 and CO2",
        review_ref="Section 4.2; Fig. 11; Perspectives", csv=csv,
        html=ctx.frame_to_html(table, "tbl-ml-air"),
        caption=("Most negative reaction energy (meV per atom of mixture) of each library material with "
                 "H2O(g), O2 and CO2(g) at 298.15 K, from experimental gases and products (NBS 1982) "
                 "and anchored ML energies; ranked by moisture reactivity, beside the review's "
                 "air-stability observations. 0: no reaction among the phases the source holds; a "<" "
                 "qualifier marks an upper bound (the phases missing from the source are listed)."),
        deviations=("Hydrates, HCl, oxychlorides, sulfates and metal oxides are not in the source: "
                    "halides and sulfides show fewer reactions than they undergo",))


def _candidates_tables(ctx: ReportContext) -> tuple[TableOutput, ...]:
    """One table per discovery campaign saved in the database (none: no table)."""
    import pandas as pd

    from nitrolyte.discover.saved import campaigns

    out = []
    for c in campaigns(ctx.db):
        m = c["manifest"]
        rows = [{"rank": r["rank"], "formula": r["formula"] + (" *" if r.get("known_structures") else ""),
                 "type": r["generator"], "space group": r["space_group"],
                 "E above hull (meV/atom)": r["e_above_hull_meV_atom"], "spread (meV/atom)": r["spread_meV_atom"],
                 "reduction (V)": r["reduction_V"], "oxidation (V)": r["oxidation_V"],
                 "air (meV/atom)": r["air_reaction_meV_atom"], "BVSE Ea (eV)": r["Ea_eV"],
                 "targets": ", ".join(f"{k} {v}" for k, v in (r.get("verdicts") or {}).items()),
                 "Pareto front": "yes" if r.get("on_front") else ""} for r in c["candidates"]]
        table = pd.DataFrame(rows)
        key = f"discover_{c['run_id']}"
        out.append(TableOutput(
            key=key, title=f"Discovery candidates: {', '.join(m['spaces'])} (predicted)",
            review_ref="Conclusions and perspectives (a)", csv=ctx.save_csv(table, key),
            html=ctx.frame_to_html(table, f"tbl-{key}"),
            caption=(f"nitrolyte discover, run {c['run_id']}: {m['n_generated']} candidates generated, "
                     f"{m['n_candidates']} within {m['thresholds']['hull']:g} meV/atom of the hull of the known "
                     f"phases ({m['default_model']}). Every structure is a predicted ordered approximant; Ea is a "
                     "BVSE migration barrier, not a measured activation energy; * a database lists the formula."),
            deviations=() if not m["settings"]["hide"] else
            (f"Back-test run: {', '.join(m['settings']['hide'])} hidden from the hull",)))
    return tuple(out)


def build(ctx: ReportContext) -> Section:
    """The ML section: library validation, window validation and the review's stack."""
    intro = escape(
        "Energies from the offline CHGNet potential for every validated structure of the library, "
        "made comparable across chemistries by anchoring the anion references to the experimental "
        "Gibbs energies of the lithium binaries (docs/stability.md). This answers windows and "
        "interfaces for phases no thermochemical table holds (Li2S, Li3InCl6, Li6PS5Cl, ...).")
    return Section(key=KEY, title="Structures and ML energies", intro=intro,
                   tables=(_library_table(ctx), _predicted_table(ctx), _validation_table(ctx), _stack_table(ctx),
                           _air_table(ctx), *_candidates_tables(ctx)))
