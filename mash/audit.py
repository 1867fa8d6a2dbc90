"""The one audit writer, and the chain check behind `frontdoor audit verify`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mash.models import AuditEvent, AuditHead
from store.db import utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: dt.datetime, event: str, actor: str, contact_id: int | None,
            reason: str | None, details: dict[str, Any]) -> str:
    body = json.dumps(
        {"seq": seq, "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "event": event,
         "actor": actor, "contact_id": contact_id, "reason": reason, "details": details},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """An event to append: what happened, who did it, to which contact, and why. No personal data."""

    event: str
    actor: str
    contact_id: int | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None


def record(session: Session, *, event: str, actor: str, contact_id: int | None = None,
           reason: str | None = None, details: dict[str, Any] | None = None,
           at: dt.datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction."""
    return append(session, [Entry(event, actor, contact_id, reason, details or {}, at)])[0]


def append(session: Session, entries: list[Entry]) -> list[AuditEvent]:
    """Append events in order, in the caller's transaction, with one bump of the chain's head."""
    # Bumping the head first takes the write lock, so concurrent writers cannot fork the chain.
    row = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + len(entries))
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one()
    seq, prev_hash = row.seq - len(entries), row.last_hash
    events = []
    for entry in entries:
        seq += 1
        at = entry.at or utcnow()
        digest = _digest(prev_hash, seq, at, entry.event, entry.actor, entry.contact_id, entry.reason,
                         entry.details)
        events.append(AuditEvent(seq=seq, at=at, event=entry.event, actor=entry.actor, contact_id=entry.contact_id,
                                 reason=entry.reason, details=entry.details, prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    session.add_all(events)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev_hash))
    return events


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str | None = None


def verify(session: Session, *, batch: int = 5000) -> ChainCheck:
    """Walk the chain in order; name the first event whose link or content does not match."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    while True:
        rows = session.execute(
            select(AuditEvent.id, AuditEvent.seq, AuditEvent.at, AuditEvent.event, AuditEvent.actor,
                   AuditEvent.contact_id, AuditEvent.reason, AuditEvent.details, AuditEvent.prev_hash,
                   AuditEvent.hash)
            .where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for r in rows:
            if r.seq != expected_seq:
                return ChainCheck(False, checked, expected_seq, f"event {expected_seq} is missing")
            if r.prev_hash != prev_hash:
                return ChainCheck(False, checked, r.seq, "it does not link to the event before it")
            if _digest(prev_hash, r.seq, r.at, r.event, r.actor, r.contact_id, r.reason, r.details) != r.hash:
                return ChainCheck(False, checked, r.seq, "its contents do not match its hash")
            prev_hash, expected_seq, checked = r.hash, r.seq + 1, checked + 1
    head = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).one_or_none()
    if head is not None and (head.seq != checked or head.last_hash != prev_hash):
        return ChainCheck(False, checked, checked + 1, "the newest events are missing")
    return ChainCheck(True, checked)
