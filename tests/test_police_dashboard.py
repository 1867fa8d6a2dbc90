"""The dashboard's issue 6 figures: notification volume and RAG mix, triage timeliness, interviews within 72 hours."""

import datetime as dt

from mash import handover, missing, police, stats
from mash.models import DomesticAbuseNotification, MissingEpisode
from tests.police_support import LONDON, NOW, da, receive
from tests.police_support import missing as episode_data
from tests.staff_support import create_staff, sign_in

ATTENDEES = [{"agency": "police"}, {"agency": "social_care"}]


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def meeting(session, ident, user, when):
    n = session.get(DomesticAbuseNotification, ident)
    police.record_triage_meeting(session, n, user, held_at=when, attendees=ATTENDEES,
                                 decisions=[police.ChildDecision(c.position, "no_further_action") for c in n.children],
                                 now=when)


def test_the_figures_count_exactly(db_session):
    pat, _ = create_staff(db_session)
    # Red received Monday 23 Nov 10:00 is due 14:00; amber received Thursday 19 Nov 10:00 is due Friday 10:00
    # (the same time on the next working day); green received Monday is due Thursday 10:00 (3 working days).
    monday = at(2026, 11, 23, 10, 0)
    red = receive(db_session, da(grade="high", ticks=16, occurred_at="2026-11-22T22:00"), now=monday)
    amber = receive(db_session, da(grade="medium", ticks=10, address="2 B St", occurred_at="2026-11-18T22:00",
                                   children=[]), now=at(2026, 11, 19, 10, 0))
    receive(db_session, da(address="3 C St", occurred_at="2026-11-22T22:00", children=[]), now=monday)
    receive(db_session, da(address="4 D St", occurred_at="2026-09-01T22:00", children=[]),
            now=at(2026, 9, 2, 10, 0))  # more than 30 days ago: not in the volume, but its lateness is
    meeting(db_session, red.id, pat, at(2026, 11, 23, 13, 0))  # on time
    assert db_session.get(DomesticAbuseNotification, amber.id).due_at == at(2026, 11, 20, 10, 0)
    meeting(db_session, amber.id, pat, at(2026, 11, 24, 11, 0))  # late
    db_session.commit()

    # Interviews: one offered in time, one offered late, one overdue, one not yet due.
    def episode(last, returned):
        e = receive(db_session, episode_data(last_name=last, went="2026-11-01T18:00", returned=returned),
                    now=at(2026, 11, 24, 12, 0))
        return db_session.get(MissingEpisode, e.id).interview

    on_time, late = episode("A", "2026-11-10T09:00"), episode("B", "2026-11-10T09:00")
    episode("C", "2026-11-20T09:00")
    episode("D", "2026-11-24T09:00")
    missing.record_interview_step(db_session, on_time, pat, step="offered", at=at(2026, 11, 12, 9, 0), now=NOW)
    missing.record_interview_step(db_session, late, pat, step="offered", at=at(2026, 11, 14, 9, 0), now=NOW)
    handover.record_call(db_session, pat, received_at=at(2026, 11, 24, 22, 0), values={"what_happened": "x"},
                         now=NOW)
    db_session.commit()

    p = stats.police_figures(db_session, NOW)
    assert p.notifications == 3 and p.rag == {"red": 1, "amber": 1, "green": 1}
    assert (p.triaged, p.triaged_on_time, p.share_triaged_on_time, p.untriaged) == (2, 1, 0.5, 1)
    assert p.open_overdue == 1  # September's green is long past its 72 hours; this week's green is not yet due
    assert p.missing_episodes == 4
    assert (p.interviews_due, p.interviews_on_time, p.interviews_overdue) == (3, 1, 1)
    assert p.share_interviews_on_time == 1 / 3
    assert (p.handovers_waiting, p.handovers_overdue) == (1, 1)  # due 09:00 Wednesday; it is 10:00


def test_no_data_is_no_data_not_zero_percent(db_session):
    p = stats.police_figures(db_session, NOW)
    assert p.share_triaged_on_time is None and p.share_interviews_on_time is None and p.notifications == 0


def test_the_dashboard_page_shows_the_figures(app, db_session):
    manager, secret = create_staff(db_session, role="manager")
    receive(db_session, da(grade="high", ticks=15), now=dt.datetime.now(dt.UTC))
    client = app.test_client()
    sign_in(client, manager, secret)
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert "Police notifications and out of hours" in page
    assert "red 1, amber 0, green 0" in page and "Return home interviews offered within 72 hours" in page
    assert 'href="/staff/police"' in page
    assert "Jayden" not in page and "Elm Road" not in page
