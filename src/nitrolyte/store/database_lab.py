"""The lab half of :class:`~nitrolyte.store.Database`: measurement sets, cache, tokens, dumps.

A mixin: :class:`~nitrolyte.store.database.Database` inherits these methods; they use its
``read()`` / ``write()`` transactions, ``resolve()`` and ``_store()``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nitrolyte.errors import InputError
from nitrolyte.store.models import (
    MeasurementSetResult,
    SetPoint,
    StoredSet,
    TransferResult,
    check_text,
)

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Connection


class LabMethods:
    """Measurement sets, the results cache, API tokens and dump/restore of a database."""

    if TYPE_CHECKING:
        def read(self, action: str = ...) -> AbstractContextManager[Connection]: ...
        def write(self, action: str = ...) -> AbstractContextManager[Connection]: ...
        def resolve(self, name: str) -> str: ...
        def check_intact(self, action: str) -> None: ...
        @property
        def where(self) -> str: ...
        def _store(self, raw: pd.DataFrame, where: str, added_by: str | None,
                   source_sha256: str | None, single: bool = False,
                   set_fields: Mapping[str, Any] | None = None,
                   allow_implausible: bool = False) -> Any: ...

    def dump(self, path: str | os.PathLike[str]) -> TransferResult:
        """Write every user row (with provenance), set, cache entry and token hash to JSON.

        The file restores into any nitrolyte database, SQLite or PostgreSQL
        (:meth:`restore`); literature rows are not included (every database is seeded).
        A damaged SQLite file is refused (its dump would silently miss rows); the file is
        written whole or not at all, readable by its owner only (0600: it holds token hashes).
        """
        from nitrolyte.store import backup

        self.check_intact("dump")
        with self.read() as conn:
            doc = backup.dump(conn)
        backup.write_dump(doc, Path(path))
        return TransferResult(path=str(path), n_measurements=len(doc["measurements"]))

    def restore(self, path: str | os.PathLike[str], replace: bool = False) -> TransferResult:
        """Load a :meth:`dump` file, all or nothing.

        Parameters
        ----------
        path : path-like
            The dump file.
        replace : bool
            Delete this database's user rows first; without it, a database that already holds
            user rows is refused.
        """
        from nitrolyte.store import backup

        doc = backup.read_dump(Path(path))
        with self.write() as conn:
            n = backup.restore(conn, doc, replace)
        return TransferResult(path=str(path), n_measurements=n,
                              n_materials_created=len(doc.get("materials", [])))

    # ------------------------------------------------------------------ imported files
    def check_new_import(self, path: str | os.PathLike[str], sha256: str | None = None) -> None:
        """Raise :class:`~nitrolyte.errors.AlreadyImportedError` if a file with the content of
        ``path`` (its SHA-256) was imported into this database before."""
        from nitrolyte.store import files, imports

        path = Path(path)
        sha = sha256 or files.sha256_file(path)
        with self.read() as conn:
            imports.refuse_repeat(conn, sha, path.name, self.where)

    def record_import(self, path: str | os.PathLike[str], n_measurements: int,
                      added_by: str | None = None) -> None:
        """Remember that ``path`` was imported (for imports stored another way, such as a
        sigma(T) file stored as a measurement set)."""
        from nitrolyte.store import files, imports
        from nitrolyte.store.writes import provenance

        path = Path(path)
        with self.write() as conn:
            imports.record(conn, files.sha256_file(path), path.name, n_measurements,
                           provenance(added_by, None)["added_by"])

    # ------------------------------------------------------------------ measurement sets
    def add_measurement_set(
        self, name: str, *, formula: str | None = None, family: str | None = None,
        points: Sequence[SetPoint | Mapping[str, Any]], fit: Mapping[str, Any] | None = None,
        method: str, method_details: Mapping[str, Any] | None = None,
        source_files: Sequence[tuple[str, str]] = (), added_by: str | None = None,
        note: str | None = None, allow_implausible: bool = False,
    ) -> MeasurementSetResult:
        """Store a set of conductivity points (and its Arrhenius fit) in one transaction.

        Parameters
        ----------
        name : str
            Material name (a new name creates a user material with ``formula``/``family``).
        points : list of SetPoint or dict
            :class:`~nitrolyte.store.models.SetPoint`, or its dict ``{"T_K": K, "sigma_S_cm":
            S/cm, "kind": "total"|"bulk", "sigma_stderr_S_cm": S/cm or None, "direction":
            "perp_c"|"par_c"|None}``; each becomes an
            ``ionic_conductivity`` user row with ``method``.
        fit : dict, optional
            ``{"Ea_eV", "Ea_stderr_eV", "ln_prefactor", "law", "T_min_K", "T_max_K",
            "sigma_RT_S_cm", ...}``; stored whole as JSON, and ``Ea_eV`` (with its stderr) as
            an ``activation_energy`` user row.
        method : str
            ``"EIS"``, ``"fit"``, ``"MD"``, ...
        method_details : dict, optional
            Circuit, geometry, model, version, seed ... (JSON). A set with neither points nor
            fit (an unknown answer) needs ``method_details["not_diffusive"]``, a non-empty list
            of ``{"T_K": K, "reason": text, ...}`` saying why; it is stored with no
            measurement row (``n_points`` 0).
        source_files : list of (str, str)
            (file name, SHA-256 hex) of the files the set came from.
        added_by, note : str, optional
            Provenance and free text.
        allow_implausible : bool
            Store points outside what a laboratory measures (the same limits as every write).

        Returns
        -------
        MeasurementSetResult
        """
        import pandas as pd

        from nitrolyte.store import lab

        name = check_text("name", name, max_len=300)
        method = check_text("method", method, max_len=200)
        files = lab.check_files(source_files)
        common = {"formula": formula, "family": family, "note": note}
        rows = lab.set_rows(name, points, fit, method, common, method_details)
        fields = {"method": method, "method_details": lab.to_json("method_details", method_details),
                  "fit": lab.to_json("fit", fit), "source_files": lab.to_json("source_files", files),
                  "note": note}
        if not rows:  # an unknown answer: the set and its reasons, no measurement row
            return self._store_set_only(name, formula, family, fields, added_by)
        frame = pd.DataFrame.from_records(rows)
        sha = files[0][1] if len(files) == 1 else None
        return self._store(frame, "measurement set", added_by, sha, set_fields=fields,  # type: ignore[no-any-return]
                           allow_implausible=allow_implausible)

    def _store_set_only(self, name: str, formula: str | None, family: str | None,
                        fields: Mapping[str, Any], added_by: str | None) -> MeasurementSetResult:
        """Store a set without points or fit (its material created when new), all or nothing."""
        import pandas as pd

        from nitrolyte.store import writes

        if added_by is not None:
            added_by = check_text("added_by", added_by, max_len=200)
        frame = pd.DataFrame([{"name": name, "material_id": None, "formula": formula,
                               "family": family}], dtype=object)
        with self.read() as conn:
            batch = writes.prepare(conn, frame, "measurement set")
        with self.write() as conn:
            mid, set_id = writes.write_set_only(conn, batch, writes.provenance(added_by, None),
                                                dict(fields))
        return MeasurementSetResult(set_id=set_id, material_id=mid, n_points=0,
                                    created_material=mid in batch.created)

    def measurement_sets(self, name: str | None = None) -> pd.DataFrame:
        """One row per measurement set (of ``name``, or all), with method, fit, files, provenance
        (a row as a typed object: :meth:`stored_sets`)."""
        from nitrolyte.store import lab

        material_id = None if name is None else self.resolve(name)
        with self.read() as conn:
            return lab.sets_frame(conn, material_id)

    def stored_sets(self, name: str | None = None) -> tuple[StoredSet, ...]:
        """The rows of :meth:`measurement_sets` as :class:`~nitrolyte.store.models.StoredSet`."""
        return tuple(StoredSet.from_row(row) for _, row in self.measurement_sets(name).iterrows())

    def measurement_set(self, set_id: int) -> dict[str, Any]:
        """A set's fields (method_details, fit, source_files parsed) and ``points`` DataFrame."""
        from nitrolyte.store import lab

        with self.read() as conn:
            return lab.set_detail(conn, set_id)

    # ------------------------------------------------------------------ cache and tokens
    def cache_get(self, namespace: str, key: str) -> dict[str, Any] | None:
        """A computed result stored by :meth:`cache_put` (None if absent)."""
        from nitrolyte.store import lab

        namespace = check_text("namespace", namespace, max_len=100, strip=False)
        key = check_text("key", key, max_len=400, strip=False)
        with self.read() as conn:
            return lab.cache_get(conn, namespace, key)

    def cache_put(self, namespace: str, key: str, value: Mapping[str, Any]) -> None:
        """Store (or replace) a JSON-serialisable dict under ``namespace``/``key``."""
        from nitrolyte.store import lab

        namespace = check_text("namespace", namespace, max_len=100, strip=False)
        key = check_text("key", key, max_len=400, strip=False)
        if not isinstance(value, Mapping):
            raise InputError(f"cache value must be a dict, got {type(value).__name__}")
        lab.to_json("cache value", dict(value))
        with self.write() as conn:
            lab.cache_put(conn, namespace, key, value)

    def create_token(self, name: str, scope: Literal["write", "admin"] = "write",
                     expires: str | None = None) -> str:
        """Create an API token; returns the plaintext (shown once, only its SHA-256 is stored).

        ``expires``: its lifetime with a unit (``30d``, ``12h``, ``90min``, ``2w``); after it
        the token is refused. None: it never expires.
        """
        from nitrolyte.store import lab

        with self.write() as conn:
            return lab.create_token(conn, name, scope, expires)

    def list_tokens(self) -> list[dict[str, Any]]:
        """Tokens as ``{"name", "scope", "created_at", "revoked_at", "expires_at",
        "last_used_at", "expired"}`` (no secrets; times UTC ISO 8601, None: never)."""
        from nitrolyte.store import lab

        with self.read() as conn:
            return lab.list_tokens(conn)

    def revoke_token(self, name: str) -> bool:
        """Revoke the active token ``name``; False if there is none."""
        from nitrolyte.store import lab

        with self.write() as conn:
            return lab.revoke_token(conn, name)

    def verify_token(self, plaintext: str) -> dict[str, str] | None:
        """``{"name", "scope"}`` of the active, unexpired token ``plaintext``, else None; its
        use is recorded (``last_used_at``, to :data:`~nitrolyte.store.lab.LAST_USED_RESOLUTION_S`)."""
        from nitrolyte.store import lab

        return self.verify_token_digest(lab.plaintext_digest(plaintext))

    def verify_token_digest(self, digest: str | None) -> dict[str, str] | None:
        """:meth:`verify_token` for the token whose SHA-256 is ``digest`` (what a web session
        keeps instead of the token)."""
        from nitrolyte.errors import NitrolyteError
        from nitrolyte.store import lab

        if digest is None:
            return None
        with self.read() as conn:
            found = lab.find_token(conn, digest)
        if found is None:
            return None
        if lab.stale_use(found):
            try:
                with self.write("record a token's use in") as conn:
                    lab.touch_token(conn, found["id"])
            except NitrolyteError:  # a read-only database still serves reads
                pass
        return {"name": found["name"], "scope": found["scope"]}
