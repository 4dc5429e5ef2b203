"""Transport from a structure: the BVSE screen against bvlain, one NEB hop against plain ASE.

Run: ``python benchmarks/bench_transport_predict.py [--repeat 1] [--names α-Li3N ...]
[--neb-potentials chgnet sevennet] [--neb-images 5] [--min-image 8]`` (``--neb-potentials`` with
no name skips the NEB part)

For each structure (4 to 96 atoms from the library) it times

* ``nitrolyte``: :func:`nitrolyte.transport.bvse.bvse` — bvlain's Li site-energy map, then the
  periodic union-find percolation (1D/2D/3D barriers, dimensionality, ⊥c/∥c barriers);
* ``bvlain``: what a user writes with bvlain alone — ``Lain.read_structure``,
  ``bvse_distribution`` and ``percolation_barriers`` (same grid, 0.2 Å; same cutoff, 5 eV);

and prints both barrier sets, so that the agreement can be read beside the timings.
Target (issue 23): ≤ 10 s per structure of ≤ 100 atoms on one core.

NEB: the in-plane Li(2c)-Li(2c) vacancy hop of α-Li3N in the supercell of ``--min-image`` Å, per
potential, timed as

* ``nitrolyte``: :func:`nitrolyte.transport.neb.model_bands` for that hop (end points relaxed at
  fixed cell, climbing-image NEB with IDPP, FIRE; no cache);
* ``plain ASE``: the script a user writes with ASE alone (``Atoms.repeat``, delete a Li, move its
  neighbour, FIRE on both ends, ``NEB(climb=True)``, ``interpolate("idpp")``, FIRE), same
  calculator, images, fmax and step limits;

and prints both barriers (they must agree within 0.02 eV, asserted).
"""

from __future__ import annotations

import argparse
import os
import warnings

from _timing import best_of

from nitrolyte.structures.library import library_structure
from nitrolyte.transport.bvse import ENCUT_EV, R_CUT_A, RESOLUTION_A, bvse

NAMES = ("α-Li3N", "β-Li3N", "α-Li3BN2", "LiSi2N3", "Li6NBr3", "Li3AlN2")


def _bvlain(struct):  # type: ignore[no-untyped-def]
    from bvlain import Lain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calc = Lain(verbose=False)
        calc.read_structure(struct.copy())
        calc.bvse_distribution(mobile_ion="Li1+", r_cut=R_CUT_A, resolution=RESOLUTION_A)
        return calc.percolation_barriers(encut=ENCUT_EV)


def _plain_ase_neb(calc, hop, n_images: int, fmax: float, steps: int, relax_steps: int,  # type: ignore[no-untyped-def]
                   scaling: list[int]) -> float:
    """The baseline: a vacancy hop by hand with ASE; returns the barrier (eV, from the lower end)."""
    import numpy as np
    from ase.geometry import find_mic
    from ase.mep import NEB
    from ase.optimize import FIRE
    from pymatgen.io.ase import AseAtomsAdaptor

    unit = AseAtomsAdaptor.get_atoms(library_structure("α-Li3N"))
    atoms = unit.repeat(scaling)  # atom k of image m is k + m * len(unit)
    frac_j = unit.get_scaled_positions()[hop.site_j] + hop.image
    hop_vec = unit.cell.cartesian_positions(frac_j) - unit.positions[hop.site_i]
    target = atoms.positions[hop.site_i] + hop_vec
    j = int(np.argmin(np.linalg.norm(find_mic(atoms.positions - target, atoms.cell)[0], axis=1)))
    del atoms[j]
    i = hop.site_i - (1 if hop.site_i > j else 0)
    initial, final = atoms.copy(), atoms.copy()
    final.positions[i] = target
    for end in (initial, final):
        end.calc = calc
        FIRE(end, logfile=None).run(fmax=fmax, steps=relax_steps)
    images = [initial] + [initial.copy() for _ in range(n_images)] + [final]
    for im in images:
        im.calc = calc
    band = NEB(images, climb=True, method="improvedtangent", allow_shared_calculator=True)
    band.interpolate(method="idpp", mic=True)
    FIRE(band, logfile=None).run(fmax=fmax, steps=steps)
    e = [im.get_potential_energy() for im in images]
    return float(max(e) - min(e[0], e[-1]))


def bench_neb(potentials: list[str], n_images: int, min_image_A: float) -> None:
    """Time one α-Li3N vacancy hop per potential: nitrolyte against plain ASE (same settings)."""
    import contextlib
    import io
    import time

    import nitrolyte.simulate.potentials  # noqa: F401  (registers lj-toy)
    from nitrolyte.potentials import get_potential
    from nitrolyte.transport.hops import li_hops
    from nitrolyte.transport.neb import NebSettings, model_bands, supercell_for

    struct = library_structure("α-Li3N")
    settings = NebSettings(n_images=n_images, min_image_A=min_image_A)
    scaling = supercell_for(struct, min_image_A)
    hop = li_hops(struct)[0]
    n_atoms = len(struct) * scaling[0] * scaling[1] * scaling[2] - 1
    print(f"NEB: α-Li3N {hop.label} vacancy hop ({hop.length_A:.3f} Å), supercell "
          f"{'x'.join(map(str, scaling))} ({n_atoms} atoms), {n_images} images, fmax {settings.fmax} eV/Å")
    print(f"{'potential':10s} {'nitrolyte s':>11s} {'plain ASE s':>11s}  barrier (eV): nitrolyte | plain ASE")
    total = 0.0
    for name in potentials:
        pot = get_potential(name)
        with contextlib.redirect_stdout(io.StringIO()):
            calc = pot.calculator("cpu")
        t0 = time.perf_counter()
        (band,), _ = model_bands(struct, [hop], pot, scaling, settings, db=False)
        t_n = time.perf_counter() - t0
        ours = band["E_saddle_eV"] - min(band["E_start_eV"], band["E_end_eV"])
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            theirs = _plain_ase_neb(calc, hop, n_images, settings.fmax, settings.neb_steps,
                                    settings.relax_steps, scaling)
        t_p = time.perf_counter() - t0
        total += t_n
        assert abs(ours - theirs) < 0.02, (ours, theirs)
        print(f"{name:10s} {t_n:11.1f} {t_p:11.1f}  {ours:.4f} | {theirs:.4f}   ratio plain ASE / nitrolyte {t_p / t_n:.2f}")
    print(f"NEB total nitrolyte ({' + '.join(potentials)}): {total:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--names", nargs="*", default=list(NAMES))
    parser.add_argument("--neb-potentials", nargs="*", default=["chgnet", "sevennet"])
    parser.add_argument("--neb-images", type=int, default=5)
    parser.add_argument("--min-image", type=float, default=8.0, help="Å between vacancy images")
    args = parser.parse_args()
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; best of {args.repeat}")
    _bvlain(library_structure(NAMES[0]))  # imports and first-call costs, untimed
    bvse(library_structure(NAMES[0]))
    print(f"{'structure':10s} {'atoms':>5s} {'nitrolyte s':>11s} {'bvlain s':>9s}  barriers 1D/2D/3D (eV): nitrolyte | bvlain")
    for name in args.names:
        s = library_structure(name)
        t_n, r = best_of(lambda s=s: bvse(s), args.repeat)
        t_b, b = best_of(lambda s=s: _bvlain(s), args.repeat)
        ours = "/".join("-" if v is None else f"{v:.3f}" for v in r.barriers_eV.values())
        theirs = "/".join("-" if v == float("inf") else f"{float(v):.3f}" for v in b.values())
        print(f"{name:10s} {len(s):5d} {t_n:11.2f} {t_b:9.2f}  {ours} | {theirs}")
    if args.neb_potentials:
        bench_neb(args.neb_potentials, args.neb_images, args.min_image)


if __name__ == "__main__":
    main()
