"""The published partner contract (issue 14, item 2): a JSON Schema, checked before anything is stored; every
field at its limit and one past; bad postcodes, NHS numbers, UPNs and dates named; one notification per incident
whichever way it came; the docs' examples valid."""

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select, text

from forms import examples
from mash import police
from mash.models import AuditEvent, DomesticAbuseChild, DomesticAbuseNotification, MissingEpisode
from mash.repeats import nhs_number_index, upn_index
from tests.police_support import da, missing

URL = "/api/police/notifications"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "police-notifications.md"
NHS, UPN = "9434765919", "G872330125001"  # the NHS's own example number; a fictional UPN with a real check letter
HEADER = ",".join(police.CSV_COLUMNS)


@pytest.fixture
def partner(db_session):
    partner, token = police.create_partner(db_session, "Thames Valley Police")
    db_session.commit()
    return partner.id, token


def post(client, body, token):
    return client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


def yesterday() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def recent(**kwargs):
    return da(occurred_at=yesterday(), **kwargs)


def count(session, model=DomesticAbuseNotification) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def csv_row(*, reference: str, occurred_at: str, dob: str = "2019-05-01", nhs: str = "", upn: str = "") -> str:
    """The CSV twin of tests.police_support.da(): the same incident, field for field."""
    cells = {"kind": "domestic_abuse", "police_reference": reference, "occurred_at": occurred_at,
             "address": "12 Elm Road, Wokingham", "postcode": "RG40 1AA",
             "adults": "Kelly Morris|victim;Dean Carter|suspect",
             "children": f"Jayden|Morris|{dob}|present witnessed|{nhs}|{upn}".rstrip("|"),
             "dash_grade": "standard", "dash_ticks": "5", "school_informed": "yes",
             "summary": "Verbal argument, neighbour called police."}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([cells.get(c, "") for c in police.CSV_COLUMNS])
    return out.getvalue()


def upload(session, rows: list[str], partner_id: int | None):
    return police.import_csv(session, [HEADER + "\n", *rows], source="csv:test", actor="test",
                             partner_id=partner_id)


# The schema: published, and what the docs show ---------------------------------------------------------------------


def test_the_schema_is_a_valid_json_schema_served_without_a_token(client):
    Draft202012Validator.check_schema(police.SCHEMA)
    response = client.get("/api/police/v1/schema.json")
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    assert response.get_json() == police.SCHEMA


def _docs_json_examples() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    return [json.loads(block) for block in blocks]


def test_every_request_example_in_the_docs_passes_the_schema_and_the_checks():
    requests = [b for b in _docs_json_examples() if "police_reference" in b]
    assert len(requests) >= 2
    for example in requests:
        assert police.schema_problems(example) == []
        item = police.validate(example, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        assert item.police_reference == example["police_reference"]


def test_the_docs_400_example_is_what_the_api_answers(client, partner):
    answer = next(b for b in _docs_json_examples() if b.get("status") == 400)
    bad = recent(postcode="NOT A PC", children=[{"first_name": "Amy", "nhs_number": "9434765918"}])
    response = post(client, bad, partner[1])
    body = response.get_json()
    assert response.status_code == 400
    assert (body["problems"], body["fields"]) == (answer["problems"], answer["fields"])


def test_every_csv_example_row_in_the_docs_loads(db_session):
    block = re.search(r"```csv\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert block is not None
    report = police.import_csv(db_session, io.StringIO(block.group(1), newline=""), source="csv:test",
                               actor="test", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert report.errors == [] and report.created == 2
    child = db_session.scalars(select(DomesticAbuseChild)).one()
    assert (child.nhs_number, child.upn) == (NHS, UPN)


# Every field at its limit, and one past ----------------------------------------------------------------------------

LIMITS = [
    ("police_reference", "police_reference", lambda n: "R" * n, 40),
    ("address", "address", lambda n: "A" * n, 300),
    ("summary", "summary", lambda n: "S" * n, 10_000),
    ("children[0].first_name", ("children", 0, "first_name"), lambda n: "F" * n, 100),
    ("children[0].last_name", ("children", 0, "last_name"), lambda n: "L" * n, 100),
    ("adults[0].name", ("adults", 0, "name"), lambda n: "N" * n, 120),
    ("adults[0].role", ("adults", 0, "role"), lambda n: "R" * n, 60),
]


def _with(body: dict, where, value) -> dict:
    if isinstance(where, str):
        return {**body, where: value}
    listed, index, key = where
    items = [dict(item) for item in body[listed]]
    items[index][key] = value
    return {**body, listed: items}


def _stored(session, where):
    n = session.scalars(select(DomesticAbuseNotification)).one()
    if isinstance(where, str):
        return getattr(n, where)
    listed, index, key = where
    return getattr(n.children[index], key) if listed == "children" else n.adults[index][key]


@pytest.mark.parametrize(("field", "where", "make", "limit"), LIMITS, ids=[row[0] for row in LIMITS])
def test_each_text_field_is_taken_whole_at_its_limit_and_refused_one_past(client, db_session, partner, field, where,
                                                                         make, limit):
    over = post(client, _with(recent(), where, make(limit + 1)), partner[1])
    assert over.status_code == 400
    body = over.get_json()
    assert field in body["fields"]
    assert f"at most {limit:,} are accepted (nothing is shortened)" in " ".join(body["problems"])
    assert count(db_session) == 0 and count(db_session, AuditEvent) == 1  # the partner's creation only
    ok = post(client, _with(recent(), where, make(limit)), partner[1])
    assert ok.status_code == 201, ok.get_json()
    db_session.expire_all()
    assert _stored(db_session, where) == make(limit)  # nothing cut


def test_two_45_character_references_are_two_refusals_not_one_notification(client, db_session, partner):
    for tail in ("A", "B"):
        response = post(client, recent(reference="TVP/DA/2026/" + "0" * 32 + tail), partner[1])
        assert response.status_code == 400 and response.get_json()["fields"] == ["police_reference"]
    assert count(db_session) == 0


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"children": [{"first_name": f"C{n}"} for n in range(21)]}, "children", "children may list at most 20"),
    ({"adults": [{"name": f"A{n}"} for n in range(21)]}, "adults", "adults may list at most 20"),
    ({"dash_ticks": 28}, "dash_ticks", "dash_ticks must be a whole number from 0 to 27"),
    ({"dash_ticks": -1}, "dash_ticks", "dash_ticks must be a whole number from 0 to 27"),
    ({"dash_ticks": "11"}, "dash_ticks", "dash_ticks must be a whole number from 0 to 27"),
    ({"postcode": "RG40 1AA RG40"}, "postcode", "postcode is 13 characters long: at most 10"),
    ({"postcode": "not a postcode"}, "postcode", "postcode is 14 characters long"),
    ({"postcode": "NOT A PC"}, "postcode", "postcode is not a full UK postcode, like RG40 1AA"),
    ({"children": [{"first_name": "Amy", "present": "yes"}]}, "children[0].present",
     "child 1's present must be true or false"),
    ({"children": [{"first_name": "Amy", "nhs_number": "9434765918"}]}, "children[0].nhs_number",
     "child 1's nhs_number: Enter a real NHS number"),
    ({"children": [{"first_name": "Amy", "nhs_number": "4444444444"}]}, "children[0].nhs_number",
     "child 1's nhs_number: Enter a real NHS number"),
    ({"children": [{"first_name": "Amy", "nhs_number": "9" * 21}]}, "children[0].nhs_number",
     "at most 20 are accepted"),
    ({"children": [{"first_name": "Amy", "upn": "A872330125001"}]}, "children[0].upn",
     "child 1's upn: Enter a real unique pupil number"),
    ({"children": [{"first_name": "Amy", "upn": "G87233012500"}]}, "children[0].upn",
     "Unique pupil number must be 13 characters"),
    ({"children": [{"first_name": "Amy", "date_of_birth": "2019-02-30"}]}, "children[0].date_of_birth",
     "child 1's date_of_birth is not a date (use YYYY-MM-DD)"),
    ({"children": [{"first_name": "Amy", "date_of_birth": "01/05/2019"}]}, "children[0].date_of_birth",
     "child 1's date_of_birth is not a date (use YYYY-MM-DD)"),
    ({"children": [{"date_of_birth": "2019-05-01"}]}, "children[0]", "child 1 needs a first or last name"),
    ({"occurred_at": "2026-02-30T10:00"}, "occurred_at", "occurred_at is not a date and time"),
    ({"occurred_at": 20261126}, "occurred_at", "occurred_at must be text"),
    ({"dash_tick": 5}, "dash_tick", "dash_tick is not a field of a police notification"),
    ({"kind": "burglary"}, "kind", "kind must be one of domestic_abuse, missing"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(client, db_session, partner, change, field,
                                                                   message):
    response = post(client, {**recent(), **change}, partner[1])
    assert response.status_code == 400
    body = response.get_json()
    assert field in body["fields"], body
    assert any(message in problem for problem in body["problems"]), body["problems"]
    assert count(db_session) == 0 and count(db_session, DomesticAbuseChild) == 0


def test_every_problem_is_named_at_once_schema_and_meaning_alike(client, partner):
    body = recent(reference="R" * 41, postcode="NOT A PC",
                  children=[{"first_name": "Amy", "nhs_number": "123", "date_of_birth": "2019-13-01"}])
    fields = post(client, body, partner[1]).get_json()["fields"]
    assert set(fields) == {"police_reference", "postcode", "children[0].nhs_number", "children[0].date_of_birth"}


def test_a_postcode_is_stored_in_its_standard_form(client, db_session, partner):
    assert post(client, recent(postcode="rg401aa"), partner[1]).status_code == 201
    assert db_session.scalars(select(DomesticAbuseNotification)).one().postcode == "RG40 1AA"


# NHS number and UPN: checked, encrypted, blind-indexed ---------------------------------------------------------------


def test_a_childs_nhs_number_and_upn_are_stored_encrypted_with_blind_indexes(client, db_session, partner):
    child = {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01",
             "nhs_number": "943 476 5919", "upn": "g872330125001"}
    assert post(client, recent(children=[child]), partner[1]).status_code == 201
    stored = db_session.scalars(select(DomesticAbuseChild)).one()
    assert (stored.nhs_number, stored.upn) == (NHS, UPN)
    assert (stored.nhs_number_index, stored.upn_index) == (nhs_number_index(NHS), upn_index(UPN))
    raw = db_session.execute(text("SELECT nhs_number, upn FROM domestic_abuse_children")).one()
    assert NHS not in str(raw) and UPN not in str(raw)


def test_a_missing_childs_nhs_number_is_kept_too(client, db_session, partner):
    body = missing(went=yesterday(), returned=None, child={"first_name": "Casey", "last_name": "Lane",
                                                           "date_of_birth": "2011-02-03", "nhs_number": NHS})
    assert post(client, body, partner[1]).status_code == 201
    episode = db_session.scalars(select(MissingEpisode)).one()
    assert episode.nhs_number == NHS and episode.nhs_number_index == nhs_number_index(NHS)


def test_the_csv_takes_nhs_number_and_upn_as_the_childs_fifth_and_sixth_parts(db_session, partner):
    report = upload(db_session, [csv_row(reference="TVP/1", occurred_at=yesterday(), nhs=NHS, upn=UPN)], partner[0])
    assert report.errors == []
    assert db_session.scalars(select(DomesticAbuseChild)).one().nhs_number == NHS


def test_a_bad_nhs_number_or_upn_in_the_csv_refuses_the_row_by_its_line(db_session, partner):
    rows = [csv_row(reference="TVP/1", occurred_at=yesterday(), nhs="9434765918"),
            csv_row(reference="TVP/2", occurred_at=yesterday(), upn="A872330125001"),
            csv_row(reference="TVP/3", occurred_at=yesterday())]
    report = upload(db_session, rows, partner[0])
    assert [line for line, _ in report.errors] == [2, 3] and report.created == 1
    assert "child 1's nhs_number" in report.errors[0][1] and "child 1's upn" in report.errors[1][1]
    assert NHS[:6] not in str(report.errors)


def test_a_csv_child_with_too_many_parts_is_refused_not_cut(db_session, partner):
    row = csv_row(reference="TVP/1", occurred_at=yesterday(), nhs=NHS, upn=UPN).replace(UPN, UPN + "|Oakfield|extra")
    report = upload(db_session, [row], partner[0])
    assert report.created == 0 and "child 1 has 8 parts" in report.errors[0][1]


def test_csv_cells_go_through_the_same_schema(db_session, partner):
    over = csv_row(reference="R" * 41, occurred_at=yesterday())
    report = upload(db_session, [over, csv_row(reference="TVP/1", occurred_at=yesterday()).replace(",5,", ",lots,")],
                    partner[0])
    assert report.created == 0
    assert "police_reference is 41 characters long" in report.errors[0][1]
    assert "dash_ticks must be a whole number from 0 to 27" in report.errors[1][1]


# One incident, one notification -------------------------------------------------------------------------------------


def test_the_same_incident_twice_by_the_api_is_one_notification(client, db_session, partner):
    body = recent(reference="TVP/DA/1")
    first, second = post(client, body, partner[1]), post(client, body, partner[1])
    assert (first.status_code, second.status_code) == (201, 201) and second.headers["Idempotent-Replay"] == "true"
    assert first.get_json() == second.get_json() and count(db_session) == 1


def test_the_same_incident_twice_by_csv_is_one_notification(db_session, partner):
    row = csv_row(reference="TVP/DA/1", occurred_at=yesterday())
    first = upload(db_session, [row, row], partner[0])
    second = upload(db_session, [row], partner[0])
    assert (first.created, first.duplicates, second.created, second.duplicates) == (1, 1, 0, 1)
    assert count(db_session) == 1


def test_api_then_csv_is_one_notification(client, db_session, partner):
    when = yesterday()
    assert post(client, da(reference="TVP/DA/1", occurred_at=when), partner[1]).status_code == 201
    report = upload(db_session, [csv_row(reference="TVP/DA/1", occurred_at=when)], partner[0])
    assert (report.created, report.duplicates, report.errors) == (0, 1, [])
    assert count(db_session) == 1


def test_csv_then_api_is_one_notification(client, db_session, partner):
    when = yesterday()
    report = upload(db_session, [csv_row(reference="TVP/DA/1", occurred_at=when)], partner[0])
    assert report.created == 1
    again = post(client, da(reference="TVP/DA/1", occurred_at=when), partner[1])
    assert again.status_code == 201 and again.headers["Idempotent-Replay"] == "true"
    assert count(db_session) == 1


def test_a_file_uploaded_for_no_partner_is_the_mashs_own_numbering(client, db_session, partner):
    when = yesterday()
    upload(db_session, [csv_row(reference="TVP/DA/1", occurred_at=when)], None)
    assert post(client, da(reference="TVP/DA/1", occurred_at=when), partner[1]).status_code == 201
    assert sorted(db_session.scalars(select(DomesticAbuseNotification.origin))) == ["csv", f"partner:{partner[0]}"]


def test_a_resend_that_changes_a_childs_date_of_birth_is_a_conflict_by_either_road(client, db_session, partner):
    when = yesterday()
    assert post(client, da(reference="TVP/DA/1", occurred_at=when), partner[1]).status_code == 201
    changed = [{"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-06-01", "present": True,
                "witnessed": True}]
    response = post(client, da(reference="TVP/DA/1", occurred_at=when, children=changed), partner[1])
    assert response.status_code == 409 and "different details" in response.get_json()["message"]
    report = upload(db_session, [csv_row(reference="TVP/DA/1", occurred_at=when, dob="2019-06-01")], partner[0])
    assert report.created == 0 and "different details" in report.errors[0][1]
    db_session.expire_all()
    assert count(db_session) == 1 and count(db_session, DomesticAbuseChild) == 1
    assert db_session.scalars(select(DomesticAbuseChild)).one().date_of_birth == "2019-05-01"  # the first stands


def test_a_childs_school_comes_with_the_notification_and_is_checked_like_every_field(db_session, partner):
    row = csv_row(reference="TVP/9", occurred_at=yesterday(), nhs=NHS, upn=UPN).replace(UPN, UPN + "|Oakfield Primary")
    assert upload(db_session, [row], partner[0]).created == 1
    child = db_session.scalars(select(DomesticAbuseChild)).one()
    assert (child.school, child.school_source) == ("Oakfield Primary", "notification")
    too_long = csv_row(reference="TVP/10", occurred_at=yesterday(), nhs=NHS, upn=UPN)
    too_long = too_long.replace(UPN, UPN + "|" + "S" * 121)
    report = upload(db_session, [too_long], partner[0])
    assert report.created == 0 and "school" in report.errors[0][1]


def test_a_notification_about_a_child_with_an_open_contact_is_routed_by_nhs_number_alone(db_session):
    from tests.police_support import da, receive
    from tests.staff_support import create_contact

    child = {**examples.professional_concern()["children"][0], "nhs_number": NHS}
    open_contact = create_contact(db_session, children=[child])
    # another spelling and no date of birth: only the NHS number joins them
    stored = receive(db_session, da(reference="TVP/NHS/1", children=[
        {"first_name": "Jaydon", "last_name": "Moris", "nhs_number": NHS}]))
    notification = db_session.get(DomesticAbuseNotification, stored.id)
    assert notification.routed_contact_id == open_contact.id
    other = receive(db_session, da(reference="TVP/NHS/2", children=[{"first_name": "Jaydon", "last_name": "Moris"}]))
    assert db_session.get(DomesticAbuseNotification, other.id).routed_contact_id is None
