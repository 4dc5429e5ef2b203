"""The property registry drives validation, the wide frame, records, `show` and the report."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nitrolyte import dataset
from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.properties import PROPERTIES
from nitrolyte.store import Database

runner = CliRunner()


def test_electronic_conductivity_in_wide_frame_and_record(db: Database) -> None:
    # Section 2.1: alpha-Li3N sinters, electronic conductivity printed '<10^-10 S cm-1' (ref 27)
    wide = db.materials_frame(source="literature").set_index("material_id")
    assert wide.loc["alpha_li3n_sinter", "sigma_e_S_cm"] == 1e-10
    assert wide.loc["alpha_li3n_sinter", "sigma_e_qualifier"] == "<"
    rec = db.get("alpha-Li3N sinter")
    assert rec.sigma_e_S_cm() == 1e-10 and rec.value("ionic_conductivity") == rec.sigma_S_cm()
    assert rec.value("activation_energy") == rec.Ea_eV()
    with pytest.raises(InputError, match="property must be one of"):
        rec.value("colour")


def test_electronic_conductivity_visible_in_show(db: Database) -> None:
    res = runner.invoke(app, ["show", "alpha-Li3N sinter", "--db", str(db.path)])
    assert res.exit_code == 0
    line = next(x for x in res.stdout.splitlines() if "electronic conductivity" in x)
    assert line.split()[-2:] == ["<1e-10", "S/cm"]


def test_electronic_conductivity_in_report_table() -> None:
    from nitrolyte.report.table_cells import conductivity_cell

    row = dataset.materials_frame().set_index("material_id").loc["alpha_li3n_sinter"].to_dict()
    html, _ = conductivity_cell(row)
    assert "electronic: &lt;1e-10 S/cm" in html


def test_user_electronic_conductivity_checked_by_registry(any_db: Database) -> None:
    db = any_db
    db.add_measurement(material="Mixed conductor", property="electronic_conductivity",
                       value=2.0, unit="mS/cm", temperature=25, temperature_unit="C")
    assert db.get("Mixed conductor").sigma_e_S_cm() == pytest.approx(2e-3, rel=1e-12)
    with pytest.raises(DataValidationError, match="at most 1e\\+07 S/cm"):
        db.add_measurement(material="Mixed conductor", property="electronic_conductivity",
                           value=1e9, unit="S/cm", temperature=25, temperature_unit="C")
    with pytest.raises(DataValidationError, match="field 'temperature' is required"):
        db.add_measurement(material="Mixed conductor", property="electronic_conductivity",
                           value=1e-3, unit="S/cm", temperature=None)  # type: ignore[arg-type]


def test_schema_literal_and_units_come_from_registry() -> None:
    from typing import get_args

    from nitrolyte.data import schema

    assert get_args(schema.Property) == tuple(PROPERTIES)
    assert {n: s.kind for n, s in PROPERTIES.items()} == schema.PROPERTY_KINDS


@pytest.mark.slow
def test_a_new_property_is_one_registration(tmp_path) -> None:
    code = f"""
from nitrolyte.properties import PropertySpec, WideColumn, register_property
register_property(PropertySpec("band_gap", "energy", "band gap", needs_temperature=False,
                               max_value=20.0, wide=(WideColumn("Eg_eV", per_direction=False),)))
from nitrolyte.store import Database
db = Database({str(tmp_path / 'p.sqlite')!r})
db.add_measurement(material="Gap sample", property="band_gap", value=5.1, unit="eV",
                   temperature=25, temperature_unit="C")
print(db.get("Gap sample").value("band_gap"), "Eg_eV" in db.materials_frame().columns)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["5.1", "True"]


def test_screening_carries_registry_columns(db: Database) -> None:
    from nitrolyte.screening import EVIDENCE_COLUMNS, screen

    assert "sigma_e_S_cm" in EVIDENCE_COLUMNS
    res = screen(["alpha-Li3N sinter", "beta-Li3N"], targets=["sigma_e_S_cm<1e-8"], db=db)
    # ref 27: alpha-Li3N sinters have an electronic conductivity below 1e-10 S/cm
    assert res.row("α-Li3N sinter").criterion("sigma_e_S_cm").status == "pass"
    assert res.row("β-Li3N").criterion("sigma_e_S_cm").status == "unknown"  # not reported
