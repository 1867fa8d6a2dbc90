"""The contact page and its printable copy in a real browser, with axe-core (WCAG 2.2 A and AA): the child in the
first screenful, 'Viewed' folded, a web chat as turns, the print stylesheet, and the error page for a contact
that is not there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mash.models import Contact
from portal import create_app
from tests.bot_support import FakeParser, use_parser
from tests.browser_support import path_of
from tests.conftest import app_config
from tests.staff_support import create_contact, create_staff
from tests.test_staff_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_contact_page_starts_with_the_child_and_prints(browser, live_server, audit, db_session, database_url,
                                                             tmp_path, monkeypatch):
    contact = create_contact(db_session)
    use_parser(monkeypatch, FakeParser())
    family = create_app(app_config(database_url, tmp_path / "family")).test_client()
    said = ["mum's boyfriend hit my little brother and there's blood", "he has gone out now"]
    first = family.post("/chat/api/messages", json={"text": said[0]}).get_json()
    family.post("/chat/api/messages", json={"conversation_id": first["conversation_id"], "text": said[1]})
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")

    pat = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = pat.new_page()
    sign_in(page, audit, practitioner, secret)
    page.goto(f"/staff/contacts/{contact.id}")
    heading = page.get_by_role("heading", level=1)
    assert "Jayden Morris, 7" in heading.inner_text()
    # The child, the worry and why it is red are in the first screenful, not a thousand pixels down.
    for words in ("Jayden Morris, 7 (born", "Physical abuse or injury", "A specialist-help (level 4) concern"):
        box = page.locator("#summary").get_by_text(words).first.bounding_box()
        assert box is not None and box["y"] < 800, (words, box)
    audit(page, "contact page")

    page.get_by_role("button", name="Claim this contact").click()
    assert "You have claimed this contact." in page.locator("main").inner_text()
    history = page.locator("table.app-history")
    assert history.get_by_text("Viewed 2 times").count() == 1
    history.get_by_text("Every viewing").click()
    assert history.locator(".govuk-details__text li").count() == 2
    page.get_by_text("That has changed: record it").click()  # the parents' answer is the referral's; a change only
    assert page.get_by_role("group", name="Have the parents been told about this contact now?").is_visible()
    audit(page, "claimed, history and the parents' change open")

    page.get_by_role("link", name="Print or save the whole contact").click()
    assert path_of(page.url) == f"/staff/contacts/{contact.id}/print"
    assert page.locator("nav").count() == 0 and page.locator("form").count() == 0
    assert "Jayden Morris, 7" in page.get_by_role("heading", level=1).inner_text()
    audit(page, "printable copy")
    page.emulate_media(media="print")
    assert page.locator(".app-print__screen-only").is_hidden()
    assert page.get_by_text("OFFICIAL-SENSITIVE").is_visible()
    page.emulate_media(media="screen")

    chat = db_session.scalars(select(Contact).where(Contact.channel == "chat")).one()
    page.goto(f"/staff/contacts/{chat.id}")
    assert "Child not known yet" in page.get_by_role("heading", level=1).inner_text()
    turns = page.locator("li.app-transcript__line--in .app-transcript__text")
    assert turns.all_inner_texts() == said
    assert page.get_by_role("link", name="In their own words: the conversation below").is_visible()
    audit(page, "web chat contact")

    response = page.goto("/staff/contacts/999999/print")
    assert response is not None and response.status == 404
    audit(page, "printing a contact that is not there")
    audit.assert_clean()
