"""sigma(T) -> stored set -> comparison; plausibility checks; the Li3N melting point (issue 12)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import eis_fixtures as fx
from nitrolyte.cli import app
from nitrolyte.dataset import records
from nitrolyte.errors import InputError
from nitrolyte.plausibility import check_measurement, evaluation_warnings

runner = CliRunner()
K_B = 8.617333262e-5


def run(*args: str):
    return runner.invoke(app, list(args))


def _sigma_csv(path, Ea=0.40, sigma_rt=1e-4, temps_C=(25, 50, 75, 100)):
    rows = []
    for t in temps_C:
        T = t + 273.15
        s = sigma_rt * 298.15 / T * math.exp(-Ea / K_B * (1 / T - 1 / 298.15))
        rows.append(f"{t},{s * 1e3:.10g}")
    path.write_text("T_C,sigma_mS_cm\n" + "\n".join(rows) + "\n")
    return path


def test_li3n_melting_point_is_data_with_provenance():
    """Sections 3.1 and 3.2: 'the melting temperature (814 °C)', 'melting point of Li3N (814 °C)'."""
    melt = [t for t in records().phase_transitions if t.kind == "melting"]
    assert len(melt) == 1
    m = melt[0]
    assert (m.material, m.value, m.unit, m.refs) == ("Li3N", 814.0, "C", (29,))
    assert "Section 3.1" in m.location and "Section 3.2" in m.location


def test_evaluation_warnings_melting_transition_and_range():
    w = evaluation_warnings("alpha_li3n_sinter", [300.0, 1100.0], formula="Li3N")
    assert len(w) == 1 and "melting point at 814 °C" in w[0]
    assert evaluation_warnings("alpha_li3n_sinter", [1087.0], formula="Li3N") == []  # 813.85 °C
    beta = evaluation_warnings("beta_li3n", [500.0], formula="Li3N")
    assert any("β-Li3N -> α-Li3N at 200 °C" in x for x in beta)
    assert evaluation_warnings("x", [400.0], measured_K=[300.0, 350.0])[0].startswith(
        "extrapolated: 400.00 K is outside the measured range 300.00-350.00 K")


def test_sigma_json_warns_past_the_melting_point(db):
    r = run("sigma", "alpha-Li3N sinter", "--T", "900C", "--json", "--db", str(db.path))
    assert r.exit_code == 0, r.output
    assert any("melting point" in w for w in json.loads(r.stdout)["warnings"])
    # at its own temperature (300 K) silent; 25 °C is 1.85 K away: extrapolated (issue 20)
    r = run("sigma", "alpha-Li3N sinter", "--T", "300K", "--json", "--db", str(db.path))
    assert json.loads(r.stdout)["warnings"] == []


@pytest.mark.parametrize(("kw", "message"), [
    ({"sigma_S_cm": [11.0]}, "sigma_S_cm = 11 is outside what a laboratory measures"),
    ({"T_K": [5.0]}, "T_K = 5 is outside"), ({"T_K": [2500.0]}, "T_K = 2500 is outside"),
    ({"Ea_eV": [3.5]}, "Ea_eV = 3.5 is outside"), ({"Ea_eV": [-0.1]}, "Ea_eV = -0.1 is outside"),
    ({"T_K": [-5.0]}, "T_K must be > 0, got -5"),
])
def test_check_measurement_limits(kw, message):
    with pytest.raises(InputError, match=message):
        check_measurement(**kw, where="f.csv")
    if "must be > 0" not in message:
        check_measurement(**kw, where="f.csv", allow_implausible=True)


@settings(max_examples=50, deadline=None)
@given(T=st.floats(allow_nan=True), s=st.floats(allow_nan=True), e=st.floats(allow_nan=True))
def test_fuzz_check_measurement(T, s, e):
    ok = 10 <= T <= 2000 and 0 < s <= 10 and 0 <= e <= 3
    try:
        check_measurement(T_K=[T], sigma_S_cm=[s], Ea_eV=[e])
    except InputError:
        assert not ok
    else:
        assert ok


def test_fit_store_then_compare_over_the_measured_range(tmp_path, db):
    csv = _sigma_csv(tmp_path / "halide.csv", Ea=0.40)
    r = run("fit", str(csv), "--store", "My Li9N2Cl3", "--formula", "Li9N2Cl3", "--family",
            "nitride halide", "--db", str(db.path), "--json")
    assert r.exit_code == 0, r.output
    stored = json.loads(r.stdout)["stored"]
    assert stored["n_points"] == 4 and stored["created_material"] is True
    one = db.measurement_set(stored["set_id"])
    assert one["method"] == "fit" and one["fit"]["Ea_eV"] == pytest.approx(0.40, rel=1e-9)
    png = tmp_path / "cmp.png"
    r = run("compare", "My Li9N2Cl3", "--db", str(db.path), "--json", "--plot", str(png))
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["schema"] == "nitrolyte.compare_set/1" and png.stat().st_size > 5000
    assert doc["T_K"] == pytest.approx([298.15, 323.15, 348.15, 373.15])
    (m,) = [x for x in doc["matches"] if x["name"] == "Li9N2Cl3"]  # same reduced formula
    lit = db.get("Li9N2Cl3")
    expected = [math.log10(s / (lit.sigma_S_cm() * lit.T_K() / T * math.exp(
        -lit.Ea_eV() / K_B * (1 / T - 1 / lit.T_K())))) for s, T in zip(doc["sigma_S_cm"],
                                                                        doc["T_K"], strict=True)]
    assert m["log10_ratio"] == pytest.approx(expected, rel=1e-9)
    assert m["dEa_eV"] == pytest.approx(0.40 - lit.Ea_eV(), rel=1e-9)
    r = run("compare", "My Li9N2Cl3", "--against", "beta-Li3N", "--db", str(db.path), "--json")
    assert [x["name"] for x in json.loads(r.stdout)["matches"]] == ["β-Li3N"]


def test_compare_without_a_set_fails_cleanly(db):
    r = run("compare", "beta-Li3N", "--db", str(db.path))
    assert r.exit_code == 1 and r.stderr.startswith("error: beta-Li3N has no stored measurement set")


def test_import_accepts_the_fit_csv_and_refuses_implausible_rows(tmp_path, db):
    csv = _sigma_csv(tmp_path / "pellet.csv", Ea=0.5)
    r = run("import", str(csv), "--db", str(db.path))
    assert r.exit_code == 2 and "give the material with --name" in r.stderr
    r = run("import", str(csv), "--name", "Imported pellet", "--db", str(db.path), "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["n_measurements"] == 4 and doc["Ea_eV"] == pytest.approx(0.5, rel=1e-9)
    long = tmp_path / "long.csv"
    long.write_text("name,property,value,unit,temperature,temperature_unit\n"
                    "Hot one,ionic_conductivity,50,S/cm,25,C\n")
    r = run("import", str(long), "--db", str(db.path))
    assert r.exit_code == 1
    assert r.stderr.strip() == ("error: long.csv row 1: sigma_S_cm = 50 is outside what a "
                                "laboratory measures (0 < sigma_S_cm <= 10) (pass "
                                "--allow-implausible / allow_implausible=True if it is real)")
    assert "Hot one" not in db.names()
    assert run("import", str(long), "--allow-implausible", "--db", str(db.path)).exit_code == 0
    assert "Hot one" in db.names()


def test_eis_store_refuses_implausible_series(tmp_path, db):
    """A pellet far too thin for its resistance gives sigma > 10 S/cm: nothing is stored."""
    path = fx.write(tmp_path, "csv", 25)
    r = run("eis", str(path), "--thickness", "1000cm", "--area", "1e-6cm2", "--store", "Odd",
            "--db", str(db.path))
    assert r.exit_code == 1 and "sigma_S_cm" in r.stderr and "is outside" in r.stderr
    assert "Odd" not in db.names()


def test_report_shows_stored_sets_with_and_without_Ea(tmp_path, db):
    """A stored EIS series gets a Nyquist figure and a comparison; its points (and those of a
    single-temperature set without Ea) are markers on Fig. 3E."""
    from nitrolyte.plotting.arrhenius import plot_arrhenius_family, plotly_arrhenius_family
    from nitrolyte.report.build import build_report
    from nitrolyte.report.sec_transport import FIGURES, curves_frame
    from nitrolyte.transport.measured import user_points

    folder = tmp_path / "spectra"
    folder.mkdir()
    for T in (25, 60, 100):
        fx.write(folder, "biologic", T)
    assert run("eis", str(folder), "--thickness", "1mm", "--diameter", "10mm", "--store", "Pellet A",
               "--formula", "Li3N", "--family", "Li3N", "--db", str(db.path)).exit_code == 0
    db.add_measurement_set("Pellet B", formula="Li3N", family="Li3N", method="EIS",
                           points=[{"T_K": 313.15, "sigma_S_cm": 3e-5}])
    out = tmp_path / "report"
    build_report(out, db=db, progress=False, sections=["measurements"])
    figs = {p.stem for p in (out / "figures").iterdir()}
    assert {"set1_nyquist", "set1_vs_literature", "set2_vs_literature"} <= figs
    page = (out / "index.html").read_text()
    assert "Your measurements" in page and "2 stored measurement set(s)" in page
    pts = user_points(("Li3N",), db, 250, 500)
    assert sorted(set(pts["name"])) == ["Pellet A", "Pellet B"]
    assert len(pts) == 3 * 2 + 1  # total and bulk per temperature, and B's single point
    assert user_points(("nitride halide",), db).empty
    fig = plot_arrhenius_family(curves_frame(FIGURES[0], db), "Fig. 3E", points=pts)
    fig.savefig(tmp_path / "f.svg")
    svg = (tmp_path / "f.svg").read_text()
    assert "Pellet A (measured, user data)" in svg and "Pellet B (measured, user data)" in svg
    interactive = plotly_arrhenius_family(curves_frame(FIGURES[0], db), "Fig. 3E", points=pts)
    assert {"Pellet A (measured, user data)", "Pellet B (measured, user data)"} <= {
        t.name for t in interactive.data}


@settings(max_examples=12, deadline=None)
@given(text=st.text(alphabet="fileT_KC,0123456789.-\n =x", max_size=80))
def test_fuzz_read_manifest(tmp_path_factory, text):
    from nitrolyte.errors import DataValidationError
    from nitrolyte.transport.eis_series import read_manifest

    path = tmp_path_factory.mktemp("m") / "m.csv"
    path.write_text(text)
    try:
        out = read_manifest(path)
    except (DataValidationError, InputError) as exc:
        assert "\n" not in str(exc)
    else:
        assert all(10 <= T <= 2000 for T in out.values())


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.floats(-300, 3000), st.floats(-1, 100)), min_size=1,
                     max_size=5))
def test_fuzz_import_sigma_csv(tmp_path, db, rows):
    path = tmp_path / "s.csv"
    path.write_text("T_C,sigma_S_cm\n" + "".join(f"{t},{s}\n" for t, s in rows))
    r = run("import", str(path), "--name", "Fuzz", "--db", str(db.path))
    if r.exit_code:
        assert r.exit_code in (1, 2)
        err = r.stderr.strip()
        assert err.startswith("error: ") and "\n" not in err


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=12).filter(lambda s: not s.startswith("-")),
       against=st.one_of(st.none(), st.sampled_from(["beta-Li3N", "nothing-like-this", "Li3N"])))
def test_fuzz_compare_name_one_error_line(db, name, against):
    args = ["compare", name, "--db", str(db.path)] + ([] if against is None else
                                                      ["--against", against])
    r = run(*args)
    assert r.exit_code in (1, 2)
    err = r.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in r.output
