"""The "wrong answer" suite (issue 21): each way a user was silently given a wrong answer, as
the exact input they typed and the outcome it must give, plus a hypothesis property per entry
point that such input never yields an answer without an error or an explicit warning.

A wrong answer is worse than an error. Extend this file whenever a new way to be silently wrong
is found: one section per defect, headed ``# --- defect N: ...``, tests named ``test_dN_...``
(engineers on other branches add their own sections; keep them self-contained).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import eis_fixtures as fx
from nitrolyte.cli import app
from nitrolyte.errors import UnitError

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def _one_error_line(res: Any, text: str) -> None:
    """Exit 2, one ``error:`` line containing ``text``, nothing on stdout (no answer)."""
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
    assert text in res.stderr, res.stderr
    assert res.stdout == "", res.stdout


# --- defect 1: a bare temperature was read as kelvin ------------------------------------------
# Decision (docs/transport.md, docs/cli.md): a bare number typed as a temperature is refused
# everywhere (CLI options, REST strings, eis manifests, long-format rows without
# temperature_unit, file names), with one line saying how to write it. JSON fields whose name
# carries the unit (T_K) stay numbers in kelvin.

BARE_25 = "a bare number 25 is ambiguous; write 25C or 298.15K"
BARE_40 = "a bare number 40 is ambiguous; write 40C or 313.15K"


def test_d1_sigma_T_25_is_refused(db: Any) -> None:
    """``nitrolyte sigma Li9N2Cl3 --T 25`` printed sigma at 25 K (1e-96 S/cm)."""
    _one_error_line(run("sigma", "Li9N2Cl3", "--T", "25", "--db", str(db.path)), f"--T: {BARE_25}")
    ok = run("sigma", "Li9N2Cl3", "--T", "25C", "--json", "--db", str(db.path))
    assert ok.exit_code == 0 and json.loads(ok.stdout)["results"][0]["sigma_S_cm"] == pytest.approx(2.3e-6)


def test_d1_eis_T_25_is_refused(tmp_path: Path, db: Any) -> None:
    """``eis pellet.csv --T 25`` fitted (and could store) the spectrum at 25 K."""
    path = fx.write(tmp_path, "csv", 25, stem="pellet").rename(tmp_path / "pellet.csv")
    res = run("eis", str(path), "--T", "25", "--thickness", "1mm", "--area", "0.785cm2",
              "--store", "bare pellet", "--db", str(db.path))
    _one_error_line(res, f"--T: {BARE_25}")
    assert "bare pellet" not in db.names()


def test_d1_add_T_40_is_refused(db: Any) -> None:
    """``add --T 40`` stored the row at 40 K."""
    res = run("add", "--name", "bare add", "--value", "1e-4", "--unit", "S/cm", "--T", "40",
              "--db", str(db.path))
    _one_error_line(res, f"--T: {BARE_40}")
    assert "bare add" not in db.names()
    assert run("add", "--name", "bare add", "--value", "1e-4", "--unit", "S/cm", "--T", "40C",
               "--db", str(db.path)).exit_code == 0
    (m,) = db.get("bare add").measurements
    assert (m.temperature, m.temperature_unit, m.temperature_K) == (40.0, "C", pytest.approx(313.15))


def test_d1_screen_T_25_is_refused(db: Any) -> None:
    _one_error_line(run("screen", "--T", "25", "--db", str(db.path)), f"--T: {BARE_25}")


def test_d1_rest_T_40_is_refused(db: Any) -> None:
    """REST ``{"T": "40"}`` stored the row at 40 K."""
    from fastapi.testclient import TestClient

    from nitrolyte.api import clear_cache
    from nitrolyte.web import create_app

    token = db.create_token("alice")
    body = {"name": "bare rest", "value": 1e-4, "unit": "S/cm", "T": "40"}
    try:
        with TestClient(create_app(db), base_url="http://localhost") as client:
            r = client.post("/api/v1/measurements", json=body,
                            headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 422 and r.json()["error"] == f"T: {BARE_40}"
            r = client.post("/api/v1/measurements", json={**body, "T": 40},
                            headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 422  # a JSON number is no better: T is text with its unit
            r = client.post("/api/v1/eis", data={"thickness": "1mm", "area": "0.785cm2",
                                                  "T": "25"},
                            files=[("files", ("p.csv", b"1,2,3\n", "text/csv"))])
            assert r.status_code == 422 and r.json()["error"] == f"T: {BARE_25}"
    finally:
        clear_cache()
    assert "bare rest" not in db.names()


def test_d1_import_row_without_temperature_unit_is_refused(tmp_path: Path, db: Any) -> None:
    """A long-format row ``...,25`` with no temperature_unit was stored at 25 K."""
    rows = tmp_path / "rows.csv"
    rows.write_text("name,property,value,unit,temperature\nbare import,ionic_conductivity,"
                    "1e-4,S/cm,25\n")
    res = run("import", str(rows), "--db", str(db.path))
    assert res.exit_code == 1 and res.stderr.strip() == (
        f"error: rows.csv row 1: temperature: {BARE_25} (column temperature_unit: K or C)")
    assert "bare import" not in db.names()


def test_d1_manifest_and_file_name_without_unit_are_refused(tmp_path: Path, db: Any) -> None:
    """An eis manifest ``T`` of 25, and a file named ``pellet_25.csv``, give no temperature."""
    path = fx.write(tmp_path, "csv", 25, stem="pellet").rename(tmp_path / "pellet_25.csv")
    manifest = tmp_path / "T.csv"
    manifest.write_text("file,T\npellet_25.csv,25\n")
    res = run("eis", str(path), "--manifest", str(manifest), "--thickness", "1mm", "--area",
              "0.785cm2", "--db", str(db.path))
    assert res.exit_code in (1, 2) and BARE_25 in res.stderr and res.stdout == ""
    res = run("eis", str(path), "--thickness", "1mm", "--area", "0.785cm2", "--db", str(db.path))
    assert res.exit_code in (1, 2) and "no temperature for spectra pellet_25.csv" in res.stderr
    assert res.stdout == ""


BARE_NUMBERS = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.6e}"),
).map(lambda s: s.replace("+", "")).flatmap(
    lambda s: st.sampled_from([s, f" {s}", f"{s} ", f"\t{s}\n"]))


@settings(max_examples=300, deadline=None)
@given(text=BARE_NUMBERS)
def test_d1_a_unit_less_temperature_never_gives_an_answer(text: str) -> None:
    """Property: every reader of a typed temperature refuses a number without its unit."""
    from nitrolyte.units import parse_quantity, split_temperature

    with pytest.raises(UnitError):
        parse_quantity(text, "temperature", "T")
    with pytest.raises(UnitError):
        split_temperature(text, "T")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.floats(min_value=-270, max_value=5000, allow_nan=False).map(lambda x: f"{x:g}"),
       command=st.sampled_from(["sigma", "add", "screen", "cell"]))
def test_d1_cli_never_answers_a_unit_less_temperature(db: Any, number: str, command: str) -> None:
    """Property: sigma / add / screen / cell with ``--T NUMBER`` exit 2 with one error line."""
    args = {"sigma": ["sigma", "beta-Li3N"],
            "add": ["add", "--name", "prop pellet", "--value", "1e-4", "--unit", "S/cm"],
            "screen": ["screen", "--material", "beta-Li3N"],
            "cell": ["cell", "--c-rate", "1"]}[command]
    res = run(*args, "--T", number, "--db", str(db.path))
    _one_error_line(res, "is ambiguous; write")


def test_d1_sigma_csv_needs_the_unit_in_its_header(tmp_path: Path) -> None:
    """A sigma(T) CSV whose temperature column is just ``T`` is refused, not read as kelvin."""
    path = tmp_path / "s.csv"
    path.write_text("T,sigma_S_cm\n25,1e-4\n50,2e-4\n75,4e-4\n")
    res = run("fit", str(path))
    assert res.exit_code in (1, 2) and res.stdout == "" and "T_K" in res.stderr
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1


# --- defects 2-7 and the friction items: where their exact-input cases live --------------------
# Each was fixed on its own branch with the user's exact input as a regression test:
#   defect 2 (typo in a stack layer / window name), 3 (a "0" that means unknown), 6 (a CIF that
#   failed validation said "added"), 7 (verdicts stronger than the evidence), issue 22 item 7
#   (verdicts on an incomplete phase set)        -> tests/test_stability_truth.py
#   defect 4 (impedance fits that fail quietly, covariance errors), 5 (web geometry defaults),
#   the EIS/display friction                      -> tests/test_eis_truth.py
#   defect 5 (design inputs without a physical range), sigma extrapolation, edge crashes
#                                                 -> tests/test_edges.py
#   one bad row must not break the database       -> tests/test_plausibility_doors.py
# The property below covers the mistyped name at every door that takes one.

KNOWN_NAMES = ["Li9N2Cl3", "LiSi2N3", "Li6PS5Cl", "Li3InCl6", "Li7N2I", "Li3BN2", "Li2CN2"]


def _typo(name: str, position: int, letter: str, kind: str) -> str:
    i = position % len(name)
    if kind == "replace":
        return name[:i] + letter + name[i + 1:]
    if kind == "delete":
        return name[:i] + name[i + 1:]
    return name[:i] + letter + name[i:]


def _is_known(text: str) -> bool:
    """A name or formula nitrolyte knows (so an answer to it is an answer to what was asked)."""
    from nitrolyte.names import name_key
    from nitrolyte.stability.known import _known_formulas, _reduced, known_names

    keys = {name_key(n) for n in known_names()}
    return name_key(text) in keys or _reduced(text) in _known_formulas()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(KNOWN_NAMES), position=st.integers(0, 20),
       letter=st.sampled_from(list("ILlNn0O1iCS")),
       kind=st.sampled_from(["replace", "delete", "insert"]),
       command=st.sampled_from(["sigma", "window", "show", "stack"]))
def test_a_mistyped_name_never_gets_an_answer_to_another_question(
        db: Any, name: str, position: int, letter: str, kind: str, command: str) -> None:
    """Property: a one-letter typo of a known material either is itself a name nitrolyte knows, or
    gets one ``error:`` line (with "did you mean" where a close name exists) and no answer."""
    typo = _typo(name, position, letter, kind)
    args = {"sigma": ["sigma", typo, "--T", "25C"], "window": ["window", typo],
            "show": ["show", typo], "stack": ["stack", f"Li | Li3N | {typo} | NMC811"]}[command]
    res = run(*args, "--db", str(db.path))
    if res.exit_code == 0:
        assert _is_known(typo), f"{command} answered for unknown {typo!r}:\n{res.output}"
        return
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
    assert res.stdout == "", res.stdout


# --- defect 12: a discovery candidate judged on nothing known ---------------------------------
# (issue 25) A candidate whose window rests on an incomplete phase set, or whose values were not
# computed, must come out "unknown" against the review's targets, never "pass"; a candidate whose
# hull cannot be built (an element without reference energy) is "skipped" with the reason, never a
# number.


def test_d12_discover_verdict_on_an_undecided_window_is_unknown() -> None:
    from nitrolyte.discover.verdicts import judge, thresholds

    limits = thresholds(25.0)
    undecided = judge({"reduction_V": 0.0, "li_verdict": "not decided", "e_above_hull_meV_atom": 0.0}, limits)
    assert undecided["li_stability"] == "unknown" and undecided["hull"] == "pass"
    nothing = judge({}, limits)
    assert set(nothing.values()) == {"unknown"}


def test_d12_discover_hull_without_an_element_reference_is_skipped_not_a_number() -> None:
    from nitrolyte.discover.candidates import Candidate
    from nitrolyte.discover.stages import Settings, run_stage
    from nitrolyte.structures.library import library_structure

    struct = library_structure("Li2CN2")  # the library holds no element structure of C
    relax = {"model": "chgnet-0.4.2/model-0.3.0", "energy_eV_atom": -6.0, "structure": struct.as_dict()}
    out = run_stage("stability", Candidate("Li2CN2", "antifluorite", "Li-C-N"), {"relax": relax},
                    Settings(committee=False, hide=("Li2CN2",)))
    assert out["status"] == "skipped" and "element C" in out["reason"]
    assert "e_above_hull_meV_atom" not in out
