"""Conductivity laws as objects (issue 24): the registry, each law against a closed form, a fit
recovering known parameters within its errors (hypothesis), published parameters, CLI and store.

Closed forms: σT = A exp(-Ea/kT) (Fig. 10B), σ = σ0 exp(-Ea/kT), VTF σ = A exp(-B/k(T-T0))
(T0 = 0 is σ-Arrhenius), two-regime σT-Arrhenius continuous at its knee (the review's phase
transitions of Li5NI2 and Li13N4Br, Table 2, are this law).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.errors import InputError
from nitrolyte.transport.fitting import fit_arrhenius, fit_law
from nitrolyte.transport.laws import ConductivityLaw, LawFit, get_law, law_names, register_law
from nitrolyte.transport.laws.registry import arrhenius_law, resolve_law
from nitrolyte.units import K_B_EV, T_ROOM_K

#: true parameters of each law (units: see the law's parameter_units)
TRUE = {
    "sigmaT": (8.0, 0.40),                  # ln(S K/cm), eV
    "sigma": (2.0, 0.35),                   # ln(S/cm), eV
    "vtf": (0.5, 0.080, 180.0),             # ln(S/cm), eV, K
    "two_regime": (10.0, 0.60, 0.30, 330.0),  # ln(S K/cm), eV, eV, K
}
T_GRID = np.linspace(250.0, 420.0, 12)


def _data(name: str, params=None, T=T_GRID) -> np.ndarray:
    return np.exp(get_law(name).ln_sigma(T, TRUE[name] if params is None else params))


# ---------------------------------------------------------------------------------- registry

def test_registry_holds_the_four_laws_with_the_contract():
    assert law_names()[:4] == ("sigmaT", "sigma", "vtf", "two_regime")
    for name in law_names():
        law = get_law(name)
        assert isinstance(law, ConductivityLaw) and law.name == name
        assert len(law.parameter_names) == len(law.parameter_units) == len(TRUE[name])
        assert law.min_temperatures == len(law.parameter_names) + 1


def test_unknown_law_lists_the_allowed_names():
    with pytest.raises(InputError, match="law must be one of sigmaT, sigma, vtf, two_regime; "
                                         "got 'arrhenius'"):
        get_law("arrhenius")
    with pytest.raises(InputError, match="convention must be one of sigmaT, sigma; got 'vtf'"):
        arrhenius_law("vtf")
    with pytest.raises(InputError, match="taken by"):
        register_law(type(get_law("vtf"))(label="another"))
    with pytest.raises(InputError, match="disagree"):
        resolve_law("vtf", "sigmaT")
    assert resolve_law(None, "sigma").name == "sigma" and resolve_law().name == "sigmaT"


# ---------------------------------------------------------------------------------- closed forms

def test_arrhenius_laws_closed_form():
    T = np.array([250.0, 298.15, 400.0])
    lnA, Ea = TRUE["sigmaT"]
    assert get_law("sigmaT").ln_sigma(T, (lnA, Ea)) == pytest.approx(
        lnA - Ea / (K_B_EV * T) - np.log(T), rel=1e-12)
    assert get_law("sigma").ln_sigma(T, (lnA, Ea)) == pytest.approx(lnA - Ea / (K_B_EV * T),
                                                                    rel=1e-12)


def test_vtf_closed_form_and_arrhenius_limit():
    vtf = get_law("vtf")
    lnA, B, T0 = TRUE["vtf"]
    T = np.array([200.0, 298.15, 350.0])
    assert vtf.ln_sigma(T, (lnA, B, T0)) == pytest.approx(lnA - B / (K_B_EV * (T - T0)), rel=1e-12)
    # T0 = 0: the sigma-Arrhenius law with Ea = B
    assert vtf.ln_sigma(T, (lnA, B, 0.0)) == pytest.approx(get_law("sigma").ln_sigma(T, (lnA, B)),
                                                           rel=1e-12)
    # at or below T0 the law says nothing: NaN, never a number
    assert np.isnan(vtf.ln_sigma(np.array([150.0, 180.0]), (lnA, B, T0))).all()


def test_two_regime_closed_form_and_continuity():
    law = get_law("two_regime")
    lnA, Ea, Ea_ht, Tk = TRUE["two_regime"]
    lo, hi = np.array([280.0]), np.array([400.0])
    assert law.ln_sigma(lo, TRUE["two_regime"]) == pytest.approx(
        lnA - Ea / (K_B_EV * lo) - np.log(lo), rel=1e-12)
    lnA_ht = lnA + (Ea_ht - Ea) / (K_B_EV * Tk)
    assert law.ln_sigma(hi, TRUE["two_regime"]) == pytest.approx(
        lnA_ht - Ea_ht / (K_B_EV * hi) - np.log(hi), rel=1e-12)
    below, at = law.ln_sigma(np.array([Tk * (1 - 1e-12), Tk]), TRUE["two_regime"])
    assert below == pytest.approx(at, rel=1e-9)


# ---------------------------------------------------------------------------------- fits

@pytest.mark.parametrize("name", list(TRUE))
def test_exact_data_give_the_parameters_back(name):
    fit = get_law(name).fit(T_GRID, _data(name))
    assert isinstance(fit, LawFit) and fit.law == name
    assert fit.values == pytest.approx(TRUE[name], rel=1e-5)
    assert fit.sigma_RT_S_cm == pytest.approx(float(_data(name, T=np.array([T_ROOM_K]))[0]),
                                              rel=1e-6)
    assert not any(fit.outliers)


@pytest.mark.parametrize("name", list(TRUE))
def test_noisy_data_give_the_parameters_back_within_their_errors(name):
    rng = np.random.default_rng(7)
    sig = _data(name) * np.exp(rng.normal(0.0, 0.02, T_GRID.size))
    fit = get_law(name).fit(T_GRID, sig, 0.02 * sig)
    z = (np.array(fit.values) - np.array(TRUE[name])) / np.array(fit.stderr)
    assert np.all(np.abs(z) < 4), z
    assert np.array(fit.covariance).shape == (len(TRUE[name]),) * 2
    band = fit.predict([T_ROOM_K, 350.0])
    assert all(lo < s < hi for lo, s, hi in zip(band.lower_S_cm, band.sigma_S_cm, band.upper_S_cm,
                                                strict=True))
    doc = json.loads(json.dumps(fit.to_dict()))
    assert doc["law"] == name and list(doc["parameters"]) == list(get_law(name).parameter_names)


@pytest.mark.parametrize("name", ["sigmaT", "sigma"])
def test_arrhenius_law_fit_is_the_fit_arrhenius_line(name):
    rng = np.random.default_rng(3)
    sig = _data(name) * np.exp(rng.normal(0.0, 0.05, T_GRID.size))
    a, b = get_law(name).fit(T_GRID, sig), fit_arrhenius(T_GRID, sig, convention=name)
    assert a.values == pytest.approx((b.ln_prefactor, b.Ea_eV), rel=1e-10)
    assert np.array(a.covariance) == pytest.approx(np.array(b.covariance), rel=1e-8)
    assert a.predict([300.0]).lower_S_cm == pytest.approx(b.predict([300.0]).lower_S_cm, rel=1e-6)
    assert fit_law(T_GRID, sig, law=name) == b  # the richer ArrheniusFit for the Arrhenius laws


@settings(max_examples=25, deadline=None)
@given(lnA=st.floats(-3, 3), B=st.floats(0.03, 0.2), T0=st.floats(100, 220))
def test_vtf_round_trip(lnA, B, T0):
    T = np.linspace(T0 + 50, T0 + 220, 10)
    fit = get_law("vtf").fit(T, np.exp(get_law("vtf").ln_sigma(T, (lnA, B, T0))))
    assert fit.values == pytest.approx((lnA, B, T0), rel=1e-4, abs=1e-4)


@settings(max_examples=25, deadline=None)
@given(Ea=st.floats(0.3, 0.8), ratio=st.floats(0.3, 0.8), Tk=st.floats(300, 380))
def test_two_regime_round_trip(Ea, ratio, Tk):
    params = (12.0, Ea, Ea * ratio, Tk)  # a drop of Ea by 0.06 eV at least
    T = np.linspace(250, 450, 14)
    fit = get_law("two_regime").fit(T, np.exp(get_law("two_regime").ln_sigma(T, params)))
    assert fit.values == pytest.approx(params, rel=1e-4)


@pytest.mark.parametrize(("name", "n", "message"), [
    ("vtf", 3, "a VTF fit needs at least 4 distinct temperatures, got 3"),
    ("two_regime", 4, "a two-regime Arrhenius fit needs at least 5 distinct temperatures, got 4"),
])
def test_too_few_temperatures_is_an_error(name, n, message):
    with pytest.raises(InputError, match=message):
        get_law(name).fit(T_GRID[:n], _data(name)[:n])


# ---------------------------------------------------------------------------------- published

@pytest.mark.parametrize(("name", "Ea", "Ea_HT", "T_t"), [
    ("Li5NI2", 0.50, 0.44, 443.15),    # review Table 2 (ref. 59): transition near 170 C
    ("Li13N4Br", 0.73, 0.47, 503.15),  # review Table 2 (ref. 64): transition near 230 C
])
def test_two_regime_recovers_the_review_transitions(name, Ea, Ea_HT, T_t):
    """The review's two-slope Arrhenius lines (Table 2: Ea below and above the transition) are a
    two-regime law: its fit gives the printed Ea, Ea_HT and transition temperature back."""
    import warnings

    from nitrolyte.errors import PlausibilityWarning
    from nitrolyte.transport.conductivity import conductivity

    T = np.linspace(T_t - 120, T_t + 100, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlausibilityWarning)
        sig = conductivity(name, T)
    fit = get_law("two_regime").fit(T, sig)
    p = fit.params
    assert p["Ea_eV"] == pytest.approx(Ea, rel=5e-3)
    assert p["Ea_HT_eV"] == pytest.approx(Ea_HT, rel=5e-3)
    assert p["T_knee_K"] == pytest.approx(T_t, rel=5e-3)
    s = fit.summary()
    assert (s["Ea_eV"], s["Ea_HT_eV"], s["T_transition_K"]) == pytest.approx((Ea, Ea_HT, T_t),
                                                                             rel=5e-3)


# ---------------------------------------------------------------------------------- CLI, store

def _csv(path: Path, name: str) -> Path:
    T = np.linspace(250.0, 400.0, 8)
    path.write_text("T_K,sigma_S_cm\n" + "\n".join(f"{float(t)!r},{float(s)!r}" for t, s in
                                                   zip(T, _data(name, T=T), strict=True)))
    return path


def test_cli_fit_law_vtf_and_store(tmp_path, db):
    from nitrolyte.cli import app

    csv = _csv(tmp_path / "glass.csv", "vtf")
    r = CliRunner().invoke(app, ["fit", str(csv), "--law", "vtf", "--json", "--store", "My glass",
                                 "--formula", "Li3PO4", "--db", str(db.path),
                                 "--plot", str(tmp_path / "vtf.png")])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["fit"]["law"] == "vtf"
    assert list(doc["fit"]["parameters"].values()) == pytest.approx(TRUE["vtf"], rel=1e-5)
    assert (tmp_path / "vtf.png").stat().st_size > 5000
    one = db.measurement_set(doc["stored"]["set_id"])
    assert one["fit"]["law"] == "vtf" and one["fit"]["parameters"]["T0_K"] == pytest.approx(180.0)
    assert one["method_details"]["convention"] == "vtf"
    # B is no Arrhenius Ea: no activation_energy row is stored for a VTF fit
    assert db.get("My glass").Ea_eV() is None
    text = CliRunner().invoke(app, ["fit", str(csv), "--law", "vtf"])
    assert text.exit_code == 0 and "VTF fit of glass.csv (vtf, 8 points)" in text.stdout
    assert "T0_K (K)" in text.stdout
    bad = CliRunner().invoke(app, ["fit", str(csv), "--law", "arrhenius"])
    assert bad.exit_code != 0
    assert "law must be one of sigmaT, sigma, vtf, two_regime; got 'arrhenius'" in bad.output


def test_cli_fit_convention_alias_still_works(tmp_path):
    from nitrolyte.cli import app

    csv = _csv(tmp_path / "a.csv", "sigma")
    r = CliRunner().invoke(app, ["fit", str(csv), "--convention", "sigma", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["fit"]["Ea_eV"] == pytest.approx(TRUE["sigma"][1], rel=1e-9)
    assert json.loads(r.stdout)["fit"]["convention"] == "sigma"


def test_stored_two_regime_fit_has_the_record_fields(tmp_path, db):
    from nitrolyte.transport.eis_series import store_conductivity_data
    from nitrolyte.transport.io import read_conductivity_csv

    data = read_conductivity_csv(_csv(tmp_path / "knee.csv", "two_regime"))
    res, fit = store_conductivity_data(db, "Kneed", data, law="two_regime", formula="Li3N")
    one = db.measurement_set(res.set_id)["fit"]
    assert one["law"] == "two_regime" and one["Ea_eV"] == pytest.approx(0.60, rel=1e-5)
    assert one["T_transition_K"] == pytest.approx(330.0, rel=1e-5)
    assert one["sigma_RT_S_cm"] == pytest.approx(fit.sigma_RT_S_cm, rel=1e-12)
    assert math.isclose(db.get("Kneed").Ea_eV(), 0.60, rel_tol=1e-5)


def test_screening_takes_sigma_at_25C_from_a_stored_vtf_fit(db):
    """A user glass measured at 330-420 K with a VTF fit: the screening's σ at 25 °C is the
    fitted law's (extrapolated, said so), not NaN for want of an Arrhenius Ea."""
    from nitrolyte.screening import screen
    from nitrolyte.transport.eis_series import store_conductivity_data
    from nitrolyte.transport.io import ConductivityData

    T = np.linspace(330.0, 420.0, 6)
    data = ConductivityData(tuple(T.tolist()), tuple(_data("vtf", T=T).tolist()))
    store_conductivity_data(db, "Screened glass", data, law="vtf", formula="Li3PO4")
    row = screen(["Screened glass"], db=db).rows[0]
    expected = float(_data("vtf", T=np.array([T_ROOM_K]))[0])
    assert row.evidence["sigma_S_cm"] == pytest.approx(expected, rel=1e-5)
    assert "VTF fit of the stored set (330-420 K), extrapolated" in row.criterion("sigma").note
