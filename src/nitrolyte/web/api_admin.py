"""Admin endpoints: API tokens (an ``admin`` token only).

* ``GET /tokens``: every token's name, scope, dates, expiry and last use (never a token or its
  hash);
* ``POST /tokens``: create a token (``{"name", "scope", "expires"}``), shown once in the answer;
* ``DELETE /tokens/{name}``: revoke the active token of that name.

The two scopes: ``write`` may store data (every ``POST`` of the write endpoints); ``admin`` may do
that and manage the tokens, here as ``nitrolyte token`` does on the server's machine. A
``write`` token gets 403 here, no token 401. Thin over
:meth:`nitrolyte.store.Database.list_tokens`, ``create_token`` and ``revoke_token``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from nitrolyte.errors import MissingDataError
from nitrolyte.web.api_read import json_response
from nitrolyte.web.schemas import ERRORS, TokenCreated, TokenIn, TokenList, TokenRevoked, dumps
from nitrolyte.web.security import require_admin

router = APIRouter(tags=["admin"], responses=ERRORS)
Admin = Annotated[dict[str, Any], Depends(require_admin)]


@router.get("/tokens", response_model=TokenList)
def list_tokens(request: Request, _admin: Admin) -> Response:
    """Every token (active, expired and revoked): name, scope, created_at, revoked_at,
    expires_at, last_used_at, expired."""
    return json_response(dumps({"tokens": request.app.state.db.list_tokens()}))


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(request: Request, body: TokenIn, _admin: Admin) -> Response:
    """Create a token; the answer holds it, the only time it is shown (only its hash is kept)."""
    db = request.app.state.db
    plain = db.create_token(body.name, body.scope, body.expires)
    expires_at = next((t["expires_at"] for t in db.list_tokens()
                       if t["name"] == body.name.strip() and t["revoked_at"] is None), None)
    return Response(dumps({"name": body.name, "scope": body.scope, "token": plain,
                           "expires_at": expires_at}),
                    status_code=201, media_type="application/json")


@router.delete("/tokens/{name}", response_model=TokenRevoked)
def revoke_token(request: Request, name: Annotated[str, Path(max_length=200)],
                 admin: Admin) -> Response:
    """Revoke the active token ``name`` (404 when there is none)."""
    if not request.app.state.db.revoke_token(name):
        raise MissingDataError(f"no active token named {name!r}")
    return json_response(dumps({"revoked": name, "by": admin["name"]}))
