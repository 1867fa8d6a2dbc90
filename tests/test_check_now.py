"""The danger screen's second outcome, "check now" (issue 12), on every channel: where a rule is unsure (in the
past, now and then, said to be safe now, or a weaker sign) the contact is red with a reason that tells staff to
check it now, and the person is told nothing: no 999 reply, no safety mode, the conversation carries on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from bot.models import Conversation, ConversationContact, Message
from forms import examples
from forms.referral import JOURNEYS
from mash.intake import receive_referral
from mash.models import DANGER_NOW_RANK, RAG_ORDER, AuditEvent, Contact
from mash.safety import describe_flag, screen
from mash.triage import assess
from tests.bot_support import FakeParser, post_sms, use_parser
from tests.journey_support import walk
from tests.staff_support import create_staff, sign_in

# Said on a contact weekend, not now: a concern to check today, not a 999 call.
UNSURE = "my ex drinks when he has the kids on his weekends, they say he falls asleep on the sofa"
DANGER = "dad is drunk and throwing things at us im hiding in my room"
ADVICE = "If you or a child are in danger now, call 999."


def reply_of(response) -> str:
    found = re.findall(r"<Message[^>]*>(.*?)</Message>", response.get_data(as_text=True), re.S)
    return " ".join(found).replace("&apos;", "'").replace("&quot;", '"').replace("&amp;", "&")


@pytest.fixture
def parser(monkeypatch) -> FakeParser:
    fake = FakeParser()
    use_parser(monkeypatch, fake)
    return fake


def test_the_screen_is_unsure_of_this_message_and_says_nothing_to_the_person() -> None:
    result = screen(UNSURE)
    assert result.check_now and not result.danger and result.red and result.reply is None
    assert result.check_categories == ("intoxicated_carer_with_child",) and result.categories == ()


# --- the MASH side: triage and intake ----------------------------------------------------------------------------
def test_check_now_is_red_with_its_reason_but_below_danger_now() -> None:
    today = dt.date(2026, 3, 2)
    checked = assess(examples.family_help_request(), today=today, check_now=("child_alone",))
    assert checked.rag == "red" and "check_now:child_alone" in checked.flags
    assert not [f for f in checked.flags if f.startswith("danger_now")]
    both = assess(examples.family_help_request(), today=today, danger=("child_alone",), check_now=("child_alone",))
    assert both.flags.count("danger_now:child_alone") == 1 and "check_now:child_alone" not in both.flags


def test_intake_puts_a_check_now_contact_with_the_reds_not_above_danger_now(db_session) -> None:
    referral, problems = JOURNEYS["help"].validate(examples.family_help_request())
    assert referral is not None, problems
    checked = receive_referral(db_session, referral, channel="web", actor="test", check_now=("violence_now",))
    danger = receive_referral(db_session, referral, channel="web", actor="test", danger=("violence_now",))
    assert checked.rag == "red" and checked.risk_rank == RAG_ORDER["red"] and danger.risk_rank == DANGER_NOW_RANK
    assert describe_flag("check_now:violence_now").startswith("Check now: violence")
    assert "not told to call 999" in describe_flag("check_now:violence_now")


# --- the web journeys ---------------------------------------------------------------------------------------------
def test_an_unsure_help_request_is_red_for_staff_and_the_page_says_nothing_of_danger(client, db_session):
    walk(client, "help", examples.family_help_request(what_happened=UNSURE))
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.risk_rank == RAG_ORDER["red"]
    assert contact.safety_flags[0] == "check_now:intoxicated_carer_with_child"
    assert not [f for f in contact.safety_flags if f.startswith("danger_now")]
    page = client.get("/help/confirmation").get_data(as_text=True)
    assert "danger now" not in page and "press 55" not in page
    received = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.received")).one()
    assert "weekends" not in str(received.details)  # the trail keeps the reason, never the words


def test_a_concern_reported_about_the_past_is_check_now_not_999(client, db_session):
    answers = examples.public_concern(what_happened="a few years ago my ex strangled me, hes in prison now and "
                                                    "were safe but my son still has nightmares about it")
    walk(client, "report", answers)
    contact = db_session.scalars(select(Contact)).one()
    assert "check_now:violence_now" in contact.safety_flags and contact.risk_rank != DANGER_NOW_RANK
    assert "danger now" not in client.get("/report/confirmation").get_data(as_text=True)


# --- text messages and web chat ----------------------------------------------------------------------------------
def test_by_text_check_now_raises_a_red_contact_and_the_conversation_carries_on(client, db_session, parser):
    reply = reply_of(post_sms(client, UNSURE))
    assert reply and ADVICE not in reply and "press 55" not in reply  # nothing said of danger
    assert parser.calls == [UNSURE]  # read by the model like any other message
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.risk_rank == RAG_ORDER["red"] and contact.channel == "sms"
    assert "check_now:intoxicated_carer_with_child" in contact.safety_flags
    assert db_session.scalars(select(ConversationContact.reason)).one() == "check_now"
    conversation = db_session.scalars(select(Conversation)).one()
    assert not conversation.danger and not (conversation.state or {}).get("after_danger")
    message = db_session.scalars(select(Message).where(Message.direction == "in")).one()
    assert message.danger_categories == [] and message.handled_by == "dialogue"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "conversation.check_now")).one()
    assert event.contact_id == contact.id and event.details == {
        "categories": ["intoxicated_carer_with_child"], "message": message.id}
    # The next message goes on with the conversation, not the safety turn.
    after = reply_of(post_sms(client, "RG40 1BN"))
    assert ADVICE not in after and not after.startswith("Thank you for telling us")
    db_session.expire_all()
    assert len(db_session.scalars(select(Contact)).all()) == 1  # one check is enough


@pytest.mark.parametrize("text", [
    "teacher here. pupil came in with bruises on her arms, says her dad hit her",
    "my partner hit my son yesterday",
])
def test_by_text_a_past_injury_seen_by_a_teacher_or_a_hit_yesterday_is_check_now_not_999(client, db_session, parser,
                                                                                           text):
    reply = reply_of(post_sms(client, text))
    assert reply and ADVICE not in reply and "press 55" not in reply
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and "check_now:violence_now" in contact.safety_flags
    assert not [f for f in contact.safety_flags if f.startswith("danger_now")]


@pytest.mark.parametrize("text", [
    "teacher here, pupil says her dad is hitting her mum right now",
    "he hit her and hes still here shouting",
    "he said he will kill her on saturday",  # a day named is not always past: a threat for saturday is danger now
])
def test_by_text_a_child_or_parent_hurt_now_still_gets_999(client, db_session, parser, text):
    assert reply_of(post_sms(client, text)).startswith(ADVICE)
    assert db_session.scalars(select(Contact)).one().safety_flags[0] == "danger_now:violence_now"


def test_danger_after_a_check_now_gets_999_and_takes_that_contact_to_the_head_of_the_queue(client, db_session,
                                                                                            parser):
    post_sms(client, UNSURE)
    assert reply_of(post_sms(client, DANGER)).startswith(ADVICE)
    db_session.expire_all()
    contact = db_session.scalars(select(Contact)).one()
    assert contact.risk_rank == DANGER_NOW_RANK and contact.safety_flags[0] == "danger_now:violence_now"
    assert "check_now:intoxicated_carer_with_child" in contact.safety_flags
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "conversation.danger")).one()
    assert event.details["escalated"] is True


def test_in_web_chat_too(client, db_session, parser):
    body = client.post("/chat/api/messages", json={"text": UNSURE}).get_json()
    assert body["replies"] and not any(ADVICE in r for r in body["replies"])
    contact = db_session.scalars(select(Contact)).one()
    assert contact.channel == "chat" and "check_now:intoxicated_carer_with_child" in contact.safety_flags


# --- how staff see it ---------------------------------------------------------------------------------------------
def test_staff_read_the_reason_in_words_on_the_queue_and_the_contact_page(client, db_session, parser):
    post_sms(client, UNSURE)
    contact = db_session.scalars(select(Contact)).one()
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    queue = client.get("/staff/queue").get_data(as_text=True)
    assert "Check now: a carer drunk or high with a child" in queue
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Check now: a carer drunk or high with a child?" in page and "not told to call 999" in page
    # the message it was, marked in the transcript (beside the flag above), in words
    assert page.count("Check now: a carer drunk or high with a child") == 2
    assert "intoxicated carer" not in page  # in words, never the code
    assert "The danger screen was unsure of a message" in page  # and on the trail


def test_a_teachers_account_mid_referral_by_text_is_check_now_and_danger_now_still_gets_999(client, db_session,
                                                                                            parser):
    """The live probe: a teacher's first text said a pupil came in with bruises; their answer to what happened,
    "she has bruises on her arms and says her step dad grabbed her", got the 999 advice and the referral stopped."""
    post_sms(client, "im a teacher at oakfield and a pupil came in with bruises")
    conversation = db_session.scalars(select(Conversation)).one()
    assert (conversation.state or {}).get("journey") == "professional"
    reply = reply_of(post_sms(client, "she has bruises on her arms and says her step dad grabbed her"))
    assert reply and ADVICE not in reply and "press 55" not in reply
    db_session.expire_all()
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and not [f for f in contact.safety_flags if f.startswith("danger_now")]
    assert not (db_session.get(Conversation, conversation.id).state or {}).get("after_danger")
    # happening now, or another kind of danger, is still the 999 advice in the same conversation
    assert reply_of(post_sms(client, "her step dad is at the school gate now shouting that he will kill her")) \
        .startswith(ADVICE)


def test_the_age_in_a_danger_text_is_on_the_contact_staff_read(client, db_session, parser):
    """The live probe: "my daughter took an overdose last night shes 15" made a contact whose child was "Not
    known"; the queue row now says the age as the person gave it."""
    import datetime as dt

    from mash.describe import children_words

    assert reply_of(post_sms(client, "my daughter took an overdose last night shes 15")).startswith(ADVICE)
    contact = db_session.scalars(select(Contact)).one()
    assert children_words(contact.children, dt.date(2026, 12, 7)) == "Name not known, 15, as said"
