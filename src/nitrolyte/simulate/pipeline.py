"""From a structure to simulated transport: MD per temperature, kinisi analysis, Arrhenius fit,
comparison with the database record, and storage as an MD measurement set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.checks import check_range
from nitrolyte.errors import InputError, NitrolyteError
from nitrolyte.provenance import STORED_UNKNOWN, UNKNOWN_ANSWER
from nitrolyte.units import T_ROOM_K

if TYPE_CHECKING:
    from nitrolyte.simulate.diffusion import DiffusionResult
    from nitrolyte.simulate.md import MDRun
    from nitrolyte.store.database import DatabaseLike
    from nitrolyte.store.models import SetPoint
    from nitrolyte.transport.fitting import ArrheniusFit


@dataclass(frozen=True)
class MDSettings:
    """How each run is made (recorded with the results)."""

    ps: float
    timestep_fs: float = 1.0
    equilibration_ps: float | None = None
    frame_interval_fs: float = 10.0
    supercell: tuple[int, int, int] = (1, 1, 1)
    vacancies: float = 0.0
    seed: int = 0
    device: str = "auto"
    potential: str = "chgnet"
    resume: bool = False  # continue the trajectories in out_dir from their checkpoints


def _tuples(x: Any) -> Any:
    """Lists (JSON arrays) back to the tuples a frozen result holds, nested ones too."""
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


@dataclass(frozen=True)
class TemperatureRun:
    """One temperature of :func:`simulate_transport` (simulated values).

    ``diffusion``: the kinisi analysis (T in K, D in cm²/s, σ in S/cm); ``md``: the NVT run
    that made it; ``literature_sigma_S_cm``: the database record's σ at that T, S/cm (None
    without a record). ``to_dict`` is flat: the analysis' fields, then ``md``, then the
    literature σ.
    """

    diffusion: DiffusionResult
    md: MDRun
    literature_sigma_S_cm: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**self.diffusion.to_dict(), "md": self.md.to_dict(),
                "literature_sigma_S_cm": self.literature_sigma_S_cm}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TemperatureRun:
        """Inverse of :meth:`to_dict`."""
        from nitrolyte.simulate.diffusion import DiffusionResult
        from nitrolyte.simulate.md import MDRun

        names = {f.name for f in fields(DiffusionResult)}
        return cls(DiffusionResult(**{k: _tuples(v) for k, v in d.items() if k in names}),
                   MDRun(**d["md"]), d.get("literature_sigma_S_cm"))


@dataclass(frozen=True)
class MDFit:
    """σT-Arrhenius fit of the answered simulated σ(T) (the fit a measurement set stores).

    ``arrhenius``: the fit (Ea in eV, ln A with A in S K/cm); ``T_min_K``, ``T_max_K``: the
    fitted range, K; ``sigma_RT_S_cm``: σ at 25 °C, S/cm.
    """

    arrhenius: ArrheniusFit
    T_min_K: float
    T_max_K: float
    sigma_RT_S_cm: float

    @property
    def Ea_eV(self) -> float:
        """Activation energy, eV."""
        return self.arrhenius.Ea_eV

    @property
    def Ea_stderr_eV(self) -> float:
        """Standard error of Ea, eV."""
        return self.arrhenius.Ea_stderr_eV

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the fit's, then ``law``, ``T_min_K``, ``T_max_K``, ``sigma_RT_S_cm``."""
        return {**self.arrhenius.to_dict(), "law": self.arrhenius.convention,
                "T_min_K": self.T_min_K, "T_max_K": self.T_max_K,
                "sigma_RT_S_cm": self.sigma_RT_S_cm}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MDFit:
        """Inverse of :meth:`to_dict`."""
        from nitrolyte.transport.fitting import ArrheniusFit

        names = {f.name for f in fields(ArrheniusFit)}
        fit = ArrheniusFit(**{k: _tuples(v) for k, v in d.items() if k in names})
        return cls(fit, d["T_min_K"], d["T_max_K"], d["sigma_RT_S_cm"])


@dataclass(frozen=True)
class RoomSigma:
    """σ at 25 °C from a fit: ``T_K`` (K), ``sigma_S_cm`` and its interval (S/cm) at
    ``confidence``."""

    T_K: float
    sigma_S_cm: float
    lower_S_cm: float
    upper_S_cm: float
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class TransportSimulation:
    """Result of :func:`simulate_transport`: one entry per temperature, the fit, the comparison."""

    material: str
    structure: str
    formula: str
    family: str | None
    settings: dict[str, Any]
    runs: list[TemperatureRun]
    fit: MDFit | None
    sigma_25C: RoomSigma | None
    literature: dict[str, Any] | None
    stored: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the layout ``nitrolyte md --json`` prints)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**d, "settings": dict(self.settings), "runs": [r.to_dict() for r in self.runs],
                "fit": None if self.fit is None else self.fit.to_dict(),
                "sigma_25C": None if self.sigma_25C is None else self.sigma_25C.to_dict(),
                "literature": None if self.literature is None else dict(self.literature),
                "stored": None if self.stored is None else dict(self.stored),
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TransportSimulation:
        """Inverse of :meth:`to_dict` (a campaign task's result comes back as its dict)."""
        return cls(**{**d, "runs": [TemperatureRun.from_dict(r) for r in d["runs"]],
                      "fit": None if d.get("fit") is None else MDFit.from_dict(d["fit"]),
                      "sigma_25C": None if d.get("sigma_25C") is None
                      else RoomSigma(**d["sigma_25C"])})


def build_cell(structure_name: str, supercell: Sequence[int], vacancies: float, seed: int) -> Any:
    """The simulated cell: library structure -> supercell with charge-balanced Li vacancies."""
    from nitrolyte.structures import structure, vacancy_supercell

    return vacancy_supercell(structure(structure_name), vacancies, tuple(supercell),  # type: ignore[arg-type]
                             seed=seed)


def display_name(structure_name: str) -> str:
    """The library's display name (``beta-Li3N`` -> ``β-Li3N``); other names as given."""
    from nitrolyte.errors import UnknownMaterialError
    from nitrolyte.structures import structure_spec

    try:
        return structure_spec(structure_name).name
    except UnknownMaterialError:
        return structure_name


def formula_per_unit(structure_name: str, cell: Any, supercell: Sequence[int]) -> str:
    """Composition per formula unit of the perfect phase, e.g. ``Li2.92N0.972`` (Fig. 3D)."""
    import math

    from nitrolyte.structures import structure

    n_fu = structure(structure_name).composition.get_reduced_composition_and_factor()[1]
    per = cell.composition / (n_fu * math.prod(supercell))
    return "".join(f"{el.symbol}{amt:.3g}" if abs(amt - 1) > 1e-9 else el.symbol
                   for el, amt in sorted(per.items(), key=lambda kv: kv[0].X))


def material_name(structure_name: str, vacancies: float) -> str:
    """Name the stored set goes under, e.g. ``β-Li3N, 5.6 % Li vacancies (MD)``."""
    base = display_name(structure_name)
    return f"{base} (MD)" if vacancies == 0 else f"{base}, {100 * vacancies:.1f} % Li vacancies (MD)"


def literature_model(structure_name: str, compare: str | None = None, db: DatabaseLike | None = None) -> Any:
    """The database's Arrhenius model for the same material, or None when there is none."""
    from nitrolyte.transport.conductivity import model_for

    base = display_name(structure_name)
    names = [compare] if compare else [base, f"{base} single crystal"]
    for name in names:
        for direction in (None, "perp_c"):
            try:
                return model_for(name, direction, db=db)  # type: ignore[arg-type]
            except NitrolyteError:
                continue
    if compare:
        raise InputError(f"--compare: no Arrhenius record for {compare!r} in the database")
    return None


def _family(lit: Any, db: DatabaseLike | None) -> str | None:
    if lit is None:
        return None
    from nitrolyte.api import get

    return get(lit.name, db=db).family


def answered(run: TemperatureRun) -> bool:
    """True when a run has a σ (diffusive, positive): unknown answers are never fitted or stored."""
    sigma = run.diffusion.sigma_S_cm
    return bool(run.diffusion.diffusive and sigma is not None and sigma == sigma and sigma > 0)


def run_points(runs: Sequence[TemperatureRun]) -> list[SetPoint]:
    """The σ points (bulk, Nernst-Einstein) of the answered runs (:func:`answered`)."""
    from nitrolyte.store.models import SetPoint

    return [SetPoint(T_K=r.diffusion.T_K, sigma_S_cm=r.diffusion.sigma_S_cm, kind="bulk",
                     sigma_stderr_S_cm=r.diffusion.sigma_S_cm_stderr)
            for r in runs if answered(r)]


def fit_points(points: Sequence[SetPoint]) -> tuple[MDFit | None, RoomSigma | None]:
    """σT-Arrhenius fit of σ points (``T_K``, ``sigma_S_cm``, ``sigma_stderr_S_cm``; a missing
    s.e. counts as 0): (fit, σ at 25 °C).

    Both are None with fewer than ``MIN_TEMPERATURES`` distinct T. Each point's error is at
    least 0.1 % of its σ; σ(25 °C) is given in S/cm with its 95 % interval.
    """
    from nitrolyte.transport.fitting import MIN_TEMPERATURES, fit_arrhenius

    T = [p.T_K for p in points]
    if len(set(T)) < MIN_TEMPERATURES:
        return None, None
    fit = fit_arrhenius(T, [p.sigma_S_cm for p in points],
                        [max(p.sigma_stderr_S_cm or 0.0, 1e-3 * p.sigma_S_cm) for p in points])
    rt = fit.predict(T_ROOM_K)
    return (MDFit(fit, min(T), max(T), float(rt.sigma_S_cm[0])),
            RoomSigma(T_ROOM_K, float(rt.sigma_S_cm[0]), float(rt.lower_S_cm[0]),
                      float(rt.upper_S_cm[0]), 0.95))


def fit_runs(runs: Sequence[TemperatureRun]) -> tuple[MDFit | None, RoomSigma | None]:
    """Arrhenius fit of the answered runs (:func:`fit_points` of :func:`run_points`): a run with
    D unknown has no σ to fit."""
    return fit_points(run_points(runs))


def simulate_transport(structure_name: str, temperatures_K: Sequence[float],
                       settings: MDSettings, out_dir: str | Path, *, store: bool = True,
                       db: DatabaseLike | None = None, compare: str | None = None,
                       allow_implausible: bool = False,
                       progress: bool = False) -> TransportSimulation:
    """Run NVT MD at each temperature, analyse Li transport, fit, compare and store.

    Parameters
    ----------
    structure_name : str
        A structure of the library (``nitrolyte.structures.structure_names()``).
    temperatures_K : sequence of float
        Temperatures, K; three or more distinct ones give an Arrhenius fit.
    settings : MDSettings
        Length, timestep, supercell, vacancy fraction, seed, device, potential.
    out_dir : path
        Folder for the trajectories (``md_<T>K_seed<N>.extxyz``).
    store : bool
        Store the points (and fit) as one ``method="MD"`` measurement set.
    db : Database or path, optional
        Database to write and to compare with (default: the user's).
    compare : str, optional
        Database material to compare with (default: the same material).
    allow_implausible : bool
        Store points outside the laboratory limits every write applies (sigma > 10 S/cm,
        T outside 10-2000 K); otherwise such a set is refused (the trajectories stay in
        ``out_dir``).
    progress : bool
        A progress bar with the time left on stderr per temperature (``run_md``).
    """
    from nitrolyte.simulate.diffusion import analyze_diffusion
    from nitrolyte.simulate.md import run_md

    if not temperatures_K:
        raise InputError("--T: give at least one temperature")
    check_range("vacancies", settings.vacancies, lo=0.0, hi=0.5, hi_inclusive=False)
    cell = build_cell(structure_name, settings.supercell, settings.vacancies, settings.seed)
    lit = literature_model(structure_name, compare, db)
    out = Path(out_dir)
    runs: list[TemperatureRun] = []
    for T in temperatures_K:
        path = out / f"md_{T:g}K_seed{settings.seed}.extxyz"
        md = run_md(cell, T_K=T, ps=settings.ps, out=path, timestep_fs=settings.timestep_fs,
                    equilibration_ps=settings.equilibration_ps,
                    frame_interval_fs=settings.frame_interval_fs, seed=settings.seed,
                    device=settings.device, potential=settings.potential,
                    resume=settings.resume, progress=progress)
        diff = analyze_diffusion(path, frame_interval_ps=md.frame_interval_ps, T_K=T,
                                 seed=settings.seed)
        runs.append(TemperatureRun(diff, md,
                                   None if lit is None else float(lit.sigma_S_cm(T))))
    fit, rt = fit_runs(runs)
    literature = None if lit is None else {"name": lit.name, "ref": lit.ref,
                                           "direction": lit.direction, "Ea_eV": lit.Ea_eV,
                                           "sigma_25C_S_cm": float(lit.sigma_S_cm(T_ROOM_K))}
    notes = [f"equilibration {runs[0].md.equilibration_ps:g} ps discarded per run"]
    notes += [f"{r.diffusion.T_K:g} K: D unknown, not diffusive in {r.md.production_ps:g} ps: "
              f"{r.diffusion.reason}" for r in runs if not r.diffusion.diffusive]
    sim = TransportSimulation(
        material=material_name(structure_name, settings.vacancies), structure=structure_name,
        formula=formula_per_unit(structure_name, cell, settings.supercell), family=_family(lit, db), settings=asdict(settings), runs=runs, fit=fit,
        sigma_25C=rt, literature=literature, notes=notes)
    if store:
        stored = store_simulation(sim, db=db, allow_implausible=allow_implausible)
        if stored["n_points"] == 0:
            notes.append(f"{STORED_UNKNOWN}: no temperature reached the diffusive regime")
        sim = replace(sim, stored=stored, notes=notes)
    return sim


def method_details(sim: TransportSimulation) -> dict[str, Any]:
    """The ``method_details`` of the stored set (model, version, seed, supercell, lengths, T)."""
    md = sim.runs[0].md
    return {"model": md.potential, "version": md.model_version, "seed": md.seed,
            "supercell": list(sim.settings["supercell"]), "vacancies": sim.settings["vacancies"],
            "ps": md.production_ps, "timestep_fs": md.timestep_fs,
            "equilibration_ps": md.equilibration_ps, "T_K": [r.diffusion.T_K for r in sim.runs],
            "thermostat": md.thermostat, "device": md.device, "n_atoms": md.n_atoms,
            "estimator": sim.runs[0].diffusion.estimator, "simulation": True,
            **({"continued_from_frames": md.resumed_frames} if md.resumed_frames else {})}


def not_diffusive(runs: Sequence[TemperatureRun]) -> list[dict[str, Any]]:
    """``method_details["not_diffusive"]`` of unanswered runs: T (K), reason, hops, final MSD (Å²)."""
    out = []
    for r in runs:
        if answered(r):
            continue
        d = r.diffusion
        msd = [m for m in d.msd_A2 or () if m is not None and m == m]
        out.append({"T_K": d.T_K, "reason": d.reason or "no σ (not diffusive)",
                    "n_hops": d.n_hops, "msd_final_A2": msd[-1] if msd else None})
    return out


def store_simulation(sim: TransportSimulation, db: DatabaseLike | None = None,
                     extra_details: dict[str, Any] | None = None,
                     allow_implausible: bool = False) -> dict[str, Any]:
    """Store the Nernst-Einstein σ(T) points and the fit as one MD measurement set.

    Only answered (diffusive) temperatures become points; the others are listed in
    ``method_details["not_diffusive"]`` (T_K, reason, n_hops, msd_final_A2). A run where no
    temperature is answered is still stored, as a set with no point (``n_points`` 0): the
    answer is *unknown*, and the set says why. Each call stores a new set (a rerun of the same
    command adds another set, with its own id and time, under the same material).
    Returns ``MeasurementSetResult.to_dict()``.
    """
    from nitrolyte.api import database as open_database

    points = run_points(sim.runs)
    unknown = not_diffusive(sim.runs)
    if unknown:
        extra_details = {**(extra_details or {}), "not_diffusive": unknown}
    note = ("simulation: ML-potential MD, Nernst-Einstein sigma from the tracer D (kinisi)"
            if points else f"simulation: ML-potential MD; {UNKNOWN_ANSWER}")
    database = open_database(db)
    res = database.add_measurement_set(
        sim.material, formula=sim.formula, family=sim.family, points=points,
        fit=None if sim.fit is None else sim.fit.to_dict(),
        method="MD", method_details={**method_details(sim), **(extra_details or {})},
        note=note, allow_implausible=allow_implausible)
    return res.to_dict()
