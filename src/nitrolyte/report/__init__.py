"""The HTML report that rebuilds the review's quantitative figures and tables.

``build_report(out_dir)`` runs every section in :data:`nitrolyte.report.build.SECTION_MODULES`
and writes ``index.html`` plus ``manifest.json``; see :mod:`nitrolyte.report.framework` for the
objects a section returns.
"""

from __future__ import annotations

from nitrolyte.report.build import SECTION_MODULES, build_report

__all__ = ["SECTION_MODULES", "build_report"]
