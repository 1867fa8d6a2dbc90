"""Attachments in a real browser (issue 16): a teacher adds a body map on the outline and a document, after a file
that lies about its type is refused with a clear error; axe-core (WCAG 2.2 A/AA) on every page and the error
state, on a phone (390 px) and a desktop (1280 px). Then a practitioner opens the body map from the contact."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.examples import professional_concern
from forms.referral import JOURNEYS
from forms.schema import Group
from mash.models import Attachment, AuditEvent, Contact
from tests.browser_support import AxeAudit, path_of
from tests.journey_support import form_data

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _answer_until_check(page, answers: dict) -> None:
    """The question pages over HTTP in the browser's own session (its cookie and CSRF tokens), as
    tests/journey_support.walk does with the test client: the pages under test are then visited in the browser."""
    journey = JOURNEYS["report"]
    counts: dict[str, int] = {}

    def post(path: str, data: dict):
        token = TOKEN.search(page.request.get(path).text()).group(1)
        return page.request.post(path, data=urlencode({**data, "csrf_token": token}, doseq=True), max_redirects=0,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})

    token = TOKEN.search(page.request.get("/report/").text()).group(1)
    response = page.request.post("/report/begin", form={"csrf_token": token}, max_redirects=0)
    for _ in range(60):
        path = response.headers["location"]
        tail = path.removeprefix("/report/").split("?")[0]
        if tail == "check":
            return
        if tail == "ring-now":  # an urgent referral's interstitial (not this one): carry on past it
            html = page.request.get(path).text()
            link = re.search(r'<a href="([^"]+)"[^>]*class="govuk-button"', html)
            assert link, path
            response = type("R", (), {"headers": {"location": link.group(1).replace("&amp;", "&")}})()
            continue
        if tail == "attachments":  # the upload step in the flow: the test adds its files from the check page
            response = post(path, {"action": "continue"})
            continue
        parts = tail.split("/")
        step = journey.step(parts[0])
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
    raise AssertionError("never reached the check page")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_teacher_adds_a_body_map_and_a_document_after_a_refused_file(page, audit: AxeAudit, db_session: Session,
                                                                        width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    note = f"{width}px"
    _answer_until_check(page, professional_concern())
    page.goto("/report/check")
    audit(page, note)
    page.get_by_role("link", name="Add a body map or documents").click()
    page.wait_for_url("**/report/attachments")
    assert page.get_by_role("heading", level=1).inner_text() == "Add a body map or documents"
    assert _fits(page)
    audit(page, note)

    # A program renamed to look like a PDF: refused by what it is, with the error summary and the inline message.
    page.get_by_label("Documents or photos").set_input_files(
        [{"name": "bruises.pdf", "mimeType": "application/pdf", "buffer": EXE}])
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")
    assert path_of(page.url) == "/report/attachments"
    message = "The selected file bruises.pdf must be a PDF, JPG, PNG or Word document (DOCX)"
    assert message in page.get_by_role("alert").inner_text()
    assert page.title().startswith("Error:")
    assert message in page.locator("#documents-error").inner_text()
    assert _fits(page)
    audit(page, f"{note}, a file that lies about its type")
    page.get_by_role("link", name=message).click()  # the summary's link takes them to the input
    assert page.evaluate("document.activeElement.id") == "documents"

    # The outline: a click on the left arm adds mark 1, with a note of its own.
    outline = page.locator('svg[data-side="front"] [data-region="left-arm"]')
    outline.scroll_into_view_if_needed()
    outline.click()
    page.get_by_label("Note for mark 1: Left arm (front)").fill("Four finger-tip bruises")
    page.get_by_label("Documents or photos").set_input_files(
        [{"name": "chronology.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    audit(page, f"{note}, a mark on the body map")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/report/check")
    summary = page.locator("main").inner_text()
    assert "Body map (drawn)" in summary and "chronology.pdf" in summary
    audit(page, f"{note}, with attachments")

    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url("**/report/confirmation")
    page.get_by_role("link", name="View and print a copy of your referral").click()
    page.wait_for_url("**/report/copy")
    assert "chronology.pdf" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Print this page").is_visible()
    assert _fits(page)
    audit(page, f"{note}, the copy")

    db_session.rollback()
    contact = db_session.scalars(select(Contact)).one()
    rows = db_session.scalars(select(Attachment).where(Attachment.contact_id == contact.id)).all()
    assert sorted(r.kind for r in rows) == ["body_map", "document"]
    assert not db_session.scalars(select(AuditEvent).where(AuditEvent.event == "attachment.opened")).all()
    audit.assert_clean()
