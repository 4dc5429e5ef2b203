"""A cheap stand-in potential for the structure-prediction plumbing (no torch).

Energy: the Ewald energy per atom with formal charges (eV/atom); "relaxation" leaves the structure
as it is. Module-level and picklable, so ``--workers`` processes can import it.
"""

from __future__ import annotations

import warnings


class EwaldToy:
    """Formal-charge Ewald energy; relax() returns the input unchanged."""

    name = "ewald-toy"
    version = "ewald-toy-1"

    def energy(self, structure):  # type: ignore[no-untyped-def]
        from pymatgen.analysis.ewald import EwaldSummation

        from nitrolyte.structures.predict.prototypes import formal_charges

        s = structure.copy()
        charges = formal_charges()
        s.add_oxidation_state_by_element({str(el): charges[str(el)] for el in s.composition.elements})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(EwaldSummation(s).total_energy) / len(s)

    def relax(self, structure, *, fmax, steps, relax_cell=True):  # type: ignore[no-untyped-def]
        return self.energy(structure), structure.copy(), 1
