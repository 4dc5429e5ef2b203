"""Generate the synthetic impedance spectra in tests/data/eis/ (run: python tests/data/make_eis.py).

A pellet (thickness 0.1 cm, area 0.785 cm2) of a conductor with Li9S3N's Table 3 values
(8.3e-7 S/cm at 25 C, 0.52 eV, sigmaT convention) measured at 25, 40, 60, 80 and 100 C between
10 MHz and 0.1 Hz: bulk R parallel to a CPE (Q = 2e-11 F s^(n-1), n = 0.9) in series with a
blocking-electrode CPE (Q = 1e-6, n = 0.8); 0.5 % Gaussian noise on |Z| in each component
(seed 2025). Closed form, independent of nitrolyte:

    Z = R / (1 + R Q (j w)^n) + 1 / (Q_el (j w)^n_el)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

K_B_EV = 8.617333262e-5
THICKNESS_CM, AREA_CM2 = 0.1, 0.785
SIGMA_RT, EA_EV, T_RT = 8.3e-7, 0.52, 298.15
TEMPERATURES_C = (25, 40, 60, 80, 100)
Q_BULK, N_BULK, Q_EL, N_EL = 2e-11, 0.9, 1e-6, 0.8
NOISE = 0.005


def sigma(T_K: float) -> float:
    return SIGMA_RT * T_RT / T_K * math.exp(-EA_EV / K_B_EV * (1 / T_K - 1 / T_RT))


def spectrum(T_K: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    f = np.logspace(7, -1, 57)
    jw = 1j * 2 * np.pi * f
    R = THICKNESS_CM / (sigma(T_K) * AREA_CM2)
    Z = R / (1 + R * Q_BULK * jw**N_BULK) + 1 / (Q_EL * jw**N_EL)
    Z = Z + NOISE * np.abs(Z) * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
    return f, Z


def main() -> None:
    out = Path(__file__).with_name("eis")
    out.mkdir(exist_ok=True)
    rng = np.random.default_rng(2025)
    for t_c in TEMPERATURES_C:
        f, Z = spectrum(t_c + 273.15, rng)
        lines = ["# synthetic spectrum, see tests/data/make_eis.py",
                 "freq_Hz,Z_real_ohm,Z_imag_ohm"]
        lines += [f"{a:.6e},{z.real:.6e},{z.imag:.6e}" for a, z in zip(f, Z, strict=True)]
        (out / f"pellet_{t_c}C.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
