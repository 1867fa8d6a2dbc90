"""The danger screen on the web forms (issue 12, found by a live probe): each box is read on its own, and a
professional who has just answered "no" to "Is a child in immediate danger right now?" is not told to call 999
because of what their account of the past reads like; their referral is red with a "check now" reason instead."""

from __future__ import annotations

from sqlalchemy import select

from forms import examples
from mash.models import DANGER_NOW_RANK, Contact
from mash.safety import screen, screen_each
from tests.journey_support import walk

BRUISES = "Rhea has bruises on her upper arm that she would not explain."


def test_a_word_in_one_box_never_joins_the_next_box_into_a_rule():
    assert screen("father\n" + BRUISES).danger  # read as one text, "father ... bruises ... her" fires
    assert not screen_each(["father", BRUISES]).danger and not screen_each(["father", BRUISES]).check_now
    both = screen_each(["all fine at home", "hes been drinkin and hes got the baby", "we are scared"])
    assert both.danger and both.categories[0] == "intoxicated_carer_with_child" and both.reply
    assert screen_each([]) == screen_each([None, ""]) and not screen_each([]).red


def test_a_professional_who_says_no_one_is_in_danger_now_gets_a_check_now_not_999():
    text = "She has a bruise on her arm and says her uncle did it"
    assert screen_each([text]).danger
    checked = screen_each([text], professional_says_no_danger=True)
    assert not checked.danger and checked.check_now and checked.reply is None
    assert "violence_now" in checked.check_categories


def test_a_teachers_referral_about_bruising_is_red_for_staff_without_the_999_page(client, db_session):
    answers = examples.professional_concern(
        perpetrator_relationship="father", what_happened="Jayden came to school with bruising to his upper arm "
                                                          "and said his mum's boyfriend grabbed him.")
    walk(client, "report", answers)
    contact = db_session.scalars(select(Contact)).one()
    assert contact.rag == "red" and contact.risk_rank != DANGER_NOW_RANK
    assert "check_now:violence_now" in contact.safety_flags
    assert not [f for f in contact.safety_flags if f.startswith("danger_now")]
    page = client.get("/report/confirmation").get_data(as_text=True)
    assert "danger now" not in page


def test_a_member_of_the_public_writing_danger_still_gets_the_999_page(client, db_session):
    answers = examples.public_concern(what_happened="hes been drinkin and hes got the baby, im scared")
    walk(client, "report", answers)
    contact = db_session.scalars(select(Contact)).one()
    assert contact.risk_rank == DANGER_NOW_RANK
    assert "call 999" in client.get("/report/confirmation").get_data(as_text=True)
