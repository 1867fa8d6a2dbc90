"""Scripted conversations, written the way people text, through the real webhook and chat API with a real Rasa.

Each file in tests/conversations/ holds conversations as data: what the person says, what each reply must
(or must not) say, and the outcome: the contacts made (kind, why, what the consent record says), services
sent, or nothing. Every reply is checked for the rules that hold everywhere: never silent, never "did not
understand" after danger, never the same reply three times running, two text messages at most. Afterwards
every file under the instance folder is read for what the people wrote: nothing may be in clear text.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.models import Conversation, ConversationContact
from bot.sms import TWO_SEGMENTS, gsm7_length
from mash.clock import WorkingCalendar
from mash.models import Contact
from store.db import make_engine, make_sessionmaker
from tests.bot_support import signed, sms_params
from tests.conftest import app_config
from tests.rasa_support import RunningRasa, running_rasa

pytestmark = pytest.mark.slow
SCRIPTS = Path(__file__).parent / "conversations"
CONVERSATIONS = [(path.stem, number, conversation) for path in sorted(SCRIPTS.glob("*.yml"))
                 for number, conversation in enumerate(yaml.safe_load(path.read_text()) or [])]
WRITTEN: list[str] = []  # every message the scripts sent, for the clear-text check at the end
BEFORE: list[bytes] = []  # the files before the first message


@pytest.fixture(scope="module")
def rasa() -> Iterator[RunningRasa]:
    with running_rasa() as running:
        yield running


@pytest.fixture(scope="module")
def scripted(rasa: RunningRasa, template_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """One app and database for every script (each texts from its own number), with the demo directory."""
    from portal import create_app
    from signposting.directory import load_demo_directory

    folder = tmp_path_factory.mktemp("scripted")
    shutil.copy(template_db, folder / "frontdoor.db")
    url = f"sqlite:///{folder / 'frontdoor.db'}"
    # Scripts text faster than people: the flood limit is the webhook tests' to prove, not these.
    app = create_app(app_config(url, folder, RASA_URLS=[rasa.url], RASA_AUTH_TOKEN=rasa.token,
                                RASA_TIMEOUT_SECONDS=10, BOT_RATE_LIMIT_PER_MINUTE=1000))
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        load_demo_directory(session)
        session.commit()
    # What the files held before anyone texted (the directory names "health visitor", "Thames Valley Police"):
    # a phrase already there is the directory's, not something a person wrote.
    BEFORE.extend(path.read_bytes() for path in folder.rglob("*") if path.is_file())
    yield app, engine, folder
    engine.dispose()


def _reply_of(response) -> str:
    found = re.findall(r"<Message[^>]*>(.*?)</Message>", response.get_data(as_text=True), re.S)
    return " ".join(found).replace("&apos;", "'").replace("&quot;", '"').replace("&amp;", "&").replace(
        "&lt;", "<").replace("&gt;", ">")


def _check_turn(turn: dict[str, Any], reply: str, where: str) -> None:
    lowered = reply.lower()
    for wanted in turn.get("expect", []):
        assert wanted.lower() in lowered, f"{where}: expected {wanted!r} in {reply!r}"
    if turn.get("expect_any"):
        assert any(w.lower() in lowered for w in turn["expect_any"]), f"{where}: none of {turn['expect_any']} " \
                                                                       f"in {reply!r}"
    for unwanted in turn.get("expect_not", []):
        assert unwanted.lower() not in lowered, f"{where}: {unwanted!r} should not be in {reply!r}"


@pytest.mark.parametrize("source, number, script", CONVERSATIONS,
                         ids=[f"{source}-{n}-{c['name'][:40]}" for source, n, c in CONVERSATIONS])
def test_scripted_conversation(scripted, monkeypatch, source, number, script):
    app, engine, _ = scripted
    office = script.get("office_hours", True)
    monkeypatch.setattr(WorkingCalendar, "is_office_hours", lambda self, moment: office)
    client = app.test_client()
    channel = script.get("channel", "sms")
    sender = f"+4477009{abs(hash((source, number))) % 100000:05d}"
    chat_id = None
    replies: list[str] = []
    for index, turn in enumerate(script["turns"]):
        where = f"{script['name']} turn {index + 1} ({turn['say']!r})"
        WRITTEN.append(turn["say"])
        if channel == "sms":
            params = sms_params(turn["say"], sender=sender)
            response = client.post("/sms/inbound", data=params, headers=signed(params))
            assert response.status_code == 200, where
            reply = _reply_of(response)
            assert gsm7_length(reply) <= TWO_SEGMENTS, f"{where}: longer than two texts"
        else:
            body = {"text": turn["say"], **({"conversation_id": chat_id} if chat_id else {})}
            response = client.post("/chat/api/messages", json=body)
            assert response.status_code == 200, where
            chat_id = response.get_json()["conversation_id"]
            reply = " ".join(response.get_json()["replies"])
        assert reply.strip() or turn.get("silent"), f"{where}: no reply at all"
        assert "did not understand" not in reply.lower(), f"{where}: {reply!r}"
        _check_turn(turn, reply, where)
        replies.append(reply)
    for first, second, third in zip(replies, replies[1:], replies[2:], strict=False):
        assert not (first == second == third), f"{script['name']}: the same reply three times: {first!r}"
    _check_outcome(engine, script, replies, channel, sender, chat_id)


def _check_outcome(engine, script: dict[str, Any], replies: list[str], channel: str, sender: str,
                   chat_id: str | None) -> None:
    from bot.conversations import find_latest

    outcome = script.get("outcome", {})
    with make_sessionmaker(engine)() as session:
        conversation = find_latest(session, channel, sender if channel == "sms" else chat_id or "")
        assert conversation is not None
        conversation_ids = [c.id for c in session.scalars(select(Conversation).where(
            Conversation.channel == channel, Conversation.sender_key == conversation.sender_key))]
        links = session.execute(select(ConversationContact.reason, Contact).join(
            Contact, Contact.id == ConversationContact.contact_id).where(
            ConversationContact.conversation_id.in_(conversation_ids)).order_by(Contact.id)).all()
        made = [{"reason": reason, "kind": contact.kind, "rag": contact.rag, "consent": contact.consent.status,
                 "parents_told": contact.consent.parents_told, "referrer_type": contact.referrer_type,
                 "danger": contact.risk_rank < 0, "children": [c.first_name for c in contact.children],
                 "anonymous": contact.referrer_anonymous, "consent_limited": bool(contact.consent.limits),
                 "relayed": contact.consent.relayed, "safe_to_contact": contact.safe_to_contact,
                 "referral_source": contact.referral_source} for reason, contact in links]
    wanted = outcome.get("contacts")
    if wanted is not None:
        assert len(made) == len(wanted), f"{script['name']}: contacts made {made}"
        for expected, actual in zip(wanted, made, strict=True):
            for key, value in expected.items():
                assert actual.get(key) == value, f"{script['name']}: {key} is {actual.get(key)!r} not {value!r} " \
                                                 f"in {actual}"
    if outcome.get("services"):
        # near them, or (a postcode not on the map) by phone and online, or the finder's link
        assert any(heading in r for r in replies for heading in ("Services near you", "Services you can phone",
                                                                 "/services")), f"{script['name']}: no services"


def test_nothing_anyone_wrote_is_in_clear_text_under_the_instance_folder(scripted):
    """Run after the scripts (same module, so the same database and folder): read every file there."""
    _, engine, folder = scripted
    engine.dispose()
    assert WRITTEN, "the scripted conversations ran first"
    found = []
    phrases = {w for w in WRITTEN if len(w) >= 12 and not any(w.encode() in b or w.lower().encode() in b
                                                               for b in BEFORE)}
    assert len(phrases) > 100  # what the scripts wrote, less the few phrases the directory already held
    for path in Path(folder).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for phrase in phrases:
                for form in {phrase, phrase.lower()}:
                    if form.encode() in data:
                        found.append((path.name, phrase[:20]))
    assert not found, found
