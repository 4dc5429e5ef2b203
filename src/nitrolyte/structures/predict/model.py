"""The one seam between structure prediction and an ML potential.

Prediction needs two things from a model: a single-point energy (to rank candidates) and a
relaxation at a chosen force criterion (coarse, then fine). :class:`Model` is that contract;
:func:`default_model` is CHGNet (through :class:`nitrolyte.structures.atomistic.relax.CHGNetPotential`),
:class:`PotentialModel` any registered potential, and :func:`committee_models` the committee's
other members (SevenNet), which re-relax a prediction for its second energy above hull. Tests pass
a cheap stand-in with the same members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pymatgen.core import Structure

#: force criterion (eV/Å) and step limit of the coarse relaxation of every candidate
COARSE = (0.2, 120)
#: force criterion (eV/Å) and step limit of the fine relaxation of the best candidates
FINE = (0.05, 400)


@runtime_checkable
class Model(Protocol):
    """What prediction needs from a potential (energies in eV per atom, forces in eV/Å)."""

    name: str
    version: str

    def energy(self, structure: Structure) -> float:
        """Single-point potential energy (eV/atom)."""
        ...

    def relax(self, structure: Structure, *, fmax: float, steps: int,
              relax_cell: bool = True) -> tuple[float, Structure, int]:
        """Relax to ``fmax`` (eV/Å) within ``steps``; return (eV/atom, relaxed structure, steps taken)."""
        ...


#: torch threads on the CPU: prediction's cells are small (<= a few dozen atoms), where one thread is
#: as fast as two, and on a loaded machine two threads spin: measured at load 12 on 2 cores, a
#: 28-atom CHGNet energy took 9.4 s wall (1.3 s CPU) with 2 threads and 0.52 s (0.045 s CPU) with 1
CPU_THREADS = 1


class CHGNetModel:
    """CHGNet (the offline pretrained model) on a device, relaxing through ``CHGNetPotential``."""

    name = "chgnet"

    def __init__(self, device: str = "cpu", threads: int | None = CPU_THREADS):
        from nitrolyte.structures.atomistic.potential import model_version, resolve_device

        self.device = resolve_device(device)
        self.version = model_version()
        self.threads = threads
        self._set_threads()

    def _set_threads(self) -> None:
        if self.device == "cpu" and self.threads:
            import torch

            torch.set_num_threads(int(self.threads))

    def __setstate__(self, state: dict[str, object]) -> None:  # a worker process: same thread count
        self.__dict__.update(state)
        self._set_threads()

    def energy(self, structure: Structure) -> float:
        """Single-point energy (eV/atom)."""
        import contextlib
        import io

        from nitrolyte.structures.atomistic.potential import load_chgnet

        with contextlib.redirect_stdout(io.StringIO()):
            pred = load_chgnet(self.device).predict_structure(structure, task="e")
        return float(pred["e"])

    def relax(self, structure: Structure, *, fmax: float, steps: int,
              relax_cell: bool = True) -> tuple[float, Structure, int]:
        """FIRE relaxation of positions (and cell) to ``fmax`` (eV/Å)."""
        from nitrolyte.structures.atomistic.relax import CHGNetPotential

        return CHGNetPotential(self.device, fmax=fmax, steps=steps).relax(structure, relax_cell=relax_cell)


class PotentialModel:
    """Any registered potential (:data:`nitrolyte.potentials.POTENTIALS`) behind the :class:`Model` seam:
    single points through its ASE calculator, relaxations through :meth:`Potential.relax`."""

    def __init__(self, name: str, device: str = "cpu", threads: int | None = CPU_THREADS):
        from nitrolyte.potentials import get_potential, resolve_device

        self.potential = get_potential(name)
        self.name = self.potential.name
        self.version = self.potential.version
        self.device = resolve_device(device)
        if self.device == "cpu" and threads:
            import torch

            torch.set_num_threads(int(threads))

    def energy(self, structure: Structure) -> float:
        """Single-point energy (eV/atom)."""
        from pymatgen.io.ase import AseAtomsAdaptor

        atoms = AseAtomsAdaptor.get_atoms(structure)
        atoms.calc = self.potential.calculator(self.device)
        return float(atoms.get_potential_energy()) / len(atoms)

    def relax(self, structure: Structure, *, fmax: float, steps: int,
              relax_cell: bool = True) -> tuple[float, Structure, int]:
        """FIRE relaxation of positions (and cell) to ``fmax`` (eV/Å)."""
        return self.potential.relax(structure, relax_cell=relax_cell, device=self.device, fmax=fmax, steps=steps)


def default_model(device: str = "cpu") -> Model:
    """The default potential (CHGNet on the CPU)."""
    return CHGNetModel(device)


def committee_models(device: str = "cpu") -> list[Model]:
    """The other committee models (:func:`nitrolyte.potentials.committee` minus the default), each
    behind the :class:`Model` seam: they re-relax a prediction's best structure for its second
    energy above hull."""
    from nitrolyte.potentials import committee

    return [PotentialModel(p.name, device) for p in committee()[1:]]
