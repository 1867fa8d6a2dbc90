"""Missing children: a return home interview due 72 hours after the return, its steps, and the strategy flag."""

import datetime as dt

import pytest
from sqlalchemy import select

from mash import missing
from mash.models import AuditEvent, MissingEpisode, ReturnInterview
from mash.staff import StaffError
from tests.police_support import LONDON, NOW, receive
from tests.police_support import missing as episode_data
from tests.staff_support import create_staff


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def episode(session, ident) -> MissingEpisode:
    return session.get(MissingEpisode, ident)


def test_a_return_opens_an_interview_due_72_hours_later_whatever_the_day(db_session):
    # Back at 09:00 on Tuesday 22 Dec: due 09:00 Friday 25 Dec, Christmas Day — this clock is not working hours.
    e = episode(db_session, receive(db_session, episode_data(went="2026-12-21T18:00", returned="2026-12-22T09:00"),
                                    now=at(2026, 12, 22, 10, 0)).id)
    assert e.return_kind == "found" and e.interview.due_at == at(2026, 12, 25, 9, 0)
    assert e.interview.status == "due"
    assert "Casey" not in str([ev.details for ev in db_session.scalars(select(AuditEvent))])


def test_an_episode_still_missing_has_no_interview_until_the_return_is_recorded(db_session):
    e = episode(db_session, receive(db_session, episode_data(returned=None)).id)
    assert e.interview is None and missing.episodes_awaiting_return(db_session) == [e]
    with pytest.raises(StaffError, match="before they went missing"):
        missing.record_return(db_session, e, returned_at=at(2026, 11, 20, 9, 0), return_kind="found", actor="t",
                              now=NOW)
    interview = missing.record_return(db_session, e, returned_at=at(2026, 11, 24, 23, 0), return_kind="returned",
                                      actor="staff:1", now=NOW)
    assert interview.due_at == at(2026, 11, 27, 23, 0)
    with pytest.raises(StaffError, match="already recorded"):
        missing.record_return(db_session, e, returned_at=at(2026, 11, 24, 23, 0), return_kind="found", actor="t",
                              now=NOW)


def test_offered_accepted_completed_by_whom_and_when(db_session):
    pat, _ = create_staff(db_session, name="Pat Practitioner")
    i = episode(db_session, receive(db_session, episode_data()).id).interview
    missing.record_interview_step(db_session, i, pat, step="offered", at=at(2026, 11, 24, 15, 0), now=NOW)
    missing.record_interview_step(db_session, i, pat, step="accepted", now=NOW)
    with pytest.raises(StaffError, match="what the child said"):
        missing.record_interview_step(db_session, i, pat, step="completed", now=NOW)
    missing.record_interview_step(db_session, i, pat, step="completed", notes="Stayed with a friend.", now=NOW)
    db_session.commit()
    assert (i.status, i.offered_by_id, i.offered_at, i.completed_at) == ("completed", pat.id,
                                                                        at(2026, 11, 24, 15, 0), NOW)
    steps = select(AuditEvent).where(AuditEvent.event.like("missing.interview%"))
    events = [e.event for e in db_session.scalars(steps)]
    assert events == ["missing.interview_offered", "missing.interview_accepted", "missing.interview_completed"]


def test_a_declined_interview_is_recorded_and_cannot_then_be_completed(db_session):
    pat, _ = create_staff(db_session)
    i = episode(db_session, receive(db_session, episode_data()).id).interview
    with pytest.raises(StaffError, match="cannot be marked accepted"):
        missing.record_interview_step(db_session, i, pat, step="accepted", now=NOW)
    missing.record_interview_step(db_session, i, pat, step="offered", now=NOW)
    missing.record_interview_step(db_session, i, pat, step="declined", notes="Did not want to talk.", now=NOW)
    assert i.status == "declined"
    with pytest.raises(StaffError):
        missing.record_interview_step(db_session, i, pat, step="completed", notes="x", now=NOW)


def test_steps_cannot_be_in_the_future_or_out_of_order_in_time(db_session):
    pat, _ = create_staff(db_session)
    i = episode(db_session, receive(db_session, episode_data()).id).interview
    with pytest.raises(StaffError, match="future"):
        missing.record_interview_step(db_session, i, pat, step="offered", at=NOW + dt.timedelta(hours=1), now=NOW)
    missing.record_interview_step(db_session, i, pat, step="offered", at=NOW, now=NOW)
    with pytest.raises(StaffError, match="before the step before"):
        missing.record_interview_step(db_session, i, pat, step="accepted", at=NOW - dt.timedelta(hours=1), now=NOW)


def test_three_episodes_in_thirty_days_raise_the_strategy_flag(db_session):
    first = episode(db_session, receive(db_session, episode_data(went="2026-10-20T18:00",
                                                                 returned="2026-10-21T08:00")).id)
    second = episode(db_session, receive(db_session, episode_data(went="2026-11-01T18:00",
                                                                  returned="2026-11-02T08:00")).id)
    other = episode(db_session, receive(db_session, episode_data(went="2026-11-10T18:00", returned=None,
                                                                 last_name="Other")).id)
    third = episode(db_session, receive(db_session, episode_data(went="2026-11-19T18:00",
                                                                 returned="2026-11-20T08:00")).id)
    assert [first.strategy_flag, second.strategy_flag, other.strategy_flag] == [False, False, False]
    # 20 Oct is 30 days before 19 Nov: outside the window, so the third episode counts two.
    assert third.episodes_in_window == 2 and not third.strategy_flag
    fourth = episode(db_session, receive(db_session, episode_data(went="2026-11-24T18:00", returned=None)).id)
    assert fourth.episodes_in_window == 3 and fourth.strategy_flag


def test_the_strategy_threshold_is_a_setting(db_session):
    settings = missing.MissingSettings(strategy_episodes=2)
    receive(db_session, episode_data(went="2026-11-01T18:00"), missing_settings=settings)
    second = episode(db_session, receive(db_session, episode_data(went="2026-11-19T18:00",
                                                                  returned="2026-11-20T08:00"),
                                         missing_settings=settings).id)
    assert second.strategy_flag


def test_overdue_interviews_are_those_not_offered_after_72_hours(db_session):
    pat, _ = create_staff(db_session)
    late = episode(db_session, receive(db_session, episode_data(went="2026-11-18T18:00",
                                                                returned="2026-11-19T08:00")).id).interview
    offered_late = episode(db_session, receive(db_session, episode_data(
        went="2026-11-18T18:00", returned="2026-11-19T09:00", last_name="Two")).id).interview
    missing.record_interview_step(db_session, offered_late, pat, step="offered", now=NOW)
    receive(db_session, episode_data(went="2026-11-23T18:00", returned="2026-11-24T08:00", last_name="Three"))
    db_session.commit()
    assert missing.overdue_count(db_session, NOW) == 1
    assert missing.interviews(db_session, view="overdue", now=NOW) == [late]
    assert db_session.scalar(select(ReturnInterview).where(ReturnInterview.id == late.id)).status == "due"


def test_a_missing_episode_is_about_one_child():
    from mash.police import NotificationError, validate

    data = episode_data()
    data.pop("child")
    data["children"] = []
    with pytest.raises(NotificationError, match="exactly one child"):
        validate(data, now=NOW)
    with pytest.raises(NotificationError, match="returned_at is before"):
        validate(episode_data(went="2026-11-23T18:00", returned="2026-11-23T10:00"), now=NOW)
