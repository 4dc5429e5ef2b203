"""Layer-by-layer energy density of an all-solid-state Li-metal pouch cell (review Fig. 17B-H).

One repeating unit per unit area (1 cm2)::

    Al | cathode composite (active + catholyte SSE) | catholyte SSE | nitride SSE | Li | Cu

Every assumption is a named parameter of :class:`PouchCell`; material defaults come from the
components table (the Fig. 17 caption values), geometric defaults are the reading of section 5
documented in ``docs/cell.md`` (10 um foils, one catholyte and one nitride layer of 20 um each,
N/P 1, 4 mAh/cm2). All numeric parameters may be numpy arrays; they broadcast together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from nitrolyte.cell.components import component, layer_density, resolve
from nitrolyte.checks import check_choice, scalar_or_array
from nitrolyte.errors import InputError, MissingDataError
from nitrolyte.units import FARADAY, MAH_TO_C

Sides = Literal["single", "double"]
Anode = Literal["lithium", "anode-free"]
CapacityBasis = Literal["practical", "theoretical"]

#: Li capacity the review uses for the N/P ratio (Fig. 17 caption), mAh/g
LI_REVIEW_CAPACITY_MAH_G = 3500.0
#: Faraday's law for Li (M = 6.941 g/mol): F / (3.6 M), about 3861 mAh/g
LI_THEORETICAL_CAPACITY_MAH_G = FARADAY / (MAH_TO_C * 6.941)
#: layers of one repeating unit, from the cathode current collector to the anode one
LAYERS = ("al", "cathode", "catholyte", "nitride", "lithium", "cu", "packaging")
#: how a note that explains a missing volumetric energy density starts
VOLUMETRIC_MISSING = "Wh/L not computed"
#: the error of a design whose mass or energy is not a finite number (extreme magnitudes)
OVERFLOW = ("pouch cell: the design's mass or energy overflows (not a finite number); a "
            "parameter is far outside its physical range (e.g. a capacity or density of 1e-300)")

_NONNEGATIVE = ("catholyte_um", "nitride_um", "n_p", "al_um", "cu_um", "packaging_mg_cm2",
                "packaging_um")
_POSITIVE = ("areal_capacity_mAh_cm2", "cathode_capacity_mAh_g", "voltage_V",
             "li_capacity_mAh_g", "cathode_density_g_cm3", "catholyte_density_g_cm3",
             "composite_sse_density_g_cm3", "nitride_density_g_cm3", "li_density_g_cm3",
             "al_density_g_cm3", "cu_density_g_cm3")
_POROSITY = ("cathode_porosity", "catholyte_porosity", "nitride_porosity",
             "packaging_mass_fraction")
_UNITS = {"_mAh_cm2": "mAh/cm2", "_um": "um", "_mAh_g": "mAh/g", "_V": "V", "_g_cm3": "g/cm3",
          "_mg_cm2": "mg/cm2", "porosity": "1", "fraction": "1", "n_p": "1"}


def unit_of(name: str) -> str:
    """Unit of a :class:`PouchCell` parameter, read from its name (``""`` for options)."""
    for suffix, unit in _UNITS.items():
        if name.endswith(suffix):
            return unit
    return ""



@dataclass(frozen=True)
class CellResult:
    """Energy density and layer breakdown of a pouch-cell design (per repeating unit).

    Attributes
    ----------
    gravimetric_Wh_kg : float or ndarray
        Energy per mass of the repeating unit (+ packaging), Wh/kg.
    volumetric_Wh_L : float or ndarray
        Energy per stack volume, Wh/L (NaN where a layer density is not known).
    energy_mWh_cm2 : float or ndarray
        Areal energy, mWh/cm2.
    mass_mg_cm2, thickness_um : float or ndarray
        Total areal mass (mg/cm2) and thickness (um) of the repeating unit.
    layer_mass_mg_cm2, layer_thickness_um : dict
        Per layer (``LAYERS``), mg/cm2 and um.
    inputs : dict
        Every resolved input, its unit in its name.
    notes : tuple of str
        Assumptions that matter for this design (missing densities, anode-free, ...).
    """

    gravimetric_Wh_kg: float | np.ndarray
    volumetric_Wh_L: float | np.ndarray
    energy_mWh_cm2: float | np.ndarray
    mass_mg_cm2: float | np.ndarray
    thickness_um: float | np.ndarray
    layer_mass_mg_cm2: dict[str, Any]
    layer_thickness_um: dict[str, Any]
    inputs: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def volumetric_reason(self) -> str:
        """Why ``volumetric_Wh_L`` is missing (NaN), e.g. no density for LiFePO4; "" if known."""
        if not np.isnan(np.asarray(self.volumetric_Wh_L, dtype=float)).any():
            return ""
        why = [n for n in self.notes if n.startswith(VOLUMETRIC_MISSING)]
        return why[0] if why else f"{VOLUMETRIC_MISSING}: a layer density is not known"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (arrays become lists); inputs carry their units."""
        def plain(v: Any) -> Any:
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v

        return {
            "inputs": {k: {"value": plain(v), "unit": unit_of(k)} for k, v in self.inputs.items()},
            "gravimetric_Wh_kg": plain(self.gravimetric_Wh_kg),
            "volumetric_Wh_L": plain(self.volumetric_Wh_L),
            "volumetric_note": self.volumetric_reason,
            "energy_mWh_cm2": plain(self.energy_mWh_cm2),
            "mass_mg_cm2": plain(self.mass_mg_cm2),
            "thickness_um": plain(self.thickness_um),
            "breakdown": {layer: {"mass_mg_cm2": plain(self.layer_mass_mg_cm2[layer]),
                                  "thickness_um": plain(self.layer_thickness_um[layer])}
                          for layer in LAYERS},
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """Mass and thickness breakdown, one row per layer (and per design for array inputs).

        Columns: ``design`` (flat index, array inputs only), ``layer``, ``mass_mg_cm2``,
        ``mass_fraction``, ``thickness_um``, ``thickness_fraction``.
        """
        shape = np.shape(self.gravimetric_Wh_kg)
        total_m = np.broadcast_to(self.mass_mg_cm2, shape).ravel()
        total_t = np.broadcast_to(self.thickness_um, shape).ravel()
        parts = []
        for layer in LAYERS:
            m = np.broadcast_to(self.layer_mass_mg_cm2[layer], shape).ravel()
            t = np.broadcast_to(self.layer_thickness_um[layer], shape).ravel()
            parts.append(pd.DataFrame({"design": np.arange(m.size), "layer": layer,
                                       "mass_mg_cm2": m, "mass_fraction": m / total_m,
                                       "thickness_um": t, "thickness_fraction": t / total_t}))
        frame = pd.concat(parts, ignore_index=True).sort_values(["design"], kind="stable")
        frame = frame.reset_index(drop=True)
        return frame.drop(columns="design") if not shape else frame


@dataclass(frozen=True)
class PouchCell:
    """One all-solid-state Li-metal pouch-cell design (Al | cathode | catholyte | nitride | Li | Cu).

    Parameters
    ----------
    areal_capacity_mAh_cm2 : float or array
        Cathode areal capacity Q, mAh/cm2 (> 0).
    catholyte_um, nitride_um : float or array
        Thickness of the cathode-side SSE layer and of the nitride SSE layer, um (>= 0).
    n_p : float or array
        N/P ratio: Li capacity (at ``li_capacity_mAh_g``) over Q, dimensionless (>= 0).
    al_um, cu_um : float or array
        Current-collector thicknesses, um (>= 0). 10 um is this package's reading of the
        review's unstated "standard" foils; the review's light foils are 8 um Al and 4 um Cu.
    cathode, catholyte, nitride : str
        Names in the components table (aliases and Greek/ASCII spellings accepted). A name not
        in the table is allowed when every value it would supply is passed explicitly.
    active_fraction : float or array
        Active-material weight fraction of the cathode composite, in (0, 1]; the rest is
        catholyte SSE (review: 0.9).
    cathode_capacity_mAh_g, voltage_V : float, array or None
        Active-material specific capacity (mAh/g) and nominal voltage (V); ``None`` takes them
        from the table (``capacity_basis`` chooses the practical or the theoretical capacity).
    li_capacity_mAh_g : float or array
        Li capacity used for the N/P ratio, mAh/g (review: 3500;
        ``LI_THEORETICAL_CAPACITY_MAH_G`` = 3861 as an option).
    anode : {"lithium", "anode-free"}
        ``"anode-free"`` puts no Li metal in the cell (the N/P ratio is ignored and reported 0).
    sides : {"single", "double"}
        ``"double"``: double-coated electrodes share each foil between two repeating units, so
        one unit carries half of each foil.
    cathode_porosity, catholyte_porosity, nitride_porosity : float or array
        Void fraction in [0, 1). Cathode porosity thickens the composite (mass fixed by Q);
        SSE-layer porosity lightens the layer (thickness fixed). Default 0 (dense).
    packaging_mass_fraction : float or array
        Packaging + tabs as a fraction of the total cell mass, in [0, 1). Default 0: the review
        counts only the current collectors as inactive mass.
    packaging_mg_cm2, packaging_um : float or array
        Packaging mass (mg/cm2) and thickness (um) per unit area of a repeating unit. Default 0.
    *_density_g_cm3 : float, array or None
        Layer densities, g/cm3; ``None`` takes the table value. ``composite_sse_density_g_cm3``
        defaults to the catholyte's density.

    Notes
    -----
    With :math:`Q` the areal capacity, :math:`c` the active capacity, :math:`w` the active
    fraction and :math:`\\rho_i, t_i` layer densities and thicknesses (1 mg/cm2 = 10 um x g/cm3):

    .. math:: E = Q V

    .. math:: M = \\frac{1000\\,Q}{c\\,w} + 0.1\\sum_{SSE}\\rho_i(1-\\phi_i)t_i
              + \\frac{1000\\,(N/P)\\,Q}{c_{Li}} + 0.1\\,s\\,(\\rho_{Al}t_{Al} + \\rho_{Cu}t_{Cu})

    .. math:: e_g = 1000\\,E\\,(1 - f_{pack}) / (M + m_{pack}), \\qquad e_v = 10^4\\,E / L

    with :math:`s` = 1 (single) or 1/2 (double) and :math:`L` the stack thickness in um.
    """

    areal_capacity_mAh_cm2: Any = 4.0
    catholyte_um: Any = 20.0
    nitride_um: Any = 20.0
    n_p: Any = 1.0
    al_um: Any = 10.0
    cu_um: Any = 10.0
    cathode: str = "NMC811"
    catholyte: str = "Li3InCl6"
    nitride: str = "β-Li3N"
    active_fraction: Any = 0.9
    cathode_capacity_mAh_g: Any = None
    voltage_V: Any = None
    capacity_basis: CapacityBasis = "practical"
    li_capacity_mAh_g: Any = LI_REVIEW_CAPACITY_MAH_G
    anode: Anode = "lithium"
    sides: Sides = "single"
    cathode_porosity: Any = 0.0
    catholyte_porosity: Any = 0.0
    nitride_porosity: Any = 0.0
    packaging_mass_fraction: Any = 0.0
    packaging_mg_cm2: Any = 0.0
    packaging_um: Any = 0.0
    cathode_density_g_cm3: Any = None
    composite_sse_density_g_cm3: Any = None
    catholyte_density_g_cm3: Any = None
    nitride_density_g_cm3: Any = None
    li_density_g_cm3: Any = None
    al_density_g_cm3: Any = None
    cu_density_g_cm3: Any = None

    def filled(self) -> dict[str, Any]:
        """Every parameter with table defaults filled in; options checked, numbers not yet."""
        p: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        check_choice("anode", p["anode"], ("lithium", "anode-free"))
        check_choice("sides", p["sides"], ("single", "double"))
        check_choice("capacity_basis", p["capacity_basis"], ("practical", "theoretical"))
        _fill_from_table(p)
        return p

    def resolved(self) -> dict[str, Any]:
        """Every parameter with table defaults filled in and checked (numbers as float arrays).

        Raises
        ------
        InputError
            Naming the parameter, the value and the allowed range (numbers must be finite).
        UnknownMaterialError, MissingDataError
            A material not in the table, or a value the table does not hold.
        """
        p = check_parameters(self.filled())
        if p["anode"] == "anode-free":
            p["n_p"] = np.zeros_like(p["n_p"])
        return p

    def evaluate(self, out: tuple[np.ndarray, ...] | None = None) -> CellResult:
        """Energy density, areal energy and the layer breakdown of this design.

        Large array inputs (>= 65 536 designs) run through the fused one-pass kernel of
        :mod:`nitrolyte.cell.kernel`; the layer breakdown is then computed on first access.

        Parameters
        ----------
        out : tuple of 5 ndarrays, optional
            Preallocated float64 arrays of the broadcast shape for ``gravimetric_Wh_kg,
            volumetric_Wh_L, energy_mWh_cm2, mass_mg_cm2, thickness_um`` (in that order);
            the result's fields are then these arrays.
        """
        from nitrolyte.cell import kernel

        p = self.filled()
        shape = np.broadcast_shapes(*(np.shape(v) for v in p.values()
                                      if v is not None and not isinstance(v, str)))
        if kernel.usable(p, shape):
            return _evaluate_fused(self, p, shape, out)
        result = self._evaluate_numpy()
        if out is None:
            return result
        for target, key in zip(out, kernel.OUTPUTS, strict=True):
            target[...] = getattr(result, key)
        return replace(result, **dict(zip(kernel.OUTPUTS, out, strict=True)))

    def _evaluate_numpy(self) -> CellResult:
        p = self.resolved()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            energy, masses, thicknesses = stack(p)
            total_m = sum(masses.values())
            total_t = sum(thicknesses.values())
        if not (np.isfinite(total_m).all() and np.isfinite(energy).all()):
            raise InputError(OVERFLOW)
        inputs = {k: (scalar_or_array(v) if isinstance(v, np.ndarray) else v) for k, v in p.items()}
        return CellResult(
            gravimetric_Wh_kg=scalar_or_array(1000.0 * energy / total_m),
            volumetric_Wh_L=scalar_or_array(1e4 * energy / total_t),
            energy_mWh_cm2=scalar_or_array(energy), mass_mg_cm2=scalar_or_array(total_m),
            thickness_um=scalar_or_array(total_t),
            layer_mass_mg_cm2={k: scalar_or_array(v) for k, v in masses.items()},
            layer_thickness_um={k: scalar_or_array(v) for k, v in thicknesses.items()},
            inputs=inputs, notes=design_notes(p))

    def replace(self, **changes: Any) -> PouchCell:
        """A copy with some parameters changed."""
        return PouchCell(**{**asdict(self), **changes})


def check_parameters(p: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Range-check the numeric parameters of ``p`` in place against their physical ranges
    (:data:`nitrolyte.cell.limits.DESIGN_LIMITS`, the table the CLI and REST API share)."""
    from nitrolyte.cell.limits import check_design

    for name in (*_NONNEGATIVE, *_POSITIVE, *_POROSITY, "active_fraction"):
        if p[name] is not None and name not in skip:
            p[name] = check_design(name, p[name])
    return p


def design_notes(p: dict[str, Any]) -> tuple[str, ...]:
    """The assumptions that matter for a resolved design (missing densities, anode-free)."""
    notes = []
    if p["cathode_density_g_cm3"] is None:
        notes.append(f"{VOLUMETRIC_MISSING}: the components table has no density for "
                     f"cathode {p['cathode']} (the review states none); pass "
                     "cathode_density_g_cm3 for the volumetric energy density and the stack "
                     "thickness")
    if p["anode"] == "anode-free":
        notes.append("anode-free: no Li metal; all cyclable Li comes from the cathode")
    elif np.ndim(p["n_p"]) == 0 and float(p["n_p"]) == 0.0:
        notes.append("N/P 0: no Li metal, the same cell as anode='anode-free' (all cyclable Li "
                     "comes from the cathode)")
    return tuple(notes)


def _table(name: str, prop: str, parameter: str) -> float:
    try:
        return component(resolve(name)).get(prop)
    except MissingDataError as exc:
        raise MissingDataError(f"{exc} ({parameter})") from None


def _fill_from_table(p: dict[str, Any]) -> None:
    """Fill ``None`` parameters from the components table, in place."""
    if p["cathode_capacity_mAh_g"] is None:
        prop = "specific_capacity" if p["capacity_basis"] == "practical" else "theoretical_capacity"
        p["cathode_capacity_mAh_g"] = _table(p["cathode"], prop, "cathode_capacity_mAh_g")
    if p["voltage_V"] is None:
        p["voltage_V"] = _table(p["cathode"], "nominal_voltage", "voltage_V")
    if p["cathode_density_g_cm3"] is None:
        cath = component(resolve(p["cathode"]))
        p["cathode_density_g_cm3"] = cath.properties["density"].value if "density" in \
            cath.properties else None
    for layer in ("catholyte", "nitride"):
        key = f"{layer}_density_g_cm3"
        if p[key] is None:  # components table, else the structure library
            p[key] = layer_density(p[layer], key)[0]
    if p["composite_sse_density_g_cm3"] is None:
        p["composite_sse_density_g_cm3"] = p["catholyte_density_g_cm3"]
    for key, name in (("li_density_g_cm3", "Li"), ("al_density_g_cm3", "Al"),
                      ("cu_density_g_cm3", "Cu")):
        if p[key] is None:
            p[key] = _table(name, "density", key)


def stack(p: dict[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Areal energy (mWh/cm2), layer masses (mg/cm2) and thicknesses (um), unchecked.

    ``p`` is :meth:`PouchCell.resolved` output; no validation here, so that the critical-value
    solver can evaluate the (linear) model at 0 and 1 of its unknown.

    .. math:: m_{act} = 1000\\,Q/c, \\quad m_{Li} = 1000\\,(N/P)\\,Q/c_{Li},
              \\quad m_{layer} = 0.1\\,\\rho\\,(1-\\phi)\\,t
    """
    q = np.asarray(p["areal_capacity_mAh_cm2"], dtype=float)
    share = 0.5 if p["sides"] == "double" else 1.0
    active = 1000.0 * q / p["cathode_capacity_mAh_g"]
    composite_sse = active * (1.0 - p["active_fraction"]) / p["active_fraction"]
    li = 1000.0 * p["n_p"] * q / p["li_capacity_mAh_g"]
    masses = {
        "al": 0.1 * p["al_density_g_cm3"] * p["al_um"] * share,
        "cathode": active + composite_sse,
        "catholyte": 0.1 * p["catholyte_density_g_cm3"] * (1 - p["catholyte_porosity"])
        * p["catholyte_um"],
        "nitride": 0.1 * p["nitride_density_g_cm3"] * (1 - p["nitride_porosity"]) * p["nitride_um"],
        "lithium": li,
        "cu": 0.1 * p["cu_density_g_cm3"] * p["cu_um"] * share,
    }
    stack_mass = sum(masses.values()) + p["packaging_mg_cm2"]
    masses["packaging"] = stack_mass / (1.0 - p["packaging_mass_fraction"]) - stack_mass \
        + p["packaging_mg_cm2"]
    rho_cath = p["cathode_density_g_cm3"]
    cathode_t = (np.nan if rho_cath is None else
                 10.0 * (active / rho_cath + composite_sse / p["composite_sse_density_g_cm3"])
                 / (1.0 - p["cathode_porosity"]))
    thicknesses = {
        "al": p["al_um"] * share, "cathode": cathode_t, "catholyte": p["catholyte_um"],
        "nitride": p["nitride_um"], "lithium": 10.0 * li / p["li_density_g_cm3"],
        "cu": p["cu_um"] * share, "packaging": p["packaging_um"],
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in (*masses.values(), *thicknesses.values())))
    energy = np.broadcast_to(q * p["voltage_V"], shape)
    masses = {k: np.broadcast_to(np.asarray(v, dtype=float), shape) for k, v in masses.items()}
    thicknesses = {k: np.broadcast_to(np.asarray(v, dtype=float), shape)
                   for k, v in thicknesses.items()}
    return energy, masses, thicknesses


def pouch_cell(**design: Any) -> CellResult:
    """Evaluate a pouch-cell design; keyword arguments are those of :class:`PouchCell`.

    Examples
    --------
    >>> round(pouch_cell(areal_capacity_mAh_cm2=4, catholyte_um=20, nitride_um=20).gravimetric_Wh_kg)
    351
    """
    return PouchCell(**design).evaluate()


# --------------------------------------------------------------- fused kernel glue
class _LazyLayers(Mapping):  # type: ignore[type-arg]
    """Per-layer masses or thicknesses, computed (all layers at once) on first access."""

    def __init__(self, cache: dict[str, Any], p: dict[str, Any], which: int):
        self._cache, self._p, self._which = cache, p, which

    def _data(self) -> dict[str, Any]:
        if "layers" not in self._cache:
            from nitrolyte.checks import scalar_or_array

            _, masses, thicknesses = stack(self._p)
            self._cache["layers"] = tuple({k: scalar_or_array(v) for k, v in d.items()}
                                          for d in (masses, thicknesses))
        return self._cache["layers"][self._which]

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return f"<{'mass' if self._which == 0 else 'thickness'} per layer, computed on access>"


def _evaluate_fused(cell: Any, p: dict[str, Any], shape: tuple[int, ...],
                    out: tuple[Any, ...] | None = None) -> CellResult:
    """:meth:`PouchCell.evaluate` through the fused kernel of :mod:`nitrolyte.cell.kernel`.

    ``p`` is ``cell.filled()``. The scalar parameters get the usual checks; the per-design ones
    are checked inside the kernel, and the checks of :meth:`PouchCell.resolved` run (to name the
    parameter and the range) only when a design is out of range.
    """
    from nitrolyte.cell.kernel import MAIN, coefficients, evaluate_arrays
    from nitrolyte.errors import InputError

    check_parameters(p, skip=MAIN)
    if p["anode"] == "anode-free":
        p["n_p"] = 0.0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        coef = coefficients(p, 0.5 if p["sides"] == "double" else 1.0)
    if not np.isfinite(np.delete(coef, 7)).all():  # 7: H is NaN without a cathode density
        raise InputError(OVERFLOW)
    outs, bad = evaluate_arrays(p, 0.5 if p["sides"] == "double" else 1.0, shape, out)
    if bad:
        cell.resolved()  # raises, naming the parameter out of range
        raise InputError(OVERFLOW)
    cache: dict[str, Any] = {}
    inputs = {k: (float(v) if isinstance(v, np.ndarray) and v.ndim == 0 else v)
              for k, v in p.items()}
    return CellResult(*outs, layer_mass_mg_cm2=_LazyLayers(cache, p, 0),
                      layer_thickness_um=_LazyLayers(cache, p, 1), inputs=inputs,
                      notes=design_notes(p))
