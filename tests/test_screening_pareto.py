"""Non-dominated sorting on hand-made sets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nitrolyte.errors import InputError
from nitrolyte.screening import non_dominated_sort, pareto_front

NAN = math.nan


def test_two_objectives_maximised():
    pts = [(1, 1), (2, 0), (0, 2), (0.5, 0.5), (0, 0), (NAN, 1), (1, 1)]
    assert non_dominated_sort(pts, ["max", "max"]).tolist() == [1, 1, 1, 2, 3, 0, 1]


def test_mixed_senses_like_sigma_ea_window():
    # (sigma S/cm, Ea eV, oxidation V): A dominates C; B trades sigma for window; D is dominated by all
    pts = np.array([[2e-3, 0.37, 0.44], [3e-6, 0.54, 1.07], [2e-4, 0.45, 0.44], [1e-9, 0.8, 0.44],
                    [1.5e-3, 0.29, 0.44], [1e-3, 0.30, math.inf]])
    ranks = non_dominated_sort(pts, ["max", "min", "max"])
    assert ranks.tolist() == [1, 2, 2, 3, 1, 1]


def test_pareto_front_frame():
    frame = pd.DataFrame({"label": list("abcd"), "sigma_S_cm": [1e-3, 1e-4, 2e-3, NAN],
                          "Ea_eV": [0.3, 0.2, 0.5, 0.1], "oxidation_V": [0.4, 0.4, 0.4, 0.4]})
    out = pareto_front(frame)
    assert out["pareto_rank"].tolist() == [1, 1, 1, 0]
    assert out["on_front"].tolist() == [True, True, True, False]
    two = pareto_front(frame, {"sigma_S_cm": "max"})
    assert two.loc[two["on_front"], "label"].tolist() == ["c"]
    assert "pareto_rank" not in frame.columns  # a copy


@pytest.mark.parametrize(("call", "match"), [
    (lambda: non_dominated_sort([1, 2, 3], ["max"]), "2-D table"),
    (lambda: non_dominated_sort([[1, 2]], ["max"]), "one of max/min per objective"),
    (lambda: non_dominated_sort([[1, 2]], ["max", "up"]), "sense must be one of"),
    (lambda: pareto_front(pd.DataFrame({"a": [1]}), {"b": "max"}), "no column 'b'"),
    (lambda: pareto_front(pd.DataFrame({"a": [1]}), {}), "no column 'sigma_S_cm'"),  # {} = defaults
])
def test_errors(call, match):
    with pytest.raises(InputError, match=match):
        call()
