"""The dialogue in plain Python (no Rasa, no Flask, no database): every field's question, re-ask, digression
and consent rule, per journey, from the forms/ schema."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot import dialogue, sms
from bot.dialogue import Context, FakePorts, decide
from bot.reader import Reading, understand
from forms import conversation as journeys
from forms import referral as schema
from forms.conversation import CONSENT_FIELDS, Step

OFFICE = Context(channel="sms", office_hours=True, mash_number="0118 496 0000", out_of_hours_number="01344 351 999",
                 public_url="https://frontdoor.example.org")
CHAT = dataclasses.replace(OFFICE, channel="chat")
NIGHT = dataclasses.replace(OFFICE, office_hours=False)


class Talk:
    """One conversation: say something, read the reply."""

    def __init__(self, ctx: Context = OFFICE, reading: Reading | None = None) -> None:
        self.ctx, self.reading = ctx, reading
        self.ports = FakePorts()
        self.state: dict[str, Any] | None = None
        self.replies: list[list[str]] = []

    def say(self, text: str) -> str:
        turn = decide(self.state, text, understand(text, self.reading), self.ctx, self.ports)
        self.state = turn.state
        self.replies.append(turn.replies)
        return " ".join(turn.replies)

    @property
    def asking(self) -> str | None:
        return (self.state or {}).get("asking")

    def to(self, field_name: str, *, journey: str = "help", limit: int = 30) -> str:
        """Answer sensibly until the dialogue asks `field_name` (its question is returned)."""
        script = SENSIBLE[journey]
        last = self.say(OPENING[journey])
        for _ in range(limit):
            if self.asking == field_name:
                return last
            assert self.asking in script, (self.asking, last)
            last = self.say(script[self.asking])
        raise AssertionError(f"never asked {field_name}")


OPENING = {"help": "i need some help please", "report": "i want to report a concern about a child",
           "professional": "im a teacher i want to make a referral", "young_person": "hi im 14"}
SENSIBLE = {
    "help": {"concern_categories": "1", "postcode": "RG40 1BN", "_offer": "yes", "what_happened": "tantrums",
             "referrer_name": "Sam Example", "referrer_relationship": "dad", "has_parental_responsibility": "no",
             "first_name": "Alex", "last_name": "Example", "date_of_birth": "4 3 2022", "school": "skip",
             "referrer_phone": "07700 900123", "safe_to_contact": "no",
             "safe_contact_how": "after 6pm when hes at work", "consent_agree": "yes",
             "pr_person_name": "Jo Example", "pr_person_agrees": "yes"},
    "report": {"what_happened": "they are left alone", "first_name": "Mia", "age_said": "7", "address": "12 Park Road",
               "child_location": "at home", "referrer_relationship": "neighbour", "anonymous": "no",
               "referrer_name": "Pat Example", "referrer_phone": "07700 900123", "safe_to_contact": "no",
               "safe_contact_how": "email only please", "parents_told": "no"},
    "professional": {"what_happened": "bruises", "first_name": "Mia", "last_name": "Example", "age_said": "about 9",
                     "child_location": "at school", "referrer_name": "Kim Example", "referrer_role": "class teacher",
                     "referrer_organisation": "Woodley Primary", "referrer_workplace": "1",
                     "referrer_phone": "07700 900123", "referrer_email": "kim@school.example.org",
                     "parents_told": "no", "parents_not_told_reason": "it could put her at risk"},
    "young_person": {"what_happened": "mum and her boyfriend argue", "first_name": "Jess", "age_said": "14",
                     "address": "Park Road",
                     "child_location": "at school", "referrer_phone": "skip", "safe_to_contact": "no",
                     "safe_contact_how": "text after school", "parents_told": "no"},
}


def asked_steps(journey: journeys.ConversationJourney, ctx: Context) -> list[Step]:
    return [s for s in journey.fields() if s.wording and s.wording.by_text
            and (s.channel is None or s.channel == ctx.channel)]


# --- the wording lives beside each field, and the menu is the schema's -----------------------------------------
def test_every_field_a_conversation_walks_has_its_sms_wording_in_gsm7():
    for journey in journeys.JOURNEYS.values():
        for step in journey.fields():
            wording = step.wording
            assert wording is not None, f"{journey.name}: {step.name} has no SMS wording in forms/referral.py"
            for text in (wording.ask, wording.reask, wording.why or "", wording.confirm or ""):
                assert sms.is_gsm7(text) and sms.gsm7_length(text) <= sms.TWO_SEGMENTS, (step.name, text)


def test_a_field_without_wording_fails_the_check(monkeypatch):
    bare = dataclasses.replace(schema.HELP_ABOUT_YOU.field("referrer_name"), sms=None)
    broken = dataclasses.replace(journeys.HELP, steps=(*journeys.HELP.steps, Step(bare)))
    monkeypatch.setitem(journeys.JOURNEYS, "help", broken)
    with pytest.raises(AssertionError, match="no SMS wording"):
        test_every_field_a_conversation_walks_has_its_sms_wording_in_gsm7()


def test_the_help_menu_is_built_from_the_schemas_categories_in_their_order(monkeypatch):
    talk = Talk()
    talk.say("i need some help")
    menu = talk.replies[-1][-1]
    expected = [f"{n} {c.short}" for n, c in enumerate(schema.HELP_CATEGORIES, 1)]
    assert menu.splitlines()[1:] == expected
    # Reorder the schema (not the menu): the menu follows, and "2" means the schema's second category.
    swapped = (schema.HELP_CATEGORIES[1], schema.HELP_CATEGORIES[0], *schema.HELP_CATEGORIES[2:])
    field = dataclasses.replace(schema.HELP_NEEDED.field("concern_categories"), choices=swapped)
    steps = tuple(Step(field) if isinstance(s, Step) and s.name == "concern_categories" else s
                  for s in journeys.HELP.steps)
    monkeypatch.setitem(journeys.JOURNEYS, "help", dataclasses.replace(journeys.HELP, steps=steps))
    talk = Talk()
    talk.say("i need some help")
    assert talk.replies[-1][-1].splitlines()[1] == "1 money, housing or debt"
    talk.say("1")
    assert talk.state["answers"]["concern_categories"] == ["family_stress"]


# --- each journey, every question: asked in its own words, re-asked with an example, never a third time --------
def _walked(journey: str) -> list[str]:
    """The fields a sensible conversation of this journey is asked, in order."""
    talk = Talk(CHAT)
    talk.say(OPENING[journey])
    asked = []
    while talk.asking in SENSIBLE[journey]:
        asked.append(talk.asking)
        talk.say(SENSIBLE[journey][talk.asking])
    assert talk.ports.handed, (journey, asked)
    return [name for name in asked if not name.startswith("_")]


JOURNEY_FIELDS = [(name, field_name) for name in journeys.JOURNEYS for field_name in _walked(name)]


def test_the_walks_cover_every_field_a_journey_asks_by_text():
    for name, journey in journeys.JOURNEYS.items():
        walked = set(_walked(name))
        never = {s.name for s in asked_steps(journey, CHAT)} - walked
        # Asked only on a branch the sensible walk does not take (a baby not yet born; a family already known; a
        # parent who did not give the date of birth is asked the age instead).
        assert never <= {"due_date", "referrer_workplace", "age_said"}, (name, never)


@pytest.mark.parametrize("journey, field_name", JOURNEY_FIELDS)
def test_each_question_is_asked_then_re_asked_and_never_the_same_reply_three_times(journey, field_name):
    talk = Talk(CHAT)
    question = talk.to(field_name, journey=journey)
    step = journeys.JOURNEYS[journey].step(field_name)
    assert step.wording.ask.split(" Reply with a number")[0] in question
    nonsense = "🙂🙂" if step.field.kind in {"text", "textarea"} else "purple elephants"
    replies = [talk.say(nonsense) for _ in range(3)]
    assert len(set(replies)) == 3, replies  # never the same reply a third time
    assert step.wording.reask.split(" Reply with a number")[0].rstrip(":") in replies[0]
    if field_name in CONSENT_FIELDS:
        assert field_name not in talk.state["answers"]  # consent is never assumed
    elif field_name not in dialogue.NEVER_SKIPPED:
        assert talk.asking != field_name  # after two misses the question is left out, and the next one asked


@pytest.mark.parametrize("journey, field_name", JOURNEY_FIELDS)
@pytest.mark.parametrize("question, kind", [
    ("will social services take my kids away?", "taken away"),
    ("why do you need that?", "why"),
    ("what happens now?", "next working day"),
    ("is this anonymous?", "anonymous"),
    ("can i talk to a real person please", "0118 496 0000"),
])
def test_a_question_at_any_question_is_answered_and_the_question_asked_again(journey, field_name, question, kind):
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    reply = talk.say(question)
    assert talk.asking == field_name, reply  # the question again, and the question is not the answer
    assert field_name not in talk.state["answers"]
    wording = journeys.JOURNEYS[journey].step(field_name).wording
    if kind == "why":
        assert (wording.why or "We ask so") in reply
    elif kind == "anonymous":
        assert "anonymous" in reply.lower()
    else:
        assert kind in reply
    if "person" in question:
        assert talk.ports.staff == ["asked_for_person"]


@pytest.mark.parametrize("journey, field_name", JOURNEY_FIELDS)
@pytest.mark.parametrize("said, lead", [("thanks", "You're welcome."), ("thank you so much", "You're welcome."),
                                        ("hi", "Hello again."), ("hello", "Hello again."),
                                        ("bye", "Take care. I will keep your answers."),
                                        ("thanks bye", "Take care. I will keep your answers.")])
def test_thanks_hello_or_bye_at_any_question_is_never_its_answer(journey, field_name, said, lead):
    """A probe: "bye" to "What is your child's first name?" was kept as the child's name, "hi" as the referrer's,
    and "thanks bye" as what happened. Said to a person, they get a person's reply and the same question."""
    talk = Talk(CHAT)
    question = talk.to(field_name, journey=journey)
    reply = talk.say(said)
    assert talk.asking == field_name, reply
    assert field_name not in talk.state["answers"]
    assert reply.startswith(lead), reply
    assert talk.ports.staff == []
    assert question  # the question was asked, and after the aside its answer still goes in
    talk.say(SENSIBLE[journey][field_name])
    assert talk.asking != field_name


@pytest.mark.parametrize("said, aside", [("ty", "thanks"), ("Thank you for your help", "thanks"),
                                         ("evening", None), ("night", None), ("hi my son is 4", None),
                                         ("ok bye", "goodbye"), ("hiya", "greet"), ("thank u", "thanks"),
                                         ("cheers mate", "thanks"), ("many thanks", "thanks"),
                                         ("bye for now", "goodbye"), ("speak soon", "goodbye")])
def test_social_words_alone_are_asides_and_a_time_of_day_is_not(said, aside):
    from bot.reader import digression
    assert digression(said) == aside


def test_ty_at_a_name_question_is_the_name_only_when_written_as_one():
    """A probe: "ty" to "What is the child's first name?" made a contact for a child called Ty, three times."""
    talk = Talk(CHAT)
    talk.to("first_name", journey="report")
    assert talk.say("ty").startswith("You're welcome.") and talk.asking == "first_name"
    talk.say("Ty")
    assert talk.state["answers"]["first_name"] == "Ty"


@pytest.mark.parametrize("journey, field_name", JOURNEY_FIELDS)
def test_what_do_you_mean_gets_the_question_in_other_words_within_two_texts(journey, field_name):
    """A tester: "what do you mean" got "I'll put it another way: So I can find the right services for you...", a
    reason where a rewording was promised. Now: what it is for, if it fits, and the question in its other words."""
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    reply = talk.say("what do you mean")
    assert talk.asking == field_name and field_name not in talk.state["answers"]
    assert "another way" not in reply and sms.gsm7_length(sms.to_gsm7("\n".join(talk.replies[-1]))) <= \
        sms.TWO_SEGMENTS
    step = journeys.JOURNEYS[journey].step(field_name)
    assert step.wording.reask.rstrip(":") in reply


def test_what_do_you_mean_at_the_early_help_offer_says_what_the_offer_is():
    talk = Talk()
    talk.to("_offer")
    reply = talk.say("what do you mean")
    assert talk.asking == "_offer" and "talk things through" in reply and "in your own words" not in reply


YES_NO_QUESTIONS = [(name, step.name) for name, journey in journeys.JOURNEYS.items() for step in journey.fields()
                    if any(c.value == "yes" for c in step.field.choices) and (name, step.name) in JOURNEY_FIELDS]


def test_every_yes_or_no_question_is_in_the_hedged_yes_checks():
    assert {f for _, f in YES_NO_QUESTIONS} >= {"consent_agree", "pr_person_agrees", "safe_to_contact",
                                               "has_parental_responsibility", "anonymous", "parents_told"}


@pytest.mark.parametrize("said", ["yes?", "Yes??", "ok?", "yes but not the school", "I think so", "maybe",
                                  "yeah i guess", "yes if i have to"])
@pytest.mark.parametrize("journey, field_name", YES_NO_QUESTIONS)
def test_a_yes_comes_only_from_a_clear_yes_at_every_yes_or_no_question(journey, field_name, said):
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    talk.say(said)
    assert talk.state["answers"].get(field_name) != "yes"
    for _, answers in talk.ports.handed:  # "maybe" may rightly be "not known", and a last question then hands off
        assert answers.get(field_name) != "yes"
    if field_name in CONSENT_FIELDS:
        assert talk.ports.handed == []


@pytest.mark.parametrize("said", ["yes?", "ok?", "I think so", "yes but not the school"])
def test_a_hedged_yes_to_the_early_help_offer_is_not_taken(said):
    talk = Talk()
    talk.say("i need some help please")
    talk.say("1")
    talk.say("RG40 1BN")
    assert talk.asking == "_offer"
    talk.say(said)
    assert talk.asking == "_offer" and talk.state["answers"].get("_offer") != "yes"


@pytest.mark.parametrize("said", ["yes", "Yes", "yes that's fine", "yeah", "YES.", "ok"])
def test_a_clear_yes_to_the_consent_question_is_consent(said):
    talk = Talk()
    talk.to("consent_agree")
    talk.say(said)
    talk.say("Jo Example")
    reply = talk.say("yes")
    assert talk.ports.handed and talk.ports.handed[0][1]["consent_agree"] == "yes"
    assert "FD-2026-000001" in reply


def test_no_to_consent_ends_without_a_contact_and_says_so():
    talk = Talk()
    talk.to("consent_agree")
    reply = talk.say("no")
    assert talk.ports.handed == [] and "not share anything" in reply


def test_a_parked_consent_is_taken_from_a_later_clear_yes():
    talk = Talk()
    talk.to("consent_agree")
    for said in ("hmm", "not sure what that means", "erm"):
        talk.say(said)
    assert talk.state["parked"] and "Reply YES at any time" in talk.replies[-1][-1]
    talk.say("yes")
    assert talk.state["answers"]["consent_agree"] == "yes"


@pytest.mark.parametrize("said, expected", [
    ("4 3 2022", "2022-03-04"), ("he was born 3rd march 2017", "2017-03-03"), ("march 2017", "2017-03-01"),
    ("4/3/21", "2021-03-04"), ("3rd of March 2019", "2019-03-03"), ("his birthday is 12th june 2020", "2020-06-12"),
    # a date first and more words after it (fresh batches, replies 6 and 7: each was asked for again)
    ("31st oct 2015 (halloween lol)", "2015-10-31"), ("14.2.2022 valentines baby", "2022-02-14"),
    ("1 8 2019 hes the middle one", "2019-08-01"), ("august 2017, cant remember the exact day", "2017-08-01"),
    ("18.11.19 same day as my nan lol", "2019-11-18")])
def test_dates_in_words(said, expected):
    talk = Talk()
    talk.to("date_of_birth")
    talk.say(said)
    assert talk.state["answers"]["date_of_birth"] == expected


def test_an_age_for_a_date_of_birth_is_noted_and_the_date_asked_for_again():
    talk = Talk()
    talk.to("date_of_birth")
    reply = talk.say("he's 4")
    assert "noted they are 4" in reply and talk.asking == "date_of_birth"


def test_a_sentence_is_not_a_name_and_is_kept_with_the_worry():
    talk = Talk()
    talk.to("referrer_name")
    talk.say("hes just really angry all the time and hits his sister")
    assert "referrer_name" not in talk.state["answers"]
    assert talk.state["extra"] == ["hes just really angry all the time and hits his sister"]
    talk.say("Sam Example")
    assert talk.state["answers"]["referrer_name"] == "Sam Example"


@pytest.mark.parametrize("journey", ["report", "help"])
@pytest.mark.parametrize(("said", "first", "others"), [
    ("Ruby and Jack", "Ruby", "Jack"), ("ruby n jack", "Ruby", "Jack"), ("Ruby, Jack and Mia", "Ruby", "Jack and Mia")])
def test_several_children_named_at_the_name_question_are_taken_the_first_asked_about(journey, said, first, others):
    """ "Ruby and Jack" was refused three times at the child's name question (a probe, session 15)."""
    talk = Talk()
    talk.to("first_name", journey=journey)
    reply = talk.say(said)
    assert talk.state["answers"]["first_name"] == first and talk.asking != "first_name"
    assert f"I will ask about {first} first" in reply and f"named {others} too" in reply
    assert any(others.split()[0] in note for note in talk.state["extra"]), "every child named reaches staff"


def test_a_childs_name_and_age_in_one_answer_are_both_kept():
    """ "Kai Thompson, 8" was refused at the child's first name (a probe, session 16)."""
    talk = Talk()
    talk.say("hi im a teacher at a primary school, worried about a pupil in year 3")
    assert talk.asking == "first_name"
    talk.say("Kai Thompson, 8")
    assert {k: talk.state["answers"].get(k) for k in ("first_name", "last_name", "age_said")} == {
        "first_name": "Kai", "last_name": "Thompson", "age_said": 8}
    for said in ("flat 4", "Road 8", "Prefer not 6"):
        flat = Talk()
        flat.to("first_name", journey="report")
        flat.say(said)
        assert flat.state["answers"].get("first_name") not in {"Flat", "Road", "Prefer"}, said
    aged = Talk()
    aged.to("first_name", journey="report")
    aged.say("Leo aged 6")
    assert (aged.state["answers"].get("first_name"), aged.state["answers"].get("age_said")) == ("Leo", 6)


@pytest.mark.parametrize("said", ["boy and girl", "him and her", "not sure and dont care"])
def test_words_joined_by_and_are_not_taken_as_childrens_names(said):
    talk = Talk()
    talk.to("first_name", journey="report")
    talk.say(said)
    assert talk.state["answers"].get("first_name") in (None, "") or talk.asking == "first_name"


@pytest.mark.parametrize(("said", "service"), [
    ("my dad has dementia and keeps wandering off, who deals with that", "adult social care"),
    ("my mums care package has been cut, shes 82, who do i ring", "adult social care"),
    ("wheres the form for changing my daughters school", "school admissions")])
def test_the_councils_other_services_are_named_not_only_what_we_do_not_do(said: str, service: str):
    """A question about a parent with dementia was told only "I can only help with worries about children" (a probe,
    session 15): the person is pointed to the team that does."""
    reply = Talk().say(said)
    assert f"the council's {service} team" in reply and "call 999" in reply


def test_a_message_meant_for_someone_else_and_out_of_scope_at_night_get_fitting_answers():
    """The probe: "oh god ignore that, was meant for my boyfriend" was told what we cannot help with, and at 4am the
    out-of-scope reply gave the office's number."""
    reply = Talk().say("oh god ignore that, was meant for my boyfriend")
    assert reply.startswith("No problem") and "only help" not in reply
    night = Talk(NIGHT).say("whos my councillor for hurst")
    assert NIGHT.mash_number not in night and NIGHT.out_of_hours_number not in night and "call 999" in night


@pytest.mark.parametrize("journey", ["professional", "report"])
def test_parents_not_told_with_the_reason_in_one_answer_is_not_asked_why_again(journey: str):
    """The probe: "no, not told them because of what he said about step dad" was asked "Why have they not been
    told?"."""
    talk = Talk()
    talk.to("parents_told", journey=journey)
    reply = talk.say("no, not told them because of what he said about step dad")
    assert "Why have they not been told" not in reply
    [(_, answers)] = talk.ports.handed
    assert answers["parents_told"] == "no" and "step dad" in answers["parents_not_told_reason"]


def test_an_answer_to_a_question_not_yet_asked_is_kept():
    talk = Talk()
    talk.to("referrer_name")
    talk.say("he was born 3rd march 2017")
    assert talk.state["answers"]["date_of_birth"] == "2017-03-03" and talk.asking == "referrer_name"


def test_several_facts_in_the_first_message_are_all_taken():
    talk = Talk()
    reply = talk.say("im struggling with my 4 year old's tantrums, we live in rg40 1bn")
    answers = talk.state["answers"]
    assert answers["concern_categories"] == ["parenting"] and answers["postcode"] == "RG40 1BN"
    assert talk.state["facts"]["age"] == 4
    assert "Services near you:" in reply and "postcode" not in reply.lower()  # not asked again


def test_a_teacher_about_a_pupil_is_a_professional_referral_not_early_help():
    talk = Talk()
    reply = talk.say("im a teacher and one of my pupils has bruises on her arms again")
    assert talk.state["journey"] == "professional" and "/report" in reply
    assert talk.state["answers"]["referrer_workplace"] == "school"
    assert "postcode" not in reply.lower()


def test_back_and_start_again():
    talk = Talk()
    talk.to("referrer_relationship")
    talk.say("go back")
    assert talk.asking == "referrer_name" and "referrer_name" not in talk.state["answers"]
    talk.say("Sam Example")
    reply = talk.say("start again")
    assert talk.state["journey"] is None and "start again" in reply


def test_dont_know_and_not_now():
    talk = Talk()
    talk.to("school")
    talk.say("dont know")
    assert "school" in talk.state["skipped"]
    question = talk.replies[-1][-1]
    reply = talk.say("not now")
    assert "keep your answers" in reply and question in reply


def test_asking_for_a_person_out_of_hours_gives_the_emergency_duty_number():
    talk = Talk(NIGHT)
    reply = talk.say("can i talk to a real person please")
    assert "01344 351 999" in reply and talk.ports.staff == ["asked_for_person"]


RED = dataclasses.replace(OFFICE, red=True)
RED_NIGHT = dataclasses.replace(NIGHT, red=True, next_open="at 9am on Monday")
# What a red conversation must never say: a form's question, a working-day promise, a dead end, the HELP blurb.
NOT_WHILE_RED = ("first name", "postcode?", "Reply with a number", "next working day", "can't answer that by text",
                 "Text STOP", "Monday to Friday", "did not understand", "not sure I understood")


def red_talk(ctx: Context = RED, **state: Any) -> Talk:
    talk = Talk(ctx)
    talk.state = {**dialogue.new_state(), "after_danger": True, **state}
    return talk


@pytest.mark.parametrize("ctx", [RED, RED_NIGHT], ids=["office", "night"])
@pytest.mark.parametrize("message", [
    "no one cares", "im fine", "RG40 1BN", "Ella", "14 birch road", "will social services take my kids away?",
    "what happens now", "why do you need that", "what is this number", "is this anonymous", "thanks", "ok",
    "😢", "she is safe right now, can someone call me tomorrow", "HELP", "start again", "go back",
    "i want to report a concern"])
def test_after_danger_every_turn_stays_with_safety(ctx: Context, message: str):
    """The review's finding: after danger the next message started a form ("no one cares" got "What is the
    child's first name?", "im fine" became a name, a child under the bed was told "next working day")."""
    talk = red_talk(ctx)
    talk.say("ok")  # the first message after the 999 advice
    reply = talk.say(message)
    assert "call 999" in reply
    assert (ctx.mash_number if ctx.office_hours else ctx.out_of_hours_number) in reply
    for unwanted in NOT_WHILE_RED:
        assert unwanted.lower() not in reply.lower(), (message, reply)
    assert talk.state["journey"] is None and not talk.state["answers"], "no form is being filled in"
    assert sms.gsm7_length(sms.to_gsm7(" ".join(talk.replies[-1]))) <= sms.TWO_SEGMENTS


def test_after_danger_the_first_reply_thanks_and_offers_a_person_and_to_keep_writing():
    talk = red_talk()
    reply = talk.say("RG40 1BN")
    assert reply.startswith("Thank you for telling us.") and "0118 496 0000" in reply and "keep writing" in reply
    assert talk.state["danger_followed"] and talk.state["journey"] is None


def test_after_danger_a_question_is_answered_and_a_request_for_a_person_reaches_staff():
    talk = red_talk(RED_NIGHT)
    assert "taken away" in talk.say("will social services take my kids away?")
    reply = talk.say("what happens now")
    assert "at 9am on Monday" in reply and "01344 351 999" in reply
    talk.say("she is safe right now, can someone call me tomorrow")
    assert talk.ports.staff == ["asked_for_person"]
    assert not talk.ports.handed, "nothing is handed off from a red conversation: its contact exists"


def test_after_danger_a_child_is_given_childline_and_someone_thinking_of_suicide_shout():
    child = red_talk(child_speaking=True)
    assert "0800 1111" in child.say("im under my bed")
    suicidal = red_talk(danger_categories=["suicide_self_harm"])
    assert "85258" in suicidal.say("no one cares")
    other = red_talk(danger_categories=["violence_now"])
    reply = other.say("hes gone out now")
    assert "85258" not in reply and "0800 1111" not in reply


def test_after_danger_details_offered_one_after_another_never_get_the_same_reply_three_times():
    talk = red_talk()
    for text in ("shes called Ella", "she is 6", "14 birch road", "RG40 1BN", "her dad is Mark", "he left at 8"):
        talk.say(text)
    replies = [" ".join(r) for r in talk.replies]
    for first, second, third in zip(replies, replies[1:], replies[2:], strict=False):
        assert not first == second == third


def test_after_danger_details_offered_in_passing_are_handed_to_the_red_contact_and_nothing_is_asked():
    talk = red_talk()
    talk.say("her name is Ella")
    talk.say("shes 6 and her brother is 9")  # two ages: whose is whose is for a person to read
    talk.say("we are at RG40 1BN")
    talk.say("Leo")  # a word alone may be anything
    assert talk.ports.offered == [{"children": [{"first_name": "Ella"}]}, {"child_location": "RG40 1BN"}]
    child = red_talk(child_speaking=True)
    child.say("im 10 and my name is sam")
    assert child.ports.offered == [{"children": [{"age_said": 10, "first_name": "Sam"}]}]
    adult = red_talk()
    adult.say("im 34 and im scared")
    assert adult.ports.offered == []
    # the probe's: other ways of saying it, more than one child, an address as written
    more = red_talk()
    more.say("the babys called Mia and shes 8 months")
    more.say("her names Ruby and his name is Jack")
    more.say("his name is Ollie, mum is Sarah Jones, we are at 22 Rose St RG40 3AA")
    assert more.ports.offered == [{"children": [{"first_name": "Mia", "age_said": 0}]},
                                  {"children": [{"first_name": "Ruby"}, {"first_name": "Jack"}]},
                                  {"children": [{"first_name": "Ollie"}], "child_location": "22 Rose St RG40 3AA"}]
    # a grown-up named, someone else's age, an adult's address (the review): nothing taken
    grown = red_talk()
    grown.say("his names Bob hes my ex")
    grown.say("her name is Sarah shes my sister, shes 30")
    grown.say("he lives at 22 Rose St RG40 3AA but the kids are with me now")
    assert grown.ports.offered == []
    sibling = red_talk(child_speaking=True)
    sibling.say("my name is Jay and my brother is 5")
    assert sibling.ports.offered == [{"children": [{"first_name": "Jay"}]}]
    reply = red_talk(RED_NIGHT).say("his name is Leo Smith hes 4")
    assert reply.startswith("Thank you") and "can answer that" not in reply, "details are thanked, not answered"


@pytest.mark.parametrize("question", ["do u need my address", "do you want the address?",
                                      "shall i send you where we live"])
def test_after_danger_asking_whether_we_need_the_address_is_answered(question: str):
    reply = red_talk().say(question)
    assert "send the address where the children are now" in reply and "call 999" in reply


def test_once_the_red_contact_is_closed_the_conversation_goes_on_like_any_other():
    talk = red_talk(dataclasses.replace(OFFICE, red=False))
    reply = talk.say("i need some help with my sons behaviour")
    assert talk.state["journey"] == "help" and not talk.state["after_danger"] and "postcode" in reply


def test_out_of_hours_the_general_answers_give_the_duty_team_not_office_hours():
    talk = Talk(dataclasses.replace(NIGHT, next_open="at 9am on Monday"))
    reply = talk.say("what does the council do with my data")
    # A question about the service waits for the office; the duty team is for emergencies.
    assert "when the office opens at 9am on Monday" in reply and "Monday to Friday" not in reply
    reply = Talk(dataclasses.replace(NIGHT, next_open="at 9am on Monday")).say("can i talk to a real person")
    assert "at 9am on Monday" in reply and "for the morning" not in reply


def test_after_a_hand_off_what_happens_now_is_answered_with_the_reference():
    talk = Talk(CHAT)
    talk.to("parents_told", journey="report")
    talk.say("no")
    assert talk.ports.handed and talk.ports.handed[0][1]["referrer_type"] == "public"
    reply = talk.say("what happens now")
    assert "next working day" in reply and "FD-2026-000001" in reply


def test_each_journey_hands_off_the_schema_shaped_referral():
    for journey in ("help", "report", "professional"):
        talk = Talk(CHAT)
        talk.to(list(SENSIBLE[journey])[-1], journey=journey)
        talk.say(SENSIBLE[journey][talk.asking])
        name, answers = talk.ports.handed[-1]
        assert name == journey
        assert answers["children"][0]["first_name"] in {"Alex", "Mia"}
        if journey != "help":
            assert answers["referrer_type"] == ("professional" if journey == "professional" else "public")


def test_every_reply_fits_two_text_messages():
    for journey in journeys.JOURNEYS:
        talk = Talk()
        talk.to(list(SENSIBLE[journey])[-1], journey=journey)
        for replies in talk.replies:
            assert sms.gsm7_length(sms.to_gsm7(" ".join(replies))) <= sms.TWO_SEGMENTS, replies


def test_rasas_confident_reading_routes_an_opening_message():
    talk = Talk(reading=Reading("find_service", 0.93, {}))
    reply = talk.say("anything on for toddlers round here")
    assert talk.state["journey"] == "help" and "look for that" in reply
    unsure = Talk(reading=Reading("find_service", 0.3, {}))
    unsure.say("blah blah")
    assert unsure.state["journey"] is None and unsure.asking == "_start"


def test_a_conversation_started_after_a_journey_left_half_way_says_welcome_back():
    talk = Talk()
    talk.state = {"welcome_back": "report"}
    reply = talk.say("hello")
    assert reply.startswith("Welcome back.") and "passed to our team" in reply
    assert "welcome_back" not in talk.state


def test_born_last_may_is_the_last_may_before_today():
    talk = Talk()
    talk.to("date_of_birth")
    talk.say("born last may")
    today = dialogue.london_today()
    year = today.year if today.month > 5 else today.year - 1
    assert talk.state["answers"]["date_of_birth"] == f"{year}-05-01"


def test_found_by_probing_dunno_a_date_alone_and_same_as_mine():
    talk = Talk()
    talk.to("first_name")
    talk.say("3rd march 2017")  # the date of birth, given before it is asked
    assert talk.state["answers"]["date_of_birth"] == "2017-03-03" and talk.asking == "first_name"
    talk.say("Alex")
    reply = talk.say("same as mine")  # not "Same As Mine": the referrer's own last name, given before
    assert talk.state["answers"]["last_name"] == "Example" and "Alex Example" in reply
    report = Talk()
    report.to("first_name", journey="report")
    report.say("dunno there names")
    assert "first_name" in report.state["skipped"]


@pytest.mark.parametrize("said", ["same as mine", "same as me", "same", "its the same as mine", "Same as me!"])
def test_same_as_mine_for_a_last_name_is_the_referrers_own(said: str):
    """A tester: "same as mine" for the child's last name was not understood."""
    talk = Talk()
    talk.to("last_name")
    assert talk.state["answers"]["referrer_name"] == "Sam Example"
    talk.say(said)
    assert talk.state["answers"]["last_name"] == "Example" and talk.asking != "last_name"


@pytest.mark.parametrize("journey, own", [("help", "Sam"), ("professional", None)])
def test_same_as_mine_before_the_referrers_last_name_is_known_asks_for_it(journey: str, own: str | None):
    talk = Talk(CHAT)
    talk.to("first_name", journey=journey)
    if own:
        talk.state["answers"]["referrer_name"] = own  # a first name only
    talk.say("Alex")
    assert talk.asking == "last_name"
    reply = talk.say("same as mine")
    assert talk.asking == "last_name" and "last_name" not in talk.state["answers"]
    assert "don't have your last name" in reply and "last name" in reply.split("last name.", 1)[1]
    talk.say("Example")
    assert talk.state["answers"]["last_name"] == "Example"


# --- consent and records (issue 10, the live probe) ---------------------------------------------------------------
@pytest.mark.parametrize("journey, field_name", [("young_person", "parents_told"), ("help", "safe_to_contact"),
                                                 ("report", "safe_to_contact"), ("help", "pr_person_agrees")])
@pytest.mark.parametrize("ack", ["ok", "okay", "k", "alright"])
def test_ok_acknowledges_but_answers_no_question_of_fact(journey: str, field_name: str, ack: str):
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    talk.say(ack)
    assert field_name not in talk.state["answers"] and talk.asking == field_name


def test_ok_is_agreement_to_the_question_that_asks_for_agreement():
    talk = Talk()
    talk.to("consent_agree")
    talk.say("ok")
    assert talk.state["answers"]["consent_agree"] == "yes"


@pytest.mark.parametrize("said", ["ok yes i agree", "okay i agree", "ok i agree to that", "alright yes i agree",
                                  "ok yes that's fine"])
def test_a_clear_agreement_after_ok_is_consent(said: str):
    """A tester: "ok yes i agree" was refused ("I need a clear YES or NO") though "ok yes" was taken."""
    talk = Talk()
    talk.to("consent_agree")
    talk.say(said)
    assert talk.state["answers"]["consent_agree"] == "yes"


@pytest.mark.parametrize("said", ["ok no", "ok yes i dont agree", "yes i dont agree", "i agree?", "ok maybe",
                                  "ok i guess", "okay yes if i have to"])
def test_an_ok_in_front_never_makes_a_hedged_or_negated_answer_consent(said: str):
    talk = Talk()
    talk.to("consent_agree")
    talk.say(said)
    assert talk.state["answers"].get("consent_agree") != "yes" and talk.asking == "consent_agree"


def test_ok_with_a_limit_is_the_limit_not_consent():
    talk = Talk()
    talk.to("consent_agree")
    reply = talk.say("ok but not his dad")
    assert "consent_agree" not in talk.state["answers"] and talk.state["answers"]["consent_limits"] == \
        "ok but not his dad" and "noted" in reply


def test_a_yes_with_a_limit_is_not_consent_but_the_limit_travels_with_the_consent_given_after_it():
    talk = Talk()
    talk.to("consent_agree")
    reply = talk.say("yes but not the school")
    assert "consent_agree" not in talk.state["answers"] and "noted" in reply and "Reply YES or NO" in reply
    talk.say("yes")
    while talk.asking in SENSIBLE["help"]:
        talk.say(SENSIBLE["help"][talk.asking])
    _, answers = talk.ports.handed[-1]
    assert answers["consent_agree"] == "yes" and answers["consent_limits"] == "yes but not the school"


def test_not_safe_to_text_asks_for_a_safe_way_and_none_is_an_answer():
    talk = Talk()
    talk.to("safe_to_contact")
    reply = talk.say("no")
    assert talk.asking == "safe_contact_how" and "safely" in reply
    talk.say("none")
    assert "safe_contact_how" in talk.state["skipped"] and talk.asking != "safe_contact_how"
    ring = Talk()
    ring.to("safe_contact_how")
    ring.say("ring me weekdays after 10am when hes at work")
    assert ring.state["answers"]["safe_contact_how"].startswith("ring me") and not ring.ports.staff
    safe = Talk()
    safe.to("safe_to_contact")
    safe.say("yes")
    assert safe.asking != "safe_contact_how"


@pytest.mark.parametrize("journey", ["help", "report", "young_person"])
@pytest.mark.parametrize("said", ["only after 6 when hes at work", "yes after 6pm", "yes but only text",
                                  "when hes at work", "not at weekends", "call me after 6",
                                  "text is fine but dont call", "during the day while shes at school"])
def test_a_safe_time_or_condition_is_not_freely_safe_and_is_kept_as_the_safe_way(journey: str, said: str):
    """A tester: "only after 6 when hes at work" to "Is it safe to call or text you? Reply YES or NO" was refused.
    It means not freely, only then: recorded as the schema's no, with their words as the safe way, never a yes."""
    talk = Talk(CHAT)
    talk.to("safe_to_contact", journey=journey)
    talk.say(said)
    answers = talk.ports.handed[-1][1] if talk.ports.handed else talk.state["answers"]
    assert answers["safe_to_contact"] == "no" and answers["safe_contact_how"] == said
    assert talk.asking not in {"safe_to_contact", "safe_contact_how"} and not talk.ports.staff
    assert schema.safe_contact_words(answers) == f"Not safe to call or text. {said}"


@pytest.mark.parametrize("said, asking", [("yes any time", None), ("yes its my only phone", "safe_to_contact"),
                                          ("what if he sees it?", "safe_to_contact"), ("no", "safe_contact_how")])
def test_a_plain_answer_or_a_question_about_safe_contact_is_not_a_safe_time(said: str, asking: str | None):
    talk = Talk()
    talk.to("safe_to_contact")
    talk.say(said)
    assert "safe_contact_how" not in talk.state["answers"]
    if asking:
        assert talk.asking == asking
    else:
        assert talk.state["answers"]["safe_to_contact"] == "yes"


def test_a_date_of_birth_that_contradicts_the_age_given_is_asked_again_not_taken():
    """Found by the live probe: "hes 2" then "born last may" stored a baby's date (and an under-one flag)."""
    talk = Talk()
    talk.to("date_of_birth")
    talk.state["facts"]["age"] = 2
    reply = talk.say("born last may")
    assert "date_of_birth" not in talk.state["answers"] and talk.asking == "date_of_birth"
    assert "You said they are 2" in reply
    today = dialogue.london_today()
    talk.say(f"born may {today.year - 2}")
    assert talk.state["answers"]["date_of_birth"] == f"{today.year - 2}-05-01"


def test_a_month_and_year_is_kept_as_rough_and_staff_are_told_so():
    talk = Talk()
    talk.to("date_of_birth")
    reply = talk.say("march 2017")
    assert "March 2017" in reply and "1 March 2017" not in reply
    while talk.asking in SENSIBLE["help"]:
        talk.say(SENSIBLE["help"][talk.asking])
    _, answers = talk.ports.handed[-1]
    assert answers["children"][0]["date_of_birth"] == "2017-03-01"
    assert "without a day" in answers["what_happened"] and "march 2017" in answers["what_happened"]


@pytest.mark.parametrize("message, workplace", [
    ("15yo pt came in today, says a 24 yr old man gives her drugs and money", "other_health"),
    ("PC Jones here, attended a DA incident at the address last night, 2 children present", "police"),
    ("we attended a domestic at the flat last night and the kids were there", "police"),
])
def test_clinicians_and_police_writing_as_they_write_are_professionals(message: str, workplace: str):
    """Found by the live probe: a GP's patient and a police officer's DA report went down early help."""
    talk = Talk()
    talk.say(message)
    assert talk.state["journey"] == "professional"
    assert talk.state["answers"]["referrer_workplace"] == workplace


@pytest.mark.parametrize("message, journey", [("the patient next door shouts at her kids", "report"),
                                              ("my patience is gone with my 3 year old", "help")])
def test_patience_and_a_patient_neighbour_are_not_clinicians(message: str, journey: str):
    talk = Talk()
    talk.say(message)
    assert talk.state["journey"] == journey


def test_domestic_abuse_by_an_ex_is_read_as_domestic_abuse_and_attended_is_not_school():
    talk = Talk()
    reply = talk.say("my ex keeps turning up and threatening me, im scared for the kids")
    assert "domestic_abuse" in talk.state["answers"]["concern_categories"] and "0808 2000 247" in reply
    police = Talk()
    police.say("PC Jones here, attended a DA incident last night")
    assert "school_attendance" not in str(police.state)


def test_a_help_journey_turned_red_keeps_only_the_agreement_the_person_gave_themselves():
    answers = {"referrer_name": "Sam Example", "referrer_relationship": "mother", "has_parental_responsibility": "yes",
               "consent_agree": "yes", "first_name": "Mia", "postcode": "RG40 1BN", "_offer": "yes"}
    concern = journeys.HELP.as_concern(answers)
    assert (concern["consent"], concern["consent_given_by"], concern["consent_given_by_relationship"]) == (
        "yes", "Sam Example", "parent")
    assert concern["children"] == [{"born": "yes", "first_name": "Mia", "postcode": "RG40 1BN"}]
    relayed = journeys.HELP.as_concern({**answers, "has_parental_responsibility": "no", "pr_person_agrees": "yes"})
    assert "consent" not in relayed  # someone else's agreement, passed on, is not recorded as given


@pytest.mark.parametrize("text, entity, age", [("1", "1", None), ("2 and 4", "2", None),
                                               ("his mum. he was born 2 march 2018", "2", None),
                                               ("my lad turned four in june", "four", 4)])
def test_the_models_age_is_taken_only_where_the_words_can_hold_an_age(text: str, entity: str, age: int | None):
    """Found by the scripted conversations: Rasa tagged a menu answer "1" and the day of a date as a child's age,
    and a true date of birth was then refused as not fitting that age."""
    from bot.reader import facts

    assert facts(text, entities={"child_age": [entity]}).age == age


# --- the second live review (issue 10) -----------------------------------------------------------------------------
@pytest.mark.parametrize("message, wanted, unwanted", [
    ("i cant call hes downstairs", "press 55", "told our team you want to talk"),
    ("i dont want to talk to anyone on the phone", "press 55", "told our team you want to talk"),
    ("can u send someone", "can't send anyone", "told our team you want to talk"),
    ("whats shout", "text SHOUT to 85258", "can answer that"),
    ("pls dont tell my mum", "without talking to you first", "passed that"),
    ("do i have to give my name", "anonymous", "keep you and the children safe"),
    ("do you need anything else from me", "Nothing else is needed", "can answer that"),
])
def test_after_danger_what_people_say_gets_its_own_answer(message: str, wanted: str, unwanted: str):
    talk = red_talk(RED_NIGHT, danger_categories=["violence_now"])
    talk.say("ok")
    reply = talk.say(message)
    assert wanted in reply and unwanted not in reply, reply
    assert "call 999" in reply


def test_after_danger_out_of_hours_nothing_promises_someone_is_reading_now():
    talk = red_talk(RED_NIGHT)
    replies = [talk.say(text) for text in ("ok", "hes gone out", "she is asleep now", "hes back", "help")]
    for reply in replies:
        assert "straight away" not in reply and "with our team now" not in reply and "first." not in reply
    assert any("at 9am on Monday" in reply for reply in replies)


def test_after_danger_a_child_asking_if_they_will_be_taken_away_is_answered_as_a_child_with_childline():
    talk = red_talk(child_speaking=True)
    talk.say("ok")
    reply = talk.say("will i get taken away from my mum")
    assert "you will be taken away" in reply and "0800 1111" in reply and "your children" not in reply


def test_yes_with_a_question_mark_at_the_early_help_offer_is_not_a_question_for_the_duty_team():
    talk = Talk(NIGHT)
    talk.to("_offer")
    reply = talk.say("yes?")
    assert "fine to say no" in reply and "01344 351 999" not in reply and talk.asking == "_offer"


@pytest.mark.parametrize("field_name, journey, said", [
    ("first_name", "report", "they look hungry and dirty, the little one is about 3"),
    ("last_name", "help", "born last may"),
    ("referrer_name", "professional", "response officer"),
    ("child_location", "report", "12/08/2011"),
    ("referrer_organisation", "professional", "pc.jones@police.example.org"),
    # a tester: a time, a number or a yes is not a school or a name
    ("school", "help", "about 4 years ago in june"),
    ("school", "help", "since last year"),
    ("school", "help", "12"),
    ("school", "help", "yes"),
    ("school", "help", "ok"),
    ("first_name", "help", "last week"),
    ("referrer_name", "help", "yesterday"),
    ("last_name", "help", "2 weeks ago"),
    ("child_location", "report", "about a year ago"),
])
def test_answers_that_are_not_what_was_asked_are_not_stored_as_it(field_name: str, journey: str, said: str):
    """Found by the review: a child named "Dirty", "Tyler Born Last May", a full name "Response Officer", a
    date of birth as where the child is, an e-mail address as an organisation."""
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    talk.say(said)
    assert field_name not in talk.state["answers"]


@pytest.mark.parametrize("field_name, said, kept", [
    ("school", "Woodley Primary", "Woodley Primary"), ("school", "year 4 at the oaks", "year 4 at the oaks"),
    ("first_name", "June", "June"), ("first_name", "may", "May"), ("referrer_name", "April Example", "April Example"),
    ("referrer_name", "Summer Day", "Summer Day"), ("referrer_name", "april may", "April May"),
])
def test_a_name_or_school_that_has_a_time_word_in_it_is_still_taken(field_name: str, said: str, kept: str):
    talk = Talk()
    talk.to(field_name)
    talk.say(said)
    assert talk.state["answers"][field_name] == kept


@pytest.mark.parametrize("journey", ["help", "report", "professional", "young_person"])
@pytest.mark.parametrize("said", ["sam", "Sam", "its me", "my son", "hi there", "ok then", "not much", "i need help"])
def test_a_name_or_a_couple_of_empty_words_is_not_what_is_happening(journey: str, said: str):
    """A tester: "sam" to "Tell me a bit more about what is happening" was taken as the worry."""
    talk = Talk(CHAT)
    talk.to("what_happened", journey=journey)
    reply = talk.say(said)
    assert talk.asking == "what_happened" and "what_happened" not in talk.state["answers"]
    # asked kindly, not told it was wrong ("hi there" is greeted back, then the same question)
    assert ("a few words" in reply or reply.startswith("Hello again.")) and "didn't catch" not in reply


@pytest.mark.parametrize("said", ["hes hitting her", "she is left alone", "tantrums", "bruises", "drinking",
                                  "his dad hits", "everything is too much"])
def test_a_short_answer_that_says_something_is_what_is_happening(said: str):
    talk = Talk()
    talk.to("what_happened")
    talk.say(said)
    assert talk.state["answers"]["what_happened"] == said


def test_a_name_the_conversation_already_has_is_not_what_is_happening():
    talk = Talk(CHAT)
    talk.to("what_happened")
    talk.state["answers"]["referrer_name"] = "Zebedee Example"  # not a common name: known from the conversation
    talk.say("zebedee")
    assert "what_happened" not in talk.state["answers"]


def test_a_gp_writing_as_gps_write_is_a_gp():
    talk = Talk()
    talk.say("GP in Woodley. 15yo pt disclosed self harm and cannabis use, parents unaware. Advice on referral pls")
    assert talk.state["answers"].get("referrer_workplace") == "gp"


def test_not_yet_is_a_no_and_dont_know_with_a_reason_is_dont_know():
    """Found by the second review: "not yet, i will tell her tomorrow" at "do your parents know?" was a miss,
    and "dont know the postcode we just moved" was counted as a wrong answer."""
    talk = Talk(CHAT)
    talk.to("parents_told", journey="report")
    talk.say("not yet, i will tell her tomorrow")
    assert talk.ports.handed[-1][1]["parents_told"] == "no"  # the last question: the report went with it
    from bot.reader import digression

    assert digression("dont know the postcode we just moved") == "dont_know"


@pytest.mark.parametrize("text, ages", [
    ("kids are 4 and 1, its freezing in here", [4, 1]),
    ("my 12 and 10 yr olds are home alone til i get back at 7am", [12, 10]),
    ("my brother hit me today, hes 16 im 12", [16, 12]),
    ("ollie (7) is being bullied at school", [7]),
    ("shes 18 months, is that a phase", [1]),
    ("a newborn and a 3 yr old", [0, 3]),
    ("i cant tell my mum bc she has enough going on. im 13", [13]),
    ("fourteen", [14]),
    # not ages: a menu pick, hours, a count of children, a pregnancy, a time, a year group, a baby brother, "my baby"
    # with no age (the evaluation set's rule: people call a toddler or the youngest "the baby"; the age is asked)
    ("my baby is grey and floppy", []), ("the baby wont settle", []),
    ("2 and 4", []), ("ive had about 2 hours sleep", []), ("mum of 3 here", []), ("im 16 weeks pregnant", []),
    ("due in about 10 wks", []), ("mum goes out about 7", []), ("in year 9", []), ("me and my baby brother", []),
    ("my sons 6 and wont sleep", [6]), ("a girl of 13 hanging round with older men", [13]), ("my 2 kids", []),
    # said after who the child is, a birthday to come, two ages in brackets or between commas, "me and my sister"
    ("my son whos 13 keeps running off", [13]), ("my lad is fifteen and smoking weed", [15]),
    ("my 2 boys (5 and 7) fight constantly", [5, 7]),
    ("my kids fight all the time, 8 and 10, any courses", [8, 10]), ("me and my brother are 12 and 9", [12, 9]),
    ("my lad turned 4 last week", [4]), ("my 4yo wont eat", [4]), ("shes in yr 9", []),
    ("my son is one of the best in his class", []),
])
def test_every_childs_age_a_message_gives(text: str, ages: list[int]):
    from bot.reader import child_ages, plain

    assert sorted(child_ages(plain(text), text)) == sorted(ages)


@pytest.mark.parametrize("text, ages", [
    # "years" mistyped, a sibling or a friend, a guess set off by commas, a pupil between commas, "going on"
    ("my 8 yeras old wont sleep", [8]), ("her 5yr0 has nits again", [5]),
    ("my little brother is seven and scared", [7]),
    ("a lad, probably about 11, was throwing stones", [11]), ("pupil, 13, disclosed at lunch", [13]),
    ("year 4. 8yr old boy with no coat", [8]), ("4 going on 40", [4]), ("she was maybe 9 and on her own", [9]),
    # a range is one guess: its lower end
    ("looks about 9-10", [9]), ("somewhere between 6 and 8", [6]), ("hes maybe 6 or 7", [6]),
    # a baby's age in words, days, or without a number
    ("nine months", [0]), ("the twins are ten weeks old", [0]), ("she is 4 days old", [0]),
    ("a newborn and no help at all", [0]), ("under a year", [0]), ("my twenty month old", [1]),
    # an answer that is an age and the words around it
    ("about 14 i think", [14]), ("twelve why", [12]), ("five, 6 in march", [5]), ("3 and a half nearly 4", [3]),
    ("2 years 6 months", [2]), ("my 2 n 4 yr olds", [2, 4]), ("5 n a half", [5]), ("nine and a bit", [9]),
    ("3 1/2", [3]), ("dunno maybe 12", [12]), ("theyre both 7", [7]), ("eldest 13, youngest 8", [13, 8]),
    ("we have 2 girls 9 & 5", [9, 5]), ("the lad at number 4 is only about 10", [10]), ("a girl, 6ish, crying", [6]),
    ("hes in year 5 so about 9 or 10", [9]), ("my grandaughter is twelve", [12]), ("a couple of weeks old", [0]),
    ("the kids are 9, 4 and 20 months", [9, 4, 1]),
    # not a child's age now: a past age, a weight, a share, a home's size, a wait, a distance, a menu pick
    # an age to come is a year more than the age now; a half is the whole years
    ("hell be 5 in june and still not talking", [4]), ("my girl is almost 9", [8]), ("shes 10 nearly 11", [10]),
    ("he turns 14 in april", [13]), ("my lad's 7 in august", [6]), ("11 next month", [10]), ("my son is 8 1/2", [8]),
    ("three, four in the spring", [3]), ("she'll be 12 on saturday", [11]),
    # the child, then the age; "a son of"; a clinician's months and weeks; a baby said to be one
    ("girl 9, boy 6, both off school", [9, 6]), ("my eldest 16 has moved out", [16]), ("a daughter of 14", [14]),
    ("8/12 old boy, mum low", [0]), ("2/52 baby, feeding poorly", [0]), ("hes only a baby", [0]),
    ("my lot are 4 and 6 and never stop", [4, 6]), ("new born twins and a 5yo", [0, 5]),
    ("i was in foster care from age 9", []), ("my son is 7 stone", []), ("she is 1 of 5", []),
    # an adult's age or an age gap, never a child's: 18 is an adult
    ("my 18 yr old wont get a job", []), ("my eldest is 18", []), ("he is 15 years older than me", []),
    ("shes 3 years younger than her brother", []), ("she will be 5 minutes", []),
    ("hes going to be 10 in july", [9]), ("she'll turn 6 next week", [5]), ("almost 18 and wants to leave", [17]),
    ("a baby of 7 months", [0]), ("waited nearly 3 weeks for a call", []), ("at 3 years old he was diagnosed", []),
    ("she is 12 weeks postnatal", []), ("the bus at 7.15", []), ("nearly 3 years on the list", []),
    ("3 kids, 2 bedroom flat", []), ("the waiting list is 2 years", []), ("they live 3 streets away", []),
    ("he is 3 times her size", []), ("7 i think", []), ("clubs for 6-10s", []), ("my eldest 2 are at school", []),
    ("my daughter is 3 weeks late for her jabs", []), ("we've been here 2 years and 3 months", []),
])
def test_ages_as_people_type_them(text: str, ages: list[int]):
    """Forms found by a batch of messages written for issue 12 before the age patterns were read (the development
    part's child_age F1 was 0.97, the held-out part's 0.83): written here in other words, as forms, not sentences."""
    from bot.reader import facts

    found = facts(text)
    assert sorted(set(found.ages) | ({found.age} if found.age is not None else set())) == sorted(ages)


@pytest.mark.parametrize("text, ages", [
    # a guess between two ages a year or two apart is the lower: alone, after "so"/"is", or "N, maybe M"
    ("14 or 15", [14]), ("six or seven", [6]), ("shes in year 8 so 12 or 13", [12]), ("um 9 i reckon, maybe 10", [9]),
    ("she looks 3, maybe 4", [3]), ("he is 10 or maybe 11", [10]),
    # never a menu's picks, a count, a time or a pregnancy: the unit is for both numbers
    ("2 or 3", []), ("she comes round 3 or 4 times a week", []), ("home by 9 or 10 pm", []),
    ("shes 5 or 6 months pregnant", []), ("he is 7 or 8 months old", [0]), ("we need 3 or 4 bedrooms", []),
    # an age to come ("coming up", "in a few weeks"), a birthday to come or gone, a clinician's "Ny", "abt"
    ("coming up to 12", [11]), ("hes coming up 6", [5]), ("11 in a couple of weeks", [10]),
    ("its his 9th birthday on friday", [8]), ("her 14th bday was yesterday", [14]), ("my 40th birthday is soon", []),
    ("YP (DOB 03/03/2012, 14y) seen in clinic", [14]), ("infant 1y 2m, weight faltering", [1]),
    ("worked there 10y of my life", []), ("abt 8 i think", [8]),
    # twins or triplets of one age; an infant's or a baby's months; a school year beside an age in an answer
    ("triplets aged 5", [5]), ("an infant of 3 months", [0]), ("babys 11 wks and has a rash", [0]),
    ("twelve, in year 7", [12]), ("10 (yr 5)", [10]),
    # after who the child is and other words, "who must be about N"
    ("the girl by the shops who must be about 11", [11]), ("the bloke who must be about 40", []),
    # a list of ages as the last words, after a comma and words about the children; names then their ages or months
    ("the kids are all under 12, 11 6 and 4", [11, 6, 4]), ("there are 2 of them, 3 and 5", [3, 5]),
    ("Ella and Zac, 4 & 8", [4, 8]), ("Noah, 7 months", [0]), ("Ruby. 20 months", [1]),
    ("i did steps 1, 2 and 3", []), ("ring at 4, 5 and 6", []), ("Amy and Ben, 2 and 3 weeks ago", []),
    # an age after an emoji at the end
    ("too clever for her own good 🙄 9", [9]),
])
def test_ages_as_people_type_them_fourth_batch(text: str, ages: list[int]):
    """Forms the fourth fresh batch ("ages 4", written before the age reading was read) found unread, in other words:
    its honest score was F1 0.910 (recall 0.840), the development part's 0.984."""
    from bot.reader import facts

    found = facts(text)
    assert sorted(set(found.ages) | ({found.age} if found.age is not None else set())) == sorted(ages)


@pytest.mark.parametrize("text, ages", [
    # numbers that are no child's age: years as a time gone or waited, a score, a count after "there were", a course or
    # a check that lasts weeks, a mental or reading age
    ("we have waited for 3 yrs for an assessment", []), ("in 2 yrs nothing has changed", []),
    ("its been 5 yrs since her dad left", []), ("4 yrs ago she moved out", []), ("been married 6 yrs", []),
    ("he got 3 yrs for dealing", []), ("her daughter is 8/10 for reading and 2/10 for maths", []),
    ("the food was 4/5", []), ("there were 6 ambulances outside", []), ("they were 3 in the back seat", []),
    ("the 6 week parenting programme", []), ("a 20 week waiting list", []), ("at her 8 week check", []),
    ("only 3 weeks till the hearing", []), ("he has a reading age of 7", []), ("her mental age is about 9", []),
    ("mental age 6, hes 19", []),
    # the forms that are ages: a parent under 18 written as professionals write ("mum 16"), twins "who are" months,
    # "the other about N", a newborn's days, an age now then the one to come, a birthday a time away, an answer
    # that begins with an age in words, names with who the second child is
    ("baby 3/12, mum 16, dad 21", [0, 16]), ("dad 30, mum 41", []), ("my twins who are 20 months", [1]),
    ("both kids are out, one is at school and the other about 7", [7]), ("baby is 9 days and jaundiced", [0]),
    ("shes only 4 days", [0]), ("the baby comes 3 days a week", []), ("16, 17 in july", [16]),
    ("twelve, 13 next month", [12]), ("3 weeks off his 8th birthday", [7]), ("she stayed till her 5th birthday", []),
    ("Seven. His brother is 3", [7, 3]), ("Mia and her little brother Jack, 9 and 2", [9, 2]),
])
def test_ages_as_people_type_them_fifth_batch(text: str, ages: list[int]):
    """Forms the fifth fresh batch ("ages 5", written before the age reading was read, aimed at numbers that are not a
    child's age) found misread, in other words: its honest score was F1 0.886 (precision 0.904, recall 0.868)."""
    from bot.reader import facts

    found = facts(text)
    assert sorted(set(found.ages) | ({found.age} if found.age is not None else set())) == sorted(ages)


@pytest.mark.parametrize("text, ages", [
    # a professional's sex and age ("M 7", "F 14"); never a motorway or a flat
    ("Referral for M 9, DOB 01/05/2017, bruising seen today", [9]), ("yp: F 15 (dob 2011)", [15]),
    ("child F6; known to the school nurse", [6]), ("stuck on the M4, can you ring back", []),
    ("Re M4 roadworks near the school", []), ("flat F 12, second floor", []),
    # the age as "have/has N years", as many whose first language is not English write it; never years still to go
    ("my son have 11 years, he is angry always", [11]), ("my girl has 6 years and she cry every night", [6]),
    ("my son has 3 years left at school", []), ("my daughter has 2 years of college to do", []),
    # a child named, then 's and the age; never a time, a count or "there's"
    ("Our Mason's 7, he wont sleep", [7]), ("Lily-Mae's 3 and still in nappies", [3]), ("Jack's 2 kids", []),
    ("There's 4 and they're all under 10", []), ("Asda's 24 hours", []),
    # "now", a relative's 's, an adjective before "boy of", grandchildren's and nephews' lists
    ("we adopted her at 3, shes now 10", [10]), ("my niece's 12 and pregnant", [12]), ("a young girl of 11", [11]),
    ("my granddaughters 8 and 5 live with me", [8, 5]), ("it is now 3 weeks since", []),
    # a guess after which one or where the child lives; a birthday on a day of the week (the day before it: one less)
    ("the big one maybe 12, the little one about 6", [12, 6]), ("girl next door maybe 9 or 10", [9]),
    ("hes 8 on saturday", [7]), ("she's 14 tomorrow", [13]), ("meet at 5 on friday", []), ("there's 3 on friday", []),
])
def test_ages_as_people_type_them_sixth_batch(text: str, ages: list[int]):
    """Forms the sixth fresh batch ("ages 6", a realistic mix written before the age reading was read) found misread,
    in other words: its honest score was F1 0.946 (precision 0.992, recall 0.903)."""
    from bot.reader import facts

    found = facts(text)
    assert sorted(set(found.ages) | ({found.age} if found.age is not None else set())) == sorted(ages)


@pytest.mark.parametrize("text, born", [("12.11.19", "2019-11-12"), ("2015-08-21", "2015-08-21"),
                                        ("christmas day 2020", "2020-12-25"), ("1/2/18", "2018-02-01"),
                                        ("9th july last year... 2024", "2024-07-09"),
                                        ("4th july 2019 i think", "2019-07-04"),
                                        ("mum to be, due 14/02/2026, first baby, feeling very alone", "2026-02-14"),
                                        ("dob 01/02/2015 hes autistic and not sleeping", "2015-02-01")])
def test_a_date_of_birth_written_as_people_write_it(text: str, born: str):
    from bot.reader import facts

    assert facts(text).date_of_birth == born


@pytest.mark.parametrize("text", ["he hit her on 3rd november 2025 and shes scared", "we are due to move on 12/12/2025",
                                  "my appointment is on 12/11/2025 at the surgery"])
def test_a_date_in_a_long_message_is_no_date_of_birth_unless_it_says_so(text: str):
    from bot.reader import facts

    assert facts(text).date_of_birth is None


def test_a_town_named_in_the_first_message_is_where_services_are_found_and_no_postcode_is_asked():
    talk = Talk()
    reply = talk.say("im struggling with my 4 year olds tantrums, we live in woodley")
    assert "Services near you:" in reply and "postcode" not in reply.lower()
    assert talk.ports.searched[-1] == {"categories": ["parenting"], "age": 4, "postcode": "RG5"}


def test_a_town_for_the_postcode_question_finds_services_near_it():
    talk = Talk()
    reply = talk.say("im struggling with my 4 year olds tantrums")
    assert "postcode" in reply.lower()
    reply = talk.say("lower earley")
    assert "look near Lower Earley" in reply and "Services near you:" in reply
    assert talk.ports.searched[-1]["postcode"] == "RG6"


@pytest.mark.parametrize("said", ["rg40", "RG40", "im in rg40", "near RG40"])
def test_an_outward_code_for_the_postcode_question_finds_services_near_it(said: str):
    """A probe: "rg40" by text was refused ("reply with your full postcode") while /services takes it."""
    talk = Talk()
    talk.say("im struggling with my 4 year olds tantrums")
    reply = talk.say(said)
    assert "look near RG40" in reply and "Services near you:" in reply
    assert talk.ports.searched[-1]["postcode"] == "RG40"


@pytest.mark.parametrize("said", ["rg99", "i live near the m4", "rg40 1"])
def test_what_is_no_outward_code_on_the_map_is_asked_again(said: str):
    talk = Talk()
    talk.say("im struggling with my 4 year olds tantrums")
    reply = talk.say(said)
    assert talk.asking == "postcode" and "full postcode" in reply and not talk.ports.searched


def test_a_postcode_that_is_not_on_the_map_is_said_so_not_called_near_you():
    """A probe: RG99 9ZZ gave phone and online services under "Services near you", without a word."""
    talk = Talk()
    talk.say("im struggling with my 4 year olds tantrums")
    reply = talk.say("RG99 9ZZ")
    assert "I couldn't find RG99 9ZZ on the map. Services you can phone or use online:" in reply
    assert "near you" not in reply
    talk = Talk()
    talk.say("im struggling with my 4 year olds tantrums")
    assert "Services near you:" in talk.say("RG40 1BN")


@pytest.mark.parametrize("who, asked", [("mum", False), ("dad", True), ("grandma", True)])
def test_parental_responsibility_is_asked_by_text_only_where_the_web_asks_it(who: str, asked: bool):
    """A mother always has parental responsibility: the web page is not shown to her, and by text or chat she was
    asked anyway ("Mums always do", then the question). The page's condition now holds on every channel."""
    talk = Talk()
    talk.to("referrer_relationship")
    talk.say(who)
    questions = []
    for _ in range(12):
        questions.append(talk.asking)
        if talk.asking in (None, "consent_agree"):
            break
        talk.say(SENSIBLE["help"][talk.asking])
    assert ("has_parental_responsibility" in questions) is asked
    assert talk.asking == "consent_agree"


@pytest.mark.parametrize("text, intent", [
    # someone else's child, however the possessive is written: a concern to report
    ("my sister's little boy is covered in bruises", "report"),
    ("my brother in laws kids are living in filth", "report"),
    ("i think my sons friend is being hit at home", "report"), ("my best friends kids are left alone a lot", "report"),
    ("my son in law smokes weed round my grandkids", "report"),
    # the writer's own children, with a word between: a family's request for help
    ("my little boy wont sleep", "help"), ("my teenage daughter wont talk to me", "help"),
    ("our two boys fight all the time", "help"), ("my step kids are a nightmare", "help"),
    ("my 2yo keeps whacking the baby", "help"),
])
def test_whose_child_the_words_say_decides_help_or_report_without_the_model(text: str, intent: str):
    from bot.reader import understand

    assert understand(text, None).intent == intent


@pytest.mark.parametrize("text, workplace", [
    ("dentist here, a little one on our list keeps missing appointments", "other"),
    ("rugby coach here, one of my players turns up hungry", "other"),
    ("EWO for the academy, a pupil with very low attendance", "school"),
    ("sgt from the local policing team, 2 kids at an address", "police"),
    ("GP receptionist here, a mum came in upset", "gp"),
    # a health role or the police first, as busy staff text
    ("paramedic, called to a flat last night, toddler with a burn", "other_health"),
    ("pharmacist here, a 13 yr old keeps buying cough syrup", "other_health"),
    ("police - attended a call at 2am, 2 kids in the house", "police"),
    ("as a family support worker i want to refer a mum of 3", "other"),
    # someone the family dealt with, not the writer's role
    ("the GP said to contact you about my son", None), ("hv told me to get in touch", None),
    ("a police officer came round and said i should text", None), ("my daughters youth worker at the club said", None),
])
def test_a_role_is_the_writers_only_when_they_write_as_it(text: str, workplace: str | None):
    from bot.reader import facts

    assert facts(text).workplace == workplace


@pytest.mark.parametrize("text, own, someone_elses", [
    # a grandparent's "my son" is the child's father; a kinship carer's grandchild is their own family
    ("my son wont take my granddaughter to the dentist", False, True),
    ("im raising my grandson and my son is no help", True, False),
    ("my 2 grandkids have lived with me since the court case", True, False),
    ("my niece is staying with us for a week, her dad shouts", False, True),
    ("she has a 4 yr old and leaves him alone", False, True), ("not my kid but hes always out late", False, True),
    ("me n the kids are at my sisters", True, False), ("we are in a b and b with 2 kids", True, False),
    ("my 17 yr old has a 16 yr old girlfriend", True, False),
    # "the kids" with "me" or "us": the writer's own household, unless another household is in sight
    ("hes taken the car keys off me and the kids are scared", True, False),
    ("he was shouting at her again and the kids were crying, it woke me up", False, False),
    # a partner's child is the step-family's own; anyone else's by a possessive is someone else's
    ("my husbands daughter lives with us and wont talk to me", True, False),
    ("my cleaners son is always hungry when she brings him", False, True),
    ("his stepson is terrified of him", False, True), ("my daughter in law screams at the baby", False, True),
    # one word between "my" and the child; "at the weekend" is a time, not a house; a parent's boyfriend
    ("my disabled son needs lifting and my back has gone", True, False),
    ("my ex lets the kids stay up late at the weekend", True, False),
    ("my boyfriend throws things when hes drunk and the baby screams", True, False),
    # the writer says they are a parent: "mum of 2 here", "im a dad of a 9 yr old"; never someone else's mum
    ("dad of a 9 yr old here, hes being bullied", True, False), ("my neighbour is a mum of 5 and shouts", False, True),
    # a professional's "the baby" is a case, never their own household
    ("housing officer, the baby has a chest infection and mum asked me to refer", False, False),
])
def test_whose_child_from_how_the_family_is_put(text: str, own: bool, someone_elses: bool):
    from bot.reader import facts

    found = facts(text)
    assert (found.own_family, found.someone_elses_child) == (own, someone_elses)


@pytest.mark.parametrize("text, model, intent", [
    # a professional asking only about the service, with no child's case in it: a question
    ("health visitor here, whats the number for consultations", "professional_referral", "question"),
    ("do i need consent before i refer?", "professional_referral", "question"),
    ("health visitor here, is a 2 yr old with a burn one for you?", "professional_referral", "professional"),
    # a family sent to us by someone, said as no question: their request for help
    ("the nursery said i should text you about my sons biting", "ask_about_service", "help"),
    # a parent's own family, whoever else is hurt or hurting: help, as the evaluation set labels it
    ("my son keeps hitting his sister and im at the end of my rope", "report_concern", "help"),
    # is it all right, asked about someone else's child, nobody hurt: a question
    ("my niece has a penknife for cubs, is that allowed", "report_concern", "question"),
    # "go back to work" is no request to go back in the conversation
    ("any help with childcare so i can go back to work", None, "find_service"),
    # a kind of service named for an age, or "does anyone run": a service sought
    ("play therapy for a 6 yr old", None, "find_service"),
    ("does anyone run a group for kinship carers", "ask_help", "find_service"),
    # the model's find_service with a question mark and no service word is still a service sought
    ("baby yoga near finchampstead?", "find_service", "find_service"),
    # about the service itself, whoever's child is named
    ("if i tell you about my kids will their dad know it was me?", "ask_help", "question"),
    ("is this a real person or a bot", None, "who"),
    # a parent asking what to do about their child's trouble; a statement about someone else's child
    ("my son is being picked on at school, what else can i do?", "ask_about_service", "help"),
    ("the kids across the road get smacked by their dad most nights", "ask_about_service", "report"),
    # a fresh batch, openings 6: "cant" first tells; a kinship carer; a child's friend told of; staff at "our
    # school"; a service named first; a person asked for after "are you a bot"
    ("cant pay the gas, its been off 4 days and its freezing. please", "ask_help", "help"),
    ("weve had our 2 grandsons since social services took them off our daughter, we're lost", "ask_help", "help"),
    ("my daughter says her friend told her that her stepdad hits her, what do i do", "report_concern", "report"),
    ("refer pls - girl 9 at our school, always hungry and unwashed", "report_concern", "professional"),
    ("i work at the youth club, a lad keeps turning up with bruises", "report_concern", "professional"),
    ("baby massage class near woodley? shes 4 months", "ask_help", "find_service"),
    ("need a contact centre for handovers, me and my ex cant be in the same room", "ask_help", "find_service"),
    ("is this service for 0-19s or just up to 18?", "ask_about_service", "question"),
    ("are you a bot? i want a human", "bot_challenge", "human"),
    # a fresh batch, openings 7 (in the first development messages' style), and a probe's nursery worry
    ("is there any help for dads whose teens are hard work? my two barely speak to me", "find_service", "help"),
    ("my 3yo only eats toast, is that ok or should i be worried", "ask_about_service", "help"),
    ("im so tired, no break ever with my sons needs, is there respite", "ask_help", "help"),
    ("found texts on my daughters phone from an older man telling her to delete them, what do i do",
     "ask_about_service", "help"),
    ("im 19 and have a 2 yr old and nobody helps me", "report_concern", "help"),
    ("i got put in a foster placement last month and i hate it here", None, "report"),
    ("a little one at my daughters nursery always smells and comes in hungry", "report_concern", "report"),
    ("kids at my sons football club say the coach messages them at night", "professional_referral", "report"),
    ("hi, gp receptionist, a mum rang in tears saying she cant cope with her baby", "professional_referral",
     "professional"),
    ("SW from the adult mental health team, my client has 3 kids and was admitted today", "professional_referral",
     "professional"),
    ("r u a bot or an actual person", "ask_about_service", "question"),
    ("im 16 and me and my dad argue all the time, where can i live", "report_concern", "report"),
    ("where can my 11 yo get help with anger, hes happy to talk to someone", "find_service", "find_service"),
    ("transfer me to someone who works there", "professional_referral", "human"),
    ("AGENT", None, "human"),
    ("wheres the form to apply for a school place, we moved to wokingham", "find_service", "out_of_scope"),
    ("in year transfer please, my daughter is terrified, boys there attacked her", "ask_help", "help"),
    ("my mum has dementia and keeps getting lost, who do i call", None, "out_of_scope"),
    # a fresh batch, openings 8
    ("my 3 yr old bites when he doesnt get his way, drew blood today. is this a phase or something more",
     "ask_about_service", "help"),
    ("i think im turning into a bad mum, i scream at them all day", "report_concern", "help"),
    ("we foster a 7yo boy and he wont sleep since contact with his birth mum", "professional_referral", "help"),
    ("i smacked my 12 yr old last night, never done it before, i feel awful", "ask_about_service", "help"),
    ("at what age can my 10 yr old walk to school alone", "ask_about_service", "question"),
    ("the kids across the road are out till midnight every night", "ask_help", "report"),
    ("a lad in my street is out in his pyjamas at 10pm most nights", "ask_help", "report"),
    ("Head at St Marys. Y10 girl disclosed today, can someone ring me back", "professional_referral", "professional"),
    ("SENCO here, do we need consent from parents before school asks for early help?", "professional_referral",
     "question"),
    ("is this the number from the poster in the library", None, "who"),
    ("any bereavement support for kids? they lost their nan in may", "ask_help", "find_service"),
    ("id prefer to speak to a female worker please", "professional_referral", "human"),
    ("when do secondary school applications close", "professional_referral", "out_of_scope"),
    ("my nan is 86 and cant manage her shopping, is there help for her", "ask_help", "out_of_scope"),
    ("your parcel is waiting at the depot, pay the redelivery fee at this link", None, "out_of_scope"),
    ("youve been a massive help, thanks", "ask_help", "thanks"),
    ("nothing in for the kids tea tonight", None, "help"),
    # a fresh batch, openings 9
    ("im a dad with ptsd, sometimes i lose it and the kids go quiet", "report_concern", "help"),
    ("my 4 month old has a flat head and im going out of my mind", None, "help"),
    ("swimming teacher - a girl in my group has marks on her back", "ask_help", "professional"),
    ("crisis team - mum is unwell today and the kids are with her", "report_concern", "professional"),
    ("is Mark Ellis in today, hes our family support worker", "ask_help", "human"),
    ("adult social care please, my brother is 30 and his carer quit", "ask_help", "out_of_scope"),
    ("im 19, can you help with student finance", "professional_referral", "out_of_scope"),
    ("too anxious to leave the house, kids missing out", None, "help"),
])
def test_the_form_and_whose_child_decide_between_the_models_neighbours(text: str, model: str | None, intent: str):
    reading = Reading(intent=model, confidence=0.95, entities={}) if model else None
    assert understand(text, reading).intent == intent


def test_on_my_own_is_not_my_own_family_and_my_baby_brother_is_a_sibling():
    from bot.reader import facts

    assert not facts("a little boy fell in the river and im on my own").own_family
    assert not facts("its just me and my baby brother").own_family
    assert facts("im on my own with 3 kids and struggling").own_family


@pytest.mark.parametrize("said", ["1", "2"])
def test_a_number_never_answers_a_yes_or_no_question(said: str):
    """The live probe: a stray "1" to "Is it safe for us to call or text you on this number? Reply YES or NO" was
    recorded as yes. A number answers only a question asked as a numbered menu."""
    talk = Talk()
    talk.to("safe_to_contact")
    talk.say(said)
    assert talk.asking == "safe_to_contact" and "safe_to_contact" not in talk.state["answers"]
    menu = Talk()
    menu.to("referrer_relationship")  # a menu question still takes a number
    menu.say("2")
    assert menu.state["answers"]["referrer_relationship"] == "father"


@pytest.mark.parametrize("text, intent", [
    ("my lo wont eat nuffin but crisps, is dat normal", "question"),  # is it all right, asked of us
    # someone hurting a child, asked as "is that normal": a request for help, never a question about the service
    ("my husband hits our son with a belt when hes naughty, is that normal", "help"),
    ("my partner smacks my 4 year old, is that allowed", "help"),
])
def test_is_that_normal_is_a_question_only_when_nobody_is_hurting_a_child(text: str, intent: str):
    from bot.reader import understand

    assert understand(text, None).intent == intent


def test_a_childs_age_said_by_text_reaches_the_referral_where_no_date_of_birth_is_asked():
    """The live probe: a report by text asks the child's name and where they live, never a date of birth, so the
    contact read "age not known" for a child the conversation knew was 7."""
    talk = Talk(CHAT)
    talk.say("i want to report a concern about a child next door, shes 7")
    while talk.asking in SENSIBLE["report"]:
        talk.say(SENSIBLE["report"][talk.asking])
    (_, answers), = talk.ports.handed
    assert answers["children"][0]["first_name"] == "Mia" and answers["children"][0]["age_said"] == 7


def test_a_report_by_text_asks_the_childs_age_after_the_name_and_reads_numbers_alone_as_ages():
    """A duty worker's first question of a contact is how old the child is; a report by text never asked it. Asked
    for an age, "12 and 9" is two ages (elsewhere digits alone may be a menu pick)."""
    talk = Talk(CHAT)
    talk.say("my neighbour leaves her kids on their own all evening")
    talk.say("they are left alone most nights till 11")
    talk.say("Mia")
    assert talk.asking == "age_said" and talk.replies[-1][-1].startswith("How old is the child?")
    talk.say("12 and 9")
    assert talk.state["answers"]["age_said"] == "12 and 9" and talk.state["facts"]["age"] == 12
    assert talk.asking != "age_said"
    while talk.asking in SENSIBLE["report"]:
        talk.say(SENSIBLE["report"][talk.asking])
    (_, answers), = talk.ports.handed
    assert answers["children"][0]["age_said"] == "12 and 9"  # the record keeps both; signposting the first


@pytest.mark.parametrize(("said", "age", "kept"), [
    ("4", 4, 4), ("7!", 7, 7), ("about 9 i think", 9, "about 9"), ("fourteen", 14, 14),
    ("5 and a half months", 0, 0), ("shes 14 months", 1, "14 months"), ("hes 6, why", 6, 6),
    ("born 3/4/2019", None, "born 2019-04-03"),
    # a fresh batch, replies 6: a number first and more words after it; a correction; an age to come
    ("16 i think, shes doing her gcses", 16, "about 16"), ("about 14 but she looks younger", 14, "about 14"),
    ("sorry i put 6 before, shes actually 5", 5, 5), ("he'l be 9 next week", 8, 8),
    # replies 7: a guess said first, a range said in words
    ("we think about 6, hes adopted and they never knew his birthday", 6, "about 6"),
    ("hard to say, between 10 and 12", 10, "between 10 and 12"),
    ("about 3 id guess, still in a buggy", 3, "about 3")])
def test_an_answer_to_the_age_question_is_read_as_the_age(said, age, kept):
    """The age for signposting; on the record, the words where they say more than a number (a probe: "14 months"
    was kept as 1, "born 3/4/2019" lost its date)."""
    talk = Talk(CHAT)
    talk.to("age_said", journey="report")
    talk.say(said)
    got = talk.state["answers"]["age_said"]
    if age is None:
        assert str(got).endswith(kept) and talk.state["facts"]["age"] == int(str(got).split(",")[0])
    else:
        assert got == kept and talk.state["facts"]["age"] == age
    assert talk.asking != "age_said"


@pytest.mark.parametrize(("said", "kept"), [("4-5", "4-5"), ("7 or 8", "7 or 8"), ("nearly 15", "nearly 15")])
def test_the_age_questions_words_say_what_was_said(said, kept):
    """A review: a range became two children ("4 and 5"), "nearly 15" became "about 14", and "im 18" was refused."""
    talk = Talk(CHAT)
    talk.to("age_said", journey="report")
    talk.say(said)
    assert talk.state["answers"]["age_said"] == kept and talk.asking != "age_said"


def test_a_first_message_with_two_ages_does_not_answer_the_age_question():
    """A review: "im 14 and my little brother is 3" recorded the young person as 3 and never asked."""
    talk = Talk(CHAT)
    talk.say("im 14 and my little brother is 3, mum hits us both")
    for _ in range(6):
        if talk.asking in (None, "age_said"):
            break
        talk.say(SENSIBLE["young_person"].get(talk.asking, "skip"))
    assert talk.state["answers"].get("age_said") in (None, "14", 14) or talk.asking == "age_said"
    assert talk.state["answers"].get("age_said") != 3


def test_a_school_year_to_the_age_question_is_kept_in_its_words_with_no_age():
    talk = Talk(CHAT)
    talk.to("age_said", journey="report")
    talk.say("shes in year 5")
    assert talk.state["answers"]["age_said"] == "year 5" and "age" not in talk.state["facts"]
    assert talk.asking != "age_said"


@pytest.mark.parametrize("said", ["year 15", "35", "teenager"])
def test_what_is_not_a_childs_age_is_asked_again_and_not_known_moves_on(said):
    talk = Talk(CHAT)
    talk.to("age_said", journey="report")
    talk.say(said)
    assert talk.asking == "age_said" and "like 7" in talk.replies[-1][-1]
    assert talk.state["answers"].get("age_said") is None
    talk.say("not known")
    assert talk.asking != "age_said" and talk.state["answers"].get("age_said") is None


def test_an_age_said_in_the_first_message_is_never_asked_for():
    talk = Talk(CHAT)
    talk.say("the boy next door is 6 and hes out on the street on his own every night")
    while talk.asking in SENSIBLE["report"]:
        assert talk.asking != "age_said"
        talk.say(SENSIBLE["report"][talk.asking])
    (_, answers), = talk.ports.handed
    assert answers["children"][0]["age_said"] == 6


def test_a_young_person_is_asked_their_own_age_unless_they_said_it():
    talk = Talk(CHAT)
    talk.say("im in year 10 and my mum and her boyfriend keep fighting, i dont want to go home")
    assert talk.state["journey"] == "young_person"
    for _ in range(5):
        if talk.asking == "age_said":
            break
        talk.say(SENSIBLE["young_person"][talk.asking])
    assert talk.asking == "age_said" and talk.replies[-1][-1].startswith("How old are you?")
    talk.say("im 18")
    assert talk.state["answers"]["age_said"] == "18"  # kept as said; a review found it refused
    said = Talk(CHAT)
    said.say(OPENING["young_person"])  # "hi im 14"
    while said.asking in SENSIBLE["young_person"]:
        assert said.asking != "age_said"
        said.say(SENSIBLE["young_person"][said.asking])
    (_, answers), = said.ports.handed
    assert answers["children"][0]["age_said"] == 14


def test_an_age_said_never_stands_beside_a_date_of_birth_or_an_unborn_baby():
    assert journeys.with_said_age({"children": [{"date_of_birth": "2019-05-01"}]}, 7)["children"][0] == {
        "date_of_birth": "2019-05-01"}
    assert "age_said" not in journeys.with_said_age({"children": [{"born": "no"}]}, 0)["children"][0]
    assert journeys.with_said_age({}, 15) == {"children": [{"age_said": 15}]}
    assert journeys.with_said_age({}, None) == {} and journeys.with_said_age({}, 19) == {}


@pytest.mark.parametrize("text, intent", [
    ("police here, attended an address last night with kids living in squalor, who do i send it to?", "professional"),
    ("hv here, can i refer a family with a new baby where mum is struggling?", "professional"),
    ("police officer here, whats the secure email", "question"),  # only about the service: a question
])
def test_a_professionals_question_with_a_child_in_it_is_a_referral(text: str, intent: str):
    from bot.reader import Reading, understand

    assert understand(text, Reading("professional_referral", 0.9, {})).intent == intent


# --- from the session 12 probe ----------------------------------------------------------------------------------
def test_a_name_given_to_the_anonymous_question_is_their_name_and_not_anonymity():
    """"Ann Test" to "Do you want to stay anonymous?" ended "I will keep you anonymous", the name lost."""
    talk = Talk()
    talk.to("anonymous", journey="report")
    talk.say("i'm his great grandma")
    assert talk.asking == "anonymous" and "anonymous" not in talk.state["answers"]
    reply = talk.say("Ann Test")
    assert talk.state["answers"]["anonymous"] == "no" and talk.state["answers"]["referrer_name"] == "Ann Test"
    assert reply.startswith("Thank you, Ann.") and talk.asking not in {"anonymous", "referrer_name"}


@pytest.mark.parametrize("said", ["yes", "no", "yes please", "No thanks"])
def test_yes_or_no_to_the_anonymous_question_is_never_a_name(said):
    talk = Talk()
    talk.to("anonymous", journey="report")
    talk.say(said)
    assert talk.state["answers"]["anonymous"] == ("yes" if said.lower().startswith("yes") else "no")
    assert "referrer_name" not in talk.state["answers"]


@pytest.mark.parametrize("text", ["Hi is this the mash? Im a police officer need to pass on a concern",
                                  "school nurse, i have a safeguarding concern, is this the right number?",
                                  "GP here - i need to refer a family, is this the right number?"])
def test_a_professional_with_a_concern_to_pass_on_is_a_referral_not_a_question(text):
    assert understand(text, None).intent == "professional"


def test_a_professional_asking_only_about_the_service_is_still_a_question():
    assert understand("police officer here, whats the secure email", None).intent == "question"


@pytest.mark.parametrize("said", ["one more thing, his dad drinks too", "forgot to say she has a little brother aged 2",
                                  "also the school know about it"])
def test_more_after_the_reference_joins_it_and_never_starts_again(said):
    """Probes (sessions 13 and 14): a text after the reference started the menu or the questions again."""
    talk = Talk()
    talk.state = {**dialogue.new_state(), "reference": "FD-2026-000001"}
    reply = talk.say(said)
    assert "added that to your message, reference FD-2026-000001" in reply and talk.asking is None
    assert talk.ports.staff == ["more:FD-2026-000001"]
    assert talk.say("what happens now").startswith("When I have your answers")  # a question is still answered
    assert talk.say("NEW").startswith("Tell me in a few words what is worrying you")
    assert talk.state["reference"] is None


@pytest.mark.parametrize("said", ["also i think im depressed and cant cope with my own baby",
                                  "im 15 and i live there too, one more thing"])
def test_after_the_reference_a_new_worry_of_their_own_or_a_young_person_starts_afresh(said):
    """The review: these lost their own journey and support lines to "added to your message"."""
    talk = Talk()
    talk.state = {**dialogue.new_state(), "reference": "FD-2026-000001"}
    reply = talk.say(said)
    assert "added that to your message" not in reply and talk.ports.staff == []


def test_no_after_the_reference_ends_kindly_and_yes_asks_what_is_worrying_them():
    talk = Talk()
    talk.state = {**dialogue.new_state(), "reference": "FD-2026-000001"}
    assert talk.say("no").startswith("Thank you. Take care.")
    assert talk.say("yes").startswith("Tell me what is worrying you")


@pytest.mark.parametrize("said", ["hi its me again", "hello its me again", "hi again sorry"])
def test_back_after_a_pause_is_greeted_and_asked_the_same_question(said):
    talk = Talk(CHAT)
    talk.to("school")
    talk.say("thanks bye")
    reply = talk.say(said)
    assert reply.startswith("Hello again.") and talk.asking == "school" and "school" not in talk.state["answers"]


def test_an_age_under_one_for_a_date_of_birth_is_said_in_words_without_sorry():
    talk = Talk()
    talk.to("date_of_birth")
    reply = talk.say("3 week old")
    assert "noted they are under a year old" in reply and "didn't catch" not in reply
    assert talk.asking == "date_of_birth"


@pytest.mark.parametrize("text", ["my baby has a rash and a temperature what do i do",
                                  "my 2 year old has been vomiting all day and wont drink"])
def test_a_child_who_may_be_unwell_is_sent_to_nhs_111_first(text):
    """A probe: a baby's rash and temperature got only the early help menu."""
    talk = Talk()
    reply = talk.say(text)
    assert reply.startswith(dialogue.UNWELL_LINE) and talk.asking is None


def test_an_unwell_child_with_another_worry_gets_111_and_the_help_that_fits():
    talk = Talk()
    reply = talk.say("my son has a temperature and we have no money for food or the electric")
    assert dialogue.UNWELL_LINE in reply and talk.state.get("journey") == "help"


@pytest.mark.parametrize("said", ["skip", "not sure"])
def test_no_answer_to_is_it_safe_to_contact_you_is_taken_as_not_safe(said):
    talk = Talk()
    talk.to("safe_to_contact", journey="report")
    talk.say(said)
    assert talk.state["answers"]["safe_to_contact"] == "no" and talk.asking == "safe_contact_how"


def test_skip_at_the_early_help_offer_asks_for_yes_or_no_not_a_person():
    talk = Talk()
    talk.to("_offer")
    reply = talk.say("skip")
    assert talk.asking == "_offer" and "YES or NO" in reply and "A person in our team can answer that" not in reply


@pytest.mark.parametrize("text, drink", [("my 2 year old has been vomiting all day and wont drink", False),
                                         ("she is not drinking her milk", False),
                                         ("my partner wont stop drinking", True), ("my dad drinks every night", True)])
def test_a_child_who_wont_drink_is_not_drink_or_drugs_in_the_family(text, drink):
    assert ("substance_misuse" in understand(text, None).facts.categories) is drink


def test_what_happened_told_at_a_short_question_is_kept_with_the_worry_and_the_question_asked_again():
    """A probe: a teacher's "she said he hit her with a belt, she has a mark on her arm", sent at "Which school,
    practice or organisation are you from?", became the organisation's name."""
    talk = Talk()
    talk.to("referrer_organisation", journey="professional")
    reply = talk.say("she said he hit her with a belt, she has a mark on her arm")
    assert talk.asking == "referrer_organisation" and "referrer_organisation" not in talk.state["answers"]
    assert reply.startswith("Thanks, I've added that to what you told us.") and "didn't catch" not in reply
    assert talk.state["extra"] == ["she said he hit her with a belt, she has a mark on her arm"]
    talk.say("Oakfield Primary")
    assert talk.state["answers"]["referrer_organisation"] == "Oakfield Primary"


def test_an_unwell_child_and_a_request_for_support_starts_the_help_with_111_first():
    """The final review: "...keeps being sick and wont sleep, im at the end of my tether, need some support" got only
    the NHS 111 line."""
    talk = Talk()
    reply = talk.say("my 2 year old keeps being sick and wont sleep, im at the end of my tether, need some support")
    assert reply.startswith(dialogue.UNWELL_LINE) and talk.state.get("journey") == "help"


@pytest.mark.parametrize("text", ["the temperature in the flat is freezing and we cant afford the heating",
                                  "my partner is not drinking but she is smoking weed every day"])
def test_words_that_are_not_a_child_unwell_get_no_111_line(text):
    assert dialogue.UNWELL_LINE not in Talk().say(text)


def test_where_the_child_is_may_be_told_with_the_harm_in_it():
    talk = Talk()
    talk.to("child_location", journey="professional")
    talk.say("at home with her mum and the boyfriend who hits her when he is drunk")
    assert talk.state["answers"]["child_location"].startswith("at home with her mum")


@pytest.mark.parametrize("text", ["im a teacher, do i need to refer to you or to the police?",
                                  "im a social worker, how do i make a referral?",
                                  "dsl here, do i have to refer if the parent says no?"])
def test_a_professional_asking_how_to_refer_is_a_question(text):
    assert understand(text, None).intent == "question"


@pytest.mark.parametrize("text", ["what time do you open", "are you open at weekends?", "what are your opening hours",
                                  "when do u close", "wat r ur hours"])
def test_our_hours_are_answered_with_the_hours_and_the_out_of_hours_number_when_closed(text):
    night = Talk(NIGHT)
    night.say(text)
    said = " ".join(night.replies[-1])
    assert "Monday to Friday, 9am to 5pm" in said and "01344 351 999" in said and "closed now" in said
    day = Talk(OFFICE)
    day.say(text)
    assert "Monday to Friday, 9am to 5pm" in " ".join(day.replies[-1]) and "closed" not in " ".join(day.replies[-1])


def test_hours_asked_mid_way_are_answered_and_the_question_asked_again():
    talk = Talk(NIGHT)
    question = talk.to("postcode")
    assert talk.say("what time do you close?").endswith(question)
    assert "9am to 5pm" in talk.replies[-1][0] and talk.asking == "postcode"


def test_a_services_opening_times_are_on_its_page_not_ours():
    talk = Talk(OFFICE)
    talk.say("what time does the family centre on the high st open")
    said = " ".join(talk.replies[-1])
    assert "https://frontdoor.example.org/services" in said and "9am to 5pm" not in said


def test_a_request_with_a_question_about_us_answers_it_where_it_fits():
    talk = Talk(OFFICE, Reading("report_concern", 0.9, {}))
    talk.say("my neighbours kids r left on their own every night, are you open at weekends")
    assert "9am to 5pm" in talk.replies[-1][0] and talk.state["journey"] == "report"


def test_an_answer_that_gives_999_is_not_followed_by_999_again():
    talk = Talk(OFFICE)
    talk.say("can you send someone")
    said = " ".join(talk.replies[-1])
    assert "I can't send anyone" in said and said.count("999") == 2  # "call 999" and "call 999 and press 55", once
    talk = Talk(OFFICE)
    talk.say("is this anonymous?")
    assert "If a child is in danger now, call 999." in " ".join(talk.replies[-1])


@pytest.mark.parametrize("text", ["hiya anyone there", "Hi is anyone there", "hellooo anyone there", "Hii",
                                  "gd morning", "hi hun", "hello, hello?", "hey u there", "anyone there?",
                                  "hiya u ok x"])
def test_a_greeting_however_it_is_written_is_greeted_and_never_an_answer(text):
    assert understand(text, None).intent == "greet"
    assert understand(text, Reading("ask_about_service", 0.9, {})).intent == "greet"
    talk = Talk(OFFICE)
    talk.say(text)
    assert talk.replies[-1][0].startswith("Hello, this is the Front Door")
    talk = Talk(OFFICE)
    question = talk.to("postcode")
    assert talk.say(text) == f"Hello again. {question}" and talk.asking == "postcode"


@pytest.mark.parametrize("text", ["hi im 14", "hello i need help", "hi can i ask something", "Holly", "hes 4", "there"])
def test_a_greeting_with_more_in_it_is_not_a_greeting_alone(text):
    assert understand(text, None).digression != "greet"


@pytest.mark.parametrize(("text", "kind"), [
    ("thank you, thats really helpful", "thanks"), ("brill thanks", "thanks"), ("ok thank you ill wait", "thanks"),
    ("thats great thanks", "thanks"), ("amazing thank you so much", "thanks"), ("nice one cheers", "thanks"),
    ("aww thank you", "thanks"), ("ok thank u bye", "goodbye")])
def test_thanks_and_goodbye_with_the_words_people_put_round_them(text, kind):
    assert understand(text, None).digression == kind
    talk = Talk(OFFICE)
    question = talk.to("postcode")
    assert talk.say(text).endswith(question) and talk.asking == "postcode"


@pytest.mark.parametrize("text", ["thanks but hes 4", "thank god hes safe", "tara", "Tyler"])
def test_thanks_with_more_in_it_is_not_thanks_alone(text):
    assert understand(text, None).digression not in {"thanks", "goodbye"}


# --- session 13: what a fresh batch ("openings 4") showed the reader missing; each in other words than the batch's --
@pytest.mark.parametrize("said, aside", [
    ("thanks for getting back to me so quick", "thanks"), ("cheers for that", "thanks"),
    ("thank you for replying", "thanks"), ("ok gotta go now bye", "goodbye"), ("forget it then bye x", "goodbye"),
    ("so when will someone call me", "what_next"), ("no. when will somebody get back to me?", "what_next"),
    ("is there someone i can speak to", "human"), ("can we finish this on the phone", "human"),
    ("will the family find out", "anonymous"), ("do my parents have to know", "keep_from_family"),
    ("oops wrong chat sorry", "wrong_chat"), ("sorry that was meant for my husband", "wrong_chat"),
    ("i messaged the wrong person", "wrong_chat"),
    # still what they were: a question about something else, a name, "back"
    ("is there anyone i can talk to about my sons temper", "question"), ("his name is bye", None),
    ("i put the wrong number", "back"), ("the money was meant for my mum", None),
])
def test_more_forms_of_thanks_bye_a_person_and_a_message_meant_for_someone_else(said, aside):
    from bot.reader import digression
    assert digression(said) == aside


@pytest.mark.parametrize("journey, field_name", [("help", "postcode"), ("report", "first_name"),
                                                 ("report", "what_happened")])
def test_a_message_meant_for_someone_else_is_never_the_answer(journey, field_name):
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    reply = talk.say("soz wrong chat")
    assert talk.asking == field_name and field_name not in talk.state["answers"], reply
    assert reply.startswith("No problem, that message can't have been meant for us."), reply
    assert talk.ports.staff == []


@pytest.mark.parametrize("text, model, intent", [
    # an adult bringing up a brother or sister is their own family; a child minding one writes about their own life
    ("im 22 and my little sister has lived with me since our mum died, shes 9 and i cant cope", "report_concern",
     "help"),
    ("im 13 and i have to look after my little brother every night", "report_concern", "report"),
    # a worker's "one of our lads" is a case, not the worker's family
    ("youth worker here, one of our girls (14) keeps getting into cars with older men", "professional_referral",
     "professional"),
    # a role's own words are no worry: a school nurse asking how to reach us asks a question
    ("school nurse - do you take consultations or do i just refer", "ask_about_service", "question"),
    # someone else's child harmed, asked as "what do i do": a concern
    ("my mates dad beats him with a belt, hes 13, what should i do", "ask_about_service", "report"),
    # the way to reach a service named: a service asked for
    ("whats the number for the health visitors", "ask_about_service", "find_service"),
    ("how do i contact sendiass", "ask_about_service", "find_service"),
    # a message meant for someone else
    ("soz wrong number", "ask_help", "out_of_scope"),
])
def test_session_13_whose_child_a_role_and_a_service_named(text: str, model: str, intent: str):
    assert understand(text, Reading(intent=model, confidence=0.95, entities={})).intent == intent


@pytest.mark.parametrize("text, child_speaking", [
    # a writer expecting a baby, or who has a child of an age: their own family ("im 16 weeks" is no age)
    ("im 18 weeks pregnant and my fella keeps shoving me about", False),
    ("im 20 and ive got a 6 month old, i feel so alone", False),
    # a grown writer, whatever the screen's child signal heard in the past
    ("my mum hit me with a belt when i was little, im 35 now and i shout at my kids too much", True),
    # an adult partner of a stepchild is no child of anyone's
    ("my stepson is 15 and his 22 year old girlfriend picks him up from school", False),
])
def test_session_13_a_grown_writer_and_their_own_family_ask_for_help(text: str, child_speaking: bool):
    reading = Reading(intent="report_concern", confidence=0.95, entities={})
    assert understand(text, reading, child_speaking=child_speaking).intent == "help"


@pytest.mark.parametrize(("text", "kind"), [
    ("will my ex find out", "keep_from_family"), ("will u tell my mum", "keep_from_family"),
    ("will my partner see this", "keep_from_family"), ("i dont want them knowing it was me", "anonymous"),
    ("Will my daughter know I told you? She will stop me seeing him", "anonymous")])
def test_who_will_find_out_is_answered_not_put_off(text, kind):
    assert understand(text, None).digression == kind
    talk = Talk(NIGHT)
    talk.say(text)
    said = " ".join(talk.replies[-1])
    assert "when the office opens" not in said and ("tell" in said or "anonymous" in said)


def test_a_parent_who_skipped_who_they_are_is_asked_again_before_early_help_ends_for_want_of_it():
    talk = Talk(OFFICE)
    for said in ["my daughter is 14 and wont go to school", "RG40 1BN", "yes", "Sarah Jones", "skip", "Amy", "Jones",
                 "12/03/2012", "Emmbrook school", "yes"]:
        talk.say(said)
    reply = talk.say("yes")  # agrees
    assert "parental responsibility" in reply and talk.asking == "referrer_relationship"
    assert "Your reference is" in talk.say("im her mum")
    assert talk.ports.handed[-1][1]["referrer_relationship"] == "mother"


# --- session 13: what a fresh batch ("replies 5") showed the reader missing mid-way; in other words than the batch's --
@pytest.mark.parametrize("said, aside", [
    # leaving in a few words, and coming back later
    ("g2g sorry", "goodbye"), ("right i have to go, my bus is here", "goodbye"), ("im off now bye", "goodbye"),
    ("i will come back to it tomorrow", "goodbye"), ("ill answer the rest tonight", "goodbye"),
    ("logging off now", "goodbye"),
    # thanks and hello as people put them
    ("thanks, it means so much", "thanks"), ("thank you for your patience", "thanks"),
    ("hi sorry i was driving", "greet"),
    # still there, and a complaint about the form itself
    ("hello are you still there", "still_there"), ("anyone still reading", "still_there"),
    ("ive told you that already", "complaint"), ("u just asked me that", "complaint"),
    ("this is taking forever", "complaint"), ("too many questions", "complaint"),
    # a person, in other words
    ("can i please ring someone", "human"), ("whats the number to ring you on", "human"),
    ("find me a real person", "human"), ("can i speak to my family worker", "human"),
    # will they know it was me, asked as "what if"
    ("what if my sister finds out it was me", "anonymous"),
    # nothing to do with children: the council's other services, the weather, a score, a prize
    ("when do the bins get emptied", "off_topic"), ("what will the weather be like tomorrow", "off_topic"),
    ("claim your prize now click here", "off_topic"), ("the street light outside mine is broken", "off_topic"),
    # still what they say: a story, a worry, a place, a guessed age, someone at a loss
    ("i have to go to court on monday", None), ("he already told the police", None),
    ("its taking ages for camhs to see her", None), ("she wont let me speak to my social worker", None),
    ("we cant pay the council tax and the children are cold", None), ("Bye Lane", None), ("about 9?", None),
    ("i dont know what to do", None), ("i can do tomorrow after 6", None),
    ("ill finish later, hes been hitting her again", None), ("gotta go hes hitting her", None),
])
def test_replies_5_asides_in_the_forms_people_use(said, aside):
    from bot.reader import digression
    assert digression(said) == aside


@pytest.mark.parametrize("journey, field_name", JOURNEY_FIELDS)
@pytest.mark.parametrize("said, lead", [
    ("gotta go, school run", "Take care. I will keep your answers."),
    ("hi sorry was cooking", "Hello again."),
    ("thanks, means a lot", "You're welcome."),
    ("r u still there", "Yes, I'm still here."),
    ("ive already told you", "Sorry about that."),
    ("when do the bins get collected", "Sorry, I can only help with worries about children and families."),
])
def test_replies_5_an_aside_at_any_question_is_answered_and_the_question_asked_again(journey, field_name, said, lead):
    """Leaving, hello, thanks, still there, a complaint, or something for another council service: never the
    answer. They get a reply to what they said, the same question again, and its answer still goes in after."""
    talk = Talk(CHAT)
    talk.to(field_name, journey=journey)
    reply = talk.say(said)
    assert talk.asking == field_name, reply
    assert field_name not in talk.state["answers"]
    assert reply.startswith(lead), reply
    assert talk.ports.staff == []
    talk.say(SENSIBLE[journey][field_name])
    assert talk.asking != field_name


@pytest.mark.parametrize("field_name", ["postcode", "first_name"])
def test_replies_5_a_number_to_ring_is_a_person_asked_for(field_name):
    talk = Talk(CHAT)
    talk.to(field_name, journey="report" if field_name == "first_name" else "help")
    reply = talk.say("is there a number i could ring")
    assert talk.asking == field_name and field_name not in talk.state["answers"], reply
    assert "0118 496 0000" in reply and talk.ports.staff == ["asked_for_person"]


def test_replies_5_a_story_with_leaving_in_it_is_still_what_happened():
    talk = Talk(CHAT)
    talk.to("what_happened", journey="report")
    talk.say("ill finish later, hes been hitting her again")
    assert talk.asking != "what_happened"
    assert "hitting her" in str(talk.state["answers"].get("what_happened"))


@pytest.mark.parametrize("text, aside", [("about 9?", None), ("12 or 13?", None), ("6ish? not sure", None),
                                         ("is 9 too young?", "question"), ("9 why?", "question")])
def test_replies_5_a_number_guessed_with_a_question_mark_is_no_question(text, aside):
    assert understand(text, None).digression == aside


@pytest.mark.parametrize("text", ["when do the bins get emptied", "what will the weather be like tomorrow"])
def test_replies_5_something_for_another_service_is_out_of_scope(text):
    assert understand(text, None).intent == "out_of_scope"
    assert understand(text, Reading("ask_about_service", 0.9, {})).intent == "out_of_scope"
    talk = Talk(OFFICE)
    assert talk.say(text).startswith("Sorry, I can only help with worries about children and families.")


@pytest.mark.parametrize("text", ["is there a food bank", "any food banks round here", "where is the nearest baby bank",
                                  "is there a baby group near me"])
def test_a_kind_of_service_asked_for_is_looked_for_not_put_to_the_office(text):
    assert understand(text, Reading("ask_about_service", 0.9, {})).intent == "find_service"
    assert understand(text, None).intent == "find_service"


# A fresh batch, "openings 5" (session 13): whose family a first message is about, and what it asks for. Each in
# other words than the batch's.
@pytest.mark.parametrize("text, model, intent", [
    # kinship carers who foster a relative's child, and a misspelt granddaughter at her parent's
    ("we're fostering our niece and she wont sleep, we need advice", "report_concern", "help"),
    ("my grandaughter lives with her mum and the boyfriend smacks her about", None, "report"),
    # a foster carer about a child placed with them: their own household
    ("we are foster carers and the 9 yr old placed with us has started stealing", "professional_referral", "help"),
    # the other parent of the writer's own child
    ("my daughters father turns up shouting at my door every night", "report_concern", "help"),
    # at the end of their tether, a service named as well: a request for help; without it, a service asked for
    ("we are desperate, 4 kids and no sleep, any parenting classes near us", "ask_help", "help"),
    ("any parenting classes for toddlers near us", "ask_help", "find_service"),
    ("is there a bedwetting clinic for a 7 year old", "ask_help", "find_service"),
    # "is it just a phase", asked of us
    ("my 4yo talks to an imaginary friend all day, is it just a phase", "ask_help", "question"),
    # a professional's case, with a question in it
    ("teaching assistant here, one of my year 5s keeps turning up late and tired, is this something for early help?",
     "professional_referral", "professional"),
    ("outreach worker, a 15 yr old we see at the youth project says her stepdad hits her", "report_concern",
     "professional"),
    # a professional asking only whether consent is needed: a question about us
    ("do we need the parents consent to make a referral? im a swimming instructor", "professional_referral",
     "question"),
    # coercive control, asked as a question about us: still the family's request for help
    ("my husband takes my wages and wont let me see my family, he says you will take the kids if i tell, would you?",
     None, "help"),
    ("the hedge outside number 4 is overgrown and blocking the pavement", None, "out_of_scope"),
])
def test_openings_5_whose_family_and_what_is_asked(text, model, intent):
    reading = Reading(model, 0.95, {}) if model else None
    assert understand(text, reading).intent == intent


@pytest.mark.parametrize("text", ["im not coping anymore bye", "my daughter is being bullied bye",
                                  "hes hitting her again bye", "St Marys bye"])
def test_a_concern_or_an_answer_that_ends_in_bye_is_not_a_goodbye(text):
    assert understand(text, None).digression != "goodbye"


@pytest.mark.parametrize("text", ["we keep hearing the kids screaming, the dad is always shouting",
                                  "the kids are left alone at home every night by the mum over the road",
                                  "we always see the kids out late, the parents dont care"])
def test_a_bystanders_we_is_not_the_writers_own_household(text):
    understood = understand(text, Reading("report_concern", 0.9, {}))
    assert understood.intent == "report" and not understood.facts.own_family


def test_asides_that_read_too_much_are_not_taken():
    assert understand("can my ex see the kids this weekend", None).digression != "keep_from_family"
    assert understand("sorry wrong chat, but my daughter has been hitting herself", None).digression != "wrong_chat"


def test_out_of_hours_a_question_we_cannot_answer_gives_the_duty_team_for_a_child_not_safe_tonight():
    talk = Talk(NIGHT)
    question = talk.to("postcode")
    said = talk.say("should i ring someone tonight?")
    assert "when the office opens" in said and "If a child isn't safe till then: 01344 351 999." in said
    assert said.endswith(question)
    assert understand("i dont want to give my name", None).digression == "anonymous"


@pytest.mark.parametrize(("text", "aside"), [
    ("i think so? we werent married when he was born", None), ("i dont think so?", None),
    ("hiya sorry fell asleep", "greet"), ("got to go hes hitting her again", None),
    # replies 7: a question that starts "which" or "if"; a person asked for in other words
    ("which one, ive got 3", "question"), ("if i say yes can you still get back to me", "question"),
    ("can u put me thru to someone pls", "human"), ("id rather talk it through with someone first", "human"),
    ("if he comes back i will ring the police", None),
    # replies 8
    ("gotta dash, ill finish this later", "goodbye"), ("nite, will finish this tmrw", "goodbye"),
    ("thank u so much your being really helpful", "thanks"), ("if i say yes will the police come", "question"),
    ("hiya back now", "greet"),
    # a probe: a family asking for help is not asking us to send someone
    ("can i get help my son wont go to school", "question"), ("can you send someone round", "send_someone")])
def test_a_hedged_answer_a_greeting_after_sleep_and_leaving_with_harm_told(text, aside):
    """A fresh batch, replies 6: "i think so?" answers; back after falling asleep greets; leaving while telling of
    harm is never only a goodbye."""
    assert understand(text, None).digression == aside


def test_a_range_at_the_age_question_is_one_child_and_a_list_is_every_child():
    from bot.reader import ages_answering

    assert ages_answering("4-5") == [4] and ages_answering("about 9 to 10") == [9]
    assert ages_answering("8, 5 and 2") == [8, 5, 2]
    assert ages_answering("theres 3 of them, about 2, 6 and 10") == [2, 6, 10]  # the count is no child's age
    assert ages_answering("3 kids") == []


@pytest.mark.parametrize(("text", "ages"), [
    # a fresh batch, ages 7 (session 16), before the reading was changed
    ("seven i think, hes in the same class as my boy", [7]), ("only 4 😢 she shouldnt have to see this", [4]),
    ("7 and hes started wetting the bed again", [7]), ("13 as of yesterday", [13]), ("like 8 or 9 idk", [8]),
    ("ones 5 ones 7", [5, 7]), ("one is 5 and the other is 7", [5, 7]), ("6 & 3 & 10 months", [6, 3, 0]),
    ("7, 5 and the little one is 20 months", [7, 5, 1]),
    ("4 in a fortnight", [3]), ("he'll be eighteen in april", [17]),
    # and what stays one child, or no child's age
    ("about 10 i think, maybe 11", [10]), ("hes eight, nearly nine", [8]), ("3 kids", []), ("2 1/2", [2])])
def test_an_answer_to_the_age_question_in_the_ways_people_write_it(text: str, ages: list[int]):
    from bot.reader import ages_answering

    assert ages_answering(text) == ages


@pytest.mark.parametrize(("text", "ages"), [
    ("my son (4) and daughter (22 months) are on a waiting list", [4, 1]),
    ("mum of 4 here (12, 9, 6 and 18 months), just been diagnosed", [12, 9, 6, 1]),
    ("neighbours lad (15ish) gets collected by older blokes", [15]),
    ("at 6 she was diagnosed with diabetes and now at 13 shes refusing her insulin", [13]),
    ("my twins are 14, one is doing great", [14]), ("me and the 2 kids, one bathroom for 6 families", [])])
def test_ages_in_brackets_with_months_and_the_age_now_after_a_past_one(text: str, ages: list[int]):
    from bot.reader import child_ages, plain

    assert sorted(child_ages(plain(text), text)) == sorted(ages)


@pytest.mark.parametrize(("text", "model", "intent"), [
    # a fresh batch, openings 11 (session 16), as the model read them
    ("drank most of a bottle of vodka and swallowed my mums pills, dont want to wake up. 15", "ask_help", "report"),
    ("17 and just found out im pregnant, my parents are really strict and i cant tell them. what do i do",
     "report_concern", "report"),
    ("should i be scared to go home? my dad goes mad if i get anything wrong. 11", "ask_about_service", "report"),
    ("i rang last week about my grandson and nobodys got back to me, is there a reference number i can chase",
     "report_concern", "question"),
    ("Safeguarding lead, primary school, Earley - Y3 girl said something worrying. advice pls", "report_concern",
     "professional"),
    ("can i have a phone call instead of texting, im dyslexic", "ask_about_service", "human"),
    ("just wanted to say thank you for yesterday, the lady i spoke to was lovely", "ask_about_service", "thanks"),
    ("whos my councillor for hurst", "ask_about_service", "out_of_scope"),
    # and what stays as it was
    ("baby crying non stop in the flat below for hours, the mum left with a suitcase, nobody has come back",
     "report_concern", "report"),
    ("17 n got a 3 month old, is there a drop in for young mums round here", "report_concern", "report"),
    ("my son keeps hitting me and i cant cope. 14", "ask_help", "help")])
def test_openings_11_an_age_signed_off_chasing_a_call_and_asking_for_one(text: str, model: str, intent: str):
    assert understand(text, Reading(intent=model, confidence=0.95, entities={})).intent == intent


@pytest.mark.parametrize(("text", "model", "intent"), [
    # a fresh batch, openings 10 (session 16), as the model read them before the reader was changed
    ("foster carer in Earley, our placement is 15 and keeps going missing overnight", "professional_referral", "help"),
    ("the school ring me to pick my 5yo up at lunch nearly every day, i cant keep my job like this", "ask_help",
     "help"),
    ("my daughters best mate is 13 and shes been staying at a 19 yr olds flat most weekends", "ask_help", "report"),
    ("is it a social services thing if a neighbour smacks his kids in the front garden? he did it today",
     "ask_about_service", "report"),
    ("Early years SENCO in Shinfield, we have a 2yo with global delay, dad has agreed to early help", "ask_help",
     "professional"),
    ("HV on a home visit in Winnersh, mum has just walked out leaving her 6 week old with me", "report_concern",
     "professional"),
    ("School counsellor - Year 7 pupil says she wants to tell someone about what happens at dads",
     "ask_about_service", "professional"),
    ("breakfast club supervisor, a 6yo turns up by himself at 7.30 every morning", "report_concern", "professional"),
    ("my mums care package has been cut, shes 82 and cant wash herself, who do i ring", "report_concern",
     "out_of_scope"),
    ("oh god ignore that, was meant for my boyfriend", "report_concern", "out_of_scope"),
    ("any help with food over the holidays? 3 of them, 6 9 and 11", "ask_help", "find_service"),
    # and what stays as it was
    ("Please can a duty social worker call me to discuss, I'd rather not put it in writing", None, "human"),
    ("health visitor - if a family says no to early help do you still want to hear about them?",
     "ask_about_service", "question"),
    ("hv said i should text you about my sons sleep", "ask_help", "help")])
def test_openings_10_roles_whose_child_and_what_is_asked(text: str, model: str | None, intent: str):
    reading = Reading(intent=model, confidence=0.95, entities={}) if model else None
    assert understand(text, reading).intent == intent


@pytest.mark.parametrize(("text", "model", "intent"), [
    ("can you get in trouble for telling a teacher your dad hits you. im 12", "ask_about_service", "report"),
    ("is there anything for young carers near me? im 15", "report_concern", "find_service"),
    ("is there anything for young carers near me? im 15", "ask_about_service", "find_service"),
    ("is it normal to be scared of your dad? he never hit me but he gets angry. im in year 5", "ask_help", "report"),
])
def test_a_child_telling_of_harm_as_a_question_reports_and_asking_for_a_service_finds_one(text, model, intent):
    """A fresh batch, openings 7: the screen hears the child ("im 12" last), as the pipeline passes it on."""
    from mash.safety import screen

    said = screen(text)
    assert understand(text, Reading(model, 0.95, {}), child_speaking=said.child_speaking).intent == intent


@pytest.mark.parametrize(("said", "kept"), [("i think so? we werent married", "not_sure"), ("god no", "no"),
                                            ("probably", "not_sure")])
def test_a_hedged_answer_to_parental_responsibility_is_not_sure_and_god_no_is_no(said, kept):
    """A probe: "i think so? we werent married" got "Sorry, I didn't catch that"."""
    from bot.answers import _choice
    from forms.conversation import JOURNEYS

    field = next(s.field for j in JOURNEYS.values() for s in j.fields() if s.name == "has_parental_responsibility")
    assert _choice(field, said) == kept


@pytest.mark.parametrize(("said", "kept"), [
    ("im her key worker at nursery", "other"), ("friend of her mum", "acquaintance"),
    ("im just a parent there", "acquaintance"), ("shes my granddaughter", "family"), ("im his step dad", "family")])
def test_how_a_reporter_knows_the_child_in_their_own_words(said, kept):
    """A probe: "friend of her mum" and "a parent there" were taken for family; a key worker was not understood."""
    from bot.answers import interpret
    from forms.conversation import JOURNEYS

    field = next(s.field for s in JOURNEYS["report"].fields() if s.name == "referrer_relationship")
    assert interpret(field, said) == kept


def test_a_child_leaving_mid_way_is_told_where_help_is():
    """The review: "gotta go dads back" mid-report got "Take care" and nothing about being safe."""
    talk = Talk(CHAT)
    talk.to("first_name", journey="young_person")
    reply = talk.say("gotta go dads back")
    assert "If you are not safe, call 999." in reply and talk.asking == "first_name"  # answers kept, asked again
    grown_up = Talk(CHAT)
    grown_up.to("first_name", journey="report")
    assert "If you are not safe" not in grown_up.say("thanks bye")
