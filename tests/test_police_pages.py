"""The issue 6 staff pages through the Flask test client: triage, CSV upload, return interviews, handovers."""

import datetime as dt
import io
import re

import pyotp
from sqlalchemy import select

from mash.claims import claim
from mash.models import DomesticAbuseNotification, Handover, ReturnInterview, TriageMeeting
from mash.police import CSV_COLUMNS
from tests.conftest import app_config
from tests.police_support import LONDON, da, missing, receive
from tests.staff_support import create_contact, create_staff, sign_in


def signed_in(app, db_session, role="practitioner", name=None):
    user, secret = create_staff(db_session, role=role, name=name)
    client = app.test_client()
    sign_in(client, user, secret)
    return client, user


def now_minus(hours):
    return dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)


def fresh(session, data):
    return receive(session, data, now=dt.datetime.now(dt.UTC))


def test_the_triage_queue_and_a_notification_page(app, db_session):
    contact = create_contact(db_session)
    client, pat = signed_in(app, db_session, name="Pat Practitioner")
    assert claim(db_session, contact.id, pat)
    db_session.commit()
    red = fresh(db_session, da(reference="TVP/DA/RED", grade="high", ticks=18, children=[
        {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": contact.children[0].date_of_birth}]))
    fresh(db_session, da(reference="TVP/DA/GREEN", address="1 Far Rd", postcode="RG9 9ZZ", children=[]))
    page = client.get("/staff/police").get_data(as_text=True)
    assert page.index("TVP/DA/RED") < page.index("TVP/DA/GREEN")
    assert "Criteria met" in page and "Pat Practitioner" in page
    assert "Jayden" not in page and "Elm Road" not in page  # the queue shows no personal details
    detail = client.get(f"/staff/police/notifications/{red.id}").get_data(as_text=True)
    assert "Jayden" in detail and "12 Elm Road" in detail and "MARAC referral criteria met" in detail
    # a link, not its markup shown as text (a name concatenated escaped the whole string once)
    assert f'<a class="govuk-link" href="/staff/contacts/{contact.id}">the open contact</a>, held by Pat Practitioner' \
        in detail


def test_a_grade_change_without_a_reason_is_refused_on_the_page(app, db_session):
    client, _ = signed_in(app, db_session)
    n = fresh(db_session, da())
    url = f"/staff/police/notifications/{n.id}"
    response = client.post(f"{url}/grade", data={"grade": "high", "reason": ""}, follow_redirects=True)
    assert "Enter why the grade should change" in response.get_data(as_text=True)
    response = client.post(f"{url}/grade", data={"grade": "high", "reason": "Weapon mentioned"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Grade changed" in page and "Weapon mentioned" in page
    db_session.expire_all()
    assert db_session.get(DomesticAbuseNotification, n.id).rag == "red"


def test_a_triage_meeting_is_recorded_through_the_form(app, db_session):
    client, _ = signed_in(app, db_session)
    n = fresh(db_session, da())
    url = f"/staff/police/notifications/{n.id}"
    # A datetime-local field has minutes only: a meeting in the minute the notification arrived is not "before" it.
    held = dt.datetime.now(LONDON).strftime("%Y-%m-%dT%H:%M")
    form = {"held_at": held, "agency": ["social_care", "education", ""], "name": ["Sam", "Jo", ""],
            "role": ["SW", "DSL", ""], "decision-0": "early_help_offer", "consent-0": ""}
    page = client.post(f"{url}/meeting", data=form, follow_redirects=True).get_data(as_text=True)
    assert "needs the agreement of a person with parental responsibility" in page
    form |= {"consent-0": "given", "consent-by-0": "Kelly Morris, mother",
             "consent-authority-0": "parental_responsibility"}
    page = client.post(f"{url}/meeting", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Triage meeting recorded" in page and "The police did not attend" in page
    assert "Kelly Morris, mother" in page
    assert db_session.scalars(select(TriageMeeting)).one().police_attended is False
    assert "No notifications are waiting" in client.get("/staff/police").get_data(as_text=True)


def csrf_token(html):
    # Both spellings: our hidden inputs, and Flask-WTF's rendered form.csrf_token.
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def csv_file(rows):
    text = ",".join(CSV_COLUMNS) + "\n" + "\n".join(rows) + "\n"
    return io.BytesIO(text.encode("utf-8-sig"))


def test_a_csv_upload_reports_bad_lines_and_loads_the_rest(app, db_session):
    client, _ = signed_in(app, db_session)
    rows = ['domestic_abuse,TVP/DA/U1,2026-11-20T21:00,,,"1 Ash Road",RG1 1AA,,Tom|Lee|2018-01-02|present,'
            'medium,11,yes,Shouting',
            'domestic_abuse,TVP/DA/U2,2026-11-20T21:00,,,"2 Ash Road",RG1 1AA,,,extreme,11,yes,x']
    response = client.post("/staff/police/upload", data={"file": (csv_file(rows), "n.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 notifications added, 0 already held, 1 rows refused" in page
    assert "Line 3: dash_grade must be standard, medium or high" in page


def test_a_large_upload_passes_the_csrf_check_for_a_signed_in_uploader(database_url, tmp_path, db_session):
    from portal import create_app

    # CSRF on, and a page limit far smaller than the file: the upload route alone allows more.
    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=4096))
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in_page = client.get("/staff/sign-in").get_data(as_text=True)
    client.post("/staff/sign-in", data={"email": user.email, "password": "correct-horse-battery",
                                        "csrf_token": csrf_token(sign_in_page)})
    code_page = client.get("/staff/sign-in/code").get_data(as_text=True)
    client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(code_page)})
    token = csrf_token(client.get("/staff/police/upload").get_data(as_text=True))
    rows = [f'domestic_abuse,TVP/DA/L{i},2026-11-20T21:00,,,"{i} Long Road",RG1 1AA,,,standard,3,yes,'
            + "x" * 100 for i in range(100)]
    response = client.post("/staff/police/upload", data={"file": (csv_file(rows), "n.csv"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.status_code
    assert "100 notifications added" in response.get_data(as_text=True)
    # An anonymous post of the same size is refused before the body is read.
    anonymous = app.test_client().post("/staff/police/upload", data={"file": (csv_file(rows), "n.csv")},
                                       content_type="multipart/form-data")
    assert anonymous.status_code == 413, anonymous.status_code  # too large for anyone not allowed to upload


def test_return_interview_pages(app, db_session):
    client, pat = signed_in(app, db_session, name="Pat Practitioner")
    back = now_minus(80).isoformat()
    e = fresh(db_session, missing(went=now_minus(100).isoformat(), returned=back))
    listing = client.get("/staff/missing?view=overdue").get_data(as_text=True)
    assert e.police_reference in listing and "Overdue since" in listing
    page = client.get(f"/staff/missing/{e.id}").get_data(as_text=True)
    assert "Casey Lane" in page and "(overdue)" in page
    interview = db_session.scalars(select(ReturnInterview)).one()
    response = client.post(f"/staff/missing/interviews/{interview.id}", data={"step": "offered"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Return home interview updated" in page and "by Pat Practitioner" in page
    assert e.police_reference not in client.get("/staff/missing?view=overdue").get_data(as_text=True)


def test_recording_a_return_on_the_page(app, db_session):
    client, _ = signed_in(app, db_session)
    e = fresh(db_session, missing(went=now_minus(10).isoformat(), returned=None))
    back = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).astimezone(dt.UTC)
    from zoneinfo import ZoneInfo

    local = back.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")
    page = client.post(f"/staff/missing/{e.id}/return", data={"returned_at": local, "return_kind": "found"},
                       follow_redirects=True).get_data(as_text=True)
    assert "the return home interview is due in 72 hours" in page
    assert db_session.scalars(select(ReturnInterview)).one().status == "due"


def test_handover_pages_from_call_to_the_day_team(app, db_session):
    edt, _ = signed_in(app, db_session, name="Eddie Duty")
    day, _ = signed_in(app, db_session, name="Dana Day")
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = edt.post("/staff/handovers/new", data={"received_at": when, "caller": "A neighbour"})
    assert response.status_code == 400 and "Enter what happened" in response.get_data(as_text=True)
    response = edt.post("/staff/handovers/new", data={"received_at": when, "what_happened": "A child alone at home"})
    item = db_session.scalars(select(Handover)).one()
    assert response.location == f"/staff/handovers/{item.id}"
    page = edt.post(f"/staff/handovers/{item.id}/complete", data={
        "what_happened": "A child alone at home", "action_taken": "Police attended", "rationale": "",
        "day_team_actions": "Visit"}, follow_redirects=True).get_data(as_text=True)
    assert "cannot be completed without: why" in page
    edt.post(f"/staff/handovers/{item.id}/complete", data={
        "what_happened": "A child alone at home", "action_taken": "Police attended",
        "rationale": "Mother back within the hour", "day_team_actions": "Visit"})
    queue = day.get("/staff/handovers").get_data(as_text=True)
    assert "Ready for the day team" in queue and "A child alone" not in queue
    page = day.get(f"/staff/handovers/{item.id}").get_data(as_text=True)
    assert "Mother back within the hour" in page
    day.post(f"/staff/handovers/{item.id}/acknowledge")
    assert "No handovers are waiting" in day.get("/staff/handovers").get_data(as_text=True)


def test_an_out_of_hours_contact_shows_in_the_handover_queue(app, db_session):
    saturday = dt.datetime(2026, 11, 28, 11, 0, tzinfo=dt.UTC)
    contact = create_contact(db_session, received_at=saturday)
    client, _ = signed_in(app, db_session)
    # a contact that simply arrived out of hours is left out of the list (issue 15 item 6), counted, and shown on ask
    listed = client.get("/staff/handovers").get_data(as_text=True)
    assert "1 contact arrived out of hours with nothing recorded" in listed
    page = client.get("/staff/handovers?all=1").get_data(as_text=True)
    # nobody is writing anything for a contact that simply arrived out of hours: the page says so
    assert f"Contact {contact.reference}" in page and "Being written" not in page
    assert "Arrived out of hours: nothing recorded by the emergency duty team" in page


def test_an_administrator_cannot_see_notifications(app, db_session):
    client, _ = signed_in(app, db_session, role="admin")
    fresh(db_session, da())
    for url in ("/staff/police", "/staff/missing", "/staff/handovers", "/staff/police/upload"):
        assert client.get(url).status_code == 403, url
