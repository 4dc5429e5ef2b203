"""Interface reactions, the SSE stack check, reported windows and voltage profiles."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nitrolyte.errors import InputError, MissingDataError
from nitrolyte.stability import (
    MPSource,
    check_stack,
    interface_reaction,
    plateaus,
    reported_window,
    reported_windows,
    voltage_profile,
)

FIG17A = ["Li3N", "Li9N2Cl3", "LiPON", "Li2S", "Li6PS5Cl", "Li3PS4", "LGPS", "LiCl", "Li3YCl6",
          "Li3InCl6", "Li3ErCl6", "Li3ScCl6", "LiBr", "Li3YBr6", "Li3HoBr6"]


def test_li3n_iodine_reaction_energy_by_hand():
    # 3 I + Li3N -> 3 LiI + 1/2 N2 per 7 atoms: (3 dGf(LiI) - dGf(Li3N)) / 7 atoms
    r = interface_reaction("Li3N", "I")
    expected = (3 * -270.29 - -128.64) / 96.48533212 / 7
    assert r.reactive and r.min_energy_eV_atom == pytest.approx(expected, rel=1e-6)
    assert r.products == ("LiI", "N2")
    assert r.x_min == pytest.approx(4 / 7, rel=1e-9)
    frame = r.to_frame()
    assert list(frame["x"]) == pytest.approx([0.0, 4 / 7, 1.0])


def test_interfaces_the_review_discusses_offline():
    assert interface_reaction("Li", "beta-Li3N").reactive is False
    for other in ("Li3InCl6", "LGPS"):
        r = interface_reaction("beta-Li3N", other, "embedded")
        assert not r.computable and r.reactive is None and math.isnan(r.min_energy_eV_atom)
        assert "not computable" in r.notes[0]
    lipon = interface_reaction("LiPON", "Li", "embedded")
    assert not lipon.computable and "Li3P" in lipon.missing_phases
    assert lipon.to_dict()["min_energy_eV_atom"] is None


def test_stack_li3n_lgps_verdicts():
    r = check_stack("Li | beta-Li3N | LGPS | NMC811", "embedded")
    assert [i.status for i in r.interfaces] == ["stable", "unstable", "unstable"]
    assert not r.ok
    li3n, lgps = r.windows
    assert li3n.basis.startswith("computed") and lgps.basis.startswith("reported")
    assert (lgps.reduction_V, lgps.oxidation_V) == (1.71, 2.14)
    assert "no common window" in r.interfaces[1].verdict
    assert "3.75 V" in r.interfaces[2].verdict
    assert r.to_frame().shape[0] == 3


def test_stack_with_li3incl6_says_what_it_cannot_judge():
    r = check_stack(["Li", "beta-Li3N", "Li3InCl6", "NMC811"], "embedded", cathode_potential_V=4.3)
    assert [i.status for i in r.interfaces] == ["stable", "unknown", "unknown"]
    assert r.interfaces[2].potential_V == 4.3
    assert "no published value embedded" in r.interfaces[1].verdict
    assert r.to_dict()["windows"][1]["reduction_V"] is None


def test_default_source_decides_the_reviews_stack():
    # Li3N (experimental, 0-0.444 V) and Li3InCl6 (ML) have no common window; their chemical
    # reaction 0.5 Li3N + 0.5 Li3InCl6 -> 0.25 N2 + 0.5 In + 3 LiCl is computed with the energy
    # of each phase named
    r = interface_reaction("beta-Li3N", "Li3InCl6")
    assert r.computable and r.reactive and r.min_energy_eV_atom < -0.1
    assert set(r.products) == {"In", "LiCl", "N2"}
    assert r.energy_basis["Li3InCl6"].startswith("ML") and r.energy_basis["LiCl"].startswith("experimental")
    s = check_stack("Li | beta-Li3N | Li3InCl6 | NMC811")
    # InCl3 is missing: Li3InCl6's 5.81 V oxidation limit is an upper bound, so NMC811 is not decided
    assert [i.status for i in s.interfaces] == ["stable", "unstable", "unknown"]
    assert s.summary == "Unstable: beta-Li3N | Li3InCl6. Not decided: Li3InCl6 | NMC811."
    assert "Li3InCl6: ML (CHGNet, anchored scheme)" in s.windows[1].basis


def test_stack_all_computable():
    r = check_stack("Li | Li9N2Cl3 | LiCl | NMC811")
    # Li9N2Cl3 from its predicted approximant: stable against Li (complete window); with LiCl the
    # windows overlap but the predicted Li5NCl2 lies 5 meV/atom below their mixture (CHGNet), a
    # reaction found among the known phases, which stands; with the embedded table alone (a tie
    # line) nothing is decided
    assert not r.ok and [i.status for i in r.interfaces] == ["stable", "unstable", "stable"]
    assert "overlap at 0.00-0.46 V" in r.interfaces[1].verdict and "Li5NCl2" in r.interfaces[1].verdict
    r = check_stack("Li | Li9N2Cl3 | LiCl | NMC811", "embedded")
    assert [i.status for i in r.interfaces] == ["unknown", "unknown", "stable"]
    assert "overlap at 0.00-0.44 V" in r.interfaces[1].verdict


def test_lipon_stack_mentions_extended_windows():
    r = check_stack("Li | LiPON | NMC811")
    assert [i.status for i in r.interfaces] == ["unstable", "unstable"]
    assert "extended window 0-4.82 V (ref 154)" in r.interfaces[1].verdict


def test_stack_errors():
    with pytest.raises(InputError, match=r"at least two layers"):
        check_stack("Li")
    with pytest.raises(InputError, match=r"electrodes may only be the first or last layer"):
        check_stack("Li3N | Li | LiCl")
    with pytest.raises(InputError, match=r"at least one SSE layer"):
        check_stack("Li | NMC811")
    with pytest.raises(InputError, match=r"cathode_potential_V must be between 0 and 10 V, got -1"):
        check_stack("Li | LiCl | NMC811", cathode_potential_V=-1)


def test_reported_windows_cover_the_review():
    frame = reported_windows()
    stated = frame[frame["stated_in_review"]]
    got = {(r.material, r.window): (r.reduction_V, r.oxidation_V) for r in stated.itertuples()}
    assert got[("vacancy-rich β-Li3N", "intrinsic")] == (0.0, 0.48)
    assert got[("vacancy-rich Li9N2Cl3", "intrinsic")] == (0.0, 0.50)
    assert got[("vacancy-rich Li9N2Cl3", "extended")] == (0.0, 1.68)
    assert got[("LiPON", "intrinsic")] == (0.69, 1.07)
    assert got[("LiPON", "extended")] == (0.0, 4.82)
    assert got[("LiPON", "experimental")] == (0.0, 5.5)
    assert frame["source"].str.len().min() > 5 and frame["ref"].str.len().min() >= 2
    for name in FIG17A:
        assert reported_window(name) is not None, name
    li3incl6 = reported_window("Li3InCl6")
    assert li3incl6 is not None and not li3incl6.has_value and "not stated" in li3incl6.note
    lgps = reported_window("LGPS")
    assert lgps is not None and not lgps.stated_in_review and "Li12GeP2S12" in lgps.note


def test_reported_filters_and_errors():
    assert set(reported_windows(family="halide")["family"]) == {"halide"}
    assert set(reported_windows(window="extended")["material"]) == {"vacancy-rich Li9N2Cl3", "LiPON"}
    with pytest.raises(InputError, match=r"window must be one of"):
        reported_windows(window="thermal")  # type: ignore[arg-type]
    assert reported_window("LiF") is None


def test_voltage_profiles_fig12cd():
    li3n = voltage_profile("beta-Li3N")
    assert list(li3n["li_per_fu"]) == pytest.approx([0.0, -3.0])
    assert li3n["V_high"].iloc[-1] == math.inf
    lncl = voltage_profile("Li9N2Cl3", "embedded")  # Fig. 12D on the experimental Li3N + LiCl tie line
    assert list(lncl["phases"]) == ["Li3N + LiCl", "LiCl + N2", "Cl2 + N2"]
    assert list(lncl["li_per_fu"]) == pytest.approx([0.0, -6.0, -9.0])
    steps = plateaus(lncl)
    assert list(steps["V"]) == pytest.approx([128.64 / 3 / 96.48533212, 384.37 / 96.48533212], rel=1e-6)
    with pytest.raises(MissingDataError, match=r"voltage_profile\('LiPON'\): not computable"):
        voltage_profile("LiPON")


def test_mp_source_interface(tmp_path: Path):
    import json

    from monty.json import MontyDecoder

    doc = json.loads((Path(__file__).parent / "data" / "mp_recorded_li_n_cl.json").read_text())
    entries = [MontyDecoder().process_decoded(d) for d in doc["entries"]]

    class Fake:
        def get_entries_in_chemsys(self, elements):
            return [e for e in entries if {str(x) for x in e.composition.elements} <= set(elements)]

    r = interface_reaction("Li", "Li9N2Cl3", MPSource(client=Fake()))
    assert r.computable and r.reactive is False and r.source == "mp"
