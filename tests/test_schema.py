import datetime as dt
import sys
import unicodedata

import pytest

from forms import examples
from forms.referral import CHILD_PAGE, HELP, REPORT, all_fields, referral_source_code
from forms.schema import CONTROL_RE, Field, FieldError, clean_postcode, clean_uk_phone, when

TODAY = dt.date(2026, 11, 27)


def test_complete_examples_validate():
    for journey, answers in ((REPORT, examples.professional_concern()), (REPORT, examples.public_concern()),
                             (HELP, examples.family_help_request())):
        referral, problems = journey.validate(answers)
        assert problems == []
        assert referral is not None and referral.journey == journey.name


def test_date_of_birth_in_the_future_is_refused():
    field = CHILD_PAGE.field("date_of_birth")
    with pytest.raises(FieldError, match="today or in the past"):
        field.clean({"day": "1", "month": "1", "year": "2027"}, today=TODAY)


def test_unborn_due_date_in_the_past_is_refused():
    field = CHILD_PAGE.field("due_date")
    with pytest.raises(FieldError, match="today or in the future"):
        field.clean({"day": "1", "month": "11", "year": "2026"}, today=TODAY)
    assert field.clean({"day": "14", "month": "4", "year": "2027"}, today=TODAY) == "2027-04-14"


@pytest.mark.parametrize(("raw", "message"), [
    ({"day": "31", "month": "2", "year": "2020"}, "must be a real date"),
    ({"day": "", "month": "2", "year": "2020"}, "must include a day"),
    ({"day": "x", "month": "y", "year": "z"}, "must be a real date"),
    ({"day": "1", "month": "1", "year": "20"}, "Year must include 4 numbers"),
    ({"day": "1", "month": "1", "year": "1990"}, "within the last 19 years"),
])
def test_impossible_dates_get_a_clear_message(raw, message):
    with pytest.raises(FieldError, match=message):
        CHILD_PAGE.field("date_of_birth").clean(raw, today=TODAY)


@pytest.mark.parametrize(("raw", "expected"), [
    ("07700 900982", "+447700900982"), ("+44 118 496 0123", "+441184960123"), ("0118 974 6000", "+441189746000"),
])
def test_uk_phone_numbers_are_normalised(raw, expected):
    assert clean_uk_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "+1 415 555 2671", "phone me", "0770090098299999"])
def test_phone_numbers_that_are_not_uk_are_refused(raw):
    with pytest.raises(FieldError, match="UK phone number"):
        clean_uk_phone(raw)


@pytest.mark.parametrize(("raw", "expected"), [("rg401aa", "RG40 1AA"), (" sw1a 1aa ", "SW1A 1AA"),
                                               ("M1 1AE", "M1 1AE")])
def test_postcodes_are_normalised(raw, expected):
    assert clean_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["RG40", "12345", "RG40 1A", "QQ1 1AA", "<script>"])
def test_bad_postcodes_are_refused(raw):
    with pytest.raises(FieldError, match="real postcode"):
        clean_postcode(raw)


def test_over_long_text_is_refused_with_the_limit():
    field = Field("what_happened", "What has happened?", "textarea", max_length=5000)
    with pytest.raises(FieldError, match="5,000 characters or fewer"):
        field.clean("a" * 5001)
    assert field.clean("a" * 5000) == "a" * 5000


def test_control_characters_are_removed_and_newlines_kept():
    field = Field("what_happened", "What has happened?", "textarea")
    assert field.clean("line one\x00\x07\r\nline two\u200b") == "line one\nline two"
    single = Field("name", "Full name")
    assert single.clean("  Priya\tShah\n ") == "Priya Shah"


def test_bidi_and_other_format_characters_are_removed():
    # U+202E reverses what follows on a staff page ("kcurd" reads "drunk"); U+2066 isolates; U+200B and U+FEFF
    # are invisible and would hide the word from the danger screen; U+E0041 is an invisible tag letter.
    field = Field("what_happened", "What has happened?", "textarea")
    assert field.clean("dad is \u202ekcurd\u202c and \u2066hits\u2069 mum\nd\u200brunk\ufeff\U000e0041") == \
        "dad is kcurd and hits mum\ndrunk"
    assert Field("name", "Full name").clean("\u200fPriya\u00ad Shah\u200d") == "Priya Shah"


def test_text_messages_are_cleaned_by_the_same_rule():
    from bot.pipeline import clean_text as clean_message

    assert clean_message("help \u202eenod\u202c\u2067 now")[0] == "help enod now"


def test_every_control_and_format_character_is_removed_but_tab_and_newlines():
    kept = {"\t", "\n", "\r"}  # \r becomes \n before the rule applies
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in kept:
            assert CONTROL_RE.fullmatch(char), f"U+{code:04X} is kept"
    assert not any(CONTROL_RE.search(c) for c in (*kept, " ", "a", "é", "\U0001f600"))


def test_required_field_messages_follow_govuk_style():
    with pytest.raises(FieldError, match="^Enter full name$"):
        Field("referrer_name", "Full name").clean("  ")
    with pytest.raises(FieldError, match="^Select gender$"):
        Field("g", "Gender", "radios", choices=()).clean(None)
    with pytest.raises(FieldError, match="^Select where you work$"):
        REPORT.step("your-details").field("referrer_workplace").clean(None)


def test_unknown_choice_values_are_refused():
    field = REPORT.step("who").field("referrer_type")
    with pytest.raises(FieldError):
        field.clean("robot")


def test_exclusive_checkbox_cannot_be_combined():
    field = REPORT.step("family").field("household_factors")
    with pytest.raises(FieldError, match="on its own"):
        field.clean(["none_known", "mental_health"])


def test_conditional_fields_are_required_only_when_their_condition_holds():
    page = REPORT.step("about-you")
    values, problems = page.clean({"referrer_relationship": "family", "anonymous": "yes"}, {})
    assert problems == [] and "referrer_name" not in values
    _, problems = page.clean({"referrer_relationship": "family", "anonymous": "no"}, {})
    assert {p.field for p in problems} == {"referrer_name", "safe_to_contact"}


def test_answers_to_pages_that_no_longer_apply_are_dropped():
    # A professional who first answered as a member of the public: the public answers must not travel.
    answers = examples.professional_concern(anonymous="yes", referrer_relationship="family")
    referral, problems = REPORT.validate(answers)
    assert problems == []
    assert "anonymous" not in referral.answers and "referrer_relationship" not in referral.answers


def test_a_child_in_immediate_danger_cannot_be_submitted_as_a_referral():
    referral, problems = REPORT.validate(examples.professional_concern(immediate_danger="yes"))
    assert referral is None
    assert problems[0].field == "immediate_danger"


def test_at_least_one_child_is_needed():
    referral, problems = REPORT.validate(examples.professional_concern(children=[]))
    assert referral is None and problems[0].page == "children"


def test_a_problem_in_a_second_child_names_the_item():
    children = examples.professional_concern()["children"] + [{"born": "yes", "first_name": "Mia"}]
    _, problems = REPORT.validate(examples.professional_concern(children=children))
    assert {(p.field, p.item) for p in problems} >= {("last_name", 1), ("date_of_birth", 1)}


def test_unborn_baby_needs_the_mothers_name_and_a_due_date_not_a_birth_date():
    unborn = {"born": "no", "mother_name": "Kelly Morris", "due_date": "2027-03-01"}
    referral, problems = REPORT.validate(examples.professional_concern(children=[unborn]), today=TODAY)
    assert problems == []
    given = {k: v for k, v in referral.answers["children"][0].items() if v is not None}
    assert given == {"born": "no", "mother_name": "Kelly Morris",
                                               "due_date": "2027-03-01"}


@pytest.mark.parametrize(("answers", "code"), [
    (examples.professional_concern(), "2A"),
    (examples.professional_concern(referrer_workplace="police"), "6"),
    (examples.professional_concern(referrer_workplace="health_visitor"), "3B"),
    (examples.public_concern(), "9"),
    (examples.public_concern(anonymous="no", referrer_relationship="self"), "1C"),
    (examples.public_concern(anonymous="no", referrer_relationship="family"), "1A"),
])
def test_children_in_need_referral_source_comes_from_the_referrer(answers, code):
    assert referral_source_code(answers, REPORT) == code


def test_family_help_requests_are_source_1a():
    assert referral_source_code(examples.family_help_request(), HELP) == "1A"


def test_every_field_name_means_one_thing():
    # The bot's slots and partner APIs key on field names: one name must not change kind between pages.
    seen = {}
    for journey in (REPORT, HELP):
        for page in journey.pages():
            for field in page.fields:
                if field.name in seen:
                    assert seen[field.name] == field.kind, field.name
                seen[field.name] = field.kind
    assert set(all_fields()) == set(seen)


def test_when_condition_reads_checkbox_lists():
    assert when("c", "b").holds({"c": ["a", "b"]})
    assert not when("c", "z").holds({"c": ["a", "b"]})


def test_every_required_question_has_a_written_error_message():
    # Messages generated from a question read badly ("Select do you want to stay anonymous"): write them.
    for journey in (REPORT, HELP):
        for page in journey.pages():
            for field in page.fields:
                if field.required and (field.kind in ("radios", "checkboxes") or field.label.endswith("?")):
                    assert field.error_required, f"{journey.name}/{page.slug}: {field.name}"
                    assert not field.error_required.startswith(("Select do ", "Select is ", "Enter what is"))


@pytest.mark.parametrize("bad", [{"children": "ab"}, {"children": [1]}, {"concern_categories": 5},
                                 {"children": [{"born": "yes", "date_of_birth": 20150101}]}])
def test_badly_shaped_answers_are_problems_not_crashes(bad):
    referral, problems = REPORT.validate(examples.professional_concern(**bad))
    assert referral is None and problems


def test_problems_in_a_group_item_name_the_group_and_the_item():
    children = [{"born": "yes", "first_name": "Mia"}]
    _, problems = REPORT.validate(examples.professional_concern(children=children))
    assert {(p.page, p.item) for p in problems} == {("children", 0)}


def test_a_referral_that_is_not_a_mapping_is_refused():
    referral, problems = REPORT.validate(["not", "answers"])
    assert referral is None and problems
