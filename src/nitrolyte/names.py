"""The one name resolver: how a material name, alias or formula becomes a lookup key.

Every module and command that looks a material (or a cell component, a structure, a family) up
by name goes through :func:`name_key`, so ``"β-Li₃N"``, ``"beta-Li3N"``, ``"beta_Li3N"``,
``"beta Li3N"`` and ``"BETA–li3n"`` are the same key everywhere. :class:`NameIndex` adds the
rules for a set of materials: names and aliases first, then formulas (a formula shared by
several materials is an :class:`~nitrolyte.errors.AmbiguousNameError` listing them), and
:func:`suggest` ranks close matches for an unknown name by a similarity of the keys.

No heavy imports here: this module sits on every command's start-up path.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Bumped whenever the rules of :func:`name_key` change (stored keys are rebuilt when it differs).
#: 2: underscores, spaces and every dash are separators and are dropped; more Greek letters.
NAMES_VERSION = 2

#: Greek letters (and look-alikes) and their spelled names, as they occur in phase names
GREEK = {"α": "alpha", "ɑ": "alpha", "β": "beta", "ϐ": "beta", "γ": "gamma", "δ": "delta",
         "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa",
         "λ": "lambda", "μ": "mu", "µ": "mu", "π": "pi", "σ": "sigma", "τ": "tau", "φ": "phi",
         "ω": "omega"}
#: separators that never distinguish two names: whitespace, underscore, every dash and minus
_SEPARATORS = re.compile(r"[\s_\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d\u00ad-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # incl. Unicode line breaks


_GREEK_TABLE = str.maketrans(GREEK)


def _normalize_once(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().translate(_GREEK_TABLE)
    return _SEPARATORS.sub("", text)


@functools.lru_cache(maxsize=16384)
def name_key(name: str) -> str:
    """Normalize a material name for lookup.

    Case-folded (Unicode NFKC, so subscript digits ``₃`` become ``3``), Greek letters spelled
    (``β`` -> ``beta``), and every separator dropped (spaces, underscores, hyphens, dashes and
    minus signs): ``"α–Li₃N  Single crystal"``, ``"alpha_Li3N single-crystal"`` and
    ``"alpha-li3n singlecrystal"`` all give ``"alphali3nsinglecrystal"``. Idempotent.
    """
    text = name if type(name) is str else str(name)
    for _ in range(10):  # NFKC and casefold can interact; iterate to the fixed point
        nxt = _normalize_once(text)
        if nxt == text:
            break
        text = nxt
    return text


def printable(text: str, limit: int = 80) -> str:
    """``text`` safe to echo in a one-line error: control characters and lone surrogates escaped."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _score(query: str, candidate: str) -> float:
    """Similarity of two keys in [0, 1]: longest-matching-blocks ratio, +0.1 for a prefix/substring."""
    if not query or not candidate:
        return 0.0
    ratio = difflib.SequenceMatcher(None, query, candidate, autojunk=False).ratio()
    if candidate.startswith(query) or query.startswith(candidate):
        ratio += 0.1
    elif query in candidate or candidate in query:
        ratio += 0.05
    return ratio


def suggest(name: str, known: Iterable[str], n: int = 5, cutoff: float = 0.6) -> list[str]:
    """The ``n`` known names closest to ``name``, best first.

    Similarity is computed on the keys (:func:`name_key`), so case, Greek spelling and
    separators do not count as differences: ``"li3n"`` suggests ``Li3N`` materials before
    ``Li3InN2``. Ties keep the order of ``known``.
    """
    query = name_key(name)
    best: dict[str, float] = {}
    for cand in known:
        cand = str(cand)
        score = _score(query, name_key(cand))
        if score >= cutoff and score > best.get(cand, -1.0):
            best[cand] = score
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    return [cand for cand, _ in ranked[:n]]


def resolve_choice(field_name: str, value: str, allowed: Iterable[str]) -> str:
    """The entry of ``allowed`` whose key equals ``value``'s (case/separator-insensitive).

    Used for family names and other closed vocabularies: ``"Nitride Halide"`` ->
    ``"nitride halide"``.

    Raises
    ------
    InputError
        Naming ``field_name``, the value and the allowed choices.
    """
    from nitrolyte.errors import InputError

    allowed = list(dict.fromkeys(str(a) for a in allowed))
    wanted = name_key(value) if isinstance(value, str) else None
    for choice in allowed:
        if wanted is not None and name_key(choice) == wanted:
            return choice
    raise InputError(f"{field_name} must be one of {', '.join(allowed)}; got '{printable(value)}'")


@dataclass
class NameIndex:
    """Names, aliases, ids and formulas of a set of materials, for :meth:`resolve`.

    Build with :meth:`add` (one call per material); the first material to claim a name key wins.
    """

    names: dict[str, str] = field(default_factory=dict)
    formulas: dict[str, list[str]] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)

    def add(self, material_id: str, name: str, aliases: Iterable[str] = (),
            formula: str | None = None) -> None:
        """Register a material under its id, display name, aliases and formula."""
        self.display.setdefault(material_id, str(name))
        for key in (material_id, name, *aliases):
            if key is not None and str(key).strip():
                self.names.setdefault(name_key(str(key)), material_id)
        if formula and str(formula).strip() and str(formula) != "nan":
            ids = self.formulas.setdefault(name_key(str(formula)), [])
            if material_id not in ids:
                ids.append(material_id)

    def lookup(self, name: str) -> str | None:
        """The material_id of a name, alias, id or unshared formula; None if unknown.

        Raises
        ------
        AmbiguousNameError
            When ``name`` is no name but the formula of several materials.
        """
        from nitrolyte.errors import AmbiguousNameError

        key = name_key(name)
        if key in self.names:
            return self.names[key]
        ids = self.formulas.get(key, [])
        if len(ids) > 1:
            raise AmbiguousNameError(name, [self.display[i] for i in ids])
        return ids[0] if ids else None

    def resolve(self, name: str) -> str:
        """Like :meth:`lookup`, but an unknown name raises UnknownMaterialError with suggestions."""
        from nitrolyte.errors import InputError, UnknownMaterialError

        if not isinstance(name, str) or not name.strip():
            raise InputError(f"material name must be a non-empty string, got '{printable(name)}'")
        found = self.lookup(name)
        if found is None:
            raise UnknownMaterialError(name, self.display.values())
        return found


def slug(name: str) -> str:
    """A stable ASCII id fragment: ``"β-Li3N single crystal"`` -> ``"beta-li3n-single-crystal"``."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    for greek, latin in GREEK.items():
        text = text.replace(greek, latin)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "material"
