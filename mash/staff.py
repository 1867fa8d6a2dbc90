"""Staff accounts: argon2 passwords, a TOTP second factor for everyone, lock-out after repeated failures.

Every sign-in, failure and lock is an audit event (by account id, never by the e-mail typed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mash import audit
from mash.models import StaffUser
from store.db import utcnow

ROLES = ("practitioner", "manager", "admin")
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
MIN_PASSWORD = 12

_hasher = PasswordHasher()
# Compared against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-at-all")


def configure_hashing(hasher: PasswordHasher) -> None:
    """Swap the argon2 parameters (the tests use cheap ones; production keeps argon2-cffi's defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password-at-all")


class StaffError(ValueError):
    """A message for the person at the keyboard."""


@dataclass(frozen=True)
class NewAccount:
    user: StaffUser
    totp_secret: str

    def provisioning_uri(self, issuer: str = "Front Door") -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(name=self.user.email, issuer_name=issuer)


def create_user(session: Session, *, email: str, name: str, role: str, password: str, actor: str = "system:cli",
                totp_secret: str | None = None) -> NewAccount:
    email = email.strip().lower()
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password must be at least {MIN_PASSWORD} characters")
    if "@" not in email:
        raise StaffError("enter an e-mail address")
    if session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)):
        raise StaffError("an account with that e-mail address already exists")
    secret = totp_secret or pyotp.random_base32()
    user = StaffUser(email=email, name=name.strip(), role=role, password_hash=_hasher.hash(password),
                     totp_secret=secret)
    session.add(user)
    session.flush()
    audit.record(session, event="staff.created", actor=actor, details={"staff_id": user.id, "role": role})
    return NewAccount(user, secret)


def check_password(session: Session, email: str, password: str, *, now: dt.datetime | None = None) -> StaffUser:
    """The first factor. Raises StaffError with one message for every failure, so accounts cannot be probed."""
    now = now or utcnow()
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise StaffError("Enter a correct e-mail address and password")
    _refuse_if_locked(user, now)
    if not _verify(user.password_hash, password):
        _failed(session, user, now, "password")
        raise StaffError("Enter a correct e-mail address and password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def check_code(session: Session, user: StaffUser, code: str, *, now: dt.datetime | None = None) -> None:
    """The second factor: the current TOTP code (or the one either side, for clock drift), once only."""
    now = now or utcnow()
    _refuse_if_locked(user, now)
    code = "".join(code.split())
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    matched = next((s for s in (step, step - 1, step + 1)
                    if code.isdigit() and pyotp.utils.strings_equal(totp.at(s * totp.interval), code)), None)
    if matched is None or matched <= user.totp_last_step:
        _failed(session, user, now, "code")
        raise StaffError("Enter the 6-digit code from your authenticator app")
    user.totp_last_step = matched
    user.failed_attempts = 0
    user.locked_until = None
    audit.record(session, event="staff.signed_in", actor=f"staff:{user.id}", at=now)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _refuse_if_locked(user: StaffUser, now: dt.datetime) -> None:
    if user.locked_until is not None and user.locked_until > now:
        # The same words as a wrong password: a lock must not confirm that an account exists.
        raise StaffError("Enter a correct e-mail address and password. After 5 wrong attempts an account is "
                         "locked for 15 minutes")


def _failed(session: Session, user: StaffUser, now: dt.datetime, factor: str) -> None:
    user.failed_attempts += 1
    audit.record(session, event="staff.sign_in_failed", actor=f"staff:{user.id}", at=now,
                 details={"factor": factor, "attempt": user.failed_attempts})
    if user.failed_attempts >= MAX_FAILURES:
        user.locked_until = now + LOCK_FOR
        user.failed_attempts = 0
        audit.record(session, event="staff.locked", actor="system", at=now, details={"staff_id": user.id})
    session.commit()  # the failure counts even though the request is refused


def can(user: StaffUser, action: str) -> bool:
    """What each role may do. A practitioner cannot sign off; only an administrator manages accounts."""
    allowed = {
        "screen": {"practitioner", "manager"},
        "decide": {"practitioner", "manager"},
        "sign_off": {"manager"},
        "authorise_checks": {"manager"},
        "export": {"manager", "admin"},
        "dashboard": {"practitioner", "manager", "admin"},
        "view_contacts": {"practitioner", "manager"},  # an administrator manages accounts, not families
        "manage_users": {"admin"},
        "edit_directory": {"manager", "admin"},
        # Issue 6: police notifications, return home interviews, the out-of-hours handover.
        "view_notifications": {"practitioner", "manager"},
        "import_notifications": {"practitioner", "manager"},
        "triage_notifications": {"practitioner", "manager"},
        "return_interviews": {"practitioner", "manager"},
        "out_of_hours": {"practitioner", "manager"},  # emergency duty workers hold practitioner accounts
    }
    return user.active and user.role in allowed.get(action, set())
