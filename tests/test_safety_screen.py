"""The deterministic safety screen (issue 5, item 3): every example sentence in mash/data/safety runs here,
one test per sentence, plus the reply, odd input, speed and what the screen may never keep."""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import string
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from mash import safety
from mash.safety import (
    AMBULANCE_LINE,
    CHILDLINE_LINE,
    DANGER_LINE,
    DEFAULT_OUT_OF_HOURS_NUMBER,
    SMS_LIMIT,
    SWALLOWED_LINE,
    SafetyDataError,
    Screening,
    advice,
    screen,
)

FILES = safety.data_files()
CATEGORY_FILES = {name: doc for name, doc in FILES.items() if "category" in doc}
CHILD = FILES[safety.CHILD_SPEAKING_FILE]
VOCABULARY = FILES[safety.VOCABULARY_FILE]
CATEGORIES = {doc["category"] for doc in CATEGORY_FILES.values()}
RULE_IDS = {rule["id"] for doc in [*CATEGORY_FILES.values(), CHILD] for rule in doc["rules"]}
# GSM 03.38 basic character set (no escape-table characters): a reply in it never falls into UCS-2.
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà")


def _examples(key: str) -> list:
    params = []
    for _name, doc in sorted(CATEGORY_FILES.items()):
        for i, text in enumerate(doc.get(key, [])):
            params.append(pytest.param(doc["category"], text, id=f"{doc['category']}-{i:02d}"))
    return params


# --------------------------------------------------------------------------------------------------
# The data files' own examples: one test each.

@pytest.mark.parametrize(("category", "text"), _examples("must_trigger"))
def test_must_trigger(category: str, text: str) -> None:
    result = screen(text)
    assert result.danger, f"missed: {text!r}"
    assert category in result.categories, f"{text!r} fired {result.categories}, not {category}"
    assert result.reply is not None and result.reply.startswith(DANGER_LINE)


@pytest.mark.parametrize(("category", "text"), _examples("must_not_trigger"))
def test_must_not_trigger(category: str, text: str) -> None:
    result = screen(text)
    assert not result.danger, f"{text!r} fired {result.matched}"
    assert not result.check_now, f"{text!r} asked for a check now: {result.check_matched}"
    assert result.reply is None and result.matched == () and result.categories == ()


@pytest.mark.parametrize(("category", "text"), _examples("must_check"))
def test_must_check(category: str, text: str) -> None:
    """Check now: red for staff, with the category as its reason; nothing said to the person (no reply)."""
    result = screen(text)
    assert not result.danger, f"{text!r} fired {result.matched}: danger now, not check now"
    assert result.check_now and category in result.check_categories, f"{text!r}: {result.check_categories}"
    assert result.reply is None and result.red and result.categories == () and result.matched == ()
    assert set(result.check_matched) <= RULE_IDS


# How phones mangle a message. Each must_trigger sentence must survive every one, and each must_not_trigger
# sentence must stay quiet under the ones that do not add letters.
TYPED = {
    "shouted": str.upper,
    "no capitals": str.lower,
    "no punctuation": lambda s: s.translate(str.maketrans("", "", string.punctuation)),
    "punctuation as spaces": lambda s: s.translate({ord(c): " " for c in string.punctuation}),
    "curly apostrophes": lambda s: s.replace("'", "\u2019"),
    "stretched": lambda s: re.sub(r"([aeiou])", r"\1\1\1", s, count=2),
    "shouted, no punctuation": lambda s: s.upper().translate(str.maketrans("", "", string.punctuation)),
}


@pytest.mark.parametrize(("category", "text"), _examples("must_trigger"))
def test_must_trigger_however_it_is_typed(category: str, text: str) -> None:
    for how, change in TYPED.items():
        typed = change(text)
        if not typed.strip(string.punctuation + string.whitespace):
            continue  # an emoji-and-punctuation example loses nothing meaningful here
        result = screen(typed)
        assert result.danger and category in result.categories, f"{how}: {typed!r}"


@pytest.mark.parametrize(("category", "text"), _examples("must_not_trigger"))
def test_must_not_trigger_however_it_is_typed(category: str, text: str) -> None:
    for how in ("shouted", "no capitals", "no punctuation", "punctuation as spaces", "curly apostrophes"):
        assert not screen(TYPED[how](text)).red, f"{how}: {TYPED[how](text)!r}"


@pytest.mark.parametrize(("category", "text"), _examples("must_check"))
def test_must_check_however_it_is_typed(category: str, text: str) -> None:
    for how in ("shouted", "no capitals", "no punctuation", "punctuation as spaces", "curly apostrophes"):
        result = screen(TYPED[how](text))
        assert result.check_now and not result.danger, f"{how}: {TYPED[how](text)!r}"


@pytest.mark.parametrize("text", [pytest.param(t, id=f"child-{i:02d}") for i, t in enumerate(CHILD["must_trigger"])])
def test_child_speaking(text: str) -> None:
    assert screen(text).child_speaking, text


@pytest.mark.parametrize("text", [pytest.param(t, id=f"adult-{i:02d}")
                                  for i, t in enumerate(CHILD["must_not_trigger"])])
def test_not_child_speaking(text: str) -> None:
    assert not screen(text).child_speaking, text


@pytest.mark.parametrize(("text", "reads_as"), [pytest.param(e["text"], e["reads_as"], id=f"reads-{i:02d}")
                                                for i, e in enumerate(VOCABULARY["examples"])])
def test_reading(text: str, reads_as: str) -> None:
    assert safety.read_as(text) == reads_as


@pytest.mark.parametrize("name", sorted(CATEGORY_FILES))
def test_every_rule_has_an_example_that_fires_it(name: str) -> None:
    """Adding a rule means adding a must_trigger sentence that it catches (must_check, for a check-now rule);
    a rule that can be unsure needs a must_check sentence where it is."""
    doc = CATEGORY_FILES[name]
    fired = {rule_id for text in doc["must_trigger"] for rule_id in screen(text).matched}
    checked = {rule_id for text in doc.get("must_check", []) for rule_id in screen(text).check_matched}
    silent = [rule["id"] for rule in doc["rules"]
              if rule["id"] not in (checked if rule.get("outcome") == "check_now" else fired)]
    assert not silent, f"{name}: no example fires {silent}"
    never_unsure = [rule["id"] for rule in doc["rules"] if rule.get("unsure_if") and rule["id"] not in checked]
    assert not never_unsure, f"{name}: no must_check example shows {never_unsure} unsure"


def test_every_child_speaking_rule_has_an_example() -> None:
    compiled = safety._compiled()
    fired = set()
    for text in CHILD["must_trigger"]:
        message = safety._Message(compiled, safety._prepare(compiled, text))
        fired |= {rule.id for rule in compiled.child_rules if message.fires(rule)}
    assert {rule["id"] for rule in CHILD["rules"]} == fired


def test_data_files_are_complete() -> None:
    expected = {"violence_now", "child_alone", "injury", "child_being_hurt", "suicide_self_harm", "sexual_abuse",
                "locked_in", "help_with_fear", "intoxicated_carer_with_child", "taken_or_followed", "hazard_now"}
    assert expected == CATEGORIES
    for name, doc in CATEGORY_FILES.items():
        assert doc["rules"] and doc["must_trigger"] and doc["must_not_trigger"], name
        for rule in doc["rules"]:
            assert rule["id"].count(".") == 1 and rule.get("note"), f"{name}: {rule['id']} needs an id and a note"
    ids = [rule["id"] for doc in [*CATEGORY_FILES.values(), CHILD] for rule in doc["rules"]]
    assert len(ids) == len(set(ids))


def test_a_broken_data_file_fails_at_load(tmp_path: Path) -> None:
    for path in safety.DATA_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    doc = json.loads((tmp_path / "injury.json").read_text(encoding="utf-8"))
    doc["rules"][0]["pattern"] = "{no_such_list} ... blood"
    (tmp_path / "injury.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SafetyDataError, match="no_such_list"):
        safety.load(tmp_path)


@pytest.mark.parametrize(("change", "error"), [
    ({"outcome": "maybe"}, "outcome"),
    ({"sure_if": ["tonight"]}, "sure_if only overrides"),
])
def test_a_rule_that_says_how_it_is_unsure_wrongly_fails_at_load(tmp_path: Path, change: dict, error: str) -> None:
    for path in safety.DATA_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    doc = json.loads((tmp_path / "hazard_now.json").read_text(encoding="utf-8"))
    doc["rules"][0].update(change)
    (tmp_path / "hazard_now.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SafetyDataError, match=error):
        safety.load(tmp_path)


# --------------------------------------------------------------------------------------------------
# Check now: who does what to whom, and when.

def outcome_of(result: Screening) -> str:
    """A screening in one word: the 999 advice, a check now for staff, or nothing."""
    return "danger" if result.danger else "check" if result.check_now else "nothing"


@pytest.mark.parametrize(("text", "outcome"), [
    # when: past and now safe, or now and then, is a check; the same words happening now are danger
    ("my partner hit me last night, hes at work now and the kids are at school", "check"),
    ("my partner hit me last night, hes at work now but says hes coming back tonight to finish it", "danger"),
    ("my mum smacks me sometimes when im naughty", "check"),
    ("my mum is smacking me", "danger"),
    ("a few years ago my ex strangled me, hes in prison now and were safe", "check"),
    ("he strangled me and hes still in the house", "danger"),
    # danger now wins over anything the screen is unsure of
    ("he hit me last month and now hes outside with a knife", "danger"),
    # who: a small child hitting a parent, a child hitting other children, a figure of speech, a negation
    ("my son is 4 and he hits me and kicks when i tell him no", "nothing"),
    ("nursery say hes hitting the other kids", "nothing"),
    ("the kids are literally killing me today", "nothing"),
    ("id kill for a full nights sleep lol", "nothing"),
    ("my dad shouts a lot but he never hits me", "nothing"),
    ("my parents keep saying theyll kick me out if i dont stop seeing my girlfriend", "nothing"),
    ("i am drowning in paperwork and my baby wont settle", "nothing"),
    # a weaker sign: check now, unless it is happening now
    ("i think shes being groomed, an older boy picks her up from school", "check"),
    ("shes being groomed and shes gone to meet him tonight", "danger"),
])
def test_who_does_what_to_whom_and_when(text: str, outcome: str) -> None:
    result = screen(text)
    assert outcome_of(result) == outcome, (text, result.matched, result.check_matched)


@pytest.mark.parametrize(("text", "outcome"), [
    # "yesterday" and "last night" make only hurt already done a check now (a teacher's pupil hit yesterday); a
    # threat to kill, a rape, an overdose, self-harm or a child taken that recently is still danger now (the
    # final review of 6570b14, which had made all of these silent checks)
    ("he hit her yesterday", "check"),
    ("my son was hit by his dad last night", "check"),
    ("my daughter took an overdose last night", "danger"),
    ("my son said last night he wants to kill himself", "danger"),
    ("she cut her wrists last night", "danger"),
    ("she was raped last night", "danger"),
    ("my 13 year old was raped yesterday by her uncle", "danger"),
    ("a man took my son from the park yesterday", "danger"),
    ("the baby swallowed bleach last night", "danger"),
    ("he said last night he will kill us all", "danger"),
    ("he threatened to kill me and the kids last night", "danger"),
    ("my partner said on saturday he would kill the kids", "danger"),
    ("he pulled a knife on me yesterday", "danger"),
    ("my 9 year old has been on his own since last night", "danger"),
])
def test_a_recent_event_is_past_only_for_hurt_already_done(text: str, outcome: str) -> None:
    result = screen(text)
    assert outcome_of(result) == outcome, (text, result.matched, result.check_matched)


@pytest.mark.parametrize(("text", "outcome"), [
    # issue 12: the shape of danger, not the words of one message
    ("2 men are shoving a girl into the back of their van", "danger"),  # a child forced into a vehicle
    ("a lady just grabbed a baby off a bench and the dad is screaming", "danger"),  # taken, against anyone's will
    ("a bloke has been trailing my 12 year old since the bus stop, shes petrified", "danger"),  # followed now
    ("her fella has her by the throat on the landing", "danger"),  # strangling, however it is said
    ("my ex messaged that he will finish us all when he gets out tonight", "danger"),  # a threat to kill, reported
    ("the 2 little ones over the road are in the garden in the dark and theres no sign of their mum", "danger"),
    ("my 3 year old has swallowed some of the stuff from under the sink", "danger"),  # poisoning
    ("my daughter sent me a goodbye message and now wont answer", "danger"),  # goodbye, then silence
    ("the landing light is sparking and water is pouring through it", "danger"),  # a hazard now
    ("she is so hammered she dropped the baby on the stairs", "danger"),  # a carer drunk with a child now
    ("hes taken the door keys and we cant get out of the flat", "danger"),  # held
    # frames that make any finding a check now: long ago, a story, a joke, a what-if (vocabulary every_rule)
    ("my son was kidnapped in 2019 and is safe now, he still gets nightmares", "check"),
    ("we watched a film about a kidnapping and now my 9 year old wont sleep", "nothing"),
    ("saw on the news a toddler was left home alone for 3 days, how do i report a family", "check"),
    ("what happens if someone is being followed home, who do they ring", "check"),
    # ... unless something in the message says it is now
    ("he strangled me years ago and tonight hes outside again", "danger"),
    # figures of speech and harmless look-alikes stay quiet
    ("the toddler keeps whacking his baby brother with toys, any tips", "nothing"),
    ("my teenager says hes stabbing me in the back by telling his dad everything", "nothing"),
    ("the baby chokes a bit on her milk when she feeds fast", "nothing"),
])
def test_shapes_added_for_issue_12(text: str, outcome: str) -> None:
    result = screen(text)
    assert outcome_of(result) == outcome, (text, result.matched, result.check_matched)


# --------------------------------------------------------------------------------------------------
# The worst miss, every way a phone can type it.

@pytest.mark.parametrize("text", [
    "he's been drinking and he's got the baby",
    "He’s been drinking and he’s got the baby.",
    "HE'S BEEN DRINKING AND HE'S GOT THE BABY!!!",
    "hes been drinking and hes got the baby",
    "hes been drinkin n hes got da baby",
    "hes been drinkin and hes got the bbay",
    "he been drinkin hes got bby",
    "hes been drinkkkinggg and hes got the babyyyy",
    "he's been drinking 🍺🍺 and he's got the baby 👶",
    "he's drunk and he's got the baby",
    "hes drnk n hes got the baby",
    "he's pissed and he's got the baby",
    "he's wasted and he's got the baby",
    "he's off his face and he's got the baby",
    "she's been drinking and she's got the baby",
    "my ex has been drinking all day and he has the baby",
    "the baby is with him and he's been drinking",
    "he's been drinking. he's got the baby.",
    "he has been drinking and has taken the baby",
    "hes bin drinking and hes got the baby",
    "hes been drinking n hes got my son",
])
def test_the_worst_miss(text: str) -> None:
    result = screen(text)
    assert result.danger and "intoxicated_carer_with_child" in result.categories, text


# --------------------------------------------------------------------------------------------------
# The reply.

ADULT = ["he's got a knife", "there's blood everywhere", "i want to kill myself", "hes drunk n hes got the kids",
         "the kids are home alone and theyre 3 and 5", "he locked me in my room"]
CHILDREN = ["my dad hits me", "im 12 and mum is drunk", "my uncle touches me", "i'm 13 and my stepdad hurts me"]


@pytest.mark.parametrize("text", ADULT + CHILDREN)
def test_reply_starts_with_999_and_fits_two_segments(text: str) -> None:
    reply = screen(text).reply
    assert reply is not None
    assert reply.startswith("If you or a child are in danger now, call 999.")
    assert len(reply) <= SMS_LIMIT
    assert set(reply) <= GSM7, set(reply) - GSM7


@pytest.mark.parametrize("text", CHILDREN)
def test_a_child_gets_childline(text: str) -> None:
    result = screen(text)
    assert result.child_speaking
    assert "Childline" in result.reply and "0800 1111" in result.reply
    assert DEFAULT_OUT_OF_HOURS_NUMBER not in result.reply


@pytest.mark.parametrize("text", ADULT)
def test_an_adult_gets_the_out_of_hours_number_not_childline(text: str) -> None:
    result = screen(text)
    assert not result.child_speaking
    assert "Childline" not in result.reply and "0800 1111" not in result.reply
    assert DEFAULT_OUT_OF_HOURS_NUMBER in result.reply


def test_out_of_hours_number_is_a_setting() -> None:
    result = screen("he's got a knife", out_of_hours_number="0118 496 0999")
    assert "0118 496 0999" in result.reply and DEFAULT_OUT_OF_HOURS_NUMBER not in result.reply


def test_samaritans_for_an_adult_at_risk_of_suicide() -> None:
    assert "116 123" in screen("i want to kill myself").reply
    assert "116 123" not in screen("he's got a knife").reply


@pytest.mark.parametrize("text", ["my baby is not breathing", "hes fitting and his lips are going blue",
                                  "my son fell off the roof and wont wake up", "shes bleeding and it wont stop"])
def test_someone_badly_hurt_or_ill_is_told_to_ask_for_an_ambulance(text: str) -> None:
    reply = screen(text).reply
    assert reply is not None and reply.startswith(DANGER_LINE)
    assert reply.split(DANGER_LINE, 1)[1].lstrip().startswith(AMBULANCE_LINE), reply


def test_an_ambulance_is_not_asked_for_a_fight() -> None:
    assert AMBULANCE_LINE not in screen("he's got a knife and he's threatening my mum").reply


@pytest.mark.parametrize("child_speaking", [False, True])
def test_every_combination_of_categories_fits(child_speaking: bool) -> None:
    everything = sorted(CATEGORIES)
    for n in range(len(everything) + 1):
        reply = advice(everything[:n], child_speaking=child_speaking)
        assert reply.startswith(DANGER_LINE) and len(reply) <= SMS_LIMIT
    long_number = "0" * 200
    reply = advice(everything, child_speaking=False, out_of_hours_number=long_number)
    assert reply.startswith(DANGER_LINE) and len(reply) <= SMS_LIMIT
    assert (CHILDLINE_LINE in advice(everything, child_speaking=True)) is True


# --------------------------------------------------------------------------------------------------
# Odd input.

@pytest.mark.parametrize("text", [None, "", " ", "\n\t", "...", "!!!???", "\x00\x01", "😀", "👍🏽", "ok", "HELP",
                                  "STOP", "مرحبا", "你好", "\u202e\u202d", "\ud800"])
def test_nothing_dangerous(text: str | None) -> None:
    result = screen(text)  # type: ignore[arg-type]
    assert result == Screening(danger=False) or (not result.danger and result.reply is None)


def test_not_a_string() -> None:
    assert not screen(b"he's got a knife").danger  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["🆘🔪", "🔪🆘", "🆘", "🔪 he's coming", "🩸🩸🩸", "🍺👶", "🤕🚑", "😭😭 help",
                                  "🆘🆘🆘"])
def test_emoji_only_and_emoji_heavy(text: str) -> None:
    assert screen(text).danger, text


def test_emoji_with_skin_tones_and_variation_selectors() -> None:
    assert screen("🗡️ he's here").danger
    assert screen("🍺👶🏽").danger
    assert screen("HELP 🆘").danger


def test_very_long_input_is_quick_and_still_screened() -> None:
    filler = "we had a lovely day at the park and the children played on the swings. "
    text = (filler * 200)[:9990] + " he's got a knife"
    assert len(text) >= 10_000
    screen("hello")  # the rules load and the second net trains at first use: that is start-up, not this message
    started = time.perf_counter()
    result = screen(text)
    assert time.perf_counter() - started < 0.5
    assert result.danger and "violence_now" in result.categories
    random.seed(5)
    noise = "".join(random.choice("abcdefghijklmnopqrstuvwxyz .,'!?🔪😭0123456789") for _ in range(10_000))
    started = time.perf_counter()
    screen(noise)
    screen("a" * 10_000)
    screen("help " * 2_000)
    assert time.perf_counter() - started < 1.5


def test_deterministic() -> None:
    texts = [t for doc in CATEGORY_FILES.values() for t in doc["must_trigger"][:3]]
    first = [screen(t) for t in texts]
    random.seed(7)
    random.shuffle(texts)
    again = {t: screen(t) for t in texts}
    assert all(again[t] == r for t, r in zip([t for doc in CATEGORY_FILES.values() for t in doc["must_trigger"][:3]],
                                             first, strict=True))


# --------------------------------------------------------------------------------------------------
# What the screen keeps: rule ids only, never the text; it logs nothing.

def test_matched_holds_rule_ids_only() -> None:
    text = "Zebedee Quux says he's got a knife and there's blood everywhere"
    result = screen(text)
    assert result.danger and result.matched
    assert set(result.matched) <= RULE_IDS
    assert len(result.matched) == len(set(result.matched))
    flat = repr(result).lower()
    assert "zebedee" not in flat and "quux" not in flat and "knife" not in result.reply.lower()


def test_screening_is_frozen() -> None:
    result = screen("he's got a knife")
    with pytest.raises(FrozenInstanceError):
        result.danger = False  # type: ignore[misc]


def test_no_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    screen("Zebedee says he's been drinking and he's got the baby")
    screen("Zebedee asks about a parenting course")
    assert not caplog.records


@pytest.mark.parametrize("text", ["i took some pills", "my toddler swallowed some of my tablets",
                                  "the baby got into the washing tablets and ate one"])
def test_someone_who_has_taken_something_is_told_to_call_999_whatever_they_feel(text: str) -> None:
    """Found by the second review: "i took some pills" got only "If you ... are in danger now, call 999"."""
    reply = screen(text).reply or ""
    assert "call 999 now, even if they seem fine" in reply and len(reply) <= 306


def test_danger_without_anything_taken_has_no_swallowed_line() -> None:
    assert "taken pills" not in (screen("hes hitting her right now").reply or "")


@pytest.mark.parametrize("text", ["my daughter took an overdose last night shes 15", "she has overdosed",
                                  "he od on his mums tablets"])
def test_an_overdose_however_it_is_said_gets_the_even_if_they_seem_fine_line(text: str) -> None:
    """The live probe: "took an overdose last night" got the 999 line and Samaritans, nothing saying that someone
    who has taken an overdose needs help now even if they seem fine."""
    result = screen(text)
    assert result.danger and result.reply is not None and SWALLOWED_LINE in result.reply


def test_suicidal_words_without_an_overdose_do_not_get_the_swallowed_line() -> None:
    result = screen("my son is suicidal")
    assert result.danger and result.reply is not None and SWALLOWED_LINE not in result.reply


@pytest.mark.parametrize(("text", "outcome"), [
    # what a professional saw of a child in their care: a check now
    ("she has bruises on her arms and says her step dad grabbed her", "check"),
    ("the bruises are on her arms, she says mum smacked her with a hairbrush", "check"),
    # never demoted (the final review): harm to the writer, harm to come, strangling, not wanting to go home,
    # about to be collected, someone at home with the child now
    ("he is going to hit me", "danger"),
    ("my husband beats me", "danger"),
    ("she says dad will beat her when she gets home", "danger"),
    ("she says mum will hit her if she finds out she told", "danger"),
    ("she doesnt want to go home because dad hits her", "danger"),
    ("she says her dad hit her. he's coming to collect her at 3", "danger"),
    ("she says mum hits her baby brother who is at home with her now", "danger"),
    ("he strangled her", "danger"),
])
def test_a_professionals_account_mid_referral_is_a_check_only_for_what_they_saw(text: str, outcome: str) -> None:
    result = screen(text, professional=True)
    assert outcome_of(result) == outcome, (text, result.matched, result.check_matched)


@pytest.mark.parametrize("text", ["she od'd", "my mate od’d on xanax", "he has od'd"])
def test_od_d_is_an_overdose_not_odd(text: str) -> None:
    result = screen(text)
    assert result.danger and result.reply is not None and SWALLOWED_LINE in result.reply


def test_a_crew_on_scene_is_not_told_to_ask_for_an_ambulance():
    """The probe: a paramedic on scene was told "Ask for an ambulance"."""
    on_scene = screen("paramedic on scene, dad wont let us take the 3yo with a head injury to hospital")
    assert on_scene.danger and "Ask for an ambulance" not in (on_scene.reply or "")
    at_home = screen("hes fitting and his lips are going blue")
    assert at_home.danger and "Ask for an ambulance" in (at_home.reply or "")
