"""Server-rendered pages (Jinja2): browser, material, overlay, cell designer, stack checker,
screening, upload.

Pages read through the same public API as the REST endpoints; figures come from
:mod:`nitrolyte.plotting` as Plotly JSON that ``static/app.js`` draws with the Plotly bundle of
the ``plotly`` package, served by this app (``/plotly.min.js``). Nothing is loaded from
anywhere else.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nitrolyte.errors import MissingDataError, NitrolyteError
from nitrolyte.stability.sources import DEFAULT_SOURCE
from nitrolyte.web.security import charge_expensive, check_origin, client_of, require_reader

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

router = APIRouter(include_in_schema=False)
PageReader = [Depends(require_reader)]
NAV = (("/", "Materials"), ("/overlay", "Overlay"), ("/cell", "Cell designer"),
       ("/stack", "Stack checker"), ("/screening", "Screening"),
       ("/candidates", "Candidates"), ("/upload", "Upload"))


def significant(value: Any, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures, trailing zeros dropped; "–" when unknown.

    The same text as ``fmt`` of ``static/app.js`` (so a page's numbers do not change when its
    script takes over): ``351.4``, ``2.7``, ``12346``, ``1.23e-4``.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
        return f"{_strip(mantissa)}e{int(exponent)}"
    decimals = 0 if v == 0 else max(0, digits - 1 - math.floor(math.log10(abs(v))))
    return _strip(f"{v:.{decimals}f}")


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


@functools.cache
def templates() -> Any:
    from fastapi.templating import Jinja2Templates

    found = Jinja2Templates(directory=Path(__file__).parent / "templates")
    found.env.filters["sig"] = significant
    return found


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page of ``templates/`` with the navigation."""
    return templates().TemplateResponse(request, name, {"nav": NAV, **context},
                                        status_code=status_code)


def figure_json(fig: Any) -> str:
    """Plotly JSON safe to embed in ``<script type="application/json">``."""
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/plotly.min.js")
def plotly_js() -> FileResponse:
    """The Plotly bundle that ships inside the ``plotly`` package (the report embeds the same)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return FileResponse(path, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/assets/{name}")
def report_asset(name: str) -> Response:
    """The report's own assets (sortable tables, stylesheet), shared with the pages."""
    folder = Path(__file__).parent.parent / "report" / "assets"
    allowed = {p.name: p for p in folder.iterdir() if p.suffix in (".js", ".css")}
    if name not in allowed:
        return Response("not found", status_code=404, media_type="text/plain")
    kind = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(allowed[name], media_type=kind)


@router.get("/", response_class=HTMLResponse, dependencies=PageReader)
def browser(request: Request, q: Annotated[str | None, Query(max_length=200)] = None,
            family: Annotated[str | None, Query(max_length=100)] = None,
            source: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
    """Materials browser: search, family filter, sortable columns, overlay selection."""
    from nitrolyte.api import filter_frame
    from nitrolyte.dataset import FAMILIES

    frame = request.app.state.frames.materials()
    families = sorted({*FAMILIES, *(f for f in frame["family"].dropna() if f)})
    error = None
    try:
        if source in ("literature", "user"):
            frame = frame[frame["source"] == source]
        frame = filter_frame(frame, family=family or None, name_contains=(q or "").strip() or None)
    except NitrolyteError as exc:
        error = str(exc)
    rows = frame.to_dict("records")
    return render(request, "browser.html", rows=rows, q=q or "", family=family or "",
                  source=source or "", families=families, error=error,
                  status_code=422 if error else 200)


def _arrhenius(families: Any, names: Any, title: str, db: DatabaseLike | None) -> tuple[str | None, str | None]:
    from nitrolyte.plotting.arrhenius import plotly_arrhenius_family
    from nitrolyte.transport.conductivity import arrhenius_curves

    try:
        frame = arrhenius_curves(families, names=names, db=db)
    except MissingDataError as exc:
        return None, str(exc)
    return figure_json(plotly_arrhenius_family(frame, title)), None


@router.get("/materials/{name:path}", response_class=HTMLResponse, dependencies=PageReader)
async def material_page(request: Request, name: str) -> HTMLResponse:
    """One material: every record with its source, the errata, the family's Arrhenius plot
    (a name may contain ``/``).

    The page is rendered once per state of the database (see :mod:`nitrolyte.web.cache`).
    """
    try:
        body = await request.app.state.frames.answer_async(
            ("page-material", name), lambda: _material_html(request, name))
    except NitrolyteError as exc:
        return render(request, "message.html", status_code=404, title="Unknown material",
                      message=str(exc))
    return HTMLResponse(body)


def _material_html(request: Request, name: str) -> bytes:
    from nitrolyte.web.api_read import material_doc

    doc = material_doc(request, name)
    rec = doc["material"]
    db = request.app.state.db
    fig, note = (_arrhenius(rec["family"], None, f"{rec['family']} family", db)
                 if rec["family"] else (None, None))
    if fig is None:
        fig, note = _arrhenius(None, [rec["name"]], rec["name"], db)
    return bytes(render(request, "material.html", rec=rec, errata=doc["errata"], figure=fig,
                        figure_note=note, unknown=doc["unknown_simulations"],
                        estimates=doc["structure_transport"],
                        structures=_structures(rec["formula"], db)).body)


def _structures(formula: str | None, db: DatabaseLike | None) -> list[dict[str, str]]:
    """The library's structures of a formula (shipped and the user's), a predicted one labelled
    ``predicted (method, model, trials, date)``."""
    from nitrolyte.structures.library import library_entries, user_entries
    from nitrolyte.structures.predict.outcome import reduced

    try:
        target = reduced(formula or "")
    except Exception:  # no parsable formula: no structures to name
        return []
    out = []
    for entry in (*library_entries(), *user_entries(db)):
        try:
            same = reduced(entry.formula) == target
        except Exception:
            same = False
        if same:
            label = entry.source if entry.kind == "predicted" else f"{entry.kind}: {entry.source}"
            out.append({"name": entry.name, "kind": entry.kind, "label": label})
    return out


@router.get("/overlay", response_class=HTMLResponse, dependencies=PageReader)
def overlay(request: Request,
            m: Annotated[list[str] | None, Query(max_length=30)] = None) -> HTMLResponse:
    """Arrhenius curves of any selection of materials on one plot."""
    names = [n for n in (m or []) if n.strip()]
    fig, note = (None, None)
    if names:
        try:
            fig, note = _arrhenius(None, names, "Selected materials", request.app.state.db)
        except NitrolyteError as exc:
            note = str(exc)
    return render(request, "overlay.html", names=names, figure=fig, figure_note=note,
                  all_names=request.app.state.db.names())


@router.get("/cell", response_class=HTMLResponse, dependencies=PageReader)
def cell_designer(request: Request) -> HTMLResponse:
    """Cell designer: sliders, and the electrolyte of each SSE layer; Wh/kg, Wh/L and critical
    values follow through the API. The default design's numbers are in the page itself
    (computed once per process)."""
    from nitrolyte.cell.components import layer_materials
    from nitrolyte.web.api_design import designer_start

    start = designer_start()
    return render(request, "cell.html", defaults=start["inputs"], start=start,
                  electrolytes=layer_materials())


@router.get("/stack", response_class=HTMLResponse, dependencies=PageReader)
def stack_page(request: Request,
               layers: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    """Stack checker: a verdict for every interface of an SSE stack."""
    from nitrolyte.stability import check_stack

    result, error = None, None
    if layers and layers.strip():
        try:
            result = check_stack(layers, DEFAULT_SOURCE, db=request.app.state.db).to_dict()
        except (NitrolyteError, ValueError) as exc:
            error = str(exc)
    return render(request, "stack.html", layers=layers or "Li | β-Li3N | Li3InCl6 | NMC811",
                  result=result, error=error, status_code=422 if error else 200)


@router.get("/screening", response_class=HTMLResponse, dependencies=PageReader)
def screening_page(request: Request,
                   family: Annotated[str | None, Query(max_length=100)] = None) -> HTMLResponse:
    """The screening table: every material against the review's targets (the result is built
    once per state of the database and family; a new one counts against the client's limit of
    expensive reads)."""
    from fastapi import HTTPException

    from nitrolyte.web.api_read import screening_result

    error, result = None, None
    try:
        result = screening_result(request.app.state, family or None,
                                  charge=lambda: charge_expensive(request, "screening"))
    except NitrolyteError as exc:
        error = str(exc)
    except HTTPException as exc:
        if exc.status_code != 429:
            raise
        page = render(request, "message.html", status_code=429, title="Too many requests",
                      message=str(exc.detail))
        page.headers.update(exc.headers or {})
        return page
    return render(request, "screening.html", result=result, family=family or "", error=error,
                  status_code=422 if error else 200)


@router.get("/upload", response_class=HTMLResponse, dependencies=PageReader)
def upload_page(request: Request) -> HTMLResponse:
    """Upload a sigma(T) CSV, impedance spectra or a database CSV; preview, then store."""
    from nitrolyte.transport.circuits import CIRCUIT_MODELS

    return render(request, "upload.html", circuits=list(CIRCUIT_MODELS))


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """Sign in to read a private server (the session authorises reads, never writes)."""
    return render(request, "login.html", error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(request: Request,
          token: Annotated[str, Form(max_length=200)]) -> HTMLResponse | RedirectResponse:
    """Check the token and open a session (:mod:`nitrolyte.web.sessions`): the cookie holds a
    random session id, HttpOnly, SameSite=Strict, and Secure when served over HTTPS."""
    from nitrolyte.store.lab import plaintext_digest
    from nitrolyte.web.sessions import OLD_COOKIE, SESSION_COOKIE

    check_origin(request)
    state, client = request.app.state, client_of(request)
    if state.limiter.blocked(client):
        return render(request, "login.html", status_code=429,
                      error=f"too many bad tokens from {client}; wait {state.limiter.window_s:g} s")
    digest = plaintext_digest(token.strip())
    if state.db.verify_token_digest(digest) is None:
        state.limiter.fail(client)
        return render(request, "login.html", status_code=401,
                      error="the token is not valid (unknown, expired or revoked)")
    response = RedirectResponse("/", status_code=303)
    state.sessions.close(request.cookies.get(SESSION_COOKIE))
    response.set_cookie(SESSION_COOKIE, state.sessions.open(digest), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https",
                        max_age=int(state.sessions.lifetime_s))
    response.delete_cookie(OLD_COOKIE)
    return response


@router.post("/logout", response_class=RedirectResponse)
def logout(request: Request) -> RedirectResponse:
    """End this browser's session."""
    from nitrolyte.web.sessions import SESSION_COOKIE

    check_origin(request)
    request.app.state.sessions.close(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
