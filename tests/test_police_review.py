"""The issue 6 review: households and children matched strongly, counts that follow late arrivals, resends that
carry news, CSV files that break, a green clock never before amber, early-help consent, timeliness, partner tokens."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from mash import audit, missing, police, stats
from mash.claims import claim
from mash.models import (
    AuditEvent,
    DomesticAbuseNotification,
    MissingEpisode,
    PolicePartner,
    ReturnInterview,
    TriageMeeting,
)
from mash.police import ChildDecision, contract
from mash.staff import StaffError
from portal.cli import cli
from tests.police_support import LONDON, NOW, da, receive
from tests.police_support import missing as episode_data
from tests.staff_support import create_contact, create_staff

ATTENDEES = [{"agency": "police"}, {"agency": "social_care"}]


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def stored(session, ident) -> DomesticAbuseNotification:
    return session.get(DomesticAbuseNotification, ident)


def child(first, last="Smith", dob="2018-03-03"):
    return {"first_name": first, "last_name": last, "date_of_birth": dob}


# 1. Households and children: a strong match or none ------------------------------------------------------------


@pytest.mark.parametrize("address", ["Flat {flat}, 10 High St, Reading", "10 High St, Flat {flat}, Reading"])
def test_three_flats_in_one_building_are_three_households(db_session, address):
    ids = [receive(db_session, da(address=address.format(flat=flat), postcode="RG1 1AA", children=[],
                                  occurred_at=f"2026-11-2{flat}T20:00")).id for flat in (1, 2, 3)]
    assert [stored(db_session, i).household_count for i in ids] == [1, 1, 1]
    assert all(stored(db_session, i).marac_flags == [] for i in ids)
    assert len({stored(db_session, i).household_index for i in ids}) == 3


def test_the_same_flat_number_in_two_buildings_is_two_households(db_session):
    a = receive(db_session, da(address="Flat 2, 10 High St", postcode="RG1 1AA", children=[]))
    b = receive(db_session, da(address="Flat 2, 14 High St", postcode="RG1 1AA", children=[]))
    c = receive(db_session, da(address="Flat 21, 0 High St", postcode="RG1 1AA", children=[]))  # same characters
    assert [stored(db_session, i.id).household_count for i in (a, b, c)] == [1, 1, 1]


def test_one_address_written_two_ways_is_one_household(db_session):
    receive(db_session, da(address="10 High St", postcode="RG1 1AA", children=[], occurred_at="2026-11-20T20:00"))
    again = receive(db_session, da(address="10, HIGH  STREET.", postcode="rg11aa", children=[]))
    assert stored(db_session, again.id).household_count == 2
    assert police.normalise_address("Flat 2, 10 High Street") == police.normalise_address("flat 2 10 high st.")
    assert police.normalise_address("3 Acacia Avenue") == police.normalise_address("3 Acacia Ave")
    assert police.normalise_address("3 Acacia Road") != police.normalise_address("3 Acacia Avenue")


def test_three_smith_children_born_on_one_day_at_different_addresses_are_three_children(db_session):
    ids = [receive(db_session, da(address=f"{n} Different Road", postcode=f"RG{n} 1AA", children=[child(first)],
                                  occurred_at=f"2026-11-2{n}T20:00")).id
           for n, first in ((1, "Amy"), (2, "Ben"), (3, "Cal"))]
    assert [stored(db_session, i).household_count for i in ids] == [1, 1, 1]
    assert all(stored(db_session, i).rag == "green" for i in ids)  # no false MARAC from three call-outs
    assert police.household_history(db_session, stored(db_session, ids[-1])) == []


def test_a_child_at_another_address_is_matched_only_on_first_last_name_and_birthday(db_session):
    first = receive(db_session, da(address="1 Old Road", postcode="RG1 1AA", children=[child("Amy")],
                                   occurred_at="2026-11-20T20:00"))
    same = receive(db_session, da(address="9 New Road", postcode="RG9 9ZZ", children=[child("amy", "SMITH")]))
    assert stored(db_session, same.id).household_count == 2
    assert [h.id for h in police.household_history(db_session, stored(db_session, same.id))] == [first.id]


def test_a_notification_is_routed_only_on_a_strong_match(db_session):
    contact = create_contact(db_session)  # Jayden Morris
    pat, _ = create_staff(db_session, name="Pat Practitioner")
    assert claim(db_session, contact.id, pat)
    db_session.commit()
    known = contact.children[0]
    sibling = receive(db_session, da(children=[
        {"first_name": "Kai", "last_name": known.last_name, "date_of_birth": known.date_of_birth}]))
    assert stored(db_session, sibling.id).routed_contact_id is None  # same surname and birthday, another child
    assert stored(db_session, sibling.id).routed_to_id is None


def test_missing_children_sharing_a_surname_and_birthday_are_counted_apart(db_session):
    for day, first in ((10, "Amy"), (12, "Ben"), (14, "Cal")):
        receive(db_session, episode_data(first_name=first, last_name="Smith", went=f"2026-11-{day}T18:00",
                                         returned=f"2026-11-{day + 1}T09:00"))
    episodes = db_session.scalars(select(MissingEpisode)).all()
    assert [e.episodes_in_window for e in episodes] == [1, 1, 1]
    assert not any(e.strategy_flag for e in episodes)


# 2. Counts and flags follow a late arrival -----------------------------------------------------------------------


def test_a_backlog_in_newest_first_order_flags_the_newest_notification(db_session):
    newest = receive(db_session, da(occurred_at="2026-11-20T20:00", children=[]))
    receive(db_session, da(occurred_at="2026-09-01T20:00", children=[]))
    assert stored(db_session, newest.id).household_count == 2
    receive(db_session, da(occurred_at="2026-03-01T20:00", children=[]))
    n = stored(db_session, newest.id)
    assert n.household_count == 3
    assert n.marac_flags == ["3+ police call-outs in 12 months"] and n.rag == "red"
    assert n.due_at == at(2026, 11, 25, 14, 0)  # red's 4 working hours from when it was received
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.household_recounted")).all()
    assert [(e.details["notification_id"], e.details["household_count"], e.details["rag"]) for e in events] == [
        (newest.id, 3, "red")]  # audited when the flags changed, not for every count
    assert audit.verify(db_session).ok


def test_a_late_arrival_does_not_rewrite_a_triaged_notification(db_session):
    pat, _ = create_staff(db_session)
    newest = stored(db_session, receive(db_session, da(occurred_at="2026-11-20T20:00")).id)
    police.record_triage_meeting(db_session, newest, pat, held_at=NOW, attendees=ATTENDEES,
                                 decisions=[ChildDecision(0, "no_further_action")], now=NOW)
    db_session.commit()
    receive(db_session, da(occurred_at="2026-09-01T20:00"))
    receive(db_session, da(occurred_at="2026-03-01T20:00"))
    assert stored(db_session, newest.id).household_count == 1  # what the meeting saw stands


def test_a_backlog_csv_in_newest_first_order_flags_marac(db_session):
    header = ",".join(police.CSV_COLUMNS)
    rows = [f'domestic_abuse,TVP/DA/B{i},{when},,,"12 Elm Road, Wokingham",RG40 1AA,,,standard,4,yes,x'
            for i, when in enumerate(("2026-11-20T20:00", "2026-09-01T20:00", "2026-03-01T20:00"))]
    report = police.import_csv(db_session, [header, *rows], source="csv:test", actor="test", now=NOW)
    assert report.created == 3 and report.errors == []
    newest = db_session.scalar(select(DomesticAbuseNotification).where(
        DomesticAbuseNotification.police_reference == "TVP/DA/B0"))
    assert newest.household_count == 3 and newest.rag == "red"
    assert audit.verify(db_session).ok


def test_missing_episodes_in_newest_first_order_raise_the_strategy_flag_on_the_newest(db_session):
    for day in (20, 15, 10):
        receive(db_session, episode_data(went=f"2026-11-{day}T18:00", returned=f"2026-11-{day + 1}T09:00"))
    newest = db_session.scalars(select(MissingEpisode).order_by(MissingEpisode.went_missing_at.desc())).first()
    assert newest.episodes_in_window == 3 and newest.strategy_flag
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.event == "missing.episodes_recounted")) == 3


# 3. A reference sent again: per partner, compared, a return applied ------------------------------------------------


def test_a_missing_episode_resent_with_its_return_opens_the_interview(db_session):
    first = receive(db_session, episode_data(reference="TVP/MP/9", returned=None))
    assert db_session.scalar(select(func.count()).select_from(ReturnInterview)) == 0
    again = receive(db_session, episode_data(reference="TVP/MP/9", returned="2026-11-24T09:00"))
    assert (again.id, again.created, again.updated, again.as_json()["status"]) == (first.id, False, True, "updated")
    e = db_session.get(MissingEpisode, first.id)
    assert e.return_kind == "found" and e.interview.due_at == at(2026, 11, 27, 9, 0)
    names = [ev.event for ev in db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert names[-2:] == ["missing.returned", "police.notification_updated"]
    replay = receive(db_session, episode_data(reference="TVP/MP/9", returned="2026-11-24T09:00"))
    assert not replay.created and not replay.updated
    stale = receive(db_session, episode_data(reference="TVP/MP/9", returned=None))  # the first message, late
    assert not stale.created and not stale.updated
    with pytest.raises(police.ReferenceConflict, match="different return"):
        receive(db_session, episode_data(reference="TVP/MP/9", returned="2026-11-24T12:00"))
    with pytest.raises(police.ReferenceConflict, match="different details"):
        receive(db_session, episode_data(reference="TVP/MP/9", returned=None, summary="Another story"))


def test_two_partners_may_use_the_same_reference(db_session):
    one, _ = police.create_partner(db_session, "Thames Valley Police")
    two, _ = police.create_partner(db_session, "Hampshire Constabulary")
    db_session.commit()
    a = receive(db_session, da(reference="DA/1"), partner_id=one.id)
    b = receive(db_session, da(reference="DA/1", address="1 Other Road"), partner_id=two.id)
    assert a.created and b.created and a.id != b.id
    origins = sorted(db_session.scalars(select(DomesticAbuseNotification.origin)))
    assert origins == [f"partner:{one.id}", f"partner:{two.id}"]


URL = "/api/police/notifications"


def test_the_api_applies_a_return_and_refuses_a_changed_resend_with_409(client, db_session):
    partner, token = police.create_partner(db_session, "Thames Valley Police")
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    went = yesterday.strftime("%Y-%m-%dT%H:%M")
    back = (yesterday + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    first = client.post(URL, json=episode_data(reference="TVP/MP/77", went=went, returned=None), headers=headers)
    assert first.status_code == 201
    found = client.post(URL, json=episode_data(reference="TVP/MP/77", went=went, returned=back), headers=headers)
    assert found.status_code == 200 and found.get_json()["status"] == "updated"
    assert db_session.scalar(select(func.count()).select_from(ReturnInterview)) == 1
    replay = client.post(URL, json=episode_data(reference="TVP/MP/77", went=went, returned=back), headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replay"] == "true"
    body = episode_data(reference="TVP/MP/77", went=went, returned=back, summary="Changed")
    conflict = client.post(URL, json=body, headers=headers)
    assert conflict.status_code == 409
    assert "already received with different details" in conflict.get_json()["message"]
    assert "Changed" not in conflict.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(PolicePartner, partner.id).last_used_at is not None  # 10. the token's last use


# 4. CSV files that break -------------------------------------------------------------------------------------------


HEADER = ",".join(police.CSV_COLUMNS)


def row(ref, address="1 Ash Road", summary="x"):
    return f'domestic_abuse,{ref},2026-11-20T21:00,,,"{address}",RG1 1AA,,,standard,3,yes,{summary}'


def test_an_unbalanced_quote_refuses_the_whole_file_by_its_line_and_stores_nothing(db_session):
    # The standard csv reader cannot tell what a runaway quote swallowed from the rows after it: the file is
    # refused whole, naming the line, rather than half imported.
    lines = [HEADER, row("R1"), 'domestic_abuse,R2,2026-11-20T21:00,,,"2 Ash Road,RG1 1AA,,,standard,3,yes,x',
             row("R3", "3 Ash Road"), row("R4", "4 Ash Road")]
    report = police.import_csv(db_session, [line + "\n" for line in lines], source="csv:test", actor="t", now=NOW)
    assert report.created == 0 and [line for line, _ in report.errors] == [3]
    assert "quoting rules" in report.errors[0][1] and "nothing in the file was imported" in report.errors[0][1]
    assert "Ash" not in report.errors[0][1]
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 0


def test_a_runaway_quote_at_the_end_is_reported_not_a_crash(db_session):
    text = "\n".join([HEADER, row("R1"), row("R2", "2 Ash Road"), 'domestic_abuse,R3,2026-11-20T21:00,,,'
                      '"3 Ash Road",RG1 1AA,,,standard,3,yes,"Shouting', "and more"]) + "\n"
    report = police.import_csv(db_session, police.read_upload(text.encode()), source="csv:test", actor="t",
                               now=NOW, batch=1)
    assert report.created == 0 and [line for line, _ in report.errors] == [4]
    assert "quoting rules" in report.errors[0][1]


def test_a_summary_may_run_over_lines_but_no_other_field_may(db_session):
    text = (HEADER + "\n" + row("R1", summary='"Shouting,\nthen quiet"') + "\n"
            + 'domestic_abuse,R2,2026-11-20T21:00,,,"2 Ash\nRoad",RG1 1AA,,,standard,3,yes,x\n' + row("R3") + "\n")
    report = police.import_csv(db_session, police.read_upload(text.encode()), source="csv:test", actor="t", now=NOW)
    assert report.created == 2 and [line for line, _ in report.errors] == [4]
    assert "runs over a line end" in report.errors[0][1] and "lines 4 to 5" in report.errors[0][1]
    n = db_session.scalar(select(DomesticAbuseNotification).where(DomesticAbuseNotification.police_reference == "R1"))
    assert n.summary == "Shouting,\nthen quiet"


def test_a_summary_that_swallows_the_rows_after_it_is_refused_not_stored(db_session):
    # An open quote in the summary closed by a later row's summary: the rows between would vanish into it.
    def plain(ref, summary="x"):  # no quoted address, so the open quote is the only one until the next row's
        return f"domestic_abuse,{ref},2026-11-20T21:00,,,1 Ash Road,RG1 1AA,,,standard,3,yes,{summary}"

    text = (HEADER + "\n" + plain("R1", summary='"Shouting') + "\n" + plain("R2") + "\n"
            + plain("R3", summary='quiet"') + "\n" + plain("R4") + "\n")
    report = police.import_csv(db_session, police.read_upload(text.encode()), source="csv:test", actor="t", now=NOW)
    assert [line for line, _ in report.errors] == [2] and "swallow" in report.errors[0][1]
    refs = set(db_session.scalars(select(DomesticAbuseNotification.police_reference)))
    assert refs == {"R4"}


def test_a_reference_stored_at_the_same_moment_counts_as_held(db_session, monkeypatch):
    receive(db_session, da(reference="R1"))  # as if the API stored it while the file was being read
    real = contract._held
    monkeypatch.setattr(contract, "_held", lambda session, kind, ref, origin: None if ref == "R1" else real(
        session, kind, ref, origin))
    report = police.import_csv(db_session, [HEADER, row("R1"), row("R2", "2 Ash Road")], source="csv:test",
                               actor="t", now=NOW)
    assert (report.created, report.duplicates, report.errors) == (1, 1, [])
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 2
    assert audit.verify(db_session).ok


# 6. Police clocks by risk: red 4 office hours, amber the next working day, green 3 working days -------------------

# Friday 29 May 2026 comes before the late-May bank holiday (Monday 25 May is the holiday in 2026; the summer one is
# Monday 31 August): both weekends are crossed here, each against the others.
MAY_BANK_HOLIDAY_WEEKEND = [
    # received,               red,                    amber,                  green
    (at(2026, 5, 22, 15, 0), at(2026, 5, 26, 11, 0), at(2026, 5, 26, 15, 0), at(2026, 5, 28, 15, 0)),
    (at(2026, 5, 23, 11, 0), at(2026, 5, 26, 13, 0), at(2026, 5, 27, 9, 0), at(2026, 5, 29, 9, 0)),
    (at(2026, 5, 25, 10, 0), at(2026, 5, 26, 13, 0), at(2026, 5, 27, 9, 0), at(2026, 5, 29, 9, 0)),
    (at(2026, 8, 28, 16, 30), at(2026, 9, 1, 12, 30), at(2026, 9, 1, 16, 30), at(2026, 9, 3, 16, 30)),
    (at(2026, 8, 28, 18, 0), at(2026, 9, 1, 13, 0), at(2026, 9, 2, 9, 0), at(2026, 9, 4, 9, 0)),
    (at(2026, 11, 25, 10, 0), at(2026, 11, 25, 14, 0), at(2026, 11, 26, 10, 0), at(2026, 11, 30, 10, 0)),
]


@pytest.mark.parametrize(("received", "red", "amber", "green"), MAY_BANK_HOLIDAY_WEEKEND)
def test_police_clocks_across_a_bank_holiday_weekend(received, red, amber, green):
    calendar, settings = police.DEFAULT_CALENDAR, police.DEFAULT_SETTINGS
    due = {rag: police.due_for(rag, received, calendar, settings) for rag in ("red", "amber", "green")}
    assert due == {"red": red, "amber": amber, "green": green}
    assert due["red"] < due["amber"] < due["green"]  # never the same, never out of order


def test_red_amber_and_green_never_share_a_deadline_or_swap_at_any_arrival():
    calendar, settings = police.DEFAULT_CALENDAR, police.DEFAULT_SETTINGS
    moment = at(2026, 5, 21, 0, 0)
    while moment < at(2026, 6, 3, 0, 0):  # every quarter hour across the late-May bank holiday weekend
        red, amber, green = (police.due_for(rag, moment, calendar, settings) for rag in ("red", "amber", "green"))
        assert moment < red < amber < green, moment
        assert calendar.working_days_between(calendar.clock_start(moment).date(), amber.date()) == 1, moment
        moment += dt.timedelta(minutes=15)


def test_settings_that_would_let_colours_meet_are_named():
    office_day = police.DEFAULT_CALENDAR.office_day
    assert police.DEFAULT_SETTINGS.problems(office_day) == []
    assert "POLICE_RED_OFFICE_HOURS" in police.PoliceSettings(red_office_hours=8).problems(office_day)[0]
    assert "POLICE_AMBER_WORKING_DAYS" in police.PoliceSettings(amber_working_days=3).problems(office_day)[0]


# 7. Early-help consent: who, with parental responsibility; "to be sought" stays open ---------------------------


def test_consent_to_be_sought_keeps_the_notification_open_until_answered(db_session):
    pat, _ = create_staff(db_session)
    n = stored(db_session, receive(db_session, da()).id)
    police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES,
                                 decisions=[ChildDecision(0, "early_help_offer", consent="to_be_sought")], now=NOW)
    db_session.commit()
    assert n.status == "awaiting_consent" and n.closed_at is None and n.triaged_at == NOW
    assert [x.id for x in police.triage_page(db_session).notifications] == [n.id]  # still visible
    with pytest.raises(StaffError, match="already recorded"):
        police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES,
                                     decisions=[ChildDecision(0, "no_further_action")], now=NOW)
    with pytest.raises(StaffError, match="parental responsibility"):
        police.record_consent(db_session, n, pat, position=0, consent="given", consent_by="Uncle Ray",
                              consent_authority="no_parental_responsibility", now=NOW)
    later = NOW + dt.timedelta(days=1)
    police.record_consent(db_session, n, pat, position=0, consent="given", consent_by="Kelly Morris, mother",
                          consent_authority="parental_responsibility", now=later)
    db_session.commit()
    assert n.status == "triaged" and n.closed_at == later
    decision = db_session.scalars(select(TriageMeeting)).one().child_decisions[0]
    assert (decision["consent"], decision["consent_by"], decision["consent_authority"]) == (
        "given", "Kelly Morris, mother", "parental_responsibility")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.early_help_consent")).one()
    assert "Kelly" not in str(event.details)
    with pytest.raises(StaffError, match="No agreement is awaited"):
        police.record_consent(db_session, n, pat, position=0, consent="refused", consent_by="Kelly",
                              consent_authority="parental_responsibility", now=later)


def test_a_refusal_is_recorded_and_closes_the_notification(db_session):
    pat, _ = create_staff(db_session)
    n = stored(db_session, receive(db_session, da()).id)
    police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES,
                                 decisions=[ChildDecision(0, "early_help_offer", consent="to_be_sought")], now=NOW)
    police.record_consent(db_session, n, pat, position=0, consent="refused", consent_by="Dean Carter, father",
                          consent_authority="parental_responsibility", now=NOW)
    assert n.status == "triaged" and db_session.scalars(select(TriageMeeting)).one().child_decisions[0][
        "consent"] == "refused"


def test_the_consent_form_on_the_page(app, db_session):
    from tests.staff_support import sign_in

    pat, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, pat, secret)
    n = stored(db_session, receive(db_session, da(), now=dt.datetime.now(dt.UTC)).id)
    police.record_triage_meeting(db_session, n, pat, held_at=dt.datetime.now(dt.UTC), attendees=ATTENDEES,
                                 decisions=[ChildDecision(0, "early_help_offer", consent="to_be_sought")])
    db_session.commit()
    assert "Awaiting consent" in client.get("/staff/police").get_data(as_text=True)
    url = f"/staff/police/notifications/{n.id}"
    assert "Awaiting consent" in client.get(url).get_data(as_text=True)
    page = client.post(f"{url}/consent", data={"position": "0", "consent": "given", "consent_by": "Kelly, mother",
                                                "consent_authority": "parental_responsibility"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Early help agreement recorded" in page
    db_session.expire_all()
    assert stored(db_session, n.id).status == "triaged"


# 9. Timeliness: the meeting's time, late backlogs, and times that cannot be ---------------------------------------


def test_a_meeting_cannot_be_held_before_the_notification_arrived(db_session):
    pat, _ = create_staff(db_session)
    n = stored(db_session, receive(db_session, da()).id)
    with pytest.raises(StaffError, match="before the notification was received"):
        police.record_triage_meeting(db_session, n, pat, held_at=NOW - dt.timedelta(hours=2), attendees=ATTENDEES,
                                     decisions=[ChildDecision(0, "no_further_action")], now=NOW)


def test_triage_timeliness_uses_when_the_meeting_was_held_and_counts_overdue_backlog_as_late(db_session):
    pat, _ = create_staff(db_session)
    monday = at(2026, 11, 23, 10, 0)
    red = stored(db_session, receive(db_session, da(grade="high", ticks=16, occurred_at="2026-11-22T22:00"),
                                     now=monday).id)
    receive(db_session, da(grade="high", ticks=16, address="2 B St", children=[], occurred_at="2026-11-22T22:00"),
            now=monday)  # never triaged: due Monday 14:00, so late by now
    # Held at 13:00 (in time), typed in on Tuesday.
    police.record_triage_meeting(db_session, red, pat, held_at=at(2026, 11, 23, 13, 0), attendees=ATTENDEES,
                                 decisions=[ChildDecision(0, "no_further_action")], now=at(2026, 11, 24, 16, 0))
    db_session.commit()
    p = stats.police_figures(db_session, NOW)
    assert (p.triaged, p.triaged_on_time, p.untriaged_overdue) == (1, 1, 1)
    assert p.share_triaged_on_time == 0.5


def test_an_interview_cannot_be_offered_before_the_child_came_back(db_session):
    pat, _ = create_staff(db_session)
    e = db_session.get(MissingEpisode, receive(db_session, episode_data(returned="2026-11-24T09:00")).id)
    with pytest.raises(StaffError, match="before the child came back"):
        missing.record_interview_step(db_session, e.interview, pat, step="offered", at=at(2026, 11, 24, 8, 0),
                                      now=NOW)
    missing.record_interview_step(db_session, e.interview, pat, step="offered", at=at(2026, 11, 24, 9, 0), now=NOW)
    assert e.interview.status == "offered"


# 10. Partner tokens: deactivate and rotate, audited ----------------------------------------------------------------


def test_partners_can_be_deactivated_and_rotated_from_the_command_line(app, client, db_session):
    runner = app.test_cli_runner()
    created = runner.invoke(cli, ["partners", "create", "Thames Valley Police"])
    old = created.output.strip().splitlines()[-1]
    rotated = runner.invoke(cli, ["partners", "rotate", "Thames Valley Police"])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip().splitlines()[-1]
    assert new.startswith("fdp_") and new != old
    body = da(occurred_at=(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert client.post(URL, json=body, headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert client.post(URL, json=body, headers={"Authorization": f"Bearer {new}"}).status_code == 201
    assert runner.invoke(cli, ["partners", "deactivate", "Thames Valley Police"]).exit_code == 0
    assert client.post(URL, json=body, headers={"Authorization": f"Bearer {new}"}).status_code == 401
    again = runner.invoke(cli, ["partners", "deactivate", "Thames Valley Police"])
    assert again.exit_code != 0 and "already deactivated" in again.output
    assert runner.invoke(cli, ["partners", "rotate", "Nobody"]).exit_code != 0
    events = [e.event for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
              if e.event.startswith("police.partner")]
    assert events == ["police.partner_created", "police.partner_token_rotated", "police.partner_deactivated"]
    assert new not in str([e.details for e in db_session.scalars(select(AuditEvent))])


# 11. Error messages say what is wrong, not what was sent -----------------------------------------------------------


def test_errors_do_not_repeat_dates_of_birth_or_times():
    data = da(occurred_at="24/11/2026 22:15", children=[child("Amy", dob="03/03/2018")])
    with pytest.raises(police.NotificationError) as caught:
        police.validate(data, now=NOW)
    text = str(caught.value)
    assert "child 1's date_of_birth is not a date (use YYYY-MM-DD)" in text
    assert "occurred_at is not a date and time" in text
    assert "03/03/2018" not in text and "24/11/2026" not in text


# Minor: the lists page past 200 rows ------------------------------------------------------------------------------


def test_the_handover_list_pages_past_200(app, db_session, monkeypatch):
    from mash import handover
    from portal.staff import police as views
    from tests.staff_support import sign_in

    monkeypatch.setattr(views, "PAGE", 2)
    pat, secret = create_staff(db_session)
    for hour in range(5):
        handover.record_call(db_session, pat, received_at=at(2026, 11, 20 + hour, 1, 0), now=NOW,
                             values={"what_happened": "x"})
    db_session.commit()
    client = app.test_client()
    sign_in(client, pat, secret)
    pages = [client.get(f"/staff/handovers?page={n}").get_data(as_text=True) for n in range(3)]
    assert ["Next page" in p for p in pages] == [True, True, False]
    assert sum(p.count("/staff/handovers/") - p.count("/staff/handovers/new") for p in pages) == 5
