"""Remembered command output: a repeated, deterministic command prints what it printed before.

``nitrolyte window Li3N`` spends about a second importing pymatgen's phase-diagram module and
pandas for a few milliseconds of work, and gives the same answer every time its inputs are the
same. Its exact stdout is kept in the per-user cache directory
(:func:`nitrolyte.data.cache.cache_dir`, ``results/``) under a key made of the command and its
arguments as typed (material, source, ``--json``, the resolved ``--db``) and the data generation
(:func:`nitrolyte.store.generation.fingerprint`: the installed code and data, pymatgen, chgnet
and sevenn, and the databases it may read), the mechanism the report's stability tables share.

Only successful runs that wrote nothing to stderr and left those fingerprints unchanged are
kept; PostgreSQL databases and named sources that need the network (``mp``) are never cached.
``NITROLYTE_RESULT_CACHE=off`` (or ``NITROLYTE_CACHE_DIR=off``) turns it off. A cache file that
cannot be read or written is simply ignored.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from nitrolyte.store import generation

ENV_VAR = "NITROLYTE_RESULT_CACHE"


def _folder() -> Path | None:
    if os.environ.get(ENV_VAR, "").strip().lower() in ("off", "0", "none"):
        return None
    from nitrolyte.data.cache import cache_dir

    folder = cache_dir()
    return None if folder is None else folder / "results"


def remembered(command: str, args: Sequence[object], db: str | None,
               compute: Callable[[], str]) -> str:
    """The stdout of ``compute()`` for this command, from the cache when its inputs are unchanged.

    Parameters
    ----------
    command : str
        The command's name (``"window"``).
    args : sequence
        Its arguments as typed (JSON-serialisable), ``db`` excluded.
    db : str or None
        The ``--db`` value (part of the key, resolved).
    compute : callable
        Computes and returns the text the command prints (raising on failure: nothing kept).
    """
    return str(generation.remembered(_folder(), command, args, db, compute))
