"""Staff sign-in: e-mail and password, then the TOTP code. Nothing about the account is revealed on failure."""

from __future__ import annotations

import datetime as dt
import unicodedata

from flask import flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from mash import audit
from mash.models import StaffUser
from mash.staff import StaffError, check_code, check_password
from portal import db
from portal.extensions import limiter
from portal.staff import OPEN, bp, me, permission, sessions

PENDING = "staff_pending"  # (user id, when) between the two factors


class SignInForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired("Enter your email address"), Length(max=254)])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password"), Length(max=200)])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField("Security code", widget=GovTextInput(),
                       validators=[InputRequired("Enter the 6-digit code from your authenticator app"),
                                   Length(max=12)])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a staff page of this site, or the workspace's home page."""
    return target if target and _same_site_path(target) and target.startswith("/staff/") else \
        url_for("staff.home")


def _same_site_path(target: str) -> bool:
    r"""A path on this site and nothing else. Browsers read "//host" and "/\host" as another site, and drop tabs
    and newlines before reading ("/\t/host" is "//host"); CR/LF would also break the Location header (a 500).
    So: one leading "/", no backslash, and no control, format, separator or unassigned character at all."""
    return (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(unicodedata.category(c)[0] in "CZ" for c in target))


@bp.get("/login")
@permission(OPEN)
def login():
    """The address people guess: sign-in is at /staff/sign-in."""
    return redirect(url_for("staff.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
@permission(OPEN)
@limiter.limit("20 per minute", methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = check_password(db.session(), form.email.data, form.password.data)
        except StaffError as exc:
            form.password.errors = [str(exc)]
        else:
            session[PENDING] = (user.id, dt.datetime.now(dt.UTC).timestamp())
            session["staff_next"] = _safe_next(request.args.get("next"))
            db.session().commit()
            return redirect(url_for("staff.verify"))
    return render_template("staff/sign_in.html", form=form, title="Sign in"), (400 if form.errors else 200)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@permission(OPEN)
@limiter.limit("20 per minute", methods=["POST"])
def verify():
    pending = session.get(PENDING)
    if not pending or dt.datetime.now(dt.UTC).timestamp() - pending[1] > 300:
        session.pop(PENDING, None)
        return redirect(url_for("staff.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        user = db.session().get(StaffUser, pending[0])
        try:
            if user is None:
                raise StaffError("Enter the 6-digit code from your authenticator app")
            check_code(db.session(), user, form.code.data)
        except StaffError as exc:
            form.code.errors = [str(exc)]
        else:
            db.session().commit()  # before the store writes: on SQLite it would wait on this transaction's lock
            target = session.pop("staff_next", None)
            session.clear()  # nothing from before signing in is carried into the signed-in session
            response = redirect(_safe_next(target))
            sessions.begin(response, user.id)
            return response
    return render_template("staff/verify.html", form=form, title="Enter your security code"), \
        (400 if form.errors else 200)


@bp.post("/sign-out")
@permission("signed_in")
def sign_out():
    audit.record(db.session(), event="staff.signed_out", actor=f"staff:{me().id}")
    db.session().commit()
    session.clear()
    flash("You have signed out.", "info")
    response = redirect(url_for("staff.sign_in"))
    sessions.end(response)
    return response
