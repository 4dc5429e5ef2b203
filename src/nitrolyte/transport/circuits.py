"""Equivalent circuits for SSE pellets: one registry, each entry with its starting values.

A circuit is an impedance.py circuit string (``p(a,b)`` is a parallel connection) plus where its
bulk and grain-boundary resistances sit in the parameter list. A CPE has
:math:`Z = 1/(Q(j\\omega)^n)`; a parallel R-CPE has the effective capacitance
:math:`C = (RQ)^{1/n}/R` (bulk ~pF, grain boundaries ~nF).

Registered circuits (``@register``; adding one is one entry):

* ``bulk``: ``p(R1,CPE1)-CPE2`` - bulk arc and blocking-electrode CPE;
* ``bulk_no_electrode``: ``p(R1,CPE1)`` - bulk arc only;
* ``bulk_gb``: ``p(R1,CPE1)-p(R2,CPE2)-CPE3`` - bulk arc, grain-boundary arc, electrode;
* ``bulk_gb_no_electrode``: ``p(R1,CPE1)-p(R2,CPE2)``;
* ``series_gb``: ``R0-p(R1,CPE1)-CPE2`` - the bulk arc lies above the highest measured frequency,
  so the bulk is the high-frequency intercept R0 and the arc is the grain boundary.

:data:`CANDIDATES` are the circuits tried when none is forced, :data:`FALLBACKS` those tried
when the candidate of lowest BIC is unreliable (see
:func:`nitrolyte.transport.impedance.fit_impedance`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError


@dataclass(frozen=True)
class CircuitModel:
    """One equivalent circuit.

    Attributes
    ----------
    name : str
        Registry key (``"bulk_gb"``).
    string : str
        impedance.py circuit string.
    exponents : tuple of int
        Positions of the CPE exponents n in the parameter list (fitted in (0, 1]).
    bulk : tuple of int
        Positions of the bulk (R, Q, n), or ``(R,)`` for a bare series resistance.
    gb : tuple of int or None
        Positions of the grain-boundary (R, Q, n), or None.
    electrode : bool
        Whether the circuit ends in a blocking-electrode CPE.
    guess : callable
        ``guess(f_Hz, Z_ohm) -> list[float]`` starting values (frequencies sorted high to low).
    """

    name: str
    string: str
    exponents: tuple[int, ...]
    bulk: tuple[int, ...]
    gb: tuple[int, int, int] | None
    electrode: bool
    guess: Callable[[np.ndarray, np.ndarray], list[float]]

    @property
    def n_parameters(self) -> int:
        """Number of fitted parameters."""
        return len(self.guess(np.logspace(6, -1, 8), np.linspace(1, 2, 8) - 1j))


CIRCUIT_MODELS: dict[str, CircuitModel] = {}
#: circuits fitted when no circuit is forced, simplest first
CANDIDATES: tuple[str, ...] = ("bulk_no_electrode", "bulk", "bulk_gb_no_electrode", "bulk_gb")
#: circuits fitted only when the candidate of lowest BIC is unreliable (``series_gb``: the bulk arc lies
#: above the highest frequency, as for small arcs at high temperature; on a spectrum whose bulk
#: arc is in the window its R0 runs towards 0 and the fit is slow)
FALLBACKS: tuple[str, ...] = ("series_gb",)


def register(name: str, string: str, *, exponents: tuple[int, ...], bulk: tuple[int, ...],
             gb: tuple[int, int, int] | None = None, electrode: bool
             ) -> Callable[[Callable[[np.ndarray, np.ndarray], list[float]]],
                           Callable[[np.ndarray, np.ndarray], list[float]]]:
    """Decorator: register ``guess(f, Z)`` as the starting values of circuit ``name``."""

    def deco(func: Callable[[np.ndarray, np.ndarray], list[float]]
             ) -> Callable[[np.ndarray, np.ndarray], list[float]]:
        CIRCUIT_MODELS[name] = CircuitModel(name, string, exponents, bulk, gb, electrode, func)
        return func

    return deco


def compile_circuit(string: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A numpy evaluator ``Z(f_Hz, p)`` of an impedance.py circuit string made of ``R``,
    ``CPE``, ``p(a,b)`` and series ``-`` (the grammar of every registered circuit).

    It gives the same values as impedance.py's ``wrapCircuit`` (tested) without parsing the
    string at every call, which dominates the cost of a least-squares fit.

    .. math:: Z_R = R, \\quad Z_\\mathrm{CPE} = \\frac{1}{Q (j\\omega)^n}, \\quad
              Z_{p(a,b)} = \\left(Z_a^{-1} + Z_b^{-1}\\right)^{-1}
    """
    pos = 0

    def element(text: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        nonlocal pos
        i = pos
        if text.startswith("CPE"):
            pos += 2
            return lambda jw, p: 1.0 / (p[i] * jw ** p[i + 1])
        pos += 1
        return lambda jw, p: p[i] + 0.0 * jw

    def parse(text: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        nonlocal pos
        parts = _split_top(text, "-")
        if len(parts) > 1:
            funcs = [parse(t) for t in parts]
            return lambda jw, p: sum(fn(jw, p) for fn in funcs)
        if text.startswith("p(") and text.endswith(")"):
            funcs = [parse(t) for t in _split_top(text[2:-1], ",")]
            return lambda jw, p: 1.0 / sum(1.0 / fn(jw, p) for fn in funcs)
        if re.fullmatch(r"(R|CPE)\d+", text) is None:
            raise InputError(f"compile_circuit: unsupported element {text!r} in {string!r}")
        return element(text)

    body = parse(string.replace(" ", ""))
    return lambda f, p: body(2j * np.pi * np.asarray(f, dtype=float), np.asarray(p, dtype=float))


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [*out, cur]


def circuit_model(name: str) -> CircuitModel:
    """The registered circuit ``name`` (InputError listing the choices otherwise)."""
    check_choice("circuit", name, tuple(CIRCUIT_MODELS))
    return CIRCUIT_MODELS[name]


def capacitance_F(R: float, Q: float, n: float) -> float:
    """Effective capacitance of a parallel R-CPE, F.

    .. math:: C = \\frac{(R Q)^{1/n}}{R}
    """
    with np.errstate(all="ignore"):
        return float(np.float64(R * Q) ** (1.0 / n) / R)


# ------------------------------------------------------------------ reading the Nyquist plot
@dataclass(frozen=True)
class _Features:
    """What the starting values need: end of the arcs, the arcs' apices, the electrode tail."""

    R_tot: float
    R_hf: float
    w_apex: tuple[float, ...]
    R_split: float | None
    Q_el: float


def _features(f: np.ndarray, Z: np.ndarray) -> _Features:
    w = 2 * np.pi * f
    phase = np.abs(np.arctan2(-Z.imag, Z.real))
    valley = int(np.argmin(phase[: max(len(f) - 2, 1)]))
    if phase[-1] < 0.35:  # no blocking tail: the arcs run to the lowest frequency
        valley = len(f) - 1
    R_tot = max(float(Z.real[valley]), float(np.abs(Z).min()) * 1e-3, 1e-9)
    R_hf = max(float(Z.real[0]), 0.0)
    mz = -Z.imag[: valley + 1]
    peaks = [i for i in range(len(mz)) if mz[i] > 0 and (i == 0 or mz[i] >= mz[i - 1])
             and (i == len(mz) - 1 or mz[i] >= mz[i + 1])]
    peaks = sorted(sorted(peaks, key=lambda i: -mz[i])[:2])
    if not peaks:
        peaks = [int(np.argmax(mz))] if mz.size else [0]
    split = None
    if len(peaks) == 2:
        between = peaks[0] + int(np.argmin(mz[peaks[0]: peaks[1] + 1]))
        split = float(Z.real[between])
    tail = abs(Z[-1] - R_tot) if valley < len(f) - 1 else abs(Z[-1]) * 1e3
    Q_el = 1.0 / (w[-1] ** 0.8 * max(tail, 1e-12))
    return _Features(R_tot, R_hf, tuple(float(w[i]) for i in peaks), split, Q_el)


def _two_arcs(f: np.ndarray, Z: np.ndarray) -> list[float]:
    ft = _features(f, Z)
    if ft.R_split is not None and 0 < ft.R_split - ft.R_hf < ft.R_tot - ft.R_hf:
        R1, R2 = ft.R_split, ft.R_tot - ft.R_split
        w1, w2 = ft.w_apex[0], ft.w_apex[-1]
    else:
        R1, R2 = ft.R_tot / 2, ft.R_tot / 2
        w1, w2 = ft.w_apex[0] * 10, ft.w_apex[0] / 10
    return [R1, w1 ** -0.9 / R1, 0.9, R2, w2 ** -0.9 / R2, 0.9]


@register("bulk", "p(R1,CPE1)-CPE2", exponents=(2, 4), bulk=(0, 1, 2), electrode=True)
def _guess_bulk(f: np.ndarray, Z: np.ndarray) -> list[float]:
    ft = _features(f, Z)
    return [ft.R_tot, ft.w_apex[0] ** -0.9 / ft.R_tot, 0.9, ft.Q_el, 0.8]


@register("bulk_no_electrode", "p(R1,CPE1)", exponents=(2,), bulk=(0, 1, 2), electrode=False)
def _guess_bulk_only(f: np.ndarray, Z: np.ndarray) -> list[float]:
    return _guess_bulk(f, Z)[:3]


@register("bulk_gb", "p(R1,CPE1)-p(R2,CPE2)-CPE3", exponents=(2, 5, 7), bulk=(0, 1, 2),
          gb=(3, 4, 5), electrode=True)
def _guess_bulk_gb(f: np.ndarray, Z: np.ndarray) -> list[float]:
    return [*_two_arcs(f, Z), _features(f, Z).Q_el, 0.8]


@register("bulk_gb_no_electrode", "p(R1,CPE1)-p(R2,CPE2)", exponents=(2, 5), bulk=(0, 1, 2),
          gb=(3, 4, 5), electrode=False)
def _guess_bulk_gb_only(f: np.ndarray, Z: np.ndarray) -> list[float]:
    return _two_arcs(f, Z)


@register("series_gb", "R0-p(R1,CPE1)-CPE2", exponents=(3, 5), bulk=(0,), gb=(1, 2, 3),
          electrode=True)
def _guess_series_gb(f: np.ndarray, Z: np.ndarray) -> list[float]:
    ft = _features(f, Z)
    R0 = max(ft.R_hf * 0.9, 1e-9)
    R1 = max(ft.R_tot - R0, ft.R_tot * 0.1)
    return [R0, R1, ft.w_apex[0] ** -0.9 / R1, 0.9, ft.Q_el, 0.8]
