"""Hot MD, extrapolated: Li diffusion at temperatures where Li moves within the budget, kinisi's
Arrhenius fit with credible intervals, and its extrapolation to 300 K with the band.

The temperatures are chosen from a barrier (BVSE percolation barrier, or an NEB barrier when the
caller has one): the lowest is where the cell's Li are expected to make ``MIN_HOPS`` hops of an
attempt frequency of 1e13 Hz within the budget, the rest spaced evenly in 1/T above it. Each
temperature is one NVT run (:func:`nitrolyte.simulate.md.run_md`) analysed by kinisi
(:func:`nitrolyte.simulate.diffusion.analyze_diffusion`, with the diffusive-regime checks of
:mod:`nitrolyte.simulate.regime`) plus the framework check (no melting, no phase change,
:func:`nitrolyte.simulate.regime.framework_reasons`); a temperature that fails any check is
dropped and the result says why. Temperatures run one after the other, or as tasks on a Dask
cluster (the ``campaign`` machinery, ``scheduler=``).

What the number is: the slope of the simulated tracer D(T) over the hot temperatures, an
*Arrhenius Ea of hot MD (simulation)*, extrapolated to 300 K; not a measured Ea (no grain
boundaries, no extrinsic defects beyond those put in the cell, and a mechanism that may change
between the hot runs and room temperature).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nitrolyte.checks import check_range
from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

METHOD = "MD"
QUANTITY = ("Arrhenius Ea of hot MD (simulation): slope of the simulated Li tracer D(T) at the "
            "temperatures run, extrapolated to 300 K — not a measured Ea: no grain boundaries, "
            "and the mechanism may change on cooling")
#: attempt frequency (Hz) of the hop-count estimate that sets the lowest temperature
ATTEMPT_HZ = 1e13
#: limits of the chosen temperatures (K) and the span above the lowest
T_FLOOR_K, T_CEIL_K, T_SPAN_K = 600.0, 1500.0, 500.0
#: default number of temperatures
N_TEMPERATURES = 4
#: each supercell edge at least this long (Å), so a Li does not see its own image
MIN_EDGE_A = 8.0
#: temperature of the extrapolation (K)
T_EXTRAPOLATE_K = 300.0


@dataclass(frozen=True)
class HotMDSettings:
    """How the hot runs are made: ps of production per temperature (the budget), the rest as
    :class:`nitrolyte.simulate.pipeline.MDSettings`; ``supercell`` None: edges >= 8 Å."""

    budget_ps: float
    temperatures_K: tuple[float, ...] | None = None
    n_temperatures: int = N_TEMPERATURES
    timestep_fs: float = 1.0
    frame_interval_fs: float = 10.0
    supercell: tuple[int, int, int] | None = None
    vacancies: float = 0.0
    seed: int = 0
    device: str = "auto"
    potential: str = "chgnet"


@dataclass(frozen=True)
class HotMDResult:
    """The ``--json`` payload of ``transport --method md`` (docs/transport.md)."""

    structure: str
    formula: str
    Ea_eV: float | None
    Ea_spread_eV: float | None
    Ea_interval_eV: tuple[float, float] | None
    sigma_300K_S_cm: float | None
    sigma_300K_interval_S_cm: tuple[float, float] | None
    temperatures_K: list[float]
    barrier_eV: float | None
    barrier_source: str
    settings: dict[str, Any]
    runs: list[dict[str, Any]]
    dropped: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    method: str = METHOD
    quantity: str = QUANTITY
    dimensionality: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def choose_temperatures(barrier_eV: float, budget_ps: float, n_li: int,
                        n: int = N_TEMPERATURES) -> list[float]:
    """Temperatures (K) where ``n_li`` Li make enough hops within ``budget_ps``.

    The lowest, T = Ea / (kB ln(ν0 t N_Li / N_hops)) with ν0 = 1e13 Hz and N_hops =
    :data:`~nitrolyte.simulate.regime.MIN_HOPS`, clipped to 600-1000 K; then ``n`` temperatures
    evenly spaced in 1/T up to 500 K higher (at most 1500 K), rounded to 10 K.
    """
    from nitrolyte.simulate.regime import MIN_HOPS
    from nitrolyte.units import K_B_EV

    check_range("barrier_eV", barrier_eV, lo=0.0, hi=5.0)
    check_range("budget_ps", budget_ps, lo=0.0, hi=1e5, lo_inclusive=False)
    check_range("n_temperatures", n, lo=3, hi=10)
    ratio = ATTEMPT_HZ * budget_ps * 1e-12 * max(1, n_li) / MIN_HOPS
    T_lo = barrier_eV / (K_B_EV * math.log(ratio)) if ratio > math.e else T_CEIL_K
    T_lo = min(max(T_lo, T_FLOOR_K), T_CEIL_K - T_SPAN_K)
    inv = np.linspace(1 / T_lo, 1 / min(T_lo + T_SPAN_K, T_CEIL_K), n)
    return [float(round(1 / x, -1)) for x in inv]


def auto_supercell(struct: Any, min_edge_A: float = MIN_EDGE_A) -> tuple[int, int, int]:
    """Repetitions making each lattice vector at least ``min_edge_A`` long."""
    a, b, c = struct.lattice.abc
    return tuple(max(1, math.ceil(min_edge_A / x)) for x in (a, b, c))  # type: ignore[return-value]


def build_cell(struct: Any, settings: HotMDSettings, seed: int | None = None) -> Any:
    """The simulated supercell (Li vacancies charge-balanced when ``settings.vacancies``)."""
    from nitrolyte.structures import vacancy_supercell

    sc = settings.supercell or auto_supercell(struct)
    return vacancy_supercell(struct, settings.vacancies, tuple(sc),  # type: ignore[arg-type]
                             seed=settings.seed if seed is None else seed)


def run_temperature(cell: dict[str, Any], T_K: float, settings: dict[str, Any],
                    out_dir: str) -> dict[str, Any]:
    """One hot run (a Dask task: plain arguments in and out): MD, kinisi, framework check.

    ``cell`` is ``Structure.as_dict()``; returns the diffusion result's dict with ``md``
    (the run) and ``framework_reason`` (None when the framework stayed intact).
    """
    from pymatgen.core import Structure

    from nitrolyte.simulate.diffusion import analyze_diffusion
    from nitrolyte.simulate.md import run_md

    s = HotMDSettings(**settings)
    path = Path(out_dir) / f"hot_{T_K:g}K_seed{s.seed}.extxyz"
    md = run_md(Structure.from_dict(cell), T_K=T_K, ps=s.budget_ps, out=path,
                timestep_fs=s.timestep_fs, frame_interval_fs=s.frame_interval_fs, seed=s.seed,
                device=s.device, potential=s.potential)
    diff = analyze_diffusion(path, frame_interval_ps=md.frame_interval_ps, T_K=T_K, seed=s.seed)
    return {**diff.to_dict(), "md": md.to_dict(),
            "framework_reason": _framework(path, md.frame_interval_ps)}


def _framework(path: Path, dt_ps: float) -> str | None:
    from nitrolyte.simulate.regime import HOP_SMOOTHING_PS, framework_reasons, unwrapped_positions
    from nitrolyte.simulate.trajectory import read_frames_bounded

    frames, stride = read_frames_bounded(path, max_atom_frames=3_000_000)
    species = sorted(set(frames[0].get_chemical_symbols()) - {"Li"})
    pos = [unwrapped_positions(frames, sp) for sp in species]
    if not pos:
        return None
    smooth = max(1, round(HOP_SMOOTHING_PS / (dt_ps * stride)))
    reasons = framework_reasons(np.concatenate(pos, axis=1), smooth,
                                f"framework ({', '.join(species)})")
    return "; ".join(reasons) or None


def kept(run: dict[str, Any]) -> bool:
    """A run that counts in the fit: diffusive, D resolved, framework intact."""
    D = run.get("D_cm2_s")
    return bool(run.get("diffusive") and not run.get("framework_reason") and D is not None
                and D == D and D > 0)


def drop_reason(run: dict[str, Any]) -> str:
    """Why a run is not in the fit."""
    parts = [x for x in (run.get("framework_reason"),
                         None if run.get("diffusive") else f"not diffusive: {run.get('reason')}")
             if x]
    return "; ".join(parts) or "no tracer D"


def arrhenius_fit(T_K: Sequence[float], D_cm2_s: Sequence[float],
                  D_err_cm2_s: Sequence[float], n_per_cm3: float, *,
                  T_out_K: float = T_EXTRAPOLATE_K, seed: int = 0) -> dict[str, Any]:
    """kinisi's Bayesian Arrhenius fit of D(T), extrapolated to ``T_out_K``.

    D = D0 exp(−Ea/kBT); priors uniform in Ea (0 to 3 eV) and log-uniform in D0 around the
    least-squares line; MCMC (emcee through kinisi, seeded). σ(T_out) = Nernst-Einstein of the
    D samples with ``n_per_cm3`` Li per cm³ (Haven ratio 1). Returns medians, standard
    deviations and 95 % credible intervals (2.5-97.5 percentiles).
    """
    import contextlib
    import io
    import warnings

    import scipp as sc
    from kinisi.arrhenius import Arrhenius
    from scipy.stats import loguniform, uniform

    from nitrolyte.transport.microscopic import sigma_from_D
    from nitrolyte.units import K_B_EV

    T, D, err = (np.asarray(x, dtype=float) for x in (T_K, D_cm2_s, D_err_cm2_s))
    if len(set(T.tolist())) < 3:
        raise InputError(f"an Arrhenius fit needs 3 temperatures with a diffusive run, got "
                         f"{len(set(T.tolist()))}")
    err = np.maximum(err, 1e-3 * D)
    slope, icpt = np.polyfit(1 / T, np.log(D), 1)
    D0 = math.exp(icpt)
    data = sc.DataArray(
        sc.array(dims=["temperature"], values=D, variances=err**2, unit="cm^2/s"),
        coords={"temperature": sc.array(dims=["temperature"], values=T, unit="K")})
    priors = [uniform(0.0, 3.0), loguniform(D0 * 1e-4, D0 * 1e4)]
    rng_state = np.random.get_state()
    np.random.seed(seed)  # kinisi's walkers start from np.random
    try:
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # exp overflow far in the prior
            fit = Arrhenius(data, priors=priors)
            # walkers start at the least-squares line (kinisi's own optimum starts at the
            # prior means, 1.5 eV, and can fail to move from there)
            fit.mcmc(x0=(sc.scalar(-slope * K_B_EV, unit="eV"), sc.scalar(D0, unit="cm^2/s")),
                     n_samples=500, n_walkers=16, n_burn=300, n_thin=5)
    finally:
        np.random.set_state(rng_state)
    Ea = np.asarray(fit.activation_energy.values, dtype=float)
    pre = np.asarray(fit.preexponential_factor.values, dtype=float)
    D_out = pre * np.exp(-Ea / (K_B_EV * T_out_K))
    sig = np.asarray(sigma_from_D(D_out, n_per_cm3, T_out_K), dtype=float)

    def band(x: np.ndarray) -> tuple[float, float]:
        lo, hi = np.percentile(x, [2.5, 97.5])
        return float(lo), float(hi)

    return {"Ea_eV": float(np.median(Ea)), "Ea_spread_eV": float(np.std(Ea, ddof=1)),
            "Ea_interval_eV": band(Ea), "Ea_least_squares_eV": float(-slope * K_B_EV),
            "D0_cm2_s": float(np.median(pre)), "T_out_K": T_out_K,
            "D_out_cm2_s": float(np.median(D_out)), "sigma_out_S_cm": float(np.median(sig)),
            "sigma_out_interval_S_cm": band(sig), "n_samples": int(Ea.size),
            "estimator": "kinisi Arrhenius (MCMC, emcee)"}


def _run_all(cell: Any, temps: list[float], settings: HotMDSettings, out: Path,
             scheduler: str | None) -> list[dict[str, Any]]:
    args = (cell.as_dict(), asdict(settings), str(out))
    if scheduler is None:
        return [run_temperature(args[0], T, args[1], args[2]) for T in temps]
    from nitrolyte.simulate.campaign import dask_client

    client = dask_client(scheduler, None)
    try:
        futures = [client.submit(run_temperature, args[0], T, args[1], args[2], pure=False,
                                 key=f"nitrolyte-hot-md-{T:g}K-{settings.seed}") for T in temps]
        return [f.result() for f in futures]
    finally:
        client.close()


def hot_md(name: str, struct: Any, settings: HotMDSettings, out_dir: str | Path, *,
           barrier_eV: float | None = None, barrier_source: str = "",
           scheduler: str | None = None) -> HotMDResult:
    """Hot MD of ``struct`` at temperatures chosen from ``barrier_eV`` (or ``settings``'),
    kinisi's Arrhenius fit and its extrapolation to 300 K (see the module docstring).

    Raises ``InputError`` when neither temperatures nor a barrier is given.
    """
    from nitrolyte.potentials import POTENTIALS

    if settings.potential not in POTENTIALS:
        raise InputError(f"--potential must be one of {', '.join(POTENTIALS)}, "
                         f"got {settings.potential!r}")
    if "Li" not in {el.symbol for el in struct.composition.elements}:
        raise InputError(f"structure: {struct.composition.reduced_formula} has no Li "
                         "(hot MD here follows Li; a Li-containing structure is required)")
    cell = build_cell(struct, settings)
    n_li = sum(1 for s in cell.species if s.symbol == "Li")
    if settings.temperatures_K:
        temps = sorted(float(t) for t in settings.temperatures_K)
    elif barrier_eV is not None:
        temps = choose_temperatures(barrier_eV, settings.budget_ps, n_li,
                                    settings.n_temperatures)
    else:
        raise InputError("hot MD needs temperatures or a barrier to choose them from")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = _run_all(cell, temps, settings, out, scheduler)
    good = [r for r in runs if kept(r)]
    dropped = [{"T_K": r["T_K"], "reason": drop_reason(r)} for r in runs if not kept(r)]
    notes = [f"{d['T_K']:g} K dropped: {d['reason']}" for d in dropped]
    fit: dict[str, Any] = {}
    if len({r["T_K"] for r in good}) >= 3:
        n_cm3 = good[0]["n_ions"] / (good[0]["volume_A3"] * 1e-24)
        fit = arrhenius_fit([r["T_K"] for r in good], [r["D_cm2_s"] for r in good],
                            [r["D_cm2_s_stderr"] for r in good], n_cm3, seed=settings.seed)
    else:
        notes.append(f"Ea unknown: {len(good)} temperature(s) kept, an Arrhenius fit needs 3")
    summary = [{"T_K": r["T_K"], "D_cm2_s": r["D_cm2_s"], "D_cm2_s_stderr": r["D_cm2_s_stderr"],
                "sigma_S_cm": r["sigma_S_cm"], "n_hops": r["n_hops"], "kept": kept(r),
                "mean_T_K": r["md"]["mean_T_K"], "production_ps": r["md"]["production_ps"],
                "trajectory": r["md"]["trajectory"]} for r in runs]
    md = runs[0]["md"]
    return HotMDResult(
        structure=name, formula=struct.composition.reduced_formula, Ea_eV=fit.get("Ea_eV"),
        Ea_spread_eV=fit.get("Ea_spread_eV"), Ea_interval_eV=fit.get("Ea_interval_eV"),
        sigma_300K_S_cm=fit.get("sigma_out_S_cm"),
        sigma_300K_interval_S_cm=fit.get("sigma_out_interval_S_cm"), temperatures_K=temps,
        barrier_eV=barrier_eV, barrier_source=barrier_source,
        settings={**asdict(settings), "supercell": list(settings.supercell or
                                                        auto_supercell(struct)),
                  "n_atoms": md["n_atoms"], "n_li": n_li, "model_version": md["model_version"],
                  "fit": fit or None},
        runs=summary, dropped=dropped, notes=notes)


def store_hot_md(result: HotMDResult, db: DatabaseLike | None = None) -> dict[str, Any]:
    """Store ``result`` as an ``MD`` simulation set of its structure (fit only: Ea with its
    spread, σ(300 K) with its band in the fit; the hot runs in ``method_details``)."""
    from nitrolyte.transport.bvse import store_estimate

    if result.Ea_eV is None:
        raise InputError(f"structure: hot MD of {result.formula} gave no Arrhenius Ea "
                         f"({'; '.join(result.notes)}); nothing to store")
    s = result.settings
    details = {"model": s["potential"], "version": s["model_version"], "quantity": QUANTITY,
               "simulation": True, "temperatures_K": result.temperatures_K,
               "runs": result.runs, "dropped": result.dropped, "supercell": s["supercell"],
               "vacancies": s["vacancies"], "ps": s["budget_ps"], "seed": s["seed"],
               "Ea_interval_eV": result.Ea_interval_eV,
               "sigma_300K_interval_S_cm": result.sigma_300K_interval_S_cm}
    fit = {"Ea_eV": result.Ea_eV, "Ea_stderr_eV": result.Ea_spread_eV,
           "law": "kinisi Arrhenius of D (hot MD)", "T_min_K": min(result.temperatures_K),
           "T_max_K": max(result.temperatures_K), "sigma_300K_S_cm": result.sigma_300K_S_cm}
    return store_estimate(result.structure, result.formula, METHOD, fit, details,
                          f"simulation: {QUANTITY}", db)


def budget_ps_for_minutes(struct: Any, minutes: float, settings: HotMDSettings,
                          out_dir: str | Path) -> float:
    """Production ps per temperature that fit in ``minutes`` of wall time, from a 20-step probe
    run of the same cell, potential and device (equilibration, 25 %, counted in)."""
    from nitrolyte.simulate.md import EQUILIBRATION_FRACTION, run_md

    check_range("--budget (minutes)", minutes, lo=0.0, hi=1e5, lo_inclusive=False)
    cell = build_cell(struct, settings)
    probe = run_md(cell, T_K=T_FLOOR_K, ps=20 * settings.timestep_fs / 1000.0,
                   out=Path(out_dir) / "probe.extxyz", timestep_fs=settings.timestep_fs,
                   equilibration_ps=0.0, frame_interval_fs=settings.frame_interval_fs,
                   seed=settings.seed, device=settings.device, potential=settings.potential)
    steps_per_s = probe.atom_steps_per_s / probe.n_atoms
    steps = minutes * 60.0 * steps_per_s / (1.0 + EQUILIBRATION_FRACTION)
    return float(steps * settings.timestep_fs / 1000.0)
