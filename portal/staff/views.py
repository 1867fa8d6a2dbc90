"""The queue, the contact page and every action on a contact. Views are thin: the rules live in mash/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from bot.conversations import TranscriptLine, transcripts_for_contact
from bot.takeover import not_safe_to_text
from forms.conversation import JOURNEYS as CONVERSATION_JOURNEYS
from forms.referral import JOURNEYS
from mash import audit
from mash.claims import STALE_MESSAGE, NotYours, StaleContact, claim, claim_next, holds, release
from mash.clock import describe_due, describe_time_left
from mash.decisions import STRATEGY_AGENCIES, police_only, record_decision, record_strategy_discussion, review_decision
from mash.describe import (
    PARENTS_TOLD_WORDS,
    child_line,
    children_words,
    collected_rows,
    consent_words,
    feedback_plan,
    headline,
    parents_told,
    rank_reasons,
    referral_sections,
    referrer_words,
    risk_words,
    row_reasons,
    worries_were_read,
    worry_words,
)
from mash.history import describe_events, fold_views
from mash.models import (
    AgencyCheck,
    AuditEvent,
    Contact,
    Decision,
    OutboxMessage,
    RepeatMatch,
    StaffUser,
    StrategyDiscussion,
)
from mash.outcomes import OUTCOMES, PRIMARY_NEEDS, SHARING
from mash.queue import (
    CHANNELS,
    COLOUR_CHOICES,
    COLOURS,
    FILTERS,
    HOLDING_ROLES,
    KINDS,
    SORTS,
    STATUSES,
    VIEWS,
    Filters,
    queue_page,
)
from mash.repeats import acknowledge_history, decide_match, matches_for, needs_acknowledgement
from mash.screening import (
    AGENCIES,
    ask_check,
    authorise_check,
    chase_check,
    is_overdue,
    outstanding_checks,
    overdue_check_contacts,
    record_parents_informed,
    record_response,
    written_since_staff_looked,
)
from mash.staff import StaffError, can
from portal import db
from portal.config import check_settings, strategy_settings, working_calendar
from portal.staff import bp, me, permission
from portal.staff.conversations import phone_for_staff

LONDON = ZoneInfo("Europe/London")
VERSION_RE = re.compile(r"[0-9]{1,9}")


def _contact_or_404(contact_id: int) -> Contact:
    contact = db.session().get(Contact, contact_id)
    if contact is None:
        abort(404)
    return contact


def _version() -> int | None:
    value = request.form.get("version", "")
    return int(value) if VERSION_RE.fullmatch(value) else None  # anything else is simply stale


def _act(contact_id: int, action: Callable[[], Any], success: str, anchor: str = "") -> Any:
    """Run one action in one transaction; a refusal becomes a message on the contact page, never a 500."""
    dbs = db.session()
    try:
        action()
        dbs.commit()
    except (StaffError, NotYours, StaleContact) as exc:
        dbs.rollback()
        flash(str(exc), "error")
    except StaleDataError:
        dbs.rollback()
        flash(STALE_MESSAGE, "error")
    else:
        flash(success, "success")
    return redirect(url_for("staff.contact", contact_id=contact_id) + anchor)


@bp.get("/")
@permission("signed_in")
def home():
    return redirect(url_for("staff.queue" if can(me(), "view_contacts") else "staff.dashboard"))


@bp.get("/queue")
@permission("view_contacts")
def queue():
    """Open contacts a duty worker can scan: each row names the child, the worry, who referred, why it ranks
    where it does, its own deadline and who holds it; the filters and the sort stay in the URL (issue 15)."""
    args = request.args
    view = args.get("view", "all")
    # A value the page does not know (an old or mistyped link) is ignored, and the page says so: a worker who
    # asked for "purple" must not think the queue shown is the one they asked for.
    ignored = ["view"] if view not in FILTERS else []
    if view not in FILTERS:
        view = "all"
    base = VIEWS.get(view, Filters())
    # Only staff who can hold a contact: an administrator manages accounts and never holds one.
    workers = {str(u.id): u.name for u in db.session().scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(HOLDING_ROLES))
        .order_by(StaffUser.name))}
    named = (("colour", COLOURS), ("channel", CHANNELS), ("kind", KINDS), ("status", STATUSES), ("sort", SORTS))
    chosen = {name: value for name, choices in named if (value := args.get(name, "")) in choices}
    ignored += [name for name, _ in named if args.get(name, "") and name not in chosen]
    worker = args.get("worker", "")
    if worker and worker not in ("me", "unclaimed", *workers):
        ignored.append("worker")
    if args.get("overdue", "") not in ("", "yes"):
        ignored.append("overdue")
    filters = replace(base, **chosen, worker=worker if worker in ("me", "unclaimed", *workers) else base.worker,
                      overdue=base.overdue or args.get("overdue") == "yes")
    now = dt.datetime.now(dt.UTC)
    page = queue_page(db.session(), me(), after=args.get("after"), now=now, filters=filters)
    calendar = working_calendar()
    today = now.astimezone(calendar.tz).date()
    late_checks = overdue_check_contacts(db.session(), (c.id for c in page.contacts), now)
    written_more = written_since_staff_looked(db.session(), (c.id for c in page.contacts))
    rows = [{"contact": c, "time_left": describe_time_left(calendar.working_seconds_between(now, c.decision_due_at)),
             "due": describe_due(c.decision_due_at, calendar, short=True),
             "overdue": c.decision_due_at < now, "claimed": c.claim_expires_at is not None and c.claim_expires_at > now,
             "child": children_words(c.children, today),
             "worry": worry_words(c.concern_categories, read=c.concern_categories_read),
             "referrer": referrer_words(c.referral_source, c.referrer_type),
             "reasons": row_reasons(c.safety_flags, c.rag, check_overdue=c.id in late_checks),
             "written_more": c.id in written_more}
            for c in page.contacts]
    # The filters as they stand, for the form, the colour counts' links and the next page's link.
    kept = {k: v for k, v in {"view": view if view != "all" else "", **{k: getattr(filters, k) for k in chosen},
                              "worker": worker if filters.worker == worker else "",
                              "overdue": "yes" if args.get("overdue") == "yes" else ""}.items() if v}
    return render_template("staff/queue.html", rows=rows, view=view, filters=FILTERS, next_cursor=page.next_cursor,
                           chosen=filters, kept=kept, counts=page.colour_counts, colours=COLOURS, channels=CHANNELS,
                           colour_choices=COLOUR_CHOICES, kinds=KINDS, statuses=STATUSES, sorts=SORTS, workers=workers,
                           ignored=[IGNORED_WORDS[name] for name in ignored], title="Queue")


# How the page names a filter whose value it did not recognise.
IGNORED_WORDS = {"view": "view", "colour": "colour", "channel": "channel", "kind": "kind", "status": "status",
                 "sort": "sort order", "worker": "held by", "overdue": "overdue only"}


@bp.post("/queue/next")
@permission("screen")
def next_contact():
    contact_id = claim_next(db.session(), me())
    db.session().commit()
    if contact_id is None:
        flash("There are no unclaimed contacts waiting.", "info")
        return redirect(url_for("staff.queue"))
    return redirect(url_for("staff.contact", contact_id=contact_id))


def _collected(conversation: Any) -> list[tuple[str, str]]:
    """What a text or chat conversation's dialogue has collected so far, as structured answers."""
    state = conversation.state or {}
    journey = CONVERSATION_JOURNEYS.get(state.get("journey") or state.get("last_journey") or "")
    answers = state.get("answers") or {}
    if journey is None or not isinstance(answers, dict):
        return []
    # the journey's own questions in the order it asks them, then anything else it picked up on the way
    fields = {s.field.name: s.field for s in journey.fields()}
    for extra in JOURNEYS[journey.schema_journey].fields():
        fields.setdefault(extra.name, extra)
    return collected_rows(journey.schema_journey, [f for name, f in fields.items() if name in answers],
                          journey.context(answers))


def _turns(lines: list[TranscriptLine]) -> list[tuple[TranscriptLine, str]]:
    """Each message with who said it: the person, the assistant, or the practitioner by name and role."""
    return [(line, "The person" if line.direction == "in" else line.practitioner or "The assistant")
            for line in lines]


def _contact_page(item: Contact, user: StaffUser, now: dt.datetime) -> dict[str, Any]:
    """Everything the contact page and its printable copy show, the child first (issue 15)."""
    dbs = db.session()
    calendar = working_calendar()
    today = now.astimezone(calendar.tz).date()
    matches = matches_for(dbs, item)
    earlier = {m.earlier_contact_id: dbs.get(Contact, m.earlier_contact_id) for m in matches if m.status == "confirmed"}
    events = dbs.scalars(select(AuditEvent).where(AuditEvent.contact_id == item.id).order_by(AuditEvent.seq)).all()
    strategy = dbs.scalars(select(StrategyDiscussion).where(StrategyDiscussion.contact_id == item.id)).all()
    messages = dbs.scalars(select(OutboxMessage).where(OutboxMessage.contact_id == item.id)
                           .order_by(OutboxMessage.id)).all()
    journey = JOURNEYS[item.journey]
    transcripts = transcripts_for_contact(dbs, item.id)
    answers = item.answers or {}
    # A contact made of a conversation holds every word the person had written by then as 'what happened': the
    # transcript below shows those words as the turns they were, so the referral does not repeat them as one block.
    typed_in_conversation = _typed_in(answers.get("what_happened"),
                                      ([line.text for line in lines if line.direction == "in" and line.text]
                                       for _conversation, lines in transcripts))
    told, told_by, told_why = parents_told(item)
    suggested = [m for m in matches if m.status != "rejected"]
    known = [f"{len(suggested)} possible earlier referral{'s' if len(suggested) != 1 else ''} in the last 12 months"
             + (f" ({sum(m.status == 'confirmed' for m in suggested)} confirmed)" if suggested else "")
             if suggested else "No referral about these children in the last 12 months"]
    known += [f"Police domestic abuse notification {link.notification.police_reference}"
              for link in item.notification_links]
    known += [f"{'Text messages' if c.channel == 'sms' else 'A web chat'} ({len(lines)} messages, below)"
              for c, lines in transcripts]
    return dict(
        contact=item, journey=journey, answers=answers, holds=holds(item, user, now=now), now=now,
        time_left=describe_time_left(calendar.working_seconds_between(now, item.decision_due_at)),
        due=describe_due(item.decision_due_at, calendar), matches=matches, earlier=earlier,
        must_acknowledge=needs_acknowledgement(dbs, item), history=fold_views(describe_events(dbs, list(events))),
        strategy=strategy, messages=messages, feedback_plan=feedback_plan(item), agencies=AGENCIES,
        outcomes=OUTCOMES, primary_needs=PRIMARY_NEEDS,
        sharing=SHARING, strategy_agencies=STRATEGY_AGENCIES, police_only=police_only,
        pending_decision=next((d for d in item.decisions if d.status == "awaiting_signoff"), None),
        transcripts=[(c, _turns(lines), _collected(c)) for c, lines in transcripts],
        flag_words=risk_words(item.safety_flags),
        overdue_checks={k.id for k in item.checks if is_overdue(k, now)}, outstanding_checks=outstanding_checks(item),
        check_due_time=check_settings().due_time, describe_due=describe_due, calendar=calendar,
        checks_open=item.closed_at is None,
        phone_for_staff=phone_for_staff, not_safe_to_text=not_safe_to_text,
        # The messages the danger screen was unsure of (named on the trail), marked "check now" in the transcript.
        checked={e.details.get("message"): e.details.get("categories") or [] for e in events
                 if e.event == "conversation.check_now" and e.details},
        # The summary at the head of the page: the child, the worry, the risk and why, consent, what is known.
        children=[child_line(c, today) for c in item.children], headline=headline(item.children, today),
        worry=worry_words(item.concern_categories, most=20, read=item.concern_categories_read),
        worry_read=worries_were_read(item),
        reasons=rank_reasons(item.safety_flags, item.rag, check_overdue=bool(
            {k.id for k in item.checks if is_overdue(k, now)})),
        referrer=referrer_words(item.referral_source, item.referrer_type),
        consent_words=consent_words(item.consent), told=told, told_by=told_by, told_why=told_why,
        told_words=PARENTS_TOLD_WORDS, known=known,
        sections=[s for s in referral_sections(journey, answers) if s.key != "who"],
        typed_in_conversation=typed_in_conversation,
    )


@bp.get("/contacts/<int:contact_id>")
@permission("view_contacts")
def contact(contact_id: int):
    dbs = db.session()
    item = _contact_or_404(contact_id)
    user = me()
    audit.record(dbs, event="contact.viewed", actor=f"staff:{user.id}", contact_id=item.id)
    dbs.commit()
    page = _contact_page(item, user, dt.datetime.now(dt.UTC))
    return render_template("staff/contact.html", title=f"Contact {item.reference}", **page)


@bp.get("/contacts/<int:contact_id>/print")
@permission("view_contacts")
def contact_print(contact_id: int):
    """The whole contact on paper for the case record, without the workspace around it; each printing is on the
    contact's audit trail (who, when), like each viewing."""
    dbs = db.session()
    item = _contact_or_404(contact_id)
    user = me()
    audit.record(dbs, event="contact.printed", actor=f"staff:{user.id}", contact_id=item.id)
    dbs.commit()
    page = _contact_page(item, user, dt.datetime.now(dt.UTC))
    return render_template("staff/contact_print.html", title=f"Contact {item.reference} (printable)",
                           printed_by=user.name, **page)


@bp.post("/contacts/<int:contact_id>/claim")
@permission("screen")
def claim_contact(contact_id: int):
    _contact_or_404(contact_id)
    if claim(db.session(), contact_id, me()):
        db.session().commit()
        flash("You have claimed this contact.", "success")
    else:
        db.session().rollback()
        flash("Someone else is working on this contact, or it is waiting for sign-off.", "error")
    return redirect(url_for("staff.contact", contact_id=contact_id))


@bp.post("/contacts/<int:contact_id>/release")
@permission("screen")
def release_contact(contact_id: int):
    item = _contact_or_404(contact_id)
    return _act(contact_id, lambda: release(db.session(), item, me(), version=_version()),
                "You have released this contact.")


@bp.post("/contacts/<int:contact_id>/parents-informed")
@permission("screen")
def parents_informed(contact_id: int):
    item = _contact_or_404(contact_id)
    return _act(contact_id, lambda: record_parents_informed(
        db.session(), item, me(), informed=request.form.get("informed", ""), reason=request.form.get("reason"),
        version=_version()), "Recorded whether the parents were told.", "#screening")


@bp.post("/contacts/<int:contact_id>/checks")
@permission("screen")
def add_check(contact_id: int):
    item = _contact_or_404(contact_id)
    f = request.form
    return _act(contact_id, lambda: ask_check(
        db.session(), item, me(), agency=f.get("agency", ""), question=f.get("question", ""),
        without_parents_knowledge=f.get("without_parents_knowledge") == "yes", version=_version(),
        contact_details={name: f.get(name) for name in ("contact_name", "contact_role", "contact_details")},
        calendar=working_calendar(), settings=check_settings()),
        "Check recorded.", "#screening")


def _check_or_404(contact_id: int, check_id: int) -> AgencyCheck:
    check = db.session().get(AgencyCheck, check_id)
    if check is None or check.contact_id != contact_id:
        abort(404)
    return check


@bp.post("/contacts/<int:contact_id>/checks/<int:check_id>/response")
@permission("screen")
def check_response(contact_id: int, check_id: int):
    check = _check_or_404(contact_id, check_id)
    response = request.form.get("response", "")
    return _act(contact_id, lambda: record_response(db.session(), check, me(), response=response,
                                                    version=_version()), "Response recorded.", f"#check-{check_id}")


@bp.post("/contacts/<int:contact_id>/checks/<int:check_id>/chase")
@permission("screen")
def chase(contact_id: int, check_id: int):
    check = _check_or_404(contact_id, check_id)
    return _act(contact_id, lambda: chase_check(db.session(), check, me(), version=_version(),
                                                calendar=working_calendar(), settings=check_settings()),
                "Chase recorded. The check's due time has moved on.", f"#check-{check_id}")


@bp.post("/contacts/<int:contact_id>/checks/<int:check_id>/authorise")
@permission("authorise_checks")
def authorise(contact_id: int, check_id: int):
    check = _check_or_404(contact_id, check_id)
    return _act(contact_id, lambda: authorise_check(db.session(), check, me(), reason=request.form.get("reason", ""),
                                                    calendar=working_calendar(), settings=check_settings()),
                "Check authorised.", f"#check-{check_id}")


@bp.post("/contacts/<int:contact_id>/repeats/<int:match_id>")
@permission("screen")
def repeat_match(contact_id: int, match_id: int):
    item = _contact_or_404(contact_id)
    match = db.session().get(RepeatMatch, match_id)
    if match is None:
        abort(404)
    confirmed = request.form.get("confirm") == "yes"
    if match.contact_id != contact_id:
        abort(404)
    return _act(contact_id, lambda: decide_match(db.session(), match, item, me(), confirmed=confirmed,
                                                 version=_version()),
                "Match confirmed." if confirmed else "Match rejected.", "#repeats")


@bp.post("/contacts/<int:contact_id>/history-read")
@permission("screen")
def history_read(contact_id: int):
    item = _contact_or_404(contact_id)
    return _act(contact_id, lambda: acknowledge_history(db.session(), item, me(), version=_version()),
                "History acknowledged.",
                "#repeats")


@bp.post("/contacts/<int:contact_id>/decision")
@permission("decide")
def decide(contact_id: int):
    item = _contact_or_404(contact_id)
    f = request.form
    return _act(contact_id, lambda: record_decision(
        db.session(), item, me(), outcome=f.get("outcome", ""), level=f.get("level"), rationale=f.get("rationale"),
        sharing_decision=f.get("sharing_decision", ""), sharing_reason=f.get("sharing_reason"),
        primary_need=f.get("primary_need", ""), justification=f.get("justification"),
        feedback_message=f.get("feedback_message"), version=_version()),
        "Decision recorded. It now needs a manager's sign-off.", "#decision")


@bp.post("/contacts/<int:contact_id>/decisions/<int:decision_id>/review")
@permission("sign_off")
def review(contact_id: int, decision_id: int):
    decision = db.session().get(Decision, decision_id)
    if decision is None or decision.contact_id != contact_id:
        abort(404)
    approve = request.form.get("review") == "approve"
    return _act(contact_id, lambda: review_decision(
        db.session(), decision, me(), approve=approve, comments=request.form.get("comments"), version=_version(),
        calendar=working_calendar(), strategy=strategy_settings(),
        outstanding_reason=request.form.get("outstanding_reason")),
        "Decision signed off." if approve else "Decision returned to the practitioner.", "#decision")


@bp.post("/contacts/<int:contact_id>/strategy/<int:strategy_id>")
@permission("screen")
def strategy(contact_id: int, strategy_id: int):
    discussion = db.session().get(StrategyDiscussion, strategy_id)
    if discussion is None or discussion.contact_id != contact_id:
        abort(404)
    f = request.form
    attendees = [{"agency": a, "name": n, "role": r} for a, n, r in
                 zip(f.getlist("agency"), f.getlist("name"), f.getlist("role"), strict=False) if a]

    def record() -> None:
        try:
            held = dt.datetime.fromisoformat(f.get("held_at", "")).replace(tzinfo=LONDON)
        except ValueError:
            raise StaffError("Enter when the discussion was held, like 2026-11-27T14:30") from None
        record_strategy_discussion(db.session(), discussion, me(), attendees=attendees, held_at=held,
                                   outcome=f.get("outcome"))

    return _act(contact_id, record, "Strategy discussion recorded.", "#strategy")


def _typed_in(what_happened: object, conversations: Iterable[list[str]]) -> bool:
    """Whether 'what happened' is the person's first n messages joined: one running join per conversation, stopped
    once it is longer (a long crisis chat must not cost the square of its length on every view)."""
    if not isinstance(what_happened, str) or not what_happened:
        return False
    for written in conversations:
        joined = ""
        for text in written:
            joined = f"{joined}\n{text}" if joined else text
            if joined == what_happened:
                return True
            if len(joined) >= len(what_happened):
                break
    return False
