"""The home page, health check and the service's fixed pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from portal import db

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/emergency")
def emergency():
    return render_template("emergency.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/healthz")
def healthz():
    db.session().execute(text("SELECT 1"))
    return jsonify(status="ok")
