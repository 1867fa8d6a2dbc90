"""Web chat at /chat: the same pipeline as a text message (safety screen, then Rasa, then hand-off).

Works without JavaScript: a plain form that posts a message and shows the conversation. The JSON endpoint
POST /chat/api/messages {"conversation_id", "text"} -> {"conversation_id", "replies"} is the same thing for
scripts and widgets. A conversation id is a random secret; the server keeps only its keyed hash.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid

from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from bot import conversations
from bot.pipeline import Inbound
from forms.schema import FieldError
from portal import conversation, db
from portal.config import settings
from portal.extensions import csrf, limiter
from store.crypto import keyring

bp = Blueprint("chat", __name__, url_prefix="/chat")
SESSION_KEY = "chat_token"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}\.[0-9a-f]{24}$")
MAX_CHAT_TEXT = 1600


def _limit() -> str:
    return settings().chat_rate_limit


def new_token() -> str:
    """Random, and signed, so that only ids this service gave out are accepted."""
    random = secrets.token_urlsafe(32)
    return f"{random}.{_signature(random)}"


def _signature(random: str) -> str:
    return keyring.blind_index("chat-token", random)[:24]


def valid_token(token: object) -> bool:
    if not isinstance(token, str) or not TOKEN.match(token):
        return False
    random, signature = token.split(".")
    return hmac.compare_digest(signature, _signature(random))


def _transcript(token: str | None) -> list:
    if not token:
        return []
    found = conversations.find_latest(db.session(), "chat", token)
    return list(found.messages) if found is not None else []


@bp.get("")
def page() -> str:
    return render_template("chat.html", messages=_transcript(session.get(SESSION_KEY)), error=None, text="")


@bp.get("/messages")
def messages() -> Response:
    """The conversation alone, for the page's script: a person's reply appears without a reload."""
    response = Response(render_template("_chat_messages.html", messages=_transcript(session.get(SESSION_KEY))))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("")
@limiter.limit(_limit)
def send() -> ResponseReturnValue:
    text = (request.form.get("message") or "").strip()
    try:
        _check_length(text)
    except FieldError as exc:
        return render_template("chat.html", messages=_transcript(session.get(SESSION_KEY)), error=str(exc),
                               text=text[:MAX_CHAT_TEXT]), 400
    token = session.get(SESSION_KEY) or new_token()
    session[SESSION_KEY] = token
    conversation.handle(Inbound(channel="chat", sender=token, text=text, provider_sid=_message_id()))
    return redirect(url_for("chat.page", _anchor="latest"))


@bp.post("/end")
def end() -> ResponseReturnValue:
    """Forget this device's link to the conversation (what was said stays with the team, as by text)."""
    session.pop(SESSION_KEY, None)
    return redirect(url_for("chat.page"))


@bp.post("/api/messages")
@csrf.exempt
@limiter.limit(_limit)
def api_messages() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(400, "Send JSON: {\"conversation_id\": ..., \"text\": ...}")
    text = body.get("text")
    if not isinstance(text, str):
        return _json_error(400, "text must be a string")
    try:
        _check_length(text.strip())
    except FieldError as exc:
        return _json_error(400, str(exc))
    token = body.get("conversation_id")
    if token is None or token == "":
        token = new_token()
    elif not valid_token(token):
        return _json_error(400, "conversation_id is not one this service gave out; leave it out to start a new one")
    outcome = conversation.handle(Inbound(channel="chat", sender=token, text=text.strip(),
                                          provider_sid=_message_id()))
    return jsonify({"conversation_id": token, "replies": outcome.replies})


def _message_id() -> str:
    # Like Twilio's MessageSid: a message replayed from the spool is then stored once.
    return f"chat-{uuid.uuid4().hex}"


def _check_length(text: str) -> None:
    if not text:
        raise FieldError("Enter a message")
    if len(text) > MAX_CHAT_TEXT:
        raise FieldError(f"Your message must be {MAX_CHAT_TEXT:,} characters or fewer. You can send it in parts")


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response
