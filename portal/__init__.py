"""The Flask app: `create_app` binds every extension, blueprint and handler in one visible place."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask, Response, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from forms import requirements
from forms.schema import LONDON
from mash import audit, danger_net
from portal import db, logs
from portal.config import FIELDS, ROOT, ConfigError, check_secrets, from_environment, production_problems
from portal.extensions import csrf, limiter, talisman
from store.crypto import keyring

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the portal. `config` overrides the environment (tests pass their own database and keys)."""
    if config is None and os.environ.get("FRONTDOOR_DOTENV", "1") != "0":
        load_dotenv(ROOT / ".env")
    settings = from_environment(overrides=config)
    check_secrets(settings)
    if not settings.development and not (config or {}).get("TESTING"):
        problems = production_problems(settings)
        if problems:
            raise ConfigError("refusing to start outside development: " + "; ".join(problems) +
                              ". See docs/deployment.md.")

    app = Flask(__name__, instance_path=settings.instance_path)
    # Read once: code reads settings() (portal.config); Flask's config holds only what Flask and its extensions
    # read, plus a test's own switches (TESTING, WTF_CSRF_ENABLED).
    app.extensions["frontdoor.settings"] = settings
    # The council's required and optional referral questions, for every channel this process serves (web, partner
    # APIs, text and chat); the setting was checked when it was read.
    requirements.configure(settings.referral_field_rules)
    app.config.update(settings.flask_config())
    app.config.update({name: value for name, value in (config or {}).items() if name not in FIELDS})
    if settings.proxy_fix_hops:
        # Behind a load balancer: trust exactly that many X-Forwarded-* hops (rate limits key on the client).
        hops = settings.proxy_fix_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    keyring.configure(list(settings.field_encryption_keys), settings.blind_index_key)
    audit.configure_keys(list(settings.audit_hmac_keys))
    logs.install()  # postcodes and search words travel in query strings: no access log may keep them

    app.jinja_loader = ChoiceLoader([
        PackageLoader("portal"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # Security: CSRF on every form, headers with a nonce-based CSP, rate limits on submissions.
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=settings.force_https,
        strict_transport_security=settings.force_https,
        session_cookie_secure=settings.session_cookie_secure,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        # Same-origin, not no-referrer: over HTTPS Flask-WTF refuses a form whose Referer is missing or from
        # another site (its defence in depth against CSRF), and "no-referrer" made every form fail in
        # production. Other sites still never see our URLs, whose query strings may hold a postcode.
        referrer_policy="same-origin",
        frame_options="DENY",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    from portal import api_oruk, assets, attachments, chat, errors, finder, journeys, pages, police_api, sms, staff

    app.register_blueprint(assets.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(finder.bp)
    app.register_blueprint(api_oruk.bp)
    csrf.exempt(api_oruk.bp)  # read-only JSON for partner systems: no forms, no session
    app.register_blueprint(sms.bp)
    csrf.exempt(sms.bp)  # Twilio signs its requests; RequestValidator is the check
    app.register_blueprint(police_api.bp)
    csrf.exempt(police_api.bp)  # a bearer token per police partner, no cookies
    app.register_blueprint(chat.bp)
    for blueprint in journeys.blueprints():
        app.register_blueprint(blueprint)
    # /report/attachments, /report/copy, /notify/status; imported above, before staff.register, because it also
    # adds the staff route that opens a file.
    app.register_blueprint(attachments.bp)
    staff.register(app)
    errors.init_app(app)

    @app.template_filter("london_time")
    def _london_time(value: dt.datetime) -> str:
        local = value.astimezone(LONDON)
        return f"{local:%H:%M} on {local.day} {local:%B %Y}"

    # Templates see the display values they use, never the config (which holds the secrets): Flask's own
    # `config` global goes, and `settings` holds just these.
    del app.jinja_env.globals["config"]

    @app.context_processor
    def _settings() -> dict[str, Any]:
        return {"settings": settings.display()}

    @app.after_request
    def _no_store(response: Response) -> Response:
        # Pages may show what a worried parent typed: never let a shared computer's cache keep them.
        if response.mimetype == "text/html" or request.path.startswith(("/report", "/help", "/chat")):
            response.headers["Cache-Control"] = "no-store"
        return response

    if not (config or {}).get("TESTING"):
        # The danger screen's second net trains in memory at first use (2-4 s): start it now, beside the server
        # starting, so the first frightened texter does not wait for it. A daemon thread: a CLI command that
        # builds the app and ends at once is not held up.
        threading.Thread(target=danger_net.load, name="danger-net-warm", daemon=True).start()
    return app
