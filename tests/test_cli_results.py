"""Remembered command output (cli/_results.py): a repeated ``window`` prints exactly what the
computation prints, and any change of its inputs (database rows, code, arguments) recomputes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import _results, app
from nitrolyte.store import generation


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NITROLYTE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(_results.ENV_VAR, raising=False)
    from nitrolyte import api

    api.database().ensure()  # the default database exists (a first run creates it: not kept)
    return tmp_path / "cache" / "results"


@pytest.mark.parametrize("args", [
    ["window", "Li3N"],
    ["window", "Li3N", "--json"],
    ["window", "LiPON", "--source", "embedded"],
    ["window", "beta-Li3N", "--source", "ml"],
    ["window", "Li9N2Cl3", "--source", "ml:mp2020", "--json"],
    ["window", "E"],                                   # not a formula: error, never remembered
    ["window", "Li3N", "--source", "nonsense"],        # usage error
])
def test_remembered_output_is_the_computed_output(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                  args: list[str]) -> None:
    runner = CliRunner()
    first = runner.invoke(app, args)
    kept = sorted(cache.glob("*.json")) if cache.exists() else []
    assert len(kept) == (first.exit_code == 0)
    again = runner.invoke(app, args)  # from the cache where one was kept
    monkeypatch.setenv(_results.ENV_VAR, "off")
    computed = runner.invoke(app, args)
    for run in (first, again):
        assert (run.exit_code, run.stdout, run.stderr) == (
            computed.exit_code, computed.stdout, computed.stderr)


def test_a_kept_result_is_what_is_printed(cache: Path) -> None:
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return "answer\n"

    assert _results.remembered("t", ["x"], None, compute) == "answer\n"
    assert _results.remembered("t", ["x"], None, compute) == "answer\n"
    assert len(calls) == 1                                      # second: from the cache
    assert _results.remembered("t", ["y"], None, compute) == "answer\n"
    assert len(calls) == 2                                      # other arguments: computed


def test_new_database_rows_or_code_make_a_new_key(cache: Path, sqlite_db: object,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_db.url  # type: ignore[attr-defined]
    before = generation.fingerprint(url)
    sqlite_db.add_measurement(material="Sample Y", property="ionic_conductivity",  # type: ignore[attr-defined]
                              value=1e-4, unit="S/cm", temperature=300)
    assert generation.fingerprint(url) != before
    code = generation.fingerprint(url)
    monkeypatch.setattr(generation, "_tree", lambda root: "other code")
    assert generation.fingerprint(url) != code
    assert generation.fingerprint("postgresql+psycopg://u@h/db") is None  # never cached


def test_nothing_kept_on_error_stderr_or_change(cache: Path) -> None:
    def fails() -> str:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        _results.remembered("t", ["a"], None, fails)

    def warns() -> str:
        print("warning: something", file=sys.stderr)
        return "text\n"

    assert _results.remembered("t", ["b"], None, warns) == "text\n"
    assert not cache.exists() or not list(cache.glob("*.json"))
    os.environ[_results.ENV_VAR] = "off"
    try:
        assert _results.remembered("t", ["c"], None, lambda: "x\n") == "x\n"
    finally:
        del os.environ[_results.ENV_VAR]
    assert not cache.exists() or not list(cache.glob("*.json"))


def test_a_repeated_window_imports_no_pymatgen(tmp_path: Path, _seeded_template: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Computed here, remembered: a new process prints the same text without pymatgen, pandas
    or SQLAlchemy."""
    import shutil

    shutil.copyfile(_seeded_template, tmp_path / "db.sqlite")  # an existing, up-to-date database
    env = {"NITROLYTE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
           "NITROLYTE_CACHE_DIR": str(tmp_path / "cache")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(_results.ENV_VAR, raising=False)
    computed = CliRunner().invoke(app, ["window", "Li3N"])
    assert computed.exit_code == 0 and len(list((tmp_path / "cache" / "results").glob("*")))
    probe = ("import sys; sys.argv = ['nitrolyte', 'window', 'Li3N']\n"
             "from nitrolyte.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('pymatgen', 'pandas', 'sqlalchemy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, check=True)
    *printed, imported = done.stdout.splitlines()
    assert imported == "[]"
    assert "\n".join(printed) + "\n" == computed.stdout
