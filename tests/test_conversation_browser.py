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

    # The assistant is paused: the family's next message reaches the practitioner's transcript; the family is
    # told once that a person has it (in the words for the hour: the office may be closed when this runs), and
    # the assistant asks nothing.
    family.get_by_label("Reply").fill("he has gone out to the car now")
    family.get_by_role("button", name="Send").click()
    staff.locator("[data-transcript]").get_by_text("he has gone out to the car now").wait_for()
    family_lines = family.locator("[data-chat-messages]").inner_text()
    after_theirs = family_lines[family_lines.rindex("he has gone out to the car now"):]
    assert ("A person in our team has your message" in after_theirs
            or "a person will reply when it opens" in after_theirs), after_theirs
    assert "?" not in after_theirs.split("\n", 1)[1], after_theirs

    staff.get_by_label("Your message (shown in their web chat)").fill("I'm Sam from the team. Are you safe right now?")
    staff.get_by_role("button", name="Send", exact=True).click()
    audit(staff, "replied")
    # The family sees it without reloading, said by a person.
    family.locator("[data-chat-messages]").get_by_text("Are you safe right now?").wait_for()
    assert "A person in our team" in family.locator("[data-chat-messages]").inner_text()
    # A screen reader hears who replied, never the whole conversation (their own disclosure) again.
    assert family.locator("[data-chat-status]").inner_text() == "A person in our team has replied."
    assert family.locator("[data-module='app-live-chat'][aria-live], [data-chat-messages][aria-live]").count() == 0

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


def _text(live_server, body: str, sender: str) -> None:
    """A text message arriving at the webhook, signed as Twilio signs it."""
    import requests

    from tests.bot_support import signed, sms_params

    params = sms_params(body, sender=sender)
    response = requests.post(f"{live_server.url}/sms/inbound", data=params, headers=signed(params), timeout=10)
    assert response.status_code == 200, response.status_code


def test_the_workspace_for_keyboard_and_screen_reader_users(browser, live_server, audit: AxeAudit, db_session):
    """The danger alert without JavaScript; with it, focus kept through the inbox's updates, only the alert's
    changes and a transcript's new lines said aloud, and a text's count as the server counts it."""
    practitioner, secret = create_staff(db_session, name="Sam Duty")
    _text(live_server, DANGER, "+447700900111")

    colleague, colleague_secret = create_staff(db_session, name="Pat Colleague")
    plain = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = plain.new_page()
    sign_in(page, lambda *args: None, colleague, colleague_secret)  # axe-core needs JavaScript to run
    page.goto("/staff/queue")
    alert = page.locator("[data-module='app-danger-alert']")
    assert alert.is_visible() and "A danger conversation is waiting for a person." in alert.inner_text()
    alert.get_by_role("link", name="Open the newest").click()
    assert path_of(page.url).startswith("/staff/conversations/")
    plain.close()

    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(LIVE)
    staff = context.new_page()
    errors: list[str] = []
    staff.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(staff, audit, practitioner, secret)
    staff.goto("/staff/conversations")
    first = staff.locator("tr[data-conversation]").first
    kept = first.get_attribute("data-conversation")
    first.get_by_role("link").focus()
    # Nothing changed: the rows are left alone (a swap would take the marker with it).
    staff.evaluate("document.querySelector('[data-live-body]').__unchanged = true")
    staff.wait_for_timeout(3500)
    assert staff.evaluate("document.querySelector('[data-live-body]').__unchanged === true")

    # A second danger text: the rows change under the keyboard user, who stays on the row they were on.
    _text(live_server, DANGER, "+447700900222")
    staff.locator("tr[data-conversation]").nth(1).wait_for()
    staff.wait_for_function("() => !document.querySelector('[data-live-body]').__unchanged")
    assert staff.evaluate("document.activeElement.closest('tr')?.dataset.conversation") == kept
    assert staff.evaluate("document.activeElement.tagName") == "A"
    staff.locator("[data-live-status]").get_by_text("A conversation has joined the list").wait_for(state="attached")
    alert = staff.locator("[data-module='app-danger-alert']")
    alert.get_by_text("2 are waiting for a person", exact=False).wait_for()
    audit(staff, "two danger rows")

    with staff.expect_navigation():
        staff.keyboard.press("Enter")  # the focused link, still the first conversation's
    assert path_of(staff.url) == f"/staff/conversations/{kept}"
    staff.get_by_role("button", name="Take this conversation").click()
    # Taken: the alert counts only the conversation nobody has, in fresh words.
    alert.get_by_text("A danger conversation is waiting for a person.", exact=True).wait_for()

    # The person texts again: only who wrote is said, not the whole transcript again.
    _text(live_server, "he has gone out now", "+447700900111")
    staff.locator("[data-transcript]").get_by_text("he has gone out now").wait_for()
    staff.wait_for_function("() => document.querySelector('[data-transcript-status]').textContent !== ''")
    said = staff.locator("[data-transcript-status]").text_content() or ""
    assert said.startswith("New message from the person.") and "gone out" not in said, said

    box = staff.get_by_label("Your message (sent as a text)")
    shown = staff.locator(".app-sms-count[aria-hidden='true']")
    heard = staff.locator("#message-count")
    box.fill("x" * 170)
    assert shown.inner_text() == "170 characters: 2 texts of 4"
    staff.wait_for_function("() => document.getElementById('message-count').textContent.startsWith('170')")
    box.fill("\u06a9\u06cc\u0627 \u0622\u067e \u0645\u062d\u0641\u0648\u0638 \u06c1\u06cc\u06ba\u061f")
    assert shown.inner_text() == "17 characters in another alphabet: 1 text"
    box.fill("Curly \u2018quotes\u2019 are plain " + "x" * 590)
    assert shown.inner_text() == "You have 3 characters too many: 5 texts, 4 at most"
    assert "govuk-error-message" in (shown.get_attribute("class") or "")
    heard.get_by_text("You have 3 characters too many: 5 texts, 4 at most").wait_for(state="attached")
    audit(staff, "counting a text")
    audit.assert_clean()
    assert not errors, errors
    context.close()
