"""Conversations: found by a keyed hash, started afresh when quiet (unless red), forgotten when they came to
nothing, kept when they became a contact; and `frontdoor sms` against a running portal."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import select

from bot import conversations
from bot.models import Conversation, Message
from bot.pipeline import Inbound, Settings, handle
from mash.models import Contact
from tests.bot_support import PARENT, FakeAssistant

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def text(db_session, words: str, *, at: dt.datetime, sender: str = PARENT, assistant=None):
    return handle(db_session, Inbound(channel="sms", sender=sender, text=words), settings=Settings(),
                  assistant=assistant or FakeAssistant(["ok"]), now=at)


def test_a_quiet_conversation_starts_afresh_but_a_red_one_never_does(db_session):
    first = text(db_session, "hello", at=NOW)
    assert text(db_session, "still there?", at=NOW + dt.timedelta(hours=23)).conversation_id == first.conversation_id
    fresh = text(db_session, "hello again", at=NOW + dt.timedelta(days=3))
    assert fresh.conversation_id != first.conversation_id
    red = text(db_session, "he's hitting me with a belt", at=NOW, sender="+447700900456")
    later = text(db_session, "hello", at=NOW + dt.timedelta(days=30), sender="+447700900456")
    assert red.danger and later.conversation_id == red.conversation_id


def test_stop_outlives_the_conversation_it_was_sent_in(db_session):
    text(db_session, "STOP", at=NOW)
    later = text(db_session, "hello", at=NOW + dt.timedelta(days=5))
    assert later.replies == [] and later.handled_by == "opted_out"


def test_conversations_that_became_nothing_are_forgotten_after_retention(db_session):
    text(db_session, "where is a toddler group", at=NOW - dt.timedelta(days=40))
    text(db_session, "he's hitting me with a belt", at=NOW - dt.timedelta(days=40), sender="+447700900456")
    text(db_session, "any parenting courses?", at=NOW - dt.timedelta(days=5), sender="+447700900789")
    advice = Inbound(channel="sms", sender="+447700900111", text="I would like some advice about my son")
    down = handle(db_session, advice, settings=Settings(), assistant=FakeAssistant(down=True),
                  now=NOW - dt.timedelta(days=40))
    assert down.handled_by == "fallback"
    forgotten = conversations.purge_expired(db_session, retention=dt.timedelta(days=30), now=NOW)
    db_session.commit()
    assert forgotten == 1
    kept = db_session.scalars(select(Conversation)).all()
    assert len(kept) == 3 and all(c.messages for c in kept)
    assert len(db_session.scalars(select(Contact)).all()) == 2  # the red one and the assistant-down one
    assert db_session.scalars(select(Message)).all()


def test_the_sender_key_is_keyed_not_the_number(db_session):
    key = conversations.sender_key("sms", PARENT)
    assert PARENT not in key and "7700900123" not in key and len(key) == 32
    assert key != conversations.sender_key("chat", PARENT)


def test_frontdoor_sms_signs_a_request_to_the_running_portal_and_prints_the_reply(database_url, tmp_path,
                                                                                  monkeypatch):
    from portal import conversation, create_app
    from portal.cli import cli
    from tests.browser_support import LiveServer
    from tests.conftest import app_config

    server_app = create_app(app_config(database_url, tmp_path))
    monkeypatch.setattr(conversation, "assistant", lambda: FakeAssistant(["Hello, how can we help?"]))
    server = LiveServer(server_app).start()
    try:
        cli_app = create_app(app_config(database_url, tmp_path, PUBLIC_BASE_URL="https://frontdoor.example.org"))
        runner = CliRunner()
        result = runner.invoke(cli, ["sms", "dad is drunk and throwing things at us im hiding in my room",
                                     "--from", "+447700900123", "--url", server.url],
                               obj=_script_info(cli_app))
        assert result.exit_code == 0, result.output
        assert result.output.startswith("If you or a child are in danger now, call 999.")
        result = runner.invoke(cli, ["sms", "hi", "--url", server.url], obj=_script_info(cli_app))
        assert result.output.strip() == "Hello, how can we help?"
        wrong = create_app(app_config(database_url, tmp_path, TWILIO_AUTH_TOKEN="not-the-token"))
        result = runner.invoke(cli, ["sms", "hi", "--url", server.url], obj=_script_info(wrong))
        assert result.exit_code != 0 and "HTTP 403" in result.output
    finally:
        server.stop()
    result = CliRunner().invoke(cli, ["sms", "hi", "--url", server.url], obj=_script_info(cli_app))
    assert result.exit_code != 0 and "is `make run` running?" in result.output


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_write_env_adds_only_missing_settings(tmp_path):
    import subprocess
    import sys

    env_file = tmp_path / ".env"
    env_file.write_text("FRONTDOOR_ENV=development\nSECRET_KEY=mine\n")
    subprocess.run([sys.executable, "-m", "portal.cli", "dev", "write-env", str(env_file)], check=True,
                   capture_output=True)
    written = env_file.read_text()
    assert written.startswith("FRONTDOOR_ENV=development\nSECRET_KEY=mine\n")
    assert written.count("SECRET_KEY=") == 1
    for name in ("TWILIO_ACCOUNT_SID=AC", "TWILIO_AUTH_TOKEN=", "TWILIO_NUMBER=+447700900000", "BOT_API_TOKEN=",
                 "RASA_AUTH_TOKEN=", "PUBLIC_BASE_URL=", "FIELD_ENCRYPTION_KEYS="):
        assert name in written



class FakeTrackers:
    def __init__(self, trackers: dict[str, dict] | None = None, *, down: bool = False) -> None:
        self.trackers, self.down, self.asked = trackers or {}, down, []

    def tracker(self, sender: str) -> dict:
        from bot.rasa_client import AssistantUnavailable

        self.asked.append(sender)
        if self.down:
            raise AssistantUnavailable("ConnectionError")
        return self.trackers.get(sender, {"events": [], "slots": {}})


def reporting(slots: dict) -> dict:
    return {"events": [{"event": "user", "parse_data": {"intent": {"name": "report_concern"}}},
                       {"event": "active_loop", "name": "report_form"}], "slots": slots}


def test_an_unfinished_report_of_a_worry_becomes_a_contact_once_quiet(db_session):
    from bot.followup import follow_up

    started = text(db_session, "im worried about the kids next door they are always hungry", at=NOW)
    text(db_session, "Mia", at=NOW + dt.timedelta(minutes=1))
    searching = text(db_session, "is there a toddler group near me", at=NOW, sender="+447700900456")
    trackers = FakeTrackers({started.conversation_id: reporting(
        {"what_happened": "they are always hungry", "first_name": "Mia", "anonymous": None,
         "requested_slot": "address", "bot_channel": "sms", "concern_categories": ["parenting"]})})
    quiet = dt.timedelta(minutes=30)
    assert follow_up(db_session, trackers, quiet=quiet, now=NOW + dt.timedelta(minutes=10)) == 0
    assert trackers.asked == []  # not quiet yet
    assert follow_up(db_session, trackers, quiet=quiet, now=NOW + dt.timedelta(hours=1)) == 1
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "concern" and contact.children[0].first_name == "Mia"
    assert contact.concern_text == "they are always hungry" and contact.referrer_phone == PARENT
    assert set(trackers.asked) == {started.conversation_id, searching.conversation_id}
    # Looked at once: the service search never becomes a contact, and nothing is asked twice.
    assert follow_up(db_session, trackers, quiet=quiet, now=NOW + dt.timedelta(hours=2)) == 0
    assert len(trackers.asked) == 2


def test_follow_up_waits_for_rasa_rather_than_losing_a_concern(db_session):
    from bot.followup import follow_up

    started = text(db_session, "i want to report a concern about a child", at=NOW)
    quiet = dt.timedelta(minutes=30)
    assert follow_up(db_session, FakeTrackers(down=True), quiet=quiet, now=NOW + dt.timedelta(hours=1)) == 0
    later = FakeTrackers({started.conversation_id: reporting({})})
    assert follow_up(db_session, later, quiet=quiet, now=NOW + dt.timedelta(hours=2)) == 1
    assert "report a concern" in db_session.scalars(select(Contact)).one().concern_text


def test_rasas_plain_text_copy_is_emptied_of_finished_conversations(tmp_path):
    import sqlite3

    from bot.followup import forget_tracker_events

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert forget_tracker_events(url, older_than=dt.timedelta(hours=25), now=NOW) == 0  # no store yet
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
                   "intent_name TEXT, action_name TEXT, data TEXT)")
        for age_hours in (30, 26, 2):
            db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('x', 'user', ?, ?)",
                       ((NOW - dt.timedelta(hours=age_hours)).timestamp(), '{"text": "what they wrote"}'))
    assert forget_tracker_events(url, older_than=dt.timedelta(hours=25), now=NOW) == 2
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_a_family_that_agreed_but_whose_hand_off_never_arrived_still_becomes_a_contact(db_session):
    from bot.followup import follow_up

    asked = text(db_session, "I'm struggling with my 4 year old", at=NOW)
    slots = {"referrer_name": "Sam Example", "referrer_relationship": "mother", "has_parental_responsibility": "yes",
             "first_name": "Alex", "date_of_birth": "2022-03-04", "safe_to_contact": "yes", "postcode": "RG40 1BN",
             "concern_categories": ["parenting"], "consent_agree": "yes"}
    declined = text(db_session, "we can't pay the rent", at=NOW, sender="+447700900456")
    trackers = FakeTrackers({asked.conversation_id: {"events": [], "slots": slots},
                             declined.conversation_id: {"events": [], "slots": {**slots, "consent_agree": "no"}}})
    assert follow_up(db_session, trackers, quiet=dt.timedelta(minutes=30), now=NOW + dt.timedelta(hours=1)) == 1
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "early_help" and contact.consent.status == "given"
