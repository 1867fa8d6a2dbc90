"""GOV.UK Notify sends feedback (issue 11), tested against a fake Notify on 127.0.0.1, never the network: a
refusal fails at once, an outage or a timeout is retried with back-off, and a retry never sends twice."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from mash.models import AuditEvent, OutboxMessage
from mash.outbox import NotifySender, RoutingSender, SmtpSender, queue_feedback, send_due
from tests.notify_support import API_KEY, EMAIL_TEMPLATE, SMS_TEMPLATE, FakeNotify
from tests.staff_support import create_contact
from tests.test_outbox import decision_for

NOW = dt.datetime(2026, 11, 27, 11, tzinfo=dt.UTC)


@pytest.fixture
def notify():
    with FakeNotify(late_seconds=1.5) as fake:
        yield fake


def sender_for(fake: FakeNotify, api_key: str = API_KEY) -> NotifySender:
    return NotifySender(api_key, email_template_id=EMAIL_TEMPLATE, sms_template_id=SMS_TEMPLATE, base_url=fake.url,
                        timeout=0.5)


def queued(db_session, **answers) -> OutboxMessage:
    contact = create_contact(db_session, **answers)
    message = queue_feedback(db_session, contact, decision_for(db_session, contact), now=NOW)
    db_session.commit()
    return message


def test_feedback_goes_by_email_and_text_with_the_token_notify_checks(db_session, notify):
    email = queued(db_session)
    sms = queued(db_session, journey="help")
    assert send_due(db_session, sender_for(notify), now=NOW) == 2
    assert notify.refused_tokens == 0
    by_type = {n["type"]: n for n in notify.accepted}
    assert by_type["email"]["email_address"] == "dsl@oakfield.example"
    assert by_type["email"]["personalisation"]["body"] == email.body
    assert by_type["email"]["personalisation"]["subject"] == email.subject
    assert by_type["sms"]["phone_number"] == "+447700900982" and by_type["sms"]["template_id"] == SMS_TEMPLATE
    # The reference names the message, never the person: Notify shows it to anyone who can see the service.
    contact_reference = email.subject.rsplit(" ", 1)[-1]
    assert by_type["email"]["reference"] == f"{contact_reference}/feedback-{email.id}"
    assert all("@" not in n["reference"] and "7700" not in n["reference"] for n in notify.accepted)
    assert {m.status for m in (email, sms)} == {"sent"}


def test_a_key_notify_does_not_know_is_refused_and_the_message_fails_at_once(db_session, notify):
    message = queued(db_session)
    wrong = f"frontdoor_test-{uuid.uuid4()}-{uuid.uuid4()}"
    assert send_due(db_session, sender_for(notify, wrong), now=NOW) == 0
    assert notify.refused_tokens == 1 and notify.accepted == []
    assert message.status == "failed" and message.attempts == 1 and message.last_error == "Rejected (403)"
    failed = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "feedback.failed")).one()
    assert failed.details["error"] == "Rejected (403)"


def test_a_refused_message_is_not_retried(db_session, notify):
    message = queued(db_session)
    notify.plan = [400]
    sender = sender_for(notify)
    assert send_due(db_session, sender, now=NOW) == 0
    for hours in (1, 3, 24):  # however long the worker goes on
        send_due(db_session, sender, now=NOW + dt.timedelta(hours=hours))
    assert notify.posts == 1 and message.status == "failed" and message.last_error == "Rejected (400)"


@pytest.mark.parametrize("trouble", [500, 503, 429])
def test_an_outage_or_too_many_requests_is_retried_with_back_off(db_session, notify, trouble):
    message = queued(db_session)
    notify.plan = [trouble, trouble]
    sender = sender_for(notify)
    assert send_due(db_session, sender, now=NOW) == 0
    assert message.status == "pending" and message.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert send_due(db_session, sender, now=NOW + dt.timedelta(seconds=30)) == 0  # not due yet
    assert notify.posts == 1
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=1)) == 0
    assert message.next_attempt_at == NOW + dt.timedelta(minutes=6)  # the second wait is longer
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=6)) == 1
    assert message.status == "sent" and message.attempts == 3 and len(notify.accepted) == 1


def test_a_timeout_is_retried_and_notify_is_asked_first_so_nobody_hears_twice(db_session, notify):
    message = queued(db_session)
    notify.plan = ["late"]  # Notify takes the message but answers after the client has stopped waiting
    sender = sender_for(notify)
    assert send_due(db_session, sender, now=NOW) == 0
    assert message.status == "pending" and message.last_error == "HTTP503Error"
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=1)) == 1
    assert message.status == "sent" and notify.posts == 1 and len(notify.accepted) == 1


def test_notify_is_chosen_when_its_key_is_set_and_smtp_otherwise(tmp_path):
    from portal.config import from_environment
    from portal.senders import sender_from_config

    settings = from_environment({"FRONTDOOR_ENV": "production", "INSTANCE_PATH": str(tmp_path),
                                 "SMTP_HOST": "smtp.example.org", "SMTP_FROM": "frontdoor@example.org",
                                 "NOTIFY_BASE_URL": "http://127.0.0.1:9"})
    smtp = sender_from_config(settings)
    assert isinstance(smtp, RoutingSender) and isinstance(smtp.by_channel["email"], SmtpSender)
    notify = sender_from_config(settings.replace(NOTIFY_API_KEY=API_KEY, NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE,
                                                 NOTIFY_SMS_TEMPLATE_ID=SMS_TEMPLATE))
    assert isinstance(notify, RoutingSender) and isinstance(notify.by_channel["email"], NotifySender)
    assert isinstance(notify.by_channel["sms"].inner, NotifySender)  # and still no texts to a number that said STOP
    assert notify.by_channel["email"].client.base_url == "http://127.0.0.1:9"
