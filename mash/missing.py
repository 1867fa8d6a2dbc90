"""Missing children: every episode's return home interview, offered within 72 hours of the child's return.

An episode arrives from the police (mash.police validates it). Once the child is back, a return interview task
is due 72 hours later (a setting); a practitioner records that it was offered, whether the child accepted or
declined, and when it was completed — each step by whom and when, each audited. A child missing 3 or more
times in 30 days (settings) raises a strategy-meeting flag: domain.md lists a child frequently missing among
the indicators of level 4.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mash import audit
from mash.models import MissingEpisode, ReturnInterview, StaffUser
from mash.repeats import nhs_number_index, upn_index
from mash.staff import StaffError, can
from store.crypto import keyring
from store.db import utcnow

if TYPE_CHECKING:
    from mash.police import NotificationIn

STATUSES = {"due": "Not yet offered", "offered": "Offered", "accepted": "Accepted", "declined": "Declined",
            "completed": "Completed"}


@dataclass(frozen=True)
class MissingSettings:
    interview_hours: float = 72
    strategy_episodes: int = 3
    strategy_window: dt.timedelta = dt.timedelta(days=30)


DEFAULT_SETTINGS = MissingSettings()


def child_index(first_name: str | None, last_name: str | None, date_of_birth: str | None) -> str | None:
    """One keyed hash of first name, last name and date of birth: the same child's episodes find each other, and
    two children who share a surname and a birthday do not."""
    if not first_name or not last_name or not date_of_birth:
        return None
    return keyring.blind_index("missing-child", f"{first_name}|{last_name}|{date_of_birth}")


def _episodes_before(session: Session, index: str, went: dt.datetime, window: dt.timedelta) -> int:
    """This child's episodes in the window ending at `went`, the one at `went` included."""
    return session.scalar(
        select(func.count()).select_from(MissingEpisode)
        .where(MissingEpisode.child_index == index, MissingEpisode.went_missing_at > went - window,
               MissingEpisode.went_missing_at <= went)) or 0


def receive_episode(session: Session, item: NotificationIn, *, source: str, actor: str, partner_id: int | None,
                    now: dt.datetime, settings: MissingSettings = DEFAULT_SETTINGS,
                    pending_audit: list[audit.Entry] | None = None, origin: str = "csv",
                    content: str | None = None) -> MissingEpisode:
    """Store an episode (mash.police.receive_notification has checked the reference is new)."""
    child = item.children[0]
    index = child_index(child.first_name, child.last_name, child.date_of_birth)
    earlier = 0
    if index is not None:
        earlier = _episodes_before(session, index, item.occurred_at, settings.strategy_window)
    episode = MissingEpisode(
        police_reference=item.police_reference, origin=origin, content_index=content, source=source,
        partner_id=partner_id, received_at=now,
        first_name=child.first_name, last_name=child.last_name, date_of_birth=child.date_of_birth,
        address=item.address, postcode=item.postcode, summary=item.summary, child_index=index,
        nhs_number=child.nhs_number, upn=child.upn,
        nhs_number_index=nhs_number_index(child.nhs_number) if child.nhs_number else None,
        upn_index=upn_index(child.upn) if child.upn else None,
        went_missing_at=item.occurred_at, episodes_in_window=earlier + 1,
        strategy_flag=earlier + 1 >= settings.strategy_episodes)
    session.add(episode)
    session.flush()
    write_audit(session, pending_audit, audit.Entry("missing.episode_received", actor, at=now, details={
        "episode_id": episode.id, "episodes_in_window": episode.episodes_in_window,
        "strategy_flag": episode.strategy_flag}))
    recount_child(session, episode, settings=settings, actor=actor, now=now, pending_audit=pending_audit)
    if item.returned_at is not None:
        record_return(session, episode, returned_at=item.returned_at, return_kind=item.return_kind or "returned",
                      actor=actor, now=now, settings=settings, pending_audit=pending_audit)
    return episode


def recount_child(session: Session, episode: MissingEpisode, *, settings: MissingSettings, actor: str,
                  now: dt.datetime, pending_audit: list[audit.Entry] | None = None) -> list[int]:
    """An earlier episode arriving late (a backlog in newest-first order) is counted by this child's later
    episodes in the window too: their counts and strategy flags are brought up to date, each change audited."""
    if episode.child_index is None:
        return []
    later = session.scalars(
        select(MissingEpisode)
        .where(MissingEpisode.child_index == episode.child_index, MissingEpisode.id != episode.id,
               MissingEpisode.went_missing_at >= episode.went_missing_at,
               MissingEpisode.went_missing_at < episode.went_missing_at + settings.strategy_window)).all()
    changed = []
    for other in later:  # this episode falls in the window before each of them: one more each
        count = other.episodes_in_window + 1
        other.episodes_in_window = count
        other.strategy_flag = count >= settings.strategy_episodes
        changed.append(other.id)
        write_audit(session, pending_audit, audit.Entry("missing.episodes_recounted", actor, at=now, details={
            "episode_id": other.id, "because_of": episode.id, "episodes_in_window": count,
            "strategy_flag": other.strategy_flag}))
    return changed


def write_audit(session: Session, pending: list[audit.Entry] | None, entry: audit.Entry) -> None:
    """Append now, or leave it for the caller's batch (a CSV import)."""
    if pending is None:
        audit.append(session, [entry])
    else:
        pending.append(entry)


def record_return(session: Session, episode: MissingEpisode, *, returned_at: dt.datetime, return_kind: str,
                  actor: str, now: dt.datetime | None = None, settings: MissingSettings = DEFAULT_SETTINGS,
                  pending_audit: list[audit.Entry] | None = None) -> ReturnInterview:
    """The child is back: the return interview clock starts from the return, not from when we heard."""
    now = now or utcnow()
    if episode.returned_at is not None:
        raise StaffError("This child's return is already recorded")
    if return_kind not in ("found", "returned"):
        raise StaffError("Select whether the child was found or came back")
    if returned_at < episode.went_missing_at:
        raise StaffError("The child cannot have come back before they went missing")
    if returned_at > now + dt.timedelta(minutes=5):
        raise StaffError("The return cannot be in the future")
    episode.returned_at = returned_at
    episode.return_kind = return_kind
    interview = ReturnInterview(episode_id=episode.id,
                                due_at=returned_at + dt.timedelta(hours=settings.interview_hours))
    session.add(interview)
    session.flush()
    write_audit(session, pending_audit, audit.Entry("missing.returned", actor, at=now, details={
        "episode_id": episode.id, "interview_id": interview.id, "due_at": interview.due_at.isoformat()}))
    return interview


# What may follow what: an interview is offered, then accepted or declined; an accepted one is completed.
TRANSITIONS = {"offered": {"due"}, "accepted": {"offered"}, "declined": {"offered"}, "completed": {"accepted"}}


def record_interview_step(session: Session, interview: ReturnInterview, user: StaffUser, *, step: str,
                          at: dt.datetime | None = None, notes: str | None = None,
                          now: dt.datetime | None = None) -> None:
    """Offered, accepted, declined or completed: by whom and when (a time in the past may be given)."""
    now = now or utcnow()
    at = at or now
    if not can(user, "return_interviews"):
        raise StaffError("Only practitioners and managers can record a return interview")
    if step not in TRANSITIONS:
        raise StaffError("Choose offered, accepted, declined or completed")
    if interview.status not in TRANSITIONS[step]:
        raise StaffError(f"An interview that is {STATUSES[interview.status].lower()} cannot be marked {step}")
    if at > now + dt.timedelta(minutes=5):
        raise StaffError("That time is in the future")
    returned_at = interview.episode.returned_at
    if returned_at is not None and at < returned_at.replace(second=0, microsecond=0):  # a form gives minutes
        raise StaffError("That time is before the child came back: the interview follows the return")
    previous = {"offered": None, "accepted": interview.offered_at, "declined": interview.offered_at,
                "completed": interview.responded_at}[step]
    if previous is not None and at < previous:
        raise StaffError("That time is before the step before it")
    if step == "offered":
        interview.offered_at, interview.offered_by_id = at, user.id
    elif step in ("accepted", "declined"):
        interview.responded_at, interview.responded_by_id = at, user.id
    else:
        interview.completed_at, interview.completed_by_id = at, user.id
        if not (notes or "").strip():
            raise StaffError("Enter what the child said, or why nothing was recorded")
    if notes and notes.strip():
        interview.notes = notes.strip()[:10_000]
    interview.status = step
    audit.record(session, event=f"missing.interview_{step}", actor=f"staff:{user.id}", at=now, details={
        "interview_id": interview.id, "episode_id": interview.episode_id, "step_at": at.isoformat(),
        "offered_on_time": interview.offered_at is not None and interview.offered_at <= interview.due_at})


def interviews(session: Session, *, view: str = "open", now: dt.datetime | None = None,
               limit: int = 200, offset: int = 0) -> list[ReturnInterview]:
    """Open tasks soonest-due first (overdue at the top); or the overdue ones; or every task, newest first."""
    now = now or utcnow()
    query = select(ReturnInterview).options(selectinload(ReturnInterview.episode))
    if view == "overdue":
        query = query.where(ReturnInterview.status == "due", ReturnInterview.due_at < now)
    elif view == "open":
        query = query.where(ReturnInterview.status.in_(("due", "offered", "accepted")))
    order = ReturnInterview.due_at.desc() if view == "all" else ReturnInterview.due_at
    return list(session.scalars(query.order_by(order, ReturnInterview.id).offset(offset).limit(limit)))


def overdue_count(session: Session, now: dt.datetime) -> int:
    """Interviews not yet offered whose 72 hours have passed: the dashboard's figure."""
    return session.scalar(select(func.count()).select_from(ReturnInterview)
                          .where(ReturnInterview.status == "due", ReturnInterview.due_at < now)) or 0


def episodes_awaiting_return(session: Session, limit: int = 200) -> list[MissingEpisode]:
    return list(session.scalars(select(MissingEpisode).where(MissingEpisode.returned_at.is_(None))
                                .order_by(MissingEpisode.went_missing_at.desc()).limit(limit)))
