"""``nitrolyte diffusion | md | campaign``: ion transport from simulation.

Times and temperatures carry their unit (``0.1ps``, ``10fs``, ``600K``); ``--json`` output
follows docs/simulate.md. Errors print one ``error:`` line (exit 2 for bad input, 1 otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, echo_rows, handle_errors
from nitrolyte.errors import InputError

campaign_app = typer.Typer(help="MD campaigns on Dask (run, status, resume).",
                           no_args_is_help=True)


def parse_supercell(text: str) -> tuple[int, int, int]:
    """``"2x2x2"`` -> (2, 2, 2); each factor 1..20."""
    parts = text.lower().split("x")
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        dims = ()
    if len(dims) != 3 or not all(1 <= d <= 20 for d in dims):
        raise InputError(f"--supercell must be three integers 1..20 like 2x2x2, got {text!r}")
    return dims  # type: ignore[return-value]


def parse_duration_ps(text: str, field: str) -> float:
    """A time with unit in ps; unlike ``parse_quantity`` a zero (``0``, ``0ps``) is allowed."""
    import re

    from nitrolyte.units import parse_quantity

    if re.fullmatch(r"\s*0*\.?0*\s*(fs|ps|ns)?\s*", text) and re.search(r"0", text):
        return 0.0
    return parse_quantity(text, "time", field)




def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)


def _coll(res: Any, value: float, err: float, fmt: str = ".3e") -> str:
    """A collective quantity, or why it is unknown."""
    if value != value:
        return f"unknown ({res.collective_reason})"
    return f"{format(value, fmt)} ± {format(err, '.1e' if fmt == '.3e' else fmt)}"


@handle_errors
def diffusion_cmd(
    traj: Annotated[list[Path], typer.Argument(help="Trajectory (extxyz, .traj, XDATCAR); several "
                                               "files = independent replicas.")],
    frame_interval: Annotated[str, typer.Option("--frame-interval",
                                                help="Time between frames, e.g. 0.1ps or 10fs.")],
    T: Annotated[str, typer.Option("--T", help="Temperature of the run, e.g. 600K.")],
    species: Annotated[str, typer.Option(help="Mobile ion (element).")] = "Li",
    start: Annotated[str | None, typer.Option(help="Start of the fit window (diffusive regime), "
                                              "e.g. 1ps; default 20 % of the longest lag.")] = None,
    charge: Annotated[int, typer.Option(help="Charge number of the ion (1 for Li+).")] = 1,
    plot: Annotated[Path | None, typer.Option(help="Write the MSD plot (PNG/SVG).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Tracer and collective D, Nernst-Einstein σ and Haven ratio of a trajectory (kinisi)."""
    from nitrolyte.simulate.diffusion import analyze_diffusion
    from nitrolyte.units import parse_quantity

    res = analyze_diffusion(
        traj, species=species, frame_interval_ps=parse_quantity(frame_interval, "time",
                                                                "--frame-interval"),
        T_K=parse_quantity(T, "temperature", "--T"), charge=charge,
        start_ps=None if start is None else parse_quantity(start, "time", "--start"))
    if plot is not None:
        from nitrolyte.plotting.diffusion import plot_msd

        _save(plot_msd(res), plot)
    if as_json:
        echo_json({**res.to_dict(), "files": [str(p) for p in traj],
                   "plot": None if plot is None else str(plot)})
        return
    if res.frame_stride > 1:
        typer.echo(f"(long trajectory: every {res.frame_stride}th frame analysed, "
                   f"{res.frame_interval_ps:g} ps apart, to bound memory)")
    if not res.diffusive:
        typer.echo(f"{species} at {res.T_K:g} K: D unknown, not diffusive in "
                   f"{(res.n_frames - 1) * res.frame_interval_ps:g} ps: {res.reason}")
        return
    echo_rows(f"{species} transport at {res.T_K:g} K ({res.estimator})", ["quantity", "value"], [
        ["D* tracer (cm²/s)", f"{res.D_cm2_s:.3e} ± {res.D_cm2_s_stderr:.1e}"],
        ["D_σ collective (cm²/s)", _coll(res, res.D_sigma_cm2_s, res.D_sigma_cm2_s_stderr)],
        ["σ Nernst-Einstein (S/cm)", f"{res.sigma_S_cm:.3e} ± {res.sigma_S_cm_stderr:.1e}"],
        ["σ collective (S/cm)", _coll(res, res.sigma_collective_S_cm,
                                      res.sigma_collective_S_cm_stderr)],
        ["Haven ratio D*/D_σ", _coll(res, res.haven_ratio, res.haven_ratio_stderr, ".2f")],
        ["fit window (ps)", f"{res.start_ps:g} – {res.max_lag_ps:g}"],
        ["diffusive regime", f"yes ({res.n_hops} hops, MSD log-log slope "
                             f"{res.msd_exponent:.2f}, final MSD {res.msd_A2[-1]:.2g} Å²)"]])


def _num(value: float, fmt: str) -> str:
    return "unknown" if value != value else format(value, fmt)


def _pm(diffusive: bool, value: float, stderr: float) -> str:
    """``value ± stderr``, or ``unknown`` for a run that did not reach the diffusive regime."""
    if not diffusive:
        return "unknown"
    return f"{value:.2e} ± {stderr:.0e}"


@handle_errors
def md_cmd(
    structure: Annotated[str, typer.Argument(help="Library structure, e.g. alpha-Li3N, beta-Li3N.")],
    T: Annotated[list[str], typer.Option("--T", help="Temperature, e.g. 600K; repeat for several.")],
    ps: Annotated[float, typer.Option(help="Production length per temperature, ps.")],
    timestep: Annotated[str, typer.Option(help="Integration step, e.g. 1fs.")] = "1fs",
    equilibration: Annotated[str | None, typer.Option(
        help="Discarded equilibration, e.g. 2ps; default 25 % of --ps.")] = None,
    frame_interval: Annotated[str, typer.Option("--frame-interval",
                                                help="Time between stored frames.")] = "10fs",
    supercell: Annotated[str, typer.Option(help="Repetitions, e.g. 2x2x2.")] = "1x1x1",
    vacancies: Annotated[float, typer.Option(help="Li vacancy fraction (charge-balanced by N "
                                             "vacancies), 0 <= x < 0.5.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of velocities, thermostat, vacancy sites.")] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    potential: Annotated[str, typer.Option(
        help="A registered potential: chgnet (default), sevennet, or lj-toy (plumbing only).")] = "chgnet",
    out: Annotated[Path, typer.Option(help="Folder for the trajectories.")] = Path("md-out"),
    compare: Annotated[str | None, typer.Option(help="Database material to compare with.")] = None,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Store as MD measurements.")]
    = True,
    plot: Annotated[Path | None, typer.Option(help="Write the Arrhenius plot (PNG/SVG).")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the runs in --out from their checkpoints by --ps more "
                         "(same settings; no new equilibration).")] = False,
    allow_implausible: Annotated[bool, typer.Option(
        "--allow-implausible", help="Store sigma > 10 S/cm or T outside 10-2000 K (the limits "
                                    "of every stored measurement).")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """ML-potential NVT MD per temperature -> D, σ, Arrhenius fit; stored beside experiments.

    A progress bar with the time left runs on stderr (not with --json)."""
    from nitrolyte.simulate.pipeline import MDSettings, literature_model
    from nitrolyte.units import parse_quantity
    from nitrolyte.workflows.md import check_storable_temperatures, md_run

    temps = [parse_quantity(t, "temperature", "--T") for t in T]
    if store and not allow_implausible:  # the store's limits, before the settings are read
        check_storable_temperatures(temps)
    settings = MDSettings(
        ps=ps, timestep_fs=parse_quantity(timestep, "time", "--timestep") * 1000.0,
        equilibration_ps=None if equilibration is None else parse_duration_ps(
            equilibration, "--equilibration"),
        frame_interval_fs=parse_quantity(frame_interval, "time", "--frame-interval") * 1000.0,
        supercell=parse_supercell(supercell), vacancies=vacancies, seed=seed, device=device,
        potential=potential, resume=resume)
    sim = md_run(structure, temps, settings, out, store=store, db=db, compare=compare,
                 allow_implausible=allow_implausible, progress=not as_json)
    if plot is not None:
        from nitrolyte.plotting.diffusion import plot_simulated_arrhenius

        _save(plot_simulated_arrhenius(sim, literature_model(structure, compare, db)), plot)
    if as_json:
        echo_json({**sim.to_dict(), "plot": None if plot is None else str(plot)})
        return
    echo_rows(f"{sim.material}: {sim.formula}, {sim.runs[0].md.n_atoms} atoms, "
                f"{sim.runs[0].md.model_version}",
                ["T (K)", "D* (cm²/s)", "σ NE (S/cm)", "Haven", "diffusive", "σ literature"],
                [_run_row(r.diffusion, r.literature_sigma_S_cm) for r in sim.runs])
    if sim.fit is not None and sim.sigma_25C is not None:
        rt = sim.sigma_25C
        typer.echo(f"Ea = {sim.fit.Ea_eV:.3f} ± {sim.fit.Ea_stderr_eV:.3f} eV; σ(25 °C) = "
                   f"{rt.sigma_S_cm:.2e} S/cm [{rt.lower_S_cm:.1e}, {rt.upper_S_cm:.1e}] (95 %)")
    for note in sim.notes:
        typer.echo(f"note: {note}")
    if sim.stored:
        what = "" if sim.stored["n_points"] else ", no σ point: unknown"
        typer.echo(f"stored as measurement set {sim.stored['set_id']} ({sim.material}, method MD"
                   f"{what})")


def _run_row(d: Any, literature_sigma_S_cm: float | None) -> list[str]:
    """One table row of a temperature (``d``: its :class:`~nitrolyte.simulate.DiffusionResult`)."""
    return [f"{d.T_K:g}", _pm(d.diffusive, d.D_cm2_s, d.D_cm2_s_stderr),
            _pm(d.diffusive, d.sigma_S_cm, d.sigma_S_cm_stderr), _num(d.haven_ratio, ".2f"),
            "yes" if d.diffusive else "NO",
            "" if literature_sigma_S_cm is None else f"{literature_sigma_S_cm:.2e}"]


SchedulerOpt = Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. "
                                                  "tcp://host:8786 (default: a LocalCluster).")]
WorkersOpt = Annotated[int | None, typer.Option(help="LocalCluster workers (default 1).")]


def _print_fits(fits: list[Any]) -> None:
    """One line per task group (:class:`~nitrolyte.simulate.campaign_fit.CampaignFit`): Ea,
    σ(25 °C) and whether the fit is stored or provisional."""
    for g in fits:
        head = (f"{g.material}, vacancies {g.vacancies:g} ({g.potential}): "
                f"{g.n_stored}/{g.n_tasks} tasks stored with σ"
                + (f", {g.n_unknown} unknown (not diffusive, stored without σ)"
                   if g.n_unknown else ""))
        rt = g.sigma_25C
        if g.Ea_eV is None or rt is None:
            typer.echo(f"{head}; Arrhenius fit needs 3 temperatures")
            continue
        state = (f"stored as set {g.set_id}" if g.set_id is not None
                 else "provisional, not stored")
        typer.echo(f"{head}; Ea = {g.Ea_eV:.3f} ± {g.Ea_stderr_eV:.3f} eV, σ(25 °C) = "
                   f"{rt.sigma_S_cm:.2e} S/cm [{rt.lower_S_cm:.1e}, {rt.upper_S_cm:.1e}]"
                   f" (95 %); {state}")


def _report(rep: Any, as_json: bool) -> None:
    if as_json:
        echo_json(rep.to_dict())
        return
    typer.echo(f"{rep.n_tasks} tasks: {rep.n_skipped} already finished, {rep.n_stored} stored "
               f"now, {len(rep.unknown)} finished with D unknown, {rep.n_failed} failed "
               f"(out: {rep.out})")
    for u in rep.unknown:
        typer.echo(f"D unknown for {u.task_id} ({u.material}, {u.T_K:g} K), not "
                   f"diffusive: {u.reason}; stored as set {u.set_id} with no σ")
    for f in rep.failed:
        typer.echo(f"failed {f.task_id}: {f.error}")
    _print_fits(rep.arrhenius)
    if rep.n_failed:
        raise typer.Exit(1)


@handle_errors
def campaign_run_cmd(spec: Annotated[Path, typer.Argument(help="Campaign YAML spec.")],
                     scheduler: SchedulerOpt = None, workers: WorkersOpt = None,
                     db: DbOption = None, as_json: JsonOption = False) -> None:
    """Run every task of a campaign not yet stored; each is stored as it finishes."""
    from nitrolyte.simulate.campaign import run_campaign

    _report(run_campaign(spec, scheduler=scheduler, workers=workers, db=db,
                         progress=not as_json), as_json)


@handle_errors
def campaign_resume_cmd(spec: Annotated[Path, typer.Argument(help="Campaign spec or its out "
                                                             "folder.")],
                        scheduler: SchedulerOpt = None, workers: WorkersOpt = None,
                        db: DbOption = None, as_json: JsonOption = False) -> None:
    """Continue a killed campaign: stored tasks are skipped, the rest run."""
    from nitrolyte.simulate.campaign import run_campaign

    _report(run_campaign(spec, scheduler=scheduler, workers=workers, db=db,
                         progress=not as_json), as_json)


@handle_errors
def campaign_status_cmd(spec: Annotated[Path, typer.Argument(help="Campaign spec or out folder.")],
                        db: DbOption = None, as_json: JsonOption = False) -> None:
    """State of each task (stored, started, pending) and the Arrhenius fit of each group."""
    from nitrolyte.simulate.campaign import campaign_arrhenius, campaign_status

    rows = campaign_status(spec, db=db)
    fits = campaign_arrhenius(spec, db=db)
    if as_json:
        echo_json({"tasks": rows, "n_stored": sum(r["state"] == "stored" for r in rows),
                   "arrhenius": [f.to_dict() for f in fits]})
        return
    echo_rows(f"campaign {spec}", ["task", "material", "vacancies", "T (K)", "seed", "state"],
                [[r["task_id"], r["material"], f"{r['vacancies']:g}", f"{r['T_K']:g}",
                  str(r["seed"]), r["state"]] for r in rows])
    _print_fits(fits)


def register(app: typer.Typer) -> None:
    """Add ``diffusion``, ``md`` and the ``campaign`` group."""
    app.command("diffusion")(diffusion_cmd)
    app.command("md")(md_cmd)
    campaign_app.command("run")(campaign_run_cmd)
    campaign_app.command("resume")(campaign_resume_cmd)
    campaign_app.command("status")(campaign_status_cmd)
    app.add_typer(campaign_app, name="campaign")
