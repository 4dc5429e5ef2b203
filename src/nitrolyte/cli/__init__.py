"""The ``nitrolyte`` command line: a thin Typer wrapper over the public API.

Each capability registers its commands from its own module (``cli/materials.py``,
``cli/transport.py``, ...) through a ``register(app)`` function.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

_SETTINGS: dict[str, Any] = dict(
    name="nitrolyte",
    help="Cited database and toolkit for nitride solid-state electrolytes (EES 2025, 18, 4521).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app = typer.Typer(**_SETTINGS)

#: modules whose ``register(app)`` adds commands, in help order
_COMMAND_MODULES: tuple[str, ...] = (
    "nitrolyte.cli.materials",
    "nitrolyte.cli.transport",
    "nitrolyte.cli.eis",
    "nitrolyte.cli.report",
    "nitrolyte.cli.stability",
    "nitrolyte.cli.structure",
    "nitrolyte.cli.cell",
    "nitrolyte.cli.screen",
    "nitrolyte.cli.serve",
    "nitrolyte.cli.db",
    "nitrolyte.cli.simulate",
    "nitrolyte.cli.discover",
)

for _module in _COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def _group() -> None:
    """(no options of its own: keeps the one command a sub-command, as in :data:`app`)"""


def _only(name: str) -> typer.Typer | None:
    """:data:`app` with the plain command ``name`` alone (None if ``name`` is not one).

    Typer builds every registered command (and its parameter adapters) before running one;
    building only the command asked for saves that start-up time. Groups (``db``, ``cell``,
    ...), ``--help`` and unknown names run the full app, so help and errors are unchanged.
    """
    chosen = [c for c in app.registered_commands if c.name == name]
    if len(chosen) != 1:
        return None
    one = typer.Typer(**_SETTINGS)
    one.registered_commands = chosen
    one.callback()(_group)
    return one


def main() -> None:
    """Console entry point (warnings print as one ``warning:`` line, also in server logs)."""
    import warnings

    from nitrolyte.cli._common import one_line_warning

    warnings.showwarning = one_line_warning
    one = _only(sys.argv[1]) if len(sys.argv) > 1 else None
    (one or app)()
