"""Friendly error pages. They never echo what was sent, so no personal data reaches them."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Sorry, there is a problem with the request", "Go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, contact the service."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Sorry, that did not work", "Go back and try again."),
    413: ("Sorry, that was too much information to send at once", "Go back and shorten your answer."),
    429: ("Sorry, too many attempts", "Wait a minute, then try again. Your answers have been kept."),
    500: ("Sorry, there is a problem with the service", "Try again later. Your answers so far have been kept."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def render_error(status: int):
    title, advice = MESSAGES.get(status, MESSAGES[400])
    return render_template("error.html", status=status, title=title, advice=advice), status


def _csrf_error(error: CSRFError):
    # A journey page re-renders what was typed, so a timed-out form loses nothing.
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "recovers_from_csrf", False):
        g.csrf_failed = True
        return view(**(request.view_args or {}))
    return render_error(400)


def _http_error(error: HTTPException):
    if request.path.startswith("/chat/api/"):  # a script or widget reads JSON, never an HTML page
        return _json_error(error.code or 500)
    return render_error(error.code or 500)


def _json_error(status: int):
    title, advice = MESSAGES.get(status, MESSAGES[500])
    if status == 429:  # not stored: say so, and what to do, with the 999 line a chat never leaves out
        advice = ("You have sent a lot of messages in a short time, so this one was not sent. Wait a minute, then "
                  "send it again. If a child is in danger now, call 999.")
    response = jsonify({"status": status, "message": advice or title})
    response.status_code = status
    return response


def _unexpected(error: Exception):
    # Logged by type and route only: the exception text may quote personal data.
    log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.url_rule)
    if current_app.debug or (current_app.testing and current_app.config.get("PROPAGATE_UNEXPECTED", True)):
        raise error
    return render_error(InternalServerError.code)
