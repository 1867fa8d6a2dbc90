"""The journeys in a real browser: headless Chromium (Debian's) through Playwright, against the real app.

Each test starts the app on a free local port with CSRF on, walks a journey the way a person would (labels,
legends and button text, never ids), and runs axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page it visits.
Accessibility violations are collected and asserted once at the end of each test, so a journey's behaviour
is checked in full before any violation is reported.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from forms.drafts import Draft
from forms.examples import family_help_request, professional_concern, public_concern
from forms.referral import ETHNICITIES
from tests.browser_support import (
    AxeAudit,
    LiveServer,
    as_typed,
    choose,
    fill,
    fill_date,
    path_of,
    tick,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ETHNICITY_LABELS = {c.value: c.label for c in ETHNICITIES}
REFERENCE = re.compile(r"\bFD-\d{4}-\d{6}\b")
DANGER = "Is a child in immediate danger right now?"


def count_contacts(db: Session) -> int:
    db.rollback()  # see what the server has committed since
    return db.execute(text("SELECT count(*) FROM contacts")).scalar_one()


def at(page, path: str) -> None:
    assert path_of(page.url) == path, f"expected to be on {path}, but the browser is on {page.url}"


def continue_(page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_load_state("load")


def start(page, audit: AxeAudit, journey: str) -> None:
    """The start page, audited, then the start button (a POST with its CSRF token)."""
    response = page.goto(f"/{journey}/")
    assert response is not None and response.ok
    audit(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(f"**/{journey}/danger")
    audit(page)


def answer_no_danger(page, audit: AxeAudit, journey: str, *, try_empty: bool = False) -> None:
    if try_empty:
        continue_(page)  # nothing selected: the error summary
        at(page, f"/{journey}/danger")
        summary = page.get_by_role("alert")
        assert "There is a problem" in summary.inner_text()
        assert "Select yes if a child is in immediate danger right now" in summary.inner_text()
        assert page.title().startswith("Error:")
        audit(page, "validation error")
    choose(page, DANGER, "No")
    continue_(page)


def add_child(page, audit: AxeAudit, journey: str, child: dict, *, born_question: str,
              check_back_button: bool = False) -> None:
    at(page, f"/{journey}/children/1")
    choose(page, born_question, "Yes")
    fill(page, "First name", child["first_name"])
    fill(page, "Last name", child["last_name"])
    fill_date(page, "Date of birth", child["date_of_birth"])
    if "gender" in child:
        choose(page, "Gender", {"boy": "Boy", "girl": "Girl"}[child["gender"]])
    if "address" in child:
        fill(page, "Address (optional)", child["address"])
    if "postcode" in child:
        fill(page, "Postcode (optional)", child["postcode"])
    if "school" in child:
        fill(page, "School, college or nursery (optional)", child["school"])
    if "interpreter" in child:
        choose(page, "Does the family need an interpreter? (optional)", "No")
    if "ethnicity" in child:
        choose(page, "What is the child's ethnic group?", ETHNICITY_LABELS[child["ethnicity"]])
    continue_(page)
    at(page, f"/{journey}/children")

    if check_back_button:
        page.go_back()
        page.wait_for_load_state("load")
        at(page, f"/{journey}/children/1")
        assert page.get_by_label("First name", exact=True).input_value() == child["first_name"]
        assert page.get_by_label("Last name", exact=True).input_value() == child["last_name"]
        assert page.get_by_role("group", name="Date of birth").get_by_label("Year", exact=True).input_value() \
            == child["date_of_birth"][:4]
        audit(page, "after the back button")
        continue_(page)  # sending it again replaces the child, it does not add a second one
        at(page, f"/{journey}/children")

    assert page.get_by_role("heading", level=1).inner_text() == "You have added 1 child"
    audit(page)
    choose(page, "Do you need to add another child?", "No")
    continue_(page)


def send_and_confirm(page, audit: AxeAudit, db: Session, journey: str, *, panel: str, must_show: list[str]) -> str:
    at(page, f"/{journey}/check")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending"
    body = page.locator("main").inner_text()
    for expected in must_show:
        assert expected in body, f"check page does not show {expected!r}"
    audit(page)
    before = count_contacts(db)
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url(f"**/{journey}/confirmation")
    assert page.get_by_role("heading", level=1).inner_text() == panel
    match = REFERENCE.search(page.locator("main").inner_text())
    assert match, "the confirmation page shows no FD-YYYY-NNNNNN reference"
    audit(page)
    assert count_contacts(db) == before + 1
    stored = db.execute(text("SELECT journey FROM contacts WHERE reference = :r"), {"r": match.group()}).scalar_one()
    assert stored == journey
    return match.group()


# --- The journeys -----------------------------------------------------------------------------------------------
def test_professional_reports_a_concern(page, audit: AxeAudit, db_session: Session) -> None:
    a = professional_concern()
    child, person = a["children"][0], a["household"][0]

    start(page, audit, "report")
    answer_no_danger(page, audit, "report", try_empty=True)

    at(page, "/report/who")
    audit(page)
    choose(page, "Are you contacting us as a professional or as a member of the public?", "As a professional")
    continue_(page)

    at(page, "/report/your-details")
    audit(page)
    fill(page, "Full name", a["referrer_name"])
    fill(page, "Job title", a["referrer_role"])
    fill(page, "Organisation", a["referrer_organisation"])
    choose(page, "Where do you work?", "A school, college or nursery")
    fill(page, "Phone number", as_typed(a["referrer_phone"]))
    fill(page, "Email address", a["referrer_email"])
    continue_(page)

    at(page, "/report/safeguarding-lead")
    audit(page)
    choose(page, DSL_QUESTION, "I am the safeguarding lead")
    continue_(page)

    audit(page)
    add_child(page, audit, "report", child, born_question="Has the child been born?", check_back_button=True)

    at(page, "/report/household/1")
    audit(page)
    fill(page, "Full name", person["name"])
    choose(page, "Relationship to the child", "Mother")
    choose(page, "Do they have parental responsibility?", "Yes")
    choose(page, "Do they live with the child?", "Yes")
    fill(page, "Phone number (optional)", as_typed(person["phone"]))
    continue_(page)
    at(page, "/report/household")
    assert page.get_by_role("heading", level=1).inner_text() == "You have added 1 person"
    audit(page)
    choose(page, "Do you need to add another person?", "Yes")
    continue_(page)
    at(page, "/report/household/2")
    partner = a["household"][1]
    fill(page, "Full name", partner["name"])
    choose(page, "Relationship to the child", "Step-parent or parent's partner")
    choose(page, "Do they have parental responsibility?", "No")
    choose(page, "Do they live with the child?", "Yes")
    fill_date(page, "Date of birth (optional)", partner["date_of_birth"])
    continue_(page)
    at(page, "/report/household")
    choose(page, "Do you need to add another person?", "No")
    continue_(page)

    # Issue 16: his sister at home, as household, not as a child the referral is about
    at(page, "/report/other-children")
    audit(page)
    choose(page, "Do any other children live with the child?", "Yes")
    continue_(page)
    at(page, "/report/household_children/1")
    audit(page)
    sister = a["household_children"][0]
    fill(page, "Full name", sister["name"])
    choose(page, "Relationship to the child", "Brother or sister")
    fill_date(page, "Date of birth (optional)", sister["date_of_birth"])
    continue_(page)
    at(page, "/report/household_children")
    choose(page, "Do you need to add another child?", "No")
    continue_(page)

    at(page, "/report/harm")
    audit(page)
    choose(page, "Is there someone you think has harmed, or might harm, the child?", "Yes")
    continue_(page)
    # who: chosen from the household entered; first someone not listed, with a date of birth in the future
    at(page, "/report/harm-who")
    audit(page)
    who = "Who do you think has harmed, or might harm, the child?"
    choose(page, who, "Someone not listed")
    continue_(page)
    at(page, "/report/harm-person")
    fill(page, "How do they know the child?", "Uncle")
    fill_date(page, "Their date of birth (optional)", "2099-01-01")
    choose(page, "Do they live with the child?", "No")
    continue_(page)
    at(page, "/report/harm-person")
    assert "Their date of birth must be today or in the past" in page.get_by_role("alert").inner_text()
    audit(page, "validation error")
    page.get_by_role("link", name="Back").click()
    at(page, "/report/harm-who")
    choose(page, who, "Dean Carter (step-parent or parent's partner)")
    continue_(page)

    at(page, "/report/concern")
    audit(page)
    tick(page, "What are you worried about?", "Physical abuse or injury", "Domestic abuse at home")
    fill(page, "What has happened?", a["what_happened"])
    fill(page, "When did it happen? (optional)", a["when_happened"])
    fill(page, "How did you find out? (optional)", a["how_known"])
    fill(page, "Where is the child now?", a["child_location"])
    fill(page, "What has the child said, and what do they want to happen?", a["child_views"])
    choose(page, "Has the child needed medical attention?", "No")
    continue_(page)

    at(page, "/report/attachments")  # a step of the journey, optional: carry on without a file
    audit(page)
    assert page.get_by_role("link", name="Back", exact=True).get_attribute("href") == "/report/concern"
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")

    at(page, "/report/today")
    audit(page)
    choose(page, "Is the child safe to go home today or tonight?", "Yes")
    choose(page, "Does anything need to happen today?", "No")
    continue_(page)

    at(page, "/report/family")
    audit(page)
    tick(page, "Is there any of the following in the child's home?", "Domestic abuse")
    fill(page, "What is going well for the child and family? (optional)", a["strengths"])
    choose(page, "Has children's social care been involved with this family before?", "Not known")
    tick(page, "Which other services are involved with the family? (optional)", "School nurse")
    continue_(page)

    at(page, "/report/level")
    audit(page)
    choose(page, "Which level of need do you think applies?", "Level 4: specialist help")
    fill(page, "Why do you think this level applies?", a["level_reason"])
    continue_(page)

    at(page, "/report/consent")
    audit(page)
    choose(page, "Have the parents or carers been told about this referral?", "No")
    fill(page, "Why have they not been told?", a["parents_not_told_reason"])
    choose(page, "Has someone agreed to this referral and to information being shared?",
           "No, they have not been asked")
    fill(page, "Why have they not been asked?", a["not_asked_reason"])
    continue_(page)

    send_and_confirm(page, audit, db_session, "report", panel="Referral sent",
                     must_show=["Jayden Morris", a["referrer_organisation"], "Level 4: specialist help",
                                "Dean Carter (step-parent or parent's partner)", "Ruby Morris"])
    audit.assert_clean()


def test_member_of_the_public_reports_anonymously(page, audit: AxeAudit, db_session: Session) -> None:
    a = public_concern()
    child = a["children"][0]

    start(page, audit, "report")
    answer_no_danger(page, audit, "report")

    at(page, "/report/who")
    continue_(page)  # nothing chosen: the error summary on a non-heading radios page
    at(page, "/report/who")
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    audit(page, "validation error")
    choose(page, "Are you contacting us as a professional or as a member of the public?",
           "As a member of the public")
    continue_(page)

    at(page, "/report/about-you")
    audit(page)
    choose(page, "How do you know the child?",
           "I know the family, for example as a neighbour, friend or childminder")
    choose(page, "Do you want to stay anonymous?", "Yes")
    continue_(page)

    audit(page)
    add_child(page, audit, "report", child, born_question="Has the child been born?")

    at(page, "/report/household/1")
    audit(page)
    fill(page, "Full name", "not known")
    choose(page, "Relationship to the child", "Mother")
    choose(page, "Do they have parental responsibility?", "Not known")
    choose(page, "Do they live with the child?", "Yes")
    continue_(page)
    at(page, "/report/household")
    audit(page)
    choose(page, "Do you need to add another person?", "No")
    continue_(page)

    at(page, "/report/other-children")
    choose(page, "Do any other children live with the child?", "I do not know")
    continue_(page)

    at(page, "/report/harm")
    audit(page)
    choose(page, "Is there someone you think has harmed, or might harm, the child?", "I do not know")
    continue_(page)

    at(page, "/report/concern")
    audit(page)
    tick(page, "What are you worried about?", "Neglect")
    fill(page, "What has happened?", a["what_happened"])
    fill(page, "Where is the child now?", a["child_location"])
    continue_(page)

    at(page, "/report/today")
    choose(page, "Is the child safe to go home today or tonight?", "I do not know")
    choose(page, "Does anything need to happen today?", "No")
    continue_(page)

    at(page, "/report/family")
    audit(page)
    tick(page, "Is there any of the following in the child's home?", "None that I know of")
    continue_(page)

    at(page, "/report/family-aware")  # no level or consent questions for the public
    audit(page)
    choose(page, "Do the child's parents or carers know you are contacting us?", "No")
    continue_(page)

    send_and_confirm(page, audit, db_session, "report", panel="Referral sent", must_show=["Lily Evans"])
    assert "You chose to stay anonymous" in page.locator("main").inner_text()
    audit.assert_clean()


def test_family_asks_for_help(page, audit: AxeAudit, db_session: Session) -> None:
    a = family_help_request()
    child = a["children"][0]

    start(page, audit, "help")
    answer_no_danger(page, audit, "help")

    at(page, "/help/about-you")
    audit(page)
    continue_(page)  # empty: every question on the page in the error summary
    at(page, "/help/about-you")
    assert page.get_by_role("alert").get_by_role("link").count() == 2
    audit(page, "validation error")
    fill(page, "Your full name", a["referrer_name"])
    choose(page, "Your relationship to the children", "Mother")  # a mother is not asked about responsibility
    continue_(page)

    at(page, "/help/contact")
    audit(page)
    fill(page, "Phone number", "07700 900982")
    choose(page, "Is it safe for us to call or text you on this number?", "Yes")
    fill(page, "Your postcode", a["postcode"])
    continue_(page)

    audit(page)
    add_child(page, audit, "help", child, born_question="Has your child been born?")

    at(page, "/help/help-needed")
    audit(page)
    tick(page, "What would you like help with?", "Parenting, behaviour or routines", "School attendance")
    fill(page, "Tell us a bit more", a["what_happened"])
    continue_(page)

    at(page, "/help/agreement")
    audit(page)
    choose(page, "Do you agree to us sharing information about you and your children to help you?", "Yes")
    continue_(page)

    send_and_confirm(page, audit, db_session, "help", panel="Request sent",
                     must_show=["Alfie Taylor", a["referrer_name"], "07700 900982"])
    audit.assert_clean()


# --- The safety gate and the fixed pages ------------------------------------------------------------------------
@pytest.mark.parametrize("journey", ["report", "help"])
def test_immediate_danger_goes_to_999_and_stores_nothing(page, audit: AxeAudit, db_session: Session,
                                                         journey: str) -> None:
    contacts = count_contacts(db_session)
    start(page, audit, journey)
    choose(page, DANGER, "Yes")
    continue_(page)

    at(page, "/emergency")
    assert page.get_by_role("heading", level=1).inner_text() == "Call 999 now"
    assert "999" in page.locator("main").inner_text()
    audit(page)

    assert count_contacts(db_session) == contacts
    drafts = db_session.execute(select(Draft)).scalars().all()
    assert all(d.answers == {} for d in drafts), "the danger answer was saved to a draft"
    assert db_session.execute(select(func.count()).select_from(Draft).where(
        Draft.submitted_reference.is_not(None))).scalar_one() == 0
    audit.assert_clean()


def test_fixed_pages(page, audit: AxeAudit) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.get_by_role("link", name="Report a concern about a child").is_visible()
    audit(page)

    page.get_by_role("link", name="Accessibility statement").click()
    at(page, "/accessibility")
    audit(page)

    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    audit(page, "404")

    page.get_by_role("link", name="If a child is in danger").click()
    at(page, "/emergency")
    audit(page)
    audit.assert_clean()


def test_scripts_run_under_the_real_csp(browser, live_server: LiveServer) -> None:
    """Without bypass_csp: GOV.UK Frontend loads and reveals a conditional question; the CSP refuses nothing."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"{msg.text} ({msg.location.get('url')})")
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto("/report/")
        page.get_by_role("button", name="Start now").click()
        page.wait_for_url("**/report/danger")
        choose(page, DANGER, "No")
        continue_(page)
        choose(page, "Are you contacting us as a professional or as a member of the public?",
               "As a member of the public")
        continue_(page)
        at(page, "/report/about-you")
        assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
        name = page.get_by_label("Your name", exact=True)
        assert not name.is_visible(), "conditional reveal is not hidden: GOV.UK Frontend did not initialise"
        choose(page, "Do you want to stay anonymous?", "No")
        assert name.is_visible()
    finally:
        context.close()
    assert not problems, f"console errors (a CSP refusal?): {problems}"


# --- Web chat -----------------------------------------------------------------------------------------------------
def test_web_chat_without_javascript_carries_a_family_to_early_help_with_a_question_on_the_way(
        browser, live_server: LiveServer, db_session: Session) -> None:
    """The plain form, no script: a worry, services, a question mid-way, a hedged yes, then consent."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()

    def send(text: str) -> str:
        box = page.get_by_label("Your message") if page.get_by_label("Your message").count() else \
            page.get_by_label("Reply")
        box.fill(text)
        page.get_by_role("button", name="Send").click()
        return page.get_by_role("list", name="Your conversation").locator("li").last.inner_text()

    try:
        page.goto("/chat")
        assert "postcode" in send("my son wont go to school and im at the end of my rope")
        assert "early help team" in send("RG40 1BN")
        assert "full name" in send("yes")
        reply = send("will social services take my kids away?")
        assert "not mean your children will be taken" in reply and "full name" in reply
        for said in ("Sam Example", "mum", "yes", "Alex", "Example", "4 3 2016", "skip", "07700 900123"):
            send(said)
        assert "Do you agree" in send("yes")
        assert "reference" not in send("yes?").lower()
        reply = send("yes")
        assert "FD-" in reply
    finally:
        context.close()
    contact = db_session.execute(text("SELECT id, kind FROM contacts ORDER BY id DESC LIMIT 1")).one()
    consent = db_session.execute(text("SELECT status FROM consent_records WHERE contact_id = :id"),
                                 {"id": contact.id}).scalar_one()
    assert (contact.kind, consent) == ("early_help", "given")


def test_web_chat_without_javascript_answers_danger_first(browser, live_server: LiveServer, audit: AxeAudit,
                                                          db_session: Session) -> None:
    # No JavaScript at all: the chat is a plain form, and the safety screen answers before anything else.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/chat")
        assert page.get_by_role("heading", level=1).inner_text() == "Chat with us"
        page.get_by_role("button", name="Send").click()
        page.get_by_role("link", name="Enter a message").wait_for()  # the error summary
        page.get_by_label("Your message").fill("dad is drunk and throwing things at us im hiding in my room")
        page.get_by_role("button", name="Send").click()
        conversation = page.get_by_role("list", name="Your conversation").inner_text()
        assert "If you or a child are in danger now, call 999." in conversation
        assert count_contacts(db_session) == 1
        page.get_by_label("Reply").fill("please hurry")
        page.get_by_role("button", name="Send").click()
        assert page.get_by_role("list", name="Your conversation").locator("li").count() == 4
    finally:
        context.close()
    # axe-core needs script: audit the same page (with its conversation) in a normal context.
    axe_context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    axe_page = axe_context.new_page()
    try:
        axe_page.goto("/chat")
        axe_page.get_by_label("Your message").fill("my toddler won't sleep")
        axe_page.get_by_role("button", name="Send").click()
        axe_page.get_by_role("list", name="Your conversation").wait_for()
        audit(axe_page)
    finally:
        axe_context.close()
    audit.assert_clean()


# --- Issue 16: Back after an error, and the new pages at a phone's width and a desktop's -----------------------
def test_back_after_an_error_never_resends_the_form(page, audit: AxeAudit) -> None:
    """Errors come by post/redirect/get: the browser's Back finds a page it got by GET, so Chrome never asks to
    'Confirm Form Resubmission' and nothing is sent again."""
    start(page, audit, "report")
    answer_no_danger(page, audit, "report", try_empty=True)  # an error, then the answer
    at(page, "/report/who")
    continue_(page)  # a second error, on the next page
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    choose(page, "Are you contacting us as a professional or as a member of the public?", "As a professional")
    continue_(page)
    at(page, "/report/your-details")

    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    for expected in ("/report/who", "/report/who", "/report/danger", "/report/danger"):
        response = page.go_back()
        page.wait_for_load_state("load")
        at(page, expected)
        assert response is None or response.ok
        assert page.get_by_role("heading", level=1).count() == 1  # a real page, not the browser's error page
    assert posts == [], f"going back sent a form again: {posts}"
    page.get_by_role("link", name="Back", exact=True).click()
    at(page, "/report/")
    audit.assert_clean()


def _fast_forward(page, journey: str, answers: dict, *, until: str) -> None:
    """Answer the pages before `until` over HTTP in the browser's own session (its cookies and CSRF tokens), as
    tests/journey_support.walk does with the test client; the pages under test are then visited in the browser."""
    from urllib.parse import urlencode

    from forms.referral import JOURNEYS
    from forms.schema import Group
    from tests.journey_support import form_data

    steps = JOURNEYS[journey]
    counts: dict[str, int] = {}

    def post(path: str, data: dict):
        html = page.request.get(path).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        return page.request.post(path, data=urlencode({**data, "csrf_token": token}, doseq=True), max_redirects=0,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})

    html = page.request.get(f"/{journey}/").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    location = page.request.post(f"/{journey}/begin", form={"csrf_token": token},
                                 max_redirects=0).headers["location"]
    for _ in range(40):
        path = location
        tail = path.removeprefix(f"/{journey}/").split("?")[0]
        if tail == until:
            return
        if tail == "ring-now":  # on with the referral, as its Continue link does
            html = page.request.get(path).text()
            location = re.search(r'<a href="([^"]+)"[^>]*class="govuk-button"', html).group(1).replace("&amp;", "&")
            continue
        if tail == "attachments":  # the optional upload step: nothing added
            response = post(path, {"action": "continue"})
            assert response.status == 302, path
            location = response.headers["location"]
            continue
        parts = tail.split("/")
        step = steps.step(parts[0])
        assert step is not None, path
        if isinstance(step, Group) and len(parts) == 2:
            counts[step.name] = int(parts[1])
            response = post(path, form_data(step.item_page, answers[step.name][int(parts[1]) - 1]))
        elif isinstance(step, Group):
            more = counts.get(step.name, 0) < len(answers[step.name])
            response = post(path, {"add_another": "yes" if more else "no"})
        else:
            response = post(path, form_data(step, answers))
        assert response.status == 302, f"{path} refused the answers ({response.status})"
        location = response.headers["location"]
    raise AssertionError(f"never reached {until}")


DSL_QUESTION = ("Have you talked to your designated safeguarding lead (or your organisation's safeguarding lead) "
                "about this referral?")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_referral_form_questions_pass_axe_on_a_phone_and_a_desktop(page, audit: AxeAudit, width: int) -> None:
    """Issue 16 item 3's questions, each follow-up revealed: the safeguarding lead, the child's ethnic group, the
    child's views and medical attention, earlier involvement and the services involved."""
    page.set_viewport_size({"width": width, "height": 900})
    note = f"{width}px"
    a = professional_concern()
    _fast_forward(page, "report", a, until="safeguarding-lead")
    page.goto("/report/safeguarding-lead")
    continue_(page)  # nothing chosen: the error, linked to the question
    assert "Select whether you have talked to your safeguarding lead" in page.get_by_role("alert").inner_text()
    audit(page, f"{note}, validation error")
    choose(page, DSL_QUESTION, "Yes, and they do not agree with this referral")
    assert page.get_by_label("Why do they not agree, and why are you referring?", exact=True).is_visible()
    audit(page, f"{note}, the lead disagrees")
    choose(page, DSL_QUESTION, "No")
    fill(page, "Why have you not talked to them?", "They are on leave today and this cannot wait.")
    audit(page, f"{note}, not talked to the lead")
    continue_(page)
    at(page, "/report/children/1")
    choose(page, "Has the child been born?", "Yes")  # the questions about a child born are revealed
    choose(page, "What is the child's ethnic group?", ETHNICITY_LABELS["MWBA"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    audit(page, note)
    _fast_forward(page, "report", a, until="concern")
    page.goto("/report/concern")
    choose(page, "Has the child needed medical attention?", "Yes")
    fill(page, "What medical attention, and where?", "Seen at A&E last night")
    audit(page, f"{note}, medical attention")
    _fast_forward(page, "report", a, until="family")
    page.goto("/report/family")
    choose(page, "Has children's social care been involved with this family before?", "Yes")
    fill(page, "What do you know about it?", "A child in need plan in 2023, in another council")
    tick(page, "Which other services are involved with the family? (optional)", "Police", "Housing")
    audit(page, f"{note}, earlier involvement")
    audit.assert_clean()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_new_pages_pass_axe_on_a_phone_and_a_desktop(page, audit: AxeAudit, db_session: Session,
                                                         width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    note = f"{width}px"
    for path in ("/", "/report/", "/help/", "/emergency"):
        page.goto(path)
        audit(page, note)
        assert page.locator('a[href^="tel:"]').count() >= 2, path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path

    # A teacher whose pupil is not safe to go home today.
    a = professional_concern(safe_tonight="no", needs_today="yes",
                             needs_today_what="Somewhere safe for him to stay tonight")
    _fast_forward(page, "report", a, until="today")
    # Issue 16: who may harm the child, chosen from the household (radios with hints), and the remove page's
    # warning that the person is the one chosen
    page.goto("/report/harm-who")
    assert page.get_by_role("radio", name="Dean Carter (step-parent or parent's partner)").is_checked()
    audit(page, note)
    page.goto("/report/household/2/remove")
    assert "You chose Dean Carter as your answer" in page.locator("main").inner_text()
    audit(page, note)
    page.goto("/report/today")
    assert page.get_by_role("link", name="Back", exact=True).get_attribute("href") == "/report/attachments"
    continue_(page)  # nothing chosen: the errors, after a redirect
    at(page, "/report/today")
    assert "Select whether the child is safe to go home today or tonight" in page.get_by_role("alert").inner_text()
    audit(page, f"{note}, validation error")
    choose(page, "Is the child safe to go home today or tonight?", "No")
    choose(page, "Does anything need to happen today?", "Yes, today")
    fill(page, "What needs to happen today?", a["needs_today_what"])
    continue_(page)
    at(page, "/report/ring-now")
    assert page.locator('a[href="tel:01184960000"]').count() and page.locator('a[href="tel:01344351999"]').count()
    audit(page, note)
    page.get_by_role("button", name="Continue with the referral").click()
    at(page, "/report/family")
    audit(page, note)  # a question page with its Back link
    _fast_forward(page, "report", a, until="check")
    page.goto("/report/check")
    assert "Ring us now" in page.locator("main").inner_text()
    audit(page, note)
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url("**/report/confirmation")
    body = page.locator("main").inner_text()
    assert "Ring us now" in body and "What you can tell the family" in body
    assert "Services that may help while you wait" not in body
    assert page.get_by_role("button", name="Exit this page").count() == 1
    audit(page, note)

    # A parent for whom a call or a text is not safe.
    h = family_help_request(safe_to_contact="no")
    _fast_forward(page, "help", h, until="safe-contact")
    page.goto("/help/safe-contact")
    choose(page, "How can we contact you safely? (optional)", "Use another phone number")
    continue_(page)
    at(page, "/help/safe-contact")
    assert "Enter a phone number that is safe to use" in page.get_by_role("alert").inner_text()
    audit(page, f"{note}, validation error")
    fill(page, "Safe phone number", "07700 900777")
    continue_(page)
    _fast_forward(page, "help", {**h, "safe_contact_way": "other_number", "safe_contact_number": "+447700900777"},
                  until="check")
    page.goto("/help/check")
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url("**/help/confirmation")
    body = page.locator("main").inner_text()
    assert "We will only use the other phone number you gave us" in body and "may write" not in body
    audit(page, note)
    audit.assert_clean()
