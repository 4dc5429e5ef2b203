"""Design endpoints: SSE stack check, pouch-cell energy density, critical values, sweeps.

Thin over :func:`nitrolyte.check_stack`, :func:`nitrolyte.workflows.cell.cell_design`,
:func:`nitrolyte.critical_value`, :func:`nitrolyte.cell.sweep.sweep` and
:func:`nitrolyte.cell.sweep.review_figure17_data` (the report's Fig. 17C-H family). They
compute, store nothing, and are open like the reads.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from nitrolyte.stability.sources import DEFAULT_SOURCE
from nitrolyte.web.api_read import json_response
from nitrolyte.web.schemas import ERRORS, CellIn, CriticalIn, Document, StackIn, SweepIn, dumps
from nitrolyte.web.security import require_reader

router = APIRouter(tags=["design"], dependencies=[Depends(require_reader)], responses=ERRORS)


@router.post("/stacks", response_model=Document)
def stack(request: Request, body: StackIn) -> Response:
    """Pairing check of an SSE stack, anode side first: a verdict per interface."""
    from nitrolyte.stability import check_stack

    result = check_stack(body.layers, DEFAULT_SOURCE, cathode_potential_V=body.cathode_V,
                         db=request.app.state.db)
    return json_response(dumps(result.to_dict()))


@router.post("/cells", response_model=Document)
def cell(body: CellIn) -> Response:
    """Energy density (Wh/kg, Wh/L) and layer breakdown of one pouch-cell design."""
    from nitrolyte.workflows.cell import cell_design

    return json_response(dumps(cell_design(body.design()).to_dict()))


def critical_of(design: dict[str, Any], target: float, solve_for: str, basis: str) -> Any:
    """:func:`~nitrolyte.cell.critical.critical_value` of a design, whatever it gives for
    ``solve_for`` (that field, or both SSE layers for ``sse_um``, is the unknown)."""
    from nitrolyte.cell.critical import critical_value

    unknown = (("sse_um", "catholyte_um", "nitride_um") if solve_for == "sse_um"
               else (solve_for,))
    design = {k: v for k, v in design.items() if k not in unknown}
    return critical_value(target, solve_for, basis, **design)  # type: ignore[arg-type]


@router.post("/cells/critical", response_model=Document)
def critical(body: CriticalIn) -> Response:
    """The value of ``solve_for`` at which the design just reaches ``target``."""
    design = body.design()
    for key in ("target", "solve_for", "basis"):
        design.pop(key, None)
    return json_response(dumps(critical_of(design, body.target, body.solve_for,
                                           body.basis).to_dict()))


#: the critical values the cell designer shows: (what is solved for, target Wh/kg)
DESIGNER_CRITICAL = tuple((k, t) for k in ("nitride_um", "areal_capacity_mAh_cm2", "n_p")
                          for t in (350.0, 500.0))


@functools.lru_cache(maxsize=1)
def designer_start() -> dict[str, Any]:
    """What the cell designer shows before any slider moves: the default design's inputs,
    energy densities, layer breakdown and :data:`DESIGNER_CRITICAL` (value or None when the
    target is out of reach), computed once per process and rendered into the page."""
    from nitrolyte.workflows.cell import cell_design

    cell = cell_design().to_dict()
    inputs = {k: v["value"] for k, v in cell["inputs"].items()}
    critical = {}
    for solve_for, target in DESIGNER_CRITICAL:
        found = critical_of(inputs, target, solve_for, "gravimetric")
        critical[f"{solve_for}-{target:g}"] = found.value if found.reachable else None
    return {"inputs": inputs, "gravimetric_Wh_kg": cell["gravimetric_Wh_kg"],
            "volumetric_Wh_L": cell["volumetric_Wh_L"], "breakdown": cell["breakdown"],
            "critical": critical}


@router.post("/cells/sweep", response_model=Document)
def sweep(body: SweepIn) -> Response:
    """Energy density along one parameter (the curves of Fig. 17C-H) for this design."""
    import numpy as np

    from nitrolyte.cell.sweep import sweep as run

    design = body.design()
    for key in ("x", "start", "stop", "n"):
        design.pop(key, None)
    if body.x == "sse_um":
        design = {k: v for k, v in design.items() if k not in ("catholyte_um", "nitride_um")}
    design[body.x] = np.linspace(body.start, body.stop, body.n)
    frame = run(**design)
    columns = [body.x, "gravimetric_Wh_kg", "volumetric_Wh_L"]
    return json_response(dumps({"x": body.x, "points": frame[columns].to_dict("records")}))


@functools.lru_cache(maxsize=4)
def figure17_doc(catholyte: str, points: int) -> bytes:
    """The Fig. 17 family of ``catholyte`` as the report draws it, per panel and curve (JSON)."""
    from nitrolyte.cell.sweep import review_figure17_data
    from nitrolyte.plotting.cell import hue_colours, label, panel_title

    data = review_figure17_data(catholyte, points=points)
    colours = hue_colours(data["areal_capacity_mAh_cm2"].unique())
    panels = []
    for letter, part in data.groupby("panel", sort=True):
        x_name = str(part["x_name"].iloc[0])
        fixed = {k: float(part[k].iloc[0]) for k in ("sse_um", "n_p", "al_um", "cu_um")
                 if k != x_name}
        curves = [{"areal_capacity_mAh_cm2": float(q), "colour": colours[float(q)],
                   "x": curve["x"].tolist(),
                   "gravimetric_Wh_kg": curve["gravimetric_Wh_kg"].tolist()}
                  for q, curve in part.sort_values("x").groupby("areal_capacity_mAh_cm2")]
        panels.append({"panel": letter, "title": panel_title(part, str(letter)), "x_name": x_name,
                       "x_label": label(x_name), "fixed": fixed, "curves": curves})
    return dumps({"catholyte": catholyte, "panels": panels})


@router.get("/cells/figure17", response_model=Document)
def figure17(catholyte: Literal["Li3InCl6", "LGPS"] = "Li3InCl6",
                   points: Annotated[int, Query(ge=2, le=401)] = 101) -> Response:
    """The curves of the review's Fig. 17C-E (Li3InCl6) or F-H (LGPS): gravimetric energy
    density against SSE thickness, N/P ratio and SSE thickness with light foils, one curve per
    cathode areal capacity, from the function the report draws them with."""
    return json_response(figure17_doc(catholyte, points))
