"""One SQLAlchemy session per request, committed by the view that changes something, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from portal.config import settings
from store.db import make_engine, make_sessionmaker


def init_app(app: Flask) -> None:
    engine = make_engine(settings(app).database_url)
    app.extensions["frontdoor.engine"] = engine
    app.extensions["frontdoor.sessionmaker"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close)


def session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["frontdoor.sessionmaker"]()
    return g.db_session


def _close(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
