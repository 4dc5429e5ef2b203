"""Read endpoints: materials, one material, sigma(T), electrochemical windows, screening.

Thin over :func:`nitrolyte.materials`, :func:`nitrolyte.get`, :func:`nitrolyte.conductivity`,
:func:`nitrolyte.electrochemical_window` and :func:`nitrolyte.screen`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from nitrolyte.web.schemas import ERRORS, Document, MaterialsPage, dumps
from nitrolyte.web.security import require_reader

router = APIRouter(tags=["read"], dependencies=[Depends(require_reader)], responses=ERRORS)
Str = Annotated[str | None, Query(max_length=200)]
Temperature = Annotated[float, Query(gt=0, le=5000, description="Temperature, K")]


def json_response(body: bytes) -> Response:
    """An ``application/json`` answer from serialised bytes."""
    return Response(body, media_type="application/json")


async def materials_page(request: Request, params: dict[str, Any], offset: int,
                         limit: int) -> bytes:
    """The serialised page of :func:`nitrolyte.materials` for these filters."""
    from nitrolyte.api import filter_frame
    from nitrolyte.checks import check_choice, check_positive

    for key in ("min_sigma_S_cm", "max_Ea_eV"):
        if params[key] is not None:
            check_positive(key, params[key])
    if params["source"] is not None:
        check_choice("source", params["source"], ("literature", "user"))

    def build() -> bytes:
        frame = request.app.state.frames.materials()
        if params["source"] is not None:
            frame = frame[frame["source"] == params["source"]]
        frame = filter_frame(frame, **{k: v for k, v in params.items() if k != "source"})
        page = frame.iloc[offset:offset + limit]
        return dumps({"total": len(frame), "offset": offset, "limit": limit, "count": len(page),
                      "materials": page.to_dict("records")})

    return await request.app.state.frames.answer_async(
        ("materials", tuple(params.items()), offset, limit), build)


@router.get("/materials", response_model=MaterialsPage)
async def list_materials(request: Request, family: Str = None, element: Str = None,
                         min_sigma_S_cm: Annotated[float | None, Query(allow_inf_nan=False)] = None,
                         max_Ea_eV: Annotated[float | None, Query(allow_inf_nan=False)] = None,
                         name_contains: Str = None,
                         source: Literal["literature", "user"] | None = None,
                         offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Materials (one row per material and direction), filtered as :func:`nitrolyte.materials`."""
    params = {"family": family, "element": element, "min_sigma_S_cm": min_sigma_S_cm,
              "max_Ea_eV": max_Ea_eV, "name_contains": name_contains, "source": source}
    return json_response(await materials_page(request, params, offset, limit))


def material_doc(request: Request, name: str) -> dict[str, Any]:
    """A material's record (every measurement with its source) and the errata about it."""
    from nitrolyte.api import get
    from nitrolyte.dataset import errata
    from nitrolyte.simulate.labels import unknown_sets

    rec = get(name, db=request.app.state.db)
    table = errata()
    hits = table[table["material_ids"].fillna("").str.split(";").map(
        lambda ids: rec.material_id in ids)]
    unknown = (unknown_sets(request.app.state.db, rec.material_id) if rec.source == "user"
               else [])
    from nitrolyte.transport.display import record_rows

    return {"material": {**rec.to_dict(), "measurements": record_rows(rec, request.app.state.db)},
            "errata": hits.to_dict("records"),
            "unknown_simulations": [{k: u[k] for k in ("set_id", "label", "text")}
                                    for u in unknown]}


@router.get("/materials/{name}", response_model=Document)
async def material(request: Request, name: str) -> Response:
    """Everything stored about one material: records, sources (provenance) and errata."""
    return json_response(await request.app.state.frames.answer_async(
        ("material", name), lambda: dumps(material_doc(request, name))))


@router.get("/materials/{name}/sigma", response_model=Document)
async def sigma(request: Request, name: str,
                T: Annotated[list[float], Query(max_length=100, description="Temperatures, K")],
                direction: Literal["perp_c", "par_c"] | None = None,
                average: Literal["bruggeman", "arithmetic", "harmonic", "geometric"] | None = None,
                convention: Literal["sigmaT", "sigma"] = "sigmaT") -> Response:
    """Ionic conductivity at temperatures ``T`` (K), Arrhenius from the material's record."""
    import numpy as np

    from nitrolyte.checks import check_range
    from nitrolyte.transport.conductivity import conductivity

    T_K = np.asarray(check_range("T", np.asarray(T, dtype=float), lo=0.0, hi=5000.0,
                                 lo_inclusive=False), dtype=float)

    def build() -> bytes:
        sig = np.atleast_1d(conductivity(name, T_K, direction, convention=convention,
                                         average=average, db=request.app.state.db))
        return dumps({"material": name, "direction": direction, "average": average,
                      "convention": convention,
                      "results": [{"T_K": float(t), "sigma_S_cm": float(s)}
                                  for t, s in zip(T_K, sig, strict=True)]})

    key = ("sigma", name, tuple(T), direction, average, convention)
    return json_response(await request.app.state.frames.answer_async(key, build))


@router.get("/windows/{formula}", response_model=Document)
def window(formula: str) -> Response:
    """Thermodynamic electrochemical window (V vs. Li/Li+, embedded energies) and the
    published windows of a formula or material name."""
    from nitrolyte.stability import electrochemical_window
    from nitrolyte.stability.reported import reported_window

    w = electrochemical_window(formula, "embedded")
    reported = [r for k in ("intrinsic", "extended", "experimental")
                if (r := reported_window(formula, k)) is not None]  # type: ignore[arg-type]
    return json_response(dumps({**w.to_dict(), "reported": [r.to_dict() for r in reported]}))


@router.get("/screening", response_model=Document)
async def screening(request: Request, family: Str = None,
                    material: Annotated[list[str] | None, Query(max_length=50)] = None,
                    target: Annotated[list[str] | None, Query(max_length=20)] = None,
                    thickness_um: Annotated[float | None, Query(ge=0.1, le=10_000)] = None,
                    areal_capacity_mAh_cm2: Annotated[float | None, Query(ge=0.01, le=1000)] = None,
                    n_p: Annotated[float | None, Query(ge=0.01, le=1000)] = None,
                    T_K: Annotated[float | None, Query(ge=1, le=5000)] = None) -> Response:
    """Materials scored against the review's targets (:func:`nitrolyte.screen`)."""
    from nitrolyte.screening import screen

    options = {"thickness_um": thickness_um, "areal_capacity_mAh_cm2": areal_capacity_mAh_cm2,
               "n_p": n_p, "T_K": T_K}

    def build() -> bytes:
        result = screen(material or None, family=family, targets=target or None,
                        db=request.app.state.db, source="embedded",
                        **{k: v for k, v in options.items() if v is not None})
        return dumps(result.to_dict())

    key = ("screening", family, tuple(material or ()), tuple(target or ()),
           tuple(options.items()))
    return json_response(await request.app.state.frames.answer_async(key, build))
