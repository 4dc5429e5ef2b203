"""Cells of the report's HTML tables: values formatted as the review prints them.

A cell is ``(inner HTML, sort key or None)``; :func:`html_table` makes a sortable table of rows
of cells. Shared by the review's tables (``sec_tables``) and the user-data table (``user_table``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from nitrolyte.report.framework import escape

DIRECTION_ARROWS = {"perp_c": "⊥c", "par_c": "∥c", "": ""}
Cell = tuple[str, Any]  # (inner HTML, sort key or None)


def sci(value: float) -> str:
    """Shortest scientific notation that round-trips: 0.00214 -> '2.14e-3', 1e-05 -> '1e-5'."""
    for digits in range(0, 16):
        text = f"{value:.{digits}e}"
        if float(text) == value:
            break
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def temperature_text(T_K: float) -> str:
    """As printed: 298.15 K -> '25 °C', 300.15 K -> '27 °C', 300 K -> '300 K'."""
    celsius = T_K - 273.15
    if abs(celsius - round(celsius)) < 1e-6:
        return f"{round(celsius)} °C"
    return f"{T_K:g} K"


def conductivity_cell(row: dict[str, Any]) -> Cell:
    """Printed-style conductivity with qualifier, footnote a, and temperature."""
    sigma = row["sigma_S_cm"]
    if sigma is None or (isinstance(sigma, float) and math.isnan(sigma)):
        return "", None
    fn = ('<sup class="fn" title="calculated from Arrhenius plots">a</sup>'
          if row["from_arrhenius"] else "")
    qualifier = escape(row["sigma_qualifier"] or "")
    return (f'<span class="nowrap">{qualifier}{sci(sigma)}{fn} S/cm '
            f"({escape(temperature_text(row['T_K']))})</span>{electronic_html(row)}", sigma)


def electronic_html(row: dict[str, Any]) -> str:
    """The electronic conductivity (property registry) under the ionic one, where stored."""
    sigma_e = number_or_none(row.get("sigma_e_S_cm"))
    if sigma_e is None:
        return ""
    qualifier = escape(row.get("sigma_e_qualifier") or "")
    return (f'<br><span class="nowrap sigma-e" title="electronic conductivity">electronic: '
            f"{qualifier}{sci(sigma_e)} S/cm</span>")


def conductivity_text(row: dict[str, Any]) -> str:
    """Plain-text version of :func:`conductivity_cell` (for CSV)."""
    sigma = row["sigma_S_cm"]
    if sigma is None or (isinstance(sigma, float) and math.isnan(sigma)):
        return ""
    fn = "^a" if row["from_arrhenius"] else ""
    return f"{row['sigma_qualifier'] or ''}{sci(sigma)}{fn} S/cm ({temperature_text(row['T_K'])})"


_SUB = re.compile(r"(?<=[A-Za-z)])(\d+(?:\.\d+)?)")


def name_cell(name: str) -> Cell:
    """A material name with formula subscripts (Li3N -> Li<sub>3</sub>N), sorted by its text."""
    return _SUB.sub(r"<sub>\1</sub>", escape(name)), name


def number_or_none(value: Any) -> float | None:
    """``value``, or None when it is None or NaN."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def ea_cell(row: dict[str, Any]) -> Cell:
    """'0.73 eV (LT), 0.47 eV (HT)' or '0.29 eV'."""
    low, high = number_or_none(row["Ea_eV"]), number_or_none(row["Ea_HT_eV"])
    if low is None:
        return "", None
    if high is None:
        return f"{low:g} eV", low
    return f"{low:g} eV (LT), {high:g} eV (HT)", low


def structure_text(row: dict[str, Any]) -> str:
    """'Hexagonal (P6/mmm)', 'Amorphous' or 'N/A'."""
    system = (row["crystal_system"] or "").capitalize()
    group = row["space_group"] or ""
    if system and group:
        return f"{system} ({group})"
    return system or group or "N/A"


def ref_cell(ref: Any, doi: str, citation: str) -> Cell:
    """Reference number with the citation as tooltip, linked to its DOI where known."""
    if number_or_none(ref) is None:
        return "", None
    title = escape(citation or f"reference {ref} of the review")
    label = f"[{int(ref)}]"
    if doi:
        return f'<a href="https://doi.org/{escape(doi)}" title="{title}">{label}</a>', int(ref)
    return f'<span title="{title}">{label}</span>', int(ref)


def html_table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[Cell] | str]) -> str:
    """A sortable table; a plain string in ``rows`` becomes a group (sub-heading) row."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = []
    for row in rows:
        if isinstance(row, str):
            body.append(f'<tr class="group"><td colspan="{len(header)}">{escape(row)}</td></tr>')
            continue
        cells = "".join(f"<td{'' if key is None else f' data-sort={_attr(key)}'}>{html}</td>"
                        for html, key in row)
        body.append(f"<tr>{cells}</tr>")
    return (f'<table id="{escape(table_id)}" class="sortable"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _attr(value: Any) -> str:
    return f'"{escape(repr(value) if isinstance(value, float) else str(value))}"'


def text_cell(html: str) -> Cell:
    """A cell of escaped text, unsorted."""
    return escape(html), None
