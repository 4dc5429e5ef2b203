"""The one contract and registry of interatomic potentials (name -> :class:`Potential`).

Relaxations (:mod:`nitrolyte.structures.atomistic.relax`), the ML energy sources
(:mod:`nitrolyte.stability.ml`), MD (:mod:`nitrolyte.simulate.md`) and NEB all ask this registry
for a model by name; cache keys and source names come from :attr:`Potential.version` and
:attr:`Potential.name`. Add one with :func:`register_potential`.

Nothing here imports torch: the model packages are imported by ``calculator()`` and ``relax()``
only, so the packaged energy tables serve without the ``ml`` extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.errors import InputError, ModelNotInstalledError

if TYPE_CHECKING:
    from pymatgen.core import Structure

Device = Literal["auto", "cpu", "cuda"]
_DEVICES = ("auto", "cpu", "cuda")
#: the model behind ``--source ml`` and every command's default ``--potential``
DEFAULT_POTENTIAL = "chgnet"
#: the one line printed when a new energy must be computed without the model installed
NEEDS_EXTRA = "computing new ML energies needs {package} and torch==2.13.0 (pip install 'nitrolyte[ml]')"


@dataclass(frozen=True)
class Potential:
    """A registered interatomic potential.

    Attributes
    ----------
    name : str
        Registry name (``"chgnet"``, ``"sevennet"``); the ``--potential`` value.
    label : str
        How results name it (``"CHGNet"``, ``"SevenNet (7net-l3i5)"``).
    description : str
        One line for ``--help`` and docs.
    package : str or None
        The distribution that provides the model (``"chgnet"``, ``"sevenn"``); None: nothing beyond ase.
    model : str
        The weights (``"0.3.0"``, ``"7net-l3i5"``).
    pinned : str or None
        The package version the packaged tables were computed with (pinned in the ``ml`` extra).
    make_calculator : callable
        ``(resolved device) -> ASE calculator`` (energies in eV, forces in eV/Å).
    relaxer : callable, optional
        ``(structure, device, fmax, steps, relax_cell) -> (eV/atom, relaxed structure, steps)``; the
        default is FIRE on ASE's ``FrechetCellFilter`` with ``make_calculator``.
    committee : bool
        Whether it is one of the models every ML result is computed with (False for toys).
    fixed_version : callable, optional
        ``() -> str``: the version string when it does not follow from package and model (toys).
    """

    name: str
    label: str
    description: str
    package: str | None
    model: str
    pinned: str | None
    make_calculator: Callable[[str], Any]
    relaxer: Callable[..., tuple[float, Structure, int]] | None = None
    committee: bool = True
    fixed_version: Callable[[], str] | None = None
    variants: dict[str, Callable[[str], Any]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def installed(self) -> bool:
        """Whether the model's package is installed (torch itself is checked on first use)."""
        return self.package is None or _installed_version(self.package) is not None

    @property
    def version(self) -> str:
        """``"<package>-<version>/model-<weights>"``: keys every cached result of this model.

        Without the package installed this is the pinned version, the one the packaged tables and
        any stored result of it were computed with (no other can have been).
        """
        if self.fixed_version is not None:
            return self.fixed_version()
        if self.package is None:
            return f"{self.name}/model-{self.model}"
        version = _installed_version(self.package) or self.pinned
        return f"{self.package}-{version}/model-{self.model}"

    def require(self) -> None:
        """Raise :class:`~nitrolyte.errors.ModelNotInstalledError` (one line) unless the model can be run here."""
        if not self.installed:
            raise ModelNotInstalledError(NEEDS_EXTRA.format(package=self.package))

    def calculator(self, device: str = "auto", purpose: str = "default") -> Any:
        """An ASE calculator on ``device``; ``purpose="md"`` takes a registered MD variant if any."""
        self.require()
        dev = resolve_device(device)
        make = self.variants.get(purpose, self.make_calculator)
        try:
            return make(dev)
        except ImportError:
            raise ModelNotInstalledError(NEEDS_EXTRA.format(package=self.package)) from None

    def relax(self, structure: Structure, *, relax_cell: bool = True, device: str = "cpu",
              fmax: float = 0.05, steps: int = 400) -> tuple[float, Structure, int]:
        """Relax positions (and the cell); returns (eV/atom, relaxed structure, optimiser steps)."""
        self.require()
        dev = resolve_device(device)
        try:
            if self.relaxer is not None:
                return self.relaxer(structure, dev, fmax, steps, relax_cell)
            return ase_relax(structure, self.make_calculator(dev), fmax=fmax, steps=steps,
                             relax_cell=relax_cell)
        except ImportError:
            raise ModelNotInstalledError(NEEDS_EXTRA.format(package=self.package)) from None


#: name -> potential
POTENTIALS: dict[str, Potential] = {}


def register_potential(potential: Potential) -> Potential:
    """Add ``potential`` to :data:`POTENTIALS` under its name (a second one of the name replaces it)."""
    POTENTIALS[potential.name] = potential
    return potential


def register_variant(name: str, purpose: str) -> Callable[[Callable[[str], Any]], Callable[[str], Any]]:
    """Decorator: ``factory(device)`` is ``name``'s calculator for ``purpose`` (e.g. ``"md"``)."""
    def deco(factory: Callable[[str], Any]) -> Callable[[str], Any]:
        get_potential(name).variants[purpose] = factory
        return factory
    return deco


def get_potential(name: str | Potential | None = None) -> Potential:
    """The registered potential ``name`` (the default when None; InputError naming the known ones)."""
    if isinstance(name, Potential):
        return name
    key = DEFAULT_POTENTIAL if name is None else name
    if key not in POTENTIALS:
        raise InputError(f"potential must be one of {', '.join(POTENTIALS)}; got {name!r}")
    return POTENTIALS[key]


def committee() -> tuple[Potential, ...]:
    """The models every ML result is computed with, the default first."""
    members = [p for p in POTENTIALS.values() if p.committee]
    return tuple(sorted(members, key=lambda p: p.name != DEFAULT_POTENTIAL))


def _installed_version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str = "auto") -> str:
    """The torch device to run on: ``"auto"`` is ``"cuda"`` when available, else ``"cpu"``.

    Raises
    ------
    InputError
        For any other value than auto/cpu/cuda, or ``"cuda"`` when no CUDA device is available.
    """
    if device not in _DEVICES:
        raise InputError(f"device must be one of {', '.join(_DEVICES)}; got {device!r}")
    if device == "auto":
        return "cuda" if _cuda_available() else "cpu"
    if device == "cuda" and not _cuda_available():
        raise InputError("device 'cuda' requested but torch.cuda.is_available() is False "
                         "(nitrolyte installs the CPU wheel of torch); use device='cpu' or 'auto'")
    return device


def ase_relax(structure: Structure, calculator: Any, *, fmax: float = 0.05, steps: int = 400,
              relax_cell: bool = True) -> tuple[float, Structure, int]:
    """FIRE relaxation of positions (and the cell, ``FrechetCellFilter``) with an ASE calculator.

    Returns (energy per atom in eV, relaxed pymatgen structure, optimiser steps taken).
    """
    import contextlib
    import io
    import warnings

    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.calc = calculator
    target = FrechetCellFilter(atoms) if relax_cell else atoms
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        opt = FIRE(target, logfile=None)
        opt.run(fmax=fmax, steps=steps)
        energy = float(atoms.get_potential_energy()) / len(atoms)
    final = AseAtomsAdaptor.get_structure(atoms)
    return energy, final, int(opt.nsteps) + 1
