"""The CSV upload: each row in the API's JSON shape, checked by the same validator, stored in batches."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.police.clocks import DEFAULT_SETTINGS, PoliceSettings
from mash.police.contract import NotificationError, ReferenceConflict, receive_notification, validate
from store.db import begin_for_savepoints, utcnow

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


CHILD_PARTS = ("first_name", "last_name", "date_of_birth", "how", "nhs_number", "upn", "school")
ENUM_COLUMNS = ("kind", "dash_grade", "school_informed", "return_kind")  # a spreadsheet may capitalise these


def _split(cell: str | None) -> list[list[str]]:
    """'Amy|Smith|2016-04-01|witnessed; Ben|Smith|2019-02-03|present' -> [[Amy, Smith, ...], [...]]."""
    return [[part.strip() for part in entry.split("|")] for entry in (cell or "").split(";") if entry.strip()]


def row_to_data(row: dict[str, str | None]) -> dict[str, Any]:
    """A CSV row in the API's JSON shape, so both are checked by the same published schema and `validate`.
    Nothing is shortened or dropped here: a cell that cannot be turned into its JSON type is passed on as text,
    and the schema names it. A child's parts beyond the six columns raise NotificationError."""
    data: dict[str, Any] = {k: v.strip() for k, v in row.items()
                            if k in CSV_COLUMNS and k not in ("children", "adults") and v and v.strip()}
    for name in ENUM_COLUMNS:
        if name in data:
            data[name] = data[name].lower()
    if "dash_ticks" in data and data["dash_ticks"].isascii() and data["dash_ticks"].isdigit():
        data["dash_ticks"] = int(data["dash_ticks"])
    children = []
    for number, parts in enumerate(_split(row.get("children")), 1):
        if len(parts) > len(CHILD_PARTS):
            raise NotificationError([f"child {number} has {len(parts)} parts: at most {len(CHILD_PARTS)} "
                                     f"({' | '.join(CHILD_PARTS)})"], fields=[f"children[{number - 1}]"])
        cells = dict(zip(CHILD_PARTS, parts, strict=False))
        how = {p.lower() for p in cells.pop("how", "").replace(",", " ").split()}
        child: dict[str, Any] = {k: v for k, v in cells.items() if v}
        child |= {"present": "present" in how or not how, "witnessed": "witnessed" in how}
        children.append(child)
    if children:
        data["children"] = children
    adults = [{"name": p[0], **({"role": p[1]} if len(p) > 1 and p[1] else {})} for p in _split(row.get("adults"))]
    if adults:
        data["adults"] = adults
    return data


MULTILINE_COLUMNS = {"summary"}  # the officer's words may run over several lines; nothing else may
_ROW_START = re.compile(r"\s*(domestic_abuse|missing)\s*,", re.IGNORECASE)  # a row swallowed by an open quote


@dataclass(frozen=True)
class Record:
    line: int  # the line the record starts on
    cells: list[str]
    last_line: int  # the line it ends on: more than one when a quoted field runs over line ends


class UnreadableFile(Exception):
    """The file breaks the CSV quoting rules: where, in words (never its content)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def read_records(lines: Iterable[str]) -> list[Record]:
    """Every record of the file with the line it starts on, read by the standard library's csv reader.

    A file that breaks the quoting rules (a quote never closed runs to the end of the file) is refused whole, by the
    line where the broken record starts: what a runaway quote swallowed cannot be told apart from the rows after
    it, and half a file imported is worse than a file sent again."""
    reader = csv.reader(lines, strict=True)
    records: list[Record] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append(Record(start, cells, reader.line_num))
            start = reader.line_num + 1
    except csv.Error:
        raise UnreadableFile(start, f"the record starting on line {start} breaks the CSV quoting rules (a quote "
                                    "not closed, or text after a closing quote): nothing in the file was imported; "
                                    "correct it and upload it again") from None
    return records


def import_csv(session: Session, lines: Iterable[str], *, source: str, actor: str, now: dt.datetime | None = None,
               calendar: WorkingCalendar = DEFAULT_CALENDAR, settings: PoliceSettings = DEFAULT_SETTINGS,
               missing_settings: Any = None, batch: int = 500, partner_id: int | None = None) -> ImportReport:
    """Load every good row, committing in batches; a bad row is reported by its line number and skipped.

    `partner_id` names the force whose references the file carries: its rows are then the same notifications as
    that partner's API posts (one per reference, whichever way it came first). Without it the file's references
    are the MASH's own ("csv").

    Each row is stored in its own savepoint: a row that collides with a copy stored at the same moment (the
    same reference posted to the API, or another upload) is counted as already held, not a failed import."""
    now = now or utcnow()
    report = ImportReport()
    try:
        records = read_records(lines)
    except UnreadableFile as exc:
        report.errors.append((exc.line, exc.message))
        return report
    header = [c.strip() for c in records[0].cells] if records else []
    if not {"kind", "police_reference"} <= set(header):
        report.errors.append((1, "the header row must name the columns: " + ", ".join(CSV_COLUMNS)))
        return report
    multiline = {i for i, name in enumerate(header) if name in MULTILINE_COLUMNS}
    pending, events = 0, []
    for record in records[1:]:
        line, cells = record.line, record.cells
        if len(cells) > len(header):
            report.errors.append((line, "the row has more cells than the header"))
            continue
        lines_read = (f"lines {line} to {record.last_line}" if record.last_line > line else f"line {line}")
        if any(("\n" in c or "\r" in c) for i, c in enumerate(cells) if i not in multiline):
            report.errors.append((line, f"a field other than the summary runs over a line end (a quote not closed?): "
                                        f"nothing on {lines_read} was loaded"))
            continue
        if any(_ROW_START.match(part) for i in multiline if i < len(cells) for part in cells[i].splitlines()[1:]):
            report.errors.append((line, f"the summary seems to swallow the rows after it (a quote not closed?): "
                                        f"nothing on {lines_read} was loaded"))
            continue
        row: dict[str, str | None] = dict(zip(header, cells, strict=False))
        try:
            item = validate(row_to_data(row), now=now, calendar=calendar)
        except NotificationError as exc:
            report.errors.append((line, str(exc)))
            continue
        row_events: list[audit.Entry] = []
        begin_for_savepoints(session)
        try:
            with session.begin_nested():
                stored = receive_notification(session, item, source=source, actor=actor, now=now,
                                              partner_id=partner_id, calendar=calendar, settings=settings,
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
