"""Discovery candidates on the web: the ``/candidates`` page (a sortable table per saved campaign
with each stage's evidence, CIF downloads) and ``/api/v1/candidates`` (the same as JSON).

Campaigns are the ones ``nitrolyte discover`` saved in this server's database
(:mod:`nitrolyte.discover.saved`); every structure and value there is a prediction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse

from nitrolyte.web.pages import render
from nitrolyte.web.schemas import ERRORS, Document, dumps
from nitrolyte.web.security import require_reader

pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_reader)])
api = APIRouter(tags=["read"], dependencies=[Depends(require_reader)], responses=ERRORS)
Key = Annotated[str, Path(max_length=200, pattern=r"^[A-Za-z0-9_.()\-]+$")]


def _campaigns(request: Request) -> list[dict[str, Any]]:
    from nitrolyte.discover.saved import campaigns

    return campaigns(request.app.state.db)


@pages.get("/candidates", response_class=HTMLResponse)
def candidates_page(request: Request) -> HTMLResponse:
    """Every saved campaign: its manifest line and its ranked candidates."""
    return render(request, "candidates.html", campaigns=_campaigns(request))


@pages.get("/candidates/{run_id}/{key}.cif")
def candidate_cif(request: Request, run_id: Key, key: Key) -> Response:
    """The predicted structure of one candidate as a CIF download."""
    from fastapi import HTTPException

    from nitrolyte.discover.saved import candidate_cif as cif_text

    text = cif_text(run_id, key, request.app.state.db)
    if text is None:
        raise HTTPException(status_code=404, detail=f"no candidate {key!r} in campaign {run_id!r}")
    return Response(text, media_type="chemical/x-cif",
                    headers={"Content-Disposition": f'attachment; filename="{key}.cif"'})


@api.get("/candidates", response_model=Document)
def candidates_json(request: Request) -> Response:
    """Saved discovery campaigns (manifest and candidates with their evidence; CIF text omitted)."""
    docs = [{"run_id": c["run_id"], "manifest": c["manifest"],
             "candidates": [{k: v for k, v in r.items() if k != "cif"} for r in c["candidates"]]}
            for c in _campaigns(request)]
    return Response(dumps({"schema": "nitrolyte.candidates/1", "campaigns": docs}), media_type="application/json")
