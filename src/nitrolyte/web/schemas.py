"""Request and response bodies of the REST API (pydantic), shared by the routers.

Field names carry their units as everywhere in nitrolyte. Numbers must be finite; unknown
fields are refused (422), so a typo never silently falls back to a default.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=500, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
Name = Annotated[str, Field(min_length=1, max_length=300,
                            pattern=r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$")]


class Strict(BaseModel):
    """Finite numbers only (true is not 1); unknown fields refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class ErrorOut(BaseModel):
    """Every error: one line."""

    error: str


#: documented error answers of every route (schemathesis checks answers against them)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": what} for code, what in (
        (400, "bad request"), (401, "token missing or not valid"),
        (403, "cross-site request, or a write token where an admin token is needed"),
        (404, "unknown material or missing data"), (413, "request body too large"),
        (422, "bad input (the message names the field and the allowed range)"),
        (429, "too many bad tokens"), (503, "database unavailable"))}


class Document(BaseModel):
    """A JSON document (the ``to_dict()`` of a nitrolyte result, NaN as null)."""

    model_config = ConfigDict(extra="allow")


class MaterialsPage(BaseModel):
    """One page of the materials list."""

    total: int
    offset: int
    limit: int
    count: int
    materials: list[dict[str, Any]]


class MeasurementIn(Strict):
    """One measurement: the fields of ``nitrolyte add``."""

    name: Name
    value: float
    unit: Annotated[str, Field(min_length=1, max_length=40)]
    T: Annotated[str, Field(min_length=1, max_length=40,
                            description="with its unit: 300K or 25C (a bare number is refused)")]
    property: Annotated[str, Field(max_length=100)] = "ionic_conductivity"
    qualifier: Literal["", "<", ">", "~", "="] = ""
    direction: Literal["", "perp_c", "par_c"] = ""
    phase: Literal["", "LT", "HT"] = ""
    method: Text = ""
    from_arrhenius: bool = False
    ref: Text = ""
    note: Text = ""
    formula: Text = ""
    family: Text = ""
    space_group: Text = ""
    allow_implausible: bool = Field(False, description="store a value outside what a laboratory "
                                    "measures (10-2000 K, sigma <= 10 S/cm, Ea 0-3 eV)")


def _limited_field(name: str) -> dict[str, float]:
    from nitrolyte.cell.limits import field

    return field(name)


def _limited(name: str) -> Any:
    """An optional number in ``name``'s physical range: the table the CLI and the Python API
    check too (:data:`nitrolyte.cell.limits.DESIGN_LIMITS`)."""
    return Annotated[float | None, Field(**_limited_field(name))]


class CellIn(Strict):
    """A pouch-cell design (every field optional: the review's defaults, docs/cell.md)."""

    areal_capacity_mAh_cm2: _limited("areal_capacity_mAh_cm2") = None  # type: ignore[valid-type]
    catholyte_um: _limited("catholyte_um") = None  # type: ignore[valid-type]
    nitride_um: _limited("nitride_um") = None  # type: ignore[valid-type]
    sse_um: _limited("sse_um") = None  # type: ignore[valid-type]
    n_p: _limited("n_p") = None  # type: ignore[valid-type]
    al_um: _limited("al_um") = None  # type: ignore[valid-type]
    cu_um: _limited("cu_um") = None  # type: ignore[valid-type]
    catholyte: Text | None = None
    nitride: Text | None = None
    cathode: Text | None = None
    sides: Literal["single", "double"] | None = None
    anode: Literal["lithium", "anode-free"] | None = None
    li_capacity_mAh_g: _limited("li_capacity_mAh_g") = None  # type: ignore[valid-type]
    packaging_mass_fraction: _limited("packaging_mass_fraction") = None  # type: ignore[valid-type]

    def design(self) -> dict[str, Any]:
        """The set fields, as keyword arguments of :func:`nitrolyte.pouch_cell`."""
        return self.model_dump(exclude_none=True)


class CriticalIn(CellIn):
    """A design and the parameter to solve for so that it just reaches the target."""

    target: Annotated[float, Field(**_limited_field("target"))] = 350.0
    solve_for: Literal["sse_um", "areal_capacity_mAh_cm2", "n_p", "cu_um", "al_um",
                       "catholyte_um", "nitride_um"] = "sse_um"
    basis: Literal["gravimetric", "volumetric"] = "gravimetric"


class SweepIn(CellIn):
    """A design and one parameter swept over a range (the Fig. 17 curves)."""

    x: Literal["sse_um", "areal_capacity_mAh_cm2", "n_p", "cu_um", "al_um", "catholyte_um",
               "nitride_um"] = "sse_um"
    start: Annotated[float, Field(ge=0, le=10_000)] = 1.0
    stop: Annotated[float, Field(ge=0, le=10_000)] = 100.0
    n: Annotated[int, Field(ge=2, le=200)] = 50


class StackIn(Strict):
    """An SSE stack, anode side first (``"Li | beta-Li3N | Li3InCl6 | NMC811"``)."""

    layers: Annotated[str, Field(min_length=1, max_length=500)] | Annotated[
        list[Name], Field(min_length=1, max_length=8)]
    cathode_V: Annotated[float | None, Field(gt=0, le=10)] = None


class TokenIn(Strict):
    """A token to create: who or what uses it, and what it may do."""

    name: Annotated[Name, Field(max_length=200)]
    scope: Literal["write", "admin"] = "write"
    expires: Annotated[str | None, Field(max_length=40, description="lifetime with its unit: "
                                         "30d, 12h, 90min, 2w (default: never expires)")] = None


class TokenInfo(BaseModel):
    """A token as listed: never the token or its hash."""

    name: str
    scope: Literal["write", "admin"]
    created_at: str
    revoked_at: str | None
    expires_at: str | None
    last_used_at: str | None
    expired: bool


class TokenList(BaseModel):
    """Every token, active and revoked."""

    tokens: list[TokenInfo]


class TokenCreated(BaseModel):
    """A new token: ``token`` is shown only in this answer."""

    name: str
    scope: Literal["write", "admin"]
    token: str
    expires_at: str | None


class TokenRevoked(BaseModel):
    """The name of the revoked token and of the admin token that revoked it."""

    revoked: str
    by: str


def dumps(doc: Any) -> bytes:
    """JSON bytes of a document (numpy scalars as numbers, NaN and infinities as null)."""
    from nitrolyte._json import to_jsonable

    return json.dumps(to_jsonable(doc), ensure_ascii=False, separators=(",", ":")).encode()
