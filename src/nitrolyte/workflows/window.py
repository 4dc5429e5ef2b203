"""The window report: the computed electrochemical window of a material and its published ones.

``nitrolyte window`` prints it and ``GET /api/v1/windows/{formula}`` serves it; both render
:class:`WindowReport` (its ``to_dict()`` is the JSON both give).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.stability.sources import DEFAULT_SOURCE

if TYPE_CHECKING:
    from nitrolyte.stability.reported import ReportedWindow
    from nitrolyte.stability.window import StabilityWindow
    from nitrolyte.store.database import DatabaseLike

#: the published windows looked up, in the order they are shown
REPORTED_KINDS = ("intrinsic", "extended", "experimental")


@dataclass(frozen=True)
class WindowReport:
    """The computed window (V vs. Li/Li+) and the published windows of one material."""

    window: StabilityWindow
    reported: tuple[ReportedWindow, ...]

    def to_dict(self) -> dict[str, Any]:
        """The window's ``to_dict()`` plus ``reported`` (a list of published windows)."""
        return {**self.window.to_dict(), "reported": [r.to_dict() for r in self.reported]}


def window_report(material: str, source: str | Path = DEFAULT_SOURCE, *,
                  db: DatabaseLike | None = None,
                  potential: str | None = None) -> WindowReport:
    """Window of ``material`` (formula or name) from ``source`` and its published windows,
    names resolved in ``db`` (a :class:`~nitrolyte.store.Database` or its location)."""
    from nitrolyte.stability import electrochemical_window
    from nitrolyte.stability.reported import reported_window

    w = electrochemical_window(material, source, db=db, potential=potential)
    reported = tuple(r for k in REPORTED_KINDS
                     if (r := reported_window(material, k, db=db)) is not None)  # type: ignore[arg-type]
    return WindowReport(window=w, reported=reported)
