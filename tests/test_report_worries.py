"""The kind of worry read from a report's own words (bot.report_worries): what a duty worker sees as "Worry: ... (from
their words)" on a report by text that never chose a category. Precision first: every "must not" here is a report
where a wrong worry would mislead the worker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.report_worries import READABLE, examples, read_worries, screened_categories
from forms.referral import CONCERN_CATEGORIES
from tests.bot_support import PARENT

# (what the person texted, the worries a duty worker would take from it). Text-speak, no punctuation, as typed.
READS = [
    ("their mum is always pissed n the kids r left on there own", {"substance_misuse", "neglect"}),
    ("the kids next door get left home alone all nite while she goes out", {"neglect"}),
    ("neighbours baby screams for hours n no one comes the house stinks n the kids r filthy", {"neglect"}),
    ("the little boy next door is always hungry he asks my kids for food every day", {"neglect"}),
    ("theres never any food in the house for them and the baby is in the same nappy all day", {"neglect"}),
    ("i saw the dad smack the little girl really hard in the street and drag her home", {"physical_abuse"}),
    ("pupil came in with a black eye this morning says her step dad hit her", {"physical_abuse"}),
    ("her dad hits her with a belt when he gets angry", {"physical_abuse"}),
    ("my mate's son has bruises on his arms and back and wont say how he got them", {"physical_abuse"}),
    ("my mum hits me and my little brother when shes drunk", {"physical_abuse", "substance_misuse"}),
    ("my daughter told me her uncle touched her down there at the weekend", {"sexual_abuse"}),
    ("shes 14 and keeps getting in cars with older men comes back with vapes n a new phone",
     {"sexual_exploitation"}),
    ("i think my niece is being groomed online by a man she met on snapchat", {"sexual_exploitation"}),
    ("my son is 15 and i think hes been pulled into county lines hes got cash he cant explain",
     {"criminal_exploitation"}),
    ("her boyfriend beats her in front of the kids police were there again last nite", {"domestic_abuse"}),
    ("dad hits mum n the kids see it all the time", {"domestic_abuse"}),
    ("my ex is really controlling and threatened me again, our kids are scared of him", {"domestic_abuse"}),
    ("my 14 yr old daughter has gone missing again, not been home since fri", {"missing"}),
    ("my friends daughter is cutting herself and says she wants to die", {"self_harm"}),
    ("my son is really depressed and on the camhs waiting list", {"self_harm"}),
    ("mum has bipolar and has stopped taking her meds the kids are looking after her", {"parent_mental_health"}),
    ("their dad drinks every nite and gets nasty with them", {"substance_misuse"}),
    ("dad is a smackhead and there are needles lying around the flat", {"substance_misuse"}),
    ("the flat stinks of weed and the toddler is crawling round on his own", {"substance_misuse"}),
    ("her mum calls her useless and fat every day in front of everyone", {"emotional_abuse"}),
    ("step dad tells him he wishes he was never born", {"emotional_abuse"}),
    ("my son keeps watching far right videos and says hes going to join them", {"radicalisation"}),
    ("im scared my family are taking me to pakistan this summer to get married im 15", {"fgm_honour"}),
    ("she's been evicted and the kids are sofa surfing with her at her mates", {"family_stress"}),
    ("I think the girl next door has been trafficked she never goes to school and cleans all day",
     {"trafficking"}),
    ("my son is autistic and non verbal and his dad shakes him when he screams", {"disability"}),
    ("Mum's off her face again. Kids are alone in the flat. Baby is 8 months", {"substance_misuse", "neglect"}),
]

# The young person's journey: a child writing about their own life.
READS_BY_A_CHILD = [
    ("my step dad hits me n says ill get worse if i tell", {"physical_abuse"}),
    ("i self harm and i dont want to be here anymore", {"self_harm"}),
    ("mum calls me names and tells me shes wishes i was never born", {"emotional_abuse"}),
    ("my mum drinks all day n doesnt feed us", {"substance_misuse", "neglect"}),
    ("he touches me at night when mum is at work", {"sexual_abuse"}),
]

# Reports where a worry read would be wrong: nothing, or only what is said outright.
MUST_NOT = [
    ("no sign of drink or drugs, the house was clean and the kids seemed happy", set()),
    ("she is not hurt and there are no marks on her", set()),
    ("the kids are killing me today lol", set()),
    ("my 3 yr old hits me and kicks when he doesnt get his way", set()),
    ("my 4 year old keeps hitting me and biting his sister", set()),
    ("my 15 yr old drinks water all day and barely eats", set()),
    ("my son is 16 and has been drinking with his mates at the park", set()),
    ("the kids r driving me to drink", set()),
    ("mum was pissed off with the school about his uniform", set()),
    ("he fell off his bike and bruised his knee, mum took him to a and e", set()),
    ("please just leave me alone", set()),
    ("she is missing her dad loads since he left", set()),
    ("my phone went missing at the bus stop", set()),
    ("a gang of girls keep picking on my daughter at school", set()),
    ("the boy next door hits my son at school every day", set()),
    ("my 2 yr old is a little terrorist at bedtime", set()),
    ("dad is not violent and mum does not drink", set()),
    ("i take the dog grooming on saturdays and the kids come", set()),
    ("mum is getting married next month and my 12 yr old is upset", set()),
    ("she put the baby in the high chair and went to make tea", set()),
    ("i was dying to tell someone", set()),
    ("my ex has got the kids this weekend and wont let me talk to them", set()),
    ("their mum is disabled and in a wheelchair, the kids help her", set()),
    ("the kids were never left alone, she is a good mum", set()),
    ("her older brother picks her up from school", set()),
]


@pytest.mark.parametrize(("text", "expected"), READS)
def test_a_report_by_text_reads_the_worries_a_duty_worker_would_take_from_it(text, expected):
    assert set(read_worries([text]).worries) == expected


@pytest.mark.parametrize(("text", "expected"), READS_BY_A_CHILD)
def test_a_child_writing_about_themselves(text, expected):
    assert set(read_worries([text], child_writing=True).worries) == expected


@pytest.mark.parametrize(("text", "expected"), MUST_NOT)
def test_negation_figures_of_speech_and_whose_worry_it_is_say_nothing(text, expected):
    assert set(read_worries([text]).worries) == expected


def test_who_is_writing_decides_whose_hitting_it_is():
    # An adult: a partner hitting them (domestic abuse). A child: a parent hitting a child.
    assert read_worries(["my boyfriend hits me and the kids hear it"]).worries == ("domestic_abuse",)
    assert read_worries(["my step dad hits me"], child_writing=True).worries == ("physical_abuse",)
    assert read_worries(["my step dad hits me"]).worries == ()  # an adult's step-father: whose worry is unclear


def test_the_screens_categories_count_where_the_words_agree():
    # The screen found a carer drunk with a child, or a child alone: that is the worry, even in few words.
    assert read_worries(["come quick"], screened=["intoxicated_carer_with_child"]).worries == ("substance_misuse",)
    assert read_worries(["hes on his own again"], screened=["child_alone"]).worries == ("neglect",)
    # A child alone who has run away is missing, not neglected.
    assert read_worries(["my son has run away and i dont know where he is"], screened=["child_alone"]).worries == \
        ("missing",)
    # Taken or followed: the words say which.
    assert read_worries(["a man keeps picking her up in his car she is 13"], screened=["taken_or_followed"]
                        ).worries == ()
    assert read_worries(["older men picking her up from a party"], screened=["taken_or_followed"]).worries == \
        ("sexual_exploitation",)
    assert read_worries(["they make him carry drugs to other towns"], screened=["taken_or_followed"]).worries == \
        ("criminal_exploitation",)
    # Suicide or self-harm: a child's, unless an adult writes of themselves.
    assert read_worries(["she took a load of pills"], screened=["suicide_self_harm"]).worries == ("self_harm",)
    assert read_worries(["i cant go on, i took all my tablets, my kids are asleep"],
                        screened=["suicide_self_harm"]).worries == ()
    # The screen's "sexual abuse, exploitation or grooming": exploitation where the words say so.
    assert read_worries(["shes 14 and her boyfriend is 23"], screened=["sexual_abuse"]).worries == (
        "sexual_exploitation",)
    assert read_worries(["he is being groomed by dealers, hes 14"], screened=["sexual_abuse"]).worries == (
        "criminal_exploitation",)
    # The screen's "a child is being hurt" beside self-harm is the self-harm, not a parent hitting them.
    assert read_worries(["my friends son keeps saying he wants to die"],
                        screened=["child_being_hurt", "suicide_self_harm"]).worries == ("self_harm",)
    assert read_worries(["the lady upstairs is hurting the little one"], screened=["child_being_hurt"]).worries == (
        "physical_abuse",)
    # The screen's categories that say nothing of the kind of worry add nothing.
    assert read_worries(["help"], screened=["violence_now", "injury", "help_with_fear", "other_danger"]).worries == ()


def test_a_reading_names_its_rules_never_the_words():
    reading = read_worries(["their mum is always drunk and the kids are left alone"], screened=["child_alone"])
    assert reading.worries == ("neglect", "substance_misuse")
    assert all("." in rule and " " not in rule for rule in reading.rules)
    assert "drunk" not in " ".join(reading.rules)


def test_the_opening_message_and_what_happened_are_read_together_but_sentences_stay_apart():
    assert read_worries(["i want to report my neighbour", "she leaves the kids alone every night"]).worries == \
        ("neglect",)
    # "not" at the end of one message never negates the next.
    assert read_worries(["im not sure what to do", "mum is drunk with the baby"]).worries == ("substance_misuse",)


def test_the_data_files_examples_read_as_they_say():
    for worry, (says, never) in examples().items():
        for text in says:
            assert worry in read_worries([text]).worries, (worry, text)
        for text in never:
            assert worry not in read_worries([text]).worries, (worry, text)


def test_only_concern_categories_are_read():
    values = {c.value for c in CONCERN_CATEGORIES}
    assert set(READABLE) <= values and "other" not in READABLE
    assert {w for w in READABLE} == set(examples())


def test_the_screens_categories_are_found_in_a_contacts_flags():
    assert screened_categories(["danger_now:child_alone", "level4_indicator", "check_now:sexual_abuse"]) == (
        "child_alone", "sexual_abuse")
    assert screened_categories(None) == ()


# --- by text, through to the queue: shown as read, never triaged -------------------------------------------------
# A neighbour's report by text whose words name neglect and a carer's drinking, told as a pattern (no danger now).
NEIGHBOUR = "i want to report a worry about the kids next door, their mum drinks every day and they always look hungry"
ANSWERS = {"first_name": "Mia", "age_said": "6", "postcode": "RG40 1BN", "address": "12 Park Road",
           "child_location": "at home with mum", "referrer_relationship": "neighbour", "anonymous": "no",
           "referrer_name": "Pat Example", "referrer_email": "none", "safe_to_contact": "yes",
           "safe_contact_how": "any time", "parents_told": "no", "parents_not_told_reason": "i dont know her"}


@pytest.fixture
def parser(monkeypatch):
    from tests.bot_support import FakeParser, use_parser

    fake = FakeParser()  # Rasa up with no opinion: the front door's own reader moves the dialogue
    use_parser(monkeypatch, fake)
    return fake


def _report_by_text(client, db_session, opening: str, answers: dict[str, str], *, sender: str = PARENT):
    """A report by text, each question answered from `answers`, to where it stops asking: the contact it made."""
    from bot import conversations
    from tests.bot_support import post_sms

    post_sms(client, opening, sender=sender)
    for _ in range(25):
        db_session.expire_all()
        state = conversations.find_latest(db_session, "sms", sender).state or {}
        if state.get("asking") not in answers:
            break
        post_sms(client, answers[state["asking"]], sender=sender)
    db_session.expire_all()
    contact, = conversations.linked_contacts(db_session, conversations.find_latest(db_session, "sms", sender))
    return contact


def test_a_report_by_text_reaches_the_queue_with_the_worry_read_from_its_words(client, db_session, parser):
    from tests.staff_support import create_staff, sign_in

    contact = _report_by_text(client, db_session, NEIGHBOUR, ANSWERS)
    assert contact.channel == "sms" and contact.journey == "report" and contact.answers.get("referrer_name")
    assert contact.concern_categories == []  # nothing chosen: the conversation never asks
    assert contact.concern_categories_read == ["neglect", "substance_misuse"]
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    queue = client.get("/staff/queue").get_data(as_text=True)
    assert "Neglect, Drinking or drug use by a parent or carer (from their words)" in queue
    assert "Not said yet" not in queue
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Neglect, Drinking or drug use by a parent or carer (from their words)" in page
    assert "they did not choose these" in page


def test_the_same_report_with_the_reader_switched_off_is_triaged_the_same(client, db_session, parser, monkeypatch):
    """The worries read are shown, never triaged: RAG, rank and flags are those of the report without them."""
    from bot import conversations
    from bot.report_worries import NOTHING_READ

    read = _report_by_text(client, db_session, NEIGHBOUR, ANSWERS)
    monkeypatch.setattr(conversations, "read_worries", lambda *args, **kwargs: NOTHING_READ)
    unread = _report_by_text(client, db_session, NEIGHBOUR, ANSWERS, sender="+447700900456")
    assert read.concern_categories_read and not unread.concern_categories_read
    assert (read.rag, read.risk_rank, read.safety_flags) == (unread.rag, unread.risk_rank, unread.safety_flags)
    assert "worries_read" not in str(read.answers)


def test_intake_keeps_the_worries_read_apart_from_triage(db_session):
    """Sexual abuse chosen is a level-4 indicator (red); read from the words it changes nothing. A choice wins."""
    from forms import examples
    from forms.referral import REPORT
    from forms.schema import Referral
    from mash.intake import receive_referral

    form, problems = REPORT.validate(examples.professional_concern())
    assert form is not None, problems
    chosen = receive_referral(db_session, form, channel="web", actor="public:web", worries_read=("missing",))
    assert chosen.concern_categories and chosen.concern_categories_read == []
    by_text = {"referrer_type": "public", "what_happened": "words", "children": [{"first_name": "Mia", "born": "yes"}]}
    plain = receive_referral(db_session, Referral(journey="report", kind="concern", answers=by_text),
                             channel="sms", actor="bot:sms")
    read = receive_referral(db_session, Referral(journey="report", kind="concern", answers=by_text),
                            channel="sms", actor="bot:sms", worries_read=("sexual_abuse", "not_a_category"))
    assert read.concern_categories_read == ["sexual_abuse"] and plain.concern_categories_read == []
    assert (read.rag, read.risk_rank, read.safety_flags) == (plain.rag, plain.risk_rank, plain.safety_flags)
    assert read.rag == "green" and "level4_indicator" not in read.safety_flags
    chosen_by_text = receive_referral(db_session, Referral(journey="report", kind="concern", answers={
        **by_text, "concern_categories": ["sexual_abuse"]}), channel="sms", actor="bot:sms")
    assert chosen_by_text.rag == "red"  # the same worry chosen is triaged: the test above could fail


def test_a_check_now_contact_made_at_the_first_message_keeps_its_worry_when_the_report_is_finished(
        client, db_session, parser):
    """The screen unsure of the first message: a red contact at once, read from that message and the screen's category;
    the report goes on and is finished into the same contact, which keeps the worry it read."""
    from mash.models import AuditEvent

    contact = _report_by_text(client, db_session, "the kids across the road are left on their own most evenings",
                              ANSWERS)
    assert "check_now:child_alone" in contact.safety_flags and contact.referrer_name == "Pat Example"
    assert contact.concern_categories_read == ["neglect"]
    received = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.received")).one()
    assert received.details["worries_read"] == ["neglect"]  # on the trail as codes, never words


def test_details_added_later_read_more_and_keep_what_was_read(db_session):
    """A contact made early (danger, a check now, the worker's follow-up) and the report's answer to "What has
    happened?" given after: what it adds is read, on the trail, and what was read before is kept."""
    import datetime as dt

    from bot import conversations
    from bot.models import Conversation, Message
    from mash.models import AuditEvent

    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    conversation = Conversation(channel="sms", sender_key="k", phone=PARENT, started_at=now, last_message_at=now,
                                danger=True, danger_categories=["child_alone"], assistant_missed=0)
    db_session.add(conversation)
    db_session.flush()
    db_session.add(Message(conversation_id=conversation.id, direction="in", at=now, danger_categories=[],
                           text="theres a toddler crying in the flat next door"))
    db_session.flush()
    contact = conversations.create_contact(db_session, conversation, reason="danger", key="k:d1", now=now)
    assert contact.concern_categories_read == ["neglect"]  # from the screen's category: a child alone
    later = {"what_happened": "his mum is a smackhead shes always off her face"}
    conversations.add_details(db_session, contact, later, actor="bot:sms", journey="report", now=now)
    assert contact.concern_categories_read == ["neglect", "substance_misuse"]
    details = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "conversation.details")).one().details
    assert details["worries_read"] == ["neglect", "substance_misuse"]
    conversations.add_details(db_session, contact, {"what_happened": "not sure what else"}, actor="bot:sms",
                              journey="report", now=now)
    assert contact.concern_categories_read == ["neglect", "substance_misuse"]


def test_the_worry_read_is_in_the_chronology_marked_as_read_and_a_chosen_one_wins(db_session):
    from mash.chronology import chronology
    from tests.staff_support import create_contact

    read = create_contact(db_session, concern_categories=["physical_abuse"])
    read.concern_categories = []  # as a report by text: nothing chosen, a worry read
    read.concern_categories_read = ["missing"]
    db_session.commit()
    lines = [e.detail for e in chronology(db_session, read.children[0]).entries if e.what.startswith("Contact rec")]
    assert lines == ["Concern: Going missing from home, care or school (from their words). Rated RED."]
    read.concern_categories = ["neglect"]  # chosen always wins
    db_session.commit()
    lines = [e.detail for e in chronology(db_session, read.children[0]).entries if e.what.startswith("Contact rec")]
    assert lines == ["Concern: Neglect. Rated RED."]


def test_the_worry_in_words_chosen_read_or_not_said():
    from mash.describe import worry_words

    assert worry_words([], read=["neglect", "substance_misuse"]) == \
        "Neglect, Drinking or drug use by a parent or carer (from their words)"
    assert worry_words([], read=["neglect", "missing", "self_harm"]) == \
        "Neglect, Going missing from home, care or school and 1 more (from their words)"
    assert worry_words(["domestic_abuse"], read=["neglect"]) == "Domestic abuse at home"  # a choice wins
    assert worry_words([], read=[]) == "Not said yet" and worry_words(None) == "Not said yet"


def test_a_report_by_web_chat_is_read_too(client, db_session, parser):
    from mash.models import Contact

    client.post("/chat/api/messages", json={"text": "the mum next door is always drunk and leaves her kids on "
                                                    "their own all night"})
    contact = db_session.scalars(select(Contact)).one()
    assert contact.channel == "chat" and contact.concern_categories_read == ["neglect", "substance_misuse"]

