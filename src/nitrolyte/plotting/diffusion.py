"""MSD and simulated-Arrhenius figures of :mod:`nitrolyte.simulate` (matplotlib, Agg-safe)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def plot_msd(result: Any, title: str = "") -> Any:
    """Mean-squared displacement vs time lag with its error band, the fit window and 6D*t.

    Parameters
    ----------
    result : DiffusionResult or dict
        From :func:`nitrolyte.simulate.diffusion.analyze_diffusion` (or its ``to_dict()``).
    title : str
        Figure title.
    """
    from nitrolyte.plotting.arrhenius import _mpl

    r = result if isinstance(result, dict) else result.to_dict()
    plt = _mpl()
    t = np.asarray(r["msd_time_ps"])
    msd, err = np.asarray(r["msd_A2"]), np.asarray(r["msd_A2_stderr"])
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    ax.fill_between(t, msd - err, msd + err, color="#1f77b4", alpha=0.25, lw=0,
                    label="MSD ± 1 s.d.")
    source = "kinisi" if r["diffusive"] else "all time origins; not fitted"
    ax.plot(t, msd, color="#1f77b4", label=f"{r['species']} MSD ({source})")
    slope = 6 * r["D_cm2_s"] * 1e4  # cm2/s -> Å2/ps
    sel = t >= r["start_ps"]
    if sel.any() and r["diffusive"]:
        ax.plot(t[sel], r["msd_intercept_A2"] + slope * t[sel], "--", color="black",
                label=f"D* = {r['D_cm2_s']:.2e} ± {r['D_cm2_s_stderr']:.1e} cm²/s")
    ax.axvspan(r["start_ps"], r["max_lag_ps"], color="0.9", zorder=0, label="fit window")
    ax.set_xlabel("time lag (ps)")
    ax.set_ylabel("MSD (Å²)")
    state = "diffusive" if r["diffusive"] else "NOT diffusive, D unknown"
    ax.set_title(title or f"{r['T_K']:g} K: {state} (log-log slope {r['msd_exponent']:.2f})",
                 fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_simulated_arrhenius(sim: Any, literature: Any = None, title: str = "") -> Any:
    """log10 σ vs 1000/T: simulated Nernst-Einstein points (± 1 s.d.), their fit, the literature.

    Parameters
    ----------
    sim : TransportSimulation or dict
        From :func:`nitrolyte.simulate.pipeline.simulate_transport`.
    literature : ArrheniusModel, optional
        The database record's model, drawn from 25 °C to the hottest simulated temperature.
    """
    from nitrolyte.plotting.arrhenius import _mpl
    from nitrolyte.provenance import simulation_label
    from nitrolyte.units import K_B_EV

    s = sim if isinstance(sim, dict) else sim.to_dict()
    md = s["runs"][0].get("md", {}) if s["runs"] else {}
    method = simulation_label({"model": md.get("potential"), "version": md.get("model_version")})
    plt = _mpl()
    T = np.array([r["T_K"] for r in s["runs"]])
    sig = np.array([r["sigma_S_cm"] for r in s["runs"]], dtype=float)  # NaN: D unknown
    err = np.array([r["sigma_S_cm_stderr"] for r in s["runs"]], dtype=float)
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    ok = sig > 0
    ax.errorbar(1000 / T[ok], np.log10(sig[ok]), yerr=err[ok] / (sig[ok] * math.log(10)),
                fmt="o", color="#d62728", label=f"{s['material']}: {method}")
    grid = np.linspace(298.15, max(T.max(), 298.15) * 1.02, 200)
    if s.get("fit"):
        f = s["fit"]
        ln_sig = f["ln_prefactor"] - f["Ea_eV"] / (K_B_EV * grid) - np.log(grid)
        ax.plot(1000 / grid, ln_sig / math.log(10), "--", color="#d62728",
                label=f"MD fit: Ea = {f['Ea_eV']:.2f} ± {f['Ea_stderr_eV']:.2f} eV")
    if literature is not None:
        ax.plot(1000 / grid, np.log10(literature.sigma_S_cm(grid)), color="black",
                label=f"{literature.name} (ref. {literature.ref})")
    ax.set_xlabel("1000/T (1/K)")
    ax.set_ylabel("log10 σ (S/cm)")
    ax.set_title(title or "Simulated vs literature conductivity", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
