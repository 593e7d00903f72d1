"""API keys: random tokens shown once, stored only as sha256 digests."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from briefing.errors import NotFoundError
from briefing.store.tables import ApiKeyRow, utcnow

KEY_PREFIX = "brf_"


class ApiKeyInfo(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None


def hash_key(key: str) -> str:
    # A fast hash is enough: keys carry 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _info(row: ApiKeyRow) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at, revoked_at=row.revoked_at
    )


class KeysMixin:
    """API-key methods of `Store`."""

    session: Callable[[], AbstractContextManager[Session]]  # provided by Store

    def create_api_key(self, name: str) -> tuple[str, ApiKeyInfo]:
        """Return (the key itself — shown once, never stored —, its info)."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            id=uuid.uuid4().hex, name=name, prefix=key[:10], key_hash=hash_key(key), created_at=utcnow()
        )
        with self.session() as session:
            session.add(row)
            session.flush()
            return key, _info(row)

    def list_api_keys(self) -> list[ApiKeyInfo]:
        with self.session() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [_info(row) for row in rows]

    def revoke_api_key(self, key_id_or_prefix: str) -> ApiKeyInfo:
        """Revoke the key with this exact id or prefix (once; a revoked key stays revoked)."""
        with self.session() as session:
            row = session.scalars(
                select(ApiKeyRow).where(
                    (ApiKeyRow.id == key_id_or_prefix) | (ApiKeyRow.prefix == key_id_or_prefix)
                )
            ).first()
            if row is None:
                raise NotFoundError(f"no API key with id or prefix {key_id_or_prefix!r}")
            if row.revoked_at is None:
                session.execute(update(ApiKeyRow).where(ApiKeyRow.id == row.id).values(revoked_at=utcnow()))
                session.refresh(row)
            return _info(row)

    def matching_api_keys(self, ref: str) -> list[ApiKeyInfo]:
        """Keys whose id or shown prefix is `ref`; when none is, those whose id or prefix starts with
        it (what `keys revoke` resolves; more than one means `ref` is ambiguous)."""
        with self.session() as session:
            exact = session.scalars(
                select(ApiKeyRow)
                .where((ApiKeyRow.id == ref) | (ApiKeyRow.prefix == ref))
                .order_by(ApiKeyRow.created_at)
            ).all()
            if exact:
                return [_info(row) for row in exact]
            # substr, not LIKE: LIKE ignores case on SQLite, and keys and ids are case-sensitive
            length = len(ref)
            starting = session.scalars(
                select(ApiKeyRow)
                .where(
                    (func.substr(ApiKeyRow.id, 1, length) == ref)
                    | (func.substr(ApiKeyRow.prefix, 1, length) == ref)
                )
                .order_by(ApiKeyRow.created_at)
            ).all()
            return [_info(row) for row in starting]

    def has_api_keys(self) -> bool:
        """True once any key was created: revoking the last key must not open the server."""
        with self.session() as session:
            return session.scalar(select(ApiKeyRow.id).limit(1)) is not None

    def has_active_api_keys(self) -> bool:
        with self.session() as session:
            return (
                session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.revoked_at.is_(None)).limit(1))
                is not None
            )

    def check_api_key(self, key: str) -> bool:
        """True when `key` is a stored, unrevoked key."""
        return self.check_api_key_hash(hash_key(key))

    def active_api_key_hashes(self) -> list[str]:
        """The digests of the stored keys not revoked (a sign-in cookie's tag is checked against them)."""
        with self.session() as session:
            return list(session.scalars(select(ApiKeyRow.key_hash).where(ApiKeyRow.revoked_at.is_(None))))

    def check_api_key_hash(self, key_hash: str) -> bool:
        """True when the key with this digest is stored and unrevoked (what a sign-in session holds)."""
        with self.session() as session:
            found = session.scalar(
                select(ApiKeyRow.id).where(ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None))
            )
            return found is not None
