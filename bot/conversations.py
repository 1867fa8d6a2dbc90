"""Where conversations are found, stored, turned into MASH contacts and, when they came to nothing, forgotten."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from bot.models import Conversation, ConversationContact, Message
from bot.report_worries import read_worries, screened_categories
from forms.referral import JOURNEYS, referral_source_code
from forms.schema import Referral
from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.intake import child_record, receive_referral, worries_read
from mash.models import DANGER_NOW_RANK, Child, Contact, StaffUser
from store.crypto import keyring
from store.db import utcnow

CONTACT_CHANNEL = {"sms": "sms", "chat": "chat"}


def sender_key(channel: str, sender: str) -> str:
    """The keyed hash a conversation is found by: the phone number (or chat token) itself is never a key."""
    return keyring.blind_index(f"conversation-{channel}", sender)


def find_or_start(session: Session, channel: str, sender: str, *, now: dt.datetime, idle: dt.timedelta,
                  phone: str | None = None) -> Conversation:
    """The person's latest conversation if it is recent, or red (a red one is never closed by the system);
    otherwise a new one, so that a parent texting next month is not asked about last month's answers. A new
    one after a journey left half-way says so in its first reply (bot.dialogue: "welcome back")."""
    latest = find_latest(session, channel, sender)
    if latest is not None and (latest.danger or latest.last_message_at >= now - idle):
        return latest
    left = (latest.state or {}).get("journey") if latest is not None else None
    conversation = Conversation(channel=channel, sender_key=sender_key(channel, sender), phone=phone,
                                started_at=now, last_message_at=now, danger=False, danger_categories=[],
                                assistant_missed=0, state={"welcome_back": left} if left else None)
    if latest is not None and latest.opted_out_at is not None:
        conversation.opted_out_at = latest.opted_out_at  # STOP outlives the conversation it was sent in
    session.add(conversation)
    session.flush()
    return conversation


def find_latest(session: Session, channel: str, sender: str) -> Conversation | None:
    return session.execute(
        select(Conversation).where(Conversation.channel == channel,
                                   Conversation.sender_key == sender_key(channel, sender))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(1)
    ).scalar_one_or_none()


def opted_out(session: Session, phone: str) -> bool:
    """Has this number texted STOP (and not START since)?"""
    latest = find_latest(session, "sms", phone)
    return latest is not None and latest.opted_out_at is not None


def by_public_id(session: Session, public_id: str) -> Conversation | None:
    return session.execute(select(Conversation).where(Conversation.public_id == public_id)).scalar_one_or_none()


def by_sid(session: Session, provider_sid: str) -> Message | None:
    return session.execute(select(Message).where(Message.provider_sid == provider_sid)).scalar_one_or_none()


def reply_to(session: Session, message: Message) -> Message | None:
    return session.execute(select(Message).where(Message.in_reply_to_id == message.id)
                           .order_by(Message.id).limit(1)).scalar_one_or_none()


def last_replies(session: Session, conversation: Conversation, count: int = 2) -> list[str | None]:
    """What the conversation last said to the person (decrypted), newest first."""
    return list(session.scalars(select(Message.text).where(Message.conversation_id == conversation.id,
                                                           Message.direction == "out")
                                .order_by(Message.id.desc()).limit(count)))


def recent_inbound(session: Session, conversation: Conversation, *, since: dt.datetime) -> int:
    return session.execute(select(func.count()).select_from(Message).where(
        Message.conversation_id == conversation.id, Message.direction == "in", Message.at >= since)).scalar_one()


def recent_replies(session: Session, conversation: Conversation, *, handled_by: str, since: dt.datetime) -> int:
    return session.execute(select(func.count()).select_from(Message).where(
        Message.conversation_id == conversation.id, Message.direction == "out", Message.handled_by == handled_by,
        Message.at >= since)).scalar_one()


def recent_out(session: Session, conversation: Conversation, *, since: dt.datetime,
               handled_by: tuple[str, ...] = ("staff", "person")) -> int:
    """Messages a person in the team (or the note that one has it) sent since then."""
    return session.execute(select(func.count()).select_from(Message).where(
        Message.conversation_id == conversation.id, Message.direction == "out", Message.handled_by.in_(handled_by),
        Message.at >= since)).scalar_one()


def inbound_text(conversation: Conversation) -> str:
    """What the person has written so far, oldest first: a contact's 'what happened' before anyone asks."""
    return "\n".join(m.text for m in conversation.messages if m.direction == "in" and m.text)


def linked_contacts(session: Session, conversation: Conversation) -> list[Contact]:
    return list(session.scalars(
        select(Contact).join(ConversationContact, ConversationContact.contact_id == Contact.id)
        .where(ConversationContact.conversation_id == conversation.id).order_by(Contact.id)))


def link(session: Session, conversation: Conversation, contact: Contact, reason: str, *, now: dt.datetime) -> None:
    already = session.get(ConversationContact, (conversation.id, contact.id))
    if already is None:
        session.add(ConversationContact(conversation_id=conversation.id, contact_id=contact.id, reason=reason, at=now))


def create_contact(session: Session, conversation: Conversation, *, reason: str, key: str, now: dt.datetime,
                   answers: dict | None = None, journey: str = "report", kind: str = "concern",
                   calendar: WorkingCalendar = DEFAULT_CALENDAR, check_now: tuple[str, ...] = ()) -> Contact:
    """A conversation becomes a contact through the same one-way-in function as a web referral.

    With no `answers` (danger, or the assistant down) the contact holds what we know: the person's own words
    and, by text, the number to call back; the practitioner reads the rest in the transcript."""
    if answers is None:
        answers = {"referrer_type": "public", "what_happened": inbound_text(conversation) or None}
    elif reason in ("danger", "check_now", "flood", "asked_for_person", "not_understood", "opted_out"):
        # the journey's answers so far, and every word they wrote
        answers = {**answers, "what_happened": inbound_text(conversation) or answers.get("what_happened")}
    # The number to call back, unless they asked to stay anonymous: then the MASH never holds it.
    if conversation.phone and not answers.get("referrer_phone") and answers.get("anonymous") != "yes":
        answers["referrer_phone"] = conversation.phone
    # A report never asks what kind of worry it is: read from their words (shown as such, never triaged).
    read = read_worries([answers.get("what_happened")], screened=(*(conversation.danger_categories or []), *check_now),
                        child_writing=_child_writing(conversation, answers)) if kind == "concern" else None
    contact = receive_referral(
        session, Referral(journey=journey, kind=kind, answers=answers),  # type: ignore[arg-type]
        channel=CONTACT_CHANNEL[conversation.channel], actor=f"bot:{conversation.channel}", received_at=now,
        idempotency_key=key, calendar=calendar, danger=tuple(conversation.danger_categories), check_now=check_now,
        worries_read=read.worries if read else ())
    link(session, conversation, contact, reason, now=now)
    return contact


def _child_writing(conversation: Conversation | None, answers: dict) -> bool:
    """A child or young person writing about themselves (the young person's journey, or the screen's sign of it)."""
    return answers.get("referrer_relationship") == "self" or bool(((conversation and conversation.state) or {})
                                                                  .get("child_speaking"))


def next_key(session: Session, base: str) -> str:
    """`base`, or the first `base:N` whose contact is not closed (it may exist and be open, or not exist)."""
    from mash.intake import find_by_idempotency_key

    key, number = base, 1
    while (existing := find_by_idempotency_key(session, key)) is not None and existing.closed_at is not None:
        number += 1
        key = f"{base}:{number}"
    return key


def open_key(session: Session, base: str) -> str | None:
    """The idempotency key for the next contact of this kind from a conversation: `base` the first time;
    None while the last one is still open (one is enough); a fresh key once it has been closed, so a new
    worry after the last was dealt with is never folded into a closed contact."""
    from mash.intake import find_by_idempotency_key

    key, number = base, 1
    while (existing := find_by_idempotency_key(session, key)) is not None:
        if existing.closed_at is None:
            return None
        number += 1
        key = f"{base}:{number}"
    return key


def for_staff(session: Session, conversation: Conversation, *, reason: str, now: dt.datetime,
              calendar: WorkingCalendar = DEFAULT_CALENDAR) -> None:
    """A person should read this conversation (a request for a person, a flood, a text after STOP): one open
    contact per conversation and reason, a new one if the last was closed; or, while the conversation's red
    contact is open, an entry on that contact's trail, so its practitioner sees it at the head of the queue."""
    red = open_red_contact(session, conversation)
    if red is not None:
        audit.append(session, [audit.Entry(f"conversation.{reason}", f"bot:{conversation.channel}", red.id, at=now)])
        return
    key = open_key(session, f"bot:{conversation.public_id}:{reason}")
    if key is not None:
        create_contact(session, conversation, reason=reason, key=key, now=now, calendar=calendar,
                       answers=answers_so_far(conversation.state))


def answers_so_far(state: dict | None) -> dict | None:
    """What a report under way has gathered, as a concern staff can read (the child, who is writing, how to reach
    them safely, the child's age as said): a contact made for a person to read the conversation (a flood, a request
    for a person) keeps it. The live probe: a chat that sent 22 answers in a minute became a contact whose child was
    "Not known yet". An early-help request keeps only how to reach the person: its child is not put on a MASH
    record before the family has agreed to share (the final review)."""
    from forms.conversation import JOURNEYS, with_said_age

    state = state or {}
    journey = JOURNEYS.get(state.get("journey") or "")
    given = {k: v for k, v in (state.get("answers") or {}).items() if not k.startswith("_")}
    if journey is None or not given:
        return None
    if journey.kind == "early_help":
        kept = {k: given[k] for k in ("referrer_name", "referrer_phone", "safe_to_contact", "safe_contact_how")
                if k in given}
        return {"referrer_type": "public", **kept} if kept else None
    said = state.get("facts") or {}
    age = said.get("first_age", said.get("age"))
    return with_said_age(journey.as_concern(given), age if isinstance(age, int) else None)


def add_details(session: Session, contact: Contact, answers: dict, *, actor: str, journey: str,
                now: dt.datetime) -> None:
    """Answers given after the conversation's contact was made (a report finished after the worker's follow-up,
    details after danger): named on the contact's trail, read in the transcript; a wish to stay anonymous is
    honoured at once (the number to call back is dropped)."""
    if answers.get("anonymous") == "yes" and not contact.referrer_anonymous:
        contact.referrer_anonymous = True
        contact.referrer_phone = None
        contact.referrer_name = None
    if answers.get("children") and not contact.children:
        # a contact made at the first message (a check now, danger) learns who the child is: staff see the name
        # on the queue, and repeat matching and search find it
        for position, item in enumerate(answers["children"]):
            contact.children.append(child_record(position, item))
    elif answers.get("children") and contact.children:
        _fill_child(contact.children[0], answers["children"][0])
    _fill_referral(contact, answers)
    if answers.get("parents_told") and contact.consent is not None and contact.consent.parents_told is None:
        contact.consent.parents_told = answers["parents_told"]
        contact.consent.parents_not_told_reason = answers.get("parents_not_told_reason")
    details: dict = {"journey": journey, "fields": sorted(answers)}
    read = _read_later(contact, answers)
    if read:
        contact.concern_categories_read = read
        details["worries_read"] = read
    audit.append(session, [audit.Entry("conversation.details", actor, contact.id, at=now, details=details)])


def _read_later(contact: Contact, answers: dict) -> list[str] | None:
    """The worries a contact made early (at a check now or danger, from the first message) reads in the finished
    report's words, added to what it read then: the new list, or None when nothing new was read."""
    if contact.kind != "concern" or contact.concern_categories:
        return None
    had = list(contact.concern_categories_read or [])
    reading = read_worries([answers.get("what_happened")], screened=screened_categories(contact.safety_flags),
                           child_writing=_child_writing(None, {**(contact.answers or {}), **answers}))
    merged = worries_read("concern", [], [*had, *reading.worries])
    return merged if merged != had else None


# What a contact made early (at a check now or danger, from the first message) learns when the report is finished:
# said before only in the transcript, a duty worker read "referred by not known, no address" (a probe, session 14).
_REFERRER_COLUMNS = ("referrer_name", "referrer_email", "referrer_organisation", "referrer_role")


def _fill_referral(contact: Contact, answers: dict) -> None:
    """The finished journey's answers where the contact had none: the record's referral section, the referrer's
    columns, and the referral source they imply. Nothing already recorded is overwritten."""
    had = dict(contact.answers or {})
    added = {k: v for k, v in answers.items() if k != "children" and had.get(k) in (None, "", [])
             and v not in (None, "", [])}
    # Who is writing, where the early contact only assumed it (a member of the public, source unknown): a teacher
    # who finishes the professional journey is recorded as the professional they said they are
    corrected = contact.referral_source == "10" and answers.get("referrer_type") not in (None, "", had.get(
        "referrer_type"))
    if corrected:
        added["referrer_type"] = answers["referrer_type"]
        contact.referrer_type = answers["referrer_type"]
    if contact.referrer_anonymous or answers.get("anonymous") == "yes":
        for private in ("referrer_name", "referrer_phone", "referrer_email"):
            added.pop(private, None)  # anonymous: who they are is never written to the record
    if not added:
        return
    merged = {**had, **added}
    contact.answers = merged
    if not contact.referrer_anonymous:
        for column in _REFERRER_COLUMNS:
            if getattr(contact, column) in (None, "") and merged.get(column):
                setattr(contact, column, merged[column])
    if contact.referral_source == "10" and contact.journey in JOURNEYS:
        contact.referral_source = referral_source_code(merged, JOURNEYS[contact.journey])


def _fill_child(child: Child, item: dict) -> None:
    """The first child's details said later (where they live, the age said), where the record had none."""
    later = child_record(child.position, item)
    for column in ("last_name", "last_name_index", "address", "postcode", "postcode_index", "age_said",
                   "date_of_birth", "date_of_birth_index", "first_name", "first_name_index"):
        if getattr(child, column) in (None, "") and getattr(later, column) not in (None, ""):
            setattr(child, column, getattr(later, column))


def more_after_reference(session: Session, conversation: Conversation, reference: str, *, now: dt.datetime,
                         calendar: WorkingCalendar = DEFAULT_CALENDAR) -> None:
    """The person wrote more after their reference ("one more thing, his dad drinks too"): an entry on that
    contact's trail, so its practitioner reads the conversation again (the words stay in the transcript, encrypted,
    never on the trail); a contact of its own for a person to read if that one is closed or not this
    conversation's."""
    contact = next((c for c in linked_contacts(session, conversation) if c.reference == reference), None)
    if contact is not None and contact.closed_at is None:
        audit.append(session, [audit.Entry("conversation.more_after_reference", f"bot:{conversation.channel}",
                                           contact.id, at=now)])
        return
    for_staff(session, conversation, reason="after_reference", now=now, calendar=calendar)


def open_red_contact(session: Session, conversation: Conversation) -> Contact | None:
    return next((c for c in linked_contacts(session, conversation) if c.rag == "red" and c.closed_at is None), None)


def flag_danger(session: Session, conversation: Conversation, message: Message, categories: tuple[str, ...], *,
                now: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                answers: dict | None = None) -> Contact:
    """Red at once: a contact at the head of the queue with what is known so far (`answers`: the journey's, when
    the screen fires mid-way), or, if the conversation already has an open red contact, a new entry on its
    audit trail so its practitioner sees it."""
    conversation.danger = True
    conversation.danger_categories = list(dict.fromkeys([*conversation.danger_categories, *categories]))
    existing = open_red_contact(session, conversation)
    if existing is not None:
        escalated = existing.risk_rank != DANGER_NOW_RANK
        if escalated:  # red for a check now, and now danger: to the very head of the queue, saying why
            flags = [*(f"danger_now:{c}" for c in categories), *existing.safety_flags]
            # ...and on the danger-now clock from this message, if that is sooner than the one it had
            due = min(existing.decision_due_at, calendar.contact_due(now, "red", danger_now=True))
            session.execute(update(Contact).where(Contact.id == existing.id).values(
                risk_rank=DANGER_NOW_RANK, safety_flags=list(dict.fromkeys(flags)), decision_due_at=due,
                version=Contact.version + 1))
            session.expire(existing)
        audit.append(session, [audit.Entry("conversation.danger", f"bot:{conversation.channel}", existing.id, at=now,
                                           details={"categories": list(categories), "message": message.id,
                                                    "escalated": escalated})])
        return existing
    return create_contact(session, conversation, reason="danger", key=f"bot:{conversation.public_id}:d{message.id}",
                          now=now, calendar=calendar, answers=answers)


def flag_check_now(session: Session, conversation: Conversation, message: Message, categories: tuple[str, ...], *,
                   now: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                   answers: dict | None = None) -> Contact:
    """The screen was unsure: a red contact whose reason says "check now" (or, if the conversation already has an
    open red contact, an entry on its trail), and nothing said to the person, whose conversation carries on.
    The trail names the message, so the transcript can show staff which one it was."""
    contact = open_red_contact(session, conversation)
    if contact is None:
        contact = create_contact(session, conversation, reason="check_now", now=now, calendar=calendar,
                                 key=f"bot:{conversation.public_id}:c{message.id}", answers=answers,
                                 check_now=categories)
    audit.append(session, [audit.Entry("conversation.check_now", f"bot:{conversation.channel}", contact.id, at=now,
                                       details={"categories": list(categories), "message": message.id})])
    return contact


@dataclass(frozen=True)
class TranscriptLine:
    id: int
    at: dt.datetime
    direction: str
    text: str | None
    media: dict | None
    danger_categories: list[str]
    handled_by: str | None
    practitioner: str | None = None  # the practitioner's name when a person in the team wrote it


def transcripts_for_contact(session: Session, contact_id: int) -> list[tuple[Conversation, list[TranscriptLine]]]:
    """Every conversation that became this contact, with its whole transcript (for the practitioner)."""
    conversations = session.scalars(
        select(Conversation).join(ConversationContact, ConversationContact.conversation_id == Conversation.id)
        .where(ConversationContact.contact_id == contact_id).order_by(Conversation.id)).all()
    staff_ids = {m.staff_id for c in conversations for m in c.messages if m.staff_id}
    # Who wrote it, as their role says ("Sam Duty (practitioner)", "Morgan Lead (manager)").
    names = {staff_id: f"{name} ({'manager' if role == 'manager' else 'practitioner'})"
             for staff_id, name, role in session.execute(
                 select(StaffUser.id, StaffUser.name, StaffUser.role).where(StaffUser.id.in_(staff_ids)))} \
        if staff_ids else {}
    return [(c, [TranscriptLine(m.id, m.at, m.direction, m.text, m.media, m.danger_categories or [], m.handled_by,
                                (names.get(m.staff_id) or "A practitioner") if m.staff_id else None)
                 for m in c.messages]) for c in conversations]


def purge_expired(session: Session, *, retention: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Forget conversations that only looked for a service or asked a question: no contact, never red, and
    quiet for longer than the retention setting. Anything that became a contact is kept with the contact."""
    cutoff = (now or utcnow()) - retention
    linked = exists().where(ConversationContact.conversation_id == Conversation.id)
    ids = session.scalars(select(Conversation.id).where(
        Conversation.last_message_at < cutoff, Conversation.danger.is_(False), ~linked)).all()
    if ids:
        session.execute(delete(Message).where(Message.conversation_id.in_(ids)))
        session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    return len(ids)
