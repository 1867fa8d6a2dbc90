"""The one intake through the staff pages: an out-of-hours call and a police triage decision become contacts in the
MASH queue (issue 14, item 1)."""

import datetime as dt

from sqlalchemy import func, select

from mash.models import Contact, Handover
from tests.staff_support import create_staff, sign_in


def signed_in(app, db_session, role="practitioner", name=None):
    user, secret = create_staff(db_session, role=role, name=name)
    client = app.test_client()
    sign_in(client, user, secret)
    return client, user


def test_an_out_of_hours_call_on_the_form_is_a_contact_in_the_queue_and_the_handover(app, db_session):
    edt, _ = signed_in(app, db_session, name="Eddie Duty")
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    form = {"received_at": when, "caller": "A neighbour", "what_happened": "Shouting and a child crying",
            "child_first_name": "Casey", "child_last_name": "Lane", "child_date_of_birth": "2014-03-02",
            "child_postcode": "RG1 2AB", "child_nhs_number": "943 476 5918"}
    page = edt.get("/staff/handovers/new").get_data(as_text=True)
    assert 'name="child_nhs_number"' in page and 'name="child_date_of_birth"' in page
    response = edt.post("/staff/handovers/new", data=form)
    assert response.status_code == 400 and "Enter a real NHS number" in response.get_data(as_text=True)
    assert 'value="Casey"' in response.get_data(as_text=True)  # nothing typed is lost
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 0
    response = edt.post("/staff/handovers/new", data={**form, "child_nhs_number": "943 476 5919"},
                        follow_redirects=True)
    page = response.get_data(as_text=True)
    contact = db_session.scalars(select(Contact)).one()
    item = db_session.scalars(select(Handover)).one()
    assert item.contact_id == contact.id and contact.channel == "phone"
    assert f"contact {contact.reference} is in the MASH queue" in page and "Casey Lane, born 2014-03-02" in page
    assert f"Call: contact {contact.reference}" in edt.get("/staff/handovers").get_data(as_text=True)
    assert contact.reference in edt.get("/staff/queue").get_data(as_text=True)
    assert "Shouting and a child crying" in edt.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)


def test_an_out_of_hours_call_about_an_unknown_child_on_the_form(app, db_session):
    edt, _ = signed_in(app, db_session)
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = edt.post("/staff/handovers/new", data={"received_at": when, "what_happened": "Shouting from a flat"},
                        follow_redirects=True)
    assert "Not known" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 1


def test_a_triage_decision_to_refer_is_a_contact_in_the_queue_with_the_notification_on_it(app, db_session):
    from mash.models import ContactNotification
    from tests.police_support import LONDON, da, receive

    client, _ = signed_in(app, db_session)
    stored = receive(db_session, da(reference="TVP/DA/REFER", grade="high", ticks=15), now=dt.datetime.now(dt.UTC))
    url = f"/staff/police/notifications/{stored.id}"
    form = {"held_at": dt.datetime.now(LONDON).strftime("%Y-%m-%dT%H:%M"), "agency": ["police", "social_care"],
            "name": ["DS Reed", "Sam"], "role": ["", ""], "decision-0": "refer_to_mash"}
    page = client.post(f"{url}/meeting", data=form, follow_redirects=True).get_data(as_text=True)
    contact = db_session.scalars(select(Contact)).one()
    assert "Triage meeting recorded" in page and "In the MASH queue" in page
    assert f"/staff/contacts/{contact.id}" in page and f"Contact {contact.reference}" in page
    assert contact.reference in client.get("/staff/queue").get_data(as_text=True)
    detail = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "From a police domestic abuse notification" in detail and "TVP/DA/REFER" in detail
    assert f'href="{url}"' in detail and "refer to the MASH as a concern" in detail
    # The same decision posted again (a second tab, a double click) is refused and sends nothing more.
    page = client.post(f"{url}/meeting", data=form, follow_redirects=True).get_data(as_text=True)
    assert "already recorded" in page
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 1
    assert db_session.scalar(select(func.count()).select_from(ContactNotification)) == 1
