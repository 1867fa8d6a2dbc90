"""Messages spooled while the database was down: replayed by the worker, a bad file set aside and reported,
never holding back the messages after it (issue 11)."""

import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot import spool
from bot.pipeline import Inbound
from mash.models import Contact

DANGER = "dad is drunk and throwing things at us im hiding in my room"
AT = dt.datetime(2026, 11, 27, 11, tzinfo=dt.UTC)


def spool_directory(app) -> Path:
    return Path(app.instance_path) / "spool"


def a_bad_file_first(directory: Path) -> Path:
    """A file that cannot be read (written under a key since retired, or cut short), older than the rest."""
    directory.mkdir(parents=True, exist_ok=True)
    bad = directory / "0bad.msg"
    bad.write_text("gAAAAA-not-a-spooled-message", encoding="ascii")
    an_hour_ago = time.time() - 3600
    os.utime(bad, (an_hour_ago, an_hour_ago))
    return bad


def test_a_bad_file_is_set_aside_and_the_danger_after_it_is_still_stored(app, db_session, caplog):
    directory = spool_directory(app)
    bad = a_bad_file_first(directory)
    spool.write(directory, Inbound(channel="sms", sender="+447700900123", text=DANGER, provider_sid="SM" + "1" * 32),
                AT)
    caplog.set_level(logging.INFO)
    with app.app_context():
        from portal.conversation import replay_spool

        replayed = replay_spool()
    assert replayed.stored == 1 and replayed.set_aside == 1
    red = db_session.scalars(select(Contact)).one()
    assert red.rag == "red" and red.channel == "sms"
    assert spool.pending(directory) == []
    assert not bad.exists() and (directory / "failed" / "0bad.msg").exists()  # kept for someone to look at
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "0bad.msg" in logged and "set aside" in logged
    assert "7700900123" not in logged and "throwing" not in logged


def test_while_the_database_is_down_nothing_is_set_aside(tmp_path):
    directory = tmp_path / "spool"
    for n in range(3):
        spool.write(directory, Inbound(channel="chat", sender=f"token-{n}", text="help"), AT)

    def down(inbound, at):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    replayed = spool.replay(directory, down)
    assert replayed.stored == 0 and replayed.set_aside == 0 and replayed.waiting
    assert len(spool.pending(directory)) == 3 and not (directory / "failed").exists()


def test_a_message_the_pipeline_fails_on_is_passed_over_then_set_aside_and_the_next_is_stored(tmp_path):
    directory = tmp_path / "spool"
    spool.write(directory, Inbound(channel="chat", sender="token-1", text="first"), AT)
    time.sleep(0.01)
    spool.write(directory, Inbound(channel="chat", sender="token-2", text="second"), AT)
    stored = []

    def store(inbound, at):
        if inbound.text == "first":
            raise ValueError("a bug this message finds")
        stored.append(inbound.text)

    replayed = spool.replay(directory, store)
    assert stored == ["second"] and replayed.stored == 1 and replayed.retrying == 1
    for run in range(2, spool.MAX_TRIES + 1):  # tried again on the next runs, in case the fault was passing
        replayed = spool.replay(directory, store)
        assert replayed.set_aside == (run == spool.MAX_TRIES)
    assert spool.pending(directory) == [] and len(list((directory / "failed").glob("*.msg"))) == 1


def test_a_fault_that_passes_loses_nothing(tmp_path):
    directory = tmp_path / "spool"
    spool.write(directory, Inbound(channel="chat", sender="token-1", text="first"), AT)
    broken, stored = [True], []

    def store(inbound, at):
        if broken[0]:
            raise RuntimeError("safety data half deployed")
        stored.append(inbound.text)

    assert spool.replay(directory, store).retrying == 1
    broken[0] = False
    assert spool.replay(directory, store).stored == 1 and stored == ["first"]
    assert not (directory / "failed").exists()


def test_two_workers_replaying_at_once_store_each_message_once(tmp_path):
    directory = tmp_path / "spool"
    for n in range(30):
        spool.write(directory, Inbound(channel="chat", sender=f"token-{n}", text=f"message {n}"), AT)
    stored, errors, lock = [], [], threading.Lock()

    def store(inbound, at):
        time.sleep(0.002)  # long enough for the other worker to reach the same file
        with lock:
            stored.append(inbound.text)

    def worker():
        try:
            spool.replay(directory, store)
        except Exception as exc:  # noqa: BLE001 - a worker tripping over the other's files is the failure here
            errors.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert sorted(stored) == sorted(f"message {n}" for n in range(30))
    assert spool.pending(directory) == []


def test_a_file_claimed_by_a_worker_that_died_is_replayed_after_its_lease(tmp_path):
    directory = tmp_path / "spool"
    path = spool.write(directory, Inbound(channel="chat", sender="token", text="still here"), AT)
    claimed = path.with_suffix(".claimed")
    os.replace(path, claimed)  # as a worker does before storing; then it was killed
    stored = []
    assert spool.replay(directory, lambda inbound, at: stored.append(inbound.text)).stored == 0
    stale = time.time() - spool.CLAIM_LEASE.total_seconds() - 1
    os.utime(claimed, (stale, stale))
    assert spool.replay(directory, lambda inbound, at: stored.append(inbound.text)).stored == 1
    assert stored == ["still here"] and not any(directory.glob("*.claimed"))
