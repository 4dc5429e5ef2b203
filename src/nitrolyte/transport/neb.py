"""Li migration barriers by nudged elastic band (NEB) with the ML potentials of the committee.

For every symmetry-distinct Li hop (:mod:`nitrolyte.transport.hops`) a vacancy hop is computed in
a supercell whose periodic images are at least :data:`MIN_IMAGE_A` apart: one Li is removed (the
vacancy), the start (vacancy at the hop's end site) and the end (the neighbouring Li moved into
it) are relaxed at fixed cell (ASE FIRE), and an ASE NEB with a climbing image, IDPP interpolation
and :data:`N_IMAGES` moving images runs to :data:`FMAX` eV/Å (at most :data:`NEB_STEPS` steps).
A band that does not converge is one error line; nothing is cached or stored.

The macroscopic barrier is the lowest saddle energy, above the lowest relaxed vacancy state, at
which the hops open a network that repeats in 1, 2 or 3 dimensions (:func:`hop_percolation`).
What the number is: the migration barrier of a vacancy hop, not a measured Ea (no vacancy
formation, grain boundaries or disorder). Results are cached in the store (namespace ``neb``)
by structure hash, model version and settings, one entry per model.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nitrolyte.errors import InputError, NitrolyteError

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from nitrolyte.store.database import Database, DatabaseLike
    from nitrolyte.transport.hops import Hop

METHOD = "NEB"
#: what ``Ea_eV`` of an NEB result is, printed beside every value
QUANTITY = ("NEB migration barrier of a Li vacancy hop (percolating hop network, ML potential) — "
            "not a measured Ea: no vacancy formation, grain boundaries or disorder")
NAMESPACE = "neb"
#: shortest distance (Å) between periodic images of the vacancy (sets the supercell)
MIN_IMAGE_A = 8.0
#: moving images of the band, force criterion (eV/Å), step limits of the band and the end points
N_IMAGES = 5
FMAX = 0.05
NEB_STEPS = 300
RELAX_STEPS = 200


@dataclass(frozen=True)
class NebSettings:
    """How the bands are computed (part of the cache key). Lengths in Å, forces in eV/Å."""

    n_images: int = N_IMAGES
    fmax: float = FMAX
    neb_steps: int = NEB_STEPS
    relax_steps: int = RELAX_STEPS
    min_image_A: float = MIN_IMAGE_A
    cutoff_A: float = 3.5
    mechanism: str = "vacancy"

    def check(self) -> NebSettings:
        """Itself, or an :class:`InputError` naming the field out of range."""
        for name, value, lo, hi in (("n_images", self.n_images, 1, 15), ("fmax", self.fmax, 0.005, 1.0),
                                    ("neb_steps", self.neb_steps, 1, 5000),
                                    ("relax_steps", self.relax_steps, 0, 5000),
                                    ("min_image_A", self.min_image_A, 2.0, 20.0),
                                    ("cutoff_A", self.cutoff_A, 1.0, 6.0)):
            if not (isinstance(value, int | float) and math.isfinite(value) and lo <= value <= hi):
                raise InputError(f"{name} must be between {lo} and {hi}; got {value!r}")
        if self.mechanism != "vacancy":
            raise InputError(f"mechanism must be 'vacancy'; got {self.mechanism!r}")
        return self


@dataclass(frozen=True)
class NebResult:
    """NEB barriers of the Li hops of one structure, per model of the committee.

    ``hops``: one dict per symmetry-distinct hop (:meth:`Hop.to_dict` plus energies); ``models``:
    per model its name, version, macroscopic barrier and percolation barriers. ``Ea_eV`` is the
    first model's (the default, or the one asked for); ``Ea_spread_eV`` max − min over the models.
    """

    formula: str
    supercell: list[int]
    image_distance_A: float
    n_atoms: int
    settings: NebSettings
    hops: list[dict[str, Any]]
    models: list[dict[str, Any]]
    cached: bool = field(default=False, compare=False)

    @property
    def Ea_eV(self) -> float | None:
        """Macroscopic barrier of the first model (eV); ``None`` when no hop network percolates."""
        return self.models[0]["Ea_eV"]

    @property
    def Ea_spread_eV(self) -> float | None:
        """Max − min of the models' barriers (eV); ``None`` with one model or a missing barrier."""
        vals = [m["Ea_eV"] for m in self.models]
        if len(vals) < 2 or any(v is None for v in vals):
            return None
        return round(max(vals) - min(vals), 4)

    @property
    def dimensionality(self) -> int:
        """Dimensions the hop network spans at :attr:`Ea_eV` (first model)."""
        return int(self.models[0]["dimensionality"])

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` payload (docs/transport.md)."""
        first = self.models[0]
        return {"Ea_eV": self.Ea_eV, "Ea_spread_eV": self.Ea_spread_eV, "method": METHOD,
                "quantity": QUANTITY, "formula": self.formula, "dimensionality": self.dimensionality,
                "barriers_eV": first["barriers_eV"], "axis_barriers_eV": first["axis_barriers_eV"],
                "mechanism": self.settings.mechanism, "hops": self.hops,
                "supercell": {"scaling": self.supercell, "n_atoms": self.n_atoms,
                              "image_distance_A": round(self.image_distance_A, 3),
                              "min_image_A": self.settings.min_image_A},
                "settings": asdict(self.settings), "models": self.models, "cached": self.cached}


# ------------------------------------------------------------------------------ supercell
def image_distance(lattice: np.ndarray) -> float:
    """Shortest nonzero lattice vector (Å) of a 3×3 lattice matrix (rows a, b, c)."""
    import itertools

    best = math.inf
    for n in itertools.product(range(-2, 3), repeat=3):
        if any(n):
            best = min(best, float(np.linalg.norm(np.asarray(n) @ lattice)))
    return best


def supercell_for(struct: Structure, min_image_A: float = MIN_IMAGE_A) -> list[int]:
    """Smallest diagonal scaling ``[na, nb, nc]`` whose periodic images are ≥ ``min_image_A`` apart
    (the axis with the shortest scaled length grows first)."""
    m = struct.lattice.matrix
    n = [max(1, math.ceil(min_image_A / float(np.linalg.norm(v))) - 1) for v in m]
    while image_distance(np.diag(n) @ m) < min_image_A:
        k = min(range(3), key=lambda i: n[i] * float(np.linalg.norm(m[i])))
        n[k] += 1
    return n


# ------------------------------------------------------------------------------ one band
def _quiet() -> Any:
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def _site_index(sc: Structure, frac: np.ndarray) -> int:
    """Index of the supercell site at fractional ``frac`` (of the supercell)."""
    d = sc.lattice.get_all_distances(np.asarray([frac]) % 1.0, sc.frac_coords)[0]
    return int(np.argmin(d))


def hop_endpoints(struct: Structure, hop: Hop, scaling: list[int]) -> tuple[Any, Any]:
    """(start, end) ASE Atoms of the vacancy hop: the Li at ``hop.site_j`` removed (vacancy), then
    the Li of ``hop.site_i`` moved into it. Same atom order in both; cell fixed."""
    from pymatgen.io.ase import AseAtomsAdaptor

    n = np.asarray(scaling, dtype=float)
    sc = struct * scaling
    fi = struct[hop.site_i].frac_coords
    fj = struct[hop.site_j].frac_coords + np.asarray(hop.image)
    i_sc, j_sc = _site_index(sc, fi / n), _site_index(sc, fj / n)
    start = AseAtomsAdaptor.get_atoms(sc)
    del start[j_sc]
    end = start.copy()
    k = i_sc - (1 if i_sc > j_sc else 0)
    end.positions[k] = start.positions[k] + struct.lattice.get_cartesian_coords(fj - fi)
    return start, end


def _relax(atoms: Any, calc: Any, fmax: float, steps: int) -> float:
    """Relax positions at fixed cell (FIRE); returns the energy (eV)."""
    from ase.optimize import FIRE

    atoms.calc = calc
    if steps > 0:
        with _quiet():
            FIRE(atoms, logfile=None).run(fmax=fmax, steps=steps)
    return float(atoms.get_potential_energy())


def run_band(start: Any, end: Any, calc: Any, settings: NebSettings, what: str) -> dict[str, Any]:
    """Relax both ends, then a climbing-image NEB (IDPP); energies (eV) of start, end and images.

    Raises
    ------
    NitrolyteError
        The band did not reach ``settings.fmax`` within ``settings.neb_steps``.
    """
    from ase.mep import NEB
    from ase.optimize import FIRE

    e0 = _relax(start, calc, settings.fmax, settings.relax_steps)
    e1 = _relax(end, calc, settings.fmax, settings.relax_steps)
    images = [start] + [start.copy() for _ in range(settings.n_images)] + [end]
    for im in images:
        im.calc = calc
    with _quiet():
        band = NEB(images, climb=True, method="improvedtangent", allow_shared_calculator=True)
        band.interpolate(method="idpp", mic=True)
        opt = FIRE(band, logfile=None)
        converged = bool(opt.run(fmax=settings.fmax, steps=settings.neb_steps))
        energies = [float(im.get_potential_energy()) for im in images]
    if not converged:
        fmax_now = float(np.sqrt((band.get_forces() ** 2).sum(axis=1).max()))
        raise NitrolyteError(f"NEB of {what} did not converge: max force {fmax_now:.3f} eV/Å after "
                             f"{settings.neb_steps} steps (fmax {settings.fmax:g} eV/Å); nothing stored")
    energies[0], energies[-1] = e0, e1
    return {"E_start_eV": e0, "E_end_eV": e1, "E_saddle_eV": max(energies),
            "profile_eV": [round(e - e0, 4) for e in energies], "steps": int(opt.nsteps)}


# ------------------------------------------------------------------------------ one model
def _cache_key(struct: Structure, version: str, settings: NebSettings) -> str:
    from nitrolyte.structures.atomistic.relax import structure_hash

    return f"{structure_hash(struct)}:{version}:{json.dumps(asdict(settings), sort_keys=True)}"


def _model_bands(struct: Structure, hops: list[Hop], potential: Any, scaling: list[int],
                 settings: NebSettings, device: str) -> list[dict[str, Any]]:
    with _quiet():  # CHGNet prints "CHGNet will run on cpu" on stdout, which may carry --json
        calc = potential.calculator(device)
    bands = []
    for hop in hops:
        start, end = hop_endpoints(struct, hop, scaling)
        bands.append(run_band(start, end, calc, settings, f"hop {hop.label} with {potential.name}"))
    return bands


def _store(db: DatabaseLike | None) -> Database | None:
    from nitrolyte.structures.atomistic.relax import _store as store

    return store(db)


def model_bands(struct: Structure, hops: list[Hop], potential: Any, scaling: list[int],
                settings: NebSettings, device: str = "cpu", db: DatabaseLike | None = None) -> tuple[list[dict[str, Any]], bool]:
    """(bands per hop, read from the cache?) for one model, from the store's cache or computed."""
    store = _store(db)
    key = _cache_key(struct, potential.version, settings)
    if store is not None:
        hit = store.cache_get(NAMESPACE, key)
        if hit is not None:
            return list(hit["bands"]), True
    bands = _model_bands(struct, hops, potential, scaling, settings, device)
    if store is not None:
        store.cache_put(NAMESPACE, key, {"bands": bands, "model": potential.name})
    return bands, False


def _r4(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _lowest(band: dict[str, Any]) -> float:
    """Lowest energy (eV) on a band: the relaxed ends, or an image below them."""
    return float(band["E_start_eV"] + min(band["profile_eV"]))


def _barrier(band: dict[str, Any]) -> float:
    """Saddle minus the lowest energy on the band (eV): the barrier from its lower end, or from
    an image below both ends (a lower configuration than the relaxed ends, see ``dip_eV``)."""
    return round(band["E_saddle_eV"] - _lowest(band), 4)


def _summary(n_sites: int, hops: list[Hop], bands: list[dict[str, Any]]) -> tuple[dict[str, Any], list[float]]:
    """The model's percolation barriers and each hop's saddle above the lowest vacancy state
    (the lowest energy on any of its bands, ends or images)."""
    from nitrolyte.transport.hops import hop_percolation

    ref = min(_lowest(b) for b in bands)
    saddles = [b["E_saddle_eV"] - ref for b in bands]
    perc = hop_percolation(n_sites, list(zip(saddles, hops, strict=True)))
    return {"Ea_eV": _r4(perc.Ea_eV), "dimensionality": perc.dimensionality,
            "barriers_eV": {k: _r4(v) for k, v in perc.barriers_eV.items()},
            "axis_barriers_eV": {k: _r4(v) for k, v in perc.axis_barriers_eV.items()}}, saddles


def _hop_rows(hops: list[Hop], per_model: list[tuple[str, list[dict[str, Any]], list[float]]],
              mechanism: str) -> list[dict[str, Any]]:
    rows = []
    for k, hop in enumerate(hops):
        name0, bands0, saddles0 = per_model[0]
        b = bands0[k]
        by_model = {name: _barrier(bands[k]) for name, bands, _ in per_model}
        dip = min(b["E_start_eV"], b["E_end_eV"]) - _lowest(b)
        rows.append({**hop.to_dict(), "mechanism": mechanism, "barrier_eV": by_model[name0],
                     "forward_eV": round(b["E_saddle_eV"] - b["E_start_eV"], 4),
                     "reverse_eV": round(b["E_saddle_eV"] - b["E_end_eV"], 4),
                     "saddle_eV": round(saddles0[k], 4), "dip_eV": round(max(dip, 0.0), 4),
                     "barriers_by_model_eV": by_model,
                     "barrier_spread_eV": round(max(by_model.values()) - min(by_model.values()), 4)
                     if len(by_model) > 1 else None, "profile_eV": b["profile_eV"]})
    return rows


def neb(struct: Structure, potential: str | None = None, *, settings: NebSettings | None = None,
        device: str = "cpu", db: DatabaseLike | None = None) -> NebResult:
    """NEB barriers of the Li vacancy hops of ``struct`` with each committee model (or one).

    Parameters
    ----------
    struct : pymatgen.core.Structure
        An ordered structure with Li.
    potential : str, optional
        One registered potential (``chgnet``, ``sevennet``, ``lj-toy`` for plumbing); None: every
        model of the committee, the default first (its barrier is ``Ea_eV``, the spread the rest).
    settings : NebSettings, optional
        Images, fmax (eV/Å), step limits, image distance (Å), hop cutoff (Å).
    device : {"cpu", "cuda", "auto"}
        Where the model runs.
    db : nitrolyte.store.Database, optional
        Store whose cache is read and written (default database if None, ``False`` for none).

    Raises
    ------
    InputError
        No Li, no Li–Li hop within the cutoff, a setting out of range, an unknown potential.
    NitrolyteError
        A band that does not converge (one line; nothing cached).
    """
    from nitrolyte.potentials import committee, get_potential
    from nitrolyte.transport.bvse import check_li
    from nitrolyte.transport.hops import li_hops

    settings = (settings or NebSettings()).check()
    check_li(struct, "NEB")
    models = [get_potential(potential)] if potential is not None else list(committee())
    for p in models:
        p.require()
    hops = li_hops(struct, settings.cutoff_A)
    if not hops:
        raise InputError(f"structure: no Li–Li pair within {settings.cutoff_A:g} Å in "
                         f"{struct.composition.reduced_formula} (no hop to compute)")
    scaling = supercell_for(struct, settings.min_image_A)
    per_model, summaries, all_cached = [], [], True
    for p in models:
        bands, cached = model_bands(struct, hops, p, scaling, settings, device, db)
        all_cached = all_cached and cached
        summary, saddles = _summary(len(struct), hops, bands)
        per_model.append((p.name, bands, saddles))
        summaries.append({"name": p.name, "label": p.label, "version": p.version, **summary})
    return NebResult(struct.composition.reduced_formula, scaling,
                     image_distance(np.diag(scaling) @ struct.lattice.matrix),
                     len(struct) * int(np.prod(scaling)) - 1, settings,
                     _hop_rows(hops, per_model, settings.mechanism), summaries, cached=all_cached)


def store_neb(name: str, result: NebResult, db: DatabaseLike | None = None) -> dict[str, Any]:
    """Store ``result`` as an ``NEB`` simulation measurement set of ``name`` (a fit, no σ point)."""
    from nitrolyte.transport.bvse import store_barrier

    if result.Ea_eV is None:
        raise InputError(f"structure: the Li hops of {result.formula} within "
                         f"{result.settings.cutoff_A:g} Å do not percolate; nothing to store")
    d = result.to_dict()
    first = result.models[0]
    details = {"model": first["name"], "version": first["version"], "quantity": QUANTITY,
               "Ea_spread_eV": d["Ea_spread_eV"], "models": d["models"], "hops": [
                   {k: h[k] for k in ("hop", "length_A", "direction", "barrier_eV")} for h in d["hops"]],
               "dimensionality": d["dimensionality"], "supercell": d["supercell"],
               "settings": d["settings"]}
    return store_barrier(name, result.formula, result.Ea_eV, METHOD, details, QUANTITY, db)
