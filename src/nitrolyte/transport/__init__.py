"""Ion transport: Arrhenius models and fits, impedance to conductivity, Fig. 10B, layer resistance.

* :mod:`~nitrolyte.transport.arrhenius` - :class:`ArrheniusModel` (sigmaT / sigma conventions,
  phase transitions), :class:`AnisotropicModel`, :func:`polycrystal_average`;
* :mod:`~nitrolyte.transport.conductivity` - :func:`conductivity`, :func:`conductivity_table` of
  database materials;
* :mod:`~nitrolyte.transport.laws` - conductivity laws as objects (σT, σ, VTF, two-regime) and
  their registry (:func:`get_law`, :func:`law_names`);
* :mod:`~nitrolyte.transport.fitting` - :func:`fit_law` (any law), :func:`fit_arrhenius` with
  uncertainties;
* :mod:`~nitrolyte.transport.io` - :func:`read_conductivity_csv`, :func:`read_spectrum`;
* :mod:`~nitrolyte.transport.impedance` - :func:`fit_impedance` (circuits in
  :mod:`~nitrolyte.transport.circuits`); :mod:`~nitrolyte.transport.eis_readers` -
  :func:`read_instrument_file`; :mod:`~nitrolyte.transport.eis_series` - :func:`arrhenius_from_spectra`;
* :mod:`~nitrolyte.transport.microscopic` - Fig. 10B prefactor, carrier density, Nernst-Einstein;
* :mod:`~nitrolyte.transport.layer` - ASR, ohmic drop, conductivity needed for a C-rate.


The names below are imported lazily (PEP 562): ``nitrolyte.transport.conductivity`` does not pay
for scipy.stats (the fits) or the impedance circuits until they are used.
"""

from __future__ import annotations

from nitrolyte._lazy import lazy_exports

# eager: small, and the submodule ``conductivity`` must not shadow the function of that name
from nitrolyte.transport.arrhenius import AnisotropicModel, ArrheniusModel, polycrystal_average
from nitrolyte.transport.conductivity import conductivity, conductivity_table, model_for

#: public name -> submodule that defines it (imported on first use)
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("ArrheniusFit", "ArrheniusPrediction", "fit_arrhenius", "fit_arrhenius_resistance",
        "fit_law", "sigma_from_resistance_S_cm"),
        "nitrolyte.transport.fitting"),
    **dict.fromkeys(("ImpedanceFit", "fit_impedance"), "nitrolyte.transport.impedance"),
    **dict.fromkeys(("SpectraArrhenius", "arrhenius_from_spectra"),
        "nitrolyte.transport.eis_series"),
    "read_instrument_file": "nitrolyte.transport.eis_readers",
    **dict.fromkeys(("get_law", "law_names", "register_law"), "nitrolyte.transport.laws.registry"),
    "LawFit": "nitrolyte.transport.laws.base",
    **dict.fromkeys(("ConductivityData", "Spectrum", "read_conductivity_csv", "read_spectrum"),
        "nitrolyte.transport.io"),
    **dict.fromkeys(("LayerCheck", "check_layer", "current_density_mA_cm2", "layer_asr_ohm_cm2",
        "ohmic_drop_V", "required_conductivity_S_cm", "stack_asr_ohm_cm2"),
        "nitrolyte.transport.layer"),
    **dict.fromkeys(("D_from_sigma", "HoppingModel", "carrier_concentration_cm3",
        "implied_migration_entropy_kB", "sigma_from_D"),
        "nitrolyte.transport.microscopic"),
}

__all__ = [
    "AnisotropicModel", "ArrheniusFit", "ArrheniusModel", "ArrheniusPrediction", "ConductivityData",
    "D_from_sigma", "HoppingModel", "ImpedanceFit", "LawFit", "LayerCheck", "SpectraArrhenius",
    "Spectrum", "arrhenius_from_spectra", "carrier_concentration_cm3", "check_layer", "conductivity",
    "conductivity_table", "current_density_mA_cm2", "fit_arrhenius", "fit_arrhenius_resistance",
    "fit_impedance", "fit_law", "get_law", "implied_migration_entropy_kB", "law_names",
    "layer_asr_ohm_cm2", "model_for", "ohmic_drop_V", "polycrystal_average", "read_conductivity_csv",
    "read_instrument_file", "read_spectrum", "register_law", "required_conductivity_S_cm",
    "sigma_from_D", "sigma_from_resistance_S_cm", "stack_asr_ohm_cm2",
]


__getattr__, __dir__ = lazy_exports("nitrolyte.transport", _EXPORTS, globals())
