"""Files that are either whole or absent: write to a temporary name beside the target, rename.

A full disk, a read-only folder or a crash half-way leaves the previous file (or none) in
place, never a partial or 0-byte one; the temporary file is removed on failure and the error
is one line (:class:`~nitrolyte.errors.OutputError`). No nitrolyte imports but ``errors``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from nitrolyte.errors import OutputError


def os_reason(exc: OSError) -> str:
    """The OS's words for ``exc`` ("No space left on device"), without the errno number."""
    return exc.strerror or type(exc).__name__


def _default_mode() -> int:
    """0666 less the process umask: what ``open(path, "w")`` would have created."""
    try:  # Linux: read it without changing it (os.umask is process-wide, threads may write)
        with open("/proc/self/status", encoding="ascii") as fh:
            mask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], what: str, *, mode: int | None = None,
              binary: bool = False) -> Iterator[IO[str] | IO[bytes]]:
    """An open temporary file that replaces ``path`` when the block ends without an error.

    Parameters
    ----------
    path : path-like
        The file to write (its folder is created when missing).
    what : str
        What it is, for the error message ("dump file", "export file").
    mode : int, optional
        Permission bits of the result (0o600 for files holding secrets); default the
        umask's, as a plain ``open`` would give.
    binary : bool
        Open in binary mode instead of UTF-8 text.

    Raises
    ------
    OutputError
        One line naming the file and the OS's reason; nothing is left at ``path`` but what
        was there before.
    """
    target = Path(path)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        tmp = Path(name)
        os.fchmod(fd, _default_mode() if mode is None else mode)
        fh = os.fdopen(fd, "wb" if binary else "w", **({} if binary else
                                                       {"encoding": "utf-8", "newline": ""}))
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write {what} {target}: {os_reason(exc)}; nothing was "
                          "written") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def write_text(path: str | os.PathLike[str], text: str, what: str, *,
               mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (see :func:`replacing`)."""
    with replacing(path, what, mode=mode) as fh:
        fh.write(text)  # type: ignore[arg-type]


def write_with(path: str | os.PathLike[str], what: str,
               write: Callable[[IO[str]], None], *, mode: int | None = None) -> None:
    """Call ``write(fh)`` on a temporary text file that then replaces ``path``."""
    with replacing(path, what, mode=mode) as fh:
        write(fh)  # type: ignore[arg-type]
