"""The REST API of ``nitrolyte serve`` (in-process, FastAPI's TestClient).

Values are checked against the Python API they wrap and against closed forms: sigma(T) from
the record's sigma_ref, T_ref and Ea (sigmaT Arrhenius law), the critical SSE thickness put back
into the cell model gives the target, impedance spectra of tests/data/eis (generated with
Ea = 0.52 eV, 8.3e-7 S/cm at 25 C) give those back. Writes: token required, all or nothing,
nothing lost with concurrent writers. Errors: one JSON line, 4xx.
"""

from __future__ import annotations

import io
import itertools
import math
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

EIS = Path(__file__).parent.parent / "data" / "eis"
K_B_EV = 8.617333262e-5


@pytest.fixture
def client(web_db: Any) -> Any:
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    with TestClient(create_app(web_db), base_url="http://localhost") as c:
        yield c


@pytest.fixture
def token(web_db: Any) -> str:
    return web_db.create_token("alice")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def one_line_error(response: Any, status: int, match: str) -> None:
    assert response.status_code == status, response.text
    doc = response.json()
    assert set(doc) == {"error"} and "\n" not in doc["error"]
    assert match in doc["error"], doc["error"]


# ------------------------------------------------------------------------------------- reads

def test_materials_list_pages_and_filters(client, web_db):
    import nitrolyte

    whole = client.get("/api/v1/materials", params={"limit": 1000}).json()
    assert whole["total"] == len(nitrolyte.materials(db=web_db)) == whole["count"]
    page = client.get("/api/v1/materials", params={"offset": 5, "limit": 3}).json()
    assert [m["name"] for m in page["materials"]] == [m["name"] for m in whole["materials"][5:8]]
    halides = client.get("/api/v1/materials", params={"family": "nitride halide",
                                                       "min_sigma_S_cm": 1e-4}).json()
    expected = nitrolyte.materials(family="nitride halide", min_sigma_S_cm=1e-4, db=web_db)
    assert [m["name"] for m in halides["materials"]] == list(expected["name"])
    assert all(m["sigma_S_cm"] >= 1e-4 for m in halides["materials"])


def test_materials_filter_errors_are_one_line_4xx(client):
    one_line_error(client.get("/api/v1/materials", params={"family": "perovskite"}), 422,
                   "family")
    one_line_error(client.get("/api/v1/materials", params={"min_sigma_S_cm": -1}), 422,
                   "min_sigma_S_cm")
    one_line_error(client.get("/api/v1/materials", params={"limit": 0}), 422, "limit")


def test_material_record_has_provenance_and_errata(client):
    doc = client.get("/api/v1/materials/alpha-Li3N single crystal").json()
    assert doc["material"]["space_group"] == "P6/mmm"
    assert any(e["id"] == "li3n_alpha_space_group" and e["printed"] == "P6_3/mmm"
               for e in doc["errata"])
    sigma = [m for m in doc["material"]["measurements"] if m["property"] == "ionic_conductivity"]
    assert {m["direction"] for m in sigma} == {"perp_c", "par_c"}
    assert all(m["source"] == "literature" and m["ref"] for m in sigma)


def test_unknown_material_is_404_with_suggestions(client):
    one_line_error(client.get("/api/v1/materials/beta-Li3M"), 404, "did you mean")


def test_sigma_matches_the_arrhenius_closed_form(client):
    import nitrolyte

    rec = nitrolyte.get("beta-Li3N")
    s_ref, T_ref, Ea = rec.sigma_S_cm(), rec.T_K(), rec.Ea_eV()
    doc = client.get("/api/v1/materials/beta-Li3N/sigma", params={"T": ["250K", "300K", "-173.15C"]}).json()
    assert [r["T_K"] for r in doc["results"]] == pytest.approx([250, 300, 100])
    for r in doc["results"]:
        T = r["T_K"]
        expected = s_ref * T_ref / T * math.exp(-Ea / K_B_EV * (1 / T - 1 / T_ref))
        assert r["sigma_S_cm"] == pytest.approx(expected, rel=1e-9)
    one_line_error(client.get("/api/v1/materials/beta-Li3N/sigma", params={"T": -3}), 422, "T")
    one_line_error(client.get("/api/v1/materials/beta-Li3N/sigma", params={"T": "300"}), 422,
                   "T: a bare number 300 is ambiguous; write 300C or 573.15K")
    same = client.get("/api/v1/materials/beta-Li3N/sigma", params={"T_K": [250, 300]}).json()
    assert [r["sigma_S_cm"] for r in same["results"]] == [r["sigma_S_cm"] for r in doc["results"][:2]]


def test_window_and_stack(client):
    w = client.get("/api/v1/windows/Li3N").json()
    assert w["reduction_V"] == 0.0 and 0.40 < w["oxidation_V"] < 0.50  # Fig. 2A: 0 - 0.44 V
    s = client.post("/api/v1/stacks", json={"layers": "Li | beta-Li3N | Li3InCl6 | NMC811"}).json()
    assert [i["left"] for i in s["interfaces"]] == ["Li", "beta-Li3N", "Li3InCl6"]
    assert s["interfaces"][0]["status"] == "stable"
    # the command line's default source (issue 21), and its summary names the unstable interface
    assert s["source"] == "auto" and s["summary"].startswith("Unstable: beta-Li3N | Li3InCl6.")
    one_line_error(client.post("/api/v1/stacks", json={"layers": "Li | Qq9"}), 404,
                   "unknown material")
    # a typo is an error with "did you mean", never "stable" (issue 21 defect 2)
    one_line_error(client.post("/api/v1/stacks", json={"layers": "Li | Li3N | Li6PSCl | NMC811"}), 404,
                   "did you mean: Li6PS5Cl")


def test_cell_equals_python_api_and_critical_round_trips(client):
    import nitrolyte

    doc = client.post("/api/v1/cells", json={"areal_capacity_mAh_cm2": 5, "sse_um": 30}).json()
    ref = nitrolyte.pouch_cell(areal_capacity_mAh_cm2=5, catholyte_um=30, nitride_um=30)
    assert doc["gravimetric_Wh_kg"] == pytest.approx(ref.gravimetric_Wh_kg, rel=1e-12)
    assert doc["volumetric_Wh_L"] == pytest.approx(ref.volumetric_Wh_L, rel=1e-12)
    crit = client.post("/api/v1/cells/critical", json={"target": 350, "solve_for": "sse_um"})
    value = crit.json()["value"]
    back = client.post("/api/v1/cells", json={"sse_um": value}).json()
    assert back["gravimetric_Wh_kg"] == pytest.approx(350, rel=1e-9)
    curve = client.post("/api/v1/cells/sweep", json={"x": "nitride_um", "start": 0, "stop": 100,
                                                      "n": 11}).json()["points"]
    wh = [p["gravimetric_Wh_kg"] for p in curve]
    assert all(a > b for a, b in itertools.pairwise(wh))  # a thicker SSE only adds mass
    one_line_error(client.post("/api/v1/cells", json={"sse_um": -1}), 422, "sse_um")
    one_line_error(client.post("/api/v1/cells", json={"bogus": 1}), 422, "bogus")


def test_figure17_family_is_the_reports(client):
    from nitrolyte.cell.sweep import FIG17_AREAL_CAPACITIES, review_figure17_data

    doc = client.get("/api/v1/cells/figure17", params={"catholyte": "LGPS", "points": 11}).json()
    assert [p["panel"] for p in doc["panels"]] == ["F", "G", "H"]
    ref = review_figure17_data("LGPS", points=11)
    for panel in doc["panels"]:
        assert [c["areal_capacity_mAh_cm2"] for c in panel["curves"]] == list(
            FIG17_AREAL_CAPACITIES)
        for curve in panel["curves"]:
            part = ref[(ref["panel"] == panel["panel"])
                       & (ref["areal_capacity_mAh_cm2"] == curve["areal_capacity_mAh_cm2"])]
            assert curve["x"] == pytest.approx(list(part["x"]))
            assert curve["gravimetric_Wh_kg"] == pytest.approx(list(part["gravimetric_Wh_kg"]))
    assert doc["panels"][1]["x_name"] == "n_p" and doc["panels"][1]["fixed"]["sse_um"] == 20
    assert doc["panels"][2]["fixed"]["cu_um"] < doc["panels"][0]["fixed"]["cu_um"]  # light foils
    one_line_error(client.get("/api/v1/cells/figure17", params={"catholyte": "LiCl"}), 422,
                   "catholyte")


def test_screening_matches_python_api(client, web_db):
    import nitrolyte

    doc = client.get("/api/v1/screening", params={"family": "Li3N"}).json()
    ref = nitrolyte.screen(family="Li3N", db=web_db, source="embedded")  # the web uses it
    assert [r["label"] for r in doc["rows"]] == [r.label for r in ref.rows]


# ------------------------------------------------------------------------------------ writes

ROW = {"name": "Lab nitride A", "value": 2.5e-4, "unit": "S/cm", "T": "25C", "formula": "Li3N",
       "method": "EIS"}


def test_write_needs_a_valid_token(client, token, web_db):
    one_line_error(client.post("/api/v1/measurements", json=ROW), 401, "token")
    one_line_error(client.post("/api/v1/measurements", json=ROW, headers=auth("nl_wrong")), 401,
                   "not valid")
    done = client.post("/api/v1/measurements", json=ROW, headers=auth(token))
    assert done.status_code == 201, done.text
    assert done.json()["added_by"] == "alice" and done.json()["material_created"]
    rows = client.get("/api/v1/materials", params={"source": "user"}).json()["materials"]
    assert [(r["name"], r["sigma_S_cm"], r["T_K"]) for r in rows] == [
        ("Lab nitride A", 2.5e-4, 298.15)]
    web_db.revoke_token("alice")
    one_line_error(client.post("/api/v1/measurements", json=ROW, headers=auth(token)), 401,
                   "not valid")


def test_stored_row_records_the_token_name(client, token, web_db):
    client.post("/api/v1/measurements", json=ROW, headers=auth(token))
    assert list(web_db.table("measurements", "user")["added_by"]) == ["alice"]
    record = client.get(f"/api/v1/materials/{ROW['name']}").json()["material"]
    assert [(m["added_by"], m["source"]) for m in record["measurements"]] == [("alice", "user")]
    assert "alice" in client.get(f"/materials/{ROW['name']}").text  # the page shows who


def test_only_admin_tokens_manage_tokens(client, web_db):
    write, admin = web_db.create_token("writer"), web_db.create_token("boss", "admin")
    for method, path, body in (("GET", "/api/v1/tokens", None),
                               ("POST", "/api/v1/tokens", {"name": "x"}),
                               ("DELETE", "/api/v1/tokens/boss", None)):
        one_line_error(client.request(method, path, json=body), 401, "token")
        one_line_error(client.request(method, path, json=body, headers=auth(write)), 403,
                       "this needs an admin token; token 'writer' has scope 'write'")
    listed = client.get("/api/v1/tokens", headers=auth(admin))
    assert [(t["name"], t["scope"], t["revoked_at"]) for t in listed.json()["tokens"]] == [
        ("writer", "write", None), ("boss", "admin", None)]
    assert write not in listed.text and admin not in listed.text and "sha256" not in listed.text
    made = client.post("/api/v1/tokens", json={"name": "bench pc"}, headers=auth(admin))
    assert made.status_code == 201, made.text
    new = made.json()["token"]
    assert web_db.verify_token(new) == {"name": "bench pc", "scope": "write"}
    assert client.post("/api/v1/measurements", json=ROW, headers=auth(new)).status_code == 201
    one_line_error(client.post("/api/v1/tokens", json={"name": "bench pc"}, headers=auth(admin)),
                   422, "already used by an active token")
    gone = client.delete("/api/v1/tokens/bench pc", headers=auth(admin))
    assert gone.json() == {"revoked": "bench pc", "by": "boss"}
    one_line_error(client.post("/api/v1/measurements", json=ROW, headers=auth(new)), 401,
                   "not valid")
    one_line_error(client.delete("/api/v1/tokens/bench pc", headers=auth(admin)), 404,
                   "no active token named 'bench pc'")
    # the write token's refused attempts changed nothing; admin may write as well
    assert web_db.verify_token(admin) == {"name": "boss", "scope": "admin"}
    assert client.post("/api/v1/measurements", json=ROW, headers=auth(admin)).status_code == 201
    assert list(web_db.table("measurements", "user")["added_by"]) == ["bench pc", "boss"]
    refused = client.request("PUT", "/api/v1/tokens", headers=auth(admin))
    assert refused.status_code == 405 and {"GET", "POST"} <= set(
        refused.headers["allow"].split(", "))  # every method of the path, not the first route's


def test_bad_token_flood_is_rate_limited(web_db):
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app
    from nitrolyte.web.security import FailureLimiter

    good = web_db.create_token("bob")
    with TestClient(create_app(web_db, limiter=FailureLimiter(max_failures=5)),
                    base_url="http://localhost") as c:
        codes = [c.post("/api/v1/measurements", json=ROW, headers=auth(f"nl_guess{i}")).status_code
                 for i in range(8)]
        assert codes == [401] * 5 + [429] * 3
        # while blocked, even the right token is refused: the flood gets nothing
        one_line_error(c.post("/api/v1/measurements", json=ROW, headers=auth(good)), 429,
                       "too many")


def test_oversized_body_is_413(web_db, token):
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    with TestClient(create_app(web_db, max_body_bytes=1000), base_url="http://localhost") as c:
        big = {**ROW, "note": "x" * 400, "method": "y" * 400, "ref": "z" * 400}
        one_line_error(c.post("/api/v1/measurements", json=big, headers=auth(token)), 413,
                       "larger than 1000 bytes")
    assert web_db.table("measurements", "user").empty


def test_cross_site_write_is_refused(client, token):
    response = client.post("/api/v1/measurements", json=ROW,
                           headers={**auth(token), "Origin": "http://evil.example"})
    one_line_error(response, 403, "cross-site")


def test_import_is_all_or_nothing(client, token, web_db):
    good = ("name,property,value,unit,temperature,temperature_unit\n"
            "Lab B,ionic_conductivity,1e-4,S/cm,300,K\nLab B,activation_energy,0.4,eV,300,K\n")
    bad = good + "Lab C,ionic_conductivity,-5,S/cm,300,K\n"
    failed = client.post("/api/v1/imports", files={"file": ("lab.csv", bad.encode())},
                         headers=auth(token))
    one_line_error(failed, 422, "row 3")
    assert web_db.table("measurements", "user").empty
    done = client.post("/api/v1/imports", files={"file": ("lab.csv", good.encode())},
                       headers=auth(token))
    assert done.status_code == 201 and done.json()["n_measurements"] == 2
    assert client.get("/api/v1/materials/Lab B").json()["material"]["source"] == "user"


def test_concurrent_writers_lose_nothing(client, web_db):
    tokens = [web_db.create_token(f"writer{i}") for i in range(8)]
    errors: list[str] = []

    def write(i: int) -> None:
        for j in range(5):
            row = {**ROW, "name": f"Concurrent {i % 3}", "value": 1e-4 * (1 + i + 10 * j)}
            r = client.post("/api/v1/measurements", json=row, headers=auth(tokens[i]))
            if r.status_code != 201:
                errors.append(r.text)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = web_db.table("measurements", "user")
    assert len(stored) == 40
    assert sorted(stored["value"]) == sorted(1e-4 * (1 + i + 10 * j) for i in range(8)
                                             for j in range(5))


def test_fit_preview_stores_nothing_and_store_keeps_the_fit(client, token, web_db):
    Ea, s0 = 0.45, 1e-3
    temps = [273.15, 298.15, 323.15, 348.15, 373.15]
    lines = ["T_K,sigma_S_cm"] + [
        f"{T},{s0 * 298.15 / T * math.exp(-Ea / K_B_EV * (1 / T - 1 / 298.15))!r}" for T in temps]
    csv = "\n".join(lines).encode()
    preview = client.post("/api/v1/fits", files={"file": ("sample.csv", csv)})
    assert preview.status_code == 200, preview.text
    assert preview.json()["fit"]["Ea_eV"] == pytest.approx(Ea, rel=1e-6)
    assert preview.json()["sigma_RT_S_cm"] == pytest.approx(s0, rel=1e-6)
    assert web_db.table("measurements", "user").empty
    one_line_error(client.post("/api/v1/fits", files={"file": ("s.csv", csv)},
                               data={"store": "true", "name": "Fitted"}), 401, "token")
    stored = client.post("/api/v1/fits", files={"file": ("s.csv", csv)},
                         data={"store": "true", "name": "Fitted", "formula": "Li3N"},
                         headers=auth(token))
    assert stored.status_code == 200, stored.text
    assert stored.json()["stored"]["n_points"] == 5
    import nitrolyte

    assert nitrolyte.get("Fitted", db=web_db).Ea_eV() == pytest.approx(Ea, rel=1e-6)


def test_fit_endpoint_takes_a_law_from_the_registry(client, token, web_db):
    """``law`` = vtf: sigma = A exp(-B/kB(T - T0)) recovered; an unknown law lists the names."""
    lnA, B, T0 = 0.5, 0.08, 180.0
    temps = [250.0, 270.0, 290.0, 310.0, 330.0, 350.0, 370.0]
    csv = ("T_K,sigma_S_cm\n" + "\n".join(
        f"{T},{math.exp(lnA - B / (K_B_EV * (T - T0)))!r}" for T in temps)).encode()
    r = client.post("/api/v1/fits", files={"file": ("g.csv", csv)}, data={"law": "vtf"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["law"] == "vtf" and doc["law_label"] == "VTF" and doc["fit"]["law"] == "vtf"
    assert list(doc["fit"]["parameters"].values()) == pytest.approx([lnA, B, T0], rel=1e-5)
    assert doc["sigma_RT_S_cm"] == pytest.approx(math.exp(lnA - B / (K_B_EV * (298.15 - T0))),
                                                 rel=1e-6)
    one_line_error(client.post("/api/v1/fits", files={"file": ("g.csv", csv)},
                               data={"law": "arrhenius"}), 422,
                   "law must be one of sigmaT, sigma, vtf, two_regime; got 'arrhenius'")
    old = client.post("/api/v1/fits", files={"file": ("g.csv", csv)}, data={"convention": "sigma"})
    assert old.status_code == 200 and old.json()["fit"]["convention"] == "sigma"  # older name
    stored = client.post("/api/v1/fits", files={"file": ("g.csv", csv)},
                         data={"law": "vtf", "store": "true", "name": "Glass", "formula": "Li3PO4"},
                         headers=auth(token))
    assert stored.status_code == 200, stored.text
    assert web_db.measurement_set(stored.json()["stored"]["set_id"])["fit"]["law"] == "vtf"


@pytest.mark.slow
def test_eis_upload_recovers_the_generating_values(client):
    files = [("files", (p.name, p.read_bytes())) for p in sorted(EIS.glob("*.csv"))]
    r = client.post("/api/v1/eis", files=files, data={"thickness": "1mm", "area": "0.785cm2"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["arrhenius"]["Ea_eV"] == pytest.approx(0.52, rel=0.02)  # make_eis.py: 0.52 eV
    assert doc["sigma_RT_S_cm"] == pytest.approx(8.3e-7, rel=0.05)  # and 8.3e-7 S/cm at 25 C
    assert len(doc["nyquist"]) == 5 and len(doc["nyquist"][0]["fit_Z_real_ohm"]) == 57
    one_line_error(client.post("/api/v1/eis", files=files[:1],
                               data={"thickness": "-1mm", "area": "0.785cm2"}), 422, "thickness")


@pytest.mark.slow
def test_eis_upload_is_stored_as_a_measurement_set(client, token, web_db):
    import nitrolyte

    files = [("files", (p.name, p.read_bytes())) for p in sorted(EIS.glob("*.csv"))]
    data = {"thickness": "1mm", "area": "0.785cm2", "store": "true", "name": "Pellet 12",
            "formula": "Li9S3N"}
    one_line_error(client.post("/api/v1/eis", files=files, data=data), 401, "token")
    r = client.post("/api/v1/eis", files=files, data=data, headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.json()["stored"]["added_by"] == "alice"
    sets = web_db.measurement_sets("Pellet 12")
    assert len(sets) == 1 and sets.iloc[0]["method"] == "EIS"
    assert nitrolyte.get("Pellet 12", db=web_db).Ea_eV() == pytest.approx(0.52, rel=0.02)


def test_error_bodies_never_leak_a_traceback(client):
    r = client.post("/api/v1/imports", files={"file": ("x.csv", io.BytesIO(b"\xff\xfe\x00"))},
                    headers=auth("nl_nope"))
    one_line_error(r, 401, "token")
    r = client.post("/api/v1/cells", content=b"{not json", headers={"Content-Type":
                                                                    "application/json"})
    assert r.status_code == 422 and "Traceback" not in r.text


def test_private_server_needs_a_token_to_read(web_db, token):
    from fastapi.testclient import TestClient

    from nitrolyte.web import create_app

    with TestClient(create_app(web_db, private=True), base_url="http://localhost") as c:
        one_line_error(c.get("/api/v1/materials"), 401, "reading this server needs a token")
        assert c.get("/api/v1/materials", headers=auth(token)).json()["total"] > 40
        page = c.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        assert c.post("/login", data={"token": "nl_wrong"}).status_code == 401
        signed = c.post("/login", data={"token": token}, follow_redirects=False)
        assert signed.status_code == 303
        assert "httponly" in signed.headers["set-cookie"].lower()
        assert "samesite=strict" in signed.headers["set-cookie"].lower()
        assert c.get("/").status_code == 200  # the cookie now lets this client read
        # ... but never write: a write still needs the Authorization header
        one_line_error(c.post("/api/v1/measurements", json=ROW), 401, "token")
        c.cookies.clear()  # a fit preview reads too: the private server wants a token for it
        csv = b"T_K,sigma_S_cm\n300,1e-4\n350,1e-3\n400,5e-3\n"
        one_line_error(c.post("/api/v1/fits", files={"file": ("s.csv", csv)}), 401,
                       "reading this server needs a token")
        assert c.post("/api/v1/fits", files={"file": ("s.csv", csv)},
                      headers=auth(token)).status_code == 200


def test_user_text_is_escaped_in_pages(client, token):
    evil = "<img src=x onerror=alert(1)>"
    done = client.post("/api/v1/measurements", json={**ROW, "name": evil, "note": "</script>"},
                       headers=auth(token))
    assert done.status_code == 201
    for page in (client.get("/"), client.get(f"/materials/{evil}"),
                 client.get("/overlay", params={"m": evil})):
        assert evil not in page.text and "&lt;img src=x" in page.text
    text = client.get(f"/materials/{evil}").text  # the note cannot close a script element
    assert text.count("</script>") == text.count("<script")


@pytest.fixture(scope="module")
def page_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from nitrolyte.store import Database
    from nitrolyte.web import create_app

    db = Database(tmp_path_factory.mktemp("pages") / "pages.sqlite")
    with TestClient(create_app(db), base_url="http://localhost") as c:
        yield c
    db.close()


@settings(max_examples=30, deadline=None)
@given(text=st.text(max_size=60), route=st.sampled_from(
    ["/?q={}", "/?family={}", "/materials/{}", "/overlay?m={}", "/stack?layers={}",
     "/screening?family={}"]))
def test_pages_never_answer_5xx(page_client, text, route):
    from urllib.parse import quote

    r = page_client.get(route.format(quote(text, safe="")))
    assert r.status_code < 500, r.text[:300]
    assert "Traceback" not in r.text


@pytest.mark.slow
def test_eis_upload_of_instrument_files(client, tmp_path):
    import eis_fixtures as fx  # tests/eis_fixtures.py: closed-form spectra in instrument formats

    paths = [fx.write(tmp_path, fmt, T_C) for fmt, T_C in
             (("gamry", 25), ("biologic", 50), ("zplot", 75), ("gamry", 100))]
    files = [("files", (p.name, p.read_bytes())) for p in paths]
    r = client.post("/api/v1/eis", files=files, data={"thickness": "1mm", "area": "0.785398cm2"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["arrhenius"]["Ea_eV"] == pytest.approx(fx.EA_EV, rel=0.02)
    assert doc["circuit"] == "auto" and len(doc["nyquist"]) == 4
    assert [f["T_K"] for f in doc["impedance_fits"]] == pytest.approx(
        [298.15, 323.15, 348.15, 373.15])


def test_cell_designer_lets_the_user_choose_the_electrolyte(client):
    # issue 21: every review electrolyte with a structure has a density, so the page offers them
    html = client.get("/cell").text
    assert '<select id="nitride" name="nitride">' in html
    assert '<option value="LiSi2N3">' in html and '<option value="β-Li3N" selected>' in html
    doc = client.post("/api/v1/cells", json={"nitride": "LiSi2N3"}).json()
    assert doc["inputs"]["nitride_density_g_cm3"]["value"] == pytest.approx(3.002, abs=1e-3)
