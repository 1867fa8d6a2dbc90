"""Issue 16 item 3: the questions multi-agency referral forms ask (ethnicity, religion, the child's views, medical
attention, earlier social care involvement, the services involved, the safeguarding lead), required of
professionals and optional for the public by default, and as a council sets them (REFERRAL_FIELD_RULES) on the
web, through `journey.validate` (the partner APIs) and in the text dialogue."""

from __future__ import annotations

import html
import re

import pytest

from forms import examples, requirements
from forms.referral import REPORT
from mash.describe import FIELD_WORDS, SECTION_WORDS
from portal.config import ConfigError, from_environment
from tests.conftest import app_config
from tests.journey_support import walk
from tests.staff_support import create_contact, create_staff, sign_in
from tests.test_dialogue import CHAT, OPENING, SENSIBLE, Talk

NEW = {"ethnicity", "child_views", "medical_attention", "previous_involvement", "dsl_consulted", "religion",
       "agencies_known", "medical_details", "previous_involvement_details", "dsl_name", "dsl_disagree_name",
       "dsl_disagree_reason", "dsl_not_consulted_reason"}


def _without_new(answers: dict) -> dict:
    kept = {k: v for k, v in answers.items() if k not in NEW}
    kept["children"] = [{k: v for k, v in child.items() if k not in NEW} for child in answers["children"]]
    return kept


def _child(**changes) -> list[dict]:
    return [{**examples.professional_concern()["children"][0], **changes}]


def _found(problems) -> set[tuple[str, str]]:
    return {(p.page, p.field) for p in problems}


def test_professionals_must_answer_the_new_questions_and_the_public_may_leave_them():
    _, problems = REPORT.validate(_without_new(examples.professional_concern()))
    assert _found(problems) == {("children", "ethnicity"), ("concern", "child_views"), ("concern", "medical_attention"),
                                ("family", "previous_involvement"), ("safeguarding-lead", "dsl_consulted")}
    referral, problems = REPORT.validate(_without_new(examples.public_concern(dsl_consulted="no")))
    assert problems == [] and referral is not None
    assert "dsl_consulted" not in referral.answers  # the public are never asked it: an answer sent anyway is dropped


@pytest.mark.parametrize("changes, where, message", [
    ({"medical_attention": "yes"}, ("concern", "medical_details"), "Enter what medical attention the child needed"),
    ({"previous_involvement": "yes"}, ("family", "previous_involvement_details"), "Enter what you know"),
    ({"dsl_consulted": "disagrees", "dsl_disagree_name": "Ann Lee"}, ("safeguarding-lead", "dsl_disagree_reason"),
     "why they do not agree"),
    ({"dsl_consulted": "no"}, ("safeguarding-lead", "dsl_not_consulted_reason"), "why you have not talked"),
    ({"dsl_consulted": "maybe"}, ("safeguarding-lead", "dsl_consulted"), "Select whether you have talked"),
    ({"children": _child(ethnicity="XYZW")}, ("children", "ethnicity"), "Select the child's ethnic group"),
    ({"children": _child(nhs_number="943 476 5918")}, ("children", "nhs_number"), "Enter a real NHS number"),
    ({"children": _child(upn="A872330125001")}, ("children", "upn"), "Enter a real unique pupil number"),
    ({"children": _child(religion="x" * 101)}, ("children", "religion"), "100 characters or fewer"),
    ({"child_views": "x" * 2001}, ("concern", "child_views"), "2,000 characters or fewer"),
    ({"agencies_known": ["police", "none_known"]}, ("family", "agencies_known"), "on its own"),
])
def test_follow_ups_and_bad_answers_are_named_and_nothing_is_accepted(changes, where, message):
    referral, problems = REPORT.validate(examples.professional_concern(**changes))
    assert referral is None and _found(problems) == {where}
    assert message in problems[0].message


@pytest.mark.parametrize("entry, named", [
    ("immediate_danger=optional", "'immediate_danger'"), ("referrer_type=required", "'referrer_type'"),
    ("consent=optional", "'consent'"), ("ethnicity=sometimes", "'sometimes'"), ("ethnicity", "field=rule"),
    ("favourite_colour=required", "'favourite_colour'")])
def test_a_rule_a_council_cannot_set_stops_the_start_naming_it(entry, named):
    with pytest.raises(ConfigError, match=re.escape(named)):
        from_environment({"REFERRAL_FIELD_RULES": f"religion=required,{entry}"})


def test_every_question_a_council_may_set_is_asked_once_in_the_report_and_has_staff_words():
    names = [f.name for f in REPORT.fields()]
    assert all(names.count(name) == 1 for name in requirements.CONFIGURABLE)
    assert not requirements.CONFIGURABLE & {"immediate_danger", "referrer_type", "consent", "consent_agree"}
    assert {f.name for f in REPORT.fields()} - set(FIELD_WORDS) <= {"first_name", "last_name", "date_of_birth",
                                                                    "gender", "postcode", "nhs_number", "upn",
                                                                    "first_language"}
    assert "safeguarding-lead" in SECTION_WORDS


def test_a_councils_rules_reach_the_web_the_partner_api_and_the_text_dialogue(database_url, tmp_path):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, REFERRAL_FIELD_RULES=(
        "religion=required", "ethnicity=optional", "child_views=required")))
    try:
        # The partner APIs (journey.validate): the public must now give a religion and the child's views; a
        # professional may leave the ethnicity.
        _, problems = REPORT.validate(examples.public_concern())
        assert _found(problems) == {("children", "religion"), ("concern", "child_views")}
        professional = examples.professional_concern(children=[
            {k: v for k, v in examples.professional_concern()["children"][0].items() if k != "ethnicity"}])
        assert REPORT.validate(professional)[1] == []
        # The web: the child page says which questions are optional for this person, and refuses a blank religion.
        client = app.test_client()
        public = examples.public_concern(child_views="Not known", children=_child(religion="None", ethnicity=None))
        walk(client, "report", public, submit=False)
        page = html.unescape(client.get("/report/children/1").get_data(as_text=True))
        assert "What is the child's ethnic group? (optional)" in page
        assert re.search(r"Religion or belief\s*</label>", page)
        response = client.post("/report/children/1", data={"born": "yes", "first_name": "Lily", "last_name": "Evans",
                                                            "gender": "girl"})
        assert response.status_code == 303 and response.location.endswith("/report/children/1")
        assert "Enter religion or belief" in client.get("/report/children/1").get_data(as_text=True)
        # The text dialogue still asks only what it has words for: a professional's conversation is handed off
        # without the questions the web asks (the MASH asks them), and asks what it asked before.
        talk = Talk(CHAT)
        talk.say(OPENING["professional"])
        asked = []
        while talk.asking in SENSIBLE["professional"]:
            asked.append(talk.asking)
            talk.say(SENSIBLE["professional"][talk.asking])
        assert talk.ports.handed and not {"religion", "child_views", "ethnicity"} & set(asked)
    finally:
        requirements.configure(())
    # Back to the schema's defaults: the public may leave them again.
    assert REPORT.validate(examples.public_concern())[1] == []


def test_staff_read_the_new_answers_in_their_words_and_an_answer_stored_before_still_reads(app, db_session):
    contact = create_contact(db_session, agencies_involved="Jo Bloggs, family support worker")
    old = create_contact(db_session)
    # Stored before the services became a list: free text only (and one list stored as text), no ethnicity.
    answers = _without_new(old.answers)
    old.answers = {**answers, "agencies_known": "health visitor and CAMHS",
                   "agencies_involved": "Health visitor (Sam), CAMHS"}
    db_session.commit()
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", client.get(
        f"/staff/contacts/{contact.id}").get_data(as_text=True))))
    for expected in ("Ethnicity White: English, Welsh, Scottish, Northern Irish or British (WBRI)",
                     "The referrer's safeguarding lead Talked to their safeguarding lead The referrer is the "
                     "safeguarding lead", "The child's views and wishes Jayden said", "Needed medical attention No",
                     "Children's social care involved before Not known", "Services involved School nurse",
                     "Services involved, in the referrer's words Jo Bloggs"):
        assert expected in words, expected
    response = client.get(f"/staff/contacts/{old.id}")
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))
    assert response.status_code == 200
    assert "Services involved health visitor and CAMHS" in words
    assert "Services involved, in the referrer's words Health visitor (Sam), CAMHS" in words
    assert client.get(f"/staff/contacts/{old.id}/print").status_code == 200
