"""Fictional demonstration referrals for `make run`, received through the same one way in as the web."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import examples
from forms.referral import HELP, REPORT
from mash.intake import receive_referral
from mash.models import Contact


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
