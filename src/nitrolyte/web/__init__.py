"""nitrolyte's web application: a REST API under ``/api/v1`` and server-rendered pages.

``nitrolyte serve`` runs :func:`create_app` under uvicorn. The web layer calls the public Python
API only (``nitrolyte.materials``, ``get``, ``conductivity``, ``pouch_cell`` ...): no science
here. Reads are open (or token-only with ``private=True``); every write needs
``Authorization: Bearer <token>`` (``nitrolyte token create NAME``).

FastAPI, uvicorn, Jinja2 and python-multipart are the ``web`` extra; nothing is imported until
:func:`create_app` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from nitrolyte.store.database import DatabaseLike


def create_app(db: DatabaseLike | None = None, **options: Any) -> FastAPI:
    """The FastAPI application (see :func:`nitrolyte.web.app.create_app`)."""
    from nitrolyte.web.app import create_app as _create

    return _create(db, **options)


__all__ = ["create_app"]
