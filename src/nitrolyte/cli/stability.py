"""``nitrolyte window | interface | stack | profile``: electrochemical stability from the shell.

Every command takes ``--source NAME|FILE.json`` (a name registered in
:data:`nitrolyte.stability.sources.SOURCES`; default :data:`~nitrolyte.stability.sources.DEFAULT_SOURCE`,
``auto``: the experimental table where it holds a phase, anchored ML energies elsewhere, stated per
phase) and ``--json``. Errors print one line to stderr
and exit 1 (2 for a bad option value, as in docs/cli.md). The JSON schemas are the ``to_dict()`` of the result objects (docs/stability.md).
"""

from __future__ import annotations

import math
from typing import Annotated

import typer

from nitrolyte.cli._common import DbOption, echo_json, handle_errors
from nitrolyte.stability.sources import DEFAULT_SOURCE, SOURCES

SOURCE_HELP = (f"Energy source (default {DEFAULT_SOURCE!r}): 'auto' (experimental table where it has the "
               "phase, anchored ML energies of the structure library elsewhere; stated per phase), "
               "'embedded' (offline experimental table only), 'ml' (offline ML energies, CHGNet by default, of the "
               "validated structure library, anchored to the experimental binaries; 'ml:mp2020' for "
               "MP2020 corrections only), 'mp' (Materials Project, needs mp-api and MP_API_KEY) or a "
               "JSON file of pymatgen entries.")
SourceOption = Annotated[str, typer.Option("--source", metavar="|".join(SOURCES) + "|FILE", help=SOURCE_HELP)]
PotentialOption = Annotated[str | None, typer.Option(
    "--potential", metavar="NAME",
    help="ML potential of the ml/ml:mp2020/auto sources (default: chgnet; also sevennet). Every ML "
         "result is computed with the whole committee; the JSON gives the spread (max - min).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the result's to_dict()).")]


def _v(x: float) -> str:
    return "n/a" if math.isnan(x) else ("no limit" if math.isinf(x) else f"{x:.3f}")


def _basis_lines(basis: dict[str, str]) -> list[str]:
    """One line per phase: where its energy comes from."""
    return [f"  energy of {phase}: {what}" for phase, what in basis.items()]


def _echo_basis(basis: dict[str, str]) -> None:
    for line in _basis_lines(basis):
        typer.echo(line)


@handle_errors
def window(material: Annotated[str, typer.Argument(metavar="FORMULA_OR_NAME")],
           source: SourceOption = DEFAULT_SOURCE, potential: PotentialOption = None,
           json_: JsonOption = False, db: DbOption = None) -> None:
    """Thermodynamic electrochemical window (V vs. Li/Li+) and the published windows."""
    from nitrolyte.cli._results import remembered

    def compute() -> str:
        return _window_text(material, source, potential, json_, db)

    if source not in SOURCES or source == "mp":  # files and the network: computed each time
        text = compute()
    else:  # the same inputs print the same text (cli/_results.py)
        key = [material, source, json_] + ([] if potential is None else [potential])
        text = remembered("window", key, db, compute)
    typer.echo(text, nl=False)


def _kind_text(w: object) -> str:
    """What the printed window is: nothing for a complete phase set, else a bound or neither."""
    kind, lacking = getattr(w, "completeness", "complete"), ", ".join(getattr(w, "lacking", ()))
    if kind == "bound":
        return f"\n    an outer bound: the true window lies inside it (missing phases: {lacking})"
    if kind == "incomplete":
        return f"\n    no bound either way: phases missing from the source ({lacking})"
    return ""


def _window_text(material: str, source: str, potential: str | None, json_: bool,
                 db: str | None) -> str:
    """What ``window`` prints."""
    from nitrolyte._json import json_text
    from nitrolyte.workflows.window import window_report

    report = window_report(material, source, db=db, potential=potential)
    w, reported = report.window, report.reported
    if json_:  # as echo_json prints it
        return json_text(report.to_dict()) + "\n"
    lines = [f"{w.material} ({w.formula}), source {w.source}"]
    if w.computable:
        lines.append(f"  computed window: {_v(w.reduction_V)} - {_v(w.oxidation_V)} V vs. Li/Li+"
                     f"  (phases: {' + '.join(w.equilibrium_phases)}){_kind_text(w)}")
        if w.committee:
            lines.append(f"  spread over the ML models ({', '.join(w.committee)}): reduction "
                         f"{_v(w.reduction_V_spread)} V, oxidation {_v(w.oxidation_V_spread)} V")
        red = " + ".join(w.reduction_products) or (
            "none (stable against Li metal)" if w.li_verdict == "yes" else "none among the phases known")
        lines.append(f"  below reduction limit: {red}"
                     + (f"  [+{w.li_uptake_reduction:g} Li/f.u.]" if w.reduction_products else ""))
        ox = " + ".join(w.oxidation_products) or "none"
        lines.append(f"  above oxidation limit: {ox}  [-{w.li_release_oxidation:g} Li/f.u.]")
        lines.append(f"  stable against Li metal: {w.li_verdict}"
                     + (f" (missing: {', '.join(w.lacking)})" if w.li_verdict == "not decided" else ""))
        lines += _basis_lines(w.energy_basis)
    else:
        lines.append("  computed window: not computable from this source")
    lines.append(f"  full reduction by Li (from composition only): "
                 f"{', '.join(w.full_reduction_products)}")
    for r in reported:
        value = f"{_v(r.reduction_V)} - {_v(r.oxidation_V)} V" if r.has_value else "value not stated"
        lines.append(f"  reported {r.window} ({r.method}, ref {r.ref}): {value}")
    lines += [f"  note: {note}" for note in w.notes]
    return "".join(f"{line}\n" for line in lines)


@handle_errors
def interface(a: Annotated[str, typer.Argument(metavar="A")], b: Annotated[str, typer.Argument(metavar="B")],
              source: SourceOption = DEFAULT_SOURCE, potential: PotentialOption = None,
              json_: JsonOption = False, db: DbOption = None) -> None:
    """Chemical reaction at an A|B interface (pymatgen InterfacialReactivity)."""
    from nitrolyte.stability import interface_reaction

    r = interface_reaction(a, b, source, db=db, potential=potential)
    if json_:
        echo_json(r.to_dict())
        return
    typer.echo(f"{r.a} | {r.b}  (source {r.source})")
    if not r.computable:
        typer.echo("  not computable from this source")
    elif r.reactive:
        typer.echo(f"  reactive: {r.reaction_at_min}  ({r.min_energy_eV_atom:.3f} eV/atom at x_A = {r.x_min:.3f})")
    elif r.missing_phases:
        typer.echo(f"  no reaction among the phases known (missing: {', '.join(r.missing_phases)})")
    else:
        typer.echo("  no reaction: the two phases coexist")
    if r.computable and r.committee:
        typer.echo(f"  spread over the ML models ({', '.join(r.committee)}): "
                   f"{_v(r.min_energy_eV_atom_spread)} eV/atom")
    for k in r.kinks:
        typer.echo(f"  x_A={k.x:.3f}  {k.energy_eV_atom:8.3f} eV/atom  {k.reaction}")
    _echo_basis(r.energy_basis)
    for note in r.notes:
        typer.echo(f"  note: {note}")


@handle_errors
def stack(layers: Annotated[list[str], typer.Argument(metavar="'A | B | C' or A B C")],
          source: SourceOption = DEFAULT_SOURCE, potential: PotentialOption = None,
          cathode_V: Annotated[float | None, typer.Option(
              "--cathode-V", help="Cathode potential in V vs. Li/Li+ (default: the electrode's).")] = None,
          json_: JsonOption = False, db: DbOption = None) -> None:
    """Pairing check of an SSE stack, anode side first: a verdict per interface."""
    from nitrolyte.stability import check_stack, resolve_source

    src = source if potential is None else resolve_source(source, potential, db)
    r = check_stack(layers, src, cathode_potential_V=cathode_V, db=db)
    if json_:
        echo_json(r.to_dict())
        return
    typer.echo(" | ".join(r.layers) + f"  (source {r.source})")
    for w in r.windows:
        typer.echo(f"  window {w.material}: {_v(w.reduction_V)} - {_v(w.oxidation_V)} V  ({w.basis})")
    for i in r.interfaces:
        typer.echo(f"  [{i.status}] {i.left} | {i.right}: {i.verdict}")
        if i.reaction:
            typer.echo(f"      reaction: {i.reaction}  ({1000 * i.reaction_energy_eV_atom:.0f} meV/atom; "
                       f"products {' + '.join(i.products) or 'none'})")
    typer.echo(f"  {r.summary}")


@handle_errors
def profile(material: Annotated[str, typer.Argument(metavar="FORMULA_OR_NAME")],
            source: SourceOption = DEFAULT_SOURCE, potential: PotentialOption = None,
            json_: JsonOption = False, db: DbOption = None) -> None:
    """Equilibrium voltage profile: Li uptake per formula unit vs. potential (Fig. 12C/D)."""
    from nitrolyte.stability import resolve_source, voltage_profile

    src = source if potential is None else resolve_source(source, potential, db)
    frame = voltage_profile(material, src, db=db)
    if json_:
        echo_json(frame.to_dict(orient="records"))
        return
    for _, row in frame.iterrows():
        typer.echo(f"  {_v(row['V_low'])} - {_v(row['V_high'])} V  Li/f.u. {row['li_per_fu']:+g}  {row['phases']}")


@handle_errors
def air(material: Annotated[str, typer.Argument(metavar="FORMULA_OR_NAME")],
        source: SourceOption = DEFAULT_SOURCE, potential: PotentialOption = None,
        json_: JsonOption = False, db: DbOption = None) -> None:
    """Reaction energies with H2O, O2 and CO2 (air and moisture stability)."""
    from nitrolyte.stability.air import air_reactions

    rows = air_reactions(material, source, db=db, potential=potential)
    if json_:
        echo_json([r.to_dict() for r in rows])
        return
    typer.echo(f"{rows[0].material} in air  (source {rows[0].source})")
    for r in rows:
        typer.echo(f"  + {r.gas}: {r.text()}")
        if r.reaction and r.energy_meV_atom < 0 and not math.isnan(r.energy_meV_atom_spread):
            typer.echo(f"      model spread {_v(r.energy_meV_atom_spread / 1000)} eV/atom")
        for note in r.notes:
            typer.echo(f"      note: {note}")


def register(app: typer.Typer) -> None:
    """Add the stability commands to the ``nitrolyte`` app."""
    app.command("air")(air)
    app.command("window")(window)
    app.command("interface")(interface)
    app.command("stack")(stack)
    app.command("profile")(profile)
