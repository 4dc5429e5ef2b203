"""Curated package data of nitrolyte (CSV/YAML) and the pydantic schema that validates it.

The files are read by :mod:`nitrolyte.dataset` through :mod:`importlib.resources`; nothing is
read at import time. See ``docs/data.md`` for the data model.
"""
