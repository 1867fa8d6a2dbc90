"""Settings: read once from the environment into one typed, frozen object (`Settings`), checked at start-up.

Each field's environment variable is its name in capitals (`office_opens` is OFFICE_OPENS). Outside development
the app refuses to start, naming every missing or unsafe setting at once (`production_problems`). Code reads
`settings()` (the app's object), never `current_app.config[...]`; Flask's own config gets only what Flask and its
extensions read, and templates get only the display values they show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from forms import requirements
from mash.clock import ContactClocks, WorkingCalendar
from mash.decisions import StrategySettings
from mash.missing import MissingSettings
from mash.outbox import QuietHours
from mash.police import PoliceSettings
from mash.police.encompass import EncompassSettings
from mash.screening import DEFAULT_DUE_TIMES, CheckSettings, parse_due_times

ROOT = Path(__file__).resolve().parent.parent
# The longest quiet hours may be: a family still hears back the same day.
MAX_QUIET_HOURS = dt.timedelta(hours=14)

SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEYS")
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")
# The settings templates show (grep "settings." in portal/templates).
DISPLAY_SETTINGS = ("SERVICE_NAME", "COUNCIL_NAME", "MASH_NUMBER", "OUT_OF_HOURS_NUMBER", "OUT_OF_HOURS_TIMES",
                    "DRAFT_TTL_HOURS")


class ConfigError(RuntimeError):
    pass


def _also(*names: str) -> dict[str, tuple[str, ...]]:
    """Other environment variables a setting falls back to, in order (REDIS_URL serves sessions and jobs)."""
    return {"aliases": names}


@dataclass(frozen=True)
class Settings:
    """Every setting the front door reads, with the defaults of domain.md where it names one."""

    frontdoor_env: str = "production"
    # Secrets (no defaults: `make run` writes development ones to .env).
    secret_key: str = ""
    field_encryption_keys: tuple[str, ...] = ()
    blind_index_key: str = ""
    # id:secret pairs, comma-separated: the first signs new audit events, every one verifies (rotation).
    audit_hmac_keys: tuple[str, ...] = ()
    # SQLite is the embedded default for development only: production names its database or does not start.
    database_url: str = ""
    instance_path: str = str(ROOT / "instance")
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    submit_rate_limit: str = "20 per minute;300 per hour"
    # Web chat per address: wide enough that a frightened child's burst of messages is stored and answered
    # (the conversation's own flood rule, BOT_RATE_LIMIT_PER_MINUTE, answers a flood once a minute and keeps
    # every message); this only stops a machine.
    chat_rate_limit: str = "60 per minute;1000 per hour"
    page_rate_limit: str = "120 per minute"
    proxy_fix_hops: int = 0
    # Both default to on outside development (from_environment).
    force_https: bool = True
    session_cookie_secure: bool = True
    # The longest journey page is a few kilobytes: refuse anything larger than this before parsing it.
    max_content_length: int = 256 * 1024
    wtf_csrf_time_limit: int = 3600
    # Unfinished answers are kept a day after the last page saved: long enough to come back to, short
    # enough that a shared device does not hold a disclosure for long. "Exit this page" deletes them at once.
    draft_ttl_hours: int = 24
    govuk_frontend_dir: str = str(ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk")
    # Council settings (domain.md marks these as settings; the defaults are Berkshire's).
    council_name: str = "Wokingham Borough Council (demonstration)"
    service_name: str = "Children's services front door"
    out_of_hours_number: str = "01344 351 999"
    out_of_hours_times: str = "5pm to 9am on weekdays, and 24 hours at weekends and on bank holidays"
    # A drama-range number (Ofcom reserves 0118 496 0xxx): set the real one per council.
    mash_number: str = "0118 496 0000"
    office_opens: dt.time = dt.time(9, 0)
    office_closes: dt.time = dt.time(17, 0)
    # Open at weekends and on bank holidays too: a team that works every day, or a demonstration of the office
    # hours paths on a Sunday (with OFFICE_OPENS=00:00 and OFFICE_CLOSES=23:59, always open).
    office_open_every_day: bool = False
    # A contact's own decision clock by risk (domain.md; mash.clock.ContactClocks): danger now taken within 15
    # minutes in office hours, red decided within 4 office hours, amber 6, green 1 working day (the cap).
    contact_danger_now_minutes: float = 15
    contact_red_office_hours: float = 4
    contact_amber_office_hours: float = 6
    contact_green_working_days: int = 1
    strategy_working_days: int = 1
    strategy_max_working_days: int = 3
    # When a partner agency's answer to a check is due, per agency (mash.screening): h is office hours, d working
    # days, default the agencies not named. Chasing an overdue check moves it on by the same interval.
    check_due_times: tuple[str, ...] = DEFAULT_DUE_TIMES
    staff_idle_minutes: int = 15
    # Staff sessions end this long after sign-in, however busy (issue 11); kept in Redis when a URL is given.
    staff_session_hours: float = 8
    session_redis_url: str = field(default="", metadata=_also("REDIS_URL"))
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_from: str = ""
    smtp_username: str = ""
    smtp_password: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_number: str = ""
    # Twilio's REST API for practitioners' texts (issue 13); set only to point at a local fake in tests.
    twilio_api_base_url: str = ""
    # Text messages on (the Twilio webhook answers): then the three TWILIO_* settings are required.
    sms_enabled: bool = True
    feedback_working_days: int = 1
    # GOV.UK Notify sends feedback when its key is set (SMTP and Twilio otherwise): a template per channel.
    notify_api_key: str = ""
    notify_email_template_id: str = ""
    notify_sms_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    # Notify's delivery-status callback (POST /notify/status) carries this bearer token; unset, the route is off.
    notify_callback_token: str = ""
    # Attachments to a referral (issue 16): each file at most this size, at most this many documents or photos
    # (a body map besides), checked on the content; the request may carry them all at once.
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_max_count: int = 5
    # Background jobs (portal/jobs.py) queue in Redis when a URL is given, else in SQLite at instance/jobs.db.
    jobs_redis_url: str = field(default="", metadata=_also("REDIS_URL"))
    # Text messages and web chat (bot/). Twilio signs requests to PUBLIC_BASE_URL + /sms/inbound.
    public_base_url: str = "http://127.0.0.1:5000"
    bot_service_name: str = "Front Door"
    # Rasa reads messages (POST /model/parse); one or more processes, comma-separated, spread and failed over.
    rasa_urls: tuple[str, ...] = field(default=("http://127.0.0.1:5005",), metadata=_also("RASA_URL"))
    rasa_timeout_seconds: float = 3
    rasa_auth_token: str = ""
    # domain.md: a person answers danger, or someone who asked for one, within 5 minutes in office hours.
    person_reply_minutes: int = 5
    # The conversation inbox's page: the most urgent this many (the count says how many more are open).
    inbox_rows: int = 50
    # Quick one-word answers to the assistant's own questions are not a flood: 20 a minute is.
    bot_rate_limit_per_minute: int = 20
    # A quiet conversation starts afresh after this long (a red one never does).
    conversation_idle_hours: int = 24
    # Conversations that became no contact (a service search, a question) are forgotten after this long.
    conversation_retention_days: int = 30
    # A concern someone started to report and left unfinished becomes a contact after this long quiet.
    conversation_follow_up_minutes: int = 30
    # Police notifications (domain.md): red within 4 office hours, amber by the same time on the next working day,
    # green within 3 working days; red must end within one office day so that red < amber < green.
    police_red_office_hours: float = 4
    police_amber_working_days: int = 1
    police_green_working_days: int = 3
    police_marac_ticks: int = 14
    police_marac_callouts: int = 3
    # A staff CSV upload may be far larger than a journey page (10,000 notifications is about 3 MB).
    police_csv_max_bytes: int = 16 * 1024 * 1024
    # Missing children: a return home interview within 72 hours; 3 episodes in 30 days flags a strategy meeting.
    return_interview_hours: float = 72
    missing_strategy_episodes: int = 3
    missing_strategy_days: int = 30
    # Operation Encompass: a school is told before its next school day starts (a school day is a working day).
    encompass_school_day_starts: dt.time = dt.time(8, 45)
    # Quiet hours, in local time (Europe/London): an outcome message to a family or member of the public that
    # falls due in them is held until they end (mash.outbox.QuietHours). Professionals' feedback, danger advice
    # and replies in a live conversation are never held. The same time twice means no quiet hours.
    quiet_hours_start: dt.time = dt.time(21, 0)
    quiet_hours_end: dt.time = dt.time(8, 0)
    # Which referral questions are required (forms.requirements): "field=rule" entries, rule one of required,
    # optional or professional (required of professionals only). Unset, the schema's defaults apply.
    referral_field_rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        hints = typing.get_type_hints(type(self))
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            expected = hints[item.name]
            if typing.get_origin(expected) is tuple and isinstance(value, list):
                value = tuple(value)  # a test or a caller may hand over a list
                object.__setattr__(self, item.name, value)
            if not _is(value, expected):
                problems.append(f"{item.name.upper()} must be {_describe(expected)}, not {type(value).__name__}")
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                problems.append(f"{item.name.upper()} must not be negative")
        if not problems:
            problems += self.calendar.contact_clocks.problems(self.calendar.office_day)
            problems += self.police.problems(self.calendar.office_day)
            problems += parse_due_times(self.check_due_times)[1]
            problems += requirements.parse(self.referral_field_rules)[1]
            if self.quiet_hours.length() > MAX_QUIET_HOURS:
                problems.append(f"QUIET_HOURS_START ({self.quiet_hours_start:%H:%M}) to QUIET_HOURS_END "
                                f"({self.quiet_hours_end:%H:%M}) is more than {MAX_QUIET_HOURS.seconds // 3600} "
                                "hours: a family would wait most of the day to hear")
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def development(self) -> bool:
        return self.frontdoor_env == "development"

    @property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(day_starts=self.office_opens, day_ends=self.office_closes,
                               every_day=self.office_open_every_day, contact_clocks=ContactClocks(
                                   danger_now_minutes=self.contact_danger_now_minutes,
                                   red_office_hours=self.contact_red_office_hours,
                                   amber_office_hours=self.contact_amber_office_hours,
                                   green_working_days=self.contact_green_working_days))

    @property
    def quiet_hours(self) -> QuietHours:
        return QuietHours(starts=self.quiet_hours_start, ends=self.quiet_hours_end, calendar=self.calendar)

    @property
    def strategy(self) -> StrategySettings:
        """domain.md: a strategy discussion within 1 working day unless urgent, never more than 3 (settings)."""
        return StrategySettings(working_days=self.strategy_working_days,
                                max_working_days=self.strategy_max_working_days)

    @property
    def checks(self) -> CheckSettings:
        return CheckSettings(due_times=parse_due_times(self.check_due_times)[0])

    @property
    def police(self) -> PoliceSettings:
        return PoliceSettings(red_office_hours=self.police_red_office_hours,
                              amber_working_days=self.police_amber_working_days,
                              green_working_days=self.police_green_working_days, marac_ticks=self.police_marac_ticks,
                              marac_callouts=self.police_marac_callouts)

    @property
    def missing(self) -> MissingSettings:
        return MissingSettings(interview_hours=self.return_interview_hours,
                               strategy_episodes=self.missing_strategy_episodes,
                               strategy_window=dt.timedelta(days=self.missing_strategy_days))

    @property
    def encompass(self) -> EncompassSettings:
        return EncompassSettings(school_day_starts=self.encompass_school_day_starts)

    def get(self, name: str) -> Any:
        """A setting by its environment name (DATABASE_URL), for messages and checks that name it."""
        return getattr(self, name.lower())

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed, by field name or environment name (tests use this)."""
        return dataclasses.replace(self, **{name.lower(): value for name, value in changes.items()})

    def display(self) -> dict[str, Any]:
        """What templates may show: names, numbers and times, never a secret."""
        return {name: self.get(name) for name in DISPLAY_SETTINGS}

    def flask_config(self) -> dict[str, Any]:
        """What Flask and its extensions read from app.config, and nothing else."""
        return {
            "SECRET_KEY": self.secret_key,
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "WTF_CSRF_TIME_LIMIT": self.wtf_csrf_time_limit,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
        }


FIELDS = {item.name.upper(): item for item in dataclasses.fields(Settings)}
_HINTS = typing.get_type_hints(Settings)


def _is(value: Any, expected: Any) -> bool:
    if typing.get_origin(expected) is tuple:
        return isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _describe(expected: Any) -> str:
    if typing.get_origin(expected) is tuple:
        return "a comma-separated list"
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false",
            dt.time: "a time like 09:00"}.get(expected, str(expected))


def _parse(name: str, raw: str, expected: Any) -> Any:
    """One environment value as its field's type; a value that is not one raises ConfigError naming it."""
    raw = raw.strip() if expected is not str else raw
    try:
        if typing.get_origin(expected) is tuple:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if expected is bool:
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if expected is dt.time:
            return dt.time.fromisoformat(raw)
        if expected in (int, float):
            return expected(raw)
        return raw
    except ValueError:
        raise ConfigError(f"{name} must be {_describe(expected)}, not {raw!r}") from None


def from_environment(env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """The settings from the environment (empty values count as unset), with `overrides` (already typed, by
    environment name) on top. Every value that cannot be read is named in one ConfigError."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, item in FIELDS.items():
        raw = next((env[n] for n in (name, *item.metadata.get("aliases", ())) if env.get(n, "") != ""), None)
        if raw is None:
            continue
        try:
            values[item.name] = _parse(name, raw, _HINTS[item.name])
        except ConfigError as error:
            problems.append(str(error))
    if problems:
        raise ConfigError("; ".join(problems))
    development = values.get("frontdoor_env", Settings.frontdoor_env) == "development"
    for name in ("force_https", "session_cookie_secure"):
        values.setdefault(name, not development)
    instance = Path(values.get("instance_path", Settings.instance_path))
    if development:
        values.setdefault("database_url", f"sqlite:///{instance / 'frontdoor.db'}")
    values.update({name.lower(): value for name, value in (overrides or {}).items() if name in FIELDS})
    return Settings(**values)


def settings(app: Flask | None = None) -> Settings:
    """The settings of `app`, or of the app handling this request or command."""
    return (app or current_app).extensions["frontdoor.settings"]


def working_calendar() -> WorkingCalendar:
    """The council's office hours from the settings, with England and Wales bank holidays."""
    calendar = current_app.extensions.get("frontdoor.calendar")
    if calendar is None:
        calendar = current_app.extensions["frontdoor.calendar"] = settings().calendar
    return calendar


def strategy_settings() -> StrategySettings:
    return settings().strategy


def check_settings() -> CheckSettings:
    return settings().checks


def production_problems(config: Settings) -> list[str]:
    """Every missing or unsafe setting outside development, each named, so that all are fixed in one go."""
    problems = [f"{name} is not set" for name in SECRETS if not config.get(name)]
    for name in ("SECRET_KEY", "BLIND_INDEX_KEY"):
        if config.get(name) and len(config.get(name)) < 32:
            problems.append(f"{name} is shorter than 32 characters")
    database = config.database_url
    if not database:
        problems.append("DATABASE_URL is not set (postgresql+psycopg://user:password@host/database)")
    elif database.startswith("sqlite"):
        problems.append("DATABASE_URL is SQLite, which is for one process in development: use PostgreSQL")
    if not config.public_base_url.startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be the https:// address the public reaches (Twilio signs against it)")
    if config.sms_enabled:
        problems.extend(f"{name} is not set (text messages are on: set it, or SMS_ENABLED=false)"
                        for name in TWILIO_SETTINGS if not config.get(name))
    if config.rasa_urls and not config.rasa_auth_token:
        problems.append("RASA_AUTH_TOKEN is not set (Rasa must refuse requests without it)")
    if not config.ratelimit_storage_uri.startswith(("redis://", "rediss://")):
        problems.append("RATELIMIT_STORAGE_URI must be Redis (redis://user:password@host:port/db): limits kept in "
                        "one process's memory do not hold across several")
    if not config.session_redis_url.startswith(("redis://", "rediss://")):
        problems.append("REDIS_URL (or SESSION_REDIS_URL) is not set: staff sessions must be shared by every process")
    if not config.jobs_redis_url.startswith(("redis://", "rediss://")):
        problems.append("REDIS_URL (or JOBS_REDIS_URL) is not set: background jobs must be shared by every worker")
    for name in ("RATELIMIT_STORAGE_URI", "SESSION_REDIS_URL", "JOBS_REDIS_URL"):
        url = config.get(name)
        if url.startswith(("redis://", "rediss://")) and not urlsplit(url).password:
            problems.append(f"{name} has no password: every process that answers another must be authenticated")
    for name in ("FORCE_HTTPS", "SESSION_COOKIE_SECURE"):
        if not config.get(name):
            problems.append(f"{name} is off")
    return problems


def check_secrets(config: Settings) -> None:
    """Fail fast: a council must never run with an empty key by accident."""
    missing = [name for name in SECRETS if not config.get(name)]
    if missing:
        raise ConfigError(
            f"missing secret setting(s): {', '.join(missing)}. Run `make run` once for development secrets, "
            "or set them in the environment (see docs/deployment.md)."
        )
