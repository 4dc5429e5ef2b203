"""``nitrolyte structure predict FORMULA``: predict a crystal structure (labelled *predicted*).

Exactly one method: ``--type NAME`` (ordered approximants of a stated structure type),
``--from TEMPLATE`` (substitution into known structures; ``auto`` chooses them) or ``--search N``
(symmetric random structures; ``--scheduler ADDRESS`` runs its trials on a Dask cluster). The
energy above hull comes from every committee model (the others re-relax the best structure). The best structure is stored in the library as kind
``predicted`` (method, model, trials, date) unless ``--no-store``, and written as a CIF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors


@handle_errors
def predict(formula: Annotated[str, typer.Argument(metavar="FORMULA")],
            type_: Annotated[str | None, typer.Option(
                "--type", metavar="NAME",
                help="Structure type the literature states: antifluorite, fluorite, rocksalt, li3n, layered.")] = None,
            from_: Annotated[list[str] | None, typer.Option(
                "--from", metavar="TEMPLATE",
                help="Substitute into known structures: library names, external CIF stems or CIF files "
                     "(repeat or comma-separate); 'auto' chooses by substitution probability.")] = None,
            search: Annotated[int | None, typer.Option(
                "--search", metavar="N", help="Symmetric random search with N trials (pyxtal).")] = None,
            max_atoms: Annotated[int | None, typer.Option(
                "--max-atoms", help="Largest cell (atoms); default 30 for --type, 16 for --search.")] = None,
            seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
            workers: Annotated[int, typer.Option("--workers", help="Processes for --search.")] = 1,
            scheduler: Annotated[str | None, typer.Option(
                "--scheduler", metavar="ADDRESS", help="Run --search trials on this Dask scheduler.")] = None,
            exclude_known: Annotated[bool, typer.Option(
                "--exclude-known", help="Hide the library's structures of FORMULA (blind prediction).")] = False,
            name: Annotated[str | None, typer.Option(
                "--name", help="Store under this name (default 'FORMULA (predicted)').")] = None,
            store: Annotated[bool, typer.Option("--store/--no-store",
                                                help="Keep the best structure in the library.")] = True,
            cif_out: Annotated[Path | None, typer.Option("--cif-out", metavar="FILE",
                                                         help="Write the CIF here.")] = None,
            progress: Annotated[bool, typer.Option("--progress/--no-progress",
                                                   help="Progress bar on stderr.")] = True,
            db: DbOption = None, json_: JsonOption = False) -> None:
    """Predict the crystal structure of FORMULA with an ML potential (labelled predicted)."""
    from nitrolyte.errors import InputError
    from nitrolyte.store import Database
    from nitrolyte.structures.predict import outcome, reduced_formula
    from nitrolyte.structures.predict import predict as run

    if sum(x is not None for x in (type_, search, from_)) != 1:
        raise InputError("structure predict needs exactly one of --type NAME, --from TEMPLATE or --search N")
    if scheduler is not None and search is None:
        raise InputError("--scheduler runs the trials of --search N; give --search")
    reduced_formula(formula)  # one clear error line for a bad formula, before any work
    database = Database(db) if db else None
    atoms = {"max_atoms": max_atoms} if max_atoms is not None else {}
    if search is not None:
        result = _search(formula, search, seed, workers, scheduler, progress, atoms)
    elif from_ is not None:
        names = [n.strip() for item in from_ for n in item.split(",") if n.strip()]
        result = run(formula, "substitute", templates=names, exclude_known=exclude_known, db=database, **atoms)
    else:
        result = run(formula, "type", type_name=type_, seed=seed, progress=progress, **atoms)
    from nitrolyte.stability.predicted import committee_hull, hull
    from nitrolyte.structures.predict.model import default_model

    table = outcome.library_table(default_model(), db=database)
    first = {**hull(result, table, exclude_known=exclude_known), **outcome.known_match(result, table)}
    report: dict[str, Any] = {**result.to_dict(), **first,
                              **committee_hull(result, first, db=database, exclude_known=exclude_known)}
    report["cif_path"] = str(outcome.write_cif(result, cif_out))
    report["stored_as"] = outcome.store(result, db=database, name=name) if store else None
    report["label"] = "predicted"
    if json_:
        echo_json(report)
        return
    for line in _text(report):
        typer.echo(line)


def _search(formula: str, n: int, seed: int, workers: int, scheduler: str | None, progress: bool,
            atoms: dict[str, Any]) -> Any:
    """``--search``: in processes, or on the Dask scheduler at ``scheduler`` (campaign's client)."""
    from nitrolyte.structures.predict import predict as run

    if scheduler is None:
        return run(formula, "search", n_trials=n, seed=seed, workers=workers, progress=progress, **atoms)
    from nitrolyte.simulate.campaign import dask_client

    client = dask_client(scheduler, None)
    try:
        return run(formula, "search", n_trials=n, seed=seed, client=client, progress=progress, **atoms)
    finally:
        client.close()


def _text(r: dict[str, Any]) -> list[str]:
    work = (f"{r['trials']} orderings scored in {r['supercells']} supercells" if "supercells" in r
            else f"{r['trials']} trials")
    lines = [f"{r['formula']}: predicted by {r['method']} with {r['model']} "
             f"({work}, {r['ensemble_size']} distinct candidates ranked, {r['wall_s']:.0f} s)",
             f"  structure: predicted, {r['space_group']} (No. {r['space_group_number']}), {r['n_atoms']} atoms, "
             f"{r['energy_eV_atom']:.4f} eV/atom"]
    if r["e_vs_competing_meV_atom"] > 0:
        lines.append(f"  energy above hull: {r['e_above_hull_meV_atom']:.1f} meV/atom: decomposes to "
                     f"{' + '.join(r['decomposes_to'])} ({r['hull_model']})")
    else:
        lines.append(f"  on the hull: {-r['e_vs_competing_meV_atom']:.1f} meV/atom below its competing phases "
                     f"({r['hull_model']})")
    others = [f"{m}: {'not computed' if e is None else f'{e:+.1f}'}"
              for m, e in r["e_vs_competing_by_model"].items() if m != r["model"]]
    if others:
        spread = r["e_above_hull_spread_meV_atom"]
        lines.append(f"  vs competing phases, other models ({r['second_model']}): {'; '.join(others)} meV/atom"
                     + ("" if spread is None else f"; spread {spread:.1f} meV/atom")
                     + ("  [models disagree]" if r["committee_flag"] else ""))
    if r["hidden_known"]:
        lines.append(f"  hidden from the hull (--exclude-known): {', '.join(r['hidden_known'])}")
    if r["known"]:
        match = f"matches {r['known_match']}" if r["known_match"] else "matches no library structure"
        de = r["dE_vs_known_meV_atom"]
        lines.append(f"  {match}" + ("" if de is None else f"; E(predicted) - E(known) = {de:+.1f} meV/atom"))
    lines.append(f"  CIF: {r['cif_path']}")
    lines.append(f"  stored as {r['stored_as']!r} (kind predicted)" if r["stored_as"] else "  not stored (--no-store)")
    return lines
