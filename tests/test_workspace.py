"""The MASH workspace end to end through the web: claim, screen, decide, sign off, feedback, audit."""

import datetime as dt
import re

from sqlalchemy import select

from mash import audit
from mash.models import AgencyCheck, Contact, OutboxMessage
from mash.outbox import ConsoleSender, send_due
from tests.staff_support import create_contact, create_staff, sign_in


def version_of(client, contact_id):
    page = client.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_a_contact_from_arrival_to_feedback(app, db_session, tmp_path):
    contact = create_contact(db_session)
    practitioner, p_secret = create_staff(db_session, name="Pat Practitioner")
    manager, m_secret = create_staff(db_session, role="manager", name="Morgan Manager")
    pat, morgan = app.test_client(), app.test_client()
    sign_in(pat, practitioner, p_secret)
    sign_in(morgan, manager, m_secret)

    queue = pat.get("/staff/queue").get_data(as_text=True)
    assert contact.reference in queue and "Unclaimed" in queue
    assert pat.post("/staff/queue/next").location == f"/staff/contacts/{contact.id}"
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Release back to the queue" in page and "Jayden" in page and "bruising" in page

    # A police check without the parents' knowledge waits for a manager.
    pat.post(f"/staff/contacts/{contact.id}/checks", data={
        "agency": "police", "question": "Any call-outs to the address?", "without_parents_knowledge": "yes",
        "version": version_of(pat, contact.id)})
    check = db_session.scalars(select(AgencyCheck)).one()
    assert check.status == "awaiting_authorisation"
    morgan.post(f"/staff/contacts/{contact.id}/checks/{check.id}/authorise",
                data={"reason": "Telling the parents could put Jayden at risk."})
    pat.post(f"/staff/contacts/{contact.id}/checks/{check.id}/response",
             data={"response": "Two call-outs in October.", "version": version_of(pat, contact.id)})
    pat.post(f"/staff/contacts/{contact.id}/parents-informed", data={
        "informed": "no", "reason": "Strategy discussion first.", "version": version_of(pat, contact.id)})

    response = pat.post(f"/staff/contacts/{contact.id}/decision", data={
        "outcome": "strategy_s47", "level": "4", "rationale": "Disclosure plus police history.",
        "sharing_decision": "share", "sharing_reason": "Risk of significant harm.", "primary_need": "N1",
        "version": version_of(pat, contact.id)})
    assert "Decision recorded" in pat.get(response.location).get_data(as_text=True)

    # The practitioner cannot sign it off; the manager can.
    assert pat.post(f"/staff/contacts/{contact.id}/decisions/1/review", data={"review": "approve"}).status_code == 403
    assert "Awaiting sign-off" in morgan.get("/staff/queue?view=awaiting_signoff").get_data(as_text=True)
    morgan.post(f"/staff/contacts/{contact.id}/decisions/1/review",
                data={"review": "approve", "version": version_of(morgan, contact.id)})
    db_session.expire_all()
    contact = db_session.get(Contact, contact.id)
    assert contact.status == "decided" and contact.closed_at is not None

    sent = []
    send_due(db_session, ConsoleSender(tmp_path, echo=sent.append))
    assert db_session.scalars(select(OutboxMessage)).one().status == "sent" and sent
    page = morgan.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', history, re.S)][1:]
    expected = [("The referrer", "Received"), ("The referrer", "Consent recorded"),
                ("Pat Practitioner", "Claimed"), ("Pat Practitioner", "Asked a partner agency: Police"),
                ("Morgan Manager", "Authorised a check"), ("Pat Practitioner", "Recorded a partner agency"),
                ("Pat Practitioner", "Recorded whether the parents were told"),
                ("Pat Practitioner", "Recorded a decision: Strategy discussion"),
                ("Morgan Manager", "Signed off the decision"), ("The system", "Feedback to the referrer queued"),
                ("Morgan Manager", "Strategy discussion opened"), ("The system", "Feedback sent to the referrer")]
    found = [r for r in rows if "Viewed" not in r]
    assert len(found) == len(expected), found
    for row, (who, what) in zip(found, expected, strict=True):
        assert who in row and what in row, (row, who, what)
    assert "E-mail: sent" in page
    # the manager's reason for a check without the parents' knowledge, not a restatement of what was authorised
    authorised = next(r for r in found if "Authorised a check" in r)
    assert "Police, because: Telling the parents could put Jayden at risk." in authorised
    assert "checks without the parents' knowledge" not in authorised
    assert audit.verify(db_session).ok


def test_a_form_posted_after_someone_else_changed_the_contact_is_refused(app, db_session):
    contact = create_contact(db_session)
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    client.post(f"/staff/contacts/{contact.id}/claim")
    old = version_of(client, contact.id)
    client.post(f"/staff/contacts/{contact.id}/parents-informed", data={"informed": "yes", "version": old})
    response = client.post(f"/staff/contacts/{contact.id}/checks", data={
        "agency": "health", "question": "Known to health visiting?", "version": old})
    page = client.get(response.location).get_data(as_text=True)
    assert "Someone else changed this contact" in page
    assert db_session.scalars(select(AgencyCheck)).first() is None


def test_acting_on_a_contact_someone_else_holds_is_refused(app, db_session):
    contact = create_contact(db_session)
    a, a_secret = create_staff(db_session)
    b, b_secret = create_staff(db_session)
    ca, cb = app.test_client(), app.test_client()
    sign_in(ca, a, a_secret)
    sign_in(cb, b, b_secret)
    ca.post(f"/staff/contacts/{contact.id}/claim")
    response = cb.post(f"/staff/contacts/{contact.id}/claim")
    assert "Someone else is working on this contact" in cb.get(response.location).get_data(as_text=True)
    response = cb.post(f"/staff/contacts/{contact.id}/decision", data={
        "outcome": "nfa_advice", "level": "1", "rationale": "x", "sharing_decision": "share",
        "sharing_reason": "x", "primary_need": "N9", "version": str(contact.version)})
    assert "Claim this contact before working on it" in cb.get(response.location).get_data(as_text=True)


def test_viewing_a_contact_is_audited(app, db_session):
    contact = create_contact(db_session)
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    client.get(f"/staff/contacts/{contact.id}")
    events = [e.event for e in db_session.scalars(select(audit.AuditEvent))]
    assert "contact.viewed" in events
    assert client.get("/staff/contacts/9999").status_code == 404


def test_a_bad_strategy_time_is_a_message_not_a_crash(app, db_session):
    from mash.models import StrategyDiscussion
    contact = create_contact(db_session)
    db_session.add(StrategyDiscussion(contact_id=contact.id, due_at=dt.datetime.now(dt.UTC)))
    db_session.commit()
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    response = client.post(f"/staff/contacts/{contact.id}/strategy/1", data={"held_at": "yesterday-ish"})
    assert "Enter when the discussion was held" in client.get(response.location).get_data(as_text=True)


def test_staff_forms_need_their_csrf_token(database_url, tmp_path, db_session):
    from portal import create_app
    from tests.conftest import app_config

    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    contact = create_contact(db_session)
    user, secret = create_staff(db_session)
    client = app.test_client()
    page = client.get("/staff/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    import pyotp
    client.post("/staff/sign-in", data={"email": user.email, "password": "correct-horse-battery",
                                        "csrf_token": token.group(1)})
    page = client.get("/staff/sign-in/code").get_data(as_text=True)
    token = re.search(r'value="([^"]+)"[^>]*name="csrf_token"|name="csrf_token"[^>]*value="([^"]+)"', page)
    client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now(),
                                             "csrf_token": token.group(1) or token.group(2)})
    response = client.post(f"/staff/contacts/{contact.id}/claim")
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(Contact, contact.id).claimed_by_id is None


def test_hostile_cursors_and_versions_are_not_crashes(app, db_session):
    contact = create_contact(db_session)
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    for after in ("99999999999999999999.1.1", "1." + "9" * 40 + ".1", "-1.-1.-1", "a.b.c"):
        assert client.get(f"/staff/queue?after={after}").status_code == 200
    client.post(f"/staff/contacts/{contact.id}/claim")
    for version in ("²", "9" * 5000, "-1", ""):
        response = client.post(f"/staff/contacts/{contact.id}/parents-informed",
                               data={"informed": "yes", "version": version})
        assert response.status_code == 302
        assert "Someone else changed this contact" in client.get(response.location).get_data(as_text=True)


def test_an_administrator_manages_accounts_not_families(app, db_session):
    contact = create_contact(db_session)
    admin, secret = create_staff(db_session, role="admin")
    client = app.test_client()
    sign_in(client, admin, secret)
    assert client.get("/staff/queue").status_code == 403
    assert client.get(f"/staff/contacts/{contact.id}").status_code == 403
    assert client.get("/staff/").location == "/staff/dashboard"


def test_the_consent_record_shows_the_limits_set_and_agreement_passed_on_by_the_referrer(app, db_session):
    from forms import examples

    answers = {**examples.family_help_request(), "referrer_relationship": "grandparent",
               "has_parental_responsibility": "no", "pr_person_name": "Jo Taylor",
               "pr_person_agrees": "yes", "consent_limits": "yes but not the school"}
    contact = create_contact(db_session, journey="help", answers=answers)
    practitioner, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, practitioner, secret)
    page = re.sub(r"\s+", " ", client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True))
    assert "Jo Taylor — passed on by the referrer, not yet confirmed with them" in page
    assert "Limits they set" in page and "yes but not the school" in page
