"""Impedance spectra from instrument files: one registry of readers, chosen by extension/content.

Instrument formats use the readers of impedance.py (``impedance.preprocessing``): Gamry ``.DTA``,
BioLogic EC-Lab ``.mpt``, Autolab / ZView text, Parstat, ZPlot ``.z``, VersaStudio ``.par``,
PowerSuite and CH Instruments. Anything else is read as delimited text (:func:`read_delimited`):
comma, semicolon or tab separated, decimal commas, and the common header spellings
(``freq/Hz``, ``Freq``, ``Re(Z)/Ohm``, ``Z'``, ``Zreal``, ``-Im(Z)/Ohm``, ``-Z''``, ``Zimag`` ...).
An EC-Lab ``.mpt`` written with decimal commas (a European Windows locale), which impedance.py's
reader cannot parse, is read the same way after its header block ("Nb header lines : N"), with
``--format biologic`` or ``csv`` alike.

The sign convention is read from the data, not trusted from the header: a capacitive arc has
:math:`Z'' < 0`, so a spectrum whose imaginary part is positive at most frequencies is flipped
and says so (:func:`fix_sign`). Every failure is one :class:`DataValidationError` naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nitrolyte.errors import DataValidationError, InputError
from nitrolyte.transport.io import Spectrum, temperature_from_filename

Reader = Callable[[Path, str], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SpectrumFormat:
    """A registered file format: name, file extensions, content sniffer and reader."""

    name: str
    extensions: tuple[str, ...]
    sniff: Callable[[str], bool]
    read: Reader


FORMATS: dict[str, SpectrumFormat] = {}


def register_format(name: str, extensions: tuple[str, ...] = (),
                    sniff: Callable[[str], bool] = lambda text: False
                    ) -> Callable[[Reader], Reader]:
    """Decorator: register ``read(path, text) -> (freq_Hz, Z_ohm)`` as format ``name``."""

    def deco(func: Reader) -> Reader:
        FORMATS[name] = SpectrumFormat(name, extensions, sniff, func)
        return func

    return deco


def _impedance_py(reader: str) -> Reader:
    def read(path: Path, text: str) -> tuple[np.ndarray, np.ndarray]:
        from impedance import preprocessing

        f, Z = getattr(preprocessing, reader)(str(path))
        return np.asarray(f, dtype=float), np.asarray(Z, dtype=complex)

    return read


for _name, _reader, _ext, _sniff in (
    ("gamry", "readGamry", (".dta",), lambda t: "ZCURVE" in t),
    ("zplot", "readZPlot", (".z",), lambda t: "End Comments" in t and "Freq(Hz)" in t),
    ("versastudio", "readVersaStudio", (".par",), lambda t: "<Segment1>" in t),
    ("chinstruments", "readCHInstruments", (), lambda t: "\nFreq/Hz, Z'/ohm" in t),
    ("autolab", "readAutolab", (), lambda t: "Z60W" in t[:200] or "Freq (Hz)    Ampl" in t),
    ("parstat", "readParstat", (), lambda t: t.startswith("Potential (V)\tCurrent (A)")),
    ("powersuite", "readPowerSuite", (), lambda t: t.startswith("Frequency\t Zre\t Zimg")),
):
    register_format(_name, _ext, _sniff)(_impedance_py(_reader))


_EC_LAB_HEADER = re.compile(r"^Nb header lines\s*:\s*(\d+)\s*$", re.MULTILINE)


def _ec_lab_table(text: str) -> list[str] | None:
    """The column-header and data lines of an EC-Lab ASCII export (None if it is not one)."""
    if not text.startswith("EC-Lab ASCII FILE"):
        return None
    m = _EC_LAB_HEADER.search(text[:400])
    lines = text.splitlines()
    if m is None or not 2 < int(m.group(1)) <= len(lines):
        raise DataValidationError("EC-Lab file without a valid 'Nb header lines : N' line")
    return lines[int(m.group(1)) - 1:]


@register_format("biologic", (".mpt",), lambda t: t.startswith("EC-Lab ASCII FILE"))
def read_biologic(path: Path, text: str) -> tuple[np.ndarray, np.ndarray]:
    """BioLogic EC-Lab ``.mpt``: impedance.py's reader, or, for decimal commas, the delimited
    reader on the table after the header block."""
    try:
        table = _ec_lab_table(text)
    except DataValidationError as exc:
        raise DataValidationError(f"{path.name}: {exc}") from None
    data = [ln for ln in (table or [])[1:3] if ln.strip()]
    if data and re.search(r"\d,\d", data[0]):
        return read_delimited(path, text)
    return _impedance_py("readBioLogic")(path, text)


# ------------------------------------------------------------------ delimited text
_FREQ = {"f", "freq", "frequency", "fhz"}
_REAL = {"re(z)", "z'", "zreal", "z_real", "zre", "real(z)", "z_re", "zr", "z'(a)"}
_IMAG = {"im(z)", "z''", "z\"", "zimag", "z_imag", "zim", "zimg", "imag(z)", "z_im", "zi", "z''(b)"}
_UNIT = re.compile(r"(?:[/_]|\()\s*(hz|ohm|ohms|kohm|mohm|ω|kω)\)?$")
_UNIT_FACTOR = {"kohm": 1e3, "kω": 1e3, "mohm": 1e6}


def _normalise(header: str) -> tuple[str, float]:
    h = header.strip().strip('"').strip().lower().replace(" ", "")
    factor = 1.0
    m = _UNIT.search(h)
    if m:
        factor = _UNIT_FACTOR.get(m.group(1), 1.0)
        h = h[: m.start()]
    return ("-" + h.removeprefix("minus_").removeprefix("minus")) if h.startswith("minus") else h, factor


def _columns(header: list[str], name: str) -> tuple[int, int, int, float, float]:
    keys = [_normalise(h) for h in header]
    def find(options: set[str], neg: bool = False) -> int | None:
        for i, (k, _) in enumerate(keys):
            if (k.removeprefix("-") if neg and k.startswith("-") else (None if neg else k)) in options:
                return i
        return None

    f, r = find(_FREQ), find(_REAL)
    neg, im = find(_IMAG, neg=True), find(_IMAG)
    if f is None or r is None or (neg is None and im is None):
        raise DataValidationError(
            f"{name}: cannot find frequency, real and imaginary columns in header "
            f"{', '.join(header)}; expected e.g. freq/Hz, Re(Z)/Ohm, -Im(Z)/Ohm (or Freq, Z', Z'')")
    i = neg if neg is not None else im
    sign = -1.0 if neg is not None else 1.0
    return f, r, i, keys[r][1], sign * keys[i][1]


def _split(line: str, delim: str | None) -> list[str]:
    return [c.strip() for c in (line.split(delim) if delim else line.split())]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@register_format("csv", (".csv", ".tsv", ".txt"))
def read_delimited(path: Path, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Delimited text: delimiter, decimal comma and header spelling detected (module docstring)."""
    try:
        table = _ec_lab_table(text) or text.splitlines()
    except DataValidationError as exc:
        raise DataValidationError(f"{path.name}: {exc}") from None
    lines = [ln for ln in table if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise DataValidationError(f"{path.name}: no data lines")
    sample = lines[min(1, len(lines) - 1)]
    delim = next((d for d in (";", "\t", ",") if d in sample), None)
    decimal_comma = delim in (";", "\t") and bool(re.search(r"\d,\d", sample))
    head = _split(lines[0], delim)
    if all(_is_number(c.replace(",", ".") if decimal_comma else c) for c in head):
        if len(head) != 3:
            raise DataValidationError(f"{path.name}: a file without a header needs exactly three "
                                      f"columns (freq_Hz, Z', Z''), got {len(head)}")
        cols, rows = (0, 1, 2, 1.0, 1.0), lines
    else:
        cols, rows = _columns(head, path.name), lines[1:]
    data = []
    for n, line in enumerate(rows, start=1 if rows is lines else 2):
        cells = _split(line, delim)
        if len(cells) != len(head):
            raise DataValidationError(f"{path.name}: line {n} has {len(cells)} fields, the header "
                                      f"has {len(head)} (ragged rows)")
        try:
            data.append([float(cells[c].replace(",", ".") if decimal_comma else cells[c])
                         for c in cols[:3]])
        except ValueError:
            raise DataValidationError(f"{path.name}: line {n}: not a number in {line.strip()!r}"
                                      ) from None
    arr = np.asarray(data, dtype=float).reshape(-1, 3)
    return arr[:, 0], arr[:, 1] * cols[3] + 1j * arr[:, 2] * cols[4]


# ------------------------------------------------------------------ entry points
def _text(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"spectrum file not found: {path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataValidationError(f"{path.name}: empty file")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[1:200:2].count(0) > 20:
        raise DataValidationError(f"{path.name}: UTF-16 text; save it as UTF-8 (or ASCII) text")
    if b"\x00" in raw:
        raise DataValidationError(f"{path.name}: binary file, not a text spectrum (export the "
                                  "data as text from the instrument software)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def detect_format(path: str | Path, text: str | None = None) -> str:
    """The registered format of a file: by content first, then by extension, else ``csv``."""
    path = Path(path)
    text = _text(path) if text is None else text
    for fmt in FORMATS.values():
        if fmt.sniff(text):
            return fmt.name
    ext = path.suffix.lower()
    return next((f.name for f in FORMATS.values() if ext in f.extensions), "csv")


def fix_sign(spectrum: Spectrum) -> tuple[Spectrum, list[str]]:
    """Flip :math:`Z''` when it is positive at most frequencies (the usual -Z'' mix-up).

    Returns the (possibly flipped) spectrum and a list with the warning, if any.
    """
    positive = float(np.mean(spectrum.Z_ohm.imag > 0))
    if positive <= 0.5:
        return spectrum, []
    flipped = Spectrum(spectrum.freq_Hz, np.conj(spectrum.Z_ohm), spectrum.T_K, spectrum.source,
                       spectrum.meta)
    name = Path(spectrum.source).name if spectrum.source else "spectrum"
    return flipped, [f"{name}: the imaginary part is positive at {positive:.0%} of the "
                     "frequencies (-Z'' stored as Z''?); it was flipped to Z'' < 0"]


def read_instrument_file(path: str | Path, T_K: float | None = None,
                         format: str = "auto") -> Spectrum:
    """Read an impedance spectrum from an instrument or delimited-text file.

    Parameters
    ----------
    path : str or Path
        The file.
    T_K : float, optional
        Temperature in K; default: from the file name (``pellet_300K.mpt``), else None.
    format : str
        ``"auto"`` (content, then extension) or a registered name (:data:`FORMATS`).

    Returns
    -------
    Spectrum
        With ``meta["format"]`` and, if the sign was fixed, ``meta["warnings"]``.
    """
    from nitrolyte.plausibility import check_measurement

    path = Path(path)
    text = _text(path)
    fmt = detect_format(path, text) if format == "auto" else format
    if fmt not in FORMATS:
        raise InputError(f"format must be auto or one of {', '.join(FORMATS)}; got {fmt!r}")
    try:
        f, Z = FORMATS[fmt].read(path, text)
    except DataValidationError:
        raise
    except Exception as exc:  # third-party readers raise anything on a bad file
        # a ValueError-like message describes the file; anything else is the reader's own failure
        why = (" ".join(str(exc).split()) if isinstance(exc, ValueError | KeyError | IndexError)
               else f"no impedance table in the layout the {fmt} reader expects")
        raise DataValidationError(f"{path.name}: not a readable {fmt} file ({why})") from None
    T = temperature_from_filename(path) if T_K is None else float(T_K)
    if T is not None and T_K is None:
        try:
            check_measurement(T_K=[T], where=f"{path.name}: temperature from the file name")
        except InputError as exc:
            raise DataValidationError(str(exc)) from None
    elif T is not None:
        check_measurement(T_K=[T], where=f"{path.name}: temperature")
    try:
        spectrum = Spectrum(f, Z, T, str(path), {"format": fmt})
    except InputError as exc:
        raise DataValidationError(f"{path.name}: {exc}") from None
    if not np.any(np.abs(spectrum.Z_ohm) > 0):
        raise DataValidationError(f"{path.name}: impedance is zero at every frequency")
    spectrum, notes = fix_sign(spectrum)
    spectrum.meta["warnings"] = notes
    return spectrum
