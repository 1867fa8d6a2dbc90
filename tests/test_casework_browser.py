"""Sharing the work in a real browser, with axe-core on every page and error state (WCAG 2.2 A and AA): pass a
contact to a colleague with a note, write a case note, link a household, open a child's chronology."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import path_of
from tests.staff_support import create_contact, create_staff
from tests.test_staff_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_practitioner_passes_a_contact_writes_a_note_links_a_household_and_reads_a_chronology(
        browser, live_server, audit, db_session):
    contact = create_contact(db_session)
    sibling = create_contact(db_session, journey="help")
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")
    create_staff(db_session, role="manager", name="Morgan Manager")

    pat = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    sign_in(pat, audit, practitioner, secret)
    pat.goto(f"/staff/contacts/{contact.id}/casework")
    assert "Nobody: it is in the queue" in pat.locator("main").inner_text()
    audit(pat, "casework")

    # Refused: no colleague and no note. The errors are linked from the summary and shown by the fields.
    pat.get_by_role("button", name="Pass to colleague").click()
    alert = pat.get_by_role("alert").inner_text()
    assert "Select the colleague to pass this contact to" in alert
    assert pat.title().startswith("Error:")
    audit(pat, "pass refused")
    # Refused again, and what was typed is kept on the page.
    pat.get_by_label("Note for your colleague").fill("x" * 5001)
    pat.get_by_label("Colleague", exact=True).select_option(label="Morgan Manager (manager)")
    pat.get_by_role("button", name="Pass to colleague").click()
    assert "Keep it to 5,000 characters or fewer" in pat.get_by_role("alert").inner_text()
    assert len(pat.get_by_label("Note for your colleague").input_value()) == 5001
    audit(pat, "note too long")

    pat.get_by_label("Colleague", exact=True).select_option(label="Morgan Manager (manager)")
    pat.get_by_label("Note for your colleague").fill("Police check due back at 2pm; please chase if not.")
    pat.get_by_role("button", name="Pass to colleague").click()
    main = pat.locator("main").inner_text()
    assert "Passed to Morgan Manager, with your note." in main
    assert re.search(r"Morgan Manager until \d\d:\d\d", main)
    audit(pat, "passed")

    pat.get_by_role("button", name="Add case note").click()  # empty
    assert "Select the type of note" in pat.get_by_role("alert").inner_text()
    audit(pat, "note refused")
    pat.get_by_label("Type of note").select_option(label="Phone call")
    pat.get_by_label("Case note", exact=True).fill("Rang the school: he was upset on Monday.")
    pat.get_by_role("button", name="Add case note").click()
    assert "Case note added." in pat.locator("main").inner_text()
    assert "Note 2: Phone call" in pat.locator("main").inner_text()

    pat.get_by_label("Reference of another contact about this household").fill("FD-0000-000000")
    pat.get_by_role("button", name="Link as one household").click()
    assert "No contact has that reference" in pat.get_by_role("alert").inner_text()
    audit(pat, "link refused")
    pat.get_by_label("Reference of another contact about this household").fill(sibling.reference)
    pat.get_by_label("Why they are one household (optional)").fill("Brother and sister")
    pat.get_by_role("button", name="Link as one household").click()
    assert f"Linked with {sibling.reference} as one household." in pat.locator("main").inner_text()
    audit(pat, "linked")

    pat.get_by_role("link", name="Chronology of Jayden Morris").click()
    assert re.fullmatch(r"/staff/children/\d+/chronology", path_of(pat.url))
    text = pat.locator("main").inner_text()
    assert "Passed to Morgan Manager" in text and "Linked with " + sibling.reference in text
    audit(pat, "chronology")
    pat.get_by_role("link", name="Show oldest first").click()
    assert pat.locator("main table tbody tr").first.inner_text().count("Contact received") == 1
    audit(pat, "chronology oldest first")
    audit.assert_clean()
