"""Working-day clocks: England and Wales bank holidays, council office hours, local time.

Every due date in the product comes from here, so that the queue, the confirmation page and the
dashboard can never disagree about when something is late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class ContactClocks:
    """A contact's own decision clock by its risk (domain.md, "contact decision by risk"; settings).

    Danger now: taken within 15 minutes in office hours (out of hours the emergency duty team acts; the day team's
    clock starts at opening). Red: decided within 4 office hours. Amber and green: within the 1-working-day cap,
    amber tighter (6 office hours) so that red, amber and green never show one deadline for the same arrival.
    The rule the defaults keep, and `problems` checks: danger now < red < amber < one office day = green."""

    danger_now_minutes: float = 15
    red_office_hours: float = 4
    amber_office_hours: float = 6
    green_working_days: int = 1

    def problems(self, office_day: dt.timedelta) -> list[str]:
        """What would make two colours share a deadline, or break the 1-working-day cap, in settings' words."""
        found = []
        if not 0 < self.danger_now_minutes / 60 < self.red_office_hours:
            found.append("CONTACT_DANGER_NOW_MINUTES must be more than 0 and less than CONTACT_RED_OFFICE_HOURS")
        if not self.red_office_hours < self.amber_office_hours:
            found.append("CONTACT_RED_OFFICE_HOURS must be less than CONTACT_AMBER_OFFICE_HOURS")
        if dt.timedelta(hours=self.amber_office_hours) >= office_day:
            found.append(f"CONTACT_AMBER_OFFICE_HOURS must be less than one office day "
                         f"({office_day.total_seconds() / 3600:g} hours), the green clock")
        if self.green_working_days != 1:
            found.append("CONTACT_GREEN_WORKING_DAYS must be 1: every contact is decided within 1 working day")
        return found


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours and bank holidays. Hours are a council setting; holidays are national."""

    timezone: str = "Europe/London"
    day_starts: dt.time = dt.time(9, 0)
    day_ends: dt.time = dt.time(17, 0)
    extra_closures: frozenset[dt.date] = field(default_factory=frozenset)
    # A team that works every day (some MASHs do; a demonstration on a Sunday does): weekends and bank
    # holidays are working days.
    every_day: bool = False
    # The council's clocks by risk for contacts (settings): here so that every path that dates a contact, and
    # every page that shows its deadline, reads the same rule from the one calendar it is handed.
    contact_clocks: ContactClocks = field(default_factory=ContactClocks)

    @property
    def office_day(self) -> dt.timedelta:
        return dt.datetime.combine(dt.date(2000, 1, 3), self.day_ends) - \
            dt.datetime.combine(dt.date(2000, 1, 3), self.day_starts)

    def contact_due(self, received_at: dt.datetime, rag: str, *, danger_now: bool = False) -> dt.datetime:
        """When a contact's decision falls due, by its risk (ContactClocks)."""
        clocks = self.contact_clocks
        if danger_now:
            return self.add_working_hours(received_at, clocks.danger_now_minutes / 60)
        if rag == "red":
            return self.add_working_hours(received_at, clocks.red_office_hours)
        if rag == "amber":
            return self.add_working_hours(received_at, clocks.amber_office_hours)
        return self.add_working_days(received_at, clocks.green_working_days)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _bank_holidays(self) -> holidays.HolidayBase:
        # England and Wales share bank holidays; subdiv ENG gives exactly that list.
        return holidays.country_holidays("GB", subdiv="ENG")

    def is_bank_holiday(self, day: dt.date) -> bool:
        return day in self._bank_holidays

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_closures:
            return False
        return self.every_day or (day.weekday() < 5 and not self.is_bank_holiday(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def is_office_hours(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.day_starts <= local.time() < self.day_ends

    def clock_start(self, moment: dt.datetime) -> dt.datetime:
        """When a clock begins for something received at `moment`: now in office hours, else the next opening."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.day_ends:
            if local.time() >= self.day_starts:
                return local
            return self._at(day, self.day_starts)
        return self._at(self.next_working_day(day), self.day_starts)

    def add_working_days(self, moment: dt.datetime, days: int) -> dt.datetime:
        """The same office time `days` working days after the clock starts (in the calendar's zone)."""
        if days < 0:
            raise ValueError("days must not be negative")
        start = self.clock_start(moment)
        day = start.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self._at(day, start.timetz().replace(tzinfo=None))

    def add_working_hours(self, moment: dt.datetime, hours: float) -> dt.datetime:
        """`hours` of office time after the clock starts: 4 working hours from 15:00 on a Friday is 11:00 Monday.

        Office hours never span a clock change (they fall at night), so wall-clock sums within a day are exact."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = dt.timedelta(hours=hours)
        current = self.clock_start(moment)
        while True:
            left_today = self._at(current.date(), self.day_ends) - current
            if remaining <= left_today:
                return current + remaining
            remaining -= left_today
            current = self._at(self.next_working_day(current.date()), self.day_starts)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end is not after start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office-hours seconds from start to end; negative when end is before start (overdue)."""
        if end < start:
            return -self.working_seconds_between(end, start)
        total = 0.0
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                opens, closes = self._at(day, self.day_starts), self._at(day, self.day_ends)
                lo, hi = max(opens, a), min(closes, b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += dt.timedelta(days=1)
        return total

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """The next time the office opens after `moment` (the out-of-hours handover deadline is 09:00)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.day_starts:
            return self._at(day, self.day_starts)
        return self._at(self.next_working_day(day), self.day_starts)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)


DEFAULT_CALENDAR = WorkingCalendar()


def describe_due(due: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR, *, short: bool = False) -> str:
    """Plain English for a due time, as a family or a referrer would read it: '5pm on Monday 30 November 2026';
    `short`, for a row of the queue: '5pm Mon 30 Nov'."""
    local = due.astimezone(calendar.tz)
    hour = local.strftime("%I").lstrip("0")
    minutes = "" if local.minute == 0 else local.strftime(":%M")
    suffix = "am" if local.hour < 12 else "pm"
    if short:
        return f"{hour}{minutes}{suffix} {local.strftime('%a')} {local.day} {local.strftime('%b')}"
    return f"{hour}{minutes}{suffix} on {local.strftime('%A')} {local.day} {local.strftime('%B %Y')}"


def describe_next_opening(now: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> str:
    """When the office next opens, as a text message would say it: 'at 9am tomorrow', 'at 9am on Monday',
    'at 9am on Tuesday 29 December' (a week or more away, over Christmas)."""
    opening = calendar.next_opening(now).astimezone(calendar.tz)
    hour = opening.strftime("%I").lstrip("0") + ("" if opening.minute == 0 else opening.strftime(":%M")) + \
        ("am" if opening.hour < 12 else "pm")
    days = (opening.date() - now.astimezone(calendar.tz).date()).days
    if days == 0:
        return f"at {hour} today"
    if days == 1:
        return f"at {hour} tomorrow"
    if days < 7:
        return f"at {hour} on {opening.strftime('%A')}"
    return f"at {hour} on {opening.strftime('%A')} {opening.day} {opening.strftime('%B')}"


def _clock_time(moment: dt.time) -> str:
    hour = (moment.hour % 12) or 12
    return f"{hour}{'' if moment.minute == 0 else f':{moment.minute:02d}'}{'am' if moment.hour < 12 else 'pm'}"


def describe_office_hours(calendar: WorkingCalendar = DEFAULT_CALENDAR) -> str:
    """The team's hours as a text message would say them: 'Monday to Friday, 9am to 5pm, except bank holidays'."""
    days = "every day" if calendar.every_day else "Monday to Friday"
    closed = "" if calendar.every_day else ", except bank holidays"
    return f"{days}, {_clock_time(calendar.day_starts)} to {_clock_time(calendar.day_ends)}{closed}"


def describe_time_left(seconds: float) -> str:
    """'3h 20m left' or '1h 5m overdue', in office hours, for the queue."""
    minutes = int(abs(seconds) // 60)
    hours, mins = divmod(minutes, 60)
    span = f"{hours}h {mins:02d}m" if hours else f"{mins}m"
    return f"{span} overdue" if seconds < 0 else f"{span} left"
