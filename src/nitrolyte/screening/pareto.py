"""Non-dominated sorting: the Pareto fronts of conductivity, activation energy and window.

Row *a* dominates row *b* when it is at least as good in every objective and better in one.
Front 1 is the set no row dominates; front 2 is what remains undominated once front 1 is
removed, and so on. Rows lacking any objective get rank 0 (not sorted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError

Sense = Literal["max", "min"]
#: the default objectives: RT conductivity (max), activation energy (min), oxidation limit (max)
DEFAULT_OBJECTIVES: dict[str, Sense] = {"sigma_S_cm": "max", "Ea_eV": "min", "oxidation_V": "max"}


def non_dominated_sort(values: np.ndarray | Sequence[Sequence[float]], senses: Sequence[Sense]) -> np.ndarray:
    """Pareto rank of each row (1 = non-dominated front; 0 = a value is NaN).

    Parameters
    ----------
    values : array_like, shape (n, k)
        Objective values, one row per candidate (infinity allowed, NaN = unknown).
    senses : sequence of {"max", "min"}, length k

    Returns
    -------
    numpy.ndarray of int, shape (n,)
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2:
        raise InputError(f"values must be a 2-D table (rows x objectives), got shape {arr.shape}")
    if len(senses) != arr.shape[1]:
        raise InputError(f"senses must give one of max/min per objective ({arr.shape[1]}), got {list(senses)}")
    for s in senses:
        check_choice("sense", s, ("max", "min"))
    sign = np.array([1.0 if s == "max" else -1.0 for s in senses])
    score = arr * sign  # larger is better in every column
    ranks = np.zeros(len(arr), dtype=int)
    remaining = np.flatnonzero(~np.isnan(arr).any(axis=1))
    front = 1
    while remaining.size:
        sub = score[remaining]
        ge = (sub[:, None, :] >= sub[None, :, :]).all(axis=2)
        gt = (sub[:, None, :] > sub[None, :, :]).any(axis=2)
        dominated = (ge & gt).any(axis=0)  # column j is dominated by some row i
        ranks[remaining[~dominated]] = front
        remaining = remaining[dominated]
        front += 1
    return ranks


def pareto_front(frame: pd.DataFrame, objectives: Mapping[str, Sense] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with ``pareto_rank`` (1 = front, 0 = not sorted) and ``on_front``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per candidate with the objective columns.
    objectives : mapping of column to {"max", "min"}, optional
        Default (also for an empty mapping) :data:`DEFAULT_OBJECTIVES`.
    """
    objectives = dict(objectives or DEFAULT_OBJECTIVES)
    lacking = [c for c in objectives if c not in frame.columns]
    if lacking:
        raise InputError(f"objectives: no column {', '.join(map(repr, lacking))}; "
                         f"columns: {', '.join(map(str, frame.columns))}")
    values = frame[list(objectives)].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    out = frame.copy()
    out["pareto_rank"] = non_dominated_sort(values, list(objectives.values()))
    out["on_front"] = out["pareto_rank"] == 1
    return out
