"""Configuration from the environment. Outside development a missing secret stops the app at start-up."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from mash.clock import WorkingCalendar
from mash.decisions import StrategySettings

ROOT = Path(__file__).resolve().parent.parent

SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEYS")
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")


class ConfigError(RuntimeError):
    pass


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _time(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"office hours must look like 09:00, not {value!r}") from None


def working_calendar() -> WorkingCalendar:
    """The council's office hours from the settings, with England and Wales bank holidays."""
    app = current_app
    calendar = app.extensions.get("frontdoor.calendar")
    if calendar is None:
        calendar = WorkingCalendar(day_starts=app.config["OFFICE_OPENS"], day_ends=app.config["OFFICE_CLOSES"])
        app.extensions["frontdoor.calendar"] = calendar
    return calendar


def strategy_settings() -> StrategySettings:
    """domain.md: a strategy discussion within 1 working day unless urgent, never more than 3 (settings)."""
    return StrategySettings(working_days=current_app.config["STRATEGY_WORKING_DAYS"],
                            max_working_days=current_app.config["STRATEGY_MAX_WORKING_DAYS"])


def from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting the portal reads, with the defaults of domain.md where it names one."""
    env = os.environ if env is None else env
    environment = env.get("FRONTDOOR_ENV", "production")
    development = environment == "development"
    instance = Path(env.get("FRONTDOOR_INSTANCE", ROOT / "instance"))
    return {
        "FRONTDOOR_ENV": environment,
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "FIELD_ENCRYPTION_KEYS": [k for k in env.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()],
        "BLIND_INDEX_KEY": env.get("BLIND_INDEX_KEY", ""),
        # id:secret pairs, comma-separated: the first signs new audit events, every one verifies (rotation).
        "AUDIT_HMAC_KEYS": [k for k in env.get("AUDIT_HMAC_KEYS", "").split(",") if k.strip()],
        # SQLite is the embedded default for development only: production names its database or does not start.
        "DATABASE_URL": env.get("DATABASE_URL") or (f"sqlite:///{instance / 'frontdoor.db'}" if development else ""),
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "SUBMIT_RATE_LIMIT": env.get("SUBMIT_RATE_LIMIT", "20 per minute;300 per hour"),
        # Web chat per address: wide enough that a frightened child's burst of messages is stored and answered
        # (the conversation's own flood rule, BOT_RATE_LIMIT_PER_MINUTE, answers a flood once a minute and keeps
        # every message); this only stops a machine.
        "CHAT_RATE_LIMIT": env.get("CHAT_RATE_LIMIT", "60 per minute;1000 per hour"),
        "PAGE_RATE_LIMIT": env.get("PAGE_RATE_LIMIT", "120 per minute"),
        "PROXY_FIX_HOPS": int(env.get("PROXY_FIX_HOPS", "0")),
        "FORCE_HTTPS": _bool(env.get("FORCE_HTTPS"), not development),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), not development),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The longest journey page is a few kilobytes: refuse anything larger than this before parsing it.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(256 * 1024))),
        "WTF_CSRF_TIME_LIMIT": int(env.get("WTF_CSRF_TIME_LIMIT", "3600")),
        # Unfinished answers are kept a day after the last page saved: long enough to come back to, short
        # enough that a shared device does not hold a disclosure for long. "Exit this page" deletes them at once.
        "DRAFT_TTL_HOURS": int(env.get("DRAFT_TTL_HOURS", "24")),
        "GOVUK_FRONTEND_DIR": env.get("GOVUK_FRONTEND_DIR",
                                      str(ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk")),
        # Council settings (domain.md marks these as settings; the defaults are Berkshire's).
        "COUNCIL_NAME": env.get("COUNCIL_NAME", "Wokingham Borough Council (demonstration)"),
        "SERVICE_NAME": env.get("SERVICE_NAME", "Children's services front door"),
        "OUT_OF_HOURS_NUMBER": env.get("OUT_OF_HOURS_NUMBER", "01344 351 999"),
        "OUT_OF_HOURS_TIMES": env.get("OUT_OF_HOURS_TIMES",
                                      "5pm to 9am on weekdays, and 24 hours at weekends and on bank holidays"),
        # A drama-range number (Ofcom reserves 0118 496 0xxx): set the real one per council.
        "MASH_NUMBER": env.get("MASH_NUMBER", "0118 496 0000"),
        "OFFICE_OPENS": _time(env.get("OFFICE_OPENS", "09:00")),
        "OFFICE_CLOSES": _time(env.get("OFFICE_CLOSES", "17:00")),
        "STRATEGY_WORKING_DAYS": int(env.get("STRATEGY_WORKING_DAYS", "1")),
        "STRATEGY_MAX_WORKING_DAYS": int(env.get("STRATEGY_MAX_WORKING_DAYS", "3")),
        "STAFF_IDLE_MINUTES": int(env.get("STAFF_IDLE_MINUTES", "15")),
        # Staff sessions end this long after sign-in, however busy (issue 11); kept in Redis when a URL is given.
        "STAFF_SESSION_HOURS": float(env.get("STAFF_SESSION_HOURS", "8")),
        "SESSION_REDIS_URL": env.get("SESSION_REDIS_URL") or env.get("REDIS_URL", ""),
        "SMTP_HOST": env.get("SMTP_HOST", ""),
        "SMTP_PORT": env.get("SMTP_PORT", "587"),
        "SMTP_FROM": env.get("SMTP_FROM", ""),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_NUMBER": env.get("TWILIO_NUMBER", ""),
        # Text messages on (the Twilio webhook answers): then the three TWILIO_* settings are required.
        "SMS_ENABLED": _bool(env.get("SMS_ENABLED"), True),
        "FEEDBACK_WORKING_DAYS": int(env.get("FEEDBACK_WORKING_DAYS", "1")),
        # GOV.UK Notify sends feedback when its key is set (SMTP and Twilio otherwise): a template per channel.
        "NOTIFY_API_KEY": env.get("NOTIFY_API_KEY", ""),
        "NOTIFY_EMAIL_TEMPLATE_ID": env.get("NOTIFY_EMAIL_TEMPLATE_ID", ""),
        "NOTIFY_SMS_TEMPLATE_ID": env.get("NOTIFY_SMS_TEMPLATE_ID", ""),
        "NOTIFY_BASE_URL": env.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        # Background jobs (portal/jobs.py) queue in Redis when a URL is given, else in SQLite at instance/jobs.db.
        "JOBS_REDIS_URL": env.get("JOBS_REDIS_URL") or env.get("REDIS_URL", ""),
        # Text messages and web chat (bot/). Twilio signs requests to PUBLIC_BASE_URL + /sms/inbound.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "BOT_SERVICE_NAME": env.get("BOT_SERVICE_NAME", "Front Door"),
        # Rasa reads messages (POST /model/parse); one or more processes, comma-separated, spread and failed over.
        "RASA_URLS": [u.strip() for u in env.get("RASA_URLS", env.get("RASA_URL", "http://127.0.0.1:5005")).split(",")
                      if u.strip()],
        "RASA_TIMEOUT_SECONDS": float(env.get("RASA_TIMEOUT_SECONDS", "3")),
        "RASA_AUTH_TOKEN": env.get("RASA_AUTH_TOKEN", ""),
        # Quick one-word answers to the assistant's own questions are not a flood: 20 a minute is.
        "BOT_RATE_LIMIT_PER_MINUTE": int(env.get("BOT_RATE_LIMIT_PER_MINUTE", "20")),
        # A quiet conversation starts afresh after this long (a red one never does).
        "CONVERSATION_IDLE_HOURS": int(env.get("CONVERSATION_IDLE_HOURS", "24")),
        # Conversations that became no contact (a service search, a question) are forgotten after this long.
        "CONVERSATION_RETENTION_DAYS": int(env.get("CONVERSATION_RETENTION_DAYS", "30")),
        # A concern someone started to report and left unfinished becomes a contact after this long quiet.
        "CONVERSATION_FOLLOW_UP_MINUTES": int(env.get("CONVERSATION_FOLLOW_UP_MINUTES", "30")),
        # Police notifications (issue 6; domain.md): red 4 working hours, amber 24 working hours, green 72 hours.
        "POLICE_RED_WORKING_HOURS": float(env.get("POLICE_RED_WORKING_HOURS", "4")),
        "POLICE_AMBER_WORKING_HOURS": float(env.get("POLICE_AMBER_WORKING_HOURS", "24")),
        "POLICE_GREEN_HOURS": float(env.get("POLICE_GREEN_HOURS", "72")),
        "POLICE_MARAC_TICKS": int(env.get("POLICE_MARAC_TICKS", "14")),
        "POLICE_MARAC_CALLOUTS": int(env.get("POLICE_MARAC_CALLOUTS", "3")),
        # A staff CSV upload may be far larger than a journey page (10,000 notifications is about 3 MB).
        "POLICE_CSV_MAX_BYTES": int(env.get("POLICE_CSV_MAX_BYTES", str(16 * 1024 * 1024))),
        # Missing children: a return home interview within 72 hours; 3 episodes in 30 days flags a strategy meeting.
        "RETURN_INTERVIEW_HOURS": float(env.get("RETURN_INTERVIEW_HOURS", "72")),
        "MISSING_STRATEGY_EPISODES": int(env.get("MISSING_STRATEGY_EPISODES", "3")),
        "MISSING_STRATEGY_DAYS": int(env.get("MISSING_STRATEGY_DAYS", "30")),
    }


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """Every missing or unsafe setting outside development, each named, so that all are fixed in one go."""
    problems = [f"{name} is not set" for name in SECRETS if not config.get(name)]
    for name in ("SECRET_KEY", "BLIND_INDEX_KEY"):
        if config.get(name) and len(config[name]) < 32:
            problems.append(f"{name} is shorter than 32 characters")
    database = config.get("DATABASE_URL") or ""
    if not database:
        problems.append("DATABASE_URL is not set (postgresql+psycopg://user:password@host/database)")
    elif database.startswith("sqlite"):
        problems.append("DATABASE_URL is SQLite, which is for one process in development: use PostgreSQL")
    if not str(config.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be the https:// address the public reaches (Twilio signs against it)")
    if config.get("SMS_ENABLED"):
        problems.extend(f"{name} is not set (text messages are on: set it, or SMS_ENABLED=false)"
                        for name in TWILIO_SETTINGS if not config.get(name))
    if config.get("RASA_URLS") and not config.get("RASA_AUTH_TOKEN"):
        problems.append("RASA_AUTH_TOKEN is not set (Rasa must refuse requests without it)")
    if not str(config.get("RATELIMIT_STORAGE_URI") or "").startswith(("redis://", "rediss://")):
        problems.append("RATELIMIT_STORAGE_URI must be Redis (redis://user:password@host:port/db): limits kept in "
                        "one process's memory do not hold across several")
    if not str(config.get("SESSION_REDIS_URL") or "").startswith(("redis://", "rediss://")):
        problems.append("REDIS_URL (or SESSION_REDIS_URL) is not set: staff sessions must be shared by every process")
    if not str(config.get("JOBS_REDIS_URL") or "").startswith(("redis://", "rediss://")):
        problems.append("REDIS_URL (or JOBS_REDIS_URL) is not set: background jobs must be shared by every worker")
    for name in ("RATELIMIT_STORAGE_URI", "SESSION_REDIS_URL", "JOBS_REDIS_URL"):
        url = str(config.get(name) or "")
        if url.startswith(("redis://", "rediss://")) and not urlsplit(url).password:
            problems.append(f"{name} has no password: every process that answers another must be authenticated")
    for name in ("FORCE_HTTPS", "SESSION_COOKIE_SECURE"):
        if not config.get(name):
            problems.append(f"{name} is off")
    return problems


def check_secrets(config: Mapping[str, Any]) -> None:
    """Fail fast: a council must never run with an empty key by accident."""
    missing = [name for name in SECRETS if not config.get(name)]
    if missing:
        raise ConfigError(
            f"missing secret setting(s): {', '.join(missing)}. Run `make run` once for development secrets, "
            "or set them in the environment (see docs/deployment.md)."
        )
