"""The registry of conductivity laws: every ``law=`` / ``convention=`` argument reads :data:`LAWS`.

Adding a law is one module (a class with the :class:`~nitrolyte.transport.laws.base.ConductivityLaw`
contract) and one :func:`register_law` line below; nothing else branches on a law's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nitrolyte.errors import InputError
from nitrolyte.transport.laws.arrhenius import SIGMA, SIGMA_T, ArrheniusLaw
from nitrolyte.transport.laws.base import ConductivityLaw
from nitrolyte.transport.laws.two_regime import TWO_REGIME
from nitrolyte.transport.laws.vtf import VTF

#: the law every function and command uses unless told otherwise (Fig. 10B of the review)
DEFAULT_LAW = "sigmaT"

#: registered laws: name -> law (``register_law`` adds one)
LAWS: dict[str, ConductivityLaw] = {}


def register_law(law: ConductivityLaw) -> ConductivityLaw:
    """Add ``law`` under ``law.name`` (a name already taken by another law is an error)."""
    if not isinstance(law, ConductivityLaw):
        raise InputError(f"register_law: {law!r} does not follow the ConductivityLaw contract")
    if law.name in LAWS and LAWS[law.name] is not law:
        raise InputError(f"register_law: the name {law.name!r} is taken by {LAWS[law.name]!r}")
    LAWS[law.name] = law
    return law


def law_names() -> tuple[str, ...]:
    """Names of the registered laws, in registration order."""
    return tuple(LAWS)


def get_law(name: str | ConductivityLaw, field: str = "law") -> ConductivityLaw:
    """The law registered as ``name`` (a law object passes through); ``field`` names the option
    in the error, which lists the allowed names."""
    if isinstance(name, ConductivityLaw):
        return name
    law = LAWS.get(name) if isinstance(name, str) else None
    if law is None:
        raise InputError(f"{field} must be one of {', '.join(LAWS)}; got {name!r}")
    return law


def resolve_law(law: str | ConductivityLaw | None = None, convention: str | None = None
                ) -> ConductivityLaw:
    """The law of a ``law=`` argument or of its older alias ``convention=`` (CLI ``--convention``,
    REST ``convention``): the one place the alias is mapped. Both given and different is an error;
    neither gives :data:`DEFAULT_LAW`."""
    if law is not None and convention is not None and get_law(law).name != convention:
        raise InputError(f"law and convention (its older name) disagree: law={law!r}, "
                         f"convention={convention!r}; give one")
    if law is None and convention is not None:
        return get_law(convention, "convention")
    return get_law(DEFAULT_LAW if law is None else law)


def sigma_from_summary(summary: Mapping[str, Any], T_K: Any) -> np.ndarray:
    """Conductivity in S/cm at ``T_K`` (K) of a stored fit (:meth:`LawFit.summary`: ``law`` and
    ``parameters``), the law rebuilt from the registry; NaN where the law says nothing."""
    law = get_law(summary.get("law"), "fit law")
    params = summary.get("parameters") or {}
    missing = [n for n in law.parameter_names if n not in params]
    if missing:
        raise InputError(f"the stored {law.label} fit has no {', '.join(missing)}")
    with np.errstate(over="ignore"):
        return np.exp(law.ln_sigma(np.asarray(T_K, dtype=float),
                                   [float(params[n]) for n in law.parameter_names]))


def arrhenius_law_names() -> tuple[str, ...]:
    """Names of the registered laws of the Arrhenius form (those a record's anchor point fixes)."""
    return tuple(n for n, law in LAWS.items() if isinstance(law, ArrheniusLaw))


def arrhenius_law(name: str | ArrheniusLaw, field: str = "convention") -> ArrheniusLaw:
    """The Arrhenius law ``name`` (``sigmaT`` or ``sigma``): the models anchored on one point
    (a record's conductivity and Ea) need one; ``field`` names the option in the error."""
    law = LAWS.get(name) if isinstance(name, str) else name
    if not isinstance(law, ArrheniusLaw):
        raise InputError(f"{field} must be one of {', '.join(arrhenius_law_names())}; got {name!r}")
    return law


register_law(SIGMA_T)
register_law(SIGMA)
register_law(VTF)
register_law(TWO_REGIME)
