"""Small input checks shared by every module: they raise :class:`InputError` naming the field.

They accept scalars or numpy arrays so that vectorised models can validate a whole grid at once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nitrolyte.errors import InputError

if TYPE_CHECKING:  # numpy is imported where used: check_choice and is_number need none
    import numpy as np


def as_float_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array, or raise naming ``name`` if it is not numeric."""
    import numpy as np

    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if np.isnan(arr).any():
        raise InputError(f"{name} must be a number, got NaN")
    return arr


def _describe(value: Any) -> str:
    import numpy as np

    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):g}"
    bad = arr.ravel()
    return f"array with min {np.nanmin(bad):g} and max {np.nanmax(bad):g}"


def check_range(
    name: str,
    value: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_inclusive: bool = True,
    hi_inclusive: bool = True,
) -> np.ndarray:
    """Check ``lo <= value <= hi`` (inclusivity configurable) element-wise.

    Returns the value as a float array. The error message names the field, the value received and
    the allowed range, for example ``"thickness_um must be >= 0, got -5"``.
    """
    import numpy as np

    arr = as_float_array(name, value)
    ok = np.ones(arr.shape, dtype=bool)
    parts = []
    if lo is not None:
        ok &= arr >= lo if lo_inclusive else arr > lo
        parts.append(f"{'>=' if lo_inclusive else '>'} {lo:g}")
    if hi is not None:
        ok &= arr <= hi if hi_inclusive else arr < hi
        parts.append(f"{'<=' if hi_inclusive else '<'} {hi:g}")
    if not np.isfinite(arr).all() and (lo is not None or hi is not None):
        ok &= np.isfinite(arr) | (np.isinf(arr) & (hi is None) & (arr > 0))
    if not ok.all():
        bad = arr[~ok]
        got = _describe(bad) if arr.ndim else _describe(arr)
        raise InputError(f"{name} must be {' and '.join(parts)}, got {got}")
    return arr


def check_finite(name: str, value: Any) -> np.ndarray:
    """Check that ``value`` holds no infinity (NaN is refused by every check already)."""
    import numpy as np

    arr = as_float_array(name, value)
    if not np.isfinite(arr).all():
        raise InputError(f"{name} must be a finite number, got "
                         f"{_describe(arr) if arr.ndim else f'{float(arr):g}'}")
    return arr


def check_positive(name: str, value: Any) -> np.ndarray:
    """Check ``value > 0``."""
    return check_range(name, value, lo=0.0, lo_inclusive=False)


def check_nonnegative(name: str, value: Any) -> np.ndarray:
    """Check ``value >= 0``."""
    return check_range(name, value, lo=0.0)


def check_positive_finite(name: str, value: Any) -> np.ndarray:
    """Check ``0 < value < inf``."""
    return check_finite(name, check_positive(name, value))


def check_nonnegative_finite(name: str, value: Any) -> np.ndarray:
    """Check ``0 <= value < inf``."""
    return check_finite(name, check_nonnegative(name, value))


def check_fraction(name: str, value: Any, *, allow_zero: bool = False) -> np.ndarray:
    """Check a fraction in (0, 1] (or [0, 1] with ``allow_zero``)."""
    return check_range(name, value, lo=0.0, hi=1.0, lo_inclusive=allow_zero)


def check_choice(name: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """Check that ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}")
    return value


def is_number(value: Any) -> bool:
    """True for a finite real number (not bool)."""
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def scalar_or_array(value: Any) -> float | np.ndarray:
    """A 0-d result as a Python float, anything else as a float array (vectorised functions)."""
    import numpy as np

    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr
