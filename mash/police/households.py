"""Addresses and households: one spelling of an address, the household's notifications in 12 months (recounted
when an earlier one arrives late), and the open contact about one of the children (first name, last name and date
of birth)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, load_only

from mash import audit
from mash.clock import WorkingCalendar
from mash.missing import write_audit
from mash.models import (
    RAG_ORDER,
    Child,
    Contact,
    DomesticAbuseChild,
    DomesticAbuseNotification,
)
from mash.police.clocks import DEFAULT_SETTINGS, PoliceSettings, due_for, marac_flags_for, rag_for
from store.crypto import keyring, normalise_for_index

if TYPE_CHECKING:
    from mash.police.contract import ChildIn


ADDRESS_WORDS = {
    "street": "st", "str": "st", "saint": "st", "road": "rd", "avenue": "ave", "av": "ave", "lane": "ln",
    "drive": "dr", "close": "cl", "court": "ct", "crescent": "cres", "place": "pl", "square": "sq",
    "terrace": "terr", "ter": "terr", "gardens": "gdns", "grove": "gr", "park": "pk", "parade": "pde",
    "way": "wy", "walk": "wk", "mews": "mws", "hill": "hl", "house": "ho", "cottages": "cotts",
    "apartment": "flat", "apt": "flat", "north": "n", "south": "s", "east": "e", "west": "w",
}
_ADDRESS_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")


def normalise_address(address: str) -> str:
    """The whole address in one spelling: case, accents, punctuation and spacing out, common abbreviations unified
    ("Flat 2, 10 High Street" -> "flat 2 10 high st"). Word boundaries are kept, so flat 2 of number 10 is never
    flat 21 of number 0."""
    decomposed = unicodedata.normalize("NFKD", address).casefold()
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(ADDRESS_WORDS.get(token, token) for token in _ADDRESS_TOKEN.findall(plain))


def household_index(address: str | None, postcode: str | None) -> str | None:
    """The same front door: the whole normalised address with the postcode (never only the first line: "Flat 2,
    10 High St" and "Flat 2, 14 High St" are different homes)."""
    if not address or not postcode:
        return None
    key = f"{normalise_address(address)}|{normalise_for_index(postcode)}"
    # blind_index drops spaces and punctuation; hex keeps the word boundaries through it.
    return keyring.blind_index("household", key.encode().hex())


def _child_indexes(child: ChildIn) -> tuple[str | None, str | None, str | None]:
    # The same kinds as mash.intake's Child rows, so a police child can be matched to a referred one.
    first = keyring.blind_index("name", child.first_name) if child.first_name else None
    last = keyring.blind_index("name", child.last_name) if child.last_name else None
    dob = keyring.blind_index("dob", child.date_of_birth) if child.date_of_birth else None
    return first, last, dob


def child_keys(children: Iterable[Any]) -> list[tuple[str, str, str]]:
    """The strong keys of these children: first name, last name and date of birth, all three known."""
    return [(c.first_name_index, c.last_name_index, c.date_of_birth_index) for c in children
            if c.first_name_index and c.last_name_index and c.date_of_birth_index]


def _same_child(model: Any, keys: list[tuple[str, str, str]]) -> ColumnElement[bool]:
    """Same first name, last name and date of birth: three Smith children born on one day are three children.
    Spelt as ORs of ANDs, not a row-value IN, which SQLite answers by scanning the whole table: this way each
    key is an index search on the date of birth."""
    return or_(*(and_(model.date_of_birth_index == dob, model.last_name_index == last,
                      model.first_name_index == first) for first, last, dob in keys))


def _household_conditions(household: str | None, keys: list[tuple[str, str, str]]) -> list[ColumnElement[bool]]:
    """The same address, or any of the same children."""
    conditions: list[ColumnElement[bool]] = []
    if household:
        conditions.append(DomesticAbuseNotification.household_index == household)
    if keys:
        same_child = select(DomesticAbuseChild.notification_id).where(_same_child(DomesticAbuseChild, keys))
        conditions.append(DomesticAbuseNotification.id.in_(same_child))
    return conditions


def count_household(session: Session, *, household: str | None, child_keys: list[tuple[str, str, str]],
                    occurred_at: dt.datetime, window: dt.timedelta, exclude_id: int | None = None) -> int:
    """Earlier notifications in the window about the same address or any of the same children."""
    conditions = _household_conditions(household, child_keys)
    if not conditions:
        return 0
    query = (select(func.count()).select_from(DomesticAbuseNotification)
             .where(or_(*conditions), DomesticAbuseNotification.occurred_at > occurred_at - window,
                    DomesticAbuseNotification.occurred_at <= occurred_at))
    if exclude_id is not None:
        query = query.where(DomesticAbuseNotification.id != exclude_id)
    return session.scalar(query) or 0


def recount_household(session: Session, notification: DomesticAbuseNotification, *, calendar: WorkingCalendar,
                      settings: PoliceSettings, actor: str, now: dt.datetime,
                      pending_audit: list[audit.Entry] | None = None) -> list[int]:
    """A notification about an earlier incident (a backlog, a file in newest-first order) arrives after later
    ones: every open notification of the household in the 12 months after it is counted again, and its MARAC
    flags, RAG and clock follow. A triaged notification keeps what its meeting saw. A change of MARAC flags is
    audited (`police.household_recounted`); a count that moved without one is not. Returns the ids flagged anew."""
    conditions = _household_conditions(notification.household_index, child_keys(notification.children))
    if not conditions:
        return []
    # "The same household" is symmetric (the same address, or a child in common), and this one falls inside the
    # 12 months before each of these: each count goes up by exactly one. One UPDATE, however many there are.
    affected = and_(or_(*conditions), DomesticAbuseNotification.id != notification.id,
                    DomesticAbuseNotification.closed_at.is_(None),
                    DomesticAbuseNotification.occurred_at >= notification.occurred_at,
                    DomesticAbuseNotification.occurred_at < notification.occurred_at + settings.window)
    session.execute(update(DomesticAbuseNotification).where(affected)
                    .values(household_count=DomesticAbuseNotification.household_count + 1)
                    .execution_options(synchronize_session=False))
    # Only a count that has just reached the call-out criterion can change the flags, the RAG or the clock.
    crossed = session.scalars(
        select(DomesticAbuseNotification).where(affected,
                                                DomesticAbuseNotification.household_count == settings.marac_callouts)
        .execution_options(populate_existing=True)).all()
    changed = []
    for other in crossed:
        count = other.household_count
        flags = marac_flags_for(other.dash_ticks, count, settings)
        if flags == list(other.marac_flags or []):
            continue
        other.marac_flags = flags
        rag = rag_for(other.grade, flags)
        if rag != other.rag:
            other.rag, other.risk_rank = rag, RAG_ORDER[rag]
            other.due_at = due_for(rag, other.received_at, calendar, settings)
        changed.append(other.id)
        write_audit(session, pending_audit, audit.Entry("police.household_recounted", actor, at=now, details={
            "notification_id": other.id, "because_of": notification.id, "household_count": count,
            "marac": other.marac_flags, "rag": other.rag, "due_at": other.due_at.isoformat()}))
    session.flush()
    return changed


def open_contact_for(session: Session, child_keys: list[tuple[str, str, str]],
                     nhs_numbers: Sequence[tuple[str, str | None]] = ()) -> Contact | None:
    """The newest open contact about one of these children (same first name, last name and date of birth; or the
    same NHS number, the strongest evidence there is, unless the dates of birth disagree), if any: a notification
    is routed to a practitioner only on a strong match. `nhs_numbers`: (NHS number index, date of birth index)."""
    if not child_keys and not nhs_numbers:
        return None
    same = [_same_child(Child, child_keys)] if child_keys else []
    for nhs, dob in nhs_numbers:
        same.append(and_(Child.nhs_number_index == nhs, or_(Child.date_of_birth_index.is_(None),
                                                            Child.date_of_birth_index == dob))
                    if dob else Child.nhs_number_index == nhs)
    return session.scalar(
        select(Contact).options(load_only(Contact.id, Contact.reference, Contact.claimed_by_id))
        .join(Child, Child.contact_id == Contact.id)
        .where(or_(*same), Contact.closed_at.is_(None))
        .order_by(Contact.received_at.desc()).limit(1))


def household_history(session: Session, notification: DomesticAbuseNotification,
                      settings: PoliceSettings = DEFAULT_SETTINGS) -> list[DomesticAbuseNotification]:
    """The other notifications about this household in the 12 months before this one, newest first."""
    keys = child_keys(notification.children)
    conditions = []
    if notification.household_index:
        conditions.append(DomesticAbuseNotification.household_index == notification.household_index)
    if keys:
        conditions.append(DomesticAbuseNotification.id.in_(
            select(DomesticAbuseChild.notification_id).where(_same_child(DomesticAbuseChild, keys))))
    if not conditions:
        return []
    return list(session.scalars(
        select(DomesticAbuseNotification)
        .options(load_only(DomesticAbuseNotification.id, DomesticAbuseNotification.police_reference,
                           DomesticAbuseNotification.occurred_at, DomesticAbuseNotification.grade,
                           DomesticAbuseNotification.dash_ticks, DomesticAbuseNotification.status))
        .where(or_(*conditions), DomesticAbuseNotification.id != notification.id,
               and_(DomesticAbuseNotification.occurred_at > notification.occurred_at - settings.window,
                    DomesticAbuseNotification.occurred_at <= notification.occurred_at))
        .order_by(DomesticAbuseNotification.occurred_at.desc()).limit(50)))
