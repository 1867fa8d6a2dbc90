"""Attachments and the referrer's copy (issue 16, items 4 and 5), beside the journey they belong to.

Public: /report/attachments (a professional adds a body map and documents to their draft referral, from the check
page), /report/copy (after sending, the referrer's own session may open a printable copy), POST /notify/status
(GOV.UK Notify's delivery-status callback: a bounced receipt is recorded). Staff: a file is opened from the
contact page through /staff/contacts/<id>/attachments/<id>, which declares its permission and is audited.

Files are checked on their content (mash.attachments.sniff), never the name or declared type. A POST is all or
nothing: if any file in it is refused, none of it is kept, and the page says which and why.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from forms.drafts import Draft, load_draft, save_answers
from forms.referral import CONCERN, JOURNEYS
from forms.schema import Group
from mash import attachments as store
from mash.models import Attachment, Contact
from mash.receipts import record_delivery, should_receive
from portal import db
from portal.config import settings
from portal.extensions import csrf, limiter
from portal.journeys import answer_rows
from portal.staff import bp as staff_bp
from portal.staff import me, permission
from store.db import utcnow

bp = Blueprint("attachments", __name__)
JOURNEY = "report"  # a professional's referral; a family's own request for help has no attachments
PROBLEMS_KEY = "_attachment_problems"  # in the draft's answers; "_": never a question
UPLOAD_ENDPOINT = "attachments.upload"


def file_store() -> store.FileStore:
    return store.FileStore(Path(settings().instance_path) / "attachments")


def sweep_files(dbs: Any) -> int:
    """Remove the files no row names any more (drafts deleted or expired); the drafts job calls this."""
    removed = store.sweep(dbs, file_store())
    dbs.rollback()  # the sweep only read
    return removed


def _draft() -> Draft | None:
    return load_draft(db.session(), session.get(f"draft:{JOURNEY}"), JOURNEY)


def _eligible(draft: Draft | None) -> bool:
    return draft is not None and not draft.submitted_reference and \
        draft.answers.get("referrer_type") == "professional"


def _onward(draft: Draft) -> str:
    """After the upload page: the next question not yet answered (it is a step of the journey, after the concern),
    or the check page when everything is answered (files added or changed from there)."""
    step = JOURNEYS[JOURNEY].first_unanswered(draft.answers)
    return url_for(f"{JOURNEY}.check") if step is None else url_for(f"{JOURNEY}.page", slug=step.slug)


def _back(draft: Draft) -> str:
    """The Back link: the concern page while still going through the questions, else the check page."""
    if JOURNEYS[JOURNEY].first_unanswered(draft.answers) is None:
        return url_for(f"{JOURNEY}.check")
    return url_for(f"{JOURNEY}.page", slug=CONCERN.slug)


def _limit() -> int:
    cfg = settings()
    return cfg.attachment_max_bytes * (cfg.attachment_max_count + 1) + 256 * 1024


@bp.url_value_preprocessor
def _allow_uploads(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Files are larger than any journey page. This runs before the CSRF check reads the body, and raises the
    limit only for the upload page and only for a session with a professional's draft."""
    if endpoint == UPLOAD_ENDPOINT and request.method == "POST" and _eligible(_draft()):
        request.max_content_length = _limit()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge):
    if request.endpoint != UPLOAD_ENDPOINT:
        return render_template("error.html", status=413, title="Sorry, that was too much information to send at "
                               "once", advice="Go back and shorten your answer."), 413
    cfg = settings()
    session[PROBLEMS_KEY] = [("documents", f"The selected files must be smaller than "
                                           f"{store.limit_words(cfg.attachment_max_bytes)} each. Choose fewer or "
                                           "smaller files", "documents")]
    return redirect(url_for(UPLOAD_ENDPOINT))


# --- the draft's attachments ------------------------------------------------------------------------------------
def _upload_limit() -> str:
    return settings().submit_rate_limit  # an upload is as heavy as a submit: the same limit per address


@bp.route("/report/attachments", methods=["GET", "POST"], endpoint="upload")
@limiter.limit(_upload_limit, methods=["POST"])
def upload():
    draft = _draft()
    if not _eligible(draft):
        return redirect(url_for(f"{JOURNEY}.check"))
    assert draft is not None
    if request.method == "POST":
        problems, stay = _save(draft)
        if problems:
            # in the draft (encrypted), not the session cookie (signed, not encrypted): messages name the files
            dbs = db.session()
            save_answers(draft, {**draft.answers, PROBLEMS_KEY: [list(p) for p in problems]},
                         ttl=dt.timedelta(hours=settings().draft_ttl_hours))
            dbs.commit()
            return redirect(url_for(UPLOAD_ENDPOINT))  # post/redirect/get: Back never sends the files again
        if stay:
            return redirect(url_for(UPLOAD_ENDPOINT))
        return redirect(_onward(draft))
    problems = [tuple(p) for p in session.pop(PROBLEMS_KEY, [])]  # a request too large: no file named
    if PROBLEMS_KEY in draft.answers:
        problems += [tuple(p) for p in draft.answers[PROBLEMS_KEY]]
        save_answers(draft, {k: v for k, v in draft.answers.items() if k != PROBLEMS_KEY},
                     ttl=dt.timedelta(hours=settings().draft_ttl_hours))
        db.session().commit()
    cfg = settings()
    files = store.for_draft(db.session(), draft.id)
    return render_template(
        "attachments/upload.html", title="Add a body map or documents", problems=problems, back=_back(draft),
        errors={p[0]: p[1] for p in problems}, files=files, documents=[f for f in files if f.kind == "document"],
        body_map=next((f for f in files if f.kind == "body_map"), None), regions=store.REGIONS,
        max_count=cfg.attachment_max_count, max_size=store.limit_words(cfg.attachment_max_bytes),
        describe=store.describe, size_words=store.size_words, saved=get_flashed_messages(category_filter=["saved"]),
    ), (400 if problems else 200)


def _save(draft: Draft) -> tuple[list[tuple[str, str, str]], bool]:
    """Check everything in the POST first, then keep all of it or none of it."""
    cfg = settings()
    dbs = db.session()
    problems: list[tuple[str, str, str]] = []
    form, files = request.form, request.files
    stay = form.get("action") == "add"
    documents = [f for f in files.getlist("documents") if f and f.filename]
    checked: list[tuple[str, bytes, str, str]] = []  # (kind, data, content type, filename)

    existing = store.count_documents(dbs, draft.id)
    if existing + len(documents) > cfg.attachment_max_count:
        left = cfg.attachment_max_count - existing
        problems.append(("documents", f"You can attach up to {cfg.attachment_max_count} documents or photos. "
                         + (f"Choose {left} or fewer" if left > 0 else "Remove one before adding another"),
                         "documents"))
    else:
        for item in documents:
            try:
                data = item.stream.read(cfg.attachment_max_bytes + 1)
                kind = store.check_file(data, item.filename or "", max_bytes=cfg.attachment_max_bytes)
            except store.AttachmentProblem as problem:
                problems.append(("documents", str(problem), "documents"))
                continue
            checked.append(("document", data, store.TYPES[kind][1], item.filename or ""))

    body_map: tuple[str, bytes, str, str] | None = None
    drawn = (form.get("body_map_marks") or "").strip()
    regions = form.getlist("body_map_regions")
    map_file = files.get("body_map_file")
    if map_file is not None and map_file.filename:
        try:
            data = map_file.stream.read(cfg.attachment_max_bytes + 1)
            kind = store.check_file(data, map_file.filename, max_bytes=cfg.attachment_max_bytes)
            if kind == "docx":
                raise store.AttachmentProblem(f"The body map {store._shown_name(map_file.filename)}must be a "
                                              "photo or scan: a PDF, JPG or PNG")
            body_map = ("body_map", data, store.TYPES[kind][1], map_file.filename)
        except store.AttachmentProblem as problem:
            problems.append(("body_map_file", str(problem), "body_map_file"))
    elif drawn not in ("", "[]") or regions:
        try:
            marks = store.parse_marks(drawn) if drawn not in ("", "[]") else []
            note = (form.get("body_map_note") or "").strip()
            if len(note) > store.MAX_NOTE * 5:
                raise store.AttachmentProblem(f"The description of the marks must be {store.MAX_NOTE * 5} "
                                              "characters or fewer")
            marks += store.parse_marks([{"region": r, "note": ""} for r in regions])
            body_map = ("body_map", store.body_map_json(marks, note), store.BODY_MAP_JSON, "")
        except store.AttachmentProblem as problem:
            problems.append(("body_map_regions", str(problem), "body_map_regions"))

    if problems:
        return problems, stay
    if not checked and body_map is None and not stay:
        return [], False  # nothing chosen: attachments are optional, carry on
    if not checked and body_map is None:
        return [("documents", "Select a file to add", "documents")], stay
    fs = file_store()
    written: list[str] = []
    replaced: list[str] = []
    try:
        if body_map is not None:
            for old in store.for_draft(dbs, draft.id):
                if old.kind == "body_map":
                    replaced.append(store.remove(dbs, old))
        for kind, data, content_type, filename in ([body_map] if body_map else []) + checked:
            row = store.add(dbs, fs, draft_id=draft.id, kind=kind, data=data, content_type=content_type,
                            filename=filename or None)
            written.append(row.blob_name)
        draft.updated_at = utcnow()
        dbs.commit()
    except Exception:
        dbs.rollback()
        for name in written:  # nothing half-saved: the files of a failed save go with it
            fs.remove(name)
        raise
    for name in replaced:
        fs.remove(name)
    count = len(checked) + (1 if body_map else 0)
    flash(f"{count} {'file' if count == 1 else 'files'} added", "saved")
    return [], stay


@bp.route("/report/attachments/<int:attachment_id>/remove", methods=["POST"], endpoint="remove")
@limiter.limit(_upload_limit)
def remove(attachment_id: int):
    draft = _draft()
    if not _eligible(draft):
        return redirect(url_for(f"{JOURNEY}.check"))
    assert draft is not None
    dbs = db.session()
    row = dbs.get(Attachment, attachment_id)
    if row is None or row.draft_id != draft.id:  # another session's file is simply not there
        return redirect(url_for(UPLOAD_ENDPOINT))
    name = store.remove(dbs, row)
    dbs.commit()
    file_store().remove(name)
    flash("File removed", "saved")
    return redirect(url_for(UPLOAD_ENDPOINT))


@bp.app_template_global()
def draft_attachments(journey_name: str) -> dict[str, Any] | None:
    """For the check page: what the draft has attached, or None where attachments do not apply."""
    if journey_name != JOURNEY:
        return None
    draft = _draft()
    if not _eligible(draft):
        return None
    assert draft is not None
    files = store.for_draft(db.session(), draft.id)
    return {"files": [(store.describe(f), f.filename or "", store.size_words(f.size)) for f in files],
            "href": url_for(UPLOAD_ENDPOINT)}


# --- the referrer's copy ------------------------------------------------------------------------------------------
def _sent_contact() -> Contact | None:
    """The referral this browser session sent, while a copy may still be opened (as long as a draft is kept)."""
    reference = session.get(f"submitted:{JOURNEY}")
    if not reference:
        return None
    contact = db.session().scalar(select(Contact).where(Contact.reference == reference))
    if contact is None or contact.referrer_type != "professional":
        return None
    if contact.received_at + dt.timedelta(hours=settings().draft_ttl_hours) < utcnow():
        return None
    return contact


@bp.route("/report/copy", methods=["GET"], endpoint="copy")
def copy():
    """A printable check-your-answers page of what was sent. Only the session that sent it, only a professional
    (a printed copy of a family member's disclosure could be found at home), only for a day."""
    contact = _sent_contact()
    if contact is None:
        return redirect(url_for(f"{JOURNEY}.start"))
    journey = JOURNEYS[contact.journey]
    files = store.for_contact(db.session(), contact.id)
    return render_template("attachments/copy.html", title=f"Your referral {contact.reference}", contact=contact,
                           sections=summary(journey, contact.answers or {}),
                           files=[(store.describe(f), f.filename or "", store.size_words(f.size)) for f in files],
                           receipt=should_receive(contact))


@bp.app_template_global()
def referral_copy_link(contact: Contact) -> str | None:
    """For the confirmation page: where the referrer may print a copy, if they may."""
    current = _sent_contact()
    return url_for("attachments.copy") if current is not None and current.id == contact.id else None


@bp.app_template_global()
def receipt_promised(contact: Contact) -> bool:
    return should_receive(contact)


def summary(journey: Any, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Each applicable step's questions and answers, as on the check page, without the change links."""
    sections = []
    for step in journey.applicable_steps(answers):
        if step is journey.steps[0]:
            continue
        if isinstance(step, Group):
            for i, item in enumerate(answers.get(step.name) or [], start=1):
                sections.append({"title": step.describe(item) or f"{step.noun.capitalize()} {i}",
                                 "rows": answer_rows(step.item_page, item, {**answers, **item})})
        else:
            sections.append({"title": step.title, "rows": answer_rows(step, answers, answers)})
    return [s for s in sections if s["rows"]]


# --- GOV.UK Notify's delivery-status callback ------------------------------------------------------------------
@bp.route("/notify/status", methods=["POST"], endpoint="notify_status")
@csrf.exempt
def notify_status():
    """Notify posts each message's final status here with the bearer token set in its settings. A bounce marks
    the message failed and is audited; nothing else changes. Unknown messages get 200 too, so Notify stops."""
    token = settings().notify_callback_token
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        abort(404)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        return Response(status=400)
    dbs = db.session()
    recorded = record_delivery(dbs, str(body.get("reference") or ""), str(body.get("status") or ""))
    dbs.commit()
    return {"recorded": recorded}


# --- staff: the files on a contact --------------------------------------------------------------------------------
@staff_bp.route("/contacts/<int:contact_id>/attachments/<int:attachment_id>", endpoint="attachment")
@permission("view_contacts")
def staff_attachment(contact_id: int, attachment_id: int):
    dbs = db.session()
    row = dbs.get(Attachment, attachment_id)
    if row is None or row.contact_id != contact_id:
        abort(404)
    try:
        data = store.open_for_staff(dbs, file_store(), row, staff_id=me().id)
    except (InvalidTag, OSError, ValueError):
        dbs.rollback()  # changed on disk, or gone: say so, never a half-read file or a 500
        return render_template("error.html", status=410, title="This file cannot be opened",
                               advice="It has been changed or removed since it was sent. Ask the referrer to "
                                      "send it again."), 410
    dbs.commit()
    if row.content_type == store.BODY_MAP_JSON:
        drawn = json.loads(data)
        marks = drawn.get("marks", []) if isinstance(drawn, dict) else drawn
        note = drawn.get("note", "") if isinstance(drawn, dict) else ""
        contact = dbs.get(Contact, contact_id)
        return render_template("attachments/staff_body_map.html", title="Body map", contact=contact, marks=marks,
                               note=note, region_names=store.REGION_NAMES, attachment=row)
    extension = next((k for k, (_, ctype) in store.TYPES.items() if ctype == row.content_type), "bin")
    response = Response(data, mimetype=row.content_type)
    # Always a download, named by the contact and file number, never the referrer's own file name (it may name
    # the child); the browser is told not to guess the type, and the content may run nothing.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="attachment-{contact_id}-{row.id}.{"jpg" if extension == "jpeg" else extension}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def attachments_for(contact: Contact) -> list[dict[str, Any]]:
    """For the staff contact page (staff/_attachments.html): what was attached, never the content."""
    rows = store.for_contact(db.session(), contact.id)
    return [{"id": r.id, "what": store.describe(r), "name": r.filename or "", "size": store.size_words(r.size),
             "href": url_for("staff.attachment", contact_id=contact.id, attachment_id=r.id)} for r in rows]
