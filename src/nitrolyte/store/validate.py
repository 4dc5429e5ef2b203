"""Vectorised validation of user measurement rows (a whole import at once, no per-row models).

:func:`validate_frame` checks every rule of :class:`nitrolyte.data.schema.Measurement` (and the
file-level ones: required fields, numbers, text without NUL bytes or lone surrogates, the
ranges of :mod:`nitrolyte.properties`, and what a laboratory measures,
:func:`nitrolyte.plausibility.limit_masks`, unless ``allow_implausible``) with pandas column
operations, and raises
:class:`~nitrolyte.errors.DataValidationError` for the first bad row, naming the row and field.
For a rule the row model also enforces, the message is the model's own, so an import and the
package-data loader say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import DataValidationError
from nitrolyte.properties import PROPERTIES, T_MAX_K, to_canonical
from nitrolyte.store.models import BAD_TEXT, EXPORT_COLUMNS, text_or_none
from nitrolyte.units import bare_temperature_error, is_conductivity_unit

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

REQUIRED = ("name", "property", "value", "unit", "temperature")
NUMERIC = ("value", "temperature", "value_stderr")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_CHOICES = {"qualifier": ("", "=", "<", ">", "~"), "direction": ("", "perp_c", "par_c"),
            "phase": ("", "LT", "HT"), "kind": ("", "total", "bulk"),
            "temperature_unit": ("", "K", "C")}
_MAX_TEXT = 2000


def _texts(name: str, values: list[Any]) -> list[str | None]:
    """Stripped strings with blanks as None (integral floats as ``"28"``)."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        return [None if v is None else (v.strip() or None) for v in values]
    for i, v in enumerate(values):
        if isinstance(v, dict | list | tuple | set):
            raise DataValidationError(f"row {i + 1}: field {name!r} must be a single value, "
                                      f"got {v!r}")
    return [text_or_none(v) for v in values]


def _bad_text(values: list[str | None]) -> np.ndarray:
    """Rows holding NUL bytes, lone surrogates or more than ``_MAX_TEXT`` characters."""
    import numpy as np

    given = [v for v in values if v is not None]
    if not given or (not BAD_TEXT.search("\x01".join(given))
                     and max(map(len, given)) <= _MAX_TEXT):
        return np.zeros(len(values), dtype=bool)
    return np.array([v is not None and (bool(BAD_TEXT.search(v)) or len(v) > _MAX_TEXT)
                     for v in values], dtype=bool)


class _Problems:
    """The first failing (row, priority) among all checks, with its message maker."""

    def __init__(self) -> None:
        self.best: tuple[int, int, Callable[[int], str]] | None = None
        self.priority = 0

    def add(self, mask: np.ndarray | pd.Series, message: Callable[[int], str]) -> None:
        import numpy as np

        self.priority += 1
        bad = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(bad) and (self.best is None or (int(bad[0]), self.priority) < self.best[:2]):
            self.best = (int(bad[0]), self.priority, message)


def _row_message(frame: pd.DataFrame, i: int, fallback: str) -> str:
    """The row model's message for row ``i`` (as the package loader gives it), else fallback."""
    from nitrolyte.dataset import validate_measurement
    from nitrolyte.store.models import review_ref

    row = {k: ("" if v is None or (isinstance(v, float) and v != v) else v)
           for k, v in frame.iloc[i].to_dict().items()}
    row["ref"] = review_ref(row.get("ref")) or ""
    row["material_id"] = "x"
    try:
        validate_measurement(row)
    except DataValidationError as exc:
        return str(exc)
    return fallback


def _numbers(frame: pd.DataFrame, problems: _Problems, raw: pd.DataFrame) -> None:
    import numpy as np
    import pandas as pd

    for col in NUMERIC:
        text = frame[col]
        parsed = pd.to_numeric(text, errors="coerce").astype(float)
        given = text.notna().to_numpy()
        values = parsed.to_numpy()
        unparsed = given & np.isnan(values)
        for i in np.flatnonzero(unparsed):  # a literal "nan" is a number, just not a finite one
            unparsed[i] = str(text.iloc[i]).lower() not in ("nan", "+nan", "-nan")
        problems.add(unparsed,
                     lambda i, c=col: f"field {c!r} must be a number, got {raw[c].iloc[i]!r}")
        problems.add(given & ~np.isfinite(values),
                     lambda i, c=col: f"field {c!r} must be a finite number, got {raw[c].iloc[i]!r}")
        frame[col] = parsed.where(given, np.nan)


def _flags(frame: pd.DataFrame, problems: _Problems) -> None:
    import pandas as pd

    flag = pd.Series([None if v is None else v.lower() for v in frame["derived_from_arrhenius"]],
                     dtype=object)
    problems.add(flag.notna() & ~flag.isin(_TRUE | _FALSE),
                 lambda i: "field 'derived_from_arrhenius' must be true or false, got "
                           f"{frame['derived_from_arrhenius'].iloc[i]!r}")
    frame["derived_from_arrhenius"] = flag.isin(_TRUE)


def _physics(frame: pd.DataFrame, problems: _Problems, model_msg: Callable[[int, str], str],
             plausible: bool = True) -> None:
    """Property, unit, choices, value sign and range, temperature: the row model's rules; with
    ``plausible``, also the laboratory limits (:func:`nitrolyte.plausibility.limit_masks`)."""

    prop = frame["property"]
    problems.add(prop.notna() & ~prop.isin(list(PROPERTIES)),
                 lambda i: model_msg(i, f"property must be one of {', '.join(PROPERTIES)}"))
    for col, allowed in _CHOICES.items():
        values = frame[col].fillna("")
        problems.add(~values.isin(allowed), lambda i, c=col, a=allowed: model_msg(
            i, f"column {c!r}: must be one of {', '.join(map(repr, a))}, got {frame[c].iloc[i]!r}"))
    pairs = prop.fillna("") + "\x1f" + frame["unit"].fillna("")
    factor: dict[str, tuple[float, float, float]] = {}
    for pu in pairs.unique():
        p, u = pu.split("\x1f")
        spec = PROPERTIES.get(p)
        if spec is not None and (u in spec.units or (  # any spelling: "mS cm-1", "µS/cm"
                spec.kind == "conductivity" and isinstance(u, str) and is_conductivity_unit(u))):
            scale = to_canonical(1.0, u, spec.kind) - to_canonical(0.0, u, spec.kind)
            factor[pu] = (scale, to_canonical(0.0, u, spec.kind), spec.max_value)
    known = pairs.isin(list(factor)).to_numpy()
    problems.add(~known & prop.isin(list(PROPERTIES)).to_numpy(),
                 lambda i: model_msg(i, f"column 'unit': {frame['unit'].iloc[i]!r} does not fit "
                                        f"{prop.iloc[i]}"))
    scale, offset, vmax = (pairs.map({k: v[j] for k, v in factor.items()}).to_numpy(dtype=float)
                           for j in range(3))
    canonical = frame["value"].to_numpy(dtype=float) * scale + offset
    problems.add(known & ~(canonical > 0), lambda i: model_msg(
        i, f"column 'value': must be > 0, got {frame['value'].iloc[i]}"))
    problems.add(known & (canonical > vmax), lambda i: model_msg(
        i, f"column 'value': {frame['value'].iloc[i]:g} {frame['unit'].iloc[i]} is not plausible"))
    kelvin = _temperatures(frame, problems, model_msg)
    if plausible:
        from nitrolyte.plausibility import limit_masks

        for mask, message in limit_masks(prop.to_numpy(), canonical, kelvin):
            problems.add(mask, message)


def _temperatures(frame: pd.DataFrame, problems: _Problems,
                  model_msg: Callable[[int, str], str]) -> np.ndarray:
    """Temperature rules; returns each row's temperature in K (NaN where none)."""
    import numpy as np

    temp = frame["temperature"].to_numpy(dtype=float)
    has_t = np.isfinite(temp)
    needs_t = {name: spec.needs_temperature for name, spec in PROPERTIES.items()}
    needs = frame["property"].map(needs_t).fillna(False).to_numpy(bool)
    problems.add(needs & ~has_t, lambda i: model_msg(
        i, "column 'temperature': this property needs the temperature it was measured at"))
    unit = frame["temperature_unit"]
    problems.add(~has_t & unit.notna().to_numpy(), lambda i: model_msg(
        i, "column 'temperature': temperature_unit is given but temperature is empty"))
    kelvin = np.where(unit.to_numpy() == "C", temp + 273.15, temp)
    problems.add(has_t & ~((kelvin > 0) & (kelvin <= T_MAX_K)), lambda i: model_msg(
        i, f"column 'temperature': {temp[i]:g} {unit.iloc[i]} is out of range; allowed: above "
           f"0 K and at most {T_MAX_K:g} K"))
    return np.asarray(kelvin, dtype=float)


def validate_frame(raw: pd.DataFrame, where: str,
                   required: tuple[str, ...] = REQUIRED, *,
                   allow_implausible: bool = False) -> pd.DataFrame:
    """Check and normalise user rows; raise for the first bad row, naming row and field.

    Parameters
    ----------
    raw : pandas.DataFrame
        One measurement per row, columns of :data:`~nitrolyte.store.models.EXPORT_COLUMNS`
        (strings from a CSV file, or Python values).
    where : str
        Prefix of messages: the file name, or ``"add"`` for a single row.
    required : tuple of str
        Fields that must not be blank.
    allow_implausible : bool
        Accept values outside what a laboratory measures (``--allow-implausible``); the
        property registry's ranges still apply.

    Returns
    -------
    pandas.DataFrame
        Every export column; text as ``str``/None, ``value``/``temperature``/``value_stderr``
        as float (NaN for blank), ``derived_from_arrhenius`` as bool.
    """
    import numpy as np

    unknown = sorted(str(c) for c in raw.columns if c not in EXPORT_COLUMNS)
    if unknown:
        raise DataValidationError(f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; "
                                  f"allowed: {', '.join(EXPORT_COLUMNS)}")
    if len(raw) == 0:
        raise DataValidationError(f"{where}: no measurement rows found")
    import pandas as pd

    raw = raw.reset_index(drop=True)
    n = len(raw)
    columns: dict[str, list[Any]] = {}
    for col in EXPORT_COLUMNS:
        try:
            columns[col] = _texts(col, raw[col].tolist()) if col in raw else [None] * n
        except DataValidationError as exc:
            raise DataValidationError(f"{where} {exc}") from None
    frame = pd.DataFrame(columns, dtype=object)
    problems = _Problems()
    for col in EXPORT_COLUMNS:
        problems.add(_bad_text(columns[col]), lambda i, c=col: (
            f"field {c!r} must be text without NUL bytes or lone surrogates, at most "
            f"{_MAX_TEXT} characters"))
    for col in required:
        blank = frame[col].isna().to_numpy().copy()
        if col == "name":
            blank &= frame["material_id"].isna().to_numpy()
        problems.add(blank, lambda i, c=col: f"field {c!r} is required")
    _numbers(frame, problems, raw.reindex(columns=list(EXPORT_COLUMNS)))
    _flags(frame, problems)
    temp = frame["temperature"].to_numpy(dtype=float)
    has_t = np.isfinite(temp)
    bare = has_t & frame["temperature_unit"].isna().to_numpy()  # 25: kelvin or °C?
    problems.add(bare, lambda i: f"{bare_temperature_error('temperature', temp[i])} "
                                 "(column temperature_unit: K or C)")
    frame["temperature_unit"] = frame["temperature_unit"].where(~bare, "K")
    _physics(frame, problems, lambda i, fallback: _row_message(frame, i, fallback),
             plausible=not allow_implausible)
    refs = [r is not None and r.isdigit() and int(r) < 1 for r in columns["ref"]]
    problems.add(np.array(refs, dtype=bool), lambda i: "field 'ref' must be a reference number >= 1, a "
                                                f"DOI or a citation, got {frame['ref'].iloc[i]!r}")
    stderr = frame["value_stderr"].to_numpy(dtype=float)
    problems.add(stderr < 0, lambda i: f"field 'value_stderr' must be >= 0, got {stderr[i]}")
    if problems.best is not None:
        i, _, message = problems.best
        text = message(i)
        prefix = where if where == "add" else f"{where} row {i + 1}"
        raise DataValidationError(f"{prefix}: {text}")
    return frame
