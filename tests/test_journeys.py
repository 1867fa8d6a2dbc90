"""The two web journeys end to end through the Flask test client, every error state included."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from forms import examples
from forms.drafts import Draft
from forms.referral import CHILD_PAGE
from mash import audit
from mash.models import AuditEvent, Contact
from tests.conftest import app_config, csrf_token
from tests.journey_support import form_data, walk
from tests.staff_support import create_staff, sign_in


def count(db_session, model):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_professional_reports_a_concern_end_to_end(client, db_session):
    visited = walk(client, "report", examples.professional_concern())
    pages = [p.split("?")[0] for p in visited]
    assert pages[:5] == ["/report/danger", "/report/who", "/report/your-details", "/report/safeguarding-lead",
                         "/report/children/1"]
    assert "/report/about-you" not in pages and "/report/family-aware" not in pages
    assert pages[-3:] == ["/report/consent", "/report/check", "/report/confirmation"]
    page = client.get("/report/confirmation").get_data(as_text=True)
    reference = re.search(r"FD-\d{4}-\d{6}", page).group(0)
    assert "decide what to do by" in page and "We will tell you what we decided" in page
    contact = db_session.scalars(select(Contact)).one()
    assert contact.reference == reference and contact.rag == "red" and contact.channel == "web"
    assert contact.consent.status == "not_sought"
    assert [e.event for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq))][:2] == [
        "contact.received", "consent.recorded"]
    assert audit.verify(db_session).ok
    # The draft keeps no second copy of what was sent.
    assert db_session.scalars(select(Draft)).one().answers == {}


def test_a_member_of_the_public_reports_anonymously(client, db_session):
    visited = walk(client, "report", examples.public_concern())
    assert "/report/about-you" in visited and "/report/level" not in visited
    page = client.get("/report/confirmation").get_data(as_text=True)
    assert "You chose to stay anonymous" in page
    contact = db_session.scalars(select(Contact)).one()
    assert contact.referrer_anonymous and contact.referral_source == "9"


def test_a_parent_asks_for_help_end_to_end(client, db_session):
    visited = walk(client, "help", examples.family_help_request())
    assert [p.split("?")[0] for p in visited] == [
        "/help/danger", "/help/about-you", "/help/contact", "/help/children/1", "/help/children",
        "/help/help-needed", "/help/agreement", "/help/check", "/help/confirmation"]
    assert "Request sent" in client.get("/help/confirmation").get_data(as_text=True)
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "early_help" and contact.consent.status == "given"


def test_a_child_in_danger_gets_999_and_nothing_is_stored(client, db_session):
    client.post("/report/begin")
    response = client.post("/report/danger", data={"immediate_danger": "yes"})
    assert response.location == "/emergency"
    page = client.get("/emergency").get_data(as_text=True)
    assert 'call <strong><a class="govuk-link app-tel" href="tel:999">999</a></strong>' in page
    assert 'href="tel:01344351999">01344 351 999</a>' in page and "Nothing you have told us" in page
    assert count(db_session, Contact) == 0
    assert all(d.answers == {} for d in db_session.scalars(select(Draft)))


def refused(client, path: str, data: dict) -> str:
    """Post a page that has errors: the app redirects back to the same address (post/redirect/get), whose GET shows
    the errors; the page it shows is returned."""
    response = client.post(path, data=data)
    assert response.status_code == 303 and response.location == path, (response.status_code, response.location)
    page = client.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_empty_page_shows_a_govuk_error_summary(client):
    client.post("/report/begin")
    page = refused(client, "/report/danger", {})
    assert "<title>Error:" in page and "There is a problem" in page
    assert 'href="#immediate_danger"' in page and "Select yes if a child is in immediate danger right now" in page


def test_reloading_an_error_page_keeps_the_errors_and_what_was_typed_until_an_answer_is_saved(client):
    """A reload (or Back and Forward) of an error page is a GET: it never resends the form, and it shows the same
    errors and typed answers again, so a teacher does not retype the child page. Once saved, they are gone."""
    walk(client, "report", examples.professional_concern(), submit=False)
    typed = {"born": "yes", "first_name": "Jayden", "last_name": "Morris", "upn": "A12", "nhs_number": "1234567890"}
    first = refused(client, "/report/children/1", typed)
    again = client.get("/report/children/1").get_data(as_text=True)  # the reload
    for page in (first, again):
        assert "There is a problem" in page and 'value="A12"' in page and 'value="1234567890"' in page
    assert client.get("/report/check").status_code in (200, 302)  # another page, then Forward: still there
    assert "There is a problem" in client.get("/report/children/1").get_data(as_text=True)
    child = examples.professional_concern()["children"][0]
    client.post("/report/children/1", data=form_data(CHILD_PAGE, child))
    assert "There is a problem" not in client.get("/report/children/1").get_data(as_text=True)


def test_a_validation_error_keeps_what_was_typed(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    page = refused(client, "/report/your-details", {
        "referrer_name": "Priya Shah", "referrer_role": "DSL", "referrer_organisation": "Oakfield",
        "referrer_workplace": "school", "referrer_phone": "12345", "referrer_email": "not-an-email"})
    assert 'value="Priya Shah"' in page and 'value="12345"' in page
    assert "Enter a UK phone number" in page and "Enter an email address in the correct format" in page


def test_errors_in_dates_point_at_the_day_box(client):
    client.post("/report/begin")
    client.post("/report/danger", data={"immediate_danger": "no"})
    client.post("/report/who", data={"referrer_type": "public"})
    page = refused(client, "/report/children/1", {
        "born": "yes", "first_name": "A", "last_name": "B", "gender": "girl",
        "date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "2099"})
    assert 'href="#date_of_birth-day"' in page and "Date of birth must be today or in the past" in page
    assert 'value="2099"' in page


def test_the_back_button_finds_the_answers_already_given(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    page = client.get("/report/children/1").get_data(as_text=True)
    assert 'value="Jayden"' in page and 'name="date_of_birth-year"' in page
    page = client.get("/report/concern").get_data(as_text=True)
    assert "bruising to his upper arm" in page
    assert re.search(r'value="physical_abuse"\s+checked', page)


def test_changing_an_answer_from_the_check_page_returns_there(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    page = client.get("/report/check").get_data(as_text=True)
    assert "Check your answers" in page and "Priya Shah" in page and "Jayden Morris" in page
    response = client.post("/report/concern?return=check", data={
        "concern_categories": ["neglect"], "what_happened": "Changed", "child_location": "At school",
        "child_views": "Not known", "medical_attention": "no"})
    assert response.location == "/report/check"
    assert "Changed" in client.get("/report/check").get_data(as_text=True)


def test_early_help_level_without_consent_is_explained(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    client.post("/report/level", data={"suggested_level": "2", "level_reason": "Needs support"})
    page = refused(client, "/report/consent", {"parents_told": "yes", "consent": "not_asked",
                                                "not_asked_reason": "Not asked yet"})
    assert "Early help (level 2 or 3) needs the agreement" in page


def test_switching_to_public_after_answering_as_a_professional_sends_the_public_pages(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    response = client.post("/report/who?return=check", data={"referrer_type": "public"})
    assert response.location == "/report/about-you?return=check"
    response = client.post(response.location, data={"referrer_relationship": "family", "anonymous": "yes"})
    # "Have the parents been told?" was already answered on the professional page, so nothing is missing.
    assert response.location == "/report/check"
    page = client.get("/report/check").get_data(as_text=True)
    assert "Do you want to stay anonymous?" in page and "Job title" not in page


def test_adding_and_removing_a_second_child(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    response = client.post("/report/children", data={"add_another": "yes"})
    assert response.location == "/report/children/2"
    client.post("/report/children/2", data={"born": "no", "mother_name": "Kelly Morris", "due_date-day": "1",
                                            "due_date-month": "3", "due_date-year": str(dt.date.today().year + 1)})
    page = client.get("/report/children").get_data(as_text=True)
    assert "You have added 2 children" in page and "Unborn baby of Kelly Morris" in page
    client.post("/report/children/2/remove", data={"confirm": "yes"})
    assert "You have added 1 child" in client.get("/report/children").get_data(as_text=True)


def test_a_double_clicked_submit_makes_one_contact_and_the_same_confirmation(client, db_session):
    walk(client, "report", examples.professional_concern(), submit=False)
    with client.session_transaction() as sess:
        before = dict(sess)
    first = client.post("/report/check")
    with client.session_transaction() as sess:  # the second click still carries the old cookie
        sess.clear()
        sess.update(before)
    second = client.post("/report/check")
    assert first.location == second.location == "/report/confirmation"
    assert count(db_session, Contact) == 1
    assert re.search(r"FD-\d{4}-000001", client.get("/report/confirmation").get_data(as_text=True))


def test_a_submit_that_loses_the_race_shows_the_winners_confirmation(client, db_session, monkeypatch):
    walk(client, "report", examples.professional_concern(), submit=False)
    with client.session_transaction() as sess:
        before = dict(sess)
    answers = db_session.scalars(select(Draft)).one().answers
    client.post("/report/check")
    # Put the draft back as the second request saw it, and make it blind to the first's contact,
    # as if both clicks had started together.
    monkeypatch.setattr("mash.intake.find_by_idempotency_key", lambda session, key: None)
    with client.session_transaction() as sess:
        sess.clear()
        sess.update(before)
    db_session.expire_all()
    draft = db_session.scalars(select(Draft)).one()
    draft.answers, draft.submitted_reference = answers, None
    db_session.commit()
    response = client.post("/report/check")
    assert response.location == "/report/confirmation"
    assert count(db_session, Contact) == 1


def test_an_expired_draft_starts_again_without_losing_the_page_being_sent(client, db_session):
    walk(client, "report", examples.professional_concern(), submit=False)
    db_session.execute(update(Draft).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    db_session.commit()
    assert client.get("/report/check").location == "/report/"
    response = client.post("/report/danger", data={"immediate_danger": "no"})
    assert response.status_code == 302
    assert re.search(r'value="no"\s+checked', client.get("/report/danger").get_data(as_text=True))
    assert "Continue where you left off" in client.get("/report/").get_data(as_text=True)


def test_start_page_offers_to_carry_on(client, db_session):
    walk(client, "help", examples.family_help_request(), submit=False)
    page = client.get("/help/").get_data(as_text=True)
    assert "Continue where you left off" in page and "Start again" in page
    client.post("/help/begin", data={"fresh": "yes"})
    assert "Continue where you left off" not in client.get("/help/").get_data(as_text=True)
    # The old answers are gone from the server too, not just forgotten by the browser.
    db_session.expire_all()
    assert all(d.answers == {} for d in db_session.scalars(select(Draft)))


def test_the_draft_cookie_ends_with_the_browser(client):
    client.post("/report/begin")
    response = client.post("/report/danger", data={"immediate_danger": "no"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" not in cookie and "Max-Age" not in cookie


def test_a_family_that_does_not_agree_is_not_sent_but_is_signposted(client, db_session):
    client.post("/help/begin")
    answers = examples.family_help_request()
    client.post("/help/danger", data={"immediate_danger": "no"})
    client.post("/help/about-you", data={k: answers[k] for k in ("referrer_name", "referrer_relationship",
                                                                  "has_parental_responsibility")})
    response = client.post("/help/agreement", data={"consent_agree": "no"})
    assert response.location == "/help/stop/agreement"
    page = client.get(response.location).get_data(as_text=True)
    assert "we have not sent your request" in page and "0808 800 5000" in page
    assert count(db_session, Contact) == 0


def test_unknown_pages_are_404(client):
    assert client.get("/report/nope").status_code == 404
    assert client.get("/report/children/99").status_code == 302
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)


def test_exit_this_page_is_on_every_journey_question(client):
    client.post("/report/begin")
    for path in ("/report/", "/report/danger", "/report/who", "/help/help-needed"):
        assert "govuk-exit-this-page" in client.get(path).get_data(as_text=True), path


def test_pages_are_never_cached_and_carry_security_headers(client):
    response = client.get("/report/danger")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"  # see portal/__init__.py: forms over HTTPS


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_govuk_assets_are_served_locally(client):
    assert client.get("/assets/govuk-frontend.min.css").status_code == 200
    assert client.get("/assets/images/favicon.svg").status_code == 200
    assert client.get("/assets/../../package.json").status_code == 404


# --- CSRF, rate limits and the 500 page need their own app settings ------------------------------------

@pytest.fixture
def csrf_client(database_url, tmp_path):
    from portal import create_app

    return create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True)).test_client()


def test_a_missing_csrf_token_is_refused_and_the_typed_answer_kept(csrf_client, db_session):
    csrf_client.post("/report/begin", data={"csrf_token": csrf_token(csrf_client.get("/report/").get_data(True))})
    response = csrf_client.post("/report/who", data={"referrer_type": "professional"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page was open for a long time" in page
    assert re.search(r'value="professional"\s+checked', page)
    # Nothing was saved from the refused post; the fresh token on the page lets it through.
    retry = csrf_client.post("/report/who", data={"referrer_type": "professional", "csrf_token": csrf_token(page)})
    assert retry.status_code == 302


def test_a_stale_csrf_token_on_begin_gets_the_friendly_400(csrf_client):
    response = csrf_client.post("/report/begin", data={"csrf_token": "stale"})
    assert response.status_code == 400 and "there is a problem with the request" in response.get_data(True)


def test_submissions_are_rate_limited(database_url, tmp_path):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True, PAGE_RATE_LIMIT="3 per minute"))
    client = app.test_client()
    client.post("/report/begin")
    statuses = [client.post("/report/danger", data={}).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert "too many attempts" in client.post("/report/danger", data={}).get_data(as_text=True)


def test_an_unexpected_error_gets_the_friendly_500_without_details(database_url, tmp_path, monkeypatch, caplog):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, PROPAGATE_UNEXPECTED=False))
    client = app.test_client()
    walk(client, "report", examples.professional_concern(), submit=False)

    def broken(*args, **kwargs):
        raise RuntimeError("Priya Shah's referral failed")

    monkeypatch.setattr("portal.journeys.receive_referral", broken)
    response = client.post("/report/check")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Your answers so far have been kept" in page
    assert "Priya" not in page and "Priya" not in caplog.text
    # The draft survived, so sending again later works.
    monkeypatch.undo()
    assert client.post("/report/check").location == "/report/confirmation"


def test_behind_a_proxy_each_client_has_its_own_rate_limit(database_url, tmp_path):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True, PAGE_RATE_LIMIT="2 per minute",
                                PROXY_FIX_HOPS=1))
    school, parent = app.test_client(), app.test_client()
    for c in (school, parent):
        c.post("/report/begin")
    school_statuses = [school.post("/report/danger", headers={"X-Forwarded-For": "198.51.100.7"}).status_code
                       for _ in range(3)]
    parent_status = parent.post("/report/danger", headers={"X-Forwarded-For": "203.0.113.9"}).status_code
    assert school_statuses == [303, 303, 429] and parent_status == 303


def test_carrying_on_asks_the_danger_question_again(client, db_session):
    walk(client, "report", examples.professional_concern(), submit=False)
    response = client.post("/report/begin")
    assert response.location == "/report/danger"
    # Still no danger: straight back to where they were (everything is answered, so the check page).
    assert client.post("/report/danger", data={"immediate_danger": "no"}).location == "/report/check"


def test_a_later_yes_to_danger_means_the_old_draft_cannot_be_sent(client, db_session):
    walk(client, "report", examples.professional_concern(), submit=False)
    assert client.post("/report/danger", data={"immediate_danger": "yes"}).location == "/emergency"
    assert client.get("/report/check").location == "/report/danger?return=check"
    assert client.post("/report/check").location == "/report/danger?return=check"
    assert count(db_session, Contact) == 0


def test_exit_this_page_forgets_everything_typed_on_this_device(client, db_session):
    walk(client, "help", examples.family_help_request(), submit=False)
    page = client.get("/help/contact").get_data(as_text=True)
    assert 'href="/exit"' in page
    response = client.get("/exit")
    assert response.location == "https://www.bbc.co.uk/weather"
    assert count(db_session, Draft) == 0
    assert "Continue where you left off" not in client.get("/help/").get_data(as_text=True)


def test_exit_this_page_leaves_a_staff_sign_in_alone(client, db_session):
    # A practitioner trying the family's journey on their own browser: quick exit forgets the family's answers,
    # the chat and the shortlist, and the practitioner is still signed in.
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    walk(client, "help", examples.family_help_request(), submit=False)
    with client.session_transaction() as session:
        session["chat_token"], session["shortlist"] = "a-chat", [1]
    assert client.get("/exit").location == "https://www.bbc.co.uk/weather"
    assert count(db_session, Draft) == 0
    with client.session_transaction() as session:
        assert not [key for key in session if key.startswith("draft:") or key in ("chat_token", "shortlist")]
    assert client.get("/staff/queue").status_code == 200


def test_exit_this_page_linked_from_another_site_only_leaves(client, db_session):
    walk(client, "help", examples.family_help_request(), submit=False)
    response = client.get("/exit", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.location == "https://www.bbc.co.uk/weather"
    assert count(db_session, Draft) == 1
    assert "Continue where you left off" in client.get("/help/").get_data(as_text=True)
    client.get("/exit", headers={"Sec-Fetch-Site": "same-origin"})  # the page's own button, as browsers mark it
    assert count(db_session, Draft) == 0


def test_the_remove_page_title_names_no_one(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    page = client.get("/report/children/1/remove").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Jayden" not in title and "child 1" in title
    assert "Are you sure you want to remove Jayden Morris?" in page


def test_old_drafts_are_deleted_when_a_new_one_starts(client, db_session):
    walk(client, "help", examples.family_help_request(), submit=False)
    db_session.execute(update(Draft).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    db_session.commit()
    other = client.application.test_client()
    other.post("/help/begin")
    other.post("/help/danger", data={"immediate_danger": "no"})
    assert count(db_session, Draft) == 1


def test_every_answer_typed_on_the_web_is_encrypted_at_rest(client, db_session, database_url):
    from pathlib import Path

    walk(client, "report", examples.public_concern(anonymous="no", referrer_name="Morag Quill",
                                                    referrer_phone="+447700900555", safe_to_contact="yes"))
    walk(client, "help", examples.family_help_request(), submit=False)  # left as a draft
    raw = b"".join(p.read_bytes() for p in Path(database_url.removeprefix("sqlite:///")).parent.glob("frontdoor.db*"))
    for secret in ("Morag Quill", "+447700900555", "Lily", "Evans", "left alone in the flat", "Sam Taylor",
                   "+447700900982", "Alfie", "RG40 2AB", "RG41 2YA", "Mornings", "we argue every morning"):
        assert secret.encode() not in raw, secret


def test_the_group_page_refuses_a_post_without_a_csrf_token(csrf_client):
    token = csrf_token(csrf_client.get("/report/").get_data(True))
    csrf_client.post("/report/begin", data={"csrf_token": token})
    for path, data in (("/report/danger", {"immediate_danger": "no"}), ("/report/who", {"referrer_type": "public"})):
        page = csrf_client.get(path).get_data(True)
        csrf_client.post(path, data={**data, "csrf_token": csrf_token(page)})
    child = csrf_client.get("/report/children/1").get_data(True)
    csrf_client.post("/report/children/1", data={"born": "yes", "first_name": "A", "last_name": "B",
                                                 "gender": "girl", "date_of_birth-day": "1",
                                                 "date_of_birth-month": "1", "date_of_birth-year": "2020",
                                                 "csrf_token": csrf_token(child)})
    response = csrf_client.post("/report/children", data={"add_another": "no"})
    assert response.status_code == 400 and "This page was open for a long time" in response.get_data(True)


def test_danger_in_the_words_of_a_referral_makes_it_red_and_says_call_999(client, db_session):
    # A help request whose words signal danger now goes to the head of the queue, whatever was ticked.
    answers = examples.family_help_request(what_happened="hes been drinkin and hes got the baby, im scared")
    walk(client, "help", answers)
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and "danger_now:intoxicated_carer_with_child" in contact.safety_flags
    page = client.get("/help/confirmation").get_data(as_text=True)
    assert "suggests someone may be in danger now" in page and "call 999" in page
    received = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.received")).one()
    assert "drinkin" not in str(received.details)  # the audit keeps the categories, never the words


def test_ordinary_words_stay_green(client, db_session):
    walk(client, "help", examples.family_help_request())
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "green" and not [f for f in contact.safety_flags if f.startswith("danger_now")]
    assert "danger now" not in client.get("/help/confirmation").get_data(as_text=True)


def test_danger_written_in_any_free_text_answer_is_screened(client, db_session):
    children = [dict(examples.professional_concern()["children"][0],
                     additional_needs="he locked me in my room and wont let me out")]
    walk(client, "report", examples.professional_concern(children=children, concern_categories=["other"],
                                                         alleged_perpetrator="no", suggested_level="1",
                                                         household_factors=["none_known"],
                                                         what_happened="See the child's needs."))
    contact = db_session.scalars(select(Contact)).one()
    # screened: red at once; a professional who answered "no one is in immediate danger" is not sent to the 999
    # page by what they wrote, so the reason is a check now (tests/test_form_screening.py)
    assert contact.rag == "red" and any(f.startswith("check_now:") for f in contact.safety_flags)


def test_over_https_a_form_sent_as_a_browser_sends_it_is_accepted(database_url, tmp_path):
    """Found by the production profile's test: the portal told browsers to send no Referer, and over HTTPS
    Flask-WTF refuses a form without one, so every form failed in production (400). A browser sends the
    Referer its page's Referrer-Policy allows; this one does the same."""
    from portal import create_app
    from tests.conftest import app_config, csrf_token

    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    page = client.get("/report/", base_url="https://frontdoor.example.org", follow_redirects=True)
    policy = page.headers["Referrer-Policy"]
    assert policy in {"same-origin", "strict-origin", "strict-origin-when-cross-origin", "origin"}
    sent = client.post("/report/begin", base_url="https://frontdoor.example.org",
                       data={"csrf_token": csrf_token(page.get_data(as_text=True))},
                       headers={} if policy == "no-referrer" else {"Referer": "https://frontdoor.example.org/report"})
    assert sent.status_code == 302
    elsewhere = client.post("/report/begin", base_url="https://frontdoor.example.org",
                            data={"csrf_token": csrf_token(page.get_data(as_text=True))},
                            headers={"Referer": "https://evil.example.com/"})
    assert elsewhere.status_code == 400  # another site's form is still refused


def test_the_check_pages_card_links_name_the_person_once(client):
    """The live probe: a screen reader heard "Change Jayden Morris (Jayden Morris)": GOV.UK Frontend's summary card
    already adds the card's title to its actions' hidden text."""
    walk(client, "report", examples.professional_concern(), submit=False)
    page = client.get("/report/check").get_data(as_text=True)
    hidden = re.findall(r'<span class="govuk-visually-hidden">([^<]*)</span>', page)
    assert any("(Jayden Morris)" in h for h in hidden)
    assert not any(h.count("Jayden Morris") > 1 for h in hidden)


def test_a_phone_number_comes_back_to_its_page_as_people_write_it(client):
    """The live probe: Back to a page showed the number typed as 07700 900456 as +447700900456."""
    walk(client, "help", examples.family_help_request(referrer_phone="07700 900456"), submit=False)
    pages = [client.get(f"/help/{slug}").get_data(as_text=True) for slug in ("about-you", "contact")]
    shown = [p for p in pages if "900456" in p]
    assert shown and all('value="07700 900456"' in p and "+447700900456" not in p for p in shown)


@pytest.mark.parametrize(("journey", "answers", "slug", "question"), [
    ("report", examples.professional_concern, "level", "Which level of need do you think applies?"),
    ("help", examples.family_help_request, "help-needed", "What would you like help with?"),
])
def test_a_page_whose_first_question_is_its_title_asks_it_once_as_its_heading(client, journey, answers, slug,
                                                                                 question):
    """The probe: the page's h1 and then its first question said the same words twice."""
    walk(client, journey, answers(), submit=False)
    page = client.get(f"/{journey}/{slug}").get_data(as_text=True)
    main = page[page.index("<main"):]
    assert main.count(question) == 1, main.count(question)
    heading = re.search(r'<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">\s*<h1 '
                        r'class="govuk-fieldset__heading">\s*([^<]*?)\s*</h1>', main)
    assert heading and heading.group(1) == question
