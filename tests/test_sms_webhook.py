"""The Twilio webhook: signed requests only, each message stored once, danger answered first, nothing lost."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from bot import spool
from bot.models import Conversation, ConversationContact, Message
from bot.pipeline import FLOOD_REPLY
from bot.sms import TWO_SEGMENTS, gsm7_length, is_gsm7
from mash.clock import WorkingCalendar
from mash.models import AuditEvent, Contact
from store.db import utcnow
from tests.bot_support import PARENT, FakeParser, post_sms, signed, sms_params, use_parser
from tests.conftest import change_settings

DANGER = "dad is drunk and throwing things at us im hiding in my room"
ADVICE = "If you or a child are in danger now, call 999."
MASH_NUMBER, OUT_OF_HOURS = "0118 496 0000", "01344 351 999"
POSTCODE_QUESTION = "What is your postcode? It helps me find services near you."
OFFER_QUESTION = "Would you like our early help team to get in touch as well? Reply YES or NO"
NOT_UNDERSTOOD = ("not sure I understood", "did not understand")
# A family's way to the consent question, by text: each answer, and what is asked next.
TO_CONSENT = ["I'm struggling with my 4 year old", "RG40 1BN", "yes", "Sam Example", "mother", "yes", "Alex",
              "Example", "4 March 2022", "not known", "yes"]


def reply_of(response) -> str:
    found = re.findall(r"<Message[^>]*>(.*?)</Message>", response.get_data(as_text=True), re.S)
    return " ".join(found).replace("&apos;", "'").replace("&quot;", '"').replace("&amp;", "&")


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.execute(select(func.count()).select_from(model)).scalar_one()


def the_conversation(db_session) -> Conversation:
    db_session.expire_all()
    return db_session.scalars(select(Conversation)).one()


def say_all(client, messages: list[str], clock: Clock | None = None, **kwargs) -> list[str]:
    """Each message in turn; with a clock, twenty seconds apart, as a person answering questions might."""
    replies = []
    for words in messages:
        replies.append(reply_of(post_sms(client, words, **kwargs)))
        if clock is not None:
            clock.advance(seconds=20)
    return replies


@pytest.fixture
def parser(monkeypatch) -> FakeParser:
    """Rasa up, with no opinion of its own (no intent): the front door's reader does the reading."""
    fake = FakeParser()
    use_parser(monkeypatch, fake)
    return fake


@pytest.fixture
def office(monkeypatch):
    """Office hours (or not, `office(False)`) whatever the time the tests run."""

    def set_office(open_now: bool) -> None:
        monkeypatch.setattr(WorkingCalendar, "is_office_hours", lambda self, moment: open_now)

    set_office(True)
    return set_office


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The pipeline's clock (the time a message and its reply are stored at), moved by the test."""
    from bot import pipeline

    fake = Clock()
    monkeypatch.setattr(pipeline, "utcnow", fake)
    return fake



# --- who may post, and what is kept ---------------------------------------------------------------------------
def test_a_signed_message_is_answered_in_twiml_and_stored_encrypted(client, db_session, parser):
    response = post_sms(client, "I'm struggling with my 4 year old")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert reply_of(response) == ("I'm sorry things are hard. You have done the right thing getting in touch. "
                                  + POSTCODE_QUESTION)
    assert parser.calls == ["I'm struggling with my 4 year old"]  # the model sees the words, never the number
    conversation = the_conversation(db_session)
    assert conversation.phone == PARENT and conversation.channel == "sms"
    assert [(m.direction, m.handled_by) for m in conversation.messages] == [("in", "dialogue"), ("out", "dialogue")]
    assert conversation.state["journey"] == "help" and conversation.state["asking"] == "postcode"
    raw = db_session.execute(text("SELECT text FROM conversation_messages")).scalars().all()
    assert len(raw) == 2 and all("struggling" not in (r or "") and "postcode" not in (r or "") for r in raw)
    raw_conversation = db_session.execute(text("SELECT phone, sender_key, state FROM conversations")).one()
    assert "7700900123" not in "".join(raw_conversation)  # nor the number
    assert '"journey"' not in raw_conversation.state and "struggling" not in raw_conversation.state


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}])
def test_a_missing_or_bad_signature_is_refused_before_anything_is_stored(client, db_session, parser, headers):
    response = client.post("/sms/inbound", data=sms_params(DANGER), headers=headers)
    assert response.status_code == 403
    assert count(db_session, Message) == 0 and count(db_session, Contact) == 0
    assert count(db_session, Conversation) == 0
    assert parser.calls == []


def test_a_signature_for_another_url_or_token_is_refused(client, db_session, parser):
    params = sms_params("hello")
    assert client.post("/sms/inbound", data=params, headers=signed(params, path="/other")).status_code == 403
    assert client.post("/sms/inbound", data=params, headers=signed(params, token="wrong")).status_code == 403
    tampered = {**params, "Body": "something else"}  # signed for one body, sent with another
    assert client.post("/sms/inbound", data=tampered, headers=signed(params)).status_code == 403
    assert count(db_session, Message) == 0


@pytest.mark.parametrize("field, value", [("AccountSid", "AC" + "1" * 32), ("To", "+447700900999")])
def test_only_our_account_and_our_number_are_answered(client, db_session, parser, field, value):
    params = sms_params("hello", **{field: value})
    assert client.post("/sms/inbound", data=params, headers=signed(params)).status_code == 403
    assert count(db_session, Message) == 0


def test_our_number_written_another_way_is_still_ours(client, db_session, parser):
    params = sms_params("hello", To="07700 900000")
    assert client.post("/sms/inbound", data=params, headers=signed(params)).status_code == 200
    assert count(db_session, Message) == 2


def test_a_retried_delivery_is_stored_once_and_gets_the_same_reply(client, db_session, parser):
    params = sms_params("can I get help with my son's behaviour")
    first = client.post("/sms/inbound", data=params, headers=signed(params))
    version = the_conversation(db_session).state_version
    parser.intent = "greet"  # whatever the model would say now, the retry is not read again
    again = client.post("/sms/inbound", data=params, headers=signed(params))
    assert reply_of(first) and reply_of(again) == reply_of(first)
    assert parser.calls == ["can I get help with my son's behaviour"]
    assert count(db_session, Message) == 2  # one in, one out
    assert the_conversation(db_session).state_version == version  # the dialogue did not move twice


# --- danger first ---------------------------------------------------------------------------------------------
def test_danger_gets_999_at_once_and_a_red_contact_heads_the_queue_with_its_transcript(client, db_session,
                                                                                        parser):
    from bot.conversations import transcripts_for_contact

    post_sms(client, "hi")
    response = post_sms(client, DANGER)
    reply = reply_of(response)
    assert reply.startswith(ADVICE) and OUT_OF_HOURS in reply and "press 55" in reply
    assert gsm7_length(reply) <= TWO_SEGMENTS
    assert parser.calls == ["hi"]  # the danger message never waited for the model
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.channel == "sms" and contact.status == "new"
    assert any(f.startswith("danger_now:violence_now") for f in contact.safety_flags)
    assert contact.referrer_phone == PARENT  # the practitioner can call back
    assert "throwing things" in contact.concern_text
    link = db_session.scalars(select(ConversationContact)).one()
    assert link.reason == "danger"
    conversation = db_session.get(Conversation, link.conversation_id)
    assert conversation.danger and "violence_now" in conversation.danger_categories
    [(linked, lines)] = transcripts_for_contact(db_session, contact.id)
    assert linked.id == conversation.id
    assert [(line.direction, line.handled_by) for line in lines] == [
        ("in", "dialogue"), ("out", "dialogue"), ("in", "screen"), ("out", "screen")]
    assert lines[0].text == "hi" and lines[2].text == DANGER and lines[3].text == reply
    assert "violence_now" in lines[2].danger_categories


def test_a_second_danger_message_adds_to_the_open_red_contact_rather_than_another(client, db_session, parser):
    post_sms(client, DANGER)
    assert reply_of(post_sms(client, "he has a knife")).startswith(ADVICE)
    assert count(db_session, Contact) == 1
    events = db_session.execute(text("SELECT event FROM audit_events ORDER BY seq")).scalars().all()
    assert events.count("conversation.danger") == 1


def test_danger_is_answered_when_rasa_is_down(client, db_session, monkeypatch):
    down = FakeParser(down=True)
    use_parser(monkeypatch, down)
    reply = reply_of(post_sms(client, DANGER))
    assert reply.startswith(ADVICE)
    assert db_session.scalars(select(Contact)).one().rag == "red"
    assert down.calls == []


@pytest.mark.parametrize("next_message", ["RG40 1BN", "she is safe right now, can someone call me tomorrow",
                                          "no one cares", "im fine"])
def test_after_danger_the_next_message_stays_with_safety_and_offers_a_person(client, db_session, parser, office,
                                                                              next_message):
    post_sms(client, DANGER)
    reply = reply_of(post_sms(client, next_message))
    assert reply.startswith("I've asked a person in our team to reply to you here." if "call me" in next_message else
                            "Thank you for telling us. Our team has your messages")
    assert f"To talk to a person now, call {MASH_NUMBER}." in reply and "call 999" in reply
    assert not any(phrase in reply for phrase in NOT_UNDERSTOOD) and ADVICE not in reply
    assert "first name" not in reply and "next working day" not in reply  # no form while red
    state = the_conversation(db_session).state
    assert state["journey"] is None and state["after_danger"] and state["danger_followed"]
    assert not state["answers"], "'im fine' is nobody's name"
    # One contact, the red one, heading the queue: a request for a call joins its trail rather than another.
    red = db_session.scalars(select(Contact)).one()
    assert red.rag == "red" and db_session.scalars(select(ConversationContact.reason)).all() == ["danger"]
    events = db_session.execute(text("SELECT event FROM audit_events WHERE contact_id = :id"),
                                {"id": red.id}).scalars().all()
    assert ("conversation.asked_for_person" in events) == ("call me" in next_message)


def test_after_danger_out_of_hours_the_person_is_given_the_duty_team(client, parser, office):
    office(False)
    post_sms(client, DANGER)
    reply = reply_of(post_sms(client, "ok"))
    # Out of hours nobody reads them until the office opens: saved, not "with our team now".
    assert reply.startswith("Thank you for telling us. Your messages are saved for our team.")
    assert f"emergency duty team on {OUT_OF_HOURS}" in reply and MASH_NUMBER not in reply
    assert "morning" not in reply and "Monday to Friday" not in reply and "straight away" not in reply


def test_details_after_danger_join_the_red_contact_without_a_form(client, db_session, parser, office):
    post_sms(client, DANGER)
    replies = say_all(client, ["RG40 1BN", "Mia", "at home", "I'm his mum", "no", "Sam Example", "yes", "yes"])
    assert all("call 999" in r and MASH_NUMBER in r for r in replies)
    assert not any(any(phrase in r for phrase in NOT_UNDERSTOOD) or "reference is" in r for r in replies)
    red = db_session.scalars(select(Contact)).one()
    assert db_session.scalars(select(ConversationContact.reason)).all() == ["danger"]
    from bot.conversations import transcripts_for_contact

    [(_, lines)] = transcripts_for_contact(db_session, red.id)
    assert [line.text for line in lines if line.direction == "in"][-3:] == ["Sam Example", "yes", "yes"]


def test_the_childs_age_name_and_where_they_are_said_after_danger_reach_the_red_contacts_fields(client, db_session,
                                                                                               parser, office):
    """A duty worker read "Child: not known yet" beside "she is 6" in the transcript (a probe, session 15)."""
    post_sms(client, DANGER)
    say_all(client, ["shes called Ella", "she is 6", "we are at RG40 1BN"])
    red = db_session.scalars(select(Contact)).one()
    [child] = red.children
    assert (child.first_name, child.age_said) == ("Ella", "6")
    assert red.answers["child_location"] == "RG40 1BN"
    assert db_session.scalars(select(ConversationContact.reason)).all() == ["danger"], "no second contact"
    events = [e for e in db_session.scalars(select(AuditEvent)) if e.event == "conversation.details"]
    assert events and all("Ella" not in str(e.details) for e in events), "field names only on the trail"


def test_a_screen_that_fires_mid_journey_keeps_the_journeys_answers_on_the_red_contact(client, db_session, parser,
                                                                                       office):
    """Found by the live probe: a teacher's conversation that turned red became a member of the public's
    contact (referral source 10), and what they had answered was only in the transcript."""
    say_all(client, ["im a teacher at Emmbrook Junior, worried about a pupil in year 4", "Mia", "Jones",
                     "Emmbrook Junior School"])
    reply = reply_of(post_sms(client, "her mums boyfriend is there now and hes drunk and hitting her"))
    assert reply.startswith(ADVICE)
    red = db_session.scalars(select(Contact)).one()
    assert red.rag == "red" and red.risk_rank < 0
    assert red.referrer_type == "professional" and red.referral_source == "2A"
    assert [(c.first_name, c.last_name) for c in red.children] == [("Mia", "Jones")]
    assert "hitting her" in red.concern_text and "year 4" in red.concern_text  # every word they wrote


def test_a_child_whose_message_turns_red_is_recorded_as_writing_about_themselves(client, db_session, parser):
    reply = reply_of(post_sms(client, "im 12 and my dad hits me and im scared to go home"))
    assert reply.startswith(ADVICE)
    red = db_session.scalars(select(Contact)).one()
    assert red.referral_source == "1C"


def test_once_a_practitioner_closes_the_red_contact_the_conversation_goes_on_like_any_other(client, db_session,
                                                                                            parser, office):
    post_sms(client, DANGER)
    red = db_session.scalars(select(Contact)).one()
    red.closed_at = red.received_at
    db_session.commit()
    reply = reply_of(post_sms(client, "can i get help with my sons behaviour"))
    assert reply.endswith(POSTCODE_QUESTION) and "call 999." not in reply.split(".")[0]
    assert the_conversation(db_session).state["after_danger"] is False


# --- Rasa is only a reader: down or unsure, the dialogue still moves ------------------------------------------
def test_rasa_down_the_deterministic_reader_moves_the_dialogue_and_it_carries_on_when_back(client, db_session,
                                                                                         monkeypatch):
    down = FakeParser(down=True)
    use_parser(monkeypatch, down)
    first = reply_of(post_sms(client, "I need help with my daughter she won't go to school"))
    assert first.endswith(POSTCODE_QUESTION)  # the worry (school attendance) was read without the model
    assert reply_of(post_sms(client, "RG40 1BN")).endswith(OFFER_QUESTION)
    assert count(db_session, Contact) == 0  # no "assistant down" contact: nothing was missed
    conversation = the_conversation(db_session)
    assert conversation.assistant_missed == 2
    assert conversation.state["answers"]["concern_categories"] == ["school_attendance"]
    back = FakeParser()
    use_parser(monkeypatch, back)
    assert reply_of(post_sms(client, "yes")).endswith("What is your full name?")
    assert back.calls == ["yes"] and down.calls == ["I need help with my daughter she won't go to school",
                                                    "RG40 1BN"]
    assert count(db_session, Conversation) == 1 and count(db_session, Message) == 6  # the same conversation
    assert {m.handled_by for m in the_conversation(db_session).messages} == {"dialogue"}


REPORT_STARTED = "Thank you for telling us. Anyone can report a concern, and you can stay anonymous."


@pytest.mark.parametrize("reading", [FakeParser("nlu_fallback", 0.99), FakeParser("greet", 0.2),
                                     FakeParser("no_such_intent", 0.99)])
def test_an_unknown_or_unsure_reading_from_rasa_leaves_it_to_the_words(client, db_session, monkeypatch,
                                                                       reading):
    use_parser(monkeypatch, reading)
    reply = reply_of(post_sms(client, "I want to report a concern about my neighbour's children"))
    assert reply.startswith(REPORT_STARTED)
    assert the_conversation(db_session).state["journey"] == "report"


def test_a_sure_reading_from_rasa_places_an_opening_the_words_alone_do_not(client, db_session, monkeypatch):
    use_parser(monkeypatch, None)
    assert any(p in reply_of(post_sms(client, "there's something going on over the road")) for p in NOT_UNDERSTOOD)
    use_parser(monkeypatch, FakeParser("report_concern", 0.9))
    reply = reply_of(post_sms(client, "there's something going on over the road", sender="+447700900456"))
    assert reply.startswith(REPORT_STARTED)
    db_session.expire_all()
    states = [c.state["journey"] for c in db_session.scalars(select(Conversation).order_by(Conversation.id))]
    assert states == [None, "report"]


# --- keywords, pictures, odd bodies -----------------------------------------------------------------------------
def test_stop_start_and_help(client, db_session, parser):
    reply = reply_of(post_sms(client, "Stop"))
    assert "not get any more texts" in reply and "START" in reply
    assert the_conversation(db_session).opted_out_at is not None
    assert reply_of(post_sms(client, "my child needs help with school")) == ""  # kept, screened, not answered
    assert reply_of(post_sms(client, DANGER)).startswith(ADVICE)
    # STOP deletes nothing and silences neither the screen nor the team: the unanswered text reaches staff.
    reasons = sorted(db_session.scalars(select(ConversationContact.reason)).all())
    assert reasons == ["danger", "opted_out"]
    assert "again" in reply_of(post_sms(client, "START"))
    assert the_conversation(db_session).opted_out_at is None
    # HELP in a red conversation is answered as a red conversation is, never with the keyword's blurb.
    help_reply = reply_of(post_sms(client, "help"))
    assert "call 999" in help_reply and "STOP" not in help_reply and "children's services. Text us" not in help_reply
    handled = [m.handled_by for m in the_conversation(db_session).messages if m.direction == "in"]
    assert handled == ["keyword", "opted_out", "screen", "keyword", "dialogue"]


def test_help_is_the_keyword_blurb_outside_a_red_conversation(client, db_session, parser):
    help_reply = reply_of(post_sms(client, "help"))
    assert "999" in help_reply and OUT_OF_HOURS in help_reply and "STOP" in help_reply
    assert parser.calls == []


def test_pictures_get_a_kind_reply_and_only_their_metadata_is_kept(client, db_session, parser):
    response = post_sms(client, "", NumMedia="1", MediaContentType0="image/jpeg",
                        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME")
    assert "can't receive pictures" in reply_of(response)
    message = db_session.scalars(select(Message).where(Message.direction == "in")).one()
    assert message.media == {"count": 1, "types": ["image/jpeg"]} and message.handled_by == "media"
    raw = " ".join(str(v) for v in db_session.execute(text("SELECT * FROM conversation_messages")).first())
    assert "api.twilio.com" not in raw
    assert parser.calls == []


def test_a_picture_with_words_is_answered_for_the_words(client, parser):
    reply = reply_of(post_sms(client, "I'm struggling with my 4 year old", NumMedia="1",
                              MediaContentType0="image/png"))
    assert reply.startswith("We can't receive pictures by text, only words.")
    assert "What is your postcode?" in reply and gsm7_length(reply) <= TWO_SEGMENTS
    assert parser.calls == ["I'm struggling with my 4 year old"]


@pytest.mark.parametrize("body", [None, "", "   ", "\x00\x07"])
def test_no_body_or_an_empty_body_gets_a_prompt(client, db_session, parser, body):
    response = post_sms(client, body)
    assert response.status_code == 200
    reply = reply_of(response)
    assert "Tell us in a few words" in reply and "999" in reply
    assert count(db_session, Message) == 2
    assert db_session.scalars(select(Message.handled_by).where(Message.direction == "in")).one() == "empty"
    assert parser.calls == []


def test_a_long_body_is_kept_to_1600_characters_and_the_reply_fits_two_segments(client, db_session, parser):
    from signposting.directory import load_demo_directory

    load_demo_directory(db_session)
    db_session.commit()
    first = reply_of(post_sms(client, "my 4 year old is struggling at nursery and " * 60))
    services = reply_of(post_sms(client, "RG40 1BN"))
    assert services.startswith("Services near you:") and services.endswith(OFFER_QUESTION)
    assert services.count(" mi)") >= 2  # as many services as fit, with the question
    for reply in (first, services):
        assert reply and gsm7_length(reply) <= TWO_SEGMENTS and is_gsm7(reply)
    message = db_session.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)).first()
    assert len(message.text) == 1600 and message.truncated
    assert len(parser.calls[0]) == 1600


def test_control_characters_emoji_and_other_scripts(client, db_session, parser, monkeypatch):
    from bot import dialogue

    # The dialogue's own words, if they ever carried typographic characters, still go out as GSM-7.
    monkeypatch.setattr(dialogue, "EMPATHY", "We\u2019re here \U0001F60A \u2014 tell us more\u2026")
    reply = reply_of(post_sms(client, "I'm struggling with my 4 year old\x00\x07 \U0001F622 \u0645\u0631\u062d"))
    assert is_gsm7(reply) and reply == f"We're here - tell us more... {POSTCODE_QUESTION}"
    stored = db_session.scalars(select(Message).where(Message.direction == "in")).one().text
    assert "\x00" not in stored and "\x07" not in stored and "\U0001F622" in stored and "\u0645" in stored
    greeting = reply_of(post_sms(client, "hello \U0001F622 \u0645\u0631\u062d\u0628\u0627", sender="+447700900456"))
    assert greeting and is_gsm7(greeting)


def test_invalid_utf8_is_stored_with_replacement_characters_not_a_500(client, db_session, parser):
    params = sms_params("x")
    body = urlencode({k: v for k, v in params.items() if k != "Body"}).encode() + b"&Body=caf%C3%28"
    params["Body"] = "caf%C3("  # what the form parser reads those bytes as; Twilio signs what it sent
    response = client.post("/sms/inbound", data=body, content_type="application/x-www-form-urlencoded",
                           headers=signed(params))
    assert response.status_code == 200 and reply_of(response)
    assert db_session.scalars(select(Message).where(Message.direction == "in")).one().text == "caf%C3("


# --- floods ---------------------------------------------------------------------------------------------------
def test_a_flood_from_one_number_is_kept_and_screened_and_gets_one_holding_reply(client, db_session, parser, app):
    change_settings(app, BOT_RATE_LIMIT_PER_MINUTE=10)  # the limit these figures are written for
    replies = say_all(client, ["hello"] * 14)
    assert all(replies[:10]) and replies[10] == FLOOD_REPLY and replies[11:] == ["", "", ""]
    assert len(parser.calls) == 10  # the flood is not read
    assert reply_of(post_sms(client, DANGER)).startswith(ADVICE)  # the screen still answers, first
    reasons = sorted(db_session.scalars(select(ConversationContact.reason)).all())
    assert reasons == ["danger", "flood"]  # one contact for the unanswered flood, however long it runs
    assert count(db_session, Message) == 15 + 10 + 1 + 1  # every message in; ten answers, one holding, advice
    handled = [m.handled_by for m in the_conversation(db_session).messages if m.direction == "in"]
    assert handled == ["dialogue"] * 10 + ["rate_limited"] * 4 + ["screen"]


def test_a_flood_mid_journey_keeps_what_the_journey_gathered_on_the_contact(client, db_session, parser, app):
    """The live probe: a chat that answered quickly past the limit became a contact whose child was "Not known
    yet", what it had collected left in the transcript only."""
    change_settings(app, BOT_RATE_LIMIT_PER_MINUTE=4)
    say_all(client, ["i want to report a concern about a child next door, shes 7", "they are left alone", "Mia",
                     "12 Park Road"])
    state = the_conversation(db_session).state or {}
    assert state.get("journey") == "report" and state["answers"].get("first_name") == "Mia"
    assert reply_of(post_sms(client, "at home")) == FLOOD_REPLY
    contact = db_session.scalars(select(Contact)).one()
    assert [(c.first_name, c.age_said) for c in contact.children] == [("Mia", "7")]
    assert "they are left alone" in (contact.answers.get("what_happened") or "")


def test_a_flood_mid_early_help_puts_no_child_on_a_mash_record_before_consent(client, db_session, parser, app):
    """The final review: an early-help request's child is not put on a MASH concern record before the family agreed
    to share; the contact keeps only how to reach the person."""
    change_settings(app, BOT_RATE_LIMIT_PER_MINUTE=3)
    say_all(client, ["i need some help please my son is 6", "1", "RG40 1BN"])
    assert (the_conversation(db_session).state or {}).get("journey") == "help"
    assert reply_of(post_sms(client, "tantrums")) == FLOOD_REPLY
    contact = db_session.scalars(select(Contact)).one()
    assert contact.children == [] and contact.answers.get("referrer_type") == "public"


def test_a_long_flood_gets_one_holding_reply_a_minute_never_more_and_never_silence(client, db_session, parser,
                                                                                    clock, app):
    change_settings(app, BOT_RATE_LIMIT_PER_MINUTE=10)  # the limit these figures are written for
    started = clock.now
    holding: list[float] = []
    for _ in range(36):  # one every 5 seconds for 3 minutes: twelve a minute, over the limit of ten
        reply = reply_of(post_sms(client, "hello"))
        if reply == FLOOD_REPLY:
            holding.append((clock.now - started).total_seconds())
        else:
            assert reply == "" or (clock.now - started).total_seconds() < 50
        clock.advance(seconds=5)
    assert holding == [50, 115]  # the eleventh message of a minute, and again once the last is a minute old
    assert all(later - earlier > 60 for earlier, later in zip(holding, holding[1:], strict=False))
    assert count(db_session, Message) == 36 + 10 + 2
    assert db_session.scalars(select(ConversationContact.reason)).all() == ["flood"]
    clock.advance(minutes=2)
    assert reply_of(post_sms(client, "hello")).startswith("Hello, this is the Front Door")  # calm again


# --- delivery, failures, logs -----------------------------------------------------------------------------------
def test_delivery_status_is_recorded_for_our_reply(client, db_session, parser):
    response = post_sms(client, "hello")
    action = re.search(r'action="([^"]+)"', response.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert action.startswith("https://frontdoor.example.org/sms/status?reply=")
    path = action.removeprefix("https://frontdoor.example.org")
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32,
              "To": PARENT, "From": "+447700900000"}
    assert client.post(path, data=params, headers={"X-Twilio-Signature": "bad"}).status_code == 403
    assert client.post(path, data=params, headers=signed(params, path=path)).status_code == 200
    reply = db_session.scalars(select(Message).where(Message.direction == "out")).one()
    assert reply.delivery_status == "delivered" and reply.provider_sid == "SM" + "f" * 32


def test_a_database_failure_still_answers_and_spools_the_message(client, app, db_session, monkeypatch, parser):
    from bot import pipeline

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(pipeline, "handle", broken)
    reply = reply_of(post_sms(client, DANGER))
    assert reply.startswith(ADVICE)
    calm = reply_of(post_sms(client, "I'm struggling with my 4 year old", sender="+447700900456"))
    assert "your message is saved" in calm and MASH_NUMBER in calm and "999" in calm
    directory = Path(app.instance_path) / "spool"
    waiting = spool.pending(directory)
    assert len(waiting) == 2 and not any("throwing" in w.read_text() or "struggling" in w.read_text()
                                         for w in waiting)
    monkeypatch.undo()
    use_parser(monkeypatch, parser)
    with app.app_context():
        from portal.conversation import replay_spool

        assert replay_spool().stored == 2
    assert spool.pending(directory) == []
    reasons = sorted(db_session.scalars(select(ConversationContact.reason)).all())
    assert reasons == ["danger", "spooled"]  # staff read the calm one; the red one heads the queue
    assert db_session.scalars(select(Contact).where(Contact.rag == "red")).one().channel == "sms"
    # Stored late and answered by nobody: only the danger advice it was given at the time is on its transcript.
    replies = db_session.scalars(select(Message).where(Message.direction == "out")).all()
    assert [(m.handled_by, m.text == reply) for m in replies] == [("screen", True)]
    assert count(db_session, Message) == 3
    assert parser.calls == []


def test_no_phone_number_or_message_text_reaches_the_logs(client, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    use_parser(monkeypatch, FakeParser(down=True))
    post_sms(client, DANGER)
    post_sms(client, "my name is Alice Example and I need help", sender="+447700900456")
    post_sms(client, "can i talk to a real person please", sender="+447700900456")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "safety screen fired" in logged and "language model unavailable" in logged
    for secret in ("7700900123", "7700900456", "throwing things", "Alice", "my room", "need help", "real person"):
        assert secret not in logged


def test_danger_by_text_heads_the_queue_above_older_reds(client, db_session, parser):
    from mash.queue import queue_page
    from tests.staff_support import create_contact, create_staff

    older_red = create_contact(db_session, suggested_level="4", level_reason="Bruising seen on the arm",
                               received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    assert older_red.rag == "red"
    post_sms(client, DANGER)
    practitioner, _ = create_staff(db_session, role="practitioner")
    db_session.expire_all()
    top = queue_page(db_session, practitioner).contacts[0]
    assert top.channel == "sms" and top.rag == "red" and top.id != older_red.id


def test_a_closed_contact_is_never_reused_for_a_new_request_or_a_new_danger(client, db_session, parser, office):
    post_sms(client, "can i talk to a real person please")
    post_sms(client, "please can someone call me")
    first = db_session.scalars(select(Contact)).one()  # one open contact per reason is enough
    first.closed_at = first.received_at
    db_session.commit()
    post_sms(client, "can i talk to a real person please")
    db_session.expire_all()
    assert len(db_session.scalars(select(Contact)).all()) == 2
    post_sms(client, DANGER)
    red = db_session.scalars(select(Contact).where(Contact.rag == "red")).one()
    red.closed_at = red.received_at
    db_session.commit()
    assert reply_of(post_sms(client, "he has a knife")).startswith(ADVICE)
    db_session.expire_all()
    reds = db_session.scalars(select(Contact).where(Contact.rag == "red").order_by(Contact.id)).all()
    assert len(reds) == 2 and reds[0].closed_at is not None and reds[1].closed_at is None


def test_a_failure_after_the_message_is_stored_still_answers_and_spools_nothing(client, app, db_session,
                                                                                monkeypatch, parser):
    from bot import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "_store_reply", broken)
    calm = reply_of(post_sms(client, "hello"))
    assert "999" in calm and MASH_NUMBER in calm and "https://frontdoor.example.org/help" in calm
    assert reply_of(post_sms(client, DANGER)).startswith(ADVICE)
    assert count(db_session, Message) == 2 and db_session.scalars(select(Contact)).one().rag == "red"
    assert spool.pending(Path(app.instance_path) / "spool") == []


def test_a_retry_of_a_danger_message_whose_first_reply_was_lost_gets_the_advice_again(client, db_session,
                                                                                        monkeypatch):
    from bot import pipeline

    monkeypatch.setattr(pipeline, "_store_reply", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("lost")))
    params = sms_params(DANGER)
    client.post("/sms/inbound", data=params, headers=signed(params))
    monkeypatch.undo()
    use_parser(monkeypatch, FakeParser())
    again = client.post("/sms/inbound", data=params, headers=signed(params))
    assert reply_of(again).startswith(ADVICE)
    assert count(db_session, Message) == 1 and count(db_session, Contact) == 1


def test_feedback_is_never_texted_to_a_number_that_sent_stop(client, app, db_session, parser):
    from mash.models import OutboxMessage
    from mash.outbox import send_due
    from portal.config import settings
    from portal.senders import sender_from_config
    from tests.staff_support import create_contact

    contact = create_contact(db_session, journey="help")
    for recipient in (PARENT, "+447700900999"):
        db_session.add(OutboxMessage(contact_id=contact.id, channel="sms", recipient=recipient, body="Thank you",
                                     status="pending"))
    db_session.commit()
    post_sms(client, "STOP")
    with app.app_context():
        sender = sender_from_config(settings(app).replace(FRONTDOOR_ENV="development"))
        from portal import db

        assert send_due(db.session(), sender) == 1
    db_session.expire_all()
    statuses = {m.recipient: (m.status, m.last_error) for m in db_session.scalars(select(OutboxMessage))}
    assert statuses == {PARENT: ("failed", "Undeliverable"), "+447700900999": ("sent", None)}
    events = db_session.execute(text("SELECT event FROM audit_events")).scalars().all()
    assert "feedback.withheld" in events


# --- the dialogue, through the real webhook ---------------------------------------------------------------------
@pytest.mark.parametrize("unsure", ["yes?", "Yes??", "ok?", "sure?"])
def test_a_questioning_yes_to_the_consent_question_is_not_consent(client, db_session, parser, clock, unsure):
    replies = say_all(client, TO_CONSENT, clock)
    assert replies[-1].endswith("Do you agree? Reply YES or NO")
    reply = reply_of(post_sms(client, unsure))
    assert reply.startswith("It's fine to say no, or to ask me anything first.")
    assert "reference" not in reply.lower()
    state = the_conversation(db_session).state
    assert state["asking"] == "consent_agree" and "consent_agree" not in state["answers"]
    assert count(db_session, Contact) == 0  # nothing shared, nothing referred
    done = reply_of(post_sms(client, "yes"))  # a clear yes to the question itself is
    contact = db_session.scalars(select(Contact)).one()
    assert done.startswith(f"Thank you. Your reference is {contact.reference}.")
    assert contact.kind == "early_help" and contact.consent.status == "given"


def test_three_unsure_answers_to_consent_leave_it_unshared_until_a_clear_yes(client, db_session, parser, clock):
    say_all(client, TO_CONSENT, clock)
    replies = say_all(client, ["yes?", "ok?", "yes?"], clock)
    assert replies[-1].startswith("I'll leave it there for now: nothing has been shared.")
    assert len(set(replies)) == 3  # never the same reply a third time
    assert count(db_session, Contact) == 0
    assert reply_of(post_sms(client, "yes")).startswith("Thank you. Your reference is")
    assert db_session.scalars(select(Contact)).one().consent.status == "given"


def test_a_question_mid_form_is_answered_and_asked_again_never_stored_as_the_name(client, db_session, parser):
    replies = say_all(client, TO_CONSENT[:3])
    assert replies[-1].endswith("What is your full name?")
    reply = reply_of(post_sms(client, "will social services take my kids away?"))
    assert "does not mean your children will be taken away" in reply and reply.endswith("What is your full name?")
    reply = reply_of(post_sms(client, "why do you need my name"))
    assert reply.endswith("What is your full name?") and not any(p in reply for p in NOT_UNDERSTOOD)
    state = the_conversation(db_session).state
    assert state["asking"] == "referrer_name" and "referrer_name" not in state["answers"]
    reply = reply_of(post_sms(client, "Sam Example"))
    assert reply.startswith("Are you the child's mum, dad")
    assert the_conversation(db_session).state["answers"]["referrer_name"] == "Sam Example"


@pytest.mark.parametrize("open_now, number, absent", [(True, MASH_NUMBER, OUT_OF_HOURS),
                                                      (False, OUT_OF_HOURS, MASH_NUMBER)])
def test_asking_for_a_person_gives_a_number_and_tells_staff(client, db_session, parser, office, clock, open_now,
                                                             number, absent):
    office(open_now)
    reply = reply_of(post_sms(client, "can i talk to a real person please"))
    assert number in reply and absent not in reply
    # In office hours a person picks the conversation up here (issue 13); out of hours the messages wait.
    assert ("reply to you here" in reply) if open_now else ("passed your messages" in reply)
    assert (the_conversation(db_session).waiting_reason == "asked_for_person") is True
    link = db_session.scalars(select(ConversationContact)).one()
    assert link.reason == "asked_for_person"
    contact = db_session.get(Contact, link.contact_id)
    assert contact.referrer_phone == PARENT and "real person" in contact.concern_text
    assert contact.status == "new" and contact.closed_at is None
    # Mid-form too: the number, the team told (the open contact is enough), and the question kept open.
    say_all(client, TO_CONSENT[:3], clock)
    reply = reply_of(post_sms(client, "can i speak to someone"))
    assert number in reply and reply.endswith("What is your full name?")
    assert count(db_session, Contact) == 1


def test_a_message_after_24_hours_idle_starts_a_new_conversation(client, db_session, parser, clock):
    post_sms(client, "I'm struggling with my 4 year old")
    clock.advance(hours=23)
    assert reply_of(post_sms(client, "RG40 1BN")).endswith(OFFER_QUESTION)  # still the same conversation
    clock.advance(hours=24, minutes=1)
    fresh = reply_of(post_sms(client, "yes"))  # not a yes to last time's question
    assert OFFER_QUESTION not in fresh and "full name" not in fresh
    db_session.expire_all()
    old, new = db_session.scalars(select(Conversation).order_by(Conversation.id)).all()
    assert old.state["answers"]["postcode"] == "RG40 1BN" and new.state["answers"] == {}
    assert [m.text for m in new.messages if m.direction == "in"] == ["yes"]
    assert count(db_session, Contact) == 0


def test_two_deliveries_racing_on_one_conversation_never_lose_an_answer(db_session, database_url, monkeypatch):
    """The slower delivery decided on the state before the other's answer: it decides again on the new one."""
    import uuid

    from bot import dialogue, pipeline
    from store.db import make_engine, make_sessionmaker

    def say(session, words: str) -> pipeline.Outcome:
        return pipeline.handle(session, pipeline.Inbound(channel="sms", sender=PARENT, text=words,
                                                         provider_sid="SM" + uuid.uuid4().hex),
                               settings=pipeline.Settings(), parser=None)

    for words in TO_CONSENT[:3]:
        say(db_session, words)
    assert the_conversation(db_session).state["asking"] == "referrer_name"
    version = the_conversation(db_session).state_version
    engine = make_engine(database_url)
    other = make_sessionmaker(engine)()
    decide, raced, decided = dialogue.decide, [], []

    def racing(state, words, understood, ctx, ports):
        turn = decide(state, words, understood, ctx, ports)
        decided.append((words, state.get("asking")))
        if words == "mother" and not raced:  # "mother" is read as the name asked for; meanwhile the name lands
            raced.append(say(other, "Sam Example"))
        return turn

    monkeypatch.setattr(dialogue, "decide", racing)
    try:
        late = say(db_session, "mother")
    finally:
        other.close()
        engine.dispose()
    assert decided == [("mother", "referrer_name"), ("Sam Example", "referrer_name"),
                       ("mother", "referrer_relationship")]
    assert raced[0].replies == ["Are you the child's mum, dad, step-parent, grandparent or carer?"]
    assert late.replies[0] == "What is your child's first name?"  # a mother is not asked about parental responsibility
    conversation = the_conversation(db_session)
    assert conversation.state["answers"]["referrer_name"] == "Sam Example"
    assert conversation.state["answers"]["referrer_relationship"] == "mother"
    assert conversation.state_version == version + 2
    assert [m.handled_by for m in conversation.messages][-4:] == ["dialogue"] * 4


def test_two_deliveries_racing_through_the_webhook_are_decided_one_after_the_other(app, db_session, monkeypatch):
    from bot import dialogue

    say_all(app.test_client(), ["I'm struggling with my 4 year old"])
    version = the_conversation(db_session).state_version
    decide, both_read = dialogue.decide, threading.Barrier(2, timeout=10)
    first_time = threading.local()

    def racing(state, words, understood, ctx, ports):
        turn = decide(state, words, understood, ctx, ports)
        if not getattr(first_time, "done", False):
            first_time.done = True
            both_read.wait()  # both have decided on the same state
            if "?" in words:
                time.sleep(0.3)  # and the question is the one that stores second
        return turn

    monkeypatch.setattr(dialogue, "decide", racing)
    replies: dict[str, str] = {}

    def deliver(words: str) -> None:
        replies[words] = reply_of(post_sms(app.test_client(), words))

    question = "will social services take my kids away?"
    threads = [threading.Thread(target=deliver, args=(words,)) for words in ("RG40 1BN", question)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert replies["RG40 1BN"].endswith(OFFER_QUESTION)
    # The question was answered where the conversation now is (the offer), not at the postcode it had passed.
    assert "does not mean your children will be taken away" in replies[question]
    assert replies[question].endswith(OFFER_QUESTION)
    conversation = the_conversation(db_session)
    assert conversation.state["answers"]["postcode"] == "RG40 1BN" and conversation.state["asking"] == "_offer"
    assert conversation.state_version == version + 2
    assert count(db_session, Message) == 6


def test_a_note_about_a_picture_never_cuts_the_question(client, db_session, parser):
    from signposting.directory import load_demo_directory

    load_demo_directory(db_session)
    db_session.commit()
    post_sms(client, "I'm struggling with my 4 year old")
    reply = reply_of(post_sms(client, "RG40 1BN", NumMedia="1", MediaContentType0="image/jpeg"))
    assert reply.endswith("Reply YES or NO"), reply
    assert gsm7_length(reply) <= TWO_SEGMENTS


def test_texts_after_stop_in_a_red_conversation_join_its_contact_not_a_second(client, db_session, parser):
    post_sms(client, DANGER)
    post_sms(client, "STOP")
    post_sms(client, "he is still here")
    assert count(db_session, Contact) == 1
    events = db_session.execute(text("SELECT event FROM audit_events ORDER BY seq")).scalars().all()
    assert "conversation.opted_out" in events


def test_a_report_finished_after_the_follow_up_joins_its_contact_and_anonymity_drops_the_number(
        client, db_session, parser, clock):
    from bot.followup import follow_up

    post_sms(client, "im worried about the kids next door their house is filthy and they look hungry")
    post_sms(client, "Mia")
    clock.advance(hours=1)
    assert follow_up(db_session, quiet=dt.timedelta(minutes=30), now=clock.now) == 1
    contact = db_session.scalars(select(Contact)).one()
    assert contact.referrer_phone == PARENT
    for said in ("not known", "12 Park Road", "at home", "neighbour", "yes", "no"):
        clock.advance(seconds=30)
        reply = reply_of(post_sms(client, said))
    assert contact.reference in reply
    db_session.expire_all()
    contact = db_session.scalars(select(Contact)).one()  # still one contact, now anonymous
    assert contact.referrer_anonymous and contact.referrer_phone is None
    events = db_session.execute(text("SELECT event FROM audit_events ORDER BY seq")).scalars().all()
    assert events.count("conversation.details") == 1


def test_a_family_whose_help_request_turns_red_keeps_their_agreement_and_their_child(client, db_session, parser,
                                                                                      office):
    say_all(client, ["I'm struggling with my 4 year old", "RG40 1BN", "yes", "Sam Example", "mum", "yes", "Mia"])
    assert reply_of(post_sms(client, DANGER)).startswith(ADVICE)
    red = db_session.scalars(select(Contact)).one()
    assert red.kind == "concern" and red.referral_source == "1A" and red.referrer_name == "Sam Example"
    assert [c.first_name for c in red.children] == ["Mia"] and red.children[0].postcode == "RG40 1BN"
    assert red.consent.status == "not_sought"  # they had not been asked yet


def test_a_professional_whose_first_message_is_danger_is_recorded_as_the_professional_not_a_child(client,
                                                                                                   db_session,
                                                                                                   parser):
    """Found by the second review: a teacher's 'hes just told me his dad is going to kill him' was read as a
    child writing (Childline offered to the teacher), and a DSL's danger-first contact said member of the public."""
    reply = reply_of(post_sms(client, "im a teacher, a pupil has just told me his dad is going to kill him and "
                                      "hes terrified to go home"))
    assert reply.startswith(ADVICE) and "0800 1111" not in reply and OUT_OF_HOURS in reply
    red = db_session.scalars(select(Contact)).one()
    assert red.referrer_type == "professional" and red.referral_source == "2A"


def test_a_young_person_in_danger_gets_childline_and_is_recorded_as_writing_about_themselves(client, db_session,
                                                                                             parser):
    reply = reply_of(post_sms(client, "im 16 and pregnant and my boyfriend hits me"))
    assert reply.startswith(ADVICE) and "0800 1111" in reply
    assert db_session.scalars(select(Contact)).one().referral_source == "1C"


def test_the_same_danger_written_three_times_never_gets_the_same_reply_three_times(client, parser):
    replies = [reply_of(post_sms(client, "my dad is hitting my mum")) for _ in range(3)]
    assert replies[0] == replies[1] and replies[2] != replies[1]
    assert all("call 999" in reply for reply in replies) and replies[2].startswith("If anyone is in danger now")


def test_after_danger_someone_who_has_called_999_is_told_they_did_right_not_to_call_999(client, parser, office):
    post_sms(client, DANGER)
    reply = reply_of(post_sms(client, "ive called 999"))
    assert reply.startswith("You did the right thing calling. If anything changes or gets worse, call 999 again.")
    assert reply.count("999") == 1 and ADVICE not in reply
    # new danger beside it still gets the screen's advice first, and a question about calling is no report of it
    assert reply_of(post_sms(client, "ive rung the police but he has a knife and is trying to get in")).startswith(
        ADVICE)
    assert "right thing" not in reply_of(post_sms(client, "should i have called the police before"))
    # a person asked for, with a call made: 999 is still said
    assert "call 999" in reply_of(post_sms(client, "can u just talk to me ive called the police"))


def test_after_danger_out_of_hours_a_question_or_a_plea_to_talk_is_never_put_off_till_morning(client, parser, office):
    office(False)
    post_sms(client, DANGER)
    for said in ("what do i do", "can u just talk to me", "can someone come round"):
        reply = reply_of(post_sms(client, said))
        assert "answer that when the office opens" not in reply and "will see you asked for a person" not in reply
        assert f"emergency duty team on {OUT_OF_HOURS}" in reply and reply.count("call 999.") <= 1


def test_a_report_that_began_as_a_check_now_keeps_what_the_reporter_said_on_the_record(client, db_session, parser):
    """A probe (session 14): a neighbour's report whose first message was raised at once as a check now carried,
    once finished, only the child's name: 'referred by not known', no address, the relationship and where the child
    was only in the transcript. The finished answers fill what the early contact lacked."""
    first = reply_of(post_sms(client, "my neighbours kids r always on there own after school, mum works late"))
    assert "999" not in first.split("In an emergency")[0]
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.referrer_name is None
    answers = {"first name": "Mia", "How old": "9", "postcode": "RG40 1BN", "live": "12 Park Road",
               "Where is the child now": "at home", "How do you know": "neighbour", "anonymous": "no",
               "your name": "Pat Example", "number": "07700 900555", "safe": "yes", "parents or carers know": "no",
               "why not": "she would know it was me", "email": "skip"}
    reply = first
    for _ in range(15):
        if "reference" in reply.lower():
            break
        said = next((a for q, a in answers.items() if q.lower() in reply.lower()), None)
        assert said is not None, reply
        reply = reply_of(post_sms(client, said))
    assert "reference" in reply.lower()
    db_session.expire_all()
    contact = db_session.scalars(select(Contact)).one()
    from forms.referral import JOURNEYS, referral_source_code

    assert contact.referrer_name == "Pat Example" and not contact.referrer_anonymous
    assert contact.answers["child_location"] == "at home" and contact.answers["referrer_relationship"] == "acquaintance"
    # "10" (unknown) was all the first message gave; the relationship said later names the source
    assert contact.referral_source == referral_source_code(contact.answers, JOURNEYS["report"]) != "10"
    child = contact.children[0]
    assert child.first_name == "Mia" and child.age_said == "9" and child.postcode == "RG40 1BN"
