"""A CHGNet ASE calculator for MD that keeps half the memory of CHGNet's own.

``CHGNetCalculator`` takes forces with ``torch.autograd.grad(..., create_graph=True,
retain_graph=True)``: that builds and keeps the graph of the *second* derivative (needed for
training on forces, not for MD). Measured on CPU for a 144-atom beta-Li3N cell it doubles the peak
RSS (2.5 GB against 1.2 GB). :class:`LeanCHGNetCalculator` runs the same model on the same graph
and takes a plain first derivative; energies are identical and forces agree to ~1e-6 eV/Å.

What remains is CHGNet's forward activations kept for that one backward pass (~5 MB per atom for
dense nitrides: ~170 three-body angles per atom). Where that does not fit in the memory at hand,
the message passing runs in checkpointed blocks of angles and bonds
(:mod:`nitrolyte.simulate.chunked_chgnet`), so only the layers' features and one block's
activations are kept: the peak no longer grows by megabytes per atom, for 1.5-1.8x the time
per force. Where it fits (most cells below a few thousand atoms), the plain pass runs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ase.calculators.calculator import Calculator, all_changes

from nitrolyte.simulate.chunked_chgnet import DEFAULT_CHUNK_ROWS
from nitrolyte.simulate.chunked_chgnet import energy as chunked_energy

#: cells of at least this many atoms switch on :func:`release_freed_memory` (``low_memory=None``)
LOW_MEMORY_ATOMS = 1000
#: peak memory (bytes) of CHGNet's plain force pass per atom, dense nitrides (~170 angles per
#: atom: 5.5 MB measured at 2,048 atoms), with a margin
PLAIN_BYTES_PER_ATOM = 8e6
#: share of the available memory the plain pass may take before the checkpointed blocks are used
PLAIN_MEMORY_SHARE = 0.5


def available_memory_bytes() -> float:
    """Memory this process may still use (bytes): ``MemAvailable`` of /proc/meminfo, capped by a
    cgroup v2 ``memory.max``; infinity where neither can be read."""
    from pathlib import Path

    found = float("inf")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found = float(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if text != "max":
            used = float(Path("/sys/fs/cgroup/memory.current").read_text())
            found = min(found, float(text) - used)
    except (OSError, ValueError):
        pass
    return found


def plain_pass_fits(n_atoms: int, available_bytes: float | None = None) -> bool:
    """Whether CHGNet's plain force pass (all activations kept) fits in the memory at hand:
    ``n_atoms`` x :data:`PLAIN_BYTES_PER_ATOM` at most :data:`PLAIN_MEMORY_SHARE` of it."""
    free = available_memory_bytes() if available_bytes is None else available_bytes
    return n_atoms * PLAIN_BYTES_PER_ATOM <= PLAIN_MEMORY_SHARE * free
#: glibc ``mallopt`` parameter number of M_MMAP_THRESHOLD, and the threshold set (bytes)
_M_MMAP_THRESHOLD, _MMAP_BYTES = -3, 65536


def release_freed_memory() -> bool:
    """Have glibc return freed blocks of >= 64 KiB to the OS at once (process-wide).

    glibc raises its mmap threshold each time a large block is freed, after which same-sized
    tensors come from the heap, which then grows with fragments that are free but never handed
    back: with the chunked forward pass that was most of the peak RSS (1.1 GB instead of 0.7 GB
    at 512 atoms). Fixing the threshold (``mallopt(M_MMAP_THRESHOLD, 64 KiB)``, the same as the
    environment variable ``MALLOC_MMAP_THRESHOLD_=65536``) maps every large tensor afresh and
    unmaps it when freed: the RSS follows the live tensors, for about 2.5x the CPU time per
    force (the fresh pages are zeroed; 2.4-2.9x measured). Returns False where there is no glibc ``mallopt``
    (macOS, Windows, musl); nothing changes there.
    """
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_BYTES))


class LeanCHGNetCalculator(Calculator):
    """Energy (eV) and forces (eV/Å) from a loaded CHGNet model, first-order autograd only.

    Parameters
    ----------
    model : chgnet.model.CHGNet
        The loaded model (e.g. :func:`nitrolyte.structures.atomistic.potential.load_chgnet`).
    device : str
        Torch device the model lives on ("cpu" or "cuda").
    chunk_rows : int, None or "auto"
        Angles or bonds per checkpointed block of the message passing (a third of the memory
        at 512 atoms for 1.2-1.8x the CPU time per force: the forward pass is recomputed in the
        backward one); None runs CHGNet's own forward pass (all activations kept). "auto"
        (default): CHGNet's own pass wherever it fits (always on a GPU: 11.4 GB at 2,048 atoms
        on an H200; on the CPU when :func:`plain_pass_fits` the cell at its first evaluation),
        else the checkpointed blocks.
    low_memory : bool or None
        Call :func:`release_freed_memory` (process-wide, about 2.5x the CPU time per force)
        before the first evaluation on the CPU; None (default): when the cell has at least
        :data:`LOW_MEMORY_ATOMS` atoms.
    fast_graph : bool
        Build the crystal graph with :class:`~nitrolyte.simulate.fast_graph.FastGraphConverter`
        (identical tensors, ~13x sooner than CHGNet's converter); False uses CHGNet's.
    """

    implemented_properties: ClassVar[list[str]] = ["energy", "free_energy", "forces"]

    def __init__(self, model: Any, device: str = "cpu",
                 chunk_rows: int | str | None = "auto",
                 low_memory: bool | None = None, fast_graph: bool = True) -> None:
        super().__init__()
        self.fast_graph = fast_graph
        self._graph_converter: Any = None
        self.model = model
        self.device = device
        self._auto = chunk_rows == "auto"
        if chunk_rows == "auto":
            chunk_rows = None  # decided per cell at the first evaluation (CPU)
        elif chunk_rows is not None and not isinstance(chunk_rows, int):
            raise ValueError(f"chunk_rows must be a positive int, None or 'auto', not {chunk_rows!r}")
        self.chunk_rows = chunk_rows
        self.low_memory = low_memory
        self.released = False

    def decide(self, n_atoms: int, available_bytes: float | None = None) -> None:
        """``chunk_rows="auto"``: the plain pass, or (CPU, :func:`plain_pass_fits` false) the
        checkpointed blocks; decided once, for the first cell evaluated."""
        self._auto = False
        if self.device == "cpu" and not plain_pass_fits(n_atoms, available_bytes):
            self.chunk_rows = DEFAULT_CHUNK_ROWS

    def calculate(self, atoms: Any = None, properties: Any = ("energy", "forces"),
                  system_changes: Any = all_changes) -> None:
        """Evaluate energy and forces of ``atoms`` (ASE calculator protocol)."""
        import torch
        from chgnet.model.model import BatchedGraph
        from pymatgen.io.ase import AseAtomsAdaptor

        super().calculate(atoms, properties, system_changes)
        if self._auto:
            self.decide(len(self.atoms))
        if not self.released and self.device == "cpu" and (
                self.low_memory or (self.low_memory is None
                                    and len(self.atoms) >= LOW_MEMORY_ATOMS)):
            self.released = release_freed_memory()
        m = self.model
        m.eval()
        if self._graph_converter is None:
            from nitrolyte.simulate.fast_graph import FastGraphConverter

            self._graph_converter = (FastGraphConverter(m.graph_converter) if self.fast_graph
                                     else m.graph_converter)
        graph = self._graph_converter(AseAtomsAdaptor.get_structure(self.atoms)).to(self.device)
        composition = 0.0 if m.composition_model is None else m.composition_model([graph])
        batched = BatchedGraph.from_graphs(
            [graph], bond_basis_expansion=m.bond_basis_expansion,
            angle_basis_expansion=m.angle_basis_expansion, compute_stress=False)
        scale = float(len(self.atoms)) if m.is_intensive else 1.0
        if self.chunk_rows:
            total = chunked_energy(m, batched, self.chunk_rows)  # eV, extensive
        else:
            total = m._compute(batched, compute_force=False)["e"] * scale  # per atom if intensive
        (grad,) = torch.autograd.grad(total.sum(), batched.atom_positions[0])
        energy = float((total.detach() + composition * scale).sum())
        del batched, graph, total
        self.results = {"energy": energy, "free_energy": energy,
                        "forces": -grad.detach().cpu().numpy().astype(float)}
