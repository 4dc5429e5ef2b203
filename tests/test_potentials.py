"""The one potentials registry (issue 22, item 1) and the core install without PyTorch (item 6).

Registry: every model is one :class:`nitrolyte.potentials.Potential` (name, version, calculator,
relax), used by relaxations, the ML sources and MD; its version keys every cache. Without the
``ml`` extra the packaged tables still answer: a subprocess hides torch, chgnet and sevenn
(an import hook that raises ModuleNotFoundError, metadata "not installed") and runs ``window Li3N``, ``window Li2S``
and the report's stability and ML sections; only computing a new energy fails, in one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nitrolyte.errors import InputError, ModelNotInstalledError
from nitrolyte.potentials import DEFAULT_POTENTIAL, POTENTIALS, committee, get_potential
from nitrolyte.potentials import registry as reg

SRC = Path(__file__).resolve().parents[1] / "src"


def test_registry_holds_both_models_and_the_toy():
    import nitrolyte.simulate.potentials  # noqa: F401  (registers lj-toy and CHGNet's MD variant)

    assert {"chgnet", "sevennet", "lj-toy"} <= set(POTENTIALS)
    assert DEFAULT_POTENTIAL == "chgnet"
    assert [p.name for p in committee()] == ["chgnet", "sevennet"]  # the toy is never a member
    assert "md" in get_potential("chgnet").variants
    assert get_potential().name == "chgnet"
    with pytest.raises(InputError, match=r"potential must be one of .*chgnet.*; got 'nope'"):
        get_potential("nope")


def test_versions_key_caches_and_fall_back_to_the_pins(monkeypatch):
    """The version is package + weights; without the package it is the pinned version, which is
    what the packaged table was computed with (so its rows still match)."""
    from nitrolyte.structures.atomistic.relax import packaged_table

    assert get_potential("chgnet").version == "chgnet-0.4.2/model-0.3.0"
    monkeypatch.setattr(reg, "_installed_version", lambda package: None)
    assert get_potential("chgnet").version == "chgnet-0.4.2/model-0.3.0"
    assert get_potential("sevennet").version == "sevenn-0.13.0/model-7net-l3i5"
    assert not get_potential("sevennet").installed
    versions = set(packaged_table()["model_version"])
    assert {"chgnet-0.4.2/model-0.3.0", "sevenn-0.13.0/model-7net-l3i5"} <= versions


def test_computing_without_the_model_is_one_line(monkeypatch):
    from pymatgen.core import Lattice, Structure

    from nitrolyte.structures.atomistic import relax

    monkeypatch.setattr(reg, "_installed_version", lambda package: None)
    cell = Structure(Lattice.cubic(4.2), ["Li", "Br"], [[0, 0, 0], [0.5, 0.5, 0.5]])  # not in the table
    relax.clear_memory()
    for name in ("chgnet", "sevennet"):
        with pytest.raises(ModelNotInstalledError, match=r"^computing new ML energies needs .* \(pip install "
                                                          r"'nitrolyte\[ml\]'\)$"):
            relax.relaxed_energy(cell, name, db=False)
        with pytest.raises(ModelNotInstalledError):
            get_potential(name).calculator("cpu")


def test_relaxed_energy_takes_a_name_and_keeps_the_old_names():
    """``relaxed_energy(structure, potential=...)``: a registered name; CHGNetPotential still works."""
    from nitrolyte.structures.atomistic.library_energies import relaxation_input
    from nitrolyte.structures.atomistic.relax import CHGNetPotential, relaxed_energy

    struct = relaxation_input("LiCl")
    by_name = relaxed_energy(struct, "chgnet", db=False)  # packaged row: nothing relaxed
    assert by_name == relaxed_energy(struct, potential=CHGNetPotential("cpu"), db=False)
    assert by_name.model_version == "chgnet-0.4.2/model-0.3.0"
    assert relaxed_energy(struct, "sevennet", db=False).model_version.startswith("sevenn-")


_NO_TORCH = """
import sys
BLOCKED = ("torch", "chgnet", "sevenn", "e3nn", "torch_geometric")

class NotInstalled:  # import torch -> ModuleNotFoundError, as without the ml extra
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

# (not sys.modules[name] = None: scipy's array-API helpers read sys.modules["torch"] and fail on None)
sys.meta_path.insert(0, NotInstalled)
from nitrolyte.potentials import registry
registry._installed_version = lambda package: None   # and no package metadata either
{body}
"""


def _run_without_torch(body: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "NITROLYTE_RESULT_CACHE": "off",
           "NITROLYTE_CACHE_DIR": str(tmp_path / "cache"),
           "NITROLYTE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    code = _NO_TORCH.format(body=textwrap.dedent(body))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=600, check=False)


@pytest.mark.slow
def test_core_install_answers_without_torch(tmp_path):
    out = _run_without_torch("""
        import json
        from typer.testing import CliRunner
        from nitrolyte.cli import app
        docs = {}
        for formula in ("Li3N", "Li2S"):
            res = CliRunner().invoke(app, ["window", formula, "--json"])
            assert res.exit_code == 0, res.output
            docs[formula] = json.loads(res.output)
        res = CliRunner().invoke(app, ["window", "Li2S", "--source", "ml", "--json"])
        assert res.exit_code == 0, res.output
        docs["Li2S ml"] = json.loads(res.output)
        from nitrolyte.report.framework import ReportContext
        from nitrolyte.report import sec_ml, sec_stability
        import pathlib
        for sec in (sec_stability, sec_ml):
            sec.build(ReportContext(pathlib.Path({tmp!r}) / sec.__name__))
        assert not any(m.split(".")[0] in BLOCKED for m in sys.modules)
        print(json.dumps(docs))
    """.replace("{tmp!r}", repr(str(tmp_path))), tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    docs = json.loads(out.stdout.strip().splitlines()[-1])
    assert docs["Li3N"]["oxidation_V"] == pytest.approx(0.444, abs=5e-4)  # embedded table (auto source)
    ml = docs["Li2S ml"]
    assert ml["source"] == "ml" and ml["reduction_V"] == 0 and ml["oxidation_products"] == ["S"]
    assert "Li2S" in ml["energy_basis"] and "CHGNet" in ml["energy_basis"]["Li2S"]
    assert (tmp_path / "nitrolyte.report.sec_ml" / "data" / "ml_structure_library.csv").is_file()
