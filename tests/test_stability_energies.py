"""Energy sources: the embedded table's provenance, user entries, and the MP source offline."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from nitrolyte.errors import DataValidationError, InputError, MissingDataError
from nitrolyte.stability import (
    EmbeddedSource,
    EnergySource,
    MPSource,
    UserEntriesSource,
    electrochemical_window,
    read_thermochemistry,
    resolve_source,
    thermochemistry,
)
from nitrolyte.stability.energies import KJ_MOL_PER_EV

RECORDED = Path(__file__).parent / "data" / "mp_recorded_li_n_cl.json"


def test_every_row_names_its_source():
    table = thermochemistry()
    assert len(table) > 10
    assert table["source"].map(lambda s: isinstance(s, str) and len(s.strip()) > 10).all()
    assert set(table["kind"]) <= {"experimental", "computed", "missing"}


def test_values_present_exactly_for_non_missing_rows():
    table = thermochemistry()
    has = table["dGf_kJ_mol"].notna()
    assert (has == (table["kind"] != "missing")).all()
    assert (table.loc[has, "T_K"] == 298.15).all()


@pytest.mark.parametrize("formula, dGf", [("Li3N", -128.64), ("LiCl", -384.37), ("LiBr", -342.00),
                                          ("LiI", -270.29), ("LiF", -587.71), ("Li2O", -561.18)])
def test_tabulated_values(formula, dGf):
    row = EmbeddedSource().row(formula)
    assert row is not None and row["dGf_kJ_mol"] == pytest.approx(dGf, rel=1e-9)
    assert row["kind"] == "experimental"


def test_row_without_source_fails_validation(tmp_path):
    bad = thermochemistry()
    bad.loc[0, "source"] = ""
    path = tmp_path / "t.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"row 2, column source"):
        read_thermochemistry(path)


def test_missing_row_with_value_fails_validation(tmp_path):
    bad = thermochemistry()
    i = bad.index[bad["formula"] == "Li2S"][0]
    bad.loc[i, "dGf_kJ_mol"] = -400.0
    path = tmp_path / "t.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"'missing' row must have no value"):
        read_thermochemistry(path)


def test_bad_kind_fails_validation(tmp_path):
    bad = thermochemistry()
    bad.loc[1, "kind"] = "guessed"
    path = tmp_path / "t.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"column kind"):
        read_thermochemistry(path)


def test_embedded_entries_in_ev_per_formula_unit():
    entries = {e.name: e for e in EmbeddedSource().entries(frozenset({"Li", "N"}))}
    assert entries["Li3N"].energy == pytest.approx(-128.64 / KJ_MOL_PER_EV, rel=1e-12)
    assert entries["Li"].energy == 0.0 and entries["N2"].energy == 0.0
    assert abs(KJ_MOL_PER_EV - 96.485) < 1e-3


def test_missing_phases_of_a_system():
    missing = {m.formula for m in EmbeddedSource().missing_phases(frozenset({"Li", "N", "Cl"}))}
    assert {"Li9N2Cl3", "Li4NCl", "Li5NCl2"} <= missing
    assert "Li2S" not in missing


def test_resolve_source_errors():
    with pytest.raises(InputError, match=r"source must be 'embedded', 'mp'.*got 'nope'"):
        resolve_source("nope")
    with pytest.raises(InputError, match=r"does not exist"):
        resolve_source("/no/such/entries.json")
    assert isinstance(resolve_source("embedded"), EnergySource)


class FakeRester:
    """Stands in for mp_api's MPRester: serves the recorded (synthetic) response."""

    def __init__(self, path: Path):
        from monty.json import MontyDecoder

        self.entries = [MontyDecoder().process_decoded(d) for d in json.loads(path.read_text())["entries"]]
        self.calls: list[list[str]] = []

    def get_entries_in_chemsys(self, elements):
        self.calls.append(list(elements))
        return [e for e in self.entries if {str(el) for el in e.composition.elements} <= set(elements)]


def test_mp_source_with_recorded_response_matches_embedded():
    fake = FakeRester(RECORDED)
    src = MPSource(client=fake)
    for formula in ("Li3N", "LiCl", "Li9N2Cl3"):
        mp, emb = electrochemical_window(formula, src), electrochemical_window(formula, "embedded")
        assert mp.oxidation_V == pytest.approx(emb.oxidation_V, rel=1e-5)
        assert mp.reduction_V == pytest.approx(emb.reduction_V, abs=1e-9)
        assert mp.oxidation_products == emb.oxidation_products
        assert mp.source == "mp"
    assert fake.calls[0] == ["Li", "N"]


def test_mp_source_needs_package_or_key(monkeypatch):
    import importlib.util

    monkeypatch.delenv("MP_API_KEY", raising=False)
    monkeypatch.delenv("PMG_MAPI_KEY", raising=False)
    if importlib.util.find_spec("mp_api") is None:
        with pytest.raises(MissingDataError, match=r"needs the optional mp-api package"):
            MPSource().client()
    else:  # pragma: no cover - only where the extra is installed
        with pytest.raises(InputError, match=r"needs a Materials Project API key"):
            MPSource().client()


def test_user_entries_file_round_trip(tmp_path):
    path = tmp_path / "entries.json"
    path.write_text(RECORDED.read_text())
    src = UserEntriesSource(path)
    w = electrochemical_window("LiCl", path)
    assert w.oxidation_V == pytest.approx(384.37 / KJ_MOL_PER_EV, rel=1e-5)
    assert w.source == "file:entries.json"
    assert len(src.entries(frozenset({"Li", "N"}))) == 5


def test_user_entries_file_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataValidationError, match=r"not valid JSON"):
        UserEntriesSource(bad)
    bad.write_text(json.dumps([{"energy": 1.0}]))
    with pytest.raises(DataValidationError, match=r"item 0 is not a ComputedEntry"):
        UserEntriesSource(bad)
    bad.write_text(json.dumps({"entries": []}))
    with pytest.raises(DataValidationError, match=r"expected a JSON list"):
        UserEntriesSource(bad)


def test_source_without_element_entries_is_a_clear_error(tmp_path):
    doc = json.loads(RECORDED.read_text())
    doc["entries"] = [e for e in doc["entries"] if e["composition"] != {"N": 2.0}]
    path = tmp_path / "no_n.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(MissingDataError, match=r"no entry for the element\(s\) N"):
        electrochemical_window("Li3N", path)


def test_table_is_a_copy():
    t = thermochemistry()
    t.loc[0, "dGf_kJ_mol"] = 0.0
    assert thermochemistry().loc[0, "dGf_kJ_mol"] == -128.64
    assert isinstance(t, pd.DataFrame)
