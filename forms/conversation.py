"""The journeys of a text or web chat conversation, drawn from the same fields as /help and /report.

A conversation asks one field at a time, in an order that suits a phone: the worry first, services next,
details last. Each step is a schema `Field` (so the same cleaning, conditions and wording: `Field.sms`), plus
what only a conversation needs: the channel it is asked on, whether it belongs to the child, and what it
can be left out for. The dialogue itself (bot.dialogue) walks these steps; nothing here knows about Rasa.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from forms import referral as schema
from forms.consent import has_parental_responsibility
from forms.schema import Field, Sms, When

Channel = Literal["sms", "chat"]
# Steps that are the front door's own, not a referral field: services sent, then "would you like our team?".
SIGNPOST = "_signpost"
OFFER = "_offer"


@dataclass(frozen=True)
class Step:
    field: Field
    channel: Channel | None = None  # asked only on this channel (the phone number: by text we have it)
    child: bool = False  # the answer belongs to the (first) child
    when: When | None = None  # a further condition, beyond the field's own show_if
    unless_known: str | None = None  # left out when this answer is already known (an address if the postcode is)
    sms: Sms | None = None  # other words for this journey only (a young person is asked about themselves)
    page_when: When | None = None  # the condition of the web page the field is on: one rule on every channel

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def wording(self) -> Sms | None:
        return self.sms or self.field.sms

    def applies(self, answers: Mapping[str, Any], channel: str) -> bool:
        if self.channel and self.channel != channel:
            return False
        if self.unless_known and answers.get(self.unless_known) not in (None, "", []):
            return False
        if self.when is not None and not self.when.holds(answers):
            return False
        if self.page_when is not None and not self.page_when.holds(answers):
            return False
        return self.field.applies(answers)


@dataclass(frozen=True)
class ConversationJourney:
    name: str  # help | report | professional | young_person
    schema_journey: str  # the forms journey its referral belongs to
    kind: Literal["concern", "early_help"]
    steps: tuple[Step | str, ...]
    presets: tuple[tuple[str, str], ...] = ()  # answers a conversation never asks (who is writing)
    # Assumed until said otherwise: a child a family texts about has been born ("I'm pregnant" says otherwise).
    defaults: tuple[tuple[str, str], ...] = (("born", "yes"),)

    def fields(self) -> list[Step]:
        return [s for s in self.steps if isinstance(s, Step)]

    def context(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """What the steps' conditions read: the answers so far over the presets and defaults."""
        return {**dict(self.defaults), **dict(self.presets), **answers}

    def step(self, name: str) -> Step | None:
        return next((s for s in self.fields() if s.name == name), None)

    def shape(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Flat answers into the schema's shape: the child's answers become the first of `children`."""
        child_names = {s.name for s in self.fields() if s.child}
        top = {k: v for k, v in answers.items() if k not in child_names and not k.startswith("_")}
        child = {k: v for k, v in answers.items() if k in child_names}
        if child:
            top["children"] = [{**dict(self.defaults), **child}]
        top.update(dict(self.presets))
        return top


    def as_concern(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers so far as a concern about a child: what a red contact carries when danger is found
        mid-journey (who is writing, the child, how to reach them safely), whichever journey it was.
        A family asking for help is a parent or relative writing about their own child (CIN code 1A)."""
        given = {k: v for k, v in answers.items() if not k.startswith("_")}
        if self.kind == "concern":
            return self.shape(given)
        child_names = {s.name for s in self.fields() if s.child}
        child = {k: v for k, v in given.items() if k in child_names}
        if given.get("postcode"):
            child["postcode"] = given["postcode"]
        carried = ("referrer_name", "referrer_phone", "referrer_email", "safe_to_contact", "safe_contact_how",
                   "what_happened")
        kept: dict[str, Any] = {k: given[k] for k in carried if k in given}
        # A parent or relative asking for help for their own family.
        concern: dict[str, Any] = {**kept, "referrer_type": "public", "referrer_relationship": "family",
                                   "anonymous": "no", "parents_told": "yes"}
        if child:
            concern["children"] = [{**dict(self.defaults), **child}]
        if given.get("consent_agree") == "yes" and has_parental_responsibility(given):
            # Their own agreement to sharing, recorded as they gave it (a level-4 concern does not need it).
            concern.update({"consent": "yes", "consent_covers": ["children", "parents"],
                            "consent_given_by": given.get("referrer_name"),
                            "consent_given_by_relationship": "parent" if given.get("referrer_relationship") in
                            {"mother", "father"} else "carer_pr"})
        return concern


def with_said_age(answers: Mapping[str, Any], age: int | None) -> dict[str, Any]:
    """The child's age as the person said it ("my son is 4"), on the first child, where no date of birth says it:
    a text's report asks the child's name and where they live, not when they were born, so without this the
    contact read "age not known" for a child the conversation knew was 4 (the live probe)."""
    if age is None or not 0 <= age <= 18:
        return dict(answers)
    children = list(answers.get("children") or [{}])
    first = dict(children[0])
    if first.get("date_of_birth") or first.get("born") == "no" or first.get("age_said") not in (None, ""):
        return dict(answers)  # a date of birth, or the age question's own answer ("14 months"), says it better
    return {**answers, "children": [{**first, "age_said": age}, *children[1:]]}


def _step(page, name: str, **kwargs: Any) -> Step:
    """A field of a schema page, asked by text or chat only where the page itself would be shown on the web (a
    mother is never asked whether she has parental responsibility, on any channel)."""
    return Step(page.field(name), page_when=page.show_if, **kwargs)


# The child's age as the person says it, asked by text where no date of birth is known: a report by text asks the
# child's name and where they live, never when they were born, and the first thing a duty worker needs of a contact
# is whether the child is a baby or a teenager. Not a web form field (the web asks the date of birth); the dialogue
# reads the answer (bot.reader.ages_answering) and the contact keeps it as the age said (children[0].age_said).
AGE_SAID = Field("age_said", "How old is the child?", required=False, max_length=20, sms=Sms(
    "How old is the child? A guess is fine. Say not known if you don't know.",
    "Please reply with the child's age in years, like 7, or not known.",
    why="So our team knows how quickly to act, and which help fits the child's age."))
_BORN = When("born", ("yes",))


def _age_step(sms: Sms | None = None) -> Step:
    """The age, where no date of birth (or the age said in an earlier message) already gives it."""
    return Step(AGE_SAID, child=True, when=_BORN, unless_known="date_of_birth", sms=sms)


CHILD_HELP = schema.HELP_CHILD_PAGE
HELP = ConversationJourney(
    name="help", schema_journey="help", kind="early_help",
    steps=(
        _step(schema.HELP_NEEDED, "concern_categories"),
        _step(schema.HELP_CONTACT, "postcode"),
        SIGNPOST,
        OFFER,
        _step(schema.HELP_NEEDED, "what_happened"),
        _step(schema.HELP_ABOUT_YOU, "referrer_name"),
        _step(schema.HELP_ABOUT_YOU, "referrer_relationship"),
        _step(schema.HELP_PARENTAL_RESPONSIBILITY, "has_parental_responsibility"),
        _step(CHILD_HELP, "born", child=True),
        _step(CHILD_HELP, "first_name", child=True),
        _step(CHILD_HELP, "last_name", child=True),
        _step(CHILD_HELP, "date_of_birth", child=True),
        _age_step(Sms("How old is your child? A guess is fine. Say not known if you don't know.",
                      "Please reply with your child's age in years, like 7, or not known.",
                      why="So the help we suggest fits your child's age.")),
        _step(CHILD_HELP, "due_date", child=True),
        _step(CHILD_HELP, "school", child=True),
        _step(schema.HELP_CONTACT, "referrer_phone", channel="chat"),
        _step(schema.HELP_CONTACT, "safe_to_contact"),
        Step(schema.SAFE_CONTACT_HOW),
        _step(schema.HELP_CONTACT, "referrer_email"),
        _step(schema.HELP_CONSENT, "consent_agree"),
        _step(schema.HELP_CONSENT, "consent_limits"),  # never asked: taken from "yes but not the school"
        _step(schema.HELP_CONSENT, "pr_person_name"),
        _step(schema.HELP_CONSENT, "pr_person_agrees"),
    ),
)

CHILD = schema.CHILD_PAGE
REPORT = ConversationJourney(
    name="report", schema_journey="report", kind="concern",
    steps=(
        _step(schema.CONCERN, "what_happened"),
        _step(CHILD, "first_name", child=True),
        _age_step(),
        _step(CHILD, "postcode", child=True),
        _step(CHILD, "address", child=True, unless_known="postcode"),
        _step(schema.CONCERN, "child_location"),
        _step(schema.PUBLIC_DETAILS, "referrer_relationship"),
        _step(schema.PUBLIC_DETAILS, "anonymous"),
        _step(schema.PUBLIC_DETAILS, "referrer_name"),
        _step(schema.PUBLIC_DETAILS, "referrer_phone", channel="chat"),
        _step(schema.PUBLIC_DETAILS, "referrer_email"),
        _step(schema.PUBLIC_DETAILS, "safe_to_contact"),
        Step(schema.SAFE_CONTACT_HOW),
        _step(schema.PUBLIC_CONSENT, "parents_told"),
        _step(schema.PUBLIC_CONSENT, "parents_not_told_reason"),
    ),
    presets=(("referrer_type", "public"),),
)

PROFESSIONAL = ConversationJourney(
    name="professional", schema_journey="report", kind="concern",
    steps=(
        _step(schema.CONCERN, "what_happened"),
        _step(CHILD, "first_name", child=True),
        _step(CHILD, "last_name", child=True),
        _age_step(),
        _step(CHILD, "school", child=True),
        _step(CHILD, "postcode", child=True),
        _step(schema.CONCERN, "child_location"),
        _step(schema.PROFESSIONAL_DETAILS, "referrer_name"),
        _step(schema.PROFESSIONAL_DETAILS, "referrer_role"),
        _step(schema.PROFESSIONAL_DETAILS, "referrer_organisation"),
        _step(schema.PROFESSIONAL_DETAILS, "referrer_workplace"),
        _step(schema.PROFESSIONAL_DETAILS, "referrer_phone", channel="chat"),
        _step(schema.PROFESSIONAL_DETAILS, "referrer_email"),
        _step(schema.PROFESSIONAL_CONSENT, "parents_told"),
        _step(schema.PROFESSIONAL_CONSENT, "parents_not_told_reason"),
    ),
    presets=(("referrer_type", "professional"),),
)

# A child or young person telling us about themselves: the same report, asked about "you", not "the child".
YOUNG_PERSON = ConversationJourney(
    name="young_person", schema_journey="report", kind="concern",
    steps=(
        _step(schema.CONCERN, "what_happened", sms=Sms(
            "Can you tell me a bit about what is happening?", "Please tell me in a few words what is happening.",
            why="So the right person can help you.")),
        _step(CHILD, "first_name", child=True, sms=Sms(
            "What is your first name? Say not known if you would rather not say.",
            "Please reply with just your first name, or not known.", why="So our team knows who to help.")),
        _age_step(Sms("How old are you?", "Please reply with your age, like 14, or not known.",
                      why="So the right person can help you.")),
        _step(CHILD, "postcode", child=True),
        _step(CHILD, "address", child=True, unless_known="postcode", sms=Sms(
            "Where do you live? A street or postcode is fine. Say not known if you would rather not say.",
            "Please reply with a street or postcode, or not known.",
            why="So our team can find you if you need help.")),
        _step(schema.CONCERN, "child_location", sms=Sms(
            "Where are you now? For example at home, at school or at a friend's.",
            "Please tell me where you are now, like at home or at school.",
            why="So our team knows how quickly to help.")),
        _step(schema.PUBLIC_DETAILS, "referrer_phone", channel="chat", sms=Sms(
            "What number can we text you on? Reply SKIP if you would rather not say.",
            "Please reply with a UK mobile number, like 07700 900982, or SKIP.",
            why="So our team can get in touch with you.")),
        _step(schema.PUBLIC_DETAILS, "safe_to_contact", sms=Sms(
            "Is it safe for us to text or call you on this number? Reply YES or NO",
            "Please reply YES if it is safe for us to text you, or NO if someone else might see.",
            why="Someone else may read your phone. If it is not safe we will not text.")),
        Step(schema.SAFE_CONTACT_HOW, sms=Sms(
            "How can we reach you safely? For example a time, or a trusted adult's number. Reply NONE if you "
            "would rather we did not.", "Please tell me a safe time or way to reach you, or reply NONE.",
            why="So we only get in touch in a way that is safe for you.")),
        _step(schema.PUBLIC_CONSENT, "parents_told", sms=Sms(
            "Do your parents or carers know you are contacting us? Reply YES, NO or NOT SURE",
            "Please reply YES, NO or NOT SURE.", why="We will not tell them without talking to you first, "
            "unless we must to keep someone safe.")),
    ),
    presets=(("referrer_type", "public"), ("referrer_relationship", "self"), ("anonymous", "no")),
)

JOURNEYS = {j.name: j for j in (HELP, REPORT, PROFESSIONAL, YOUNG_PERSON)}
# Answers that only the person's own clear yes to this very question can give (domain.md: consent).
CONSENT_FIELDS = frozenset({"consent_agree", "pr_person_agrees"})


def menu(field: Field) -> str:
    """A numbered menu of a field's choices, in the schema's order: "1 behaviour or routines\\n2 ..."."""
    return "\n".join(f"{number} {choice.short or choice.label}" for number, choice in enumerate(field.choices, 1))
