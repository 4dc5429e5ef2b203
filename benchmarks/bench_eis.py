"""A 20-spectrum temperature series end to end: nitrolyte vs a plain impedance.py loop.

Run: ``.venv/bin/python benchmarks/bench_eis.py`` (options: ``--n-spectra N``, default 20;
``--repeat``; ``--format``, default ``biologic``).

The spectra are the synthetic pellet of ``tests/eis_fixtures.py`` (bulk + grain boundary +
blocking electrode, 0.3 % noise, 65 frequencies) from 25 °C upwards in 5 K steps, written as
instrument files. Both paths go from the files to an activation energy:

* ``nitrolyte``: ``arrhenius_from_spectra(folder, thickness_cm=..., area_cm2=...)`` - reader
  chosen from the content, every candidate circuit fitted and the best kept by BIC, standard
  errors, Kramers-Kronig residual, warnings, weighted Arrhenius fit;
* ``impedance.py loop``: what a competent user writes without nitrolyte - ``readFile`` per file,
  ``CustomCircuit("p(R1,CPE1)-p(R2,CPE2)-CPE3").fit`` with the right circuit given by hand,
  seeded per spectrum with the total resistance read off the Nyquist plot (Z' at the smallest
  phase angle, split 2:1 bulk:gb) and fixed CPE guesses, then ``np.polyfit`` of ln(sigma T)
  against 1/(kB T). No model choice, no validation. (Seeding each fit with the previous
  result instead, or one fixed guess, makes ``CustomCircuit.fit`` stall: R off by 30-190 %.)

It prints both times, the ratio nitrolyte / loop (above 1: nitrolyte is slower, because it fits
four circuits and a lin-KK per spectrum) and both Ea against the true 0.45 eV. The script uses
a temporary folder and database, never the user's.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from _timing import best_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import eis_fixtures as fx

K_B_EV = 8.617333262e-5


def loop_impedance_py(files: list[Path], temps_K: list[float], fmt: str) -> float:
    """Ea (eV) the plain way: impedance.py fits in a loop, then a straight-line fit."""
    from impedance.models.circuits import CustomCircuit
    from impedance.preprocessing import readFile

    sig_T = []
    for path, T in zip(files, temps_K, strict=True):
        f, Z = readFile(str(path), instrument=fmt)
        phase = np.abs(np.arctan2(-Z.imag, Z.real))
        R_tot = float(Z.real[int(np.argmin(phase[:-2]))])
        guess = [2 * R_tot / 3, 2e-11, 0.9, R_tot / 3, 2e-9, 0.9, 5e-6, 0.8]
        circuit = CustomCircuit("p(R1,CPE1)-p(R2,CPE2)-CPE3", initial_guess=guess)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            circuit.fit(f, Z, weight_by_modulus=True)
        p = circuit.parameters_
        R = p[0] + p[3]
        sig_T.append(fx.THICKNESS_CM / (R * fx.AREA_CM2) * T)
    slope, _ = np.polyfit(1 / (K_B_EV * np.asarray(temps_K)), np.log(sig_T), 1)
    return float(-slope)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spectra", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="biologic", choices=("biologic", "gamry", "zplot"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nitrolyte-bench-eis-"))
    os.environ.setdefault("NITROLYTE_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite'}")
    from nitrolyte.transport.eis_series import arrhenius_from_spectra

    temps_C = [25 + 5 * i for i in range(args.n_spectra)]
    files = [fx.write(tmp, args.format, T, seed=i) for i, T in enumerate(temps_C)]
    temps_K = [T + 273.15 for T in temps_C]

    def ours() -> float:
        res = arrhenius_from_spectra(tmp, thickness_cm=fx.THICKNESS_CM, area_cm2=fx.AREA_CM2)
        assert res.arrhenius is not None and len(res.impedance_fits) == args.n_spectra
        return res.arrhenius.Ea_eV

    t_ours, ea_ours = best_of(ours, args.repeat)
    t_loop, ea_loop = best_of(lambda: loop_impedance_py(files, temps_K, args.format), args.repeat)
    for name, ea in (("nitrolyte", ea_ours), ("loop", ea_loop)):
        if not math.isfinite(ea) or abs(ea - fx.EA_EV) > 0.015:
            raise SystemExit(f"{name} Ea {ea:.4f} eV is off the true {fx.EA_EV} eV by > 0.015")
    n = args.n_spectra
    print(f"{n} {args.format} spectra x {fx.FREQ.size} frequencies, best of {args.repeat}")
    print(f"nitrolyte arrhenius_from_spectra : {t_ours:7.3f} s  {n / t_ours:6.1f} spectra/s  "
          f"Ea = {ea_ours:.4f} eV (4 circuits + lin-KK per spectrum)")
    print(f"impedance.py loop (fixed circuit): {t_loop:7.3f} s  {n / t_loop:6.1f} spectra/s  "
          f"Ea = {ea_loop:.4f} eV")
    print(f"ratio nitrolyte / impedance.py loop : {t_ours / t_loop:5.2f}x  (true Ea {fx.EA_EV} eV)")


if __name__ == "__main__":
    main()
