"""Structure prediction from a formula: one registry of methods, each result labelled *predicted*.

Methods are registered, not chained (STYLE.md): ``register_method(name)`` adds a function
``(formula, model, **options) -> Prediction``; :func:`predict` and ``nitrolyte structure predict``
read :data:`METHODS`. Registered here:

* ``type`` (:mod:`.by_type`): a structure type the literature states, built at the formula's
  occupancies, its ordered approximants enumerated and ranked (Ewald, then the ML potential);
* ``search`` (:mod:`.search`): symmetric random structures (pyxtal) relaxed with the ML potential.

Every method relaxes through :class:`.model.Model` (the one seam to the potential).
"""

# the methods register themselves on import (one module per method)
from nitrolyte.structures.predict import by_type, search, substitute  # noqa: F401
from nitrolyte.structures.predict.core import (
    METHODS,
    Prediction,
    predict,
    reduced_formula,
    register_method,
)

__all__ = ["METHODS", "Prediction", "predict", "reduced_formula", "register_method"]
