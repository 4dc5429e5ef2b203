"""Text primitives of the name resolver (no nitrolyte imports, so errors.py can use them).

:mod:`nitrolyte.names` is the public module; it re-exports :func:`name_key`, :func:`printable`
and :func:`suggest` from here.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable

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
