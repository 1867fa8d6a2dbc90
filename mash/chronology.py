"""A child's chronology (issue 15, item 3): what happened to one child, across every contact about them, the
police's domestic abuse notifications, missing episodes, out-of-hours handovers, case notes and decisions, dated
and in words.

The same child is found as intake joins contacts (mash.intake.open_contact_for_child): the same NHS number (unless
the dates of birth disagree), or the same first name, last name and date of birth, all through the blind indexes,
without decrypting anyone else's record; and the earlier referrals a practitioner confirmed (mash.repeats). A name
merely alike is not enough: a chronology that mixed two children would mislead worse than one that is short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from mash.casework import KIND_WORDS
from mash.describe import age_words, date_words, worry_words
from mash.missing import child_index as missing_child_index
from mash.models import (
    CaseNote,
    Child,
    Contact,
    Decision,
    DomesticAbuseChild,
    DomesticAbuseNotification,
    Handover,
    HouseholdLink,
    MissingEpisode,
    RepeatMatch,
    StaffUser,
    TriageMeeting,
)
from mash.outcomes import OUTCOMES

CHANNEL_WORDS = {"web": "the website", "sms": "text message", "chat": "web chat", "police": "the police",
                 "phone": "phone"}
GRADE_WORDS = {"standard": "standard", "medium": "medium", "high": "high"}
TRIAGE_WORDS = {
    "no_further_action": "No further action",
    "information_to_allocated_worker": "Information to the allocated worker",
    "early_help_offer": "Offer early help",
    "refer_to_mash": "Refer to the MASH as a concern",
    "strategy_discussion": "Strategy discussion",
}
INTERVIEW_WORDS = {"accepted": "Return home interview accepted", "declined": "Return home interview declined"}
ORDERS = ("newest", "oldest")


@dataclass(frozen=True)
class Entry:
    """One dated line. `source` says where it comes from (a contact, the police, a missing episode)."""

    at: dt.datetime
    source: str
    what: str
    detail: str = ""
    who: str = ""
    contact_id: int | None = None
    reference: str = ""
    notification_id: int | None = None
    episode_id: int | None = None
    tie: int = 0  # keeps lines at the same moment in the order they happened within one record


@dataclass
class Chronology:
    child: Child
    name: str
    born: str
    contacts: list[Contact]
    entries: list[Entry] = field(default_factory=list)
    order: str = "newest"


def _name(child: Child) -> str:
    if child.unborn:
        return "Unborn baby"
    return " ".join(p for p in (child.first_name, child.last_name) if p) or "Name not known"


def _born(child: Child, today: dt.date) -> str:
    if child.unborn:
        return f"due {date_words(child.due_date) or child.due_date}" if child.due_date else "unborn"
    if not child.date_of_birth:
        return "date of birth not known"
    age = age_words(child.date_of_birth, today)
    born = date_words(child.date_of_birth) or child.date_of_birth
    return f"born {born}" + ("" if age == "age not known" else f" (age {age})")


def _same_child(model: type[Child] | type[DomesticAbuseChild], child: Child) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if child.nhs_number_index:
        same: ColumnElement[bool] = model.nhs_number_index == child.nhs_number_index
        if child.date_of_birth_index:  # two records that disagree on the date of birth are for a person to judge
            same = and_(same, or_(model.date_of_birth_index.is_(None),
                                  model.date_of_birth_index == child.date_of_birth_index))
        conditions.append(same)
    if child.first_name_index and child.last_name_index and child.date_of_birth_index:
        conditions.append(and_(model.first_name_index == child.first_name_index,
                               model.last_name_index == child.last_name_index,
                               model.date_of_birth_index == child.date_of_birth_index))
    return conditions


def contacts_for_child(session: Session, child: Child) -> list[Contact]:
    """Every contact about this child: their own, the strong matches, and the confirmed earlier referrals."""
    ids = {child.contact_id}
    if conditions := _same_child(Child, child):
        ids.update(session.scalars(select(Child.contact_id).where(or_(*conditions))))
    confirmed = session.execute(select(RepeatMatch.contact_id, RepeatMatch.earlier_contact_id).where(
        RepeatMatch.status == "confirmed",
        or_(and_(RepeatMatch.contact_id == child.contact_id, RepeatMatch.child_position == child.position),
            and_(RepeatMatch.earlier_contact_id == child.contact_id,
                 RepeatMatch.earlier_child_position == child.position)))).all()
    for a, b in confirmed:
        ids.update((a, b))
    return list(session.scalars(select(Contact).where(Contact.id.in_(ids))
                                .options(selectinload(Contact.decisions)).order_by(Contact.received_at, Contact.id)))


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(wanted))).all())


def _contact_entries(session: Session, contacts: list[Contact]) -> list[Entry]:
    ids = [c.id for c in contacts]
    by_id = {c.id: c for c in contacts}
    notes = session.scalars(select(CaseNote).where(CaseNote.contact_id.in_(ids))).all()
    handovers = session.scalars(select(Handover).where(Handover.contact_id.in_(ids))).all()
    links = session.scalars(select(HouseholdLink).where(or_(HouseholdLink.contact_id.in_(ids),
                                                            HouseholdLink.other_contact_id.in_(ids)))).all()
    decisions: list[Decision] = [d for c in contacts for d in c.decisions]
    names = _names(session, [n.written_by_id for n in notes] + [n.passed_to_id for n in notes]
                   + [d.decided_by_id for d in decisions] + [d.reviewed_by_id for d in decisions]
                   + [h.recorded_by_id for h in handovers] + [h.acknowledged_by_id for h in handovers]
                   + [link.by_id for link in links])
    link_refs = dict(session.execute(select(Contact.id, Contact.reference).where(Contact.id.in_(
        {link.contact_id for link in links} | {link.other_contact_id for link in links}))).all()) if links else {}

    def on(contact_id: int | None) -> dict[str, Any]:
        contact = by_id.get(contact_id) if contact_id is not None else None
        return {"contact_id": contact_id, "reference": contact.reference if contact else ""}

    out: list[Entry] = []
    for c in contacts:
        out.append(Entry(c.received_at, "Contact", f"Contact received by {CHANNEL_WORDS.get(c.channel, c.channel)}",
                         f"{'Early help request' if c.kind == 'early_help' else 'Concern'}: "
                         f"{worry_words(c.concern_categories, most=3, read=c.concern_categories_read)}. "
                         f"Rated {c.rag.upper()}.", **on(c.id)))
        if c.closed_at is not None:
            out.append(Entry(c.closed_at, "Contact", "Contact closed", tie=9, **on(c.id)))
    for n in notes:
        what = KIND_WORDS.get(n.kind, n.kind)
        if n.kind == "passed":
            what = f"Passed to {names.get(n.passed_to_id or 0, 'a colleague')}"
        if n.corrects_id:
            what += f" (corrects note {n.corrects_id})"
        out.append(Entry(n.written_at, "Case note", what, n.text, names.get(n.written_by_id, ""), tie=n.id,
                         **on(n.contact_id)))
    for d in decisions:
        out.append(Entry(d.decided_at, "Decision", f"Decision recorded: {OUTCOMES.get(d.outcome, d.outcome)}",
                         f"Level {d.level}. {d.rationale}", names.get(d.decided_by_id, ""), tie=1,
                         **on(d.contact_id)))
        if d.reviewed_at is not None and d.status in ("signed_off", "returned"):
            out.append(Entry(d.reviewed_at, "Decision",
                             "Decision signed off" if d.status == "signed_off" else "Decision returned with comments",
                             d.manager_comments or "", names.get(d.reviewed_by_id or 0, ""), tie=2,
                             **on(d.contact_id)))
    for h in handovers:
        if h.source == "call":
            out.append(Entry(h.received_at, "Out of hours", "Out-of-hours call to the emergency duty team",
                             h.what_happened or "", names.get(h.recorded_by_id or 0, ""), tie=1, **on(h.contact_id)))
        else:
            out.append(Entry(h.received_at, "Out of hours", "Arrived out of hours: handed to the day team",
                             tie=1, **on(h.contact_id)))
        if h.acknowledged_at is not None:
            out.append(Entry(h.acknowledged_at, "Out of hours", "Handover taken by the day team", "",
                             names.get(h.acknowledged_by_id or 0, ""), tie=3, **on(h.contact_id)))
    for link in links:
        mine, theirs = ((link.contact_id, link.other_contact_id) if link.contact_id in by_id
                        else (link.other_contact_id, link.contact_id))
        verb = "Linked with" if link.linked else "Unlinked from"
        out.append(Entry(link.at, "Household", f"{verb} {link_refs.get(theirs, 'another contact')} as one household",
                         link.reason or "", names.get(link.by_id, ""), tie=link.id, **on(mine)))
    return out


def _police_entries(session: Session, child: Child) -> list[Entry]:
    conditions = _same_child(DomesticAbuseChild, child)
    if not conditions:
        return []
    found = session.execute(select(DomesticAbuseChild.notification_id, DomesticAbuseChild.position,
                                   DomesticAbuseChild.present, DomesticAbuseChild.witnessed)
                            .where(or_(*conditions))).all()
    positions: dict[int, tuple[int, bool, bool]] = {n: (p, present, witnessed) for n, p, present, witnessed in found}
    if not positions:
        return []
    notifications = session.scalars(select(DomesticAbuseNotification)
                                    .where(DomesticAbuseNotification.id.in_(positions))).all()
    meetings = session.scalars(select(TriageMeeting).where(TriageMeeting.notification_id.in_(positions))).all()
    out = []
    for n in notifications:
        _position, present, witnessed = positions[n.id]
        # The police mark a child who saw or heard it as a witness, whether or not they also mark them present:
        # a witness was there, so "not present" is never said of one.
        if witnessed:
            how = "the child was present and witnessed it" if present else "the child witnessed it"
        else:
            how = "the child was present" if present else "the child was not present"
        out.append(Entry(n.occurred_at, "Police", "Domestic abuse incident notified by the police",
                         f"{n.police_reference}: {GRADE_WORDS.get(n.grade, n.grade)} risk; {how}.",
                         notification_id=n.id))
    for m in meetings:
        position = positions[m.notification_id][0]
        decided = next((d for d in m.child_decisions if d.get("position") == position), None)
        words = TRIAGE_WORDS.get(str(decided.get("decision")), "") if decided else ""
        out.append(Entry(m.held_at, "Police", "Domestic abuse triage meeting",
                         f"Decided: {words}." if words else "", notification_id=m.notification_id, tie=1))
    return out


def _missing_entries(session: Session, child: Child) -> list[Entry]:
    conditions: list[ColumnElement[bool]] = []
    if index := missing_child_index(child.first_name, child.last_name, child.date_of_birth):
        conditions.append(MissingEpisode.child_index == index)
    if child.nhs_number_index:
        conditions.append(MissingEpisode.nhs_number_index == child.nhs_number_index)
    if not conditions:
        return []
    out = []
    for e in session.scalars(select(MissingEpisode).where(or_(*conditions))
                             .options(selectinload(MissingEpisode.interview))):
        often = f" ({e.episodes_in_window} times in 30 days)" if e.episodes_in_window > 1 else ""
        out.append(Entry(e.went_missing_at, "Missing", "Reported missing by the police",
                         f"{e.police_reference}{often}.", episode_id=e.id))
        if e.returned_at is not None:
            out.append(Entry(e.returned_at, "Missing", "Found" if e.return_kind == "found" else "Came back",
                             e.police_reference, episode_id=e.id, tie=1))
        interview = e.interview
        if interview is None:
            continue
        if interview.offered_at is not None:
            out.append(Entry(interview.offered_at, "Missing", "Return home interview offered", episode_id=e.id,
                             tie=2))
        if interview.responded_at is not None and interview.status in INTERVIEW_WORDS | {"completed": ""}:
            accepted = "accepted" if interview.status in ("accepted", "completed") else "declined"
            out.append(Entry(interview.responded_at, "Missing", INTERVIEW_WORDS[accepted], episode_id=e.id, tie=3))
        if interview.completed_at is not None:
            out.append(Entry(interview.completed_at, "Missing", "Return home interview completed", episode_id=e.id,
                             tie=4))
    return out


def chronology(session: Session, child: Child, *, order: str = "newest", today: dt.date | None = None) -> Chronology:
    """Everything known about this child, dated: newest first, or oldest first."""
    today = today or dt.date.today()
    contacts = contacts_for_child(session, child)
    entries = _contact_entries(session, contacts) + _police_entries(session, child) + _missing_entries(session, child)
    # The same moment keeps its within-record order both ways; records at one moment fall back to their source.
    entries.sort(key=lambda e: (e.at, e.tie, e.source, e.contact_id or 0, e.notification_id or 0, e.episode_id or 0),
                 reverse=order != "oldest")
    return Chronology(child=child, name=_name(child), born=_born(child, today), contacts=contacts, entries=entries,
                      order="oldest" if order == "oldest" else "newest")
