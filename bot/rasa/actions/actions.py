"""Custom actions: read answers through the portal, find services, and hand a conversation to the MASH.

Privacy: never log what a person wrote, their name, phone number or postcode. Log event types only.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import portal_api

logger = logging.getLogger(__name__)

SMS_LIMIT = 306  # two GSM-7 segments: everything one turn says must fit
TURN_SEPARATOR = "\n\n"  # the most the portal puts between two texts of one turn
MAX_WHAT_HAPPENED = 2000  # the help journey's limit (forms/referral.py)
MAX_NAME = 40

# The portal's help categories (forms/referral.py HELP_CATEGORIES), in the order of the numbered menu
# (utter_ask_concern_categories): the portal maps the number n to the n-th of them.
HELP_CATEGORIES = (
    "parenting", "family_stress", "parent_mental_health", "self_harm", "disability", "school_attendance",
    "relationships", "domestic_abuse", "substance_misuse", "other",
)
KNOWN_CATEGORIES = frozenset(HELP_CATEGORIES)
# A helpline said as soon as a category is known; only the first that applies, so the turn stays within two texts.
HELPLINES = {
    "domestic_abuse": "utter_helpline_domestic_abuse",
    "parent_mental_health": "utter_helpline_parent_mental_health",
}
# The main kinds of worry have intents of their own. The portal's reading of the words comes first; when it cannot
# tell (or cannot be reached) the intent names the category. A mental health worry may be the writer's
# (parent_mental_health) or the child's (self_harm): the intent cannot tell whose, so the numbered menu asks.
WORRY_INTENT_CATEGORIES: dict[str, list[str] | None] = {
    "worry_money_housing": ["family_stress"],
    "worry_domestic_abuse": ["domestic_abuse"],
    "worry_substance": ["substance_misuse"],
    "worry_school": ["school_attendance"],
    "worry_mental_health": None,
}
MENU_TRIES = 2  # after the menu has been answered this many times without a category, go on with "other"

# The referral answers each journey hands off (slot names are the schema's field names).
HELP_FIELDS = (
    "referrer_name", "referrer_relationship", "has_parental_responsibility", "referrer_phone", "safe_to_contact",
    "postcode", "first_name", "date_of_birth", "concern_categories", "what_happened", "consent_agree",
    "pr_person_name", "pr_person_agrees",
)
REPORT_FIELDS = (
    "what_happened", "first_name", "address", "referrer_relationship", "anonymous", "referrer_name",
    "referrer_phone", "safe_to_contact", "parents_told",
)
REFERRAL_SLOTS = tuple(dict.fromkeys(HELP_FIELDS + REPORT_FIELDS))

# Only used when the portal cannot be reached: the obvious words for each yes/no-type answer.
_YES = {"yes", "y", "yeah", "yea", "yep", "yup", "ya", "yh", "ok", "okay", "sure", "yes please", "i agree"}
_NO = {"no", "n", "nope", "nah", "na", "no thanks", "no thank you", "i dont agree", "i do not agree"}
_DONT_KNOW = {"not sure", "im not sure", "i'm not sure", "dont know", "don't know", "i dont know", "i don't know",
              "dunno", "not known", "unsure"}
YES_NO_FIELDS = {
    "has_parental_responsibility": "not_sure",
    "safe_to_contact": None,
    "consent_agree": None,
    "pr_person_agrees": None,
    "anonymous": None,
    "parents_told": "not_known",
}


def offline_answer(field: str, text: str) -> Any:
    """What to keep when the portal cannot check an answer: the text, or for yes/no questions the obvious word."""
    text = text.strip()
    if field not in YES_NO_FIELDS:
        return text or None
    words = re.sub(r"[^a-z' ]", "", text.lower()).strip()
    if words in _YES:
        return "yes"
    if words in _NO:
        return "no"
    if YES_NO_FIELDS[field] and words in _DONT_KNOW:
        return YES_NO_FIELDS[field]
    return None  # the form asks again


def latest_channel(tracker: Tracker) -> str | None:
    """`sms` or `web`: the bot_channel slot, else the metadata the portal sent with the latest message."""
    channel = tracker.get_slot("bot_channel")
    if channel:
        return str(channel)
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return (event.get("metadata") or {}).get("channel")
    return None


# --- GSM-7: what an SMS can carry without switching to UCS-2 (which halves the length) ---------------------------
GSM7_CHARS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
          "\u2026": "...", "\u00a0": " "}


def to_gsm7(text: str) -> str:
    """Swap typographic characters for plain ones and drop anything else an SMS cannot carry."""
    out = []
    for char in text:
        char = _PLAIN.get(char, char)
        if all(c in GSM7_CHARS for c in char):
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[:1]
        if base in GSM7_CHARS:
            out.append(base)
    return "".join(out)


def service_line(item: dict[str, Any]) -> str | None:
    """One result as "Name: phone-or-url", or None when there is nothing to contact."""
    service = item.get("service") or {}
    name = to_gsm7(str(service.get("name") or "")).replace(" (demo)", "").strip()
    if not name:
        return None
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 3].rstrip() + "..."
    phones = service.get("phones") or []
    phone = next((p.get("number") for p in phones if isinstance(p, dict) and p.get("number")), None)
    contact = phone or service.get("url") or service.get("email")
    return f"{name}: {to_gsm7(str(contact))}" if contact else name


def format_services(items: list[dict[str, Any]], limit: int, lead_in: str = "Services near you:") -> str | None:
    """The results that fit within `limit` characters, one per line after the lead-in; None if none fit."""
    text = lead_in
    shown = 0
    for item in items:
        line = service_line(item)
        if line is None:
            continue
        if len(text) + 1 + len(line) > limit:
            break
        text += "\n" + line
        shown += 1
    return text if shown else None


def response_text(domain: DomainDict, name: str) -> str:
    variants = (domain.get("responses") or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


# --- conversation start ---------------------------------------------------------------------------------------
class ActionSessionStart(Action):
    """Start a session and remember the channel (sms or web) the portal named in the first message."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        metadata = tracker.get_slot("session_started_metadata") or {}
        channel = metadata.get("channel") if isinstance(metadata, dict) else None
        if channel in ("sms", "web"):
            events.append(SlotSet("bot_channel", channel))
        events.append(ActionExecuted("action_listen"))
        logger.info("session started")
        return events


def read_categories(text: str, fallback: list[str] | None = None) -> list[str] | None:
    """The help categories the portal reads from a person's words or menu numbers.

    When the portal cannot tell: `fallback` (the category a worry_* intent names), else None (the form then asks
    the numbered menu). When the portal cannot be reached: `fallback`, else ["other"], so nobody is stuck:
    "something else", and what_happened says more.
    """
    try:
        result = portal_api.check_answer("help", "concern_categories", text)
    except portal_api.PortalUnavailable:
        logger.warning("categories not read: portal unavailable")
        return list(fallback) if fallback else ["other"]
    if not result.ok:
        return list(fallback) if fallback else None
    value = result.value if isinstance(result.value, list) else [result.value]
    return [v for v in value if v in KNOWN_CATEGORIES] or ["other"]


def say_helpline(dispatcher: CollectingDispatcher, categories: list[str] | None) -> None:
    """The helpline for the first category that has one (domestic abuse before a parent's mental health)."""
    for category, response in HELPLINES.items():
        if category in (categories or []):
            dispatcher.utter_message(response=response)
            return


class ActionNoteWorry(Action):
    """The first reply to a worry or a service search, right after ask_help, a worry_* intent or find_service.

    Sends the words to the portal for the help categories (if it cannot tell, a worry_* intent names them), says a
    kind word (and a helpline if one applies), and keeps the words of a worry whose category is known as
    `what_happened`, so nobody has to say it twice.
    """

    def name(self) -> str:
        return "action_note_worry"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        from_intent = WORRY_INTENT_CATEGORIES.get(str(intent))
        categories = read_categories(text, from_intent) if text else None
        events: list[EventType] = []
        if categories:
            events.append(SlotSet("concern_categories", categories))
        if intent == "find_service":
            dispatcher.utter_message(response="utter_find_service_ack")
        elif categories or tracker.get_slot("concern_categories"):
            dispatcher.utter_message(response="utter_empathy")
        else:
            dispatcher.utter_message(response="utter_ask_help_ack")  # the numbered menu follows
        say_helpline(dispatcher, categories)
        # "i need help" says nothing the team can use; "my son wont go to school" does. If the portal is down the
        # words are kept anyway: better a plain phrase than a worry lost.
        if intent != "find_service" and categories and not tracker.get_slot("what_happened"):
            events.append(SlotSet("what_happened", text[:MAX_WHAT_HAPPENED]))
        logger.info("worry noted: categories %s", "read" if categories else "not read")
        return events


def menu_asks(tracker: Tracker, form: str) -> int:
    """How often the numbered menu has been sent since `form` last started."""
    asks = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == form:
            break
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == \
                "utter_ask_concern_categories":
            asks += 1
    return asks


# --- form validation: every answer is read by the portal, as the web form would read it ----------------------
def _checked(field: str):
    async def validate(self: CheckedForm, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
        return self.check(field, value, dispatcher)

    validate.__name__ = f"validate_{field}"
    return validate


class CheckedForm(FormValidationAction, ABC):
    journey = "help"

    @abstractmethod
    def name(self) -> str:
        """Each form's validation action names itself (the SDK registers only concrete classes)."""

    def check(self, field: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        """The portal's cleaned value, or None plus the portal's plain-English message (the form asks again)."""
        if value is None:
            return {field: None}
        text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        text = text.strip()
        if not text:
            return {field: None}
        try:
            result = portal_api.check_answer(self.journey, field, text)
        except portal_api.PortalUnavailable:
            logger.warning("answer kept unchecked: portal unavailable")
            return {field: offline_answer(field, text)}
        if result.ok:
            return {field: result.value}
        logger.info("answer not accepted by the portal")
        if result.message:
            dispatcher.utter_message(text=to_gsm7(result.message))
        return {field: None}

    async def extract_concern_categories(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> dict[str, Any]:
        """The answer to the numbered menu ("1", "2 and 4", or words), read by the portal.

        Not read: "Sorry, I did not catch that." and the menu again; after MENU_TRIES answers, "other".
        """
        if tracker.get_slot("requested_slot") != "concern_categories" or tracker.active_loop_name != self.form_name():
            return {}
        text = (tracker.latest_message.get("text") or "").strip()
        categories = read_categories(text) if text else None
        if categories is None and menu_asks(tracker, self.form_name()) >= MENU_TRIES:
            logger.info("categories not read after %d tries: something else", MENU_TRIES)
            categories = ["other"]
        if categories is None:
            dispatcher.utter_message(response="utter_concern_not_understood")
            return {"concern_categories": None}
        say_helpline(dispatcher, categories)
        return {"concern_categories": categories}

    def validate_concern_categories(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):  # flatten: a list slot may wrap a list value once more
            value = [v for item in value for v in (item if isinstance(item, list) else [item])]
        if isinstance(value, list) and value and all(v in KNOWN_CATEGORIES for v in value):
            return {"concern_categories": value}
        return {"concern_categories": None}

    validate_postcode = _checked("postcode")
    validate_what_happened = _checked("what_happened")
    validate_referrer_name = _checked("referrer_name")
    validate_referrer_relationship = _checked("referrer_relationship")
    validate_first_name = _checked("first_name")
    validate_safe_to_contact = _checked("safe_to_contact")


class ValidateSignpostForm(CheckedForm):
    journey = "help"

    def name(self) -> str:
        return "validate_signpost_form"


class ValidateHelpForm(CheckedForm):
    journey = "help"

    def name(self) -> str:
        return "validate_help_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        """No phone question by SMS (the portal has the number); the second agreement only without PR."""
        slots = list(domain_slots)
        if latest_channel(tracker) == "sms":
            slots.remove("referrer_phone")
        has_pr = tracker.get_slot("has_parental_responsibility")
        if has_pr in (None, "yes") or tracker.get_slot("consent_agree") == "no":
            slots = [s for s in slots if not s.startswith("pr_person_")]
        return slots

    validate_has_parental_responsibility = _checked("has_parental_responsibility")
    validate_date_of_birth = _checked("date_of_birth")
    validate_referrer_phone = _checked("referrer_phone")
    validate_consent_agree = _checked("consent_agree")
    validate_pr_person_name = _checked("pr_person_name")
    validate_pr_person_agrees = _checked("pr_person_agrees")


class ValidateReportForm(CheckedForm):
    journey = "report"

    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        """A member of the public may stay anonymous: then no name and no contact questions. In web chat
        there is no number to call back unless they give one; by text the portal has it."""
        if tracker.get_slot("anonymous") != "no":
            return [s for s in domain_slots if s not in ("referrer_name", "referrer_phone", "safe_to_contact")]
        if latest_channel(tracker) == "sms":
            return [s for s in domain_slots if s != "referrer_phone"]
        return list(domain_slots)

    validate_address = _checked("address")
    validate_referrer_phone = _checked("referrer_phone")
    validate_anonymous = _checked("anonymous")
    validate_parents_told = _checked("parents_told")


# --- signposting ------------------------------------------------------------------------------------------------
class ActionSignpost(Action):
    """Up to three services near the person's postcode for their first worry, short enough for a text."""

    def name(self) -> str:
        return "action_signpost"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        services_url = portal_api.public_url() + "/services"
        categories = tracker.get_slot("concern_categories") or []
        need = next((c for c in categories if c != "other"), None)
        try:
            items = portal_api.find_services(str(tracker.get_slot("postcode") or ""), need)
        except portal_api.PortalRefused as refused:
            logger.info("service search refused")
            if refused.message:
                dispatcher.utter_message(text=to_gsm7(refused.message))
            dispatcher.utter_message(response="utter_signpost_failed", bot_services_url=services_url)
            return []
        except portal_api.PortalUnavailable:
            dispatcher.utter_message(response="utter_signpost_failed", bot_services_url=services_url)
            return []
        # The early-help offer follows in the same turn, so leave room for it.
        offer = response_text(domain, "utter_offer_early_help")
        limit = SMS_LIMIT - (len(offer) + len(TURN_SEPARATOR) if offer else 0)
        text = format_services(items, limit)
        logger.info("services found: %d", len(items))
        if text:
            dispatcher.utter_message(text=text)
        else:
            dispatcher.utter_message(response="utter_no_services", bot_services_url=services_url)
        return []


# --- hand-off to the MASH through the portal's one way in --------------------------------------------------------
class HandOff(Action, ABC):
    journey = "help"
    fields: tuple[str, ...] = HELP_FIELDS

    @abstractmethod
    def name(self) -> str:
        """Each journey's hand-off names itself (the SDK registers only concrete classes)."""

    def answers(self, tracker: Tracker) -> dict[str, Any]:
        """Only this journey's referral answers that are set; never bot-internal slots."""
        found = {}
        for field in self.fields:
            value = tracker.get_slot(field)
            if value not in (None, "", []):
                found[field] = value
        return found

    def may_hand_off(self, tracker: Tracker) -> bool:
        return True

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        forget = [SlotSet(slot, None) for slot in REFERRAL_SLOTS]
        if not self.may_hand_off(tracker):
            logger.info("hand-off not made: no consent")
            dispatcher.utter_message(response="utter_no_consent")
            return forget
        try:
            reference = portal_api.hand_off(tracker.sender_id, self.journey, self.answers(tracker))
        except (portal_api.PortalRefused, portal_api.PortalUnavailable) as error:
            logger.warning("hand-off failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        logger.info("hand-off made")
        dispatcher.utter_message(response="utter_handoff_done", bot_reference=reference)
        return [SlotSet("bot_reference", reference), *forget]


class ActionHandOffHelp(HandOff):
    """Early help needs agreement: from the person, and from someone with parental responsibility if not them."""

    journey = "help"
    fields = HELP_FIELDS

    def name(self) -> str:
        return "action_handoff_help"

    def may_hand_off(self, tracker: Tracker) -> bool:
        if tracker.get_slot("consent_agree") != "yes":
            return False
        if tracker.get_slot("has_parental_responsibility") == "yes":
            return True
        return tracker.get_slot("pr_person_agrees") == "yes"


class ActionHandOffReport(HandOff):
    """A concern about a child always becomes a contact: no consent is needed to report."""

    journey = "report"
    fields = REPORT_FIELDS

    def name(self) -> str:
        return "action_handoff_report"
