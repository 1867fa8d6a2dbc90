"""Sharing the work (issue 15, item 3): passing a contact to a colleague with a note, case notes that are never
edited, household links, and every refusal a duty team could run into."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from mash.casework import (
    ASSIGNMENT_HOLD,
    NOTE_LIMIT,
    CaseworkError,
    PassRefused,
    add_note,
    household_of,
    link_household,
    notes_for,
    pass_contact,
    unlink_household,
)
from mash.claims import LEASE, claim, holds
from mash.history import describe_events
from mash.models import AuditEvent, CaseNote, Contact, HouseholdLink
from mash.queue import Filters, queue_page
from store.db import make_engine, make_sessionmaker
from tests.staff_support import create_contact, create_staff, sign_in

NOW = dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC)


def events(session, name):
    return session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.seq)).all()


@pytest.fixture
def team(db_session):
    pat, _ = create_staff(db_session, name="Pat Practitioner")
    sam, _ = create_staff(db_session, name="Sam Second")
    morgan, _ = create_staff(db_session, role="manager", name="Morgan Manager")
    return pat, sam, morgan


# --- Passing a contact ------------------------------------------------------------------------------------------


def test_the_holder_passes_a_contact_to_a_colleague_who_then_holds_it(db_session, team):
    pat, _sam, morgan = team
    contact = create_contact(db_session)
    assert claim(db_session, contact.id, pat, now=NOW)
    db_session.commit()
    db_session.refresh(contact)  # the page Pat passes from shows the claimed version
    note = pass_contact(db_session, contact, pat, colleague_id=str(morgan.id), note="Police check due back at 2pm.",
                        version=contact.version, now=NOW)
    db_session.commit()
    db_session.refresh(contact)
    assert contact.claimed_by_id == morgan.id and contact.claim_expires_at == NOW + ASSIGNMENT_HOLD
    assert ASSIGNMENT_HOLD > LEASE  # it waits for the colleague, longer than a claim someone walked away from
    assert holds(contact, morgan, now=NOW + dt.timedelta(hours=2)) and not holds(contact, pat, now=NOW)
    sam = team[1]
    assert not claim(db_session, contact.id, sam, now=NOW + dt.timedelta(hours=2))  # nobody else can take it
    # The queue's "who holds it" and the colleague's "Mine" view show it as the colleague's.
    mine = queue_page(db_session, morgan, now=NOW, filters=Filters(worker="me")).contacts
    assert [c.id for c in mine] == [contact.id] and mine[0].claimed_by.name == "Morgan Manager"
    assert note.kind == "passed" and note.passed_to_id == morgan.id and note.text == "Police check due back at 2pm."
    [event] = events(db_session, "contact.passed")
    assert event.details["to_staff_id"] == morgan.id and event.details["from_staff_id"] == pat.id
    assert "Police check" not in str(event.details)  # the trail names the note, never its words
    assert describe_events(db_session, [event])[0].what == "Passed to Morgan Manager with a note"


def test_anyone_who_screens_can_assign_a_contact_nobody_holds(db_session, team):
    pat, sam, _ = team
    contact = create_contact(db_session)
    pass_contact(db_session, contact, pat, colleague_id=sam.id, note="Yours: you know the family.",
                 version=contact.version, now=NOW)
    db_session.commit()
    db_session.refresh(contact)
    assert contact.claimed_by_id == sam.id and contact.status == "in_screening"


def test_a_practitioner_cannot_take_a_contact_a_colleague_holds_but_a_manager_can_reallocate(app, db_session, team):
    pat, sam, morgan = team
    contact = create_contact(db_session)
    assert claim(db_session, contact.id, sam)  # held now, so the page shows it held
    db_session.commit()
    db_session.refresh(contact)
    from flask import render_template_string  # the partial says why there is no pass form

    with app.test_request_context():
        from flask_login import login_user

        from portal.staff import StaffLogin

        login_user(StaffLogin(pat))
        html = render_template_string('{% include "staff/_casework.html" %}', contact=contact)
    assert "Only Sam Second, or a manager, can pass this contact to someone else." in html
    assert f'action="/staff/contacts/{contact.id}/pass"' not in html
    with pytest.raises(PassRefused, match="Someone else is working on this contact"):
        pass_contact(db_session, contact, pat, colleague_id=morgan.id, note="Mine now",
                     version=contact.version, now=NOW)
    db_session.rollback()
    db_session.refresh(contact)
    assert contact.claimed_by_id == sam.id
    pass_contact(db_session, contact, morgan, colleague_id=pat.id, note="Sam is off sick: Pat, please take it.",
                 version=contact.version, now=NOW)
    db_session.commit()
    db_session.refresh(contact)
    assert contact.claimed_by_id == pat.id
    assert events(db_session, "contact.passed")[0].details["from_staff_id"] == sam.id


@pytest.mark.parametrize(("who", "message"), [
    ("self", "You cannot pass a contact to yourself"),
    ("inactive", "account is not active"),
    ("admin", "does not screen contacts"),
    ("", "Select the colleague"),
    ("999999", "Select a colleague from the list"),
    ("1; DROP TABLE contacts", "Select a colleague from the list"),
    ("9" * 400, "Select a colleague from the list"),
])
def test_passing_to_someone_who_cannot_take_it_is_refused_and_changes_nothing(db_session, team, who, message):
    pat, sam, _ = team
    admin, _ = create_staff(db_session, role="admin")
    sam.active = False
    db_session.commit()
    contact = create_contact(db_session)
    assert claim(db_session, contact.id, pat, now=NOW)
    db_session.commit()
    db_session.refresh(contact)
    target = {"self": pat.id, "inactive": sam.id, "admin": admin.id}.get(who, who)
    with pytest.raises(CaseworkError, match=message) as refused:
        pass_contact(db_session, contact, pat, colleague_id=target, note="Over to you", version=contact.version,
                     now=NOW)
    assert refused.value.field == "colleague"
    db_session.rollback()
    db_session.refresh(contact)
    assert contact.claimed_by_id == pat.id
    assert db_session.scalar(select(func.count()).select_from(CaseNote)) == 0


@pytest.mark.parametrize(("note", "message"), [("", "Write a note for your colleague"),
                                               ("   \n ", "Write a note for your colleague"),
                                               ("x" * (NOTE_LIMIT + 1), "5,000 characters or fewer")])
def test_a_pass_needs_a_note_of_a_sensible_length(db_session, team, note, message):
    pat, sam, _ = team
    contact = create_contact(db_session)
    with pytest.raises(CaseworkError, match=message) as refused:
        pass_contact(db_session, contact, pat, colleague_id=sam.id, note=note, version=contact.version, now=NOW)
    assert refused.value.field == "note"


def test_a_contact_awaiting_sign_off_or_closed_cannot_be_passed(db_session, team):
    pat, sam, _ = team
    contact = create_contact(db_session)
    contact.status = "awaiting_signoff"
    db_session.commit()
    with pytest.raises(PassRefused, match="waiting for sign-off or is closed"):
        pass_contact(db_session, contact, pat, colleague_id=sam.id, note="Please", version=contact.version, now=NOW)


def test_a_pass_from_a_page_loaded_before_a_claim_is_refused(db_session, database_url, team):
    """Pat loads the page (version v); Sam claims the contact meanwhile; Pat's pass must not take it from Sam."""
    pat, sam, morgan = team
    contact = create_contact(db_session)
    loaded_version = contact.version
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as other:
        assert claim(other, contact.id, other.merge(sam), now=NOW)
        other.commit()
    engine.dispose()
    with pytest.raises(PassRefused, match="Someone else"):
        pass_contact(db_session, contact, pat, colleague_id=morgan.id, note="Over to you", version=loaded_version,
                     now=NOW)
    db_session.rollback()
    db_session.refresh(contact)
    assert contact.claimed_by_id == sam.id


def test_two_people_passing_the_same_contact_at_once_exactly_one_wins(database_url, team, db_session):
    """Eight people press "Pass" on the same page version at the same moment: one pass, one note, one event."""
    _race(database_url, db_session, team)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_people_passing_the_same_contact_at_once_exactly_one_wins_on_postgres(pg_url):
    engine = make_engine(pg_url)
    with make_sessionmaker(engine)() as session:
        pat, _ = create_staff(session)
        sam, _ = create_staff(session)
        morgan, _ = create_staff(session, role="manager")
        _race(pg_url, session, (pat, sam, morgan))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_refuses_to_edit_delete_or_truncate_notes_and_links(pg_url):
    engine = make_engine(pg_url)
    with make_sessionmaker(engine)() as session:
        pat, _ = create_staff(session)
        one, two = create_contact(session), create_contact(session)
        add_note(session, one, pat, kind="case_note", text="What was said", now=NOW)
        link_household(session, one, pat, reference=two.reference, now=NOW)
        session.commit()
        for statement in ("UPDATE case_notes SET kind = 'phone_call'", "DELETE FROM case_notes",
                          "TRUNCATE case_notes CASCADE", "UPDATE household_links SET linked = false",
                          "DELETE FROM household_links", "TRUNCATE household_links"):
            with pytest.raises(DatabaseError, match="append-only|never edited"):
                session.execute(text(statement))
            session.rollback()
        assert session.scalar(select(CaseNote.kind)) == "case_note"
    engine.dispose()


def _race(url, db_session, team):
    pat, sam, morgan = team
    others = [create_staff(db_session, role="manager")[0] for _ in range(7)]
    contact = create_contact(db_session)
    version = contact.version
    engine = make_engine(url, pool_size=10) if url.startswith("postgresql") else make_engine(url)
    sessions = make_sessionmaker(engine)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(user_id: int, to_id: int) -> None:
        with sessions() as session:
            user = session.get(type(pat), user_id)
            item = session.get(Contact, contact.id)
            barrier.wait()
            try:
                pass_contact(session, item, user, colleague_id=to_id, note=f"From {user_id}", version=version,
                             now=NOW)
                session.commit()
                result = "passed"
            except PassRefused:
                session.rollback()
                result = "refused"
            except DatabaseError:  # SQLite's busy timeout is 30 s: should never happen here
                session.rollback()
                result = "error"
            with lock:
                outcomes.append(result)

    people = [morgan, *others]
    threads = [threading.Thread(target=worker, args=(p.id, (sam if i % 2 else pat).id)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert sorted(outcomes) == ["passed"] + ["refused"] * 7
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(CaseNote)) == 1
    assert len(events(db_session, "contact.passed")) == 1
    note = db_session.scalar(select(CaseNote))
    assert db_session.get(Contact, contact.id).claimed_by_id == note.passed_to_id


# --- Case notes -------------------------------------------------------------------------------------------------


def test_a_note_is_typed_dated_signed_audited_and_corrected_only_by_a_later_note(db_session, team):
    pat, sam, _ = team
    contact = create_contact(db_session)
    first = add_note(db_session, contact, pat, kind="phone_call", text="Spoke to the school: no concerns.", now=NOW)
    later = NOW + dt.timedelta(minutes=5)
    second = add_note(db_session, contact, sam, kind="case_note", text="Correction: the school has concerns.",
                      corrects=str(first.id), now=later)
    db_session.commit()
    notes = notes_for(db_session, contact.id)
    assert [(n.kind, n.written_by_id, n.written_at) for n in notes] == [("phone_call", pat.id, NOW),
                                                                      ("case_note", sam.id, later)]
    assert second.corrects_id == first.id and notes[0].text == "Spoke to the school: no concerns."
    written = events(db_session, "case_note.written")
    assert [e.details["note_id"] for e in written] == [first.id, second.id]
    assert written[1].details["corrects_note_id"] == first.id
    assert "school" not in str([e.details for e in written])


@pytest.mark.parametrize(("kind", "body", "field", "message"), [
    ("case_note", "", "text", "Write the note"),
    ("case_note", "x" * (NOTE_LIMIT + 1), "text", "5,000 characters or fewer"),
    ("", "Something", "kind", "Select the type of note"),
    ("passed", "Something", "kind", "Select the type of note"),  # only a pass writes a "passed" note
    ("<script>", "Something", "kind", "Select the type of note"),
])
def test_a_note_without_a_type_or_words_or_too_long_is_refused(db_session, team, kind, body, field, message):
    pat, _, _ = team
    contact = create_contact(db_session)
    with pytest.raises(CaseworkError, match=message) as refused:
        add_note(db_session, contact, pat, kind=kind, text=body, now=NOW)
    assert refused.value.field == field


def test_a_note_on_a_closed_contact_is_refused_with_a_reason(db_session, team):
    pat, _, _ = team
    contact = create_contact(db_session)
    contact.closed_at = NOW
    contact.status = "closed"
    db_session.commit()
    with pytest.raises(CaseworkError, match="This contact is closed"):
        add_note(db_session, contact, pat, kind="case_note", text="Late thought", now=NOW)


def test_a_note_can_only_correct_a_note_on_the_same_contact(db_session, team):
    pat, _, _ = team
    one, two = create_contact(db_session), create_contact(db_session)
    elsewhere = add_note(db_session, two, pat, kind="case_note", text="On the other contact", now=NOW)
    db_session.commit()
    for wrong in (str(elsewhere.id), "abc", "99999", "9" * 50):
        with pytest.raises(CaseworkError, match="Select a note on this contact") as refused:
            add_note(db_session, one, pat, kind="case_note", text="Fix", corrects=wrong, now=NOW)
        assert refused.value.field == "corrects"


def test_the_database_refuses_to_edit_or_delete_a_note_or_a_household_link(db_session, team):
    pat, _, _ = team
    one, two = create_contact(db_session), create_contact(db_session)
    note = add_note(db_session, one, pat, kind="case_note", text="What was said", now=NOW)
    link_household(db_session, one, pat, reference=two.reference, now=NOW)
    db_session.commit()
    for statement in ("UPDATE case_notes SET text = 'rewritten'", "DELETE FROM case_notes",
                      "UPDATE household_links SET linked = 0", "DELETE FROM household_links"):
        with pytest.raises(DatabaseError, match="append-only|never edited"):
            db_session.execute(text(statement))
        db_session.rollback()
    note.kind = "phone_call"  # through the ORM too
    with pytest.raises(DatabaseError, match="never edited"):
        db_session.commit()
    db_session.rollback()
    assert db_session.scalar(select(CaseNote.kind)) == "case_note"
    assert db_session.scalar(select(func.count()).select_from(HouseholdLink)) == 1


# --- Household links --------------------------------------------------------------------------------------------


def test_linking_two_contacts_shows_on_both_and_is_audited_on_both(db_session, team):
    pat, sam, _ = team
    one, two = create_contact(db_session), create_contact(db_session, journey="help")
    other = link_household(db_session, one, pat, reference=f"  {two.reference.lower()} ", reason="Siblings", now=NOW)
    db_session.commit()
    assert other.id == two.id
    assert [(x.contact.id, x.linked_by.id, x.reason) for x in household_of(db_session, one.id)] == \
        [(two.id, pat.id, "Siblings")]
    assert [x.contact.id for x in household_of(db_session, two.id)] == [one.id]
    linked = events(db_session, "household.linked")
    assert sorted(e.contact_id for e in linked) == sorted([one.id, two.id])
    assert describe_events(db_session, linked)[0].detail in (one.reference, two.reference)
    # From the other side it is the same pair: already linked.
    with pytest.raises(CaseworkError, match="already linked"):
        link_household(db_session, two, sam, reference=one.reference, now=NOW)
    db_session.rollback()
    unlink_household(db_session, two, sam, other_id=one.id, now=NOW + dt.timedelta(hours=1))
    db_session.commit()
    assert household_of(db_session, one.id) == [] and household_of(db_session, two.id) == []
    assert len(events(db_session, "household.unlinked")) == 2
    with pytest.raises(CaseworkError, match="not linked"):
        unlink_household(db_session, one, pat, other_id=two.id, now=NOW)
    db_session.rollback()
    link_household(db_session, one, pat, reference=two.reference, now=NOW + dt.timedelta(hours=2))
    db_session.commit()
    assert [x.contact.id for x in household_of(db_session, one.id)] == [two.id]
    # Every act is a row of its own: linked, unlinked, linked again.
    assert db_session.scalars(select(HouseholdLink.linked).order_by(HouseholdLink.id)).all() == [True, False, True]


@pytest.mark.parametrize(("reference", "message"), [
    ("", "Enter the reference"), ("FD-2026-999999", "No contact has that reference"),
    ("x" * 1000, "Enter a contact reference"), ("' OR 1=1 --", "No contact has that reference"),
    ("self", "this contact's own reference"),
])
def test_a_link_to_no_contact_or_to_itself_is_refused(db_session, team, reference, message):
    pat, _, _ = team
    contact = create_contact(db_session)
    with pytest.raises(CaseworkError, match=message) as refused:
        link_household(db_session, contact, pat, reference=contact.reference if reference == "self" else reference,
                       now=NOW)
    assert refused.value.field == "reference"


# --- The pages --------------------------------------------------------------------------------------------------


def test_the_casework_page_passes_writes_notes_and_links_and_keeps_what_was_typed_on_a_refusal(app, db_session, team):
    pat, _sam, morgan = team
    _, secret = create_staff(db_session, name="Pat Two")
    user = db_session.scalars(select(type(pat)).where(type(pat).name == "Pat Two")).one()
    contact = create_contact(db_session)
    two = create_contact(db_session, journey="help")
    client = app.test_client()
    sign_in(client, user, secret)
    page = client.get(f"/staff/contacts/{contact.id}/casework").get_data(as_text=True)
    assert "Assign to a colleague" in page and ">Morgan Manager (manager)</option>" in page
    assert ">Pat Two (practitioner)</option>" not in page  # not oneself

    long_note = "A careful note. " * 400  # 6,400 characters: refused, and kept on the page
    response = client.post(f"/staff/contacts/{contact.id}/pass", data={
        "colleague": str(morgan.id), "note": long_note, "version": str(contact.version), "back": "contact"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "Keep it to 5,000 characters or fewer" in page
    assert 'href="#pass-note"' in page and long_note.strip() in page
    assert "<title>Error:" in page

    response = client.post(f"/staff/contacts/{contact.id}/pass", data={
        "colleague": str(morgan.id), "note": "Needs a manager's eye", "version": str(contact.version),
        "back": "contact"})
    assert response.status_code == 302 and response.location.endswith(f"/staff/contacts/{contact.id}#casework")
    db_session.expire_all()
    assert db_session.get(Contact, contact.id).claimed_by_id == morgan.id

    response = client.post(f"/staff/contacts/{contact.id}/notes", data={"kind": "case_note", "text": ""})
    assert response.status_code == 400 and "Write the note" in response.get_data(as_text=True)
    response = client.post(f"/staff/contacts/{contact.id}/notes",
                           data={"kind": "phone_call", "text": "Rang the GP <b>surgery</b>"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Case note added." in page and "Rang the GP &lt;b&gt;surgery&lt;/b&gt;" in page
    assert "Note 2: Phone call" in page and "Note 1: Passed to Morgan Manager" in page and "colleague to" not in page

    response = client.post(f"/staff/contacts/{contact.id}/household", data={"reference": "nonsense"})
    assert response.status_code == 400 and "No contact has that reference" in response.get_data(as_text=True)
    response = client.post(f"/staff/contacts/{contact.id}/household", data={"reference": two.reference},
                           follow_redirects=True)
    assert f"Linked with {two.reference} as one household." in response.get_data(as_text=True)
    page = client.get(f"/staff/contacts/{two.id}/casework").get_data(as_text=True)
    assert contact.reference in page and "linked by Pat Two" in page
    response = client.post(f"/staff/contacts/{two.id}/household/{contact.id}/unlink", follow_redirects=True)
    assert f"Unlinked {contact.reference}" in response.get_data(as_text=True)
    response = client.post(f"/staff/contacts/{two.id}/household/{contact.id}/unlink")
    assert response.status_code == 400 and "not linked" in response.get_data(as_text=True)
    assert client.post("/staff/contacts/999999/notes", data={"kind": "case_note", "text": "x"}).status_code == 404


def test_an_administrator_cannot_open_or_change_casework(app, db_session):
    admin, secret = create_staff(db_session, role="admin")
    contact = create_contact(db_session)
    client = app.test_client()
    sign_in(client, admin, secret)
    assert client.get(f"/staff/contacts/{contact.id}/casework").status_code == 403
    assert client.post(f"/staff/contacts/{contact.id}/notes", data={"kind": "case_note", "text": "x"}).status_code \
        == 403
    assert db_session.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_the_partial_renders_with_the_contact_page_context(app, db_session):
    """The contact page includes staff/_casework.html with its `contact`: the partial needs nothing else."""
    from flask import render_template_string

    pat, secret = create_staff(db_session)
    contact = create_contact(db_session)
    client = app.test_client()
    sign_in(client, pat, secret)
    with client:
        client.get("/staff/queue")  # a signed-in request context
        html = render_template_string('{% include "staff/_casework.html" ignore missing %}',
                                      contact=db_session.merge(contact))
    assert "Who holds it, case notes and household" in html
    assert f'action="/staff/contacts/{contact.id}/notes"' in html and 'name="back" value="contact"' in html
    child_id = contact.children[0].id
    assert f'<a class="govuk-link" href="/staff/children/{child_id}/chronology">Chronology of Jayden Morris</a>' in html


def test_the_demo_has_a_case_note_and_a_household_once(db_session):
    from portal.demo import load_demo_casework, load_demo_contacts, load_demo_decisions, load_demo_staff
    from portal.police_api import load_demo_notifications

    load_demo_contacts(db_session)
    load_demo_staff(db_session)
    load_demo_notifications(db_session)
    load_demo_decisions(db_session)
    assert load_demo_casework(db_session) == ["a case note", "two contacts linked as one household"]
    db_session.commit()
    jayden = db_session.scalar(select(Contact).where(Contact.idempotency_key == "demo:1"))
    [note] = notes_for(db_session, jayden.id)
    assert note.kind == "information_received" and note.text.startswith("Fictional:")
    [sister] = household_of(db_session, jayden.id)
    assert [c.first_name for c in sister.contact.children] == ["Ruby"]
    assert load_demo_casework(db_session) == []  # once only


def test_the_demo_casework_loads_again_without_failing_when_jaydens_contact_was_closed(db_session):
    """Closed before the demo note could be written, the next load must not try to link the pair a second time."""
    from portal.demo import load_demo_casework, load_demo_contacts, load_demo_decisions, load_demo_staff
    from portal.police_api import load_demo_notifications

    load_demo_contacts(db_session)
    load_demo_staff(db_session)
    load_demo_notifications(db_session)
    load_demo_decisions(db_session)
    jayden = db_session.scalar(select(Contact).where(Contact.idempotency_key == "demo:1"))
    jayden.closed_at = NOW
    assert load_demo_casework(db_session) == ["two contacts linked as one household"]
    assert load_demo_casework(db_session) == []
    assert len(household_of(db_session, jayden.id)) == 1


@pytest.mark.slow
@pytest.mark.postgres
def test_two_people_linking_the_same_pair_at_once_make_one_link_on_postgres(pg_url):
    """The second of two simultaneous links waits for the first (a lock on the pair's first contact) and is told
    the pair is already linked: one row, one pair of audit events."""
    engine = make_engine(pg_url, pool_size=4)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        pat, _ = create_staff(session)
        sam, _ = create_staff(session)
        one, two = create_contact(session), create_contact(session)
        session.commit()
        ids = (pat.id, sam.id, one.id, two.reference)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(user_id: int) -> None:
        with sessions() as session:
            user, item = session.get(type(pat), user_id), session.get(Contact, ids[2])
            barrier.wait()
            try:
                link_household(session, item, user, reference=ids[3], now=NOW)
                session.commit()
                outcomes.append("linked")
            except CaseworkError:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=worker, args=(u,)) for u in ids[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sessions() as session:
        assert sorted(outcomes) == ["linked", "refused"]
        assert session.scalar(select(func.count()).select_from(HouseholdLink)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.event == "household.linked")) == 2
    engine.dispose()
