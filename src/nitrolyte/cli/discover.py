"""``nitrolyte discover``: a discovery campaign over chemical spaces (see docs/discover.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, echo_rows, handle_errors


@handle_errors
def discover_cmd(
    space: Annotated[list[str] | None, typer.Option(
        "--space", metavar="Li-N-X", help="Chemical space (repeatable): Li, N and at least one more element.")] = None,
    dopants: Annotated[str, typer.Option(
        "--dopants", metavar="Mg,Al", help="Cations of charge >= 2 that may replace Li (comma list).")] = "",
    max_atoms: Annotated[int, typer.Option("--max-atoms", help="Largest formula unit and ordered cell (atoms).")] = 24,
    hull: Annotated[float, typer.Option("--hull", metavar="meV/atom",
                                        help="Keep candidates within this energy above the hull.")] = 25.0,
    budget: Annotated[float | None, typer.Option(
        "--budget", metavar="MIN", help="Stop submitting work after MIN minutes (a rerun continues).")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes for the expensive stages.")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="ADDRESS", help="A Dask scheduler (tcp://host:8786) instead of local processes.")] = None,
    partner: Annotated[str | None, typer.Option(
        "--partner", metavar="FORMULA", help="Cathode or catholyte of the interface check (e.g. LiCoO2).")] = None,
    neb_top: Annotated[int, typer.Option(
        "--neb-top", metavar="K", help="NEB barriers for the K survivors with the lowest BVSE barrier.")] = 0,
    neb_potential: Annotated[str | None, typer.Option(
        "--neb-potential", help="One potential for the NEB (default: the committee).")] = None,
    hide: Annotated[list[str] | None, typer.Option(
        "--hide", metavar="FORMULA", help="Leave a known phase out of every hull (repeatable; back-test).")] = None,
    backtest: Annotated[bool, typer.Option(
        "--backtest", help="Hide each known phase of the back-test from its space and report recall.")] = False,
    committee: Annotated[bool, typer.Option(
        "--committee/--no-committee", help="Judge survivors with every committee model (spread).")] = True,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the ordering sample.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Campaign folder (default: the cache).")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", metavar="FILE", help="Write the candidates as CSV.")] = None,
    store: Annotated[bool, typer.Option(
        "--store/--no-store", help="Keep the campaign in the database (web page, report) and each "
        "candidate as a predicted structure '<formula> (discover)'.")] = True,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bars on stderr.")] = True,
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Propose nitride electrolytes in chemical spaces and rank them with evidence (predicted)."""
    from nitrolyte.discover.space import parse_space
    from nitrolyte.discover.stages import Settings
    from nitrolyte.structures.predict.outcome import reduced

    dops = tuple(d for d in dopants.split(",") if d.strip())
    hidden = tuple(reduced(h) for h in (hide or []))
    from nitrolyte.checks import check_range

    check_range("--neb-top", neb_top, lo=0, hi=1000)
    settings = Settings(max_atoms=max_atoms, hull_meV_atom=hull, seed=seed, committee=committee,
                        hide=hidden, partner=partner, neb_top=neb_top, neb_potential=neb_potential)
    options: dict[str, Any] = {"workers": workers, "scheduler": scheduler, "budget_min": budget,
                               "progress": progress}
    if backtest:
        from nitrolyte.discover.backtest import CASES
        from nitrolyte.discover.backtest import backtest as run_backtest

        cases = {k: v for k, v in CASES.items() if not hidden or reduced(k) in hidden}
        doc = run_backtest(cases, Settings(max_atoms=max_atoms, hull_meV_atom=hull, seed=seed,
                                           committee=committee, partner=partner),
                           out=None if out is None else str(out), **options)
        if json_:
            echo_json(doc)
        else:
            _backtest_text(doc)
        return
    from nitrolyte.discover.run import run_discovery

    if not space:
        raise typer.BadParameter("give at least one --space (e.g. --space Li-N-Br)", param_hint="--space")
    spaces = [parse_space(s, dops) for s in space]
    result = run_discovery(spaces, settings, out=out, **options)
    if store:
        from nitrolyte.discover.saved import save

        _store(result.survivors, db)
        save(result, db)
    if csv is not None:
        _write_csv(csv, result.survivors)
    if json_:
        echo_json(result.to_dict())
        return
    _text(result)


def _store(rows: list[dict[str, Any]], db: str | None) -> None:
    """Each surviving formula's lowest candidate as a predicted structure ``<formula> (discover)``."""
    import warnings

    from pymatgen.core import Structure

    from nitrolyte.store import Database
    from nitrolyte.structures.library import add_predicted_structure

    database = Database(db) if db else None
    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["formula"] not in best or r["energy_eV_atom"] < best[r["formula"]]["energy_eV_atom"]:
            best[r["formula"]] = r
    for formula, r in best.items():
        label = {"method": f"discover {r['generator']}", "model": r["model"], "trials": r["trials"],
                 "date": r.get("date", "")}
        with warnings.catch_warnings():  # CIF round-off of the written coordinates
            warnings.simplefilter("ignore")
            struct = Structure.from_file(r["cif_path"])
        entry = add_predicted_structure(f"{formula} (discover)", struct, label, db=database)
        r["stored_as"] = entry.name


COLUMNS = ("rank", "formula", "generator", "space_group", "n_atoms", "e_above_hull_meV_atom", "spread_meV_atom",
           "e_above_joint_hull_meV_atom",
           "reduction_V", "oxidation_V", "li_verdict", "air_reaction_meV_atom", "Ea_eV", "dimensionality",
           "on_front", "known_structures", "cif_path")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    from nitrolyte._atomic import write_with
    from nitrolyte.store.files import write_csv

    write_with(path, "candidates CSV",
               lambda fh: write_csv(fh, [*COLUMNS, "verdicts"],
                                    [[_cell(r.get(c)) for c in COLUMNS] + [_cell(r.get("verdicts"))] for r in rows]))


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dict):
        return "; ".join(f"{k}={x}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return "; ".join(map(str, v))
    return str(v)


def _f(v: Any, fmt: str) -> str:
    return "unknown" if v is None else format(v, fmt)


def _text(result: Any) -> None:
    m = result.manifest
    rows = [[str(r["rank"]), r["formula"] + (" *" if r.get("known_structures") else ""), r["generator"],
             f"{r.get('space_group', '')}", _f(r.get("e_above_hull_meV_atom"), ".1f")
             + ("" if r.get("spread_meV_atom") is None else f" ±{r['spread_meV_atom']:.0f}"),
             _f(r.get("e_above_joint_hull_meV_atom"), ".1f"),
             f"{_f(r.get('reduction_V'), '.2f')}–{_f(r.get('oxidation_V'), '.2f')}",
             _f(r.get("air_reaction_meV_atom"), ".0f"),
             _f(r.get("Ea_eV"), ".2f") + (f" ({r['dimensionality']}D)" if r.get("dimensionality") else "")
             + ("" if r.get("neb_Ea_eV") is None else f"; NEB {r['neb_Ea_eV']:.2f}"),
             _verdicts(r["verdicts"]), "yes" if r.get("on_front") else ""]
            for r in result.survivors]
    echo_rows(f"Candidates within {m['thresholds']['hull']:g} meV/atom of the hull (predicted structures, "
              f"{m['default_model']})",
              ["#", "formula", "type", "space group", "E_hull (meV/atom)", "with candidates", "window (V)", "air (meV/atom)",
               "Ea (eV): BVSE; NEB", "targets", "Pareto"], rows)
    typer.echo(f"generated {m['n_generated']} candidates ({m['n_dropped']} composition/type pairs dropped), "
               f"{m['n_candidates']} within the hull threshold" + (" — out of budget: rerun to continue"
                                                                     if m["out_of_budget"] else ""))
    typer.echo("  * a database lists this formula (a re-find, not a new phase); E_hull: energy above the hull "
               "of the known phases; BVSE Ea: a migration barrier, not a measured Ea")
    typer.echo(f"  campaign folder: {result.out} (manifest.json, structures/*.cif)")


def _verdicts(v: dict[str, str]) -> str:
    """``2 pass, fail: oxidation, air_reaction``: counts and the failed criteria."""
    fails = [k for k, s in v.items() if s == "fail"]
    passes = sum(1 for s in v.values() if s == "pass")
    return f"{passes} pass" + (f", fail: {', '.join(fails)}" if fails else "")


def _backtest_text(doc: dict[str, Any]) -> None:
    rows = [[r["hidden"], r["space"], "yes" if r["refound"] else "no", _f(r["rank"], "d"),
             _f(r["e_above_hull_meV_atom"], ".1f"), r["generator"] or "", f"{r['wall_s']:.0f}", r["status"][:60]]
            for r in doc["cases"]]
    echo_rows(f"Back-test: {doc['recall']} of {doc['n_cases']} hidden phases re-found",
              ["hidden", "space", "re-found", "rank", "E_hull (meV/atom)", "type", "wall (s)", "status"], rows)
    typer.echo(f"{len(doc['unlisted_survivors'])} other survivors no database lists (candidates, predicted); "
               f"{doc['n_unlisted_on_joint_hull']} of them also within the threshold of the hull with the other "
               "candidates.")


def register(app: typer.Typer) -> None:
    """Add ``discover`` to the ``nitrolyte`` app."""
    app.command("discover")(discover_cmd)
