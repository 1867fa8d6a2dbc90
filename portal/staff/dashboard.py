"""The MASH dashboard."""

from __future__ import annotations

from flask import render_template

from portal.staff import bp, permission


@bp.get("/dashboard")
@permission("dashboard")
def dashboard():
    return render_template("staff/dashboard.html", title="Dashboard")
