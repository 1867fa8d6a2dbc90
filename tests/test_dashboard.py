"""The dashboard's figures, exactly, and the page that draws them: SVG charts, each with its table, counts only."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pyotp
import pytest
from sqlalchemy import delete

from forms import examples
from forms.referral import HELP, REPORT
from mash import stats
from mash.clock import DEFAULT_CALENDAR
from mash.intake import receive_referral
from mash.models import Contact, Decision, RepeatMatch
from mash.staff import create_user
from portal.staff.dashboard import nice_ceiling
from store.db import make_engine, make_sessionmaker

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)  # a Friday afternoon
PASSWORD = "a-long-password-1"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def receive(session, received_at: dt.datetime, *, channel: str = "web", journey=REPORT, answers=None) -> Contact:
    answers = answers or examples.professional_concern()
    referral, problems = journey.validate(answers, today=received_at.astimezone(LONDON).date())
    assert problems == []
    contact = receive_referral(session, referral, channel=channel, actor="public:web", received_at=received_at)
    session.flush()
    return contact


def staff(session, role: str = "practitioner", email: str = "pat@council.test"):
    secret = pyotp.random_base32()
    user = create_user(session, email=email, name="Pat Practitioner", role=role, password=PASSWORD,
                       totp_secret=secret).user
    return user, secret


def decide(session, contact: Contact, user, decided_at: dt.datetime, *, status: str = "signed_off",
           outcome: str = "s17_assessment", level: int = 3, nfa: bool = False, primary_need: str = "N1") -> Decision:
    decision = Decision(contact_id=contact.id, decided_by_id=user.id, decided_at=decided_at, outcome=outcome,
                        level=level, rationale="Rationale.", sharing_decision="share", sharing_reason="Reason.",
                        primary_need=primary_need, nfa=nfa, status=status,
                        reviewed_at=decided_at if status != "awaiting_signoff" else None)
    session.add(decision)
    if status == "signed_off":
        close(contact, decided_at, status="decided")
    elif status == "awaiting_signoff":
        contact.status = "awaiting_signoff"
        contact.version += 1
    session.flush()
    return decision


def close(contact: Contact, when: dt.datetime, *, status: str = "decided") -> None:
    contact.status, contact.closed_at = status, when
    contact.version += 1


def confirm_repeat(session, contact: Contact, earlier: Contact, status: str = "confirmed") -> None:
    session.add(RepeatMatch(contact_id=contact.id, earlier_contact_id=earlier.id, child_position=0,
                            earlier_child_position=0, score=95, reasons=["test"], status=status))
    session.flush()


def build_scene(s) -> dict[str, Contact]:
    """Seven contacts around a Friday afternoon. Intake's own repeat suggestions are cleared, so only the
    matches a test confirms count."""
    user, _ = staff(s)
    c = {}
    c["today_web"] = receive(s, at(27, 14), channel="web")  # open and red, due Mon 30 10:00: not overdue
    c["thu_sms"] = receive(s, at(26, 10), channel="sms")  # open and red, due Thu 26 14:00: overdue
    # green, so on the 1-working-day clock: due Fri 27 15:00 == now, not overdue (a red one would be, at 11:00)
    c["one_day_old"] = receive(s, NOW - dt.timedelta(days=1), channel="sms", journey=HELP,
                               answers=examples.family_help_request())
    c["tue_police"] = receive(s, at(24, 10), channel="police")  # decided on time, signed off
    c["fri_web"] = receive(s, at(20, 16), channel="web", journey=HELP, answers=examples.family_help_request())
    c["chat_old"] = receive(s, at(10, 11), channel="chat")  # 17 days ago: awaiting sign-off
    c["october"] = receive(s, at(1, 10, month=10), channel="phone")  # 57 days ago: outside every window
    s.execute(delete(RepeatMatch))

    decide(s, c["tue_police"], user, at(24, 12), outcome="strategy_s47", level=4)
    # Due Mon 23 16:00. The first decision (returned) came late; the second one is what was signed off.
    decide(s, c["fri_web"], user, at(24, 10), status="returned", outcome="early_help", level=2)
    decide(s, c["fri_web"], user, at(25, 10), outcome="early_help", level=2, primary_need="N4")
    decide(s, c["chat_old"], user, at(10, 15), status="awaiting_signoff", outcome="nfa_advice", level=1, nfa=True)
    decide(s, c["october"], user, at(1, 11, month=10), outcome="nfa_advice", level=1, nfa=True, primary_need="N9")
    confirm_repeat(s, c["today_web"], c["tue_police"])
    confirm_repeat(s, c["today_web"], c["chat_old"])  # two confirmed matches: still one re-referral
    confirm_repeat(s, c["thu_sms"], c["tue_police"], status="rejected")
    confirm_repeat(s, c["one_day_old"], c["tue_police"], status="suggested")
    confirm_repeat(s, c["october"], c["chat_old"])  # confirmed, but received outside the 30 days
    s.commit()
    return c


@pytest.fixture
def scene(db_session):
    return build_scene(db_session)


def test_contacts_per_day_by_channel_over_the_last_14_days(db_session, scene):
    days = stats.contacts_per_day(db_session, NOW, DEFAULT_CALENDAR)
    assert len(days) == 14
    assert days[0].day == dt.date(2026, 11, 14) and days[-1].day == dt.date(2026, 11, 27)
    counts = {d.day: {k: v for k, v in d.by_channel.items() if v} for d in days if d.total}
    assert counts == {
        dt.date(2026, 11, 20): {"web": 1},
        dt.date(2026, 11, 24): {"police": 1},
        dt.date(2026, 11, 26): {"sms": 2},
        dt.date(2026, 11, 27): {"web": 1},
    }
    assert list(days[0].by_channel) == ["web", "sms", "chat", "police", "phone"]  # every channel, zeros too


def test_a_day_is_a_london_day_across_summer_time(db_session):
    now = dt.datetime(2026, 7, 10, 12, 0, tzinfo=LONDON)
    # 23:30 UTC on the 9th is 00:30 on the 10th in London; 22:30 UTC on the 9th is still the 9th.
    receive(db_session, dt.datetime(2026, 7, 9, 23, 30, tzinfo=dt.UTC), channel="sms")
    receive(db_session, dt.datetime(2026, 7, 9, 22, 30, tzinfo=dt.UTC), channel="web")
    # Midnight at the start of the window counts; the moment before it does not.
    receive(db_session, dt.datetime(2026, 6, 27, 0, 0, tzinfo=LONDON), channel="chat")
    receive(db_session, dt.datetime(2026, 6, 26, 23, 59, 59, tzinfo=LONDON), channel="chat")
    db_session.commit()
    days = {d.day: {k: v for k, v in d.by_channel.items() if v}
            for d in stats.contacts_per_day(db_session, now, DEFAULT_CALENDAR) if d.total}
    assert days == {dt.date(2026, 6, 27): {"chat": 1}, dt.date(2026, 7, 9): {"web": 1},
                    dt.date(2026, 7, 10): {"sms": 1}}


def test_share_decided_within_one_working_day(db_session, scene):
    t = stats.decision_timeliness(db_session, NOW)
    # Received in the last 30 days: six (not October's). Decided: tue_police (on time), fri_web (first decision
    # late, though a later one was signed off), chat_old (on time, awaiting sign-off). Undecided: three.
    assert (t.received, t.decided, t.on_time, t.late, t.undecided) == (6, 3, 2, 1, 3)
    assert t.share_on_time == pytest.approx(2 / 3)


def test_a_decision_exactly_at_the_due_time_is_on_time(db_session):
    user, _ = staff(db_session)
    contact = receive(db_session, at(26, 10))
    decide(db_session, contact, user, contact.decision_due_at)
    late = receive(db_session, at(26, 11))
    decide(db_session, late, user, late.decision_due_at + dt.timedelta(seconds=1))
    db_session.commit()
    t = stats.decision_timeliness(db_session, NOW)
    assert (t.received, t.decided, t.on_time) == (2, 2, 1)


def test_no_contacts_gives_no_share_rather_than_a_division_by_zero(db_session):
    assert stats.decision_timeliness(db_session, NOW).share_on_time is None
    assert stats.re_referrals(db_session, NOW).rate is None
    assert stats.queue_age(db_session, NOW).total == 0
    assert stats.overdue_count(db_session, NOW) == 0
    assert stats.outcomes_by_level(db_session).total == 0


def test_age_of_the_open_queue(db_session, scene):
    age = stats.queue_age(db_session, NOW)
    # Open: today_web (1h), one_day_old (exactly 24h: the older bucket), thu_sms (29h), chat_old (17 days,
    # awaiting sign-off is still open). Closed: tue_police, fri_web, october.
    assert age.buckets == {"under_1": 1, "1_to_2": 2, "2_to_5": 0, "over_5": 1}
    assert age.total == 4
    assert age.rows()[0] == ("Under 1 day", 1)


def test_queue_age_boundaries(db_session):
    for days in (2, 5, 4.9):
        receive(db_session, NOW - dt.timedelta(days=days))
    db_session.commit()
    assert stats.queue_age(db_session, NOW).buckets == {"under_1": 0, "1_to_2": 0, "2_to_5": 2, "over_5": 1}


def test_overdue_count_matches_the_queue_filter(db_session, scene):
    # thu_sms only: one_day_old is due exactly now; chat_old waits for a manager; the rest are closed or in time.
    assert stats.overdue_count(db_session, NOW) == 1
    assert stats.overdue_count(db_session, NOW + dt.timedelta(seconds=1)) == 2


def test_re_referral_rate(db_session, scene):
    r = stats.re_referrals(db_session, NOW)
    # Six received in 30 days; only today_web has a confirmed match (rejected and suggested ones do not count).
    assert (r.received, r.repeats, r.first_time) == (6, 1, 5)
    assert r.rate == pytest.approx(1 / 6)


def test_outcomes_by_level_counts_signed_off_decisions_only(db_session, scene):
    o = stats.outcomes_by_level(db_session)
    nonzero = {(outcome, level): n for outcome, levels in o.counts.items() for level, n in levels.items() if n}
    # The returned and the awaiting decisions are not counted; October's is (no time window).
    assert nonzero == {("strategy_s47", 4): 1, ("early_help", 2): 1, ("nfa_advice", 1): 1}
    assert o.total == 3 and o.level_total(1) == 1 and o.outcome_total("s17_assessment") == 0
    assert list(o.counts) == ["nfa_advice", "early_help", "s17_assessment", "strategy_s47", "already_open"]
    assert stats.outcomes_by_level(db_session, since=at(20, 0)).total == 2


def test_nice_axis_maximum():
    assert nice_ceiling(0) == (4, 1)
    assert nice_ceiling(1) == (1, 1)
    assert nice_ceiling(3) == (3, 1)
    assert nice_ceiling(9) == (10, 5)
    assert nice_ceiling(37) == (40, 10)
    assert nice_ceiling(1234) == (1500, 500)


def sign_in(client, email: str, secret: str) -> None:
    response = client.post("/staff/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302


def test_the_dashboard_needs_a_signed_in_user(client):
    response = client.get("/staff/dashboard")
    assert response.status_code == 302 and "/staff/sign-in" in response.location


def test_the_dashboard_page_shows_every_figure_as_a_chart_and_a_table(app, client, db_session, scene,
                                                                      monkeypatch):
    import portal.staff.dashboard as view

    monkeypatch.setattr(view, "utcnow", lambda: NOW.astimezone(dt.UTC))
    user, secret = staff(db_session, email="viewer@council.test")
    db_session.commit()
    sign_in(client, user.email, secret)
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    svgs = re.findall(r'<svg role="img" class="govuk-body" aria-labelledby="([\w-]+)-title \1-desc"', html)
    assert svgs == ["per-day", "timeliness", "queue-age", "re-referrals", "outcomes"]
    assert html.count("<table") == 6  # at a glance, and one beside each chart
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "style=" not in main and "<script" not in main  # the CSP forbids inline styles; no JavaScript

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Figures at 15:00 on Friday 27 November 2026" in text
    assert "Overdue: open, past the decision time and not awaiting sign-off 1 " in text
    assert "Decided within 1 working day (last 30 days) 67%" in text
    assert "Re-referral rate (last 30 days) 17%" in text
    assert "Thursday 26 November 0 2 0 0 0 2" in text  # web, sms, chat, police, phone, total
    assert "Friday 27 November 1 0 0 0 0 1" in text
    assert "Decided within 1 working day 2 Decided late 1 Not yet decided 3 Received 6" in text
    assert "Under 1 day 1 1 to 2 days 2 2 to 5 days 0 Over 5 days 1 All open contacts 4" in text
    assert "Confirmed re-referral 1 No confirmed earlier referral 5 Received 6 Re-referral rate 17%" in text
    assert "Strategy discussion and section 47 enquiries 0 0 0 1 1" in text
    assert "All outcomes 1 1 0 1 3" in text
    assert "6 contacts in 14 days" not in text and "5 contacts in 14 days" in text
    # Counts only: no child, family member or referrer is named, and no reference is shown.
    for personal in ("Jayden", "Morris", "Kelly", "Dean Carter", "Priya", "Sam Taylor", "FD-2026-"):
        assert personal not in html


def test_the_page_draws_with_an_empty_database(app, client, db_session):
    user, secret = staff(db_session)
    db_session.commit()
    sign_in(client, user.email, secret)
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg role="img"') == 5 and "no data" in html


@pytest.mark.slow
@pytest.mark.postgres
def test_the_same_figures_on_postgres(pg_url):
    engine = make_engine(pg_url)
    try:
        with make_sessionmaker(engine)() as session:
            build_scene(session)
            data = stats.dashboard(session, NOW, DEFAULT_CALENDAR)
    finally:
        engine.dispose()
    assert {d.day: d.total for d in data.per_day if d.total} == {
        dt.date(2026, 11, 20): 1, dt.date(2026, 11, 24): 1, dt.date(2026, 11, 26): 2, dt.date(2026, 11, 27): 1}
    t = data.timeliness
    assert (t.received, t.decided, t.on_time) == (6, 3, 2)
    assert data.queue_age.buckets == {"under_1": 1, "1_to_2": 2, "2_to_5": 0, "over_5": 1}
    assert data.overdue == 1
    assert (data.re_referrals.received, data.re_referrals.repeats) == (6, 1)
    assert data.outcomes.total == 3 and data.outcomes.counts["strategy_s47"][4] == 1
