"""Conversations: found by a keyed hash, started afresh when quiet (unless red), forgotten when they came to
nothing, kept when they became a contact; and `frontdoor sms` against a running portal."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import select

from bot import conversations
from bot.models import Conversation, ConversationContact, Message
from bot.pipeline import Inbound, Settings, handle
from mash.models import Contact
from tests.bot_support import PARENT, FakeParser

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def text(db_session, words: str, *, at: dt.datetime, sender: str = PARENT, parser=None):
    return handle(db_session, Inbound(channel="sms", sender=sender, text=words), settings=Settings(),
                  parser=parser or FakeParser(), now=at)


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
    person = text(db_session, "can i talk to a real person please", at=NOW - dt.timedelta(days=40),
                  sender="+447700900111", parser=FakeParser(down=True))
    assert person.handled_by == "dialogue"
    forgotten = conversations.purge_expired(db_session, retention=dt.timedelta(days=30), now=NOW)
    db_session.commit()
    assert forgotten == 1
    kept = db_session.scalars(select(Conversation)).all()
    assert len(kept) == 3 and all(c.messages for c in kept)
    assert sorted(db_session.scalars(select(ConversationContact.reason)).all()) == ["asked_for_person", "danger"]
    assert len(db_session.scalars(select(Contact)).all()) == 2
    assert {m.text for m in db_session.scalars(select(Message).where(Message.direction == "in"))} == {
        "he's hitting me with a belt", "any parenting courses?", "can i talk to a real person please"}


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
    fake = FakeParser()
    monkeypatch.setattr(conversation, "parser", lambda: fake)
    server = LiveServer(server_app).start()
    try:
        cli_app = create_app(app_config(database_url, tmp_path, PUBLIC_BASE_URL="https://frontdoor.example.org"))
        runner = CliRunner()
        result = runner.invoke(cli, ["sms", "dad is drunk and throwing things at us im hiding in my room",
                                     "--from", "+447700900123", "--url", server.url],
                               obj=_script_info(cli_app))
        assert result.exit_code == 0, result.output
        assert result.output.startswith("If you or a child are in danger now, call 999.")
        # The same number again: the conversation carries on from the danger advice, offering a person.
        result = runner.invoke(cli, ["sms", "hi", "--url", server.url], obj=_script_info(cli_app))
        assert result.exit_code == 0
        assert result.output.startswith("Thank you for telling us.")
        result = runner.invoke(cli, ["sms", "hi", "--from", "+447700900456", "--url", server.url],
                               obj=_script_info(cli_app))
        assert result.output.startswith("Hello, this is the Front Door for children's services.")
        assert fake.calls == ["hi", "hi"]  # the danger message never waited for the model
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
    for name in ("TWILIO_ACCOUNT_SID=AC", "TWILIO_AUTH_TOKEN=", "TWILIO_NUMBER=+447700900000",
                 "RASA_AUTH_TOKEN=", "PUBLIC_BASE_URL=", "FIELD_ENCRYPTION_KEYS="):
        assert name in written
    assert "BOT_API_TOKEN" not in written  # Rasa no longer calls back into the portal: no token for it
    again = subprocess.run([sys.executable, "-m", "portal.cli", "dev", "write-env", str(env_file)], check=True,
                           capture_output=True, text=True)
    assert "has every setting" in again.stdout and env_file.read_text() == written


# --- the worker's follow-up of conversations that stopped: read from the conversation's own state ---------------
QUIET = dt.timedelta(minutes=30)


def conversation_of(db_session, outcome) -> Conversation:
    db_session.expire_all()
    return conversations.by_public_id(db_session, outcome.conversation_id)


def test_an_unfinished_report_of_a_worry_becomes_a_contact_once_quiet(db_session):
    from bot.followup import follow_up

    worry = "im worried about the kids next door they are always hungry"
    started = text(db_session, worry, at=NOW)
    asked = text(db_session, "Mia", at=NOW + dt.timedelta(minutes=1))
    assert asked.replies[-1].startswith("How old is the child?")  # stopped here, mid-report
    searching = text(db_session, "is there a toddler group near me", at=NOW, sender="+447700900456")
    state = conversation_of(db_session, started).state
    assert state["journey"] == "report" and state["answers"]["first_name"] == "Mia"
    assert follow_up(db_session, quiet=QUIET, now=NOW + dt.timedelta(minutes=10)) == 0  # not quiet yet
    assert conversation_of(db_session, started).followed_up_at is None
    assert follow_up(db_session, quiet=QUIET, now=NOW + dt.timedelta(hours=1)) == 1
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "concern" and contact.children[0].first_name == "Mia"
    assert contact.concern_text == worry and contact.referrer_phone == PARENT
    assert db_session.scalars(select(ConversationContact.reason)).one() == "unfinished_report"
    # Both were looked at, once: the service search never becomes a contact, and nothing is made twice.
    assert conversation_of(db_session, started).followed_up_at is not None
    assert conversation_of(db_session, searching).followed_up_at is not None
    assert follow_up(db_session, quiet=QUIET, now=NOW + dt.timedelta(hours=2)) == 0
    assert len(db_session.scalars(select(Contact)).all()) == 1


def test_a_report_that_stopped_after_the_worry_still_becomes_a_contact_with_it(db_session):
    from bot.followup import follow_up

    text(db_session, "i want to report a concern", at=NOW)
    text(db_session, "its about the family upstairs", at=NOW + dt.timedelta(minutes=1))
    assert follow_up(db_session, quiet=QUIET, now=NOW + dt.timedelta(hours=1)) == 1
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "concern" and contact.concern_text == "its about the family upstairs"
    assert contact.children == [] and contact.referrer_phone == PARENT


def test_a_reporter_who_comes_back_and_finishes_gets_the_same_contact(db_session):
    from bot.followup import follow_up

    text(db_session, "im worried about the kids next door they are always hungry", at=NOW)
    text(db_session, "Mia", at=NOW + dt.timedelta(minutes=1))
    assert follow_up(db_session, quiet=QUIET, now=NOW + dt.timedelta(hours=1)) == 1
    made = db_session.scalars(select(Contact)).one()
    later = NOW + dt.timedelta(hours=2)
    for words in ("7", "RG40 1BN", "at home", "neighbour", "yes"):  # age, where, where now, who, anonymous
        assert "reference" not in " ".join(text(db_session, words, at=later).replies)
    finished = text(db_session, "yes", at=later)  # the parents know
    assert f"Your reference is {made.reference}." in " ".join(finished.replies)
    db_session.expire_all()
    assert db_session.scalars(select(Contact)).one().id == made.id


def test_a_family_that_agreed_but_whose_hand_off_never_arrived_still_becomes_a_contact(db_session):
    from bot.followup import follow_up

    agreed = text(db_session, "I'm struggling with my 4 year old", at=NOW)
    declined = text(db_session, "we can't pay the rent", at=NOW, sender="+447700900456")
    offered = text(db_session, "my son won't go to school", at=NOW, sender="+447700900789")
    # Consent given, but the turn that would have handed it off never happened (a failed hand-off leaves the
    # journey open like this): the worker makes the early-help contact from the state.
    answers = {"referrer_name": "Sam Example", "referrer_relationship": "mother", "has_parental_responsibility": "yes",
               "first_name": "Alex", "date_of_birth": "2022-03-04", "safe_to_contact": "yes", "postcode": "RG40 1BN",
               "concern_categories": ["parenting"], "consent_agree": "yes", "_offer": "yes",
               "what_happened": "I'm struggling with my 4 year old"}
    for outcome, consent in ((agreed, "yes"), (declined, "no")):
        conversation = conversations.by_public_id(db_session, outcome.conversation_id)
        conversation.state = {**conversation.state, "journey": "help", "asking": "school",
                              "answers": {**answers, "consent_agree": consent}}
    db_session.commit()
    # A family that is only part way through (no consent yet) is never referred on their behalf.
    assert conversation_of(db_session, offered).state["journey"] == "help"
    assert follow_up(db_session, quiet=QUIET, now=NOW + dt.timedelta(hours=1)) == 1
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "early_help" and contact.consent.status == "given"
    assert contact.children[0].first_name == "Alex" and contact.referrer_phone == PARENT
    assert db_session.scalars(select(ConversationContact.reason)).one() == "unfinished_help"


def test_a_carer_without_parental_responsibility_is_not_referred_on_their_own_agreement(db_session):
    from bot.followup import follow_up

    said = ["I'm struggling with my 4 year old", "RG40 1BN", "yes", "Sam Example", "grandparent", "no", "Alex",
            "Example", "4 March 2022", "not known", "yes", "yes"]
    at = NOW
    for words in said:
        last = text(db_session, words, at=at, sender="+447700900456")
        at += dt.timedelta(minutes=1)
    state = conversation_of(db_session, last).state
    assert state["answers"]["consent_agree"] == "yes" and state["asking"] == "pr_person_name"
    assert follow_up(db_session, quiet=QUIET, now=at + dt.timedelta(hours=1)) == 0
    assert db_session.scalars(select(Contact)).all() == []


def test_an_early_contact_learns_the_professional_who_finished_the_report():
    """A review: a contact made at a teacher's first message assumed a member of the public (source unknown), and
    the finished professional journey left it so."""
    from bot.conversations import _fill_referral

    contact = Contact(referral_source="10", referrer_type="public", referrer_anonymous=False, journey="report",
                      answers={"referrer_type": "public", "what_happened": "bruises"})
    _fill_referral(contact, {"referrer_type": "professional", "referrer_workplace": "school",
                             "referrer_name": "Kim Example", "referrer_role": "class teacher"})
    assert (contact.referrer_type, contact.referral_source) == ("professional", "2A")
    assert contact.referrer_name == "Kim Example" and contact.answers["what_happened"] == "bruises"
    kept = Contact(referral_source="9", referrer_type="public", referrer_anonymous=True, journey="report", answers={})
    _fill_referral(kept, {"referrer_type": "public", "anonymous": "yes", "referrer_name": "Pat Example"})
    assert kept.referrer_name is None and kept.referral_source == "9"  # anonymous: no name kept, anywhere
    assert "referrer_name" not in kept.answers


def test_more_written_after_the_reference_joins_that_contact_and_new_starts_afresh(db_session):
    """Probes (sessions 13 and 14): a text after the reference started the help menu again, or a second report.
    More about the same child now joins the contact's trail (the words stay in the encrypted transcript), and
    NEW starts a conversation about someone else."""
    from mash.models import AuditEvent

    later = NOW + dt.timedelta(minutes=1)
    text(db_session, "im worried about the kids next door they are always hungry", at=NOW)
    for words in ("Mia", "7", "RG40 1BN", "at home", "neighbour", "yes"):
        text(db_session, words, at=later)
    finished = " ".join(text(db_session, "yes", at=later).replies)
    made = db_session.scalars(select(Contact)).one()
    assert f"Your reference is {made.reference}." in finished
    more = " ".join(text(db_session, "one more thing their dad drinks every night", at=later).replies)
    assert f"added that to your message, reference {made.reference}" in more and "postcode" not in more
    db_session.expire_all()
    assert db_session.scalars(select(Contact)).one().id == made.id  # no second contact
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.contact_id == made.id)))
    assert "conversation.more_after_reference" in [e.event for e in events]
    assert not any("drinks" in f"{e.reason} {e.details}" for e in events)  # the words never on the trail
    fresh = " ".join(text(db_session, "new", at=later).replies)
    assert "reference" not in fresh and "worrying you" in fresh
