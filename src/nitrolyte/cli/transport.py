"""``nitrolyte sigma | fit | layer | transport``: ion transport from the shell (``eis``: ``cli/eis.py``).

Errors print one line to stderr (``error: ...``) and exit 1 (2 for a bad option value, docs/cli.md). Temperatures carry their unit
(``300K``, ``25C``); lengths and areas too (``500um``, ``0.5mm``, ``0.785cm2``, ``78.5mm2``).
``--json`` output follows the schemas in ``docs/transport.md``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from nitrolyte.cli._common import DbOption, echo_json, echo_rows, handle_errors
from nitrolyte.errors import InputError, PlausibilityWarning

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (schema in docs/transport.md).")]




# ---------------------------------------------------------------------------------- commands
@handle_errors
def sigma_cmd(
    name: Annotated[str, typer.Argument(help="Material name or alias (e.g. beta-Li3N).")],
    T: Annotated[list[str], typer.Option("--T", help="Temperature with unit, e.g. 300K or 25C; "
                                         "repeat for several.")],
    direction: Annotated[str | None, typer.Option(help="perp_c or par_c (anisotropic crystals).")]
    = None,
    average: Annotated[str | None, typer.Option(
        help="Polycrystal average of an anisotropic crystal: bruggeman, arithmetic, harmonic, "
             "geometric.")] = None,
    convention: Annotated[str, typer.Option(help="sigmaT (Fig. 10B) or sigma.")] = "sigmaT",
    db: DbOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Ionic conductivity of a database material at any temperature (Arrhenius from the record)."""
    import numpy as np

    from nitrolyte import api
    from nitrolyte.transport.conductivity import conductivity, model_for
    from nitrolyte.units import parse_quantity

    T_K = np.array([parse_quantity(t, "temperature", "--T") for t in T])
    record = api.get(name, db=db)  # read once, used twice
    with warnings.catch_warnings():  # printed below as "warning: ..." lines (or in the JSON)
        warnings.simplefilter("ignore", PlausibilityWarning)
        sig = np.atleast_1d(conductivity(record, T_K, direction, convention=convention,  # type: ignore[arg-type]
                                         average=average))  # type: ignore[arg-type]
    anchor = model_for(record, direction if average is None else "perp_c", convention)  # type: ignore[arg-type]
    Ea = np.atleast_1d(anchor.Ea_at(T_K)) if average is None else [None] * len(T_K)
    results = [{"T_K": float(t), "T_C": float(t) - 273.15, "sigma_S_cm": float(s),
                "Ea_eV": None if e is None else float(e)} for t, s, e in zip(T_K, sig, Ea, strict=True)]
    from nitrolyte.plausibility import record_warnings

    texts = record_warnings(record, T_K)
    for w in [] if as_json else texts:
        typer.echo(f"warning: {w}", err=True)
    if as_json:
        echo_json({"material": anchor.name, "ref": anchor.ref,
                    "direction": None if average else anchor.direction, "average": average,
                    "convention": convention,
                    "anchor": None if average else {
                        "sigma_S_cm": anchor.sigma_ref_S_cm, "T_K": anchor.T_ref_K,
                        "Ea_eV": anchor.Ea_eV, "Ea_HT_eV": anchor.Ea_HT_eV,
                        "T_transition_K": anchor.T_transition_K},
                    "results": results, "warnings": texts})
        return
    label = f"{anchor.name} [ref. {anchor.ref}]" + (f" {direction}" if direction else "") + (
        f" ({average} polycrystal average)" if average else "")
    echo_rows(label, ["T (K)", "T (°C)", "σ (S/cm)", "Ea (eV)"],
           [[f"{r['T_K']:.2f}", f"{r['T_C']:.2f}", f"{r['sigma_S_cm']:.3e}",
             "" if r["Ea_eV"] is None else f"{r['Ea_eV']:.3f}"] for r in results])


@handle_errors
def fit_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with T_K|T_C and sigma_S_cm|sigma_S_m|"
                                         "sigma_mS_cm, or R_ohm + thickness + area columns.")],
    convention: Annotated[str | None, typer.Option(
        help="Older name of --law (sigmaT or sigma).")] = None,
    law: Annotated[str | None, typer.Option(
        "--law", help="Conductivity law: sigmaT (σT Arrhenius, Fig. 10B; default), sigma, vtf "
                      "(σ = A exp(-B/kB(T-T0))), two_regime (two Ea and a knee).")] = None,
    confidence: Annotated[float, typer.Option(help="Level of the confidence interval.")] = 0.95,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write an Arrhenius plot (PNG/SVG).")]
    = None,
    store: Annotated[str | None, typer.Option(help="Store points and fit as a measurement set "
                                              "of this material name.")] = None,
    formula: Annotated[str | None, typer.Option(help="Formula of a new --store material.")] = None,
    family: Annotated[str | None, typer.Option(help="Family of a new --store material.")] = None,
    allow_implausible: Annotated[bool, typer.Option("--allow-implausible")] = False,
    db: DbOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit of measured conductivities to a law (Arrhenius by default): parameters with errors,
    sigma at 25 C."""
    from nitrolyte.workflows.conductivity import conductivity_file

    read = conductivity_file(file, law, convention=convention)
    fit = read.fit
    assert fit is not None  # require_fit: a file that cannot be fitted raised
    stored = None
    if store is not None:
        from nitrolyte.store import Database

        stored = read.store(Database(db), store, formula=formula, family=family,
                            allow_implausible=allow_implausible)
    rt = fit.predict(298.15, confidence)
    if plot is not None:
        from nitrolyte.plotting.arrhenius import plot_fit

        fig = plot_fit(fit, confidence, title=f"{file.name}: {fit.describe()}")
        fig.savefig(plot, dpi=150, bbox_inches="tight")
    if as_json:
        echo_json({"source": str(file), "fit": fit.to_dict(),
                    "sigma_25C": {**rt.to_dict(), "T_K": 298.15}, "plot": str(plot) if plot else None,
                    "stored": None if stored is None else stored.to_dict()})
        return
    echo_rows(f"{fit.title} of {file.name} ({fit.law}, {fit.n_points} points)",
           ["quantity", "value"],
           [*fit.parameter_rows(),
            ["σ at 25 °C (S/cm)", f"{rt.sigma_S_cm[0]:.3e} [{rt.lower_S_cm[0]:.3e}, "
                                  f"{rt.upper_S_cm[0]:.3e}] ({confidence:.0%})"],
            ["R²", f"{fit.r_squared:.5f}"],
            ["outliers (kept)", ", ".join(f"{t:g} K" for t, o in zip(fit.T_K, fit.outliers,
                                                                      strict=True) if o) or "none"]])
    if plot is not None:
        typer.echo(f"plot written to {plot}")
    if stored is not None:
        typer.echo(f"stored as measurement set {stored.set_id} of {store}")


@handle_errors
def layer_cmd(
    thickness_um: Annotated[float, typer.Option("--thickness-um", help="SSE layer thickness, um.")],
    areal_capacity: Annotated[float, typer.Option("--areal-capacity", help="mAh/cm2.")],
    c_rate: Annotated[float, typer.Option("--c-rate", help="C-rate, 1/h (4 = 15 min).")],
    sigma: Annotated[str | None, typer.Option(
        "--sigma", help="Conductivity: 1e-3, 1mS/cm, 0.1 S m-1 (a bare number is S/cm).")] = None,
    material: Annotated[str | None, typer.Option("--material", help="Database material instead "
                                                 "of --sigma.")] = None,
    T: Annotated[str | None, typer.Option("--T", help="Temperature for --material, e.g. -20C.")]
    = None,
    direction: Annotated[str | None, typer.Option(help="perp_c or par_c.")] = None,
    max_drop: Annotated[float, typer.Option("--max-drop", help="Allowed ohmic drop, V.")] = 0.1,
    db: DbOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Area-specific resistance, ohmic drop and required conductivity of one SSE layer."""
    from nitrolyte.transport.layer import check_layer
    from nitrolyte.units import parse_quantity

    if T is not None and material is None:
        raise InputError("--T needs --material (a bare --sigma has no temperature dependence)")
    sigma_S_cm = None if sigma is None else parse_quantity(sigma, "conductivity", "--sigma")
    chk = check_layer(sigma_S_cm, thickness_um=thickness_um, areal_capacity_mAh_cm2=areal_capacity,
                      c_rate=c_rate, max_drop_V=max_drop, material=material,
                      T_K=None if T is None else parse_quantity(T, "temperature", "--T"),
                      direction=direction, db=db)
    if as_json:
        echo_json(chk.to_dict())
        return
    head = f"{chk.material} at {chk.T_K:.2f} K" if chk.material else "SSE layer"
    echo_rows(f"{head}: {chk.thickness_um:g} µm, {chk.areal_capacity_mAh_cm2:g} mAh/cm² at "
           f"{chk.c_rate:g}C", ["quantity", "value"],
           [["σ (S/cm)", f"{chk.sigma_S_cm:.3e}"],
            ["current density (mA/cm²)", f"{chk.current_density_mA_cm2:.4g}"],
            ["ASR (Ω cm²)", f"{chk.asr_ohm_cm2:.4g}"],
            ["ohmic drop (V)", f"{chk.drop_V:.4g}"],
            [f"σ needed for ≤ {chk.max_drop_V:g} V (S/cm)", f"{chk.required_sigma_S_cm:.3e}"],
            ["verdict", ("passes" if chk.passes else "fails") + f" (margin {chk.margin:.3g}×)"]])


@handle_errors
def transport_cmd(
    structure: Annotated[str, typer.Argument(
        help="Structure: a library or user entry name/formula (e.g. alpha-Li3N) or a CIF path.")],
    method: Annotated[str, typer.Option(help="bvse (bond-valence site energy pathway screen) or "
                                        "neb (vacancy-hop NEB with the ML potentials), "
                                        "md (hot MD, Arrhenius extrapolated to 300 K).")]
    = "bvse",
    plot: Annotated[Path | None, typer.Option("--plot", metavar="OUT.png",
                                              help="Write the BVSE map (.png or .svg).")] = None,
    potential: Annotated[str | None, typer.Option(
        help="neb: one potential (chgnet, sevennet; lj-toy for plumbing), default both models of "
             "the committee; md: the potential (default chgnet).")] = None,
    store: Annotated[bool, typer.Option("--store", help="Store the barrier as a simulation "
                                        "measurement set (labelled, never a measured Ea).")] = False,
    budget: Annotated[str | None, typer.Option(
        help="md: production per temperature (20ps) or wall time per temperature (30min).")]
    = None,
    T: Annotated[list[str] | None, typer.Option(
        "--T", help="md: temperatures (repeat); default chosen from the barrier.")] = None,
    out: Annotated[Path, typer.Option(help="md: folder for the trajectories.")]
    = Path("transport-md"),
    scheduler: Annotated[str | None, typer.Option(
        help="md: Dask scheduler address running the temperatures (default: here, in turn).")]
    = None,
    db: DbOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Li transport from a structure: BVSE percolation barrier, NEB hop barrier, or hot MD
    extrapolated to 300 K (each labelled with what it is; never a measured Ea)."""
    from nitrolyte.checks import check_choice
    from nitrolyte.transport.bvse import QUANTITY, bvse, resolve_structure, store_bvse

    check_choice("--method", method, ("bvse", "neb", "md"))
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--plot must end in .png or .svg, got {plot.name}")
    if method == "bvse" and potential is not None:
        raise InputError("--potential applies to --method neb or md, not bvse")
    name, struct = resolve_structure(structure, db)
    if method == "neb":
        return _neb(name, struct, potential, plot, store, db, as_json)
    if method == "md":
        from nitrolyte.cli.transport_md import run_md_method

        if plot is not None:
            raise InputError("--plot draws the BVSE map: use it with --method bvse")

        return run_md_method(name, struct, budget=budget, T=T, potential=potential or "chgnet", out=out,
                             scheduler=scheduler, store=store, db=db, as_json=as_json)
    res = bvse(struct)
    stored = store_bvse(name, res, db) if store else None
    if plot is not None:
        import matplotlib.pyplot as plt

        from nitrolyte.plotting.bvse import plot_bvse

        fig = plot_bvse(res)
        fig.savefig(plot, dpi=150, bbox_inches="tight")
        plt.close(fig)
    doc = {"structure": name, **res.to_dict(), **({"stored": stored} if stored else {})}
    if as_json:
        echo_json(doc)
        return
    fmt = {k: "none" if v is None else f"{v:.3f} eV" for k, v in res.barriers_eV.items()}
    typer.echo(f"{name} ({res.formula}): Ea = "
               + ("none below the cutoff" if res.Ea_eV is None else f"{res.Ea_eV:.3f} eV")
               + f", {res.dimensionality}D network")
    typer.echo(f"  percolation barriers: 1D {fmt['1D']}, 2D {fmt['2D']}, 3D {fmt['3D']}")
    typer.echo(f"  quantity: {QUANTITY}")
    if stored:
        typer.echo(f"  stored as BVSE simulation set {stored['set_id']}")


def _neb(name: str, struct: object, potential: str | None, plot: Path | None, store: bool,
         db: str | None, as_json: bool) -> None:
    """``transport --method neb``: barriers per hop and model, the network's barrier, the spread."""
    import nitrolyte.simulate.potentials  # noqa: F401  (registers lj-toy)
    from nitrolyte.store import Database
    from nitrolyte.transport.neb import QUANTITY, neb, store_neb

    if plot is not None:
        raise InputError("--plot draws the BVSE map; it does not apply to --method neb")
    res = neb(struct, potential, db=Database(db))  # type: ignore[arg-type]
    stored = store_neb(name, res, db) if store else None
    if as_json:
        echo_json({"structure": name, **res.to_dict(), **({"stored": stored} if stored else {})})
        return
    d = res.to_dict()
    sc = d["supercell"]
    spread = "" if res.Ea_spread_eV is None else f" ± spread {res.Ea_spread_eV:.3f} eV"
    echo_rows(f"{name} ({res.formula}): Ea = "
              + ("none (the hops do not percolate)" if res.Ea_eV is None else f"{res.Ea_eV:.3f} eV")
              + f"{spread}, {res.dimensionality}D network ({res.models[0]['label']})",
              ["hop", "length (Å)", "direction", "mechanism", *[f"{m['name']} (eV)" for m in res.models]],
              [[h["hop"], f"{h['length_A']:.3f}", h["direction"], h["mechanism"],
                *[f"{h['barriers_by_model_eV'][m['name']]:.3f}" for m in res.models]] for h in d["hops"]])
    ax = {k: "none" if v is None else f"{v:.3f} eV" for k, v in d["axis_barriers_eV"].items()}
    typer.echo(f"  ⊥c {ax['perp_c']}, ∥c {ax['par_c']}; supercell {'x'.join(map(str, sc['scaling']))} "
               f"({sc['n_atoms']} atoms, vacancy images {sc['image_distance_A']:.1f} Å apart)"
               + (" [cached]" if res.cached else ""))
    typer.echo(f"  quantity: {QUANTITY}")
    if stored:
        typer.echo(f"  stored as NEB simulation set {stored['set_id']}")


def register(app: typer.Typer) -> None:
    """Add ``sigma``, ``fit``, ``layer`` and ``transport`` to the ``nitrolyte`` app (``eis``: cli/eis.py)."""
    app.command("sigma")(sigma_cmd)
    app.command("fit")(fit_cmd)
    app.command("layer")(layer_cmd)
    app.command("transport")(transport_cmd)
