"""The web server on a lab network (issue 20 section 3 and 5, issue 21's web friction).

Host names (DNS rebinding), private by default beyond loopback, sign-in sessions that keep no
token in the browser, token expiry and last use, the screening cache and the per-client limit
of expensive reads (an injected clock, no timing), 413 for streamed bodies, names with ``/``,
the real bad-token limit, and pages that arrive with their numbers.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

ROW = {"name": "Lab nitride N", "property": "ionic_conductivity", "value": 1.2e-4,
       "unit": "S/cm", "T": "300K"}
runner = CliRunner()


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(db: Any, base_url: str = "http://localhost", **options: Any) -> Any:
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    return TestClient(create_app(db, **options), base_url=base_url)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------------------ Host header
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                                  "localhost.evil.example", ""])
def test_a_foreign_host_name_gets_400(sqlite_db: Any, host: str) -> None:
    with make_client(sqlite_db) as c:
        r = c.get("/api/v1/materials", headers={"Host": host})
        assert r.status_code == 400, r.text
        assert set(r.json()) == {"error"} and "--allowed-host" in r.json()["error"]
        assert r.headers["x-content-type-options"] == "nosniff"  # the security headers too
        assert c.get("/", headers={"Host": host, "Accept": "text/html"}).status_code == 400


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "LOCALHOST.", "127.0.0.1:8000",
                                  "[::1]:8000", "192.168.1.5:8000", "[fe80::1]"])
def test_loopback_names_and_addresses_are_answered(sqlite_db: Any, host: str) -> None:
    with make_client(sqlite_db) as c:
        assert c.get("/api/v1/materials?limit=1", headers={"Host": host}).status_code == 200


def test_allowed_hosts_add_names(sqlite_db: Any) -> None:
    with make_client(sqlite_db, base_url="http://lab-pc.example.org:8000",
                     allowed_hosts=["localhost", "lab-pc.example.org"]) as c:
        assert c.get("/api/v1/materials?limit=1").status_code == 200
        assert c.get("/api/v1/materials?limit=1",
                     headers={"Host": "other.example.org"}).status_code == 400


def _serve(monkeypatch: pytest.MonkeyPatch, db: Any, *args: str) -> tuple[int, Any, str]:
    """``nitrolyte serve ARGS`` up to the point where uvicorn would start: its app."""
    from nitrolyte.cli import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr("nitrolyte.web.server.serve",
                        lambda app, host, port, *rest: seen.update(app=app, host=host))
    out = runner.invoke(app, ["serve", *args, "--db", str(db.path)])
    return out.exit_code, seen.get("app"), out.stderr


def test_serve_beyond_loopback_is_private_and_answers_its_name(monkeypatch, sqlite_db):
    from fastapi.testclient import TestClient

    code, app, err = _serve(monkeypatch, sqlite_db, "--host", "lab-pc.example.org",
                            "--allowed-host", "nitrolyte.lab.example.org")
    assert code == 0, err
    assert app.state.private and "reads need a token" in err
    for name in ("lab-pc.example.org", "nitrolyte.lab.example.org", "localhost"):
        with TestClient(app, base_url=f"http://{name}:8000") as c:
            assert c.get("/api/v1/materials").status_code == 401  # private: a token to read
    with TestClient(app, base_url="http://rebound.example:8000") as c:
        assert c.get("/api/v1/materials").status_code == 400


def test_serve_loopback_is_open_and_public_opens_a_lan_server(monkeypatch, sqlite_db):
    code, app, err = _serve(monkeypatch, sqlite_db)
    assert code == 0 and not app.state.private, err
    code, app, err = _serve(monkeypatch, sqlite_db, "--host", "0.0.0.0", "--public")
    assert code == 0 and not app.state.private and "reads open" in err
    code, app, err = _serve(monkeypatch, sqlite_db, "--host", "127.0.0.1", "--private")
    assert code == 0 and app.state.private
    code, _, err = _serve(monkeypatch, sqlite_db, "--allowed-host", "bad name/x")
    assert code == 2 and err.startswith("error: --allowed-host must be a host name")


# ------------------------------------------------------------------------------ sessions
def test_login_keeps_a_session_id_not_the_token(sqlite_db: Any) -> None:
    token = sqlite_db.create_token("reader")
    with make_client(sqlite_db, private=True) as c:
        signed = c.post("/login", data={"token": token}, follow_redirects=False)
        assert signed.status_code == 303
        cookies = signed.headers.get_list("set-cookie")
        session = next(h for h in cookies if h.startswith("nitrolyte_session="))
        assert token not in " ".join(cookies)
        assert "httponly" in session.lower() and "samesite=strict" in session.lower()
        assert "max-age=43200" in session.lower() and "secure" not in session.lower()
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 200 and 'action="/logout"' in page.text
        assert c.get("/api/v1/materials?limit=1").status_code == 200
        assert sqlite_db.revoke_token("reader")  # revoking the token ends its sessions at once
        assert c.get("/api/v1/materials?limit=1").status_code == 401


def test_the_old_token_cookie_reads_nothing(sqlite_db: Any) -> None:
    token = sqlite_db.create_token("reader")
    with make_client(sqlite_db, private=True) as c:
        c.cookies.set("nitrolyte_read_token", token)
        assert c.get("/api/v1/materials?limit=1").status_code == 401


def test_logout_ends_the_session(sqlite_db: Any) -> None:
    token = sqlite_db.create_token("reader")
    with make_client(sqlite_db, private=True) as c:
        c.post("/login", data={"token": token})
        session = c.cookies.get("nitrolyte_session")
        assert c.post("/logout", follow_redirects=False).status_code == 303
        c.cookies.set("nitrolyte_session", session)  # a copy of the cookie is of no use now
        assert c.get("/api/v1/materials?limit=1").status_code == 401


def test_session_ends_after_its_lifetime(sqlite_db: Any) -> None:
    from nitrolyte.web.sessions import Sessions

    clock = Clock()
    token = sqlite_db.create_token("reader")
    with make_client(sqlite_db, private=True,
                     sessions=Sessions(lifetime_s=3600, clock=clock)) as c:
        c.post("/login", data={"token": token})
        clock.now += 3599
        assert c.get("/api/v1/materials?limit=1").status_code == 200
        clock.now += 1
        assert c.get("/api/v1/materials?limit=1").status_code == 401


def test_sessions_are_bounded() -> None:
    from nitrolyte.web.sessions import Sessions

    sessions = Sessions(max_sessions=3)
    ids = [sessions.open(f"{i:064x}") for i in range(5)]
    assert [sessions.digest(s) for s in ids] == [None, None, f"{2:064x}", f"{3:064x}",
                                                 f"{4:064x}"]


@pytest.mark.parametrize("how", ["https", "proxy"])
def test_login_cookie_is_secure_over_https(sqlite_db: Any, how: str) -> None:
    from fastapi.testclient import TestClient
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from nitrolyte.web import create_app

    token = sqlite_db.create_token("reader")
    app = create_app(sqlite_db, private=True)
    if how == "https":
        client, headers = TestClient(app, base_url="https://localhost"), {}
    else:  # TLS ends at a trusted reverse proxy that says so (uvicorn's proxy headers)
        client = TestClient(ProxyHeadersMiddleware(app, trusted_hosts="*"),
                            base_url="http://localhost")
        headers = {"X-Forwarded-Proto": "https"}
    with client as c:
        signed = c.post("/login", data={"token": token}, headers=headers, follow_redirects=False)
        session = next(h for h in signed.headers.get_list("set-cookie")
                       if h.startswith("nitrolyte_session="))
        assert "; secure" in session.lower()


# ------------------------------------------------------------------------------ tokens
def _cli(db: Any, *args: str) -> Any:
    from nitrolyte.cli import app

    return runner.invoke(app, [*args, "--db", str(db.path)])


def _expire(db: Any, name: str) -> None:
    """Move a token's expiry into the past (as if its lifetime had passed)."""
    db.close()
    with sqlite3.connect(db.path) as con:
        con.execute("UPDATE api_tokens SET expires_at = '2001-01-01T00:00:00+00:00' "
                    "WHERE name = ?", (name,))


def test_token_expires_and_shows_its_last_use(sqlite_db: Any) -> None:
    import datetime as dt

    out = _cli(sqlite_db, "token", "create", "visitor", "--expires", "30d", "--json")
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    created = dt.datetime.now(dt.UTC)
    expires = dt.datetime.fromisoformat(doc["expires_at"])
    assert abs((expires - created) - dt.timedelta(days=30)) < dt.timedelta(minutes=1)
    listed = _cli(sqlite_db, "token", "list")
    assert "active until " + doc["expires_at"] in listed.stdout and "never used" in listed.stdout
    with make_client(sqlite_db) as c:
        assert c.post("/api/v1/measurements", json=ROW,
                      headers=auth(doc["token"])).status_code == 201
        listed = json.loads(_cli(sqlite_db, "token", "list", "--json").stdout)["tokens"][0]
        used = dt.datetime.fromisoformat(listed["last_used_at"])
        assert abs(used - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
        assert not listed["expired"]
        _expire(sqlite_db, "visitor")
        refused = c.post("/api/v1/measurements", json={**ROW, "value": 2e-4},
                         headers=auth(doc["token"]))
        assert refused.status_code == 401 and "expired" in refused.json()["error"]
    assert sqlite_db.verify_token(doc["token"]) is None
    listed = _cli(sqlite_db, "token", "list")
    assert "expired 2001-01-01T00:00:00+00:00" in listed.stdout and "last used 20" in listed.stdout


def test_an_unreadable_expiry_counts_as_passed(sqlite_db: Any) -> None:
    token = sqlite_db.create_token("edited", expires="1d")
    sqlite_db.close()
    with sqlite3.connect(sqlite_db.path) as con:  # as a hand-edited dump could restore it
        con.execute("UPDATE api_tokens SET expires_at = 'next year'")
    assert sqlite_db.verify_token(token) is None
    assert sqlite_db.list_tokens()[0]["expired"] is True


@pytest.mark.parametrize(("value", "message"), [
    ("30", "expires: cannot read '30'; write a lifetime with its unit"),
    ("30 days", "cannot read"), ("0d", "expires must be at least 1min and at most 3650 days"),
    ("0.5min", "at least 1min"), ("3651d", "at most 3650 days"), ("-1h", "cannot read")])
def test_token_expiry_needs_a_unit_and_a_range(sqlite_db: Any, value: str, message: str) -> None:
    out = _cli(sqlite_db, "token", "create", "visitor", "--expires", value)
    assert out.exit_code == 2 and out.stderr.startswith("error: expires"), out.stderr
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert sqlite_db.list_tokens() == []


def test_token_api_takes_an_expiry(sqlite_db: Any) -> None:
    admin = sqlite_db.create_token("boss", "admin")
    with make_client(sqlite_db) as c:
        made = c.post("/api/v1/tokens", json={"name": "bench", "expires": "12h"},
                      headers=auth(admin))
        assert made.status_code == 201 and made.json()["expires_at"]
        bad = c.post("/api/v1/tokens", json={"name": "x", "expires": "12"}, headers=auth(admin))
        assert bad.status_code == 422 and "expires: cannot read" in bad.json()["error"]
        tokens = {t["name"]: t for t in c.get("/api/v1/tokens", headers=auth(admin)).json()
                  ["tokens"]}
    assert tokens["bench"]["expires_at"] == made.json()["expires_at"]
    assert tokens["bench"]["last_used_at"] is None and tokens["boss"]["last_used_at"]


# ------------------------------------------------------------------------------ screening
@pytest.fixture
def count_screens(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call of :func:`nitrolyte.screening.screen` (still answered by it)."""
    import nitrolyte.screening

    calls: list[Any] = []
    real = nitrolyte.screening.screen

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(nitrolyte.screening, "screen", counted)
    return calls


def test_screening_is_cached_and_new_parameter_sets_are_limited(sqlite_db, count_screens):
    from nitrolyte.web.security import ExpensiveLimiter

    clock = Clock()
    url = "/api/v1/screening?material=beta-Li3N&T_K={}"
    with make_client(sqlite_db, expensive=ExpensiveLimiter(2, window_s=60, clock=clock)) as c:
        first = c.get(url.format(300))
        assert first.status_code == 200 and c.get(url.format(300)).json() == first.json()
        assert len(count_screens) == 1  # the same parameters: the cached answer
        assert c.get(url.format(310)).status_code == 200 and len(count_screens) == 2
        refused = c.get(url.format(320))
        assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
        assert "too many new screening requests" in refused.json()["error"]
        assert c.get(url.format(300)).status_code == 200  # what is cached is never limited
        page = c.get("/screening?family=Li3N", headers={"Accept": "text/html"})
        assert page.status_code == 429 and "Too many requests" in page.text
        assert len(count_screens) == 2
        clock.now += 60
        assert c.get(url.format(320)).status_code == 200 and len(count_screens) == 3
        sqlite_db.add_measurement(material="Lab nitride N", property="ionic_conductivity",
                                  value=1e-4, unit="S/cm", temperature=300, temperature_unit="K")
        assert c.get(url.format(300)).status_code == 200  # new data: built again
        assert len(count_screens) == 4


def test_the_limiter_forgets_the_least_recent_client() -> None:
    from nitrolyte.web.security import ExpensiveLimiter

    limiter = ExpensiveLimiter(1, clock=Clock(), max_clients=2)
    for client in ("a", "b", "c"):
        limiter.record(client)
    assert not limiter.blocked("a") and limiter.blocked("c")


@pytest.mark.slow
def test_warm_up_builds_the_slow_first_answers(sqlite_db, monkeypatch):
    """After the start-up warm-up, the screening page and API and the cell designer answer
    without computing anything (issue 21: 12 s and 4-5 s to first appear)."""
    import nitrolyte.cell.pouch
    import nitrolyte.screening
    from nitrolyte.web.server import warm

    with make_client(sqlite_db) as c:
        warm(c.app)

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("computed on a request")

        monkeypatch.setattr(nitrolyte.screening, "screen", refuse)
        monkeypatch.setattr(nitrolyte.cell.pouch, "pouch_cell", refuse)
        page = c.get("/screening")
        assert page.status_code == 200 and page.text.count("<tr") > 40
        assert c.get("/api/v1/screening").status_code == 200
        assert c.get("/cell").status_code == 200
        assert c.get("/api/v1/cells/figure17?catholyte=LGPS").status_code == 200


# ------------------------------------------------------------------------------ limits
def test_default_bad_token_limit_is_20_per_minute(sqlite_db: Any) -> None:
    from nitrolyte.web.security import MAX_FAILURES, WINDOW_S

    assert (MAX_FAILURES, WINDOW_S) == (20, 60.0)  # the numbers docs/web.md gives
    with make_client(sqlite_db) as c:  # the app's own limiter, not one made by the test
        codes = [c.post("/api/v1/measurements", json=ROW, headers=auth(f"nlt_guess{i}"))
                 .status_code for i in range(21)]
    assert codes == [401] * 20 + [429]


def test_bad_token_window_passes(sqlite_db: Any) -> None:
    from nitrolyte.web.security import FailureLimiter

    clock = Clock()
    good = sqlite_db.create_token("bob")
    with make_client(sqlite_db, limiter=FailureLimiter(2, window_s=60, clock=clock)) as c:
        for _ in range(2):
            c.post("/api/v1/measurements", json=ROW, headers=auth("nlt_guess"))
        assert c.post("/api/v1/measurements", json=ROW, headers=auth(good)).status_code == 429
        clock.now += 60
        assert c.post("/api/v1/measurements", json=ROW, headers=auth(good)).status_code == 201


def _chunks(data: bytes, size: int = 100) -> Any:
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _multipart(size: int) -> tuple[bytes, str]:
    head = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="lab.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nname,property,value,unit,temperature\r\n")
    tail = b"\r\n--XyZ--\r\n"
    filler = b"A,ionic_conductivity,1e-4,S/cm,300K\r\n"
    body = head + filler * ((size - len(head) - len(tail)) // len(filler) + 1)
    return body[:size - len(tail)] + tail, "multipart/form-data; boundary=XyZ"


@pytest.mark.parametrize("path", ["/api/v1/imports", "/api/v1/fits", "/api/v1/measurements"])
def test_streamed_body_over_the_limit_is_413(sqlite_db: Any, path: str) -> None:
    token = sqlite_db.create_token("alice")
    body, kind = (_multipart(1500) if path != "/api/v1/measurements"
                  else (json.dumps({**ROW, "note": "x" * 1400}).encode(), "application/json"))
    assert 1000 < len(body) < 10_000  # over the limit, under ten times it
    with make_client(sqlite_db, max_body_bytes=1000) as c:
        r = c.post(path, content=_chunks(body), headers={**auth(token), "Content-Type": kind})
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert r.status_code == 413, r.text
        assert r.json() == {"error": "request body larger than 1000 bytes"}
    assert sqlite_db.table("measurements", "user").empty


def test_streamed_body_at_the_limit_is_read(sqlite_db: Any) -> None:
    token = sqlite_db.create_token("alice")
    body, kind = _multipart(1000)
    with make_client(sqlite_db, max_body_bytes=1000) as c:
        r = c.post("/api/v1/imports", content=_chunks(body),
                   headers={**auth(token), "Content-Type": kind})
    assert r.status_code != 413, r.text


# ------------------------------------------------------------------------------ names with /
def test_a_name_with_a_slash_opens(sqlite_db: Any) -> None:
    from urllib.parse import quote

    name = "Li3N/Cu interlayer"
    for prop, value, unit in (("ionic_conductivity", 1e-4, "S/cm"),
                              ("activation_energy", 0.4, "eV")):
        sqlite_db.add_measurement(material=name, property=prop, value=value, unit=unit,
                                  temperature=300, temperature_unit="K", formula="Li3N")
    with make_client(sqlite_db) as c:
        listed = c.get("/", params={"q": "interlayer"}).text
        link = re.search(r'href="(/materials/[^"]*interlayer)"', listed).group(1)
        for url in (link, f"/materials/{quote(name, safe='')}"):
            page = c.get(url)
            assert page.status_code == 200 and '<h1 id="material-name">Li3N/Cu interlayer' in \
                page.text
        for quoted in (quote(name), quote(name, safe="")):
            doc = c.get(f"/api/v1/materials/{quoted}")
            assert doc.status_code == 200 and doc.json()["material"]["name"] == name
            sigma = c.get(f"/api/v1/materials/{quoted}/sigma", params={"T": "300K"})
            assert sigma.status_code == 200, sigma.text
            assert sigma.json()["results"][0]["sigma_S_cm"] == pytest.approx(1e-4, rel=1e-9)


# ------------------------------------------------------------------------------ first render
def test_cell_designer_arrives_with_its_numbers(sqlite_db: Any) -> None:
    """The default design's energy densities, critical values and layer breakdown are in the
    page itself (no "– Wh/kg" while scripts fetch them), equal to the Python API's."""
    from nitrolyte.cell.critical import critical_value
    from nitrolyte.cell.pouch import pouch_cell
    from nitrolyte.web.pages import significant

    cell = pouch_cell()
    with make_client(sqlite_db) as c:
        html = c.get("/cell").text
    assert f'<span id="wh-kg">{significant(cell.gravimetric_Wh_kg)}</span>' in html
    assert f'<span id="wh-l">{significant(cell.volumetric_Wh_L)}</span>' in html
    assert "351.4" in html  # 351.41 Wh/kg: the review's default design, to 4 figures
    for key, cell_id in (("nitride_um", "nitride"), ("areal_capacity_mAh_cm2", "q"),
                         ("n_p", "np")):
        for target in (350, 500):
            found = critical_value(target, key, "gravimetric")
            shown = significant(found.value, 3) if found.reachable else "not reachable"
            assert f'<td id="crit-{cell_id}-{target}">{shown}</td>' in html
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", html)
    assert rows == [(layer, significant(b["mass_mg_cm2"], 3), significant(b["thickness_um"], 3))
                    for layer, b in cell.to_dict()["breakdown"].items()]
    assert ("al", "2.7", "10") in rows


@pytest.mark.parametrize(("value", "digits", "text"), [
    (351.41084948459735, 4, "351.4"), (1137.8908935325276, 4, "1138"), (2.7, 3, "2.7"),
    (12345.6, 4, "12346"), (1.2345e-4, 3, "1.23e-4"), (2.5e7, 4, "2.5e7"), (0.0, 4, "0"),
    (-0.0251, 3, "-0.0251"), (21.35483064616998, 3, "21.4"), (10.0, 3, "10"),
    (None, 4, "–"), (float("nan"), 4, "–"), (float("inf"), 4, "–")])
def test_significant_figures(value: Any, digits: int, text: str) -> None:
    from nitrolyte.web.pages import significant

    assert significant(value, digits) == text


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_script_formats_numbers_as_the_server_does() -> None:
    """``fmt`` of static/app.js gives the text :func:`significant` gives (the page's numbers
    do not change when the script takes over)."""
    from nitrolyte.web.pages import significant

    source = (Path(__file__).parents[2] / "src" / "nitrolyte" / "web" / "static" /
              "app.js").read_text()
    start = source.index("  function strip(")
    functions = source[start:source.index("  function showError(")]
    cases = [(v, d) for v in (351.41084948459735, 1137.89, 2.7, 12345.6, 1.2345e-4, 2.5e7, 0.0,
                              -0.0251, 21.35483064616998, 10.0, 0.000999, 999999.0, 3.14159,
                              0.05, 7.0e-11)
             for d in (3, 4, 5)]
    script = functions + f"console.log(JSON.stringify({json.dumps(cases)}.map(" \
                         "function (c) { return fmt(c[0], c[1]); })));"
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [significant(v, d) for v, d in cases]
