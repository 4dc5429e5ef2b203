"""Synthetic instrument files for the EIS tests and the benchmark (written at test time).

A pellet (L = 0.1 cm, 10 mm diameter: A = 0.785398 cm2) measured from 10 MHz to 0.1 Hz,
8 points per decade. Closed form, independent of nitrolyte:

    Z = R_b / (1 + R_b Q_b (jw)^n_b) + R_gb / (1 + R_gb Q_gb (jw)^n_gb) + 1 / (Q_el (jw)^n_el)

R_b and R_gb follow sigma T = A exp(-Ea / kB T) with the same Ea (so the total conductivity is
exactly Arrhenius), R_b = 2e5 and R_gb = 1e5 ohm at 25 °C; Q_b = 2e-11 (n 0.95), Q_gb = 2e-9
(n 0.9), Q_el = 5e-6 (n 0.85): both arcs lie inside the window at every temperature here.
0.3 % Gaussian noise on |Z| in each component.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

K_B_EV = 8.617333262e-5
THICKNESS_CM = 0.1
DIAMETER_CM = 1.0
AREA_CM2 = math.pi * DIAMETER_CM**2 / 4
EA_EV = 0.45
T_RT = 298.15
R_B_RT, R_GB_RT = 2e5, 1e5
Q_B, N_B, Q_GB, N_GB, Q_EL, N_EL = 2e-11, 0.95, 2e-9, 0.9, 5e-6, 0.85
NOISE = 0.003
FREQ = np.logspace(7, -1, 65)


def resistance(R_rt: float, T_K: float) -> float:
    """R(T) with sigma T Arrhenius: R = R_rt (T / T_rt) exp(Ea/kB (1/T - 1/T_rt))."""
    return R_rt * (T_K / T_RT) * math.exp(EA_EV / K_B_EV * (1 / T_K - 1 / T_RT))


def sigma_total(T_K: float) -> float:
    """True total conductivity, S/cm."""
    return THICKNESS_CM / ((resistance(R_B_RT, T_K) + resistance(R_GB_RT, T_K)) * AREA_CM2)


def spectrum(T_K: float, seed: int = 0, noise: float = NOISE) -> tuple[np.ndarray, np.ndarray]:
    """(f in Hz, Z in ohm) of the pellet at ``T_K``."""
    jw = 1j * 2 * np.pi * FREQ
    Rb, Rg = resistance(R_B_RT, T_K), resistance(R_GB_RT, T_K)
    Z = Rb / (1 + Rb * Q_B * jw**N_B) + Rg / (1 + Rg * Q_GB * jw**N_GB) + 1 / (Q_EL * jw**N_EL)
    rng = np.random.default_rng(seed)
    return FREQ, Z + noise * np.abs(Z) * (rng.standard_normal(Z.size) + 1j * rng.standard_normal(Z.size))


def _gamry(f: np.ndarray, Z: np.ndarray) -> str:
    head = "EXPLAIN\nTAG\tEISPOT\nTITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier\nZCURVE\tTABLE\n"
    head += "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange\n"
    head += "\t#\ts\tHz\tohm\tohm\tV\tohm\t°\tA\tV\t#\n"
    return head + "".join(f"\t{i}\t{i + 1}\t{x:.6E}\t{z.real:.6E}\t{z.imag:.6E}\t1\t{abs(z):.6E}"
                          f"\t0\t0\t0\t12\n" for i, (x, z) in enumerate(zip(f, Z, strict=True)))


def _biologic(f: np.ndarray, Z: np.ndarray) -> str:
    cols = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\tPhase(Z)/deg\ttime/s\n"
    head = ["EC-Lab ASCII FILE\n", "Nb header lines : 5\n", "\n", "Potentio Electrochemical "
            "Impedance Spectroscopy\n", cols]
    return "".join(head) + "".join(f"{x:.6E}\t{z.real:.6E}\t{-z.imag:.6E}\t{abs(z):.6E}\t0\t{i}\n"
                                   for i, (x, z) in enumerate(zip(f, Z, strict=True)))


def _zplot(f: np.ndarray, Z: np.ndarray) -> str:
    head = "ZPlot2 ASCII\nSource: synthetic\nEnd Comments\n"
    return head + "".join(f"{x:.6E}\t0\t0\t0\t{z.real:.6E}\t{z.imag:.6E}\t0\t0\n"
                          for x, z in zip(f, Z, strict=True))


def _versastudio(f: np.ndarray, Z: np.ndarray) -> str:
    head = ("<Action0>\nSegments=0\n</Action0>\n\n<Action1>\nSegments=1\n</Action1>\n\n<Segment1>\n"
            "Type=2\nVersion=3\nDefinition=Segment #, Point #, E(V), I(A), Elapsed Time(s), ADC "
            "Sync Input(V), Current Range, Status, E Applied(V), Frequency(Hz), E Real, E Imag, "
            "I Real, I Imag, Z Real, Z Imag\n")
    rows = "".join(f"0,{i},0,0,{i},0,5,53,0,{x:.6E},0,0,0,0,{z.real:.6E},{z.imag:.6E}\n"
                   for i, (x, z) in enumerate(zip(f, Z, strict=True)))
    return head + rows + "</Segment1>\n"


def _chinstruments(f: np.ndarray, Z: np.ndarray) -> str:
    head = "Feb. 20, 2020   15:55:08\nA.C. Impedance\nInstrument Model:  CHI660E\n\n"
    head += "Freq/Hz, Z'/ohm, Z\"/ohm, Z/ohm, Phase/deg\n\n"
    return head + "".join(f"{x:.4e}, {z.real:.6e}, {z.imag:.6e}, {abs(z):.6e}, 0\n"
                          for x, z in zip(f, Z, strict=True))


def _autolab(f: np.ndarray, Z: np.ndarray) -> str:
    head = '"Z60W Data File: Version 1.1"\n""\n0,2,0,1,0.1,10000\n65\n'
    head += '"  Freq (Hz)    Ampl     Bias   Time(Sec)   Z\'(a)    Z\'\'(b)    GD   Err   Range"\n'
    return head + "".join(f"{x:.6g},0,0,0,{z.real:.8g},{z.imag:.8g},0,0,0\n"
                          for x, z in zip(f, Z, strict=True))


def _parstat(f: np.ndarray, Z: np.ndarray) -> str:
    head = "Potential (V)\tCurrent (A)\tElapsed Time (s)\tFrequency (Hz)\tZre (ohms)\tZim (ohms)\n"
    return head + "".join(f"0\t0\t{i}\t{x:.6E}\t{z.real:.6E}\t{z.imag:.6E}\n"
                          for i, (x, z) in enumerate(zip(f, Z, strict=True)))


def _powersuite(f: np.ndarray, Z: np.ndarray) -> str:
    return "Frequency\t Zre\t Zimg\n" + "".join(f"{x:.8g}\t {z.real:.8g}\t {z.imag:.8g}\n"
                                                 for x, z in zip(f, Z, strict=True))


def _csv_semicolon(f: np.ndarray, Z: np.ndarray) -> str:
    rows = "".join(f"{x:.6e};{z.real:.6e};{-z.imag:.6e}\n".replace(".", ",")
                   for x, z in zip(f, Z, strict=True))
    return "freq/Hz;Re(Z)/Ohm;-Im(Z)/Ohm\n" + rows


def _csv_plain(f: np.ndarray, Z: np.ndarray) -> str:
    return "Freq,Z',Z''\n" + "".join(f"{x:.6e},{z.real:.6e},{z.imag:.6e}\n"
                                     for x, z in zip(f, Z, strict=True))


def _tsv_kohm(f: np.ndarray, Z: np.ndarray) -> str:
    return "Frequency (Hz)\tZreal (kOhm)\tZimag (kOhm)\n" + "".join(
        f"{x:.6e}\t{z.real / 1e3:.8e}\t{z.imag / 1e3:.8e}\n" for x, z in zip(f, Z, strict=True))


#: format name -> (file suffix, writer)
WRITERS = {
    "gamry": (".DTA", _gamry), "biologic": (".mpt", _biologic), "zplot": (".z", _zplot),
    "versastudio": (".par", _versastudio), "chinstruments": (".txt", _chinstruments),
    "autolab": (".txt", _autolab), "parstat": (".txt", _parstat),
    "powersuite": (".txt", _powersuite), "csv_semicolon": (".csv", _csv_semicolon),
    "csv": (".csv", _csv_plain), "tsv_kohm": (".tsv", _tsv_kohm),
}


def write(folder: Path, fmt: str, T_C: float, seed: int = 0, stem: str = "pellet") -> Path:
    """Write the pellet's spectrum at ``T_C`` (°C) in format ``fmt``; the name carries T."""
    suffix, writer = WRITERS[fmt]
    f, Z = spectrum(T_C + 273.15, seed)
    path = folder / f"{stem}_{T_C:g}C{suffix}"
    path.write_text(writer(f, Z), encoding="utf-8")
    return path


# ---------------------------------------------------------------- a conductive pellet, small arcs
# The same pellet geometry, ten times more conductive (R_b = 800, R_gb = 600 ohm at 25 °C, Ea
# 0.45 eV), measured as a BioLogic SP-300 does, 7 MHz to 0.1 Hz at 10 points per decade. At 80 °C
# the arcs are small (R_b = 62, R_gb = 46 ohm) and the bulk arc's apex (~250 MHz) lies above the
# highest frequency: only the high-frequency intercept shows R_b.
SMALL_R_B_RT, SMALL_R_GB_RT = 800.0, 600.0
SMALL_Q_B, SMALL_Q_GB = 1.5e-11, 1e-9
SMALL_FREQ = np.logspace(np.log10(7e6), -1, 80)


def small_arcs_spectrum(T_K: float, seed: int = 0, noise: float = NOISE
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(f in Hz, Z in ohm) of the conductive pellet at ``T_K``: two small arcs + blocking tail."""
    jw = 1j * 2 * np.pi * SMALL_FREQ
    Rb, Rg = resistance(SMALL_R_B_RT, T_K), resistance(SMALL_R_GB_RT, T_K)
    Z = (Rb / (1 + Rb * SMALL_Q_B * jw**N_B) + Rg / (1 + Rg * SMALL_Q_GB * jw**N_GB)
         + 1 / (Q_EL * jw**N_EL))
    rng = np.random.default_rng(seed)
    return SMALL_FREQ, Z + noise * np.abs(Z) * (rng.standard_normal(Z.size)
                                                + 1j * rng.standard_normal(Z.size))


def small_arcs_sigma_total(T_K: float) -> float:
    """True total conductivity of the conductive pellet, S/cm."""
    return THICKNESS_CM / ((resistance(SMALL_R_B_RT, T_K) + resistance(SMALL_R_GB_RT, T_K))
                           * AREA_CM2)


def ec_lab_mpt(f: np.ndarray, Z: np.ndarray, T_C: float) -> str:
    """An EC-Lab (BioLogic) PEIS export as a European-locale PC writes it: the header block
    with "Nb header lines", tab-separated columns and decimal commas."""
    cols = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "|Z|/Ohm", "Phase(Z)/deg", "time/s",
            "<Ewe>/V", "<I>/mA", "Cs/µF", "Cp/µF", "cycle number", "I Range", "|Ewe|/V",
            "|I|/A", "Ns", "(Q-Qo)/mA.h", "Re(Y)/Ohm-1", "Im(Y)/Ohm-1", "|Y|/Ohm-1",
            "Phase(Y)/deg"]
    info = ["Potentio Electrochemical Impedance Spectroscopy", "",
            "Run on channel : 3 (SN 12345)", "User : ", "Ewe ctrl range : min = -10,00 V, "
            "max = 10,00 V", "Acquisition started on : 12/05/2025 14:03:27",
            "Loaded Setting File : NONE", "Saved on :", "File : pellet.mpr",
            "Directory : C:\\Users\\lab\\Documents\\EC-Lab\\Data\\", "Host : 192.109.209.128",
            "Device : SP-300 (SN 12345)", "Address : USB", "EC-Lab for windows v11.50 "
            "(software)", "Electrode material : Au", "Initial state : ", "Electrolyte : ",
            "Comments : ", f"Temperature : {T_C:g} °C".replace(".", ","), "Mass of active material : "
            "0,001 mg", "Cycle Definition : Charge/Discharge alternance", "Mode\tSingle sine",
            "E (V)\t0,0000", "vs.\tRef", "fi\t7,000\t", "unit fi\tMHz", "ff\t100,000",
            "unit ff\tmHz", "Nd\t10", "Points\tper decade", "spacing\tLogarithmic",
            "Va (mV)\t10,0", "pw\t0,10", "Na\t2", "corr\t0"]
    head = ["EC-Lab ASCII FILE", f"Nb header lines : {len(info) + 5}", "", *info, ""]
    head.append("\t".join(cols) + "\t")
    rows = []
    for i, (x, z) in enumerate(zip(f, Z, strict=True)):
        y = 1 / z
        vals = [x, z.real, -z.imag, abs(z), np.degrees(np.angle(z)), 10.0 + i, 1e-4, 1e-5,
                1e6 / (2 * np.pi * x * -z.imag), 0.0, 1, 12, 0.01, 1e-5, 0, 0.0, y.real, y.imag,
                abs(y), np.degrees(np.angle(y))]
        rows.append("\t".join(f"{v:.7E}".replace(".", ",") if isinstance(v, float)
                              else str(v) for v in vals) + "\t")
    return "\n".join(head + rows) + "\n"


def write_small_arcs(folder: Path, T_C: float, seed: int = 0, stem: str = "pellet") -> Path:
    """Write the conductive pellet's spectrum at ``T_C`` (°C) as a decimal-comma EC-Lab .mpt."""
    f, Z = small_arcs_spectrum(T_C + 273.15, seed)
    path = folder / f"{stem}_{T_C:g}C.mpt"
    path.write_text(ec_lab_mpt(f, Z, T_C), encoding="latin-1")
    return path
