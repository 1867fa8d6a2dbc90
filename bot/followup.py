"""Every worry about a child is recorded (issues 5 and 10): someone who starts to report a concern and stops
before the hand-off still becomes a contact, with what they said so far.

The worker looks at conversations that have gone quiet without becoming a contact and reads where their
dialogue stopped (the front door's own state, bot.dialogue). A report of a concern makes the contact with the
answers given so far; a family that agreed to early help but never finished makes its early-help contact. The
idempotency key is the hand-off's own, so if the person comes back and finishes, it is the same contact.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot import conversations
from bot.models import Conversation, ConversationContact
from forms.consent import family_consent
from forms.conversation import JOURNEYS
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from store.db import utcnow

log = logging.getLogger(__name__)


def quiet_conversations(session: Session, *, now: dt.datetime, quiet: dt.timedelta, limit: int = 100
                        ) -> list[Conversation]:
    linked = exists().where(ConversationContact.conversation_id == Conversation.id)
    return list(session.scalars(select(Conversation).where(
        Conversation.last_message_at < now - quiet, Conversation.followed_up_at.is_(None), ~linked)
        .order_by(Conversation.last_message_at).limit(limit)))


def follow_up(session: Session, *, quiet: dt.timedelta, now: dt.datetime | None = None,
              calendar: WorkingCalendar = DEFAULT_CALENDAR) -> int:
    """Make a contact of each quiet conversation that reported a concern, or agreed to early help and
    stopped; returns how many were made."""
    now = now or utcnow()
    made = 0
    for conversation in quiet_conversations(session, now=now, quiet=quiet):
        conversation.followed_up_at = now
        state = conversation.state or {}
        journey = JOURNEYS.get(state.get("journey") or "")
        if journey is not None:
            given = {k: v for k, v in (state.get("answers") or {}).items() if not k.startswith("_")}
            answers = journey.shape(given)
            answers.setdefault("what_happened", conversations.inbound_text(conversation) or None)
            if journey.kind == "early_help":
                if given.get("consent_agree") == "yes" and not family_consent(answers):
                    conversations.create_contact(session, conversation, reason="unfinished_help",
                                                 key=f"bot:{conversation.public_id}:help", now=now, answers=answers,
                                                 journey="help", kind="early_help", calendar=calendar)
                    made += 1
            else:
                conversations.create_contact(session, conversation, reason="unfinished_report",
                                             key=f"bot:{conversation.public_id}:report", now=now, answers=answers,
                                             calendar=calendar)
                made += 1
        session.commit()
    return made
