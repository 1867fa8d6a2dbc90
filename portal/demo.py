"""Fictional demonstration referrals for `make run`, received through the same one way in as the web."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import examples
from forms.referral import HELP, REPORT
from mash.intake import receive_referral
from mash.models import Contact

DEMO_PASSWORD = "demo-password-not-for-real-use"  # noqa: S105 - demo only; `demo load` refuses outside development
# Fixed demo secrets so `make run` can print working credentials; real accounts get random ones.
DEMO_STAFF = (
    ("practitioner@demo.frontdoor.test", "Pat Practitioner (demo)", "practitioner", "3X5QQ3PHXPQZKRXDY2IHAT6NN6KCKF2T"),
    ("manager@demo.frontdoor.test", "Morgan Manager (demo)", "manager", "NW5L32QP7SYZQENTUXE3AHHSLP7XGWSE"),
    ("manager2@demo.frontdoor.test", "Mo Second-Manager (demo)", "manager", "A5WDOMVY3I4A725RNE5QEFIENH5GT2WB"),
)


def load_demo_staff(session: Session) -> list[tuple[str, str, str]]:
    """Create the demo accounts once; return (email, role, TOTP secret) for printing."""
    from mash.models import StaffUser
    from mash.staff import create_user

    for email, name, role, secret in DEMO_STAFF:
        if session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)) == 0:
            create_user(session, email=email, name=name, role=role, password=DEMO_PASSWORD, actor="system:demo",
                        totp_secret=secret)
    return [(email, role, secret) for email, _, role, secret in DEMO_STAFF]


def load_demo_contacts(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(Contact).where(Contact.idempotency_key.like("demo:%"))):
        return 0
    samples = [
        (REPORT, examples.professional_concern(), "web"),
        (REPORT, examples.public_concern(), "web"),
        (HELP, examples.family_help_request(), "web"),
    ]
    for number, (journey, answers, channel) in enumerate(samples, start=1):
        referral, problems = journey.validate(answers)
        if referral is None:
            raise RuntimeError(f"demo referral {number} is invalid: {problems}")
        receive_referral(session, referral, channel=channel, actor="system:demo", idempotency_key=f"demo:{number}")
    return len(samples)
