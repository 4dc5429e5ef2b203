"""Shared plumbing of the stability package: names -> compositions, and the phase-diagram cache."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

from nitrolyte.errors import InputError, MissingDataError, NitrolyteError, UnknownMaterialError
from nitrolyte.names import name_key
from nitrolyte.stability.energies import EnergySource

if TYPE_CHECKING:
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Composition

    from nitrolyte.store.database import DatabaseLike

#: names the stability tools know without the database (keys: :func:`nitrolyte.names.name_key`)
_ALIASES: dict[str, str] = {name_key(name): formula for name, formula in {
    "Li": "Li",
    "lithium": "Li",
    "Li3N": "Li3N",
    "alpha-Li3N": "Li3N",
    "beta-Li3N": "Li3N",
    "vacancy-rich beta-Li3N": "Li3N",
    "vacancy-rich Li9N2Cl3": "Li9N2Cl3",
    "LiPON": "Li2.9PO3.3N0.46",
    "LGPS": "Li10GeP2S12",
    "NMC811": "LiNi0.8Mn0.1Co0.1O2",
}.items()}

#: cached phase diagrams: (source cache key, elements) -> PhaseDiagram
_PD_CACHE: dict[tuple[str, frozenset[str]], PhaseDiagram] = {}
_PD_CACHE_MAX = 512


#: the one name normalizer, under the name the stability modules import
_key = name_key


def _from_package_data(text: str) -> str | None:
    """Formula of a name of the curated package data (no database needed), or None."""
    try:
        from nitrolyte import dataset

        mid = dataset.name_index().get(dataset.normalize_name(text))
        if mid is None:
            return None
        frame = dataset.materials()
    except (ImportError, OSError, NitrolyteError):
        return None
    row = frame[frame["material_id"] == mid]
    formula = str(row["formula"].iloc[0]) if len(row) else ""
    if not formula or formula == "nan":
        raise MissingDataError(f"material {text!r} has no formula in the database; pass a formula")
    return formula


def _from_user_database(text: str, db: DatabaseLike | None = None) -> str | None:
    """Formula of a material in the user's database (user-added names), or None."""
    try:
        from nitrolyte import api

        record = api.get(text, db=db)
    except (ImportError, OSError, NitrolyteError):
        return None
    formula = str(getattr(record, "formula", "") or "")
    if not formula:
        raise MissingDataError(f"material {text!r} has no formula in the database; pass a formula")
    return formula


def _parse_formula(text: str) -> tuple[Composition | None, InputError | None]:
    """(composition, None) for a valid formula; (None, why) for formula-like text that is not one."""
    from pymatgen.core import Composition

    from nitrolyte.formula import looks_like_formula, parse_formula

    if not looks_like_formula(text):
        return None, None
    try:
        amounts = parse_formula(text)  # strict: "Li3N)", "Li3N0", "D3", "S1e400" are refused
    except InputError as exc:
        return None, exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Composition(amounts), None


def _known_names() -> list[str]:
    names = ["Li", "Li3N", "alpha-Li3N", "beta-Li3N", "Li9N2Cl3", "LiPON", "LGPS", "NMC811"]
    try:
        from nitrolyte import dataset

        names += [str(n) for n in dataset.materials()["name"]]
    except (ImportError, OSError, NitrolyteError):
        pass
    return names


def resolve_material(material: str, db: DatabaseLike | None = None) -> tuple[str, Composition]:
    """The display label and pymatgen ``Composition`` of a name or formula.

    Known names (``LiPON``, ``LGPS``, ``beta-Li3N``, ``β-Li3N``, ``NMC811``...) come first, then
    the names of the curated materials data (:mod:`nitrolyte.dataset`), then a chemical formula,
    then names the user added to the database (:func:`nitrolyte.api.get`).

    Raises
    ------
    InputError
        For an empty string.
    UnknownMaterialError
        When the text is neither a known name nor a formula.
    """
    from pymatgen.core import Composition

    if not isinstance(material, str) or not material.strip():
        raise InputError(f"material must be a formula or a material name, got {material!r}")
    text = material.strip()
    formula = _ALIASES.get(_key(text)) or _from_package_data(text)
    if formula is not None:
        return text, Composition(formula)
    comp, why = _parse_formula(text)
    if comp is None and (formula := _from_user_database(text, db)) is not None:
        comp = Composition(formula)
    if comp is None:
        detail = "" if why is None else f"and not a formula: {str(why).split(': ', 1)[-1]}"
        raise UnknownMaterialError(text, known=_known_names(), detail=detail)
    return text, comp


def formula_label(comp: Composition) -> str:
    """Plain formula: reduced if integral (``Li10GeP2S12``), else as given (``Li2.9PO3.3N0.46``)."""
    if all(abs(a - round(a)) < 1e-8 for a in comp.values()):
        comp = comp.reduced_composition
    return "".join(f"{el}{'' if abs(a - 1) < 1e-12 else f'{a:g}'}" for el, a in comp.items())


_ELEMENT_PHASES = {"Br": "Br2", "I": "I2"}


def phase_label(comp: Composition) -> str:
    """Name of a phase in results: the reduced formula, with Br2 and I2 for the elements."""
    if comp.is_element:
        return _ELEMENT_PHASES.get(str(comp.elements[0]), comp.reduced_formula)
    return formula_label(comp)


def chemsys(*comps: Composition, with_li: bool = True) -> frozenset[str]:
    """Element symbols of the compositions (plus Li)."""
    out = {str(el) for c in comps for el in c.elements}
    if with_li:
        out.add("Li")
    return frozenset(out)


def phase_diagram(elements: frozenset[str], source: EnergySource, *, use_cache: bool = True) -> PhaseDiagram:
    """The pymatgen ``PhaseDiagram`` of a chemical system from a source, cached per system.

    Raises
    ------
    MissingDataError
        When the source lacks an elemental entry (pymatgen needs every terminal element).
    """
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    key = (source.cache_key, elements)
    if use_cache and key in _PD_CACHE:
        return _PD_CACHE[key]
    entries = source.entries(elements)
    have = {str(e.composition.elements[0]) for e in entries if e.composition.is_element}
    lacking = sorted(elements - have)
    if lacking:
        raise MissingDataError(f"source {source.name!r} has no entry for the element(s) "
                               f"{', '.join(lacking)}; a phase diagram needs every element")
    pd_ = PhaseDiagram(entries)
    if use_cache:
        if len(_PD_CACHE) >= _PD_CACHE_MAX:
            _PD_CACHE.pop(next(iter(_PD_CACHE)))
        _PD_CACHE[key] = pd_
    return pd_


def clear_cache() -> None:
    """Forget every cached phase diagram."""
    _PD_CACHE.clear()


def full_reduction_products(comp: Composition) -> tuple[str, ...]:
    """Phases of full reduction by Li metal, from the composition alone (qualitative).

    Each anion-forming element (N, P, O, S, Se, Te, F, Cl, Br, I, As, Sb) ends as its
    lithium binary with the element in its lowest common oxidation state (Li3N, Li3P, Li2O,
    Li2S, LiCl...); any other element ends as the element or a Li alloy. No energies are used.
    """
    from pymatgen.core import Element

    anions = {"N", "P", "O", "S", "Se", "Te", "F", "Cl", "Br", "I", "As", "Sb"}
    out = []
    for el in sorted(comp.elements, key=lambda e: e.X):
        sym = str(el)
        if sym == "Li":
            continue
        if sym in anions:
            n = -min(Element(sym).common_oxidation_states)
            out.append(f"Li{n if n > 1 else ''}{sym}")
        else:
            out.append(f"{sym} (or Li-{sym} alloy)")
    return tuple(out)


def _entry_basis(entry: object, source_name: str) -> str:
    attr = getattr(entry, "attribute", None)
    kind = attr.get("kind") if isinstance(attr, dict) else None
    if kind == "ml":
        return f"ML ({attr.get('source', 'CHGNet')})"  # type: ignore[union-attr]
    if kind in ("experimental", "computed"):
        return f"{kind} (thermochemical table)"
    return f"source {source_name!r}"


def energy_basis(pd_: PhaseDiagram, phases: Iterable[str], source_name: str) -> dict[str, str]:
    """Which data gave the energy of each phase of a result (the scheme stated per phase).

    Parameters
    ----------
    pd_ : PhaseDiagram
    phases : iterable of str
        Phase labels as results print them (:func:`phase_label`).
    source_name : str
        Name of the source, used for entries that do not say where they come from.

    Returns
    -------
    dict
        Label -> ``"experimental (thermochemical table)"``, ``"ML (CHGNet, anchored scheme)"``,
        ``"element reference (0 eV)"``, ...; phases the diagram lacks are left out.
    """
    from pymatgen.core import Composition

    wanted: dict[str, str] = {}  # matched by reduced formula: Li6NBr3 is pymatgen's Li6Br3N
    for label in phases:
        wanted.setdefault(Composition(label).reduced_formula, label)
    out: dict[str, str] = {}
    for entry in sorted(pd_.all_entries, key=lambda e: e.energy_per_atom):
        label = wanted.get(entry.composition.reduced_formula)
        if label is not None and label not in out:
            out[label] = ("element reference (0 eV)" if entry.composition.is_element
                          else _entry_basis(entry, source_name))
    return out


def basis_text(basis: dict[str, str]) -> str:
    """``"Li2S: experimental (thermochemical table); S: element reference (0 eV)"``."""
    return "; ".join(f"{k}: {v}" for k, v in basis.items())
