"""A lab's extras on top of the measurement rows: measurement sets, a results cache, API tokens.

Used through :class:`~nitrolyte.store.Database` (``add_measurement_set``, ``measurement_sets``,
``measurement_set``, ``cache_get``/``cache_put``, ``create_token``/``list_tokens``/
``revoke_token``/``verify_token``). JSON fields are stored as text with NaN/inf written as null.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError
from nitrolyte.store import tables as t
from nitrolyte.store.models import POINT_KEYS, SetPoint, check_text, now_iso

if TYPE_CHECKING:
    import pandas as pd

#: ``method_details`` keys that say why a set has no value: a set with neither points nor a fit
#: (an honest "unknown", e.g. an MD run that never reached the diffusive regime) is stored only
#: when one of them lists its reasons, ``[{"T_K": K, "reason": text, ...}, ...]``
NO_VALUE_KEYS = ("not_diffusive",)
TOKEN_SCOPES = ("write", "admin")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _finite(value.item())
    return value


def to_json(field: str, value: Any) -> str | None:
    """``value`` as JSON text (None stays None); :class:`InputError` if not serialisable."""
    if value is None:
        return None
    try:
        return json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{field} must be JSON-serialisable (numbers, text, lists, dicts): "
                         f"{exc}") from None


def from_json(text: str | None) -> Any:
    """Parse JSON text written by :func:`to_json` (None, or NaN from a pandas column, is None)."""
    return None if text is None or (isinstance(text, float) and text != text) else json.loads(text)


# ---------------------------------------------------------------------- measurement sets
def no_value_reasons(details: Any) -> list[str]:
    """The reasons ``method_details`` gives why (part of) a set has no value (:data:`NO_VALUE_KEYS`).

    Empty when it gives none; :class:`InputError` naming the entry when a key is present but is
    not a non-empty list of dicts, each with a non-empty text ``reason``.
    """
    if not isinstance(details, Mapping):
        return []
    out = []
    for key in NO_VALUE_KEYS:
        if key not in details:
            continue
        entries = details[key]
        if not isinstance(entries, list | tuple) or not entries:
            raise InputError(f"method_details[{key!r}] must be a non-empty list of "
                             "{'T_K': K, 'reason': text} dicts")
        for i, entry in enumerate(entries):
            reason = entry.get("reason") if isinstance(entry, Mapping) else None
            if not isinstance(reason, str) or not reason.strip():
                raise InputError(f"method_details[{key!r}][{i}] must be a dict with a non-empty "
                                 f"text 'reason', got {entry!r}")
            out.append(reason)
    return out


def set_rows(name: str, points: Sequence[SetPoint | Mapping[str, Any]], fit: Mapping[str, Any] | None,
             method: str, common: Mapping[str, Any], details: Any = None) -> list[dict[str, Any]]:
    """Measurement rows (import format) of a set: one conductivity per point, one Ea per fit
    (when its law has an Ea: not VTF).

    A set with neither points nor fit has no rows; it is accepted only when ``details`` (the
    set's ``method_details``) says why there is no value (:func:`no_value_reasons`).
    """
    if not isinstance(points, Sequence) or isinstance(points, str | bytes):
        raise InputError(f"points must be a list of dicts, got {type(points).__name__}")
    reasons = no_value_reasons(details)
    if not points and not fit and not reasons:
        raise InputError("a measurement set needs at least one point or a fit, or "
                         f"method_details[{NO_VALUE_KEYS[0]!r}] saying why there is no value "
                         "([{'T_K': K, 'reason': text}, ...]); nothing stored")
    rows = []
    for i, p in enumerate(points, start=1):
        if isinstance(p, SetPoint):
            p = p.to_dict()
        if not isinstance(p, Mapping):
            raise InputError(f"points[{i}] must be a dict with keys {', '.join(POINT_KEYS)}")
        extra = sorted(set(p) - set(POINT_KEYS))
        if extra:
            raise InputError(f"points[{i}]: unknown key(s) {', '.join(extra)}; allowed: "
                             f"{', '.join(POINT_KEYS)}")
        for key in ("T_K", "sigma_S_cm"):
            if key not in p:
                raise InputError(f"points[{i}]: {key} is required")
        rows.append({**common, "name": name, "property": "ionic_conductivity",
                     "value": p["sigma_S_cm"], "unit": "S/cm", "temperature": p["T_K"],
                     "temperature_unit": "K", "direction": p.get("direction"),
                     "value_stderr": p.get("sigma_stderr_S_cm"), "kind": p.get("kind") or "total",
                     "method": method, "note": p.get("note") or common.get("note")})
    if fit and (not isinstance(fit, Mapping)
                or not ("Ea_eV" in fit or {"law", "parameters"} <= set(fit))):
        raise InputError("fit must be a dict with at least Ea_eV (and Ea_stderr_eV, law, ...), "
                         "or law and parameters for a law without an Ea (VTF)")
    if fit and "Ea_eV" in fit:  # a VTF fit has no Arrhenius Ea: no activation_energy row
        rows.append({**common, "name": name, "property": "activation_energy",
                     "value": fit["Ea_eV"], "unit": "eV", "value_stderr": fit.get("Ea_stderr_eV"),
                     "method": method, "note": common.get("note")})
    return rows


def check_files(source_files: Sequence[Sequence[str]]) -> list[list[str]]:
    """``[(file name, sha256 hex), ...]`` checked."""
    out = []
    for i, item in enumerate(source_files or (), start=1):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise InputError(f"source_files[{i}] must be a (file name, sha256) pair, got {item!r}")
        fname = check_text(f"source_files[{i}] name", item[0], max_len=500)
        digest = str(item[1]).lower()
        if not _SHA256.match(digest):
            raise InputError(f"source_files[{i}] sha256 must be 64 hex digits, got {item[1]!r}")
        out.append([fname, digest])
    return out


def insert_set(conn: Connection, material_id: str, fields: Mapping[str, Any]) -> int:
    """Insert one ``measurement_sets`` row; returns its id."""
    stmt = insert(t.measurement_sets).returning(t.measurement_sets.c.id)
    return int(conn.execute(stmt, {**fields, "material_id": material_id}).scalar_one())


def sets_frame(conn: Connection, material_id: str | None = None) -> pd.DataFrame:
    """One row per measurement set (JSON fields as text), with its material name and n_points."""
    import pandas as pd
    from sqlalchemy import func

    s, m, x = t.measurement_sets, t.materials, t.measurements
    n_points = (select(func.count()).select_from(x)
                .where(x.c.set_id == s.c.id, x.c.property == "ionic_conductivity")
                .scalar_subquery())
    stmt = (select(s.c.id.label("set_id"), s.c.material_id, m.c.name, s.c.method,
                   s.c.method_details, s.c.fit, s.c.source_files, n_points.label("n_points"),
                   s.c.note, s.c.added_by, s.c.added_at)
            .join(m, m.c.material_id == s.c.material_id).order_by(s.c.id))
    if material_id is not None:
        stmt = stmt.where(s.c.material_id == material_id)
    rows = conn.execute(stmt).all()
    cols = ["set_id", "material_id", "name", "method", "method_details", "fit", "source_files",
            "n_points", "note", "added_by", "added_at"]
    frame = pd.DataFrame.from_records(rows, columns=cols)
    frame.insert(7, "files", frame["source_files"])  # the name CONTRACTS.md gives the column
    return frame


def set_detail(conn: Connection, set_id: int) -> dict[str, Any]:
    """A set's fields (JSON parsed) and its points as a DataFrame."""
    import pandas as pd

    if isinstance(set_id, bool) or not isinstance(set_id, int):
        raise InputError(f"set_id must be an integer, got {set_id!r}")
    frame = sets_frame(conn)
    row = frame[frame["set_id"] == set_id]
    if row.empty:
        raise InputError(f"measurement set {set_id} does not exist; known sets: "
                         f"{', '.join(map(str, frame['set_id'])) or 'none'}")
    out = row.iloc[0].to_dict()
    for key in ("method_details", "fit", "source_files", "files"):
        out[key] = from_json(out[key])
    x = t.measurements
    pts = conn.execute(select(x.c.temperature, x.c.value, x.c.kind, x.c.value_stderr, x.c.direction,
                              x.c.note)
                       .where(x.c.set_id == set_id, x.c.property == "ionic_conductivity")
                       .order_by(x.c.id)).all()
    out["points"] = pd.DataFrame.from_records(pts, columns=list(POINT_KEYS))
    out["set_id"], out["n_points"] = int(out["set_id"]), int(out["n_points"])
    return out


# ---------------------------------------------------------------------- cache
def cache_get(conn: Connection, namespace: str, key: str) -> dict[str, Any] | None:
    """The cached value, or None."""
    c = t.cache
    text = conn.scalar(select(c.c.value).where(c.c.namespace == namespace, c.c.key == key))
    return None if text is None else json.loads(text)


def cache_put(conn: Connection, namespace: str, key: str, value: Mapping[str, Any]) -> None:
    """Insert or replace a cached value (inside a write transaction)."""
    c = t.cache
    conn.execute(delete(c).where(c.c.namespace == namespace, c.c.key == key))
    conn.execute(insert(c), {"namespace": namespace, "key": key, "updated_at": now_iso(),
                             "value": to_json("cache value", dict(value))})


# ---------------------------------------------------------------------- API tokens
#: the longest lifetime a token may be given, days
MAX_TOKEN_DAYS = 3650
#: a token's last use is recorded at most this often, s (each record is a write, after which a
#: web server rebuilds its cached answers)
LAST_USED_RESOLUTION_S = 3600
_LIFETIME = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(min|h|d|w)\s*$")
_LIFETIME_S = {"min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def token_hash(plaintext: str) -> str:
    """SHA-256 hex of a token (the only form stored)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def token_lifetime(text: str, field: str = "expires") -> dt.timedelta:
    """A token lifetime written with its unit (``30d``, ``12h``, ``90min``, ``2w``).

    Raises :class:`InputError` naming ``field`` for anything else, and outside
    1 min <= lifetime <= :data:`MAX_TOKEN_DAYS` days.
    """
    m = _LIFETIME.match(text) if isinstance(text, str) else None
    if m is None:
        raise InputError(f"{field}: cannot read {text!r}; write a lifetime with its unit "
                         "(min, h, d, w), e.g. 30d")
    seconds = float(m.group(1)) * _LIFETIME_S[m.group(2)]
    if not 60 <= seconds <= MAX_TOKEN_DAYS * 86400:
        raise InputError(f"{field} must be at least 1min and at most {MAX_TOKEN_DAYS} days, "
                         f"got {text!r}")
    return dt.timedelta(seconds=seconds)


def _utc(text: str | None) -> dt.datetime | None:
    """A stored UTC time (naive ones are UTC); None when missing or unreadable."""
    try:
        found = dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return found.replace(tzinfo=dt.UTC) if found is not None and found.tzinfo is None else found


def create_token(conn: Connection, name: str, scope: str, expires: str | None = None) -> str:
    """Store a new token's hash; returns the plaintext (inside a write transaction).

    ``expires`` is its lifetime (:func:`token_lifetime`); None: it never expires.
    """
    name = check_text("token name", name, max_len=200)
    check_choice("scope", scope, TOKEN_SCOPES)
    lifetime = None if expires is None else token_lifetime(expires)
    tok = t.api_tokens
    active = conn.scalar(select(tok.c.id).where(tok.c.name == name, tok.c.revoked_at.is_(None)))
    if active is not None:
        raise InputError(f"token name {name!r} is already used by an active token; revoke it "
                         "first or choose another name")
    plaintext = "nlt_" + secrets.token_urlsafe(32)
    created = now_iso()
    expires_at = (None if lifetime is None
                  else (_utc(created) + lifetime).isoformat(timespec="seconds"))  # type: ignore[operator]
    conn.execute(insert(tok), {"name": name, "scope": scope, "sha256": token_hash(plaintext),
                               "created_at": created, "revoked_at": None,
                               "expires_at": expires_at, "last_used_at": None})
    return plaintext


def _expired(expires_at: str | None, now: dt.datetime) -> bool:
    """Whether a token with this ``expires_at`` is refused at ``now`` (an unreadable expiry,
    say from an edited dump, counts as passed)."""
    if expires_at is None:
        return False
    when = _utc(expires_at)
    return when is None or when <= now


def list_tokens(conn: Connection) -> list[dict[str, Any]]:
    """Every token (active, expired and revoked) without its hash: name, scope, created_at,
    revoked_at, expires_at, last_used_at (UTC, ISO 8601; None: never) and ``expired``."""
    tok = t.api_tokens
    rows = conn.execute(select(tok.c.name, tok.c.scope, tok.c.created_at, tok.c.revoked_at,
                               tok.c.expires_at, tok.c.last_used_at).order_by(tok.c.id)).all()
    now = dt.datetime.now(dt.UTC)
    return [{**r._mapping, "expired": _expired(r.expires_at, now)} for r in rows]


def revoke_token(conn: Connection, name: str) -> bool:
    """Revoke the active (or expired) token called ``name``; False if there is none."""
    tok = t.api_tokens
    res = conn.execute(update(tok).where(tok.c.name == name, tok.c.revoked_at.is_(None))
                       .values(revoked_at=now_iso()))
    return bool(res.rowcount)


def find_token(conn: Connection, digest: str) -> dict[str, Any] | None:
    """``{"id", "name", "scope", "last_used_at"}`` of the token whose SHA-256 is ``digest``, if
    it is neither revoked nor expired; else None."""
    tok = t.api_tokens
    row = conn.execute(select(tok.c.id, tok.c.name, tok.c.scope, tok.c.expires_at,
                              tok.c.last_used_at).where(
        tok.c.sha256 == digest, tok.c.revoked_at.is_(None))).first()
    if row is None or _expired(row.expires_at, dt.datetime.now(dt.UTC)):
        return None
    return {"id": row.id, "name": row.name, "scope": row.scope, "last_used_at": row.last_used_at}


def plaintext_digest(plaintext: Any) -> str | None:
    """The SHA-256 of something that may be a token; None for what nitrolyte never issues."""
    if not isinstance(plaintext, str) or not plaintext or len(plaintext) > 500:
        return None
    try:
        return token_hash(plaintext)
    except UnicodeEncodeError:  # lone surrogates: not a token nitrolyte ever issued
        return None


def stale_use(found: dict[str, Any]) -> bool:
    """Whether the last use recorded for ``found`` (:func:`find_token`) is older than
    :data:`LAST_USED_RESOLUTION_S` (or missing)."""
    last = _utc(found["last_used_at"])
    return last is None or (dt.datetime.now(dt.UTC) - last).total_seconds() >= \
        LAST_USED_RESOLUTION_S


def touch_token(conn: Connection, token_id: int) -> None:
    """Record that the token ``token_id`` was used now (inside a write transaction)."""
    tok = t.api_tokens
    conn.execute(update(tok).where(tok.c.id == token_id).values(last_used_at=now_iso()))

