"""Remembered command output: a repeated, deterministic command prints what it printed before.

``nitrolyte window Li3N`` spends about a second importing pymatgen's phase-diagram module and
pandas for a few milliseconds of work, and gives the same answer every time its inputs are the
same. Its exact stdout is kept in the per-user cache directory
(:func:`nitrolyte.data.cache.cache_dir`, ``results/``) under a key made of

* the command and its arguments as typed (material, source, ``--json``, the resolved ``--db``);
* the installed code and data: size and modification time of every file of the nitrolyte
  package (code, package data, structure library, energy tables) and of a few files of
  pymatgen, chgnet and sevenn (a reinstall rewrites them);
* the databases it may read (the ``--db`` one, and the default one the ML structure library
  reads): size and modification time of the SQLite file and of its write-ahead log (when not
  empty), so any committed write (a user structure, a measurement) makes a new key.

Only successful runs that wrote nothing to stderr and left those fingerprints unchanged are
kept; PostgreSQL databases and named sources that need the network (``mp``) are never cached.
``NITROLYTE_RESULT_CACHE=off`` (or ``NITROLYTE_CACHE_DIR=off``) turns it off. A cache file that
cannot be read or written is simply ignored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from nitrolyte.data.cache import write_json_atomic

ENV_VAR = "NITROLYTE_RESULT_CACHE"
#: bump when the stored layout changes
_LAYOUT = 1


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


@functools.cache
def _tree(root: Path) -> str:
    """Digest of the names, sizes and modification times of the files under ``root`` (once per
    process: installed code does not change while a command runs)."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(f"{path.relative_to(root)}\0{_stat(path)}\n".encode())
    return digest.hexdigest()


#: files of the other packages whose (re)installation must make a new key
_PACKAGES = {"pymatgen": ("__init__.py", "analysis/phase_diagram.py", "core/composition.py"),
             "chgnet": ("__init__.py",), "sevenn": ("__init__.py",)}


def _package(name: str) -> list[Any] | None:
    """Sizes and modification times of a few files of an installed package (None: absent)."""
    spec = find_spec(name)  # top-level names only: nothing is imported
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return [_stat(root / f) for f in _PACKAGES[name]]


def _database(db: str | None) -> list[Any] | None:
    """Fingerprint of a SQLite database file (and its log); None for anything else."""
    from nitrolyte.store.location import resolve_url

    url = resolve_url(db)
    if not url.startswith("sqlite:///") or "?" in url:
        return None
    path = Path(url[len("sqlite:///"):])
    wal = _stat(path.with_name(path.name + "-wal"))  # an empty log (a reader is open) holds no rows
    return [str(path), _stat(path), wal if wal and wal[0] else None]


def _fingerprint(db: str | None) -> dict[str, Any] | None:
    try:
        dbs = [_database(db), _database(None)]
    except (OSError, ValueError):  # an unusable path: the command itself reports it
        return None
    if any(d is None for d in dbs):
        return None
    return {"nitrolyte": _tree(Path(__file__).resolve().parents[1]), "databases": dbs,
            **{name: _package(name) for name in _PACKAGES}}


def _folder() -> Path | None:
    if os.environ.get(ENV_VAR, "").strip().lower() in ("off", "0", "none"):
        return None
    from nitrolyte.data.cache import cache_dir

    folder = cache_dir()
    return None if folder is None else folder / "results"


class _Tee:
    """Writes through to a stream and remembers whether anything was written."""

    def __init__(self, stream: Any):
        self.stream, self.used = stream, False

    def write(self, text: str) -> int:
        self.used = self.used or bool(text)
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextmanager
def _watch_stderr() -> Iterator[_Tee]:
    tee, old = _Tee(sys.stderr), sys.stderr
    sys.stderr = tee  # type: ignore[assignment]
    try:
        yield tee
    finally:
        sys.stderr = old


def remembered(command: str, args: Sequence[Any], db: str | None,
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
    folder = _folder()
    before = _fingerprint(db) if folder is not None else None
    if folder is None or before is None:
        return compute()
    key = json.dumps([_LAYOUT, command, list(args), before], sort_keys=True)
    path = folder / f"{command}-{hashlib.sha256(key.encode()).hexdigest()[:40]}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("key") == key and isinstance(doc.get("stdout"), str):
            return str(doc["stdout"])
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        pass
    with _watch_stderr() as err:
        text = compute()
    if not err.used and _fingerprint(db) == before:
        write_json_atomic(path, {"key": key, "stdout": text})
    return text
