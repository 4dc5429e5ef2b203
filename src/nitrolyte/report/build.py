"""Build the HTML report: run every section builder, write ``index.html`` and ``manifest.json``.

Sections are listed in :data:`SECTION_MODULES`; each module has ``build(ctx) -> Section``.

The build writes into a hidden staging folder inside the output folder
(``.nitrolyte-build-*``) and renames its files into place only when every section, the page
and the manifest were written: a full disk or any failure removes the staging folder and
leaves the output folder as it was (one ``error:`` line, no partial report).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError, OutputError
from nitrolyte.report.framework import FigureCache, ReportContext, Section, default_cache_dir
from nitrolyte.report.runner import run_sections

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

#: section modules, in page order (each defines ``build(ctx) -> Section``)
SECTION_MODULES: tuple[str, ...] = (
    "nitrolyte.report.sec_tables",
    "nitrolyte.report.sec_cell",
    "nitrolyte.report.sec_stability",
    "nitrolyte.report.sec_ml",
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


def _check_keys(sections: Sequence[Section]) -> None:
    seen: dict[str, str] = {}
    for sec in sections:
        for item in (*sec.tables, *sec.figures):
            if item.key in seen or item.key in {s.key for s in sections}:
                raise InputError(f"report key {item.key!r} of section {sec.key!r} is used twice "
                                 f"(also in {seen.get(item.key, 'a section id')})")
            seen[item.key] = sec.key


def manifest(sections: Sequence[Section], *, generated: str | None, database: str,
             files: Sequence[str] = (), fingerprint: str = "") -> dict[str, Any]:
    """The machine-readable index of the report (schema ``nitrolyte.report/1``).

    ``files`` lists every file the build wrote (relative paths): the next build into the same
    folder removes those it does not write again, and nothing else.
    """
    import nitrolyte

    figures = [{"key": f.key, "title": f.title, "review_ref": f.review_ref, "section": s.key,
                "files": {k: v for k, v in (("png", f.png), ("svg", f.svg), ("csv", f.csv)) if v},
                "interactive": bool(f.plotly_html), "deviations": list(f.deviations)}
               for s in sections for f in s.figures]
    tables = [{"key": t.key, "title": t.title, "review_ref": t.review_ref, "section": s.key,
               "files": {"csv": t.csv} if t.csv else {}, "deviations": list(t.deviations)}
              for s in sections for t in s.tables]
    return {"schema": MANIFEST_SCHEMA, "nitrolyte_version": nitrolyte.__version__,
            "generated_at": generated, "database": database, "data_sha256": fingerprint,
            "page": "index.html",
            "sections": [{"key": s.key, "title": s.title, "tables": [t.key for t in s.tables],
                          "figures": [f.key for f in s.figures]} for s in sections],
            "figures": figures, "tables": tables, "files": sorted(files)}


def _generated() -> str | None:
    """``SOURCE_DATE_EPOCH`` as ISO 8601 when set (reproducible builds), else None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        stamp = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {epoch!r}") from None
    return stamp.isoformat(timespec="seconds")


def previous_files(out: Path) -> list[str]:
    """The files the last build wrote into ``out`` (from its ``manifest.json``; [] if none).

    Only relative paths inside ``out`` are returned: a manifest cannot make a build remove
    anything else.
    """
    try:
        doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(doc, dict) or doc.get("schema") != MANIFEST_SCHEMA:
        return []
    names = doc.get("files")
    if names is None:  # a manifest written before "files": its figures' and tables' files
        names = [path for kind in ("figures", "tables") for item in doc.get(kind, [])
                 if isinstance(item, dict) and isinstance(item.get("files"), dict)
                 for path in item["files"].values()]
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str) and n and not Path(n).is_absolute()
            and ".." not in Path(n).parts]


def remove_stale(out: Path, before: Sequence[str], now: Sequence[str]) -> list[str]:
    """Remove the files of the previous build (``before``) that this build did not write.

    A symbolic link is removed as a link (its target is never touched); a path whose folder is a
    link out of ``out`` is left alone. Returns the removed paths.
    """
    base = out.resolve()
    removed = []
    for name in sorted(set(before) - set(now)):
        path = out / name
        if not path.parent.resolve().is_relative_to(base):
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def _write(out: Path, name: str, text: str) -> None:
    from nitrolyte.report.framework import safe_path

    safe_path(out, name).write_text(text, encoding="utf-8")


def _plotly_js(stage: Path, out: Path) -> str:
    """Write Plotly's JavaScript beside the page (skipped when ``out`` already has it)."""
    from plotly.offline import get_plotlyjs

    from nitrolyte.report.framework import safe_path
    from nitrolyte.report.page import PLOTLY_JS

    text = get_plotlyjs()
    path = out / PLOTLY_JS
    if not (path.is_file() and not path.is_symlink()
            and path.stat().st_size == len(text.encode("utf-8"))
            and path.read_text(encoding="utf-8") == text):
        safe_path(stage, PLOTLY_JS).write_text(text, encoding="utf-8")
    return PLOTLY_JS


def _move_into(stage: Path, out: Path, names: Sequence[str]) -> None:
    """Rename the staged files into ``out`` (page and manifest last)."""
    from nitrolyte.report.framework import safe_path

    last = ("index.html", "manifest.json")
    for name in [*(n for n in names if n not in last), *last]:
        src = stage / name
        if src.is_file():
            os.replace(src, safe_path(out, name))


def _fingerprint(out: Path, names: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(n for n in names if n.startswith("data/")):
        digest.update(name.encode())
        digest.update((out / name).read_bytes())
    return digest.hexdigest()


def _cache(cache: bool | str | os.PathLike[str]) -> FigureCache | None:
    if cache is False:
        return None
    folder = default_cache_dir() if cache is True else Path(cache)
    return None if folder is None else FigureCache(folder)


def build_report(out_dir: str | os.PathLike[str] = "report", db: DatabaseLike | None = None,
                 progress: bool = True, sections: Sequence[str] | None = None,
                 cache: bool | str | os.PathLike[str] = True, jobs: int | None = None) -> Path:
    """Rebuild the review's figures and tables as one HTML report.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write (created if missing): ``index.html``, ``manifest.json``,
        ``plotly.min.js``, ``figures/*.svg|png`` and ``data/*.csv``. Files the previous build
        wrote there (its manifest's ``files``) and this one does not are removed; nothing else
        is, and nothing is written through a symbolic link that leaves the folder.
    db : Database, str or path-like, optional
        The database to read; default the user's database (see :mod:`nitrolyte.store`).
    progress : bool
        Show progress on stderr: a bar on a terminal, one line per section otherwise.
    sections : sequence of str, optional
        Build only these sections (short names such as ``"tables"``); default all.
    cache : bool or path-like
        Figure cache: True (default) uses :func:`~nitrolyte.report.framework.default_cache_dir`,
        a path uses that folder, False draws every figure.
    jobs : int, optional
        Sections built in parallel processes (default: the CPUs available, at most 4; 1 builds
        in this process).

    Returns
    -------
    Path
        The ``index.html`` written.
    """
    import nitrolyte
    from nitrolyte.api import database
    from nitrolyte.report.page import needs_plotly, render_page

    modules = _select(sections)
    generated = _generated()
    store = database(db)
    store.ensure()  # a database that cannot be read leaves no folder behind
    out = Path(out_dir)
    existed = out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"out_dir {out} cannot be created: {exc.strerror}") from None
    before = previous_files(out)
    stage: Path | None = None
    try:
        stage = Path(tempfile.mkdtemp(prefix=".nitrolyte-build-", dir=out))
        ctx = ReportContext(out_dir=stage, db=store, cache=_cache(cache))
        built, written = run_sections(modules, ctx, progress, jobs)
        _check_keys(built)
        files = [*written, "index.html", "manifest.json"]
        if needs_plotly(built):
            files.append(_plotly_js(stage, out))
        fingerprint = _fingerprint(stage, written)
        page = render_page(built, generated=generated, version=nitrolyte.__version__,
                           database=store.where, fingerprint=fingerprint)
        _write(stage, "index.html", page)
        doc = manifest(built, generated=generated, database=store.where, files=files,
                       fingerprint=fingerprint)
        _write(stage, "manifest.json", json.dumps(doc, indent=1) + "\n")
        _move_into(stage, out, files)
    except OSError as exc:
        raise OutputError(f"cannot write the report into {out}: {exc.strerror or exc}; the "
                          "partial build was removed and the folder left as it was") from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if not existed:
            with contextlib.suppress(OSError):
                out.rmdir()  # only when empty: the build failed into a folder it made
    remove_stale(out, before, files)
    return out / "index.html"
