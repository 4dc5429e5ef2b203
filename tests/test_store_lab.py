"""The store's lab contracts: provenance, measurement sets, results cache, API tokens."""

from __future__ import annotations

import getpass
import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nitrolyte.errors import InputError
from nitrolyte.store import Database, MeasurementSetResult
from nitrolyte.units import K_B_EV

SHA = hashlib.sha256(b"spectra.zip").hexdigest()


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def _arrhenius_points(Ea_eV: float, ln_A: float, temps_K: list[float]) -> list[dict[str, float]]:
    """sigma*T = A exp(-Ea/kT): points of an exact Arrhenius law (Fig. 10B convention)."""
    return [{"T_K": T, "sigma_S_cm": math.exp(ln_A - Ea_eV / (K_B_EV * T)) / T} for T in temps_K]


# ---------------------------------------------------------------------- provenance
def test_user_rows_record_who_when_and_file(db: Database, tmp_path: Path) -> None:
    res = db.add_measurement(material="Prov A", property="ionic_conductivity", value=1e-4,
                             unit="S/cm", temperature=25, temperature_unit="C")
    assert res.material_created
    path = tmp_path / "in.csv"
    path.write_text("name,property,value,unit,temperature,temperature_unit\n"
                    "Prov B,ionic_conductivity,2e-4,S/cm,30,C\n")
    db.import_file(path, added_by="token:lab-robot")
    meas = db.table("measurements", "user").set_index("value")
    assert meas.loc[1e-4, "added_by"] == getpass.getuser()
    assert pd.isna(meas.loc[1e-4, "source_sha256"])
    assert meas.loc[2e-4, "added_by"] == "token:lab-robot"
    assert meas.loc[2e-4, "source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meas.loc[2e-4, "added_at"].endswith("+00:00")
    mats = db.table("materials", "user").set_index("name")
    assert mats.loc["Prov B", "added_by"] == "token:lab-robot"


def test_added_by_is_checked(db: Database) -> None:
    with pytest.raises(InputError, match="added_by must not contain NUL"):
        db.add_measurement(material="X", property="activation_energy", value=0.3, unit="eV",
                           temperature=25, added_by="a\x00b")


# ---------------------------------------------------------------------- measurement sets
def test_measurement_set_round_trip_and_fit_row(db: Database) -> None:
    temps = [300.0, 330.0, 360.0, 390.0]
    points = _arrhenius_points(0.45, 12.0, temps)
    points[1] |= {"kind": "bulk", "sigma_stderr_S_cm": 1e-6}
    fit = {"Ea_eV": 0.45, "Ea_stderr_eV": 0.01, "ln_prefactor": 12.0, "law": "sigmaT",
           "T_min_K": 300.0, "T_max_K": 390.0, "sigma_RT_S_cm": float("nan"), "extra": [1, 2]}
    res = db.add_measurement_set("Pellet 7", formula="Li3N", family="Li3N", points=points,
                                 fit=fit, method="EIS",
                                 method_details={"circuit": "R0-p(R1,CPE1)", "thickness_cm": 0.1},
                                 source_files=[("spectra.zip", SHA)], added_by="alice",
                                 note="batch 7")
    assert isinstance(res, MeasurementSetResult)
    assert (res.n_points, res.created_material, res.material_id) == (4, True, "user-pellet-7")
    detail = db.measurement_set(res.set_id)
    assert detail["points"]["T_K"].tolist() == temps
    assert detail["points"]["sigma_S_cm"].tolist() == [p["sigma_S_cm"] for p in points]
    assert detail["points"]["kind"].tolist() == ["total", "bulk", "total", "total"]
    assert detail["points"]["sigma_stderr_S_cm"].iloc[1] == 1e-6
    assert detail["fit"]["Ea_eV"] == 0.45 and detail["fit"]["sigma_RT_S_cm"] is None
    assert detail["fit"]["extra"] == [1, 2]
    assert detail["method_details"]["circuit"] == "R0-p(R1,CPE1)"
    assert detail["source_files"] == [["spectra.zip", SHA]]
    assert (detail["added_by"], detail["method"], detail["n_points"]) == ("alice", "EIS", 4)
    rec = db.get("Pellet 7")
    assert rec.Ea_eV() == 0.45  # the fit row is what the record and the figures see
    ea = [m for m in rec.measurements if m.property == "activation_energy"]
    assert ea[0].value_stderr == 0.01 and ea[0].set_id == res.set_id
    sets = db.measurement_sets("pellet 7")
    assert sets["set_id"].tolist() == [res.set_id] and sets["n_points"].tolist() == [4]
    assert len(db.measurement_sets()) == 1


def test_measurement_set_on_existing_material(db: Database) -> None:
    res = db.add_measurement_set("beta-Li3N", points=_arrhenius_points(0.5, 10, [300, 350]),
                                 method="MD", method_details={"model": "CHGNet", "seed": 1})
    assert not res.created_material and res.material_id == "beta_li3n"
    user = db.table("measurements", "user")
    assert set(user["method"]) == {"MD"} and user["set_id"].nunique() == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"points": []}, "needs at least one point or a fit"),
    ({"points": [{"T_K": 300}]}, r"points\[1\]: sigma_S_cm is required"),
    ({"points": [{"T_K": 300, "sigma_S_cm": 1e-3, "colour": 1}]}, "unknown key"),
    ({"points": [{"T_K": -3, "sigma_S_cm": 1e-3}]}, "temperature"),
    ({"points": [{"T_K": 300, "sigma_S_cm": 1e308}]}, "not plausible|at most"),
    ({"points": [{"T_K": 300, "sigma_S_cm": 1e-3, "kind": "grain"}]}, "kind"),
    ({"points": [{"T_K": 300, "sigma_S_cm": 1e-3}], "fit": {"law": "x"}}, "Ea_eV"),
    ({"points": [{"T_K": 300, "sigma_S_cm": 1e-3}], "source_files": [("a", "xyz")]}, "sha256"),
    ({"points": [{"T_K": 300, "sigma_S_cm": 1e-3}], "method_details": {"f": object()}},
     "JSON-serialisable"),
])
def test_bad_measurement_set_stores_nothing(db: Database, kwargs: dict, message: str) -> None:
    with pytest.raises((InputError, ValueError), match=message):
        db.add_measurement_set("Bad set", method="EIS", **kwargs)
    assert db.measurement_sets().empty and db.table("measurements", "user").empty
    assert "Bad set" not in db.names()


def test_unknown_set_id(db: Database) -> None:
    with pytest.raises(InputError, match="measurement set 99 does not exist"):
        db.measurement_set(99)


# ---------------------------------------------------------------------- cache
def test_cache_put_get_upsert(db: Database) -> None:
    assert db.cache_get("relax", "Li3N|chgnet") is None
    db.cache_put("relax", "Li3N|chgnet", {"energy_eV": -1.5, "forces": [[0.0, 1.0]]})
    db.cache_put("relax", "Li3N|chgnet", {"energy_eV": -1.25})
    assert db.cache_get("relax", "Li3N|chgnet") == {"energy_eV": -1.25}
    assert db.cache_get("other", "Li3N|chgnet") is None
    with pytest.raises(InputError, match="JSON-serialisable"):
        db.cache_put("relax", "k", {"x": {1, 2}})
    with pytest.raises(InputError, match="cache value must be a dict"):
        db.cache_put("relax", "k", [1])  # type: ignore[arg-type]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and "\x00" not in s
                                                   and not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
       value=st.dictionaries(st.text(max_size=5), st.one_of(
           st.none(), st.booleans(), st.integers(-10**6, 10**6),
           st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)), max_size=4))
def test_cache_round_trip_any_value(db: Database, key: str, value: dict) -> None:
    db.cache_put("fuzz", key, value)
    assert db.cache_get("fuzz", key) == value


# ---------------------------------------------------------------------- tokens
def test_tokens_lifecycle(db: Database) -> None:
    plain = db.create_token("robot", "write")
    assert plain.startswith("nlt_") and len(plain) > 30
    assert db.verify_token(plain) == {"name": "robot", "scope": "write"}
    assert db.verify_token(plain + "x") is None and db.verify_token("\ud800") is None
    with pytest.raises(InputError, match="already used by an active token"):
        db.create_token("robot")
    listed = db.list_tokens()
    assert [(t["name"], t["scope"], t["revoked_at"]) for t in listed] == [("robot", "write", None)]
    assert "sha256" not in listed[0]
    assert db.revoke_token("robot") and not db.revoke_token("robot")
    assert db.verify_token(plain) is None
    again = db.create_token("robot", "admin")  # the name is free again once revoked
    assert db.verify_token(again) == {"name": "robot", "scope": "admin"}
    with pytest.raises(InputError, match="scope must be one of write, admin"):
        db.create_token("x", "root")  # type: ignore[arg-type]


def test_token_plaintext_is_not_stored(sqlite_db: Database) -> None:
    import sqlite3

    db = sqlite_db
    plain = db.create_token("t1")
    db.close()
    with sqlite3.connect(db.path) as con:
        dump = "\n".join(con.iterdump())
    assert plain not in dump and hashlib.sha256(plain.encode()).hexdigest() in dump


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=20), probe=st.text(max_size=60))
def test_token_fuzz(sqlite_db: Database, name: str, probe: str) -> None:
    try:
        plain = sqlite_db.create_token(name)
    except InputError:
        assert not name.strip() or "\x00" in name or any(0xD800 <= ord(c) <= 0xDFFF for c in name) \
            or name.strip() in [t["name"] for t in sqlite_db.list_tokens() if not t["revoked_at"]]
    else:
        assert sqlite_db.verify_token(plain) == {"name": name.strip(), "scope": "write"}
        assert sqlite_db.revoke_token(name.strip())
    assert sqlite_db.verify_token(probe) is None
