"""A contact's audit trail in plain words, as a practitioner or an inspector reads it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mash.models import AgencyCheck, AuditEvent, OutboxMessage, StaffUser
from mash.outcomes import OUTCOMES
from mash.safety import category_words
from mash.screening import AGENCIES

LONDON = ZoneInfo("Europe/London")

WORDS = {
    "contact.received": "Received",
    "consent.recorded": "Consent recorded",
    "contact.viewed": "Viewed",
    "contact.printed": "Printed (or saved) the whole contact",
    "contact.claimed": "Claimed",
    "contact.released": "Released",
    "contact.parents_informed": "Recorded whether the parents were told",
    "check.asked": "Asked a partner agency",
    "check.authorised": "Authorised a check without the parents' knowledge",
    "check.returned": "Recorded a partner agency's response",
    "check.chased": "Chased a partner agency",
    "repeat.confirmed": "Confirmed an earlier referral about this child",
    "repeat.rejected": "Rejected a suggested earlier referral",
    "repeat.history_acknowledged": "Read and acknowledged the earlier history",
    "decision.recorded": "Recorded a decision",
    "decision.signed_off": "Signed off the decision",
    "decision.returned": "Returned the decision with comments",
    "strategy.opened": "Strategy discussion opened",
    "strategy.recorded": "Strategy discussion recorded",
    "feedback.queued": "Feedback to the referrer queued",
    "feedback.sent": "Feedback sent to the referrer",
    "feedback.failed": "Feedback to the referrer could not be sent",
    "export.cin": "Included in a Children in Need export",
    "staff.signed_out": "Signed out",
    "conversation.danger": "The danger screen fired on another message (the person was told to call 999)",
    "conversation.taken": "Took over the conversation from the assistant",
    "conversation.staff_message": "Sent a message in the conversation",
    "conversation.handed_back": "Handed the conversation back to the assistant",
    "conversation.passed": "Passed the conversation to a colleague",
    "conversation.ended": "Ended the conversation",
    "conversation.contact_made": "Made a contact of the conversation",
    "conversation.check_now": "The danger screen was unsure of a message: check now (the person was not told "
                              "to call 999)",
    "conversation.details": "More details came in the conversation",
    "contact.linked": "Another referral about a child on this contact joined it",
    "contact.risk_raised": "Risk raised by what joined it",
    "police.referred_to_mash": "Referred by a police notification's triage meeting",
    "handover.recorded": "Out-of-hours call recorded",
    "handover.completed": "Out-of-hours record completed",
    "handover.acknowledged": "Handover taken by the day team",
    "handover.viewed": "Handover viewed",
    "feedback.withheld": "Feedback to the referrer withheld",
    "contact.passed": "Passed to a colleague with a note",
    "case_note.written": "Wrote a case note",
    "household.linked": "Linked with another contact as one household",
    "household.unlinked": "Unlinked from another contact's household",
    "chronology.viewed": "Viewed a child's chronology",
    "attachment.received": "Files came with the referral",
    "attachment.opened": "Opened a file sent with the referral",
    "receipt.queued": "Receipt to the referrer queued (an e-mail saying we have their referral)",
    "receipt.bounced": "The receipt e-mail to the referrer bounced: the address does not work",
    "receipt.undelivered": "The receipt e-mail to the referrer could not be delivered",
    "feedback.bounced": "Feedback to the referrer bounced: the address or number does not work",
    "feedback.undelivered": "Feedback to the referrer could not be delivered",
    # what a conversation with the assistant added to the trail of its open red contact (bot.conversations)
    "conversation.asked_for_person": "In the conversation, the person asked to talk to a person",
    "conversation.more_after_reference": "The person wrote more after their reference: read the conversation",
    "conversation.after_reference": "The person wrote more after a reference that is closed: a person should read it",
    "conversation.not_understood": "The assistant did not understand the person twice: a person should read it",
    "conversation.opted_out": "The person texted again after texting STOP: a person should read it",
    "conversation.spooled": "Messages came in while the assistant was unavailable: a person should read them",
    "conversation.flood": "Many messages came in at once: a person should read them",
    "conversation.handoff": "The conversation's answers were handed to the team",
    "conversation.unfinished_help": "A request for help left unfinished in the conversation",
    "conversation.unfinished_report": "A report left unfinished in the conversation",
    # events of the service rather than of one contact, named here so no trail ever shows a raw code
    "missing.episode_received": "A missing episode received from the police",
    "missing.episodes_recounted": "Missing episodes recounted",
    "missing.returned": "Recorded a child's return home",
    "missing.episode_viewed": "Viewed a missing episode",
    "missing.interview_offered": "Return home interview offered",
    "missing.interview_accepted": "Return home interview accepted",
    "missing.interview_declined": "Return home interview declined",
    "missing.interview_completed": "Return home interview completed",
    "police.csv_imported": "Police notifications imported from a file",
    "police.early_help_consent": "Recorded consent to early help from a police notification",
    "police.grade_changed": "Changed a police notification's grade",
    "police.household_recounted": "A household's police notifications recounted",
    "police.notification_received": "Police notification received",
    "police.notification_updated": "Police notification updated",
    "police.notification_viewed": "Viewed a police notification",
    "police.partner_created": "Police partner account created",
    "police.partner_deactivated": "Police partner account switched off",
    "police.partner_token_rotated": "Police partner's access key replaced",
    "police.school_told": "The child's school told (Operation Encompass)",
    "police.triage_meeting": "Police notification discussed at the triage meeting",
    "ready_replies.changed": "Changed the ready replies",
    "search.made": "Searched the records",
    "staff.created": "Staff account created",
    "staff.deactivated": "Staff account switched off",
    "staff.locked": "Staff account locked after wrong attempts",
    "staff.unlocked": "Staff account unlocked",
    "staff.password_accepted": "Password accepted",
    "staff.sessions_ended": "Every session of a staff account ended",
    "staff.sign_in_failed": "A sign-in failed",
    "staff.sign_in_refused": "A sign-in refused",
    "staff.signed_in": "Signed in",
}
# A receipt (OutboxMessage.kind "receipt": "we have your referral") is sent and fails through the same events as
# the decision's feedback; the trail names which it was.
RECEIPT_WORDS = {
    "feedback.sent": "Receipt e-mailed to the referrer",
    "feedback.failed": "The receipt e-mail to the referrer could not be sent",
    "feedback.withheld": "Receipt to the referrer withheld",
}
RECEIVED_BY = {"web": "Received through the web form", "sms": "Received by text message",
               "chat": "Received by web chat", "phone": "Received by phone (an out-of-hours call)",
               "police": "Received from the police"}


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    who: str
    what: str
    detail: str
    # A folded line: every viewing it stands for, oldest first (see fold_views)
    views: tuple[HistoryLine, ...] = field(default=())

    @property
    def when(self) -> str:
        local = self.at.astimezone(LONDON)
        return local.strftime("%d %b %Y %H:%M")


@dataclass(frozen=True)
class _Known:
    """What the trail's events point at, read once for every line: staff names, message kinds, checks."""

    names: dict[int, str]
    kinds: dict[int, str]
    checks: dict[int, AgencyCheck]


def _what(event: AuditEvent, known: _Known) -> str:
    d = event.details or {}
    if event.event == "contact.received" and d.get("channel") in RECEIVED_BY:
        return RECEIVED_BY[str(d["channel"])]
    if event.event in RECEIPT_WORDS and known.kinds.get(_int(d.get("message_id"))) == "receipt":
        return RECEIPT_WORDS[event.event]
    if event.event == "contact.passed" and _int(d.get("to_staff_id")) in known.names:
        return f"Passed to {known.names[_int(d.get('to_staff_id'))]} with a note"
    return WORDS.get(event.event, event.event)


def _detail(event: AuditEvent, known: _Known) -> str:
    d = event.details or {}
    if event.event == "contact.received":
        channel = "" if d.get("channel") in RECEIVED_BY else f"by {d.get('channel')}, "
        return f"{channel}rated {str(d.get('rag', '')).upper()}"
    if event.event in ("check.asked", "check.returned", "check.chased"):
        extra = ", without the parents' knowledge" if d.get("without_parents_knowledge") else ""
        agency = str(d.get("agency", ""))
        return f"{AGENCIES.get(agency, agency)}{extra}"
    if event.event == "check.authorised":
        # The manager's reason is kept on the check (the event's own reason says only what was authorised).
        check = known.checks.get(_int(d.get("check_id")))
        if check is None:
            return event.reason or ""
        agency = AGENCIES.get(check.agency, check.agency)
        return f"{agency}, because: {check.authorisation_reason}" if check.authorisation_reason else agency
    if event.event == "decision.recorded":
        return f"{OUTCOMES.get(d.get('outcome', ''), '')}, level {d.get('level')}"
    if event.event == "consent.recorded":
        return str(d.get("status", "")).replace("_", " ")
    if event.event in ("household.linked", "household.unlinked"):
        return str(d.get("reference", ""))
    if event.event in ("conversation.danger", "conversation.check_now"):
        return "; ".join(category_words(list(d.get("categories") or [])))
    if event.event == "attachment.received" and isinstance(d.get("count"), int):
        return f"{d['count']} file{'' if d['count'] == 1 else 's'}"
    return event.reason or ""


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _staff_id(actor: str) -> int | None:
    return int(actor[6:]) if actor.startswith("staff:") and actor[6:].isdigit() else None


def describe_events(session: Session, events: list[AuditEvent]) -> list[HistoryLine]:
    ids = {i for e in events if (i := _staff_id(e.actor)) is not None}
    ids |= {_int((e.details or {}).get("to_staff_id")) for e in events if e.event == "contact.passed"}
    names = dict(session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))).all()) if ids \
        else {}
    message_ids = {_int((e.details or {}).get("message_id")) for e in events if e.event in RECEIPT_WORDS}
    kinds = dict(session.execute(select(OutboxMessage.id, OutboxMessage.kind)
                                 .where(OutboxMessage.id.in_(message_ids))).all()) if message_ids else {}
    check_ids = {_int((e.details or {}).get("check_id")) for e in events if e.event == "check.authorised"}
    checks = {k.id: k for k in session.scalars(select(AgencyCheck).where(AgencyCheck.id.in_(check_ids)))} \
        if check_ids else {}
    known = _Known(names, kinds, checks)
    lines = []
    for e in events:
        staff_id = _staff_id(e.actor)
        if staff_id is not None:
            who = names.get(staff_id, "A member of staff")
        elif e.actor.startswith("public:"):
            who = "The referrer"
        else:
            who = "The system"
        lines.append(HistoryLine(e.at, who, _what(e, known), _detail(e, known)))
    return lines


VIEWED = WORDS["contact.viewed"]


def fold_views(lines: list[HistoryLine]) -> list[HistoryLine]:
    """One line for every viewing: the page is viewed again after each action (each one is audited), so a
    history of five actions read as fourteen rows. The folded line stands where the last viewing was, says how
    many and by whom, and keeps each viewing for whoever wants to read them."""
    views = [line for line in lines if line.what == VIEWED and not line.views]
    if len(views) < 2:
        return lines
    last = views[-1]
    people = list(dict.fromkeys(v.who for v in views))
    by = people[0] if len(people) == 1 else f"{len(people)} people: " + ", ".join(people)
    folded = HistoryLine(last.at, last.who, f"Viewed {len(views)} times",
                         f"by {by}; last by {last.who} at {last.when}", views=tuple(views))
    return [folded if line is last else line for line in lines if line.what != VIEWED or line is last]
