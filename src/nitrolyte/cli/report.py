"""``nitrolyte report``: rebuild the review's figures and tables as one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nitrolyte.cli._common import DbOption, handle_errors


def report_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder to write index.html into.")] = Path("report"),
    section: Annotated[list[str] | None, typer.Option(
        "--section", help="Build only this section (repeatable), e.g. tables.")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    cache: Annotated[bool, typer.Option(
        "--cache/--no-cache", help="Reuse figures drawn before from the same data "
        "($NITROLYTE_CACHE_DIR or ~/.cache/nitrolyte).")] = True,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", min=1, max=64, help="Sections built in parallel (default: CPUs, at most 4).")] = None,
    db: DbOption = None,
) -> None:
    """Build the HTML report (index.html, manifest.json, plotly.min.js, figures/, data/) into
    --out. Files a previous build wrote there and this one does not are removed; nothing else."""
    from nitrolyte.report import build_report

    index = build_report(out, db=db, progress=progress, sections=section or None, cache=cache,
                         jobs=jobs)
    typer.echo(f"report written to {index}")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the ``nitrolyte`` app."""
    app.command("report")(handle_errors(report_cmd))
