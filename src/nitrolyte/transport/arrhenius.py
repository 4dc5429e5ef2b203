"""Arrhenius models of ionic conductivity, anchored on a database record or on fitted parameters.

Two conventions are used in the field and both are supported:

* ``"sigmaT"`` (the default, Fig. 10B of the review): :math:`\\sigma T = A\\,e^{-E_a/k_BT}`, with the
  prefactor :math:`A` in S K cm\\ :sup:`-1`;
* ``"sigma"``: :math:`\\sigma = \\sigma_0\\,e^{-E_a/k_BT}`, with :math:`\\sigma_0` in S cm\\ :sup:`-1`.

A model anchored on a record reproduces the record's conductivity at the record's own temperature
exactly in either convention; the conventions differ away from the anchor by the factor
:math:`T_\\mathrm{ref}/T`.

Phase transitions (Li13N4Br near 230 C, Li5NI2 near 170 C) switch the activation energy at
``T_transition_K``; the prefactor of the high-temperature branch is chosen so that the conductivity
is continuous at the transition.

Anisotropic crystals (the alpha-Li3N single crystal, perpendicular and parallel to c) give one model
per direction; :func:`polycrystal_average` combines them (rules documented there).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, get_args

import numpy as np

from nitrolyte.checks import check_choice, check_finite, check_positive, check_range
from nitrolyte.errors import InputError, MissingDataError
from nitrolyte.transport.laws.arrhenius import ln_prefactor_from_point
from nitrolyte.transport.laws.arrhenius import ln_sigma_arrhenius as ln_sigma
from nitrolyte.transport.laws.registry import arrhenius_law, arrhenius_law_names

#: name of an Arrhenius law of :mod:`nitrolyte.transport.laws` (``"sigmaT"`` or ``"sigma"``)
Convention = str
Direction = Literal["perp_c", "par_c"]
PolycrystalRule = Literal["bruggeman", "arithmetic", "harmonic", "geometric"]

CONVENTIONS: tuple[str, ...] = arrhenius_law_names()
DIRECTIONS: tuple[str, ...] = get_args(Direction)
POLYCRYSTAL_RULES: tuple[str, ...] = get_args(PolycrystalRule)

#: largest activation energy accepted, eV (well above any ion conductor in the review, 0.83 eV)
EA_MAX_EV = 5.0


def _check_Ea(name: str, value: Any) -> float:
    return float(check_range(name, value, lo=0.0, hi=EA_MAX_EV))


@dataclass(frozen=True)
class ArrheniusModel:
    """Conductivity of one material (one direction) as a function of temperature.

    .. math:: \\sigma T = A\\,e^{-E_a/k_B T} \\quad\\text{(sigmaT)}, \\qquad
              \\sigma = \\sigma_0\\,e^{-E_a/k_B T} \\quad\\text{(sigma)}

    Attributes
    ----------
    Ea_eV : float
        Activation energy in eV (the low-temperature branch where a transition exists).
    prefactor : float
        :math:`A` in S K/cm (sigmaT) or :math:`\\sigma_0` in S/cm (sigma).
    convention : {"sigmaT", "sigma"}
        Which form the prefactor belongs to.
    T_transition_K : float or None
        Phase-transition temperature in K; above it ``Ea_HT_eV`` applies.
    Ea_HT_eV : float or None
        High-temperature activation energy in eV.
    name, ref, direction : str or None
        Provenance: material name, reference number in the review, crystal direction.
    T_ref_K, sigma_ref_S_cm : float or None
        The anchor point (temperature in K, conductivity in S/cm) where the model was built from one.
    """

    Ea_eV: float
    prefactor: float
    convention: Convention = "sigmaT"
    T_transition_K: float | None = None
    Ea_HT_eV: float | None = None
    name: str = ""
    ref: str = ""
    direction: str | None = None
    T_ref_K: float | None = None
    sigma_ref_S_cm: float | None = None

    def __post_init__(self) -> None:
        arrhenius_law(self.convention)
        _check_Ea("Ea_eV", self.Ea_eV)
        check_positive("prefactor", self.prefactor)
        if (self.T_transition_K is None) != (self.Ea_HT_eV is None):
            raise InputError("T_transition_K and Ea_HT_eV must be given together, got "
                             f"T_transition_K={self.T_transition_K}, Ea_HT_eV={self.Ea_HT_eV}")
        if self.T_transition_K is not None:
            check_positive("T_transition_K", self.T_transition_K)
            _check_Ea("Ea_HT_eV", self.Ea_HT_eV)
        if self.direction is not None:
            check_choice("direction", self.direction, DIRECTIONS)

    @classmethod
    def from_point(
        cls,
        sigma_S_cm: float,
        T_K: float,
        Ea_eV: float,
        convention: Convention = "sigmaT",
        *,
        T_transition_K: float | None = None,
        Ea_HT_eV: float | None = None,
        **provenance: Any,
    ) -> ArrheniusModel:
        """Anchor a model on one conductivity and its activation energy.

        .. math:: A = \\sigma_\\mathrm{ref} T_\\mathrm{ref}\\,e^{E_a/k_B T_\\mathrm{ref}}
                  \\quad\\text{(sigmaT)}, \\qquad
                  \\sigma_0 = \\sigma_\\mathrm{ref}\\,e^{E_a/k_B T_\\mathrm{ref}} \\quad\\text{(sigma)}

        Parameters
        ----------
        sigma_S_cm : float
            Conductivity at ``T_K`` in S/cm (> 0).
        T_K : float
            Anchor temperature in K (> 0, below ``T_transition_K`` if one is given).
        Ea_eV : float
            Activation energy in eV that applies at ``T_K`` (0 to 5).
        convention : {"sigmaT", "sigma"}
            Arrhenius form.
        T_transition_K : float, optional
            Phase-transition temperature in K.
        Ea_HT_eV : float, optional
            Activation energy above the transition, eV.
        **provenance
            ``name``, ``ref``, ``direction``.
        """
        sigma = float(check_finite("sigma_S_cm", check_positive("sigma_S_cm", sigma_S_cm)))
        T = float(check_finite("T_K", check_positive("T_K", T_K)))
        Ea = _check_Ea("Ea_eV", Ea_eV)
        law = arrhenius_law(convention)
        if T_transition_K is not None and T_transition_K <= T:
            raise InputError(f"T_K (the anchor) must be below T_transition_K={T_transition_K:g} K, "
                             f"got {T:g} K")
        ln_A = float(ln_prefactor_from_point(sigma, T, Ea, law.T_exponent))
        return cls(Ea_eV=Ea, prefactor=math.exp(ln_A), convention=convention,
                   T_transition_K=T_transition_K, Ea_HT_eV=Ea_HT_eV, T_ref_K=T,
                   sigma_ref_S_cm=sigma, **provenance)

    @classmethod
    def from_record(cls, record: Any, direction: Direction | None = None,
                    convention: Convention = "sigmaT") -> ArrheniusModel:
        """Anchor a model on a database record's conductivity, temperature and activation energy.

        Parameters
        ----------
        record : MaterialRecord
            From :func:`nitrolyte.api.get`.
        direction : {"perp_c", "par_c"}, optional
            Required for anisotropic records (the alpha-Li3N single crystal).
        convention : {"sigmaT", "sigma"}
            Arrhenius form.
        """
        return cls.from_point(**record_parameters(record, direction), convention=convention)

    @property
    def ln_prefactor(self) -> float:
        """Natural log of the prefactor (S K/cm or S/cm)."""
        return math.log(self.prefactor)

    def ln_sigma(self, T_K: Any) -> np.ndarray:
        """Natural log of the conductivity in S/cm at ``T_K`` (K, finite, any shape)."""
        T = check_finite("T_K", check_positive("T_K", T_K))
        return ln_sigma(T, self.ln_prefactor, self.Ea_eV, arrhenius_law(self.convention).T_exponent,
                        np.inf if self.T_transition_K is None else self.T_transition_K,
                        np.nan if self.Ea_HT_eV is None else self.Ea_HT_eV)

    def sigma_S_cm(self, T_K: Any) -> np.ndarray | float:
        """Conductivity in S/cm at temperature(s) ``T_K`` in K (scalar in, scalar out).

        .. math:: \\sigma(T) = \\frac{A}{T} e^{-E_a/k_B T} \\;\\text{(sigmaT)}, \\quad
                  \\sigma_0 e^{-E_a/k_B T} \\;\\text{(sigma)}
        """
        out = np.exp(self.ln_sigma(T_K))
        return float(out) if out.ndim == 0 else out

    def Ea_at(self, T_K: Any) -> np.ndarray | float:
        """Activation energy in eV that applies at ``T_K`` (K)."""
        T = check_finite("T_K", check_positive("T_K", T_K))
        if self.T_transition_K is None or self.Ea_HT_eV is None:
            Ea = np.full(T.shape, self.Ea_eV)
        else:
            Ea = np.where(self.T_transition_K > T, self.Ea_eV, self.Ea_HT_eV)
        return float(Ea) if Ea.ndim == 0 else Ea

    def with_convention(self, convention: Convention) -> ArrheniusModel:
        """The same anchor point and Ea in the other convention (needs ``T_ref_K``)."""
        if self.T_ref_K is None or self.sigma_ref_S_cm is None:
            raise InputError("with_convention needs a model built from a point (T_ref_K is None)")
        d = {k: v for k, v in asdict(self).items() if k not in ("prefactor", "convention", "T_ref_K",
                                                                  "sigma_ref_S_cm", "Ea_eV")}
        return ArrheniusModel.from_point(self.sigma_ref_S_cm, self.T_ref_K, self.Ea_eV, convention,
                                         **d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, including the prefactor's unit."""
        d = asdict(self)
        d["prefactor_unit"] = arrhenius_law(self.convention).prefactor_unit
        return d


def _value(record: Any, attr: str, *args: Any, **kwargs: Any) -> Any:
    value = getattr(record, attr, None)
    return value(*args, **kwargs) if callable(value) else value


def _is_number(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def record_parameters(record: Any, direction: str | None = None) -> dict[str, Any]:
    """The anchor of a database record as keyword arguments of :meth:`ArrheniusModel.from_point`.

    Raises :class:`InputError` when an anisotropic record is given no direction and
    :class:`MissingDataError` when the record has no conductivity or activation energy.
    """
    name = str(getattr(record, "name", ""))
    directions = tuple(d for d in (_value(record, "directions") or ()) if d)
    if direction is not None:
        check_choice("direction", direction, DIRECTIONS)
        if direction not in directions:
            raise InputError(f"direction {direction!r} is not measured for {name}; "
                             f"available: {', '.join(directions) or 'none (isotropic)'}")
    elif len(directions) > 1:
        raise InputError(f"{name} is anisotropic: pass direction= one of {', '.join(directions)}, "
                         "or use a polycrystal average")
    elif directions:
        direction = directions[0]
    sigma = _value(record, "sigma_S_cm", direction=direction)
    T = _value(record, "T_K", direction=direction)
    Ea = _value(record, "Ea_eV", direction=direction)
    if not (_is_number(sigma) and _is_number(T) and _is_number(Ea)):
        raise MissingDataError(f"{name} has no room-temperature conductivity and activation energy "
                               f"to build an Arrhenius model (sigma={sigma}, T_K={T}, Ea_eV={Ea})")
    Tt, Ea_ht = _value(record, "T_transition_K"), _value(record, "Ea_HT_eV")
    has_transition = _is_number(Tt) and _is_number(Ea_ht)
    return {"sigma_S_cm": float(sigma), "T_K": float(T), "Ea_eV": float(Ea),
            "T_transition_K": float(Tt) if has_transition else None,
            "Ea_HT_eV": float(Ea_ht) if has_transition else None,
            "name": name, "ref": str(_value(record, "ref") or ""), "direction": direction}


def polycrystal_average(sigma_perp: Any, sigma_par: Any,
                        rule: PolycrystalRule = "bruggeman") -> np.ndarray | float:
    """Conductivity of a random, dense polycrystal of uniaxial grains (two axes perp c, one par c).

    * ``"bruggeman"``: symmetric self-consistent effective medium for randomly oriented spherical
      grains; for uniaxial grains the root of the EMA condition has a closed form,

      .. math:: \\sum_i \\tfrac13\\frac{\\sigma_i-\\sigma_e}{\\sigma_i+2\\sigma_e} = 0
                \\;\\Rightarrow\\; \\sigma_e = \\tfrac14\\left(\\sigma_\\perp +
                \\sqrt{\\sigma_\\perp^2 + 8\\sigma_\\perp\\sigma_\\parallel}\\right)

    * ``"arithmetic"``: Voigt (all grains in parallel), the upper bound,
      :math:`\\sigma = (2\\sigma_\\perp + \\sigma_\\parallel)/3`;
    * ``"harmonic"``: Reuss (all grains in series), the lower bound,
      :math:`\\sigma = 3/(2/\\sigma_\\perp + 1/\\sigma_\\parallel)`;
    * ``"geometric"``: :math:`\\sigma = \\sigma_\\perp^{2/3}\\sigma_\\parallel^{1/3}`.

    Always harmonic <= geometric <= arithmetic and harmonic <= bruggeman <= arithmetic.
    Grain boundaries and porosity are not included.

    Parameters
    ----------
    sigma_perp, sigma_par : array_like
        Single-crystal conductivities perpendicular and parallel to c, S/cm (> 0).
    rule : {"bruggeman", "arithmetic", "harmonic", "geometric"}
        Averaging rule.
    """
    a = check_positive("sigma_perp", sigma_perp)
    b = check_positive("sigma_par", sigma_par)
    check_choice("rule", rule, POLYCRYSTAL_RULES)
    if rule == "arithmetic":
        out = (2 * a + b) / 3
    elif rule == "harmonic":
        out = 3 / (2 / a + 1 / b)
    elif rule == "geometric":
        out = a ** (2 / 3) * b ** (1 / 3)
    else:
        out = (a + np.sqrt(a * a + 8 * a * b)) / 4
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class AnisotropicModel:
    """Perpendicular- and parallel-to-c Arrhenius models of one uniaxial crystal."""

    perp_c: ArrheniusModel
    par_c: ArrheniusModel

    @classmethod
    def from_record(cls, record: Any, convention: Convention = "sigmaT") -> AnisotropicModel:
        """Both directions of an anisotropic record (``perp_c`` and ``par_c`` must be measured)."""
        return cls(ArrheniusModel.from_record(record, "perp_c", convention),
                   ArrheniusModel.from_record(record, "par_c", convention))

    def sigma_S_cm(self, T_K: Any, direction: Direction) -> np.ndarray | float:
        """Conductivity in S/cm along ``direction`` at ``T_K`` (K)."""
        check_choice("direction", direction, DIRECTIONS)
        return getattr(self, direction).sigma_S_cm(T_K)

    def polycrystal_sigma_S_cm(self, T_K: Any,
                               rule: PolycrystalRule = "bruggeman") -> np.ndarray | float:
        """Polycrystal average (see :func:`polycrystal_average`) at ``T_K`` (K), S/cm."""
        return polycrystal_average(self.perp_c.sigma_S_cm(T_K), self.par_c.sigma_S_cm(T_K), rule)

    def with_convention(self, convention: Convention) -> AnisotropicModel:
        """Both directions re-anchored in ``convention``."""
        return replace(self, perp_c=self.perp_c.with_convention(convention),
                       par_c=self.par_c.with_convention(convention))
