"""Staff sign-in: argon2 passwords, TOTP for everyone, lock-out, time-out, and what each role may do."""

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from mash.models import AuditEvent, StaffUser
from mash.staff import StaffError, check_code, check_password, create_user
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
    with client.session_transaction() as sess:
        sess["staff_seen"] -= 16 * 60
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
