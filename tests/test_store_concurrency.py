"""Many writers on one database lose nothing; a writer killed mid-import leaves nothing."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from pathlib import Path

import pytest

from nitrolyte.store import Database

N_PROCS, N_ROWS, N_NAMES = 8, 50, 5


def _writer(url: str, proc: int, errors: mp.Queue) -> None:  # type: ignore[type-arg]
    try:
        db = Database(url, timeout_s=60)
        for i in range(N_ROWS):
            db.add_measurement(material=f"Shared sample {i % N_NAMES}",
                               property="ionic_conductivity", value=1e-5 * (1 + proc * N_ROWS + i),
                               unit="S/cm", temperature=25, temperature_unit="C",
                               formula="Li3N", family="Li3N", added_by=f"proc{proc}")
        db.close()
    except BaseException as exc:  # report to the parent, never hang
        errors.put(f"proc {proc}: {type(exc).__name__}: {exc}")


@pytest.mark.slow
def test_many_writers_same_new_names(any_db: Database) -> None:
    any_db.ensure()
    url = any_db.url
    any_db.close()
    ctx = mp.get_context("fork")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, p, errors)) for p in range(N_PROCS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * N_PROCS
    assert errors.empty(), errors.get()
    with Database(url) as db:
        user = db.table("measurements", "user")
        mats = db.table("materials", "user")
        assert len(user) == N_PROCS * N_ROWS == 400
        assert sorted(mats["name"]) == [f"Shared sample {k}" for k in range(N_NAMES)]
        assert user.groupby("material_id").size().tolist() == [N_PROCS * N_ROWS // N_NAMES] * 5
        expected = {1e-5 * (1 + p * N_ROWS + i) for p in range(N_PROCS) for i in range(N_ROWS)}
        assert set(user["value"]) == expected
        assert set(user["added_by"]) == {f"proc{p}" for p in range(N_PROCS)}
        assert db.get("shared sample 3").sigma_S_cm() is not None


def _slow_import(url: str, path: str, marker: str) -> None:
    from nitrolyte.store import writes

    real = writes.bulk_insert

    def stall(conn, table, columns, rows):  # type: ignore[no-untyped-def]
        real(conn, table, columns, rows)    # rows are written, the transaction is still open
        Path(marker).write_text("written")
        time.sleep(120)

    writes.bulk_insert = stall
    Database(url).import_file(path)


@pytest.mark.slow
def test_kill_during_import_leaves_nothing(any_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["name,property,value,unit,temperature,temperature_unit"]
    lines += [f"Killed {i % 7},ionic_conductivity,{1e-6 * (i + 1)!r},S/cm,25,C" for i in range(3000)]
    path.write_text("\n".join(lines) + "\n")
    any_db.ensure()
    url = any_db.url
    marker = tmp_path / "marker"
    proc = mp.get_context("fork").Process(target=_slow_import, args=(url, str(path), str(marker)))
    proc.start()
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and proc.is_alive():
        time.sleep(0.05)
    assert marker.exists(), "the import never reached its insert"
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=30)
    assert proc.exitcode == -signal.SIGKILL
    with Database(url, timeout_s=30) as db:
        assert db.table("measurements", "user").empty
        assert not any(n.startswith("Killed") for n in db.names())
        db.import_file(path)  # and the database is still writable
        assert len(db.table("measurements", "user")) == 3000


def _read_in_child(db: Database, out: mp.Queue) -> None:  # type: ignore[type-arg]
    try:
        out.put(db.get("beta-Li3N").sigma_S_cm())
    except BaseException as exc:
        out.put(repr(exc))


def test_forked_child_reuses_the_database_object(any_db: Database) -> None:
    assert any_db.get("beta-Li3N").sigma_S_cm() == 2.085e-4  # the parent holds a pooled connection
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_read_in_child, args=(any_db, out)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [out.get(timeout=5) for _ in procs] == [2.085e-4, 2.085e-4]
    assert any_db.get("beta-Li3N").sigma_S_cm() == 2.085e-4  # and the parent's still works
