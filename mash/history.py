"""A contact's audit trail in plain words, as a practitioner or an inspector reads it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mash.models import AuditEvent, StaffUser
from mash.outcomes import OUTCOMES
from mash.safety import category_words

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
}


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


def _detail(event: AuditEvent) -> str:
    d = event.details or {}
    if event.event == "contact.received":
        return f"by {d.get('channel')}, rated {str(d.get('rag', '')).upper()}"
    if event.event in ("check.asked", "check.returned", "check.chased"):
        extra = ", without the parents' knowledge" if d.get("without_parents_knowledge") else ""
        return f"{d.get('agency', '')}{extra}"
    if event.event == "decision.recorded":
        return f"{OUTCOMES.get(d.get('outcome', ''), '')}, level {d.get('level')}"
    if event.event == "consent.recorded":
        return str(d.get("status", "")).replace("_", " ")
    if event.event in ("household.linked", "household.unlinked"):
        return str(d.get("reference", ""))
    if event.event in ("conversation.danger", "conversation.check_now"):
        return "; ".join(category_words(list(d.get("categories") or [])))
    return event.reason or ""


def describe_events(session: Session, events: list[AuditEvent]) -> list[HistoryLine]:
    ids = {int(e.actor.split(":")[1]) for e in events if e.actor.startswith("staff:") and e.actor[6:].isdigit()}
    names = dict(session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))).all()) if ids \
        else {}
    lines = []
    for e in events:
        if e.actor.startswith("staff:") and e.actor[6:].isdigit():
            who = names.get(int(e.actor[6:]), "A member of staff")
        elif e.actor.startswith("public:"):
            who = "The referrer"
        else:
            who = "The system"
        lines.append(HistoryLine(e.at, who, WORDS.get(e.event, e.event), _detail(e)))
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
