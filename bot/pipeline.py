"""One inbound message, any channel, on one straight road: screen, store, understand, decide, reply.

The order is the point (issues 5 and 10; domain.md "Safety first, on every channel"):

1. the deterministic safety screen (mash.safety) runs before anything else, even before the database is
   touched, so its reply can be given if everything after it fails;
2. the message is stored (a retried delivery with the same provider id is stored once and gets the same reply);
   on danger the conversation turns red and becomes a contact at the head of the MASH queue in the same
   transaction, and the advice is the whole reply: the next message carries the conversation on;
3. keywords (STOP, START, HELP), pictures and floods are answered without the dialogue;
4. the message is understood: Rasa's `/model/parse` within a deadline, and the deterministic reader always
   (bot.reader), so a slow or stopped model only makes the reading plainer;
5. the front door decides (bot.dialogue) from the conversation's stored state, and in the same transaction
   stores the new state, any contact the turn made (mash.intake) and the reply. No call back into the
   portal's own HTTP API; two deliveries racing on one conversation are decided one after the other.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import conversations, dialogue, sms, takeover
from bot.models import Conversation, Message
from bot.rasa_client import AssistantUnavailable
from bot.reader import HARM_WORDS, Reading, plain, understand
from bot.reader import child_named as reader_child_named
from bot.reader import facts as reader_facts
from forms.conversation import JOURNEYS, ConversationJourney, with_said_age
from forms.schema import CONTROL_RE
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar, describe_next_opening, describe_office_hours
from mash.intake import find_by_idempotency_key
from mash.safety import SWALLOWED_LINE, Screening, advice, screen
from store.db import utcnow

log = logging.getLogger(__name__)


class Parser(Protocol):
    def parse(self, text: str) -> Reading: ...


class _Reading(Protocol):
    def result(self) -> Reading: ...


@dataclass
class _Later:
    """A parser that cannot start early (a test's fake): asked when the answer is wanted."""

    parser: Parser
    text: str

    def result(self) -> Reading:
        return self.parser.parse(self.text)


def _begin_reading(parser: Parser | None, text: str) -> _Reading | None:
    """Start the model reading now, so it reads while the message is stored; None when it is not asked."""
    if parser is None or not text:
        return None
    start = getattr(parser, "start", None)
    if start is None:
        return _Later(parser, text)
    try:
        return start(text)
    except AssistantUnavailable:
        return None


@dataclass(frozen=True)
class Settings:
    out_of_hours_number: str = "01344 351 999"
    mash_number: str = "0118 496 0000"
    public_url: str = "http://127.0.0.1:5000"
    service_name: str = "Front Door"
    rate_limit_per_minute: int = 20
    idle: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Inbound:
    channel: str  # sms | chat
    sender: str  # the phone number in E.164, or the web chat's token: hashed, never a key or a log line
    text: str | None
    provider_sid: str | None = None
    media_types: tuple[str, ...] = ()


@dataclass
class Outcome:
    conversation_id: str
    replies: list[str] = field(default_factory=list)
    handled_by: str = "dialogue"
    reply_id: int | None = None
    duplicate: bool = False
    danger: bool = False
    check_now: bool = False  # the screen was unsure: a red contact for staff, nothing said to the person


def clean_text(text: str | None) -> tuple[str, bool]:
    """Control characters out; anything past Twilio's 1,600-character limit cut (and marked as cut)."""
    text = CONTROL_RE.sub("", text or "").replace("\r\n", "\n").strip()
    if len(text) > sms.INBOUND_LIMIT:
        return text[: sms.INBOUND_LIMIT], True
    return text, False


def fallback_reply(settings: Settings) -> str:
    return (f"Sorry, I can't answer properly just now, but your message is saved and our team will read it. "
            f"If a child is in danger call 999. To talk to us call {settings.mash_number}, "
            f"or use our form: {settings.public_url}/help")


def keyword_reply(word: str, settings: Settings) -> str:
    if word == "STOP":
        return (f"You will not get any more texts from {settings.service_name}. Text START to get them again. "
                "If a child is in danger call 999.")
    if word == "START":
        return (f"You will get texts from {settings.service_name} again. Tell us what's worrying you. If anyone is "
                "in danger now, call 999.")
    return (f"{settings.service_name}: children's services. Text us what's worrying you about a child or your "
            f"family. If a child is in danger call 999. Out of hours call {settings.out_of_hours_number}. "
            "Text STOP to stop texts.")


HELD_ACK_QUIET = dt.timedelta(minutes=10)


def held_ack(settings: Settings, *, office_hours: bool) -> str:
    """Said while a person in the team has the conversation and nobody has written to them for a while."""
    if office_hours:
        return ("Thank you. A person in our team has your message and will reply here. If a child is in danger "
                "now, call 999.")
    return ("Thank you, your message is saved. Our office is closed now, so a person will reply when it opens. "
            f"If you need help now call {settings.out_of_hours_number}. If a child is in danger, call 999.")


FLOOD_REPLY = ("We have your messages, and a person in our team will read them. If a child is in danger now, "
               "call 999.")
MEDIA_REPLY = ("Sorry, we can't receive pictures or files by text. Please tell us in words what is happening. "
               "If a child is in danger call 999.")
EMPTY_REPLY = "Tell us in a few words what's worrying you, and we'll help. If a child is in danger call 999."


def _professional(state: dict | None) -> bool:
    """The referral under way is a professional's whose role is known (the workplace they gave, or read from their
    words): not the journey's name alone, which a model's guess can choose, and not an earlier conversation's
    (the final review). Never a child writing."""
    state = state or {}
    return state.get("journey") == "professional" and not state.get("child_speaking") and \
        bool((state.get("answers") or {}).get("referrer_workplace"))


def handle(session: Session, inbound: Inbound, *, settings: Settings, parser: Parser | None,
           calendar: WorkingCalendar = DEFAULT_CALENDAR, now: dt.datetime | None = None,
           replayed: bool = False) -> Outcome:
    """Screen, store, answer. Commits in two steps so the slow part (Rasa) holds no database transaction.
    `replayed`: a message stored late from the spool, whose sender already had their reply."""
    now = now or utcnow()
    text, truncated = clean_text(inbound.text)
    screening = screen(text, out_of_hours_number=settings.out_of_hours_number)
    # Rasa reads while the message is stored (nobody waits for the two one after the other); danger, keywords
    # and messages stored late from the spool are never read by the model.
    wanted = not screening.danger and not replayed and sms.keyword(text) is None
    reading = _begin_reading(parser, text) if wanted else None
    # A retried delivery meets the unique MessageSid below and is answered as it was the first time.

    phone = inbound.sender if inbound.channel == "sms" else None
    conversation = conversations.find_or_start(session, inbound.channel, inbound.sender, now=now, idle=settings.idle,
                                               phone=phone)
    if screening.danger and _professional(conversation.state):
        # A professional's account, mid-referral ("she says her step dad grabbed her"): hurt they tell us of is
        # what they saw of a child in their care, a check now as on the web form; anything happening now, and every
        # other kind of danger, is still the 999 advice.
        screening = screen(text, out_of_hours_number=settings.out_of_hours_number, professional=True)
        if not screening.danger and reading is None and not replayed and sms.keyword(text) is None:
            reading = _begin_reading(parser, text)
    # By id, not through the relationship: appending to conversation.messages would load (and decrypt) the
    # whole transcript on every message.
    message = Message(conversation_id=conversation.id, direction="in", at=now, text=text or None,
                      provider_sid=inbound.provider_sid, truncated=truncated,
                      media={"count": len(inbound.media_types), "types": list(inbound.media_types)}
                      if inbound.media_types else None,
                      danger_categories=list(screening.categories))
    session.add(message)
    conversation.last_message_at = now
    try:
        session.flush()
    except IntegrityError:  # the twin of this delivery got in first
        session.rollback()
        earlier = conversations.by_sid(session, inbound.provider_sid or "")
        if earlier is None:
            raise
        return _replay(session, earlier, screening, settings)
    if screening.red:
        state = conversation.state or dialogue.new_state()
        said = reader_facts(text)
        # Who is writing decides the advice and the record: a child ("im 16 and pregnant"), or a professional
        # about a child ("hes just told me his dad is going to kill him" is a teacher, not a child speaking).
        child_speaking = (screening.child_speaking or said.young_person or bool(state.get("child_speaking"))) \
            and not said.workplace
        red_answers = _red_answers(state, child_speaking=child_speaking, workplace=said.workplace)
        # the child's age as said so far, this message's included ("took an overdose last night shes 15")
        facts = _child_facts(state, text, said)
        said_age = facts.get("age")
        if said_age is not None:
            red_answers = with_said_age(red_answers or {"referrer_type": "public"}, said_age)
    if screening.danger:
        if child_speaking != screening.child_speaking:
            screening = replace(screening, child_speaking=child_speaking, reply=advice(
                screening.categories, child_speaking=child_speaking, out_of_hours_number=settings.out_of_hours_number,
                swallowed=bool(screening.reply and SWALLOWED_LINE in screening.reply)))
        conversations.flag_danger(session, conversation, message, screening.categories, now=now, calendar=calendar,
                                  answers=red_answers)
        # A person answers danger in the conversation within minutes in office hours (bot.takeover).
        takeover.start_wait(session, conversation, "danger", now=now, office_hours=calendar.is_office_hours(now))
        # The advice is this whole reply; from the next message the conversation stays with safety.
        conversation.state = {**state, "after_danger": True, "danger_followed": False,
                              "child_speaking": child_speaking, "facts": facts,
                              # a word of harm was written: "not an emergency" never ends the safety replies
                              "harm_said": bool(state.get("harm_said") or HARM_WORDS.search(plain(text))),
                              "danger_categories": sorted({*(state.get("danger_categories") or []),
                                                           *screening.categories})}
        conversation.state_version = (conversation.state_version or 0) + 1
        log.info("safety screen fired on %s message %s (%s)", inbound.channel, message.id,
                 ",".join(screening.categories))
    elif screening.check_now:
        # Unsure: red for staff with a "check now" reason; the person is told nothing (no 999 reply, no safety
        # mode) and the conversation carries on as it would have.
        conversations.flag_check_now(session, conversation, message, screening.check_categories, now=now,
                                     calendar=calendar, answers=red_answers)
        log.info("safety screen unsure on %s message %s (%s): check now", inbound.channel, message.id,
                 ",".join(screening.check_categories))
    if conversation.ended_at is not None:
        # A practitioner ended it; the person writing again opens it again (their next worry must be seen).
        conversation.ended_at = None
        conversation.ended_reason = conversation.ended_note = None
        conversation.ended_by_id = None
    word = sms.keyword(text) if inbound.channel == "sms" and not inbound.media_types else None
    if word == "START" or (word is None and conversation.opted_out_at and _is_yes(text)):
        conversation.opted_out_at = None
        word = "START"
    elif word == "STOP":
        conversation.opted_out_at = now
    session.commit()

    # The message is stored: from here on, whatever fails, the person still gets an answer.
    outcome = Outcome(conversation_id=conversation.public_id, danger=screening.danger,
                      check_now=screening.check_now)
    try:
        return _answer(session, conversation, message, text, screening, word, inbound, settings, reading,
                       parser is not None, calendar, now, outcome, replayed)
    except Exception as exc:  # noqa: BLE001 - the reply must go whatever went wrong
        session.rollback()
        log.error("answering a stored %s message failed (%s); fallback reply given", inbound.channel,
                  type(exc).__name__)
        outcome.replies = [screening.reply if screening.danger and screening.reply else fallback_reply(settings)]
        outcome.handled_by = "error"
        return outcome


def _answer(session: Session, conversation: Conversation, message: Message, text: str, screening: Screening,
            word: str | None, inbound: Inbound, settings: Settings, pending: _Reading | None, asked: bool,
            calendar: WorkingCalendar, now: dt.datetime, outcome: Outcome, replayed: bool) -> Outcome:
    def reply(replies: list[str], handled_by: str) -> Outcome:
        # Stamped with the turn's own time: a message stored late from the spool keeps its true order.
        return _store_reply(session, conversation, message, replies, handled_by, outcome,
                            at=now if replayed else None)

    # Red: after danger, while its contact is open, every turn stays with safety (bot.dialogue).
    red = bool((conversation.state or {}).get("after_danger")) and \
        conversations.open_red_contact(session, conversation) is not None
    if screening.danger and not (red and conversations.last_replies(session, conversation) == [screening.reply] * 2):
        # The advice first and alone: the next message carries the conversation on. Danger written a third time
        # gets the red conversation's own turn (999 first still), never the same reply three times running.
        return reply([screening.reply or ""], "screen")
    if word is not None and not (word == "HELP" and red):
        return reply([keyword_reply(word, settings)], "keyword")
    if conversation.opted_out_at is not None:
        # Kept and screened, not answered (they asked for no texts), and shown to staff, who may phone.
        if text:
            _for_staff(session, conversation, reason="opted_out", now=now, calendar=calendar)
        return reply([], "opted_out")
    if conversation.paused:
        # A person in our team has this conversation: the assistant stays quiet, the message waits for them.
        # The person is told so when nobody has written to them for a while, never on every message of a
        # live exchange.
        office_hours = calendar.is_office_hours(now)
        takeover.start_wait(session, conversation, "reply", now=now, office_hours=office_hours)
        if conversations.recent_out(session, conversation, since=now - HELD_ACK_QUIET):
            return reply([], "person")
        return reply([held_ack(settings, office_hours=office_hours)], "person")
    if red and not screening.danger and text and not replayed:
        # A red conversation written to again (after a practitioner answered, handed back or ended it): the
        # assistant says it is passed on, so a person must look, on the danger clock, and every workspace hears.
        takeover.start_wait(session, conversation, "danger", now=now, office_hours=calendar.is_office_hours(now))
    if replayed:
        # Stored late from the spool: the sender had their reply then; staff read it now.
        _for_staff(session, conversation, reason="spooled", now=now, calendar=calendar)
        return reply([], "spooled")
    if inbound.media_types and not text:
        return reply([MEDIA_REPLY], "media")
    if conversations.recent_inbound(session, conversation, since=now - dt.timedelta(minutes=1)) \
            > settings.rate_limit_per_minute:
        # Not lost and never silent: a flood may be someone in distress as easily as a fault. One holding
        # reply a minute at most; every message is kept for staff.
        _for_staff(session, conversation, reason="flood", now=now, calendar=calendar)
        if conversations.recent_replies(session, conversation, handled_by="rate_limited",
                                        since=now - dt.timedelta(minutes=1)):
            return reply([], "rate_limited")
        return reply([FLOOD_REPLY], "rate_limited")
    if not text:
        return reply([EMPTY_REPLY], "empty")
    reading = None
    if pending is not None:
        try:
            reading = pending.result()
        except AssistantUnavailable as exc:
            log.warning("language model unavailable (%s); read by the deterministic reader", exc)
    understood = understand(text, reading, child_speaking=screening.child_speaking)
    # In a red conversation an unsure reading is danger enough to put 999 first ("hes coming up the stairs", from a
    # 12 year old after danger, got "Thank you for telling us" before the advice: a probe).
    understood.danger_now = screening.danger or (red and screening.check_now)
    lead = ["We can't receive pictures by text, only words."] if inbound.media_types else []
    context = dialogue.Context(channel=conversation.channel, office_hours=calendar.is_office_hours(now),
                               mash_number=settings.mash_number, out_of_hours_number=settings.out_of_hours_number,
                               public_url=settings.public_url, next_open=describe_next_opening(now, calendar),
                               office_times=describe_office_hours(calendar), red=red)
    for _ in range(5):
        version = conversation.state_version or 0
        ports = _Ports(session, conversation, settings=settings, calendar=calendar, now=now)
        turn = dialogue.decide(conversation.state, text, understood, context, ports)
        changed = cast("CursorResult[Any]", session.execute(
            update(Conversation).where(Conversation.id == conversation.id, Conversation.state_version == version)
            .values(state=turn.state, state_version=version + 1,
                    assistant_missed=Conversation.assistant_missed + (1 if asked and reading is None else 0),
                    **_safe_to_text(turn.state))
            .execution_options(synchronize_session=False)))
        if changed.rowcount == 1:
            if turn.handed_off:
                log.info("conversation %s handed off (%s)", conversation.id, turn.event)
            # The note about pictures only where it fits: the question is never the part that is cut.
            said = dialogue.compose([*lead, *turn.replies[:-1]], turn.replies[-1]) if turn.replies else lead
            return reply(said, "dialogue")
        # Another delivery of this conversation decided first: decide again, on its state.
        session.rollback()
        session.refresh(conversation)
    raise RuntimeError("the conversation kept changing under this message")


class _Ports:
    """What a turn may do besides replying, in the turn's own transaction (rolled back with it)."""

    def __init__(self, session: Session, conversation: Conversation, *, settings: Settings,
                 calendar: WorkingCalendar, now: dt.datetime) -> None:
        self.session, self.conversation, self.settings = session, conversation, settings
        self.calendar, self.now = calendar, now

    def services(self, *, categories: list[str], age: int | None, postcode: str | None) -> list[str]:
        from signposting.suggest import suggest

        try:
            return [s.sms for s in suggest(self.session, categories=categories, age=age, postcode=postcode)]
        except Exception as exc:  # noqa: BLE001 - signposting is a courtesy: the link is given instead
            log.warning("service search failed (%s)", type(exc).__name__)
            return []

    def hand_off(self, journey: ConversationJourney, answers: dict[str, Any]) -> str:
        """The journey's referral into the MASH through the one way in. After danger, the details join the
        open red contact (its practitioner reads them in the transcript) rather than making a second one."""
        red = conversations.open_red_contact(self.session, self.conversation)
        if red is not None and journey.kind == "concern":
            conversations.add_details(self.session, red, answers, actor=f"bot:{self.conversation.channel}",
                                      journey=journey.name, now=self.now)
            return red.reference
        key = conversations.next_key(self.session, f"bot:{self.conversation.public_id}:{journey.schema_journey}")
        earlier = find_by_idempotency_key(self.session, key)
        if earlier is not None:  # the worker made it of the unfinished report: the rest joins it
            conversations.add_details(self.session, earlier, answers, actor=f"bot:{self.conversation.channel}",
                                      journey=journey.name, now=self.now)
            return earlier.reference
        contact = conversations.create_contact(
            self.session, self.conversation, reason="handoff", key=key, now=self.now, answers=dict(answers),
            journey=journey.schema_journey, kind=journey.kind, calendar=self.calendar)
        return contact.reference

    def more_after_reference(self, reference: str) -> None:
        conversations.more_after_reference(self.session, self.conversation, reference, now=self.now,
                                           calendar=self.calendar)

    def details_offered(self, answers: dict[str, Any]) -> None:
        """Details written after danger (the child's age or name, where they are) join the open red contact's
        fields where it had none; nothing recorded is overwritten."""
        red = conversations.open_red_contact(self.session, self.conversation)
        if red is not None:
            conversations.add_details(self.session, red, answers, actor=f"bot:{self.conversation.channel}",
                                      journey="after_danger", now=self.now)

    def for_staff(self, reason: str) -> None:
        conversations.for_staff(self.session, self.conversation, reason=reason, now=self.now,
                                calendar=self.calendar)
        if reason == "asked_for_person":
            takeover.start_wait(self.session, self.conversation, reason, now=self.now,
                                office_hours=self.calendar.is_office_hours(self.now))


def _for_staff(session: Session, conversation: Conversation, *, reason: str, now: dt.datetime,
               calendar: WorkingCalendar) -> None:
    conversations.for_staff(session, conversation, reason=reason, now=now, calendar=calendar)
    session.commit()


def _store_reply(session: Session, conversation: Conversation, message: Message, replies: list[str],
                 handled_by: str, outcome: Outcome, at: dt.datetime | None = None) -> Outcome:
    if conversation.channel == "sms":
        replies = [sms.fit(replies)] if replies else []
    replies = [r for r in replies if r]
    outcome.replies = replies
    outcome.handled_by = handled_by
    message.handled_by = handled_by
    if replies:
        reply = Message(conversation_id=conversation.id, direction="out", at=at or utcnow(), text="\n".join(replies),
                        in_reply_to_id=message.id, handled_by=handled_by, danger_categories=[])
        session.add(reply)
        session.flush()
        outcome.reply_id = reply.id
    session.commit()
    return outcome


def _replay(session: Session, earlier: Message, screening: Screening, settings: Settings) -> Outcome:
    """A retried delivery: the same reply as the first time, and nothing stored twice. If the first attempt
    stored no reply (it failed, or is still waiting on the model), the danger advice or the fallback: a
    retried danger message must never go unanswered."""
    reply = conversations.reply_to(session, earlier)
    conversation = earlier.conversation
    if reply is not None and reply.text:
        replies = [reply.text] if conversation.channel == "sms" else reply.text.split("\n")
    elif screening.danger and screening.reply:
        replies = [screening.reply]
    else:
        replies = [fallback_reply(settings)]
    return Outcome(conversation_id=conversation.public_id, replies=replies, handled_by=earlier.handled_by or "",
                   reply_id=reply.id if reply else None, duplicate=True, danger=bool(earlier.danger_categories))


def _red_answers(state: dict[str, Any], *, child_speaking: bool, workplace: str | None) -> dict[str, Any] | None:
    """What the red contact carries besides the person's words: the answers of a journey the screen fired in
    the middle of (who is writing, the child, safe to text), or who is writing when it fired at once (a child
    about themselves, a professional about a child: their CIN referral source)."""
    journey = JOURNEYS.get(state.get("journey") or "")
    if journey is not None:
        return journey.as_concern(state.get("answers") or {})
    if child_speaking:
        return {"referrer_type": "public", "referrer_relationship": "self", "anonymous": "no"}
    if workplace:
        return {"referrer_type": "professional", "referrer_workplace": workplace}
    return None


def _safe_to_text(state: dict[str, Any] | None) -> dict[str, Any]:
    """The person's answer to "is it safe to text you", kept on the conversation whatever the journey does
    with its answers later (a declined consent clears them; the answer must outlive that)."""
    answer = ((state or {}).get("answers") or {}).get("safe_to_contact")
    return {"safe_to_text": answer == "yes"} if answer in {"yes", "no"} else {}


def _child_facts(state: dict[str, Any], text: str, said: Any) -> dict[str, Any]:
    """What a danger message says of the child ("Amy, 6"), for the inbox's row: kept beside, never over, what
    the conversation already knew."""
    facts = dict(state.get("facts") or {})
    name, age = reader_child_named(text)
    if name and "child_name" not in facts:
        facts["child_name"] = name
    age = age if age is not None else said.age
    if age is not None and facts.get("age") is None:
        facts["age"] = age
    return facts


def _is_yes(text: str) -> bool:
    return sms.keyword(text) is None and text.strip().strip(".!").upper() in {"YES", "Y"}
