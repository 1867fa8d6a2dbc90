"""Feedback to referrers: queued with the decision, sent by the worker, retried, visible, never logged."""

import datetime as dt

from sqlalchemy import select

from forms import examples
from mash.models import AuditEvent, Decision, OutboxMessage
from mash.outbox import MAX_ATTEMPTS, ConsoleSender, queue_feedback, send_due
from tests.staff_support import create_contact, create_staff

NOW = dt.datetime(2026, 11, 27, 11, tzinfo=dt.UTC)


def decision_for(db_session, contact, outcome="nfa_advice"):
    user, _ = create_staff(db_session)
    return Decision(contact_id=contact.id, decided_by_id=user.id, outcome=outcome, level=1, rationale="r",
                    sharing_decision="share", sharing_reason="s", primary_need="N9", nfa=True)


class Flaky:
    def __init__(self, failures):
        self.failures, self.sent = failures, []

    def send(self, message, reference):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("smtp.example: refused for priya@example")
        self.sent.append(reference)


def test_who_hears_back(db_session):
    professional = create_contact(db_session)
    anonymous = create_contact(db_session, answers=examples.public_concern())
    unsafe = create_contact(db_session, journey="help", safe_to_contact="no")
    family = create_contact(db_session, journey="help")
    assert queue_feedback(db_session, professional, decision_for(db_session, professional)).channel == "email"
    assert queue_feedback(db_session, anonymous, decision_for(db_session, anonymous)) is None
    assert queue_feedback(db_session, unsafe, decision_for(db_session, unsafe)) is None
    sms = queue_feedback(db_session, family, decision_for(db_session, family))
    assert sms.channel == "sms" and sms.recipient == "+447700900982"


def test_failures_are_retried_with_back_off_then_sent(db_session):
    contact = create_contact(db_session)
    queue_feedback(db_session, contact, decision_for(db_session, contact), now=NOW)
    db_session.commit()
    sender = Flaky(failures=2)
    assert send_due(db_session, sender, now=NOW) == 0
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.status == "pending" and message.attempts == 1 and message.last_error == "ConnectionError"
    assert send_due(db_session, sender, now=NOW) == 0  # not due again yet
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=2)) == 0
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=10)) == 1
    assert message.status == "sent" and message.attempts == 3 and sender.sent == [contact.reference]


def test_a_message_that_never_goes_is_marked_failed_and_audited(db_session):
    contact = create_contact(db_session)
    queue_feedback(db_session, contact, decision_for(db_session, contact), now=NOW)
    db_session.commit()
    sender = Flaky(failures=99)
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        send_due(db_session, sender, now=moment)
        moment += dt.timedelta(hours=3)
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.status == "failed" and message.attempts == MAX_ATTEMPTS
    assert "priya" not in (message.last_error or "")
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.event == "feedback.failed")).one()


def test_the_development_sender_prints_no_personal_data(db_session, tmp_path):
    contact = create_contact(db_session)
    queue_feedback(db_session, contact, decision_for(db_session, contact), now=NOW)
    db_session.commit()
    lines = []
    send_due(db_session, ConsoleSender(tmp_path, echo=lines.append), now=NOW)
    assert len(lines) == 1 and lines[0].startswith("would send email") and contact.reference in lines[0]
    assert "dsl@oakfield.example" not in lines[0] and "Priya" not in lines[0]
    written = next(tmp_path.iterdir()).read_text()
    assert "dsl@oakfield.example" in written and "No further action" in written
