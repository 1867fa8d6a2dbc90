"""Police notifications' risk: the RAG rating, the MARAC criteria and each colour's clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mash.clock import WorkingCalendar


@dataclass(frozen=True)
class PoliceSettings:
    """domain.md: red within 4 working hours, amber within 24 working hours, green within 72 hours (settings)."""

    red_working_hours: float = 4
    amber_working_hours: float = 24
    green_hours: float = 72
    marac_ticks: int = 14
    marac_callouts: int = 3
    window: dt.timedelta = dt.timedelta(days=365)


DEFAULT_SETTINGS = PoliceSettings()


def rag_for(grade: str, marac_flags: list[str]) -> str:
    """High risk, or meeting a MARAC criterion, is red; medium is amber; standard is green."""
    if grade == "high" or marac_flags:
        return "red"
    return "amber" if grade == "medium" else "green"


def due_for(rag: str, received_at: dt.datetime, calendar: WorkingCalendar, settings: PoliceSettings) -> dt.datetime:
    """Red and amber count working hours. Green counts 72 calendar hours (domain.md), but never falls due before
    amber would for the same arrival: over a weekend 72 hours can end on a Saturday, before an amber received at
    the same moment, and the lowest risk must not jump the queue ahead of a higher one."""
    if rag == "red":
        return calendar.add_working_hours(received_at, settings.red_working_hours)
    amber = calendar.add_working_hours(received_at, settings.amber_working_hours)
    if rag == "amber":
        return amber
    return max(received_at + dt.timedelta(hours=settings.green_hours), amber)


def marac_flags_for(ticks: int, household_count: int, settings: PoliceSettings) -> list[str]:
    flags = []
    if ticks >= settings.marac_ticks:
        flags.append(f"{settings.marac_ticks}+ DASH ticks")
    if household_count >= settings.marac_callouts:
        flags.append(f"{settings.marac_callouts}+ police call-outs in 12 months")
    return flags
