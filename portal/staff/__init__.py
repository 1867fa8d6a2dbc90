"""The MASH workspace. Every route is guarded when the blueprint is registered: a view must declare the
permission it needs (`@permission(...)`), and one without a declaration is refused — fail closed.
tests/test_staff_guards.py walks the URL map to prove it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Request, current_app, flash, g, redirect, request, url_for
from flask_login import LoginManager, current_user

from mash.models import StaffUser
from mash.safety import category_words
from mash.staff import can
from portal import db
from portal.errors import render_error
from portal.staff import sessions

bp = Blueprint("staff", __name__, url_prefix="/staff")
login_manager = LoginManager()

PERMISSION_ATTR = "staff_permission"
OPEN = "open"  # the sign-in pages themselves


def permission(name: str) -> Callable:
    """Declare what a staff view needs: "open" (sign-in only), "signed_in", or an action from mash.staff.can."""
    def mark(view: Callable) -> Callable:
        setattr(view, PERMISSION_ATTR, name)
        return view
    return mark


class StaffLogin:
    """flask-login's view of a StaffUser (the model itself stays free of Flask)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, staff: StaffUser) -> None:
        self.staff = staff

    @property
    def is_active(self) -> bool:
        return self.staff.active

    def get_id(self) -> str:
        return str(self.staff.id)


@login_manager.request_loader
def _load(_request: Request) -> StaffLogin | None:
    """Who is signed in comes from the server-side session the staff cookie names, never from Flask's cookie."""
    record = sessions.current()
    staff = db.session().get(StaffUser, record.staff_id) if record is not None else None
    return StaffLogin(staff) if staff is not None and staff.active else None


def me() -> StaffUser:
    return current_user.staff


@bp.before_request
def _guard() -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    needed = getattr(view, PERMISSION_ATTR, None)
    if needed == OPEN:
        return None
    if not current_user.is_authenticated:
        if (ended := sessions.ended_message()) is not None:  # the idle time-out or the lifetime: say so
            flash(ended, "info")
            return redirect(url_for("staff.sign_in"))
        return redirect(url_for("staff.sign_in", next=request.path if request.method == "GET" else None))
    g.staff = me()
    if needed is None:  # a route nobody declared a permission for is refused, not left open
        return render_error(403)
    if needed != "signed_in" and not can(me(), needed):
        return render_error(403)
    return None


def register(app: Flask) -> None:
    from portal.staff import auth, casework, conversations, dashboard, directory, police, search, views  # noqa: F401, E501  (routes attach to bp)

    sessions.init_app(app)
    login_manager.init_app(app)
    # Flask-Login's protection guards an identity kept in Flask's cookie; ours is in the server-side store, which
    # a new id at sign-in, deletion at sign-out and the time limits protect instead.
    login_manager.session_protection = None
    login_manager.login_view = "staff.sign_in"
    app.register_blueprint(bp)

    @app.context_processor
    def _staff_context() -> dict[str, Any]:
        def danger_alert() -> dict[str, Any]:
            """Danger conversations waiting for a person, for the alert on every workspace page (shown without
            JavaScript too; static/staff.mjs keeps it up to date). Counted only when a template asks, once a request."""
            if "danger_alert" not in g:
                from bot import takeover  # as register() does: the blueprint's modules load once the app is made

                count, newest = takeover.danger_waiting(db.session())
                g.danger_alert = {"count": count, "newest": newest,
                                  "url": url_for("staff.conversation_page", public_id=newest) if newest else None}
            return g.danger_alert

        return {"staff_user": me() if current_user.is_authenticated else None, "can": can,
                "danger_alert": danger_alert, "danger_words": category_words}
