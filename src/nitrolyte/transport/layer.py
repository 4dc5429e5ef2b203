"""What a conductivity means for an SSE layer in a cell: resistance, ohmic drop, C-rate.

All functions broadcast over numpy arrays. Conventions: thickness in micrometres, conductivity in
S/cm, current density in mA/cm^2, areal capacity in mAh/cm^2, area-specific resistance (ASR) in
ohm cm^2, voltage in V.

The review (Perspective (a)) asks for 1e-3 to 1e-2 S/cm for a 15-min (4C) charge. With its other
targets (areal capacity 3 mAh/cm^2, SSE layer 100 um), 4C means 12 mA/cm^2 and

* 1e-3 S/cm gives ASR 10 ohm cm^2 and a 0.12 V ohmic drop across the SSE;
* 1e-2 S/cm gives ASR 1 ohm cm^2 and a 12 mV drop;

so :func:`required_conductivity_S_cm` (3 mAh/cm^2, 4C, 100 um, 0.12 V) = 1e-3 S/cm and with an
allowed 12 mV drop = 1e-2 S/cm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nitrolyte.checks import (
    check_nonnegative_finite,
    check_positive,
    check_positive_finite,
    scalar_or_array,
)
from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

UM_TO_CM = 1e-4



def layer_asr_ohm_cm2(sigma_S_cm: Any, thickness_um: Any) -> np.ndarray | float:
    """Area-specific resistance of a layer.

    .. math:: \\mathrm{ASR} = L/\\sigma

    Parameters
    ----------
    sigma_S_cm : array_like
        Ionic conductivity in S/cm (> 0).
    thickness_um : array_like
        Layer thickness in um (>= 0).
    """
    return scalar_or_array(check_nonnegative_finite("thickness_um", thickness_um) * UM_TO_CM
                / check_positive_finite("sigma_S_cm", sigma_S_cm))


def stack_asr_ohm_cm2(layers: Sequence[tuple[Any, Any]]) -> np.ndarray | float:
    """Area-specific resistance of layers in series (interfaces not included).

    .. math:: \\mathrm{ASR} = \\sum_k L_k/\\sigma_k

    Parameters
    ----------
    layers : sequence of (sigma_S_cm, thickness_um)
        Conductivity in S/cm and thickness in um of each layer (each may be an array).
    """
    if len(layers) == 0:
        raise InputError("layers must hold at least one (sigma_S_cm, thickness_um) pair, got none")
    total: Any = 0.0
    for i, layer in enumerate(layers):
        if len(layer) != 2:
            raise InputError(f"layers[{i}] must be a (sigma_S_cm, thickness_um) pair, got {layer!r}")
        total = total + np.asarray(layer_asr_ohm_cm2(*layer))
    return scalar_or_array(np.asarray(total))


def current_density_mA_cm2(areal_capacity_mAh_cm2: Any, c_rate: Any) -> np.ndarray | float:
    """Current density that (dis)charges an areal capacity at a C-rate.

    .. math:: j = Q_A \\cdot C

    Parameters
    ----------
    areal_capacity_mAh_cm2 : array_like
        Areal capacity in mAh/cm^2 (> 0).
    c_rate : array_like
        C-rate in 1/h (> 0; 4C = a 15-min charge).
    """
    return scalar_or_array(check_positive_finite("areal_capacity_mAh_cm2", areal_capacity_mAh_cm2)
                * check_positive_finite("c_rate", c_rate))


def ohmic_drop_V(sigma_S_cm: Any, thickness_um: Any,
                 current_density_mA_cm2: Any) -> np.ndarray | float:
    """Ohmic voltage drop across a layer.

    .. math:: \\Delta V = j\\,L/\\sigma

    Parameters
    ----------
    sigma_S_cm : array_like
        Conductivity in S/cm (> 0).
    thickness_um : array_like
        Thickness in um (>= 0).
    current_density_mA_cm2 : array_like
        Current density in mA/cm^2 (>= 0).
    """
    j = check_nonnegative_finite("current_density_mA_cm2", current_density_mA_cm2) * 1e-3
    return scalar_or_array(j * np.asarray(layer_asr_ohm_cm2(sigma_S_cm, thickness_um)))


def required_conductivity_S_cm(areal_capacity_mAh_cm2: Any, c_rate: Any, thickness_um: Any,
                               max_drop_V: Any) -> np.ndarray | float:
    """Smallest conductivity that keeps the layer's ohmic drop within ``max_drop_V``.

    .. math:: \\sigma_\\mathrm{min} = \\frac{Q_A\\,C\\,L}{\\Delta V_\\mathrm{max}}

    Parameters
    ----------
    areal_capacity_mAh_cm2 : array_like
        Areal capacity in mAh/cm^2 (> 0).
    c_rate : array_like
        C-rate in 1/h (> 0).
    thickness_um : array_like
        Layer thickness in um (>= 0).
    max_drop_V : array_like
        Allowed ohmic drop in V (> 0).
    """
    j_A_cm2 = np.asarray(current_density_mA_cm2(areal_capacity_mAh_cm2, c_rate)) * 1e-3
    L_cm = check_nonnegative_finite("thickness_um", thickness_um) * UM_TO_CM
    return scalar_or_array(j_A_cm2 * L_cm / check_positive_finite("max_drop_V", max_drop_V))


@dataclass(frozen=True)
class LayerCheck:
    """Whether an SSE layer carries a C-rate within an allowed ohmic drop.

    Attributes
    ----------
    material : str
        Material name ("" for a bare conductivity).
    T_K : float or None
        Temperature in K at which ``sigma_S_cm`` applies.
    sigma_S_cm : float
        Layer conductivity, S/cm.
    thickness_um, areal_capacity_mAh_cm2, c_rate, max_drop_V : float
        The inputs (um, mAh/cm^2, 1/h, V).
    current_density_mA_cm2, asr_ohm_cm2, drop_V, required_sigma_S_cm : float
        Results (mA/cm^2, ohm cm^2, V, S/cm).
    margin : float
        ``sigma_S_cm / required_sigma_S_cm``; >= 1 passes.
    passes : bool
        ``drop_V <= max_drop_V``.
    """

    material: str
    T_K: float | None
    sigma_S_cm: float
    thickness_um: float
    areal_capacity_mAh_cm2: float
    c_rate: float
    max_drop_V: float
    current_density_mA_cm2: float
    asr_ohm_cm2: float
    drop_V: float
    required_sigma_S_cm: float
    margin: float
    passes: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row table."""
        return pd.DataFrame([self.to_dict()])


def check_layer(
    sigma_S_cm: float | None = None,
    *,
    thickness_um: float,
    areal_capacity_mAh_cm2: float,
    c_rate: float,
    max_drop_V: float = 0.1,
    material: Any = None,
    T_K: float | None = None,
    direction: str | None = None,
    db: DatabaseLike | None = None,
) -> LayerCheck:
    """Check one SSE layer, from a conductivity or from a database material at ``T_K``.

    .. math:: j = Q_A C, \\quad \\Delta V = jL/\\sigma, \\quad \\sigma_\\mathrm{min} = jL/\\Delta V_\\mathrm{max}

    Parameters
    ----------
    sigma_S_cm : float, optional
        Conductivity in S/cm; give this or ``material``.
    thickness_um : float
        Layer thickness in um.
    areal_capacity_mAh_cm2 : float
        Areal capacity in mAh/cm^2.
    c_rate : float
        C-rate in 1/h.
    max_drop_V : float
        Allowed ohmic drop in V (default 0.1 V).
    material : str or MaterialRecord, optional
        Material whose Arrhenius model (sigmaT convention) gives the conductivity at ``T_K``.
    T_K : float, optional
        Temperature in K (default: the record's own temperature); e.g. 253.15 for -20 C.
    direction : {"perp_c", "par_c"}, optional
        For anisotropic records.
    db : Database or path, optional
        Database to read (default: the user's).
    """
    if (sigma_S_cm is None) == (material is None):
        raise InputError("check_layer needs exactly one of sigma_S_cm or material, got "
                         f"sigma_S_cm={sigma_S_cm!r}, material={material!r}")
    name = ""
    if material is not None:
        from nitrolyte.transport.conductivity import model_for

        model = model_for(material, direction, db=db)
        name = model.name
        T_K = model.T_ref_K if T_K is None else float(check_positive("T_K", T_K))
        sigma_S_cm = float(model.sigma_S_cm(T_K))
    sigma = float(check_positive_finite("sigma_S_cm", sigma_S_cm))
    j = float(current_density_mA_cm2(areal_capacity_mAh_cm2, c_rate))
    drop = float(ohmic_drop_V(sigma, thickness_um, j))
    required = float(required_conductivity_S_cm(areal_capacity_mAh_cm2, c_rate, thickness_um,
                                                 max_drop_V))
    return LayerCheck(material=name, T_K=T_K, sigma_S_cm=sigma, thickness_um=float(thickness_um),
                      areal_capacity_mAh_cm2=float(areal_capacity_mAh_cm2), c_rate=float(c_rate),
                      max_drop_V=float(max_drop_V), current_density_mA_cm2=j,
                      asr_ohm_cm2=float(layer_asr_ohm_cm2(sigma, thickness_um)), drop_V=drop,
                      required_sigma_S_cm=required,
                      margin=sigma / required if required > 0 else float("inf"),
                      passes=drop <= float(max_drop_V))
