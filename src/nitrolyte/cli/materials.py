"""``nitrolyte list | show | add | import | export``: the materials database from the shell.

Every command takes ``--db PATH`` (default: ``NITROLYTE_DATABASE_URL``, else the per-user data
directory). Errors print one line to stderr and exit 1 (2 for a bad option value); ``--json``
output follows the schemas documented in ``docs/cli.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors
from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike


def _sigma_text(value: Any, qualifier: Any) -> str:
    from nitrolyte.api import _nan

    value = _nan(value)
    return "" if value is None else f"{_nan(qualifier) or ''}{value:.3g}"


def _unknown_rows(db: DatabaseLike | None, filters: dict[str, Any], shown: set[str]) -> list[dict[str, Any]]:
    """``list`` rows of materials whose only stored answer is a simulation with no σ (not
    diffusive): σ reads ``unknown (MD)``; none when a σ or Ea minimum/maximum is asked for."""
    from nitrolyte.provenance import unknown_only_materials

    if filters["min_sigma_S_cm"] is not None or filters["max_Ea_eV"] is not None \
            or filters["source"] == "literature":
        return []
    found = unknown_only_materials(db, shown)
    if not found:
        return []
    import pandas as pd

    from nitrolyte.api import filter_frame

    frame = pd.DataFrame([{"material_id": m["material_id"], "name": m["name"],
                           "family": m["family"], "formula": m["formula"], "sigma_S_cm": None,
                           "sigma_qualifier": "", "T_K": None, "Ea_eV": None, "direction": "",
                           "ref": None, "source": "user", "unknown": True} for m in found])
    picked = filter_frame(frame, **{k: v for k, v in filters.items()
                                    if k in ("family", "element", "name_contains")})
    return picked.to_dict("records")


def _print_table(rows: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> None:
    """The ``list`` table of wide rows (frame records or :func:`nitrolyte.store.quick.wide`)."""
    from nitrolyte.api import _nan
    from nitrolyte.cli._table import print_table

    columns = [("name", {"overflow": "fold"}), ("family", {}), ("σ (S/cm)", {"justify": "right"}),
               ("T (K)", {"justify": "right"}), ("Ea (eV)", {"justify": "right"}),
               ("dir", {}), ("ref", {}), ("source", {})]
    cells = []
    for r in rows:
        t, ea = _nan(r["T_K"]), _nan(r["Ea_eV"])
        sigma = ("unknown (MD)" if r.get("unknown") else
                 _sigma_text(r["sigma_S_cm"], r["sigma_qualifier"]))
        cells.append([r["name"], r["family"] or "", sigma,
                      "" if t is None else f"{t:g}", "" if ea is None else f"{ea:g}",
                      r["direction"] or "", "" if _nan(r["ref"]) is None else str(r["ref"]),
                      r["source"]])
    print_table(f"{len(rows)} material row(s)", columns, cells, min_width=120)


def list_cmd(
    family: Annotated[str | None, typer.Option("--family", help="Family, e.g. 'nitride halide'.")] = None,
    element: Annotated[str | None, typer.Option("--element", help="Element symbol, e.g. Cl.")] = None,
    min_sigma: Annotated[float | None, typer.Option("--min-sigma", help="Minimum RT conductivity, S/cm.")] = None,
    max_ea: Annotated[float | None, typer.Option("--max-ea", help="Maximum activation energy, eV.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name contains (any case, α or alpha).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="literature or user.")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    db: DbOption = None,
) -> None:
    """List materials (one row per material and direction), optionally filtered."""
    from nitrolyte.api import materials

    if as_json and as_csv:
        raise InputError("--json and --csv cannot be used together")
    filters = {"family": family, "element": element, "min_sigma_S_cm": min_sigma,
               "max_Ea_eV": max_ea, "name_contains": name, "source": source}
    if not (as_json or as_csv or any(v is not None for v in filters.values())):
        from nitrolyte.store import quick  # the whole table: read-only sqlite3, no pandas

        rows = quick.wide(db)
        if rows is not None:
            _print_table([*rows, *_unknown_rows(db, filters, {r["material_id"] for r in rows})])
            return
    frame = materials(**filters, db=db)  # type: ignore[arg-type]
    if as_json:
        echo_json({"schema": "nitrolyte.materials/1", "filters": filters, "count": len(frame),
                   "materials": frame.to_dict("records")})
    elif as_csv:
        from nitrolyte.store.files import write_frame_csv

        write_frame_csv(frame, sys.stdout)
    else:
        records = frame.to_dict("records")
        _print_table([*records, *_unknown_rows(db, filters,
                                               {r["material_id"] for r in records})])


def _property_lines(rec: Any) -> list[str]:
    """One summary line per registered property with a value (e.g. electronic conductivity)."""
    from nitrolyte.api import _nan
    from nitrolyte.properties import PROPERTIES

    lines = []
    for spec in PROPERTIES.values():
        for col in spec.wide[:1]:
            for row in rec.summary[:1] if not col.per_direction else rec.summary:
                value = _nan(row.get(col.column))
                if value is None:
                    continue
                q = (row.get(col.qualifier_column) or "") if col.qualifier_column else ""
                where = f" ({row['direction']})" if col.per_direction and row.get("direction") else ""
                lines.append(f"{spec.label + where:<32} {q}{value:.3g} {spec.canonical_unit}")
    return lines


def show_cmd(name: Annotated[str, typer.Argument(help="Material name, alias or id.")],
             as_json: JsonOption = False, db: DbOption = None) -> None:
    """Show everything stored about one material."""
    from rich.console import Console
    from rich.table import Table

    from nitrolyte.api import get
    from nitrolyte.provenance import (
        is_simulation,
        method_label,
        simulation_labels,
        unknown_sets,
    )

    rec = get(name, db=db)
    unknown = unknown_sets(db, rec.material_id) if rec.source == "user" else []
    if as_json:
        from nitrolyte.transport.display import record_rows

        echo_json({"schema": "nitrolyte.material/1",
                   "material": {**rec.to_dict(), "measurements": record_rows(rec, db)},
                   "unknown_simulations": [{k: u[k] for k in ("set_id", "label", "text")}
                                           for u in unknown]})
        return
    console = Console(width=max(120, Console().width))
    console.print(f"[bold]{rec.name}[/bold]  ({rec.material_id}, {rec.source})")
    for label, value in (("formula", rec.formula), ("family", rec.family),
                         ("structure", " ".join(filter(None, (rec.crystal_system, rec.space_group)))),
                         ("synthesis", rec.synthesis), ("ref", rec.ref), ("doi", rec.doi),
                         ("citation", rec.citation), ("note", rec.note)):
        if value:
            console.print(f"  {label:<10} {value}", highlight=False, soft_wrap=True)
    for line in _property_lines(rec):
        console.print(f"  {line}", highlight=False, soft_wrap=True)
    from nitrolyte.transport.display import record_rows

    cols = ("property", "kind / law", "value", "unit", "T", "dir", "phase", "a", "method", "ref",
            "source")
    sim = (simulation_labels(db).get(rec.material_id)
           if any(is_simulation(m.method) for m in rec.measurements) else None)
    rows = []
    for m in record_rows(rec, db):
        temp = "" if m["temperature"] is None else f"{m['temperature']:g} {m['temperature_unit']}"
        kind = " ".join(filter(None, (m["kind"], m["law_label"],
                                      "UNRELIABLE fit" if m["unreliable"] else "")))
        rows.append([m["property"], kind, m["text"], m["unit"], temp, m["direction"], m["phase"],
                     "a" if m["derived_from_arrhenius"] else "", method_label(m["method"], sim),
                     m["ref"], m["source"]])
    table = Table(title="measurements")
    for col in cols:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*r)
    natural = sum(max([len(c), *(len(str(r[i])) for r in rows)]) + 3
                  for i, c in enumerate(cols)) + 1
    if rec.measurements or not unknown:  # an unknown-only MD material: no empty table
        Console(width=max(natural, console.width)).print(table)  # no cell is folded
    for u in unknown:  # simulated temperatures without σ: said, never a number
        console.print(f"  set {u['set_id']}, {u['label']}: {u['text']}", highlight=False,
                      soft_wrap=True)


def add_cmd(
    name: Annotated[str, typer.Option("--name", help="Material name (new names create a material).")],
    value: Annotated[float, typer.Option("--value", help="The value, in --unit.")],
    unit: Annotated[str, typer.Option("--unit", help="Unit of --value, e.g. S/cm, mS/cm, eV.")],
    T: Annotated[str, typer.Option("--T", help="Temperature with its unit: 300K or 25C (a bare "
                                   "number is refused).")],
    property: Annotated[str, typer.Option("--property", help="ionic_conductivity, activation_energy, ...")] = "ionic_conductivity",
    qualifier: Annotated[str, typer.Option("--qualifier", help="'', '<', '>', '~' or '='.")] = "",
    direction: Annotated[str, typer.Option("--direction", help="perp_c or par_c (single crystals).")] = "",
    phase: Annotated[str, typer.Option("--phase", help="LT or HT.")] = "",
    method: Annotated[str, typer.Option("--method", help="How it was measured, e.g. EIS.")] = "",
    from_arrhenius: Annotated[bool, typer.Option("--from-arrhenius", help="Value read off an Arrhenius fit.")] = False,
    ref: Annotated[str, typer.Option("--ref", help="Review reference number, DOI or citation.")] = "",
    note: Annotated[str, typer.Option("--note", help="Free text.")] = "",
    formula: Annotated[str, typer.Option("--formula", help="Formula of a new material, e.g. Li3N.")] = "",
    family: Annotated[str, typer.Option("--family", help="Family of a new material.")] = "",
    space_group: Annotated[str, typer.Option("--space-group", help="Space group of a new material.")] = "",
    allow_implausible: Annotated[bool, typer.Option(
        "--allow-implausible", help="Accept sigma > 10 S/cm, T outside 10-2000 K, "
                                    "Ea outside 0-3 eV.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add one of your own measurements (creating the material if its name is new)."""
    from nitrolyte.api import database
    from nitrolyte.units import split_temperature

    temperature, t_unit = split_temperature(T, "--T")
    store = database(db)
    res = store.add_measurement(
        material=name, property=property, value=value, unit=unit, temperature=temperature,
        temperature_unit=t_unit, qualifier=qualifier, direction=direction, phase=phase,
        method=method, derived_from_arrhenius=from_arrhenius, ref=ref, note=note, formula=formula,
        family=family, space_group=space_group, allow_implausible=allow_implausible)
    if as_json:
        echo_json({"schema": "nitrolyte.added/1", "database": store.where, **res.to_dict()})
        return
    new = f" (new user material {res.material_id})" if res.material_created else ""
    typer.echo(f"added {property} = {qualifier}{value:g} {unit} at {temperature:g} {t_unit} to "
               f"{res.name!r}{new} in {store.where}")


def import_cmd(file: Annotated[Path, typer.Argument(help="CSV or JSON file (docs/cli.md), or a "
                                                 "sigma(T) CSV as `nitrolyte fit` reads.")],
               format: Annotated[str, typer.Option("--format", help="auto, csv, json or obelix.")] = "auto",
               name: Annotated[str | None, typer.Option("--name", help="Material of a sigma(T) CSV "
                                                        "(stored as one measurement set).")] = None,
               formula: Annotated[str | None, typer.Option(help="Formula of a new --name.")] = None,
               family: Annotated[str | None, typer.Option(help="Family of a new --name.")] = None,
               allow_implausible: Annotated[bool, typer.Option(
                   "--allow-implausible", help="Accept sigma > 10 S/cm, T outside 10-2000 K, "
                                               "Ea outside 0-3 eV.")] = False,
               again: Annotated[bool, typer.Option(
                   "--again", help="Import a file whose content was imported before (its rows "
                                   "are stored a second time).")] = False,
               as_json: JsonOption = False, db: DbOption = None) -> None:
    """Import your measurements from a CSV/JSON file: all rows or none; a file already
    imported (same content) is refused unless --again."""
    from nitrolyte.api import database
    from nitrolyte.cli.eis import import_precheck

    store = database(db)
    if import_precheck(file, format, name, formula, family, allow_implausible, store, as_json,
                       again=again):
        return
    res = store.import_file(file, format=format, again=again,  # type: ignore[arg-type]
                            allow_implausible=allow_implausible)
    if as_json:
        echo_json({"schema": "nitrolyte.import/1", "database": store.where, **res.to_dict()})
        return
    typer.echo(f"imported {res.n_measurements} measurement(s), {res.n_materials_created} new "
               f"material(s), from {file} into {store.where}")


def export_cmd(file: Annotated[Path, typer.Argument(help="Output .csv or .json file.")],
               source: Annotated[str | None, typer.Option("--source", help="user or literature (default both).")] = None,
               format: Annotated[str, typer.Option("--format", help="auto, csv or json.")] = "auto",
               db: DbOption = None) -> None:
    """Export measurements (with material and reference) to CSV or JSON, losslessly."""
    from nitrolyte.api import database

    res = database(db).export(file, source=source, format=format)  # type: ignore[arg-type]
    typer.echo(f"exported {res.n_measurements} measurement(s) to {file}")


def compare_cmd(
    name: Annotated[str | None, typer.Argument(help="A material with a stored measurement set: "
                                               "compare it over its measured range.")] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Agreement band, decades of S/cm.")] = 0.5,
    against: Annotated[str | None, typer.Option("--against", help="With NAME: the review "
                                                "material to compare with.")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="With NAME: measured points over "
                                              "the family's Arrhenius lines (PNG/SVG).")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    db: DbOption = None,
) -> None:
    """Compare your (user) conductivities with the review's values, matched by formula."""
    from nitrolyte.api import database
    from nitrolyte.crosscheck import compare_conductivities

    store = database(db)
    if name is not None or against is not None or plot is not None:
        from nitrolyte.cli.eis import compare_set_cmd

        compare_set_cmd(store, name, against, plot, tolerance, as_json, as_csv)
        return
    out = compare_conductivities(store.materials_frame(source="user"),
                                 store.materials_frame(source="literature"),
                                 tolerance_decades=tolerance)
    if as_json:
        echo_json({"schema": "nitrolyte.compare/1", "tolerance_decades": tolerance,
                   "count": len(out), "matches": out.to_dict("records")})
    elif as_csv:
        from nitrolyte.store.files import write_frame_csv

        write_frame_csv(out, sys.stdout)
    else:
        typer.echo(f"{len(out)} user row(s) match a review formula "
                   f"({(out['verdict'] == 'disagrees').sum()} disagree by > {tolerance:g} decade)")
        for r in out.to_dict("records"):
            typer.echo(f"  {r['formula']:<14} {r['other_qualifier']}{r['other_sigma_S_cm']:.2e} vs "
                       f"{r['sigma_S_cm']:.2e} ({r['name']}, ref {r['ref']}): "
                       f"{r['log10_ratio']:+.2f} decades, {r['verdict']}")


def register(app: typer.Typer) -> None:
    """Add the materials commands to the ``nitrolyte`` app."""
    app.command("list")(handle_errors(list_cmd))
    app.command("show")(handle_errors(show_cmd))
    app.command("add")(handle_errors(add_cmd))
    app.command("import")(handle_errors(import_cmd))
    app.command("export")(handle_errors(export_cmd))
    app.command("compare")(handle_errors(compare_cmd))
