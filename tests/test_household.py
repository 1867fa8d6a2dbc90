"""Issue 16: the household of a referral. Parents' phones, the other children at home (household, never children
the contact is about), and the person who may harm the child chosen from the household already entered, with
their date of birth and address from that entry; a choice whose person was removed is a clear problem."""

import datetime as dt

from sqlalchemy import func, select

from forms import examples
from forms.referral import REPORT
from mash.describe import referral_sections
from mash.intake import receive_referral
from mash.models import Contact
from mash.triage import assess
from tests.journey_support import walk

TODAY = dt.date(2026, 11, 27)
DEAN = {"name": "Dean Carter", "relationship": "step_parent", "parental_responsibility": "no",
        "lives_with_child": "yes", "date_of_birth": "1990-05-03", "address": "4 Birch Close, Reading"}


def referral(**overrides):
    answers = examples.professional_concern(**overrides)
    answers["household"] = [answers["household"][0], {**DEAN, **overrides.pop("dean", {})}]
    result, problems = REPORT.validate(answers, today=TODAY)
    assert problems == [], problems
    return result


def test_a_person_chosen_from_the_household_is_marked_on_their_own_row_with_their_details(db_session):
    chosen = referral(dean={"key": "p-7"}, perpetrator_person="p-7")
    contact = receive_referral(db_session, chosen, channel="web", actor="public:web")
    db_session.commit()
    rows = [(m.name, m.relationship_to_child, m.date_of_birth, m.address, m.lives_with_child, m.alleged_perpetrator)
            for m in contact.household]
    assert rows == [("Kelly Morris", "mother", None, None, "yes", False),
                    ("Dean Carter", "step_parent", "1990-05-03", "4 Birch Close, Reading", "yes", True),
                    ("Ruby Morris", "sibling", chosen.answers["household_children"][0]["date_of_birth"], None, "yes",
                     False)]
    # the other child at home is household, never a child the contact is about
    assert [c.first_name for c in contact.children] == ["Jayden"]
    assert "alleged_perpetrator_at_home" in contact.safety_flags
    # staff read who it is in a sentence, the mother's phone, and the other children in their own section
    sections = {s.key: s for s in referral_sections(REPORT, contact.answers)}
    assert sections["harm"].title == "Someone who may harm the child"
    assert sections["harm"].rows[0] == ("Who", "Dean Carter (step-parent or parent's partner, lives with the child), "
                                               "born 3 May 1990")
    assert ("May harm the child", "Yes, the referrer thinks so") in sections["household-2"].rows
    assert ("Phone", "07700 900321") in sections["household-1"].rows
    assert sections["household_children"].title == "Other children in the household"
    assert sections["household_children"].rows[0][0] == "Ruby Morris"
    assert "children-2" not in sections


def test_whether_they_live_with_the_child_comes_from_the_household_entry():
    answers = referral(dean={"lives_with_child": "no"}, perpetrator_person="2").answers
    assert "alleged_perpetrator_at_home" not in assess(answers, today=TODAY).flags


def test_someone_not_listed_is_a_new_row_and_a_future_date_of_birth_is_refused(db_session):
    typed = {"perpetrator_person": "not_listed", "perpetrator_name": "Lee Grant", "perpetrator_relationship": "Uncle",
             "perpetrator_address": "9 Oak Lane", "perpetrator_lives_with_child": "no"}
    _, problems = REPORT.validate(examples.professional_concern(**typed, perpetrator_date_of_birth="2027-01-01"),
                                  today=TODAY)
    assert [(p.page, p.field, p.message) for p in problems] == [
        ("harm-person", "perpetrator_date_of_birth", "Their date of birth must be today or in the past")]
    contact = receive_referral(db_session, referral(**typed, perpetrator_date_of_birth="1985-02-01"), channel="web",
                               actor="public:web")
    marked = [(m.name, m.date_of_birth, m.address, m.relationship_to_child) for m in contact.household
              if m.alleged_perpetrator]
    assert marked == [("Lee Grant", "1985-02-01", "9 Oak Lane", "alleged_perpetrator")]
    assert "alleged_perpetrator_at_home" not in contact.safety_flags


def test_a_choice_naming_nobody_in_the_household_is_a_clear_problem():
    _, problems = REPORT.validate(examples.professional_concern(perpetrator_person="3"), today=TODAY)
    assert [(p.page, p.field) for p in problems] == [("harm-who", "perpetrator_person")]
    assert problems[0].message.startswith("The person you chose is no longer in the list")


def test_removing_the_chosen_person_sends_the_referrer_back_to_choose_again_and_sends_nothing(client, db_session):
    walk(client, "report", examples.professional_concern(), submit=False)
    # the remove page warns that Dean Carter is the person chosen
    assert "You chose Dean Carter as your answer" in client.get("/report/household/2/remove").get_data(as_text=True)
    assert client.post("/report/household/1/remove", data={"confirm": "yes"}).status_code == 302
    # Kelly went, Dean is now first in the list: the choice still means Dean, not whoever is second now
    check = client.get("/report/check")
    assert check.status_code == 200 and "Dean Carter (step-parent" in check.get_data(as_text=True)
    assert client.post("/report/household/1/remove", data={"confirm": "yes"}).status_code == 302
    client.post("/report/household/1", data={"name": "Sam Carter", "relationship": "father",
                                             "parental_responsibility": "yes", "lives_with_child": "yes"})
    response = client.post("/report/check")
    assert response.status_code == 302 and response.location.endswith("/report/harm-who?return=check")
    page = client.get("/report/harm-who?return=check").get_data(as_text=True)
    assert "There is a problem" in page and "The person you chose is no longer in the list" in page
    assert "Sam Carter (father)" in page
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 0
    # choosing again leads back to the check page, not through every later page (the live probe)
    chosen = client.post("/report/harm-who?return=check", data={"perpetrator_person": "not_listed"})
    assert chosen.location == "/report/harm-person?return=check"
    typed = client.post("/report/harm-person?return=check", data={
        "perpetrator_name": "Dean Carter", "perpetrator_relationship": "Mum's ex-partner",
        "perpetrator_lives_with_child": "no"})
    assert typed.location == "/report/check"


def test_a_draft_saved_before_people_had_keys_keeps_the_choice_on_the_same_person(client, db_session):
    """The final review: household rows saved before the group had keys are known by their position. Removing the
    first must not hand its position to the next person, so a choice made of the removed person is a clear problem
    (not silently someone else), and a person added after gets a key nobody had."""
    from forms.drafts import Draft

    walk(client, "report", examples.professional_concern(perpetrator_person="1"), submit=False)
    draft = db_session.scalars(select(Draft)).one()
    answers = dict(draft.answers)
    answers["household"] = [{k: v for k, v in item.items() if k != "key"} for item in answers["household"]]
    answers = {k: v for k, v in answers.items() if not k.startswith("_keys:")}
    draft.answers = answers
    db_session.commit()
    # Kelly (position 1, the person chosen) is removed: Dean must not become "1"
    assert client.post("/report/household/1/remove", data={"confirm": "yes"}).status_code == 302
    db_session.expire_all()
    kept = db_session.scalars(select(Draft)).one().answers
    assert [(p["name"], p["key"]) for p in kept["household"]] == [("Dean Carter", "2")]
    assert client.post("/report/household/2", data={"name": "Sam Carter", "relationship": "father",
                                                    "parental_responsibility": "yes",
                                                    "lives_with_child": "yes"}).status_code == 302
    db_session.expire_all()
    kept = db_session.scalars(select(Draft)).one().answers
    assert [p["key"] for p in kept["household"]] == ["2", "3"]
    response = client.post("/report/check")
    assert response.status_code == 302 and response.location.endswith("/report/harm-who?return=check")
    assert "The person you chose is no longer in the list" in client.get(
        "/report/harm-who?return=check").get_data(as_text=True)


def test_a_value_that_was_never_a_persons_key_is_asked_again_not_called_stale():
    _, problems = REPORT.validate(examples.professional_concern(perpetrator_person="<b>x</b>"), today=TODAY)
    assert [p.message for p in problems] == ["Select who you think has harmed, or might harm, the child"]
