"""The demonstration data shows the one intake (issue 14's done-when): after `make run`, a demo police notification
decided "refer to the MASH" is a contact in the queue carrying the notification, and an out-of-hours call is a
contact in the handover."""

from sqlalchemy import func, select

from mash import handover
from mash.models import Contact, ContactNotification, Handover
from portal.demo import DEMO_REFERRED_NOTIFICATION, load_demo_contacts, load_demo_decisions, load_demo_staff
from portal.police_api import load_demo_notifications


def test_the_demo_refers_a_notification_and_records_a_call_once(db_session):
    load_demo_contacts(db_session)
    load_demo_staff(db_session)
    load_demo_notifications(db_session)
    added = load_demo_decisions(db_session)
    db_session.commit()
    assert len(added) == 2
    joined, link = db_session.scalars(select(ContactNotification).order_by(ContactNotification.id)).all()
    assert link.notification.police_reference == DEMO_REFERRED_NOTIFICATION and link.created
    referred = link.contact
    # Jayden joins his open demo referral (the same name and date of birth); Ruby is a new contact
    assert referred.channel == "police" and [c.first_name for c in referred.children] == ["Ruby"]
    assert not joined.created and joined.contact.idempotency_key == "demo:1"
    call = db_session.scalars(select(Handover).where(Handover.source == "call")).one()
    assert call.contact.channel == "phone" and call.contact.children[0].first_name == "Noah"
    assert call in handover.day_team_queue(db_session)
    assert referred.closed_at is None and call.contact.closed_at is None  # both in the MASH queue
    before = db_session.scalar(select(func.count()).select_from(Contact))
    assert load_demo_decisions(db_session) == []
    assert db_session.scalar(select(func.count()).select_from(Contact)) == before


def test_the_demo_has_a_danger_text_that_the_red_text_filter_finds_once(db_session):
    """Issue 15's done-when filters the demo queue to red text contacts: the demo's text message, run through the
    real pipeline (screened, stored, answered), must be one, and loading twice adds nothing."""
    from mash.queue import Filters, queue_page
    from portal.demo import _demo_practitioner, load_demo_text

    load_demo_staff(db_session)
    db_session.commit()
    assert load_demo_text(db_session) == ["a text message about a baby in danger now"]
    practitioner = _demo_practitioner(db_session)
    page = queue_page(db_session, practitioner, filters=Filters(colour="red", channel="sms"))
    assert len(page.contacts) == 1
    contact = page.contacts[0]
    assert contact.channel == "sms" and contact.rag == "red" and contact.closed_at is None
    assert load_demo_text(db_session) == []
    assert db_session.scalar(select(func.count()).select_from(Contact).where(Contact.channel == "sms")) == 1
