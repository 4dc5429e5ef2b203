"""Numbers as people read them: rounded to their uncertainty, with the Arrhenius law named.

One place for the text of an activation energy or a conductivity with its standard error, used
by ``show``, ``eis``, the web pages and the API's display fields.

.. math:: x \\pm \\delta x \\ \\text{with}\\ \\delta x \\ \\text{to two significant figures and}
          \\ x \\ \\text{to the same decimal place}

(a measured activation energy without an error is given to 3 decimals, eV; the review's values
as printed).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nitrolyte.store.database import Database, DatabaseLike

from nitrolyte.transport.laws.registry import LAWS

#: measured conductivity kind -> its label
KIND_LABELS = {"bulk": "bulk", "total": "total"}


def convention_label(convention: str | None) -> str:
    """The label of a registered law (``"σT Arrhenius"``, ``"VTF"``); ``"law not stated"`` when
    unknown."""
    law = LAWS.get(convention or "")
    return "law not stated" if law is None else law.label


def _usable(err: float | None) -> bool:
    return err is not None and math.isfinite(err) and err > 0


def round_to_uncertainty(value: float, stderr: float | None, default_decimals: int = 3
                         ) -> tuple[str, str | None]:
    """``value`` and ``stderr`` as fixed-point text, the error to two significant figures.

    Without a usable error (None, 0, not finite) the value gets ``default_decimals`` and the
    error is None. ``round_to_uncertainty(0.548107, 0.0123)`` gives ``("0.548", "0.012")``.
    """
    if stderr is None or not _usable(stderr):
        return f"{value:.{default_decimals}f}", None
    decimals = max(0, 1 - math.floor(math.log10(stderr)))
    return f"{value:.{decimals}f}", f"{stderr:.{decimals}f}"


def format_Ea(Ea_eV: float, stderr_eV: float | None = None) -> str:
    """Activation energy in eV as ``"0.548 ± 0.012"`` (or ``"0.548"`` without an error)."""
    v, e = round_to_uncertainty(Ea_eV, stderr_eV)
    return v if e is None else f"{v} ± {e}"


def format_sigma(sigma_S_cm: float, stderr_S_cm: float | None = None) -> str:
    """Conductivity in S/cm: with its error, to the digit of the error's second significant
    figure (``"9.0831e-05 ± 4.8e-08"``); without, as given (``%g``)."""
    if stderr_S_cm is None or not _usable(stderr_S_cm) or sigma_S_cm == 0:
        return f"{sigma_S_cm:g}"
    digits = math.floor(math.log10(abs(sigma_S_cm))) - math.floor(math.log10(stderr_S_cm)) + 1
    return f"{sigma_S_cm:.{min(max(digits, 1), 6)}e} ± {stderr_S_cm:.1e}"


def set_laws(db: Database, name: str) -> dict[int, str]:
    """Measurement set id -> the law of its fit (a name of the law registry) for material
    ``name`` (sets without a fit or a registered law are left out)."""
    from nitrolyte.transport.measured import as_dict

    sets = db.measurement_sets(name)
    out = {}
    for sid, fit in zip(sets.get("set_id", []), sets.get("fit", []), strict=True):
        law = as_dict(fit).get("law")
        if law in LAWS:
            out[int(sid)] = str(law)
    return out


def measurement_rows(measurements: Any, laws: dict[int, str] | None = None
                     ) -> list[dict[str, Any]]:
    """Each stored measurement's dict plus what a reader needs to see (tables, JSON, web).

    Added keys: ``kind`` (``bulk``/``total`` for a set's conductivity, else ''), ``law`` (the
    Arrhenius law of a fitted activation energy, or None), ``law_label``, ``text`` (the value
    rounded to its standard error, :func:`format_Ea` / :func:`format_sigma`) and
    ``unreliable`` (a point of an impedance fit stored with ``--force``).
    """
    from nitrolyte.transport.eis_series import UNRELIABLE_NOTE

    out = []
    for m in measurements:
        d = m.to_dict() if hasattr(m, "to_dict") else dict(m)
        law = (laws or {}).get(d.get("set_id") or -1) if d["property"] == "activation_energy" \
            else None
        q = d.get("qualifier") or ""
        if d.get("source") == "literature":  # as the review printed it
            text = f"{q}{d['value']:g}"
        elif d["property"] == "activation_energy":
            text = q + format_Ea(d["value"], d.get("value_stderr"))
        elif d["property"] == "ionic_conductivity":
            text = q + format_sigma(d["value"], d.get("value_stderr"))
        else:
            text = f"{q}{d['value']:.4g}"
        out.append({**d, "kind": d.get("kind") or "", "law": law,
                    "law_label": convention_label(law) if law else "", "text": text,
                    "unreliable": (d.get("note") or "").startswith(UNRELIABLE_NOTE)})
    return out


def record_rows(rec: Any, db: DatabaseLike | None = None) -> list[dict[str, Any]]:
    """:func:`measurement_rows` of a :class:`~nitrolyte.store.records.MaterialRecord`, with the
    laws of its stored sets' fits read from ``db`` (a Database, URL, path or None)."""
    laws: dict[int, str] = {}
    if any(m.set_id is not None and m.property == "activation_energy"
           for m in rec.measurements):
        from nitrolyte.api import database

        laws = set_laws(database(db), rec.name)
    return measurement_rows(rec.measurements, laws)
