"""``nitrolyte cell [sweep | critical]``: pouch-cell energy density from the shell.

``nitrolyte cell`` evaluates one design; ``nitrolyte cell sweep PARAM=START:STOP:N ...`` sweeps
any parameters; ``nitrolyte cell critical --target 350 --solve-for thickness`` solves for the
critical value. Design options may be given before or after the sub-command. Errors print one
line on stderr and exit 1 (2 for a bad option value, docs/cli.md). ``--json`` names every input with its unit.
"""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, echo_json, handle_errors
from nitrolyte.errors import InputError

#: most points per sweep axis and designs per sweep on the command line
MAX_AXIS = 1_000_000
MAX_DESIGNS = 10_000_000
#: CLI spelling -> PouchCell parameter (sweep PARAM names and design options)
PARAMS: dict[str, str] = {
    "areal-capacity": "areal_capacity_mAh_cm2", "catholyte-um": "catholyte_um",
    "nitride-um": "nitride_um", "sse-um": "sse_um", "np": "n_p", "al-um": "al_um",
    "cu-um": "cu_um", "active-fraction": "active_fraction", "li-capacity": "li_capacity_mAh_g",
    "packaging-fraction": "packaging_mass_fraction", "packaging-mg": "packaging_mg_cm2",
    "cathode-porosity": "cathode_porosity", "capacity": "cathode_capacity_mAh_g",
    "voltage": "voltage_V", "nitride-density": "nitride_density_g_cm3",
    "catholyte-density": "catholyte_density_g_cm3",
}

Q = Annotated[float | None, typer.Option("--areal-capacity", help="Cathode areal capacity, mAh/cm2 (default 4).")]
CATH_UM = Annotated[float | None, typer.Option("--catholyte-um", help="Catholyte SSE layer, um (default 20).")]
NIT_UM = Annotated[float | None, typer.Option("--nitride-um", help="Nitride SSE layer, um (default 20).")]
SSE_UM = Annotated[float | None, typer.Option("--sse-um", help="Sets both SSE layers (each), um.")]
NP = Annotated[float | None, typer.Option("--np", help="N/P ratio (Li at --li-capacity) (default 1).")]
AL = Annotated[float | None, typer.Option("--al-um", help="Al foil, um (default 10; light: 8).")]
CU = Annotated[float | None, typer.Option("--cu-um", help="Cu foil, um (default 10; light: 4).")]
CATHOLYTE = Annotated[str | None, typer.Option("--catholyte", help="Cathode-side SSE (default Li3InCl6).")]
NITRIDE = Annotated[str | None, typer.Option("--nitride", help="Nitride SSE (default β-Li3N).")]
NIT_RHO = Annotated[float | None, typer.Option(
    "--nitride-density", help="Nitride SSE density, g/cm3 (default: the components table, else the "
    "density of its structure in the library).")]
CATH_RHO = Annotated[float | None, typer.Option(
    "--catholyte-density", help="Catholyte SSE density, g/cm3 (default as --nitride-density).")]
CATHODE = Annotated[str | None, typer.Option("--cathode", help="Cathode active material (default NMC811).")]
SIDES = Annotated[str | None, typer.Option("--sides", help="single | double (default single).")]
ANODE = Annotated[str | None, typer.Option("--anode", help="lithium | anode-free (default lithium).")]
LI_CAP = Annotated[float | None, typer.Option("--li-capacity", help="Li capacity, mAh/g (default 3500).")]
PACK = Annotated[float | None, typer.Option("--packaging-fraction",
                                            help="Packaging + tabs, fraction of cell mass (default 0).")]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON (inputs with units).")]


def _design(ctx: typer.Context | None, **options: Any) -> dict[str, Any]:
    """Merge the group's design options (``ctx.obj``) with a command's own."""
    names = {"areal_capacity": "areal_capacity_mAh_cm2", "li_capacity": "li_capacity_mAh_g",
             "packaging_fraction": "packaging_mass_fraction", "np": "n_p"}
    design = dict(ctx.obj or {}) if ctx is not None else {}
    if isinstance(options.get("sse_um"), float):
        from nitrolyte.cell.limits import check_design

        check_design("sse_um", options["sse_um"])
    for key, value in options.items():
        if value is not None:
            design[names.get(key, key)] = value
    if "sse_um" in design and ({"catholyte_um", "nitride_um"} & set(design)):
        raise InputError("--sse-um sets both SSE layers; do not combine it with "
                         "--catholyte-um or --nitride-um")
    return design


def _um(value: float) -> str:
    return f"{value:8.2f}" if math.isfinite(value) else f"{'n/a':>8}"


def _print_cell(result: Any, check: Any) -> None:
    p = result.inputs
    typer.echo(f"{p['cathode']} {p['areal_capacity_mAh_cm2']:g} mAh/cm2 | {p['catholyte']} "
               f"{p['catholyte_um']:g} um | {p['nitride']} {p['nitride_um']:g} um | "
               f"Li N/P {p['n_p']:g} | Al {p['al_um']:g} um, Cu {p['cu_um']:g} um, "
               f"{p['sides']}-sided")
    typer.echo(f"gravimetric  {result.gravimetric_Wh_kg:8.1f} Wh/kg")
    if result.volumetric_Wh_L == result.volumetric_Wh_L:
        typer.echo(f"volumetric   {result.volumetric_Wh_L:8.1f} Wh/L")
    else:
        typer.echo(f"volumetric        n/a ({result.volumetric_reason})")
    typer.echo(f"areal energy {result.energy_mWh_cm2:8.2f} mWh/cm2")
    typer.echo(f"{'layer':<10} {'mg/cm2':>8} {'mass %':>7} {'um':>8}")
    for row in result.to_frame().itertuples():
        typer.echo(f"{row.layer:<10} {row.mass_mg_cm2:8.3f} {100 * row.mass_fraction:7.1f} "
                   f"{_um(row.thickness_um)}")
    typer.echo(f"{'total':<10} {result.mass_mg_cm2:8.3f} {100.0:7.1f} {_um(result.thickness_um)}")
    for note in result.notes:
        typer.echo(f"note: {note}")
    if check is not None:
        _print_check(check)


def _mv(volts: float) -> str:
    return "unknown" if volts != volts else f"{1000 * volts:.1f}"


def _print_check(check: Any) -> None:
    head = f"{check.c_rate:g}C at {check.T_K:g} K: {check.current_density_mA_cm2:.1f} mA/cm2"
    typer.echo(f"{head}, nitride σ from {check.nitride} ({check.nitride_sigma_source})")
    if check.verdict == "unknown":
        typer.echo(f"{head}: UNKNOWN at {check.T_K - 273.15:g} °C: {check.reason}")
        return
    verdict = "passes" if check.passes else "FAILS"
    typer.echo(f"{head}, SSE ohmic drop {_mv(check.total_drop_V)} mV (catholyte "
               f"{_mv(check.catholyte_drop_V)}, nitride {_mv(check.nitride_drop_V)})"
               f" -> {verdict} the {1000 * check.max_drop_V:g} mV limit")


cell_app = typer.Typer(name="cell", help="All-solid-state Li-metal pouch-cell energy density "
                       "(review Fig. 17, section 5).", add_completion=False)


@cell_app.callback(invoke_without_command=True)
@handle_errors
def cell(ctx: typer.Context, areal_capacity: Q = None, catholyte_um: CATH_UM = None,
         nitride_um: NIT_UM = None, sse_um: SSE_UM = None, np_: NP = None, al_um: AL = None,
         cu_um: CU = None, catholyte: CATHOLYTE = None, nitride: NITRIDE = None,
         cathode: CATHODE = None, sides: SIDES = None, anode: ANODE = None,
         li_capacity: LI_CAP = None, packaging_fraction: PACK = None,
         nitride_density: NIT_RHO = None, catholyte_density: CATH_RHO = None,
         c_rate: Annotated[float | None, typer.Option(
             "--c-rate", help="Also check the SSE ohmic drop at this C-rate (e.g. 4).")] = None,
         temperature: Annotated[str, typer.Option(
             "--T", help="Temperature for --c-rate: 298.15K or 25C (with its unit).")]
         = "298.15K",
         nitride_sigma: Annotated[str | None, typer.Option(
             "--nitride-sigma", help="Nitride conductivity for --c-rate: 1e-3, 1mS/cm, "
             "0.1 S m-1 (a bare number is S/cm).")] = None,
         nitride_material: Annotated[str | None, typer.Option(
             "--nitride-material", help="Database material whose σ(T) the nitride layer has "
             "for --c-rate (default: vacancy-rich β-Li3N, the review's cells).")] = None,
         catholyte_sigma: Annotated[str | None, typer.Option(
             "--catholyte-sigma", help="Catholyte conductivity for --c-rate (like "
             "--nitride-sigma).")] = None,
         max_drop: Annotated[float, typer.Option("--max-drop", help="Allowed SSE drop, V.")]
         = 0.1,
         as_json: JSON = False, db: DbOption = None) -> None:
    """Energy density (Wh/kg, Wh/L) and layer breakdown of one pouch-cell design."""
    ctx.obj = _design(None, areal_capacity=areal_capacity, catholyte_um=catholyte_um,
                      nitride_um=nitride_um, sse_um=sse_um, np=np_, al_um=al_um, cu_um=cu_um,
                      catholyte=catholyte, nitride=nitride, cathode=cathode, sides=sides,
                      anode=anode, li_capacity=li_capacity,
                      packaging_fraction=packaging_fraction,
                      nitride_density_g_cm3=nitride_density, catholyte_density_g_cm3=catholyte_density)
    if ctx.invoked_subcommand is not None:
        return
    from nitrolyte.units import parse_quantity
    from nitrolyte.workflows.cell import cell_design

    checked: dict[str, Any] = {}
    if c_rate is not None:
        sig = {opt: None if text is None else parse_quantity(text, "conductivity", opt)
               for opt, text in (("--nitride-sigma", nitride_sigma),
                                 ("--catholyte-sigma", catholyte_sigma))}
        checked = {"c_rate": c_rate, "T_K": parse_quantity(temperature, "temperature", "--T"),
                   "max_drop_V": max_drop, "nitride_sigma_S_cm": sig["--nitride-sigma"],
                   "nitride_material": nitride_material,
                   "catholyte_sigma_S_cm": sig["--catholyte-sigma"]}
    result = cell_design(ctx.obj, db=db, **checked)
    if as_json:
        echo_json(result.to_dict())
    else:
        _print_cell(result.cell, result.fast_charge)


def parse_axis(text: str) -> tuple[str, Any]:
    """``"np=1:10:10"`` -> (``"n_p"``, linspace); ``"sse-um=10,20"`` -> list; ``"np=2"`` -> 2."""
    import numpy as np

    if "=" not in text:
        raise InputError(f"sweep: expected PARAM=START:STOP:N, got {text!r}")
    key, _, spec = text.partition("=")
    key = key.strip()
    name = PARAMS.get(key, key if key in PARAMS.values() else None)
    if name is None:
        raise InputError(f"sweep: unknown parameter {key!r}; allowed: {', '.join(PARAMS)}")
    try:
        if ":" in spec:
            start, stop, n = spec.split(":")
            if not 1 <= int(n) <= MAX_AXIS:
                raise ValueError
            with np.errstate(all="ignore"):
                values = np.linspace(float(start), float(stop), int(n))
        elif "," in spec:
            values = np.array([float(v) for v in spec.split(",")])
        else:
            values = np.array(float(spec))
    except (ValueError, OverflowError):
        raise InputError(f"sweep: cannot read {text!r}; write PARAM=START:STOP:N (N >= 1 integer, "
                         f"at most {MAX_AXIS}), PARAM=V1,V2,... or PARAM=VALUE") from None
    if not np.isfinite(values).all():
        raise InputError(f"sweep: {key} values must be finite numbers, got {spec!r}")
    return name, float(values) if values.ndim == 0 else (
        values if ":" in spec else values.tolist())


@cell_app.command("sweep")
@handle_errors
def sweep_cmd(ctx: typer.Context,
              axes: Annotated[list[str], typer.Argument(
                  help="PARAM=START:STOP:N, PARAM=V1,V2 or PARAM=VALUE; PARAM is one of "
                  + ", ".join(PARAMS))],
              csv: Annotated[bool, typer.Option("--csv", help="Print every design as CSV.")]
              = False,
              plot: Annotated[str | None, typer.Option("--plot", metavar="OUT.png",
                                                       help="Save a plot of the sweep.")] = None,
              as_json: JSON = False) -> None:
    """Evaluate every combination of the swept parameters (outer product)."""
    from nitrolyte.cell.sweep import sweep

    parsed = dict(parse_axis(a) for a in axes)
    n_designs = math.prod(len(v) for v in parsed.values() if not isinstance(v, float))
    if n_designs > MAX_DESIGNS:
        raise InputError(f"sweep: {n_designs:,} designs is more than the command line evaluates "
                         f"({MAX_DESIGNS:,}); use nitrolyte.cell.sweep from Python for more")
    design = _design(ctx, **parsed)
    if "sse_um" in parsed:
        design.pop("catholyte_um", None)
        design.pop("nitride_um", None)
    frame = sweep(**design)
    swept = [k for k, v in parsed.items() if not isinstance(v, float)]
    if plot:
        _plot(frame, swept, plot)
    if csv:
        from nitrolyte.store.files import write_frame_csv

        write_frame_csv(frame, sys.stdout)
    elif as_json:
        echo_json({"axes": swept, "designs": frame.to_dict(orient="records")})
    else:
        best = frame.loc[frame["gravimetric_Wh_kg"].idxmax()]
        typer.echo(f"{len(frame)} designs; gravimetric {frame['gravimetric_Wh_kg'].min():.1f}"
                   f" to {frame['gravimetric_Wh_kg'].max():.1f} Wh/kg; best at "
                   + ", ".join(f"{k}={best[k]:g}" for k in swept))
        if len(frame) <= 40:
            typer.echo(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}", na_rep="n/a"))
        else:
            typer.echo("(use --csv for every design)")
        if plot:
            typer.echo(f"plot written to {plot}")


def _plot(frame: Any, swept: list[str], out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from nitrolyte.plotting.cell import plot_sweep

    if not swept:
        raise InputError("sweep --plot needs at least one swept parameter (START:STOP:N)")
    hue = swept[1] if len(swept) > 1 else None
    if len(swept) > 2:
        first = {k: frame[k].iloc[0] for k in swept[2:]}
        for k, v in first.items():
            frame = frame[frame[k] == v]
    fig = plot_sweep(frame, swept[0], hue)
    fig.savefig(out, dpi=150, bbox_inches="tight")


@cell_app.command("critical")
@handle_errors
def critical_cmd(ctx: typer.Context,
                 target: Annotated[list[float], typer.Option(
                     "--target", help="Target energy density (repeatable) (default 350).")] = [350.0],  # noqa: B006
                 solve_for: Annotated[str, typer.Option(
                     "--solve-for", help="thickness | areal-capacity | np | cu-um | al-um | "
                     "catholyte-um | nitride-um")] = "thickness",
                 basis: Annotated[str, typer.Option(
                     "--basis", help="gravimetric (Wh/kg) | volumetric (Wh/L)")] = "gravimetric",
                 areal_capacity: Q = None, catholyte_um: CATH_UM = None,
                 nitride_um: NIT_UM = None, sse_um: SSE_UM = None, np_: NP = None,
                 al_um: AL = None, cu_um: CU = None, catholyte: CATHOLYTE = None,
                 nitride: NITRIDE = None, as_json: JSON = False) -> None:
    """The value of one parameter at which the design just reaches the target."""
    from nitrolyte.cell.critical import canonical_solve_for, critical_value

    name = canonical_solve_for(solve_for)
    design = _design(ctx, areal_capacity=areal_capacity, catholyte_um=catholyte_um,
                     nitride_um=nitride_um, sse_um=sse_um, np=np_, al_um=al_um, cu_um=cu_um,
                     catholyte=catholyte, nitride=nitride)
    unknown = ("sse_um", "catholyte_um", "nitride_um") if name == "sse_um" else (name,)
    design = {k: v for k, v in design.items() if k not in unknown}
    results = [critical_value(t, name, basis, **design) for t in target]  # type: ignore[arg-type]
    if as_json:
        docs = [r.to_dict() for r in results]
        echo_json(docs[0] if len(docs) == 1 else docs)
        return
    what = {"sse_um": "SSE thickness (each layer)", "n_p": "N/P ratio",
            "areal_capacity_mAh_cm2": "areal capacity"}.get(name, name)
    for r in results:
        unit = "Wh/kg" if basis == "gravimetric" else "Wh/L"
        if r.reachable:
            shown = "" if r.unit == "1" else f" {r.unit}"
            typer.echo(f"critical {what} for {r.target:g} {unit}: {r.value:.4g}{shown} "
                       f"({r.bound})")
        else:
            typer.echo(f"critical {what} for {r.target:g} {unit}: not reachable; this design "
                       f"reaches at most {r.limit:.1f} {unit} by varying {name}")


def register(app: typer.Typer) -> None:
    """Add ``nitrolyte cell`` (and its sub-commands) to the main app."""
    app.add_typer(cell_app, name="cell")
