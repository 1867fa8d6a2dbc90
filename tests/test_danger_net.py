"""The danger screen's second net (mash/danger_net.py; issue 12): behind the rules, it catches danger said in words
no rule lists, keeps figures of speech quiet, gives the same answer every time, and every channel goes through it.

The paraphrases here were written for these tests; none is from the evaluation set (held-out or development)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bench.danger_cv import development, training_document
from bot import dialogue
from forms import examples
from mash import danger_net, safety
from mash.models import DANGER_NOW_RANK, RAG_ORDER, Contact
from mash.safety import DANGER_LINE, NET_CATEGORY, NET_CHECK, NET_DANGER, describe_flag, screen
from tests.bot_support import FakeParser, post_sms, use_parser
from tests.journey_support import walk

# Danger now in words the rules did not list when these were written: the net alone must be sure of each.
PARAPHRASES = [
    "my daughter swallowed a whole pack of her grans tablets 10 mins ago",
    "my daughter messaged saying shes been spiked and cant feel her legs",
    "she just ran off with a man she met on snap and shes 13",
    "theres a man in the park filming the kids and trying to get my daughter to go with him",
    # harm beside a crying baby (the final review: a rewrite of "crying" for an exhausted parent hid these)
    "baby keeps crying and i cant cope im going to shake her",
    "the baby keeps crying and i'm scared i'll hurt her",
]
# Not danger now: figures of speech, a small child hitting a parent, a past event now safe, ordinary asks.
QUIET = [
    "the kids are killing me today, any tips for bedtime",
    "id kill for a full nights sleep honestly",
    "my 2yo slaps and bites me when hes tired, is that normal",
    "my 3 year old hits me when i take the ipad off him",
    "can you help me find a parenting course",
    "I am a teacher reporting a concern about a pupil",
]
NOT_999 = [
    "my ex used to hit me but that was 2019 and im safe now",
    "he hurt her badly years ago but hes in prison now and we are safe",
]


def net_probability(text: str) -> float:
    return danger_net.probability(*safety.net_input(text))


@pytest.mark.parametrize("text", PARAPHRASES)
def test_the_net_catches_danger_in_words_no_rule_lists(text: str) -> None:
    assert net_probability(text) >= danger_net.DANGER_AT
    result = screen(text)
    assert result.danger and result.reply is not None and result.reply.startswith(DANGER_LINE)


def test_when_no_rule_fires_the_net_gives_the_999_advice_with_its_own_category() -> None:
    caught_by_the_net_alone = [t for t in PARAPHRASES if not screen(t, net=False).red]
    assert caught_by_the_net_alone, "the rules now catch every paraphrase: write new ones the rules miss"
    for text in caught_by_the_net_alone:
        result = screen(text)
        assert result.categories == (NET_CATEGORY,) and result.matched == (NET_DANGER,)
        assert "press 55" in (result.reply or "")  # the net does not know who is near: the silent line too


@pytest.mark.parametrize("text", QUIET)
def test_figures_of_speech_and_a_small_child_hitting_stay_quiet(text: str) -> None:
    assert net_probability(text) < danger_net.CHECK_AT
    assert not screen(text).red


@pytest.mark.parametrize("text", NOT_999)
def test_a_past_event_now_safe_gets_no_999(text: str) -> None:
    assert not screen(text).danger


def test_the_rules_decide_when_they_fire() -> None:
    """A rule's check now stands, however sure the net is: the rules' frames (past, safe now) win."""
    text = "a few years ago my ex strangled me, hes in prison now and were safe"
    assert screen(text, net=False).check_now
    assert screen(text) == screen(text, net=False)


def test_a_story_or_a_what_if_is_at_most_a_check_now(monkeypatch) -> None:
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.99)
    text = "we watched a film last night about a family who lose everything"
    assert not screen(text, net=False).red
    result = screen(text)
    assert result.check_now and not result.danger and result.check_matched == (NET_CHECK,)


def test_the_band_below_is_a_check_now_and_says_nothing_to_the_person(monkeypatch) -> None:
    monkeypatch.setattr(danger_net, "probability", lambda *args: (danger_net.CHECK_AT + danger_net.DANGER_AT) / 2)
    result = screen("we are at the end of our rope with our son")
    assert result.check_now and not result.danger and result.reply is None
    assert result.check_categories == (NET_CATEGORY,)
    assert describe_flag(f"check_now:{NET_CATEGORY}").startswith(
        "Check now: the words read like someone may be in danger (found by the screen's model, not by a rule)?")


def test_the_net_is_deterministic() -> None:
    texts = danger_net.training_texts() + danger_net.rule_examples(safety.data_files())
    examples_ = [(*safety.net_input(t), d) for t, d in texts[::7]]
    first, second = danger_net.train(examples_), danger_net.train(examples_)
    assert first == second
    for text in PARAPHRASES + QUIET:
        assert net_probability(text) == net_probability(text)
        assert screen(text) == screen(text)


def test_the_training_file_is_the_development_part() -> None:
    """mash/data/danger_net/training.json is what bench/danger_cv.py --write-training makes of messages.yml."""
    written = danger_net.TRAINING_FILE.read_text(encoding="utf-8")
    assert written == training_document(development()), "run .venv/bin/python bench/danger_cv.py --write-training"


def test_odd_input_is_safe() -> None:
    for text in ("", "   ", "🔪", "a" * 5000, "1234567890", "!!!???"):
        screen(text)  # never raises
    assert danger_net.verdict(0.0, framed=False, words=10) is None
    assert danger_net.verdict(1.0, framed=False, words=danger_net.MIN_WORDS - 1) is None


# --- every channel goes through it (web journeys, SMS, web chat all call mash.safety.screen) ----------------------
@pytest.fixture
def parser(monkeypatch) -> FakeParser:
    fake = FakeParser()
    use_parser(monkeypatch, fake)
    return fake


@pytest.fixture
def net_sure(monkeypatch) -> None:
    """The net is sure of everything no rule fired on (its training is not what these tests are about)."""
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.99)


QUIET_TO_THE_RULES = "we are really struggling at home and do not know what to do"


def test_by_text(client, db_session, parser, net_sure) -> None:
    assert not screen(QUIET_TO_THE_RULES, net=False).red
    response = post_sms(client, QUIET_TO_THE_RULES)
    reply = " ".join(re.findall(r"<Message[^>]*>(.*?)</Message>", response.get_data(as_text=True), re.S))
    assert reply.startswith(DANGER_LINE)
    contact = db_session.scalars(select(Contact)).one()
    assert contact.risk_rank == DANGER_NOW_RANK and f"danger_now:{NET_CATEGORY}" in contact.safety_flags


def test_in_web_chat(client, db_session, parser, net_sure) -> None:
    body = client.post("/chat/api/messages", json={"text": QUIET_TO_THE_RULES}).get_json()
    assert body["replies"] and body["replies"][0].startswith(DANGER_LINE)
    contact = db_session.scalars(select(Contact)).one()
    assert contact.channel == "chat" and f"danger_now:{NET_CATEGORY}" in contact.safety_flags


def test_on_the_web_journeys(client, db_session, monkeypatch) -> None:
    monkeypatch.setattr(danger_net, "probability", lambda *args: (danger_net.CHECK_AT + danger_net.DANGER_AT) / 2)
    walk(client, "help", examples.family_help_request(what_happened=QUIET_TO_THE_RULES))
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.risk_rank == RAG_ORDER["red"]
    assert f"check_now:{NET_CATEGORY}" in contact.safety_flags
    assert "danger now" not in client.get("/help/confirmation").get_data(as_text=True)


def _replies(response) -> str:
    return " ".join(re.findall(r"<Message[^>]*>(.*?)</Message>", response.get_data(as_text=True), re.S))


def test_after_the_nets_danger_not_an_emergency_goes_on_to_help_and_the_contact_stays_red(
        client, db_session, parser, monkeypatch) -> None:
    """A probe: "my baby wont stop crying and im exhausted" read as danger by the net alone, then "sorry i didnt mean
    an emergency i just need some help with sleep" got the safety replies again, and the parent never got help."""
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.99)
    assert _replies(post_sms(client, QUIET_TO_THE_RULES)).startswith(DANGER_LINE)
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.0)
    reply = _replies(post_sms(client, "sorry i didnt mean an emergency i just need some help with sleep for my son"))
    assert "Our team will still look at your first message" in reply and DANGER_LINE not in reply
    contact = db_session.scalars(select(Contact)).one()
    assert contact.risk_rank == DANGER_NOW_RANK  # the red contact is still there for staff to check


def test_after_a_rules_danger_not_an_emergency_stays_with_safety(client, db_session, parser) -> None:
    """Someone may be made to say it is fine: only the net's reading is set aside by their word."""
    assert _replies(post_sms(client, "my dad is hitting my mum right now")).startswith(DANGER_LINE)
    reply = _replies(post_sms(client, "its not an emergency"))
    assert "999" in reply and "Our team will still look at your first message" not in reply


def test_in_a_red_conversation_an_unsure_reading_puts_999_first(client, db_session, parser, monkeypatch) -> None:
    """A probe: a 12 year old after danger wrote "hes coming up the stairs" (the net unsure, no rule) and got "Thank
    you for telling us" before the advice."""
    assert _replies(post_sms(client, "my dad is hitting my mum right now")).startswith(DANGER_LINE)
    post_sms(client, "im hiding in my room")  # the red conversation's own turn
    monkeypatch.setattr(danger_net, "probability", lambda *args: (danger_net.CHECK_AT + danger_net.DANGER_AT) / 2)
    words = "he is coming up the stairs now towards my room"
    assert not screen(words, net=False).red and screen(words).check_now
    reply = _replies(post_sms(client, words))
    assert reply.startswith(dialogue.DANGER_NOW) and "Thank you for telling us" in reply, reply


def test_after_the_nets_danger_with_a_word_of_harm_not_an_emergency_stays_with_safety(
        client, db_session, parser, monkeypatch) -> None:
    """The final review: "the baby was crying and he threw her across the room" (the net alone), then "its not an
    emergency, hes calmed down now" left the safety replies without 999. Someone may be made to write it is fine."""
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.99)
    words = "the baby was crying and he threw her across the room"
    assert not screen(words, net=False).red  # the net's reading alone, with a word of harm in it
    assert _replies(post_sms(client, words)).startswith(DANGER_LINE)
    reply = _replies(post_sms(client, "its not an emergency, hes calmed down now"))
    assert "999" in reply and "Our team will still look at your first message" not in reply


@pytest.mark.parametrize("said", ["is it not an emergency?", "no emergency services please",
                                  "i didnt mean that, hes back"])
def test_a_question_or_a_plea_is_never_taken_as_not_an_emergency(client, db_session, parser, monkeypatch,
                                                                  said) -> None:
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.99)
    assert _replies(post_sms(client, QUIET_TO_THE_RULES)).startswith(DANGER_LINE)
    reply = _replies(post_sms(client, said))
    assert "999" in reply and "Our team will still look at your first message" not in reply


def test_leaving_the_safety_replies_always_says_999_once_more(client, db_session, parser, monkeypatch) -> None:
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.99)
    post_sms(client, QUIET_TO_THE_RULES)
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.0)
    reply = _replies(post_sms(client, "its not an emergency i just need some help"))
    assert "Our team will still look at your first message" in reply and dialogue.DANGER_NOW in reply


def test_the_nets_certainty_wins_over_a_rules_doubt_but_not_over_its_frame(monkeypatch) -> None:
    """A danger-now message that only a check-now rule reads would be a check alone: missed. Where the net is sure,
    it is danger now; a message framed as past or safe stays a check whatever the net says."""
    checked = "my cousin got sent to stay with her step dad and she is scared to be there"
    assert screen(checked).check_now and not screen(checked).danger  # the real net is not sure of it
    monkeypatch.setattr(danger_net, "probability", lambda *args: 0.95)
    upgraded = screen(checked)
    assert upgraded.danger and upgraded.matched[0] == NET_DANGER and "hurt.sent_to_live_unwilling" in upgraded.matched
    past = screen("years ago i was kept in a locked room, i am safe now")
    assert past.check_now and not past.danger
