"""``nitrolyte screen``: score every material (and your stacks) against the review's targets.

Prints a coloured table (✓ pass, ✗ fail, ? unknown per criterion), ``--csv`` (one row per
material or stack) or ``--json`` (schema ``nitrolyte.screening/1``, docs/screening.md). Errors
print one line on stderr; a bad option value (``--target sigma=abc``) exits 2, a failed command 1.
"""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any

import typer

from nitrolyte.cli._common import DbOption, JsonOption, echo_json, handle_errors
from nitrolyte.errors import InputError
from nitrolyte.stability.sources import SOURCES

_STYLE = {"pass": ("✓", "bold green"), "fail": ("✗", "bold red"), "unknown": ("?", "yellow")}


def _pairs(items: list[str] | None, option: str) -> dict[str, float]:
    """``["Li9N2Cl3=1.9"]`` -> ``{"Li9N2Cl3": 1.9}`` (errors name the option)."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, raw = item.rpartition("=")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not sep or not name.strip() or not math.isfinite(value):
            raise InputError(f"{option}: cannot read {item!r}; write NAME=NUMBER (e.g. Li9N2Cl3=1.9)")
        out[name.strip()] = value
    return out


def _floats(text: str | None, option: str) -> tuple[float, ...] | None:
    """``"20,30"`` -> (20.0, 30.0)."""
    if text is None:
        return None
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise InputError(f"{option}: cannot read {text!r}; write comma-separated numbers, e.g. 20,30") from None


def _temperature(text: str | None) -> float | None:
    if text is None:
        return None
    from nitrolyte.units import ZERO_C_K, split_temperature

    value, unit = split_temperature(text, "--T")
    return value + ZERO_C_K if unit == "C" else value


def _cell(c: Any) -> str:
    symbol, style = _STYLE[c.status]
    value = c.value_text()
    sim = " sim." if value and "(simulation" in str(getattr(c, "source", "") or "") else ""
    return f"[{style}]{symbol}[/]" + (f" {value}{sim}" if value else "")


def print_table(result: Any, top: int | None) -> None:
    """The rich table of a :class:`~nitrolyte.screening.ScreeningResult`."""
    from rich.console import Console
    from rich.table import Table

    from nitrolyte.screening.result import RANK_MEANING
    from nitrolyte.screening.targets import SHORT_LABELS

    rows = result.rows[:top] if top else result.rows
    table = Table(title=f"Screening against the review's targets: {len(rows)} of {len(result.rows)} row(s)")
    for col, kw in (("#", {"justify": "right"}), ("material / stack", {"overflow": "fold", "max_width": 34}),
                    ("proven", {"justify": "right"}), ("score", {"justify": "right"}),
                    ("conf.", {"justify": "right"})):
        table.add_column(col, **kw)
    for t in result.targets:
        table.add_column(SHORT_LABELS.get(t.id, t.id), justify="left", no_wrap=True)
    for r in rows:
        score = "" if math.isnan(r.score) else f"{r.score:.2f}"
        name = r.label if r.eligible else f"[dim]{r.label}[/]"
        table.add_row(str(r.rank), name, f"{r.score_min:.2f}", score, f"{r.confidence:.2f}",
                      *(_cell(c) for c in r.criteria))
    console = Console(width=max(160, Console().width))
    console.print(table)
    console.print("[bold green]✓[/] pass  [bold red]✗[/] fail  [yellow]?[/] unknown (never counted as a "
                  "pass); proven = weighted share of all criteria known to pass; score = weighted share "
                  f"of known criteria passed; conf. = share known; dim rows: confidence < "
                  f"{result.min_confidence:g}, ranked last; sim.: a simulated or predicted value "
                  "(MD, BVSE), not a measurement.")
    console.print(RANK_MEANING, highlight=False)
    for t in result.targets:
        what = "charge time" if t.id == "fast_charge" else t.column
        console.print(f"  {SHORT_LABELS.get(t.id, t.id)}: {what} {t.comparator} {t.value:g} {t.unit}  [dim]({t.source})[/]",
                      highlight=False)


def screen_cmd(
    family: Annotated[str | None, typer.Option("--family", help="Only this family, e.g. 'nitride halide'.")] = None,
    material: Annotated[list[str] | None, typer.Option("--material", help="Only these materials (repeat).")] = None,
    target: Annotated[list[str] | None, typer.Option(
        "--target", help="Change a target (sigma=5e-4, Ea<0.4) or add one on an evidence column "
        "(T_transition_K>=400); repeat.")] = None,
    stack: Annotated[list[str] | None, typer.Option(
        "--stack", help="Also screen a stack, e.g. 'Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811' (repeat).")] = None,
    stack_um: Annotated[str | None, typer.Option(
        "--stack-um", help="Thickness of each SSE layer of a single --stack, um, e.g. 20,30.")] = None,
    only_stacks: Annotated[bool, typer.Option("--only-stacks", help="Screen the stacks only.")] = False,
    thickness_um: Annotated[float | None, typer.Option("--thickness-um", help="Screened SSE layer, um (default 20).")] = None,
    catholyte_um: Annotated[float | None, typer.Option("--catholyte-um", help="Cathode-side SSE layer, um (default 20).")] = None,
    areal_capacity: Annotated[float | None, typer.Option("--areal-capacity", help="mAh/cm2 (default 4).")] = None,
    n_p: Annotated[float | None, typer.Option("--np", help="N/P ratio (default 1).")] = None,
    temperature: Annotated[str | None, typer.Option("--T", help="Operating temperature for the 4C check: 300K or 25C (with its unit).")] = None,
    max_drop: Annotated[float | None, typer.Option("--max-drop", help="Allowed ohmic drop at 4C, V (default 0.1).")] = None,
    pair_with: Annotated[list[str] | None, typer.Option(
        "--pair-with", help="Cathode-side SSE tried as pairing (repeat; default Li3InCl6 and LGPS).")] = None,
    density: Annotated[list[str] | None, typer.Option("--density", help="NAME=G_CM3 for the energy density (repeat).")] = None,
    weight: Annotated[list[str] | None, typer.Option("--weight", help="CRITERION=WEIGHT in the score (repeat).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Energy source for windows (default auto): " + " | ".join(SOURCES) + " | FILE.")] = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the first N rows of the table.")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (one row per material or stack).")] = False,
    db: DbOption = None,
) -> None:
    """Score materials and stacks against the review's targets (Conclusions and perspectives)."""
    from nitrolyte.screening import screen

    if as_json and as_csv:
        raise InputError("--json and --csv cannot be used together")
    if only_stacks and not stack:
        raise InputError("--only-stacks needs at least one --stack")
    options = {"thickness_um": thickness_um, "catholyte_um": catholyte_um,
               "areal_capacity_mAh_cm2": areal_capacity, "n_p": n_p, "T_K": _temperature(temperature),
               "max_drop_V": max_drop, "source": source,
               "catholytes": tuple(pair_with) if pair_with else None,
               "densities_g_cm3": _pairs(density, "--density") or None}
    stacks: Any = None if not stack else (stack[0] if len(stack) == 1 else list(stack))
    result = screen([] if only_stacks else (material or None), family=family, targets=target or None,
                    stack=stacks, stack_thickness_um=_floats(stack_um, "--stack-um"),
                    weights=_pairs(weight, "--weight") or None, db=db,
                    **{k: v for k, v in options.items() if v is not None})
    for text in result.warnings:
        typer.echo(f"warning: {text}", err=True)
    if as_json:
        echo_json(result.to_dict())
    elif as_csv:
        from nitrolyte.store.files import write_frame_csv

        write_frame_csv(result.to_frame(), sys.stdout)
    else:
        print_table(result, top)


def register(app: typer.Typer) -> None:
    """Add ``nitrolyte screen`` to the app."""
    app.command("screen")(handle_errors(screen_cmd))
