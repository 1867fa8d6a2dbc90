"""The CSV upload: each row in the API's JSON shape, checked by the same validator, stored in batches."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.police.clocks import DEFAULT_SETTINGS, PoliceSettings
from mash.police.contract import NotificationError, ReferenceConflict, receive_notification, validate
from store.db import utcnow

CSV_COLUMNS = ("kind", "police_reference", "occurred_at", "returned_at", "return_kind", "address", "postcode",
               "adults", "children", "dash_grade", "dash_ticks", "school_informed", "summary")


# --- CSV -----------------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0  # a resend that recorded a missing child's return
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message): never the row's data

    def summary(self) -> str:
        updated = f"{self.updated} updated with a return, " if self.updated else ""
        return (f"{self.created} notifications added, {updated}{self.duplicates} already held, "
                f"{len(self.errors)} rows refused")


def _split(cell: str | None) -> list[list[str]]:
    """'Amy|Smith|2016-04-01|witnessed; Ben|Smith|2019-02-03|present' -> [[Amy, Smith, ...], [...]]."""
    return [[part.strip() for part in entry.split("|")] for entry in (cell or "").split(";") if entry.strip()]


def row_to_data(row: dict[str, str | None]) -> dict[str, Any]:
    """A CSV row in the API's JSON shape, so both are checked by the same `validate`."""
    data: dict[str, Any] = {k: (v or "").strip() or None for k, v in row.items() if k in CSV_COLUMNS}
    children = []
    for parts in _split(row.get("children")):
        parts += [""] * (4 - len(parts))
        how = {p.lower() for p in parts[3].replace(",", " ").split()}
        children.append({"first_name": parts[0] or None, "last_name": parts[1] or None,
                         "date_of_birth": parts[2] or None, "present": "present" in how or not how,
                         "witnessed": "witnessed" in how})
    data["children"] = children
    data["adults"] = [{"name": p[0], "role": p[1] if len(p) > 1 else ""} for p in _split(row.get("adults"))]
    return data


MULTILINE_COLUMNS = {"summary"}  # the officer's words may run over several lines; nothing else may


def _records(lines: list[str]) -> Iterable[tuple[int, list[str] | None, str | None]]:
    """(the line a record starts on, its cells, or why it was refused) for each record after the header.

    An unbalanced quote must not swallow the good rows after it, nor a runaway quote stop the file: a record
    that breaks the CSV rules, or runs a field other than the summary over a line end, is refused by the line it
    starts on, and reading starts again on the next line."""
    header: list[str] | None = None
    multiline: set[int] = set()
    position = 0  # index into lines of the next record's first line
    while position < len(lines):
        reader = csv.reader(itertools.islice(lines, position, None), strict=True)
        base = position
        consumed = 0
        try:
            for cells in reader:
                start = base + consumed  # 0-based index of this record's first line
                consumed = reader.line_num
                position = base + consumed
                if not cells:
                    continue  # a blank line
                if header is None:
                    header = [c.strip() for c in cells]
                    multiline = {i for i, name in enumerate(header) if name in MULTILINE_COLUMNS}
                    yield start + 1, header, None
                    continue
                if any(("\n" in c or "\r" in c) for i, c in enumerate(cells) if i not in multiline):
                    position = start + 1
                    yield (start + 1, None, "a quote is not closed, or a field other than the summary runs over a "
                                            "line end; this row was skipped and reading went on from the next line")
                    break
                yield start + 1, cells, None
            else:
                return
        except csv.Error:
            start = base + consumed
            position = start + 1
            yield start + 1, None, ("the row breaks the CSV quoting rules (a quote not closed, or text after a "
                                    "closing quote); it was skipped")


def _begin_for_savepoints(session: Session) -> None:
    """SQLite's driver begins a transaction only before a write, so a SAVEPOINT issued first would start one of its
    own, and releasing it would commit each row alone. Begin first, so the batch commits together."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")


def import_csv(session: Session, lines: Iterable[str], *, source: str, actor: str, now: dt.datetime | None = None,
               calendar: WorkingCalendar = DEFAULT_CALENDAR, settings: PoliceSettings = DEFAULT_SETTINGS,
               missing_settings: Any = None, batch: int = 500) -> ImportReport:
    """Load every good row, committing in batches; a bad row is reported by its line number and skipped.

    Each row is stored in its own savepoint: a row that collides with a copy stored at the same moment (the
    same reference posted to the API, or another upload) is counted as already held, not a failed import."""
    now = now or utcnow()
    report = ImportReport()
    records = iter(_records(list(lines)))
    first = next(records, None)
    header = first[1] if first is not None and first[1] is not None else []
    if not {"kind", "police_reference"} <= set(header):
        report.errors.append((1, "the header row must name the columns: " + ", ".join(CSV_COLUMNS)))
        return report
    pending, events = 0, []
    for line, cells, problem in records:
        if cells is None:
            report.errors.append((line, problem or "the row could not be read"))
            continue
        if len(cells) > len(header):
            report.errors.append((line, "the row has more cells than the header"))
            continue
        row: dict[str, str | None] = dict(zip(header, cells, strict=False))
        try:
            item = validate(row_to_data(row), now=now, calendar=calendar)
        except NotificationError as exc:
            report.errors.append((line, str(exc)))
            continue
        row_events: list[audit.Entry] = []
        _begin_for_savepoints(session)
        try:
            with session.begin_nested():
                stored = receive_notification(session, item, source=source, actor=actor, now=now,
                                              calendar=calendar, settings=settings,
                                              missing_settings=missing_settings, pending_audit=row_events)
        except ReferenceConflict as exc:
            report.errors.append((line, exc.message))
            continue
        except IntegrityError:  # stored at the same moment by someone else: held, not lost
            report.duplicates += 1
            continue
        events += row_events
        if stored.created:
            report.created += 1
            pending += 1
        elif stored.updated:
            report.updated += 1
            pending += 1
        else:
            report.duplicates += 1
        if pending >= batch:
            audit.append(session, events)  # the batch's events, in order, with one bump of the chain's head
            events = []
            session.commit()
            session.expunge_all()  # a 10,000-row file must not keep 10,000 rows in memory
            pending = 0
    audit.append(session, [*events, audit.Entry("police.csv_imported", actor, at=now, details={
        "created": report.created, "updated": report.updated, "duplicates": report.duplicates,
        "refused": len(report.errors)})])
    session.commit()
    return report


def read_upload(data: bytes) -> io.StringIO:
    """An uploaded file as text: UTF-8 with or without the byte-order mark Excel writes."""
    return io.StringIO(data.decode("utf-8-sig"), newline="")
