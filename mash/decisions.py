"""The decision on a contact, the manager's sign-off, and the strategy discussion a decision can open.

The rules here answer the inspection: every decision records its level and rationale; a decision the recorded
indicators do not support, or early help without consent, must be justified; nobody signs off their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mash import audit
from mash.claims import bump_version, require_holder
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import Contact, Decision, StaffUser, StrategyDiscussion
from mash.outbox import queue_feedback
from mash.outcomes import OUTCOME_LEVELS, OUTCOMES, PRIMARY_NEEDS, SHARING
from mash.repeats import matches_for, needs_acknowledgement
from mash.screening import AGENCIES, outstanding_checks
from mash.staff import StaffError, can, required_text
from store.db import utcnow


@dataclass(frozen=True)
class StrategySettings:
    """domain.md: immediate if urgent, else within 1 working day, never more than 3 (settings)."""

    working_days: int = 1
    max_working_days: int = 3


def justification_needed(contact: Contact, *, outcome: str, level: int) -> list[str]:
    """Why this decision needs an explicit justification: the reasons a manager and an inspector will read."""
    reasons = []
    indicators = contact.safety_flags or []
    if level == 4 and "level4_indicator" not in indicators:
        reasons.append("Level 4 is recorded but none of the referral's concerns is a level 4 indicator")
    if level < 4 and "level4_indicator" in indicators:
        reasons.append("The referral records a level 4 indicator but a lower level is decided")
    if outcome == "nfa_advice" and ("suggested_level_4" in indicators or "alleged_perpetrator_at_home" in indicators):
        reasons.append("No further action is decided on a referral rated red")
    if outcome == "early_help" and (contact.consent is None or contact.consent.status != "given"):
        reasons.append("Early help is decided but the family's consent is not recorded")
    return reasons


def record_decision(session: Session, contact: Contact, user: StaffUser, *, outcome: str, level: int | str | None,
                    rationale: str | None, sharing_decision: str, sharing_reason: str | None, primary_need: str,
                    justification: str | None = None, feedback_message: str | None = None,
                    version: int | None, now: dt.datetime | None = None) -> Decision:
    now = now or utcnow()
    if not can(user, "decide"):
        raise StaffError("Only practitioners and managers can record a decision")
    require_holder(contact, user, now=now)
    if outcome not in OUTCOMES:
        raise StaffError("Select the outcome")
    try:
        level = int(level or 0)
    except ValueError:
        level = 0
    if level not in (1, 2, 3, 4):
        raise StaffError("Select the level of need")
    if level not in OUTCOME_LEVELS[outcome]:
        allowed = " or ".join(str(n) for n in sorted(OUTCOME_LEVELS[outcome]))
        raise StaffError(f"{OUTCOMES[outcome]} follows level {allowed}, not level {level}")
    rationale = required_text(rationale, "Enter the rationale for this decision")
    if sharing_decision not in SHARING:
        raise StaffError("Select whether information will be shared")
    sharing_reason = required_text(sharing_reason, "Enter why information will or will not be shared")
    if primary_need not in PRIMARY_NEEDS:
        raise StaffError("Select the primary need")
    if any(m.status == "suggested" for m in matches_for(session, contact)):
        raise StaffError("Possible earlier referrals about this child are waiting. Confirm or reject each one "
                         "before deciding")
    if needs_acknowledgement(session, contact):
        raise StaffError("This child was referred in the last 12 months. Read the earlier history and "
                         "acknowledge it before deciding")
    reasons = justification_needed(contact, outcome=outcome, level=level)
    if reasons and not (justification or "").strip():
        raise StaffError(f"{'. '.join(reasons)}. Enter a justification")
    bump_version(session, contact, version)
    decision = Decision(contact=contact, decided_by_id=user.id, decided_at=now, outcome=outcome, level=level,
                        rationale=rationale, sharing_decision=sharing_decision, sharing_reason=sharing_reason,
                        primary_need=primary_need, nfa=outcome == "nfa_advice",
                        justification=(justification or "").strip() or None,
                        feedback_message=(feedback_message or "").strip() or None, status="awaiting_signoff")
    session.add(decision)
    contact.status = "awaiting_signoff"
    contact.claimed_by_id = None
    contact.claim_expires_at = None
    session.flush()
    audit.record(session, event="decision.recorded", actor=f"staff:{user.id}", contact_id=contact.id, at=now,
                 reason=", ".join(reasons) or None,
                 details={"decision_id": decision.id, "outcome": outcome, "level": level,
                          "primary_need": primary_need, "nfa": decision.nfa, "sharing": sharing_decision})
    return decision


def outstanding_check_words(contact: Contact) -> list[str]:
    """The checks still awaiting a manager's authorisation or an agency's answer, in words."""
    return [f"{AGENCIES.get(k.agency, k.agency)} ("
            f"{'awaiting authorisation' if k.status == 'awaiting_authorisation' else 'awaiting an answer'})"
            for k in outstanding_checks(contact)]


def review_decision(session: Session, decision: Decision, manager: StaffUser, *, approve: bool,
                    comments: str | None, version: int | None, now: dt.datetime | None = None,
                    calendar: WorkingCalendar = DEFAULT_CALENDAR,
                    strategy: StrategySettings = StrategySettings(),
                    outstanding_reason: str | None = None) -> StrategyDiscussion | None:
    """Sign off, or return with comments. Signing off closes the contact and, for a strategy outcome,
    opens the strategy discussion with its clock. While a check awaits authorisation or an answer, sign-off is
    refused unless the manager says why it may go ahead without it: the audit trail records that it did, and which
    checks; the manager's words (they may name people) are kept encrypted with the sign-off comments."""
    now = now or utcnow()
    if not can(manager, "sign_off"):
        raise StaffError("Only a manager can sign off a decision")
    if decision.decided_by_id == manager.id:
        raise StaffError("You cannot sign off your own decision. Ask another manager")
    if decision.status != "awaiting_signoff":
        raise StaffError("This decision has already been reviewed")
    contact = decision.contact
    if not approve:
        comments = required_text(comments, "Enter your comments for the practitioner")
    outstanding = outstanding_check_words(contact) if approve else []
    reason = " ".join((outstanding_reason or "").split()) or None
    if outstanding and reason is None:
        raise StaffError(f"{len(outstanding)} check{'s are' if len(outstanding) > 1 else ' is'} still outstanding: "
                         f"{'; '.join(outstanding)}. Wait for {'them' if len(outstanding) > 1 else 'it'}, or enter "
                         f"why the decision can be signed off without {'them' if len(outstanding) > 1 else 'it'}")
    bump_version(session, contact, version)
    decision.reviewed_by_id = manager.id
    decision.reviewed_at = now
    decision.manager_comments = (comments or "").strip() or None
    if outstanding:
        # The manager's words may name people, so they are kept encrypted with the comments; the audit trail
        # records that sign-off went ahead with checks outstanding, and which (agency and state).
        decision.manager_comments = "\n\n".join(filter(None, [
            decision.manager_comments, f"Signed off with checks outstanding ({'; '.join(outstanding)}): {reason}"]))
    if not approve:
        decision.status = "returned"
        contact.status = "in_screening"
        audit.record(session, event="decision.returned", actor=f"staff:{manager.id}", contact_id=contact.id,
                     at=now, details={"decision_id": decision.id})
        return None
    decision.status = "signed_off"
    contact.status = "decided"
    contact.closed_at = now
    audit.record(session, event="decision.signed_off", actor=f"staff:{manager.id}", contact_id=contact.id, at=now,
                 reason="signed off with checks outstanding, with the manager's reason" if outstanding else None,
                 details={"decision_id": decision.id, "outcome": decision.outcome,
                          **({"outstanding_checks": outstanding} if outstanding else {})})
    queue_feedback(session, contact, decision, now=now)
    if decision.outcome != "strategy_s47":
        return None
    # The clock runs from the practitioner's decision, not from the sign-off that follows it.
    urgent = contact.rag == "red"
    days = min(strategy.working_days, strategy.max_working_days)
    started = decision.decided_at
    due = started if urgent else calendar.add_working_days(started, days)
    discussion = StrategyDiscussion(contact_id=contact.id, opened_at=started, due_at=due, urgent=urgent)
    session.add(discussion)
    session.flush()
    audit.record(session, event="strategy.opened", actor=f"staff:{manager.id}", contact_id=contact.id, at=now,
                 details={"strategy_id": discussion.id, "urgent": urgent, "due_at": due.isoformat()})
    return discussion


STRATEGY_AGENCIES = {"social_care": "Children's social care", "police": "Police", "health": "Health",
                     "education": "Education", "early_help": "Early help", "probation": "Probation",
                     "housing": "Housing", "other": "Another agency"}


def police_only(agencies: list[str]) -> bool:
    """domain.md: a strategy discussion that only the police and social care took part in is flagged."""
    return set(agencies) == {"police", "social_care"}


def record_strategy_discussion(session: Session, discussion: StrategyDiscussion, user: StaffUser, *,
                               attendees: list[dict[str, str]], held_at: dt.datetime, outcome: str | None,
                               now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if not can(user, "screen"):
        raise StaffError("Only practitioners and managers can record a strategy discussion")
    if discussion.held_at is not None:
        raise StaffError("This strategy discussion is already recorded")
    cleaned = [{"agency": a["agency"], "name": (a.get("name") or "").strip(), "role": (a.get("role") or "").strip()}
               for a in attendees if a.get("agency")]
    if any(a["agency"] not in STRATEGY_AGENCIES for a in cleaned):
        raise StaffError("Select each attendee's agency from the list")
    if not any(a["agency"] == "social_care" for a in cleaned):
        raise StaffError("A strategy discussion needs children's social care")
    if held_at > now:
        raise StaffError("The discussion cannot have been held in the future")
    if held_at < discussion.opened_at:
        raise StaffError("The discussion cannot have been held before the decision to hold it")
    discussion.attendees = cleaned
    discussion.agencies = sorted({a["agency"] for a in cleaned})
    discussion.held_at = held_at
    discussion.outcome = required_text(outcome, "Enter what the discussion decided")
    discussion.recorded_by_id = user.id
    audit.record(session, event="strategy.recorded", actor=f"staff:{user.id}", contact_id=discussion.contact_id,
                 at=now, details={"strategy_id": discussion.id, "agencies": discussion.agencies,
                                  "police_only": police_only(discussion.agencies),
                                  "late": held_at > discussion.due_at})
