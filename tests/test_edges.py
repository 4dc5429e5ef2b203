"""Issue 20 section 2 and issue 21 (defect 5, friction): the edges of every entry point.

Each case is the exact input a probe or a user typed; on the version before this file each one
crashed with a traceback or answered nonsense without a word. The outcome asserted is one
``error:`` line naming the field and the allowed range, or an answer with a ``warning:`` line.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import InputError

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, [*args])


@pytest.fixture
def entry(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Any:
    """Run the console entry point ``nitrolyte.cli.main`` (with its warning hook) on argv;
    returns (exit code, stdout, stderr)."""
    import sys
    import warnings

    import nitrolyte.cli as cli

    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)

    def go(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["nitrolyte", *args])
        with pytest.raises(SystemExit) as done:
            cli.main()
        out = capsys.readouterr()
        return int(done.value.code or 0), out.out, out.err

    return go


def one_error_line(result: Any, *needles: str, code: int = 2) -> None:
    """The command failed with exit ``code``, one ``error:`` line holding every needle."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


# ------------------------------------------------ cell: one table of physical ranges (item 5)
@pytest.mark.parametrize(("args", "message"), [
    (("--c-rate", "1e30"), "c_rate must be > 0 and <= 100, got 1e+30"),
    (("--areal-capacity", "1e150"), "areal_capacity_mAh_cm2 must be > 0 and <= 100, got 1e+150"),
    (("--areal-capacity", "5e6"), "areal_capacity_mAh_cm2 must be > 0 and <= 100, got 5e+06"),
    (("--nitride-um", "1e300"), "nitride_um must be >= 0 and <= 10000, got 1e+300"),
    (("--c-rate", "4", "--max-drop", "1e300"), "max_drop_V must be > 0 and <= 10, got 1e+300"),
    (("--li-capacity", "1e9"), "li_capacity_mAh_g must be > 0 and <= 3861.5, got 1e+09"),
    (("--al-um", "5e4"), "al_um must be >= 0 and <= 1000, got 50000"),
])
def test_cell_cli_refuses_design_inputs_outside_their_physical_range(args, message):
    one_error_line(run("cell", *args), message)


def test_cell_np_0_is_the_anode_free_limit_and_says_so():
    """N/P 0 is accepted (the Fig. 17 N/P curves start there) by the CLI, the API and REST alike,
    and the CLI says that it is the anode-free cell."""
    from nitrolyte.cell import pouch_cell

    result = run("cell", "--np", "0")
    assert result.exit_code == 0, result.output
    assert "note: N/P 0: no Li metal" in result.stdout
    free = pouch_cell(anode="anode-free").gravimetric_Wh_kg
    assert pouch_cell(n_p=0).gravimetric_Wh_kg == pytest.approx(free, rel=1e-12)


@pytest.mark.parametrize(("field", "bad"), [
    ("areal_capacity_mAh_cm2", 5e6), ("areal_capacity_mAh_cm2", 1e150), ("nitride_um", 1e300),
    ("n_p", 1e6), ("al_um", 5e4), ("li_capacity_mAh_g", 1e6), ("n_p", -1.0)])
def test_python_api_and_cli_share_the_limits(field, bad):
    from nitrolyte.cell import pouch_cell

    with pytest.raises(InputError, match=f"{field} must be"):
        pouch_cell(**{field: bad})


def test_rest_schema_ranges_are_the_design_limits():
    """Every number of the REST cell body has exactly the range of DESIGN_LIMITS."""
    from nitrolyte.cell.limits import DESIGN_LIMITS
    from nitrolyte.web.schemas import CellIn

    props = CellIn.model_json_schema()["properties"]
    numeric = {k: v for k, v in props.items()
               if any(o.get("type") == "number" for o in v.get("anyOf", [v]))}
    assert set(numeric) >= {"areal_capacity_mAh_cm2", "n_p", "sse_um", "al_um"}
    for name, prop in numeric.items():
        number = next(o for o in prop.get("anyOf", [prop]) if o.get("type") == "number")
        limit = DESIGN_LIMITS[name]
        lo_key = "minimum" if limit.lo_inclusive else "exclusiveMinimum"
        hi_key = "maximum" if limit.hi_inclusive else "exclusiveMaximum"
        assert (number[lo_key], number[hi_key]) == (limit.lo, limit.hi), name


def test_rest_accepts_and_refuses_what_the_cli_does(sqlite_db):
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    with TestClient(create_app(sqlite_db), base_url="http://localhost") as client:
        assert client.post("/api/v1/cells", json={"n_p": 0}).status_code == 200
        bad = client.post("/api/v1/cells", json={"areal_capacity_mAh_cm2": 5e6})
        assert bad.status_code == 422 and "areal_capacity_mAh_cm2" in bad.json()["error"]


def test_big_sweeps_through_the_fused_kernel_check_the_upper_limits_too():
    from nitrolyte.cell import PouchCell

    q = np.full(70_000, 4.0)
    q[123] = 5e6
    with pytest.raises(InputError, match="areal_capacity_mAh_cm2 must be > 0 and <= 100"):
        PouchCell(areal_capacity_mAh_cm2=q).evaluate()
    assert math.isfinite(float(PouchCell(areal_capacity_mAh_cm2=np.full(70_000, 100.0))
                               .evaluate().gravimetric_Wh_kg[0]))


# ------------------------------------------------------------ sigma: no silent extrapolation
@pytest.mark.parametrize(("T", "shown"), [("7e-9K", "7e-09"), ("9000K", "9000")])
def test_sigma_refuses_temperatures_no_laboratory_reaches(db, T, shown):
    """Before: 7e-9 K printed 0.000e+00 S/cm and 9000 K 1.449e+02 S/cm for β-Li3N."""
    result = run("sigma", "beta-Li3N", "--T", T, "--db", f"sqlite:///{db.path}")
    one_error_line(result, f"T_K must be >= 10 and <= 2000, got {shown}")


def test_sigma_of_a_one_temperature_record_warns_and_names_its_ea(db):
    """β-Li3N is one σ at 25 °C and one Ea (Table 1, ref. 28): at 60 °C the answer is the
    Arrhenius line through that point with the assumed Ea, and the output says so once."""
    result = run("sigma", "beta-Li3N", "--T", "60C", "--db", f"sqlite:///{db.path}")
    assert result.exit_code == 0, result.output
    warns = [w for w in result.stderr.splitlines() if w.startswith("warning: ")]
    assert warns == ["warning: extrapolated: 333.15 K from the record's one measured temperature "
                     "298.15 K; Ea = 0.448 eV (ref. 28, Table 1) assumed constant"]
    # sigma*T Arrhenius through 2.085e-4 S/cm at 298.15 K with 0.448 eV (closed form)
    k_B = 8.617333262e-5
    expected = 2.085e-4 * 298.15 / 333.15 * math.exp(-0.448 / k_B * (1 / 333.15 - 1 / 298.15))
    assert f"{expected:.3e}" in result.stdout
    at_own_T = run("sigma", "beta-Li3N", "--T", "25C", "--db", f"sqlite:///{db.path}")
    assert at_own_T.exit_code == 0 and "warning" not in at_own_T.stderr


def test_sigma_api_refuses_too(db):
    import nitrolyte

    with pytest.raises(InputError, match="T_K must be >= 10 and <= 2000, got 9000"):
        nitrolyte.conductivity("beta-Li3N", 9000.0, db=db)


# ------------------------------------------------------------- eis: bounded on read, flagged fits
EIS_DATA = Path(__file__).parent / "data" / "eis"


def _spectrum_file(tmp_path: Path, row: int, cells: str, name: str = "probe_25C.csv") -> Path:
    lines = (EIS_DATA / "pellet_25C.csv").read_text().splitlines()
    lines[row] = cells
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("cells", "needles"), [
    ("3.2e269,8.371323e+02,-4.712489e+03", ("frequency column: 3.2e+269 at data row 1",
                                            "1e-06-1e+10 Hz")),
    ("1.0e+07,1e300,-4.712489e+03", ("Z' (real part) column: 1e+300 at data row 1",)),
    ("1.0e+07,8.371323e+02,-1e20", ("Z'' (imaginary part) column: -1e+20 at data row 1",)),
])
def test_eis_refuses_values_no_analyser_measures_naming_file_and_column(tmp_path, cells, needles):
    """Before: a first frequency of 3.2e269 Hz ended in ZeroDivisionError (Kramers-Kronig)."""
    path = _spectrum_file(tmp_path, 2, cells)
    result = run("eis", str(path), "--thickness", "500um", "--area", "0.785cm2")
    one_error_line(result, "probe_25C.csv: ", *needles, code=1)


def test_kramers_kronig_on_a_near_zero_point_is_flagged_not_a_traceback(tmp_path):
    """Before: |Z| = 1.4e-6 ohm at one frequency made lin-KK's least squares raise
    LinAlgError (and LAPACK print DLASCL); now the check is 'not possible' and says so."""
    path = _spectrum_file(tmp_path, 2, "1.000000e+07,1e-6,1e-6")
    result = run("eis", str(path), "--thickness", "500um", "--area", "0.785cm2")
    assert result.exit_code == 0, result.output
    assert "warning: probe_25C.csv: Kramers-Kronig check not possible" in result.stderr
    assert "Traceback" not in result.output


def test_fit_with_nan_quality_is_flagged():
    from nitrolyte.transport.eis_quality import fit_warnings

    notes = fit_warnings(math.nan, None)
    assert notes[0].startswith("fit quality unknown: relative RMSE is nan")


# ------------------------------------------------- diffusion: interval, corrupted, truncated files
D_A2_PS, DT_PS, BOX_A = 0.5, 0.1, 12.0


@pytest.fixture(scope="module")
def walk(tmp_path_factory) -> list:
    """A random walk of 16 Li (D = 0.5 Å²/ps, 0.1 ps frames) and 2 fixed N in a 12 Å box."""
    from ase import Atoms

    rng = np.random.default_rng(7)
    steps = rng.normal(0.0, math.sqrt(2 * D_A2_PS * DT_PS), size=(300, 16, 3))
    steps[0] = 0.0
    pos = np.cumsum(steps, axis=0) + rng.uniform(0, BOX_A, (1, 16, 3))
    fixed = rng.uniform(0, BOX_A, (2, 3))
    return [Atoms("Li16N2", positions=np.vstack([p % BOX_A, fixed]), cell=[BOX_A] * 3, pbc=True)
            for p in pos]


def _write_traj(path: Path, frames: list) -> Path:
    from ase.io.trajectory import Trajectory

    with Trajectory(str(path), "w") as traj:
        for frame in frames:
            traj.write(frame)
    return path


def diffusion(path: Path, *args: str) -> Any:
    return run("diffusion", str(path), "--frame-interval", "0.1ps", "--T", "600K", *args)


@pytest.mark.parametrize("interval", ["1.8e308fs", "1.7e308fs", "1e300ps"])
def test_diffusion_refuses_a_frame_interval_no_run_has(tmp_path, walk, interval):
    """Before: 1.7e308 fs went on to kinisi and died in 'ValueError: Initial state has a large
    condition number'."""
    import ase.io

    path = tmp_path / "walk.extxyz"
    ase.io.write(path, walk)
    result = run("diffusion", str(path), "--frame-interval", interval, "--T", "600K")
    one_error_line(result, "frame")


@pytest.mark.parametrize(("corrupt", "needle"), [
    ("nan_position", "frame 50: atom positions must be finite"),
    ("huge_position", "frame 50: atom positions must be finite and within 100000 Å"),
    ("zero_cell", "frame 50: the periodic cell must be finite"),
    ("flat_cell", "frame 0: the periodic cell must be finite"),
    ("infinite_cell", "frame 0: the periodic cell must be finite"),
])
def test_corrupted_traj_frames_are_one_error_line(tmp_path, walk, corrupt, needle):
    """Before: a flat cell ended in numpy's LinAlgError traceback, a zero cell in one frame gave
    a different D without a word, a NaN position 'MSD reaches only nan Å²'."""
    frames = [f.copy() for f in walk]
    if corrupt == "nan_position":
        frames[50].positions[3, 0] = np.nan
    elif corrupt == "huge_position":
        frames[50].positions[3, 0] = 1e300
    elif corrupt == "zero_cell":
        frames[50].cell = np.zeros((3, 3))
    elif corrupt == "flat_cell":
        for f in frames:
            f.cell = [[12, 0, 0], [12, 0, 0], [0, 0, 12]]
    else:
        for f in frames:
            f.cell = [1e300] * 3
    path = _write_traj(tmp_path / f"{corrupt}.traj", frames)
    one_error_line(diffusion(path), f"{corrupt}.traj: {needle}")


def _killed(tmp_path: Path, walk: list, cut: str) -> Path:
    """200 complete extxyz frames and the start of frame 200, cut at ``cut``."""
    import ase.io

    ase.io.write(tmp_path / "more.extxyz", walk[:201])
    lines = (tmp_path / "more.extxyz").read_text().splitlines(keepends=True)
    keep = 200 * 20 + {"count_line": 1, "header": 2, "five_atoms": 7, "mid_line": 7}[cut]
    path = tmp_path / "killed.extxyz"
    path.write_text("".join(lines[:keep]) + (lines[keep][:15] if cut == "mid_line" else ""))
    return path


@pytest.mark.parametrize("cut", ["count_line", "header", "five_atoms", "mid_line"])
def test_a_trajectory_cut_by_a_killed_run_keeps_its_complete_frames(tmp_path, walk, cut):
    from nitrolyte.errors import NitrolyteWarning
    from nitrolyte.simulate.trajectory import read_frames

    with pytest.warns(NitrolyteWarning, match="killed.extxyz: frame 200 is incomplete"):
        frames = read_frames(_killed(tmp_path, walk, cut))
    assert len(frames) == 200
    assert np.allclose(frames[-1].positions, walk[199].positions, atol=1e-6)


def test_diffusion_of_a_killed_run_is_that_of_its_complete_frames(tmp_path, walk, entry):
    """Issue 21: before, ``diffusion`` refused the file (XYZError: Frame has 6 atoms)."""
    import json

    import ase.io

    full = tmp_path / "full.extxyz"
    ase.io.write(full, walk[:200])
    opts = ("--frame-interval", "0.1ps", "--T", "600K", "--json")
    code, out, err = entry("diffusion", str(_killed(tmp_path, walk, "mid_line")), *opts)
    assert code == 0, err
    assert err.strip().splitlines() == [
        "warning: killed.extxyz: frame 200 is incomplete (a run killed while writing it?); "
        "using the 200 complete frames before it"]
    a, b = json.loads(out), json.loads(diffusion(full, "--json").stdout)
    assert a["n_frames"] == b["n_frames"] == 200
    assert a["D_cm2_s"] == b["D_cm2_s"]


def test_a_trajectory_corrupted_in_the_middle_is_still_an_error(tmp_path, walk):
    import ase.io

    path = tmp_path / "middle.extxyz"
    ase.io.write(path, walk[:50])
    lines = path.read_text().splitlines(keepends=True)
    del lines[20 * 10 + 5]  # one atom line gone from frame 10
    path.write_text("".join(lines))
    one_error_line(diffusion(path), "middle.extxyz: cannot read as extxyz")


# ------------------------------------------------------------- warnings: one line, no source
def test_python_warnings_print_as_one_warning_line_without_the_source_line(entry):
    """Before: ``.../cell/fastcharge.py:117: PlausibilityWarning: 1173.15 K is past the melting
    point ...`` and the source line below it."""
    code, _, err = entry("cell", "--c-rate", "4", "--T", "900C", "--catholyte-sigma", "1e-3")
    assert code == 0, err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines), lines
    assert any("past the melting point at 814 °C" in line for line in lines)
    assert ".py:" not in err


def test_the_one_line_hook_shows_other_packages_warnings_with_their_kind(entry, capsys):
    import warnings

    from nitrolyte.errors import PlausibilityWarning

    entry("--help")
    warnings.showwarning(PlausibilityWarning("a\n  b"), PlausibilityWarning, "x.py", 1)
    warnings.showwarning(UserWarning("from elsewhere"), UserWarning, "y.py", 2)
    assert capsys.readouterr().err.splitlines() == ["warning: a b",
                                                    "warning: UserWarning: from elsewhere"]


# ------------------------------------------------------------------------- friction (issue 21)
@pytest.mark.parametrize(("formula", "message"), [
    ("Xx3N", "add: formula: 'Xx3N' is not a chemical formula: 'Xx' is not an element symbol"),
    ("Li3P", "add: 'β-Li3N' exists with formula Li3N; formula 'Li3P' does not match it"),
])
def test_add_formula_for_an_existing_material_is_refused_unless_it_matches(db, formula, message):
    """Before: ``add --name beta-Li3N --formula Xx3N`` stored the row and ignored the formula."""
    url = f"sqlite:///{db.path}"
    args = ("add", "--name", "beta-Li3N", "--value", "1e-4", "--unit", "S/cm", "--T", "300K",
            "--db", url)
    before = len(db.get("beta-Li3N").measurements)
    one_error_line(run(*args, "--formula", formula), message, code=1)
    assert len(db.get("beta-Li3N").measurements) == before  # nothing half-stored
    same = run(*args, "--formula", "Li6N2")  # the stored formula, any multiple: accepted
    assert same.exit_code == 0, same.output


def test_md_shows_a_progress_bar_with_time_left_on_stderr_but_not_with_json(tmp_path, capsys):
    from nitrolyte.simulate.md import run_md
    from nitrolyte.structures.library import library_structure

    cell = library_structure("alpha-Li3N")
    run_md(cell, T_K=600.0, ps=0.05, out=tmp_path / "a.extxyz", potential="lj-toy",
           device="cpu", progress=True)
    err = capsys.readouterr().err
    assert "MD Li3N 600 K" in err and "62/62" in err and "step/s" in err
    run_md(cell, T_K=600.0, ps=0.05, out=tmp_path / "b.extxyz", potential="lj-toy",
           device="cpu")
    assert capsys.readouterr().err == ""
    result = run("md", "alpha-Li3N", "--T", "600K", "--ps", "0.05", "--potential", "lj-toy",
                 "--device", "cpu", "--no-store", "--out", str(tmp_path / "c"), "--json")
    assert result.exit_code == 0 and result.stderr == ""


def test_md_filters_chgnets_requires_grad_warning(tmp_path):
    """CHGNet reads its stress with ``.item()`` on a tensor that needs grad; torch's UserWarning
    leaked to stderr on every ``nitrolyte md``. The integrator filters exactly that one."""
    import warnings

    from nitrolyte.simulate.md import _integrate

    class Dynamics:  # what the integrator calls of ASE's Langevin
        nsteps = 0

        def attach(self, function: Any, interval: int) -> None:
            pass

        def run(self, steps: int) -> None:
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.", UserWarning, stacklevel=1)
            warnings.warn("another warning", UserWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _integrate(Dynamics(), None, tmp_path / "t.extxyz", 1, 1, 1)
    assert [str(w.message) for w in caught] == ["another warning", "another warning"]


def test_readme_says_what_make_test_installs_and_where_nitrolyte_writes():
    from nitrolyte.data.cache import ENV_VAR as CACHE_VAR
    from nitrolyte.store.location import ENV_VAR as DB_VAR

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    head = text[:text.index("## What is inside")]
    for needle in ("apt-get", "needs root", "chromium", "postgresql", "user data directory",
                   f"`{DB_VAR}`", f"`{CACHE_VAR}=DIR`", f"`{CACHE_VAR}=off`", "--db PATH"):
        assert needle in head, needle


def test_cache_dir_off_turns_the_report_figure_cache_off_too(monkeypatch, tmp_path):
    """Before: NITROLYTE_CACHE_DIR=off made the report cache figures in ./off/report-figures."""
    from nitrolyte.report.framework import default_cache_dir

    monkeypatch.setenv("NITROLYTE_CACHE_DIR", "off")
    assert default_cache_dir() is None
    monkeypatch.setenv("NITROLYTE_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "report-figures"


# ------------------------------------------------ structure --cif: bounded before anything is built
CIF = (Path(__file__).resolve().parents[1] / "src" / "nitrolyte" / "data" / "structures" / "cif"
       / "obelix-0iv.cif").read_text()  # Li2PS3, P-31m


def _cif(**fields: str) -> str:
    """The Li2PS3 CIF with some header fields (``_cell_length_a`` ...) replaced."""
    lines = []
    for line in CIF.splitlines():
        key = line.split()[0] if line.split() else ""
        lines.append(f"{key}   {fields[key]}" if key in fields else line)
    return "\n".join(lines) + "\n"


def _with_site_value(column: int, value: str) -> str:
    """The CIF with the last atom site's ``column`` (3-5: x, y, z; 6: occupancy) = ``value``."""
    lines = CIF.splitlines()
    cells = lines[-1].split()
    cells[column] = value
    lines[-1] = "  " + "  ".join(cells)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "message"), [
    # before: MemoryError (the neighbour search asked for 35 GB)
    (_cif(_cell_length_a="1e6"), "_cell_length_a = 1e+06 Å is outside 1-200 Å"),
    # before: NaN lattice, LAPACK DLASCL on stderr
    (_cif(_cell_length_a="1e400"), "_cell_length_a = inf Å is outside 1-200 Å"),
    # before: ZeroDivisionError in pymatgen's Ewald sum
    (_cif(_cell_angle_alpha="180"), "_cell_angle_alpha = 180° is outside 10-170°"),
    # before: ValueError: Cannot create cython.array from NULL pointer (neighbour list)
    (_cif(_cell_length_c="0"), "_cell_length_c = 0 Å is outside 1-200 Å"),
    (_cif(_cell_angle_gamma="1e-300"), "_cell_angle_gamma = 1e-300° is outside 10-170°"),
    # three valid angles that make no cell: 150 + 150 + 60 > 360
    (_cif(_cell_angle_alpha="150", _cell_angle_beta="150", _cell_angle_gamma="60"),
     "the cell's volume from its lengths and angles (150, 150, 60°) is 0 Å³, outside 1-1e+06"),
    # before: ZeroDivisionError in the Ewald sum of the ordering (occupancy 1e-300)
    (_with_site_value(6, "1e-300"), "_atom_site_occupancy (row 4) = 1e-300 is outside 0.01-1.05"),
    (_with_site_value(3, "nan"), "_atom_site_fract_x (row 4) = nan is outside -10-10"),
    (_with_site_value(5, "1e30"), "_atom_site_fract_z (row 4) = 1e+30 is outside -10-10"),
    # found by the 2,000-example CI fuzz: pymatgen reads 'Xx' as a dummy species; KeyError later
    (_with_site_value(0, "Xx"), "atom type 'Xx' is not a chemical element"),
])
def test_structure_cif_outside_physical_bounds_is_one_error_line(tmp_path, db, text, message):
    path = tmp_path / "probe.cif"
    path.write_text(text)
    result = run("structure", "probe", "--cif", str(path), "--db", f"sqlite:///{db.path}")
    one_error_line(result, f"cif: probe.cif: {message}")


def test_structure_cif_atom_count_is_bounded(tmp_path):
    from nitrolyte.structures.cif_limits import MAX_SITES
    from nitrolyte.structures.library import read_cif

    head = CIF.split(" _atom_site_occupancy\n")[0]
    rows = [f"  Li  Li{i}  1  {(i % 97) / 97:.6f}  {(i // 97) / 97:.6f}  0.5  1.0"
            for i in range(MAX_SITES + 1)]
    path = tmp_path / "many.cif"
    path.write_text(head + " _atom_site_occupancy\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match=f"{MAX_SITES + 1} atom sites; at most {MAX_SITES}"):
        read_cif(path)


def test_the_shipped_cifs_are_inside_the_bounds():
    from nitrolyte.structures.cif_limits import check_cif_text

    folder = Path(__file__).resolve().parents[1] / "src" / "nitrolyte" / "data" / "structures"
    for path in sorted((folder / "cif").glob("*.cif")):
        check_cif_text(path.read_text(), path.name)


_NUMBERS = ["0", "-1", "1e6", "1e400", "180", "1e-300", "nan", "inf", "360", "179.99", "?", ".",
            "1e-5", "1000", "-180", "0.5", "5", "1E308", "90", "3"]


@st.composite
def mutated_cifs(draw: st.DrawFn) -> str:
    """The Li2PS3 CIF with 1-4 of its numbers replaced by edge values, maybe a line dropped or
    repeated (the probe of issue 20 found 45 crashes in 2,000 such files)."""
    import re

    text = CIF
    numbers = list(re.finditer(r"(?<![\w.])-?\d+\.\d+", text))
    index = st.one_of(st.integers(0, 5), st.integers(0, len(numbers) - 1))  # cell first
    picks = sorted({draw(index) for _ in range(draw(st.integers(1, 4)))}, reverse=True)
    for i in picks:
        text = text[:numbers[i].start()] + draw(st.sampled_from(_NUMBERS)) + text[numbers[i].end():]
    lines = text.splitlines()
    k = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["keep", "drop", "repeat"]))
    if action == "drop":
        del lines[k]
    elif action == "repeat":
        lines.insert(k, lines[k])
    return "\n".join(lines) + "\n"


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
          derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=mutated_cifs())
def test_fuzzed_cifs_never_crash(tmp_path_factory, text):
    """Property: ``structure NAME --cif`` on any such file adds it or says one ``error:`` line
    (1,000 examples: 0 crashes, 941 errors, 59 added; FUZZ_EXAMPLES=2000 for the full probe)."""
    path = tmp_path_factory.getbasetemp() / "fuzz.cif"
    path.write_text(text)
    db = tmp_path_factory.getbasetemp() / "fuzz-cif.sqlite"
    result = run("structure", "fuzzed", "--cif", str(path), "--db", f"sqlite:///{db}")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert result.exit_code in (0, 2), result.output
    if result.exit_code:
        one_error_line(result)


def test_dlascl_came_from_a_weighted_arrhenius_fit_with_absurd_errors(tmp_path):
    """LAPACK's ``DLASCL ... illegal value`` lines: an error column of 1e-300 S/cm made the
    weights (σ/δσ)² overflow to inf; lstsq printed DLASCL and raised LinAlgError. The relative
    errors are now bounded (1e-12 to 1e6) before any linear algebra."""
    path = tmp_path / "tiny_err.csv"
    path.write_text("T_K,sigma_S_cm,sigma_err_S_cm\n300,1e-3,1e-300\n320,2e-3,1e-300\n"
                    "340,4e-3,1e-300\n360,7e-3,1e-300\n")
    one_error_line(run("fit", str(path)), "tiny_err.csv: sigma_err / sigma_S_cm (relative "
                   "error) must be >= 1e-12 and <= 1e+06")
    from nitrolyte.transport.fitting import fit_arrhenius

    with pytest.raises(InputError, match="sigma_S_cm must be a finite number"):
        fit_arrhenius([300, 320, 340], [1e-3, np.inf, 1e-3])
