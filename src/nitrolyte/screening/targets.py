"""Screening targets: the review's Perspectives targets as data, user overrides and user targets.

The built-in criteria take their thresholds from :func:`nitrolyte.dataset.targets` (the targets
of "Conclusions and perspectives (a)"), never from numbers typed here. Two criteria have no
number in the review and are defined here, with their derivation:

* ``Ea`` - activation energy :math:`\\le` :func:`ea_threshold_eV` (0.356 eV): the largest
  :math:`E_a` with which an SSE keeps at least one tenth of its 25 °C conductivity at -20 °C
  (sigmaT Arrhenius). A material anchored at the 1e-3 S/cm target then still conducts 1e-4 S/cm
  at -20 °C. Not a review target; change it with ``targets={"Ea": 0.4}``.
* ``li_stability`` - reduction limit of the electrochemical window :math:`\\le` 0 V vs. Li/Li+
  (not reduced by Li metal): "nitride SSEs should be compatible with lithium metal anodes".
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, get_args

from nitrolyte.checks import check_choice, is_number
from nitrolyte.errors import InputError
from nitrolyte.transport.laws.registry import arrhenius_law
from nitrolyte.units import K_B_EV, T_ROOM_K

Comparator = Literal[">", ">=", "<", "<="]
COMPARATORS: tuple[str, ...] = get_args(Comparator)

#: built-in criteria, in table order: id -> (evidence column, review target id or "")
BUILTIN: dict[str, tuple[str, str]] = {
    "sigma": ("sigma_S_cm", "ionic_conductivity"),
    "Ea": ("Ea_eV", ""),
    "li_stability": ("reduction_V", ""),
    "oxidation": ("oxidation_V", "electrochemical_window"),
    "air": ("retention_percent", "conductivity_retention"),
    "ccd": ("ccd_mA_cm2", "critical_current_density"),
    "critical_capacity": ("critical_capacity_mAh_cm2", "critical_capacity"),
    "fast_charge": ("sigma_op_S_cm", "charge_time"),
    "energy_density": ("energy_Wh_kg", "energy_density"),
    "air_reaction": ("air_reaction_meV_atom", ""),
}
#: short column titles of the built-in criteria (tables in the terminal and the report)
SHORT_LABELS: dict[str, str] = {
    "sigma": "σ RT", "Ea": "Ea", "li_stability": "Li", "oxidation": "ox/pair", "air": "air",
    "ccd": "CCD", "critical_capacity": "cap", "fast_charge": "4C", "energy_density": "Wh/kg",
    "air_reaction": "air ΔE"}
#: other spellings accepted for the built-in ids (case-insensitive)
ALIASES: dict[str, str] = {
    "sigma": "sigma", "conductivity": "sigma", "ionic_conductivity": "sigma",
    "ea": "Ea", "activation_energy": "Ea",
    "li_stability": "li_stability", "li": "li_stability", "reduction": "li_stability",
    "oxidation": "oxidation", "window": "oxidation", "electrochemical_window": "oxidation",
    "air": "air", "retention": "air", "conductivity_retention": "air",
    "ccd": "ccd", "critical_current_density": "ccd",
    "critical_capacity": "critical_capacity", "capacity": "critical_capacity",
    "fast_charge": "fast_charge", "charge_time": "fast_charge",
    "energy_density": "energy_density", "energy": "energy_density",
    "air_reaction": "air_reaction", "moisture": "air_reaction", "air_reactivity": "air_reaction",
}
_TEXT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<|=)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Target:
    """One screening criterion: ``evidence[column] <comparator> value``.

    Attributes
    ----------
    id : str
        Criterion id (``"sigma"``, ``"Ea"`` ... or a user id).
    column : str
        Evidence column compared (``"sigma_S_cm"``; see :data:`nitrolyte.screening.EVIDENCE_COLUMNS`).
    comparator : {">", ">=", "<", "<="}
    value : float
        Threshold in ``unit``. For ``fast_charge`` it is the charge time in min; the compared
        threshold is the conductivity that time needs (S/cm).
    unit : str
        Unit of ``value``.
    stretch_value : float or None
        The review's stretch goal (1e-2 S/cm, 500 Wh/kg), reported but not scored.
    label : str
        Short human name.
    source : str
        Where the threshold comes from (``"review: Conclusions and perspectives (a)"``,
        ``"derived: ..."``, ``"user"``).
    weight : float
        Weight in the score (> 0).
    """

    id: str
    column: str
    comparator: Comparator
    value: float
    unit: str = ""
    stretch_value: float | None = None
    label: str = ""
    source: str = "user"
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InputError(f"Target.id must be a non-empty string, got {self.id!r}")
        check_choice(f"target {self.id!r} comparator", self.comparator, COMPARATORS)
        if not is_number(self.value):
            raise InputError(f"target {self.id!r}: value must be a finite number, got {self.value!r}")
        if not is_number(self.weight) or float(self.weight) <= 0:
            raise InputError(f"target {self.id!r}: weight must be > 0, got {self.weight!r}")

    @property
    def builtin(self) -> bool:
        """True for the criteria of :data:`BUILTIN` (with their own evaluation rules)."""
        return self.id in BUILTIN

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def ea_threshold_eV(ratio: float = 10.0, T_room_K: float = T_ROOM_K, T_low_K: float = 253.15,
                    convention: str = "sigmaT") -> float:
    """Largest activation energy that keeps :math:`\\sigma(T_{low}) \\ge \\sigma(T_{room})/r`.

    .. math:: E_a = k_B\\,\\frac{\\ln r + s\\ln(T_{room}/T_{low})}{1/T_{low} - 1/T_{room}}

    with :math:`s = 1` for the sigmaT convention and 0 for sigma.

    Parameters
    ----------
    ratio : float
        Allowed conductivity drop factor :math:`r` (> 1; default 10).
    T_room_K, T_low_K : float
        Room and low operating temperature in K (defaults 298.15 K = 25 °C, 253.15 K = -20 °C).
    convention : str
        An Arrhenius law of :mod:`nitrolyte.transport.laws` (default sigmaT, as
        :mod:`nitrolyte.transport`; sigma).

    Returns
    -------
    float
        Activation energy in eV (0.3565 eV for the defaults).
    """
    s = arrhenius_law(convention).T_exponent
    if not is_number(ratio) or ratio <= 1:
        raise InputError(f"ratio must be > 1, got {ratio!r}")
    if not (is_number(T_low_K) and is_number(T_room_K) and 0 < T_low_K < T_room_K):
        raise InputError(f"need 0 < T_low_K < T_room_K, got T_low_K={T_low_K!r}, T_room_K={T_room_K!r}")
    return K_B_EV * (math.log(ratio) + s * math.log(T_room_K / T_low_K)) / (1 / T_low_K - 1 / T_room_K)


@functools.cache
def _review_rows() -> dict[str, dict[str, Any]]:
    from nitrolyte import dataset

    return {str(r["id"]): r for r in dataset.targets().to_dict("records")}


def _from_review(cid: str, review_id: str, label: str) -> Target:
    row = _review_rows()[review_id]
    stretch = row.get("stretch_value")
    return Target(id=cid, column=BUILTIN[cid][0], comparator=row["comparator"], value=float(row["value"]),
                  unit=str(row["unit"]), label=label,
                  stretch_value=None if stretch is None or stretch != stretch else float(stretch),
                  source=f"review: {row['location']} (target {review_id!r})")


def _fast_charge_target() -> Target:
    """The review's charge-time target, with the assumptions that turn it into a conductivity.

    The review states only the charge time (<= 15 min); the ohmic-drop limit, areal capacity and
    layer thickness are nitrolyte's design defaults (:class:`~nitrolyte.screening.ScreeningDesign`)
    and are named in ``source`` so that nobody reads them as review numbers.
    """
    from nitrolyte.screening.design import ScreeningDesign

    base = _from_review("fast_charge", "charge_time", "fast charge")
    d = ScreeningDesign()
    return replace(base, source=(
        f"{base.source}; the conductivity it needs is derived with nitrolyte's design "
        f"assumptions, not the review's: <= {d.max_drop_V:g} V ohmic drop across the SSE "
        f"layer(s), {d.areal_capacity_mAh_cm2:g} mAh/cm2, a {d.thickness_um:g} um nitride "
        f"layer (+ {d.catholyte_um:g} um catholyte in a stack) at {d.T_K:g} K "
        "(ScreeningDesign; change with design=...)"))


def default_targets() -> tuple[Target, ...]:
    """The built-in criteria with the review's thresholds (see the module docstring)."""
    ea = ea_threshold_eV()
    return (
        _from_review("sigma", "ionic_conductivity", "RT conductivity"),
        Target("Ea", "Ea_eV", "<=", round(ea, 4), "eV", label="activation energy",
               source=("derived: sigma(-20 C) >= sigma(25 C)/10 with sigmaT Arrhenius "
                       "(nitrolyte.screening.ea_threshold_eV); not a review target")),
        Target("li_stability", "reduction_V", "<=", 0.0, "V", label="stable vs Li",
               source=("review: Conclusions and perspectives (a), 'compatible with lithium metal "
                       "anodes' (Li metal at 0 V vs. Li/Li+)")),
        _from_review("oxidation", "electrochemical_window", "oxidation / pairing"),
        _from_review("air", "conductivity_retention", "air stability"),
        _from_review("ccd", "critical_current_density", "critical current density"),
        _from_review("critical_capacity", "critical_capacity", "critical capacity"),
        _fast_charge_target(),
        _from_review("energy_density", "energy_density", "energy density"),
    )


def optional_targets() -> tuple[Target, ...]:
    """Built-in criteria a screening uses only when asked for (they cost a calculation per material).

    ``air_reaction`` - the most negative reaction energy of the material with H2O, O2 or CO2
    (:func:`nitrolyte.stability.air.air_reactions`, meV/atom) :math:`\\ge` 0: no thermodynamic
    driving force to react with air at 298.15 K. The review states air stability as retained
    conductivity (the ``air`` criterion), not as an energy, so the threshold is nitrolyte's; ask
    for it with ``targets=["air_reaction"]`` or a threshold, ``"air_reaction>=-200"``.
    """
    return (Target("air_reaction", "air_reaction_meV_atom", ">=", 0.0, "meV/atom", label="air reaction energy",
                   source=("derived: no reaction with H2O, O2 or CO2 at 298.15 K (thermodynamics of "
                           "nitrolyte.stability.air; kinetics and passivation not included); not a "
                           "review target")),)


def canonical_id(key: str) -> str | None:
    """The built-in id for a key or alias (any case), or None."""
    return ALIASES.get(key.strip().lower()) if isinstance(key, str) else None


def parse_target(text: str) -> tuple[str, str, float]:
    """Split ``"sigma=5e-4"`` / ``"Ea<0.4"`` / ``"T_transition_K>=400"`` into (key, op, value).

    ``=`` changes the value of a built-in criterion and keeps its comparator.

    Raises
    ------
    InputError
        Naming the text and the expected form.
    """
    m = _TEXT.match(text) if isinstance(text, str) else None
    if m is None:
        raise InputError(f"--target: cannot read {text!r}; write KEY=VALUE (sigma=5e-4) or "
                         "KEY<VALUE, KEY<=VALUE, KEY>VALUE, KEY>=VALUE (Ea<0.4)")
    key, op, raw = m.groups()
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"--target {text!r}: value must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise InputError(f"--target {text!r}: value must be finite, got {raw!r}")
    return key, op, value


def _override(base: Target, op: str, value: float, key: str) -> Target:
    if op == "=":
        return replace(base, value=value, source="user")
    return replace(base, comparator=op, value=value, source="user")  # type: ignore[arg-type]


def _custom(key: str, op: str, value: float, columns: Sequence[str]) -> Target:
    if key not in columns:
        raise InputError(f"target {key!r}: not a criterion or an evidence column; criteria: "
                         f"{', '.join(BUILTIN)}; columns: {', '.join(columns)}")
    if op == "=":
        raise InputError(f"target {key!r}: a new target needs a comparator (<, <=, >, >=), "
                         f"e.g. {key}>={value:g}")
    return Target(id=key, column=key, comparator=op, value=value, source="user")  # type: ignore[arg-type]


def resolve_targets(targets: Mapping[str, float] | Sequence[str | Target] | None,
                    columns: Sequence[str], *, weights: Mapping[str, float] | None = None) -> tuple[Target, ...]:
    """The targets a screening uses: the defaults with the user's changes and additions.

    Parameters
    ----------
    targets : mapping, sequence or None
        ``{"sigma": 5e-4}`` (new values for built-in criteria), or a sequence of texts
        (``"sigma=5e-4"``, ``"Ea<0.4"``, ``"T_transition_K>=400"``) and :class:`Target` objects.
        A Target with a built-in id replaces that criterion; any other id is added.
    columns : sequence of str
        Evidence columns a user target may compare.
    weights : mapping, optional
        Criterion id -> weight in the score (default 1).
    """
    current = {t.id: t for t in default_targets()}
    items: list[Any]
    if targets is None:
        items = []
    elif isinstance(targets, Mapping):
        items = [(k, "=", v) for k, v in targets.items()]
    elif isinstance(targets, str):
        items = [targets]
    else:
        items = list(targets)
    optional = {t.id: t for t in optional_targets()}
    for item in items:
        cid = canonical_id(item) if isinstance(item, str) else None
        if cid in optional:  # a bare optional id: add it with its default threshold
            current[cid] = optional[cid]
            continue
        if isinstance(item, str | tuple):
            key = parse_target(item)[0] if isinstance(item, str) else item[0]
            if (cid := canonical_id(key)) in optional and cid not in current:
                current[cid] = optional[cid]
        _apply(current, item, columns)
    for key, weight in (weights or {}).items():
        cid = canonical_id(key) or key
        if cid not in current:
            raise InputError(f"weights: unknown criterion {key!r}; criteria: {', '.join(current)} "
                             "(add an optional one with a target first)")
        current[cid] = replace(current[cid], weight=weight)
    return tuple(current.values())


def _apply(current: dict[str, Target], item: Any, columns: Sequence[str]) -> None:
    if isinstance(item, Target):
        if not item.builtin and item.column not in columns:
            raise InputError(f"target {item.id!r}: column {item.column!r} is not an evidence column; "
                             f"columns: {', '.join(columns)}")
        current[item.id] = item
        return
    if isinstance(item, str):
        key, op, value = parse_target(item)
    elif isinstance(item, tuple) and len(item) == 3:
        key, op, value = item
        if not is_number(value):
            raise InputError(f"targets[{key!r}] must be a finite number, got {value!r}")
        value = float(value)
    else:
        raise InputError(f"targets: expected 'KEY=VALUE' text or a Target, got {item!r}")
    cid = canonical_id(key)
    if cid is not None:
        current[cid] = _override(current[cid], op, value, key)
    else:
        target = _custom(key, op, value, columns)
        current[target.id] = target
