"""The portal API the Rasa actions call (and any partner system could): check an answer, hand off a referral.

Authenticated with a bearer token (BOT_API_TOKEN); JSON in and out; no cookies, so no CSRF. The actions run
in Rasa's own Python and never import this code: the referral schema stays in one place (forms/), and a
texted answer is cleaned by the same Field.clean as a typed one.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from bot import answers as words
from bot import conversations
from bot.handoff import BOT_JOURNEYS, KINDS, bot_fields, clean_answers, shape
from forms.consent import family_consent
from forms.schema import FieldError, london_today
from mash.intake import DuplicateSubmission, find_by_idempotency_key
from portal import db
from portal.config import working_calendar
from store.db import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("bot_api", __name__, url_prefix="/api/bot")

def _error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"status": status, "message": message, **extra})
    response.status_code = status
    return response


@bp.before_request
def _authenticate() -> Response | None:
    expected = current_app.config["BOT_API_TOKEN"]
    given = request.headers.get("Authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return _error(401, "A valid bearer token is required")
    return None


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _journey(body: dict[str, Any]) -> str | None:
    journey = body.get("journey")
    return journey if journey in BOT_JOURNEYS else None


@bp.post("/check")
def check() -> Response:
    """One answer: {"journey", "field", "value"} -> {"ok": true, "value"} or {"ok": false, "message"}."""
    body = _body()
    journey = _journey(body)
    if journey is None:
        return _error(400, "journey must be one of: " + ", ".join(BOT_JOURNEYS))
    field = bot_fields(journey).get(str(body.get("field")))
    if field is None:
        return _error(400, "Unknown field for this journey")
    today = london_today()
    try:
        value = field.clean(words.interpret(field, body.get("value"), today=today), today=today)
    except FieldError as exc:
        if field.kind == "checkboxes":  # by text, the bot offers a numbered menu
            return jsonify({"ok": False, "message": "Reply with one or more numbers from the list, like 1, or 2 and 4"})
        return jsonify({"ok": False, "message": str(exc)})
    if value is None and field.kind not in ("checkboxes",):
        return jsonify({"ok": True, "value": None})
    return jsonify({"ok": True, "value": value})


@bp.post("/handoff")
def handoff() -> Response:
    """{"conversation_id", "journey", "answers"} -> a MASH contact with the conversation's transcript."""
    body = _body()
    journey = _journey(body)
    if journey is None:
        return _error(400, "journey must be one of: " + ", ".join(BOT_JOURNEYS))
    session = db.session()
    conversation = conversations.by_public_id(session, str(body.get("conversation_id") or ""))
    if conversation is None:
        return _error(404, "Unknown conversation")
    given = body.get("answers")
    if not isinstance(given, dict):
        return _error(400, "answers must be an object")
    fields = bot_fields(journey)
    unknown = sorted(k for k in given if k not in fields)
    if unknown:
        return _error(400, "Unknown fields for this journey", fields=unknown)
    answers, problems = clean_answers(journey, given, today=london_today())
    if problems:
        return _error(422, "Some answers are not valid", problems=problems)
    answers = shape(journey, answers)
    if journey == "help":
        refused = family_consent(answers)
        if refused:  # early help never proceeds without recorded agreement (domain.md)
            return _error(422, "Early help needs agreement", problems=dict(refused))
    # The same hand-off twice is one contact; a new one after the last was closed is a new contact, never
    # folded into a closed one where nobody would see it.
    key = conversations.next_key(session, f"bot:{conversation.public_id}:{journey}")
    now_contact = find_by_idempotency_key(session, key)
    if now_contact is not None:
        return jsonify({"reference": now_contact.reference, "created": False})
    try:
        contact = conversations.create_contact(session, conversation, reason="handoff", key=key, now=utcnow(),
                                               answers=answers, journey=journey, kind=KINDS[journey],
                                               calendar=working_calendar())
        session.commit()
    except DuplicateSubmission:
        session.rollback()
        contact = find_by_idempotency_key(session, key)
        if contact is None:
            raise
        return jsonify({"reference": contact.reference, "created": False})
    log.info("conversation handed off as contact %s (%s)", contact.id, journey)
    response = jsonify({"reference": contact.reference, "created": True})
    response.status_code = 201
    return response
