"""The Twilio webhook: signed requests only, each message stored once, danger answered first, nothing lost."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from bot import spool
from bot.models import Conversation, ConversationContact, Message
from bot.sms import TWO_SEGMENTS, gsm7_length, is_gsm7
from mash.models import Contact
from tests.bot_support import PARENT, FakeAssistant, post_sms, signed, sms_params, use_assistant

DANGER = "dad is drunk and throwing things at us im hiding in my room"


def reply_of(response) -> str:
    found = re.findall(r"<Message[^>]*>(.*?)</Message>", response.get_data(as_text=True), re.S)
    return " ".join(found).replace("&apos;", "'").replace("&quot;", '"').replace("&amp;", "&")


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def assistant(monkeypatch) -> FakeAssistant:
    fake = FakeAssistant()
    use_assistant(monkeypatch, fake)
    return fake


def test_a_signed_message_is_answered_in_twiml_and_stored_encrypted(client, db_session, assistant, database_url):
    response = post_sms(client, "I'm struggling with my 4 year old")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert reply_of(response) == "I'm sorry things are hard. What's your postcode?"
    sender, said, channel = assistant.calls[0]
    assert said == "I'm struggling with my 4 year old" and channel == "sms"
    assert PARENT not in sender and "7700900123" not in sender  # Rasa never sees the number
    conversation = db_session.scalars(select(Conversation)).one()
    assert conversation.public_id == sender and conversation.phone == PARENT
    assert [m.direction for m in conversation.messages] == ["in", "out"]
    raw = db_session.execute(text("SELECT text FROM conversation_messages")).scalars().all()
    assert all("struggling" not in (r or "") for r in raw)  # encrypted at rest
    raw_phone = db_session.execute(text("SELECT phone, sender_key FROM conversations")).one()
    assert "7700900123" not in "".join(raw_phone)


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}])
def test_a_missing_or_bad_signature_is_refused_before_anything_is_stored(client, db_session, assistant, headers):
    response = client.post("/sms/inbound", data=sms_params(DANGER), headers=headers)
    assert response.status_code == 403
    assert count(db_session, Message) == 0 and count(db_session, Contact) == 0
    assert assistant.calls == []


def test_a_signature_for_another_url_or_token_is_refused(client, db_session, assistant):
    params = sms_params("hello")
    assert client.post("/sms/inbound", data=params, headers=signed(params, path="/other")).status_code == 403
    assert client.post("/sms/inbound", data=params, headers=signed(params, token="wrong")).status_code == 403
    assert count(db_session, Message) == 0


@pytest.mark.parametrize("field, value", [("AccountSid", "AC" + "1" * 32), ("To", "+447700900999")])
def test_only_our_account_and_our_number_are_answered(client, db_session, assistant, field, value):
    params = sms_params("hello", **{field: value})
    assert client.post("/sms/inbound", data=params, headers=signed(params)).status_code == 403
    assert count(db_session, Message) == 0


def test_a_retried_delivery_is_stored_once_and_gets_the_same_reply(client, db_session, assistant):
    params = sms_params("can I get help with my son's behaviour")
    first = client.post("/sms/inbound", data=params, headers=signed(params))
    assistant.replies = ["a different answer"]
    again = client.post("/sms/inbound", data=params, headers=signed(params))
    assert reply_of(again) == reply_of(first)
    assert len(assistant.calls) == 1
    assert count(db_session, Message) == 2  # one in, one out


def test_danger_gets_999_at_once_and_a_red_contact_heads_the_queue_with_its_transcript(client, db_session,
                                                                                        assistant):
    post_sms(client, "hi")
    response = post_sms(client, DANGER)
    reply = reply_of(response)
    assert reply.startswith("If you or a child are in danger now, call 999.")
    assert "01344 351 999" in reply
    assert len(assistant.calls) == 1  # the danger message never waited for the model
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.channel == "sms" and contact.status == "new"
    assert any(f.startswith("danger_now:violence_now") for f in contact.safety_flags)
    assert contact.referrer_phone == PARENT  # the practitioner can call back
    assert "throwing things" in contact.concern_text
    link = db_session.scalars(select(ConversationContact)).one()
    assert link.reason == "danger"
    conversation = db_session.get(Conversation, link.conversation_id)
    assert conversation.danger and "violence_now" in conversation.danger_categories


def test_a_second_danger_message_adds_to_the_open_red_contact_rather_than_another(client, db_session, assistant):
    post_sms(client, DANGER)
    post_sms(client, "he has a knife")
    assert count(db_session, Contact) == 1
    events = db_session.execute(text("SELECT event FROM audit_events ORDER BY seq")).scalars().all()
    assert "conversation.danger" in events


def test_danger_is_answered_when_rasa_is_down(client, db_session, monkeypatch):
    use_assistant(monkeypatch, FakeAssistant(down=True))
    reply = reply_of(post_sms(client, DANGER))
    assert reply.startswith("If you or a child are in danger now, call 999.")
    assert db_session.scalars(select(Contact)).one().rag == "red"


def test_rasa_down_gives_a_useful_reply_and_a_contact_then_carries_on_when_back(client, db_session, monkeypatch):
    down = FakeAssistant(down=True)
    use_assistant(monkeypatch, down)
    reply = reply_of(post_sms(client, "I need help with my daughter she won't go to school"))
    assert "999" in reply and "0118 496 0000" in reply and "https://frontdoor.example.org/help" in reply
    post_sms(client, "are you there")
    contact = db_session.scalars(select(Contact)).one()  # one contact per conversation, not per message
    assert "won't go to school" in contact.concern_text
    assert db_session.scalars(select(ConversationContact)).one().reason == "assistant_down"
    back = FakeAssistant(["Thanks. What's your postcode?"])
    use_assistant(monkeypatch, back)
    assert reply_of(post_sms(client, "hello again")) == "Thanks. What's your postcode?"
    assert back.calls and back.calls[0][0] == down.calls[0][0]  # the same conversation carries on
    assert count(db_session, Message) == 6


def test_stop_start_and_help(client, db_session, assistant):
    reply = reply_of(post_sms(client, "Stop"))
    assert "not get any more texts" in reply and "START" in reply
    assert db_session.scalars(select(Conversation)).one().opted_out_at is not None
    assert reply_of(post_sms(client, "my child needs help with school")) == ""  # kept, screened, not answered
    assert reply_of(post_sms(client, DANGER)).startswith("If you or a child are in danger now, call 999.")
    # STOP deletes nothing and silences neither the screen nor the team: the unanswered text reaches staff.
    reasons = sorted(db_session.scalars(select(ConversationContact.reason)).all())
    assert reasons == ["danger", "opted_out"]
    assert "again" in reply_of(post_sms(client, "START"))
    db_session.expire_all()
    assert db_session.scalars(select(Conversation)).one().opted_out_at is None
    help_reply = reply_of(post_sms(client, "help"))
    assert "999" in help_reply and "01344 351 999" in help_reply and "STOP" in help_reply
    assert assistant.calls == []


def test_pictures_get_a_kind_reply_and_only_their_metadata_is_kept(client, db_session, assistant):
    response = post_sms(client, "", NumMedia="1", MediaContentType0="image/jpeg",
                        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME")
    assert "can't receive pictures" in reply_of(response)
    message = db_session.scalars(select(Message).where(Message.direction == "in")).one()
    assert message.media == {"count": 1, "types": ["image/jpeg"]}
    raw = " ".join(str(v) for v in db_session.execute(text("SELECT * FROM conversation_messages")).first())
    assert "api.twilio.com" not in raw


@pytest.mark.parametrize("body", [None, "", "   "])
def test_no_body_or_an_empty_body_gets_a_prompt(client, db_session, assistant, body):
    response = post_sms(client, body)
    assert response.status_code == 200
    assert "999" in reply_of(response)
    assert count(db_session, Message) == 2


def test_a_long_body_is_kept_to_1600_characters_and_the_reply_fits_two_segments(client, db_session, assistant):
    assistant.replies = ["A long answer. " * 40]
    reply = reply_of(post_sms(client, "we are struggling " * 200))
    assert gsm7_length(reply) <= TWO_SEGMENTS
    message = db_session.scalars(select(Message).where(Message.direction == "in")).one()
    assert len(message.text) == 1600 and message.truncated


def test_control_characters_emoji_and_other_scripts(client, db_session, assistant):
    assistant.replies = ["We\u2019re here \U0001F60A \u2014 tell us more\u2026"]
    reply = reply_of(post_sms(client, "hello\x00\x07 \U0001F622 \u0645\u0631\u062d\u0628\u0627"))
    assert is_gsm7(reply) and reply == "We're here - tell us more..."
    stored = db_session.scalars(select(Message).where(Message.direction == "in")).one().text
    assert "\x00" not in stored and "\U0001F622" in stored


def test_invalid_utf8_is_stored_with_replacement_characters_not_a_500(client, db_session, assistant):
    params = sms_params("x")
    body = urlencode({k: v for k, v in params.items() if k != "Body"}).encode() + b"&Body=caf%C3%28"
    params["Body"] = "caf%C3("  # what the form parser reads those bytes as; Twilio signs what it sent
    response = client.post("/sms/inbound", data=body, content_type="application/x-www-form-urlencoded",
                           headers=signed(params))
    assert response.status_code == 200
    assert db_session.scalars(select(Message).where(Message.direction == "in")).one().text == "caf%C3("


def test_a_flood_from_one_number_is_kept_and_screened_but_not_all_answered(client, db_session, assistant):
    replies = [reply_of(post_sms(client, f"message {i}")) for i in range(14)]
    assert all(replies[:10]) and not any(replies[10:])
    assert len(assistant.calls) == 10
    assert reply_of(post_sms(client, DANGER)).startswith("If you or a child are in danger now")
    reasons = sorted(db_session.scalars(select(ConversationContact.reason)).all())
    assert reasons == ["danger", "flood"]  # one contact for the unanswered flood, however long it runs
    assert count(db_session, Message) == 10 * 2 + 4 + 2


def test_delivery_status_is_recorded_for_our_reply(client, db_session, assistant):
    response = post_sms(client, "hello")
    action = re.search(r'action="([^"]+)"', response.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert action.startswith("https://frontdoor.example.org/sms/status?reply=")
    path = action.removeprefix("https://frontdoor.example.org")
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32,
              "To": PARENT, "From": "+447700900000"}
    assert client.post(path, data=params, headers={"X-Twilio-Signature": "bad"}).status_code == 403
    assert client.post(path, data=params, headers=signed(params, path=path)).status_code == 200
    reply = db_session.scalars(select(Message).where(Message.direction == "out")).one()
    assert reply.delivery_status == "delivered"


def test_a_database_failure_still_answers_and_spools_the_message(client, app, db_session, monkeypatch, assistant):
    from bot import pipeline

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(pipeline, "handle", broken)
    reply = reply_of(post_sms(client, DANGER))
    assert reply.startswith("If you or a child are in danger now, call 999.")
    directory = Path(app.instance_path) / "spool"
    waiting = spool.pending(directory)
    assert len(waiting) == 1 and "throwing" not in waiting[0].read_text()
    monkeypatch.undo()
    with app.app_context():
        from portal.conversation import replay_spool

        assert replay_spool() == 1
    assert db_session.scalars(select(Contact)).one().rag == "red"
    assert spool.pending(directory) == []


def test_no_phone_number_or_message_text_reaches_the_logs(client, assistant, caplog):
    caplog.set_level(logging.DEBUG)
    post_sms(client, DANGER)
    post_sms(client, "my name is Alice Example and I need help")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "safety screen fired" in logged
    for secret in ("7700900123", "throwing things", "Alice", "my room", "need help"):
        assert secret not in logged


def test_danger_by_text_heads_the_queue_above_older_reds(client, db_session, assistant):
    import datetime as dt

    from mash.queue import queue_page
    from tests.staff_support import create_contact, create_staff

    older_red = create_contact(db_session, suggested_level="4", level_reason="Bruising seen on the arm",
                               received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    assert older_red.rag == "red"
    post_sms(client, DANGER)
    practitioner, _ = create_staff(db_session, role="practitioner")
    db_session.expire_all()
    top = queue_page(db_session, practitioner).contacts[0]
    assert top.channel == "sms" and top.rag == "red"


def test_an_empty_answer_from_rasa_is_treated_as_rasa_down(client, db_session, monkeypatch):
    # Rasa answers 200 with [] when the action server fails: the person must not be met with silence.
    use_assistant(monkeypatch, FakeAssistant([]))
    reply = reply_of(post_sms(client, "I want to report a concern about my neighbour's children"))
    assert "999" in reply and "0118 496 0000" in reply
    assert db_session.scalars(select(ConversationContact)).one().reason == "assistant_down"


def test_a_closed_contact_is_never_reused_for_a_new_outage(client, db_session, monkeypatch):
    use_assistant(monkeypatch, FakeAssistant(down=True))
    post_sms(client, "can someone help my family")
    first = db_session.scalars(select(Contact)).one()
    first.closed_at = first.received_at
    db_session.commit()
    post_sms(client, "it's getting worse")
    db_session.expire_all()
    assert len(db_session.scalars(select(Contact)).all()) == 2


def test_a_failure_after_the_message_is_stored_still_answers_and_spools_nothing(client, app, db_session,
                                                                                monkeypatch):
    from bot import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "_store_reply", broken)
    use_assistant(monkeypatch, FakeAssistant(["hello"]))
    assert "999" in reply_of(post_sms(client, "hello"))
    assert reply_of(post_sms(client, DANGER)).startswith("If you or a child are in danger now, call 999.")
    assert count(db_session, Message) == 2 and db_session.scalars(select(Contact)).one().rag == "red"
    assert spool.pending(Path(app.instance_path) / "spool") == []


def test_a_retry_of_a_danger_message_whose_first_reply_was_lost_gets_the_advice_again(client, db_session,
                                                                                        monkeypatch):
    from bot import pipeline

    monkeypatch.setattr(pipeline, "_store_reply", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("lost")))
    params = sms_params(DANGER)
    client.post("/sms/inbound", data=params, headers=signed(params))
    monkeypatch.undo()
    use_assistant(monkeypatch, FakeAssistant())
    again = client.post("/sms/inbound", data=params, headers=signed(params))
    assert reply_of(again).startswith("If you or a child are in danger now, call 999.")
    assert count(db_session, Message) == 1


def test_feedback_is_never_texted_to_a_number_that_sent_stop(client, app, db_session, assistant):
    from mash.models import OutboxMessage
    from mash.outbox import send_due
    from portal.senders import sender_from_config
    from tests.staff_support import create_contact

    contact = create_contact(db_session, journey="help")
    for recipient in (PARENT, "+447700900999"):
        db_session.add(OutboxMessage(contact_id=contact.id, channel="sms", recipient=recipient, body="Thank you",
                                     status="pending"))
    db_session.commit()
    post_sms(client, "STOP")
    with app.app_context():
        sender = sender_from_config({**app.config, "FRONTDOOR_ENV": "development"})
        from portal import db

        assert send_due(db.session(), sender) == 1
    db_session.expire_all()
    statuses = {m.recipient: (m.status, m.last_error) for m in db_session.scalars(select(OutboxMessage))}
    assert statuses == {PARENT: ("failed", "Undeliverable"), "+447700900999": ("sent", None)}
    events = db_session.execute(text("SELECT event FROM audit_events")).scalars().all()
    assert "feedback.withheld" in events
