"""Files that survive faults: foreign, read-only, full and damaged databases, repeated imports,
truncated or altered dumps (issue 20, section 4).

Every command answers one ``error:`` line (no traceback), writes nothing into a file it must
not change, and leaves no partial file or folder behind.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nitrolyte.cli import app
from nitrolyte.errors import AlreadyImportedError, DataValidationError
from nitrolyte.store import Database

runner = CliRunner()
ADD = ["add", "--name", "Lab X", "--value", "1e-3", "--unit", "S/cm", "--T", "300K"]
CSV = ("name,formula,family,property,value,unit,temperature,temperature_unit\n"
       "Lab film,Li3N,Li3N,ionic_conductivity,2.5e-4,S/cm,300,K\n"
       "Lab film,Li3N,Li3N,activation_energy,0.31,eV,300,K\n")


def one_error_line(out: Any, *needles: str) -> str:
    """The CLI failed with exit 1 and printed exactly one ``error:`` line holding ``needles``."""
    assert out.exit_code == 1, (out.exit_code, out.stdout, out.stderr, out.exception)
    assert not isinstance(out.exception, Exception) or isinstance(out.exception, SystemExit)
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1, out.stderr
    for needle in needles:
        assert needle in out.stderr, out.stderr
    return out.stderr


def _user_rows(path: Path) -> int:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT COUNT(*) FROM measurements WHERE source = 'user'").fetchone()[0]


# ---------------------------------------------------------------------- foreign files
@pytest.mark.parametrize("sql", [
    "CREATE VIEW invoices AS SELECT 42 AS total",
    "PRAGMA application_id = 1095976257",
    "PRAGMA user_version = 7",
])
def test_file_with_no_tables_but_not_empty_is_refused(tmp_path: Path, sql: str) -> None:
    """A view, an application_id or a user_version is someone else's file: refused, unchanged."""
    (tmp_path / "db").mkdir()
    path = tmp_path / "db" / "other.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(sql)
    before = path.read_bytes()
    one_error_line(runner.invoke(app, ["list", "--db", str(path)]),
                   "is not a nitrolyte database", "left unchanged")
    for args in (ADD, ["db", "upgrade"], ["import", str(_csv(tmp_path))]):
        one_error_line(runner.invoke(app, [*args, "--db", str(path)]), "left unchanged")
    assert path.read_bytes() == before
    with sqlite3.connect(path) as con:  # nitrolyte created none of its tables in it
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone() \
            == (0,)
    assert sorted(p.name for p in path.parent.iterdir()) == ["other.sqlite"]


def test_truly_empty_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    with Database(path) as db:
        assert "β-Li3N" in db.names()


def _fake_marker(path: Path, tables: bool) -> None:
    """Nitrolyte 0.1's marker; with ``tables``, its table names with the wrong columns."""
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("application", "nitrolyte"), ("schema_version", "1"), ("nitrolyte_version", "0.1")])
        if tables:
            for name in ("references", "materials", "measurements"):
                con.execute(f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, colour TEXT)')


@pytest.mark.parametrize("tables", [False, True])
def test_fake_marker_leaves_no_backup_copies(tmp_path: Path, tables: bool) -> None:
    """13 commands on a file faking nitrolyte's marker: every one refused with one line, the
    file unchanged and no ``.bak`` copy left (a failed upgrade removes its backup)."""
    path = tmp_path / "fake.sqlite"
    _fake_marker(path, tables)
    before = path.read_bytes()
    commands = [["list"], ["show", "Li3N"], ADD, ["db", "upgrade"], ["list", "--json"],
                ["export", str(tmp_path / "e.csv")], ["db", "dump", str(tmp_path / "d.json")],
                ["token", "create", "bot"], ["sigma", "Li3N", "--T", "300K"], ["db", "upgrade"],
                ["list", "--source", "user"], ADD, ["db", "upgrade"]]
    for args in commands:
        one_error_line(runner.invoke(app, [*args, "--db", str(path)]), str(path))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake.sqlite"]


def test_marker_without_tables_is_named(tmp_path: Path) -> None:
    path = tmp_path / "fake.sqlite"
    _fake_marker(path, tables=False)
    one_error_line(runner.invoke(app, ["list", "--db", str(path)]),
                   "carries nitrolyte's marker but lacks its table(s) materials, measurements, "
                   "references", "left unchanged")


# ---------------------------------------------------------------------- read-only
@pytest.fixture
def read_only_copy(tmp_path: Path, _seeded_template: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A seeded database, 0444 in a 0555 folder, that the process cannot write: the kernel's
    answer for a read-only mount (``os.access`` says no) is given even to root."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "db.sqlite"
    shutil.copyfile(_seeded_template, path)
    with Database(path) as db:  # one user row, to read back
        db.add_measurement(material="Lab film", property="ionic_conductivity", value=2.5e-4,
                           unit="S/cm", temperature=300, formula="Li3N")
    path.chmod(0o444)
    folder.chmod(0o555)
    real = os.access

    def access(p: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(os.fspath(p)).resolve().is_relative_to(folder.resolve()):
            return False
        return real(p, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    yield path
    folder.chmod(0o755)


def test_read_only_copy_can_be_queried(read_only_copy: Path, tmp_path: Path,
                                       _seeded_template: Path) -> None:
    path = read_only_copy
    before = sorted(p.name for p in path.parent.iterdir()), path.read_bytes()
    db = ["--db", str(path)]
    out = runner.invoke(app, ["list", *db])
    assert out.exit_code == 0, out.stderr
    assert "Lab film" in out.stdout and "β-Li3N" in out.stdout
    out = runner.invoke(app, ["list", "--json", "--source", "user", *db])
    assert out.exit_code == 0 and json.loads(out.stdout)["count"] == 1
    out = runner.invoke(app, ["show", "Lab film", *db])
    assert out.exit_code == 0 and "0.00025" in out.stdout
    out = runner.invoke(app, ["sigma", "beta-Li3N", "--T", "350K", "--json", *db])
    assert out.exit_code == 0, out.stderr
    writable = runner.invoke(app, ["sigma", "beta-Li3N", "--T", "350K", "--json", "--db",
                                   str(_seeded_template)])
    assert out.stdout == writable.stdout and '"sigma_S_cm"' in out.stdout
    out = runner.invoke(app, ["report", "--section", "tables", "--jobs", "1", "--no-progress",
                              "--no-cache", "--out", str(tmp_path / "rep"), *db])
    assert out.exit_code == 0, out.stderr
    assert "Lab film" in (tmp_path / "rep" / "index.html").read_text()
    for args in (ADD, ["token", "create", "bot"], ["import", str(_csv(tmp_path))]):
        one_error_line(runner.invoke(app, [*args, *db]), "is read-only", "nothing was written")
    # nothing written into the folder: no -wal, -shm or -journal file, same bytes
    assert (sorted(p.name for p in path.parent.iterdir()), path.read_bytes()) == before


def test_read_only_url_flag(sqlite_db: Database) -> None:
    """``?mode=ro`` asks for the read-only path explicitly (any user, any folder)."""
    sqlite_db.close()
    out = runner.invoke(app, ["list", "--db", f"sqlite:///{sqlite_db.path}?mode=ro"])
    assert out.exit_code == 0 and "β-Li3N" in out.stdout
    one_error_line(runner.invoke(app, [*ADD, "--db", f"sqlite:///{sqlite_db.path}?mode=ro"]),
                   "is read-only")


def test_read_only_url_never_creates_a_file(tmp_path: Path) -> None:
    one_error_line(runner.invoke(app, ["list", "--db", f"sqlite:///{tmp_path}/no.sqlite?mode=ro"]),
                   "does not exist", "never creates one")
    assert list(tmp_path.iterdir()) == []


def _ro_mount_works() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind -o ro / /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.slow
def test_read_only_mount_for_real(tmp_path: Path, _seeded_template: Path) -> None:
    """A real read-only bind mount (a mount namespace; needs root): reads work, writes give one
    line, nothing is created beside the file."""
    if not _ro_mount_works():
        pytest.skip("cannot make a read-only bind mount here (needs unshare and root)")
    folder = tmp_path / "mnt"
    folder.mkdir()
    shutil.copyfile(_seeded_template, folder / "db.sqlite")
    cmd = (f"mount --bind -o ro {folder} {folder} && "
           f"{sys.executable} -m nitrolyte sigma beta-Li3N --T 300K --json --db {folder}/db.sqlite"
           f" && {sys.executable} -m nitrolyte list --family Li3N --db "
           f"{folder}/db.sqlite; {sys.executable} -m nitrolyte add --name X --value 1e-3 "
           f"--unit S/cm --T 300K --db {folder}/db.sqlite")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(["unshare", "-m", "sh", "-c", cmd], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 1, out.stderr
    assert '"sigma_S_cm"' in out.stdout and "β-Li3N" in out.stdout
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1, out.stderr
    assert "is read-only" in out.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["db.sqlite"]


# ---------------------------------------------------------------------- full disk
class _FullDisk:
    """``io.open`` whose files in ``folder`` take ``allow`` bytes, then raise ENOSPC."""

    def __init__(self, folder: Path, allow: int = 64, names: tuple[str, ...] = ()):
        self.folder, self.allow, self.names = folder.resolve(), allow, names
        self.real = io.open

    def _watched(self, file: Any) -> bool:
        if isinstance(file, int):
            file = os.readlink(f"/proc/self/fd/{file}")
        path = Path(os.fspath(file)).resolve()
        return path.is_relative_to(self.folder) and (
            not self.names or any(n in path.name for n in self.names))

    def __call__(self, file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = self.real(file, mode, *args, **kwargs)
        if any(m in mode for m in "wax") and self._watched(file):
            return _Filling(fh, self.allow)
        return fh


class _Filling:
    def __init__(self, fh: Any, allow: int):
        self._fh, self._left = fh, allow

    def write(self, data: Any) -> int:
        if len(data) > self._left:
            self._fh.write(data[:self._left])
            self._fh.flush()
            self._left = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._left -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> _Filling:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fh)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder where every file written stops at 64 bytes with ENOSPC."""
    folder = tmp_path / "full"
    folder.mkdir()
    monkeypatch.setattr(io, "open", _FullDisk(folder))
    return folder


@pytest.mark.parametrize("command", ["db dump", "export csv", "export json"])
def test_full_disk_leaves_no_partial_file(sqlite_db: Database, tmp_path: Path, full_disk: Path,
                                          command: str) -> None:
    sqlite_db.import_file(_csv(tmp_path))
    old = full_disk / "old.json"
    old.write_bytes(b"")  # not through io.open: an earlier file that must stay as it was
    target = full_disk / ("out.csv" if command.endswith("csv") else "out.json")
    args = ["db", "dump", str(target)] if command == "db dump" else ["export", str(target)]
    one_error_line(runner.invoke(app, [*args, "--db", str(sqlite_db.path)]),
                   f"cannot write {'dump' if command == 'db dump' else 'export'} file {target}",
                   "No space left on device", "nothing was written")
    assert sorted(p.name for p in full_disk.iterdir()) == ["old.json"]


def test_full_disk_report_leaves_folder_as_it_was(sqlite_db: Database, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "rep"
    args = ["report", "--section", "tables", "--jobs", "1", "--no-progress", "--no-cache",
            "--out", str(out), "--db", str(sqlite_db.path)]
    assert runner.invoke(app, args).exit_code == 0
    (out / "notes.txt").write_text("mine")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    sqlite_db.add_measurement(material="Lab film", property="ionic_conductivity", value=2.5e-4,
                              unit="S/cm", temperature=300, formula="Li3N")
    monkeypatch.setattr(io, "open", _FullDisk(out, allow=100, names=("index.html",)))
    one_error_line(runner.invoke(app, args), f"cannot write the report into {out}",
                   "No space left on device")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the previous report whole, the user's file kept, nothing staged
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in out.iterdir() if not p.name.startswith("."))
    new = tmp_path / "new"
    monkeypatch.setattr(io, "open", _FullDisk(new.parent, allow=100, names=("index.html",)))
    one_error_line(runner.invoke(app, [*args[:-4], "--out", str(new), "--db",
                                       str(sqlite_db.path)]), "No space left on device")
    assert not new.exists()  # a folder it made for a failed build is removed


# ---------------------------------------------------------------------- damaged pages
@pytest.fixture
def damaged_db(sqlite_db: Database, tmp_path: Path) -> Path:
    """A seeded database with a user row whose ``measurements`` root page is garbage."""
    sqlite_db.add_measurement(material="Lab film", property="ionic_conductivity", value=2.5e-4,
                              unit="S/cm", temperature=300, formula="Li3N")
    sqlite_db.close()
    path = sqlite_db.path
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'measurements'"
                           ).fetchone()[0]
    with path.open("r+b") as fh:
        fh.seek(page * (root - 1))
        fh.write(bytes(range(256)) * (page // 256))
    return path


def test_damaged_file_readers_answer_one_line(damaged_db: Path, tmp_path: Path) -> None:
    db = ["--db", str(damaged_db)]
    for args in (["list"], ["list", "--json"], ["show", "Lab film"],
                 ["report", "--section", "tables", "--jobs", "1", "--no-progress", "--no-cache",
                  "--out", str(tmp_path / "rep")]):
        one_error_line(runner.invoke(app, [*args, *db]), "is damaged",
                       "nitrolyte db restore DUMP")
    assert not (tmp_path / "rep").exists()  # no partial report folder


def test_damaged_file_is_never_written_nor_dumped(damaged_db: Path, tmp_path: Path) -> None:
    before = damaged_db.read_bytes()
    db = ["--db", str(damaged_db)]
    for args in (ADD, ["import", str(_csv(tmp_path))], ["token", "create", "bot"],
                 ["db", "dump", str(tmp_path / "d.json")]):
        one_error_line(runner.invoke(app, [*args, *db]), "is damaged", "nothing was written",
                       "`nitrolyte db restore DUMP --db NEW.sqlite`")
    assert damaged_db.read_bytes() == before
    assert not (tmp_path / "d.json").exists()


# ---------------------------------------------------------------------- repeated imports
def _csv(folder: Path, name: str = "lab.csv", text: str = CSV) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_repeated_import_is_refused_unless_again(sqlite_db: Database, tmp_path: Path) -> None:
    db = ["--db", str(sqlite_db.path)]
    path = _csv(tmp_path)
    assert runner.invoke(app, ["import", str(path), *db]).exit_code == 0
    assert _user_rows(sqlite_db.path) == 2
    one_error_line(runner.invoke(app, ["import", str(path), *db]), "lab.csv was already imported",
                   "2 measurement(s)", "--again")
    copy = _csv(tmp_path, "renamed.csv")  # the same bytes under another name
    one_error_line(runner.invoke(app, ["import", str(copy), *db]), "(as lab.csv)")
    assert _user_rows(sqlite_db.path) == 2
    out = runner.invoke(app, ["import", str(path), "--again", *db])
    assert out.exit_code == 0 and "imported 2 measurement(s)" in out.stdout
    assert _user_rows(sqlite_db.path) == 4
    other = _csv(tmp_path, "other.csv", CSV.replace("0.31", "0.32"))  # new content: accepted
    assert runner.invoke(app, ["import", str(other), *db]).exit_code == 0
    assert _user_rows(sqlite_db.path) == 6


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgresql)])
def test_repeated_import_both_backends(request: pytest.FixtureRequest, tmp_path: Path,
                                       backend: str) -> None:
    db = request.getfixturevalue("sqlite_db" if backend == "sqlite" else "pg_db")
    path = _csv(tmp_path)
    assert db.import_file(path, added_by="alice").n_measurements == 2
    with pytest.raises(AlreadyImportedError, match=r"lab.csv was already imported into .* by "
                                                   r"alice: 2 measurement\(s\)"):
        db.import_file(path)
    assert len(db.table("measurements", "user")) == 2
    assert db.import_file(path, again=True).n_measurements == 2
    assert len(db.table("measurements", "user")) == 4


def test_repeated_sigma_t_import_is_refused(sqlite_db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path, "series.csv", "T_K,sigma_S_cm\n300,1e-4\n330,3e-4\n360,8e-4\n")
    args = ["import", str(path), "--name", "Lab film", "--formula", "Li3N", "--db",
            str(sqlite_db.path)]
    assert runner.invoke(app, args).exit_code == 0
    one_error_line(runner.invoke(app, args), "series.csv was already imported", "--again")
    assert len(sqlite_db.measurement_sets()) == 1
    assert runner.invoke(app, [*args, "--again"]).exit_code == 0
    assert len(sqlite_db.measurement_sets()) == 2


def test_import_record_survives_dump_and_restore(sqlite_db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path)
    sqlite_db.import_file(path, added_by="alice")
    sqlite_db.dump(tmp_path / "d.json")
    with Database(tmp_path / "new.sqlite") as new:
        new.restore(tmp_path / "d.json")
        with pytest.raises(AlreadyImportedError, match=r"lab.csv was already imported .* by "
                                                       r"alice: 2 measurement"):
            new.import_file(path)
        new.delete_user_data()  # the rows are gone: the file may come in again
        assert new.import_file(path).n_measurements == 2


def test_rest_import_repeat_is_409(sqlite_db: Database) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    auth = {"Authorization": f"Bearer {sqlite_db.create_token('alice')}"}
    files = {"file": ("lab.csv", CSV.encode())}
    with TestClient(create_app(sqlite_db)) as client:
        assert client.post("/api/v1/imports", files=files, headers=auth).status_code == 201
        again = client.post("/api/v1/imports", files=files, headers=auth)
        assert again.status_code == 409, again.text
        assert set(again.json()) == {"error"} and "\n" not in again.json()["error"]
        assert "lab.csv was already imported" in again.json()["error"]
        assert len(sqlite_db.table("measurements", "user")) == 2
        forced = client.post("/api/v1/imports", files=files, data={"again": "true"}, headers=auth)
        assert forced.status_code == 201, forced.text
    assert len(sqlite_db.table("measurements", "user")) == 4


# ---------------------------------------------------------------------- dumps
@pytest.fixture
def dumped(sqlite_db: Database, tmp_path: Path) -> Path:
    """A dump of 150 user measurements."""
    rows = "".join(f"Lab {i},ionic_conductivity,{1e-5 * (i + 1):.6g},S/cm,300,K\n"
                   for i in range(150))
    sqlite_db.import_file(_csv(tmp_path, "many.csv",
                               "name,property,value,unit,temperature,temperature_unit\n" + rows))
    path = tmp_path / "d.json"
    out = runner.invoke(app, ["db", "dump", str(path), "--db", str(sqlite_db.path)])
    assert out.exit_code == 0, out.stderr
    return path


def test_dump_records_counts_and_checksum_and_is_private(dumped: Path) -> None:
    import hashlib

    doc = json.loads(dumped.read_text())
    assert doc["counts"]["measurements"] == 150 and doc["counts"]["materials"] == 150
    assert doc["counts"]["imports"] == 1 and doc["imports"][0]["n_measurements"] == 150
    body = {k: v for k, v in doc.items() if k != "sha256"}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert doc["sha256"] == hashlib.sha256(canon.encode()).hexdigest()
    assert stat.S_IMODE(dumped.stat().st_mode) == 0o600  # it holds the token hashes


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(measurements=d["measurements"][:50]),
     "'measurements' holds 50 row(s) but the dump recorded 150"),
    (lambda d: (d.update(measurements=d["measurements"][:50]),
                d["counts"].update(measurements=50)), "SHA-256 of its content"),
    (lambda d: d["measurements"][7].update(value=1.0), "SHA-256 of its content"),
    (lambda d: d.pop("sha256"), "must have 'counts' and 'sha256'"),
])
def test_truncated_or_altered_dump_is_refused(dumped: Path, tmp_path: Path, edit: Any,
                                              message: str) -> None:
    doc = json.loads(dumped.read_text())
    edit(doc)
    dumped.write_text(json.dumps(doc))
    target = tmp_path / "new.sqlite"
    one_error_line(runner.invoke(app, ["db", "restore", str(dumped), "--db", str(target)]),
                   message, "nothing was restored")
    with Database(target) as new:
        assert new.table("measurements", "user").empty


def test_intact_dump_and_older_dump_restore(dumped: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["db", "restore", str(dumped), "--db", str(tmp_path / "a.sqlite")])
    assert out.exit_code == 0 and "restored 150 user measurement(s)" in out.stdout
    doc = json.loads(dumped.read_text())  # nitrolyte.dump/1: no counts, no checksum, no imports
    old = {k: v for k, v in doc.items() if k not in ("counts", "sha256", "imports")}
    old["schema"] = "nitrolyte.dump/1"
    (tmp_path / "old.json").write_text(json.dumps(old))
    with Database(tmp_path / "b.sqlite") as db:
        assert db.restore(tmp_path / "old.json").n_measurements == 150
    (tmp_path / "bad.json").write_text(json.dumps({**old, "schema": "nitrolyte.dump/9"}))
    with pytest.raises(DataValidationError, match=r"'schema' must be 'nitrolyte\.dump/2'"):
        Database(tmp_path / "c.sqlite").restore(tmp_path / "bad.json")
