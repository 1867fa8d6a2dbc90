"""The MASH workspace in a real browser, with axe-core on every staff page (WCAG 2.2 A and AA)."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.browser_support import AxeAudit, path_of
from tests.staff_support import PASSWORD, create_contact, create_staff

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def sign_in(page, audit: AxeAudit, user, secret, *, check_errors: bool = False) -> None:
    page.goto("/staff/queue")
    assert path_of(page.url) == "/staff/sign-in"
    audit(page)
    if check_errors:
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Continue").click()
        assert "Enter a correct e-mail address and password" in page.get_by_role("alert").inner_text()
        audit(page, "wrong password")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    assert path_of(page.url) == "/staff/sign-in/code"
    audit(page)
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    assert path_of(page.url) == "/staff/queue"


def test_a_practitioner_and_a_manager_work_a_contact(browser, live_server, audit, db_session):
    contact = create_contact(db_session)
    create_contact(db_session, journey="help")
    practitioner, p_secret = create_staff(db_session, name="Pat Practitioner")
    manager, m_secret = create_staff(db_session, role="manager", name="Morgan Manager")

    pat = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    sign_in(pat, audit, practitioner, p_secret, check_errors=True)
    audit(pat)
    assert contact.reference in pat.locator("main").inner_text()
    for view in ("mine", "unclaimed", "overdue", "awaiting_signoff"):
        pat.goto(f"/staff/queue?view={view}")
        audit(pat, view)
    pat.goto("/staff/queue?colour=red&sort=waiting&overdue=yes")  # the filters open, nothing found
    audit(pat, "filtered")
    pat.get_by_role("link", name="Search").click()
    pat.get_by_label(re.compile("Reference, child's name")).fill("Jayden Morris")
    pat.get_by_role("button", name="Search").click()
    assert contact.reference in pat.locator("main").inner_text()
    audit(pat, "search results")
    pat.goto("/staff/search?q=943+476+5918")
    audit(pat, "search refused")
    pat.goto("/staff/queue")
    pat.get_by_role("button", name="Take the next contact").click()
    assert path_of(pat.url) == f"/staff/contacts/{contact.id}"
    audit(pat, "claimed")

    pat.get_by_label("Agency to ask").select_option("police")
    pat.get_by_label("What are you asking?").fill("Any call-outs to the address?")
    pat.get_by_role("button", name="Record the check").click()
    assert "Check recorded." in pat.locator("main").inner_text()
    pat.get_by_role("button", name="Record decision").click()  # empty: a clear refusal
    assert "Select the outcome" in pat.get_by_role("alert").inner_text()
    audit(pat, "refused decision")

    pat.get_by_label("Strategy discussion and section 47 enquiries").check()
    pat.get_by_role("group", name="Level of need").get_by_label("4").check()
    pat.get_by_label("Rationale").fill("Disclosure of physical harm by an adult at home.")
    pat.get_by_label("Share information", exact=True).check()
    pat.get_by_label("Why share, or not share").fill("Risk of significant harm.")
    pat.get_by_label("Primary need (Children in Need census)").select_option("N1")
    pat.get_by_role("button", name="Record decision").click()
    assert "needs a manager's sign-off" in pat.locator("main").inner_text()
    audit(pat, "decided")

    morgan = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    sign_in(morgan, audit, manager, m_secret)
    morgan.goto(f"/staff/contacts/{contact.id}")
    morgan.get_by_label("Sign off", exact=True).check()
    morgan.get_by_role("button", name="Save sign-off").click()  # the police check is outstanding: refused
    assert "still outstanding: Police" in morgan.get_by_role("alert").inner_text()
    audit(morgan, "sign-off refused with a check outstanding")
    morgan.get_by_label("Sign off", exact=True).check()
    morgan.get_by_label(re.compile("Why can it be signed off before these checks")).fill(
        "The police will bring their records to the strategy discussion.")
    morgan.get_by_role("button", name="Save sign-off").click()
    assert "Decision signed off." in morgan.locator("main").inner_text()
    audit(morgan, "signed off")
    assert re.search(r"Signed off the decision", morgan.locator("main").inner_text())

    morgan.goto("/staff/dashboard")
    audit(morgan)
    response = pat.goto(f"/staff/contacts/{contact.id}/decisions/1/review")  # a form's address, typed in
    assert response.status == 405
    audit(pat, "error page")
    audit.assert_clean()


def test_the_police_missing_and_handover_pages_are_accessible(browser, live_server, audit, db_session):
    from tests.police_support import da, missing, receive

    receive(db_session, da(grade="high", ticks=15))
    receive(db_session, missing())
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")
    page = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    sign_in(page, audit, practitioner, secret)
    page.get_by_role("link", name="Police notifications", exact=True).click()
    assert path_of(page.url) == "/staff/police"
    assert "MARAC" in page.locator("main").inner_text()
    audit(page, "triage queue")
    page.locator("main table a").first.click()
    audit(page, "a notification")
    page.get_by_role("link", name="Missing children", exact=True).click()
    audit(page, "missing children")
    page.locator("main table a").first.click()
    audit(page, "a missing episode")
    page.get_by_role("link", name="Handovers", exact=True).click()
    audit(page, "handovers")
    page.goto("/staff/handovers/new")
    audit(page, "new handover")
    page.goto("/staff/police/upload")
    audit(page, "upload")
    audit.assert_clean()
