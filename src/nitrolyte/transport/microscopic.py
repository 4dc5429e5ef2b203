"""The microscopic picture of Fig. 10B: prefactor from hopping, carrier density, Nernst-Einstein.

Fig. 10B of the review writes the conductivity as

.. math:: \\sigma = \\frac{\\sigma_0}{T}\\,e^{-E_a/k_BT}, \\qquad
          \\sigma_0 = \\frac{z\\,n\\,e^2 a_0^2 \\nu_0}{k_B}\\,e^{\\Delta S_m/k_B}

with ``z`` the geometric factor, ``n`` the concentration of mobile Li+, :math:`\\Delta S_m` the
migration entropy, :math:`a_0` the hop distance and :math:`\\nu_0` the attempt frequency. The
caption names the symbols but not where the dimensionality factor sits; nitrolyte puts it in ``z``:
for uncorrelated hops in d dimensions :math:`z = 1/(2d)`, i.e. 1/6 in 3D (the default), which makes
:math:`\\sigma_0/T` equal to the Nernst-Einstein conductivity with the random-walk diffusivity
:math:`D = z a_0^2 \\nu_0 e^{\\Delta S_m/k_B} e^{-E_a/k_BT}`. The prefactor is in S K/cm, the
``"sigmaT"`` convention of :class:`~nitrolyte.transport.arrhenius.ArrheniusModel`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from nitrolyte.checks import check_fraction, check_positive, check_range, scalar_or_array
from nitrolyte.errors import InputError
from nitrolyte.transport.arrhenius import EA_MAX_EV, ArrheniusModel
from nitrolyte.units import E_CHARGE, K_B, K_B_EV, N_A

ANGSTROM_CM = 1e-8
ANGSTROM3_CM3 = 1e-24



def carrier_concentration_cm3(
    composition: Any,
    density_g_cm3: float | None = None,
    volume_A3: float | None = None,
    Z: float | None = None,
    mobile_fraction: float = 1.0,
    species: str = "Li",
) -> float:
    """Concentration of mobile ions from a composition and a density or a unit-cell volume.

    .. math:: n = N_\\mathrm{Li}\\,f\\,\\frac{\\rho N_A}{M} \\quad\\text{or}\\quad
              n = N_\\mathrm{Li}\\,f\\,\\frac{Z}{V}

    Parameters
    ----------
    composition : str or pymatgen Composition
        Formula unit, e.g. ``"Li3N"``.
    density_g_cm3 : float, optional
        Density in g/cm^3; give this or (``volume_A3``, ``Z``).
    volume_A3 : float, optional
        Unit-cell volume in cubic angstrom.
    Z : float, optional
        Formula units per cell.
    mobile_fraction : float
        Fraction (0, 1] of the ``species`` atoms counted as carriers, e.g. for the Li(4f) vacancies
        of vacancy-rich beta-Li3N (8.1 % of the two 4f sites per Li3N): ``2 * 0.081 / 3``.
    species : str
        Element of the mobile ion (default Li).

    Returns
    -------
    float
        Carrier concentration in cm^-3.
    """
    from pymatgen.core import Composition

    try:
        comp = Composition(composition)
    except Exception as exc:  # pymatgen raises several types for unparsable formulas
        raise InputError(f"composition: cannot parse {composition!r} ({exc})") from None
    n_species = comp[species]
    if n_species <= 0:
        raise InputError(f"composition {comp.reduced_formula} contains no {species}")
    check_fraction("mobile_fraction", mobile_fraction)
    if (density_g_cm3 is None) == (volume_A3 is None):
        raise InputError("carrier_concentration_cm3 needs exactly one of density_g_cm3 or "
                         f"volume_A3 (with Z), got density_g_cm3={density_g_cm3}, volume_A3={volume_A3}")
    if density_g_cm3 is not None:
        fu_cm3 = float(check_positive("density_g_cm3", density_g_cm3)) * N_A / comp.weight
    else:
        if Z is None:
            raise InputError("Z (formula units per cell) is required with volume_A3")
        fu_cm3 = float(check_positive("Z", Z)) / (float(check_positive("volume_A3", volume_A3))
                                                 * ANGSTROM3_CM3)
    return float(n_species * mobile_fraction * fu_cm3)


def sigma_from_D(D_cm2_s: Any, n_cm3: Any, T_K: Any, z: int = 1,
                 haven_ratio: Any = 1.0) -> np.ndarray | float:
    """Nernst-Einstein conductivity from a tracer diffusivity.

    .. math:: \\sigma = \\frac{n (z e)^2 D^*}{k_B T H_R}, \\qquad H_R = D^*/D_\\sigma

    Parameters
    ----------
    D_cm2_s : array_like
        Tracer (self-)diffusion coefficient in cm^2/s (>= 0).
    n_cm3 : array_like
        Carrier concentration in cm^-3 (> 0).
    T_K : array_like
        Temperature in K (> 0).
    z : int
        Charge number of the ion (1 for Li+).
    haven_ratio : array_like
        Haven ratio in (0, 1]; 1 ignores correlation (the default).

    Returns
    -------
    float or ndarray
        Conductivity in S/cm.
    """
    D = check_range("D_cm2_s", D_cm2_s, lo=0.0)
    q = _charge(z)
    out = (check_positive("n_cm3", n_cm3) * q**2 * D
           / (K_B * check_positive("T_K", T_K) * check_fraction("haven_ratio", haven_ratio)))
    return scalar_or_array(out)


def D_from_sigma(sigma_S_cm: Any, n_cm3: Any, T_K: Any, z: int = 1,
                 haven_ratio: Any = 1.0) -> np.ndarray | float:
    """Tracer diffusivity from a conductivity (inverse of :func:`sigma_from_D`).

    .. math:: D^* = \\frac{\\sigma k_B T H_R}{n (z e)^2}

    Parameters
    ----------
    sigma_S_cm : array_like
        Conductivity in S/cm (>= 0).
    n_cm3 : array_like
        Carrier concentration in cm^-3 (> 0).
    T_K : array_like
        Temperature in K (> 0).
    z : int
        Charge number (1 for Li+).
    haven_ratio : array_like
        Haven ratio in (0, 1].

    Returns
    -------
    float or ndarray
        Diffusion coefficient in cm^2/s.
    """
    sigma = check_range("sigma_S_cm", sigma_S_cm, lo=0.0)
    q = _charge(z)
    out = (sigma * K_B * check_positive("T_K", T_K) * check_fraction("haven_ratio", haven_ratio)
           / (check_positive("n_cm3", n_cm3) * q**2))
    return scalar_or_array(out)


def _charge(z: int) -> float:
    if isinstance(z, bool) or not isinstance(z, int | np.integer) or z == 0:
        raise InputError(f"z (charge number) must be a non-zero integer, got {z!r}")
    return abs(int(z)) * E_CHARGE


@dataclass(frozen=True)
class HoppingModel:
    """Arrhenius conductivity from the microscopic hopping parameters of Fig. 10B.

    Attributes
    ----------
    n_cm3 : float
        Mobile-ion concentration, cm^-3.
    hop_distance_A : float
        Hop distance :math:`a_0`, angstrom.
    attempt_frequency_Hz : float
        Attempt frequency :math:`\\nu_0`, Hz (typically 1e12-1e13).
    Ea_eV : float
        Activation (migration) energy, eV.
    delta_S_m_kB : float
        Migration entropy in units of :math:`k_B` (dimensionless).
    geometric_factor : float
        The caption's ``z``; 1/6 for uncorrelated 3D hops.
    charge_number : int
        Charge of the ion in units of e (1 for Li+).
    """

    n_cm3: float
    hop_distance_A: float
    attempt_frequency_Hz: float
    Ea_eV: float
    delta_S_m_kB: float = 0.0
    geometric_factor: float = 1 / 6
    charge_number: int = 1

    def __post_init__(self) -> None:
        check_positive("n_cm3", self.n_cm3)
        check_positive("hop_distance_A", self.hop_distance_A)
        check_positive("attempt_frequency_Hz", self.attempt_frequency_Hz)
        check_range("Ea_eV", self.Ea_eV, lo=0.0, hi=EA_MAX_EV)
        check_range("delta_S_m_kB", self.delta_S_m_kB, lo=-50.0, hi=50.0)
        check_fraction("geometric_factor", self.geometric_factor)
        _charge(self.charge_number)

    @property
    def prefactor_S_K_cm(self) -> float:
        """:math:`\\sigma_0 = z n (qe)^2 a_0^2 \\nu_0 e^{\\Delta S_m/k_B}/k_B`, S K/cm."""
        q = _charge(self.charge_number)
        a0 = self.hop_distance_A * ANGSTROM_CM
        return (self.geometric_factor * self.n_cm3 * q**2 * a0**2 * self.attempt_frequency_Hz
                * math.exp(self.delta_S_m_kB) / K_B)

    def diffusivity_cm2_s(self, T_K: Any) -> np.ndarray | float:
        """Random-walk diffusivity :math:`D = z a_0^2 \\nu_0 e^{\\Delta S_m/k_B} e^{-E_a/k_BT}`, cm^2/s."""
        T = check_positive("T_K", T_K)
        a0 = self.hop_distance_A * ANGSTROM_CM
        return scalar_or_array(self.geometric_factor * a0**2 * self.attempt_frequency_Hz
                    * np.exp(self.delta_S_m_kB - self.Ea_eV / (K_B_EV * T)))

    def to_model(self, name: str = "") -> ArrheniusModel:
        """The equivalent ``"sigmaT"`` :class:`ArrheniusModel`."""
        return ArrheniusModel(Ea_eV=self.Ea_eV, prefactor=self.prefactor_S_K_cm, convention="sigmaT",
                              name=name)

    def sigma_S_cm(self, T_K: Any) -> np.ndarray | float:
        """Conductivity :math:`\\sigma = (\\sigma_0/T) e^{-E_a/k_BT}` in S/cm at ``T_K`` (K)."""
        return self.to_model().sigma_S_cm(T_K)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the prefactor."""
        return {**asdict(self), "prefactor_S_K_cm": self.prefactor_S_K_cm}


def implied_migration_entropy_kB(prefactor_S_K_cm: float, n_cm3: float, hop_distance_A: float,
                                 attempt_frequency_Hz: float, geometric_factor: float = 1 / 6,
                                 charge_number: int = 1) -> float:
    """Migration entropy (units of k_B) that makes Fig. 10B's prefactor equal a measured one.

    .. math:: \\Delta S_m/k_B = \\ln\\frac{\\sigma_0 k_B}{z n e^2 a_0^2 \\nu_0}

    Parameters
    ----------
    prefactor_S_K_cm : float
        Measured or fitted :math:`\\sigma_0` (sigmaT convention), S K/cm.
    n_cm3, hop_distance_A, attempt_frequency_Hz, geometric_factor, charge_number
        As in :class:`HoppingModel` (cm^-3, angstrom, Hz, dimensionless, e).
    """
    check_positive("prefactor_S_K_cm", prefactor_S_K_cm)
    base = HoppingModel(n_cm3, hop_distance_A, attempt_frequency_Hz, 0.0, 0.0, geometric_factor,
                        charge_number).prefactor_S_K_cm
    return math.log(prefactor_S_K_cm / base)
