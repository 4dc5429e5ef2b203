"""TEMP until store package (issue 10): API tokens and measurement sets on the old store.

Minimal versions of the signatures in CONTRACTS.md so that the web application (issue 14) and
its tests run before the store package lands; the store package's versions replace this file.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from nitrolyte.checks import check_choice
from nitrolyte.errors import InputError

if TYPE_CHECKING:
    from nitrolyte.store import Database

SCOPES = ("write", "admin")


class _TokenBase(DeclarativeBase):
    pass


class TokenRow(_TokenBase):
    """One API token: only the SHA-256 of the plaintext is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


def _session(db: Database) -> Session:
    db.ensure()
    _TokenBase.metadata.create_all(db.engine)
    return Session(db.engine)


def create_token(db: Database, name: str, scope: str = "write") -> str:
    from nitrolyte.store import now_iso

    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InputError(f"token name must be 1-200 characters, got {name!r}")
    check_choice("scope", scope, SCOPES)
    plain = "nl_" + secrets.token_urlsafe(32)
    with _session(db) as s, db.guard("write to"), s.begin():
        active = s.scalars(select(TokenRow).where(TokenRow.name == name.strip(),
                                                  TokenRow.revoked_at.is_(None))).first()
        if active is not None:
            raise InputError(f"an active token named {name.strip()!r} already exists; revoke it "
                             "first or choose another name")
        s.add(TokenRow(name=name.strip(), scope=scope,
                       sha256=hashlib.sha256(plain.encode()).hexdigest(), created_at=now_iso()))
    return plain


def list_tokens(db: Database) -> list[dict[str, Any]]:
    with _session(db) as s, db.guard("read"):
        return [{"name": t.name, "scope": t.scope, "created_at": t.created_at,
                 "revoked_at": t.revoked_at} for t in s.scalars(select(TokenRow).order_by(TokenRow.id))]


def revoke_token(db: Database, name: str) -> bool:
    from nitrolyte.store import now_iso

    with _session(db) as s, db.guard("write to"), s.begin():
        rows = list(s.scalars(select(TokenRow).where(TokenRow.name == name,
                                                     TokenRow.revoked_at.is_(None))))
        for row in rows:
            row.revoked_at = now_iso()
    return bool(rows)


def verify_token(db: Database, plaintext: str) -> dict[str, str] | None:
    if not isinstance(plaintext, str) or not plaintext:
        return None
    digest = hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()
    with _session(db) as s, db.guard("read"):
        row = s.scalars(select(TokenRow).where(TokenRow.sha256 == digest,
                                               TokenRow.revoked_at.is_(None))).first()
        return None if row is None else {"name": row.name, "scope": row.scope}


@dataclass(frozen=True)
class MeasurementSetResult:
    """What :meth:`Database.add_measurement_set` stored (TEMP: no set table yet)."""

    set_id: int
    material_id: str
    n_points: int
    created_material: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def add_measurement_set(db: Database, name: str, *, formula: str | None = None,
                        family: str | None = None, points: list[dict[str, Any]],
                        fit: dict[str, Any] | None = None, method: str,
                        method_details: dict[str, Any] | None = None,
                        source_files: Any = (), added_by: str | None = None,
                        note: str | None = None) -> MeasurementSetResult:
    """Points as ionic_conductivity rows and the fit as an activation_energy row, atomically."""
    from nitrolyte import _store_io

    base = {"name": name, "formula": formula or "", "family": family or "", "method": method,
            "note": note or ""}
    rows = [{**base, "property": "ionic_conductivity", "value": p["sigma_S_cm"], "unit": "S/cm",
             "temperature": p["T_K"], "temperature_unit": "K",
             "direction": p.get("direction") or ""} for p in points]
    if fit is not None and fit.get("Ea_eV") is not None:
        rows.append({**base, "property": "activation_energy", "value": fit["Ea_eV"], "unit": "eV",
                     "temperature": fit.get("T_max_K") or points[-1]["T_K"],
                     "temperature_unit": "K"})
    results = _store_io.store_rows(db, rows, where=f"measurement set {name!r}")
    return MeasurementSetResult(set_id=results[0].measurement_id,
                                material_id=results[0].material_id, n_points=len(points),
                                created_material=results[0].material_created)
