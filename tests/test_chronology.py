"""A child's chronology: one child's contacts, police notifications, missing episodes, handovers, case notes and
decisions, dated and in words, in order; and never another child's."""

import datetime as dt

from sqlalchemy import select

from forms import examples
from mash.casework import add_note, link_household
from mash.chronology import chronology
from mash.models import AuditEvent, Child, Decision, RepeatMatch
from tests.police_support import da, missing, receive
from tests.staff_support import create_contact, create_staff, sign_in

DOB = "2019-05-01"
SATURDAY_NIGHT = dt.datetime(2026, 11, 21, 22, 0, tzinfo=dt.UTC)  # out of hours: a handover to the day team
THURSDAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def jayden(**changes):
    child = {**examples.professional_concern()["children"][0], "date_of_birth": DOB}
    child.update(changes)
    return [child]


def a_childs_history(session):
    """Jayden Morris: a contact on Saturday night (closed), the police and a missing episode midweek, a second
    contact on Thursday with a note and a decision; a misspelt referral a practitioner confirmed; and Jayden
    Morrison, born the same day, who is someone else."""
    pat, secret = create_staff(session, name="Pat Practitioner")
    first = create_contact(session, children=jayden(), received_at=SATURDAY_NIGHT)
    first.closed_at = SATURDAY_NIGHT + dt.timedelta(hours=14)
    first.status = "closed"
    session.commit()
    receive(session, missing(first_name="Jayden", last_name="Morris", dob=DOB, went="2026-11-23T18:00",
                             returned="2026-11-24T09:00"))
    receive(session, da(occurred_at="2026-11-24T22:15"))  # the police's Jayden Morris, born 2019-05-01
    second = create_contact(session, children=jayden(), received_at=THURSDAY)
    add_note(session, second, pat, kind="phone_call", text="School says he was upset on Monday.",
             now=THURSDAY + dt.timedelta(hours=1))
    session.add(Decision(contact_id=second.id, decided_by_id=pat.id, decided_at=THURSDAY + dt.timedelta(hours=3),
                         outcome="s17_assessment", level=3, rationale="Repeated incidents at home.",
                         sharing_decision="share", sharing_reason="Risk", primary_need="N1", nfa=False))
    misspelt = create_contact(session, children=jayden(first_name="Jaden"),
                              received_at=THURSDAY + dt.timedelta(hours=5))
    match = session.scalar(select(RepeatMatch).where(RepeatMatch.contact_id == misspelt.id,
                                                     RepeatMatch.earlier_contact_id == first.id))
    match.status = "confirmed"
    someone_else = create_contact(session, children=jayden(last_name="Morrison"),
                                  received_at=THURSDAY + dt.timedelta(hours=6))
    link_household(session, second, pat, reference=someone_else.reference, reason="Cousins, same house",
                   now=THURSDAY + dt.timedelta(hours=7))
    session.commit()
    return pat, secret, first, second, misspelt, someone_else


def test_a_chronology_joins_one_childs_records_and_no_one_elses(db_session):
    _pat, _secret, first, second, misspelt, someone_else = a_childs_history(db_session)
    result = chronology(db_session, first.children[0], today=dt.date(2026, 11, 27))
    assert result.name == "Jayden Morris" and result.born == "born 1 May 2019 (age 7)"
    assert [c.id for c in result.contacts] == [first.id, second.id, misspelt.id]
    assert someone_else.id not in {e.contact_id for e in result.entries}
    whats = [e.what for e in result.entries]
    for expected in ("Contact received by the website", "Arrived out of hours: handed to the day team",
                     "Contact closed", "Reported missing by the police", "Found",
                     "Domestic abuse incident notified by the police", "Phone call",
                     "Decision recorded: Child and family assessment (section 17)",
                     "Linked with " + someone_else.reference + " as one household"):
        assert expected in whats, expected
    note = next(e for e in result.entries if e.what == "Phone call")
    assert note.detail == "School says he was upset on Monday." and note.who == "Pat Practitioner"
    assert note.reference == second.reference
    police = next(e for e in result.entries if e.source == "Police")
    assert "high" not in police.detail and "the child was present and witnessed it" in police.detail


def test_an_unborn_babys_chronology_is_their_own_contact_and_joins_nothing_on_a_guess(db_session):
    pat, _ = create_staff(db_session)
    unborn = [{"born": "no", "due_date": "2027-03-01", "mother_name": "Kelly Morris", "address": "12 Elm Road",
               "postcode": "RG40 1AA"}]
    first = create_contact(db_session, children=unborn)
    add_note(db_session, first, pat, kind="case_note", text="Midwife to be asked about the birth plan")
    db_session.commit()
    other = create_contact(db_session, children=unborn)  # the same words, but nothing a chronology may join on
    result = chronology(db_session, first.children[0])
    assert (result.name, result.born) == ("Unborn baby", "due 1 March 2027")
    assert [c.id for c in result.contacts] == [first.id]
    assert other.id not in {e.contact_id for e in result.entries}
    assert [e.what for e in result.entries][0] == "Case note"


def test_newest_first_by_default_and_oldest_first_is_the_exact_reverse(db_session):
    _pat, _secret, first, *_ = a_childs_history(db_session)
    newest = chronology(db_session, first.children[0]).entries
    oldest = chronology(db_session, first.children[0], order="oldest").entries
    times = [e.at for e in newest]
    assert times == sorted(times, reverse=True) and len(newest) >= 10
    assert oldest == list(reversed(newest))
    assert newest[-1].what == "Contact received by the website" and newest[-1].at == SATURDAY_NIGHT
    # A contact and its out-of-hours handover arrive at the same moment: the contact is read first.
    assert [e.what for e in oldest[:2]] == ["Contact received by the website",
                                            "Arrived out of hours: handed to the day team"]
    missing_lines = [e.what for e in oldest if e.source == "Missing"]
    assert missing_lines == ["Reported missing by the police", "Found"]


def test_the_chronology_page_is_in_words_in_order_and_audited(app, db_session):
    pat, secret, first, second, _misspelt, _ = a_childs_history(db_session)
    client = app.test_client()
    sign_in(client, pat, secret)
    child_id = first.children[0].id
    page = client.get(f"/staff/children/{child_id}/chronology").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Jayden Morris</h1>" in page and "Show oldest first" in page
    assert "Born 1 May 2019 (age 7)." in page and "2019-05-01" not in page  # a date as people write it
    assert page.index("Decision recorded") < page.index("Reported missing by the police")  # newest first
    page = client.get(f"/staff/children/{child_id}/chronology?order=oldest").get_data(as_text=True)
    assert "Show newest first" in page
    assert page.index("Reported missing by the police") < page.index("Decision recorded")
    for nonsense in ("sideways", "<script>", "x" * 2000):
        response = client.get(f"/staff/children/{child_id}/chronology", query_string={"order": nonsense})
        assert response.status_code == 200 and "Show oldest first" in response.get_data(as_text=True)
    assert client.get("/staff/children/999999/chronology").status_code == 404
    viewed = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "chronology.viewed")).all()
    assert len(viewed) == 5 and viewed[0].contact_id == first.id and viewed[0].details["child_id"] == child_id
    # The contact's own casework partial links to each child's chronology.
    casework = client.get(f"/staff/contacts/{second.id}/casework").get_data(as_text=True)
    second_child = db_session.scalar(select(Child).where(Child.contact_id == second.id))
    assert f'href="/staff/children/{second_child.id}/chronology">Chronology of Jayden Morris</a>' in casework


def test_a_police_notification_never_says_a_witness_was_not_present(db_session):
    """A child the police mark as having witnessed it, but not as present (a CSV's "witnessed"), was there: the
    chronology said "the child was not present and witnessed it"."""
    contact = create_contact(db_session, children=jayden())
    children = [{"first_name": "Jayden", "last_name": "Morris", "date_of_birth": DOB, "present": False,
                 "witnessed": True}]
    receive(db_session, da(occurred_at="2026-11-24T22:15", children=children))
    result = chronology(db_session, contact.children[0], today=dt.date(2026, 11, 27))
    police = next(e for e in result.entries if e.source == "Police")
    assert "the child witnessed it." in police.detail and "not present" not in police.detail
    absent = [{**children[0], "witnessed": False}]
    receive(db_session, da(occurred_at="2026-11-20T22:15", children=absent))
    details = [e.detail for e in chronology(db_session, contact.children[0]).entries if e.source == "Police"
               and e.what.startswith("Domestic abuse incident")]
    assert any(d.endswith("the child was not present.") for d in details)
