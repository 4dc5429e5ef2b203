"""Tests of the curated review data and its loader (nitrolyte.dataset)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nitrolyte import dataset
from nitrolyte.data.schema import DOI_PATTERN, FAMILIES
from nitrolyte.errors import DataValidationError

REFERENCE_CSV = Path(__file__).parent / "reference" / "review_tables_1_4.csv"

STRUCTURE_ONLY = [
    "Li5NCl2", "Li4NCl", "Li10N3Br", "Li5NBr2", "Li9N2Br3", "Li8SeN2", "LiGe2N3", "Li2GeN2",
    "Li5GeN3", "Li8GeN4", "Li3GaN2", "Li3InN2", "Li3BN2 (I4_1/amd)", "Li3ScN2", "Li5TiN3",
    "Li2ZrN2", "Li2HfN2", "α-Li7VN4", "β-Li7VN4", "γ-Li7VN4", "Li7NbN4", "Li7TaN4", "Li12P3N9",
    "Li5P2N5", "Li4PN3", "α-Li10P4N10", "LiCN", "Li[N(CN)2]", "Li[C(CN)3]", "Li(C6N4)", "γ-Li3N",
]

GOOD_MEASUREMENT = {
    "material_id": "x", "property": "ionic_conductivity", "value": "1.2e-3", "qualifier": "",
    "unit": "S/cm", "temperature": "25", "temperature_unit": "C", "direction": "",
    "phase": "", "method": "", "derived_from_arrhenius": "false", "ref": "", "location": "",
    "note": "",
}
GOOD_MATERIAL = {
    "material_id": "x", "name": "X", "aliases": "", "formula": "Li3N", "formula_printed": "",
    "family": "Li3N", "crystal_system": "hexagonal", "space_group": "P6/mmm", "synthesis": "",
    "ref": "", "location": "", "note": "",
}


@pytest.fixture(scope="module")
def wide() -> pd.DataFrame:
    return dataset.materials_frame()


@pytest.fixture(scope="module")
def reference_rows() -> list[dict]:
    df = pd.read_csv(REFERENCE_CSV, dtype=str, keep_default_na=False)
    return df.to_dict("records")


def _row(wide: pd.DataFrame, name: str, direction: str) -> pd.Series:
    material_id = dataset.name_index()[dataset.normalize_name(name)]
    hit = wide[(wide.material_id == material_id) & (wide.direction == direction)]
    assert len(hit) == 1, (name, direction)
    return hit.iloc[0]


# ----------------------------------------------------------------------------- counts
def test_tables_hold_44_materials_in_45_rows(wide: pd.DataFrame) -> None:
    mats = dataset.materials()
    in_tables = mats[mats.location.str.match(r"^Table [1-4]$")]
    assert len(in_tables) == 44
    assert len(wide[wide.location.str.match(r"^Table [1-4]$")]) == 45
    assert in_tables.location.value_counts().to_dict() == {
        "Table 1": 12, "Table 2": 11, "Table 3": 8, "Table 4": 13}
    assert wide.material_id.is_unique is False  # alpha-Li3N single crystal has two directions


def test_reference_transcription_has_45_rows(reference_rows: list[dict]) -> None:
    assert len(reference_rows) == 45


@pytest.mark.parametrize("name", STRUCTURE_ONLY)
def test_structure_only_compounds_present_without_conductivity(wide: pd.DataFrame,
                                                               name: str) -> None:
    row = _row(wide, name, "")
    assert math.isnan(row.sigma_S_cm) and math.isnan(row.Ea_eV)
    assert row.location.startswith("Section 2.")
    assert row.ref is not pd.NA and row.ref > 0


def test_families_are_the_review_classes() -> None:
    assert set(dataset.materials().family) <= set(FAMILIES)
    assert len(FAMILIES) == 8


# ----------------------------------------------------------------------------- values
def test_every_table_value_matches_the_transcription(wide: pd.DataFrame,
                                                     reference_rows: list[dict]) -> None:
    for ref_row in reference_rows:
        row = _row(wide, ref_row["name"], ref_row["direction"])
        where = f"{ref_row['name']} {ref_row['direction']}"
        assert row.sigma_S_cm == pytest.approx(float(ref_row["sigma_S_cm"]), rel=5e-3), where
        temperature_k = row["T_K"]
        assert temperature_k == pytest.approx(float(ref_row["T_K"]), rel=1e-12), where
        assert row.Ea_eV == pytest.approx(float(ref_row["Ea_eV"]), rel=5e-3), where
        if ref_row["Ea_HT_eV"]:
            assert row.Ea_HT_eV == pytest.approx(float(ref_row["Ea_HT_eV"]), rel=5e-3), where
        else:
            assert math.isnan(row.Ea_HT_eV), where
        assert row.space_group == ref_row["space_group"], where
        assert row.from_arrhenius == (ref_row["footnote_a"] == "true"), where
        assert row.ref == int(ref_row["ref"]), where
        assert row.location == ref_row["table"], where


def test_room_temperatures_in_kelvin(wide: pd.DataFrame) -> None:
    temperatures_k = [_row(wide, name, "")["T_K"]
                      for name in ("β-Li3N", "Li2.5N0.5S0.5", "alpha-Li3N sinter")]
    assert temperatures_k == pytest.approx([298.15, 300.15, 300.0], rel=1e-12)


def test_alpha_li3n_anisotropy(wide: pd.DataFrame) -> None:
    perp = _row(wide, "alpha-Li3N single crystal", "perp_c")
    par = _row(wide, "α-Li3N single crystal", "par_c")
    assert perp.sigma_S_cm / par.sigma_S_cm == pytest.approx(120.0, rel=1e-9)
    assert (perp.Ea_eV, par.Ea_eV) == (pytest.approx(0.29), pytest.approx(0.49))
    assert perp.space_group == "P6/mmm"


def test_lt_ht_branches_and_transition(wide: pd.DataFrame) -> None:
    br = _row(wide, "Li13N4Br", "")
    assert (br.Ea_eV, br.Ea_HT_eV) == (pytest.approx(0.73), pytest.approx(0.47))
    assert br.T_transition_K == pytest.approx(503.15, rel=1e-12)
    iodide = _row(wide, "Li5Ni2", "")  # the review's misprint still finds Li5NI2
    assert iodide.formula == "Li5NI2"
    assert iodide.T_transition_K == pytest.approx(443.15, rel=1e-12)


def test_qualifiers_are_kept() -> None:
    meas = dataset.measurements()
    sinter = meas[(meas.material_id == "alpha_li3n_sinter")
                  & (meas.property == "electronic_conductivity")].iloc[0]
    assert (sinter.qualifier, sinter.value, sinter.unit) == ("<", 1e-10, "S/cm")
    li11 = meas[(meas.material_id == "li11n3cl2") & (meas.property == "ionic_conductivity")]
    assert li11.qualifier.tolist() == ["~"]
    pellet = meas[meas.material_id == "alpha_li3n_sintered_pellet"]
    assert sorted(zip(pellet.qualifier, pellet.value, strict=True)) == [
        ("<", 1e-7), ("<", 0.63), (">", 1e-8), (">", 0.61)]


def test_text_values_next_to_table_values() -> None:
    meas = dataset.measurements()
    li9 = meas[(meas.material_id == "li9n2cl3") & (meas.property == "ionic_conductivity")]
    assert sorted(li9.value.tolist()) == [1e-6, 2.3e-6]
    nmr = meas[meas.method == "7Li solid-state NMR"]
    assert sorted(nmr.value.tolist()) == [0.053, 0.075]
    assert set(nmr.ref) == {39}
    po4 = meas[meas.material_id == "li3po4_film"].iloc[0]
    assert po4.value == 7e-8


def test_names_and_aliases_are_unambiguous() -> None:
    owner: dict[str, str] = {}
    for mat in dataset.materials().to_dict("records"):
        keys = [mat["material_id"], mat["name"], *filter(None, mat["aliases"].split(";"))]
        for key in keys:
            norm = dataset.normalize_name(key)
            assert owner.setdefault(norm, mat["material_id"]) == mat["material_id"], key


def test_names_aliases_and_corrected_formulas() -> None:
    index = dataset.name_index()
    assert index[dataset.normalize_name("LiBPN")] == "libpon"
    assert index[dataset.normalize_name("Li2NC2 (ball-milled)")] == "li2cn2_ball_milled"
    mats = dataset.materials().set_index("material_id")
    assert mats.loc["li2cn2_ball_milled", "formula"] == "Li2CN2"
    assert mats.loc["li2cn2_ball_milled", "formula_printed"] == "Li2NC2"
    assert mats.loc["li_dicyanamide", "formula"] == "LiC2N3"
    assert mats.loc["libpon", "formula"] == ""


# ----------------------------------------------------------------------------- provenance
def test_every_reference_used_exists() -> None:
    known = set(dataset.references().ref)
    assert len(known) == 207
    used = set(dataset.materials().ref.dropna()) | set(dataset.measurements().ref.dropna())
    for _, entries in dataset.records():
        for entry in entries:
            used |= set(entry.refs)
    assert used <= known


def test_dois_match_the_pattern() -> None:
    refs = dataset.references().set_index("ref")
    dois = [d for d in refs.doi if d]
    assert all(DOI_PATTERN.match(d) for d in dois)
    assert refs.loc[26, "doi"] == "10.1063/1.89283"
    assert refs.loc[16, "doi"] == "10.1126/sciadv.adh4626"
    assert refs.loc[26, "citation_key"] == "alpen1977"


def test_errata_are_complete() -> None:
    errata = dataset.errata()
    assert len(errata) >= 30
    assert (errata.location.str.len() > 0).all() and (errata.printed.str.len() > 0).all()
    by_id = errata.set_index("id")
    assert by_id.loc["li3n_alpha_space_group", "correct"] == "P6/mmm"
    assert by_id.loc["li2cn2_formula", "printed"] == "Li2NC2"
    assert by_id.loc["ccd_unit", "correct"] == "> 12 mA cm-2"
    mats = dataset.materials().set_index("material_id")
    for _, erratum in errata.iterrows():
        for material_id in filter(None, erratum.material_ids.split(";")):
            assert material_id in mats.index, erratum.id
    assert "P6_3/mmm" in mats.loc["alpha_li3n_single_crystal", "note"]


def test_records_sections() -> None:
    recs = dataset.records()
    assert [m.suitable_forms for m in recs.table6] == [
        "Single crystals", "Polycrystalline powders", "Thin films"]
    trans = {t.id: t for t in recs.phase_transitions}
    assert (trans["li3n_alpha_to_beta_pressure"].value, trans["li3n_beta_to_gamma_pressure"].value,
            trans["li3n_gamma_stability_range"].value_max) == (0.6, 40, 200)
    assert (trans["li3n_beta_to_alpha_heating"].value,
            trans["li3n_beta_to_alpha_heating"].value_max) == (200, 400)
    meas = dataset.measurements()
    for tid, mid in (("li13n4br_lt_to_ht", "li13n4br"), ("li5ni2_lt_to_ht", "li5ni2")):
        text = meas[(meas.material_id == mid) & (meas.property == "transition_temperature")]
        assert text.value.tolist() == [trans[tid].value]
    vac = {v.id: v for v in recs.vacancy_compositions}
    assert vac["vacancy_rich_beta_li3n_li4f"].vacancy_percent == 8.1
    assert vac["li5ncl2_marx"].vacancy_percent == pytest.approx(100 / 6)
    demos = {d.id: d for d in recs.cell_demonstrations}
    assert demos["ccd_vacancy_rich_beta_li3n"].value == 7.5
    assert demos["ccd_lipon_coated_li6ps5cl"].value == 4.1
    assert demos["ccd_li6ps5cl"].value is None
    assert demos["ccd_li6ps5cl"].printed == "not stated in the text"


def test_targets_frame() -> None:
    tg = dataset.targets().set_index("id")
    assert (tg.loc["critical_current_density", "value"], tg.loc["critical_current_density", "unit"]
            ) == (12, "mA/cm2")
    assert (tg.loc["ionic_conductivity", "value"], tg.loc["ionic_conductivity", "stretch_value"]
            ) == (1e-3, 1e-2)
    assert (tg.loc["energy_density", "value"], tg.loc["energy_density", "stretch_value"]) == (350, 500)
    assert tg.loc["energy_density", "refs"] == "4;185;186"


# ----------------------------------------------------------------------------- frames
def test_wide_frame_round_trip_is_lossless(wide: pd.DataFrame) -> None:
    buf = io.StringIO()
    wide.to_csv(buf, index=False)
    buf.seek(0)
    pd.testing.assert_frame_equal(dataset.read_wide_csv(buf), wide)


def test_loaders_return_copies() -> None:
    first = dataset.materials()
    first.loc[0, "name"] = "changed"
    assert dataset.materials().loc[0, "name"] != "changed"


def test_wide_frame_on_user_rows() -> None:
    mats = pd.DataFrame([dict(GOOD_MATERIAL, material_id="u1", name="User nitride",
                              source="user")])
    meas = pd.DataFrame([
        dict(GOOD_MEASUREMENT, material_id="u1", value=2.0, unit="mS/cm", temperature=300,
             temperature_unit="K"),
        dict(GOOD_MEASUREMENT, material_id="u1", property="activation_energy", value=310,
             unit="meV", temperature="", temperature_unit=""),
    ])
    refs = pd.DataFrame({"ref": [], "doi": []})
    row = dataset.wide_frame(mats, meas, refs).iloc[0]
    assert row.sigma_S_cm == pytest.approx(2e-3, rel=1e-12)
    assert row.Ea_eV == pytest.approx(0.31, rel=1e-12)
    assert (row.T_K, row.source, row.direction) == (300.0, "user", "")
    assert row.ref is pd.NA


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(("change", "column", "match"), [
    ({"unit": "S"}, "unit", "'S' is not a conductivity unit; expected S/cm"),
    ({"property": "activation_energy", "unit": "S/cm", "temperature": ""}, "unit",
     "not an energy unit"),
    ({"temperature": "0", "temperature_unit": "K"}, "temperature", "not above 0 K"),
    ({"temperature": "-300", "temperature_unit": "C"}, "temperature", "not above 0 K"),
    ({"temperature": ""}, "temperature", "needs the temperature"),
    ({"temperature_unit": "F"}, "temperature_unit", "expected K or C"),
    ({"value": "abc"}, "value", "valid number"),
    ({"value": ""}, "value", "empty cell"),
    ({"value": "-1e-3"}, "value", "must be > 0"),
    ({"qualifier": "<="}, "qualifier", "Input should be"),
    ({"direction": "c"}, "direction", "Input should be"),
    ({"phase": "RT"}, "phase", "Input should be"),
    ({"property": "viscosity"}, "property", "Input should be"),
])
def test_bad_measurement_names_the_column(change: dict, column: str, match: str) -> None:
    with pytest.raises(DataValidationError, match=rf"column '{column}': .*{match}"):
        dataset.validate_measurement(dict(GOOD_MEASUREMENT, **change))


@pytest.mark.parametrize(("change", "column", "match"), [
    ({"formula": "Li3N)("}, "formula", "not a chemical formula"),
    ({"family": "sulfide"}, "family", "Input should be"),
    ({"space_group": "P6_3/mmm"}, "space_group", "not a Hermann-Mauguin"),
    ({"crystal_system": "cubic"}, "crystal_system", "does not match space group P6/mmm"),
    ({"ref": "zero"}, "ref", "valid integer"),
    ({"name": ""}, "name", "at least 1 character"),
])
def test_bad_material_names_the_column(change: dict, column: str, match: str) -> None:
    with pytest.raises(DataValidationError, match=rf"column '{column}': .*{match}"):
        dataset.validate_material(dict(GOOD_MATERIAL, **change))


def test_good_rows_validate() -> None:
    m = dataset.validate_measurement(GOOD_MEASUREMENT)
    assert (m.value, m.temperature_K, m.derived_from_arrhenius) == (1.2e-3, 298.15, False)
    assert dataset.validate_material(GOOD_MATERIAL).family == "Li3N"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_doi_in_a_csv_names_file_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "refs.csv", list(dataset.REFERENCE_COLUMNS), [
        ["1", "alpen1977", "10.1063/1.89283", "U. V. Alpen et al."],
        ["2", "bates1992", "doi:10.1016/x", "J. Bates et al."],
    ])
    with pytest.raises(DataValidationError,
                       match=r"refs\.csv row 2 \(line 3\), column 'doi': 'doi:10.1016/x' is not a DOI"):
        dataset.validate_csv(path, "references")


def test_bad_unit_in_a_csv_names_file_row_and_column(tmp_path: Path) -> None:
    good = [GOOD_MEASUREMENT[c] for c in dataset.MEASUREMENT_COLUMNS]
    bad = [dict(GOOD_MEASUREMENT, unit="S")[c] for c in dataset.MEASUREMENT_COLUMNS]
    path = _write(tmp_path / "measurements.csv", list(dataset.MEASUREMENT_COLUMNS),
                  [good] * 11 + [bad])
    ok = _write(tmp_path / "ok.csv", list(dataset.MEASUREMENT_COLUMNS), [good])
    assert len(dataset.validate_csv(ok, "measurements")) == 1
    with pytest.raises(DataValidationError,
                       match=r"measurements\.csv row 12 \(line 13\), column 'unit': 'S'"):
        dataset.validate_csv(path, "measurements")


def test_wrong_header_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "materials.csv", ["material_id", "name"], [["a", "A"]])
    with pytest.raises(DataValidationError, match=r"materials\.csv: header .*missing"):
        dataset.validate_csv(path, "materials")


def test_bad_record_names_section_entry_and_field() -> None:
    data = dataset.records().model_dump()
    data["targets"][2]["value"] = "high"
    with pytest.raises(DataValidationError, match=r"records\.yaml, section 'targets' entry 3 "
                       r"\(conductivity_retention\), field 'value'"):
        dataset.validate_records(data)


# ----------------------------------------------------------------------------- names
@given(st.text(max_size=40))
def test_normalize_name_is_idempotent(name: str) -> None:
    once = dataset.normalize_name(name)
    assert dataset.normalize_name(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F), max_size=30),
       st.sampled_from([("α", "alpha"), ("β", "beta"), ("γ", "gamma"), ("Α", "ALPHA")]))
def test_greek_letters_equal_their_spelling(rest: str, pair: tuple[str, str]) -> None:
    greek, latin = pair
    assert dataset.normalize_name(f"{greek}-{rest}") == dataset.normalize_name(f"{latin}-{rest}")


def test_normalize_name_examples() -> None:
    assert dataset.normalize_name("α–Li₃N  Single crystal") == "alphali3nsinglecrystal"
    assert dataset.normalize_name("Li7N2I – 0.5LiOH") == dataset.normalize_name("li7n2i-0.5lioh")


def test_docs_list_every_erratum() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "data.md").read_text(encoding="utf-8")
    missing = [e for e in dataset.errata().id if f"`{e}`" not in docs]
    assert missing == []
