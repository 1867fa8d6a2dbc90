"""Feedback to referrers: queued with the decision, sent by the worker, retried, visible, never logged."""

import datetime as dt

from sqlalchemy import select

from forms import examples
from mash.models import AuditEvent, Decision, OutboxMessage
from mash.outbox import MAX_ATTEMPTS, ConsoleSender, feedback_text, queue_feedback, send_due
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


def test_families_and_the_public_are_never_told_of_enquiries(db_session):
    named_neighbour = create_contact(db_session, answers=examples.public_concern(
        anonymous="no", referrer_name="Morag Quill", referrer_email="morag@example.org", safe_to_contact="yes"))
    message = queue_feedback(db_session, named_neighbour, decision_for(db_session, named_neighbour, "strategy_s47"))
    assert "Strategy" not in message.body and "section 47" not in message.body.lower()
    assert "We cannot share details" in message.body
    family = create_contact(db_session, journey="help")
    message = queue_feedback(db_session, family, decision_for(db_session, family, "early_help"))
    assert "early help team will contact you" in message.body
    professional = create_contact(db_session)
    message = queue_feedback(db_session, professional, decision_for(db_session, professional, "strategy_s47"))
    assert "Strategy discussion and section 47 enquiries" in message.body


def test_a_family_who_asked_for_help_themselves_is_not_told_we_cannot_share_details(db_session):
    for outcome in ("nfa_advice", "s17_assessment", "strategy_s47", "already_open", "early_help"):
        family = create_contact(db_session, journey="help")
        if outcome == "early_help":
            family.parents_informed = "no"
        message = queue_feedback(db_session, family, decision_for(db_session, family, outcome))
        assert "cannot share details" not in message.body, outcome
        assert "Thank you for asking for help" in message.body and "call 999" in message.body
        assert "section 47" not in message.body.lower() and "Strategy" not in message.body
    assert "We will not be contacting you about it" in feedback_text(family, Decision(outcome="nfa_advice"))
    assert "If we need to talk to you, we will contact you in the way you told us is safe" in feedback_text(
        family, Decision(outcome="s17_assessment"))
    young_person = create_contact(db_session, answers=examples.public_concern(
        referrer_relationship="self", anonymous="no", referrer_name="Jay", referrer_email="jay@example.org",
        safe_to_contact="yes"))
    message = queue_feedback(db_session, young_person, decision_for(db_session, young_person, "s17_assessment"))
    assert "cannot share details" not in message.body


def test_two_workers_never_send_one_message_twice(database_url):
    import threading

    from store.db import make_engine, make_sessionmaker

    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        for _ in range(20):
            contact = create_contact(session)
            queue_feedback(session, contact, decision_for(session, contact), now=NOW)
        session.commit()

    class Counting:
        def __init__(self):
            self.sent, self.lock = [], threading.Lock()

        def send(self, message, reference):
            with self.lock:
                self.sent.append(message.id)

    sender = Counting()

    def work():
        with sessions() as session:
            send_due(session, sender, now=NOW, batch=50)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sender.sent) == list(range(1, 21))
    engine.dispose()


def test_a_message_left_sending_by_a_dead_worker_is_retried_after_its_lease(db_session):
    contact = create_contact(db_session)
    message = queue_feedback(db_session, contact, decision_for(db_session, contact), now=NOW)
    message.status, message.next_attempt_at = "sending", NOW + dt.timedelta(minutes=5)
    db_session.commit()
    sender = Flaky(failures=0)
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=1)) == 0
    assert send_due(db_session, sender, now=NOW + dt.timedelta(minutes=6)) == 1


def test_outside_development_an_unconfigured_channel_fails_rather_than_pretending(tmp_path):
    from portal.config import from_environment
    from portal.senders import sender_from_config

    sender = sender_from_config(from_environment({"FRONTDOOR_ENV": "production", "INSTANCE_PATH": str(tmp_path)}))
    message = OutboxMessage(id=1, channel="email", recipient="x@example.org", body="b")
    import pytest

    with pytest.raises(RuntimeError, match="no email transport"):
        sender.send(message, "FD-2026-000001")
    assert not any(tmp_path.iterdir())
