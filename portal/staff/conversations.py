"""The conversation inbox (issue 13): every open text and web chat conversation, ranked by risk and by how long the
person has waited for a person; a practitioner takes one, replies in the person's own channel, and hands it back,
passes it on or ends it. Views are thin: the rules live in bot/takeover.py."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import phonenumbers
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from bot import conversations, takeover
from bot.models import Conversation
from mash.models import StaffUser
from portal import db
from portal.config import settings, working_calendar
from portal.senders import text_transport
from portal.staff import bp, me, permission
from store.db import utcnow

log = logging.getLogger(__name__)


def _conversation_or_404(public_id: str) -> Conversation:
    if not (len(public_id) == 32 and public_id.isalnum()):
        abort(404)
    found = conversations.by_public_id(db.session(), public_id)
    if found is None:
        abort(404)
    return found


SHOW_AT_MOST = 1000


def _shown() -> int:
    """How many rows the inbox shows: the setting, or more when asked for (?show=100), at most 1,000."""
    config = settings()
    asked = request.args.get("show", "")
    return min(max(int(asked), config.inbox_rows), SHOW_AT_MOST) if asked.isdigit() and len(asked) < 6 \
        else config.inbox_rows


def _inbox() -> tuple[list[takeover.InboxRow], int]:
    config, now = settings(), utcnow()
    return takeover.inbox(db.session(), now=now, idle=dt.timedelta(hours=config.conversation_idle_hours),
                          limit=_shown(), office_hours=working_calendar().is_office_hours(now),
                          reply_within=dt.timedelta(minutes=config.person_reply_minutes))


def describe_wait(waited: dt.timedelta | None) -> str:
    if waited is None:
        return ""
    minutes = int(waited.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m" if hours < 48 else f"{hours // 24} days"


@bp.get("/conversations")
@permission("view_contacts")
def conversation_inbox() -> str:
    rows, total = _inbox()
    now = utcnow()
    return render_template("staff/conversations.html", rows=rows, total=total, describe_wait=describe_wait,
                           show=_shown(), step=settings().inbox_rows, show_at_most=SHOW_AT_MOST,
                           office_hours=working_calendar().is_office_hours(now),
                           out_of_hours_number=settings().out_of_hours_number,
                           reply_minutes=settings().person_reply_minutes)


@bp.get("/conversations/rows")
@permission("view_contacts")
def conversation_rows() -> str:
    """The inbox's table body, for the page's script to swap in without a reload."""
    rows, total = _inbox()
    return render_template("staff/_conversation_rows.html", rows=rows, total=total, describe_wait=describe_wait,
                           show=_shown(), step=settings().inbox_rows, show_at_most=SHOW_AT_MOST)


@bp.get("/conversations/alerts")
@permission("view_contacts")
def conversation_alerts() -> Any:
    """What every workspace page's script asks every few seconds: danger conversations waiting for a person."""
    waiting, newest = takeover.danger_waiting(db.session())
    response = jsonify({"danger_waiting": waiting, "newest": newest,
                        "url": url_for("staff.conversation_page", public_id=newest) if newest else None})
    response.headers["Cache-Control"] = "no-store"
    return response


def phone_for_staff(number: str | None) -> str | None:
    """A texter's number as staff dial it (07700 900123; international numbers in full)."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    style = phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 44 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def _page(conversation: Conversation, **extra: Any) -> str:
    dbs = db.session()
    now = utcnow()
    user = me()
    phone = phone_for_staff(conversation.phone) if conversation.channel == "sms" else None
    colleagues = dbs.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                     StaffUser.role.in_(("practitioner", "manager")),
                                                     StaffUser.id != user.id).order_by(StaffUser.name)).all()
    holder = dbs.get(StaffUser, conversation.held_by_id) if takeover.holder_active(conversation, now=now) else None
    return render_template(
        "staff/conversation.html", conversation=conversation, lines=takeover.transcript(dbs, conversation),
        holds=takeover.holds(conversation, user, now=now), holder=holder, colleagues=colleagues,
        ready=takeover.ready_replies(dbs), texting=takeover.texting_check(conversation, phone=phone), phone=phone,
        not_safe_to_text=takeover.not_safe_to_text(conversation),
        contacts=conversations.linked_contacts(dbs, conversation), end_reasons=takeover.END_REASONS,
        child=takeover.child_summary(conversation.state or {}), describe_wait=describe_wait,
        waited=(now - conversation.waiting_since) if conversation.waiting_since else None,
        max_segments=takeover.MAX_SEGMENTS, max_chat=takeover.MAX_CHAT_REPLY, **extra)


@bp.get("/conversations/<public_id>")
@permission("view_contacts")
def conversation_page(public_id: str) -> str:
    return _page(_conversation_or_404(public_id), text="", errors={}, unsent=False, override_reason="", end_reason="",
                 end_note="")


@bp.get("/conversations/<public_id>/messages")
@permission("view_contacts")
def conversation_messages(public_id: str) -> str:
    """The transcript alone, for the page's script to keep up with the person's messages."""
    conversation = _conversation_or_404(public_id)
    return render_template("staff/_transcript.html", lines=takeover.transcript(db.session(), conversation))


def _act(public_id: str, action: Callable[[Conversation], Any], success: str | None) -> ResponseReturnValue:
    """One action in one transaction; a refusal is a message on the page, never a 500."""
    conversation = _conversation_or_404(public_id)
    dbs = db.session()
    try:
        action(conversation)
        dbs.commit()
    except takeover.TakeoverError as exc:
        dbs.rollback()
        flash(str(exc), "error")
    else:
        if success:
            flash(success, "success")
    return redirect(url_for("staff.conversation_page", public_id=public_id))


@bp.post("/conversations/<public_id>/take")
@permission("converse")
def conversation_take(public_id: str) -> ResponseReturnValue:
    return _act(public_id, lambda c: takeover.take(db.session(), c, me()),
                "You have this conversation. The assistant is paused until you hand it back")


@bp.post("/conversations/<public_id>/reply")
@permission("converse")
def conversation_reply(public_id: str) -> ResponseReturnValue:
    conversation = _conversation_or_404(public_id)
    dbs = db.session()
    text = request.form.get("message") or request.form.get("ready") or ""
    try:
        message = takeover.send_reply(dbs, conversation, me(), text,
                                      override_reason=request.form.get("override_reason", ""))
        dbs.commit()
    except takeover.TakeoverError as exc:
        dbs.rollback()
        dbs.refresh(conversation)
        # The practitioner's words stay on the page (in the box, or shown to copy when they may not send
        # here): nothing typed is lost to a refusal. The error names the field it belongs to.
        return _page(conversation, text=text[:2000], errors={exc.field or "page": str(exc)},
                     override_reason=request.form.get("override_reason", "")[:300], unsent=True, end_reason="",
                     end_note=""), 400
    if conversation.channel == "sms":
        _send_now(message.id)
    return redirect(url_for("staff.conversation_page", public_id=public_id, _anchor="latest"))


def _send_now(message_id: int) -> None:
    """Try at once, so the practitioner sees it sent; the worker retries what did not go."""
    base = settings().public_base_url.rstrip("/")
    status = takeover.deliver(db.session(), message_id, text_transport(settings()),
                              status_callback=f"{base}/sms/status?reply={message_id}")
    if status in ("not_sent", "failed"):
        flash("Your text has not gone yet: Twilio did not take it. It is kept and will be tried again "
              "automatically; the transcript shows when it is sent", "error")


@bp.post("/conversations/<public_id>/hand-back")
@permission("converse")
def conversation_hand_back(public_id: str) -> ResponseReturnValue:
    sent: list[int] = []

    def hand_back(conversation: Conversation) -> None:
        message = takeover.hand_back(db.session(), conversation, me())
        if message is not None and conversation.channel == "sms":
            sent.append(message.id)

    response = _act(public_id, hand_back, "The assistant has the conversation again. It has told them so, and "
                                          "asked again the question it had reached")
    for message_id in sent:
        _send_now(message_id)
    return response


@bp.post("/conversations/<public_id>/pass")
@permission("converse")
def conversation_pass(public_id: str) -> ResponseReturnValue:
    value = request.form.get("colleague", "")
    colleague = db.session().get(StaffUser, int(value)) if value.isdigit() and len(value) < 10 else None

    def pass_it(conversation: Conversation) -> None:
        if colleague is None:
            raise takeover.TakeoverError("Choose who to pass this conversation to")
        takeover.pass_to(db.session(), conversation, me(), colleague)

    return _act(public_id, pass_it, f"Passed to {colleague.name}" if colleague else None)


@bp.post("/conversations/<public_id>/end")
@permission("converse")
def conversation_end(public_id: str) -> ResponseReturnValue:
    conversation = _conversation_or_404(public_id)
    dbs = db.session()
    reason, note = request.form.get("reason", "")[:30], request.form.get("note", "")[:2000]
    try:
        takeover.end(dbs, conversation, me(), reason=reason, note=note)
        dbs.commit()
    except takeover.TakeoverError as exc:
        dbs.rollback()
        dbs.refresh(conversation)
        # The choice and the words stay on the page; the error links to the field it is about.
        return _page(conversation, text="", errors={exc.field or "page": str(exc)}, unsent=False,
                     override_reason="", end_reason=reason, end_note=note), 400
    flash("The conversation has ended. It opens again if the person writes, or if you or a colleague take it",
          "success")
    return redirect(url_for("staff.conversation_page", public_id=public_id))


@bp.post("/conversations/<public_id>/contact")
@permission("converse")
def conversation_contact(public_id: str) -> ResponseReturnValue:
    conversation = _conversation_or_404(public_id)
    dbs = db.session()
    try:
        contact = takeover.link_contact(dbs, conversation, me(), calendar=working_calendar())
        dbs.commit()
    except takeover.TakeoverError as exc:
        dbs.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.conversation_page", public_id=public_id))
    return redirect(url_for("staff.contact", contact_id=contact.id))


@bp.route("/conversations/ready-replies", methods=["GET", "POST"])
@permission("edit_ready_replies")
def ready_replies() -> ResponseReturnValue:
    dbs = db.session()
    error = None
    if request.method == "POST":
        texts = request.form.get("replies", "").split("\n")
        try:
            takeover.save_ready_replies(dbs, me(), texts)
            dbs.commit()
            flash("Ready replies saved", "success")
            return redirect(url_for("staff.ready_replies"))
        except takeover.TakeoverError as exc:
            dbs.rollback()
            error = str(exc)
        return render_template("staff/ready_replies.html", text=request.form.get("replies", ""), error=error), 400
    return render_template("staff/ready_replies.html",
                           text="\n".join(r.text for r in takeover.ready_replies(dbs)), error=None)
