"""People pick up conversations (issue 13) in two real browsers: a family in /chat and a practitioner in
/staff/conversations, from a danger message to a person's reply on the family's page and back to the assistant.
Nothing is reloaded: the inbox, the transcript and the family's chat update themselves. The family's page keeps
the app's real Content Security Policy, so its script must run under it; the practitioner's pages are audited
with axe-core (which needs the CSP bypassed to be injected)."""

from __future__ import annotations

import pytest

from tests.browser_support import AxeAudit, path_of
from tests.staff_support import create_staff
from tests.test_staff_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DANGER = "my partner is drunk and hes got the baby and hes smashing the place up"
LIVE = 10_000  # ms: the inbox polls every 1.5 s, a transcript every 2 s, the family's chat every 3 s


def test_a_family_in_chat_and_a_practitioner_take_over_reply_and_hand_back(browser, live_server, audit: AxeAudit,
                                                                            db_session):
    practitioner, secret = create_staff(db_session, name="Sam Duty")
    staff_context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    staff_context.set_default_timeout(LIVE)
    staff = staff_context.new_page()
    family_context = browser.new_context(base_url=live_server.url)  # the real CSP
    family_context.set_default_timeout(LIVE)
    family = family_context.new_page()
    errors: list[str] = []
    for page in (staff, family):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # The practitioner has the inbox open before anything arrives.
    sign_in(staff, audit, practitioner, secret)
    staff.goto("/staff/conversations")
    audit(staff, "empty inbox")
    assert "No open conversations" in staff.locator("main").inner_text()

    family.goto("/chat")
    family.get_by_label("Your message").fill(DANGER)
    family.get_by_role("button", name="Send").click()
    assert "999" in family.locator("[data-chat-messages]").inner_text()

    # Without a reload: the row arrives at the top of the inbox, and every workspace page announces it.
    row = staff.locator("tr[data-conversation]").first
    row.get_by_text("Danger now", exact=True).wait_for()
    assert "Web chat" in row.inner_text()
    staff.locator("[data-module='app-danger-alert']").get_by_text("waiting for a person").wait_for()
    audit(staff, "danger waiting")

    row.get_by_role("link").click()
    assert path_of(staff.url).startswith("/staff/conversations/")
    staff.get_by_role("button", name="Take this conversation").click()
    audit(staff, "taken")

    # The assistant is paused: the family's next message reaches the practitioner's transcript, unanswered.
    family.get_by_label("Reply").fill("he has gone out to the car now")
    family.get_by_role("button", name="Send").click()
    staff.locator("[data-transcript]").get_by_text("he has gone out to the car now").wait_for()
    family_lines = family.locator("[data-chat-messages]").inner_text()
    assert family_lines.rstrip().endswith("he has gone out to the car now"), family_lines[-200:]

    staff.get_by_label("Your message (shown in their web chat)").fill("I'm Sam from the team. Are you safe right now?")
    staff.get_by_role("button", name="Send", exact=True).click()
    audit(staff, "replied")
    # The family sees it without reloading, said by a person.
    family.locator("[data-chat-messages]").get_by_text("Are you safe right now?").wait_for()
    assert "A person in our team" in family.locator("[data-chat-messages]").inner_text()

    staff.get_by_role("button", name="Hand back to the assistant").click()
    family.locator("[data-chat-messages]").get_by_text("automated assistant again", exact=False).wait_for()
    family.get_by_label("Reply").fill("ok thank you")
    family.get_by_role("button", name="Send").click()
    after = family.locator("[data-chat-messages]").inner_text()
    assert "Front Door" in after[after.rindex("ok thank you"):]  # the assistant answers again

    staff.goto("/staff/conversations")
    assert "Sam Duty" not in staff.locator("tr[data-conversation]").first.inner_text()  # nobody holds it now
    audit(staff, "after hand-back")
    audit.assert_clean()
    assert not errors, errors
    staff_context.close()
    family_context.close()
