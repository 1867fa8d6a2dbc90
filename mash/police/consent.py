"""Early help offered at a triage meeting, in forms.consent's one vocabulary (the same words and the same rule as
a referral's consent on every other channel)."""

from __future__ import annotations

from typing import Any

from forms.consent import AUTHORITIES, MAY_AGREE, STATUSES, early_help_agreement
from mash.staff import StaffError

EARLY_HELP_CONSENT = {key: STATUSES[key] for key in ("given", "to_be_sought", "refused")}
CONSENT_AUTHORITY = AUTHORITIES
CAN_CONSENT = MAY_AGREE


def _consent_entry(position: int, consent: str | None, consent_by: str | None,
                   authority: str | None) -> dict[str, Any]:
    """An early-help offer's consent, checked: who gave it and whether they can (domain.md)."""
    entry, problems = early_help_agreement(consent, consent_by, authority, child=f"child {position + 1}")
    if problems:
        raise StaffError(problems[0])
    return entry
