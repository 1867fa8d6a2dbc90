"""The `frontdoor` command: the Flask CLI plus the project's own commands."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, pass_script_info, with_appcontext
from flask.helpers import get_debug_flag
from werkzeug.serving import WSGIRequestHandler

from store.crypto import generate_key


def _create_app():
    from portal import create_app

    return create_app()


# load_dotenv=False: create_app reads the project's .env itself (unless FRONTDOOR_DOTENV=0); Flask's own loader
# would copy the .env of whatever directory the command runs in into os.environ, for good.
@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def cli() -> None:
    """Front Door: children's services front door."""


def main() -> None:
    from portal.config import ConfigError

    try:
        cli(prog_name="frontdoor")
    except ConfigError as error:  # a setting that cannot be used: its message names it, no traceback to wade through
        click.echo(f"frontdoor: cannot start: {error}", err=True)
        sys.exit(1)


class NamelessRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler without its `Server: Werkzeug/x Python/y` header. The server writes that header
    itself, after the app has answered, so only the handler can leave it out; a version helps only an attacker."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            super().send_header(keyword, value)


@cli.command("run", short_help="Run the development server.")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="The interface to bind to.")
@click.option("--port", "-p", default=5000, show_default=True, help="The port to bind to.")
@click.option("--reload/--no-reload", default=None, help="Restart when the code changes (default: with --debug).")
@click.option("--debugger/--no-debugger", default=None, help="Werkzeug's debugger (default: with --debug).")
@pass_script_info
def run(info: ScriptInfo, host: str, port: int, reload: bool | None, debugger: bool | None) -> None:
    """Flask's development server, as `flask run` starts it, but with the handler above (Flask's own `run` has
    no way to choose one)."""
    from werkzeug.serving import run_simple

    debug = get_debug_flag()
    run_simple(host, port, info.load_app(), use_reloader=debug if reload is None else reload,
               use_debugger=debug if debugger is None else debugger, threaded=True,
               request_handler=NamelessRequestHandler)


def _session():
    return current_app.extensions["frontdoor.sessionmaker"]()


@cli.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create the database, or bring it up to the newest schema."""
    from portal.config import settings
    from store.migrate import upgrade

    url = settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    click.echo("Database is up to date.")


@cli.group()
def dev() -> None:
    """Development helpers."""


def _audit_key() -> str:
    from mash.audit import generate_key as generate_audit_key

    return generate_audit_key("dev1")


def development_settings() -> dict[str, str]:
    """Generated development values: secrets, and a pretend Twilio account so `frontdoor sms` can sign."""
    return {
        "FRONTDOOR_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": generate_key(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "AUDIT_HMAC_KEYS": _audit_key(),
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_NUMBER": "+447700900000",  # Ofcom's drama range: never a real phone
        # What Twilio signs against; `frontdoor sms` signs with the same value, whatever port it posts to.
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        # Rasa's HTTP API (/model/parse, the only thing the portal asks it) answers only with this token.
        "RASA_AUTH_TOKEN": secrets.token_hex(32),  # hex: a token starting "-" would read as an option
        # Ports and the URLs built from them (RASA_URL) come from the Makefile, because
        # honcho lets .env override the environment and `make run PORT=...` must win.
    }


@dev.command("write-env", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def write_env(path: Path) -> None:
    """Write generated development settings to PATH (ignored by git); to an existing file, add only what it lacks."""
    existing = path.read_text() if path.exists() else ""
    have = {line.split("=", 1)[0].strip() for line in existing.splitlines() if "=" in line and not line.startswith("#")}
    missing = {k: v for k, v in development_settings().items() if k not in have}
    if not missing:
        click.echo(f"{path} has every setting; keeping it.")
        return
    header = "" if existing else "# Development settings written by `make run`. Never use these in production.\n"
    lines = "".join(f"{k}={v}\n" for k, v in missing.items())
    path.write_text(existing + ("" if not existing or existing.endswith("\n") else "\n") + header + lines)
    path.chmod(0o600)
    click.echo(f"Wrote development settings to {path}: {', '.join(missing)}.")


@cli.group()
def production() -> None:
    """The production profile on this machine (make run-production)."""


@production.command("prepare", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--port", default=5443, show_default=True, help="The port the portal serves HTTPS on.")
@click.option("--rasa-port", default=5005, show_default=True, help="The port Rasa listens on.")
def production_prepare(path: Path, port: int, rasa_port: int) -> None:
    """Write generated production settings to PATH (once; never replacing a secret), then make what they name:
    the PostgreSQL role and database, the Redis user, and a self-signed certificate."""
    from portal.config import ROOT
    from portal.production import (
        ensure_certificate,
        ensure_database,
        ensure_redis_user,
        production_settings,
        read_env_file,
        write_env_file,
    )

    added = write_env_file(path, production_settings(root=ROOT, port=port, rasa_port=rasa_port))
    written = read_env_file(path)
    ensure_database(written["DATABASE_URL"])
    ensure_redis_user(written["REDIS_URL"])
    made = ensure_certificate(Path(written["TLS_CERT"]), Path(written["TLS_KEY"]))
    click.echo(f"{path}: {'added ' + ', '.join(added) if added else 'every setting was there'}. PostgreSQL role "
               f"and database, Redis user{' and a new certificate' if made else ''} ready.")


@cli.group()
def keys() -> None:
    """Field encryption keys."""


@keys.command("generate", with_appcontext=False)
def keys_generate() -> None:
    """Print a new Fernet key, to put first in FIELD_ENCRYPTION_KEYS."""
    click.echo(generate_key())


@keys.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """Re-encrypt every personal field with the first key in FIELD_ENCRYPTION_KEYS."""
    from store.rotation import rotate_all

    with _session() as session, session.begin():
        count = rotate_all(session)
    click.echo(f"Re-encrypted {count} values with the newest key.")


@cli.group()
def search() -> None:
    """The staff search's indexes."""


@search.command("reindex")
@with_appcontext
def search_reindex() -> None:
    """Fill the search indexes added by migrations 0023, 0026 and 0028 for rows stored before them (run once after
    upgrading): misspelt names by sound, a referrer's and a household's phones, a postcode alone, a missing child's
    details."""
    from mash.reindex import reindex

    with _session() as session:
        done = reindex(session)
    click.echo("Search indexes filled: " + ", ".join(f"{d.table} {d.rows}" for d in done) + ".")


@cli.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_from", metavar="FILE_OR_TEXT",
              help="A checkpoint from `frontdoor audit checkpoint` (its file, or its text): the chain must still "
                   "reach it and match it.")
@with_appcontext
def audit_verify(checkpoint_from: str | None) -> None:
    """Walk the hash chain and name the first broken link."""
    from mash.audit import Checkpoint, CheckpointError, verify

    try:
        checkpoint = Checkpoint.load(checkpoint_from) if checkpoint_from else None
    except CheckpointError as exc:
        raise click.BadParameter(str(exc), param_hint="--checkpoint") from None
    with _session() as session:
        result = verify(session, checkpoint=checkpoint)
    if result.ok:
        unkeyed = f", {result.unkeyed} of them from before the key (plain SHA-256)" if result.unkeyed else ""
        against = f"; it matches the checkpoint at event {checkpoint.seq} of {checkpoint.at}" if checkpoint else ""
        click.echo(f"Audit trail intact: {result.checked} events checked{unkeyed}{against}.")
        return
    where = f"at event {result.first_broken_seq}" if result.first_broken_seq else "(checkpoint)"
    click.echo(f"Audit trail BROKEN {where}: {result.problem} "
               f"({result.checked} events before it are intact).", err=True)
    sys.exit(1)


@audit.command("checkpoint")
@with_appcontext
def audit_checkpoint() -> None:
    """Verify the chain, then print its head signed (sequence, hash, time, HMAC): keep it outside the database,
    and give it to `audit verify --checkpoint` later."""
    from mash.audit import CheckpointError, checkpoint

    with _session() as session:
        try:
            signed = checkpoint(session)
        except CheckpointError as exc:
            click.echo(f"No checkpoint: {exc}.", err=True)
            sys.exit(1)
    click.echo(signed.to_text())


@audit.command("new-key", with_appcontext=False)
@click.option("--id", "key_id", help="The key's id (default: k and today's date).")
def audit_new_key(key_id: str | None) -> None:
    """Print a new id:secret for AUDIT_HMAC_KEYS, to put first (docs/deployment.md, "Audit trail")."""
    from mash.audit import generate_key as generate_audit_key

    click.echo(generate_audit_key(key_id))


@cli.group()
def drafts() -> None:
    """Unfinished web referrals."""


@drafts.command("purge")
@with_appcontext
def drafts_purge() -> None:
    """Delete drafts past their expiry (run daily)."""
    from forms.drafts import purge_expired

    with _session() as session, session.begin():
        count = purge_expired(session)
    click.echo(f"Deleted {count} expired drafts.")


@cli.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
@with_appcontext
def demo_load() -> None:
    """Load fictional demonstration referrals, once."""
    from portal.config import settings
    from portal.demo import DEMO_PASSWORD, load_demo_contacts, load_demo_staff

    if settings().frontdoor_env != "development":
        raise click.ClickException("demo data (with its published passwords) is for development only")
    from signposting.directory import load_demo_directory

    with _session() as session:
        directory = load_demo_directory(session)
    with _session() as session, session.begin():
        count = load_demo_contacts(session)
        staff = load_demo_staff(session)
    from portal.police_api import load_demo_notifications

    with _session() as session:
        notifications = load_demo_notifications(session)
        session.commit()
    from portal.demo import load_demo_casework, load_demo_decisions

    with _session() as session, session.begin():
        decisions = load_demo_decisions(session)
        decisions += load_demo_casework(session)
    from portal.demo import load_demo_text

    with _session() as session:  # the text pipeline commits its own steps, as it does for a real message
        decisions += load_demo_text(session)
    click.echo(f"Service directory (demonstration data): {directory.summary()}.")
    click.echo(f"Police notifications (demonstration data): {notifications.summary()}.")
    if decisions:
        click.echo(f"Demonstration data: {'; '.join(decisions)}.")
    click.echo(f"Demonstration data: {count} referrals added." if count else "Demonstration data already loaded.")
    click.echo("Demo staff sign-in at /staff (demonstration only; never use these anywhere real):")
    for email, role, secret in staff:
        click.echo(f"  {role:<12} {email}  password: {DEMO_PASSWORD}  authenticator secret: {secret}")
    click.echo("  For the current 6-digit code: .venv/bin/frontdoor demo code EMAIL")


@demo.command("code")
@click.argument("email")
@with_appcontext
def demo_code(email: str) -> None:
    """Print the current TOTP code of a demo account (demo accounts only)."""
    import pyotp

    from portal.demo import DEMO_STAFF

    secret = next((s for e, _, _, s in DEMO_STAFF if e == email.strip().lower()), None)
    if secret is None:
        raise click.ClickException("only the demo accounts have codes printed here")
    click.echo(pyotp.TOTP(secret).now())


@cli.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["practitioner", "manager", "admin"]), required=True)
@click.password_option()
@with_appcontext
def users_create(email: str, name: str, role: str, password: str) -> None:
    """Create a staff account and print the secret for its authenticator app (shown once)."""
    from mash.staff import StaffError, create_user

    with _session() as session, session.begin():
        try:
            account = create_user(session, email=email, name=name, role=role, password=password)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Created {role} account {account.user.email}.")
        click.echo(f"Add this to their authenticator app (shown once): {account.totp_secret}")
        click.echo(f"or scan a QR code of: {account.provisioning_uri()}")


@users.command("unlock")
@click.argument("email")
@with_appcontext
def users_unlock(email: str) -> None:
    """Lift a lock-out after repeated failed sign-ins (recorded in the audit trail)."""
    _set_account(email, unlock=True)


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str) -> None:
    """Stop an account signing in, and end its sessions (its history stays)."""
    _set_account(email, active=False)


@users.command("end-sessions")
@click.argument("email")
@with_appcontext
def users_end_sessions(email: str) -> None:
    """Sign an account out everywhere at once, e.g. for a lost laptop (recorded in the audit trail)."""
    _set_account(email, end_sessions=True)


def _set_account(email: str, *, unlock: bool = False, active: bool | None = None, end_sessions: bool = False) -> None:
    from sqlalchemy import select

    from mash import audit
    from mash.models import StaffUser

    with _session() as session, session.begin():
        user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
        if user is None:
            raise click.ClickException("no account has that e-mail address")
        # Before this transaction writes anything: the session store may be this same (SQLite) database.
        ended = current_app.extensions["frontdoor.staff_sessions"].end_all(user.id) \
            if end_sessions or active is False else None
        if unlock:
            user.locked_until, user.failed_attempts = None, 0
            audit.record(session, event="staff.unlocked", actor="system:cli", details={"staff_id": user.id})
        if active is not None:
            user.active = active
            audit.record(session, event="staff.deactivated", actor="system:cli",
                         details={"staff_id": user.id, "sessions_ended": ended})
        elif end_sessions:
            audit.record(session, event="staff.sessions_ended", actor="system:cli",
                         details={"staff_id": user.id, "sessions_ended": ended})
    click.echo("Done." if ended is None else f"Done. {ended} session(s) ended.")


@cli.command("worker")
@click.option("--once", is_flag=True, help="Do each job once, now, then stop.")
@click.option("--interval", default=5.0, show_default=True, help="Longest wait, in seconds, between looks at an "
              "empty queue (SQLite; Redis is told at once).")
@with_appcontext
def worker(once: bool, interval: float) -> None:
    """Background jobs (portal/jobs.py): send feedback to referrers (console only in development), store
    spooled messages, follow up unfinished concerns, forget conversations past retention, delete expired
    drafts. Run several: each job is done once."""
    from portal import jobs

    if once:
        click.echo(jobs.run_once().summary())
        return
    jobs.run_worker(max_delay=interval)


@cli.group()
def export() -> None:
    """Statutory returns."""


@export.command("cin-referrals")
@click.option("--from", "start_text", required=True, metavar="YYYY-MM-DD", help="First day (London time), inclusive.")
@click.option("--to", "end_text", required=True, metavar="YYYY-MM-DD", help="Last day (London time), inclusive.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the CSV here instead of to standard output.")
@click.option("--actor", default="system:cli", show_default=True, help="Who the audit trail names for the export.")
@with_appcontext
def export_cin_referrals(start_text: str, end_text: str, output: Path | None, actor: str) -> None:
    """Children in Need census referral items (one row per referral received) as CSV, recorded in the audit trail."""
    import io

    from mash.cin import cin_referrals, parse_day, record_export, write_csv
    from portal.config import working_calendar

    try:
        start = parse_day(start_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--from'") from None
    try:
        end = parse_day(end_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--to'") from None
    if start > end:
        raise click.BadParameter(f"the start date {start.isoformat()} is after the end date {end.isoformat()}",
                                 param_hint="'--from' / '--to'")
    buffer = io.StringIO(newline="")
    with _session() as session, session.begin():
        count = write_csv(cin_referrals(session, start, end, working_calendar()), buffer)
        record_export(session, start, end, count, actor=actor)
        # Written before the commit: when the file cannot be written, no export is recorded as done.
        if output is None:
            click.echo(buffer.getvalue(), nl=False)
        else:
            try:
                output.write_text(buffer.getvalue(), encoding="utf-8", newline="")
            except OSError as exc:
                raise click.ClickException(f"could not write {output}: {exc.strerror}") from None
    if output is not None:
        click.echo(f"Wrote {count} referral(s) received {start.isoformat()} to {end.isoformat()} to {output}.",
                   err=True)



@cli.group()
def services() -> None:
    """The service directory (Open Referral UK 3.0)."""


@services.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def services_import(path: Path) -> None:
    """Import ORUK 3.0 JSON: one service, a page, a package, a list, or a folder of them. Idempotent."""
    from signposting.directory import import_path

    if not path.exists():
        raise click.ClickException(f"{path} does not exist")
    with _session() as session:
        report = import_path(session, path)
    for error in report.errors:
        click.echo(f"refused: {error}", err=True)
    click.echo(report.summary())
    if report.errors and not (report.created or report.updated or report.terms):
        sys.exit(1)


@services.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@with_appcontext
def services_export(path: Path | None) -> None:
    """Write the whole directory as ORUK 3.0 JSON (to PATH, or standard output)."""
    import json

    from signposting.directory import export_all

    with _session() as session:
        text = json.dumps(export_all(session), indent=1, ensure_ascii=False)
    if path is None:
        click.echo(text)
    else:
        path.write_text(text, encoding="utf-8")
        click.echo(f"Wrote the directory to {path}.", err=True)


@cli.command("sms")
@click.argument("text")
@click.option("--from", "sender", default="+447700900123", show_default=True, help="The phone number it comes from.")
@click.option("--url", default=None, help="Where the portal runs (default: PUBLIC_BASE_URL).")
@click.option("--media", multiple=True, metavar="TYPE", help="Pretend a picture came too, e.g. --media image/jpeg.")
@with_appcontext
def sms(text: str, sender: str, url: str | None, media: tuple[str, ...]) -> None:
    """Text the running front door as Twilio would: a correctly signed request to /sms/inbound; prints the reply."""
    import re
    import uuid
    from html import unescape

    import requests
    from twilio.request_validator import RequestValidator

    from portal.config import settings

    config = settings()
    if not config.twilio_auth_token or not config.twilio_account_sid or not config.twilio_number:
        raise click.ClickException("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER must be set "
                                   "(`make run` writes development values into .env)")
    public = config.public_base_url.rstrip("/")
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": config.twilio_account_sid, "From": sender,
              "To": config.twilio_number, "Body": text, "NumMedia": str(len(media))}
    params.update({f"MediaContentType{i}": kind for i, kind in enumerate(media)})
    signature = RequestValidator(config.twilio_auth_token).compute_signature(f"{public}/sms/inbound", params)
    try:
        response = requests.post(f"{(url or public).rstrip('/')}/sms/inbound", data=params,
                                 headers={"X-Twilio-Signature": signature}, timeout=30)
    except requests.RequestException as exc:
        raise click.ClickException(f"the portal is not answering at {url or public} ({type(exc).__name__}); "
                                   "is `make run` running?") from None
    if response.status_code != 200:
        raise click.ClickException(f"the portal answered HTTP {response.status_code}")
    replies = [unescape(m) for m in re.findall(r"<Message[^>]*>(.*?)</Message>", response.text, re.S)]
    click.echo("\n".join(replies) if replies else
               f"(no reply: a person in the team may have this conversation; `frontdoor texts --to {sender}` "
               "shows what they text you)")


@cli.command("texts")
@click.option("--to", "recipient", default="+447700900123", show_default=True, help="The phone number texted.")
@click.option("--last", default=5, show_default=True, help="How many of the newest to show.")
@with_appcontext
def texts(recipient: str, last: int) -> None:
    """Development only: the texts practitioners sent from /staff/conversations to a number, as the console
    sender wrote them (nothing leaves the machine in development), oldest first."""
    from portal.config import settings

    config = settings()
    if not config.development:
        raise click.ClickException("texts are only kept on disk in development; elsewhere they go by Twilio")
    from forms.schema import LONDON
    from portal.sms import e164

    folder = Path(config.instance_path) / "outbox"
    found = []
    for path in sorted(folder.glob("text-*.txt"), key=lambda p: p.stat().st_mtime):
        head, _, body = path.read_text().partition("\n\n")
        if head.strip() == f"To: {e164(recipient)}":
            found.append((dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC), body.strip()))
    if not found:
        click.echo(f"(no texts sent from the workspace to {recipient} yet)")
        return
    shown = found[-last:]
    click.echo(f"{len(found)} text{'s' if len(found) != 1 else ''} sent from the workspace to {recipient}"
               + (f", the last {len(shown)} shown" if len(shown) < len(found) else "") + ", oldest first:")
    for at, body in shown:
        local = at.astimezone(LONDON)
        click.echo(f"\n[{local:%H:%M} on {local.day} {local:%B}]")
        click.echo(body)



@cli.group()
def partners() -> None:
    """Partner systems (police forces) that may post notifications to /api/police/notifications."""


@partners.command("create")
@click.argument("name")
@with_appcontext
def partners_create(name: str) -> None:
    """Create a partner and print its token once: only a hash of it is kept, so it cannot be shown again."""
    from mash.police import create_partner
    from mash.staff import StaffError

    with _session() as session, session.begin():
        try:
            partner, token = create_partner(session, name)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        partner_id = partner.id
    click.echo(f"Partner {partner_id} created. Its token (shown once; store it in the partner's system now):")
    click.echo(token)


@partners.command("deactivate")
@click.argument("name")
@with_appcontext
def partners_deactivate(name: str) -> None:
    """Stop a partner's token working (audited); what it sent is kept."""
    from mash.police import deactivate_partner
    from mash.staff import StaffError

    with _session() as session, session.begin():
        try:
            partner = deactivate_partner(session, name)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        partner_id = partner.id
    click.echo(f"Partner {partner_id} deactivated: its token no longer works.")


@partners.command("rotate")
@click.argument("name")
@with_appcontext
def partners_rotate(name: str) -> None:
    """Give a partner a new token, printed once (audited); the old token stops working at once."""
    from mash.police import rotate_partner
    from mash.staff import StaffError

    with _session() as session, session.begin():
        try:
            partner, token = rotate_partner(session, name)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from None
        partner_id = partner.id
    click.echo(f"Partner {partner_id} has a new token (shown once; the old one no longer works):")
    click.echo(token)


@partners.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partner", "partner_name", default=None,
              help="The partner (force) whose police references the file carries: its rows are then the same "
                   "notifications as that partner's API posts.")
@with_appcontext
def partners_import(path: Path, partner_name: str | None) -> None:
    """Load police notifications from a CSV file (docs/police-notifications.md); bad rows are listed by line."""
    from sqlalchemy import select

    from mash.models import PolicePartner
    from mash.police import import_csv
    from portal.config import settings, working_calendar

    with _session() as session, path.open(encoding="utf-8-sig", newline="") as lines:
        partner_id = None
        if partner_name is not None:
            partner_id = session.scalar(select(PolicePartner.id).where(
                PolicePartner.name == " ".join(partner_name.split()), PolicePartner.active.is_(True)))
            if partner_id is None:
                raise click.ClickException("There is no active partner with that name")
        report = import_csv(session, lines, source="csv:cli", actor="system:cli", calendar=working_calendar(),
                            settings=settings().police, missing_settings=settings().missing, partner_id=partner_id)
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(report.summary())


if __name__ == "__main__":
    main()
