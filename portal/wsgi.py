"""The WSGI entry point for gunicorn (Procfile.production): `gunicorn portal.wsgi:app`.

Settings come from the environment only, read once at start-up; outside development a missing or unsafe
setting stops the process before it serves anything (portal.config.production_problems)."""

from portal import create_app

app = create_app()
