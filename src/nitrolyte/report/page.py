"""The report page: one self-contained ``index.html`` assembled from :class:`Section` objects.

No network is needed to view it: the stylesheet and the table-sorting script are inlined from
``report/assets``, and Plotly's JavaScript is loaded once from :data:`PLOTLY_JS`, a file written
beside the page (from the installed ``plotly`` package) only when some figure has an interactive
div. Each figure is shown once: interactive where it has a Plotly version (the static file is the
download, the ``<noscript>`` fallback and the fallback when the script cannot be loaded), the
static image otherwise. Images are referenced by relative path (``figures/fig3E.svg``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources

from nitrolyte.report.framework import FigureOutput, Section, TableOutput, escape

REVIEW = ("Nitride solid-state electrolytes for all-solid-state lithium metal batteries, "
          "Energy Environ. Sci., 2025, 18, 4521")
REVIEW_DOI = "10.1039/d4ee04927f"
#: Plotly's JavaScript, written beside ``index.html`` when a figure is interactive
PLOTLY_JS = "plotly.min.js"
#: replaces every interactive figure by its static file when Plotly could not be loaded
_FALLBACK_JS = """
if (!window.Plotly) {
  document.querySelectorAll('.plotly-wrap[data-static]').forEach(w => {
    const img = document.createElement('img');
    img.src = w.dataset.static; img.alt = w.dataset.alt || '';
    w.replaceWith(img);
  });
}
"""
#: what a table or figure that rebuilds nothing of the review shows as its reference
OWN_DATA = "nitrolyte data"
#: review references that name data from outside the review
NOT_IN_REVIEW = (OWN_DATA, "user data")
_UNITS = {"um": "µm", "mAh/cm2": "mAh/cm²", "mA/cm2": "mA/cm²", "mg/cm2": "mg/cm²",
          "g/cm3": "g/cm³", "Ohm cm2": "Ω cm²", "degC": "°C", "1": "", "dimensionless": ""}


def asset(name: str) -> str:
    """Text of a file in ``nitrolyte/report/assets``."""
    return resources.files("nitrolyte.report").joinpath("assets", name).read_text(encoding="utf-8")


def ref_label(review_ref: str) -> str:
    """The review reference as shown: ``"-"`` or ``"- (nitrolyte data)"`` -> ``"nitrolyte data"``."""
    text = review_ref.strip()
    if text in ("", "-") or text.startswith("- ") or text == OWN_DATA:
        return OWN_DATA
    return text


def pretty_unit(unit: str) -> str:
    """A unit as printed in a table: ``um`` -> ``µm``, ``mAh/cm2`` -> ``mAh/cm²``, ``1`` -> ``""``."""
    return _UNITS.get(unit.strip(), unit.strip())


_TEXT_UNITS = ((re.compile(r"\bmAh/cm2\b"), "mAh/cm²"), (re.compile(r"\bmA/cm2\b"), "mA/cm²"),
               (re.compile(r"\bmg/cm2\b"), "mg/cm²"), (re.compile(r"\bg/cm3\b"), "g/cm³"),
               (re.compile(r"(?<=\d) ?um\b"), " µm"))


def pretty_text(text: str) -> str:
    """Units inside free text as printed: ``20 um`` -> ``20 µm``, ``mAh/cm2`` -> ``mAh/cm²``."""
    for pattern, unit in _TEXT_UNITS:
        text = pattern.sub(unit, text)
    return text


def _rebuilds(review_ref: str, tag: str) -> str:
    label = ref_label(review_ref)
    text = f"Not in the review ({label})" if label in NOT_IN_REVIEW else f"Rebuilds: {label}"
    return f'<{tag} class="rebuilds">{escape(text)}</{tag}>'


def _files(links: Sequence[tuple[str, str | None]]) -> str:
    items = [f'<a href="{escape(path)}">{escape(label)}</a>' for label, path in links if path]
    return f'<p class="files">Files: {" ".join(items)}</p>' if items else ""


def _differences(deviations: Sequence[str]) -> str:
    items = "".join(f"<li>{escape(d)}</li>" for d in deviations) or "<li>None.</li>"
    return (f'<div class="differences"><h4>Differences from the review</h4>'
            f"<ul>{items}</ul></div>")


def _static(fig: FigureOutput) -> str | None:
    return fig.svg or fig.png


def render_figure(fig: FigureOutput) -> str:
    """One ``<figure data-figure=KEY>`` block, the figure shown once: the interactive div where
    there is one (static file as download and fallback), else the static image."""
    parts = [f'<figure id="{escape(fig.key)}" data-figure="{escape(fig.key)}">',
             f"<h3>{escape(fig.title)}</h3>"]
    static = _static(fig)
    if fig.plotly_html:
        fallback = (f' data-static="{escape(static)}" data-alt="{escape(fig.title)}"'
                    if static else "")
        parts.append(f'<div class="plotly-wrap"{fallback}>{fig.plotly_html}</div>')
        if static:
            parts.append(f'<noscript><img src="{escape(static)}" alt="{escape(fig.title)}">'
                         "</noscript>")
    elif static:
        parts.append(f'<img src="{escape(static)}" alt="{escape(fig.title)}" loading="lazy">')
    parts.append(f"<figcaption>{escape(fig.caption)} {_rebuilds(fig.review_ref, 'span')}"
                 "</figcaption>")
    parts.append(_files([("CSV", fig.csv), ("SVG", fig.svg), ("PNG", fig.png)]))
    parts.append(_differences(fig.deviations))
    parts.append("</figure>")
    return "\n".join(parts)


def render_table(table: TableOutput) -> str:
    """One table block (``div.table-block data-table=KEY``) with its CSV link and deviations."""
    caption = f'<p class="caption">{escape(table.caption)}</p>' if table.caption else ""
    return "\n".join([
        f'<div class="table-block" id="{escape(table.key)}" data-table="{escape(table.key)}">',
        f"<h3>{escape(table.title)}</h3>",
        _rebuilds(table.review_ref, "p"), caption,
        f'<div class="table-wrap">{table.html}</div>',
        _files([("CSV", table.csv)]), _differences(table.deviations), "</div>"])


def render_section(section: Section) -> str:
    """A ``<section id=KEY>`` with its intro, tables and figures."""
    intro = f"<p>{escape(section.intro)}</p>" if section.intro else ""
    body = [render_table(t) for t in section.tables] + [render_figure(f) for f in section.figures]
    return "\n".join([f'<section id="{escape(section.key)}">',
                      f"<h2>{escape(section.title)}</h2>", intro, *body, "</section>"])


def _toc_label(item: TableOutput | FigureOutput) -> str:
    """'<span class="toc-ref">Fig. 3E</span> Li3N ...' (a title that repeats its reference is cut)."""
    ref = ref_label(item.review_ref)
    title = item.title.removeprefix(ref).lstrip(": ") if item.title.startswith(ref) else item.title
    return f'<span class="toc-ref">{escape(ref)}</span> {escape(title)}'


def render_toc(sections: Sequence[Section]) -> str:
    """The table of contents: sections, then their tables and figures."""
    items = []
    for sec in sections:
        inner = "".join(f'<li><a href="#{escape(item.key)}">{_toc_label(item)}</a></li>'
                        for item in (*sec.tables, *sec.figures))
        items.append(f'<li><a href="#{escape(sec.key)}">{escape(sec.title)}</a>'
                     f"{f'<ol>{inner}</ol>' if inner else ''}</li>")
    items.append('<li><a href="#differences">Differences from the review (all)</a></li>')
    return f'<nav id="toc"><h2>Contents</h2><ol>{"".join(items)}</ol></nav>'


def render_all_differences(sections: Sequence[Section]) -> str:
    """The closing list of every deviation, linked to its figure or table."""
    rows = []
    for sec in sections:
        for item in (*sec.tables, *sec.figures):
            for dev in item.deviations:
                rows.append(f'<li><a href="#{escape(item.key)}">{escape(ref_label(item.review_ref))}</a>: '
                            f"{escape(dev)}</li>")
    body = "".join(rows) or "<li>None.</li>"
    return (f'<section id="differences"><h2>Differences from the review</h2>'
            f'<div class="differences"><ul>{body}</ul></div></section>')


def needs_plotly(sections: Sequence[Section]) -> bool:
    """Whether any figure is interactive (the page then loads :data:`PLOTLY_JS`)."""
    return any(f.plotly_html for s in sections for f in s.figures)


def render_page(sections: Sequence[Section], *, generated: str | None = None, version: str,
                database: str, title: str = "nitrolyte report", fingerprint: str = "") -> str:
    """The complete HTML document.

    Parameters
    ----------
    sections : sequence of Section
        The built sections, in page order.
    generated : str, optional
        Build time (ISO 8601) shown in the header; omitted by default so that two builds of the
        same data give the same page (``build_report`` passes ``SOURCE_DATE_EPOCH`` when set).
    version : str
        nitrolyte version shown in the header.
    database : str
        Where the data came from (file path), shown in the header.
    title : str
        Page title.
    fingerprint : str
        SHA-256 of the data files written, shown in the header (same data, same fingerprint).
    """
    plotly_js = f'<script src="{PLOTLY_JS}" charset="utf-8"></script>' if needs_plotly(
        sections) else ""
    meta = [f"nitrolyte {escape(version)}"]
    if generated:
        meta.append(f"generated {escape(generated)}")
    meta.append(f"database {escape(database)}")
    if fingerprint:
        meta.append(f"data sha256 {escape(fingerprint[:16])}")
    header = (f"<header><h1>{escape(title)}</h1><p>Rebuilds the quantitative figures and tables "
              f"of <em>{escape(REVIEW)}</em> (DOI "
              f'<a href="https://doi.org/{REVIEW_DOI}">{REVIEW_DOI}</a>) from the nitrolyte '
              f'database.</p><p class="meta">{" &middot; ".join(meta)}</p></header>')
    main = "\n".join(render_section(s) for s in sections)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{asset('report.css')}</style>", plotly_js,
        "</head>", "<body>", header, "<main>", render_toc(sections), main,
        render_all_differences(sections), "</main>",
        "<footer><p>Built by nitrolyte; every value links to its source in the review's "
        "reference list. Figures: SVG/PNG next to this page; data: CSV in data/.</p></footer>",
        f"<script>{_FALLBACK_JS}</script>" if plotly_js else "",
        f"<script>{asset('tables.js')}</script>", f"<script>{asset('sortable.js')}</script>",
        "</body>", "</html>", ""])
