"""The one audit writer, and the chain check behind `frontdoor audit verify` and `frontdoor audit checkpoint`.

Each event's hash is an HMAC-SHA256, under a key from the environment (AUDIT_HMAC_KEYS), of the event before it
and the event itself, so someone who can write to the database but has no key cannot recompute the chain after
an edit. Events written before the key existed keep their plain SHA-256 and no key id; they are accepted only up
to the boundary recorded when the key came in (audit_head.legacy_seq), and a checkpoint carries that boundary,
signed, so it cannot be moved later. A checkpoint (sequence, hash, time, HMAC) kept outside the database also
catches a chain cut short or rewritten wholesale, which nothing inside the database can.

Writers hold the chain's head only for their own insert and commit: events are queued in the session and
written at commit, after the caller's own changes are flushed (or earlier, if the session reads the trail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from mash.models import AuditEvent, AuditHead
from store.db import is_postgresql, utcnow

GENESIS = "0" * 64
KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")
MIN_SECRET_CHARS = 32
_PENDING = "frontdoor.audit.pending"
_CHECKPOINT = "frontdoor-audit-checkpoint-v1"


class AuditKeyError(RuntimeError):
    """AUDIT_HMAC_KEYS is missing or malformed."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be read."""


# --- keys ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditKeys:
    """The keys that sign the chain: the first signs new events; every one listed verifies."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, spec: str | Iterable[str]) -> AuditKeys:
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        keys: list[tuple[str, bytes]] = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            key_id, _, secret = item.partition(":")
            if not KEY_ID.fullmatch(key_id) or len(secret) < MIN_SECRET_CHARS:
                # Never echo the value: it is a secret.
                raise AuditKeyError(f"AUDIT_HMAC_KEYS entries look like id:secret (id of letters, digits, '.', '_' "
                                    f"or '-'; secret of at least {MIN_SECRET_CHARS} characters); entry "
                                    f"{len(keys) + 1} is not")
            if any(k == key_id for k, _ in keys):
                raise AuditKeyError(f"AUDIT_HMAC_KEYS names key id {key_id!r} twice")
            keys.append((key_id, secret.encode()))
        if not keys:
            raise AuditKeyError("AUDIT_HMAC_KEYS must name at least one key (id:secret)")
        return cls(tuple(keys))

    @property
    def signing(self) -> tuple[str, bytes]:
        return self.keys[0]

    def get(self, key_id: str) -> bytes | None:
        return next((secret for k, secret in self.keys if k == key_id), None)


_keys: AuditKeys | None = None


def configure_keys(spec: str | Iterable[str]) -> None:
    """Set the process's audit keys, once at start-up (the app factory, the CLI, tests)."""
    global _keys
    _keys = AuditKeys.parse(spec)


def configured_keys() -> AuditKeys:
    if _keys is None:
        raise AuditKeyError("the audit keys are not configured (AUDIT_HMAC_KEYS)")
    return _keys


def generate_key(key_id: str | None = None) -> str:
    """A new `id:secret` entry for AUDIT_HMAC_KEYS; the id defaults to today's date, so rotations sort."""
    key_id = key_id or f"k{dt.date.today():%Y%m%d}"
    if not KEY_ID.fullmatch(key_id):
        raise AuditKeyError("a key id is 1-40 letters, digits, '.', '_' or '-'")
    return f"{key_id}:{secrets.token_urlsafe(48)}"


# --- hashing ------------------------------------------------------------------------------------------------

def _body(seq: int, at: dt.datetime, event: str, actor: str, contact_id: int | None, reason: str | None,
          details: dict[str, Any]) -> str:
    return json.dumps(
        {"seq": seq, "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "event": event,
         "actor": actor, "contact_id": contact_id, "reason": reason, "details": details},
        sort_keys=True, separators=(",", ":"), default=str,
    )


def _digest(prev_hash: str, seq: int, at: dt.datetime, event: str, actor: str, contact_id: int | None,
            reason: str | None, details: dict[str, Any]) -> str:
    """The unkeyed SHA-256 of events written before the key: verified, never written any more."""
    body = _body(seq, at, event, actor, contact_id, reason, details)
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def _signed_digest(key_id: str, key: bytes, prev_hash: str, seq: int, at: dt.datetime, event: str, actor: str,
                   contact_id: int | None, reason: str | None, details: dict[str, Any]) -> str:
    # The key id is inside the MAC, so an event cannot be relabelled as signed by another key.
    body = _body(seq, at, event, actor, contact_id, reason, details)
    return hmac.new(key, f"{prev_hash}|{key_id}|{body}".encode(), hashlib.sha256).hexdigest()


# --- writing ------------------------------------------------------------------------------------------------

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
    """Append one event in the caller's transaction (written at its commit)."""
    return append(session, [Entry(event, actor, contact_id, reason, details or {}, at)])[0]


def append(session: Session, entries: list[Entry]) -> list[AuditEvent]:
    """Append events in order, in the caller's transaction. They are chained and inserted when it commits, so
    the chain's head is locked only for the insert and the commit; `seq` and `hash` are set then."""
    configured_keys()  # a missing key fails here, in the caller, not at commit
    events = [AuditEvent(at=e.at or utcnow(), event=e.event, actor=e.actor, contact_id=e.contact_id,
                         reason=e.reason, details=dict(e.details)) for e in entries]
    if session.in_nested_transaction():
        _write(session, events)  # a savepoint may roll back on its own: write inside it, now
        return events
    session.connection()  # begin the transaction now, so that a rollback before any SQL forgets these too
    session.info.setdefault(_PENDING, []).extend(events)
    return events


def _write(session: Session, events: list[AuditEvent]) -> None:
    """Lock the head, chain and insert. The caller commits straight after, which releases the head."""
    if not events:
        return
    key_id, key = configured_keys().signing
    # UPDATE ... RETURNING takes the head's row lock (SQLite: the write lock) and, once a writer ahead of us
    # commits, returns the row as it left it.
    seq, prev_hash = session.execute(_TAKE_HEAD, {"taken": len(events)}).one()
    seq -= len(events)
    rows = []
    for ev in events:
        seq += 1
        ev.seq, ev.prev_hash, ev.key_id = seq, prev_hash, key_id
        ev.hash = _signed_digest(key_id, key, prev_hash, seq, ev.at, ev.event, ev.actor, ev.contact_id, ev.reason,
                                 ev.details)
        rows.append({"seq": seq, "at": ev.at, "event": ev.event, "actor": ev.actor, "contact_id": ev.contact_id,
                     "reason": ev.reason, "details": ev.details, "prev_hash": prev_hash, "hash": ev.hash,
                     "key_id": key_id})
        prev_hash = ev.hash
    if len(rows) == 1 and is_postgresql(session):
        one = {f"new_{name}": value for name, value in rows[0].items()}
        session.execute(_ADD_ONE_AND_MOVE_HEAD, {**one, "head_hash": prev_hash})  # one round trip, held
    else:
        session.execute(insert(_EVENTS), rows)
        session.execute(_MOVE_HEAD, {"head_hash": prev_hash})


# Built once with bound parameters, so SQLAlchemy compiles them once, not inside the lock on every commit.
_HEAD, _EVENTS = cast(Table, AuditHead.__table__), cast(Table, AuditEvent.__table__)
_TAKE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1)
              .values(seq=_HEAD.c.seq + bindparam("taken", type_=_HEAD.c.seq.type))
              .returning(_HEAD.c.seq, _HEAD.c.last_hash))
_MOVE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1)
              .values(last_hash=bindparam("head_hash", type_=_HEAD.c.last_hash.type)))
_ADD_ONE_AND_MOVE_HEAD = _MOVE_HEAD.add_cte(  # a data-modifying CTE: PostgreSQL only
    insert(_EVENTS).values({c.name: bindparam(f"new_{c.name}", type_=c.type)
                            for c in _EVENTS.columns if c.name != "id"}).cte("added"))


@event.listens_for(Session, "before_commit")
def _write_at_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        session.flush()  # the caller's own changes first, so the head is held only for our insert and the commit
        _write(session, session.info.pop(_PENDING))


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading_the_trail(state: ORMExecuteState) -> None:
    # Code that records and then reads the trail in one transaction sees its own events, as before.
    session = state.session
    if session.info.get(_PENDING) and _reads_trail(state):
        _write(session, session.info.pop(_PENDING))


def _reads_trail(state: ORMExecuteState) -> bool:
    statement = state.statement
    if getattr(statement, "is_text", False):
        return "audit_events" in str(statement)
    if not state.is_select:
        return False
    if any(m.class_ is AuditEvent for m in state.all_mappers):
        return True
    froms: list[Any] = getattr(statement, "get_final_froms", lambda: [])()
    return any(AuditEvent.__table__ in f._from_objects or f is AuditEvent.__table__ for f in froms)


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without writing them: rolled back
        session.info.pop(_PENDING, None)


# --- checking -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed: kept outside the database, it catches a chain cut short or rewritten.
    `legacy_until` is the last event allowed to carry no key, so that boundary cannot be moved later either."""

    seq: int
    hash: str
    at: str
    legacy_until: int
    key_id: str
    mac: str = ""

    def _message(self) -> bytes:
        return f"{_CHECKPOINT}|{self.seq}|{self.hash}|{self.at}|{self.legacy_until}|{self.key_id}".encode()

    def signed(self, keys: AuditKeys) -> Checkpoint:
        key_id, key = keys.signing
        unsigned = Checkpoint(self.seq, self.hash, self.at, self.legacy_until, key_id)
        mac = hmac.new(key, unsigned._message(), hashlib.sha256).hexdigest()
        return Checkpoint(self.seq, self.hash, self.at, self.legacy_until, key_id, mac)

    def is_genuine(self, keys: AuditKeys | None) -> bool:
        key = keys.get(self.key_id) if keys else None
        return key is not None and hmac.compare_digest(
            hmac.new(key, self._message(), hashlib.sha256).hexdigest(), self.mac)

    def to_text(self) -> str:
        return json.dumps({"audit_checkpoint": 1, "seq": self.seq, "hash": self.hash, "at": self.at,
                           "legacy_until": self.legacy_until, "key_id": self.key_id, "mac": self.mac},
                          separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("audit_checkpoint") != 1:
                raise CheckpointError("not a Front Door audit checkpoint")
            return cls(int(data["seq"]), str(data["hash"]), str(data["at"]), int(data["legacy_until"]),
                       str(data["key_id"]), str(data["mac"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"the checkpoint cannot be read: {exc}") from None

    @classmethod
    def load(cls, file_or_text: str) -> Checkpoint:
        """A checkpoint from a file that holds one, or the checkpoint's own text."""
        text = file_or_text.strip()
        if not text.startswith("{"):
            path = Path(file_or_text)
            if not path.is_file():
                raise CheckpointError(f"no such checkpoint file: {file_or_text}")
            text = path.read_text().strip()
        return cls.from_text(text)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    last_hash: str = GENESIS
    unkeyed: int = 0  # events from before the key, checked as plain SHA-256
    legacy_until: int = 0


def verify(session: Session, *, batch: int = 5000, checkpoint: Checkpoint | None = None,
           keys: AuditKeys | None = None) -> ChainCheck:
    """Walk the chain in order; name the first event whose link, key or content does not match, or the first
    event missing against the head or the checkpoint."""
    keys = keys or _keys
    if checkpoint is not None and not checkpoint.is_genuine(keys):
        return ChainCheck(False, 0, None, f"the checkpoint is not signed by any key in AUDIT_HMAC_KEYS "
                                          f"(it names key {checkpoint.key_id!r})")
    legacy_until = session.scalar(select(AuditHead.legacy_seq).where(AuditHead.id == 1)) or 0
    if checkpoint is not None:
        legacy_until = min(legacy_until, checkpoint.legacy_until)  # the signed boundary wins over a moved one
    prev_hash, expected_seq, checked, unkeyed = GENESIS, 1, 0, 0

    def broken(seq: int | None, problem: str) -> ChainCheck:
        return ChainCheck(False, checked, seq, problem, prev_hash, unkeyed, legacy_until)

    while True:
        rows = session.execute(
            select(AuditEvent.id, AuditEvent.seq, AuditEvent.at, AuditEvent.event, AuditEvent.actor,
                   AuditEvent.contact_id, AuditEvent.reason, AuditEvent.details, AuditEvent.prev_hash,
                   AuditEvent.hash, AuditEvent.key_id)
            .where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for r in rows:
            if r.seq != expected_seq:
                return broken(expected_seq, f"event {expected_seq} is missing")
            if r.prev_hash != prev_hash:
                return broken(r.seq, "it does not link to the event before it")
            if r.key_id is None:
                if r.seq > legacy_until:
                    return broken(r.seq, f"it carries no key, but every event after {legacy_until} must be signed")
                expected = _digest(prev_hash, r.seq, r.at, r.event, r.actor, r.contact_id, r.reason, r.details)
                unkeyed += 1
            else:
                key = keys.get(r.key_id) if keys else None
                if key is None:
                    return broken(r.seq, f"it is signed with key {r.key_id!r}, which is not in AUDIT_HMAC_KEYS")
                expected = _signed_digest(r.key_id, key, prev_hash, r.seq, r.at, r.event, r.actor, r.contact_id,
                                          r.reason, r.details)
            if not hmac.compare_digest(expected, r.hash):
                return broken(r.seq, "its contents do not match its hash")
            if checkpoint is not None and r.seq == checkpoint.seq and r.hash != checkpoint.hash:
                return broken(r.seq, f"it does not match the checkpoint of {checkpoint.at}: it or an event "
                                     "before it was rewritten")
            prev_hash, expected_seq, checked = r.hash, r.seq + 1, checked + 1
    if checkpoint is not None and checked < checkpoint.seq:
        return broken(checked + 1, f"the chain ends at event {checked}, but the checkpoint of {checkpoint.at} "
                                   f"saw {checkpoint.seq}: events from {checked + 1} were removed")
    head = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).one_or_none()
    if head is not None and (head.seq != checked or head.last_hash != prev_hash):
        return broken(checked + 1, "the newest events are missing")
    return ChainCheck(True, checked, last_hash=prev_hash, unkeyed=unkeyed, legacy_until=legacy_until)


def checkpoint(session: Session, *, now: dt.datetime | None = None, batch: int = 5000) -> Checkpoint:
    """Verify the chain, then sign its head; a broken chain is never signed."""
    keys = configured_keys()
    result = verify(session, batch=batch, keys=keys)
    if not result.ok:
        raise CheckpointError(f"the audit trail is broken at event {result.first_broken_seq}: {result.problem}")
    at = (now or utcnow()).astimezone(dt.UTC).isoformat(timespec="seconds")
    return Checkpoint(result.checked, result.last_hash, at, result.legacy_until, "").signed(keys)
