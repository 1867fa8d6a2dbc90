"""`frontdoor export cin-referrals`: the Children in Need referral items as CSV, recorded in the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pyotp
import pytest
from sqlalchemy import delete, select

from forms import examples
from forms.referral import HELP, REPORT
from mash import audit
from mash.cin import COLUMNS, cin_referrals, parse_day, write_csv
from mash.intake import receive_referral
from mash.models import AuditEvent, Contact, Decision, RepeatMatch
from mash.staff import create_user
from portal.cli import cli
from store.db import make_engine, make_sessionmaker

LONDON = ZoneInfo("Europe/London")


def receive(session, received_at: dt.datetime, *, journey=REPORT, answers=None) -> Contact:
    answers = answers or examples.professional_concern()
    referral, problems = journey.validate(answers, today=received_at.astimezone(LONDON).date())
    assert problems == []
    contact = receive_referral(session, referral, channel="web", actor="public:web", received_at=received_at)
    session.flush()
    return contact


def decide(session, contact: Contact, user, *, status: str, nfa: bool, primary_need: str,
           outcome: str = "nfa_advice", level: int = 1) -> None:
    session.add(Decision(contact_id=contact.id, decided_by_id=user.id, decided_at=contact.received_at
                         + dt.timedelta(hours=2), outcome=outcome, level=level, rationale="Rationale.",
                         sharing_decision="share", sharing_reason="Reason.", primary_need=primary_need, nfa=nfa,
                         status=status))
    session.flush()


def build_referrals(s) -> dict[str, Contact]:
    """November 2026 and the moments either side of it, in London time."""
    user = create_user(s, email="pat@council.test", name="Pat", role="practitioner", password="a-long-password-1",
                       totp_secret=pyotp.random_base32()).user
    c = {
        "before": receive(s, dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=LONDON)),
        "first": receive(s, dt.datetime(2026, 11, 1, 0, 0, tzinfo=LONDON)),
        "help": receive(s, dt.datetime(2026, 11, 10, 9, 30, tzinfo=LONDON), journey=HELP,
                        answers=examples.family_help_request()),
        "public": receive(s, dt.datetime(2026, 11, 20, 14, 0, tzinfo=LONDON), answers=examples.public_concern()),
        "last": receive(s, dt.datetime(2026, 11, 30, 23, 59, tzinfo=LONDON)),
        "after": receive(s, dt.datetime(2026, 12, 1, 0, 0, tzinfo=LONDON)),
    }
    s.execute(delete(RepeatMatch))
    decide(s, c["first"], user, status="signed_off", nfa=False, primary_need="N1", outcome="strategy_s47", level=4)
    decide(s, c["help"], user, status="returned", nfa=True, primary_need="N0")
    decide(s, c["help"], user, status="signed_off", nfa=True, primary_need="N4", outcome="early_help", level=2)
    decide(s, c["public"], user, status="awaiting_signoff", nfa=True, primary_need="N9")
    s.commit()
    return c


@pytest.fixture
def referrals(db_session):
    return build_referrals(db_session)


def run(app, *args: str):
    return app.test_cli_runner().invoke(cli, ["export", "cin-referrals", *args])


def exports(session) -> list[AuditEvent]:
    session.rollback()  # see what the command committed
    return list(session.scalars(select(AuditEvent).where(AuditEvent.event == "export.cin").order_by(AuditEvent.seq)))


EXPECTED = [
    # reference, ReferralDate, ReferralSource, ReferralNFA, PrimaryNeedCode
    ["FD-2026-000002", "2026-11-01", "2A", "0", "N1"],  # signed off
    ["FD-2026-000003", "2026-11-10", "1A", "1", "N4"],  # the signed-off decision, not the returned one
    ["FD-2026-000004", "2026-11-20", "9", "", ""],  # awaiting sign-off: not yet decided for the census
    ["FD-2026-000005", "2026-11-30", "2A", "", ""],  # no decision
]


def test_rows_for_a_date_range_are_inclusive_in_london_time(db_session, referrals):
    rows = cin_referrals(db_session, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [[row[column] for column in COLUMNS] for row in rows] == EXPECTED
    assert cin_referrals(db_session, dt.date(2026, 11, 30), dt.date(2026, 11, 30))[0]["reference"] == "FD-2026-000005"
    assert cin_referrals(db_session, dt.date(2026, 11, 2), dt.date(2026, 11, 9)) == []


def test_summer_time_referral_dates(db_session):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    receive(db_session, dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))
    db_session.commit()
    rows = cin_referrals(db_session, dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    assert [row["ReferralDate"] for row in rows] == ["2026-07-01"]
    assert cin_referrals(db_session, dt.date(2026, 6, 30), dt.date(2026, 6, 30)) == []


def test_the_csv_has_a_header_and_no_personal_data(db_session, referrals):
    buffer = io.StringIO()
    assert write_csv(cin_referrals(db_session, dt.date(2026, 11, 1), dt.date(2026, 11, 30)), buffer) == 4
    text = buffer.getvalue()
    assert text.splitlines()[0] == "reference,ReferralDate,ReferralSource,ReferralNFA,PrimaryNeedCode"
    for personal in ("Jayden", "Morris", "Priya", "Sam Taylor", "Elm Road"):
        assert personal not in text


def test_the_command_writes_csv_to_standard_output_and_records_the_export(app, db_session, referrals):
    result = run(app, "--from", "2026-11-01", "--to", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [list(COLUMNS), *EXPECTED]
    [event] = exports(db_session)
    assert event.actor == "system:cli" and event.contact_id is None
    assert event.details == {"from": "2026-11-01", "to": "2026-11-30", "rows": 4}
    assert audit.verify(db_session).ok


def test_the_command_writes_to_a_file_and_names_the_actor(app, db_session, referrals, tmp_path):
    target = tmp_path / "cin.csv"
    result = run(app, "--from", "2026-11-10", "--to", "2026-11-20", "--output", str(target),
                 "--actor", "staff:7")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 referral(s)" in result.stderr and result.stdout == ""
    assert list(csv.reader(target.open(newline=""))) == [list(COLUMNS), *EXPECTED[1:3]]
    [event] = exports(db_session)
    assert event.actor == "staff:7" and event.details == {"from": "2026-11-10", "to": "2026-11-20", "rows": 2}


def test_an_empty_range_is_a_header_and_still_recorded(app, db_session):
    result = run(app, "--from", "2020-01-01", "--to", "2020-01-31")
    assert result.exit_code == 0 and result.stdout.splitlines() == [",".join(COLUMNS)]
    assert exports(db_session)[0].details["rows"] == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-11-31", "--to", "2026-12-01"], "2026-11-31 is not a real date"),
    (["--from", "30/11/2026", "--to", "2026-12-01"], "not a date in the form YYYY-MM-DD"),
    (["--from", "2026-11-01", "--to", "20261130"], "not a date in the form YYYY-MM-DD"),
    (["--from", "2026-12-01", "--to", "2026-11-01"], "the start date 2026-12-01 is after the end date 2026-11-01"),
    (["--from", "2026-11-01"], "Missing option '--to'"),
])
def test_bad_dates_get_a_clear_message_and_no_export(app, db_session, args, message):
    result = run(app, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert exports(db_session) == []


def test_a_file_that_cannot_be_written_is_an_error_and_no_export(app, db_session, referrals, tmp_path):
    result = run(app, "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(tmp_path / "no" / "cin.csv"))
    assert result.exit_code == 1 and "could not write" in result.stderr
    assert exports(db_session) == []


def test_parse_day():
    assert parse_day(" 2026-02-28 ") == dt.date(2026, 2, 28)
    for bad in ("2026-02-29", "2026-W09-1", "", "tomorrow"):
        with pytest.raises(ValueError):
            parse_day(bad)


@pytest.mark.slow
@pytest.mark.postgres
def test_the_same_rows_on_postgres(pg_url):
    engine = make_engine(pg_url)
    try:
        with make_sessionmaker(engine)() as session:
            build_referrals(session)
            rows = cin_referrals(session, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    finally:
        engine.dispose()
    assert [[row[column] for column in COLUMNS] for row in rows] == EXPECTED
