"""SevenNet (Park et al., J. Chem. Theory Comput. 2024, 20, 4857), the committee's second model.

The ``sevenn`` wheel ships four pretrained checkpoints (7net-0 of 11 Jul and 22 May 2024,
7net-l3i5, 7net-mf-0); 7net-mf-ompa, 7net-omat and 7net-omni are downloaded on first use and so
cannot be used offline. :data:`MODEL_NAME` is 7net-l3i5: trained on MPtrj like CHGNet (same
uncorrected GGA/GGA+U energy scale, so the MP2020 corrections and anchoring apply unchanged), and
the most accurate of the shipped ones on Matbench Discovery (F1 0.760 and formation-energy MAE
0.044 eV/atom on the unique prototypes, against 0.724 and 0.048 for 7net-0); 7net-mf-0 is a
multi-fidelity model whose PBE head is not benchmarked there. See docs/structures.md.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from typing import Any

from nitrolyte.potentials.registry import Potential, register_potential

#: the shipped checkpoint used (``sevenn``'s pretrained keyword)
MODEL_NAME = "7net-l3i5"


@functools.cache
def sevennet_calculator(device: str = "cpu") -> Any:
    """SevenNet's ASE calculator on the shipped :data:`MODEL_NAME` checkpoint (offline; loaded
    once per device and reused: ASE recomputes whenever the atoms change)."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        from sevenn.calculator import SevenNetCalculator

        return SevenNetCalculator(MODEL_NAME, device=device)


SEVENNET = register_potential(Potential(
    name="sevennet", label=f"SevenNet ({MODEL_NAME})", package="sevenn", model=MODEL_NAME,
    pinned="0.13.0",
    description="pretrained SevenNet 7net-l3i5 universal potential (MPtrj; checkpoint in the wheel, offline)",
    make_calculator=sevennet_calculator))
