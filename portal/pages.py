"""The home page, health check and the service's fixed pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, session
from sqlalchemy import text

from portal import db

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
    """"Exit this page": forget everything typed on this device, then leave for an everyday site."""
    from forms.drafts import Draft

    for key in [k for k in session if k.startswith("draft:")]:
        draft = db.session().get(Draft, session[key])
        if draft is not None and not draft.submitted_reference:
            db.session().delete(draft)
    db.session().commit()
    session.clear()
    return redirect(EXIT_TO)


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/healthz")
def healthz():
    db.session().execute(text("SELECT 1"))
    return jsonify(status="ok")
