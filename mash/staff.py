"""Staff accounts: argon2 passwords, a TOTP second factor for everyone, lock-out after repeated failures.

Every sign-in attempt, refusal and lock is an audit event (by account id, never by the e-mail typed). Failures are
counted by the database, not in a row loaded earlier, so the lock-out holds however many attempts arrive at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NoReturn

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from mash import audit
from mash.models import StaffUser
from store.db import utcnow

ROLES = ("practitioner", "manager", "admin")
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
MIN_PASSWORD = 12
# One message for a wrong password, an unknown or inactive e-mail and a locked account: none confirms an account.
SIGN_IN_REFUSED = ("Enter a correct e-mail address and password. After 5 wrong attempts an account is locked for "
                   "15 minutes")
CODE_REFUSED = "Enter the 6-digit code from your authenticator app"
# Past the password, the account is known to the person at the keyboard: saying it is locked reveals nothing.
CODE_LOCKED = "This account is locked for 15 minutes after 5 wrong attempts. Sign in again later"

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


def required_text(value: str | None, message: str, limit: int = 5000) -> str:
    """The one check of a practitioner's required free text (a reason, a rationale): given, and at most `limit`
    characters. Never shortened: too long is refused with a message, so nothing typed is lost without a word."""
    value = (value or "").strip()
    if not value:
        raise StaffError(message)
    if len(value) > limit:
        raise StaffError(f"Keep it to {limit:,} characters or fewer")
    return value


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
    """The first factor. Raises StaffError with one message for every refusal (a wrong password, an unknown or
    inactive e-mail, a locked account), so accounts cannot be probed; each refusal is audited and committed."""
    now = now or utcnow()
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        _refuse(session, now, factor="password", reason="unknown account" if user is None else "inactive",
                staff_id=user.id if user else None, message=SIGN_IN_REFUSED)
    # Hashed even when locked, so a locked account takes as long to refuse as a wrong password.
    correct = _verify(user.password_hash, password)
    if _locked(user, now):
        _refuse(session, now, factor="password", reason="locked", staff_id=user.id, message=SIGN_IN_REFUSED)
    if not correct:
        _count_failure(session, user, now, factor="password", message=SIGN_IN_REFUSED)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, event="staff.password_accepted", actor=f"staff:{user.id}", at=now)
    session.commit()  # like a refusal, on the record whatever the caller does next
    return user


def check_code(session: Session, user: StaffUser, code: str, *, now: dt.datetime | None = None) -> None:
    """The second factor: the current TOTP code (or the one either side, for clock drift), once only.

    The database decides, in one UPDATE, that the account is active and unlocked and the code unused, so codes
    sent at the same moment cannot slip past a lock another request has just set, nor use one code twice."""
    now = now or utcnow()
    matched = _matching_step(user.totp_secret, code, now)
    if matched is not None:
        signed_in = session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id, StaffUser.active.is_(True), StaffUser.totp_last_step < matched,
                   _unlocked(now))
            .values(totp_last_step=matched, failed_attempts=0, locked_until=None)
            .returning(StaffUser.id)
            .execution_options(synchronize_session="fetch")
        ).scalar_one_or_none()
        if signed_in is not None:
            audit.record(session, event="staff.signed_in", actor=f"staff:{user.id}", at=now)
            return
    _count_failure(session, user, now, factor="code", message=CODE_REFUSED)


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The TOTP time step whose code this is, looking one step either side of now; None if none matches."""
    code = "".join(code.split())
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    return next((s for s in (step, step - 1, step + 1)
                 if pyotp.utils.strings_equal(totp.at(s * totp.interval), code)), None)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _unlocked(now: dt.datetime) -> ColumnElement[bool]:
    return or_(StaffUser.locked_until.is_(None), StaffUser.locked_until <= now)


def _locked(user: StaffUser, now: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _count_failure(session: Session, user: StaffUser, now: dt.datetime, *, factor: str, message: str) -> NoReturn:
    """Count a wrong password or code in the database and lock on the count it returns: concurrent failures each
    see their own number, so the fifth locks however many arrive at once. A locked account's attempts are
    refused without being counted (they would only push the lock further away)."""
    failures = session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id, _unlocked(now))
        .values(failed_attempts=StaffUser.failed_attempts + 1)
        .returning(StaffUser.failed_attempts)
        .execution_options(synchronize_session="fetch")
    ).scalar_one_or_none()
    if failures is None:
        _refuse(session, now, factor=factor, reason="locked", staff_id=user.id,
                message=SIGN_IN_REFUSED if factor == "password" else CODE_LOCKED)
    audit.record(session, event="staff.sign_in_failed", actor=f"staff:{user.id}", at=now,
                 details={"factor": factor, "attempt": failures})
    if failures >= MAX_FAILURES:
        session.execute(update(StaffUser).where(StaffUser.id == user.id)
                        .values(locked_until=now + LOCK_FOR, failed_attempts=0)
                        .execution_options(synchronize_session="fetch"))
        audit.record(session, event="staff.locked", actor="system", at=now, details={"staff_id": user.id})
    session.commit()  # the failure counts even though the request is refused
    raise StaffError(message)


def _refuse(session: Session, now: dt.datetime, *, factor: str, reason: str, staff_id: int | None,
            message: str) -> NoReturn:
    """Audit a sign-in refused before any check of the password or code (by account id, never the e-mail
    typed), commit it, and refuse."""
    audit.record(session, event="staff.sign_in_refused", actor=f"staff:{staff_id}" if staff_id else "public:web",
                 at=now, reason=reason, details={"factor": factor})
    session.commit()
    raise StaffError(message)


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
        # Issue 13: people pick up text and web chat conversations; managers edit the ready replies.
        "converse": {"practitioner", "manager"},
        "edit_ready_replies": {"manager"},
    }
    return user.active and user.role in allowed.get(action, set())
