"""Instrument impedance files -> validated fits -> sigma(T) -> stored set (issue 12).

Spectra are written at test time by ``tests/eis_fixtures.py`` from a known circuit (bulk +
grain boundary + blocking electrode, both arcs inside 10 MHz-0.1 Hz, 0.3 % noise).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import eis_fixtures as fx
from nitrolyte.cli import app
from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.transport.eis_readers import FORMATS, detect_format, read_instrument_file
from nitrolyte.transport.eis_series import read_manifest
from nitrolyte.transport.impedance import fit_impedance, kk_residual
from nitrolyte.transport.io import Spectrum

runner = CliRunner()
GEOMETRY = ("--thickness", "1mm", "--diameter", "10mm")


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("fmt", sorted(fx.WRITERS))
def test_every_reader_gives_sigma_total_within_5_percent_without_circuit(tmp_path, fmt):
    path = fx.write(tmp_path, fmt, 25)
    s = read_instrument_file(path)
    expected_format = fmt if fmt in FORMATS else "csv"
    assert s.meta["format"] == expected_format and detect_format(path) == expected_format
    assert s.freq_Hz.size == fx.FREQ.size
    assert pytest.approx(298.15) == s.T_K
    fit = fit_impedance(s, thickness_cm=fx.THICKNESS_CM, area_cm2=fx.AREA_CM2)
    assert fit.circuit == "bulk_gb"  # the true circuit wins the BIC
    assert fit.sigma_total_S_cm == pytest.approx(fx.sigma_total(298.15), rel=0.05)
    assert fit.R_bulk_ohm == pytest.approx(fx.R_B_RT, rel=0.05)
    assert fit.warnings == () and fit.rel_rmse < 0.01 and fit.kk_residual < 0.01
    assert {c["circuit"] for c in fit.selection} == {"bulk", "bulk_no_electrode", "bulk_gb",
                                                     "bulk_gb_no_electrode"}
    best = min(fit.selection, key=lambda c: c["bic"])
    assert best["circuit"] == fit.circuit and best["rel_rmse"] == pytest.approx(fit.rel_rmse)


def test_forced_bulk_circuit_is_poor_and_says_so():
    """The issue's -39 % case: the bulk-only circuit on a two-arc spectrum now warns."""
    f, Z = fx.spectrum(298.15)
    fit = fit_impedance(f, Z, thickness_cm=fx.THICKNESS_CM, area_cm2=fx.AREA_CM2, circuit="bulk")
    assert fit.rel_rmse > 0.02
    assert any(w.startswith("poor fit: relative RMSE") for w in fit.warnings)


def test_sign_mixup_is_fixed_with_a_warning(tmp_path):
    f, Z = fx.spectrum(298.15)
    path = tmp_path / "flipped_25C.csv"  # header says Z'' but the column holds -Z''
    path.write_text("Freq,Z',Z''\n" + "".join(f"{a:.6e},{z.real:.6e},{-z.imag:.6e}\n"
                                               for a, z in zip(f, Z, strict=True)))
    s = read_instrument_file(path)
    assert np.mean(s.Z_ohm.imag < 0) > 0.9
    assert "flipped to Z'' < 0" in s.meta["warnings"][0]
    fit = fit_impedance(s, thickness_cm=fx.THICKNESS_CM, area_cm2=fx.AREA_CM2)
    assert fit.sigma_total_S_cm == pytest.approx(fx.sigma_total(298.15), rel=0.05)
    direct = fit_impedance(f, np.conj(Z), thickness_cm=fx.THICKNESS_CM, area_cm2=fx.AREA_CM2)
    assert any("flipped" in w for w in direct.warnings)
    assert direct.C_bulk_F == pytest.approx(fit.C_bulk_F, rel=0.05)


def test_kramers_kronig_residual_flags_a_drifting_spectrum():
    f, Z = fx.spectrum(298.15)
    good = kk_residual(Spectrum(f, Z))
    assert good < 0.01
    drift = Z.real * (1 + 0.2 * np.log10(f / f.min()) / 8) + 1j * Z.imag  # real part drifts
    bad = fit_impedance(f, drift, thickness_cm=fx.THICKNESS_CM, area_cm2=fx.AREA_CM2)
    assert bad.kk_residual > 0.02 > good
    assert any(w.startswith("Kramers-Kronig residual") for w in bad.warnings)


def test_geometry_is_required_in_python():
    f, Z = fx.spectrum(298.15)
    with pytest.raises(TypeError, match="thickness_cm"):
        fit_impedance(f, Z, area_cm2=1.0)  # type: ignore[call-arg]
    with pytest.raises(InputError, match="area_cm2 must be > 0 and <= 1e"):
        fit_impedance(f, Z, thickness_cm=0.1, area_cm2=float("inf"))


@pytest.mark.slow
def test_four_temperature_series_Ea_within_0_015_eV_and_stored(tmp_path, db):
    folder = tmp_path / "series"
    folder.mkdir()
    files = [fx.write(folder, fmt, T, seed=i) for i, (fmt, T) in
             enumerate((("gamry", 25), ("biologic", 50), ("zplot", 75), ("csv_semicolon", 100)))]
    r = run("eis", str(folder), *GEOMETRY, "--store", "My Li3N pellet", "--formula", "Li3N",
            "--family", "Li3N", "--db", str(db.path), "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["schema"] == "nitrolyte.eis/1"
    assert [round(x["T_K"], 2) for x in doc["impedance_fits"]] == [298.15, 323.15, 348.15, 373.15]
    for x in doc["impedance_fits"]:
        assert x["sigma_total_S_cm"] == pytest.approx(fx.sigma_total(x["T_K"]), rel=0.05)
        assert x["warnings"] == [] and x["kk_residual"] < 0.01
    arr = doc["arrhenius"]
    assert abs(arr["Ea_eV"] - fx.EA_EV) < 0.015
    assert arr["Ea_ci_eV"][0] < arr["Ea_eV"] < arr["Ea_ci_eV"][1]
    assert arr["sigma_RT_S_cm"] == pytest.approx(fx.sigma_total(298.15), rel=0.05)
    sets = db.measurement_sets("My Li3N pellet")
    assert len(sets) == 1 and sets.iloc[0]["method"] == "EIS"
    one = db.measurement_set(int(sets.iloc[0]["set_id"]))
    assert sorted(one["points"]["kind"]) == ["bulk"] * 4 + ["total"] * 4
    assert one["fit"]["Ea_eV"] == pytest.approx(arr["Ea_eV"]) and one["fit"]["law"] == "sigmaT"
    assert one["method_details"]["thickness_cm"] == pytest.approx(0.1)
    assert dict(one["source_files"]) == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert db.get("My Li3N pellet").Ea_eV() == pytest.approx(arr["Ea_eV"])


def test_failed_series_stores_nothing(tmp_path, db):
    folder = tmp_path / "s"
    folder.mkdir()
    fx.write(folder, "csv", 25)
    (folder / "pellet_50C.csv").write_text("freq,Zreal,Zimag\n1,2,3\n2,3\n")
    r = run("eis", str(folder), *GEOMETRY, "--store", "Half series", "--db", str(db.path))
    assert r.exit_code == 1
    assert r.stderr.strip() == ("error: pellet_50C.csv: line 3 has 2 fields, the header has 3 "
                                "(ragged rows)")
    assert "Half series" not in db.names() and db.measurement_sets().empty


def test_manifest_temperatures(tmp_path):
    a, b = fx.write(tmp_path, "csv", 25, stem="a"), fx.write(tmp_path, "csv", 60, stem="b")
    manifest = tmp_path / "temps.csv"
    manifest.write_text(f"file,T\n{a.name},25C\n{b.name},333.15K\n")
    assert read_manifest(manifest) == {a.name: pytest.approx(298.15), b.name: pytest.approx(333.15)}
    r = run("eis", str(tmp_path), *GEOMETRY, "--manifest", str(manifest), "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [x["T_K"] for x in doc["impedance_fits"]] == pytest.approx([298.15, 333.15])
    assert doc["arrhenius"] is None


def test_nyquist_plot(tmp_path):
    path = fx.write(tmp_path, "biologic", 25)
    for ext in ("png", "svg"):
        out = tmp_path / f"n.{ext}"
        r = run("eis", str(path), *GEOMETRY, "--plot", str(out))
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 5000
    svg = (tmp_path / "n.svg").read_text()
    assert "grain boundary" in svg and "bulk arc" in svg


def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    good = fx.write(folder, "biologic", 25)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "utf16.csv").write_text("freq,Zreal,Zimag\n1,2,3\n", encoding="utf-16")
    (folder / "ragged.csv").write_text("freq,Zreal,Zimag\n1,2,3\n2,3\n")
    (folder / "zeros.csv").write_text("freq,Zreal,Zimag\n" + "".join(f"{10**i},0,0\n"
                                                                      for i in range(6)))
    (folder / "pellet_-5K.mpt").write_bytes(good.read_bytes())
    (folder / "junk.DTA").write_text("ZCURVE\nnothing useful\n")
    (folder / "cut.mpt").write_text("EC-Lab ASCII FILE\nNb header lines : 3\nfreq/Hz\tRe(Z)/Ohm\n1\t2\n")
    return {
        "empty": (folder / "empty.csv", "error: empty.csv: empty file"),
        "binary": (folder / "binary.csv", "error: binary.csv: binary file"),
        "utf16": (folder / "utf16.csv", "error: utf16.csv: UTF-16 text"),
        "ragged": (folder / "ragged.csv", "error: ragged.csv: line 3 has 2 fields"),
        "zeros": (folder / "zeros.csv", "error: zeros.csv: impedance is zero at every frequency"),
        "minus5K": (folder / "pellet_-5K.mpt",
                    "error: pellet_-5K.mpt: temperature from the file name: T_K must be > 0"),
        "biologic": (folder / "cut.mpt", "error: cut.mpt: not a readable biologic file"),
        "gamry": (folder / "junk.DTA", "error: junk.DTA: a spectrum needs at least 5 frequencies, got 0"),
    }


@pytest.mark.parametrize("case", ["empty", "binary", "utf16", "ragged", "zeros", "minus5K",
                                  "gamry", "biologic"])
def test_bad_files_give_one_error_line_exit_1(tmp_path, case):
    path, message = _bad_files(tmp_path)[case]
    r = run("eis", str(path), *GEOMETRY)
    assert r.exit_code == 1, r.output
    err = r.stderr.strip()
    assert err.startswith(message) and "\n" not in err
    with pytest.raises(DataValidationError):
        read_instrument_file(path)


@pytest.mark.parametrize(("args", "message"), [
    (("--thickness", "1mm", "--area", "1e400cm2"), "--area must be a finite size"),
    (("--thickness", "1mm"), "exactly one of --area (e.g. 0.785cm2) or --diameter"),
    (("--thickness", "1mm", "--area", "1cm2", "--diameter", "1cm"), "exactly one of --area"),
    (("--thickness", "1mm", "--area", "1cm2", "--T", "-5K"), "--T must be above 0 K"),
    (("--thickness", "1mm", "--area", "1cm2", "--circuit", "RC"), "circuit must be one of"),
    (("--thickness", "1mm", "--area", "1cm2", "--plot", "x.pdf"), "--plot must end in .png"),
])
def test_bad_options_give_one_error_line_exit_2(tmp_path, args, message):
    path = fx.write(tmp_path, "csv", 25)
    r = run("eis", str(path), *args)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err and message in err


_CELL = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.sampled_from(["", "x", "1,5", "-0", "Freq", "Z'", "-Im(Z)/Ohm", "ZCURVE",
                                   "EC-Lab ASCII FILE", "Nb header lines : 3", "End Comments"]))
_LINE = st.lists(_CELL, min_size=0, max_size=5).flatmap(
    lambda cells: st.sampled_from([",", ";", "\t", " "]).map(lambda d: d.join(cells)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=12), suffix=st.sampled_from([".csv", ".txt", ".DTA",
                                                                   ".mpt", ".z", ".par"]),
       raw=st.binary(max_size=64))
def test_fuzz_reader_raises_only_nitrolyte_errors(tmp_path, lines, suffix, raw):
    path = tmp_path / f"fuzz_300K{suffix}"
    for content in ("\n".join(lines).encode(), raw):
        path.write_bytes(content)
        try:
            s = read_instrument_file(path)
        except (DataValidationError, InputError) as exc:
            assert "\n" not in str(exc)
        else:
            assert np.isfinite(s.Z_ohm).all() and (s.freq_Hz > 0).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200), thickness=st.sampled_from(["1mm", "0mm", "-1mm", "1e999mm",
                                                               "x", "1"]))
def test_fuzz_eis_cli_one_error_line(tmp_path, raw, thickness):
    path = tmp_path / "f_25C.csv"
    path.write_bytes(raw)
    r = run("eis", str(path), "--thickness", thickness, "--diameter", "10mm")
    assert r.exit_code in (1, 2)
    err = r.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in r.output


@settings(max_examples=4, deadline=None)
@given(re=st.lists(st.floats(-1e6, 1e6), min_size=8, max_size=8),
       im=st.lists(st.floats(-1e6, 1e6), min_size=8, max_size=8))
def test_fuzz_fit_impedance_raises_only_nitrolyte_errors(re, im):
    from nitrolyte.errors import NitrolyteError

    f = np.logspace(6, -1, 8)
    try:
        fit = fit_impedance(f, np.array(re) + 1j * np.array(im), thickness_cm=0.1, area_cm2=1.0,
                            kk=False)
    except NitrolyteError as exc:
        assert "\n" not in str(exc)
    else:
        assert fit.R_total_ohm > 0 and fit.sigma_total_S_cm > 0


def test_compiled_circuits_match_impedance_py():
    """The fit's fast evaluator gives impedance.py's values for every registered circuit."""
    from impedance.models.circuits.fitting import wrapCircuit

    from nitrolyte.transport.circuits import CIRCUIT_MODELS, compile_circuit

    f = np.logspace(6, -1, 15)
    rng = np.random.default_rng(1)
    for model in CIRCUIT_MODELS.values():
        p = rng.uniform(0.6, 0.95, model.n_parameters) * np.where(
            np.isin(np.arange(model.n_parameters), model.exponents), 1.0, 1e3)
        ref = np.asarray(wrapCircuit(model.string, {})(f, *p))
        np.testing.assert_allclose(compile_circuit(model.string)(f, p),
                                   ref[:f.size] + 1j * ref[f.size:], rtol=1e-12)
    with pytest.raises(InputError, match="unsupported element 'L1'"):
        compile_circuit("R0-L1")
