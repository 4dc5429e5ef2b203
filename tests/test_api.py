"""The Python API: materials(**filters), get(name) -> MaterialRecord, names()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pymatgen.core import Composition

import nitrolyte
from nitrolyte import api, dataset
from nitrolyte.errors import InputError, MissingDataError, UnknownMaterialError
from nitrolyte.store import Database

REQUIRED = ("name", "formula", "family", "crystal_system", "space_group", "sigma_S_cm", "T_K",
            "Ea_eV", "direction", "from_arrhenius", "synthesis", "ref", "doi", "note")


def test_public_names_are_exported() -> None:
    assert nitrolyte.materials is api.materials and nitrolyte.get is api.get
    assert nitrolyte.names is api.names and nitrolyte.MaterialRecord is api.MaterialRecord
    assert nitrolyte.Database is Database
    from nitrolyte.report import build_report

    assert nitrolyte.build_report is build_report


def test_materials_has_the_wide_columns(db: Database) -> None:
    frame = api.materials(db=db)
    assert tuple(frame.columns[: len(REQUIRED)]) == REQUIRED
    assert set(dataset.WIDE_COLUMNS) <= set(frame.columns)
    assert len(frame) == len(dataset.materials_frame())
    tables = frame[frame["location"].str.startswith("Table")]
    assert len(tables) == 45


def test_default_database_comes_from_the_environment() -> None:
    frame = api.materials()
    assert len(frame) == len(dataset.materials_frame())
    assert api.database() is api.database()


def test_db_may_be_a_path(db: Database) -> None:
    assert api.names(db=str(db.path)) == api.names(db=db)


def test_db_must_be_path_or_database() -> None:
    with pytest.raises(InputError, match="db must be a Database, a URL or a file path, got int"):
        api.materials(db=3)  # type: ignore[arg-type]


def test_family_filter(db: Database) -> None:
    frame = api.materials(family="nitride halide", db=db)
    assert set(frame["family"]) == {"nitride halide"}
    assert "Li9N2Cl3" in set(frame["name"])


def test_unknown_family_lists_the_families(db: Database) -> None:
    with pytest.raises(InputError, match=r"family must be one of Li3N, .*nitride halide.*; "
                                         r"got 'halides'"):
        api.materials(family="halides", db=db)


def test_element_filter_uses_compositions(db: Database) -> None:
    frame = api.materials(element="Cl", db=db)
    assert len(frame) > 0
    assert all("Cl" in {e.symbol for e in Composition(f).elements} for f in frame["formula"])
    assert "LiBPON" not in set(api.materials(element="B", db=db)["name"])  # no formula


def test_bad_element(db: Database) -> None:
    with pytest.raises(InputError, match=r"element must be a chemical element symbol.*got 'Xx'"):
        api.materials(element="Xx", db=db)


def test_sigma_and_ea_filters(db: Database) -> None:
    fast = api.materials(min_sigma_S_cm=1e-3, db=db)
    assert set(fast["name"]) == {"α-Li3N single crystal", "α-Li3N sinter",
                                 "H-doped α-Li3N single crystal", "Vacancy-rich β-Li3N"}
    low = api.materials(max_Ea_eV=0.3, db=db)
    assert (low["Ea_eV"] <= 0.3).all() and "Li3N-LiI-LiOH" in set(low["name"])


@pytest.mark.parametrize(("field", "value"), [("min_sigma_S_cm", -1.0), ("max_Ea_eV", 0.0)])
def test_negative_thresholds(db: Database, field: str, value: float) -> None:
    with pytest.raises(InputError, match=f"{field} must be > 0, got {value:g}"):
        api.materials(**{field: value}, db=db)


def test_name_contains_accepts_ascii_for_greek(db: Database) -> None:
    names = set(api.materials(name_contains="beta-li3n", db=db)["name"])
    assert {"β-Li3N", "Vacancy-rich β-Li3N"} <= names
    with pytest.raises(InputError, match="name_contains must be a non-empty string"):
        api.materials(name_contains=" ", db=db)


def test_source_filter(db: Database) -> None:
    db.add_measurement(material="Lab film", property="ionic_conductivity", value=1e-6,
                       unit="S/cm", temperature=25, temperature_unit="C")
    user = api.materials(source="user", db=db)
    assert list(user["name"]) == ["Lab film"]
    with pytest.raises(InputError, match="source must be one of literature, user"):
        api.materials(source="mine", db=db)  # type: ignore[arg-type]


def test_get_greek_and_ascii(db: Database) -> None:
    a, b = api.get("beta-Li3N", db=db), api.get("β-Li3N", db=db)
    assert a == b
    assert (a.sigma_S_cm(), a.T_K(), a.Ea_eV()) == (2.085e-4, 298.15, 0.448)
    assert a.family == "Li3N" and a.space_group == "P6_3/mmc" and a.source == "literature"
    assert a.composition == Composition("Li3N")


def test_get_by_alias_and_id(db: Database) -> None:
    assert api.get("alpha-Li3N single crystal", db=db).material_id == "alpha_li3n_single_crystal"
    assert api.get("ALPHA_LI3N_SINTER", db=db).name == "α-Li3N sinter"


def test_two_directions_need_a_choice(db: Database) -> None:
    rec = api.get("α-Li3N single crystal", db=db)
    assert rec.directions == ("perp_c", "par_c")
    with pytest.raises(InputError, match="several directions; pass direction= one of perp_c, par_c"):
        rec.sigma_S_cm()
    assert rec.sigma_S_cm("perp_c") == 1.2e-3 and rec.sigma_S_cm("par_c") == 1e-5
    assert rec.Ea_eV("par_c") == 0.49 and rec.T_K("perp_c") == 300.0
    with pytest.raises(InputError, match="direction must be one of perp_c, par_c; got 'c'"):
        rec.sigma_S_cm("c")


def test_missing_direction(db: Database) -> None:
    rec = api.get("H-doped α-Li3N single crystal", db=db)
    assert rec.sigma_S_cm() == 6.0e-3
    with pytest.raises(InputError, match="no value for direction 'par_c'; directions in the "
                                         "database: perp_c"):
        rec.sigma_S_cm("par_c")


def test_low_and_high_temperature_branches(db: Database) -> None:
    rec = api.get("Li13N4Br", db=db)
    assert rec.Ea_eV() == 0.73 and rec.Ea_eV(phase="LT") == 0.73
    assert rec.Ea_eV(phase="HT") == rec.Ea_HT_eV == 0.47
    assert rec.T_transition_K == pytest.approx(503.15)
    with pytest.raises(InputError, match="phase must be one of LT, HT; got 'mid'"):
        rec.Ea_eV(phase="mid")  # type: ignore[arg-type]
    assert api.get("β-Li3N", db=db).Ea_HT_eV is None


def test_record_provenance(db: Database) -> None:
    rec = api.get("Li11N3Cl2", db=db)
    assert rec.ref == "59" and "Hartwig" in rec.citation
    sigma = next(m for m in rec.measurements if m.property == "ionic_conductivity")
    assert (sigma.qualifier, sigma.derived_from_arrhenius, sigma.value) == ("~", True, 3.7e-11)
    assert sigma.temperature_K == pytest.approx(298.15)


def test_structure_only_compound(db: Database) -> None:
    rec = api.get("Li5NCl2", db=db)
    assert rec.sigma_S_cm() is None and rec.directions == ()


def test_formula_free_material_has_no_composition(db: Database) -> None:
    assert api.get("LiBPON", db=db).composition is None


def test_record_without_summary_raises(db: Database) -> None:
    rec = api.MaterialRecord(material_id="x", name="X")
    with pytest.raises(MissingDataError, match="X: the database holds no conductivity"):
        rec.sigma_S_cm()


def test_to_dict_is_json(db: Database) -> None:
    doc = api.get("Li5NI2", db=db).to_dict()
    text = json.dumps(doc)
    back = json.loads(text)
    assert back["name"] == "Li5NI2" and back["summary"][0]["Ea_HT_eV"] == 0.44
    assert {m["property"] for m in back["measurements"]} >= {"ionic_conductivity",
                                                             "activation_energy"}


def test_user_record_sits_beside_literature(db: Database) -> None:
    db.add_measurement(material="β-Li3N", property="ionic_conductivity", value=5e-4,
                       unit="S/cm", temperature=25, temperature_unit="C")
    rec = api.get("beta-Li3N", db=db)
    assert [m.source for m in rec.measurements].count("user") == 1
    assert rec.sigma_S_cm() == 2.085e-4  # the literature row comes first
    assert [r["source"] for r in rec.summary] == ["literature", "user"]


def test_unknown_name_suggests(db: Database) -> None:
    with pytest.raises(UnknownMaterialError, match="unknown material 'Li9N2Cl'; did you mean: "
                                                   "Li9N2Cl3"):
        api.get("Li9N2Cl", db=db)
    with pytest.raises(InputError, match="material name must be a non-empty string"):
        api.get("", db=db)


def test_names(db: Database) -> None:
    names = api.names(db=db)
    assert len(names) == len(dataset.materials()) and names[0] == "α-Li3N single crystal"


def test_clear_cache(tmp_path: Path) -> None:
    first = api.database(tmp_path / "c.sqlite")
    assert api.database(tmp_path / "c.sqlite") is first
    api.clear_cache()
    assert api.database(tmp_path / "c.sqlite") is not first
