"""Nyquist plots of impedance spectra with their fitted circuit and its parts marked.

Takes fits and data, returns a matplotlib Figure; computes no physics beyond evaluating the
fitted circuit (:meth:`ImpedanceFit.predict`, :func:`part_impedance`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

_PARTS = (("bulk", "bulk arc", "tab:blue"), ("gb", "grain boundary", "tab:orange"),
          ("electrode", "electrode", "tab:green"))


def _mpl() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_nyquist(fits: Sequence[Any], spectra: Sequence[Any], title: str = "") -> Any:
    """One Nyquist panel per spectrum: data, fitted curve, and where each part's arc ends.

    Parameters
    ----------
    fits : sequence of ImpedanceFit
        Fits, matched to ``spectra`` by ``source`` (else by position).
    spectra : sequence of Spectrum
        Measured data (Z in ohm).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: Z' (ohm) against -Z'' (ohm), equal aspect; the bulk, grain-boundary and electrode
        parts are shaded along Z' from the high-frequency intercept. The panel of an unreliable
        fit (``problems``) is titled "UNRELIABLE FIT" in red.
    """
    plt = _mpl()
    by_source = {s.source: s for s in spectra}
    pairs = [(f, by_source.get(f.source, spectra[i] if i < len(spectra) else None))
             for i, f in enumerate(fits)]
    n = max(len(pairs), 1)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.8 * rows), squeeze=False)
    for ax, (fit, spec) in zip(axes.ravel(), pairs, strict=False):
        _panel(ax, fit, spec)
    for ax in axes.ravel()[len(pairs):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _panel(ax: Any, fit: Any, spec: Any) -> None:
    from nitrolyte.transport.impedance import part_impedance

    f = spec.freq_Hz if spec is not None else np.logspace(7, -1, 81)
    dense = np.logspace(np.log10(f.max()), np.log10(f.min()), 300)
    Z_fit = fit.predict(dense)
    if spec is not None:
        ax.plot(spec.Z_ohm.real, -spec.Z_ohm.imag, "o", ms=3, mfc="none", color="0.3",
                label="data")
    ax.plot(Z_fit.real, -Z_fit.imag, "-", color="tab:red", lw=1.2, label=f"fit ({fit.circuit})")
    start = 0.0
    for element, label, color in _PARTS:
        R = part_impedance(fit, element, dense[-1:]).real[0] if element != "electrode" else 0.0
        if element == "electrode":
            if not np.any(part_impedance(fit, "electrode", dense[-1:])):
                continue
            ax.axvline(start, color=color, ls=":", lw=1, label=label + " (tail from here)")
            continue
        if R <= 0:
            continue
        ax.axvspan(start, start + R, color=color, alpha=0.12, label=f"{label}: {R:.3g} Ω")
        start += R
    T = "" if fit.T_K is None else f" at {fit.T_K:.1f} K"
    if getattr(fit, "problems", ()):  # an unreliable fit (nitrolyte.transport.eis_quality)
        ax.set_title(f"UNRELIABLE FIT: {_name(fit.source)}{T}", fontsize=9, color="tab:red")
    else:
        ax.set_title(f"{_name(fit.source)}{T}", fontsize=9)
    ax.set_xlabel("Z' (Ω)")
    ax.set_ylabel("-Z'' (Ω)")
    R_tot = max(fit.R_total_ohm, 1e-12)  # zoom on the arcs; the electrode tail leaves the frame
    ax.set_xlim(-0.05 * R_tot, 1.5 * R_tot)
    ax.set_ylim(-0.05 * R_tot, 0.9 * R_tot)
    ax.set_aspect("equal", adjustable="box")
    ax.ticklabel_format(style="sci", scilimits=(-3, 4))
    ax.legend(fontsize=7, loc="upper left")


def _name(source: str) -> str:
    from pathlib import Path

    return Path(source).name if source else "spectrum"
