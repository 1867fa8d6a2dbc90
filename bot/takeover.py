"""People pick up conversations (issue 13): a practitioner takes a text or web chat from the assistant, replies in
the person's own channel, and hands it back, passes it on or ends it.

The rules, in one place (domain.md "Conversations by text message and web chat"):

- one holder at a time, on a lease like a contact's claim (mash.claims): one conditional UPDATE decides who
  took it; a lease that runs out leaves the conversation paused and free for anyone to take, so the assistant
  never walks back into a conversation a person was having;
- while a person holds it the assistant is paused: the person's messages are kept and screened (the screen's
  999 advice still goes at once) and wait for the practitioner;
- a practitioner's message respects STOP and the person's answer to "is it safe to text you" (a manager may
  override with a reason); every take, message, hand-back, pass and ending is an audit event;
- the 5-minute clock: a wait starts when the screen finds danger or someone asks for a person, and ends with a
  practitioner's first message; each wait is kept (ConversationWait) for the dashboard's first-response figures;
- a red conversation is never ended by the system, and ending one needs a reason.

Nothing here logs what anyone wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot import conversations, dialogue, sms
from bot.models import Conversation, ConversationContact, ConversationWait, Message, ReadyReply
from forms.conversation import JOURNEYS
from forms.schema import clean_text
from mash import audit
from mash.models import Contact, StaffUser
from mash.safety import category_words as danger_words
from mash.safety import screen
from store.db import utcnow

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=30)
# domain.md: a person answers a danger conversation, or one that asked for a person, within 5 minutes in office
# hours (the setting PERSON_REPLY_MINUTES passes its own).
REPLY_WITHIN = dt.timedelta(minutes=5)
# A practitioner's text may run to four segments (612 plain characters); Twilio joins them into one message.
MAX_SEGMENTS = 4
MAX_CHAT_REPLY = 1600
SEND_BACKOFF = (dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10), dt.timedelta(minutes=30))
WAIT_REASONS = ("danger", "asked_for_person")
END_REASONS = {
    "helped": "The person was helped or signposted",
    "contact": "Taken forward as a contact",
    "no_reply": "No reply from the person",
    "phoned": "Carried on by phone",
    "not_needed": "No help needed",
    "other": "Another reason (say what)",
}
HAND_BACK_LEAD = "You're talking to our automated assistant again. A person can pick this up at any time."


class TakeoverError(ValueError):
    """Something a practitioner tried that cannot be done; the message says what to do instead. `field`: the
    form field the message belongs to (the error summary links there), or None for the page as a whole."""

    def __init__(self, message: str, *, field: str | None = "message") -> None:
        super().__init__(message)
        self.field = field


class NotHolder(TakeoverError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field=None)


class SmsTransport(Protocol):
    def send_sms(self, to: str, body: str, *, status_callback: str | None) -> str:
        """Send one text; returns the provider's message id. Raises on refusal or time-out."""
        ...


# --- holding ---------------------------------------------------------------------------------------------------
def holds(conversation: Conversation, user: StaffUser, *, now: dt.datetime) -> bool:
    return (conversation.held_by_id == user.id and conversation.hold_expires_at is not None
            and conversation.hold_expires_at > now)


def holder_active(conversation: Conversation, *, now: dt.datetime) -> bool:
    return conversation.held_by_id is not None and conversation.hold_expires_at is not None \
        and conversation.hold_expires_at > now


def _contact_id(session: Session, conversation: Conversation) -> int | None:
    """The contact a conversation's events belong to: its open red contact, else its latest."""
    linked = conversations.linked_contacts(session, conversation)
    red = next((c for c in linked if c.rag == "red" and c.closed_at is None), None)
    chosen = red or (linked[-1] if linked else None)
    return chosen.id if chosen is not None else None


def _audit(session: Session, conversation: Conversation, event: str, user: StaffUser, *, now: dt.datetime,
           reason: str | None = None, **details: Any) -> None:
    audit.record(session, event=f"conversation.{event}", actor=f"staff:{user.id}",
                 contact_id=_contact_id(session, conversation), reason=reason, at=now,
                 details={"conversation": conversation.public_id, "channel": conversation.channel, **details})


def take(session: Session, conversation: Conversation, user: StaffUser, *, now: dt.datetime | None = None) -> None:
    """One conditional UPDATE: it succeeds only if nobody holds the conversation, the hold ran out, or it is ours."""
    now = now or utcnow()
    result = cast("CursorResult[Any]", session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id,
               or_(Conversation.held_by_id.is_(None), Conversation.hold_expires_at <= now,
                   Conversation.held_by_id == user.id))
        .values(held_by_id=user.id, hold_expires_at=now + LEASE, paused=True, ended_at=None, ended_reason=None,
                ended_note=None, ended_by_id=None)
        .execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        session.rollback()
        raise NotHolder("A colleague has just taken this conversation. It is theirs until they hand it back or "
                        "pass it on")
    session.refresh(conversation)
    _audit(session, conversation, "taken", user, now=now)


def _require_holder(conversation: Conversation, user: StaffUser, *, now: dt.datetime) -> None:
    """Acting on a conversation needs the hold; acting renews the lease. A hold that ran out is taken again if
    nobody else took it meanwhile (a practitioner who stepped away comes back to their conversation)."""
    if conversation.ended_at is not None:
        raise TakeoverError("This conversation has ended. Take it to open it again, or wait: it opens again if "
                            "the person writes", field=None)
    if holds(conversation, user, now=now):
        conversation.hold_expires_at = now + LEASE
        return
    if holder_active(conversation, now=now):
        raise NotHolder("A colleague holds this conversation now. Ask them to pass it to you")
    raise NotHolder("Take this conversation before replying: nobody holds it now")


def hand_back(session: Session, conversation: Conversation, user: StaffUser, *,
              now: dt.datetime | None = None) -> Message | None:
    """The assistant carries on at the question it had reached, and says it again to the person: their next
    message is read as the answer to the question they can see."""
    now = now or utcnow()
    _require_holder(conversation, user, now=now)
    conversation.paused = False
    conversation.held_by_id = None
    conversation.hold_expires_at = None
    if conversation.waiting_reason == "reply":
        # Waiting for the practitioner's reply ends here: the assistant answers from now on.
        conversation.waiting_since = None
        conversation.waiting_reason = None
    state = dict(conversation.state or {})
    if state.get("parked"):
        # A question the assistant had set aside is asked again, so it is live again.
        state["parked"] = False
        conversation.state = state
        conversation.state_version = (conversation.state_version or 0) + 1
    _audit(session, conversation, "handed_back", user, now=now)
    text = f"{HAND_BACK_LEAD} {dialogue.pending_question(state)}"
    message = Message(conversation_id=conversation.id, direction="out", at=now, text=text, handled_by="handback",
                      danger_categories=[], staff_id=None,
                      delivery_status="queued" if conversation.channel == "sms" else None,
                      next_attempt_at=now if conversation.channel == "sms" else None)
    session.add(message)
    session.flush()
    return message


def pass_to(session: Session, conversation: Conversation, user: StaffUser, colleague: StaffUser, *,
            now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    _require_holder(conversation, user, now=now)
    if not colleague.active or colleague.role not in {"practitioner", "manager"}:
        raise TakeoverError("Choose a practitioner or manager who can reply to families")
    conversation.held_by_id = colleague.id
    conversation.hold_expires_at = now + LEASE
    _audit(session, conversation, "passed", user, now=now, to=f"staff:{colleague.id}")


def end(session: Session, conversation: Conversation, user: StaffUser, *, reason: str, note: str = "",
        now: dt.datetime | None = None) -> None:
    """Ended by a person, always with a reason (a red one with words too: why it is safe to end)."""
    now = now or utcnow()
    _require_holder(conversation, user, now=now)
    if reason not in END_REASONS:
        raise TakeoverError("Choose why you are ending this conversation", field="reason")
    note = clean_text(note, multiline=True)[:500]
    if (reason == "other" or conversation.danger) and not note:
        raise TakeoverError("Say why this conversation can end: it was about danger" if conversation.danger else
                            "Say why you are ending this conversation", field="note")
    conversation.ended_at, conversation.ended_reason, conversation.ended_note = now, reason, note or None
    conversation.ended_by_id = user.id
    conversation.paused = False
    conversation.held_by_id = None
    conversation.hold_expires_at = None
    conversation.waiting_since = None
    conversation.waiting_reason = None
    # The reason and the practitioner's words go on the trail: the conversation's own note is replaced if it ends
    # again, the trail keeps every ending.
    _audit(session, conversation, "ended", user, now=now,
           reason=f"{END_REASONS[reason]}: {note}" if note else END_REASONS[reason], ended=reason)


def link_contact(session: Session, conversation: Conversation, user: StaffUser, *, now: dt.datetime | None = None,
                 calendar: Any = None) -> Contact:
    """The conversation's contact, or a new one when a practitioner decides it needs one."""
    now = now or utcnow()
    _require_holder(conversation, user, now=now)
    linked = conversations.linked_contacts(session, conversation)
    open_one = next((c for c in reversed(linked) if c.closed_at is None), None)
    if open_one is not None:
        return open_one
    key = conversations.next_key(session, f"bot:{conversation.public_id}:staff")
    kwargs: dict[str, Any] = {"calendar": calendar} if calendar is not None else {}
    # What the assistant had gathered (the child, who is writing, agreement) goes with the person's own words.
    state = conversation.state or {}
    journey = JOURNEYS.get(state.get("journey") or "")
    if journey is not None and state.get("answers"):
        gathered = journey.as_concern(state["answers"])
        kwargs["answers"] = {**gathered, "referrer_type": gathered.get("referrer_type") or "public",
                             "what_happened": conversations.inbound_text(conversation) or gathered.get("what_happened")}
    contact = conversations.create_contact(session, conversation, reason="staff", key=key, now=now, **kwargs)
    _audit(session, conversation, "contact_made", user, now=now)
    return contact


# --- waiting for a person --------------------------------------------------------------------------------------
def start_wait(session: Session, conversation: Conversation, reason: str, *, now: dt.datetime,
               office_hours: bool) -> None:
    """The person is waiting for a person: danger, a request for one, or (while a person holds it) a reply."""
    conversation.ended_at = None  # a message opens an ended conversation again
    if conversation.waiting_since is None or (reason == "danger" and conversation.waiting_reason != "danger"):
        conversation.waiting_since = conversation.waiting_since or now
        conversation.waiting_reason = reason
    if reason in WAIT_REASONS:
        open_wait = session.scalar(select(ConversationWait.id).where(
            ConversationWait.conversation_id == conversation.id, ConversationWait.answered_at.is_(None)).limit(1))
        if open_wait is None:
            session.add(ConversationWait(conversation_id=conversation.id, reason=reason, since=now,
                                         office_hours=office_hours))


def _answered(session: Session, conversation: Conversation, user: StaffUser, now: dt.datetime) -> None:
    conversation.waiting_since = None
    conversation.waiting_reason = None
    session.execute(update(ConversationWait).where(ConversationWait.conversation_id == conversation.id,
                                                   ConversationWait.answered_at.is_(None))
                    .values(answered_at=now, answered_by_id=user.id).execution_options(synchronize_session=False))


# --- a practitioner's message ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextingCheck:
    """Whether a text may go to this person, and what the practitioner must be told first."""

    allowed: bool
    warning: str | None = None
    needs_override: bool = False


def not_safe_to_text(conversation: Conversation) -> bool:
    """The person said texts are not safe: their latest answer, kept on the conversation; or, for a conversation
    from before that was kept, the journey's answer."""
    if conversation.safe_to_text is not None:
        return not conversation.safe_to_text
    answers = (conversation.state or {}).get("answers") or {}
    return answers.get("safe_to_contact") == "no"


def texting_check(conversation: Conversation, *, phone: str | None = None) -> TextingCheck:
    """`phone`: the number as staff read it, named in the warning (staff may phone instead)."""
    if conversation.channel != "sms":
        return TextingCheck(True)
    call = f"phone them on {phone}" if phone else "phone them"
    if conversation.opted_out_at is not None:
        return TextingCheck(False, f"This number texted STOP: no texts can go to it until they text START or YES "
                                   f"to us. If you need to reach them, {call}.")
    if not_safe_to_text(conversation):
        return TextingCheck(False, "They said it is not safe to text them: someone else may read their phone. "
                                   "Only a manager can send a text anyway, giving the reason.", needs_override=True)
    return TextingCheck(True)


def check_reply(conversation: Conversation, text: str) -> str:
    """The reply as it will be stored and sent, or TakeoverError saying what is wrong with it. A text keeps every
    character the practitioner wrote: GSM-7 where it can be, UCS-2 (another alphabet, an emoji) where not."""
    text = clean_text(text, multiline=True)
    if not text:
        raise TakeoverError("Enter a message")
    if conversation.channel == "sms":
        body, encoding, units, parts = sms.measure(text)
        if parts > MAX_SEGMENTS:
            most = MAX_SEGMENTS * (sms.MULTIPART_SEGMENT if encoding == "gsm7" else sms.UCS2_MULTIPART_SEGMENT)
            alphabet = "" if encoding == "gsm7" else " in an alphabet other than English (or with an emoji)"
            emoji = " (an emoji counts as two)" if encoding == "ucs2" and units > len(body) else ""
            raise TakeoverError(f"A text can be {most} characters at most{alphabet}; yours is {units}{emoji}. "
                                "Shorten it, or send it as two messages")
        return body
    if len(text) > MAX_CHAT_REPLY:
        raise TakeoverError(f"A message can be {MAX_CHAT_REPLY:,} characters at most. Send it in two messages")
    return text


def send_reply(session: Session, conversation: Conversation, user: StaffUser, text: str, *,
               override_reason: str = "", now: dt.datetime | None = None) -> Message:
    """Store the practitioner's message (the transcript says who wrote it); a text is queued for sending."""
    now = now or utcnow()
    _require_holder(conversation, user, now=now)
    body = check_reply(conversation, text)
    check = texting_check(conversation)
    overridden = False
    if not check.allowed:
        override_reason = clean_text(override_reason, multiline=False)[:300]
        if not check.needs_override:
            raise TakeoverError(check.warning or "This message cannot be sent", field=None)
        if user.role != "manager":
            raise TakeoverError("They said it is not safe to text them. Only a manager can send a text anyway: "
                                "ask one, or phone them", field=None)
        if not override_reason:
            raise TakeoverError("Say why it is right to text them although they said it is not safe",
                                field="override_reason")
        overridden = True
    # Screened like every message, and recorded: a practitioner's words never change the conversation's risk.
    categories = list(screen(body).categories)
    message = Message(conversation_id=conversation.id, direction="out", at=now, text=body, handled_by="staff",
                      staff_id=user.id, danger_categories=categories,
                      delivery_status="queued" if conversation.channel == "sms" else None,
                      next_attempt_at=now if conversation.channel == "sms" else None)
    session.add(message)
    session.flush()
    _answered(session, conversation, user, now)
    _audit(session, conversation, "staff_message", user, now=now, message=message.id,
           **({"override": True} if overridden else {}),
           reason=override_reason if overridden else None)
    return message


def ready_replies(session: Session) -> list[ReadyReply]:
    return list(session.scalars(select(ReadyReply).order_by(ReadyReply.position, ReadyReply.id)))


def save_ready_replies(session: Session, user: StaffUser, texts: list[str], *, now: dt.datetime | None = None) -> None:
    """A manager's list, replacing the last: empty lines dropped, each a single text's length at most."""
    now = now or utcnow()
    cleaned = [clean_text(t, multiline=False) for t in texts]
    cleaned = [t for t in cleaned if t]
    for text in cleaned:
        if sms.measure(text)[3] > 2:
            raise TakeoverError("Each ready reply must fit two texts (306 characters)")
    for old in ready_replies(session):
        session.delete(old)
    for position, text in enumerate(cleaned):
        session.add(ReadyReply(position=position, text=text, updated_at=now, updated_by_id=user.id))
    audit.record(session, event="ready_replies.changed", actor=f"staff:{user.id}", at=now,
                 details={"count": len(cleaned)})


# --- sending texts ---------------------------------------------------------------------------------------------
def due_texts(session: Session, *, now: dt.datetime | None = None, batch: int = 20) -> list[int]:
    """Practitioners' texts waiting to go (new, or to retry after a refusal or time-out)."""
    now = now or utcnow()
    return list(session.scalars(select(Message.id).where(
        Message.direction == "out", Message.delivery_status.in_(("queued", "not_sent")),
        Message.next_attempt_at <= now).order_by(Message.id).limit(batch)))


def deliver(session: Session, message_id: int, transport: SmsTransport, *, status_callback: str | None,
            now: dt.datetime | None = None) -> str:
    """Send one queued text by Twilio's REST API. Refused or timed out: kept, shown as not sent, retried with
    back-off, and failed for good after the last try. A number that texted STOP meanwhile is never sent to."""
    now = now or utcnow()
    claimed = cast("CursorResult[Any]", session.execute(
        update(Message).where(Message.id == message_id, Message.delivery_status.in_(("queued", "not_sent")),
                              Message.next_attempt_at <= now)
        .values(delivery_status="sending", next_attempt_at=now + dt.timedelta(minutes=5))
        .execution_options(synchronize_session=False)))
    session.commit()
    if claimed.rowcount != 1:
        return "skipped"  # another worker has it, or it went already
    message = session.get(Message, message_id)
    assert message is not None
    session.refresh(message)
    conversation = message.conversation
    if conversation.opted_out_at is not None:
        message.delivery_status = "withheld"
        session.commit()
        return "withheld"
    try:
        sid = transport.send_sms(conversation.phone or "", message.text or "", status_callback=status_callback)
    except Exception as exc:  # noqa: BLE001 - any refusal or time-out: kept and retried
        message.send_attempts = (message.send_attempts or 0) + 1
        if message.send_attempts > len(SEND_BACKOFF):
            message.delivery_status = "failed"
            message.next_attempt_at = None
        else:
            message.delivery_status = "not_sent"
            message.next_attempt_at = now + SEND_BACKOFF[message.send_attempts - 1]
        log.warning("a practitioner's text was not sent (attempt %s, %s)", message.send_attempts, type(exc).__name__)
        session.commit()
        return message.delivery_status
    message.send_attempts = (message.send_attempts or 0) + 1
    message.delivery_status = "sent"
    message.next_attempt_at = None
    message.provider_sid = sid[:64] if sid else None
    session.commit()
    return "sent"


# --- the inbox -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    tier: int
    why: str
    waited: dt.timedelta | None
    overdue: bool
    holder: str | None
    child: str | None


TIERS = ("Danger now", "Asked for a person", "Waiting for a reply", "Danger, answered", "A person has it",
         "With the assistant")


def _tier():
    danger_waiting = Conversation.danger.is_(True) & Conversation.waiting_since.is_not(None)
    return case(
        (danger_waiting, 0),
        (Conversation.waiting_reason == "asked_for_person", 1),
        (Conversation.waiting_since.is_not(None), 2),
        (Conversation.danger.is_(True), 3),
        (Conversation.paused.is_(True), 4),
        else_=5)


def open_filter(now: dt.datetime, idle: dt.timedelta):
    """Open: not ended, and red, waiting, held or paused, or still talking (within the idle time)."""
    return (Conversation.ended_at.is_(None),
            or_(Conversation.danger.is_(True), Conversation.waiting_since.is_not(None), Conversation.paused.is_(True),
                Conversation.last_message_at >= now - idle))


def inbox(session: Session, *, now: dt.datetime | None = None, idle: dt.timedelta = dt.timedelta(hours=24),
          limit: int = 50, office_hours: bool = True, reply_within: dt.timedelta = REPLY_WITHIN
          ) -> tuple[list[InboxRow], int]:
    """Open conversations by risk, then by how long the person has waited for a person (longest first), then the
    latest message; the first `limit` of them, and how many there are in all."""
    now = now or utcnow()
    where = open_filter(now, idle)
    tier = _tier().label("tier")
    total = session.scalar(select(func.count()).select_from(Conversation).where(*where)) or 0
    # Ranked from the covering index alone (ix_conversations_inbox), then only the rows shown are read.
    ranked = session.execute(
        select(Conversation.id, tier).where(*where)
        .order_by(tier, Conversation.waiting_since.asc().nulls_last(), Conversation.last_message_at.desc(),
                  Conversation.id)
        .limit(limit)).all()
    loaded = {c.id: c for c in session.scalars(
        select(Conversation).where(Conversation.id.in_([row.id for row in ranked])))} if ranked else {}
    rows = [(loaded[row.id], row.tier) for row in ranked if row.id in loaded]
    held = {c.held_by_id for c, _ in rows if c.held_by_id}
    names: dict[int, str] = {row.id: row.name for row in session.execute(
        select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(held)))} if held else {}
    found: list[InboxRow] = []
    for conversation, rank in rows:
        waited = now - conversation.waiting_since if conversation.waiting_since else None
        overdue = bool(waited is not None and office_hours and waited > reply_within
                       and conversation.waiting_reason in WAIT_REASONS)
        holder = (names.get(conversation.held_by_id)
                  if conversation.held_by_id and holder_active(conversation, now=now) else None)
        found.append(InboxRow(conversation, rank, why(conversation, rank), waited, overdue, holder,
                              child_summary(conversation.state or {})))
    return found, total


def why(conversation: Conversation, tier: int) -> str:
    """Why the row is where it is, in words ("Danger now: a child hurt or at risk of harm"), never in codes."""
    if tier in (0, 3):
        words = "; ".join(danger_words(conversation.danger_categories or []))
        return f"{TIERS[tier]}: {words}" if words else TIERS[tier]
    return TIERS[tier]




def child_summary(state: dict[str, Any]) -> str | None:
    """The child's first name and age where the conversation has them ("Jay, 4")."""
    answers = state.get("answers") or {}
    facts = state.get("facts") or {}
    last = state.get("last_child") or {}  # a journey that has ended: its answers are gone, the child is not
    name = answers.get("first_name") or facts.get("child_name") or last.get("name")
    age = facts.get("age") if facts.get("age") is not None else last.get("age")
    born = answers.get("date_of_birth")
    if isinstance(born, str):
        try:
            birthday = dt.date.fromisoformat(born)
        except ValueError:
            birthday = None
        if birthday is not None:
            today = dt.date.today()
            age = today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))
    if not name:
        return f"A child aged {age}" if isinstance(age, int) else None
    return f"{name}, aged {age}" if isinstance(age, int) else str(name)


def danger_waiting(session: Session, *, now: dt.datetime | None = None) -> tuple[int, str | None]:
    """How many danger conversations wait for a person that nobody holds, and the newest one's id (the
    workspace's alert: a conversation a practitioner has is theirs to answer, not everyone's)."""
    now = now or utcnow()
    where = (Conversation.ended_at.is_(None), Conversation.danger.is_(True), Conversation.waiting_since.is_not(None),
             or_(Conversation.held_by_id.is_(None), Conversation.hold_expires_at <= now))
    row = session.execute(select(func.count()).where(*where)).one()
    newest = None
    if row[0]:
        newest = session.scalar(select(Conversation.public_id).where(*where)
                                .order_by(Conversation.waiting_since.desc(), Conversation.id.desc()).limit(1))
    return int(row[0] or 0), newest


def transcript(session: Session, conversation: Conversation) -> list[tuple[Message, str]]:
    """Every message with who said it: the person, the assistant, or the practitioner by name."""
    names = {row.id: row.name for row in session.execute(select(StaffUser.id, StaffUser.name))}
    said = []
    for message in conversation.messages:
        if message.direction == "in":
            who = "The person"
        elif message.staff_id:
            who = names.get(message.staff_id, "A practitioner")
        else:
            who = "The assistant"
        said.append((message, who))
    return said


# --- the clock's figures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekFigures:
    week_starting: dt.date
    waits: int
    answered: int
    within: int
    median_minutes: float | None


def first_responses_by_week(session: Session, *, since: dt.datetime, reply_within: dt.timedelta = REPLY_WITHIN,
                            tz: dt.tzinfo = dt.UTC) -> list[WeekFigures]:
    """Office-hours waits for a person by week (Monday, local time): how many, how many answered, how many
    within the clock, and the median minutes to a practitioner's first message."""
    waits = session.execute(select(ConversationWait.since, ConversationWait.answered_at).where(
        ConversationWait.since >= since, ConversationWait.office_hours.is_(True))).all()
    weeks: dict[dt.date, list[tuple[dt.datetime, dt.datetime | None]]] = {}
    for started, answered in waits:
        local = started.astimezone(tz).date()
        monday = local - dt.timedelta(days=local.weekday())
        weeks.setdefault(monday, []).append((started, answered))
    figures = []
    for monday in sorted(weeks, reverse=True):
        rows = weeks[monday]
        times = sorted((a - s).total_seconds() / 60 for s, a in rows if a is not None)
        median = times[len(times) // 2] if len(times) % 2 else (
            (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2 if times else None)
        figures.append(WeekFigures(monday, len(rows), len(times),
                                   sum(1 for t in times if t <= reply_within.total_seconds() / 60), median))
    return figures


def conversation_for_contact(session: Session, contact_id: int) -> list[Conversation]:
    return list(session.scalars(select(Conversation).join(
        ConversationContact, ConversationContact.conversation_id == Conversation.id)
        .where(ConversationContact.contact_id == contact_id)))
