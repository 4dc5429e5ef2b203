"""``nitrolyte transport STRUCTURE --method md``: hot MD extrapolated to 300 K (the dispatch
target of :func:`nitrolyte.cli.transport.transport_cmd`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nitrolyte.cli._common import echo_json
from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike


def parse_budget(text: str) -> tuple[float | None, float | None]:
    """``"20ps"`` -> (20.0, None); ``"30min"`` / ``"2h"`` -> (None, minutes) of wall time."""
    from nitrolyte.units import parse_quantity

    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(min|h)\s*", text)
    if m:
        try:
            value = float(m.group(1))
        except ValueError:
            value = float("nan")
        if not value > 0 or value != value:
            raise InputError(f"--budget must be a positive time, got {text!r}")
        return None, value * (60.0 if m.group(2) == "h" else 1.0)
    return parse_quantity(text, "time", "--budget"), None


def _barrier(name: str, struct: Any, db: DatabaseLike | None) -> tuple[float, str]:
    """The barrier the temperatures are chosen from: a stored NEB set, else BVSE (seconds)."""
    from nitrolyte.transport.bvse import bvse, stored_estimate

    neb = stored_estimate(name, "NEB", db)
    if neb is not None:
        return neb["Ea_eV"], f"NEB (stored set {neb['set_id']})"
    res = bvse(struct)
    if res.Ea_eV is None:
        raise InputError(f"structure: no Li percolation in {res.formula} below 5 eV (BVSE); "
                         "give the temperatures with --T")
    return res.Ea_eV, f"BVSE percolation barrier ({res.dimensionality}D)"


def run_md_method(name: str, struct: Any, *, budget: str | None, T: list[str] | None,
                  potential: str, out: Path, scheduler: str | None, store: bool, db: DatabaseLike | None,
                  as_json: bool) -> None:
    """Run, print (or ``--json``) and optionally store the hot-MD estimate."""
    from nitrolyte.simulate.hot_md import (
        HotMDSettings,
        budget_ps_for_minutes,
        hot_md,
        store_hot_md,
    )
    from nitrolyte.units import parse_quantity

    if budget is None:
        raise InputError("--method md needs --budget (production per temperature: 20ps, or "
                         "wall time: 30min)")
    ps, minutes = parse_budget(budget)
    temps = tuple(parse_quantity(t, "temperature", "--T") for t in T) if T else None
    settings = HotMDSettings(budget_ps=ps or 1.0, temperatures_K=temps, potential=potential)
    if minutes is not None:
        settings = HotMDSettings(**{**settings.__dict__, "budget_ps": budget_ps_for_minutes(
            struct, minutes, settings, out)})
    barrier, source = (None, "--T given") if temps else _barrier(name, struct, db)
    res = hot_md(name, struct, settings, out, barrier_eV=barrier, barrier_source=source,
                 scheduler=scheduler)
    stored = store_hot_md(res, db) if store else None
    if as_json:
        echo_json({**res.to_dict(), **({"stored": stored} if stored else {})})
        return
    temps_txt = ", ".join(f"{t:g}" for t in res.temperatures_K)
    typer.echo(f"{name} ({res.formula}): hot MD at {temps_txt} K, "
               f"{res.settings['budget_ps']:.3g} ps each ({res.settings['n_atoms']} atoms, "
               f"{res.settings['model_version']}); temperatures from {source}"
               + ("" if barrier is None else f" = {barrier:.3f} eV"))
    if res.Ea_eV is None:
        typer.echo("  Ea unknown")
    else:
        lo, hi = res.Ea_interval_eV  # type: ignore[misc]
        slo, shi = res.sigma_300K_interval_S_cm  # type: ignore[misc]
        typer.echo(f"  Ea = {res.Ea_eV:.3f} eV [{lo:.3f}, {hi:.3f}] (95 % credible), "
                   f"σ(300 K) = {res.sigma_300K_S_cm:.2e} S/cm [{slo:.1e}, {shi:.1e}]")
    for note in res.notes:
        typer.echo(f"  note: {note}")
    typer.echo(f"  quantity: {res.quantity}")
    if stored:
        typer.echo(f"  stored as MD simulation set {stored['set_id']}")
