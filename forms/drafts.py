"""Unfinished referrals, kept server-side and encrypted so that nothing is lost to the back button,
a validation error or a timed-out session. The browser only ever holds the draft's random id."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.crypto import EncryptedJSON
from store.db import Base, utcnow


class Draft(Base):
    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    journey: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    submitted_reference: Mapped[str | None] = mapped_column(String(20))

    @property
    def idempotency_key(self) -> str:
        """Derived, so the bearer id itself is never stored beside the contact."""
        return "draft:" + hashlib.sha256(self.id.encode()).hexdigest()[:40]


def start_draft(session: Session, journey: str, *, ttl: dt.timedelta, now: dt.datetime | None = None) -> Draft:
    now = now or utcnow()
    purge_expired(session, now=now)  # indexed and cheap: no scheduler needed to keep old answers from lingering
    draft = Draft(id=secrets.token_urlsafe(32), journey=journey, answers={}, created_at=now, updated_at=now,
                  expires_at=now + ttl)
    session.add(draft)
    return draft


def load_draft(session: Session, draft_id: str | None, journey: str, *, now: dt.datetime | None = None) -> Draft | None:
    if not draft_id:
        return None
    draft = session.get(Draft, draft_id)
    if draft is None or draft.journey != journey or draft.expires_at <= (now or utcnow()):
        return None
    return draft


def save_answers(draft: Draft, answers: dict[str, Any], *, ttl: dt.timedelta, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    draft.answers = answers
    draft.updated_at = now
    draft.expires_at = now + ttl


def purge_expired(session: Session, *, now: dt.datetime | None = None) -> int:
    result = cast("CursorResult[Any]", session.execute(delete(Draft).where(Draft.expires_at <= (now or utcnow()))))
    return result.rowcount or 0
