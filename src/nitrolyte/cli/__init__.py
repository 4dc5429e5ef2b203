"""The ``nitrolyte`` command line: a thin Typer wrapper over the public API.

Each capability registers its commands from its own module (``cli/materials.py``,
``cli/transport.py``, ...) through a ``register(app)`` function.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="nitrolyte",
    help="Cited database and toolkit for nitride solid-state electrolytes (EES 2025, 18, 4521).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
    "nitrolyte.cli.db",
    "nitrolyte.cli.simulate",
)

for _module in _COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    """Console entry point."""
    app()
