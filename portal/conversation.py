"""What the SMS webhook and the web chat share: the pipeline's settings, the Rasa parser,
and the last line of defence when the database itself cannot take a message."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from flask import current_app

from bot import pipeline, spool
from bot.rasa_client import RasaParser
from mash.safety import screen
from portal import db
from portal.config import settings, working_calendar
from store.db import utcnow

log = logging.getLogger(__name__)


def bot_settings() -> pipeline.Settings:
    config = settings()
    return pipeline.Settings(
        out_of_hours_number=config.out_of_hours_number, mash_number=config.mash_number,
        public_url=config.public_base_url.rstrip("/"), service_name=config.bot_service_name,
        rate_limit_per_minute=config.bot_rate_limit_per_minute,
        idle=dt.timedelta(hours=config.conversation_idle_hours))


def parser() -> RasaParser | None:
    """One parser per app (it spreads calls over the Rasa processes in turn); None when none is configured."""
    if "frontdoor.rasa" not in current_app.extensions:
        urls = settings().rasa_urls
        current_app.extensions["frontdoor.rasa"] = RasaParser(
            urls, timeout=settings().rasa_timeout_seconds,
            auth_token=settings().rasa_auth_token) if urls else None
    found: RasaParser | None = current_app.extensions["frontdoor.rasa"]
    return found


def spool_directory() -> Path:
    return Path(current_app.instance_path) / "spool"


def handle(inbound: pipeline.Inbound) -> pipeline.Outcome:
    """The pipeline, or, if the message could not even be stored (the database locked or down), the safety
    screen's reply (or the fallback) with the message spooled for the worker. Never raises: the person always
    gets an answer."""
    session = db.session()
    try:
        return pipeline.handle(session, inbound, settings=bot_settings(), parser=parser(), calendar=working_calendar())
    except Exception as exc:  # noqa: BLE001 - nothing was stored (the pipeline answers failures after that)
        session.rollback()
        log.error("could not store an inbound %s message (%s); spooled", inbound.channel, type(exc).__name__)
        spool.write(spool_directory(), inbound, utcnow())
        text, _ = pipeline.clean_text(inbound.text)
        screening = screen(text, out_of_hours_number=settings().out_of_hours_number)
        reply = screening.reply if screening.danger else pipeline.fallback_reply(bot_settings())
        return pipeline.Outcome(conversation_id="", replies=[reply or ""], handled_by="spooled",
                                danger=screening.danger)


def replay_spool() -> spool.Replayed:
    """The worker's half: store what waited while the database was unavailable. The person already had their
    reply, so the dialogue does not answer again; a contact is made for staff to read it."""
    session = db.session()

    def store(inbound: pipeline.Inbound, at: dt.datetime) -> None:
        try:
            pipeline.handle(session, inbound, settings=bot_settings(), parser=None, calendar=working_calendar(), now=at,
                            replayed=True)
        except Exception:
            session.rollback()  # the next file starts clean, whether this one waits or is set aside
            raise

    return spool.replay(spool_directory(), store)


def follow_up_unfinished() -> int:
    """The worker's other half: quiet conversations that reported a concern and never finished (bot.followup)."""
    from bot.followup import follow_up

    quiet = dt.timedelta(minutes=settings().conversation_follow_up_minutes)
    return follow_up(db.session(), quiet=quiet, calendar=working_calendar())
