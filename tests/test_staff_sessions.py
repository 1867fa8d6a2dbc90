"""Staff sessions that end (issue 11): kept server-side, a new id at sign-in, deleted at sign-out, an idle time-out
and an absolute lifetime, ended by an administrator or by deactivating the account; the same in Redis."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from mash.models import AuditEvent, StaffSession, StaffUser
from mash.staff_sessions import (
    DatabaseStaffSessions,
    RedisStaffSessions,
    SessionLimits,
    StaffSessionRecord,
    StaffSessionStore,
    stored_key,
)
from store.db import make_engine, make_sessionmaker
from tests.conftest import app_config
from tests.staff_support import create_contact, create_staff, sign_in

STAFF_COOKIE = "frontdoor_staff"


def cookies_of(client) -> list[tuple[str, str, str]]:
    """What a person copying this browser's cookies would take: Flask's session cookie and the staff one."""
    found = [client.get_cookie("session"), client.get_cookie(STAFF_COOKIE, path="/staff")]
    return [(cookie.key, cookie.value, cookie.path) for cookie in found if cookie is not None]


def browser_with(app, cookies: list[tuple[str, str, str]]):
    other = app.test_client()
    for key, value, path in cookies:
        other.set_cookie(key, value, path=path)
    return other


def staff_session_id(client) -> str:
    cookie = client.get_cookie(STAFF_COOKIE, path="/staff")
    assert cookie is not None, "signing in set no staff session cookie"
    return cookie.value


def age_session(db_session, client, *, started: dt.timedelta, seen: dt.timedelta) -> None:
    """Move this browser's stored session into the past, as the clock would."""
    now = dt.datetime.now(dt.UTC)
    db_session.execute(update(StaffSession).where(StaffSession.id_hash == stored_key(staff_session_id(client)))
                       .values(started_at=now - started, last_seen_at=now - seen))
    db_session.commit()


# --- The headline: signing out ends the session ------------------------------------------------------------------
def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(app, client, db_session):
    user, secret = create_staff(db_session)
    contact = create_contact(db_session)
    sign_in(client, user, secret)
    assert client.get(f"/staff/contacts/{contact.id}").status_code == 200
    copied = cookies_of(client)
    assert client.post("/staff/sign-out").location == "/staff/sign-in"
    thief = browser_with(app, copied)
    response = thief.get(f"/staff/contacts/{contact.id}")
    assert response.status_code == 302 and response.location.startswith("/staff/sign-in")
    assert thief.post("/staff/queue/next").location.startswith("/staff/sign-in")


def test_the_browser_holds_only_a_random_id_and_the_store_only_its_hash(app, client, db_session):
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    session_id = staff_session_id(client)
    assert len(session_id) == 43 and str(user.id) != session_id
    flask_cookie = client.get_cookie("session")
    flask_session = app.session_interface.get_signing_serializer(app).loads(flask_cookie.value) if flask_cookie else {}
    assert not {"_user_id", "_id", "staff_seen"} & set(flask_session)  # Flask's cookie no longer says who
    row = db_session.scalars(select(StaffSession)).one()
    assert row.id_hash == stored_key(session_id) != session_id and row.staff_id == user.id


# --- No fixation: a new id at every sign-in ----------------------------------------------------------------------
def test_an_id_planted_before_sign_in_is_not_the_one_signed_in(app, client, db_session):
    user, secret = create_staff(db_session)
    planted = "p" * 43
    client.set_cookie(STAFF_COOKIE, planted, path="/staff")
    sign_in(client, user, secret)
    assert staff_session_id(client) != planted
    attacker = browser_with(app, [(STAFF_COOKIE, planted, "/staff")])
    assert attacker.get("/staff/queue").location.startswith("/staff/sign-in")
    assert client.get("/staff/queue").status_code == 200


def test_signing_in_again_ends_the_session_this_browser_held(app, client, db_session):
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    first = cookies_of(client)
    sign_in(client, user, secret, at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    assert staff_session_id(client) not in [value for _, value, _ in first]
    assert browser_with(app, first).get("/staff/queue").location.startswith("/staff/sign-in")
    assert client.get("/staff/queue").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 1


# --- Time limits --------------------------------------------------------------------------------------------------
def test_activity_keeps_a_session_open_and_inactivity_ends_it(client, db_session):
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    age_session(db_session, client, started=dt.timedelta(minutes=14), seen=dt.timedelta(minutes=14))
    assert client.get("/staff/queue").status_code == 200  # 14 minutes quiet: still open, and the clock restarts
    seen = db_session.scalars(select(StaffSession.last_seen_at)).one()
    assert dt.datetime.now(dt.UTC) - seen < dt.timedelta(minutes=1)
    age_session(db_session, client, started=dt.timedelta(minutes=30), seen=dt.timedelta(minutes=16))
    response = client.get("/staff/queue")
    assert response.location == "/staff/sign-in"
    assert "signed out after a period of inactivity" in client.get(response.location).get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_a_session_ends_after_its_lifetime_however_busy(client, db_session):
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    age_session(db_session, client, started=dt.timedelta(hours=7, minutes=59), seen=dt.timedelta(minutes=1))
    assert client.get("/staff/queue").status_code == 200
    age_session(db_session, client, started=dt.timedelta(hours=8, minutes=1), seen=dt.timedelta(minutes=1))
    response = client.get("/staff/queue")
    assert response.location == "/staff/sign-in"
    assert "signed in for 8 hours" in client.get(response.location).get_data(as_text=True)
    assert client.get("/staff/queue").location.startswith("/staff/sign-in")  # ended, not just refused once


def test_the_lifetime_is_a_setting(database_url, tmp_path, db_session):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, STAFF_SESSION_HOURS=1))
    client = app.test_client()
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    age_session(db_session, client, started=dt.timedelta(minutes=61), seen=dt.timedelta(seconds=5))
    assert client.get("/staff/queue").location == "/staff/sign-in"


# --- An administrator ends them; deactivating ends them -----------------------------------------------------------
def test_an_administrator_can_end_every_session_of_an_account(app, db_session):
    from portal.cli import cli

    user, secret = create_staff(db_session)
    colleague, colleague_secret = create_staff(db_session)
    desk, laptop, other = app.test_client(), app.test_client(), app.test_client()
    sign_in(desk, user, secret)
    sign_in(laptop, user, secret, at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    sign_in(other, colleague, colleague_secret)
    result = app.test_cli_runner().invoke(cli, ["users", "end-sessions", user.email.upper()])
    assert result.exit_code == 0 and "2 session(s) ended" in result.output
    assert desk.get("/staff/queue").location.startswith("/staff/sign-in")
    assert laptop.get("/staff/queue").location.startswith("/staff/sign-in")
    assert other.get("/staff/queue").status_code == 200
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "staff.sessions_ended")).one()
    assert event.actor == "system:cli" and event.details == {"staff_id": user.id, "sessions_ended": 2}
    assert user.email not in repr(event.details)
    assert app.test_cli_runner().invoke(cli, ["users", "end-sessions", "nobody@council.test"]).exit_code == 1


def test_deactivating_an_account_ends_its_sessions_for_good(app, client, db_session):
    from portal.cli import cli

    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    copied = cookies_of(client)
    assert app.test_cli_runner().invoke(cli, ["users", "deactivate", user.email]).exit_code == 0
    # Even once the account is active again, what was signed in before stays signed out.
    db_session.execute(update(StaffUser).where(StaffUser.id == user.id).values(active=True))
    db_session.commit()
    assert browser_with(app, copied).get("/staff/queue").location.startswith("/staff/sign-in")
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 0
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "staff.deactivated")).one()
    assert event.details == {"staff_id": user.id, "sessions_ended": 1}


# --- The two stores keep one contract ----------------------------------------------------------------------------
LIMITS = SessionLimits(idle=dt.timedelta(minutes=15), lifetime=dt.timedelta(hours=8))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of the tests' own on a spare port, on loopback, keeping nothing on disk, with a password (it
    answers other processes, so it authenticates them). Started here, so `make test` needs only the binary."""
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed (Debian's redis-server package; see docs/deployment.md)"
    port, password = free_port(), "test-redis-password"
    workdir: Path = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--requirepass", password, "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["database", pytest.param("postgres", marks=[pytest.mark.slow, pytest.mark.postgres]),
                        pytest.param("redis", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, database_url: str) -> Iterator[StaffSessionStore]:
    if request.param in ("database", "postgres"):
        engine = make_engine(database_url if request.param == "database" else request.getfixturevalue("pg_url"))
        yield DatabaseStaffSessions(make_sessionmaker(engine), LIMITS)
        engine.dispose()
    else:
        import redis

        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))  # answers bytes; the app's, str
        client.flushdb()
        yield RedisStaffSessions(client, LIMITS)


def accounts(store: StaffSessionStore, db_session, count: int) -> list[int]:
    """Staff ids the store can refer to: real accounts in whichever database the store uses."""
    if isinstance(store, DatabaseStaffSessions):
        with store._sessions() as dbs:
            return [create_staff(dbs)[0].id for _ in range(count)]
    return list(range(1, count + 1))


def test_a_store_starts_finds_touches_and_ends_sessions(store, db_session):
    user_id, colleague_id = accounts(store, db_session, 2)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first, second = store.start(user_id, now), store.start(user_id, now)
    theirs = store.start(colleague_id, now)
    assert len({first, second, theirs}) == 3
    assert store.find(first) == StaffSessionRecord(user_id, started_at=now, last_seen_at=now)
    later = now + dt.timedelta(minutes=5)
    store.touch(first, later)
    assert store.find(first).last_seen_at == later and store.find(first).started_at == now
    store.end(second)
    assert store.find(second) is None
    store.touch(second, later)  # a touch after the end brings nothing back
    assert store.find(second) is None
    assert store.end_all(user_id) == 1
    assert store.find(first) is None and store.find(theirs) is not None
    assert store.end_all(user_id) == 0
    assert store.find("x" * 43) is None


def test_the_limits_say_why_a_session_ended():
    now = dt.datetime.now(dt.UTC)
    fresh = StaffSessionRecord(1, now - dt.timedelta(hours=1), now - dt.timedelta(minutes=14))
    assert LIMITS.ended_by(fresh, now) is None
    assert LIMITS.ended_by(StaffSessionRecord(1, now - dt.timedelta(hours=1), now - dt.timedelta(minutes=16)),
                           now) == "idle"
    assert LIMITS.ended_by(StaffSessionRecord(1, now - dt.timedelta(hours=8), now), now) == "lifetime"
    # The store may forget a session once neither limit leaves it any time.
    assert LIMITS.remaining(StaffSessionRecord(1, now - dt.timedelta(hours=7, minutes=55), now), now) == \
        dt.timedelta(minutes=5)


def test_the_database_deletes_ended_sessions_when_one_starts(database_url, db_session):
    user, _ = create_staff(db_session)
    engine = make_engine(database_url)
    store = DatabaseStaffSessions(make_sessionmaker(engine), LIMITS)
    now = dt.datetime.now(dt.UTC)
    quiet = store.start(user.id, now - dt.timedelta(minutes=16))
    busy = store.start(user.id, now - dt.timedelta(hours=8))
    store.touch(busy, now)
    kept = store.start(user.id, now - dt.timedelta(minutes=10))
    store.start(user.id, now)
    assert store.find(quiet) is None and store.find(busy) is None and store.find(kept) is not None
    engine.dispose()


@pytest.mark.slow
def test_redis_forgets_a_session_when_it_would_end(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisStaffSessions(client, LIMITS)
    now = dt.datetime.now(dt.UTC)
    session_id = store.start(7, now)
    store.touch(session_id, now + dt.timedelta(hours=7, minutes=55))
    ttl = client.pttl(f"frontdoor:staff-session:{stored_key(session_id)}")
    assert 0 < ttl <= 5 * 60 * 1000  # the lifetime's last five minutes, though idle would allow fifteen


@pytest.mark.slow
def test_sessions_live_in_redis_when_a_url_is_set(database_url, tmp_path, db_session, redis_url):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, SESSION_REDIS_URL=redis_url))
    client = app.test_client()
    user, secret = create_staff(db_session)
    contact = create_contact(db_session)
    sign_in(client, user, secret)
    assert client.get(f"/staff/contacts/{contact.id}").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 0  # not in the database
    copied = cookies_of(client)
    client.post("/staff/sign-out")
    assert browser_with(app, copied).get(f"/staff/contacts/{contact.id}").location.startswith("/staff/sign-in")
