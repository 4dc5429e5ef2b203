"""Issue 21: impedance fits that fail quietly, silent geometry defaults, EIS display friction.

Spectra are closed-form (tests/eis_fixtures.py): a conductive pellet whose two arcs shrink
out of a 7 MHz - 0.1 Hz window (at 80 °C the bulk arc's apex is near 250 MHz and only the
high-frequency intercept shows R_b), plus a blocking-electrode tail, written as the EC-Lab
.mpt that a European-locale PC exports (header block, tabs, decimal commas).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import eis_fixtures as fx
from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.transport.eis_readers import read_instrument_file
from nitrolyte.transport.eis_series import arrhenius_from_spectra
from nitrolyte.transport.fitting import fit_arrhenius
from nitrolyte.transport.impedance import fit_impedance

runner = CliRunner()
L_CM, A_CM2 = fx.THICKNESS_CM, fx.AREA_CM2
#: the issue's case: conductive pellet (R_b 800, R_gb 600 ohm at 25 °C) at 80 °C, noise seed 0;
#: today's circuit choice gives sigma_total 3.4x too low with only a capacitance warning
T80 = 353.15


def run(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


def series(folder: Path, temps=(25, 40, 60, 80), seed: int = 0) -> Path:
    for T_C in temps:
        fx.write_small_arcs(folder, T_C, seed=seed)
    return folder


# ------------------------------------------------------------------ defect 4: quiet failures
def test_small_arcs_at_80C_fit_is_right_or_says_it_is_unreliable():
    f, Z = fx.small_arcs_spectrum(T80, seed=0)
    fit = fit_impedance(f, Z, thickness_cm=L_CM, area_cm2=A_CM2, T_K=T80)
    ratio = fit.sigma_total_S_cm / fx.small_arcs_sigma_total(T80)
    assert fit.reliable and ratio == pytest.approx(1.0, rel=0.02), (fit.circuit, ratio)
    assert fit.circuit == "series_gb"  # the bulk arc is above 7 MHz: R_b is the intercept


def test_forced_two_arc_circuit_at_80C_is_unreliable_with_its_reasons():
    f, Z = fx.small_arcs_spectrum(T80, seed=0)
    fit = fit_impedance(f, Z, thickness_cm=L_CM, area_cm2=A_CM2, circuit="bulk_gb", T_K=T80)
    assert fit.sigma_total_S_cm / fx.small_arcs_sigma_total(T80) < 0.5  # 3.4x too low
    assert not fit.reliable and not fit.to_dict()["reliable"]
    text = " ".join(fit.problems)
    assert "unphysical grain-boundary capacitance" in text
    assert "CPE exponent" in text and "at its bound" in text
    assert "σ_total relative standard error" in text


def test_unreliable_fit_is_left_out_of_a_robust_arrhenius_fit(tmp_path):
    """bulk_gb forced on 20-80 °C: the 80 °C fit (sigma 3.4x too low) breaks the rules and is
    left out (with any other the data cannot carry); the rest give Ea = 0.45 eV."""
    series(tmp_path, temps=(20, 25, 35, 40, 45, 80))
    res = arrhenius_from_spectra(tmp_path, thickness_cm=L_CM, area_cm2=A_CM2, circuit="bulk_gb")
    bad = [Path(f.source).name for f in res.unreliable]
    assert "pellet_80C.mpt" in bad and len(bad) <= 3
    assert res.arrhenius.n_points == 6 - len(bad) and res.arrhenius.loss == "huber"
    assert res.arrhenius.Ea_eV == pytest.approx(fx.EA_EV, abs=0.01)
    assert any(w.startswith("pellet_80C.mpt (353.15 K): unreliable fit, left out of the "
                            "Arrhenius fit") for w in res.warnings)
    assert list(res.to_frame()["reliable"]) == [Path(f.source).name not in bad
                                                for f in res.impedance_fits]
    auto = arrhenius_from_spectra(tmp_path, thickness_cm=L_CM, area_cm2=A_CM2)
    assert not auto.unreliable and auto.arrhenius.n_points == 6
    assert auto.arrhenius.Ea_eV == pytest.approx(fx.EA_EV, abs=0.01)


def test_forced_unreliable_series_is_refused_then_stored_marked_with_force(tmp_path, db):
    from nitrolyte.transport.eis_series import UNRELIABLE_NOTE

    folder = tmp_path / "spectra"
    folder.mkdir()
    series(folder, temps=(25, 40, 60, 80))
    out = run("eis", folder, "--thickness", "1mm", "--diameter", "10mm", "--circuit", "bulk_gb",
              "--store", "forced pellet", "--formula", "Li3N", "--family", "Li3N",
              "--db", db.where)
    assert out.exit_code == 1, out.output
    assert "unreliable impedance fit(s), nothing stored" in out.output
    assert "pellet_80C.mpt" in out.output and "--force" in out.output
    assert db.measurement_sets().empty
    out = run("eis", folder, "--thickness", "1mm", "--diameter", "10mm", "--circuit", "bulk_gb",
              "--store", "forced pellet", "--formula", "Li3N", "--family", "Li3N", "--force",
              "--db", db.where)
    assert out.exit_code == 0, out.output
    assert "UNRELIABLE pellet_80C.mpt" in out.stdout and "unreliable fit(s) marked" in out.stdout
    one = db.measurement_set(int(db.measurement_sets()["set_id"].max()))
    notes = one["points"]["note"].fillna("")
    assert notes[one["points"]["T_K"].round(2) == T80].str.startswith(UNRELIABLE_NOTE).all()
    assert {u["file"] for u in one["method_details"]["unreliable"]} >= {"pellet_80C.mpt"}
    shown = run("show", "forced pellet", "--db", db.where)
    assert "UNRELIABLE fit" in shown.stdout
    cmp = run("compare", "forced pellet", "--db", db.where)
    assert "unreliable impedance fit" in cmp.output  # a warning, not a silent verdict


def test_sigma_total_stderr_uses_the_covariance_monte_carlo():
    """Predicted vs. observed scatter of sigma_total over 20 noise seeds (0.3 % noise); the
    old propagation, sqrt(dR_b^2 + dR_gb^2), overstated it 3.1x at 25 °C and 4.1x at 80 °C."""
    for T in (298.15, T80):
        fits = [fit_impedance(*fx.spectrum(T, seed), thickness_cm=L_CM, area_cm2=A_CM2,
                              circuit="bulk_gb", kk=False) for seed in range(20)]
        sig = np.array([f.sigma_total_S_cm for f in fits])
        predicted = np.median([f.sigma_total_stderr_S_cm for f in fits])
        assert 0.6 < predicted / sig.std(ddof=1) < 1.6, (T, predicted / sig.std(ddof=1))
        # closed form: the variance of R_b + R_gb is 1' C 1 over their covariance block
        f0 = fits[0]
        C = np.array(f0.parameter_covariance)
        var = C[0, 0] + C[3, 3] + 2 * C[0, 3]
        assert f0.R_total_stderr_ohm == pytest.approx(math.sqrt(var), rel=1e-12)
        assert C[0, 3] < 0  # the two arcs' resistances are anticorrelated


def test_robust_arrhenius_resists_one_bad_point():
    T = np.array([298.15, 313.15, 333.15, 353.15, 373.15])
    sigma = 1e4 / T * np.exp(-0.45 / 8.617333262e-5 / T)
    sigma_bad = sigma.copy()
    sigma_bad[3] /= 10  # one fit 10x too low
    plain = fit_arrhenius(T, sigma_bad)
    robust = fit_arrhenius(T, sigma_bad, loss="huber")
    assert abs(plain.Ea_eV - 0.45) > 0.05
    assert robust.Ea_eV == pytest.approx(0.45, abs=0.005) and robust.loss == "huber"
    assert robust.robust_weights[3] < 0.05 and min(np.delete(robust.robust_weights, 3)) == 1.0
    with pytest.raises(InputError, match="loss must be one of linear, huber"):
        fit_arrhenius(T, sigma, loss="l1")


# ------------------------------------------------------------------ defect 5: geometry, web part
def test_web_eis_geometry_is_required_and_diameter_accepted(tmp_path, db):
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    paths = [fx.write(tmp_path, "csv", T) for T in (25, 50, 75)]

    def post(data: dict[str, str]) -> object:
        files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in paths]
        return client.post("/api/v1/eis", files=files, data=data)

    with TestClient(create_app(db), base_url="http://localhost") as client:
        for data, match in (({}, "thickness"), ({"thickness": "1mm"}, "exactly one of area"),
                            ({"thickness": "1mm", "area": "0.785cm2", "diameter": "10mm"},
                             "exactly one of area")):
            r = post(data)
            assert r.status_code in (400, 422) and match in r.json()["error"], r.text
        by_d = post({"thickness": "1mm", "diameter": "10mm"}).json()
        by_a = post({"thickness": "1mm", "area": f"{A_CM2}cm2"}).json()
        assert by_d["area_cm2"] == pytest.approx(A_CM2, rel=1e-12)
        assert by_d["arrhenius"]["Ea_eV"] == pytest.approx(by_a["arrhenius"]["Ea_eV"], rel=1e-9)
        assert all(n["arcs_view_ohm"][1] < 2 * max(n["Z_real_ohm"]) for n in by_d["nyquist"])
        page = client.get("/upload").text
    assert 'value="500um"' not in page and 'value="0.785cm2"' not in page
    assert 'id="diameter"' in page and 'id="whole-spectrum"' in page


def test_cli_eis_geometry_has_no_default(tmp_path):
    path = fx.write(tmp_path, "csv", 25)
    out = run("eis", path, "--thickness", "1mm")
    assert out.exit_code == 2 and "exactly one of --area" in out.output


# ------------------------------------------------------------------ friction: reading, tables
def test_decimal_comma_ec_lab_mpt_is_read_by_every_route(tmp_path):
    path = fx.write_small_arcs(tmp_path, 80)
    f, Z = fx.small_arcs_spectrum(T80, 0)
    assert "\t7,0000000E+06\t" in "\t" + path.read_text(encoding="latin-1").splitlines()[40]
    for fmt in ("auto", "biologic", "csv"):
        s = read_instrument_file(path, format=fmt)
        assert pytest.approx(T80) == s.T_K
        np.testing.assert_allclose(s.freq_Hz, f, rtol=1e-7)
        np.testing.assert_allclose(s.Z_ohm, Z, rtol=1e-6)


def test_ec_lab_file_with_a_broken_header_is_one_error(tmp_path):
    path = tmp_path / "bad_25C.mpt"
    path.write_text("EC-Lab ASCII FILE\nNb header lines : 999\n\nfreq/Hz\n1,0\n")
    with pytest.raises(DataValidationError, match=r"bad_25C.mpt: .*Nb header lines"):
        read_instrument_file(path)


def test_eis_table_keeps_long_file_names_and_warnings_name_the_file(tmp_path):
    stem = "a_very_long_descriptive_pellet_file_name_from_the_lab_notebook"
    for T_C in (25, 50, 75):
        fx.write(tmp_path, "csv", T_C, stem=stem)
    out = run("eis", tmp_path, "--thickness", "1mm", "--diameter", "10mm", "--circuit", "bulk")
    assert out.exit_code == 0, out.output
    for T_C in (25, 50, 75):
        assert f"{stem}_{T_C}C.csv" in out.stdout
        assert f"warning: {stem}_{T_C}C.csv: poor fit" in out.stderr


@pytest.mark.parametrize("option", ["--convention", "--law"])
def test_eis_convention_option(tmp_path, option):
    for T_C in (25, 50, 75):
        fx.write(tmp_path, "csv", T_C)
    out = run("eis", tmp_path, "--thickness", "1mm", "--diameter", "10mm", option, "sigma",
              "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["convention"] == "sigma" and doc["arrhenius"]["convention"] == "sigma"
    sigmaT = json.loads(run("eis", tmp_path, "--thickness", "1mm", "--diameter", "10mm",
                            "--json").stdout)["arrhenius"]
    assert doc["arrhenius"]["Ea_eV"] < sigmaT["Ea_eV"]  # σ law: Ea lower by about kT
    bad = run("eis", tmp_path, "--thickness", "1mm", "--diameter", "10mm", option, "sigmat")
    assert bad.exit_code == 2 and "--convention must be one of sigmaT, sigma" in bad.output


# ------------------------------------------------------------------ friction: show, API, web
def test_show_labels_bulk_total_with_stderr_and_rounds_Ea_with_its_law(tmp_path, db):
    folder = tmp_path / "spectra"
    folder.mkdir()
    for T_C in (25, 50, 75):
        fx.write(folder, "csv", T_C)
    out = run("eis", folder, "--thickness", "1mm", "--diameter", "10mm", "--store",
              "my pellet", "--formula", "Li3N", "--family", "Li3N", "--db", db.where)
    assert out.exit_code == 0, out.output
    doc = json.loads(run("show", "my pellet", "--json", "--db", db.where).stdout)
    rows = doc["material"]["measurements"]
    kinds = sorted(r["kind"] for r in rows if r["property"] == "ionic_conductivity")
    assert kinds == ["bulk"] * 3 + ["total"] * 3
    assert all("±" in r["text"] for r in rows)
    (ea,) = [r for r in rows if r["property"] == "activation_energy"]
    assert ea["law"] == "sigmaT" and ea["law_label"] == "σT Arrhenius"
    value, err = ea["text"].split(" ± ")
    assert len(err.split(".")[1]) == len(value.split(".")[1])  # rounded to its error
    assert float(value) == pytest.approx(ea["value"], abs=float(err))
    table = run("show", "my pellet", "--db", db.where).stdout
    assert "σT Arrhenius" in table and f"{ea['value']:g}" not in table
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    with TestClient(create_app(db), base_url="http://localhost") as client:
        api = client.get("/api/v1/materials/my pellet").json()["material"]["measurements"]
        page = client.get("/materials/my pellet").text
    assert [r["text"] for r in api] == [r["text"] for r in rows]
    assert "σT Arrhenius" in page and ea["text"] in page and ">bulk<" in page


def test_display_rounding_rules():
    from nitrolyte.transport.display import format_Ea, format_sigma, round_to_uncertainty

    assert format_Ea(0.548107, 0.0123) == "0.548 ± 0.012"
    assert format_Ea(0.548107) == "0.548"
    assert round_to_uncertainty(0.45029, 0.00015) == ("0.45029", "0.00015")
    assert format_sigma(9.08311e-05, 4.8e-08) == "9.0831e-05 ± 4.8e-08"
    assert format_sigma(2.085e-4) == "0.0002085"


def test_nyquist_panel_of_an_unreliable_fit_says_so():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nitrolyte.plotting.nyquist import plot_nyquist
    from nitrolyte.transport.io import Spectrum

    f, Z = fx.small_arcs_spectrum(T80, seed=0)
    s = Spectrum(f, Z, T80, "pellet_80C.mpt")
    good = fit_impedance(s, thickness_cm=L_CM, area_cm2=A_CM2, kk=False)
    bad = fit_impedance(s, thickness_cm=L_CM, area_cm2=A_CM2, circuit="bulk_gb", kk=False)
    fig = plot_nyquist([good, bad], [s, s])
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    plt.close(fig)
    assert titles == ["pellet_80C.mpt at 353.1 K", "UNRELIABLE FIT: pellet_80C.mpt at 353.1 K"]
