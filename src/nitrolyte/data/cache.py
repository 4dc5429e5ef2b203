"""Validate the package data once per data hash, never once per process.

Validating every row of the curated data (pydantic models, pymatgen space groups) takes about
a second. The result only depends on the bytes of the data files and of the code that validates
them, so :func:`raw_hash` hashes exactly those (a few kB, microseconds) and :func:`once_per_data`
remembers, in a small JSON file in the per-user cache directory, what was computed for that hash:
a second process with the same installed data reads the answer instead of re-validating.

The cache is an optimisation only. If the directory cannot be written (read-only home, ...),
or the file is unreadable, every process simply validates again; a validation failure is never
cached. ``NITROLYTE_CACHE_DIR`` overrides the directory; ``NITROLYTE_CACHE_DIR=off`` disables it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from nitrolyte.names import NAMES_VERSION

#: files whose bytes decide whether the validated data can change
_DATA_FILES = ("references.csv", "materials.csv", "measurements.csv", "records.yaml")
_CODE_FILES = ("schema.py", "record_models.py", "wide.py")
ENV_VAR = "NITROLYTE_CACHE_DIR"


@functools.cache
def raw_hash() -> str:
    """SHA-256 of the package data files, the validating code and :data:`NAMES_VERSION`."""
    digest = hashlib.sha256(f"names{NAMES_VERSION}".encode())
    root = resources.files("nitrolyte.data")
    for name in (*_DATA_FILES, *_CODE_FILES):
        digest.update(name.encode())
        digest.update(root.joinpath(name).read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    """The cache directory (created on demand), or None when caching is off."""
    chosen = os.environ.get(ENV_VAR)
    if chosen is not None and chosen.strip().lower() in ("", "off", "0", "none"):
        return None
    if chosen:
        return Path(chosen)
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    return Path(user_cache_dir("nitrolyte"))


def _path() -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"validated-{raw_hash()[:32]}.json"


def _read(path: Path) -> dict[str, str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(doc, dict) or doc.get("raw_hash") != raw_hash():
        return {}
    return {str(k): str(v) for k, v in doc.items()}


def write_json_atomic(path: Path, doc: dict[str, str]) -> None:
    """Write a cache file atomically (temp file + rename); any OS error leaves the cache as it was.

    Used by every file cache of nitrolyte (this one and the CLI's remembered results).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle)
        os.replace(tmp, path)
    except OSError:
        return


def once_per_data(key: str, compute: Callable[[], str]) -> str:
    """``compute()`` (which validates the package data) once per :func:`raw_hash`, then cached.

    Parameters
    ----------
    key : str
        Name of the cached value (e.g. ``"data_hash"``).
    compute : callable
        Returns a string; it must raise (and nothing is cached) if the data are invalid.
    """
    path = _path()
    doc = _read(path) if path is not None else {}
    if key in doc:
        return doc[key]
    value = compute()
    if path is not None:
        write_json_atomic(path, {**_read(path), "raw_hash": raw_hash(), key: value})
    return value
