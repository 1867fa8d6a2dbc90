"""Police notifications' risk: the RAG rating, the MARAC criteria and each colour's clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mash.clock import WorkingCalendar


@dataclass(frozen=True)
class PoliceSettings:
    """domain.md, "police domestic abuse notification" (settings): red within 4 office hours; amber by the same time
    on the next working day; green within 3 working days. Office hours are those between opening and closing on
    working days (England and Wales bank holidays are not), counted from when the clock starts: at once in office
    hours, else at the next opening. The rule `problems` checks: red < one office day, so red < amber < green."""

    red_office_hours: float = 4
    amber_working_days: int = 1
    green_working_days: int = 3
    marac_ticks: int = 14
    marac_callouts: int = 3
    window: dt.timedelta = dt.timedelta(days=365)

    def problems(self, office_day: dt.timedelta) -> list[str]:
        """What would let two colours share a deadline, or green come before amber, in settings' words."""
        found = []
        if not 0 < self.red_office_hours < office_day.total_seconds() / 3600:
            found.append(f"POLICE_RED_OFFICE_HOURS must be more than 0 and less than one office day "
                         f"({office_day.total_seconds() / 3600:g} hours), so red falls due before amber")
        if not 1 <= self.amber_working_days < self.green_working_days:
            found.append("POLICE_AMBER_WORKING_DAYS must be at least 1 and less than POLICE_GREEN_WORKING_DAYS")
        return found


DEFAULT_SETTINGS = PoliceSettings()


def rag_for(grade: str, marac_flags: list[str]) -> str:
    """High risk, or meeting a MARAC criterion, is red; medium is amber; standard is green."""
    if grade == "high" or marac_flags:
        return "red"
    return "amber" if grade == "medium" else "green"


def due_for(rag: str, received_at: dt.datetime, calendar: WorkingCalendar, settings: PoliceSettings) -> dt.datetime:
    """Red: 4 office hours. Amber: the same time on the next working day. Green: the same time 3 working days on.

    Each counts from when the clock starts (the arrival in office hours, else the next opening), so for the same
    arrival red < amber < green always: 4 office hours end within the next office day, and working days only
    add. Over a bank-holiday weekend the working days skip the holiday."""
    if rag == "red":
        return calendar.add_working_hours(received_at, settings.red_office_hours)
    days = settings.amber_working_days if rag == "amber" else settings.green_working_days
    return calendar.add_working_days(received_at, days)


def marac_flags_for(ticks: int, household_count: int, settings: PoliceSettings) -> list[str]:
    flags = []
    if ticks >= settings.marac_ticks:
        flags.append(f"{settings.marac_ticks}+ DASH ticks")
    if household_count >= settings.marac_callouts:
        flags.append(f"{settings.marac_callouts}+ police call-outs in 12 months")
    return flags
