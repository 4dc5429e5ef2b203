"""``nitrolyte token create | list | revoke`` and ``nitrolyte serve`` from the shell."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import app

runner = CliRunner()


def run(db: Any, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db.path)])
    return result.exit_code, result.stdout, result.stderr


def test_token_create_prints_it_once_and_stores_only_its_hash(db):
    code, out, err = run(db, "token", "create", "bench-pc", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["name"] == "bench-pc" and doc["scope"] == "write"
    plain = doc["token"]
    import sqlite3

    db.close()
    with sqlite3.connect(db.path) as conn:
        rows = conn.execute("SELECT * FROM api_tokens").fetchall()
    cells = [str(c) for row in rows for c in row]
    assert hashlib.sha256(plain.encode()).hexdigest() in cells
    assert not any(plain in c for c in cells)
    for f in db.path.parent.glob(db.path.name + "*"):  # the file and any journal beside it
        assert plain.encode() not in f.read_bytes()
    assert db.verify_token(plain) == {"name": "bench-pc", "scope": "write"}


def test_token_list_and_revoke(db):
    run(db, "token", "create", "alice", "--scope", "admin")
    code, out, _ = run(db, "token", "list", "--json")
    tokens = json.loads(out)["tokens"]
    assert code == 0 and [(t["name"], t["scope"], t["revoked_at"]) for t in tokens] == [
        ("alice", "admin", None)]
    assert "token" not in tokens[0]
    code, out, _ = run(db, "token", "revoke", "alice")
    assert code == 0 and "revoked" in out
    assert json.loads(run(db, "token", "list", "--json")[1])["tokens"][0]["revoked_at"]
    code, _, err = run(db, "token", "revoke", "alice")
    assert code == 1 and err.startswith("error: no active token named 'alice'")


def test_token_errors_are_one_line(db):
    run(db, "token", "create", "alice")
    code, _, err = run(db, "token", "create", "alice")
    assert code == 2 and err.startswith("error: token name 'alice' is already used")
    code, _, err = run(db, "token", "create", "bob", "--scope", "root")
    assert code == 2 and err.startswith("error: scope") and len(err.strip().splitlines()) == 1


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=250))
def test_token_create_fuzz(db, name):
    code, out, err = run(db, "token", "create", name, "--json")
    assert code in (0, 2), err
    if code == 0:
        assert db.verify_token(json.loads(out)["token"])["name"] == name.strip()
        assert db.revoke_token(name.strip())
    else:  # our one-line error, or click's usage error for an empty argument
        assert err.startswith(("error: ", "Usage: ")) and "Traceback" not in err


def test_serve_rejects_a_bad_port(db):
    code, _, err = run(db, "serve", "--port", "70000")
    assert code == 2 and err.startswith("error: --port must be 1-65535")


@pytest.mark.slow
def test_serve_starts_on_loopback_and_answers(db):
    pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "nitrolyte", "serve", "--port", str(port),
                             "--db", str(db.path)], stderr=subprocess.PIPE, text=True,
                            env={**os.environ})
    try:
        import httpx

        deadline, answer = time.monotonic() + 60, None
        while answer is None:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not answer within 60 s"
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/materials?limit=1", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["total"] > 40
        schema = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()
        assert "/api/v1/materials/{name}/sigma" in schema["paths"]
    finally:
        proc.terminate()
        proc.wait(10)
    assert f"on http://127.0.0.1:{port}/" in (proc.stderr.read() if proc.stderr else "")
