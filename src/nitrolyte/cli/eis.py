"""``nitrolyte eis``: instrument impedance files -> validated fits -> sigma(T) -> a stored set.

Errors print one ``error:`` line naming the file and exit 1 (a file that cannot be used) or 2
(a bad option value), as docs/cli.md says; nothing is stored from a failed series. ``--json``
follows ``nitrolyte.eis/1`` in docs/cli.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, echo_json, handle_errors
from nitrolyte.errors import InputError

SCHEMA = "nitrolyte.eis/1"


def geometry_cm(thickness: str, area: str | None, diameter: str | None) -> tuple[float, float]:
    """(thickness in cm, area in cm2) from ``--thickness`` and exactly one of ``--area`` /
    ``--diameter`` (:func:`nitrolyte.transport.eis_series.pellet_geometry_cm`)."""
    from nitrolyte.transport.eis_series import pellet_geometry_cm

    return pellet_geometry_cm(thickness, area, diameter, prefix="--")


def _paths(files: list[Path], manifest: Path | None = None) -> list[Path]:
    """Files as given; a folder means its files, except hidden ones and the manifest."""
    skip = None if manifest is None else manifest.resolve()
    out = [p for f in files for p in (sorted(q for q in f.iterdir() if q.is_file()
                                             and not q.name.startswith(".")
                                             and q.resolve() != skip)
                                      if f.is_dir() else [f])]
    if not out:
        raise InputError("no spectra given (a folder must contain files)")
    return out


def _temperatures(paths: list[Path], T: list[str] | None, manifest: Path | None
                  ) -> list[float | None]:
    from nitrolyte.transport.eis_series import read_manifest
    from nitrolyte.units import parse_quantity

    if T and manifest is not None:
        raise InputError("give temperatures with --T or --manifest, not both")
    if T:
        if len(T) != len(paths):
            raise InputError(f"--T given {len(T)} times for {len(paths)} spectra")
        return [parse_quantity(t, "temperature", "--T") for t in T]
    if manifest is not None:
        table = read_manifest(manifest)
        missing = [p.name for p in paths if p.name not in table]
        if missing:
            raise InputError(f"{manifest.name}: no temperature for {', '.join(missing)}")
        return [table[p.name] for p in paths]
    return [None] * len(paths)


def _fit_row(fit: Any) -> dict[str, Any]:
    return {"file": Path(fit.source).name, **fit.to_dict()}


def _arrhenius(fit: Any, confidence: float = 0.95) -> dict[str, Any] | None:
    if fit is None:
        return None
    from scipy import stats

    t = float(stats.t.ppf(0.5 + confidence / 2, fit.dof)) if fit.dof > 0 else float("inf")
    rt = fit.predict(298.15, confidence)
    return {**fit.to_dict(), "confidence": confidence,
            "Ea_ci_eV": [fit.Ea_eV - t * fit.Ea_stderr_eV, fit.Ea_eV + t * fit.Ea_stderr_eV],
            "sigma_RT_ci_S_cm": [rt.lower_S_cm[0], rt.upper_S_cm[0]]}


def _pm(value: float, err: float) -> str:
    return f"{value:.3e} ± {err:.1e}" if err == err and err < float("inf") else f"{value:.3e} ± ?"


def _echo_table(res: Any, L: float, A: float) -> None:
    from nitrolyte.cli._table import print_table

    cols = ("file", "T (K)", "circuit", "σ bulk (S/cm)", "σ total (S/cm)", "rel. RMSE", "KK",
            "fit")
    rows = [[Path(f.source).name, "" if f.T_K is None else f"{f.T_K:.2f}", f.circuit,
             _pm(f.sigma_bulk_S_cm, f.sigma_bulk_stderr_S_cm),
             _pm(f.sigma_total_S_cm, f.sigma_total_stderr_S_cm), f"{f.rel_rmse:.2%}",
             "" if f.kk_residual is None else f"{f.kk_residual:.2%}",
             "ok" if f.reliable else "UNRELIABLE"] for f in res.impedance_fits]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    print_table(f"Impedance fits, L = {L:g} cm, A = {A:.4g} cm²", [(c, {}) for c in cols], rows,
                min_width=sum(widths) + 3 * len(widths) + 1)  # file names are never cut
    for f in res.unreliable:
        typer.echo(f"UNRELIABLE {Path(f.source).name}: {'; '.join(f.problems)}")
    arr = res.arrhenius
    if arr is not None:
        from nitrolyte.transport.display import convention_label, format_Ea

        n_out = len(res.unreliable)
        typer.echo(f"Arrhenius ({res.which} σ, {convention_label(arr.convention)}, "
                   f"{'robust Huber' if arr.loss == 'huber' else 'least-squares'} fit"
                   f"{f', {n_out} unreliable fit(s) left out' if n_out else ''}): "
                   f"Ea = {format_Ea(arr.Ea_eV, arr.Ea_stderr_eV)} eV, "
                   f"σ(25 °C) = {arr.sigma_RT_S_cm:.3e} S/cm, R² = {arr.r_squared:.5f}")
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)


@handle_errors
def eis_cmd(
    files: Annotated[list[Path], typer.Argument(help="Spectra (Gamry .DTA, BioLogic .mpt, ZPlot "
                                                "  .z, VersaStudio .par, Autolab, Parstat, "
                                                "PowerSuite, CH Instruments, CSV/TSV) or folders.")],
    thickness: Annotated[str, typer.Option(help="Pellet thickness with unit, e.g. 1mm.")],
    area: Annotated[str | None, typer.Option(help="Electrode area, e.g. 0.785cm2.")] = None,
    diameter: Annotated[str | None, typer.Option(help="Electrode diameter, e.g. 10mm.")] = None,
    T: Annotated[list[str] | None, typer.Option(
        "--T", help="Temperature of each spectrum, in order (25C, 300K); default: a --manifest "
                    "or the file names (pellet_80C.mpt).")] = None,
    manifest: Annotated[Path | None, typer.Option(help="CSV with columns file and T.")] = None,
    circuit: Annotated[str | None, typer.Option(
        help="Force a circuit (bulk, bulk_no_electrode, bulk_gb, bulk_gb_no_electrode, "
             "series_gb); default: chosen per spectrum by BIC.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto or an instrument format.")] = "auto",
    which: Annotated[str, typer.Option(help="Conductivity for the Arrhenius fit: total or bulk.")]
    = "total",
    convention: Annotated[str, typer.Option(
        "--convention", "--law", help="Arrhenius law: sigmaT (σT = A exp(-Ea/kT), Fig. 10B) or "
                                      "sigma.")] = "sigmaT",
    store: Annotated[str | None, typer.Option(help="Store the series as a measurement set of "
                                              "this material name.")] = None,
    formula: Annotated[str | None, typer.Option(help="Formula of a new --store material.")] = None,
    family: Annotated[str | None, typer.Option(help="Family of a new --store material.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a Nyquist plot (PNG or SVG).")] = None,
    allow_implausible: Annotated[bool, typer.Option(
        "--allow-implausible", help="Store values outside 10-2000 K, sigma <= 10 S/cm, "
                                    "Ea 0-3 eV.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Store unreliable impedance fits (unphysical capacitance, a parameter "
                        "at its bound, σ error > 30 %), marked as such.")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print nitrolyte.eis/1 JSON.")] = False,
) -> None:
    """Fit impedance spectra: chosen circuit, sigma bulk/total, Kramers-Kronig check, Arrhenius."""
    from nitrolyte.checks import check_choice
    from nitrolyte.transport.arrhenius import CONVENTIONS
    from nitrolyte.workflows.eis import eis_series

    check_choice("--convention", convention, CONVENTIONS)
    L, A = geometry_cm(thickness, area, diameter)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--plot must end in .png or .svg, got {plot.name}")
    paths = _paths(files, manifest)
    run = eis_series(paths, _temperatures(paths, T, manifest), thickness_cm=L, area_cm2=A,
                     circuit=circuit, which=which, convention=convention, fmt=fmt)
    res = run.series
    stored = None
    if store is not None:
        from nitrolyte.store import Database

        stored = run.store(Database(db), store, formula=formula, family=family,
                           allow_implausible=allow_implausible, force=force)
    if plot is not None:
        from nitrolyte.plotting.nyquist import plot_nyquist

        fig = plot_nyquist(res.impedance_fits, list(run.spectra))
        fig.savefig(plot, dpi=150, bbox_inches="tight")
    if as_json:
        echo_json({"schema": SCHEMA, "thickness_cm": L, "area_cm2": A,
                   "circuit": circuit or "auto", "which": which, "convention": convention,
                   "impedance_fits": [_fit_row(f) for f in res.impedance_fits],
                   "arrhenius": _arrhenius(res.arrhenius), "warnings": list(res.warnings),
                   "stored": None if stored is None else stored.to_dict(),
                   "plot": None if plot is None else str(plot)})
        return
    _echo_table(res, L, A)
    if stored is not None:
        typer.echo(f"stored as measurement set {stored.set_id} of {store} "
                   f"({stored.n_points} points"
                   + (f", {len(res.unreliable)} unreliable fit(s) marked)" if res.unreliable
                      else ")"))
    if plot is not None:
        typer.echo(f"plot written to {plot}")


def _is_sigma_csv(path: Path) -> bool:
    import csv

    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(line for line in fh if not line.startswith("#")), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    cols = [c.strip() for c in header]
    return ("property" not in cols and any(c in ("T_K", "T_C") for c in cols)
            and any(c.startswith(("sigma_", "R_")) for c in cols))


def import_precheck(file: Path, fmt: str, name: str | None, formula: str | None,
                    family: str | None, allow_implausible: bool, store: Any,
                    as_json: bool, again: bool = False) -> bool:
    """For ``nitrolyte import``: store a sigma(T) CSV (as ``fit`` reads) as a measurement set
    (refused when its content was imported before, unless ``again``). True when the file was
    handled here (long-format rows are the store's to validate, laboratory limits included)."""
    kind = file.suffix.lower().lstrip(".") if fmt == "auto" else fmt
    if kind == "csv" and file.is_file() and _is_sigma_csv(file):
        from nitrolyte.workflows.conductivity import conductivity_file

        if name is None:
            raise InputError(f"{file.name} is a sigma(T) file (as `nitrolyte fit` reads): give the "
                             "material with --name (and --formula / --family for a new one)")
        if not again:
            store.check_new_import(file)
        read = conductivity_file(file, require_fit=False)
        res, fit = read.store(store, name, method="import", formula=formula, family=family,
                              allow_implausible=allow_implausible), read.fit
        store.record_import(file, res.n_points)
        if as_json:
            echo_json({"schema": "nitrolyte.import/1", "database": store.where,
                       "path": str(file), "n_measurements": res.n_points,
                       "n_materials_created": int(res.created_material),
                       "measurement_set": res.to_dict(),
                       "Ea_eV": None if fit is None else fit.Ea_eV})
        else:
            typer.echo(f"imported {res.n_points} point(s) of {name} from {file} as measurement "
                       f"set {res.set_id}" + ("" if fit is None else
                                              f" (Ea = {fit.Ea_eV:.3f} ± {fit.Ea_stderr_eV:.3f} eV)"))
        return True
    if name is not None:
        raise InputError("--name is only for a sigma(T) CSV (columns T_K or T_C and sigma_... or "
                         "R_... with geometry)")
    return False


def compare_set_cmd(store: Any, name: str | None, against: str | None, plot: Path | None,
                    tolerance: float, as_json: bool, as_csv: bool) -> None:
    """``nitrolyte compare NAME``: a stored set against the literature over its range."""
    import sys

    from nitrolyte.transport.measured import compare_set, family_lines

    if name is None:
        raise InputError("--against and --plot need a material NAME with a stored measurement set")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--plot must end in .png or .svg, got {plot.name}")
    res = compare_set(store, name, against=against, tolerance_decades=tolerance)
    if plot is not None:
        from nitrolyte.plotting.measured import plot_set_vs_literature

        plot_set_vs_literature(res, family_lines(store, res)).savefig(plot, dpi=150,
                                                                      bbox_inches="tight")
    if as_json:
        echo_json({"schema": "nitrolyte.compare_set/1", **res.to_dict(),
                   "plot": None if plot is None else str(plot)})
        return
    if as_csv:
        from nitrolyte.store.files import write_frame_csv

        write_frame_csv(res.to_frame(), sys.stdout)
        return
    Ea = ("no Ea (fewer than 3 temperatures)" if res.Ea_eV is None
          else f"Ea = {res.Ea_eV:.3f} ± {res.Ea_stderr_eV:.2g} eV")
    typer.echo(f"{res.name} (set {res.set_id}, {res.method}): {len(res.T_K)} point(s) "
               f"{min(res.T_K):.1f}-{max(res.T_K):.1f} K, {Ea}")
    for m in res.matches:
        dEa = "" if m["dEa_eV"] is None else (f", ΔEa = {m['dEa_eV']:+.3f} ± "
                                              f"{m['dEa_stderr_eV'] or 0:.2g} eV")
        label = m["name"] + (f" ({m['direction']})" if m["direction"] else "")
        typer.echo(f"  vs {label} [ref {m['ref']}]: log10 ratio "
                   f"{min(m['log10_ratio']):+.2f} to {max(m['log10_ratio']):+.2f}{dEa}: "
                   f"{m['verdict']}")
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)
    if plot is not None:
        typer.echo(f"plot written to {plot}")


def register(app: typer.Typer) -> None:
    """Add ``eis`` to the ``nitrolyte`` app."""
    app.command("eis")(eis_cmd)
