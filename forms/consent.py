"""The consent rules of domain.md, as checks any channel can run over a referral's answers.

Each check returns (field, message) pairs; an empty list means the rule is met.
"""

from __future__ import annotations

from typing import Any

from forms.schema import Answers

EARLY_HELP_LEVELS = {"2", "3"}
LAWFUL_BASIS = "UK GDPR Art. 6(1)(e) public task"
SPECIAL_CATEGORY_BASIS = "UK GDPR Art. 9(2)(g); DPA 2018 Sch. 1 para. 18 (safeguarding of children)"
# Who may give consent: a person with parental responsibility, or a competent young person.
CAN_CONSENT = {"parent", "carer_pr", "young_person"}


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
    if early_help and giver not in CAN_CONSENT:
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


def family_consent(answers: Answers) -> list[tuple[str, str]]:
    """A family asking for early help: their agreement, from someone with parental responsibility."""
    problems: list[tuple[str, str]] = []
    if answers.get("consent_agree") != "yes":
        problems.append(("consent_agree", "Select yes if you agree, so that we can help your family"))
    if answers.get("has_parental_responsibility") != "yes" and answers.get("pr_person_agrees") != "yes":
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
        own = answers.get("has_parental_responsibility") == "yes"
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
