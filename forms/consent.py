"""The consent rules of domain.md, as checks any channel can run over a referral's answers.

Each check returns (field, message) pairs; an empty list means the rule is met.
"""

from __future__ import annotations

from typing import Any

from forms.schema import Answers

EARLY_HELP_LEVELS = {"2", "3"}
LAWFUL_BASIS = "UK GDPR Art. 6(1)(e) public task"
SPECIAL_CATEGORY_BASIS = "UK GDPR Art. 9(2)(g); DPA 2018 Sch. 1 para. 18 (safeguarding of children)"
# One vocabulary for every channel (web, text, chat, a police triage meeting): what became of the agreement ...
STATUSES = {
    "given": "Agreed",
    "to_be_sought": "Agreement to be sought before any early help starts",
    "refused": "Refused",
    "not_sought": "Not sought",
}
# ... and by what authority the person who answered speaks for the child.
AUTHORITIES = {
    "parental_responsibility": "A person with parental responsibility",
    "competent_young_person": "The young person, competent to decide",
    "no_parental_responsibility": "Someone without parental responsibility",
}
# domain.md: consent comes from a person with parental responsibility, or a competent young person.
MAY_AGREE = ("parental_responsibility", "competent_young_person")
# The referral form asks for a relationship; this is the authority each relationship carries.
RELATIONSHIP_AUTHORITY = {"parent": "parental_responsibility", "carer_pr": "parental_responsibility",
                          "young_person": "competent_young_person"}
CAN_CONSENT = set(RELATIONSHIP_AUTHORITY)  # the relationships whose agreement counts


def authority_of(relationship: str | None) -> str:
    """The authority a referral form's relationship carries (anyone else: none)."""
    return RELATIONSHIP_AUTHORITY.get(relationship or "", "no_parental_responsibility")


def may_agree(authority: str | None) -> bool:
    """Whether someone with this authority can agree to early help for a child."""
    return authority in MAY_AGREE


def early_help_agreement(status: str | None, given_by: str | None, authority: str | None, *,
                         child: str) -> tuple[dict[str, Any], list[str]]:
    """An early-help offer's agreement as recorded by a practitioner: who answered and whether they can.

    Returns the record and the problems with it (empty when it stands). Used by the police triage meeting; the
    referral forms ask the same questions as fields (professional_consent, family_consent)."""
    if status not in ("given", "to_be_sought", "refused"):
        return {}, [f"Early help for {child} needs the agreement of a person with parental responsibility: "
                    "record whether it was given or is still to be sought"]
    by = " ".join((given_by or "").split())[:200] or None
    if status == "to_be_sought":
        return {"consent": status, "consent_by": None, "consent_authority": None}, []
    if not by:
        return {}, [f"Enter who {'agreed to' if status == 'given' else 'refused'} early help for {child}"]
    if authority not in AUTHORITIES:
        return {}, [f"Select whether the person who answered for {child} has parental responsibility"]
    if status == "given" and not may_agree(authority):
        return {}, [f"Early help for {child} needs the agreement of a person with parental responsibility "
                    "(or a young person competent to decide): record it as to be sought from them"]
    return {"consent": status, "consent_by": by, "consent_authority": authority}, []


def professional_consent(answers: Answers) -> list[tuple[str, str]]:
    """A concern from a professional: early help needs consent; level 4 needs 'told? if not, why not'."""
    problems: list[tuple[str, str]] = []
    level = answers.get("suggested_level")
    consent = answers.get("consent")
    if level in EARLY_HELP_LEVELS and consent != "yes":
        problems.append((
            "consent",
            "Early help (level 2 or 3) needs the agreement of a parent or carer with parental responsibility, "
            "or of the young person. Ask for their agreement first. If you believe a child is at risk of "
            "significant harm, go back and choose level 4",
        ))
    if consent == "yes":
        problems.extend(_consent_giver_problems(answers, early_help=level in EARLY_HELP_LEVELS))
    return problems


def _consent_giver_problems(answers: Answers, *, early_help: bool) -> list[tuple[str, str]]:
    """Who agreed, and for whom. Early help cannot go ahead on anyone else's say-so; a level-4 referral
    needs no consent at all, so there whatever agreement was given is recorded as it is."""
    problems: list[tuple[str, str]] = []
    giver = answers.get("consent_given_by_relationship")
    if early_help and not may_agree(authority_of(giver)):
        problems.append((
            "consent_given_by_relationship",
            "Agreement must come from someone with parental responsibility, or from a young person who "
            "understands what they are agreeing to",
        ))
    if giver in {"parent", "carer_pr"} and answers.get("parents_told") == "no":
        problems.append((
            "consent_given_by_relationship",
            "You said the parents or carers have not been told about this referral, so they cannot have agreed "
            "to it. Check your answers",
        ))
    covers = answers.get("consent_covers") or []
    if early_help and "children" not in covers:
        problems.append(("consent_covers", "The agreement must cover the children you are referring"))
    return problems


def has_parental_responsibility(answers: Answers) -> bool:
    """Whether the person asking for help has parental responsibility: a mother always does, so the web does not
    ask her (forms.referral.HELP_PARENTAL_RESPONSIBILITY); anyone else says so."""
    if "has_parental_responsibility" in answers:
        return answers.get("has_parental_responsibility") == "yes"
    return answers.get("referrer_relationship") == "mother"


def family_consent(answers: Answers) -> list[tuple[str, str]]:
    """A family asking for early help: their agreement, from someone with parental responsibility."""
    problems: list[tuple[str, str]] = []
    if answers.get("consent_agree") != "yes":
        problems.append(("consent_agree", "Select yes if you agree, so that we can help your family"))
    if not has_parental_responsibility(answers) and answers.get("pr_person_agrees") != "yes":
        problems.append((
            "pr_person_agrees",
            "We need the agreement of someone with parental responsibility for the children. Ask them first, "
            "or call us and we will talk it through",
        ))
    return problems


def consent_summary(kind: str, answers: Answers) -> dict[str, Any]:
    """What the consent record says, derived once from validated answers (used by mash.intake)."""
    if kind == "early_help":
        # They agreed to sharing "information about you and your children" (forms.referral.HELP_CONSENT).
        own = has_parental_responsibility(answers)
        return {
            "status": "given",
            "given_by": answers.get("referrer_name") if own else answers.get("pr_person_name"),
            "given_by_relationship": answers.get("referrer_relationship") if own else None,
            "covers": ["children", "parents"],
            "parents_told": "yes",
            "parents_not_told_reason": None,
            "without_consent_reason": None,
            "limits": answers.get("consent_limits") or None,
            # Their agreement reached us through the referrer: the record says so, for the team to confirm.
            "relayed": not own,
        }
    consent = answers.get("consent")
    status = {"yes": "given", "refused": "refused"}.get(consent or "", "not_sought")
    return {
        "status": status,
        "given_by": answers.get("consent_given_by") if status == "given" else None,
        "given_by_relationship": answers.get("consent_given_by_relationship") if status == "given" else None,
        "covers": answers.get("consent_covers") if status == "given" else [],
        "parents_told": answers.get("parents_told"),
        "parents_not_told_reason": answers.get("parents_not_told_reason"),
        "without_consent_reason": (answers.get("no_consent_reason") or answers.get("not_asked_reason"))
        if status != "given" else None,
        "limits": None,
        "relayed": None,
    }
