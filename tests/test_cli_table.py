"""The plain-text table (cli/_table.py) is byte-identical to rich's wherever it draws one."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nitrolyte.cli import _table, app

#: characters of the tables nitrolyte prints, plus rich's markup and emoji syntax
SAFE = [*"abcXYZ019 .-+/()%<>=°σβαµ±²×–éÅ", "[ref. 3]", "Li[N(CN)2]", "  "]
RISKY = [*"[]:\\#@\t中", "[b]", "[/b]", ":smile:", "\\[b]"]
ALPHABET = st.sampled_from(SAFE * 6 + RISKY)
TEXT = st.lists(ALPHABET, max_size=8).map("".join)
CELL = st.one_of(TEXT.map(str.strip), TEXT)  # mostly without the spaces rich would keep


def _rich(title: str, columns: list[tuple[str, dict[str, str]]], rows: list[list[str]],
          width: int) -> str | None:
    from rich.console import Console
    from rich.errors import MarkupError
    from rich.table import Table

    table = Table(title=title)
    for header, options in columns:
        table.add_column(header, **options)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(*r)
    out = io.StringIO()
    try:
        Console(width=width, file=out).print(table)
    except MarkupError:
        return None
    return out.getvalue()


@settings(max_examples=250, deadline=None, derandomize=True, database=None)
@given(title=TEXT, headers=st.lists(st.tuples(CELL, st.sampled_from(["left", "right"])),
                                    min_size=1, max_size=4),
       cells=st.lists(st.lists(CELL, min_size=4, max_size=4), max_size=4),
       width=st.integers(10, 130))
def test_plain_is_riches_output(title: str, headers: list[tuple[str, str]],
                                cells: list[list[str]], width: int) -> None:
    columns = [(h, {"justify": j}) for h, j in headers]
    rows = [r[:len(columns)] for r in cells]
    drawn = _table.plain(title, columns, rows, width)
    if drawn is not None:  # drawn in about half of the examples; rich's otherwise
        assert drawn == _rich(title, columns, rows, width)


def test_it_draws_the_commands_tables() -> None:
    """The everyday cases are drawn (not left to rich): Greek names, markup-like references."""
    columns = [("T (K)", {}), ("σ (S/cm)", {"justify": "right"})]
    for title in ("β-Li3N [ref. 28]", "Li[N(CN)2]", "80 material row(s)"):
        drawn = _table.plain(title, columns, [["300.00", "2.307e-04"]], 80)
        assert drawn is not None and drawn == _rich(title, columns, [["300.00", "2.307e-04"]], 80)
    assert "[ref. 28]" not in (_table.plain("β-Li3N [ref. 28]", columns, [["1", "2"]], 80) or "")
    assert _table.plain("t", columns, [["a" * 90, "b"]], 80) is None           # rich would wrap
    assert _table.plain("t", columns, [], 80) is None                           # no rows
    assert _table.plain("t", columns, [["[/b]", "x"]], 80) is None              # rich's error


@pytest.mark.parametrize("args", [["sigma", "beta-Li3N", "--T", "300K", "--T", "25C"],
                                  ["sigma", "alpha-Li3N single crystal", "--T", "300K",
                                   "--direction", "par_c"],
                                  ["list"], ["list", "--family", "nitride halide"],
                                  ["layer", "--thickness-um", "30", "--areal-capacity", "3",
                                   "--c-rate", "1", "--sigma", "1mS/cm"]])
def test_commands_print_riches_tables(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    plain = _table.plain
    used: list[bool] = []
    monkeypatch.setattr(_table, "plain", lambda *a: used.append(True) or plain(*a))
    drawn = runner.invoke(app, args)
    assert used
    monkeypatch.setattr(_table, "console_width", lambda: None)  # rich draws every table
    by_rich = runner.invoke(app, args)
    assert drawn.exit_code == by_rich.exit_code == 0
    assert drawn.stdout == by_rich.stdout


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(title=st.lists(st.sampled_from(SAFE), max_size=6).map("".join),
       cells=st.lists(st.lists(st.lists(st.sampled_from(SAFE[:-1]), max_size=6).map(
           lambda c: "".join(c).strip()), min_size=3, max_size=3), min_size=1, max_size=5))
def test_plain_draws_ordinary_tables_as_rich(title: str, cells: list[list[str]]) -> None:
    columns = [("name", {}), ("σ (S/cm)", {"justify": "right"}), ("T (K)", {"justify": "right"})]
    drawn = _table.plain(title, columns, cells, 130)
    assert drawn is not None  # nothing here needs rich
    assert drawn == _rich(title, columns, cells, 130)
