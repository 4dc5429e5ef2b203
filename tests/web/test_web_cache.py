"""The read cache of ``nitrolyte serve`` (nitrolyte.web.cache) never serves stale data.

Answers are kept per *generation* of the database (SQLite ``PRAGMA data_version``, PostgreSQL
``pg_current_snapshot()``). On both backends: a write through the API is visible in the very
next read; so are an insert and an in-place UPDATE committed by another process (the UPDATE
keeps row counts, largest ids and ``added_at``, which a table fingerprint would miss); and
without writes the generation stays the same, so answers are really reused.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

pytest.importorskip("fastapi")

#: another process: reads one SQL statement or "add NAME" per line, answers "ok" when committed
OTHER = r"""
import sys
from sqlalchemy import text
from nitrolyte.store import Database
db = Database(sys.argv[1])
for line in sys.stdin:
    line = line.strip()
    if line.startswith("add "):
        db.add_measurement(material=line[4:], property="ionic_conductivity", value=3e-5,
                           unit="S/cm", temperature=300, temperature_unit="K", method="other")
    else:
        with db.write() as conn:
            conn.execute(text(line))
    print("ok", flush=True)
"""


class Other:
    """A second process writing to the same database."""

    def __init__(self, url: str):
        self.proc = subprocess.Popen([sys.executable, "-c", OTHER, url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def do(self, line: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def _values(client: Any, name: str) -> list[float]:
    doc = client.get(f"/api/v1/materials/{name}").json()
    return sorted(m["value"] for m in doc["material"]["measurements"])


def test_reads_see_every_write_at_once(web_db):
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    token = web_db.create_token("alice")
    other = Other(web_db.url)
    try:
        with TestClient(create_app(web_db), base_url="http://localhost") as client:
            total = client.get("/api/v1/materials").json()["total"]
            generation = client.app.state.frames.current()
            assert client.app.state.frames.current() == generation  # no write: answers reused
            row = {"name": "Cache probe", "value": 1e-5, "unit": "S/cm", "T": "300K"}
            assert client.post("/api/v1/measurements", json=row,
                               headers={"Authorization": f"Bearer {token}"}).status_code == 201
            assert client.get("/api/v1/materials").json()["total"] == total + 1
            assert _values(client, "Cache probe") == [1e-5]
            page = client.get("/materials/Cache probe").text
            # another process changes the value in place: counts, ids and added_at stay
            other.do("UPDATE measurements SET value = 2e-5 WHERE source = 'user'")
            assert _values(client, "Cache probe") == [2e-5]
            assert client.get("/materials/Cache probe").text != page
            # ... and adds a material
            other.do("add Other process nitride")
            assert client.get("/api/v1/materials").json()["total"] == total + 2
            assert _values(client, "Other process nitride") == [3e-5]
            assert client.app.state.frames.current() != generation
    finally:
        other.close()


def test_generation_kind_per_backend(web_db):
    from nitrolyte.web.cache import FrameCache, PostgresSnapshot, SqliteDataVersion

    frames = FrameCache(web_db)
    kind = {"sqlite": SqliteDataVersion, "postgresql": PostgresSnapshot}[web_db.backend]
    assert type(frames.generation) is kind
    assert frames.generation.cheap is (web_db.backend == "sqlite")  # no round trip on SQLite
    before = frames.current()
    assert frames.current() == before
    web_db.add_measurement(material="Generation probe", property="ionic_conductivity",
                           value=1e-6, unit="S/cm", temperature=300, temperature_unit="K")
    assert frames.current() != before


def test_in_memory_sqlite_falls_back_to_the_table_fingerprint():
    from nitrolyte.store import Database
    from nitrolyte.web.cache import FrameCache

    db = Database("sqlite://")
    frames = FrameCache(db)
    before = frames.current()
    assert frames.current() == before
    db.add_measurement(material="Memory probe", property="ionic_conductivity", value=1e-6,
                       unit="S/cm", temperature=300, temperature_unit="K")
    assert frames.current() != before


def test_serving_process_is_warmed_and_its_heap_frozen(sqlite_db):
    import gc

    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app
    from nitrolyte.web.server import GC_THRESHOLDS

    app = create_app(sqlite_db)
    app.state.settle = True  # what nitrolyte.web.server.serve sets before uvicorn starts
    thresholds = gc.get_threshold()
    try:
        with TestClient(app, base_url="http://localhost"):
            assert gc.get_freeze_count() > 10_000  # start-up objects are never scanned again
            assert gc.get_threshold() == GC_THRESHOLDS
            assert app.state.frames._frame is not None  # the materials frame is built
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
