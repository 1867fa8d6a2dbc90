"""Early help offered at a triage meeting: who may agree to it for a child, and the check of what was recorded."""

from __future__ import annotations

from typing import Any

from mash.staff import StaffError

EARLY_HELP_CONSENT = {
    "given": "Agreed",
    "to_be_sought": "Agreement to be sought before any early help starts",
    "refused": "Refused",
}
# domain.md: early help needs the agreement of a person with parental responsibility (or a competent young person).
CONSENT_AUTHORITY = {
    "parental_responsibility": "A person with parental responsibility",
    "competent_young_person": "The young person, competent to decide",
    "no_parental_responsibility": "Someone without parental responsibility",
}
CAN_CONSENT = ("parental_responsibility", "competent_young_person")


def _consent_entry(position: int, consent: str | None, consent_by: str | None,
                   authority: str | None) -> dict[str, Any]:
    """An early-help offer's consent, checked: who gave it and whether they can (domain.md)."""
    child = f"child {position + 1}"
    if consent not in EARLY_HELP_CONSENT:
        raise StaffError(f"Early help for {child} needs the agreement of a person with parental responsibility: "
                         "record whether it was given or is still to be sought")
    by = " ".join((consent_by or "").split())[:200] or None
    if consent == "to_be_sought":
        return {"consent": consent, "consent_by": None, "consent_authority": None}
    if not by:
        raise StaffError(f"Enter who {'agreed to' if consent == 'given' else 'refused'} early help for {child}")
    if authority not in CONSENT_AUTHORITY:
        raise StaffError(f"Select whether the person who answered for {child} has parental responsibility")
    if consent == "given" and authority not in CAN_CONSENT:
        raise StaffError(f"Early help for {child} needs the agreement of a person with parental responsibility "
                         "(or a young person competent to decide): record it as to be sought from them")
    return {"consent": consent, "consent_by": by, "consent_authority": authority}
