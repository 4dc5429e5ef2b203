"""Equilibrium voltage profiles: Li uptake per formula unit against potential (Fig. 12C/D).

Each row is one phase equilibrium of the Li-open phase diagram; between consecutive rows the
composition takes up or releases Li at constant potential (a plateau). The potential of a
plateau is the critical Li chemical potential,

.. math:: V = -\\left(\\mu_\\mathrm{Li} - \\mu_\\mathrm{Li}^0\\right)/e .
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from nitrolyte.errors import MissingDataError
from nitrolyte.stability._common import chemsys, formula_label, phase_diagram, resolve_material
from nitrolyte.stability.energies import EnergySource
from nitrolyte.stability.sources import DEFAULT_SOURCE, resolve_source
from nitrolyte.stability.window import electrochemical_window, li_profile

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

PROFILE_COLUMNS = ("material", "formula", "V_low", "V_high", "li_per_fu", "phases", "reaction",
                   "source")


def voltage_profile(material: str, source: str | Path | EnergySource = DEFAULT_SOURCE, *,
                    db: DatabaseLike | None = None) -> pd.DataFrame:
    """Li uptake per formula unit vs. potential, with the phase equilibria.

    Parameters
    ----------
    material : str
        Formula or name (``"Li3N"``, ``"Li9N2Cl3"``).
    source : str (a name in ``SOURCES``), path or EnergySource
        Energy source.
    db : Database, str or path-like, optional
        Database for names users added (default: the user's; see :func:`nitrolyte.api.get`).

    Returns
    -------
    pandas.DataFrame
        Columns ``material, formula, V_low, V_high`` (V vs. Li/Li+, ``V_high`` inf for the last
        equilibrium), ``li_per_fu`` (Li taken up per formula unit; negative when released),
        ``phases`` (``" + "``-joined), ``reaction``, ``source``; from low to high potential.

    Raises
    ------
    MissingDataError
        When the source lacks the phases the composition decomposes into.
    """
    window = electrochemical_window(material, source, db=db)
    if not window.computable:
        raise MissingDataError(f"voltage_profile({material!r}): " + "; ".join(window.notes))
    src = resolve_source(source, db=db)
    label, comp = resolve_material(material, db)
    segs = li_profile(comp, phase_diagram(chemsys(comp), src))
    rows = [{"material": label, "formula": formula_label(comp), "V_low": s.V_low, "V_high": s.V_high,
             "li_per_fu": 0.0 if abs(s.li_per_fu) < 1e-9 else s.li_per_fu,
             "phases": " + ".join(s.phases), "reaction": s.reaction, "source": src.name}
            for s in segs]
    return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))


def plateaus(profile: pd.DataFrame) -> pd.DataFrame:
    """The two-phase plateaus of a profile: potential and the Li range it spans.

    Returns
    -------
    pandas.DataFrame
        ``V`` (V vs. Li/Li+), ``li_from`` and ``li_to`` (Li per formula unit on the
        low- and high-potential sides), ``phases_low``, ``phases_high``.
    """
    rows = []
    for (_, lo), (_, hi) in zip(profile.iloc[:-1].iterrows(), profile.iloc[1:].iterrows(), strict=True):
        if math.isclose(lo["V_high"], hi["V_low"]):
            rows.append({"V": hi["V_low"], "li_from": lo["li_per_fu"], "li_to": hi["li_per_fu"],
                         "phases_low": lo["phases"], "phases_high": hi["phases"]})
    return pd.DataFrame(rows, columns=["V", "li_from", "li_to", "phases_low", "phases_high"])
