"""The custom actions, with the portal's HTTP API replaced by fakes (no network, no running portal)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from actions import actions, portal_api
from actions.actions import (
    GSM7_CHARS,
    SMS_LIMIT,
    ActionHandOffHelp,
    ActionHandOffReport,
    ActionNoteWorry,
    ActionSessionStart,
    ActionSignpost,
    ValidateHelpForm,
    ValidateReportForm,
    ValidateSignpostForm,
    format_services,
)
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

PROJECT = Path(__file__).resolve().parents[1]
DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT / "domain.yml").read_text())
RESPONSES = {name: variants[0]["text"] for name, variants in DOMAIN["responses"].items()}


def run(coroutine):
    return asyncio.run(coroutine)


def tracker(slots: dict[str, Any] | None = None, *, text: str = "", intent: str = "nlu_fallback",
            active_loop: str | None = None, channel: str | None = None, sender: str = "a1b2c3d4") -> Tracker:
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": latest,
               "metadata": {"channel": channel} if channel else {}}]
    return Tracker.from_dict({
        "sender_id": sender, "slots": all_slots, "latest_message": latest, "events": events, "paused": False,
        "followup_action": None, "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    })


def slot_events(events: list) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def rendered(dispatcher: CollectingDispatcher, **values: str) -> str:
    """The texts of one turn as the person would get them: responses filled in, joined as the portal does."""
    texts = []
    for message in dispatcher.messages:
        text = message.get("text") or RESPONSES[message["response"]]
        for key, value in {**values, **message}.items():
            if isinstance(value, str):
                text = text.replace("{" + key + "}", value)
        texts.append(text)
    return "\n\n".join(texts)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_CHARS for char in text)


class FakePortal:
    """Records calls; answers from `checks` (field -> response dict) or raises when unreachable."""

    def __init__(self, monkeypatch, *, checks=None, reachable=True, services=None, handoff=None):
        self.calls: list[tuple[str, tuple]] = []
        self.checks = checks or {}
        self.reachable = reachable
        self.services = services if services is not None else []
        self.handoff = handoff or "FD-2026-000123"
        monkeypatch.setattr(portal_api, "check_answer", self.check_answer)
        monkeypatch.setattr(portal_api, "hand_off", self.hand_off)
        monkeypatch.setattr(portal_api, "find_services", self.find_services)

    def _guard(self):
        if not self.reachable:
            raise portal_api.PortalUnavailable("down")

    def check_answer(self, journey, field, value):
        self.calls.append(("check", (journey, field, value)))
        self._guard()
        answer = self.checks.get(field, {"ok": True, "value": value})
        return portal_api.CheckResult(ok=answer["ok"], value=answer.get("value"), message=answer.get("message", ""))

    def hand_off(self, conversation_id, journey, answers):
        self.calls.append(("handoff", (conversation_id, journey, answers)))
        self._guard()
        if isinstance(self.handoff, Exception):
            raise self.handoff
        return self.handoff

    def find_services(self, postcode, need, per_page=3):
        self.calls.append(("services", (postcode, need)))
        self._guard()
        if isinstance(self.services, Exception):
            raise self.services
        return self.services


# --- every response: GSM-7 only, and short --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_is_plain_gsm7_and_fits_two_texts(name):
    text = RESPONSES[name].replace("{bot_reference}", "FD-2026-000123").replace(
        "{bot_services_url}", "https://frontdoor.example.gov.uk/services")
    assert is_gsm7(text), [c for c in text if c not in GSM7_CHARS]
    assert len(text) <= SMS_LIMIT


@pytest.mark.parametrize("turn", [
    ("utter_empathy", "utter_helpline_domestic_abuse", "utter_ask_postcode"),
    ("utter_empathy", "utter_helpline_parent_mental_health", "utter_ask_postcode"),
    ("utter_find_service_ack", "utter_helpline_domestic_abuse", "utter_ask_postcode"),
    ("utter_ask_help_ack", "utter_ask_concern_categories"),
    ("utter_find_service_ack", "utter_ask_concern_categories"),
    ("utter_concern_not_understood", "utter_ask_concern_categories"),
    ("utter_helpline_domestic_abuse", "utter_ask_postcode"),
    ("utter_help_intro", "utter_ask_help_form_what_happened"),
    ("utter_report_intro", "utter_ask_report_form_what_happened"),
])
def test_turns_that_send_several_texts_still_fit(turn):
    assert len("\n\n".join(RESPONSES[name] for name in turn)) <= SMS_LIMIT


def test_the_menu_numbers_the_help_categories_in_the_portals_order():
    menu = RESPONSES["utter_ask_concern_categories"]
    numbered = [line.split(" ", 1)[0] for line in menu.splitlines()[1:]]
    assert numbered == [str(n) for n in range(1, len(actions.HELP_CATEGORIES) + 1)]
    assert actions.HELP_CATEGORIES[-1] == "other" and menu.endswith("10 something else")


def test_bot_slots_are_prefixed_and_referral_slots_are_the_schema_names():
    own = {name for name in DOMAIN["slots"] if name.startswith("bot_")}
    referral = set(DOMAIN["slots"]) - own
    assert referral == set(actions.REFERRAL_SLOTS) | {"concern_categories", "postcode"}


def test_the_help_categories_are_set_by_the_actions_not_by_intent_mappings():
    assert DOMAIN["slots"]["concern_categories"]["type"] == "list"
    assert DOMAIN["slots"]["concern_categories"]["mappings"] == [{"type": "custom"}]
    worry_intents = {intent for intent in DOMAIN["intents"] if str(intent).startswith("worry_")}
    assert worry_intents == set(actions.WORRY_INTENT_CATEGORIES)
    for categories in actions.WORRY_INTENT_CATEGORIES.values():
        assert categories is None or set(categories) <= actions.KNOWN_CATEGORIES
    validated = ValidateSignpostForm().validate_concern_categories([["parenting"]], CollectingDispatcher(), tracker(),
                                                                  DOMAIN)
    assert validated == {"concern_categories": ["parenting"]}


# --- session start and the first words ----------------------------------------------------------------------
def test_session_start_remembers_the_channel():
    t = tracker({"session_started_metadata": {"channel": "sms"}})
    events = run(ActionSessionStart().run(CollectingDispatcher(), t, DOMAIN))
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    assert slot_events(events) == {"bot_channel": "sms"}


def note_worry(monkeypatch, text, *, intent="ask_help", slots=None, **portal):
    portal = FakePortal(monkeypatch, **portal)
    dispatcher = CollectingDispatcher()
    events = run(ActionNoteWorry().run(dispatcher, tracker(slots, text=text, intent=intent), DOMAIN))
    return portal, dispatcher, slot_events(events)


def test_the_words_of_a_worry_go_to_the_portal_and_become_what_happened_once(monkeypatch):
    portal, dispatcher, slots = note_worry(monkeypatch, "  my 4yo wont sleep ",
                                           checks={"concern_categories": {"ok": True, "value": ["parenting"]}})
    assert portal.calls == [("check", ("help", "concern_categories", "my 4yo wont sleep"))]
    assert slots == {"concern_categories": ["parenting"], "what_happened": "my 4yo wont sleep"}
    assert [m["response"] for m in dispatcher.messages] == ["utter_empathy"]
    _, _, slots = note_worry(monkeypatch, "more", slots={"what_happened": "earlier words"},
                             checks={"concern_categories": {"ok": True, "value": ["family_stress"]}})
    assert slots == {"concern_categories": ["family_stress"]}


def test_when_the_portal_cannot_tell_the_menu_follows_and_nothing_is_kept(monkeypatch):
    _, dispatcher, slots = note_worry(monkeypatch, "i need help", checks={"concern_categories": {
        "ok": False, "message": "Reply with one or more numbers from the list, like 1, or 2 and 4"}})
    assert slots == {}
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_help_ack"]  # no portal message: the menu


@pytest.mark.parametrize(("categories", "helpline"), [
    (["domestic_abuse"], "utter_helpline_domestic_abuse"),
    (["parent_mental_health", "domestic_abuse"], "utter_helpline_domestic_abuse"),
    (["parenting", "parent_mental_health"], "utter_helpline_parent_mental_health"),
    (["family_stress"], None),
])
def test_a_helpline_follows_the_kind_word_when_a_category_has_one(monkeypatch, categories, helpline):
    _, dispatcher, _ = note_worry(monkeypatch, "my partner controls me",
                                  checks={"concern_categories": {"ok": True, "value": categories}})
    said = [m["response"] for m in dispatcher.messages]
    assert said == ["utter_empathy", helpline] if helpline else said == ["utter_empathy"]
    reply = rendered(dispatcher) + "\n\n" + RESPONSES["utter_ask_postcode"]
    assert len(reply) <= SMS_LIMIT and is_gsm7(reply)


def test_a_service_search_is_read_too_but_is_not_what_happened(monkeypatch):
    _, dispatcher, slots = note_worry(monkeypatch, "wheres the nearest food bank", intent="find_service",
                                      checks={"concern_categories": {"ok": True, "value": ["family_stress"]}})
    assert slots == {"concern_categories": ["family_stress"]}
    assert [m["response"] for m in dispatcher.messages] == ["utter_find_service_ack"]


def test_when_the_portal_is_down_the_worry_is_something_else_and_kept(monkeypatch):
    _, dispatcher, slots = note_worry(monkeypatch, "my son wont go to school", reachable=False)
    assert slots == {"concern_categories": ["other"], "what_happened": "my son wont go to school"}
    assert [m["response"] for m in dispatcher.messages] == ["utter_empathy"]


RULES = yaml.safe_load((PROJECT / "data" / "rules.yml").read_text())["rules"]


def rule_steps_after(intent: str) -> list[list]:
    return [rule["steps"][1:] for rule in RULES if rule.get("steps", [{}])[0] == {"intent": intent}]


@pytest.mark.parametrize("intent", sorted(actions.WORRY_INTENT_CATEGORIES))
def test_each_worry_intent_goes_exactly_as_ask_help(intent):
    assert rule_steps_after(intent) == rule_steps_after("ask_help") != []


@pytest.mark.parametrize(("intent", "categories", "helpline"), [
    ("worry_money_housing", ["family_stress"], None),
    ("worry_domestic_abuse", ["domestic_abuse"], "utter_helpline_domestic_abuse"),
    ("worry_substance", ["substance_misuse"], None),
    ("worry_school", ["school_attendance"], None),
])
@pytest.mark.parametrize("portal", [
    {"checks": {"concern_categories": {"ok": False, "message": "Reply with one or more numbers from the list"}}},
    {"reachable": False},
])
def test_when_the_portal_cannot_tell_the_worry_intent_names_the_category(monkeypatch, intent, categories,
                                                                         helpline, portal):
    calls, dispatcher, slots = note_worry(monkeypatch, "its about the thing", intent=intent, **portal)
    assert calls.calls == [("check", ("help", "concern_categories", "its about the thing"))]  # the portal first
    assert slots == {"concern_categories": categories, "what_happened": "its about the thing"}
    said = [m["response"] for m in dispatcher.messages]
    assert said == (["utter_empathy", helpline] if helpline else ["utter_empathy"])
    reply = rendered(dispatcher) + "\n\n" + RESPONSES["utter_ask_postcode"]
    assert len(reply) <= SMS_LIMIT and is_gsm7(reply)


def test_the_portals_reading_comes_before_the_worry_intent(monkeypatch):
    _, dispatcher, slots = note_worry(monkeypatch, "we cant pay the rent and he takes my money",
                                      intent="worry_money_housing", checks={"concern_categories": {
                                          "ok": True, "value": ["family_stress", "domestic_abuse"]}})
    assert slots["concern_categories"] == ["family_stress", "domestic_abuse"]
    assert [m["response"] for m in dispatcher.messages] == ["utter_empathy", "utter_helpline_domestic_abuse"]


def test_a_mental_health_worry_the_portal_cannot_read_asks_the_menu(monkeypatch):
    # the writer's or the child's: the intent cannot tell whose, so the numbered menu follows
    _, dispatcher, slots = note_worry(monkeypatch, "my anxiety is so bad", intent="worry_mental_health",
                                      checks={"concern_categories": {"ok": False, "message": "Reply with a number"}})
    assert slots == {}
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_help_ack"]


def test_a_mental_health_worry_with_the_portal_down_is_something_else_and_kept(monkeypatch):
    _, _, slots = note_worry(monkeypatch, "my anxiety is so bad", intent="worry_mental_health", reachable=False)
    assert slots == {"concern_categories": ["other"], "what_happened": "my anxiety is so bad"}


def test_unknown_categories_from_the_portal_become_something_else(monkeypatch):
    _, _, slots = note_worry(monkeypatch, "help", checks={"concern_categories": {"ok": True, "value": ["xyz"]}})
    assert slots["concern_categories"] == ["other"]


# --- validation through the portal ----------------------------------------------------------------------------
def test_an_accepted_answer_takes_the_portals_cleaned_value(monkeypatch):
    portal = FakePortal(monkeypatch, checks={"date_of_birth": {"ok": True, "value": "2021-03-04"}})
    dispatcher = CollectingDispatcher()
    result = run(ValidateHelpForm().validate_date_of_birth("4 3 2021", dispatcher, tracker(), DOMAIN))
    assert result == {"date_of_birth": "2021-03-04"}
    assert portal.calls == [("check", ("help", "date_of_birth", "4 3 2021"))]
    assert dispatcher.messages == []


def test_a_refused_answer_is_cleared_and_the_portals_message_shown(monkeypatch):
    FakePortal(monkeypatch, checks={"postcode": {"ok": False, "message": "Enter a real postcode, like RG1 2AB"}})
    dispatcher = CollectingDispatcher()
    result = run(ValidateSignpostForm().validate_postcode("zzz", dispatcher, tracker(), DOMAIN))
    assert result == {"postcode": None}
    assert [m["text"] for m in dispatcher.messages] == ["Enter a real postcode, like RG1 2AB"]


def test_the_report_form_checks_against_the_report_journey(monkeypatch):
    portal = FakePortal(monkeypatch, checks={"referrer_relationship": {"ok": True, "value": "acquaintance"}})
    result = run(ValidateReportForm().validate_referrer_relationship("neighbour", CollectingDispatcher(), tracker(),
                                                                     DOMAIN))
    assert result == {"referrer_relationship": "acquaintance"}
    assert portal.calls[0][1][0] == "report"


@pytest.mark.parametrize(("field", "said", "kept"), [
    ("referrer_name", "  Sam Jones ", "Sam Jones"),
    ("consent_agree", "Yeah", "yes"),
    ("consent_agree", "nope", "no"),
    ("consent_agree", "maybe later", None),
    ("has_parental_responsibility", "dunno", "not_sure"),
    ("parents_told", "don't know", "not_known"),
])
def test_when_the_portal_is_down_the_answer_is_kept_or_read_simply(monkeypatch, field, said, kept):
    FakePortal(monkeypatch, reachable=False)
    form = ValidateReportForm() if field == "parents_told" else ValidateHelpForm()
    result = run(getattr(form, f"validate_{field}")(said, CollectingDispatcher(), tracker(), DOMAIN))
    assert result == {field: kept}


def test_the_real_client_reports_an_unreachable_portal(monkeypatch):
    monkeypatch.setenv("FRONTDOOR_API_URL", "http://127.0.0.1:9")

    def refuse(*args, **kwargs):
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(portal_api.requests, "request", refuse)
    with pytest.raises(portal_api.PortalUnavailable):
        portal_api.check_answer("help", "postcode", "RG1 2AB")


def test_the_real_client_sends_the_token_read_at_call_time(monkeypatch):
    seen = {}

    class Reply:
        status_code = 200

        @staticmethod
        def json():
            return {"ok": True, "value": "RG1 2AB"}

    def request(method, url, **kwargs):
        seen.update(method=method, url=url, **kwargs)
        return Reply()

    monkeypatch.setenv("FRONTDOOR_API_URL", "http://portal.test/")
    monkeypatch.setenv("BOT_API_TOKEN", "test-token")
    monkeypatch.setattr(portal_api.requests, "request", request)
    assert portal_api.check_answer("help", "postcode", "rg12ab") == portal_api.CheckResult(ok=True, value="RG1 2AB")
    assert seen["url"] == "http://portal.test/api/bot/check"
    assert seen["headers"] == {"Authorization": "Bearer test-token"}
    assert seen["json"] == {"journey": "help", "field": "postcode", "value": "rg12ab"}
    assert seen["timeout"] == portal_api.TIMEOUT_SECONDS


def menu_answer(monkeypatch, text, *, menus_sent=1, **portal):
    """The form's validation reading an answer to the numbered menu, sent `menus_sent` times so far."""
    portal = FakePortal(monkeypatch, **portal)
    t = tracker({"requested_slot": "concern_categories"}, text=text, intent="affirm", active_loop="signpost_form")
    menu = {"event": "bot", "text": RESPONSES["utter_ask_concern_categories"],
            "metadata": {"utter_action": "utter_ask_concern_categories"}}
    t.events[:0] = [{"event": "active_loop", "name": "signpost_form"}, *[menu] * menus_sent]
    dispatcher = CollectingDispatcher()
    result = run(ValidateSignpostForm().extract_concern_categories(dispatcher, t, DOMAIN))
    return portal, dispatcher, result


def test_the_menu_answer_is_read_by_the_portal_whatever_its_intent(monkeypatch):
    portal, dispatcher, result = menu_answer(monkeypatch, "2 and 3", checks={
        "concern_categories": {"ok": True, "value": ["family_stress", "parent_mental_health"]}})
    assert portal.calls == [("check", ("help", "concern_categories", "2 and 3"))]
    assert result == {"concern_categories": ["family_stress", "parent_mental_health"]}
    assert [m["response"] for m in dispatcher.messages] == ["utter_helpline_parent_mental_health"]


def test_a_menu_answer_not_understood_asks_once_more_then_goes_on(monkeypatch):
    refused = {"concern_categories": {"ok": False, "message": "Reply with one or more numbers from the list"}}
    _, dispatcher, result = menu_answer(monkeypatch, "its complicated", checks=refused)
    assert result == {"concern_categories": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_concern_not_understood"]
    _, dispatcher, result = menu_answer(monkeypatch, "its complicated", checks=refused, menus_sent=2)
    assert result == {"concern_categories": ["other"]} and dispatcher.messages == []


def test_a_menu_answer_with_the_portal_down_is_something_else(monkeypatch):
    _, _, result = menu_answer(monkeypatch, "1", reachable=False)
    assert result == {"concern_categories": ["other"]}


def test_the_menu_is_only_read_when_it_was_asked(monkeypatch):
    portal = FakePortal(monkeypatch)
    not_asked = tracker({"requested_slot": "postcode"}, text="RG1 2AB", active_loop="signpost_form")
    assert run(ValidateSignpostForm().extract_concern_categories(CollectingDispatcher(), not_asked, DOMAIN)) == {}
    assert portal.calls == []


# --- which questions each form asks -----------------------------------------------------------------------------
HELP_SLOTS = DOMAIN["forms"]["help_form"]["required_slots"]
REPORT_SLOTS = DOMAIN["forms"]["report_form"]["required_slots"]


def help_slots(slots, channel=None):
    return run(ValidateHelpForm().required_slots(HELP_SLOTS, CollectingDispatcher(), tracker(slots, channel=channel),
                                                 DOMAIN))


def test_by_text_the_phone_number_is_not_asked():
    assert "referrer_phone" not in help_slots({"bot_channel": "sms"})
    assert "referrer_phone" not in help_slots({}, channel="sms")
    assert "referrer_phone" in help_slots({"bot_channel": "web"})
    assert "referrer_phone" in help_slots({})


def test_the_second_agreement_is_asked_only_without_parental_responsibility():
    assert not {"pr_person_name", "pr_person_agrees"} & set(help_slots({"has_parental_responsibility": "yes"}))
    assert {"pr_person_name", "pr_person_agrees"} <= set(help_slots({"has_parental_responsibility": "not_sure"}))
    assert {"pr_person_name", "pr_person_agrees"} <= set(help_slots({"has_parental_responsibility": "no"}))
    refused = help_slots({"has_parental_responsibility": "no", "consent_agree": "no"})
    assert not {"pr_person_name", "pr_person_agrees"} & set(refused)


def test_an_anonymous_reporter_is_not_asked_their_name():
    form = ValidateReportForm()
    anonymous = run(form.required_slots(REPORT_SLOTS, CollectingDispatcher(), tracker({"anonymous": "yes"}), DOMAIN))
    named = run(form.required_slots(REPORT_SLOTS, CollectingDispatcher(), tracker({"anonymous": "no"}), DOMAIN))
    assert "referrer_name" not in anonymous and "referrer_name" in named
    assert "referrer_phone" not in anonymous


def test_a_named_reporter_in_web_chat_is_asked_for_a_number_but_not_by_text():
    form = ValidateReportForm()
    web = run(form.required_slots(REPORT_SLOTS, CollectingDispatcher(),
                                  tracker({"anonymous": "no", "bot_channel": "web"}), DOMAIN))
    sms = run(form.required_slots(REPORT_SLOTS, CollectingDispatcher(),
                                  tracker({"anonymous": "no", "bot_channel": "sms"}), DOMAIN))
    assert "referrer_phone" in web and web.index("referrer_phone") < web.index("safe_to_contact")
    assert "referrer_phone" not in sms and "safe_to_contact" in sms


# --- hand-off -------------------------------------------------------------------------------------------------
HELP_ANSWERS = {
    "referrer_name": "Sam Jones", "referrer_relationship": "mother", "has_parental_responsibility": "yes",
    "first_name": "Alfie", "date_of_birth": "2021-03-04", "safe_to_contact": "yes", "consent_agree": "yes",
    "postcode": "RG1 2AB", "concern_categories": ["parenting"], "what_happened": "my 4yo wont sleep",
}


def test_handoff_sends_only_referral_answers_and_the_conversation_id(monkeypatch):
    portal = FakePortal(monkeypatch)
    dispatcher = CollectingDispatcher()
    t = tracker({**HELP_ANSWERS, "bot_channel": "sms", "requested_slot": None, "address": None}, sender="f00dcafe")
    events = run(ActionHandOffHelp().run(dispatcher, t, DOMAIN))
    [(kind, (conversation_id, journey, answers))] = portal.calls
    assert (kind, conversation_id, journey) == ("handoff", "f00dcafe", "help")
    assert answers == HELP_ANSWERS
    assert slot_events(events)["bot_reference"] == "FD-2026-000123"
    reply = rendered(dispatcher)
    assert "FD-2026-000123" in reply and "999" in reply and len(reply) <= SMS_LIMIT


def test_no_consent_means_no_handoff(monkeypatch):
    for answers in ({**HELP_ANSWERS, "consent_agree": "no"},
                    {**HELP_ANSWERS, "has_parental_responsibility": "no", "pr_person_agrees": "no"}):
        portal = FakePortal(monkeypatch)
        dispatcher = CollectingDispatcher()
        run(ActionHandOffHelp().run(dispatcher, tracker(answers), DOMAIN))
        assert portal.calls == []
        assert [m["response"] for m in dispatcher.messages] == ["utter_no_consent"]


def test_a_report_needs_no_consent_and_sends_report_answers_only(monkeypatch):
    portal = FakePortal(monkeypatch)
    report = {"what_happened": "left alone every evening", "first_name": "not known", "address": "14 Station Road",
              "referrer_relationship": "acquaintance", "anonymous": "yes", "parents_told": "no"}
    run(ActionHandOffReport().run(CollectingDispatcher(), tracker({**report, "concern_categories": ["parenting"]}),
                                  DOMAIN))
    [(_, (_, journey, answers))] = portal.calls
    assert journey == "report" and answers == report


@pytest.mark.parametrize("failure", [portal_api.PortalUnavailable("down"), portal_api.PortalRefused("Bad answers")])
def test_a_failed_handoff_gives_a_number_to_ring(monkeypatch, failure):
    FakePortal(monkeypatch, handoff=failure)
    dispatcher = CollectingDispatcher()
    events = run(ActionHandOffHelp().run(dispatcher, tracker(HELP_ANSWERS), DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_failed"]
    assert events == []  # keep the answers: the portal has the messages


# --- signposting ----------------------------------------------------------------------------------------------
def service(name, phone=None, url=None, email=None):
    return {"service": {"name": name, "phones": [{"number": phone}] if phone else [], "url": url, "email": email},
            "location": {}}


def signpost(monkeypatch, services, slots=None):
    portal = FakePortal(monkeypatch, services=services)
    dispatcher = CollectingDispatcher()
    t = tracker({"postcode": "RG1 2AB", "concern_categories": ["parenting"], **(slots or {})})
    run(ActionSignpost().run(dispatcher, t, DOMAIN))
    dispatcher.utter_message(response="utter_offer_early_help")  # the rest of the turn (rules.yml)
    return portal, rendered(dispatcher, bot_services_url="http://127.0.0.1:5000/services")


def test_signposting_lists_services_within_two_texts_in_gsm7(monkeypatch):
    long_name = "The Evendon and District Positive Parenting and Family Support Programme (demo)"
    portal, reply = signpost(monkeypatch, [
        service("Little Acorns Stay \u2018n\u2019 Play (demo)", phone="0118 496 0003"),
        service(long_name, url="https://example.org/a-very-long-address-for-this-service"),
        service("Caf\u00e9 Caf\u00e9 \u2013 Dads Group", email="dads@example.org"),
    ])
    assert portal.calls == [("services", ("RG1 2AB", "parenting"))]
    assert "Little Acorns Stay 'n' Play: 0118 496 0003" in reply
    assert "(demo)" not in reply and "..." in reply
    assert len(reply) <= SMS_LIMIT and is_gsm7(reply)
    assert reply.endswith(RESPONSES["utter_offer_early_help"])


def test_signposting_drops_results_rather_than_overrun():
    many = [service("A" * 39, url="https://example.org/" + "x" * 60) for _ in range(3)]
    text = format_services(many, 150)
    assert text is not None and len(text) <= 150 and text.count("\n") == 1


def test_no_services_found_points_to_the_directory(monkeypatch):
    _, reply = signpost(monkeypatch, [])
    assert "/services" in reply and len(reply) <= SMS_LIMIT


def test_a_bad_postcode_in_the_search_is_explained(monkeypatch):
    _, reply = signpost(monkeypatch, portal_api.PortalRefused("We could not find that postcode."))
    assert reply.startswith("We could not find that postcode.") and "/services" in reply
    assert len(reply) <= SMS_LIMIT


def test_the_directory_address_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FRONTDOOR_PUBLIC_URL", "https://frontdoor.example.gov.uk/")
    FakePortal(monkeypatch, services=[])
    dispatcher = CollectingDispatcher()
    run(ActionSignpost().run(dispatcher, tracker({"postcode": "RG1 2AB"}), DOMAIN))
    assert dispatcher.messages[0]["bot_services_url"] == "https://frontdoor.example.gov.uk/services"
