"""The portal API the Rasa actions call: answers cleaned by the schema, a hand-off through the one way in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import ConversationContact
from mash.models import Contact
from tests.bot_support import PARENT, FakeAssistant, post_sms, use_assistant

AUTH = {"Authorization": "Bearer test-bot-api-token"}


def check(client, journey: str, field: str, value):
    response = client.post("/api/bot/check", json={"journey": journey, "field": field, "value": value}, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def conversation_id(client, monkeypatch) -> str:
    fake = FakeAssistant(["What's your postcode?"])
    use_assistant(monkeypatch, fake)
    post_sms(client, "I'm struggling with my 4 year old")
    return fake.calls[0][0]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-bot-api-token"}])
def test_the_api_needs_the_token(client, headers):
    response = client.post("/api/bot/check", json={"journey": "help", "field": "postcode", "value": "RG40 1AA"},
                           headers=headers)
    assert response.status_code == 401
    assert client.post("/api/bot/handoff", json={}, headers=headers).status_code == 401


@pytest.mark.parametrize("journey, field, said, value", [
    ("help", "postcode", "rg401aa", "RG40 1AA"),
    ("help", "consent_agree", "Yeah", "yes"),
    ("help", "consent_agree", "nope.", "no"),
    ("help", "has_parental_responsibility", "dunno", "not_sure"),
    ("help", "referrer_relationship", "I'm his mum", "mother"),
    ("help", "referrer_relationship", "nan", "grandparent"),
    ("help", "date_of_birth", "4/3/2022", "2022-03-04"),
    ("help", "date_of_birth", "4th March 2022", "2022-03-04"),
    ("help", "date_of_birth", "04.03.22", "2022-03-04"),
    ("help", "date_of_birth", "2022-03-04", "2022-03-04"),  # a value the check already cleaned, sent again
    ("help", "referrer_phone", "07700 900123", PARENT),
    ("report", "referrer_relationship", "neighbour", "acquaintance"),
    ("report", "anonymous", "yes please", "yes"),
    ("report", "parents_told", "don't know", "not_known"),
    ("report", "address", "12 Acacia Avenue", "12 Acacia Avenue"),
    ("help", "concern_categories", "2 and 4", ["family_stress", "self_harm"]),
    ("help", "concern_categories", "9", ["substance_misuse"]),
    ("help", "concern_categories", "we cant pay the rent and the landlord wants us out", ["family_stress"]),
    ("help", "concern_categories", "I'm struggling with my 4 year old", ["parenting"]),
    ("help", "concern_categories", "my partner controls me", ["domestic_abuse"]),
    ("help", "concern_categories", "he's autistic and won't go to school", ["disability", "school_attendance"]),
    ("help", "has_parental_responsibility", "3", "not_sure"),
    ("help", "concern_categories", "my son has SEND", ["disability"]),
])
def test_texted_answers_become_the_schema_values(client, journey, field, said, value):
    assert check(client, journey, field, said) == {"ok": True, "value": value}


@pytest.mark.parametrize("field, said, message", [
    ("postcode", "my house", "Enter a real postcode, like RG40 1AA"),
    ("date_of_birth", "31/02/2020", "Date of birth must be a real date"),
    ("date_of_birth", "1/1/2090", "Date of birth must be today or in the past"),
    ("consent_agree", "purple", "Select yes if you agree to us sharing information to help you"),
    ("concern_categories", "he broke his arm", "Reply with one or more numbers from the list, like 1, or 2 and 4"),
    ("concern_categories", "my experience", "Reply with one or more numbers from the list, like 1, or 2 and 4"),
    ("concern_categories", "im cutting back", "Reply with one or more numbers from the list, like 1, or 2 and 4"),
    ("concern_categories", "hello there", "Reply with one or more numbers from the list, like 1, or 2 and 4"),
    ("concern_categories", "11", "Reply with one or more numbers from the list, like 1, or 2 and 4"),
    ("concern_categories", "can you send me a leaflet", "Reply with one or more numbers from the list, like 1, "
                                                         "or 2 and 4"),
])
def test_a_wrong_answer_gets_the_schema_message(client, field, said, message):
    assert check(client, "help", field, said) == {"ok": False, "message": message}


@pytest.mark.parametrize("said", ["please dont", "please don't share", "definitely not", "yeah no", "ok no",
                                  "sure not", "please explain", "agree?", "correct me if wrong but no", "maybe",
                                  "I'm not sure what that means"])
@pytest.mark.parametrize("field", ["consent_agree", "safe_to_contact", "pr_person_agrees"])
def test_consent_and_safety_are_never_read_from_an_answer_that_is_not_a_plain_yes(client, field, said):
    result = check(client, "help", field, said)
    assert result.get("value") != "yes", result
    assert result == {"ok": False, "message": result.get("message")} or result["value"] == "no"


def test_unknown_fields_and_journeys_are_refused(client):
    response = client.post("/api/bot/check", json={"journey": "help", "field": "nonsense", "value": "x"}, headers=AUTH)
    assert response.status_code == 400
    response = client.post("/api/bot/check", json={"journey": "x", "field": "postcode", "value": "x"}, headers=AUTH)
    assert response.status_code == 400
    assert client.post("/api/bot/check", data="not json", headers=AUTH).status_code == 400


HELP_ANSWERS = {
    "referrer_name": "Sam Example", "referrer_relationship": "mum", "has_parental_responsibility": "yes",
    "first_name": "Alex", "date_of_birth": "2022-03-04", "safe_to_contact": "yes", "postcode": "RG40 1AA",
    "concern_categories": ["parenting"], "what_happened": "I'm struggling with my 4 year old", "consent_agree": "yes",
}


def test_a_help_handoff_becomes_an_early_help_contact_with_the_transcript(client, db_session, conversation_id):
    response = client.post("/api/bot/handoff", headers=AUTH,
                           json={"conversation_id": conversation_id, "journey": "help", "answers": HELP_ANSWERS})
    assert response.status_code == 201
    reference = response.get_json()["reference"]
    contact = db_session.scalars(select(Contact)).one()
    assert contact.reference == reference and contact.kind == "early_help" and contact.channel == "sms"
    assert contact.referrer_phone == PARENT  # from the conversation: Rasa never had it
    assert contact.children[0].first_name == "Alex" and contact.children[0].date_of_birth == "2022-03-04"
    assert contact.consent.status == "given" and contact.referral_source == "1A"
    assert db_session.scalars(select(ConversationContact)).one().reason == "handoff"
    again = client.post("/api/bot/handoff", headers=AUTH,
                        json={"conversation_id": conversation_id, "journey": "help", "answers": HELP_ANSWERS})
    assert again.status_code == 200 and again.get_json() == {"reference": reference, "created": False}


def test_a_hand_off_after_the_last_was_closed_is_a_new_contact(client, db_session, conversation_id):
    def hand_off():
        return client.post("/api/bot/handoff", headers=AUTH,
                           json={"conversation_id": conversation_id, "journey": "help", "answers": HELP_ANSWERS})

    first = hand_off().get_json()["reference"]
    contact = db_session.scalars(select(Contact)).one()
    contact.closed_at = contact.received_at
    db_session.commit()
    second = hand_off()
    assert second.status_code == 201 and second.get_json()["reference"] != first
    assert hand_off().get_json() == {"reference": second.get_json()["reference"], "created": False}


def test_early_help_without_agreement_is_refused(client, db_session, conversation_id):
    answers = {**HELP_ANSWERS, "consent_agree": "no"}
    response = client.post("/api/bot/handoff", headers=AUTH,
                           json={"conversation_id": conversation_id, "journey": "help", "answers": answers})
    assert response.status_code == 422
    answers = {**HELP_ANSWERS, "has_parental_responsibility": "no", "pr_person_name": "Jo", "pr_person_agrees": "no"}
    response = client.post("/api/bot/handoff", headers=AUTH,
                           json={"conversation_id": conversation_id, "journey": "help", "answers": answers})
    assert response.status_code == 422 and "pr_person_agrees" in response.get_json()["problems"]
    assert db_session.scalars(select(Contact)).all() == []


def test_a_report_handoff_is_a_public_concern_without_consent(client, db_session, conversation_id):
    answers = {"what_happened": "The children next door are left on their own every evening",
               "first_name": "not known", "address": "14 Acacia Avenue", "referrer_relationship": "neighbour",
               "anonymous": "yes", "parents_told": "no"}
    response = client.post("/api/bot/handoff", headers=AUTH,
                           json={"conversation_id": conversation_id, "journey": "report", "answers": answers})
    assert response.status_code == 201
    contact = db_session.scalars(select(Contact)).one()
    assert contact.kind == "concern" and contact.referrer_type == "public" and contact.referrer_anonymous
    assert contact.referral_source == "9"  # anonymous
    assert contact.children[0].address == "14 Acacia Avenue"
    assert contact.consent.status == "not_sought" and contact.consent.without_consent_reason
    assert contact.referrer_phone is None  # they asked to stay anonymous: the MASH never holds their number


def test_a_bad_handoff_says_what_is_wrong_and_stores_nothing(client, db_session, conversation_id):
    def handoff(body):
        return client.post("/api/bot/handoff", headers=AUTH, json=body)

    assert handoff({"conversation_id": "nope", "journey": "help", "answers": {}}).status_code == 404
    bad = handoff({"conversation_id": conversation_id, "journey": "help", "answers": {"shoe_size": "9"}})
    assert bad.status_code == 400 and bad.get_json()["fields"] == ["shoe_size"]
    invalid = handoff({"conversation_id": conversation_id, "journey": "help",
                       "answers": {**HELP_ANSWERS, "postcode": "nowhere"}})
    assert invalid.status_code == 422 and "postcode" in invalid.get_json()["problems"]
    assert db_session.scalars(select(Contact)).all() == []


def test_the_oruk_api_finds_services_for_a_worry(client, db_session):
    from signposting.directory import load_demo_directory

    load_demo_directory(db_session)
    db_session.commit()
    response = client.get("/api/oruk/service_at_locations?postcode=RG40 1BN&proximity=8047&need=parenting&per_page=3")
    assert response.status_code == 200
    body = response.get_json()
    assert body["contents"] and len(body["contents"]) <= 3
    assert client.get("/api/oruk/service_at_locations?need=shoes").status_code == 400
