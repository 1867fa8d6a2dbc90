"""A child's NHS number and UPN: checked where typed, encrypted at rest, found by blind index, and the strongest
evidence that two referrals are about the same child."""

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from forms import examples
from forms.identifiers import (
    NHS_FORMAT,
    NHS_LENGTH,
    NHS_NOT_REAL,
    UPN_FORMAT,
    UPN_LENGTH,
    UPN_NOT_REAL,
    clean_nhs_number,
    clean_upn,
    format_nhs_number,
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    upn_check_letter,
)
from forms.referral import CHILD_PAGE, HELP_CHILD_PAGE, REPORT
from forms.schema import FieldError
from mash.models import Child, RepeatMatch
from mash.repeats import children_with_nhs_number
from store.db import make_engine
from store.migrate import alembic_config, upgrade
from tests.journey_support import walk
from tests.staff_support import create_contact, create_staff, sign_in

NHS = "9434765919"  # the NHS's own example
OTHER_NHS = "4010232137"
THIRD_NHS = "9990000018"
UPN = "G872330125001"
OTHER_UPN = "W872330125002"


# --- the NHS number's modulus 11 check ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943  476 5919 ", "943‑476‑5919",
                                   "4010232137", "9990000018", "9990000026"])
def test_real_nhs_numbers_are_taken_as_ten_digits(typed):
    assert len(clean_nhs_number(typed)) == 10 and is_valid_nhs_number(typed)
    assert clean_nhs_number("943 476 5919") == NHS


@pytest.mark.parametrize(("typed", "message"), [
    ("9434765918", NHS_NOT_REAL),  # wrong check digit
    ("9434765991", NHS_NOT_REAL),  # two digits swapped
    ("1234567890", NHS_NOT_REAL),  # the check comes to 10: no number starting 123456789 is valid
    ("4444444444", NHS_NOT_REAL),  # passes modulus 11, never issued
    ("0000000000", NHS_NOT_REAL),
    ("943476591", NHS_LENGTH),
    ("94347659190", NHS_LENGTH),
    ("943 476 591X", NHS_FORMAT),
    ("NHS 943 476 5919", NHS_FORMAT),
    ("９４３４７６５９１９", NHS_FORMAT),  # full-width digits are digits to Python, not to the NHS
])
def test_unreal_nhs_numbers_are_refused_with_a_message(typed, message):
    with pytest.raises(FieldError) as refused:
        clean_nhs_number(typed)
    assert str(refused.value) == message and not is_valid_nhs_number(typed)


def test_the_check_digit_follows_the_data_dictionary():
    assert nhs_check_digit("943476591") == 9
    assert nhs_check_digit("000000001") == 9  # 11 - (1 x 2) % 11
    assert nhs_check_digit("123456789") is None  # remainder 1: 11 - 1 = 10, not a digit
    assert nhs_check_digit("444444444") == 4  # 4444444444 passes the check; it is refused as all one digit


def test_an_nhs_number_is_shown_three_three_four():
    assert format_nhs_number(NHS) == "943 476 5919"
    assert CHILD_PAGE.field("nhs_number").label_for(NHS) == "943 476 5919"


# --- the UPN's check letter ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["G872330125001", "g872330125001", "G872 3301 25 001", "B801200005001",
                                   "T87233012500A", "W872330125002"])
def test_real_upns_are_taken_in_capitals(typed):
    assert clean_upn(typed) == "".join(typed.split()).upper() and is_valid_upn(typed)


def test_the_check_letter_is_the_weighted_sum_modulo_23_without_i_o_or_s():
    # 8x2 + 1x4 + 2x5 + 5x10 + 1x13 = 93; 93 mod 23 = 1 -> B.
    assert upn_check_letter("801200005001") == "B"
    # The schools' worked example: 2x2 + 7x4 + 1x9 + 6x10 + 4x12 + 9x13 = 266; 266 mod 23 = 13 -> P (not its Q).
    assert upn_check_letter("207000016049") == "P"
    # A temporary UPN's last letter counts as its place in the same alphabet: A = 0.
    assert upn_check_letter("87233012500A") == upn_check_letter("872330125000") == "T"


@pytest.mark.parametrize(("typed", "message"), [
    ("A872330125001", UPN_NOT_REAL),  # wrong check letter
    ("G872330125010", UPN_NOT_REAL),  # two digits swapped
    ("Q207000016049", UPN_NOT_REAL),  # the worked example's letter
    ("G87233012500", UPN_LENGTH),
    ("G8723301250011", UPN_LENGTH),
    ("1872330125001", UPN_FORMAT),  # no check letter
    ("I872330125001", UPN_FORMAT),  # I, O and S are never check letters
    ("G87233012A001", UPN_FORMAT),  # a letter in the middle
    ("T87233012500S", UPN_FORMAT),  # nor the last letter of a temporary UPN
    ("G872/330125001", UPN_FORMAT),
])
def test_unreal_upns_are_refused_with_a_message(typed, message):
    with pytest.raises(FieldError) as refused:
        clean_upn(typed)
    assert str(refused.value) == message and not is_valid_upn(typed)


# --- the schema: optional, on every web journey that asks for a child, never asked by text ------------------------
def test_both_are_optional_on_the_report_and_the_nhs_number_on_help():
    for page in (CHILD_PAGE, HELP_CHILD_PAGE):
        field = page.field("nhs_number")
        assert not field.required and field.sms is not None and not field.sms.by_text
    assert not CHILD_PAGE.field("upn").required
    assert "upn" not in {f.name for f in HELP_CHILD_PAGE.fields}


def test_an_unborn_baby_is_not_asked_for_either():
    unborn = {"born": "no", "mother_name": "Kelly Morris", "due_date": "2027-03-01", "nhs_number": NHS}
    referral, problems = REPORT.validate(examples.professional_concern(children=[unborn]))
    assert not problems and "nhs_number" not in referral.answers["children"][0]


def test_a_partner_validating_against_the_schema_gets_the_field_named():
    answers = examples.professional_concern()
    answers["children"][0].update(nhs_number="943 476 5918", upn="A872330125001")
    _, problems = REPORT.validate(answers)
    assert {(p.page, p.field, p.item, p.message) for p in problems} == {
        ("children", "nhs_number", 0, NHS_NOT_REAL), ("children", "upn", 0, UPN_NOT_REAL)}


# --- the web journeys ----------------------------------------------------------------------------------------------
def test_a_professional_gives_both_on_the_web_and_the_contact_keeps_them_in_normal_form(client, db_session):
    answers = examples.professional_concern()
    answers["children"][0].update(nhs_number="943-476-5919", upn="g872 3301 2500 1")
    walk(client, "report", answers)
    child = db_session.scalars(select(Child)).one()
    assert (child.nhs_number, child.upn) == (NHS, UPN)
    assert child.contact.answers["children"][0]["nhs_number"] == NHS


def test_a_parent_gives_their_childs_nhs_number(client, db_session):
    answers = examples.family_help_request()
    answers["children"][0]["nhs_number"] = "943 476 5919"
    walk(client, "help", answers)
    assert db_session.scalars(select(Child)).one().nhs_number == NHS


def test_a_wrong_nhs_number_gets_the_govuk_error_summary_linking_to_the_field(client):
    client.post("/report/begin")
    client.post("/report/danger", data={"immediate_danger": "no"})
    client.post("/report/who", data={"referrer_type": "public"})
    response = client.post("/report/children/1", data={
        "born": "yes", "first_name": "A", "last_name": "B", "gender": "girl", "date_of_birth-day": "1",
        "date_of_birth-month": "1", "date_of_birth-year": "2019", "nhs_number": "943 476 5918",
        "upn": "A872330125001"})
    assert response.status_code == 303  # refused: shown again by GET (post/redirect/get)
    page = client.get(response.location).get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#nhs_number"' in page and "Enter a real NHS number, like 943 476 5919" in page
    assert 'href="#upn"' in page and "Enter a real unique pupil number" in page
    assert 'value="943 476 5918"' in page  # what was typed is kept, to be corrected
    assert 'id="nhs_number-error"' in page


def test_the_questions_say_they_are_optional(client):
    client.post("/report/begin")
    client.post("/report/danger", data={"immediate_danger": "no"})
    client.post("/report/who", data={"referrer_type": "professional"})
    page = client.get("/report/children/1").get_data(as_text=True)
    assert "NHS number (optional)" in page and "Unique pupil number (UPN) (optional)" in page


# --- at rest: encrypted, and found by its blind index ---------------------------------------------------------------
def with_ids(nhs=None, upn=None, **child):
    base = {"born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-14",
            "gender": "boy", "postcode": "RG40 1AA", **child}
    if nhs:
        base["nhs_number"] = nhs
    if upn:
        base["upn"] = upn
    return base


def refer(db_session, at, **child):
    return create_contact(db_session, answers=examples.professional_concern(children=[with_ids(**child)]),
                          received_at=at)


EARLIER = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def test_the_numbers_are_encrypted_and_found_without_decrypting(db_session):
    contact = refer(db_session, EARLIER, nhs=NHS, upn=UPN)
    raw = db_session.execute(text("SELECT nhs_number, upn, nhs_number_index, upn_index FROM children")).one()
    for column in raw:
        assert NHS not in column and UPN not in column and "943 476" not in column
    assert [c.contact_id for c in children_with_nhs_number(db_session, NHS)] == [contact.id]
    assert children_with_nhs_number(db_session, OTHER_NHS) == []
    # The index reads the number, not who typed it how: the same number by hyphens finds the same child.
    assert children_with_nhs_number(db_session, clean_nhs_number("943-476-5919"))


# --- repeat matching --------------------------------------------------------------------------------------------------
def matches(db_session, contact):
    return db_session.scalars(select(RepeatMatch).where(RepeatMatch.contact_id == contact.id)
                              .order_by(RepeatMatch.score.desc())).all()


def test_the_same_nhs_number_finds_a_child_whose_name_and_address_changed(db_session):
    first = refer(db_session, EARLIER, nhs=NHS)
    second = refer(db_session, LATER, nhs=NHS, first_name="Jay", last_name="Carter", date_of_birth="2019-05-15",
                   postcode="RG41 2YA")
    [match] = matches(db_session, second)
    assert match.earlier_contact_id == first.id and match.score == 100
    assert match.reasons[0] == "same NHS number"


def test_the_same_nhs_number_ranks_above_a_perfect_name_and_date_match(db_session):
    alike = refer(db_session, EARLIER)  # the same name, date of birth and postcode, no NHS number
    same_number = refer(db_session, EARLIER + dt.timedelta(days=1), nhs=NHS, first_name="Jay", last_name="Carter",
                        date_of_birth="2019-05-15", postcode="RG41 2YA")
    latest = refer(db_session, LATER, nhs=NHS)
    assert [m.earlier_contact_id for m in matches(db_session, latest)] == [same_number.id, alike.id]


def test_different_nhs_numbers_count_against_an_otherwise_good_match(db_session):
    first = refer(db_session, EARLIER, nhs=NHS)
    twin = refer(db_session, LATER, nhs=OTHER_NHS, first_name="Jaydon")  # a twin: same surname, birthday, home
    assert matches(db_session, twin) == []
    # Without an NHS number the same details are suggested.
    unnumbered = refer(db_session, LATER + dt.timedelta(hours=1), first_name="Jaydon")
    assert {m.earlier_contact_id for m in matches(db_session, unnumbered)} == {first.id, twin.id}


def test_different_nhs_numbers_on_identical_details_are_still_shown_with_the_reason(db_session):
    first = refer(db_session, EARLIER, nhs=NHS)
    second = refer(db_session, LATER, nhs=THIRD_NHS)
    [match] = matches(db_session, second)
    assert match.earlier_contact_id == first.id and match.score < 90
    assert "different NHS numbers" in match.reasons


def test_the_same_upn_is_next_strongest(db_session):
    first = refer(db_session, EARLIER, upn=UPN)
    second = refer(db_session, LATER, upn=UPN, first_name="Jay", last_name="Carter", date_of_birth="2019-05-15",
                   postcode="RG41 2YA")
    [match] = matches(db_session, second)
    assert match.earlier_contact_id == first.id and match.score == 95 and match.reasons[0] == "same unique pupil number"


def test_different_upns_do_not_count_against_a_match(db_session):
    # A temporary UPN is replaced by a permanent one: one child may be known by two.
    first = refer(db_session, EARLIER, upn="T87233012500A")
    second = refer(db_session, LATER, upn=UPN)
    [match] = matches(db_session, second)
    assert match.earlier_contact_id == first.id and "different unique pupil numbers" in match.reasons


def test_a_busy_postcode_cannot_crowd_out_the_same_nhs_number(db_session, monkeypatch):
    import mash.repeats

    monkeypatch.setattr(mash.repeats, "MAX_CANDIDATES", 2)
    first = refer(db_session, EARLIER, nhs=NHS, first_name="Jay", last_name="Carter", date_of_birth="2019-05-15",
                  postcode="RG41 2YA")
    for day in range(3):  # newer children at the new address, each a different child
        refer(db_session, EARLIER + dt.timedelta(days=10 + day), first_name=f"Sibling{day}", last_name="Other",
              date_of_birth=f"201{day}-01-01")
    latest = refer(db_session, LATER, nhs=NHS)
    assert first.id in {m.earlier_contact_id for m in matches(db_session, latest)}


# --- the contact page ------------------------------------------------------------------------------------------------
def test_the_contact_page_shows_them_and_why_an_earlier_referral_was_suggested(app, db_session):
    refer(db_session, EARLIER, nhs=NHS)
    contact = refer(db_session, LATER, nhs=NHS, upn=UPN)
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    page = client.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "NHS number" in page and "943 476 5919" in page
    assert "Unique pupil number (UPN)" in page and UPN in page
    assert "Why suggested: same NHS number" in page


# --- the migration ----------------------------------------------------------------------------------------------------
def test_the_migration_adds_nullable_columns_and_takes_them_away_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'ids.db'}"
    upgrade(url, "0016")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO contacts (reference, kind, channel, status, received_at, decision_due_at, rag, "
                          "risk_rank, safety_flags, concern_categories, referral_source, referrer_type, "
                          "referrer_anonymous, answers, journey, version) VALUES ('FD-2026-000001', 'concern', "
                          "'web', 'new', '2026-11-27 10:00:00', '2026-11-30 10:00:00', 'red', 0, '[]', '[]', '2A', "
                          "'professional', 0, 'x', 'report', 1)"))
        conn.execute(text("INSERT INTO children (contact_id, position, unborn, details) VALUES (1, 0, 0, 'x')"))
    upgrade(url, "0017")

    def columns():
        engine.dispose()
        found = inspect(engine)
        return ({c["name"] for c in found.get_columns("children")}, {i["name"] for i in found.get_indexes("children")})

    names, indexes = columns()
    assert {"nhs_number", "upn", "nhs_number_index", "upn_index"} <= names
    assert {"ix_children_nhs_number_index", "ix_children_upn_index"} <= indexes
    with engine.connect() as conn:
        assert conn.execute(text("SELECT nhs_number, upn_index FROM children")).one() == (None, None)
    command.downgrade(alembic_config(url), "0016")
    names, indexes = columns()
    assert not {"nhs_number", "upn", "nhs_number_index", "upn_index"} & names
    assert not {"ix_children_nhs_number_index", "ix_children_upn_index"} & indexes
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM children")).scalar_one() == 1
    engine.dispose()

