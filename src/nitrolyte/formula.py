"""Strict chemical-formula parsing: what a formula typed by a user may look like.

pymatgen's ``Composition`` is generous: it reads ``"Li3N)"`` as Li3N, ``"Li3N0"`` as Li (a zero
amount), ``"D3"`` as H3, ``"S1e400"`` as S with an infinite amount. :func:`parse_formula` accepts
only element symbols, positive finite amounts (no exponents) and balanced ``()``/``[]`` groups,
and raises :class:`~nitrolyte.errors.InputError` saying what is wrong. Pure Python: no pymatgen
import, so it can run on every command's start-up path.
"""

from __future__ import annotations

import math
import re

from nitrolyte.errors import InputError
from nitrolyte.names import printable

ELEMENTS = frozenset(["H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"])
#: largest amount of one element accepted in a formula (per formula unit)
MAX_AMOUNT = 1e4
_TOKEN = re.compile(r"([A-Z][a-z]?)|([(\[])|([)\]])|(\d+\.?\d*|\.\d+)|([ \t]+)|(.)", re.S)
_CLOSING = {"(": ")", "[": "]"}


def _fail(text: str, why: str) -> InputError:
    return InputError(f"'{printable(text)}' is not a chemical formula: {why}")


def _amount(tokens: list[tuple[str, str]], i: int) -> tuple[float, int]:
    if i < len(tokens) and tokens[i][0] == "num":
        return float(tokens[i][1]), i + 1
    return 1.0, i


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        sym, opening, closing, _num, space, other = m.groups()
        if space is not None:  # 'La0.62 Li0.14(Mg0.5W0.5)O3': spaces between groups, as pymatgen reads them
            continue
        if other is not None:
            raise _fail(text, f"unexpected character '{printable(other)}'")
        if sym is not None and sym not in ELEMENTS:
            raise _fail(text, f"{sym!r} is not an element symbol")
        kind = "el" if sym else "open" if opening else "close" if closing else "num"
        out.append((kind, m.group()))
    return out


def parse_formula(text: str) -> dict[str, float]:
    """Element -> amount of a formula such as ``Li3N``, ``Li2.9PO3.3N0.46`` or ``Li[N(CN)2]``.

    Raises
    ------
    InputError
        For anything else: unknown symbols, a zero, infinite or exponent amount, unbalanced
        brackets, stray characters, an empty formula, an amount above :data:`MAX_AMOUNT`.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"a formula must be a non-empty string, got '{printable(text)}'")
    tokens = _tokens(text.strip())
    stack: list[tuple[str, dict[str, float]]] = [("", {})]
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "num":
            raise _fail(text, f"the number {value} does not follow an element or a bracket")
        if kind == "open":
            stack.append((value, {}))
            i += 1
            continue
        if kind == "close":
            opening, group = stack.pop() if len(stack) > 1 else ("", {})
            if _CLOSING.get(opening) != value:
                raise _fail(text, f"unbalanced {value!r}")
            amount, i = _amount(tokens, i + 1)
            _merge(text, stack[-1][1], group, amount)
            continue
        amount, i = _amount(tokens, i + 1)
        _merge(text, stack[-1][1], {value: 1.0}, amount)
    if len(stack) > 1:
        raise _fail(text, f"unclosed {stack[-1][0]!r}")
    return stack[0][1] or _raise_empty(text)


def _raise_empty(text: str) -> dict[str, float]:
    raise _fail(text, "no element")


def _merge(text: str, into: dict[str, float], group: dict[str, float], factor: float) -> None:
    if not (math.isfinite(factor) and factor > 0):
        raise _fail(text, f"amounts must be > 0, got {factor:g}")
    for el, amount in group.items():
        total = into.get(el, 0.0) + amount * factor
        if not total <= MAX_AMOUNT:
            raise _fail(text, f"the amount of {el} must be <= {MAX_AMOUNT:g}, got {total:g}")
        into[el] = total


def looks_like_formula(text: str) -> bool:
    """True when ``text`` uses only formula characters (letters, digits, ``.()[]``)."""
    return bool(re.fullmatch(r"[A-Za-z0-9.()\[\]]+", text.strip())) if isinstance(text, str) else False
