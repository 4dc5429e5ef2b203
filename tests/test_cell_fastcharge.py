"""Fast-charge check: ohmic drop across the SSE layers of a design."""

from __future__ import annotations

import pytest

from nitrolyte.cell import PouchCell
from nitrolyte.cell.fastcharge import fast_charge_check
from nitrolyte.errors import InputError, MissingDataError


def test_drop_by_hand_with_explicit_conductivities():
    check = fast_charge_check(c_rate=4, catholyte_sigma_S_cm=1e-3, nitride_sigma_S_cm=2e-3,
                              areal_capacity_mAh_cm2=3, sse_um=50)
    j = 3 * 4  # mA/cm2
    assert check.current_density_mA_cm2 == j
    assert check.catholyte_drop_V == pytest.approx(j * 1e-3 * 50e-4 / 1e-3)  # 0.06 V
    assert check.nitride_drop_V == pytest.approx(j * 1e-3 * 50e-4 / 2e-3)    # 0.03 V
    assert check.total_drop_V == pytest.approx(0.09)
    assert check.passes
    frame = check.to_frame()
    assert list(frame["layer"]) == ["catholyte", "nitride", "total"]
    assert frame["drop_V"].iloc[-1] == pytest.approx(0.09)


def test_table_and_database_conductivities_at_room_temperature():
    check = fast_charge_check(nitride_material="vacancy-rich β-Li3N")
    assert check.catholyte_sigma_S_cm == 1.49e-3
    assert "components table" in check.catholyte_sigma_source
    assert check.nitride_sigma_S_cm == pytest.approx(2.14e-3, rel=1e-6)  # Table 1, 25 C
    assert check.total_drop_V == pytest.approx(0.016 * 20e-4 * (1 / 1.49e-3 + 1 / 2.14e-3))
    assert check.gravimetric_Wh_kg == pytest.approx(PouchCell().evaluate().gravimetric_Wh_kg)


def test_nitride_conductivity_follows_temperature():
    cold = fast_charge_check(T_K=273.15, catholyte_sigma_S_cm=1e-3)
    warm = fast_charge_check(T_K=333.15, catholyte_sigma_S_cm=1e-3)
    assert warm.nitride_sigma_S_cm > cold.nitride_sigma_S_cm
    assert warm.nitride_drop_V < cold.nitride_drop_V


def test_lgps_at_its_measurement_temperature():
    check = fast_charge_check(catholyte="LGPS", T_K=300.15, nitride_sigma_S_cm=1e-3)
    assert check.catholyte_sigma_S_cm == 1.2e-2


def test_thick_layers_fail_a_4c_charge():
    check = fast_charge_check(design=PouchCell(areal_capacity_mAh_cm2=5, catholyte_um=100,
                                               nitride_um=100), nitride_sigma_S_cm=1e-4,
                              catholyte_sigma_S_cm=1e-3)
    assert check.total_drop_V == pytest.approx(0.02 * 100e-4 * (1e3 + 1e4))
    assert not check.passes


@pytest.mark.parametrize(("kwargs", "message", "error"), [
    ({"T_K": 320}, r"catholyte 'Li3InCl6' at 320 K is not known.*only at 298.15 K", MissingDataError),
    ({"c_rate": 0, "catholyte_sigma_S_cm": 1e-3}, r"c_rate must be > 0, got 0", InputError),
    ({"T_K": -5}, r"T_K must be > 0, got -5", InputError),
    ({"max_drop_V": 0}, r"max_drop_V must be > 0, got 0", InputError),
    ({"catholyte_sigma_S_cm": -1.0}, r"catholyte_sigma_S_cm must be > 0", InputError),
    ({"sse_um": [10.0, 20.0]}, r"takes one design", InputError),
])
def test_errors(kwargs, message, error):
    with pytest.raises(error, match=message):
        fast_charge_check(**kwargs)
