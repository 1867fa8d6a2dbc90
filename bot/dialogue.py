"""The conversation, decided by the front door: one message in, the replies out, from the forms/ schema.

Deterministic on purpose (issue 10): a safeguarding service must be able to read, test and audit what its
assistant says. The model (Rasa) only helps read an opening message; everything else is here:

- a conversation walks a journey of `forms.conversation` one field at a time, in the field's own SMS words,
  cleaning each answer with the schema's own `Field.clean`;
- at any question a person may ask why, what happens next, whether their children will be taken, whether it
  is anonymous, who they are talking to; ask for a person; go back; start again; say they don't know, or not
  now. Each gets a plain answer and the question again. A question is never taken as an answer, and consent
  only from a clear yes to the consent question itself;
- an answer that does not fit is asked again with an example; after two misses the question is left out
  where that is allowed, or a person is offered: never the same reply a third time;
- several facts in one message (a worry, a child's age, a postcode, "I'm a teacher") are all taken.

`decide` is a pure function of the stored state and the message: its side effects (services looked up, a
contact made, staff told) go through `Ports`, so the tests need no database, no Flask and no Rasa.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot import answers as words
from bot import sms
from bot.reader import (
    ABOUT_THE_SERVICE,
    HARM_WORDS,
    POSTCODE_IN_TEXT,
    Understanding,
    age_answered,
    called_for_help,
    date_in,
    is_question,
    other_council_service,
    plain,
)
from forms import conversation as journeys
from forms.consent import family_consent
from forms.conversation import CONSENT_FIELDS, OFFER, SIGNPOST, ConversationJourney, Step
from forms.schema import FieldError, Sms, london_today
from mash.safety import NET_CATEGORY, SILENT_CATEGORIES
from signposting import places, postcodes

LIMIT = sms.TWO_SEGMENTS
# Never left out, whatever is said: the person's own yes, their worry, and whether they stay anonymous.
NEVER_SKIPPED = CONSENT_FIELDS | {"what_happened", "anonymous", "concern_categories", OFFER}
A_STORY = "what happened, not an answer to this"
# Short questions where a story with harm in it is never the answer (where the child is now, or a job title, may be
# told with the harm in it: "at home with her mum and the boyfriend who hits her", so those keep what they are told)
STORY_NOT_AN_ANSWER = frozenset({"referrer_organisation", "school"})
NAME_FIELDS = frozenset({"referrer_name", "pr_person_name", "first_name", "last_name"})
# Words that are not found in names: "hes just really angry" is not a name, and neither is a question.
NOT_IN_NAMES = frozenset({
    "is", "are", "was", "were", "he", "she", "hes", "shes", "they", "theyre", "just", "really", "the", "and", "my",
    "i", "im", "me", "to", "will", "can", "not", "dont", "kids", "children", "social", "services", "take", "away",
    "help", "because", "what", "why", "worried", "about", "with", "at", "in", "on", "it", "its", "all", "time",
    "hits", "hit", "angry", "has", "have", "had", "been", "you", "your", "do", "does", "did", "if", "that", "this",
    "so", "but", "or", "when", "who", "how", "where", "want", "need", "please", "thanks", "yes", "no", "ok",
    "sorry", "name", "know", "think", "would", "could", "should", "there", "here", "for", "of", "from", "child",
    "son", "daughter", "mum", "dad", "school", "home", "a", "an", "our", "we", "us", "them", "her", "his", "him",
    "same", "as", "mine", "hers", "theirs", "usual", "surname", "idk", "dunno", "skip",
    # found by texting the running front door: "born last may", "Response Officer", "they look hungry and dirty"
    "born", "officer", "response", "constable", "teacher", "nurse", "worker", "dsl", "gp", "police", "look",
    "looks", "hungry", "dirty", "told", "said", "says",
})
SAFE_CONTACT_HOW = "safe_contact_how"
# The problem of "same as mine" for a last name before the referrer has given theirs.
OWN_NAME_UNKNOWN = "the referrer's own last name is not known"
# The problem of an answer to "what is happening?" that is only a name or a couple of empty words.
FEW_WORDS = "a few words about what is happening, please"
# Free-text answers where an e-mail address or a bare date is never the answer (a job title, where the child is).
NOT_A_DATE_OR_EMAIL = frozenset({"referrer_role", "referrer_organisation", "child_location", "school", "address"})
GENERIC_OPENING = re.compile(r"\b(want|need|would like|like|wanna|have|got) to (report|make|raise|refer|tell|ask)\b|"
                             r"\bmake a referral\b|\breport a concern\b|^(i need|we need|can i get|can i have) "
                             r"(some )?(help|support|advice)( please)?$")
EMPATHY = "I'm sorry things are hard. You have done the right thing getting in touch."
HELPLINES = {
    "domestic_abuse": "You do not have to deal with this alone. The National Domestic Abuse Helpline is free, day "
                      "or night: 0808 2000 247.",
    "parent_mental_health": "If you are feeling low, Samaritans are there any time, free, on 116 123.",
}


@dataclass(frozen=True)
class Context:
    channel: str  # sms | chat
    office_hours: bool
    mash_number: str
    out_of_hours_number: str
    public_url: str
    # When the office next opens, in words ("at 9am on Monday"): out of hours, what "passed to our team" means.
    next_open: str = "at 9am"
    # The team's hours, in words (mash.clock.describe_office_hours).
    office_times: str = "Monday to Friday, 9am to 5pm, except bank holidays"
    # The conversation's red contact is still open: it stays with safety until a practitioner closes it.
    red: bool = False


class Ports(Protocol):
    """What a turn may do beyond replying; the pipeline does each in the turn's own transaction."""

    def services(self, *, categories: list[str], age: int | None, postcode: str | None) -> list[str]: ...

    def hand_off(self, journey: ConversationJourney, answers: dict[str, Any]) -> str: ...

    def for_staff(self, reason: str) -> None: ...

    def more_after_reference(self, reference: str) -> None: ...

    def details_offered(self, answers: dict[str, Any]) -> None: ...


@dataclass
class Turn:
    replies: list[str]
    state: dict[str, Any]
    event: str = "answered"  # what happened, for the record: answered | asked | digression | handed_off | ...
    handed_off: str | None = None  # the reference of a contact this turn made


def new_state() -> dict[str, Any]:
    return {"journey": None, "asking": None, "answers": {}, "skipped": [], "misses": {}, "history": [],
            "facts": {}, "signposted": False, "reference": None, "parked": False, "open_misses": 0,
            "extra": [], "after_danger": False, "danger_followed": False, "last_journey": None,
            "danger_categories": [], "red_turns": 0}


# --- wording that is the front door's own (the fields' own is in forms/referral.py) ------------------------------
def person_line(ctx: Context) -> str:
    if ctx.office_hours:
        return (f"You can talk to a person in our team now on {ctx.mash_number}. "
                "I have passed your messages to the team too.")
    return (f"Our office is closed now. To talk to a person call our emergency duty team on {ctx.out_of_hours_number}."
            f" I have passed your messages to our team, who will read them {ctx.next_open}.")


def person_asked_line(ctx: Context) -> str:
    """Someone asked for a person: in office hours a practitioner picks the conversation up here (issue 13)."""
    if ctx.office_hours:
        return (f"I've asked a person in our team to reply to you here, usually within a few minutes. You can also "
                f"call {ctx.mash_number}.")
    return person_line(ctx)


def call_a_person(ctx: Context) -> str:
    """Where a person can answer: the MASH now in office hours; out of hours, when it opens, and the emergency duty
    team if a child may not be safe till then (a probe: a school's safeguarding lead asking "should i ring someone
    tonight?" about a child gone home with the parent he named was told only to wait for 9am)."""
    if ctx.office_hours:
        return f"A person in our team can answer that: call {ctx.mash_number}."
    return (f"Our team can answer that when the office opens {ctx.next_open}: {ctx.mash_number}. If a child isn't "
            f"safe till then: {ctx.out_of_hours_number}.")


def open_prompt() -> str:
    return ("Tell me in a few words what is worrying you, about your family or about a child you know. "
            "If a child is in danger now, call 999.")


START_MENU = ("Is it about:\n1 help for your family\n2 a worry about a child you know\n3 finding a service near you\n"
              "Reply with a number, or PERSON to talk to someone. If a child is in danger now, call 999.")


def pending_question(state: dict[str, Any]) -> str:
    """What the assistant is waiting for, in the words it would use: said when a practitioner hands a
    conversation back, so the person's next message is read as the answer to the question they can see (the
    early-help offer and the opening menu included: a "yes" must never land on a question nobody asked)."""
    if state.get("after_danger"):
        return ("If anyone is in danger now, call 999. Tell me what is happening now, or reply PERSON to talk to "
                "someone.")
    journey = journeys.JOURNEYS.get(state.get("journey") or "")
    asking = state.get("asking")
    if asking == "_start":
        return START_MENU
    if journey is None or not asking:
        return open_prompt()
    if asking == OFFER:
        return _OFFER_QUESTION
    try:
        step = journey.step(asking)
    except (KeyError, LookupError):
        step = None
    if step is None or step.wording is None:
        return open_prompt()
    text = step.wording.ask
    return f"{text}\n{journeys.menu(step.field)}" if text.endswith("number:") else text


def answer_to(kind: str, ctx: Context, state: dict[str, Any], step: Step | None) -> str:
    journey = state.get("journey") or state.get("last_journey")
    if kind == "children_taken":
        if state.get("child_speaking"):
            return "Telling us does not mean you will be taken away. We want you to be safe, and to help your family."
        return ("Asking for help does not mean your children will be taken away. Nearly all families who contact "
                "us get support to stay together, and that is what we want too.")
    if kind == "cant_talk":
        return ("You can keep texting here. If you are in danger and cannot talk, call 999 and press 55 when asked: "
                "they will help without you speaking.")
    if kind == "send_someone":
        return ("I can't send anyone from here. If anyone is in danger now, call 999: the police can come at once. "
                "If you can't talk, call 999 and press 55.")
    if kind == "helplines":
        return ("Shout is a free, private text service, any time: text SHOUT to 85258. Childline is for anyone "
                "under 19: call 0800 1111, free, day or night.")
    if kind == "hours":
        if ctx.office_hours:
            return f"Our team works {ctx.office_times}. You can write here at any time."
        return (f"Our team works {ctx.office_times}. We're closed now and open {ctx.next_open}, but you can write "
                f"here at any time. Out of hours call {ctx.out_of_hours_number}.")
    if kind == "service_hours":
        return f"Each service's opening times are on its page at {ctx.public_url}/services"
    if kind == "thanks":
        return "You're welcome."
    if kind == "wrong_chat":
        return "No problem, that message can't have been meant for us."
    if kind == "greet":
        return "Hello again."
    if kind == "still_there":
        return "Yes, I'm still here."
    if kind == "complaint":  # "you already asked me that", "this is taking ages"
        return "Sorry about that. A short answer is fine, and you can ask for a person at any time."
    if kind == "off_topic":  # "my bins werent collected", "whats the weather like": not ours to answer
        return "Sorry, I can only help with worries about children and families."
    if kind == "anything_else":
        return "Nothing else is needed, thank you. If you think of anything, write it here."
    wording = getattr(step, "wording", None) if step is not None else None
    why = wording.why if wording is not None else None
    if kind == "explain":
        if why:
            return why  # what the question is for; the question follows in other words (_Dialogue._aside)
        return "Sorry, I'll put it more simply: tell me in your own words what is happening, and I will help."
    if kind == "anonymous":
        if journey == "help":
            return ("Asking for help is not anonymous: our team needs to know who to help. We only share what is "
                    "needed, and only with your agreement.")
        if journey == "professional":
            return "Professionals cannot refer anonymously, but we never tell the family who contacted us."
        return ("You can stay anonymous: you do not have to give your name. If you do, we will never tell the "
                "family who contacted us.")
    if kind == "who":
        number = ctx.mash_number if ctx.office_hours else f"our emergency duty team on {ctx.out_of_hours_number}"
        return (f"I'm the Front Door's automated assistant for children's services. People in our team read every "
                f"message. To talk to a person call {number}.")
    if kind == "what_next":
        reference = state.get("reference")
        said = f" Your reference is {reference}." if reference and not state.get("journey") else ""
        return ("When I have your answers, a person in our team reads them by the end of the next working day and "
                f"decides how we can help.{said}")
    if kind == "early_help":
        return ("Early help is support when family life is hard: a family worker, parenting groups, help from "
                "school. It is free, it is your choice, and it is not social services taking over.")
    if kind == "who_share":
        if journey == "help":
            return ("Only people who already know your family and can help, like your child's school, nursery, "
                    "health visitor or GP. We only share what is needed, and you can change your mind.")
        return ("Our team may check with services that know the child, like their school or GP, to decide how to "
                "help. We never tell the family who contacted us.")
    if kind == "keep_from_family":
        return ("We will not tell your family you contacted us without talking to you first, unless we must to "
                "keep someone safe. You can also talk to Childline, free, any time, on 0800 1111.")
    if kind == "why":
        return why or "We ask so our team can help the right child and family."
    return f"{call_a_person(ctx)} Our services are at {ctx.public_url}/services"


# --- after danger: the conversation stays with safety (domain.md: never dead-ends, a person offered) -------------
# What a red conversation says on every turn, most important first; the reply keeps as many as fit two texts.
DANGER_NOW = "If anyone is in danger now, call 999."
SILENT = "If you can't talk, call 999 and press 55."
SHOUT = "Or text SHOUT to 85258, any time."
CHILDLINE = "Childline is free, any time: 0800 1111."
# Said when someone tells us more after danger: several ways, so a worried person never reads the same line
# three times running. Out of hours nobody reads them until the office opens, and the words must not imply it.
PASSED_ON = ("Thank you, I have passed that to our team.", "Thank you. Our team will see that with your other "
             "messages.", "Thanks for telling me. That is with our team now.")
SAVED = ("Thank you, I have added that for our team.", "Thank you. That is saved with your other messages.",
         "Thanks for telling me. It is saved for our team.")
SAFETY_ASIDES = frozenset({"children_taken", "anonymous", "who", "keep_from_family", "who_share", "early_help",
                           "still_there",
                           "cant_talk", "send_someone", "helplines", "anything_else", "explain", "hours"})


def keep_writing(ctx: Context) -> str:
    if ctx.office_hours:
        return "You can keep writing here and I will pass it on straight away."
    return f"You can keep writing here. It is saved for our team, who read it {ctx.next_open}."


def reach_a_person(ctx: Context) -> str:
    if ctx.office_hours:
        return f"To talk to a person now, call {ctx.mash_number}."
    return f"To talk to a person now, call our emergency duty team on {ctx.out_of_hours_number}."


def red_what_next(ctx: Context) -> str:
    if ctx.office_hours:
        return "Your messages are at the top of our team's list, and a person will look at them first."
    return (f"Our office is closed, so if you need help now call our emergency duty team. Our team will read your "
            f"messages {ctx.next_open}, before anything else.")


# --- composing a reply that fits ---------------------------------------------------------------------------------
def compose(leads: list[str], core: str | None) -> list[str]:
    """The core (the question) always; as many of the leads, in order, as fit two SMS segments with it."""
    room = LIMIT - (sms.gsm7_length(sms.to_gsm7(core)) + 1 if core else 0)
    kept: list[str] = []
    for lead in leads:
        size = sms.gsm7_length(sms.to_gsm7(lead)) + 1
        if size <= room:
            kept.append(lead)
            room -= size
    return [*kept, core] if core else kept


def _fit_by_priority(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines that fit two SMS segments together, taken in priority order (0 first)."""
    room, kept = LIMIT, []
    for priority, text in sorted(lines):
        size = sms.gsm7_length(sms.to_gsm7(text)) + 1
        if size <= room:
            kept.append((priority, text))
            room -= size
    return kept


# --- the dialogue --------------------------------------------------------------------------------------------------
class _Dialogue:
    def __init__(self, state: dict[str, Any], ctx: Context, ports: Ports) -> None:
        self.state = state
        self.ctx = ctx
        self.ports = ports
        self.leads: list[str] = []
        self.event = "answered"
        self.reference: str | None = None

    def _ask_for_person(self) -> None:
        """Once a turn: the request reaches staff (a contact, or the open red contact's trail)."""
        if self.event != "person":
            self.ports.for_staff("asked_for_person")
        self.event = "person"

    # the journey and where it is
    @property
    def journey(self) -> ConversationJourney | None:
        name = self.state.get("journey")
        return journeys.JOURNEYS.get(name) if name else None

    @property
    def answers(self) -> dict[str, Any]:
        return self.state["answers"]

    def asking_step(self) -> Step | None:
        journey, asking = self.journey, self.state.get("asking")
        if journey is None or not asking or asking.startswith("_"):
            return None
        return journey.step(asking)

    def turn(self, core: str | None) -> Turn:
        return Turn(compose(self.leads, core), self.state, self.event, self.reference)

    # the way in
    def decide(self, text: str, understood: Understanding) -> Turn:
        left = self.state.pop("welcome_back", None)
        if left:
            self.leads.append(("Welcome back. It has been a while, so we will start again. "
                               + ("What you told us before has been passed to our team."
                                  if left in {"report", "professional"} else "")).strip())
        if self.state.get("after_danger"):
            if self.ctx.red:
                return self._safety(text, understood)
            # A practitioner has closed the red contact: from here the conversation goes on like any other.
            self.state["after_danger"] = False
        if self.journey is not None and self.state.get("asking") and not self.state.get("parked"):
            return self._at_question(text, understood)
        if self.journey is not None and self.state.get("parked") and self.state.get("asking"):
            step_name = self.state["asking"]
            if self._clear_answer_to_parked(step_name, text):
                return self.turn(self._next())
        return self._open(text, understood)

    # a red conversation: after danger, every turn stays with safety; details are taken only as offered
    def _safety(self, text: str, understood: Understanding) -> Turn:
        """Never a form question, never "next working day": an answer to what they said, then 999 and a person
        (and Childline for a child, Shout for someone thinking of suicide or self-harm) on every turn. What
        they write is on the red contact's transcript already; the journey's answers went with it when it
        was made (bot.pipeline)."""
        state, ctx = self.state, self.ctx
        if set(state.get("danger_categories") or []) == {NET_CATEGORY} and not state.get("harm_said") \
                and not understood.danger_now and not is_question(text) and _NOT_AN_EMERGENCY.search(plain(text)):
            # Only the screen's model read danger (no rule did, and no word of harm was written), and the person says
            # it is not an emergency ("my baby wont stop crying and im exhausted", then "sorry i didnt mean an
            # emergency i just need some help with sleep": a probe, stuck in the safety replies). The contact stays
            # red for staff to check; the conversation goes on to what they asked for, with 999 said once more.
            return self._leave_safety(text, understood)
        first = not state.get("danger_followed")
        state["danger_followed"] = True
        state["red_turns"] = state.get("red_turns", 0) + 1
        state["journey"], state["asking"], state["parked"] = None, None, False
        if understood.facts.young_person:
            state["child_speaking"] = True
        self.event = "safety"
        intent, aside = understood.intent, understood.digression
        called = called_for_help(text) and not understood.danger_now
        offered = _details_offered(text, understood, child_speaking=bool(state.get("child_speaking")))
        if first:
            thanked = ("Thank you for telling us. Our team has your messages and will look at them first."
                       if ctx.office_hours else "Thank you for telling us. Your messages are saved for our team.")
        else:
            thanked = (PASSED_ON if ctx.office_hours else SAVED)[(state["red_turns"] - 2) % len(PASSED_ON)]
        if aside == "human" or (intent == "human" and aside not in SAFETY_ASIDES):
            self._ask_for_person()
            # Out of hours nobody can reply here tonight: the person is told so, and the numbers that answer now
            # follow (a 15-year-old after an overdose, "can u just talk to me", was told to wait for 9am: a probe)
            said = ("I've asked a person in our team to reply to you here." if ctx.office_hours else
                    "Our office is closed, so nobody can reply here now, but people are there for you on the phone.")
        elif called:
            said = "You did the right thing calling. If anything changes or gets worse, call 999 again."
        elif _ASKS_IF_ADDRESS_WANTED.search(plain(text)) and (is_question(text) or plain(text).startswith("do")):
            # "do u need my address" after danger went unanswered (a probe, session 15): yes, where the children are
            said = ("Yes, if it is safe to, send the address where the children are now. If you call 999, "
                    "give the police the address first.")
        elif offered and not is_question(text) and aside in {None, "question"}:
            said = thanked  # "his name is Leo Smith hes 4" was answered as a question (a probe)
        elif aside in SAFETY_ASIDES:
            said = answer_to(aside, ctx, state, None)
        elif aside == "what_next":
            said = red_what_next(ctx)
        elif aside == "why":
            said = "So our team can help keep you and the children safe."
        elif aside == "question" or intent in {"question", "who"}:
            said = "A person in our team can answer that here." if ctx.office_hours else \
                "Our office is closed, but our emergency duty team can answer that now."
        elif intent in {"thanks", "goodbye"} or aside in {"thanks", "goodbye"}:
            said = "Take care. You can text us again at any time, day or night."
        else:
            said = thanked
        if offered:
            # What they tell us as they go (the child's age, name, where they are) reaches the red contact's own
            # fields, not only its transcript: a duty worker read "Child: not known yet" beside "she is 6" (a probe)
            self.ports.details_offered(offered)
        categories = set(state.get("danger_categories") or [])
        # Priority (0 first) decides what stays when two texts are full; order decides how it reads.
        # The answer to what they said outranks a line the advice already gave them.
        # Said 999 already ("can someone come round": "...call 999: the police can come at once"), or called it: not
        # told to call 999 in the same message again
        lines = [(1, reach_a_person(ctx)), (2, said)] + ([] if "call 999" in said else [(0, DANGER_NOW)])
        if categories & SILENT_CATEGORIES and aside not in {"cant_talk", "send_someone"} and not called:
            lines.append((3, SILENT))  # those two answers say it already
        if state.get("child_speaking"):
            lines.append((3, CHILDLINE))
        if "suicide_self_harm" in categories:
            lines.append((3, SHOUT))
        if first or state["red_turns"] % 3 == 0:
            lines.append((5, keep_writing(ctx)))
        order = [0, 2, 3, 1, 5] if understood.danger_now else [2, 0, 3, 1, 5]  # danger written again: 999 first
        kept = _fit_by_priority(lines)
        said_lines = [text for rank in order for priority, text in kept if priority == rank]
        return Turn(list(dict.fromkeys(said_lines)), state, self.event)

    def _leave_safety(self, text: str, understood: Understanding) -> Turn:
        before, leads = copy.deepcopy(self.state), list(self.leads)
        said = f"Thank you for telling me. Our team will still look at your first message. {DANGER_NOW}"
        self.state["after_danger"] = False
        self.leads.append(said)
        turn = self._open(text, understood)
        if any(DANGER_NOW in reply for reply in turn.replies):
            return turn
        # what they asked for does not fit beside the safety line (a long menu): the line, and their next message
        # starts it
        self.state.clear()
        self.state.update(before)
        self.state["after_danger"], self.leads, self.event = False, leads, "digression"
        return self.turn(f"{said} Tell me what we can help with.")

    # an opening message, or one after a journey ended
    def _open(self, text: str, understood: Understanding) -> Turn:
        intent, aside = understood.intent, understood.digression
        if understood.facts.young_person:
            self.state["facts"]["young_person"] = True
        reference, said = self.state.get("reference"), plain(text)
        if reference and said in _NEW_MATTER:
            self.state["reference"] = None  # "NEW": another child or another worry, a conversation of its own
            return self.turn(open_prompt())
        facts = understood.facts
        if reference and aside is None and intent in {"help", "report", "professional", None} \
                and not understood.danger_now and not is_question(text) and len(said.split()) >= 3 \
                and not facts.young_person and not (facts.own_family and facts.categories):
            # (never a young person writing, nor the writer's own family with a worry named: "also i think im
            # depressed and cant cope with my own baby" starts its own request, with its own support lines; the
            # review)
            # More about what they told us, after the reference ("one more thing, his dad drinks too"): it joins
            # that contact for the team to read, never a new request (probes, sessions 13 and 14: the help menu
            # started again, or the same report's questions)
            self.ports.more_after_reference(reference)
            self.event = "more_after_reference"
            return self.turn(f"Thank you. I have added that to your message, reference {reference}, for our team to "
                             "read. If it is about a different child, reply NEW. If a child is in danger now, call "
                             "999.")
        if self.state.get("asking") == "_start" and (choice := plain(text)) in {"1", "2", "3"}:
            intent = {"1": "help", "2": "report", "3": "find_service"}[choice]
            text = ""
        unwell = bool(_UNWELL.search(plain(text))) and not understood.danger_now
        # Only illness named ("parenting" is also read from any child's age: "my 2 year old has been vomiting" names
        # no other worry), and no request for help ("...im at the end of my tether, need some support": the review)
        if unwell and intent in {"help", "find_service", None} and set(understood.facts.categories) <= {"parenting"} \
                and not understood.facts.young_person and not _ASKS_FOR_SUPPORT.search(plain(text)):
            # "my baby has a rash and a temperature what do i do" (a probe) got the early help menu: a child who
            # may be unwell needs NHS 111 first, and the help menu only if there is more
            self.event = "digression"
            return self.turn(UNWELL_LINE + " If there is something else we can help with, tell me here.")
        if intent in {"help", "find_service", "report", "professional"}:
            self.state["parked"] = False
            name = {"find_service": "help"}.get(intent, intent)
            young = understood.facts.young_person or self.state.get("child_speaking") or \
                self.state["facts"].get("young_person")
            if young and (name == "help" or (name == "report" and not understood.facts.someone_elses_child)):
                name = "young_person"  # a child writing about their own life is never asked if they are the parent
            if unwell:
                self.leads.append(UNWELL_LINE)
            if aside in ABOUT_THE_SERVICE - {"question", "why", "explain", "anything_else"} or \
                    aside in {"keep_from_family", "cant_talk", "send_someone"}:
                # A request with a question about us in it ("my son hits me, is this anonymous?"): the question is
                # answered as well as the request taken, where it fits beside the first question
                self.leads.append(answer_to(aside, self.ctx, {**self.state, "journey": name}, None))
            self._start(name, text, understood, find_service=intent == "find_service")
            self._take_facts(understood)
            return self.turn(self._next())
        self.state["asking"] = None
        if intent == "human" or aside == "human":
            self._ask_for_person()
            return self.turn(person_asked_line(self.ctx) + " Or tell me here what is worrying you.")
        if aside in ABOUT_THE_SERVICE | {"keep_from_family", "cant_talk", "send_someone"} and aside != "question" or \
                intent in {"question", "who"}:
            self.event = "digression"
            kind = aside if aside and aside != "question" else ("who" if intent == "who" else "question")
            answer = answer_to(kind, self.ctx, self.state, None)
            self.leads.append(answer)
            # 999 once: an answer that gives it already ("can you send someone") is not followed by it again
            return self.turn("Tell me what is worrying you and I will try to help." +
                             ("" if "call 999" in answer else " If a child is in danger now, call 999."))
        if intent == "greet":
            return self.turn("Hello, this is the Front Door for children's services. " + open_prompt())
        if intent in {"thanks", "goodbye"}:
            return self.turn("Take care. You can text us again any time. If a child is in danger, call 999.")
        if intent == "out_of_scope" and aside == "wrong_chat":
            # "oh god ignore that, was meant for my boyfriend" was told what we cannot help with (the probe)
            return self.turn(f"{answer_to('wrong_chat', self.ctx, self.state, None)} If a child is in danger, "
                             "call 999.")
        if intent == "out_of_scope":
            if (service := other_council_service(text)) is not None:
                # "my dad has dementia, who deals with that" was told only what we do not do (a probe, session 15)
                return self.turn(f"That is for the council's {service} team, not us: you can find them on the "
                                 "council's website. I can help with worries about children and families. If a child "
                                 "is in danger now, call 999.")
            # out of hours no office number (the probe: the office's number at 4am), and the duty team is only for a
            # child who may not be safe (the review: council tax was pointed to it)
            if self.ctx.office_hours:
                return self.turn("Sorry, I can only help with worries about children and families. Tell me what is "
                                 f"worrying you, or call {self.ctx.mash_number} to talk to a person.")
            return self.turn("Sorry, I can only help with worries about children and families. Tell me what is "
                             "worrying you. If a child is in danger now, call 999.")
        if intent == "no" and self.state.get("reference"):
            # "no" to "anything else I can help with?" (a probe: the same question came back every time)
            return self.turn("Thank you. Take care. You can text us again any time. If a child is in danger, call "
                             "999.")
        if intent == "yes" and self.state.get("reference"):
            return self.turn("Tell me what is worrying you, or say PERSON to talk to someone.")
        self.state["open_misses"] = self.state.get("open_misses", 0) + 1
        self.state["asking"] = "_start"
        self.event = "not_understood"
        if self.state["open_misses"] >= 2:
            self.ports.for_staff("not_understood") if self.state["open_misses"] == 2 else None
            return self.turn(f"I'm still not sure I understood, sorry. {person_line(self.ctx)} Or reply 1 for help "
                             "for your family, 2 for a worry about a child, 3 to find a service.")
        return self.turn("Sorry, I'm not sure I understood. " + START_MENU)

    def _start(self, name: str, text: str, understood: Understanding, *, find_service: bool = False) -> None:
        keep = {k: self.state.get(k) for k in ("after_danger", "danger_followed", "reference")}
        self.state.update(new_state())
        self.state.update(keep)
        self.state["journey"] = name
        self.event = "started"
        facts = understood.facts
        said = plain(text)
        # Words that state a worry, not just ask to start ("i want to report a concern" says nothing yet).
        worded = bool(facts.categories) or (len(said.split()) >= 6 and not GENERIC_OPENING.search(said))
        if name == "help":
            if facts.categories:
                self.answers["concern_categories"] = facts.categories
            if (facts.categories or worded) and not find_service and text:
                self.answers["what_happened"] = text[:2000]
            self.leads.append("I can look for that." if find_service else
                              (EMPATHY if facts.categories or worded else "I'm sorry things are hard."))
            for category, line in HELPLINES.items():
                if category in facts.categories:
                    self.leads.append(line)
                    break
        else:
            if worded and text:
                self.answers["what_happened"] = text[:5000]
            if name == "professional":
                if facts.workplace:
                    self.answers["referrer_workplace"] = facts.workplace
                self.leads.append(f"Thank you. Professionals can also use our online form: {self.ctx.public_url}"
                                  "/report. I can take the main details by text now.")
            elif name == "young_person":
                self.leads.append("Thank you for telling us. You did the right thing.")
                self.leads.append("You can also talk to Childline, free, any time, on 0800 1111.")
            else:
                self.leads.append("Thank you for telling us. Anyone can report a concern, and you can stay "
                                  "anonymous.")

    def _take_facts(self, understood: Understanding) -> list[str]:
        """What the message gives besides the answer: kept where the journey has the field and it is empty."""
        facts, journey = understood.facts, self.journey
        if facts.age is not None:
            self.state["facts"]["age"] = facts.age  # the latest, for signposting
            self.state["facts"].setdefault("first_age", facts.age)  # the first said, for the record
        if facts.place:
            self.state["facts"]["place"] = facts.place  # signposting near it until a postcode is given
        if journey is None:
            return []
        given: dict[str, Any] = {}
        if facts.postcode:
            given["postcode"] = facts.postcode
        if facts.pregnant and journey.name == "help":
            given["born"] = "no"
        if facts.categories and journey.name == "help":
            given["concern_categories"] = facts.categories
        if facts.date_of_birth and self._fits_age(facts.date_of_birth):
            given["date_of_birth"] = facts.date_of_birth
        taken = []
        for name, value in given.items():
            step = journey.step(name)
            if name == self.state.get("asking"):
                continue  # the question itself: read as its answer (and re-asked if it did not fit), not as a fact
            if step is not None and self.answers.get(name) in (None, "", []) and name not in self.state["skipped"]:
                self.answers[name] = value
                taken.append(name)
        if facts.age is not None and len(facts.ages) <= 1 and journey.step("age_said") is not None \
                and self.state.get("asking") != "age_said" and self.answers.get("age_said") is None \
                and self.answers.get("born") != "no":
            # "my son is 4": never asked how old he is (said, not an answer). Not where the message gives two ages
            # ("im 14 and my little brother is 3": whose is the record's?), nor for a baby not yet born
            self.answers["age_said"] = facts.age
        return taken

    # a message while a question is open
    def _at_question(self, text: str, understood: Understanding) -> Turn:
        asking = self.state["asking"]
        if asking == OFFER:
            return self._at_offer(text, understood)
        step = self.asking_step()
        if step is None:
            self.state["asking"] = None
            return self._open(text, understood)
        aside = understood.digression
        if step.name == "consent_agree" and words.limiting_yes(text):
            # Not consent yet (a clear yes is), but their limit is kept: it travels with the consent record.
            self.answers["consent_limits"] = text[:500]
            self.event = "limited"
            self.leads.append("Thank you, I have noted that for our team. They will not contact anyone you have "
                              "said not to without talking to you first.")
            return self.turn("With that, do you agree to us sharing information to help you? Reply YES or NO")
        if step.name == "safe_to_contact" and aside in {None, "question", "human", "cant_talk", "keep_from_family"} \
                and words.safe_only_when(text):
            return self._contact_only_when(step, text, understood)
        if aside == "question" and plain(text) in words.YES | words.NO | {"ok", "okay", "sure"}:
            self.event = "unclear"  # "yes?": a question, so not an answer, and certainly not consent
            misses = self.state["misses"]
            misses[step.name] = misses.get(step.name, 0) + 1
            if misses[step.name] >= 3:
                return self._third_miss(step)
            self.leads.append("It's fine to say no, or to ask me anything first.")
            return self.turn(self._reask(step, misses[step.name]).replace("Sorry, I didn't catch that. ", ""))
        if aside and self._is_aside(step, text, aside):
            return self._aside(aside, step, text, understood)
        if step.name == "anonymous" and (named := self._name_offered(text)) is not None:
            # "Ann Test" to "do you want to stay anonymous?" (a probe): they have chosen to give their name
            name_step = self.journey.step("referrer_name") if self.journey is not None else None
            self._accept(step, "no")
            if name_step is not None:
                self._accept(name_step, named)
            self.leads.append(f"Thank you, {named.split()[0]}.")
            return self.turn(self._next())
        try:
            value = self._read(step, text, understood)
        except FieldError as problem:
            return self._missed(step, text, str(problem), understood)
        rough = step.field.kind == "date" and bool(value) and not words.day_given(text)
        self._accept(step, value, shown=dt.date.fromisoformat(str(value)).strftime("%B %Y") if rough else None)
        if step.field.name == "parents_told" and value == "no" and _REASON_GIVEN.search(plain(text)) \
                and self.journey is not None and self.journey.step("parents_not_told_reason") is not None \
                and not self.answers.get("parents_not_told_reason"):
            # "no, not told them because of what he said about step dad" was asked why again (the probe)
            self.answers["parents_not_told_reason"] = " ".join(text.split())[:500]
        if rough:
            # "march 2017" is kept as the 1st: staff are told it is rough, so nobody takes it as exact.
            self.state["extra"].append(f"(The assistant's note: {step.field.label.lower()} given without a day, "
                                       f"as \"{text.strip()[:40]}\"; recorded as the 1st of the month.)")
        self._take_facts(understood)
        return self.turn(self._next())

    def _contact_only_when(self, step: Step, text: str, understood: Understanding) -> Turn:
        """"only after 6 when hes at work" to "is it safe to call or text you?" (a tester): not freely safe, so not a
        yes; the schema's answer for that is no, with how to reach them safely in their own words."""
        self.answers[step.name] = "no"
        self.state["history"].append(step.name)
        self.state["misses"].pop(step.name, None)
        how = self.journey.step(SAFE_CONTACT_HOW) if self.journey is not None else None
        if how is not None and self.journey is not None and \
                how.applies(self.journey.context(self.answers), self.ctx.channel):
            with contextlib.suppress(FieldError):
                self.answers[SAFE_CONTACT_HOW] = how.field.clean(text.strip()[:how.field.max_length],
                                                                 answers=self.journey.context(self.answers))
                self.state["history"].append(SAFE_CONTACT_HOW)
        if self.answers.get(SAFE_CONTACT_HOW):
            self.leads.append("Thank you, I've noted that. Our team will only get in touch in the way you said.")
        self._take_facts(understood)
        return self.turn(self._next())

    def _is_aside(self, step: Step, text: str, aside: str) -> bool:
        if aside == "dont_know" and step.field.kind in {"radios"} and any(
                c.value in {"not_sure", "not_known"} for c in step.field.choices):
            return False  # "not sure" is one of this question's own answers
        if aside == "thanks" and text.strip() in {"Ty", "Ta"} and step.name in NAME_FIELDS:
            return False  # "Ty", written as a name, is the answer to a name question; "ty" is thanks (a probe)
        if step.name == "safe_contact_how" and aside == "human" and _SAYS_HOW.search(plain(text)):
            return False  # "ring me after 10am when he's at work" is the answer, not a request for a person now
        if step.field.kind == "textarea":
            # A worry may start "when he gets home..." or say "she asked me not to tell her mum": only a short
            # message about the conversation itself is taken as one.
            size = len(plain(text).split())
            if aside == "question":
                return "?" in text and size <= 15
            if aside == "keep_from_family":
                return size <= 8
            return size <= (6 if aside == "not_now" else 12)
        # "yes keep me anonymous" answers the question it is about
        return not (step.name == "anonymous" and aside == "anonymous" and not is_question(text))

    def _aside(self, aside: str, step: Step, text: str, understood: Understanding) -> Turn:
        self.event = "digression"
        if aside == "restart":
            keep = {k: self.state.get(k) for k in ("after_danger", "danger_followed")}
            self.state.clear()
            self.state.update(new_state())
            self.state.update(keep)
            self.event = "restarted"
            return self.turn("OK, let's start again. " + open_prompt())
        if aside == "back":
            history = self.state["history"]
            if history:
                previous = history.pop()
                self.answers.pop(previous, None)
                self.state["misses"].pop(previous, None)
                self.leads.append("OK, let's go back.")
            else:
                self.leads.append("That's the first question.")
            return self.turn(self._next())
        if aside == "human":
            self._ask_for_person()
            self.leads.append(person_asked_line(self.ctx))
            return self.turn("Or carry on here: " + self._fitting_ask(step, prefix="Or carry on here: "))
        if aside == "not_now":
            return self.turn("That's OK, I will keep your answers. When you are ready, just reply to this: "
                             + self._ask_text(step))
        if aside == "goodbye":  # "thanks bye" mid-way: leaving, not answering; what they gave is kept
            # a child leaving mid-way ("gotta go dads back"; the review) is told where help is if it is not safe
            safe = " If you are not safe, call 999." if self.journey is not None and \
                self.journey.name == "young_person" else ""
            return self.turn(f"Take care. I will keep your answers.{safe} To carry on, just reply to this: "
                             + self._ask_text(step))
        if aside == "wrong_chat":  # "oops meant to text my sister": not an answer, and nothing is taken from it
            return self.turn("No problem, that message can't have been meant for us. I will keep your answers. To "
                             "carry on, just reply to this: " + self._ask_text(step))
        if aside in {"skip", "dont_know"} and step.name == "safe_to_contact":
            # "skip" or "not sure" to "is it safe to call or text you?" (a probe: it was left out): not known to be
            # safe is taken as not safe, so our team asks how to reach them, never just rings
            self._accept(step, "no")
            return self.turn(self._next())
        if aside in {"skip", "dont_know"}:
            if step.name in NEVER_SKIPPED:  # not an answer either: it counts as one, so nobody is stuck here
                misses = self.state["misses"]
                misses[step.name] = misses.get(step.name, 0) + 1
                if misses[step.name] >= 3:
                    return self._third_miss(step)
                self.leads.append("That's OK." if aside == "dont_know" else "I need an answer to this one.")
                return self.turn(self._reask(step, max(2, misses[step.name])))
            self._skip(step)
            self.leads.append("That's OK, let's leave that.")
            return self.turn(self._next())
        self.leads.append(answer_to(aside, self.ctx, self.state, step))
        if aside == "explain":
            # "what do you mean?": what it is for, then the question in its other words (the re-ask, with its
            # example), not "I'll put it another way:" before the reason (a tester).
            reworded = self._reask(step, 0, sorry=False, text=self._reworded(step))
            if sms.gsm7_length(sms.to_gsm7(reworded)) > LIMIT:  # a long menu: its own re-ask, with the example
                reworded = self._reask(step, 0, sorry=False)
            return self.turn(reworded)
        return self.turn(self._fitting_ask(step))

    def _read(self, step: Step, text: str, understood: Understanding) -> Any:
        try:
            return self._read_whole(step, text, understood)
        except FieldError:
            # "his mum. he was born 2 march 2018": the answer is one part, the rest a fact taken anyway. Never for
            # a name: "they look hungry and dirty" must not leave "dirty" as a child's name.
            parts = [p.strip() for p in re.split(r"[.,;!\n]+|\band\b", text) if p.strip()]
            if len(parts) > 1 and step.field.kind not in {"text", "textarea"}:  # a choice or a date, not words
                for part in parts:
                    with contextlib.suppress(FieldError):
                        return self._read_whole(step, part, understood)
            raise

    def _read_whole(self, step: Step, text: str, understood: Understanding) -> Any:
        field = step.field
        today = london_today()
        if field.name == "last_name" and _SAME_AS_MINE.match(plain(text)):
            # "same as mine": the referrer's own last name, when they have given it; if not, it is asked for.
            own = plain(str(self.answers.get("referrer_name") or "")).split()
            if len(own) < 2:
                raise FieldError(OWN_NAME_UNKNOWN)
            surname = str(self.answers["referrer_name"]).split()[-1]
            self.leads.append(f"Thanks, {' '.join(str(self.answers.get('first_name') or '').split() + [surname])}.")
            return surname
        if field.name == "first_name" and step.child and (aged := _NAME_THEN_AGE.fullmatch(text.strip())) \
                and _looks_like_a_name(aged.group(1)) and int(aged.group(3)) <= 17 \
                and not {plain(aged.group(1)), plain(aged.group(2) or "")} & _NOT_A_NAME_BEFORE_A_NUMBER:
            # "Kai Thompson, 8" was refused at the child's name (a probe): the name, with its last name and age kept
            # where the journey asks them (the age is read as a fact of the message)
            if aged.group(2) and self.journey is not None and self.journey.step("last_name") is not None \
                    and not self.answers.get("last_name"):
                self.answers["last_name"] = aged.group(2)[:1].upper() + aged.group(2)[1:]
            first = aged.group(1)
            return first[:1].upper() + first[1:]
        if field.name == "first_name" and step.child and (several := _SEVERAL_NAMES.fullmatch(_name_in(text))):
            # "Ruby and Jack" to the child's first name was refused three times (a probe): the first is asked about,
            # and every child named reaches staff with the worry
            names = [n for n in re.split(r"\s*(?:,|&|\band\b|\bn\b)\s*", several.group(0)) if n]
            if len(names) > 1 and all(_looks_like_a_name(n) and plain(n) not in _NOT_A_CHILDS_NAME and
                                      (n[:1].isupper() or len(n.split()) == 1) for n in names):
                names = [n[:1].upper() + n[1:] for n in names]
                others = _and_list(names[1:])
                self.state["extra"].append(f"(The assistant's note: the children named were {_and_list(names)}; "
                                           f"the questions that followed were about {names[0]}.)")
                self.leads.append(f"Thank you. I will ask about {names[0]} first, and our team will see that you "
                                  f"named {others} too.")
                return names[0]
        if field.name in NAME_FIELDS:
            text = _name_in(text)
            if not _looks_like_a_name(text):
                raise FieldError("not a name")
            if text.islower():  # "jayden smith" is written to staff as Jayden Smith
                text = " ".join(part[:1].upper() + part[1:] for part in text.split())
        context = self.journey.context(self.answers) if self.journey is not None else self.answers
        if not field.is_required(context) and plain(text) in NOTHING:
            return None  # "none", "n/a": left out
        if field.name in NOT_A_DATE_OR_EMAIL and ("@" in text or (len(plain(text).split()) <= 4 and
                                                                 date_in(plain(text)))):
            raise FieldError("an e-mail address or a date is not an answer to this")
        if field.name in NOT_A_DATE_OR_EMAIL | NAME_FIELDS and \
                words.only_a_time_or_number(text, name=field.name in NAME_FIELDS):
            # "about 4 years ago in june" to "which school?" (a tester): a when, not a where or a who.
            raise FieldError("a time or a number is not an answer to this")
        if field.name in STORY_NOT_AN_ANSWER and len(plain(text).split()) >= 8 and HARM_WORDS.search(plain(text)):
            # "she said he hit her with a belt, she has a mark on her arm" to "which school or organisation are you
            # from?" (a probe): what happened, not the answer; kept with the worry, and the question asked again
            raise FieldError(A_STORY)
        if field.name == "what_happened" and words.says_little(text, self._names_known()):
            raise FieldError(FEW_WORDS)  # "sam" to "tell me a bit more about what is happening" (a tester)
        if field.kind in {"text", "textarea"} and plain(text) in words.YES | words.NO | words.ACKNOWLEDGEMENTS:
            raise FieldError("a yes or no is not an answer to this")
        if not plain(text):
            raise FieldError("no words")  # emoji or punctuation only
        if field.name == "age_said":
            return self._age_answered(text)
        if field.kind == "checkboxes":
            raw = words.interpret(field, text, today=today)
            if isinstance(raw, list):
                raw = [v for v in raw if field.choice(v) is not None] or None
            value = field.clean(raw, today=today, answers=context)
            if not value:
                raise FieldError("no categories")
            return value
        if field.kind == "date" and understood.facts.age is not None and words.interpret(
                field, text, today=today) == {"day": "x", "month": "x", "year": "x"}:
            raise FieldError(f"age:{understood.facts.age}")
        value = field.clean(words.interpret(field, text, today=today), today=today, answers=context)
        if field.name == "date_of_birth" and value and not self._fits_age(value):
            raise FieldError(f"conflict:{self.state['facts']['age']}")
        return value

    def _age_answered(self, text: str) -> int | str:
        """"4", "12 and 9", "shes 14 months", "born 3/4/2019", "year 5": the (first) child's age, kept for signposting
        too; the record keeps the words where they say more than the number ("14 months", "12 and 9", "about 6")."""
        answered = age_answered(text)
        if answered is None and self.journey is not None and self.journey.name == "young_person" and \
                (adult := re.fullmatch(r"(?:im |i am |i m )?(1[89]|2[0-5])", plain(text))) is not None:
            return adult.group(1)  # "im 18" to "How old are you?": kept as said (no child's age for signposting)
        if answered is None:
            raise FieldError("not an age")
        age, words_said = answered
        if age is not None:
            self.state["facts"]["age"] = age
            self.state["facts"].setdefault("first_age", age)
        return words_said or age or 0

    def _name_offered(self, text: str) -> str | None:
        """A first and last name written as the whole answer ("Ann Test", "its Ann Test"), or None."""
        step = self.asking_step()
        if step is None or plain(text) in words.YES | words.NO or words.interpret(step.field, text) in {"yes", "no"}:
            return None
        named = _name_in(text.strip())
        if len(named.split()) not in (2, 3) or not _looks_like_a_name(named) or \
                not all(part[:1].isupper() for part in named.split()):
            return None  # "i'm his great grandma" is who they are, not a name; lower case is not taken as one
        return named

    def _names_known(self) -> frozenset[str]:
        """The words of the names given so far in this conversation, in plain lower case."""
        return frozenset(word for name in NAME_FIELDS for word in plain(str(self.answers.get(name) or "")).split())

    def _fits_age(self, date_of_birth: Any) -> bool:
        """"hes 2", then "born last may": one of them is wrong, and a wrong date makes a false under-one flag.
        Asked once: a date given again after that stands (people misremember ages as often as dates)."""
        said_age = self.state["facts"].get("age")
        if said_age is None or self.state["facts"].get("age_checked"):
            return True
        if abs(_age_on(date_of_birth, london_today()) - said_age) < 2:
            return True
        self.state["facts"]["age_checked"] = True
        return False

    def _accept(self, step: Step, value: Any, *, shown: str | None = None) -> None:
        if value in (None, "", []) or (step.name in NAME_FIELDS and plain(str(value)) in {"not known", "unknown",
                                                                                        "dont know"}):
            self._skip(step)
            return
        self.answers[step.name] = value
        self.state["history"].append(step.name)
        self.state["misses"].pop(step.name, None)
        if step.wording and step.wording.confirm:
            self.leads.append(step.wording.confirm.format(answer=shown or step.field.label_for(value)))

    def _skip(self, step: Step) -> None:
        if step.name not in self.state["skipped"]:
            self.state["skipped"].append(step.name)
        self.state["misses"].pop(step.name, None)

    def _missed(self, step: Step, text: str, problem: str, understood: Understanding) -> Turn:
        self.event = "missed"
        outward = _outward_code_alone(text) if step.name == "postcode" else None
        if step.name == "postcode" and (understood.facts.place or outward) and self.journey is not None \
                and self.journey.name == "help" and not self.state["signposted"]:
            # "Woodley" or "rg40" for a postcode asked only to find services: services near there, and on we go.
            self.state["facts"]["place"] = understood.facts.place or outward
            self._skip(step)
            where = places.Place(understood.facts.place, "").title if understood.facts.place else outward
            self.leads.append(f"Thanks, I'll look near {where}.")
            return self.turn(self._next())
        if self._take_facts(understood):  # an answer to a question not yet asked: kept, and no miss
            self.leads.append("Thanks, I've noted that.")
            return self.turn(self._ask_text(step))
        misses = self.state["misses"]
        misses[step.name] = misses.get(step.name, 0) + 1
        count = misses[step.name]
        if (step.name in NAME_FIELDS and len(plain(text).split()) >= 5) or problem == A_STORY:
            self.state["extra"].append(text[:2000])  # more about the worry, kept with it
            self.leads.append("Thanks, I've added that to what you told us.")
        elif problem.startswith("age:"):
            # "0" read badly to a parent of a 3 week old (a probe)
            said_age = "under a year old" if problem[4:] == "0" else problem[4:]
            self.leads.append(f"Thanks, I've noted they are {said_age}.")
        elif problem.startswith("conflict:"):
            self.leads.append(f"You said they are {problem[9:]}, so that date does not fit.")
        if count >= 3:
            return self._third_miss(step)
        if problem == OWN_NAME_UNKNOWN:
            self.leads.append("Sorry, I don't have your last name.")
            return self.turn(self._reask(step, count, sorry=False))
        if problem == FEW_WORDS:
            # Not a wrong answer, just not enough: thanked, and asked for a few words (never "didn't catch that").
            self.leads.append("Thank you.")
            return self.turn(self._reask(step, count, sorry=False))
        # an age for a date of birth was understood and noted: never "noted" and "didn't catch that" together
        return self.turn(self._reask(step, count, sorry=not (problem.startswith("age:") or problem == A_STORY)))

    def _third_miss(self, step: Step) -> Turn:
        if step.name not in NEVER_SKIPPED:
            self._skip(step)
            self.leads.append("No problem, our team can ask about that later.")
            return self.turn(self._next())
        if step.name == "anonymous":  # unsure whether to give a name: keeping it out is the safe way
            self.answers["anonymous"] = "yes"
            self.leads.append("I will keep you anonymous.")
            return self.turn(self._next())
        if step.name == "what_happened":
            self._skip(step)  # their messages say it in their own words, and travel with the contact
            return self.turn(self._next())
        if step.name == "concern_categories":
            self.answers["concern_categories"] = ["other"]
            return self.turn(self._next())
        # Consent: never assumed. Left open: a clear YES later still answers this question.
        self.state["parked"] = True
        self.event = "parked"
        return self.turn(f"I'll leave it there for now: nothing has been shared. Reply YES at any time if you "
                         f"agree, or call {self.ctx.mash_number} to talk it through with a person.")

    def _clear_answer_to_parked(self, step_name: str, text: str) -> bool:
        if step_name == OFFER:
            chosen = words.interpret(_offer_field(), text)
        else:
            step = self.journey.step(step_name) if self.journey else None
            if step is None:
                return False
            chosen = words.interpret(step.field, text)
        if chosen != "yes":
            return False
        self.state["parked"] = False
        if step_name == OFFER:
            self.answers[OFFER] = "yes"
            self.leads.append("Thank you. I will ask a few short questions so our team can help.")
        else:
            self.answers[step_name] = "yes"
            self.state["history"].append(step_name)
        return True

    # the early-help offer after services
    def _at_offer(self, text: str, understood: Understanding) -> Turn:
        aside = understood.digression
        if aside == "question" and plain(text) in words.YES | words.NO | {"ok", "okay", "sure"}:
            self.event = "unclear"  # "yes?" is a question, not a yes: said kindly, and the offer again
            self.leads.append("It's fine to say no, or to ask me anything first.")
            return self.turn(_OFFER_QUESTION)
        if aside and aside not in {"dont_know", "skip"}:  # "skip" is no answer here: asked for a YES or NO
            if aside in {"restart", "back", "human", "not_now", "goodbye", "wrong_chat"}:
                if aside == "back":
                    self.state["asking"] = None
                    self.answers.pop("postcode", None)
                    self.state["signposted"] = False
                    self.leads.append("OK, let's go back.")
                    return self.turn(self._next())
                return self._aside(aside, _OFFER_STEP, text, understood)
            self.leads.append(answer_to(aside, self.ctx, self.state, _OFFER_STEP if aside == "explain" else None))
            return self.turn(_OFFER_QUESTION)
        chosen = words.interpret(_offer_field(), text)
        if chosen == "yes":
            self.answers[OFFER] = "yes"
            self.state["history"].append(OFFER)
            self.leads.append("Thank you. I will ask a few short questions so our team can help.")
            return self.turn(self._next())
        if chosen == "no":
            self.event = "declined"
            self._end("declined")
            return self.turn("That's fine. You can text us again any time. If a child is in danger, call 999.")
        misses = self.state["misses"]
        misses[OFFER] = misses.get(OFFER, 0) + 1
        if misses[OFFER] >= 3:
            self.state["parked"] = True
            return self.turn("No problem. The services are there for you. Reply YES any time if you would like "
                             "our team to get in touch.")
        if misses[OFFER] == 2:
            return self.turn("Sorry, I need a YES or NO: would you like our early help team to call you? "
                             f"Or call us on {self.ctx.mash_number}.")
        return self.turn("Sorry, I didn't catch that. " + _OFFER_QUESTION)

    # what to ask next, or hand off
    def _next(self) -> str | None:
        journey = self.journey
        if journey is None:
            return open_prompt()
        if journey.kind == "early_help" and self.answers.get("consent_agree") == "no":
            return self._finish()  # no means no: nothing more is asked (forms.referral.HELP_CONSENT stops here)
        for step in journey.steps:
            if step == SIGNPOST:
                if not self.state["signposted"]:
                    self._signpost()
                continue
            if step == OFFER:
                if self.answers.get(OFFER) != "yes":
                    self.state["asking"] = OFFER
                    return _OFFER_QUESTION
                continue
            assert isinstance(step, Step)
            if step.name in self.answers or step.name in self.state["skipped"]:
                continue
            if step.name == "postcode" and journey.name == "help" and self.state["facts"].get("place") \
                    and not self.state["signposted"]:
                self._skip(step)  # "groups in Woodley": the place they named is where to look, not asked again
                continue
            if not step.applies(journey.context(self.answers), self.ctx.channel):
                continue
            wording = step.wording
            if step.name == "last_name" and "first_name" in self.state["skipped"]:
                continue  # no first name, so no "and their last name?"
            if wording is None or (not wording.by_text):
                continue
            self.state["asking"] = step.name
            self.event = "asked" if self.event == "answered" else self.event
            return self._ask_text(step)
        return self._finish()

    def _ask_text(self, step: Step) -> str:
        assert step.wording is not None, f"{step.name} has no SMS wording"
        return pending_question({"journey": self.state.get("journey"), "asking": step.name})

    def _fitting_ask(self, step: Step, prefix: str = "") -> str:
        """The question in full if it fits beside what this turn already says, else in short: an answer to
        the person's own question must never be the part that is cut."""
        full = self._ask_text(step)
        said = sum(sms.gsm7_length(sms.to_gsm7(lead)) + 1 for lead in self.leads) + len(prefix)
        if said + sms.gsm7_length(sms.to_gsm7(full)) <= LIMIT:
            return full
        field = step.field
        label = field.label.rstrip("?") + "?"
        if field.kind in {"radios", "checkboxes"} and any(c.value == "yes" for c in field.choices):
            options = " or ".join(c.label.split(",")[0].upper() for c in field.choices)
            return f"{label} Reply {options}"
        if field.kind in {"radios", "checkboxes"}:
            return f"{label} Reply with a number from the list, or tell me in words."
        return label

    def _reworded(self, step: Step) -> str:
        """The question in other words: the re-ask, which says what is wanted with an example; for a choice whose
        re-ask only says how to reply ("Please reply YES, NO or NOT SURE."), the question itself first."""
        wording = step.wording
        assert wording is not None
        if step.field.kind in {"radios", "checkboxes"} and "?" not in wording.reask:
            question = re.sub(r"\s*Reply (YES|with)\b.*$", "", wording.ask, flags=re.DOTALL).strip()
            return f"{question} {wording.reask}"
        return wording.reask

    def _reask(self, step: Step, count: int, *, sorry: bool = True, text: str | None = None) -> str:
        wording = step.wording
        assert wording is not None
        text = text or wording.reask
        if text.endswith(":") or (step.field.kind in {"radios", "checkboxes"} and len(step.field.choices) > 3):
            text = f"{text.rstrip(':')}:\n{journeys.menu(step.field)}"
        lead = "Sorry, I didn't catch that. " if count == 1 and sorry else ""
        tail = ""
        if count >= 2:
            tail = (" Or reply SKIP to leave it." if step.name not in NEVER_SKIPPED else
                    f" If it's easier, call us on {self.ctx.mash_number} and a person will help.")
        # Never a reply that is only "Sorry, I didn't catch that.": a long menu keeps the question, not the apology;
        # asked a second time, the menu above is pointed to rather than sent again.
        short = "Please reply with a number from the list above, like 1, or tell me in words."
        for candidate in (lead + text + tail, text + tail, *([short + tail] if count >= 2 else []), text):
            if sms.gsm7_length(sms.to_gsm7(candidate)) <= LIMIT:
                return candidate
        return text

    def _signpost(self) -> None:
        self.state["signposted"] = True
        categories = [c for c in self.answers.get("concern_categories") or [] if c != "other"]
        named = self.state["facts"].get("place") or ""
        place = places.PLACES.get(named) or places.AMBIGUOUS.get(named) or \
            (named if postcodes.normalise(named) == named else None)  # an outward code they gave ("RG40")
        postcode = self.answers.get("postcode")
        lines = self.ports.services(categories=categories, age=self.state["facts"].get("age"),
                                    postcode=postcode or place)
        text = "Services near you:"
        if postcode and _not_on_the_map(postcode):
            # RG99 9ZZ (a tester): the search falls back to phone and online services; say so, never "near you"
            text = f"I couldn't find {postcode} on the map. Services you can phone or use online:"
        room = LIMIT - len(_OFFER_QUESTION) - 2 - sum(len(sms.to_gsm7(lead)) + 1 for lead in self.leads)
        shown = 0
        for line in lines:
            if len(text) + 1 + len(line) > room:
                break
            text += "\n" + line
            shown += 1
        if shown:
            self.leads.append(text)
        else:
            self.leads.append(f"You can find services near you at {self.ctx.public_url}/services")
        self.event = "signposted"

    def _finish(self) -> str:
        journey = self.journey
        assert journey is not None
        answers = {k: v for k, v in self.answers.items() if not k.startswith("_")}
        extra = [e for e in self.state.get("extra") or [] if e]
        if extra:
            answers["what_happened"] = "\n".join([answers.get("what_happened") or "", *extra]).strip()[:5000]
        said = self.state.get("facts") or {}
        answers = journeys.with_said_age(journey.shape(answers), said.get("first_age", said.get("age")))
        if journey.kind == "early_help":
            if self.answers.get("consent_agree") == "no":
                self._end("no_consent")
                self.event = "no_consent"
                return ("That's fine. We will not share anything. The services I sent are still there for you, and "
                        "you can text us again any time. In an emergency, call 999.")
            if family_consent(answers) and "referrer_relationship" in self.state["skipped"] \
                    and not self.state.get("relationship_asked_again"):
                # They skipped who they are to the child, then agreed: early help needs that agreement from someone
                # with parental responsibility, so the question comes back once before anything ends (a probe: a
                # mum who skipped it was told to phone us, and "im her mum obviously" was not understood)
                self.state["skipped"].remove("referrer_relationship")
                self.state["relationship_asked_again"] = True
                self.leads.append("Before I send this: early help needs the agreement of someone with parental "
                                  "responsibility.")
                return self._next() or ""
            if family_consent(answers):
                self._end("no_consent")
                self.event = "no_consent"
                return ("Thank you. Our early help team needs the agreement of someone with parental responsibility "
                        f"first. Call us on {self.ctx.mash_number} and we will talk it through.")
        reference = self.ports.hand_off(journey, answers)
        self.reference = reference
        self.event = "handed_off"
        name = journey.name
        self._end("handed_off")
        self.state["reference"] = reference
        if name == "professional":
            return (f"Thank you. Your reference is {reference}. The MASH decides by the end of the next working day "
                    "and will send you the outcome. In an emergency, call 999.")
        return (f"Thank you. Your reference is {reference}. Our team looks at every message by the end of the next "
                "working day. In an emergency, call 999.")

    def _end(self, why: str) -> None:
        name = self.state.get("journey")
        keep = {k: self.state.get(k) for k in ("after_danger", "danger_followed", "reference", "last_child")}
        child = {"name": self.answers.get("first_name"), "age": self.state.get("facts", {}).get("age")}
        if child["name"] or child["age"] is not None:
            keep["last_child"] = child  # who the conversation was about, for the staff inbox's row (bot.takeover)
        self.state.clear()
        self.state.update(new_state())
        self.state.update(keep)
        self.state["last_journey"] = name
        self.state["ended"] = why


# A different matter after a reference: a conversation of its own
_NEW_MATTER = frozenset({"new", "new one", "new child", "new message", "different child", "another child",
                         "a different child", "someone else", "something else", "new worry", "start again"})

_OFFER_QUESTION = "Would you like our early help team to get in touch as well? Reply YES or NO"


def _offer_field():
    from forms.referral import HELP_CONSENT

    return HELP_CONSENT.field("consent_agree")  # a plain YES or NO, read as strictly as consent


class _OfferStep:
    """The early-help offer where a step is expected: the front door's own question, not a schema field."""

    name = OFFER
    wording = Sms(_OFFER_QUESTION, _OFFER_QUESTION, why="Our early help team can talk things through with you "
                  "and find the right support. It is your choice.")
    field = type("F", (), {"sms": wording, "kind": "radios", "choices": (), "label": _OFFER_QUESTION})()


_OFFER_STEP: Any = _OfferStep()


NOTHING = frozenset({"none", "no", "n a", "na", "nothing", "not applicable", "no school", "not yet", "doesnt go",
                     "not at school", "no nursery", "hes a baby", "shes a baby", "too young", "nope"})
_NAME_LEADS = re.compile(r"^(?:(?:my|his|her|their|the childs|childs|the kids|our) (?:full |first |last |sur)?"
                         r"(?:name|names|surname)(?: is| s)?|(?:i am|im|i m|it is|its|this is|he is|she is|hes|shes|"
                         r"they are|theyre)(?: called)?|(?:he|she|they) (?:is |are )?called|called|call me)\s+",
                         re.IGNORECASE)


def _name_in(text: str) -> str:
    """"my name is Kerry Smith" -> "Kerry Smith"; "shes called Mia" -> "Mia"."""
    stripped = re.sub(r"[.!]+$", "", text.strip())
    return _NAME_LEADS.sub("", stripped.replace("'", "").replace("\u2019", ""), count=1).strip() or stripped


# "same as mine", "same as me", "the same", "its the same surname as mine": the child's last name is the referrer's.
_SAME_AS_MINE = re.compile(r"^(?:(?:its|it is|thats|that is|they have|he has|she has|has|the)\s+)*same"
                           r"(?:\s+(?:one|name|surname|last name))?(?:\s+(?:as|like)\s+(?:mine|me|my own|my name|"
                           r"my surname|my last name|myself|i|us|ours|my one))?(?:\s+(?:too|as well|thanks|ta))?$")
_SAYS_HOW = re.compile(r"\b(call|ring|phone|text|email|message|write to) (me|us)\b")


def _age_on(date_of_birth: Any, today: Any) -> int:
    born = dt.date.fromisoformat(str(date_of_birth))
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# A reason given with the answer: "no, because it could put him at risk", "no cos of what she said"
_REASON_GIVEN = re.compile(r"\b(because|cos|coz|cause|as (he|she|they|it|the|dad|mum)|in case|incase|"
                           r"it (could|would|might)|(he|she|they) (could|would|might)|for fear|"
                           r"worried (that|he|she|they|it))\b( \w+){2,}")
# "Kai Thompson, 8", "Mia (4)", "Leo aged 6": a child's name and age in one answer
_NAME_THEN_AGE = re.compile(r"([A-Za-z][a-z'-]+)(?: (?!aged?\b)([A-Za-z][a-z'-]+))?\s*(?:,|\(|-)?\s*(?:aged?\s*)?"
                            r"(\d{1,2})"
                            r"\s*(?:yrs?|years?( old)?|yo)?\s*\)?\.?")
_NOT_A_NAME_BEFORE_A_NUMBER = frozenset({"flat", "house", "room", "number", "no", "year", "yr", "class", "apartment",
                                         "unit", "block", "bus", "route", "door", "age", "aged", "about", "maybe",
                                         "nearly", "almost", "only", "just", "like", "around", "abt", "boy", "girl",
                                         "baby", "son", "daughter", "twins", "kids", "children", "both", "one",
                                         "road", "street", "lane", "prefer", "not", "rather", "dont", "unknown",
                                         "idk", "dunno", "none", "rm", "apt"})
# "Ruby and Jack", "Ruby, Jack & Mia": several children's first names in one answer
_SEVERAL_NAMES = re.compile(r"[A-Za-z][a-z'-]+(?:\s*,\s*[A-Za-z][a-z'-]+)*\s*(?:,?\s*(?:and|&|n)\s+)[A-Za-z][a-z'-]+")
_NOT_A_CHILDS_NAME = frozenset({"boy", "girl", "boys", "girls", "baby", "babies", "twins", "brother", "sister",
                                "brothers", "sisters", "nan", "none", "unknown", "both", "two", "three", "older",
                                "younger", "eldest", "youngest", "little", "one", "other"})
_ASKS_IF_ADDRESS_WANTED = re.compile(r"\b(need|want|have|give|send|tell)\b.{0,20}\b(address|postcode|where (we|i|they) "
                                     r"(live|are|am))\b")
# A name offered after danger, only where the words say whose it is ("shes called Ella", "his name is Leo", "my
# name is Jay" from a child): a word on its own may be anything.
_CHILD_NAMED = re.compile(r"\b(?:(?:his|her|their|the childs|the babys|babys|my sons|my daughters|the boys|the girls)"
                          r" (?:name is|names|name s)|(?:she|he|the baby|baby|the babys|babys|hes|shes)(?: is| s)? "
                          r"called)\s+([A-Za-z][a-z]+)\b", re.IGNORECASE)
_OWN_NAME = re.compile(r"\b(?:my name is|my names|i am called|im called)\s+([A-Za-z][a-z]+)\b", re.IGNORECASE)
_AN_ADULT_NAMED = re.compile(r"^\W*(\w+ )?(hes|shes|he is|she is|he s|she s|who is|whos) "
                             r"(my|our|her|his|the kids|the childrens|their) "
                             r"(ex|partner|husband|wife|boyfriend|girlfriend|fella|bf|gf|sister|brother|mum|mom|dad|"
                             r"friend|mate|neighbour|nan|grandad|uncle|aunt|auntie|cousin|stepdad|stepmum)\b|"
                             r"^\W*(\w+ ){0,3}(hes|shes|he is|she is) (1[89]|[2-9]\d)\b")
_SOMEONE_ELSES_AGE = re.compile(r"\bmy (little |big |baby |older |younger )?(brother|sister|bro|sis|cousin|friend) "
                                r"(is|s) \d")
_AN_ADULTS_ADDRESS = re.compile(r"\b(he|she|his|her|dad|mum|ex|partner|boyfriend|girlfriend) (lives|lived|is|s|stays|"
                                r"address is)( at| in| on)?\s*$|\b(his|her) (address|house|flat)( is)?( at)?\s*$")
# Where the children are, as an address: "14 Oak Road, Wokingham", "22 Rose St RG40 3AA"
_STREET = re.compile(r"\b\d{1,4}[a-z]?,? (?:[a-z]+ ){1,2}(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|"
                     r"grove|gardens|gdns|court|ct|crescent|place|pl|terrace|walk|mews|row|green|park|hill|view|rise)\b",
                     re.IGNORECASE)


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _details_offered(text: str, understood: Understanding, *, child_speaking: bool) -> dict[str, Any]:
    """The children's details a message after danger gives in passing, as a journey's answers (for the red contact's
    fields): names said to be the children's, with their ages where one age is given for each ("her names Ruby and
    his name is Jack, 4 and 2"), and an address, postcode or place as where the children are."""
    found = understood.facts
    written = text.replace("'", "").replace("\u2019", "")
    # never a grown-up named ("his names Bob hes my ex", "her name is Sarah shes my sister, shes 30": the review)
    names = [m.group(1).capitalize() for m in _CHILD_NAMED.finditer(written)
             if _looks_like_a_name(m.group(1)) and plain(m.group(1)) not in _NOT_A_CHILDS_NAME
             and not _AN_ADULT_NAMED.search(plain(written[m.end():])[:60])]
    own = _OWN_NAME.search(written) if child_speaking and not names else None
    if own is not None and _looks_like_a_name(own.group(1)):
        names = [own.group(1).capitalize()]
    ages = [] if found.adult_writer else list(found.ages or ([found.age] if found.age is not None else []))
    if _SOMEONE_ELSES_AGE.search(plain(written)):
        ages = []  # "my name is Jay and my brother is 5": whose age is whose is for a person to read
    children: list[dict[str, Any]] = [{"first_name": name} for name in dict.fromkeys(names)]
    if len(ages) == 1 and len(children) <= 1:
        children = [{**(children[0] if children else {}), "age_said": ages[0]}]
    elif ages and len(ages) == len(children):
        children = [{**child, "age_said": age} for child, age in zip(children, ages, strict=True)]
    answers: dict[str, Any] = {"children": children} if children else {}
    first = _STREET.search(text) or POSTCODE_IN_TEXT.search(text)
    if first is not None and _AN_ADULTS_ADDRESS.search(plain(text[:first.start()])):
        return answers  # "he lives at 22 Rose St but the kids are with me": his address, not where the children are
    if first is not None:
        # the address as they wrote it, from the street (or postcode) to the postcode or the end of that part
        postcode = POSTCODE_IN_TEXT.search(text, first.start())
        stop = postcode.end() if postcode is not None else next(
            (m.start() for m in re.finditer(r"[.,;!?\n]| and | but | with ", text) if m.start() > first.end()),
            len(text))
        answers["child_location"] = " ".join(text[first.start():stop].split())[:200]
    elif found.postcode or found.place:
        answers["child_location"] = found.postcode or found.place
    return answers


def _looks_like_a_name(text: str) -> bool:
    said = plain(text)
    tokens = said.split()
    if not tokens or len(tokens) > 5 or any(ch.isdigit() for ch in text):
        return False
    if said in {"not known", "unknown", "dont know"}:
        return True
    return not (set(tokens) & NOT_IN_NAMES)


def decide(state: dict[str, Any] | None, text: str, understood: Understanding, ctx: Context, ports: Ports) -> Turn:
    """One turn: what to say to `text`, and the conversation's state after it. Never raises on a person's input."""
    working = copy.deepcopy(state) if state else new_state()
    for key, value in new_state().items():
        working.setdefault(key, value)
    return _Dialogue(working, ctx, ports).decide(text, understood)


@dataclass
class FakePorts:
    """Ports for tests and tools: services from a list, references counted, staff requests recorded."""

    lines: list[str] = field(default_factory=lambda: ["Family Hub Wokingham: 0118 496 0111 (1.2 mi)"])
    handed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    offered: list[dict[str, Any]] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    searched: list[dict[str, Any]] = field(default_factory=list)

    def services(self, *, categories: list[str], age: int | None, postcode: str | None) -> list[str]:
        self.searched.append({"categories": categories, "age": age, "postcode": postcode})
        return list(self.lines)

    def hand_off(self, journey: ConversationJourney, answers: dict[str, Any]) -> str:
        self.handed.append((journey.name, answers))
        return f"FD-2026-{len(self.handed):06d}"

    def for_staff(self, reason: str) -> None:
        self.staff.append(reason)

    def more_after_reference(self, reference: str) -> None:
        self.staff.append(f"more:{reference}")

    def details_offered(self, answers: dict[str, Any]) -> None:
        self.offered.append(answers)


_NOT_AN_EMERGENCY = re.compile(r"\b(not|isnt|is not|wasnt|was not|its not|it s not) (an |a )?(emergency|urgent)\b|"
                               r"\bdidnt mean (an |a |it as an |it as a )?(emergency|urgent)\b|"
                               r"\bno ?(one|body)( is|s) in danger\b|\bnobody is in danger\b")
# A child who may be unwell now: the family is told where medical help is before anything else is asked.
_UNWELL = re.compile(r"\b((got|has|have|with|running) (a )?(high |really high )?(temp|temperature)|high temperature|"
                     r"temperature of|temp of|rash|fever|feverish|wont feed|won t feed|not feeding|isnt feeding|"
                     r"stopped feeding|wont eat or drink|not drinking (anything|any milk|her milk|his milk|fluids)|"
                     r"being sick|keeps being sick|vomiting|throwing up|diarrhoea|diarrhea|dehydrated|dry nappies|"
                     r"no wet nappies|wheezing|wheezy|struggling to breathe|breathing funny|chest infection)\b")
_ASKS_FOR_SUPPORT = re.compile(r"\b(support|struggling|cant cope|can not cope|cope|coping|end of my tether|at my wits|"
                               r"help with|help me|need help|some help|any help|advice|a break)\b")
UNWELL_LINE = "If you're worried they are unwell, call NHS 111 (free, day or night), or 999 if they are seriously ill."

_NEAR = re.compile(r"^(?:(?:im|i am|we are|were|we re|i live|we live|live) )?(?:(?:in|near|around|at|from) )?"
                   r"([a-z]{1,2}\d{1,2}[a-z]?)$")


def _outward_code_alone(text: str) -> str | None:
    """An outward code given for where they live ("rg40", "im in RG41"): found on the map, or None."""
    match = _NEAR.match(plain(text))
    if match is None:
        return None
    try:
        found = postcodes.lookup(match.group(1))
    except postcodes.PostcodeDataUnavailable:
        return None
    return found.postcode if found.found and found.kind == "outward" else None


def _not_on_the_map(postcode: str) -> bool:
    try:
        return postcodes.lookup(postcode).status == "not_found"
    except postcodes.PostcodeDataUnavailable:
        return False  # a deployment fault, not the person's postcode: say nothing about it to them
