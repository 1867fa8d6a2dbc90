"""A copy for the referrer (issue 16, item 5): a printable copy of what was sent, for the session that sent it,
and an e-mailed receipt with the reference, sent once, saying nothing about the child, whose bounce is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from forms import examples
from mash.models import AuditEvent, Contact, OutboxMessage
from mash.outbox import NotifySender, RoutingSender, send_due
from mash.receipts import queue_receipt
from tests.conftest import change_settings
from tests.journey_support import walk
from tests.notify_support import API_KEY, EMAIL_TEMPLATE, SMS_TEMPLATE, FakeNotify
from tests.staff_support import create_contact, create_staff, sign_in

CALLBACK_TOKEN = "notify-callback-token-" + "z" * 20


def _all(app, model):
    from portal import db

    with app.app_context():
        return list(db.session().scalars(select(model).order_by(model.id)))


def _sent(client, answers=None):
    walk(client, "report", answers or examples.professional_concern())


# --- the receipt --------------------------------------------------------------------------------------------------
def test_a_professional_gets_one_receipt_with_the_reference_and_nothing_about_the_child(app, client):
    _sent(client)
    client.post("/report/check")  # a second press of "Accept and send" after it went
    contact = _all(app, Contact)[0]
    receipts = [m for m in _all(app, OutboxMessage) if m.kind == "receipt"]
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt.channel == "email" and receipt.recipient == "dsl@oakfield.example"
    assert contact.reference in receipt.subject and contact.reference in receipt.body
    assert receipt.body.startswith("Dear Priya Shah,")  # what the referrer typed about themselves
    for private in ("Jayden", "Morris", "Kelly", "Dean", "Carter", "Elm Road", "RG40", "bruis", "Oakfield"):
        assert private not in receipt.body and private not in (receipt.subject or "")
    assert "receipt.queued" in [e.event for e in _all(app, AuditEvent) if e.contact_id == contact.id]
    page = client.get("/report/confirmation").get_data(as_text=True)
    assert "We have also sent an email to the address you gave" in page


def test_a_receipt_is_queued_once_per_contact(db_session):
    contact = create_contact(db_session)
    assert queue_receipt(db_session, contact) is not None
    assert queue_receipt(db_session, contact) is None
    db_session.commit()
    assert db_session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "receipt")) is not None
    assert len(db_session.scalars(select(OutboxMessage)).all()) == 1


NAMED = {"anonymous": "no", "referrer_name": "Sam Smith", "referrer_email": "sam@example.org"}


@pytest.mark.parametrize(("answers", "receipt"), [
    (examples.public_concern(anonymous="yes"), False),
    (examples.public_concern(**NAMED, safe_to_contact="no", safe_contact_way="none"), False),
    (examples.public_concern(**NAMED, safe_to_contact="yes"), True),
])
def test_a_member_of_the_public_gets_a_receipt_only_when_named_and_safe_to_email(db_session, answers, receipt):
    contact = create_contact(db_session, answers=answers)
    assert (queue_receipt(db_session, contact) is not None) is receipt


def test_the_receipt_is_sent_once_by_notify_even_when_the_worker_runs_twice(app, client, db_session):
    _sent(client)
    message = [m for m in _all(app, OutboxMessage) if m.kind == "receipt"][0]
    with FakeNotify() as notify:
        notify_sender = NotifySender(API_KEY, email_template_id=EMAIL_TEMPLATE, sms_template_id=SMS_TEMPLATE,
                                     base_url=notify.url, timeout=2)
        sender = RoutingSender(email=notify_sender, sms=notify_sender)
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
        assert send_due(db_session, sender, now=later) == 1
        assert send_due(db_session, sender, now=later + dt.timedelta(hours=3)) == 0
        assert len(notify.accepted) == 1
        sent = notify.accepted[0]
        assert sent["email_address"] == "dsl@oakfield.example"
        assert sent["personalisation"]["body"] == message.body
        assert "Jayden" not in sent["reference"] and "@" not in sent["reference"]
    db_session.expire_all()
    assert db_session.get(OutboxMessage, message.id).status == "sent"


# --- a bounce --------------------------------------------------------------------------------------------------------
def _callback(client, token, **body):
    return client.post("/notify/status", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_bounced_receipt_is_recorded_and_shown_to_staff_and_nothing_breaks(app, client, db_session):
    change_settings(app, notify_callback_token=CALLBACK_TOKEN)
    _sent(client)
    contact = _all(app, Contact)[0]
    message = [m for m in _all(app, OutboxMessage) if m.kind == "receipt"][0]
    reference = f"{contact.reference}/feedback-{message.id}"  # as NotifySender names it
    response = _callback(client, CALLBACK_TOKEN, id="6f0b", reference=reference, to="dsl@oakfield.example",
                         status="permanent-failure", notification_type="email")
    assert response.status_code == 200 and response.json == {"recorded": True}
    assert _callback(client, CALLBACK_TOKEN, reference=reference, status="permanent-failure").status_code == 200
    bounced = [m for m in _all(app, OutboxMessage) if m.id == message.id][0]
    assert bounced.status == "failed" and bounced.last_error == "Bounced (permanent-failure)"
    events = [e for e in _all(app, AuditEvent) if e.event == "receipt.bounced"]
    assert len(events) == 1 and events[0].contact_id == contact.id  # the same callback twice is one bounce
    # The contact is as it was, and staff see the bounce with the other messages.
    user, secret = create_staff(db_session)
    staff = app.test_client()
    sign_in(staff, user, secret)
    page = staff.get(f"/staff/contacts/{contact.id}")
    assert page.status_code == 200 and "Bounced (permanent-failure)" in page.get_data(as_text=True)
    assert _all(app, Contact)[0].status == contact.status


def test_the_callback_answers_only_notify_and_ignores_what_it_does_not_know(app, client):
    _sent(client)
    contact = _all(app, Contact)[0]
    message = [m for m in _all(app, OutboxMessage) if m.kind == "receipt"][0]
    reference = f"{contact.reference}/feedback-{message.id}"
    assert _callback(client, "anything", reference=reference, status="permanent-failure").status_code == 404
    change_settings(app, notify_callback_token=CALLBACK_TOKEN)
    assert _callback(client, "wrong-" + CALLBACK_TOKEN, reference=reference,
                     status="permanent-failure").status_code == 404
    for body in ({"reference": "FD-2026-999999/feedback-1", "status": "permanent-failure"},
                 {"reference": f"FD-2099-000001/feedback-{message.id}", "status": "permanent-failure"},
                 {"reference": "<script>", "status": "permanent-failure"}, {"status": "delivered"}, {}):
        response = _callback(client, CALLBACK_TOKEN, **body)
        assert response.status_code == 200 and response.json == {"recorded": False}
    assert client.post("/notify/status", data="not json", headers={
        "Authorization": f"Bearer {CALLBACK_TOKEN}"}).status_code == 200
    assert [m for m in _all(app, OutboxMessage) if m.id == message.id][0].status == "pending"


# --- the printable copy ------------------------------------------------------------------------------------------
def test_the_referrer_can_print_a_copy_of_what_they_sent_from_their_own_session_only(app, client):
    _sent(client)
    contact = _all(app, Contact)[0]
    confirmation = client.get("/report/confirmation").get_data(as_text=True)
    assert 'href="/report/copy"' in confirmation
    copy = client.get("/report/copy")
    html = copy.get_data(as_text=True)
    assert copy.status_code == 200 and contact.reference in html
    assert "Jayden" in html and "Priya Shah" in html and "Last night" in html  # the answers, as sent
    assert 'media="print"' in html and "print.css" in html
    assert copy.headers["Cache-Control"] == "no-store"
    other = app.test_client()
    assert other.get("/report/copy").location == "/report/"  # another browser: the start page, nothing sent
    assert contact.reference not in other.get("/report/copy", follow_redirects=True).get_data(as_text=True)


def test_a_copy_is_not_offered_to_a_member_of_the_public(app, client):
    _sent(client, examples.public_concern())
    assert client.get("/report/copy").status_code == 302
    assert 'href="/report/copy"' not in client.get("/report/confirmation").get_data(as_text=True)


def test_the_copy_is_gone_a_day_later(app, client):
    _sent(client)
    change_settings(app, draft_ttl_hours=0)
    assert client.get("/report/copy").status_code == 302
