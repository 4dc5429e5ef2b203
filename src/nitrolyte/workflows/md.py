"""An MD run: ML-potential NVT MD per temperature -> D, sigma, Arrhenius fit, stored beside experiments.

``nitrolyte md`` calls :func:`md_run` and renders its
:class:`~nitrolyte.simulate.pipeline.TransportSimulation` (simulated values, labelled as such
wherever they appear); the web has no MD route (hours of compute per request). The
temperatures are checked against the store's limits before any MD runs, not after.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.simulate.pipeline import MDSettings, TransportSimulation
    from nitrolyte.store.database import DatabaseLike


def check_storable_temperatures(temperatures_K: Sequence[float]) -> None:
    """Refuse a temperature (K) that a stored measurement may not have (``--T`` named)."""
    from nitrolyte.plausibility import LIMITS, outside_mask

    bad = [t for t in temperatures_K if outside_mask("T_K", [t])[0]]
    if bad:
        lo, hi = LIMITS["T_K"]
        raise InputError(f"--T: {bad[0]:g} K is outside the {lo:g}-{hi:g} K a stored "
                         "measurement may have; run it with --no-store or "
                         "--allow-implausible")


def md_run(structure: str, temperatures_K: Sequence[float], settings: MDSettings,
           out: Path, *, store: bool = True, db: DatabaseLike | None = None,
           compare: str | None = None, allow_implausible: bool = False,
           progress: bool = False) -> TransportSimulation:
    """Run :func:`~nitrolyte.simulate.pipeline.simulate_transport` for ``structure`` at
    ``temperatures_K`` (K), trajectories under ``out``; stored in ``db`` when ``store``."""
    from nitrolyte.simulate.pipeline import simulate_transport

    if store and not allow_implausible:
        check_storable_temperatures(temperatures_K)
    return simulate_transport(structure, temperatures_K, settings, out, store=store, db=db,
                              compare=compare, allow_implausible=allow_implausible,
                              progress=progress)
