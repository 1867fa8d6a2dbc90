"""The Children in Need census: the referral-level items, straight from what intake and the decision captured.

One row per contact received in the date range (inclusive, London dates): its reference, the date it came in,
the ReferralSource code recorded at intake, and — once a manager has signed the decision off — the ReferralNFA
flag and the primary need code. No names, no dates of birth: the census return is assembled from these codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import Contact, Decision

COLUMNS = ("reference", "ReferralDate", "ReferralSource", "ReferralNFA", "PrimaryNeedCode")
AUDIT_EVENT = "export.cin"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> dt.date:
    """A YYYY-MM-DD date, or ValueError with a message for the person who typed it."""
    text = (text or "").strip()
    if _ISO_DAY.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text} is not a real date") from None
    raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD, for example 2026-11-30")


def local_range(start: dt.date, end: dt.date, calendar: WorkingCalendar = DEFAULT_CALENDAR
                ) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of `start` to the start of the day after `end`, in the calendar's zone."""
    if start > end:
        raise ValueError("the start date is after the end date")
    opens = dt.datetime.combine(start, dt.time(0), tzinfo=calendar.tz)
    closes = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=calendar.tz)
    return opens, closes


def cin_referrals(session: Session, start: dt.date, end: dt.date,
                  calendar: WorkingCalendar = DEFAULT_CALENDAR) -> list[dict[str, str]]:
    """The census rows for contacts received from `start` to `end` inclusive, oldest first."""
    opens, closes = local_range(start, end, calendar)
    # The latest signed-off decision of each contact (there is normally one: a returned decision is not counted).
    signed_off = (select(func.max(Decision.id))
                  .where(Decision.contact_id == Contact.id, Decision.status == "signed_off")
                  .correlate(Contact).scalar_subquery())
    rows = session.execute(
        select(Contact.reference, Contact.received_at, Contact.referral_source, Decision.nfa, Decision.primary_need)
        .select_from(Contact)
        .outerjoin(Decision, Decision.id == signed_off)
        .where(Contact.received_at >= opens, Contact.received_at < closes)
        .order_by(Contact.received_at, Contact.id)
    ).all()
    return [
        {
            "reference": row.reference,
            "ReferralDate": row.received_at.astimezone(calendar.tz).date().isoformat(),
            "ReferralSource": row.referral_source or "",
            "ReferralNFA": "" if row.nfa is None else ("1" if row.nfa else "0"),
            "PrimaryNeedCode": row.primary_need or "",
        }
        for row in rows
    ]


def write_csv(rows: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    """Write the rows with a header line; returns how many rows were written."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def record_export(session: Session, start: dt.date, end: dt.date, rows: int, *, actor: str = "system:cli") -> None:
    """The audit event for an export: the range and how many rows left the system, never what they were."""
    audit.record(session, event=AUDIT_EVENT, actor=actor,
                 details={"from": start.isoformat(), "to": end.isoformat(), "rows": rows})
