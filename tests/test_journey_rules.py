"""Issue 16's rules of the web journeys: urgency, no tip-off, safe contact, Back links, Exit this page, tappable
numbers, and no question whose answer was already given. Driven through the Flask test client like a browser."""

from __future__ import annotations

import re

from sqlalchemy import select

from forms import examples
from mash.clock import describe_due
from mash.describe import rank_reasons
from mash.models import Contact, Decision
from mash.outbox import queue_feedback
from portal.config import working_calendar
from tests.journey_support import walk

MASH = "0118 496 0000"
OUT_OF_HOURS = "01344 351 999"
SUGGESTION = {"name": "Parenting Together group", "href": "/services/x", "contact": "0118 000 0000",
              "contact_href": None, "distance": None}


def page_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def back_link(html: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" class="govuk-back-link">Back</a>', html)
    return match.group(1).replace("&amp;", "&") if match else None


def tappable(number: str) -> str:
    return f'href="tel:{number.replace(" ", "")}">{number}</a>'


def only_contact(db_session) -> Contact:
    db_session.rollback()
    return db_session.scalars(select(Contact)).one()


# --- 1. Urgency ---------------------------------------------------------------------------------------------------
def test_a_teacher_who_says_the_child_is_not_safe_to_go_home_is_told_to_ring_now_and_the_contact_is_red(
        app, client, db_session):
    answers = examples.professional_concern(
        alleged_perpetrator="no", concern_categories=["neglect"], household_factors=["none_known"],
        what_happened="His mum has not collected him on time this week.", suggested_level="3",
        level_reason="Neglect", parents_told="yes", consent="yes", consent_given_by="Kelly Morris",
        consent_given_by_relationship="parent", consent_covers=["children", "parents"], safe_tonight="no")
    visited = [p.split("?")[0] for p in walk(client, "report", answers)]
    assert visited[visited.index("/report/today") + 1] == "/report/ring-now"  # then on with the referral
    assert visited[-1] == "/report/confirmation"

    contact = only_contact(db_session)
    assert contact.rag == "red" and "not_safe_to_go_home" in contact.safety_flags
    assert "The referrer says the child is not safe to go home today" in rank_reasons(contact.safety_flags,
                                                                                       contact.rag)
    # the contact's own clock: red is decided within 4 office hours of arriving, not by the next working day
    with app.app_context():
        calendar = working_calendar()
    assert contact.decision_due_at == calendar.contact_due(contact.received_at, "red")

    page = page_text(client, "/report/confirmation")
    assert "Ring us now" in page and tappable(MASH) in page and tappable(OUT_OF_HOURS) in page
    assert "We have marked this as urgent" in page
    assert describe_due(contact.decision_due_at, calendar) in page
    # the clock's deadline may be tomorrow morning: given as the latest, after "do not wait" (the live probe)
    assert "Do not wait for our decision if something must happen today" in page and "at the latest" in page
    # it has been sent: the confirmation does not invite sending it again, as the ring-now page did
    assert "You can still send this referral" not in page
    assert "We have your referral and we are treating it as urgent" in page
    assert "If you have not already rung us, ring now" in page


def test_the_ring_now_page_gives_both_numbers_and_still_lets_the_referral_be_sent(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    response = client.post("/report/today", data={"safe_tonight": "yes", "needs_today": "yes",
                                                 "needs_today_what": "A medical examination of his arm"})
    assert response.status_code == 302 and response.location == "/report/ring-now"
    page = page_text(client, "/report/ring-now")
    assert tappable(MASH) in page and tappable(OUT_OF_HOURS) in page
    assert back_link(page) == "/report/today"
    continue_to = re.search(r'<a href="([^"]+)"[^>]*class="govuk-button"', page).group(1)
    assert continue_to == "/report/family"
    assert "You can still send this referral" in page  # not sent yet
    assert "Ring us now" in page_text(client, "/report/check")  # the check page says it again


def test_something_needed_today_makes_the_contact_red_with_its_reason(client, db_session):
    walk(client, "report", examples.public_concern(
        what_happened="Her mum seems very low and the flat is a mess.", needs_today="yes",
        needs_today_what="Someone should visit today"))
    contact = only_contact(db_session)
    assert contact.rag == "red" and "needs_action_today" in contact.safety_flags
    assert rank_reasons(contact.safety_flags, contact.rag)[0] == "The referrer says something must happen today"


def test_what_must_happen_today_is_asked_and_read_by_the_danger_screen(client, db_session):
    walk(client, "report", examples.professional_concern(), submit=False)
    response = client.post("/report/today", data={"safe_tonight": "yes", "needs_today": "yes"})
    assert response.status_code == 303
    assert "Enter what needs to happen today" in page_text(client, "/report/today")
    walk(client, "report", examples.professional_concern(
        needs_today="yes", needs_today_what="He says his stepdad will kill him when he gets home"))
    contact = only_contact(db_session)
    assert any(f.startswith(("danger_now:", "check_now:")) for f in contact.safety_flags)


def test_a_referral_that_is_not_urgent_does_not_stop_at_ring_now(app, client, db_session):
    visited = walk(client, "report", examples.public_concern(
        what_happened="Her mum seems very low and the flat is a mess."))
    assert "/report/today" in visited and "/report/ring-now" not in visited
    contact = only_contact(db_session)
    assert contact.rag != "red"
    with app.app_context():
        assert contact.decision_due_at == working_calendar().contact_due(contact.received_at, contact.rag)
    assert "Ring us now" not in page_text(client, "/report/confirmation")


# --- 2. No tip-off ------------------------------------------------------------------------------------------------
def test_a_professionals_referral_never_suggests_family_services(client, monkeypatch):
    monkeypatch.setattr("portal.journeys.confirmation_suggestions", lambda *_: [SUGGESTION])
    walk(client, "report", examples.professional_concern())
    page = page_text(client, "/report/confirmation")
    assert "Services that may help while you wait" not in page and "Parenting Together" not in page
    assert "What you can tell the family" in page
    assert "Do not tell the child&#39;s family" in page or "Do not tell the child's family" in page


def test_a_professional_whose_family_knows_may_say_it_was_sent(client, monkeypatch):
    monkeypatch.setattr("portal.journeys.confirmation_suggestions", lambda *_: [SUGGESTION])
    walk(client, "report", examples.professional_concern(
        alleged_perpetrator="no", concern_categories=["parent_mental_health"], household_factors=["mental_health"],
        what_happened="Mum has told us she is struggling with her mood.", suggested_level="2",
        level_reason="Needs support", parents_told="yes", consent="yes", consent_given_by="Kelly Morris",
        consent_given_by_relationship="parent", consent_covers=["children", "parents"]))
    page = page_text(client, "/report/confirmation")
    assert "The family knows about this referral" in page and "Services that may help" not in page


def test_a_neighbours_report_suggests_nothing_but_a_relatives_ordinary_report_does(client, monkeypatch):
    monkeypatch.setattr("portal.journeys.confirmation_suggestions", lambda *_: [SUGGESTION])
    ordinary = "Her mum seems very low and the flat is a mess."
    walk(client, "report", examples.public_concern(what_happened=ordinary))  # an acquaintance
    assert "Services that may help while you wait" not in page_text(client, "/report/confirmation")
    walk(client, "report", examples.public_concern(what_happened=ordinary, referrer_relationship="family"))
    page = page_text(client, "/report/confirmation")
    assert "Services that may help while you wait" in page and "we will never tell them who you are" in page
    walk(client, "report", examples.public_concern(what_happened=ordinary, referrer_relationship="family",
                                                   safe_tonight="no"))  # urgent: nothing to pass on
    assert "Services that may help while you wait" not in page_text(client, "/report/confirmation")


def test_a_family_asking_for_help_is_offered_services(client, monkeypatch):
    monkeypatch.setattr("portal.journeys.confirmation_suggestions", lambda *_: [SUGGESTION])
    walk(client, "help", examples.family_help_request())
    assert "Services that may help while you wait" in page_text(client, "/help/confirmation")


# --- 7. Safe contact ------------------------------------------------------------------------------------------------
def test_a_parent_for_whom_calls_are_not_safe_is_asked_how_and_staff_see_it_first(client, db_session, app):
    visited = walk(client, "help", examples.family_help_request(
        safe_to_contact="no", safe_contact_way="professional", safe_contact_professional="Our health visitor, Jo"))
    assert "/help/safe-contact" in visited
    page = page_text(client, "/help/confirmation")
    assert "only contact you through a professional who knows you" in page
    assert "may write" not in page and "We will not post, call, text or email you in any other way" in page

    contact = only_contact(db_session)
    assert contact.safe_to_contact is False and contact.answers["safe_contact_way"] == "professional"
    from portal.journeys import safe_contact_words
    assert safe_contact_words(contact.answers) == ("Not safe to call or text. Only through a professional who "
                                                   "knows the family: Our health visitor, Jo")
    # nothing is texted or e-mailed against it
    decision = Decision(contact_id=contact.id, outcome="early_help", rationale="Family support",
                        decided_by_id=None, decided_at=contact.received_at)
    assert queue_feedback(db_session, contact, decision) is None


def test_each_safe_way_asks_for_its_details(client, db_session):
    walk(client, "help", examples.family_help_request(safe_to_contact="no", safe_contact_way="none"),
         submit=False)
    response = client.post("/help/safe-contact", data={"safe_contact_way": "other_number"})
    assert response.status_code == 303
    assert "Enter a phone number that is safe to use" in page_text(client, "/help/safe-contact")
    client.post("/help/safe-contact", data={"safe_contact_way": "safe_time"})
    assert "Enter when it is safe to call" in page_text(client, "/help/safe-contact")
    response = client.post("/help/safe-contact", data={"safe_contact_way": "safe_time",
                                                       "safe_contact_time": "Weekdays 10am to 2pm"})
    assert response.status_code == 302
    client.post("/help/check")
    page = page_text(client, "/help/confirmation")
    assert "only call or text you at the time you told us is safe" in page
    contact = only_contact(db_session)
    from portal.journeys import safe_contact_words
    assert safe_contact_words(contact.answers) == "Not safe to call or text. Only at a safe time: Weekdays 10am to 2pm"


def test_a_member_of_the_public_who_gives_their_name_is_asked_how_to_reach_them_safely(client, db_session):
    visited = walk(client, "report", examples.public_concern(
        what_happened="Her mum seems very low.", anonymous="no", referrer_name="Morag Quill",
        referrer_phone="+447700900555", safe_to_contact="no", safe_contact_way="other_number",
        safe_contact_number="+447700900777"))
    assert "/report/safe-contact" in visited
    page = page_text(client, "/report/confirmation")
    assert "We will only use the other phone number you gave us" in page and "may write" not in page
    assert only_contact(db_session).answers["safe_contact_number"] == "+447700900777"
    assert "/report/safe-contact" not in walk(client, "report", examples.public_concern())  # anonymous


# --- 6. GOV.UK patterns -----------------------------------------------------------------------------------------
def test_every_question_page_has_a_back_link_to_the_page_before(client):
    visited = [p for p in walk(client, "report", examples.professional_concern(), submit=False)]
    expected_back = {"/report/danger": "/report/", "/report/who": "/report/danger",
                     "/report/your-details": "/report/who", "/report/safeguarding-lead": "/report/your-details",
                     "/report/children/1": "/report/safeguarding-lead", "/report/children": "/report/safeguarding-lead",
                     "/report/household/1": "/report/children",
                     "/report/other-children": "/report/household",
                     "/report/harm": "/report/household_children", "/report/harm-who": "/report/harm",
                     "/report/today": "/report/attachments",
                     "/report/check": "/report/consent"}
    for path in visited:
        back = back_link(page_text(client, path))
        assert back is not None, f"no Back link on {path}"
        if path in expected_back:
            assert back == expected_back[path], (path, back)
    # changing an answer from the check page: Back returns there
    assert back_link(page_text(client, "/report/concern?return=check")) == "/report/check"


def test_exit_this_page_is_on_every_page_of_both_journeys_including_the_confirmation(client):
    for journey, answers in (("report", examples.professional_concern(safe_tonight="no")),
                             ("help", examples.family_help_request())):
        visited = walk(client, journey, answers, submit=False)
        assert "govuk-exit-this-page" in page_text(client, f"/{journey}/")
        for path in visited:
            assert "govuk-exit-this-page" in page_text(client, path), path
        client.post(f"/{journey}/check")
        assert "govuk-exit-this-page" in page_text(client, f"/{journey}/confirmation")


def test_the_home_page_and_a_public_error_page_have_exit_this_page_but_a_staff_error_page_does_not(client):
    assert "govuk-exit-this-page" in page_text(client, "/")
    missing = client.get("/report/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert "govuk-exit-this-page" in missing.get_data(as_text=True)
    staff_missing = client.get("/staff/no-such-page")
    assert staff_missing.status_code == 404
    assert "govuk-exit-this-page" not in staff_missing.get_data(as_text=True)


def test_numbers_on_the_start_and_emergency_pages_can_be_tapped_and_the_chat_is_linked(client):
    for path in ("/", "/report/", "/help/"):
        page = page_text(client, path)
        assert tappable(MASH) in page and tappable(OUT_OF_HOURS) in page, path
        assert 'href="/chat"' in page, path
    emergency = page_text(client, "/emergency")
    assert 'href="tel:999"' in emergency and tappable(OUT_OF_HOURS) in emergency and tappable("0800 1111") in emergency


def test_a_mother_is_not_asked_whether_she_has_parental_responsibility(client, db_session):
    visited = walk(client, "help", examples.family_help_request())
    assert "/help/parental-responsibility" not in visited
    assert only_contact(db_session).consent.given_by == "Sam Taylor"  # her own agreement
    visited = walk(client, "help", examples.family_help_request(referrer_relationship="father"))
    assert "/help/parental-responsibility" in visited


def test_the_add_another_question_shows_its_error_after_a_redirect(client):
    walk(client, "report", examples.professional_concern(), submit=False)
    response = client.post("/report/children", data={})
    assert response.status_code == 303 and response.location == "/report/children"
    page = page_text(client, "/report/children")
    assert "Select yes if you want to add another child" in page
    assert "Select yes if you want to add another child" in page_text(client, "/report/children")  # a reload
    client.post("/report/children", data={"add_another": "no"})
    assert "Select yes if you want to add another child" not in page_text(client, "/report/children")


def test_staff_see_the_safe_way_to_make_contact_at_the_top_of_the_contact(app, db_session):
    from tests.staff_support import create_contact, create_staff, sign_in

    contact = create_contact(db_session, journey="help", answers=examples.family_help_request(
        safe_to_contact="no", safe_contact_way="safe_time", safe_contact_time="Weekdays 10am to 2pm"))
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    page = page_text(client, f"/staff/contacts/{contact.id}")
    panel = page.index("Safe contact:")
    assert "Only at a safe time: Weekdays 10am to 2pm" in page[panel:panel + 200]
    heading_ends = page.index("</h1>")
    assert heading_ends < panel < heading_ends + 400  # straight under the heading, above everything else


def test_someone_who_asks_not_to_be_contacted_is_not_promised_a_call(client):
    walk(client, "help", examples.family_help_request(safe_to_contact="no", safe_contact_way="none"))
    page = page_text(client, "/help/confirmation")
    assert "We will not contact you. Call us on" in page and tappable(MASH) in page
    assert "Someone will then get in touch" not in page
    walk(client, "report", examples.public_concern(
        what_happened="Her mum seems very low.", anonymous="no", referrer_name="Morag Quill",
        safe_to_contact="no", safe_contact_way="none"))
    page = page_text(client, "/report/confirmation")
    assert "We will not contact you" in page and "We may contact you" not in page


def test_a_parent_who_gives_no_safe_way_to_reach_her_is_not_promised_someone_will_get_in_touch(client):
    answers = examples.family_help_request(safe_to_contact="no")
    answers.pop("safe_contact_way", None)  # the optional question left blank
    walk(client, "help", answers)
    page = page_text(client, "/help/confirmation")
    assert "Someone will then get in touch" not in page
    assert "We will not call, text or write to you unless it is safe" not in page
    assert "We will not post, call, text or email you in any other way" not in page
    assert "You have not told us a safe way to contact you, so we will not call, text or write to you" in page
    assert "When it is safe, call us on" in page and tappable(MASH) in page
    assert "quote your reference number, or tell us a safe way to contact you" in page


def test_a_parent_who_gives_a_safe_time_is_told_someone_will_get_in_touch_then(client):
    walk(client, "help", examples.family_help_request(
        safe_to_contact="no", safe_contact_way="safe_time", safe_contact_time="Weekdays 10am to 2pm"))
    page = page_text(client, "/help/confirmation")
    assert ("Someone will then get in touch. We will only call or text you at the time you told us is safe. "
            "We will not post, call, text or email you in any other way.") in page
