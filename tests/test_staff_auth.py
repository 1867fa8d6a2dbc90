"""Staff sign-in: argon2 passwords, TOTP for everyone, lock-out, time-out, and what each role may do."""

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
import requests
from sqlalchemy import select, update

from mash.models import AuditEvent, StaffSession, StaffUser
from mash.staff import CODE_LOCKED, LOCK_FOR, SIGN_IN_REFUSED, StaffError, check_code, check_password, create_user
from store.db import make_engine, make_sessionmaker
from tests.browser_support import LiveServer
from tests.conftest import app_config
from tests.staff_support import PASSWORD, create_staff, sign_in


def test_passwords_are_argon2_hashes_and_secrets_are_encrypted(db_session):
    user, secret = create_staff(db_session)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    from sqlalchemy import text
    raw = db_session.execute(text("SELECT totp_secret FROM staff_users")).scalar_one()
    assert secret not in raw


def test_short_passwords_and_duplicate_accounts_are_refused(db_session):
    with pytest.raises(StaffError, match="at least 12"):
        create_user(db_session, email="a@b.test", name="A", role="practitioner", password="short")
    create_staff(db_session)
    existing = db_session.scalars(select(StaffUser)).first()
    with pytest.raises(StaffError, match="already exists"):
        create_user(db_session, email=existing.email.upper(), name="A", role="manager", password=PASSWORD)


def test_sign_in_needs_both_factors(client, db_session):
    user, secret = create_staff(db_session)
    client.post("/staff/sign-in", data={"email": user.email, "password": PASSWORD})
    assert client.get("/staff/queue").location.startswith("/staff/sign-in")  # password alone is not enough
    response = client.post("/staff/sign-in/code", data={"code": "000000"})
    assert response.status_code == 400 and "Enter the 6-digit code" in response.get_data(as_text=True)
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.location == "/staff/"
    assert client.get("/staff/queue").status_code == 200
    events = [e.event for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert events[-2:] == ["staff.sign_in_failed", "staff.signed_in"]


def test_a_wrong_password_says_nothing_about_the_account(client, db_session):
    user, _ = create_staff(db_session)
    wrong = client.post("/staff/sign-in", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/staff/sign-in", data={"email": "nobody@council.test", "password": "nope-nope-nope"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Enter a correct e-mail address and password" in response.get_data(as_text=True)


def test_a_code_works_once_only(db_session):
    user, secret = create_staff(db_session)
    now = dt.datetime.now(dt.UTC)
    code = pyotp.TOTP(secret).at(now)
    check_code(db_session, user, code, now=now)
    with pytest.raises(StaffError):
        check_code(db_session, user, code, now=now)


def test_five_failures_lock_the_account(db_session):
    user, secret = create_staff(db_session)
    now = dt.datetime.now(dt.UTC)
    for _ in range(5):
        with pytest.raises(StaffError):
            check_password(db_session, user.email, "wrong-password-x", now=now)
    with pytest.raises(StaffError, match="locked"):
        check_password(db_session, user.email, PASSWORD, now=now)
    later = now + dt.timedelta(minutes=16)
    assert check_password(db_session, user.email, PASSWORD, now=later).id == user.id
    assert "staff.locked" in [e.event for e in db_session.scalars(select(AuditEvent))]


def test_inactivity_signs_you_out(client, db_session):
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    db_session.execute(update(StaffSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)))
    db_session.commit()
    response = client.get("/staff/queue")
    assert response.location.startswith("/staff/sign-in")
    page = client.get(response.location).get_data(as_text=True)
    assert "signed out after a period of inactivity" in page


def test_a_practitioner_cannot_sign_off_or_authorise(client, db_session):
    user, secret = create_staff(db_session, role="practitioner")
    sign_in(client, user, secret)
    assert client.post("/staff/contacts/1/decisions/1/review", data={"review": "approve"}).status_code == 403
    assert client.post("/staff/contacts/1/checks/1/authorise", data={"reason": "x"}).status_code == 403


def test_an_admin_cannot_screen_contacts(client, db_session):
    user, secret = create_staff(db_session, role="admin")
    sign_in(client, user, secret)
    assert client.post("/staff/queue/next").status_code == 403
    assert client.get("/staff/dashboard").status_code == 200


def test_sign_out(client, db_session):
    user, secret = create_staff(db_session)
    sign_in(client, user, secret)
    client.post("/staff/sign-out")
    assert client.get("/staff/queue").location.startswith("/staff/sign-in")


def test_next_only_goes_to_staff_pages(client, db_session):
    user, secret = create_staff(db_session)
    client.post("/staff/sign-in?next=//evil.example/staff/", data={"email": user.email, "password": PASSWORD})
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.location == "/staff/"


def test_an_administrator_can_unlock_and_deactivate_accounts(app, db_session):
    from portal.cli import cli

    user, _ = create_staff(db_session)
    now = dt.datetime.now(dt.UTC)
    for _ in range(5):
        with pytest.raises(StaffError):
            check_password(db_session, user.email, "wrong-password-x", now=now)
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["users", "unlock", user.email]).exit_code == 0
    db_session.expire_all()
    assert check_password(db_session, user.email, PASSWORD, now=now).id == user.id
    assert runner.invoke(cli, ["users", "deactivate", user.email]).exit_code == 0
    db_session.expire_all()
    with pytest.raises(StaffError):
        check_password(db_session, user.email, PASSWORD, now=now)
    assert runner.invoke(cli, ["users", "unlock", "nobody@council.test"]).exit_code == 1


# --- Found by probing (issue 11) ---------------------------------------------------------------------------------
def wrong_code(secret: str, now: dt.datetime) -> str:
    """A code that matches no step the server accepts (now, or one either side)."""
    totp = pyotp.TOTP(secret)
    accepted = {totp.at(now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def test_failures_are_counted_by_the_database_not_on_a_row_loaded_earlier(database_url, db_session):
    # Five requests, each with the account loaded before any of the others failed (as concurrent requests have):
    # counting on the loaded row made each one "the first failure" and the account never locked.
    user, secret = create_staff(db_session)
    now = dt.datetime.now(dt.UTC)
    sessions = make_sessionmaker(make_engine(database_url))
    concurrent = [sessions() for _ in range(5)]
    loaded = [session.get(StaffUser, user.id) for session in concurrent]
    for session, account in zip(concurrent, loaded, strict=True):
        with pytest.raises(StaffError, match="6-digit code"):
            check_code(session, account, wrong_code(secret, now), now=now)
        session.close()
    db_session.expire_all()
    assert db_session.get(StaffUser, user.id).locked_until == now + LOCK_FOR
    with pytest.raises(StaffError, match="locked"):
        check_code(db_session, db_session.get(StaffUser, user.id), pyotp.TOTP(secret).at(now), now=now)


def twelve_wrong_codes_at_once(app, sessions) -> None:
    """Signed in with the right password, then 12 wrong codes sent together to a real server, each on its own
    thread: the account must end locked, and the right code refused, however the requests interleave."""
    with sessions() as session:
        user, secret = create_staff(session)
    server = LiveServer(app).start()
    try:
        browser = requests.Session()
        response = browser.post(f"{server.url}/staff/sign-in", data={"email": user.email, "password": PASSWORD},
                                allow_redirects=False)
        assert response.headers["Location"] == "/staff/sign-in/code"
        now = dt.datetime.now(dt.UTC)
        start = threading.Barrier(12)

        def send_wrong_code() -> int:
            start.wait()
            return requests.post(f"{server.url}/staff/sign-in/code", data={"code": wrong_code(secret, now)},
                                     cookies=browser.cookies, allow_redirects=False, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda _: send_wrong_code(), range(12)))
        assert statuses == [400] * 12
        with sessions() as session:
            locked_until = session.get(StaffUser, user.id).locked_until
        assert locked_until is not None and locked_until > dt.datetime.now(dt.UTC)
        right = browser.post(f"{server.url}/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()},
                             allow_redirects=False)
        assert right.status_code == 400 and CODE_LOCKED in right.text
    finally:
        server.stop()
    with sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        failed = [e.details["attempt"] for e in events if e.event == "staff.sign_in_failed"]
        refused = [e.reason for e in events if e.event == "staff.sign_in_refused"]
        # Each of the 12 (and the right code after them) is on the record: 5 counted, the fifth locking, the
        # rest refused as locked.
        assert sorted(failed) == [1, 2, 3, 4, 5] and refused == ["locked"] * 8
        assert [e.event for e in events].count("staff.locked") == 1


def test_twelve_wrong_codes_sent_at_once_lock_the_account(database_url, tmp_path):
    from portal import create_app

    twelve_wrong_codes_at_once(create_app(app_config(database_url, tmp_path)),
                               make_sessionmaker(make_engine(database_url)))


@pytest.mark.slow
@pytest.mark.postgres
def test_twelve_wrong_codes_sent_at_once_lock_the_account_on_postgres(pg_url, tmp_path):
    from portal import create_app

    engine = make_engine(pg_url)
    try:
        twelve_wrong_codes_at_once(create_app(app_config(pg_url, tmp_path)), make_sessionmaker(engine))
    finally:
        engine.dispose()


def sign_in_error(response) -> str:
    match = re.search(r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>(.*?)</',
                      response.get_data(as_text=True), re.S)
    assert match, response.get_data(as_text=True)[:500]
    return " ".join(match.group(1).split())


def test_a_locked_account_and_an_unknown_email_get_the_same_message(client, db_session):
    user, _ = create_staff(db_session)
    for _ in range(5):
        client.post("/staff/sign-in", data={"email": user.email, "password": "wrong-password-x"})
    locked = client.post("/staff/sign-in", data={"email": user.email, "password": PASSWORD})
    unknown = client.post("/staff/sign-in", data={"email": "nobody@council.test", "password": PASSWORD})
    assert locked.status_code == unknown.status_code == 400
    assert sign_in_error(locked) == sign_in_error(unknown) == SIGN_IN_REFUSED


def test_every_sign_in_attempt_and_refusal_is_audited_without_the_email_typed(client, db_session):
    user, secret = create_staff(db_session)
    gone, _ = create_staff(db_session)
    gone.active = False
    db_session.commit()
    client.post("/staff/sign-in", data={"email": "nobody@council.test", "password": PASSWORD})
    client.post("/staff/sign-in", data={"email": gone.email, "password": PASSWORD})
    sign_in(client, user, secret)
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.event.like("staff.%sign%")
                                                         | (AuditEvent.event == "staff.password_accepted"))
                                .order_by(AuditEvent.seq)).all()
    assert [(e.event, e.actor, e.reason) for e in events] == [
        ("staff.sign_in_refused", "public:web", "unknown account"),
        ("staff.sign_in_refused", f"staff:{gone.id}", "inactive"),
        ("staff.password_accepted", f"staff:{user.id}", None),
        ("staff.signed_in", f"staff:{user.id}", None),
    ]
    stored = repr([(e.actor, e.reason, e.details) for e in events])
    assert "nobody" not in stored and "council.test" not in stored


@pytest.mark.parametrize("target", [
    "/staff/queue\r\nSet-Cookie: taken=1",  # CR/LF: a 500 before, or a header of someone else's
    "/staff/%0d%0a",
    "/\t/evil.example/staff/",  # browsers drop the tab and read //evil.example
    "/\\evil.example/staff/",
    "/staff/..\\..\\evil",
    "https://evil.example/staff/",
    "javascript:alert(1)//staff/",
    "/staff/\u202equeue",
    "/staff/ queue",
    "",
])
def test_next_after_sign_in_is_a_same_site_staff_path_or_the_home_page(client, db_session, target):
    user, secret = create_staff(db_session)
    client.post("/staff/sign-in", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    expected = "/staff/%0d%0a" if target == "/staff/%0d%0a" else "/staff/"  # a literal "%0d", not a newline
    assert response.status_code == 302 and response.location == expected


def test_next_after_sign_in_keeps_a_staff_page_and_its_query(client, db_session):
    user, secret = create_staff(db_session)
    client.post("/staff/sign-in", query_string={"next": "/staff/queue?page=2"},
                data={"email": user.email, "password": PASSWORD})
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.location == "/staff/queue?page=2"


def test_the_address_people_guess_leads_to_sign_in(client):
    response = client.get("/staff/login")
    assert response.status_code == 302 and response.location == "/staff/sign-in"
