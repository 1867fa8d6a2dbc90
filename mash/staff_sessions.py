"""Staff sessions kept server-side, so that they can end: at sign-out, when an administrator ends them, when the
account is deactivated, after the idle time-out and after the absolute lifetime, whatever the activity.

The browser holds a random id and nothing else; a store keeps who signed in and when, under the id's SHA-256 (a
copy of the store opens nothing). Two stores, one interface: the database (development, SQLite) and Redis
(production, shared by every portal process).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol, cast

import redis
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mash.models import StaffSession

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
Ending = Literal["idle", "lifetime"]


@dataclass(frozen=True)
class StaffSessionRecord:
    staff_id: int
    started_at: dt.datetime
    last_seen_at: dt.datetime


@dataclass(frozen=True)
class SessionLimits:
    idle: dt.timedelta
    lifetime: dt.timedelta

    def ended_by(self, record: StaffSessionRecord, now: dt.datetime) -> Ending | None:
        """Why this session is over at `now`, or None while it is still open."""
        if now - record.started_at >= self.lifetime:
            return "lifetime"
        if now - record.last_seen_at > self.idle:
            return "idle"
        return None

    def remaining(self, record: StaffSessionRecord, now: dt.datetime) -> dt.timedelta:
        """How long the session lasts without another request: the store may forget it after this."""
        return min(self.idle - (now - record.last_seen_at), self.lifetime - (now - record.started_at))


class StaffSessionStore(Protocol):
    def start(self, staff_id: int, now: dt.datetime) -> str:
        """A new session for this account; returns its id (a fresh random one, never one the browser offered)."""
        ...

    def find(self, session_id: str) -> StaffSessionRecord | None: ...

    def touch(self, session_id: str, now: dt.datetime) -> None:
        """Note activity (the idle time-out slides; the lifetime does not). A session already ended stays ended."""
        ...

    def end(self, session_id: str) -> None: ...

    def end_all(self, staff_id: int) -> int:
        """End every session of this account; returns how many there were."""
        ...


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def stored_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class DatabaseStaffSessions:
    """The `staff_sessions` table. Each call is its own short transaction on its own connection, so callers must
    not hold a write open on SQLite when they call it (it would wait on their lock)."""

    def __init__(self, sessions: sessionmaker[Session], limits: SessionLimits) -> None:
        self._sessions = sessions
        self._limits = limits

    def start(self, staff_id: int, now: dt.datetime) -> str:
        session_id = new_session_id()
        with self._sessions.begin() as dbs:
            # Ended sessions are deleted whenever one starts, as expired drafts are: no worker needed.
            dbs.execute(delete(StaffSession).where(or_(StaffSession.last_seen_at < now - self._limits.idle,
                                                       StaffSession.started_at <= now - self._limits.lifetime)))
            dbs.add(StaffSession(id_hash=stored_key(session_id), staff_id=staff_id, started_at=now,
                                 last_seen_at=now))
        return session_id

    def find(self, session_id: str) -> StaffSessionRecord | None:
        with self._sessions() as dbs:
            row = dbs.scalar(select(StaffSession).where(StaffSession.id_hash == stored_key(session_id)))
            return None if row is None else StaffSessionRecord(row.staff_id, row.started_at, row.last_seen_at)

    def touch(self, session_id: str, now: dt.datetime) -> None:
        with self._sessions.begin() as dbs:
            dbs.execute(update(StaffSession).where(StaffSession.id_hash == stored_key(session_id))
                        .values(last_seen_at=now))

    def end(self, session_id: str) -> None:
        with self._sessions.begin() as dbs:
            dbs.execute(delete(StaffSession).where(StaffSession.id_hash == stored_key(session_id)))

    def end_all(self, staff_id: int) -> int:
        with self._sessions.begin() as dbs:
            ended = dbs.scalars(delete(StaffSession).where(StaffSession.staff_id == staff_id)
                                .returning(StaffSession.id_hash)).all()
        return len(ended)


class RedisStaffSessions:
    """One key per session, expiring when the session would (Redis forgets it by itself), and one set per account
    naming its sessions, so that an administrator can end them all."""

    def __init__(self, client: redis.Redis, limits: SessionLimits, prefix: str = "frontdoor:staff-session") -> None:
        self._redis = client
        self._limits = limits
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, limits: SessionLimits) -> RedisStaffSessions:
        return cls(redis.Redis.from_url(url, decode_responses=True, socket_timeout=5), limits)

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}:{stored_key(session_id)}"

    def _account_key(self, staff_id: int) -> str:
        return f"{self._prefix}s-of:{staff_id}"

    def _ttl_ms(self, record: StaffSessionRecord, now: dt.datetime) -> int:
        return max(1, int(self._limits.remaining(record, now).total_seconds() * 1000))

    def start(self, staff_id: int, now: dt.datetime) -> str:
        session_id = new_session_id()
        record = StaffSessionRecord(staff_id, now, now)
        account = self._account_key(staff_id)
        with self._redis.pipeline() as pipe:  # MULTI/EXEC: the session and its place in the account's set together
            pipe.set(self._key(session_id), _dump(record), px=self._ttl_ms(record, now))
            pipe.sadd(account, stored_key(session_id))
            # Every session in the set started within a lifetime of now, so the set may go when the newest would.
            pipe.pexpire(account, int(self._limits.lifetime.total_seconds() * 1000))
            pipe.execute()
        return session_id

    def find(self, session_id: str) -> StaffSessionRecord | None:
        value = self._redis.get(self._key(session_id))
        return None if value is None else _load(_text(value))

    def touch(self, session_id: str, now: dt.datetime) -> None:
        record = self.find(session_id)
        if record is not None:
            seen = StaffSessionRecord(record.staff_id, record.started_at, now)
            # XX: only if it still exists, so a touch racing a sign-out cannot bring the session back.
            self._redis.set(self._key(session_id), _dump(seen), px=self._ttl_ms(seen, now), xx=True)

    def end(self, session_id: str) -> None:
        record = self.find(session_id)
        with self._redis.pipeline() as pipe:
            pipe.delete(self._key(session_id))
            if record is not None:
                pipe.srem(self._account_key(record.staff_id), stored_key(session_id))
            pipe.execute()

    def end_all(self, staff_id: int) -> int:
        account = self._account_key(staff_id)

        def end_listed(pipe: redis.client.Pipeline) -> None:
            # WATCHed: a session started meanwhile makes redis-py run this again, so none escapes the deletion.
            keys = [f"{self._prefix}:{_text(key)}" for key in pipe.smembers(account)]
            pipe.multi()
            if keys:
                pipe.delete(*keys)  # answers how many still existed: the sessions actually ended
            pipe.delete(account)

        results = cast(list[int], self._redis.transaction(end_listed, account))
        return results[0] if len(results) == 2 else 0


def _text(value: str | bytes) -> str:
    # Whichever way the client was made: with decode_responses Redis answers str, without it bytes.
    return value.decode() if isinstance(value, bytes) else value


def _dump(record: StaffSessionRecord) -> str:
    return json.dumps({"staff_id": record.staff_id, "started_at": record.started_at.timestamp(),
                       "last_seen_at": record.last_seen_at.timestamp()})


def _load(value: str) -> StaffSessionRecord:
    data = json.loads(value)
    return StaffSessionRecord(int(data["staff_id"]), dt.datetime.fromtimestamp(data["started_at"], dt.UTC),
                              dt.datetime.fromtimestamp(data["last_seen_at"], dt.UTC))
