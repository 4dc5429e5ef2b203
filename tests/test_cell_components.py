"""The cell-components table: provenance, the Fig. 17 caption values, lookups and validation."""

from __future__ import annotations

import pandas as pd
import pytest

from nitrolyte.cell import components as comp
from nitrolyte.errors import DataValidationError, MissingDataError, UnknownMaterialError
from nitrolyte.units import FARADAY

# Fig. 17 caption of the review, as printed
CAPTION = {
    ("NMC811", "specific_capacity"): 200.0,
    ("NMC811", "nominal_voltage"): 3.75,
    ("NMC811", "active_fraction"): 0.90,
    ("Li", "specific_capacity"): 3500.0,
    ("Li3InCl6", "density"): 2.59,
    ("LGPS", "density"): 2.04,
    ("β-Li3N", "density"): 1.27,
    ("Al", "density"): 2.7,
    ("Cu", "density"): 8.9,
}


def test_table_has_provenance_columns_and_a_source_on_every_row():
    frame = comp.components_frame()
    for column in ("value", "unit", "source", "ref", "location", "note"):
        assert column in frame.columns
    assert frame["source"].notna().all()
    assert (frame["value"] > 0).all()


@pytest.mark.parametrize(("key", "value"), CAPTION.items())
def test_caption_values(key, value):
    name, prop = key
    assert comp.component_value(name, prop) == value
    entry = comp.component(name).properties[prop]
    assert entry.location == "Fig. 17 caption"


def test_light_foils_are_the_review_values():
    assert comp.component_value("Al", "light_thickness") == 8.0
    assert comp.component_value("Cu", "light_thickness") == 4.0


@pytest.mark.parametrize(("name", "molar_mass"), [
    # IUPAC standard atomic weights: Li 6.94, Co 58.933, O 15.999, Fe 55.845, P 30.974,
    # Ni 58.693, Mn 54.938
    ("LiCoO2", 6.94 + 58.933 + 2 * 15.999),
    ("LiFePO4", 6.94 + 55.845 + 30.974 + 4 * 15.999),
    ("LiNi0.5Mn1.5O4", 6.94 + 0.5 * 58.693 + 1.5 * 54.938 + 4 * 15.999),
    ("NMC811", 6.94 + 0.8 * 58.693 + 0.1 * 54.938 + 0.1 * 58.933 + 2 * 15.999),
    ("Li", 6.941),
])
def test_theoretical_capacities_follow_faradays_law(name, molar_mass):
    expected = FARADAY / (3.6 * molar_mass)
    assert comp.component_value(name, "theoretical_capacity") == pytest.approx(expected, rel=1e-3)


def test_nmc811_density_is_the_crystallographic_density_of_its_cell():
    a, c = 2.87e-8, 14.20e-8  # cm
    volume = 3**0.5 / 2 * a * a * c
    molar = 6.94 + 0.8 * 58.693 + 0.1 * 54.938 + 0.1 * 58.933 + 2 * 15.999
    rho = 3 * molar / (6.02214076e23 * volume)
    assert comp.component_value("NMC811", "density") == pytest.approx(rho, rel=1e-3)


@pytest.mark.parametrize("alias", ["beta-Li3N", "β-Li3N", "BETA-li3n", "vacancy-rich β-Li3N",
                                   "vacancy-rich beta-Li3N"])
def test_aliases_resolve(alias):
    assert comp.resolve(alias) == "β-Li3N"


def test_lgps_aliases_and_erratum_is_recorded():
    assert comp.resolve("Li10GeP2S12") == "LGPS"
    assert "Li12GeP2S12" in comp.component("LGPS").properties["density"].note


def test_unknown_material_suggests_close_matches():
    with pytest.raises(UnknownMaterialError, match=r"unknown material 'Li3InCl5'.*Li3InCl6"):
        comp.resolve("Li3InCl5")


def test_missing_value_raises_missing_data():
    with pytest.raises(MissingDataError, match="no specific_capacity for NCM83"):
        comp.component_value("NCM83", "specific_capacity")


def test_review_inconsistency_for_ncm83_is_kept():
    frame = comp.components_frame()
    rows = frame[(frame["component"] == "NCM83") & (frame["property"] == "areal_capacity")]
    assert sorted(rows["value"]) == [4.47, 5.42]


def test_component_names_by_kind():
    assert set(comp.component_names("foil")) == {"Al", "Cu"}
    assert "NMC811" in comp.component_names("cathode")


def test_to_dict_round_trip_keeps_values():
    d = comp.component("Li3InCl6").to_dict()
    assert d["properties"]["density"]["value"] == 2.59
    assert d["properties"]["ionic_conductivity"]["temperature_K"] == 298.15


def _good_row() -> dict:
    return {"component": "X", "aliases": "", "kind": "sse", "property": "density", "value": 1.0,
            "unit": "g/cm3", "temperature_K": None, "source": "s", "ref": "", "location": "",
            "note": ""}


@pytest.mark.parametrize(("change", "message"), [
    ({"unit": "kg/m3"}, r"row 2, column unit: density must be in g/cm3, got 'kg/m3'"),
    ({"value": -1.0}, r"row 2, column value: must be a number > 0"),
    ({"value": "abc"}, r"row 2, column value"),
    ({"kind": "binder"}, r"row 2, column kind"),
    ({"property": "colour"}, r"row 2, column property: unknown property 'colour'"),
    ({"source": ""}, r"row 2, column source"),
])
def test_validation_names_row_and_column(change, message):
    frame = pd.DataFrame([{**_good_row(), **change}])
    with pytest.raises(DataValidationError, match=message):
        comp._validate(frame)


def test_validation_missing_column():
    with pytest.raises(DataValidationError, match="missing columns source"):
        comp._validate(pd.DataFrame([_good_row()]).drop(columns="source"))
