"""The Twilio webhooks. Set the number's "A message comes in" webhook to PUBLIC_BASE_URL + /sms/inbound (HTTP POST).

Every request is checked with Twilio's RequestValidator against the public URL (not the one this process
sees, which behind a proxy differs), and the account and our number are allow-listed, all before anything is
stored. No log line here carries a phone number or a word of a message.
"""

from __future__ import annotations

import logging

import phonenumbers
from flask import Blueprint, Response, abort, request
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.models import Message
from bot.pipeline import Inbound
from portal import conversation, db
from portal.config import settings

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__, url_prefix="/sms")
MAX_MEDIA = 10  # Twilio sends at most 10 attachments
MAX_ROW_ID = 2**31 - 1  # PostgreSQL's integer: a larger id would be a database error, not a missing reply


@bp.before_request
def _texts_on() -> None:
    # SMS_ENABLED=false: a council without a text number; its Twilio settings are then not required.
    if not settings().sms_enabled:
        abort(404)


def public_url() -> str:
    """The URL Twilio signed: the configured public base URL plus the path and query as received."""
    base = settings().public_base_url.rstrip("/")
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def _check_signature() -> None:
    token = settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    if not RequestValidator(token).validate(public_url(), request.form.to_dict(flat=True), signature):
        abort(403)


def _check_allowed(our_side: str) -> None:
    """Only our account, only our number (`To` of a message to us, `From` of our reply's status): a valid
    signature from another of the account's numbers is not ours to answer."""
    config = settings()
    if request.form.get("AccountSid") != config.twilio_account_sid:
        abort(403)
    if e164(request.form.get(our_side, "")) != e164(config.twilio_number):
        abort(403)


def e164(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number.strip()
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _twiml(replies: list[str], reply_id: int | None) -> Response:
    response = MessagingResponse()
    for text in replies:
        if reply_id is not None:
            action = f"{settings().public_base_url.rstrip('/')}/sms/status?reply={reply_id}"
            response.message(text, action=action, method="POST")
        else:
            response.message(text)
    return Response(str(response), mimetype="text/xml")


@bp.post("/inbound")
def inbound() -> Response:
    _check_signature()
    _check_allowed("To")
    sid = request.form.get("MessageSid") or request.form.get("SmsMessageSid")
    sender = request.form.get("From", "")
    if not sid or not sender:
        abort(400)
    try:
        count = min(int(request.form.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    media_types = tuple(request.form.get(f"MediaContentType{i}", "unknown")[:100] for i in range(count))
    outcome = conversation.handle(Inbound(channel="sms", sender=e164(sender), text=request.form.get("Body"),
                                          provider_sid=sid[:64], media_types=media_types))
    return _twiml(outcome.replies, outcome.reply_id)


@bp.post("/status")
def status() -> Response:
    """Delivery reports for our replies (the <Message action> callback): sent, delivered, failed, undelivered."""
    _check_signature()
    _check_allowed("From")
    state = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "")[:20]
    reply = request.args.get("reply", "")
    sid = (request.form.get("MessageSid") or request.form.get("SmsSid") or "")[:64]
    if not state or not (reply.isascii() and reply.isdigit()) or int(reply) > MAX_ROW_ID:
        abort(400)
    _record_delivery(int(reply), state, sid or None)
    if state in ("failed", "undelivered"):
        log.warning("reply %s was not delivered (%s)", reply, state)
    return Response(str(MessagingResponse()), mimetype="text/xml")


def _record_delivery(reply_id: int, state: str, sid: str | None) -> None:
    """Our reply's delivery state, and its Twilio sid when no other message holds it. A sid is unique (it is how
    a retried inbound message is known), so a report repeating one already stored (an inbound message's, or
    another reply's) keeps the state and drops the sid, rather than fail with an IntegrityError."""
    session = db.session()
    reply = (Message.id == reply_id) & (Message.direction == "out")
    try:
        session.execute(update(Message).where(reply).values(delivery_status=state, provider_sid=sid))
        session.commit()
    except IntegrityError:
        session.rollback()
        session.execute(update(Message).where(reply).values(delivery_status=state))
        session.commit()
        log.warning("reply %s: a delivery report repeated a message id already stored", reply_id)
