"""Issue 12 item 7 in Python: ``nitrolyte.conductivity`` warns where the CLI's ``sigma`` does.

β-Li3N turns into α-Li3N at 200 °C (review Section 2.1, Fig. 3A) and Li3N melts at 814 °C
(Sections 3.1 and 3.2); a conductivity asked for past either carries a PlausibilityWarning
with the same text that ``nitrolyte sigma`` prints.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

import nitrolyte
from nitrolyte.cli import app
from nitrolyte.errors import NitrolyteWarning, PlausibilityWarning
from nitrolyte.plausibility import record_warnings


def test_conductivity_past_the_melting_point_warns(db: object) -> None:
    with pytest.warns(PlausibilityWarning) as caught:
        sigma = nitrolyte.conductivity("beta-Li3N", [300.0, 1200.0], db=db)
    texts = [str(w.message) for w in caught if issubclass(w.category, NitrolyteWarning)]
    assert any("melting point at 814 °C" in t for t in texts)
    assert any("β-Li3N -> α-Li3N at 200 °C" in t for t in texts)
    assert texts == record_warnings(nitrolyte.get("beta-Li3N", db=db), [300.0, 1200.0])
    assert caught[0].filename == __file__  # points at the caller, not at nitrolyte
    # the value is still returned (a warning, not an error): 2.307e-4 S/cm at 300 K
    assert np.asarray(sigma)[0] == pytest.approx(2.307e-4, rel=1e-3)


def test_conductivity_inside_the_valid_range_is_silent(db: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", NitrolyteWarning)
        assert nitrolyte.conductivity("beta-Li3N", 298.15, db=db) == pytest.approx(2.085e-4,
                                                                                   rel=1e-3)
    # β-Li3N has one measured temperature (25 °C): anywhere else its Ea is assumed (issue 20)
    with pytest.warns(PlausibilityWarning, match=r"one measured temperature 298.15 K; "
                      r"Ea = 0.448 eV \(ref. 28, Table 1\) assumed"):
        nitrolyte.conductivity("beta-Li3N", [250.0, 350.0], db=db)  # below 200 °C = 473 K


def test_cli_prints_its_lines_and_raises_no_python_warning(db: object) -> None:
    url = f"sqlite:///{db.path}"  # type: ignore[attr-defined]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = CliRunner().invoke(app, ["sigma", "beta-Li3N", "--T", "1200K", "--db", url])
    assert done.exit_code == 0, done.output
    assert "past the melting point at 814 °C" in done.output
    assert not [w for w in caught if issubclass(w.category, PlausibilityWarning)]
