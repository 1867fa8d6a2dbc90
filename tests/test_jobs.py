"""Background jobs on Huey (issue 11): ids only in the queue, each piece of work done once however many
workers or duplicated ticks, a failing job logged by its type alone, and `frontdoor worker --once` kept."""

import datetime as dt
import logging
import sqlite3
import threading
import time
import uuid

import pytest
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mash.models import OutboxMessage
from mash.outbox import queue_feedback
from portal import jobs
from tests.conftest import app_config
from tests.notify_support import API_KEY, EMAIL_TEMPLATE, SMS_TEMPLATE, FakeNotify
from tests.staff_support import create_contact
from tests.test_outbox import decision_for

PERSONAL = ("dsl@oakfield.example", "7700900982", "Priya", "oakfield")
# These tests send whatever the time of day they run; the quiet hours have tests of their own.
NO_QUIET_HOURS = {"QUIET_HOURS_START": dt.time(0, 0), "QUIET_HOURS_END": dt.time(0, 0)}


@pytest.fixture
def notify():
    with FakeNotify() as fake:
        yield fake


@pytest.fixture
def notify_app(database_url, tmp_path, notify):
    """The portal as a council runs it, feedback by (the fake) Notify."""
    from portal import create_app

    return create_app(app_config(database_url, tmp_path, FRONTDOOR_ENV="production", NOTIFY_API_KEY=API_KEY,
                                 NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE, NOTIFY_SMS_TEMPLATE_ID=SMS_TEMPLATE,
                                 NOTIFY_BASE_URL=notify.url, **NO_QUIET_HOURS))


def queue_messages(db_session, count: int) -> list[int]:
    ids = []
    for n in range(count):
        contact = create_contact(db_session, journey="help") if n % 2 else create_contact(db_session)
        ids.append(queue_feedback(db_session, contact, decision_for(db_session, contact)).id)
    db_session.commit()
    return ids


def drain(huey, threads: int = 1) -> None:
    """What the consumer's workers do: take each job off the queue and run it, until none is left."""

    def work():
        while (task := huey.dequeue()) is not None:
            huey.execute(task)

    runners = [threading.Thread(target=work) for _ in range(threads)]
    for r in runners:
        r.start()
    for r in runners:
        r.join()


def test_worker_once_does_every_job_and_sends_by_notify(notify_app, db_session, notify):
    from portal.cli import cli

    queue_messages(db_session, 2)
    result = notify_app.test_cli_runner().invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Sent 2 message(s); stored 0 waiting message(s), set aside 0")
    assert "deleted 0 expired draft(s)" in result.output
    assert len(notify.accepted) == 2 and notify.refused_tokens == 0
    again = notify_app.test_cli_runner().invoke(cli, ["worker", "--once"])
    assert again.output.startswith("Sent 0 message(s)") and len(notify.accepted) == 2


def test_a_tick_enqueued_by_two_workers_sends_each_message_once(notify_app, db_session, notify):
    ids = queue_messages(db_session, 6)
    huey = jobs.bind(notify_app, MemoryStorage("frontdoor-test"))
    # Both workers' schedulers enqueue the same minute's tick; both ticks queue a send of every message.
    for tick in (jobs.send_due_feedback, jobs.send_due_feedback):
        assert tick() == 6
    assert huey.pending_count() == 12
    drain(huey)
    assert sorted(int(n["reference"].rsplit("-", 1)[-1]) for n in notify.accepted) == ids
    db_session.expire_all()
    assert {m.status for m in db_session.scalars(select(OutboxMessage))} == {"sent"}


def test_the_queue_holds_ids_and_nothing_a_person_wrote(notify_app, db_session, tmp_path):
    from tests.test_sms_webhook import DANGER

    queue_messages(db_session, 2)
    path = tmp_path / "jobs.db"
    huey = jobs.bind(notify_app, SqliteStorage("frontdoor", filename=str(path)))
    assert jobs.send_due_feedback() == 2
    with sqlite3.connect(path) as conn:
        stored = b"".join(bytes(row[0]) for row in conn.execute("select data from task"))
    assert stored and not any(word.encode() in stored for word in (*PERSONAL, DANGER, "No further action"))
    assert sorted(huey.dequeue().args for _ in range(2)) == [(1,), (2,)]


def test_a_consumer_on_sqlite_sends_what_the_tick_queued(notify_app, db_session, notify, tmp_path):
    queue_messages(db_session, 4)
    huey = jobs.bind(notify_app, SqliteStorage("frontdoor", filename=str(tmp_path / "jobs.db")))
    jobs.send_due_feedback()
    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False, max_delay=0.2)
    consumer.start()
    try:
        deadline = time.monotonic() + 20
        while len(notify.accepted) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    assert len(notify.accepted) == 4 and huey.pending_count() == 0


def test_a_failing_job_is_logged_by_its_type_and_the_others_still_run(notify_app, db_session, notify, monkeypatch,
                                                                     caplog):
    import portal.conversation

    def down():
        raise OperationalError("INSERT", {"phone": "+447700900982"}, Exception("Priya wrote ..."))

    monkeypatch.setattr(portal.conversation, "replay_spool", down)
    queue_messages(db_session, 1)
    caplog.set_level(logging.INFO)
    with notify_app.app_context():
        done = jobs.run_once()
    assert done.sent == 1 and done.spooled.stored == 0
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "job storing spooled messages failed (OperationalError)" in logged
    assert not any(word in logged for word in PERSONAL)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_on_redis_and_postgresql_send_each_message_once(pg_url, tmp_path, notify):
    """As in production: the queue in Redis (its own database number and name, as a user with the production
    profile's rights), the outbox in PostgreSQL, two workers taking jobs at once from duplicated ticks."""
    import redis

    from portal import create_app
    from portal.production import ensure_redis_user
    from store.db import make_engine, make_sessionmaker

    user, password = f"frontdoor_jobs_test_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    url = f"redis://{user}:{password}@127.0.0.1:6379/13"
    ensure_redis_user(url)
    name = f"frontdoor-test-{uuid.uuid4().hex[:8]}"
    storage = RedisStorage(name, url=url)
    try:
        app = create_app(app_config(pg_url, tmp_path, FRONTDOOR_ENV="production", NOTIFY_API_KEY=API_KEY,
                                    NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE, NOTIFY_SMS_TEMPLATE_ID=SMS_TEMPLATE,
                                    NOTIFY_BASE_URL=notify.url, JOBS_REDIS_URL=url, **NO_QUIET_HOURS))
        engine = make_engine(pg_url)
        with make_sessionmaker(engine)() as session:
            ids = queue_messages(session, 20)
        huey = jobs.bind(app, storage)
        for _ in range(2):
            jobs.send_due_feedback()
        queued = b"".join(storage.conn.lrange(storage.queue_key, 0, -1))
        assert huey.pending_count() == 40 and not any(word.encode() in queued for word in PERSONAL)
        drain(huey, threads=2)
        assert sorted(int(n["reference"].rsplit("-", 1)[-1]) for n in notify.accepted) == ids
        engine.dispose()
    finally:
        storage.conn.delete(storage.queue_key, storage.schedule_key, storage.result_key, storage.counter_key)
        storage.pool.disconnect()
        admin = redis.Redis(host="127.0.0.1", port=6379)
        admin.execute_command("ACL", "DELUSER", user)
        admin.close()
