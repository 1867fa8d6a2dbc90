"""Plain keyword-only factories for staff and contacts, and a sign-in that goes through the real two steps."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pyotp
from sqlalchemy.orm import Session

from forms import examples
from forms.referral import JOURNEYS
from mash.intake import receive_referral
from mash.models import Contact, StaffUser
from mash.staff import create_user

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1)


def create_staff(session: Session, *, role: str = "practitioner", name: str | None = None) -> tuple[StaffUser, str]:
    n = next(_numbers)
    secret = pyotp.random_base32()
    account = create_user(session, email=f"{role}{n}@council.test", name=name or f"{role.title()} {n}", role=role,
                          password=PASSWORD, totp_secret=secret)
    session.commit()
    return account.user, secret


def with_ethnicity(children: Any) -> Any:
    """Children written by a test for a professional's referral, which asks each child's ethnicity: "not known yet"
    where the test does not say (a child not yet born is not asked; the journey drops it)."""
    if not isinstance(children, list):
        return children
    return [{"ethnicity": "NOBT", **child} if isinstance(child, dict) else child for child in children]


def create_contact(session: Session, *, journey: str = "report", answers: dict | None = None,
                   received_at: dt.datetime | None = None, **overrides) -> Contact:
    base = answers or (examples.professional_concern() if journey == "report" else examples.family_help_request())
    base.update(overrides)
    base["children"] = with_ethnicity(base.get("children"))
    referral, problems = JOURNEYS[journey].validate(base)
    assert not problems, problems
    contact = receive_referral(session, referral, channel="web", actor="public:web", received_at=received_at)
    session.commit()
    return contact


def sign_in(client, user: StaffUser, secret: str, *, at: dt.datetime | None = None) -> None:
    """Both factors, as a person would. Each TOTP code works once, so pass `at` to sign in again quickly."""
    response = client.post("/staff/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.location == "/staff/sign-in/code", response.get_data(as_text=True)[:500]
    code = pyotp.TOTP(secret).at(at or dt.datetime.now(dt.UTC))
    response = client.post("/staff/sign-in/code", data={"code": code})
    assert response.status_code == 302 and response.location.startswith("/staff/"), response.status_code
