"""Quiet hours: an outcome message to a family or member of the public is not sent in the middle of the night,
but held until the morning in the council's local time; a professional's feedback is not held."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from forms import examples
from mash.models import OutboxMessage
from mash.outbox import QuietHours, queue_feedback, send_due
from portal.config import ConfigError, from_environment
from tests.staff_support import create_contact
from tests.test_outbox import Flaky, decision_for

LONDON = ZoneInfo("Europe/London")
NIGHT = dt.datetime(2026, 12, 7, 3, 40, tzinfo=dt.UTC)  # 03:40 in London (GMT)
MORNING = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def test_the_night_ends_at_eight_in_the_morning_london_time_in_winter_and_in_summer():
    quiet = QuietHours()  # 21:00 to 08:00
    assert quiet.end_of(NIGHT) == MORNING
    summer_night = dt.datetime(2026, 7, 7, 2, 40, tzinfo=dt.UTC)  # 03:40 British Summer Time
    assert quiet.end_of(summer_night) == dt.datetime(2026, 7, 7, 7, 0, tzinfo=dt.UTC)  # 08:00 BST
    late_evening = dt.datetime(2026, 12, 7, 21, 30, tzinfo=dt.UTC)
    assert quiet.end_of(late_evening) == dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.UTC)  # the next morning
    assert quiet.end_of(dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)) is None
    assert quiet.end_of(dt.datetime(2026, 12, 7, 20, 59, tzinfo=dt.UTC)) is None
    assert quiet.end_of(MORNING) is None
    assert QuietHours(starts=dt.time(0, 0), ends=dt.time(0, 0)).end_of(NIGHT) is None  # none set


def test_a_familys_outcome_text_decided_at_night_is_held_until_eight_then_sent(db_session):
    family = create_contact(db_session, journey="help")
    message = queue_feedback(db_session, family, decision_for(db_session, family), now=NIGHT)
    db_session.commit()
    assert message.channel == "sms"
    sender = Flaky(failures=0)
    assert send_due(db_session, sender, now=NIGHT, quiet=QuietHours()) == 0
    assert sender.sent == []
    db_session.expire_all()
    held = db_session.scalars(select(OutboxMessage)).one()
    assert held.status == "pending" and held.attempts == 0
    assert held.next_attempt_at.replace(tzinfo=dt.UTC) == MORNING
    # nothing goes before eight, however often the worker looks
    assert send_due(db_session, sender, now=MORNING - dt.timedelta(minutes=1), quiet=QuietHours()) == 0
    assert send_due(db_session, sender, now=MORNING, quiet=QuietHours()) == 1
    assert sender.sent == [family.reference]


def test_a_neighbours_outcome_is_held_too_but_a_professionals_goes_at_once(db_session):
    neighbour = create_contact(db_session, answers=examples.public_concern(
        anonymous="no", referrer_name="Morag Quill", referrer_email="morag@example.org", safe_to_contact="yes"))
    professional = create_contact(db_session)
    for contact in (neighbour, professional):
        queue_feedback(db_session, contact, decision_for(db_session, contact), now=NIGHT)
    db_session.commit()
    sender = Flaky(failures=0)
    assert send_due(db_session, sender, now=NIGHT, quiet=QuietHours()) == 1
    assert sender.sent == [professional.reference]
    assert send_due(db_session, sender, now=MORNING, quiet=QuietHours()) == 1
    assert sender.sent == [professional.reference, neighbour.reference]


def test_a_retry_that_falls_due_in_the_night_waits_for_the_morning(db_session):
    family = create_contact(db_session, journey="help")
    evening = dt.datetime(2026, 12, 7, 20, 58, tzinfo=dt.UTC)
    queue_feedback(db_session, family, decision_for(db_session, family), now=evening)
    db_session.commit()
    sender = Flaky(failures=1)
    assert send_due(db_session, sender, now=evening, quiet=QuietHours()) == 0  # failed; retry in a minute
    assert send_due(db_session, sender, now=evening + dt.timedelta(minutes=5), quiet=QuietHours()) == 0
    db_session.expire_all()
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.attempts == 1 and sender.sent == []
    assert message.next_attempt_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.UTC)


def test_quiet_hours_are_a_setting_read_in_local_time_and_checked():
    config = from_environment({})
    assert (config.quiet_hours_start, config.quiet_hours_end) == (dt.time(21, 0), dt.time(8, 0))
    assert config.quiet_hours.end_of(NIGHT) == MORNING
    config = from_environment({"QUIET_HOURS_START": "22:00", "QUIET_HOURS_END": "07:00"})
    assert config.quiet_hours.end_of(NIGHT) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)
    with pytest.raises(ConfigError, match="QUIET_HOURS_END must be a time like 09:00, not '8am'"):
        from_environment({"QUIET_HOURS_END": "8am"})
    with pytest.raises(ConfigError, match="QUIET_HOURS_START .* is more than 14 hours"):
        from_environment({"QUIET_HOURS_START": "18:00", "QUIET_HOURS_END": "12:00"})
    assert from_environment({"QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}).quiet_hours.end_of(
        NIGHT) is None


def test_the_worker_holds_a_familys_text_in_the_councils_quiet_hours(database_url, tmp_path, db_session):
    """Through the job the worker runs, with quiet hours set around the present moment."""
    from portal import create_app, jobs
    from tests.conftest import app_config

    now = dt.datetime.now(LONDON)
    starts, ends = (now - dt.timedelta(hours=1)).time(), (now + dt.timedelta(hours=1)).time()
    app = create_app(app_config(database_url, tmp_path, QUIET_HOURS_START=starts.replace(microsecond=0),
                                QUIET_HOURS_END=ends.replace(second=0, microsecond=0)))
    family = create_contact(db_session, journey="help")
    message = queue_feedback(db_session, family, decision_for(db_session, family))
    db_session.commit()
    jobs.bind(app)
    try:
        assert jobs.send_feedback_now(message.id) is False
    finally:
        jobs._bound.clear()
    db_session.expire_all()
    held = db_session.get(OutboxMessage, message.id)
    assert held.status == "pending" and held.attempts == 0
    assert held.next_attempt_at.replace(tzinfo=dt.UTC) > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)


def test_a_receipt_for_what_a_neighbour_has_just_sent_is_not_held(db_session):
    from mash.receipts import queue_receipt

    neighbour = create_contact(db_session, answers=examples.public_concern(
        anonymous="no", referrer_name="Morag Quill", referrer_email="morag@example.org", safe_to_contact="yes"))
    db_session.execute(OutboxMessage.__table__.delete())  # whatever the intake queued, queue it again at night
    db_session.commit()
    assert queue_receipt(db_session, neighbour, now=NIGHT) is not None
    db_session.commit()
    sender = Flaky(failures=0)
    assert send_due(db_session, sender, now=NIGHT, quiet=QuietHours()) == 1
    assert sender.sent == [neighbour.reference]
