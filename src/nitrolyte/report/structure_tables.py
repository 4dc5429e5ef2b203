"""Tables of the transport section: transport from a structure (stored BVSE, NEB and hot-MD sets)
and its validation against the review's measured Ea (:mod:`nitrolyte.transport.bvse_validation`)."""

from __future__ import annotations

from nitrolyte.report.framework import ReportContext, TableOutput

ESTIMATE_COLUMNS = {"name": "Material", "label": "Method", "quantity": "Quantity",
                    "Ea_eV": "Ea (eV)", "Ea_spread_eV": "Spread (eV)",
                    "dimensionality": "Dimensionality", "sigma_300K_S_cm": "σ(300 K) (S/cm)",
                    "set_id": "Set"}
VALIDATION_COLUMNS = {"material": "Review material", "structure": "Structure",
                      "structure_kind": "Structure source", "direction": "Direction",
                      "phase": "Phase", "measured_Ea_eV": "Measured Ea (eV)", "source": "Source",
                      "bvse_eV": "BVSE (eV)", "dimensionality": "BVSE dim.", "neb_eV": "NEB (eV)",
                      "md_eV": "MD (eV)", "delta_bvse_eV": "ΔBVSE (eV)",
                      "delta_neb_eV": "ΔNEB (eV)", "delta_md_eV": "ΔMD (eV)"}


def estimates_table(ctx: ReportContext) -> TableOutput | None:
    """Every stored transport-from-structure set (None when there is none)."""
    import pandas as pd

    from nitrolyte.provenance import structure_estimates

    rows = structure_estimates(ctx.db)
    if not rows:
        return None
    frame = pd.DataFrame(rows)[list(ESTIMATE_COLUMNS)]
    return TableOutput(
        key="transport_from_structure", title="Transport from structure (simulation sets)",
        review_ref="issue 23 (not in the review)", csv=ctx.save_csv(frame, "transport_from_structure"),
        html=ctx.frame_to_html(frame.rename(columns=ESTIMATE_COLUMNS), "transport-from-structure"),
        caption="Stored estimates from a crystal structure, each with the quantity it is (BVSE "
                "percolation barrier, NEB migration barrier, Arrhenius Ea of hot MD): "
                "simulations and predictions, never measurements.")


def validation_table(ctx: ReportContext) -> TableOutput:
    """BVSE (and stored NEB / MD) against the review's measured Ea, with the summary lines."""
    import pandas as pd

    from nitrolyte.report.framework import escape
    from nitrolyte.transport.bvse_validation import summary_lines, validation_rows

    rows = validation_rows(db=ctx.db)
    frame = pd.DataFrame(rows)[list(VALIDATION_COLUMNS)]
    return TableOutput(
        key="transport_validation", title="Transport from structure against the measured Ea",
        review_ref="Tables 1-4 (measured Ea)", csv=ctx.save_csv(frame, "transport_validation"),
        html=ctx.frame_to_html(frame.rename(columns=VALIDATION_COLUMNS), "transport-validation"),
        caption=escape("; ".join(summary_lines(rows))) + ". A migration or percolation barrier "
                "is not a measured Ea (defect formation, grain boundaries and disorder are in the "
                "measurement only); disagreements are reported, not tuned away. NEB and MD "
                "columns: the newest stored set of each structure, blank when none.")
