"""The commands' tables: rich's rendering, drawn without importing rich where that is exact.

rich (about 0.4x ``import numpy``) draws the tables of ``sigma``, ``list`` and the other commands.
When stdout is not a terminal (a pipe, a file: no colours, no wrapping state) and the table fits
the width rich would use, rich's output is plain text that follows from a few rules (heavy
header box, one space of padding, each column as wide as its widest cell, title centred over the
table). :func:`plain` draws exactly that; anything it cannot guarantee - a terminal, colour or
terminal-size variables, a non-UTF-8 stdout, text with rich markup tags, emoji codes (``:``),
characters of other than single cell width, leading, trailing or repeated spaces, a table wider
than the console or a title wider than the table, no rows - makes it answer None, and
:func:`print_table` lets rich draw. ``tests/test_cli_table.py`` compares both on generated tables.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Sequence

#: variables that change what rich draws (colour forcing, terminal claims, sizes, notebooks)
_RICH_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS",
             "JUPYTER_LINES")
#: a rich markup tag (rich.markup.RE_TAGS): "[bold]" is one, "Li[N(CN)2]" has none
_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
#: non-ASCII characters known to take one cell in rich (Latin-1, Greek, the symbols printed)
_ONE_CELL = set("°±µ²³·×÷ΩΔαβγδεζηθικλμνξοπρστυφχψωΑΒΓΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨ–—≤≥√∞Å")


def _rendered(text: str) -> str | None:
    """The characters rich prints for ``text`` (markup tags removed, as rich does), or None
    where they could differ from that or take other than one cell each."""
    if any(m.group(2) or m.group(3)[0] in "/@" for m in _TAG.finditer(text)):
        return None  # escapes, closing and handler tags: left to rich
    out = _TAG.sub("", text)
    if ":" in out or not all(" " <= c <= "~" or c in _ONE_CELL or (
            "\u00c0" <= c <= "\u00ff" and unicodedata.category(c).startswith("L")) for c in out):
        return None
    return out


def console_width() -> int | None:
    """The width rich's ``Console()`` would use for a non-terminal stdout (None: use rich)."""
    if any(v in os.environ for v in _RICH_ENV) or "IPython" in sys.modules:
        return None
    stream = sys.stdout
    try:
        if stream.isatty() or not (getattr(stream, "encoding", None) or "utf-8").lower(
                ).startswith("utf"):
            return None
    except ValueError:
        return None
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def plain(title: str, columns: Sequence[tuple[str, dict[str, str]]],
          rows: Sequence[Sequence[str]], width: int) -> str | None:
    """rich's ``Table(title=...)`` as plain text, or None where it could differ.

    Parameters
    ----------
    title : str
        The title, centred over the table.
    columns : sequence of (header, options)
        rich's ``add_column`` options: ``justify`` (``"left"``, the default, or ``"right"``);
        ``overflow`` only matters where rich wraps, which this never draws.
    rows : sequence of sequence of str
        The cells.
    width : int
        The console width (characters).
    """
    justify = [kw.get("justify", "left") for _, kw in columns]
    if not rows or not columns or any(len(r) != len(columns) for r in rows) or any(
            j not in ("left", "right") for j in justify) or any(
            set(kw) - {"justify", "overflow"} for _, kw in columns):
        return None
    shown = [_rendered(t) for t in (title, *(h for h, _ in columns), *(c for r in rows for c in r))]
    if any(t is None or (i and t != t.strip()) for i, t in enumerate(shown)):
        return None  # rich strips a centred title's end; cells keep their spaces (refused here)
    head, cells_ = (shown[0] or "").rstrip(), shown[1:]
    n = len(columns)
    headers, rows = cells_[:n], [cells_[i:i + n] for i in range(n, len(cells_), n)]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    total = sum(widths) + 3 * len(widths) + 1
    if total > width or len(head) > total:
        return None

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def cells(edge: str, values: Sequence[str]) -> str:
        parts = [f" {v.rjust(w) if j == 'right' else v.ljust(w)} "
                 for v, w, j in zip(values, widths, justify, strict=True)]
        return edge + edge.join(parts) + edge

    pad = total - len(head)
    out = [" " * (pad // 2) + head + " " * (pad - pad // 2)] if title else []
    out += [line("┏", "━", "┳", "┓"), cells("┃", headers),
            line("┡", "━", "╇", "┩"), *(cells("│", r) for r in rows), line("└", "─", "┴", "┘")]
    return "".join(f"{x}\n" for x in out)


def print_table(title: str, columns: Sequence[tuple[str, dict[str, str]]],
                rows: Sequence[Sequence[str]], min_width: int = 0) -> None:
    """Print a titled table: :func:`plain` where exact, else rich (``Table`` in a ``Console``
    at least ``min_width`` characters wide)."""
    width = console_width()
    text = None if width is None else plain(title, columns, rows, max(min_width, width))
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for header, options in columns:
        table.add_column(header, **options)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(*r)
    Console(width=max(min_width, Console().width) if min_width else None).print(table)
