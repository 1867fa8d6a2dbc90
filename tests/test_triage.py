"""The first RAG rating: red goes to the head of the queue, and every red has a reason a practitioner can see."""

import datetime as dt

import pytest

from forms import examples
from mash.triage import assess

TODAY = dt.date(2026, 11, 27)


def rag(answers):
    return assess(answers, today=TODAY).rag


@pytest.mark.parametrize("category", ["physical_abuse", "sexual_abuse", "emotional_abuse", "sexual_exploitation",
                                      "criminal_exploitation", "trafficking", "fgm_honour", "pregnant_under_13"])
def test_every_level_four_indicator_is_red(category):
    answers = examples.public_concern(concern_categories=[category])
    result = assess(answers, today=TODAY)
    assert result.rag == "red" and "level4_indicator" in result.flags and result.indicated_level == 4


def test_a_professional_who_suggests_level_four_makes_it_red_whatever_the_categories():
    assert rag(examples.professional_concern(concern_categories=["other"], household_factors=["none_known"],
                                             alleged_perpetrator="no")) == "red"


def test_an_alleged_perpetrator_living_with_the_child_makes_it_red():
    answers = examples.public_concern(alleged_perpetrator="yes", perpetrator_lives_with_child="yes")
    assert "alleged_perpetrator_at_home" in assess(answers, today=TODAY).flags
    assert rag(answers) == "red"
    assert rag(examples.public_concern(alleged_perpetrator="yes", perpetrator_lives_with_child="no")) == "amber"


@pytest.mark.parametrize("category", ["neglect", "domestic_abuse", "missing", "self_harm", "radicalisation"])
def test_level_three_indicators_are_amber(category):
    assert rag(examples.public_concern(concern_categories=[category])) == "amber"


def test_domestic_abuse_in_the_household_is_amber_even_under_another_worry():
    answers = examples.public_concern(concern_categories=["family_stress"], household_factors=["domestic_abuse"])
    assert rag(answers) == "amber"


def test_a_worry_about_a_baby_under_one_is_amber():
    baby = {"born": "yes", "first_name": "Ava", "last_name": "Lee", "date_of_birth": "2026-06-01", "gender": "girl"}
    assert rag(examples.public_concern(children=[baby], concern_categories=["family_stress"])) == "amber"
    older = dict(baby, date_of_birth="2020-06-01")
    assert rag(examples.public_concern(children=[older], concern_categories=["family_stress"])) == "green"


def test_early_help_for_parenting_is_green():
    assert rag(examples.family_help_request()) == "green"


def test_flags_record_what_a_practitioner_must_know():
    flags = assess(examples.family_help_request(safe_to_contact="no"), today=TODAY).flags
    assert flags == ["not_safe_to_contact"]
    unborn = {"born": "no", "mother_name": "Kelly", "due_date": "2027-03-01"}
    flags = assess(examples.public_concern(children=[unborn]), today=TODAY).flags
    assert {"unborn_baby", "anonymous_referrer", "parents_not_told"} <= set(flags)
