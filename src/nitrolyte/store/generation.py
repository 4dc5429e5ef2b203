"""The data generation: one fingerprint of everything a deterministic result is computed from.

A result that depends only on the installed code and data and on the databases it reads (the
text ``nitrolyte window`` prints, the stability tables of the report) can be kept in the per-user
cache directory (:func:`nitrolyte.data.cache.cache_dir`) and reused while this fingerprint is
unchanged. :func:`fingerprint` is made of

* the installed code and data: size and modification time of every file of the nitrolyte
  package (code, package data, structure library, energy tables) and of a few files of
  pymatgen, chgnet and sevenn (a reinstall rewrites them);
* the databases it may read (the given one, and the default one the ML structure library
  reads): size and modification time of the SQLite file and of its write-ahead log (when not
  empty), so any committed write (a user structure, a measurement) makes a new key.

PostgreSQL databases are never fingerprinted (no result is kept). :func:`remembered` keeps only
results that were computed without writing to stderr (a warning is shown every time) and
while the fingerprint stayed unchanged; a cache file that cannot be read or written is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

#: bump when the stored layout changes
LAYOUT = 1


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


def fingerprint(db: str | None) -> dict[str, Any] | None:
    """The data generation of results read from database ``db`` (a URL or path; None: the
    default one), or None when it cannot be fingerprinted (PostgreSQL, an unusable path)."""
    try:
        dbs = [_database(db), _database(None)]
    except (OSError, ValueError):  # an unusable path: the command itself reports it
        return None
    if any(d is None for d in dbs):
        return None
    return {"nitrolyte": _tree(Path(__file__).resolve().parents[1]), "databases": dbs,
            **{name: _package(name) for name in _PACKAGES}}


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


def _read_text(path: Path, key: str) -> Any:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("key") == key and isinstance(doc.get("stdout"), str):
        return str(doc["stdout"])
    raise ValueError("another key")


def _write_text(path: Path, key: str, value: Any) -> None:
    from nitrolyte.data.cache import write_json_atomic

    write_json_atomic(path, {"key": key, "stdout": value})


def _read_pickle(path: Path, key: str) -> Any:
    with path.open("rb") as handle:
        kept_key, value = pickle.load(handle)  # the user's own cache folder
    if kept_key != key:
        raise ValueError("another key")
    return value


def _write_pickle(path: Path, key: str, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((key, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return


#: how a kept value is stored: "text" (JSON, a command's stdout) or "pickle" (any object)
CODECS: dict[str, tuple[str, Callable[[Path, str], Any], Callable[[Path, str, Any], None]]] = {
    "text": ("json", _read_text, _write_text), "pickle": ("pickle", _read_pickle, _write_pickle)}


def remembered(folder: Path | None, name: str, args: Sequence[Any], db: str | None,
               compute: Callable[[], Any], codec: str = "text") -> Any:
    """``compute()`` for ``name`` and ``args``, from ``folder`` when the data generation
    (:func:`fingerprint` of ``db``) is the one it was computed under.

    Parameters
    ----------
    folder : Path or None
        Where results are kept (None: always compute).
    name, args :
        What is computed (JSON-serialisable): part of the key.
    db : str or None
        The database read (URL or path; None: the default one).
    compute : callable
        Computes the result (raising on failure: nothing kept).
    codec : {"text", "pickle"}
        How the result is stored (:data:`CODECS`).
    """
    before = fingerprint(db) if folder is not None else None
    if folder is None or before is None:
        return compute()
    suffix, read, write = CODECS[codec]
    key = json.dumps([LAYOUT, name, list(args), before], sort_keys=True)
    path = folder / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:40]}.{suffix}"
    try:
        return read(path, key)
    except (OSError, ValueError, UnicodeDecodeError, AttributeError, EOFError, TypeError,
            pickle.UnpicklingError, ImportError):
        pass
    with _watch_stderr() as err:
        value = compute()
    if not err.used and fingerprint(db) == before:
        write(path, key, value)
    return value
