"""The one name resolver: how a material name, alias or formula becomes a lookup key.

Every module and command that looks a material up by name goes through :func:`name_key`, so
``"β-Li₃N"``, ``"beta-Li3N"`` and ``"BETA–li3n"`` are the same key everywhere.
"""

from __future__ import annotations

import re
import unicodedata

#: Bumped whenever the rules of :func:`name_key` change (stored keys are rebuilt when it differs).
NAMES_VERSION = 1

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ɑ": "alpha"}
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d-]")


def _normalize_once(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    for greek, latin in _GREEK.items():
        text = text.replace(greek, latin)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s*-\s*", "-", text)


def name_key(name: str) -> str:
    """Normalize a material name for lookup.

    Case-folded (Unicode NFKC, so subscript digits become digits), Greek ``α β γ δ`` spelled
    ``alpha beta gamma delta``, every dash and minus sign turned into ``-`` with no spaces
    around it, and runs of whitespace collapsed: ``"α–Li₃N  Single crystal"`` and
    ``"alpha-Li3N single crystal"`` both give ``"alpha-li3n single crystal"``. Idempotent.
    """
    text = str(name)
    for _ in range(10):  # NFKC and casefold can interact; iterate to the fixed point
        nxt = _normalize_once(text)
        if nxt == text:
            break
        text = nxt
    return text
