"""Uncertainty from the committee of ML potentials.

A source built on an ML potential (``ml``, ``ml:mp2020``, ``auto``) names its siblings built on
the other committee models (:func:`nitrolyte.potentials.committee`: CHGNet and SevenNet). Every
window, interface reaction, air reaction and energy above hull computed from it is computed
with each of them; the answer stays the asked source's (the default model unless
``--potential`` says otherwise) and the spread, max minus min over the models, is its
uncertainty. A spread above :data:`V_TOL` (limits) or :data:`E_TOL_MEV` (energies) is flagged in
the result's notes. A source without siblings (a given table, the embedded table, a file) has no
committee: its spreads are NaN (``null`` in JSON).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from nitrolyte.errors import NitrolyteError

#: limits (V) further apart than this between the models are flagged
V_TOL = 0.3
#: energies (meV/atom) further apart than this between the models are flagged
E_TOL_MEV = 25.0


def members(source: Any) -> list[tuple[str, Any]]:
    """(model name, source) of each committee model for ``source``; [] if it uses no model."""
    get = getattr(source, "committee_members", None)
    return list(get()) if callable(get) else []


def spread(values: Iterable[float]) -> float:
    """Max minus min of the values (inf when some are infinite and some not; NaN for < 2 values)."""
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if len(vals) < 2:
        return math.nan
    if any(math.isinf(v) for v in vals):
        return 0.0 if len(set(vals)) == 1 else math.inf
    return max(vals) - min(vals)


def _json(x: Any) -> Any:
    return x if not isinstance(x, float) or math.isfinite(x) else None


def evaluate(source: Any, answer: Any, compute: Callable[[Any], Any], fields: tuple[str, ...],
             formulas: tuple[str, ...] = ()) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Compute a result with every committee model.

    Parameters
    ----------
    source : EnergySource
        The source ``answer`` was computed from.
    answer : result object
        Its result (has the ``fields`` and optionally ``computable``).
    compute : callable
        ``compute(sibling source) -> result`` of the same question.
    fields : tuple of str
        The numeric fields compared.
    formulas : tuple of str
        The compositions of the question: a model lacking energies of library entries of their
        chemical system (``lacks``) is not compared, since its result would rest on fewer phases.

    Returns
    -------
    (per_model, spreads)
        ``per_model``: model -> ``{"computable": bool, field: value (None if not finite), ...}``
        or ``{"computable": False, "why": text}``; ``spreads``: field -> max - min over the
        models that computed it (NaN without a committee or with fewer than two).
    """
    mem = members(source)
    if len(mem) < 2:
        return {}, {f: math.nan for f in fields}
    raw: dict[str, dict[str, float]] = {}
    per: dict[str, dict[str, Any]] = {}
    elements = _elements(formulas)
    for name, sibling in mem:
        lacking = sibling.lacks(elements) if elements and hasattr(sibling, "lacks") else {}
        if lacking:
            per[name] = {"computable": False,
                         "why": f"no {name} energy of {', '.join(lacking)} (not in its packaged table)"}
            continue
        try:
            result = answer if sibling is source else compute(sibling)
        except NitrolyteError as exc:
            per[name] = {"computable": False, "why": str(exc)}
            continue
        if not getattr(result, "computable", True):
            per[name] = {"computable": False, "why": "; ".join(getattr(result, "notes", ()))}
            continue
        raw[name] = {f: float(getattr(result, f)) for f in fields}
        per[name] = {"computable": True, **{f: _json(v) for f, v in raw[name].items()}}
    return per, {f: spread(r[f] for r in raw.values()) for f in fields}


def _elements(formulas: tuple[str, ...]) -> frozenset[str]:
    from pymatgen.core import Composition

    return frozenset({"Li"} | {str(el) for f in formulas for el in Composition(f).elements}) if formulas else frozenset()


def flags(per_model: dict[str, dict[str, Any]], spreads: dict[str, float], tol: float, unit: str,
          scale: float = 1.0) -> tuple[str, ...]:
    """Notes for spreads above ``tol`` (in ``unit``, values multiplied by ``scale``) and for models
    that could not compute the result."""
    out = []
    for field, s in spreads.items():
        if not math.isnan(s) and s * scale > tol:
            values = ", ".join(f"{m} {_fmt(v.get(field), scale)}" for m, v in per_model.items() if v["computable"])
            amount = "an unbounded amount" if math.isinf(s) else f"{s * scale:.{_digits(unit)}f} {unit}"
            out.append(f"the ML models disagree on {field} by {amount} (more than {tol:g} {unit}: "
                       f"{values}); treat it as uncertain")
    out += [f"model {m} could not compute this: {v['why']}" for m, v in per_model.items()
            if not v["computable"] and v.get("why")]
    return tuple(out)


def _digits(unit: str) -> int:
    return 2 if unit == "V" else 0


def _fmt(v: Any, scale: float) -> str:
    return "no limit" if v is None else f"{v * scale:.3g}"
