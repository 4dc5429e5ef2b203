"""Fuzzing: generated names, formulas, numbers, options and files never give a traceback.

Each target runs >= 2,000 hypothesis examples (slow-marked; CI runs them). The CLI is driven
in-process through Typer's CliRunner against a copy of the seeded database. A target fails on
any exception other than a nitrolyte error (through the API) or a clean ``error:`` exit (through
the CLI), and on a non-finite number printed.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
import typer.main
import typer.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import NitrolyteError

pytestmark = pytest.mark.slow
FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "2000")), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])
#: the Click command built once (typer's CliRunner.invoke would rebuild it on every call)
COMMAND = typer.main.get_command(app)


runner = CliRunner()
NON_FINITE = re.compile(r"(?<![\w.])(nan|inf|infinity)(?![\w.])", re.IGNORECASE)

ELEMENTS = ["Li", "N", "Cl", "Br", "I", "P", "O", "S", "Si", "B", "C", "H", "Ge", "In", "Xe", "E",
            "D", "Q", "li", "n"]
AMOUNTS = ["", "0", "1", "2", "3", "0.5", "1e400", "99999999999999999999", ".", "-1", "1e-5"]
NAMES = ["beta-Li3N", "β-Li3N", "beta_Li3N", "Li3N", "li3n", "LiPON", "Li9N2Cl3", "LGPS",
         "NMC811", "Li", "Li3InCl6", "γ-Li3N", "α-Li3N single crystal", "vacancy-rich beta-Li3N"]


@st.composite
def formulas(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(ELEMENTS), st.sampled_from(AMOUNTS)),
                          min_size=0, max_size=4))
    text = "".join(e + a for e, a in parts)
    wrap = draw(st.sampled_from(["{}", "({})2", "{})", "[{}]", "{}(", "{}\n", "{}\udcff"]))
    return wrap.format(text)


def texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NAMES), formulas(), st.text(max_size=20))


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                     st.sampled_from(["0", "-1", "1e400", "nan", "inf", "-inf", "", "abc", "3e-3"]))


def quantities(units: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda n, u, sep: f"{n}{sep}{u}", numbers(), st.sampled_from(units),
                     st.sampled_from(["", " "]))


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> str:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
    shutil.copyfile(_seeded_template, path)
    return str(path)


def _cli(*args: str) -> None:
    with patch.object(typer.testing, "_get_command", lambda _app: COMMAND):
        result = runner.invoke(app, list(args))
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"traceback for {args!r}: {exc!r}") from exc
    assert result.exit_code in (0, 1, 2), (args, result.exit_code)
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
    if result.exit_code == 0:
        assert not NON_FINITE.search(result.stdout), (args, result.stdout)


def _api(func, *args, **kwargs) -> object:
    try:
        return func(*args, **kwargs)
    except NitrolyteError as exc:
        assert "\n" not in str(exc), repr(str(exc))
        return None


# ------------------------------------------------------------------------------------ API
@FUZZ
@given(formulas())
def test_formula_parser(text: str) -> None:
    from nitrolyte.formula import parse_formula

    amounts = _api(parse_formula, text)
    if amounts is not None:
        assert amounts and all(0 < v <= 1e4 and math.isfinite(v) for v in amounts.values())


@FUZZ
@given(texts())
def test_get(fuzz_db: str, text: str) -> None:
    from nitrolyte import api

    record = _api(api.get, text, db=fuzz_db)
    assert record is None or record.material_id


@pytest.fixture(scope="module")
def records(fuzz_db: str) -> list:
    """Records read once (name lookup is fuzzed by test_get; here the temperatures are)."""
    from nitrolyte import api

    return [api.get(n, db=fuzz_db) for n in ("beta-Li3N", "Li13N4Br", "Li5NI2",
                                              "α-Li3N single crystal", "Li2.9PO3.3N0.46", "Li9N2Cl3")]


@FUZZ
@given(st.integers(0, 5), st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                    st.lists(st.floats(1, 2000), max_size=3)),
       st.sampled_from([None, "perp_c", "par_c", "x"]), st.sampled_from(["sigmaT", "sigma", "?"]),
       st.sampled_from([None, "bruggeman", "harmonic", "?"]))
def test_conductivity(records: list, i: int, T: object, direction: str | None, convention: str,
                      average: str | None) -> None:
    from nitrolyte.transport import conductivity

    sigma = _api(conductivity, records[i], T, direction, convention=convention, average=average)
    assert sigma is None or (np.isfinite(sigma).all() and (np.asarray(sigma) >= 0).all())


@FUZZ
@given(st.one_of(formulas(), st.sampled_from(NAMES)))
def test_electrochemical_window(fuzz_db: str, text: str) -> None:
    from nitrolyte.stability import electrochemical_window

    w = _api(electrochemical_window, text, db=fuzz_db)
    if w is not None and w.computable:
        assert w.reduction_V <= w.oxidation_V and w.reduction_V >= 0


# ------------------------------------------------------------------------------------ CLI
@FUZZ
@given(texts(), st.lists(quantities(["K", "C", "°C", "", "F"]), min_size=1, max_size=2))
def test_cli_sigma(fuzz_db: str, name: str, temps: list[str]) -> None:
    _cli("sigma", name, *[a for t in temps for a in ("--T", t)], "--db", fuzz_db)


CELL_OPTIONS = ["--areal-capacity", "--catholyte-um", "--nitride-um", "--np", "--al-um",
                "--cu-um", "--li-capacity", "--packaging-fraction", "--c-rate"]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(CELL_OPTIONS), numbers()), max_size=3),
       st.sampled_from(["", "LFP", "NMC811", "beta_Li3N", "xyz"]),
       st.one_of(st.none(), quantities(["K", "C"])),
       st.one_of(st.none(), st.builds(lambda a, b, n: f"np={a}:{b}:{n}", numbers(), numbers(),
                                      st.sampled_from(["2", "0", "x", "3"]))))
def test_cli_cell(options: list, cathode: str, temp: str | None, axis: str | None) -> None:
    args = [x for opt, v in options for x in (opt, v)]
    if cathode:
        args += ["--cathode", cathode]
    if temp is not None:
        args += ["--T", temp, "--c-rate", "4", "--catholyte-sigma", "1e-3"]
    _cli("cell", *args, *(["sweep", axis] if axis else []))


@FUZZ
@given(st.one_of(formulas(), st.sampled_from(NAMES)), st.booleans())
def test_cli_window(fuzz_db: str, text: str, as_json: bool) -> None:
    _cli("window", text, "--db", fuzz_db, *(["--json"] if as_json else []))


@FUZZ
@given(texts(), numbers(), st.sampled_from(["S/cm", "mS/cm", "mS cm-1", "S", "eV", "µS/cm", ""]),
       quantities(["K", "C", ""]), st.sampled_from(["", "x", "\xff", "a\nb", "\udcff"]),
       st.sampled_from(["", "Li3N", "Li3N)", "Li3N\udcff", "Li3N0"]))
def test_cli_add(fuzz_db: str, name: str, value: str, unit: str, temp: str, note: str,
                 formula: str) -> None:
    args = ["add", "--name", name, "--value", value, "--unit", unit, "--T", temp, "--db", fuzz_db]
    _cli(*args, *(["--note", note] if note else []), *(["--formula", formula] if formula else []))


CSV_CELLS = st.one_of(numbers(), st.sampled_from(["Li3N", "beta-Li3N", "ionic_conductivity",
                                                  "S/cm", "K", "", '"', "a,b"]))


@st.composite
def csv_files(draw: st.DrawFn, headers: list[str]) -> bytes:
    header = draw(st.lists(st.sampled_from(headers), min_size=0, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(CSV_CELLS, min_size=0, max_size=len(header) + 2), max_size=5))
    text = "\n".join([",".join(header), *(",".join(r) for r in rows)])
    raw = draw(st.sampled_from([b"", b"\xff\xfe\x00", b"\x00\x01"]))
    return raw + text.encode("utf-8", "surrogatepass") if raw else text.encode("utf-8",
                                                                              "surrogatepass")


@FUZZ
@given(csv_files(["name", "property", "value", "unit", "temperature", "temperature_unit",
                  "formula", "family", "note", "bogus"]))
def test_cli_import(fuzz_db: str, tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-import.csv"
    path.write_bytes(content)
    _cli("import", str(path), "--db", fuzz_db)


@FUZZ
@given(csv_files(["T_K", "T_C", "sigma_S_cm", "sigma_mS_cm", "R_ohm", "thickness_um", "area_cm2",
                  "sigma_err_S_cm"]))
def test_cli_fit(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-fit.csv"
    path.write_bytes(content)
    _cli("fit", str(path))


@FUZZ
@given(csv_files(["freq_Hz", "Z_real_ohm", "Z_imag_ohm", "minus_Z_imag_ohm"]),
       quantities(["um", "mm", "cm", ""]), quantities(["cm2", "mm2", ""]))
def test_cli_eis(tmp_path_factory: pytest.TempPathFactory, content: bytes, thickness: str,
                 area: str) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-eis.csv"
    path.write_bytes(content)
    _cli("eis", str(path), "--thickness", thickness, "--area", area)


def test_non_finite_detector_is_not_fooled_by_names() -> None:
    assert NON_FINITE.search("gravimetric nan Wh/kg") and NON_FINITE.search("σ = inf")
    assert not NON_FINITE.search("α-Li3N nanofibers, infinite-layer") and not NON_FINITE.search("Info")
    assert np.isfinite(1.0)
