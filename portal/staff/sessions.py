"""The staff session cookie: a random id, sent only to /staff pages, naming a session in the store
(mash/staff_sessions.py: Redis when SESSION_REDIS_URL is set, the database otherwise).

Flask's own signed-cookie session keeps what a browser needs between pages (the CSRF token, messages, the step
between password and code, a family's draft ids); it no longer says who is signed in, so a copy of it opens nothing.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, current_app, g, request

from mash.staff_sessions import (
    SESSION_ID,
    DatabaseStaffSessions,
    RedisStaffSessions,
    SessionLimits,
    StaffSessionRecord,
    StaffSessionStore,
)
from portal.config import settings

COOKIE = "frontdoor_staff"
COOKIE_PATH = "/staff"
ENDED_MESSAGES = {
    "idle": "You were signed out after a period of inactivity. Sign in again to carry on.",
    "lifetime": "You were signed out because you had been signed in for {hours:g} hours. Sign in again to carry on.",
}


def init_app(app: Flask) -> None:
    limits = SessionLimits(idle=dt.timedelta(minutes=settings(app).staff_idle_minutes),
                           lifetime=dt.timedelta(hours=settings(app).staff_session_hours))
    url = settings(app).session_redis_url
    store: StaffSessionStore = (RedisStaffSessions.from_url(url, limits) if url else
                                DatabaseStaffSessions(app.extensions["frontdoor.sessionmaker"], limits))
    app.extensions["frontdoor.staff_sessions"] = store
    app.extensions["frontdoor.staff_session_limits"] = limits
    app.after_request(_forget_ended_cookie)


def store() -> StaffSessionStore:
    return current_app.extensions["frontdoor.staff_sessions"]


def _offered_id() -> str | None:
    value = request.cookies.get(COOKIE, "")
    return value if SESSION_ID.fullmatch(value) else None


def current(now: dt.datetime | None = None) -> StaffSessionRecord | None:
    """The signed-in session this request's cookie names, if it is still open; notes the activity. An ended
    session is deleted, and the reason kept for the sign-in page's message."""
    session_id = _offered_id()
    if session_id is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    record = store().find(session_id)
    if record is None:  # signed out, ended by an administrator, or never ours
        g.staff_cookie_stale = True
        return None
    ended = current_app.extensions["frontdoor.staff_session_limits"].ended_by(record, now)
    if ended is not None:
        store().end(session_id)
        g.staff_session_ended = ended
        g.staff_cookie_stale = True
        return None
    store().touch(session_id, now)
    return record


def ended_message() -> str | None:
    """What to tell someone whose session the time limits ended on this request (nothing for one that was
    ended by signing out or by an administrator: an unknown id says nothing)."""
    ended = g.get("staff_session_ended")
    return ENDED_MESSAGES[ended].format(hours=settings().staff_session_hours) if ended else None


def begin(response: Response, staff_id: int) -> None:
    """A new session at sign-in, under a new id: whatever id the browser held is ended, never reused, so an id
    planted before sign-in (session fixation) is worth nothing."""
    if (offered := _offered_id()) is not None:
        store().end(offered)
    session_id = store().start(staff_id, dt.datetime.now(dt.UTC))
    response.set_cookie(COOKIE, session_id, path=COOKIE_PATH, httponly=True,
                        secure=settings().session_cookie_secure,
                        samesite=current_app.config["SESSION_COOKIE_SAMESITE"])


def end(response: Response) -> None:
    """Sign-out: the session is deleted from the store, so a copy of the cookie opens nothing afterwards."""
    if (offered := _offered_id()) is not None:
        store().end(offered)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


def _forget_ended_cookie(response: Response) -> Response:
    already = any(header.startswith(f"{COOKIE}=") for header in response.headers.getlist("Set-Cookie"))
    if g.get("staff_cookie_stale") and not already:
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response
