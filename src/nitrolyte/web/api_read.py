"""Read endpoints: materials, one material, sigma(T), electrochemical windows, screening.

Thin over :func:`nitrolyte.materials`, :func:`nitrolyte.get`, :func:`nitrolyte.conductivity`,
:func:`nitrolyte.workflows.window.window_report` and :func:`nitrolyte.screen`.
"""

from __future__ import annotations

from collections.abc import Callable
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
    from nitrolyte.provenance import unknown_sets

    rec = get(name, db=request.app.state.db)
    table = errata()
    hits = table[table["material_ids"].fillna("").str.split(";").map(
        lambda ids: rec.material_id in ids)]
    unknown = (unknown_sets(request.app.state.db, rec.material_id) if rec.source == "user"
               else [])
    from nitrolyte.provenance import structure_estimates
    from nitrolyte.transport.display import record_rows

    return {"material": {**rec.to_dict(), "measurements": record_rows(rec, request.app.state.db)},
            "errata": hits.to_dict("records"),
            "structure_transport": structure_estimates(request.app.state.db, rec.material_id),
            "unknown_simulations": [{k: u[k] for k in ("set_id", "label", "text")}
                                    for u in unknown]}


@router.get("/materials/{name:path}/sigma", response_model=Document)
async def sigma(request: Request, name: str,
                T: Annotated[list[str] | None, Query(
                    max_length=100, description="Temperatures with their unit: 300K, 25C "
                                                "(a bare number is refused)")] = None,
                T_K: Annotated[list[float] | None, Query(max_length=100,
                                                         description="Temperatures, K")] = None,
                direction: Literal["perp_c", "par_c"] | None = None,
                average: Literal["bruggeman", "arithmetic", "harmonic", "geometric"] | None = None,
                convention: Annotated[str, Query(max_length=40, description="Arrhenius law: "
                                                 "sigmaT or sigma")] = "sigmaT") -> Response:
    """Ionic conductivity at temperatures ``T`` (with unit) and ``T_K`` (K), Arrhenius from
    the material's record."""
    import numpy as np

    from nitrolyte.checks import check_range
    from nitrolyte.errors import InputError
    from nitrolyte.plausibility import LIMITS
    from nitrolyte.transport.conductivity import conductivity
    from nitrolyte.units import parse_quantity

    given = [parse_quantity(t, "temperature", "T") for t in T or ()] + list(T_K or ())
    if not given:
        raise InputError("T: give temperatures with their unit (T=300K, T=25C) or in kelvin "
                         "as T_K=300")
    field = "T_K" if T_K else "T"
    # the range nitrolyte.conductivity accepts (what a laboratory measures)
    temps = np.asarray(check_range(field, np.asarray(given, dtype=float), lo=LIMITS["T_K"][0],
                                   hi=LIMITS["T_K"][1]), dtype=float)

    def build() -> bytes:
        sig = np.atleast_1d(conductivity(name, temps, direction, convention=convention,
                                         average=average, db=request.app.state.db))
        return dumps({"material": name, "direction": direction, "average": average,
                      "convention": convention,
                      "results": [{"T_K": float(t), "sigma_S_cm": float(s)}
                                  for t, s in zip(temps, sig, strict=True)]})

    key = ("sigma", name, tuple(temps), direction, average, convention)
    return json_response(await request.app.state.frames.answer_async(key, build))


@router.get("/materials/{name:path}", response_model=Document)
async def material(request: Request, name: str) -> Response:
    """Everything stored about one material: records, sources (provenance) and errata (a name
    may contain ``/``)."""
    return json_response(await request.app.state.frames.answer_async(
        ("material", name), lambda: dumps(material_doc(request, name))))


@router.get("/windows/{formula}", response_model=Document)
def window(request: Request, formula: str) -> Response:
    """Thermodynamic electrochemical window (V vs. Li/Li+, the default energy source, as the
    command line) and the published windows of a formula or material name."""
    from nitrolyte.stability.sources import DEFAULT_SOURCE
    from nitrolyte.workflows.window import window_report

    report = window_report(formula, DEFAULT_SOURCE, db=request.app.state.db)
    return json_response(dumps(report.to_dict()))


def screening_result(state: Any, family: str | None = None, materials: tuple[str, ...] = (),
                     targets: tuple[str, ...] = (), options: dict[str, float | None] | None = None,
                     charge: Callable[[], None] | None = None) -> Any:
    """:func:`nitrolyte.screen` (windows from the embedded energies) of the current data, built
    once per generation and parameter set (``charge`` is called first when it must be built)."""
    from nitrolyte.screening import screen

    chosen = {k: v for k, v in (options or {}).items() if v is not None}

    def build() -> Any:
        if charge is not None:
            charge()
        return screen(list(materials) or None, family=family, targets=list(targets) or None,
                      db=state.db, source="embedded", **chosen)

    key = ("screening-result", family, materials, targets, tuple(sorted(chosen.items())))
    return state.frames.answer(key, build)


@router.get("/screening", response_model=Document)
async def screening(request: Request, family: Str = None,
                    material: Annotated[list[str] | None, Query(max_length=50)] = None,
                    target: Annotated[list[str] | None, Query(max_length=20)] = None,
                    thickness_um: Annotated[float | None, Query(ge=0.1, le=10_000)] = None,
                    areal_capacity_mAh_cm2: Annotated[float | None, Query(ge=0.01, le=1000)] = None,
                    n_p: Annotated[float | None, Query(ge=0.01, le=1000)] = None,
                    T_K: Annotated[float | None, Query(ge=1, le=5000)] = None) -> Response:
    """Materials scored against the review's targets (:func:`nitrolyte.screen`); a new
    parameter set counts against the client's limit of expensive reads (429 beyond it)."""
    from nitrolyte.web.security import charge_expensive

    options = {"thickness_um": thickness_um, "areal_capacity_mAh_cm2": areal_capacity_mAh_cm2,
               "n_p": n_p, "T_K": T_K}
    materials, targets = tuple(material or ()), tuple(target or ())

    def build() -> bytes:
        result = screening_result(request.app.state, family, materials, targets, options,
                                  charge=lambda: charge_expensive(request, "screening"))
        return dumps(result.to_dict())

    key = ("screening", family, materials, targets, tuple(options.items()))
    return json_response(await request.app.state.frames.answer_async(key, build))
