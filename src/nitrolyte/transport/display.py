"""Numbers as people read them: rounded to their uncertainty, with the Arrhenius law named.

One place for the text of an activation energy or a conductivity with its standard error, used
by ``show``, ``eis``, the web pages and the API's display fields.

.. math:: x \\pm \\delta x \\ \\text{with}\\ \\delta x \\ \\text{to two significant figures and}
          \\ x \\ \\text{to the same decimal place}

(an activation energy without an error is given to 3 decimals, eV).
"""

from __future__ import annotations

import math

#: Arrhenius law -> its label in tables
CONVENTION_LABELS = {"sigmaT": "σT Arrhenius", "sigma": "σ Arrhenius"}
#: measured conductivity kind -> its label
KIND_LABELS = {"bulk": "bulk", "total": "total"}


def convention_label(convention: str | None) -> str:
    """``"σT Arrhenius"`` / ``"σ Arrhenius"``; ``"law not stated"`` when unknown."""
    return CONVENTION_LABELS.get(convention or "", "law not stated")


def _usable(err: float | None) -> bool:
    return err is not None and math.isfinite(err) and err > 0


def round_to_uncertainty(value: float, stderr: float | None, default_decimals: int = 3
                         ) -> tuple[str, str | None]:
    """``value`` and ``stderr`` as fixed-point text, the error to two significant figures.

    Without a usable error (None, 0, not finite) the value gets ``default_decimals`` and the
    error is None. ``round_to_uncertainty(0.548107, 0.0123)`` gives ``("0.548", "0.012")``.
    """
    if stderr is None or not _usable(stderr):
        return f"{value:.{default_decimals}f}", None
    decimals = max(0, 1 - math.floor(math.log10(stderr)))
    return f"{value:.{decimals}f}", f"{stderr:.{decimals}f}"


def format_Ea(Ea_eV: float, stderr_eV: float | None = None) -> str:
    """Activation energy in eV as ``"0.548 ± 0.012"`` (or ``"0.548"`` without an error)."""
    v, e = round_to_uncertainty(Ea_eV, stderr_eV)
    return v if e is None else f"{v} ± {e}"


def format_sigma(sigma_S_cm: float, stderr_S_cm: float | None = None) -> str:
    """Conductivity in S/cm to 3 significant figures, ``"1.23e-04 ± 4.0e-06"`` with its error."""
    text = f"{sigma_S_cm:.3g}" if 1e-3 <= abs(sigma_S_cm) < 1e3 else f"{sigma_S_cm:.2e}"
    return text if not _usable(stderr_S_cm) else f"{text} ± {stderr_S_cm:.1e}"
