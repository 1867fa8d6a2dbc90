"""Background work (issue 11) on Huey: feedback sends, spooled messages, follow-ups, retention and drafts.

The queue lives in the store already running: Redis when `JOBS_REDIS_URL` (or `REDIS_URL`) is set, as in
production; otherwise SQLite at `instance/jobs.db`, so development needs no Redis. A job carries ids and
nothing else: no words anyone wrote, no address or number, in Redis or anywhere.

The database, not the queue, is the record of what is due (an outbox message's next attempt, a file in the
spool, a conversation's last message). So a job lost with a killed worker costs nothing, since the next tick
finds the work again; and every job claims what it does (the outbox's conditional UPDATE, the spool's rename,
the follow-up's idempotency key), so two workers, or a tick that both workers' schedulers enqueue, do each
piece of work once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app
from huey import Huey, crontab
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

from bot.spool import Replayed
from portal.config import Settings, settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Memory until bind() gives it the configured store (a test binds its own).
huey = Huey("frontdoor", results=False, utc=True, storage_class=MemoryStorage)
_bound: dict[str, Flask] = {}


def storage_for(config: Settings, name: str = "frontdoor") -> BaseStorage:
    if config.jobs_redis_url:
        return RedisStorage(name, url=config.jobs_redis_url)
    return SqliteStorage(name, filename=str(Path(config.instance_path) / "jobs.db"))


def bind(app: Flask | None = None, storage: BaseStorage | None = None) -> Huey:
    """Jobs run in this app's context (by default the current one), on this store."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    _bound["app"] = app
    huey.storage = storage or storage_for(settings(app))
    return huey


def _run(name: str, work: Callable[[], T], default: T) -> T:
    """In the app's context, with a session of its own. A failure is logged by its type only (its text may
    hold an address or what someone wrote); the job's next tick tries again."""
    if "app" not in _bound:
        raise RuntimeError("portal.jobs.bind(app) first")
    with _bound["app"].app_context():
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - one job's failure (the database away) must not stop the worker
            log.warning("job %s failed (%s); the next tick tries again", name, type(exc).__name__)
            return default


def _session() -> Any:
    from portal import db

    return db.session()


# --- the jobs: plain functions, so `frontdoor worker --once` and the tests run them as the queue does ---------

def send_feedback_now(message_id: int) -> bool:
    """Send one outbox message, if it is still due and no other worker has claimed it."""
    from mash.outbox import send_one
    from portal.senders import sender_from_config

    # A sender per job: the Notify client is not thread-safe, and the consumer runs jobs on threads.
    # In the quiet hours a message to a family or member of the public is held until they end.
    return _run("sending feedback", lambda: send_one(_session(), sender_from_config(settings()), message_id,
                                                     quiet=settings().quiet_hours), False)


def send_due_feedback(*, inline: bool = False) -> int:
    """The outbox tick: a send job per message due. Inline (worker --once), send them here; returns how
    many were sent (inline) or queued."""
    from mash.outbox import due_message_ids

    nothing: list[int] = []
    due = _run("finding feedback due", lambda: due_message_ids(_session(), batch=200), nothing)
    if inline:
        return sum(send_feedback_now(message_id) for message_id in due)
    for message_id in due:
        send_feedback(message_id)
    return len(due)


def send_due_texts() -> int:
    """Practitioners' texts that Twilio refused or timed out on (bot.takeover), tried again with back-off."""
    from bot.takeover import deliver, due_texts
    from portal.senders import text_transport

    def work() -> int:
        session, transport = _session(), text_transport(settings())
        base = settings().public_base_url.rstrip("/")
        return sum(deliver(session, message_id, transport, status_callback=f"{base}/sms/status?reply={message_id}")
                   == "sent" for message_id in due_texts(session))

    return _run("sending practitioners' texts", work, 0)


def store_spooled_messages() -> Replayed:
    from portal.conversation import replay_spool

    return _run("storing spooled messages", replay_spool, Replayed())


def follow_up_unfinished_concerns() -> int:
    from portal.conversation import follow_up_unfinished

    return _run("following up unfinished concerns", follow_up_unfinished, 0)


def forget_old_conversations() -> int:
    from bot.conversations import purge_expired

    def work() -> int:
        session = _session()
        with session.begin():
            return purge_expired(session,
                                 retention=dt.timedelta(days=settings().conversation_retention_days))

    return _run("forgetting old conversations", work, 0)


def purge_expired_drafts() -> int:
    from forms.drafts import purge_expired

    def work() -> int:
        session = _session()
        with session.begin():
            purged = purge_expired(session)
        from portal.attachments import sweep_files

        sweep_files(session)  # the files of drafts just deleted: no key reads them now, and now they go too
        return purged

    return _run("deleting expired drafts", work, 0)


# --- the queue: what each worker's scheduler enqueues, and the send job ---------------------------------------

send_feedback = huey.task(name="send_feedback")(send_feedback_now)
# Every minute for what a person is waiting on; the purges hourly, at odd minutes so that ticks do not pile up.
huey.periodic_task(crontab(minute="*"), name="feedback_tick")(send_due_feedback)
huey.periodic_task(crontab(minute="*"), name="spool_tick")(store_spooled_messages)
huey.periodic_task(crontab(minute="*"), name="texts_tick")(send_due_texts)
huey.periodic_task(crontab(minute="*/5"), name="follow_up_tick")(follow_up_unfinished_concerns)
huey.periodic_task(crontab(minute="17"), name="retention_tick")(forget_old_conversations)
huey.periodic_task(crontab(minute="47"), name="drafts_tick")(purge_expired_drafts)


@dataclass
class Done:
    sent: int
    spooled: Replayed
    followed_up: int
    forgotten: int
    drafts: int

    def summary(self) -> str:
        return (f"Sent {self.sent} message(s); stored {self.spooled.stored} waiting message(s), set aside "
                f"{self.spooled.set_aside} (in spool/failed), {self.spooled.retrying} to try again; made "
                f"{self.followed_up} contact(s) of unfinished concerns; forgot {self.forgotten} conversation(s) "
                f"past retention; deleted {self.drafts} expired draft(s).")


def run_once(app: Flask | None = None) -> Done:
    """Every job once, here and now, in the order the old loop ran them (`frontdoor worker --once`)."""
    bind(app, MemoryStorage("frontdoor"))
    return Done(sent=send_due_feedback(inline=True) + send_due_texts(), spooled=store_spooled_messages(),
                followed_up=follow_up_unfinished_concerns(), forgotten=forget_old_conversations(),
                drafts=purge_expired_drafts())


def run_worker(app: Flask | None = None, *, threads: int = 2, max_delay: float = 5.0) -> None:
    """A Huey consumer: `threads` run jobs, its scheduler enqueues the ticks. Run several (one per machine
    or more); each piece of work is still done once."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    bind(app)
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True, max_delay=max_delay,
                         check_worker_health=True).run()
