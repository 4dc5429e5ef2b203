"""Fast-charge check: ohmic drop across the SSE layers of a design."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitrolyte.cell import PouchCell
from nitrolyte.cell.fastcharge import fast_charge_check
from nitrolyte.errors import InputError, UnknownMaterialError


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
    ({"nitride_material": "unobtainium nitride"}, r"unobtainium", UnknownMaterialError),
    ({"c_rate": 0, "catholyte_sigma_S_cm": 1e-3}, r"c_rate must be > 0 and <= 100, got 0", InputError),
    ({"T_K": -5}, r"T_K must be >= 10 and <= 2000, got -5", InputError),
    ({"max_drop_V": 0}, r"max_drop_V must be > 0 and <= 10, got 0", InputError),
    ({"catholyte_sigma_S_cm": -1.0}, r"catholyte_sigma_S_cm must be > 0", InputError),
    ({"sse_um": [10.0, 20.0]}, r"takes one design", InputError),
])
def test_errors(kwargs, message, error):
    with pytest.raises(error, match=message):
        fast_charge_check(**kwargs)


def test_default_nitride_is_the_review_cells_vacancy_rich_beta_li3n():
    """The default β-Li3N layer carries vacancy-rich β-Li3N's 2.14e-3 S/cm (Table 1, ref 15),
    not plain β-Li3N's 2.085e-4; plain β-Li3N stays available by name."""
    check = fast_charge_check(c_rate=4)
    assert check.nitride == "vacancy-rich β-Li3N"
    assert check.nitride_sigma_S_cm == pytest.approx(2.14e-3, rel=1e-6)
    assert "the nitride of the review's cells (ref. 15)" in check.nitride_sigma_source
    assert check.verdict == "pass" and check.passes and check.reason == ""
    plain = fast_charge_check(c_rate=4, nitride_material="β-Li3N")
    assert plain.nitride_sigma_S_cm == pytest.approx(2.085e-4, rel=1e-6)
    assert plain.nitride_drop_V == pytest.approx(0.016 * 20e-4 / 2.085e-4)


def test_minus_20_c_is_unknown_not_an_error():
    """Li3InCl6 has only its 25 °C value: at -20 °C the verdict is unknown, with the reason."""
    check = fast_charge_check(c_rate=4, T_K=253.15)
    assert check.verdict == "unknown" and not check.passes
    assert "catholyte 'Li3InCl6' at 253.15 K is not known" in check.reason
    assert "only at 298.15 K" in check.reason
    assert check.catholyte_sigma_source == "unknown" and check.total_drop_V != check.total_drop_V
    # the nitride is still known there (vacancy-rich β-Li3N, sigmaT Arrhenius, Ea 0.371 eV)
    k_b = 8.617333262e-5
    expected = 2.14e-3 * 298.15 / 253.15 * math.exp(-0.371 / k_b * (1 / 253.15 - 1 / 298.15))
    assert check.nitride_sigma_S_cm == pytest.approx(expected, rel=1e-3)
    doc = check.to_dict()
    assert doc["verdict"] == "unknown" and doc["total_drop_V"] is None
    given = fast_charge_check(c_rate=4, T_K=253.15, catholyte_sigma_S_cm=2e-4)
    assert given.verdict in ("pass", "fail") and given.reason == ""


def test_cli_says_unknown_and_why_wh_per_l_is_missing():
    from typer.testing import CliRunner

    from nitrolyte.cli import app

    done = CliRunner().invoke(app, ["cell", "--cathode", "LFP", "--c-rate", "4", "--T", "253.15K"])
    assert done.exit_code == 0, done.output
    assert "UNKNOWN at -20 °C" in done.output and "Li3InCl6" in done.output
    assert "volumetric        n/a (Wh/L not computed: the components table has no density " \
           "for cathode LFP" in done.output


@settings(max_examples=25, deadline=None)
@given(name=st.text(min_size=1, max_size=20))
def test_cli_nitride_material_fuzz(name):
    """Any --nitride-material text: a result (exit 0) or one clean error line (exit 1 or 2)."""
    from typer.testing import CliRunner

    from nitrolyte.cli import app

    done = CliRunner().invoke(app, ["cell", "--c-rate", "4", "--nitride-material", name])
    assert "Traceback" not in done.output
    if done.exit_code:
        assert done.exit_code in (1, 2) and done.output.startswith("error:"), done.output
        assert done.output.count("\n") == 1
