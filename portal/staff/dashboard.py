"""The MASH dashboard: server-drawn SVG charts, each beside a table of the same numbers for screen readers.

No JavaScript and no chart library. The content security policy forbids inline styles, so the charts use SVG
presentation attributes (fill, stroke) only. The figures come from mash.stats and are counts: nobody's details.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from flask import render_template

from bot import takeover
from mash.outcomes import OUTCOMES
from mash.stats import LEVELS, Dashboard, police_figures
from mash.stats import dashboard as figures
from portal import db
from portal.config import settings, working_calendar
from portal.staff import bp, permission
from store.db import utcnow

INK = "#0b0c0c"
GRID = "#b1b4b6"
# GOV.UK colours with at least 3:1 contrast on white (WCAG 1.4.11), each segment edged in white.
CHANNEL_COLOURS = {"web": "#1d70b8", "sms": "#00703c", "chat": "#4c2c92", "police": "#d53880", "phone": "#505a5f"}
SPARE_COLOURS = ("#003078", "#85994b", "#942514", "#6f72af")
LEVEL_COLOURS = {1: "#00703c", 2: "#1d70b8", 3: "#4c2c92", 4: "#d4351c"}
HALF = 420  # the width of a chart in half a column: its text then reads at about the size of the table's
CHANNEL_LABELS = {"web": "Web", "sms": "Text message", "chat": "Chat", "police": "Police", "phone": "Phone"}


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: list[int]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    size: int = 12
    bold: bool = False


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = GRID


@dataclass
class Chart:
    """Everything the template needs to draw one chart; numbers are rounded to tenths of a pixel."""

    id: str
    title: str
    summary: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[Rect, Label]] = field(default_factory=list)


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """An axis maximum at or above `value`, and the step between gridlines: 1, 2 or 5 times a power of ten,
    chosen so there are at most `ticks` steps. An empty chart gets an axis of 0 to `ticks`."""
    if value <= 0:
        return ticks, 1
    raw = value / ticks
    power = 10 ** max(0, math.floor(math.log10(raw)))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return math.ceil(value / step) * step, step


def _r(value: float) -> float:
    return round(value, 1)


def _legend(chart: Chart, series: list[Series], y: float, left: float) -> None:
    x = left
    for s in series:
        chart.legend.append((Rect(_r(x), _r(y - 10), 12, 12, s.colour, s.name),
                             Label(_r(x + 17), _r(y), s.name, anchor="start")))
        x += 17 + 7 * len(s.name) + 22


def column_chart(chart_id: str, title: str, summary: str, categories: list[str], series: list[Series], *,
                 width: int = 640, height: int = 300) -> Chart:
    """Vertical bars, one per category, each stacked from the series in order (bottom first)."""
    chart = Chart(chart_id, title, summary, width, height)
    left, right, top = 44, 8, 12
    bottom = 56 if len(series) > 1 else 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value, step = nice_ceiling(max(totals, default=0))
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        chart.lines.append(Line(left, _r(y), width - right, _r(y)))
        chart.labels.append(Label(left - 6, _r(y + 4), str(tick), anchor="end", size=11))
    slot = plot_w / max(1, len(categories))
    bar_w = slot * 0.7
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        base: float = top + plot_h
        for s in series:
            value = s.values[i]
            if value:
                h = plot_h * value / top_value
                base -= h
                chart.rects.append(Rect(_r(x), _r(base), _r(bar_w), _r(h), s.colour, f"{category}, {s.name}: {value}"))
        if totals[i]:
            chart.labels.append(Label(_r(x + bar_w / 2), _r(base - 3), str(totals[i]), size=10, bold=True))
        chart.labels.append(Label(_r(x + bar_w / 2), _r(top + plot_h + 16), category, size=11))
    chart.lines.append(Line(left, top + plot_h, width - right, top + plot_h, INK))
    if len(series) > 1:
        _legend(chart, series, height - 10, left)
    return chart


def bar_chart(chart_id: str, title: str, summary: str, categories: list[str], series: list[Series], *,
              width: int = 640, row_height: int = 46) -> Chart:
    """Horizontal bars, one per category with its name above it, each stacked from the series in order."""
    legend_h = 28 if len(series) > 1 else 0
    height = row_height * len(categories) + legend_h + 8
    chart = Chart(chart_id, title, summary, width, height)
    left, right = 4, 48
    plot_w = width - left - right
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = max(max(totals, default=0), 1)
    for i, category in enumerate(categories):
        y = row_height * i
        chart.labels.append(Label(left, y + 15, category, anchor="start", size=13))
        x: float = left
        for s in series:
            value = s.values[i]
            if value:
                w = plot_w * value / top_value
                chart.rects.append(Rect(_r(x), y + 20, _r(w), 20, s.colour, f"{category}, {s.name}: {value}"))
                x += w
        chart.labels.append(Label(_r(x + 6), y + 35, str(totals[i]), anchor="start", size=12, bold=True))
    if legend_h:
        _legend(chart, series, height - 10, left)
    return chart


def _percent(share: float | None) -> str:
    return "no data" if share is None else f"{share * 100:.0f}%"


def charts(data: Dashboard) -> dict[str, Chart]:
    days = [f"{d.day:%a} {d.day.day}" for d in data.per_day]
    channel_series = [
        Series(CHANNEL_LABELS.get(ch, ch), CHANNEL_COLOURS.get(ch) or SPARE_COLOURS[i % len(SPARE_COLOURS)],
               [d.by_channel[ch] for d in data.per_day])
        for i, ch in enumerate(data.channels)
    ]
    total_14 = sum(d.total for d in data.per_day)
    busiest = max(data.per_day, key=lambda d: d.total, default=None)
    per_day = column_chart(
        "per-day", "Contacts received per day, by channel, last 14 days",
        f"{total_14} contacts in 14 days"
        + (f"; the busiest day was {busiest.day:%A} {busiest.day.day} {busiest.day:%B} with {busiest.total}"
           if busiest is not None and busiest.total else "")
        + ". The table that follows gives each day's numbers.",
        days, channel_series, width=900, height=320)

    t = data.timeliness
    timeliness = bar_chart(
        "timeliness", "Decisions within 1 working day, contacts received in the last 30 days",
        (f"{_percent(t.share_on_time)} of decided contacts were decided within 1 working day: "
         if t.decided else "No contact received in the last 30 days has a decision yet: ")
        + f"{t.on_time} on time, {t.late} late, {t.undecided} not yet decided.",
        ["Decided within 1 working day", "Decided late", "Not yet decided"],
        [Series("Contacts", "#1d70b8", [t.on_time, t.late, t.undecided])], width=HALF)

    age = data.queue_age
    age_chart = column_chart(
        "queue-age", "Age of the open queue",
        f"{age.total} open contacts: " + ", ".join(f"{label.lower()} {n}" for label, n in age.rows()) + ".",
        [label for label, _ in age.rows()], [Series("Open contacts", "#1d70b8", [n for _, n in age.rows()])],
        width=HALF, height=260)

    r = data.re_referrals
    repeat_chart = bar_chart(
        "re-referrals", "Re-referrals, contacts received in the last 30 days",
        f"{_percent(r.rate)} of contacts were confirmed re-referrals: {r.repeats} of {r.received}."
        if r.received else "No contacts were received in the last 30 days.",
        ["Confirmed re-referral", "No confirmed earlier referral"],
        [Series("Contacts", "#4c2c92", [r.repeats, r.first_time])], width=HALF)

    o = data.outcomes
    outcome_names = list(o.counts)
    outcomes = bar_chart(
        "outcomes", "Signed-off decisions by outcome and level of need",
        f"{o.total} signed-off decisions: "
        + ", ".join(f"{OUTCOMES.get(name, name).lower()} {o.outcome_total(name)}" for name in outcome_names) + ".",
        [OUTCOMES.get(name, name) for name in outcome_names],
        [Series(f"Level {level}", LEVEL_COLOURS[level], [o.counts[name].get(level, 0) for name in outcome_names])
         for level in LEVELS], width=900)
    return {"per_day": per_day, "timeliness": timeliness, "queue_age": age_chart, "re_referrals": repeat_chart,
            "outcomes": outcomes}


@bp.get("/dashboard")
@permission("dashboard")
def dashboard():
    now = utcnow()
    calendar = working_calendar()
    data = figures(db.session(), now, calendar)
    police = police_figures(db.session(), now)
    reply_within = settings().person_reply_minutes
    first_responses = takeover.first_responses_by_week(db.session(), since=now - dt.timedelta(weeks=8),
                                                       reply_within=dt.timedelta(minutes=reply_within),
                                                       tz=calendar.tz)
    return render_template(
        "staff/dashboard.html", title="Dashboard", data=data, charts=charts(data), outcomes=OUTCOMES,
        levels=LEVELS, channel_labels=CHANNEL_LABELS, percent=_percent,
        as_of=now.astimezone(calendar.tz), police=police, first_responses=first_responses,
        reply_within=reply_within)
