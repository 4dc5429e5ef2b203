"""Write endpoints (token required) and the previews of the upload page.

* ``POST /measurements``: one row, the fields of ``nitrolyte add``;
* ``POST /imports``: a long-format CSV/JSON file (``nitrolyte import``), all rows or none;
* ``POST /fits``: a sigma(T) CSV -> Arrhenius fit; ``store=true`` keeps points and fit;
* ``POST /eis``: impedance spectra of any supported instrument format + geometry (``thickness``
  and exactly one of ``area`` / ``diameter``, no defaults) -> fits (circuit chosen per spectrum
  unless forced; robust Arrhenius over >= 3 temperatures of reliable fits); ``store=true`` keeps
  them (unreliable fits only with ``force=true``, marked).

Without ``store=true`` the fit endpoints only compute (a preview, no token needed). A stored
row records the token's name as who added it. Writes through one server are serialised, so
concurrent writers lose nothing.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from nitrolyte.errors import InputError
from nitrolyte.web.api_read import json_response
from nitrolyte.web.schemas import ERRORS, Document, ErrorOut, MeasurementIn, dumps
from nitrolyte.web.security import check_reader, require_writer

router = APIRouter(tags=["write"], responses=ERRORS)
Files = Annotated[list[UploadFile], File(description="one or more files")]
#: most spectra accepted in one upload
MAX_EIS_FILES = 50
Geometry = Annotated[str | None, Form(max_length=40, description="with its unit: 500um, "
                                      "0.785cm2, 10mm; required, no default")]


def _safe_name(name: str | None, index: int) -> str:
    stem = Path(name or "").name
    clean = re.sub(r"[^A-Za-z0-9._+-]+", "_", stem)[:120].lstrip(".")
    return clean or f"upload_{index}.csv"


@contextmanager
def saved(files: list[UploadFile]) -> Iterator[list[tuple[Path, str]]]:
    """The uploads written to a private temporary folder: (path, sha256) per file."""
    with tempfile.TemporaryDirectory(prefix="nitrolyte-upload-") as folder:
        out = []
        for i, upload in enumerate(files):
            data = upload.file.read()
            if b"\x00" in data:
                raise InputError(f"file {upload.filename!r}: contains NUL bytes; a text file "
                                 "(CSV or JSON) is expected")
            path = Path(folder) / _safe_name(upload.filename, i)
            if path.exists():
                path = path.with_name(f"{i}_{path.name}")
            path.write_bytes(data)
            out.append((path, hashlib.sha256(data).hexdigest()))
        yield out


def _write(request: Request, action: Any) -> Any:
    """Run a store write under the server's write lock, then drop cached answers."""
    state = request.app.state
    with state.write_lock:
        try:
            return action()
        finally:
            state.frames.invalidate()


@router.post("/measurements", response_model=Document, status_code=201)
def add_measurement(request: Request, body: MeasurementIn,
                    writer: Annotated[dict[str, Any], Depends(require_writer)]) -> Response:
    """Store one measurement (creating the material if its name is new)."""
    from nitrolyte.units import split_temperature

    temperature, t_unit = split_temperature(body.T, "T")
    db = request.app.state.db
    res = _write(request, lambda: db.add_measurement(
        material=body.name, property=body.property, value=body.value, unit=body.unit,
        temperature=temperature, temperature_unit=t_unit, qualifier=body.qualifier,
        direction=body.direction, phase=body.phase, method=body.method,
        derived_from_arrhenius=body.from_arrhenius, ref=body.ref, note=body.note,
        formula=body.formula, family=body.family, space_group=body.space_group,
        added_by=writer["name"], allow_implausible=body.allow_implausible))
    return Response(dumps({**res.to_dict(), "added_by": writer["name"]}), status_code=201,
                    media_type="application/json")


@router.post("/imports", response_model=Document, status_code=201, responses={
    409: {"model": ErrorOut, "description": "a file with this content was imported before "
                                            "(send again=true to store its rows twice)"}})
def import_file(request: Request, file: Annotated[UploadFile, File()],
                writer: Annotated[dict[str, Any], Depends(require_writer)],
                format: Annotated[Literal["auto", "csv", "json"], Form()] = "auto",
                again: Annotated[bool, Form()] = False,
                allow_implausible: Annotated[bool, Form()] = False) -> Response:
    """Import a long-format CSV or JSON file (``nitrolyte import``): all rows or none, with
    the same laboratory limits (``allow_implausible`` as ``--allow-implausible``). A file
    whose content was imported before is refused (409) unless ``again=true``."""
    db = request.app.state.db
    with saved([file]) as [(path, _sha)]:
        res = _write(request, lambda: db.import_file(path, format=format,
                                                     added_by=writer["name"], again=again,
                                                     allow_implausible=allow_implausible))
        doc = {**res.to_dict(), "path": path.name, "added_by": writer["name"]}
    return Response(dumps(doc), status_code=201, media_type="application/json")


def _writer_if(request: Request, store: bool) -> dict[str, Any] | None:
    if store:
        return require_writer(request)
    check_reader(request)
    return None


class _Meta:
    """Fields of a stored measurement set given with a fit upload."""

    def __init__(self, name: str | None, formula: str | None, family: str | None):
        if name is None or not name.strip():
            raise InputError("name: give the material's name to store the fit (store=true)")
        self.name, self.formula, self.family = name.strip(), formula or None, family or None


@router.post("/fits", response_model=Document)
def fit_csv(request: Request, file: Annotated[UploadFile, File()],
            store: Annotated[bool, Form()] = False,
            name: Annotated[str | None, Form(max_length=300)] = None,
            formula: Annotated[str | None, Form(max_length=300)] = None,
            family: Annotated[str | None, Form(max_length=100)] = None,
            convention: Annotated[str | None, Form(max_length=40, description="older name of "
                                                   "law")] = None,
            law: Annotated[str | None, Form(max_length=40, description="conductivity law: a "
                                            "name of the law registry (sigmaT, sigma, vtf, "
                                            "two_regime); default sigmaT")] = None) -> Response:
    """Fit of a sigma(T) CSV to a conductivity law (``nitrolyte fit --law``); ``store=true``
    keeps the points and the fit as a measurement set (:mod:`nitrolyte.workflows.conductivity`)."""
    from nitrolyte.transport.laws.registry import resolve_law
    from nitrolyte.workflows.conductivity import conductivity_file

    law_obj = resolve_law(law, convention)
    writer = _writer_if(request, store)
    meta = _Meta(name, formula, family) if store else None
    with saved([file]) as [(path, _sha)]:
        read = conductivity_file(path, law_obj.name)
        fit = read.fit
        assert fit is not None  # require_fit: a file that cannot be fitted raised
        doc: dict[str, Any] = {"source": path.name, "fit": fit.to_dict(),
                               "sigma_RT_S_cm": fit.sigma_RT_S_cm, "stored": None,
                               "law": law_obj.name, "law_label": law_obj.label}
        if meta is not None and writer is not None:
            stored = _write(request, lambda: read.store(
                request.app.state.db, meta.name, method="fit", formula=meta.formula,
                family=meta.family, added_by=writer["name"]))
            doc["stored"] = {**stored.to_dict(), "added_by": writer["name"]}
    return json_response(dumps(doc))


@router.post("/eis", response_model=Document)
def eis(request: Request, files: Files, thickness: Geometry = None, area: Geometry = None,
        diameter: Geometry = None,
        T: Annotated[list[str] | None, Form(description="temperature per file, e.g. 300K")] = None,
        circuit: Annotated[str | None, Form(max_length=40, description="force a circuit "
                                            "(default: chosen per spectrum)")] = None,
        which: Annotated[Literal["bulk", "total"], Form()] = "total",
        convention: Annotated[str, Form(max_length=40, description="Arrhenius law: sigmaT "
                                        "or sigma")] = "sigmaT",
        store: Annotated[bool, Form()] = False,
        force: Annotated[bool, Form(description="store unreliable fits, marked")] = False,
        name: Annotated[str | None, Form(max_length=300)] = None,
        formula: Annotated[str | None, Form(max_length=300)] = None,
        family: Annotated[str | None, Form(max_length=100)] = None) -> Response:
    """Fit impedance spectra (``nitrolyte eis``): circuit, R and sigma per file (with
    ``reliable`` and ``problems``), Nyquist data, warnings, and the Arrhenius fit over >= 3
    temperatures; ``store=true`` keeps the series as a measurement set."""
    from nitrolyte.transport.eis_series import pellet_geometry_cm
    from nitrolyte.units import parse_quantity
    from nitrolyte.workflows.eis import eis_series

    writer = _writer_if(request, store)
    meta = _Meta(name, formula, family) if store else None
    with saved(files) as uploads:
        if not uploads or len(uploads) > MAX_EIS_FILES:
            raise InputError(f"files: give 1 to {MAX_EIS_FILES} spectra, got {len(uploads)}")
        L, A = pellet_geometry_cm(thickness, area, diameter)
        temps = [parse_quantity(t, "temperature", "T") for t in T or [] if t.strip()] or None
        if temps is not None and len(temps) != len(uploads):
            raise InputError(f"T: given {len(temps)} times for {len(uploads)} files")
        result = eis_series([p for p, _ in uploads], temps, thickness_cm=L, area_cm2=A,
                            circuit=(circuit or "").strip() or None, which=which,
                            convention=convention)
        doc = _eis_doc(result)
        if meta is not None and writer is not None:
            stored = _write(request, lambda: result.store(
                request.app.state.db, meta.name, formula=meta.formula, family=meta.family,
                added_by=writer["name"], force=force))
            doc["stored"] = {**stored.to_dict(), "added_by": writer["name"]}
    return json_response(dumps(doc))


def _eis_doc(result: Any) -> dict[str, Any]:
    """The answer of ``POST /eis``: the series' fits, the geometry and the Nyquist curves of
    every file (for the upload page), and the label of the Arrhenius law."""
    from nitrolyte.transport.display import convention_label

    return {**result.series.to_dict(), "thickness_cm": result.thickness_cm,
            "area_cm2": result.area_cm2, "circuit": result.circuit or "auto",
            "sigma_RT_S_cm": result.sigma_RT_S_cm, "nyquist": result.nyquist(), "stored": None,
            "law_label": None if result.series.arrhenius is None
            else convention_label(result.series.arrhenius.law)}
