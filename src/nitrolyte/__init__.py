"""nitrolyte: a cited database and toolkit for nitride solid-state electrolytes.

Implements the review *Nitride solid-state electrolytes for all-solid-state lithium metal
batteries* (Energy Environ. Sci., 2025, 18, 4521; DOI 10.1039/d4ee04927f).

The public functions are imported lazily (PEP 562) so that ``import nitrolyte`` stays fast and
pulls in neither pymatgen nor plotting libraries until they are used.
"""

from __future__ import annotations

import importlib

from nitrolyte._lazy import lazy_exports

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "compare_conductivities": "nitrolyte.crosscheck",
    # errors
    "NitrolyteError": "nitrolyte.errors",
    "InputError": "nitrolyte.errors",
    "UnitError": "nitrolyte.errors",
    "DataValidationError": "nitrolyte.errors",
    "UnknownMaterialError": "nitrolyte.errors",
    "MissingDataError": "nitrolyte.errors",
    "DatabaseError": "nitrolyte.errors",
    "NitrolyteWarning": "nitrolyte.errors",
    "PlausibilityWarning": "nitrolyte.errors",
    **{n: "nitrolyte.api" for n in ("materials", "get", "names", "MaterialRecord")}, "Database": "nitrolyte.store", "build_report": "nitrolyte.report", "create_app": "nitrolyte.web",
    **{n: "nitrolyte.structures" for n in ("degree_of_condensation", "vacancy_concentration", "li_content", "structure", "density_g_cm3", "VacancyResult")},
    **{n: "nitrolyte.cell" for n in ("PouchCell", "CellResult", "pouch_cell", "critical_value", "CriticalValue", "fast_charge_check", "FastChargeCheck")},
    **{n: "nitrolyte.stability" for n in ("electrochemical_window", "interface_reaction", "check_stack", "voltage_profile", "reported_windows", "StabilityWindow", "InterfaceResult", "StackCheck")},
    **{n: "nitrolyte.transport" for n in ("ArrheniusModel", "ArrheniusFit", "conductivity", "conductivity_table", "fit_arrhenius", "read_conductivity_csv", "fit_impedance", "read_spectrum", "arrhenius_from_spectra", "check_layer", "LayerCheck", "required_conductivity_S_cm", "sigma_from_D", "D_from_sigma", "carrier_concentration_cm3", "HoppingModel")},
    **{n: "nitrolyte.transport.eis_readers" for n in ("read_instrument_file",)},
    **{n: "nitrolyte.transport.measured" for n in ("compare_set", "SetComparison")},
    "vacancy_supercell": "nitrolyte.structures", "library_structure": "nitrolyte.structures.library",
    "MLSource": "nitrolyte.stability.ml", "air_reactions": "nitrolyte.stability.air",
    **{n: "nitrolyte.simulate" for n in ("analyze_diffusion", "DiffusionResult", "run_md", "MDRun", "simulate_transport", "MDSettings", "TransportSimulation", "run_campaign")},
    **{n: "nitrolyte.discover.run" for n in ("run_discovery", "Discovery")},
    **{n: "nitrolyte.discover.space" for n in ("parse_space",)},
    **{n: "nitrolyte.screening" for n in ("screen", "ScreeningResult", "ScreeningRow", "CriterionResult", "Target", "Stack", "ScreeningDesign", "default_targets", "pareto_front")},
}

__all__ = ["__version__", *sorted(_EXPORTS)]

# The submodule nitrolyte.names (stdlib only) would shadow the public function ``names`` once
# imported: load it now and drop the attribute, so ``nitrolyte.names`` is always api.names.
importlib.import_module("nitrolyte.names")
globals().pop("names", None)


__getattr__, __dir__ = lazy_exports("nitrolyte", _EXPORTS, globals())
