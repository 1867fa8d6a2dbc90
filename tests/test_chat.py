"""Web chat: the same pipeline as a text message, as a plain form without JavaScript and as JSON."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.models import Conversation
from mash.models import Contact
from tests.bot_support import FakeAssistant, use_assistant

DANGER = "mum's boyfriend hit my little brother and there's blood"


def test_the_chat_page_works_as_a_plain_form(client, monkeypatch):
    use_assistant(monkeypatch, FakeAssistant(["Thanks for telling me. What's your postcode?"]))
    page = client.get("/chat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = html.split("<form")[1].split("</form>")[0]
    assert "call 999" in html and 'name="message"' in html and "<script" not in form
    sent = client.post("/chat", data={"message": "my toddler won't sleep and I'm exhausted"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/chat#latest")
    html = client.get("/chat").get_data(as_text=True)
    assert "my toddler won&#39;t sleep" in html and "What&#39;s your postcode?" in html
    assert 'id="latest"' in html


def test_an_empty_or_long_chat_message_gets_an_error_and_keeps_the_text(client):
    response = client.post("/chat", data={"message": "   "})
    assert response.status_code == 400 and "Enter a message" in response.get_data(as_text=True)
    long = "a" * 1601
    response = client.post("/chat", data={"message": long})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "1,600 characters or fewer" in html and "a" * 1600 in html


def test_danger_in_chat_is_answered_first_and_reaches_the_queue(client, db_session, monkeypatch):
    fake = FakeAssistant()
    use_assistant(monkeypatch, fake)
    response = client.post("/chat/api/messages", json={"text": DANGER})
    body = response.get_json()
    assert response.status_code == 200
    assert body["replies"][0].startswith("If you or a child are in danger now, call 999.")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.[0-9a-f]{24}", body["conversation_id"])
    assert fake.calls == []
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.channel == "chat" and contact.referrer_phone is None


def test_the_json_api_carries_a_conversation_on(client, db_session, monkeypatch):
    fake = FakeAssistant(["What's your postcode?"])
    use_assistant(monkeypatch, fake)
    first = client.post("/chat/api/messages", json={"conversation_id": None, "text": "I need help with my son"})
    token = first.get_json()["conversation_id"]
    second = client.post("/chat/api/messages", json={"conversation_id": token, "text": "RG40 1AA"})
    assert second.get_json() == {"conversation_id": token, "replies": ["What's your postcode?"]}
    assert fake.calls[0][0] == fake.calls[1][0]
    assert len(db_session.scalars(select(Conversation)).all()) == 1
    assert token not in fake.calls[0][0]  # Rasa sees the conversation's random id, not the device's token


def test_the_json_api_refuses_bad_input_clearly(client):
    assert client.post("/chat/api/messages", data="x", content_type="text/plain").status_code == 400
    assert client.post("/chat/api/messages", json={"text": 5}).status_code == 400
    assert client.post("/chat/api/messages", json={"text": ""}).status_code == 400
    forged = client.post("/chat/api/messages", json={"conversation_id": "a" * 43 + "." + "0" * 24, "text": "hi"})
    assert forged.status_code == 400 and "leave it out" in forged.get_json()["message"]


def test_rasa_down_in_chat_still_answers_and_makes_a_contact(client, db_session, monkeypatch):
    use_assistant(monkeypatch, FakeAssistant(down=True))
    body = client.post("/chat/api/messages", json={"text": "I'm worried about my daughter"}).get_json()
    assert "999" in body["replies"][0] and "/help" in body["replies"][0]
    assert db_session.scalars(select(Contact)).one().channel == "chat"


def test_ending_the_chat_forgets_it_on_this_device(client, monkeypatch):
    use_assistant(monkeypatch, FakeAssistant(["Hello"]))
    client.post("/chat", data={"message": "hello"})
    assert "Your conversation" in client.get("/chat").get_data(as_text=True)
    client.post("/chat/end")
    assert "Your conversation" not in client.get("/chat").get_data(as_text=True)
