"""Conductivities per second: vectorised ``conductivity_table`` vs a plain Python loop.

Run: ``.venv/bin/python benchmarks/bench_transport.py`` (options: ``--n-temperatures N``, default
10^5; ``--loop-sample`` temperatures timed in the loop, default 10^4, extrapolated to N;
``--repeat``).

Both evaluate sigma(T) for every material of Tables 1-4 with a conductivity and an activation
energy (45 rows, phase transitions included) at N temperatures, sigmaT convention:

* ``conductivity_table``: the public function, one numpy broadcast (database read included);
* ``plain numpy``: what a competent user writes instead - the Arrhenius law as one numpy
  expression over (material, temperature), written in this script from the table's sigma_RT,
  T_RT, Ea (and the high-temperature branch), parameters extracted beforehand;
* ``pure-Python loop``: the same equations as float arithmetic (``math.exp``) in two for-loops,
  timed on ``--loop-sample`` temperatures and extrapolated to N;
* ``scalar-API loop``: ``ArrheniusModel.sigma_S_cm(T)`` called once per material and temperature
  (models built beforehand), as a user without vectorisation would; timed on a tenth of the
  loop sample, extrapolated.

The loop result is checked against the table on the sample before timings are printed. The script
uses a temporary database so that it never touches the user's.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

import numpy as np
from _timing import best_of


def _python_loop(params: dict[str, np.ndarray], temperatures: list[float]) -> list[list[float]]:
    """sigma (S/cm) with the equations of ``ln_sigma`` as plain floats."""
    from nitrolyte.units import K_B_EV as k_b

    rows = []
    for ln_a, ea, s, t_tr, ea_ht in zip(*(params[k].tolist() for k in
                                          ("ln_prefactor", "Ea_eV", "sigma_T", "T_transition_K",
                                           "Ea_HT_eV")), strict=True):
        ln_a_ht = ln_a + (ea_ht - ea) / (k_b * t_tr) if math.isfinite(t_tr) else ln_a
        row = []
        for temp in temperatures:
            if temp >= t_tr:
                row.append(math.exp(ln_a_ht - ea_ht / (k_b * temp) - s * math.log(temp)))
            else:
                row.append(math.exp(ln_a - ea / (k_b * temp) - s * math.log(temp)))
        rows.append(row)
    return rows


def _plain_numpy(frame, T: np.ndarray) -> np.ndarray:
    """sigma(T) = sigma_RT (T_RT / T) exp(-Ea/k (1/T - 1/T_RT)), HT branch above T_tr; no nitrolyte."""
    k_b = 8.617333262e-05  # eV/K
    s0, t0 = frame["sigma_S_cm"].to_numpy()[:, None], frame["T_K"].to_numpy()[:, None]
    ea = frame["Ea_eV"].to_numpy()[:, None]
    ea_ht = frame["Ea_HT_eV"].fillna(frame["Ea_eV"]).to_numpy()[:, None]
    t_tr = frame["T_transition_K"].fillna(np.inf).to_numpy()[:, None]
    ln_low = np.log(s0 * t0) + ea / (k_b * t0)  # ln of the prefactor A of sigma T = A exp(-Ea/kT)
    ln_high = ln_low + (ea_ht - ea) / (k_b * np.where(np.isfinite(t_tr), t_tr, 1.0))
    Tb = T[None, :]
    return np.where(Tb >= t_tr, np.exp(ln_high - ea_ht / (k_b * Tb)),
                    np.exp(ln_low - ea / (k_b * Tb))) / Tb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-temperatures", type=int, default=100_000)
    parser.add_argument("--loop-sample", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="nitrolyte-bench-")
    os.environ["NITROLYTE_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    from nitrolyte import api
    from nitrolyte.transport.arrhenius import ArrheniusModel
    from nitrolyte.transport.conductivity import conductivity_table, frame_parameters

    frame = api.materials()  # seeds the temporary database once, outside the timings
    frame = frame[frame["sigma_S_cm"].notna() & frame["Ea_eV"].notna()]
    n_mat, n_T = len(frame), args.n_temperatures
    T = np.linspace(200.0, 700.0, n_T)
    params = frame_parameters(frame)

    t_table, table = best_of(lambda: conductivity_table(None, T), args.repeat)
    t_kernel, plain = best_of(lambda: _plain_numpy(frame, T), args.repeat)
    np.testing.assert_allclose(plain, table.to_numpy(), rtol=1e-9)
    step = max(n_T // args.loop_sample, 1)
    sample = T[::step].tolist()
    t_loop_sample, loop = best_of(lambda: _python_loop(params, sample), args.repeat)
    np.testing.assert_allclose(np.array(loop), table.to_numpy()[:, ::step], rtol=1e-12)
    t_loop = t_loop_sample * n_T / len(sample)
    models = [ArrheniusModel.from_record(api.get(name), direction or None)
              for name, direction, _source in table.index]
    small = sample[:: 10]
    t_api_sample, api_loop = best_of(lambda: [[m.sigma_S_cm(x) for x in small] for m in models], 1)
    np.testing.assert_allclose(np.array(api_loop), table.to_numpy()[:, ::step][:, ::10], rtol=1e-12)
    t_api = t_api_sample * n_T / len(small)

    n = n_mat * n_T
    print(f"{n_mat} materials x {n_T} temperatures = {n:,} conductivities (best of {args.repeat})")
    print(f"conductivity_table   : {t_table:8.4f} s  {n / t_table:14,.0f} /s  (database read incl.)")
    print(f"plain numpy (here)   : {t_kernel:8.4f} s  {n / t_kernel:14,.0f} /s  "
          "(parameters extracted beforehand)")
    print(f"pure-Python loop     : {t_loop:8.4f} s  {n / t_loop:14,.0f} /s  "
          f"(timed on {len(sample)} temperatures, extrapolated)")
    print(f"scalar-API loop      : {t_api:8.4f} s  {n / t_api:14,.0f} /s  "
          f"(timed on {len(small)} temperatures, extrapolated)")
    print(f"ratio loop / conductivity_table : {t_loop / t_table:6.1f}x")
    print(f"ratio conductivity_table / plain numpy : {t_table / t_kernel:6.2f}x")
    print(f"ratio scalar-API loop / conductivity_table : {t_api / t_table:6.0f}x")


if __name__ == "__main__":
    main()
