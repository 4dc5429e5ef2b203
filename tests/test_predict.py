"""Structure prediction (issue 22): prototypes, ordered approximants, search, store, hull, CLI.

The plumbing runs on :class:`predict_toy.EwaldToy` (formal-charge Ewald energy, no torch); the
slow tests at the end use the real CHGNet on tiny cells.
"""

from __future__ import annotations

import json

import pytest

from nitrolyte.errors import InputError
from predict_toy import EwaldToy


def test_li9n2cl3_antifluorite_occupancies_are_the_reviews() -> None:
    """Review Sec. 3.1 (Hartwig et al.): Li sites 90 % occupied, anion lattice full with 40 % N, 60 % Cl."""
    from pymatgen.core import Composition

    from nitrolyte.structures.predict.prototypes import TYPES, occupancies

    occ = occupancies(TYPES["antifluorite"], Composition("Li9N2Cl3"))
    assert occ["cation"] == pytest.approx({"Li": 0.9})
    assert occ["anion"] == pytest.approx({"N": 0.4, "Cl": 0.6})


def test_prototype_refuses_a_formula_that_overfills_the_type() -> None:
    from nitrolyte.structures.predict.prototypes import disordered_prototype

    with pytest.raises(InputError, match=r"1\.125 atoms on each cation site of antifluorite"):
        disordered_prototype("Li8SiN4", "antifluorite")
    with pytest.raises(InputError, match="type must be one of"):
        disordered_prototype("Li2S", "perovskite")
    with pytest.raises(InputError, match="not charge balanced"):
        disordered_prototype("Li3S", "antifluorite")


def test_layered_nmc811_has_alkali_and_transition_metal_layers() -> None:
    from nitrolyte.structures.predict.prototypes import disordered_prototype

    prim = disordered_prototype("LiNi0.8Mn0.1Co0.1O2", "layered")
    occ = sorted(tuple(sorted((str(k), round(v, 3)) for k, v in s.species.items())) for s in prim)
    assert (("Co", 0.1), ("Mn", 0.1), ("Ni", 0.8)) in occ and (("Li", 1.0),) in occ


def test_distinct_supercells_of_fcc_match_hart_forcade() -> None:
    """Symmetrically distinct superlattices of the fcc lattice, index 1-6: 1, 2, 3, 7, 5, 10
    (Hart & Forcade, Phys. Rev. B 77, 224115 (2008), Table IV)."""
    from nitrolyte.structures.predict.approximants import distinct_supercells
    from nitrolyte.structures.predict.prototypes import disordered_prototype

    prim = disordered_prototype("Li2S", "antifluorite")
    assert [len(distinct_supercells(prim, n)) for n in range(1, 7)] == [1, 2, 3, 7, 5, 10]


def test_li9n2cl3_orderings_enumerated_exhaustively_at_14_atoms() -> None:
    """14 atoms = 5 anion sites (2 N, 3 Cl) and 10 Li sites (9 Li): C(5,2) C(10,1) = 100 arrangements
    in each of the 5 distinct index-5 supercells."""
    from nitrolyte.structures.predict.approximants import enumerate_orderings
    from nitrolyte.structures.predict.prototypes import disordered_prototype, formal_charges

    found = enumerate_orderings(disordered_prototype("Li9N2Cl3", "antifluorite"), formal_charges(),
                                max_atoms=14, keep=8)
    assert (found.n_supercells, found.n_scored, found.exhaustive) == (5, 500, True)
    energies = [o.ewald_eV_atom for o in found.candidates]
    assert energies == sorted(energies)
    assert all(o.structure.composition.reduced_formula == "Li9N2Cl3" and len(o.structure) == 14
               for o in found.candidates)
    keys = {(o.ewald_eV_atom, o.fingerprint) for o in found.candidates}
    assert len(keys) == len(found.candidates)  # no symmetry-equivalent duplicates


def test_predict_type_with_a_toy_model_returns_the_formula() -> None:
    from nitrolyte.structures.predict import METHODS, predict

    result = predict("Li9N2Cl3", "type", model=EwaldToy(), type_name="anti-fluorite", max_atoms=14,
                     n_candidates=4, n_relax=2)
    assert {"type", "search"} <= set(METHODS)
    d = result.to_dict()
    assert (d["formula"], d["method"], d["n_atoms"], d["ensemble_size"]) == ("Li9N2Cl3", "type antifluorite", 14, 4)
    assert d["trials"] == 500 and d["model"] == "ewald-toy-1"
    with pytest.raises(InputError, match="method must be one of"):
        predict("Li2S", "guess", model=EwaldToy())
    with pytest.raises(InputError, match="max_atoms"):
        predict("Li9N2Cl3", "type", model=EwaldToy(), type_name="antifluorite", max_atoms=13)


def test_search_caches_every_trial_and_resumes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pyxtal")
    from nitrolyte.structures.predict import predict

    first = predict("LiCl", "search", model=EwaldToy(), n_trials=4, max_atoms=8, folder=str(tmp_path))
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 4 + first.details["fine_relaxed"]
    again = predict("LiCl", "search", model=EwaldToy(), n_trials=4, max_atoms=8, folder=str(tmp_path))
    assert again.details["cached_trials"] == 4
    assert again.energy_eV_atom == pytest.approx(first.energy_eV_atom)
    assert again.structure.composition.reduced_formula == "LiCl"
    assert 1 <= again.ensemble_size <= 4


def test_merge_counts_duplicates() -> None:
    from pymatgen.core import Lattice, Structure

    from nitrolyte.structures.predict.search import merge

    rs = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.1), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    cscl = Structure(Lattice.cubic(3.2), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    out = merge([(-1.0, 0, rs), (-0.99, 1, rs.get_primitive_structure()), (-0.5, 2, cscl)])
    assert [(e, t, n) for e, t, _, n in out] == [(-1.0, 0, 2), (-0.5, 2, 1)]


def _packaged():  # type: ignore[no-untyped-def]
    from nitrolyte.structures.atomistic.relax import packaged_table

    table = packaged_table()
    if table.empty:
        pytest.skip("no packaged ML energy table")
    # one model's rows (the table holds every committee model's): the default model's, listed first
    return table[table["model_version"] == table["model_version"].iloc[0]]


def _prediction(formula: str, energy: float):  # type: ignore[no-untyped-def]
    from nitrolyte.structures.library import library_structure
    from nitrolyte.structures.predict import Prediction

    return Prediction(formula, "type antifluorite", "test", library_structure(formula), energy, 1, 1)


def test_hull_of_a_prediction_equal_to_the_known_phase_is_zero() -> None:
    """A prediction with exactly the known Li2S energy lies on the hull (0 meV/atom); 50 meV/atom higher
    it sits 50 meV/atom above and decomposes to the known Li2S; hidden (--exclude-known) it is below
    the Li + S tie line by the known phase's formation energy."""
    from nitrolyte.stability.predicted import hull
    from nitrolyte.structures.predict.outcome import known_match

    table = _packaged()
    e_known = float(table.loc[table["name"] == "Li2S", "energy_per_atom_eV"].iloc[0])
    same = hull(_prediction("Li2S", e_known), table)
    assert same["e_above_hull_meV_atom"] == pytest.approx(0.0, abs=0.05)
    above = hull(_prediction("Li2S", e_known + 0.050), table)
    assert above["e_vs_competing_meV_atom"] == pytest.approx(50.0, abs=0.1)
    assert above["decomposes_to"] == ["Li2S"]
    blind = hull(_prediction("Li2S", e_known), table, exclude_known=True)
    assert blind["hidden_known"] == ["Li2S"] and blind["e_vs_competing_meV_atom"] < -500
    match = known_match(_prediction("Li2S", e_known + 0.002), table)
    assert match["known_match"] == "Li2S" and match["dE_vs_known_meV_atom"] == pytest.approx(2.0, abs=0.05)


def test_predicted_structure_is_stored_and_labelled(db) -> None:  # type: ignore[no-untyped-def]
    from nitrolyte.structures.library import library_entries, user_entries
    from nitrolyte.structures.predict.outcome import store

    pred = _prediction("Li2S", -4.0)
    name = store(pred, db=db)
    entry = next(e for e in user_entries(db) if e.name == name)
    assert name == "Li2S (predicted)" and entry.kind == "predicted" and entry.role == "predicted structure"
    assert entry.source == f"predicted (type antifluorite, test, 1 trials, {pred.date})"
    assert entry.spec["predicted"] == {"method": "type antifluorite", "model": "test", "trials": 1,
                                       "date": pred.date}
    # stored in the user's database, not in the shipped library (which ships its own predictions)
    assert name not in {e.name for e in library_entries()}
    with pytest.raises(InputError, match="shipped library entry"):
        store(pred, db=db, name="Li2S")


def test_cli_predict_type_json_and_listing(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    import nitrolyte.structures.predict.model as model_mod
    import nitrolyte.structures.predict.outcome as outcome
    from nitrolyte.cli import app

    table = _packaged()
    monkeypatch.setattr(model_mod, "default_model", lambda device="cpu": EwaldToy())
    monkeypatch.setattr(model_mod, "committee_models", lambda device="cpu": [])  # the toy alone
    monkeypatch.setattr(outcome, "library_table", lambda model, db=None, compute=True: table)
    dbfile = tmp_path / "p.sqlite"  # the default database of this test: other tests never see the entry
    monkeypatch.setenv("NITROLYTE_DATABASE_URL", f"sqlite:///{dbfile}")
    cif = tmp_path / "out.cif"
    runner = CliRunner()
    res = runner.invoke(app, ["structure", "predict", "Li9N2Cl3", "--type", "antifluorite", "--max-atoms", "14",
                              "--json", "--no-progress", "--cif-out", str(cif)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert (d["formula"], d["method"], d["n_atoms"], d["label"]) == ("Li9N2Cl3", "type antifluorite", 14, "predicted")
    assert d["stored_as"] == "Li9N2Cl3 (predicted)" and d["cif_path"] == str(cif) and cif.is_file()
    assert {"space_group", "e_above_hull_meV_atom", "ensemble_size", "decomposes_to"} <= set(d)
    listing = runner.invoke(app, ["structure"])
    assert "Li9N2Cl3 (predicted)" in listing.output and "predicted (type antifluorite, ewald-toy-1" in listing.output
    shown = runner.invoke(app, ["structure", "Li9N2Cl3 (predicted)"])
    assert "structure: predicted (type antifluorite" in shown.output


def test_cli_predict_input_errors() -> None:
    from typer.testing import CliRunner

    from nitrolyte.cli import app

    runner = CliRunner()
    both = runner.invoke(app, ["structure", "predict", "Li2S", "--type", "antifluorite", "--search", "3"])
    assert both.exit_code == 2 and "exactly one of --type NAME, --from TEMPLATE or --search N" in both.output
    bad = runner.invoke(app, ["structure", "predict", "Li2Xx", "--type", "antifluorite"])
    assert bad.exit_code == 2 and bad.output.startswith("error:")
    hint = runner.invoke(app, ["structure", "Li12P3N9"])
    assert "nitrolyte structure predict Li12P3N9 --type" in hint.output and len(hint.output.splitlines()) == 1


def test_energy_of_a_predicted_phase_is_labelled_predicted() -> None:
    """The ml source names a predicted structure wherever its energy is used (window's energy basis)."""
    import pandas as pd

    from nitrolyte.stability.ml import MLSource

    table = _packaged()
    li3n = table[table["name"] == "α-Li3N"].iloc[0]
    row = {**li3n.to_dict(), "name": "Li3N (predicted)", "kind": "predicted",
           "source": "predicted (type li3n, test, 1 trials, 2026-12-07)"}
    source = MLSource(energies=pd.concat([table, pd.DataFrame([row])], ignore_index=True))
    labels = {e.attribute["structure"]: e.attribute["source"] for e in source.entries(frozenset({"Li", "N"}))
              if isinstance(e.attribute, dict) and "structure" in e.attribute}
    assert labels["Li3N (predicted)"] == ("CHGNet, anchored scheme; structure predicted "
                                          "(type li3n, test, 1 trials, 2026-12-07)")
    assert labels["α-Li3N"] == "CHGNet, anchored scheme"


@pytest.mark.slow
def test_search_in_two_worker_processes_matches_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pyxtal")
    from nitrolyte.structures.predict import predict

    one = predict("LiCl", "search", model=EwaldToy(), n_trials=3, max_atoms=8, folder=None)
    two = predict("LiCl", "search", model=EwaldToy(), n_trials=3, max_atoms=8, folder=str(tmp_path), workers=2)
    assert two.energy_eV_atom == pytest.approx(one.energy_eV_atom)
    assert len(list(tmp_path.glob("*.json"))) >= 3


@pytest.mark.slow
@pytest.mark.parametrize(("formula", "type_name"), [("Li2S", "antifluorite"), ("LiCl", "rocksalt")])
def test_real_chgnet_type_recovers_the_library_structure(formula: str, type_name: str) -> None:
    """With CHGNet, the ordered prototype relaxes onto the library's structure: StructureMatcher
    matches it and its energy equals the packaged relaxed energy within 2 meV/atom."""
    pytest.importorskip("chgnet")
    from nitrolyte.structures.predict import predict
    from nitrolyte.structures.predict.outcome import known_match

    pred = predict(formula, "type", type_name=type_name)
    match = known_match(pred, _packaged())
    assert match["known_match"] == formula
    assert abs(match["dE_vs_known_meV_atom"]) < 2.0


@pytest.mark.slow
def test_real_chgnet_search_of_a_tiny_cell(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("chgnet")
    pytest.importorskip("pyxtal")
    from nitrolyte.structures.predict import predict

    pred = predict("LiCl", "search", n_trials=2, max_atoms=2, n_fine=1, folder=str(tmp_path))
    assert pred.structure.composition.reduced_formula == "LiCl" and len(pred.structure) == 2
    assert pred.model.startswith("chgnet-") and pred.energy_eV_atom < -2.0


def test_search_without_pyxtal_says_which_extra(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    from nitrolyte.errors import MissingDataError
    from nitrolyte.structures.predict import predict

    monkeypatch.setitem(sys.modules, "pyxtal", None)
    with pytest.raises(MissingDataError, match=r"pip install 'nitrolyte\[predict\]'"):
        predict("LiCl", "search", model=EwaldToy(), n_trials=1)
