"""The pieces every report section is built from.

A section builder is a function ``build(ctx: ReportContext) -> Section``. It computes nothing
itself: it asks the science modules for results and the ``plotting`` modules for figures, then
saves them through ``ctx`` so that every figure ships as one static file (SVG by default, PNG where
a raster serves better), an interactive Plotly div where one exists, and the CSV of the data behind
it.

Static figures are cached by the hash of their data (:class:`FigureCache`): a section passes the
frame it plots and a function that draws it, and a second build with the same data and the same
plotting code copies the file instead of drawing it. Every file is written through
:meth:`ReportContext.path`, which never follows a symbolic link out of the report folder, and
with fixed metadata (no dates, fixed SVG ids) so that two builds of the same data are
byte-identical.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store.database import DatabaseLike

StaticFormat = Literal["svg", "png"]
#: SVG element ids are derived from this salt, not from random numbers (byte-identical builds)
SVG_HASH_SALT = "nitrolyte-report"


@dataclass(frozen=True)
class FigureOutput:
    """One rebuilt figure of the review.

    Attributes
    ----------
    key : str
        Stable identifier, used as the HTML id and file stem (``"fig3E"``).
    title : str
        Human title.
    review_ref : str
        The review figure or table it rebuilds (``"Fig. 3E"``).
    caption : str
        What is plotted, with units and sources.
    png, svg, csv : str or None
        Paths relative to the report folder (a figure has one static file, PNG or SVG).
    plotly_html : str or None
        An interactive ``<div>`` (Plotly JS is included once by the page).
    deviations : list of str
        Where the rebuilt data differs from what the review states.
    """

    key: str
    title: str
    review_ref: str
    caption: str = ""
    png: str | None = None
    svg: str | None = None
    csv: str | None = None
    plotly_html: str | None = None
    deviations: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableOutput:
    """A table shown in the report (sortable in the page) with its CSV."""

    key: str
    title: str
    review_ref: str
    html: str
    csv: str | None = None
    caption: str = ""
    deviations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A section of the report: an intro paragraph, tables and figures."""

    key: str
    title: str
    intro: str = ""
    tables: tuple[TableOutput, ...] = ()
    figures: tuple[FigureOutput, ...] = ()


def code_fingerprint() -> str:
    """SHA-256 of everything besides the data that decides how a static figure looks.

    The sources of :mod:`nitrolyte.plotting` and :mod:`nitrolyte.report`, and the versions of
    nitrolyte and matplotlib: a change to any of them invalidates every cached figure.
    """
    return _code_fingerprint()


@functools.cache
def _code_fingerprint() -> str:
    import matplotlib

    import nitrolyte

    digest = hashlib.sha256(f"{nitrolyte.__version__}|{matplotlib.__version__}".encode())
    root = Path(__file__).resolve().parents[1]
    for package in ("plotting", "report"):
        for source in sorted((root / package).rglob("*.py")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def data_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's CSV text (columns, index and every value)."""
    return hashlib.sha256(frame.to_csv().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FigureCache:
    """Static figures by the hash of (stem, format, dpi, data, plotting code).

    ``folder`` is created on first use; entries are written to a temporary name and renamed, so
    that a reader never sees half a file.
    """

    folder: Path

    def key(self, stem: str, fmt: str, dpi: int, data: pd.DataFrame) -> str:
        """The cache key of one figure file."""
        text = f"{stem}|{fmt}|{dpi}|{data_hash(data)}|{code_fingerprint()}"
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str, fmt: str) -> Path | None:
        """The cached file, or None."""
        path = self.folder / f"{key}.{fmt}"
        return path if path.is_file() else None

    def put(self, key: str, fmt: str, source: Path) -> None:
        """Store a copy of ``source`` (best effort: a read-only cache is skipped)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{key}.{os.getpid()}.tmp"
            shutil.copyfile(source, tmp)
            os.replace(tmp, self.folder / f"{key}.{fmt}")
        except OSError:
            pass


def default_cache_dir() -> Path | None:
    """``report-figures`` in nitrolyte's cache directory (:func:`nitrolyte.data.cache.cache_dir`:
    ``$NITROLYTE_CACHE_DIR``, else the user cache directory); None when
    ``NITROLYTE_CACHE_DIR=off`` (before: a folder named ``off`` in the working directory)."""
    from nitrolyte.data.cache import cache_dir

    base = cache_dir()
    return None if base is None else base / "report-figures"


def safe_path(root: Path, name: str) -> Path:
    """``root / name`` for writing, never through a symbolic link that leaves ``root``.

    Parent folders are created. A symbolic link at the file itself is removed (the file is then
    written as a new regular file); a folder on the way that is a link out of ``root``, or a name
    that climbs out of it (``..``, an absolute path), raises :class:`InputError`.
    """
    root.mkdir(parents=True, exist_ok=True)
    base = root.resolve()
    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise InputError(f"report file {name!r} must be a relative path inside {root}")
    current = base
    for part in rel.parts[:-1]:
        current = current / part
        if current.is_symlink() and not current.resolve().is_relative_to(base):
            raise InputError(f"out_dir: {current} is a symbolic link to "
                             f"{current.resolve()}, outside the report folder; remove it")
        if not current.exists():
            # another section's worker may make it between the check and mkdir
            with contextlib.suppress(FileExistsError):
                current.mkdir()
        if not current.is_dir():
            raise InputError(f"out_dir: {current} is not a folder; remove it")
    path = current / rel.parts[-1]
    if path.is_symlink():
        path.unlink()
    return path


@dataclass
class ReportContext:
    """Where a section writes its files, and the database it reads.

    ``db`` is a :class:`nitrolyte.store.Database` (or ``None`` for the default database);
    ``cache`` the figure cache (``None``: draw every figure).
    """

    out_dir: Path
    db: DatabaseLike | None = None
    dpi: int = 150
    cache: FigureCache | None = None
    _written: list[str] = field(default_factory=list)
    cache_hits: int = 0

    def path(self, name: str) -> Path:
        """Absolute path of a report file (``figures/fig3E.svg``), safe to write (:func:`safe_path`)."""
        return safe_path(self.out_dir, name)

    def save_matplotlib(self, fig: Any, stem: str, *, data: pd.DataFrame | None = None,
                        fmt: StaticFormat = "svg") -> tuple[str | None, str | None]:
        """Save a matplotlib figure as ``figures/<stem>.svg`` (or ``.png``); close it.

        Parameters
        ----------
        fig : matplotlib Figure or callable
            The figure, or a function of no arguments that draws it (drawn only on a cache miss).
        stem : str
            File stem.
        data : DataFrame, optional
            The data the figure shows: with it the file is cached by its hash (:class:`FigureCache`).
        fmt : {"svg", "png"}
            SVG (vector, small for line plots; the default) or PNG (for dense rasters).

        Returns
        -------
        (png, svg) : tuple of str or None
            The path written relative to the report folder, in the slot of its format.
        """
        rel = f"figures/{stem}.{fmt}"
        target = self.path(rel)
        key = self.cache.key(stem, fmt, self.dpi, data) if self.cache and data is not None else None
        hit = self.cache.get(key, fmt) if key and self.cache else None
        if hit is not None:
            shutil.copyfile(hit, target)
            self.cache_hits += 1
            if not callable(fig):
                _close(fig)
        else:
            figure = fig() if callable(fig) else fig
            write_static(figure, target, fmt, self.dpi)
            if key and self.cache:
                self.cache.put(key, fmt, target)
        self._written.append(rel)
        return (rel, None) if fmt == "png" else (None, rel)

    def save_csv(self, frame: pd.DataFrame, stem: str) -> str:
        """Save the data behind a figure or table as ``data/<stem>.csv``."""
        rel = f"data/{stem}.csv"
        from nitrolyte.store.files import write_frame_csv

        with self.path(rel).open("w", newline="", encoding="utf-8") as fh:
            write_frame_csv(frame, fh)  # spreadsheet-safe, as every CSV nitrolyte writes
        self._written.append(rel)
        return rel

    def remember(self, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` (stability work: a frame, a screening result), kept under the data
        generation (:func:`nitrolyte.store.generation.fingerprint`: the database and the
        installed code and data) in the figure cache's ``results/`` folder, so that a warm build
        reuses it. Without a figure cache, on PostgreSQL, or when ``compute`` writes to stderr
        (a warning), it is computed every time."""
        from nitrolyte.store.generation import remembered

        folder = None if self.cache is None else self.cache.folder / "results"
        url = None if self.db is None else str(self.db.url)
        return remembered(folder, f"report-{name}", [], url, compute, codec="pickle")

    @staticmethod
    def plotly_div(fig: Any, div_id: str) -> str:
        """An interactive Plotly ``<div>`` without the library (the page loads it once)."""
        return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                           config={"displaylogo": False, "responsive": True})

    @staticmethod
    def frame_to_html(frame: pd.DataFrame, table_id: str) -> str:
        """A sortable HTML table (the page's script sorts any ``table.sortable``).

        Floats are shown with up to 6 significant figures and no padding zeros (``1.27``,
        ``3500``, ``-128.64``, ``0.001``), not with one padded precision per column
        (``1.27000``, ``3500.00000``); a column of fractions rounded to 2 decimals (scores,
        confidences in 0-1) keeps 2 decimals (``1.00``, ``0.50``). The CSV beside the table keeps
        every digit.
        """
        formatters = {c: _two_decimals for c in frame.columns if _is_rounded_fraction(frame[c])}
        return frame.to_html(index=False, table_id=table_id, classes="sortable", na_rep="",
                             border=0, escape=True, float_format=_short_float,
                             formatters=formatters or None)

    @property
    def written(self) -> list[str]:
        return list(self._written)


def write_static(figure: Any, path: Path, fmt: str, dpi: int) -> None:
    """Save ``figure`` with fixed metadata (no date; SVG ids from :data:`SVG_HASH_SALT`); close it."""
    import matplotlib

    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
        figure.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
    _close(figure)


def _close(figure: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(figure)


def _short_float(value: float) -> str:
    return f"{value:.6g}"


def _two_decimals(value: Any) -> str:
    return "" if value is None or value != value else f"{value:.2f}"


def _is_rounded_fraction(column: pd.Series) -> bool:
    """A float column whose values all lie in [0, 1] with at most 2 decimals."""
    import numpy as np

    if column.dtype.kind != "f":
        return False
    values = column.dropna().to_numpy()
    return bool(len(values)) and bool(((values >= 0) & (values <= 1)).all()) and bool(
        np.allclose(values, np.round(values, 2), rtol=0, atol=1e-12))


def escape(text: str) -> str:
    """HTML-escape plain text."""
    return html.escape(text, quote=True)
