"""The police notifications API and the partner token CLI: 401s, idempotency, clear refusals, CSV import."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from mash import audit, police
from mash.models import AuditEvent, DomesticAbuseNotification, MissingEpisode, PolicePartner, ReturnInterview
from portal.cli import cli
from tests.police_support import da, missing

URL = "/api/police/notifications"


@pytest.fixture
def token(db_session):
    _, token = police.create_partner(db_session, "Thames Valley Police")
    db_session.commit()
    return token


def post(client, body, token):
    return client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


def recent(**kwargs):
    # The API checks "not in the future" against the real clock: use yesterday.
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return da(occurred_at=yesterday, **kwargs)


def test_a_partner_posts_a_notification(client, db_session, token):
    response = post(client, recent(reference="TVP/DA/100", grade="high", ticks=16), token)
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "domestic_abuse" and body["police_reference"] == "TVP/DA/100"
    n = db_session.get(DomesticAbuseNotification, body["id"])
    partner = db_session.scalars(select(PolicePartner)).one()
    assert n.rag == "red" and n.partner_id == partner.id and n.source == f"api:{partner.id}"


def test_the_same_reference_twice_is_stored_once_with_the_same_answer(client, db_session, token):
    first = post(client, recent(reference="TVP/DA/200"), token)
    second = post(client, recent(reference="TVP/DA/200"), token)
    assert (second.status_code, second.get_json()) == (first.status_code, first.get_json())
    assert second.headers["Idempotent-Replay"] == "true" and "Idempotent-Replay" not in first.headers
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 1


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer wrong-token", "Basic abc", "fdp_token-without-bearer"])
def test_a_missing_or_wrong_token_gets_401(client, db_session, token, header):
    headers = {"Authorization": header} if header else {}
    response = client.post(URL, json=recent(), headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 0


def test_a_deactivated_partner_gets_401(client, db_session, token):
    db_session.scalars(select(PolicePartner)).one().active = False
    db_session.commit()
    assert post(client, recent(), token).status_code == 401


def test_only_a_hash_of_the_token_is_stored(db_session, token):
    partner = db_session.scalars(select(PolicePartner)).one()
    assert token not in partner.token_hash and partner.token_hash == police.hash_token(token)
    assert len(token) > 40


def test_future_dates_and_unknown_dash_values_are_refused_clearly(client, db_session, token):
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    response = post(client, da(occurred_at=tomorrow, dash_grade="very high"), token)
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert "occurred_at is in the future" in problems
    assert "dash_grade must be standard, medium or high" in problems
    assert "very high" not in str(problems) and tomorrow[:10] not in str(problems)  # what is wrong, not the value
    assert post(client, ["not", "an", "object"], token).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 0


def test_a_missing_episode_through_the_api_opens_a_return_interview(client, db_session, token):
    now = dt.datetime.now(dt.UTC)
    went, back = (now - dt.timedelta(hours=30)).isoformat(), (now - dt.timedelta(hours=2)).isoformat()
    response = post(client, missing(went=went, returned=back), token)
    assert response.status_code == 201 and response.get_json()["kind"] == "missing"
    interview = db_session.scalars(select(ReturnInterview)).one()
    assert interview.due_at == dt.datetime.fromisoformat(back) + dt.timedelta(hours=72)


def test_the_api_never_logs_a_body(client, db_session, token, caplog):
    caplog.set_level("DEBUG")
    post(client, recent(summary="Secret-words-in-the-summary"), token)
    assert "Secret-words" not in caplog.text and "Morris" not in caplog.text


def test_partners_create_prints_the_token_once(app, db_session):
    result = app.test_cli_runner().invoke(cli, ["partners", "create", "Hampshire Constabulary"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("fdp_")
    assert police.partner_for_token(db_session, token).name == "Hampshire Constabulary"
    again = app.test_cli_runner().invoke(cli, ["partners", "create", "Hampshire Constabulary"])
    assert again.exit_code != 0 and "already exists" in again.output
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.partner_created")).one()


CSV_HEADER = ",".join(police.CSV_COLUMNS)


def test_a_csv_loads_the_good_rows_and_reports_bad_ones_by_line(app, db_session, tmp_path):
    rows = [
        CSV_HEADER,
        'domestic_abuse,TVP/DA/1,2026-11-20T21:00,,,"1 Ash Road, Reading",RG1 1AA,Kim Lee|victim,'
        'Tom|Lee|2018-01-02|witnessed,high,15,yes,Neighbours heard shouting',
        'domestic_abuse,TVP/DA/2,2026-11-20T21:00,,,"2 Ash Road, Reading",RG1 1AA,,,severe,5,yes,x',
        'missing,TVP/MP/1,2026-11-19T18:00,2026-11-20T08:00,found,"3 Ash Road",RG1 1AA,,Ann|Bell|2010-05-05,,,,',
        'domestic_abuse,TVP/DA/3,2099-01-01T00:00,,,"4 Ash Road",RG1 1AA,,,medium,11,no,x',
        'domestic_abuse,TVP/DA/1,2026-11-20T21:00,,,"1 Ash Road, Reading",RG1 1AA,Kim Lee|victim,'
        'Tom|Lee|2018-01-02|witnessed,high,15,yes,Neighbours heard shouting',
        'domestic_abuse,TVP/DA/4,2026-11-20T21:00,,,"5 Ash Road",RG1 1AA,,,medium,11,no,x,extra-cell',
        'domestic_abuse,TVP/DA/1,2026-11-20T21:00,,,"1 Ash Road, Reading",RG1 1AA,,,high,15,yes,again',
    ]
    path = tmp_path / "notifications.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["partners", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 notifications added, 1 already held, 4 rows refused" in result.output
    assert "line 3: dash_grade must be standard, medium or high" in result.output
    assert "line 5: occurred_at is in the future" in result.output
    assert "line 7: the row has more cells than the header" in result.output
    assert "line 8: this police_reference was already received with different details" in result.output
    assert "Neighbours" not in result.output
    n = db_session.scalars(select(DomesticAbuseNotification)).one()
    assert n.children[0].first_name == "Tom" and n.children[0].witnessed and n.adults[0]["role"] == "victim"
    assert db_session.scalars(select(MissingEpisode)).one().return_kind == "found"
    # The batch's events were appended together, in order, and the chain still verifies.
    events = [e.event for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert events[-4:] == ["police.notification_received", "missing.episode_received", "missing.returned",
                           "police.csv_imported"]
    assert audit.verify(db_session).ok


def test_a_csv_without_the_header_is_refused(db_session):
    report = police.import_csv(db_session, ["ref,when\n", "1,2\n"], source="test", actor="test")
    assert report.created == 0 and report.errors[0][0] == 1 and "header" in report.errors[0][1]


def test_the_demo_notifications_load_once_and_show_each_rule(db_session):
    from mash.models import MissingEpisode as Episode
    from portal.police_api import load_demo_notifications

    report = load_demo_notifications(db_session)
    assert (report.created, report.errors) == (8, [])
    assert load_demo_notifications(db_session).duplicates == 8  # a second load adds nothing
    third = db_session.scalars(select(DomesticAbuseNotification)
                               .where(DomesticAbuseNotification.police_reference == "DEMO/DA/0003")).one()
    assert third.household_count == 3 and third.rag == "red" and len(third.marac_flags) == 2
    casey = db_session.scalars(select(Episode).where(Episode.police_reference == "DEMO/MP/0003")).one()
    assert casey.strategy_flag and casey.interview is None
