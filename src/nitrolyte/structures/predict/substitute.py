"""``--from TEMPLATE...``: substitution into known structures.

A template is a library entry (shipped or the user's own, e.g. an OBELiX CIF added with
``structure add``), a CIF in ``../shared/external/structures/`` (by file stem) or a CIF path. Its
elements are mapped one to one onto the formula's (same reduced counts, matching formal charges;
the mapping with the highest pymatgen substitution probability wins), the cell is scaled to the
target's volume (sum of cubed ionic radii; atomic radii where an ion has none tabulated), relaxed coarsely (:data:`.model.COARSE`), and the
lowest template is relaxed finely (:data:`.model.FINE`) and kept. ``auto`` chooses templates with
pymatgen's :class:`SubstitutionPredictor` (Hautier et al., Inorg. Chem. 50, 656 (2011); its data
ship in pymatgen, offline): every charge-balanced substitution that ends in the formula names a
source composition, and every known structure of that composition is a template, ranked by the
substitution's probability. Relaxations are cached like the search's trials.
"""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitrolyte.checks import check_range
from nitrolyte.errors import InputError, MissingDataError
from nitrolyte.structures.predict.core import Prediction, reduced_formula, register_method
from nitrolyte.structures.predict.model import COARSE, FINE
from nitrolyte.structures.predict.search import _cached_path, _write

if TYPE_CHECKING:
    from pymatgen.core import Composition, Structure

    from nitrolyte.store.database import DatabaseLike
    from nitrolyte.structures.predict.model import Model

#: bump when the recipe changes (invalidates cached relaxations)
SUBSTITUTE_VERSION = "1"
#: templates relaxed by ``auto``
N_TEMPLATES = 4
#: lowest substitution probability ``auto`` considers (pymatgen's default)
THRESHOLD = 1e-3
#: largest template cell relaxed (atoms, primitive cell)
MAX_ATOMS = 60


@dataclass(frozen=True)
class Template:
    """A known structure, where it came from, and the element map onto the target formula."""

    name: str
    structure: Structure
    mapping: dict[str, str]
    probability: float


def external_folder() -> Path:
    """The project's sourced CIFs: ``$NITROLYTE_EXTERNAL_STRUCTURES``, else ``../shared/external/structures``
    beside a source checkout (absent in an installed package: then no external templates)."""
    import os

    given = os.environ.get("NITROLYTE_EXTERNAL_STRUCTURES")
    if given:
        return Path(given)
    return Path(__file__).resolve().parents[4].parent / "shared" / "external" / "structures"


def _oxidised(comp: Composition) -> dict[str, int]:
    """A charge-balanced oxidation state per element (pymatgen's most likely guess; formal charges else)."""
    from nitrolyte.structures.predict.prototypes import formal_charges

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guesses = comp.oxi_state_guesses(max_sites=-50)
    if guesses:
        return {el: round(q) for el, q in guesses[0].items()}
    charges = formal_charges()
    return {str(el): charges.get(str(el), 0) for el in comp.elements}


def best_mapping(template: Composition, target: Composition) -> tuple[dict[str, str], float] | None:
    """The element map template -> target with the same reduced counts and charge signs, highest
    substitution probability first (product of pymatgen's conditional probabilities); None if none."""
    from pymatgen.core import Species

    src, dst = template.reduced_composition, target.reduced_composition
    if len(src) != len(dst):
        return None
    q_src, q_dst = _oxidised(src), _oxidised(dst)
    prob_model = _probability()
    best: tuple[dict[str, str], float] | None = None
    src_els = [str(e) for e in src.elements]
    for perm in permutations([str(e) for e in dst.elements]):
        pairs = list(zip(src_els, perm, strict=True))
        if any(abs(src[a] - dst[b]) > 1e-6 or q_src[a] * q_dst[b] <= 0 for a, b in pairs):
            continue
        p = 1.0
        for a, b in pairs:
            try:
                p *= prob_model.cond_prob(Species(a, q_src[a]), Species(b, q_dst[b]))
            except (KeyError, ValueError, ZeroDivisionError):  # a species the probability table lacks
                p *= 0.0
        if best is None or p > best[1]:
            best = (dict(pairs), p)
    return best


@functools.cache
def _probability() -> Any:
    """pymatgen's substitution probability model (its lambda table ships in pymatgen; loaded once)."""
    from pymatgen.analysis.structure_prediction.substitution_probability import (
        SubstitutionProbability,
    )

    return SubstitutionProbability()


def known_structures(db: DatabaseLike | None = None, *, skip_formula: str | None = None) -> dict[str, Structure]:
    """Every ordered known structure: library entries (shipped and the user's, never predicted ones)
    and the external CIFs; ``skip_formula`` leaves that reduced formula's out (a blind prediction)."""
    from nitrolyte.structures.library import library_entries, library_structure, user_entries

    out: dict[str, Structure] = {}
    entries = [e for e in (*library_entries(), *_users(user_entries, db)) if e.kind not in ("predicted", "molecule")]
    for entry in entries:
        if skip_formula and _reduced_or_none(entry.formula) == skip_formula:
            continue
        try:
            out[entry.name] = library_structure(entry.name)
        except Exception:  # an entry that does not build is not a template
            continue
    for path in sorted(external_folder().glob("*.cif")):
        struct = _read(path)
        if struct is not None and struct.composition.reduced_formula != skip_formula:
            out[path.stem] = struct
    return {k: v for k, v in out.items() if v.is_ordered}


def _users(user_entries: Any, db: DatabaseLike | None) -> tuple[Any, ...]:
    try:
        return tuple(user_entries(db))
    except Exception:  # no store configured: only the shipped library and the external CIFs
        return ()


def _reduced_or_none(formula: str) -> str | None:
    try:
        return reduced_formula(formula)
    except Exception:
        return None


def _read(path: Path) -> Structure | None:
    from pymatgen.core import Structure as _Structure

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _Structure.from_file(str(path))
    except Exception:
        return None


def named_templates(names: list[str], db: DatabaseLike | None = None) -> dict[str, Structure]:
    """The structures of ``names``: library entries, external CIF stems or CIF paths (InputError naming an unknown one)."""
    from nitrolyte.structures.library import library_structure

    out: dict[str, Structure] = {}
    external = {p.stem: p for p in external_folder().glob("*.cif")}
    for name in names:
        path = Path(name)
        if name in external or (path.suffix.lower() == ".cif" and path.is_file()):
            struct = _read(external.get(name, path))
            if struct is None:
                raise InputError(f"--from: {name} is not a readable CIF")
            out[name] = struct
            continue
        try:
            out[name] = library_structure(name)
        except Exception:
            raise InputError(f"--from: {name!r} is neither a library entry nor a CIF "
                             f"(external: {', '.join(sorted(external)) or 'none'})") from None
    return out


def auto_templates(target: Composition, pool: dict[str, Structure], *, threshold: float = THRESHOLD,
                   n: int = N_TEMPLATES) -> list[Template]:
    """Templates of ``target`` chosen by pymatgen's SubstitutionPredictor, most probable first."""
    from pymatgen.analysis.structure_prediction.substitution_probability import (
        SubstitutionPredictor,
    )
    from pymatgen.core import Composition as _Composition
    from pymatgen.core import Species

    q = _oxidised(target)
    charged = _Composition({Species(str(el), q[str(el)]): amt for el, amt in target.reduced_composition.items()})
    try:
        subs = SubstitutionPredictor(threshold=threshold).composition_prediction(charged)
    except ValueError as exc:  # a species the probability table lacks
        raise MissingDataError(f"--from auto: no substitution probabilities for {target.reduced_formula}: {exc}") from None
    by_formula: dict[str, float] = {}
    for sub in subs:  # {source species: target species}
        src = {s.symbol: t.symbol for s, t in sub["substitutions"].items()}
        formula = _Composition({s: target.reduced_composition[t] for s, t in src.items()}).reduced_formula
        by_formula[formula] = max(by_formula.get(formula, 0.0), float(sub["probability"]))
    found = []
    for name, struct in pool.items():
        p = by_formula.get(struct.composition.reduced_formula)
        mapping = best_mapping(struct.composition, target) if p is not None else None
        if mapping is not None:
            found.append(Template(name, struct, mapping[0], p))
    return sorted(found, key=lambda t: (-t.probability, t.name))[:n]


def substituted(template: Template, target: Composition) -> Structure:
    """The template's primitive cell with the mapped elements, its volume scaled to the target's."""
    struct = template.structure.get_primitive_structure()
    before = struct.composition
    struct.replace_species(template.mapping)
    old, new = _ionic_volume(before), _ionic_volume(struct.composition)
    if not old or not new:
        old, new = _ionic_volume(before, ionic=False), _ionic_volume(struct.composition, ionic=False)
    if old and new:
        struct.scale_lattice(struct.volume * new / old)
    if struct.composition.reduced_formula != target.reduced_formula:
        raise InputError(f"--from {template.name}: substitution gives {struct.composition.reduced_formula}, "
                         f"not {target.reduced_formula}")
    return struct


def _ionic_volume(comp: Composition, ionic: bool = True) -> float | None:
    """Sum over atoms of the cubed ionic radius (Å^3; ``ionic=False`` or an ion without a tabulated
    radius: None, so both cells are scaled by atomic radii instead)."""
    from pymatgen.core import Species

    q = _oxidised(comp)
    total = 0.0
    for el, amt in comp.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            radius = Species(str(el), q[str(el)]).ionic_radius if ionic else el.atomic_radius
        if not radius:
            return None
        total += float(amt) * float(radius) ** 3
    return total


def _key(template: Template, version: str, stage: str) -> str:
    from nitrolyte.structures.atomistic.relax import structure_hash

    criterion = COARSE if stage == "coarse" else FINE
    payload = json.dumps([SUBSTITUTE_VERSION, structure_hash(template.structure), sorted(template.mapping.items()),
                          version, stage, list(criterion)])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _relax(model: Model, template: Template, struct: Structure, stage: str,
           folder: str | None) -> tuple[float, Structure, bool]:
    from pymatgen.core import Structure as _Structure

    path = _cached_path(folder, _key(template, model.version, stage))
    if path is not None and path.is_file():
        raw = json.loads(path.read_text())
        return float(raw["energy_eV_atom"]), _Structure.from_dict(raw["structure"]), True
    fmax, steps = COARSE if stage == "coarse" else FINE
    energy, final, _ = model.relax(struct, fmax=fmax, steps=steps)
    _write(path, {"energy_eV_atom": float(energy), "structure": final.as_dict()})
    return float(energy), final, False


def default_folder() -> str | None:
    """Where relaxed substitutions are kept: ``<cache dir>/predict-substitute`` (None when caching is off)."""
    from nitrolyte.data.cache import cache_dir

    folder = cache_dir()
    return None if folder is None else str(folder / "predict-substitute")


@register_method("substitute")
def predict_substitute(formula: str, model: Model, *, templates: list[str], exclude_known: bool = False,
                       n_templates: int = N_TEMPLATES, threshold: float = THRESHOLD, max_atoms: int = MAX_ATOMS,
                       folder: str | None = "default", db: DatabaseLike | None = None, **_: Any) -> Prediction:
    """The lowest of ``formula`` substituted into known structures.

    Parameters
    ----------
    formula : str
        The compound.
    model : Model
        The potential.
    templates : list of str
        Library entries, external CIF stems or CIF paths; ``["auto"]``: chosen by substitution probability.
    exclude_known : bool
        Leave the structures of ``formula`` itself out of ``auto``'s pool (a blind prediction).
    n_templates : int
        Templates ``auto`` relaxes (1-50).
    threshold : float
        Lowest substitution probability ``auto`` considers (0-1).
    max_atoms : int
        Templates with a larger primitive cell are skipped (atoms, 1-500).
    folder : str or None
        Cache folder (``"default"``: :func:`default_folder`; None: no cache).
    """
    from pymatgen.core import Composition as _Composition

    check_range("n_templates", n_templates, lo=1, hi=50)
    check_range("threshold", threshold, lo=0.0, hi=1.0)
    check_range("max_atoms", max_atoms, lo=1, hi=500)
    if not templates:
        raise InputError("--from needs at least one template name (or 'auto')")
    reduced = reduced_formula(formula)
    target = _Composition(reduced)
    if list(templates) == ["auto"]:
        pool = known_structures(db, skip_formula=reduced if exclude_known else None)
        chosen = auto_templates(target, pool, threshold=threshold, n=int(n_templates))
        how = "auto"
    else:
        chosen = []
        for name, struct in named_templates(list(templates), db).items():
            mapping = best_mapping(struct.composition, target)
            if mapping is None:
                raise InputError(f"--from {name}: {struct.composition.reduced_formula} has no element map onto "
                                 f"{reduced} (same counts, matching charges)")
            chosen.append(Template(name, struct, *mapping))
        how = "given"
    chosen = [t for t in chosen if len(t.structure.get_primitive_structure()) <= max_atoms]
    if not chosen:
        raise MissingDataError(f"--from auto: no known structure is a charge-balanced substitution of {reduced} "
                               f"(probability >= {threshold:g}{', own structures hidden' if exclude_known else ''}); "
                               "try --type or --search")
    where = default_folder() if folder == "default" else folder
    coarse = []
    cached = 0
    for t in chosen:
        energy, final, hit = _relax(model, t, substituted(t, target), "coarse", where)
        coarse.append((energy, t, final))
        cached += hit
    _, best_t, start = min(coarse, key=lambda c: (c[0], c[1].name))
    energy, best, hit = _relax(model, best_t, start, "fine", where)
    details = {"templates": [{"name": t.name, "map": t.mapping, "probability": round(t.probability, 5),
                              "coarse_eV_atom": round(e, 5)} for e, t, _ in coarse],
               "template": best_t.name, "templates_chosen": how, "cached_relaxations": cached + hit}
    return Prediction(reduced, f"substitution {best_t.name}", model.version, best, float(energy),
                      trials=len(chosen), ensemble_size=len(chosen), details=details)
