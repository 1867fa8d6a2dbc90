"""add_working_hours: office hours only, across evenings, weekends, bank holidays and clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mash.clock import WorkingCalendar

LONDON = ZoneInfo("Europe/London")
cal = WorkingCalendar()


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def test_within_the_same_day():
    assert cal.add_working_hours(at(2026, 11, 25, 10, 0), 4) == at(2026, 11, 25, 14, 0)


def test_runs_over_into_the_next_morning():
    # 2 hours left on Wednesday, 2 more from 09:00 on Thursday.
    assert cal.add_working_hours(at(2026, 11, 25, 15, 0), 4) == at(2026, 11, 26, 11, 0)


def test_friday_afternoon_runs_over_the_weekend():
    assert cal.add_working_hours(at(2026, 11, 27, 15, 0), 4) == at(2026, 11, 30, 11, 0)


def test_received_at_night_starts_at_the_next_opening():
    assert cal.add_working_hours(at(2026, 11, 25, 22, 30), 4) == at(2026, 11, 26, 13, 0)
    assert cal.add_working_hours(at(2026, 11, 28, 10, 0), 4) == at(2026, 11, 30, 13, 0)  # a Saturday


def test_christmas_bank_holidays_are_skipped():
    # Thu 24 Dec 16:00: 1 hour, then Fri 25, the weekend and Mon 28 (Boxing Day observed) are closed.
    assert cal.add_working_hours(at(2026, 12, 24, 16, 0), 4) == at(2026, 12, 29, 12, 0)


def test_easter_is_skipped():
    # Thu 2 Apr 2026 14:00 + 24 working hours: 3 today, then Tue 7 (8), Wed 8 (8), Thu 9 (5) -> 14:00.
    assert cal.add_working_hours(at(2026, 4, 2, 14, 0), 24) == at(2026, 4, 9, 14, 0)


def test_twenty_four_working_hours_is_three_office_days():
    assert cal.add_working_hours(at(2026, 11, 23, 9, 0), 24) == at(2026, 11, 25, 17, 0)


def test_exactly_the_close_is_due_at_the_close():
    assert cal.add_working_hours(at(2026, 11, 25, 13, 0), 4) == at(2026, 11, 25, 17, 0)


def test_clock_change_weekend():
    # British Summer Time begins on Sun 29 Mar 2026: Fri 16:00 + 2h is Mon 10:00 local, an hour less in UTC.
    due = cal.add_working_hours(at(2026, 3, 27, 16, 0), 2)
    assert due == at(2026, 3, 30, 10, 0)
    assert due.astimezone(dt.UTC).hour == 9


def test_agrees_with_working_seconds_between():
    start = at(2026, 12, 23, 11, 17)
    due = cal.add_working_hours(start, 13.5)
    assert cal.working_seconds_between(start, due) == 13.5 * 3600


def test_council_office_hours_are_respected():
    late = WorkingCalendar(day_starts=dt.time(8, 30), day_ends=dt.time(17, 30))
    assert late.add_working_hours(at(2026, 11, 25, 17, 0), 1) == at(2026, 11, 26, 9, 0)


def test_negative_hours_are_refused():
    with pytest.raises(ValueError):
        cal.add_working_hours(at(2026, 11, 25, 10, 0), -1)
