import os
import re
import subprocess
import sys

import pytest

from portal.config import ConfigError, check_secrets, from_environment


def test_missing_secrets_stop_the_app_outside_development():
    config = from_environment({"FRONTDOOR_ENV": "production"})
    with pytest.raises(ConfigError, match="SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY"):
        check_secrets(config)


def test_create_app_fails_fast_without_secrets(tmp_path, monkeypatch):
    from portal import create_app

    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_defaults_are_secure():
    config = from_environment({})
    assert config["FORCE_HTTPS"] and config["SESSION_COOKIE_SECURE"]
    assert config["OUT_OF_HOURS_NUMBER"] == "01344 351 999"
    dev = from_environment({"FRONTDOOR_ENV": "development"})
    assert not dev["FORCE_HTTPS"]


def test_database_url_defaults_to_sqlite_in_the_instance_folder():
    assert from_environment({}).get("DATABASE_URL").endswith("instance/frontdoor.db")
    assert from_environment({"DATABASE_URL": "postgresql+psycopg://x/y"})["DATABASE_URL"] == "postgresql+psycopg://x/y"


def test_write_env_generates_secrets_once(tmp_path):
    env_file = tmp_path / ".env"
    cmd = [sys.executable, "-m", "portal.cli", "dev", "write-env", str(env_file)]
    subprocess.run(cmd, check=True, capture_output=True)
    first = env_file.read_text()
    assert "FIELD_ENCRYPTION_KEYS=" in first and "FRONTDOOR_ENV=development" in first
    assert oct(env_file.stat().st_mode)[-3:] == "600"
    subprocess.run(cmd, check=True, capture_output=True)
    assert env_file.read_text() == first  # never overwrites a developer's secrets
    config = from_environment(dict(line.split("=", 1) for line in first.splitlines() if "=" in line))
    check_secrets(config)


def test_office_hours_are_a_setting(tmp_path, database_url):
    import datetime as dt

    from portal import create_app
    from portal.config import working_calendar
    from tests.conftest import app_config

    app = create_app(app_config(database_url, tmp_path, OFFICE_OPENS=dt.time(8, 30), OFFICE_CLOSES=dt.time(16, 0)))
    with app.app_context():
        calendar = working_calendar()
    assert (calendar.day_starts, calendar.day_ends) == (dt.time(8, 30), dt.time(16, 0))
    assert from_environment({"OFFICE_OPENS": "08:00"})["OFFICE_OPENS"] == dt.time(8, 0)
    with pytest.raises(ConfigError, match="office hours"):
        from_environment({"OFFICE_CLOSES": "five"})


def test_the_cli_never_copies_a_dotenv_from_the_working_directory_into_the_environment(tmp_path, monkeypatch):
    # Flask's CLI would load ./.env into os.environ for the rest of the process; create_app reads the project's
    # own .env when it should. (A test suite run from a clone once signed texts with the clone's Twilio token.)
    from click.testing import CliRunner

    from portal.cli import cli

    (tmp_path / ".env").write_text("TWILIO_AUTH_TOKEN=from-the-working-directory\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    CliRunner().invoke(cli, ["--help"])
    assert "TWILIO_AUTH_TOKEN" not in os.environ


def test_templates_get_the_display_settings_and_no_secret(app):
    from flask import render_template_string

    from tests.conftest import TEST_INDEX_KEY

    with app.test_request_context("/"):
        rendered = render_template_string("{{ settings }} {{ config }}")
    for secret in ("test-secret-key", TEST_INDEX_KEY, "test-twilio-auth-token", app.config["DATABASE_URL"]):
        assert secret not in rendered
    assert app.config["COUNCIL_NAME"] in rendered and app.config["MASH_NUMBER"] in rendered


def test_every_setting_a_template_shows_is_one_it_is_given():
    # A name missing from DISPLAY_SETTINGS would render as nothing, silently: a page without its phone number.
    from portal import DISPLAY_SETTINGS
    from portal.config import ROOT

    used = {name for page in (ROOT / "portal" / "templates").rglob("*.html")
            for name in re.findall(r"\bsettings\.(\w+)", page.read_text())}
    assert "MASH_NUMBER" in used and used <= set(DISPLAY_SETTINGS)
