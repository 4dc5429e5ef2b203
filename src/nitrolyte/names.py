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

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from nitrolyte._text import GREEK, name_key, printable, suggest

__all__ = ["GREEK", "NAMES_VERSION", "NameIndex", "name_key", "printable", "resolve_choice",
           "slug", "suggest"]

#: Bumped whenever the rules of :func:`name_key` change (stored keys are rebuilt when it differs).
#: 2: underscores, spaces and every dash are separators and are dropped; more Greek letters.
NAMES_VERSION = 2

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
