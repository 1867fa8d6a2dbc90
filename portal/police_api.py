"""POST /api/police/notifications: a police force's system sends domestic abuse and missing-child notifications.

Each partner has its own bearer token (`frontdoor partners create NAME` prints it once; only its sha256 is kept).
JSON in and out; no cookies, so no CSRF. A retry with the same police reference and content gets the same
answer and stores nothing new; a missing episode resent with its return is updated (200); any other difference
is a 409. Bodies are never logged: they hold names, addresses and what happened.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mash import police
from portal import db
from portal.config import settings, working_calendar
from store.db import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("police_api", __name__, url_prefix="/api/police")


def _error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"status": status, "message": message, **extra})
    response.status_code = status
    return response


@bp.before_request
def _authenticate() -> Response | None:
    """401 for a missing, wrong or revoked token: the same answer for each, so tokens cannot be probed. The
    schema is public: a partner reads it before it has a token."""
    if request.endpoint == "police_api.schema":
        return None
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    partner = police.partner_for_token(db.session(), token)
    if partner is None:
        response = _error(401, "A valid partner token is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="police notifications"'
        return response
    g.partner_id = partner.id
    police.touch_partner(db.session(), partner)
    return None


SCHEMA_URL = "/api/police/v1/schema.json"


@bp.get("/v1/schema.json")
def schema() -> Response:
    """The published request schema (JSON Schema 2020-12), the contract partners build against."""
    response = jsonify(police.SCHEMA)
    response.mimetype = "application/schema+json"
    return response


@bp.post("/notifications")
def notifications() -> Response:
    """One notification: 201 with {kind, id, police_reference, status} — the same body for a retry."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "Send one notification as a JSON object")
    dbs = db.session()
    # Checked against the published schema before anything is cleaned or stored: every problem, by field.
    try:
        item = police.validate(body, now=utcnow(), calendar=working_calendar())
    except police.NotificationError as exc:
        return _error(400, "The notification was not accepted", problems=exc.problems, fields=exc.fields,
                      schema=SCHEMA_URL)
    def receive() -> police.Stored:
        return police.receive_notification(
            dbs, item, source=f"api:{g.partner_id}", actor=f"partner:{g.partner_id}", partner_id=g.partner_id,
            calendar=working_calendar(), settings=settings().police,
            missing_settings=settings().missing)

    try:
        try:
            stored = receive()
            dbs.commit()
        except IntegrityError:  # the same reference arrived twice at once: the other request stored it
            dbs.rollback()
            stored = receive()  # now held: a replay, an update or a conflict, as for any resend
            dbs.commit()
    except police.ReferenceConflict as exc:
        dbs.rollback()
        return _error(409, exc.message, police_reference=item.police_reference)
    if stored.created or stored.updated:
        log.info("police notification %s %s %s", stored.kind, stored.id,
                 "stored" if stored.created else "updated")  # ids only: no personal data
    response = jsonify(stored.as_json())
    response.status_code = 200 if stored.updated else 201
    if not stored.created and not stored.updated:
        response.headers["Idempotent-Replay"] = "true"
    return response


DEMO_CSV = Path(__file__).resolve().parent / "demo_data" / "police_notifications.csv"


def load_demo_notifications(session: Session) -> police.ImportReport:
    """Fictional notifications for `frontdoor demo load` (idempotent: each police reference is stored once)."""
    with DEMO_CSV.open(encoding="utf-8", newline="") as lines:
        return police.import_csv(session, lines, source="csv:demo", actor="system:demo")
