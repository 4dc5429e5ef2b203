"""Alembic migrations of the nitrolyte database (run through :mod:`nitrolyte.store.migrate`)."""
