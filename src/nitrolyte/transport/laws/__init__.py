"""Conductivity laws as objects: σT- and σ-Arrhenius, VTF, two-regime Arrhenius (issue 24).

* :mod:`~nitrolyte.transport.laws.base` - the :class:`ConductivityLaw` contract, :class:`LawFit`;
* :mod:`~nitrolyte.transport.laws.registry` - :func:`get_law`, :func:`law_names`,
  :func:`register_law`;
* one module per law: :mod:`~nitrolyte.transport.laws.arrhenius`,
  :mod:`~nitrolyte.transport.laws.vtf`, :mod:`~nitrolyte.transport.laws.two_regime`.
"""

from __future__ import annotations

from nitrolyte.transport.laws.base import ConductivityLaw, ConductivityPrediction, LawFit
from nitrolyte.transport.laws.registry import DEFAULT_LAW, LAWS, get_law, law_names, register_law

__all__ = ["DEFAULT_LAW", "LAWS", "ConductivityLaw", "ConductivityPrediction", "LawFit", "get_law",
           "law_names", "register_law"]
