import datetime as dt
from zoneinfo import ZoneInfo

from mash.clock import WorkingCalendar, describe_due

LONDON = ZoneInfo("Europe/London")
cal = WorkingCalendar()


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def test_next_working_day_same_time():
    assert cal.add_working_days(at(2026, 11, 25, 14, 30), 1) == at(2026, 11, 26, 14, 30)


def test_friday_afternoon_is_due_monday():
    assert cal.add_working_days(at(2026, 11, 27, 16, 0), 1) == at(2026, 11, 30, 16, 0)


def test_christmas_bank_holidays_are_skipped():
    # Thu 24 Dec 2026 -> Fri 25 (Christmas), Sat, Sun, Mon 28 (Boxing Day observed) -> Tue 29 Dec.
    assert cal.add_working_days(at(2026, 12, 24, 11, 0), 1) == at(2026, 12, 29, 11, 0)


def test_easter_weekend_is_skipped():
    # Thu 2 Apr 2026 -> Good Friday 3 Apr, weekend, Easter Monday 6 Apr -> Tue 7 Apr.
    assert cal.add_working_days(at(2026, 4, 2, 10, 0), 1) == at(2026, 4, 7, 10, 0)


def test_received_out_of_hours_starts_at_next_opening():
    # Saturday night before the late-summer bank holiday: the clock starts Tue 1 Sep 09:00.
    assert cal.clock_start(at(2026, 8, 29, 23, 0)) == at(2026, 9, 1, 9, 0)
    assert cal.add_working_days(at(2026, 8, 29, 23, 0), 1) == at(2026, 9, 2, 9, 0)
    # Early on a working morning: the clock starts that day at 09:00.
    assert cal.clock_start(at(2026, 11, 25, 6, 0)) == at(2026, 11, 25, 9, 0)


def test_forty_five_working_days_for_an_assessment():
    due = cal.add_working_days(at(2026, 11, 2, 10, 0), 45)
    # Nine weeks of five days, less Christmas Day and Boxing Day (observed) and New Year's Day.
    assert due.date() == dt.date(2027, 1, 7)


def test_working_days_between_skips_weekends_and_holidays():
    assert cal.working_days_between(dt.date(2026, 12, 24), dt.date(2026, 12, 29)) == 1
    assert cal.working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 27)) == 0


def test_clock_in_utc_comes_back_in_london_time_across_the_clock_change():
    received = dt.datetime(2026, 10, 23, 15, 0, tzinfo=dt.UTC)  # 16:00 BST, a Friday
    due = cal.add_working_days(received, 1)
    assert due == at(2026, 10, 26, 16, 0)  # Monday 16:00 GMT, after the clocks went back
    assert due.utcoffset() == dt.timedelta(0)


def test_office_hours_and_next_opening():
    assert cal.is_office_hours(at(2026, 11, 27, 9, 0))
    assert not cal.is_office_hours(at(2026, 11, 27, 17, 0))
    assert not cal.is_office_hours(at(2026, 12, 25, 12, 0))
    assert cal.next_opening(at(2026, 11, 27, 18, 0)) == at(2026, 11, 30, 9, 0)


def test_due_times_read_plainly():
    assert describe_due(at(2026, 11, 30, 16, 0)) == "4pm on Monday 30 November 2026"
    assert describe_due(at(2026, 11, 30, 10, 25)) == "10:25am on Monday 30 November 2026"


def test_a_team_open_every_day_works_weekends_and_bank_holidays_but_not_its_own_closures():
    import datetime as dt

    from mash.clock import WorkingCalendar

    sunday, christmas = dt.date(2026, 12, 6), dt.date(2026, 12, 25)
    weekdays_only = WorkingCalendar()
    assert not weekdays_only.is_working_day(sunday) and not weekdays_only.is_working_day(christmas)
    every_day = WorkingCalendar(every_day=True, extra_closures=frozenset({dt.date(2026, 12, 7)}))
    assert every_day.is_working_day(sunday) and every_day.is_working_day(christmas)
    assert not every_day.is_working_day(dt.date(2026, 12, 7))
    noon_sunday = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    assert every_day.is_office_hours(noon_sunday) and not weekdays_only.is_office_hours(noon_sunday)
