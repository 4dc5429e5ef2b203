"""Build the HTML report: run every section builder, write ``index.html`` and ``manifest.json``.

Sections are listed in :data:`SECTION_MODULES`; each module has ``build(ctx) -> Section``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nitrolyte.errors import InputError
from nitrolyte.report.framework import ReportContext, Section

#: section modules, in page order (each defines ``build(ctx) -> Section``)
SECTION_MODULES: tuple[str, ...] = (
    "nitrolyte.report.sec_tables",
    "nitrolyte.report.sec_cell",
    "nitrolyte.report.sec_stability",
    "nitrolyte.report.sec_review_extras",
    "nitrolyte.report.sec_transport",
    "nitrolyte.report.sec_measurements",
    "nitrolyte.report.sec_screening",
)
#: schema name written into ``manifest.json``
MANIFEST_SCHEMA = "nitrolyte.report/1"


def section_names() -> tuple[str, ...]:
    """Short names of the sections (``"tables"`` for ``nitrolyte.report.sec_tables``)."""
    return tuple(m.rsplit(".", 1)[-1].removeprefix("sec_") for m in SECTION_MODULES)


def _select(sections: Sequence[str] | None) -> tuple[str, ...]:
    if sections is None:
        return SECTION_MODULES
    names = dict(zip(section_names(), SECTION_MODULES, strict=True))
    unknown = [s for s in sections if s not in names]
    if unknown:
        raise InputError(f"sections: unknown section(s) {', '.join(map(repr, unknown))}; "
                         f"allowed: {', '.join(names)}")
    return tuple(names[s] for s in sections)


def _build_one(name: str, ctx: ReportContext) -> Section:
    try:
        return importlib.import_module(name).build(ctx)
    except Exception as exc:
        exc.add_note(f"while building report section {name}")
        raise


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1].removeprefix("sec_")


def _run(modules: Sequence[str], ctx: ReportContext, progress: bool) -> list[Section]:
    """Build every section, showing progress on stderr.

    On a terminal: a tqdm bar redrawn in place. Otherwise (CI logs, pipes, files): one plain line
    per finished section, so that no carriage returns or bar redraws end up in the log.
    """
    if progress and sys.stderr.isatty():
        return _run_bar(modules, ctx)
    built: list[Section] = []
    for i, name in enumerate(modules, start=1):
        start = time.perf_counter()
        built.append(_build_one(name, ctx))
        if progress:
            print(f"nitrolyte report: [{i}/{len(modules)}] {_short(name)} "
                  f"({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
    return built


def _run_bar(modules: Sequence[str], ctx: ReportContext) -> list[Section]:
    from tqdm import tqdm

    built: list[Section] = []
    # a pseudo-terminal that reports 0 columns or rows would get an empty or hidden bar
    size = shutil.get_terminal_size()
    with tqdm(modules, desc="nitrolyte report", unit="section", file=sys.stderr,
              ncols=size.columns, nrows=size.lines) as bar:
        for name in bar:
            bar.set_postfix_str(_short(name))
            built.append(_build_one(name, ctx))
    return built


def _check_keys(sections: Sequence[Section]) -> None:
    seen: dict[str, str] = {}
    for sec in sections:
        for item in (*sec.tables, *sec.figures):
            if item.key in seen or item.key in {s.key for s in sections}:
                raise InputError(f"report key {item.key!r} of section {sec.key!r} is used twice "
                                 f"(also in {seen.get(item.key, 'a section id')})")
            seen[item.key] = sec.key


def manifest(sections: Sequence[Section], *, generated: str, database: str) -> dict[str, Any]:
    """The machine-readable index of the report (schema ``nitrolyte.report/1``)."""
    import nitrolyte

    figures = [{"key": f.key, "title": f.title, "review_ref": f.review_ref, "section": s.key,
                "files": {k: v for k, v in (("png", f.png), ("svg", f.svg), ("csv", f.csv)) if v},
                "interactive": bool(f.plotly_html), "deviations": list(f.deviations)}
               for s in sections for f in s.figures]
    tables = [{"key": t.key, "title": t.title, "review_ref": t.review_ref, "section": s.key,
               "files": {"csv": t.csv} if t.csv else {}, "deviations": list(t.deviations)}
              for s in sections for t in s.tables]
    return {"schema": MANIFEST_SCHEMA, "nitrolyte_version": nitrolyte.__version__,
            "generated_at": generated, "database": database, "page": "index.html",
            "sections": [{"key": s.key, "title": s.title, "tables": [t.key for t in s.tables],
                          "figures": [f.key for f in s.figures]} for s in sections],
            "figures": figures, "tables": tables}


def build_report(out_dir: str | os.PathLike[str] = "report", db: Any = None,
                 progress: bool = True, sections: Sequence[str] | None = None) -> Path:
    """Rebuild the review's figures and tables as one HTML report.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write (created if missing): ``index.html``, ``manifest.json``,
        ``figures/*.png|svg`` and ``data/*.csv``.
    db : Database, str or path-like, optional
        The database to read; default the user's database (see :mod:`nitrolyte.store`).
    progress : bool
        Show progress on stderr: a bar on a terminal, one line per section otherwise.
    sections : sequence of str, optional
        Build only these sections (short names such as ``"tables"``); default all.

    Returns
    -------
    Path
        The ``index.html`` written.
    """
    import nitrolyte
    from nitrolyte.api import database
    from nitrolyte.report.page import render_page

    modules = _select(sections)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"out_dir {out} cannot be created: {exc.strerror}") from None
    store = database(db)
    store.ensure()
    ctx = ReportContext(out_dir=out, db=store)
    built = _run(modules, ctx, progress)
    _check_keys(built)
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    page = render_page(built, generated=generated, version=nitrolyte.__version__,
                       database=store.where)
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    doc = manifest(built, generated=generated, database=store.where)
    (out / "manifest.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return index
