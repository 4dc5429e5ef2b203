"""The pieces every report section is built from.

A section builder is a function ``build(ctx: ReportContext) -> Section``. It computes nothing
itself: it asks the science modules for results and the ``plotting`` modules for figures, then
saves them through ``ctx`` so that every figure ships as PNG + SVG, an interactive Plotly div where
one exists, and the CSV of the data behind it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


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
        Paths relative to the report folder.
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


@dataclass
class ReportContext:
    """Where a section writes its files, and the database it reads.

    ``db`` is a :class:`nitrolyte.store.Database` (or ``None`` for the default database).
    """

    out_dir: Path
    db: Any = None
    dpi: int = 150
    _written: list[str] = field(default_factory=list)

    def path(self, name: str) -> Path:
        """Absolute path of a report file (``figures/fig3E.png``); parent folders are created."""
        p = self.out_dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def save_matplotlib(self, fig: Any, stem: str) -> tuple[str, str]:
        """Save a matplotlib figure as ``figures/<stem>.png`` and ``.svg``; close it."""
        import matplotlib.pyplot as plt

        png, svg = f"figures/{stem}.png", f"figures/{stem}.svg"
        fig.savefig(self.path(png), dpi=self.dpi, bbox_inches="tight")
        fig.savefig(self.path(svg), bbox_inches="tight")
        plt.close(fig)
        self._written += [png, svg]
        return png, svg

    def save_csv(self, frame: pd.DataFrame, stem: str) -> str:
        """Save the data behind a figure or table as ``data/<stem>.csv``."""
        rel = f"data/{stem}.csv"
        frame.to_csv(self.path(rel), index=False)
        self._written.append(rel)
        return rel

    @staticmethod
    def plotly_div(fig: Any, div_id: str) -> str:
        """An interactive Plotly ``<div>`` without the library (the page embeds it once)."""
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
