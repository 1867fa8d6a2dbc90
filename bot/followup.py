"""Every worry about a child is recorded (issue 5): someone who starts to report a concern and stops before
the assistant hands it off still becomes a contact, with what they said so far.

The worker looks at conversations that have gone quiet without becoming a contact, asks Rasa what it heard,
and, when the person was reporting a concern, makes the contact with the answers given so far. The idempotency
key is the hand-off's own, so if the person comes back and finishes, it is the same contact.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Protocol

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot import conversations
from bot.handoff import clean_answers, shape
from bot.models import Conversation, ConversationContact
from bot.rasa_client import AssistantUnavailable
from forms.consent import family_consent
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from store.db import utcnow

log = logging.getLogger(__name__)
REPORT_INTENT = "report_concern"
REPORT_FORM = "report_form"


class TrackerSource(Protocol):
    def tracker(self, sender: str) -> dict: ...


def reported_a_concern(tracker: dict[str, Any]) -> bool:
    """Did the person say they were worried about a child (the intent, or the report form started)?"""
    for event in tracker.get("events") or []:
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") \
                == REPORT_INTENT:
            return True
        if event.get("event") == "active_loop" and event.get("name") == REPORT_FORM:
            return True
    return False


def quiet_conversations(session: Session, *, now: dt.datetime, quiet: dt.timedelta, limit: int = 100
                        ) -> list[Conversation]:
    linked = exists().where(ConversationContact.conversation_id == Conversation.id)
    return list(session.scalars(select(Conversation).where(
        Conversation.last_message_at < now - quiet, Conversation.followed_up_at.is_(None), ~linked)
        .order_by(Conversation.last_message_at).limit(limit)))


def follow_up(session: Session, source: TrackerSource | None, *, quiet: dt.timedelta,
              now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> int:
    """Make a contact of each quiet conversation that reported a concern; returns how many were made.
    A conversation is marked as looked at only once Rasa has answered, so an outage only delays this."""
    if source is None:
        return 0
    now = now or utcnow()
    made = 0
    for conversation in quiet_conversations(session, now=now, quiet=quiet):
        try:
            tracker = source.tracker(conversation.public_id)
        except AssistantUnavailable as exc:
            log.warning("follow-up postponed: conversation model unavailable (%s)", exc)
            break
        conversation.followed_up_at = now
        slots = {k: v for k, v in (tracker.get("slots") or {}).items() if not k.startswith("bot_")}
        today = now.astimezone(calendar.tz).date()
        help_answers = shape("help", clean_answers("help", slots, today=today)[0])
        if help_answers.get("consent_agree") == "yes" and not family_consent(help_answers):
            # A family that asked for help and agreed, whose hand-off never arrived (the portal was away).
            help_answers.setdefault("what_happened", conversations.inbound_text(conversation) or None)
            conversations.create_contact(session, conversation, reason="unfinished_help",
                                         key=f"bot:{conversation.public_id}:help", now=now, answers=help_answers,
                                         journey="help", kind="early_help", calendar=calendar)
            made += 1
        elif reported_a_concern(tracker):
            answers, _ = clean_answers("report", slots, today=today)
            answers = shape("report", answers)
            answers.setdefault("what_happened", conversations.inbound_text(conversation) or None)
            conversations.create_contact(session, conversation, reason="unfinished_report",
                                         key=f"bot:{conversation.public_id}:report", now=now, answers=answers,
                                         calendar=calendar)
            made += 1
        session.commit()
    return made


def forget_tracker_events(url: str, *, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete Rasa's stored events older than `older_than` (its SQL tracker store's `events` table, which
    holds every message in plain text). A store Rasa has not created yet is nothing to forget."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        cutoff = ((now or utcnow()) - older_than).timestamp()
        with engine.begin() as connection:
            return connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"),
                                      {"cutoff": cutoff}).rowcount or 0
    finally:
        engine.dispose()
