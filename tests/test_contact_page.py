"""The contact page starts with the child (issue 15 item 5): a summary first, the referral in the MASH's words,
'Viewed' folded, a conversation as turns with what it collected, and a printable copy that is audited."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import select

from bot.models import Conversation
from forms import examples
from mash.history import HistoryLine, fold_views
from mash.models import AuditEvent, Contact
from tests.bot_support import FakeParser, use_parser
from tests.staff_support import create_contact, create_staff, sign_in


def _text(page: str) -> str:
    """What a reader sees, roughly: the main content's words, tags gone, spaces collapsed."""
    main = page[page.index("<main"):]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def _signed_in(app, db_session, role: str = "practitioner", name: str | None = None):
    user, secret = create_staff(db_session, role=role, name=name)
    client = app.test_client()
    sign_in(client, user, secret)
    return client, user


def test_the_page_starts_with_the_child_the_worry_the_risk_and_why(app, db_session):
    contact = create_contact(db_session)
    client, _ = _signed_in(app, db_session)
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    h1 = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', page, re.S).group(1)
    assert "Jayden Morris, 7" in h1 and contact.reference not in h1
    words = _text(page)
    summary = words[:words.index("The referral Received")]
    # The child, the worry, why it is red, the deadline, what the parents know and consent: all before the referral.
    assert re.search(r"Child Jayden Morris, 7 \(born \d+ \w+ \d{4}\)", summary)
    assert "Worry Physical abuse or injury, Domestic abuse at home" in summary
    assert "Risk RED A specialist-help (level 4) concern" in summary and "Decision due" in summary
    assert "Parents told No (the referral): Telling mum before a strategy discussion" in summary
    assert "Consent Not asked. Going ahead because: Significant harm is suspected" in summary
    assert "Already known No referral about these children in the last 12 months" in summary
    # Who referred, in words first; the census code only as a detail after them.
    assert "Referred by School or nursery: Priya Shah" in summary
    assert summary.index("School or nursery: Priya Shah") < summary.index("referral source code 2A")
    assert words.index("Jayden Morris") < words.index("bruising")


def test_the_referral_is_in_the_mash_words_not_the_referrers_nor_codes(app, db_session):
    contact = create_contact(db_session)
    client, _ = _signed_in(app, db_session)
    words = _text(client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True))
    referral = words[words.index("The referral Received"):words.index("Screening")]
    for asked_of_the_referrer in ("Your details", "Where do you work?", "Your concern", "What are you worried about?",
                                  "Have the parents or carers been told about this referral?", "Full name"):
        assert asked_of_the_referrer not in referral, asked_of_the_referrer
    assert "The referrer Name Priya Shah Role Designated safeguarding lead" in referral
    assert "Works in A school, college or nursery" in referral
    assert "The worry Kind of worry Physical abuse or injury, Domestic abuse at home What happened Jayden" in referral
    for raw in ("level4_indicator", "level4 indicator", "suggested_level_4", "Children in Need referral source 2A",
                "not_asked", "physical_abuse", "danger_now"):
        assert raw not in words, raw


def test_a_danger_flag_reads_in_words_and_an_unknown_child_says_so(app, db_session, client, monkeypatch):
    use_parser(monkeypatch, FakeParser())
    client.post("/chat/api/messages", json={"text": "mum's boyfriend hit my little brother and there's blood"})
    contact = db_session.scalars(select(Contact)).one()
    staff, _ = _signed_in(app, db_session)
    page = staff.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    h1 = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', page, re.S).group(1)
    assert "Child not known yet" in h1
    words = _text(page)
    assert re.search(r"Risk RED Danger now: [a-z]", words) and "danger_now" not in words and "danger now:" not in words


def test_an_unborn_baby_and_a_child_of_unknown_age_are_named_as_such(app, db_session):
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    contact = create_contact(db_session, children=[
        {"born": "no", "mother_name": "Kelly Morris", "due_date": due},
        {"born": "yes", "first_name": "Mia", "last_name": "Morris", "date_of_birth": "2019-05-01", "gender": "girl"}])
    client, _ = _signed_in(app, db_session)
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    h1 = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', page, re.S).group(1)
    assert "Unborn baby, and 1 more child" in h1
    day = dt.date.fromisoformat(due)
    assert f"Unborn baby (due {day.day} {day.strftime('%B %Y')})" in _text(page)
    assert "Children" in _text(page)[:600]


def test_viewed_rows_fold_into_one_line_that_keeps_every_viewing(app, db_session):
    contact = create_contact(db_session)
    client, user = _signed_in(app, db_session, name="Pat Practitioner")
    for _ in range(4):
        client.get(f"/staff/contacts/{contact.id}")
    client.post(f"/staff/contacts/{contact.id}/claim")  # back to the page: one more viewing after the action
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', history, re.S)][1:]
    viewed = [r for r in rows if "Viewed" in r]
    assert len(viewed) == 1, rows
    assert "Viewed 5 times: by Pat Practitioner; last by Pat Practitioner at" in viewed[0]
    assert viewed[0].count("Pat Practitioner") == 3 + 5  # who, the summary's two, then each under "Every viewing"
    assert [r.split(" Pat Practitioner ")[1][:7] for r in rows if "Claimed" in r] == ["Claimed"]
    assert db_session.scalars(select(AuditEvent.event).where(AuditEvent.event == "contact.viewed")).all() == \
        ["contact.viewed"] * 5  # folded on the page, every one still on the trail


def test_folding_names_everyone_who_viewed_and_leaves_a_single_viewing_alone():
    at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    one = [HistoryLine(at, "A", "Received", ""), HistoryLine(at, "B", "Viewed", "")]
    assert fold_views(one) == one
    lines = [HistoryLine(at, "Pat", "Viewed", ""), HistoryLine(at, "Pat", "Claimed", ""),
             HistoryLine(at + dt.timedelta(minutes=5), "Morgan", "Viewed", "")]
    folded = fold_views(lines)
    assert [line.what for line in folded] == ["Claimed", "Viewed 2 times"]
    assert folded[1].who == "Morgan" and folded[1].detail.startswith("by 2 people: Pat, Morgan; last by Morgan")
    assert [v.who for v in folded[1].views] == ["Pat", "Morgan"]


def test_the_practitioner_is_not_asked_again_whether_the_parents_were_told(app, db_session):
    said = create_contact(db_session)  # the referral says: not told, and why
    unsure = create_contact(db_session, journey="report", answers=examples.public_concern(parents_told="not_known"))
    client, _ = _signed_in(app, db_session)
    for contact in (said, unsure):
        client.post(f"/staff/contacts/{contact.id}/claim")
    page = client.get(f"/staff/contacts/{said.id}").get_data(as_text=True)
    screening = _text(page)[_text(page).index("Screening"):]
    assert screening.startswith("Screening Parents told: No , as the referral says (Telling mum")
    # The question is there only for a change, folded away, not asked.
    assert re.search(r'<details class="govuk-details"[^>]*>\s*<summary[^>]*>\s*<span[^>]*>\s*That has changed: record',
                     page)
    page = client.get(f"/staff/contacts/{unsure.id}").get_data(as_text=True)
    assert "Parents told: not known . The referral does not say" in _text(page)
    assert "That has changed" not in page and "Have the parents been told about this contact?" in page
    # Recording it makes the practitioner's record the one the page goes by.
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    client.post(f"/staff/contacts/{unsure.id}/parents-informed", data={"informed": "yes", "version": version})
    assert "Parents told Yes (the practitioner's record)" in _text(client.get(f"/staff/contacts/{unsure.id}")
                                                                     .get_data(as_text=True))


def test_a_web_chat_reads_as_turns_with_what_it_collected(app, db_session, client, monkeypatch):
    use_parser(monkeypatch, FakeParser())
    said = ["mum's boyfriend hit my little brother and there's blood", "he has gone out now", "my brother is 6"]
    first = client.post("/chat/api/messages", json={"text": said[0]}).get_json()
    for words in said[1:]:
        client.post("/chat/api/messages", json={"conversation_id": first["conversation_id"], "text": words})
    contact = db_session.scalars(select(Contact)).one()
    conversation = db_session.scalars(select(Conversation)).one()
    conversation.state = {**(conversation.state or {}), "journey": "report",
                          "answers": {"first_name": "Ava", "concern_categories": ["physical_abuse"],
                                      "parents_told": "not_known"}}
    db_session.commit()
    staff, _ = _signed_in(app, db_session)
    page = staff.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    turns = re.findall(r'<li class="app-transcript__line app-transcript__line--(\w+)"', page)
    assert turns.count("in") == 3 and "bot" in turns  # each message its own turn, the assistant's replies between
    person = re.findall(r'app-transcript__line--in".*?<p class="govuk-body app-transcript__text">(.*?)</p>', page, re.S)
    assert [html.unescape(p) for p in person] == said
    # The referral does not repeat everything typed as one block: it points to the turns.
    assert "In their own words: the conversation below" in page
    assert html.escape(said[0]) + "<br>" not in page
    words = _text(page)
    collected = words[words.index("What the conversation collected"):words.index("The conversation, oldest first")]
    assert "First name Ava" in collected and "Kind of worry Physical abuse or injury" in collected
    assert "Parents told Not known" in collected


def test_the_printable_copy_is_the_record_without_the_workspace_and_is_audited(app, db_session):
    contact = create_contact(db_session)
    client, user = _signed_in(app, db_session, name="Pat Practitioner")
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert f'href="/staff/contacts/{contact.id}/print"' in page
    response = client.get(f"/staff/contacts/{contact.id}/print")
    assert response.status_code == 200
    printed = response.get_data(as_text=True)
    assert "print.css" in printed and "govuk-service-navigation" not in printed and "<form" not in printed
    assert "Sign out" not in printed and "Claim this contact" not in printed
    words = _text(printed)
    assert "OFFICIAL-SENSITIVE" in printed and "Printed by Pat Practitioner" in printed
    assert words.index("Jayden Morris, 7") < words.index("The referral") < words.index("History")
    assert "Works in A school, college or nursery" in words and "Decision No decision yet" in words
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.contact_id == contact.id)
                                .order_by(AuditEvent.seq)).all()
    assert events[-1].event == "contact.printed" and events[-1].actor == f"staff:{user.id}"
    assert [e.event for e in events].count("contact.viewed") == 1  # the print was not counted as a viewing
    # ...and the contact's history says so.
    assert "Printed (or saved) the whole contact" in _text(client.get(f"/staff/contacts/{contact.id}")
                                                           .get_data(as_text=True))


def test_printing_a_contact_one_may_not_open_is_refused_and_leaves_no_trace(app, db_session):
    contact = create_contact(db_session)
    admin, _ = _signed_in(app, db_session, role="admin")
    assert admin.get(f"/staff/contacts/{contact.id}").status_code == 403
    assert admin.get(f"/staff/contacts/{contact.id}/print").status_code == 403
    practitioner, _ = _signed_in(app, db_session)
    assert practitioner.get("/staff/contacts/999999/print").status_code == 404
    assert practitioner.get("/staff/contacts/x/print").status_code == 404
    anonymous = app.test_client().get(f"/staff/contacts/{contact.id}/print")
    assert anonymous.status_code == 302 and "/staff/sign-in" in anonymous.location
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.printed")).all() == []


def _feedback_section(client, contact: Contact) -> str:
    words = _text(client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True))
    return words[words.index("Feedback to the referrer"):words.index("History Everything that has happened")]


def test_a_family_for_whom_contact_is_not_safe_is_sent_nothing_and_staff_are_told_the_safe_way(app, db_session):
    """Feedback is never queued for someone who said calling or texting is not safe (mash.outbox): the page must
    not promise it will be, and says the safe way they gave, so whoever tells them the outcome acts on it."""
    through = create_contact(db_session, journey="help", answers=examples.family_help_request(
        safe_to_contact="no", safe_contact_way="professional", safe_contact_professional="Our health visitor, Jo"))
    at_a_time = create_contact(db_session, journey="help", answers=examples.family_help_request(
        safe_to_contact="no", safe_contact_way="safe_time", safe_contact_time="Weekdays 10am to 2pm"))
    client, _ = _signed_in(app, db_session)
    section = _feedback_section(client, through)
    assert "None yet" not in section and "Feedback is queued" not in section
    assert ("Nothing will be sent: the referrer said it is not safe to call or text them. To tell them the outcome, "
            "go only through the professional they named: Our health visitor, Jo.") in section
    section = _feedback_section(client, at_a_time)
    assert ("Nothing will be sent: the referrer said it is not safe to call or text them. To tell them the outcome, "
            "use only the safe way they gave. Only at a safe time: Weekdays 10am to 2pm.") in section
    # a teacher with an e-mail address still hears back, and the page says how
    teacher = create_contact(db_session)
    assert "None yet. Feedback is e-mailed to the referrer when a decision is signed off." in \
        _feedback_section(client, teacher)


def test_the_receipt_e_mailed_to_the_referrer_is_not_called_feedback(app, db_session, tmp_path):
    from mash.outbox import ConsoleSender, send_due
    from mash.receipts import queue_receipt

    contact = create_contact(db_session)
    assert queue_receipt(db_session, contact) is not None
    db_session.commit()
    send_due(db_session, ConsoleSender(tmp_path, echo=lambda _text: None))
    client, _ = _signed_in(app, db_session)
    section = _feedback_section(client, contact)
    # the decision's feedback is still to come; the receipt is named as what it is
    assert "None yet. Feedback is e-mailed to the referrer when a decision is signed off." in section
    assert re.search(r"Receipt e-mailed to the referrer at \d\d:\d\d on \d+ \w+ \d{4}: it says we have their "
                     r"referral, not what was decided\.", section)
    assert "email: sent" not in section and "E-mail: sent" not in section
    words = _text(client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True))
    history = words[words.index("History Everything that has happened"):]
    assert "The system Receipt to the referrer queued (an e-mail saying we have their referral)" in history
    assert "The system Receipt e-mailed to the referrer" in history
    assert "Feedback sent to the referrer" not in history and "receipt.queued" not in history
    assert "The referrer Received through the web form: rated RED" in history


def test_what_happened_is_recognised_as_the_typed_turns_without_joining_every_prefix():
    from portal.staff.views import _typed_in

    turns = ["hes shouting", "the baby is crying", "im scared"]
    assert _typed_in("hes shouting\nthe baby is crying", [turns])
    assert _typed_in("hes shouting\nthe baby is crying\nim scared", [["other"], turns])
    assert not _typed_in("hes shouting\nim scared", [turns])  # not the first n turns as typed
    assert not _typed_in(None, [turns]) and not _typed_in("", [turns])
    assert not _typed_in("short", [["x" * 10_000] * 10_000])  # stops at once: longer than what happened
