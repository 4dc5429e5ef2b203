"""Fuzzing the entry points of issue 20 (sections 2 and 5): ``structure --cif`` (cell lengths
and angles), ``diffusion`` (frame interval, corrupted trajectories) and every REST operation,
screening included (many requests, not 8).

Every example must end in an answer or in one clean error (CLI: exit 1/2 with one ``error:``
line; REST: a 4xx ``{"error": "one line"}``), never a traceback, a 500 or a non-finite number;
and an input that is nonsense (a 1e6 Å cell, a 180° angle, a frame interval of 1.8e308 fs, a
stored row outside the laboratory limits) must not be answered silently.

Examples per entry point: ``FUZZ_EXAMPLES`` (environment) if set, else the count in
:data:`COUNTS`: 2,000 per entry point, as issue 20 asks (about four minutes of CPU in all);
docs/cli.md ("Fuzzing") records the counts and results.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import typer.main
import typer.testing
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app

pytestmark = pytest.mark.slow
#: examples per entry point when FUZZ_EXAMPLES is not set (see the module docstring)
COUNTS = {"structure_cif": 2000, "diffusion": 2000, "rest_read": 2000, "rest_design": 2000,
          "rest_write": 2000, "rest_upload": 2000, "rest_screening": 2000, "rest_admin": 2000}
COMMAND = typer.main.get_command(app)
runner = CliRunner()
NON_FINITE = re.compile(r"(?<![\w.])(nan|inf|infinity)(?![\w.])", re.IGNORECASE)


def fuzz(target: str) -> Any:
    n = int(os.environ.get("FUZZ_EXAMPLES", COUNTS[target]))
    # no shrinking: one example costs up to a second, and the failure message names the input
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.reuse, Phase.generate),
                    suppress_health_check=list(HealthCheck))


def _cli(*args: str) -> Any:
    """Run the CLI; fail on a traceback, an odd exit code, a messy error or a non-finite answer."""
    with patch.object(typer.testing, "_get_command", lambda _app: COMMAND):
        result = runner.invoke(app, list(args))
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"traceback for {args!r}: {exc!r}") from exc
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    if result.exit_code:
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("error: "), (args, result.stderr)
        assert all(ln.startswith(("error: ", "warning: ")) for ln in lines), (args, result.stderr)
    else:
        assert result.stdout.strip(), (args, "exit 0 without an answer")
        assert not NON_FINITE.search(result.stdout), (args, result.stdout)
    return result


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> str:
    path = tmp_path_factory.mktemp("fuzz-entry") / "fuzz.sqlite"
    shutil.copyfile(_seeded_template, path)
    return str(path)


# ------------------------------------------------------------------ structure --cif
LENGTHS = st.one_of(st.floats(0.5, 30), st.sampled_from([0.0, -3.0, 1e-9, 1e6, 1e400, 1e30, 5e3]),
                    st.floats(allow_nan=True, allow_infinity=True))
ANGLES = st.one_of(st.floats(40, 140), st.sampled_from([0.0, 180.0, 179.999, 360.0, -90.0, 1e400]),
                   st.floats(allow_nan=True, allow_infinity=True))


def _cif(a: float, b: float, c: float, alpha: float, beta: float, gamma: float,
         sites: list[tuple[str, float, float, float, float]]) -> str:
    rows = "\n".join(f"{el} {el}{i} {x!r} {y!r} {z!r} {occ!r}"
                     for i, (el, x, y, z, occ) in enumerate(sites))
    return (f"data_fuzz\n_cell_length_a {a!r}\n_cell_length_b {b!r}\n_cell_length_c {c!r}\n"
            f"_cell_angle_alpha {alpha!r}\n_cell_angle_beta {beta!r}\n_cell_angle_gamma {gamma!r}\n"
            "_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_type_symbol\n"
            "_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
            f"_atom_site_occupancy\n{rows}\n")


def _sane_cell(a: float, b: float, c: float, alpha: float, beta: float, gamma: float) -> bool:
    """Whether a cell could be a crystal: finite lengths 0.5-1000 Å, angles strictly inside
    (0, 180)° and a positive volume."""
    if not all(math.isfinite(v) for v in (a, b, c, alpha, beta, gamma)):
        return False
    if not all(0.5 <= v <= 1000 for v in (a, b, c)) or not all(0 < v < 180 for v in (alpha, beta, gamma)):
        return False
    ca, cb, cg = (math.cos(math.radians(v)) for v in (alpha, beta, gamma))
    return 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg > 1e-6


SITES = st.lists(st.tuples(st.sampled_from(["Li", "N", "Cl", "Xx"]), st.floats(0, 1),
                           st.floats(0, 1), st.floats(0, 1), st.sampled_from([1.0, 0.5, 0.0, 2.0])),
                 min_size=1, max_size=6)


@fuzz("structure_cif")
@given(a=LENGTHS, b=LENGTHS, c=LENGTHS, alpha=ANGLES, beta=ANGLES, gamma=ANGLES, sites=SITES)
def test_structure_cif(fuzz_db: str, tmp_path_factory: pytest.TempPathFactory, a: float,
                       b: float, c: float, alpha: float, beta: float, gamma: float,
                       sites: list) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.cif"
    text = _cif(a, b, c, alpha, beta, gamma, sites)
    path.write_text(text, encoding="utf-8")
    try:
        res = _cli("structure", "fuzz cif", "--cif", str(path), "--db", fuzz_db)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nCIF:\n{text}") from None
    if res.exit_code == 0:  # no silently accepted nonsense
        assert _sane_cell(a, b, c, alpha, beta, gamma), ("accepted", a, b, c, alpha, beta, gamma)


# ------------------------------------------------------------------ diffusion
@pytest.fixture(scope="module")
def trajectories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A short random walk as extxyz and .traj, and corrupted copies of both."""
    import ase.io
    import numpy as np
    from ase import Atoms

    folder = tmp_path_factory.mktemp("fuzz-traj")
    rng = np.random.default_rng(3)
    pos = np.cumsum(rng.normal(0, 0.3, (200, 16, 3)), axis=0) % 10.0
    frames = [Atoms("Li16", positions=p, cell=[10.0] * 3, pbc=True) for p in pos]
    out = {}
    for ext in ("extxyz", "traj"):
        good = folder / f"walk.{ext}"
        ase.io.write(good, frames)
        data = good.read_bytes()
        out[ext] = good
        cut = folder / f"cut.{ext}"
        cut.write_bytes(data[: len(data) * 2 // 3])
        out[f"cut-{ext}"] = cut
        flipped = folder / f"flipped.{ext}"
        mid = len(data) // 2
        flipped.write_bytes(data[:mid] + bytes(b ^ 0x5A for b in data[mid:mid + 64]) + data[mid + 64:])
        out[f"flipped-{ext}"] = flipped
    (folder / "empty.traj").write_bytes(b"")
    out["empty-traj"] = folder / "empty.traj"
    return out


INTERVALS = st.one_of(st.sampled_from(["0.1ps", "10fs", "1.8e308fs", "1e-300ps", "0fs", "-1ps",
                                       "nanps", "1e400fs", "100ns", "2ps"]),
                      st.floats(allow_nan=True, allow_infinity=True).map(lambda v: f"{v!r}fs"))


@fuzz("diffusion")
@given(which=st.sampled_from(["extxyz", "traj", "cut-extxyz", "cut-traj", "flipped-extxyz",
                              "flipped-traj", "empty-traj"]),
       interval=INTERVALS, T=st.sampled_from(["600K", "300", "1e9K", "-5C", "nanK", "600 K"]),
       start=st.sampled_from([None, "0.5ps", "1e300ps", "-1ps", "0ps"]))
def test_diffusion(trajectories: dict[str, Path], which: str, interval: str, T: str,
                   start: str | None) -> None:
    args = ["diffusion", str(trajectories[which]), "--frame-interval", interval, "--T", T,
            "--json"]
    res = _cli(*args, *(["--start", start] if start else []))
    if res.exit_code == 0:
        doc = json.loads(res.stdout)
        D = doc.get("D_cm2_s")
        assert D is None or (math.isfinite(D) and D > 0), doc  # None: "unknown", said
        assert "1.8e308" not in interval and "1e400" not in interval, ("accepted", interval)


# ------------------------------------------------------------------ REST
@pytest.fixture(scope="module")
def rest(fuzz_db: str) -> Any:
    from fastapi.testclient import TestClient

    from nitrolyte.api import clear_cache
    from nitrolyte.store import Database
    from nitrolyte.web import create_app

    db = Database(fuzz_db)
    token = db.create_token("fuzzer")
    with TestClient(create_app(db), base_url="http://localhost") as client:
        client.headers.update({"Authorization": f"Bearer {token}"})
        yield client, db
    db.close()
    clear_cache()


def _answer(r: Any) -> Any:
    """Never a 500: a 2xx JSON answer without NaN, or a 4xx with one error line."""
    assert r.status_code < 500, (r.status_code, r.text[:500])
    doc = r.json()
    if r.status_code >= 400:
        if r.status_code in (413, 429):  # the documented limits answer before the app does
            return None
        assert set(doc) == {"error"} and "\n" not in doc["error"], doc
        return None
    assert not _non_finite(doc), r.text[:500]  # a number, not a string such as a name "NaN"
    return doc


def _non_finite(doc: Any) -> bool:
    """Whether a parsed JSON document holds a NaN or infinite number (strings do not count)."""
    if isinstance(doc, float):
        return not math.isfinite(doc)
    if isinstance(doc, dict):
        return any(_non_finite(v) for v in doc.values())
    if isinstance(doc, list):
        return any(_non_finite(v) for v in doc)
    return False


TEXT = st.one_of(st.sampled_from(["beta-Li3N", "Li3N", "LiPON", "Li9N2Cl3", "", " ", "x" * 400,
                                  "β-Li3N", "Li3N)", "..", "%00", "a/b", "\u202e"]),
                 st.text(max_size=12))
NUM = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                st.sampled_from([0, -1, 1e308, 1e-320, 5, 0.3]))
NUMTXT = st.one_of(NUM.map(repr), st.sampled_from(["nan", "inf", "-inf", "1e400", "", "abc"]))


@fuzz("rest_read")
@given(op=st.sampled_from(["materials", "material", "sigma", "window", "figure17"]),
       name=TEXT, family=st.one_of(st.none(), TEXT), number=NUMTXT,
       temps=st.lists(st.one_of(NUMTXT, NUMTXT.map(lambda v: v + "K"), NUMTXT.map(lambda v: v + "C")),
                      max_size=3))
def test_rest_reads(rest: Any, op: str, name: str, family: str | None, number: str,
                    temps: list[str]) -> None:
    client, _ = rest
    from urllib.parse import quote

    path = quote(name, safe="") or "x"
    r = {"materials": lambda: client.get("/api/v1/materials", params={
             k: v for k, v in {"family": family, "min_sigma_S_cm": number, "limit": number,
                               "element": name}.items() if v is not None}),
         "material": lambda: client.get(f"/api/v1/materials/{path}"),
         "sigma": lambda: client.get(f"/api/v1/materials/{path}/sigma", params={"T": temps}),
         "window": lambda: client.get(f"/api/v1/windows/{path}"),
         "figure17": lambda: client.get("/api/v1/cells/figure17", params={"x": name})}[op]()
    doc = _answer(r)
    if doc is not None and op == "sigma":  # no silent kelvin: every T had its unit
        assert temps and all(t.endswith(("K", "C")) for t in temps), (temps, doc)


CELL_FIELDS = ["areal_capacity_mAh_cm2", "catholyte_um", "nitride_um", "sse_um", "n_p", "cu_um",
               "al_um", "target", "start", "stop", "n", "cathode_V"]


@fuzz("rest_design")
@given(op=st.sampled_from(["/api/v1/cells", "/api/v1/cells/critical", "/api/v1/cells/sweep",
                           "/api/v1/stacks"]),
       fields=st.dictionaries(st.sampled_from(CELL_FIELDS), NUM, max_size=4),
       layers=st.one_of(TEXT, st.lists(TEXT, max_size=4)))
def test_rest_design(rest: Any, op: str, fields: dict, layers: Any) -> None:
    client, _ = rest
    body = {**fields, "layers": layers} if op.endswith("stacks") else fields
    _answer(client.post(op, content=json.dumps(body, allow_nan=True),
                        headers={"Content-Type": "application/json"}))


@fuzz("rest_write")
@given(name=TEXT, value=NUM, unit=st.sampled_from(["S/cm", "mS/cm", "eV", "meV", "S", "", "K"]),
       T=st.one_of(NUMTXT, NUMTXT.map(lambda v: v + "K"), NUMTXT.map(lambda v: v + "C")),
       prop=st.sampled_from(["ionic_conductivity", "activation_energy", "colour",
                             "transition_temperature"]),
       allow=st.booleans(), as_file=st.booleans())
def test_rest_writes(rest: Any, name: str, value: float, unit: str, T: str, prop: str,
                     allow: bool, as_file: bool) -> None:
    """POST /measurements and /imports: a stored row is within the laboratory limits unless
    ``allow_implausible`` was asked for (no silently accepted nonsense)."""
    from nitrolyte.plausibility import LIMITS
    from nitrolyte.units import parse_quantity

    client, _ = rest
    if as_file:
        num, unit_t = (T[:-1], T[-1]) if T.endswith(("K", "C")) else (T, "")
        csv = ("name,property,value,unit,temperature,temperature_unit\n"
               f"\"{name.replace(chr(34), '')}\",{prop},{value!r},{unit},{num},{unit_t}\n")
        r = client.post("/api/v1/imports", files={"file": ("f.csv", csv.encode("utf-8", "replace"),
                                                           "text/csv")},
                        data={"allow_implausible": str(allow).lower()})
    else:
        r = client.post("/api/v1/measurements", json={"name": name, "value": value, "unit": unit,
                                                      "T": T, "property": prop,
                                                      "allow_implausible": allow})
    doc = _answer(r)
    if doc is None or allow:
        return
    T_K = parse_quantity(T, "temperature", "T")  # stored: so it had a unit
    assert LIMITS["T_K"][0] <= T_K <= LIMITS["T_K"][1], ("stored", T, doc)
    scale = {"S/cm": 1.0, "mS/cm": 1e-3, "eV": 1.0, "meV": 1e-3, "K": 1.0}[unit]
    key = {"ionic_conductivity": "sigma_S_cm", "activation_energy": "Ea_eV",
           "transition_temperature": "T_K"}.get(prop)
    if key is not None:
        lo, hi = LIMITS[key]
        assert lo <= value * scale <= hi, ("stored", value, unit, doc)


@fuzz("rest_upload")
@given(kind=st.sampled_from(["fits", "eis"]),
       header=st.lists(st.sampled_from(["T_K", "T_C", "sigma_S_cm", "freq_Hz", "Z_real_ohm",
                                        "Z_imag_ohm", "R_ohm", "x"]), max_size=4, unique=True),
       rows=st.lists(st.lists(NUMTXT, min_size=1, max_size=4), max_size=5),
       geometry=st.sampled_from(["1mm", "500um", "0", "-1mm", "1e400mm", "5"]),
       T=st.lists(st.sampled_from(["25C", "300K", "25", "1e9K", "x"]), max_size=2),
       store=st.booleans())
def test_rest_uploads(rest: Any, kind: str, header: list[str], rows: list[list[str]],
                      geometry: str, T: list[str], store: bool) -> None:
    client, _ = rest
    text = "\n".join([",".join(header), *(",".join(r) for r in rows)]).encode()
    data: dict[str, Any] = {"store": str(store).lower(), "name": "fuzz upload"}
    if kind == "eis":
        data.update(thickness=geometry, area="0.785cm2", T=T)
        files = [("files", ("s_25C.csv", text, "text/csv"))]
    else:
        files = [("file", ("f.csv", text, "text/csv"))]
    _answer(client.post(f"/api/v1/{kind}", data=data, files=files))


SCREEN_PARAMS = st.fixed_dictionaries({}, optional={
    "family": st.sampled_from(["Li3N", "nitride halide", "perovskite", "LiPON", ""]),
    "material": st.lists(st.sampled_from(["beta-Li3N", "Li3N", "xyz", "LiPON"]), max_size=2),
    "target": st.lists(st.sampled_from(["Ea<0.4", "sigma>=1e-4", "Ea<", "bogus>1", "sigma>=nan"]),
                       max_size=2),
    "thickness_um": st.sampled_from(["20", "0", "1e400", "nan", "-5", "50"]),
    "T_K": st.sampled_from(["298.15", "0", "253.15", "1e6", "x"]),
    "n_p": st.sampled_from(["1", "0", "2"])})


@fuzz("rest_screening")
@given(params=SCREEN_PARAMS, implausible=st.booleans())
def test_rest_screening(rest: Any, params: dict, implausible: bool) -> None:
    """Many screening requests (the probe sent 8), on a database that also holds stored rows
    outside the laboratory limits: always an answer or one error line, never a 500."""
    client, db = rest
    if implausible and "cryo fuzz" not in db.names():
        db.add_measurement(material="cryo fuzz", property="ionic_conductivity", value=1e-4,
                           unit="S/cm", temperature=5.0, temperature_unit="K",
                           allow_implausible=True)
        db.add_measurement(material="cryo fuzz", property="activation_energy", value=0.5,
                           unit="eV", temperature=5.0, temperature_unit="K",
                           allow_implausible=True)
        client.app.state.frames.invalidate()
    doc = _answer(client.get("/api/v1/screening", params=params))
    if doc is not None and "cryo fuzz" in db.names() and not params.get("material") and \
            params.get("family") in (None, ""):
        assert any("cryo fuzz" in w for w in doc["warnings"]), doc["warnings"]


@fuzz("rest_admin")
@given(op=st.sampled_from(["list", "create", "revoke"]), name=TEXT,
       scope=st.sampled_from(["write", "admin", "root", ""]))
def test_rest_tokens(rest: Any, op: str, name: str, scope: str) -> None:
    """/tokens (list, create, revoke) with an admin token: never a 500."""
    from urllib.parse import quote

    client, db = rest
    admin = {"Authorization": f"Bearer {_admin_token(db)}"}
    r = {"list": lambda: client.get("/api/v1/tokens", headers=admin),
         "create": lambda: client.post("/api/v1/tokens", json={"name": name, "scope": scope},
                                       headers=admin),
         "revoke": lambda: client.delete(f"/api/v1/tokens/{quote(name, safe='') or 'x'}",
                                         headers=admin)}[op]()
    _answer(r)


_ADMIN: dict[str, str] = {}


def _admin_token(db: Any) -> str:
    if "token" not in _ADMIN:
        _ADMIN["token"] = db.create_token("fuzz-admin", "admin")
    return _ADMIN["token"]
