"""Structure prediction, issue 22 item 3: ``--from`` substitution, the committee's energy above hull,
``--search`` on Dask. Plumbing on :class:`predict_toy.EwaldToy` (no torch); the second model is a
stand-in carrying SevenNet's version, so its packaged library table is the one used.
"""

from __future__ import annotations

import json

import pytest

from nitrolyte.errors import InputError, MissingDataError
from predict_toy import EwaldToy


def _packaged(version: str | None = None):  # type: ignore[no-untyped-def]
    from nitrolyte.structures.atomistic.relax import packaged_table

    table = packaged_table()
    if table.empty:
        pytest.skip("no packaged ML energy table")
    version = version or table["model_version"].iloc[0]
    return table[table["model_version"] == version]


class PackagedSevenNet:
    """SevenNet's name and version; relaxing returns ``energy`` (eV/atom) unchanged structure. Its
    library table is SevenNet's packaged one (nothing relaxed)."""

    name = "sevennet"

    def __init__(self, energy: float | None = None):
        from nitrolyte.potentials import get_potential

        self.version = get_potential("sevennet").version
        self._energy = energy

    def energy(self, structure):  # type: ignore[no-untyped-def]
        raise AssertionError("not used")

    def relax(self, structure, *, fmax, steps, relax_cell=True):  # type: ignore[no-untyped-def]
        assert self._energy is not None, "the packaged energy should have been used"
        return self._energy, structure.copy(), 1


def _seven_energy(name: str) -> float:
    from nitrolyte.potentials import get_potential

    table = _packaged(get_potential("sevennet").version)
    if table.empty:
        pytest.skip("no packaged SevenNet table")
    return float(table.loc[table["name"] == name, "energy_per_atom_eV"].iloc[0])


def test_element_map_keeps_counts_and_charges() -> None:
    """Li3AlN2 -> Li3GaN2 maps Al onto Ga (Al3+ -> Ga3+ in pymatgen's lambda table); a template whose
    counts differ (LiCl for Li3N) or whose charges cannot match has no map."""
    from pymatgen.core import Composition

    from nitrolyte.structures.predict.substitute import best_mapping

    mapping, p = best_mapping(Composition("Li3AlN2"), Composition("Li3GaN2"))
    assert mapping == {"Li": "Li", "Al": "Ga", "N": "N"} and p > 0
    assert best_mapping(Composition("LiCl"), Composition("Li3N")) is None
    assert best_mapping(Composition("Li2O"), Composition("Li2S"))[0] == {"Li": "Li", "O": "S"}
    # P3- is not in the probability table (its row sums to zero): a map with probability 0, not a crash
    assert best_mapping(Composition("Li3N"), Composition("Li3P")) == ({"Li": "Li", "N": "P"}, 0.0)


def test_auto_chooses_templates_by_substitution_probability() -> None:
    """For Li2S the SubstitutionPredictor's charge-balanced substitutions include O2- -> S2-, so the
    antifluorite Li2O is a template; rocksalt LiCl is not (no substitution ends in Li2S)."""
    from pymatgen.core import Composition

    from nitrolyte.structures.library import library_structure
    from nitrolyte.structures.predict.substitute import auto_templates

    pool = {"Li2O": library_structure("Li2O"), "LiCl": library_structure("LiCl")}
    chosen = auto_templates(Composition("Li2S"), pool)
    assert [t.name for t in chosen] == ["Li2O"]
    assert chosen[0].mapping == {"Li": "Li", "O": "S"} and 1e-3 < chosen[0].probability < 1


def test_substitution_of_li2o_recovers_antifluorite_li2s(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Li2S substituted into Li2O is the antifluorite: StructureMatcher matches the library's Li2S;
    the cell is scaled by the cubed ionic radii; the second run reads both relaxations from the cache."""
    from nitrolyte.structures.library import library_structure
    from nitrolyte.structures.predict import predict
    from nitrolyte.structures.predict.outcome import known_match

    pred = predict("Li2S", "substitute", model=EwaldToy(), templates=["Li2O"], folder=str(tmp_path))
    assert (pred.formula, pred.method, pred.trials) == ("Li2S", "substitution Li2O", 1)
    assert pred.details["templates"][0]["map"] == {"Li": "Li", "O": "S"}
    assert known_match(pred, _packaged())["known_match"] == "Li2S"
    li2o = library_structure("Li2O")
    assert pred.structure.volume / len(pred.structure) > 1.2 * li2o.volume / len(li2o)  # S2- is larger
    again = predict("Li2S", "substitute", model=EwaldToy(), templates=["Li2O"], folder=str(tmp_path))
    assert again.details["cached_relaxations"] == 2 and again.energy_eV_atom == pytest.approx(pred.energy_eV_atom)


def test_auto_hides_the_formulas_own_structures(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import nitrolyte.structures.predict.substitute as sub
    from nitrolyte.structures.library import library_structure
    from nitrolyte.structures.predict import predict

    pool = {"Li2O": library_structure("Li2O"), "Li2S": library_structure("Li2S")}
    monkeypatch.setattr(sub, "known_structures", lambda db=None, skip_formula=None: {
        k: v for k, v in pool.items() if v.composition.reduced_formula != skip_formula})
    seen = predict("Li2S", "substitute", model=EwaldToy(), templates=["auto"], folder=str(tmp_path))
    assert seen.details["templates_chosen"] == "auto" and "Li2S" in [t["name"] for t in seen.details["templates"]]
    blind = predict("Li2S", "substitute", model=EwaldToy(), templates=["auto"], exclude_known=True,
                    folder=str(tmp_path))
    assert [t["name"] for t in blind.details["templates"]] == ["Li2O"]
    monkeypatch.setattr(sub, "known_structures", lambda db=None, skip_formula=None: {})
    with pytest.raises(MissingDataError, match="no known structure is a charge-balanced substitution of Li2S"):
        predict("Li2S", "substitute", model=EwaldToy(), templates=["auto"], folder=None)


def test_substitution_input_errors() -> None:
    from nitrolyte.structures.predict import predict

    with pytest.raises(InputError, match="LiCl has no element map onto Li3N"):
        predict("Li3N", "substitute", model=EwaldToy(), templates=["LiCl"], folder=None)
    with pytest.raises(InputError, match="neither a library entry nor a CIF"):
        predict("Li3N", "substitute", model=EwaldToy(), templates=["Unobtainium"], folder=None)


def test_external_cif_is_a_template(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A CIF in the external folder is a template by its file stem."""
    from nitrolyte.structures.library import library_structure
    from nitrolyte.structures.predict import predict

    library_structure("Li2O").to(filename=str(tmp_path / "Li2O_test.cif"))
    monkeypatch.setenv("NITROLYTE_EXTERNAL_STRUCTURES", str(tmp_path))
    pred = predict("Li2S", "substitute", model=EwaldToy(), templates=["Li2O_test"], folder=None)
    assert pred.method == "substitution Li2O_test" and pred.formula == "Li2S"


def test_committee_hull_of_the_known_structure_is_zero_for_both_models() -> None:
    """A prediction that is the library's Li2S at its packaged energy lies on the hull for CHGNet and
    for SevenNet (whose energy is read from its own packaged table by structure hash: 0 meV/atom
    above, 0 from the known); hidden (--exclude-known) both put it far below Li + S."""
    from nitrolyte.stability.predicted import committee_hull, hull
    from nitrolyte.structures.atomistic.library_energies import relaxation_input
    from nitrolyte.structures.predict import Prediction
    from nitrolyte.structures.predict.outcome import known_match

    table = _packaged()
    e_known = float(table.loc[table["name"] == "Li2S", "energy_per_atom_eV"].iloc[0])
    pred = Prediction("Li2S", "type antifluorite", str(table["model_version"].iloc[0]),
                      relaxation_input("Li2S"), e_known, 1, 1)
    seven = PackagedSevenNet()
    for blind in (False, True):
        first = {**hull(pred, table, exclude_known=blind), **known_match(pred, table)}
        out = committee_hull(pred, first, db=False, exclude_known=blind, models=[seven])
        assert set(out["e_above_hull_by_model"]) == {pred.model, seven.version}
        if not blind:
            assert out["e_above_hull_by_model"][seven.version] == pytest.approx(0.0, abs=0.05)
            assert out["dE_vs_known_by_model"][seven.version] == pytest.approx(0.0, abs=0.05)
        else:
            assert all(v < -500 for v in out["e_vs_competing_by_model"].values())
            assert out["e_above_hull_spread_meV_atom"] >= 0
        assert out["second_model"].startswith("re-relaxed")


def test_cli_predict_from_json_has_both_models(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``structure predict Li2S --from Li2O --json``: substitution method and template, and the energy
    above hull from both models; the second model 5 meV/atom above its own Li2S is 5 meV/atom above
    its hull (decomposes to Li2S), so the spread is |5 - CHGNet's|."""
    from typer.testing import CliRunner

    import nitrolyte.structures.predict.model as model_mod
    import nitrolyte.structures.predict.outcome as outcome
    from nitrolyte.cli import app

    table = _packaged()
    seven = PackagedSevenNet(_seven_energy("Li2S") + 0.005)
    real_table = outcome.library_table
    monkeypatch.setattr(model_mod, "default_model", lambda device="cpu": EwaldToy())
    monkeypatch.setattr(model_mod, "committee_models", lambda device="cpu": [seven])
    monkeypatch.setattr(outcome, "library_table", lambda model, db=None, compute=True:
                        table if model.version == "ewald-toy-1" else real_table(model, db=db, compute=False))
    monkeypatch.setenv("NITROLYTE_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    res = CliRunner().invoke(app, ["structure", "predict", "Li2S", "--from", "Li2O", "--json", "--no-store",
                                   "--cif-out", str(tmp_path / "x.cif")])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert (d["method"], d["template"], d["label"]) == ("substitution Li2O", "Li2O", "predicted")
    by_model = d["e_above_hull_by_model"]
    assert set(by_model) == {"ewald-toy-1", seven.version}
    assert by_model[seven.version] == pytest.approx(5.0, abs=0.1)
    assert d["e_above_hull_spread_meV_atom"] == pytest.approx(
        abs(d["e_vs_competing_by_model"][seven.version] - d["e_vs_competing_by_model"]["ewald-toy-1"]), abs=0.1)
    assert {"formula", "space_group", "n_atoms", "trials", "ensemble_size", "cif_path", "second_model"} <= set(d)
    text = CliRunner().invoke(app, ["structure", "predict", "Li2S", "--from", "Li2O", "--no-store", "--no-progress",
                                    "--cif-out", str(tmp_path / "x.cif")])
    assert "other models (re-relaxed" in text.output and f"{seven.version}: +5.0" in text.output


def test_cli_predict_method_errors() -> None:
    from typer.testing import CliRunner

    from nitrolyte.cli import app

    runner = CliRunner()
    both = runner.invoke(app, ["structure", "predict", "Li2S", "--from", "Li2O", "--search", "3"])
    assert both.exit_code == 2 and "exactly one of --type NAME, --from TEMPLATE or --search N" in both.output
    sched = runner.invoke(app, ["structure", "predict", "Li2S", "--type", "antifluorite", "--scheduler", "tcp://x:1"])
    assert sched.exit_code == 2 and "--scheduler runs the trials of --search N" in sched.output


def test_search_on_a_dask_local_cluster_matches_serial() -> None:
    """The trials of a search run as Dask tasks (a LocalCluster of 1 worker, campaign's client)."""
    pytest.importorskip("pyxtal")
    pytest.importorskip("distributed")
    from nitrolyte.simulate.campaign import dask_client
    from nitrolyte.structures.predict import predict

    serial = predict("LiCl", "search", model=EwaldToy(), n_trials=3, max_atoms=8, folder=None)
    client = dask_client(None, 1)
    try:
        dask = predict("LiCl", "search", model=EwaldToy(), n_trials=3, max_atoms=8, folder=None, client=client)
    finally:
        client.close()
    assert dask.details["dask"] is True and dask.energy_eV_atom == pytest.approx(serial.energy_eV_atom)
    assert dask.ensemble_size == serial.ensemble_size


def test_cli_search_on_a_dask_scheduler(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``--search N --scheduler ADDRESS`` runs the trials on that scheduler (a LocalCluster here)."""
    pytest.importorskip("pyxtal")
    pytest.importorskip("distributed")
    from dask.distributed import LocalCluster
    from typer.testing import CliRunner

    import nitrolyte.structures.predict.model as model_mod
    import nitrolyte.structures.predict.outcome as outcome
    from nitrolyte.cli import app

    table = _packaged()
    monkeypatch.setattr(model_mod, "default_model", lambda device="cpu": EwaldToy())
    monkeypatch.setattr(model_mod, "committee_models", lambda device="cpu": [])
    monkeypatch.setattr(outcome, "library_table", lambda model, db=None, compute=True: table)
    monkeypatch.setenv("NITROLYTE_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        res = CliRunner().invoke(app, ["structure", "predict", "LiCl", "--search", "2", "--max-atoms", "8",
                                       "--scheduler", cluster.scheduler_address, "--json", "--no-store",
                                       "--no-progress", "--cif-out", str(tmp_path / "x.cif")])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["dask"] is True and d["method"] == "search" and d["formula"] == "LiCl"


@pytest.mark.slow
def test_real_models_substitution_recovers_li2s() -> None:
    """CHGNet predicts Li2S from the Li2O template and SevenNet re-relaxes it: both land on the
    library's Li2S within 2 meV/atom (each model against its own packaged energy)."""
    pytest.importorskip("chgnet")
    pytest.importorskip("sevenn")
    from nitrolyte.stability.predicted import committee_hull, hull
    from nitrolyte.structures.predict import predict
    from nitrolyte.structures.predict.model import committee_models
    from nitrolyte.structures.predict.outcome import known_match

    pred = predict("Li2S", "substitute", templates=["Li2O"], folder=None)
    table = _packaged()
    first = {**hull(pred, table), **known_match(pred, table)}
    assert first["known_match"] == "Li2S"
    out = committee_hull(pred, first, db=False, models=committee_models())
    assert len(out["dE_vs_known_by_model"]) == 2
    assert all(abs(v) < 2.0 for v in out["dE_vs_known_by_model"].values())


def test_committee_member_that_cannot_run_is_named_not_guessed() -> None:
    from nitrolyte.errors import ModelNotInstalledError
    from nitrolyte.stability.predicted import committee_hull, hull
    from nitrolyte.structures.atomistic.library_energies import relaxation_input
    from nitrolyte.structures.predict import Prediction

    class Missing(PackagedSevenNet):
        version = "sevenn-missing/model-x"

        def __init__(self) -> None:
            pass

        def relax(self, structure, *, fmax, steps, relax_cell=True):  # type: ignore[no-untyped-def]
            raise ModelNotInstalledError("computing new ML energies needs sevenn")

    table = _packaged()
    pred = Prediction("Li2S", "type antifluorite", str(table["model_version"].iloc[0]), relaxation_input("Li2S"),
                      float(table.loc[table["name"] == "Li2S", "energy_per_atom_eV"].iloc[0]), 1, 1)
    out = committee_hull(pred, hull(pred, table), db=False, models=[Missing()])
    assert out["e_above_hull_by_model"]["sevenn-missing/model-x"] is None
    assert out["e_above_hull_spread_meV_atom"] is None and "needs sevenn" in out["committee_missing"][0]
