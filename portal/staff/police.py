"""Police notifications, return home interviews and out-of-hours handovers in the MASH workspace (issue 6).

Views are thin: the rules live in mash.police, mash.missing and mash.handover. Every route declares its
permission; every change is one transaction, and a refusal comes back as a message on the page, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from mash import audit, handover, missing, police
from mash.clock import describe_due, describe_time_left
from mash.models import (
    DomesticAbuseNotification,
    GradeChange,
    Handover,
    MissingEpisode,
    PolicePartner,
    ReturnInterview,
    TriageMeeting,
)
from mash.police import encompass
from mash.staff import StaffError, can
from portal import db
from portal.config import settings, working_calendar
from portal.staff import bp, me, permission
from store.db import utcnow

UPLOAD_ENDPOINT = "staff.police_upload"


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """A CSV of notifications is larger than any form page. This runs before the CSRF check parses the body, and
    raises the limit only for a signed-in person allowed to upload: nobody else can make us read 16 MB."""
    if endpoint == UPLOAD_ENDPOINT and request.method == "POST" and current_user.is_authenticated \
            and can(me(), "import_notifications"):
        request.max_content_length = settings().police_csv_max_bytes


def _settings() -> police.PoliceSettings:
    return settings().police


def _missing_settings() -> missing.MissingSettings:
    return settings().missing


def _local(value: str | None, message: str) -> dt.datetime:
    """A datetime-local field ("2026-11-27T14:30"), in the council's own time zone (the working calendar's)."""
    try:
        return dt.datetime.fromisoformat((value or "").strip()).replace(tzinfo=working_calendar().tz)
    except ValueError:
        raise StaffError(message) from None


PAGE = 200  # rows on a page of interviews or handovers


def _page() -> int:
    """?page=N, from 0; anything else is the first page."""
    try:
        return max(0, min(int(request.args.get("page", "0")), 10_000))
    except ValueError:
        return 0


def _act(action: Callable[[], Any], success: str, target: str) -> Any:
    dbs = db.session()
    try:
        action()
        dbs.commit()
    except StaffError as exc:
        dbs.rollback()
        flash(str(exc), "error")
    else:
        flash(success, "success")
    return redirect(target)


def _or_404(model: type, ident: int) -> Any:
    item = db.session().get(model, ident)
    if item is None:
        abort(404)
    return item


# --- Domestic abuse triage --------------------------------------------------------------------------------------


@bp.get("/police")
@permission("view_notifications")
def police_queue():
    now = utcnow()
    calendar = working_calendar()
    page = police.triage_page(db.session(), after=request.args.get("after"))
    schools = encompass.queue_flags(db.session(), page.notifications, now=now, calendar=calendar,
                                    settings=settings().encompass)
    rows = [{"n": n, "overdue": n.due_at < now and n.status == "new",
             "time_left": describe_time_left(calendar.working_seconds_between(now, n.due_at)),
             "school": schools.get(n.id)}
            for n in page.notifications]
    return render_template("staff/police/triage.html", title="Domestic abuse notifications", rows=rows,
                           next_cursor=page.next_cursor, grades=police.GRADES)


@bp.get("/police/notifications/<int:notification_id>")
@permission("view_notifications")
def police_notification(notification_id: int):
    dbs = db.session()
    n = _or_404(DomesticAbuseNotification, notification_id)
    audit.record(dbs, event="police.notification_viewed", actor=f"staff:{me().id}",
                 details={"notification_id": n.id})
    dbs.commit()
    changes = dbs.query(GradeChange).filter_by(notification_id=n.id).order_by(GradeChange.id).all()
    meeting = dbs.query(TriageMeeting).filter_by(notification_id=n.id).one_or_none()
    return render_template(
        "staff/police/notification.html", title=f"Notification {n.police_reference}", n=n,
        history=police.household_history(dbs, n, _settings()), changes=changes, meeting=meeting,
        due=describe_due(n.due_at, working_calendar()), grades=police.GRADES, decisions=police.CHILD_DECISIONS,
        consent_options=police.EARLY_HELP_CONSENT, consent_authorities=police.CONSENT_AUTHORITY,
        agencies=police.TRIAGE_AGENCIES, now=utcnow(),
        schools=encompass.schools(dbs, n, calendar=working_calendar(), settings=settings().encompass),
        school_sources=encompass.SOURCES)


def _position(form: Any, message: str) -> int:
    """The child a form is about, by its position on the notification; `message` when none was chosen."""
    try:
        return int(form.get("position", ""))
    except ValueError:
        raise StaffError(message) from None


@bp.post("/police/notifications/<int:notification_id>/school-told")
@permission("triage_notifications")
def police_school_told(notification_id: int):
    n = _or_404(DomesticAbuseNotification, notification_id)
    f = request.form

    def record() -> None:
        encompass.record_school_told(db.session(), n, me(),
                                     position=_position(f, "Select the child whose school was told"),
                                     school=f.get("school"),
                                     told_at=_local(f.get("told_at"), "Enter when the school was told"),
                                     calendar=working_calendar(), settings=settings().encompass)

    return _act(record, "School told: recorded (Operation Encompass).",
                url_for("staff.police_notification", notification_id=n.id) + "#encompass")


@bp.post("/police/notifications/<int:notification_id>/grade")
@permission("triage_notifications")
def police_grade(notification_id: int):
    n = _or_404(DomesticAbuseNotification, notification_id)
    return _act(lambda: police.change_grade(db.session(), n, me(), grade=request.form.get("grade", ""),
                                            reason=request.form.get("reason"), calendar=working_calendar(),
                                            settings=_settings()),
                "Grade changed.", url_for("staff.police_notification", notification_id=n.id))


@bp.post("/police/notifications/<int:notification_id>/meeting")
@permission("triage_notifications")
def police_meeting(notification_id: int):
    n = _or_404(DomesticAbuseNotification, notification_id)
    f = request.form
    attendees = [{"agency": a, "name": name, "role": r} for a, name, r in
                 zip(f.getlist("agency"), f.getlist("name"), f.getlist("role"), strict=False) if a]

    def record() -> None:
        decisions = [police.ChildDecision(position=c.position, decision=f.get(f"decision-{c.position}", ""),
                                          consent=f.get(f"consent-{c.position}") or None,
                                          consent_by=f.get(f"consent-by-{c.position}"),
                                          consent_authority=f.get(f"consent-authority-{c.position}") or None,
                                          note=f.get(f"note-{c.position}"))
                     for c in n.children]
        police.record_triage_meeting(db.session(), n, me(), attendees=attendees, decisions=decisions,
                                     held_at=_local(f.get("held_at"), "Enter when the meeting was held"),
                                     calendar=working_calendar())

    return _act(record, "Triage meeting recorded.", url_for("staff.police_notification", notification_id=n.id))


@bp.post("/police/notifications/<int:notification_id>/consent")
@permission("triage_notifications")
def police_consent(notification_id: int):
    n = _or_404(DomesticAbuseNotification, notification_id)
    f = request.form

    def record() -> None:
        police.record_consent(db.session(), n, me(), position=_position(f, "Select the child"),
                              consent=f.get("consent", ""),
                              consent_by=f.get("consent_by"), consent_authority=f.get("consent_authority") or None)

    return _act(record, "Early help agreement recorded.", url_for("staff.police_notification", notification_id=n.id))


@bp.route("/police/upload", methods=["GET", "POST"])
@permission("import_notifications")
def police_upload():
    report = None
    partners = db.session().scalars(select(PolicePartner).where(PolicePartner.active.is_(True))
                                    .order_by(PolicePartner.name)).all()
    if request.method == "POST":
        chosen = request.form.get("partner_id", "")
        partner_id = next((p.id for p in partners if str(p.id) == chosen), None)
        if chosen and partner_id is None:
            flash("Choose the force whose references the file carries", "error")
            return redirect(url_for("staff.police_upload"))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Choose a CSV file of notifications", "error")
            return redirect(url_for("staff.police_upload"))
        try:
            lines = police.read_upload(upload.read())
        except UnicodeDecodeError:
            flash("The file must be a CSV saved as UTF-8", "error")
            return redirect(url_for("staff.police_upload"))
        report = police.import_csv(db.session(), lines, source=f"csv:staff:{me().id}", actor=f"staff:{me().id}",
                                   calendar=working_calendar(), settings=_settings(),
                                   missing_settings=_missing_settings(), partner_id=partner_id)
    return render_template("staff/police/upload.html", title="Upload police notifications", report=report,
                           columns=police.CSV_COLUMNS, partners=partners)


# --- Missing children: return home interviews -------------------------------------------------------------------

INTERVIEW_VIEWS = {"open": "Open", "overdue": "Overdue", "all": "All"}


@bp.get("/missing")
@permission("view_notifications")
def missing_list():
    view = request.args.get("view", "open")
    view = view if view in INTERVIEW_VIEWS else "open"
    now = utcnow()
    dbs = db.session()
    page = _page()
    rows = missing.interviews(dbs, view=view, now=now, limit=PAGE + 1, offset=page * PAGE)
    return render_template("staff/police/missing.html", title="Return home interviews", view=view,
                           views=INTERVIEW_VIEWS, interviews=rows[:PAGE], page=page, more=len(rows) > PAGE,
                           awaiting=missing.episodes_awaiting_return(dbs), statuses=missing.STATUSES, now=now)


@bp.get("/missing/<int:episode_id>")
@permission("view_notifications")
def missing_episode(episode_id: int):
    dbs = db.session()
    episode = _or_404(MissingEpisode, episode_id)
    audit.record(dbs, event="missing.episode_viewed", actor=f"staff:{me().id}", details={"episode_id": episode.id})
    dbs.commit()
    return render_template("staff/police/episode.html", title=f"Missing episode {episode.police_reference}",
                           e=episode, i=episode.interview, statuses=missing.STATUSES, now=utcnow(),
                           steps=sorted(step for step, before in missing.TRANSITIONS.items()
                                        if episode.interview and episode.interview.status in before))


@bp.post("/missing/<int:episode_id>/return")
@permission("return_interviews")
def missing_return(episode_id: int):
    episode = _or_404(MissingEpisode, episode_id)

    def record() -> None:
        missing.record_return(db.session(), episode, actor=f"staff:{me().id}",
                              returned_at=_local(request.form.get("returned_at"), "Enter when the child came back"),
                              return_kind=request.form.get("return_kind", ""), settings=_missing_settings())

    return _act(record, "Return recorded: the return home interview is due in 72 hours.",
                url_for("staff.missing_episode", episode_id=episode.id))


@bp.post("/missing/interviews/<int:interview_id>")
@permission("return_interviews")
def missing_interview(interview_id: int):
    interview = _or_404(ReturnInterview, interview_id)
    f = request.form

    def record() -> None:
        when = _local(f.get("at"), "Enter when it happened") if f.get("at") else None
        missing.record_interview_step(db.session(), interview, me(), step=f.get("step", ""), at=when,
                                      notes=f.get("notes"))

    return _act(record, "Return home interview updated.", url_for("staff.missing_episode",
                                                                  episode_id=interview.episode_id))


# --- Out-of-hours handovers ------------------------------------------------------------------------------------


@bp.get("/handovers")
@permission("view_contacts")
def handover_list():
    now = utcnow()
    page = _page()
    # Contacts that simply arrived out of hours, with nothing recorded, are left out unless asked for (?all=1):
    # they wait in the MASH queue; the list is for what the emergency duty team wrote.
    show_all = request.args.get("all") == "1"
    rows = handover.day_team_queue(db.session(), limit=PAGE + 1, offset=page * PAGE, with_nothing_recorded=show_all)
    return render_template("staff/police/handovers.html", title="Out-of-hours handovers", handovers=rows[:PAGE],
                           page=page, more=len(rows) > PAGE, now=now, show_all=show_all,
                           nothing_recorded=handover.count_arrived_with_nothing(db.session()))


@bp.route("/handovers/new", methods=["GET", "POST"])
@permission("out_of_hours")
def handover_new():
    if request.method == "POST":
        dbs = db.session()
        try:
            item = handover.record_call(dbs, me(), values=request.form.to_dict(), calendar=working_calendar(),
                                        received_at=_local(request.form.get("received_at"),
                                                           "Enter when the call came in"))
            dbs.commit()
        except StaffError as exc:
            dbs.rollback()
            flash(str(exc), "error")
            return render_template("staff/police/handover_new.html", title="Record an out-of-hours call",
                                   fields=handover.FIELDS, child_fields=handover.CHILD_FIELDS,
                                   values=request.form), 400
        flash(f"Call recorded: contact {item.contact.reference if item.contact else ''} is in the MASH queue. "
              "Complete the handover when you have recorded why.", "success")
        return redirect(url_for("staff.handover_detail", handover_id=item.id))
    return render_template("staff/police/handover_new.html", title="Record an out-of-hours call",
                           fields=handover.FIELDS, child_fields=handover.CHILD_FIELDS, values={})


@bp.get("/handovers/<int:handover_id>")
@permission("view_contacts")
def handover_detail(handover_id: int):
    item = _or_404(Handover, handover_id)
    audit.record(db.session(), event="handover.viewed", actor=f"staff:{me().id}", contact_id=item.contact_id,
                 details={"handover_id": item.id})
    db.session().commit()
    return render_template("staff/police/handover.html", title="Out-of-hours handover", h=item,
                           fields=handover.FIELDS, child=handover.child_label(item),
                           values={name: getattr(item, name) for name in handover.FIELDS},
                           due=describe_due(item.due_at, working_calendar()), now=utcnow())


@bp.post("/handovers/<int:handover_id>/complete")
@permission("out_of_hours")
def handover_complete(handover_id: int):
    item = _or_404(Handover, handover_id)
    values = dict[str, str | None](request.form.to_dict())
    return _act(lambda: handover.complete(db.session(), item, me(), values=values),
                "Handover completed: the day team will see it.", url_for("staff.handover_detail", handover_id=item.id))


@bp.post("/handovers/<int:handover_id>/acknowledge")
@permission("view_contacts")
def handover_acknowledge(handover_id: int):
    item = _or_404(Handover, handover_id)
    return _act(lambda: handover.acknowledge(db.session(), item, me()), "Handover taken by the day team.",
                url_for("staff.handover_list"))
