"""The MASH queue: open contacts by risk, then by due time — never first come, first served.

Pages are keyset-paginated on (risk, due, id), the order of a partial index over open contacts, so the
hundredth page costs what the first does; sorted by deadline or by waiting time, on partial indexes of their own.

The count of each colour under the page's filters is read from one more partial index (ix_contacts_open_counts,
which holds every column a filter reads) and stops at COUNT_CAP: past it the page says "1,000+". A full count
would read every open contact on every page, whatever the filters: at 80,000 open contacts that was a third of a
second, where the capped one costs what it does at 800.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session, load_only, selectinload

from mash.models import DANGER_NOW_RANK, RAG_ORDER, Child, Contact, StaffUser
from store.db import utcnow

PAGE_SIZE = 50
COUNT_CAP = 1000
FILTERS = {"all": "All open", "mine": "Mine", "unclaimed": "Unclaimed", "overdue": "Overdue",
           "awaiting_signoff": "Awaiting sign-off"}


@dataclass(frozen=True)
class Cursor:
    risk_rank: int
    due: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{self.risk_rank}.{int(self.due.timestamp() * 1_000_000)}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything malformed: a bad cursor shows the first page rather than an error."""
        try:
            rank, micros, ident = (int(part) for part in (text or "").split(".") if len(part) <= 20)
            if not (-1 <= rank <= 9 and 0 < ident < 2**62 and 0 <= micros < 32503680000 * 1_000_000):
                return None
            return cls(rank, dt.datetime.fromtimestamp(micros / 1_000_000, dt.UTC), ident)
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True)
class Filters:
    """What a duty worker narrows the queue to (issue 15), each kept in the page's URL. Empty means any."""

    colour: str = ""  # danger (danger now) | red (danger now too: the most urgent red) | amber | green
    channel: str = ""
    kind: str = ""  # concern | early_help
    status: str = ""
    worker: str = ""  # me | unclaimed | a staff id
    overdue: bool = False
    sort: str = "risk"  # risk (then due) | due | waiting (longest first)


COLOURS = {"danger": "Danger now", "red": "Red", "amber": "Amber", "green": "Green"}
# The colour filter's choices: a danger-now contact is rated red (its page's badge says RED), so "Red" finds it too.
COLOUR_CHOICES = {**COLOURS, "red": "Red (with danger now)"}
# Who can hold (claim) a contact, and so is worth filtering the queue by: mash.staff.can(user, "screen").
HOLDING_ROLES = ("practitioner", "manager")
# Every channel a contact can come by (mash.models.CHANNELS): an out-of-hours call is a phone contact.
CHANNELS = {"web": "Web", "sms": "Text message", "chat": "Web chat", "phone": "Phone (out-of-hours call)",
            "police": "Police"}
KINDS = {"concern": "Concern", "early_help": "Early help request"}
STATUSES = {"new": "New", "in_screening": "In screening", "awaiting_signoff": "Awaiting sign-off"}
SORTS = {"risk": "Risk, then deadline", "due": "Deadline", "waiting": "Longest waiting"}


class AtLeast(int):
    """A count that stopped at COUNT_CAP: it reads "1,000+" on the page and compares as the number it reached."""

    def __str__(self) -> str:
        return f"{int(self):,}+"


COLOUR_RANKS = {"danger": DANGER_NOW_RANK, **RAG_ORDER}


@dataclass(frozen=True)
class QueuePage:
    contacts: list[Contact]
    next_cursor: str | None
    colour_counts: dict[str, int] = field(default_factory=dict)


def _sort_keys(sort: str) -> tuple[Any, ...]:
    if sort == "due":
        return (Contact.decision_due_at, Contact.id)
    if sort == "waiting":
        return (Contact.received_at, Contact.id)
    return (Contact.risk_rank, Contact.decision_due_at, Contact.id)


def _encode(contact: Contact, sort: str) -> str:
    if sort == "risk":
        return Cursor(contact.risk_rank, contact.decision_due_at, contact.id).encode()
    moment = contact.decision_due_at if sort == "due" else contact.received_at
    return f"{sort[0]}.{int(moment.timestamp() * 1_000_000)}.{contact.id}"


def _decode(text: str | None, sort: str) -> tuple[Any, ...] | None:
    if sort == "risk":
        cursor = Cursor.decode(text)
        return None if cursor is None else (cursor.risk_rank, cursor.due, cursor.id)
    prefix, _, rest = (text or "").partition(".")
    decoded = Cursor.decode("0." + rest) if prefix == sort[0] else None
    return None if decoded is None else (decoded.due, decoded.id)


def _filtered(query: Any, user: StaffUser, filters: Filters, now: dt.datetime, *, colour: bool = True) -> Any:
    # A colour is its rank (intake sets risk_rank from the RAG, and danger now outranks red), so the indexes that
    # lead with risk_rank find one colour's contacts without reading the others. Red takes in danger now: a
    # danger-now contact is rated red, and a duty worker filtering to red expects to see it first.
    if colour and filters.colour == "red":
        query = query.where(Contact.risk_rank.between(DANGER_NOW_RANK, RAG_ORDER["red"]))
    elif colour and filters.colour in COLOUR_RANKS:
        query = query.where(Contact.risk_rank == COLOUR_RANKS[filters.colour])
    if filters.channel:
        query = query.where(Contact.channel == filters.channel)
    if filters.kind:
        query = query.where(Contact.kind == filters.kind)
    if filters.status:
        query = query.where(Contact.status == filters.status)
    if filters.worker == "me":
        query = query.where(Contact.claimed_by_id == user.id, Contact.claim_expires_at > now)
    elif filters.worker == "unclaimed":
        query = query.where(Contact.status != "awaiting_signoff",
                            or_(Contact.claimed_by_id.is_(None), Contact.claim_expires_at <= now))
    elif filters.worker.isdigit():
        query = query.where(Contact.claimed_by_id == int(filters.worker), Contact.claim_expires_at > now)
    if filters.overdue:
        query = query.where(Contact.decision_due_at < now, Contact.status != "awaiting_signoff")
    return query


VIEWS = {"mine": Filters(worker="me"), "unclaimed": Filters(worker="unclaimed"), "overdue": Filters(overdue=True),
         "awaiting_signoff": Filters(status="awaiting_signoff")}


def queue_page(session: Session, user: StaffUser, *, view: str = "all", after: str | None = None,
               now: dt.datetime | None = None, size: int | None = None, filters: Filters | None = None) -> QueuePage:
    """One page of open contacts, with the count of each colour under the same filters (but any colour).
    `view` names a set of filters (the page's tabs, VIEWS); `filters`, when given, is used instead."""
    now = now or utcnow()
    size = size or PAGE_SIZE
    filters = filters or VIEWS.get(view, Filters())
    sort = filters.sort if filters.sort in SORTS else "risk"
    query = _filtered(select(Contact).where(Contact.closed_at.is_(None)), user, filters, now)
    keys = _sort_keys(sort)
    position = _decode(after, sort)
    if position is not None:
        query = query.where(tuple_(*keys) > tuple_(*position))
    # Only the columns the queue shows; of the children, only the first name and date of birth are decrypted.
    columns = load_only(Contact.id, Contact.reference, Contact.kind, Contact.channel, Contact.status, Contact.rag,
                        Contact.risk_rank, Contact.received_at, Contact.decision_due_at, Contact.claimed_by_id,
                        Contact.claim_expires_at, Contact.concern_categories, Contact.concern_categories_read,
                        Contact.safety_flags, Contact.version, Contact.referral_source, Contact.referrer_type)
    children = selectinload(Contact.children).load_only(Child.position, Child.unborn, Child.first_name, Child.age_said,
                                                        Child.date_of_birth)
    rows = session.scalars(query.order_by(*keys).options(columns, children, selectinload(Contact.claimed_by))
                           .limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    return QueuePage(list(rows), _encode(rows[-1], sort) if more else None, colour_counts(session, user, filters, now))


def colour_counts(session: Session, user: StaffUser, filters: Filters, now: dt.datetime) -> dict[str, int]:
    """Open contacts of each colour under `filters` (whatever colour they choose), each counted up to COUNT_CAP,
    in one statement: per colour, the rows of the counting index up to the cap. Red counts danger now too, as
    the red filter finds them; "danger" is those alone."""
    counts = []
    # channel is never NULL, so `channel >= ''` leaves nothing out: it gives SQLite's planner a second column of
    # the counting index to use, and it then reads that index alone rather than the queue's and every row.
    channel = [] if filters.channel else [Contact.channel >= ""]
    for rank in COLOUR_RANKS.values():
        capped = _filtered(select(Contact.risk_rank).where(Contact.closed_at.is_(None), Contact.risk_rank == rank,
                                                           *channel),
                           user, filters, now, colour=False).limit(COUNT_CAP + 1).subquery()
        counts.append(select(func.count()).select_from(capped).scalar_subquery())
    values = session.execute(select(*counts)).one()
    found: dict[str, int] = {key: AtLeast(COUNT_CAP) if n > COUNT_CAP else n
                             for key, n in zip(COLOUR_RANKS, values, strict=True)}
    red = found["danger"] + found["red"]
    found["red"] = AtLeast(red) if any(isinstance(found[k], AtLeast) for k in ("danger", "red")) else red
    return found
