"""Evidence of a user's SSE stack (``"Li | vacancy-rich β-Li3N | Li3InCl6 | NMC811"``).

The anode-side SSE (the layer touching Li, "the nitride") carries the material criteria
(conductivity, Ea, Li-metal stability, air stability, critical current density and capacity).
The stack as a whole carries the cathode side (every SSE|SSE interface stable and the
cathode-side SSE not oxidised below the target, :func:`nitrolyte.stability.check_stack`), the
fast charge (all SSE layers in series) and the energy density (pouch-cell model with the stack's
layers and thicknesses).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError, NitrolyteError
from nitrolyte.screening.design import ScreeningDesign
from nitrolyte.screening.evidence import (
    EnergyModel,
    StabilityLookup,
    density,
    material_evidence,
    provenance,
    sigma_at,
)

if TYPE_CHECKING:
    from nitrolyte.store.database import DatabaseLike

_NAN = math.nan


@dataclass(frozen=True)
class Stack:
    """An SSE stack, anode side first, with the thickness of each SSE layer.

    Attributes
    ----------
    layers : tuple of str
        Layer names; the first and last may be electrodes known to
        :data:`nitrolyte.stability.ELECTRODES` (``Li``, ``NMC811``).
    thickness_um : tuple of float or None
        One thickness (um, > 0) per SSE layer; None: the design's ``thickness_um`` for the
        anode-side layer and ``catholyte_um`` for the others.
    """

    layers: tuple[str, ...]
    thickness_um: tuple[float, ...] | None = None

    @classmethod
    def parse(cls, spec: str | Sequence[str] | Stack, thickness_um: Sequence[float] | None = None) -> Stack:
        """A stack from ``"Li | A | B | NMC811"`` or a list of layer names."""
        from nitrolyte.stability.stack import parse_stack

        if isinstance(spec, Stack):
            return spec if thickness_um is None else replace(spec, thickness_um=tuple(thickness_um))
        layers = tuple(parse_stack(spec))
        return cls(layers, None if thickness_um is None else tuple(float(t) for t in thickness_um))

    def electrodes(self) -> tuple[Any, Any]:
        """(anode, cathode) :class:`~nitrolyte.stability.Electrode` objects, None where absent."""
        from nitrolyte.stability import ELECTRODES
        from nitrolyte.stability._common import _key

        first, last = ELECTRODES.get(_key(self.layers[0])), ELECTRODES.get(_key(self.layers[-1]))
        return (first if first is not None and first.role == "anode" else None,
                last if last is not None and last.role == "cathode" else None)

    def sse_layers(self) -> tuple[str, ...]:
        """The SSE layers between the electrodes."""
        anode, cathode = self.electrodes()
        sses = self.layers[1 if anode else 0: len(self.layers) - 1 if cathode else len(self.layers)]
        if not sses:
            raise InputError(f"stack needs at least one SSE layer between the electrodes, got {list(self.layers)}")
        return tuple(sses)

    def thicknesses(self, design: ScreeningDesign) -> tuple[float, ...]:
        """Thickness of each SSE layer (um), checked."""
        sses = self.sse_layers()
        if self.thickness_um is None:
            return (design.thickness_um, *([design.catholyte_um] * (len(sses) - 1)))
        if len(self.thickness_um) != len(sses):
            raise InputError(f"stack thickness_um needs one value per SSE layer ({', '.join(sses)}), "
                             f"got {list(self.thickness_um)}")
        for t in self.thickness_um:
            if not (math.isfinite(t) and t > 0):
                raise InputError(f"stack thickness_um must be > 0, got {list(self.thickness_um)}")
        return tuple(self.thickness_um)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"layers": list(self.layers),
                "thickness_um": None if self.thickness_um is None else list(self.thickness_um)}

    def label(self, design: ScreeningDesign) -> str:
        """``"Li | vacancy-rich β-Li3N (20 µm) | Li3InCl6 (20 µm) | NMC811"``."""
        um = dict(zip(self.sse_layers(), self.thicknesses(design), strict=True))
        return " | ".join(f"{x} ({um[x]:g} µm)" if x in um else x for x in self.layers)


def layer_row(name: str, db: DatabaseLike | None) -> dict[str, Any]:
    """Wide-frame row of a stack layer: the database material, else the components table."""
    from nitrolyte import api
    from nitrolyte.cell.components import component

    try:
        record = api.get(name, db=db)
    except NitrolyteError:
        record = None
    if record is not None and record.summary:
        if len(record.directions) > 1:
            raise InputError(f"stack layer {name!r} has values for several crystal directions "
                             f"({', '.join(record.directions)}); use a polycrystalline material")
        return dict(record.summary[0])
    row: dict[str, Any] = {"name": name, "formula": name, "material_id": "", "source": "components"}
    try:
        comp = component(name)
    except NitrolyteError:
        return row
    value = comp.properties.get("ionic_conductivity")
    if value is not None:
        row.update(sigma_S_cm=value.value, T_K=value.temperature_K, sigma_qualifier="",
                   components_source=f"components table: {comp.name} ({value.source})")
    return row


def _series(values: list[tuple[float, str, float]]) -> tuple[float, str]:
    """Effective conductivity of layers in series, :math:`\\sum L / \\sum (L/\\sigma)`; bounds
    of one kind stay bounds of that kind, mixed bounds give NaN."""
    if any(not math.isfinite(s) for s, _, _ in values):
        return _NAN, ""
    kinds = {q for _, q, _ in values if q in ("<", ">")}
    if len(kinds) > 1:
        return _NAN, ""
    total = sum(t for _, _, t in values)
    return total / sum(t / s for s, _, t in values), (kinds.pop() if kinds else "")


def stack_evidence(stack: Stack, design: ScreeningDesign, records: Any, db: DatabaseLike | None,
                   stability: StabilityLookup) -> dict[str, Any]:
    """Evidence dict of a stack (see the module docstring)."""
    from nitrolyte.stability import check_stack

    sses, um = stack.sse_layers(), stack.thicknesses(design)
    rows = [layer_row(n, db) for n in sses]
    layer_design = replace(design, thickness_um=um[0], catholyte_um=um[-1] if len(um) > 1 else 0.0)
    energy, reason = _energy(stack, sses, rows, layer_design)
    ev = material_evidence(rows[0], layer_design, records, stability, energy, energy_note=reason,
                           pairings=False)
    ev.update(kind="stack", layers=stack.layers, layer_um=um,
              sigma_source=rows[0].get("components_source") or ev["sigma_source"],
              sigma_note="; ".join(x for x in (f"anode-side SSE {sses[0]}", ev["sigma_note"]) if x))
    sigmas = [(ev["sigma_op_S_cm"], ev["sigma_op_qualifier"], um[0])]
    notes = [f"{sses[0]}: {ev['sigma_op_note']}"] if ev["sigma_op_note"] else []
    sources = [f"{sses[0]}: {ev['sigma_source']}"]
    for row, t in zip(rows[1:], um[1:], strict=True):
        s, q, note = sigma_at(float(row.get("sigma_S_cm", _NAN)), str(row.get("sigma_qualifier") or ""),
                              float(row.get("T_K") or _NAN), float(row.get("Ea_eV", _NAN)), design.T_K)
        sigmas.append((s, q, t))
        notes += [f"{row['name']}: {note}"] if note else []
        sources.append(f"{row['name']}: {row.get('components_source') or provenance(row)}")
    ev["sigma_op_S_cm"], ev["sigma_op_qualifier"] = _series(sigmas)
    ev["sigma_op_note"] = "; ".join(n for n in notes if n)
    ev["sigma_op_source"] = "computed: layers in series (" + "; ".join(sources) + ")"
    last = stability.window(str(rows[-1].get("formula") or sses[-1]))
    check = check_stack(list(sses), design.source, db=db) if len(sses) > 1 else None
    ev.update(oxidation_V=last["oxidation_V"], window_basis=last["window_basis"], cathode_side=sses[-1],
              oxidation_qualifier=last.get("oxidation_qualifier", ""),
              stack_interfaces=tuple(i.to_dict() for i in check.interfaces) if check else ())
    return ev


def _energy(stack: Stack, sses: tuple[str, ...], rows: list[dict[str, Any]],
            design: ScreeningDesign) -> tuple[EnergyModel | None, str]:
    """Pouch-cell model of the stack (None and the reason when it cannot be built)."""
    if len(sses) > 2:
        return None, "the pouch-cell model has two SSE layers (catholyte + nitride); this stack has more"
    _, cathode = stack.electrodes()
    cat_name = str(rows[-1].get("name") or sses[-1])
    cat_rho, _ = density(cat_name, str(rows[-1].get("formula") or ""), design)
    if not math.isfinite(cat_rho):
        return None, f"no density for the cathode-side SSE {cat_name} (pass densities_g_cm3)"
    changes: dict[str, Any] = {"catholyte": cat_name}
    if cathode is not None:
        changes["cathode"] = cathode.name
    try:
        return EnergyModel(replace(design, **changes), cat_rho), ""
    except NitrolyteError as exc:
        return None, str(exc)
