"""A CHGNet ASE calculator for MD that keeps half the memory of CHGNet's own.

``CHGNetCalculator`` takes forces with ``torch.autograd.grad(..., create_graph=True,
retain_graph=True)``: that builds and keeps the graph of the *second* derivative (needed for
training on forces, not for MD). Measured on CPU for a 144-atom beta-Li3N cell it doubles the peak
RSS (2.5 GB against 1.2 GB). :class:`LeanCHGNetCalculator` runs the same model on the same graph
and takes a plain first derivative; energies are identical and forces agree to ~1e-6 eV/Å.

What remains is CHGNet's forward activations kept for that one backward pass (~5 MB per atom for
dense nitrides: ~170 three-body angles per atom), which no calculator wrapper can remove.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ase.calculators.calculator import Calculator, all_changes


class LeanCHGNetCalculator(Calculator):
    """Energy (eV) and forces (eV/Å) from a loaded CHGNet model, first-order autograd only.

    Parameters
    ----------
    model : chgnet.model.CHGNet
        The loaded model (e.g. :func:`nitrolyte.structures.atomistic.potential.load_chgnet`).
    device : str
        Torch device the model lives on ("cpu" or "cuda").
    """

    implemented_properties: ClassVar[list[str]] = ["energy", "free_energy", "forces"]

    def __init__(self, model: Any, device: str = "cpu") -> None:
        super().__init__()
        self.model = model
        self.device = device

    def calculate(self, atoms: Any = None, properties: Any = ("energy", "forces"),
                  system_changes: Any = all_changes) -> None:
        """Evaluate energy and forces of ``atoms`` (ASE calculator protocol)."""
        import torch
        from chgnet.model.model import BatchedGraph
        from pymatgen.io.ase import AseAtomsAdaptor

        super().calculate(atoms, properties, system_changes)
        m = self.model
        m.eval()
        graph = m.graph_converter(AseAtomsAdaptor.get_structure(self.atoms)).to(self.device)
        composition = 0.0 if m.composition_model is None else m.composition_model([graph])
        batched = BatchedGraph.from_graphs(
            [graph], bond_basis_expansion=m.bond_basis_expansion,
            angle_basis_expansion=m.angle_basis_expansion, compute_stress=False)
        e_model = m._compute(batched, compute_force=False)["e"]  # per atom when intensive
        scale = float(len(self.atoms)) if m.is_intensive else 1.0
        (grad,) = torch.autograd.grad((e_model * scale).sum(), batched.atom_positions[0])
        energy = float(((e_model.detach() + composition) * scale).sum())
        self.results = {"energy": energy, "free_energy": energy,
                        "forces": -grad.detach().cpu().numpy().astype(float)}
