"""The ``ml`` energy source: ML-potential energies of the validated structure library, offline.

One source per registered potential (:mod:`nitrolyte.potentials`; ``ml`` is the default model,
CHGNet); every result computed from an ML source is also computed with the other models of the
committee (:mod:`nitrolyte.stability.committee`), whose spread is its uncertainty.

Every library entry that passes validation (:mod:`nitrolyte.structures.validate`, relaxation
included) becomes a phase-diagram entry. Raw ML energies are not comparable across chemistries
(GGA over-binds O2/N2 and misplaces anions), so a *scheme* turns them into formation energies;
two are registered (see ``docs/stability.md`` for the measurements behind the default):

* ``anchored`` (default): MP2020 anion corrections, then each element X that has an experimental
  lithium binary Li_nX in the embedded thermochemical table (N, F, Cl, Br, I, O) gets the chemical
  potential that reproduces that binary's standard Gibbs energy of formation at 298.15 K,

  .. math:: \\mu_X = \\left[E(\\mathrm{Li}_n\\mathrm{X}) - n\\,\\mu_\\mathrm{Li} - \\Delta_f G^\\circ(\\mathrm{Li}_n\\mathrm{X})\\right]/m

  (fitted elemental references; gas entropy at 298 K is absorbed into :math:`\\mu_X`); every other
  element keeps its relaxed elemental energy. AlN and BN are not used as anchors: they are checks.
* ``mp2020``: MP2020 anion corrections with relaxed elemental references (Li metal, N2, Cl2, ...
  molecules in a box, S8 ring); formation *enthalpies* at 0 K in effect.

Formation energies are in eV per formula unit, elements at zero, like the embedded table.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError
from nitrolyte.stability.energies import KJ_MOL_PER_EV, MissingPhase, element_entries

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.analysis.phase_diagram import PDEntry

    from nitrolyte.store.database import DatabaseLike

#: the scheme used when ``source="ml"``
DEFAULT_SCHEME = "anchored"
SCHEMES: dict[str, Callable[[pd.DataFrame], dict[str, float]]] = {}


def scheme(name: str) -> Callable[[Callable[[pd.DataFrame], dict[str, float]]],
                                   Callable[[pd.DataFrame], dict[str, float]]]:
    """Register a function ``rows -> {element: mu (eV/atom)}`` as a cross-chemistry scheme."""
    def deco(fn: Callable[[pd.DataFrame], dict[str, float]]) -> Callable[[pd.DataFrame], dict[str, float]]:
        SCHEMES[name] = fn
        return fn
    return deco


@functools.cache
def _mp2020_compatibility() -> Any:
    from pymatgen.entries.compatibility import MaterialsProject2020Compatibility

    return MaterialsProject2020Compatibility(check_potcar=False)


def _mp2020_correction_per_fu(formula: str, energy_per_fu: float) -> float:
    import warnings

    from pymatgen.entries.computed_entries import ComputedEntry

    compat = _mp2020_compatibility()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = compat.process_entry(ComputedEntry(formula, energy_per_fu,
                                                 parameters={"run_type": "GGA", "hubbards": {}}))
    return 0.0 if out is None else float(out.correction)


def _mp2020_corrections(pairs: list[tuple[str, float]]) -> list[float]:
    """MP2020 corrections (eV per formula unit) of ``(reduced formula, energy per fu)`` pairs.

    A pure function of the pairs and the pymatgen version, remembered in the per-data-hash cache
    (:mod:`nitrolyte.data.cache`): importing pymatgen's compatibility module alone takes about
    two seconds, which every ``window`` command would otherwise pay.
    """
    import json
    from importlib.metadata import version

    from nitrolyte.data.cache import once_per_data

    digest = hashlib.sha256(json.dumps([version("pymatgen"), pairs]).encode()).hexdigest()[:24]
    return [float(c) for c in json.loads(once_per_data(
        f"mp2020_corrections_{digest}",
        lambda: json.dumps([_mp2020_correction_per_fu(f, e) for f, e in pairs])))]


def corrected_rows(energies: pd.DataFrame) -> pd.DataFrame:
    """Valid rows with ``E_fu_eV`` (ML energy + MP2020 correction, eV per reduced formula unit)."""
    from pymatgen.core import Composition

    ok = energies[energies["ok"].astype(bool)].copy()
    n_fu = [Composition(f).reduced_composition.num_atoms for f in ok["formula"]]
    raw = ok["energy_per_atom_eV"].astype(float).to_numpy() * n_fu
    ok["reduced_formula"] = [Composition(f).reduced_formula for f in ok["formula"]]
    pairs = [(str(f), float(e)) for f, e in zip(ok["reduced_formula"], raw, strict=True)]
    ok["E_fu_eV"] = [e + c for (_, e), c in zip(pairs, _mp2020_corrections(pairs), strict=True)]
    ok["atoms_fu"] = n_fu
    return ok


def _element_mu(rows: pd.DataFrame) -> dict[str, float]:
    """Relaxed elemental energy per atom (lowest polymorph) from the element rows."""
    from pymatgen.core import Composition

    mu: dict[str, float] = {}
    for _, r in rows.iterrows():
        comp = Composition(r["formula"])
        if comp.is_element:
            el = str(comp.elements[0])
            mu[el] = min(mu.get(el, float("inf")), float(r["E_fu_eV"]) / comp.reduced_composition.num_atoms)
    return mu


@scheme("mp2020")
def _mp2020(rows: pd.DataFrame) -> dict[str, float]:
    return _element_mu(rows)


#: experimental binaries whose Gibbs energy fixes the anion's chemical potential (anchored scheme)
ANCHORS = ("Li3N", "LiF", "LiCl", "LiBr", "LiI", "Li2O")


@scheme("anchored")
def _anchored(rows: pd.DataFrame) -> dict[str, float]:
    from pymatgen.core import Composition

    from nitrolyte.stability.energies import thermochemistry

    mu = _element_mu(rows)
    table = thermochemistry().set_index("formula")
    for formula in ANCHORS:
        own = rows[rows["reduced_formula"] == formula]
        if own.empty or "Li" not in mu or formula not in table.index:
            continue
        comp = Composition(formula)
        x = next(str(el) for el in comp.elements if str(el) != "Li")
        dg = float(table.loc[formula, "dGf_kJ_mol"]) / KJ_MOL_PER_EV
        e_fu = float(own["E_fu_eV"].min())
        mu[x] = (e_fu - comp["Li"] * mu["Li"] - dg) / comp[x]
    return mu


def formation_energies(energies: pd.DataFrame, scheme_name: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Formation energy per formula unit and per atom of every valid library row under a scheme.

    Returns
    -------
    pandas.DataFrame
        ``name, reduced_formula, dE_fu_eV`` (eV per formula unit), ``dE_atom_eV`` and
        ``dE_kJ_mol`` (kJ per mol of formula units); rows lacking an element reference are dropped.
    """
    from pymatgen.core import Composition

    if scheme_name not in SCHEMES:
        raise InputError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme_name!r}")
    rows = corrected_rows(energies)
    mu = SCHEMES[scheme_name](rows)
    out = []
    for _, r in rows.iterrows():
        comp = Composition(r["reduced_formula"])
        if any(str(el) not in mu for el in comp.elements):
            continue
        de = float(r["E_fu_eV"]) - sum(comp[el] * mu[str(el)] for el in comp.elements)
        out.append({"name": r["name"], "reduced_formula": r["reduced_formula"], "dE_fu_eV": de,
                    "dE_atom_eV": de / comp.num_atoms, "dE_kJ_mol": de * KJ_MOL_PER_EV})
    import pandas as pd

    return pd.DataFrame(out, columns=["name", "reduced_formula", "dE_fu_eV", "dE_atom_eV", "dE_kJ_mol"])


class MLSource:
    """Energies of the validated structure library from an offline ML potential.

    Parameters
    ----------
    scheme : {"anchored", "mp2020"}
        How ML energies are made comparable across chemistries (module docstring).
    energies : pandas.DataFrame, optional
        A :func:`nitrolyte.structures.atomistic.library_energies.library_energies` table; by default
        the packaged table of the model (precomputed with it), recomputing entries it lacks. A
        table given here has no committee (it is one model's).
    potential : str, optional
        A registered potential (:data:`nitrolyte.potentials.POTENTIALS`); the default model if None.
    compute : bool
        Relax library entries the model's packaged table lacks (False for a committee member,
        which reads packaged and cached energies only and names what it lacks).
    db : Database, URL or path, optional
        The database whose user structures join the library and whose cache holds computed
        energies (default: the user's database).
    """

    requires_structure = True

    def __init__(self, scheme: str = DEFAULT_SCHEME, energies: pd.DataFrame | None = None,
                 potential: str | None = None, compute: bool = True,
                 db: DatabaseLike | None = None):
        from nitrolyte.potentials import get_potential

        if scheme not in SCHEMES:
            raise InputError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
        self.scheme = scheme
        self.potential = get_potential(potential)
        self.name = source_name("ml" if scheme == DEFAULT_SCHEME else f"ml:{scheme}", self.potential.name)
        self._custom = energies is not None
        self._compute = compute
        self.db = db
        self._energies = energies
        self._complete = energies is not None
        if energies is not None:
            digest = hashlib.sha1(energies.to_csv(index=False).encode()).hexdigest()[:12]
        else:  # what the energies are made of, without relaxing anything
            digest = _plan_digest(self.potential.name, db)
        model = "" if self.potential.name == get_potential().name else f"{self.potential.name}:"
        self.cache_key = f"ml:{model}{scheme}:{digest}"

    def energies(self, elements: frozenset[str] | None = None) -> pd.DataFrame:
        """The per-structure ML energy table this source uses.

        Parameters
        ----------
        elements : frozenset of str, optional
            Only the entries of this chemical system need to be current: user structures of
            other systems are not relaxed (the packaged rows are always there).
        """
        if self._complete:
            return self._energies  # type: ignore[return-value]
        table = _library_table(self.potential.name, self._compute, elements, self.db)
        if self._energies is not None:
            import pandas as pd

            table = pd.concat([self._energies, table[~table["name"].isin(self._energies["name"])]],
                              ignore_index=True)
        if self._energies is None or len(table) != len(self._energies):
            self._energies = table
            self.__dict__.pop("formation", None)  # recomputed with the new rows
        self._complete = elements is None
        return self._energies

    def with_potential(self, potential: str, compute: bool = True) -> MLSource:
        """The same source with another registered model (itself for its own model)."""
        return (self if potential == self.potential.name
                else ml_source(self.scheme, potential, compute, self.db))

    def with_database(self, db: DatabaseLike | None) -> MLSource:
        """The same source over another database's user structures (itself for a given table)."""
        if self._custom or db == self.db:
            return self
        return ml_source(self.scheme, self.potential.name, self._compute, db)

    def lacks(self, elements: frozenset[str]) -> dict[str, str]:
        """Library entries of the system (name -> reduced formula) whose energy this model has not
        computed: a result of the system from this model would rest on a smaller phase set."""
        table = self.energies(elements)
        return {str(r["name"]): _reduced(r["formula"]) for _, r in table.iterrows()
                if str(r["failures"]).startswith(NOT_COMPUTED)
                and {str(el) for el in _composition(r["formula"]).elements} <= elements}

    def committee_members(self) -> list[tuple[str, MLSource]]:
        """(model name, source) of every committee model, the default first; [] for a given table."""
        from nitrolyte.potentials import committee

        if self._custom:
            return []
        return [(p.name, self.with_potential(p.name, compute=False)) for p in committee()]

    @functools.cached_property
    def formation(self) -> pd.DataFrame:
        """Formation energies of the valid rows computed so far under this source's scheme
        (every row of the packaged table, user structures of the systems asked about)."""
        if self._energies is None:
            self.energies(frozenset())
        return formation_energies(self._energies, self.scheme)

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """Element references at zero plus every valid library phase of the system (eV per f.u.)."""
        from pymatgen.analysis.phase_diagram import PDEntry
        from pymatgen.core import Composition

        table = self.energies(elements)
        out = element_entries(elements)
        predicted = {}  # a given table may lack the columns
        if {"kind", "source"} <= set(table.columns):
            predicted = {str(n): str(src) for n, k, src in zip(table["name"], table["kind"], table["source"],
                                                                strict=True) if k == "predicted"}  # predicted structures say so wherever their energy is used
        for _, r in self.formation.iterrows():
            comp = Composition(r["reduced_formula"])
            if comp.is_element or not {str(el) for el in comp.elements} <= elements:
                continue
            # pymatgen's interface reactions parse entry names as formulas: the entry name is one
            out.append(PDEntry(comp, float(r["dE_fu_eV"]), name=comp.reduced_formula,
                               attribute={"kind": "ml", "structure": str(r["name"]),
                                          "source": f"{self.potential.label}, {self.scheme} scheme"
                                          + (f"; structure {predicted[r['name']]}" if r["name"] in predicted else "")}))
        return out

    def missing_structure_message(self, formula: str) -> str:
        """The one-line answer when a composition has no validated structure in the library."""
        from nitrolyte.names import name_key

        target = _reduced(formula)
        table = self.energies(_elements(target) | {"Li"})
        uncomputed = _uncomputed(table, {target, *(str(el) for el in _composition(target).elements)})
        if uncomputed:
            return (f"source {self.name!r} ({self.potential.label}) has no energy of "
                    f"{', '.join(uncomputed)}: {uncomputed[next(iter(uncomputed))]}")
        # by formula, or by an entry named like the formula whose structure is something else
        flagged = [f"{r['name']} ({r['failures']})" for _, r in table.iterrows()
                   if not bool(r["ok"]) and (_reduced(r["formula"]) == target
                                             or name_key(str(r["name"])) == name_key(formula))]
        if flagged:
            return (f"the library structure of {formula} failed validation and is left out: "
                    f"{'; '.join(flagged)}; supply a better one with 'nitrolyte structure NAME --cif FILE'")
        unreferenced = self._elements_without_reference(target)
        if unreferenced:
            return (f"the library structure of {formula} has an ML energy, but no valid structure of element "
                    f"{', '.join(unreferenced)} is in the library to reference it; add one with "
                    "'nitrolyte structure NAME --cif FILE'")
        return (f"no structure for {formula} in the structure library, so source {self.name!r} has no "
                f"energy for it; predict one with 'nitrolyte structure predict {formula} --type TYPE' "
                "(or --search N), or add yours with 'nitrolyte structure NAME --cif FILE'")

    def _elements_without_reference(self, reduced_formula: str) -> list[str]:
        """Elements of a valid library phase that have no valid elemental structure (sorted)."""
        from pymatgen.core import Composition

        table = self.energies(_elements(reduced_formula) | {"Li"})
        own = table[table["ok"].astype(bool) & (table["formula"].map(_reduced) == reduced_formula)]
        if own.empty:
            return []
        have = {str(Composition(f).elements[0]) for f, ok in zip(table["formula"], table["ok"], strict=True)
                if bool(ok) and Composition(f).is_element}
        return sorted(str(el) for el in Composition(reduced_formula).elements if str(el) not in have)

    def missing_phases(self, elements: frozenset[str]) -> tuple[MissingPhase, ...]:
        """Known phases of the system this source has no energy for.

        The embedded table's ``missing`` rows, the library structures that failed validation
        (flagged: left out), and the phases the experimental table holds that the library lacks
        (BN, whose structure is flagged, is a missing phase of Li-B-N here).
        """
        from nitrolyte.stability.energies import _default_embedded

        table = _default_embedded()
        out = list(table.missing_phases(elements)) + self.flagged_phases(elements)
        out += [MissingPhase(r["formula"], r["name"], f"not in source {self.name!r}: no validated "
                             "structure (the experimental table holds it)")
                for r in table._rows(elements, missing=False) if len(_elements(r["formula"])) > 1]
        return _unique_missing(out, set(self.formation["reduced_formula"]))

    def flagged_phases(self, elements: frozenset[str]) -> list[MissingPhase]:
        """Library structures of the system that failed validation (left out of every diagram)."""
        table = self.energies(elements)
        return [MissingPhase(str(r["formula"]), str(r["name"]), f"structure flagged: {r['failures']}")
                for _, r in table.iterrows()
                if not bool(r["ok"]) and _elements(str(r["formula"])) <= elements]


#: how library_energies marks a row whose energy was not computed here
NOT_COMPUTED = "ML energy not computed: "


def _uncomputed(table: pd.DataFrame, formulas: set[str]) -> dict[str, str]:
    """Library entries of these reduced formulas (elements: any polymorph) whose energy was not
    computed, each with why, when no entry of the same formula has one."""
    out: dict[str, str] = {}
    done = {_reduced(f) for f, ok in zip(table["formula"], table["ok"], strict=True) if bool(ok)}
    for _, r in table.iterrows():
        f = _reduced(r["formula"])
        if f in formulas and f not in done and str(r["failures"]).startswith(NOT_COMPUTED):
            out.setdefault(str(r["name"]), str(r["failures"])[len(NOT_COMPUTED):])
    return out


def _reduced(formula: str) -> str:
    from pymatgen.core import Composition

    return Composition(formula).reduced_formula


def _elements(formula: str) -> frozenset[str]:
    from nitrolyte.stability.energies import _elements_of

    return _elements_of(formula)


def _unique_missing(phases: list[MissingPhase], have: set[str]) -> tuple[MissingPhase, ...]:
    """One entry per reduced formula, the first reason kept, phases in ``have`` dropped."""
    out: dict[str, MissingPhase] = {}
    for m in phases:
        key = _reduced(m.formula)
        if key not in have:
            out.setdefault(key, m)
    return tuple(out.values())


def _plan_digest(potential: str | None = None, db: DatabaseLike | None = None) -> str:
    """Digest of what the library's energies are made of (packaged rows, entries to compute)."""
    import json

    from nitrolyte.structures.atomistic.library_energies import plan
    from nitrolyte.structures.library import entry_hash

    have, todo = plan(potential, db=db)
    payload = have.to_csv(index=False) + json.dumps([(n, entry_hash(n, db)) for n in todo])
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def _library_table(potential: str | None = None, compute: bool = True,
                   elements: frozenset[str] | None = None, db: DatabaseLike | None = None
                   ) -> pd.DataFrame:
    """A model's packaged table where still valid, completed by computing (and caching) the rest
    (of the system ``elements`` only, when given)."""
    from nitrolyte.structures.atomistic.library_energies import current_energies

    return current_energies(potential, compute=compute, elements=elements, db=db)


def source_name(base: str, potential: str | None) -> str:
    """``"ml"`` for the default model, ``"ml@sevennet"`` for another (the ``--source`` spelling)."""
    from nitrolyte.potentials import get_potential

    return base if potential in (None, get_potential().name) else f"{base}@{potential}"


@functools.cache
def ml_source(scheme: str = DEFAULT_SCHEME, potential: str | None = None, compute: bool = True,
              db: DatabaseLike | None = None) -> MLSource:
    """The library source of a scheme, registered model and database, built once per process.

    ``compute=False`` (committee members): packaged and cached energies only, nothing relaxed.
    """
    from nitrolyte.potentials import get_potential

    return MLSource(scheme, potential=get_potential(potential).name, compute=compute, db=db)


@functools.cache
def hybrid_source(potential: str | None = None, compute: bool = True,
                  db: DatabaseLike | None = None) -> HybridSource:
    """The ``auto`` source with a registered model for its ML phases, built once per process."""
    return HybridSource(ml_source(DEFAULT_SCHEME, potential, compute, db))


def energy_above_hull_table(source: MLSource | None = None, *, committee: bool = True,
                            db: DatabaseLike | None = None) -> pd.DataFrame:
    """Every library entry with its validation and energy above the hull (meV/atom).

    The hull of each entry's own chemical system is built from the valid entries of ``source``
    (the default ``ml`` source); flagged entries get NaN. ``e_above_hull_meV_atom_spread`` is the
    max minus min over the committee of ML models (NaN without one or for fewer than two values).
    """
    from nitrolyte.stability import committee as cm

    src = source if source is not None else ml_source(db=db)
    table = _hull_table(src)
    members = cm.members(src) if committee else []
    columns = [_comparable((table if s is src else _hull_table(s)), s) for _, s in members]
    table["e_above_hull_meV_atom_spread"] = [cm.spread(c.get(n, float("nan")) for c in columns)
                                             for n in table["name"]]
    return table


def _comparable(table: pd.DataFrame, src: MLSource) -> pd.Series:
    """Energy above hull by entry name, NaN where the model lacks entries of the entry's system."""
    out = table.set_index("name")["e_above_hull_meV_atom"].copy()
    for name, formula in zip(table["name"], table["formula"], strict=True):
        if src.lacks(frozenset(str(el) for el in _composition(formula).elements)):
            out[name] = float("nan")
    return out


def _hull_table(src: MLSource) -> pd.DataFrame:
    from nitrolyte.stability._common import phase_diagram

    table = src.energies().copy()
    valid = set(src.formation["name"])
    e_hull = []
    for _, row in table.iterrows():
        if row["name"] not in valid:
            e_hull.append(float("nan"))
            continue
        comp = _composition(row["formula"])
        if comp.is_element:  # the element references define the zero of their own hull
            e_hull.append(0.0)
            continue
        elements = frozenset(str(el) for el in comp.elements)
        pd_ = phase_diagram(elements, src)
        entry = next(e for e in pd_.all_entries
                     if isinstance(e.attribute, dict) and e.attribute.get("structure") == row["name"])
        e_hull.append(1000.0 * float(pd_.get_e_above_hull(entry)))
    table["e_above_hull_meV_atom"] = e_hull
    return table


def _composition(formula: str) -> Any:
    from pymatgen.core import Composition

    return Composition(formula)


class HybridSource:
    """Experimental energies where the embedded table has them, anchored ML energies elsewhere.

    One consistent scheme: the anchored ML references reproduce the experimental Gibbs energies
    of the lithium binaries, so an ML phase sits on the same scale as the tabulated ones. Each
    entry's ``attribute["kind"]`` says which it is (``"experimental"`` or ``"ml"``). Registered as
    ``"auto"`` (name ``"embedded+ml"``).
    """

    def __init__(self, ml: MLSource | None = None):
        from nitrolyte.stability.energies import _default_embedded

        self.embedded = _default_embedded()
        self.ml = ml if ml is not None else ml_source(DEFAULT_SCHEME)
        self.name = source_name("embedded+ml", self.ml.potential.name)
        self.cache_key = f"hybrid:{self.embedded.cache_key}:{self.ml.cache_key}"

    def with_potential(self, potential: str, compute: bool = True) -> HybridSource:
        """The same source with another registered model for its ML phases."""
        return (self if potential == self.ml.potential.name
                else hybrid_source(potential, compute, self.ml.db))

    def with_database(self, db: DatabaseLike | None) -> HybridSource:
        """The same source over another database's user structures."""
        ml = self.ml.with_database(db)
        return self if ml is self.ml else hybrid_source(ml.potential.name, ml._compute, db)

    def lacks(self, elements: frozenset[str]) -> dict[str, str]:
        """The ML entries of the system this model lacks that the embedded table does not hold
        (elements count as lacking: the ML phases are referenced to the model's own elements)."""
        have = {e.composition.reduced_formula for e in self.embedded.entries(elements)
                if not e.composition.is_element}
        return {n: f for n, f in self.ml.lacks(elements).items() if f not in have}

    def committee_members(self) -> list[tuple[str, HybridSource]]:
        """(model name, source) of every committee model; [] when its ML table was given."""
        return [(name, self.with_potential(name, compute=False)) for name, _ in self.ml.committee_members()]

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """Embedded entries plus the ML entries of formulas the table does not hold."""
        own = self.embedded.entries(elements)
        have = {e.composition.reduced_formula for e in own}
        return own + [e for e in self.ml.entries(elements) if e.composition.reduced_formula not in have]

    def missing_phases(self, elements: frozenset[str]) -> tuple[MissingPhase, ...]:
        """Phases missing from both: the table's ``missing`` rows without a valid ML structure, and
        flagged library structures of phases the table does not hold."""
        have = {e.composition.reduced_formula for e in self.entries(elements)}
        out = list(self.embedded.missing_phases(elements)) + self.ml.flagged_phases(elements)
        return _unique_missing(out, have)
