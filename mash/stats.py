"""The dashboard's figures: counts only, never anyone's details, each one aggregated in SQL.

Every function takes the session and `now` (and the working calendar where a local day matters), so a test can
pin the clock. Nothing here loads a Contact row: at 100,000 contacts the database does the counting.

Local days: a contact received at 00:30 on a summer night in London belongs to that London day, not to the
UTC day before. Rather than a per-dialect date function (SQLite has no time zones), a day is found by comparing
`received_at` with the UTC instants at which each local day starts, in one CASE expression: exact across
daylight-saving changes, identical on SQLite and PostgreSQL, and it keeps the range filter index-friendly.

At 100,000 contacts (issue 15) each figure is read from an index where it can be: a day's contacts by channel
from (received_at, channel), one range per day; the open queue's age from (received_at) over open contacts, as
counts of ranges; overdue from (decision_due_at, id, status) over open contacts; decisions from the decisions
themselves, joined to their contacts, rather than every contact joined to its decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import CHANNELS, Contact, Decision, RepeatMatch
from mash.outcomes import OUTCOMES

PER_DAY_DAYS = 14
RECENT = dt.timedelta(days=30)
DAY = dt.timedelta(days=1)
# (key, label, younger than): the age of an open contact since it was received. Each bucket starts where the one
# before ends, so exactly 24 hours old is "1 to 2 days" and exactly 5 days old is "over 5 days".
AGE_BUCKETS: tuple[tuple[str, str, dt.timedelta | None], ...] = (
    ("under_1", "Under 1 day", DAY),
    ("1_to_2", "1 to 2 days", 2 * DAY),
    ("2_to_5", "2 to 5 days", 5 * DAY),
    ("over_5", "Over 5 days", None),
)
LEVELS = (1, 2, 3, 4)


def local_day_starts(first: dt.date, days: int, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> list[dt.datetime]:
    """The instants (in UTC) at which each of `days` local days from `first` begins, plus the end of the last."""
    return [dt.datetime.combine(first + dt.timedelta(days=n), dt.time(0), tzinfo=calendar.tz).astimezone(dt.UTC)
            for n in range(days + 1)]


def local_day_index(column: ColumnElement[Any] | InstrumentedAttribute[Any],
                    starts: list[dt.datetime]) -> ColumnElement[int]:
    """0 for the first local day in `starts`, 1 for the next...: rows must already be filtered to the range."""
    whens = [(column >= start, index) for index, start in reversed(list(enumerate(starts[:-1])))]
    return case(*whens, else_=-1)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# 1. Contacts received per day, by channel ------------------------------------------------------------------


@dataclass(frozen=True)
class DayCounts:
    day: dt.date
    by_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def contacts_per_day(session: Session, now: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR, *,
                     days: int = PER_DAY_DAYS) -> list[DayCounts]:
    """Contacts received on each of the last `days` local days (today included), by channel, oldest first.

    Every day and every known channel appears, with 0 where nothing came in; an unknown channel is kept too."""
    today = now.astimezone(calendar.tz).date()
    first = today - dt.timedelta(days=days - 1)
    starts = local_day_starts(first, days, calendar)
    # One range per day, each read from the (received_at, channel) index alone: a CASE of fourteen comparisons on
    # every row cost more than the counting.
    rows = session.execute(union_all(*(
        select(literal(n).label("day_index"), Contact.channel, func.count())
        .where(Contact.received_at >= starts[n], Contact.received_at < starts[n + 1]).group_by(Contact.channel)
        for n in range(days)))).all()
    channels = list(CHANNELS) + sorted({r.channel for r in rows} - set(CHANNELS))
    table = [DayCounts(first + dt.timedelta(days=n), dict.fromkeys(channels, 0)) for n in range(days)]
    for index, channel, count in rows:
        if 0 <= index < days:
            table[index].by_channel[channel] += count
    return table


# 2. Decided within one working day ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeliness:
    received: int  # contacts received in the window
    decided: int  # ...of which a decision has been recorded
    on_time: int  # ...of which the first decision was recorded by the contact's decision_due_at

    @property
    def late(self) -> int:
        return self.decided - self.on_time

    @property
    def undecided(self) -> int:
        return self.received - self.decided

    @property
    def share_on_time(self) -> float | None:
        """Of the contacts with a decision, the share decided within 1 working day (None when none is decided)."""
        return _share(self.on_time, self.decided)


def decision_timeliness(session: Session, now: dt.datetime, *, window: dt.timedelta = RECENT) -> Timeliness:
    """Contacts received in the last `window`: how many have a decision, and how many had it by their due time.

    A contact's decision time is its first recorded Decision (whatever became of it at sign-off); "within 1
    working day" means that time is at or before the contact's decision_due_at, which intake set to one working
    day after receipt."""
    in_window = (Contact.received_at >= now - window, Contact.received_at <= now)
    received = session.scalar(select(func.count()).select_from(Contact).where(*in_window)) or 0
    per_contact = (  # from the decisions, so undecided contacts are counted, not joined
        select(Contact.decision_due_at.label("due"), func.min(Decision.decided_at).label("first_decided"))
        .select_from(Decision)
        .join(Contact, Decision.contact_id == Contact.id)
        .where(*in_window)
        .group_by(Decision.contact_id, Contact.decision_due_at)
        .subquery()
    )
    decided, on_time = session.execute(
        select(func.count(),
               func.coalesce(func.sum(case((per_contact.c.first_decided <= per_contact.c.due, 1), else_=0)), 0))
    ).one()
    return Timeliness(received=received, decided=decided, on_time=int(on_time))


# 3 and 4. The open queue: its age, and what is overdue ----------------------------------------------------------


@dataclass(frozen=True)
class QueueAge:
    buckets: dict[str, int]  # AGE_BUCKETS key -> open contacts

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    def rows(self) -> list[tuple[str, int]]:
        return [(label, self.buckets[key]) for key, label, _ in AGE_BUCKETS]


def queue_age(session: Session, now: dt.datetime) -> QueueAge:
    """Open contacts (closed_at not set) by the time since they were received (24-hour days, not working days):
    under 1 day, 1 to 2, 2 to 5, over 5. Contacts awaiting sign-off are open and counted."""
    # Open contacts received after each bucket's edge, and all of them: counts of ranges of one index over open
    # contacts (received_at), each bucket the difference of two.
    edges = [younger_than for _, _, younger_than in AGE_BUCKETS if younger_than is not None]
    counts = [select(func.count()).select_from(Contact)
              .where(Contact.closed_at.is_(None), Contact.received_at > now - edge).scalar_subquery()
              for edge in edges]
    counts.append(select(func.count()).select_from(Contact).where(Contact.closed_at.is_(None)).scalar_subquery())
    cumulative = list(session.execute(select(*counts)).one())
    buckets = {key: cumulative[0] if i == 0 else cumulative[i] - cumulative[i - 1]
               for i, (key, _, _) in enumerate(AGE_BUCKETS)}
    return QueueAge(buckets)


def overdue_condition(now: dt.datetime) -> ColumnElement[bool]:
    """The queue's own "overdue" filter: open, past its decision time, and not waiting for a manager."""
    return and_(Contact.closed_at.is_(None), Contact.decision_due_at < now, Contact.status != "awaiting_signoff")


def overdue_count(session: Session, now: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(Contact).where(overdue_condition(now))) or 0


# 5. Re-referrals ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReReferrals:
    received: int  # contacts received in the window
    repeats: int  # ...of which at least one earlier contact is a confirmed match

    @property
    def first_time(self) -> int:
        return self.received - self.repeats

    @property
    def rate(self) -> float | None:
        return _share(self.repeats, self.received)


def re_referrals(session: Session, now: dt.datetime, *, window: dt.timedelta = RECENT) -> ReReferrals:
    """Contacts received in the last `window`, and how many a practitioner confirmed as a re-referral."""
    in_window = (Contact.received_at >= now - window, Contact.received_at <= now)
    received = session.scalar(select(func.count()).select_from(Contact).where(*in_window)) or 0
    # From the confirmed matches, joined to their contacts: not a test of every contact in the window.
    repeats = session.scalar(
        select(func.count(func.distinct(RepeatMatch.contact_id)))
        .join(Contact, RepeatMatch.contact_id == Contact.id)
        .where(RepeatMatch.status == "confirmed", *in_window)) or 0
    return ReReferrals(received=received, repeats=int(repeats))


# 6. Outcomes by level --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeLevels:
    counts: dict[str, dict[int, int]]  # outcome -> level -> signed-off decisions

    @property
    def total(self) -> int:
        return sum(self.outcome_total(outcome) for outcome in self.counts)

    def outcome_total(self, outcome: str) -> int:
        return sum(self.counts[outcome].values())

    def level_total(self, level: int) -> int:
        return sum(levels.get(level, 0) for levels in self.counts.values())


def outcomes_by_level(session: Session, *, since: dt.datetime | None = None) -> OutcomeLevels:
    """Signed-off decisions by outcome and level of need (all of them, or those signed off since `since`).

    Returned decisions and those still awaiting sign-off are not counted: only what a manager agreed."""
    query = (select(Decision.outcome, Decision.level, func.count())
             .where(Decision.status == "signed_off").group_by(Decision.outcome, Decision.level))
    if since is not None:
        query = query.where(Decision.reviewed_at >= since)
    counts: dict[str, dict[int, int]] = {outcome: dict.fromkeys(LEVELS, 0) for outcome in OUTCOMES}
    for outcome, level, count in session.execute(query).all():
        counts.setdefault(outcome, dict.fromkeys(LEVELS, 0))
        counts[outcome][level] = counts[outcome].get(level, 0) + count
    return OutcomeLevels(counts)


# Everything, for the page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    now: dt.datetime
    per_day: list[DayCounts]
    timeliness: Timeliness
    queue_age: QueueAge
    overdue: int
    re_referrals: ReReferrals
    outcomes: OutcomeLevels

    @property
    def channels(self) -> list[str]:
        return list(self.per_day[0].by_channel) if self.per_day else list(CHANNELS)


def dashboard(session: Session, now: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> Dashboard:
    per_day = contacts_per_day(session, now, calendar)
    return Dashboard(
        now=now, per_day=per_day, timeliness=decision_timeliness(session, now), queue_age=queue_age(session, now),
        overdue=overdue_count(session, now), re_referrals=re_referrals(session, now),
        outcomes=outcomes_by_level(session),
    )


# 7. Police notifications, return home interviews and out-of-hours handovers (issue 6) ---------------------------


@dataclass(frozen=True)
class PoliceFigures:
    notifications: int  # domestic abuse notifications received in the window
    missing_episodes: int  # missing-child episodes received in the window
    rag: dict[str, int]  # the notifications' current RAG (after any grade change)
    triaged: int  # ...whose triage meeting is recorded
    triaged_on_time: int  # ...held by the RAG clock's due time
    untriaged_overdue: int  # received in the window, no meeting yet, already past the due time: late
    open_overdue: int  # every open notification past its due time, whenever received
    interviews_due: int  # return interviews whose 72 hours ended in the window
    interviews_on_time: int  # ...offered within the 72 hours
    interviews_overdue: int  # every interview not offered and past its 72 hours, whenever due
    handovers_waiting: int  # handovers not yet taken by the day team
    handovers_overdue: int  # ...of which past 09:00 of their working day

    @property
    def untriaged(self) -> int:
        return self.notifications - self.triaged

    @property
    def share_triaged_on_time(self) -> float | None:
        """Of the notifications whose time is up or that were triaged, the share triaged in time."""
        return _share(self.triaged_on_time, self.triaged + self.untriaged_overdue)

    @property
    def share_interviews_on_time(self) -> float | None:
        return _share(self.interviews_on_time, self.interviews_due)


def police_figures(session: Session, now: dt.datetime, *, window: dt.timedelta = RECENT) -> PoliceFigures:
    """Counts for the dashboard, each one aggregated in SQL: nobody's details are read."""
    from mash.models import DomesticAbuseNotification as DA
    from mash.models import Handover, MissingEpisode, ReturnInterview, TriageMeeting

    since = now - window
    rag_rows = session.execute(select(DA.rag, func.count()).where(DA.received_at >= since, DA.received_at <= now)
                               .group_by(DA.rag)).all()
    rag = {"red": 0, "amber": 0, "green": 0} | {r: n for r, n in rag_rows}
    # Triage is on time when the meeting was held (its held_at, not when it was typed in) by the RAG clock's due
    # time. A notification still waiting for its meeting and already past that time is late too: leaving it out
    # would make a backlog look punctual.
    triaged, on_time = session.execute(
        select(func.count(TriageMeeting.id),
               func.coalesce(func.sum(case((TriageMeeting.held_at <= DA.due_at, 1), else_=0)), 0))
        .select_from(DA).join(TriageMeeting, TriageMeeting.notification_id == DA.id)
        .where(DA.received_at >= since, DA.received_at <= now)).one()
    untriaged_overdue = session.scalar(
        select(func.count()).select_from(DA)
        .where(DA.received_at >= since, DA.received_at <= now, DA.due_at < now,
               ~select(TriageMeeting.id).where(TriageMeeting.notification_id == DA.id).exists())) or 0
    open_overdue = session.scalar(select(func.count()).select_from(DA)
                                  .where(DA.closed_at.is_(None), DA.triaged_at.is_(None), DA.due_at < now)) or 0
    missing = session.scalar(select(func.count()).select_from(MissingEpisode)
                             .where(MissingEpisode.received_at >= since, MissingEpisode.received_at <= now)) or 0
    # An interview counts once its 72 hours are over (or it was offered sooner): only then is it on time or late.
    finished = (ReturnInterview.due_at <= now) | (ReturnInterview.offered_at.is_not(None))
    due, offered_on_time = session.execute(
        select(func.count(), func.coalesce(func.sum(case((ReturnInterview.offered_at <= ReturnInterview.due_at, 1),
                                                         else_=0)), 0))
        .where(ReturnInterview.due_at >= since, finished)).one()
    interviews_overdue = session.scalar(select(func.count()).select_from(ReturnInterview)
                                        .where(ReturnInterview.status == "due", ReturnInterview.due_at < now)) or 0
    waiting, handovers_overdue = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Handover.due_at < now, 1), else_=0)), 0))
        .where(Handover.status != "acknowledged")).one()
    return PoliceFigures(
        notifications=sum(rag.values()), missing_episodes=missing, rag=rag, triaged=triaged,
        triaged_on_time=int(on_time), untriaged_overdue=untriaged_overdue, open_overdue=open_overdue,
        interviews_due=due,
        interviews_on_time=int(offered_on_time), interviews_overdue=interviews_overdue, handovers_waiting=waiting,
        handovers_overdue=int(handovers_overdue))
