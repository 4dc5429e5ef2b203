"""Conductivity of database materials at any temperature, one material or a whole table.

Every curve is anchored on the record's room-temperature conductivity and activation energy
(:meth:`ArrheniusModel.from_record`), so at the record's own temperature it returns exactly the
value printed in the review.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nitrolyte.checks import as_float_array, check_choice, check_positive, check_range
from nitrolyte.errors import MissingDataError
from nitrolyte.transport.arrhenius import (
    POLYCRYSTAL_RULES,
    AnisotropicModel,
    ArrheniusModel,
    Convention,
    Direction,
    PolycrystalRule,
    ln_prefactor_from_point,
    ln_sigma,
)
from nitrolyte.transport.laws.registry import arrhenius_law
from nitrolyte.units import T_ROOM_K

if TYPE_CHECKING:
    import pandas as pd

    from nitrolyte.store.database import DatabaseLike


def _record(name_or_record: Any, db: DatabaseLike | None = None) -> Any:
    if isinstance(name_or_record, str):
        from nitrolyte import api

        return api.get(name_or_record, db=db)
    return name_or_record


def model_for(name_or_record: Any, direction: Direction | None = None,
              convention: Convention = "sigmaT", *, db: DatabaseLike | None = None) -> ArrheniusModel:
    """The Arrhenius model of a material name (or record) and direction.

    Parameters
    ----------
    name_or_record : str or MaterialRecord
        Name or alias known to :func:`nitrolyte.api.get`, or a record.
    direction : {"perp_c", "par_c"}, optional
        Required for anisotropic records.
    convention : {"sigmaT", "sigma"}
        Arrhenius form.
    db : Database or path, optional
        Database to read (default: the user's).
    """
    return ArrheniusModel.from_record(_record(name_or_record, db), direction, convention)


def conductivity(
    name_or_record: Any,
    T_K: Any,
    direction: Direction | None = None,
    *,
    convention: Convention = "sigmaT",
    average: PolycrystalRule | None = None,
    db: DatabaseLike | None = None,
) -> np.ndarray | float:
    """Conductivity of a database material at temperature(s) ``T_K``.

    .. math:: \\sigma(T) = \\sigma_\\mathrm{ref}\\,\\frac{T_\\mathrm{ref}}{T}\\,
              e^{-\\frac{E_a}{k_B}\\left(\\frac1T - \\frac1{T_\\mathrm{ref}}\\right)}
              \\quad\\text{(sigmaT)}

    Parameters
    ----------
    name_or_record : str or MaterialRecord
        A name or alias known to :func:`nitrolyte.api.get`, or a record.
    T_K : array_like
        Temperatures in K, any shape; a scalar gives a float. Outside what a laboratory
        measures (10-2000 K, :data:`nitrolyte.plausibility.LIMITS`) is an :class:`InputError`.
    direction : {"perp_c", "par_c"}, optional
        Required for anisotropic records unless ``average`` is given.
    convention : {"sigmaT", "sigma"}
        Arrhenius form used away from the record's temperature.
    average : {"bruggeman", "arithmetic", "harmonic", "geometric"}, optional
        For anisotropic records: polycrystal average (see :func:`polycrystal_average`).
    db : Database or path, optional
        Database to read (default: the user's).

    Returns
    -------
    float or ndarray
        Conductivity in S/cm, shaped like ``T_K``.

    Warns
    -----
    PlausibilityWarning
        When ``T_K`` lies outside the record's measured temperature range (or away from the one
        temperature of a single-point record, whose Ea is then assumed), past a known phase
        transition or past the melting point (``nitrolyte sigma`` prints the same lines).
    """
    from nitrolyte.plausibility import LIMITS, warn_record

    T_arr = as_float_array("T_K", T_K)  # 7e-9 K, 9000 K: refused, one value named
    check_range("T_K", T_arr.item() if T_arr.size == 1 else T_arr, lo=LIMITS["T_K"][0],
                hi=LIMITS["T_K"][1])
    record = _record(name_or_record, db)
    if average is not None:
        check_choice("average", average, POLYCRYSTAL_RULES)
        out = AnisotropicModel.from_record(record, convention).polycrystal_sigma_S_cm(T_K, average)
    else:
        out = ArrheniusModel.from_record(record, direction, convention).sigma_S_cm(T_K)
    warn_record(record, T_K)
    return out


def _frame(names: Any, family: str | None, db: DatabaseLike | None) -> pd.DataFrame:
    import pandas as pd

    from nitrolyte import api

    frame = api.materials(family=family, db=db)
    if names is None:  # every record: a stored value no laboratory measures is skipped, named
        import warnings

        from nitrolyte.errors import PlausibilityWarning
        from nitrolyte.plausibility import usable_frame

        frame, skipped = usable_frame(frame)
        for text in skipped:
            warnings.warn(text, PlausibilityWarning, stacklevel=3)
        return frame[frame["sigma_S_cm"].notna() & frame["Ea_eV"].notna()]
    if isinstance(names, str):
        names = [names]
    wanted = [api.get(n, db=db).name for n in names]
    rows = [frame[frame["name"] == n] for n in wanted]
    for n, r in zip(wanted, rows, strict=True):
        if r.empty or r["sigma_S_cm"].isna().all() or r["Ea_eV"].isna().all():
            raise MissingDataError(f"{n} has no conductivity and activation energy in the database")
    return pd.concat(rows)


def frame_parameters(frame: pd.DataFrame, convention: Convention = "sigmaT") -> dict[str, np.ndarray]:
    """Per-row Arrhenius parameters of a wide materials frame, for :func:`ln_sigma`.

    Parameters
    ----------
    frame : DataFrame
        Columns ``sigma_S_cm, T_K, Ea_eV, Ea_HT_eV, T_transition_K`` (as from
        :func:`nitrolyte.api.materials`).
    convention : {"sigmaT", "sigma"}
        Arrhenius form.
    """
    s = arrhenius_law(convention).T_exponent
    sigma = check_positive("sigma_S_cm", frame["sigma_S_cm"].to_numpy(float))
    T_ref = check_positive("T_K", frame["T_K"].to_numpy(float))
    Ea = frame["Ea_eV"].to_numpy(float)
    missing = np.full_like(Ea, np.nan)
    Tt = frame["T_transition_K"].to_numpy(float) if "T_transition_K" in frame else missing
    Ea_ht = frame["Ea_HT_eV"].to_numpy(float) if "Ea_HT_eV" in frame else missing
    has = np.isfinite(Tt) & np.isfinite(Ea_ht)
    return {"ln_prefactor": ln_prefactor_from_point(sigma, T_ref, Ea, s),
            "Ea_eV": Ea, "sigma_T": np.full_like(Ea, s),
            "T_transition_K": np.where(has, Tt, np.inf), "Ea_HT_eV": np.where(has, Ea_ht, np.nan)}


def _evaluate(frame: pd.DataFrame, T: np.ndarray, convention: Convention) -> np.ndarray:
    """sigma (S/cm) of every frame row (axis 0) at every temperature (axis 1), by broadcasting."""
    p = frame_parameters(frame, convention)
    keys = ("ln_prefactor", "Ea_eV", "sigma_T", "T_transition_K", "Ea_HT_eV")
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(ln_sigma(T[None, :], *(p[k][:, None] for k in keys)))
    return np.where(np.isfinite(out), out, np.nan)  # an overflowing extrapolation is unknown


def conductivity_table(
    names: Any = None,
    T_K: Any = T_ROOM_K,
    *,
    convention: Convention = "sigmaT",
    family: str | None = None,
    db: DatabaseLike | None = None,
) -> pd.DataFrame:
    """Conductivity (S/cm) of many materials at many temperatures, in one vectorised evaluation.

    .. math:: \\ln\\sigma_{mT} = \\ln A_m - E_{a,m}/(k_B T) - s\\ln T

    Parameters
    ----------
    names : str or sequence of str, optional
        Materials; default every material with a conductivity and an activation energy
        (anisotropic records contribute one row per direction).
    T_K : array_like
        Temperatures in K (> 0), flattened to the columns.
    convention : {"sigmaT", "sigma"}
        Arrhenius form.
    family : str, optional
        Restrict to one family (as in :func:`nitrolyte.api.materials`).
    db : Database or path, optional
        Database to read (default: the user's).

    Returns
    -------
    DataFrame
        Index ``(name, direction, source)`` (direction ``""`` for isotropic; source
        ``literature`` or ``user``, so a user's measurement of a review material is its own row),
        one column per temperature (column index named ``T_K``).
    """
    import pandas as pd

    T = np.atleast_1d(check_positive("T_K", T_K)).ravel()
    frame = _frame(names, family, db)
    values = _evaluate(frame, T, convention)
    direction = frame["direction"].fillna("").astype(str) if "direction" in frame else [""] * len(frame)
    source = frame["source"].astype(str) if "source" in frame else ["literature"] * len(frame)
    index = pd.MultiIndex.from_arrays([frame["name"].astype(str), direction, source],
                                      names=["name", "direction", "source"])
    return pd.DataFrame(values, index=index, columns=pd.Index(T, name="T_K"))


def arrhenius_curves(
    families: str | tuple[str, ...] | list[str] | None = None,
    T_K: Any = None,
    *,
    names: Any = None,
    convention: Convention = "sigmaT",
    db: DatabaseLike | None = None,
) -> pd.DataFrame:
    """Long table of Arrhenius curves (one row per material, direction and temperature).

    The data of an Arrhenius plot: each curve is drawn from the record's room-temperature value
    and Ea (and the HT branch above a transition), not from digitised data points.

    .. math:: \\log_{10}\\sigma(T), \\quad x = 1000/T

    Parameters
    ----------
    families : str or sequence of str, optional
        Families of :func:`nitrolyte.api.materials` (``"Li3N"``, ``"nitride halide"``, ...);
        default every family.
    T_K : array_like
        Temperatures in K (default 250-500 K, 101 points).
    names : sequence of str, optional
        Keep only these materials (after the family filter).
    convention : {"sigmaT", "sigma"}
        Arrhenius form.
    db : Database or path, optional
        Database to read.

    Returns
    -------
    DataFrame
        Columns ``material_id, name, direction, source, family, ref, from_arrhenius, T_ref_K,
        sigma_ref_S_cm, Ea_eV, Ea_HT_eV, T_transition_K, T_K, inv_T_1000_K, sigma_S_cm,
        log10_sigma_S_cm`` (``source``: ``literature`` or ``user``).
    """
    import pandas as pd

    T = np.atleast_1d(check_positive("T_K", np.linspace(250.0, 500.0, 101) if T_K is None
                                     else T_K)).ravel()
    fams = [families] if isinstance(families, str) else list(families or [None])
    frame = pd.concat([_frame(None, f, db) for f in fams], ignore_index=True)
    if names is not None:
        from nitrolyte import api

        keep = {api.get(n, db=db).name for n in ([names] if isinstance(names, str) else names)}
        frame = frame[frame["name"].isin(keep)]
    if frame.empty:
        raise MissingDataError(f"no material with conductivity and Ea in families {fams}")
    values = _evaluate(frame, T, convention)
    rows = []
    for i, r in enumerate(frame.itertuples(index=False)):
        base = {"material_id": r.material_id, "name": r.name,
                "direction": r.direction if isinstance(r.direction, str) else "",
                "source": r.source,
                "family": r.family, "ref": str(r.ref), "from_arrhenius": bool(r.from_arrhenius),
                "T_ref_K": float(r.T_K), "sigma_ref_S_cm": float(r.sigma_S_cm),
                "Ea_eV": float(r.Ea_eV), "Ea_HT_eV": float(r.Ea_HT_eV),
                "T_transition_K": float(r.T_transition_K)}
        rows.append(pd.DataFrame({**base, "T_K": T, "inv_T_1000_K": 1000.0 / T,
                                  "sigma_S_cm": values[i], "log10_sigma_S_cm": np.log10(values[i])}))
    return pd.concat(rows, ignore_index=True)
