"""Fixtures: a fresh migrated database per test (copied from one migrated template), the app and its client.

Keys are generated per run; nothing here reads the developer's .env.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from mash import audit as audit_trail
from store.crypto import generate_key, keyring
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, AxeAudit, LiveServer

os.environ["FRONTDOOR_DOTENV"] = "0"

TEST_KEYS = [generate_key()]
TEST_INDEX_KEY = "test-blind-index-key-" + "x" * 32
TEST_AUDIT_KEYS = ["test1:" + "a" * 40]
PG_ADMIN_URL = os.environ.get("FRONTDOOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


class _SharedTemplateCode(BytecodeCache):
    """Every test builds its own app, and every app its own Jinja environment, which compiled each template again
    on first use: over half the fast set's time. Compiled code is keyed by the template's name and file and checked
    against a checksum of its source, so a template changed on disk is compiled afresh. All portal apps set the same
    Jinja options (create_app), so one template's code is the same in every app of this process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class _SharedBuilderRule(Rule):
    """Werkzeug compiles two URL-building functions for each of the app's ~120 routes (Python source built as an
    AST and compiled): a sixth of what each test's create_app costs. The function depends only on the rule's
    parsed parts and its defaults, and reaches the rule's converters through the rule it is bound to, so rules
    that are parsed alike share one function."""

    _builders: dict[tuple[Any, ...], Any] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        constants = tuple(self._converters[data].to_url(defaults[data])
                          for is_dynamic, data in self._trace if is_dynamic and data in defaults)
        key = (append_unknown, self.rule, tuple(self._trace),
               tuple((name, type(value), repr(value)) for name, value in defaults.items()), constants)
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


# Tests only: production builds one app per process and compiles each template and route once anyway.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedTemplateCode()}
Flask.url_rule_class = _SharedBuilderRule


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "frontdoor.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "frontdoor.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture(autouse=True)
def _keys() -> None:
    keyring.configure(TEST_KEYS, TEST_INDEX_KEY)
    audit_trail.configure_keys(TEST_AUDIT_KEYS)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    # argon2's production cost is the point in production and a waste in a test; the algorithm is the same.
    from argon2 import PasswordHasher

    from mash.staff import configure_hashing

    configure_hashing(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def change_settings(app: Any, **changes: Any) -> None:
    """Settings are read once and frozen: a test that needs another value after the app is built swaps them."""
    from portal.config import settings

    app.extensions["frontdoor.settings"] = settings(app).replace(**changes)


def app_config(database_url: str, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "FIELD_ENCRYPTION_KEYS": TEST_KEYS,
        "BLIND_INDEX_KEY": TEST_INDEX_KEY,
        "AUDIT_HMAC_KEYS": TEST_AUDIT_KEYS,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "FORCE_HTTPS": False,
        "SESSION_COOKIE_SECURE": False,
        # Never the Rasa a developer may have running: tests that want a model's reading bring a fake one.
        "RASA_URLS": [],
        "PUBLIC_BASE_URL": "https://frontdoor.example.org",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "test-twilio-auth-token",
        "TWILIO_NUMBER": "+447700900000",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    from portal import create_app

    return create_app(app_config(database_url, tmp_path))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards."""
    name = f"fd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


# --- Browser fixtures (Playwright driving Debian's chromium), shared by the browser test modules ----------------
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server: LiveServer):
    # The app's CSP (script nonces) blocks the inline <script> add_script_tag uses to inject axe-core, so this
    # context bypasses it; test_scripts_run_under_the_real_csp keeps the CSP on and checks the app's own JS.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def audit(live_server: LiveServer) -> AxeAudit:
    return AxeAudit(live_server.url)


