"""The home page, health check and the service's fixed pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session
from sqlalchemy import text

from forms.drafts import Draft
from portal import db
from portal.chat import SESSION_KEY as CHAT_KEY
from portal.finder import SHORTLIST_KEY

bp = Blueprint("pages", __name__)

EXIT_TO = "https://www.bbc.co.uk/weather"


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/emergency")
def emergency():
    return render_template("emergency.html")


@bp.get("/exit")
def exit_page():
    """"Exit this page": forget what this device holds of a family's visit, then leave for an everyday site.

    A link (GOV.UK's pattern), so it works at one click without JavaScript; but a link on another site must not
    wipe someone's answers, so a request the browser marks as coming from another site only leaves."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none"):
        _forget_the_family_visit()
    return redirect(EXIT_TO)


def _forget_the_family_visit() -> None:
    """Unsent answers (deleted, not just unlinked), sent references, the chat and the shortlist. Not the whole
    session: a member of staff signed in on the same browser stays signed in."""
    for key in [k for k in session if k.startswith("draft:")]:
        draft = db.session().get(Draft, session[key])
        if draft is not None and not draft.submitted_reference:
            db.session().delete(draft)
    db.session().commit()
    for key in [k for k in session if k.startswith(("draft:", "submitted:")) or k in (CHAT_KEY, SHORTLIST_KEY)]:
        session.pop(key)


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/healthz")
def healthz():
    db.session().execute(text("SELECT 1"))
    return jsonify(status="ok")
