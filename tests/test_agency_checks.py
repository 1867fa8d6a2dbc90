"""Agency checks as tasks (issue 15, item 4): the person asked, due times by agency over bank holidays, overdue and
chasing, responses until the contact closes, two responses at once, sign-off with checks outstanding, and why a
check says it was made without the parents' knowledge."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mash import audit
from mash.claims import claim
from mash.clock import WorkingCalendar
from mash.decisions import record_decision, review_decision
from mash.describe import CHECK_OVERDUE, rank_reasons
from mash.models import AgencyCheck, AuditEvent, Contact
from mash.screening import (
    CheckSettings,
    ask_check,
    authorise_check,
    chase_check,
    is_overdue,
    overdue_check_contacts,
    parse_due_times,
    record_response,
)
from mash.staff import StaffError
from portal.config import ConfigError, Settings
from store.db import make_engine, make_sessionmaker
from tests.staff_support import create_contact, create_staff, sign_in

LONDON = ZoneInfo("Europe/London")
CALENDAR = WorkingCalendar()
CHRISTMAS_EVE = dt.datetime(2026, 12, 24, 15, 0, tzinfo=LONDON)  # a Thursday; Fri 25 and Mon 28 are bank holidays


@pytest.fixture
def team(db_session):
    practitioner, _ = create_staff(db_session)
    manager, _ = create_staff(db_session, role="manager")
    other_manager, _ = create_staff(db_session, role="manager")
    return practitioner, manager, other_manager


def claimed_contact(session, user, **overrides):
    contact = create_contact(session, **overrides)
    assert claim(session, contact.id, user)
    session.commit()
    session.refresh(contact)
    return contact


def told_contact(session, user):
    """A contact whose referrer said the parents have been told."""
    return claimed_contact(session, user, parents_told="yes", parents_not_told_reason=None)


def ask(session, contact, user, **kw):
    args = dict(agency="police", question="Any call-outs to the address?", without_parents_knowledge=False,
                version=contact.version)
    args.update(kw)
    return ask_check(session, contact, user, **args)


def decide(session, contact, user):
    return record_decision(session, contact, user, outcome="strategy_s47", level=4,
                           rationale="Disclosure of physical harm by an adult at home.", sharing_decision="share",
                           sharing_reason="Significant harm.", primary_need="N1", version=contact.version)


# Due times ---------------------------------------------------------------------------------------------------------

def test_due_times_skip_christmas_and_boxing_day():
    settings = CheckSettings()
    police = settings.due_after("police", CHRISTMAS_EVE, CALENDAR)
    assert police == dt.datetime(2026, 12, 29, 11, 0, tzinfo=LONDON)  # 2h on Thursday, 2h on Tuesday
    for agency in ("health", "education", "housing", "other"):
        assert settings.due_after(agency, CHRISTMAS_EVE, CALENDAR) == dt.datetime(2026, 12, 29, 15, 0, tzinfo=LONDON)
    assert settings.due_time("police").words == "4 office hours"
    assert settings.due_time("probation").words == "1 working day"


def test_a_check_asked_on_christmas_eve_is_due_after_the_bank_holidays(db_session, team):
    contact = told_contact(db_session, team[0])
    assert claim(db_session, contact.id, team[0], now=CHRISTMAS_EVE)
    db_session.commit()
    db_session.refresh(contact)
    check = ask(db_session, contact, team[0], now=CHRISTMAS_EVE.astimezone(dt.UTC))
    db_session.commit()
    assert check.due_at == dt.datetime(2026, 12, 29, 11, 0, tzinfo=LONDON)
    assert check.without_parents_knowledge is False and check.status == "asked"


def test_the_due_times_are_a_validated_setting():
    assert Settings().checks.due_time("police").office_hours == 4
    custom = Settings(check_due_times=("police=2h", "health=2d", "default=3d")).checks
    assert custom.due_time("health").working_days == 2 and custom.due_time("housing").working_days == 3
    for bad, words in ((("police=4x", "default=1d"), "must be like police=4h"),
                       (("nobody=1d", "default=1d"), "unknown agency"),
                       (("police=4h", "police=2h", "default=1d"), "twice"),
                       (("police=0h", "default=1d"), "positive"),
                       (("health=1.5d", "default=1d"), "whole number"),
                       (("police=4h",), "must give a default")):
        with pytest.raises(ConfigError, match=words):
            Settings(check_due_times=bad)
    assert parse_due_times(("POLICE=4h", " default=1d "))[1] == []


def test_a_check_without_the_parents_knowledge_is_due_from_its_authorisation(db_session, team):
    practitioner, manager, _ = team
    contact = claimed_contact(db_session, practitioner)  # the referrer said the parents have not been told
    assert claim(db_session, contact.id, practitioner, now=CHRISTMAS_EVE - dt.timedelta(days=1))
    db_session.commit()
    db_session.refresh(contact)
    check = ask(db_session, contact, practitioner, now=CHRISTMAS_EVE - dt.timedelta(days=1))
    assert check.status == "awaiting_authorisation" and check.due_at is None
    authorise_check(db_session, check, manager, reason="Telling them could put the child at risk.",
                    now=CHRISTMAS_EVE)
    assert check.due_at == dt.datetime(2026, 12, 29, 11, 0, tzinfo=LONDON)


# Overdue and chasing -----------------------------------------------------------------------------------------------

def test_an_overdue_check_is_flagged_and_chasing_moves_it_on(db_session, team):
    practitioner = team[0]
    contact = told_contact(db_session, practitioner)
    asked = dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)  # a Tuesday
    check = ask(db_session, contact, practitioner, agency="health", now=asked,
                contact_details={"contact_name": "  Sam   Nurse ", "contact_role": "Health visitor",
                                 "contact_details": "sam.nurse@nhs.test"})
    db_session.commit()
    assert check.contact_name == "Sam Nurse" and check.contact_details == "sam.nurse@nhs.test"
    due = dt.datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)
    assert check.due_at == due
    assert not is_overdue(check, due) and is_overdue(check, due + dt.timedelta(minutes=1))
    assert overdue_check_contacts(db_session, [contact.id], due + dt.timedelta(minutes=1)) == {contact.id}
    assert overdue_check_contacts(db_session, [contact.id], due) == set()

    chased = due + dt.timedelta(hours=2)  # 11:00 on Wednesday
    assert claim(db_session, contact.id, practitioner, now=chased)
    db_session.commit()
    db_session.refresh(contact)
    chase_check(db_session, check, practitioner, version=contact.version, now=chased)
    db_session.commit()
    assert check.chased_at == chased and check.chased_by_id == practitioner.id and check.chase_count == 1
    assert check.due_at == dt.datetime(2026, 12, 3, 11, 0, tzinfo=LONDON)  # health's interval from the chase
    assert not is_overdue(check, chased)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "check.chased")).one()
    assert event.actor == f"staff:{practitioner.id}" and event.details["chase"] == 1
    # Personal data stays out of the trail: the person asked is not in it.
    assert "Sam" not in str(event.details) and "nhs.test" not in str(event.details)
    assert audit.verify(db_session).ok


def test_a_named_contact_must_be_short(db_session, team):
    contact = told_contact(db_session, team[0])
    with pytest.raises(StaffError, match="name must be 200 characters"):
        ask(db_session, contact, team[0], contact_details={"contact_name": "x" * 201})


def test_the_queue_says_check_overdue():
    assert rank_reasons(["level4_indicator"], "red", check_overdue=True)[:2] == [
        "A specialist-help (level 4) concern", CHECK_OVERDUE]
    assert rank_reasons([], "green", check_overdue=True) == ["No risk flagged: green", CHECK_OVERDUE]
    assert CHECK_OVERDUE not in rank_reasons(["level4_indicator"], "red")


def test_the_queue_and_the_contact_page_show_an_overdue_check(app, db_session):
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")
    contact = told_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner, agency="health")
    check.due_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    db_session.commit()
    pat = app.test_client()
    sign_in(pat, practitioner, secret)
    queue = pat.get("/staff/queue").get_data(as_text=True)
    assert CHECK_OVERDUE in queue
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "1 check is overdue" in page and "Overdue" in page and "I have chased the agency" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = pat.post(f"/staff/contacts/{contact.id}/checks/{check.id}/chase", data={"version": version})
    assert response.location.endswith(f"#check-{check.id}")
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Chase recorded" in page and "Chased" in page and "1 time, last at" in page
    assert "check is overdue" not in page


# Responses until the contact closes, and two at once ---------------------------------------------------------------

def test_a_check_authorised_after_the_decision_can_still_be_answered(app, db_session):
    practitioner, p_secret = create_staff(db_session, name="Pat Practitioner")
    manager, m_secret = create_staff(db_session, role="manager", name="Morgan Manager")
    other, o_secret = create_staff(db_session, role="manager", name="Olu Other")
    contact = claimed_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner, agency="health", question="Known to the health visitor?")
    db_session.commit()
    decide(db_session, contact, practitioner)
    db_session.commit()
    assert contact.status == "awaiting_signoff" and contact.claimed_by_id is None

    morgan, pat = app.test_client(), app.test_client()
    sign_in(morgan, manager, m_secret)
    sign_in(pat, practitioner, p_secret)
    morgan.post(f"/staff/contacts/{contact.id}/checks/{check.id}/authorise",
                data={"reason": "Telling them could put the child at risk."})
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Save response" in page  # nobody holds a decided contact: the box is there for the team
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    pat.post(f"/staff/contacts/{contact.id}/checks/{check.id}/response",
             data={"response": "Seen at clinic last week; no concerns noted.", "version": version})
    db_session.expire_all()
    check = db_session.get(AgencyCheck, check.id)
    assert check.response == "Seen at clinic last week; no concerns noted."
    assert check.response_recorded_by_id == practitioner.id and check.responded_at is not None
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Answered" in page and "by Pat Practitioner" in page

    # Signed off, the contact is closed: no more answers, and the page no longer offers the box.
    olu = app.test_client()
    sign_in(olu, other, o_secret)
    page = olu.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    olu.post(f"/staff/contacts/{contact.id}/decisions/{contact.decisions[0].id}/review",
             data={"review": "approve", "version": version})
    db_session.expire_all()
    assert db_session.get(Contact, contact.id).closed_at is not None


def test_no_response_after_the_contact_closes(db_session, team):
    practitioner, manager, _ = team
    contact = told_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner)
    db_session.commit()
    decision = decide(db_session, contact, practitioner)
    db_session.commit()
    review_decision(db_session, decision, manager, approve=True, comments=None, version=contact.version,
                    outstanding_reason="The strategy discussion will hear from the police directly.")
    db_session.commit()
    with pytest.raises(StaffError, match="contact is closed"):
        record_response(db_session, check, practitioner, response="Late answer", version=contact.version)
    with pytest.raises(StaffError, match="contact is closed"):
        chase_check(db_session, check, practitioner, version=contact.version)


def test_while_screening_only_the_holder_records_a_response(db_session, team):
    from mash.claims import NotYours

    practitioner, manager, _ = team
    contact = told_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner)
    db_session.commit()
    with pytest.raises(NotYours):
        record_response(db_session, check, manager, response="x", version=contact.version)


def test_two_responses_at_once_keep_the_first_and_say_so(database_url, db_session, team):
    practitioner = team[0]
    contact = told_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner)
    db_session.commit()
    version = contact.version
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as first, make_sessionmaker(engine)() as second:
            # Both people opened the page, so both sessions hold the check unanswered.
            a = first.get(AgencyCheck, check.id)
            b = second.get(AgencyCheck, check.id)
            assert a.response is None and b.response is None
            _ = a.contact.version, b.contact.version
            user_a = first.merge(practitioner)
            user_b = second.merge(practitioner)
            record_response(first, a, user_a, response="Two call-outs in October.", version=version)
            first.commit()
            with pytest.raises(StaffError, match="recorded this check's response at .* so yours was not saved"):
                record_response(second, b, user_b, response="No call-outs.", version=version)
            second.rollback()
    finally:
        engine.dispose()
    db_session.expire_all()
    kept = db_session.get(AgencyCheck, check.id)
    assert kept.response == "Two call-outs in October."
    assert len(db_session.scalars(select(AuditEvent).where(AuditEvent.event == "check.returned")).all()) == 1


def test_a_double_submitted_response_gets_a_clear_message(app, db_session):
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")
    contact = told_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner)
    db_session.commit()
    pat = app.test_client()
    sign_in(pat, practitioner, secret)
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    url = f"/staff/contacts/{contact.id}/checks/{check.id}/response"
    assert pat.post(url, data={"response": "First answer.", "version": version}).status_code == 302
    response = pat.post(url, data={"response": "Second answer.", "version": version})
    assert response.status_code == 302
    page = pat.get(response.location).get_data(as_text=True)
    assert "Pat Practitioner recorded this check&#39;s response at" in page and "yours was not saved" in page
    db_session.expire_all()
    assert db_session.get(AgencyCheck, check.id).response == "First answer."


# Sign-off --------------------------------------------------------------------------------------------------------

def test_sign_off_is_refused_while_a_check_is_outstanding_unless_the_manager_says_why(db_session, team):
    practitioner, manager, other = team
    contact = claimed_contact(db_session, practitioner)
    police = ask(db_session, contact, practitioner)  # the parents were not told: awaiting authorisation
    db_session.commit()
    decision = decide(db_session, contact, practitioner)
    db_session.commit()
    with pytest.raises(StaffError, match=r"1 check is still outstanding: Police \(awaiting authorisation\)"):
        review_decision(db_session, decision, manager, approve=True, comments=None, version=contact.version)
    authorise_check(db_session, police, other, reason="Telling them could put the child at risk.")
    db_session.commit()
    with pytest.raises(StaffError, match=r"Police \(awaiting an answer\).*enter why"):
        review_decision(db_session, decision, manager, approve=True, comments=None, version=contact.version,
                        outstanding_reason="   ")
    # Returning it needs no reason about the checks.
    review_decision(db_session, decision, manager, approve=True, comments="Agreed.", version=contact.version,
                    outstanding_reason="Police will attend the strategy discussion with their records.")
    db_session.commit()
    assert decision.status == "signed_off"
    assert "Police will attend the strategy discussion" in decision.manager_comments
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "decision.signed_off")).one()
    assert event.reason == "signed off with checks outstanding, with the manager's reason"
    assert event.details["outstanding_checks"] == ["Police (awaiting an answer)"]
    assert "strategy discussion" not in (event.reason or "")  # the manager's words stay encrypted
    assert audit.verify(db_session).ok


def test_sign_off_goes_through_when_every_check_is_answered_and_a_return_needs_no_reason(db_session, team):
    practitioner, manager, _ = team
    contact = told_contact(db_session, practitioner)
    check = ask(db_session, contact, practitioner)
    db_session.commit()
    record_response(db_session, check, practitioner, response="None known.", version=contact.version)
    db_session.commit()
    decision = decide(db_session, contact, practitioner)
    db_session.commit()
    review_decision(db_session, decision, manager, approve=True, comments=None, version=contact.version)
    db_session.commit()
    assert decision.status == "signed_off"
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.event == "decision.signed_off")).one().reason \
        is None


def test_a_return_with_a_check_outstanding_needs_no_reason(db_session, team):
    practitioner, manager, _ = team
    contact = told_contact(db_session, practitioner)
    ask(db_session, contact, practitioner)
    db_session.commit()
    decision = decide(db_session, contact, practitioner)
    db_session.commit()
    review_decision(db_session, decision, manager, approve=False, comments="Wait for the police.",
                    version=contact.version)
    assert decision.status == "returned"


def test_the_sign_off_form_asks_for_the_reason_and_refuses_without_it(app, db_session):
    practitioner, _ = create_staff(db_session, name="Pat Practitioner")
    manager, secret = create_staff(db_session, role="manager", name="Morgan Manager")
    contact = told_contact(db_session, practitioner)
    ask(db_session, contact, practitioner, agency="education")
    db_session.commit()
    decision = decide(db_session, contact, practitioner)
    db_session.commit()
    morgan = app.test_client()
    sign_in(morgan, manager, secret)
    page = morgan.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Still outstanding: Education (awaiting an answer)" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    url = f"/staff/contacts/{contact.id}/decisions/{decision.id}/review"
    page = morgan.get(morgan.post(url, data={"review": "approve", "version": version}).location).get_data(as_text=True)
    assert "1 check is still outstanding: Education (awaiting an answer)" in page
    morgan.post(url, data={"review": "approve", "version": version,
                           "outstanding_reason": "The school is closed for the holidays; the decision stands."})
    db_session.expire_all()
    assert db_session.get(Contact, contact.id).status == "decided"


# Without the parents' knowledge ------------------------------------------------------------------------------------

def test_a_check_is_without_the_parents_knowledge_only_when_ticked_or_the_record_says_not_told(db_session, team):
    practitioner = team[0]
    # The bug: a health check showed "without the parents' knowledge" though the box was not ticked, because any
    # answer but "yes" (no answer at all, as on a police-routed contact, or "I do not know") was read as "not told".
    contact = told_contact(db_session, practitioner)
    contact.consent.parents_told = None  # the referral did not say
    db_session.commit()
    health = ask(db_session, contact, practitioner, agency="health")
    assert not health.without_parents_knowledge and health.without_knowledge_from is None
    assert health.status == "asked"
    db_session.commit()
    contact.consent.parents_told = "not_known"
    db_session.commit()
    assert not ask(db_session, contact, practitioner, agency="education").without_parents_knowledge
    db_session.commit()
    ticked = ask(db_session, contact, practitioner, agency="police", without_parents_knowledge=True)
    assert ticked.without_parents_knowledge and ticked.without_knowledge_from == "ticked"
    db_session.commit()

    # The record says "no": every check is without their knowledge, and the check says that is why.
    not_told = claimed_contact(db_session, practitioner)
    check = ask(db_session, not_told, practitioner, agency="health")
    assert check.without_parents_knowledge and check.without_knowledge_from == "record"
    db_session.commit()
    # The practitioner's own record comes first: once the parents are told, checks are made with their knowledge.
    not_told.parents_informed = "yes"
    db_session.commit()
    assert not ask(db_session, not_told, practitioner, agency="housing").without_parents_knowledge


def test_the_page_says_why_a_check_is_without_the_parents_knowledge(app, db_session):
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")
    told = told_contact(db_session, practitioner)
    ask(db_session, told, practitioner, agency="health")
    db_session.commit()
    not_told = claimed_contact(db_session, practitioner)
    ask(db_session, not_told, practitioner, agency="health")
    db_session.commit()
    pat = app.test_client()
    sign_in(pat, practitioner, secret)
    page = pat.get(f"/staff/contacts/{told.id}").get_data(as_text=True)
    checks = page[page.index('id="checks"'):page.index('id="decision"')]
    assert "Without the parents&#39; knowledge" not in checks
    page = pat.get(f"/staff/contacts/{not_told.id}").get_data(as_text=True)
    checks = page[page.index('id="checks"'):page.index('id="decision"')]
    assert "Without the parents&#39; knowledge (the record says the parents have not been told)" in checks


def test_the_contact_page_shows_the_person_asked_and_the_due_time(app, db_session):
    practitioner, secret = create_staff(db_session, name="Pat Practitioner")
    contact = told_contact(db_session, practitioner)
    pat = app.test_client()
    sign_in(pat, practitioner, secret)
    page = pat.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "The answer is due back within Police 4 office hours; others 1 working day." in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = pat.post(f"/staff/contacts/{contact.id}/checks", data={
        "agency": "police", "question": "Any call-outs?", "contact_name": "PC Dana Shaw", "contact_role": "MASH police",
        "contact_details": "0118 496 0123", "version": version})
    page = pat.get(response.location).get_data(as_text=True)
    assert "Check recorded." in page and "PC Dana Shaw, MASH police, 0118 496 0123" in page
    assert "(4 office hours)" in page and "Awaiting an answer" in page
    check = db_session.scalars(select(AgencyCheck)).one()
    assert check.contact_name == "PC Dana Shaw" and check.due_at is not None


def test_checks_recorded_before_due_times_migrate_with_no_due_time(tmp_path):
    from sqlalchemy import text

    from store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0020")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO staff_users (email, name, role, password_hash, totp_secret, totp_last_step, "
                          "failed_attempts, active, created_at) VALUES ('p@council.test', 'x', 'practitioner', 'x', "
                          "'x', 0, 0, 1, '2026-11-27 10:00:00')"))
        conn.execute(text("INSERT INTO contacts (reference, kind, channel, status, received_at, decision_due_at, rag, "
                          "risk_rank, safety_flags, concern_categories, referral_source, referrer_type, "
                          "referrer_anonymous, answers, journey, version) VALUES ('FD-2026-000001', 'concern', "
                          "'web', 'new', '2026-11-27 10:00:00', '2026-11-30 10:00:00', 'red', 0, '[]', '[]', '2A', "
                          "'professional', 0, 'x', 'report', 1)"))
        conn.execute(text("INSERT INTO agency_checks (contact_id, agency, question, requested_at, requested_by_id, "
                          "without_parents_knowledge) VALUES (1, 'police', 'x', '2026-11-27 11:00:00', 1, 1)"))
    upgrade(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT due_at, chase_count, chased_at, without_knowledge_from, contact_name "
                                "FROM agency_checks")).one()
    engine.dispose()
    assert tuple(row) == (None, 0, None, None, None)  # no due time recorded: never flagged overdue on a guess
